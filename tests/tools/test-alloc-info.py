#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Host tests of tools/alloc-info against the TEST DOUBLE backend
(tests/unit/backend-test: devices are JSON .testdev files, memory memfds).

    test-alloc-info.py TOOL MANPAGE GROUP     # TAP on stdout

GROUP: list, caps, negotiate, offline, errors, help, schema. The real
backends are checked in the vm suite (tools/alloc-info/meson.build). Every
run of the tool is also checked for sanitizer reports and for an exit status
outside the documented 0..4, so the ASan build of the unit suite catches
leaks and crashes here too.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib  # noqa: E402
schema = importlib.import_module("alloc-info-schema")

CAMERA = {"driver": "fake_camera", "import_rule": "contiguous",
          "import_reason": "probe: -EINVAL",
          "candidates": [{"format": "YUYV", "modifiers": [0], "pitch_align": 32},
                         {"format": "NV12", "modifiers": [0], "pitch_align": 32}],
          "own_path": {"rank": 300, "flags": ["contiguous"], "caching": "cached"}}
DISPLAY = {"driver": "fake_display", "import_rule": "any",
           "candidates": [{"format": "XR24", "modifiers": [0], "pitch_align": 64},
                          {"format": "NV12", "modifiers": [0, 5], "pitch_align": 256}],
           "own_path": {"rank": 300, "caching": "wc"}}
LONER = {"driver": "fake_loner", "import_rule": "own-only",
         "candidates": [{"format": "NV12", "modifiers": [0]}], "own_path": {"rank": 200}}
MUTE = {"driver": "fake_mute", "refuse_usage": 4095, "candidates": []}
HEAPS = [{"name": "heap:system", "rank": 500, "caching": "cached"},
         {"name": "heap:contig", "rank": 400, "flags": ["contiguous"], "caching": "wc"}]


class Run:
    def __init__(self, args, p):
        self.args, self.rc, self.out, self.err = args, p.returncode, p.stdout, p.stderr

    def json(self):
        return json.loads(self.out)


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, name, detail=""):
        self.n += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, name))
        if not ok:
            self.failed += 1
            for line in str(detail).splitlines()[-25:]:
                print("# " + line)
        return ok

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


class Env:
    """A temporary folder of fake devices and the tool run against them."""

    def __init__(self, tool, tap, tmp):
        self.tool, self.tap, self.tmp = tool, tap, tmp
        self.env = dict(os.environ)
        self.env.pop("LIBALLOC_DEBUG", None)
        self.env["LIBALLOC_TEST_HEAPS"] = json.dumps(HEAPS)
        self.dev = {}
        for name, desc in [("camera", CAMERA), ("display", DISPLAY), ("loner", LONER),
                           ("mute", MUTE)]:
            self.dev[name] = self.write(name + ".testdev", json.dumps(desc))

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def run(self, *args, env=None):
        e = dict(self.env, **(env or {}))
        for k, v in list(e.items()):
            if v is None:
                del e[k]
        p = subprocess.run([self.tool] + list(args), capture_output=True, text=True,
                           env=e, cwd=self.tmp, timeout=60)
        r = Run(args, p)
        # A crash, a sanitizer report or an undocumented status fails at once.
        bad = re.search(r"(AddressSanitizer|LeakSanitizer|runtime error:)", r.err)
        self.tap.check(0 <= r.rc <= 4 and not bad,
                       "clean exit: alloc-info %s" % " ".join(args)[:90],
                       "status %d\n%s" % (r.rc, r.err))
        return r

    def expect(self, name, r, rc, out=(), err=(), no_out=()):
        problems = []
        if r.rc != rc:
            problems.append("status %d, expected %d" % (r.rc, rc))
        for s in out:
            if not re.search(s, r.out, re.M):
                problems.append("stdout lacks /%s/" % s)
        for s in err:
            if not re.search(s, r.err, re.M):
                problems.append("stderr lacks /%s/" % s)
        for s in no_out:
            if re.search(s, r.out, re.M):
                problems.append("stdout has /%s/" % s)
        return self.tap.check(not problems, name, "\n".join(
            problems + ["--- stdout", r.out, "--- stderr", r.err]))

    def valid(self, name, r):
        try:
            doc = r.json()
        except ValueError as e:
            return self.tap.check(False, name + ": JSON parses", "%s\n%s" % (e, r.out))
        errors = schema.validate(doc)
        self.tap.check(not errors, name + ": matches the schema", "\n".join(errors))
        return doc


