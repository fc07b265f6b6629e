/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "http/mdp_http.h"
#include "unit.h"

#define NHDR	128

static struct mdp_http_header hdr[NHDR];
static struct mdp_http_msg msg = { .headers = hdr, .headers_cap = NHDR };

#define E(name)	MDP_HTTP_E_##name
#define ERR(name)	(-(int)MDP_HTTP_E_##name)

static int
req_lim(const char *s, size_t len, const struct mdp_http_limits *lim)
{
	return mdp_http_parse_request(s, len, lim, &msg);
}

static int
req(const char *s)
{
	return req_lim(s, strlen(s), NULL);
}

static int
rsp(const char *s, enum mdp_http_method m)
{
	return mdp_http_parse_response(s, strlen(s), NULL, m, &msg);
}

static bool
str_is(struct mdp_http_str s, const char *want)
{
	if (want == NULL)
		return s.p == NULL;
	return s.p != NULL && s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

/* The value of the first field named name (case-sensitive here), or NULL. */
static const struct mdp_http_header *
field(const char *name)
{
	for (unsigned i = 0; i < msg.n_headers; i++)
		if (msg.headers[i].name_len == strlen(name) &&
		    memcmp(msg.headers[i].name, name, strlen(name)) == 0)
			return &msg.headers[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Rejected requests: the reason, its status, and for every prefix of the
 * input either "need more" or the same reason (errors never depend on
 * how the bytes arrived). */

#define CRLF "\r\n"
#define RL "GET / HTTP/1.1" CRLF
#define POST "POST / HTTP/1.1" CRLF "Host: a" CRLF

struct reject {
	const char *in;
	size_t len;		/* 0: strlen */
	enum mdp_http_err err;
	unsigned status;
};

#define REJ(s, e, st)	{ s, sizeof(s) - 1, E(e), st }

static const struct reject rejects[] = {
	/* Content-Length with Transfer-Encoding, both orders */
	REJ(POST "Content-Length: 5" CRLF "Transfer-Encoding: chunked" CRLF CRLF, CL_AND_TE, 400),
	REJ(POST "Transfer-Encoding: chunked" CRLF "Content-Length: 5" CRLF CRLF, CL_AND_TE, 400),
	REJ(POST "Transfer-Encoding: chunked" CRLF "Content-Length: 0" CRLF CRLF, CL_AND_TE, 400),
	/* Transfer-Encoding not ending in chunked, unknown, twice */
	REJ(POST "Transfer-Encoding: gzip" CRLF CRLF, TE_NOT_CHUNKED, 400),
	REJ(POST "Transfer-Encoding: chunked, gzip" CRLF CRLF, TE_NOT_CHUNKED, 400),
	REJ(POST "Transfer-Encoding: chunked" CRLF "Transfer-Encoding: gzip" CRLF CRLF,
	    TE_NOT_CHUNKED, 400),
	REJ(POST "Transfer-Encoding: foo" CRLF CRLF, TE_UNSUPPORTED, 501),
	REJ(POST "Transfer-Encoding: foo, chunked" CRLF CRLF, TE_UNSUPPORTED, 501),
	REJ(POST "Transfer-Encoding: gzip, chunked" CRLF CRLF, TE_UNSUPPORTED, 501),
	REJ(POST "Transfer-Encoding: chunked, chunked" CRLF CRLF, TE_CHUNKED_TWICE, 400),
	REJ(POST "Transfer-Encoding: chunked" CRLF "Transfer-Encoding: chunked" CRLF CRLF,
	    TE_CHUNKED_TWICE, 400),
	REJ(POST "Transfer-Encoding:" CRLF CRLF, TE_INVALID, 400),
	REJ(POST "Transfer-Encoding: , chunked" CRLF CRLF, TE_INVALID, 400),
	REJ(POST "Transfer-Encoding: chunked," CRLF CRLF, TE_INVALID, 400),
	REJ(POST "Transfer-Encoding: chunked;q=1" CRLF CRLF, TE_INVALID, 400),
	REJ(POST "Transfer-Encoding: chunk ed" CRLF CRLF, TE_INVALID, 400),
	REJ(POST "Transfer-Encoding: \"chunked\"" CRLF CRLF, TE_INVALID, 400),
	REJ("POST / HTTP/1.0" CRLF "Transfer-Encoding: chunked" CRLF CRLF, TE_HTTP10, 400),
	/* Content-Length: empty, signed, lists, not digits, overflowing */
	REJ(POST "Content-Length:" CRLF CRLF, CL_INVALID, 400),
	REJ(POST "Content-Length:   " CRLF CRLF, CL_INVALID, 400),
	REJ(POST "Content-Length: +5" CRLF CRLF, CL_INVALID, 400),
	REJ(POST "Content-Length: -5" CRLF CRLF, CL_INVALID, 400),
	REJ(POST "Content-Length: 5, 5" CRLF CRLF, CL_INVALID, 400),
	REJ(POST "Content-Length: 5,5" CRLF CRLF, CL_INVALID, 400),
	REJ(POST "Content-Length: 5 5" CRLF CRLF, CL_INVALID, 400),
	REJ(POST "Content-Length: 0x5" CRLF CRLF, CL_INVALID, 400),
	REJ(POST "Content-Length: 5a" CRLF CRLF, CL_INVALID, 400),
	REJ(POST "Content-Length: a5" CRLF CRLF, CL_INVALID, 400),
	REJ(POST "Content-Length: 1.0" CRLF CRLF, CL_INVALID, 400),
	REJ(POST "Content-Length: \"5\"" CRLF CRLF, CL_INVALID, 400),
	REJ(POST "Content-Length: 9223372036854775808" CRLF CRLF, CL_OVERFLOW, 400),
	REJ(POST "Content-Length: 18446744073709551621" CRLF CRLF, CL_OVERFLOW, 400),
	REJ(POST "Content-Length: 5" CRLF "Content-Length: 6" CRLF CRLF, CL_DUP, 400),
	REJ(POST "Content-Length: 5" CRLF "Content-Length: 5" CRLF CRLF, CL_DUP, 400),
	/* field syntax */
	REJ(RL "Host : a" CRLF CRLF, WS_BEFORE_COLON, 400),
	REJ(RL "Host\t: a" CRLF CRLF, WS_BEFORE_COLON, 400),
	REJ(POST "Content-Length : 5" CRLF CRLF, WS_BEFORE_COLON, 400),
	REJ(RL "Host: a" CRLF "X: a" CRLF " b" CRLF CRLF, OBS_FOLD, 400),
	REJ(RL "Host: a" CRLF "X: a" CRLF "\tb" CRLF CRLF, OBS_FOLD, 400),
	REJ(RL " Host: a" CRLF CRLF, OBS_FOLD, 400),
	REJ(RL "Host: a" CRLF "X: a\rb" CRLF CRLF, BARE_CR, 400),
	REJ(RL "Host: a\r" CRLF CRLF, BARE_CR, 400),
	REJ(RL "Host: a" CRLF "\r\r\n", BARE_CR, 400),
	REJ("GET / HTTP/1.1\rHost: a" CRLF CRLF, BARE_CR, 400),
	REJ(RL "Host: a\n" CRLF, BARE_LF, 400),
	REJ(RL "Host: a" CRLF "\n", BARE_LF, 400),
	REJ("GET / HTTP/1.1\nHost: a" CRLF CRLF, BARE_LF, 400),
	REJ(RL "Host: a" CRLF "X: a\nb" CRLF CRLF, BARE_LF, 400),
	REJ(RL "Host: a" CRLF "X\n: a" CRLF CRLF, BARE_LF, 400),
	REJ(RL "Host: a" CRLF "X: a\0b" CRLF CRLF, VALUE_NUL, 400),
	REJ(RL "Host: a" CRLF "X: \0" CRLF CRLF, VALUE_NUL, 400),
	REJ(RL "Host: a" CRLF "X: a\x01" CRLF CRLF, VALUE_CTL, 400),
	REJ(RL "Host: a" CRLF "X: a\x1f" CRLF CRLF, VALUE_CTL, 400),
	REJ(RL "Host: a" CRLF "X: a\x7f" CRLF CRLF, VALUE_CTL, 400),
	REJ(RL "Host: a" CRLF "X: a\x0b" CRLF CRLF, VALUE_CTL, 400),
	REJ(RL "Host: a" CRLF ": a" CRLF CRLF, NAME, 400),
	REJ(RL "Host: a" CRLF "X(: a" CRLF CRLF, NAME, 400),
	REJ(RL "Host: a" CRLF "X@Y: a" CRLF CRLF, NAME, 400),
	REJ(RL "Host: a" CRLF "X\"Y: a" CRLF CRLF, NAME, 400),
	REJ(RL "Host: a" CRLF "\xc3\xa9: a" CRLF CRLF, NAME, 400),
	REJ(RL "Host: a" CRLF "X\0: a" CRLF CRLF, NAME, 400),
	REJ(RL "Host: a" CRLF "Xa" CRLF CRLF, NAME, 400),
	REJ(RL "Host: a" CRLF "X a: b" CRLF CRLF, WS_BEFORE_COLON, 400),
	/* the same past the first 8 bytes (scanned a word at a time) */
	REJ(RL "Host: a" CRLF "X-Long-Name-Here(x: a" CRLF CRLF, NAME, 400),
	REJ(RL "Host: a" CRLF "X-Long-Name-Here\x80: a" CRLF CRLF, NAME, 400),
	REJ(RL "Host: a" CRLF "X-Long-Name-Here@: a" CRLF CRLF, NAME, 400),
	REJ(RL "Host: a" CRLF "X-Long-Name-Here : a" CRLF CRLF, WS_BEFORE_COLON, 400),
	REJ(RL "Host: a" CRLF "X-Long-Name-Here\n: a" CRLF CRLF, BARE_LF, 400),
	REJ(RL "Host: a" CRLF "X: 0123456789abcdef\x7f" CRLF CRLF, VALUE_CTL, 400),
	REJ(RL "Host: a" CRLF "X: 0123456789abcdef\0" CRLF CRLF, VALUE_NUL, 400),
	REJ(RL "Host: a" CRLF "X: 01234567\t89abcdef\x01ghijklmnop" CRLF CRLF, VALUE_CTL, 400),
	REJ(RL "Host: a" CRLF "X: 0123456789abcdef\rghijklmnop" CRLF CRLF, BARE_CR, 400),
	REJ(RL "Host: a" CRLF "X: 0123456789abcdef\nghijklmnop" CRLF CRLF, BARE_LF, 400),
	REJ("ABCDEFGHIJKLMNOP(Q / HTTP/1.1" CRLF "Host: a" CRLF CRLF, METHOD, 400),
	REJ("ABCDEFGHIJKLMNOP:Q / HTTP/1.1" CRLF "Host: a" CRLF CRLF, METHOD, 400),
	REJ("GET /0123456789abcdef#x HTTP/1.1" CRLF "Host: a" CRLF CRLF, FRAGMENT, 400),
	REJ("GET /0123456789abcdef\x80 HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET /0123456789abcdef\x7f HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET /0123456789abcdef\t HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	/* request line */
	REJ("GE(T / HTTP/1.1" CRLF "Host: a" CRLF CRLF, METHOD, 400),
	REJ("G\0T / HTTP/1.1" CRLF "Host: a" CRLF CRLF, METHOD, 400),
	REJ("GET/ HTTP/1.1" CRLF "Host: a" CRLF CRLF, METHOD, 400),
	REJ("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", METHOD, 400),
	REJ("GET  / HTTP/1.1" CRLF "Host: a" CRLF CRLF, REQ_LINE, 400),
	REJ("GET /  HTTP/1.1" CRLF "Host: a" CRLF CRLF, REQ_LINE, 400),
	REJ("GET / HTTP/1.1 " CRLF "Host: a" CRLF CRLF, REQ_LINE, 400),
	REJ(" GET / HTTP/1.1" CRLF "Host: a" CRLF CRLF, REQ_LINE, 400),
	REJ("GET /" CRLF "Host: a" CRLF CRLF, REQ_LINE, 400),
	REJ("GET" CRLF "Host: a" CRLF CRLF, REQ_LINE, 400),
	REJ("GET HTTP/1.1" CRLF "Host: a" CRLF CRLF, REQ_LINE, 400),
	REJ("GET / HTTP/1.1 extra" CRLF "Host: a" CRLF CRLF, REQ_LINE, 400),
	REJ("GET / HTTP/2.0" CRLF "Host: a" CRLF CRLF, VERSION_UNSUPPORTED, 505),
	REJ("GET / HTTP/1.2" CRLF "Host: a" CRLF CRLF, VERSION_UNSUPPORTED, 505),
	REJ("GET / HTTP/0.9" CRLF "Host: a" CRLF CRLF, VERSION_UNSUPPORTED, 505),
	REJ("GET / HTTP/3.0" CRLF CRLF, VERSION_UNSUPPORTED, 505),
	REJ("GET / HTTP/1.10" CRLF "Host: a" CRLF CRLF, VERSION, 400),
	REJ("GET / http/1.1" CRLF "Host: a" CRLF CRLF, VERSION, 400),
	REJ("GET / HTTP/1" CRLF "Host: a" CRLF CRLF, VERSION, 400),
	REJ("GET / HTTP/11" CRLF "Host: a" CRLF CRLF, VERSION, 400),
	REJ("GET / HTTP/a.b" CRLF "Host: a" CRLF CRLF, VERSION, 400),
	REJ("GET / HTTP/2" CRLF "Host: a" CRLF CRLF, VERSION, 400),
	REJ("GET / HTTP/1.1x" CRLF "Host: a" CRLF CRLF, VERSION, 400),
	REJ("GET / FOO" CRLF CRLF, VERSION, 400),
	/* empty lines before the request line: a few, bounded */
	REJ(CRLF CRLF CRLF CRLF CRLF RL "Host: a" CRLF CRLF, EMPTY_LINES, 400),
	REJ("\n" RL "Host: a" CRLF CRLF, BARE_LF, 400),
	REJ("\r" RL "Host: a" CRLF CRLF, BARE_CR, 400),
	/* targets */
	REJ("GET /a#b HTTP/1.1" CRLF "Host: a" CRLF CRLF, FRAGMENT, 400),
	REJ("GET /a?b#c HTTP/1.1" CRLF "Host: a" CRLF CRLF, FRAGMENT, 400),
	REJ("GET # HTTP/1.1" CRLF "Host: a" CRLF CRLF, FRAGMENT, 400),
	REJ("GET a HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET a/b HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET a:80 HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET /a\\b HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET /a|b HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET /a\"b HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET /\xc3\xa9 HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET /a\tb HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET /a\0 HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET ** HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET ftp://a/ HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET_SCHEME, 400),
	REJ("GET http//a/ HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET http://u@a/ HTTP/1.1" CRLF "Host: a" CRLF CRLF, USERINFO, 400),
	REJ("GET http://u:p@a/ HTTP/1.1" CRLF "Host: a" CRLF CRLF, USERINFO, 400),
	REJ("GET http:///x HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET_AUTHORITY, 400),
	REJ("GET http://a:x/ HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET_AUTHORITY, 400),
	REJ("GET http://a/b|c HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET, 400),
	REJ("GET * HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET_FORM, 400),
	REJ("CONNECT / HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET_FORM, 400),
	REJ("CONNECT * HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET_FORM, 400),
	REJ("CONNECT a HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET_AUTHORITY, 400),
	REJ("CONNECT a: HTTP/1.1" CRLF "Host: a:" CRLF CRLF, TARGET_AUTHORITY, 400),
	REJ("CONNECT http://a:1/ HTTP/1.1" CRLF "Host: a" CRLF CRLF, TARGET_AUTHORITY, 400),
	REJ("CONNECT u@a:1 HTTP/1.1" CRLF "Host: a:1" CRLF CRLF, USERINFO, 400),
	/* Host */
	REJ(RL CRLF, HOST_MISSING, 400),
	REJ(RL "X: a" CRLF CRLF, HOST_MISSING, 400),
	REJ(RL "Host: a" CRLF "Host: a" CRLF CRLF, HOST_DUP, 400),
	REJ(RL "Host: a" CRLF "host: b" CRLF CRLF, HOST_DUP, 400),
	REJ(RL "Host:" CRLF CRLF, HOST_EMPTY, 400),
	REJ(RL "Host:  " CRLF CRLF, HOST_EMPTY, 400),
	REJ("GET / HTTP/1.0" CRLF "Host:" CRLF CRLF, HOST_EMPTY, 400),
	REJ(RL "Host: a b" CRLF CRLF, HOST_INVALID, 400),
	REJ(RL "Host: a@b" CRLF CRLF, HOST_INVALID, 400),
	REJ(RL "Host: a/b" CRLF CRLF, HOST_INVALID, 400),
	REJ(RL "Host: a:" CRLF CRLF, HOST_INVALID, 400),
	REJ(RL "Host: a:65536" CRLF CRLF, HOST_INVALID, 400),
	REJ(RL "Host: a:123456" CRLF CRLF, HOST_INVALID, 400),
	REJ(RL "Host: a:8x" CRLF CRLF, HOST_INVALID, 400),
	REJ(RL "Host: :80" CRLF CRLF, HOST_INVALID, 400),
	REJ(RL "Host: [::1" CRLF CRLF, HOST_INVALID, 400),
	REJ(RL "Host: []" CRLF CRLF, HOST_INVALID, 400),
	REJ(RL "Host: [::1]x" CRLF CRLF, HOST_INVALID, 400),
	REJ(RL "Host: a%2eb" CRLF CRLF, HOST_INVALID, 400),
	REJ(RL "Host: a,b" CRLF CRLF, HOST_INVALID, 400),
	REJ(RL "Host: \xc3\xa9" CRLF CRLF, HOST_INVALID, 400),
	REJ("GET http://a/ HTTP/1.1" CRLF "Host: b" CRLF CRLF, HOST_MISMATCH, 400),
	REJ("GET http://a:80/ HTTP/1.1" CRLF "Host: a" CRLF CRLF, HOST_MISMATCH, 400),
	REJ("GET http://a/ HTTP/1.1" CRLF "Host: a:80" CRLF CRLF, HOST_MISMATCH, 400),
	REJ("CONNECT a:443 HTTP/1.1" CRLF "Host: b:443" CRLF CRLF, HOST_MISMATCH, 400),
	/* Connection */
	REJ(RL "Host: a" CRLF "Connection: host" CRLF CRLF, CONNECTION_E2E, 400),
	REJ(POST "Content-Length: 1" CRLF "Connection: close, Content-Length" CRLF CRLF,
	    CONNECTION_E2E, 400),
	REJ(RL "Host: a" CRLF "Connection: a b" CRLF CRLF, CONNECTION_INVALID, 400),
	REJ(RL "Host: a" CRLF "Connection: a;b" CRLF CRLF, CONNECTION_INVALID, 400),
	REJ(RL "Host: a" CRLF "Connection: a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q" CRLF CRLF,
	    CONNECTION_TOO_MANY, 400),
	/* Expect, CONNECT */
	REJ(RL "Host: a" CRLF "Expect: foo" CRLF CRLF, EXPECT, 417),
	REJ(RL "Host: a" CRLF "Expect: 100-continue, foo" CRLF CRLF, EXPECT, 417),
	REJ(RL "Host: a" CRLF "Expect:" CRLF CRLF, EXPECT, 417),
	REJ("CONNECT a:443 HTTP/1.1" CRLF "Host: a:443" CRLF "Content-Length: 5" CRLF CRLF,
	    CONNECT_BODY, 400),
	REJ("CONNECT a:443 HTTP/1.1" CRLF "Host: a:443" CRLF "Transfer-Encoding: chunked" CRLF CRLF,
	    CONNECT_BODY, 400),
};

static void
check_reject(const struct reject *r, unsigned idx)
{
	int rc = req_lim(r->in, r->len, NULL);

	if (rc != -(int)r->err)
		printf("\n  reject[%u]: got %d (%s), want %s\n", idx, rc,
		       rc < 0 ? mdp_http_err_str((enum mdp_http_err)-rc) : "ok",
		       mdp_http_err_str(r->err));
	CU_ASSERT_EQUAL(rc, -(int)r->err);
	CU_ASSERT_EQUAL(msg.err, r->err);
	CU_ASSERT_EQUAL(msg.err_status, r->status);
	CU_ASSERT_EQUAL(mdp_http_err_status(r->err), r->status);
	CU_ASSERT_PTR_EQUAL(msg.error, mdp_http_err_str(r->err));
	for (size_t k = 0; k < r->len; k++) {
		rc = req_lim(r->in, k, NULL);
		if (rc != MDP_HTTP_INCOMPLETE && rc != -(int)r->err) {
			printf("\n  reject[%u] prefix %zu: got %d\n", idx, k, rc);
			CU_FAIL("a prefix gave another answer");
			break;
		}
	}
}

static void
test_reject(void)
{
	for (unsigned i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++)
		check_reject(&rejects[i], i);
}

/* ------------------------------------------------------------------ */
/* Accepted requests and what they mean */

static void
test_accept_basic(void)
{
	const char *s = "GET /a/b?x=1&y=%2F HTTP/1.1" CRLF "Host: Example.com:8080" CRLF
			"User-Agent: t" CRLF "Accept: */*" CRLF CRLF;
	int rc = req(s);

	CU_ASSERT_EQUAL(rc, (int)strlen(s));
	CU_ASSERT_EQUAL(msg.head_len, strlen(s));
	CU_ASSERT_EQUAL(msg.err, E(NONE));
	CU_ASSERT_EQUAL(msg.method, MDP_HTTP_M_GET);
	CU_ASSERT(str_is(msg.method_str, "GET"));
	CU_ASSERT(str_is(msg.target, "/a/b?x=1&y=%2F"));
	CU_ASSERT(str_is(msg.path, "/a/b"));
	CU_ASSERT(str_is(msg.query, "x=1&y=%2F"));
	CU_ASSERT(str_is(msg.authority, "Example.com:8080"));
	CU_ASSERT_EQUAL(msg.target_form, MDP_HTTP_T_ORIGIN);
	CU_ASSERT_EQUAL(msg.version, 1);
	CU_ASSERT_EQUAL(msg.n_headers, 3);
	CU_ASSERT_EQUAL(msg.host, 0);
	CU_ASSERT_EQUAL(msg.headers[0].id, MDP_HTTP_H_HOST);
	CU_ASSERT_EQUAL(msg.headers[1].id, MDP_HTTP_H_USER_AGENT);
	CU_ASSERT_EQUAL(msg.headers[2].id, MDP_HTTP_H_ACCEPT);
	CU_ASSERT_EQUAL(msg.body, MDP_HTTP_BODY_NONE);
	CU_ASSERT_TRUE(msg.keep_alive);
	CU_ASSERT_FALSE(msg.expect_continue);
	CU_ASSERT_FALSE(msg.upgrade);
	CU_ASSERT_FALSE(msg.tunnel);
	/* pointers into the buffer: zero copy */
	CU_ASSERT_PTR_EQUAL(msg.method_str.p, s);
	CU_ASSERT_PTR_EQUAL(msg.headers[0].name, s + strlen("GET /a/b?x=1&y=%2F HTTP/1.1\r\n"));

	/* no query; an empty one */
	CU_ASSERT(req("GET /x HTTP/1.1" CRLF "Host: a" CRLF CRLF) > 0);
	CU_ASSERT(str_is(msg.query, NULL));
	CU_ASSERT(req("GET /x? HTTP/1.1" CRLF "Host: a" CRLF CRLF) > 0);
	CU_ASSERT(str_is(msg.query, ""));
	CU_ASSERT(str_is(msg.path, "/x"));
	/* the query is lenient (visible ASCII but '#'), the path is not */
	CU_ASSERT(req("GET /x?a[]=|{}^\"<>\\ HTTP/1.1" CRLF "Host: a" CRLF CRLF) > 0);
	CU_ASSERT(str_is(msg.query, "a[]=|{}^\"<>\\"));
	CU_ASSERT(req("GET /a:b@c!$&'()*+,;=-._~%41 HTTP/1.1" CRLF "Host: a" CRLF CRLF) > 0);
	/* the method is case-sensitive: "get" is some other method */
	CU_ASSERT(req("get / HTTP/1.1" CRLF "Host: a" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.method, MDP_HTTP_M_OTHER);
	CU_ASSERT(str_is(msg.method_str, "get"));
	CU_ASSERT(req("PROPFIND / HTTP/1.1" CRLF "Host: a" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.method, MDP_HTTP_M_OTHER);
	CU_ASSERT(req("GETS / HTTP/1.1" CRLF "Host: a" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.method, MDP_HTTP_M_OTHER);
	CU_ASSERT(req("PATCH / HTTP/1.1" CRLF "Host: a" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.method, MDP_HTTP_M_PATCH);
	for (int m = 1; m < MDP_HTTP_M_MAX; m++) {
		char buf[128];
		const char *tgt = m == MDP_HTTP_M_CONNECT ? "a:1" : "/";

		snprintf(buf, sizeof(buf), "%s %s HTTP/1.1\r\nHost: %s\r\n\r\n",
			 mdp_http_method_str((enum mdp_http_method)m), tgt,
			 m == MDP_HTTP_M_CONNECT ? "a:1" : "a");
		CU_ASSERT(req(buf) > 0);
		CU_ASSERT_EQUAL(msg.method, m);
	}
}

static void
test_accept_fields(void)
{
	const struct mdp_http_header *h;

	/* OWS around values is trimmed; empty values and obs-text pass */
	CU_ASSERT(req(RL "Host:a" CRLF "X: \t v \t w \t" CRLF "Y:" CRLF "Z:   " CRLF
		      "O: caf\xc3\xa9" CRLF "Q: \"q\"" CRLF CRLF) > 0);
	CU_ASSERT(str_is(msg.authority, "a"));
	h = field("X");
	CU_ASSERT_FATAL(h != NULL);
	CU_ASSERT_EQUAL(h->value_len, 5);
	CU_ASSERT_NSTRING_EQUAL(h->value, "v \t w", 5);
	CU_ASSERT_EQUAL(field("Y")->value_len, 0);
	CU_ASSERT_EQUAL(field("Z")->value_len, 0);
	CU_ASSERT_EQUAL(field("O")->value_len, 5);
	CU_ASSERT_EQUAL(field("X")->id, MDP_HTTP_H_OTHER);
	/* HTAB inside long values; long names */
	CU_ASSERT(req(RL "Host: a" CRLF "X-A-Rather-Long-Name: a\tb\tc\td\te\tf\tg\th\ti\t\t" CRLF
		      CRLF) > 0);
	h = field("X-A-Rather-Long-Name");
	CU_ASSERT_FATAL(h != NULL);
	CU_ASSERT_EQUAL(h->value_len, 17);
	/* any tchar in a name */
	CU_ASSERT(req(RL "Host: a" CRLF "!#$%&'*+-.^_`|~09azAZ: v" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.headers[1].name_len, 21);

	/* Host forms */
	CU_ASSERT(req(RL "Host: [2001:db8::1]:443" CRLF CRLF) > 0);
	CU_ASSERT(str_is(msg.authority, "[2001:db8::1]:443"));
	CU_ASSERT(req(RL "Host: 192.0.2.1" CRLF CRLF) > 0);
	CU_ASSERT(req(RL "Host: a-b_c~d.e:0" CRLF CRLF) > 0);
	CU_ASSERT(req(RL "Host: a:65535" CRLF CRLF) > 0);
	/* HTTP/1.0 needs no Host */
	CU_ASSERT(req("GET / HTTP/1.0" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.version, 0);
	CU_ASSERT_EQUAL(msg.host, -1);
	CU_ASSERT(str_is(msg.authority, NULL));
	/* empty lines before the request line: up to four, counted */
	CU_ASSERT_EQUAL(req(CRLF CRLF CRLF CRLF RL "Host: a" CRLF CRLF), 8 + 16 + 9 + 2);
	CU_ASSERT(str_is(msg.method_str, "GET"));

	/* header ids, any case */
	for (int id = 1; id < MDP_HTTP_H_MAX; id++) {
		static const char *names[] = {
#define NAME_ROW(name, str, hop) str,
			MDP_HTTP_HEADERS(NAME_ROW)
#undef NAME_ROW
		};
		char up[64];
		size_t n = strlen(names[id - 1]);

		CU_ASSERT_EQUAL(mdp_http_header_id(names[id - 1], n), id);
		for (size_t k = 0; k < n; k++)
			up[k] = names[id - 1][k] >= 'a' && names[id - 1][k] <= 'z'
				? (char)(names[id - 1][k] - 32) : names[id - 1][k];
		CU_ASSERT_EQUAL(mdp_http_header_id(up, n), id);
	}
	CU_ASSERT_EQUAL(mdp_http_header_id("hos", 3), MDP_HTTP_H_OTHER);
	CU_ASSERT_EQUAL(mdp_http_header_id("hostt", 5), MDP_HTTP_H_OTHER);
	/* no case folding outside letters ('\r' | 0x20 is '-') */
	CU_ASSERT_EQUAL(mdp_http_header_id("content\rlength", 14), MDP_HTTP_H_OTHER);
	CU_ASSERT_EQUAL(mdp_http_header_id("", 0), MDP_HTTP_H_OTHER);
	CU_ASSERT_EQUAL(mdp_http_header_id("x-forwarded-for", 15), MDP_HTTP_H_X_FORWARDED_FOR);
	CU_ASSERT_EQUAL(mdp_http_header_id("x\rforwarded-for", 15), MDP_HTTP_H_OTHER);
}

static void
test_framing(void)
{
	CU_ASSERT(req(POST "Content-Length: 5" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.body, MDP_HTTP_BODY_LENGTH);
	CU_ASSERT_EQUAL(msg.content_length, 5);
	CU_ASSERT(req(POST "Content-Length: 0" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.body, MDP_HTTP_BODY_NONE);
	CU_ASSERT(req(POST "Content-Length: 007" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.content_length, 7);
	CU_ASSERT(req(POST "Content-Length: 9223372036854775807" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.content_length, INT64_MAX);
	CU_ASSERT(req(POST "Content-Length:  5 " CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.content_length, 5);
	CU_ASSERT(req(POST "Transfer-Encoding: chunked" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.body, MDP_HTTP_BODY_CHUNKED);
	CU_ASSERT_TRUE(msg.headers[1].flags & MDP_HTTP_HF_HOP);
	CU_ASSERT(req(POST "Transfer-Encoding: CHUNKED " CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.body, MDP_HTTP_BODY_CHUNKED);
	/* a GET may have a body */
	CU_ASSERT(req(RL "Host: a" CRLF "Content-Length: 3" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.body, MDP_HTTP_BODY_LENGTH);
	/* HTTP/1.0 with a length */
	CU_ASSERT(req("POST / HTTP/1.0" CRLF "Content-Length: 3" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.body, MDP_HTTP_BODY_LENGTH);
	/* CONNECT with an empty body is fine */
	CU_ASSERT(req("CONNECT a:443 HTTP/1.1" CRLF "Host: a:443" CRLF "Content-Length: 0" CRLF
		      CRLF) > 0);
	CU_ASSERT_EQUAL(msg.body, MDP_HTTP_BODY_NONE);
}

static void
test_connection(void)
{
	/* keep-alive by version and Connection */
	CU_ASSERT(req(RL "Host: a" CRLF CRLF) > 0);
	CU_ASSERT_TRUE(msg.keep_alive);
	CU_ASSERT(req(RL "Host: a" CRLF "Connection: close" CRLF CRLF) > 0);
	CU_ASSERT_FALSE(msg.keep_alive);
	CU_ASSERT(req(RL "Host: a" CRLF "Connection: keep-alive, CLOSE" CRLF CRLF) > 0);
	CU_ASSERT_FALSE(msg.keep_alive);
	CU_ASSERT(req(RL "Host: a" CRLF "Connection: a" CRLF "Connection: Close" CRLF CRLF) > 0);
	CU_ASSERT_FALSE(msg.keep_alive);
	CU_ASSERT(req("GET / HTTP/1.0" CRLF CRLF) > 0);
	CU_ASSERT_FALSE(msg.keep_alive);
	CU_ASSERT(req("GET / HTTP/1.0" CRLF "Connection: Keep-Alive" CRLF CRLF) > 0);
	CU_ASSERT_TRUE(msg.keep_alive);
	CU_ASSERT(req("GET / HTTP/1.0" CRLF "Connection: keep-alive, close" CRLF CRLF) > 0);
	CU_ASSERT_FALSE(msg.keep_alive);
	/* empty list elements are ignored */
	CU_ASSERT(req(RL "Host: a" CRLF "Connection: , ,close," CRLF CRLF) > 0);
	CU_ASSERT_FALSE(msg.keep_alive);
	CU_ASSERT(req(RL "Host: a" CRLF "Connection:" CRLF CRLF) > 0);
	CU_ASSERT_TRUE(msg.keep_alive);
	/* 16 options are fine */
	CU_ASSERT(req(RL "Host: a" CRLF "Connection: a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p" CRLF
		      CRLF) > 0);

	/* hop-by-hop: the fixed list, and what Connection names, any case */
	CU_ASSERT(req(RL "Host: a" CRLF "Connection: X-Foo, keep-alive" CRLF "x-foo: 1" CRLF
		      "X-Bar: 2" CRLF "Keep-Alive: 5" CRLF "TE: trailers" CRLF
		      "Proxy-Connection: x" CRLF "Upgrade: h2c" CRLF "X-FOO: 3" CRLF
		      "Trailer: x" CRLF "X-Forwarded-For: 1" CRLF CRLF) > 0);
	CU_ASSERT_FALSE(field("Host")->flags & MDP_HTTP_HF_HOP);
	CU_ASSERT_TRUE(field("Connection")->flags & MDP_HTTP_HF_HOP);
	CU_ASSERT_TRUE(field("x-foo")->flags & MDP_HTTP_HF_HOP);
	CU_ASSERT_TRUE(field("X-FOO")->flags & MDP_HTTP_HF_HOP);
	CU_ASSERT_FALSE(field("X-Bar")->flags & MDP_HTTP_HF_HOP);
	CU_ASSERT_TRUE(field("Keep-Alive")->flags & MDP_HTTP_HF_HOP);
	CU_ASSERT_TRUE(field("TE")->flags & MDP_HTTP_HF_HOP);
	CU_ASSERT_TRUE(field("Proxy-Connection")->flags & MDP_HTTP_HF_HOP);
	CU_ASSERT_TRUE(field("Upgrade")->flags & MDP_HTTP_HF_HOP);
	CU_ASSERT_FALSE(field("Trailer")->flags & MDP_HTTP_HF_HOP);
	CU_ASSERT_FALSE(field("X-Forwarded-For")->flags & MDP_HTTP_HF_HOP);
	CU_ASSERT_FALSE(msg.upgrade);	/* Connection does not name upgrade */
	/* a well-known field named by Connection */
	CU_ASSERT(req(RL "Host: a" CRLF "Connection: x-forwarded-for" CRLF "X-Forwarded-For: 1"
		      CRLF "X-Forwarded-Foo: 1" CRLF CRLF) > 0);
	CU_ASSERT_TRUE(field("X-Forwarded-For")->flags & MDP_HTTP_HF_HOP);
	CU_ASSERT_FALSE(field("X-Forwarded-Foo")->flags & MDP_HTTP_HF_HOP);
	/* '^' and '~' are not the same letter */
	CU_ASSERT(req(RL "Host: a" CRLF "Connection: a^" CRLF "a~: 1" CRLF CRLF) > 0);
	CU_ASSERT_FALSE(field("a~")->flags & MDP_HTTP_HF_HOP);

	/* Upgrade */
	CU_ASSERT(req(RL "Host: a" CRLF "Connection: Upgrade" CRLF "Upgrade: websocket" CRLF
		      CRLF) > 0);
	CU_ASSERT_TRUE(msg.upgrade);
	CU_ASSERT_TRUE(msg.keep_alive);
	CU_ASSERT(req(RL "Host: a" CRLF "Upgrade: websocket" CRLF CRLF) > 0);
	CU_ASSERT_FALSE(msg.upgrade);
	CU_ASSERT(req(RL "Host: a" CRLF "Connection: upgrade" CRLF "Upgrade:" CRLF CRLF) > 0);
	CU_ASSERT_FALSE(msg.upgrade);
	CU_ASSERT(req("GET / HTTP/1.0" CRLF "Connection: upgrade" CRLF "Upgrade: websocket" CRLF
		      CRLF) > 0);
	CU_ASSERT_FALSE(msg.upgrade);

	/* Expect */
	CU_ASSERT(req(POST "Expect: 100-Continue" CRLF "Content-Length: 10" CRLF CRLF) > 0);
	CU_ASSERT_TRUE(msg.expect_continue);
	CU_ASSERT(req("POST / HTTP/1.0" CRLF "Expect: foo" CRLF CRLF) > 0);
	CU_ASSERT_FALSE(msg.expect_continue);
}

static void
test_target_forms(void)
{
	CU_ASSERT(req("GET http://Example.COM:8080/a/b?q HTTP/1.1" CRLF "Host: example.com:8080"
		      CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.target_form, MDP_HTTP_T_ABSOLUTE);
	CU_ASSERT(str_is(msg.authority, "Example.COM:8080"));
	CU_ASSERT(str_is(msg.path, "/a/b"));
	CU_ASSERT(str_is(msg.query, "q"));
	CU_ASSERT(req("GET HTTPS://a HTTP/1.1" CRLF "Host: a" CRLF CRLF) > 0);
	CU_ASSERT(str_is(msg.authority, "a"));
	CU_ASSERT(msg.path.p != NULL && msg.path.len == 0);
	CU_ASSERT(str_is(msg.query, NULL));
	CU_ASSERT(req("GET http://a?x HTTP/1.1" CRLF "Host: a" CRLF CRLF) > 0);
	CU_ASSERT(msg.path.p != NULL && msg.path.len == 0);
	CU_ASSERT(str_is(msg.query, "x"));
	CU_ASSERT(req("GET http://[::1]:80/ HTTP/1.1" CRLF "Host: [::1]:80" CRLF CRLF) > 0);
	/* HTTP/1.0 absolute form without Host */
	CU_ASSERT(req("GET http://a/x HTTP/1.0" CRLF CRLF) > 0);
	CU_ASSERT(str_is(msg.authority, "a"));

	CU_ASSERT(req("CONNECT a.example:443 HTTP/1.1" CRLF "Host: a.example:443" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.target_form, MDP_HTTP_T_AUTHORITY);
	CU_ASSERT(str_is(msg.authority, "a.example:443"));
	CU_ASSERT(str_is(msg.path, NULL));
	CU_ASSERT(req("CONNECT [2001:db8::1]:443 HTTP/1.1" CRLF "Host: [2001:db8::1]:443" CRLF CRLF)
		  > 0);

	CU_ASSERT(req("OPTIONS * HTTP/1.1" CRLF "Host: a" CRLF CRLF) > 0);
	CU_ASSERT_EQUAL(msg.target_form, MDP_HTTP_T_ASTERISK);
	CU_ASSERT(str_is(msg.path, NULL));
	CU_ASSERT(str_is(msg.authority, "a"));
	CU_ASSERT(req("OPTIONS /x HTTP/1.1" CRLF "Host: a" CRLF CRLF) > 0);
}

/* ------------------------------------------------------------------ */
/* Incremental and pipelined */

static const char *const valid[] = {
	"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	"\r\nGET /x?y HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/7.88\r\n"
	"Accept: */*\r\n\r\n",
	"POST /upload HTTP/1.1\r\nHost: a:8080\r\nTransfer-Encoding: chunked\r\n"
	"Expect: 100-continue\r\nConnection: keep-alive, x-a\r\nX-A: 1\r\n\r\n",
	"GET http://a/b HTTP/1.0\r\nConnection: keep-alive\r\nX: \t\r\n\r\n",
	"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
};

static bool
same_msg(const struct mdp_http_msg *a, const struct mdp_http_header *ha,
	 const struct mdp_http_msg *b)
{
	if (a->head_len != b->head_len || a->n_headers != b->n_headers ||
	    a->method != b->method || a->body != b->body || a->keep_alive != b->keep_alive ||
	    a->content_length != b->content_length || a->host != b->host ||
	    a->authority.p != b->authority.p || a->authority.len != b->authority.len ||
	    a->path.p != b->path.p || a->query.p != b->query.p ||
	    a->expect_continue != b->expect_continue || a->version != b->version)
		return false;
	for (unsigned i = 0; i < a->n_headers; i++)
		if (ha[i].name != b->headers[i].name || ha[i].value_len != b->headers[i].value_len ||
		    ha[i].flags != b->headers[i].flags || ha[i].id != b->headers[i].id)
			return false;
	return true;
}

static void
test_incremental(void)
{
	static struct mdp_http_header whole_h[NHDR];
	struct mdp_http_msg whole = { .headers = whole_h, .headers_cap = NHDR };
	char buf[512];

	for (unsigned v = 0; v < sizeof(valid) / sizeof(valid[0]); v++) {
		size_t len = strlen(valid[v]);
		int rc = mdp_http_parse_request(valid[v], len, NULL, &whole);

		CU_ASSERT_EQUAL(rc, (int)len);
		for (size_t k = 0; k < len; k++) {
			rc = req_lim(valid[v], k, NULL);
			CU_ASSERT_EQUAL(rc, MDP_HTTP_INCOMPLETE);
			CU_ASSERT_EQUAL(msg.err, E(INCOMPLETE));
		}
		CU_ASSERT_EQUAL(req_lim(valid[v], len, NULL), (int)len);
		CU_ASSERT_TRUE(same_msg(&whole, whole_h, &msg));
		/* with more bytes behind it: the same head */
		memcpy(buf, valid[v], len);
		memcpy(buf + len, "GET / HTTP/1.1\r\n\n\0garbage", 26);
		CU_ASSERT_EQUAL(req_lim(buf, len + 26, NULL), (int)len);
		/* the same buffer, parsed again: the same result */
		CU_ASSERT_EQUAL(req_lim(buf, len, NULL), (int)len);
	}
}

static void
test_pipelined(void)
{
	static const char in[] =
		"GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
		"POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
		"POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
		"3\r\nabc\r\n0\r\n\r\n"
		"\r\nGET /4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
	static const char *paths[] = { "/1", "/2", "/3", "/4" };
	static const char *bodies[] = { "", "hello", "abc", "" };
	size_t off = 0, len = sizeof(in) - 1;
	unsigned n = 0;

	while (off < len) {
		struct mdp_http_body b;
		struct mdp_http_span sp[4];
		unsigned ns;
		size_t used;
		char data[16];
		size_t dl = 0;
		int rc = req_lim(in + off, len - off, NULL);

		CU_ASSERT_FATAL(rc > 0);
		CU_ASSERT_FATAL(n < 4);
		CU_ASSERT(str_is(msg.path, paths[n]));
		off += (size_t)rc;
		mdp_http_body_init(&b, &msg, NULL);
		rc = mdp_http_body_feed(&b, in + off, len - off, sp, 4, &ns, &used);
		CU_ASSERT_EQUAL(rc, 1);
		for (unsigned i = 0; i < ns; i++) {
			memcpy(data + dl, in + off + sp[i].off, sp[i].len);
			dl += sp[i].len;
		}
		CU_ASSERT_EQUAL(dl, strlen(bodies[n]));
		CU_ASSERT(memcmp(data, bodies[n], dl) == 0);
		off += used;
		n++;
	}
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(off, len);
	CU_ASSERT_FALSE(msg.keep_alive);
}

/* ------------------------------------------------------------------ */
/* Limits */

static void
test_limits(void)
{
	struct mdp_http_limits lim = MDP_HTTP_LIMITS_DEFAULT;
	char buf[70000];
	size_t n;
	int rc;

	CU_ASSERT_EQUAL(lim.max_request_line, 8192);
	CU_ASSERT_EQUAL(lim.max_head, 65536);
	CU_ASSERT_EQUAL(lim.max_headers, 100);
	CU_ASSERT_EQUAL(lim.max_chunk_line, 4096);

	/* request line: "GET /xxxxxx HTTP/1.1" of exactly 30 bytes passes */
	lim.max_request_line = 30;
	n = (size_t)snprintf(buf, sizeof(buf), "GET /%s HTTP/1.1\r\nHost: a\r\n\r\n",
			     "xxxxxxxxxxxxxxxx");
	CU_ASSERT_EQUAL(strchr(buf, '\r') - buf, 30);
	CU_ASSERT_EQUAL(req_lim(buf, n, &lim), (int)n);
	lim.max_request_line = 29;
	CU_ASSERT_EQUAL(req_lim(buf, n, &lim), ERR(LINE_TOO_LONG));
	CU_ASSERT_EQUAL(msg.err_status, 414);
	/* ... found before the line ends: 31 bytes without the CRLF cannot
	 * be a line of 29; 30 bytes (maybe 29 and a CR) wait */
	CU_ASSERT_EQUAL(req_lim(buf, 31, &lim), ERR(LINE_TOO_LONG));
	CU_ASSERT_EQUAL(req_lim(buf, 30, &lim), MDP_HTTP_INCOMPLETE);
	/* ... also past empty lines, which do not count */
	n = (size_t)snprintf(buf, sizeof(buf), "\r\n\r\nGET /%s HTTP/1.1\r\nHost: a\r\n\r\n",
			     "xxxxxxxxxxxxxxxx");
	lim.max_request_line = 30;
	CU_ASSERT_EQUAL(req_lim(buf, n, &lim), (int)n);
	lim.max_request_line = 29;
	CU_ASSERT_EQUAL(req_lim(buf, 35, &lim), ERR(LINE_TOO_LONG));
	/* the status line has the same limit */
	CU_ASSERT_EQUAL(mdp_http_parse_response("HTTP/1.1 200 OKOKOKOKOKOKOKOKOK\r\n\r\n", 35,
						&lim, MDP_HTTP_M_GET, &msg), ERR(LINE_TOO_LONG));
	CU_ASSERT_EQUAL(mdp_http_parse_response("HTTP/1.1 200 OKOKOKOKOKOKOKOKOKOK", 33,
						&lim, MDP_HTTP_M_GET, &msg), ERR(LINE_TOO_LONG));
	CU_ASSERT_EQUAL(msg.err_status, 502);
	lim = (struct mdp_http_limits)MDP_HTTP_LIMITS_DEFAULT;

	/* header count: 3 pass, 4 are too many, found at the 4th line */
	lim.max_headers = 3;
	CU_ASSERT(req_lim(RL "Host: a" CRLF "A: 1" CRLF "B: 2" CRLF CRLF,
			  strlen(RL "Host: a" CRLF "A: 1" CRLF "B: 2" CRLF CRLF), &lim) > 0);
	CU_ASSERT_EQUAL(req_lim(RL "Host: a" CRLF "A: 1" CRLF "B: 2" CRLF "C: 3" CRLF CRLF,
				strlen(RL "Host: a" CRLF "A: 1" CRLF "B: 2" CRLF "C: 3" CRLF CRLF),
				&lim), ERR(TOO_MANY_HEADERS));
	CU_ASSERT_EQUAL(msg.err_status, 431);
	CU_ASSERT_EQUAL(req_lim(RL "Host: a" CRLF "A: 1" CRLF "B: 2" CRLF "C",
				strlen(RL "Host: a" CRLF "A: 1" CRLF "B: 2" CRLF "C"), &lim),
			ERR(TOO_MANY_HEADERS));
	/* ... and the caller's array bounds it too */
	lim = (struct mdp_http_limits)MDP_HTTP_LIMITS_DEFAULT;
	msg.headers_cap = 2;
	CU_ASSERT_EQUAL(req(RL "Host: a" CRLF "A: 1" CRLF "B: 2" CRLF CRLF), ERR(TOO_MANY_HEADERS));
	msg.headers_cap = NHDR;
	/* the default: 100 */
	n = (size_t)snprintf(buf, sizeof(buf), RL "Host: a\r\n");
	for (int i = 0; i < 99; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "X%d: %d\r\n", i, i);
	memcpy(buf + n, CRLF, 2);
	CU_ASSERT_EQUAL(req_lim(buf, n + 2, NULL), (int)n + 2);
	CU_ASSERT_EQUAL(msg.n_headers, 100);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "Y: 1\r\n\r\n");
	CU_ASSERT_EQUAL(req_lim(buf, n, NULL), ERR(TOO_MANY_HEADERS));

	/* head bytes: exactly max_head passes, one more is too large, and
	 * a partial head of max_head bytes fails before the end arrives */
	n = (size_t)snprintf(buf, sizeof(buf), RL "Host: a\r\nX: %0*d\r\n\r\n", 50, 0);
	lim.max_head = (uint32_t)n;
	CU_ASSERT_EQUAL(req_lim(buf, n, &lim), (int)n);
	lim.max_head = (uint32_t)n - 1;
	CU_ASSERT_EQUAL(req_lim(buf, n, &lim), ERR(HEAD_TOO_LARGE));
	CU_ASSERT_EQUAL(msg.err_status, 431);
	CU_ASSERT_EQUAL(req_lim(buf, n - 1, &lim), ERR(HEAD_TOO_LARGE));
	CU_ASSERT_EQUAL(req_lim(buf, n - 2, &lim), MDP_HTTP_INCOMPLETE);
	/* ... with a next request behind a head that fits: fine */
	lim.max_head = (uint32_t)n;
	memcpy(buf + n, RL, strlen(RL));
	CU_ASSERT_EQUAL(req_lim(buf, n + strlen(RL), &lim), (int)n);
	/* default 64 KiB: a single huge field value, never ending */
	memset(buf, 'a', sizeof(buf));
	n = (size_t)snprintf(buf, sizeof(buf), RL "Host: a\r\nX: ");
	buf[n] = 'a';
	CU_ASSERT_EQUAL(req_lim(buf, 65535, NULL), MDP_HTTP_INCOMPLETE);
	CU_ASSERT_EQUAL(req_lim(buf, 65536, NULL), ERR(HEAD_TOO_LARGE));
	CU_ASSERT_EQUAL(req_lim(buf, sizeof(buf), NULL), ERR(HEAD_TOO_LARGE));
	/* a request line longer than 8 KiB */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "GET /", 5);
	CU_ASSERT_EQUAL(req_lim(buf, 8193, NULL), MDP_HTTP_INCOMPLETE);
	CU_ASSERT_EQUAL(req_lim(buf, 8194, NULL), ERR(LINE_TOO_LONG));
	rc = req_lim(buf, sizeof(buf), NULL);
	CU_ASSERT_EQUAL(rc, ERR(LINE_TOO_LONG));

	/* no header array: any field is one too many */
	msg.headers = NULL;
	CU_ASSERT_EQUAL(req("GET / HTTP/1.0" CRLF "A: 1" CRLF CRLF), ERR(TOO_MANY_HEADERS));
	CU_ASSERT(req("GET / HTTP/1.0" CRLF CRLF) > 0);
	msg.headers = hdr;
}

/* ------------------------------------------------------------------ */
/* Responses */

struct rsp_case {
	const char *in;
	enum mdp_http_method req;
	int err;		/* 0: accepted */
	unsigned status;
	enum mdp_http_body_kind body;
	uint64_t cl;
	bool keep_alive, tunnel;
};

#define R_OK(s, m, st, b, cl, ka, tun) { s, MDP_HTTP_M_##m, 0, st, MDP_HTTP_BODY_##b, cl, ka, tun }
#define R_ERR(s, m, e) { s, MDP_HTTP_M_##m, E(e), 0, 0, 0, false, false }

static const struct rsp_case rsps[] = {
	R_OK("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", GET, 200, LENGTH, 5, true, false),
	R_OK("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", GET, 200, NONE, 0, true, false),
	R_OK("HTTP/1.1 200 \r\nContent-Length: 1\r\n\r\n", GET, 200, LENGTH, 1, true, false),
	R_OK("HTTP/1.1 404 Not  Found \t\r\nContent-Length: 1\r\n\r\n", GET, 404, LENGTH, 1, true,
	     false),
	R_OK("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", GET, 200, CHUNKED, 0, true,
	     false),
	R_OK("HTTP/1.1 200 OK\r\n\r\n", GET, 200, UNTIL_CLOSE, 0, false, false),
	R_OK("HTTP/1.0 200 OK\r\n\r\n", GET, 200, UNTIL_CLOSE, 0, false, false),
	R_OK("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n", GET, 200, LENGTH, 2, false, false),
	R_OK("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n", GET, 200,
	     LENGTH, 2, true, false),
	R_OK("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n", GET, 200, LENGTH,
	     2, false, false),
	R_OK("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", HEAD, 200, NONE, 100, true, false),
	R_OK("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", HEAD, 200, NONE, 0, true,
	     false),
	R_OK("HTTP/1.1 204 No Content\r\n\r\n", GET, 204, NONE, 0, true, false),
	R_OK("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", GET, 204, NONE, 0, true,
	     false),
	R_OK("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", GET, 304, NONE, 10, true,
	     false),
	R_OK("HTTP/1.1 100 Continue\r\n\r\n", POST, 100, NONE, 0, true, false),
	R_OK("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", GET, 103, NONE, 0, true, false),
	R_OK("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
	     GET, 101, NONE, 0, false, true),
	R_OK("HTTP/1.1 200 Connection established\r\n\r\n", CONNECT, 200, NONE, 0, false, true),
	R_OK("HTTP/1.1 407 Auth\r\nContent-Length: 3\r\n\r\n", CONNECT, 407, LENGTH, 3, true,
	     false),
	R_OK("HTTP/1.1 599 x\r\n\r\n", GET, 599, UNTIL_CLOSE, 0, false, false),
	R_ERR("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", GET,
	      CL_AND_TE),
	R_ERR("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", GET, CL_DUP),
	R_ERR("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", GET, CL_INVALID),
	R_ERR("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", GET, TE_NOT_CHUNKED),
	R_ERR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", GET,
	      TE_CHUNKED_TWICE),
	R_ERR("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", GET, TE_HTTP10),
	R_ERR("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", GET, NO_BODY_FRAMING),
	R_ERR("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n", GET,
	      NO_BODY_FRAMING),
	R_ERR("HTTP/1.1 100 Continue\r\nContent-Length: 1\r\n\r\n", GET, NO_BODY_FRAMING),
	R_ERR("HTTP/1.1 2000 OK\r\n\r\n", GET, STATUS_CODE),
	R_ERR("HTTP/1.1 20 OK\r\n\r\n", GET, STATUS_CODE),
	R_ERR("HTTP/1.1 099 OK\r\n\r\n", GET, STATUS_CODE),
	R_ERR("HTTP/1.1 600 OK\r\n\r\n", GET, STATUS_CODE),
	R_ERR("HTTP/1.1  200 OK\r\n\r\n", GET, STATUS_CODE),
	R_ERR("HTTP/1.1 2x0 OK\r\n\r\n", GET, STATUS_CODE),
	R_ERR("HTTP/1.1 200x OK\r\n\r\n", GET, STATUS_LINE),
	R_ERR("HTTP/1.1 200 O\x01K\r\n\r\n", GET, STATUS_LINE),
	R_ERR("HTTP/1.1\r\n\r\n", GET, STATUS_LINE),
	R_ERR("HTTP/1.10 200 OK\r\n\r\n", GET, VERSION),
	R_ERR("HTTP/2 200 OK\r\n\r\n", GET, VERSION),
	R_ERR("http/1.1 200 OK\r\n\r\n", GET, VERSION),
	R_ERR(" HTTP/1.1 200 OK\r\n\r\n", GET, VERSION),
	R_ERR("\r\nHTTP/1.1 200 OK\r\n\r\n", GET, VERSION),
	R_ERR("HTTP/2.0 200 OK\r\n\r\n", GET, VERSION_UNSUPPORTED),
	R_ERR("HTTP/1.1 200 OK\n\r\n", GET, BARE_LF),
	R_ERR("HTTP/1.1 200 OK\r\nX: 1\n\r\n", GET, BARE_LF),
	R_ERR("HTTP/1.1 200 OK\r\nX : 1\r\n\r\n", GET, WS_BEFORE_COLON),
	R_ERR("HTTP/1.1 200 OK\r\nX: 1\r\n 2\r\n\r\n", GET, OBS_FOLD),
	R_ERR("HTTP/1.1 200 OK\r\nConnection: content-length\r\n\r\n", GET, CONNECTION_E2E),
};

static void
test_response(void)
{
	for (unsigned i = 0; i < sizeof(rsps) / sizeof(rsps[0]); i++) {
		const struct rsp_case *c = &rsps[i];
		size_t len = strlen(c->in);
		int rc = rsp(c->in, c->req);

		if (c->err == 0) {
			if (rc != (int)len)
				printf("\n  rsp[%u]: %d %s\n", i, rc, msg.error);
			CU_ASSERT_EQUAL(rc, (int)len);
			CU_ASSERT_EQUAL(msg.status, c->status);
			CU_ASSERT_EQUAL(msg.body, c->body);
			CU_ASSERT_EQUAL(msg.content_length, c->cl);
			CU_ASSERT_EQUAL(msg.keep_alive, c->keep_alive);
			CU_ASSERT_EQUAL(msg.tunnel, c->tunnel);
			CU_ASSERT_EQUAL(msg.upgrade, c->status == 101);
		} else {
			if (rc != -c->err)
				printf("\n  rsp[%u]: %d %s\n", i, rc, msg.error);
			CU_ASSERT_EQUAL(rc, -c->err);
			CU_ASSERT_EQUAL(msg.err, (enum mdp_http_err)c->err);
			CU_ASSERT_EQUAL(msg.err_status, 502);
		}
		for (size_t k = 0; k < len; k++) {
			int r2 = mdp_http_parse_response(c->in, k, NULL, c->req, &msg);

			CU_ASSERT(r2 == MDP_HTTP_INCOMPLETE || (c->err != 0 && r2 == -c->err));
		}
	}

	/* reason phrase */
	CU_ASSERT(rsp("HTTP/1.1 404 Not Found\r\n\r\n", MDP_HTTP_M_GET) > 0);
	CU_ASSERT(str_is(msg.reason, "Not Found"));
	CU_ASSERT_EQUAL(msg.version, 1);
	CU_ASSERT(rsp("HTTP/1.1 200\r\n\r\n", MDP_HTTP_M_GET) > 0);
	CU_ASSERT(msg.reason.p != NULL && msg.reason.len == 0);
	CU_ASSERT_EQUAL(msg.host, -1);

	/* a 100 Continue, then the final response behind it */
	{
		static const char in[] = "HTTP/1.1 100 Continue\r\n\r\n"
					 "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
		int rc = mdp_http_parse_response(in, sizeof(in) - 1, NULL, MDP_HTTP_M_POST, &msg);

		CU_ASSERT_EQUAL(rc, 25);
		CU_ASSERT_EQUAL(msg.status, 100);
		rc = mdp_http_parse_response(in + 25, sizeof(in) - 1 - 25, NULL, MDP_HTTP_M_POST,
					     &msg);
		CU_ASSERT_EQUAL(rc, (int)sizeof(in) - 1 - 25 - 2);
		CU_ASSERT_EQUAL(msg.status, 201);
		CU_ASSERT_EQUAL(msg.body, MDP_HTTP_BODY_LENGTH);
	}
}

/* ------------------------------------------------------------------ */
/* Bodies */

/* Run a whole chunked body through the decoder in pieces of the given
 * sizes (cycled; 0 = all at once); collect the data. Returns the feed's
 * last return value; *used = bytes consumed in total. */
#define LIT(s)	s, sizeof(s) - 1

static int
run_body(enum mdp_http_body_kind kind, uint64_t cl, const char *in, size_t len,
	 const size_t *pieces, unsigned n_pieces, unsigned max_spans, char *data, size_t *dl,
	 size_t *used, const struct mdp_http_limits *lim)
{
	struct mdp_http_msg m = { .body = kind, .content_length = cl };
	struct mdp_http_body b;
	struct mdp_http_span sp[8];
	size_t off = 0;
	unsigned pi = 0;
	int rc = 0;

	mdp_http_body_init(&b, &m, lim);
	*dl = 0;
	while (off < len) {
		size_t want = n_pieces && pieces[pi % n_pieces] ? pieces[pi % n_pieces] : len;
		size_t n = want < len - off ? want : len - off, c;
		unsigned ns;

		pi++;
		/* feed this piece until it is used up, the body ends, or an error */
		for (;;) {
			rc = mdp_http_body_feed(&b, in + off, n, sp, max_spans, &ns, &c);
			CU_ASSERT(c <= n);
			for (unsigned i = 0; i < ns; i++) {
				CU_ASSERT(sp[i].off + sp[i].len <= c);
				CU_ASSERT(sp[i].len > 0);
				memcpy(data + *dl, in + off + sp[i].off, sp[i].len);
				*dl += sp[i].len;
			}
			off += c;
			n -= c;
			if (rc != 0 || n == 0)
				break;
			CU_ASSERT_FATAL(c > 0 || ns > 0);
		}
		if (rc != 0)
			break;
	}
	*used = off;
	return rc;
}

static const char chunked[] =
	"5\r\nhello\r\n"
	"6;name=value;q=\"a \\\" b\"\r\n world\r\n"
	"000a ; x = y\r\n0123456789\r\n"
	"1\r\n!\r\n"
	"0\r\n"
	"X-Trailer: yes\r\n"
	"Y: \r\n"
	"\r\n";
static const char chunked_data[] = "hello world0123456789!";

static void
test_chunked(void)
{
	char in[512], data[512];
	size_t len = sizeof(chunked) - 1, dl, used;
	size_t one = 1, pieces[7];
	uint32_t seed = 12345;
	int rc;

	/* whole, then with the next request behind it */
	memcpy(in, chunked, len);
	memcpy(in + len, "GET /", 5);
	rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, in, len + 5, NULL, 0, 8, data, &dl, &used, NULL);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_EQUAL(used, len);
	CU_ASSERT_EQUAL(dl, sizeof(chunked_data) - 1);
	CU_ASSERT(memcmp(data, chunked_data, dl) == 0);
	/* byte by byte */
	rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, in, len + 5, &one, 1, 8, data, &dl, &used, NULL);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_EQUAL(used, len);
	CU_ASSERT_EQUAL(dl, sizeof(chunked_data) - 1);
	CU_ASSERT(memcmp(data, chunked_data, dl) == 0);
	/* one span at a time */
	rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, in, len + 5, NULL, 0, 1, data, &dl, &used, NULL);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_EQUAL(used, len);
	CU_ASSERT(dl == sizeof(chunked_data) - 1 && memcmp(data, chunked_data, dl) == 0);
	/* random splits */
	for (int r = 0; r < 200; r++) {
		for (int k = 0; k < 7; k++) {
			seed = seed * 1103515245u + 12345u;
			pieces[k] = 1 + (seed >> 16) % 23;
		}
		rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, in, len + 5, pieces, 7, 1 + r % 3, data,
			      &dl, &used, NULL);
		CU_ASSERT_EQUAL(rc, 1);
		CU_ASSERT_EQUAL(used, len);
		CU_ASSERT(dl == sizeof(chunked_data) - 1 && memcmp(data, chunked_data, dl) == 0);
	}
	/* without spans: only where the body ends */
	{
		struct mdp_http_msg m = { .body = MDP_HTTP_BODY_CHUNKED };
		struct mdp_http_body b;
		unsigned ns = 9;

		mdp_http_body_init(&b, &m, NULL);
		CU_ASSERT_EQUAL(mdp_http_body_feed(&b, in, len + 5, NULL, 0, &ns, &used), 1);
		CU_ASSERT_EQUAL(ns, 0);
		CU_ASSERT_EQUAL(used, len);
		CU_ASSERT_EQUAL(b.data, sizeof(chunked_data) - 1);
		CU_ASSERT_EQUAL(b.chunks, 4);
		CU_ASSERT_EQUAL(b.n_trailers, 2);
		/* done: nothing more is consumed */
		CU_ASSERT_EQUAL(mdp_http_body_feed(&b, in, 5, NULL, 0, &ns, &used), 1);
		CU_ASSERT_EQUAL(used, 0);
		CU_ASSERT_EQUAL(mdp_http_body_eof(&b), 0);
	}
	/* a body that stops early is truncated */
	{
		struct mdp_http_msg m = { .body = MDP_HTTP_BODY_CHUNKED };
		struct mdp_http_body b;
		unsigned ns;

		for (size_t k = 0; k < len; k++) {
			mdp_http_body_init(&b, &m, NULL);
			CU_ASSERT_EQUAL(mdp_http_body_feed(&b, chunked, k, NULL, 0, &ns, &used), 0);
			CU_ASSERT_EQUAL(used, k);
			CU_ASSERT_EQUAL(mdp_http_body_eof(&b), ERR(BODY_TRUNCATED));
			CU_ASSERT_EQUAL(mdp_http_err_status(b.err), 400);
		}
	}
	/* big sizes, leading zeros */
	{
		static const char lz[] = "0000000000000000000003\r\nabc\r\n0\r\n\r\n";

		rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, lz, sizeof(lz) - 1, NULL, 0, 8, data, &dl,
			      &used, NULL);
		CU_ASSERT_EQUAL(rc, 1);
		CU_ASSERT(dl == 3 && memcmp(data, "abc", 3) == 0);
	}
	{
		struct mdp_http_msg m = { .body = MDP_HTTP_BODY_CHUNKED };
		struct mdp_http_body b;
		unsigned ns;

		mdp_http_body_init(&b, &m, NULL);
		CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "7fffffffffffffff\r\nab", 20, NULL, 0, &ns,
						   &used), 0);
		CU_ASSERT_EQUAL(b.remaining, (uint64_t)INT64_MAX - 2);
		mdp_http_body_init(&b, &m, NULL);
		CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "8000000000000000\r\n", 18, NULL, 0, &ns,
						   &used), ERR(CHUNK_SIZE_OVERFLOW));
		mdp_http_body_init(&b, &m, NULL);
		CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "ffffffffffffffffff\r\n", 20, NULL, 0, &ns,
						   &used), ERR(CHUNK_SIZE_OVERFLOW));
	}
}

struct chunk_reject {
	const char *in;
	enum mdp_http_err err;
};

static const struct chunk_reject chunk_rejects[] = {
	{ "5\r\nhelloX\r\n0\r\n\r\n", E(CHUNK_CRLF) },
	{ "5\r\nhello\n0\r\n\r\n", E(CHUNK_CRLF) },
	{ "5\r\nhello\r0\r\n\r\n", E(CHUNK_CRLF) },
	{ "5\r\nhello world\r\n", E(CHUNK_CRLF) },
	{ "3\r\nhello\r\n", E(CHUNK_CRLF) },
	{ "-5\r\nhello\r\n", E(CHUNK_SIZE) },
	{ "+5\r\nhello\r\n", E(CHUNK_SIZE) },
	{ "0x5\r\nhello\r\n", E(CHUNK_SIZE) },
	{ " 5\r\nhello\r\n", E(CHUNK_SIZE) },
	{ "\r\n", E(CHUNK_SIZE) },
	{ "g\r\n", E(CHUNK_SIZE) },
	{ "5g\r\n", E(CHUNK_SIZE) },
	{ "5,5\r\n", E(CHUNK_SIZE) },
	{ "5\n", E(BARE_LF) },
	{ "5\rX", E(BARE_CR) },
	{ "5;a=b\n", E(BARE_LF) },
	{ "5 \r\n", E(CHUNK_EXT) },
	{ "5\t\r\n", E(CHUNK_EXT) },
	{ "5;\r\n", E(CHUNK_EXT) },
	{ "5;a=\r\n", E(CHUNK_EXT) },
	{ "5;a b\r\n", E(CHUNK_EXT) },
	{ "5;a \r\n", E(CHUNK_EXT) },
	{ "5;a=b c\r\n", E(CHUNK_EXT) },
	{ "5;a=\"b\r\n", E(CHUNK_EXT) },
	{ "5;a=\"b\n", E(BARE_LF) },
	{ "5;a=\"b\"c\r\n", E(CHUNK_EXT) },
	{ "5;a=\"\\\x01\"\r\n", E(CHUNK_EXT) },
	{ "5;a=\x01\r\n", E(CHUNK_EXT) },
	{ "5;(\r\n", E(CHUNK_EXT) },
	{ "5;a=b;\r\n", E(CHUNK_EXT) },
	{ "0\r\n X: a\r\n\r\n", E(OBS_FOLD) },
	{ "0\r\nX : a\r\n\r\n", E(WS_BEFORE_COLON) },
	{ "0\r\n: a\r\n\r\n", E(NAME) },
	{ "0\r\nX(: a\r\n\r\n", E(NAME) },
	{ "0\r\nXa\r\n\r\n", E(NAME) },
	{ "0\r\nX: a\n\r\n", E(BARE_LF) },
	{ "0\r\nX: a\rb\r\n\r\n", E(BARE_CR) },
	{ "0\r\nX: a\x01\r\n\r\n", E(VALUE_CTL) },
	{ "0\r\n\n", E(BARE_LF) },
	{ "0\r\n\rX", E(BARE_CR) },
	{ "0\r\nContent-Length: 5\r\n\r\n", E(TRAILER_FORBIDDEN) },
	{ "0\r\ntransfer-encoding: chunked\r\n\r\n", E(TRAILER_FORBIDDEN) },
	{ "0\r\nHOST: a\r\n\r\n", E(TRAILER_FORBIDDEN) },
};

static void
test_chunked_reject(void)
{
	struct mdp_http_limits lim = MDP_HTTP_LIMITS_DEFAULT;
	char data[64], big[8192];
	size_t dl, used, one = 1;
	int rc;

	for (unsigned i = 0; i < sizeof(chunk_rejects) / sizeof(chunk_rejects[0]); i++) {
		const struct chunk_reject *c = &chunk_rejects[i];
		size_t len = strlen(c->in);

		rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, c->in, len, NULL, 0, 8, data, &dl, &used,
			      NULL);
		if (rc != -(int)c->err)
			printf("\n  chunk_reject[%u]: %d\n", i, rc);
		CU_ASSERT_EQUAL(rc, -(int)c->err);
		CU_ASSERT_EQUAL(mdp_http_err_status(c->err), 400);
		rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, c->in, len, &one, 1, 1, data, &dl, &used,
			      NULL);
		CU_ASSERT_EQUAL(rc, -(int)c->err);
	}
	/* the NUL ones, with their real length */
	rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, LIT("0\r\nX: a\0\r\n\r\n"), NULL, 0, 8, data, &dl,
		      &used, NULL);
	CU_ASSERT_EQUAL(rc, ERR(VALUE_NUL));

	/* a longer trailer name is not mistaken for a short one */
	rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, LIT("0\r\nContent-Length-X-Y-Z-Long: 5\r\n\r\n"),
		      NULL, 0, 8, data, &dl, &used, NULL);
	CU_ASSERT_EQUAL(rc, 1);
	rc = run_body(MDP_HTTP_BODY_CHUNKED, 0,
		      LIT("0\r\nContent-Length-X-Y-Z-Long-Name-More: 5\r\n\r\n"), NULL, 0, 8,
		      data, &dl, &used, NULL);
	CU_ASSERT_EQUAL(rc, 1);

	/* the chunk line limit counts extensions, not the CRLF */
	lim.max_chunk_line = 8;
	rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, LIT("1;a=bcde\r\nx\r\n0\r\n\r\n"), NULL, 0, 8, data, &dl,
		      &used, &lim);
	CU_ASSERT_EQUAL(rc, 1);
	rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, LIT("1;a=bcdef\r\nx\r\n0\r\n\r\n"), NULL, 0, 8, data,
		      &dl, &used, &lim);
	CU_ASSERT_EQUAL(rc, ERR(CHUNK_LINE_TOO_LONG));
	/* ... found before the line ends */
	memset(big, '0', sizeof(big));
	rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, big, sizeof(big), &one, 1, 8, data, &dl, &used,
		      NULL);
	CU_ASSERT_EQUAL(rc, ERR(CHUNK_LINE_TOO_LONG));
	CU_ASSERT_EQUAL(used, 4096);

	/* trailer limits: count and bytes */
	lim = (struct mdp_http_limits)MDP_HTTP_LIMITS_DEFAULT;
	lim.max_headers = 2;
	rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, LIT("0\r\nA: 1\r\nB: 2\r\n\r\n"), NULL, 0, 8, data,
		      &dl, &used, &lim);
	CU_ASSERT_EQUAL(rc, 1);
	rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, LIT("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"), NULL, 0, 8,
		      data, &dl, &used, &lim);
	CU_ASSERT_EQUAL(rc, ERR(TRAILER_TOO_LARGE));
	lim = (struct mdp_http_limits)MDP_HTTP_LIMITS_DEFAULT;
	lim.max_head = 14;	/* "A: 1\r\nB: 2\r\n\r\n" */
	rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, LIT("0\r\nA: 1\r\nB: 2\r\n\r\n"), NULL, 0, 8, data,
		      &dl, &used, &lim);
	CU_ASSERT_EQUAL(rc, 1);
	lim.max_head = 13;
	rc = run_body(MDP_HTTP_BODY_CHUNKED, 0, LIT("0\r\nA: 1\r\nB: 2\r\n\r\n"), NULL, 0, 8, data,
		      &dl, &used, &lim);
	CU_ASSERT_EQUAL(rc, ERR(TRAILER_TOO_LARGE));

	/* errors stick */
	{
		struct mdp_http_msg m = { .body = MDP_HTTP_BODY_CHUNKED };
		struct mdp_http_body b;
		unsigned ns;

		mdp_http_body_init(&b, &m, NULL);
		CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "x", 1, NULL, 0, &ns, &used),
				ERR(CHUNK_SIZE));
		CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "0\r\n\r\n", 5, NULL, 0, &ns, &used),
				ERR(CHUNK_SIZE));
		CU_ASSERT_EQUAL(used, 0);
		CU_ASSERT_EQUAL(mdp_http_body_eof(&b), ERR(CHUNK_SIZE));
		CU_ASSERT_EQUAL(b.err, E(CHUNK_SIZE));
	}
}

static void
test_length_body(void)
{
	struct mdp_http_msg m = { .body = MDP_HTTP_BODY_LENGTH, .content_length = 10 };
	struct mdp_http_body b;
	struct mdp_http_span sp[2];
	unsigned ns;
	size_t used;

	mdp_http_body_init(&b, &m, NULL);
	CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "0123", 4, sp, 2, &ns, &used), 0);
	CU_ASSERT(ns == 1 && sp[0].off == 0 && sp[0].len == 4 && used == 4);
	CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "", 0, sp, 2, &ns, &used), 0);
	CU_ASSERT(ns == 0 && used == 0);
	CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "456789GET", 9, sp, 2, &ns, &used), 1);
	CU_ASSERT(ns == 1 && sp[0].off == 0 && sp[0].len == 6 && used == 6);
	CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "GET", 3, sp, 2, &ns, &used), 1);
	CU_ASSERT(ns == 0 && used == 0);
	CU_ASSERT_EQUAL(b.data, 10);
	CU_ASSERT_EQUAL(mdp_http_body_eof(&b), 0);
	/* no room for spans: nothing consumed */
	mdp_http_body_init(&b, &m, NULL);
	CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "0123", 4, sp, 0, &ns, &used), 0);
	CU_ASSERT(ns == 0 && used == 0);
	/* truncated */
	CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "0123", 4, NULL, 0, &ns, &used), 0);
	CU_ASSERT_EQUAL(used, 4);
	CU_ASSERT_EQUAL(mdp_http_body_eof(&b), ERR(BODY_TRUNCATED));

	/* no body */
	m.body = MDP_HTTP_BODY_NONE;
	mdp_http_body_init(&b, &m, NULL);
	CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "GET", 3, sp, 2, &ns, &used), 1);
	CU_ASSERT(ns == 0 && used == 0);
	CU_ASSERT_EQUAL(mdp_http_body_eof(&b), 0);

	/* until close: all data, complete at the close only */
	m.body = MDP_HTTP_BODY_UNTIL_CLOSE;
	mdp_http_body_init(&b, &m, NULL);
	CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "abc", 3, sp, 2, &ns, &used), 0);
	CU_ASSERT(ns == 1 && sp[0].len == 3 && used == 3);
	CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "0\r\n\r\n", 5, sp, 2, &ns, &used), 0);
	CU_ASSERT(used == 5 && b.data == 8);
	CU_ASSERT_EQUAL(mdp_http_body_eof(&b), 0);
	CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "x", 1, sp, 2, &ns, &used), 1);

	/* from a parsed message */
	CU_ASSERT(rsp("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", MDP_HTTP_M_GET) > 0);
	mdp_http_body_init(&b, &msg, NULL);
	CU_ASSERT_EQUAL(mdp_http_body_feed(&b, "abcHTTP", 7, sp, 2, &ns, &used), 1);
	CU_ASSERT_EQUAL(used, 3);
}

