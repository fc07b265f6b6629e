/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FUZZ_HTTP_COMMON_H
#define FUZZ_HTTP_COMMON_H

/*
 * Checks shared by the lib/http harnesses (fuzz_http_request.c,
 * fuzz_http_response.c, fuzz_http_chunked.c): what every parsed head, body
 * and normalized path must satisfy whatever the input. A broken invariant
 * aborts, which libFuzzer reports as a crash.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/mdp_http.h"

#define FUZZ_NHDR	128

static void __attribute__((noreturn, format(printf, 1, 2), unused))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_http: invariant broken: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

static inline bool
is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static inline bool
within(const char *p, size_t n, const char *buf, size_t len)
{
	return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

static inline void
check_str(struct mdp_http_str s, const char *buf, size_t len, const char *what)
{
	if (s.p != NULL)
		CHECK(within(s.p, s.len, buf, len), "%s outside the head", what);
}

/* The contract of a parser's return value. */
static inline void
check_rc(int rc, const struct mdp_http_msg *m, bool response)
{
	if (rc > 0) {
		CHECK(m->err == MDP_HTTP_E_NONE && (int)m->head_len == rc, "success, err %d", m->err);
		return;
	}
	if (rc == MDP_HTTP_INCOMPLETE) {
		CHECK(m->err == MDP_HTTP_E_INCOMPLETE, "incomplete, err %d", m->err);
		return;
	}
	CHECK(rc < MDP_HTTP_INCOMPLETE && -rc < MDP_HTTP_E_MAX, "return %d", rc);
	CHECK(m->err == (enum mdp_http_err)-rc, "err %d, return %d", m->err, rc);
	CHECK(m->error == mdp_http_err_str(m->err), "error string");
	CHECK(m->err_status == (response ? 502 : mdp_http_err_status(m->err)), "status %u",
	      m->err_status);
	CHECK(m->err < MDP_HTTP_E_CHUNK_SIZE || m->err > MDP_HTTP_E_PATH_TOO_LONG,
	      "a head rejected for a body or path reason: %s", m->error);
}

/* Every field of an accepted head. */
static inline void
check_head(const char *buf, size_t len, const struct mdp_http_msg *m, unsigned cap)
{
	size_t hl = m->head_len;

	CHECK(hl >= 4 && hl <= len, "head_len %zu of %zu", hl, len);
	CHECK(memcmp(buf + hl - 4, "\r\n\r\n", 4) == 0, "head does not end with an empty line");
	CHECK(m->n_headers <= cap, "n_headers %u", m->n_headers);
	CHECK(m->version <= 1, "version %u", m->version);
	for (unsigned i = 0; i < m->n_headers; i++) {
		const struct mdp_http_header *h = &m->headers[i];

		CHECK(h->name_len > 0 && within(h->name, h->name_len, buf, hl), "header %u name", i);
		CHECK(within(h->value, h->value_len, buf, hl), "header %u value", i);
		CHECK(h->value >= h->name + h->name_len + 1 && h->name[h->name_len] == ':',
		      "header %u colon", i);
		for (unsigned k = 0; k < h->name_len; k++)
			CHECK(is_tchar((unsigned char)h->name[k]), "header %u name byte %u", i, k);
		for (uint32_t k = 0; k < h->value_len; k++) {
			unsigned char c = (unsigned char)h->value[k];

			CHECK(c == '\t' || (c >= 0x20 && c != 0x7f), "header %u value byte 0x%02x",
			      i, c);
		}
		if (h->value_len > 0)
			CHECK(h->value[0] != ' ' && h->value[0] != '\t' &&
			      h->value[h->value_len - 1] != ' ' && h->value[h->value_len - 1] != '\t',
			      "header %u value not trimmed", i);
		CHECK(h->id == mdp_http_header_id(h->name, h->name_len), "header %u id", i);
		CHECK((h->flags & ~MDP_HTTP_HF_HOP) == 0, "header %u flags", i);
		if (h->id == MDP_HTTP_H_CONNECTION || h->id == MDP_HTTP_H_TRANSFER_ENCODING ||
		    h->id == MDP_HTTP_H_UPGRADE || h->id == MDP_HTTP_H_TE ||
		    h->id == MDP_HTTP_H_KEEP_ALIVE || h->id == MDP_HTTP_H_PROXY_CONNECTION)
			CHECK(h->flags & MDP_HTTP_HF_HOP, "header %u not hop-by-hop", i);
		if (h->id == MDP_HTTP_H_HOST || h->id == MDP_HTTP_H_CONTENT_LENGTH)
			CHECK(!(h->flags & MDP_HTTP_HF_HOP), "header %u hop-by-hop", i);
	}
	CHECK(m->body != MDP_HTTP_BODY_LENGTH || m->content_length > 0, "LENGTH of 0");
	CHECK(m->content_length <= (uint64_t)INT64_MAX, "content_length");
	CHECK(m->body != MDP_HTTP_BODY_CHUNKED || m->version == 1, "chunked HTTP/1.0");
	check_str(m->method_str, buf, hl, "method");
	check_str(m->target, buf, hl, "target");
	check_str(m->authority, buf, hl, "authority");
	check_str(m->path, buf, hl, "path");
	check_str(m->query, buf, hl, "query");
	check_str(m->reason, buf, hl, "reason");
}

