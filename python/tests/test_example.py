"""The asyncio example client (examples/asyncio_client.py) against a real mosquitto broker,
started on a free port of 127.0.0.1 for these tests and stopped afterwards."""

from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "examples"))

import asyncio_client  # noqa: E402

import mqttconn  # noqa: E402

MOSQUITTO = "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    d = tmp_path_factory.mktemp("mosquitto")
    port = free_port()
    conf = d / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\n")
    log = open(d / "log.txt", "wb")
    proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("mosquitto did not start: " + (d / "log.txt").read_text())
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.parametrize("level", [4, 5])
def test_the_demo_publishes_and_receives_at_every_qos(broker, level):
    out = io.StringIO()
    received = asyncio.run(asyncio_client.demo("127.0.0.1", broker, level, f"mqttconn/test{level}", out))
    got = sorted((m.topic, m.payload, m.qos) for m in received)
    assert got == [(f"mqttconn/test{level}/qos{q}", f"message at QoS {q}".encode(), q) for q in (0, 1, 2)]
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x["qos"] for x in lines] == [0, 1, 2]
    want = [["origin", "mqttconn"], ["origin", "asyncio"]] if level == 5 else []
    assert all(x["userProperties"] == want for x in lines)  # 5.0: carried end to end, in order


def test_user_properties_and_acks_through_the_broker_at_level_5(broker):
    async def run():
        sub = await asyncio_client.Client.open("127.0.0.1", broker)
        await sub.connect("mqttconn-sub", protocol_version=5)
        suback = await sub.subscribe("props/#", qos=2)
        assert suback.reason_codes == (2,)
        pub = await asyncio_client.Client.open("127.0.0.1", broker)
        connack = await pub.connect("mqttconn-pub", protocol_version=5, session_expiry_interval=0)
        assert isinstance(connack, mqttconn.Connack)
        ack1 = await pub.publish("props/a", b"1", qos=1, user_properties=[("k", "v1"), ("k", "v2")],
                                 content_type="text/plain")
        assert isinstance(ack1, mqttconn.Puback) and ack1.reason_code in (0, 0x10)
        ack2 = await pub.publish("props/b", b"2", qos=2, correlation_data=b"\x01\x02", response_topic="r")
        assert isinstance(ack2, mqttconn.Pubcomp) and ack2.reason_code == 0
        m1 = await asyncio.wait_for(sub.messages.get(), 10)
        m2 = await asyncio.wait_for(sub.messages.get(), 10)
        assert isinstance(await pub.ping(), mqttconn.Pingresp)
        await pub.disconnect()
        await sub.disconnect()
        return m1, m2

    m1, m2 = asyncio.run(run())
    assert (m1.topic, m1.payload, m1.qos) == ("props/a", b"1", 1)
    assert m1.properties.user_properties == (("k", "v1"), ("k", "v2"))
    assert m1.properties.content_type == "text/plain"
    assert (m2.topic, m2.qos, m2.properties.correlation_data, m2.properties.response_topic) == (
        "props/b", 2, b"\x01\x02", "r")


def test_the_example_runs_as_a_program(broker):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(HERE), env.get("PYTHONPATH", "")])
    r = subprocess.run([sys.executable, os.path.join(os.path.dirname(HERE), "examples", "asyncio_client.py"),
                        "--port", str(broker), "--protocol-version", "4", "--topic", "mqttconn/prog"],
                       capture_output=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert [json.loads(x)["topic"] for x in r.stdout.decode().splitlines()] == [
        "mqttconn/prog/qos0", "mqttconn/prog/qos1", "mqttconn/prog/qos2"]
