"""Find, download and unpack the test kernel (a Debian backports kernel).

The cache holds one folder per kernel release:
    <cache>/debs/                         downloaded .debs (checked by SHA256)
    <cache>/<krel>/root/                  dpkg -x of image, headers, kbuild
    <cache>/<krel>/info.json              package versions; written last
A folder without info.json is incomplete and is never used.
"""

import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

FLAVOUR = "amd64"
IMAGE_RE = re.compile(r"^linux-image-(\d[^-]*)-" + FLAVOUR + r"$")
HEADERS_RE = re.compile(r"^linux-headers-(\d[^-]*)-" + FLAVOUR + r"$")


class KernelError(Exception):
    pass


def cache_dir():
    return os.environ.get("LIBALLOC_VM_CACHE") or "/var/tmp/liballoc-vm"


def log(msg):
    print("fetch-kernel: " + msg, file=sys.stderr, flush=True)


def backports_suite():
    codename = ""
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("VERSION_CODENAME="):
                    codename = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return os.environ.get("LIBALLOC_VM_SUITE") or (codename or "bookworm") + "-backports"


def _packages_indexes(suite):
    """Local apt list files of the suite: reading them needs no network."""
    try:
        out = subprocess.run(
            ["apt-get", "indextargets", "--format", "$(FILENAME)",
             "Identifier: Packages", "Codename: " + suite,
             "Architecture: " + FLAVOUR],
            check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    return [p for p in out.split() if os.path.exists(p)]


def _stanzas(path):
    # apt-helper understands every compression apt keeps its lists in (lz4...)
    text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", path],
                          check=True, capture_output=True, text=True).stdout
    for block in text.split("\n\n"):
        fields = {}
        key = None
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, _, val = line.partition(":")
                fields[key] = val.strip()
        if "Package" in fields:
            yield fields


def _vercmp(a, b):
    if a == b:
        return 0
    lt = subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0
    return -1 if lt else 1


def _stamp(paths):
    return [[p, os.stat(p).st_mtime_ns, os.stat(p).st_size] for p in paths]


