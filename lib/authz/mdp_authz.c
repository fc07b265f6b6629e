/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Istio AuthorizationPolicy: compile (control thread) and check (workers).
 *
 * A policy compiles to a flat program, one array per kind of node, linked
 * by index:
 *   policy -> rules[]                 any rule matches
 *   rule   -> from: clauses[] (OR), to: clauses[] (OR), when: one clause
 *   clause -> preds[]                 all hold (the fields of a source or
 *                                     an operation, the when conditions)
 *   pred   -> values[] (OR) of one attribute, maybe negated (not*)
 * Values are string matches, CIDRs or ports. Strings live in one pool and
 * are referred to by offset, so the arrays can grow while compiling.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/mdp_authz.h"
#include "http/mdp_http.h"
#include "http/mdp_http_chars.h"
#include "util/mdp_inet.h"

enum sm_kind {
	SM_EXACT,
	SM_PREFIX,	/* "abc*" */
	SM_SUFFIX,	/* "*abc" */
	SM_NONEMPTY,	/* "*": any non-empty value */
	SM_PRESENT,	/* "*" of a header: present, even empty */
};

struct sm {
	uint32_t off;	/* into pool */
	uint32_t len;
	uint8_t kind;
};

struct cidr {
	uint32_t net, mask;
};

/* The request attributes a predicate can test. HTTP-only ones come last. */
enum attr {
	AT_PRINCIPAL,
	AT_NAMESPACE,
	AT_SRC_IP,
	AT_DST_PORT,
	AT_SNI,
	AT_HOST,
	AT_METHOD,
	AT_PATH,
	AT_HEADER,
};
#define AT_FIRST_HTTP AT_HOST

struct pred {
	uint8_t attr;
	bool negate;
	uint16_t n;		/* values: sms[], cidrs[] or ports[] from first */
	uint32_t first;
	uint32_t hdr_off;	/* AT_HEADER: the lower-case name in pool */
	uint32_t hdr_len;
};

struct clause {
	uint32_t first, n;	/* preds */
};

struct rule {
	uint32_t from, n_from;	/* clauses; none: any source */
	uint32_t to, n_to;	/* clauses; none: any operation */
	uint32_t when;		/* one clause (maybe of no preds) */
	bool http;		/* uses an HTTP-only field */
};

/*
 * gate: when every rule of a policy needs one of a few exact principals
 * (the usual "ALLOW from principals [...]"), a 64-bit Bloom filter of them:
 * a request whose principal's bit is not in it skips the policy in one test
 * (see gate_bit()).
 */
struct policy {
	uint32_t name_off, ns_off;
	uint32_t rule, n_rules;
	uint8_t action;
	bool gated;
	uint64_t gate;
};

struct mdp_authz {
	struct policy *pol;
	uint32_t n_pol;
	uint32_t *order;	/* DENY policies, then ALLOW, then AUDIT */
	uint32_t n_deny, n_allow, n_audit;
	struct rule *rules;
	struct clause *clauses;
	struct pred *preds;
	struct sm *sms;
	struct cidr *cidrs;
	uint16_t *ports;
	char *pool;
	bool needs_http;
};

/* ------------------------------------------------------------------ */
/* Compiling                                                           */

/* One of 64 bits for an exact principal: its length and last 8 bytes
 * (where SPIFFE IDs of one mesh differ: the service account). */
static unsigned
gate_bit(const char *s, size_t n)
{
	uint64_t x = n;

	if (n >= 8) {
		uint64_t t;

		memcpy(&t, s + n - 8, 8);
		x ^= t;
	} else {
		for (size_t i = 0; i < n; i++)
			x = x * 31 + (unsigned char)s[i];
	}
	return (unsigned)((x * 0x9e3779b97f4a7c15ull) >> 58);
}

struct vec {
	void *p;
	uint32_t n, cap;
};

enum { V_POL, V_RULE, V_CLAUSE, V_PRED, V_SM, V_CIDR, V_PORT, V_POOL, V_MAX };

static const size_t vec_elem[V_MAX] = {
	sizeof(struct policy), sizeof(struct rule), sizeof(struct clause), sizeof(struct pred),
	sizeof(struct sm), sizeof(struct cidr), sizeof(uint16_t), 1,
};

struct cc {
	char *err;
	size_t errlen;
	bool failed;
	char path[512];
	size_t plen;
	struct vec v[V_MAX];
};

static void
path_set(struct cc *c, size_t at, int n)
{
	if (n < 0)
		n = 0;
	c->plen = at + (size_t)n < sizeof(c->path) ? at + (size_t)n : sizeof(c->path) - 1;
	c->path[c->plen] = '\0';
}

/* Descend into .key or [i]; returns the length to come back to. */
static size_t
into(struct cc *c, const char *key)
{
	size_t at = c->plen;

	path_set(c, at, snprintf(c->path + at, sizeof(c->path) - at, ".%s", key));
	return at;
}

static size_t
into_i(struct cc *c, size_t i)
{
	size_t at = c->plen;

	path_set(c, at, snprintf(c->path + at, sizeof(c->path) - at, "[%zu]", i));
	return at;
}

static void
back(struct cc *c, size_t at)
{
	c->plen = at;
	c->path[at] = '\0';
}

