"""Runs inside the guest, chrooted into the host root, under the host's python3.

Reads the job vm-run wrote into the control share, loads the kernel modules,
runs the commands one after the other and writes every outcome back into
the control share as files (never through the console):
    setup.json        module loading result
    current           name of the command now running
    out/<i>.out/.err  its output, written while it runs (vm-run streams it)
    out/<i>.json      {"rc": int, "secs": float}
    done.json         last file written: the agent finished normally
"""

import ctypes
import errno
import json
import os
import subprocess
import sys
import time

SBIN_PATH = "/usr/sbin:/sbin:/usr/bin:/bin"
SYS_FINIT_MODULE = 313             # x86-64
SYS_DELETE_MODULE = 176            # x86-64
MODULE_INIT_COMPRESSED_FILE = 4    # include/uapi/linux/module.h


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def save_dmesg(results):
    try:
        with open(os.path.join(results, "dmesg.txt"), "wb") as f:
            subprocess.run(["dmesg"], stdout=f, stderr=subprocess.STDOUT,
                           env={"PATH": SBIN_PATH})
    except OSError:
        pass


def unload_own(job):
    """Unloads the --insmod modules still loaded, last loaded first. A
    module that cannot go (EBUSY: references left) is reported: the test
    processes have all exited, so what holds it leaked."""
    libc = ctypes.CDLL(None, use_errno=True)
    done = []
    for m in reversed(job["insmod"]):
        name = os.path.basename(m["path"]).split(".")[0].replace("-", "_")
        if not os.path.exists("/sys/module/" + name):
            continue  # a test unloaded it itself
        error = None
        if libc.syscall(SYS_DELETE_MODULE, name.encode(), os.O_NONBLOCK) != 0:
            e = ctypes.get_errno()
            error = "%s (%s)" % (os.strerror(e), errno.errorcode.get(e, e))
        done.append({"module": name, "error": error})
    return done


def save_kernel_log(ctl, unload):
    """The whole log for vm-run's check (harness/kernel_log.py)."""
    error = None
    try:
        with open(os.path.join(ctl, "kmsg.txt"), "wb") as f:
            r = subprocess.run(["dmesg"], stdout=f, stderr=subprocess.PIPE,
                               env={"PATH": SBIN_PATH})
        if r.returncode != 0:
            error = "dmesg exited %d: %s" % (r.returncode, r.stderr.decode(errors="replace").strip())
    except OSError as e:
        error = str(e)
    write_json(os.path.join(ctl, "kernel-log.json"), {"unload": unload, "error": error})


def finit_module(path, params):
    """Load one module without spawning insmod: a process start costs about
    0.1 s under TCG, and a guest loads about twenty modules."""
    libc = ctypes.CDLL(None, use_errno=True)
    # The kernel decompresses .ko.xz itself (CONFIG_MODULE_DECOMPRESS).
    flags = MODULE_INIT_COMPRESSED_FILE if path.endswith((".xz", ".zst", ".gz")) else 0
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if libc.syscall(SYS_FINIT_MODULE, fd, " ".join(params).encode(), flags) != 0:
            e = ctypes.get_errno()
            return "%s (%s)" % (os.strerror(e), errno.errorcode.get(e, e))
    finally:
        os.close(fd)
    return None


def load_modules(job):
    for m in job["modules"] + job["insmod"]:
        t = time.monotonic()
        try:
            error = finit_module(m["path"], m["params"])
        except OSError as e:
            error = str(e)
        if error:
            return "loading %s %s failed: %s (see dmesg.txt)" % (
                m["path"], " ".join(m["params"]), error)
        m["secs"] = round(time.monotonic() - t, 3)
    return None


def request_screenshot(ctl, name, timeout):
    shots = os.path.join(ctl, "shots")
    req = os.path.join(shots, name + ".req")
    with open(req + ".tmp", "w"):
        pass
    os.replace(req + ".tmp", req)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.path.exists(os.path.join(shots, name + ".done")):
            return None
        err = os.path.join(shots, name + ".err")
        if os.path.exists(err):
            with open(err) as f:
                return f.read().strip()
        time.sleep(0.1)
    return "host did not take screenshot %s within %d s" % (name, timeout)


def run_test(i, test, job, outdir):
    out = open(os.path.join(outdir, "%d.out" % i), "wb")
    err = out if job["mode"] == "tap" else open(os.path.join(outdir, "%d.err" % i), "wb")
    t = time.monotonic()
    try:
        rc = subprocess.run(test["argv"], stdin=subprocess.DEVNULL, stdout=out,
                            stderr=err, cwd=job["cwd"], env=job["env"]).returncode
    except OSError as e:
        err.write(("vm-run: cannot run %s in %s: %s\n"
                   % (test["argv"][0], job["cwd"], e)).encode())
        rc = 127
    secs = time.monotonic() - t
    out.close()
    if err is not out:
        err.close()
    # A command killed by a signal: report it like a shell does.
    write_json(os.path.join(outdir, "%d.json" % i),
               {"rc": rc if rc >= 0 else 128 - rc, "signal": -rc if rc < 0 else 0,
                "secs": round(secs, 3)})


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    ctl, results = job["ctl"], job["results"]
    with open("/proc/uptime") as f:
        agent_start = float(f.read().split()[0])
    t = time.monotonic()
    error = load_modules(job)
    write_json(os.path.join(ctl, "setup.json"),
               {"ok": error is None, "error": error, "release": os.uname().release,
                "modules_secs": round(time.monotonic() - t, 3), "agent_start": agent_start,
                "modules": [[m["path"], m.get("secs")] for m in job["modules"] + job["insmod"]]})
    if error is None:
        outdir = os.path.join(ctl, "out")
        for i, test in enumerate(job["tests"]):
            with open(os.path.join(ctl, "current"), "w") as f:
                f.write(test["name"])
            run_test(i, test, job, outdir)
        if job.get("screenshot_at_end"):
            e = request_screenshot(ctl, job["screenshot_at_end"], job["shot_timeout"])
            if e:
                write_json(os.path.join(ctl, "end-shot.json"), {"error": e})
        save_kernel_log(ctl, unload_own(job))
    save_dmesg(results)
    write_json(os.path.join(ctl, "done.json"), {})
    return 0


if __name__ == "__main__":
    sys.exit(main())