/* A normalized path: what routing may rely on. */
static inline void
check_path(const char *in, size_t len)
{
	char out[4096], again[4096];
	size_t n, n2;
	int rc;

	if (len > sizeof(out))
		return;
	rc = mdp_http_path_normalize(in, len, out, sizeof(out), &n);
	if (rc != 0) {
		CHECK(rc < 0 && -rc >= MDP_HTTP_E_PATH_INVALID && -rc <= MDP_HTTP_E_PATH_TOO_LONG &&
		      -rc != MDP_HTTP_E_PATH_TOO_LONG, "path rc %d", rc);
		return;
	}
	CHECK(n >= 1 && n <= (len > 0 ? len : 1), "path length %zu of %zu", n, len);
	CHECK(out[0] == '/', "path does not start with /");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];

		CHECK(c > 0x20 && c < 0x7f && c != '\\' && c != '?' && c != '#', "path byte 0x%02x",
		      c);
		if (c == '/' && i + 1 < n)
			CHECK(out[i + 1] != '/', "// in path");
		if (c == '%') {
			unsigned v;

			CHECK(i + 2 < n && strchr("0123456789ABCDEF", out[i + 1]) != NULL &&
			      strchr("0123456789ABCDEF", out[i + 2]) != NULL && out[i + 1] != '\0' &&
			      out[i + 2] != '\0', "escape not upper-case hex");
			v = (unsigned)strtoul((char[]){ out[i + 1], out[i + 2], 0 }, NULL, 16);
			CHECK(v != '/' && v != '\\' && v != 0, "escaped %02x in path", v);
			CHECK(!((v >= 'a' && v <= 'z') || (v >= 'A' && v <= 'Z') ||
				(v >= '0' && v <= '9') || v == '-' || v == '.' || v == '_' || v == '~'),
			      "escaped unreserved %02x", v);
		}
		/* no dot-segments */
		if (c == '/') {
			size_t s = i + 1, e = s;

			while (e < n && out[e] != '/')
				e++;
			CHECK(!(e - s == 1 && out[s] == '.') &&
			      !(e - s == 2 && out[s] == '.' && out[s + 1] == '.'),
			      "dot-segment left in path");
		}
	}
	rc = mdp_http_path_normalize(out, n, again, sizeof(again), &n2);
	CHECK(rc == 0 && n2 == n && memcmp(again, out, n) == 0, "normalization not idempotent");
}

/*
 * Decode a body from p[0..len) in pieces: all at once with many spans,
 * then a byte at a time with one span, then in pieces of sizes drawn from
 * seed. Every way must agree on the result, where the body ends, and the
 * data. Returns the result of the first.
 */
struct body_run {
	int rc;
	size_t used;
	size_t data_len;
	uint64_t hash;
};

