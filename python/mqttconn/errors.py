"""Exceptions: one per band of the C codes (mqttconn.h, "Codes").

Every exception carries ``code`` (the C code, negative), ``reason_code`` (the MQTT 5 reason
code that goes with it, 0 when none), ``message``, ``offset`` (byte offset of the fault in
the received stream, or None), and ``field`` (which part was at fault, when known).
"""

from __future__ import annotations


class MqttconnError(Exception):
    """Base class of everything this package raises for a C error code."""

    def __init__(self, code, message, reason_code=0, offset=None, field="", packets=()):
        super().__init__(message)
        self.code = code
        self.reason_code = reason_code
        self.message = message
        self.offset = offset
        self.field = field
        # Packets decoded or received before the fault (batch calls), in order.
        self.packets = list(packets)

    def to_dict(self) -> dict:
        return {
            "error": type(self).__name__,
            "code": self.code,
            "reasonCode": self.reason_code,
            "message": self.message,
            "offset": self.offset,
        }


class UsageError(MqttconnError, ValueError):
    """The caller's mistake (codes -1 .. -99): bad argument, wrong state, packet that cannot
    be encoded, closed connection. The connection stays usable."""


class ProtocolError(MqttconnError):
    """The peer broke the protocol (codes -100 .. -199). Receiving is over; the output may hold
    the CONNACK or DISCONNECT that says why (``reason_code``)."""


class FatalError(MqttconnError):
    """Out of memory or an internal failure (codes <= -900): the connection is unusable."""


def error_class(code: int) -> type:
    if code <= -900:
        return FatalError
    if code <= -100:
        return ProtocolError
    return UsageError
