"""Packets from keyword arguments: the packet's own fields plus any MQTT 5 property by its
snake_case name (``message_expiry_interval=60``, ``user_properties=[("k", "v")]``)."""

from __future__ import annotations

import dataclasses

from . import packets as P
from .properties import EMPTY, FIELDS as PROP_FIELDS, Properties

_FIELDS = {c: {f.name for f in dataclasses.fields(c)} for c in P.PACKET_CLASSES}


def properties_of(given, extra: dict) -> Properties:
    if given is None:
        given = EMPTY
    elif isinstance(given, dict):
        given = Properties(**given)
    if extra:
        given = dataclasses.replace(given, **extra)
    return given


def subscription_of(s) -> P.Subscription:
    if isinstance(s, P.Subscription):
        return s
    if isinstance(s, str):
        return P.Subscription(s)
    if isinstance(s, dict):
        return P.Subscription(**s)
    return P.Subscription(*s)  # (topic_filter, qos, ...)


def will_of(w):
    if w is None or isinstance(w, P.Will):
        return w
    kw = dict(w)
    extra = {k: kw.pop(k) for k in list(kw) if k in PROP_FIELDS}
    kw["properties"] = properties_of(kw.get("properties"), extra)
    return P.Will(**kw)


def build(cls, kw: dict):
    """An instance of packet class `cls` from keyword arguments; TypeError for unknown names."""
    own = _FIELDS[cls]
    fields = {}
    extra = {}
    for k, v in kw.items():
        if k in own:
            fields[k] = v
        elif k in PROP_FIELDS and "properties" in own:
            extra[k] = v
        else:
            raise TypeError(f"{cls.__name__} has no field or property {k!r}")
    if "properties" in own:
        fields["properties"] = properties_of(fields.get("properties"), extra)
    if cls is P.Subscribe and "subscriptions" in fields:
        fields["subscriptions"] = tuple(subscription_of(s) for s in fields["subscriptions"])
    if cls is P.Connect and fields.get("will") is not None:
        fields["will"] = will_of(fields["will"])
    return cls(**fields)
