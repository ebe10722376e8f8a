/* SPDX-License-Identifier: MIT */
/* The heap backend's pure text: /proc/meminfo parsing, the ENOMEM sentence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../figures.h"

/* Lines as a 6.12 kernel with CMA prints them. */
static const char meminfo[] = "MemTotal:        1004316 kB\n"
			      "MemFree:          812004 kB\n"
			      "MemAvailable:     861232 kB\n"
			      "CmaTotal:          65536 kB\n"
			      "CmaFree:           12288 kB\n"
			      "HugePages_Total:       0\n"
			      "Hugepagesize:       2048 kB";

static void meminfo_fields(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_true(meminfo_parse(meminfo, "MemTotal", &v));
	assert_int_equal(v, 1004316ull * 1024);
	assert_true(meminfo_parse(meminfo, "CmaTotal", &v));
	assert_int_equal(v, 65536ull * 1024);
	assert_true(meminfo_parse(meminfo, "CmaFree", &v));
	assert_int_equal(v, 12288ull * 1024);
	/* the last line has no newline */
	assert_true(meminfo_parse(meminfo, "Hugepagesize", &v));
	assert_int_equal(v, 2048ull * 1024);
	/* a count, not kB */
	assert_true(meminfo_parse(meminfo, "HugePages_Total", &v));
	assert_int_equal(v, 0);
}

static void meminfo_absent_and_bad(void **state)
{
	uint64_t v = 7;

	(void)state;
	/* a prefix of a field is not the field: "Mem" is not "MemTotal" */
	assert_false(meminfo_parse(meminfo, "Mem", &v));
	assert_false(meminfo_parse(meminfo, "Cma", &v));
	/* a kernel without CMA has no CmaTotal */
	assert_false(meminfo_parse("MemTotal: 1 kB\nMemFree: 1 kB\n", "CmaTotal", &v));
	assert_false(meminfo_parse("", "CmaFree", &v));
	assert_false(meminfo_parse("CmaFree: lots kB\n", "CmaFree", &v));
	assert_false(meminfo_parse("CmaFree: 12 MB\n", "CmaFree", &v));
	/* kB that do not fit 64 bits in bytes */
	assert_false(meminfo_parse("CmaFree: 18014398509481984 kB\n", "CmaFree", &v));
	assert_int_equal(v, 7);
	assert_true(meminfo_parse("CmaFree: 18014398509481983 kB\n", "CmaFree", &v));
	assert_int_equal(v, 18014398509481983ull * 1024);
}

static void figures_known(void **state)
{
	struct contig_figures f = {.heap = "ion:dma", .asked = 1048576, .known = true,
				   .free = 524288, .total = 8388608, .source = "SRC", .grow = "GROW"};
	char out[512];

	(void)state;
	assert_string_equal(contig_figures_text(&f, out, sizeof(out)),
			    "out of contiguous memory: ion:dma must give physically contiguous "
			    "memory; asked 1048576 bytes (1.0 MiB), free 524288 bytes of 8388608 "
			    "bytes (8.0 MiB) (SRC); fix: smaller buffers, fewer buffers, or GROW");
	f.asked = 16777216;
	f.free = f.total;
	assert_non_null(strstr(contig_figures_text(&f, out, sizeof(out)),
			       "free 8388608 bytes (8.0 MiB) of 8388608 bytes (8.0 MiB), the whole "
			       "area smaller than this buffer (SRC)"));
}

static void figures_unknown(void **state)
{
	struct contig_figures f = {.heap = "ion:system-contig", .asked = 4096, .source = "SRC",
				   .grow = "GROW"};
	char out[512], small[40];

	(void)state;
	assert_string_equal(contig_figures_text(&f, out, sizeof(out)),
			    "out of contiguous memory: ion:system-contig must give physically "
			    "contiguous memory; asked 4096 bytes, free and total unknown (SRC); fix: "
			    "smaller buffers, fewer buffers, or GROW");
	/* truncated, still a string */
	assert_int_equal(strlen(contig_figures_text(&f, small, sizeof(small))), sizeof(small) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(meminfo_fields),
		cmocka_unit_test(meminfo_absent_and_bad),
		cmocka_unit_test(figures_known),
		cmocka_unit_test(figures_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
