/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The built-in TCP applications: echo and discard (for tests), and
 * tcp_proxy, an L4 relay like HAProxy's `mode tcp`. They use only the
 * application interface of tcp.h, as TLS and HTTP will.
 *
 * Flow control: an application reports bytes as consumed (mdp_tcp_recved)
 * only once they are in the next send buffer, so a slow far side closes
 * the near side's window instead of growing a queue.
 */
#include <errno.h>

#include <rte_mbuf.h>

#include "authz/mdp_authz.h"
#include "proxy/proxy.h"
#include "tcp_apps.h"
#include "tls/tls.h"
#include "tcp_priv.h"

#define APP_CLOSE_WHEN_DRAINED 0x1	/* the source side has closed */
#define APP_UPSTREAM 0x2

/* Move queued bytes of `from` (its app_q) into `to`'s send buffer, one
 * buffer segment at a time, and open from's window by what moved. */
static void
pump(struct mdp_tcp_conn *from, struct mdp_tcp_conn *to)
{
	struct mdp_mbufq *q = mdp_tcp_app_q(from);

	while (q->head != NULL) {
		struct rte_mbuf *m = q->head;
		uint32_t len = m->data_len;

		if (to == NULL) {
			mdp_mbufq_purge(q);
			return;
		}
		q->head = m->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->bytes -= len;
		m->next = NULL;
		m->nb_segs = 1;
		m->pkt_len = len;
		if (mdp_tcp_send(to, m) != 0) {
			/* Full (`writable` on `to` calls us again), not
			 * connected yet (`connected` does), or gone: put it
			 * back. */
			m->next = q->head;
			q->head = m;
			if (q->tail == NULL)
				q->tail = m;
			q->bytes += len;
			return;
		}
		mdp_tcp_recved(from, len);
	}
	if (*mdp_tcp_app_flags(from) & APP_CLOSE_WHEN_DRAINED)
		mdp_tcp_close(to);
}

/* ---- echo: the peer's bytes go back to it ---- */

static void
echo_data(struct mdp_tcp_conn *c, struct rte_mbuf *m)
{
	mdp_mbufq_append(mdp_tcp_app_q(c), m);
	pump(c, c);
}

static void
echo_writable(struct mdp_tcp_conn *c)
{
	pump(c, c);
}

static void
echo_peer_closed(struct mdp_tcp_conn *c)
{
	*mdp_tcp_app_flags(c) |= APP_CLOSE_WHEN_DRAINED;
	if (mdp_tcp_app_q(c)->head == NULL)
		mdp_tcp_close(c);
}

static void
noop_closed(struct mdp_tcp_conn *c, int err)
{
	(void)c;
	(void)err;
}

static const struct mdp_tcp_app_ops echo_ops = {
	.data = echo_data,
	.writable = echo_writable,
	.peer_closed = echo_peer_closed,
	.closed = noop_closed,
};

static void
echo_accepted(struct mdp_tcp_conn *c, void *lctx)
{
	(void)lctx;
	mdp_tcp_set_ctx(c, &echo_ops, NULL);
}

const struct mdp_tcp_app_ops mdp_tcp_echo_listener = { .accepted = echo_accepted };

/* ---- discard: bytes are consumed and dropped ---- */

static void
discard_data(struct mdp_tcp_conn *c, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);

	rte_pktmbuf_free(m);
	mdp_tcp_recved(c, len);
}

static void
discard_peer_closed(struct mdp_tcp_conn *c)
{
	mdp_tcp_close(c);
}

static const struct mdp_tcp_app_ops discard_ops = {
	.data = discard_data,
	.peer_closed = discard_peer_closed,
	.closed = noop_closed,
};

static void
discard_accepted(struct mdp_tcp_conn *c, void *lctx)
{
	(void)lctx;
	mdp_tcp_set_ctx(c, &discard_ops, NULL);
}

const struct mdp_tcp_app_ops mdp_tcp_discard_listener = { .accepted = discard_accepted };