def enumerate_env(e, *names):
    return {"LIBALLOC_TEST_DEVICES": ":".join(e.dev[n] for n in names)}


def group_list(e, t):
    env = enumerate_env(e, "camera", "display", "mute")
    r = e.run("list", env=env)
    e.expect("list: text", r, 0, out=[
        r"^backends: test$", r"^devices \(3\):$",
        r"^  fake_camera \(.*camera\.testdev\)$",
        r"backend test, driver fake_camera, path .*camera\.testdev, devnum 0:0",
        r"main usage scanout: import rule contiguous \(probe: -EINVAL\)",
        r"formats: YUYV, NV12 \(2 candidate\(s\)\)",
        r"paths for scanout alone at 640x480 \(YUYV linear\):",
        r"1\. heap:contig +yes rank 400 +writecombine, contiguous: neutral allocator",
        r"heap:system +no +rank - +cached: fake_camera .* imports only physically contiguous",
        r"own:fake_display +yes rank 300 .*device memory",
        r"usages: none", r"serves no usage"])
    doc = e.valid("list --json", e.run("--json", "list", env=env))
    devs = {d["driver"]: d for d in doc["devices"]}
    cam = devs.get("fake_camera", {})
    t.check(doc["backends"] == ["test"] and len(doc["devices"]) == 3, "list --json: backends, devices",
            json.dumps(doc)[:400])
    t.check(cam.get("main_usage") == ["scanout"] and cam.get("import_rule") == "contiguous"
            and cam.get("import_reason") == "probe: -EINVAL" and cam.get("formats") == ["YUYV", "NV12"],
            "list --json: main usage, import rule and reason, formats", json.dumps(cam)[:400])
    paths = [(p["name"], p["matched"], p["rank"]) for p in cam["negotiation"]["paths"]]
    t.check(paths[:2] == [("heap:contig", True, 400), ("own:fake_camera", True, 300)]
            and ("heap:system", False) in [(n, m) for n, m, _ in paths],
            "list --json: paths ranked, unmatched last", paths)
    mute = devs.get("fake_mute", {})
    t.check(mute.get("main_usage") is None and mute.get("negotiation") is None
            and "no usage" in (mute.get("error") or ""), "list --json: device serving nothing",
            json.dumps(mute))
    r = e.run("--json", "list", "--usage", "capture", "--size", "64x32", env=env)
    doc = e.valid("list --usage capture", r)
    cam = [d for d in doc["devices"] if d["driver"] == "fake_camera"][0]
    t.check(cam["main_usage"] == ["capture"] and doc["size"] == {"width": 64, "height": 32},
            "list --usage/--size: main usage and size", json.dumps(doc)[:300])
    mute = [d for d in doc["devices"] if d["driver"] == "fake_mute"][0]
    t.check("cannot serve" in (mute["error"] or ""), "list --usage: a refusing device says why",
            json.dumps(mute))
    r = e.run("list", env={"LIBALLOC_TEST_DEVICES": None})
    e.expect("list: no devices is not an error", r, 0, out=[r"^devices \(0\):$"])
    e.valid("list --json, no devices", e.run("list", "--json", env={"LIBALLOC_TEST_DEVICES": None}))
    e.expect("list: bad --usage", e.run("list", "--usage", "warp"), 1,
             err=[r"^alloc-info list: unknown usage 'warp'"])
    e.expect("list: operands refused", e.run("list", "/dev/dri/card0"), 1,
             err=[r"unexpected argument '/dev/dri/card0'"])


