/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the mesh resources document (lib/mesh): any bytes
 * as JSON, then validation. A document that validates must also compile
 * (route tables and balancers for one worker) or fail with a message; its
 * authorization policies (lib/authz) are checked against a few requests,
 * HTTP and TCP, and its dump (spec->doc) must validate again; nothing may
 * crash, leak or read out of bounds. Inputs over 16 KiB are skipped
 * (Hyperscan compilation time, not coverage).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "authz/mdp_authz.h"
#include "lb/mdp_lb.h"
#include "mesh/mdp_mesh_conf.h"
#include "route/mdp_route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
resolve(void *ctx, const char *name, uint32_t *idx)
{
	int i = mdp_mesh_spec_cluster(ctx, name);

	if (i < 0)
		return -1;
	*idx = (uint32_t)i;
	return 0;
}

static int
header(void *arg, const char *name, size_t name_len, const char **val, size_t *val_len)
{
	(void)arg;
	if (name_len % 2 == 0)
		return 0;
	*val = name;	/* any bytes will do */
	*val_len = name_len;
	return 1;
}

/* A few requests through the policies: every verdict names a policy in
 * range, or none. */
static void
check_authz(const struct mdp_authz *a)
{
	static const char *const principals[] = {
		NULL, "spiffe://cluster.local/ns/default/sa/order", "td/ns/x/sa/y", "spiffe://",
	};
	static const char *const paths[] = { "/", "/admin/x", "/info" };

	for (unsigned i = 0; i < 24; i++) {
		const char *pr = principals[i % 4], *path = paths[i % 3];
		struct mdp_authz_req r = {
			.principal = pr, .principal_len = pr != NULL ? strlen(pr) : 0,
			.src_ip = 0xc6120000u + i, .dst_port = (uint16_t)(8080 + i % 2),
			.sni = i % 5 ? "payment.prod" : NULL, .sni_len = 12, .http = i < 12,
			.method = i % 2 ? "GET" : "POST", .method_len = i % 2 ? 3 : 4,
			.host = "Payment", .host_len = 7, .path = path, .path_len = strlen(path),
			.header = i % 3 ? header : NULL,
		};
		int idx = -2;

		(void)mdp_authz_check(a, &r, &idx);
		if (idx < -1 || idx >= (int)mdp_authz_count(a))
			__builtin_trap();
		idx = mdp_authz_audit(a, &r);
		if (idx < -1 || idx >= (int)mdp_authz_count(a))
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mdp_mesh_defaults def = { .route_timeout_ms = 15000 };
	struct mdp_mesh_spec *spec;
	json_error_t jerr;
	char err[512];
	json_t *doc;

	if (size > 16384)
		return 0;
	doc = json_loadb((const char *)data, size, 0, &jerr);
	if (doc == NULL)
		return 0;
	spec = mdp_mesh_spec_parse(doc, &def, err, sizeof(err));
	json_decref(doc);
	if (spec == NULL) {
		if (err[0] == '\0')
			__builtin_trap();	/* a refusal always says why */
		return 0;
	}
	check_authz(spec->authz);
	{
		/* the dump validates again, to the same dump */
		json_t *dump = json_deep_copy(spec->doc);
		struct mdp_mesh_spec *again = mdp_mesh_spec_parse(dump, &def, err, sizeof(err));

		if (again == NULL || !json_equal(again->doc, spec->doc) ||
		    mdp_authz_count(again->authz) != mdp_authz_count(spec->authz))
			__builtin_trap();
		mdp_mesh_spec_free(again);
		json_decref(dump);
	}
	for (unsigned i = 0; i < spec->n_clusters; i++) {
		struct mdp_mesh_cluster_spec *cs = &spec->clusters[i];
		struct mdp_lb_params lp = cs->lb;
		struct mdp_lb *lb;

		if (cs->n_eps == 0)
			continue;
		lp.n_workers = 1;
		if (lp.table_size == 0 && lp.policy == MDP_LB_MAGLEV)
			lp.table_size = 251;	/* a small prime: speed */
		lb = mdp_lb_build(&lp, cs->eps, cs->n_eps, err, sizeof(err));
		if (lb != NULL) {
			(void)mdp_lb_pick(lb, 0, 12345);
			mdp_lb_free(lb);
		}
	}
	for (unsigned i = 0; i < spec->n_rts; i++) {
		struct mdp_route_table *t = mdp_route_table_compile(&spec->rts[i].conf, 1, err,
								   sizeof(err));

		if (t == NULL)
			continue;
		(void)mdp_route_table_bind(t, resolve, spec, err, sizeof(err));
		mdp_route_table_free(t);
	}
	mdp_mesh_spec_free(spec);
	return 0;
}
