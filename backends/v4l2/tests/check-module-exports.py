#!/usr/bin/env python3
"""A backend module exports exactly la_backend_entry (everything else hidden)."""
import subprocess
import sys

out = subprocess.run(['nm', '-D', '--defined-only', sys.argv[1]], check=True,
                     capture_output=True, text=True).stdout
# __odr_asan.* are AddressSanitizer's markers in sanitizer builds, not interface
syms = sorted(line.split()[-1] for line in out.splitlines()
              if line.strip() and not line.split()[-1].startswith('__odr_asan'))
if syms != ['la_backend_entry']:
    print('exported symbols:', ' '.join(syms))
    sys.exit(1)
print('only la_backend_entry is exported')
