#!/usr/bin/env python3
"""Screenshots of the guest display: QMP screendump, PPM reading, PNG writing.

CLI:
    screenshot.py grab QMP_SOCKET OUT.ppm [OUT.png]
    screenshot.py png IN.ppm OUT.png
    screenshot.py pixel IN.ppm X Y        prints "R G B"
    screenshot.py size IN.ppm             prints "W H"
"""

import json
import os
import socket
import struct
import sys
import zlib


class ScreenshotError(Exception):
    pass


class Image:
    """8-bit RGB pixels, rows top to bottom."""

    def __init__(self, width, height, data):
        if len(data) != width * height * 3:
            raise ScreenshotError("pixel data is %d bytes, %dx%d RGB needs %d"
                                  % (len(data), width, height, width * height * 3))
        self.width, self.height, self.data = width, height, data

    def pixel(self, x, y):
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise ScreenshotError("pixel (%d,%d) outside %dx%d" % (x, y, self.width, self.height))
        o = (y * self.width + x) * 3
        return tuple(self.data[o:o + 3])


def read_ppm(path):
    with open(path, "rb") as f:
        raw = f.read()
    # Header: magic, width, height, maxval as whitespace-separated tokens;
    # '#' starts a comment up to the end of the line.
    tokens, pos = [], 0
    while len(tokens) < 4:
        while pos < len(raw) and raw[pos:pos + 1].isspace():
            pos += 1
        if raw[pos:pos + 1] == b"#":
            pos = raw.index(b"\n", pos)
            continue
        start = pos
        while pos < len(raw) and not raw[pos:pos + 1].isspace():
            pos += 1
        if start == pos:
            raise ScreenshotError("%s: truncated PPM header" % path)
        tokens.append(raw[start:pos])
    if tokens[0] != b"P6" or tokens[3] != b"255":
        raise ScreenshotError("%s: not a binary 8-bit PPM (P6, maxval 255)" % path)
    w, h = int(tokens[1]), int(tokens[2])
    data = raw[pos + 1:pos + 1 + w * h * 3]
    return Image(w, h, data)


def _chunk(kind, payload):
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


def write_png(img, path):
    stride = img.width * 3
    rows = b"".join(b"\0" + img.data[y * stride:(y + 1) * stride] for y in range(img.height))
    png = (b"\x89PNG\r\n\x1a\n"
           + _chunk(b"IHDR", struct.pack(">IIBBBBB", img.width, img.height, 8, 2, 0, 0, 0))
           + _chunk(b"IDAT", zlib.compress(rows, 6))
           + _chunk(b"IEND", b""))
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(png)
    os.replace(tmp, path)


class QMP:
    """Minimal QMP client: one command at a time, events are skipped."""

    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self._line()  # greeting
        self.command("qmp_capabilities")

    def _line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ScreenshotError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._line()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise ScreenshotError("QMP %s: %s" % (name, reply["error"].get("desc", reply)))

    def screendump(self, ppm_path):
        self.command("screendump", filename=ppm_path)

    def close(self):
        self.sock.close()


def grab(qmp, ppm_path, png_path=None):
    """Screendump to ppm_path (and png_path); returns the Image."""
    qmp.screendump(ppm_path)
    img = read_ppm(ppm_path)
    if png_path:
        write_png(img, png_path)
    return img


def main(argv):
    try:
        if len(argv) >= 3 and argv[0] == "grab":
            q = QMP(argv[1])
            grab(q, argv[2], argv[3] if len(argv) > 3 else None)
            q.close()
        elif len(argv) == 3 and argv[0] == "png":
            write_png(read_ppm(argv[1]), argv[2])
        elif len(argv) == 4 and argv[0] == "pixel":
            print("%d %d %d" % read_ppm(argv[1]).pixel(int(argv[2]), int(argv[3])))
        elif len(argv) == 2 and argv[0] == "size":
            img = read_ppm(argv[1])
            print("%d %d" % (img.width, img.height))
        else:
            print(__doc__.strip(), file=sys.stderr)
            return 2
    except (OSError, ValueError, ScreenshotError) as e:
        print("screenshot.py: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
