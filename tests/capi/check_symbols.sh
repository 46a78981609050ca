#!/bin/sh
# The shared library exports exactly the C API: the names `nm -D --defined-only` finds in it,
# the names listed in capi/mqttconn.sym and the MQTTCONN_API declarations of mqttconn.h must
# be the same three sets.
#
#   check_symbols.sh NM LIBMQTTCONN.so capi/mqttconn.sym include/mqttconn.h
set -eu
nm=$1 lib=$2 sym=$3 hdr=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$nm" -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' | sort >"$tmp/exported"
sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);[[:space:]]*$/\1/p' "$sym" >"$tmp/listed.raw"
sort -u "$tmp/listed.raw" >"$tmp/listed"
tr '\n' ' ' <"$hdr" | grep -o 'MQTTCONN_API[^(;]*(' | grep -o 'mqttconn_[A-Za-z0-9_]*[[:space:]]*($' |
  sed 's/[[:space:]]*($//' | sort >"$tmp/declared"

status=0
if ! cmp -s "$tmp/listed.raw" "$tmp/listed"; then
  echo "check_symbols: $sym is not sorted or has duplicates" >&2
  status=1
fi
if ! diff -u "$tmp/listed" "$tmp/exported" >"$tmp/d1"; then
  echo "check_symbols: exported symbols differ from $sym (-listed +exported):" >&2
  cat "$tmp/d1" >&2
  status=1
fi
if ! diff -u "$tmp/listed" "$tmp/declared" >"$tmp/d2"; then
  echo "check_symbols: MQTTCONN_API declarations differ from $sym (-listed +declared):" >&2
  cat "$tmp/d2" >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "check_symbols: $(wc -l <"$tmp/exported") symbols exported, as listed and declared"
exit "$status"