def resolve(suite):
    """Like _resolve, remembered while apt's index files stay the same:
    asking apt where they are costs most of a second, at every vm-run."""
    memo = os.path.join(cache_dir(), "resolved-%s.json" % suite)
    try:
        with open(memo) as f:
            m = json.load(f)
        if _stamp([i[0] for i in m["indexes"]]) == m["indexes"]:
            return m["info"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    indexes = _packages_indexes(suite)
    info = _resolve(suite, indexes)
    if info is not None:
        tmp = memo + ".%d" % os.getpid()
        with open(tmp, "w") as f:
            json.dump({"indexes": _stamp(indexes), "info": info}, f)
        os.replace(tmp, memo)
    return info


def _resolve(suite, indexes):
    """Newest ABI of the suite that has both an image and a headers package."""
    if not indexes:
        return None
    pkgs = {}
    for idx in indexes:
        for st in _stanzas(idx):
            name = st["Package"]
            if name.startswith(("linux-image-", "linux-headers-", "linux-kbuild-")):
                old = pkgs.get(name)
                if old is None or _vercmp(old["Version"], st["Version"]) < 0:
                    pkgs[name] = st
    abis = {}
    for name, st in pkgs.items():
        m = IMAGE_RE.match(name)
        if m and ("linux-headers-%s-%s" % (m.group(1), FLAVOUR)) in pkgs:
            abis[m.group(1)] = st["Version"]
    if not abis:
        raise KernelError("%s lists no linux-image-*-%s with matching headers"
                          % (suite, FLAVOUR))
    key = functools.cmp_to_key(_vercmp)
    abi = max(abis, key=lambda a: key(abis[a]))
    image = pkgs["linux-image-%s-%s" % (abi, FLAVOUR)]
    headers = pkgs["linux-headers-%s-%s" % (abi, FLAVOUR)]
    wanted = [image, headers]
    # The headers package names the common headers and kbuild it needs.
    for dep in re.split(r"[,|]", headers.get("Depends", "")):
        dep_name = dep.strip().split(" ")[0]
        if dep_name.startswith(("linux-headers-", "linux-kbuild-")):
            if dep_name not in pkgs:
                raise KernelError("%s needs %s, which %s does not list"
                                  % (headers["Package"], dep_name, suite))
            wanted.append(pkgs[dep_name])
    return {"release": "%s-%s" % (abi, FLAVOUR), "abi": abi,
            "version": image["Version"], "suite": suite,
            "packages": [{"name": p["Package"], "version": p["Version"],
                          "file": os.path.basename(p["Filename"]),
                          "sha256": p.get("SHA256", "")} for p in wanted]}


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _download(pkgs, debdir):
    os.makedirs(debdir, exist_ok=True)
    missing = []
    for p in pkgs:
        path = os.path.join(debdir, p["file"])
        if os.path.exists(path) and (not p["sha256"] or _sha256(path) == p["sha256"]):
            continue
        missing.append(p)
    if not missing:
        return
    with tempfile.TemporaryDirectory(dir=debdir, prefix=".dl-") as tmp:
        # apt drops privileges to _apt for downloads; let it write here.
        os.chmod(tmp, 0o777)
        names = ["%s=%s" % (p["name"], p["version"]) for p in missing]
        log("downloading " + " ".join(names))
        r = subprocess.run(["apt-get", "download", "-q"] + names, cwd=tmp,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
        if r.returncode != 0:
            raise KernelError("apt-get download failed (stale apt lists? run apt-get update "
                              "or scripts/install-deps):\n" + r.stderr.strip())
        for p in missing:
            src = os.path.join(tmp, p["file"])
            if not os.path.exists(src):
                # apt encodes ':' of epochs as %3a; we never expect epochs here
                raise KernelError("apt-get download did not produce " + p["file"])
            if p["sha256"] and _sha256(src) != p["sha256"]:
                raise KernelError("SHA256 mismatch for " + p["file"])
            os.replace(src, os.path.join(debdir, p["file"]))


def _fix_symlinks(root):
    """dpkg -x keeps links meant for /; point them inside the unpacked root."""
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            if not os.path.islink(p):
                continue
            target = os.readlink(p)
            if target.startswith("/"):
                inside = root + target
                os.unlink(p)
                os.symlink(os.path.relpath(inside, dirpath), p)


def _fix_kbuild(root, release, abi):
    """The flavour Makefile includes the common one by absolute path."""
    kdir = os.path.join(root, "usr/src/linux-headers-" + release)
    mk = os.path.join(kdir, "Makefile")
    with open(mk) as f:
        text = f.read()
    common = "/usr/src/linux-headers-%s-common/Makefile" % abi
    if common not in text:
        raise KernelError("unexpected %s: no include of %s" % (mk, common))
    text = text.replace(
        common, "$(dir $(realpath $(lastword $(MAKEFILE_LIST))))../linux-headers-%s-common/Makefile" % abi)
    with open(mk, "w") as f:
        f.write(text)


def _unpack(info, cache):
    release = info["release"]
    dest = os.path.join(cache, release)
    if os.path.exists(dest):
        shutil.rmtree(dest)  # an earlier run died half-way
    tmp = tempfile.mkdtemp(dir=cache, prefix=".unpack-")
    try:
        root = os.path.join(tmp, "root")
        for p in info["packages"]:
            log("unpacking " + p["file"])
            subprocess.run(["dpkg", "-x", os.path.join(cache, "debs", p["file"]), root],
                           check=True)
        _fix_symlinks(root)
        _fix_kbuild(root, release, info["abi"])
        # Debian generates modules.dep in postinst, which dpkg -x skips.
        subprocess.run(["depmod", "-b", root, release], check=True)
        with open(os.path.join(tmp, "info.json"), "w") as f:
            json.dump(info, f, indent=1)
        os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _cached():
    """Complete cached kernels, newest first."""
    cache = cache_dir()
    found = []
    try:
        names = os.listdir(cache)
    except OSError:
        return []
    for n in names:
        try:
            with open(os.path.join(cache, n, "info.json")) as f:
                found.append(json.load(f))
        except (OSError, ValueError):
            pass
    key = functools.cmp_to_key(_vercmp)
    return sorted(found, key=lambda i: key(i["version"]), reverse=True)


def paths(info):
    root = os.path.join(cache_dir(), info["release"], "root")
    rel = info["release"]
    return {
        "version": rel,
        "root": root,
        "vmlinuz": os.path.join(root, "boot", "vmlinuz-" + rel),
        "modules": os.path.join(root, "lib", "modules", rel),
        "kdir": os.path.join(root, "usr", "src", "linux-headers-" + rel),
        "config": os.path.join(root, "boot", "config-" + rel),
    }


def ensure(offline=False):
    """Return info of the kernel to use, fetching it when needed."""
    cache = cache_dir()
    want = os.environ.get("LIBALLOC_VM_KERNEL")
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cached = _cached()
        if want:
            for i in cached:
                if i["release"] == want:
                    return i
        suite = backports_suite()
        info = None if offline else resolve(suite)
        if want and (info is None or info["release"] != want):
            raise KernelError("LIBALLOC_VM_KERNEL=%s is neither cached in %s nor the "
                              "newest of %s" % (want, cache, suite))
        if info is None:
            if cached:
                if not offline:
                    log("%s is not in apt's lists; using cached %s"
                        % (suite, cached[0]["release"]))
                return cached[0]
            if offline:
                raise KernelError("no kernel in %s (--offline never downloads): run "
                                  "tests/vm/fetch-kernel" % cache)
            raise KernelError(
                "no kernel in %s and apt knows no %s suite: run scripts/install-deps "
                "as root (it adds %s and runs apt-get update)" % (cache, suite, suite))
        for i in cached:
            if i["release"] == info["release"] and i["version"] == info["version"]:
                return i
        try:
            _download(info["packages"], os.path.join(cache, "debs"))
        except KernelError as e:
            if cached:
                log("%s; using cached %s" % (e, cached[0]["release"]))
                return cached[0]
            raise
        _unpack(info, cache)
        log("ready: Linux %s (%s from %s) in %s"
            % (info["release"], info["version"], suite, os.path.join(cache, info["release"])))
        return info