__attribute__((format(printf, 2, 3))) static int
bad(struct cc *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return -1;
	c->failed = true;
	if (c->err == NULL || c->errlen == 0)
		return -1;
	n = snprintf(c->err, c->errlen, "%s: ", c->path);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Room for k more elements of vector w; the index of the first, or -1. */
static int64_t
add(struct cc *c, int w, uint32_t k)
{
	struct vec *v = &c->v[w];

	if (v->n + (uint64_t)k > UINT32_MAX / 2)
		return bad(c, "too large");
	if (v->n + k > v->cap) {
		uint32_t cap = v->cap ? v->cap : 16;
		void *p;

		while (cap < v->n + k)
			cap *= 2;
		p = realloc(v->p, (size_t)cap * vec_elem[w]);
		if (p == NULL)
			return bad(c, "out of memory");
		memset((char *)p + (size_t)v->n * vec_elem[w], 0,
		       (size_t)(cap - v->n) * vec_elem[w]);
		v->p = p;
		v->cap = cap;
	}
	v->n += k;
	return (int64_t)(v->n - k);
}

#define AT(c, w, type, i) (&((type *)(c)->v[w].p)[i])

/* Copy s[0..n) into the pool, NUL-terminated; its offset, or -1. */
static int64_t
pool_add(struct cc *c, const char *s, size_t n, bool lower)
{
	int64_t o = add(c, V_POOL, (uint32_t)n + 1);
	char *d;

	if (o < 0)
		return -1;
	d = (char *)c->v[V_POOL].p + o;
	for (size_t i = 0; i < n; i++)
		d[i] = lower ? (char)tolower((unsigned char)s[i]) : s[i];
	d[n] = '\0';
	return o;
}

/* Every key of obj is in known (NULL-terminated). */
static int
only_keys(struct cc *c, const json_t *obj, const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		const char *const *k = known;

		while (*k != NULL && strcmp(*k, key) != 0)
			k++;
		if (*k == NULL) {
			into(c, key);
			return bad(c, "unknown field");
		}
	}
	return 0;
}

/* A non-empty string without NUL, at most MDP_AUTHZ_MAX_STR bytes. */
static int
text(struct cc *c, const json_t *v, const char **s, size_t *n)
{
	if (!json_is_string(v))
		return bad(c, "expected a string");
	*s = json_string_value(v);
	*n = json_string_length(v);
	if (strlen(*s) != *n)
		return bad(c, "NUL in string");
	if (*n == 0)
		return bad(c, "empty string");
	if (*n > MDP_AUTHZ_MAX_STR)
		return bad(c, "longer than %d bytes", MDP_AUTHZ_MAX_STR);
	return 0;
}

/* obj[key] as a string (path left at key on error); 0 absent, 1, -1. */
static int
text_field(struct cc *c, const json_t *obj, const char *key, bool required, const char **s,
	   size_t *n)
{
	const json_t *v = json_object_get(obj, key);
	size_t at;

	if (v == NULL) {
		if (!required)
			return 0;
		into(c, key);
		return bad(c, "missing required field");
	}
	at = into(c, key);
	if (text(c, v, s, n) < 0)
		return -1;
	back(c, at);
	return 1;
}

/* obj[key] as an array of at most MDP_AUTHZ_MAX_ITEMS; NULL when absent. */
static int
list_field(struct cc *c, const json_t *obj, const char *key, const json_t **out)
{
	const json_t *v = json_object_get(obj, key);
	size_t at;

	*out = NULL;
	if (v == NULL)
		return 0;
	at = into(c, key);
	if (!json_is_array(v))
		return bad(c, "expected an array");
	if (json_array_size(v) > MDP_AUTHZ_MAX_ITEMS)
		return bad(c, "%zu entries, at most %d", json_array_size(v), MDP_AUTHZ_MAX_ITEMS);
	back(c, at);
	*out = v;
	return 1;
}

static const char spiffe[] = "spiffe://";
#define SPIFFE_LEN (sizeof(spiffe) - 1)

/* A string value with Istio's match forms. */
static int
value_sm(struct cc *c, enum attr at, const char *s, size_t n, struct sm *m)
{
	int64_t o;

	if (at == AT_PRINCIPAL && n >= SPIFFE_LEN && memcmp(s, spiffe, SPIFFE_LEN) == 0) {
		s += SPIFFE_LEN;
		n -= SPIFFE_LEN;
		if (n == 0)
			return bad(c, "a principal after 'spiffe://' is needed");
	}
	if (n == 1 && s[0] == '*') {
		m->kind = at == AT_HEADER ? SM_PRESENT : SM_NONEMPTY;
	} else if (s[0] == '*') {
		m->kind = SM_SUFFIX;
		s++;
		n--;
	} else if (s[n - 1] == '*') {
		m->kind = SM_PREFIX;
		n--;
	} else {
		m->kind = SM_EXACT;
	}
	o = pool_add(c, s, n, at == AT_HOST);
	if (o < 0)
		return -1;
	m->off = (uint32_t)o;
	m->len = (uint32_t)n;
	return 0;
}

/*
 * A policy path must be able to match a normalized path: what normalization
 * would change (dot-segments, "//", encodings, a query) would never match,
 * and a DENY on it would silently deny nothing.
 */
static int
check_path(struct cc *c, const char *s, size_t n, const struct sm *m)
{
	char in[MDP_AUTHZ_MAX_STR + 3], out[MDP_AUTHZ_MAX_STR + 3];
	size_t k = 0, olen;
	const char *v = s;

	if (memchr(s, '{', n) != NULL)
		return bad(c, "'%s': path templates ({*}, {**}) are not supported", s);
	if (m->kind == SM_NONEMPTY)
		return 0;
	if (m->kind == SM_SUFFIX) {
		/* judge the suffix as the end of some path */
		in[k++] = '/';
		in[k++] = 'x';
		v = s + 1;
	} else if (s[0] != '/') {
		return bad(c, "'%s' must start with '/' (or '*')", s);
	}
	memcpy(in + k, v, strlen(v));
	k += strlen(v) - (m->kind == SM_PREFIX);
	if (mdp_http_path_normalize(in, k, out, sizeof(out), &olen) < 0)
		return bad(c, "'%s' is not a valid request path", s);
	if (olen != k || memcmp(in, out, k) != 0)
		return bad(c, "'%s' is not normalized (requests are matched on their normalized "
			   "path, docs/http.md): it would never match", s);
	return 0;
}

