/* SPDX-License-Identifier: MIT */
/*
 * la_capset_from_json() on hostile text (a capability file from anywhere).
 * A document that loads must survive to_json -> from_json and the binary
 * form unchanged: the writers and readers must agree on every value the
 * loader accepts.
 */
#include <errno.h>
#include <liballoc/liballoc.h>

#include "fuzz.h"

static bool same_set(const struct la_capset *a, const struct la_capset *b)
{
	struct la_capset_info x, y;
	size_t n = la_capset_get_candidate_count(a);

	la_capset_get_info(a, &x);
	la_capset_get_info(b, &y);
	if (strcmp(x.label, y.label) || strcmp(x.driver, y.driver) || strcmp(x.backend, y.backend) ||
	    strcmp(x.import_reason, y.import_reason) || x.devnum != y.devnum ||
	    x.usage != y.usage || x.import_rule != y.import_rule ||
	    n != la_capset_get_candidate_count(b))
		return false;
	for (size_t i = 0; i < n; i++) {
		struct la_candidate c, d;
		if (la_capset_get_candidate(a, i, &c) < 0 || la_capset_get_candidate(b, i, &d) < 0 ||
		    !fuzz_same_candidate(&c, &d))
			return false;
	}
	return true;
}

static void check_roundtrips(const struct la_capset *set)
{
	struct la_capset *back = NULL, *bin = NULL;
	char *json = NULL;
	void *blob = NULL;
	size_t blob_size = 0;

	FUZZ_CHECK(la_capset_to_json(set, &json) == 0, "to_json");
	FUZZ_CHECK(la_capset_from_json(json, &back) == 0, "the JSON liballoc wrote does not load: %s\n%s",
		   la_last_diagnosis(), json);
	FUZZ_CHECK(same_set(set, back), "set changed through to_json/from_json:\n%s", json);
	FUZZ_CHECK(la_capset_serialize(set, &blob, &blob_size) == 0, "serialize");
	FUZZ_CHECK(la_capset_deserialize(blob, blob_size, &bin) == 0, "deserialize: %s",
		   la_last_diagnosis());
	FUZZ_CHECK(same_set(set, bin), "set changed through the binary form");
	la_capset_destroy(bin);
	la_capset_destroy(back);
	free(blob);
	free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct la_capset *set = NULL;
	char *text = malloc(size + 1);
	int ret;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ret = la_capset_from_json(text, &set);
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL || ret == -ENOMEM, "unexpected error %d", ret);
		FUZZ_CHECK(set == NULL, "failure left *out set");
		FUZZ_CHECK(la_last_diagnosis()[0], "failure without a diagnosis");
	} else {
		check_roundtrips(set);
		la_capset_destroy(set);
	}
	free(text);
	return 0;
}
