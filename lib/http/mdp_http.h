/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_HTTP_H
#define MDP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * HTTP/1.1 messages for the L7 proxy (RFC 9110, RFC 9112): a strict parser
 * of the message head (start line, header fields, empty line), an
 * incremental body-framing decoder (Content-Length, chunked, trailers), and
 * the request-path normalization that routing and forwarding share. What
 * is rejected, with which status, and why: docs/http.md.
 *
 * Zero copy: every string in the results (struct mdp_http_str, header
 * names and values) points into the caller's buffer and is valid as long
 * as that buffer is; strings are not NUL-terminated. The body decoder
 * never copies: it reports which byte ranges of the caller's spans are
 * body data.
 *
 * The head is parsed from one contiguous buffer, from its first byte,
 * every time: the parser keeps no state between calls. Give it the bytes
 * received so far; it answers MDP_HTTP_INCOMPLETE until the whole head is
 * there, then the head length. A limit already exceeded by the bytes at
 * hand fails at once (the parser never waits for bytes it would reject),
 * and so does any byte that makes the head invalid. Each call costs
 * O(len): a caller fed a few bytes at a time should call again only when
 * the new bytes contain '\n' (a head completes only with one; an error
 * among the bytes before it is found then just as well), or when the
 * buffer has grown past a limit.
 *
 * Return values: a parser returns the bytes it consumed (> 0), or
 * MDP_HTTP_INCOMPLETE, or the negative of an enum mdp_http_err, which
 * gives the reason (for per-core counters: one counter per enum value),
 * the status to answer (mdp_http_err_status()) and a short static string
 * for logs (mdp_http_err_str()).
 *
 * No allocation, no global state: safe on any core.
 */

/* ------------------------------------------------------------------ */
/* Errors                                                              */

/*
 * Every reason a message, body or path is rejected:
 * _(NAME, status to answer a request with, short description).
 * A response with any of these is answered 502 by the proxy (and the
 * upstream connection is closed): mdp_http_parse_response() sets
 * err_status to 502.
 */
#define MDP_HTTP_ERRORS(_)                                                       \
	/* start line */                                                         \
	_(EMPTY_LINES, 400, "too many empty lines before the request line")      \
	_(REQ_LINE, 400, "malformed request line")                               \
	_(METHOD, 400, "invalid method")                                         \
	_(TARGET, 400, "invalid request target")                                 \
	_(FRAGMENT, 400, "fragment in request target")                           \
	_(TARGET_FORM, 400, "request target form not allowed for the method")    \
	_(TARGET_SCHEME, 400, "absolute-form target with a scheme other than http(s)") \
	_(TARGET_AUTHORITY, 400, "invalid authority in request target")          \
	_(USERINFO, 400, "userinfo in request target")                           \
	_(LINE_TOO_LONG, 414, "start line too long")                             \
	_(VERSION, 400, "malformed HTTP version")                                \
	_(VERSION_UNSUPPORTED, 505, "unsupported HTTP version")                  \
	_(STATUS_LINE, 400, "malformed status line")                             \
	_(STATUS_CODE, 400, "invalid status code")                               \
	/* header section (and trailer section) */                              \
	_(BARE_CR, 400, "bare CR")                                               \
	_(BARE_LF, 400, "bare LF")                                               \
	_(OBS_FOLD, 400, "obs-fold or whitespace at the start of a field line")  \
	_(NAME, 400, "empty or invalid field name")                              \
	_(WS_BEFORE_COLON, 400, "whitespace between field name and colon")       \
	_(VALUE_NUL, 400, "NUL in field value")                                  \
	_(VALUE_CTL, 400, "control character in field value")                    \
	_(HEAD_TOO_LARGE, 431, "header section too large")                       \
	_(TOO_MANY_HEADERS, 431, "too many header fields")                       \
	/* header semantics */                                                   \
	_(HOST_MISSING, 400, "missing Host")                                     \
	_(HOST_DUP, 400, "duplicate Host")                                       \
	_(HOST_EMPTY, 400, "empty Host")                                         \
	_(HOST_INVALID, 400, "invalid Host")                                     \
	_(HOST_MISMATCH, 400, "Host differs from the target's authority")        \
	_(CL_INVALID, 400, "invalid Content-Length")                             \
	_(CL_OVERFLOW, 400, "Content-Length too large")                          \
	_(CL_DUP, 400, "more than one Content-Length")                           \
	_(CL_AND_TE, 400, "Content-Length with Transfer-Encoding")               \
	_(TE_INVALID, 400, "invalid Transfer-Encoding")                          \
	_(TE_HTTP10, 400, "Transfer-Encoding in HTTP/1.0")                       \
	_(TE_CHUNKED_TWICE, 400, "chunked applied more than once")               \
	_(TE_NOT_CHUNKED, 400, "Transfer-Encoding not ending in chunked")        \
	_(TE_UNSUPPORTED, 501, "unsupported transfer coding")                    \
	_(CONNECTION_INVALID, 400, "invalid Connection")                         \
	_(CONNECTION_E2E, 400, "Connection names Host or Content-Length")        \
	_(CONNECTION_TOO_MANY, 400, "too many Connection options")               \
	_(EXPECT, 417, "unsupported expectation")                                \
	_(CONNECT_BODY, 400, "CONNECT with a body")                              \
	_(NO_BODY_FRAMING, 400, "body framing in a 1xx or 204 response")         \
	/* body */                                                               \
	_(CHUNK_SIZE, 400, "invalid chunk size")                                 \
	_(CHUNK_SIZE_OVERFLOW, 400, "chunk size too large")                      \
	_(CHUNK_EXT, 400, "invalid chunk extension")                             \
	_(CHUNK_LINE_TOO_LONG, 400, "chunk line too long")                       \
	_(CHUNK_CRLF, 400, "missing CRLF after chunk data")                      \
	_(TRAILER_TOO_LARGE, 400, "trailer section too large")                   \
	_(TRAILER_FORBIDDEN, 400, "framing or routing field in trailers")        \
	_(BODY_TRUNCATED, 400, "connection closed inside the body")              \
	/* path normalization */                                                 \
	_(PATH_INVALID, 400, "invalid path")                                     \
	_(PATH_PCT, 400, "invalid percent-encoding in path")                     \
	_(PATH_ENC_SLASH, 400, "encoded slash or backslash in path")             \
	_(PATH_ENC_NUL, 400, "encoded NUL in path")                              \
	_(PATH_DOT_PARAM, 400, "dot-segment with parameters in path")            \
	_(PATH_TOO_LONG, 414, "normalized path does not fit")

