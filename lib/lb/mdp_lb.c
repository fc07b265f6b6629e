/* SPDX-License-Identifier: BSD-3-Clause */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb/mdp_lb.h"
#include "util/mdp_err.h"
#include "tcp/mdp_siphash.h"
#include "util/mdp_inet.h"
#include "util/mdp_rand.h"

#define CACHE_LINE	64
#define MAX_WORKERS	1024u
#define EMPTY		0xffffu	/* free Maglev slot; indices stop at 65534 */

/* Endpoint identity (address, port) for mdp_lb_find() and duplicates. */
struct ep_key {
	uint64_t key;
	uint32_t idx;
};

/*
 * A worker's slice: this header, then uint32_t active[n], then (round robin
 * that scans) int64_t cur[n_live]; rounded up to whole cache lines.
 */
struct slice {
	uint32_t pos;		/* round robin: next entry of seq */
	struct mdp_rand rng;	/* least request */
};

struct mdp_lb {
	enum mdp_lb_policy policy;
	unsigned n;			/* endpoints given */
	unsigned n_live;
	unsigned n_workers;
	uint64_t total;			/* sum of lw[] */
	bool equal;			/* all live weights equal */
	struct mdp_lb_endpoint *eps;	/* [n] */
	struct ep_key *keys;		/* [n], ascending */
	uint16_t *live;			/* [n_live] live indices, build order */
	uint32_t *lw;			/* [n_live] their weights */
	uint32_t *wsum;			/* least request, unequal: prefix sums */
	/* round robin: one period of the sequence (== live when weights are
	 * equal); NULL when picks scan */
	const uint16_t *seq;
	uint16_t *seq_mem;
	uint32_t period;
	uint16_t *table;		/* maglev: [table_size] */
	uint32_t table_size;
	char *slices;			/* n_workers x slice_size */
	size_t slice_size;
	size_t active_off;
	size_t cur_off;			/* 0: no cur[] */
	size_t mem_shared;
};


static inline struct slice *
slice_of(const struct mdp_lb *lb, unsigned w)
{
	return (struct slice *)(void *)(lb->slices + (size_t)w * lb->slice_size);
}

static inline uint32_t *
active_of(const struct mdp_lb *lb, unsigned w)
{
	return (uint32_t *)(void *)(lb->slices + (size_t)w * lb->slice_size +
				    lb->active_off);
}

static inline int64_t *
cur_of(const struct mdp_lb *lb, unsigned w)
{
	return (int64_t *)(void *)(lb->slices + (size_t)w * lb->slice_size +
				   lb->cur_off);
}

