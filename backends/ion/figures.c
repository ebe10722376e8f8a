/* SPDX-License-Identifier: MIT */
/* Pure text of the heap backend: see figures.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "figures.h"

/*
 * sscanf(value, "%" SCNu64 " %3s") for the digits a meminfo value has, by
 * hand: a fresh process would run the whole of scanf for these two fields
 * and nothing else. A number too large for 64 bits saturates, as scanf's.
 */
static int scan_value(const char *v, uint64_t *num, char unit[4])
{
	size_t u = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	if (*v < '0' || *v > '9')
		return 0;
	for (*num = 0; *v >= '0' && *v <= '9'; v++)
		*num = *num > (UINT64_MAX - 9) / 10 ? UINT64_MAX : *num * 10 + (uint64_t)(*v - '0');
	while (*v == ' ' || *v == '\t')
		v++;
	while (u < 3 && *v && *v != ' ' && *v != '\t' && *v != '\n')
		unit[u++] = *v++;
	unit[u] = '\0';
	return u ? 2 : 1;
}

bool meminfo_parse(const char *text, const char *field, uint64_t *bytes)
{
	size_t flen = strlen(field);

	for (const char *line = text; line && *line;) {
		const char *next = strchr(line, '\n');
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			/* scanf's blanks would read on into the next line: one line only */
			size_t vlen = next ? (size_t)(next - line) - flen - 1 : strlen(line + flen + 1);
			char value[64], unit[4] = "";
			uint64_t kb;
			if (vlen >= sizeof(value))
				return false;
			memcpy(value, line + flen + 1, vlen);
			value[vlen] = '\0';
			int n = scan_value(value, &kb, unit);
			/* every size field is in kB; a count (HugePages_Total) has no unit */
			if (n < 1 || kb > UINT64_MAX / 1024 || (n == 2 && strcmp(unit, "kB") != 0))
				return false;
			*bytes = n == 2 ? kb * 1024 : kb;
			return true;
		}
		line = next ? next + 1 : NULL;
	}
	return false;
}

/* "1048576 bytes (1.0 MiB)": exact for tests and scripts, readable for people. */
static const char *bytes_text(uint64_t b, char *buf, size_t len)
{
	if (b >= (UINT64_C(1) << 20))
		snprintf(buf, len, "%" PRIu64 " bytes (%.1f MiB)", b, (double)b / (1 << 20));
	else
		snprintf(buf, len, "%" PRIu64 " bytes", b);
	return buf;
}

const char *contig_figures_text(const struct contig_figures *f, char *out, size_t len)
{
	char a[48], fr[48], t[48], figures[160];

	if (f->known)
		snprintf(figures, sizeof(figures), "free %s of %s%s", bytes_text(f->free, fr, sizeof(fr)),
			 bytes_text(f->total, t, sizeof(t)),
			 f->asked > f->total ? ", the whole area smaller than this buffer" : "");
	else
		snprintf(figures, sizeof(figures), "free and total unknown");
	snprintf(out, len,
		 "out of contiguous memory: %s must give physically contiguous memory; asked %s, "
		 "%s (%s); fix: smaller buffers, fewer buffers, or %s",
		 f->heap, bytes_text(f->asked, a, sizeof(a)), figures, f->source, f->grow);
	return out;
}
