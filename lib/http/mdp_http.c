/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/mdp_http.h"
#include "http/mdp_http_chars.h"

/* Message heads: start line, field lines, and what they mean for framing
 * and routing (RFC 9112 2-6, RFC 9110 5-7). */

#define T	MDP_HC_TOKEN
#define V	MDP_HC_VALUE
#define P	MDP_HC_PATH
#define Q	MDP_HC_QUERY
#define U	MDP_HC_UNRES
#define H	MDP_HC_HEX
#define QD	MDP_HC_QDTEXT
#define D	MDP_HC_DIGIT
const uint8_t mdp_http_cc[256] = {
	['\t'] = V | QD,
	[' '] = V | QD,
	['!'] = T | V | P | Q | QD,
	['"'] = V | Q,
	['#'] = T | V | QD,
	['$'] = T | V | P | Q | QD,
	['%'] = T | V | P | Q | QD,
	['&'] = T | V | P | Q | QD,
	['\''] = T | V | P | Q | QD,
	['('] = V | P | Q | QD,
	[')'] = V | P | Q | QD,
	['*'] = T | V | P | Q | QD,
	['+'] = T | V | P | Q | QD,
	[','] = V | P | Q | QD,
	['-'] = T | V | P | Q | U | QD,
	['.'] = T | V | P | Q | U | QD,
	['/'] = V | P | Q | QD,
	['0' ... '9'] = T | V | P | Q | U | H | QD | D,
	[':'] = V | P | Q | QD,
	[';'] = V | P | Q | QD,
	['<'] = V | Q | QD,
	['='] = V | P | Q | QD,
	['>'] = V | Q | QD,
	['?'] = V | Q | QD,
	['@'] = V | P | Q | QD,
	['A' ... 'F'] = T | V | P | Q | U | H | QD,
	['G' ... 'Z'] = T | V | P | Q | U | QD,
	['['] = V | Q | QD,
	['\\'] = V | Q,
	[']'] = V | Q | QD,
	['^'] = T | V | Q | QD,
	['_'] = T | V | P | Q | U | QD,
	['`'] = T | V | Q | QD,
	['a' ... 'f'] = T | V | P | Q | U | H | QD,
	['g' ... 'z'] = T | V | P | Q | U | QD,
	['{'] = V | Q | QD,
	['|'] = T | V | Q | QD,
	['}'] = V | Q | QD,
	['~'] = T | V | P | Q | U | QD,
	[0x80 ... 0xff] = V | QD,
};
#undef T
#undef V
#undef P
#undef Q
#undef U
#undef H
#undef QD
#undef D

static const struct {
	uint16_t status;
	const char *str;
} errs[MDP_HTTP_E_MAX] = {
	[MDP_HTTP_E_NONE] = { 0, "ok" },
	[MDP_HTTP_E_INCOMPLETE] = { 0, "incomplete" },
#define ERR_ROW(name, status, str) [MDP_HTTP_E_##name] = { status, str },
	MDP_HTTP_ERRORS(ERR_ROW)
#undef ERR_ROW
};

static const struct {
	const char *name;
	uint8_t len;
	uint8_t hop;
} hdrs[MDP_HTTP_H_MAX] = {
	[MDP_HTTP_H_OTHER] = { "", 0, 0 },
#define HDR_ROW(name, str, hop) [MDP_HTTP_H_##name] = { str, sizeof(str) - 1, hop },
	MDP_HTTP_HEADERS(HDR_ROW)
#undef HDR_ROW
};

static const struct {
	const char *name;
	uint8_t len;
} methods[MDP_HTTP_M_MAX] = {
	[MDP_HTTP_M_OTHER] = { "", 0 },
#define METHOD_ROW(name) [MDP_HTTP_M_##name] = { #name, sizeof(#name) - 1 },
	MDP_HTTP_METHODS(METHOD_ROW)
#undef METHOD_ROW
};

static const struct mdp_http_limits default_limits = MDP_HTTP_LIMITS_DEFAULT;

/* Cap on max_head so that a head length always fits the int return. */
#define HEAD_CAP	(1u << 30)

typedef enum mdp_http_err err_t;

#define E(name)	MDP_HTTP_E_##name

const char *
mdp_http_err_str(enum mdp_http_err err)
{
	return (unsigned)err < MDP_HTTP_E_MAX ? errs[err].str : "?";
}

unsigned
mdp_http_err_status(enum mdp_http_err err)
{
	return (unsigned)err < MDP_HTTP_E_MAX ? errs[err].status : 0;
}

const char *
mdp_http_method_str(enum mdp_http_method m)
{
	return (unsigned)m < MDP_HTTP_M_MAX ? methods[m].name : "";
}

