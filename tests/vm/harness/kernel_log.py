"""The kernel log of every boot, checked by the harness itself.

The guest agent unloads the modules vm-run loaded with --insmod (a module
still in use at the end means a buffer or fd leaked into the kernel) and
saves the kernel log into the control share; vm-run then fails the boot if
the log holds a kernel report. A report a test provokes on purpose is
excused only by name (vm-run --kernel-log-allow NAME), from the table
below, each with its reason, and only for a line it matches exactly.
"""

import json
import os
import re

# One line of the log starting a kernel report, after its [ time] prefix.
REPORTS = re.compile(
    r"WARNING:|BUG:|kernel BUG at|Oops|general protection fault|"
    r"list_add corruption|list_del corruption|refcount_t:|KFENCE:|UBSAN:|"
    r"Poison overwritten|Redzone|Object padding|usercopy: Kernel memory|"
    r"INFO: task .* blocked|soft lockup|hard LOCKUP|rcu: INFO:|self-detected stall|"
    r"possible recursive locking|circular locking|inconsistent lock state|"
    r"kmemleak:|leaked|Memory leak")

# name: (the exact line it excuses, regular expression; why it is expected)
EXEMPTIONS = {
    "dma-buf-vmap-refused": (
        r"WARNING: CPU: \d+ PID: \d+ at drivers/dma-buf/dma-buf\.c:\d+ "
        r"dma_buf_vmap\+0x[0-9a-f]+/0x[0-9a-f]+( \[\w+\])?",
        "the dma-buf core WARN_ON_ONCE()s in dma_buf_vmap() when an exporter refuses "
        "a kernel mapping (drivers/dma-buf/dma-buf.c), and SMAF's secure buffers must "
        "refuse it"),
}

TIME_PREFIX = re.compile(r"^\[\s*\d+\.\d+\]\s?")


def check(text, allowed, unload):
    """Problems (strings) in the log text, given the allowed exemption
    names and the agent's unload results [{"module", "error"}]."""
    problems = []
    if "Linux version" not in text:
        problems.append("the log has no boot banner ('Linux version'): it wrapped or "
                        "could not be read, reports may be lost")
    patterns = [re.compile(EXEMPTIONS[n][0]) for n in allowed]
    for line in text.splitlines():
        msg = TIME_PREFIX.sub("", line)
        if REPORTS.search(msg) and not any(p.fullmatch(msg) for p in patterns):
            problems.append(msg)
    for u in unload:
        if u.get("error"):
            problems.append("module %s could not be unloaded at the end of the boot: %s "
                            "(something still holds it: a leaked buffer or fd?)"
                            % (u["module"], u["error"]))
    return problems


def check_ctl(ctl, allowed):
    """Reads what the guest agent left in the control share. None if the
    agent did not get that far."""
    try:
        with open(os.path.join(ctl, "kernel-log.json")) as f:
            info = json.load(f)
        with open(os.path.join(ctl, "kmsg.txt"), "rb") as f:
            text = f.read().decode(errors="replace")
    except (OSError, ValueError):
        return None
    problems = check(text, allowed, info.get("unload", []))
    if info.get("error"):
        problems.insert(0, "reading the kernel log failed: " + info["error"])
    return problems
