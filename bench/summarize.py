#!/usr/bin/env python3
"""Render benchmark JSON files as a markdown summary.

    bench/summarize.py [FILE.json ...]     (default: bench/results/*.json)

Any document in the schema of bench/README.md renders: a heading per
benchmark, the machine it ran on (with its load average, since the machine
may be shared), and one table row per result. Keys other than the schema's
are left to the JSON.
"""
import glob
import json
import math
import os
import sys


def num(v):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    a = abs(v)
    if a >= 1000:
        return "%.0f" % v
    if a >= 100:
        return "%.1f" % v
    if a >= 1 or a == 0:
        return "%.2f" % v
    return "%.3g" % v


def with_unit(v, unit):
    s = num(v)
    return s if s == "–" or unit in ("count", "exponent", "") else s + " " + unit


def machine_line(m):
    parts = [m.get("cpu", "?"), "%s CPUs" % m.get("cpus_online", "?"), m.get("kernel", "?")]
    if m.get("compiler"):
        parts.append("compiler " + m["compiler"])
    if m.get("buildtype"):
        parts.append(m["buildtype"])
    parts.append("load %s → %s" % (m.get("loadavg_start", "?"), m.get("loadavg_end", "?")))
    parts.append("%s run, %s iterations" % (m.get("mode", "?"), m.get("iterations", "?")))
    if m.get("date"):
        parts.append(m["date"])
    return "; ".join(str(p) for p in parts)


def render(doc):
    out = ["### %s" % doc["benchmark"], "", machine_line(doc.get("machine", {})), ""]
    out.append("| result | value | p90 | baseline | baseline p90 | ratio | note |")
    out.append("|---|---:|---:|---:|---:|---:|---|")
    for r in doc["results"]:
        unit = r.get("unit", "")
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            r["name"], with_unit(r.get("value"), unit), with_unit(r.get("p90"), unit),
            with_unit(r.get("baseline"), unit), with_unit(r.get("baseline_p90"), unit),
            num(r.get("ratio")),
            (r.get("note", "") + ("" if r.get("verified") else " (NOT verified)")).replace("|", "/")))
    out.append("")
    return "\n".join(out)


def main(argv):
    files = argv[1:] or sorted(glob.glob(os.path.join(os.path.dirname(__file__), "results", "*.json")))
    if not files:
        print("summarize: no JSON files", file=sys.stderr)
        return 1
    print("ratio = value / baseline (below 1: liballoc is faster or smaller).\n")
    for f in files:
        with open(f) as fh:
            print(render(json.load(fh)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