def group_caps(e, t):
    cam = e.dev["camera"]
    r = e.run("caps", cam, "--usage", "capture", "--size", "640x480")
    e.expect("caps: text", r, 0, out=[
        r"^fake_camera \(.*camera\.testdev\)$",
        r"^  backend test, driver fake_camera, devnum 0:0, usage capture$",
        r"^  import rule: contiguous \(probe: -EINVAL\)$",
        r"^  source: device .*camera\.testdev, asked for 640x480$",
        r"^candidates \(2, the device's order of preference\):$",
        r"^   1\. YUYV linear \| pitch_align=32,32,32,32$",
        r"^   2\. NV12 linear \| pitch_align=32,32,32,32$"])
    saved = os.path.join(e.tmp, "cam.json")
    r = e.run("--json", "caps", cam, "-u", "capture", "-s", "640x480", "--save", saved)
    doc = e.valid("caps --json --save", r)
    with open(saved) as f:
        text = f.read()
    t.check(json.loads(text) == doc["capset"] and doc["saved"] == saved
            and doc["source"] == {"kind": "device", "argument": cam},
            "caps: --save writes the set --json shows", text[:300])
    errs = []
    schema.CAPSET.check(json.loads(text), "$", errs)
    t.check(not errs, "caps: the saved file follows the capability-set schema", errs)
    r = e.run("--json", "caps", saved)
    doc2 = e.valid("caps on a saved set", r)
    t.check(doc2["capset"] == doc["capset"] and doc2["source"]["kind"] == "file"
            and doc2["size"] is None, "caps: a saved set reads back identical (offline)",
            json.dumps(doc2)[:300])
    e.expect("caps: saved set, text", e.run("caps", saved), 0,
             out=[r"source: saved capability set .*cam\.json \(offline\)"])
    e.expect("caps: saved set with its usage", e.run("caps", saved, "-u", "capture"), 0)
    e.expect("caps: saved set with another usage", e.run("caps", saved, "-u", "scanout"), 1,
             err=[r"holds capabilities for usage capture, not scanout"])
    e.expect("caps: backend usage by name", e.run("caps", cam, "-u", "capture,test.magic",
                                                  "-s", "64x64"), 0,
             out=[r"usage capture,bit40"])
    e.expect("caps: unknown backend usage", e.run("caps", cam, "-u", "test.nope", "-s", "64x64"),
             1, err=[r"usage 'test.nope' is unknown to the test backend of fake_camera"])
    e.expect("caps: device refusing the usage", e.run("caps", e.dev["mute"], "-u", "scanout",
                                                      "-s", "64x64"), 4,
             err=[r"fake_mute .* cannot serve usage scanout: .*fake_mute cannot serve this usage"])
    e.expect("caps: --usage needed", e.run("caps", cam, "-s", "64x64"), 1,
             err=[r"--usage is needed"])
    e.expect("caps: --size needed", e.run("caps", cam, "-u", "capture"), 1,
             err=[r"--size is needed"])
    e.expect("caps: no device", e.run("caps", "/nonexistent/video9", "-u", "capture", "-s",
                                      "64x64"), 4,
             err=[r"cannot open device /nonexistent/video9: .*No such file"])
    doc = e.valid("caps --json: no device", e.run("--json", "caps", "/nonexistent/video9", "-u",
                                                  "capture", "-s", "64x64"))
    t.check(doc["error"]["errno"] == "ENOENT" and doc["error"]["kind"] == "device",
            "caps --json: the errno of a failed open", json.dumps(doc))
    e.expect("caps: a node no backend claims", e.run("caps", "/dev/null", "-u", "capture",
                                                     "-s", "64x64"), 4,
             err=[r"no backend recognises this device"])
    e.expect("caps: two devices", e.run("caps", cam, cam, "-u", "capture", "-s", "64x64"), 1,
             err=[r"expected one DEVICE"])
    e.expect("caps: unwritable --save", e.run("caps", cam, "-u", "capture", "-s", "64x64",
                                              "--save", "/nonexistent/x.json"), 1,
             err=[r"cannot write /nonexistent/x.json"])
    bad = e.write("bad.json", text.replace('"pitch_align"', '"pitch_aling"'))
    e.expect("caps: invalid saved set names the JSON path", e.run("caps", bad), 1,
             err=[r"not a valid saved capability set: .*candidates\[0\]\.constraints.*pitch_aling"])
    doc = e.valid("caps --json failure", e.run("--json", "caps", bad))
    t.check(doc["error"]["kind"] == "usage" and "pitch_aling" in doc["error"]["message"],
            "caps --json failure: error document", json.dumps(doc))


