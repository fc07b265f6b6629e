/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_ROUTE_H
#define MDP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The compiled HTTP route table of the L7 proxy: virtual hosts chosen by
 * the request's authority, and in each an ordered list of routes (the first
 * whose conditions all hold wins) with an action: weighted clusters, a
 * direct response or a redirect. Semantics, matching cost and measured
 * numbers: docs/routing.md.
 *
 * Two sides:
 *  - The control thread (slow path, may allocate) fills the input model
 *    below (plain structs, NUL-terminated strings it owns) and calls
 *    mdp_route_table_compile(), which validates the whole configuration,
 *    copies what it keeps and builds the matchers: hash tables for exact
 *    domains, exact paths and path prefixes, one Hyperscan database per
 *    virtual host for path regexes, and one per (virtual host, header or
 *    query parameter name) for header and query regex/contains rules. Then
 *    mdp_route_table_bind() resolves cluster names, and the table is
 *    published (RCU, by the caller).
 *  - Worker cores call mdp_route_table_match() and mdp_route_pick_cluster()
 *    concurrently on a published table: no allocation, no lock, no system
 *    call. Each worker uses its own preallocated scratch (Hyperscan scratch
 *    included), chosen by the worker index given at compile time.
 *
 * A compiled table is immutable once published. It is freed with
 * mdp_route_table_free() when no worker can still use it.
 */

/* ------------------------------------------------------------------ */
/* Limits (checked by mdp_route_table_compile())                       */

#define MDP_ROUTE_MAX_ROUTES	100000	/* routes in one table, all vhosts */
#define MDP_ROUTE_MAX_CLUSTERS	64	/* weighted clusters of one route */
#define MDP_ROUTE_MAX_CONDS	32	/* header (and query) rules of one route */
#define MDP_ROUTE_MAX_METHODS	16	/* methods listed by one route */
#define MDP_ROUTE_MAX_HDR_OPS	32	/* each of the six header-op lists */
#define MDP_ROUTE_MAX_WORKERS	1024
#define MDP_ROUTE_MAX_STR	8192	/* bytes of any configured string */
#define MDP_ROUTE_MAX_BODY	65536	/* bytes of a direct response body */
/*
 * Values of one header name that a header rule looks at. A request with
 * more field lines of that name fails the rule whatever its kind or
 * inversion (the route does not match). lib/http allows 100 field lines
 * in all by default, so this is not reached unless that limit is raised.
 */
#define MDP_ROUTE_MAX_VALUES	128

/* ------------------------------------------------------------------ */
/* Input model                                                         */

enum mdp_route_path_kind {
	MDP_ROUTE_PATH_ANY = 0,	/* no path condition */
	MDP_ROUTE_PATH_EXACT,	/* the whole path equals value */
	MDP_ROUTE_PATH_PREFIX,	/* the path starts with value (no segment logic) */
	MDP_ROUTE_PATH_REGEX,	/* value matches the whole path */
	MDP_ROUTE_PATH_KIND_MAX
};

struct mdp_route_path_match {
	enum mdp_route_path_kind kind;
	const char *value;	/* exact, prefix or regex; unused for ANY */
	bool ignore_case;	/* ASCII case-insensitive comparison */
};

enum mdp_route_header_kind {
	MDP_ROUTE_HDR_EXACT = 0,
	MDP_ROUTE_HDR_PREFIX,
	MDP_ROUTE_HDR_SUFFIX,
	MDP_ROUTE_HDR_CONTAINS,
	MDP_ROUTE_HDR_REGEX,	/* full match */
	MDP_ROUTE_HDR_PRESENT,	/* value unused */
	MDP_ROUTE_HDR_ABSENT,	/* value unused */
	MDP_ROUTE_HDR_KIND_MAX
};

/*
 * A header rule. The name is compared case-insensitively; the value
 * case-sensitively, against all the request's values of that name joined
 * with "," (in order of appearance; "a, b" and "a,b" are different values).
 * A rule other than PRESENT and ABSENT does not hold when the header is
 * missing. invert negates the rule's result, missing header included
 * (so an inverted exact rule holds for a request without the header).
 */
