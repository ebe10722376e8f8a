/* SPDX-License-Identifier: MIT */
/*
 * What the probe dumb buffers taught (device.c), as the text of a probe
 * cache answer (../common/probe-cache.h: key "dumb-pitch"), so that the
 * next process of the boot on the same device does not create and destroy
 * two buffers again: "<pitch alignment> <reason>", alignment 0 when dumb
 * buffers work but no pitch rule was learnt. The cache's key and checks
 * (device number, driver, sysfs identity, boot id) decide whether the
 * answer holds; this text only has to come back as it went in, and a text
 * that does not (another version, a damaged file) means probing again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumb-answer.h"

int drm_dumb_answer_format(uint32_t align, const char *reason, char *out, size_t len)
{
	int n;

	if (!reason[0] || (align & (align - 1)) || align > DRM_DUMB_ALIGN_MAX)
		return -1;
	n = snprintf(out, len, "%u %s", align, reason);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

bool drm_dumb_answer_parse(const char *text, uint32_t *align, char *reason, size_t len)
{
	unsigned long v;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return false;
	v = strtoul(text, &end, 10);
	if (*end != ' ' || !end[1] || v > DRM_DUMB_ALIGN_MAX || (v & (v - 1)) ||
	    strlen(end + 1) >= len)
		return false;
	*align = (uint32_t)v;
	strcpy(reason, end + 1);
	return true;
}
