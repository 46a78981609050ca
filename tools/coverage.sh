#!/usr/bin/env bash
# Line and branch coverage of lib/ from the doctest suites plus the fuzz corpora, with clang's
# source-based coverage (llvm-profdata-14, llvm-cov-14; no gcovr needed).
#
#   tools/coverage.sh              # build in build-coverage, run, print the report
#   tools/coverage.sh --html DIR   # also write an HTML report to DIR
#   COVERAGE_CORPUS=DIR tools/coverage.sh   # add a directory of extra inputs per target
#                                           # (DIR/<target>/...), e.g. a fuzz run's output
# Every corpus input runs in a process of its own, so an input that still crashes (a kept
# regression input) loses only its own profile. Failing doctest cases do not stop the report.
set -uo pipefail
cd "$(dirname "$0")/.."

build=${COVERAGE_BUILD:-build-coverage}
profdata=${LLVM_PROFDATA:-llvm-profdata-14}
cov=${LLVM_COV:-llvm-cov-14}
html=""
if [ "${1:-}" = "--html" ]; then html=${2:?--html needs a directory}; fi

flags='-fprofile-instr-generate -fcoverage-mapping'
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$build" -Dbuildtype=debug -Db_ndebug=true \
    -Dcpp_args="$flags" -Dc_args="$flags" -Dcpp_link_args="$flags" -Dc_link_args="$flags" >/dev/null || exit 1
fi
targets="fuzz_decode fuzz_roundtrip fuzz_conn_server fuzz_conn_client"
bins="tests/test_codec tests/test_conn"
for t in $targets; do bins="$bins fuzz/${t}_replay"; done
ninja -C "$build" $bins >/dev/null || { ninja -C "$build" $bins | tail -20; exit 1; }

prof="$build/profiles"
rm -rf "$prof" && mkdir -p "$prof"
export LLVM_PROFILE_FILE="$prof/%p-%m.profraw"
for t in tests/test_codec tests/test_conn; do
  "$build/$t" --no-intro --minimal >/dev/null 2>&1 || echo "note: $t has failing cases (see tests/*/test_fuzz_regressions.cpp)"
done
crashed=0
for t in $targets; do
  for f in fuzz/corpus/$t/* ${COVERAGE_CORPUS:+$COVERAGE_CORPUS/$t/*}; do
    [ -f "$f" ] || continue
    "$build/fuzz/${t}_replay" "$f" >/dev/null 2>&1 || crashed=$((crashed + 1))
  done
done
[ "$crashed" -eq 0 ] || echo "note: $crashed corpus inputs still fail (regression inputs of open bugs)"

"$profdata" merge -sparse "$prof"/*.profraw -o "$build/coverage.profdata" || exit 1
objects=""
for b in $bins; do objects="$objects -object $build/$b"; done
# The first -object is the positional binary llvm-cov expects.
set -- $objects
shift
# Only lib/: everything else (tests, fuzz harnesses, public headers, system headers) is left out.
only_lib=(-ignore-filename-regex='(^|/)(tests|fuzz|include|bench|examples|capi|python)/|^/usr/')
"$cov" report "$build/tests/test_codec" "$@" -instr-profile="$build/coverage.profdata" "${only_lib[@]}" 2>/dev/null
if [ -n "$html" ]; then
  "$cov" show "$build/tests/test_codec" "$@" -instr-profile="$build/coverage.profdata" "${only_lib[@]}" \
    -format=html -show-branches=count -output-dir="$html" 2>/dev/null && echo "HTML report: $html/index.html"
fi
