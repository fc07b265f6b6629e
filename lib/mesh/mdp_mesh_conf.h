/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_MESH_CONF_H
#define MDP_MESH_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lb/mdp_lb.h"
#include "route/mdp_route.h"

/*
 * The mesh resources as operators write them: clusters (endpoints and how
 * to balance over them) and named route tables (virtual hosts, routes),
 * one JSON document:
 *
 *   { "clusters": [ { "name": ..., "endpoints": [ { "address": "a.b.c.d:p",
 *                     "weight": n }, ... ], "lb": ..., ... }, ... ],
 *     "route_tables": [ { "name": ..., "virtual_hosts": [ ... ] }, ... ] }
 *
 * The same document comes from the start-up file (libconfig groups and
 * lists become JSON objects and arrays) and over the control socket;
 * docs/configuration.md describes every field. This module validates a
 * document whole and turns it into the input models of lib/route and
 * lib/lb. It does not compile anything (the control thread does that) and
 * knows nothing of workers.
 *
 * Errors name the place as a path into the document, e.g.
 *   route_tables[0].virtual_hosts[1].routes[2].match.headers[0].exact: expected a string
 */

/* Defaults a document may leave out. */
struct mdp_mesh_defaults {
	uint32_t route_timeout_ms;	/* a route without timeout_ms */
};

struct mdp_mesh_cluster_spec {
	const char *name;
	struct mdp_lb_params lb;	/* n_workers left 0: the compiler sets it */
	struct mdp_lb_endpoint *eps;
	unsigned n_eps;
	uint32_t connect_timeout_ms;
	uint32_t idle_timeout_ms;
	uint32_t max_idle;
	const char *hash_header;	/* maglev key; NULL: the client address */
};

struct mdp_mesh_rt_spec {
	const char *name;
	struct mdp_route_table_conf conf;
};

/*
 * A validated document. Strings point into the JSON document, which the
 * spec keeps a reference to; arrays come from the spec's own arena.
 */
struct mdp_mesh_spec {
	json_t *doc;
	struct mdp_mesh_cluster_spec *clusters;
	unsigned n_clusters;
	struct mdp_mesh_rt_spec *rts;
	unsigned n_rts;
	void *arena;			/* private */
};

/*
 * Validate doc (a JSON object; a NULL or empty one is an empty mesh) and
 * build its spec. Every cluster name a route refers to must exist, and
 * names are unique. Returns the spec (holding a reference to doc), or NULL
 * with a message in err naming the first problem's path.
 */
struct mdp_mesh_spec *mdp_mesh_spec_parse(json_t *doc, const struct mdp_mesh_defaults *def,
					  char *err, size_t errlen);

void mdp_mesh_spec_free(struct mdp_mesh_spec *spec);

/* Index of the cluster or route table named name, or -1. */
int mdp_mesh_spec_cluster(const struct mdp_mesh_spec *spec, const char *name);
int mdp_mesh_spec_rt(const struct mdp_mesh_spec *spec, const char *name);

#endif
