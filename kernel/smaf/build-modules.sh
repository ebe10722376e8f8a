#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# build-modules.sh FETCH_KERNEL SRCDIR OUTDIR
# Copies the module sources to OUTDIR/kbuild (the source tree stays clean),
# builds them against the test kernel's kbuild dir and leaves the .ko files
# in OUTDIR.
set -eu
fetch_kernel=$1 srcdir=$2 outdir=$3
kdir=$("$fetch_kernel" --offline --print kdir)
work=$outdir/kbuild
rm -rf "$work"
mkdir -p "$work/uapi"
cp "$srcdir"/Kbuild "$srcdir"/*.c "$srcdir"/*.h "$work/"
cp "$srcdir"/uapi/smaf.h "$work/uapi/"
make -s -j"$(nproc)" -C "$kdir" M="$work" modules
cp "$work/smaf.ko" "$work/smaf_test_secure.ko" "$work/smaf_test_importer.ko" "$outdir/"
