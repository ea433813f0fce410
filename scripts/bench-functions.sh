#!/usr/bin/env bash
# Functions benchmark (issue 15), on one release-built `reactor serve` (zero configuration: SQLite, fs blobs) and the
# same module in process, with wasmtime (PyPI `wasmtime`, the runtime the reference uses) as the anchor.
# Needs wrk (`apt-get install -y wrk`) and wat2wasm (`apt-get install -y wabt`).
#
#   scripts/bench-functions.sh [duration-seconds] [connections] [threads]
#
# 1. Deploys the trivial function (Tests/ReactorWasmTests/Modules/trivial.wat: answers {"status":200,"body":"ok"})
#    with `reactor functions deploy`.
# 2. Latency, one connection: wrk -c1 on GET /health (the server's floor) then on GET /functions/v1/trivial; the
#    difference of the p50s is what an invocation adds over a bare route.
# 3. Throughput, CONNECTIONS connections: the same two routes (functions.default_max_concurrent raised above the
#    connections so that no request waits for a slot).
# 4. Cold start: the server restarted, the first call of the function on it (module read from the blob store,
#    compiled, instantiated) against the second call, each timed by curl.
# 5. In process: `reactor-bench functions` (WasmKit) and scripts/oracles/wasmtime-functions.py (wasmtime, a fresh
#    instance per invocation with the same stdin/stdout contract) on the same binary module.
# 6. WASM document models: `reactor-bench models` (the C to-do list of Tests/ReactorWasmTests/Modules/todo.c built
#    with clang for wasm32-wasi, against the built-in Swift to-do list: the reducer alone, then single-action jobs
#    through a reactor) and scripts/oracles/wasmtime-models.py (the same module and actions under wasmtime).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
threads=${3:-2}
. scripts/bench-common.sh
bench=${REACTOR_BENCH_BIN:-}
if [ -z "$bench" ]; then
  swift build -c release --product reactor-bench --scratch-path .build-release >/dev/null
  bench=.build-release/release/reactor-bench
fi
work=$(mktemp -d)
server=
stop() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=; fi
}
trap 'stop; rm -rf "$work"' EXIT
starts=0
start() {
  starts=$((starts + 1))
  local out="$work/out.$starts"
  env REACTOR_FUNCTIONS__DEFAULT_MAX_CONCURRENT=1000 "$bin" serve --bind 127.0.0.1:0 --data-dir "$work/data" --json >"$out" 2>"$work/err.$starts" &
  server=$!
  for _ in $(seq 1 300); do grep -q listening "$out" 2>/dev/null && break; sleep 0.1; done
  grep -q listening "$out" || { echo "the server did not start:"; cat "$out" "$work/err.$starts"; exit 1; }
  port=$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())['port'])" "$out")
  base="http://127.0.0.1:$port"
}
p50() { awk '/ 50%/ {print $2}' "$1"; }
p99() { awk '/ 99%/ {print $2}' "$1"; }
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
run() {
  local file=$1; shift
  wrk --latency "$@" >"$file"
  if grep -q 'Non-2xx' "$file"; then cat "$file"; echo "wrk saw non-2xx answers: the run does not count"; exit 1; fi
}

wat2wasm Tests/ReactorWasmTests/Modules/trivial.wat -o "$work/trivial.wasm"
start
"$bin" functions deploy trivial "$work/trivial.wasm" --server "$base" --data-dir "$work/data"
curl -sf "$base/functions/v1/trivial" >/dev/null
wrk -t1 -c1 -d2s "$base/functions/v1/trivial" >/dev/null

echo "== latency, 1 connection, ${duration}s each"
run "$work/health1" -t1 -c1 -d"${duration}s" "$base/health"
run "$work/fn1" -t1 -c1 -d"${duration}s" "$base/functions/v1/trivial"
echo "GET /health:                p50 $(p50 "$work/health1"), p99 $(p99 "$work/health1"), $(rps "$work/health1") req/s"
echo "GET /functions/v1/trivial:  p50 $(p50 "$work/fn1"), p99 $(p99 "$work/fn1"), $(rps "$work/fn1") req/s"

echo "== throughput, $connections connections, $threads threads, ${duration}s each"
run "$work/healthN" -t"$threads" -c"$connections" -d"${duration}s" "$base/health"
run "$work/fnN" -t"$threads" -c"$connections" -d"${duration}s" "$base/functions/v1/trivial"
echo "GET /health:                $(rps "$work/healthN") req/s, p50 $(p50 "$work/healthN"), p99 $(p99 "$work/healthN")"
echo "GET /functions/v1/trivial:  $(rps "$work/fnN") req/s, p50 $(p50 "$work/fnN"), p99 $(p99 "$work/fnN")"
python3 -c "import sys; print('invocations/health req/s: %.2fx' % (float(sys.argv[1]) / float(sys.argv[2])))" "$(rps "$work/fnN")" "$(rps "$work/healthN")"

echo "== cold start: the first call after a restart (load from the blob store, compile, instantiate), then the second"
for round in 1 2 3; do
  stop
  start
  first=$(curl -sf -o /dev/null -w '%{time_total}' "$base/functions/v1/trivial")
  second=$(curl -sf -o /dev/null -w '%{time_total}' "$base/functions/v1/trivial")
  python3 -c "import sys; print('round %s: first %.2f ms, second %.2f ms' % (sys.argv[1], float(sys.argv[2]) * 1000, float(sys.argv[3]) * 1000))" "$round" "$first" "$second"
done
stop

echo "== in process: WasmKit (reactor-bench functions)"
"$bench" functions --module "$work/trivial.wasm" --invocations 5000 --concurrency "$threads" --seconds 5
echo "== in process: wasmtime (the anchor)"
venv=.build/wasmtime-venv
[ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import wasmtime" 2>/dev/null || {
  python3 -m venv "$venv" && "$venv/bin/pip" install -q 'wasmtime==51.0.0'; }
"$venv/bin/python" scripts/oracles/wasmtime-functions.py "$work/trivial.wasm" 5000

echo "== WASM document model: the C to-do list against the Swift one (reactor-bench models)"
"$bench" models --actions 20000 --jobs 2000 --module-out "$work/todo.wasm" --actions-out "$work/actions.jsonl"
echo "== the same module and actions under wasmtime (the anchor)"
"$venv/bin/python" scripts/oracles/wasmtime-models.py "$work/todo.wasm" "$work/actions.jsonl"
