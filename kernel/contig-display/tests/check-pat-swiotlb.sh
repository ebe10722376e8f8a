#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What vm-run's own kernel-log check (reports, modules left in use) does
# not look for: a PAT conflict (a user mapping whose caching the linear map
# contradicts: x86/PAT downgrades it with a line, no report) and a swiotlb
# overflow (a bounce that did not fit).
if dmesg | grep -E "x86/PAT: .*(conflict|req)|swiotlb buffer is full"; then
	echo "FAIL: the kernel log has the lines above"
	exit 1
fi
echo "ok: no PAT conflict, no swiotlb overflow in the kernel log"
