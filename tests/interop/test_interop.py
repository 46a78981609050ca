"""Interop: our client and our broker against real peers, at MQTT 3.1, 3.1.1 and 5.0.

Every test is one pairing x level x scenario, and its id names all three, e.g.
test_interop[paho-vs-our-broker-v5-qos2]. The pairings:

  our-client-vs-mosquitto          mqttconn-client pub/sub against the mosquitto broker
  mosquitto-clients-vs-our-broker  mosquitto_pub/mosquitto_sub against mqttconn-broker
  paho-vs-our-broker               paho-mqtt (this process) against mqttconn-broker
  our-client-vs-our-broker         both of ours
  our-client-vs-scripted-server    mqttconn-client against a server in this file that
                                   answers CONNECT as told and then stays silent

INTEROP_PAIRINGS (comma-separated) limits the run to some pairings; the binaries come from
MQTTCONN_CLIENT, MQTTCONN_BROKER, MOSQUITTO, MOSQUITTO_PUB and MOSQUITTO_SUB.
Each wait is bounded, so a scenario that hangs fails on its own within seconds.
"""

import os
import re
import socket
import string
import threading
import time

import pytest

import paho_peer
import peers

PAIRINGS = {
    "our-client-vs-mosquitto": ("our-client", "mosquitto"),
    "mosquitto-clients-vs-our-broker": ("mosquitto-clients", "our-broker"),
    "paho-vs-our-broker": ("paho", "our-broker"),
    "our-client-vs-our-broker": ("our-client", "our-broker"),
}
SCRIPTED = "our-client-vs-scripted-server"

SCENARIOS = ["connect-disconnect", "qos0", "qos1", "qos2", "retained-late-subscriber",
             "will-on-abrupt-close", "v5-properties", "payload-1MiB", "1000-qos1-in-order",
             "unsubscribe-stops-delivery", "keep-alive-pings"]
SCRIPTED_SCENARIOS = ["missing-pingresp-is-an-error", "refused-connack-is-reported", "qos2-resend-printed-once",
                      "no-listener-is-reported", "v5-topic-alias-resolved"]


def selected():
    wanted = os.environ.get("INTEROP_PAIRINGS")
    names = list(PAIRINGS) + [SCRIPTED]
    return names if not wanted else [n for n in names if n in wanted.split(",")]


def cases():
    out = []
    for pairing in selected():
        scenarios = SCRIPTED_SCENARIOS if pairing == SCRIPTED else SCENARIOS
        for level in peers.LEVELS:
            for scenario in scenarios:
                if scenario.startswith("v5-") and level != "v5":
                    continue  # properties exist only in MQTT 5
                out.append(pytest.param(pairing, level, scenario, id=f"{pairing}-{level}-{scenario}"))
    return out


# --- Fixtures -----------------------------------------------------------------------------

_brokers = {}


@pytest.fixture(scope="session", autouse=True)
def _stop_brokers():
    yield
    for b in _brokers.values():
        b.stop()


def broker_for(name):
    b = _brokers.get(name)
    if b is None or not b.alive():
        b = (peers.MosquittoBroker() if name == "mosquitto" else peers.OurBroker()).start()
        _brokers[name] = b
    return b


def client_for(name):
    if name == "paho":
        return paho_peer.PahoClient()
    return peers.cli_clients()[name]


class Ctx:
    def __init__(self, pairing, level, client, broker, tmp_path):
        self.pairing, self.level, self.client, self.broker, self.tmp_path = pairing, level, client, broker, tmp_path
        self.cleanup = []

    def where(self, what, *details):
        text = f"{self.pairing} at {self.level}: {what}"
        for d in details:
            text += "\n" + (d.describe() if hasattr(d, "describe") else str(d))
        return text

    def subscribe(self, topics, **kw):
        sub = self.client.subscribe(self.broker, self.level, topics, **kw)
        self.cleanup.append(sub.stop)
        return sub

    def publish(self, topic, payload=b"", **kw):
        rc, text = self.client.publish(self.broker, self.level, topic, payload, tmp_path=self.tmp_path, **kw)
        assert rc == 0, self.where(f"publishing to {topic} failed (exit {rc})", text)
        return text


@pytest.mark.parametrize("pairing,level,scenario", cases())
def test_interop(pairing, level, scenario, tmp_path):
    if pairing == SCRIPTED:
        SCRIPTED_RUNS[scenario](level)
        return
    client_name, broker_name = PAIRINGS[pairing]
    broker = broker_for(broker_name)
    ctx = Ctx(pairing, level, client_for(client_name), broker, tmp_path)
    try:
        RUNS[scenario](ctx)
    finally:
        for stop in reversed(ctx.cleanup):
            stop()
    assert broker.alive(), ctx.where(f"the broker ({broker_name}) died during the scenario", broker.process)


