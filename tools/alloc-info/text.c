/* SPDX-License-Identifier: MIT */
/*
 * Human-readable output. Constraint and flag names are the JSON schema's
 * (pitch_align=, contiguous, ...), so what a user reads in the text can be
 * found again in a saved capability set or in --json output.
 */
#include <inttypes.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "alloc-info.h"

const char *ai_usage_text(uint64_t usage, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int bit = 0; bit < 64; bit++) {
		uint64_t b = UINT64_C(1) << bit;
		const char *name = (usage & b) ? la_usage_name(b) : NULL;
		char num[16];
		if (!(usage & b))
			continue;
		if (!name) {
			snprintf(num, sizeof(num), "bit%d", bit); /* backend bits have no core name */
			name = num;
		}
		int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(buf, len, "none");
	return buf;
}

const char *ai_caching_text(uint32_t caching, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < 32; i++) {
		const char *name = la_caching_name(1u << i);
		if (!(caching & (1u << i)) || !name)
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? "|" : "", name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(buf, len, "any");
	return buf;
}

/* Per-plane values without the trailing zeros of unused planes. */
static void print_planes(FILE *f, const char *key, const uint64_t *v)
{
	int last = LA_MAX_PLANES - 1;

	while (last >= 0 && !v[last])
		last--;
	if (last < 0)
		return;
	fprintf(f, " %s=", key);
	for (int i = 0; i <= last; i++)
		fprintf(f, "%s%" PRIu64, i ? "," : "", v[i]);
}

void ai_print_constraints(FILE *f, const struct la_constraints *c)
{
	const struct {
		const char *name;
		uint64_t v;
	} scalars[] = {
		{"size_align", c->size_align},       {"base_align", c->base_align},
		{"width_align", c->width_align},     {"height_align", c->height_align},
		{"max_pitch", c->max_pitch},         {"max_size", c->max_size},
		{"max_width", c->max_width},         {"max_height", c->max_height},
		{"dma_addr_bits", c->dma_addr_bits},
	};
	struct la_constraints none = {0};
	char cache[64];

	if (!memcmp(c, &none, sizeof(none))) {
		fprintf(f, " none");
		return;
	}
	print_planes(f, "pitch_align", c->pitch_align);
	print_planes(f, "offset_align", c->offset_align);
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (scalars[i].v)
			fprintf(f, " %s=%" PRIu64, scalars[i].name, scalars[i].v);
	if (c->caching)
		fprintf(f, " caching=%s", ai_caching_text(c->caching, cache, sizeof(cache)));
	for (int i = 0; i < 32; i++)
		if ((c->flags & (1u << i)) && la_constraint_flag_name(1u << i))
			fprintf(f, " %s", la_constraint_flag_name(1u << i));
}

/* "XRGB8888 [XR24]": the table name, and the letters V4L2 and DRM people grep for. */
static void print_format(FILE *f, uint32_t format)
{
	char name[32], cc[5];

	la_format_name(format, name, sizeof(name));
	for (int i = 0; i < 4; i++) {
		char ch = (char)((format >> (8 * i)) & 0xff);
		cc[i] = ch >= 0x20 && ch < 0x7f ? ch : '?';
	}
	cc[4] = '\0';
	fputs(name, f);
	if (strcmp(name, cc) != 0)
		fprintf(f, " [%s]", cc);
}

void ai_print_candidate(FILE *f, const char *indent, const struct la_candidate *c)
{
	char mod[32];

	fprintf(f, "%s", indent);
	print_format(f, c->format);
	fprintf(f, " %s", la_modifier_name(c->modifier, mod, sizeof(mod)));
	if (c->plane_count)
		fprintf(f, " planes=%u", c->plane_count);
	fprintf(f, " |");
	ai_print_constraints(f, &c->constraints);
	fputc('\n', f);
}

void ai_print_device_info(FILE *f, const char *first, const char *indent,
			  const struct la_capset_info *info)
{
	char usage[256];

	fprintf(f, "%s%s\n", first, info->label);
	fprintf(f, "%s  backend %s, driver %s, devnum %u:%u, usage %s\n", indent, info->backend,
		info->driver, major(info->devnum), minor(info->devnum),
		ai_usage_text(info->usage, usage, sizeof(usage)));
	fprintf(f, "%s  import rule: %s%s%s%s\n", indent, la_import_rule_name(info->import_rule),
		info->import_reason && info->import_reason[0] ? " (" : "",
		info->import_reason ? info->import_reason : "",
		info->import_reason && info->import_reason[0] ? ")" : "");
}

void ai_print_paths(FILE *f, const char *indent, const struct la_result *res)
{
	size_t n = la_result_get_path_count(res);

	if (!n)
		fprintf(f, "%s(no backend offers a path)\n", indent);
	for (size_t i = 0; i < n; i++) {
		struct la_path_info p;
		char cache[64], rank[16] = "-";

		if (la_result_get_path(res, i, &p) < 0)
			continue;
		if (p.matched)
			snprintf(rank, sizeof(rank), "%d", p.rank);
		fprintf(f, "%s%2zu. %-26s %-3s rank %-5s %s%s%s: %s\n", indent, i + 1, p.name,
			p.matched ? "yes" : "no", rank,
			ai_caching_text(p.caching, cache, sizeof(cache)),
			p.contiguous ? ", contiguous" : "",
			p.is_device_memory ? ", device memory" : "", p.reason ? p.reason : "");
	}
}

void ai_plane_memory(const struct la_descriptor *d, int memory[LA_MAX_PLANES])
{
	int distinct = 0;

	for (uint32_t i = 0; i < LA_MAX_PLANES; i++) {
		memory[i] = -1;
		if (i >= d->plane_count)
			continue;
		for (uint32_t j = 0; j < i && memory[i] < 0; j++)
			if (d->planes[j].fd == d->planes[i].fd)
				memory[i] = memory[j];
		if (memory[i] < 0)
			memory[i] = distinct++;
	}
}

void ai_print_buffer(FILE *f, const char *indent, size_t index, const struct la_buffer *buf)
{
	struct la_descriptor d;
	char mod[32];
	int memory[LA_MAX_PLANES];

	la_buffer_get_descriptor(buf, &d);
	fprintf(f, "%sbuffer %zu: ", indent, index);
	print_format(f, d.format);
	fprintf(f, " %s %ux%u, %u plane(s), path %s, flags:%s%s%s%s\n",
		la_modifier_name(d.modifier, mod, sizeof(mod)), d.width, d.height, d.plane_count,
		la_buffer_get_path(buf), d.flags & LA_BUFFER_CACHED ? " cached" : "",
		d.flags & LA_BUFFER_CONTIGUOUS ? " contiguous" : "",
		d.flags & LA_BUFFER_PROTECTED ? " protected" : "", d.flags ? "" : " none");
	/* fds mean nothing outside this process; which planes share memory does. */
	ai_plane_memory(&d, memory);
	for (uint32_t i = 0; i < d.plane_count && i < LA_MAX_PLANES; i++)
		fprintf(f, "%s  plane %u: offset %" PRIu64 ", pitch %" PRIu64 ", size %" PRIu64
			   ", dma-buf #%d\n",
			indent, i, d.planes[i].offset, d.planes[i].pitch, d.planes[i].size,
			memory[i]);
}
