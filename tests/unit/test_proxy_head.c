/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <CUnit/CUnit.h>

#include "http/mdp_http.h"
#include "proxy/proxy_head.h"
#include "unit.h"

/*
 * The heads the HTTP proxy sends, built from messages that lib/http parsed
 * out of real bytes. Each output is compared byte for byte, then parsed
 * again by lib/http: what the proxy sends must be a valid message that
 * means what the router saw.
 */

#define CRLF	"\r\n"
#define NHDR	64
#define CLIENT	0xc6336407u	/* 198.51.100.7 */
#define XFF	"X-Forwarded-For: 198.51.100.7" CRLF
#define XFP	"X-Forwarded-Proto: http" CRLF
#define RID	"0123-rid"
#define XRID	"X-Request-Id: " RID CRLF

static struct mdp_http_header hdr[NHDR], rhdr[NHDR];
static struct mdp_http_msg msg;	/* what the proxy received */
static struct mdp_http_msg re;	/* what it sent, parsed again */
static char out[8192];

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static void
parse_req_at(const char *s, unsigned line)
{
	int rc;

	msg = (struct mdp_http_msg){ .headers = hdr, .headers_cap = NHDR };
	rc = mdp_http_parse_request(s, strlen(s), NULL, &msg);
	if (rc != (int)strlen(s))
		fprintf(stderr, "\n%s:%u: request rejected (%d, %s)\n", __FILE__, line, rc,
			msg.error != NULL ? msg.error : "");
	CU_assertImplementation(rc == (int)strlen(s), line, "request parsed", __FILE__, "",
				CU_TRUE);
}

static void
parse_resp_at(const char *s, enum mdp_http_method m, unsigned line)
{
	int rc;

	msg = (struct mdp_http_msg){ .headers = hdr, .headers_cap = NHDR };
	rc = mdp_http_parse_response(s, strlen(s), NULL, m, &msg);
	if (rc != (int)strlen(s))
		fprintf(stderr, "\n%s:%u: response rejected (%d, %s)\n", __FILE__, line, rc,
			msg.error != NULL ? msg.error : "");
	CU_assertImplementation(rc == (int)strlen(s), line, "response parsed", __FILE__, "",
				CU_TRUE);
}

#define parse_req(s)		parse_req_at(s, __LINE__)
#define parse_resp(s, m)	parse_resp_at(s, m, __LINE__)

/* Print s with CR and LF visible. */
static void
show(const char *s, int n)
{
	for (int i = 0; i < n; i++) {
		if (s[i] == '\r')
			fputs("\\r", stderr);
		else if (s[i] == '\n')
			fputs("\\n\n", stderr);
		else
			fputc(s[i], stderr);
	}
	fputc('\n', stderr);
}

/* The n bytes built into out are exactly want. */
static void
expect_out_at(int n, const char *want, unsigned line)
{
	bool ok = n == (int)strlen(want) && memcmp(out, want, strlen(want)) == 0;

	if (!ok) {
		fprintf(stderr, "\n%s:%u: output mismatch (%d bytes, want %zu)\n--- want:\n",
			__FILE__, line, n, strlen(want));
		show(want, (int)strlen(want));
		fputs("--- got:\n", stderr);
		if (n > 0)
			show(out, n);
	}
	CU_assertImplementation(ok, line, "output == want", __FILE__, "", CU_FALSE);
}

#define expect_out(n, want) expect_out_at(n, want, __LINE__)

