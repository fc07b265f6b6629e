/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "lb/mdp_lb.h"
#include "util/mdp_rand.h"
#include "unit.h"

#define MAX_EPS		128
#define KEYS		100000u

/* Endpoints 198.51.100.(i + 1):8080 with the given weights, all healthy. */
static void
make_eps(struct mdp_lb_endpoint *eps, unsigned n, const uint16_t *weights)
{
	for (unsigned i = 0; i < n; i++) {
		eps[i].addr = 0xc6336400u + i + 1;	/* 198.51.100.0/24 */
		eps[i].port = 8080;
		eps[i].weight = weights != NULL ? weights[i] : 1;
		eps[i].healthy = true;
	}
}

static struct mdp_lb *
build(enum mdp_lb_policy p, const struct mdp_lb_endpoint *eps, unsigned n,
      unsigned workers)
{
	struct mdp_lb_params prm = { .policy = p, .n_workers = workers,
				     .seed = 12345 };
	char err[128] = "";
	struct mdp_lb *lb = mdp_lb_build(&prm, eps, n, err, sizeof(err));

	if (lb == NULL)
		fprintf(stderr, "build: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lb);
	return lb;
}

/* Build must fail, with a message containing want. */
static void
build_fails(const struct mdp_lb_params *prm, const struct mdp_lb_endpoint *eps,
	    unsigned n, const char *want)
{
	char err[128] = "";

	errno = 0;
	CU_ASSERT_PTR_NULL(mdp_lb_build(prm, eps, n, err, sizeof(err)));
	CU_ASSERT_EQUAL(errno, EINVAL);
	if (strstr(err, want) == NULL) {
		fprintf(stderr, "error '%s' lacks '%s'\n", err, want);
		CU_FAIL("error message");
	}
}

/* Zero cnt[0..n_eps) and count `picks` picks on worker 0, the key of pick
 * i being the hash of i. */
static void
count_picks(struct mdp_lb *lb, unsigned picks, unsigned *cnt, unsigned n_eps)
{
	memset(cnt, 0, n_eps * sizeof(cnt[0]));
	for (uint32_t i = 0; i < picks; i++) {
		int k = mdp_lb_pick(lb, 0, mdp_lb_hash_bytes(&i, sizeof(i)));

		CU_ASSERT_FATAL(k >= 0 && (unsigned)k < n_eps);
		cnt[k]++;
	}
}

/* nginx's smooth weighted round robin, written out plainly as the model. */
static unsigned
model_wrr(const struct mdp_lb_endpoint *eps, unsigned n, int64_t *cur)
{
	int64_t total = 0;
	int best = -1;

	for (unsigned i = 0; i < n; i++) {
		if (!eps[i].healthy || eps[i].weight == 0)
			continue;
		cur[i] += eps[i].weight;
		total += eps[i].weight;
		if (best < 0 || cur[i] > cur[best])
			best = (int)i;
	}
	cur[best] -= total;
	return (unsigned)best;
}

static void
test_wrr_sequence(void)
{
	static const uint16_t w[] = { 5, 1, 1 };
	static const int want[] = { 0, 0, 1, 0, 2, 0, 0 };
	struct mdp_lb_endpoint eps[3];
	struct mdp_lb_info info;
	struct mdp_lb *lb;

	make_eps(eps, 3, w);
	lb = build(MDP_LB_ROUND_ROBIN, eps, 3, 1);
	/* a a b a c a a, twice */
	for (unsigned r = 0; r < 2; r++)
		for (unsigned i = 0; i < 7; i++)
			CU_ASSERT_EQUAL(mdp_lb_pick(lb, 0, 0), want[i]);
	mdp_lb_info(lb, &info);
	CU_ASSERT_EQUAL(info.policy, MDP_LB_ROUND_ROBIN);
	CU_ASSERT_EQUAL(info.n_endpoints, 3);
	CU_ASSERT_EQUAL(info.n_live, 3);
	CU_ASSERT_EQUAL(info.total_weight, 7);
	CU_ASSERT_EQUAL(info.table_size, 7);	/* precomputed period */
	CU_ASSERT_EQUAL(info.mem_worker % 64, 0);
	mdp_lb_free(lb);

	/* equal weights: plain round robin in endpoint order */
	make_eps(eps, 3, NULL);
	lb = build(MDP_LB_ROUND_ROBIN, eps, 3, 1);
	for (unsigned i = 0; i < 9; i++)
		CU_ASSERT_EQUAL(mdp_lb_pick(lb, 0, 0), (int)(i % 3));
	mdp_lb_free(lb);
}

static void
test_wrr_proportions(void)
{
	static const uint16_t w[] = { 90, 10 };
	struct mdp_lb_endpoint eps[2];
	struct mdp_lb *lb;
	unsigned cnt[4][2] = { { 0 } };

	make_eps(eps, 2, w);
	lb = build(MDP_LB_ROUND_ROBIN, eps, 2, 4);
	/* every worker, whatever its starting point, gets exactly 900/100 */
	for (unsigned wk = 0; wk < 4; wk++)
		for (unsigned i = 0; i < 1000; i++) {
			int k = mdp_lb_pick(lb, wk, 0);

			CU_ASSERT_FATAL(k == 0 || k == 1);
			cnt[wk][k]++;
		}
	for (unsigned wk = 0; wk < 4; wk++) {
		CU_ASSERT_EQUAL(cnt[wk][0], 900);
		CU_ASSERT_EQUAL(cnt[wk][1], 100);
	}
	mdp_lb_free(lb);
}

/* Precomputed and scanning round robin both follow the model exactly. */
static void
wrr_vs_model(uint64_t seed, unsigned n, unsigned max_w, bool want_scan)
{
	struct mdp_lb_endpoint eps[MAX_EPS];
	int64_t cur[MAX_EPS] = { 0 };
	struct mdp_lb_info info;
	struct mdp_rand r;
	struct mdp_lb *lb;
	bool same = true;

	mdp_rand_seed(&r, seed);
	make_eps(eps, n, NULL);
	for (unsigned i = 0; i < n; i++) {
		eps[i].weight = (uint16_t)(mdp_rand_u32(&r) % (max_w + 1));
		eps[i].healthy = mdp_rand_u32(&r) % 8 != 0;
	}
	eps[0].weight = (uint16_t)max_w;
	eps[0].healthy = true;
	lb = build(MDP_LB_ROUND_ROBIN, eps, n, 1);
	mdp_lb_info(lb, &info);
	CU_ASSERT_EQUAL(info.table_size == 0, want_scan);
	for (unsigned i = 0; i < 20000; i++)
		if (mdp_lb_pick(lb, 0, 0) != (int)model_wrr(eps, n, cur))
			same = false;
	CU_ASSERT_TRUE(same);
	mdp_lb_free(lb);
}

static void
test_wrr_model(void)
{
	wrr_vs_model(1, 5, 10, false);
	wrr_vs_model(2, 20, 30, false);
	wrr_vs_model(3, 40, 1000, true);	/* period > MDP_LB_WRR_TABLE_MAX */
	wrr_vs_model(4, 100, 65535, true);
	wrr_vs_model(5, 2, 1, false);
}

static void
test_unhealthy_skipped(void)
{
	static const enum mdp_lb_policy pol[] = {
		MDP_LB_ROUND_ROBIN, MDP_LB_LEAST_REQUEST, MDP_LB_MAGLEV,
	};
	static const uint16_t w[] = { 1, 3, 2, 0, 5 };
	struct mdp_lb_endpoint eps[5];

	make_eps(eps, 5, w);
	eps[1].healthy = false;
	eps[4].healthy = false;
	/* live: 0 (weight 1) and 2 (weight 2); 3 is drained */
	for (unsigned p = 0; p < 3; p++) {
		struct mdp_lb *lb = build(pol[p], eps, 5, 2);
		struct mdp_lb_info info;
		unsigned cnt[5] = { 0 };

		mdp_lb_info(lb, &info);
		CU_ASSERT_EQUAL(info.n_live, 2);
		CU_ASSERT_EQUAL(info.total_weight, 3);
		for (unsigned i = 0; i < 3000; i++) {
			int k = mdp_lb_pick(lb, i & 1, mdp_lb_hash_bytes(&i, sizeof(i)));

			CU_ASSERT_FATAL(k >= 0 && k < 5);
			cnt[k]++;
		}
		CU_ASSERT_EQUAL(cnt[1] + cnt[3] + cnt[4], 0);
		CU_ASSERT(cnt[0] > 0 && cnt[2] > 0);
		mdp_lb_free(lb);
	}
}

static void
test_all_unhealthy(void)
{
	static const enum mdp_lb_policy pol[] = {
		MDP_LB_ROUND_ROBIN, MDP_LB_LEAST_REQUEST, MDP_LB_MAGLEV,
	};
	struct mdp_lb_endpoint eps[3];

	make_eps(eps, 3, NULL);
	for (unsigned i = 0; i < 3; i++)
		eps[i].healthy = false;
	eps[2].weight = 0;
	for (unsigned p = 0; p < 3; p++) {
		struct mdp_lb *lb = build(pol[p], eps, 3, 1);
		struct mdp_lb_info info;

		mdp_lb_info(lb, &info);
		CU_ASSERT_EQUAL(info.n_live, 0);
		for (uint64_t h = 0; h < 10; h++)
			CU_ASSERT_EQUAL(mdp_lb_pick(lb, 0, h << 60), -ENOENT);
		mdp_lb_free(lb);
	}
}

static void
test_build_errors(void)
{
	struct mdp_lb_params prm = { .policy = MDP_LB_ROUND_ROBIN,
				     .n_workers = 1 };
	struct mdp_lb_endpoint eps[4];
	struct mdp_lb *lb;

	make_eps(eps, 4, NULL);
	build_fails(&prm, eps, 0, "no endpoints");
	build_fails(&prm, NULL, 0, "no endpoints");

	for (unsigned i = 0; i < 4; i++)
		eps[i].weight = 0;
	build_fails(&prm, eps, 4, "weight 0");
	/* one endpoint with weight is enough, even unhealthy */
	eps[2].weight = 1;
	eps[2].healthy = false;
	lb = mdp_lb_build(&prm, eps, 4, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL(lb);
	mdp_lb_free(lb);

	make_eps(eps, 4, NULL);
	eps[3].addr = eps[1].addr;
	build_fails(&prm, eps, 4, "endpoint 3 (198.51.100.2:8080) is endpoint 1");
	eps[3].port = 8081;	/* same address, other port: fine */
	lb = mdp_lb_build(&prm, eps, 4, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL(lb);
	mdp_lb_free(lb);

	prm.n_workers = 0;
	build_fails(&prm, eps, 4, "workers");
	prm.n_workers = 1;
	prm.policy = (enum mdp_lb_policy)7;
	build_fails(&prm, eps, 4, "policy");

	prm.policy = MDP_LB_MAGLEV;
	prm.table_size = 65536;
	build_fails(&prm, eps, 4, "prime");
	prm.table_size = MDP_LB_MAGLEV_TABLE_MAX + 2;
	build_fails(&prm, eps, 4, "prime");
	prm.table_size = 3;
	build_fails(&prm, eps, 4, "smaller than the 4 live");
	/* the bound counts live endpoints only */
	eps[0].healthy = false;
	lb = mdp_lb_build(&prm, eps, 4, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL(lb);
	mdp_lb_free(lb);

	mdp_lb_free(NULL);
}

static void
test_policy_names(void)
{
	CU_ASSERT_EQUAL(mdp_lb_policy_parse("round_robin"), MDP_LB_ROUND_ROBIN);
	CU_ASSERT_EQUAL(mdp_lb_policy_parse("least_request"), MDP_LB_LEAST_REQUEST);
	CU_ASSERT_EQUAL(mdp_lb_policy_parse("maglev"), MDP_LB_MAGLEV);
	CU_ASSERT_EQUAL(mdp_lb_policy_parse("ROUND_ROBIN"), -EINVAL);
	CU_ASSERT_EQUAL(mdp_lb_policy_parse("random"), -EINVAL);
	CU_ASSERT_EQUAL(mdp_lb_policy_parse(""), -EINVAL);
	CU_ASSERT_EQUAL(mdp_lb_policy_parse(NULL), -EINVAL);
	for (int p = 0; p < 3; p++)
		CU_ASSERT_EQUAL(mdp_lb_policy_parse(
			mdp_lb_policy_name((enum mdp_lb_policy)p)), p);
	CU_ASSERT_STRING_EQUAL(mdp_lb_policy_name((enum mdp_lb_policy)9), "?");
}

static void
test_p2c_less_loaded(void)
{
	struct mdp_lb_endpoint eps[3];
	struct mdp_lb *lb;
	unsigned cnt[3] = { 0 };

	make_eps(eps, 2, NULL);
	lb = build(MDP_LB_LEAST_REQUEST, eps, 2, 2);
	for (unsigned i = 0; i < 5; i++)
		mdp_lb_req_start(lb, 0, 0);
	for (unsigned i = 0; i < 2; i++)
		mdp_lb_req_start(lb, 0, 1);
	CU_ASSERT_EQUAL(mdp_lb_outstanding(lb, 0, 0), 5);
	CU_ASSERT_EQUAL(mdp_lb_outstanding(lb, 0, 1), 2);
	/* two endpoints: both are always the candidates */
	for (unsigned i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL(mdp_lb_pick(lb, 0, 0), 1);
	/* worker 1 keeps its own counts: both idle, both picked */
	CU_ASSERT_EQUAL(mdp_lb_outstanding(lb, 1, 0), 0);
	for (unsigned i = 0; i < 1000; i++)
		cnt[mdp_lb_pick(lb, 1, 0)]++;
	CU_ASSERT(cnt[0] > 400 && cnt[1] > 400);
	/* ends move the balance */
	for (unsigned i = 0; i < 4; i++)
		mdp_lb_req_end(lb, 0, 0);
	for (unsigned i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL(mdp_lb_pick(lb, 0, 0), 0);
	/* an end without a start does not wrap */
	mdp_lb_req_end(lb, 0, 0);
	mdp_lb_req_end(lb, 0, 0);
	CU_ASSERT_EQUAL(mdp_lb_outstanding(lb, 0, 0), 0);
	mdp_lb_free(lb);

	/* three endpoints loaded 0, 1, 2: the most loaded always loses, the
	 * least loaded wins whenever drawn (2 of 3 pairs) */
	make_eps(eps, 3, NULL);
	lb = build(MDP_LB_LEAST_REQUEST, eps, 3, 1);
	mdp_lb_req_start(lb, 0, 1);
	mdp_lb_req_start(lb, 0, 2);
	mdp_lb_req_start(lb, 0, 2);
	count_picks(lb, 30000, cnt, 3);
	CU_ASSERT_EQUAL(cnt[2], 0);
	CU_ASSERT(cnt[0] > 19000 && cnt[0] < 21000);
	mdp_lb_free(lb);
}

/* Pearson's statistic of observed counts against expected ones. */
static double
chi2(const unsigned *obs, const double *expect, unsigned n)
{
	double x = 0;

	for (unsigned i = 0; i < n; i++) {
		double d = obs[i] - expect[i];

		x += d * d / expect[i];
	}
	return x;
}

static void
test_p2c_even(void)
{
	struct mdp_lb_endpoint eps[10];
	double expect[10];
	unsigned cnt[10];
	struct mdp_lb *lb;

	make_eps(eps, 10, NULL);
	lb = build(MDP_LB_LEAST_REQUEST, eps, 10, 1);
	/* equal (zero) loads */
	count_picks(lb, KEYS, cnt, 10);
	for (unsigned i = 0; i < 10; i++)
		expect[i] = KEYS / 10.0;
	/* 9 degrees of freedom: P(chi2 > 27.9) = 0.001 */
	CU_ASSERT(chi2(cnt, expect, 10) < 27.9);

	/* equal non-zero loads */
	for (unsigned i = 0; i < 10; i++)
		for (unsigned k = 0; k < 3; k++)
			mdp_lb_req_start(lb, 0, i);
	count_picks(lb, KEYS, cnt, 10);
	CU_ASSERT(chi2(cnt, expect, 10) < 27.9);
	mdp_lb_free(lb);
}

static void
test_p2c_weighted(void)
{
	static const uint16_t w[] = { 1, 2, 3, 4 };
	struct mdp_lb_endpoint eps[4];
	double expect[4];
	unsigned cnt[4] = { 0 };
	unsigned ring[64], head = 0;
	struct mdp_lb *lb;

	make_eps(eps, 4, w);
	lb = build(MDP_LB_LEAST_REQUEST, eps, 4, 1);
	/* idle: every pair ties, the first (weighted) draw wins */
	count_picks(lb, KEYS, cnt, 4);
	for (unsigned i = 0; i < 4; i++)
		expect[i] = KEYS * w[i] / 10.0;
	CU_ASSERT(chi2(cnt, expect, 4) < 16.3);	/* 3 d.o.f., p = 0.001 */

	/* loaded: 64 requests in flight, ending in order (equal latency) */
	memset(cnt, 0, sizeof(cnt));
	for (unsigned i = 0; i < 64 + KEYS; i++) {
		int k;

		if (i >= 64)
			mdp_lb_req_end(lb, 0, ring[head]);
		k = mdp_lb_pick(lb, 0, 0);
		mdp_lb_req_start(lb, 0, (unsigned)k);
		ring[head] = (unsigned)k;
		head = (head + 1) % 64;
		if (i >= 64)
			cnt[k]++;
	}
	for (unsigned i = 0; i < 4; i++) {
		double share = cnt[i] / (double)KEYS;

		CU_ASSERT(share > w[i] / 10.0 - 0.03 && share < w[i] / 10.0 + 0.03);
	}
	mdp_lb_free(lb);
}

static void
test_adopt(void)
{
	struct mdp_lb_endpoint a[3], b[3];
	struct mdp_lb *lb1, *lb2;

	make_eps(a, 3, NULL);		/* .1 .2 .3 */
	lb1 = build(MDP_LB_LEAST_REQUEST, a, 3, 2);
	for (unsigned i = 0; i < 3; i++)
		mdp_lb_req_start(lb1, 1, 1);
	mdp_lb_req_start(lb1, 1, 2);
	mdp_lb_req_start(lb1, 1, 0);
	mdp_lb_req_start(lb1, 0, 2);

	/* .3, a new .9, .2; .1 is gone */
	b[0] = a[2];
	b[1] = a[0];
	b[1].addr = 0xc6336409u;
	b[2] = a[1];
	lb2 = build(MDP_LB_MAGLEV, b, 3, 2);
	CU_ASSERT_EQUAL(mdp_lb_find(lb2, a[1].addr, 8080), 2);
	CU_ASSERT_EQUAL(mdp_lb_find(lb2, a[0].addr, 8080), -ENOENT);
	CU_ASSERT_EQUAL(mdp_lb_find(lb2, a[1].addr, 8081), -ENOENT);
	CU_ASSERT_EQUAL(mdp_lb_endpoint(lb2, 1)->addr, 0xc6336409u);
	CU_ASSERT_PTR_NULL(mdp_lb_endpoint(lb2, 3));

	mdp_lb_adopt(lb2, 1, lb1);
	CU_ASSERT_EQUAL(mdp_lb_outstanding(lb2, 1, 0), 1);
	CU_ASSERT_EQUAL(mdp_lb_outstanding(lb2, 1, 1), 0);
	CU_ASSERT_EQUAL(mdp_lb_outstanding(lb2, 1, 2), 3);
	/* worker 0 has not switched yet */
	CU_ASSERT_EQUAL(mdp_lb_outstanding(lb2, 0, 0), 0);
	mdp_lb_adopt(lb2, 0, lb1);
	CU_ASSERT_EQUAL(mdp_lb_outstanding(lb2, 0, 0), 1);
	mdp_lb_adopt(lb2, 0, NULL);
	CU_ASSERT_EQUAL(mdp_lb_outstanding(lb2, 0, 0), 1);
	CU_ASSERT_EQUAL(mdp_lb_outstanding(lb2, 5, 0), 0);
	mdp_lb_free(lb1);
	mdp_lb_free(lb2);
}

static struct mdp_lb *
build_maglev(const struct mdp_lb_endpoint *eps, unsigned n, uint32_t m)
{
	struct mdp_lb_params prm = { .policy = MDP_LB_MAGLEV, .n_workers = 1,
				     .table_size = m };
	struct mdp_lb *lb = mdp_lb_build(&prm, eps, n, NULL, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(lb);
	return lb;
}

/* A key that lands on slot s of a table of m entries. */
static uint64_t
slot_key(uint32_t s, uint32_t m)
{
	return (((uint64_t)s << 32) + m - 1) / m << 32;
}

static void
test_maglev_table(void)
{
	struct mdp_lb_endpoint eps[10];
	unsigned slots[10] = { 0 };
	unsigned lo = ~0u, hi = 0;
	struct mdp_lb_info info;
	struct mdp_lb *lb;

	make_eps(eps, 10, NULL);
	lb = build_maglev(eps, 10, 0);
	mdp_lb_info(lb, &info);
	CU_ASSERT_EQUAL(info.table_size, MDP_LB_MAGLEV_TABLE_SIZE);
	CU_ASSERT(info.mem_shared >= MDP_LB_MAGLEV_TABLE_SIZE * 2);
	/* equal weights: every endpoint owns M / N slots, give or take 1 */
	for (uint32_t s = 0; s < MDP_LB_MAGLEV_TABLE_SIZE; s++)
		slots[mdp_lb_pick(lb, 0, slot_key(s, MDP_LB_MAGLEV_TABLE_SIZE))]++;
	for (unsigned i = 0; i < 10; i++) {
		lo = slots[i] < lo ? slots[i] : lo;
		hi = slots[i] > hi ? slots[i] : hi;
	}
	CU_ASSERT(hi - lo <= 1);
	CU_ASSERT_EQUAL(lo, MDP_LB_MAGLEV_TABLE_SIZE / 10);
	mdp_lb_free(lb);

	/* a small table, every slot owned */
	lb = build_maglev(eps, 3, 7);
	memset(slots, 0, sizeof(slots));
	for (uint32_t s = 0; s < 7; s++)
		slots[mdp_lb_pick(lb, 0, slot_key(s, 7))]++;
	CU_ASSERT(slots[0] >= 2 && slots[1] >= 2 && slots[2] >= 2);
	mdp_lb_free(lb);
}

/*
 * The paper's table population (3.4, Pseudocode 1) with Envoy's weights,
 * written out plainly: permutation[j] = (offset + j * skip) mod M, offset
 * and skip from the hash of the endpoint's address and port (6 bytes,
 * network order); round by round every live endpoint earns its weight and
 * claims its next free slot for each wmax earned.
 */
static void
model_maglev(const struct mdp_lb_endpoint *eps, unsigned n, uint32_t m,
	     uint16_t *table)
{
	uint64_t offset[MAX_EPS], skip[MAX_EPS], next[MAX_EPS] = { 0 };
	uint32_t credit[MAX_EPS] = { 0 }, wmax = 0, filled = 0;

	for (unsigned i = 0; i < n; i++) {
		uint8_t b[6] = { eps[i].addr >> 24, eps[i].addr >> 16,
				 eps[i].addr >> 8, eps[i].addr,
				 eps[i].port >> 8, eps[i].port };
		uint64_t h = mdp_lb_hash_bytes(b, 6);

		offset[i] = (uint32_t)h % m;
		skip[i] = (h >> 32) % (m - 1) + 1;
		if (eps[i].healthy && eps[i].weight > wmax)
			wmax = eps[i].weight;
	}
	for (uint32_t s = 0; s < m; s++)
		table[s] = 0xffff;
	while (filled < m) {
		for (unsigned i = 0; i < n && filled < m; i++) {
			uint64_t c;

			if (!eps[i].healthy || eps[i].weight == 0)
				continue;
			credit[i] += eps[i].weight;
			if (credit[i] < wmax)
				continue;
			credit[i] -= wmax;
			do {
				c = (offset[i] + next[i] * skip[i]) % m;
				next[i]++;
			} while (table[c] != 0xffff);
			table[c] = (uint16_t)i;
			filled++;
		}
	}
}

static void
maglev_vs_model(struct mdp_lb_endpoint *eps, unsigned n, uint32_t m)
{
	static uint16_t table[MDP_LB_MAGLEV_TABLE_SIZE];
	struct mdp_lb *lb = build_maglev(eps, n, m);
	uint32_t diff = 0;

	model_maglev(eps, n, m, table);
	for (uint32_t s = 0; s < m; s++)
		if (mdp_lb_pick(lb, 0, slot_key(s, m)) != table[s])
			diff++;
	CU_ASSERT_EQUAL(diff, 0);
	mdp_lb_free(lb);
}

static void
test_maglev_model(void)
{
	static const uint16_t w3[] = { 1, 1, 8 };
	struct mdp_lb_endpoint eps[MAX_EPS];
	struct mdp_rand r;

	make_eps(eps, 10, NULL);
	maglev_vs_model(eps, 10, MDP_LB_MAGLEV_TABLE_SIZE);
	maglev_vs_model(eps, 10, 4099);
	make_eps(eps, 3, w3);
	maglev_vs_model(eps, 3, 4099);
	/* weights far apart (built from a heap of turns) */
	make_eps(eps, 10, NULL);
	eps[4].weight = 1000;
	maglev_vs_model(eps, 10, 4099);
	make_eps(eps, 3, (const uint16_t[]){ 1, 65535, 2 });
	maglev_vs_model(eps, 3, 4099);
	/* random weights and health */
	mdp_rand_seed(&r, 7);
	for (unsigned t = 0; t < 4; t++) {
		make_eps(eps, MAX_EPS, NULL);
		for (unsigned i = 0; i < MAX_EPS; i++) {
			eps[i].weight = (uint16_t)(mdp_rand_u32(&r) % (t < 2 ? 4 : 1001));
			eps[i].healthy = mdp_rand_u32(&r) % 5 != 0;
		}
		eps[0].weight = 3;
		eps[0].healthy = true;
		maglev_vs_model(eps, MAX_EPS, t & 1 ? 4099 : 16381);
	}
}

static void
test_maglev_keys(void)
{
	struct mdp_lb_endpoint eps[10];
	struct mdp_lb *lb, *lb2, *lb3;
	unsigned cnt[10] = { 0 };
	unsigned moved = 0, lost = 0, on3 = 0;
	bool same = true;

	make_eps(eps, 10, NULL);
	lb = build_maglev(eps, 10, 0);
	lb2 = build_maglev(eps, 10, 0);
	eps[3].healthy = false;
	lb3 = build_maglev(eps, 10, 0);
	for (uint32_t i = 0; i < KEYS; i++) {
		uint64_t h = mdp_lb_hash_bytes(&i, sizeof(i));
		int k = mdp_lb_pick(lb, 0, h), k3 = mdp_lb_pick(lb3, 0, h);

		CU_ASSERT_FATAL(k >= 0 && k < 10);
		cnt[k]++;
		/* same key, same endpoint: again, and in another build */
		if (mdp_lb_pick(lb, 0, h) != k || mdp_lb_pick(lb2, 0, h) != k)
			same = false;
		if (k == 3)
			on3++;
		if (k3 == 3)
			lost++;
		if (k3 != k)
			moved++;
	}
	CU_ASSERT_TRUE(same);
	/* within 5% of 10,000 each */
	for (unsigned i = 0; i < 10; i++)
		CU_ASSERT(cnt[i] > 9500 && cnt[i] < 10500);
	/* removing 1 of 10 moves its ~10% and little else */
	CU_ASSERT_EQUAL(lost, 0);
	CU_ASSERT(moved >= on3);
	CU_ASSERT(moved < KEYS * 15 / 100);
	printf("\n    maglev: 1 of 10 removed moves %.2f%% of keys (%.2f%% were on it) ",
	       100.0 * moved / KEYS, 100.0 * on3 / KEYS);
	mdp_lb_free(lb);
	mdp_lb_free(lb2);
	mdp_lb_free(lb3);
}

static void
test_maglev_weights(void)
{
	static const uint16_t w[] = { 200, 100 };
	static const uint16_t w3[] = { 1, 1, 8 };
	struct mdp_lb_endpoint eps[3];
	unsigned cnt[3] = { 0 };
	struct mdp_lb *lb;

	make_eps(eps, 2, w);
	lb = build_maglev(eps, 2, 0);
	count_picks(lb, KEYS, cnt, 2);
	CU_ASSERT(cnt[0] > KEYS * 0.65 && cnt[0] < KEYS * 0.683);
	mdp_lb_free(lb);

	make_eps(eps, 3, w3);
	lb = build_maglev(eps, 3, 0);
	count_picks(lb, KEYS, cnt, 3);
	CU_ASSERT(cnt[2] > KEYS * 0.78 && cnt[2] < KEYS * 0.82);
	CU_ASSERT(cnt[0] > KEYS * 0.09 && cnt[0] < KEYS * 0.11);
	mdp_lb_free(lb);
}

static unsigned
popcount64(uint64_t x)
{
	return (unsigned)__builtin_popcountll(x);
}

static void
test_hash(void)
{
	static const uint8_t be[4] = { 198, 51, 100, 7 };
	struct mdp_rand r;
	uint64_t flips = 0, trials = 0;
	unsigned worst_lo = 64, worst_hi = 0;

	CU_ASSERT_EQUAL(mdp_lb_hash_bytes("beta", 4), mdp_lb_hash_bytes("beta", 4));
	CU_ASSERT_NOT_EQUAL(mdp_lb_hash_bytes("beta", 4), mdp_lb_hash_bytes("betb", 4));
	CU_ASSERT_NOT_EQUAL(mdp_lb_hash_bytes("beta", 4), mdp_lb_hash_bytes("beta", 3));
	CU_ASSERT_NOT_EQUAL(mdp_lb_hash_bytes(NULL, 0), mdp_lb_hash_bytes("", 1));
	CU_ASSERT_EQUAL(mdp_lb_hash_ipv4(0xc6336407u), mdp_lb_hash_bytes(be, 4));

	/* avalanche: one flipped input bit flips about half the output bits */
	mdp_rand_seed(&r, 99);
	for (unsigned t = 0; t < 500; t++) {
		uint8_t in[24];
		uint64_t h;
		size_t len = 1 + t % sizeof(in);

		for (size_t i = 0; i < sizeof(in); i++)
			in[i] = (uint8_t)mdp_rand_u32(&r);
		h = mdp_lb_hash_bytes(in, len);
		for (size_t bit = 0; bit < len * 8; bit++) {
			unsigned d;

			in[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			d = popcount64(h ^ mdp_lb_hash_bytes(in, len));
			in[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			flips += d;
			trials++;
			worst_lo = d < worst_lo ? d : worst_lo;
			worst_hi = d > worst_hi ? d : worst_hi;
		}
	}
	CU_ASSERT(flips > trials * 31 && flips < trials * 33);
	CU_ASSERT(worst_lo > 8 && worst_hi < 56);
}

static CU_TestInfo tests[] = {
	{ "round robin: 5,1,1 gives a a b a c a a", test_wrr_sequence },
	{ "round robin: 90/10 exactly, every worker", test_wrr_proportions },
	{ "round robin: table and scan follow nginx's model", test_wrr_model },
	{ "unhealthy and drained endpoints skipped", test_unhealthy_skipped },
	{ "no live endpoint: -ENOENT", test_all_unhealthy },
	{ "build errors", test_build_errors },
	{ "policy names", test_policy_names },
	{ "least request: the less loaded wins", test_p2c_less_loaded },
	{ "least request: equal loads spread evenly", test_p2c_even },
	{ "least request: weights, idle and loaded", test_p2c_weighted },
	{ "outstanding counts carried over a rebuild", test_adopt },
	{ "maglev: slots per endpoint", test_maglev_table },
	{ "maglev: table follows the paper's model", test_maglev_model },
	{ "maglev: stable keys, spread, minimal disruption", test_maglev_keys },
	{ "maglev: weights", test_maglev_weights },
	{ "hash: deterministic, avalanche", test_hash },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("lb", NULL, NULL, tests);
}
