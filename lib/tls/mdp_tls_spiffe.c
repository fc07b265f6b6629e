/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "tls/mdp_tls_spiffe.h"

/* SPIFFE ID 2.1: trust domain characters. */
static bool
td_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
	       c == '_';
}

/* SPIFFE ID 2.2: path segment characters (no percent-encoding). */
static bool
path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_';
}

int
mdp_tls_spiffe_td_valid(const char *s, size_t len)
{
	if (s == NULL || len == 0 || len > MDP_SPIFFE_TD_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!td_char(s[i]))
			return 0;
	return 1;
}

static bool
seg_is(const char *seg, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(seg, word, len) == 0;
}

int
mdp_tls_spiffe_id_parse(const char *s, size_t len, struct mdp_spiffe_id *out)
{
	static const char scheme[] = "spiffe://";
	const size_t slen = sizeof(scheme) - 1;
	const char *seg[4] = { NULL }, *p, *end, *td;
	size_t seg_len[4] = { 0 };
	unsigned nseg = 0;

	/* SPIFFE ID 2.3: at most 2048 bytes; the scheme is lowercase. */
	if (s == NULL || len < slen || len > MDP_SPIFFE_ID_MAX || memcmp(s, scheme, slen) != 0)
		return -EINVAL;
	end = s + len;
	td = p = s + slen;
	while (p < end && *p != '/') {
		if (!td_char(*p))	/* ':' (port), '@' (userinfo), '%', '?', '#', NUL */
			return -EINVAL;
		p++;
	}
	if (p == td || (size_t)(p - td) > MDP_SPIFFE_TD_MAX)
		return -EINVAL;
	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		out->td = td;
		out->td_len = (size_t)(p - td);
		out->path = p;
		out->path_len = (size_t)(end - p);
	}
	while (p < end) {
		const char *b = ++p;	/* past '/' */
		size_t n;

		while (p < end && *p != '/') {
			if (!path_char(*p))
				return -EINVAL;
			p++;
		}
		n = (size_t)(p - b);
		/* SPIFFE ID 2.2: no empty segment (so no trailing '/'), no
		 * relative segments */
		if (n == 0 || seg_is(b, n, ".") || seg_is(b, n, ".."))
			return -EINVAL;
		if (nseg < 4) {
			seg[nseg] = b;
			seg_len[nseg] = n;
		}
		nseg++;
	}
	if (out != NULL && nseg == 4 && seg_is(seg[0], seg_len[0], "ns") &&
	    seg_is(seg[2], seg_len[2], "sa")) {
		out->ns = seg[1];
		out->ns_len = seg_len[1];
		out->sa = seg[3];
		out->sa_len = seg_len[3];
	}
	return 0;
}
