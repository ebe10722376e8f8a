#!/usr/bin/env python3
"""bench-smoke: run one benchmark and check what it printed.

    check-json.py -- BENCHMARK [ARGS...]

Passes when the benchmark exits 0 and its stdout is one JSON document in the
schema of bench/README.md whose every result was verified and has a finite
value. Timings are never compared with targets here: the CI machine is
shared and a smoke test must not fail because a neighbour was busy.
"""
import json
import math
import subprocess
import sys


def fail(msg):
    print("check-json: " + msg, file=sys.stderr)
    sys.exit(1)


def main(argv):
    if "--" not in argv:
        fail("usage: check-json.py -- BENCHMARK [ARGS...]")
    cmd = argv[argv.index("--") + 1:]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        fail("%s exited with %d" % (cmd[0], proc.returncode))
    try:
        doc = json.loads(proc.stdout)
    except ValueError as e:
        fail("stdout is not JSON: %s" % e)
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
    print("%s: %d results, all verified" % (doc["benchmark"], len(doc["results"])))


if __name__ == "__main__":
    main(sys.argv)