enum mdp_http_err {
	MDP_HTTP_E_NONE = 0,
	MDP_HTTP_E_INCOMPLETE,	/* not an error: more bytes are needed */
#define MDP_HTTP_ERR_ENUM(name, status, str) MDP_HTTP_E_##name,
	MDP_HTTP_ERRORS(MDP_HTTP_ERR_ENUM)
#undef MDP_HTTP_ERR_ENUM
	MDP_HTTP_E_MAX
};

/* A parser's "need more bytes" (-MDP_HTTP_E_INCOMPLETE). Errors are
 * -MDP_HTTP_E_xxx, all below it. */
#define MDP_HTTP_INCOMPLETE	(-(int)MDP_HTTP_E_INCOMPLETE)

/* Short static description ("bare LF"); "ok" and "incomplete" for the
 * first two; "?" out of range. */
const char *mdp_http_err_str(enum mdp_http_err err);
/* Status to answer a request rejected for err (400, 414, 417, 431, 501,
 * 505); 0 for NONE, INCOMPLETE and out of range. */
unsigned mdp_http_err_status(enum mdp_http_err err);

/* ------------------------------------------------------------------ */
/* Limits                                                              */

struct mdp_http_limits {
	uint32_t max_request_line; /* start line, CRLF excluded: 414 */
	uint32_t max_head;	/* head bytes, from the first byte through the
				 * empty line; also the trailer section: 431
				 * (400 for trailers) */
	uint16_t max_headers;	/* field lines (and trailer lines): 431 */
	uint32_t max_chunk_line; /* chunk-size line with extensions, CRLF
				  * excluded: 400 */
};

/* Defaults, close to Envoy's and HAProxy's. */
#define MDP_HTTP_LIMITS_DEFAULT { \
	.max_request_line = 8192, \
	.max_head = 65536,        \
	.max_headers = 100,       \
	.max_chunk_line = 4096,   \
}

/* Empty lines (CRLF) skipped before a request line (RFC 9112 2.2). */
#define MDP_HTTP_MAX_EMPTY_LINES	4
/* Distinct options in Connection fields (beyond: CONNECTION_TOO_MANY). */
#define MDP_HTTP_MAX_CONN_OPTIONS	16

/* ------------------------------------------------------------------ */
/* Messages                                                            */

/* Methods (RFC 9110 9.3, RFC 5789); names are case-sensitive. */
#define MDP_HTTP_METHODS(_) \
	_(GET) _(HEAD) _(POST) _(PUT) _(DELETE) _(CONNECT) _(OPTIONS) \
	_(TRACE) _(PATCH)

