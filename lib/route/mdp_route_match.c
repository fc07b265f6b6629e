/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route matching: worker cores. No allocation, no lock, no system call;
 * writes only the calling worker's struct rt_worker. How the candidates
 * are found and why the cost stays flat: docs/routing.md.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <hs.h>

#include "route/mdp_route.h"
#include "route/mdp_route_impl.h"

/* Candidates above this many are sorted through the worker's bitset. */
#define SORT_SMALL	24

struct rt_ctx {
	const struct mdp_route_table *t;
	const struct rt_vhost *v;
	struct rt_worker *w;
	const struct mdp_route_req *req;
	uint32_t mbit;		/* RT_M_* of the request's method */
	uint32_t limit;		/* a route known to match; only lower ones matter */
	uint32_t n_cand;
};

/* ------------------------------------------------------------------ */
/* Virtual host                                                        */

static uint32_t
find_vhost(const struct mdp_route_table *t, const char *a, size_t n)
{
	size_t hn;
	uint32_t v;

	hn = rt_host_len(a, n);
	if (t->dom_exact.n > 0) {
		if (hn != n && t->dom_port) {
			v = rt_htab_find(&t->dom_exact, rt_hash_lower(a, n, n), a, n, n);
			if (v != RT_NONE)
				return v;
		}
		v = rt_htab_find(&t->dom_exact, rt_hash_lower(a, hn, n), a, hn, n);
		if (v != RT_NONE)
			return v;
	}
	/* longest wildcard first; '*' stands for at least one character */
	for (uint32_t i = 0; i < t->n_sfx_len; i++) {
		size_t l = t->sfx_len[i];
		const char *s = a + hn - l;

		if (l >= hn)
			continue;
		v = rt_htab_find(&t->dom_suffix, rt_hash_lower(s, l, n - (hn - l)), s, l,
				 n - (hn - l));
		if (v != RT_NONE)
			return v;
	}
	for (uint32_t i = 0; i < t->n_pfx_len; i++) {
		size_t l = t->pfx_len[i];

		if (l >= hn)
			continue;
		v = rt_htab_find(&t->dom_prefix, rt_hash_lower(a, l, n), a, l, n);
		if (v != RT_NONE)
			return v;
	}
	return t->dom_default;
}

/* ------------------------------------------------------------------ */
/* Path candidates                                                     */

static inline void
push(struct rt_ctx *c, uint32_t id)
{
	c->w->cand[c->n_cand++] = id;
	if (c->v->rr[id].uncond)
		c->limit = id;	/* callers push only ids below the limit */
}

/* Routes of a hash list whose path (of length n) equals p[0..n). */
static void
push_list(struct rt_ctx *c, uint32_t off, const char *p, size_t n)
{
	const uint32_t *l;

	if (off == RT_NONE)
		return;
	l = &c->v->lists[off];
	for (uint32_t j = 1; j <= l[0]; j++) {
		uint32_t id = l[j];
		const struct rt_route *r = &c->v->rr[id];

		if (id >= c->limit)
			break;	/* ascending */
		/* the key matched ignoring case; a case-sensitive route checks */
		if (!r->ignore_case && memcmp(r->path.s, p, n) != 0)
			continue;
		push(c, id);
	}
}

/*
 * Exact paths and prefixes: one pass over the path computing the running
 * hash, a lookup at each configured prefix length and at the end.
 */
