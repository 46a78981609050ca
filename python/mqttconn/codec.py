"""Decoding and encoding without a connection (mqttconn_decode_batch, mqttconn_encode_batch).

    packets = mqttconn.decode(data, version=5)          # every packet of data, or raises
    for p in mqttconn.iter_decode(data, version=5): ... # lazily, batch by batch
    data = mqttconn.encode(packet, version=5)
    data = mqttconn.encode_all(packets, version=5)

A CONNECT is decoded and encoded at its own level whatever `version` says.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Iterable, Iterator, List

from . import _lib
from ._records import unpack
from ._util import OutBuffer, address, new_error, new_handle, raise_code, record_of
from .errors import UsageError

_lib_ = _lib.lib
_VERSIONS = (3, 4, 5)


def _check_version(version: int) -> int:
    if version not in _VERSIONS:
        raise UsageError(_lib.ERR_ARGUMENT, f"invalid argument: protocol version {version!r} is not 3, 4 or 5")
    return version


class Decoder:
    """A stream decoder at one protocol level: feed() bytes as they come, get the packets of
    every whole one; the bytes of a packet cut short are kept for the next feed(). After a
    protocol error the decoder refuses further input."""

    def __init__(self, version: int = 4, *, max_packet_size: int | None = None,
                 reject_disallowed_code_points: bool = False, check_payload_format: bool = False,
                 buffer_size: int = 1 << 16):
        self.version = _check_version(version)
        self._h = new_handle(_lib_.mqttconn_decoder_new, (
            ("max_packet_size", max_packet_size),
            ("reject_disallowed_code_points", int(reject_disallowed_code_points)),
            ("check_payload_format", int(check_payload_format))))
        self._out = OutBuffer(buffer_size)
        self._tail = b""
        self._offset = 0  # stream offset of the first byte of _tail
        self._pending = []  # decoded, not yet taken (an iter_feed() stopped early)
        self._failed = None
        self._consumed = ctypes.c_size_t()
        self._written = ctypes.c_size_t()
        self._count = ctypes.c_size_t()
        self._refs = (ctypes.byref(self._consumed), ctypes.byref(self._written), ctypes.byref(self._count))

    def __del__(self):
        h = getattr(self, "_h", None)
        if h:
            _lib_.mqttconn_decoder_free(h)
            self._h = None

    @property
    def buffered(self) -> int:
        """Bytes kept from earlier feeds: an unfinished packet, or what an iter_feed()
        stopped early left undecoded."""
        return len(self._tail)

    def feed(self, data: bytes) -> List:
        """The packets completed by `data`, in order. On bad bytes raises ProtocolError whose
        ``packets`` holds the packets decoded before the fault and whose ``offset`` counts
        from the first byte ever fed."""
        if not (self._tail or self._pending or self._failed):  # the usual case: one C call
            buf = data if type(data) is bytes else bytes(data)
            n = len(buf)
            out = self._out
            rc = _decode_batch(self._h, buf, n, self.version, out.addr, out.cap, *self._refs)
            if rc == _lib.OK and self._consumed.value == n:
                self._offset += n
                c = self._count.value
                return unpack(out.take(self._written.value), c) if c else []
            self._tail, self._pending = b"", []
            return self._after_first(buf, rc)
        out = []
        for batch in self._batches(data):
            out += batch
        return out

    def _after_first(self, buf: bytes, rc: int) -> List:
        """feed()'s slow path: the first C call on `buf` did not take it all."""
        c = self._count.value
        packets = unpack(self._out.take(self._written.value), c) if c else []
        pos = self._consumed.value
        if rc < 0:
            self._fail(rc, pos, packets)
        self._offset += pos
        self._tail = buf[pos:]
        if rc == _lib.OK:  # a packet cut short at the end
            return packets
        if rc == _lib.BATCH_FULL and c == 0:
            self._out.resize(max(self._out.cap * 2, self._written.value))
        for batch in self._batches(b""):
            packets += batch
        return packets

    def _fail(self, rc: int, pos: int, packets):
        err = new_error()
        _lib_.mqttconn_decoder_error(self._h, err)
        try:
            raise_code(rc, err, self._offset + pos, packets)
        except Exception as e:  # every later feed raises it again
            self._failed = e
            self._tail = b""
            raise

    def iter_feed(self, data: bytes) -> Iterator:
        """feed() as an iterator: the caller may stop early; what was not taken (packets
        decoded, bytes not yet decoded) comes first in the next feed, once the iterator is
        exhausted or closed."""
        batch = ()
        taken = 0
        try:
            for batch in self._batches(data):
                for taken, p in enumerate(batch, 1):  # noqa: B007 (read in finally)
                    yield p
                batch = ()
        finally:
            self._pending = list(batch[taken:])

    def _batches(self, data: bytes) -> Iterator[list]:
        """Decodes `data` (after what earlier feeds left) in batches: one C call, one list."""
        if self._failed is not None:
            raise self._failed
        if self._pending:  # decoded by an earlier feed that was stopped early
            pending, self._pending = self._pending, []
            yield pending
        buf = self._tail + bytes(data) if self._tail else bytes(data)
        self._tail = b""
        pos = 0
        n = len(buf)
        base = address(buf) if n else 0
        out = self._out
        count = self._count
        refs = self._refs
        try:
            while pos < n:
                rc = _decode_batch(self._h, base + pos, n - pos, self.version, out.addr, out.cap, *refs)
                c = count.value
                packets = unpack(out.take(self._written.value), c) if c else []
                pos += self._consumed.value
                if rc < 0:
                    try:
                        self._fail(rc, pos, packets)
                    finally:
                        pos = n
                if rc == _lib.BATCH_FULL and c == 0:
                    out.resize(max(out.cap * 2, self._written.value))
                    continue
                yield packets
                if rc == _lib.OK:
                    break
        finally:
            self._offset += pos
            if not self._failed:
                self._tail = buf[pos:]


