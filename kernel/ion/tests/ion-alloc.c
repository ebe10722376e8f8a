// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation through either ABI: sizes, fd flags, the legacy handle rules
 * (ALLOC, SHARE, MAP, IMPORT, FREE), size limits, 1000 cycles without
 * growth, and that nothing stays allocated.
 * Usage: ion-alloc --abi legacy|legacy-noquery|modern
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ion-util.h"

static const char *const heap_names[3] = { "system", "system-contig", "dma" };
static unsigned int ids[3];
static long page_size;

static void check_fd(int fd, uint64_t len, const char *what)
{
	long long want = (len + page_size - 1) / page_size * page_size;
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);

	vm_check(dmabuf_size(fd) == want, "%s: dma-buf of %lld bytes (want %lld)", what,
	      dmabuf_size(fd), want);
	vm_check(fl >= 0 && (fl & O_ACCMODE) == O_RDWR, "%s: fd is O_RDWR", what);
	vm_check(fdfl >= 0 && (fdfl & FD_CLOEXEC), "%s: fd is close-on-exec", what);
}

static void sizes(int ion, bool legacy)
{
	static const uint64_t lens[] = { 1, 4096, 5000, 12288, (1 << 20) + 1 };
	static const unsigned int flags[] = { 0, ION_FLAG_CACHED };
	char what[96];
	unsigned int h, l, f;
	int fd;

	for (h = 0; h < 3; h++)
		for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
			for (f = 0; f < 2; f++) {
				snprintf(what, sizeof(what), "%s %llu bytes%s", heap_names[h],
					 (unsigned long long)lens[l], flags[f] ? " cached" : "");
				if (!check_errno(ion_alloc_fd(ion, legacy, lens[l], 1u << ids[h],
							      flags[f], &fd), 0, what))
					continue;
				check_fd(fd, lens[l], what);
				close(fd);
			}
}

static void limits(int ion, bool legacy)
{
	char buf[32];
	uint64_t max;
	double t;
	int fd;

	if (!ion_param("contig_max_order", buf, sizeof(buf)))
		vm_fatal("no contig_max_order parameter");
	max = (uint64_t)page_size << atoi(buf);
	for (int h = 1; h < 3; h++) {
		char what[96];

		snprintf(what, sizeof(what), "%s at its limit (%llu bytes)", heap_names[h],
			 (unsigned long long)max);
		if (check_errno(ion_alloc_fd(ion, legacy, max, 1u << ids[h], 0, &fd), 0, what))
			close(fd);
		snprintf(what, sizeof(what), "%s one byte past its limit", heap_names[h]);
		check_errno(ion_alloc_fd(ion, legacy, max + 1, 1u << ids[h], 0, &fd), ENOMEM, what);
	}
	/* A mask with both: the one that can takes it. */
	if (check_errno(ion_alloc_fd(ion, legacy, max + 1, (1u << ids[0]) | (1u << ids[1]), 0, &fd),
			0, "past the contiguous limit, system-contig|system"))
		close(fd);

	t = tl_now();
	if (check_errno(ion_alloc_fd(ion, legacy, 256 << 20, 1u << ids[0], ION_FLAG_CACHED, &fd),
			0, "system 256 MiB cached")) {
		vm_note("256 MiB cached system buffer allocated in %.3f s", tl_now() - t);
		check_fd(fd, 256 << 20, "256 MiB");
		t = tl_now();
		close(fd);
		vm_note("and freed in %.3f s", tl_now() - t);
	}
	t = tl_now();
	if (check_errno(ion_alloc_fd(ion, legacy, 64 << 20, 1u << ids[0], 0, &fd),
			0, "system 64 MiB uncached")) {
		vm_note("64 MiB uncached (write-combined) system buffer allocated in %.3f s",
		     tl_now() - t);
		close(fd);
	}
}

static void cycles(int ion, bool legacy)
{
	int fds = tl_fd_count(), i, fd;
	long live = ion_live_buffers();
	double t = tl_now();
	bool ok = true;

	for (i = 0; i < 1000 && ok; i++) {
		ok = ion_alloc_fd(ion, legacy, 65536, 1u << ids[i % 3], i & 1 ? ION_FLAG_CACHED : 0,
				  &fd) == 0;
		if (ok)
			close(fd);
	}
	vm_check(ok, "1000 allocate/free cycles (stopped at %d: %s)", i, ok ? "-" : strerror(errno));
	vm_note("1000 cycles of 64 KiB in %.3f s", tl_now() - t);
	vm_check_fds(fds, "1000 cycles");
	vm_check(ion_live_buffers() == live, "live buffers: %ld before, %ld after", live,
	      ion_live_buffers());
}