static void
find_hashed(struct rt_ctx *c)
{
	const struct rt_vhost *v = c->v;
	const char *p = c->req->path;
	size_t n = c->req->path_len, i = 0;
	uint64_t h = RT_SEED, hl;

	for (uint32_t k = 0; k < v->n_plen; k++) {
		size_t l = v->plen[k];
		uint8_t last;

		if (l > n)
			break;
		/* most lengths end on a byte no prefix of that length ends on */
		last = rt_lower1((uint8_t)p[l - 1]);
		if (!(v->plast[k][last >> 6] >> (last & 63) & 1))
			continue;
		for (; i + 8 <= l; i += 8)
			h = rt_mix(h, rt_lower8(rt_load8(p + i)));
		hl = i < l ? rt_mix(h, rt_lower8(rt_tail(p + i, l - i, n - i))) : h;
		push_list(c, rt_htab_find(&v->prefix, rt_fin(hl, l), p, l, n), p, l);
	}
	if (v->exact.n > 0) {
		for (; i + 8 <= n; i += 8)
			h = rt_mix(h, rt_lower8(rt_load8(p + i)));
		hl = i < n ? rt_mix(h, rt_lower8(rt_tail(p + i, n - i, n - i))) : h;
		push_list(c, rt_htab_find(&v->exact, rt_fin(hl, n), p, n, n), p, n);
	}
}

static int
on_path_regex(unsigned id, unsigned long long from, unsigned long long to,
	      unsigned flags, void *ctx)
{
	struct rt_ctx *c = ctx;

	(void)from;
	(void)to;
	(void)flags;
	if (id < c->limit)
		push(c, id);
	/* stop once no regex route can come before the known match */
	return c->limit <= c->v->first_rx;
}

/* Sort the candidates below the limit, ascending; returns their count. */
static uint32_t
sort_cand(struct rt_ctx *c)
{
	uint32_t *a = c->w->cand, n = c->n_cand, lim = c->limit, k = 0;

	if (n <= SORT_SMALL) {
		for (uint32_t i = 0; i < n; i++) {
			uint32_t x = a[i], j = k;

			if (x >= lim)
				continue;
			while (j > 0 && a[j - 1] > x) {
				a[j] = a[j - 1];
				j--;
			}
			a[j] = x;
			k++;
		}
		return k;
	}
	/* many: a pass through the bitset, O(n + range / 64) */
	{
		uint64_t *b = c->w->bits;
		uint32_t lo = UINT32_MAX, hi = 0;

		for (uint32_t i = 0; i < n; i++) {
			uint32_t x = a[i];

			if (x >= lim)
				continue;
			b[x >> 6] |= 1ull << (x & 63);
			lo = x < lo ? x : lo;
			hi = x > hi ? x : hi;
		}
		if (lo == UINT32_MAX)
			return 0;
		for (uint32_t wi = lo >> 6; wi <= hi >> 6; wi++) {
			uint64_t m = b[wi];

			b[wi] = 0;
			while (m != 0) {
				a[k++] = wi << 6 | (uint32_t)__builtin_ctzll(m);
				m &= m - 1;
			}
		}
		return k;
	}
}

/* ------------------------------------------------------------------ */
/* Header and query rules                                              */

struct grp_scan {
	uint32_t *pat_gen;
	uint32_t base;
	uint32_t gen;
};

static int
on_grp(unsigned id, unsigned long long from, unsigned long long to,
       unsigned flags, void *ctx)
{
	struct grp_scan *s = ctx;

	(void)from;
	(void)to;
	(void)flags;
	s->pat_gen[s->base + id] = s->gen;
	return 0;
}

/*
 * Did k's pattern match the ns segments? One scan of k's group database
 * per request answers every rule of the group. -1: Hyperscan failed.
 */
static int
grp_test(struct rt_ctx *c, const struct rt_cond *k, unsigned ns)
{
	struct rt_worker *w = c->w;

	if (w->grp_gen[k->grp] != w->gen) {
		const struct rt_grp *g = &c->t->grp[k->grp];
		struct grp_scan s = { w->pat_gen, g->pat_base, w->gen };

		if (hs_scan_vector(g->db, w->seg, w->seg_len, ns, 0, w->hs, on_grp,
				   &s) != HS_SUCCESS)
			return -1;
		w->grp_gen[k->grp] = w->gen;
	}
	return w->pat_gen[k->pat] == w->gen;
}