def group_negotiate(e, t):
    cam, disp = e.dev["camera"] + ":capture", e.dev["display"] + ":scanout"
    r = e.run("negotiate", cam, disp, "--size", "640x480", "--allocate", "--count", "3")
    e.expect("negotiate: text", r, 0, out=[
        r"^devices \(2\):$", r"^  1\. fake_camera \(.*\)$",
        r"^      backend test, driver fake_camera, devnum 0:0, usage capture$",
        r"^      import rule: contiguous \(probe: -EINVAL\)$",
        r"^asked: 640x480, formats any, modifiers any, 3 buffer\(s\)$",
        r"^chosen: candidate 1 of 1: NV12 linear planes=2 \| pitch_align=256,256,256,256$",
        r"^merged constraints: pitch_align=256,256,256,256$",
        r"^linear layout \(552960 bytes\): plane 0 offset 0 pitch 768 size 368640; "
        r"plane 1 offset 368640 pitch 768 size 184320$",
        r"^  \*  1\. NV12 linear",
        r"^   1\. heap:contig +yes rank 400 ",
        r"^   3\. heap:system +no +rank - +cached: fake_camera .* imports only physically contiguous",
        r"^allocated 3 buffer\(s\):$",
        r"^  buffer 2: NV12 linear 640x480, 2 plane\(s\), path heap:contig, flags: none$",
        r"^    plane 1: offset 368640, pitch 768, size 184320, dma-buf #0$"])
    doc = e.valid("negotiate --json --allocate", e.run("--json", "negotiate", cam, disp, "-s",
                                                       "640x480", "-a", "-n", "3"))
    t.check(doc["chosen"]["format"] == "NV12" and doc["chosen"]["modifier"] == "linear"
            and doc["chosen"]["index"] == 0 and doc["chosen"]["constraints"]["pitch_align"][0] == 256
            and doc["layout"]["planes"][1] == {"offset": 368640, "pitch": 768, "size": 184320},
            "negotiate --json: chosen candidate, merged constraints, layout", json.dumps(doc)[:500])
    b = doc["buffers"]
    t.check(len(b) == 3 and all(x["path"] == "heap:contig" for x in b)
            and [p["dmabuf"] for p in b[0]["planes"]] == [0, 0]
            and b[0]["planes"][0] == {"offset": 0, "pitch": 768, "size": 368640, "dmabuf": 0},
            "negotiate --json: buffers with planes, path", json.dumps(b)[:400])
    t.check([d["source"] for d in doc["devices"]] == ["device", "device"]
            and doc["devices"][0]["import_reason"] == "probe: -EINVAL"
            and doc["devices"][1]["usage"] == ["scanout"], "negotiate --json: devices",
            json.dumps(doc["devices"])[:400])
    r = e.run("--json", "negotiate", cam, disp, "-s", "640x480", "--path", "own:fake_camera")
    doc = e.valid("negotiate --path", r)
    t.check(r.rc == 0 and [x["path"] for x in doc["buffers"]] == ["own:fake_camera"]
            and doc["buffers"][0]["flags"] == ["cached"] and doc["request"]["allocate"],
            "negotiate --path: that path allocates (implies --allocate)", json.dumps(doc["buffers"]))
    e.expect("negotiate --path not matching", e.run("negotiate", cam, disp, "-s", "640x480",
                                                    "-p", "heap:system"), 3,
             err=[r"path heap:system does not serve this negotiation"])
    e.expect("negotiate --path unknown", e.run("negotiate", cam, disp, "-s", "640x480",
                                               "-p", "heap:nope"), 1,
             err=[r"no path named 'heap:nope'"])
    # No common format: which device refused which format, on stderr, exit 2.
    r = e.run("negotiate", cam, disp, "-s", "640x480", "-f", "XR24,YUYV")
    e.expect("negotiate: no common format", r, 2, out=[
        r"^result: no format every device accepts \(exit 2\)$",
        r"^  \(not evaluated: no common format\)$",
        r"^diagnosis: no buffer format every device accepts at 640x480"],
        err=[r"^alloc-info negotiate: no buffer format every device accepts at 640x480: "
             r"XRGB8888: fake_camera .* capture offers"], no_out=[r"^chosen:"])
    doc = e.valid("negotiate --json, no common format",
                  e.run("--json", "negotiate", cam, disp, "-s", "640x480", "-f", "XR24,YUYV"))
    t.check(doc["error"]["kind"] == "no-format" and doc["error"]["errno"] == "ENOENT"
            and doc["chosen"] is None and doc["candidates"] == [] and doc["request"]["formats"]
            == ["XRGB8888", "YUYV"] and "fake_camera" in doc["diagnosis"],
            "negotiate --json, no common format: error and diagnosis", json.dumps(doc)[:500])
    e.expect("negotiate: modifier filter", e.run("negotiate", disp, "-s", "64x64", "-m", "0x5"),
             0, out=[r"chosen: candidate 1 of 1: NV12 0x0000000000000005"])
    e.expect("negotiate: modifier nobody offers", e.run("negotiate", cam, disp, "-s", "64x64",
                                                        "-m", "implicit"), 2,
             err=[r"with the caller's 1 modifier\(s\) only"])
    # No path: the camera imports only contiguous memory, the loner only its own.
    r = e.run("negotiate", cam, e.dev["loner"] + ":scanout", "-s", "64x64",
              env={"LIBALLOC_TEST_HEAPS": None})
    e.expect("negotiate: no path", r, 3, out=[
        r"^result: no allocation path serves every device \(exit 3\)$",
        r"own:fake_loner +no .*imports only physically contiguous"],
        err=[r"no allocation path can serve every device"])
    doc = e.valid("negotiate --json, no path",
                  e.run("--json", "negotiate", cam, e.dev["loner"] + ":scanout", "-s", "64x64",
                        env={"LIBALLOC_TEST_HEAPS": None}))
    t.check(doc["error"]["kind"] == "no-path" and doc["error"]["exit_code"] == 3
            and doc["paths"] and not any(p["matched"] for p in doc["paths"]),
            "negotiate --json, no path: every path unmatched with a reason", json.dumps(doc)[:500])
    # Allocation failure: the heap's first allocation fails with ENOMEM.
    heaps = json.dumps([dict(HEAPS[1], fail=1)])
    r = e.run("negotiate", cam, disp, "-s", "64x64", "-a", env={"LIBALLOC_TEST_HEAPS": heaps})
    e.expect("negotiate: allocation failure", r, 4, out=[r"^allocation failed \(ENOMEM\): "],
             err=[r"allocation failed: .*injected ENOMEM"])
    doc = e.valid("negotiate --json, allocation failure",
                  e.run("--json", "negotiate", cam, disp, "-s", "64x64", "-a",
                        env={"LIBALLOC_TEST_HEAPS": heaps}))
    t.check(doc["error"]["kind"] == "device" and doc["error"]["errno"] == "ENOMEM"
            and doc["buffers"] == [] and doc["chosen"] is not None,
            "negotiate --json, allocation failure: no buffers, the negotiation kept",
            json.dumps(doc)[:400])
    e.expect("negotiate: device refusing its usage",
             e.run("negotiate", cam, e.dev["mute"] + ":scanout", "-s", "64x64"), 4,
             err=[r"fake_mute .* cannot serve usage scanout"])
    e.expect("negotiate: one device", e.run("negotiate", e.dev["display"] + ":scanout,cpu-write",
                                            "-s", "64x64"), 0,
             out=[r"usage scanout,cpu-write", r"chosen: candidate 1 of 3: XRGB8888 \[XR24\] linear"])


