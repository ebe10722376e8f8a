#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Guest side of the vm test alloc-info (suite vm): alloc-info against the
real backends and drivers (vgem, virtio_gpu, vivid, dma-heap), every
--json document validated against the schema in USAGE.md.

    vm-alloc-info.py TOOL CHECK      # CHECK: list | negotiate | offline | contig

The backends come from LIBALLOC_BACKEND_PATH. Which ones are expected is
read from those folders (each liballoc-*.so there must show up in `list`),
so a backend that is not built yet is skipped, never silently lost.
"""

import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib  # noqa: E402
schema = importlib.import_module("alloc-info-schema")

failed = []


def check(ok, what, detail=""):
    print("%s: %s" % ("ok" if ok else "FAIL", what))
    if not ok:
        failed.append(what)
        if detail:
            print("  " + str(detail).replace("\n", "\n  ")[:3000])
    return ok


def run(tool, *args, want=None):
    p = subprocess.run([tool] + list(args), capture_output=True, text=True, timeout=120)
    print("$ alloc-info %s  -> exit %d" % (" ".join(args), p.returncode))
    if p.stderr.strip():
        print("  stderr: " + p.stderr.strip().replace("\n", "\n  stderr: "))
    if want is not None:
        check(p.returncode in (want if isinstance(want, tuple) else (want,)),
              "exit status of alloc-info %s" % " ".join(args)[:80], p.stdout[-2000:])
    return p


def valid(p, what):
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        check(False, what + ": JSON parses", "%s\n%s" % (e, p.stdout[:2000]))
        return None
    errors = schema.validate(doc)
    check(not errors, what + ": valid against the schema", "\n".join(errors))
    return doc


def built_backends():
    names = set()
    for d in os.environ.get("LIBALLOC_BACKEND_PATH", "").split(":"):
        for so in glob.glob(os.path.join(d, "liballoc-*.so")):
            names.add(os.path.basename(so)[len("liballoc-"):-len(".so")])
    return names


def listing(tool):
    doc = valid(run(tool, "--json", "list", want=0), "list --json")
    if doc is None:
        sys.exit(1)
    return doc


def by_driver(doc, driver, usage=None):
    return [d for d in doc["devices"] if d["driver"] == driver and
            (usage is None or usage in d["usages"])]


def check_list(tool):
    doc = listing(tool)
    built, listed = built_backends(), set(doc["backends"])
    check(built and built <= listed, "every built backend is loaded: built %s, listed %s"
          % (sorted(built), sorted(listed)))
    print("backends: %s; devices: %s" % (", ".join(doc["backends"]),
          ", ".join("%s %s" % (d["driver"], d["path"]) for d in doc["devices"])))
    if "drm" in listed:
        for drv in ("vgem", "virtio_gpu"):
            check(by_driver(doc, drv), "drm: %s listed" % drv)
        cards = by_driver(doc, "virtio_gpu", "scanout")
        if check(cards, "drm: a virtio_gpu node serves scanout"):
            card = cards[0]
            check(card["main_usage"] == ["scanout"] and card["negotiation"] is not None
                  and card["formats"], "drm: virtio_gpu main usage scanout, formats, a "
                  "negotiation", json.dumps(card)[:1500])
            paths = card["negotiation"]["paths"] if card["negotiation"] else []
            check(any(p["matched"] and p["device_memory"] for p in paths),
                  "drm: virtio_gpu's own memory is a matched path", json.dumps(paths)[:1500])
    if "v4l2" in listed:
        cams = by_driver(doc, "vivid", "capture")
        if check(cams, "v4l2: a vivid node serves capture"):
            cam = cams[0]
            check(cam["main_usage"] == ["capture"] and cam["import_rule"] in schema.IMPORT_RULES
                  and cam["formats"], "v4l2: vivid capture: import rule, formats",
                  json.dumps(cam)[:1500])
    if "ion" in listed:
        heaps = [d for d in doc["devices"] if d["path"].startswith("/dev/dma_heap/")]
        check(heaps, "ion: dma-heap nodes listed", [d["path"] for d in doc["devices"]])
        # Heaps are memory, not users of it: their paths show up for others.
        everyone = [p["name"] for d in doc["devices"] if d["negotiation"]
                    for p in d["negotiation"]["paths"]]
        check(any(n.startswith("dma-heap:") for n in everyone) or not
              any(d["negotiation"] for d in doc["devices"]),
              "ion: a dma-heap path in the devices' negotiations", everyone[:40])
    p = run(tool, "list", want=0)
    check(p.stdout.startswith("backends: ") and "devices (%d):" % len(doc["devices"]) in p.stdout,
          "list: text form", p.stdout[:1500])
    print(p.stdout)


def pipeline(tool):
    """vivid capture + virtio_gpu scanout, or None if a backend is missing."""
    doc = listing(tool)
    if not {"drm", "v4l2"} <= set(doc["backends"]):
        check("drm" not in built_backends() and "v4l2" not in built_backends(),
              "drm and v4l2 loaded when built", doc["backends"])
        print("drm or v4l2 backend not built: pipeline checks skipped")
        return None
    cams, cards = by_driver(doc, "vivid", "capture"), by_driver(doc, "virtio_gpu", "scanout")
    if not check(cams and cards, "vivid capture and virtio_gpu scanout devices found"):
        sys.exit(1)
    return cams[0]["path"] + ":capture", cards[0]["path"] + ":scanout"


def check_negotiate(tool):
    pl = pipeline(tool)
    if not pl:
        return
    cam, card = pl
    p = run(tool, "--json", "negotiate", cam, card, "--size", "640x480", "--count", "2",
            "--allocate", want=0)
    doc = valid(p, "negotiate --json --allocate")
    if doc is None or p.returncode:
        print(p.stdout[:4000])
        return
    ch = doc["chosen"]
    print("chosen %s %s; paths: %s" % (ch["format"], ch["modifier"], ", ".join(
        "%s%s" % (x["name"], "(%d)" % x["rank"] if x["matched"] else "(no)") for x in doc["paths"])))
    bufs = doc["buffers"]
    check(len(bufs) == 2 and all(b["format"] == ch["format"] and b["modifier"] == ch["modifier"]
                                 and b["width"] == 640 and b["height"] == 480 for b in bufs),
          "two buffers of the chosen format and size", json.dumps(bufs)[:1500])
    matched = [x["name"] for x in doc["paths"] if x["matched"]]
    check(bufs and bufs[0]["path"] == matched[0], "the best matched path allocated them",
          (bufs[0]["path"] if bufs else None, matched))
    for b in bufs:
        for i, pl_ in enumerate(b["planes"]):
            check(pl_["pitch"] >= 640 and pl_["size"] >= pl_["pitch"] * (480 if i == 0 else 240),
                  "plane %d: pitch and size cover the image" % i, pl_)
    if doc["layout"]:
        check(doc["layout"]["planes"][0]["pitch"] <= bufs[0]["planes"][0]["pitch"],
              "the buffer's pitch is at least liballoc's computed linear pitch",
              (doc["layout"], bufs[0]["planes"]))
    p = run(tool, "negotiate", cam, card, "--size", "640x480", "--allocate", want=0)
    check("allocated 1 buffer(s):" in p.stdout and "chosen: " in p.stdout, "negotiate: text form",
          p.stdout[:3000])
    print(p.stdout)
    # No common format: virtio_gpu scans out RGB only, so NV12 alone cannot work.
    p = run(tool, "--json", "negotiate", cam, card, "--size", "640x480", "--format", "NV12",
            want=2)
    doc = valid(p, "negotiate --json, NV12 only")
    if doc:
        check(doc["error"] and doc["error"]["kind"] == "no-format" and "virtio_gpu" in
              doc["diagnosis"], "NV12 only: exit 2, the diagnosis names virtio_gpu",
              doc["diagnosis"])
        check(doc["diagnosis"] in p.stderr, "NV12 only: the diagnosis is on stderr", p.stderr)


def check_offline(tool):
    pl = pipeline(tool)
    if not pl:
        return
    tmp = os.environ.get("TMPDIR", "/tmp")
    files = []
    for arg in pl:
        dev, usage = arg.rsplit(":", 1)
        f = os.path.join(tmp, os.path.basename(dev) + ".json")
        p = run(tool, "--json", "caps", dev, "--usage", usage, "--size", "640x480", "--save", f,
                want=0)
        doc = valid(p, "caps --json --save %s" % dev)
        with open(f) as fh:
            check(doc is not None and json.load(fh) == doc["capset"],
                  "caps: the saved file is the set shown")
        files.append(f)
    live = valid(run(tool, "--json", "negotiate", *pl, "--size", "640x480", want=0), "live")
    off = valid(run(tool, "--json", "negotiate", *files, "--size", "640x480", want=(0, 3)),
                "offline")
    if live and off:
        check(live["chosen"] == off["chosen"] and live["candidates"] == off["candidates"],
              "offline negotiation of the saved sets chooses as the live one",
              (live["chosen"], off["chosen"]))
        check(all(d["source"] == "file" for d in off["devices"]), "offline: devices are files")


def check_contig(tool):
    """vivid with allocators=1 (vb2-dma-contig) next to virtio_gpu, which
    imports nothing: whatever the outcome, it is explained and valid."""
    pl = pipeline(tool)
    if not pl:
        return
    p = run(tool, "--json", "negotiate", *pl, "--size", "640x480", "--allocate", want=(0, 3, 4))
    doc = valid(p, "negotiate with a dma-contig camera")
    if not doc:
        return
    cam = doc["devices"][0]
    print("vivid import rule: %s (%s); exit %d; diagnosis: %s" % (
        cam["import_rule"], cam["import_reason"], p.returncode, doc["diagnosis"]))
    if p.returncode == 0:
        check(doc["buffers"] and all("contiguous" in b["flags"] or cam["import_rule"] != "contiguous"
                                     for b in doc["buffers"]),
              "a contiguous-only camera gets contiguous buffers", json.dumps(doc["buffers"]))
    else:
        check(doc["error"]["message"] and "vivid" in doc["error"]["message"] + doc["diagnosis"],
              "the failure names the camera", doc["error"])


def main(argv):
    checks = {"list": check_list, "negotiate": check_negotiate, "offline": check_offline,
              "contig": check_contig}
    if len(argv) != 3 or argv[2] not in checks:
        print("usage: vm-alloc-info.py TOOL %s" % "|".join(checks), file=sys.stderr)
        return 2
    checks[argv[2]](argv[1])
    print("%d check(s) failed: %s" % (len(failed), "; ".join(failed)) if failed else "all passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
