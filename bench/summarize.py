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


def count(v):
    return "–" if v is None else "%d" % v


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
    h = m.get("host")
    if h:
        parts.append("in QEMU (%s, %s) on the host: %s, %s CPUs, host load %s → %s" % (
            h.get("qemu", "?"), h.get("accel", "?"), h.get("cpu", "?"), h.get("cpus_online", "?"),
            h.get("loadavg_start", "?"), h.get("loadavg_end", "?")))
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


def alloc_table(doc):
    """Path x size: liballoc and raw medians and their ratio, then the first allocation."""
    cells, sizes, order, first, reneg, borrowed = {}, [], [], {}, {}, {}
    for r in doc["results"]:
        name = r["name"]
        if name.startswith("borrowed-"):
            borrowed[name[len("borrowed-"):].rsplit("-", 1)[0]] = r
            continue
        if name.startswith("first-"):
            first[name[len("first-"):].rsplit("-", 1)[0]] = r
            continue
        if name.startswith("renegotiate-"):
            reneg[name[len("renegotiate-"):].rsplit("-", 1)[0]] = r
            continue
        path, size = name.rsplit("-", 1)
        if path not in order:
            order.append(path)
        if size not in sizes:
            sizes.append(size)
        cells[(path, size)] = r
    if not cells:
        return ""

    def cell(r):
        if r is None:
            return "–"
        return "%s / %s (**%s**)" % (num(r.get("value")), num(r.get("baseline")), num(r.get("ratio")))
    out = ["liballoc / raw ioctls, median µs per allocate + export + free with the negotiation "
           "reused (**ratio**, target ≤ 1.05):", "",
           "| path | " + " | ".join(sizes) + " | borrowed, no export (%s) | not reused (1MiB) "
           "| first, fresh process (1MiB) |" % (sizes[0] if sizes else "–"),
           "|---|" + "---:|" * (len(sizes) + 3)]
    for p in order:
        f = first.get(p)
        first_cell = "–" if f is None else "%s / %s µs (negotiation %s µs)" % (
            num(f.get("value")), num(f.get("baseline")), num(f.get("negotiate_us")))
        out.append("| %s | %s | %s | %s | %s |" % (
            p, " | ".join(cell(cells.get((p, s))) for s in sizes), cell(borrowed.get(p)),
            cell(reneg.get(p)), first_cell))
    out.append("")
    return "\n".join(out)


def frame_path_table(doc):
    """Pipeline x measure."""
    by = {r["name"]: r for r in doc["results"]}
    rows = []
    for p in ("zero-copy", "copy", "gstreamer"):
        cpu, fps = by.get("cpu-per-frame-" + p), by.get("fps-" + p)
        rss, bufs = by.get("peak-rss-" + p), by.get("buffers-" + p)
        if not cpu:
            return ""
        own = cpu.get("own_cpu_ms")
        rows.append("| %s | %s | %s | %s | %s | %s |" % (
            p, num(cpu["value"]), "–" if own is None else num(own), num(fps and fps["value"]),
            num(rss and rss["value"]), num(bufs and bufs["value"])))
    return "\n".join(["| pipeline | CPU ms/frame | CPU ms/frame (program's own) | fps | "
                      "peak RSS KiB | buffers |", "|---|---:|---:|---:|---:|---:|"] + rows) + "\n"


def negotiate_table(doc):
    """The format-set points: liballoc next to the compositor-style intersection."""
    rows = [r for r in doc["results"] if r["name"].startswith("formatset-")]
    if not rows:
        return ""
    out = ["liballoc / format-set intersection (wlroots' algorithm), median µs per 3-way "
           "negotiation with a format preference:", "",
           "| sets | liballoc µs | format sets µs | ratio | kept (liballoc / format sets) |",
           "|---|---:|---:|---:|---|"]
    for r in rows:
        out.append("| %s | %s | %s | **%s** | %s / %s |" % (
            r["name"][len("formatset-"):], num(r.get("value")), num(r.get("baseline")),
            num(r.get("ratio")), count(r.get("kept")), count(r.get("baseline_kept"))))
    out.append("")
    return "\n".join(out)


COMPACT = {"alloc": alloc_table, "frame-path": frame_path_table, "negotiate": negotiate_table}


def main(argv):
    files = argv[1:] or sorted(glob.glob(os.path.join(os.path.dirname(__file__), "results", "*.json")))
    if not files:
        print("summarize: no JSON files", file=sys.stderr)
        return 1
    print("ratio = value / baseline (below 1: liballoc is faster or smaller).\n")
    for f in files:
        with open(f) as fh:
            doc = json.load(fh)
        print(render(doc))
        compact = COMPACT.get(doc["benchmark"])
        if compact:
            print(compact(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