def group_offline(e, t):
    cam_json, disp_json = os.path.join(e.tmp, "cam.json"), os.path.join(e.tmp, "disp.json")
    e.expect("offline: save camera", e.run("caps", e.dev["camera"], "-u", "capture", "-s",
                                           "640x480", "-o", cam_json), 0)
    e.expect("offline: save display", e.run("caps", e.dev["display"], "-u", "scanout", "-s",
                                            "640x480", "-o", disp_json), 0)
    live = e.run("--json", "negotiate", e.dev["camera"] + ":capture",
                 e.dev["display"] + ":scanout", "-s", "640x480")
    off = e.run("--json", "negotiate", cam_json, disp_json + ":scanout", "-s", "640x480")
    a, b = e.valid("offline: live", live), e.valid("offline: files", off)
    t.check(off.rc == 0 and a["chosen"] == b["chosen"] and a["candidates"] == b["candidates"]
            and [p["name"] for p in a["paths"] if not p["device_memory"]]
            == [p["name"] for p in b["paths"]],
            "offline: saved sets negotiate like the devices (without their own memory)",
            off.out[:600])
    t.check([d["source"] for d in b["devices"]] == ["file", "file"]
            and [d["path"] for d in b["devices"]] == [None, None]
            and b["devices"][0]["argument"] == cam_json, "offline: devices marked as files",
            json.dumps(b["devices"])[:300])
    e.expect("offline: text", e.run("negotiate", cam_json, disp_json, "-s", "640x480"), 0,
             out=[r"^      offline: saved capability set .*cam\.json$",
                  r"^note: 2 device\(s\) are saved sets: their own memory is not listed"])
    e.expect("offline: --allocate refused", e.run("negotiate", cam_json, disp_json, "-s",
                                                  "640x480", "-a"), 1,
             err=[r"no device to allocate for offline"])
    r = e.run("--json", "negotiate", cam_json, e.dev["display"] + ":scanout", "-s", "640x480",
              "-a")
    doc = e.valid("offline: mixed file and device", r)
    t.check(r.rc == 0 and len(doc["buffers"]) == 1, "offline: a saved set next to a live device "
            "allocates", json.dumps(doc)[:300])
    # A display limited to 4096 pixels and a GPU share a tiled modifier: an
    # 8192-wide buffer is refused whatever the modifier, naming the display.
    tiled = {"format": "XR24", "modifier": "0x0100000000000001"}
    sets = {"disp": dict(tiled, constraints={"max_width": 4096, "max_height": 4096}),
            "gpu": dict(tiled)}
    files = []
    for name, cand in sets.items():
        files.append(e.write(name + "-tiled.json", json.dumps({
            "liballoc_capset": 1,
            "device": {"label": name + " (saved)", "driver": name, "backend": "drm",
                       "devnum": "0:0", "usage": ["render" if name == "gpu" else "scanout"],
                       "import_rule": "any"},
            "candidates": [cand]})))
    e.expect("offline: size limits bind a tiled modifier",
             e.run("negotiate", files[0], files[1], "-s", "8192x4320"), 2,
             out=[r"width 8192 exceeds max_width 4096 of disp \(saved\)"])
    e.expect("offline: wrong usage for a saved set",
             e.run("negotiate", cam_json + ":scanout", disp_json, "-s", "64x64"), 1,
             err=[r"holds capabilities for usage capture, not scanout"])
    e.expect("offline: backend usage needs a device",
             e.run("negotiate", cam_json + ":test.magic", "-s", "64x64"), 1,
             err=[r"backend usage 'test.magic' needs a live device"])


