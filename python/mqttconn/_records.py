"""Packets <-> batch records (include/mqttconn.h, "Batches", layout 1).

A record is a 16-byte header (size, type, flags, packet id, reason code, level, keep alive,
CONNECT flags), the lengths of its sections (a fixed number per packet type), then the
sections. The C library writes records for what it decodes
or receives and reads records for what it encodes or sends, so a whole batch crosses the
ctypes boundary in one call and Python does the rest with struct.
"""

from __future__ import annotations

import struct

from . import packets as P
from .properties import EMPTY, TABLE, Properties

U32 = struct.Struct("<I")
U16 = struct.Struct("<H")
ID_U32 = struct.Struct("<BI")
SUB = struct.Struct("<BH")
_u32 = U32.unpack_from
_u16 = U16.unpack_from

_new = object.__new__
_KIND = {pid: (name, kind) for name, pid, kind, _ in TABLE}
_ORDER = tuple((name, pid, kind) for name, pid, kind, _ in TABLE)


def make(cls, fields: dict):
    """A frozen dataclass instance from a dict of some of its fields (the others keep their
    class defaults), without running __init__: the decoding hot path."""
    obj = _new(cls)
    obj.__dict__.update(fields)
    return obj


# ---- Reading records ------------------------------------------------------------------------

# The fixed part of a record, with its table of section lengths, per section count.
_HEAD = {n: struct.Struct("<IBBHBBHBBH" + "I" * n) for n in (1, 2, 3, 7)}
_H1, _H2, _H3, _H7 = (_HEAD[n].unpack_from for n in (1, 2, 3, 7))


# Per property id: (field name, kind code); the codes order the tests of the hot loop.
_STR, _BIN, _INT, _BOOL, _IDS, _PAIRS = range(6)
_CODE = {"str": _STR, "bin": _BIN, "int": _INT, "bool": _BOOL, "ids": _IDS, "pairs": _PAIRS}
_BY_ID = [None] * 256
for _name, _pid, _kind, _ in TABLE:
    _BY_ID[_pid] = (_name, _CODE[_kind])


def _parse_props(data: bytes, pos: int, end: int) -> Properties:
    d = {}
    ups = []
    ids = []
    by_id = _BY_ID
    while pos < end:
        name, k = by_id[data[pos]]
        if k == _PAIRS:
            n = data[pos + 1] | data[pos + 2] << 8
            pos += 3
            key = data[pos:pos + n].decode()
            pos += n
            n = data[pos] | data[pos + 1] << 8
            pos += 2
            ups.append((key, data[pos:pos + n].decode()))
            pos += n
        elif k <= _BIN:
            n = data[pos + 1] | data[pos + 2] << 8
            pos += 3
            d[name] = data[pos:pos + n].decode() if k == _STR else data[pos:pos + n]
            pos += n
        else:
            v = data[pos + 1] | data[pos + 2] << 8 | data[pos + 3] << 16 | data[pos + 4] << 24
            pos += 5
            if k == _INT:
                d[name] = v
            elif k == _BOOL:
                d[name] = v != 0
            else:
                ids.append(v)
    if ups:
        d["user_properties"] = tuple(ups)
    if ids:
        d["subscription_identifiers"] = tuple(ids)
    return make(Properties, d)


# Property blocks and subscription lists repeat from packet to packet (the same user
# properties, content type, filters): the immutable objects made from a block's bytes are
# shared by the packets that carry the same bytes. Bounded: cleared when full; small blocks only.
_CACHE_ENTRIES = 4096
_CACHE_BLOCK = 512
_props_cache = {}
_subs_cache = {}


def _props(data: bytes, pos: int, end: int) -> Properties:
    if pos == end:
        return EMPTY
    if end - pos > _CACHE_BLOCK:
        return _parse_props(data, pos, end)
    key = data[pos:end]
    v = _props_cache.get(key)
    if v is None:
        v = _parse_props(data, pos, end)
        if len(_props_cache) >= _CACHE_ENTRIES:
            _props_cache.clear()
        _props_cache[key] = v
    return v


def _subscriptions(body: bytes) -> tuple:
    v = _subs_cache.get(body) if len(body) <= _CACHE_BLOCK else None
    if v is not None:
        return v
    subs = []
    i = 0
    n_body = len(body)
    Subscription = P.Subscription
    while i < n_body:
        o = body[i]
        n = body[i + 1] | body[i + 2] << 8
        sub = _new(Subscription)
        sub.__dict__.update({
            "topic_filter": body[i + 3:i + 3 + n].decode(), "qos": o & 3,
            "no_local": o & 4 != 0, "retain_as_published": o & 8 != 0,
            "retain_handling": (o >> 4) & 3})
        subs.append(sub)
        i += 3 + n
    v = tuple(subs)
    if n_body <= _CACHE_BLOCK:
        if len(_subs_cache) >= _CACHE_ENTRIES:
            _subs_cache.clear()
        _subs_cache[body] = v
    return v


