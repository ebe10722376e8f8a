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
    """Path x size: liballoc and raw medians and their ratio (export, then
    borrowed), then the duplicate export, the pool and the first allocation."""
    cells, sizes, order, first, reneg, borrowed, dup, pool = {}, [], [], {}, {}, {}, {}, []
    for r in doc["results"]:
        name = r["name"]
        if name.startswith("pool-"):
            pool.append(r)
            continue
        for prefix, into in (("borrowed-", borrowed), ("dup-", dup)):
            if name.startswith(prefix):
                into[tuple(name[len(prefix):].rsplit("-", 1))] = r
                break
        else:
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

    def dup_cell(p):
        r = next((v for (path, _), v in dup.items() if path == p), None)
        return cell(r)
    out = ["liballoc / raw ioctls, median µs per allocate + export + free with the negotiation "
           "reused (**ratio**); export: la_buffer_export_take (target ≤ 1.05), borrowed: "
           "la_buffer_get_descriptor (target ≤ 1.02):", "",
           "| path | " + " | ".join("%s export | %s borrowed" % (s, s) for s in sizes)
           + " | dup export (%s) | not reused (1MiB) | first, fresh process (1MiB) |"
           % (sizes[0] if sizes else "–"),
           "|---|" + "---:|" * (2 * len(sizes) + 3)]
    for p in order:
        f = first.get(p)
        first_cell = "–" if f is None else "%s / %s µs (negotiation %s µs)" % (
            num(f.get("value")), num(f.get("baseline")), num(f.get("negotiate_us")))
        out.append("| %s | %s | %s | %s | %s |" % (
            p, " | ".join("%s | %s" % (cell(cells.get((p, s))), cell(borrowed.get((p, s))))
                          for s in sizes),
            dup_cell(p), cell(reneg.get(p)), first_cell))
    for r in pool:
        out.append("")
        out.append("%s: %s / %s %s (**%s**): %s" % (
            r["name"], num(r.get("value")), num(r.get("baseline")), r.get("unit", ""),
            num(r.get("ratio")), r.get("note", "")))
    out.append("")
    return "\n".join(out)


def frame_path_table(doc):
    """Pipeline x measure, then each pipeline over its capture-only floor,
    then where camera-to-display's loop spends its CPU."""
    by = {r["name"]: r for r in doc["results"]}
    rows = []
    for p in ("zero-copy", "copy", "floor", "floor-mmap", "gstreamer", "gstreamer-zero-copy",
              "gstreamer-floor"):
        cpu, fps = by.get("cpu-per-frame-" + p), by.get("fps-" + p)
        rss, bufs = by.get("peak-rss-" + p), by.get("buffers-" + p)
        if not cpu:
            if p in ("zero-copy", "copy", "gstreamer"):
                return ""
            continue  # a document from before the floors
        own = cpu.get("own_cpu_ms")
        rows.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            p, num(cpu.get("steady_cpu_ms")), num(cpu["value"]), "–" if own is None else num(own),
            num(fps and fps["value"]), num(rss and rss["value"]),
            num(bufs["value"]) if bufs else num(cpu.get("camera_queue"))))
    out = ["| pipeline | CPU ms/frame, streaming | CPU ms/frame, long - short run | "
           "CPU ms/frame (program's own) | fps | peak RSS KiB | buffers |",
           "|---|---:|---:|---:|---:|---:|---:|"] + rows + [""]
    floors = [(n, by[n]) for n in ("zero-copy-over-floor", "zero-copy-over-mmap-floor",
                                   "gstreamer-zero-copy-over-floor", "gstreamer-over-floor",
                                   "zero-copy-vs-gstreamer-zero-copy")
              if n in by]
    if floors:
        out += ["| pipeline / baseline | CPU ms/frame | baseline ms/frame | overhead ms | "
                "**ratio** | measured |", "|---|---:|---:|---:|---:|---|"]
        for n, r in floors:
            out.append("| %s | %s | %s | %s | **%s** | %s |" % (
                n, num(r["value"]), num(r["baseline"]), num(r.get("overhead_ms")),
                num(r["ratio"]), r.get("measure", "")))
        out.append("")
    phases = [r for r in doc["results"] if r["name"].startswith("zero-copy-phase-")
              and r["name"] != "zero-copy-phase-commit-over-floor"]
    if phases:
        out += ["| camera-to-display --profile, phase | CPU ms/frame | share | wall ms/frame | "
                "calls/frame |", "|---|---:|---:|---:|---:|"]
        for r in phases:
            out.append("| %s | %s | %s%% | %s | %s |" % (
                r["name"][len("zero-copy-phase-"):], num(r["value"]), num(r.get("share")),
                num(r.get("wall_ms")), num(r.get("calls"))))
        out.append("")
        c = by.get("zero-copy-phase-commit-over-floor")
        if c:
            out.append("The atomic commit alone: %s ms per frame, %s times the floor's whole "
                       "frame (%s ms) measured right before and after.\n" % (
                           num(c["value"]), num(c["ratio"]), num(c["baseline"])))
    return "\n".join(out)


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