def group_errors(e, t):
    cam = e.dev["camera"] + ":capture"
    cases = [
        (["negotiate", "-s", "64x64"], r"expected at least one DEVICE:USAGE"),
        (["negotiate", cam], r"--size is needed"),
        (["negotiate", "/nonexistent/video0", "-s", "64x64"], r"expected DEVICE:USAGE"),
        (["negotiate", cam.replace(":capture", ":warp"), "-s", "64x64"], r"unknown usage 'warp'"),
        (["negotiate", cam + ",", "-s", "64x64"], r"bad usage list"),
        (["negotiate", cam, "-s", "0x5"], r"bad --size '0x5': expected WIDTHxHEIGHT"),
        (["negotiate", cam, "-s", "640"], r"bad --size '640'"),
        (["negotiate", cam, "-s", "64x"], r"bad --size '64x'"),
        (["negotiate", cam, "-s", "-1x5"], r"bad --size"),
        (["negotiate", cam, "-s", "4294967296x1"], r"bad --size"),
        (["negotiate", cam, "-s", "64x64 "], r"bad --size"),
        (["negotiate", cam, "-s", "64x64", "-f", "FOO"], r"unknown format 'FOO'"),
        (["negotiate", cam, "-s", "64x64", "-f", "NV12,,YUYV"], r"bad format list"),
        (["negotiate", cam, "-s", "64x64", "-f", ",".join(["NV12"] * 65)], r"too many formats"),
        (["negotiate", cam, "-s", "64x64", "-m", "0xZZ"], r"bad modifier '0xZZ'"),
        (["negotiate", cam, "-s", "64x64", "-m", "0x12345678901234567"], r"bad modifier"),
        (["negotiate", cam, "-s", "64x64", "-m", "5"], r"bad modifier '5'"),
        (["negotiate", cam, "-s", "64x64", "-n", "0"], r"bad --count '0'"),
        (["negotiate", cam, "-s", "64x64", "-n", "65"], r"bad --count '65'"),
        (["negotiate", cam, "-s", "64x64", "--frob"], r"unknown option '--frob'"),
        (["negotiate", cam, "-s", "64x64", "--save", "x"], r"--save does not apply"),
        (["negotiate", cam, "--size"], r"option --size needs a value"),
        (["caps", e.dev["camera"], "-u", "capture", "-s", "64x64", "-n", "2"],
         r"--count does not apply"),
        (["list", "--allocate"], r"--allocate does not apply"),
        ([], r"no command given"),
        (["frobnicate"], r"unknown command 'frobnicate'"),
        (["--frob", "list"], r"unknown option '--frob'"),
        (["negotiate"] + [cam] * 33 + ["-s", "64x64"], r"33 devices given, at most 32"),
    ]
    for args, msg in cases:
        r = e.run(*args)
        lines = r.err.strip().splitlines()
        e.expect("bad arguments: %s" % " ".join(args)[:70], r, 1, err=[msg])
        t.check(len(lines) == 1 and lines[0].startswith("alloc-info") and not r.out,
                "bad arguments: one line on stderr, nothing on stdout", r.err + r.out)
        doc = e.valid("bad arguments, --json", e.run("--json", *args))
        t.check(set(doc) == {"alloc_info", "command", "error"} and doc["error"]["exit_code"] == 1
                and re.search(msg, doc["error"]["message"]), "bad arguments, --json: error document",
                json.dumps(doc))


