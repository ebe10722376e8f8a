/* SPDX-License-Identifier: MIT */
/*
 * Binary forms of capability sets ("LACS") and buffer descriptors ("LADS")
 * for other processes. Layout: docs/serialization.md, "Binary layout,
 * version 1" (and version 2 of capability sets, which adds the layout domain).
 *
 * Every field is written byte by byte in little endian so the blob does not
 * depend on the writer's struct padding or endianness. Readers treat input
 * as hostile: each count and length is bounded and checked against the
 * bytes left before anything is allocated, and every failure is -EINVAL
 * with the byte offset in la_last_diagnosis().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "private.h"

#define LA_SER_VERSION 1
/*
 * Capability sets only: version 2 adds the layout domain string after
 * import_reason, written only when a set has one, so that every other set
 * stays a version 1 blob; both are read.
 */
#define LA_SER_CAPSET_VERSION_DOMAIN 2
#define HEADER_SIZE 12       /* magic, version, reserved, total length */
#define CAPSET_FIXED_SIZE 37 /* header .. import_rule, plus 4 string length bytes */
/* Same bounds as capset.c enforces on building, so any set serializes. */
#define MAX_CANDIDATES 65536
#define MAX_STRING 255
#define CANDIDATE_SIZE 140  /* bytes per candidate record, see put_candidate() */
#define DESC_FIXED_SIZE 44  /* descriptor header + fields before the planes */
#define PLANE_SIZE 28

#define KNOWN_CONSTRAINT_FLAGS                                                   \
	(LA_CONSTRAINT_CONTIGUOUS | LA_CONSTRAINT_PROTECTED_REQUIRED |             \
	 LA_CONSTRAINT_PROTECTED_OK | LA_CONSTRAINT_NO_CPU_ACCESS)
#define KNOWN_BUFFER_FLAGS (LA_BUFFER_CACHED | LA_BUFFER_CONTIGUOUS | LA_BUFFER_PROTECTED)

/* ---- writer: the buffer is sized exactly beforehand ---- */

struct writer {
	uint8_t *buf;
	size_t off;
};

static void put_le(struct writer *w, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		w->buf[w->off++] = (uint8_t)(v >> (8 * i));
}
#define put_u8(w, v) put_le(w, v, 1)
#define put_u16(w, v) put_le(w, v, 2)
#define put_u32(w, v) put_le(w, v, 4)
#define put_u64(w, v) put_le(w, v, 8)

static void put_str(struct writer *w, const char *s, size_t len)
{
	put_u8(w, len);
	memcpy(w->buf + w->off, s, len);
	w->off += len;
}

static void put_header(struct writer *w, const char *magic, unsigned version, size_t total)
{
	memcpy(w->buf, magic, 4);
	w->off = 4;
	put_u16(w, version);
	put_u16(w, 0); /* reserved: lets v1 readers refuse flags they don't know */
	put_u32(w, total);
}

/* ---- reader: never reads past len; first failure sets the diagnosis ---- */

struct reader {
	const uint8_t *buf;
	size_t len;
	size_t off;
	const char *what; /* "capset blob" / "descriptor blob" */
	struct la_why *why;
};

__attribute__((format(printf, 3, 4)))
static int reader_fail(const struct reader *r, size_t at, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return la_why_set(r->why, -EINVAL, "%s: byte %zu: %s", r->what, at, msg);
}

static int get_le(struct reader *r, uint64_t *v, unsigned bytes, const char *field)
{
	if (r->len - r->off < bytes)
		return reader_fail(r, r->off, "truncated reading %s", field);
	*v = 0;
	for (unsigned i = 0; i < bytes; i++)
		*v |= (uint64_t)r->buf[r->off++] << (8 * i);
	return 0;
}

static int get_u32(struct reader *r, uint32_t *v, const char *field)
{
	uint64_t x;
	int ret = get_le(r, &x, 4, field);

	*v = (uint32_t)x;
	return ret;
}

static int get_u64(struct reader *r, uint64_t *v, const char *field)
{
	return get_le(r, v, 8, field);
}

/* Copies a length-prefixed string into buf (MAX_STRING + 1 bytes). */
static int get_str(struct reader *r, char *buf, const char *field)
{
	size_t at = r->off;
	uint64_t len;
	int ret = get_le(r, &len, 1, field);

	if (ret < 0)
		return ret;
	if (r->len - r->off < len)
		return reader_fail(r, at, "%s length runs past the end of the blob", field);
	memcpy(buf, r->buf + r->off, len);
	buf[len] = '\0';
	if (strlen(buf) != len)
		return reader_fail(r, at, "%s contains a NUL byte", field);
	r->off += len;
	return 0;
}

