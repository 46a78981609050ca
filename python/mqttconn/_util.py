"""What codec.py and connection.py share: buffers, addresses, raising for C codes."""

from __future__ import annotations

import ctypes
import struct

from . import _lib
from ._records import pack
from .errors import UsageError, error_class

_addr_of = ctypes.cast


def address(data: bytes) -> int:
    """The address of the bytes of `data` (which the caller keeps alive)."""
    return _addr_of(data, ctypes.c_void_p).value or 0


def new_handle(new, settings) -> ctypes.c_void_p:
    """A handle from `new` (mqttconn_conn_new or mqttconn_decoder_new) and a config made with
    `settings`: pairs of a config setter's name (without mqttconn_config_set_) and its value,
    None meaning the default. Raises for the first call that fails; the config is freed."""
    lib = _lib.lib
    cfg = ctypes.c_void_p()
    rc = lib.mqttconn_config_new(ctypes.byref(cfg), None)
    if rc < 0:
        raise_code(rc)
    try:
        for name, value in settings:
            if value is not None and (rc := getattr(lib, "mqttconn_config_set_" + name)(cfg, value)) < 0:
                raise_code(rc)
        h = ctypes.c_void_p()
        rc = new(ctypes.byref(h), cfg, None)
        if rc < 0:
            raise_code(rc)
    finally:
        lib.mqttconn_config_free(cfg)
    return h


class OutBuffer:
    """A buffer the C side writes records or packets into, grown on demand and reused.
    Results are copied out with take() before the next call that writes it."""

    def __init__(self, cap: int = 1 << 16):
        self.resize(cap)

    def resize(self, cap: int) -> None:
        self.cap = cap
        self.buf = bytearray(cap)
        self.view = memoryview(self.buf)
        self._c = (ctypes.c_char * cap).from_buffer(self.buf)  # pins the bytearray's storage
        self.addr = ctypes.addressof(self._c)

    def take(self, n: int) -> bytes:
        return self.view[:n].tobytes()


def raise_code(rc: int, err: _lib.Error | None = None, offset_base: int = 0, packets=()):
    """Raises the exception for C code `rc`, with the details of `err` when it was filled."""
    message = _lib.strerror(rc)
    reason = 0
    offset = None
    field = ""
    if err is not None and err.code == rc:
        reason = err.reason_code
        if rc <= -100:
            offset = offset_base + err.offset
        field = (err.field or b"").decode()
        what = (err.what or b"").decode()
        if field or what:
            message = f"{message}: {field} {what}".strip()
    raise error_class(rc)(rc, message, reason, offset, field, packets)


def new_error() -> _lib.Error:
    e = _lib.Error()
    e.struct_size = ctypes.sizeof(_lib.Error)
    return e


def record_of(p) -> bytes:
    """The record of packet `p`, misuse as UsageError."""
    try:
        return pack(p)
    except (struct.error, ValueError, TypeError, AttributeError, UnicodeError) as e:
        raise UsageError(_lib.ERR_ARGUMENT, f"invalid argument: {e}") from None