static inline bool
is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static inline unsigned char
lower(unsigned char c)
{
	return (unsigned)(c - 'A') < 26u ? c | 0x20 : c;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR_LE	1
#endif

#define ONES	0x0101010101010101ull
#define HIGHS	0x8080808080808080ull

/* The high bit of every byte of x below n (n <= 0x80), and of every byte
 * equal to c. Only the lowest flagged byte is sure (a borrow can flag the
 * bytes above it), which is all the callers look at. */
static inline uint64_t
bytes_below(uint64_t x, unsigned n)
{
	return (x - n * ONES) & ~x & HIGHS;
}

static inline uint64_t
bytes_equal(uint64_t x, unsigned char c)
{
	uint64_t y = x ^ (c * ONES);

	return (y - ONES) & ~y & HIGHS;
}

/* name[0..n) is the lower-case name lc[0..n), which has only letters and
 * '-' (well-known field names): 8 bytes at a time. Exact for a token;
 * otherwise '\r' | 0x20 is '-' too (see mdp_http_header_id()). */
static inline bool
name_eq(const char *name, const char *lc, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t a, b;

		memcpy(&a, name + i, 8);
		memcpy(&b, lc + i, 8);
		if ((a | 0x20 * ONES) != b)
			return false;
	}
	for (; i < n; i++)
		if ((name[i] | 0x20) != lc[i])
			return false;
	return true;
}

/* a[0..n) equals b[0..n), ASCII letters in any case. */
static bool
ci_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

static bool
str_ci_eq(const char *a, size_t alen, const char *lit, size_t litlen)
{
	return alen == litlen && ci_eq(a, lit, alen);
}

#define LIT_EQ(p, len, lit)	str_ci_eq(p, len, lit, sizeof(lit) - 1)

/* The well-known names by length (test_http checks that every name of
 * MDP_HTTP_HEADERS is found): one look per field instead of a scan. */
#define HL(name)	MDP_HTTP_H_##name
static const uint8_t by_len[20][4] = {
	[2] = { HL(TE) },
	[3] = { HL(VIA) },
	[4] = { HL(HOST), HL(DATE) },
	[6] = { HL(EXPECT), HL(ACCEPT), HL(COOKIE), HL(SERVER) },
	[7] = { HL(UPGRADE), HL(TRAILER) },
	[8] = { HL(LOCATION) },
	[9] = { HL(FORWARDED) },
	[10] = { HL(CONNECTION), HL(KEEP_ALIVE), HL(USER_AGENT), HL(SET_COOKIE) },
	[12] = { HL(CONTENT_TYPE), HL(X_REQUEST_ID) },
	[13] = { HL(AUTHORIZATION) },
	[14] = { HL(CONTENT_LENGTH) },
	[15] = { HL(X_FORWARDED_FOR) },
	[16] = { HL(PROXY_CONNECTION), HL(X_FORWARDED_HOST) },
	[17] = { HL(TRANSFER_ENCODING), HL(X_FORWARDED_PROTO) },
	[18] = { HL(PROXY_AUTHENTICATE) },
	[19] = { HL(PROXY_AUTHORIZATION) },
};
#undef HL

/* The id of a name that is a token. */
static inline enum mdp_http_hdr
token_id(const char *name, size_t len)
{
	unsigned char c0;

	if (len >= sizeof(by_len) / sizeof(by_len[0]) || len == 0)
		return MDP_HTTP_H_OTHER;
	c0 = lower(name[0]);
	for (unsigned i = 0; i < 4 && by_len[len][i] != 0; i++) {
		unsigned id = by_len[len][i];

		if ((unsigned char)hdrs[id].name[0] == c0 && name_eq(name, hdrs[id].name, len))
			return (enum mdp_http_hdr)id;
	}
	return MDP_HTTP_H_OTHER;
}

enum mdp_http_hdr
mdp_http_header_id(const char *name, size_t len)
{
	enum mdp_http_hdr id = token_id(name, len);

	return id != MDP_HTTP_H_OTHER && memchr(name, '\r', len) == NULL ? id : MDP_HTTP_H_OTHER;
}

static enum mdp_http_method
method_id(const char *m, size_t len)
{
	for (unsigned i = 1; i < MDP_HTTP_M_MAX; i++)
		if (methods[i].len == len && memcmp(methods[i].name, m, len) == 0)
			return (enum mdp_http_method)i;
	return MDP_HTTP_M_OTHER;
}

/* Skip field-value bytes (VCHAR, SP, HTAB, obs-text), 8 at a time: stop at
 * the first control character (< 0x20, DEL) other than HTAB. */
static inline const char *
skip_value(const char *p, const char *end)
{
#ifdef SWAR_LE
	while (end - p >= 8) {
		uint64_t x, m;

		memcpy(&x, p, 8);
		m = bytes_below(x, 0x20) | bytes_equal(x, 0x7f);
		if (m == 0) {
			p += 8;
			continue;
		}
		p += __builtin_ctzll(m) >> 3;
		if (*p != '\t')
			return p;
		p++;
	}
#endif
	while (p < end && mdp_hc(*p, MDP_HC_VALUE))
		p++;
	return p;
}

