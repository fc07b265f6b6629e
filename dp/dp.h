/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_DP_H
#define MDP_DP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "conf/mdp_config.h"
#include "dp_counters.h"
#include "net/impair.h"
#include "net/mdp_arp_table.h"
#include "timer/mdp_timer.h"

#define MDP_BURST_MAX 256
#define MDP_ARP_PENDING_TOTAL 512	/* queued packets per worker's ARP table, at most */

struct mdp_dp;
struct mdp_worker;
struct mdp_tcp_stack;
struct mdp_proxy;
struct mdp_tls_worker;
struct mdp_mesh;

/* A configured port, as the dataplane sees it. Immutable after start-up. */
struct mdp_port {
	uint16_t idx;		/* index in the configuration, counters, ARP key */
	uint16_t port_id;	/* DPDK port id */
	const struct mdp_conf_port *conf;
	struct rte_ether_addr mac;
	uint32_t addr;		/* host order */
	uint32_t mask;
	uint32_t net;		/* addr & mask */
	uint32_t bcast;		/* directed broadcast */
	char driver[32];
	bool started;
	bool tx_csum;		/* the device fills IPv4 and TCP checksums */
	bool rx_csum;		/* the device checks them (mbuf ol_flags) */
};

/* Packets collected for one TX queue during a loop iteration. */
struct mdp_txq {
	uint16_t n;
	struct rte_mbuf *pkts[MDP_BURST_MAX];
};

/* A message between workers (over a worker's inbox ring). */
struct mdp_xcore_msg {
	uint16_t type;		/* MDP_XCORE_* */
	uint16_t port;
	uint32_t ip;
	uint8_t mac[6];
	uint8_t pad[2];
};

#define MDP_XCORE_ARP_LEARN 1

/*
 * A function the control thread asks a worker to run on its own core, so
 * that worker state is only ever touched by its owner. One outstanding call
 * per worker; the control thread is the only caller.
 */
typedef int (*mdp_worker_fn_t)(struct mdp_worker *w, void *arg);

struct mdp_worker_call {
	mdp_worker_fn_t fn;
	void *arg;
	void *orphan;		/* arg of a call that timed out: freed once run */
	int rc;
	uint64_t req_seq;	/* written by control (release) */
	uint64_t done_seq;	/* written by the worker (release) */
};

struct mdp_worker {
	/* hot, read every loop */
	struct mdp_dp *dp;
	uint16_t queue;		/* queue id this worker owns on every port */
	uint16_t burst;
	unsigned lcore;
	unsigned idx;		/* worker index 0..n-1 */
	uint64_t tsc_per_tick;
	uint64_t next_tick_tsc;
	struct mdp_wheel wheel;
	struct mdp_arp_table *arp;
	struct rte_ring *inbox;	/* struct mdp_xcore_msg from other workers */
	struct rte_ring *handoff;	/* packets of flows this worker owns, from others */
	struct rte_mempool *pool;

	/* idle back-off */
	uint32_t empty_polls;
	uint32_t sleep_us;

	/* gratuitous ARP at start, and address defence (RFC 5227) */
	struct mdp_timer garp_timer;
	uint32_t garp_left;
	uint64_t arp_defend_tsc[MDP_MAX_PORTS];

	struct mdp_tcp_stack *tcp;
	struct mdp_proxy *proxy;	/* HTTP proxy, when an http listener exists */
	struct mdp_tls_worker *tls;	/* TLS stream layer (dp/tls) */

	/* impairment stage, per port (only ports that configure it) */
	struct mdp_impair impair[MDP_MAX_PORTS];
	struct mdp_impair_stats impair_st[MDP_MAX_PORTS][2];	/* [port][0 rx, 1 tx] */

	struct mdp_worker_call call __rte_cache_aligned;
	struct mdp_loop_stats loop;
	struct mdp_counters cnt;
	struct mdp_txq txq[MDP_MAX_PORTS];
} __rte_cache_aligned;

struct mdp_dp {
	struct mdp_config *cfg;
	struct mdp_port ports[MDP_MAX_PORTS];
	unsigned n_ports;
	struct mdp_worker *workers[MDP_MAX_WORKERS];
	unsigned n_workers;
	struct rte_mempool *pool;
	uint64_t tsc_hz;
	time_t start_time;
	struct timespec start_mono;
	volatile int stop;	/* set by the control thread at shutdown */
	bool running;		/* workers launched */
	/* mesh snapshots (dp/proxy/mesh.c), control thread only */
	struct mdp_mesh *mesh;		/* current */
	struct mdp_mesh *mesh_old;	/* superseded, still in use */
	uint64_t mesh_version;
	struct mdp_tls_store *tls_store;	/* TLS material by name (dp/tls), control thread */
	uint64_t tcp_key[2];	/* SipHash key for ISNs and SYN cookies (getrandom) */
};

#define MDP_CNT_INC(w, p, sym) ((w)->cnt.port[(p)][MDP_CNT_##sym]++)
#define MDP_CNT_ADD(w, p, sym, v) ((w)->cnt.port[(p)][MDP_CNT_##sym] += (v))

/* dp_port.c */
int mdp_ports_init(struct mdp_dp *dp);
void mdp_ports_fini(struct mdp_dp *dp);
/* Find the port and next hop for dst. Returns 0, or -ENETUNREACH. */
int mdp_route_lookup(const struct mdp_dp *dp, uint32_t dst, uint16_t *port, uint32_t *nh);
/* True when addr is one of our port addresses. */
bool mdp_addr_is_local(const struct mdp_dp *dp, uint32_t addr);

/* dp_worker.c */
int mdp_workers_init(struct mdp_dp *dp);
int mdp_workers_launch(struct mdp_dp *dp);
void mdp_workers_stop(struct mdp_dp *dp);
void mdp_workers_fini(struct mdp_dp *dp);
/* Run fn(w, arg) on worker w's core and wait up to timeout_ms for it.
 * arg must come from malloc(). Returns fn's result, with arg still the
 * caller's to free; or -EBUSY (an earlier call has not finished; arg is the
 * caller's); or -ETIMEDOUT, and then the call owns arg and frees it once
 * the worker has run it. Control thread only. */
int mdp_worker_call(struct mdp_worker *w, mdp_worker_fn_t fn, void *arg, unsigned timeout_ms);
/* Packets a worker's ARP table may hold while resolving (pool sizing). */
uint32_t mdp_arp_pending_total(const struct mdp_config *cfg);
/* Queue a packet for TX on port (flushed at the end of the loop). */
void mdp_tx_enqueue(struct mdp_worker *w, uint16_t port, struct rte_mbuf *m);
/* The worker that owns outgoing connections from local port lport: the
 * ephemeral port encodes it, so replies that land on another queue (no
 * predictable RSS) find their way. */
static inline unsigned
mdp_port_owner(const struct mdp_dp *dp, uint16_t lport)
{
	return lport % dp->n_workers;
}
#define MDP_EPHEMERAL_MIN 49152u

/* Hand a packet (data at its IP header) to worker `to`; false when its
 * ring is full (the caller drops and counts). */
bool mdp_handoff(struct mdp_worker *w, unsigned to, uint16_t port, struct rte_mbuf *m);
/* Post a message to every other worker. */
void mdp_xcore_broadcast(struct mdp_worker *w, const struct mdp_xcore_msg *msg);

#endif
