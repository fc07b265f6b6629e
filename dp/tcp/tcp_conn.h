/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TCP_CONN_H
#define MDP_TCP_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "tcp_types.h"
#include "tcp/mdp_tcp_cc.h"
#include "tcp/mdp_tcp_opts.h"
#include "tcp/mdp_tcp_rtt.h"
#include "tcp/mdp_tcp_sack.h"

/*
 * One TCP connection (RFC 9293 3.3.1 variables, plus what RFC 7323, 2018,
 * 6675, 6298 and 5961 add). Lives in its worker's pool for its whole life;
 * only that worker touches it.
 */

#define MDP_TCP_OOO_MAX 16	/* out-of-order segments held per connection */

enum {
	MDP_TCPF_ACKNOW = 1u << 0,	/* send an ACK at the end of this input */
	MDP_TCPF_DELACK = 1u << 1,	/* an ACK is owed, delayed-ACK timer armed */
	MDP_TCPF_TS = 1u << 2,		/* timestamps negotiated */
	MDP_TCPF_SACK = 1u << 3,	/* SACK negotiated */
	MDP_TCPF_WS = 1u << 4,		/* window scaling negotiated */
	MDP_TCPF_FIN_QUEUED = 1u << 5,	/* application closed: FIN after sndq */
	MDP_TCPF_FIN_SENT = 1u << 6,
	MDP_TCPF_PASSIVE = 1u << 7,	/* accepted from a listener */
	MDP_TCPF_IN_RECOVERY = 1u << 8,	/* fast recovery (RFC 6582 / 6675) */
	MDP_TCPF_APP_CLOSED = 1u << 9,	/* `closed` delivered; awaiting free */
	MDP_TCPF_WANT_WRITE = 1u << 10,	/* send refused: call `writable` */
	MDP_TCPF_DEFER_FREE = 1u << 11,	/* freed while the stack was using it */
	MDP_TCPF_PTO = 1u << 12,	/* the rtx timer is a tail loss probe's (RFC 8985 7) */
	MDP_TCPF_TLP_OUT = 1u << 13,	/* a probe is out: no other until an ACK moves */
	MDP_TCPF_TLP_RTX = 1u << 14,	/* ... and it was a retransmission */
};

/* Out-of-order bytes waiting for the hole before them: contiguous
 * segments are chained into one entry, so entries count holes, not
 * segments. */
struct mdp_tcp_ooo {
	uint32_t seq;
	uint32_t len;
	struct rte_mbuf *m;	/* chain head */
	struct rte_mbuf *tail;	/* its last segment, to append in O(1) */
};

/* A retransmission in SACK recovery: [seq, end) went again when snd_max
 * was `mark`. Once the peer SACKs DupThresh segments sent after it (at or
 * above mark) and the range is still a hole, the retransmission was lost
 * too (the sequence-ordered form of RFC 8985's rule: something sent later
 * was delivered first). */
struct mdp_tcp_rtx_rec {
	uint32_t seq;
	uint32_t end;
	uint32_t mark;
};
#define MDP_TCP_RTX_LOG 16

struct mdp_tcp_listener;
struct mdp_tcp_stack;
struct mdp_tls_sess;
struct mdp_worker;

struct mdp_tcp_conn {
	/* identity */
	struct mdp_worker *w;
	struct mdp_tcp_stack *s;
	struct mdp_tcp_tuple t;
	uint32_t idx;		/* index in the worker's pool */
	uint32_t hash;		/* of t, for the table */
	uint16_t port;		/* dp port index */
	uint8_t state;		/* enum mdp_tcp_state */
	uint8_t rtx_count;	/* consecutive timer retransmissions */
	uint32_t flags;		/* MDP_TCPF_* */
	uint16_t busy;		/* stack frames using it: defer the free */

	/* send sequence space */
	uint32_t iss;
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_max;	/* highest sequence sent + 1 */
	uint32_t snd_wnd;	/* peer's window, scaled */
	uint32_t snd_wl1, snd_wl2;
	uint32_t max_snd_wnd;	/* largest window the peer offered (RFC 5961 5.2) */
	uint32_t recover;	/* RFC 6582 */
	uint32_t high_rxt;	/* RFC 6675 */
	uint16_t smss;		/* effective send MSS */
	uint8_t snd_wscale;	/* peer's shift */
	uint8_t rcv_wscale;	/* ours */
	uint8_t dupacks;
	uint8_t n_rtx_log;
	uint32_t tlp_high;	/* snd_max when the outstanding probe went */
	struct mdp_tcp_rtx_rec rtx_log[MDP_TCP_RTX_LOG];	/* oldest first */

	/* receive sequence space */
	uint32_t irs;
	uint32_t rcv_nxt;
	uint32_t rcv_adv;	/* right edge we advertised */
	uint32_t rcv_held;	/* bytes given to the application, not yet recved */
	uint32_t ts_recent;	/* RFC 7323 */
	uint32_t last_ack_sent;
	uint32_t fin_seq;	/* sequence of the peer's FIN once seen (even out of order) */
	uint32_t syn_tsval;	/* TSval of a SYN cookie's SYN-ACK (carries its options) */
	bool fin_seen;

	/* RFC 5961 7: challenge ACKs, per connection */
	uint64_t chack_sec;
	uint32_t chack_n;

	/* timers (the worker's wheel) */
	struct mdp_timer rtx;	/* SYN / retransmit / persist */
	struct mdp_timer delack;
	struct mdp_timer life;	/* connect, keepalive, FIN-WAIT-2, TIME-WAIT */
	uint64_t rtt_tick;	/* when the timed segment left (Karn) */
	uint64_t last_rx_tick;	/* wheel tick of the last segment received (keepalive) */
	uint8_t ka_probes;	/* keepalive probes unanswered */
	uint32_t rtt_seq;	/* the timed segment; 0 with none */

	struct mdp_tcp_rtt rtt;
	struct mdp_tcp_cc cc;
	struct mdp_tcp_scoreboard sb;

	/* data */
	struct mdp_mbufq sndq;	/* from snd_una: sent-unacked, then unsent */
	struct mdp_tcp_ooo ooo[MDP_TCP_OOO_MAX];
	uint32_t ooo_recent;	/* a byte of the segment queued last (RFC 2018 4) */
	uint8_t n_ooo;
	uint32_t ooo_bytes;

	/* application */
	const struct mdp_tcp_app_ops *ops;
	void *ctx;
	struct mdp_mbufq app_q;	/* the application's own queue (bytes it holds) */
	uint8_t app_flags;	/* the application's own flags */
	struct mdp_tcp_listener *lsn;
	struct mdp_tls_sess *tls;	/* the stream layer, when TLS (dp/tls) */

	/* statistics for `meshctl conns` */
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint32_t retrans;
	uint64_t created_tick;
} __rte_cache_aligned;

#endif