static int
value_cidr(struct cc *c, const char *s, struct cidr *out)
{
	uint32_t a;
	uint8_t len = 32;

	if (strchr(s, ':') != NULL)
		return bad(c, "'%s': IPv6 is not supported (IPv4 addresses and CIDRs only)", s);
	if (strchr(s, '/') != NULL ? mdp_ipv4_prefix_parse(s, &a, &len) < 0
				   : mdp_ipv4_parse(s, &a) < 0)
		return bad(c, "'%s' is not an IPv4 address or CIDR", s);
	out->mask = mdp_ipv4_mask(len);
	out->net = a & out->mask;	/* host bits are ignored, as in Istio */
	return 0;
}

/* A port: an integer, or a string of digits (Istio's form). */
static int
value_port(struct cc *c, const json_t *v, uint16_t *out)
{
	long long p = -1;

	if (json_is_integer(v)) {
		p = json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);

		if (n >= 1 && n <= 5 && strspn(s, "0123456789") == n)
			p = strtoll(s, NULL, 10);
		else
			return bad(c, "'%s' is not a port (1..65535)", s);
	} else {
		return bad(c, "expected a port (a string or an integer)");
	}
	if (p < 1 || p > 65535)
		return bad(c, "%lld is not a port (1..65535)", p);
	*out = (uint16_t)p;
	return 0;
}

/*
 * The values of list (an array) as one predicate on attr; hdr is the header
 * name for AT_HEADER. An empty list adds nothing (as an unset field).
 */
static int
add_pred(struct cc *c, const json_t *list, enum attr at, bool negate, const char *hdr,
	 size_t hdr_len)
{
	size_t n = json_array_size(list), i;
	int w = at == AT_SRC_IP ? V_CIDR : at == AT_DST_PORT ? V_PORT : V_SM;
	int64_t p, first;
	const json_t *v;

	if (n == 0)
		return 0;
	p = add(c, V_PRED, 1);
	first = p < 0 ? -1 : add(c, w, (uint32_t)n);
	if (first < 0)
		return -1;
	*AT(c, V_PRED, struct pred, p) = (struct pred){
		.attr = (uint8_t)at, .negate = negate, .n = (uint16_t)n, .first = (uint32_t)first,
	};
	if (at == AT_HEADER) {
		int64_t o = pool_add(c, hdr, hdr_len, true);

		if (o < 0)
			return -1;
		AT(c, V_PRED, struct pred, p)->hdr_off = (uint32_t)o;
		AT(c, V_PRED, struct pred, p)->hdr_len = (uint32_t)hdr_len;
	}
	json_array_foreach((json_t *)list, i, v) {
		size_t at_i = into_i(c, i), len = 0;
		const char *s = NULL;

		if (w == V_PORT) {
			if (value_port(c, v, AT(c, V_PORT, uint16_t, first + (int64_t)i)) < 0)
				return -1;
		} else {
			if (text(c, v, &s, &len) < 0)
				return -1;
			if (w == V_CIDR) {
				if (value_cidr(c, s, AT(c, V_CIDR, struct cidr, first + (int64_t)i)) < 0)
					return -1;
			} else {
				struct sm *m = AT(c, V_SM, struct sm, first + (int64_t)i);

				if (value_sm(c, at, s, len, m) < 0)
					return -1;
				if (at == AT_PATH && check_path(c, s, len, m) < 0)
					return -1;
			}
		}
		back(c, at_i);
	}
	return 0;
}

struct field {
	const char *key;
	enum attr at;
	bool negate;
};

/* The fields of obj as the predicates of one clause; how many were set. */
static int64_t
add_fields(struct cc *c, const json_t *obj, const struct field *f)
{
	uint32_t before = c->v[V_PRED].n;

	for (; f->key != NULL; f++) {
		const json_t *list;
		size_t at = c->plen;

		if (list_field(c, obj, f->key, &list) < 0)
			return -1;
		if (list == NULL)
			continue;
		into(c, f->key);
		if (add_pred(c, list, f->at, f->negate, NULL, 0) < 0)
			return -1;
		back(c, at);
	}
	return c->v[V_PRED].n - before;
}

static const struct field source_fields[] = {
	{ "principals", AT_PRINCIPAL, false },
	{ "notPrincipals", AT_PRINCIPAL, true },
	{ "namespaces", AT_NAMESPACE, false },
	{ "notNamespaces", AT_NAMESPACE, true },
	{ "ipBlocks", AT_SRC_IP, false },
	{ "notIpBlocks", AT_SRC_IP, true },
	/* no proxy protocol and no trusted X-Forwarded-For: the remote
	 * address is the source address */
	{ "remoteIpBlocks", AT_SRC_IP, false },
	{ "notRemoteIpBlocks", AT_SRC_IP, true },
	{ NULL, 0, false },
};

static const char *const source_known[] = {
	"principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals", "namespaces",
	"notNamespaces", "ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks", NULL,
};

static const struct field operation_fields[] = {
	{ "hosts", AT_HOST, false },
	{ "notHosts", AT_HOST, true },
	{ "ports", AT_DST_PORT, false },
	{ "notPorts", AT_DST_PORT, true },
	{ "methods", AT_METHOD, false },
	{ "notMethods", AT_METHOD, true },
	{ "paths", AT_PATH, false },
	{ "notPaths", AT_PATH, true },
	{ NULL, 0, false },
};

static const char *const operation_known[] = {
	"hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths",
	NULL,
};

/*
 * from[] (which "source") or to[] (which "operation"): one clause each,
 * stored one after the other. *first and *n say where.
 */