def _unpack_other(data: bytes, off: int, typ: int):
    if typ == P.CONNECT:
        (_, _, _, _, _, ver, ka, cf, _, _, l_cid, l_wprops, l_wtopic, l_wpayload, l_user, l_pw,
         l_props) = _H7(data, off)
        pos = off + 44
        cid = data[pos:pos + l_cid].decode()
        pos += l_cid
        wprops = _props(data, pos, pos + l_wprops)
        pos += l_wprops
        wtopic = data[pos:pos + l_wtopic]
        pos += l_wtopic
        wpayload = data[pos:pos + l_wpayload]
        pos += l_wpayload
        user = data[pos:pos + l_user]
        pos += l_user
        pw = data[pos:pos + l_pw]
        pos += l_pw
        will = None
        if cf & 1:
            will = make(P.Will, {"topic": wtopic.decode(), "payload": wpayload,
                                 "qos": (cf >> 2) & 3, "retain": bool(cf & 2), "properties": wprops})
        return make(P.Connect, {
            "client_id": cid, "protocol_version": ver, "clean_start": bool(cf & 0x80),
            "keep_alive": ka, "username": user.decode() if cf & 0x10 else None,
            "password": pw if cf & 0x20 else None, "will": will, "bridge": bool(cf & 0x40),
            "properties": _props(data, pos, pos + l_props)})
    if typ in (P.SUBSCRIBE, P.UNSUBSCRIBE, P.SUBACK, P.UNSUBACK):
        _, _, flags, pid, _, _, _, _, _, _, l_body, l_props = _H2(data, off)
        pos = off + 24
        body = data[pos:pos + l_body]
        props = _props(data, pos + l_body, pos + l_body + l_props)
        if typ == P.SUBSCRIBE:
            return make(P.Subscribe, {"packet_id": pid, "subscriptions": _subscriptions(body),
                                      "dup": bool(flags & 1), "properties": props})
        if typ == P.UNSUBSCRIBE:
            filters = []
            i = 0
            while i < len(body):
                n = _u16(body, i)[0]
                filters.append(body[i + 2:i + 2 + n].decode())
                i += 2 + n
            return make(P.Unsubscribe, {"packet_id": pid, "topic_filters": tuple(filters),
                                        "dup": bool(flags & 1), "properties": props})
        return make(P.BY_TYPE[typ], {"packet_id": pid, "reason_codes": tuple(body), "properties": props})
    _, _, flags, pid, rc, _, _, _, _, _, l_props = _H1(data, off)
    props = _props(data, off + 20, off + 20 + l_props) if l_props else EMPTY
    if typ in (P.PUBACK, P.PUBREC, P.PUBCOMP):
        return make(P.BY_TYPE[typ], {"packet_id": pid, "reason_code": rc, "properties": props})
    if typ == P.PUBREL:
        return make(P.Pubrel, {"packet_id": pid, "reason_code": rc, "dup": bool(flags & 1), "properties": props})
    if typ == P.CONNACK:
        return make(P.Connack, {"session_present": bool(flags & 0x10), "reason_code": rc, "properties": props})
    if typ in (P.DISCONNECT, P.AUTH):
        return make(P.BY_TYPE[typ], {"reason_code": rc, "properties": props})
    if typ == P.PINGREQ:
        return _PINGREQ
    if typ == P.PINGRESP:
        return _PINGRESP
    raise ValueError(f"record of unknown packet type {typ}")


_PINGREQ = P.Pingreq()
_PINGRESP = P.Pingresp()


def unpack(data: bytes, count: int) -> list:
    """The `count` packets of the records at the front of `data`."""
    out = []
    append = out.append
    h3 = _H3
    off = 0
    pub = P.PUBLISH
    Publish = P.Publish
    new = _new
    for _ in range(count):
        if data[off + 4] == pub:
            size, _, flags, pid, _, _, _, _, _, _, lt, lp, lr = h3(data, off)
            p = off + 28 + lt
            q = p + lp
            obj = new(Publish)
            if flags or lr:
                obj.__dict__.update({
                    "topic": data[off + 28:p].decode(), "payload": data[p:q], "qos": (flags >> 2) & 3,
                    "dup": bool(flags & 1), "retain": bool(flags & 2), "packet_id": pid,
                    "properties": _props(data, q, q + lr) if lr else EMPTY})
            else:  # QoS 0, no flags, no properties: the class defaults hold the rest
                obj.__dict__.update({"topic": data[off + 28:p].decode(), "payload": data[p:q]})
            append(obj)
            off += size
        else:
            append(_unpack_other(data, off, data[off + 4]))
            off += _u32(data, off)[0]
    return out


# ---- Writing records ------------------------------------------------------------------------


def _b(v) -> bytes:
    return v.encode() if isinstance(v, str) else bytes(v)