# --- Scenarios ----------------------------------------------------------------------------

def ready(ctx, sub, marker=None):
    assert sub.ready(10, after=marker), ctx.where("the subscriber was not subscribed within 10 s", sub)


def expect(ctx, sub, n, timeout, what):
    msgs = sub.wait_messages(n, timeout)
    assert len(msgs) >= n, ctx.where(f"{what}: {len(msgs)} of {n} message(s) arrived within {timeout} s", sub)
    return msgs


def s_connect_disconnect(ctx):
    rc, text = ctx.client.connect_disconnect(ctx.broker, ctx.level)
    assert rc == 0, ctx.where(f"connect/disconnect exited with {rc}", text)
    if isinstance(ctx.client, peers.CliClient):
        assert "received CONNACK" in text and "sending DISCONNECT" in text, ctx.where("no CONNACK/DISCONNECT", text)


def s_qos(q):
    def run(ctx):
        topic = peers.unique(f"interop/qos{q}")
        sub = ctx.subscribe([topic], qos=q, count=2)
        ready(ctx, sub)
        # Two messages: both arrive, once each, in order, at the QoS asked for.
        ctx.publish(topic, f"first at qos {q}".encode(), qos=q)
        ctx.publish(topic, f"second at qos {q}".encode(), qos=q)
        msgs = expect(ctx, sub, 2, 10, f"QoS {q} delivery")
        time.sleep(0.2)
        msgs = sub.messages()
        got = [(m.topic, m.payload, m.qos, m.retain) for m in msgs]
        want = [(topic, f"first at qos {q}".encode(), q, False), (topic, f"second at qos {q}".encode(), q, False)]
        assert got == want, ctx.where(f"QoS {q}: got {got}", sub)
    return run


def s_retained(ctx):
    topic = peers.unique("interop/retained")
    ctx.publish(topic, b"kept for later", qos=1, retain=True)
    sub = ctx.subscribe([topic], qos=1, count=1)
    ready(ctx, sub)
    msgs = expect(ctx, sub, 1, 10, "retained message to a late subscriber")
    assert (msgs[0].payload, msgs[0].retain) == (b"kept for later", True), ctx.where(f"got {msgs}", sub)
    ctx.publish(topic, b"", qos=1, retain=True)  # clears it [MQTT-3.3.1-10]
    again = ctx.subscribe([topic], qos=1, count=1, timeout=2)
    ready(ctx, again)
    time.sleep(0.5)
    assert again.messages() == [], ctx.where("the cleared retained message was delivered", again)


def s_will(ctx):
    topic = peers.unique("interop/will")
    watcher = ctx.subscribe([topic], qos=1, count=1)
    ready(ctx, watcher)
    doomed = ctx.client.will_client(ctx.broker, ctx.level, topic, "gone without a word", 1)
    ctx.cleanup.append(doomed.stop)
    assert doomed.ready(10), ctx.where("the client with a will did not connect", doomed)
    doomed.kill()  # SIGKILL: the socket closes without DISCONNECT
    msgs = expect(ctx, watcher, 1, 10, "the will after an abrupt close")
    assert (msgs[0].topic, msgs[0].payload) == (topic, b"gone without a word"), ctx.where(f"got {msgs}", watcher)


def s_properties(ctx):
    topic = peers.unique("interop/props")
    props = {"user_properties": [("k1", "v1"), ("k2", "v2")], "content_type": "text/plain",
             "response_topic": "reply/here", "correlation_data": "corr-42",
             "message_expiry_interval": 120, "payload_format_indicator": 1}
    sub = ctx.subscribe([topic], qos=1, count=1)
    ready(ctx, sub)
    ctx.publish(topic, b"with properties", qos=1, props=props)
    m = expect(ctx, sub, 1, 10, "a message with properties")[0]
    got = dict(m.props)
    expiry = int(got.pop("message_expiry_interval", "-1"))
    # User properties keep their order [MQTT-3.3.2-18]; the expiry counts down [MQTT-3.3.2-6].
    want = {"user_properties": "k1:v1 k2:v2", "content_type": "text/plain", "response_topic": "reply/here",
            "correlation_data": "corr-42", "payload_format_indicator": "1"}
    assert got == want and 110 <= expiry <= 120, ctx.where(f"properties {m.props}", sub)