static int
add_alternatives(struct cc *c, const json_t *rule, const char *key, const char *inner,
		 const char *const *known, const struct field *fields, uint32_t *first,
		 uint32_t *n)
{
	const char *const wrap[] = { inner, NULL };
	const json_t *list, *e;
	size_t i, at = c->plen;

	*n = 0;
	*first = c->v[V_CLAUSE].n;
	if (list_field(c, rule, key, &list) < 0)
		return -1;
	if (list == NULL)
		return 0;
	into(c, key);
	if (json_array_size(list) == 0)
		return bad(c, "must not be empty (leave it out to match any %s)", inner);
	json_array_foreach((json_t *)list, i, e) {
		const json_t *o = json_object_get(e, inner);
		size_t at_i = into_i(c, i), at_o;
		struct clause *cl;
		int64_t k, np;

		if (!json_is_object(e))
			return bad(c, "expected an object");
		if (only_keys(c, e, wrap) < 0)
			return -1;
		at_o = into(c, inner);
		if (o == NULL)
			return bad(c, "missing required field");
		if (!json_is_object(o))
			return bad(c, "expected an object");
		if (only_keys(c, o, known) < 0)
			return -1;
		if (json_object_get(o, "requestPrincipals") != NULL ||
		    json_object_get(o, "notRequestPrincipals") != NULL) {
			into(c, json_object_get(o, "requestPrincipals") != NULL ?
				"requestPrincipals" : "notRequestPrincipals");
			return bad(c, "request principals (JWT, RequestAuthentication) are not "
				   "supported");
		}
		k = add(c, V_CLAUSE, 1);
		if (k < 0)
			return -1;
		AT(c, V_CLAUSE, struct clause, k)->first = c->v[V_PRED].n;
		np = add_fields(c, o, fields);
		if (np < 0)
			return -1;
		if (np == 0)
			return bad(c, "must not be empty (no field is set)");
		cl = AT(c, V_CLAUSE, struct clause, k);
		cl->n = (uint32_t)np;
		back(c, at_o);
		back(c, at_i);
	}
	*n = (uint32_t)json_array_size(list);
	back(c, at);
	return 0;
}

struct when_key {
	const char *key;
	enum attr at;
};

static const struct when_key when_keys[] = {
	{ "source.ip", AT_SRC_IP },
	{ "remote.ip", AT_SRC_IP },
	{ "source.namespace", AT_NAMESPACE },
	{ "source.principal", AT_PRINCIPAL },
	{ "destination.port", AT_DST_PORT },
	{ "connection.sni", AT_SNI },
	{ NULL, 0 },
};

/* One when[] condition: a predicate for values, one for notValues. */
static int
add_condition(struct cc *c, const json_t *cond)
{
	static const char *const known[] = { "key", "values", "notValues", NULL };
	static const char hdr_pfx[] = "request.headers[";
	const json_t *vals, *nots;
	const char *key, *hdr = NULL;
	size_t klen, hlen = 0, at;
	enum attr attr = AT_HEADER;

	if (!json_is_object(cond))
		return bad(c, "expected an object");
	if (only_keys(c, cond, known) < 0 || text_field(c, cond, "key", true, &key, &klen) < 0 ||
	    list_field(c, cond, "values", &vals) < 0 || list_field(c, cond, "notValues", &nots) < 0)
		return -1;
	if (klen > sizeof(hdr_pfx) - 1 && memcmp(key, hdr_pfx, sizeof(hdr_pfx) - 1) == 0 &&
	    key[klen - 1] == ']') {
		hdr = key + sizeof(hdr_pfx) - 1;
		hlen = klen - sizeof(hdr_pfx);
		for (size_t i = 0; i < hlen; i++)
			if (!mdp_hc((unsigned char)hdr[i], MDP_HC_TOKEN)) {
				into(c, "key");
				return bad(c, "'%s': not a header name", key);
			}
		if (hlen == 0) {
			into(c, "key");
			return bad(c, "'%s': not a header name", key);
		}
	} else {
		const struct when_key *w = when_keys;

		while (w->key != NULL && strcmp(w->key, key) != 0)
			w++;
		if (w->key == NULL) {
			into(c, "key");
			if (strncmp(key, "request.auth.", 13) == 0)
				return bad(c, "'%s': JWT claims (RequestAuthentication) are not "
					   "supported", key);
			return bad(c, "'%s' is not supported (request.headers[NAME], source.ip, "
				   "remote.ip, source.namespace, source.principal, "
				   "destination.port, connection.sni)", key);
		}
		attr = w->at;
	}
	if (json_array_size(vals) == 0 && json_array_size(nots) == 0)
		return bad(c, "needs values or notValues");
	at = c->plen;
	if (vals != NULL) {
		into(c, "values");
		if (add_pred(c, vals, attr, false, hdr, hlen) < 0)
			return -1;
		back(c, at);
	}
	if (nots != NULL) {
		into(c, "notValues");
		if (add_pred(c, nots, attr, true, hdr, hlen) < 0)
			return -1;
		back(c, at);
	}
	return 0;
}

static bool
clauses_http(struct cc *c, uint32_t first, uint32_t n)
{
	for (uint32_t k = first; k < first + n; k++) {
		const struct clause *cl = AT(c, V_CLAUSE, struct clause, k);

		for (uint32_t p = cl->first; p < cl->first + cl->n; p++)
			if (AT(c, V_PRED, struct pred, p)->attr >= AT_FIRST_HTTP)
				return true;
	}
	return false;
}