/*
 * Checks magic, version and that the declared total length is exactly the
 * input size: a shorter input is truncated, a longer one has trailing bytes.
 */
static int get_header(struct reader *r, const char *magic, size_t min_size, unsigned max_version,
		      unsigned *out_version)
{
	uint64_t version, reserved, total;

	if (r->len < HEADER_SIZE)
		return reader_fail(r, r->len, "truncated header (%d bytes needed)", HEADER_SIZE);
	if (memcmp(r->buf, magic, 4) != 0)
		return reader_fail(r, 0, "bad magic (expected \"%.4s\")", magic);
	r->off = 4;
	get_le(r, &version, 2, "version");
	if (version < LA_SER_VERSION || version > max_version)
		return reader_fail(r, 4, "unsupported version %u (this liballoc reads %d to %u)",
			       (unsigned)version, LA_SER_VERSION, max_version);
	*out_version = (unsigned)version;
	get_le(r, &reserved, 2, "reserved");
	if (reserved != 0)
		return reader_fail(r, 6, "reserved field is 0x%x, not 0", (unsigned)reserved);
	get_le(r, &total, 4, "total length");
	if (total != r->len)
		return reader_fail(r, 8, "total length %llu but %zu bytes given (%s)",
			       (unsigned long long)total, r->len,
			       total > r->len ? "truncated" : "trailing bytes");
	if (total < min_size)
		return reader_fail(r, 8, "total length %llu is below the minimum %zu",
			       (unsigned long long)total, min_size);
	return 0;
}

/* ---- capability sets ---- */

static void put_candidate(struct writer *w, const struct la_candidate *c)
{
	const struct la_constraints *k = &c->constraints;

	put_u32(w, c->format);
	put_u64(w, c->modifier);
	put_u32(w, c->plane_count);
	for (int i = 0; i < LA_MAX_PLANES; i++)
		put_u64(w, k->pitch_align[i]);
	for (int i = 0; i < LA_MAX_PLANES; i++)
		put_u64(w, k->offset_align[i]);
	put_u64(w, k->size_align);
	put_u64(w, k->base_align);
	put_u32(w, k->width_align);
	put_u32(w, k->height_align);
	put_u64(w, k->max_pitch);
	put_u64(w, k->max_size);
	put_u32(w, k->max_width);
	put_u32(w, k->max_height);
	put_u32(w, k->dma_addr_bits);
	put_u32(w, k->caching);
	put_u32(w, k->flags);
}

static size_t bounded_len(const char *s)
{
	return s ? strnlen(s, MAX_STRING + 1) : 0;
}

LA_EXPORT int la_capset_serialize(const struct la_capset *set, void **data, size_t *size)
{
	struct la_capset_info info;
	const char *strs[5];
	size_t lens[5], n, total = CAPSET_FIXED_SIZE;
	struct writer w;

	if (!set || !data || !size)
		return -EINVAL;
	la_capset_get_info(set, &info);
	n = la_capset_get_candidate_count(set);
	strs[0] = info.label, strs[1] = info.driver, strs[2] = info.backend;
	strs[3] = info.import_reason;
	strs[4] = la_capset_get_layout_domain(set);
	/* version 1 has no layout domain: a set without one stays readable by its readers */
	int n_strs = strs[4][0] ? 5 : 4;
	total += (size_t)n_strs - 4; /* its length byte: CAPSET_FIXED_SIZE counts four */
	for (int i = 0; i < n_strs; i++) {
		lens[i] = bounded_len(strs[i]);
		if (lens[i] > MAX_STRING) {
			la_diag("capset serialize: string longer than %d bytes", MAX_STRING);
			return -EINVAL;
		}
		total += lens[i];
	}
	if (n > MAX_CANDIDATES) {
		la_diag("capset serialize: %zu candidates (at most %d)", n, MAX_CANDIDATES);
		return -E2BIG;
	}
	total += n * CANDIDATE_SIZE; /* at most ~9 MiB: no overflow */
	w = (struct writer){.buf = malloc(total)};
	if (!w.buf)
		return -ENOMEM;
	put_header(&w, "LACS", n_strs == 5 ? LA_SER_CAPSET_VERSION_DOMAIN : LA_SER_VERSION, total);
	put_u32(&w, n);
	put_u32(&w, major(info.devnum));
	put_u32(&w, minor(info.devnum));
	put_u64(&w, info.usage);
	put_u8(&w, info.import_rule);
	for (int i = 0; i < n_strs; i++)
		put_str(&w, strs[i] ? strs[i] : "", lens[i]);
	for (size_t i = 0; i < n; i++) {
		struct la_candidate c;
		la_capset_get_candidate(set, i, &c);
		put_candidate(&w, &c);
	}
	*data = w.buf;
	*size = total;
	return 0;
}