static bool
str_is(struct mdp_http_str s, const char *want)
{
	if (want == NULL)
		return s.p == NULL;
	return s.p != NULL && s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

/* Fields of re named name (case-insensitive): how many, and the first
 * one's value in *value. */
static unsigned
re_fields(const char *name, struct mdp_http_str *value)
{
	unsigned n = 0;

	for (unsigned i = 0; i < re.n_headers; i++) {
		const struct mdp_http_header *h = &re.headers[i];

		if (h->name_len != strlen(name) || strncasecmp(h->name, name, h->name_len) != 0)
			continue;
		if (n++ == 0 && value != NULL)
			*value = (struct mdp_http_str){ h->value, h->value_len };
	}
	return n;
}

/* re has exactly one field named name, with this value. */
static bool
re_has(const char *name, const char *value)
{
	struct mdp_http_str v;

	return re_fields(name, &v) == 1 && str_is(v, value);
}

/* Parse the n bytes of out as a request: all of them are the head. */
static void
reparse_req_at(int n, unsigned line)
{
	int rc;

	re = (struct mdp_http_msg){ .headers = rhdr, .headers_cap = NHDR };
	rc = n > 0 ? mdp_http_parse_request(out, (size_t)n, NULL, &re) : -1;
	if (rc != n)
		fprintf(stderr, "\n%s:%u: output rejected (%d, %s)\n", __FILE__, line, rc,
			re.error != NULL ? re.error : "");
	CU_assertImplementation(rc == n, line, "output parses as a request", __FILE__, "",
				CU_TRUE);
}

#define reparse_req(n) reparse_req_at(n, __LINE__)

/* The forwarded request means what msg meant, to o's path and authority. */
static void
check_equiv_req_at(const struct mdp_proxy_req_out *o, unsigned line)
{
	struct mdp_http_str p = { o->path, (uint32_t)o->path_len };
	struct mdp_http_str a = { o->authority, (uint32_t)o->authority_len };
	bool ok = re.version == 1 && re.method == msg.method &&
		  re.method_str.len == msg.method_str.len &&
		  memcmp(re.method_str.p, msg.method_str.p, msg.method_str.len) == 0 &&
		  re.target_form == MDP_HTTP_T_ORIGIN && re.path.len == p.len &&
		  memcmp(re.path.p, p.p, p.len) == 0 &&
		  (msg.query.p == NULL ? re.query.p == NULL :
		   re.query.p != NULL && re.query.len == msg.query.len &&
		   memcmp(re.query.p, msg.query.p, msg.query.len) == 0) &&
		  re.authority.len == a.len && memcmp(re.authority.p, a.p, a.len) == 0 &&
		  re.body == msg.body && re.content_length == msg.content_length &&
		  re.upgrade == msg.upgrade && re.expect_continue == msg.expect_continue &&
		  re_fields("host", NULL) == 1 && re_fields("x-forwarded-for", NULL) == 1 &&
		  re_has("x-forwarded-proto", "http");

	CU_assertImplementation(ok, line, "forwarded request is equivalent", __FILE__, "",
				CU_FALSE);
}

#define check_equiv_req(o) check_equiv_req_at(o, __LINE__)

static void
reparse_resp_at(int n, enum mdp_http_method m, unsigned line)
{
	int rc;

	re = (struct mdp_http_msg){ .headers = rhdr, .headers_cap = NHDR };
	rc = n > 0 ? mdp_http_parse_response(out, (size_t)n, NULL, m, &re) : -1;
	if (rc != n)
		fprintf(stderr, "\n%s:%u: output rejected (%d, %s)\n", __FILE__, line, rc,
			re.error != NULL ? re.error : "");
	CU_assertImplementation(rc == n, line, "output parses as a response", __FILE__, "",
				CU_TRUE);
	CU_assertImplementation(re.version == 1 && re.status == msg.status &&
					re.reason.len == msg.reason.len &&
					(msg.reason.len == 0 ||
					 memcmp(re.reason.p, msg.reason.p, msg.reason.len) == 0),
				line, "same status and reason, HTTP/1.1", __FILE__, "", CU_FALSE);
}

#define reparse_resp(n, m) reparse_resp_at(n, m, __LINE__)

static struct mdp_proxy_req_out
req_out(const char *path, const char *authority)
{
	return (struct mdp_proxy_req_out){
		.path = path,
		.path_len = strlen(path),
		.authority = authority,
		.authority_len = strlen(authority),
		.client_addr = CLIENT,
		.request_id = RID,
		.request_id_len = strlen(RID),
	};
}

/* A route header operation; RM(name) removes. */
#define OP(kind, n, v)                                                       \
	{ .op = MDP_HDR_##kind, .name = n, .name_len = sizeof(n) - 1, .value = v, \
	  .value_len = sizeof(v) - 1 }
#define RM(n) { .op = MDP_HDR_REMOVE, .name = n, .name_len = sizeof(n) - 1 }

/* ------------------------------------------------------------------ */
/* Forwarded requests                                                  */

static void
test_req_line(void)
{
	struct mdp_proxy_req_out o;
	int n;

	/* the given (normalized, rewritten) path, the query as received,
	 * HTTP/1.1, the given authority as Host */
	parse_req("GET /orig/../x?a=1&b=%2F HTTP/1.1" CRLF "Host: front.example" CRLF
		  "User-Agent: t/1" CRLF "Accept: */*" CRLF CRLF);
	o = req_out("/x", "back.example:8080");
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET /x?a=1&b=%2F HTTP/1.1" CRLF "Host: back.example:8080" CRLF
		      "User-Agent: t/1" CRLF "Accept: */*" CRLF XFF XFP XRID CRLF);
	reparse_req(n);
	check_equiv_req(&o);
	CU_ASSERT_EQUAL(re.n_headers, 6);

	/* absolute form goes out in origin form */
	parse_req("GET http://front.example/a?q HTTP/1.1" CRLF "Host: front.example" CRLF CRLF);
	o = req_out("/a", "front.example");
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET /a?q HTTP/1.1" CRLF "Host: front.example" CRLF XFF XFP XRID CRLF);
	reparse_req(n);
	check_equiv_req(&o);

	/* an empty query stays, no query stays none */
	parse_req("GET /a? HTTP/1.1" CRLF "Host: h" CRLF CRLF);
	o = req_out("/a", "h");
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET /a? HTTP/1.1" CRLF "Host: h" CRLF XFF XFP XRID CRLF);
	reparse_req(n);
	check_equiv_req(&o);
	CU_ASSERT_TRUE(str_is(re.query, ""));
	parse_req("GET /a HTTP/1.1" CRLF "Host: h" CRLF CRLF);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET /a HTTP/1.1" CRLF "Host: h" CRLF XFF XFP XRID CRLF);
	reparse_req(n);
	check_equiv_req(&o);
	CU_ASSERT_PTR_NULL(re.query.p);

	/* an HTTP/1.0 request goes out as HTTP/1.1 with a Host; an
	 * extension method as received */
	parse_req("PURGE /cache HTTP/1.0" CRLF "Accept: */*" CRLF CRLF);
	o = req_out("/cache", "origin");
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "PURGE /cache HTTP/1.1" CRLF "Host: origin" CRLF "Accept: */*" CRLF XFF XFP
		      XRID CRLF);
	reparse_req(n);
	check_equiv_req(&o);
	CU_ASSERT_TRUE(str_is(re.method_str, "PURGE"));

	/* a request without a request id to add gets none */
	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF CRLF);
	o = req_out("/", "h");
	o.request_id = NULL;
	o.request_id_len = 0;
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF XFF XFP CRLF);
}