static int
add_rule(struct cc *c, const json_t *r, uint32_t ri)
{
	static const char *const known[] = { "from", "to", "when", NULL };
	struct rule ru = { 0 };
	const json_t *when, *e;
	int64_t k;
	size_t i, at;

	if (!json_is_object(r))
		return bad(c, "expected an object");
	if (only_keys(c, r, known) < 0 ||
	    add_alternatives(c, r, "from", "source", source_known, source_fields, &ru.from,
			     &ru.n_from) < 0 ||
	    add_alternatives(c, r, "to", "operation", operation_known, operation_fields, &ru.to,
			     &ru.n_to) < 0 ||
	    list_field(c, r, "when", &when) < 0)
		return -1;
	k = add(c, V_CLAUSE, 1);
	if (k < 0)
		return -1;
	ru.when = (uint32_t)k;
	AT(c, V_CLAUSE, struct clause, k)->first = c->v[V_PRED].n;
	at = into(c, "when");
	json_array_foreach((json_t *)when, i, e) {
		size_t at_i = into_i(c, i);

		if (add_condition(c, e) < 0)
			return -1;
		back(c, at_i);
	}
	back(c, at);
	AT(c, V_CLAUSE, struct clause, k)->n = c->v[V_PRED].n -
					       AT(c, V_CLAUSE, struct clause, k)->first;
	ru.http = clauses_http(c, ru.to, ru.n_to) || clauses_http(c, ru.when, 1);
	*AT(c, V_RULE, struct rule, ri) = ru;
	return 0;
}

static int
action_of(struct cc *c, const json_t *spec, uint8_t *act)
{
	const json_t *prov = json_object_get(spec, "provider");
	const char *s;
	size_t n, at;
	int rc = text_field(c, spec, "action", false, &s, &n);

	*act = MDP_AUTHZ_ACT_ALLOW;
	if (rc < 0)
		return -1;
	at = into(c, "action");
	if (rc > 0) {
		if (strcmp(s, "CUSTOM") == 0)
			return bad(c, "CUSTOM (an external authorizer) is not supported");
		if (strcmp(s, "DENY") == 0)
			*act = MDP_AUTHZ_ACT_DENY;
		else if (strcmp(s, "AUDIT") == 0)
			*act = MDP_AUTHZ_ACT_AUDIT;
		else if (strcmp(s, "ALLOW") != 0)
			return bad(c, "'%s' is not an action (ALLOW, DENY, AUDIT)", s);
	}
	back(c, at);
	if (prov != NULL) {
		into(c, "provider");
		return bad(c, "only for action CUSTOM, which is not supported");
	}
	return 0;
}

/* selector: { matchLabels: { label: value } }, accepted and ignored. */
static int
check_selector(struct cc *c, const json_t *spec)
{
	static const char *const known[] = { "matchLabels", NULL };
	const json_t *sel = json_object_get(spec, "selector"), *ml, *v;
	const char *key;
	size_t at;

	if (sel == NULL)
		return 0;
	at = into(c, "selector");
	if (!json_is_object(sel))
		return bad(c, "expected an object");
	if (only_keys(c, sel, known) < 0)
		return -1;
	ml = json_object_get(sel, "matchLabels");
	if (ml != NULL) {
		into(c, "matchLabels");
		if (!json_is_object(ml))
			return bad(c, "expected an object");
		json_object_foreach((json_t *)ml, key, v) {
			if (!json_is_string(v)) {
				into(c, key);
				return bad(c, "expected a string");
			}
		}
	}
	back(c, at);
	return 0;
}

/* The spec part (flat: with name and namespace around it). */
static int
add_spec(struct cc *c, const json_t *spec, struct policy *pol, bool flat)
{
	static const char *const known_flat[] = {
		"name", "namespace", "selector", "action", "rules", "provider", "targetRef",
		"targetRefs", NULL,
	};
	const json_t *rules, *r;
	int64_t first;
	size_t i, at;

	if (!json_is_object(spec))
		return bad(c, "expected an object");
	if (only_keys(c, spec, known_flat + (flat ? 0 : 2)) < 0)
		return -1;
	if (json_object_get(spec, "targetRef") != NULL || json_object_get(spec, "targetRefs")) {
		into(c, json_object_get(spec, "targetRef") != NULL ? "targetRef" : "targetRefs");
		return bad(c, "policies for a Gateway are not supported (meshdp applies them to "
			   "its inbound listeners)");
	}
	if (check_selector(c, spec) < 0 || action_of(c, spec, &pol->action) < 0 ||
	    list_field(c, spec, "rules", &rules) < 0)
		return -1;
	if (json_array_size(rules) > MDP_AUTHZ_MAX_RULES) {
		into(c, "rules");
		return bad(c, "%zu rules, at most %d", json_array_size(rules),
			   MDP_AUTHZ_MAX_RULES);
	}
	first = add(c, V_RULE, (uint32_t)json_array_size(rules));
	if (first < 0)
		return -1;
	pol->rule = (uint32_t)first;
	pol->n_rules = (uint32_t)json_array_size(rules);
	at = into(c, "rules");
	json_array_foreach((json_t *)rules, i, r) {
		size_t at_i = into_i(c, i);

		if (add_rule(c, r, (uint32_t)first + (uint32_t)i) < 0)
			return -1;
		back(c, at_i);
	}
	back(c, at);
	return 0;
}

static bool
is_resource(const json_t *p)
{
	return json_object_get(p, "apiVersion") != NULL || json_object_get(p, "kind") != NULL ||
	       json_object_get(p, "metadata") != NULL || json_object_get(p, "spec") != NULL;
}

static int
name_of(struct cc *c, const json_t *obj, struct policy *pol)
{
	const char *s;
	size_t n;
	int64_t o;
	int rc;

	if (text_field(c, obj, "name", true, &s, &n) < 0)
		return -1;
	if (n > 253) {
		into(c, "name");
		return bad(c, "longer than 253 characters");
	}
	o = pool_add(c, s, n, false);
	if (o < 0)
		return -1;
	pol->name_off = (uint32_t)o;
	rc = text_field(c, obj, "namespace", false, &s, &n);
	if (rc < 0)
		return -1;
	o = pool_add(c, rc > 0 ? s : "", rc > 0 ? n : 0, false);
	if (o < 0)
		return -1;
	pol->ns_off = (uint32_t)o;
	return 0;
}