static int get_constraints(struct reader *r, struct la_constraints *k)
{
	int ret = 0;

	for (int i = 0; i < LA_MAX_PLANES && ret == 0; i++)
		ret = get_u64(r, &k->pitch_align[i], "pitch_align");
	for (int i = 0; i < LA_MAX_PLANES && ret == 0; i++)
		ret = get_u64(r, &k->offset_align[i], "offset_align");
	if (ret == 0 && (ret = get_u64(r, &k->size_align, "size_align")) == 0 &&
	    (ret = get_u64(r, &k->base_align, "base_align")) == 0 &&
	    (ret = get_u32(r, &k->width_align, "width_align")) == 0 &&
	    (ret = get_u32(r, &k->height_align, "height_align")) == 0 &&
	    (ret = get_u64(r, &k->max_pitch, "max_pitch")) == 0 &&
	    (ret = get_u64(r, &k->max_size, "max_size")) == 0 &&
	    (ret = get_u32(r, &k->max_width, "max_width")) == 0 &&
	    (ret = get_u32(r, &k->max_height, "max_height")) == 0 &&
	    (ret = get_u32(r, &k->dma_addr_bits, "dma_addr_bits")) == 0 &&
	    (ret = get_u32(r, &k->caching, "caching")) == 0)
		ret = get_u32(r, &k->flags, "flags");
	return ret;
}

static int get_candidate(struct reader *r, struct la_capset *set, size_t index)
{
	struct la_candidate c = {0};
	size_t at = r->off;
	int ret;

	if ((ret = get_u32(r, &c.format, "format")) < 0 ||
	    (ret = get_u64(r, &c.modifier, "modifier")) < 0 ||
	    (ret = get_u32(r, &c.plane_count, "plane_count")) < 0 ||
	    (ret = get_constraints(r, &c.constraints)) < 0)
		return ret;
	if (c.plane_count > LA_MAX_PLANES)
		return reader_fail(r, at + 12, "candidate %zu: plane_count %u > %d", index,
			       c.plane_count, LA_MAX_PLANES);
	if (c.constraints.flags & ~KNOWN_CONSTRAINT_FLAGS)
		return reader_fail(r, at + 136, "candidate %zu: unknown constraint flags 0x%x", index,
			       c.constraints.flags);
	/* capset.c's own checks (caching, dma_addr_bits) still apply here. */
	ret = la_capset_add_candidate_why(set, &c, r->why);
	if (ret < 0) {
		la_why_prefix(r->why, "%s: byte %zu: candidate %zu", r->what, at, index);
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	return 0;
}

/* Reads the identity after the header and creates the set. */
static int get_identity(struct reader *r, unsigned version, struct la_capset **out)
{
	char strs[5][MAX_STRING + 1];
	static const char *const names[5] = {"label", "driver", "backend", "import_reason",
					     "layout_domain"};
	int n_strs = version >= LA_SER_CAPSET_VERSION_DOMAIN ? 5 : 4;
	uint32_t maj, min;
	uint64_t usage, rule;
	int ret;

	if ((ret = get_u32(r, &maj, "devnum major")) < 0 ||
	    (ret = get_u32(r, &min, "devnum minor")) < 0 ||
	    (ret = get_u64(r, &usage, "usage")) < 0 ||
	    (ret = get_le(r, &rule, 1, "import_rule")) < 0)
		return ret;
	if (rule > LA_IMPORT_NONE)
		return reader_fail(r, r->off - 1, "unknown import_rule %u", (unsigned)rule);
	strs[4][0] = '\0';
	for (int i = 0; i < n_strs; i++) {
		size_t at = r->off;
		if ((ret = get_str(r, strs[i], names[i])) < 0)
			return ret;
		if (i == 4 && strlen(strs[4]) >= LA_LAYOUT_DOMAIN_MAX)
			return reader_fail(r, at, "layout_domain longer than %d bytes",
					   LA_LAYOUT_DOMAIN_MAX - 1);
	}
	ret = la_capset_new_why(&(struct la_capset_info){
				    .label = strs[0],
				    .driver = strs[1],
				    .backend = strs[2],
				    .import_reason = strs[3],
				    .devnum = makedev(maj, min),
				    .usage = usage,
				    .import_rule = (enum la_import_rule)rule,
			    },
			    out, r->why);
	if (ret < 0 && ret != -ENOMEM)
		return -EINVAL;
	if (ret == 0 && la_capset_set_layout_domain(*out, strs[4]) < 0)
		return -ENOMEM; /* the caller destroys *out */
	return ret;
}

static int capset_deserialize(const void *data, size_t size, struct la_capset **out,
			      struct la_why *why)
{
	struct reader r = {.buf = data, .len = size, .what = "capset blob", .why = why};
	struct la_capset *set = NULL;
	uint32_t n;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!data && size)
		return la_why_set(why, -EINVAL, "capset blob: NULL data");
	unsigned version;
	if ((ret = get_header(&r, "LACS", CAPSET_FIXED_SIZE, LA_SER_CAPSET_VERSION_DOMAIN,
			      &version)) < 0 ||
	    (ret = get_u32(&r, &n, "candidate count")) < 0)
		return ret;
	if (n > MAX_CANDIDATES)
		return reader_fail(&r, 12, "candidate count %u exceeds %d", n, MAX_CANDIDATES);
	/* Checked before reading on, so a huge count allocates nothing. */
	if ((uint64_t)n * CANDIDATE_SIZE > r.len - r.off)
		return reader_fail(&r, 12, "%u candidates need %llu bytes, %zu left", n,
			       (unsigned long long)n * CANDIDATE_SIZE, r.len - r.off);
	ret = get_identity(&r, version, &set);
	for (size_t i = 0; ret == 0 && i < n; i++)
		ret = get_candidate(&r, set, i);
	if (ret == 0 && r.off != r.len)
		ret = reader_fail(&r, r.off, "trailing bytes inside the declared length");
	if (ret < 0) {
		la_capset_destroy(set);
		return ret;
	}
	*out = set;
	return 0;
}

