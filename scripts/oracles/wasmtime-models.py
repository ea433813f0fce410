#!/usr/bin/env python3
"""The anchor of `reactor-bench models`: the same WASM reducer on the same actions, under wasmtime.

Usage: wasmtime-models.py MODULE.wasm ACTIONS.jsonl
ACTIONS.jsonl is what `reactor-bench models --actions-out` writes: the initial state on the first line, then the bytes
each action hands the module. Reactor's reducer ABI (docs/functions.md, "Document models (reducer ABI)") is followed
as Reactor's host does it: per action a fresh store and instance with fuel metering, `_initialize` when exported,
`reactor_alloc` for the state and the action, `reactor_reduce`, the `{"state": ...}` result parsed and the state
written back in canonical form (sorted keys, no spaces) for the next action. WASI imports are wasmtime's own (the
to-do module calls none of them). Prints the compile time and the actions per second.
"""
import importlib.metadata
import json
import sys
import time

import wasmtime


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def main() -> None:
    path, actions_path = sys.argv[1], sys.argv[2]
    with open(actions_path, "rb") as handle:
        lines = [line.rstrip(b"\n") for line in handle if line.strip()]
    state, actions = lines[0], lines[1:]
    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    started = time.perf_counter()
    module = wasmtime.Module.from_file(engine, path)
    compiled = time.perf_counter() - started
    linker = wasmtime.Linker(engine)
    linker.define_wasi()

    def reduce(state: bytes, action: bytes) -> bytes:
        store = wasmtime.Store(engine)
        store.set_fuel(10_000_000)
        store.set_wasi(wasmtime.WasiConfig())
        instance = linker.instantiate(store, module)
        exports = instance.exports(store)
        if "_initialize" in exports:
            exports["_initialize"](store)
        memory, alloc = exports["memory"], exports["reactor_alloc"]
        pointers = []
        for data in (state, action):
            pointer = alloc(store, len(data))
            memory.write(store, data, pointer)
            pointers += [pointer, len(data)]
        packed = exports["reactor_reduce"](store, *pointers) & 0xFFFFFFFFFFFFFFFF
        result = json.loads(memory.read(store, packed >> 32, (packed >> 32) + (packed & 0xFFFFFFFF)))
        if "state" not in result:
            raise SystemExit("the module answered %r" % result)
        return canonical(result["state"])

    started = time.perf_counter()
    for action in actions:
        state = reduce(state, action)
    elapsed = time.perf_counter() - started
    print("wasmtime %s: compile %.3f ms; reducer, WASM to-do list: %.0f actions/s (%d actions)"
          % (importlib.metadata.version("wasmtime"), compiled * 1000, len(actions) / elapsed, len(actions)))


if __name__ == "__main__":
    main()
