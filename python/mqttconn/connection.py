"""mqttconn.Connection: the sans-I/O MQTT connection of the C library, in Python.

    conn = mqttconn.Connection(role="client")
    conn.connect(client_id="c1", protocol_version=5, keep_alive=30, session_expiry_interval=60)
    sock.sendall(conn.data_to_send())
    for packet in conn.receive_data(sock.recv(65536)):
        ...

Sends take keyword arguments (the packet's fields and any MQTT 5 property by name) or a
packet object (send()). Received packets come back as packet objects (packets.py). Errors
raise UsageError (the caller's mistake; the connection stays usable), ProtocolError (the peer
broke the protocol: receiving is over, data_to_send() may hold the CONNACK or DISCONNECT that
says why) or FatalError.

Packets cross into C as batch records (mqttconn_conn_send_batch, mqttconn_conn_receive_batch),
one C call per receive_data() or send. The connection copies every payload it queues (the
borrow threshold is set to the maximum), so nothing Python passes must outlive the call.
"""

from __future__ import annotations

import ctypes
from typing import Iterable, List

from . import _lib
from . import packets as P
from ._build import build
from ._records import unpack
from ._util import OutBuffer, address, new_error, new_handle, raise_code, record_of
from .codec import Decoder
from .errors import UsageError

_lib_ = _lib.lib
_ROLES = {"client": _lib.ROLE_CLIENT, "server": _lib.ROLE_SERVER}
STATES = ("idle", "connecting", "connected", "closed")
_SIZE_MAX = ctypes.c_size_t(-1).value


