#!/usr/bin/env bash
# HTTP load benchmark: wrk against `GET /reactor/v1/documents/{id}` and against `/health`, side by side, on one
# release-built `reactor serve` (SQLite in a temporary directory). Needs wrk (`apt-get install -y wrk`).
#
#   scripts/bench-http.sh [duration-seconds] [connections] [threads]
#
# Prints requests/s of each and the ratio (target: document reads ≥ 0.5x of /health).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
threads=${3:-2}
. scripts/bench-common.sh
work=$(mktemp -d)
"$bin" serve --bind 127.0.0.1:0 --data-dir "$work/data" --json >"$work/out" 2>"$work/err" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
port=$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())['port'])" "$work/out")
base="http://127.0.0.1:$port"
curl -sf -X POST "$base/reactor/v1/documents?wait=true" -H 'content-type: application/json' \
  -d '{"documentType":"reactor/todo-list","id":"bench","name":"Bench"}' >/dev/null
curl -sf -X POST "$base/reactor/v1/documents/bench/actions?wait=true" -H 'content-type: application/json' \
  -d '{"actions":[{"id":"a1","type":"ADD_TODO","input":{"id":"1","text":"milk"}},{"id":"a2","type":"ADD_TODO","input":{"id":"2","text":"eggs"}}]}' >/dev/null
run() { wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$1" | tee /dev/stderr | awk '/Requests\/sec/ {print $2}'; }
echo "== /health" >&2
health=$(run "$base/health")
echo "== /reactor/v1/documents/bench" >&2
doc=$(run "$base/reactor/v1/documents/bench")
ratio=$(python3 -c "print(f'{float(\"$doc\")/float(\"$health\"):.2f}')")
echo "health ${health} req/s, document ${doc} req/s, ratio ${ratio}x (target ≥ 0.5x)"