/* A Kubernetes resource: its envelope, then its spec. */
static int
add_resource(struct cc *c, const json_t *p, struct policy *pol)
{
	static const char *const known[] = {
		"apiVersion", "kind", "metadata", "spec", "status", NULL,
	};
	const json_t *md = json_object_get(p, "metadata"), *spec = json_object_get(p, "spec");
	const json_t *ann;
	const char *s;
	size_t n, at = c->plen;

	if (only_keys(c, p, known) < 0 || text_field(c, p, "apiVersion", true, &s, &n) < 0)
		return -1;
	if (strcmp(s, "security.istio.io/v1") != 0 && strcmp(s, "security.istio.io/v1beta1") != 0) {
		into(c, "apiVersion");
		return bad(c, "'%s': expected security.istio.io/v1 or security.istio.io/v1beta1",
			   s);
	}
	if (text_field(c, p, "kind", true, &s, &n) < 0)
		return -1;
	if (strcmp(s, "AuthorizationPolicy") != 0) {
		into(c, "kind");
		return bad(c, "'%s': expected AuthorizationPolicy", s);
	}
	into(c, "metadata");
	if (md == NULL)
		return bad(c, "missing required field");
	if (!json_is_object(md))
		return bad(c, "expected an object");
	if (name_of(c, md, pol) < 0)
		return -1;
	ann = json_object_get(md, "annotations");
	if (json_is_object(ann) && json_object_get(ann, "istio.io/dry-run") != NULL) {
		into(c, "annotations");
		into(c, "istio.io/dry-run");
		return bad(c, "dry-run policies are not supported");
	}
	back(c, at);
	if (spec == NULL)
		return 0;	/* spec: {} */
	into(c, "spec");
	if (add_spec(c, spec, pol, false) < 0)
		return -1;
	back(c, at);
	return 0;
}

static int
add_policy(struct cc *c, const json_t *p, uint32_t pi)
{
	struct policy pol = { 0 };

	if (!json_is_object(p))
		return bad(c, "expected an object");
	if (is_resource(p) ? add_resource(c, p, &pol) < 0
			   : name_of(c, p, &pol) < 0 || add_spec(c, p, &pol, true) < 0)
		return -1;
	for (uint32_t j = 0; j < pi; j++) {
		const char *pool = c->v[V_POOL].p;

		if (strcmp(pool + AT(c, V_POL, struct policy, j)->name_off,
			   pool + pol.name_off) == 0) {
			into(c, is_resource(p) ? "metadata" : "name");
			if (is_resource(p))
				into(c, "name");
			return bad(c, "'%s' is also the name of authorization_policies[%u]",
				   pool + pol.name_off, j);
		}
	}
	*AT(c, V_POL, struct policy, pi) = pol;
	return 0;
}

/* A clause's positive principal predicate of exact values only, or NULL. */
static const struct pred *
exact_principals(const struct mdp_authz *a, const struct clause *cl)
{
	for (uint32_t i = cl->first; i < cl->first + cl->n; i++) {
		const struct pred *p = &a->preds[i];
		bool exact = p->attr == AT_PRINCIPAL && !p->negate;

		for (uint32_t k = p->first; exact && k < p->first + p->n; k++)
			exact = a->sms[k].kind == SM_EXACT;
		if (exact)
			return p;
	}
	return NULL;
}

/* A policy is gated when each of its rules has sources and each source
 * names exact principals: no other principal (and no plaintext) can match. */
static void
set_gate(const struct mdp_authz *a, struct policy *pol)
{
	uint64_t gate = 0;

	for (uint32_t i = pol->rule; i < pol->rule + pol->n_rules; i++) {
		const struct rule *ru = &a->rules[i];

		if (ru->n_from == 0)
			return;
		for (uint32_t k = ru->from; k < ru->from + ru->n_from; k++) {
			const struct pred *p = exact_principals(a, &a->clauses[k]);

			if (p == NULL)
				return;
			for (uint32_t v = p->first; v < p->first + p->n; v++)
				gate |= 1ull << gate_bit(a->pool + a->sms[v].off, a->sms[v].len);
		}
	}
	pol->gated = true;
	pol->gate = gate;
}

static void
cc_release(struct cc *c)
{
	for (int w = 0; w < V_MAX; w++)
		free(c->v[w].p);
}

struct mdp_authz *
mdp_authz_compile(const json_t *policies, char *err, size_t errlen)
{
	struct cc c = { .err = err, .errlen = errlen };
	struct mdp_authz *a = NULL;
	const json_t *p;
	size_t i;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	path_set(&c, 0, snprintf(c.path, sizeof(c.path), "authorization_policies"));
	if (policies != NULL && !json_is_array(policies)) {
		bad(&c, "expected an array");
		goto fail;
	}
	if (json_array_size(policies) > MDP_AUTHZ_MAX_POLICIES) {
		bad(&c, "%zu policies, at most %d", json_array_size(policies),
		    MDP_AUTHZ_MAX_POLICIES);
		goto fail;
	}
	/* the pool is never empty: offset 0 may be used by anything */
	if (add(&c, V_POL, (uint32_t)json_array_size(policies)) < 0 ||
	    pool_add(&c, "", 0, false) < 0)
		goto fail;
	json_array_foreach((json_t *)policies, i, p) {
		size_t at = into_i(&c, i);

		if (add_policy(&c, p, (uint32_t)i) < 0)
			goto fail;
		back(&c, at);
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL || (a->order = calloc(c.v[V_POL].n + 1, sizeof(*a->order))) == NULL) {
		bad(&c, "out of memory");
		goto fail;
	}
	a->n_pol = c.v[V_POL].n;
	a->pol = c.v[V_POL].p;
	a->rules = c.v[V_RULE].p;
	a->clauses = c.v[V_CLAUSE].p;
	a->preds = c.v[V_PRED].p;
	a->sms = c.v[V_SM].p;
	a->cidrs = c.v[V_CIDR].p;
	a->ports = c.v[V_PORT].p;
	a->pool = c.v[V_POOL].p;
	for (uint32_t r = 0; r < c.v[V_RULE].n; r++)
		a->needs_http = a->needs_http || a->rules[r].http;
	for (uint32_t j = 0; j < a->n_pol; j++)
		set_gate(a, &a->pol[j]);
	for (uint32_t j = 0; j < a->n_pol; j++)
		if (a->pol[j].action == MDP_AUTHZ_ACT_DENY)
			a->order[a->n_deny++] = j;
	for (uint32_t j = 0; j < a->n_pol; j++)
		if (a->pol[j].action == MDP_AUTHZ_ACT_ALLOW)
			a->order[a->n_deny + a->n_allow++] = j;
	for (uint32_t j = 0; j < a->n_pol; j++)
		if (a->pol[j].action == MDP_AUTHZ_ACT_AUDIT)
			a->order[a->n_deny + a->n_allow + a->n_audit++] = j;
	return a;
fail:
	if (a != NULL)
		free(a->order);
	free(a);
	cc_release(&c);
	return NULL;
}

