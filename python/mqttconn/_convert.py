"""Packet objects <-> the seed's plain dicts (mqtt-packet's object shapes).

Names are mqtt-packet's: ``cmd``, ``messageId``, ``qos``, ``dup``, ``retain``, ``topic``,
``payload``, ``properties`` (camelCase property names: ``sessionExpiryInterval``,
``userProperties``, ...), ``subscriptions`` (``topic``, ``qos``, ``nl``, ``rap``, ``rh``),
``unsubscriptions``, ``granted``, ``reasonCode``, ``returnCode``, ``will``, ``clientId``,
``keepalive``, ``clean``, ``protocolId``, ``protocolVersion``, ``bridgeMode``, ``sessionPresent``.

As in mqtt-packet: binary values (payloads, password, correlation and authentication data) are
``bytes`` (strings are accepted and UTF-8 encoded); the seven 0/1 byte properties are booleans;
``userProperties`` is an object whose repeated names hold arrays of values (the order of values
per name is kept, the interleaving of different names is not); a repeated
``subscriptionIdentifier`` is an array. A CONNACK below level 5 has ``returnCode``, at 5
``reasonCode``; acks, DISCONNECT and AUTH carry ``reasonCode`` at level 5 only; SUBSCRIBE's
``nl``/``rap``/``rh`` are written at level 5 only. ``from_dict`` accepts either spelling.
"""

from __future__ import annotations

from . import packets as P
from ._lib import ERR_ARGUMENT
from .errors import UsageError
from .properties import EMPTY, TABLE, Properties

_BY_SEED = {seed: (name, kind) for name, _, kind, seed in TABLE}
_SEED_ALIASES = {"maximumQos": "maximumQoS", "subscriptionIdentifierAvailable": "subscriptionIdentifiersAvailable"}


def props_to_dict(props: Properties) -> dict:
    d = {}
    for name, _, kind, seed in TABLE:
        v = getattr(props, name)
        if kind == "pairs":
            if v:
                ups = {}
                for k, x in v:
                    if k in ups:
                        old = ups[k]
                        ups[k] = old + [x] if isinstance(old, list) else [old, x]
                    else:
                        ups[k] = x
                d[seed] = ups
        elif kind == "ids":
            if v:
                d[seed] = v[0] if len(v) == 1 else list(v)
        elif v is not None:
            d[seed] = v
    return d


def _bin(v) -> bytes:
    if isinstance(v, str):
        return v.encode()
    return bytes(v)


def props_from_dict(d) -> Properties:
    if not d:
        return EMPTY
    kw = {}
    for seed, v in d.items():
        seed = _SEED_ALIASES.get(seed, seed)
        if seed not in _BY_SEED:
            raise ValueError(f"unknown property {seed!r}")
        name, kind = _BY_SEED[seed]
        if kind == "pairs":
            items = v.items() if isinstance(v, dict) else v
            pairs = []
            for k, x in items:
                for one in (x if isinstance(x, (list, tuple)) else (x,)):
                    pairs.append((str(k), str(one)))
            kw[name] = tuple(pairs)
        elif kind == "ids":
            kw[name] = tuple(v) if isinstance(v, (list, tuple)) else (v,)
        elif kind == "bool":
            kw[name] = bool(v)
        elif kind == "bin":
            kw[name] = _bin(v)
        else:
            kw[name] = v
    return Properties(**kw)


def _with_props(d: dict, props: Properties) -> dict:
    if props is not None and props != EMPTY:
        d["properties"] = props_to_dict(props)
    return d


