/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route matching micro-benchmark (not a test; docs/routing.md). Built by
 * perf/meson.build; `perf/run micro` runs it:
 *
 *   build/perf/bench_route [iterations [row]]
 *
 * Builds tables of 10, 100 and 10,000 routes in the vhost "order-service"
 * (plus 20 small vhosts and a default), a mix of exact paths, prefixes, a
 * few regexes, header rules (x-user-group: beta), method rules and canary
 * splits, and reports the compile time and the ns per match, on one core,
 * (and again 10,000 with only 2 path regexes, to separate the cost of
 * Hyperscan's scan from the number of routes) for: a hit near the start, a header-rule hit in the middle, a hit on the
 * last route, and a miss (404); and the cost of one weighted pick. Each
 * request carries 8 header lines. Default: 1e6 iterations per figure.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "route/mdp_route.h"

static const struct mdp_route_cluster_weight canary[] = {
	{ "order-v1", 90 }, { "order-v2", 10 } };
static const struct mdp_route_cluster_weight v1[] = { { "order-v1", 1 } };
static const struct mdp_route_cluster_weight v2[] = { { "order-v2", 1 } };
static const struct mdp_route_header_match beta[] = {
	{ "x-user-group", MDP_ROUTE_HDR_EXACT, "beta", false } };
static const char *const get_only[] = { "GET" };

/* Each figure is the best of ROUNDS rounds of iterations / ROUNDS: the
 * machine may be shared, and interference only ever adds time. */
#define ROUNDS	5

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * Route i of n; the last is the exact path "/api/v1/last" with a 90/10
 * canary split. Route ids are 5 digits wide, so that every table sees the
 * same request paths and prefix lengths. Of every 10:
 * 4 exact paths, 3 prefixes, 1 prefix with the beta header rule, 1 exact
 * path for GET only (a path regex instead one time in 5), 1 exact path
 * with a 90/10 canary split.
 */
static void
make_route(struct mdp_route_conf *r, unsigned i, unsigned n, bool few_rx, char *buf,
	   size_t len)
{
	memset(r, 0, sizeof(*r));
	r->name = NULL;
	r->action.kind = MDP_ROUTE_ACT_CLUSTERS;
	r->action.forward.clusters = v1;
	r->action.forward.n_clusters = 1;
	r->action.forward.timeout_ms = 10000;
	r->match.path.value = buf;
	if (i == n - 1) {
		snprintf(buf, len, "/api/v1/last");
		r->match.path.kind = MDP_ROUTE_PATH_EXACT;
		r->action.forward.clusters = canary;
		r->action.forward.n_clusters = 2;
		return;
	}
	switch (i % 10) {
	case 0: case 1: case 2: case 3:
		snprintf(buf, len, "/api/v1/items/%05u", i);
		r->match.path.kind = MDP_ROUTE_PATH_EXACT;
		break;
	case 4: case 5: case 6:
		snprintf(buf, len, "/svc%05u/", i);
		r->match.path.kind = MDP_ROUTE_PATH_PREFIX;
		break;
	case 7:
		snprintf(buf, len, "/svc%05u/", i);
		r->match.path.kind = MDP_ROUTE_PATH_PREFIX;
		r->match.headers = beta;
		r->match.n_headers = 1;
		r->action.forward.clusters = v2;
		break;
	case 8:
		if (i % 50 == 8 && (!few_rx || i < 100)) {
			snprintf(buf, len, "/users/[0-9]+/orders/%05u", i);
			r->match.path.kind = MDP_ROUTE_PATH_REGEX;
		} else {
			snprintf(buf, len, "/api/v2/orders/%05u", i);
			r->match.path.kind = MDP_ROUTE_PATH_EXACT;
			r->match.methods = get_only;
			r->match.n_methods = 1;
		}
		break;
	default:
		snprintf(buf, len, "/api/v1/canary/%05u", i);
		r->match.path.kind = MDP_ROUTE_PATH_EXACT;
		r->action.forward.clusters = canary;
		r->action.forward.n_clusters = 2;
		break;
	}
}

struct setup {
	struct mdp_route_conf *routes;
	char (*paths)[64];
	struct mdp_route_vhost_conf vh[22];
	char names[22][32], doms[22][48];
	const char *dom_ptr[22];
	struct mdp_route_table_conf cfg;
};

static void
build(struct setup *s, unsigned n, bool few_rx)
{
	static const struct mdp_route_conf small = {
		.match = { .path = { MDP_ROUTE_PATH_PREFIX, "/", false } },
		.action = { .kind = MDP_ROUTE_ACT_CLUSTERS,
			    .forward = { .clusters = v1, .n_clusters = 1 } } };

	s->routes = calloc(n, sizeof(*s->routes));
	s->paths = calloc(n, sizeof(*s->paths));
	for (unsigned i = 0; i < n; i++)
		make_route(&s->routes[i], i, n, few_rx, s->paths[i], sizeof(s->paths[i]));
	for (unsigned v = 0; v < 22; v++) {
		snprintf(s->names[v], sizeof(s->names[v]), "vh%u", v);
		if (v == 0)
			snprintf(s->doms[v], sizeof(s->doms[v]), "order-service");
		else if (v == 21)
			snprintf(s->doms[v], sizeof(s->doms[v]), "*");
		else if (v % 2)
			snprintf(s->doms[v], sizeof(s->doms[v]), "svc-%u.production", v);
		else
			snprintf(s->doms[v], sizeof(s->doms[v]), "*.zone%u.example.com", v);
		s->dom_ptr[v] = s->doms[v];
		s->vh[v] = (struct mdp_route_vhost_conf){
			.name = s->names[v], .domains = &s->dom_ptr[v], .n_domains = 1,
			.routes = v == 0 ? s->routes : &small, .n_routes = v == 0 ? n : 1 };
	}
	s->cfg = (struct mdp_route_table_conf){ s->vh, 22 };
}

static const struct mdp_route_hdr hdrs_alpha[] = {
	{ "Host", "order-service:8080", 4, 18 },
	{ "User-Agent", "curl/7.88.1", 10, 11 },
	{ "Accept", "*/*", 6, 3 },
	{ "x-request-id", "0f8fad5b-d9cb-469f-a165-70867728950e", 12, 36 },
	{ "x-forwarded-for", "198.18.0.1", 15, 10 },
	{ "x-b3-traceid", "80f198ee56343ba864fe8b2a57d3eff7", 12, 32 },
	{ "x-user-group", "alpha", 12, 5 },
	{ "Content-Length", "0", 14, 1 },
};
static struct mdp_route_hdr hdrs_beta[8];	/* the same, x-user-group: beta */

static double
time_match(const struct mdp_route_table *t, const char *path, const char *query,
	   const struct mdp_route_hdr *h, unsigned long iters, int want)
{
	struct mdp_route_req q = {
		.method = "GET", .method_len = 3,
		.authority = "order-service:8080", .authority_len = 18,
		.path = path, .path_len = (uint32_t)strlen(path),
		.query = query, .query_len = query ? (uint32_t)strlen(query) : 0,
		.hdrs = h, .n_hdrs = 8,
	};
	const struct mdp_route *r = mdp_route_table_match(t, 0, &q, NULL);
	uintptr_t sink = 0;
	double t0, t1, best = 1e30;

	if ((r ? (int)r->index : -1) != want) {
		fprintf(stderr, "%s: matched %d, expected %d\n", path,
			r ? (int)r->index : -1, want);
		exit(1);
	}
	for (unsigned long i = 0; i < iters / 10; i++)	/* warm up */
		sink += (uintptr_t)mdp_route_table_match(t, 0, &q, NULL);
	for (unsigned round = 0; round < ROUNDS; round++) {
		t0 = now_ns();
		for (unsigned long i = 0; i < iters / ROUNDS; i++) {
			sink += (uintptr_t)mdp_route_table_match(t, 0, &q, NULL);
			__asm__ volatile("" : : "r"(sink) : "memory");
		}
		t1 = now_ns();
		if ((t1 - t0) / (double)(iters / ROUNDS) < best)
			best = (t1 - t0) / (double)(iters / ROUNDS);
	}
	return best;
}

int
main(int argc, char **argv)
{
	/* the last: 10,000 routes with only 2 path regexes */
	static const unsigned sizes[] = { 10, 100, 10000, 10000 };
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	int only = argc > 2 ? atoi(argv[2]) : -1;	/* one row, for profilers */
	char err[512];

	memcpy(hdrs_beta, hdrs_alpha, sizeof(hdrs_beta));
	hdrs_beta[6].value = "beta";
	hdrs_beta[6].value_len = 4;
	printf("%8s %10s %10s %10s %10s %10s %10s\n", "routes", "compile_ms", "hit_start",
	       "hit_beta", "hit_end", "miss", "pick");
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned n = sizes[k];
		struct setup s;
		struct mdp_route_table *t;
		double c0, c1, hs, hb, he, ms, pk;
		char beta_path[32];
		bool few_rx = k == 3;
		unsigned bi;

		if (only >= 0 && (unsigned)only != k)
			continue;
		build(&s, n, few_rx);
		c0 = now_ns();
		t = mdp_route_table_compile(&s.cfg, 1, err, sizeof(err));
		c1 = now_ns();
		if (t == NULL) {
			fprintf(stderr, "compile: %s\n", err);
			return 1;
		}
		/* the header rule in the middle of the table */
		bi = (n / 2) / 10 * 10 + 7;
		if (bi >= n - 1)
			bi = 7;
		snprintf(beta_path, sizeof(beta_path), "/svc%05u/orders/17", bi);

		hs = time_match(t, "/api/v1/items/00001", "a=1", hdrs_alpha, iters, 1);
		hb = time_match(t, beta_path, NULL, hdrs_beta, iters, (int)bi);
		he = time_match(t, "/api/v1/last", "a=1", hdrs_alpha, iters, (int)n - 1);
		ms = time_match(t, "/api/v3/nothing/here", NULL, hdrs_alpha, iters, -1);
		{
			const struct mdp_route *r = &mdp_route_table_vhost(t, 0)->routes[n - 1];
			uint64_t x = 0x9e3779b97f4a7c15ull, acc = 0;
			double p0 = now_ns();

			for (unsigned long i = 0; i < iters; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				acc += mdp_route_pick_cluster(r, x);
			}
			pk = (now_ns() - p0) / (double)iters;
			__asm__ volatile("" : : "r"(acc));
		}
		printf("%7u%s %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f\n", n, few_rx ? "*" : " ",
		       (c1 - c0) / 1e6, hs, hb, he, ms, pk);
		mdp_route_table_free(t);
		free(s.routes);
		free(s.paths);
	}
	printf("(* with 2 path regexes instead of 200)\n");
	return 0;
}