LA_EXPORT int la_capset_deserialize(const void *data, size_t size, struct la_capset **out)
{
	struct la_why why = {0};

	return la_publish(&why, capset_deserialize(data, size, out, &why));
}

/* ---- descriptors ---- */

/* Index of fd in fds[0..*n), appended if new. */
static uint32_t fd_index(int fd, int *fds, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		if (fds[i] == fd)
			return (uint32_t)i;
	}
	fds[*n] = fd;
	return (uint32_t)(*n)++;
}

static int check_desc(const struct la_descriptor *desc, struct la_why *why)
{
	if (desc->plane_count == 0 || desc->plane_count > LA_MAX_PLANES)
		return la_why_set(why, -EINVAL, "descriptor serialize: plane_count %u not in 1..%d",
				  desc->plane_count, LA_MAX_PLANES);
	for (uint32_t i = 0; i < desc->plane_count; i++)
		if (desc->planes[i].fd < 0)
			return la_why_set(why, -EINVAL,
					  "descriptor serialize: plane %u has no fd", i);
	return 0;
}

LA_EXPORT int la_descriptor_serialize(const struct la_descriptor *desc, void **data, size_t *size,
				      int *fds, size_t *n_fds)
{
	uint32_t idx[LA_MAX_PLANES];
	size_t n = 0, total;
	struct writer w;
	int ret;

	if (!desc || !data || !size || !fds || !n_fds)
		return -EINVAL;
	struct la_why why = {0};
	if ((ret = check_desc(desc, &why)) < 0)
		return la_publish(&why, ret);
	for (uint32_t i = 0; i < desc->plane_count; i++)
		idx[i] = fd_index(desc->planes[i].fd, fds, &n);
	total = DESC_FIXED_SIZE + (size_t)desc->plane_count * PLANE_SIZE;
	w = (struct writer){.buf = malloc(total)};
	if (!w.buf)
		return -ENOMEM;
	put_header(&w, "LADS", LA_SER_VERSION, total);
	put_u32(&w, desc->format);
	put_u64(&w, desc->modifier);
	put_u32(&w, desc->width);
	put_u32(&w, desc->height);
	put_u32(&w, desc->plane_count);
	put_u32(&w, desc->flags);
	put_u32(&w, n);
	for (uint32_t i = 0; i < desc->plane_count; i++) {
		put_u32(&w, idx[i]);
		put_u64(&w, desc->planes[i].offset);
		put_u64(&w, desc->planes[i].pitch);
		put_u64(&w, desc->planes[i].size);
	}
	*data = w.buf;
	*size = total;
	*n_fds = n;
	return 0;
}