/* Do the ns segments, joined, hold lit at byte offset off? */
static bool
segs_eq_at(const char *const *seg, const unsigned *len, unsigned ns, size_t off,
	   const char *lit, size_t l)
{
	unsigned i = 0;

	while (i < ns && off >= len[i]) {
		off -= len[i];
		i++;
	}
	while (l > 0) {
		size_t k;

		if (i >= ns)
			return false;
		k = len[i] - off < l ? len[i] - off : l;
		if (k > 0 && memcmp(seg[i] + off, lit, k) != 0)
			return false;
		lit += k;
		l -= k;
		off = 0;
		i++;
	}
	return true;
}

/* 1: the rule holds before inversion; 0: it does not; -1: fail the route. */
static int
value_test(struct rt_ctx *c, const struct rt_cond *k, unsigned ns)
{
	const char *const *seg = c->w->seg;
	const unsigned *len = c->w->seg_len;
	size_t total = 0;

	for (unsigned i = 0; i < ns; i++)
		total += len[i];
	switch (k->kind) {
	case MDP_ROUTE_HDR_EXACT:
		return total == k->val.len &&
		       segs_eq_at(seg, len, ns, 0, k->val.s, k->val.len);
	case MDP_ROUTE_HDR_PREFIX:
		return total >= k->val.len &&
		       segs_eq_at(seg, len, ns, 0, k->val.s, k->val.len);
	case MDP_ROUTE_HDR_SUFFIX:
		return total >= k->val.len &&
		       segs_eq_at(seg, len, ns, total - k->val.len, k->val.s,
				  k->val.len);
	default:	/* CONTAINS, REGEX */
		return grp_test(c, k, ns);
	}
}

static bool
hdr_ok(struct rt_ctx *c, const struct rt_cond *k)
{
	const struct mdp_route_hdr *h = c->req->hdrs;
	struct rt_worker *w = c->w;
	unsigned nv = 0;
	int res;

	for (unsigned i = 0; i < c->req->n_hdrs; i++) {
		if (h[i].name_len != k->name.len ||
		    !rt_eq_key(k->name.s, h[i].name, k->name.len, h[i].name_len))
			continue;
		if (nv == MDP_ROUTE_MAX_VALUES)
			return false;
		if (nv > 0) {
			w->seg[2 * nv - 1] = ",";
			w->seg_len[2 * nv - 1] = 1;
		}
		w->seg[2 * nv] = h[i].value;
		w->seg_len[2 * nv] = h[i].value_len;
		nv++;
	}
	if (k->kind == MDP_ROUTE_HDR_PRESENT)
		res = nv > 0;
	else if (k->kind == MDP_ROUTE_HDR_ABSENT)
		res = nv == 0;
	else if (nv == 0)
		res = 0;
	else if ((res = value_test(c, k, 2 * nv - 1)) < 0)
		return false;
	return (res != 0) != k->invert;
}

/* The first parameter named name in the raw query. */
static bool
query_find(const char *q, size_t qlen, const struct rt_str *name,
	   const char **val, size_t *vlen)
{
	const char *p = q, *end = q + qlen;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *eq, *kend;

		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		kend = eq != NULL ? eq : amp;
		if ((size_t)(kend - p) == name->len && memcmp(p, name->s, name->len) == 0) {
			*val = eq != NULL ? eq + 1 : amp;
			*vlen = (size_t)(amp - *val);
			return true;
		}
		p = amp + 1;
	}
	return false;
}

static bool
qry_ok(struct rt_ctx *c, const struct rt_cond *k)
{
	const char *v = NULL;
	size_t vl = 0;
	bool found = c->req->query_len > 0 &&
		     query_find(c->req->query, c->req->query_len, &k->name, &v, &vl);
	int res;

	if (k->kind == MDP_ROUTE_QUERY_PRESENT)
		res = found;
	else if (!found)
		res = 0;
	else if (k->kind == MDP_ROUTE_QUERY_EXACT)
		res = vl == k->val.len && memcmp(v, k->val.s, vl) == 0;
	else if (k->kind == MDP_ROUTE_QUERY_PREFIX)
		res = vl >= k->val.len && memcmp(v, k->val.s, k->val.len) == 0;
	else {
		c->w->seg[0] = v;
		c->w->seg_len[0] = (unsigned)vl;
		if ((res = grp_test(c, k, 1)) < 0)
			return false;
	}
	return (res != 0) != k->invert;
}