void
mdp_authz_free(struct mdp_authz *a)
{
	if (a == NULL)
		return;
	free(a->pol);
	free(a->order);
	free(a->rules);
	free(a->clauses);
	free(a->preds);
	free(a->sms);
	free(a->cidrs);
	free(a->ports);
	free(a->pool);
	free(a);
}

int
mdp_authz_flatten(const json_t *policies, json_t **out)
{
	json_t *arr, *p;
	size_t i;
	bool any = false;

	*out = NULL;
	json_array_foreach((json_t *)policies, i, p)
		any = any || (json_is_object(p) && is_resource(p));
	if (!any)
		return 0;
	arr = json_array();
	if (arr == NULL)
		return -ENOMEM;
	json_array_foreach((json_t *)policies, i, p) {
		json_t *md = json_object_get(p, "metadata"), *spec = json_object_get(p, "spec");
		json_t *f;

		if (!json_is_object(p) || !is_resource(p)) {
			if (json_array_append(arr, p) < 0)
				goto oom;
			continue;
		}
		f = json_object();
		if (f == NULL || json_array_append_new(arr, f) < 0 ||
		    json_object_set(f, "name", json_object_get(md, "name")) < 0 ||
		    (json_object_get(md, "namespace") != NULL &&
		     json_object_set(f, "namespace", json_object_get(md, "namespace")) < 0) ||
		    (json_is_object(spec) && json_object_update(f, spec) < 0))
			goto oom;
	}
	*out = arr;
	return 0;
oom:
	json_decref(arr);
	return -ENOMEM;
}

/* ------------------------------------------------------------------ */
/* Checking (workers)                                                  */

struct ectx {
	const struct mdp_authz_req *r;
	const char *pr;		/* principal without "spiffe://"; NULL: none */
	size_t pr_len;
	uint64_t gate;		/* its bit for policy gates; 0: none */
	const char *ns;		/* its namespace; NULL: none */
	size_t ns_len;
	bool ns_done;
};

static bool
sm_match(const char *pool, const struct sm *m, const char *v, size_t n, bool icase)
{
	const char *s = pool + m->off;

	if (v == NULL)
		return false;
	switch (m->kind) {
	case SM_PRESENT:
		return true;
	case SM_NONEMPTY:
		return n > 0;
	case SM_PREFIX:
		break;
	case SM_SUFFIX:
		if (n < m->len)
			return false;
		v += n - m->len;
		n = m->len;
		break;
	default:
		if (n != m->len)
			return false;
		/* identities and paths of one mesh share long prefixes
		 * ("cluster.local/ns/prod/sa/..."): compare the end first */
		if (n >= 8) {
			uint64_t x, y;

			memcpy(&x, v + n - 8, 8);
			memcpy(&y, s + n - 8, 8);
			if (x != y && !icase)
				return false;
		}
	}
	if (n < m->len)
		return false;
	if (!icase)
		return memcmp(v, s, m->len) == 0;
	for (uint32_t i = 0; i < m->len; i++)	/* s is lower case */
		if (tolower((unsigned char)v[i]) != s[i])
			return false;
	return true;
}

/*
 * The namespace of td/ns/NS/sa/SA: the segment after the first "ns"
 * segment, itself followed by '/' (Istio matches ".../ns/NS/...").
 */
static void
find_ns(struct ectx *x)
{
	const char *e, *s;

	x->ns_done = true;
	if (x->pr == NULL)
		return;
	e = x->pr + x->pr_len;
	s = memchr(x->pr, '/', x->pr_len);
	while (s != NULL) {
		const char *seg = s + 1, *end = memchr(seg, '/', (size_t)(e - seg));

		if (end == NULL)
			return;
		if (end - seg == 2 && seg[0] == 'n' && seg[1] == 's') {
			const char *ns = end + 1, *ne = memchr(ns, '/', (size_t)(e - ns));

			if (ne != NULL && ne > ns) {
				x->ns = ns;
				x->ns_len = (size_t)(ne - ns);
			}
			return;
		}
		s = end;
	}
}

static bool
any_sm(const struct mdp_authz *a, const struct pred *p, const char *v, size_t n, bool icase)
{
	for (uint32_t i = p->first; i < p->first + p->n; i++)
		if (sm_match(a->pool, &a->sms[i], v, n, icase))
			return true;
	return false;
}

