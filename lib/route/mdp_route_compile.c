/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route table compilation, binding, freeing and introspection: control
 * thread only. Matching is in mdp_route_match.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs.h>

#include "route/mdp_route.h"
#include "route/mdp_route_impl.h"

/* ------------------------------------------------------------------ */
/* Arena: everything the table keeps, freed at once                    */

struct rt_arena {
	struct rt_arena *next;
	size_t used;
	size_t cap;
	max_align_t mem[];
};

#define ARENA_CHUNK	(64 * 1024)

static void *
ar_alloc(struct rt_arena **a, size_t n)
{
	struct rt_arena *c = *a;
	size_t al = sizeof(max_align_t);
	void *p;

	n = (n + al - 1) / al * al;
	if (n == 0)
		n = al;
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		c = calloc(1, sizeof(*c) + cap);
		if (c == NULL)
			return NULL;
		c->cap = cap;
		c->next = *a;
		*a = c;
	}
	p = (char *)c->mem + c->used;
	c->used += n;
	return p;
}

static void
ar_free(struct rt_arena *a)
{
	while (a != NULL) {
		struct rt_arena *n = a->next;

		free(a);
		a = n;
	}
}

/* ------------------------------------------------------------------ */
/* Compile context and errors                                          */

struct cc {
	const struct mdp_route_table_conf *src;
	struct mdp_route_table *t;
	char *err;
	size_t errlen;
	long vi;		/* vhost being compiled, -1: none */
	long ri;		/* route being compiled, -1: none */
	bool oom;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct cc *c, const char *fmt, ...)
{
	char where[256] = "";
	char msg[512];
	va_list ap;

	if (c->vi >= 0) {
		const struct mdp_route_vhost_conf *v = &c->src->vhosts[c->vi];
		int k;

		if (v->name != NULL && v->name[0] != '\0')
			k = snprintf(where, sizeof(where), "vhost \"%.64s\"", v->name);
		else
			k = snprintf(where, sizeof(where), "vhosts[%ld]", c->vi);
		if (c->ri >= 0 && k > 0 && (size_t)k < sizeof(where)) {
			const char *rn = v->routes[c->ri].name;

			if (rn != NULL && rn[0] != '\0')
				snprintf(where + k, sizeof(where) - k,
					 " route %ld (\"%.64s\")", c->ri, rn);
			else
				snprintf(where + k, sizeof(where) - k, " route %ld",
					 c->ri);
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->errlen > 0)
		snprintf(c->err, c->errlen, "%s%s%s", where, where[0] ? ": " : "",
			 msg);
	return -EINVAL;
}

static int
oom(struct cc *c)
{
	c->oom = true;
	fail(c, "out of memory");
	return -ENOMEM;
}

static void *
cc_alloc(struct cc *c, size_t n)
{
	void *p = ar_alloc(&c->t->arena, n);

	if (p == NULL)
		oom(c);
	return p;
}

static char *
cc_strndup(struct cc *c, const char *s, size_t n)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = cc_alloc(c, n + 1);
	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

static char *
cc_strdup(struct cc *c, const char *s)
{
	return s == NULL ? NULL : cc_strndup(c, s, strlen(s));
}

static char *
cc_lowerdup(struct cc *c, const char *s, size_t n)
{
	char *d = cc_strndup(c, s, n);

	if (d != NULL)
		for (size_t i = 0; i < n; i++)
			d[i] = (char)rt_lower1((uint8_t)d[i]);
	return d;
}

/* ------------------------------------------------------------------ */
/* Validation of the input model                                       */

static bool
is_tchar(unsigned char ch)
{
	/* RFC 9110 5.6.2 */
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') ||
	       (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static bool
is_token(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if (!is_tchar((unsigned char)*s))
			return false;
	return true;
}

/* RFC 9110 5.5 field-value: no CTL but HTAB. */
static bool
is_field_value(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return false;
	}
	return true;
}

/* What a normalized path can hold; query_ok also allows '?'. */
static bool
is_path(const char *s, bool query_ok)
{
	if (*s != '/')
		return false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch <= 0x20 || ch == 0x7f || ch == '#' || (ch == '?' && !query_ok))
			return false;
	}
	return true;
}

/* Characters of an authority (RFC 3986 3.2.2 reg-name, IP literal, port). */
static bool
is_authority(const char *s, bool star_ok)
{
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch <= 0x20 || ch >= 0x7f || strchr("/?#@,\"\\<>{}|^`", ch) != NULL)
			return false;
		if (ch == '*' && !star_ok)
			return false;
	}
	return true;
}

static bool
str_ok(const char *s, size_t max)
{
	return s != NULL && strnlen(s, max + 1) <= max;
}

static int
check_hdr_values(struct cc *c, const char *what,
		 const struct mdp_route_header_value *hv, unsigned n)
{
	if (n > MDP_ROUTE_MAX_HDR_OPS)
		return fail(c, "%s: %u entries, at most %u", what, n,
			    MDP_ROUTE_MAX_HDR_OPS);
	if (n > 0 && hv == NULL)
		return fail(c, "%s: NULL array", what);
	for (unsigned i = 0; i < n; i++) {
		if (!str_ok(hv[i].name, MDP_ROUTE_MAX_STR) || !is_token(hv[i].name))
			return fail(c, "%s[%u].name: not a header name", what, i);
		if (!str_ok(hv[i].value, MDP_ROUTE_MAX_STR) ||
		    !is_field_value(hv[i].value))
			return fail(c, "%s[%u].value: missing, too long or holds a "
				    "control character", what, i);
	}
	return 0;
}

static int
check_hdr_names(struct cc *c, const char *what, const char *const *names,
		unsigned n)
{
	if (n > MDP_ROUTE_MAX_HDR_OPS)
		return fail(c, "%s: %u entries, at most %u", what, n,
			    MDP_ROUTE_MAX_HDR_OPS);
	if (n > 0 && names == NULL)
		return fail(c, "%s: NULL array", what);
	for (unsigned i = 0; i < n; i++)
		if (!str_ok(names[i], MDP_ROUTE_MAX_STR) || !is_token(names[i]))
			return fail(c, "%s[%u]: not a header name", what, i);
	return 0;
}

static int
check_prefix_rewrite(struct cc *c, const char *what, const char *pr,
		     const struct mdp_route_match *m)
{
	if (pr == NULL)
		return 0;
	if (!str_ok(pr, MDP_ROUTE_MAX_STR) || !is_path(pr, false))
		return fail(c, "%s: not a path", what);
	if (m->path.kind != MDP_ROUTE_PATH_EXACT && m->path.kind != MDP_ROUTE_PATH_PREFIX)
		return fail(c, "%s: needs an exact or prefix path match", what);
	return 0;
}