/*
 * The first byte from p on that is a control, SP, DEL, non-ASCII or c,
 * looked for 8 bytes at a time: *found is true and that byte is returned.
 * Otherwise *found is false and the rest (fewer than 8 bytes, none of
 * them looked at) starts at the pointer returned.
 */
static inline const char *
find_stop(const char *p, const char *end, unsigned char c, bool *found)
{
	*found = false;
#ifdef SWAR_LE
	while (end - p >= 8) {
		uint64_t x, m;

		memcpy(&x, p, 8);
		m = bytes_below(x, 0x21) | bytes_equal(x, 0x7f) | bytes_equal(x, c) | (x & HIGHS);
		if (m != 0) {
			*found = true;
			return p + (__builtin_ctzll(m) >> 3);
		}
		p += 8;
	}
#else
	(void)end;
	(void)c;
#endif
	return p;
}

/* Skip token bytes (a method, a field name): every byte find_stop() stops
 * at ends a token, so it bounds the table lookups that find the other
 * delimiters ('(', '"', ...). */
static inline const char *
skip_token(const char *p, const char *end)
{
	bool found;

	find_stop(p, end, ':', &found);
	if (found) {
		while (mdp_hc(*p, MDP_HC_TOKEN))
			p++;
		return p;
	}
	while (p < end && mdp_hc(*p, MDP_HC_TOKEN))
		p++;
	return p;
}

/* Skip request-target bytes: visible ASCII but '#' (MDP_HC_QUERY), exactly
 * the bytes find_stop() passes over. */
static inline const char *
skip_target(const char *p, const char *end)
{
	bool found;

	p = find_stop(p, end, '#', &found);
	while (!found && p < end && mdp_hc(*p, MDP_HC_QUERY))
		p++;
	return p;
}

/* A CRLF at p. */
static err_t
crlf(const char *p, const char *end, err_t other)
{
	if (p == end)
		return E(INCOMPLETE);
	if (*p == '\r') {
		if (p + 1 == end)
			return E(INCOMPLETE);
		return p[1] == '\n' ? E(NONE) : E(BARE_CR);
	}
	return *p == '\n' ? E(BARE_LF) : other;
}

/* "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3). */
static err_t
version(const char *p, const char *end, unsigned *major, unsigned *minor)
{
	static const char pat[] = "HTTP/0.0";	/* '0': any digit */
	size_t n = (size_t)(end - p);

	for (size_t i = 0; i < sizeof(pat) - 1; i++) {
		if (i >= n)
			return E(INCOMPLETE);
		if (pat[i] == '0' ? !mdp_hc(p[i], MDP_HC_DIGIT) : p[i] != pat[i])
			return E(VERSION);
	}
	*major = (unsigned)(p[5] - '0');
	*minor = (unsigned)(p[7] - '0');
	return E(NONE);
}

/* The CRLF at p that ends the start line begun at line (other: what a
 * byte other than CR or LF there means), then what needs the whole line:
 * its length, and a version we speak. */
static err_t
line_end(const char *line, const char *p, const char *end, const struct mdp_http_limits *lim,
	 unsigned major, unsigned minor, err_t other)
{
	err_t e = crlf(p, end, other);

	if (e != E(NONE))
		return e;
	if ((size_t)(p - line) > lim->max_request_line)
		return E(LINE_TOO_LONG);
	if (major != 1 || minor > 1)
		return E(VERSION_UNSUPPORTED);
	return E(NONE);
}

/* uri-host [ ":" port ] (RFC 3986 3.2.2-3.2.3), stricter: a reg-name is
 * unreserved characters only (no sub-delims, no percent-encoding), an
 * IP-literal is hex digits, ':' and '.', a port is 1-5 digits up to
 * 65535. */
static bool
authority_ok(const char *p, size_t n, bool need_port)
{
	const char *end = p + n, *q;
	unsigned port = 0;

	if (n == 0)
		return false;
	if (*p == '[') {
		q = p + 1;
		while (q < end && (mdp_hc(*q, MDP_HC_HEX) || *q == ':' || *q == '.'))
			q++;
		if (q == end || *q != ']' || memchr(p + 1, ':', (size_t)(q - p - 1)) == NULL)
			return false;
		q++;
	} else {
		q = p;
		while (q < end && mdp_hc(*q, MDP_HC_UNRES))
			q++;
		if (q == p)
			return false;
	}
	if (q == end)
		return !need_port;
	if (*q++ != ':' || q == end || end - q > 5)
		return false;
	for (; q < end; q++) {
		if (!mdp_hc(*q, MDP_HC_DIGIT))
			return false;
		port = port * 10 + (unsigned)(*q - '0');
	}
	return port <= 65535;
}