enum mdp_http_method {
	MDP_HTTP_M_OTHER = 0,	/* any other token: see msg->method_str */
#define MDP_HTTP_METHOD_ENUM(name) MDP_HTTP_M_##name,
	MDP_HTTP_METHODS(MDP_HTTP_METHOD_ENUM)
#undef MDP_HTTP_METHOD_ENUM
	MDP_HTTP_M_MAX
};

/*
 * Well-known header fields, matched case-insensitively:
 * _(NAME, lower-case name, hop-by-hop).
 * Hop-by-hop are Connection and the fields RFC 9110 7.6.1 lists
 * (Proxy-Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade); every
 * field a Connection field names is hop-by-hop too (MDP_HTTP_HF_HOP).
 * Names are lower-case letters and '-' only, under 20 bytes; a new one
 * goes into by_len[] in mdp_http.c too (test_http checks each is found).
 */
#define MDP_HTTP_HEADERS(_)                                  \
	_(HOST, "host", 0)                                   \
	_(CONTENT_LENGTH, "content-length", 0)               \
	_(TRANSFER_ENCODING, "transfer-encoding", 1)         \
	_(CONNECTION, "connection", 1)                       \
	_(UPGRADE, "upgrade", 1)                             \
	_(EXPECT, "expect", 0)                               \
	_(TE, "te", 1)                                       \
	_(KEEP_ALIVE, "keep-alive", 1)                       \
	_(PROXY_CONNECTION, "proxy-connection", 1)           \
	_(TRAILER, "trailer", 0)                             \
	_(X_FORWARDED_FOR, "x-forwarded-for", 0)             \
	_(X_FORWARDED_PROTO, "x-forwarded-proto", 0)         \
	_(X_FORWARDED_HOST, "x-forwarded-host", 0)           \
	_(X_REQUEST_ID, "x-request-id", 0)                   \
	_(VIA, "via", 0)                                     \
	_(FORWARDED, "forwarded", 0)                         \
	_(CONTENT_TYPE, "content-type", 0)                   \
	_(USER_AGENT, "user-agent", 0)                       \
	_(ACCEPT, "accept", 0)                               \
	_(AUTHORIZATION, "authorization", 0)                 \
	_(PROXY_AUTHORIZATION, "proxy-authorization", 0)     \
	_(PROXY_AUTHENTICATE, "proxy-authenticate", 0)       \
	_(COOKIE, "cookie", 0)                               \
	_(SET_COOKIE, "set-cookie", 0)                       \
	_(DATE, "date", 0)                                   \
	_(SERVER, "server", 0)                               \
	_(LOCATION, "location", 0)

enum mdp_http_hdr {
	MDP_HTTP_H_OTHER = 0,
#define MDP_HTTP_HDR_ENUM(name, str, hop) MDP_HTTP_H_##name,
	MDP_HTTP_HEADERS(MDP_HTTP_HDR_ENUM)
#undef MDP_HTTP_HDR_ENUM
	MDP_HTTP_H_MAX
};

/* struct mdp_http_header flags */
#define MDP_HTTP_HF_HOP		0x01	/* hop-by-hop: not forwarded */

/* One field line. name and value point into the parsed buffer; the value
 * has its leading and trailing whitespace (SP, HTAB) removed and contains
 * no CR, LF, NUL or other control character except HTAB. */
struct mdp_http_header {
	const char *name;
	const char *value;
	uint16_t name_len;	/* >= 1 */
	uint32_t value_len;	/* may be 0 */
	uint16_t id;		/* enum mdp_http_hdr */
	uint8_t flags;		/* MDP_HTTP_HF_* */
};

/* A string in the parsed buffer (or, where documented, static). p is NULL
 * when the component is absent; len may be 0 when it is present but
 * empty. */
struct mdp_http_str {
	const char *p;
	uint32_t len;
};

/* How the body that follows the head is delimited (RFC 9112 6.3). */
enum mdp_http_body_kind {
	MDP_HTTP_BODY_NONE = 0,		/* no body: the next message follows */
	MDP_HTTP_BODY_LENGTH,		/* content_length bytes (> 0) */
	MDP_HTTP_BODY_CHUNKED,		/* chunked, with optional trailers */
	MDP_HTTP_BODY_UNTIL_CLOSE,	/* responses only: up to the peer's close */
};

/* Request-target forms (RFC 9112 3.2). */
enum mdp_http_target_form {
	MDP_HTTP_T_ORIGIN = 0,	/* /path?query */
	MDP_HTTP_T_ABSOLUTE,	/* http://authority/path?query */
	MDP_HTTP_T_AUTHORITY,	/* host:port, CONNECT only */
	MDP_HTTP_T_ASTERISK,	/* *, OPTIONS only */
};