static void
test_req_hop_by_hop(void)
{
	struct mdp_proxy_req_out o = req_out("/", "h");
	int n;

	/* the fixed list, and the fields Connection names, before or after it */
	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF "X-Early: 1" CRLF
		  "Connection: keep-alive, X-Early, x-late" CRLF "Keep-Alive: timeout=5" CRLF
		  "TE: trailers" CRLF "Upgrade: h2c" CRLF "Proxy-Connection: keep-alive" CRLF
		  "X-Late: 2" CRLF "X-Keep: yes" CRLF CRLF);
	CU_ASSERT_FALSE(msg.upgrade);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF "X-Keep: yes" CRLF XFF XFP XRID CRLF);
	reparse_req(n);
	check_equiv_req(&o);

	/* Connection: close is not forwarded either */
	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF "Connection: close" CRLF CRLF);
	CU_ASSERT_FALSE(msg.keep_alive);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF XFF XFP XRID CRLF);
	reparse_req(n);
	CU_ASSERT_TRUE(re.keep_alive);
}

static void
test_req_xff(void)
{
	struct mdp_proxy_req_out o = req_out("/", "h");
	int n;

	/* one received: the client appended */
	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF "X-Forwarded-For: 203.0.113.1" CRLF
		  "Accept: a" CRLF CRLF);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF "Accept: a" CRLF
		      "X-Forwarded-For: 203.0.113.1, 198.51.100.7" CRLF XFP XRID CRLF);
	reparse_req(n);
	check_equiv_req(&o);

	/* several, in any case: joined in order, as one field */
	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF
		  "X-Forwarded-For: 203.0.113.1, 203.0.113.2" CRLF "X-Other: o" CRLF
		  "x-forwarded-for: 203.0.113.3" CRLF "X-FORWARDED-FOR: unknown" CRLF CRLF);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF "X-Other: o" CRLF
		      "X-Forwarded-For: 203.0.113.1, 203.0.113.2, 203.0.113.3, unknown, "
		      "198.51.100.7" CRLF XFP XRID CRLF);
	reparse_req(n);
	check_equiv_req(&o);

	/* empty ones add nothing */
	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF "X-Forwarded-For: " CRLF
		  "X-Forwarded-For: 203.0.113.9" CRLF "X-Forwarded-For:" CRLF CRLF);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF
		      "X-Forwarded-For: 203.0.113.9, 198.51.100.7" CRLF XFP XRID CRLF);
	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF "X-Forwarded-For:" CRLF CRLF);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF XFF XFP XRID CRLF);

	/* every octet of the client address */
	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF CRLF);
	o.client_addr = 0xff00010au;
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF "X-Forwarded-For: 255.0.1.10" CRLF XFP
		      XRID CRLF);
}

/* Over mTLS: X-Forwarded-Proto https and the caller's identity in
 * X-Forwarded-Client-Cert; a client's own X-Forwarded-Client-Cert never
 * passes (Envoy's SANITIZE_SET), with or without TLS. */
static void
test_req_tls_xfcc(void)
{
	static const char id[] = "By=spiffe://cluster.local/ns/default/sa/payment;"
				 "URI=spiffe://cluster.local/ns/default/sa/order";
	struct mdp_proxy_req_out o = req_out("/", "h");
	int n;

	o.https = true;
	o.xfcc = id;
	o.xfcc_len = sizeof(id) - 1;
	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF
		  "X-Forwarded-Client-Cert: URI=spiffe://cluster.local/ns/default/sa/admin" CRLF
		  "x-forwarded-client-cert: By=x" CRLF "X-Forwarded-Client-Certs: keep" CRLF CRLF);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF "X-Forwarded-Client-Certs: keep" CRLF XFF
		      "X-Forwarded-Proto: https" CRLF "X-Forwarded-Client-Cert: " "By=spiffe://"
		      "cluster.local/ns/default/sa/payment;URI=spiffe://cluster.local/ns/default/"
		      "sa/order" CRLF XRID CRLF);
	reparse_req(n);
	CU_ASSERT_TRUE(re_has("x-forwarded-client-cert", id));

	/* plaintext: dropped, nothing added */
	o = req_out("/", "h");
	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF "X-Forwarded-Client-Cert: URI=spoof" CRLF
		  CRLF);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF XFF XFP XRID CRLF);
}

static void
test_req_xfp_internal_rid(void)
{
	struct mdp_proxy_req_out o = req_out("/", "h");
	int n;

	/* the client's X-Forwarded-Proto is replaced */
	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF "X-Forwarded-Proto: https" CRLF
		  "x-forwarded-proto: http" CRLF "Accept: a" CRLF CRLF);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF "Accept: a" CRLF XFF XFP XRID CRLF);
	reparse_req(n);
	check_equiv_req(&o);

	/* x-meshdp-* is meshdp's alone, in any case; lookalikes stay */
	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF "X-Meshdp-Route: r" CRLF "x-meshdp-: a" CRLF
		  "X-MESHDP-TRACE: t" CRLF "X-Meshdpx: keep" CRLF "x-meshdp: keep" CRLF
		  "X-Mesh: keep" CRLF "x-meshdp-upstream: 198.18.9.1" CRLF CRLF);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF "X-Meshdpx: keep" CRLF
		      "x-meshdp: keep" CRLF "X-Mesh: keep" CRLF XFF XFP XRID CRLF);
	reparse_req(n);
	check_equiv_req(&o);

	/* a request id received is kept where it was, not duplicated */
	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF "x-request-id: abc" CRLF "Accept: a" CRLF
		  CRLF);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF "x-request-id: abc" CRLF "Accept: a" CRLF
		      XFF XFP CRLF);
	reparse_req(n);
	CU_ASSERT_TRUE(re_has("x-request-id", "abc"));

	/* the client's Host is never forwarded: the authority given is */
	parse_req("GET / HTTP/1.1" CRLF "Accept: a" CRLF "Host: client.example" CRLF CRLF);
	o = req_out("/", "upstream.example");
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: upstream.example" CRLF "Accept: a" CRLF XFF XFP
		      XRID CRLF);
	reparse_req(n);
	check_equiv_req(&o);
}