/* path-abempty [ "?" query ] from p to the end of the target. */
static err_t
path_query(struct mdp_http_msg *msg, const char *p, const char *end)
{
	const char *s = p;

	while (p < end && mdp_hc(*p, MDP_HC_PATH))
		p++;
	if (p < end && *p != '?')
		return E(TARGET);
	msg->path.p = s;
	msg->path.len = (uint32_t)(p - s);
	if (p < end) {
		msg->query.p = p + 1;
		msg->query.len = (uint32_t)(end - p - 1);
	}
	return E(NONE);
}

/* RFC 9112 3.2: the four forms, each only where it belongs. The target's
 * characters were checked already (visible ASCII, no '#'). */
static err_t
target(struct mdp_http_msg *msg)
{
	const char *t = msg->target.p, *end = t + msg->target.len, *p, *a;
	bool connect = msg->method == MDP_HTTP_M_CONNECT;

	if (*t == '/') {
		if (connect)
			return E(TARGET_FORM);
		msg->target_form = MDP_HTTP_T_ORIGIN;
		return path_query(msg, t, end);
	}
	if (*t == '*' && msg->target.len == 1) {
		if (msg->method != MDP_HTTP_M_OPTIONS)
			return E(TARGET_FORM);
		msg->target_form = MDP_HTTP_T_ASTERISK;
		return E(NONE);
	}
	if (connect) {
		/* RFC 9110 9.3.6: host and port, nothing else */
		if (!authority_ok(t, msg->target.len, true))
			return memchr(t, '@', msg->target.len) ? E(USERINFO) : E(TARGET_AUTHORITY);
		msg->target_form = MDP_HTTP_T_AUTHORITY;
		msg->authority = msg->target;
		return E(NONE);
	}
	/* absolute-form: scheme "://" authority path-abempty [ "?" query ] */
	for (p = t; p < end && ((unsigned)(lower(*p) - 'a') < 26u ||
				(p > t && (mdp_hc(*p, MDP_HC_DIGIT) || *p == '+' || *p == '-' ||
					   *p == '.'))); p++)
		;
	if (p == t || end - p < 3 || memcmp(p, "://", 3) != 0)
		return E(TARGET);
	if (!LIT_EQ(t, (size_t)(p - t), "http") && !LIT_EQ(t, (size_t)(p - t), "https"))
		return E(TARGET_SCHEME);
	a = p + 3;
	for (p = a; p < end && *p != '/' && *p != '?'; p++)
		;
	if (memchr(a, '@', (size_t)(p - a)) != NULL)
		return E(USERINFO);
	if (!authority_ok(a, (size_t)(p - a), false))
		return E(TARGET_AUTHORITY);
	msg->target_form = MDP_HTTP_T_ABSOLUTE;
	msg->authority.p = a;
	msg->authority.len = (uint32_t)(p - a);
	return path_query(msg, p, end);
}

/*
 * request-line = method SP request-target SP HTTP-version CRLF, exactly one
 * SP between the parts (RFC 9112 3). *pp moves past the CRLF.
 */
static err_t
request_line(const char **pp, const char *end, const struct mdp_http_limits *lim,
	     struct mdp_http_msg *msg)
{
	const char *line = *pp, *p = line, *t;
	unsigned major, minor;
	err_t e;

	p = skip_token(p, end);
	if (p == end)
		return E(INCOMPLETE);
	if (*p != ' ' || p == line)
		return *p == '\n' ? E(BARE_LF) : (*p == ' ' || *p == '\r') ? E(REQ_LINE) : E(METHOD);
	msg->method_str.p = line;
	msg->method_str.len = (uint32_t)(p - line);
	msg->method = method_id(line, (size_t)(p - line));

	t = ++p;
	p = skip_target(p, end);
	if (p == end)
		return E(INCOMPLETE);
	if (*p != ' ' || p == t) {
		switch (*p) {
		case ' ':
		case '\r':
			return E(REQ_LINE);
		case '\n':
			return E(BARE_LF);
		case '#':
			return E(FRAGMENT);
		default:
			return E(TARGET);
		}
	}
	msg->target.p = t;
	msg->target.len = (uint32_t)(p - t);

	if (++p < end && *p == ' ')
		return E(REQ_LINE);
	e = version(p, end, &major, &minor);
	if (e != E(NONE))
		return e;
	p += 8;
	e = line_end(line, p, end, lim, major, minor,
		     p < end && *p == ' ' ? E(REQ_LINE) : E(VERSION));
	if (e != E(NONE))
		return e;
	msg->version = (uint8_t)minor;
	*pp = p + 2;
	return target(msg);
}

