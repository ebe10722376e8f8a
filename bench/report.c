/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

#ifndef BENCH_BUILDTYPE
#define BENCH_BUILDTYPE "unknown"
#endif
#ifndef BENCH_LIBALLOC_VERSION
#define BENCH_LIBALLOC_VERSION "unknown"
#endif

/* The 1, 5 and 15 minute load averages: how busy the shared machine was. */
static void read_loadavg(char *buf, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "re");
	double a = 0, b = 0, c = 0;

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
		snprintf(buf, len, "%.2f %.2f %.2f", a, b, c);
	fclose(f);
}

static void read_cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[256];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) != 0 || !colon)
			continue;
		snprintf(buf, len, "%s", colon + 2);
		buf[strcspn(buf, "\n")] = '\0';
		break;
	}
	fclose(f);
}

int bench_report_init(struct bench_report *rep, const char *benchmark)
{
	time_t now = time(NULL);
	struct tm tm;

	memset(rep, 0, sizeof(*rep));
	rep->benchmark = benchmark;
	read_loadavg(rep->loadavg_start, sizeof(rep->loadavg_start));
	gmtime_r(&now, &tm);
	strftime(rep->date, sizeof(rep->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

void bench_report_fini(struct bench_report *rep)
{
	free(rep->results);
	rep->results = NULL;
	rep->n = rep->cap = 0;
}

struct bench_result *bench_report_add(struct bench_report *rep, const char *name, const char *unit)
{
	if (rep->n == rep->cap) {
		size_t cap = rep->cap ? rep->cap * 2 : 16;
		struct bench_result *r = realloc(rep->results, cap * sizeof(*r));
		if (!r)
			return NULL;
		rep->results = r;
		rep->cap = cap;
	}
	struct bench_result *r = &rep->results[rep->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->unit = unit;
	r->value = r->p90 = r->baseline = r->baseline_p90 = NAN;
	return r;
}

static struct bench_extra *new_extra(struct bench_result *r, const char *key)
{
	if (r->n_extra == BENCH_MAX_EXTRA)
		return NULL; /* a programming error in a benchmark; dropped, not fatal */
	struct bench_extra *e = &r->extra[r->n_extra++];
	memset(e, 0, sizeof(*e));
	e->key = key;
	return e;
}

void bench_result_num(struct bench_result *r, const char *key, double v)
{
	struct bench_extra *e = new_extra(r, key);
	if (e)
		e->num = v;
}

void bench_result_str(struct bench_result *r, const char *key, const char *v)
{
	struct bench_extra *e = new_extra(r, key);
	if (!e)
		return;
	e->is_str = true;
	snprintf(e->str, sizeof(e->str), "%s", v);
}

double bench_result_get(const struct bench_result *r, const char *key)
{
	for (size_t i = 0; i < r->n_extra; i++)
		if (!r->extra[i].is_str && strcmp(r->extra[i].key, key) == 0)
			return r->extra[i].num;
	return NAN;
}

static double ratio_of(const struct bench_result *r)
{
	return isnan(r->baseline) || r->baseline == 0 ? NAN : r->value / r->baseline;
}

void bench_report_print_row(const struct bench_result *r)
{
	static bool header;

	if (!header) {
		fprintf(stderr, "%-30s %12s %12s %12s %12s %8s  %s\n", "name", "value", "p90",
			"baseline", "base p90", "ratio", "unit");
		header = true;
	}
	fprintf(stderr, "%-30s %12.3f %12.3f %12.3f %12.3f %8.4f  %s%s%s\n", r->name, r->value,
		r->p90, r->baseline, r->baseline_p90, ratio_of(r), r->unit, r->note[0] ? "  " : "",
		r->note);
}

/* ---- JSON ---- */

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* JSON has no NaN or infinity: an absent or undefined number is null. */
static void put_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.6g", v);
	else
		fputs("null", f);
}

static void put_kv_str(FILE *f, const char *indent, const char *k, const char *v, bool comma)
{
	fprintf(f, "%s", indent);
	put_str(f, k);
	fputs(": ", f);
	put_str(f, v);
	fputs(comma ? ",\n" : "\n", f);
}

static void put_kv_num(FILE *f, const char *indent, const char *k, double v, bool comma)
{
	fprintf(f, "%s", indent);
	put_str(f, k);
	fputs(": ", f);
	put_num(f, v);
	fputs(comma ? ",\n" : "\n", f);
}

static void write_machine(FILE *f, const struct bench_report *rep)
{
	const char *in = "    ";
	char cpu[128], load_end[64], kernel[200];
	struct utsname u;

	read_cpu_model(cpu, sizeof(cpu));
	read_loadavg(load_end, sizeof(load_end));
	if (uname(&u) == 0)
		snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname, u.release, u.machine);
	else
		snprintf(kernel, sizeof(kernel), "unknown");
	fputs("  \"machine\": {\n", f);
	put_kv_str(f, in, "cpu", cpu, true);
	put_kv_num(f, in, "cpus_online", (double)sysconf(_SC_NPROCESSORS_ONLN), true);
	put_kv_str(f, in, "kernel", kernel, true);
	put_kv_str(f, in, "compiler", __VERSION__, true);
	put_kv_str(f, in, "buildtype", BENCH_BUILDTYPE, true);
	put_kv_str(f, in, "liballoc_version", BENCH_LIBALLOC_VERSION, true);
	put_kv_str(f, in, "loadavg_start", rep->loadavg_start, true);
	put_kv_str(f, in, "loadavg_end", load_end, true);
	put_kv_str(f, in, "mode", rep->quick ? "quick" : "full", true);
	put_kv_num(f, in, "iterations", rep->iterations, true);
	put_kv_str(f, in, "date", rep->date, false);
	fputs("  },\n", f);
}

static void write_result(FILE *f, const struct bench_result *r, bool comma)
{
	const char *in = "      ";

	fputs("    {\n", f);
	put_kv_str(f, in, "name", r->name, true);
	put_kv_str(f, in, "unit", r->unit, true);
	put_kv_num(f, in, "value", r->value, true);
	put_kv_num(f, in, "p90", r->p90, true);
	put_kv_num(f, in, "baseline", r->baseline, true);
	put_kv_num(f, in, "baseline_p90", r->baseline_p90, true);
	put_kv_num(f, in, "ratio", ratio_of(r), true);
	put_kv_num(f, in, "samples", (double)r->samples, true);
	for (size_t i = 0; i < r->n_extra; i++) {
		if (r->extra[i].is_str)
			put_kv_str(f, in, r->extra[i].key, r->extra[i].str, true);
		else
			put_kv_num(f, in, r->extra[i].key, r->extra[i].num, true);
	}
	if (r->note[0])
		put_kv_str(f, in, "note", r->note, true);
	fprintf(f, "%s\"verified\": %s\n", in, r->verified ? "true" : "false");
	fputs(comma ? "    },\n" : "    }\n", f);
}

int bench_report_write(const struct bench_report *rep, const char *path)
{
	FILE *f = path ? fopen(path, "we") : stdout;

	if (!f)
		return -errno;
	fputs("{\n  \"benchmark\": ", f);
	put_str(f, rep->benchmark);
	fputs(",\n", f);
	write_machine(f, rep);
	fputs("  \"results\": [\n", f);
	for (size_t i = 0; i < rep->n; i++)
		write_result(f, &rep->results[i], i + 1 < rep->n);
	fputs("  ]\n}\n", f);
	if (fflush(f) != 0 || ferror(f)) {
		int err = errno ? -errno : -EIO;
		if (path)
			fclose(f);
		return err;
	}
	return path && fclose(f) != 0 ? -errno : 0;
}