static void
test_req_route_ops(void)
{
	static const struct mdp_hdr_op ops[] = {
		RM("x-A"),
		OP(SET, "x-b", "new"),
		OP(ADD, "X-C", "6"),
		OP(SET, "X-E", "e"),
		OP(ADD, "X-F", ""),
		OP(ADD, "X-F", "f2"),
	};
	struct mdp_proxy_req_out o = req_out("/", "h");
	struct mdp_http_str v;
	int n;

	parse_req("GET / HTTP/1.1" CRLF "Host: h" CRLF "X-A: 1" CRLF "X-B: 2" CRLF "x-a: 3" CRLF
		  "X-AB: keep" CRLF "X-C: 4" CRLF "X-D: 5" CRLF "X-B: 2b" CRLF CRLF);
	o.ops = ops;
	o.n_ops = sizeof(ops) / sizeof(ops[0]);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET / HTTP/1.1" CRLF "Host: h" CRLF "X-AB: keep" CRLF "X-C: 4" CRLF
		      "X-D: 5" CRLF XFF "x-b: new" CRLF "X-C: 6" CRLF "X-E: e" CRLF "X-F: " CRLF
		      "X-F: f2" CRLF XFP XRID CRLF);
	reparse_req(n);
	check_equiv_req(&o);
	CU_ASSERT_EQUAL(re_fields("x-a", NULL), 0);
	CU_ASSERT_TRUE(re_has("x-b", "new"));
	CU_ASSERT_EQUAL(re_fields("x-c", &v), 2);
	CU_ASSERT_TRUE(str_is(v, "4"));
	CU_ASSERT_EQUAL(re_fields("x-f", &v), 2);
	CU_ASSERT_TRUE(str_is(v, ""));
}

static void
test_req_framing(void)
{
	struct mdp_proxy_req_out o = req_out("/up", "h");
	int n;

	/* chunked: the framing field goes out again (the body as received) */
	parse_req("POST /up HTTP/1.1" CRLF "Host: h" CRLF "Transfer-Encoding: chunked" CRLF
		  "Content-Type: text/plain" CRLF CRLF);
	CU_ASSERT_EQUAL(msg.body, MDP_HTTP_BODY_CHUNKED);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "POST /up HTTP/1.1" CRLF "Host: h" CRLF "Content-Type: text/plain" CRLF XFF
		      XFP XRID "Transfer-Encoding: chunked" CRLF CRLF);
	reparse_req(n);
	check_equiv_req(&o);
	CU_ASSERT_EQUAL(re.body, MDP_HTTP_BODY_CHUNKED);

	/* Content-Length is end to end */
	parse_req("POST /up HTTP/1.1" CRLF "Host: h" CRLF "Content-Length: 5" CRLF CRLF);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "POST /up HTTP/1.1" CRLF "Host: h" CRLF "Content-Length: 5" CRLF XFF XFP XRID
		      CRLF);
	reparse_req(n);
	check_equiv_req(&o);
	CU_ASSERT_EQUAL(re.body, MDP_HTTP_BODY_LENGTH);
	CU_ASSERT_EQUAL(re.content_length, 5);

	/* Expect is end to end too */
	parse_req("PUT /up HTTP/1.1" CRLF "Host: h" CRLF "Expect: 100-continue" CRLF
		  "Content-Length: 1" CRLF CRLF);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "PUT /up HTTP/1.1" CRLF "Host: h" CRLF "Expect: 100-continue" CRLF
		      "Content-Length: 1" CRLF XFF XFP XRID CRLF);
	reparse_req(n);
	check_equiv_req(&o);
	CU_ASSERT_TRUE(re.expect_continue);
}

static void
test_req_upgrade(void)
{
	struct mdp_proxy_req_out o = req_out("/ws", "h");
	int n;

	parse_req("GET /ws HTTP/1.1" CRLF "Host: h" CRLF "Connection: Upgrade" CRLF
		  "Upgrade: websocket" CRLF "Sec-WebSocket-Key: k" CRLF
		  "Sec-WebSocket-Version: 13" CRLF CRLF);
	CU_ASSERT_TRUE(msg.upgrade);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET /ws HTTP/1.1" CRLF "Host: h" CRLF "Sec-WebSocket-Key: k" CRLF
		      "Sec-WebSocket-Version: 13" CRLF XFF XFP XRID "Connection: upgrade" CRLF
		      "Upgrade: websocket" CRLF CRLF);
	reparse_req(n);
	check_equiv_req(&o);
	CU_ASSERT_TRUE(re.upgrade);
	CU_ASSERT_TRUE(re_has("upgrade", "websocket"));

	/* Upgrade without Connection: upgrade, or in HTTP/1.0, is no upgrade */
	parse_req("GET /ws HTTP/1.1" CRLF "Host: h" CRLF "Upgrade: websocket" CRLF CRLF);
	CU_ASSERT_FALSE(msg.upgrade);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET /ws HTTP/1.1" CRLF "Host: h" CRLF XFF XFP XRID CRLF);
	reparse_req(n);
	CU_ASSERT_FALSE(re.upgrade);
	parse_req("GET /ws HTTP/1.0" CRLF "Connection: upgrade" CRLF "Upgrade: websocket" CRLF
		  CRLF);
	CU_ASSERT_FALSE(msg.upgrade);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "GET /ws HTTP/1.1" CRLF "Host: h" CRLF XFF XFP XRID CRLF);
}

