/* SPDX-License-Identifier: MIT */
/*
 * The two paths: "smaf" (adaptive: the kernel picks the memory when the
 * first device maps the buffer) and "smaf-secure" (the same, with SMAF's
 * secure flag: protected usage, no CPU access).
 *
 * Deferred allocation depends on import order (kernel/smaf/README.md,
 * "Using it from userspace"): the first device to map the buffer decides
 * the memory, and a contiguous-only device that comes after a
 * scatter-gather one is refused. So when the negotiation already knows
 * that some participant needs contiguous or low memory, the buffer is
 * created with "smaf-contig" forced, and import order no longer matters.
 * Otherwise the kernel chooses ("" at create).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smaf-backend.h"

/* Neutral heaps rank about 500: SMAF is an out-of-tree module whose
 * placement is only as good as the import order, so a plain heap that
 * satisfies everyone is preferred. */
#define SMAF_RANK 450

struct smaf_path {
	struct smaf_session *session;
	bool secure;
	const char *name;
};

/* What path_allocate will do for a request; path_match checks the same. */
struct smaf_plan {
	uint64_t size;
	const char *allocator; /* "" = kernel's choice at first use */
	char why[128];         /* why an allocator is forced */
};

static bool protected_asked(const struct la_alloc_request *req)
{
	return (req->constraints->flags & LA_CONSTRAINT_PROTECTED_REQUIRED) ||
	       (req->usage & LA_USAGE_PROTECTED);
}

static int plan_secure(struct smaf_backend *be, const struct smaf_path *p,
		       const struct la_alloc_request *req, struct la_why *why)
{
	if (!p->secure) {
		if (protected_asked(req)) {
			smaf_diag(why, "protected usage needs a secure buffer (path smaf-secure)");
			return -EINVAL;
		}
		return 0;
	}
	if (!protected_asked(req)) {
		/* a secure buffer refuses the CPU and most devices: only on request */
		smaf_diag(why, "secure memory is only given for protected usage");
		return -EINVAL;
	}
	int err = smaf_session_secure(be, p->session);

	if (err == -EINVAL) {
		smaf_diag(why, "no secure module is registered with SMAF "
			      "(SMAF_IOC_SET_SECURE_FLAG: EINVAL); load one, e.g. smaf_test_secure.ko");
		return -ENODEV;
	}
	if (err < 0) {
		smaf_diag(why, "SMAF_IOC_SET_SECURE_FLAG on a test buffer: %s", strerror(-err));
		return err;
	}
	return 0;
}

/* Contiguous or low memory asked: only smaf-contig gives it for sure. */
static int plan_contig(struct smaf_backend *be, const struct smaf_path *p,
		       const struct la_alloc_request *req, struct smaf_plan *plan,
		       struct la_why *why)
{
	const struct la_constraints *c = req->constraints;
	struct smaf_session *s = p->session;
	char list[256];

	if (c->flags & LA_CONSTRAINT_CONTIGUOUS)
		snprintf(plan->why, sizeof(plan->why), "a device needs physically contiguous memory");
	else if (c->dma_addr_bits && c->dma_addr_bits < 64)
		/* smaf-page takes pages from anywhere in RAM; smaf-contig's
		 * device has a 32-bit coherent mask (smaf-contig.c) */
		snprintf(plan->why, sizeof(plan->why), "a device addresses only %u bits",
			 c->dma_addr_bits);
	else
		return 0;
	if (!smaf_session_find(s, SMAF_CONTIG)) {
		smaf_session_describe(s, list, sizeof(list));
		smaf_diag(why, "%s, and SMAF has no %s allocator (it has: %s)",
			  plan->why, SMAF_CONTIG, list);
		return -ENODEV;
	}
	if (c->dma_addr_bits && c->dma_addr_bits < 32) {
		smaf_diag(why, "%s; %s memory lies below 4 GiB, not below 2^%u",
			  plan->why, SMAF_CONTIG, c->dma_addr_bits);
		return -ERANGE;
	}
	if (plan->size > smaf_session_contig_max(be, s)) {
		/* not -ENOMEM: the core treats that as a failure of the whole negotiation */
		smaf_diag(why, "%s; %" PRIu64 " bytes asked, %s gives at most %" PRIu64
			      " bytes (%s)",
			  plan->why, plan->size, SMAF_CONTIG, s->contig_max, s->contig_why);
		return -ENOSPC;
	}
	plan->allocator = SMAF_CONTIG;
	return 0;
}

/*
 * The usual request, decided without the checks' calls: the plain path, a
 * linear layout, nothing protected, contiguous or address-limited asked,
 * an alignment every page size gives. make_plan() says the same of it.
 */
static bool plan_plain(const struct smaf_path *p, const struct la_alloc_request *req,
		       struct smaf_plan *plan)
{
	const struct la_constraints *c = req->constraints;

	if (p->secure || !req->layout || req->layout->size == 0 || c->base_align > 4096 ||
	    (c->flags & (LA_CONSTRAINT_CONTIGUOUS | LA_CONSTRAINT_PROTECTED_REQUIRED)) ||
	    (c->dma_addr_bits && c->dma_addr_bits < 64) || (req->usage & LA_USAGE_PROTECTED))
		return false;
	plan->size = req->layout->size;
	plan->allocator = "";
	plan->why[0] = '\0';
	return true;
}