def to_dict(p, version: int = 5) -> dict:
    t = p.TYPE
    v5 = version == 5
    if t == P.PUBLISH:
        d = {"cmd": "publish", "topic": p.topic, "payload": p.payload, "qos": p.qos,
             "dup": p.dup, "retain": p.retain}
        if p.qos:
            d["messageId"] = p.packet_id
        return _with_props(d, p.properties)
    if t == P.CONNECT:
        d = {"cmd": "connect", "protocolId": "MQIsdp" if p.protocol_version == 3 else "MQTT",
             "protocolVersion": p.protocol_version, "clean": p.clean_start, "clientId": p.client_id,
             "keepalive": p.keep_alive}
        if p.bridge:
            d["bridgeMode"] = True
        if p.username is not None:
            d["username"] = p.username
        if p.password is not None:
            d["password"] = p.password
        if p.will is not None:
            w = p.will
            d["will"] = _with_props({"topic": w.topic, "payload": w.payload, "qos": w.qos,
                                     "retain": w.retain}, w.properties)
        return _with_props(d, p.properties)
    if t == P.CONNACK:
        d = {"cmd": "connack", "sessionPresent": p.session_present}
        d["reasonCode" if v5 else "returnCode"] = p.reason_code
        return _with_props(d, p.properties)
    if t in (P.PUBACK, P.PUBREC, P.PUBREL, P.PUBCOMP):
        d = {"cmd": p.cmd, "messageId": p.packet_id}
        if v5:
            d["reasonCode"] = p.reason_code
        if t == P.PUBREL and p.dup:
            d["dup"] = True
        return _with_props(d, p.properties)
    if t == P.SUBSCRIBE:
        subs = []
        for s in p.subscriptions:
            x = {"topic": s.topic_filter, "qos": s.qos}
            if v5:
                x.update(nl=s.no_local, rap=s.retain_as_published, rh=s.retain_handling)
            subs.append(x)
        d = {"cmd": "subscribe", "messageId": p.packet_id, "subscriptions": subs}
        if p.dup:
            d["dup"] = True
        return _with_props(d, p.properties)
    if t == P.UNSUBSCRIBE:
        d = {"cmd": "unsubscribe", "messageId": p.packet_id, "unsubscriptions": list(p.topic_filters)}
        if p.dup:
            d["dup"] = True
        return _with_props(d, p.properties)
    if t in (P.SUBACK, P.UNSUBACK):
        d = {"cmd": p.cmd, "messageId": p.packet_id}
        if t == P.SUBACK or v5:
            d["granted"] = list(p.reason_codes)
        return _with_props(d, p.properties)
    if t in (P.DISCONNECT, P.AUTH):
        d = {"cmd": p.cmd}
        if v5:
            d["reasonCode"] = p.reason_code
        return _with_props(d, p.properties)
    return {"cmd": p.cmd}


def _get(d, *names, default=None):
    for n in names:
        if n in d:
            return d[n]
    return default


def from_dict(d: dict):
    """The packet object of a dict in the seed's shape; UsageError (ARGUMENT) for a dict that
    describes none."""
    try:
        return _from_dict(d)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        if isinstance(e, UsageError):
            raise
        raise UsageError(ERR_ARGUMENT, f"invalid argument: {type(e).__name__}: {e}") from None


def _from_dict(d: dict):
    cmd = d.get("cmd")
    cls = P.BY_CMD.get(cmd)
    if cls is None:
        raise ValueError(f"cmd {cmd!r} is not a packet kind")
    props = props_from_dict(d.get("properties"))
    t = cls.TYPE
    if t == P.PUBLISH:
        return P.Publish(topic=d.get("topic", ""), payload=_bin(d.get("payload", b"")),
                         qos=d.get("qos", 0), dup=bool(d.get("dup", False)),
                         retain=bool(d.get("retain", False)), packet_id=d.get("messageId", 0) or 0,
                         properties=props)
    if t == P.CONNECT:
        version = d.get("protocolVersion", 4)
        will = None
        w = d.get("will")
        if w is not None:
            will = P.Will(topic=w.get("topic", ""), payload=_bin(w.get("payload", b"")), qos=w.get("qos", 0),
                          retain=bool(w.get("retain", False)),
                          properties=props_from_dict(w.get("properties")))
        pw = d.get("password")
        return P.Connect(client_id=d.get("clientId", ""), protocol_version=version,
                         clean_start=bool(d.get("clean", True)), keep_alive=d.get("keepalive", 0),
                         username=d.get("username"), password=None if pw is None else _bin(pw),
                         will=will, bridge=bool(d.get("bridgeMode", False)), properties=props)
    if t == P.CONNACK:
        return P.Connack(session_present=bool(d.get("sessionPresent", False)),
                         reason_code=_get(d, "reasonCode", "returnCode", default=0), properties=props)
    if t in (P.PUBACK, P.PUBREC, P.PUBCOMP):
        return cls(packet_id=d.get("messageId", 0), reason_code=d.get("reasonCode", 0), properties=props)
    if t == P.PUBREL:
        return P.Pubrel(packet_id=d.get("messageId", 0), reason_code=d.get("reasonCode", 0),
                        dup=bool(d.get("dup", False)), properties=props)
    if t == P.SUBSCRIBE:
        subs = tuple(P.Subscription(topic_filter=s["topic"], qos=s.get("qos", 0), no_local=bool(s.get("nl", False)),
                                    retain_as_published=bool(s.get("rap", False)), retain_handling=s.get("rh", 0))
                     for s in d.get("subscriptions", ()))
        return P.Subscribe(packet_id=d.get("messageId", 0), subscriptions=subs, dup=bool(d.get("dup", False)),
                           properties=props)
    if t == P.UNSUBSCRIBE:
        return P.Unsubscribe(packet_id=d.get("messageId", 0), topic_filters=tuple(d.get("unsubscriptions", ())),
                             dup=bool(d.get("dup", False)), properties=props)
    if t in (P.SUBACK, P.UNSUBACK):
        return cls(packet_id=d.get("messageId", 0), reason_codes=tuple(_get(d, "granted", "reasonCodes", default=())),
                   properties=props)
    if t in (P.DISCONNECT, P.AUTH):
        return cls(reason_code=d.get("reasonCode", 0), properties=props)
    return cls()
