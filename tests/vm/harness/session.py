"""One guest boot: prepare the shares and the job, run QEMU, watch it, tear down."""

import json
import os
import re
import shutil
import tempfile
import time

from . import initramfs, kernel, kernel_log, modules, qemu
import screenshot  # next to vm-run, which puts its folder on sys.path

HERE = os.path.dirname(os.path.abspath(__file__))
VMDIR = os.path.dirname(HERE)

# Guest paths, fixed by init.sh.
GUEST_RUN = "/run/liballoc-vm"
GUEST_CTL = GUEST_RUN + "/ctl"
GUEST_RESULTS = GUEST_RUN + "/results"
GUEST_TMP = GUEST_RUN + "/tmp"
# Host variables that point at things the guest does not have.
DROP_ENV = ("XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS", "SSH_AUTH_SOCK",
            "WAYLAND_DISPLAY", "DISPLAY")
# No fbdev emulation, hence no fbcon: the console would otherwise be drawn
# on the virtio-gpu scanout (slow under TCG, and it is what a screenshot
# shows until a test takes the display). --param can turn it back on.
DEFAULT_PARAMS = {"drm_kms_helper": ["fbdev_emulation=0"]}
EXIT_TIMEOUT = 124
EXIT_HARNESS = 125
SHOT_TIMEOUT = 60


class SetupError(Exception):
    """Bad input or missing prerequisite, found before booting."""


class Outcome:
    def __init__(self):
        self.release = None
        self.ready_secs = None    # QEMU start to modules loaded, host clock
        self.modules_secs = None
        self.modules = []         # [path, seconds] in load order
        self.agent_start = None   # guest uptime when the agent started
        self.results = {}         # index -> {"rc", "secs", "signal"}
        self.failure = None       # why the guest did not finish normally
        self.failure_exit = 0
        self.current = None       # test running when the guest died
        self.console_tail = ""
        self.total_secs = None
        self.kernel_log = None    # problems found in the kernel log; None: not checked


def _read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


# First line of a kernel report worth showing in full.
REPORT_START = re.compile(r"(Kernel panic|BUG:|Oops|general protection fault|"
                          r"sysrq: Trigger a crash|WARNING:|Call Trace:)")


def _tail(path, lines=30):
    """The console's last lines, or the kernel report that killed the guest."""
    try:
        with open(path, "rb") as f:
            text = f.read()[-65536:].decode(errors="replace")
    except OSError:
        return ""
    all_lines = text.splitlines()
    for i, line in enumerate(all_lines):
        if REPORT_START.search(line):
            return "\n".join(all_lines[max(0, i - 3):i + 25])
    return "\n".join(all_lines[-lines:])


def _module_plan(tree, opts):
    """Ordered [{"name","path","params"}] for the guest, plus kernel args."""
    early = tree.order(modules.EARLY)
    rest = tree.order(modules.STANDARD + opts.modules, skip=early)
    plan = [{"name": n, "path": tree.path[n], "params": list(DEFAULT_PARAMS.get(n, []))}
            for n in rest]
    own = []
    for spec in opts.insmod:
        path, _, args = spec.partition(":")
        path = os.path.abspath(path)
        if not os.path.isfile(path):
            raise SetupError("--insmod %s: no such file" % path)
        params = []
        for item in args.split(",") if args else []:
            # key=1,2,3 is an array parameter: a piece without '=' continues it
            if "=" in item or not params:
                params.append(item)
            else:
                params[-1] += "," + item
        own.append({"name": modules.norm(os.path.basename(path).split(".ko")[0]),
                    "path": path, "params": params})
    append = []
    by_name = {m["name"]: m for m in plan + own}
    for p in opts.params:
        m = re.match(r"^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+=.*)$", p)
        if not m:
            raise SetupError("--param %r: expected module.key=value" % p)
        name = modules.norm(m.group(1))
        if name in tree.builtin:
            append.append("%s.%s" % (name, m.group(2)))
        elif name in by_name:
            by_name[name]["params"].append(m.group(2))
        elif name in early:
            raise SetupError("--param %s: %s loads from the initramfs, before the "
                             "host root; its parameters are not supported" % (p, name))
        else:
            raise SetupError("--param %s: vm-run does not load %s (it loads %s; add "
                             "--module %s)" % (p, name, ", ".join(sorted(by_name)), name))
    return plan, own, append


