#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fails if the kernel log of this boot holds a kernel report (BUG, WARNING,
# Oops, a lockup), a PAT conflict (a user mapping whose caching the linear
# map contradicts) or a swiotlb overflow.
if dmesg | grep -E "BUG|WARNING|Oops|general protection|Call Trace|soft lockup|hung task|x86/PAT: .*(conflict|req)|swiotlb buffer is full"; then
	echo "FAIL: the kernel log has a report (above)"
	exit 1
fi
echo "ok: kernel log clean"
