// SPDX-License-Identifier: GPL-2.0
/*
 * ABI detection the way libion does it, and which ioctl numbers each ABI
 * knows. Usage: ion-abi --abi legacy|legacy-noquery|modern
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ion-util.h"

/* The numbers the kernel headers give, computed from the structs (LP64); README.md lists them. */
#if __SIZEOF_POINTER__ == 8
_Static_assert(ION_IOC_LEGACY_ALLOC == 0xc0204900, "legacy ALLOC");
_Static_assert(ION_IOC_CUSTOM == 0xc0104906, "CUSTOM");
#endif
_Static_assert(ION_IOC_NEW_ALLOC == 0xc0184900, "new ALLOC");
_Static_assert(ION_IOC_FREE == 0xc0044901, "FREE");
_Static_assert(ION_IOC_MAP == 0xc0084902, "MAP");
_Static_assert(ION_IOC_SHARE == 0xc0084904, "SHARE");
_Static_assert(ION_IOC_IMPORT == 0xc0084905, "IMPORT");
_Static_assert(ION_IOC_SYNC == 0xc0084907, "SYNC");
_Static_assert(ION_IOC_HEAP_QUERY == 0xc0184908, "HEAP_QUERY");

struct big { char b[64]; };

int main(int argc, char **argv)
{
	enum ion_abi abi = parse_abi_arg(argc, argv);
	bool legacy = abi != ABI_MODERN;
	int ion = ion_open();
	struct ion_legacy_allocation_data la = { .len = 4096, .heap_id_mask = ~0u };
	struct ion_new_allocation_data na = { .len = 4096, .heap_id_mask = ~0u };
	struct ion_handle_data hd = { .handle = 0 };
	struct ion_custom_data cd = { 0 };
	struct ion_fd_data fdd = { .fd = -1 };
	struct ion_heap_query q = { 0 };
	struct big big = { 0 };
	long live = ion_live_buffers();

	check(ion_is_legacy(ion) == legacy, "libion's probe says %s, module runs %s",
	      ion_is_legacy(ion) ? "legacy" : "modern", abi_name(abi));
	/* A second probe must not change anything either. */
	check(ion_is_legacy(ion) == legacy, "probe is repeatable");

	check_errno(ioctl(ion, ION_IOC_FREE, &hd), legacy ? EINVAL : ENOTTY, "FREE of handle 0");
	check_errno(ioctl(ion, ION_IOC_CUSTOM, &cd), ENOTTY, "CUSTOM (no platform handler)");
	check_errno(ioctl(ion, _IOWR(ION_IOC_MAGIC, 3, struct ion_fd_data), &fdd), ENOTTY,
		    "unused nr 3");
	check_errno(ioctl(ion, _IOWR(ION_IOC_MAGIC, 9, struct big), &big), EINVAL,
		    "an argument larger than any of the ABI's");
	check_errno(ioctl(ion, _IOWR('J', 0, struct ion_heap_query), &q), ENOTTY,
		    "another magic");

	if (legacy) {
		check_errno(ioctl(ion, ION_IOC_NEW_ALLOC, &na), ENOTTY, "new-ABI ALLOC on legacy");
		check_errno(ioctl(ion, ION_IOC_HEAP_QUERY, &q),
			    abi == ABI_LEGACY ? 0 : ENOTTY, "HEAP_QUERY on legacy");
	} else {
		/* 32 bytes: larger than any new-ABI argument, refused before the number. */
		check_errno(ioctl(ion, ION_IOC_LEGACY_ALLOC, &la), EINVAL, "legacy ALLOC on modern");
		check_errno(ioctl(ion, ION_IOC_SHARE, &fdd), ENOTTY, "SHARE on modern");
		check_errno(ioctl(ion, ION_IOC_MAP, &fdd), ENOTTY, "MAP on modern");
		check_errno(ioctl(ion, ION_IOC_IMPORT, &fdd), ENOTTY, "IMPORT on modern");
		check_errno(ioctl(ion, ION_IOC_SYNC, &fdd), ENOTTY, "SYNC on modern");
		check_errno(ioctl(ion, ION_IOC_HEAP_QUERY, &q), 0, "HEAP_QUERY on modern");
	}
	check(ion_live_buffers() == live, "no buffer left behind (%ld live)", ion_live_buffers());
	close(ion);
	return exit_status();
}