def _short(v) -> bytes:
    b = _b(v)
    if len(b) > 0xFFFF:
        raise ValueError("a property string or binary value is longer than 65,535 bytes")
    return U16.pack(len(b)) + b


_BY_NAME = {name: (pid, kind) for name, pid, kind in _ORDER}
_ID_BYTES = {pid: bytes((pid,)) for _, pid, _ in _ORDER}


def pack_props(props: Properties) -> bytes:
    """The body of a property section (any order: the C side puts them in the wire's)."""
    if props is EMPTY or props is None:
        return b""
    parts = []
    by_name = _BY_NAME
    # Instances made by the decoder hold only their set fields in __dict__; the others hold
    # every field, the absent ones as None or ().
    for name, v in props.__dict__.items():
        if v is None or v == ():
            continue
        pid, kind = by_name[name]
        if kind == "int" or kind == "bool":
            parts.append(ID_U32.pack(pid, v))
        elif kind == "pairs":
            b = _ID_BYTES[pid]
            for k, x in v:
                parts.append(b + _short(k) + _short(x))
        elif kind == "ids":
            parts.extend(ID_U32.pack(pid, x) for x in v)
        else:
            parts.append(_ID_BYTES[pid] + _short(v))
    return b"".join(parts)


def _bit(v) -> int:
    return 1 if v else 0


def _record(t, flags, pid, rc, ver, ka, cf, sections) -> bytes:
    lens = [len(x) for x in sections]
    head = _HEAD[len(sections)].pack(16 + 4 * len(sections) + sum(lens), t, flags, pid, rc, ver, ka, cf, 0, 0, *lens)
    return head + b"".join(sections)


def _qos(v, what="qos") -> int:
    if v not in (0, 1, 2):
        raise ValueError(f"{what} {v!r} is not 0, 1 or 2")
    return v


def pack(p) -> bytes:
    """The record of packet `p`."""
    t = p.TYPE
    if t == P.PUBLISH:
        flags = _bit(p.dup) | _bit(p.retain) << 1 | _qos(p.qos) << 2
        topic = _b(p.topic)
        payload = _b(p.payload)
        props = pack_props(p.properties)
        return _H3_PACK(28 + len(topic) + len(payload) + len(props), t, flags, p.packet_id, 0, 0, 0, 0, 0, 0,
                        len(topic), len(payload), len(props)) + topic + payload + props
    if t == P.CONNECT:
        w = p.will
        cf = (_bit(w) | (_bit(w.retain) << 1 | _qos(w.qos, "will qos") << 2 if w else 0)
              | _bit(p.username is not None) << 4 | _bit(p.password is not None) << 5 | _bit(p.bridge) << 6
              | _bit(p.clean_start) << 7)
        return _record(t, 0, 0, 0, p.protocol_version, p.keep_alive, cf, (
            _b(p.client_id), pack_props(w.properties) if w else b"",
            _b(w.topic) if w else b"", _b(w.payload) if w else b"",
            _b(p.username) if p.username is not None else b"",
            _b(p.password) if p.password is not None else b"",
            pack_props(p.properties)))
    if t == P.CONNACK:
        return _record(t, _bit(p.session_present) << 4, 0, p.reason_code, 0, 0, 0, (pack_props(p.properties),))
    if t in (P.PUBACK, P.PUBREC, P.PUBCOMP):
        return _record(t, 0, p.packet_id, p.reason_code, 0, 0, 0, (pack_props(p.properties),))
    if t == P.PUBREL:
        return _record(t, _bit(p.dup), p.packet_id, p.reason_code, 0, 0, 0, (pack_props(p.properties),))
    if t == P.SUBSCRIBE:
        subs = []
        for s in p.subscriptions:
            f = _b(s.topic_filter)
            subs.append(SUB.pack(_qos(s.qos) | _bit(s.no_local) << 2 | _bit(s.retain_as_published) << 3
                                 | _qos(s.retain_handling, "retain_handling") << 4, len(f)) + f)
        return _record(t, _bit(p.dup), p.packet_id, 0, 0, 0, 0, (b"".join(subs), pack_props(p.properties)))
    if t == P.UNSUBSCRIBE:
        return _record(t, _bit(p.dup), p.packet_id, 0, 0, 0, 0,
                       (b"".join(_short(f) for f in p.topic_filters), pack_props(p.properties)))
    if t in (P.SUBACK, P.UNSUBACK):
        return _record(t, 0, p.packet_id, 0, 0, 0, 0, (bytes(p.reason_codes), pack_props(p.properties)))
    if t in (P.DISCONNECT, P.AUTH):
        return _record(t, 0, 0, p.reason_code, 0, 0, 0, (pack_props(p.properties),))
    return _record(t, 0, 0, 0, 0, 0, 0, (b"",))  # PINGREQ, PINGRESP


_H3_PACK = _HEAD[3].pack
