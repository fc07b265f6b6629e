/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "http/mdp_http.h"
#include "fuzz_http_common.h"

/*
 * mdp_http_parse_response() on arbitrary bytes, then the body that
 * follows. The first input byte says what the request was: 'H' HEAD, 'C'
 * CONNECT, anything else GET; the rest is what the upstream sent. Checked
 * on every input: the return contract (every error answers 502); an
 * accepted head's strings, headers and framing (RFC 9112 6.3: no body for
 * HEAD, 1xx, 204, 304; a tunnel only after 101 or a 2xx to CONNECT; a body
 * until close is never kept alive); prefixes need more; and the body
 * decoded whole, a byte at a time and in random pieces agrees.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mdp_http_header h1[FUZZ_NHDR], h2[FUZZ_NHDR];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mdp_http_msg m = { .headers = h1, .headers_cap = FUZZ_NHDR };
	struct mdp_http_msg m2 = { .headers = h2, .headers_cap = FUZZ_NHDR };
	enum mdp_http_method req = MDP_HTTP_M_GET;
	const char *buf;
	unsigned s;
	int rc;

	if (size == 0)
		return 0;
	if (data[0] == 'H')
		req = MDP_HTTP_M_HEAD;
	else if (data[0] == 'C')
		req = MDP_HTTP_M_CONNECT;
	buf = (const char *)data + 1;
	size--;

	rc = mdp_http_parse_response(buf, size, NULL, req, &m);
	check_rc(rc, &m, true);
	if (rc == MDP_HTTP_INCOMPLETE)
		CHECK(size < 65536, "waiting with %zu bytes", size);
	CHECK(mdp_http_parse_response(buf, size, NULL, req, &m2) == rc, "not deterministic");
	if (rc <= 0)
		return 0;

	check_head(buf, size, &m, FUZZ_NHDR);
	s = m.status;
	CHECK(s >= 100 && s <= 599, "status %u", s);
	CHECK(m.reason.p != NULL, "no reason");
	CHECK(m.host == -1 && m.method == MDP_HTTP_M_OTHER && m.target.p == NULL,
	      "request fields in a response");
	if (req == MDP_HTTP_M_HEAD || s < 200 || s == 204 || s == 304)
		CHECK(m.body == MDP_HTTP_BODY_NONE, "body where there is none");
	CHECK(m.tunnel == (s == 101 || (s / 100 == 2 && req == MDP_HTTP_M_CONNECT)), "tunnel");
	CHECK(m.upgrade == (s == 101), "upgrade");
	CHECK(!m.tunnel || (m.body == MDP_HTTP_BODY_NONE && !m.keep_alive), "tunnel framing");
	CHECK(m.body != MDP_HTTP_BODY_UNTIL_CLOSE || !m.keep_alive, "until close kept alive");
	CHECK(mdp_http_parse_response(buf, (size_t)rc - 1, NULL, req, &m2) == MDP_HTTP_INCOMPLETE,
	      "prefix rc - 1 complete");

	check_body(&m, NULL, buf + rc, size - (size_t)rc);
	return 0;
}
