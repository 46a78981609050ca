"""Stateless codec through the binding: every packet kind at every level, every field."""

from __future__ import annotations

import pytest

from conftest import LEVELS, all_packets, kinds

import mqttconn
from mqttconn import Connect, Decoder, ProtocolError, Publish, UsageError


def test_the_fixtures_cover_every_packet_kind():
    assert kinds(all_packets(5)) == set(mqttconn.packets.PACKET_CLASSES)
    assert kinds(all_packets(4)) == set(mqttconn.packets.PACKET_CLASSES) - {mqttconn.Auth}


@pytest.mark.parametrize("level", LEVELS)
def test_every_packet_decodes_to_what_was_encoded(level):
    for p in all_packets(level):
        wire = mqttconn.encode(p, level)
        assert mqttconn.decode(wire, level) == [p], p


@pytest.mark.parametrize("level", LEVELS)
def test_a_stream_of_every_packet_decodes_whole_and_byte_by_byte(level):
    packets = all_packets(level)
    wire = mqttconn.encode_all(packets, level)
    assert wire == b"".join(mqttconn.encode(p, level) for p in packets)
    assert mqttconn.decode(wire, level) == packets
    d = Decoder(level)
    got = []
    for i in range(len(wire)):
        got += d.feed(wire[i:i + 1])
    assert got == packets
    assert d.buffered == 0


def test_known_bytes_of_a_publish_3_1_1():
    # the W1 packet of the benchmark: QoS 0, 18-byte topic, 3-byte payload
    wire = bytes.fromhex("30 17" "0012" + b"sensors/room1/temp".hex() + "616263")
    assert mqttconn.decode(wire, 4) == [Publish(topic="sensors/room1/temp", payload=b"abc")]
    assert mqttconn.encode(Publish(topic="sensors/room1/temp", payload=b"abc"), 4) == wire


def test_known_bytes_of_a_v5_publish_with_properties():
    wire = bytes.fromhex(
        "32 13"        # PUBLISH QoS 1, remaining length 19
        "0001 61"      # topic "a"
        "0005"         # packet id 5
        "0c"           # properties: 12 bytes
        "02 0000003c"  # message expiry interval 60
        "26 0001 6b 0001 76"  # user property k=v
        "7a")          # payload "z"
    p = mqttconn.decode(wire, 5)[0]
    assert p == Publish(topic="a", payload=b"z", qos=1, packet_id=5,
                        properties=mqttconn.Properties(message_expiry_interval=60, user_properties=(("k", "v"),)))
    assert mqttconn.encode(p, 5) == wire


def test_a_connect_is_decoded_at_its_own_level():
    c = Connect(client_id="x", protocol_version=5, properties=mqttconn.Properties(session_expiry_interval=1))
    assert mqttconn.decode(mqttconn.encode(c, 4), 4) == [c]


def test_packet_objects_are_immutable_and_own_their_bytes():
    wire = mqttconn.encode(Publish(topic="t", payload=b"payload"), 4)
    buf = bytearray(wire)
    (p,) = mqttconn.decode(bytes(buf), 4)
    buf[:] = b"\0" * len(buf)
    assert p.payload == b"payload" and type(p.payload) is bytes
    with pytest.raises(AttributeError):
        p.topic = "other"
    assert hash(p) == hash(Publish(topic="t", payload=b"payload"))


def test_bad_bytes_raise_a_protocol_error_with_code_reason_and_offset():
    good = mqttconn.encode(Publish(topic="a", payload=b"1"), 5)
    bad = bytes.fromhex("30 03 0005 61")  # topic length 5 runs past the packet's end
    with pytest.raises(ProtocolError) as e:
        mqttconn.decode(good + good + bad, 5)
    err = e.value
    assert err.code == -100 and err.reason_code == 0x81
    assert err.offset == 2 * len(good) + 2  # the topic length field of the third packet
    assert err.packets == [Publish(topic="a", payload=b"1")] * 2
    assert "malformed" in err.message
    assert isinstance(err, mqttconn.MqttconnError) and not isinstance(err, UsageError)


def test_a_wildcard_in_a_topic_name_is_a_protocol_error_0x90_at_level_5():
    wire = bytes.fromhex("30 06 0003 612f23 00")  # topic "a/#", no properties
    with pytest.raises(ProtocolError) as e:
        mqttconn.decode(wire, 5)
    assert e.value.code == -104 and e.value.reason_code == 0x90