static inline uint64_t
ep_key(uint32_t addr, uint16_t port)
{
	return (uint64_t)addr << 16 | port;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct ep_key *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static uint64_t
gcd64(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static bool
is_prime(uint32_t m)
{
	uint32_t d;

	if (m < 2)
		return false;
	for (d = 2; (uint64_t)d * d <= m; d++)
		if (m % d == 0)
			return false;
	return true;
}

/*
 * nginx's smooth weighted round robin step: raise every current value by
 * its weight, take the largest (the first on a tie), lower it by the total.
 * Returns the live position picked.
 */
static unsigned
wrr_step(const struct mdp_lb *lb, int64_t *cur)
{
	unsigned k, best = 0;
	int64_t max = INT64_MIN;

	/* written so that the compiler selects rather than branches: the
	 * comparison is unpredictable */
	for (k = 0; k < lb->n_live; k++) {
		int64_t c = cur[k] + lb->lw[k];

		cur[k] = c;
		best = c > max ? k : best;
		max = c > max ? c : max;
	}
	cur[best] -= (int64_t)lb->total;
	return best;
}

/*
 * The sequence repeats after total / gcd picks (every current value is back
 * at 0), so a short period is computed once and shared.
 */
static int
wrr_build(struct mdp_lb *lb)
{
	uint64_t g = 0;
	int64_t *cur;
	unsigned k;
	uint32_t p;

	if (lb->equal) {
		/* the steps then visit the live endpoints in order */
		lb->seq = lb->live;
		lb->period = lb->n_live;
		return 0;
	}
	for (k = 0; k < lb->n_live; k++)
		g = gcd64(g, lb->lw[k]);
	if (lb->total / g > MDP_LB_WRR_TABLE_MAX)
		return 0;	/* scan per pick */

	lb->period = (uint32_t)(lb->total / g);
	lb->seq_mem = malloc(lb->period * sizeof(lb->seq_mem[0]));
	cur = calloc(lb->n_live, sizeof(*cur));
	if (lb->seq_mem == NULL || cur == NULL) {
		free(cur);
		return -ENOMEM;
	}
	for (p = 0; p < lb->period; p++)
		lb->seq_mem[p] = lb->live[wrr_step(lb, cur)];
	free(cur);
	lb->seq = lb->seq_mem;
	lb->mem_shared += lb->period * sizeof(lb->seq_mem[0]);
	return 0;
}

static int
wrr_pick(struct mdp_lb *lb, unsigned w)
{
	struct slice *s = slice_of(lb, w);
	unsigned i;

	if (lb->seq != NULL) {
		i = lb->seq[s->pos];
		if (++s->pos == lb->period)
			s->pos = 0;
		return (int)i;
	}
	return lb->live[wrr_step(lb, cur_of(lb, w))];
}

/* Uniform in [0, n) from 32 random bits (Lemire's multiply-shift). */
static inline uint32_t
below(uint32_t r, uint64_t n)
{
	return (uint32_t)(((uint64_t)r * n) >> 32);
}

/* The live position whose weight interval [wsum - lw, wsum) holds x. */
static unsigned
weighted_find(const struct mdp_lb *lb, uint64_t x)
{
	const uint32_t *b = lb->wsum;
	unsigned len = lb->n_live;

	/* Branch-free binary search (the draws are random, so a branch
	 * would mispredict half the time). The answer lies in [b, b + len);
	 * it exists because x < total == wsum[n_live - 1]. */
	while (len > 1) {
		unsigned half = len / 2;

		b += (b[half - 1] <= x) * half;
		len -= half;
	}
	return (unsigned)(b - lb->wsum);
}

/*
 * Power of two choices. With unequal weights both draws are in proportion
 * to weight (the second among the others), and the lower load per weight
 * wins, active / weight compared by cross-multiplying; a tie keeps the
 * first draw, so an idle cluster gets exactly the weights' proportions.
 */
static int
p2c_pick(struct mdp_lb *lb, unsigned w)
{
	struct slice *s = slice_of(lb, w);
	const uint32_t *active = active_of(lb, w);
	uint32_t r1, r2, a, b, i, j, start;
	uint64_t x;

	if (lb->n_live == 1)
		return lb->live[0];
	r1 = mdp_rand_u32(&s->rng);
	r2 = mdp_rand_u32(&s->rng);
	if (lb->equal) {
		a = below(r1, lb->n_live);
		b = below(r2, lb->n_live - 1);
		if (b >= a)
			b++;
		i = lb->live[a];
		j = lb->live[b];
		return (int)(active[j] < active[i] ? j : i);
	}
	a = weighted_find(lb, below(r1, lb->total));
	x = below(r2, lb->total - lb->lw[a]);
	start = lb->wsum[a] - lb->lw[a];
	if (x >= start)
		x += lb->lw[a];	/* skip a's interval */
	b = weighted_find(lb, x);
	i = lb->live[a];
	j = lb->live[b];
	if ((uint64_t)active[j] * lb->lw[a] < (uint64_t)active[i] * lb->lw[b])
		return (int)j;
	return (int)i;
}

static int
p2c_build(struct mdp_lb *lb)
{
	uint64_t sum = 0;
	unsigned k;

	if (lb->equal)
		return 0;
	lb->wsum = malloc(lb->n_live * sizeof(lb->wsum[0]));
	if (lb->wsum == NULL)
		return -ENOMEM;
	for (k = 0; k < lb->n_live; k++) {
		sum += lb->lw[k];
		lb->wsum[k] = (uint32_t)sum;	/* total < 2^32 (header bounds) */
	}
	lb->mem_shared += lb->n_live * sizeof(lb->wsum[0]);
	return 0;
}

/* The endpoint's identity as bytes, independent of the host's order. */
static uint64_t
ep_hash(const struct mdp_lb_endpoint *ep)
{
	uint8_t b[6] = {
		(uint8_t)(ep->addr >> 24), (uint8_t)(ep->addr >> 16),
		(uint8_t)(ep->addr >> 8), (uint8_t)ep->addr,
		(uint8_t)(ep->port >> 8), (uint8_t)ep->port,
	};

	return mdp_lb_hash_bytes(b, sizeof(b));
}

struct mg_entry {
	uint64_t round;		/* heap order: round of the next turn */
	uint32_t credit;	/* walk order: weight earned, not spent */
	uint32_t turns;		/* turns taken */
	uint32_t pos;		/* next slot of the permutation to try */
	uint32_t skip;
};

/* pos, skip < m < 2^24: the sum cannot wrap */
static inline void
next_slot(struct mg_entry *e, uint32_t m)
{
	e->pos += e->skip;
	if (e->pos >= m)
		e->pos -= m;
}

/* Live endpoint k takes a turn: the next free slot of its permutation. */
static void
mg_claim(struct mdp_lb *lb, struct mg_entry *x, unsigned k, uint32_t m)
{
	while (lb->table[x->pos] != EMPTY)
		next_slot(x, m);
	lb->table[x->pos] = lb->live[k];
	next_slot(x, m);
	x->turns++;
}

/* Turns round by round: each endpoint earns its weight, a turn costs wmax. */
static void
mg_fill_walk(struct mdp_lb *lb, struct mg_entry *e, uint32_t wmax, uint32_t m)
{
	uint32_t filled = 0;
	unsigned k;

	for (;;) {
		for (k = 0; k < lb->n_live; k++) {
			e[k].credit += lb->lw[k];
			if (e[k].credit < wmax)
				continue;
			e[k].credit -= wmax;
			mg_claim(lb, &e[k], k, m);
			if (++filled == m)
				return;
		}
	}
}

/* Turn order: by round, then by live position. */
static inline bool
mg_before(const struct mg_entry *e, uint32_t a, uint32_t b)
{
	return e[a].round != e[b].round ? e[a].round < e[b].round : a < b;
}

static void
mg_sift_down(uint32_t *heap, unsigned n, unsigned i, const struct mg_entry *e)
{
	for (;;) {
		unsigned l = 2 * i + 1, best = i;
		uint32_t t;

		if (l < n && mg_before(e, heap[l], heap[best]))
			best = l;
		if (l + 1 < n && mg_before(e, heap[l + 1], heap[best]))
			best = l + 1;
		if (best == i)
			return;
		t = heap[i];
		heap[i] = heap[best];
		heap[best] = t;
		i = best;
	}
}

/* ceil(t * wmax / w): the round of an endpoint's t-th turn in the walk */
static inline uint64_t
turn_round(uint64_t t, uint32_t wmax, uint32_t w)
{
	return (t * wmax + w - 1) / w;
}

/* The same turns in the same order, from a heap keyed by (round, k). */
static int
mg_fill_heap(struct mdp_lb *lb, struct mg_entry *e, uint32_t wmax, uint32_t m)
{
	unsigned n = lb->n_live, k;
	uint32_t *heap, filled;

	heap = malloc(n * sizeof(*heap));
	if (heap == NULL)
		return -ENOMEM;
	for (k = 0; k < n; k++) {
		e[k].round = turn_round(1, wmax, lb->lw[k]);
		heap[k] = k;
	}
	for (k = n / 2; k-- > 0;)
		mg_sift_down(heap, n, k, e);
	for (filled = 0; filled < m; filled++) {
		k = heap[0];
		mg_claim(lb, &e[k], k, m);
		e[k].round = turn_round(e[k].turns + 1ull, wmax, lb->lw[k]);
		mg_sift_down(heap, n, 0, e);
	}
	free(heap);
	return 0;
}

/*
 * Maglev (Eisenbud et al., NSDI 2016, 3.4): every endpoint walks its own
 * permutation of the slots (offset + j * skip mod M, M prime, both from
 * the endpoint's identity) and takes turns claiming its next free slot.
 * The permutations depend only on each endpoint's identity, so removing
 * one endpoint moves few other keys.
 *
 * Weights, as in Envoy: in each round every endpoint earns its weight in
 * credit and a turn costs the largest weight, so the heaviest endpoint
 * claims a slot every round and the others in proportion; within a round,
 * in live order. Walking the rounds costs M * wmax / (mean weight) steps:
 * M when the weights are equal, but 33M for weights 1000 and 999 x 1.
 * Endpoint k's t-th turn falls in round ceil(t * wmax / w_k), so a heap
 * ordered by (round, k) gives the same turns in M log n steps; it is
 * several times slower than the walk when the weights are close, so it
 * serves only weights far apart.
 */
static int
maglev_build(struct mdp_lb *lb, uint32_t m)
{
	unsigned n = lb->n_live, k;
	struct mg_entry *e;
	uint32_t wmax = 0;
	int rc = 0;

	lb->table = malloc((size_t)m * sizeof(lb->table[0]));
	e = calloc(n, sizeof(*e));
	if (lb->table == NULL || e == NULL) {
		free(e);
		return -ENOMEM;
	}
	memset(lb->table, 0xff, (size_t)m * sizeof(lb->table[0]));
	for (k = 0; k < n; k++) {
		uint64_t h = ep_hash(&lb->eps[lb->live[k]]);

		e[k].pos = (uint32_t)h % m;
		e[k].skip = (uint32_t)(h >> 32) % (m - 1) + 1;
		if (lb->lw[k] > wmax)
			wmax = lb->lw[k];
	}
	if ((uint64_t)n * wmax <= 4 * lb->total)
		mg_fill_walk(lb, e, wmax, m);
	else
		rc = mg_fill_heap(lb, e, wmax, m);
	free(e);
	if (rc == 0)
		lb->mem_shared += (size_t)m * sizeof(lb->table[0]);
	return rc;
}

static inline int
maglev_pick(const struct mdp_lb *lb, uint64_t hash)
{
	/* top 32 bits scaled to [0, M): no division on the fast path */
	return lb->table[((hash >> 32) * lb->table_size) >> 32];
}

static int
slices_build(struct mdp_lb *lb, uint64_t seed)
{
	size_t sz = sizeof(struct slice);
	unsigned w;
	void *mem;

	lb->active_off = sz;
	sz += (size_t)lb->n * sizeof(uint32_t);
	if (lb->policy == MDP_LB_ROUND_ROBIN && lb->seq == NULL &&
	    lb->n_live > 0) {
		sz = (sz + 7) & ~(size_t)7;
		lb->cur_off = sz;
		sz += (size_t)lb->n_live * sizeof(int64_t);
	}
	lb->slice_size = (sz + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
	if (posix_memalign(&mem, CACHE_LINE, lb->slice_size * lb->n_workers) != 0)
		return -ENOMEM;
	memset(mem, 0, lb->slice_size * lb->n_workers);
	lb->slices = mem;

	for (w = 0; w < lb->n_workers; w++) {
		struct slice *s = slice_of(lb, w);

		/* spread the workers over the sequence, so that they do not
		 * all start on the same endpoint after a rebuild */
		if (lb->seq != NULL)
			s->pos = (uint32_t)((uint64_t)w * lb->period /
					    lb->n_workers);
		mdp_rand_seed(&s->rng, seed + 0x9e3779b97f4a7c15ull * w);
	}
	return 0;
}

struct mdp_lb *
mdp_lb_build(const struct mdp_lb_params *params,
	     const struct mdp_lb_endpoint *eps, unsigned n, char *err,
	     size_t errlen)
{
	struct mdp_lb *lb;
	uint32_t m = 0;
	unsigned i, k;
	bool drained = true;
	int rc;

	if (params == NULL || (n > 0 && eps == NULL)) {
		mdp_errf(err, errlen, "no parameters or endpoint list");
		errno = EINVAL;
		return NULL;
	}
	if (params->policy != MDP_LB_ROUND_ROBIN &&
	    params->policy != MDP_LB_LEAST_REQUEST &&
	    params->policy != MDP_LB_MAGLEV) {
		mdp_errf(err, errlen, "unknown load balancing policy %d",
			(int)params->policy);
		errno = EINVAL;
		return NULL;
	}
	if (params->n_workers == 0 || params->n_workers > MAX_WORKERS) {
		mdp_errf(err, errlen, "workers: %u, must be 1..%u",
			params->n_workers, MAX_WORKERS);
		errno = EINVAL;
		return NULL;
	}
	if (n == 0) {
		mdp_errf(err, errlen, "no endpoints");
		errno = EINVAL;
		return NULL;
	}
	if (n > MDP_LB_MAX_ENDPOINTS) {
		mdp_errf(err, errlen, "%u endpoints, at most %u", n,
			MDP_LB_MAX_ENDPOINTS);
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (eps[i].weight != 0)
			drained = false;
	if (drained) {
		mdp_errf(err, errlen, "every endpoint has weight 0");
		errno = EINVAL;
		return NULL;
	}
	if (params->policy == MDP_LB_MAGLEV) {
		m = params->table_size != 0 ? params->table_size :
			MDP_LB_MAGLEV_TABLE_SIZE;
		if (m > MDP_LB_MAGLEV_TABLE_MAX || !is_prime(m)) {
			mdp_errf(err, errlen,
				"maglev table size %u: must be a prime <= %u",
				m, MDP_LB_MAGLEV_TABLE_MAX);
			errno = EINVAL;
			return NULL;
		}
	}

	lb = calloc(1, sizeof(*lb));
	if (lb == NULL)
		goto nomem;
	lb->policy = params->policy;
	lb->n = n;
	lb->n_workers = params->n_workers;
	lb->eps = malloc(n * sizeof(lb->eps[0]));
	lb->keys = malloc(n * sizeof(lb->keys[0]));
	lb->live = malloc(n * sizeof(lb->live[0]));
	lb->lw = malloc(n * sizeof(lb->lw[0]));
	if (lb->eps == NULL || lb->keys == NULL || lb->live == NULL ||
	    lb->lw == NULL)
		goto nomem_lb;
	memcpy(lb->eps, eps, n * sizeof(eps[0]));

	for (i = 0; i < n; i++) {
		lb->keys[i].key = ep_key(eps[i].addr, eps[i].port);
		lb->keys[i].idx = i;
	}
	qsort(lb->keys, n, sizeof(lb->keys[0]), key_cmp);
	for (i = 1; i < n; i++) {
		if (lb->keys[i].key == lb->keys[i - 1].key) {
			char a[MDP_IPV4_STRLEN];
			const struct mdp_lb_endpoint *ep = &eps[lb->keys[i].idx];

			mdp_errf(err, errlen,
				"endpoint %u (%s:%u) is endpoint %u again",
				lb->keys[i].idx, mdp_ipv4_format(ep->addr, a),
				ep->port, lb->keys[i - 1].idx);
			mdp_lb_free(lb);
			errno = EINVAL;
			return NULL;
		}
	}

	lb->equal = true;
	for (i = 0; i < n; i++) {
		if (!eps[i].healthy || eps[i].weight == 0)
			continue;
		k = lb->n_live++;
		lb->live[k] = (uint16_t)i;
		lb->lw[k] = eps[i].weight;
		lb->total += eps[i].weight;
		if (lb->lw[k] != lb->lw[0])
			lb->equal = false;
	}
	if (params->policy == MDP_LB_MAGLEV && lb->n_live > m) {
		mdp_errf(err, errlen,
			"maglev table size %u is smaller than the %u live endpoints",
			m, lb->n_live);
		mdp_lb_free(lb);
		errno = EINVAL;
		return NULL;
	}
	lb->mem_shared = sizeof(*lb) + n * (sizeof(lb->eps[0]) +
		sizeof(lb->keys[0]) + sizeof(lb->live[0]) + sizeof(lb->lw[0]));

	rc = 0;
	if (lb->n_live > 0) {
		switch (lb->policy) {
		case MDP_LB_ROUND_ROBIN:
			rc = wrr_build(lb);
			break;
		case MDP_LB_LEAST_REQUEST:
			rc = p2c_build(lb);
			break;
		case MDP_LB_MAGLEV:
			rc = maglev_build(lb, m);
			break;
		}
	}
	lb->table_size = m;
	if (rc != 0 || slices_build(lb, params->seed) != 0)
		goto nomem_lb;
	return lb;

nomem_lb:
	mdp_lb_free(lb);
nomem:
	mdp_errf(err, errlen, "out of memory");
	errno = ENOMEM;
	return NULL;
}

void
mdp_lb_free(struct mdp_lb *lb)
{
	if (lb == NULL)
		return;
	free(lb->slices);
	free(lb->table);
	free(lb->seq_mem);
	free(lb->wsum);
	free(lb->lw);
	free(lb->live);
	free(lb->keys);
	free(lb->eps);
	free(lb);
}

int
mdp_lb_pick(struct mdp_lb *lb, unsigned worker, uint64_t hash)
{
	assert(worker < lb->n_workers);
	if (worker >= lb->n_workers)
		return -EINVAL;
	if (lb->n_live == 0)
		return -ENOENT;
	switch (lb->policy) {
	case MDP_LB_ROUND_ROBIN:
		return wrr_pick(lb, worker);
	case MDP_LB_LEAST_REQUEST:
		return p2c_pick(lb, worker);
	case MDP_LB_MAGLEV:
		return maglev_pick(lb, hash);
	}
	return -ENOENT;
}

void
mdp_lb_req_start(struct mdp_lb *lb, unsigned worker, unsigned idx)
{
	assert(worker < lb->n_workers && idx < lb->n);
	if (worker < lb->n_workers && idx < lb->n)
		active_of(lb, worker)[idx]++;
}

void
mdp_lb_req_end(struct mdp_lb *lb, unsigned worker, unsigned idx)
{
	uint32_t *a;

	assert(worker < lb->n_workers && idx < lb->n);
	if (worker >= lb->n_workers || idx >= lb->n)
		return;
	a = &active_of(lb, worker)[idx];
	if (*a > 0)
		(*a)--;
}

void
mdp_lb_adopt(struct mdp_lb *lb, unsigned worker, const struct mdp_lb *prev)
{
	const uint32_t *old;
	uint32_t *cur;
	unsigned i;
	int j;

	if (prev == NULL || worker >= lb->n_workers || worker >= prev->n_workers)
		return;
	old = active_of(prev, worker);
	cur = active_of(lb, worker);
	for (i = 0; i < prev->n; i++) {
		if (old[i] == 0)
			continue;
		j = mdp_lb_find(lb, prev->eps[i].addr, prev->eps[i].port);
		if (j >= 0)
			cur[j] = old[i];
	}
}

uint32_t
mdp_lb_outstanding(const struct mdp_lb *lb, unsigned worker, unsigned idx)
{
	if (worker >= lb->n_workers || idx >= lb->n)
		return 0;
	return active_of(lb, worker)[idx];
}

int
mdp_lb_find(const struct mdp_lb *lb, uint32_t addr, uint16_t port)
{
	uint64_t key = ep_key(addr, port);
	unsigned lo = 0, hi = lb->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (lb->keys[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < lb->n && lb->keys[lo].key == key)
		return (int)lb->keys[lo].idx;
	return -ENOENT;
}

const struct mdp_lb_endpoint *
mdp_lb_endpoint(const struct mdp_lb *lb, unsigned idx)
{
	return idx < lb->n ? &lb->eps[idx] : NULL;
}

void
mdp_lb_info(const struct mdp_lb *lb, struct mdp_lb_info *info)
{
	memset(info, 0, sizeof(*info));
	info->policy = lb->policy;
	info->n_endpoints = lb->n;
	info->n_live = lb->n_live;
	info->n_workers = lb->n_workers;
	info->total_weight = lb->total;
	if (lb->policy == MDP_LB_ROUND_ROBIN)
		info->table_size = lb->seq != NULL ? lb->period : 0;
	else if (lb->policy == MDP_LB_MAGLEV)
		info->table_size = lb->table_size;
	info->mem_shared = lb->mem_shared;
	info->mem_worker = lb->slice_size;
}

static const char *const policy_names[] = {
	[MDP_LB_ROUND_ROBIN] = "round_robin",
	[MDP_LB_LEAST_REQUEST] = "least_request",
	[MDP_LB_MAGLEV] = "maglev",
};

int
mdp_lb_policy_parse(const char *s)
{
	unsigned i;

	if (s == NULL)
		return -EINVAL;
	for (i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++)
		if (strcmp(s, policy_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

const char *
mdp_lb_policy_name(enum mdp_lb_policy p)
{
	if ((unsigned)p < sizeof(policy_names) / sizeof(policy_names[0]))
		return policy_names[p];
	return "?";
}

/* Fixed and public on purpose (see the header): "meshdp lb key v1". */
static const struct mdp_siphash_key hash_key = {
	0x6c2070646873656dull, 0x31762079656b2062ull,
};

uint64_t
mdp_lb_hash_bytes(const void *p, size_t n)
{
	return mdp_siphash24(&hash_key, p, n);
}

uint64_t
mdp_lb_hash_ipv4(uint32_t addr)
{
	uint8_t b[4] = {
		(uint8_t)(addr >> 24), (uint8_t)(addr >> 16),
		(uint8_t)(addr >> 8), (uint8_t)addr,
	};

	return mdp_lb_hash_bytes(b, sizeof(b));
}
