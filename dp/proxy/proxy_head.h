/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_PROXY_HEAD_H
#define MDP_PROXY_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/mdp_http.h"

/*
 * The heads the HTTP proxy sends: the request it forwards upstream, the
 * response it forwards downstream, and its own local replies. Pure
 * functions over a parsed message (lib/http) that write into a contiguous
 * buffer; the caller copies the result into mbufs.
 *
 * Heads are re-serialized, never patched: what goes out is exactly the
 * fields the parser accepted (names as received, values trimmed), less the
 * hop-by-hop ones, plus what the proxy adds. So the far side parses the
 * same message the router saw (no smuggling through odd spacing or
 * duplicate framing fields: those were rejected on the way in).
 */

/* A header operation of a route (request or response side). */
enum mdp_hdr_op_kind {
	MDP_HDR_ADD = 0,	/* append a field, keeping any already there */
	MDP_HDR_SET,		/* replace every field of that name */
	MDP_HDR_REMOVE,		/* drop every field of that name */
};

struct mdp_hdr_op {
	uint8_t op;		/* enum mdp_hdr_op_kind */
	uint16_t name_len;
	uint32_t value_len;
	const char *name;
	const char *value;
};

/* Fields only meshdp sets: removed from what clients send. */
#define MDP_PROXY_INTERNAL_PREFIX "x-meshdp-"

/* What the forwarded request looks like beyond the parsed message. */
struct mdp_proxy_req_out {
	const char *path;	/* normalized (and rewritten) path, no query */
	size_t path_len;
	const char *authority;	/* Host to send (rewritten or as received) */
	size_t authority_len;
	const struct mdp_hdr_op *ops;	/* the route's request header operations */
	unsigned n_ops;
	uint32_t client_addr;	/* appended to X-Forwarded-For (host order) */
	const char *request_id;	/* X-Request-Id to add when the request has none */
	size_t request_id_len;
	bool via;		/* add Via: 1.1 meshdp */
	bool https;		/* the client came over TLS: X-Forwarded-Proto: https */
	/* X-Forwarded-Client-Cert to set (Envoy's SANITIZE_SET: the field a
	 * client sent is always dropped); NULL: none */
	const char *xfcc;
	size_t xfcc_len;
};

/*
 * Write the request head to send upstream for msg: the request line with
 * out->path and the query as received, HTTP/1.1; Host; the fields of msg
 * less hop-by-hop ones, Host, X-Forwarded-Proto, X-Forwarded-Client-Cert,
 * fields starting with MDP_PROXY_INTERNAL_PREFIX, and those the route
 * removes or sets; the route's SET and ADD fields; X-Forwarded-For with the
 * client appended; X-Forwarded-Proto: http or https;
 * X-Forwarded-Client-Cert when out->xfcc; X-Request-Id when absent; Transfer-Encoding:
 * chunked for a chunked body (its framing is forwarded as received);
 * Connection and Upgrade for an upgrade request.
 *
 * Returns the head's length, or -ENOSPC when cap is too small.
 */
int mdp_proxy_build_request(char *out, size_t cap, const struct mdp_http_msg *msg,
			    const struct mdp_proxy_req_out *o);

/* How the response body reaches the client. */
enum mdp_proxy_resp_framing {
	MDP_PROXY_RF_AS_IS = 0,	/* Content-Length, none, or chunked to an HTTP/1.1 client */
	MDP_PROXY_RF_DECHUNK,	/* chunked to an HTTP/1.0 client: data only, then close */
	MDP_PROXY_RF_CLOSE,	/* until close */
};

struct mdp_proxy_resp_out {
	const struct mdp_hdr_op *ops;	/* the route's response header operations */
	unsigned n_ops;
	uint8_t framing;	/* enum mdp_proxy_resp_framing */
	bool close;		/* the client connection ends after this response */
	bool keep_alive_10;	/* an HTTP/1.0 client kept alive: say so */
	bool via;
};

/*
 * Write the response head to send downstream: the status line (HTTP/1.1,
 * the status and reason received), the fields of msg less hop-by-hop ones
 * and those the route removes or sets, the route's SET and ADD fields,
 * Transfer-Encoding: chunked when the chunked body goes as is, Connection
 * (close, keep-alive, or upgrade with Upgrade for a 101).
 *
 * Returns the head's length, or -ENOSPC.
 */
int mdp_proxy_build_response(char *out, size_t cap, const struct mdp_http_msg *msg,
			     const struct mdp_proxy_resp_out *o);

/*
 * Write a local reply: status line (with the standard reason phrase),
 * Content-Type (ctype, or text/plain when NULL; only when there is a body),
 * Content-Length, an optional Location (redirects), Connection: close when
 * close, then the body. head_only: the request was HEAD (fields, no body).
 *
 * Returns the reply's length, or -ENOSPC.
 */
int mdp_proxy_build_local(char *out, size_t cap, unsigned status, const char *body,
			  size_t body_len, const char *ctype, const char *location,
			  size_t location_len, bool close, bool head_only);

/* The standard reason phrase of a status ("Not Found"); "Unknown" otherwise. */
const char *mdp_proxy_reason(unsigned status);

#endif
