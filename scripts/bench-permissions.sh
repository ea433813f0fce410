#!/usr/bin/env bash
# Document permissions benchmark (issue 14): wrk against `GET /reactor/v1/documents/{id}` of a cached document with a
# bearer token, document permissions on and off, in one run on one release-built `reactor serve` (identity service
# on, SQLite and the file vault in one temporary data directory); then login throughput at two scrypt costs.
# Needs wrk (`apt-get install -y wrk`).
#
#   scripts/bench-permissions.sh [duration-seconds] [connections] [threads]
#
# 1. Permissions on: sign up an admin (the first user, who bypasses permission checks), then a normal user, who
#    creates the document `bench` with two to-dos; a third user checks that the document is really hidden from others.
# 2. wrk as the normal user, permissions on, then the same data directory restarted with
#    `REACTOR_AUTH__DOCUMENT_PERMISSIONS=false`, on again, off again (on, off, on, off: the spread is the noise).
#    Each server start logs the user in again; a warm-up GET and a short wrk warm-up precede each measurement.
#    Then a reference run with the identity service off (no token at all) shows what verifying the token costs.
# 3. Login throughput: wrk POSTing the login body (LOGIN_SECONDS, default 10; LOGIN_CONNECTIONS, default 4; 2
#    threads) at the default scrypt cost (log_n 15) and at log_n 14 (a user signed up under it: a hash keeps the cost
#    it was made with).
#
# Prints req/s of each run and the ratio on/off (target ≥ 0.8x), and logins/s with p50/p99 latency.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
threads=${3:-2}
login_seconds=${LOGIN_SECONDS:-10}
login_connections=${LOGIN_CONNECTIONS:-4}
. scripts/bench-common.sh
work=$(mktemp -d)
server=
stop() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=; fi
}
trap 'stop; rm -rf "$work"' EXIT
password='correct horse battery'
starts=0

# start KEY=VALUE… : a server on the shared data directory with the identity service and these settings.
start() {
  starts=$((starts + 1))
  local out="$work/out.$starts"
  env REACTOR_AUTH__SERVICE=true \
      REACTOR_AUTH__ACCESS_TOKEN_TTL_SECONDS=86400 \
      REACTOR_AUTH__LOGIN_ATTEMPTS_PER_ACCOUNT=1000000 \
      REACTOR_AUTH__LOGIN_ATTEMPTS_PER_ADDRESS=1000000 \
      "$@" "$bin" serve --bind 127.0.0.1:0 --data-dir "$work/data" --json >"$out" 2>"$work/err.$starts" &
  server=$!
  for _ in $(seq 1 300); do grep -q listening "$out" 2>/dev/null && break; sleep 0.1; done
  grep -q listening "$out" || { echo "the server did not start:"; cat "$out" "$work/err.$starts"; exit 1; }
  port=$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())['port'])" "$out")
  base="http://127.0.0.1:$port"
}

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {}, {'d': d}))" "$1"; }
credentials() { printf '{"email":"%s","password":"%s"}' "$1" "$password"; }
signup() {
  curl -sf -X POST "$base/auth/v1/signup" -H 'content-type: application/json' -d "$(credentials "$1")" | json 'd["accessToken"]'
}
login() {
  curl -sf -X POST "$base/auth/v1/login" -H 'content-type: application/json' -d "$(credentials "$1")" | json 'd["accessToken"]'
}
status_of() { curl -s -o /dev/null -w '%{http_code}' "$base/reactor/v1/documents/bench" -H "Authorization: Bearer $1"; }

# The server's CPU time so far (user + system, clock ticks).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }

# wrk_run OUTFILE ARGS… : runs wrk, keeps its report (and the server's CPU µs per request in OUTFILE.cpu), refuses a
# run with non-2xx answers.
wrk_run() {
  local file=$1; shift
  local before after
  before=$(cpu_ticks)
  wrk --latency "$@" >"$file"
  after=$(cpu_ticks)
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '/requests in/ {printf "%.0f\n", ticks / hz * 1e6 / $1}' \
    "$file" >"$file.cpu"
  cat "$file" >&2
  echo "server CPU per request: $(cat "$file.cpu") µs" >&2
  if grep -q 'Non-2xx' "$file"; then echo "wrk saw non-2xx answers: the run does not count" >&2; exit 1; fi
  if grep -q 'Socket errors' "$file"; then echo "warning: wrk saw socket errors (see above)" >&2; fi
}
field() { awk -v k="$2" '$1 == k {print $2}' "$1"; }
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
cpu() { cat "$1.cpu"; }

# 1. Users and the document, permissions on.
start
signup admin@bench.local >/dev/null                    # the first user: admin
token=$(signup user@bench.local)                       # the user the reads are measured as (not an admin)
other=$(signup other@bench.local)                      # a third user, who must not see the document
auth=(-H "Authorization: Bearer $token" -H 'content-type: application/json')
curl -sf -X POST "$base/reactor/v1/documents?wait=true" "${auth[@]}" \
  -d '{"documentType":"reactor/todo-list","id":"bench","name":"Bench"}' >/dev/null
