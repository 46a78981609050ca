"""python3 -m mqttconn decode / encode."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import LEVELS, all_packets

import mqttconn
from mqttconn.cli import _jsonable

HERE = os.path.dirname(os.path.abspath(__file__))


def run(args, stdin: bytes):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(HERE), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "mqttconn", *args], input=stdin, capture_output=True,
                          env=env, timeout=60)


def lines(out: bytes) -> list:
    return [json.loads(x) for x in out.decode().splitlines()]


@pytest.mark.parametrize("level", LEVELS)
def test_decode_after_encode_gives_back_the_same_objects(level):
    objs = [_jsonable(p.to_dict(level)) for p in all_packets(level)]
    text = "".join(json.dumps(o) + "\n" for o in objs).encode()
    enc = run(["encode", "--protocol-version", str(level)], text)
    assert enc.returncode == 0, enc.stderr
    # what the dict shape keeps: user properties grouped by name
    assert enc.stdout == mqttconn.encode_all([mqttconn.from_dict(p.to_dict(level)) for p in all_packets(level)], level)
    dec = run(["decode", "--protocol-version", str(level)], enc.stdout)
    assert dec.returncode == 0, dec.stderr
    assert lines(dec.stdout) == objs
    # hex in, hex out
    enc_hex = run(["encode", "--protocol-version", str(level), "--hex"], text)
    assert enc_hex.stdout.decode().strip() == enc.stdout.hex()
    dec_hex = run(["decode", "--protocol-version", str(level), "--hex"], enc_hex.stdout)
    assert lines(dec_hex.stdout) == objs


def test_binary_fields_are_hex_objects_and_other_spellings_are_accepted():
    text = b'{"cmd":"publish","topic":"a","payload":{"base64":"AAE="}}\n' \
           b'{"cmd":"publish","topic":"b","payload":{"type":"Buffer","data":[0,1]}}\n' \
           b'{"cmd":"publish","topic":"c","payload":"\\u0000\\u0001"}\n'
    enc = run(["encode"], text)
    assert enc.returncode == 0, enc.stderr
    out = lines(run(["decode"], enc.stdout).stdout)
    assert [o["payload"] for o in out] == [{"hex": "0001"}] * 3


def test_malformed_input_prints_the_packets_before_then_an_error_object():
    good = mqttconn.encode(mqttconn.Publish(topic="a", payload=b"1"), 4)
    dec = run(["decode", "--hex"], (good + bytes.fromhex("30 05 0009 61 62 63")).hex().encode())
    assert dec.returncode == 1
    first, err = lines(dec.stdout)
    assert first["topic"] == "a"
    assert err == {"error": "ProtocolError", "code": -100, "reasonCode": 0x81,
                   "message": err["message"], "offset": len(good) + 2}
    assert "malformed" in err["message"]


def test_a_stream_ending_inside_a_packet_is_an_error():
    good = mqttconn.encode(mqttconn.Pingreq(), 4)
    dec = run(["decode"], good + b"\x30\x05\x00")
    assert dec.returncode == 1
    ping, err = lines(dec.stdout)
    assert ping == {"cmd": "pingreq"} and err["code"] == -9 and err["offset"] == len(good)
    # the same through a connection: the tail it keeps is reported where its packet starts
    good = mqttconn.encode(mqttconn.Connack(session_present=False), 4)
    dec = run(["decode", "--role", "client"], good + b"\x30\x05\x00")
    assert dec.returncode == 1
    connack, err = lines(dec.stdout)
    assert connack["cmd"] == "connack" and err["code"] == -9 and err["offset"] == len(good)


def test_text_that_is_not_hex_is_an_error():
    dec = run(["decode", "--hex"], b"zz")
    assert dec.returncode == 1 and lines(dec.stdout)[0]["code"] == -1


def test_decode_as_a_server_applies_the_connection_rules():
    c = mqttconn.Connection("client")
    c.connect(client_id="x", protocol_version=5)
    data = c.data_to_send() + mqttconn.encode(mqttconn.Publish(topic="t", payload=b"p"), 5)
    dec = run(["decode", "--role", "server"], data)
    assert dec.returncode == 0, dec.stdout
    connect, publish = lines(dec.stdout)
    assert connect["protocolVersion"] == 5 and publish["topic"] == "t"
    # A second CONNECT is a protocol error for a server [MQTT-3.1.0-2]
    dec = run(["decode", "--role", "server"], data + mqttconn.encode(mqttconn.Connect(client_id="y", protocol_version=5), 5))
    assert dec.returncode == 1 and lines(dec.stdout)[-1]["error"] == "ProtocolError"


def test_decode_as_a_client_takes_a_connect_as_sent():
    data = mqttconn.encode(mqttconn.Connack(session_present=False), 4) + mqttconn.encode(mqttconn.Pingresp(), 4)
    dec = run(["decode", "--role", "client"], data)
    assert dec.returncode == 0
    assert lines(dec.stdout) == [{"cmd": "connack", "sessionPresent": False, "returnCode": 0}, {"cmd": "pingresp"}]


def test_a_bad_json_line_stops_encode_with_an_error_object():
    enc = run(["encode"], b'{"cmd":"pingreq"}\n{"cmd":"publish","topic":"a/#"}\n')
    assert enc.returncode == 1
    assert enc.stdout == mqttconn.encode(mqttconn.Pingreq(), 4)
    err = json.loads(enc.stderr.decode().splitlines()[-1])
    assert err["line"] == 2 and err["code"] == -4
    enc = run(["encode"], b"not json\n")
    assert enc.returncode == 1 and json.loads(enc.stderr.decode())["code"] == -1
