/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ns per mdp_authz_check() (lib/authz, docs/authorization.md) at 1, 10 and
 * 100 policies. Not part of any test run; built by perf/meson.build, run by
 * hand (a release build, one quiet core):
 *
 *   taskset -c 1 build-perf/perf/bench_authz [iterations]
 *
 * The policies are those of a service with many callers: policy 0 is a
 * DENY of namespace "untrusted" (with 10 and 100 policies), every other
 * one an ALLOW for one caller's SPIFFE ID, two methods and two paths
 * (a prefix and an exact one), and every tenth also a header condition.
 * Figures, each the best of 5 rounds (interference only adds time):
 *  - the first ALLOW matches;
 *  - the last ALLOW matches (every policy before it is evaluated);
 *  - no policy matches (denied after evaluating all of them);
 *  - the same caller as the last, on a TCP listener (the ALLOW rules all
 *    use HTTP fields, so they are skipped: the cheapest full scan).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "authz/mdp_authz.h"

#define ROUNDS 5

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct mdp_authz *
make(unsigned n)
{
	json_t *arr = json_array();
	char err[256], buf[1024];
	struct mdp_authz *a;

	for (unsigned i = 0; i < n; i++) {
		json_error_t je;
		json_t *p;

		if (i == 0 && n > 1)
			snprintf(buf, sizeof(buf),
				 "{\"name\": \"deny-untrusted\", \"action\": \"DENY\", \"rules\": "
				 "[{\"from\": [{\"source\": {\"namespaces\": [\"untrusted\"]}}]}]}");
		else
			snprintf(buf, sizeof(buf),
				 "{\"name\": \"caller-%u\", \"rules\": [{\"from\": [{\"source\": "
				 "{\"principals\": [\"cluster.local/ns/prod/sa/caller-%u\"]}}], "
				 "\"to\": [{\"operation\": {\"methods\": [\"GET\", \"POST\"], "
				 "\"paths\": [\"/api/v1/%u/*\", \"/health\"]}}]%s}]}",
				 i, i, i,
				 i % 10 == 9 ? ", \"when\": [{\"key\": \"request.headers[x-tenant]\", "
					       "\"values\": [\"t-*\"]}]" : "");
		p = json_loads(buf, 0, &je);
		if (p == NULL) {
			fprintf(stderr, "json: %s\n", je.text);
			exit(1);
		}
		json_array_append_new(arr, p);
	}
	a = mdp_authz_compile(arr, err, sizeof(err));
	json_decref(arr);
	if (a == NULL) {
		fprintf(stderr, "compile: %s\n", err);
		exit(1);
	}
	return a;
}

static int
header(void *arg, const char *name, size_t name_len, const char **val, size_t *val_len)
{
	(void)arg;
	if (name_len == 8 && memcmp(name, "x-tenant", 8) == 0) {
		*val = "t-42";
		*val_len = 4;
		return 1;
	}
	return 0;
}

static volatile int sink;

static double
run(const struct mdp_authz *a, const struct mdp_authz_req *r, enum mdp_authz_verdict want,
    unsigned iters)
{
	double best = 1e30;

	if (mdp_authz_check(a, r, NULL) != want) {
		fprintf(stderr, "unexpected verdict\n");
		exit(1);
	}

	for (int k = 0; k < ROUNDS; k++) {
		double t0 = now_ns(), t;
		int acc = 0, idx;

		for (unsigned i = 0; i < iters; i++)
			acc += (int)mdp_authz_check(a, r, &idx) + idx;
		t = (now_ns() - t0) / iters;
		sink = acc;
		if (t < best)
			best = t;
	}
	return best;
}

int
main(int argc, char **argv)
{
	static const unsigned ns[] = { 1, 10, 100 };
	unsigned iters = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000000;

	printf("%-10s %12s %12s %12s %12s  (ns per check)\n", "policies", "first allow",
	       "last allow", "no match", "tcp");
	for (unsigned k = 0; k < 3; k++) {
		struct mdp_authz *a = make(ns[k]);
		unsigned first = ns[k] > 1 ? 1 : 0, last = ns[k] - 1;
		char p_first[64], p_last[64], path_first[32], path_last[32];
		struct mdp_authz_req r = {
			.src_ip = 0xc6120005u, .dst_port = 8080, .http = true,
			.method = "POST", .method_len = 4, .host = "payment", .host_len = 7,
			.header = header,
		};
		double t_first, t_last, t_miss, t_tcp;

		snprintf(p_first, sizeof(p_first), "spiffe://cluster.local/ns/prod/sa/caller-%u",
			 first);
		snprintf(p_last, sizeof(p_last), "spiffe://cluster.local/ns/prod/sa/caller-%u", last);
		snprintf(path_first, sizeof(path_first), "/api/v1/%u/orders/17", first);
		snprintf(path_last, sizeof(path_last), "/api/v1/%u/orders/17", last);

		r.principal = p_first;
		r.principal_len = strlen(p_first);
		r.path = path_first;
		r.path_len = strlen(path_first);
		t_first = run(a, &r, MDP_AUTHZ_ALLOW, iters);

		r.principal = p_last;
		r.principal_len = strlen(p_last);
		r.path = path_last;
		r.path_len = strlen(path_last);
		t_last = run(a, &r, MDP_AUTHZ_ALLOW, iters);

		r.path = "/admin";
		r.path_len = 6;
		t_miss = run(a, &r, MDP_AUTHZ_DENY, iters);

		r.http = false;
		t_tcp = run(a, &r, MDP_AUTHZ_DENY, iters);

		printf("%-10u %12.1f %12.1f %12.1f %12.1f\n", ns[k], t_first, t_last, t_miss, t_tcp);
		mdp_authz_free(a);
	}
	return 0;
}
