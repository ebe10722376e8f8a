/* SPDX-License-Identifier: MIT */
/*
 * Merging the limits of one combination of interned (plane_count,
 * constraints), one per device, for join.c, which does it once per
 * distinct combination.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "join.h"

static const struct la_candidate *rep(const struct la_limits_in *in, size_t set, uint32_t cid)
{
	return &in->sets[set]->cands[in->idx[set]->cid_pos[cid]];
}

/*
 * Width and height limits hold whatever the modifier. The layout code
 * checks them for linear candidates only, so check every combination here
 * and name the device whose limit refused it.
 */
static int check_size_limits(const struct la_limits_in *in, const uint32_t *t,
			     const struct la_constraints *c, char *why, size_t len)
{
	uint32_t width = in->width, height = in->height;
	bool wide = c->max_width && width > c->max_width;
	const char *owner = "the merged constraints";

	if (!wide && !(c->max_height && height > c->max_height))
		return 0;
	for (size_t i = 0; i < in->n; i++) {
		const struct la_constraints *k = &rep(in, i, t[i])->constraints;
		if (wide ? k->max_width == c->max_width : k->max_height == c->max_height) {
			owner = in->sets[i]->identity.label;
			break;
		}
	}
	if (wide)
		snprintf(why, len, "width %u exceeds max_width %u of %s", width, c->max_width, owner);
	else
		snprintf(why, len, "height %u exceeds max_height %u of %s", height, c->max_height,
			 owner);
	return -EINVAL;
}

int la_merge_limits(const struct la_limits_in *in, const uint32_t *t, struct la_constraints *m,
		    uint32_t *planes, uint32_t *fail_set, char *why, size_t len)
{
	const struct la_candidate *c0 = rep(in, 0, t[0]);

	*m = c0->constraints;
	*planes = c0->plane_count;
	for (size_t i = 1; i < in->n; i++) {
		const struct la_candidate *c = rep(in, i, t[i]);
		const char *what = NULL;
		*fail_set = (uint32_t)i;
		if (c->plane_count && *planes && c->plane_count != *planes) {
			snprintf(why, len, "%s wants %u memory planes, %s wants %u",
				 in->sets[0]->identity.label, *planes, in->sets[i]->identity.label,
				 c->plane_count);
			return -EINVAL;
		}
		if (c->plane_count)
			*planes = c->plane_count;
		int ret = la_constraints_merge(m, &c->constraints, &what);
		if (ret < 0) {
			snprintf(why, len, "%s of %s %s", what, in->sets[i]->identity.label,
				 ret == -EOVERFLOW ? "overflows when merged with the others"
						   : "conflicts with the others");
			return ret;
		}
	}
	*fail_set = (uint32_t)in->n;
	/*
	 * Requiring protected memory implies being able to use it. Merging
	 * (merge_flags()) records that for two or more devices; a device
	 * negotiating alone must get the same, or paths.c would find that
	 * "not every device may access" the protected memory it requires.
	 */
	if (m->flags & LA_CONSTRAINT_PROTECTED_REQUIRED)
		m->flags |= LA_CONSTRAINT_PROTECTED_OK;
	return check_size_limits(in, t, m, why, len);
}

/* An implicit layout is read back only by a device that shares it (implicit.c). */
bool la_implicit_shared(const struct la_capset *a, const struct la_capset *b, char *why,
			    size_t why_len)
{
	const struct la_identity *x = &a->identity, *y = &b->identity;
	struct la_layout_id ia, ib;
	char da[96], db[96];

	la_layout_id_of_identity(x, &ia);
	la_layout_id_of_identity(y, &ib);
	if (la_layout_id_shared(&ia, &ib))
		return true;
	la_layout_id_describe(&ia, da, sizeof(da));
	la_layout_id_describe(&ib, db, sizeof(db));
	if (strcmp(x->driver, y->driver) != 0)
		snprintf(why, why_len, "implicit modifier cannot be shared between %s and %s "
			 "(different drivers, no common layout domain)", x->label, y->label);
	else
		snprintf(why, why_len, "implicit modifier cannot be shared between %s (%s) and %s (%s): "
			 "different devices of driver %s; an implicit layout is shared only within "
			 "one device or a layout domain its backend declares", x->label, da, y->label,
			 db, x->driver);
	return false;
}