static void
test_req_via(void)
{
	struct mdp_proxy_req_out o = req_out("/up", "h");
	int n;

	/* only when asked; after what the proxy adds, before the framing */
	parse_req("POST /up HTTP/1.1" CRLF "Host: h" CRLF "Via: 1.0 edge" CRLF
		  "Transfer-Encoding: chunked" CRLF CRLF);
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "POST /up HTTP/1.1" CRLF "Host: h" CRLF "Via: 1.0 edge" CRLF XFF XFP XRID
		      "Transfer-Encoding: chunked" CRLF CRLF);
	o.via = true;
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &o);
	expect_out(n, "POST /up HTTP/1.1" CRLF "Host: h" CRLF "Via: 1.0 edge" CRLF XFF XFP XRID
		      "Via: 1.1 meshdp" CRLF "Transfer-Encoding: chunked" CRLF CRLF);
	reparse_req(n);
	check_equiv_req(&o);
	CU_ASSERT_EQUAL(re_fields("via", NULL), 2);
}

/*
 * Every cap below the exact length fails with -ENOSPC without writing
 * past cap (each buffer is allocated to its cap, for ASan); the exact
 * length succeeds with the same bytes.
 */
#define CHECK_CAPS(call, full, len)                                               \
	do {                                                                      \
		for (size_t cap_ = 0; cap_ < (size_t)(len); cap_++) {             \
			char *buf = malloc(cap_ > 0 ? cap_ : 1);                  \
			int r_;                                                   \
                                                                                  \
			CU_ASSERT_PTR_NOT_NULL_FATAL(buf);                        \
			r_ = call(buf, cap_);                                     \
			if (r_ != -ENOSPC)                                        \
				fprintf(stderr, "\ncap %zu: %d\n", cap_, r_);     \
			CU_ASSERT_EQUAL(r_, -ENOSPC);                             \
			free(buf);                                                \
		}                                                                 \
		{                                                                 \
			char *buf = malloc((size_t)(len));                        \
                                                                                  \
			CU_ASSERT_PTR_NOT_NULL_FATAL(buf);                        \
			CU_ASSERT_EQUAL(call(buf, (size_t)(len)), (int)(len));   \
			CU_ASSERT_EQUAL(memcmp(buf, full, (size_t)(len)), 0);     \
			free(buf);                                                \
		}                                                                 \
	} while (0)

static struct mdp_proxy_req_out enospc_ro;

static int
build_req_cap(char *buf, size_t cap)
{
	return mdp_proxy_build_request(buf, cap, &msg, &enospc_ro);
}

static void
test_req_enospc(void)
{
	static const struct mdp_hdr_op ops[] = {
		RM("x-gone"),
		OP(SET, "x-set", "s"),
		OP(ADD, "x-add", "a"),
	};
	int n;

	parse_req("POST /a?b HTTP/1.1" CRLF "Host: h" CRLF "X-Gone: 1" CRLF
		  "X-Forwarded-For: 203.0.113.1" CRLF "Transfer-Encoding: chunked" CRLF
		  "Accept: */*" CRLF CRLF);
	enospc_ro = req_out("/a", "h");
	enospc_ro.ops = ops;
	enospc_ro.n_ops = 3;
	enospc_ro.via = true;
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &enospc_ro);
	expect_out(n, "POST /a?b HTTP/1.1" CRLF "Host: h" CRLF "Accept: */*" CRLF
		      "X-Forwarded-For: 203.0.113.1, 198.51.100.7" CRLF "x-set: s" CRLF
		      "x-add: a" CRLF XFP XRID "Via: 1.1 meshdp" CRLF
		      "Transfer-Encoding: chunked" CRLF CRLF);
	CU_ASSERT_FATAL(n > 0);
	CHECK_CAPS(build_req_cap, out, n);

	/* an upgrade request */
	parse_req("GET /ws HTTP/1.1" CRLF "Host: h" CRLF "Connection: upgrade" CRLF
		  "Upgrade: websocket" CRLF CRLF);
	enospc_ro = req_out("/ws", "h");
	n = mdp_proxy_build_request(out, sizeof(out), &msg, &enospc_ro);
	CU_ASSERT_FATAL(n > 0);
	CHECK_CAPS(build_req_cap, out, n);
}

/* ------------------------------------------------------------------ */
/* Forwarded responses                                                 */

