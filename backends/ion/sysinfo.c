/* SPDX-License-Identifier: MIT */
/* Small readers of /proc and /sys the heaps' limits come from. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "heap.h"

/* "CmaTotal:  65536 kB" -> bytes. Absent field (kernel without CMA): false. */
bool meminfo_read(const char *field, uint64_t *bytes)
{
	FILE *f = fopen("/proc/meminfo", "re");
	size_t flen = strlen(field);
	char line[128];
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		uint64_t kb;
		if (strncmp(line, field, flen) != 0 || line[flen] != ':')
			continue;
		if (sscanf(line + flen + 1, "%" SCNu64, &kb) == 1 && kb <= UINT64_MAX / 1024) {
			*bytes = kb * 1024;
			found = true;
		}
		break;
	}
	fclose(f);
	return found;
}

bool sysfs_read_u64(const char *path, uint64_t *value)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%" SCNu64, value) == 1;
	fclose(f);
	return ok;
}

const char *human_size(uint64_t b, char *buf, size_t len)
{
	if (b >= (UINT64_C(1) << 30) && b % (UINT64_C(1) << 20) == 0)
		snprintf(buf, len, "%.1f GiB", (double)b / (1 << 30));
	else if (b >= (UINT64_C(1) << 20) && b % 1024 == 0)
		snprintf(buf, len, "%.1f MiB", (double)b / (1 << 20));
	else
		snprintf(buf, len, "%" PRIu64 " bytes", b);
	return buf;
}

bool page_round(const struct ion_backend *be, uint64_t len, uint64_t *out)
{
	uint64_t mask = be->page_size - 1;

	if (len == 0 || len > UINT64_MAX - mask)
		return false;
	*out = (len + mask) & ~mask;
	return true;
}
