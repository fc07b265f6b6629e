/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TCP_H
#define MDP_TCP_H

#include <stdbool.h>
#include <stdint.h>

struct rte_mbuf;
struct mdp_worker;
struct mdp_tcp_conn;

/*
 * The TCP application interface (DESIGN.md "connection <-> stream <->
 * application"). A connection lives on one worker for its whole life; all
 * calls happen on that worker, from inside the stack's callbacks or from
 * the application's own code running on the worker. Nothing blocks.
 *
 * Events (struct mdp_tcp_app_ops) are called by the stack:
 *   accepted / connected  the connection is ESTABLISHED
 *   data                  in-order payload as an mbuf chain; the
 *                         application owns it and reports what it has
 *                         consumed with mdp_tcp_recved() (flow control)
 *   writable              send space opened after mdp_tcp_send() refused
 *   peer_closed           the peer's FIN arrived (no more data)
 *   closed                the connection is gone (after close, abort, RST,
 *                         time-out); `err` is 0 for an orderly end or a
 *                         negative errno (-ECONNRESET, -ETIMEDOUT,
 *                         -ECONNREFUSED, -ECONNABORTED)
 * After `closed` the connection handle is invalid.
 */
struct mdp_tcp_app_ops {
	void (*accepted)(struct mdp_tcp_conn *c, void *listener_ctx);
	void (*connected)(struct mdp_tcp_conn *c);
	void (*data)(struct mdp_tcp_conn *c, struct rte_mbuf *m);
	void (*writable)(struct mdp_tcp_conn *c);
	void (*peer_closed)(struct mdp_tcp_conn *c);
	void (*closed)(struct mdp_tcp_conn *c, int err);
};

/*
 * Queue an mbuf chain for sending. The stack takes ownership on success (0)
 * and keeps the mbufs until they are acknowledged. Returns -ENOBUFS when
 * the send buffer is full (ownership stays with the caller; `writable`
 * follows), -ENOTCONN / -EPIPE when the connection cannot send.
 */
int mdp_tcp_send(struct mdp_tcp_conn *c, struct rte_mbuf *m);

/* Bytes that mdp_tcp_send() would accept now. */
uint32_t mdp_tcp_send_space(const struct mdp_tcp_conn *c);

/* Call `writable` once send space opens (as after a refused send): for an
 * application that checked mdp_tcp_send_space() and did not send. */
void mdp_tcp_want_writable(struct mdp_tcp_conn *c);

/* The application has consumed n bytes it was given in `data`: the
 * receive window opens by n (a window update is sent when it matters). */
void mdp_tcp_recved(struct mdp_tcp_conn *c, uint32_t n);

/* Orderly close: send a FIN after the queued data. `closed` follows. */
void mdp_tcp_close(struct mdp_tcp_conn *c);

/* Abort: send a RST, drop queued data; `closed(-ECONNABORTED)` follows
 * at once. */
void mdp_tcp_abort(struct mdp_tcp_conn *c);

/*
 * Open a connection to raddr:rport from the port that routes there, with
 * an ephemeral local port. Returns the connection (SYN-SENT; `connected`
 * or `closed` follows) or NULL with *err = -ENETUNREACH, -EADDRNOTAVAIL
 * (no free local port) or -ENOMEM (pool full).
 */
struct mdp_tcp_conn *mdp_tcp_connect(struct mdp_worker *w, uint32_t raddr, uint16_t rport,
				     const struct mdp_tcp_app_ops *ops, void *ctx, int *err);

/* The application's queue and flags kept in the connection, so that
 * simple applications need no memory of their own. */
struct mdp_mbufq *mdp_tcp_app_q(struct mdp_tcp_conn *c);
uint8_t *mdp_tcp_app_flags(struct mdp_tcp_conn *c);

/* Per-connection application context. */
void mdp_tcp_set_ctx(struct mdp_tcp_conn *c, const struct mdp_tcp_app_ops *ops, void *ctx);
void *mdp_tcp_ctx(const struct mdp_tcp_conn *c);

/*
 * The same calls for a stream layer under the application (dp/tls): they
 * act on the TCP connection itself, whatever stream the application sees.
 * The application's calls above go to the stream layer when there is one.
 */
int mdp_tcp_raw_send(struct mdp_tcp_conn *c, struct rte_mbuf *m);
uint32_t mdp_tcp_raw_send_space(const struct mdp_tcp_conn *c);
void mdp_tcp_raw_want_writable(struct mdp_tcp_conn *c);
void mdp_tcp_raw_recved(struct mdp_tcp_conn *c, uint32_t n);
void mdp_tcp_raw_close(struct mdp_tcp_conn *c);
void mdp_tcp_raw_abort(struct mdp_tcp_conn *c);

#endif
