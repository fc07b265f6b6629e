/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_PROXY_H
#define MDP_PROXY_H

#include <stdbool.h>
#include <stdint.h>

#include "http/mdp_http.h"
#include "mesh.h"
#include "proxy_head.h"
#include "tcp/tcp.h"
#include "util/mdp_rand.h"

/*
 * The HTTP/1.1 proxy (DESIGN.md: app layer), an application on the TCP
 * interface of tcp.h. Per worker: downstream connections (one per accepted
 * TCP connection of an `http` listener), upstream connections (pooled per
 * endpoint with keep-alive), and the snapshot of the mesh configuration in
 * use (mesh.h). Details: docs/architecture.md, "HTTP proxy".
 */

struct mdp_worker;
struct mdp_proxy;

/* Why a request got a local reply, or did not complete: counters
 * (meshctl stats "http"). */
#define MDP_PROXY_REASONS(_)                                                   \
	_(BAD_REQUEST, "bad_request", "request rejected by the parser (4xx/5xx, see http_errors)") \
	_(NO_ROUTE, "no_route", "no virtual host or route matched (404)")     \
	_(NO_CLUSTER, "no_cluster", "the route names a cluster that does not exist (503)") \
	_(NO_ENDPOINT, "no_healthy_endpoint", "no endpoint to send to (503)")  \
	_(CONNECT_FAIL, "upstream_connect_failed", "upstream connection failed (502)") \
	_(UPSTREAM_RESET, "upstream_reset", "upstream closed or reset before the response (502)") \
	_(BAD_RESPONSE, "upstream_bad_response", "upstream response rejected by the parser (502)") \
	_(TIMEOUT, "request_timeout", "no response within the route's timeout (504)") \
	_(OVERLOAD, "overload", "no memory for the request (503)")            \
	_(DIRECT, "direct_response", "answered by a direct-response route")    \
	_(REDIRECT, "redirect", "answered by a redirect route")                \
	_(CONNECT_METHOD, "connect_method", "CONNECT is not proxied (405)")    \
	_(HEAD_TIMEOUT, "head_timeout", "request head not complete in time (408)") \
	_(DOWNSTREAM_RESET, "downstream_reset", "client went away during a request") \
	_(RETRIED, "retried_on_fresh_connection", "request repeated after a reused connection failed") \
	_(RBAC_DENIED, "rbac_denied", "denied by an authorization policy (403)")

enum mdp_proxy_reason {
#define MDP_PROXY_REASON_ENUM(sym, name, help) MDP_PROXY_R_##sym,
	MDP_PROXY_REASONS(MDP_PROXY_REASON_ENUM)
#undef MDP_PROXY_REASON_ENUM
	MDP_PROXY_R_MAX
};

struct mdp_proxy_reason_desc {
	const char *name;
	const char *help;
};
extern const struct mdp_proxy_reason_desc mdp_proxy_reason_desc[MDP_PROXY_R_MAX];

/* Per-worker HTTP statistics (read by the control thread without locks). */
struct mdp_proxy_stats {
	uint64_t requests;		/* request heads accepted */
	uint64_t responses[6];		/* by class: [1] 1xx .. [5] 5xx, local replies included */
	uint64_t local[MDP_PROXY_R_MAX];
	uint64_t http_err[MDP_HTTP_E_MAX];	/* parser rejections, requests and responses */
	uint64_t upstream_connects;	/* new upstream connections */
	uint64_t upstream_reused;	/* requests sent on a pooled connection */
	uint64_t downstream_conns;	/* accepted */
	uint64_t active_downstream;
	uint64_t active_upstream;
	uint64_t idle_upstream;
	uint64_t tunnels;		/* upgrades tunnelled */
	uint64_t mesh_version;		/* snapshot in use */
	uint64_t authz_allowed;		/* requests an authorization policy let through */
	uint64_t authz_denied;		/* ... refused (403) */
	uint64_t authz_audited;		/* requests an AUDIT policy matched */
};

/* Set-up and teardown on the worker (from the TCP stack's set-up). */
int mdp_proxy_init(struct mdp_worker *w);
void mdp_proxy_fini(struct mdp_worker *w);

/* The listener ops of an `http` listener (lctx: its struct mdp_conf_listener). */
extern const struct mdp_tcp_app_ops mdp_proxy_http_listener;

/* The authorization policies of the worker's current snapshot (NULL: none),
 * for connections that are not HTTP (dp/tcp/tcp_apps.c). */
struct mdp_authz;
const struct mdp_authz *mdp_proxy_authz(const struct mdp_worker *w);

/* Run on the worker by mesh publication: use m for new requests. */
void mdp_proxy_adopt(struct mdp_worker *w, struct mdp_mesh *m);

const struct mdp_proxy_stats *mdp_proxy_stats(const struct mdp_worker *w);

#endif
