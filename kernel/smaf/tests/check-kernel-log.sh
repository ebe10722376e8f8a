#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs last in the guest: prints SMAF's own log lines and fails if the
# kernel logged a bug. The Debian kernel has DEBUG_LIST, SLUB_DEBUG (on
# with slub_debug=FZPU), KFENCE and HARDENED_USERCOPY.
#
# One warning is expected: the dma-buf core WARN_ON_ONCE()s in
# dma_buf_vmap() when an exporter refuses a vmap (drivers/dma-buf/dma-buf.c),
# and refusing vmap of secure buffers is what SMAF must do (test 'secure').
log=$(dmesg) || exit 1
# a wrapped ring buffer would hide early reports: the boot banner must be there
if ! echo "$log" | grep -q 'Linux version'; then
	echo "kernel log wrapped: the boot messages are gone, reports may be lost"
	exit 1
fi
echo "$log" | grep -E 'smaf' | grep -v 'from smaf-' | tail -n 40
echo "smaf allocations logged: $(echo "$log" | grep -c 'from smaf-')"
echo "$log" | grep -E 'kfence: initialized|Kernel command line' | sed 's/^/debug aids: /'
bad=$(echo "$log" | grep -E 'WARNING:|BUG:|Oops|general protection|list_add corruption|list_del corruption|refcount_t:|KFENCE:|Poison overwritten|Redzone|Object padding|usercopy: Kernel memory|INFO: task|lockdep|possible recursive locking|circular locking' |
	grep -v -E 'WARNING: CPU: [0-9]+ PID: [0-9]+ at drivers/dma-buf/dma-buf.c:[0-9]+ dma_buf_vmap\+')
expected=$(echo "$log" | grep -c -E 'at drivers/dma-buf/dma-buf.c:[0-9]+ dma_buf_vmap\+')
echo "expected dma_buf_vmap refusal warnings: $expected"
if [ -n "$bad" ]; then
	echo "kernel log reports problems:"
	echo "$bad"
	echo "$log" | grep -B2 -A25 -F "$(echo "$bad" | head -n 1)"
	exit 1
fi
echo "kernel log clean"
