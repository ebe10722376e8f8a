"""Starting and stopping qemu-system-x86_64 for one test guest."""

import ctypes
import shutil
import signal
import subprocess
import time

QEMU = "qemu-system-x86_64"


class QemuError(Exception):
    pass


def _die_with_parent():
    # If vm-run is killed outright (SIGKILL), the kernel kills QEMU too
    # (PR_SET_PDEATHSIG = 1), so no emulator outlives its harness.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def command(vmlinuz, initrd, append, ctl, results, console, qmp, mem, smp):
    exe = shutil.which(QEMU)
    if not exe:
        raise QemuError("%s not found: run scripts/install-deps (package qemu-system-x86)" % QEMU)
    share = "local,security_model=none,multidevs=remap,path=%s,mount_tag=%s"
    return [
        exe,
        # /dev/kvm cannot run this guest kernel on the CI machines (the guest
        # crashes early), so always emulate. With -cpu max the host's python3
        # starts about 1 s faster in the guest than with the default qemu64.
        "-accel", "tcg", "-cpu", "max",
        "-m", str(mem), "-smp", str(smp),
        "-nodefaults", "-no-user-config",
        # -vga none: otherwise std-VGA, not virtio-gpu, is what screendump shows.
        "-vga", "none", "-device", "virtio-gpu-pci",
        "-display", "none", "-net", "none",
        "-serial", "file:" + console,
        "-monitor", "none",
        "-qmp", "unix:%s,server=on,wait=off" % qmp,
        # panic=-1 reboots at once on a panic and -no-reboot turns that into
        # QEMU exiting: a crashed guest ends the run instead of hanging it.
        "-no-reboot",
        "-kernel", vmlinuz, "-initrd", initrd, "-append", append,
        "-virtfs", (share % ("/", "hostroot")) + ",readonly=on",
        "-virtfs", share % (ctl, "ctl"),
        "-virtfs", share % (results, "results"),
    ]


class Qemu:
    def __init__(self, argv, log_path):
        self.log = open(log_path, "wb")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
                                     start_new_session=True)

    def running(self):
        return self.proc.poll() is None

    def elapsed(self):
        return time.monotonic() - self.started

    def wait(self, timeout):
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def kill(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            if not self.wait(3):
                self.proc.kill()
                self.proc.wait()
        self.log.close()
