/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "http/mdp_http.h"
#include "fuzz_http_common.h"

/*
 * mdp_http_parse_request() on arbitrary bytes, then what the proxy does
 * next: normalize the path and decode the body that follows the head. The
 * input is the bytes a client sent. Checked on every input:
 *  - the return contract (head length, "need more", or an error with its
 *    status and string), and that a head is never waited for once the
 *    bytes at hand exceed max_head;
 *  - an accepted head: every string and header inside the head, names are
 *    tokens, values trimmed and free of CR/LF/NUL/CTL, ids and hop flags
 *    right, framing consistent; a shorter prefix is "need more"; parsing
 *    again gives the same answer; with small limits the answer is the
 *    same or a limit error;
 *  - the normalized path (of the request, and of the raw input as a path):
 *    starts with '/', no "//", no dot-segments, escapes upper-case and
 *    never of '/', '\', NUL or unreserved characters, idempotent;
 *  - the body decoded whole, a byte at a time and in random pieces gives
 *    the same result, end and data, with spans inside the input.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mdp_http_header h1[FUZZ_NHDR], h2[FUZZ_NHDR];

static bool
limit_err(int rc)
{
	return rc == -(int)MDP_HTTP_E_LINE_TOO_LONG || rc == -(int)MDP_HTTP_E_HEAD_TOO_LARGE ||
	       rc == -(int)MDP_HTTP_E_TOO_MANY_HEADERS;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mdp_http_limits small = {
		.max_request_line = 40, .max_head = 160, .max_headers = 4, .max_chunk_line = 12,
	};
	struct mdp_http_msg m = { .headers = h1, .headers_cap = FUZZ_NHDR };
	struct mdp_http_msg m2 = { .headers = h2, .headers_cap = FUZZ_NHDR };
	const char *buf = (const char *)data;
	int rc, rc2;

	check_path(buf, size);

	rc = mdp_http_parse_request(buf, size, NULL, &m);
	check_rc(rc, &m, false);
	if (rc == MDP_HTTP_INCOMPLETE)
		CHECK(size < 65536, "waiting with %zu bytes", size);

	rc2 = mdp_http_parse_request(buf, size, NULL, &m2);
	CHECK(rc2 == rc && m2.n_headers == m.n_headers, "not deterministic");

	rc2 = mdp_http_parse_request(buf, size, &small, &m2);
	check_rc(rc2, &m2, false);
	CHECK(rc2 == rc || limit_err(rc2), "small limits: %d, default %d", rc2, rc);
	if (rc2 == MDP_HTTP_INCOMPLETE)
		CHECK(size < small.max_head, "waiting with %zu bytes (small)", size);

	if (rc <= 0)
		return 0;

	check_head(buf, size, &m, FUZZ_NHDR);
	CHECK(m.method_str.p != NULL && m.target.p != NULL && m.target.len > 0, "request line");
	CHECK(m.body != MDP_HTTP_BODY_UNTIL_CLOSE, "request until close");
	CHECK(m.status == 0 && !m.tunnel, "response fields in a request");
	CHECK(m.version == 0 || m.host >= 0, "HTTP/1.1 without Host");
	if (m.host >= 0)
		CHECK(m.host < m.n_headers && m.headers[m.host].id == MDP_HTTP_H_HOST &&
		      m.headers[m.host].value_len > 0, "host index");
	CHECK(m.target_form != MDP_HTTP_T_AUTHORITY || m.method == MDP_HTTP_M_CONNECT,
	      "authority form");
	CHECK((m.target_form == MDP_HTTP_T_AUTHORITY) == (m.method == MDP_HTTP_M_CONNECT),
	      "CONNECT form");
	CHECK(m.target_form != MDP_HTTP_T_ASTERISK || m.method == MDP_HTTP_M_OPTIONS,
	      "asterisk form");
	CHECK(memchr(m.target.p, '#', m.target.len) == NULL, "fragment");
	if (m.target_form == MDP_HTTP_T_ORIGIN)
		CHECK(m.path.p == m.target.p && m.path.len >= 1 && m.path.p[0] == '/', "origin path");
	if (m.target_form == MDP_HTTP_T_ORIGIN || m.target_form == MDP_HTTP_T_ABSOLUTE)
		check_path(m.path.p, m.path.len);
	if (m.version == 1)
		CHECK(m.authority.p != NULL && m.authority.len > 0, "no authority");

	/* every shorter prefix needs more: check a few */
	CHECK(mdp_http_parse_request(buf, (size_t)rc - 1, NULL, &m2) == MDP_HTTP_INCOMPLETE,
	      "prefix rc - 1 complete");
	CHECK(mdp_http_parse_request(buf, (size_t)rc / 2, NULL, &m2) == MDP_HTTP_INCOMPLETE,
	      "prefix rc / 2 complete");
	/* the head alone parses the same */
	CHECK(mdp_http_parse_request(buf, (size_t)rc, NULL, &m2) == rc && m2.body == m.body &&
	      m2.content_length == m.content_length && m2.n_headers == m.n_headers,
	      "head alone differs");

	check_body(&m, NULL, buf + rc, size - (size_t)rc);
	check_body(&m, &small, buf + rc, size - (size_t)rc);
	return 0;
}