def _guest_env(opts):
    env = {k: v for k, v in os.environ.items() if k not in DROP_ENV}
    env.update({
        "LIBALLOC_VM": "1",
        "LIBALLOC_VM_RESULTS": GUEST_RESULTS,
        "LIBALLOC_VM_CTL": GUEST_CTL,
        "LIBALLOC_VM_SCREENSHOT": os.path.join(VMDIR, "vm-screenshot"),
        # The host root is read-only in the guest; /run is a tmpfs.
        "TMPDIR": GUEST_TMP,
    })
    for kv in opts.env:
        k, sep, v = kv.partition("=")
        if not sep or not k:
            raise SetupError("--env %r: expected KEY=VALUE" % kv)
        env[k] = v
    return env


class Session:
    def __init__(self, opts, tests, mode):
        """tests: [{"name", "argv"}]; mode: "single" or "tap"."""
        self.opts, self.tests, self.mode = opts, tests, mode
        self.tmp = None
        self.vm = None
        self.qmp = None
        self.offsets = {}
        self.outcome = None

    def prepare(self):
        try:
            info = kernel.ensure()
            paths = kernel.paths(info)
            tree = modules.ModuleTree(paths["modules"])
            plan, own, append = _module_plan(tree, self.opts)
            self.initrd = initramfs.build(tree, kernel.cache_dir())
        except (kernel.KernelError, modules.ModuleError, initramfs.InitramfsError) as e:
            raise SetupError(str(e))
        if not shutil.which(qemu.QEMU):
            raise SetupError("%s not found: run scripts/install-deps (package qemu-system-x86)"
                             % qemu.QEMU)
        self.vmlinuz = paths["vmlinuz"]
        self.release = info["release"]
        # quiet keeps the console to warnings and worse; oops=panic turns a
        # kernel bug hit by a test into a prompt, explicit failure.
        # no_timer_check: under TCG on a loaded host the emulated 8254 timer
        # can tick too slowly for the kernel's IO-APIC timer check, which
        # then panics at boot ("IO-APIC + timer doesn't work!", seen once in
        # a vm suite run with other builds on both cores); the check tests
        # hardware wiring, not anything liballoc relies on.
        self.append = " ".join(["console=ttyS0", "quiet", "panic=-1", "oops=panic",
                                "no_timer_check"]
                               + append + self.opts.append)
        self.tmp = tempfile.mkdtemp(prefix="liballoc-vm-")
        self.ctl = os.path.join(self.tmp, "ctl")
        os.makedirs(os.path.join(self.ctl, "out"))
        os.makedirs(os.path.join(self.ctl, "shots"))
        if self.opts.results:
            self.results = os.path.abspath(self.opts.results)
            os.makedirs(self.results, exist_ok=True)
        else:
            self.results = os.path.join(self.tmp, "results")
            os.makedirs(self.results)
        self.console = os.path.join(self.results, "console.log")
        job = {
            "mode": self.mode, "tests": self.tests, "cwd": os.getcwd(),
            "results": GUEST_RESULTS,
            "env": _guest_env(self.opts), "ctl": GUEST_CTL,
            "modules": plan, "insmod": own,
            "screenshot_at_end": self.opts.screenshot_at_end,
            "shot_timeout": SHOT_TIMEOUT,
        }
        with open(os.path.join(self.ctl, "job.json"), "w") as f:
            json.dump(job, f)
        python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else shutil.which("python3")
        with open(os.path.join(self.ctl, "boot.env"), "w") as f:
            f.write("AGENT_PYTHON='%s'\nAGENT='%s'\n"
                    % (python, os.path.join(HERE, "guest_agent.py")))

    def _shots(self):
        shots = os.path.join(self.ctl, "shots")
        for f in sorted(os.listdir(shots)):
            if not f.endswith(".req"):
                continue
            name = f[:-4]
            os.unlink(os.path.join(shots, f))
            try:
                if self.qmp is None:
                    self.qmp = screenshot.QMP(self.qmp_path)
                screenshot.grab(self.qmp, os.path.join(self.results, name + ".ppm"),
                                os.path.join(self.results, name + ".png"))
                marker = name + ".done"
                text = ""
            except (OSError, screenshot.ScreenshotError) as e:
                marker, text = name + ".err", "vm-run: screenshot %s failed: %s\n" % (name, e)
            with open(os.path.join(shots, marker + ".tmp"), "w") as fh:
                fh.write(text)
            os.replace(os.path.join(shots, marker + ".tmp"), os.path.join(shots, marker))

    def _stream(self, on_output):
        for i in range(len(self.tests)):
            for stream in ("out", "err"):
                path = os.path.join(self.ctl, "out", "%d.%s" % (i, stream))
                off = self.offsets.get(path, 0)
                try:
                    with open(path, "rb") as f:
                        f.seek(off)
                        data = f.read()
                except OSError:
                    continue
                if data:
                    self.offsets[path] = off + len(data)
                    on_output(i, stream, data)

    def run(self, on_output=None, on_result=None):
        """Boot, run, tear down. Callbacks see output and results as they come."""
        out = self.outcome = Outcome()
        out.release = self.release
        self.qmp_path = os.path.join(self.tmp, "qmp.sock")
        argv = qemu.command(self.vmlinuz, self.initrd, self.append, self.ctl, self.results,
                            self.console, self.qmp_path, self.opts.mem, self.opts.smp)
        qemu_log = os.path.join(self.tmp, "qemu.log")
        self.vm = qemu.Qemu(argv, qemu_log)
        deadline = self.opts.timeout
        reported = 0
        done_at = None
        while True:
            running = self.vm.running()
            if out.ready_secs is None:
                setup = _read_json(os.path.join(self.ctl, "setup.json"))
                if setup:
                    out.ready_secs = self.vm.elapsed()
                    out.modules_secs = setup["modules_secs"]
                    out.modules = setup["modules"]
                    out.agent_start = setup["agent_start"]
                    if not setup["ok"]:
                        out.failure = "guest set-up failed: " + setup["error"]
                        out.failure_exit = EXIT_HARNESS
            self._shots()
            if on_output:
                self._stream(on_output)
            while reported < len(self.tests):
                r = _read_json(os.path.join(self.ctl, "out", "%d.json" % reported))
                if r is None:
                    break
                out.results[reported] = r
                if on_result:
                    on_result(reported, r)
                reported += 1
            if not running:
                break
            if done_at is None and os.path.exists(os.path.join(self.ctl, "done.json")):
                done_at = time.monotonic()
            if done_at is not None and time.monotonic() - done_at > 20:
                break  # the agent is done; a guest that does not power off is no failure of the test
            if self.vm.elapsed() > deadline:
                cur = self._current(reported)
                where = ("while running %r" % cur) if cur else (
                    "before the guest was ready" if out.ready_secs is None else "after the last command")
                out.failure = "timeout: guest still running after %d s, %s" % (deadline, where)
                out.failure_exit = EXIT_TIMEOUT
                out.current = cur
                break
            time.sleep(0.05)
        out.total_secs = self.vm.elapsed()
        self.vm.kill()
        if out.failure is None and not os.path.exists(os.path.join(self.ctl, "done.json")):
            out.failure = self._why_dead(qemu_log)
            out.failure_exit = EXIT_HARNESS
            out.current = self._current(reported)
        out.kernel_log = kernel_log.check_ctl(self.ctl, self.opts.kernel_log_allow)
        end_shot = _read_json(os.path.join(self.ctl, "end-shot.json"))
        if end_shot and out.failure is None:
            out.failure, out.failure_exit = end_shot["error"], EXIT_HARNESS
        if out.failure:
            out.console_tail = _tail(self.console)
        return out

    def _current(self, reported):
        if reported >= len(self.tests):
            return None
        try:
            with open(os.path.join(self.ctl, "current")) as f:
                name = f.read().strip()
        except OSError:
            return None
        return name if name == self.tests[reported]["name"] else None

    def _why_dead(self, qemu_log):
        try:
            with open(self.console, "rb") as f:
                console = f.read()[-65536:].decode(errors="replace")
        except OSError:
            console = ""
        m = re.search(r"Kernel panic - not syncing:.*", console)
        if m:
            return "guest kernel panic: " + m.group(0).strip()
        m = re.search(r"liballoc-vm-init: FAILED: .*", console)
        if m:
            return "guest init failed: " + m.group(0).split("FAILED: ", 1)[1]
        log = _tail(qemu_log, 20).strip()
        if self.vm.proc.returncode not in (0, None) or log:
            return "QEMU exited with status %s: %s" % (self.vm.proc.returncode, log or "(no message)")
        return "guest powered off before the guest agent finished (see console.log)"

    def close(self):
        if self.qmp:
            try:
                self.qmp.close()
            except OSError:
                pass
        if self.vm:
            self.vm.kill()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