/* ------------------------------------------------------------------ */
/* Path normalization */

struct path_case {
	const char *in;
	const char *out;	/* NULL: rejected with err */
	enum mdp_http_err err;
};

#define PN(i, o)	{ i, o, E(NONE) }
#define PX(i, e)	{ i, NULL, E(e) }

static const struct path_case paths[] = {
	PN("/", "/"),
	PN("", "/"),
	PN("/a", "/a"),
	PN("/a/", "/a/"),
	PN("/a/b/c", "/a/b/c"),
	/* dot-segments (RFC 3986 5.2.4) */
	PN("/a/./b", "/a/b"),
	PN("/a/../b", "/b"),
	PN("/a/b/../c", "/a/c"),
	PN("/a/b/..", "/a/"),
	PN("/a/b/.", "/a/b/"),
	PN("/a/b/../", "/a/"),
	PN("/a/..", "/"),
	PN("/.", "/"),
	PN("/./", "/"),
	PN("/..", "/"),
	PN("/../", "/"),
	PN("/a/b/c/./../../g", "/a/g"),
	PN("/mid/content=5/../6", "/mid/6"),
	/* above the root: clamped at the root */
	PN("/a/../../b", "/b"),
	PN("/../a", "/a"),
	PN("/../../../../etc/passwd", "/etc/passwd"),
	/* not dot-segments */
	PN("/a/.../b", "/a/.../b"),
	PN("/a/..b/c", "/a/..b/c"),
	PN("/a/b../c", "/a/b../c"),
	PN("/.a", "/.a"),
	PN("/a.;b", "/a.;b"),
	/* slashes */
	PN("//a", "/a"),
	PN("/a//b", "/a/b"),
	PN("/a///b//", "/a/b/"),
	PN("//", "/"),
	PN("///../a", "/a"),
	PN("/a//..", "/"),
	/* percent-encoding: unreserved decoded, the rest upper-cased */
	PN("/a%41", "/aA"),
	PN("/%7e", "/~"),
	PN("/%7E%2d%2E%5f", "/~-._"),
	PN("/%61%62c", "/abc"),
	PN("/a%3ab", "/a%3Ab"),
	PN("/a%3Ab", "/a%3Ab"),
	PN("/%c3%a9", "/%C3%A9"),
	PN("/a%20b", "/a%20b"),
	PN("/a%3f", "/a%3F"),
	PN("/a%25", "/a%25"),
	PN("/a%252e", "/a%252e"),
	PN("/%ff", "/%FF"),
	/* encoded dots are dots */
	PN("/%2e%2e/x", "/x"),
	PN("/a/%2E%2E/b", "/b"),
	PN("/a/.%2e/b", "/b"),
	PN("/a/%2e/b", "/a/b"),
	PN("/a/%2e%2e", "/"),
	/* sub-delims and others pass */
	PN("/a:b@c!$&'()*+,;=", "/a:b@c!$&'()*+,;="),
	PN("/a;b/c", "/a;b/c"),
	/* rejected */
	PX("/a%2fb", PATH_ENC_SLASH),
	PX("/a%2Fb", PATH_ENC_SLASH),
	PX("/a%5cb", PATH_ENC_SLASH),
	PX("/a%5C..%5Cb", PATH_ENC_SLASH),
	PX("/a%00", PATH_ENC_NUL),
	PX("/a%", PATH_PCT),
	PX("/a%4", PATH_PCT),
	PX("/a%zz", PATH_PCT),
	PX("/a%4g", PATH_PCT),
	PX("/a%%41", PATH_PCT),
	PX("a", PATH_INVALID),
	PX("a/b", PATH_INVALID),
	PX("*", PATH_INVALID),
	PX("/a\\b", PATH_INVALID),
	PX("/a b", PATH_INVALID),
	PX("/a?b", PATH_INVALID),
	PX("/a#b", PATH_INVALID),
	PX("/a|b", PATH_INVALID),
	PX("/\xc3\xa9", PATH_INVALID),
	PX("/..;/admin", PATH_DOT_PARAM),
	PX("/a/..;x/b", PATH_DOT_PARAM),
	PX("/a/.;/b", PATH_DOT_PARAM),
	PX("/a/%2e;/b", PATH_DOT_PARAM),
	PX("/a/%2e%2e;/b", PATH_DOT_PARAM),
};

