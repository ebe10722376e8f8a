#!/bin/sh
# SPDX-License-Identifier: MIT
# alloc-info shows how each heap was classified and ranked: the heap nodes
# as devices of backend ion ('list'), and every heap path with its rank,
# caching, contiguity and reason in a negotiation of a saved vgem capability
# set used for sampling and CPU writes ('negotiate', offline set).
# Usage: alloc-info.sh ION-BACKEND-HEAPS ALLOC-INFO
set -eu
heaps=$1
info=$2
set_file=${TMPDIR:-/tmp}/ion-vgem-capset.json
fail=0

"$heaps" --save-vgem "$set_file"
list=$("$info" list)
echo "$list"
negotiation=$("$info" negotiate "$set_file:sample,cpu-write" --size 64x64)
echo "$negotiation"

expect() { # WHAT TEXT PATTERN
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		echo "ok: $1"
	else
		echo "FAIL: $1 (no line matching '$3')"
		fail=1
	fi
}
for h in /dev/dma_heap/*; do
	[ -e "$h" ] || continue
	expect "list shows $h" "$list" "$h"
	name=${h#/dev/dma_heap/}
	expect "negotiate ranks dma-heap:$name" "$negotiation" "dma-heap:$name +yes +rank [0-9]+"
done
[ -e /dev/udmabuf ] && expect "udmabuf first for a CPU producer, with why" "$negotiation" \
	" 1\. udmabuf +yes +rank 510 .*\+40: the CPU writes and no device does"
expect "dma-heap:system classified" "$negotiation" "dma-heap:system +yes +rank 500 +cached:.*system heap"
if [ -e /dev/ion ]; then
	expect "list shows /dev/ion" "$list" "/dev/ion"
	expect "ION contiguous heap classified" "$negotiation" "ion:system-contig +yes +rank [0-9]+ +cached, contiguous"
else
	expect "CMA stand-in explains" "$negotiation" "dma-heap:cma +no .*no contiguous heap"
fi
exit $fail
