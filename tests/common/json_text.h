/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TEST_JSON_TEXT_H
#define MDP_TEST_JSON_TEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/*
 * JSON written with ' for " so that documents stay readable as C literals
 * (no test string needs an apostrophe). Any JSON value; \u0000 allowed.
 * Returns a new reference, or NULL (with the reason on stderr).
 */
static inline json_t *
mdp_test_json(const char *text)
{
	char *s = strdup(text);
	json_error_t je;
	json_t *d;

	if (s == NULL)
		return NULL;
	for (char *p = s; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	d = json_loads(s, JSON_ALLOW_NUL | JSON_DECODE_ANY, &je);
	if (d == NULL)
		fprintf(stderr, "\nbad test JSON (%s at %d): %s\n", je.text, je.column, text);
	free(s);
	return d;
}

#endif
