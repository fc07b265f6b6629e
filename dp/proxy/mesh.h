/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_MESH_H
#define MDP_MESH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <rte_common.h>

#include "conf/mdp_config.h"
#include "proxy_head.h"

/*
 * The mesh configuration as the workers see it: one immutable snapshot of
 * clusters (endpoints and their load balancer) and route tables (compiled
 * by lib/route) and TLS contexts, built whole on the control thread and published to every
 * worker (mesh_publish.c). A worker uses the newest snapshot for each new
 * request; a request keeps the snapshot it started with until it ends, so
 * an update never changes a request half-way. A snapshot is freed once no
 * worker runs a request on it and none will (docs/architecture.md, "Live
 * updates").
 */

struct mdp_lb;
struct mdp_route_table;
struct mdp_mesh_spec;

struct mdp_mesh_endpoint {
	uint32_t addr;		/* host order */
	uint16_t port;
	uint16_t weight;
};

/* Consistent-hash key of a cluster (maglev). */
enum mdp_mesh_hash_on {
	MDP_MESH_HASH_SOURCE_IP = 0,
	MDP_MESH_HASH_HEADER,
};

struct mdp_mesh_cluster {
	char name[64];
	struct mdp_lb *lb;
	struct mdp_mesh_endpoint *eps;
	unsigned n_eps;
	uint32_t connect_timeout_ms;
	uint32_t idle_timeout_ms;	/* an idle pooled connection closes after it */
	uint32_t max_idle;		/* pooled idle connections per endpoint per worker */
	uint8_t hash_on;		/* enum mdp_mesh_hash_on */
	char hash_header[64];		/* lower case */
	uint16_t hash_header_len;
	/* TLS origination (the cluster's `tls`, DestinationRule meaning):
	 * NULL ctx: plaintext */
	SSL_CTX *tls_ctx;
	char tls_sni[256];		/* "" : no SNI */
	char **tls_ids;			/* the upstream SPIFFE IDs accepted */
	unsigned n_tls_ids;
	/* A digest of everything that makes an upstream connection's TLS
	 * (mode, SNI, accepted IDs, our certificate, the bundle); 0 for
	 * plaintext. A pooled connection is reused only for a cluster with
	 * the same key, so a change never rides on an old connection. */
	uint64_t tls_key;
};

/* A route's header operations, as the head builders take them. */
struct mdp_mesh_route_ops {
	struct mdp_hdr_op *req;
	unsigned n_req;
	struct mdp_hdr_op *resp;
	unsigned n_resp;
};

struct mdp_mesh_rt {
	char name[64];
	struct mdp_route_table *t;
	uint32_t *vh_base;		/* first route of each vhost in ops[] */
	struct mdp_mesh_route_ops *ops;	/* per route, all vhosts in order */
};

/* One worker's use of a snapshot; only that worker writes it. */
struct mdp_mesh_wuse {
	uint32_t users;			/* requests running on it */
	bool adopted;			/* the worker took it as current */
	atomic_bool released;		/* adopted, superseded, and no users left */
} __rte_cache_aligned;

struct mdp_mesh {
	uint64_t version;		/* 1, 2, ... in publication order */
	struct mdp_mesh_cluster *clusters;
	unsigned n_clusters;
	struct mdp_mesh_rt *rts;
	unsigned n_rts;
	int lsn_rt[MDP_MAX_LISTENERS];	/* route table of each http listener, or -1 */
	/* each TLS listener's server context (NULL: plaintext listener) and
	 * mode (enum mdp_mtls_mode) */
	SSL_CTX *lsn_tls[MDP_MAX_LISTENERS];
	uint8_t lsn_mtls[MDP_MAX_LISTENERS];
	char *lsn_id[MDP_MAX_LISTENERS];	/* its credential's SPIFFE ID, or NULL */
	struct mdp_mesh_spec *spec;	/* the source, for dumps and partial updates */
	struct mdp_mesh *next_old;	/* control thread: list of superseded snapshots */
	struct mdp_mesh_wuse use[MDP_MAX_WORKERS];
};

/*
 * Build a snapshot from a validated spec (ctrl/ctrl_mesh.c): compile the
 * route tables for n_workers, bind their cluster names, build the load
 * balancers, and resolve each http listener's route table. Takes the spec
 * (freed with the snapshot, or at once on failure). Returns the snapshot,
 * or NULL with a message in err. Control thread.
 */
struct mdp_tls_store;
struct mdp_mesh *mdp_mesh_build(struct mdp_mesh_spec *spec, const struct mdp_config *cfg,
				const struct mdp_tls_store *tls, unsigned n_workers, char *err,
				size_t errlen);
void mdp_mesh_free(struct mdp_mesh *m);

struct mdp_dp;

/*
 * Make m the snapshot for new requests on every worker (dp->mesh), and
 * keep the previous one until the workers release it. Takes m. Returns 0,
 * or a negative errno when a worker did not take it in time (it will,
 * when it gets to it). Control thread.
 */
int mdp_mesh_publish(struct mdp_dp *dp, struct mdp_mesh *m);
/* Free the superseded snapshots every worker has released; how many. */
unsigned mdp_mesh_reclaim(struct mdp_dp *dp);
/* Superseded snapshots still in use. */
unsigned mdp_mesh_old_count(const struct mdp_dp *dp);
/* Free every snapshot (the workers have stopped). */
void mdp_mesh_fini(struct mdp_dp *dp);

#endif