static int make_plan(struct smaf_backend *be, const struct smaf_path *p,
		     const struct la_alloc_request *req, struct smaf_plan *plan, struct la_why *why)
{
	long page;
	int ret;

	if (plan_plain(p, req, plan))
		return 0;
	page = getpagesize(); /* sysconf's long switch, per buffer, costs more */
	plan->allocator = "";
	plan->why[0] = '\0';
	if (!req->layout || req->layout->size == 0) {
		smaf_diag(why, "allocates linear layouts only");
		return -ENOTSUP;
	}
	plan->size = req->layout->size;
	if (req->constraints->base_align > (uint64_t)page) {
		smaf_diag(why, "base alignment %" PRIu64 " asked, SMAF guarantees %ld bytes",
			  req->constraints->base_align, page);
		return -EINVAL;
	}
	ret = plan_secure(be, p, req, why);
	if (ret == 0)
		ret = plan_contig(be, p, req, plan, why);
	return ret;
}

int smaf_list_paths(void *backend, struct la_device *const *devices, void *const *device_data,
		    size_t n, la_path_sink_fn sink, void *sink_data, struct la_why *why)
{
	struct smaf_backend *be = backend;
	static const char *const names[2] = {"smaf", "smaf-secure"};
	struct smaf_session *s;
	int ret = smaf_session_open(be, &s, why);

	if (ret == -ENOENT) {
		smaf_dbg(be, SMAF_NODE " absent: no SMAF paths");
		return 0;
	}
	if (ret < 0)
		return ret;
	/*
	 * smaf-secure is listed even without a secure module so that a
	 * protected negotiation's diagnosis says why it failed.
	 */
	for (int i = 0; i < 2 && ret >= 0; i++) {
		struct smaf_path *p = calloc(1, sizeof(*p));
		if (!p) {
			ret = -ENOMEM;
			break;
		}
		p->session = s;
		p->secure = i == 1;
		p->name = names[i];
		s->refs++;
		struct la_path_desc d = {
			.name = p->name,
			.rank = SMAF_RANK,
			/* concurrent: allocating reads the session, whose figures
			 * learnt later are set under its own lock (smaf-session.c) */
			.flags = LA_PATH_ADAPTIVE | LA_PATH_LINEAR_ONLY | LA_PATH_CONCURRENT |
				 (p->secure ? LA_PATH_PROTECTED : 0),
#if defined(__x86_64__) || defined(__i386__)
			/* pages and dma_alloc_attrs() memory are mapped cached on
			 * x86 (DMA is coherent); elsewhere smaf-contig's coherent
			 * memory may be write-combined, so say nothing */
			.caching = p->secure ? 0 : LA_CACHING_CACHED,
#endif
		};
		ret = sink(sink_data, &d, p); /* on failure the core releases p */
	}
	if (ret >= 0) {
		char list[256];
		smaf_session_describe(s, list, sizeof(list));
		/* the secure module and the contiguous limit are learnt when a
		 * negotiation needs them (a protected or contiguous one) */
		smaf_dbg(be, "allocators %s", list);
	}
	smaf_session_unref(s);
	return ret < 0 ? ret : 0;
}

int smaf_path_match(void *backend, void *path, const struct la_alloc_request *req, int *rank,
		    struct la_why *why)
{
	struct smaf_plan plan;

	(void)rank;
	return make_plan(backend, path, req, &plan, why);
}

static void fill_descriptor(const struct la_alloc_request *req, int fd, bool secure,
			    const struct smaf_plan *plan, struct la_descriptor *out)
{
	const struct la_layout *l = req->layout;

	out->format = req->format;
	out->modifier = req->modifier;
	out->width = req->width;
	out->height = req->height;
	out->plane_count = l->plane_count;
	for (uint32_t i = 0; i < l->plane_count && i < LA_MAX_PLANES; i++)
		out->planes[i] = (struct la_plane){
			.fd = fd, /* one dma-buf; the core closes a shared fd once */
			.offset = l->offset[i],
			.pitch = l->pitch[i],
			.size = l->plane_size[i],
		};
	out->flags = secure ? LA_BUFFER_PROTECTED : 0;
	if (plan->allocator[0])
		out->flags |= LA_BUFFER_CONTIGUOUS;
#if defined(__x86_64__) || defined(__i386__)
	if (!secure)
		out->flags |= LA_BUFFER_CACHED;
#endif
}

int smaf_path_allocate(void *backend, void *path, const struct la_alloc_request *req,
		       struct la_descriptor *out, struct la_why *why)
{
	struct smaf_backend *be = backend;
	struct smaf_path *p = path;
	struct smaf_plan plan;
	int fd, ret = make_plan(be, p, req, &plan, why);

	if (ret < 0)
		return ret;
	ret = smaf_create(p->session->fd, plan.size, plan.allocator, &fd);
	if (ret < 0) {
		smaf_diag(why, "SMAF_IOC_CREATE of %" PRIu64 " bytes%s%s: %s",
			  plan.size, plan.allocator[0] ? " forcing " : "", plan.allocator,
			  strerror(-ret));
		return ret;
	}
	if (p->secure) {
		/* before any import or map (-EBUSY after): never hand out the
		 * buffer unprotected if this fails */
		ret = smaf_set_secure(p->session->fd, fd);
		if (ret < 0) {
			smaf_diag(why, "SMAF_IOC_SET_SECURE_FLAG: %s%s", strerror(-ret),
				  ret == -EINVAL ? " (no secure module registered)" : "");
			close(fd);
			return ret;
		}
	}
	fill_descriptor(req, fd, p->secure, &plan, out);
	if (plan.allocator[0])
		smaf_dbg(be, "%s: %" PRIu64 " bytes, %s forced: %s", p->name, plan.size,
			 plan.allocator, plan.why);
	else
		smaf_dbg(be, "%s: %" PRIu64 " bytes, memory chosen by the kernel at first use",
			 p->name, plan.size);
	return 0;
}

void smaf_path_release(void *backend, void *path)
{
	struct smaf_path *p = path;

	(void)backend;
	if (!p)
		return;
	smaf_session_unref(p->session);
	free(p);
}
