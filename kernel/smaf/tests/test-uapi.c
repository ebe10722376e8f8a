// SPDX-License-Identifier: GPL-2.0
/*
 * uapi: SMAF v10 wire compatibility, GET_INFO enumeration, argument
 * checking, and "create allocates nothing".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "smaf-test.h"

/* filled before each check that prints fields of struct smaf_buffer_info */
static bool got;

/* SMAF v8-v10 layout and numbers (x86-64, generic _IOC encoding) */
_Static_assert(sizeof(struct smaf_create_data) == 128, "create size");
_Static_assert(sizeof(struct smaf_secure_flag) == 64, "secure size");
_Static_assert(sizeof(struct smaf_info) == 128, "info size");
_Static_assert(sizeof(struct smaf_buffer_info) == 256, "buffer info size");
_Static_assert(SMAF_IOC_CREATE == 0xc0805300, "CREATE");
_Static_assert(SMAF_IOC_GET_SECURE_FLAG == 0xc0405301, "GET_SECURE_FLAG");
_Static_assert(SMAF_IOC_SET_SECURE_FLAG == 0xc0405302, "SET_SECURE_FLAG");
_Static_assert(SMAF_IOC_GET_INFO == 0xc0805303, "GET_INFO");
_Static_assert(SMAF_IOC_GET_BUFFER_INFO == 0xc1005304, "GET_BUFFER_INFO (extension)");

static int errno_of(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? errno : 0;
}

static void test_get_info(int smaf)
{
	struct smaf_info info;
	unsigned int i, count, last_rank = ~0u;
	bool page = false, contig = false;

	memset(&info, 0, sizeof(info));
	vm_check(!errno_of(smaf, SMAF_IOC_GET_INFO, &info),
		 "GET_INFO index 0 succeeds");
	count = info.count;
	vm_check(count >= 2, "GET_INFO count %u >= 2", count);
	for (i = 0; i < count; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		if (!vm_check(!errno_of(smaf, SMAF_IOC_GET_INFO, &info),
			      "GET_INFO index %u", i))
			continue;
		vm_note("allocator %u: %s ranking %u", i, info.name, info.ranking);
		vm_check(info.ranking <= last_rank, "listed by decreasing ranking");
		last_rank = info.ranking;
		page |= !strcmp((char *)info.name, "smaf-page");
		contig |= !strcmp((char *)info.name, "smaf-contig");
	}
	vm_check(page && contig, "smaf-page and smaf-contig are listed");
	memset(&info, 0, sizeof(info));
	info.index = count;
	vm_check(errno_of(smaf, SMAF_IOC_GET_INFO, &info) == EINVAL,
		 "GET_INFO index == count: EINVAL");
	memset(&info, 0, sizeof(info));
	info.version = 1;
	vm_check(errno_of(smaf, SMAF_IOC_GET_INFO, &info) == EINVAL,
		 "GET_INFO version 1: EINVAL");
}