/*
 * A parsed message head. The caller sets headers and headers_cap once;
 * each parse call resets every other field. After a successful parse
 * every field below is set; after an error only err, err_status and
 * error are meaningful; after MDP_HTTP_INCOMPLETE only err.
 */
struct mdp_http_msg {
	/* set by the caller, kept by the parser */
	struct mdp_http_header *headers; /* room for headers_cap field lines */
	uint16_t headers_cap;		 /* more than min(headers_cap,
					  * max_headers) lines: 431 */

	/* result */
	uint16_t n_headers;
	uint32_t head_len;	/* bytes of the head, empty line included (and
				 * any empty lines skipped before a request
				 * line): the body, or the next message,
				 * starts there */
	enum mdp_http_err err;	/* NONE, INCOMPLETE, or why it was rejected */
	uint16_t err_status;	/* status to answer; 502 for any response error */
	const char *error;	/* static, mdp_http_err_str(err) */

	uint8_t version;	/* minor version: 0 (HTTP/1.0) or 1 (HTTP/1.1) */
	enum mdp_http_method method;	/* requests */
	enum mdp_http_target_form target_form;
	uint16_t status;	/* responses: 100..599 */

	enum mdp_http_body_kind body;
	uint64_t content_length; /* the Content-Length value when there is one
				  * (also where body is NONE: a response to
				  * HEAD, a 304); otherwise 0 */
	bool keep_alive;	/* the connection may carry another message
				 * after this one (Connection, version; false
				 * for a response delimited by close) */
	bool expect_continue;	/* HTTP/1.1 request with Expect: 100-continue */
	bool upgrade;		/* request: HTTP/1.1, Connection: upgrade and a
				 * non-empty Upgrade field; response: 101 */
	bool tunnel;		/* response: 101, or 2xx to CONNECT: after the
				 * head the connection is a tunnel */
	int32_t host;		/* index of the Host field in headers, or -1 */

	struct mdp_http_str method_str;	/* the method token as received */
	struct mdp_http_str target;	/* the request-target as received */
	struct mdp_http_str authority;	/* from the target (absolute and
					 * authority form), else from Host;
					 * absent when neither has one */
	struct mdp_http_str path;	/* origin and absolute form: the path
					 * without the query (len 0 for
					 * "http://host" and "http://host?q",
					 * which mean "/"); absent for
					 * authority and asterisk form. Not
					 * normalized: see
					 * mdp_http_path_normalize() */
	struct mdp_http_str query;	/* after '?', up to the end of the
					 * target; absent when there is no '?' */
	struct mdp_http_str reason;	/* responses: reason phrase, maybe empty */
};

/*
 * Parse a request head from buf[0..len).
 *
 * @param lim
 *   Limits, or NULL for MDP_HTTP_LIMITS_DEFAULT.
 * @param msg
 *   The result; msg->headers and msg->headers_cap must be set.
 *
 * Up to MDP_HTTP_MAX_EMPTY_LINES empty lines before the request line are
 * skipped (and counted in head_len). Bytes after the head (a body, the
 * next pipelined request) are not looked at.
 *
 * Returns head_len (> 0) when the head is complete and valid,
 * MDP_HTTP_INCOMPLETE when more bytes are needed, or -MDP_HTTP_E_xxx (with
 * msg->err, err_status and error set): answer err_status and close.
 */
int mdp_http_parse_request(const char *buf, size_t len,
			   const struct mdp_http_limits *lim,
			   struct mdp_http_msg *msg);

/*
 * Parse a response head from buf[0..len), the response to a request with
 * method req_method (HEAD and CONNECT change how the body is delimited,
 * RFC 9112 6.3): responses to HEAD, 1xx, 204 and 304 have no body; a 2xx
 * to CONNECT and a 101 make the connection a tunnel (msg->tunnel); then
 * chunked, then Content-Length, else the body runs until close.
 *
 * A 1xx other than 101 is a complete head of its own: forward it, then
 * parse the final response that follows it (at buf + head_len).
 *
 * Same returns as mdp_http_parse_request(); on error err_status is 502:
 * answer 502 and never reuse that upstream connection.
 */
int mdp_http_parse_response(const char *buf, size_t len,
			    const struct mdp_http_limits *lim,
			    enum mdp_http_method req_method,
			    struct mdp_http_msg *msg);

/* The well-known id of a field name (case-insensitive), or
 * MDP_HTTP_H_OTHER. */
enum mdp_http_hdr mdp_http_header_id(const char *name, size_t len);

