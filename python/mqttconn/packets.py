"""Packet objects: one frozen dataclass per MQTT packet kind, the same for every level.

Fields follow the spec's names in snake_case; strings are ``str``, binary data ``bytes``,
lists tuples. A field the level lacks keeps its default (no properties below 5.0). Every packet
converts to and from the seed's (mqtt-packet's) plain dict shape with ``to_dict()`` and
``from_dict()`` (see ``_convert.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Optional, Tuple

from .properties import EMPTY, Properties

# Packet type numbers (mqttconn.h MQTTCONN_PACKET_*, the wire's control packet types).
CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT, AUTH = range(8, 16)


class _Packet:
    TYPE: ClassVar[int]
    cmd: ClassVar[str]

    def to_dict(self, version: int = 5) -> dict:
        """The seed's shape at level `version` (CONNECT: its own level)."""
        from ._convert import to_dict

        return to_dict(self, version)

    @classmethod
    def from_dict(cls, d: dict) -> "_Packet":
        from ._convert import from_dict

        p = from_dict(d)
        if not isinstance(p, cls) and cls is not _Packet:
            raise TypeError(f"{d.get('cmd')!r} is not a {cls.cmd}")
        return p


def _tuple(name):
    """A __post_init__ that turns the list fields given as lists into tuples."""

    def post_init(self):
        for n in name:
            v = getattr(self, n)
            if not isinstance(v, tuple):
                object.__setattr__(self, n, tuple(v))

    return post_init


@dataclass(frozen=True)
class Will:
    topic: str = ""
    payload: bytes = b""
    qos: int = 0
    retain: bool = False
    properties: Properties = EMPTY


@dataclass(frozen=True)
class Connect(_Packet):
    TYPE: ClassVar[int] = CONNECT
    cmd: ClassVar[str] = "connect"
    client_id: str = ""
    protocol_version: int = 4
    clean_start: bool = True
    keep_alive: int = 0
    username: Optional[str] = None
    password: Optional[bytes] = None
    will: Optional[Will] = None
    bridge: bool = False
    properties: Properties = EMPTY


@dataclass(frozen=True)
class Connack(_Packet):
    TYPE: ClassVar[int] = CONNACK
    cmd: ClassVar[str] = "connack"
    session_present: bool = False
    reason_code: int = 0  # 3.x: the return code
    properties: Properties = EMPTY


@dataclass(frozen=True)
class Publish(_Packet):
    TYPE: ClassVar[int] = PUBLISH
    cmd: ClassVar[str] = "publish"
    topic: str = ""
    payload: bytes = b""
    qos: int = 0
    dup: bool = False
    retain: bool = False
    packet_id: int = 0  # QoS > 0 only
    properties: Properties = EMPTY


@dataclass(frozen=True)
class Puback(_Packet):
    TYPE: ClassVar[int] = PUBACK
    cmd: ClassVar[str] = "puback"
    packet_id: int = 0
    reason_code: int = 0
    properties: Properties = EMPTY


@dataclass(frozen=True)
class Pubrec(_Packet):
    TYPE: ClassVar[int] = PUBREC
    cmd: ClassVar[str] = "pubrec"
    packet_id: int = 0
    reason_code: int = 0
    properties: Properties = EMPTY


@dataclass(frozen=True)
class Pubrel(_Packet):
    TYPE: ClassVar[int] = PUBREL
    cmd: ClassVar[str] = "pubrel"
    packet_id: int = 0
    reason_code: int = 0
    properties: Properties = EMPTY
    dup: bool = False  # level 3 only


@dataclass(frozen=True)
class Pubcomp(_Packet):
    TYPE: ClassVar[int] = PUBCOMP
    cmd: ClassVar[str] = "pubcomp"
    packet_id: int = 0
    reason_code: int = 0
    properties: Properties = EMPTY


@dataclass(frozen=True)
class Subscription:
    topic_filter: str = ""
    qos: int = 0  # maximum QoS
    no_local: bool = False  # 5.0
    retain_as_published: bool = False  # 5.0
    retain_handling: int = 0  # 5.0: 0, 1 or 2


@dataclass(frozen=True)
class Subscribe(_Packet):
    TYPE: ClassVar[int] = SUBSCRIBE
    cmd: ClassVar[str] = "subscribe"
    packet_id: int = 0
    subscriptions: Tuple[Subscription, ...] = ()
    properties: Properties = EMPTY
    dup: bool = False  # level 3 only
    __post_init__ = _tuple(("subscriptions",))


@dataclass(frozen=True)
class Suback(_Packet):
    TYPE: ClassVar[int] = SUBACK
    cmd: ClassVar[str] = "suback"
    packet_id: int = 0
    reason_codes: Tuple[int, ...] = ()  # 3.x: the granted QoS or 0x80
    properties: Properties = EMPTY
    __post_init__ = _tuple(("reason_codes",))


@dataclass(frozen=True)
class Unsubscribe(_Packet):
    TYPE: ClassVar[int] = UNSUBSCRIBE
    cmd: ClassVar[str] = "unsubscribe"
    packet_id: int = 0
    topic_filters: Tuple[str, ...] = ()
    properties: Properties = EMPTY
    dup: bool = False  # level 3 only
    __post_init__ = _tuple(("topic_filters",))


@dataclass(frozen=True)
class Unsuback(_Packet):
    TYPE: ClassVar[int] = UNSUBACK
    cmd: ClassVar[str] = "unsuback"
    packet_id: int = 0
    reason_codes: Tuple[int, ...] = ()  # 5.0 only
    properties: Properties = EMPTY
    __post_init__ = _tuple(("reason_codes",))


@dataclass(frozen=True)
class Pingreq(_Packet):
    TYPE: ClassVar[int] = PINGREQ
    cmd: ClassVar[str] = "pingreq"


@dataclass(frozen=True)
class Pingresp(_Packet):
    TYPE: ClassVar[int] = PINGRESP
    cmd: ClassVar[str] = "pingresp"


@dataclass(frozen=True)
class Disconnect(_Packet):
    TYPE: ClassVar[int] = DISCONNECT
    cmd: ClassVar[str] = "disconnect"
    reason_code: int = 0
    properties: Properties = EMPTY


@dataclass(frozen=True)
class Auth(_Packet):
    TYPE: ClassVar[int] = AUTH
    cmd: ClassVar[str] = "auth"
    reason_code: int = 0
    properties: Properties = EMPTY


BY_TYPE = {
    c.TYPE: c
    for c in (Connect, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp, Subscribe, Suback,
              Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect, Auth)
}
BY_CMD = {c.cmd: c for c in BY_TYPE.values()}
PACKET_CLASSES = tuple(BY_TYPE.values())

__all__ = [c.__name__ for c in PACKET_CLASSES] + ["Will", "Subscription", "Properties"]