static int
check_match(struct cc *c, const struct mdp_route_match *m)
{
	const struct mdp_route_path_match *p = &m->path;

	switch (p->kind) {
	case MDP_ROUTE_PATH_ANY:
		break;
	case MDP_ROUTE_PATH_EXACT:
	case MDP_ROUTE_PATH_PREFIX:
		if (!str_ok(p->value, MDP_ROUTE_MAX_STR) || !is_path(p->value, false))
			return fail(c, "path.%s: not a path (\"/...\", no space, "
				    "control character, '?' or '#')",
				    mdp_route_path_kind_name(p->kind));
		break;
	case MDP_ROUTE_PATH_REGEX:
		if (!str_ok(p->value, MDP_ROUTE_MAX_STR))
			return fail(c, "path.regex: missing or too long");
		break;
	default:
		return fail(c, "path: unknown kind %d", (int)p->kind);
	}

	if (m->n_headers > MDP_ROUTE_MAX_CONDS)
		return fail(c, "headers: %u rules, at most %u", m->n_headers,
			    MDP_ROUTE_MAX_CONDS);
	if (m->n_headers > 0 && m->headers == NULL)
		return fail(c, "headers: NULL array");
	for (unsigned i = 0; i < m->n_headers; i++) {
		const struct mdp_route_header_match *h = &m->headers[i];

		if (!str_ok(h->name, MDP_ROUTE_MAX_STR) || !is_token(h->name))
			return fail(c, "headers[%u].name: not a header name", i);
		if ((unsigned)h->kind >= MDP_ROUTE_HDR_KIND_MAX)
			return fail(c, "headers[%u]: unknown kind %d", i, (int)h->kind);
		if (h->kind != MDP_ROUTE_HDR_PRESENT && h->kind != MDP_ROUTE_HDR_ABSENT &&
		    !str_ok(h->value, MDP_ROUTE_MAX_STR))
			return fail(c, "headers[%u].%s: missing or too long", i,
				    mdp_route_header_kind_name(h->kind));
	}

	if (m->n_queries > MDP_ROUTE_MAX_CONDS)
		return fail(c, "queries: %u rules, at most %u", m->n_queries,
			    MDP_ROUTE_MAX_CONDS);
	if (m->n_queries > 0 && m->queries == NULL)
		return fail(c, "queries: NULL array");
	for (unsigned i = 0; i < m->n_queries; i++) {
		const struct mdp_route_query_match *q = &m->queries[i];

		if (!str_ok(q->name, MDP_ROUTE_MAX_STR) || q->name[0] == '\0' ||
		    strpbrk(q->name, "&=#") != NULL)
			return fail(c, "queries[%u].name: empty, too long, or holds "
				    "'&', '=' or '#'", i);
		if ((unsigned)q->kind >= MDP_ROUTE_QUERY_KIND_MAX)
			return fail(c, "queries[%u]: unknown kind %d", i, (int)q->kind);
		if (q->kind != MDP_ROUTE_QUERY_PRESENT && !str_ok(q->value, MDP_ROUTE_MAX_STR))
			return fail(c, "queries[%u].%s: missing or too long", i,
				    mdp_route_query_kind_name(q->kind));
	}

	if (m->n_methods > MDP_ROUTE_MAX_METHODS)
		return fail(c, "methods: %u, at most %u", m->n_methods,
			    MDP_ROUTE_MAX_METHODS);
	if (m->n_methods > 0 && m->methods == NULL)
		return fail(c, "methods: NULL array");
	for (unsigned i = 0; i < m->n_methods; i++)
		if (!str_ok(m->methods[i], 64) || !is_token(m->methods[i]))
			return fail(c, "methods[%u]: not a method token", i);
	return 0;
}

