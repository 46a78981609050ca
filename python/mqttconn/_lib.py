"""The C library and its functions, declared once with ctypes.

The shared library is looked up, in order: the path in the environment variable
``MQTTCONN_LIBRARY`` (the build tree's tests set it), a ``libmqttconn.so*`` next to this
package or in ``../.mqttconn.mesonpy.libs`` (where an installed wheel carries it), then the
system's linker path.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
from ctypes import (
    POINTER,
    Structure,
    c_char_p,
    c_int,
    c_size_t,
    c_uint,
    c_uint8,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)

LAYOUT = 1  # the batch record layout this package reads and writes (mqttconn.h "Batches")


def _find() -> str:
    env = os.environ.get("MQTTCONN_LIBRARY")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    # Next to the package, or where meson-python puts the project's libraries in a wheel.
    for where in (here, os.path.join(os.path.dirname(here), ".mqttconn.mesonpy.libs")):
        for pattern in ("libmqttconn.so.*", "libmqttconn.so", "libmqttconn*.dylib", "mqttconn*.dll"):
            found = sorted(glob.glob(os.path.join(where, pattern)))
            if found:
                return found[0]
    name = ctypes.util.find_library("mqttconn")
    if name:
        return name
    raise ImportError("libmqttconn not found: set MQTTCONN_LIBRARY to its path")


class Bytes(Structure):
    _fields_ = [("ptr", POINTER(c_uint8)), ("len", c_size_t)]


class UserProperty(Structure):
    _fields_ = [("name", Bytes), ("value", Bytes)]


class PropertiesStruct(Structure):
    _fields_ = [
        ("struct_size", c_size_t),
        ("present", c_uint64),
        ("message_expiry_interval", c_uint32),
        ("session_expiry_interval", c_uint32),
        ("will_delay_interval", c_uint32),
        ("maximum_packet_size", c_uint32),
        ("server_keep_alive", c_uint16),
        ("receive_maximum", c_uint16),
        ("topic_alias_maximum", c_uint16),
        ("topic_alias", c_uint16),
        ("payload_format_indicator", c_uint8),
        ("request_problem_information", c_uint8),
        ("request_response_information", c_uint8),
        ("maximum_qos", c_uint8),
        ("retain_available", c_uint8),
        ("wildcard_subscription_available", c_uint8),
        ("subscription_identifier_available", c_uint8),
        ("shared_subscription_available", c_uint8),
        ("content_type", Bytes),
        ("response_topic", Bytes),
        ("correlation_data", Bytes),
        ("assigned_client_identifier", Bytes),
        ("authentication_method", Bytes),
        ("authentication_data", Bytes),
        ("response_information", Bytes),
        ("server_reference", Bytes),
        ("reason_string", Bytes),
        ("subscription_identifiers", POINTER(c_uint32)),
        ("subscription_identifier_count", c_size_t),
        ("user_properties", POINTER(UserProperty)),
        ("user_property_count", c_size_t),
    ]


class Subscription(Structure):
    _fields_ = [
        ("topic_filter", Bytes),
        ("qos", c_uint8),
        ("no_local", c_uint8),
        ("retain_as_published", c_uint8),
        ("retain_handling", c_uint8),
    ]


class Packet(Structure):
    _fields_ = [
        ("struct_size", c_size_t),
        ("type", c_int),
        ("packet_id", c_uint16),
        ("dup", c_uint8),
        ("qos", c_uint8),
        ("retain", c_uint8),
        ("reason_code", c_uint8),
        ("session_present", c_uint8),
        ("protocol_version", c_uint8),
        ("bridge", c_uint8),
        ("clean_start", c_uint8),
        ("keep_alive", c_uint16),
        ("client_id", Bytes),
        ("has_username", c_uint8),
        ("has_password", c_uint8),
        ("has_will", c_uint8),
        ("will_qos", c_uint8),
        ("will_retain", c_uint8),
        ("username", Bytes),
        ("password", Bytes),
        ("will_topic", Bytes),
        ("will_payload", Bytes),
        ("will_props", POINTER(PropertiesStruct)),
        ("topic", Bytes),
        ("payload", Bytes),
        ("subscriptions", POINTER(Subscription)),
        ("subscription_count", c_size_t),
        ("topic_filters", POINTER(Bytes)),
        ("topic_filter_count", c_size_t),
        ("reason_codes", Bytes),
        ("props", POINTER(PropertiesStruct)),
    ]


class Error(Structure):
    _fields_ = [
        ("struct_size", c_size_t),
        ("code", c_int),
        ("reason_code", c_uint8),
        ("packet_type", c_uint8),
        ("offset", c_uint64),
        ("field", c_char_p),
        ("what", c_char_p),
    ]


class VersionInfo(Structure):
    _fields_ = [
        ("struct_size", c_size_t),
        ("major", c_uint),
        ("minor", c_uint),
        ("patch", c_uint),
        ("num", c_uint),
        ("string", c_char_p),
    ]


class Allocator(Structure):
    _fields_ = [("user", c_void_p), ("alloc", c_void_p), ("free", c_void_p)]


P = POINTER
_u8p = c_void_p  # buffers are passed as addresses (bytes, bytearray via from_buffer)
_size_p = P(c_size_t)

# name: (restype, argtypes). Every function of mqttconn.h, once.
_SIGNATURES = {
    "mqttconn_version": (P(VersionInfo), []),
    "mqttconn_strerror": (c_char_p, [c_int]),
    "mqttconn_is_fatal": (c_int, [c_int]),
    "mqttconn_config_new": (c_int, [P(c_void_p), P(Allocator)]),
    "mqttconn_config_free": (None, [c_void_p]),
    "mqttconn_config_set_role": (c_int, [c_void_p, c_int]),
    "mqttconn_config_set_max_packet_size": (c_int, [c_void_p, c_uint32]),
    "mqttconn_config_set_reject_disallowed_code_points": (c_int, [c_void_p, c_int]),
    "mqttconn_config_set_check_payload_format": (c_int, [c_void_p, c_int]),
    "mqttconn_config_set_max_output": (c_int, [c_void_p, c_size_t]),
    "mqttconn_config_set_borrow_payloads_from": (c_int, [c_void_p, c_size_t]),
    "mqttconn_conn_new": (c_int, [P(c_void_p), c_void_p, P(Allocator)]),
    "mqttconn_conn_free": (None, [c_void_p]),
    "mqttconn_conn_receive": (c_int, [c_void_p, _u8p, c_size_t, _size_p]),
    "mqttconn_conn_next_event": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_connect": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_connack": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_publish": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_puback": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_pubrec": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_pubrel": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_pubcomp": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_subscribe": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_suback": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_unsubscribe": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_unsuback": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_pingreq": (c_int, [c_void_p]),
    "mqttconn_conn_pingresp": (c_int, [c_void_p]),
    "mqttconn_conn_disconnect": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_auth": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_send": (c_int, [c_void_p, P(Packet)]),
    "mqttconn_conn_output": (c_int, [c_void_p, P(Bytes)]),
    "mqttconn_conn_output_iov": (c_int, [c_void_p, P(Bytes), c_size_t, _size_p]),
    "mqttconn_conn_output_consume": (c_int, [c_void_p, c_size_t]),
    "mqttconn_conn_input_buffered": (c_size_t, [c_void_p]),
    "mqttconn_conn_output_size": (c_size_t, [c_void_p]),
    "mqttconn_conn_state": (c_int, [c_void_p]),
    "mqttconn_conn_version": (c_int, [c_void_p]),
    "mqttconn_conn_reason_code": (c_int, [c_void_p]),
    "mqttconn_conn_error": (c_int, [c_void_p, P(Error)]),
    "mqttconn_conn_last_error": (c_int, [c_void_p, P(Error)]),
    "mqttconn_decoder_new": (c_int, [P(c_void_p), c_void_p, P(Allocator)]),
    "mqttconn_decoder_free": (None, [c_void_p]),
    "mqttconn_decode": (c_int, [c_void_p, _u8p, c_size_t, c_int, _size_p, P(Packet)]),
    "mqttconn_decoder_error": (c_int, [c_void_p, P(Error)]),
    "mqttconn_encode": (c_int, [P(Packet), c_int, _u8p, c_size_t, _size_p]),
    "mqttconn_batch_layout": (c_int, []),
    "mqttconn_decode_batch": (
        c_int,
        [c_void_p, _u8p, c_size_t, c_int, _u8p, c_size_t, _size_p, _size_p, _size_p],
    ),
    "mqttconn_conn_receive_batch": (
        c_int,
        [c_void_p, _u8p, c_size_t, _u8p, c_size_t, _size_p, _size_p, _size_p, P(Packet)],
    ),
    "mqttconn_encode_batch": (c_int, [_u8p, c_size_t, c_int, _u8p, c_size_t, _size_p, _size_p]),
    "mqttconn_conn_send_batch": (c_int, [c_void_p, _u8p, c_size_t, _size_p]),
}

path = _find()
lib = ctypes.CDLL(path)

for _name, (_res, _args) in _SIGNATURES.items():
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args

if lib.mqttconn_batch_layout() != LAYOUT:
    raise ImportError(
        f"{path}: batch record layout {lib.mqttconn_batch_layout()}, this package reads {LAYOUT}"
    )

# Codes (mqttconn.h).
OK = 0
DONE = 1
BATCH_FULL = 2
ERR_ARGUMENT = -1
ERR_BUFFER_TOO_SMALL = -5
ERR_NEED_MORE = -9

ROLE_CLIENT = 0
ROLE_SERVER = 1


def strerror(rc: int) -> str:
    return lib.mqttconn_strerror(rc).decode()


def version() -> str:
    return lib.mqttconn_version().contents.string.decode()
