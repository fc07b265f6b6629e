/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/mdp_http.h"
#include "http/mdp_http_chars.h"

/* Body framing (RFC 9112 6, 7): Content-Length, chunked with extensions
 * and trailers, or until close. Only the chunked framing is looked at byte
 * by byte; data is reported in runs. */

#define E(name)	MDP_HTTP_E_##name

enum {
	/* chunk-size [ chunk-ext ] CRLF (RFC 9112 7.1, 7.1.1) */
	S_SIZE0,	/* first hex digit */
	S_SIZE,		/* more digits, or what follows them */
	S_EXT_BWS,	/* BWS before ';' */
	S_EXT_NAME0,	/* BWS, then an extension name */
	S_EXT_NAME,
	S_EXT_NAME_BWS,	/* BWS after a name: '=' or ';' next */
	S_EXT_VAL0,	/* BWS, then a token or a quoted-string */
	S_EXT_VAL,	/* token value */
	S_EXT_QS,	/* quoted-string */
	S_EXT_QP,	/* after '\' in a quoted-string */
	S_EXT_QEND,	/* after the closing '"' */
	S_SIZE_LF,	/* the chunk line's LF */
	/* chunk-data CRLF */
	S_DATA,
	S_DATA_CR,
	S_DATA_LF,
	/* trailer-section CRLF (RFC 9112 7.1.2) */
	S_TR_LINE,	/* start of a field line, or the final CRLF */
	S_TR_NAME,
	S_TR_VALUE,
	S_TR_LF,
	S_END_LF,
};

static const struct mdp_http_limits default_limits = MDP_HTTP_LIMITS_DEFAULT;

static inline bool
is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

void
mdp_http_body_init(struct mdp_http_body *b, const struct mdp_http_msg *msg,
		   const struct mdp_http_limits *lim)
{
	if (lim == NULL)
		lim = &default_limits;
	memset(b, 0, sizeof(*b));
	b->kind = msg->body;
	b->remaining = msg->body == MDP_HTTP_BODY_LENGTH ? msg->content_length : 0;
	b->state = S_SIZE0;
	b->max_chunk_line = lim->max_chunk_line;
	b->max_trailer = lim->max_head;
	b->max_trailers = lim->max_headers;
	b->done = msg->body == MDP_HTTP_BODY_NONE ||
		  (msg->body == MDP_HTTP_BODY_LENGTH && b->remaining == 0);
}

/* One byte of chunk framing (not chunk data). Returns NONE, or an error. */
static enum mdp_http_err
frame_byte(struct mdp_http_body *b, unsigned char c)
{
	unsigned s = b->state;

	if (s < S_SIZE_LF) {
		if (c == '\n')
			return E(BARE_LF);
		if (c != '\r' && ++b->line > b->max_chunk_line)
			return E(CHUNK_LINE_TOO_LONG);
	} else if (s >= S_TR_LINE) {
		if (++b->line > b->max_trailer)
			return E(TRAILER_TOO_LARGE);
		if (c == '\n' && s != S_TR_LF && s != S_END_LF)
			return E(BARE_LF);
	}

	switch (s) {
	case S_SIZE0:
		if (!mdp_hc(c, MDP_HC_HEX))
			return E(CHUNK_SIZE);
		b->remaining = mdp_hc_hexval(c);
		b->state = S_SIZE;
		return E(NONE);
	case S_SIZE:
		if (mdp_hc(c, MDP_HC_HEX)) {
			/* at most 2^63 - 1, like a Content-Length */
			if (b->remaining >> 59)
				return E(CHUNK_SIZE_OVERFLOW);
			b->remaining = b->remaining << 4 | mdp_hc_hexval(c);
			return E(NONE);
		}
		if (c == ';')
			b->state = S_EXT_NAME0;
		else if (is_ows(c))
			b->state = S_EXT_BWS;
		else if (c == '\r')
			b->state = S_SIZE_LF;
		else
			return E(CHUNK_SIZE);
		return E(NONE);
	case S_EXT_BWS:
		if (c == ';')
			b->state = S_EXT_NAME0;
		else if (!is_ows(c))
			return E(CHUNK_EXT);
		return E(NONE);
	case S_EXT_NAME0:
		if (mdp_hc(c, MDP_HC_TOKEN))
			b->state = S_EXT_NAME;
		else if (!is_ows(c))
			return E(CHUNK_EXT);
		return E(NONE);
	case S_EXT_NAME:
	case S_EXT_NAME_BWS:
		if (s == S_EXT_NAME && mdp_hc(c, MDP_HC_TOKEN))
			return E(NONE);
		if (is_ows(c))
			b->state = S_EXT_NAME_BWS;
		else if (c == '=')
			b->state = S_EXT_VAL0;
		else if (c == ';')
			b->state = S_EXT_NAME0;
		else if (c == '\r' && s == S_EXT_NAME)
			b->state = S_SIZE_LF;
		else
			return E(CHUNK_EXT);
		return E(NONE);
	case S_EXT_VAL0:
		if (c == '"')
			b->state = S_EXT_QS;
		else if (mdp_hc(c, MDP_HC_TOKEN))
			b->state = S_EXT_VAL;
		else if (!is_ows(c))
			return E(CHUNK_EXT);
		return E(NONE);
	case S_EXT_VAL:
	case S_EXT_QEND:
		if (s == S_EXT_VAL && mdp_hc(c, MDP_HC_TOKEN))
			return E(NONE);
		if (is_ows(c))
			b->state = S_EXT_BWS;
		else if (c == ';')
			b->state = S_EXT_NAME0;
		else if (c == '\r')
			b->state = S_SIZE_LF;
		else
			return E(CHUNK_EXT);
		return E(NONE);
	case S_EXT_QS:
		if (c == '"')
			b->state = S_EXT_QEND;
		else if (c == '\\')
			b->state = S_EXT_QP;
		else if (!mdp_hc(c, MDP_HC_QDTEXT))
			return E(CHUNK_EXT);
		return E(NONE);
	case S_EXT_QP:
		if (!mdp_hc(c, MDP_HC_VALUE))
			return E(CHUNK_EXT);
		b->state = S_EXT_QS;
		return E(NONE);
	case S_SIZE_LF:
		if (c != '\n')
			return E(BARE_CR);
		b->line = 0;
		if (b->remaining == 0) {
			b->state = S_TR_LINE;	/* last-chunk */
		} else {
			b->state = S_DATA;
			b->chunks++;
		}
		return E(NONE);
	case S_DATA_CR:
		if (c != '\r')
			return E(CHUNK_CRLF);
		b->state = S_DATA_LF;
		return E(NONE);
	case S_DATA_LF:
		if (c != '\n')
			return E(CHUNK_CRLF);
		b->state = S_SIZE0;
		return E(NONE);
	case S_TR_LINE:
		if (c == '\r') {
			b->state = S_END_LF;
			return E(NONE);
		}
		if (is_ows(c))
			return E(OBS_FOLD);
		if (!mdp_hc(c, MDP_HC_TOKEN))
			return E(NAME);
		if (++b->n_trailers > b->max_trailers)
			return E(TRAILER_TOO_LARGE);
		b->name[0] = (char)c;
		b->name_len = 1;
		b->state = S_TR_NAME;
		return E(NONE);
	case S_TR_NAME:
		if (mdp_hc(c, MDP_HC_TOKEN)) {
			if (b->name_len < sizeof(b->name))
				b->name[b->name_len] = (char)c;
			if (b->name_len <= sizeof(b->name))
				b->name_len++;
			return E(NONE);
		}
		if (c != ':')
			return is_ows(c) ? E(WS_BEFORE_COLON) : E(NAME);
		/* RFC 9110 6.5.1: never framing or routing in trailers; a
		 * recipient that merges trailers would be misled */
		if (b->name_len <= sizeof(b->name)) {
			enum mdp_http_hdr id = mdp_http_header_id(b->name, b->name_len);

			if (id == MDP_HTTP_H_CONTENT_LENGTH || id == MDP_HTTP_H_TRANSFER_ENCODING ||
			    id == MDP_HTTP_H_HOST)
				return E(TRAILER_FORBIDDEN);
		}
		b->state = S_TR_VALUE;
		return E(NONE);
	case S_TR_VALUE:
		if (mdp_hc(c, MDP_HC_VALUE))
			return E(NONE);
		if (c != '\r')
			return c == '\0' ? E(VALUE_NUL) : E(VALUE_CTL);
		b->state = S_TR_LF;
		return E(NONE);
	case S_TR_LF:
	case S_END_LF:
		if (c != '\n')
			return E(BARE_CR);
		if (s == S_END_LF)
			b->done = true;
		else
			b->state = S_TR_LINE;
		return E(NONE);
	default:
		return E(CHUNK_SIZE);
	}
}

