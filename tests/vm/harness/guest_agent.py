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

import json
import os
import shutil
import subprocess
import sys
import time

SBIN_PATH = "/usr/sbin:/sbin:/usr/bin:/bin"


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


def load_modules(job):
    insmod = shutil.which("insmod", path=SBIN_PATH)
    if not insmod:
        return "no insmod in the host root (install kmod)"
    for m in job["modules"] + job["insmod"]:
        t = time.monotonic()
        r = subprocess.run([insmod, m["path"]] + m["params"], capture_output=True,
                           text=True, env={"PATH": SBIN_PATH})
        if r.returncode != 0:
            return "insmod %s %s failed: %s" % (m["path"], " ".join(m["params"]),
                                               (r.stderr or r.stdout).strip())
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
    ctl, results = job["ctl"], job["env"]["LIBALLOC_VM_RESULTS"]
    t = time.monotonic()
    error = load_modules(job)
    write_json(os.path.join(ctl, "setup.json"),
               {"ok": error is None, "error": error, "release": os.uname().release,
                "modules_secs": round(time.monotonic() - t, 3),
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
    save_dmesg(results)
    write_json(os.path.join(ctl, "done.json"), {})
    return 0


if __name__ == "__main__":
    sys.exit(main())