static void legacy_handles(int ion)
{
	ion_user_handle_t h, h2, h3;
	long live = ion_live_buffers();
	int fd1, fd2, fd3, other;

	if (!check_errno(ion_legacy_alloc(ion, 8192, 0, 1u << ids[0], 0, &h), 0, "ALLOC"))
		return;
	vm_check(h > 0, "handle %d is positive", h);
	vm_check(ion_live_buffers() == live + 1, "one more live buffer");
	check_errno(ion_legacy_share(ion, ION_IOC_SHARE, h, &fd1), 0, "SHARE");
	check_errno(ion_legacy_share(ion, ION_IOC_MAP, h, &fd2), 0, "MAP");
	vm_check(fd1 != fd2, "SHARE and MAP give two fds");
	check_fd(fd1, 8192, "shared fd");
	check_fd(fd2, 8192, "mapped fd");

	check_errno(ion_legacy_import(ion, fd2, &h2), 0, "IMPORT of our own fd");
	vm_check(h2 == h, "IMPORT gives the same handle (%d, %d)", h2, h);
	check_errno(ion_legacy_free(ion, h), 0, "FREE (1 of 2)");
	check_errno(ion_legacy_share(ion, ION_IOC_SHARE, h, &fd3) < 0 ? -1 : close(fd3), 0,
		    "SHARE after one FREE: the import holds it");
	check_errno(ion_legacy_free(ion, h), 0, "FREE (2 of 2)");
	check_errno(ion_legacy_share(ion, ION_IOC_SHARE, h, &fd3), EINVAL, "SHARE after the last FREE");
	check_errno(ion_legacy_free(ion, h), EINVAL, "FREE once more");
	vm_check(ion_live_buffers() == live + 1, "the fds keep the buffer");
	close(fd1);

	/* Another client gets a handle of its own. */
	other = ion_open();
	check_errno(ion_legacy_import(other, fd2, &h3), 0, "IMPORT in a second client");
	check_errno(ion_legacy_import(ion, fd2, &h2), 0, "IMPORT again in the first");
	vm_check(h2 != h, "a handle once freed is not handed out again (%d, %d)", h2, h);
	close(fd2);
	/* The fd is gone, the handles hold the buffer. */
	vm_check(ion_live_buffers() == live + 1, "the handles keep the buffer");
	check_errno(ion_legacy_share(other, ION_IOC_SHARE, h3, &fd1), 0, "SHARE from the second");
	check_errno(ion_legacy_free(other, h3), 0, "FREE in the second");
	check_errno(ion_legacy_free(other, h2 == h3 ? -1 : h2), EINVAL,
		    "a handle of the first client means nothing in the second");
	close(fd1);
	close(other);
	vm_check(ion_live_buffers() == live + 1, "the first client's handle keeps it");
	check_errno(ion_legacy_free(ion, h2), 0, "FREE of the last handle");
	vm_check(ion_live_buffers() == live, "and the buffer is gone");

	/* Closing /dev/ion drops what its handles held. */
	other = ion_open();
	check_errno(ion_legacy_alloc(other, 4096, 0, 1u << ids[1], 0, &h), 0, "ALLOC, never freed");
	check_errno(ion_legacy_alloc(other, 4096, 4096, 1u << ids[2], 0, &h), 0,
		    "ALLOC with align 4096, never freed");
	vm_check(ion_live_buffers() == live + 2, "two live");
	close(other);
	vm_check(ion_live_buffers() == live, "none after close of /dev/ion");
}

int main(int argc, char **argv)
{
	enum ion_abi abi = parse_abi_arg(argc, argv);
	bool legacy = abi != ABI_MODERN;
	long live = ion_live_buffers();
	int fds = tl_fd_count();
	int ion = ion_open();

	page_size = sysconf(_SC_PAGESIZE);
	if (!vm_check(live >= 0, "debugfs statistics readable"))
		return vm_exit_status();
	ion_param_heap_ids(ids);
	sizes(ion, legacy);
	limits(ion, legacy);
	cycles(ion, legacy);
	if (legacy)
		legacy_handles(ion);
	close(ion);
	vm_check(ion_live_buffers() == live, "no buffer left behind (%ld live, %ld before)",
	      ion_live_buffers(), live);
	vm_check_fds(fds, "ion-alloc");
	return vm_exit_status();
}
