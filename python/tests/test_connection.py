"""mqttconn.Connection: conversations between a client and a server connection, misuse and
protocol errors."""

from __future__ import annotations

import pytest

from conftest import LEVELS

import mqttconn
from mqttconn import Connection, ProtocolError, UsageError


def pair(level: int, **connect):
    c, s = Connection("client"), Connection(role="server")
    c.connect(client_id="c1", protocol_version=level, **connect)
    (got,) = s.receive_data(c.data_to_send())
    assert isinstance(got, mqttconn.Connect) and got.protocol_version == level
    s.connack(reason_code=0)
    (ack,) = c.receive_data(s.data_to_send())
    assert isinstance(ack, mqttconn.Connack) and ack.reason_code == 0
    assert c.state == s.state == "connected"
    assert c.version == s.version == level
    return c, s


def relay(a: Connection, b: Connection, split: bool = False) -> list:
    data = a.data_to_send()
    if not split:
        return b.receive_data(data)
    out = []
    for i in range(len(data)):
        out += b.receive_data(data[i:i + 1])
    return out


@pytest.mark.parametrize("level", LEVELS)
def test_publish_at_every_qos_with_the_acknowledgement_flows(level):
    c, s = pair(level)
    c.publish(topic="t/0", payload=b"zero")
    c.publish(topic="t/1", payload=b"one", qos=1, packet_id=1)
    c.publish(topic="t/2", payload=b"two", qos=2, packet_id=2)
    got = relay(c, s, split=True)
    assert [(p.topic, p.payload, p.qos, p.packet_id) for p in got] == [
        ("t/0", b"zero", 0, 0), ("t/1", b"one", 1, 1), ("t/2", b"two", 2, 2)]
    s.puback(packet_id=1)
    s.pubrec(packet_id=2)
    assert relay(s, c) == [mqttconn.Puback(packet_id=1), mqttconn.Pubrec(packet_id=2)]
    c.pubrel(packet_id=2)
    assert relay(c, s) == [mqttconn.Pubrel(packet_id=2)]
    s.pubcomp(packet_id=2)
    assert relay(s, c) == [mqttconn.Pubcomp(packet_id=2)]


@pytest.mark.parametrize("level", LEVELS)
def test_subscribe_unsubscribe_ping_and_disconnect(level):
    c, s = pair(level)
    c.subscribe(packet_id=3, subscriptions=["a/#", ("b/+", 1), mqttconn.Subscription("c", 2)])
    (sub,) = relay(c, s)
    assert [(x.topic_filter, x.qos) for x in sub.subscriptions] == [("a/#", 0), ("b/+", 1), ("c", 2)]
    s.suback(packet_id=3, reason_codes=[0, 1, 2])
    assert relay(s, c) == [mqttconn.Suback(packet_id=3, reason_codes=(0, 1, 2))]
    c.unsubscribe(packet_id=4, topic_filters=["a/#"])
    assert relay(c, s) == [mqttconn.Unsubscribe(packet_id=4, topic_filters=("a/#",))]
    s.unsuback(packet_id=4, reason_codes=[0] if level == 5 else [])
    assert [type(p) for p in relay(s, c)] == [mqttconn.Unsuback]
    c.pingreq()
    assert relay(c, s) == [mqttconn.Pingreq()]
    s.pingresp()
    assert relay(s, c) == [mqttconn.Pingresp()]
    c.disconnect()
    assert relay(c, s) == [mqttconn.Disconnect()]
    assert c.state == s.state == "closed"


def test_every_mqtt5_property_goes_through_keyword_arguments():
    c, s = Connection("client"), Connection("server")
    c.connect(client_id="c1", protocol_version=5, keep_alive=10, session_expiry_interval=30, receive_maximum=5,
              maximum_packet_size=10000, topic_alias_maximum=4, request_response_information=True,
              request_problem_information=True, user_properties=[("a", "1"), ("a", "2")],
              will={"topic": "w", "payload": b"gone", "qos": 1, "will_delay_interval": 3, "content_type": "t"})
    (con,) = relay(c, s)
    assert con.properties.session_expiry_interval == 30 and con.properties.receive_maximum == 5
    assert con.properties.maximum_packet_size == 10000 and con.properties.topic_alias_maximum == 4
    assert con.properties.request_response_information is True
    assert con.properties.user_properties == (("a", "1"), ("a", "2"))
    assert con.will.properties.will_delay_interval == 3 and con.will.payload == b"gone"
    s.connack(session_present=False, assigned_client_identifier="x", server_keep_alive=20, maximum_qos=1,
              retain_available=False, topic_alias_maximum=2, reason_string="hi")
    (ack,) = relay(s, c)
    assert ack.properties == mqttconn.Properties(assigned_client_identifier="x", server_keep_alive=20, maximum_qos=1,
                                                 retain_available=False, topic_alias_maximum=2, reason_string="hi")
    c.publish(topic="t", payload=b"p", qos=1, packet_id=9, message_expiry_interval=5, response_topic="r",
              correlation_data=b"\x01", content_type="c", payload_format_indicator=True,
              user_properties=[("k", "v")])
    (pub,) = relay(c, s)
    assert pub.properties == mqttconn.Properties(
        message_expiry_interval=5, response_topic="r", correlation_data=b"\x01", content_type="c",
        payload_format_indicator=True, user_properties=(("k", "v"),))
    s.puback(packet_id=9, reason_code=0x10, reason_string="no one")
    assert relay(s, c) == [mqttconn.Puback(packet_id=9, reason_code=0x10,
                                           properties=mqttconn.Properties(reason_string="no one"))]
    c.disconnect(reason_code=4, session_expiry_interval=0, reason_string="bye")
    (d,) = relay(c, s)
    assert d.reason_code == 4 and d.properties.reason_string == "bye"