static inline void
body_run(const struct mdp_http_msg *m, const struct mdp_http_limits *lim, const char *p,
	 size_t len, size_t (*piece)(uint32_t *), uint32_t seed, unsigned max_spans,
	 struct body_run *r)
{
	struct mdp_http_body b;
	struct mdp_http_span sp[64];
	size_t off = 0;

	mdp_http_body_init(&b, m, lim);
	memset(r, 0, sizeof(*r));
	r->hash = 1469598103934665603ull;
	while (off < len || len == 0) {
		size_t n = piece != NULL ? piece(&seed) : len - off;
		unsigned ns;
		size_t c;

		if (n > len - off)
			n = len - off;
		r->rc = mdp_http_body_feed(&b, p + off, n, sp, max_spans, &ns, &c);
		CHECK(c <= n && ns <= max_spans, "consumed %zu of %zu, %u spans", c, n, ns);
		CHECK(r->rc >= -(int)MDP_HTTP_E_MAX && r->rc <= 1 && r->rc != MDP_HTTP_INCOMPLETE,
		      "feed returned %d", r->rc);
		for (unsigned i = 0; i < ns; i++) {
			CHECK(sp[i].len > 0 && sp[i].off + sp[i].len <= c && sp[i].off < c,
			      "span %u outside the consumed bytes", i);
			CHECK(i == 0 || sp[i].off >= sp[i - 1].off + sp[i - 1].len,
			      "spans out of order");
			for (size_t k = 0; k < sp[i].len; k++)
				r->hash = (r->hash ^ (unsigned char)p[off + sp[i].off + k]) *
					  1099511628211ull;
			r->data_len += sp[i].len;
		}
		if (r->rc < 0)
			CHECK(b.err == (enum mdp_http_err)-r->rc &&
			      mdp_http_err_status(b.err) == 400 &&
			      ((b.err >= MDP_HTTP_E_BARE_CR && b.err <= MDP_HTTP_E_VALUE_CTL) ||
			       (b.err >= MDP_HTTP_E_CHUNK_SIZE && b.err <= MDP_HTTP_E_TRAILER_FORBIDDEN)),
			      "body error %d", b.err);
		if (r->rc == 0 && c < n)
			CHECK(ns == max_spans, "stopped early with spans left");
		off += c;
		if (r->rc != 0 || len == 0)
			break;
		CHECK(c > 0 || n == 0, "no progress");
	}
	r->used = off;
	CHECK(b.data == r->data_len, "data count %llu, spans %zu", (unsigned long long)b.data,
	      r->data_len);
	if (r->rc == 1)
		CHECK(b.done, "complete but not done");
	if (r->rc == 0)
		CHECK(off == len, "stopped at %zu of %zu", off, len);
	if (r->rc == 1 && m->body == MDP_HTTP_BODY_CHUNKED)
		CHECK(off >= 5 && memcmp(p + off - 2, "\r\n", 2) == 0, "chunked end");
	if (r->rc == 1 && m->body == MDP_HTTP_BODY_LENGTH)
		CHECK(off == m->content_length && r->data_len == off, "length body");
	if (m->body == MDP_HTTP_BODY_UNTIL_CLOSE)
		CHECK(r->rc == 0 && r->data_len == len && mdp_http_body_eof(&b) == 0, "until close");
}

static size_t
piece_one(uint32_t *seed)
{
	(void)seed;
	return 1;
}

static size_t
piece_random(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return 1 + (*seed >> 16) % 17;
}

static inline void
check_body(const struct mdp_http_msg *m, const struct mdp_http_limits *lim, const char *p,
	   size_t len)
{
	struct body_run a, b, c;

	body_run(m, lim, p, len, NULL, 0, 64, &a);
	body_run(m, lim, p, len, piece_one, 0, 1, &b);
	body_run(m, lim, p, len, piece_random, (uint32_t)len, 2, &c);
	CHECK(a.rc == b.rc && a.rc == c.rc, "body result differs with splits: %d %d %d", a.rc, b.rc,
	      c.rc);
	CHECK(a.used == b.used && a.used == c.used, "body end differs with splits");
	CHECK(a.data_len == b.data_len && a.hash == b.hash && a.data_len == c.data_len &&
	      a.hash == c.hash, "body data differs with splits");
}

#endif
