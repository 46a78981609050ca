"""paho-mqtt as an interop peer: a client running its network loop on a thread of this
process, behind the same adapter interface as the command-line clients of peers.py. The one
client that a test kills (the will scenario) runs in a process of its own."""

import sys
import threading
import time

import paho.mqtt.client as paho
import paho.mqtt.properties as paho_props
from paho.mqtt.packettypes import PacketTypes

from peers import CliSubscriber, Message, Process, short_id

PAHO_LEVEL = {"v31": paho.MQTTv31, "v311": paho.MQTTv311, "v5": paho.MQTTv5}

def paho_properties(props):
    p = paho_props.Properties(PacketTypes.PUBLISH)
    for key, value in (props or {}).items():
        if key == "user_properties":
            p.UserProperty = list(value)
        elif key == "content_type":
            p.ContentType = value
        elif key == "response_topic":
            p.ResponseTopic = value
        elif key == "correlation_data":
            p.CorrelationData = value.encode()
        elif key == "message_expiry_interval":
            p.MessageExpiryInterval = int(value)
        elif key == "payload_format_indicator":
            p.PayloadFormatIndicator = int(value)
    return p


def from_paho_message(m):
    props = {}
    mp = getattr(m, "properties", None)
    if mp is not None:
        if hasattr(mp, "UserProperty"):
            props["user_properties"] = " ".join(f"{k}:{v}" for k, v in mp.UserProperty)
        for attr, key in (("ContentType", "content_type"), ("ResponseTopic", "response_topic"),
                          ("MessageExpiryInterval", "message_expiry_interval"),
                          ("PayloadFormatIndicator", "payload_format_indicator")):
            if hasattr(mp, attr):
                props[key] = str(getattr(mp, attr))
        if hasattr(mp, "CorrelationData"):
            props["correlation_data"] = mp.CorrelationData.decode()
    return Message(m.topic, m.payload, m.qos, bool(m.retain), props)


