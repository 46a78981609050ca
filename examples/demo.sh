#!/bin/sh
# The mqttconn demo: our broker and our client talking MQTT 3.1, 3.1.1 and 5.0.
#
#   meson setup build && ninja -C build && examples/demo.sh build
#
# Starts examples/broker's mqttconn-broker on a free port of 127.0.0.1, then for each protocol
# level subscribes and publishes through it at QoS 0, 1 and 2 (in 5.0 with a user property),
# and hands a retained message to a subscriber that arrives after it was published. Every
# packet is printed as the clients send and receive it (their -d). The broker is stopped by
# its process id. Exits non-zero if any message did not arrive as sent.
set -u

build=${1:-build}
broker=$build/examples/broker/mqttconn-broker
client=$build/examples/client/mqttconn-client
for exe in "$broker" "$client"; do
  if [ ! -x "$exe" ]; then
    echo "demo: $exe not found; build first: ninja -C $build" >&2
    exit 2
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mqttconn-demo.XXXXXX") || exit 2
broker_pid=
stop_broker() {
  if [ -n "$broker_pid" ]; then
    kill "$broker_pid" 2>/dev/null
    wait "$broker_pid" 2>/dev/null
    broker_pid=
  fi
}
cleanup() {
  stop_broker
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits (up to 5 s) until file $1 contains the text $2.
wait_for() {
  i=0
  while ! grep -q -- "$2" "$1" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then return 1; fi
    sleep 0.05
  done
}

"$broker" -p 0 >"$work/broker.log" 2>&1 &
broker_pid=$!
if ! wait_for "$work/broker.log" "listening on"; then
  echo "demo: the broker did not start:" >&2
  cat "$work/broker.log" >&2
  exit 1
fi
port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$work/broker.log" | head -n 1)
echo "== broker pid $broker_pid listening on 127.0.0.1:$port"

failures=0
check() {  # $1: what, $2: expected line, $3: file with the subscriber's output
  if grep -qxF -- "$2" "$3"; then
    echo "-- ok: $1"
  else
    echo "-- FAILED: $1: expected \"$2\" in the subscriber's output" >&2
    failures=$((failures + 1))
  fi
}
show() {  # indents a client's output under a heading
  echo "   [$1]"
  sed 's/^/     /' "$2"
}

for level in mqttv31 mqttv311 mqttv5; do
  for qos in 0 1 2; do
    topic="demo/$level/qos$qos"
    sub_out="$work/sub-$level-$qos.out" pub_out="$work/pub-$level-$qos.out"
    message="hello at QoS $qos over $level"
    echo
    echo "== $level QoS $qos: subscribe to $topic, then publish \"$message\""
    # The subscriber prints "topic payload" (and in 5.0 the user properties), once.
    if [ "$level" = mqttv5 ]; then
      "$client" sub -d -h 127.0.0.1 -p "$port" -V "$level" -t "$topic" -q "$qos" -C 1 -W 10 \
        -F '%t %p %P' >"$sub_out" 2>&1 &
    else
      "$client" sub -d -h 127.0.0.1 -p "$port" -V "$level" -t "$topic" -q "$qos" -C 1 -W 10 \
        -v >"$sub_out" 2>&1 &
    fi
    sub_pid=$!
    wait_for "$sub_out" "received SUBACK" || echo "-- the subscriber got no SUBACK" >&2
    if [ "$level" = mqttv5 ]; then
      "$client" pub -d -h 127.0.0.1 -p "$port" -V "$level" -t "$topic" -q "$qos" -m "$message" \
        -D publish user-property demo "$level" >"$pub_out" 2>&1
    else
      "$client" pub -d -h 127.0.0.1 -p "$port" -V "$level" -t "$topic" -q "$qos" -m "$message" \
        >"$pub_out" 2>&1
    fi
    pub_rc=$?
    wait "$sub_pid"
    sub_rc=$?
    show "publisher, exit $pub_rc" "$pub_out"
    show "subscriber, exit $sub_rc" "$sub_out"
    if [ "$level" = mqttv5 ]; then
      check "$level QoS $qos with a user property" "$topic $message demo:$level" "$sub_out"
    else
      check "$level QoS $qos" "$topic $message" "$sub_out"
    fi
    if [ "$pub_rc" -ne 0 ] || [ "$sub_rc" -ne 0 ]; then
      echo "-- FAILED: $level QoS $qos: publisher exit $pub_rc, subscriber exit $sub_rc" >&2
      failures=$((failures + 1))
    fi
  done

  topic="demo/$level/retained"
  message="retained over $level"
  sub_out="$work/sub-$level-retained.out" pub_out="$work/pub-$level-retained.out"
  echo
  echo "== $level retained: publish \"$message\" with RETAIN, then subscribe to $topic"
  "$client" pub -d -h 127.0.0.1 -p "$port" -V "$level" -t "$topic" -q 1 -r -m "$message" \
    >"$pub_out" 2>&1
  pub_rc=$?
  "$client" sub -d -h 127.0.0.1 -p "$port" -V "$level" -t "$topic" -q 1 -C 1 -W 10 -v \
    >"$sub_out" 2>&1
  sub_rc=$?
  show "publisher, exit $pub_rc" "$pub_out"
  show "late subscriber, exit $sub_rc" "$sub_out"
  check "$level retained message to a late subscriber" "$topic $message" "$sub_out"
  if ! grep -q 'received PUBLISH .*retain=1' "$sub_out"; then
    echo "-- FAILED: $level retained: the late subscriber's PUBLISH has no RETAIN flag" >&2
    failures=$((failures + 1))
  fi
done

echo
stop_broker
if [ "$failures" -ne 0 ]; then
  echo "== demo: $failures check(s) FAILED" >&2
  exit 1
fi
echo "== demo: every message arrived"
