"""A private root of newer consumers (Mesa, weston) for the test guest.

Debian 12's own Mesa (22.3) cannot import dma-bufs into llvmpipe or
lavapipe; its backports carry Mesa 25 and weston 14, which can. Installing
them would replace the machine's own Mesa, so instead apt is asked what it
*would* install from backports (`apt-get install -s`, no root needed), those
exact versions are downloaded (`apt-get download`, SHA256 checked against
apt's index) and unpacked with `dpkg -x`, as the test kernel is. Tests point
the loader, glvnd, the Vulkan loader and weston at the root through the
environment that `env()` returns; nothing outside the cache changes.

    <cache>/consumers/<key>/root/        the unpacked packages
    <cache>/consumers/<key>/root.json    the package list; written last
"""

import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from harness import kernel

# What the tests use; apt adds their dependencies that the host lacks or
# has in an older version.
WANTED = [
    "libegl-mesa0", "libgl1-mesa-dri", "libgbm1", "mesa-vulkan-drivers",
    "libegl1", "libgles2", "libvulkan1", "weston",
]
# Pulled in only because they pin the runtime library's exact version;
# nothing in the guest needs headers or build tools.
SKIP_RE = re.compile(r"(-dev|-bin)$")
INST_RE = re.compile(r"^Inst (\S+) (?:\[[^]]*\] )?\((\S+) ")
LIBDIR = "usr/lib/x86_64-linux-gnu"


class ConsumersError(Exception):
    pass