def test_a_payload_larger_than_the_record_buffer_arrives_whole():
    c, s = pair(5)
    big = bytes(range(256)) * 1024  # 256 KiB, larger than the 64 KiB record buffer
    c.publish(topic="big", payload=big, qos=1, packet_id=1, content_type="bin")
    c.publish(topic="small", payload=b"s")
    data = c.data_to_send()
    got = s.receive_data(data[:1000]) + s.receive_data(data[1000:])
    assert [(p.topic, p.payload, p.properties.content_type) for p in got] == [
        ("big", big, "bin"), ("small", b"s", None)]


def test_input_buffered_counts_the_kept_bytes_of_a_packet_cut_short():
    c, s = pair(4)
    c.publish(topic="t", payload=b"abc")
    c.pingreq()
    data = c.data_to_send()  # PUBLISH (8 bytes), PINGREQ (2 bytes)
    assert s.input_buffered == 0
    assert s.receive_data(data[:5]) == [] and s.input_buffered == 5
    got = s.receive_data(data[5:9])
    assert [p.topic for p in got] == ["t"] and s.input_buffered == 1
    assert len(s.receive_data(data[9:])) == 1 and s.input_buffered == 0


def test_misuse_raises_usage_errors_and_the_connection_stays_usable():
    c = Connection("client")
    with pytest.raises(UsageError) as e:
        c.publish(topic="t", payload=b"x")  # before CONNECT
    assert e.value.code == -3
    with pytest.raises(UsageError) as e:
        c.publish(topic="t", colour="red")
    assert e.value.code == -1 and "colour" in e.value.message
    with pytest.raises(UsageError):
        c.connect(client_id="x", protocol_version=9)
    with pytest.raises(UsageError) as e:  # a two-byte integer property
        c.connect(client_id="x", protocol_version=5, receive_maximum=70000)
    assert e.value.code == -1
    c.connect(client_id="x", protocol_version=4)
    assert c.state == "connecting"
    with pytest.raises(UsageError):
        Connection(role="broker")


def test_a_server_answers_a_bad_connect_and_raises_a_protocol_error():
    s = Connection("server")
    # CONNECT 3.1.1 with the reserved connect flag set [MQTT-3.1.2-3]
    bad = bytes.fromhex("10 0d 0004 4d515454 04 03 003c 0001 61")
    with pytest.raises(ProtocolError) as e:
        s.receive_data(bad)
    assert e.value.code <= -100 and e.value.offset is not None
    assert s.state == "closed"
    with pytest.raises(ProtocolError):  # every later receive fails the same way
        s.receive_data(b"\xc0\x00")
    assert s.error() is not None and s.error().code == e.value.code


def test_a_v5_violation_queues_a_disconnect_with_its_reason_code():
    c, s = pair(5)
    ping = mqttconn.encode(mqttconn.Pingreq(), 5)
    with pytest.raises(ProtocolError) as e:
        s.receive_data(ping + bytes.fromhex("f0 00"))  # AUTH without a method
    assert e.value.packets == [mqttconn.Pingreq()]
    assert e.value.reason_code == s.reason_code != 0
    out = s.data_to_send()
    (d,) = mqttconn.decode(out, 5)
    assert isinstance(d, mqttconn.Disconnect) and d.reason_code == e.value.reason_code


def test_send_takes_packet_objects():
    c, s = pair(4)
    c.send(mqttconn.Publish(topic="a", payload=b"1"), mqttconn.Publish(topic="b", payload=b"2"))
    assert [p.topic for p in relay(c, s)] == ["a", "b"]
