"""Load order of kernel modules, computed from the kernel's modules.dep."""

import lzma
import os

# What the guest needs: vgem and virtio-gpu (DRM), vivid (V4L2). Their
# helpers (drm_kms_helper, videobuf2-*, ...) come from modules.dep.
STANDARD = ["vgem", "virtio-gpu", "vivid"]
# Needed before the host root can be mounted, so they go into the initramfs.
EARLY = ["9pnet_virtio", "9p"]


class ModuleError(Exception):
    pass


def norm(name):
    """Module names treat '-' and '_' alike (kernel/module/main.c)."""
    return name.replace("-", "_")


def _modname(path):
    base = os.path.basename(path)
    for ext in (".ko.xz", ".ko.zst", ".ko.gz", ".ko"):
        if base.endswith(ext):
            return norm(base[:-len(ext)])
    raise ModuleError("not a kernel module file name: " + path)


class ModuleTree:
    def __init__(self, moddir):
        self.moddir = moddir
        self.deps = {}   # name -> [dep names], direct deps first as depmod lists
        self.path = {}   # name -> absolute path
        try:
            with open(os.path.join(moddir, "modules.dep")) as f:
                for line in f:
                    mod, _, deps = line.partition(":")
                    name = _modname(mod)
                    self.path[name] = os.path.join(moddir, mod)
                    self.deps[name] = [_modname(d) for d in deps.split()]
            # modules.builtin misses bool options such as CONFIG_UDMABUF;
            # modules.builtin.modinfo names every built-in with parameters.
            self.builtin = set()
            with open(os.path.join(moddir, "modules.builtin")) as f:
                for line in f:
                    if line.strip():
                        self.builtin.add(_modname(line.strip()))
            with open(os.path.join(moddir, "modules.builtin.modinfo"), "rb") as f:
                for entry in f.read().split(b"\0"):
                    if b"." in entry:
                        self.builtin.add(norm(entry.split(b".", 1)[0].decode()))
        except OSError as e:
            raise ModuleError("cannot read the module index: %s (did depmod run?)" % e)

    def order(self, wanted, skip=()):
        """Modules to insmod for `wanted`, each after everything it needs."""
        done, out = set(norm(s) for s in skip), []

        def visit(name, chain):
            if name in done:
                return
            if name in chain:
                raise ModuleError("dependency loop: " + " -> ".join(chain + [name]))
            if name not in self.deps:
                raise ModuleError("no module %s in %s" % (name, self.moddir))
            # modules.dep lists the full closure; visiting each dep first
            # still yields a valid order without relying on its ordering.
            for d in self.deps[name]:
                visit(d, chain + [name])
            done.add(name)
            out.append(name)

        for w in wanted:
            n = norm(w)
            if n in self.builtin:
                continue
            visit(n, [])
        return out

    def raw(self, name):
        with open(self.path[name], "rb") as f:
            return f.read()

    def decompressed(self, name):
        """Bytes of the module, for busybox insmod which cannot read .xz."""
        data = self.raw(name)
        return lzma.decompress(data) if self.path[name].endswith(".xz") else data
