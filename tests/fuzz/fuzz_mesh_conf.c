/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the mesh resources document (lib/mesh): any bytes
 * as JSON, then validation. A document that validates must also compile
 * (route tables and balancers for one worker) or fail with a message;
 * nothing may crash, leak or read out of bounds. Inputs over 16 KiB are
 * skipped (Hyperscan compilation time, not coverage).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

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
