/* SPDX-License-Identifier: MIT */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "elfsize.h"

static int read_at(FILE *f, long off, void *buf, size_t len)
{
	if (fseek(f, off, SEEK_SET) != 0)
		return -errno;
	return fread(buf, 1, len, f) == len ? 0 : -ENOEXEC;
}

int bench_elf_size(const char *path, struct bench_elf_size *out)
{
	struct stat st;
	Elf64_Ehdr eh;
	FILE *f;
	int ret;

	memset(out, 0, sizeof(*out));
	if (stat(path, &st) != 0)
		return -errno;
	out->file_bytes = (uint64_t)st.st_size;
	f = fopen(path, "rbe");
	if (!f)
		return -errno;
	ret = read_at(f, 0, &eh, sizeof(eh));
	if (ret == 0 && (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
			 eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr)))
		ret = -ENOEXEC;
	for (unsigned i = 0; ret == 0 && i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		ret = read_at(f, (long)(eh.e_phoff + (uint64_t)i * sizeof(ph)), &ph, sizeof(ph));
		if (ret < 0 || ph.p_type != PT_LOAD)
			continue;
		out->mapped_bytes += ph.p_memsz;
		if (ph.p_flags & PF_X)
			out->text_bytes += ph.p_memsz;
	}
	fclose(f);
	return ret;
}