def s_big(ctx):
    topic = peers.unique("interop/big")
    alphabet = (string.ascii_letters + string.digits).encode()
    payload = bytes(alphabet[(i * 7 + i // 61) % len(alphabet)] for i in range(1 << 20))
    sub = ctx.subscribe([topic], qos=1, count=1)
    ready(ctx, sub)
    published = ctx.publish(topic, payload, qos=1)
    m = expect(ctx, sub, 1, 15, "a 1 MiB payload (the publisher said: " + published[-300:] + ")")[0]
    assert m.payload == payload, ctx.where(f"1 MiB payload arrived as {len(m.payload)} different bytes", sub)


def s_many(ctx):
    topic = peers.unique("interop/many")
    lines = [f"message {i:04d}".encode() for i in range(1000)]
    sub = ctx.subscribe([topic], qos=1, count=1000, timeout=90)
    ready(ctx, sub)
    ctx.publish(topic, lines=lines, qos=1)
    msgs = expect(ctx, sub, 1000, 60, "1000 QoS 1 messages")
    got = [m.payload for m in msgs[:1000]]
    first_bad = next((i for i, (a, b) in enumerate(zip(got, lines)) if a != b), None)
    assert got == lines, ctx.where(f"1000 QoS 1 messages out of order from #{first_bad}", sub)


def s_unsubscribe(ctx):
    gone, kept = peers.unique("interop/unsub-gone"), peers.unique("interop/unsub-kept")
    sub = ctx.subscribe([gone, kept], qos=1, count=1, unsubscribe=[gone])
    ready(ctx, sub, "received UNSUBACK")
    ctx.publish(gone, b"must not arrive", qos=1)
    ctx.publish(kept, b"arrives", qos=1)
    expect(ctx, sub, 1, 10, "the message on the filter still subscribed")
    time.sleep(0.3)
    got = [(m.topic, m.payload) for m in sub.messages()]
    assert got == [(kept, b"arrives")], ctx.where(f"after UNSUBSCRIBE got {got}", sub)


def s_keep_alive(ctx):
    k = ctx.client.min_keep_alive
    topic = peers.unique("interop/idle")
    sub = ctx.subscribe([topic], qos=1, count=1, keep_alive=k)
    ready(ctx, sub)
    time.sleep(k + max(1.5, k * 0.5))
    pings, pongs = sub.count("sending pingreq"), sub.count("received pingresp")
    assert pings >= 1 and pongs >= 1, ctx.where(f"{pings} PINGREQ sent, {pongs} PINGRESP received over an idle "
                                                f"{k + max(1.5, k * 0.5)} s at keep-alive {k} s", sub)
    ctx.publish(topic, b"still there", qos=1)
    msgs = expect(ctx, sub, 1, 10, "a message after the idle period")
    assert msgs[0].payload == b"still there", ctx.where(f"got {msgs}", sub)


RUNS = {
    "connect-disconnect": s_connect_disconnect,
    "qos0": s_qos(0),
    "qos1": s_qos(1),
    "qos2": s_qos(2),
    "retained-late-subscriber": s_retained,
    "will-on-abrupt-close": s_will,
    "v5-properties": s_properties,
    "payload-1MiB": s_big,
    "1000-qos1-in-order": s_many,
    "unsubscribe-stops-delivery": s_unsubscribe,
    "keep-alive-pings": s_keep_alive,
}


# --- Our client against a scripted server -------------------------------------------------

class ScriptedServer:
    """Accepts one connection, reads the CONNECT, answers with `connack` (and whatever bytes
    follow it), then only reads: no PINGRESP, nothing else. `received` keeps what came."""

    def __init__(self, connack):
        self.connack = connack
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(10)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            try:
                # A CONNECT this small has a one-byte Remaining Length.
                while len(self.received) < 2 or len(self.received) < 2 + self.received[1]:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    self.received += chunk
                conn.sendall(self.connack)
                while True:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    self.received += chunk
            except OSError:
                return

    def close(self):
        self.sock.close()


def run_our_client(args, timeout):
    exe = peers.env_path("MQTTCONN_CLIENT", "")
    p = peers.Process([exe] + args)
    rc = p.wait(timeout)
    if rc is None:
        p.kill()
    p.out.thread.join(5)
    return rc, p


def x_missing_pingresp(level):
    connack = b"\x20\x03\x00\x00\x00" if level == "v5" else b"\x20\x02\x00\x00"
    server = ScriptedServer(connack)
    try:
        start = time.monotonic()
        rc, p = run_our_client(["sub", "-h", "127.0.0.1", "-p", str(server.port), "-V", peers.CLI_LEVEL[level],
                                "-t", "t", "-k", "1", "-d"], 10)
        took = time.monotonic() - start
    finally:
        server.close()
    where = f"{SCRIPTED} at {level}"
    assert rc == 19, f"{where}: exit {rc} (want 19, keep-alive timeout) after {took:.1f} s\n{p.describe()}"
    assert 1.5 <= took <= 5, f"{where}: gave up after {took:.1f} s, want about 2 s at keep-alive 1 s"
    assert "sending PINGREQ" in p.out.text() and "Keepalive timeout" in p.out.text(), f"{where}\n{p.describe()}"


def x_refused(level):
    # Not authorized: return code 5 before 5.0, reason code 0x87 in 5.0.
    connack = b"\x20\x03\x00\x87\x00" if level == "v5" else b"\x20\x02\x00\x05"
    server = ScriptedServer(connack)
    try:
        rc, p = run_our_client(["pub", "-h", "127.0.0.1", "-p", str(server.port), "-V", peers.CLI_LEVEL[level],
                                "-t", "t", "-m", "m"], 10)
    finally:
        server.close()
    want_rc, want_text = (0x87, "Connection error: Not authorized") if level == "v5" else \
        (5, "Connection error: Connection Refused: not authorised.")
    where = f"{SCRIPTED} at {level}"
    assert rc == want_rc, f"{where}: exit {rc}, want {want_rc}\n{p.describe()}"
    assert want_text in p.out.text(), f"{where}: no \"{want_text}\"\n{p.describe()}"


def x_qos2_resend(level):
    v5 = level == "v5"
    props = b"\x00" if v5 else b""  # 5.0: an empty property block after the packet id
    script = (
        (b"\x20\x03\x00\x00\x00" if v5 else b"\x20\x02\x00\x00")   # CONNACK accepted
        + (b"\x90\x04\x00\x01\x00\x02" if v5 else b"\x90\x03\x00\x01\x02")  # SUBACK id 1, QoS 2
        + bytes([0x34, 7 + len(props)]) + b"\x00\x01t\x00\x07" + props + b"hi"  # PUBLISH QoS 2 id 7
        + bytes([0x3C, 7 + len(props)]) + b"\x00\x01t\x00\x07" + props + b"hi"  # the same, DUP set
        + b"\x62\x02\x00\x07"                                           # PUBREL id 7
        + bytes([0x30, 6 + len(props)]) + b"\x00\x01t" + props + b"end")  # PUBLISH QoS 0 "end"
    server = ScriptedServer(script)
    try:
        rc, p = run_our_client(["sub", "-h", "127.0.0.1", "-p", str(server.port), "-V", peers.CLI_LEVEL[level],
                                "-t", "t", "-q", "2", "-C", "2", "-d"], 10)
        server.thread.join(5)
    finally:
        server.close()
    where = f"{SCRIPTED} at {level}"
    printed = [l for l in p.out.lines if not l.startswith("Client ")]
    # [MQTT-4.3.3-2]: a QoS 2 message is delivered once, however often it is resent before PUBREL.
    assert rc == 0 and printed == ["hi", "end"], f"{where}: exit {rc}, printed {printed}\n{p.describe()}"
    pubrecs = len(re.findall(rb"\x50[\x02\x03]\x00\x07", server.received))
    pubcomps = len(re.findall(rb"\x70[\x02\x03]\x00\x07", server.received))
    assert (pubrecs, pubcomps) == (2, 1), f"{where}: {pubrecs} PUBREC and {pubcomps} PUBCOMP for packet 7"


def x_topic_alias(level):
    script = (b"\x20\x03\x00\x00\x00"                       # CONNACK accepted
              + b"\x90\x04\x00\x01\x00\x00"                # SUBACK id 1, QoS 0
              + b"\x30\x0c\x00\x03t/a\x03\x23\x00\x01one"   # PUBLISH "t/a", Topic Alias 1
              + b"\x30\x09\x00\x00\x03\x23\x00\x01two")     # PUBLISH "", Topic Alias 1
    server = ScriptedServer(script)
    try:
        rc, p = run_our_client(["sub", "-h", "127.0.0.1", "-p", str(server.port), "-V", "mqttv5", "-t", "#",
                                "-D", "connect", "topic-alias-maximum", "2", "-v", "-C", "2"], 10)
    finally:
        server.close()
    # 5.0 §3.3.2.3.4: the alias stands for the topic last sent with it.
    assert rc == 0 and p.out.lines == ["t/a one", "t/a two"], f"{SCRIPTED} at {level}: exit {rc}\n{p.describe()}"


def x_no_listener(level):
    port = peers.free_port()  # bound and closed again: nobody listens there
    rc, p = run_our_client(["pub", "-h", "127.0.0.1", "-p", str(port), "-V", peers.CLI_LEVEL[level],
                            "-t", "t", "-m", "m"], 10)
    where = f"{SCRIPTED} at {level}"
    assert rc == 1 and "Error: Connection refused" in p.out.text(), f"{where}: exit {rc}\n{p.describe()}"


SCRIPTED_RUNS = {
    "missing-pingresp-is-an-error": x_missing_pingresp,
    "refused-connack-is-reported": x_refused,
    "qos2-resend-printed-once": x_qos2_resend,
    "no-listener-is-reported": x_no_listener,
    "v5-topic-alias-resolved": x_topic_alias,
}
