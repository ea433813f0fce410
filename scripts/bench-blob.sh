#!/usr/bin/env bash
# Blob storage throughput: upload and download of one large object through `reactor serve` (fs backend) against
# `cp` of the same file on the same disk, side by side in one run, plus the server's peak resident memory above its
# idle level. Numbers and the command are recorded in docs/benchmarks.md ("Blob storage").
#
#   scripts/bench-blob.sh                       # 1 GiB, .build/release/reactor (swift build -c release first)
#   SIZE_MIB=256 REACTOR=.build/debug/reactor scripts/bench-blob.sh
#
# Needs curl. The work directory (default .build/bench-blob, on the same disk as the server's data) is removed after.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${SIZE_MIB:-1024}
reactor=${REACTOR:-.build/release/reactor}
work=${WORK_DIR:-.build/bench-blob}
[ -x "$reactor" ] || { echo "no $reactor: run swift build -c release (or set REACTOR=…)" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{$size_mib/($2-$1):.0f}')" "$1" "$2" 2>/dev/null || echo "?"; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.2f}')" "$1" "$2"; }
kib() { awk -v k="$1" '/^'"$1"':/ {print $2}' "/proc/$server/status"; }

echo "making a ${size_mib} MiB file of random bytes"
head -c "$((size_mib * 1048576))" /dev/urandom >"$work/source.bin"
sync

"$reactor" serve --bind 127.0.0.1:0 --data-dir "$work/data" --json >"$work/out" 2>"$work/err" &
server=$!
for _ in $(seq 1 200); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.05; done
port=$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())['port'])" "$work/out")
base="http://127.0.0.1:$port/storage/v1"
curl -fsS -X POST "$base/buckets" -H 'Content-Type: application/json' -d '{"name":"bench"}' >/dev/null
# Warm up (one small object each way), then take the idle level.
head -c 1048576 /dev/urandom | curl -fsS -T - "$base/buckets/bench/objects/warm" -H 'Content-Type: application/octet-stream' >/dev/null
curl -fsS "$base/buckets/bench/objects/warm" -o /dev/null
idle_kib=$(kib VmRSS)

t0=$(now); cp "$work/source.bin" "$work/cp.bin"; t1=$(now)
cp_s=$(elapsed "$t0" "$t1"); rm -f "$work/cp.bin"; sync
t0=$(now); dd if="$work/source.bin" of="$work/dd.bin" bs=1M conv=fsync status=none; t1=$(now)
cpsync_s=$(elapsed "$t0" "$t1"); rm -f "$work/dd.bin"; sync

t0=$(now)
curl -fsS -T "$work/source.bin" -H 'Content-Type: application/octet-stream' "$base/buckets/bench/objects/big.bin" >"$work/put.json"
t1=$(now)
up_s=$(elapsed "$t0" "$t1"); sync
t0=$(now)
curl -fsS "$base/buckets/bench/objects/big.bin" -o "$work/down.bin"
t1=$(now)
down_s=$(elapsed "$t0" "$t1")
peak_kib=$(kib VmHWM)

want=$(sha256sum "$work/source.bin" | cut -d' ' -f1)
got=$(sha256sum "$work/down.bin" | cut -d' ' -f1)
stored=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['sha256'])" "$work/put.json")
[ "$want" = "$got" ] && [ "$want" = "$stored" ] || { echo "MISMATCH: source $want, stored $stored, downloaded $got" >&2; exit 1; }

python3 - "$size_mib" "$cp_s" "$cpsync_s" "$up_s" "$down_s" "$idle_kib" "$peak_kib" <<'PY'
import sys
size, cp, cpsync, up, down, idle, peak = (float(x) for x in sys.argv[1:])
print(f"object: {size:.0f} MiB, fs backend, one curl each way over loopback; SHA-256 of source, stored and downloaded agree")
print(f"cp                     {cp:7.2f} s  {size/cp:7.0f} MiB/s")
print(f"cp + fsync (dd)        {cpsync:7.2f} s  {size/cpsync:7.0f} MiB/s")
print(f"upload (PUT, fsync)    {up:7.2f} s  {size/up:7.0f} MiB/s  = {cp/up:.2f}x cp, {cpsync/up:.2f}x cp+fsync")
print(f"download (GET)         {down:7.2f} s  {size/down:7.0f} MiB/s  = {cp/down:.2f}x cp")
print(f"server RSS: idle {idle/1024:.1f} MiB, peak {peak/1024:.1f} MiB, peak above idle {(peak-idle)/1024:.1f} MiB")
PY
kill -TERM "$server"; wait "$server" || true
