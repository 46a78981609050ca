#!/usr/bin/env bash
# Instructions per packet of every benchmark job, from callgrind. Builds nothing: expects
# build/bench/codec_bench (ninja -C build).
#
#   bench/callgrind.sh [JOB...]        e.g. bench/callgrind.sh W1-decode W2-encode
#
# Each job runs twice under callgrind with only mqb_run_loop collected (the function that
# runs the job's loop), with N1 and N2 iterations; instructions per packet =
# (Ir(N2) - Ir(N1)) / ((N2 - N1) * packets per iteration), which cancels everything that
# does not scale with N (first-call costs, the collection toggle). W6 iterations are whole
# passes over the 1,000,000-packet buffer, so it runs 1 and 2 passes.
#
# Environment: BUILD_DIR (default build), BENCH_BIN (default $BUILD_DIR/bench/codec_bench), N1 (1000), N2 (11000), OUT_DIR (callgrind files are
# kept there; default a temporary directory, removed unless KEEP=1), ANNOTATE=1 prints the top
# functions (self cost per packet) of each job.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$root/build}
bin=${BENCH_BIN:-$build/bench/codec_bench}
[[ -x $bin ]] || { echo "callgrind.sh: $bin is missing; run: ninja -C build" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 1; }
N1=${N1:-1000}
N2=${N2:-11000}
if [[ -n ${OUT_DIR:-} ]]; then
  out=$OUT_DIR; mkdir -p "$out"
else
  out=$(mktemp -d -t mqttconn-callgrind.XXXXXX)
  [[ ${KEEP:-0} == 1 ]] || trap 'rm -rf "$out"' EXIT
fi

if (($# > 0)); then jobs=("$@"); else mapfile -t jobs < <("$bin" --list); fi

# Self cost of the benchmark's own code (the loop, the checksum) in a callgrind file: its job
# loops, all named *_loop in an anonymous namespace (the library has anonymous namespaces too,
# so the name is what tells them apart), and mqb_run_loop.
harness_ir() {
  callgrind_annotate --threshold=100 "$1" 2>/dev/null |
    awk '/^ *[0-9,]+ +\(/ && /(\(anonymous namespace\)::[a-z_]*_loop|mqb_run_loop)/ && !/PROGRAM TOTALS/ {
           ir = $1; gsub(",", "", ir); s += ir } END { print s + 0 }'
}

# run JOB N -> prints "Ir packets_per_iteration harness_Ir"
run() {
  local job=$1 n=$2 f=$out/callgrind.$1.$2
  local line
  line=$(valgrind --tool=callgrind --collect-atstart=no --toggle-collect=mqb_run_loop \
           --callgrind-out-file="$f" "$bin" --callgrind "$job" "$n" 2>"$f.log")
  local ppi=${line##*packets_per_iteration=}; ppi=${ppi%% *}
  local ir; ir=$(awk '/^summary:/ {print $2; exit}' "$f")
  echo "$ir $ppi $(harness_ir "$f")"
}

printf '%-10s %6s %6s %14s %14s %12s %14s\n' job N1 N2 'Ir(N1)' 'Ir(N2)' instr/packet 'of which bench'
# "of which bench": the part of instr/packet spent in the benchmark's own loop and checksum
# (self cost of codec_bench.cpp's functions); the rest is the codec.
for job in "${jobs[@]}"; do
  n1=$N1 n2=$N2
  [[ $job == W6-* ]] && n1=1 n2=2
  # The two runs are independent: run them side by side.
  run "$job" "$n1" >"$out/r1" & p1=$!
  run "$job" "$n2" >"$out/r2" & p2=$!
  wait "$p1" "$p2"
  read -r ir1 ppi h1 <"$out/r1"
  read -r ir2 _ h2 <"$out/r2"
  per=$(awk -v a="$ir1" -v b="$ir2" -v n1="$n1" -v n2="$n2" -v p="$ppi" \
          'BEGIN { printf "%.1f", (b - a) / ((n2 - n1) * p) }')
  hper=$(awk -v a="$h1" -v b="$h2" -v n1="$n1" -v n2="$n2" -v p="$ppi" \
          'BEGIN { printf "%.1f", (b - a) / ((n2 - n1) * p) }')
  printf '%-10s %6s %6s %14s %14s %12s %14s\n' "$job" "$n1" "$n2" "$ir1" "$ir2" "$per" "$hper"
  if [[ ${ANNOTATE:-0} == 1 ]]; then
    # Self cost of the N2 run, per packet, top functions (collection covers only the loop).
    callgrind_annotate "$out/callgrind.$job.$n2" 2>/dev/null |
      awk -v n="$n2" -v p="$ppi" '
        /^-+$/ { dash++; next }
        dash >= 5 && /^ *[0-9,]+ +\(/ {
          ir = $1; gsub(",", "", ir)
          pct = $0; sub(/^[^(]*\( */, "", pct); sub(/\).*$/, "", pct)
          fn = $0; sub(/^[^)]*\) +/, "", fn); sub(/ \[[^]]*\]$/, "", fn); sub(/^\?\?\?:/, "", fn)
          # shorten: the packet variant, bytes, the namespace; at most 110 characters
          gsub(/std::variant<mqttconn::connect[^>]*>/, "packet", fn)
          gsub(/std::span<unsigned char const, 18446744073709551615ul>/, "bytes", fn)
          gsub(/std::span<unsigned char, 18446744073709551615ul>/, "std::span<uint8_t>", fn)
          gsub(/mqttconn::/, "", fn)
          if (length(fn) > 110) fn = substr(fn, 1, 107) "..."
          if (++k <= 8) printf "             %8.1f instr/pkt %7s  %s\n", ir / (n * p), pct, fn
        }'
  fi
done