static void
test_resp_status_line(void)
{
	struct mdp_proxy_resp_out o = { 0 };
	int n;

	/* HTTP/1.1 whatever the upstream spoke */
	parse_resp("HTTP/1.0 200 OK" CRLF "Content-Length: 2" CRLF "Server: s" CRLF CRLF,
		   MDP_HTTP_M_GET);
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 200 OK" CRLF "Content-Length: 2" CRLF "Server: s" CRLF CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);
	CU_ASSERT_EQUAL(re.body, MDP_HTTP_BODY_LENGTH);
	CU_ASSERT_EQUAL(re.content_length, 2);

	/* the reason as received, even an odd or empty one */
	parse_resp("HTTP/1.1 404 Nicht Gefunden" CRLF "Content-Length: 0" CRLF CRLF,
		   MDP_HTTP_M_GET);
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 404 Nicht Gefunden" CRLF "Content-Length: 0" CRLF CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);
	parse_resp("HTTP/1.1 299 " CRLF "Content-Length: 0" CRLF CRLF, MDP_HTTP_M_GET);
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 299 " CRLF "Content-Length: 0" CRLF CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);

	/* a 304 and a response to HEAD keep their Content-Length */
	parse_resp("HTTP/1.1 304 Not Modified" CRLF "ETag: \"x\"" CRLF "Content-Length: 10" CRLF
		   CRLF, MDP_HTTP_M_GET);
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 304 Not Modified" CRLF "ETag: \"x\"" CRLF "Content-Length: 10" CRLF
		      CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);
	CU_ASSERT_EQUAL(re.body, MDP_HTTP_BODY_NONE);
	parse_resp("HTTP/1.1 200 OK" CRLF "Content-Length: 10" CRLF CRLF, MDP_HTTP_M_HEAD);
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 200 OK" CRLF "Content-Length: 10" CRLF CRLF);
	reparse_resp(n, MDP_HTTP_M_HEAD);
	CU_ASSERT_EQUAL(re.body, MDP_HTTP_BODY_NONE);
	CU_ASSERT_EQUAL(re.content_length, 10);
}

static void
test_resp_hop_by_hop(void)
{
	struct mdp_proxy_resp_out o = { 0 };
	int n;

	parse_resp("HTTP/1.1 200 OK" CRLF "X-Hop: 1" CRLF "Connection: keep-alive, X-Hop" CRLF
		   "Keep-Alive: timeout=5" CRLF "Proxy-Connection: keep-alive" CRLF
		   "Upgrade: h2c" CRLF "Content-Length: 0" CRLF "Date: d" CRLF CRLF,
		   MDP_HTTP_M_GET);
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 200 OK" CRLF "Content-Length: 0" CRLF "Date: d" CRLF CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);
	CU_ASSERT_TRUE(re.keep_alive);

	/* the upstream closing says nothing about the client connection */
	parse_resp("HTTP/1.1 200 OK" CRLF "Connection: close" CRLF "Content-Length: 0" CRLF CRLF,
		   MDP_HTTP_M_GET);
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 200 OK" CRLF "Content-Length: 0" CRLF CRLF);
}

static void
test_resp_framing(void)
{
	struct mdp_proxy_resp_out o = { 0 };
	int n;

	/* chunked as is: Transfer-Encoding goes out again */
	parse_resp("HTTP/1.1 200 OK" CRLF "Transfer-Encoding: chunked" CRLF "Content-Type: a/b" CRLF
		   CRLF, MDP_HTTP_M_GET);
	o.framing = MDP_PROXY_RF_AS_IS;
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 200 OK" CRLF "Content-Type: a/b" CRLF
		      "Transfer-Encoding: chunked" CRLF CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);
	CU_ASSERT_EQUAL(re.body, MDP_HTTP_BODY_CHUNKED);

	/* dechunked for an HTTP/1.0 client: no framing field, then close */
	o.framing = MDP_PROXY_RF_DECHUNK;
	o.close = true;
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 200 OK" CRLF "Content-Type: a/b" CRLF "Connection: close" CRLF
		      CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);
	CU_ASSERT_EQUAL(re.body, MDP_HTTP_BODY_UNTIL_CLOSE);
	CU_ASSERT_FALSE(re.keep_alive);

	/* until close */
	parse_resp("HTTP/1.0 200 OK" CRLF "Content-Type: a/b" CRLF CRLF, MDP_HTTP_M_GET);
	CU_ASSERT_EQUAL(msg.body, MDP_HTTP_BODY_UNTIL_CLOSE);
	o.framing = MDP_PROXY_RF_CLOSE;
	o.close = true;
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 200 OK" CRLF "Content-Type: a/b" CRLF "Connection: close" CRLF
		      CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);
	CU_ASSERT_EQUAL(re.body, MDP_HTTP_BODY_UNTIL_CLOSE);
}

static void
test_resp_connection(void)
{
	struct mdp_proxy_resp_out o = { 0 };
	int n;

	parse_resp("HTTP/1.1 200 OK" CRLF "Content-Length: 0" CRLF CRLF, MDP_HTTP_M_GET);
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 200 OK" CRLF "Content-Length: 0" CRLF CRLF);
	o.close = true;
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 200 OK" CRLF "Content-Length: 0" CRLF "Connection: close" CRLF
		      CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);
	CU_ASSERT_FALSE(re.keep_alive);
	o.close = false;
	o.keep_alive_10 = true;
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 200 OK" CRLF "Content-Length: 0" CRLF
		      "Connection: keep-alive" CRLF CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);
	CU_ASSERT_TRUE(re.keep_alive);
	/* closing wins */
	o.close = true;
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 200 OK" CRLF "Content-Length: 0" CRLF "Connection: close" CRLF
		      CRLF);
}