/* status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF; the
 * second SP may be missing when the reason is (RFC 9112 4). */
static err_t
status_line(const char **pp, const char *end, const struct mdp_http_limits *lim,
	    struct mdp_http_msg *msg)
{
	const char *line = *pp, *p = line, *r;
	unsigned major, minor, code = 0;
	err_t e;

	e = version(p, end, &major, &minor);
	if (e != E(NONE))
		return e;
	p += 8;
	if (p == end)
		return E(INCOMPLETE);
	if (*p++ != ' ')
		return mdp_hc(p[-1], MDP_HC_DIGIT) ? E(VERSION) : E(STATUS_LINE);
	for (int i = 0; i < 3; i++, p++) {
		if (p == end)
			return E(INCOMPLETE);
		if (!mdp_hc(*p, MDP_HC_DIGIT))
			return E(STATUS_CODE);
		code = code * 10 + (unsigned)(*p - '0');
	}
	if (p == end)
		return E(INCOMPLETE);
	if (*p == ' ')
		p++;
	else if (*p != '\r' && *p != '\n')
		return mdp_hc(*p, MDP_HC_DIGIT) ? E(STATUS_CODE) : E(STATUS_LINE);
	r = p;
	while (p < end && mdp_hc(*p, MDP_HC_VALUE))
		p++;
	e = line_end(line, p, end, lim, major, minor, E(STATUS_LINE));
	if (e != E(NONE))
		return e;
	if (code < 100 || code > 599)
		return E(STATUS_CODE);
	msg->version = (uint8_t)minor;
	msg->status = (uint16_t)code;
	msg->reason.p = r;
	msg->reason.len = (uint32_t)(p - r);
	*pp = p + 2;
	return E(NONE);
}

/*
 * field-line = field-name ":" OWS field-value OWS, up to and including the
 * empty line (RFC 9112 5). *pp moves past the empty line.
 */
static err_t
field_lines(const char **pp, const char *end, unsigned max, struct mdp_http_msg *msg)
{
	const char *p = *pp;

	for (;;) {
		const char *name, *val, *ve;
		struct mdp_http_header *h;
		size_t name_len;

		if (p == end)
			return E(INCOMPLETE);
		if (*p == '\r') {
			if (p + 1 == end)
				return E(INCOMPLETE);
			if (p[1] != '\n')
				return E(BARE_CR);
			*pp = p + 2;
			return E(NONE);
		}
		if (msg->n_headers >= max)
			return E(TOO_MANY_HEADERS);
		name = p;
		p = skip_token(p, end);
		if (p == end)
			return E(INCOMPLETE);
		if (*p != ':' || p == name) {
			if (*p == '\n')
				return E(BARE_LF);
			/* RFC 9112 5.2: obs-fold; 2.2: whitespace before the
			 * first field line */
			if (is_ows(*p))
				return p == name ? E(OBS_FOLD) : E(WS_BEFORE_COLON);
			return E(NAME);
		}
		name_len = (size_t)(p - name);
		if (name_len > UINT16_MAX)
			return E(HEAD_TOO_LARGE);
		p++;
		while (p < end && is_ows(*p))
			p++;
		val = p;
		p = skip_value(p, end);
		if (p == end)
			return E(INCOMPLETE);
		if (*p != '\r')
			return *p == '\n' ? E(BARE_LF) : *p == '\0' ? E(VALUE_NUL) : E(VALUE_CTL);
		if (p + 1 == end)
			return E(INCOMPLETE);
		if (p[1] != '\n')
			return E(BARE_CR);
		for (ve = p; ve > val && is_ows(ve[-1]); ve--)
			;
		h = &msg->headers[msg->n_headers++];
		h->name = name;
		h->name_len = (uint16_t)name_len;
		h->value = val;
		h->value_len = (uint32_t)(ve - val);
		h->id = (uint16_t)token_id(name, name_len);
		h->flags = hdrs[h->id].hop ? MDP_HTTP_HF_HOP : 0;
		p += 2;
	}
}

/* What the fields say about framing and the connection. */
struct fields {
	unsigned n_host;
	bool has_cl, has_te, has_upgrade, has_expect, expect_ok;
	bool te_last_chunked, te_other, te_unknown;
	unsigned te_chunked;
	uint64_t cl;
	bool c_close, c_keep_alive, c_upgrade;
	unsigned n_opts;
	struct {
		const char *p;
		uint32_t len;
		uint16_t id;
	} opts[MDP_HTTP_MAX_CONN_OPTIONS];
};

/* Content-Length = 1*DIGIT: no sign, no list, no whitespace inside. A
 * list of equal values (RFC 9110 8.6 lets a recipient accept it) is
 * rejected too. */
