/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TCP_TYPES_H
#define MDP_TCP_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp.h"
#include "tcp/mdp_tcp_seq.h"
#include "timer/mdp_timer.h"

struct rte_mbuf;

/* RFC 9293 3.3.2 */
enum mdp_tcp_state {
	MDP_TCP_CLOSED = 0,
	MDP_TCP_LISTEN,
	MDP_TCP_SYN_SENT,
	MDP_TCP_SYN_RCVD,
	MDP_TCP_ESTABLISHED,
	MDP_TCP_FIN_WAIT_1,
	MDP_TCP_FIN_WAIT_2,
	MDP_TCP_CLOSE_WAIT,
	MDP_TCP_CLOSING,
	MDP_TCP_LAST_ACK,
	MDP_TCP_TIME_WAIT,
	MDP_TCP_STATE_COUNT
};

const char *mdp_tcp_state_name(int state);

/* Connection identity, host byte order: "local" is meshdp's side. */
struct mdp_tcp_tuple {
	uint32_t laddr;
	uint32_t raddr;
	uint16_t lport;
	uint16_t rport;
};

/* An mbuf chain queue with its byte count (send and receive buffers). */
struct mdp_mbufq {
	struct rte_mbuf *head;
	struct rte_mbuf *tail;	/* last segment of the last chain */
	uint32_t bytes;
};

#endif
