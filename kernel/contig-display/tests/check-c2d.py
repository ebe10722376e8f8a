#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What contig_display scanned out equals what the camera wrote.

    check-c2d.py SCANOUT.txt FRAME.raw

SCANOUT.txt: /sys/kernel/debug/contig_display/scanout read while the frame
was on the screen; FRAME.raw: that frame's first plane as camera-to-display
--save-raw wrote it (pitch x height bytes). Checks: the plane is active and
shows an imported buffer (zero copy: the camera's memory, not a copy in the
display's own), every DMA address lies below 4 GiB, and the driver's
checksum of the first lines (FNV-1a 32 over width x cpp bytes of each line,
stepping by pitch; kernel/contig-display/README.md) equals the one computed
here from the bytes the camera wrote. Prints one line per check; exit 1 if
any failed.
"""

import re
import sys

CPP = {"XR24": 4, "AR24": 4, "XB24": 4, "AB24": 4, "RG16": 2}


def fnv1a32(data, h=0x811C9DC5):
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    text = open(sys.argv[1]).read()
    raw = open(sys.argv[2], "rb").read()
    kv = dict(l.split(": ", 1) for l in text.splitlines() if ": " in l)
    ok = True

    def check(cond, what):
        nonlocal ok
        ok &= bool(cond)
        print("%s: %s" % ("ok" if cond else "FAIL", what))

    check(kv.get("active") == "1" and kv.get("fb", "0") != "0",
          "the plane is active with framebuffer %s" % kv.get("fb"))
    fmt = kv.get("format", "").split(" ")[0]
    w, h = (int(x) for x in kv.get("size", "0x0").split("x"))
    m = re.match(r"pitch (\d+) offset (\d+) dma 0x([0-9a-f]+) source (\w+)", kv.get("plane0", ""))
    if not m or fmt not in CPP:
        check(False, "scanout report parsed (format %r, plane0 %r)" % (fmt, kv.get("plane0")))
        return 1
    pitch, offset, dma, source = int(m[1]), int(m[2]), int(m[3], 16), m[4]
    check(source == "import", "plane 0 shows an imported buffer (%s), not a copy" % source)
    check(dma + pitch * h <= 1 << 32 and kv.get("below_4g") == "1",
          "DMA address 0x%x (+%d bytes) below 4 GiB, driver says below_4g %s"
          % (dma, pitch * h, kv.get("below_4g")))
    lines = min(int(kv.get("checksum_lines", "0")), h)
    want = int(kv.get("plane0_fnv1a32", "0x0"), 16)
    got = 0x811C9DC5
    for y in range(lines):
        got = fnv1a32(raw[offset + y * pitch: offset + y * pitch + w * CPP[fmt]], got)
    check(len(raw) >= offset + pitch * h and lines > 0 and got == want,
          "checksum of the first %d lines: display 0x%08x, camera's bytes 0x%08x"
          % (lines, want, got))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