class Connection:
    """One MQTT connection, client or server side, any level (the CONNECT decides)."""

    def __init__(self, role: str = "client", *, max_packet_size: int | None = None,
                 reject_disallowed_code_points: bool = False, check_payload_format: bool = False,
                 max_output: int | None = None):
        if role not in _ROLES:
            raise UsageError(_lib.ERR_ARGUMENT, f"invalid argument: role {role!r} is not 'client' or 'server'")
        self.role = role
        # Records live for the call only: the connection must copy every payload.
        self._h = new_handle(_lib_.mqttconn_conn_new, (
            ("role", _ROLES[role]),
            ("max_packet_size", max_packet_size),
            ("reject_disallowed_code_points", int(reject_disallowed_code_points)),
            ("check_payload_format", int(check_payload_format)),
            ("max_output", max_output),
            ("borrow_payloads_from", _SIZE_MAX)))
        self._out = OutBuffer(1 << 16)
        self._last = _lib.Packet()
        self._last.struct_size = ctypes.sizeof(_lib.Packet)
        self._consumed = ctypes.c_size_t()
        self._written = ctypes.c_size_t()
        self._count = ctypes.c_size_t()
        self._read = ctypes.c_size_t()
        self._received = 0  # bytes given to receive_data() so far
        self._spill = {}    # decoders for events too large for the record buffer

    def __del__(self):
        h = getattr(self, "_h", None)
        if h:
            _lib_.mqttconn_conn_free(h)
            self._h = None

    def close(self) -> None:
        """Frees the C connection now (also done when the object goes away)."""
        self.__del__()

    def _handle(self):
        if not self._h:
            raise UsageError(_lib.ERR_ARGUMENT, "invalid argument: the connection was closed with close()")
        return self._h

    def _check(self, rc: int, h, offset_base: int = 0, packets=()) -> int:
        if rc >= 0:
            return rc
        err = None
        if h:
            err = new_error()
            _lib_.mqttconn_conn_last_error(h, err)
            if err.code != rc:
                err = None
        raise_code(rc, err, offset_base, packets)

    # ---- Receiving ------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> List:
        """The packets `data` completes, in order (bytes of a packet cut short are kept). On a
        protocol violation raises ProtocolError, whose ``packets`` holds the packets received
        before it; data_to_send() may then hold the CONNACK or DISCONNECT that says why."""
        h = self._handle()
        data = bytes(data)
        n = len(data)
        base = address(data)
        pos = 0
        out = self._out
        result = []
        consumed, written, count = self._consumed, self._written, self._count
        ref = ctypes.byref
        while True:
            rc = _lib_.mqttconn_conn_receive_batch(h, base + pos, n - pos, out.addr, out.cap, ref(consumed),
                                                  ref(written), ref(count), ref(self._last))
            if count.value:
                result.extend(unpack(out.take(written.value), count.value))
            pos += consumed.value
            if rc == _lib.BATCH_FULL:
                result.append(self._spilled())
                continue
            if rc < 0:
                self._received += pos
                err = new_error()
                _lib_.mqttconn_conn_last_error(h, err)
                raise_code(rc, err if err.code == rc else None, 0, result)
            self._received += pos
            return result

    def _spilled(self):
        """The event in self._last, too large for the record buffer: encoded back to its wire
        bytes and decoded into a record by a decoder (rare: big packets only)."""
        ev = self._last
        version = ev.protocol_version if ev.type == P.CONNECT else self.version
        size = ctypes.c_size_t()
        _lib_.mqttconn_encode(ctypes.byref(ev), version, None, 0, ctypes.byref(size))
        wire = ctypes.create_string_buffer(size.value)
        rc = _lib_.mqttconn_encode(ctypes.byref(ev), version, wire, size.value, ctypes.byref(size))
        if rc < 0:
            raise_code(rc)
        dec = self._spill.get(version)
        if dec is None:
            dec = self._spill[version] = Decoder(version, buffer_size=max(1 << 16, 2 * size.value + 64))
        (packet,) = dec.feed(wire.raw[:size.value])
        if self._out.cap < (1 << 22):  # the next event this large fits
            self._out.resize(min(1 << 22, max(self._out.cap * 2, 2 * size.value + 64)))
        return packet

    # ---- Output ---------------------------------------------------------------------------

    def data_to_send(self) -> bytes:
        """Everything queued for the peer; the queue is empty afterwards."""
        h = self._handle()
        n = _lib_.mqttconn_conn_output_size(h)
        if n == 0:
            return b""
        chunks = []
        b = _lib.Bytes()
        while _lib_.mqttconn_conn_output(h, ctypes.byref(b)) == _lib.OK:
            chunks.append(ctypes.string_at(b.ptr, b.len))
            self._check(_lib_.mqttconn_conn_output_consume(h, b.len), h)
        return b"".join(chunks)

    @property
    def output_size(self) -> int:
        return _lib_.mqttconn_conn_output_size(self._handle())

    @property
    def input_buffered(self) -> int:
        """Bytes of a packet not yet whole that receive_data() keeps (0 between packets and
        once closed): nonzero at the end of the stream means the peer stopped inside a packet."""
        return _lib_.mqttconn_conn_input_buffered(self._handle())

    # ---- Sending --------------------------------------------------------------------------

    def send(self, *packets) -> None:
        """Sends packet objects, in order; stops at the first that fails (raising)."""
        self.send_all(packets)

    def send_all(self, packets: Iterable) -> None:
        h = self._handle()
        records = b"".join([record_of(p) for p in packets])
        rc = _lib_.mqttconn_conn_send_batch(h, records, len(records), ctypes.byref(self._read))
        self._check(rc, h)

    def _send(self, cls, kw):
        try:
            p = build(cls, kw)
        except (TypeError, ValueError) as e:
            raise UsageError(_lib.ERR_ARGUMENT, f"invalid argument: {e}") from None
        self.send_all((p,))
        return p

    def connect(self, **kw) -> P.Connect:
        """Client: sends CONNECT (client_id, protocol_version 3/4/5, clean_start, keep_alive,
        username, password, will (a Will or a dict), bridge, properties)."""
        return self._send(P.Connect, kw)

    def connack(self, **kw) -> P.Connack:
        return self._send(P.Connack, kw)

    def publish(self, **kw) -> P.Publish:
        return self._send(P.Publish, kw)

    def puback(self, **kw) -> P.Puback:
        return self._send(P.Puback, kw)

    def pubrec(self, **kw) -> P.Pubrec:
        return self._send(P.Pubrec, kw)

    def pubrel(self, **kw) -> P.Pubrel:
        return self._send(P.Pubrel, kw)

    def pubcomp(self, **kw) -> P.Pubcomp:
        return self._send(P.Pubcomp, kw)

    def subscribe(self, **kw) -> P.Subscribe:
        """subscriptions: Subscription objects, topic filter strings, (filter, qos, ...)
        tuples or dicts of Subscription's fields."""
        return self._send(P.Subscribe, kw)

    def suback(self, **kw) -> P.Suback:
        return self._send(P.Suback, kw)

    def unsubscribe(self, **kw) -> P.Unsubscribe:
        return self._send(P.Unsubscribe, kw)

    def unsuback(self, **kw) -> P.Unsuback:
        return self._send(P.Unsuback, kw)

    def pingreq(self) -> P.Pingreq:
        return self._send(P.Pingreq, {})

    def pingresp(self) -> P.Pingresp:
        return self._send(P.Pingresp, {})

    def disconnect(self, **kw) -> P.Disconnect:
        return self._send(P.Disconnect, kw)

    def auth(self, **kw) -> P.Auth:
        return self._send(P.Auth, kw)

    # ---- State ----------------------------------------------------------------------------

    @property
    def state(self) -> str:
        """'idle', 'connecting', 'connected' or 'closed'."""
        return STATES[self._check(_lib_.mqttconn_conn_state(self._handle()), None)]

    @property
    def version(self) -> int:
        """The protocol level (3, 4, 5) once a CONNECT went through, else the default."""
        return self._check(_lib_.mqttconn_conn_version(self._handle()), None)

    @property
    def reason_code(self) -> int:
        """The reason code of the violation that closed the connection, 0 if none."""
        return self._check(_lib_.mqttconn_conn_reason_code(self._handle()), None)

    @property
    def bytes_received(self) -> int:
        return self._received

    def error(self):
        """The ProtocolError (or FatalError) that closed the connection, or None."""
        h = self._handle()
        err = new_error()
        rc = _lib_.mqttconn_conn_error(h, err)
        if rc == _lib.DONE:
            return None
        try:
            raise_code(err.code if rc == _lib.OK else rc, err)
        except Exception as e:
            return e
