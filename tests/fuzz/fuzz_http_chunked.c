/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdint.h>

#include "http/mdp_http.h"
#include "fuzz_http_common.h"

/*
 * The chunked body decoder alone (mdp_http_body_feed()), on arbitrary bytes
 * after a head that said "Transfer-Encoding: chunked": the input is the
 * body and whatever follows it. Fed whole, a byte at a time and in random
 * pieces, with the default limits and with small ones, it must agree with
 * itself on the result, the end of the body and the data; spans stay
 * inside the input, in order; errors are body errors with status 400; a
 * complete body ends with CRLF.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mdp_http_limits small = {
		.max_request_line = 40, .max_head = 32, .max_headers = 2, .max_chunk_line = 12,
	};
	struct mdp_http_msg m = { .body = MDP_HTTP_BODY_CHUNKED, .version = 1 };

	check_body(&m, NULL, (const char *)data, size);
	check_body(&m, &small, (const char *)data, size);
	return 0;
}
