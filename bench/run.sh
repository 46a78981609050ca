#!/usr/bin/env bash
# Runs the mqttconn codec benchmark and the mqtt-packet (node) one side by side, in
# alternating rounds, and prints one table of medians. Builds nothing: expects
# build/bench/codec_bench (ninja -C build). Installs bench/node's npm package if missing.
#
# Environment: BUILD_DIR (build), BENCH_BIN ($BUILD_DIR/bench/codec_bench), ROUNDS (3), REPS (5 per round and job), MIN_TIME (0.2 s per
# repetition), NODE_W6_REPS (2 per round: one mqtt-packet W6 pass takes ~2 s), OUT_DIR (keeps
# the per-round JSON and summary.json; default: a temporary directory, printed at the end).
# About 2 minutes on a 2-core machine with the defaults.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$root/build}
bin=${BENCH_BIN:-$build/bench/codec_bench}
[[ -x $bin ]] || { echo "run.sh: $bin is missing; run: ninja -C build" >&2; exit 1; }
command -v node >/dev/null || { echo "run.sh: node is not installed" >&2; exit 1; }
ROUNDS=${ROUNDS:-3}
REPS=${REPS:-5}
MIN_TIME=${MIN_TIME:-0.2}
NODE_W6_REPS=${NODE_W6_REPS:-2}

if [[ ! -d $here/node/node_modules ]]; then
  (cd "$here/node" && npm install --no-audit --no-fund)
fi

out=${OUT_DIR:-$(mktemp -d -t mqttconn-bench.XXXXXX)}
mkdir -p "$out"
wire=$(mktemp -d -t mqttconn-wire.XXXXXX)  # 150 MB of W6: not kept
trap 'rm -rf "$wire"' EXIT
"$bin" --dump "$wire"

run_cpp() {
  echo "round $1: mqttconn" >&2
  "$bin" --json --reps "$REPS" --min-time "$MIN_TIME" >"$out/mqttconn.$1.json" 2>"$out/mqttconn.$1.txt"
}
run_node() {
  echo "round $1: mqtt-packet" >&2
  node "$here/node/bench.js" --dir "$wire" --json --reps "$REPS" --min-time "$MIN_TIME" \
    --w6-reps "$NODE_W6_REPS" >"$out/mqtt-packet.$1.json" 2>"$out/mqtt-packet.$1.txt"
}

start=$SECONDS
load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
cpp_files=() node_files=()
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then run_cpp "$r"; run_node "$r"; else run_node "$r"; run_cpp "$r"; fi
  cpp_files+=("$out/mqttconn.$r.json")
  node_files+=("$out/mqtt-packet.$r.json")
done

echo
echo "mqttconn $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?') ($bin) vs mqtt-packet $(node -p "require('$here/node/node_modules/mqtt-packet/package.json').version"), node $(node --version)," \
     "$ROUNDS rounds x $REPS reps x >= ${MIN_TIME} s, medians of all repetitions"
node "$here/node/report.js" --out "$out/summary.json" --mqttconn "${cpp_files[@]}" --mqtt-packet "${node_files[@]}"
echo "($((SECONDS - start)) s; load average $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') at the end;" \
     "per-round output and summary.json in $out)"
