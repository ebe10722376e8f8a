/* SPDX-License-Identifier: MIT */
/* la-wlr-compositor's options (the list is in compositor.c's comment). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "comp.h"

static int parse_modes(const char *arg, struct opts *o)
{
	const char *p = arg;

	o->n_modes = 0;
	while (*p) {
		int w, h, n = 0;
		if (o->n_modes == MAX_MODES || sscanf(p, "%dx%d%n", &w, &h, &n) != 2 || w < 1 ||
		    h < 1 || (p[n] != ',' && p[n] != '\0'))
			return -1;
		o->mode_w[o->n_modes] = w;
		o->mode_h[o->n_modes++] = h;
		p += n + (p[n] == ',');
	}
	return o->n_modes ? 0 : -1;
}

int comp_parse(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{"card", required_argument, NULL, 'c'},
		{"frames", required_argument, NULL, 'f'},
		{"screenshot", required_argument, NULL, 's'},
		{"also", required_argument, NULL, 'a'},
		{"probe", required_argument, NULL, 'p'},
		{"mode", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int ch;

	o->frames = 30;
	while ((ch = getopt_long(argc, argv, "vh", longs, NULL)) != -1) {
		switch (ch) {
		case 'c': o->card = optarg; break;
		case 'f': o->frames = atoi(optarg); break;
		case 's': o->screenshot = optarg; break;
		case 'p': o->probe = optarg; break;
		case 'v': o->verbose = true; break;
		case 'm':
			if (parse_modes(optarg, o) < 0) {
				fprintf(stderr, "--mode %s: want WxH[,WxH]... (at most %d)\n", optarg,
					MAX_MODES);
				return -1;
			}
			break;
		case 'a':
			if (o->n_also == MAX_ALSO) {
				fprintf(stderr, "--also: at most %d\n", MAX_ALSO);
				return -1;
			}
			o->also[o->n_also++] = optarg;
			break;
		case 'h':
			printf("usage: la-wlr-compositor [--card NODE] [--mode WxH[,WxH]...] [--frames N] "
			       "[--screenshot CMD] [--also NODE:USAGE]... [--probe FORMAT[:WxH]] [-v]\n");
			exit(0);
		default:
			return -1;
		}
	}
	if (optind != argc || o->frames < 1 || o->frames < o->n_modes) {
		fprintf(stderr, "usage: see --help\n");
		return -1;
	}
	return 0;
}
