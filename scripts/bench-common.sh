# Sourced by the wrk benchmarks (scripts/bench-http.sh, scripts/bench-permissions.sh), from the repository's root.
#
# Checks that wrk is installed and sets `bin` to the reactor binary: REACTOR_BIN when set, else a release build in
# `.build-release` (made or brought up to date now).
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)"; exit 1; }
bin=${REACTOR_BIN:-}
if [ -z "$bin" ]; then
  swift build -c release --product reactor --scratch-path .build-release >/dev/null
  bin=.build-release/release/reactor
fi
