#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (in build-fuzz, -Dfuzz=true) and runs each
# for FUZZ_SECONDS seconds (default 60) from its checked-in corpus, with fuzz/mqtt.dict,
# FUZZ_JOBS targets at a time (default: the number of CPUs).
# New corpus entries, logs and crash artifacts go to a temporary directory (or FUZZ_OUT),
# never into the repository; the repository's corpus is only read. Fails on any crash, leak,
# UB report, timeout or out-of-memory, and prints the failing input in hex.
#
#   tools/fuzz.sh                                  # every target, 60 s each
#   FUZZ_SECONDS=600 FUZZ_TARGETS=fuzz_decode tools/fuzz.sh
#
# A crash input found here is kept as a regression input: copy it to
# fuzz/corpus/<target>/<sha256sum of it> and add a doctest case (tests/*/test_fuzz_regressions.cpp).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"fuzz_decode fuzz_roundtrip fuzz_conn_server fuzz_conn_client fuzz_capi fuzz_batch"}
build=${FUZZ_BUILD:-build-fuzz}
out=${FUZZ_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/mqttconn-fuzz.XXXXXX")}

if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$build" -Dfuzz=true -Dbuildtype=debugoptimized -Db_lundef=false >/dev/null
fi
ninja -C "$build" $(for t in $targets; do printf 'fuzz/%s ' "$t"; done)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# One target: its report goes to $out/$t/report, its verdict to $out/$t/failed (if it failed).
run_target() {
  local t=$1 log="$out/$1/log" report="$out/$1/report"
  mkdir -p "$out/$t/corpus" "$out/$t/artifacts"
  if "$build/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -error_exitcode=77 \
       -timeout_exitcode=77 -dict=fuzz/mqtt.dict -print_final_stats=1 \
       -artifact_prefix="$out/$t/artifacts/" "$out/$t/corpus" "fuzz/corpus/$t" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "$t: ok, $runs runs, $rate exec/s, $cov, $(ls "$out/$t/corpus" | wc -l) new corpus entries" >"$report"
  else
    touch "$out/$t/failed"
    {
      echo "$t: FAILED (log: $log)"
      grep -v '^    #' "$log" | grep -E -A12 'invariant failed|ERROR:|SUMMARY:|runtime error' | head -40 || true
      for a in "$out/$t/artifacts"/*; do
        [ -f "$a" ] && echo "  input $(basename "$a"): $(od -An -tx1 -v "$a" | tr -d ' \n')"
      done
    } >"$report"
  fi
}

# FUZZ_JOBS targets at a time (default: one per CPU), each one process for its whole budget.
jobs=${FUZZ_JOBS:-$(nproc)}
running=0
for t in $targets; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  run_target "$t" &
  running=$((running + 1))
done
wait
status=0
for t in $targets; do
  cat "$out/$t/report"
  [ -e "$out/$t/failed" ] && status=1
done
echo "fuzz output (new corpus entries, logs, artifacts): $out"
exit $status