static err_t
content_length(const char *v, uint32_t n, uint64_t *out)
{
	uint64_t x = 0;
	uint32_t i;

	if (n == 0)
		return E(CL_INVALID);
	for (i = 0; i < n; i++)
		if (!mdp_hc(v[i], MDP_HC_DIGIT))
			return E(CL_INVALID);
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(v[i] - '0');

		if (x > ((uint64_t)INT64_MAX - d) / 10)
			return E(CL_OVERFLOW);
		x = x * 10 + d;
	}
	*out = x;
	return E(NONE);
}

/* Transfer-Encoding = #transfer-coding, accumulated over every field in
 * order. Stricter than the list rule: no empty elements, no parameters. */
static err_t
transfer_encoding(const char *v, uint32_t n, struct fields *f)
{
	const char *p = v, *end = v + n;

	for (;;) {
		const char *t = p;
		size_t len;

		while (p < end && mdp_hc(*p, MDP_HC_TOKEN))
			p++;
		len = (size_t)(p - t);
		if (len == 0)
			return E(TE_INVALID);
		if (LIT_EQ(t, len, "chunked")) {
			f->te_chunked++;
			f->te_last_chunked = true;
		} else {
			f->te_last_chunked = false;
			if (LIT_EQ(t, len, "gzip") || LIT_EQ(t, len, "deflate") ||
			    LIT_EQ(t, len, "compress") || LIT_EQ(t, len, "x-gzip") ||
			    LIT_EQ(t, len, "x-compress"))
				f->te_other = true;
			else
				f->te_unknown = true;
		}
		while (p < end && is_ows(*p))
			p++;
		if (p == end)
			return E(NONE);
		if (*p++ != ',')
			return E(TE_INVALID);
		while (p < end && is_ows(*p))
			p++;
	}
}

/* Connection = #connection-option (RFC 9110 7.6.1); empty elements are
 * ignored as the list rule asks. */
static err_t
connection(const char *v, uint32_t n, struct fields *f)
{
	const char *p = v, *end = v + n;

	while (p < end) {
		const char *t;
		size_t len;
		enum mdp_http_hdr id;

		if (*p == ',' || is_ows(*p)) {
			p++;
			continue;
		}
		t = p;
		while (p < end && mdp_hc(*p, MDP_HC_TOKEN))
			p++;
		len = (size_t)(p - t);
		if (len == 0)
			return E(CONNECTION_INVALID);
		while (p < end && is_ows(*p))
			p++;
		if (p < end && *p != ',')
			return E(CONNECTION_INVALID);
		id = token_id(t, len);
		/* RFC 9110 7.6.1: a field meant for every recipient must not
		 * be a connection option; these two a proxy must not drop */
		if (id == MDP_HTTP_H_HOST || id == MDP_HTTP_H_CONTENT_LENGTH)
			return E(CONNECTION_E2E);
		if (LIT_EQ(t, len, "close"))
			f->c_close = true;
		else if (id == MDP_HTTP_H_KEEP_ALIVE)
			f->c_keep_alive = true;
		else if (id == MDP_HTTP_H_UPGRADE)
			f->c_upgrade = true;
		if (f->n_opts == MDP_HTTP_MAX_CONN_OPTIONS)
			return E(CONNECTION_TOO_MANY);
		f->opts[f->n_opts].p = t;
		f->opts[f->n_opts].len = (uint32_t)len;
		f->opts[f->n_opts].id = (uint16_t)id;
		f->n_opts++;
	}
	return E(NONE);
}

/* One pass over the fields: syntax of those that matter, then mark what
 * Connection names as hop-by-hop. */
static err_t
scan_fields(struct mdp_http_msg *msg, struct fields *f, bool request)
{
	err_t e = E(NONE);

	memset(f, 0, sizeof(*f));

	for (unsigned i = 0; i < msg->n_headers; i++) {
		const struct mdp_http_header *h = &msg->headers[i];

		switch (h->id) {
		case MDP_HTTP_H_HOST:
			if (!request)
				break;
			if (++f->n_host > 1)
				return E(HOST_DUP);
			msg->host = (int32_t)i;
			break;
		case MDP_HTTP_H_CONTENT_LENGTH:
			if (f->has_cl)
				return E(CL_DUP);
			f->has_cl = true;
			e = content_length(h->value, h->value_len, &f->cl);
			break;
		case MDP_HTTP_H_TRANSFER_ENCODING:
			f->has_te = true;
			e = transfer_encoding(h->value, h->value_len, f);
			break;
		case MDP_HTTP_H_CONNECTION:
			e = connection(h->value, h->value_len, f);
			break;
		case MDP_HTTP_H_UPGRADE:
			f->has_upgrade |= h->value_len > 0;
			break;
		case MDP_HTTP_H_EXPECT:
			/* RFC 9110 10.1.1: only 100-continue is defined */
			f->expect_ok = (f->has_expect ? f->expect_ok : true) &&
				       LIT_EQ(h->value, h->value_len, "100-continue");
			f->has_expect = true;
			break;
		default:
			break;
		}
		if (e != E(NONE))
			return e;
	}

	for (unsigned k = 0; k < f->n_opts; k++) {
		for (unsigned i = 0; i < msg->n_headers; i++) {
			struct mdp_http_header *h = &msg->headers[i];

			if (h->id == f->opts[k].id &&
			    (h->id != MDP_HTTP_H_OTHER ||
			     str_ci_eq(h->name, h->name_len, f->opts[k].p, f->opts[k].len)))
				h->flags |= MDP_HTTP_HF_HOP;
		}
	}
	return E(NONE);
}