static int
fail(struct mdp_http_body *b, enum mdp_http_err e)
{
	b->err = e;
	return -(int)e;
}

int
mdp_http_body_feed(struct mdp_http_body *b, const char *p, size_t len,
		   struct mdp_http_span *spans, unsigned max_spans, unsigned *n_spans,
		   size_t *consumed)
{
	size_t i = 0, n;
	unsigned ns = 0;
	enum mdp_http_err e;
	int rc = 0;

	*n_spans = 0;
	*consumed = 0;
	if (b->err != E(NONE))
		return -(int)b->err;
	if (b->done)
		return 1;

	switch (b->kind) {
	case MDP_HTTP_BODY_UNTIL_CLOSE:
	case MDP_HTTP_BODY_LENGTH:
		n = len;
		if (b->kind == MDP_HTTP_BODY_LENGTH && n > b->remaining)
			n = (size_t)b->remaining;
		if (n == 0)
			return 0;
		if (spans != NULL) {
			if (max_spans == 0)
				return 0;
			spans[0].off = 0;
			spans[0].len = n;
			*n_spans = 1;
		}
		b->data += n;
		*consumed = n;
		if (b->kind == MDP_HTTP_BODY_LENGTH) {
			b->remaining -= n;
			b->done = b->remaining == 0;
		}
		return b->done;
	case MDP_HTTP_BODY_CHUNKED:
		break;
	default:
		return fail(b, E(CHUNK_SIZE));
	}

	while (i < len) {
		if (b->state == S_DATA) {
			n = len - i;
			if (n > b->remaining)
				n = (size_t)b->remaining;
			if (spans != NULL) {
				if (ns == max_spans)
					break;
				spans[ns].off = i;
				spans[ns].len = n;
				ns++;
			}
			b->data += n;
			b->remaining -= n;
			i += n;
			if (b->remaining == 0)
				b->state = S_DATA_CR;
			continue;
		}
		e = frame_byte(b, (unsigned char)p[i]);
		if (e != E(NONE)) {
			rc = fail(b, e);
			break;
		}
		i++;
		if (b->done) {
			rc = 1;
			break;
		}
	}
	*n_spans = ns;
	*consumed = i;
	return rc;
}

int
mdp_http_body_eof(struct mdp_http_body *b)
{
	if (b->err != E(NONE))
		return -(int)b->err;
	if (b->done)
		return 0;
	if (b->kind == MDP_HTTP_BODY_UNTIL_CLOSE) {
		b->done = true;
		return 0;
	}
	return fail(b, E(BODY_TRUNCATED));
}
