/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mdp_mesh_conf.h"
#include "util/mdp_inet.h"

#define PATH_LEN 384

struct arena {
	void **p;
	size_t n, cap;
};

struct parser {
	char *err;
	size_t errlen;
	bool failed;
	struct arena *a;
	const struct mdp_mesh_defaults *def;
};

static void *
zalloc(struct parser *ps, size_t n)
{
	struct arena *a = ps->a;
	void *p;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		void **np = realloc(a->p, cap * sizeof(*np));

		if (np == NULL)
			return NULL;
		a->p = np;
		a->cap = cap;
	}
	p = calloc(1, n ? n : 1);
	if (p != NULL)
		a->p[a->n++] = p;
	return p;
}

__attribute__((format(printf, 3, 4))) static int
fail(struct parser *ps, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (ps->failed)
		return -1;
	ps->failed = true;
	if (ps->err == NULL || ps->errlen == 0)
		return -1;
	if (path != NULL && path[0] != '\0')
		n = snprintf(ps->err, ps->errlen, "%s: ", path);
	if (n < 0 || (size_t)n >= ps->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* path + ".key" (or "key" at the top); cut short when too long (the
 * message still says where, roughly). */
static void
member(char *out, const char *path, const char *key)
{
	int n = path[0] == '\0' ? snprintf(out, PATH_LEN, "%s", key)
				: snprintf(out, PATH_LEN, "%s.%s", path, key);

	if (n < 0 || n >= PATH_LEN)
		out[PATH_LEN - 1] = '\0';
}

static void
elem(char *out, const char *path, size_t i)
{
	int n = snprintf(out, PATH_LEN, "%s[%zu]", path, i);

	if (n < 0 || n >= PATH_LEN)
		out[PATH_LEN - 1] = '\0';
}

/* Every key of obj must be in known (NULL-terminated). */
static int
check_keys(struct parser *ps, json_t *obj, const char *path, const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		bool ok = false;

		for (const char *const *k = known; *k != NULL; k++)
			ok = ok || strcmp(*k, key) == 0;
		if (!ok) {
			char p[PATH_LEN];

			member(p, path, key);
			return fail(ps, p, "unknown field");
		}
	}
	return 0;
}

static int
want_object(struct parser *ps, json_t *v, const char *path)
{
	return json_is_object(v) ? 0 : fail(ps, path, "expected an object");
}

/* 0 absent, 1 present (*out set), -1 error. */
static int
get_str(struct parser *ps, json_t *obj, const char *path, const char *key, bool required,
	const char **out)
{
	json_t *v = json_object_get(obj, key);
	char p[PATH_LEN];

	member(p, path, key);
	if (v == NULL)
		return required ? fail(ps, p, "missing required field") : 0;
	if (!json_is_string(v))
		return fail(ps, p, "expected a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return fail(ps, p, "NUL in string");
	if (strlen(json_string_value(v)) > (strcmp(key, "body") == 0 ? MDP_ROUTE_MAX_BODY
								      : MDP_ROUTE_MAX_STR))
		return fail(ps, p, "longer than %d bytes",
			    strcmp(key, "body") == 0 ? MDP_ROUTE_MAX_BODY : MDP_ROUTE_MAX_STR);
	*out = json_string_value(v);
	return 1;
}

static int
get_uint(struct parser *ps, json_t *obj, const char *path, const char *key, uint64_t min,
	 uint64_t max, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	char p[PATH_LEN];
	json_int_t n;

	if (v == NULL)
		return 0;
	member(p, path, key);
	if (!json_is_integer(v))
		return fail(ps, p, "expected an integer");
	n = json_integer_value(v);
	if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
		return fail(ps, p, "%lld is out of range (%llu..%llu)", (long long)n,
			    (unsigned long long)min, (unsigned long long)max);
	*out = (uint64_t)n;
	return 1;
}

static int
get_bool(struct parser *ps, json_t *obj, const char *path, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);
	char p[PATH_LEN];

	if (v == NULL)
		return 0;
	member(p, path, key);
	if (!json_is_boolean(v))
		return fail(ps, p, "expected true or false");
	*out = json_is_true(v);
	return 1;
}

/* 0 absent, 1 present (array in *out), -1 error. */
static int
get_array(struct parser *ps, json_t *obj, const char *path, const char *key, size_t max,
	  json_t **out)
{
	json_t *v = json_object_get(obj, key);
	char p[PATH_LEN];

	*out = NULL;
	if (v == NULL)
		return 0;
	member(p, path, key);
	if (!json_is_array(v))
		return fail(ps, p, "expected an array");
	if (json_array_size(v) > max)
		return fail(ps, p, "%zu entries, at most %zu", json_array_size(v), max);
	*out = v;
	return 1;
}

/* An array of strings as a new const char *[]. */
static int
str_list(struct parser *ps, json_t *obj, const char *path, const char *key, size_t max,
	 const char *const **out, unsigned *n)
{
	json_t *arr, *v;
	const char **l;
	size_t i;
	int rc = get_array(ps, obj, path, key, max, &arr);

	*n = 0;
	if (rc <= 0)
		return rc;
	l = zalloc(ps, sizeof(*l) * json_array_size(arr));
	if (l == NULL)
		return fail(ps, path, "out of memory");
	json_array_foreach(arr, i, v) {
		char p[PATH_LEN], q[PATH_LEN];

		member(q, path, key);
		elem(p, q, i);
		if (!json_is_string(v) || json_string_length(v) == 0)
			return fail(ps, p, "expected a non-empty string");
		l[i] = json_string_value(v);
	}
	*out = l;
	*n = (unsigned)json_array_size(arr);
	return 1;
}

/* Exactly one of keys[] present: its index, with the value; -1 error. */
static int
one_of(struct parser *ps, json_t *obj, const char *path, const char *const *keys, bool required,
       json_t **val)
{
	int found = -1;

	for (int i = 0; keys[i] != NULL; i++) {
		json_t *v = json_object_get(obj, keys[i]);

		if (v == NULL)
			continue;
		if (found >= 0)
			return fail(ps, path, "'%s' and '%s' exclude each other", keys[found],
				    keys[i]);
		found = i;
		*val = v;
	}
	if (found < 0 && required) {
		char list[160] = "";

		for (int i = 0; keys[i] != NULL; i++) {
			strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
			strncat(list, keys[i], sizeof(list) - strlen(list) - 1);
		}
		return fail(ps, path, "needs one of: %s", list);
	}
	return found < 0 ? -2 : found;
}

/* ---- clusters ---- */

static int
parse_endpoint(struct parser *ps, json_t *e, const char *path, struct mdp_lb_endpoint *ep)
{
	static const char *const known[] = { "address", "weight", "healthy", NULL };
	const char *addr;
	uint64_t w = 1;
	char p[PATH_LEN];
	unsigned port = 0;
	char host[32];
	const char *colon;

	if (want_object(ps, e, path) < 0 || check_keys(ps, e, path, known) < 0 ||
	    get_str(ps, e, path, "address", true, &addr) < 0 ||
	    get_uint(ps, e, path, "weight", 0, 65535, &w) < 0)
		return -1;
	member(p, path, "address");
	colon = strrchr(addr, ':');
	if (colon == NULL || (size_t)(colon - addr) >= sizeof(host) || colon[1] == '\0' ||
	    strlen(colon + 1) > 5 || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    (port = (unsigned)strtoul(colon + 1, NULL, 10)) < 1 || port > 65535)
		return fail(ps, p, "'%s' is not an IPv4 address and port (a.b.c.d:port)", addr);
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	if (mdp_ipv4_parse(host, &ep->addr) < 0)
		return fail(ps, p, "'%s' is not an IPv4 address", host);
	if ((ep->addr >> 24) == 0 || (ep->addr >> 24) == 127 || (ep->addr >> 28) >= 14)
		return fail(ps, p, "'%s' cannot be an endpoint", host);
	ep->port = (uint16_t)port;
	ep->weight = (uint16_t)w;
	ep->healthy = true;
	if (get_bool(ps, e, path, "healthy", &ep->healthy) < 0)
		return -1;
	return 0;
}

/*
 * A SPIFFE ID, minimally: spiffe://, a trust domain of [a-z0-9.-_], and a
 * path of non-empty segments of [A-Za-z0-9.-_] that are not "." or "..".
 * NULL when fine, else why not. (lib/tls has the full parser.)
 */
static const char *
spiffe_id_problem(const char *s)
{
	const char *p = s + 9, *td = p;

	if (strncmp(s, "spiffe://", 9) != 0)
		return "does not start with spiffe://";
	if (strlen(s) > 2048)
		return "longer than 2048 bytes";
	while (*p != '\0' && *p != '/') {
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789.-_", *p) == NULL)
			return "the trust domain allows a-z 0-9 . - _ only";
		p++;
	}
	if (p == td)
		return "no trust domain";
	while (*p == '/') {
		const char *seg = ++p;

		while (*p != '\0' && *p != '/') {
			if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_",
				   *p) == NULL)
				return "the path allows A-Z a-z 0-9 . - _ and '/' only";
			p++;
		}
		if (p == seg)
			return "an empty path segment";
		if ((p - seg == 1 && seg[0] == '.') || (p - seg == 2 && seg[0] == '.' && seg[1] == '.'))
			return "a '.' or '..' path segment";
	}
	return NULL;
}