def group_help(e, t, man):
    with open(man) as f:
        page = f.read()
    # roff escapes '-' as '\-'; compare the plain text.
    plain = page.replace("\\-", "-").replace("\\fI", "").replace("\\fR", "").replace("\\fB", "")
    r = e.run("--help")
    e.expect("--help", r, 0, out=[r"^Usage: alloc-info", r"^  list ", r"^  caps DEVICE",
                                  r"^  negotiate DEVICE:USAGE", r"^Exit status:"])
    helps = r.out
    for cmd in ["list", "caps", "negotiate"]:
        r = e.run(cmd, "--help")
        e.expect("%s --help" % cmd, r, 0, out=[r"^Usage: alloc-info " + cmd])
        e.expect("help %s" % cmd, e.run("help", cmd), 0, out=[r"^Usage: alloc-info " + cmd])
        helps += r.out
        t.check(("\n.B %s" % cmd) in page or ("\n.BI %s" % cmd) in page,
                "man page: command %s has a section" % cmd)
    options = sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", helps)))
    missing = [o for o in options if o not in plain]
    t.check(len(options) >= 10 and not missing, "man page names every option of --help",
            "options %s, missing %s" % (options, missing))
    shorts = sorted(set(re.findall(r"^\s+(-[a-z]), (--[a-z-]+)", helps, re.M)))
    missing = [s for s in shorts
               if '.BR %s ", " %s' % (s[0].replace("-", "\\-"), s[1].replace("-", "\\-")) not in page]
    t.check(not missing, "man page: short forms as in --help", missing)
    codes_help = dict(re.findall(r"^  ([0-4])  (\S+)", helps, re.M))
    codes_man = re.findall(r"^\.B ([0-4])\n(\S+)", page, re.M)
    t.check(len(codes_help) == 5 and sorted(c for c, _ in codes_man) == sorted(codes_help),
            "exit statuses: --help and man page list the same", (codes_help, codes_man))
    r = e.run("--version")
    e.expect("--version", r, 0, out=[r"^alloc-info \d+\.\d+\.\d+ \(JSON schema %d\)$"
                                     % schema.VERSION])