def test_a_decoder_refuses_input_after_a_protocol_error():
    d = Decoder(4)
    with pytest.raises(ProtocolError):
        d.feed(b"\xf0\x00")  # reserved packet type 15 at 3.1.1
    with pytest.raises(ProtocolError):
        d.feed(mqttconn.encode(mqttconn.Pingreq(), 4))


def test_input_ending_inside_a_packet_raises_need_more():
    wire = mqttconn.encode(Publish(topic="a", payload=b"12345"), 4)
    with pytest.raises(UsageError) as e:
        mqttconn.decode(wire + wire[:4], 4)
    assert e.value.code == -9
    assert e.value.offset == len(wire)
    assert e.value.packets == [Publish(topic="a", payload=b"12345")]


def test_iter_decode_lets_the_caller_stop_early():
    wire = mqttconn.encode_all([Publish(topic=f"t{i}") for i in range(10000)], 4)
    it = mqttconn.iter_decode(wire, 4)
    first = [next(it) for _ in range(3)]
    assert [p.topic for p in first] == ["t0", "t1", "t2"]
    it.close()
    assert sum(1 for _ in mqttconn.iter_decode(wire, 4)) == 10000


def test_a_decoder_stopped_early_keeps_the_rest_for_the_next_feed():
    wire = mqttconn.encode_all([Publish(topic=f"t{i}") for i in range(5)], 4)
    d = Decoder(4, buffer_size=64)  # a record buffer that holds about one record per batch
    it = d.iter_feed(wire)
    assert next(it).topic == "t0"
    it.close()
    assert [p.topic for p in d.feed(b"")] == ["t1", "t2", "t3", "t4"]


def test_a_record_larger_than_the_buffer_grows_it():
    big = Publish(topic="big", payload=bytes(200_000))
    d = Decoder(4, buffer_size=64)
    assert d.feed(mqttconn.encode(big, 4) * 2) == [big, big]


def test_encoding_what_the_level_cannot_carry_raises_usage_errors():
    with pytest.raises(UsageError) as e:
        mqttconn.encode(mqttconn.Auth(), 4)
    assert e.value.code in (-3, -4)
    with pytest.raises(UsageError) as e:  # [MQTT-3.3.2-2]
        mqttconn.encode(Publish(topic="a/#"), 4)
    assert e.value.code == -4
    with pytest.raises(UsageError) as e:
        mqttconn.encode(Publish(topic="a", qos=3, packet_id=1), 4)
    assert e.value.code == -1
    with pytest.raises(UsageError) as e:
        mqttconn.encode(Publish(topic="a", packet_id=70000, qos=1), 4)
    assert e.value.code == -1
    with pytest.raises(UsageError) as e:
        mqttconn.encode(Publish(topic="a"), 6)
    assert e.value.code == -1
    with pytest.raises(UsageError):  # properties below level 5
        mqttconn.encode(Publish(topic="a", properties=mqttconn.Properties(content_type="x")), 4)
    with pytest.raises(UsageError):  # QoS 1 needs a packet id [MQTT-2.2.1-3]
        mqttconn.encode(Publish(topic="a", qos=1), 4)


def test_user_properties_keep_order_and_repeats():
    p = Publish(topic="t", properties=mqttconn.Properties(user_properties=[("b", "1"), ("a", "2"), ("b", "3")]))
    (q,) = mqttconn.decode(mqttconn.encode(p, 5), 5)
    assert q.properties.user_properties == (("b", "1"), ("a", "2"), ("b", "3"))


@pytest.mark.parametrize("level", LEVELS)
def test_decoding_without_the_block_cache_gives_the_same_packets(level, monkeypatch):
    from mqttconn import _records

    monkeypatch.setattr(_records, "_CACHE_BLOCK", -1)  # every block parsed afresh
    packets = all_packets(level)
    assert mqttconn.decode(mqttconn.encode_all(packets, level), level) == packets


def test_packets_with_the_same_property_bytes_share_one_properties_object():
    props = mqttconn.Properties(content_type="json", user_properties=(("a", "1"),))
    p = Publish(topic="t", payload=b"1", properties=props)
    q = Publish(topic="t", payload=b"2", properties=props.replace(content_type="text"))
    a, b, c = mqttconn.decode(mqttconn.encode_all([p, p, q], 5), 5)
    assert a.properties is b.properties and a.properties == props
    assert c.properties == q.properties and c.properties is not a.properties
    big = Publish(topic="t", properties=mqttconn.Properties(correlation_data=bytes(1000)))
    x, y = mqttconn.decode(mqttconn.encode_all([big, big], 5), 5)  # above the cached size
    assert x == y == big and x.properties is not y.properties