struct mdp_route_header_match {
	const char *name;	/* an RFC 9110 token */
	enum mdp_route_header_kind kind;
	const char *value;
	bool invert;
};

enum mdp_route_query_kind {
	MDP_ROUTE_QUERY_EXACT = 0,
	MDP_ROUTE_QUERY_PREFIX,
	MDP_ROUTE_QUERY_REGEX,	/* full match */
	MDP_ROUTE_QUERY_PRESENT,	/* value unused */
	MDP_ROUTE_QUERY_KIND_MAX
};

/*
 * A query-parameter rule, on the raw query (not percent-decoded): the
 * parameters are the '&'-separated pieces; a piece's name is what precedes
 * its first '=' (all of it when there is none: value ""). Only the first
 * piece with that name (compared byte for byte) counts. Rules other than
 * PRESENT do not hold when the parameter is missing; invert negates.
 */
struct mdp_route_query_match {
	const char *name;	/* non-empty */
	enum mdp_route_query_kind kind;
	const char *value;
	bool invert;
};

/* All conditions of a route must hold. */
struct mdp_route_match {
	struct mdp_route_path_match path;
	const struct mdp_route_header_match *headers;
	unsigned n_headers;
	const struct mdp_route_query_match *queries;
	unsigned n_queries;
	/* Method names (case-sensitive tokens, RFC 9110 9.1); none: any. */
	const char *const *methods;
	unsigned n_methods;
};

struct mdp_route_cluster_weight {
	const char *name;	/* cluster name, resolved by mdp_route_table_bind() */
	uint32_t weight;	/* may be 0 (never picked); the total must be > 0 */
};

struct mdp_route_header_value {
	const char *name;	/* token */
	const char *value;	/* no CR, LF */
};

/* Kept for the proxy, not interpreted here. */
struct mdp_route_retry {
	uint32_t attempts;
	uint32_t per_try_timeout_ms;
	uint32_t retry_on;	/* bitmask of the proxy's retry conditions */
};

struct mdp_route_forward {
	const struct mdp_route_cluster_weight *clusters;
	unsigned n_clusters;	/* 1..MDP_ROUTE_MAX_CLUSTERS */
	/* Replaces the matched prefix (prefix match) or the whole path (exact
	 * match); not allowed with other path kinds. NULL: none. */
	const char *prefix_rewrite;
	const char *host_rewrite;	/* NULL: none */
	const struct mdp_route_header_value *req_add, *req_set;
	unsigned n_req_add, n_req_set;
	const char *const *req_remove;
	unsigned n_req_remove;
	const struct mdp_route_header_value *resp_add, *resp_set;
	unsigned n_resp_add, n_resp_set;
	const char *const *resp_remove;
	unsigned n_resp_remove;
	uint32_t timeout_ms;	/* whole request, answered 504; 0: none */
	struct mdp_route_retry retry;
	bool single;		/* written as one cluster (`cluster = "x"`), for error paths */
};

struct mdp_route_direct {
	uint16_t status;	/* 200..599 */
	const char *body;	/* NULL: empty */
	const char *content_type;	/* NULL: none */
};

struct mdp_route_redirect {
	const char *scheme;	/* NULL: keep the request's */
	const char *host;	/* NULL: keep the request's authority */
	const char *path;	/* NULL: keep; excludes prefix_rewrite */
	const char *prefix_rewrite;	/* as in struct mdp_route_forward */
	uint16_t code;		/* 301, 302, 303, 307 or 308; 0 means 301 */
	bool strip_query;
};

enum mdp_route_action_kind {
	MDP_ROUTE_ACT_CLUSTERS = 0,
	MDP_ROUTE_ACT_DIRECT,
	MDP_ROUTE_ACT_REDIRECT,
	MDP_ROUTE_ACT_KIND_MAX
};

