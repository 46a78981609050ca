#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the test vectors (python3 standard library only).

Sources: the hex fixtures of tests/codec/vectors/ and tests/codec/rules_*/ (the level is in the
file name), and the sample sessions of examples/data/*.hex. Each seed is the target's leading
bytes (see fuzz/fuzz_support.hpp and fuzz/conn_driver.hpp) followed by a packet stream or a
script and a stream. Files are named by the sha256 of their content. Existing files are never
removed, so regression inputs kept in the corpus stay; run with --check to list what would be
written without writing.

    python3 fuzz/seed_corpus.py
"""
import hashlib
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"

# --- Reading the fixtures ------------------------------------------------------------------


def hex_bytes(text):
    """Hex digits to bytes, ignoring everything else and '#' comments (as tests' hex())."""
    digits = []
    for line in text.split("\n"):
        digits.extend(c for c in line.split("#", 1)[0] if c in "0123456789abcdefABCDEF")
    if len(digits) % 2:
        return None
    return bytes(int("".join(digits[i:i + 2]), 16) for i in range(0, len(digits), 2))


LITERAL = re.compile(r'\s*(?://[^\n]*\n\s*)*"([^"\\]*)"')


def cpp_hex_fixtures(path):
    """The argument of every hex("..." "...") call: adjacent string literals, comments between."""
    src = path.read_text()
    for m in re.finditer(r"\bhex\(", src):
        pos, parts = m.end(), []
        while True:
            lit = LITERAL.match(src, pos)
            if not lit:
                break
            parts.append(lit.group(1))
            pos = lit.end()
        if parts:
            b = hex_bytes("\n".join(parts))
            if b:
                yield b


def level_of(name):
    if "v311" in name:
        return 4
    if "v31" in name:
        return 3
    return 5


def split_packets(stream):
    """Whole packets by their fixed headers; stops at anything that does not parse."""
    out, i = [], 0
    while i + 2 <= len(stream):
        n, mult, j = 0, 1, i + 1
        while j < len(stream) and j < i + 5:
            n += (stream[j] & 0x7F) * mult
            mult *= 128
            j += 1
            if stream[j - 1] < 0x80:
                break
        else:
            break
        if j + n > len(stream):
            break
        out.append(stream[i:j + n])
        i = j + n
    return out


def vectors(subdirs):
    """(level, bytes) of every fixture in tests/codec/<subdir>/*.cpp, in a stable order."""
    found = []
    for sub in subdirs:
        for path in sorted((ROOT / "tests" / "codec" / sub).glob("*.cpp")):
            for b in cpp_hex_fixtures(path):
                found.append((level_of(path.name), b, path.name))
    return found


def sessions():
    """{(level, 'client' | 'server'): bytes} from examples/data/session-*.hex."""
    out = {}
    for path in sorted((ROOT / "examples" / "data").glob("session-*.hex")):
        b = hex_bytes(path.read_text())
        if b:
            out[(level_of(path.name), "server" if "server" in path.name else "client")] = b
    return out


# --- Building packets the fixtures lack ----------------------------------------------------


def vbi(n):
    out = bytearray()
    while True:
        d, n = n % 128, n // 128
        out.append(d | (0x80 if n else 0))
        if not n:
            return bytes(out)


def s(text):
    b = text.encode()
    return len(b).to_bytes(2, "big") + b


def packet(first, body):
    return bytes([first]) + vbi(len(body)) + body


def connect(level, client_id="fuzz", props=b"", flags=0x02):
    name = s("MQIsdp") if level == 3 else s("MQTT")
    body = name + bytes([level, flags]) + b"\x00\x3c"
    if level == 5:
        body += vbi(len(props)) + props
    return packet(0x10, body + s(client_id))


def connack(level, props=b"", flags=0, rc=0):
    return packet(0x20, bytes([flags, rc]) + (vbi(len(props)) + props if level == 5 else b""))


def publish(topic, payload, qos=0, props=b"", retain=False, level=5):
    body = s(topic) + (b"\x00\x01" if qos else b"") + (vbi(len(props)) + props if level == 5 else b"")
    return packet(0x30 | qos << 1 | retain, body + payload)


def subscribe(filters, props=b"", level=5):
    body = b"\x00\x07" + (vbi(len(props)) + props if level == 5 else b"")
    return packet(0x82, body + b"".join(s(f) + bytes([o]) for f, o in filters))


def disconnect(rc=0, props=b""):
    return packet(0xE0, bytes([rc]) + vbi(len(props)) + props)


def auth(rc, method):
    props = b"\x15" + s(method)
    return packet(0xF0, bytes([rc]) + vbi(len(props)) + props)


CLIENT_SENDS = {1, 3, 4, 5, 6, 7, 8, 10, 12, 14, 15}
SERVER_SENDS = {2, 3, 4, 5, 6, 7, 9, 11, 13, 14, 15}

# --- Leading bytes -------------------------------------------------------------------------

LEVEL_BITS = {3: 0, 4: 1, 5: 2}


def codec_input(level, stream, follow=False, mode=0, chunks=(0x21, 0x06), opts=0, max_mode=0, max_val=0):
    b0 = LEVEL_BITS[level] | (follow << 2) | (opts << 3) | (max_mode << 5) | (mode << 7)
    return bytes([b0, max_val, chunks[0], chunks[1]]) + stream


RECV, LOOP, TAKE, SEND, DRAIN, REPLY, MOVE, END, PEER = range(9)


def conn_input(level, script, stream, opts=0, max_mode=0, max_val=0, out_mode=0, out_val=0, borrow=255):
    b0 = LEVEL_BITS[level] | (opts << 2) | (max_mode << 4) | (out_mode << 6)
    return bytes([b0, max_val, out_val, borrow]) + len(script).to_bytes(2, "big") + bytes(script) + stream


def step_by_step(n, reply=0):
    """RECV all, TAKE, REPLY, DRAIN all, n times."""
    return [RECV, 0, TAKE, REPLY, reply, DRAIN, 0] * n


# fuzz_capi (fuzz/fuzz_capi.cpp): ten leading bytes, its own script operations.
C_RECV, C_LOOP, C_TAKE, C_SEND, C_DRAIN, C_GATHER, C_REPLY, C_PEER, C_CODEC, C_MISUSE, C_QUERY, C_FREE = range(12)


def capi_input(server, level, script, stream, opts=0, alloc=0, n=0, prob=0, bad=0, max_mode=0, max_val=0,
               out_mode=0, out_val=0, borrow_mode=0, borrow_val=0, chunk=0):
    b0 = int(server) | LEVEL_BITS[level] << 1 | opts << 3 | alloc << 5 | bad << 7
    b1 = max_mode | out_mode << 2 | borrow_mode << 4 | chunk << 6
    return (bytes([b0, b1, max_val, out_val, borrow_val]) + n.to_bytes(2, "big") + bytes([prob]) +
            len(script).to_bytes(2, "big") + bytes(script) + stream)


# --- The corpora ---------------------------------------------------------------------------


def decode_seeds(vecs, sess):
    seeds = []
    longest = {}
    for level, b, _ in vecs["valid"]:
        key = (level, b[0] >> 4)
        if level == 3 and key[1] not in (1, 2, 6, 8, 10):
            continue  # 3.1 differs from 3.1.1 only in CONNECT, CONNACK and the DUP flags
        if key not in longest or len(b) > len(longest[key]):
            longest[key] = b
    for (level, _), b in sorted(longest.items()):
        seeds.append(codec_input(level, b))
    first_per_file = {}
    for level, b, name in vecs["rules"]:
        first_per_file.setdefault(name, (level, b))
    for level, b in first_per_file.values():
        seeds.append(codec_input(level, b, chunks=(0x11, 0x00)))
    for (level, direction), b in sorted(sess.items()):
        seeds.append(codec_input(level, b, follow=direction == "client", chunks=(0x3F, 0x02)))
    # Limits: a tiny maximum packet size, strict UTF-8 and payload format checks.
    seeds.append(codec_input(5, sess[(5, "client")], follow=True, opts=3, max_mode=1, max_val=40))
    return seeds


def roundtrip_seeds(vecs, sess):
    seeds = []
    for (level, direction), b in sorted(sess.items()):
        seeds.append(codec_input(level, b, follow=direction == "client"))
    by_level = {}
    for level, b, _ in vecs["valid"]:
        by_level.setdefault(level, {}).setdefault(b[0] >> 4, b)
    for level, kinds in sorted(by_level.items()):
        seeds.append(codec_input(level, b"".join(kinds[t] for t in sorted(kinds) if t != 1)))
    # Structured mode: one of each kind, properties asked for where the flags allow.
    for kind in range(1, 16):
        flags = {3: 0x01, 4: 0x0A, 5: 0x0A, 6: 0x0A, 7: 0x0A, 8: 0x04, 9: 0x04, 10: 0x04, 11: 0x04}.get(kind, 0x01)
        build = bytes([kind - 1, flags, 0x00, 0x06, 0, 0, 5, 1, 9, 2, 17, 3, 22, 4, 25, 5, 6, 7, 8, 9])
        seeds.append(codec_input(5, build + build, mode=1))
    for level in (3, 4):
        build = b"".join(bytes([kind - 1, 0x00, 0x00, 0x00]) for kind in range(1, 15))
        seeds.append(codec_input(level, build, mode=1))
    return seeds


def server_seeds(vecs, sess):
    seeds = []
    for level in (5, 4, 3):
        stream = sess[(level, "client")]
        n = len(split_packets(stream))
        seeds.append(conn_input(level, [LOOP, 3], stream))
        seeds.append(conn_input(level, step_by_step(n), stream))
        seeds.append(conn_input(level, [RECV, 7, RECV, 7, RECV, 7, TAKE, REPLY, 0, MOVE, LOOP, 3], stream))
    v5 = sess[(5, "client")]
    seeds.append(conn_input(5, [LOOP, 1, DRAIN, 5, DRAIN, 0], v5, out_mode=1, out_val=60))
    seeds.append(conn_input(5, [LOOP, 3], v5, borrow=1))
    seeds.append(conn_input(5, [LOOP, 3], v5, max_mode=1, max_val=30))
    seeds.append(conn_input(5, [LOOP, 3], v5, opts=3))
    # Every client packet of each level's fixtures after a CONNECT: some are refused.
    for level in (5, 4, 3):
        kinds = {}
        for lv, b, _ in vecs["valid"]:
            if lv == level and (b[0] >> 4) in CLIENT_SENDS - {1, 14}:
                kinds.setdefault(b[0] >> 4, b)
        stream = connect(level) + b"".join(kinds[t] for t in sorted(kinds)) + packet(0xE0, b"")
        seeds.append(conn_input(level, [LOOP, 3], stream))
    # Enhanced authentication: CONNECT with a method, AUTH, then the CONNACK.
    stream = connect(5, props=b"\x15" + s("SCRAM")) + auth(0x18, "SCRAM") + packet(0xC0, b"")
    seeds.append(conn_input(5, [RECV, 0, TAKE, REPLY, 1, RECV, 0, TAKE, REPLY, 0, LOOP, 3], stream))
    # The server's own packets, built from script bytes.
    stream = connect(5)
    script = [RECV, 0, TAKE, SEND, 1, 0x00, 0x00, DRAIN, 0,
              SEND, 2, 0x09, 0x02, 0x00, 0x02, 5, 0x00, 0x00, 22, 0x00, 0x01, 0x04] + list(b"abcd") + [
              DRAIN, 0, SEND, 13, 0x81, 0x08, 0x01, 16, 0x00, DRAIN, 0]
    seeds.append(conn_input(5, script, stream))
    # Client identifiers a 3.x server refuses; a 5.0 CONNECT that does not decode.
    seeds.append(conn_input(4, [LOOP, 3], connect(4, client_id="", flags=0x00)))
    seeds.append(conn_input(3, [LOOP, 3], connect(3, client_id="x" * 24)))
    seeds.append(conn_input(5, [LOOP, 3], connect(5)[:-1] + b"\xff"))
    # The rules the server's CONNACK sets: REPLY 0xE8 says Maximum QoS 0, Retain Available 0,
    # Topic Alias Maximum 3, no wildcard or shared subscriptions.
    expiry0 = connect(5)
    for tail in (publish("a", b"x", qos=1), publish("a", b"x", retain=True),
                 publish("a", b"x", props=b"\x23\x00\x04"), publish("a", b"x", props=b"\x0b\x01"),
                 subscribe([("a/+", 0)]), subscribe([("$share/g/a", 0)]),
                 subscribe([("a", 0)], props=b"\x0b\x05"), disconnect(0, b"\x11\x00\x00\x00\x10")):
        seeds.append(conn_input(5, [RECV, 0, TAKE, REPLY, 0xE8, DRAIN, 0, LOOP, 3], expiry0 + tail))
    # Authentication: the wrong method, the wrong reason code, a PUBLISH before it is done.
    with_method = connect(5, props=b"\x15" + s("SCRAM"))
    for tail in (auth(0x18, "OTHER"), auth(0x19, "SCRAM"), publish("a", b"x")):
        seeds.append(conn_input(5, [LOOP, 3], with_method + tail))
    # Structure-aware: the client's packets built from script bytes (PEER; the byte layout is
    # packet_builder's), each answered by REPLY: CONNECT with Session Expiry, Receive Maximum,
    # Topic Alias Maximum and Maximum Packet Size; PUBLISH QoS 1 with a Topic Alias, a User
    # Property and Payload Format; SUBSCRIBE with three filters (one shared) and an identifier;
    # UNSUBSCRIBE; PINGREQ; DISCONNECT with a Reason String.
    script = [PEER, 0, 0x00, 17, 0x04, 6, 0x02, 17, 0x03, 18, 0x04, 23, 0x05, TAKE, REPLY, 0x40, DRAIN, 0,
              PEER, 2, 0x01, 0x02, 0x00, 0x03, 19, 0x01, 22, 0x00, 0x01, 0, 0x01, 0x04] + list(b"temp") + [
              TAKE, REPLY, 0,
              PEER, 7, 0x04, 0x06, 0x04, 0x01, 0x09, 0x12, 0x07, 0x2C, 0x01, 5, 0x00, 0x04, TAKE, REPLY, 0,
              PEER, 9, 0x02, 0x07, 0x01, 0x05, 0x00, TAKE, REPLY, 0, PEER, 11, TAKE, REPLY, 0,
              PEER, 13, 0x01, 0x00, 0x01, 16, 0x00, TAKE, DRAIN, 0]
    seeds.append(conn_input(5, script, b""))
    return seeds


def client_seeds(vecs, sess):
    seeds = []
    v5 = sess[(5, "server")]
    n = len(split_packets(v5))
    seeds.append(conn_input(5, [REPLY, 0, DRAIN, 0, LOOP, 3], v5))
    seeds.append(conn_input(5, [REPLY, 0] + step_by_step(n), v5))
    seeds.append(conn_input(5, [REPLY, 0x20, DRAIN, 3, RECV, 4, RECV, 9, TAKE, MOVE, LOOP, 1, DRAIN, 0], v5))
    seeds.append(conn_input(5, [REPLY, 0, LOOP, 3], v5, out_mode=1, out_val=40, borrow=1))
    for level in (5, 4, 3):
        kinds = {}
        for lv, b, _ in vecs["valid"]:
            if lv == level and (b[0] >> 4) in SERVER_SENDS - {2, 14}:
                kinds.setdefault(b[0] >> 4, b)
        stream = connack(level) + b"".join(kinds[t] for t in sorted(kinds))
        seeds.append(conn_input(level, [REPLY, 0, DRAIN, 0, LOOP, 3], stream))
        seeds.append(conn_input(level, [REPLY, 0, DRAIN, 0] + step_by_step(len(kinds) + 1), stream))
    # Enhanced authentication: CONNECT with a method, AUTH 0x18, then CONNACK with the method.
    method = "SCRAM-SHA-1"
    stream = auth(0x18, method) + connack(5, b"\x15" + s(method)) + auth(0x18, method)
    seeds.append(conn_input(5, [REPLY, 1, DRAIN, 0] + step_by_step(3), stream))
    # The client's own packets, built from script bytes, within the server's limits.
    stream = connack(5, b"\x24\x00\x22\x00\x02\x27\x00\x00\x00\x40")
    script = [REPLY, 0, RECV, 0, TAKE, SEND, 2, 0x01, 0x00, 0x00, 0x00, 0x05] + list(b"hello") + [
              SEND, 2, 0x00, 0x01, 0x01, 19, 0x01, 0x00,
              SEND, 7, 0x02, 0x00, 0x04, 0x01, 0x09, 0x02, 0x00,
              SEND, 9, 0x00, 0x00, 0x05, 0x00, DRAIN, 0,
              SEND, 13, 0x01, 0x00, 0x00, DRAIN, 0]
    seeds.append(conn_input(5, script, stream))
    # What the server may not send or do: a DISCONNECT with a Session Expiry Interval, Session
    # Present on a clean start, no Assigned Client Identifier for an empty one (REPLY 2),
    # problem information the client declined (REPLY 4), a second CONNACK, AUTH without a method.
    cases = [
        (0, connack(5) + disconnect(0x8E)),
        (0, connack(5) + disconnect(0, b"\x11\x00\x00\x00\x10")),
        (0, connack(5, flags=1)),
        (2, connack(5)),
        (4, connack(5) + packet(0x40, b"\x00\x01\x00\x04\x1f" + s("r")[1:])),
        (0, connack(5) + connack(5)),
        (0, connack(5, rc=0x87)),
        (0, auth(0x18, "SCRAM")),
    ]
    for reply, stream in cases:
        seeds.append(conn_input(5, [REPLY, reply, DRAIN, 0, LOOP, 3], stream))
    seeds.append(conn_input(4, [REPLY, 0, DRAIN, 0, LOOP, 3], connack(4, flags=1) + packet(0xE0, b"")))
    # A long backlog of borrowed payloads that is never quite drained (output queue compaction).
    script = [REPLY, 0, RECV, 0, TAKE, SEND, 0xF2, 0x00, 0x00, 0x40, 0x02, 0x78, 0x79,
              DRAIN, 0x85, SEND, 0xF2, 0x00, 0x00, 0x40, 0x02, 0x78, 0x79, DRAIN, 0x83, DRAIN, 0]
    seeds.append(conn_input(5, script, connack(5), borrow=1))
    # Structure-aware: the server's packets built from script bytes (PEER): CONNACK with
    # Maximum QoS 1, Retain Available 0, Topic Alias Maximum 5, Maximum Packet Size 256, Server
    # Keep Alive and a Reason String; PUBLISH QoS 2 with a Subscription Identifier, a Topic
    # Alias and a Response Topic; PUBREL; SUBACK with three codes; a client PUBLISH; DISCONNECT
    # 0x8E with a Server Reference.
    script = [REPLY, 0x20, DRAIN, 0,
              PEER, 1, 0x80, 0x06, 20, 0x01, 21, 0x00, 18, 0x03, 23, 0x80, 0, 0, 1, 0, 8, 0x05, 16, 0x00, TAKE,
              PEER, 2, 0x02, 0x01, 0x00, 0x03, 5, 0x00, 0x02, 19, 0x01, 3, 0x01, 0x02] + list(b"hi") + [
              TAKE, REPLY, 0, PEER, 5, 0x00, 0x00, TAKE, REPLY, 0,
              PEER, 8, 0x04, 0x06, 0x00, 0x01, 0x08, 0x00, TAKE,
              SEND, 2, 0x09, 0x00, 0x00, 0x00, 0x02] + list(b"ok") + [DRAIN, 0,
              PEER, 13, 0x01, 22, 0x01, 15, 0x00, TAKE]
    seeds.append(conn_input(5, script, b""))
    return seeds


def capi_seeds(vecs, sess):
    seeds = []
    # Server and client sessions: the driver loop, and step by step with both drain forms.
    for level in (5, 4, 3):
        stream = sess[(level, "client")]
        n = len(split_packets(stream))
        seeds.append(capi_input(True, level, [C_LOOP, 3], stream))
        seeds.append(capi_input(True, level, [C_RECV, 0, C_TAKE, 0, C_REPLY, 0, C_GATHER, 2, 0] * n, stream))
        seeds.append(capi_input(True, level, [C_RECV, 5, C_RECV, 0, C_TAKE, 0, C_REPLY, 0, C_DRAIN, 3, C_QUERY,
                                              C_LOOP, 1, C_GATHER, 4, 0x85, C_DRAIN, 0], stream))
    client_streams = {5: sess[(5, "server")]}
    for level in (4, 3):
        kinds = {}
        for lv, b, _ in vecs["valid"]:
            if lv == level and (b[0] >> 4) in SERVER_SENDS - {2, 14}:
                kinds.setdefault(b[0] >> 4, b)
        client_streams[level] = connack(level) + b"".join(kinds[t] for t in sorted(kinds))
    for level, stream in sorted(client_streams.items()):
        n = len(split_packets(stream))
        seeds.append(capi_input(False, level, [C_REPLY, 0, C_DRAIN, 0, C_LOOP, 3], stream))
        seeds.append(capi_input(False, level, [C_REPLY, 0, C_GATHER, 1, 0] +
                                [C_RECV, 0, C_TAKE, 0, C_REPLY, 0, C_DRAIN, 0] * n, stream))
    # The driver loop fed 1, 7 and 64 bytes at a time.
    for chunk in (1, 2, 3):
        seeds.append(capi_input(True, 5, [C_LOOP, 3], sess[(5, "client")], chunk=chunk))
    seeds.append(capi_input(False, 5, [C_REPLY, 0, C_LOOP, 3], sess[(5, "server")], chunk=2))
    # The failing allocator: the n-th allocation of a session, from n on, and at random.
    v5 = sess[(5, "client")]
    for n in (1, 2, 3, 4, 6, 9, 14, 20, 30):
        seeds.append(capi_input(True, 5, [C_LOOP, 3], v5, alloc=1, n=n))
    seeds.append(capi_input(True, 5, [C_LOOP, 3], v5, alloc=2, n=5))
    seeds.append(capi_input(False, 5, [C_REPLY, 0x21, C_DRAIN, 0, C_LOOP, 3], sess[(5, "server")], alloc=3, n=7,
                            prob=12))
    # Limits: a tiny maximum packet size, a small output queue, borrowed payloads, strict UTF-8.
    seeds.append(capi_input(True, 5, [C_LOOP, 3], v5, max_mode=1, max_val=30))
    seeds.append(capi_input(True, 5, [C_LOOP, 1, C_DRAIN, 5, C_GATHER, 3, 0x82, C_DRAIN, 0], v5, out_mode=1,
                            out_val=60))
    seeds.append(capi_input(True, 5, [C_LOOP, 3], v5, opts=3, borrow_mode=1, borrow_val=1))
    # Sends of every kind from script bytes (zero bytes: a plain valid packet), after a session
    # opened; then every kind as the peer, and through mqttconn_encode()/mqttconn_decode().
    for server in (False, True):
        level_script = [C_REPLY, 0, C_DRAIN, 0, C_RECV, 0, C_TAKE, 0] if not server else [
            C_RECV, 0, C_TAKE, 0, C_REPLY, 0, C_DRAIN, 0]
        opening = connack(5) if not server else connect(5)
        for kind in range(15):
            body = [C_SEND, kind, 0x02, 0, 0, 0, 0, 0, 0, 0x05, 0x13, 1, 0, 1, 0x08, 0x03, 0x00, 0x01, 0x00]
            seeds.append(capi_input(server, 5, level_script + body + [C_GATHER, 4, 0, C_QUERY], opening,
                                    borrow_mode=1, borrow_val=2))
    for kind in range(15):
        for level in (5, 4, 3):
            t = kind | {5: 0x20, 4: 0x10, 3: 0x00}[level]
            seeds.append(capi_input(False, level, [C_CODEC, t, 0x02, 0, 0, 0, 0, 0, 0, 2, 0x0B, 1, 0, 1, 0x08,
                                                   0x03, 0x00, 0x01, 0x00, 3], b""))
        seeds.append(capi_input(kind % 2 == 0, 5, [C_REPLY, 0, C_DRAIN, 0, C_PEER, kind, 0x02, 0, 0, 0, 0, 0, 0,
                                                   0x02, 0x24, 1, 0, C_TAKE, 0, C_REPLY, 0, C_DRAIN, 0], b""))
    for level, b, _ in vecs["valid"][:40]:
        if len(b) < 120:
            seeds.append(capi_input(False, level, [C_CODEC, 0x80 | {5: 0x20, 4: 0x10, 3: 0}[level], len(b)] +
                                    list(b), b""))
    # Caller mistakes, with and without a session, and the setters' refusals.
    seeds.append(capi_input(True, 5, sum(([C_MISUSE, k | 0x10 * (k % 3)] for k in range(10)), []) + [C_LOOP, 3],
                            v5, bad=1))
    seeds.append(capi_input(False, 5, [C_REPLY, 0] + sum(([C_MISUSE, k] for k in range(10)), []) +
                            [C_TAKE, 1, C_TAKE, 2, C_FREE], b""))
    return seeds


# fuzz_batch (fuzz/fuzz_batch.cpp): seven leading bytes, record edits, choices, a stream.
def batch_input(server, level, stream, edits=b"", choices=b"", opts=0, max_mode=0, max_val=0):
    head = bytes([LEVEL_BITS[level] | (0x04 if server else 0) | opts << 3, max_mode, max_val,
                  len(edits) >> 8, len(edits) & 0xFF, len(choices) >> 8, len(choices) & 0xFF])
    return head + bytes(edits) + bytes(choices) + stream


def record(kind, sections, flags=0, packet_id=0, reason=0, version=0, keep_alive=0, conn=0, reserved=(0, 0)):
    """A batch record (include/mqttconn.h, "Batches"): header, section lengths, sections."""
    table = b"".join(len(s).to_bytes(4, "little") for s in sections)
    size = 16 + len(table) + sum(len(s) for s in sections)
    return (size.to_bytes(4, "little") + bytes([kind, flags]) + packet_id.to_bytes(2, "little") +
            bytes([reason, version]) + keep_alive.to_bytes(2, "little") + bytes([conn, reserved[0]]) +
            reserved[1].to_bytes(2, "little") + table + b"".join(sections))


def prop_int(pid, value):
    return bytes([pid]) + value.to_bytes(4, "little")


def prop_str(pid, text):
    return bytes([pid]) + len(text).to_bytes(2, "little") + text


def batch_seeds(vecs, sess):
    seeds = []
    # Sessions in one piece with room for all, then in small pieces with little room.
    for (level, direction), b in sorted(sess.items()):
        server = direction == "client"
        seeds.append(batch_input(server, level, b))
        seeds.append(batch_input(server, level, b, choices=bytes([0x83, 0x01, 0x90, 0x20] * 8)))
        seeds.append(batch_input(server, level, b, choices=bytes([0x00, 0x85, 0x00, 0x40, 0x84] * 8)))
    # Every valid fixture of a level as one stream; each kind's records edited a little, sent
    # from the first record of each kind on.
    by_level = {}
    for level, b, _ in vecs["valid"]:
        by_level.setdefault(level, {}).setdefault(b[0] >> 4, b)
    for level, kinds in sorted(by_level.items()):
        stream = b"".join(kinds[t] for t in sorted(kinds))
        for first in range(len(kinds)):
            seeds.append(batch_input(first % 2 == 0, level, stream, edits=bytes([first, 0])))
        seeds.append(batch_input(True, level, stream, edits=bytes([0, 2, 0, 5, 0, 0x01, 0, 20, 1, 0x7F])))
        seeds.append(batch_input(False, level, stream, edits=bytes([1, 1, 0, 40, 2, 0]) + b"\x10\x00\x00\x00\x0c"))
    # Records with properties: the 5.0 rule fixtures, a few per file.
    per_file = {}
    for level, b, name in vecs["rules"]:
        if level == 5 and len(per_file.setdefault(name, [])) < 3:
            per_file[name].append(b)
    for name, bs in sorted(per_file.items()):
        seeds.append(batch_input(True, 5, b"".join(bs), choices=bytes([0x90, 0x00, 0x84, 0x02])))
    # A tiny maximum packet size and strict UTF-8 and payload format checks.
    seeds.append(batch_input(True, 5, sess[(5, "client")], opts=3, max_mode=1, max_val=40))
    # Records written by hand, each after a good one: every way the layout says a record is
    # bad, and good ones the library never writes (properties out of order).
    good = record(4, [b""], packet_id=1)
    bad = [
        record(4, [b""], packet_id=1, reserved=(1, 0)),             # reserved byte
        record(4, [b""], packet_id=1, reserved=(0, 1)),             # reserved u16
        record(4, [b""], packet_id=1, flags=0x20),                  # unknown flag bit
        record(4, [prop_int(0x23, 0x10000)], packet_id=1),          # two-byte property too wide
        record(4, [prop_int(0x01, 0x100)], packet_id=1),            # one-byte property too wide
        record(4, [prop_int(0x05, 1)], packet_id=1),                # no such property
        record(4, [prop_str(0x1F, b"why")[:-1]], packet_id=1),      # string runs past its section
        record(8, [b"\xC0\x01\x00a", b""], packet_id=1),            # subscription option bits 6-7
        record(0, [b""]), record(16, [b""]),                        # no such type
        record(3, [b"a", b"", b""], flags=0x0C, packet_id=1),       # QoS 3
        record(1, [b"c", b"", b"", b"", b"", b"", b""], version=7),  # CONNECT level 7
        good[:-1],                                                  # size past the buffer's end
        good[:15],                                                  # shorter than its header
        (len(good) + 1).to_bytes(4, "little") + good[4:] + b"\x00",  # slack after the sections
    ]
    for r in bad:
        for server in (False, True):
            seeds.append(batch_input(server, 5, b"", edits=bytes([255, 0]) + good + r + good))
    ordered = record(3, [b"a/b", b"x", prop_int(0x23, 1) + prop_str(0x08, b"r") + prop_int(0x01, 1) +
                         bytes([0x26]) + (1).to_bytes(2, "little") + b"k" + (1).to_bytes(2, "little") + b"v" +
                         prop_int(0x0B, 7) + prop_int(0x0B, 268435455)], flags=0x06, packet_id=9)
    seeds.append(batch_input(False, 5, connack(5), edits=bytes([255, 0]) + ordered + good))
    # The properties no fixture record carries: in a PUBLISH, a CONNACK and a CONNECT record.
    rare = [record(3, [b"a", b"", prop_str(0x09, b"cd")]),
            record(2, [prop_str(0x12, b"id") + prop_str(0x1A, b"ri") + prop_str(0x1C, b"sr")]),
            record(1, [b"c", b"", b"", b"", b"", b"", prop_int(0x19, 1)], version=5, conn=0x80)]
    for server in (False, True):
        seeds.append(batch_input(server, 5, b"", edits=bytes([255, 0]) + b"".join(rare)))
    return seeds


def main(argv):
    check = "--check" in argv
    vecs = {"valid": vectors(["vectors"]), "rules": vectors(["rules_v5", "rules_v311"])}
    sess = sessions()
    targets = {
        "fuzz_decode": decode_seeds(vecs, sess),
        "fuzz_roundtrip": roundtrip_seeds(vecs, sess),
        "fuzz_conn_server": server_seeds(vecs, sess),
        "fuzz_conn_client": client_seeds(vecs, sess),
        "fuzz_capi": capi_seeds(vecs, sess),
        "fuzz_batch": batch_seeds(vecs, sess),
    }
    for target, seeds in targets.items():
        d = CORPUS / target
        d.mkdir(parents=True, exist_ok=True)
        new = 0
        for seed in seeds:
            path = d / hashlib.sha256(seed).hexdigest()
            if not path.exists():
                new += 1
                if not check:
                    path.write_bytes(seed)
        print(f"{target}: {len(set(seeds))} seeds, {new} new, {sum(len(x) for x in set(seeds))} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
