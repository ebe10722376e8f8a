#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build an out-of-tree module (ion_test.ko; contig_display.ko reuses this
# script) against the test kernel's headers.
#
#   kbuild.sh FETCH_KERNEL SRCDIR OUT.ko FILE...   (FILEs relative to SRCDIR)
#
# Kbuild writes its objects next to the sources, so the FILEs are copied,
# keeping their sub-folders (uapi/), into OUT.ko.d/ beside OUT.ko: the source
# tree stays clean. Copies keep their times, so make rebuilds only what
# changed.
set -eu
[ $# -ge 4 ] || { echo "usage: kbuild.sh FETCH_KERNEL SRCDIR OUT.ko FILE..." >&2; exit 2; }
fetch=$1 src=$2 out=$3
shift 3
kdir=$("$fetch" --offline --print kdir) || { echo "kbuild.sh: no kernel headers (see above)" >&2; exit 1; }
work=$out.d
for f in "$@"; do
	mkdir -p "$work/$(dirname "$f")"
	cmp -s "$src/$f" "$work/$f" || cp -p "$src/$f" "$work/$f"
done
make -s -C "$kdir" M="$(readlink -f "$work")" modules >"$work/build.log" 2>&1 || {
	cat "$work/build.log" >&2
	echo "kbuild.sh: make -C $kdir M=$work modules failed" >&2
	exit 1
}
# Warnings are shown, not fatal: a newer kernel's headers may bring some.
grep -i "warning" "$work/build.log" >&2 || true
cp "$work/$(basename "$out")" "$out"