struct mdp_route_action {
	enum mdp_route_action_kind kind;
	union {
		struct mdp_route_forward forward;
		struct mdp_route_direct direct;
		struct mdp_route_redirect redirect;
	};
};

struct mdp_route_conf {
	const char *name;	/* may be NULL; used in errors and dumps */
	struct mdp_route_match match;
	struct mdp_route_action action;
};

/*
 * A virtual host. Domains, compared ASCII case-insensitively:
 *   "order-service", "order-service:8080"  exact; a port in the request's
 *       authority is ignored when the domain has none;
 *   "*.example.com"   suffix wildcard: "a.example.com", not "example.com"
 *       (the '*' stands for at least one character); no port;
 *   "order-service.*" prefix wildcard, likewise;
 *   "*"               the default virtual host.
 * A domain may appear only once in a table.
 */
struct mdp_route_vhost_conf {
	const char *name;	/* non-empty, unique in the table */
	const char *const *domains;
	unsigned n_domains;	/* >= 1 */
	const struct mdp_route_conf *routes;
	unsigned n_routes;	/* may be 0 (every request gets 404) */
};

struct mdp_route_table_conf {
	const struct mdp_route_vhost_conf *vhosts;
	unsigned n_vhosts;
};

/* ------------------------------------------------------------------ */
/* Compiled table                                                      */

#define MDP_ROUTE_CLUSTER_UNBOUND	UINT32_MAX

/* A weighted-cluster entry of a compiled route. */
struct mdp_route_cluster {
	const char *name;	/* owned by the table */
	uint32_t weight;
	uint32_t cluster_idx;	/* set by mdp_route_table_bind() */
};

/*
 * A compiled route, read-only to its users. conf is the table's own copy
 * of the route's configuration (actions, rewrites, header ops, timeout,
 * retry policy: read them there).
 */
struct mdp_route {
	const struct mdp_route_conf *conf;
	const struct mdp_route_vhost *vhost;
	uint32_t index;		/* within the vhost, 0-based */
	uint32_t n_clusters;	/* 0 unless conf->action.kind is CLUSTERS */
	struct mdp_route_cluster *clusters;
	const uint32_t *weight_sum;	/* weight_sum[i]: weights 0..i summed */
};

struct mdp_route_vhost {
	const struct mdp_route_vhost_conf *conf;	/* the table's copy */
	const struct mdp_route *routes;
	uint32_t n_routes;
	uint32_t index;		/* within the table */
};

struct mdp_route_table;

/*
 * Validate cfg whole and compile it into a table that n_workers workers
 * (indices 0..n_workers-1) can match against concurrently. Every string
 * and array of cfg is copied: cfg may be freed afterwards. Allocates one
 * scratch area per worker (a Hyperscan scratch cloned from one allocated
 * for every database of the table), so that matching never allocates.
 *
 * On error returns NULL with a NUL-terminated message in err (when errlen
 * > 0) that names the place, e.g.
 *   vhost "orders" route 3 ("beta"): headers[0].regex: hyperscan: ...
 *   vhost "orders": domains[1] "*.example.com": also in vhost "shop"
 * (routes are numbered from 0 within their vhost).
 *
 * Compilation cost: linear in the configuration (10,000 exact and prefix
 * routes: a few ms), plus Hyperscan's compilation of the regex and
 * contains rules (about 1 ms per regex).
 */
struct mdp_route_table *mdp_route_table_compile(const struct mdp_route_table_conf *cfg,
						unsigned n_workers, char *err,
						size_t errlen);

/* Free a table (and every string it owns); NULL is a no-op. */
void mdp_route_table_free(struct mdp_route_table *t);

/*
 * Resolve every weighted-cluster entry's name to the caller's cluster
 * index: resolve(ctx, name, &idx) returns 0 and sets idx, or a negative
 * value when the cluster does not exist. Call before publishing the table
 * (it writes the cluster_idx slots). Calling it again rebinds.
 *
 * Returns 0, or the first negative value resolve returned (with a message
 * in err, e.g. vhost "orders" route 0 ("canary"): clusters[1]: unknown
 * cluster "order-v3"); entries before the failing one are bound.
 */
