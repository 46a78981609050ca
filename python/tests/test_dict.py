"""to_dict / from_dict: the seed's (mqtt-packet's) object shapes."""

from __future__ import annotations

import dataclasses

import pytest

from conftest import LEVELS, all_packets

import mqttconn
from mqttconn import Connack, Properties, Publish, UsageError


def grouped(p):
    """`p` with its user properties grouped by name in first-seen order: what the seed's
    object shape keeps of them."""
    ups = p.properties.user_properties if hasattr(p, "properties") else ()
    order = []
    for k, _ in ups:
        if k not in order:
            order.append(k)
    regrouped = tuple((k, v) for name in order for k, v in ups if k == name)
    return p if regrouped == ups else dataclasses.replace(
        p, properties=dataclasses.replace(p.properties, user_properties=regrouped))


@pytest.mark.parametrize("level", LEVELS)
def test_every_packet_round_trips_through_its_dict(level):
    for p in all_packets(level):
        d = p.to_dict(level)
        assert mqttconn.from_dict(d) == grouped(p), d
        assert type(p).from_dict(d) == grouped(p)
        assert mqttconn.from_dict(d).to_dict(level) == d


def test_user_properties_interleaving_is_grouped_by_name_in_the_dict_shape():
    p = Publish(topic="t", properties=Properties(user_properties=(("x", "1"), ("y", "2"), ("x", "3"))))
    assert p.to_dict()["properties"] == {"userProperties": {"x": ["1", "3"], "y": "2"}}
    assert mqttconn.from_dict(p.to_dict()).properties.user_properties == (("x", "1"), ("x", "3"), ("y", "2"))


def test_publish_has_mqtt_packet_names():
    p = Publish(topic="a/b", payload=b"x", qos=1, packet_id=42, retain=True,
                properties=Properties(message_expiry_interval=60, content_type="j", payload_format_indicator=True,
                                      user_properties=(("a", "1"), ("b", "2"), ("a", "3")),
                                      subscription_identifiers=(1, 2), topic_alias=3))
    assert p.to_dict() == {
        "cmd": "publish", "topic": "a/b", "payload": b"x", "qos": 1, "dup": False, "retain": True, "messageId": 42,
        "properties": {"payloadFormatIndicator": True, "messageExpiryInterval": 60, "contentType": "j",
                       "subscriptionIdentifier": [1, 2], "topicAlias": 3,
                       "userProperties": {"a": ["1", "3"], "b": "2"}}}
    assert "messageId" not in Publish(topic="t").to_dict()


def test_connack_says_return_code_below_5_and_reason_code_at_5():
    assert Connack(reason_code=5).to_dict(4) == {"cmd": "connack", "sessionPresent": False, "returnCode": 5}
    assert Connack(reason_code=0x87).to_dict(5) == {"cmd": "connack", "sessionPresent": False, "reasonCode": 0x87}
    assert mqttconn.from_dict({"cmd": "connack", "returnCode": 2}).reason_code == 2


def test_the_readme_connect_of_mqtt_packet_ports_directly():
    d = {
        "cmd": "connect", "protocolId": "MQTT", "protocolVersion": 5, "clean": True, "clientId": "my-device",
        "keepalive": 0, "username": "matteo", "password": b"collina",
        "will": {"topic": "mydevice/status", "payload": b"dead",
                 "properties": {"willDelayInterval": 1234, "payloadFormatIndicator": False,
                                "messageExpiryInterval": 4321, "contentType": "test", "responseTopic": "topic",
                                "correlationData": bytes([1, 2, 3, 4]), "userProperties": {"test": "test"}}},
        "properties": {"sessionExpiryInterval": 1234, "receiveMaximum": 432, "maximumPacketSize": 100,
                       "topicAliasMaximum": 456, "requestResponseInformation": True,
                       "requestProblemInformation": True, "userProperties": {"test": "test"},
                       "authenticationMethod": "test", "authenticationData": bytes([1, 2, 3, 4])},
    }
    p = mqttconn.from_dict(d)
    assert p.will.properties.will_delay_interval == 1234 and p.properties.receive_maximum == 432
    (q,) = mqttconn.decode(mqttconn.encode(p, 5), 5)
    back = q.to_dict()
    assert back["will"]["properties"] == d["will"]["properties"]
    assert back["properties"] == d["properties"]
    assert {k: back[k] for k in ("clientId", "username", "password", "keepalive", "clean", "protocolId")} == {
        k: d[k] for k in ("clientId", "username", "password", "keepalive", "clean", "protocolId")}


def test_subscribe_uses_nl_rap_rh_and_suback_granted():
    d = {"cmd": "subscribe", "messageId": 42,
         "subscriptions": [{"topic": "test", "qos": 0, "nl": False, "rap": True, "rh": 1}],
         "properties": {"subscriptionIdentifier": 145, "userProperties": {"test": "test"}}}
    p = mqttconn.from_dict(d)
    assert p.subscriptions[0] == mqttconn.Subscription("test", 0, False, True, 1)
    assert p.to_dict(5) == d
    assert mqttconn.from_dict({"cmd": "suback", "messageId": 1, "granted": [0, 1, 2, 128]}).reason_codes == (0, 1, 2, 128)
    assert mqttconn.from_dict({"cmd": "unsubscribe", "messageId": 3, "unsubscriptions": ["a", "b"]}).topic_filters == ("a", "b")


def test_strings_are_accepted_for_binary_fields():
    p = mqttconn.from_dict({"cmd": "publish", "topic": "t", "payload": "héllo"})
    assert p.payload == "héllo".encode()


def test_a_dict_that_is_no_packet_raises_a_usage_error():
    with pytest.raises(UsageError):
        mqttconn.from_dict({"cmd": "publsh"})
    with pytest.raises(UsageError):
        mqttconn.from_dict({"cmd": "publish", "properties": {"colour": 1}})
    with pytest.raises(UsageError):
        mqttconn.from_dict({"cmd": "subscribe", "subscriptions": [{"qos": 1}]})
