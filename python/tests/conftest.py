"""Shared fixtures: one packet of every kind with every field its level carries."""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the package sources, when PYTHONPATH lacks them

import mqttconn  # noqa: E402
from mqttconn import (  # noqa: E402
    Auth, Connack, Connect, Disconnect, Pingreq, Pingresp, Properties, Puback, Pubcomp, Publish,
    Pubrec, Pubrel, Suback, Subscribe, Subscription, Unsuback, Unsubscribe, Will,
)

LEVELS = (3, 4, 5)


def all_packets(level: int) -> list:
    """Every packet kind at `level`, with every field set that the level carries, plus the
    lean variants (no will, no credentials, QoS 0, ...)."""
    v5 = level == 5

    def props(**kw):
        return Properties(**kw) if v5 else Properties()

    will = Will(topic="will/topic", payload=b"\x00\x01bye", qos=1, retain=True,
                properties=props(will_delay_interval=5, payload_format_indicator=True, message_expiry_interval=9,
                                 content_type="text/plain", response_topic="reply/to", correlation_data=b"\x09\x08",
                                 user_properties=(("w", "1"), ("w", "2"))))
    out = [
        Connect(client_id="client-1", protocol_version=level, clean_start=False, keep_alive=30, username="user",
                password=b"\x00secret", will=will,
                properties=props(session_expiry_interval=60, receive_maximum=10, maximum_packet_size=1000,
                                 topic_alias_maximum=5, request_response_information=True,
                                 request_problem_information=False, user_properties=(("k", "v"), ("k2", "v2")),
                                 authentication_method="SCRAM", authentication_data=b"\x01\x02")),
        Connect(client_id="c", protocol_version=level),
        Connect(client_id="c2", protocol_version=level, username="only-user", keep_alive=65535,
                will=Will(topic="t", payload=b"", qos=2)),
        Connack(session_present=level > 3, reason_code=0,
                properties=props(session_expiry_interval=30, receive_maximum=20, maximum_qos=1, retain_available=False,
                                 maximum_packet_size=5000, assigned_client_identifier="auto-1", topic_alias_maximum=8,
                                 reason_string="welcome", user_properties=(("a", "b"),),
                                 wildcard_subscription_available=True, subscription_identifier_available=False,
                                 shared_subscription_available=True, server_keep_alive=45,
                                 response_information="resp", server_reference="other:1883",
                                 authentication_method="SCRAM", authentication_data=b"\xff")),
        Connack(session_present=False, reason_code=0x87 if v5 else 5),
        Publish(topic="a/b", payload=b"", qos=0),
        Publish(topic="sensors/room1/temp", payload=bytes(range(256)), qos=1, dup=True, retain=True, packet_id=1,
                properties=props(payload_format_indicator=False, message_expiry_interval=3600, topic_alias=3,
                                 response_topic="reply/here", correlation_data=b"corr", content_type="bin",
                                 user_properties=(("x", "1"), ("y", "2"), ("x", "3")),
                                 subscription_identifiers=(1, 268435455))),
        Publish(topic="q2", payload=b"\xde\xad", qos=2, packet_id=65535, properties=props(content_type="é ü")),
        Puback(packet_id=7),
        Pubrec(packet_id=8),
        Pubrel(packet_id=9),
        Pubcomp(packet_id=10),
        Subscribe(packet_id=11, subscriptions=(
            Subscription("a/+/c", 0),
            Subscription("d/#", 1, no_local=v5, retain_as_published=v5, retain_handling=2 if v5 else 0),
            Subscription("e", 2, retain_handling=1 if v5 else 0)),
            properties=props(subscription_identifiers=(42,), user_properties=(("s", "t"),))),
        Suback(packet_id=11, reason_codes=(0, 1, 2, 0x80) if level > 3 else (0, 1, 2), properties=props(reason_string="ok", user_properties=(("u", "v"),))),
        Unsubscribe(packet_id=12, topic_filters=("a/+/c", "d/#"), properties=props(user_properties=(("u", "1"),))),
        Unsuback(packet_id=12, reason_codes=(0, 0x11) if v5 else (), properties=props(reason_string="gone")),
        Pingreq(),
        Pingresp(),
        Disconnect(),
    ]
    if v5:
        out += [
            Puback(packet_id=7, reason_code=0x10, properties=props(reason_string="none", user_properties=(("r", "s"),))),
            Pubrec(packet_id=8, reason_code=0x80, properties=props(reason_string="no")),
            Pubrel(packet_id=9, reason_code=0x92, properties=props(user_properties=(("a", "1"),))),
            Pubcomp(packet_id=10, reason_code=0x92, properties=props(reason_string="?")),
            Disconnect(reason_code=0x04, properties=props(session_expiry_interval=0, reason_string="bye",
                                                         server_reference="elsewhere", user_properties=(("d", "e"),))),
            Auth(reason_code=0x18, properties=props(authentication_method="SCRAM", authentication_data=b"\x00\x01",
                                                    reason_string="continue", user_properties=(("p", "q"),))),
        ]
    if level == 3:  # the DUP flag of 3.1 on PUBREL, SUBSCRIBE and UNSUBSCRIBE
        out += [Pubrel(packet_id=9, dup=True), Subscribe(packet_id=5, subscriptions=(Subscription("z", 1),), dup=True),
                Unsubscribe(packet_id=6, topic_filters=("z",), dup=True)]
    if level == 4:
        out += [Connect(client_id="bridge-1", protocol_version=4, bridge=True)]
    return out


def kinds(packets) -> set:
    return {type(p) for p in packets}


@pytest.fixture(params=LEVELS, ids=lambda v: f"level{v}")
def level(request):
    return request.param


__all__ = ["all_packets", "LEVELS", "kinds", "mqttconn"]
