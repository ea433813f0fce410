#!/usr/bin/env bash
# Hot-path benchmarks (ordo-one's package-benchmark, the separate package in Benchmarks/): instructions, allocations
# and wall time of state hashing, reduce, JSON parsing and an in-memory single-action job. See docs/benchmarks.md.
#
#   scripts/bench-hot-paths.sh                         # run everything (a few minutes after the first build)
#   scripts/bench-hot-paths.sh --target Reduce         # one target; --filter 'StateHash.*' for benchmarks by name
#   scripts/bench-hot-paths.sh --format markdown       # any other option of `swift package benchmark`
#
# Regressions against a saved baseline (kept in Benchmarks/.benchmarkBaselines/, not committed: it is this machine's):
#
#   scripts/bench-hot-paths.sh baseline update main    # on the commit to compare against
#   scripts/bench-hot-paths.sh baseline compare main   # after the change: each metric against the baseline
#   scripts/bench-hot-paths.sh baseline check main     # fails (non-zero exit) when a metric regressed past its threshold
#
# (`baseline compare a b` compares two saved baselines; `baseline list` lists them.) The first build compiles the
# main package again in release mode into Benchmarks/.build (about 20 minutes on a busy 2-core machine).
#
# Instructions are read from the CPU's performance counters (perf_event_open); where the machine exposes none (a
# virtual machine without a virtual PMU, as this project's), that metric reads 0 and the comparison rests on
# allocations (exact from run to run) and wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
command=(run)
case "${1:-}" in
  run|list|baseline|thresholds|help) command=("$1"); shift ;;
esac
writes=()
# `baseline update` (and `thresholds update`) write into the package directory, which the plugin sandbox forbids
# unless allowed.
if [ "${command[0]}" = baseline ] || [ "${command[0]}" = thresholds ]; then writes=(--allow-writing-to-package-directory); fi
if [ "${command[0]}" = run ] || { [ "${command[0]}" = baseline ] && [[ "${1:-}" =~ ^(update|compare|check)$ ]]; }; then
  # Everything the run measures, printed once at the end, in microseconds; no progress bars in logs.
  exec swift package --package-path Benchmarks "${writes[@]}" benchmark "${command[@]}" "$@" --no-progress --time-units microseconds
fi
exec swift package --package-path Benchmarks "${writes[@]}" benchmark "${command[@]}" "$@"
