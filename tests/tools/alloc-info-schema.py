#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Validates `alloc-info --json` output against the schema in USAGE.md
("alloc-info --json", version 1). Standard library only: it runs in the
test VM with the host's python3 and in CI without extra packages.

    alloc-info-schema.py [FILE|-]     # one document; exit 0 valid, 1 not

Objects are closed: a key the schema does not name is an error, so the
documentation cannot fall behind the tool. Import it to use validate(doc),
which returns a list of "json.path: problem" strings.
"""

import json
import sys

VERSION = 1
CORE_USAGES = ["scanout", "overlay", "cursor", "capture", "decode", "encode",
               "render", "sample", "cpu-read", "cpu-write", "cpu-read-often",
               "protected"]
IMPORT_RULES = ["any", "contiguous", "own-only", "none"]
CACHING = ["cached", "writecombine", "uncached"]
ERROR_KINDS = {1: "usage", 2: "no-format", 3: "no-path", 4: "device"}


class Spec:
    """A schema node: check(value, path, errors)."""

    def __init__(self, check, name):
        self.check = check
        self.name = name


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def integer(lo=0, hi=2**64 - 1):
    def check(v, path, errors):
        if not is_int(v):
            errors.append("%s: expected integer, got %s" % (path, json.dumps(v)))
        elif not lo <= v <= hi:
            errors.append("%s: %d outside %d..%d" % (path, v, lo, hi))
    return Spec(check, "integer")


def const(value):
    def check(v, path, errors):
        if v != value or type(v) is not type(value):
            errors.append("%s: expected %s, got %s" % (path, json.dumps(value), json.dumps(v)))
    return Spec(check, json.dumps(value))


def string(nonempty=False):
    def check(v, path, errors):
        if not isinstance(v, str):
            errors.append("%s: expected string, got %s" % (path, json.dumps(v)))
        elif nonempty and not v:
            errors.append("%s: empty string" % path)
    return Spec(check, "string")


def enum(*values):
    def check(v, path, errors):
        if v not in values:
            errors.append("%s: %s is not one of %s" % (path, json.dumps(v), ", ".join(values)))
    return Spec(check, "enum")


def boolean(only_true=False):
    def check(v, path, errors):
        if not isinstance(v, bool) or (only_true and v is not True):
            errors.append("%s: expected %s, got %s" % (path, "true" if only_true else "boolean",
                                                      json.dumps(v)))
    return Spec(check, "boolean")


def nullable(spec):
    def check(v, path, errors):
        if v is not None:
            spec.check(v, path, errors)
    return Spec(check, spec.name + " or null")


def array(item, length=None, unique=False):
    def check(v, path, errors):
        if not isinstance(v, list):
            errors.append("%s: expected array, got %s" % (path, json.dumps(v)[:60]))
            return
        if length is not None and len(v) != length:
            errors.append("%s: expected %d entries, got %d" % (path, length, len(v)))
        if unique and len(set(json.dumps(x) for x in v)) != len(v):
            errors.append("%s: duplicate entries" % path)
        for i, x in enumerate(v):
            item.check(x, "%s[%d]" % (path, i), errors)
    return Spec(check, "array")


def obj(required, optional=None):
    optional = optional or {}

    def check(v, path, errors):
        if not isinstance(v, dict):
            errors.append("%s: expected object, got %s" % (path, json.dumps(v)[:60]))
            return
        for k in v:
            if k not in required and k not in optional:
                errors.append("%s: unknown key %s" % (path, json.dumps(k)))
        for k, spec in required.items():
            if k not in v:
                errors.append("%s: missing key %s" % (path, json.dumps(k)))
            else:
                spec.check(v[k], "%s.%s" % (path, k), errors)
        for k, spec in optional.items():
            if k in v:
                spec.check(v[k], "%s.%s" % (path, k), errors)
    return Spec(check, "object")


def modifier_check(v, path, errors):
    ok = isinstance(v, str) and (v in ("linear", "implicit") or (
        v.startswith("0x") and 3 <= len(v) <= 18 and
        all(c in "0123456789abcdefABCDEF" for c in v[2:])))
    if not ok:
        errors.append("%s: %s is not linear, implicit or 0x<hex>" % (path, json.dumps(v)))


def usage_item_check(v, path, errors):
    if isinstance(v, str):
        if v not in CORE_USAGES:
            errors.append("%s: unknown usage %s" % (path, json.dumps(v)))
    elif is_int(v):
        # Backend bits (32..63) as their value: one bit, above the core range.
        if v < 2**32 or v >= 2**64 or v & (v - 1):
            errors.append("%s: %d is not a single backend usage bit (2^32..2^63)" % (path, v))
    else:
        errors.append("%s: expected usage name or bit value, got %s" % (path, json.dumps(v)))


def devnum_check(v, path, errors):
    parts = v.split(":") if isinstance(v, str) else []
    if len(parts) != 2 or not all(p.isdigit() and int(p) < 2**32 for p in parts):
        errors.append("%s: %s is not \"major:minor\"" % (path, json.dumps(v)))


MODIFIER = Spec(modifier_check, "modifier")
USAGE = array(Spec(usage_item_check, "usage"), unique=True)
DEVNUM = Spec(devnum_check, "devnum")
U64 = integer()
U32 = integer(0, 2**32 - 1)
PLANES4 = array(U64, length=4)

CONSTRAINTS = obj({}, {
    "pitch_align": PLANES4, "offset_align": PLANES4,
    "size_align": U64, "base_align": U64, "width_align": U32, "height_align": U32,
    "max_pitch": U64, "max_size": U64, "max_width": U32, "max_height": U32,
    "dma_addr_bits": integer(0, 64),
    "caching": array(enum(*CACHING), unique=True),
    "contiguous": boolean(True), "protected_required": boolean(True),
    "protected_ok": boolean(True), "no_cpu_access": boolean(True),
})

CANDIDATE_KEYS = {"format": string(True), "modifier": MODIFIER,
                  "plane_count": integer(0, 4), "constraints": CONSTRAINTS}
CANDIDATE = obj(CANDIDATE_KEYS)
CHOSEN = obj(dict(CANDIDATE_KEYS, index=integer(0, 2**31)))

# The capability-set schema (USAGE.md, "JSON schema of capability sets").
# Version 2 only when the device has a layout domain.
CAPSET = obj({
    "liballoc_capset": integer(1, 2),
    "device": obj({"label": string(), "driver": string(), "backend": string(),
                   "usage": USAGE, "import_rule": enum(*IMPORT_RULES)},
                  {"devnum": DEVNUM, "import_reason": string(),
                   "layout_domain": string(True)}),
    "candidates": array(obj({"format": string(True), "modifier": MODIFIER},
                            {"plane_count": integer(0, 4), "constraints": CONSTRAINTS})),
})

PATH = obj({
    "name": string(True), "backend": string(), "matched": boolean(),
    "rank": integer(-2**31, 2**31 - 1), "reason": string(),
    "caching": array(enum(*CACHING), unique=True),
    "contiguous": boolean(), "device_memory": boolean(),
})

ERROR = obj({"exit_code": integer(1, 4), "kind": enum(*ERROR_KINDS.values()),
             "errno": nullable(string(True)), "message": string(True)})

SIZE = obj({"width": integer(1, 2**32 - 1), "height": integer(1, 2**32 - 1)})

HEAD = {"alloc_info": const(VERSION), "error": nullable(ERROR)}

LIST = obj(dict(HEAD, command=const("list"), size=SIZE, backends=array(string(True)),
                devices=array(obj({
                    "label": string(True), "backend": string(True), "driver": string(),
                    "path": string(), "devnum": DEVNUM, "usages": USAGE,
                    "main_usage": nullable(USAGE),
                    "import_rule": nullable(enum(*IMPORT_RULES)),
                    "import_reason": nullable(string()),
                    "formats": array(string(True), unique=True),
                    "candidate_count": integer(),
                    "negotiation": nullable(obj({
                        "exit_code": integer(0, 4), "chosen": nullable(CANDIDATE),
                        "paths": array(PATH), "diagnosis": string()})),
                    "error": nullable(string(True)),
                }))))

CAPS = obj(dict(HEAD, command=const("caps"),
                source=obj({"kind": enum("device", "file"), "argument": string(True)}),
                size=nullable(SIZE), saved=nullable(string(True)), capset=CAPSET))

BUFFER = obj({
    "path": string(), "format": string(True), "modifier": MODIFIER,
    "width": integer(1, 2**32 - 1), "height": integer(1, 2**32 - 1),
    "flags": array(enum("cached", "contiguous", "protected"), unique=True),
    "planes": array(obj({"offset": U64, "pitch": U64, "size": U64,
                         "dmabuf": integer(0, 3)})),
})

NEGOTIATE = obj(dict(
    HEAD, command=const("negotiate"),
    request=obj({"width": integer(1, 2**32 - 1), "height": integer(1, 2**32 - 1),
                 "formats": array(string(True)), "modifiers": array(MODIFIER),
                 "buffer_count": integer(1, 64), "allocate": boolean(),
                 "path": nullable(string(True))}),
    devices=array(obj({
        "label": string(), "driver": string(), "backend": string(), "devnum": DEVNUM,
        "usage": USAGE, "import_rule": enum(*IMPORT_RULES), "import_reason": string(),
        "argument": string(True), "source": enum("device", "file"),
        "path": nullable(string()), "candidate_count": integer()})),
    chosen=nullable(CHOSEN),
    layout=nullable(obj({"size": U64, "planes": array(obj({
        "offset": U64, "pitch": U64, "size": U64}))})),
    candidates=array(CANDIDATE), paths=array(PATH), diagnosis=string(),
    buffers=array(BUFFER)))

# A command that failed before it could build its own document.
ERROR_DOC = obj({"alloc_info": const(VERSION),
                 "command": nullable(enum("list", "caps", "negotiate")),
                 "error": ERROR})

COMMANDS = {"list": LIST, "caps": CAPS, "negotiate": NEGOTIATE}


def semantics(doc, errors):
    """Rules across keys that the shapes above cannot say."""
    err = doc.get("error")
    if isinstance(err, dict) and ERROR_KINDS.get(err.get("exit_code")) != err.get("kind"):
        errors.append("$.error: kind %s does not match exit_code %s"
                      % (json.dumps(err.get("kind")), json.dumps(err.get("exit_code"))))
    if doc.get("command") != "negotiate" or set(doc) == {"alloc_info", "command", "error"}:
        return
    cands, chosen = doc.get("candidates", []), doc.get("chosen")
    if err is None and chosen is None:
        errors.append("$.chosen: null although the negotiation succeeded")
    if isinstance(chosen, dict) and is_int(chosen.get("index")):
        if chosen["index"] >= len(cands):
            errors.append("$.chosen.index: %d but %d candidates" % (chosen["index"], len(cands)))
        elif {k: v for k, v in chosen.items() if k != "index"} != cands[chosen["index"]]:
            errors.append("$.chosen: differs from candidates[%d]" % chosen["index"])
    if err and err.get("exit_code") == 2 and cands:
        errors.append("$.candidates: not empty although no format is common (exit 2)")
    paths = doc.get("paths", [])
    seen_unmatched = False
    for i, p in enumerate(paths if isinstance(paths, list) else []):
        if isinstance(p, dict) and p.get("matched") is True and seen_unmatched:
            errors.append("$.paths[%d]: matched path after an unmatched one (best first)" % i)
        seen_unmatched |= isinstance(p, dict) and p.get("matched") is False
    req = doc.get("request", {})
    bufs = doc.get("buffers", [])
    if isinstance(req, dict) and isinstance(bufs, list) and bufs:
        if not req.get("allocate"):
            errors.append("$.buffers: buffers without request.allocate")
        elif len(bufs) != req.get("buffer_count"):
            errors.append("$.buffers: %d buffers, request.buffer_count %s"
                          % (len(bufs), req.get("buffer_count")))


def validate(doc):
    errors = []
    if not isinstance(doc, dict):
        return ["$: expected a JSON object"]
    if set(doc) == {"alloc_info", "command", "error"}:
        ERROR_DOC.check(doc, "$", errors)
    else:
        spec = COMMANDS.get(doc.get("command"))
        if spec is None:
            return ["$.command: %s is not list, caps or negotiate" % json.dumps(doc.get("command"))]
        spec.check(doc, "$", errors)
    semantics(doc, errors)
    return errors


def main(argv):
    src = argv[1] if len(argv) > 1 else "-"
    try:
        text = sys.stdin.read() if src == "-" else open(src).read()
        doc = json.loads(text)
    except (OSError, ValueError) as e:
        print("%s: not a JSON document: %s" % (src, e), file=sys.stderr)
        return 1
    errors = validate(doc)
    for e in errors:
        print("%s: %s" % (src, e), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
