#!/usr/bin/env bash
# Line and branch coverage of lib/ and of capi/ from the doctest suites, the C API tests and the
# fuzz corpora, with clang's source-based coverage (llvm-profdata-14, llvm-cov-14; no gcovr
# needed). Two reports: lib/ (the library), then capi/ (the C shims).
#
#   tools/coverage.sh              # build in build-coverage, run, print the report
#   tools/coverage.sh --html DIR   # also write an HTML report to DIR
#   COVERAGE_CORPUS=DIR tools/coverage.sh   # add a directory of extra inputs per target
#                                           # (DIR/<target>/...), e.g. a fuzz run's output
#   COVERAGE_TARGETS="fuzz_decode ..." tools/coverage.sh   # only these corpora
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
targets=${COVERAGE_TARGETS:-"fuzz_decode fuzz_roundtrip fuzz_conn_server fuzz_conn_client fuzz_capi fuzz_batch"}
bins="tests/test_codec tests/test_conn tests/capi/test_capi_firewall"
for t in $targets; do bins="$bins fuzz/${t}_replay"; done
# The C API tests (tests/capi/test_<name>.c builds test_capi_<name>) are C programs on the
# shared library: their coverage of capi/ and lib/ is measured in the library.
capi_tests=""
for f in tests/capi/test_*.c; do
  t=$(basename "$f" .c)
  capi_tests="$capi_tests tests/capi/test_capi_${t#test_}"
done
shared=capi/libmqttconn.so.$(sed -n "s/^ *version : '\([0-9.]*\)'.*/\1/p" meson.build | head -1)
ninja -C "$build" $bins $capi_tests "$shared" >/dev/null || { ninja -C "$build" $bins $capi_tests "$shared" | tail -20; exit 1; }

prof="$build/profiles"
rm -rf "$prof" && mkdir -p "$prof"
export LLVM_PROFILE_FILE="$prof/%p-%m.profraw"
for t in tests/test_codec tests/test_conn tests/capi/test_capi_firewall; do
  "$build/$t" --no-intro --minimal >/dev/null 2>&1 || echo "note: $t has failing cases (see tests/*/test_fuzz_regressions.cpp)"
done
for t in $capi_tests; do
  "$build/$t" >/dev/null 2>&1 || echo "note: $t has failing cases"
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
for b in $bins "$shared"; do objects="$objects -object $build/$b"; done
# The first -object is the positional binary llvm-cov expects.
set -- $objects
shift
# lib/, then capi/: everything else (tests, fuzz harnesses, public headers, system headers) is
# left out.
skip='tests|fuzz|include|bench|examples|python'
only_lib=(-ignore-filename-regex="(^|/)($skip|capi)/|^/usr/")
only_capi=(-ignore-filename-regex="(^|/)($skip|lib)/|^/usr/")
echo "== lib/"
"$cov" report "$build/tests/test_codec" "$@" -instr-profile="$build/coverage.profdata" "${only_lib[@]}" 2>/dev/null
echo "== capi/"
"$cov" report "$build/tests/test_codec" "$@" -instr-profile="$build/coverage.profdata" "${only_capi[@]}" 2>/dev/null
if [ -n "$html" ]; then
  "$cov" show "$build/tests/test_codec" "$@" -instr-profile="$build/coverage.profdata" \
    -ignore-filename-regex="(^|/)($skip)/|^/usr/" \
    -format=html -show-branches=count -output-dir="$html" 2>/dev/null && echo "HTML report: $html/index.html"
fi