static int get_desc_fields(struct reader *r, struct la_descriptor *d, uint32_t *fd_count)
{
	int ret;

	if ((ret = get_u32(r, &d->format, "format")) < 0 ||
	    (ret = get_u64(r, &d->modifier, "modifier")) < 0 ||
	    (ret = get_u32(r, &d->width, "width")) < 0 ||
	    (ret = get_u32(r, &d->height, "height")) < 0 ||
	    (ret = get_u32(r, &d->plane_count, "plane_count")) < 0)
		return ret;
	if (d->plane_count == 0 || d->plane_count > LA_MAX_PLANES)
		return reader_fail(r, 32, "plane_count %u not in 1..%d", d->plane_count, LA_MAX_PLANES);
	if ((ret = get_u32(r, &d->flags, "flags")) < 0)
		return ret;
	if (d->flags & ~KNOWN_BUFFER_FLAGS)
		return reader_fail(r, 36, "unknown buffer flags 0x%x", d->flags);
	if ((ret = get_u32(r, fd_count, "fd count")) < 0)
		return ret;
	if (*fd_count == 0 || *fd_count > d->plane_count)
		return reader_fail(r, 40, "fd count %u not in 1..%u (plane_count)", *fd_count,
			       d->plane_count);
	return 0;
}

/* Planes: every index below fd_count and every fd used by some plane. */
static int get_planes(struct reader *r, struct la_descriptor *d, uint32_t fd_count, const int *fds)
{
	bool used[LA_MAX_PLANES] = {false};
	int ret;

	for (uint32_t i = 0; i < d->plane_count; i++) {
		struct la_plane *p = &d->planes[i];
		size_t at = r->off;
		uint32_t idx;
		if ((ret = get_u32(r, &idx, "plane fd index")) < 0)
			return ret;
		if (idx >= fd_count)
			return reader_fail(r, at, "plane %u fd index %u >= fd count %u", i, idx,
				       fd_count);
		used[idx] = true;
		p->fd = fds[idx];
		if ((ret = get_u64(r, &p->offset, "plane offset")) < 0 ||
		    (ret = get_u64(r, &p->pitch, "plane pitch")) < 0 ||
		    (ret = get_u64(r, &p->size, "plane size")) < 0)
			return ret;
	}
	for (uint32_t i = 0; i < fd_count; i++) {
		if (!used[i])
			return reader_fail(r, 40, "fd %u is used by no plane", i);
	}
	return 0;
}

static int descriptor_deserialize(const void *data, size_t size, const int *fds, size_t n_fds,
					struct la_descriptor *out, struct la_why *why)
{
	struct reader r = {.buf = data, .len = size, .what = "descriptor blob", .why = why};
	struct la_descriptor d = {0};
	uint32_t fd_count = 0;
	int ret;

	if (!out || (!data && size) || (!fds && n_fds))
		return -EINVAL;
	unsigned version;
	if ((ret = get_header(&r, "LADS", DESC_FIXED_SIZE + PLANE_SIZE, LA_SER_VERSION,
			      &version)) < 0 ||
	    (ret = get_desc_fields(&r, &d, &fd_count)) < 0)
		return ret;
	/* Exact: extra fds would be leaked by a caller trusting the blob. */
	if (n_fds != fd_count)
		return reader_fail(&r, 40, "%u fds expected, %zu received", fd_count, n_fds);
	for (size_t i = 0; i < n_fds; i++) {
		if (fds[i] < 0)
			return la_why_set(why, -EINVAL,
					  "descriptor blob: received fd %zu is invalid (%d)",
					  i, fds[i]);
	}
	if ((ret = get_planes(&r, &d, fd_count, fds)) < 0)
		return ret;
	if (r.off != r.len)
		return reader_fail(&r, r.off, "trailing bytes inside the declared length");
	for (uint32_t i = d.plane_count; i < LA_MAX_PLANES; i++)
		d.planes[i].fd = -1;
	*out = d;
	return 0;
}

LA_EXPORT int la_descriptor_deserialize(const void *data, size_t size, const int *fds, size_t n_fds,
					struct la_descriptor *out)
{
	struct la_why why = {0};

	return la_publish(&why, descriptor_deserialize(data, size, fds, n_fds, out, &why));
}
