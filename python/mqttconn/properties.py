"""MQTT 5.0 properties (Table 2-4): one optional field per property.

``None`` means absent. The byte properties whose only values are 0 and 1 are ``bool``;
``user_properties`` is a tuple of ``(name, value)`` string pairs in wire order (repeats kept);
``subscription_identifiers`` a tuple of ints. Below level 5 a packet has no properties.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Optional, Tuple


@dataclass(frozen=True)
class Properties:
    payload_format_indicator: Optional[bool] = None
    message_expiry_interval: Optional[int] = None
    content_type: Optional[str] = None
    response_topic: Optional[str] = None
    correlation_data: Optional[bytes] = None
    subscription_identifiers: Tuple[int, ...] = ()
    session_expiry_interval: Optional[int] = None
    assigned_client_identifier: Optional[str] = None
    server_keep_alive: Optional[int] = None
    authentication_method: Optional[str] = None
    authentication_data: Optional[bytes] = None
    request_problem_information: Optional[bool] = None
    will_delay_interval: Optional[int] = None
    request_response_information: Optional[bool] = None
    response_information: Optional[str] = None
    server_reference: Optional[str] = None
    reason_string: Optional[str] = None
    receive_maximum: Optional[int] = None
    topic_alias_maximum: Optional[int] = None
    topic_alias: Optional[int] = None
    maximum_qos: Optional[int] = None
    retain_available: Optional[bool] = None
    user_properties: Tuple[Tuple[str, str], ...] = ()
    maximum_packet_size: Optional[int] = None
    wildcard_subscription_available: Optional[bool] = None
    subscription_identifier_available: Optional[bool] = None
    shared_subscription_available: Optional[bool] = None

    def __post_init__(self):
        # Lists given as lists become tuples, so the object stays hashable and immutable.
        if not isinstance(self.user_properties, tuple):
            object.__setattr__(self, "user_properties", tuple(tuple(p) for p in self.user_properties))
        if not isinstance(self.subscription_identifiers, tuple):
            object.__setattr__(self, "subscription_identifiers", tuple(self.subscription_identifiers))

    def __repr__(self) -> str:
        set_ = ", ".join(f"{name}={getattr(self, name)!r}" for name, _, kind, _ in TABLE
                         if getattr(self, name) not in (None, ()))
        return f"Properties({set_})"

    def __bool__(self) -> bool:
        return self != EMPTY

    def replace(self, **changes) -> "Properties":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """The seed's shape: camelCase names, user properties as an object whose repeated
        names hold arrays, a repeated subscription identifier as an array."""
        from ._convert import props_to_dict

        return props_to_dict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Properties":
        from ._convert import props_from_dict

        return props_from_dict(d)


EMPTY = Properties()

# (field, property id, kind, seed name); kinds: int, bool, str, bin, ids, pairs.
TABLE = (
    ("payload_format_indicator", 0x01, "bool", "payloadFormatIndicator"),
    ("message_expiry_interval", 0x02, "int", "messageExpiryInterval"),
    ("content_type", 0x03, "str", "contentType"),
    ("response_topic", 0x08, "str", "responseTopic"),
    ("correlation_data", 0x09, "bin", "correlationData"),
    ("subscription_identifiers", 0x0B, "ids", "subscriptionIdentifier"),
    ("session_expiry_interval", 0x11, "int", "sessionExpiryInterval"),
    ("assigned_client_identifier", 0x12, "str", "assignedClientIdentifier"),
    ("server_keep_alive", 0x13, "int", "serverKeepAlive"),
    ("authentication_method", 0x15, "str", "authenticationMethod"),
    ("authentication_data", 0x16, "bin", "authenticationData"),
    ("request_problem_information", 0x17, "bool", "requestProblemInformation"),
    ("will_delay_interval", 0x18, "int", "willDelayInterval"),
    ("request_response_information", 0x19, "bool", "requestResponseInformation"),
    ("response_information", 0x1A, "str", "responseInformation"),
    ("server_reference", 0x1C, "str", "serverReference"),
    ("reason_string", 0x1F, "str", "reasonString"),
    ("receive_maximum", 0x21, "int", "receiveMaximum"),
    ("topic_alias_maximum", 0x22, "int", "topicAliasMaximum"),
    ("topic_alias", 0x23, "int", "topicAlias"),
    ("maximum_qos", 0x24, "int", "maximumQoS"),
    ("retain_available", 0x25, "bool", "retainAvailable"),
    ("user_properties", 0x26, "pairs", "userProperties"),
    ("maximum_packet_size", 0x27, "int", "maximumPacketSize"),
    ("wildcard_subscription_available", 0x28, "bool", "wildcardSubscriptionAvailable"),
    ("subscription_identifier_available", 0x29, "bool", "subscriptionIdentifiersAvailable"),
    ("shared_subscription_available", 0x2A, "bool", "sharedSubscriptionAvailable"),
)
FIELDS = frozenset(t[0] for t in TABLE)