static bool
pred_holds(const struct mdp_authz *a, const struct pred *p, struct ectx *x)
{
	const struct mdp_authz_req *r = x->r;
	const char *v = NULL;
	size_t n = 0;
	bool m = false;

	switch (p->attr) {
	case AT_PRINCIPAL:
		m = any_sm(a, p, x->pr, x->pr_len, false);
		break;
	case AT_NAMESPACE:
		if (!x->ns_done)
			find_ns(x);
		m = any_sm(a, p, x->ns, x->ns_len, false);
		break;
	case AT_SRC_IP:
		for (uint32_t i = p->first; i < p->first + p->n && !m; i++)
			m = (r->src_ip & a->cidrs[i].mask) == a->cidrs[i].net;
		break;
	case AT_DST_PORT:
		for (uint32_t i = p->first; i < p->first + p->n && !m; i++)
			m = a->ports[i] == r->dst_port;
		break;
	case AT_SNI:
		m = any_sm(a, p, r->sni, r->sni_len, false);
		break;
	case AT_HOST:
		m = any_sm(a, p, r->host, r->host_len, true);
		break;
	case AT_METHOD:
		m = any_sm(a, p, r->method, r->method_len, false);
		break;
	case AT_PATH:
		m = any_sm(a, p, r->path, r->path_len, false);
		break;
	case AT_HEADER:
		if (r->header == NULL ||
		    r->header(r->header_arg, a->pool + p->hdr_off, p->hdr_len, &v, &n) <= 0)
			v = NULL;
		else if (v == NULL)
			v = "";
		m = any_sm(a, p, v, n, false);
		break;
	}
	return m != p->negate;
}

/* All predicates of a clause hold; on TCP the HTTP-only ones are left out. */
static bool
clause_holds(const struct mdp_authz *a, const struct clause *cl, struct ectx *x)
{
	for (uint32_t i = cl->first; i < cl->first + cl->n; i++) {
		const struct pred *p = &a->preds[i];

		if (!x->r->http && p->attr >= AT_FIRST_HTTP)
			continue;
		if (!pred_holds(a, p, x))
			return false;
	}
	return true;
}

static bool
any_clause(const struct mdp_authz *a, uint32_t first, uint32_t n, struct ectx *x)
{
	if (n == 0)
		return true;
	for (uint32_t k = first; k < first + n; k++)
		if (clause_holds(a, &a->clauses[k], x))
			return true;
	return false;
}

static bool
policy_matches(const struct mdp_authz *a, const struct policy *pol, struct ectx *x)
{
	if (pol->gated && (pol->gate & x->gate) == 0)
		return false;
	for (uint32_t i = pol->rule; i < pol->rule + pol->n_rules; i++) {
		const struct rule *ru = &a->rules[i];

		/* Istio: on TCP an ALLOW rule with HTTP-only fields is dropped
		 * whole; DENY and AUDIT rules only lose those fields */
		if (!x->r->http && ru->http && pol->action == MDP_AUTHZ_ACT_ALLOW)
			continue;
		if (any_clause(a, ru->from, ru->n_from, x) && any_clause(a, ru->to, ru->n_to, x) &&
		    clause_holds(a, &a->clauses[ru->when], x))
			return true;
	}
	return false;
}

static void
ectx_init(struct ectx *x, const struct mdp_authz_req *r)
{
	memset(x, 0, sizeof(*x));
	x->r = r;
	if (r->principal != NULL && r->principal_len > 0) {
		x->pr = r->principal;
		x->pr_len = r->principal_len;
		if (x->pr_len >= SPIFFE_LEN && memcmp(x->pr, spiffe, SPIFFE_LEN) == 0) {
			x->pr += SPIFFE_LEN;
			x->pr_len -= SPIFFE_LEN;
		}
		x->gate = 1ull << gate_bit(x->pr, x->pr_len);
	}
}

static int
first_match(const struct mdp_authz *a, uint32_t from, uint32_t n, struct ectx *x)
{
	for (uint32_t i = from; i < from + n; i++)
		if (policy_matches(a, &a->pol[a->order[i]], x))
			return (int)a->order[i];
	return -1;
}

enum mdp_authz_verdict
mdp_authz_check(const struct mdp_authz *a, const struct mdp_authz_req *r, int *policy_index)
{
	struct ectx x;
	int k;

	if (policy_index != NULL)
		*policy_index = -1;
	if (a == NULL)
		return MDP_AUTHZ_ALLOW;
	ectx_init(&x, r);
	k = first_match(a, 0, a->n_deny, &x);
	if (k >= 0) {
		if (policy_index != NULL)
			*policy_index = k;
		return MDP_AUTHZ_DENY;
	}
	if (a->n_allow == 0)
		return MDP_AUTHZ_ALLOW;
	k = first_match(a, a->n_deny, a->n_allow, &x);
	if (policy_index != NULL)
		*policy_index = k;
	return k >= 0 ? MDP_AUTHZ_ALLOW : MDP_AUTHZ_DENY;
}

int
mdp_authz_audit(const struct mdp_authz *a, const struct mdp_authz_req *r)
{
	struct ectx x;

	if (a == NULL || a->n_audit == 0)
		return -1;
	ectx_init(&x, r);
	return first_match(a, a->n_deny + a->n_allow, a->n_audit, &x);
}

bool
mdp_authz_needs_http(const struct mdp_authz *a)
{
	return a != NULL && a->needs_http;
}

bool
mdp_authz_has_audit(const struct mdp_authz *a)
{
	return a != NULL && a->n_audit > 0;
}

unsigned
mdp_authz_count(const struct mdp_authz *a)
{
	return a != NULL ? a->n_pol : 0;
}

const char *
mdp_authz_policy_name(const struct mdp_authz *a, unsigned i)
{
	return a->pool + a->pol[i].name_off;
}

const char *
mdp_authz_policy_namespace(const struct mdp_authz *a, unsigned i)
{
	return a->pool + a->pol[i].ns_off;
}

enum mdp_authz_action
mdp_authz_policy_action(const struct mdp_authz *a, unsigned i)
{
	return (enum mdp_authz_action)a->pol[i].action;
}

const char *
mdp_authz_action_name(enum mdp_authz_action act)
{
	switch (act) {
	case MDP_AUTHZ_ACT_ALLOW:
		return "ALLOW";
	case MDP_AUTHZ_ACT_DENY:
		return "DENY";
	case MDP_AUTHZ_ACT_AUDIT:
		return "AUDIT";
	}
	return "?";
}
