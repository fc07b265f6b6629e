/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_LB_H
#define MDP_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Load balancing over one cluster's endpoints (docs/load-balancing.md).
 *
 * The control thread builds a struct mdp_lb from the endpoint list whenever
 * the list, a weight or a health flag changes (malloc allowed there), and
 * publishes it with the cluster's snapshot. Workers pick from it on the fast
 * path: no allocation, no locks, no system calls.
 *
 * The structure is immutable except for one slice per worker, allocated at
 * build time and cache-line aligned: the position of round robin, the
 * random state of least request and the outstanding-request counts. Only
 * worker w touches slice w (mdp_lb_pick(), mdp_lb_req_start(),
 * mdp_lb_req_end(), mdp_lb_adopt() with worker w), so nothing mutable is
 * shared between cores. A rebuilt structure starts with fresh slices; a
 * worker carries its outstanding counts over with mdp_lb_adopt().
 *
 * Policies (Envoy's names and meaning):
 *   round_robin    smooth weighted round robin (nginx's algorithm): weights
 *                  5,1,1 give a a b a c a a. O(1) per pick from a sequence
 *                  precomputed at build time when the weights' period
 *                  (sum / gcd) is at most MDP_LB_WRR_TABLE_MAX, otherwise
 *                  nginx's O(live endpoints) scan per pick.
 *   least_request  power of two choices: two distinct random endpoints
 *                  (drawn in proportion to weight), the one with fewer
 *                  outstanding requests on this worker per unit of weight
 *                  wins; a tie goes to the first draw. O(1) when all
 *                  weights are equal, O(log n) otherwise.
 *   maglev         consistent hashing (Maglev, NSDI 2016) with weights
 *                  (Envoy's weighted Maglev): a lookup table of prime size,
 *                  O(1) per pick.
 *
 * Health: an endpoint is live when it is healthy and its weight is not 0
 * (weight 0 means drained). Only live endpoints are picked; the live set is
 * fixed at build time, so the control thread rebuilds on every health
 * change. With no live endpoint every pick returns -ENOENT (the proxy
 * answers 503).
 *
 * Endpoints are named by their index in the array given to mdp_lb_build();
 * picks return such an index.
 */

/* At most this many endpoints per cluster (indices fit in 16 bits). */
#define MDP_LB_MAX_ENDPOINTS		65535u
/* Maglev's default table size (a prime; Envoy's default). */
#define MDP_LB_MAGLEV_TABLE_SIZE	65537u
/* Largest Maglev table accepted (a prime below 2^24). */
#define MDP_LB_MAGLEV_TABLE_MAX		16777213u
/* Longest round-robin period kept as a precomputed sequence (2 bytes an
 * entry, shared by all workers); longer periods scan per pick. */
#define MDP_LB_WRR_TABLE_MAX		4096u

enum mdp_lb_policy {
	MDP_LB_ROUND_ROBIN,
	MDP_LB_LEAST_REQUEST,
	MDP_LB_MAGLEV,
};

struct mdp_lb_endpoint {
	uint32_t addr;		/* IPv4, host byte order */
	uint16_t port;		/* host byte order */
	uint16_t weight;	/* 0: drained, never picked */
	bool healthy;		/* false: failed health checks or ejected */
};

struct mdp_lb_params {
	enum mdp_lb_policy policy;
	unsigned n_workers;	/* slices to allocate, >= 1 */
	/* Maglev: table size, a prime >= the live endpoint count and
	 * <= MDP_LB_MAGLEV_TABLE_MAX; 0 means MDP_LB_MAGLEV_TABLE_SIZE.
	 * Ignored by the other policies. */
	uint32_t table_size;
	/* least_request: seeds the per-worker random streams (worker w gets
	 * its own stream from seed and w). Ignored by the other policies. */
	uint64_t seed;
};

/* What mdp_lb_info() reports (for meshctl). */
struct mdp_lb_info {
	enum mdp_lb_policy policy;
	unsigned n_endpoints;	/* given to mdp_lb_build() */
	unsigned n_live;	/* healthy with weight > 0 */
	unsigned n_workers;
	uint64_t total_weight;	/* of the live endpoints */
	/* round_robin: length of the precomputed sequence, 0 when picks scan;
	 * maglev: table size; least_request: 0 */
	uint32_t table_size;
	size_t mem_shared;	/* bytes read by all workers */
	size_t mem_worker;	/* bytes of one worker's slice */
};

struct mdp_lb;

/*
 * Build a balancer over eps[0..n-1] (copied; the caller keeps eps). Control
 * thread only.
 *
 * Refused, with a message in err (if not NULL, NUL-terminated within
 * errlen) that names the endpoint where there is one: no endpoints, more
 * than MDP_LB_MAX_ENDPOINTS, every weight 0 (all drained: a configuration
 * mistake rather than a runtime state), the same address and port twice,
 * n_workers 0, an unknown policy, a Maglev table size that is not a prime
 * in range or is smaller than the live endpoint count. Endpoints that are
 * all unhealthy are accepted: picks then return -ENOENT.
 *
 * Cost: O(n log n), plus for round_robin O(period x live) when the sequence
 * is precomputed, and for maglev O(M log M) for a table of M entries with
 * equal weights (more rounds when weights differ widely); about a
 * millisecond for 100 endpoints and the default table.
 *
 * Returns the balancer, or NULL on a refused input (err says why) or
 * allocation failure (err says so; errno is ENOMEM).
 */
struct mdp_lb *mdp_lb_build(const struct mdp_lb_params *params,
			    const struct mdp_lb_endpoint *eps, unsigned n,
			    char *err, size_t errlen);

/* Free a balancer (NULL is fine). Control thread, after every worker has
 * stopped using it (RCU grace period). */
void mdp_lb_free(struct mdp_lb *lb);

/*
 * Pick an endpoint for a request on worker `worker`.
 *
 * @param hash
 *   maglev: the request's key, a well-mixed 64-bit hash
 *   (mdp_lb_hash_bytes() of a header value, mdp_lb_hash_ipv4() of the
 *   source address); the same key gives the same endpoint for as long as
 *   the live set is the same. Ignored by the other policies.
 *
 * Does not count the request as outstanding: call mdp_lb_req_start() when
 * it is sent (a pick that is not used costs nothing).
 *
 * Returns the endpoint's index in the build array, -ENOENT when there is no
 * live endpoint, -EINVAL when worker is out of range.
 */
int mdp_lb_pick(struct mdp_lb *lb, unsigned worker, uint64_t hash);

/*
 * Count a request to endpoint idx as outstanding on this worker, and stop
 * counting it. least_request decides by these counts; the other policies
 * only keep them (mdp_lb_outstanding()). The end of a request that was
 * never started is ignored (counts do not go below 0); an idx out of range
 * is ignored. A request that outlives a rebuild ends on the new balancer,
 * under its index there (mdp_lb_find()); see mdp_lb_adopt().
 */
void mdp_lb_req_start(struct mdp_lb *lb, unsigned worker, unsigned idx);
void mdp_lb_req_end(struct mdp_lb *lb, unsigned worker, unsigned idx);

/*
 * Carry worker `worker`'s outstanding counts from prev (the balancer this
 * worker used until now) to lb, matching endpoints by address and port;
 * endpoints that are gone lose their counts. Call on the worker when it
 * switches to the new snapshot, while prev is still alive (before its next
 * quiescent-state report). O(n log n) for prev's n endpoints with
 * outstanding requests. Without it the new balancer starts from 0, and the
 * requests in flight at the switch are not counted until they end.
 */
void mdp_lb_adopt(struct mdp_lb *lb, unsigned worker, const struct mdp_lb *prev);

/* Outstanding requests counted by worker `worker` on endpoint idx (0 when
 * either is out of range). Read from another thread, the value may be
 * stale. */
uint32_t mdp_lb_outstanding(const struct mdp_lb *lb, unsigned worker,
			    unsigned idx);

/* Index of the endpoint with this address and port, or -ENOENT. O(log n). */
int mdp_lb_find(const struct mdp_lb *lb, uint32_t addr, uint16_t port);

/* The endpoint at idx as given to mdp_lb_build() (NULL when out of range);
 * valid as long as lb. */
const struct mdp_lb_endpoint *mdp_lb_endpoint(const struct mdp_lb *lb,
					      unsigned idx);

/* Describe lb into *info. */
void mdp_lb_info(const struct mdp_lb *lb, struct mdp_lb_info *info);

/* Config name to policy: "round_robin", "least_request", "maglev".
 * Returns the enum mdp_lb_policy value, or -EINVAL. */
int mdp_lb_policy_parse(const char *s);

/* Policy to config name ("?" for an unknown value). */
const char *mdp_lb_policy_name(enum mdp_lb_policy p);

/*
 * The 64-bit key of n bytes at p (p may be NULL when n is 0), for Maglev
 * picks: SipHash-2-4 under a fixed, public key, so every process and host
 * maps a key to the same value and, given the same endpoints and table
 * size, to the same endpoint. Not secret: a client that knows the key can
 * aim at one endpoint, but it could as well send the same header value
 * every time.
 */
uint64_t mdp_lb_hash_bytes(const void *p, size_t n);

/* mdp_lb_hash_bytes() of an IPv4 address (host byte order) as its 4 bytes
 * in network order: the key for hashing on the source address. */
uint64_t mdp_lb_hash_ipv4(uint32_t addr);

#endif
