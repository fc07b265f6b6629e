/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TCP_PRIV_H
#define MDP_TCP_PRIV_H

/*
 * Inside the TCP stack: the per-worker context and the functions the
 * stack's files share. Applications use tcp.h; the dataplane uses
 * mdp_tcp_input() and the set-up functions below.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "conf/mdp_config.h"
#include "dp.h"
#include "tcp/mdp_siphash.h"
#include "tcp_conn.h"
#include "tls/tls.h"

#define MDP_TCP_HDR 20

struct mdp_tcp_listener {
	const struct mdp_conf_listener *conf;
	uint32_t addr;			/* 0: any */
	uint16_t port;
	const struct mdp_tcp_app_ops *ops;	/* what accepted connections get */
	void *ctx;
	uint32_t half_open;		/* SYN_RCVD on this worker */
};

struct mdp_tcp_stack {
	struct mdp_worker *w;
	const struct mdp_conf_tcp *cfg;
	struct mdp_tcp_conn *conns;	/* pool, cfg->max_conns */
	uint32_t *free_idx;		/* stack of free pool indexes */
	uint32_t n_free;
	struct rte_hash *table;		/* tuple -> pool index */
	struct mdp_tcp_listener lsn[MDP_MAX_LISTENERS];
	struct mdp_tls_lsn tls_lsn[MDP_MAX_LISTENERS];	/* TLS listeners' wrappers */
	unsigned n_lsn;
	struct mdp_siphash_key key;	/* ISNs and cookies; the same on every worker */
	uint64_t tsc_per_us;
	uint32_t ooo_bytes;		/* held out of order, all connections */
	uint16_t next_port;		/* ephemeral port search start */
	uint8_t rcv_wscale;		/* our window scale, from rcv_buf */
	uint16_t multiseg_tx;		/* bitmap of ports that take mbuf chains */
};

static inline uint64_t
tcp_now_us(const struct mdp_tcp_stack *s)
{
	return rte_rdtsc() / s->tsc_per_us;
}

/* RFC 7323 timestamp clock: 1 ms. */
static inline uint32_t
tcp_ts_now(const struct mdp_tcp_stack *s)
{
	return (uint32_t)(tcp_now_us(s) / 1000);
}

static inline uint64_t
tcp_ms_to_ticks(const struct mdp_worker *w, uint64_t ms)
{
	uint64_t t = (ms * 1000 + w->dp->cfg->timer_tick_us - 1) / w->dp->cfg->timer_tick_us;

	return t ? t : 1;
}

static inline uint64_t
tcp_us_to_ticks(const struct mdp_worker *w, uint64_t us)
{
	uint64_t t = (us + w->dp->cfg->timer_tick_us - 1) / w->dp->cfg->timer_tick_us;

	return t ? t : 1;
}

#define TCP_CNT(c, sym) MDP_CNT_INC((c)->w, (c)->port, sym)

/* tcp_conn.c */
struct mdp_tcp_conn *mdp_tcp_conn_lookup(struct mdp_tcp_stack *s, const struct mdp_tcp_tuple *t);
struct mdp_tcp_conn *mdp_tcp_conn_alloc(struct mdp_tcp_stack *s, const struct mdp_tcp_tuple *t,
					uint16_t port);
void mdp_tcp_conn_set_state(struct mdp_tcp_conn *c, enum mdp_tcp_state st);
/* Tell the application and free the connection (deferred while busy). */
void mdp_tcp_conn_done(struct mdp_tcp_conn *c, int err);
/* Return a deferred connection to the pool. */
void mdp_tcp_conn_release(struct mdp_tcp_conn *c);
struct mdp_tcp_listener *mdp_tcp_listener_find(struct mdp_tcp_stack *s, uint32_t addr,
					       uint16_t port);
void mdp_mbufq_append(struct mdp_mbufq *q, struct rte_mbuf *m);
/* Drop n bytes from the front of q (acknowledged data). */
void mdp_mbufq_trim_front(struct mdp_mbufq *q, uint32_t n);
void mdp_mbufq_purge(struct mdp_mbufq *q);

/* tcp_output.c */
/* Send what the windows allow, plus a FIN or an ACK when due. */
void mdp_tcp_output(struct mdp_tcp_conn *c);
/* Retransmit one segment at seq of at most len bytes: fewer when the MSS
 * less the options, or the queue, ends first. Returns the sequence space
 * sent (payload, plus 1 for a FIN), 0 when nothing was. */
uint32_t mdp_tcp_retransmit(struct mdp_tcp_conn *c, uint32_t seq, uint32_t len);
void mdp_tcp_send_ack(struct mdp_tcp_conn *c);
/* One new data segment at snd_max within the peer's window (SACK
 * recovery); returns its length, 0 when there is none to send. */
uint32_t mdp_tcp_send_new(struct mdp_tcp_conn *c);
/* A keepalive probe: an ACK one byte before snd_una (RFC 9293 3.8.4). */
void mdp_tcp_send_keepalive(struct mdp_tcp_conn *c);
/* A zero-window probe, the same segment (RFC 9293 3.8.6.1). */
void mdp_tcp_send_window_probe(struct mdp_tcp_conn *c);
void mdp_tcp_send_syn(struct mdp_tcp_conn *c);	/* SYN or SYN-ACK by state */
void mdp_tcp_send_rst(struct mdp_tcp_conn *c);
/* <SEQ=seq><CTL=RST> on the connection's tuple. */
void mdp_tcp_send_rst_at(struct mdp_tcp_conn *c, uint32_t seq);
/* A RST for a segment that has no connection (RFC 9293 3.10.7.1). */
void mdp_tcp_reply_rst(struct mdp_worker *w, uint16_t port, const struct rte_ipv4_hdr *ip,
		       const struct rte_tcp_hdr *th, uint32_t seg_len);
uint32_t mdp_tcp_rcv_window(const struct mdp_tcp_conn *c);

/* tcp_timer.c */
void mdp_tcp_timers_init(struct mdp_tcp_conn *c);
void mdp_tcp_timers_stop(struct mdp_tcp_conn *c);
void mdp_tcp_rtx_arm(struct mdp_tcp_conn *c);	/* (re)start the RTO if data is out */
void mdp_tcp_delack_arm(struct mdp_tcp_conn *c);
void mdp_tcp_life_arm(struct mdp_tcp_conn *c, uint64_t ms);
/* Start keepalive on an ESTABLISHED connection when configured. */
void mdp_tcp_keepalive_start(struct mdp_tcp_conn *c);

/* tcp_input.c */
/* m's data is at the IP header; the stack owns m. */
void mdp_tcp_input(struct mdp_worker *w, const struct mdp_port *p, struct rte_mbuf *m,
		   struct rte_ipv4_hdr *ip);

/* ICMP fragmentation-needed quoting (ip header + 8 bytes of TCP) with the
 * next-hop MTU (RFC 1191): lower that connection's MSS (tcp_input.c). */
void mdp_tcp_icmp_frag_needed(struct mdp_worker *w, const struct mdp_port *p,
			      const uint8_t *quote, uint32_t len, uint16_t mtu);

/* Set-up (tcp_conn.c), called by the worker at start-up and shutdown. */
int mdp_tcp_stack_init(struct mdp_worker *w, const struct mdp_siphash_key *key);
void mdp_tcp_stack_fini(struct mdp_worker *w);

#endif
