"""mqttconn: a sans-I/O MQTT 3.1 / 3.1.1 / 5.0 connection and codec (Python binding of the
mqttconn C library, through ctypes).

    import mqttconn
    conn = mqttconn.Connection(role="client")
    conn.connect(client_id="c1", protocol_version=5)
    transport.write(conn.data_to_send())
    for packet in conn.receive_data(received_bytes): ...

    mqttconn.decode(data, version=5) -> [packets]     mqttconn.encode(packet, version=5) -> bytes
    packet.to_dict() / mqttconn.from_dict(d)          # mqtt-packet's object shape
"""

from . import _lib
from .codec import Decoder, decode, encode, encode_all, iter_decode
from .connection import Connection
from .errors import FatalError, MqttconnError, ProtocolError, UsageError
from .packets import (
    Auth,
    Connack,
    Connect,
    Disconnect,
    Pingreq,
    Pingresp,
    Puback,
    Pubcomp,
    Publish,
    Pubrec,
    Pubrel,
    Suback,
    Subscribe,
    Subscription,
    Unsuback,
    Unsubscribe,
    Will,
)
from .properties import Properties
from ._convert import from_dict, props_from_dict, props_to_dict

__version__ = _lib.version()
library_path = _lib.path

__all__ = [
    "Connection", "Decoder", "decode", "encode", "encode_all", "iter_decode", "from_dict",
    "props_from_dict", "props_to_dict", "MqttconnError", "UsageError", "ProtocolError", "FatalError",
    "Properties", "Will", "Subscription", "Connect", "Connack", "Publish", "Puback", "Pubrec", "Pubrel",
    "Pubcomp", "Subscribe", "Suback", "Unsubscribe", "Unsuback", "Pingreq", "Pingresp", "Disconnect", "Auth",
]