static void
test_path(void)
{
	char out[256];
	size_t n;
	int rc;

	for (unsigned i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct path_case *c = &paths[i];

		memset(out, '#', sizeof(out));
		rc = mdp_http_path_normalize(c->in, strlen(c->in), out, sizeof(out), &n);
		if (c->out != NULL) {
			if (rc != 0 || n != strlen(c->out) || memcmp(out, c->out, n) != 0)
				printf("\n  path[%u] %s: rc %d '%.*s'\n", i, c->in, rc,
				       rc == 0 ? (int)n : 0, out);
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_EQUAL(n, strlen(c->out));
			CU_ASSERT(memcmp(out, c->out, strlen(c->out)) == 0);
			CU_ASSERT(n <= (strlen(c->in) > 0 ? strlen(c->in) : 1));
			/* idempotent */
			{
				char again[256];
				size_t n2;

				CU_ASSERT_EQUAL(mdp_http_path_normalize(out, n, again, sizeof(again),
									&n2), 0);
				CU_ASSERT(n2 == n && memcmp(again, out, n) == 0);
			}
			/* cap = max(len, 1) suffices; one less does not,
			 * unless the result is shorter */
			CU_ASSERT_EQUAL(mdp_http_path_normalize(c->in, strlen(c->in), out,
								strlen(c->in) ? strlen(c->in) : 1,
								&n), 0);
			if (n > 1)
				CU_ASSERT_EQUAL(mdp_http_path_normalize(c->in, strlen(c->in), out,
									n - 1, &n),
						ERR(PATH_TOO_LONG));
		} else {
			if (rc != -(int)c->err)
				printf("\n  path[%u] %s: rc %d\n", i, c->in, rc);
			CU_ASSERT_EQUAL(rc, -(int)c->err);
		}
	}
	CU_ASSERT_EQUAL(mdp_http_path_normalize("/", 1, out, 0, &n), ERR(PATH_TOO_LONG));
	CU_ASSERT_EQUAL(mdp_http_err_status(E(PATH_ENC_SLASH)), 400);

	/* from a request: the query is not the path's business */
	CU_ASSERT(req("GET /a/./b/../c//d?x=/../%2f&y=%7e HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	rc = mdp_http_path_normalize(msg.path.p, msg.path.len, out, sizeof(out), &n);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(n == 6 && memcmp(out, "/a/c/d", 6) == 0);
	CU_ASSERT(str_is(msg.query, "x=/../%2f&y=%7e"));
}

static void
test_errors(void)
{
	for (int e = 0; e < MDP_HTTP_E_MAX; e++) {
		const char *s = mdp_http_err_str((enum mdp_http_err)e);
		unsigned st = mdp_http_err_status((enum mdp_http_err)e);

		CU_ASSERT(s != NULL && s[0] != '\0');
		if (e <= E(INCOMPLETE)) {
			CU_ASSERT_EQUAL(st, 0);
		} else {
			CU_ASSERT(st == 400 || st == 414 || st == 417 || st == 431 || st == 501 ||
				  st == 505);
		}
		for (int f = 0; f < e; f++)
			CU_ASSERT(strcmp(s, mdp_http_err_str((enum mdp_http_err)f)) != 0);
	}
	CU_ASSERT_STRING_EQUAL(mdp_http_err_str(E(NONE)), "ok");
	CU_ASSERT_STRING_EQUAL(mdp_http_err_str(MDP_HTTP_E_MAX), "?");
	CU_ASSERT_EQUAL(mdp_http_err_status(MDP_HTTP_E_MAX), 0);
	CU_ASSERT_EQUAL(MDP_HTTP_INCOMPLETE, -1);
	CU_ASSERT_STRING_EQUAL(mdp_http_method_str(MDP_HTTP_M_OTHER), "");
	CU_ASSERT_STRING_EQUAL(mdp_http_method_str(MDP_HTTP_M_MAX), "");
	CU_ASSERT_STRING_EQUAL(mdp_http_method_str(MDP_HTTP_M_OPTIONS), "OPTIONS");
}

static CU_TestInfo tests[] = {
	{ "rejected requests: reason, status, every prefix", test_reject },
	{ "accepted requests: start line, methods", test_accept_basic },
	{ "accepted fields: OWS, Host forms, header ids", test_accept_fields },
	{ "body framing of requests", test_framing },
	{ "Connection: keep-alive, hop-by-hop, Upgrade, Expect", test_connection },
	{ "target forms: absolute, authority, asterisk", test_target_forms },
	{ "incremental: every split point", test_incremental },
	{ "pipelined requests with bodies", test_pipelined },
	{ "limits: 414, 431, found early", test_limits },
	{ "responses: framing (RFC 9112 6.3) and rejects", test_response },
	{ "chunked bodies: whole, byte by byte, random splits", test_chunked },
	{ "chunked bodies: rejects and limits", test_chunked_reject },
	{ "Content-Length, none and until-close bodies", test_length_body },
	{ "path normalization", test_path },
	{ "error table", test_errors },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("http", NULL, NULL, tests);
}