/* RFC 9112 6.1, 6.3: what a Transfer-Encoding may be. */
static err_t
te_rules(const struct mdp_http_msg *msg, const struct fields *f)
{
	if (msg->version == 0)
		return E(TE_HTTP10);
	if (f->has_cl)
		return E(CL_AND_TE);
	if (f->te_chunked > 1)
		return E(TE_CHUNKED_TWICE);
	if (f->te_chunked == 1 && !f->te_last_chunked)
		return E(TE_NOT_CHUNKED);
	if (f->te_unknown)
		return E(TE_UNSUPPORTED);
	if (f->te_chunked == 0)
		return E(TE_NOT_CHUNKED);
	/* gzip etc. before chunked: valid, but we would have to keep them
	 * when forwarding; no client needs it */
	if (f->te_other)
		return E(TE_UNSUPPORTED);
	return E(NONE);
}

static bool
keep_alive(const struct mdp_http_msg *msg, const struct fields *f)
{
	/* RFC 9112 9.3 */
	if (f->c_close)
		return false;
	return msg->version == 1 || f->c_keep_alive;
}

static err_t
request_fields(struct mdp_http_msg *msg)
{
	struct fields f;
	err_t e;

	e = scan_fields(msg, &f, true);
	if (e != E(NONE))
		return e;

	if (f.has_te) {
		e = te_rules(msg, &f);
		if (e != E(NONE))
			return e;
		msg->body = MDP_HTTP_BODY_CHUNKED;
	} else if (f.has_cl) {
		msg->content_length = f.cl;
		msg->body = f.cl > 0 ? MDP_HTTP_BODY_LENGTH : MDP_HTTP_BODY_NONE;
	}

	/* RFC 9112 3.2: Host, exactly once in HTTP/1.1 */
	if (f.n_host == 0) {
		if (msg->version == 1)
			return E(HOST_MISSING);
	} else {
		const struct mdp_http_header *h = &msg->headers[msg->host];

		if (h->value_len == 0)
			return E(HOST_EMPTY);
		if (!authority_ok(h->value, h->value_len, false))
			return E(HOST_INVALID);
		/* RFC 9112 3.2.2 would have Host ignored; differing is an
		 * attempt to route on one and be served by the other */
		if (msg->authority.p != NULL &&
		    !str_ci_eq(h->value, h->value_len, msg->authority.p, msg->authority.len))
			return E(HOST_MISMATCH);
		if (msg->authority.p == NULL) {
			msg->authority.p = h->value;
			msg->authority.len = h->value_len;
		}
	}

	/* RFC 9110 9.3.6: CONNECT has no content */
	if (msg->method == MDP_HTTP_M_CONNECT && (f.has_te || f.cl > 0))
		return E(CONNECT_BODY);
	/* RFC 9110 10.1.1: ignored in HTTP/1.0 */
	if (f.has_expect && msg->version == 1) {
		if (!f.expect_ok)
			return E(EXPECT);
		msg->expect_continue = true;
	}
	/* RFC 9110 7.8: Upgrade counts only when Connection names it, and
	 * not in HTTP/1.0 */
	msg->upgrade = msg->version == 1 && f.c_upgrade && f.has_upgrade;
	msg->keep_alive = keep_alive(msg, &f);
	return E(NONE);
}

