// SPDX-License-Identifier: GPL-2.0
/*
 * ION_IOC_HEAP_QUERY: count, fill, truncation, reserved fields, and that
 * every heap it names can be allocated from by its id.
 * Usage: ion-heaps --abi legacy|legacy-noquery|modern
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ion-util.h"

static const struct {
	const char *name;
	unsigned int type;
} expected[3] = {
	{ "system", ION_HEAP_TYPE_SYSTEM },
	{ "system-contig", ION_HEAP_TYPE_SYSTEM_CONTIG },
	{ "dma", ION_HEAP_TYPE_DMA },
};

int main(int argc, char **argv)
{
	enum ion_abi abi = parse_abi_arg(argc, argv);
	bool legacy = abi != ABI_MODERN;
	struct ion_heap_data h[4];
	struct ion_heap_query q = { 0 };
	unsigned int ids[3], i, j, id_mask = 0, type_mask = 0;
	long live = ion_live_buffers();
	int ion = ion_open();
	int fd;

	ion_param_heap_ids(ids);
	if (abi == ABI_LEGACY_NOQUERY) {
		check_errno(ioctl(ion, ION_IOC_HEAP_QUERY, &q), ENOTTY, "HEAP_QUERY before 4.10");
		/* Userspace of that era knows ids by convention only. */
		for (i = 0; i < 3; i++)
			check_errno(ion_alloc_fd(ion, true, 4096, 1u << ids[i], 0, &fd) < 0 ? -1 :
				    close(fd), 0, expected[i].name);
		close(ion);
		return vm_exit_status();
	}

	check_errno(ioctl(ion, ION_IOC_HEAP_QUERY, &q), 0, "HEAP_QUERY with heaps = 0");
	vm_check(q.cnt == 3, "it counts %u heaps, heap_ids names 3", q.cnt);

	memset(h, 0xa5, sizeof(h));
	q = (struct ion_heap_query){ .cnt = 4, .heaps = (uintptr_t)h };
	check_errno(ioctl(ion, ION_IOC_HEAP_QUERY, &q), 0, "HEAP_QUERY with room for 4");
	vm_check(q.cnt == 3, "it fills %u", q.cnt);
	vm_check(h[3].type == 0xa5a5a5a5, "the entry after the last is untouched");
	for (i = 0; i < 3 && i < q.cnt; i++) {
		vm_check(memchr(h[i].name, 0, MAX_HEAP_NAME) != NULL, "heap %u: name is terminated", i);
		vm_check(!h[i].reserved0 && !h[i].reserved1 && !h[i].reserved2,
		      "heap %u: reserved fields are zeroed", i);
		vm_check(h[i].heap_id < ION_NUM_HEAP_IDS, "heap %u: id %u < 32", i, h[i].heap_id);
		for (j = 0; j < i; j++) {
			vm_check(strcmp(h[i].name, h[j].name), "heaps %u and %u: names differ", j, i);
			vm_check(h[i].heap_id != h[j].heap_id, "heaps %u and %u: ids differ", j, i);
		}
		vm_note("heap '%.32s' id %u type %u", h[i].name, h[i].heap_id, h[i].type);
	}
	for (i = 0; i < 3; i++) {
		for (j = 0; j < q.cnt; j++)
			if (!strcmp(h[j].name, expected[i].name))
				break;
		if (!vm_check(j < q.cnt, "heap '%s' is listed", expected[i].name))
			continue;
		vm_check(h[j].type == expected[i].type, "'%s' has type %u (got %u)",
		      expected[i].name, expected[i].type, h[j].type);
		vm_check(h[j].heap_id == ids[i], "'%s' has id %u as heap_ids says (got %u)",
		      expected[i].name, ids[i], h[j].heap_id);
		id_mask |= 1u << h[j].heap_id;
		type_mask |= 1u << h[j].type;
		check_errno(ion_alloc_fd(ion, legacy, 4096, 1u << h[j].heap_id, 0, &fd) < 0 ? -1 :
			    close(fd), 0, "allocating one page by its id");
	}

	/* A mask built from types only works where ids happen to equal them. */
	check_errno(ion_alloc_fd(ion, legacy, 4096, type_mask, 0, &fd) < 0 ? -1 : close(fd),
		    (type_mask & id_mask) ? 0 : ENODEV, "a mask of heap types");
	check_errno(ion_alloc_fd(ion, legacy, 4096, ~id_mask, 0, &fd) < 0 ? -1 : close(fd),
		    ENODEV, "a mask naming no heap");
	check_errno(ion_alloc_fd(ion, legacy, 4096, 0, 0, &fd) < 0 ? -1 : close(fd),
		    ENODEV, "an empty mask");

	memset(h, 0xa5, sizeof(h));
	q = (struct ion_heap_query){ .cnt = 1, .heaps = (uintptr_t)h };
	check_errno(ioctl(ion, ION_IOC_HEAP_QUERY, &q), 0, "HEAP_QUERY with room for 1");
	vm_check(q.cnt == 1 && h[1].type == 0xa5a5a5a5, "it fills 1 (cnt %u) and no more", q.cnt);

	q = (struct ion_heap_query){ .cnt = 0, .heaps = (uintptr_t)h };
	check_errno(ioctl(ion, ION_IOC_HEAP_QUERY, &q), EINVAL, "an array of 0 entries");
	q = (struct ion_heap_query){ .reserved0 = 1 };
	check_errno(ioctl(ion, ION_IOC_HEAP_QUERY, &q), EINVAL, "reserved0 set");
	q = (struct ion_heap_query){ .reserved1 = 1 };
	check_errno(ioctl(ion, ION_IOC_HEAP_QUERY, &q), EINVAL, "reserved1 set");
	q = (struct ion_heap_query){ .cnt = 3, .heaps = (uintptr_t)h, .reserved2 = 1 };
	check_errno(ioctl(ion, ION_IOC_HEAP_QUERY, &q), EINVAL, "reserved2 set");
	q = (struct ion_heap_query){ .cnt = 3, .heaps = 8 };
	check_errno(ioctl(ion, ION_IOC_HEAP_QUERY, &q), EFAULT, "heaps pointing nowhere");
	check_errno(ioctl(ion, ION_IOC_HEAP_QUERY, (void *)8), EFAULT, "argument pointing nowhere");

	vm_check(ion_live_buffers() == live, "no buffer left behind (%ld live, %ld before)",
	      ion_live_buffers(), live);
	close(ion);
	return vm_exit_status();
}
