/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ns per pick of lib/lb for each policy at 3, 10 and 100 endpoints. Not part
 * of any test run; built by perf/meson.build, run by `perf/run micro` (in
 * build-perf/, a release build) or by hand:
 *
 *   taskset -c 1 build/perf/bench_lb
 *
 * The picks run back to back on one worker slice, so the numbers are the
 * warm-cache cost of the call (plus the loop); a real worker also pays the
 * cache misses of its first touch per burst.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lb/mdp_lb.h"

#define PICKS	5000000u

enum weights { EQUAL, MIXED_SHORT, MIXED_LONG };

static const char *const weight_names[] = {
	"equal", "1..4 (short period)", "1..1000 (long period)",
};

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct mdp_lb *
make(enum mdp_lb_policy p, unsigned n, enum weights wt)
{
	struct mdp_lb_params prm = { .policy = p, .n_workers = 1, .seed = 1 };
	struct mdp_lb_endpoint eps[100];
	char err[128];
	struct mdp_lb *lb;

	for (unsigned i = 0; i < n; i++) {
		eps[i].addr = 0xc6336400u + i + 1;
		eps[i].port = 80;
		eps[i].healthy = true;
		eps[i].weight = wt == EQUAL ? 1 : wt == MIXED_SHORT ?
			(uint16_t)(1 + i % 4) : (uint16_t)(1 + (i * 7919) % 1000);
	}
	lb = mdp_lb_build(&prm, eps, n, err, sizeof(err));
	if (lb == NULL) {
		fprintf(stderr, "build: %s\n", err);
		exit(1);
	}
	return lb;
}

static volatile int sink;

static void
run(enum mdp_lb_policy p, unsigned n, enum weights wt, int mode)
{
	struct mdp_lb *lb = make(p, n, wt);
	struct mdp_lb_info info;
	uint64_t key = 0x9e3779b97f4a7c15ull;
	double t0, t1;
	int acc = 0;

	t0 = now_ns();
	for (unsigned i = 0; i < PICKS; i++) {
		int k;

		if (mode == 1) {	/* maglev with hashing a header value */
			char v[16] = "user-0000000000";

			memcpy(v + 5, &i, sizeof(i));
			key = mdp_lb_hash_bytes(v, sizeof(v));
		} else
			key += 0x9e3779b97f4a7c15ull;
		k = mdp_lb_pick(lb, 0, key);
		if (mode == 2) {	/* least request with start and end */
			mdp_lb_req_start(lb, 0, (unsigned)k);
			mdp_lb_req_end(lb, 0, (unsigned)k);
		}
		acc += k;
	}
	t1 = now_ns();
	sink = acc;
	mdp_lb_info(lb, &info);
	printf("%-14s %-22s %3u eps %-18s %6.1f ns/pick  (table %u, shared %zu B, worker %zu B)\n",
	       mdp_lb_policy_name(p), weight_names[wt], n,
	       mode == 1 ? "+hash 16 B" : mode == 2 ? "+start/end" : "",
	       (t1 - t0) / PICKS, info.table_size, info.mem_shared,
	       info.mem_worker);
	mdp_lb_free(lb);
}

int
main(void)
{
	static const unsigned ns[] = { 3, 10, 100 };

	for (unsigned i = 0; i < 3; i++) {
		unsigned n = ns[i];

		run(MDP_LB_ROUND_ROBIN, n, EQUAL, 0);
		run(MDP_LB_ROUND_ROBIN, n, MIXED_SHORT, 0);
		run(MDP_LB_ROUND_ROBIN, n, MIXED_LONG, 0);
		run(MDP_LB_LEAST_REQUEST, n, EQUAL, 0);
		run(MDP_LB_LEAST_REQUEST, n, EQUAL, 2);
		run(MDP_LB_LEAST_REQUEST, n, MIXED_LONG, 0);
		run(MDP_LB_LEAST_REQUEST, n, MIXED_LONG, 2);
		run(MDP_LB_MAGLEV, n, EQUAL, 0);
		run(MDP_LB_MAGLEV, n, EQUAL, 1);
		run(MDP_LB_MAGLEV, n, MIXED_LONG, 0);
	}
	return 0;
}