/* ---- tcp_proxy: downstream <-> upstream ---- */

static void
proxy_data(struct mdp_tcp_conn *c, struct rte_mbuf *m)
{
	mdp_mbufq_append(mdp_tcp_app_q(c), m);
	pump(c, mdp_tcp_ctx(c));
}

static void
proxy_writable(struct mdp_tcp_conn *c)
{
	struct mdp_tcp_conn *peer = mdp_tcp_ctx(c);

	if (peer != NULL)
		pump(peer, c);
}

static void
proxy_connected(struct mdp_tcp_conn *up)
{
	struct mdp_tcp_conn *down = mdp_tcp_ctx(up);

	if (down != NULL)
		pump(down, up);
}

static void
proxy_peer_closed(struct mdp_tcp_conn *c)
{
	struct mdp_tcp_conn *peer = mdp_tcp_ctx(c);

	/* Half-close travels: once what we hold is forwarded, the other
	 * side gets our FIN (HAProxy's default shutw propagation). */
	*mdp_tcp_app_flags(c) |= APP_CLOSE_WHEN_DRAINED;
	if (peer == NULL)
		mdp_tcp_close(c);
	else if (mdp_tcp_app_q(c)->head == NULL)
		mdp_tcp_close(peer);
}

static const struct mdp_tcp_app_ops proxy_ops;

static void
proxy_closed(struct mdp_tcp_conn *c, int err)
{
	struct mdp_tcp_conn *peer = mdp_tcp_ctx(c);

	if (peer == NULL)
		return;
	mdp_tcp_set_ctx(peer, &proxy_ops, NULL);
	/* A reset or a failed upstream resets the other side too; an orderly
	 * end closes it after its queued bytes. */
	if (err != 0)
		mdp_tcp_abort(peer);
	else
		mdp_tcp_close(peer);
}

static const struct mdp_tcp_app_ops proxy_ops = {
	.connected = proxy_connected,
	.data = proxy_data,
	.writable = proxy_writable,
	.peer_closed = proxy_peer_closed,
	.closed = proxy_closed,
};

/* The authorization policies of the mesh snapshot, for a connection (no
 * HTTP fields: Istio's TCP semantics, lib/authz). */
static bool
proxy_allowed(struct mdp_tcp_conn *c, const struct mdp_conf_listener *l)
{
	const struct mdp_authz *az = mdp_proxy_authz(c->w);
	struct mdp_authz_req r = { .src_ip = c->t.raddr, .dst_port = l->port };

	if (mdp_authz_count(az) == 0)
		return true;
	r.principal = mdp_tls_conn_peer_id(c, &r.principal_len);
	r.sni = mdp_tls_conn_sni(c, &r.sni_len);
	return mdp_authz_check(az, &r, NULL) == MDP_AUTHZ_ALLOW;
}

static void
proxy_accepted(struct mdp_tcp_conn *down, void *lctx)
{
	const struct mdp_conf_listener *l = lctx;
	struct mdp_tcp_conn *up;
	int err = 0;

	mdp_tcp_set_ctx(down, &proxy_ops, NULL);
	if (!proxy_allowed(down, l)) {
		/* Istio's answer on TCP: the connection is reset */
		MDP_CNT_INC(down->w, down->port, TCP_PROXY_DENIED);
		mdp_tcp_abort(down);
		return;
	}
	up = mdp_tcp_connect(down->w, l->upstream_addr, l->upstream_port, &proxy_ops, down, &err);
	if (up == NULL) {
		MDP_CNT_INC(down->w, down->port, TCP_PROXY_CONNECT_FAIL);
		mdp_tcp_abort(down);
		return;
	}
	*mdp_tcp_app_flags(up) |= APP_UPSTREAM;
	mdp_tcp_set_ctx(down, &proxy_ops, up);
}

const struct mdp_tcp_app_ops mdp_tcp_proxy_listener = { .accepted = proxy_accepted };
