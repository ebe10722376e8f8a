/* SPDX-License-Identifier: MIT */
/*
 * la_capset_deserialize() on hostile bytes (the blob another process sends).
 * Beyond "no crash, no leak": the binary form is canonical, so a blob that
 * is accepted must serialize back to the very same bytes, and the set must
 * survive a trip through JSON unchanged (both forms describe one thing).
 */
#include <errno.h>
#include <liballoc/liballoc.h>

#include "fuzz.h"

static bool same_info(const struct la_capset *a, const struct la_capset *b)
{
	struct la_capset_info x, y;

	la_capset_get_info(a, &x);
	la_capset_get_info(b, &y);
	return !strcmp(x.label, y.label) && !strcmp(x.driver, y.driver) &&
	       !strcmp(x.backend, y.backend) && !strcmp(x.import_reason, y.import_reason) &&
	       x.devnum == y.devnum && x.usage == y.usage && x.import_rule == y.import_rule;
}

static void check_json_roundtrip(const struct la_capset *set, const uint8_t *data, size_t size)
{
	struct la_capset *back = NULL;
	char *json = NULL;
	void *blob = NULL;
	size_t blob_size = 0;
	int ret = la_capset_to_json(set, &json);

	FUZZ_CHECK(ret == 0, "to_json: %d", ret);
	ret = la_capset_from_json(json, &back);
	FUZZ_CHECK(ret == 0, "the JSON liballoc wrote does not load: %s\n%s", la_last_diagnosis(),
		   json);
	FUZZ_CHECK(same_info(set, back), "identity changed through JSON:\n%s", json);
	FUZZ_CHECK(la_capset_serialize(back, &blob, &blob_size) == 0, "serialize after JSON");
	FUZZ_CHECK(blob_size == size && !memcmp(blob, data, size),
		   "set changed through JSON (%zu -> %zu bytes):\n%s", size, blob_size, json);
	free(blob);
	free(json);
	la_capset_destroy(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct la_capset *set = NULL;
	void *blob = NULL;
	size_t blob_size = 0;
	int ret = la_capset_deserialize(data, size, &set);

	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL || ret == -ENOMEM, "unexpected error %d", ret);
		FUZZ_CHECK(set == NULL, "failure left *out set");
		FUZZ_CHECK(la_last_diagnosis()[0], "failure without a diagnosis");
		return 0;
	}
	ret = la_capset_serialize(set, &blob, &blob_size);
	FUZZ_CHECK(ret == 0, "an accepted set does not serialize: %d", ret);
	FUZZ_CHECK(blob_size == size && !memcmp(blob, data, size),
		   "not canonical: %zu bytes in, %zu bytes out", size, blob_size);
	free(blob);
	check_json_roundtrip(set, data, size);
	la_capset_destroy(set);
	return 0;
}
