#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every public int-returning function says which errnos it returns: its
comment (the block right above its declaration, or above the group of
declarations it belongs to, or on the declaration's own line) must name at
least one -E... code. TAP output, one line per function. Args: HEADER..."""
import re
import sys

# int functions whose value is not 0 / negative errno.
NOT_ERRNO = {
    "la_device_get_fd": "returns the device's fd (-1 for NULL)",
}

DECL = re.compile(r"^int\s+(la_\w+)\s*\(", re.M)
ERRNO = re.compile(r"-E[A-Z0-9]{2,}\b")


def comment_above(text, start):
    """The comment that documents the declaration starting at start: walk
    up over code lines (the rest of a declaration group, #defines) to the
    nearest comment; a blank line or the top of the file means none."""
    lines = text[:start].split("\n")[:-1]
    i = len(lines) - 1
    while i >= 0:
        line = lines[i].rstrip()
        if not line.strip():
            return ""
        if line.endswith("*/"):
            end = i
            while i >= 0 and "/*" not in lines[i]:
                i -= 1
            if i < 0:
                return ""
            block = "\n".join(lines[i:end + 1])
            return block[block.index("/*"):]
        i -= 1
    return ""


def own_line_comment(text, start):
    """A comment on the declaration's own lines, up to its semicolon."""
    end = text.find(";", start)
    if end < 0:
        return ""
    rest = text[end:text.find("\n", end)]
    return rest[rest.index("/*"):] if "/*" in rest else ""


def check(path):
    text = open(path).read()
    results = []
    for m in DECL.finditer(text):
        name = m.group(1)
        doc = comment_above(text, m.start()) + own_line_comment(text, m.start())
        if name in NOT_ERRNO:
            results.append((name, True, "exempt: " + NOT_ERRNO[name]))
        elif ERRNO.search(doc):
            results.append((name, True, ", ".join(sorted(set(ERRNO.findall(doc))))))
        elif doc:
            results.append((name, False, "its comment names no errno (-E...)"))
        else:
            results.append((name, False, "no comment above its declaration"))
    return results


def main(headers):
    if not headers:
        print("usage: check-errno-docs.py HEADER...", file=sys.stderr)
        return 2
    results = []
    for h in headers:
        results += [(h, *r) for r in check(h)]
    declared = {r[1] for r in results}
    print("1..%d" % (len(results) + 1))
    bad = 0
    for n, (h, name, ok, why) in enumerate(results, 1):
        if not ok:
            bad += 1
        print("%s %d - %s (%s): %s" % ("ok" if ok else "not ok", n, name, h.rsplit("/", 1)[-1], why))
    stale = sorted(set(NOT_ERRNO) - declared)
    print("%s %d - exemptions name declared functions%s" % (
        "not ok" if stale else "ok", len(results) + 1,
        (": not declared: " + ", ".join(stale)) if stale else ""))
    if bad:
        print("# %d int function(s) without a documented errno" % bad)
    if not results:
        print("# no int la_* function found: wrong header?")
    return 1 if bad or stale or not results else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
