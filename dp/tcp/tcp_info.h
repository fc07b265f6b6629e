/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TCP_INFO_H
#define MDP_TCP_INFO_H

#include <stddef.h>
#include <stdint.h>

struct mdp_worker;

/* One connection as `meshctl conns` shows it (a copy, taken on the
 * worker that owns the connection). */
struct mdp_tcp_conn_info {
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	uint16_t port;		/* dp port index */
	uint8_t state;		/* enum mdp_tcp_state */
	uint8_t cc;		/* enum mdp_tcp_cc_algo */
	uint32_t cwnd, ssthresh, snd_wnd, rcv_wnd;
	uint32_t srtt_us, rto_us;
	uint32_t sndq, ooo, retrans;
	uint16_t smss;
	uint64_t bytes_in, bytes_out;
	uint64_t age_ticks;
};

/*
 * Copy up to cap connections of worker w (in state `state`, or all when
 * state < 0) into rows. Sets *n to the rows written and *total to all that
 * matched. Runs on w's own core (through mdp_worker_call). Returns 0.
 */
int mdp_tcp_info_dump(struct mdp_worker *w, int state, struct mdp_tcp_conn_info *rows,
		      size_t cap, size_t *n, size_t *total);

/* Connections in use and the pool size of worker w (racy read: for
 * status displays only). */
void mdp_tcp_info_usage(const struct mdp_worker *w, uint32_t *used, uint32_t *size);

/* The state's RFC 9293 name ("ESTABLISHED", "TIME-WAIT", ...). */
const char *mdp_tcp_state_name(int state);

/* "ESTABLISHED", ... ; -1 for an unknown name. */
int mdp_tcp_state_parse(const char *name);

#endif
