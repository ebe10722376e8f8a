#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The ABI promise, checked: the functions liballoc.so exports are exactly
the ones its public headers declare and its version script lists, and the
shared object carries a SONAME. Args: LIB SYMFILE HEADER..."""
import re
import subprocess
import sys

lib, symfile, headers = sys.argv[1], sys.argv[2], sys.argv[3:]

decl = re.compile(r"^[a-z][\w \*]*?\b(la_\w+)\(", re.M)
declared = set()
for h in headers:
    text = re.sub(r"/\*.*?\*/", "", open(h).read(), flags=re.S)
    declared |= set(decl.findall(text))

listed = set(re.findall(r"^\s*(la_\w+);", open(symfile).read(), re.M))

out = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True, text=True,
                     check=True).stdout
exported = {l.split()[-1].split("@")[0] for l in out.splitlines()
            if l.split()[1:2] and l.split()[1] in "TtDdRrBbWwVv" and l.split()[-1].startswith("la_")}
other = {l.split()[-1] for l in out.splitlines()
         if l.split()[1:2] and l.split()[1] in "TDRBW" and not l.split()[-1].startswith(("la_", "LIBALLOC_"))}

bad = False
for name, got, want in (("exported but not declared", exported - declared, None),
                        ("declared but not exported", declared - exported, None),
                        ("in the version script but not declared", listed - declared, None),
                        ("declared but not in the version script", declared - listed, None),
                        ("exported symbols without the la_ prefix", other, None)):
    if got:
        bad = True
        print("%s: %s" % (name, ", ".join(sorted(got))))

dyn = subprocess.run(["readelf", "-d", lib], capture_output=True, text=True, check=True).stdout
if not re.search(r"\(SONAME\)\s+Library soname: \[liballoc\.so\.\d+\]", dyn):
    bad = True
    print("no SONAME liballoc.so.N")
print("%d functions exported, declared and listed" % len(exported & declared & listed))
sys.exit(1 if bad else 0)
