/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_PROXY_PRIV_H
#define MDP_PROXY_PRIV_H

/*
 * Inside the HTTP proxy: per-worker state, downstream and upstream
 * connections, and what routing hands the forwarding code.
 */

#include <openssl/ssl.h>
#include <rte_hash.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "proxy.h"
#include "route/mdp_route.h"
#include "tcp/tcp_priv.h"
#include "timer/mdp_timer.h"

struct mdp_proxy_up;

/* Downstream connection states. */
enum {
	HC_HEAD = 0,	/* waiting for (the rest of) a request head */
	HC_FORWARD,	/* a request is on its way; its response not finished */
	HC_TUNNEL,	/* after a 101: bytes both ways */
	HC_CLOSING,	/* the last response is queued; FIN follows it */
	HC_DEAD,	/* `closed` has run: the slot is free (seen by callers up the stack) */
};

/* struct mdp_proxy_down flags */
#define HCF_PEER_CLOSED	0x01	/* the client's FIN arrived */
#define HCF_CLOSE_AFTER	0x02	/* no further request on this connection */
#define HCF_REQ_DONE	0x04	/* the request body is all forwarded */
#define HCF_RESP_HEAD	0x08	/* the response head went downstream */
#define HCF_HEAD_ONLY	0x10	/* the request was HEAD */

struct mdp_proxy_down {
	struct mdp_tcp_conn *tc;
	struct mdp_proxy *px;
	const struct mdp_conf_listener *lc;
	struct mdp_proxy_up *up;	/* the request's upstream connection */
	struct mdp_mesh *mesh;		/* the request's snapshot (users counted) */
	const struct mdp_mesh_cluster *cl;	/* its cluster (a request counted by its balancer) */
	int ep_idx;
	const struct mdp_hdr_op *resp_ops;
	unsigned n_resp_ops;
	uint32_t client_addr;
	uint32_t idx;
	uint32_t ep_addr;		/* the request's endpoint */
	uint16_t ep_port;
	uint8_t state;
	uint8_t flags;
	bool used;			/* allocated from the pool */
	uint8_t resp_framing;		/* enum mdp_proxy_resp_framing */
	uint8_t version;		/* of the request */
	enum mdp_http_method method;
	bool req_keep_alive;
	bool resp_keep_alive;		/* the upstream connection may carry another request */
	struct mdp_http_body req_body;
	struct mdp_http_body resp_body;
	struct mdp_mbufq outq;		/* heads and local replies waiting for send space */
	struct rte_mbuf *retry_head;	/* a copy of a bodiless request, for one retry */
	struct mdp_timer timer;		/* head, idle or request timeout */
	uint32_t connect_timeout_ms;
	uint32_t idle_timeout_ms;	/* the cluster's, for the upstream connection */
	uint32_t max_idle;
};

/* Upstream connection states. */
enum {
	UC_CONNECTING = 0,
	UC_BUSY,		/* carrying a request */
	UC_IDLE,		/* in its endpoint's pool */
};

struct mdp_proxy_slot;

struct mdp_proxy_up {
	struct mdp_tcp_conn *tc;
	struct mdp_proxy *px;
	struct mdp_proxy_down *down;	/* NULL when idle */
	struct mdp_proxy_slot *slot;	/* its endpoint's pool */
	struct mdp_proxy_up *prev, *next;	/* the pool's idle list */
	uint32_t idx;
	uint8_t state;
	bool used;
	bool reused;			/* the current request came from the pool */
	bool fin;			/* the server's FIN arrived */
	bool close_after_flush;		/* a tunnel's leftovers in outq, then FIN */
	bool got_bytes;			/* response bytes arrived for it */
	struct mdp_mbufq outq;		/* request bytes waiting to be sent */
	struct mdp_timer timer;		/* idle timeout in the pool */
	uint32_t idle_timeout_ms;
	uint32_t max_idle;
	uint64_t tls_key;		/* the cluster's tls_key when it was made */
};

/* The pool of one endpoint on one worker. */
struct mdp_proxy_slot {
	uint32_t addr;
	uint16_t port;
	uint16_t n_idle;
	struct mdp_proxy_up *idle;	/* most recently used first */
	SSL_SESSION *tls_sess;		/* the last TLS session with it, to resume */
};

struct mdp_proxy {
	struct mdp_worker *w;
	const struct mdp_conf_http *cfg;
	struct mdp_http_limits lim;
	struct mdp_proxy_down *downs;
	uint32_t *down_free;
	uint32_t n_down_free;
	struct mdp_proxy_up *ups;
	uint32_t *up_free;
	uint32_t n_up_free;
	uint32_t n_conns;		/* size of both pools */
	struct rte_hash *slot_table;	/* (addr << 16 | port) -> slot index */
	struct mdp_proxy_slot *slots;
	uint32_t n_slots;
	uint32_t n_slots_used;
	struct mdp_mesh *mesh;		/* for new requests */
	char *scratch;			/* a head split over segments, made contiguous */
	char *ahdr;			/* a header's values joined, for authorization */
	char xfcc[600];			/* X-Forwarded-Client-Cert being sent */
	char *out;			/* heads being built */
	uint32_t out_cap;
	char *path;			/* the normalized path */
	char *path2;			/* ... rewritten */
	char *loc;			/* a redirect's Location */
	uint32_t loc_cap;
	char host_buf[32];		/* Host for a request without one */
	struct mdp_http_header *hdrs;
	struct mdp_route_hdr *rhdrs;	/* the same, as the router takes them */
	struct mdp_rand rnd;
	struct mdp_proxy_stats st;
};

/* What routing decided for a request (proxy_route.c). */
enum {
	PD_FORWARD = 0,
	PD_LOCAL,		/* status, body, location */
};

struct mdp_proxy_decision {
	uint8_t kind;
	uint8_t reason;		/* enum mdp_proxy_reason of a local reply */
	unsigned status;
	const char *body;
	size_t body_len;
	const char *ctype;	/* Content-Type of body; NULL: text/plain */
	const char *location;	/* redirect */
	size_t location_len;
	const struct mdp_mesh_cluster *cl;
	int ep_idx;
	uint32_t ep_addr;
	uint16_t ep_port;
	const char *path;	/* what to send: normalized, maybe rewritten */
	size_t path_len;
	const char *authority;
	size_t authority_len;
	const struct mdp_hdr_op *req_ops;
	unsigned n_req_ops;
	const struct mdp_hdr_op *resp_ops;
	unsigned n_resp_ops;
	uint32_t timeout_ms;	/* 0: none */
};

/*
 * Route a parsed request on mesh m: the listener's route table, the
 * virtual host and route, then the cluster and an endpoint. path is the
 * normalized path (px->path). Fills d; never fails (a local reply is a
 * decision too).
 */
void mdp_proxy_route(struct mdp_proxy *px, const struct mdp_mesh *m,
		     const struct mdp_conf_listener *lc, const struct mdp_http_msg *msg,
		     const char *path, size_t path_len, uint32_t client_addr,
		     struct mdp_proxy_decision *d);

#endif