def group_schema(e, t, man):
    """The validator must reject what the documentation does not allow,
    or the vm test validating real devices proves nothing."""
    r = e.run("--json", "negotiate", e.dev["camera"] + ":capture", e.dev["display"] + ":scanout",
              "-s", "64x64", "-a")
    good = e.valid("schema: reference document", r)

    def mutate(name, f):
        doc = json.loads(json.dumps(good))
        f(doc)
        t.check(schema.validate(doc) != [], "schema rejects: " + name)

    mutate("unknown top-level key", lambda d: d.update(extra=1))
    mutate("wrong version", lambda d: d.update(alloc_info=2))
    mutate("missing key", lambda d: d.pop("paths"))
    mutate("string rank", lambda d: d["paths"][0].update(rank="400"))
    mutate("bool as integer", lambda d: d["request"].update(width=True))
    mutate("bad modifier", lambda d: d["chosen"].update(modifier="LINEAR"))
    mutate("misspelt constraint", lambda d: d["candidates"][0]["constraints"].update(pitch_aling=[0] * 4))
    mutate("3-entry pitch_align", lambda d: d["candidates"][0]["constraints"].update(pitch_align=[1, 2, 3]))
    mutate("unknown usage", lambda d: d["devices"][0].update(usage=["warp"]))
    mutate("core bit as number", lambda d: d["devices"][0].update(usage=[8]))
    mutate("bad devnum", lambda d: d["devices"][0].update(devnum="226"))
    mutate("chosen differs from its candidate", lambda d: d["chosen"].update(plane_count=3))
    mutate("chosen index out of range", lambda d: d["chosen"].update(index=9))
    mutate("kind not matching exit code", lambda d: d.update(
        error={"exit_code": 2, "kind": "no-path", "errno": "ENOENT", "message": "x"}))
    mutate("success without a chosen candidate", lambda d: d.update(chosen=None))
    mutate("buffer count mismatch", lambda d: d["buffers"].append(d["buffers"][0]))
    mutate("matched path after an unmatched one", lambda d: d["paths"].reverse())
    mutate("unknown buffer flag", lambda d: d["buffers"][0].update(flags=["fast"]))
    # Every key the tool writes is documented in USAGE.md.
    usage_md = os.path.join(os.path.dirname(os.path.abspath(man)), "..", "USAGE.md")
    with open(usage_md) as f:
        text = f.read()
    docs = text[text.index("## JSON schema of capability sets"):text.index("## Environment")]
    keys = set()

    def walk(v):
        if isinstance(v, dict):
            keys.update(v)
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    for args in (["list"], ["caps", e.dev["camera"], "-u", "capture", "-s", "8x8"], ["bogus"]):
        walk(json.loads(e.run("--json", *args,
                              env=enumerate_env(e, "camera", "mute")).out))
    walk(good)
    undocumented = sorted(k for k in keys if "`%s`" % k not in docs)
    t.check(len(keys) > 40 and not undocumented, "USAGE.md documents every key the tool writes",
            undocumented)
    p = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "alloc-info-schema.py"), "-"],
                       input=r.out, capture_output=True, text=True)
    t.check(p.returncode == 0, "schema script: exit 0 on a valid document", p.stderr)
    p = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "alloc-info-schema.py"), "-"],
                       input=r.out.replace('"paths"', '"pathz"'), capture_output=True, text=True)
    t.check(p.returncode == 1 and "unknown key \"pathz\"" in p.stderr,
            "schema script: exit 1 naming the problem", p.stderr)


def main(argv):
    if len(argv) != 4:
        print("usage: test-alloc-info.py TOOL MANPAGE GROUP", file=sys.stderr)
        return 2
    tool, man, group = argv[1:]
    t = Tap()
    with tempfile.TemporaryDirectory(prefix="alloc-info-test-") as tmp:
        e = Env(os.path.abspath(tool), t, tmp)
        groups = {"list": group_list, "caps": group_caps, "negotiate": group_negotiate,
                  "offline": group_offline, "errors": group_errors,
                  "help": lambda e, t: group_help(e, t, man),
                  "schema": lambda e, t: group_schema(e, t, man)}
        if group not in groups:
            print("unknown group %s" % group, file=sys.stderr)
            return 2
        try:
            groups[group](e, t)
        except Exception as ex:  # a broken expectation must not look like a pass
            import traceback
            t.check(False, "group %s ran to the end" % group, traceback.format_exc())
            del ex
    return t.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