_decode_batch = _lib_.mqttconn_decode_batch


# The module functions' decoders and buffers, per thread (a Decoder or Connection is for one
# thread at a time, like the C handles).
_local = threading.local()


def _decoders() -> dict:
    try:
        return _local.decoders
    except AttributeError:
        _local.decoders = {}
        return _local.decoders


def _decoder(version: int) -> Decoder:
    ds = _decoders()
    d = ds.get(version)
    if d is None or d._failed is not None or d._tail or d._pending:
        d = ds[version] = Decoder(version)
    return d


def decode(data: bytes, version: int = 4) -> List:
    """Every packet of `data`, which must end on a packet boundary. Raises ProtocolError on bad
    bytes (``packets``: those before the fault) and UsageError (code NEED_MORE) when `data`
    ends inside a packet."""
    d = _decoder(_check_version(version))
    d._offset = 0
    try:
        packets = d.feed(data)
    except Exception:
        _decoders().pop(version, None)
        raise
    if d._tail:
        n = len(d._tail)
        _decoders().pop(version, None)
        e = UsageError(_lib.ERR_NEED_MORE, f"{_lib.strerror(_lib.ERR_NEED_MORE)}: the last {n} bytes",
                       0, len(data) - n, "", packets)
        raise e
    return packets


def iter_decode(data: bytes, version: int = 4) -> Iterator:
    """The packets of `data` lazily, batch by batch, so the caller may stop early. A packet
    cut short at the end raises UsageError (NEED_MORE) when reached."""
    d = Decoder(version)
    yield from d.iter_feed(data)
    if d._tail:
        raise UsageError(_lib.ERR_NEED_MORE, _lib.strerror(_lib.ERR_NEED_MORE), 0, len(data) - len(d._tail))


class _Encoder:
    """Output buffer and result cells of mqttconn_encode_batch(), one per thread."""

    def __init__(self):
        self.read = ctypes.c_size_t()
        self.written = ctypes.c_size_t()
        self.refs = (ctypes.byref(self.read), ctypes.byref(self.written))
        self.out = OutBuffer(1 << 16)


def _encoder() -> _Encoder:
    try:
        return _local.encoder
    except AttributeError:
        _local.encoder = _Encoder()
        return _local.encoder


_encode_batch = _lib_.mqttconn_encode_batch


def encode_all(packets: Iterable, version: int = 4) -> bytes:
    """The wire bytes of `packets`, in order, at level `version`. Raises UsageError for a
    packet the level cannot carry or that breaks a rule of the spec."""
    _check_version(version)
    records = b"".join([record_of(p) for p in packets])
    return encode_records(records, version)


def encode(packet, version: int = 4) -> bytes:
    """The wire bytes of one packet."""
    if version not in _VERSIONS:
        _check_version(version)
    rec = record_of(packet)
    e = _encoder()
    out = e.out
    rc = _encode_batch(rec, len(rec), version, out.addr, out.cap, *e.refs)
    if rc == _lib.OK:
        return out.take(e.written.value)
    return encode_records(rec, version)


def encode_records(records: bytes, version: int) -> bytes:
    """The wire bytes of batch records (mqttconn_encode_batch)."""
    e = _encoder()
    out = e.out
    n = len(records)
    base = address(records) if n else 0
    pos = 0
    chunks = []
    while True:
        rc = _encode_batch(base + pos, n - pos, version, out.addr, out.cap, *e.refs)
        if rc == _lib.ERR_BUFFER_TOO_SMALL:
            out.resize(max(out.cap * 2, e.written.value))
            continue
        if rc < 0:
            raise_code(rc)
        chunks.append(out.take(e.written.value))
        pos += e.read.value
        if pos >= n:
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
