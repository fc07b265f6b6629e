/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_HTTP_CHARS_H
#define MDP_HTTP_CHARS_H

/*
 * Character classes shared by the lib/http sources (internal: not for
 * other modules). One table lookup per byte in the scanning loops.
 */

#include <stdbool.h>
#include <stdint.h>

#define MDP_HC_TOKEN	0x01	/* tchar (RFC 9110 5.6.2) */
#define MDP_HC_VALUE	0x02	/* field-vchar, SP, HTAB, obs-text */
#define MDP_HC_PATH	0x04	/* pchar and '/' (RFC 3986 3.3) */
#define MDP_HC_QUERY	0x08	/* what we accept in a query: VCHAR but '#' */
#define MDP_HC_UNRES	0x10	/* unreserved: ALPHA DIGIT - . _ ~ */
#define MDP_HC_HEX	0x20	/* HEXDIG, either case */
#define MDP_HC_QDTEXT	0x40	/* qdtext (RFC 9110 5.6.4) */
#define MDP_HC_DIGIT	0x80

extern const uint8_t mdp_http_cc[256];

static inline bool
mdp_hc(unsigned char c, uint8_t cls)
{
	return (mdp_http_cc[c] & cls) != 0;
}

static inline unsigned
mdp_hc_hexval(unsigned char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

#endif
