#!/usr/bin/env python3
"""bench-smoke: run one benchmark and check what it printed.

    check-json.py -- BENCHMARK [ARGS...]
    check-json.py --file F.json [--file G.json ...] -- COMMAND [ARGS...]

Passes when the benchmark exits 0 and its stdout (or, with --file, each
file, which is removed before COMMAND runs so that an old one cannot pass:
the VM benchmarks write theirs into vm-run's results folder) is one JSON
document in the schema of bench/README.md whose every result was verified
and has a finite value (for bench/alloc: every first-* start-up row has
its first-cold-* twin), and where a result counts what both sides kept
("kept", "baseline_kept"), the two counts agree. Timings are never compared with targets here: the CI machine is
shared and a smoke test must not fail because a neighbour was busy. For
allocation, a run that measured the system dma-heap must also have measured
its pool (steady acquire + release, and the memory a pool holds under its
cap), both verified.
"""
import json
import math
import os
import subprocess
import sys


def fail(msg):
    print("check-json: " + msg, file=sys.stderr)
    sys.exit(1)


def main(argv):
    if "--" not in argv:
        fail("usage: check-json.py [--file F.json]... -- BENCHMARK [ARGS...]")
    opts = argv[1:argv.index("--")]
    cmd = argv[argv.index("--") + 1:]
    files = [opts[i + 1] for i in range(0, len(opts) - 1) if opts[i] == "--file"]
    if len(files) * 2 != len(opts):
        fail("usage: check-json.py [--file F.json]... -- BENCHMARK [ARGS...]")
    for f in files:
        if os.path.exists(f):
            os.unlink(f)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE if not files else None, check=False)
    if proc.returncode != 0:
        fail("%s exited with %d" % (cmd[0], proc.returncode))
    if not files:
        check(proc.stdout, "stdout")
    for f in files:
        try:
            with open(f, "rb") as fh:
                check(fh.read(), f)
        except OSError as e:
            fail("%s: %s" % (f, e))


def check(text, where):
    try:
        doc = json.loads(text)
    except ValueError as e:
        fail("%s is not JSON: %s" % (where, e))
    for key, kind in (("benchmark", str), ("machine", dict), ("results", list)):
        if not isinstance(doc.get(key), kind):
            fail("missing or mistyped %r" % key)
    if not doc["results"]:
        fail("no results")
    for r in doc["results"]:
        name = r.get("name")
        if not isinstance(name, str) or not isinstance(r.get("unit"), str):
            fail("a result without name or unit: %r" % r)
        v = r.get("value")
        if not isinstance(v, (int, float)) or not math.isfinite(v):
            fail("%s: value %r is not a finite number" % (name, v))
        if r.get("verified") is not True:
            fail("%s: not verified" % name)
        if "floor_stream" in r:
            check_floor(r)
        # a comparison that counts what each side kept must agree on it
        if "kept" in r or "baseline_kept" in r:
            if r.get("kept") != r.get("baseline_kept"):
                fail("%s: liballoc kept %r, the baseline %r" % (
                    name, r.get("kept"), r.get("baseline_kept")))
    names = {r["name"] for r in doc["results"]}
    if doc["benchmark"] == "alloc" and any(n.startswith("dma-heap:system-") for n in names):
        for want in ("pool-dma-heap:system-1MiB", "pool-memory-dma-heap:system-1MiB"):
            if want not in names:
                fail("%s: no %s result" % (where, want))
    if doc["benchmark"] == "alloc":
        check_first_rows([r["name"] for r in doc["results"]])
    print("%s: %d results, all verified" % (doc["benchmark"], len(doc["results"])))


def check_floor(r):
    """A ratio over a floor (frame-path) means something only if the floor
    captured every frame asked of it and streamed what the pipeline did."""
    name, stream, floor = r["name"], r.get("stream"), r.get("floor_stream")
    if not isinstance(stream, dict) or not stream or stream != floor:
        fail("%s: the floor streamed %r, the pipeline %r" % (name, floor, stream))
    if any(v is None for v in stream.values()):
        fail("%s: unknown stream properties %r" % (name, stream))
    captured, asked = r.get("floor_frames_captured"), r.get("floor_frames_asked")
    if captured is not None and (not isinstance(asked, int) or captured < asked):
        fail("%s: the floor captured %r of %r frames" % (name, captured, asked))
    b = r.get("baseline")
    if not isinstance(b, (int, float)) or not math.isfinite(b):
        fail("%s: floor CPU per frame %r is not a number" % (name, b))


def check_first_rows(names):
    """alloc: every path's start-up is reported warm and cold, side by side."""
    warm = [n for n in names if n.startswith("first-") and not n.startswith("first-cold-")]
    if not warm:
        fail("alloc: no first-* (start-up) result")
    for n in warm:
        if "first-cold-" + n[len("first-"):] not in names:
            fail("alloc: %s has no first-cold-* twin (start-up without the probe cache)" % n)


if __name__ == "__main__":
    main(sys.argv)
