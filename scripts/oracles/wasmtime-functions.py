#!/usr/bin/env python3
"""The anchor of scripts/bench-functions.sh: one module invoked like Reactor invokes a function, under wasmtime.

Usage: wasmtime-functions.py MODULE.wasm [INVOCATIONS]
The module is compiled once; each invocation gets a fresh store and instance (as in Reactor), the request JSON on
stdin (a temporary file: wasmtime-py reads stdin from a file), stdout and stderr captured in memory, and `_start` run
with fuel metering on. Prints the compile time, the first invocation, and warm invocations' p50/p90/p99 and rate.
"""
import importlib.metadata
import os
import sys
import tempfile
import time

import wasmtime


def main() -> None:
    path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    started = time.perf_counter()
    module = wasmtime.Module.from_file(engine, path)
    compiled = time.perf_counter() - started
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    request = b'{"body":"","headers":{},"method":"GET","path":"/","query":""}'
    with tempfile.NamedTemporaryFile(delete=False) as stdin:
        stdin.write(request)
    try:
        def invoke() -> bytes:
            out = bytearray()
            wasi = wasmtime.WasiConfig()
            wasi.stdin_file = stdin.name
            wasi.stdout_custom = lambda data: out.extend(data) or None
            wasi.stderr_custom = lambda data: None
            store = wasmtime.Store(engine)
            store.set_fuel(1_000_000_000)
            store.set_wasi(wasi)
            instance = linker.instantiate(store, module)
            instance.exports(store)["_start"](store)
            return bytes(out)

        started = time.perf_counter()
        answer = invoke()
        first = time.perf_counter() - started
        assert b'"status":200' in answer, answer
        print("wasmtime %s: compile %.3f ms, first invocation %.3f ms" % (importlib.metadata.version("wasmtime"), compiled * 1000, first * 1000))
        samples = []
        for _ in range(count):
            started = time.perf_counter()
            invoke()
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        pick = lambda p: samples[min(len(samples) - 1, int(len(samples) * p))]
        print("warm, one at a time: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms (%d invocations, %.0f invocations/s)"
              % (pick(0.5), pick(0.9), pick(0.99), count, count / (sum(samples) / 1000)))
    finally:
        os.unlink(stdin.name)


if __name__ == "__main__":
    main()
