#!/bin/sh
# `meson install` into a staging directory, then build a C program from outside the tree with
# `cc prog.c $(pkg-config --cflags --libs mqttconn)` against it and run it: once with the
# shared library (LD_LIBRARY_PATH into the staging directory), once linked statically
# (pkg-config --static, for the C++ runtime the static library needs). A sanitized library
# (b_sanitize) needs the sanitizer runtime in the program too: that is read off its symbols.
#
#   check_install.sh MESON PKG_CONFIG CC BUILD_DIR PREFIX LIBDIR PROG.c [EXTRA_CFLAGS...]
set -eu
meson=$1 pkgconfig=$2 cc=$3 build=$4 prefix=$5 libdir=$6 prog=$7
shift 7
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

"$meson" install -C "$build" --destdir "$stage" --no-rebuild >"$stage.log" 2>&1 || {
  cat "$stage.log" >&2
  rm -f "$stage.log"
  exit 1
}
rm -f "$stage.log"
root=$stage$prefix
case $libdir in
  /*) lib=$stage$libdir ;;
  *) lib=$root/$libdir ;;
esac
for f in "$root/include/mqttconn.h" "$root/include/mqttconn/connection.hpp" "$lib/libmqttconn.a" \
         "$lib/libmqttconn.so" "$lib/pkgconfig/mqttconn.pc"; do
  [ -e "$f" ] || { echo "check_install: $f was not installed" >&2; exit 1; }
done

undefined=$(nm -D --undefined-only "$lib/libmqttconn.so" 2>/dev/null || true)
san=
case $undefined in *__asan_*) san=address ;; esac
case $undefined in *__ubsan_*) san=${san:+$san,}undefined ;; esac
[ -n "$san" ] && set -- "$@" "-fsanitize=$san"

export PKG_CONFIG_PATH="$lib/pkgconfig"
pc() { "$pkgconfig" --define-variable=prefix="$root" "$@"; }
cflags=$(pc --cflags mqttconn)
libs=$(pc --libs mqttconn)
static_libs=$(pc --libs --static mqttconn | sed 's/-lmqttconn/-Wl,-Bstatic -lmqttconn -Wl,-Bdynamic/')

cd "$stage"
echo "+ $cc -std=c99 -Wall -Wextra -pedantic -Werror $* prog.c $cflags $libs"
"$cc" -std=c99 -Wall -Wextra -pedantic -Werror "$@" -o prog "$prog" $cflags $libs
LD_LIBRARY_PATH="$lib" ./prog >prog.out
cat prog.out
version=$(pc --modversion mqttconn)
grep -qx "mqttconn $version: ok" prog.out ||
  { echo "check_install: pkg-config says $version, the library says otherwise" >&2; exit 1; }
if command -v ldd >/dev/null; then
  LD_LIBRARY_PATH="$lib" ldd ./prog | grep -q "$lib/libmqttconn.so" ||
    { echo "check_install: prog did not load the staged libmqttconn.so" >&2; exit 1; }
fi

echo "+ $cc -std=c99 -Wall -Wextra -pedantic -Werror $* prog.c $cflags $static_libs"
"$cc" -std=c99 -Wall -Wextra -pedantic -Werror "$@" -o prog-static "$prog" $cflags $static_libs
env -u LD_LIBRARY_PATH ./prog-static
