#!/usr/bin/env python3
"""The Python binding's side of the codec benchmark: W1, W2 and W6 through mqttconn's Python
package, and (when `node` is found) the same workloads through mqtt-packet (bench/node) in the
same run, with the ratio.

    python3 bench/python_bench.py --dir DIR [--reps N] [--min-time S] [--no-node] [--json]
    python3 bench/python_bench.py --codec-bench BUILD/bench/codec_bench ...   (dumps DIR itself)

DIR holds the wire bytes of `codec_bench --dump DIR` (W1.bin .. W6.bin, manifest.json). The
package is imported from python/ next to this directory, the library from MQTTCONN_LIBRARY
(e.g. BUILD/capi/libmqttconn.so) or an installed wheel.

Jobs, each the median over --reps repetitions of at least --min-time seconds (calibrated, the
calibration doubling as warm-up), reported in ns per packet and packets per second:
  W1-decode, W2-decode  Decoder.feed(one packet) per iteration: one C call per packet, as
                        mqtt-packet's parser.parse(buf) per iteration;
  W1-encode, W2-encode  mqttconn.encode(packet) per iteration, as mqtt.generate(packet);
  W6-decode             the 1,000,000-packet v5 stream fed to one Decoder in 4 KiB chunks, as
                        bench.js does (about 27 packets per C call);
  W6-encode             the same 1,000,000 packets (objects of the 20-packet pattern) encoded
                        with encode_all(), 1,000 per call (bench.js has no W6 encode job);
  W1-decode-batch, W2-decode-batch, W1-encode-batch, W2-encode-batch   1,000 packets per call
                        (feed() of 1,000 packets back to back; encode_all() of 1,000 packets):
                        what the batch path gives when the caller has many packets at hand.
Every decode checks what it got (count, and fields of the last packet); every encode checks
its bytes against the dump once.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "python"))

import mqttconn  # noqa: E402

BATCH = 1000


def measure(run, packets_per_iter, reps, min_time):
    n = 1
    while True:  # calibrate (and warm up)
        t0 = time.perf_counter()
        run(n)
        t = time.perf_counter() - t0
        if t >= min_time / 8:
            break
        n *= 16 if t < min_time / 1000 else 2
    iters = max(1, int(n * min_time * 1.05 / t) + 1)
    ns = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run(iters)
        ns.append((time.perf_counter() - t0) * 1e9 / (iters * packets_per_iter))
    return statistics.median(ns), ns, iters


def jobs(wire, manifest):
    w1, w2, w6 = wire["W1"], wire["W2"], wire["W6"]
    p1 = mqttconn.decode(w1, 4)[0]
    p2 = mqttconn.decode(w2, 5)[0]
    assert mqttconn.encode(p1, 4) == w1 and mqttconn.encode(p2, 5) == w2, "encoded bytes differ from the dump"
    assert p2.properties.user_properties == (("a", "1"), ("b", "2"))
    out = {}

    def decode_job(w, level, want):
        d = mqttconn.Decoder(level)

        def run(n):
            for _ in range(n):
                got = d.feed(w)
            assert got == [want]
        return run, 1

    def decode_batch_job(w, level, want):
        d = mqttconn.Decoder(level)
        many = w * BATCH

        def run(n):
            for _ in range(n):
                got = d.feed(many)
            assert len(got) == BATCH and got[-1] == want
        return run, BATCH

    def encode_job(p, level, want):
        enc = mqttconn.encode

        def run(n):
            for _ in range(n):
                b = enc(p, level)
            assert b == want
        return run, 1

    def encode_batch_job(p, level, want):
        enc = mqttconn.encode_all
        ps = [p] * BATCH

        def run(n):
            for _ in range(n):
                b = enc(ps, level)
            assert len(b) == len(want) * BATCH
        return run, BATCH

    def w6_job():
        total = manifest["W6_packets"]
        chunks = [w6[i:i + 4096] for i in range(0, len(w6), 4096)]

        def run(n):
            for _ in range(n):
                d = mqttconn.Decoder(5)
                count = 0
                for c in chunks:
                    count += len(d.feed(c))
                assert count == total and d.buffered == 0
        return run, total

    def w6_encode_job():
        total = manifest["W6_packets"]
        unit = mqttconn.Decoder(5).feed(w6[:len(w6) // (total // 20)])  # the 20-packet pattern
        assert len(unit) == 20
        chunk = unit * 50  # 1,000 packets per call
        want = w6[:len(w6) // (total // 1000)]
        assert mqttconn.encode_all(chunk, 5) == want, "W6 encoded bytes differ from the dump"
        enc = mqttconn.encode_all

        def run(n):
            for _ in range(n):
                size = 0
                for _ in range(total // 1000):
                    size += len(enc(chunk, 5))
                assert size == len(w6)
        return run, total

    out["W1-decode"] = decode_job(w1, 4, p1)
    out["W1-encode"] = encode_job(p1, 4, w1)
    out["W2-decode"] = decode_job(w2, 5, p2)
    out["W2-encode"] = encode_job(p2, 5, w2)
    out["W6-decode"] = w6_job()
    out["W6-encode"] = w6_encode_job()
    out["W1-decode-batch"] = decode_batch_job(w1, 4, p1)
    out["W2-decode-batch"] = decode_batch_job(w2, 5, p2)
    out["W1-encode-batch"] = encode_batch_job(p1, 4, w1)
    out["W2-encode-batch"] = encode_batch_job(p2, 5, w2)
    return out


def node_results(dirname, reps, min_time, w6_reps):
    node = shutil.which("node")
    script = os.path.join(HERE, "node", "bench.js")
    if node is None or not os.path.isdir(os.path.join(HERE, "node", "node_modules", "mqtt-packet")):
        return None
    r = subprocess.run([node, script, "--dir", dirname, "--json", "--reps", str(reps), "--min-time", str(min_time),
                        "--w6-reps", str(w6_reps), "--only", "W1-decode,W1-encode,W2-decode,W2-encode,W6-decode"],
                       capture_output=True, check=True, cwd=os.path.join(HERE, "node"))
    data = json.loads(r.stdout)
    return {f"{x['workload']}-{x['direction']}": x["median_ns_per_packet"] for x in data["results"]}, data


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", help="output of codec_bench --dump DIR")
    ap.add_argument("--codec-bench", help="codec_bench executable, to dump the workloads when --dir is not given")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--w6-reps", type=int, default=3)
    ap.add_argument("--min-time", type=float, default=0.2)
    ap.add_argument("--no-node", action="store_true")
    ap.add_argument("--only", help="comma-separated job names")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-cache", action="store_true",
                    help="decode every property block and subscription list afresh (the package shares the "
                         "objects of blocks whose bytes repeat)")
    a = ap.parse_args(argv)
    if a.no_cache:
        from mqttconn import _records
        _records._CACHE_BLOCK = -1

    tmp = None
    dirname = a.dir
    if dirname is None:
        if not a.codec_bench:
            ap.error("--dir DIR or --codec-bench PATH is required")
        tmp = tempfile.TemporaryDirectory()
        dirname = tmp.name
        subprocess.run([a.codec_bench, "--dump", dirname], check=True)
    try:
        wire = {w: open(os.path.join(dirname, f"{w}.bin"), "rb").read() for w in ("W1", "W2", "W6")}
        manifest = json.load(open(os.path.join(dirname, "manifest.json")))
        only = set(a.only.split(",")) if a.only else None
        results = {}
        for name, (run, ppi) in jobs(wire, manifest).items():
            if only and name not in only:
                continue
            reps = a.w6_reps if name.startswith("W6") else a.reps
            med, ns, iters = measure(run, ppi, reps, a.min_time)
            results[name] = {"median_ns_per_packet": round(med, 1), "packets_per_second": round(1e9 / med),
                             "reps_ns_per_packet": [round(x, 1) for x in ns], "iterations_per_rep": iters}
        node = None if a.no_node else node_results(dirname, a.reps, a.min_time, a.w6_reps)
    finally:
        if tmp is not None:
            tmp.cleanup()

    if a.json:
        print(json.dumps({"python": sys.version.split()[0], "library": mqttconn.library_path,
                          "results": results, "node": node[1] if node else None}, indent=2))
        return 0
    print(f"mqttconn Python binding (Python {sys.version.split()[0]}{', no cache' if a.no_cache else ''}), "
          "median ns/packet over the repetitions")
    print(f"{'job':<17}{'ns/pkt':>10}{'pkt/s':>12}   {'mqtt-packet ns/pkt':>19}{'pkt/s':>12}{'python/node':>13}")
    for name, r in results.items():
        line = f"{name:<17}{r['median_ns_per_packet']:>10.1f}{r['packets_per_second']:>12,}"
        if node and name in node[0]:
            n = node[0][name]
            line += f"   {n:>19.1f}{round(1e9 / n):>12,}{r['median_ns_per_packet'] / n:>12.2f}x"
        print(line)
    if not a.no_node and node is None:
        print("(node or bench/node/node_modules not found: no mqtt-packet figures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
