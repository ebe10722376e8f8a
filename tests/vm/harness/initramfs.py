"""The guest's initramfs: busybox, init.sh and the 9p modules.

Written as a newc cpio by hand, so that device nodes and root ownership need
no privileges, and cached under <cache>/initramfs/<sha256 of contents>.
"""

import gzip
import hashlib
import os
import stat
import tempfile

from . import modules

FORMAT = b"liballoc-vm initramfs 1"   # bump when the layout changes
BUSYBOX = "/bin/busybox"
INIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "init.sh")


class InitramfsError(Exception):
    pass


class Cpio:
    def __init__(self):
        self.out = []
        self.ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        name_b = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(name_b), 0]
        self.ino += 1
        hdr = b"070701" + b"".join(b"%08X" % v for v in fields)
        self.out.append(hdr + name_b + b"\0" * (-(len(hdr) + len(name_b)) % 4))
        self.out.append(data + b"\0" * (-len(data) % 4))

    def dir(self, name):
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name, data, mode=0o644):
        self._entry(name, stat.S_IFREG | mode, data)

    def chardev(self, name, major, minor):
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return b"".join(self.out)


def build(tree, cache):
    """Return the path of an initramfs for the kernel of `tree` (ModuleTree)."""
    try:
        with open(BUSYBOX, "rb") as f:
            busybox = f.read()
    except OSError as e:
        raise InitramfsError("%s: %s (install busybox-static)" % (BUSYBOX, e))
    with open(INIT, "rb") as f:
        init = f.read()
    early = tree.order(modules.EARLY)
    h = hashlib.sha256(FORMAT)
    for part in [busybox, init] + [n.encode() + b"\0" + tree.raw(n) for n in early]:
        h.update(hashlib.sha256(part).digest())
    outdir = os.path.join(cache, "initramfs")
    path = os.path.join(outdir, h.hexdigest()[:32] + ".cpio.gz")
    if os.path.exists(path):
        return path

    kos = [(n, tree.decompressed(n)) for n in early]
    c = Cpio()
    for d in ("bin", "dev", "proc", "sys", "host", "ctl", "modules"):
        c.dir(d)
    # The kernel opens /dev/console for init before devtmpfs is mounted.
    c.chardev("dev/console", 5, 1)
    c.file("bin/busybox", busybox, 0o755)
    c.file("init", init, 0o755)
    c.file("modules/order", "".join(n + "\n" for n, _ in kos).encode())
    for n, data in kos:
        c.file("modules/%s.ko" % n, data)
    os.makedirs(outdir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=outdir, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(gzip.compress(c.finish(), compresslevel=6, mtime=0))
    os.replace(tmp, path)  # atomic: parallel vm-runs may build the same one
    return path
