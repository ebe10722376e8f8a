#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Module parameters: bad values refuse the load, good ones show in sysfs.
# Runs after 'unload' (the module must not be loaded). Usage: ion-params.sh KO
ko=$1
fail=0
check() { # check DESCRIPTION CMD...
	d=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok: $d"; else echo "FAIL: $d"; fail=1; fi
}
refused() { ! insmod "$ko" "$@"; }
loaded() { [ -e /sys/module/ion_test ]; }

check "not loaded to begin with" sh -c '! test -e /sys/module/ion_test'
check "abi=bogus is refused" refused abi=bogus
check "heap_ids=1,1,2 (twice the same) is refused" refused heap_ids=1,1,2
check "heap_ids=0,1,32 (too large) is refused" refused heap_ids=0,1,32
check "contig_max_order above MAX_PAGE_ORDER is refused" refused contig_max_order=99
check "dma_budget=4097 (not whole pages) is refused" refused dma_budget=4097
check "dma_budget=1X (no such suffix) is refused" refused dma_budget=1X
check "dma_used=0 (a figure, not a setting) is refused" refused dma_used=0
check "none of that left the module loaded" sh -c '! test -e /sys/module/ion_test'
check "abi=legacy heap_ids=3,4,5 contig_max_order=2 loads" insmod "$ko" abi=legacy heap_ids=3,4,5 contig_max_order=2
check "sysfs shows abi legacy" grep -qx legacy /sys/module/ion_test/parameters/abi
check "sysfs shows heap_ids 3,4,5" grep -qx 3,4,5 /sys/module/ion_test/parameters/heap_ids
check "debugfs shows the 16 KiB limit" grep -q "^4 1 system-contig 0 0 16384$" /sys/kernel/debug/ion_test/heaps
check "dma_budget is 0 (no limit) by default" grep -qx 0 /sys/module/ion_test/parameters/dma_budget
check "dma_used is 0" grep -qx 0 /sys/module/ion_test/parameters/dma_used
check "rmmod" rmmod ion_test
check "dma_budget=64K loads" insmod "$ko" dma_budget=64K
check "sysfs shows dma_budget 65536" grep -qx 65536 /sys/module/ion_test/parameters/dma_budget
check "rmmod" rmmod ion_test
exit $fail