static err_t
response_fields(struct mdp_http_msg *msg, enum mdp_http_method req)
{
	unsigned s = msg->status;
	struct fields f;
	err_t e;

	e = scan_fields(msg, &f, false);
	if (e != E(NONE))
		return e;

	/* RFC 9110 8.6, 6.1: no framing fields in 1xx and 204 (a
	 * Content-Length of 0 is let through: harmless and common) */
	if ((s < 200 || s == 204) && (f.has_te || f.cl != 0))
		return E(NO_BODY_FRAMING);
	if (f.has_te) {
		e = te_rules(msg, &f);
		if (e != E(NONE))
			return e;
	}
	msg->content_length = f.cl;
	msg->keep_alive = keep_alive(msg, &f);

	/* RFC 9112 6.3 */
	if (s == 101) {
		msg->upgrade = true;
		msg->tunnel = true;
		msg->keep_alive = false;
	} else if (s / 100 == 2 && req == MDP_HTTP_M_CONNECT) {
		msg->tunnel = true;
		msg->keep_alive = false;
	} else if (req == MDP_HTTP_M_HEAD || s < 200 || s == 204 || s == 304) {
		msg->body = MDP_HTTP_BODY_NONE;
	} else if (f.has_te) {
		msg->body = MDP_HTTP_BODY_CHUNKED;
	} else if (f.has_cl) {
		msg->body = f.cl > 0 ? MDP_HTTP_BODY_LENGTH : MDP_HTTP_BODY_NONE;
	} else {
		msg->body = MDP_HTTP_BODY_UNTIL_CLOSE;
		msg->keep_alive = false;
	}
	return E(NONE);
}

static void
msg_reset(struct mdp_http_msg *msg)
{
	*msg = (struct mdp_http_msg){
		.headers = msg->headers,
		.headers_cap = msg->headers_cap,
		.host = -1,
	};
}

static int
finish(struct mdp_http_msg *msg, err_t e, size_t head_len, bool response)
{
	msg->err = e;
	if (e == E(NONE)) {
		msg->head_len = (uint32_t)head_len;
		msg->error = errs[e].str;
		return (int)head_len;
	}
	if (e == E(INCOMPLETE))
		return MDP_HTTP_INCOMPLETE;
	msg->err_status = response ? 502 : errs[e].status;
	msg->error = errs[e].str;
	return -(int)e;
}

static void
limits(const struct mdp_http_limits **lim, uint32_t *max_head, unsigned *max_headers,
       const struct mdp_http_msg *msg)
{
	if (*lim == NULL)
		*lim = &default_limits;
	*max_head = (*lim)->max_head < HEAD_CAP ? (*lim)->max_head : HEAD_CAP;
	*max_headers = (*lim)->max_headers < msg->headers_cap ? (*lim)->max_headers
							       : msg->headers_cap;
	if (msg->headers == NULL)
		*max_headers = 0;
}

/* After the start line (e says how it went): the field lines, then the
 * size of the head. When the bytes at hand already exceed max_head the
 * rest of the head would too: fail now rather than wait. */
static err_t
head_fields(err_t e, const char **pp, const char *buf, const char *end,
	    unsigned max_headers, uint32_t max_head, struct mdp_http_msg *msg)
{
	if (e == E(NONE))
		e = field_lines(pp, end, max_headers, msg);
	if (e == E(INCOMPLETE) && (size_t)(end - buf) >= max_head)
		return E(HEAD_TOO_LARGE);
	if (e == E(NONE) && (size_t)(*pp - buf) > max_head)
		return E(HEAD_TOO_LARGE);
	return e;
}

int
mdp_http_parse_request(const char *buf, size_t len, const struct mdp_http_limits *lim,
		       struct mdp_http_msg *msg)
{
	const char *p = buf, *end = buf + len, *line;
	unsigned max_headers;
	uint32_t max_head;
	err_t e;

	msg_reset(msg);
	limits(&lim, &max_head, &max_headers, msg);

	/* RFC 9112 2.2: ignore a few empty lines before the request */
	while (p < end && (*p == '\r' || *p == '\n')) {
		e = crlf(p, end, E(NONE));
		if (e == E(NONE) && (size_t)(p - buf) >= 2 * MDP_HTTP_MAX_EMPTY_LINES)
			e = E(EMPTY_LINES);
		if (e != E(NONE))
			return finish(msg, e, 0, false);
		p += 2;
	}
	line = p;
	e = request_line(&p, end, lim, msg);
	if (e == E(INCOMPLETE) && (size_t)(end - line) > (size_t)lim->max_request_line + 1)
		e = E(LINE_TOO_LONG);
	e = head_fields(e, &p, buf, end, max_headers, max_head, msg);
	if (e == E(NONE))
		e = request_fields(msg);
	return finish(msg, e, (size_t)(p - buf), false);
}

int
mdp_http_parse_response(const char *buf, size_t len, const struct mdp_http_limits *lim,
			enum mdp_http_method req_method, struct mdp_http_msg *msg)
{
	const char *p = buf, *end = buf + len;
	unsigned max_headers;
	uint32_t max_head;
	err_t e;

	msg_reset(msg);
	limits(&lim, &max_head, &max_headers, msg);

	e = status_line(&p, end, lim, msg);
	if (e == E(INCOMPLETE) && len > (size_t)lim->max_request_line + 1)
		e = E(LINE_TOO_LONG);
	e = head_fields(e, &p, buf, end, max_headers, max_head, msg);
	if (e == E(NONE))
		e = response_fields(msg, req_method);
	return finish(msg, e, (size_t)(p - buf), true);
}
