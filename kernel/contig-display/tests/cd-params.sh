#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Module parameters: bad values refuse the load, good ones show in sysfs
# (dma_bits=30 as a Raspberry Pi 4's display reaches: dma_mask_bits 30).
# Runs after 'unload' (the module must not be loaded). Usage: cd-params.sh KO
ko=$1
fail=0
check() { # check DESCRIPTION CMD...
	d=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok: $d"; else echo "FAIL: $d"; fail=1; fi
}
refused() { ! insmod "$ko" "$@"; }
dev=/sys/devices/platform/contig_display

check "not loaded to begin with" sh -c '! test -e /sys/module/contig_display'
check "dma_bits=16 is refused" refused dma_bits=16
check "dma_bits=65 is refused" refused dma_bits=65
check "max_order above MAX_PAGE_ORDER is refused" refused max_order=99
check "pitch_align=48 (not a power of two) is refused" refused pitch_align=48
check "checksum_lines=0 is refused" refused checksum_lines=0
check "none of that left the module or its device behind" \
	sh -c "! test -e /sys/module/contig_display && ! test -e $dev"
check "dma_bits=30 max_order=2 pitch_align=64 checksum_lines=4 loads" \
	insmod "$ko" dma_bits=30 max_order=2 pitch_align=64 checksum_lines=4
check "dma_mask_bits 30" grep -qx 30 $dev/dma_mask_bits
check "consistent_dma_mask_bits 30" grep -qx 30 $dev/consistent_dma_mask_bits
check "sysfs shows max_order 2" grep -qx 2 /sys/module/contig_display/parameters/max_order
check "sysfs shows pitch_align 64" grep -qx 64 /sys/module/contig_display/parameters/pitch_align
check "rmmod" rmmod contig_display
check "device gone" sh -c "! test -e $dev"
exit $fail
