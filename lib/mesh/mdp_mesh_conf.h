/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_MESH_CONF_H
#define MDP_MESH_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "authz/mdp_authz.h"
#include "lb/mdp_lb.h"
#include "route/mdp_route.h"

/*
 * The mesh resources as operators write them: clusters (endpoints, how
 * to balance over them, upstream TLS), named route tables (virtual hosts,
 * routes) and authorization policies, one JSON document:
 *
 *   { "clusters": [ { "name": ..., "endpoints": [ { "address": "a.b.c.d:p",
 *                     "weight": n }, ... ], "lb": ..., "tls": { ... },
 *                     ... }, ... ],
 *     "route_tables": [ { "name": ..., "virtual_hosts": [ ... ] }, ... ],
 *     "authorization_policies": [ { "name": ..., "action": ...,
 *                                   "rules": [ ... ] }, ... ] }
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

/* Upstream TLS of a cluster, with the meaning of Istio's DestinationRule
 * trafficPolicy.tls modes. */
enum mdp_mesh_tls_mode {
	MDP_MESH_TLS_DISABLE = 0,	/* plain TCP (also a cluster without "tls") */
	MDP_MESH_TLS_SIMPLE,		/* TLS, the upstream's certificate verified */
	MDP_MESH_TLS_MUTUAL,		/* mTLS with the credential named */
	MDP_MESH_TLS_ISTIO_MUTUAL,	/* mTLS with the workload's own credential */
};

/*
 * "tls": { "mode": ..., "credential": ..., "bundle": ..., "sni": ...,
 *          "subject_alt_names": [ "spiffe://...", ... ] }
 * Credential and bundle are names of the start-up file's tls group; the
 * dataplane binds them (an unknown name is its error, not this module's).
 */
struct mdp_mesh_tls_spec {
	enum mdp_mesh_tls_mode mode;
	/* Certificate and key presented upstream: MUTUAL names one (required),
	 * ISTIO_MUTUAL defaults to "default"; NULL for DISABLE and SIMPLE. */
	const char *credential;
	/* Trust bundle that verifies the upstream: "default" unless set; NULL
	 * for DISABLE. */
	const char *bundle;
	const char *sni;		/* server name sent; NULL: none set */
	/* The upstream's certificate must carry one of these SPIFFE IDs as a
	 * URI SAN; none listed: any certificate that chains to the bundle. */
	const char *const *sans;
	unsigned n_sans;
};

#define MDP_MESH_MAX_SANS 64

struct mdp_mesh_cluster_spec {
	const char *name;
	struct mdp_lb_params lb;	/* n_workers left 0: the compiler sets it */
	struct mdp_lb_endpoint *eps;
	unsigned n_eps;
	uint32_t connect_timeout_ms;
	uint32_t idle_timeout_ms;
	uint32_t max_idle;
	const char *hash_header;	/* maglev key; NULL: the client address */
	struct mdp_mesh_tls_spec tls;
};

struct mdp_mesh_rt_spec {
	const char *name;
	struct mdp_route_table_conf conf;
};

/*
 * A validated document. Strings point into the JSON document, which the
 * spec keeps a reference to; arrays come from the spec's own arena.
 *
 * doc is what config-dump shows: the document as given, except that
 * authorization policies written as Kubernetes resources (apiVersion,
 * kind, metadata, spec) appear in their flat form ({ "name", "namespace",
 * ...spec }, mdp_authz_flatten()); parsing doc again gives the same spec.
 */
struct mdp_mesh_spec {
	json_t *doc;
	struct mdp_mesh_cluster_spec *clusters;
	unsigned n_clusters;
	struct mdp_mesh_rt_spec *rts;
	unsigned n_rts;
	/* The compiled authorization_policies (never NULL; none: everything
	 * is allowed). Freed with the spec, which a mesh snapshot keeps for
	 * its whole life (dp/proxy/mesh.h). */
	struct mdp_authz *authz;
	void *arena;			/* private */
};

/*
 * Validate doc (a JSON object; a NULL or empty one is an empty mesh) and
 * build its spec. Every cluster name a route refers to must exist, and
 * names are unique (per kind of resource). Returns the spec (holding a
 * reference to doc, or to its normalized copy), or NULL with a message in
 * err naming the first problem's path.
 */
struct mdp_mesh_spec *mdp_mesh_spec_parse(json_t *doc, const struct mdp_mesh_defaults *def,
					  char *err, size_t errlen);

void mdp_mesh_spec_free(struct mdp_mesh_spec *spec);

/* Index of the cluster or route table named name, or -1. */
int mdp_mesh_spec_cluster(const struct mdp_mesh_spec *spec, const char *name);
int mdp_mesh_spec_rt(const struct mdp_mesh_spec *spec, const char *name);

#endif
