/* SPDX-License-Identifier: MIT */
/*
 * Each public header compiles on its own, first, with strict flags: a user
 * must not have to include anything before it. Built once per header.
 */
#include LA_HEADER

int main(void)
{
	return 0;
}