class PahoConnection:
    """One paho client running its network loop on a thread."""

    def __init__(self, broker, level, keep_alive=60, client_id=None):
        self.level = level
        self.events = []
        self.log = []
        self.cond = threading.Condition()
        self.messages_ = []
        kwargs = {"protocol": PAHO_LEVEL[level], "client_id": client_id or short_id("paho")}
        if level != "v5":
            kwargs["clean_session"] = True
        self.c = paho.Client(**kwargs)
        self.c.on_connect = self._on("connect")
        self.c.on_disconnect = self._on("disconnect")
        self.c.on_subscribe = self._on("subscribe")
        self.c.on_unsubscribe = self._on("unsubscribe")
        self.c.on_publish = self._on("publish")
        self.c.on_message = self._on_message
        self.c.on_log = self._on_log
        self.c.max_inflight_messages_set(20)
        self.c.connect("127.0.0.1", broker.port, keepalive=keep_alive)
        self.c.loop_start()

    def _on(self, kind):
        def record(client, userdata, *args):
            with self.cond:
                self.events.append((kind, args))
                self.cond.notify_all()
        return record

    def _on_message(self, client, userdata, m):
        with self.cond:
            self.messages_.append(from_paho_message(m))
            self.cond.notify_all()

    def _on_log(self, client, userdata, level, buf):
        with self.cond:
            self.log.append(buf)

    def wait_event(self, kind, timeout=10, n=1):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = [a for k, a in self.events if k == kind]
                if len(found) >= n:
                    return found[n - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def connected(self, timeout=10):
        args = self.wait_event("connect", timeout)
        if args is None:
            return None
        rc = args[1]
        return int(getattr(rc, "value", rc)) if not isinstance(rc, int) else rc

    def close(self):
        try:
            self.c.disconnect()
        finally:
            self.c.loop_stop()


class PahoSubscriber:
    def __init__(self, conn, topics, qos, count, unsubscribe):
        self.conn = conn
        self.count_target = count
        self.unsubscribe = unsubscribe
        self.ok = conn.connected() == 0
        if self.ok:
            conn.c.subscribe([(t, qos) for t in topics])
            self.ok = conn.wait_event("subscribe") is not None
        if self.ok and unsubscribe:
            conn.c.unsubscribe(list(unsubscribe))
            self.ok = conn.wait_event("unsubscribe") is not None

    def ready(self, timeout=10, after=None):
        return self.ok

    def messages(self):
        with self.conn.cond:
            return list(self.conn.messages_)

    def wait_messages(self, n, timeout):
        deadline = time.monotonic() + timeout
        with self.conn.cond:
            while len(self.conn.messages_) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.conn.cond.wait(left)
            return list(self.conn.messages_)

    def count(self, text):
        with self.conn.cond:
            return sum(1 for l in self.conn.log if text.lower() in l.lower())

    def stop(self):
        self.conn.close()

    def describe(self):
        with self.conn.cond:
            return "paho log:\n" + "\n".join(self.conn.log[-40:]) + f"\nevents: {self.conn.events[-10:]}"


# A client with a will that a test kills: paho in a process of its own.
PAHO_WILL_SCRIPT = r"""
import sys, time
import paho.mqtt.client as paho
port, level, topic, payload, qos, cid = sys.argv[1:7]
c = paho.Client(client_id=cid, protocol=int(level))
c.will_set(topic, payload, int(qos))
def on_connect(client, userdata, flags, rc, *rest):
    print("connected", int(getattr(rc, "value", rc)), flush=True)
c.on_connect = on_connect
c.connect("127.0.0.1", int(port), keepalive=60)
c.loop_forever()
"""


class PahoClient:
    name = "paho"
    min_keep_alive = 1

    def will_client(self, broker, level, topic, payload, qos):
        p = Process([sys.executable, "-c", PAHO_WILL_SCRIPT, str(broker.port), str(PAHO_LEVEL[level]),
                     topic, payload, str(qos), short_id("will")])
        return CliSubscriber(p, ready_marker="connected 0")

    def subscribe(self, broker, level, topics, qos=0, count=None, keep_alive=None, unsubscribe=(),
                  timeout=30):
        conn = PahoConnection(broker, level, keep_alive=keep_alive or 60)
        return PahoSubscriber(conn, topics, qos, count, unsubscribe)

    def publish(self, broker, level, topic, payload=b"", qos=0, retain=False, props=None, lines=None,
                tmp_path=None, timeout=20):
        conn = PahoConnection(broker, level)
        try:
            if conn.connected() != 0:
                return 1, "paho: no CONNACK 0"
            kwargs = {}
            if props:
                kwargs["properties"] = paho_properties(props)
            infos = []
            for body in (lines if lines is not None else [payload]):
                infos.append(conn.c.publish(topic, body, qos, retain, **kwargs))
            deadline = time.monotonic() + timeout
            for info in infos:
                # In slices: a broker that drops the connection ends the wait (paho would
                # reconnect and wait on).
                while not info.is_published() and time.monotonic() < deadline:
                    if conn.wait_event("disconnect", 0) is not None:
                        return 1, f"paho: disconnected before message {info.mid} was acknowledged\n" + \
                            "\n".join(conn.log[-10:])
                    try:
                        info.wait_for_publish(0.1)
                    except (ValueError, RuntimeError) as e:
                        return 1, f"paho: message {info.mid} not published: {e}"
                if not info.is_published():
                    return 1, f"paho: message {info.mid} not acknowledged within {timeout} s"
            return 0, "paho: published"
        finally:
            conn.close()

    def connect_disconnect(self, broker, level):
        conn = PahoConnection(broker, level)
        rc = conn.connected()
        conn.close()
        gone = conn.wait_event("disconnect", 5)
        text = f"connect rc={rc}, disconnect={gone}"
        if rc != 0 or gone is None:
            return 1, text
        drc = gone[0]
        return (0 if int(getattr(drc, "value", drc)) == 0 else 1), text
