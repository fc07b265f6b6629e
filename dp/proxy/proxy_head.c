/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proxy_head.h"

struct wbuf {
	char *p;
	size_t len;
	size_t cap;
	bool full;
};

static void
put(struct wbuf *b, const void *s, size_t n)
{
	if (b->full || n > b->cap - b->len) {
		b->full = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
puts_(struct wbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
put_uint(struct wbuf *b, uint64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);

	put(b, tmp, (size_t)n);
}

static void
put_ipv4(struct wbuf *b, uint32_t a)
{
	char tmp[16];
	int n = snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
			 (a >> 8) & 0xff, a & 0xff);

	put(b, tmp, (size_t)n);
}

static void
put_field(struct wbuf *b, const char *name, size_t nlen, const char *value, size_t vlen)
{
	put(b, name, nlen);
	put(b, ": ", 2);
	put(b, value, vlen);
	put(b, "\r\n", 2);
}

static int
finish(struct wbuf *b)
{
	return b->full ? -ENOSPC : (int)b->len;
}

static bool
name_is(const char *name, size_t len, const char *lit, size_t lit_len)
{
	return len == lit_len && strncasecmp(name, lit, len) == 0;
}

static bool
internal(const struct mdp_http_header *h)
{
	size_t n = sizeof(MDP_PROXY_INTERNAL_PREFIX) - 1;

	return (h->name_len >= n && strncasecmp(h->name, MDP_PROXY_INTERNAL_PREFIX, n) == 0) ||
	       (h->name_len == 23 && strncasecmp(h->name, "x-forwarded-client-cert", 23) == 0);
}

/* Does a route operation remove or replace this field? */
static bool
route_drops(const struct mdp_hdr_op *ops, unsigned n, const struct mdp_http_header *h)
{
	for (unsigned i = 0; i < n; i++)
		if (ops[i].op != MDP_HDR_ADD &&
		    name_is(h->name, h->name_len, ops[i].name, ops[i].name_len))
			return true;
	return false;
}

static void
route_adds(struct wbuf *b, const struct mdp_hdr_op *ops, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (ops[i].op != MDP_HDR_REMOVE)
			put_field(b, ops[i].name, ops[i].name_len, ops[i].value, ops[i].value_len);
}

/* The value of the first Upgrade field (a request or a 101 carries one). */
static const struct mdp_http_header *
upgrade_field(const struct mdp_http_msg *msg)
{
	for (unsigned i = 0; i < msg->n_headers; i++)
		if (msg->headers[i].id == MDP_HTTP_H_UPGRADE)
			return &msg->headers[i];
	return NULL;
}

int
mdp_proxy_build_request(char *out, size_t cap, const struct mdp_http_msg *msg,
			const struct mdp_proxy_req_out *o)
{
	struct wbuf b = { .p = out, .cap = cap };
	const struct mdp_http_header *up;
	bool have_rid = false, have_xff = false;

	put(&b, msg->method_str.p, msg->method_str.len);
	put(&b, " ", 1);
	put(&b, o->path, o->path_len);
	if (msg->query.p != NULL) {
		put(&b, "?", 1);
		put(&b, msg->query.p, msg->query.len);
	}
	puts_(&b, " HTTP/1.1\r\nHost: ");
	put(&b, o->authority, o->authority_len);
	put(&b, "\r\n", 2);
	for (unsigned i = 0; i < msg->n_headers; i++) {
		const struct mdp_http_header *h = &msg->headers[i];

		if ((h->flags & MDP_HTTP_HF_HOP) || h->id == MDP_HTTP_H_HOST ||
		    h->id == MDP_HTTP_H_X_FORWARDED_PROTO || h->id == MDP_HTTP_H_X_FORWARDED_FOR ||
		    internal(h) || route_drops(o->ops, o->n_ops, h))
			continue;
		if (h->id == MDP_HTTP_H_X_REQUEST_ID)
			have_rid = true;
		put_field(&b, h->name, h->name_len, h->value, h->value_len);
	}
	/* X-Forwarded-For: every list received, in order, as one field, with
	 * the client appended (fields of different names may be reordered,
	 * RFC 9110 5.3). */
	puts_(&b, "X-Forwarded-For: ");
	for (unsigned i = 0; i < msg->n_headers; i++) {
		const struct mdp_http_header *h = &msg->headers[i];

		if (h->id != MDP_HTTP_H_X_FORWARDED_FOR || h->value_len == 0)
			continue;
		if (have_xff)
			put(&b, ", ", 2);
		put(&b, h->value, h->value_len);
		have_xff = true;
	}
	if (have_xff)
		put(&b, ", ", 2);
	put_ipv4(&b, o->client_addr);
	put(&b, "\r\n", 2);
	route_adds(&b, o->ops, o->n_ops);
	puts_(&b, o->https ? "X-Forwarded-Proto: https\r\n" : "X-Forwarded-Proto: http\r\n");
	if (o->xfcc != NULL)
		put_field(&b, "X-Forwarded-Client-Cert", 23, o->xfcc, o->xfcc_len);
	if (!have_rid && o->request_id != NULL)
		put_field(&b, "X-Request-Id", 12, o->request_id, o->request_id_len);
	if (o->via)
		puts_(&b, "Via: 1.1 meshdp\r\n");
	if (msg->body == MDP_HTTP_BODY_CHUNKED)
		puts_(&b, "Transfer-Encoding: chunked\r\n");
	if (msg->upgrade && (up = upgrade_field(msg)) != NULL) {
		puts_(&b, "Connection: upgrade\r\n");
		put_field(&b, up->name, up->name_len, up->value, up->value_len);
	}
	put(&b, "\r\n", 2);
	return finish(&b);
}

int
mdp_proxy_build_response(char *out, size_t cap, const struct mdp_http_msg *msg,
			 const struct mdp_proxy_resp_out *o)
{
	struct wbuf b = { .p = out, .cap = cap };
	const struct mdp_http_header *up;

	puts_(&b, "HTTP/1.1 ");
	put_uint(&b, msg->status);
	put(&b, " ", 1);
	if (msg->reason.p != NULL)
		put(&b, msg->reason.p, msg->reason.len);
	put(&b, "\r\n", 2);
	for (unsigned i = 0; i < msg->n_headers; i++) {
		const struct mdp_http_header *h = &msg->headers[i];

		if ((h->flags & MDP_HTTP_HF_HOP) || route_drops(o->ops, o->n_ops, h))
			continue;
		put_field(&b, h->name, h->name_len, h->value, h->value_len);
	}
	route_adds(&b, o->ops, o->n_ops);
	if (o->via)
		puts_(&b, "Via: 1.1 meshdp\r\n");
	if (msg->body == MDP_HTTP_BODY_CHUNKED && o->framing == MDP_PROXY_RF_AS_IS)
		puts_(&b, "Transfer-Encoding: chunked\r\n");
	if (msg->status == 101 && (up = upgrade_field(msg)) != NULL) {
		puts_(&b, "Connection: upgrade\r\n");
		put_field(&b, up->name, up->name_len, up->value, up->value_len);
	} else if (o->close) {
		puts_(&b, "Connection: close\r\n");
	} else if (o->keep_alive_10) {
		puts_(&b, "Connection: keep-alive\r\n");
	}
	put(&b, "\r\n", 2);
	return finish(&b);
}

const char *
mdp_proxy_reason(unsigned status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 417: return "Expectation Failed";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

int
mdp_proxy_build_local(char *out, size_t cap, unsigned status, const char *body,
		      size_t body_len, const char *ctype, const char *location, size_t location_len,
		      bool close, bool head_only)
{
	struct wbuf b = { .p = out, .cap = cap };

	puts_(&b, "HTTP/1.1 ");
	put_uint(&b, status);
	put(&b, " ", 1);
	puts_(&b, mdp_proxy_reason(status));
	put(&b, "\r\n", 2);
	if (location != NULL)
		put_field(&b, "Location", 8, location, location_len);
	if (body_len > 0) {
		puts_(&b, "Content-Type: ");
		puts_(&b, ctype != NULL ? ctype : "text/plain");
		put(&b, "\r\n", 2);
	}
	puts_(&b, "Content-Length: ");
	put_uint(&b, body_len);
	put(&b, "\r\n", 2);
	if (close)
		puts_(&b, "Connection: close\r\n");
	put(&b, "\r\n", 2);
	if (!head_only)
		put(&b, body, body_len);
	return finish(&b);
}
