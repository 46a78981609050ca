"""python3 -m mqttconn decode|encode: MQTT bytes <-> JSON lines in the seed's packet shape.

    python3 -m mqttconn decode [--protocol-version 3|4|5] [--hex] [--role client|server]
        Reads a byte stream from stdin (raw, or hex text with --hex: whitespace ignored) and
        prints one JSON object per packet. Without --role the bytes are decoded as packets of
        level --protocol-version (default 4; a CONNECT at its own level). With --role the
        bytes are what a connection of that role receives, so its rules apply too: a server
        takes the level from the CONNECT; a client is taken to have sent a CONNECT at
        --protocol-version first. On bad bytes it prints the packets decoded so far, then one
        JSON error object {"error", "code", "reasonCode", "message", "offset"} (offset: of the
        fault, in bytes from the start of the stream) and exits with status 1. A stream that
        ends inside a packet is an error too (code -9, offset of that packet).

    python3 -m mqttconn encode [--protocol-version 3|4|5] [--hex]
        Reads JSON objects, one per line, and writes their wire bytes (raw, or hex text with
        --hex). On a bad line it writes the bytes of the lines before, prints a JSON error
        object with "line" to stderr and exits with status 1.

Binary values (payload, password, will payload, correlationData, authenticationData) are
written as {"hex": "<lowercase hex>"}; encode also accepts {"base64": "..."}, Node's Buffer
JSON {"type": "Buffer", "data": [bytes]} and plain strings (UTF-8). Everything else is JSON as
is: strings for topics, client ids, user names and string properties, numbers, booleans.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys

from . import _lib
from ._convert import from_dict, to_dict
from .codec import Decoder, encode_all
from .connection import Connection
from .errors import MqttconnError, UsageError


def _jsonable(v):
    if isinstance(v, (bytes, bytearray)):
        return {"hex": bytes(v).hex()}
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def _binary_hook(d: dict):
    if len(d) == 1 and "hex" in d:
        return bytes.fromhex(d["hex"])
    if len(d) == 1 and "base64" in d:
        return base64.b64decode(d["base64"], validate=True)
    if d.get("type") == "Buffer" and isinstance(d.get("data"), list) and len(d) == 2:
        return bytes(d["data"])
    return d


def _line(obj) -> str:
    return json.dumps(_jsonable(obj), separators=(",", ":"))


def _chunks(stream, hex_text: bool):
    if hex_text:
        text = stream.read()
        yield bytes.fromhex("".join(text.decode("ascii").split()))
        return
    while True:
        b = stream.read(1 << 16)
        if not b:
            return
        yield b


class _CodecSource:
    def __init__(self, version):
        self.dec = Decoder(version)
        self.version = version

    def feed(self, data):
        return self.dec.feed(data)

    def level(self, _packet):
        return self.version

    def pending(self):
        return self.dec.buffered


class _ConnSource:
    def __init__(self, role, version):
        self.conn = Connection(role)
        if role == "client":
            self.conn.connect(client_id="mqttconn-cli", protocol_version=version)
            self.conn.data_to_send()

    def feed(self, data):
        return self.conn.receive_data(data)

    def level(self, _packet):
        return self.conn.version

    def pending(self):
        return self.conn.input_buffered


def _emit_packets(out, packets, source):
    for p in packets:
        out.write(_line(to_dict(p, p.protocol_version if p.TYPE == 1 else source.level(p))) + "\n")


def decode(args, stdin, out) -> int:
    try:
        src = _ConnSource(args.role, args.protocol_version) if args.role else _CodecSource(args.protocol_version)
    except MqttconnError as e:
        out.write(_line(e.to_dict()) + "\n")
        return 1
    total = 0
    try:
        for chunk in _chunks(stdin, args.hex):
            total += len(chunk)
            _emit_packets(out, src.feed(chunk), src)
    except (ValueError, UnicodeDecodeError) as e:
        if isinstance(e, MqttconnError):
            _emit_packets(out, e.packets, src)
            out.write(_line(e.to_dict()) + "\n")
            return 1
        err = UsageError(_lib.ERR_ARGUMENT, f"invalid argument: input is not hex text: {e}")
        out.write(_line(err.to_dict()) + "\n")
        return 1
    except MqttconnError as e:
        _emit_packets(out, e.packets, src)
        out.write(_line(e.to_dict()) + "\n")
        return 1
    pending = src.pending()
    if pending:
        err = UsageError(_lib.ERR_NEED_MORE, f"{_lib.strerror(_lib.ERR_NEED_MORE)}: the stream ends inside a packet",
                         0, total - pending)
        out.write(_line(err.to_dict()) + "\n")
        return 1
    return 0


def encode(args, stdin, out, err_out) -> int:
    chunks = []
    status = 0
    for n, raw in enumerate(stdin, 1):
        text = raw.decode() if isinstance(raw, bytes) else raw
        if not text.strip():
            continue
        try:
            try:
                d = json.loads(text, object_hook=_binary_hook)
            except (ValueError, binascii.Error) as e:
                raise UsageError(_lib.ERR_ARGUMENT, f"invalid argument: not JSON: {e}") from None
            if not isinstance(d, dict):
                raise UsageError(_lib.ERR_ARGUMENT, "invalid argument: not a JSON object")
            chunks.append(encode_all((from_dict(d),), args.protocol_version))
        except MqttconnError as e:
            d = e.to_dict()
            d["line"] = n
            err_out.write(_line(d) + "\n")
            status = 1
            break
    data = b"".join(chunks)
    if args.hex:
        out.write((data.hex() + "\n").encode())
    else:
        out.write(data)
    return status


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m mqttconn", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    d = sub.add_parser("decode", help="bytes on stdin -> JSON lines")
    d.add_argument("--protocol-version", type=int, choices=(3, 4, 5), default=4)
    d.add_argument("--hex", action="store_true", help="stdin is hex text")
    d.add_argument("--role", choices=("client", "server"))
    e = sub.add_parser("encode", help="JSON lines on stdin -> bytes")
    e.add_argument("--protocol-version", type=int, choices=(3, 4, 5), default=4)
    e.add_argument("--hex", action="store_true", help="write hex text")
    args = ap.parse_args(argv)
    if args.command == "decode":
        status = decode(args, sys.stdin.buffer, sys.stdout)
        sys.stdout.flush()
        return status
    status = encode(args, sys.stdin.buffer, sys.stdout.buffer, sys.stderr)
    sys.stdout.buffer.flush()
    return status