static void
test_resp_101(void)
{
	struct mdp_proxy_resp_out o = { 0 };
	int n;

	parse_resp("HTTP/1.1 101 Switching Protocols" CRLF "Connection: Upgrade" CRLF
		   "Upgrade: websocket" CRLF "Sec-WebSocket-Accept: x" CRLF CRLF,
		   MDP_HTTP_M_GET);
	CU_ASSERT_TRUE(msg.tunnel);
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 101 Switching Protocols" CRLF "Sec-WebSocket-Accept: x" CRLF
		      "Connection: upgrade" CRLF "Upgrade: websocket" CRLF CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);
	CU_ASSERT_TRUE(re.tunnel);
	CU_ASSERT_TRUE(re_has("upgrade", "websocket"));
	/* an upgrade is not closed by the response head */
	o.close = true;
	o.via = true;
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 101 Switching Protocols" CRLF "Sec-WebSocket-Accept: x" CRLF
		      "Via: 1.1 meshdp" CRLF "Connection: upgrade" CRLF "Upgrade: websocket" CRLF
		      CRLF);
}

static void
test_resp_route_ops(void)
{
	static const struct mdp_hdr_op ops[] = {
		RM("SERVER"),
		OP(SET, "cache-control", "no-store"),
		OP(ADD, "X-Served-By", "m"),
		OP(ADD, "Set-Cookie", "b=2"),
	};
	struct mdp_proxy_resp_out o = { .ops = ops, .n_ops = 4, .via = true };
	int n;

	parse_resp("HTTP/1.1 200 OK" CRLF "Server: s" CRLF "Cache-Control: max-age=60" CRLF
		   "server: s2" CRLF "Set-Cookie: a=1" CRLF "Content-Length: 0" CRLF
		   "Cache-Control: private" CRLF CRLF, MDP_HTTP_M_GET);
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &o);
	expect_out(n, "HTTP/1.1 200 OK" CRLF "Set-Cookie: a=1" CRLF "Content-Length: 0" CRLF
		      "cache-control: no-store" CRLF "X-Served-By: m" CRLF "Set-Cookie: b=2" CRLF
		      "Via: 1.1 meshdp" CRLF CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);
	CU_ASSERT_EQUAL(re_fields("server", NULL), 0);
	CU_ASSERT_TRUE(re_has("cache-control", "no-store"));
	CU_ASSERT_EQUAL(re_fields("set-cookie", NULL), 2);
}

static struct mdp_proxy_resp_out enospc_rso;

static int
build_resp_cap(char *buf, size_t cap)
{
	return mdp_proxy_build_response(buf, cap, &msg, &enospc_rso);
}

static void
test_resp_enospc(void)
{
	static const struct mdp_hdr_op ops[] = {
		RM("server"),
		OP(ADD, "x-add", "a"),
	};
	int n;

	parse_resp("HTTP/1.1 200 OK" CRLF "Server: s" CRLF "Transfer-Encoding: chunked" CRLF
		   "Date: d" CRLF CRLF, MDP_HTTP_M_GET);
	enospc_rso = (struct mdp_proxy_resp_out){ .ops = ops, .n_ops = 2, .via = true,
						  .keep_alive_10 = true };
	n = mdp_proxy_build_response(out, sizeof(out), &msg, &enospc_rso);
	expect_out(n, "HTTP/1.1 200 OK" CRLF "Date: d" CRLF "x-add: a" CRLF "Via: 1.1 meshdp" CRLF
		      "Transfer-Encoding: chunked" CRLF "Connection: keep-alive" CRLF CRLF);
	CU_ASSERT_FATAL(n > 0);
	CHECK_CAPS(build_resp_cap, out, n);
}

/* ------------------------------------------------------------------ */
/* Local replies                                                       */