static void test_create_args(int smaf)
{
	struct smaf_create_data d;
	struct smaf_secure_flag s;
	struct smaf_buffer_info bi;
	int fd, heap;

	memset(&d, 0, sizeof(d));
	d.length = 4096;
	d.version = 1;
	vm_check(errno_of(smaf, SMAF_IOC_CREATE, &d) == EINVAL, "CREATE version 1: EINVAL");
	d.version = 0;
	d.flags = O_APPEND;
	vm_check(errno_of(smaf, SMAF_IOC_CREATE, &d) == EINVAL, "CREATE flags O_APPEND: EINVAL");
	d.flags = SMAF_RDWR;
	d.length = 0;
	vm_check(errno_of(smaf, SMAF_IOC_CREATE, &d) == EINVAL, "CREATE length 0: EINVAL");
	d.length = 1ULL << 50;
	vm_check(errno_of(smaf, SMAF_IOC_CREATE, &d) == EINVAL,
		 "CREATE length 1 PiB (more than RAM): EINVAL");
	d.length = 4096;
	memset(d.name, 'x', sizeof(d.name));
	vm_check(errno_of(smaf, SMAF_IOC_CREATE, &d) == EINVAL,
		 "CREATE name without NUL: EINVAL");
	vm_check(smaf_create(smaf, 4096, SMAF_RDWR, "no-such-allocator", &fd) == -EINVAL,
		 "CREATE unknown allocator name: EINVAL");
	vm_check(errno_of(smaf, _IOWR('S', 42, struct smaf_info), &d) == ENOTTY,
		 "unknown ioctl number: ENOTTY");

	/* v10 reserved fields are ignored, as v10 did */
	memset(&d, 0, sizeof(d));
	d.length = 4096;
	d.flags = SMAF_RDWR | SMAF_CLOEXEC;
	d.reserved1 = 0xdead;
	d.reserved3[0] = 1;
	if (vm_check(!errno_of(smaf, SMAF_IOC_CREATE, &d) && d.fd >= 0,
		     "CREATE with non-zero v10 reserved fields succeeds (fd %d)", d.fd)) {
		vm_check(fcntl(d.fd, F_GETFD) & FD_CLOEXEC, "SMAF_CLOEXEC sets FD_CLOEXEC");
		vm_check((fcntl(d.fd, F_GETFL) & O_ACCMODE) == O_RDWR, "SMAF_RDWR gives an O_RDWR fd");
		vm_check(lseek(d.fd, 0, SEEK_END) == 4096, "dma-buf size is 4096");

		memset(&s, 0, sizeof(s));
		s.fd = d.fd;
		s.version = 1;
		vm_check(errno_of(smaf, SMAF_IOC_GET_SECURE_FLAG, &s) == EINVAL,
			 "GET_SECURE_FLAG version 1: EINVAL");
		s.version = 0;
		vm_check(!errno_of(smaf, SMAF_IOC_GET_SECURE_FLAG, &s) && s.secure == 0,
			 "new buffer is not secure");
		memset(&bi, 0, sizeof(bi));
		bi.fd = d.fd;
		bi.reserved1 = 1;
		vm_check(errno_of(smaf, SMAF_IOC_GET_BUFFER_INFO, &bi) == EINVAL,
			 "GET_BUFFER_INFO with reserved1 != 0: EINVAL");
		close(d.fd);
	}

	/* a read-only buffer cannot be mapped writable */
	if (vm_check(!smaf_create(smaf, 4096, 0, NULL, &fd), "CREATE read-only")) {
		vm_check(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
			 errno == EACCES, "PROT_WRITE mmap of a read-only fd: EACCES");
		close(fd);
	}

	/* fds that are not SMAF buffers */
	memset(&s, 0, sizeof(s));
	s.fd = smaf;
	vm_check(errno_of(smaf, SMAF_IOC_GET_SECURE_FLAG, &s) == EINVAL,
		 "GET_SECURE_FLAG on /dev/smaf's own fd: EINVAL");
	s.fd = 1000;
	vm_check(errno_of(smaf, SMAF_IOC_GET_SECURE_FLAG, &s) == EINVAL,
		 "GET_SECURE_FLAG on a closed fd: EINVAL");
	heap = tl_heap_alloc(4096);
	if (heap >= 0) {
		s.fd = heap;
		vm_check(errno_of(smaf, SMAF_IOC_GET_SECURE_FLAG, &s) == EINVAL,
			 "GET_SECURE_FLAG on a system-heap dma-buf: EINVAL");
		vm_check(smaf_info(smaf, heap, &bi) == -EINVAL,
			 "GET_BUFFER_INFO on a system-heap dma-buf: EINVAL");
		close(heap);
	}
}

static void test_create_allocates_nothing(int smaf)
{
	const uint64_t len = 64ull << 20;
	struct smaf_buffer_info bi;
	long long avail0, avail1, avail2, bytes0;
	void *p;
	int fd;

	bytes0 = smaf_stat("smaf-page", "live_bytes");
	avail0 = tl_meminfo_settled_kib("MemAvailable", 1024);
	if (!vm_check(!smaf_create(smaf, len, SMAF_RDWR, NULL, &fd), "CREATE 64 MiB"))
		return;
	avail1 = tl_meminfo_settled_kib("MemAvailable", 1024);
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got, "GET_BUFFER_INFO");
	vm_check(!(bi.flags & SMAF_BUFFER_ALLOCATED) && bi.allocator[0] == 0 &&
		 bi.segments == 0, "after create: not allocated, no allocator (flags %#x)",
		 bi.flags);
	vm_check(bi.length == len, "length %llu", (unsigned long long)bi.length);
	vm_check(smaf_stat("smaf-page", "live_bytes") == bytes0 &&
		 smaf_stat("smaf-contig", "live_bytes") == 0,
		 "debugfs live_bytes unchanged by create");
	vm_check(avail0 - avail1 < 8 * 1024,
		 "MemAvailable dropped by %lld KiB (< 8 MiB) at create", avail0 - avail1);

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (vm_check(p != MAP_FAILED, "mmap 64 MiB")) {
		avail2 = tl_meminfo_kib("MemAvailable");
		vm_check(avail1 - avail2 >= 60 * 1024,
			 "MemAvailable dropped by %lld KiB (>= 60 MiB) once mapped",
			 avail1 - avail2);
		vm_check(smaf_stat("smaf-page", "live_bytes") == bytes0 + (long long)len,
			 "debugfs smaf-page live_bytes grew by 64 MiB");
		munmap(p, len);
	}
	close(fd);
	vm_check(smaf_stat("smaf-page", "live_bytes") == bytes0,
		 "live_bytes back after close");
}

int main(void)
{
	long long live0 = smaf_stat(NULL, "live_buffers");
	int smaf = smaf_open();

	test_get_info(smaf);
	test_create_args(smaf);
	test_create_allocates_nothing(smaf);
	close(smaf);
	smaf_check_no_leak(live0);
	return vm_exit_status();
}