curl -sf -X POST "$base/reactor/v1/documents/bench/actions?wait=true" "${auth[@]}" \
  -d '{"actions":[{"id":"a1","type":"ADD_TODO","input":{"id":"1","text":"milk"}},{"id":"a2","type":"ADD_TODO","input":{"id":"2","text":"eggs"}}]}' >/dev/null
[ "$(status_of "$token")" = 200 ] || { echo "the creator cannot read its document"; exit 1; }
[ "$(status_of "$other")" = 404 ] || { echo "permissions on, yet another user reads the document"; exit 1; }

# 2. GET on/off, alternating.
declare -a modes=(on off on off) results=() cpus=()
for i in "${!modes[@]}"; do
  mode=${modes[$i]}
  if [ "$i" -gt 0 ]; then
    stop
    if [ "$mode" = off ]; then start REACTOR_AUTH__DOCUMENT_PERMISSIONS=false; else start; fi
    token=$(login user@bench.local)
    other=$(login other@bench.local)
  fi
  expected_other=$([ "$mode" = on ] && echo 404 || echo 200)
  [ "$(status_of "$other")" = "$expected_other" ] || { echo "permissions $mode: another user's GET is not $expected_other"; exit 1; }
  [ "$(status_of "$token")" = 200 ] || { echo "permissions $mode: the user's GET failed"; exit 1; }
  wrk -t"$threads" -c"$connections" -d2s -H "Authorization: Bearer $token" "$base/reactor/v1/documents/bench" >/dev/null
  echo "== permissions $mode (run $((i + 1)))" >&2
  wrk_run "$work/get.$i" -t"$threads" -c"$connections" -d"${duration}s" -H "Authorization: Bearer $token" \
    "$base/reactor/v1/documents/bench"
  results+=("$(rps "$work/get.$i")")
  cpus+=("$(cpu "$work/get.$i")")
done

# Reference, not part of the ratio: the same GET with the identity service off (no token to verify, no checks).
stop
start REACTOR_AUTH__SERVICE=false
[ "$(status_of "")" = 200 ] || { echo "auth off: the GET failed"; exit 1; }
wrk -t"$threads" -c"$connections" -d2s "$base/reactor/v1/documents/bench" >/dev/null
echo "== auth off (reference)" >&2
wrk_run "$work/get.noauth" -t"$threads" -c"$connections" -d"${duration}s" "$base/reactor/v1/documents/bench"
noauth=$(rps "$work/get.noauth")
noauth_cpu=$(cpu "$work/get.noauth")

# 3. Login throughput at log_n 15 (the users above were hashed with it) and 14 (a user signed up under it).
declare -a login_rps=() login_p50=() login_p99=() login_cpu=()
for log_n in 15 14; do
  stop
  start REACTOR_AUTH__SCRYPT_LOG_N=$log_n
  email=user@bench.local
  if [ "$log_n" != 15 ]; then email=user$log_n@bench.local; signup "$email" >/dev/null; fi
  login "$email" >/dev/null
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' \
    "$(credentials "$email")" >"$work/login.lua"
  echo "== login, scrypt log_n $log_n" >&2
  wrk_run "$work/login.$log_n" -t2 -c"$login_connections" -d"${login_seconds}s" \
    --timeout 10s -s "$work/login.lua" "$base/auth/v1/login"
  login_rps+=("$(rps "$work/login.$log_n")")
  login_p50+=("$(field "$work/login.$log_n" 50%)")
  login_p99+=("$(field "$work/login.$log_n" 99%)")
  login_cpu+=("$(cpu "$work/login.$log_n")")
done
stop

python3 - "${results[@]}" "${cpus[@]}" "$noauth" "$noauth_cpu" "${login_rps[@]}" "${login_p50[@]}" "${login_p99[@]}" \
  "${login_cpu[@]}" <<'PY'
import sys
a = sys.argv[1:]
on1, off1, on2, off2 = map(float, a[0:4])
c_on1, c_off1, c_on2, c_off2 = map(int, a[4:8])
noauth, c_noauth = float(a[8]), int(a[9])
logins = {15: (float(a[10]), a[12], a[14], int(a[16])), 14: (float(a[11]), a[13], a[15], int(a[17]))}
print(f"GET cached document, permissions on:  {on1:,.0f} / {on2:,.0f} req/s (server CPU {c_on1} / {c_on2} µs per request)")
print(f"GET cached document, permissions off: {off1:,.0f} / {off2:,.0f} req/s (server CPU {c_off1} / {c_off2} µs per request)")
print(f"ratio on/off: {(on1 + on2) / (off1 + off2):.2f}x (pairs {on1 / off1:.2f}x, {on2 / off2:.2f}x; target ≥ 0.8x); "
      f"CPU per request on/off: {(c_on1 + c_on2) / (c_off1 + c_off2):.2f}x")
print(f"reference, identity service off (no token): {noauth:,.0f} req/s, server CPU {c_noauth} µs per request")
for log_n, (rate, p50, p99, c) in logins.items():
    mib = 128 * (1 << log_n) * 8 / 2**20
    print(f"login, scrypt log_n {log_n} (r 8, p 1, {mib:.0f} MiB per hash): {rate:,.1f} logins/s, p50 {p50}, p99 {p99}, "
          f"server CPU {c / 1000:.0f} ms per login")
PY