static void
test_local(void)
{
	int n;

	msg = (struct mdp_http_msg){ .status = 404, .reason = { "Not Found", 9 } };
	n = mdp_proxy_build_local(out, sizeof(out), 404, "not found\n", 10, NULL, NULL, 0, false, false);
	expect_out(n, "HTTP/1.1 404 Not Found" CRLF "Content-Type: text/plain" CRLF
		      "Content-Length: 10" CRLF CRLF "not found\n");
	re = (struct mdp_http_msg){ .headers = rhdr, .headers_cap = NHDR };
	CU_ASSERT_EQUAL(mdp_http_parse_response(out, (size_t)n, NULL, MDP_HTTP_M_GET, &re),
			n - 10);
	CU_ASSERT_EQUAL(re.status, 404);
	CU_ASSERT_EQUAL(re.body, MDP_HTTP_BODY_LENGTH);
	CU_ASSERT_EQUAL(re.content_length, 10);
	CU_ASSERT_TRUE(re.keep_alive);

	/* no body: no Content-Type, Content-Length: 0; closing */
	msg = (struct mdp_http_msg){ .status = 503, .reason = { "Service Unavailable", 19 } };
	n = mdp_proxy_build_local(out, sizeof(out), 503, NULL, 0, NULL, NULL, 0, true, false);
	expect_out(n, "HTTP/1.1 503 Service Unavailable" CRLF "Content-Length: 0" CRLF
		      "Connection: close" CRLF CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);
	CU_ASSERT_EQUAL(re.body, MDP_HTTP_BODY_NONE);
	CU_ASSERT_FALSE(re.keep_alive);

	/* a redirect */
	msg = (struct mdp_http_msg){ .status = 301, .reason = { "Moved Permanently", 17 } };
	n = mdp_proxy_build_local(out, sizeof(out), 301, NULL, 0, NULL, "https://x.example/new?a=1", 25,
				  false, false);
	expect_out(n, "HTTP/1.1 301 Moved Permanently" CRLF "Location: https://x.example/new?a=1"
		      CRLF "Content-Length: 0" CRLF CRLF);
	reparse_resp(n, MDP_HTTP_M_GET);
	CU_ASSERT_TRUE(re_has("location", "https://x.example/new?a=1"));
	/* only location_len bytes of the location */
	n = mdp_proxy_build_local(out, sizeof(out), 308, "moved\n", 6, NULL, "/newer", 4, true, false);
	expect_out(n, "HTTP/1.1 308 Permanent Redirect" CRLF "Location: /new" CRLF
		      "Content-Type: text/plain" CRLF "Content-Length: 6" CRLF
		      "Connection: close" CRLF CRLF "moved\n");

	/* HEAD: the fields of the reply, Content-Length included, no body */
	msg = (struct mdp_http_msg){ .status = 404, .reason = { "Not Found", 9 } };
	n = mdp_proxy_build_local(out, sizeof(out), 404, "not found\n", 10, NULL, NULL, 0, false, true);
	expect_out(n, "HTTP/1.1 404 Not Found" CRLF "Content-Type: text/plain" CRLF
		      "Content-Length: 10" CRLF CRLF);
	reparse_resp(n, MDP_HTTP_M_HEAD);
	CU_ASSERT_EQUAL(re.body, MDP_HTTP_BODY_NONE);
	CU_ASSERT_EQUAL(re.content_length, 10);

	/* only body_len bytes of the body; an unknown status */
	n = mdp_proxy_build_local(out, sizeof(out), 599, "abcdef", 3, NULL, NULL, 0, false, false);
	expect_out(n, "HTTP/1.1 599 Unknown" CRLF "Content-Type: text/plain" CRLF
		      "Content-Length: 3" CRLF CRLF "abc");
}

static int
build_local_cap(char *buf, size_t cap)
{
	return mdp_proxy_build_local(buf, cap, 302, "see /b\n", 7, NULL, "/b", 2, true, false);
}

static int
build_local_head_cap(char *buf, size_t cap)
{
	return mdp_proxy_build_local(buf, cap, 405, "no\n", 3, NULL, NULL, 0, false, true);
}

static void
test_local_enospc(void)
{
	int n = mdp_proxy_build_local(out, sizeof(out), 302, "see /b\n", 7, NULL, "/b", 2, true, false);

	CU_ASSERT_FATAL(n > 0);
	CHECK_CAPS(build_local_cap, out, n);
	n = mdp_proxy_build_local(out, sizeof(out), 405, "no\n", 3, NULL, NULL, 0, false, true);
	expect_out(n, "HTTP/1.1 405 Method Not Allowed" CRLF "Content-Type: text/plain" CRLF
		      "Content-Length: 3" CRLF CRLF);
	CU_ASSERT_FATAL(n > 0);
	CHECK_CAPS(build_local_head_cap, out, n);
}

static void
test_reason(void)
{
	static const struct {
		unsigned status;
		const char *reason;
	} tab[] = {
		{ 100, "Continue" },
		{ 101, "Switching Protocols" },
		{ 200, "OK" },
		{ 201, "Created" },
		{ 204, "No Content" },
		{ 301, "Moved Permanently" },
		{ 302, "Found" },
		{ 303, "See Other" },
		{ 304, "Not Modified" },
		{ 307, "Temporary Redirect" },
		{ 308, "Permanent Redirect" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 408, "Request Timeout" },
		{ 413, "Content Too Large" },
		{ 414, "URI Too Long" },
		{ 417, "Expectation Failed" },
		{ 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" },
		{ 501, "Not Implemented" },
		{ 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" },
		{ 505, "HTTP Version Not Supported" },
		{ 0, "Unknown" },
		{ 299, "Unknown" },
		{ 418, "Unknown" },
		{ 599, "Unknown" },
		{ 1000, "Unknown" },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		const char *r = mdp_proxy_reason(tab[i].status);

		if (strcmp(r, tab[i].reason) != 0)
			fprintf(stderr, "\n%u: '%s', want '%s'\n", tab[i].status, r,
				tab[i].reason);
		CU_ASSERT_STRING_EQUAL(r, tab[i].reason);
	}
}

static CU_TestInfo tests[] = {
	{ "request line and Host", test_req_line },
	{ "request hop-by-hop fields", test_req_hop_by_hop },
	{ "X-Forwarded-For", test_req_xff },
	{ "X-Forwarded-Proto, x-meshdp-, X-Request-Id", test_req_xfp_internal_rid },
	{ "request route header ops", test_req_route_ops },
	{ "request framing", test_req_framing },
	{ "request upgrade", test_req_upgrade },
	{ "request Via", test_req_via },
	{ "request over mTLS: X-Forwarded-Client-Cert", test_req_tls_xfcc },
	{ "request ENOSPC", test_req_enospc },
	{ "response status line", test_resp_status_line },
	{ "response hop-by-hop fields", test_resp_hop_by_hop },
	{ "response framing", test_resp_framing },
	{ "response Connection", test_resp_connection },
	{ "response 101", test_resp_101 },
	{ "response route header ops", test_resp_route_ops },
	{ "response ENOSPC", test_resp_enospc },
	{ "local replies", test_local },
	{ "local reply ENOSPC", test_local_enospc },
	{ "reason phrases", test_reason },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("proxy_head", NULL, NULL, tests);
}
