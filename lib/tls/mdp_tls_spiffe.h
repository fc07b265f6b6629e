/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TLS_SPIFFE_H
#define MDP_TLS_SPIFFE_H

#include <stddef.h>

/*
 * SPIFFE IDs (spiffe.io, "SPIFFE ID" standard, section 2): pure string
 * parsing, no OpenSSL, usable on workers (no allocation). Certificates are
 * read by mdp_tls_cert_spiffe_id() in tls/mdp_tls_ctx.h.
 */

#define MDP_SPIFFE_ID_MAX 2048	/* bytes of a whole ID (SPIFFE ID 2.3) */
#define MDP_SPIFFE_TD_MAX 255	/* bytes of a trust domain (SPIFFE ID 2.1) */

/*
 * A parsed ID: pointers into the parsed string (valid as long as it is),
 * lengths without a terminator.
 *  - td: the trust domain ("cluster.local").
 *  - path: "" (the trust domain's own ID) or "/seg/seg...".
 *  - ns, sa: set only when the path is exactly /ns/NS/sa/SA (Istio's
 *    workload identities); NULL with length 0 otherwise.
 */
struct mdp_spiffe_id {
	const char *td;
	size_t td_len;
	const char *path;
	size_t path_len;
	const char *ns;
	size_t ns_len;
	const char *sa;
	size_t sa_len;
};

/*
 * Parse s[0..len) as a SPIFFE ID. The rules (SPIFFE ID 2.1-2.3):
 *  - the scheme is "spiffe://", lowercase;
 *  - the trust domain is 1..255 of [a-z0-9.-_]: so no uppercase, port,
 *    userinfo, percent-encoding;
 *  - the path is empty or segments "/seg", each 1+ of [A-Za-z0-9.-_] and
 *    neither "." nor "..": so no empty segment, no trailing slash, no
 *    percent-encoding, query or fragment;
 *  - at most 2048 bytes; a NUL anywhere in s[0..len) is invalid.
 * Returns 0 and fills *out (which may be NULL to only validate), or
 * -EINVAL.
 */
int mdp_tls_spiffe_id_parse(const char *s, size_t len, struct mdp_spiffe_id *out);

/* 1 when s[0..len) is a valid trust domain name (the td rules above). */
int mdp_tls_spiffe_td_valid(const char *s, size_t len);

#endif