/* Name of a method ("GET"); "" for MDP_HTTP_M_OTHER and out of range. */
const char *mdp_http_method_str(enum mdp_http_method m);

/* ------------------------------------------------------------------ */
/* Bodies                                                              */

/* Body data: len bytes at offset off of the span given to
 * mdp_http_body_feed(). */
struct mdp_http_span {
	size_t off;
	size_t len;
};

/* Body decoder state; lives in the connection. Fields are private but for
 * the statistics. */
struct mdp_http_body {
	enum mdp_http_body_kind kind;
	enum mdp_http_err err;	/* set once the body is rejected */
	bool done;
	uint8_t state;		/* chunked: where in the framing */
	uint8_t name_len;	/* trailer: bytes of the name kept in name[] */
	char name[20];		/* trailer: start of the field name */
	uint64_t remaining;	/* LENGTH: bytes left; CHUNKED: of this chunk */
	uint32_t line;		/* chunked: bytes of this chunk line so far,
				 * or of the trailer section */
	uint16_t n_trailers;
	uint32_t max_chunk_line;
	uint32_t max_trailer;
	uint16_t max_trailers;
	/* statistics */
	uint64_t data;		/* body data bytes reported */
	uint64_t chunks;	/* chunks with data */
};

/*
 * Start decoding the body of a message that mdp_http_parse_request() or
 * mdp_http_parse_response() accepted: msg->body and msg->content_length
 * say how it is delimited. lim may be NULL (defaults); max_chunk_line
 * bounds each chunk line, max_head the trailer section, max_headers its
 * field lines.
 */
void mdp_http_body_init(struct mdp_http_body *b, const struct mdp_http_msg *msg,
			const struct mdp_http_limits *lim);

/*
 * Feed the next len bytes that follow the head (or follow the previous
 * feed's consumed bytes) and learn which of them are body data.
 *
 * @param spans, max_spans
 *   Receive the body data in p, in order, as ranges of p. The framing
 *   around it (chunk lines, CRLFs, trailers) is not data. With spans NULL
 *   (max_spans ignored), nothing is reported: for skipping a body.
 * @param n_spans
 *   Receives the number of spans written (0 when spans is NULL).
 * @param consumed
 *   Receives how many bytes of p belong to this body. It is less than len
 *   when the body ended inside p (the next message starts at p +
 *   *consumed), or when spans ran out: call again with p + *consumed.
 *
 * A proxy that forwards the chunked framing as received forwards
 * p[0..*consumed); one that removes it forwards the spans.
 *
 * Returns 1 when the body is complete (later calls return 1 and consume
 * nothing), 0 when it needs more bytes (or more spans), or -MDP_HTTP_E_xxx
 * (also b->err; later calls fail the same way): answer
 * mdp_http_err_status() (a request) or treat the upstream as broken (a
 * response), and close. A body that runs until close is never complete:
 * see mdp_http_body_eof().
 */
int mdp_http_body_feed(struct mdp_http_body *b, const char *p, size_t len,
		       struct mdp_http_span *spans, unsigned max_spans,
		       unsigned *n_spans, size_t *consumed);

/*
 * The peer closed the connection. Returns 0 when the body is complete (a
 * body delimited by close is complete now), or -MDP_HTTP_E_BODY_TRUNCATED
 * (or the earlier error).
 */
int mdp_http_body_eof(struct mdp_http_body *b);

/* ------------------------------------------------------------------ */
/* Paths                                                               */

/*
 * Normalize an origin-form path (msg->path: without the query) into out,
 * the form that routing sees and that is forwarded:
 *  - percent-encoded unreserved characters (ALPHA DIGIT - . _ ~) are
 *    decoded; every other percent-encoding is kept, its hex digits in upper
 *    case; an encoded '/', '\' or NUL is rejected, as are a '%' without two
 *    hex digits and characters outside RFC 3986 pchar and '/';
 *  - runs of '/' become one;
 *  - dot-segments are removed (RFC 3986 5.2.4), also those spelled with
 *    %2E; ".." at the root stays at the root ("/../a" -> "/a"); a
 *    dot-segment with parameters ("..;x", ".;") is rejected (some servers
 *    treat it as a dot-segment);
 *  - an empty path (absolute form without one) becomes "/".
 * The result starts with '/', and is never longer than the input (but 1
 * byte for the empty path): cap >= max(len, 1) always suffices. Does not
 * NUL-terminate.
 *
 * Returns 0 with *out_len set, or -MDP_HTTP_E_PATH_xxx (PATH_TOO_LONG when
 * out is too small).
 */
int mdp_http_path_normalize(const char *path, size_t len, char *out, size_t cap,
			    size_t *out_len);

#endif