static int
check_action(struct cc *c, const struct mdp_route_conf *r)
{
	const struct mdp_route_action *a = &r->action;
	int rc;

	switch (a->kind) {
	case MDP_ROUTE_ACT_CLUSTERS: {
		const struct mdp_route_forward *f = &a->forward;
		uint64_t total = 0;

		if (f->n_clusters == 0 || f->n_clusters > MDP_ROUTE_MAX_CLUSTERS)
			return fail(c, "clusters: %u entries, need 1 to %u",
				    f->n_clusters, MDP_ROUTE_MAX_CLUSTERS);
		if (f->clusters == NULL)
			return fail(c, "clusters: NULL array");
		for (unsigned i = 0; i < f->n_clusters; i++) {
			if (!str_ok(f->clusters[i].name, MDP_ROUTE_MAX_STR) ||
			    f->clusters[i].name[0] == '\0')
				return fail(c, "clusters[%u].name: missing", i);
			total += f->clusters[i].weight;
		}
		if (total == 0)
			return fail(c, "clusters: the weights add up to 0");
		if (total > UINT32_MAX)
			return fail(c, "clusters: the weights add up to %llu, more "
				    "than 2^32 - 1", (unsigned long long)total);
		if ((rc = check_prefix_rewrite(c, "prefix_rewrite", f->prefix_rewrite,
					       &r->match)) < 0)
			return rc;
		if (f->host_rewrite != NULL &&
		    (!str_ok(f->host_rewrite, MDP_ROUTE_MAX_STR) ||
		     !is_authority(f->host_rewrite, false)))
			return fail(c, "host_rewrite: not an authority");
		if ((rc = check_hdr_values(c, "request_headers_add", f->req_add,
					   f->n_req_add)) < 0 ||
		    (rc = check_hdr_values(c, "request_headers_set", f->req_set,
					   f->n_req_set)) < 0 ||
		    (rc = check_hdr_names(c, "request_headers_remove", f->req_remove,
					  f->n_req_remove)) < 0 ||
		    (rc = check_hdr_values(c, "response_headers_add", f->resp_add,
					   f->n_resp_add)) < 0 ||
		    (rc = check_hdr_values(c, "response_headers_set", f->resp_set,
					   f->n_resp_set)) < 0 ||
		    (rc = check_hdr_names(c, "response_headers_remove",
					  f->resp_remove, f->n_resp_remove)) < 0)
			return rc;
		break;
	}
	case MDP_ROUTE_ACT_DIRECT: {
		const struct mdp_route_direct *d = &a->direct;

		if (d->status < 200 || d->status > 599)
			return fail(c, "direct.status: %u, need 200 to 599", d->status);
		if (d->body != NULL && !str_ok(d->body, MDP_ROUTE_MAX_BODY))
			return fail(c, "direct.body: longer than %u bytes", MDP_ROUTE_MAX_BODY);
		if (d->content_type != NULL &&
		    (!str_ok(d->content_type, MDP_ROUTE_MAX_STR) ||
		     !is_field_value(d->content_type)))
			return fail(c, "direct.content_type: holds a control character");
		break;
	}
	case MDP_ROUTE_ACT_REDIRECT: {
		const struct mdp_route_redirect *d = &a->redirect;

		if (d->code != 0 && d->code != 301 && d->code != 302 &&
		    d->code != 303 && d->code != 307 && d->code != 308)
			return fail(c, "redirect.code: %u, need 301, 302, 303, 307 "
				    "or 308", d->code);
		if (d->scheme != NULL &&
		    (!str_ok(d->scheme, 32) || strspn(d->scheme,
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789+-.") != strlen(d->scheme) || d->scheme[0] == '\0'))
			return fail(c, "redirect.scheme: not a scheme");
		if (d->host != NULL && (!str_ok(d->host, MDP_ROUTE_MAX_STR) ||
					!is_authority(d->host, false)))
			return fail(c, "redirect.host: not an authority");
		if (d->path != NULL && d->prefix_rewrite != NULL)
			return fail(c, "redirect: path and prefix_rewrite exclude "
				    "each other");
		if (d->path != NULL && (!str_ok(d->path, MDP_ROUTE_MAX_STR) ||
					!is_path(d->path, true)))
			return fail(c, "redirect.path: not a path");
		if ((rc = check_prefix_rewrite(c, "redirect.prefix_rewrite",
					       d->prefix_rewrite, &r->match)) < 0)
			return rc;
		break;
	}
	default:
		return fail(c, "action: unknown kind %d", (int)a->kind);
	}
	return 0;
}

static int
check_conf(struct cc *c)
{
	const struct mdp_route_table_conf *cfg = c->src;
	unsigned long total = 0;
	int rc;

	if (cfg->n_vhosts > 0 && cfg->vhosts == NULL)
		return fail(c, "vhosts: NULL array");
	for (unsigned vi = 0; vi < cfg->n_vhosts; vi++) {
		const struct mdp_route_vhost_conf *v = &cfg->vhosts[vi];

		c->vi = vi;
		c->ri = -1;
		if (!str_ok(v->name, 256) || v->name[0] == '\0')
			return fail(c, "name: missing or longer than 256 bytes");
		if (v->n_domains == 0 || v->domains == NULL)
			return fail(c, "domains: none");
		for (unsigned di = 0; di < v->n_domains; di++)
			if (!str_ok(v->domains[di], 256) || v->domains[di][0] == '\0')
				return fail(c, "domains[%u]: empty or longer than 256 "
					    "bytes", di);
		if (v->n_routes > 0 && v->routes == NULL)
			return fail(c, "routes: NULL array");
		total += v->n_routes;
		if (total > MDP_ROUTE_MAX_ROUTES)
			return fail(c, "more than %u routes in the table",
				    MDP_ROUTE_MAX_ROUTES);
		for (unsigned ri = 0; ri < v->n_routes; ri++) {
			const struct mdp_route_conf *r = &v->routes[ri];

			if (r->name != NULL && !str_ok(r->name, 256)) {
				c->ri = -1;
				return fail(c, "routes[%u].name: longer than 256 bytes", ri);
			}
			c->ri = ri;
			if ((rc = check_match(c, &r->match)) < 0 ||
			    (rc = check_action(c, r)) < 0)
				return rc;
		}
	}
	c->vi = c->ri = -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Deep copy of the configuration                                      */

static int
copy_strv(struct cc *c, const char *const *src, unsigned n, const char *const **dst)
{
	const char **d;

	*dst = NULL;
	if (n == 0)
		return 0;
	d = cc_alloc(c, n * sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++)
		if ((d[i] = cc_strdup(c, src[i])) == NULL)
			return -ENOMEM;
	*dst = d;
	return 0;
}

static int
copy_hvs(struct cc *c, const struct mdp_route_header_value *src, unsigned n,
	 const struct mdp_route_header_value **dst)
{
	struct mdp_route_header_value *d;

	*dst = NULL;
	if (n == 0)
		return 0;
	d = cc_alloc(c, n * sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++)
		if ((d[i].name = cc_strdup(c, src[i].name)) == NULL ||
		    (d[i].value = cc_strdup(c, src[i].value)) == NULL)
			return -ENOMEM;
	*dst = d;
	return 0;
}

/* Copies strings that may be NULL; fails only when allocation does. */
#define DUP(c, field, s)                                                 \
	(((s) == NULL) ? ((field) = NULL, 0)                             \
		       : (((field) = cc_strdup(c, s)) == NULL ? -ENOMEM : 0))

static int
copy_route(struct cc *c, const struct mdp_route_conf *s, struct mdp_route_conf *d)
{
	const struct mdp_route_match *sm = &s->match;
	struct mdp_route_match *dm = &d->match;

	*d = *s;
	if (DUP(c, d->name, s->name))
		return -ENOMEM;
	if (sm->path.kind == MDP_ROUTE_PATH_ANY)
		dm->path.value = NULL;
	else if (DUP(c, dm->path.value, sm->path.value))
		return -ENOMEM;
	if (sm->n_headers > 0) {
		struct mdp_route_header_match *h = cc_alloc(c, sm->n_headers * sizeof(*h));

		if (h == NULL)
			return -ENOMEM;
		for (unsigned i = 0; i < sm->n_headers; i++) {
			h[i] = sm->headers[i];
			if (h[i].kind == MDP_ROUTE_HDR_PRESENT ||
			    h[i].kind == MDP_ROUTE_HDR_ABSENT)
				h[i].value = NULL;
			if (DUP(c, h[i].name, sm->headers[i].name) ||
			    DUP(c, h[i].value, h[i].value))
				return -ENOMEM;
		}
		dm->headers = h;
	} else {
		dm->headers = NULL;
	}
	if (sm->n_queries > 0) {
		struct mdp_route_query_match *q = cc_alloc(c, sm->n_queries * sizeof(*q));

		if (q == NULL)
			return -ENOMEM;
		for (unsigned i = 0; i < sm->n_queries; i++) {
			q[i] = sm->queries[i];
			if (q[i].kind == MDP_ROUTE_QUERY_PRESENT)
				q[i].value = NULL;
			if (DUP(c, q[i].name, sm->queries[i].name) ||
			    DUP(c, q[i].value, q[i].value))
				return -ENOMEM;
		}
		dm->queries = q;
	} else {
		dm->queries = NULL;
	}
	if (copy_strv(c, sm->methods, sm->n_methods, &dm->methods))
		return -ENOMEM;

	switch (s->action.kind) {
	case MDP_ROUTE_ACT_CLUSTERS: {
		const struct mdp_route_forward *sf = &s->action.forward;
		struct mdp_route_forward *df = &d->action.forward;
		struct mdp_route_cluster_weight *cw;

		cw = cc_alloc(c, sf->n_clusters * sizeof(*cw));
		if (cw == NULL)
			return -ENOMEM;
		for (unsigned i = 0; i < sf->n_clusters; i++) {
			cw[i] = sf->clusters[i];
			if (DUP(c, cw[i].name, sf->clusters[i].name))
				return -ENOMEM;
		}
		df->clusters = cw;
		if (DUP(c, df->prefix_rewrite, sf->prefix_rewrite) ||
		    DUP(c, df->host_rewrite, sf->host_rewrite) ||
		    copy_hvs(c, sf->req_add, sf->n_req_add, &df->req_add) ||
		    copy_hvs(c, sf->req_set, sf->n_req_set, &df->req_set) ||
		    copy_strv(c, sf->req_remove, sf->n_req_remove, &df->req_remove) ||
		    copy_hvs(c, sf->resp_add, sf->n_resp_add, &df->resp_add) ||
		    copy_hvs(c, sf->resp_set, sf->n_resp_set, &df->resp_set) ||
		    copy_strv(c, sf->resp_remove, sf->n_resp_remove, &df->resp_remove))
			return -ENOMEM;
		break;
	}
	case MDP_ROUTE_ACT_DIRECT: {
		const struct mdp_route_direct *sd = &s->action.direct;
		struct mdp_route_direct *dd = &d->action.direct;

		if (DUP(c, dd->body, sd->body) ||
		    DUP(c, dd->content_type, sd->content_type))
			return -ENOMEM;
		break;
	}
	case MDP_ROUTE_ACT_REDIRECT: {
		const struct mdp_route_redirect *sr = &s->action.redirect;
		struct mdp_route_redirect *dr = &d->action.redirect;

		if (DUP(c, dr->scheme, sr->scheme) || DUP(c, dr->host, sr->host) ||
		    DUP(c, dr->path, sr->path) ||
		    DUP(c, dr->prefix_rewrite, sr->prefix_rewrite))
			return -ENOMEM;
		if (dr->code == 0)
			dr->code = 301;
		break;
	}
	default:
		break;
	}
	return 0;
}

static int
copy_conf(struct cc *c)
{
	const struct mdp_route_table_conf *s = c->src;
	struct mdp_route_vhost_conf *vs;

	c->t->conf.n_vhosts = s->n_vhosts;
	if (s->n_vhosts == 0)
		return 0;
	vs = cc_alloc(c, s->n_vhosts * sizeof(*vs));
	if (vs == NULL)
		return -ENOMEM;
	c->t->conf.vhosts = vs;
	for (unsigned vi = 0; vi < s->n_vhosts; vi++) {
		const struct mdp_route_vhost_conf *sv = &s->vhosts[vi];
		struct mdp_route_conf *rs = NULL;

		vs[vi] = *sv;
		if (DUP(c, vs[vi].name, sv->name) ||
		    copy_strv(c, sv->domains, sv->n_domains, &vs[vi].domains))
			return -ENOMEM;
		if (sv->n_routes > 0) {
			rs = cc_alloc(c, sv->n_routes * sizeof(*rs));
			if (rs == NULL)
				return -ENOMEM;
			for (unsigned ri = 0; ri < sv->n_routes; ri++)
				if (copy_route(c, &sv->routes[ri], &rs[ri]))
					return -ENOMEM;
		}
		vs[vi].routes = rs;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Hash tables                                                         */

static int
htab_init(struct cc *c, struct rt_htab *h, size_t n_keys)
{
	size_t cap = 8;

	h->n = 0;
	h->slot = NULL;
	h->mask = 0;
	if (n_keys == 0)
		return 0;
	while (cap < 2 * n_keys)	/* load <= 1/2 */
		cap *= 2;
	h->slot = cc_alloc(c, cap * sizeof(*h->slot));
	if (h->slot == NULL)
		return -ENOMEM;
	h->mask = (uint32_t)(cap - 1);
	return 0;
}

/*
 * Insert the lower-case key (owned by the arena) with val unless an equal
 * key is there. Returns the slot of the key (new or old); *found tells.
 */
static struct rt_slot *
htab_put(struct rt_htab *h, const char *key, uint32_t len, uint32_t val, bool *found)
{
	uint64_t hash = rt_hash_lower(key, len, len);
	uint32_t i;

	for (i = (uint32_t)hash & h->mask;; i = (i + 1) & h->mask) {
		struct rt_slot *e = &h->slot[i];

		if (e->key == NULL) {
			e->hash = hash;
			e->key = key;
			e->len = len;
			e->val = val;
			h->n++;
			*found = false;
			return e;
		}
		if (e->hash == hash && e->len == len && memcmp(e->key, key, len) == 0) {
			*found = true;
			return e;
		}
	}
}

/* A temporary case-sensitive map (tag, bytes) -> value, malloc'ed. */
struct tmap_e {
	uint64_t hash;
	const char *s;
	uint32_t len;
	uint32_t tag;
	uint32_t val;
};

struct tmap {
	struct tmap_e *e;
	uint32_t mask;
};

static int
tmap_init(struct tmap *m, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	m->e = calloc(cap, sizeof(*m->e));
	m->mask = (uint32_t)(cap - 1);
	return m->e == NULL ? -ENOMEM : 0;
}

static uint64_t
fnv1a(uint32_t tag, const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ tag;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
	return h;
}

/* The value of (tag, s), or RT_NONE after inserting it with val. */
static uint32_t
tmap_get_put(struct tmap *m, uint32_t tag, const char *s, size_t n, uint32_t val)
{
	uint64_t h = fnv1a(tag, s, n);
	uint32_t i;

	for (i = (uint32_t)h & m->mask;; i = (i + 1) & m->mask) {
		struct tmap_e *e = &m->e[i];

		if (e->s == NULL) {
			*e = (struct tmap_e){ h, s, (uint32_t)n, tag, val };
			return RT_NONE;
		}
		if (e->hash == h && e->tag == tag && e->len == n &&
		    memcmp(e->s, s, n) == 0)
			return e->val;
	}
}

/* ------------------------------------------------------------------ */
/* Domains                                                             */

enum dom_kind { DOM_EXACT, DOM_SUFFIX, DOM_PREFIX, DOM_DEFAULT };

static int
cmp_u32_desc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	return -cmp_u32_desc(a, b);
}

/* Sort and deduplicate; returns the new count. */
static uint32_t
uniq_u32(uint32_t *a, uint32_t n, bool desc)
{
	uint32_t k = 0;

	if (n == 0)
		return 0;
	qsort(a, n, sizeof(*a), desc ? cmp_u32_desc : cmp_u32);
	for (uint32_t i = 1; i < n; i++)
		if (a[i] != a[k])
			a[++k] = a[i];
	return k + 1;
}

static int
classify_domain(struct cc *c, unsigned di, const char *d, enum dom_kind *kind,
		const char **key, size_t *klen)
{
	size_t n = strlen(d);
	const char *star = strchr(d, '*');

	if (n == 0 || n > 256)
		return fail(c, "domains[%u]: empty or longer than 256 bytes", di);
	if (strcmp(d, "*") == 0) {
		*kind = DOM_DEFAULT;
		return 0;
	}
	if (!is_authority(d, true))
		return fail(c, "domains[%u] \"%s\": not an authority", di, d);
	if (star == NULL) {
		*kind = DOM_EXACT;
		*key = d;
		*klen = n;
		return 0;
	}
	if (strchr(star + 1, '*') != NULL || (star != d && star != d + n - 1))
		return fail(c, "domains[%u] \"%s\": '*' only as the whole domain or "
			    "at its start or end", di, d);
	if (strchr(d, ':') != NULL)
		return fail(c, "domains[%u] \"%s\": a wildcard domain cannot have "
			    "a port", di, d);
	if (star == d) {
		*kind = DOM_SUFFIX;
		*key = d + 1;
	} else {
		*kind = DOM_PREFIX;
		*key = d;
	}
	*klen = n - 1;
	return 0;
}

static int
compile_domains(struct cc *c)
{
	const struct mdp_route_table_conf *cfg = &c->t->conf;
	struct mdp_route_table *t = c->t;
	size_t n[3] = { 0, 0, 0 };
	uint32_t *sfx = NULL, *pfx = NULL, ns = 0, np = 0;
	struct tmap names = { 0 };
	int rc = -ENOMEM;

	for (unsigned vi = 0; vi < cfg->n_vhosts; vi++)
		for (unsigned di = 0; di < cfg->vhosts[vi].n_domains; di++) {
			const char *d = cfg->vhosts[vi].domains[di];

			n[d[0] == '*' ? 1 : d[strlen(d) - 1] == '*' ? 2 : 0]++;
		}
	if (htab_init(c, &t->dom_exact, n[0]) || htab_init(c, &t->dom_suffix, n[1]) ||
	    htab_init(c, &t->dom_prefix, n[2]))
		return -ENOMEM;
	sfx = malloc((n[1] + 1) * sizeof(*sfx));
	pfx = malloc((n[2] + 1) * sizeof(*pfx));
	if (sfx == NULL || pfx == NULL || tmap_init(&names, cfg->n_vhosts)) {
		oom(c);
		goto out;
	}
	t->dom_default = RT_NONE;

	for (unsigned vi = 0; vi < cfg->n_vhosts; vi++) {
		const struct mdp_route_vhost_conf *v = &cfg->vhosts[vi];
		uint32_t other;

		c->vi = vi;
		other = tmap_get_put(&names, 0, v->name, strlen(v->name), vi);
		if (other != RT_NONE) {
			rc = fail(c, "name: also the name of vhosts[%u]", other);
			goto out;
		}
		for (unsigned di = 0; di < v->n_domains; di++) {
			const char *d = v->domains[di], *key = NULL;
			size_t klen = 0;
			enum dom_kind kind = DOM_EXACT;
			struct rt_htab *h;
			struct rt_slot *e;
			char *lk;
			bool found;

			if ((rc = classify_domain(c, di, d, &kind, &key, &klen)) < 0)
				goto out;
			if (kind == DOM_EXACT && rt_host_len(key, klen) != klen)
				t->dom_port = true;
			if (kind == DOM_DEFAULT) {
				other = t->dom_default;
				t->dom_default = vi;
			} else {
				h = kind == DOM_EXACT ? &t->dom_exact :
				    kind == DOM_SUFFIX ? &t->dom_suffix : &t->dom_prefix;
				if ((lk = cc_lowerdup(c, key, klen)) == NULL) {
					rc = -ENOMEM;
					goto out;
				}
				e = htab_put(h, lk, (uint32_t)klen, vi, &found);
				other = found ? e->val : RT_NONE;
				if (kind == DOM_SUFFIX && !found)
					sfx[ns++] = (uint32_t)klen;
				if (kind == DOM_PREFIX && !found)
					pfx[np++] = (uint32_t)klen;
			}
			if (other == vi) {
				rc = fail(c, "domains[%u] \"%s\": listed twice", di, d);
				goto out;
			}
			if (other != RT_NONE) {
				rc = fail(c, "domains[%u] \"%s\": also in vhost \"%s\"",
					  di, d, cfg->vhosts[other].name);
				goto out;
			}
		}
	}
	c->vi = -1;
	ns = uniq_u32(sfx, ns, true);
	np = uniq_u32(pfx, np, true);
	{
		uint32_t *s = cc_alloc(c, (ns + 1) * sizeof(*s));
		uint32_t *p = cc_alloc(c, (np + 1) * sizeof(*p));

		if (s == NULL || p == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		memcpy(s, sfx, ns * sizeof(*s));
		memcpy(p, pfx, np * sizeof(*p));
		t->sfx_len = s;
		t->n_sfx_len = ns;
		t->pfx_len = p;
		t->n_pfx_len = np;
	}
	rc = 0;
out:
	free(names.e);
	free(sfx);
	free(pfx);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Hyperscan                                                           */

/* Every byte but [A-Za-z0-9] as \xHH: a literal inside any pattern. */
static char *
hs_escape(const char *s, size_t n)
{
	char *d = malloc(4 * n + 1), *p = d;

	if (d == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9'))
			*p++ = (char)ch;
		else
			p += sprintf(p, "\\x%02x", ch);
	}
	*p = '\0';
	return d;
}

#define RX_FLAGS	(HS_FLAG_DOTALL | HS_FLAG_ALLOWEMPTY)

/*
 * A configured regex as a full match: "^(?:re)\z". The regex is first
 * checked alone, so that an unbalanced one ("a)|(b") cannot escape the
 * group and change the anchoring; Hyperscan's message names the fault.
 */
static char *
rx_full(struct cc *c, const char *what, const char *re, unsigned flags)
{
	hs_expr_info_t *info = NULL;
	hs_compile_error_t *ce = NULL;
	size_t n = strlen(re);
	char *p;

	if (hs_expression_info(re, flags, &info, &ce) != HS_SUCCESS) {
		fail(c, "%s: hyperscan: %s", what, ce ? ce->message : "error");
		hs_free_compile_error(ce);
		return NULL;
	}
	free(info);	/* allocated with the default (malloc) allocator */
	p = malloc(n + 8);
	if (p == NULL) {
		oom(c);
		return NULL;
	}
	memcpy(p, "^(?:", 4);
	memcpy(p + 4, re, n);
	memcpy(p + 4 + n, ")\\z", 4);
	return p;
}

/* Patterns for one hs_compile_multi() call. */
struct pats {
	char **expr;
	unsigned *flags;
	unsigned *ids;
	uint32_t *ri;		/* route of the first user, for errors */
	uint32_t *ci;		/* condition index; bit 31: a query rule */
	unsigned n;
	unsigned cap;
};

static int
pats_add(struct pats *p, char *expr, unsigned flags, unsigned id, uint32_t ri,
	 uint32_t ci)
{
	if (p->n == p->cap) {
		unsigned cap = p->cap ? 2 * p->cap : 16;
		char **e = realloc(p->expr, cap * sizeof(*e));

		if (e != NULL)
			p->expr = e;
		unsigned *f = realloc(p->flags, cap * sizeof(*f));

		if (f != NULL)
			p->flags = f;
		unsigned *i = realloc(p->ids, cap * sizeof(*i));

		if (i != NULL)
			p->ids = i;
		uint32_t *r = realloc(p->ri, cap * sizeof(*r));

		if (r != NULL)
			p->ri = r;
		uint32_t *k = realloc(p->ci, cap * sizeof(*k));

		if (k != NULL)
			p->ci = k;
		if (e == NULL || f == NULL || i == NULL || r == NULL || k == NULL) {
			free(expr);
			return -ENOMEM;
		}
		p->cap = cap;
	}
	p->expr[p->n] = expr;
	p->flags[p->n] = flags;
	p->ids[p->n] = id;
	p->ri[p->n] = ri;
	p->ci[p->n] = ci;
	p->n++;
	return 0;
}

static void
pats_free(struct pats *p)
{
	for (unsigned i = 0; i < p->n; i++)
		free(p->expr[i]);
	free(p->expr);
	free(p->flags);
	free(p->ids);
	free(p->ri);
	free(p->ci);
	memset(p, 0, sizeof(*p));
}

static int
pats_compile(struct cc *c, struct pats *p, unsigned mode, const char *what,
	     hs_database_t **db)
{
	hs_compile_error_t *ce = NULL;
	int rc;

	if (hs_compile_multi((const char *const *)p->expr, p->flags, p->ids, p->n,
			     mode, NULL, db, &ce) == HS_SUCCESS)
		return 0;
	if (ce != NULL && ce->expression >= 0 && (unsigned)ce->expression < p->n) {
		uint32_t ci = p->ci[ce->expression];

		const struct mdp_route_match *m;

		c->ri = p->ri[ce->expression];
		m = &c->src->vhosts[c->vi].routes[c->ri].match;
		if (ci == RT_NONE)
			rc = fail(c, "path.regex: hyperscan: %s", ce->message);
		else if (ci >> 31)
			rc = fail(c, "queries[%u].regex: hyperscan: %s",
				  ci & 0x7fffffffu, ce->message);
		else
			rc = fail(c, "headers[%u].%s: hyperscan: %s", ci,
				  mdp_route_header_kind_name(m->headers[ci].kind),
				  ce->message);
	} else {
		c->ri = -1;
		rc = fail(c, "%s: hyperscan: %s", what, ce ? ce->message : "error");
	}
	hs_free_compile_error(ce);
	*db = NULL;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Virtual hosts                                                       */

static int
compile_route(struct cc *c, const struct mdp_route_conf *rc, struct rt_route *r)
{
	const struct mdp_route_match *m = &rc->match;
	struct rt_cond *k;
	struct rt_str *ext;

	r->path_kind = (uint8_t)m->path.kind;
	r->ignore_case = m->path.ignore_case;
	if (m->path.value != NULL) {
		r->path.s = m->path.value;
		r->path.len = (uint32_t)strlen(m->path.value);
	}

	ext = m->n_methods ? cc_alloc(c, m->n_methods * sizeof(*ext)) : NULL;
	if (m->n_methods && ext == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < m->n_methods; i++) {
		size_t n = strlen(m->methods[i]);
		uint32_t bit = rt_method_bit(m->methods[i], n);

		r->methods |= bit;
		if (bit == RT_M_OTHER)
			ext[r->n_ext++] = (struct rt_str){ m->methods[i], (uint32_t)n };
	}
	r->ext = ext;

	k = m->n_headers ? cc_alloc(c, m->n_headers * sizeof(*k)) : NULL;
	if (m->n_headers && k == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < m->n_headers; i++) {
		const struct mdp_route_header_match *h = &m->headers[i];
		size_t nl = strlen(h->name);

		k[i].name.s = cc_lowerdup(c, h->name, nl);
		if (k[i].name.s == NULL)
			return -ENOMEM;
		k[i].name.len = (uint32_t)nl;
		k[i].kind = (uint8_t)h->kind;
		k[i].invert = h->invert;
		k[i].grp = k[i].pat = RT_NONE;
		if (h->value != NULL && h->kind != MDP_ROUTE_HDR_PRESENT &&
		    h->kind != MDP_ROUTE_HDR_ABSENT) {
			k[i].val.s = h->value;
			k[i].val.len = (uint32_t)strlen(h->value);
			if (k[i].val.len == 0 && (h->kind == MDP_ROUTE_HDR_PREFIX ||
						  h->kind == MDP_ROUTE_HDR_SUFFIX ||
						  h->kind == MDP_ROUTE_HDR_CONTAINS))
				k[i].kind = MDP_ROUTE_HDR_PRESENT;
		}
	}
	r->hdr = k;
	r->n_hdr = (uint16_t)m->n_headers;

	k = m->n_queries ? cc_alloc(c, m->n_queries * sizeof(*k)) : NULL;
	if (m->n_queries && k == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < m->n_queries; i++) {
		const struct mdp_route_query_match *q = &m->queries[i];

		k[i].name.s = q->name;
		k[i].name.len = (uint32_t)strlen(q->name);
		k[i].kind = (uint8_t)q->kind;
		k[i].invert = q->invert;
		k[i].grp = k[i].pat = RT_NONE;
		if (q->value != NULL && q->kind != MDP_ROUTE_QUERY_PRESENT) {
			k[i].val.s = q->value;
			k[i].val.len = (uint32_t)strlen(q->value);
			if (k[i].val.len == 0 && q->kind == MDP_ROUTE_QUERY_PREFIX)
				k[i].kind = MDP_ROUTE_QUERY_PRESENT;
		}
	}
	r->qry = k;
	r->n_qry = (uint16_t)m->n_queries;
	r->uncond = r->methods == 0 && r->n_hdr == 0 && r->n_qry == 0;
	return 0;
}

static int
build_path_index(struct cc *c, const struct mdp_route_vhost_conf *vc,
		 struct rt_vhost *v)
{
	uint32_t n = vc->n_routes, n_ex = 0, n_px = 0, n_lists, n_plen = 0;
	uint32_t *grp = NULL, *cnt = NULL, *off = NULL, *plen = NULL, *lists;
	struct rt_slot **slots = NULL;
	int rc = -ENOMEM;

	for (uint32_t i = 0; i < n; i++) {
		n_ex += v->rr[i].path_kind == MDP_ROUTE_PATH_EXACT;
		n_px += v->rr[i].path_kind == MDP_ROUTE_PATH_PREFIX;
	}
	if (n_ex + n_px == 0)
		return 0;
	if (htab_init(c, &v->exact, n_ex) || htab_init(c, &v->prefix, n_px))
		return -ENOMEM;
	grp = malloc(n * sizeof(*grp));
	cnt = calloc(n_ex + n_px, sizeof(*cnt));
	off = malloc((n_ex + n_px) * sizeof(*off));
	slots = malloc((n_ex + n_px) * sizeof(*slots));
	plen = malloc((n_px + 1) * sizeof(*plen));
	if (grp == NULL || cnt == NULL || off == NULL || slots == NULL || plen == NULL) {
		oom(c);
		goto out;
	}

	/* one list per distinct lower-cased key, routes in ascending order */
	n_lists = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct rt_route *r = &v->rr[i];
		struct rt_slot *e;
		char *key;
		bool found;

		grp[i] = RT_NONE;
		if (r->path_kind != MDP_ROUTE_PATH_EXACT &&
		    r->path_kind != MDP_ROUTE_PATH_PREFIX)
			continue;
		if ((key = cc_lowerdup(c, r->path.s, r->path.len)) == NULL)
			goto out;
		e = htab_put(r->path_kind == MDP_ROUTE_PATH_EXACT ? &v->exact : &v->prefix,
			     key, r->path.len, n_lists, &found);
		if (!found) {
			slots[n_lists++] = e;
			if (r->path_kind == MDP_ROUTE_PATH_PREFIX)
				plen[n_plen++] = r->path.len;
		}
		grp[i] = e->val;
		cnt[e->val]++;
	}
	{
		uint32_t total = 0;

		for (uint32_t g = 0; g < n_lists; g++) {
			off[g] = total;
			total += 1 + cnt[g];
		}
		lists = cc_alloc(c, total * sizeof(*lists));
		if (lists == NULL)
			goto out;
	}
	for (uint32_t g = 0; g < n_lists; g++) {
		slots[g]->val = off[g];
		lists[off[g]] = 0;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (grp[i] == RT_NONE)
			continue;
		uint32_t o = off[grp[i]];

		lists[o + 1 + lists[o]++] = i;
	}
	v->lists = lists;
	n_plen = uniq_u32(plen, n_plen, false);
	{
		uint32_t *p = cc_alloc(c, (n_plen + 1) * sizeof(*p));
		uint64_t (*last)[4] = cc_alloc(c, (n_plen + 1) * sizeof(*last));

		if (p == NULL || last == NULL)
			goto out;
		memcpy(p, plen, n_plen * sizeof(*p));
		for (uint32_t i = 0; i < n; i++) {
			const struct rt_route *r = &v->rr[i];
			uint8_t b;
			uint32_t k = 0;

			if (r->path_kind != MDP_ROUTE_PATH_PREFIX)
				continue;
			while (p[k] != r->path.len)
				k++;
			b = rt_lower1((uint8_t)r->path.s[r->path.len - 1]);
			last[k][b >> 6] |= 1ull << (b & 63);
		}
		v->plen = p;
		v->plast = (const uint64_t (*)[4])last;
		v->n_plen = n_plen;
	}
	rc = 0;
out:
	free(grp);
	free(cnt);
	free(off);
	free(slots);
	free(plen);
	return rc;
}

static int
build_path_regex(struct cc *c, const struct mdp_route_vhost_conf *vc,
		 struct rt_vhost *v)
{
	struct pats p = { 0 };
	int rc = 0;

	for (uint32_t i = 0; i < vc->n_routes; i++) {
		const struct mdp_route_path_match *pm = &vc->routes[i].match.path;
		unsigned fl = RX_FLAGS | (pm->ignore_case ? HS_FLAG_CASELESS : 0);
		char *e;

		if (pm->kind != MDP_ROUTE_PATH_REGEX)
			continue;
		c->ri = i;
		if ((e = rx_full(c, "path.regex", pm->value, fl)) == NULL) {
			rc = c->oom ? -ENOMEM : -EINVAL;
			goto out;
		}
		if (pats_add(&p, e, fl | HS_FLAG_SINGLEMATCH, i, i, RT_NONE)) {
			rc = oom(c);
			goto out;
		}
		if (v->first_rx == v->n_routes)
			v->first_rx = i;
	}
	c->ri = -1;
	if (p.n > 0)
		rc = pats_compile(c, &p, HS_MODE_BLOCK, "path regexes", &v->rx_db);
out:
	pats_free(&p);
	return rc;
}

static int
grp_push(struct cc *c, struct pats *g)
{
	struct mdp_route_table *t = c->t;
	struct rt_grp *ng = realloc(t->grp, (t->n_grp + 1) * sizeof(*ng));
	hs_database_t *db = NULL;
	int rc;

	if (ng == NULL)
		return oom(c);
	t->grp = ng;
	if ((rc = pats_compile(c, g, HS_MODE_VECTORED, "header regexes", &db)) < 0)
		return rc;
	t->grp[t->n_grp].db = db;
	t->grp[t->n_grp].pat_base = t->n_pat;
	t->n_grp++;
	t->n_pat += g->n;
	return 0;
}

/*
 * Header CONTAINS/REGEX and query REGEX rules: one Hyperscan database per
 * (vhost, lower-cased header name) and per (vhost, query name), each
 * pattern (deduplicated) reporting its own id.
 */
static int
build_groups(struct cc *c, struct rt_vhost *v)
{
	struct mdp_route_table *t = c->t;
	struct tmap names = { 0 }, exprs = { 0 };
	struct pats *g = NULL;
	uint32_t n_conds = 0, n_g = 0;
	int rc = -ENOMEM;

	for (uint32_t i = 0; i < v->n_routes; i++)
		n_conds += v->rr[i].n_hdr + v->rr[i].n_qry;
	if (n_conds == 0)
		return 0;
	if (tmap_init(&names, n_conds) || tmap_init(&exprs, n_conds) ||
	    (g = calloc(n_conds, sizeof(*g))) == NULL) {
		oom(c);
		goto out;
	}

	for (uint32_t i = 0; i < v->n_routes; i++) {
		struct rt_route *r = (struct rt_route *)&v->rr[i];

		c->ri = i;
		for (uint32_t j = 0; j < (uint32_t)r->n_hdr + r->n_qry; j++) {
			bool q = j >= r->n_hdr;
			uint32_t ci = q ? j - r->n_hdr : j;
			struct rt_cond *k = (struct rt_cond *)(q ? &r->qry[ci] : &r->hdr[ci]);
			bool rx = q ? k->kind == MDP_ROUTE_QUERY_REGEX :
				      k->kind == MDP_ROUTE_HDR_REGEX;
			char what[32];
			uint32_t gi, id;
			unsigned fl;
			char *e;

			if (!rx && (q || k->kind != MDP_ROUTE_HDR_CONTAINS))
				continue;
			gi = tmap_get_put(&names, q, k->name.s, k->name.len, n_g);
			if (gi == RT_NONE)
				gi = n_g++;
			snprintf(what, sizeof(what), "%s[%u].regex", q ? "queries" : "headers",
				 ci);
			if (rx) {
				fl = RX_FLAGS | HS_FLAG_SINGLEMATCH;
				e = rx_full(c, what, k->val.s, RX_FLAGS);
				if (e == NULL) {
					rc = c->oom ? -ENOMEM : -EINVAL;
					goto out;
				}
			} else {
				fl = HS_FLAG_SINGLEMATCH;
				if ((e = hs_escape(k->val.s, k->val.len)) == NULL) {
					oom(c);
					goto out;
				}
			}
			/* dedup within the group: tag = group * 2 + regex-or-literal */
			id = tmap_get_put(&exprs, gi * 2 + rx, k->val.s, k->val.len, g[gi].n);
			if (id == RT_NONE) {
				id = g[gi].n;
				if (pats_add(&g[gi], e, fl, id, i, ci | (q ? 1u << 31 : 0))) {
					oom(c);
					goto out;
				}
			} else {
				free(e);
			}
			k->grp = gi;	/* local for now */
			k->pat = id;
		}
	}
	c->ri = -1;

	/* compile, then make group and pattern indices global */
	{
		uint32_t g0 = t->n_grp;
		uint32_t *base = malloc(n_g * sizeof(*base) + 1);

		if (base == NULL) {
			oom(c);
			goto out;
		}
		for (uint32_t gi = 0; gi < n_g; gi++) {
			base[gi] = t->n_pat;
			if ((rc = grp_push(c, &g[gi])) < 0) {
				free(base);
				goto out;
			}
		}
		for (uint32_t i = 0; i < v->n_routes; i++) {
			struct rt_route *r = (struct rt_route *)&v->rr[i];

			for (uint32_t j = 0; j < (uint32_t)r->n_hdr + r->n_qry; j++) {
				struct rt_cond *k = (struct rt_cond *)(j < r->n_hdr ?
					&r->hdr[j] : &r->qry[j - r->n_hdr]);

				if (k->grp != RT_NONE) {
					k->pat += base[k->grp];
					k->grp += g0;
				}
			}
		}
		free(base);
	}
	rc = 0;
out:
	if (g != NULL)
		for (uint32_t gi = 0; gi < n_conds; gi++)
			pats_free(&g[gi]);
	free(g);
	free(names.e);
	free(exprs.e);
	return rc;
}

static int
compile_vhost(struct cc *c, uint32_t vi, struct mdp_route *routes)
{
	struct mdp_route_table *t = c->t;
	const struct mdp_route_vhost_conf *vc = &t->conf.vhosts[vi];
	struct mdp_route_vhost *pv = &t->vhosts[vi];
	struct rt_vhost *v = &t->rv[vi];
	uint32_t n = vc->n_routes;
	struct rt_route *rr;
	uint32_t *any;
	int rc;

	c->vi = vi;
	pv->conf = vc;
	pv->routes = routes;
	pv->n_routes = n;
	pv->index = vi;
	v->n_routes = n;
	v->first_uncond = v->first_path = v->first_rx = n;
	if (n > t->max_routes)
		t->max_routes = n;

	rr = cc_alloc(c, (n + 1) * sizeof(*rr));
	any = cc_alloc(c, (n + 1) * sizeof(*any));
	if (rr == NULL || any == NULL)
		return -ENOMEM;
	v->rr = rr;
	v->anypath = any;

	for (uint32_t i = 0; i < n; i++) {
		const struct mdp_route_conf *rc_ = &vc->routes[i];
		struct mdp_route *r = &routes[i];

		c->ri = i;
		if ((rc = compile_route(c, rc_, &rr[i])) < 0)
			return rc;
		if (rr[i].path_kind == MDP_ROUTE_PATH_ANY) {
			any[v->n_anypath++] = i;
			if (rr[i].uncond && v->first_uncond == n)
				v->first_uncond = i;
		} else if (v->first_path == n) {
			v->first_path = i;
		}

		r->conf = rc_;
		r->vhost = pv;
		r->index = i;
		if (rc_->action.kind == MDP_ROUTE_ACT_CLUSTERS) {
			const struct mdp_route_forward *f = &rc_->action.forward;
			struct mdp_route_cluster *cl;
			uint32_t *sum, s = 0;

			cl = cc_alloc(c, f->n_clusters * sizeof(*cl));
			sum = cc_alloc(c, f->n_clusters * sizeof(*sum));
			if (cl == NULL || sum == NULL)
				return -ENOMEM;
			for (unsigned j = 0; j < f->n_clusters; j++) {
				cl[j].name = f->clusters[j].name;
				cl[j].weight = f->clusters[j].weight;
				cl[j].cluster_idx = MDP_ROUTE_CLUSTER_UNBOUND;
				s += f->clusters[j].weight;
				sum[j] = s;
			}
			r->clusters = cl;
			r->weight_sum = sum;
			r->n_clusters = f->n_clusters;
		}
	}
	c->ri = -1;
	if ((rc = build_path_index(c, vc, v)) < 0 ||
	    (rc = build_path_regex(c, vc, v)) < 0 ||
	    (rc = build_groups(c, v)) < 0)
		return rc;
	c->vi = -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Workers                                                             */

static int
scratch_for(struct cc *c, const hs_database_t *db)
{
	if (db != NULL && hs_alloc_scratch(db, &c->t->hs_proto) != HS_SUCCESS)
		return oom(c);
	return 0;
}

static int
alloc_workers(struct cc *c, unsigned n_workers)
{
	struct mdp_route_table *t = c->t;
	uint32_t nc = t->max_routes + 1;
	size_t nb = (nc + 63) / 64, nseg = 2 * MDP_ROUTE_MAX_VALUES;
	size_t sz;

	for (uint32_t vi = 0; vi < t->n_vhosts; vi++)
		if (scratch_for(c, t->rv[vi].rx_db))
			return -ENOMEM;
	for (uint32_t gi = 0; gi < t->n_grp; gi++)
		if (scratch_for(c, t->grp[gi].db))
			return -ENOMEM;

	t->w = calloc(n_workers, sizeof(*t->w));
	if (t->w == NULL)
		return oom(c);
	t->n_workers = n_workers;
	sz = sizeof(struct rt_worker) + nb * sizeof(uint64_t) + nseg * sizeof(char *) +
	     nc * sizeof(uint32_t) + (t->n_grp + t->n_pat) * sizeof(uint32_t) +
	     nseg * sizeof(unsigned);
	sz = (sz + 63) / 64 * 64;
	for (unsigned i = 0; i < n_workers; i++) {
		struct rt_worker *w = aligned_alloc(64, sz);
		char *p;

		if (w == NULL)
			return oom(c);
		memset(w, 0, sz);
		t->w[i] = w;
		p = (char *)(w + 1);
		w->bits = (uint64_t *)p;
		p += nb * sizeof(uint64_t);
		w->seg = (const char **)p;
		p += nseg * sizeof(char *);
		w->cand = (uint32_t *)p;
		p += nc * sizeof(uint32_t);
		w->grp_gen = (uint32_t *)p;
		p += t->n_grp * sizeof(uint32_t);
		w->pat_gen = (uint32_t *)p;
		p += t->n_pat * sizeof(uint32_t);
		w->seg_len = (unsigned *)p;
		if (t->hs_proto != NULL &&
		    hs_clone_scratch(t->hs_proto, &w->hs) != HS_SUCCESS)
			return oom(c);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* API                                                                 */

struct mdp_route_table *
mdp_route_table_compile(const struct mdp_route_table_conf *cfg, unsigned n_workers,
			char *err, size_t errlen)
{
	struct mdp_route_table *t;
	struct mdp_route *routes;
	struct cc c = { .src = cfg, .err = err, .errlen = errlen, .vi = -1, .ri = -1 };
	uint32_t total = 0;

	if (errlen > 0)
		err[0] = '\0';
	if (cfg == NULL || n_workers == 0 || n_workers > MDP_ROUTE_MAX_WORKERS) {
		fail(&c, "need a configuration and 1 to %u workers",
		     MDP_ROUTE_MAX_WORKERS);
		return NULL;
	}
	if (check_conf(&c) < 0)
		return NULL;

	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		oom(&c);
		return NULL;
	}
	c.t = t;
	t->n_vhosts = cfg->n_vhosts;
	if (copy_conf(&c) < 0)
		goto fail;
	/* from here on, messages and compilation use the table's own copy */
	c.src = &t->conf;
	for (unsigned vi = 0; vi < cfg->n_vhosts; vi++)
		total += cfg->vhosts[vi].n_routes;
	t->vhosts = cc_alloc(&c, (cfg->n_vhosts + 1) * sizeof(*t->vhosts));
	t->rv = cc_alloc(&c, (cfg->n_vhosts + 1) * sizeof(*t->rv));
	routes = cc_alloc(&c, (total + 1) * sizeof(*routes));
	if (t->vhosts == NULL || t->rv == NULL || routes == NULL)
		goto fail;
	if (compile_domains(&c) < 0)
		goto fail;
	for (uint32_t vi = 0; vi < t->n_vhosts; vi++) {
		if (compile_vhost(&c, vi, routes) < 0)
			goto fail;
		routes += t->conf.vhosts[vi].n_routes;
	}
	if (alloc_workers(&c, n_workers) < 0)
		goto fail;
	return t;
fail:
	mdp_route_table_free(t);
	return NULL;
}

void
mdp_route_table_free(struct mdp_route_table *t)
{
	if (t == NULL)
		return;
	if (t->w != NULL) {
		for (unsigned i = 0; i < t->n_workers; i++) {
			if (t->w[i] != NULL)
				hs_free_scratch(t->w[i]->hs);
			free(t->w[i]);
		}
		free(t->w);
	}
	hs_free_scratch(t->hs_proto);
	for (uint32_t gi = 0; gi < t->n_grp; gi++)
		hs_free_database(t->grp[gi].db);
	free(t->grp);
	if (t->rv != NULL)
		for (uint32_t vi = 0; vi < t->n_vhosts; vi++)
			hs_free_database(t->rv[vi].rx_db);
	ar_free(t->arena);
	free(t);
}

int
mdp_route_table_bind(struct mdp_route_table *t,
		     int (*resolve)(void *ctx, const char *name, uint32_t *idx),
		     void *ctx, char *err, size_t errlen)
{
	struct cc c = { .src = &t->conf, .t = t, .err = err, .errlen = errlen,
			.vi = -1, .ri = -1 };

	if (errlen > 0)
		err[0] = '\0';
	for (uint32_t vi = 0; vi < t->n_vhosts; vi++) {
		const struct mdp_route_vhost *v = &t->vhosts[vi];

		for (uint32_t ri = 0; ri < v->n_routes; ri++) {
			const struct mdp_route *r = &v->routes[ri];

			for (uint32_t j = 0; j < r->n_clusters; j++) {
				uint32_t idx = MDP_ROUTE_CLUSTER_UNBOUND;
				int rc = resolve(ctx, r->clusters[j].name, &idx);

				if (rc < 0) {
					c.vi = vi;
					c.ri = ri;
					fail(&c, "clusters[%u]: unknown cluster \"%s\"", j,
					     r->clusters[j].name);
					return rc;
				}
				r->clusters[j].cluster_idx = idx;
			}
		}
	}
	return 0;
}

const struct mdp_route_table_conf *
mdp_route_table_conf(const struct mdp_route_table *t)
{
	return &t->conf;
}

unsigned
mdp_route_table_n_vhosts(const struct mdp_route_table *t)
{
	return t->n_vhosts;
}

const struct mdp_route_vhost *
mdp_route_table_vhost(const struct mdp_route_table *t, unsigned i)
{
	return i < t->n_vhosts ? &t->vhosts[i] : NULL;
}

static const char *const path_kinds[] = { "any", "exact", "prefix", "regex" };
static const char *const header_kinds[] = { "exact", "prefix", "suffix", "contains",
					    "regex", "present", "absent" };
static const char *const query_kinds[] = { "exact", "prefix", "regex", "present" };
static const char *const action_kinds[] = { "clusters", "direct", "redirect" };

#define N_OF(a)	(sizeof(a) / sizeof((a)[0]))

static const char *
kind_name(const char *const *names, size_t n, unsigned k)
{
	return k < n ? names[k] : "?";
}

static int
kind_from_name(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

/* mdp_route_<what>_kind_name() and mdp_route_<what>_kind_from_name() */
#define KIND_NAMES(what, type, names)                                    \
	const char *mdp_route_##what##_kind_name(type k)                 \
	{                                                                \
		return kind_name(names, N_OF(names), k);                 \
	}                                                                \
	int mdp_route_##what##_kind_from_name(const char *s)             \
	{                                                                \
		return kind_from_name(names, N_OF(names), s);            \
	}

KIND_NAMES(path, enum mdp_route_path_kind, path_kinds)
KIND_NAMES(header, enum mdp_route_header_kind, header_kinds)
KIND_NAMES(query, enum mdp_route_query_kind, query_kinds)
KIND_NAMES(action, enum mdp_route_action_kind, action_kinds)