/* A credential or bundle name: 1..63 of A-Z a-z 0-9 . - _ */
static int
check_ref_name(struct parser *ps, json_t *tls, const char *path, const char *key,
	       const char **out)
{
	char p[PATH_LEN];
	int rc = get_str(ps, tls, path, key, false, out);

	if (rc <= 0)
		return rc;
	member(p, path, key);
	if ((*out)[0] == '\0' || strlen(*out) > 63 ||
	    strspn(*out, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") !=
		    strlen(*out))
		return fail(ps, p, "'%s': 1..63 of A-Z a-z 0-9 . - _", *out);
	return 1;
}

/* "tls": DestinationRule trafficPolicy.tls, in meshdp's terms. */
static int
parse_cluster_tls(struct parser *ps, json_t *c, const char *path, struct mdp_mesh_tls_spec *t)
{
	static const char *const known[] = {
		"mode", "credential", "bundle", "sni", "subject_alt_names", NULL,
	};
	static const char *const modes[] = { "DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL", NULL };
	json_t *tls = json_object_get(c, "tls");
	const char *mode;
	char p[PATH_LEN], q[PATH_LEN];
	int m = 0;

	memset(t, 0, sizeof(*t));
	if (tls == NULL)
		return 0;
	member(p, path, "tls");
	if (want_object(ps, tls, p) < 0 || check_keys(ps, tls, p, known) < 0 ||
	    get_str(ps, tls, p, "mode", true, &mode) < 0)
		return -1;
	while (modes[m] != NULL && strcmp(modes[m], mode) != 0)
		m++;
	member(q, p, "mode");
	if (modes[m] == NULL)
		return fail(ps, q, "'%s' is not a mode (DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL)",
			    mode);
	t->mode = (enum mdp_mesh_tls_mode)m;
	if (t->mode == MDP_MESH_TLS_DISABLE) {
		for (const char *const *k = known + 1; *k != NULL; k++)
			if (json_object_get(tls, *k) != NULL) {
				member(q, p, *k);
				return fail(ps, q, "only with mode SIMPLE, MUTUAL or ISTIO_MUTUAL");
			}
		return 0;
	}
	if (check_ref_name(ps, tls, p, "credential", &t->credential) < 0 ||
	    check_ref_name(ps, tls, p, "bundle", &t->bundle) < 0 ||
	    get_str(ps, tls, p, "sni", false, &t->sni) < 0 ||
	    str_list(ps, tls, p, "subject_alt_names", MDP_MESH_MAX_SANS, &t->sans, &t->n_sans) < 0)
		return -1;
	member(q, p, "credential");
	if (t->mode == MDP_MESH_TLS_SIMPLE && t->credential != NULL)
		return fail(ps, q, "only with mode MUTUAL or ISTIO_MUTUAL (SIMPLE presents no "
			    "client certificate)");
	if (t->mode == MDP_MESH_TLS_MUTUAL && t->credential == NULL)
		return fail(ps, q, "required with mode MUTUAL");
	if (t->mode == MDP_MESH_TLS_ISTIO_MUTUAL && t->credential == NULL)
		t->credential = "default";
	if (t->bundle == NULL)
		t->bundle = "default";
	member(q, p, "sni");
	if (t->sni != NULL && (t->sni[0] == '\0' || strlen(t->sni) > 255 ||
			       strspn(t->sni, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					      "0123456789.-_") != strlen(t->sni)))
		return fail(ps, q, "'%s' is not a server name (1..255 of A-Z a-z 0-9 . - _)",
			    t->sni);
	for (unsigned i = 0; i < t->n_sans; i++) {
		json_t *san = json_array_get(json_object_get(tls, "subject_alt_names"), i);
		const char *why = spiffe_id_problem(t->sans[i]);
		char r[PATH_LEN];

		member(q, p, "subject_alt_names");
		elem(r, q, i);
		if (json_string_length(san) != strlen(t->sans[i]))
			return fail(ps, r, "NUL in string");
		if (why != NULL)
			return fail(ps, r, "'%s' is not a SPIFFE ID: %s", t->sans[i], why);
	}
	return 0;
}

static int
parse_cluster(struct parser *ps, json_t *c, const char *path, struct mdp_mesh_cluster_spec *cs)
{
	static const char *const known[] = {
		"name", "lb", "endpoints", "connect_timeout_ms", "idle_timeout_ms", "max_idle",
		"hash_header", "maglev_table_size", "tls", NULL,
	};
	const char *lb = "round_robin";
	json_t *eps, *e;
	uint64_t v;
	size_t i;
	char p[PATH_LEN];
	int pol;

	if (want_object(ps, c, path) < 0 || check_keys(ps, c, path, known) < 0 ||
	    get_str(ps, c, path, "name", true, &cs->name) < 0)
		return -1;
	member(p, path, "name");
	if (cs->name[0] == '\0' || strlen(cs->name) > 63)
		return fail(ps, p, "must be 1..63 characters");
	if (get_str(ps, c, path, "lb", false, &lb) < 0)
		return -1;
	pol = mdp_lb_policy_parse(lb);
	if (pol < 0) {
		member(p, path, "lb");
		return fail(ps, p, "unknown policy '%s' (round_robin, least_request, maglev)", lb);
	}
	cs->lb.policy = (enum mdp_lb_policy)pol;
	cs->connect_timeout_ms = 5000;
	cs->idle_timeout_ms = 30000;
	cs->max_idle = 64;
	if (get_uint(ps, c, path, "connect_timeout_ms", 1, 600000, &v) < 0)
		return -1;
	else if (json_object_get(c, "connect_timeout_ms"))
		cs->connect_timeout_ms = (uint32_t)v;
	if (get_uint(ps, c, path, "idle_timeout_ms", 0, 3600000, &v) < 0)
		return -1;
	else if (json_object_get(c, "idle_timeout_ms"))
		cs->idle_timeout_ms = (uint32_t)v;
	if (get_uint(ps, c, path, "max_idle", 0, 65535, &v) < 0)
		return -1;
	else if (json_object_get(c, "max_idle"))
		cs->max_idle = (uint32_t)v;
	if (get_uint(ps, c, path, "maglev_table_size", 0, MDP_LB_MAGLEV_TABLE_MAX, &v) < 0)
		return -1;
	else if (json_object_get(c, "maglev_table_size"))
		cs->lb.table_size = (uint32_t)v;
	if (get_str(ps, c, path, "hash_header", false, &cs->hash_header) < 0)
		return -1;
	if (cs->hash_header != NULL && cs->lb.policy != MDP_LB_MAGLEV) {
		member(p, path, "hash_header");
		return fail(ps, p, "only applies to lb = maglev");
	}
	if (parse_cluster_tls(ps, c, path, &cs->tls) < 0)
		return -1;
	if (get_array(ps, c, path, "endpoints", MDP_LB_MAX_ENDPOINTS, &eps) < 0)
		return -1;
	if (eps == NULL)
		return 0;	/* a cluster without endpoints answers 503 */
	cs->eps = zalloc(ps, sizeof(*cs->eps) * json_array_size(eps));
	if (cs->eps == NULL)
		return fail(ps, path, "out of memory");
	member(p, path, "endpoints");
	json_array_foreach(eps, i, e) {
		char q[PATH_LEN];

		elem(q, p, i);
		if (parse_endpoint(ps, e, q, &cs->eps[i]) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (cs->eps[j].addr == cs->eps[i].addr && cs->eps[j].port == cs->eps[i].port)
				return fail(ps, q, "the same endpoint as endpoints[%zu]", j);
	}
	cs->n_eps = (unsigned)json_array_size(eps);
	return 0;
}

/* ---- routes ---- */

static int check_op_name(struct parser *ps, const char *path, const char *name);

static int
parse_header_values(struct parser *ps, json_t *obj, const char *path, const char *key,
		    const struct mdp_route_header_value **out, unsigned *n)
{
	json_t *arr, *v;
	struct mdp_route_header_value *l;
	size_t i;
	char p[PATH_LEN];
	int rc = get_array(ps, obj, path, key, MDP_ROUTE_MAX_HDR_OPS, &arr);

	*n = 0;
	if (rc <= 0)
		return rc;
	l = zalloc(ps, sizeof(*l) * json_array_size(arr));
	if (l == NULL)
		return fail(ps, path, "out of memory");
	member(p, path, key);
	json_array_foreach(arr, i, v) {
		static const char *const known[] = { "name", "value", NULL };
		char q[PATH_LEN];

		elem(q, p, i);
		if (want_object(ps, v, q) < 0 || check_keys(ps, v, q, known) < 0 ||
		    get_str(ps, v, q, "name", true, &l[i].name) < 0 ||
		    get_str(ps, v, q, "value", true, &l[i].value) < 0 ||
		    check_op_name(ps, q, l[i].name) < 0)
			return -1;
	}
	*out = l;
	*n = (unsigned)json_array_size(arr);
	return 1;
}

/*
 * Fields a route may not add, set or remove: the proxy owns them (message
 * framing, hop-by-hop fields, Host, which host_rewrite sets, and the
 * forwarding fields it appends to). Changing them could frame the message
 * differently from what the router saw.
 */
static int
check_op_name(struct parser *ps, const char *path, const char *name)
{
	static const char *const owned[] = {
		"host", "content-length", "transfer-encoding", "connection", "keep-alive", "te",
		"upgrade", "proxy-connection", "trailer", "x-forwarded-for", "x-forwarded-proto",
		NULL,
	};

	for (const char *const *o = owned; *o != NULL; o++)
		if (strcasecmp(name, *o) == 0)
			return fail(ps, path, "'%s' is set by the proxy, not by routes%s", name,
				    strcasecmp(name, "host") == 0 ? " (use host_rewrite)" : "");
	return 0;
}

/* {add: [...], set: [...], remove: [...]} */
static int
parse_header_ops(struct parser *ps, json_t *obj, const char *path, const char *key,
		 const struct mdp_route_header_value **add, unsigned *n_add,
		 const struct mdp_route_header_value **set, unsigned *n_set,
		 const char *const **rm, unsigned *n_rm)
{
	static const char *const known[] = { "add", "set", "remove", NULL };
	json_t *h = json_object_get(obj, key);
	char p[PATH_LEN];

	if (h == NULL)
		return 0;
	member(p, path, key);
	if (want_object(ps, h, p) < 0 || check_keys(ps, h, p, known) < 0 ||
	    parse_header_values(ps, h, p, "add", add, n_add) < 0 ||
	    parse_header_values(ps, h, p, "set", set, n_set) < 0 ||
	    str_list(ps, h, p, "remove", MDP_ROUTE_MAX_HDR_OPS, rm, n_rm) < 0)
		return -1;
	for (unsigned i = 0; i < *n_rm; i++) {
		char q[PATH_LEN], r[PATH_LEN];

		member(q, p, "remove");
		elem(r, q, i);
		if (check_op_name(ps, r, (*rm)[i]) < 0)
			return -1;
	}
	return 1;
}

static int
parse_match(struct parser *ps, json_t *r, const char *path, struct mdp_route_match *m)
{
	static const char *const known[] = {
		"path", "prefix", "regex", "ignore_case", "headers", "query", "methods", NULL,
	};
	static const char *const path_keys[] = { "path", "prefix", "regex", NULL };
	static const enum mdp_route_path_kind path_kinds[] = {
		MDP_ROUTE_PATH_EXACT, MDP_ROUTE_PATH_PREFIX, MDP_ROUTE_PATH_REGEX,
	};
	static const char *const hdr_keys[] = {
		"exact", "prefix", "suffix", "contains", "regex", "present", "absent", NULL,
	};
	static const enum mdp_route_header_kind hdr_kinds[] = {
		MDP_ROUTE_HDR_EXACT, MDP_ROUTE_HDR_PREFIX, MDP_ROUTE_HDR_SUFFIX,
		MDP_ROUTE_HDR_CONTAINS, MDP_ROUTE_HDR_REGEX, MDP_ROUTE_HDR_PRESENT,
		MDP_ROUTE_HDR_ABSENT,
	};
	static const char *const q_keys[] = { "exact", "prefix", "regex", "present", NULL };
	static const enum mdp_route_query_kind q_kinds[] = {
		MDP_ROUTE_QUERY_EXACT, MDP_ROUTE_QUERY_PREFIX, MDP_ROUTE_QUERY_REGEX,
		MDP_ROUTE_QUERY_PRESENT,
	};
	json_t *mo = json_object_get(r, "match"), *v, *arr;
	char p[PATH_LEN], q[PATH_LEN];
	size_t i;
	int k;

	memset(m, 0, sizeof(*m));
	if (mo == NULL)
		return 0;	/* matches everything */
	member(p, path, "match");
	if (want_object(ps, mo, p) < 0 || check_keys(ps, mo, p, known) < 0)
		return -1;
	k = one_of(ps, mo, p, path_keys, false, &v);
	if (k == -1)
		return -1;
	if (k >= 0) {
		member(q, p, path_keys[k]);
		if (!json_is_string(v) || json_string_length(v) == 0)
			return fail(ps, q, "expected a non-empty string");
		m->path.kind = path_kinds[k];
		m->path.value = json_string_value(v);
		if (m->path.kind != MDP_ROUTE_PATH_REGEX && m->path.value[0] != '/')
			return fail(ps, q, "'%s' must start with '/'", m->path.value);
	}
	if (get_bool(ps, mo, p, "ignore_case", &m->path.ignore_case) < 0)
		return -1;
	if (get_array(ps, mo, p, "headers", MDP_ROUTE_MAX_CONDS, &arr) < 0)
		return -1;
	if (arr != NULL) {
		struct mdp_route_header_match *h = zalloc(ps, sizeof(*h) * json_array_size(arr));
		char hp[PATH_LEN];

		if (h == NULL)
			return fail(ps, p, "out of memory");
		member(hp, p, "headers");
		json_array_foreach(arr, i, v) {
			static const char *const hk[] = {
				"name", "exact", "prefix", "suffix", "contains", "regex", "present",
				"absent", "invert", NULL,
			};
			json_t *val;

			elem(q, hp, i);
			if (want_object(ps, v, q) < 0 || check_keys(ps, v, q, hk) < 0 ||
			    get_str(ps, v, q, "name", true, &h[i].name) < 0 ||
			    get_bool(ps, v, q, "invert", &h[i].invert) < 0)
				return -1;
			k = one_of(ps, v, q, hdr_keys, true, &val);
			if (k < 0)
				return -1;
			h[i].kind = hdr_kinds[k];
			if (h[i].kind == MDP_ROUTE_HDR_PRESENT || h[i].kind == MDP_ROUTE_HDR_ABSENT) {
				if (!json_is_true(val)) {
					char r2[PATH_LEN];

					member(r2, q, hdr_keys[k]);
					return fail(ps, r2, "expected true");
				}
			} else if (!json_is_string(val)) {
				char r2[PATH_LEN];

				member(r2, q, hdr_keys[k]);
				return fail(ps, r2, "expected a string");
			} else {
				h[i].value = json_string_value(val);
			}
		}
		m->headers = h;
		m->n_headers = (unsigned)json_array_size(arr);
	}
	if (get_array(ps, mo, p, "query", MDP_ROUTE_MAX_CONDS, &arr) < 0)
		return -1;
	if (arr != NULL) {
		struct mdp_route_query_match *qm = zalloc(ps, sizeof(*qm) * json_array_size(arr));
		char qp[PATH_LEN];

		if (qm == NULL)
			return fail(ps, p, "out of memory");
		member(qp, p, "query");
		json_array_foreach(arr, i, v) {
			static const char *const qk[] = {
				"name", "exact", "prefix", "regex", "present", "invert", NULL,
			};
			json_t *val;

			elem(q, qp, i);
			if (want_object(ps, v, q) < 0 || check_keys(ps, v, q, qk) < 0 ||
			    get_str(ps, v, q, "name", true, &qm[i].name) < 0 ||
			    get_bool(ps, v, q, "invert", &qm[i].invert) < 0)
				return -1;
			k = one_of(ps, v, q, q_keys, true, &val);
			if (k < 0)
				return -1;
			qm[i].kind = q_kinds[k];
			if (qm[i].kind == MDP_ROUTE_QUERY_PRESENT) {
				if (!json_is_true(val)) {
					char r2[PATH_LEN];

					member(r2, q, "present");
					return fail(ps, r2, "expected true");
				}
			} else if (!json_is_string(val)) {
				char r2[PATH_LEN];

				member(r2, q, q_keys[k]);
				return fail(ps, r2, "expected a string");
			} else {
				qm[i].value = json_string_value(val);
			}
		}
		m->queries = qm;
		m->n_queries = (unsigned)json_array_size(arr);
	}
	if (str_list(ps, mo, p, "methods", MDP_ROUTE_MAX_METHODS, &m->methods, &m->n_methods) < 0)
		return -1;
	return 0;
}

static int
parse_forward(struct parser *ps, json_t *fo, const char *path, struct mdp_route_forward *f)
{
	static const char *const known[] = {
		"clusters", "cluster", "prefix_rewrite", "host_rewrite", "timeout_ms",
		"request_headers", "response_headers", "retries", NULL,
	};
	json_t *arr, *v;
	char p[PATH_LEN], q[PATH_LEN];
	uint64_t n;
	size_t i;

	if (want_object(ps, fo, path) < 0 || check_keys(ps, fo, path, known) < 0)
		return -1;
	if (json_object_get(fo, "cluster") != NULL) {
		/* a single cluster, weight 1 */
		struct mdp_route_cluster_weight *cw = zalloc(ps, sizeof(*cw));

		if (json_object_get(fo, "clusters") != NULL)
			return fail(ps, path, "'cluster' and 'clusters' exclude each other");
		if (cw == NULL || get_str(ps, fo, path, "cluster", true, &cw->name) < 0)
			return -1;
		cw->weight = 1;
		f->clusters = cw;
		f->n_clusters = 1;
		f->single = true;
	} else {
		struct mdp_route_cluster_weight *cw;

		if (get_array(ps, fo, path, "clusters", MDP_ROUTE_MAX_CLUSTERS, &arr) < 0)
			return -1;
		if (arr == NULL || json_array_size(arr) == 0)
			return fail(ps, path, "needs 'cluster' or a non-empty 'clusters'");
		cw = zalloc(ps, sizeof(*cw) * json_array_size(arr));
		if (cw == NULL)
			return fail(ps, path, "out of memory");
		member(p, path, "clusters");
		json_array_foreach(arr, i, v) {
			static const char *const ck[] = { "name", "weight", NULL };

			elem(q, p, i);
			n = 1;
			if (want_object(ps, v, q) < 0 || check_keys(ps, v, q, ck) < 0 ||
			    get_str(ps, v, q, "name", true, &cw[i].name) < 0 ||
			    get_uint(ps, v, q, "weight", 0, 1000000, &n) < 0)
				return -1;
			cw[i].weight = (uint32_t)n;
		}
		f->clusters = cw;
		f->n_clusters = (unsigned)json_array_size(arr);
	}
	if (get_str(ps, fo, path, "prefix_rewrite", false, &f->prefix_rewrite) < 0 ||
	    get_str(ps, fo, path, "host_rewrite", false, &f->host_rewrite) < 0)
		return -1;
	f->timeout_ms = ps->def != NULL ? ps->def->route_timeout_ms : 0;
	if (get_uint(ps, fo, path, "timeout_ms", 0, 3600000, &n) < 0)
		return -1;
	if (json_object_get(fo, "timeout_ms") != NULL)
		f->timeout_ms = (uint32_t)n;
	if (parse_header_ops(ps, fo, path, "request_headers", &f->req_add, &f->n_req_add,
			     &f->req_set, &f->n_req_set, &f->req_remove, &f->n_req_remove) < 0 ||
	    parse_header_ops(ps, fo, path, "response_headers", &f->resp_add, &f->n_resp_add,
			     &f->resp_set, &f->n_resp_set, &f->resp_remove, &f->n_resp_remove) < 0)
		return -1;
	v = json_object_get(fo, "retries");
	if (v != NULL) {
		static const char *const rk[] = { "attempts", "per_try_timeout_ms", NULL };

		member(p, path, "retries");
		if (want_object(ps, v, p) < 0 || check_keys(ps, v, p, rk) < 0)
			return -1;
		n = 0;
		if (get_uint(ps, v, p, "attempts", 0, 10, &n) < 0)
			return -1;
		f->retry.attempts = (uint32_t)n;
		n = 0;
		if (get_uint(ps, v, p, "per_try_timeout_ms", 0, 3600000, &n) < 0)
			return -1;
		f->retry.per_try_timeout_ms = (uint32_t)n;
	}
	return 0;
}

static int
parse_route(struct parser *ps, json_t *r, const char *path, struct mdp_route_conf *rc)
{
	static const char *const known[] = {
		"name", "match", "route", "direct_response", "redirect", NULL,
	};
	static const char *const actions[] = { "route", "direct_response", "redirect", NULL };
	json_t *a;
	char p[PATH_LEN];
	uint64_t n;
	int k;

	if (want_object(ps, r, path) < 0 || check_keys(ps, r, path, known) < 0 ||
	    get_str(ps, r, path, "name", false, &rc->name) < 0 ||
	    parse_match(ps, r, path, &rc->match) < 0)
		return -1;
	k = one_of(ps, r, path, actions, true, &a);
	if (k < 0)
		return -1;
	member(p, path, actions[k]);
	switch (k) {
	case 0:
		rc->action.kind = MDP_ROUTE_ACT_CLUSTERS;
		return parse_forward(ps, a, p, &rc->action.forward);
	case 1: {
		static const char *const dk[] = { "status", "body", "content_type", NULL };

		rc->action.kind = MDP_ROUTE_ACT_DIRECT;
		n = 200;
		if (want_object(ps, a, p) < 0 || check_keys(ps, a, p, dk) < 0 ||
		    get_uint(ps, a, p, "status", 200, 599, &n) < 0 ||
		    get_str(ps, a, p, "body", false, &rc->action.direct.body) < 0 ||
		    get_str(ps, a, p, "content_type", false, &rc->action.direct.content_type) < 0)
			return -1;
		rc->action.direct.status = (uint16_t)n;
		return 0;
	}
	default: {
		static const char *const rk[] = {
			"scheme", "host", "path", "prefix_rewrite", "code", "strip_query", NULL,
		};
		struct mdp_route_redirect *rd = &rc->action.redirect;

		rc->action.kind = MDP_ROUTE_ACT_REDIRECT;
		n = 301;
		if (want_object(ps, a, p) < 0 || check_keys(ps, a, p, rk) < 0 ||
		    get_str(ps, a, p, "scheme", false, &rd->scheme) < 0 ||
		    get_str(ps, a, p, "host", false, &rd->host) < 0 ||
		    get_str(ps, a, p, "path", false, &rd->path) < 0 ||
		    get_str(ps, a, p, "prefix_rewrite", false, &rd->prefix_rewrite) < 0 ||
		    get_uint(ps, a, p, "code", 301, 308, &n) < 0 ||
		    get_bool(ps, a, p, "strip_query", &rd->strip_query) < 0)
			return -1;
		rd->code = (uint16_t)n;
		if (n != 301 && n != 302 && n != 303 && n != 307 && n != 308) {
			char q[PATH_LEN];

			member(q, p, "code");
			return fail(ps, q, "%u is not a redirect code (301, 302, 303, 307, 308)",
				    (unsigned)n);
		}
		if (rd->path != NULL && rd->prefix_rewrite != NULL)
			return fail(ps, p, "'path' and 'prefix_rewrite' exclude each other");
		return 0;
	}
	}
}

static int
parse_vhost(struct parser *ps, json_t *v, const char *path, struct mdp_route_vhost_conf *vh)
{
	static const char *const known[] = { "name", "domains", "routes", NULL };
	json_t *arr, *r;
	struct mdp_route_conf *routes;
	char p[PATH_LEN], q[PATH_LEN];
	size_t i;

	if (want_object(ps, v, path) < 0 || check_keys(ps, v, path, known) < 0 ||
	    get_str(ps, v, path, "name", true, &vh->name) < 0 ||
	    str_list(ps, v, path, "domains", 4096, &vh->domains, &vh->n_domains) < 0)
		return -1;
	if (vh->n_domains == 0) {
		member(p, path, "domains");
		return fail(ps, p, "needs at least one domain (\"*\" for any)");
	}
	if (get_array(ps, v, path, "routes", MDP_ROUTE_MAX_ROUTES, &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	routes = zalloc(ps, sizeof(*routes) * json_array_size(arr));
	if (routes == NULL)
		return fail(ps, path, "out of memory");
	member(p, path, "routes");
	json_array_foreach(arr, i, r) {
		elem(q, p, i);
		if (parse_route(ps, r, q, &routes[i]) < 0)
			return -1;
	}
	vh->routes = routes;
	vh->n_routes = (unsigned)json_array_size(arr);
	return 0;
}

static int
parse_rt(struct parser *ps, json_t *t, const char *path, struct mdp_mesh_rt_spec *rs)
{
	static const char *const known[] = { "name", "virtual_hosts", NULL };
	json_t *arr, *v;
	struct mdp_route_vhost_conf *vhs;
	char p[PATH_LEN], q[PATH_LEN];
	size_t i;

	if (want_object(ps, t, path) < 0 || check_keys(ps, t, path, known) < 0 ||
	    get_str(ps, t, path, "name", true, &rs->name) < 0)
		return -1;
	member(p, path, "name");
	if (rs->name[0] == '\0' || strlen(rs->name) > 63)
		return fail(ps, p, "must be 1..63 characters");
	if (get_array(ps, t, path, "virtual_hosts", 65536, &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	vhs = zalloc(ps, sizeof(*vhs) * json_array_size(arr));
	if (vhs == NULL)
		return fail(ps, path, "out of memory");
	member(p, path, "virtual_hosts");
	json_array_foreach(arr, i, v) {
		elem(q, p, i);
		if (parse_vhost(ps, v, q, &vhs[i]) < 0)
			return -1;
	}
	rs->conf.vhosts = vhs;
	rs->conf.n_vhosts = (unsigned)json_array_size(arr);
	return 0;
}

/* Every cluster a route names exists. */
static int
check_refs(struct parser *ps, const struct mdp_mesh_spec *s)
{
	for (unsigned t = 0; t < s->n_rts; t++) {
		const struct mdp_route_table_conf *c = &s->rts[t].conf;

		for (unsigned v = 0; v < c->n_vhosts; v++) {
			for (unsigned r = 0; r < c->vhosts[v].n_routes; r++) {
				const struct mdp_route_conf *rc = &c->vhosts[v].routes[r];

				if (rc->action.kind != MDP_ROUTE_ACT_CLUSTERS)
					continue;
				for (unsigned k = 0; k < rc->action.forward.n_clusters; k++) {
					const char *n = rc->action.forward.clusters[k].name;
					char p[PATH_LEN];

					if (mdp_mesh_spec_cluster(s, n) >= 0)
						continue;
					if (rc->action.forward.single)
						snprintf(p, sizeof(p),
							 "route_tables[%u].virtual_hosts[%u].routes[%u].route.cluster",
							 t, v, r);
					else
						snprintf(p, sizeof(p),
							 "route_tables[%u].virtual_hosts[%u].routes[%u].route.clusters[%u]",
							 t, v, r, k);
					return fail(ps, p, "unknown cluster '%s'", n);
				}
			}
		}
	}
	return 0;
}

struct mdp_mesh_spec *
mdp_mesh_spec_parse(json_t *doc, const struct mdp_mesh_defaults *def, char *err, size_t errlen)
{
	static const char *const known[] = {
		"clusters", "route_tables", "authorization_policies", NULL,
	};
	struct mdp_mesh_spec *s = calloc(1, sizeof(*s));
	struct arena *a = calloc(1, sizeof(*a));
	struct parser ps = { .err = err, .errlen = errlen, .a = a, .def = def };
	json_t *arr, *v, *flat;
	char p[PATH_LEN];
	size_t i;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (s == NULL || a == NULL) {
		free(s);
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->arena = a;
	s->doc = doc != NULL ? json_incref(doc) : json_object();
	if (want_object(&ps, s->doc, "") < 0 || check_keys(&ps, s->doc, "", known) < 0)
		goto fail;
	if (get_array(&ps, s->doc, "", "clusters", 65536, &arr) < 0)
		goto fail;
	if (arr != NULL) {
		s->clusters = zalloc(&ps, sizeof(*s->clusters) * json_array_size(arr));
		if (s->clusters == NULL)
			goto oom;
		json_array_foreach(arr, i, v) {
			elem(p, "clusters", i);
			if (parse_cluster(&ps, v, p, &s->clusters[i]) < 0)
				goto fail;
			for (size_t j = 0; j < i; j++)
				if (strcmp(s->clusters[j].name, s->clusters[i].name) == 0) {
					strncat(p, ".name", sizeof(p) - strlen(p) - 1);
					fail(&ps, p, "'%s' is also the name of clusters[%zu]",
					     s->clusters[i].name, j);
					goto fail;
				}
			s->n_clusters++;
		}
	}
	if (get_array(&ps, s->doc, "", "route_tables", 4096, &arr) < 0)
		goto fail;
	if (arr != NULL) {
		s->rts = zalloc(&ps, sizeof(*s->rts) * json_array_size(arr));
		if (s->rts == NULL)
			goto oom;
		json_array_foreach(arr, i, v) {
			elem(p, "route_tables", i);
			if (parse_rt(&ps, v, p, &s->rts[i]) < 0)
				goto fail;
			for (size_t j = 0; j < i; j++)
				if (strcmp(s->rts[j].name, s->rts[i].name) == 0) {
					strncat(p, ".name", sizeof(p) - strlen(p) - 1);
					fail(&ps, p, "'%s' is also the name of route_tables[%zu]",
					     s->rts[i].name, j);
					goto fail;
				}
			s->n_rts++;
		}
	}
	if (check_refs(&ps, s) < 0)
		goto fail;
	arr = json_object_get(s->doc, "authorization_policies");
	s->authz = mdp_authz_compile(arr, err, errlen);
	if (s->authz == NULL) {
		ps.failed = true;
		goto fail;
	}
	/* Kubernetes resources are dumped flat: a shallow copy of the document
	 * shares every other part, which the spec's strings point into */
	if (mdp_authz_flatten(arr, &flat) < 0)
		goto oom;
	if (flat != NULL) {
		v = json_copy(s->doc);
		if (v == NULL) {
			json_decref(flat);
			goto oom;
		}
		if (json_object_set_new(v, "authorization_policies", flat) < 0) {
			json_decref(v);
			goto oom;
		}
		json_decref(s->doc);
		s->doc = v;
	}
	return s;
oom:
	fail(&ps, "", "out of memory");
fail:
	mdp_mesh_spec_free(s);
	return NULL;
}

void
mdp_mesh_spec_free(struct mdp_mesh_spec *s)
{
	struct arena *a;

	if (s == NULL)
		return;
	a = s->arena;
	if (a != NULL) {
		for (size_t i = 0; i < a->n; i++)
			free(a->p[i]);
		free(a->p);
		free(a);
	}
	mdp_authz_free(s->authz);
	json_decref(s->doc);
	free(s);
}

int
mdp_mesh_spec_cluster(const struct mdp_mesh_spec *s, const char *name)
{
	for (unsigned i = 0; i < s->n_clusters; i++)
		if (strcmp(s->clusters[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
mdp_mesh_spec_rt(const struct mdp_mesh_spec *s, const char *name)
{
	for (unsigned i = 0; i < s->n_rts; i++)
		if (strcmp(s->rts[i].name, name) == 0)
			return (int)i;
	return -1;
}