static bool
method_ok(const struct rt_ctx *c, const struct rt_route *r)
{
	if ((r->methods & c->mbit) == 0)
		return false;
	if (c->mbit != RT_M_OTHER)
		return true;
	for (uint16_t i = 0; i < r->n_ext; i++)
		if (r->ext[i].len == c->req->method_len &&
		    memcmp(r->ext[i].s, c->req->method, r->ext[i].len) == 0)
			return true;
	return false;
}

/* The route's rules other than the path. */
static bool
route_ok(struct rt_ctx *c, const struct rt_route *r)
{
	if (r->methods != 0 && !method_ok(c, r))
		return false;
	for (uint16_t i = 0; i < r->n_hdr; i++)
		if (!hdr_ok(c, &r->hdr[i]))
			return false;
	for (uint16_t i = 0; i < r->n_qry; i++)
		if (!qry_ok(c, &r->qry[i]))
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* API                                                                 */

const struct mdp_route *
mdp_route_table_match(const struct mdp_route_table *t, unsigned worker,
		      const struct mdp_route_req *req,
		      const struct mdp_route_vhost **vhost_out)
{
	const struct mdp_route *routes;
	const struct rt_vhost *v;
	struct rt_ctx c;
	uint32_t vi, n, ia, ic;

	assert(worker < t->n_workers);
	vi = find_vhost(t, req->authority, req->authority_len);
	if (vhost_out != NULL)
		*vhost_out = vi != RT_NONE ? &t->vhosts[vi] : NULL;
	if (vi == RT_NONE)
		return NULL;
	v = &t->rv[vi];
	routes = t->vhosts[vi].routes;

	c.t = t;
	c.v = v;
	c.w = t->w[worker];
	c.req = req;
	c.limit = v->first_uncond;
	c.n_cand = 0;
	if (c.limit == 0)	/* a catch-all first, or no route at all */
		return v->n_routes > 0 ? &routes[0] : NULL;
	c.mbit = rt_method_bit(req->method, req->method_len);
	if (++c.w->gen == 0) {
		memset(c.w->grp_gen, 0, t->n_grp * sizeof(uint32_t));
		memset(c.w->pat_gen, 0, t->n_pat * sizeof(uint32_t));
		c.w->gen = 1;
	}

	if (v->first_path < c.limit) {
		find_hashed(&c);
		if (v->rx_db != NULL && v->first_rx < c.limit) {
			hs_error_t e = hs_scan(v->rx_db, req->path, req->path_len, 0,
					       c.w->hs, on_path_regex, &c);

			/* any other failure leaves the regex routes unmatched */
			(void)e;
		}
	}

	/* the candidates and the routes without a path rule, in order */
	n = sort_cand(&c);
	ia = ic = 0;
	for (;;) {
		uint32_t a = ia < v->n_anypath ? v->anypath[ia] : UINT32_MAX;
		uint32_t p = ic < n ? c.w->cand[ic] : UINT32_MAX;
		uint32_t id = a < p ? a : p;

		if (id >= c.limit)
			break;
		if (a < p)
			ia++;
		else
			ic++;
		if (route_ok(&c, &v->rr[id]))
			return &routes[id];
	}
	return c.limit < v->n_routes ? &routes[c.limit] : NULL;
}

uint32_t
mdp_route_pick_cluster(const struct mdp_route *r, uint64_t rnd)
{
	const uint32_t *s = r->weight_sum;
	uint32_t n = r->n_clusters, x, lo, hi;

	assert(n > 0);
	x = (uint32_t)(rnd % s[n - 1]);
	if (n <= 8) {
		uint32_t i = 0;

		while (s[i] <= x)
			i++;
		return i;
	}
	lo = 0;
	hi = n - 1;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (s[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
