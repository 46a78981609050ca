#!/usr/bin/env bash
# Runs every test of the build in $1 (default: build) and prints two summary lines; further
# arguments go to meson test (e.g. --no-suite interop).
set -uo pipefail
dir=${1:-build}
shift || true
meson test -C "$dir" --print-errorlogs "$@"
status=$?
# Sum the doctest and pytest case counts of every test from meson's log.
awk -F'|' '/\[doctest\] test cases:/ {
    gsub(/[^0-9]/, "", $2); gsub(/[^0-9]/, "", $3); p += $2; f += $3 }
  END { printf "doctest cases: %d passed, %d failed\n", p, f }' "$dir/meson-logs/testlog.txt"
awk '/^(=+ )?[0-9]+ (passed|failed)(, [0-9]+ (passed|failed))* in [0-9.]+s/ {
    for (i = 1; i < NF; ++i) {
      if ($(i + 1) ~ /^passed/) p += $i
      if ($(i + 1) ~ /^failed/) f += $i
    } }
  END { printf "pytest cases: %d passed, %d failed\n", p, f }' "$dir/meson-logs/testlog.txt"
exit $status