def _plan(suite):
    cmd = ["apt-get", "install", "-s", "-q", "--no-install-recommends", "-t", suite] + WANTED
    r = subprocess.run(cmd, capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C"))
    if r.returncode != 0:
        raise ConsumersError("apt-get install -s failed (is %s in apt's lists? run "
                             "scripts/install-deps):\n%s" % (suite, r.stderr.strip()))
    pkgs = []
    for line in r.stdout.splitlines():
        m = INST_RE.match(line)
        if m and not SKIP_RE.search(m.group(1)):
            pkgs.append({"name": m.group(1), "version": m.group(2)})
    if not any(p["name"] == "libegl-mesa0" for p in pkgs):
        raise ConsumersError("apt offers no newer libegl-mesa0 from %s" % suite)
    return sorted(pkgs, key=lambda p: p["name"])


def _index_entries(pkgs):
    """Filename and SHA256 of each package, from apt's local index."""
    names = ["%s=%s" % (p["name"], p["version"]) for p in pkgs]
    r = subprocess.run(["apt-cache", "show", "--no-all-versions"] + names,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise ConsumersError("apt-cache show failed:\n" + r.stderr.strip())
    found = {}
    for block in r.stdout.split("\n\n"):
        st = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line
                  and not line.startswith(" "))
        if "Package" in st:
            found.setdefault((st["Package"], st.get("Version")), st)
    out = []
    for p in pkgs:
        st = found.get((p["name"], p["version"]))
        if st is None or "Filename" not in st:
            raise ConsumersError("%s=%s is not in apt's lists" % (p["name"], p["version"]))
        out.append(dict(p, file=os.path.basename(st["Filename"]), sha256=st.get("SHA256", "")))
    return out


def _fix_icds(root, final_root):
    """Vulkan ICD manifests name the driver by absolute path in /usr: make it
    the path inside the root where the root will live."""
    for path in glob.glob(os.path.join(root, "usr/share/vulkan/icd.d/*.json")):
        with open(path) as f:
            icd = json.load(f)
        lib = icd.get("ICD", {}).get("library_path", "")
        if lib.startswith("/"):
            icd["ICD"]["library_path"] = final_root + lib
            with open(path, "w") as f:
                json.dump(icd, f, indent=1)


def _unpack(pkgs, dest, debdir):
    tmp = tempfile.mkdtemp(dir=os.path.dirname(dest), prefix=".unpack-")
    try:
        root = os.path.join(tmp, "root")
        for p in pkgs:
            subprocess.run(["dpkg", "-x", os.path.join(debdir, p["file"]), root], check=True)
        kernel._fix_symlinks(root)
        _fix_icds(root, os.path.join(dest, "root"))
        with open(os.path.join(tmp, "root.json"), "w") as f:
            json.dump({"packages": pkgs}, f, indent=1)
        if os.path.exists(dest):
            shutil.rmtree(dest)
        os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _cached(base):
    found = []
    for d in glob.glob(os.path.join(base, "*", "root.json")):
        found.append((os.path.getmtime(d), os.path.dirname(d)))
    return [d for _, d in sorted(found, reverse=True)]


def ensure(offline=False):
    """Path of the unpacked root, fetching it when needed."""
    cache = kernel.cache_dir()
    base = os.path.join(cache, "consumers")
    os.makedirs(base, exist_ok=True)
    with open(os.path.join(base, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cached = _cached(base)
        if offline:
            if not cached:
                raise ConsumersError("no consumer root in %s: run tests/vm/fetch-consumers" % base)
            return os.path.join(cached[0], "root")
        try:
            suite = kernel.backports_suite()
            pkgs = _index_entries(_plan(suite))
        except ConsumersError:
            if cached:
                return os.path.join(cached[0], "root")
            raise
        key = hashlib.sha256(" ".join("%s=%s" % (p["name"], p["version"])
                                      for p in pkgs).encode()).hexdigest()[:16]
        dest = os.path.join(base, key)
        if os.path.exists(os.path.join(dest, "root.json")):
            return os.path.join(dest, "root")
        debdir = os.path.join(cache, "debs")
        try:
            kernel._download(pkgs, debdir)
        except kernel.KernelError as e:
            if cached:
                print("fetch-consumers: %s; using cached %s" % (e, cached[0]), file=sys.stderr)
                return os.path.join(cached[0], "root")
            raise ConsumersError(str(e))
        _unpack(pkgs, dest, debdir)
        os.utime(os.path.join(dest, "root.json"))
        return os.path.join(dest, "root")


def env(root):
    """Environment that makes the guest's programs use the root's consumers."""
    lib = os.path.join(root, LIBDIR)
    e = {
        "LIBALLOC_CONSUMERS_ROOT": root,
        # weston's RUNPATH names /usr/lib/.../weston (libexec_weston.so.0)
        "LD_LIBRARY_PATH": lib + ":" + os.path.join(lib, "weston"),
        "PATH": os.path.join(root, "usr/bin"),
        # glvnd: only Mesa's vendor file, found through LD_LIBRARY_PATH
        "__EGL_VENDOR_LIBRARY_FILENAMES": os.path.join(
            root, "usr/share/glvnd/egl_vendor.d/50_mesa.json"),
        "LIBGL_DRIVERS_PATH": os.path.join(lib, "dri"),
        "GBM_BACKENDS_PATH": os.path.join(lib, "gbm"),
        "VK_DRIVER_FILES": ":".join(sorted(glob.glob(
            os.path.join(root, "usr/share/vulkan/icd.d/lvp_icd*.json")))),
        "WESTON_DATA_DIR": os.path.join(root, "usr/share/weston"),
    }
    e["VK_ICD_FILENAMES"] = e["VK_DRIVER_FILES"]
    for k in ("LD_LIBRARY_PATH", "PATH"):
        if os.environ.get(k):
            e[k] += ":" + os.environ[k]
    # weston loads its modules from a compiled-in folder under /usr; its
    # WESTON_MODULE_MAP names each module's real path instead.
    mods = []
    for d in glob.glob(os.path.join(lib, "libweston-*")) + [os.path.join(lib, "weston")]:
        for so in sorted(glob.glob(os.path.join(d, "*.so"))):
            mods.append("%s=%s" % (os.path.basename(so), so))
    if mods:
        e["WESTON_MODULE_MAP"] = ";".join(mods)
    return e
