#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fails if the kernel log of this boot holds a kernel report: BUG, WARNING,
# Oops, a lockup, or a slub_debug complaint (the boots run with
# slub_debug=FZPU).
if dmesg | grep -E "BUG|WARNING|Oops|general protection|Call Trace|Poison overwritten|Redzone|Object padding|soft lockup|hung task"; then
	echo "FAIL: the kernel log has a report (above)"
	exit 1
fi
echo "ok: kernel log clean ($(dmesg | grep -c 'contiguous chunk is too small') 'contiguous chunk is too small' from vb2-dma-contig)"
