/* udmabuf: a memfd turned into a dma-buf shares its pages. Written through
 * the memfd mapping, read through the dma-buf mapping. The kernel insists
 * on F_SEAL_SHRINK (the pages must not go away under a device), so a memfd
 * without it is refused with EINVAL; drivers/dma-buf/udmabuf.c. */
#include "testlib.h"
#include "vmtest.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIZE (1u << 20)

static int make_memfd(bool seal)
{
	int fd = memfd_create("vm-udmabuf", MFD_ALLOW_SEALING | MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, SIZE) != 0)
		vm_fatal("memfd of %u bytes: %s", SIZE, strerror(errno));
	if (seal && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) != 0)
		vm_fatal("F_ADD_SEALS F_SEAL_SHRINK: %s", strerror(errno));
	return fd;
}

static int create(int dev, int memfd)
{
	struct udmabuf_create c = {
		.memfd = (uint32_t)memfd,
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.offset = 0,
		.size = SIZE,
	};

	return ioctl(dev, UDMABUF_CREATE, &c);
}

int main(void)
{
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	int memfd, buf, ret;
	uint8_t *w, *r;
	size_t i, bad = 0;

	if (dev < 0)
		vm_fatal("open /dev/udmabuf: %s", strerror(errno));

	memfd = make_memfd(false);
	ret = create(dev, memfd);
	vm_check(ret < 0 && errno == EINVAL, "unsealed memfd refused with EINVAL (got %s)",
		 ret < 0 ? strerror(errno) : "a dma-buf");
	if (ret >= 0)
		close(ret);
	close(memfd);

	memfd = make_memfd(true);
	buf = create(dev, memfd);
	if (buf < 0)
		vm_fatal("UDMABUF_CREATE: %s", strerror(errno));
	vm_check(true, "UDMABUF_CREATE gave dma-buf fd %d", buf);
	vm_check(lseek(buf, 0, SEEK_END) == SIZE, "dma-buf size is %u", SIZE);

	w = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	r = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, buf, 0);
	if (w == MAP_FAILED || r == MAP_FAILED)
		vm_fatal("mmap memfd/dma-buf: %s", strerror(errno));
	for (i = 0; i < SIZE; i++)
		w[i] = (uint8_t)(i * 7 + (i >> 12));

	vm_check(tl_dmabuf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0, "SYNC_START|READ");
	for (i = 0; i < SIZE; i++)
		bad += r[i] != (uint8_t)(i * 7 + (i >> 12));
	vm_check(tl_dmabuf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0, "SYNC_END|READ");
	vm_check(bad == 0, "%zu of %u bytes written through the memfd differ in the dma-buf", bad, SIZE);

	munmap(w, SIZE);
	munmap(r, SIZE);
	close(buf);
	close(memfd);
	close(dev);
	return vm_exit_status();
}
