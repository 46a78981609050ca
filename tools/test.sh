#!/usr/bin/env bash
# Runs every test of the build in $1 (default: build) and prints one summary line.
set -uo pipefail
dir=${1:-build}
meson test -C "$dir" --print-errorlogs
status=$?
# Sum the doctest case counts of every test binary from meson's log.
awk -F'|' '/\[doctest\] test cases:/ {
    gsub(/[^0-9]/, "", $2); gsub(/[^0-9]/, "", $3); p += $2; f += $3 }
  END { printf "doctest cases: %d passed, %d failed\n", p, f }' "$dir/meson-logs/testlog.txt"
exit $status
