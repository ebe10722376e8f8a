/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers of the contig_display.ko guest tests. */
#ifndef CD_UTIL_H
#define CD_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define CD_DEBUGFS "/sys/kernel/debug/contig_display"
#define CD_4G (1ull << 32)

/* contig_display's card node (O_RDWR, close-on-exec), path in path if not
 * NULL; exits the program if there is none. */
int cd_open_card(char *path, size_t len);

/* The value of "key: value" in debugfs file name ("stats", "scanout"),
 * copied into val; 0 or -ENOENT. */
int cd_debugfs_get(const char *name, const char *key, char *val, size_t len);
/* A counter of "stats"; exits the program if it is missing. */
long long cd_stat(const char *key);

/* The physical address of the page mapped at addr (from /proc/self/pagemap,
 * needs CAP_SYS_ADMIN), or UINT64_MAX if unknown. */
uint64_t cd_phys(const void *addr);

/* FNV-1a 32 over `lines` lines of `bytes` bytes, `pitch` apart: what
 * debugfs "scanout" reports as planeN_fnv1a32 (README). */
uint32_t cd_fnv1a32(const uint8_t *p, size_t pitch, size_t bytes, unsigned int lines);

/* A dumb buffer: 0 or -errno; *map (if map != NULL) is its mapping. */
int cd_dumb(int fd, uint32_t w, uint32_t h, uint32_t bpp, uint32_t *handle, uint32_t *pitch,
	    uint64_t *size, uint8_t **map);
void cd_dumb_free(int fd, uint32_t handle, uint8_t *map, uint64_t size);

/* A udmabuf whose two pages are the same memfd page (never contiguous),
 * or -errno. */
int cd_scattered_udmabuf(void);

/* Waits up to ms for one page-flip event on fd: 1 received, 0 timeout. */
int cd_wait_flip(int fd, int ms);

#endif