int mdp_route_table_bind(struct mdp_route_table *t,
			 int (*resolve)(void *ctx, const char *name, uint32_t *idx),
			 void *ctx, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Matching (worker cores)                                             */

/* One header field line of the request; the name is case-insensitive. */
struct mdp_route_hdr {
	const char *name;
	const char *value;
	uint16_t name_len;
	uint32_t value_len;
};

/*
 * The request as the router sees it. Strings need not be NUL-terminated
 * and are only read during the call.
 */
struct mdp_route_req {
	const char *method;
	uint16_t method_len;
	const char *authority;	/* Host (or absolute-form authority) */
	uint16_t authority_len;
	const char *path;	/* normalized (mdp_http_path_normalize()), no query */
	uint32_t path_len;
	const char *query;	/* after '?', raw; may be NULL when query_len is 0 */
	uint32_t query_len;
	const struct mdp_route_hdr *hdrs;	/* every field line, in order */
	unsigned n_hdrs;
};

/*
 * Match req against table t on worker `worker` (< the n_workers given at
 * compile time; no two threads may use the same worker index at once).
 *
 * @param vhost_out
 *   If not NULL, receives the virtual host chosen by the authority, or
 *   NULL when no domain matched. It is set even when no route matched, so
 *   that 404s can be counted per vhost.
 *
 * Returns the first route of the vhost whose conditions all hold, or NULL
 * (answer 404). No allocation, no lock, no system call. Cost: see
 * docs/routing.md; it does not grow with the number of exact-path and
 * prefix routes.
 */
const struct mdp_route *mdp_route_table_match(const struct mdp_route_table *t,
					      unsigned worker,
					      const struct mdp_route_req *req,
					      const struct mdp_route_vhost **vhost_out);

/*
 * Weighted choice among a cluster route's entries (r->n_clusters > 0):
 * returns the index i such that weight_sum[i-1] <= rnd % total <
 * weight_sum[i], so that uniform rnd gives each entry exactly its share
 * (an entry of weight 0 is never returned). rnd: a per-core PRNG value
 * (mdp_rand_next()). Constant time for up to 8 entries, log2 beyond.
 */
uint32_t mdp_route_pick_cluster(const struct mdp_route *r, uint64_t rnd);

/* ------------------------------------------------------------------ */
/* Introspection (meshctl config dump)                                 */

/* The table's copy of its configuration; valid as long as the table. */
const struct mdp_route_table_conf *mdp_route_table_conf(const struct mdp_route_table *t);

unsigned mdp_route_table_n_vhosts(const struct mdp_route_table *t);

/* Virtual host i (< mdp_route_table_n_vhosts()), in configuration order. */
const struct mdp_route_vhost *mdp_route_table_vhost(const struct mdp_route_table *t,
						    unsigned i);

/*
 * Names of the kinds, as configuration files spell them ("any", "exact",
 * "prefix", "regex"; "exact", "prefix", "suffix", "contains", "regex",
 * "present", "absent"; "exact", "prefix", "regex", "present"; "clusters",
 * "direct", "redirect"), and back: *_from_name() returns the kind, or -1
 * for an unknown name.
 */
const char *mdp_route_path_kind_name(enum mdp_route_path_kind k);
const char *mdp_route_header_kind_name(enum mdp_route_header_kind k);
const char *mdp_route_query_kind_name(enum mdp_route_query_kind k);
const char *mdp_route_action_kind_name(enum mdp_route_action_kind k);
int mdp_route_path_kind_from_name(const char *s);
int mdp_route_header_kind_from_name(const char *s);
int mdp_route_query_kind_from_name(const char *s);
int mdp_route_action_kind_from_name(const char *s);

#endif
