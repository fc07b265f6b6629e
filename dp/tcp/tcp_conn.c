/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "tcp/mdp_tcp_isn.h"
#include "proxy/proxy.h"
#include "tcp_apps.h"
#include "tcp_info.h"
#include "tcp_priv.h"
#include "tls/tls.h"
#include "util/mdp_log.h"

static const char *const state_names[MDP_TCP_STATE_COUNT] = {
	"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
	"FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
};

const char *
mdp_tcp_state_name(int st)
{
	return (unsigned)st < MDP_TCP_STATE_COUNT ? state_names[st] : "?";
}

/* ---- mbuf queues ---- */

void
mdp_mbufq_append(struct mdp_mbufq *q, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (q->head == NULL)
		q->head = m;
	else
		q->tail->next = m;
	/* The queue is one long chain; keep nb_segs/pkt_len of the head
	 * meaningless and track bytes ourselves. */
	while (m->next != NULL)
		m = m->next;
	q->tail = m;
	q->bytes += len;
}

void
mdp_mbufq_trim_front(struct mdp_mbufq *q, uint32_t n)
{
	while (n > 0 && q->head != NULL) {
		struct rte_mbuf *m = q->head;

		if (m->data_len > n) {
			/* One segment of the chain: move its start only. */
			m->data_off = (uint16_t)(m->data_off + n);
			m->data_len = (uint16_t)(m->data_len - n);
			q->bytes -= n;
			return;
		}
		n -= m->data_len;
		q->bytes -= m->data_len;
		q->head = m->next;
		m->next = NULL;
		m->nb_segs = 1;
		m->pkt_len = m->data_len;
		rte_pktmbuf_free_seg(m);
	}
	if (q->head == NULL)
		q->tail = NULL;
}

void
mdp_mbufq_purge(struct mdp_mbufq *q)
{
	while (q->head != NULL) {
		struct rte_mbuf *m = q->head;

		q->head = m->next;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
	}
	q->tail = NULL;
	q->bytes = 0;
}

/* ---- the connection table ---- */

static inline void
tuple_key(const struct mdp_tcp_tuple *t, struct mdp_tcp_tuple *k)
{
	memset(k, 0, sizeof(*k));
	k->laddr = t->laddr;
	k->raddr = t->raddr;
	k->lport = t->lport;
	k->rport = t->rport;
}

struct mdp_tcp_conn *
mdp_tcp_conn_lookup(struct mdp_tcp_stack *s, const struct mdp_tcp_tuple *t)
{
	struct mdp_tcp_tuple k;
	void *data;

	tuple_key(t, &k);
	if (rte_hash_lookup_data(s->table, &k, &data) < 0)
		return NULL;
	return &s->conns[(uintptr_t)data];
}

struct mdp_tcp_conn *
mdp_tcp_conn_alloc(struct mdp_tcp_stack *s, const struct mdp_tcp_tuple *t, uint16_t port)
{
	struct mdp_tcp_conn *c;
	struct mdp_tcp_tuple k;
	uint32_t idx;

	if (s->n_free == 0)
		return NULL;
	idx = s->free_idx[--s->n_free];
	tuple_key(t, &k);
	if (rte_hash_add_key_data(s->table, &k, (void *)(uintptr_t)idx) < 0) {
		s->free_idx[s->n_free++] = idx;
		return NULL;
	}
	c = &s->conns[idx];
	memset(c, 0, sizeof(*c));
	c->w = s->w;
	c->s = s;
	c->t = k;
	c->idx = idx;
	c->port = port;
	c->state = MDP_TCP_CLOSED;
	c->rcv_wscale = s->cfg->window_scaling ? s->rcv_wscale : 0;
	c->created_tick = s->w->wheel.now;
	mdp_tcp_timers_init(c);
	mdp_tcp_rtt_init(&c->rtt, s->cfg->initial_rto_ms * 1000, s->cfg->min_rto_ms * 1000,
			 s->cfg->max_rto_ms * 1000, s->w->dp->cfg->timer_tick_us);
	mdp_tcp_sack_reset(&c->sb);
	MDP_CNT_INC(s->w, port, TCP_CONN_OPEN);
	return c;
}

static void
conn_free(struct mdp_tcp_conn *c)
{
	struct mdp_tcp_stack *s = c->s;

	mdp_tcp_timers_stop(c);
	mdp_mbufq_purge(&c->sndq);
	mdp_mbufq_purge(&c->app_q);
	for (uint8_t i = 0; i < c->n_ooo; i++)
		rte_pktmbuf_free(c->ooo[i].m);
	s->ooo_bytes -= c->ooo_bytes;
	c->n_ooo = 0;
	c->ooo_bytes = 0;
	if (c->lsn != NULL && c->state == MDP_TCP_SYN_RCVD)
		c->lsn->half_open--;
	rte_hash_del_key(s->table, &c->t);
	MDP_CNT_INC(s->w, c->port, TCP_CONN_CLOSE);
	c->state = MDP_TCP_CLOSED;
	/* A stack frame still holds c: the slot goes back when it is done,
	 * so that nothing allocated meanwhile can take it. */
	if (c->busy > 0) {
		c->flags |= MDP_TCPF_DEFER_FREE;
		return;
	}
	s->free_idx[s->n_free++] = c->idx;
}

void
mdp_tcp_conn_release(struct mdp_tcp_conn *c)
{
	c->flags &= ~(uint32_t)MDP_TCPF_DEFER_FREE;
	c->s->free_idx[c->s->n_free++] = c->idx;
}

void
mdp_tcp_conn_set_state(struct mdp_tcp_conn *c, enum mdp_tcp_state st)
{
	if (c->state == MDP_TCP_SYN_RCVD && st != MDP_TCP_SYN_RCVD && c->lsn != NULL)
		c->lsn->half_open--;
	c->state = (uint8_t)st;
}

void
mdp_tcp_conn_done(struct mdp_tcp_conn *c, int err)
{
	const struct mdp_tcp_app_ops *ops = c->ops;

	/* The application hears once, then the connection is gone. An
	 * application that never saw it (a half-open passive connection)
	 * hears nothing. */
	if (ops != NULL && ops->closed != NULL && !(c->flags & MDP_TCPF_APP_CLOSED)) {
		c->flags |= MDP_TCPF_APP_CLOSED;
		ops->closed(c, err);
	}
	conn_free(c);
}

struct mdp_tcp_listener *
mdp_tcp_listener_find(struct mdp_tcp_stack *s, uint32_t addr, uint16_t port)
{
	for (unsigned i = 0; i < s->n_lsn; i++) {
		struct mdp_tcp_listener *l = &s->lsn[i];

		if (l->port == port && (l->addr == 0 || l->addr == addr))
			return l;
	}
	return NULL;
}

/* ---- the application interface (tcp.h) ---- */

void
mdp_tcp_set_ctx(struct mdp_tcp_conn *c, const struct mdp_tcp_app_ops *ops, void *ctx)
{
	if (unlikely(c->tls != NULL)) {
		mdp_tls_set_ctx(c, ops, ctx);
		return;
	}
	c->ops = ops;
	c->ctx = ctx;
}

void *
mdp_tcp_ctx(const struct mdp_tcp_conn *c)
{
	if (unlikely(c->tls != NULL))
		return mdp_tls_ctx(c);
	return c->ctx;
}

struct mdp_mbufq *
mdp_tcp_app_q(struct mdp_tcp_conn *c)
{
	return &c->app_q;
}

uint8_t *
mdp_tcp_app_flags(struct mdp_tcp_conn *c)
{
	return &c->app_flags;
}

/* The lowest ephemeral port p with p % workers == idx. */
static unsigned
first_owned_port(unsigned idx, unsigned workers)
{
	unsigned p = MDP_EPHEMERAL_MIN;

	while (p % workers != idx)
		p++;
	return p;
}

/*
 * A TIME-WAIT tuple of ours may carry a new outgoing connection when
 * timestamps protect it (Linux's tcp_tw_reuse; RFC 6191 for the
 * reasoning): the old connection used them, so the peer's PAWS rejects
 * its old duplicates against the new, later timestamps, and a second has
 * passed since the peer last spoke, so our 1 ms timestamp clock has moved
 * well past anything it sent. The new ISN goes 64 KiB past the old
 * connection's last sequence number.
 */
static bool
tw_reusable(const struct mdp_tcp_conn *old)
{
	const struct mdp_tcp_stack *s = old->s;

	return old->state == MDP_TCP_TIME_WAIT && s->cfg->time_wait_reuse &&
	       s->cfg->timestamps && (old->flags & MDP_TCPF_TS) &&
	       old->w->wheel.now - old->last_rx_tick >= tcp_ms_to_ticks(old->w, 1000);
}

struct mdp_tcp_conn *
mdp_tcp_connect(struct mdp_worker *w, uint32_t raddr, uint16_t rport,
		const struct mdp_tcp_app_ops *ops, void *ctx, int *err)
{
	struct mdp_tcp_stack *s = w->tcp;
	struct mdp_tcp_tuple t = { .raddr = raddr, .rport = rport };
	struct mdp_tcp_conn *c = NULL;
	uint32_t nh, reuse_iss = 0;
	uint16_t port;
	bool reused = false;

	if (mdp_route_lookup(w->dp, raddr, &port, &nh) < 0) {
		*err = -ENETUNREACH;
		return NULL;
	}
	t.laddr = w->dp->ports[port].addr;
	/* An ephemeral port whose tuple is free (RFC 6056 sequential with a
	 * per-worker start), or held by a TIME-WAIT that may be reused. */
	/* Ports this worker owns: lport % workers == idx (mdp_port_owner), so
	 * replies reach it whichever queue they arrive on. */
	for (unsigned tries = 0; tries < 16384; tries++) {
		unsigned step = w->dp->n_workers;
		struct mdp_tcp_conn *old;

		t.lport = s->next_port;
		s->next_port = (uint16_t)(s->next_port + step > 65535 ?
			first_owned_port(w->idx, step) : s->next_port + step);
		old = mdp_tcp_conn_lookup(s, &t);
		if (old != NULL && tw_reusable(old)) {
			reuse_iss = old->snd_max + 65537;
			reused = true;
			MDP_CNT_INC(w, port, TCP_TW_REUSE);
			mdp_tcp_conn_done(old, 0);
			old = NULL;
		}
		if (old == NULL) {
			c = mdp_tcp_conn_alloc(s, &t, port);
			if (c == NULL) {
				MDP_CNT_INC(w, port, TCP_POOL_FULL);
				*err = -ENOMEM;
				return NULL;
			}
			break;
		}
	}
	if (c == NULL) {
		*err = -EADDRNOTAVAIL;
		return NULL;
	}
	c->ops = ops;
	c->ctx = ctx;
	c->iss = reused ? reuse_iss
			: mdp_tcp_isn(&s->key, t.laddr, t.lport, t.raddr, t.rport, tcp_now_us(s));
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->snd_max = c->snd_nxt;
	c->smss = mdp_tcp_mss_clamp(0, w->dp->ports[port].conf->mtu);
	c->rtt_tick = tcp_now_us(s);
	mdp_tcp_conn_set_state(c, MDP_TCP_SYN_SENT);
	mdp_tcp_send_syn(c);
	mdp_tcp_rtx_arm(c);
	return c;
}

void
mdp_tcp_raw_want_writable(struct mdp_tcp_conn *c)
{
	c->flags |= MDP_TCPF_WANT_WRITE;
}

void
mdp_tcp_want_writable(struct mdp_tcp_conn *c)
{
	if (unlikely(c->tls != NULL)) {
		mdp_tls_want_writable(c);
		return;
	}
	mdp_tcp_raw_want_writable(c);
}

uint32_t
mdp_tcp_send_space(const struct mdp_tcp_conn *c)
{
	if (unlikely(c->tls != NULL))
		return mdp_tls_send_space(c);
	return mdp_tcp_raw_send_space(c);
}

int
mdp_tcp_send(struct mdp_tcp_conn *c, struct rte_mbuf *m)
{
	if (unlikely(c->tls != NULL))
		return mdp_tls_send(c, m);
	return mdp_tcp_raw_send(c, m);
}

void
mdp_tcp_recved(struct mdp_tcp_conn *c, uint32_t n)
{
	if (unlikely(c->tls != NULL)) {
		mdp_tls_recved(c, n);
		return;
	}
	mdp_tcp_raw_recved(c, n);
}

void
mdp_tcp_close(struct mdp_tcp_conn *c)
{
	if (c->flags & MDP_TCPF_APP_CLOSED)
		return;	/* `closed` was delivered: the handle is spent */
	if (unlikely(c->tls != NULL)) {
		mdp_tls_close(c);
		return;
	}
	mdp_tcp_raw_close(c);
}

void
mdp_tcp_raw_abort(struct mdp_tcp_conn *c)
{
	mdp_tcp_abort(c);
}

uint32_t
mdp_tcp_raw_send_space(const struct mdp_tcp_conn *c)
{
	uint32_t cap = c->s->cfg->snd_buf;

	return c->sndq.bytes >= cap ? 0 : cap - c->sndq.bytes;
}

int
mdp_tcp_raw_send(struct mdp_tcp_conn *c, struct rte_mbuf *m)
{
	switch (c->state) {
	case MDP_TCP_ESTABLISHED:
	case MDP_TCP_CLOSE_WAIT:
		break;
	case MDP_TCP_SYN_SENT:
	case MDP_TCP_SYN_RCVD:
		return -ENOTCONN;
	default:
		return -EPIPE;
	}
	if (c->flags & MDP_TCPF_FIN_QUEUED)
		return -EPIPE;
	if (rte_pktmbuf_pkt_len(m) > mdp_tcp_raw_send_space(c)) {
		c->flags |= MDP_TCPF_WANT_WRITE;
		return -ENOBUFS;
	}
	if (rte_pktmbuf_pkt_len(m) == 0) {
		rte_pktmbuf_free(m);
		return 0;
	}
	mdp_mbufq_append(&c->sndq, m);
	mdp_tcp_output(c);
	return 0;
}

void
mdp_tcp_raw_recved(struct mdp_tcp_conn *c, uint32_t n)
{
	uint32_t old_edge = c->rcv_adv, new_edge;

	c->rcv_held = n > c->rcv_held ? 0 : c->rcv_held - n;
	if (c->state < MDP_TCP_ESTABLISHED)
		return;
	/* RFC 9293 3.8.6.2.2 (receiver SWS avoidance): the opened window
	 * is worth announcing once it has grown by min(rcv_buf / 2, MSS);
	 * unprompted, only when it also doubles what the peer may still
	 * send (Linux's rule), so an application that consumes at once does
	 * not turn every segment into an immediate ACK. The next ACK carries
	 * the window anyway. */
	new_edge = c->rcv_nxt + mdp_tcp_rcv_window(c);
	if (mdp_seq_gt(new_edge, old_edge) &&
	    new_edge - old_edge >= RTE_MIN(c->s->cfg->rcv_buf / 2, (uint32_t)c->smss) &&
	    (mdp_seq_le(old_edge, c->rcv_nxt) ||
	     new_edge - c->rcv_nxt >= 2 * (old_edge - c->rcv_nxt))) {
		c->flags |= MDP_TCPF_ACKNOW;
		/* From a callback of the input under way (busy), the ACK goes
		 * once at its end: not one per delivered segment. */
		if (c->busy == 0)
			mdp_tcp_output(c);
	}
}

void
mdp_tcp_raw_close(struct mdp_tcp_conn *c)
{
	if (c->flags & MDP_TCPF_APP_CLOSED)
		return;
	switch (c->state) {
	case MDP_TCP_SYN_SENT:
		mdp_tcp_conn_done(c, 0);
		return;
	case MDP_TCP_SYN_RCVD:
	case MDP_TCP_ESTABLISHED:
	case MDP_TCP_CLOSE_WAIT:
		if (c->flags & MDP_TCPF_FIN_QUEUED)
			return;
		c->flags |= MDP_TCPF_FIN_QUEUED;
		mdp_tcp_output(c);
		return;
	default:
		return;	/* already closing */
	}
}

void
mdp_tcp_abort(struct mdp_tcp_conn *c)
{
	/* Once `closed` was delivered (or while it runs) the connection is
	 * the stack's: aborting it again would free it twice. */
	if (c->flags & MDP_TCPF_APP_CLOSED)
		return;
	if (c->state >= MDP_TCP_SYN_RCVD && c->state != MDP_TCP_TIME_WAIT)
		mdp_tcp_send_rst(c);
	MDP_CNT_INC(c->w, c->port, TCP_RST_ABORT);
	mdp_tcp_conn_done(c, -ECONNABORTED);
}

/* ---- set-up ---- */

static uint8_t
wscale_for(uint32_t buf)
{
	uint8_t ws = 0;

	while (ws < 14 && (buf >> ws) > 65535)
		ws++;
	return ws;
}

int
mdp_tcp_stack_init(struct mdp_worker *w, const struct mdp_siphash_key *key)
{
	const struct mdp_config *cfg = w->dp->cfg;
	struct mdp_tcp_stack *s;
	struct rte_hash_parameters hp = { 0 };
	char name[RTE_HASH_NAMESIZE];
	int socket = (int)rte_lcore_to_socket_id(w->lcore);

	s = rte_zmalloc_socket("mdp_tcp", sizeof(*s), RTE_CACHE_LINE_SIZE, socket);
	if (s == NULL)
		return -ENOMEM;
	w->tcp = s;
	s->w = w;
	s->cfg = &cfg->tcp;
	s->key = *key;
	s->tsc_per_us = w->dp->tsc_hz / 1000000;
	if (s->tsc_per_us == 0)
		s->tsc_per_us = 1;
	s->rcv_wscale = wscale_for(cfg->tcp.rcv_buf);
	s->next_port = (uint16_t)first_owned_port(w->idx, w->dp->n_workers);
	for (unsigned i = 0; i < w->dp->n_ports; i++) {
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(w->dp->ports[i].port_id, &info) == 0 &&
		    (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS))
			s->multiseg_tx |= (uint16_t)(1u << i);
	}
	s->conns = rte_zmalloc_socket("mdp_tcp_conns", sizeof(*s->conns) * cfg->tcp.max_conns,
				      RTE_CACHE_LINE_SIZE, socket);
	s->free_idx = rte_malloc_socket("mdp_tcp_free", sizeof(uint32_t) * cfg->tcp.max_conns, 0,
					socket);
	if (s->conns == NULL || s->free_idx == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < cfg->tcp.max_conns; i++)
		s->free_idx[i] = cfg->tcp.max_conns - 1 - i;
	s->n_free = cfg->tcp.max_conns;
	for (unsigned i = 0; i < cfg->n_listeners; i++) {
		const struct mdp_conf_listener *lc = &cfg->listeners[i];
		struct mdp_tcp_listener *l = &s->lsn[s->n_lsn++];

		l->conf = lc;
		l->addr = lc->addr;
		l->port = lc->port;
		l->ctx = (void *)(uintptr_t)lc;
		switch (lc->kind) {
		case MDP_LISTENER_ECHO:
			l->ops = &mdp_tcp_echo_listener;
			break;
		case MDP_LISTENER_DISCARD:
			l->ops = &mdp_tcp_discard_listener;
			break;
		case MDP_LISTENER_TCP_PROXY:
			l->ops = &mdp_tcp_proxy_listener;
			break;
		case MDP_LISTENER_HTTP:
			l->ops = &mdp_proxy_http_listener;
			break;
		}
		if (lc->tls != NULL && lc->tls->mtls != MDP_MTLS_DISABLE) {
			/* the TLS stream layer first; the application after the
			 * handshake (dp/tls) */
			struct mdp_tls_lsn *t = &s->tls_lsn[s->n_lsn - 1];

			t->app_ops = l->ops;
			t->app_ctx = l->ctx;
			t->idx = i;
			l->ops = &mdp_tls_listener_ops;
			l->ctx = t;
		}
	}
	snprintf(name, sizeof(name), "mdp_tcp_%u", w->idx);
	hp.name = name;
	hp.entries = cfg->tcp.max_conns < 8 ? 8 : cfg->tcp.max_conns;
	hp.key_len = sizeof(struct mdp_tcp_tuple);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = socket;
	s->table = rte_hash_create(&hp);
	if (s->table == NULL) {
		MDP_ERR("worker %u: TCP table of %u: %s", w->idx, cfg->tcp.max_conns,
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

void
mdp_tcp_stack_fini(struct mdp_worker *w)
{
	struct mdp_tcp_stack *s = w->tcp;

	if (s == NULL)
		return;
	if (s->conns != NULL && s->free_idx != NULL) {
		for (uint32_t i = 0; i < s->cfg->max_conns; i++) {
			struct mdp_tcp_conn *c = &s->conns[i];

			if (c->state != MDP_TCP_CLOSED) {
				mdp_tls_conn_drop(c);
				c->ops = NULL;	/* applications are gone */
				conn_free(c);
			}
		}
	}
	rte_hash_free(s->table);
	rte_free(s->free_idx);
	rte_free(s->conns);
	rte_free(s);
	w->tcp = NULL;
}

/* ---- introspection (tcp_info.h) ---- */

int
mdp_tcp_state_parse(const char *name)
{
	for (int i = 0; i < MDP_TCP_STATE_COUNT; i++)
		if (strcasecmp(name, state_names[i]) == 0)
			return i;
	return -1;
}

int
mdp_tcp_info_dump(struct mdp_worker *w, int state, struct mdp_tcp_conn_info *rows, size_t cap,
		  size_t *n, size_t *total)
{
	struct mdp_tcp_stack *s = w->tcp;

	*n = 0;
	*total = 0;
	if (s == NULL)
		return 0;
	for (uint32_t i = 0; i < s->cfg->max_conns; i++) {
		const struct mdp_tcp_conn *c = &s->conns[i];
		struct mdp_tcp_conn_info *r;

		if (c->state == MDP_TCP_CLOSED || (state >= 0 && c->state != state))
			continue;
		(*total)++;
		if (*n == cap)
			continue;
		r = &rows[(*n)++];
		r->laddr = c->t.laddr;
		r->raddr = c->t.raddr;
		r->lport = c->t.lport;
		r->rport = c->t.rport;
		r->port = c->port;
		r->state = c->state;
		r->cc = (uint8_t)c->cc.algo;
		r->cwnd = c->cc.cwnd;
		r->ssthresh = c->cc.ssthresh;
		r->snd_wnd = c->snd_wnd;
		r->rcv_wnd = mdp_tcp_rcv_window(c);
		r->srtt_us = c->rtt.srtt_us;
		r->rto_us = mdp_tcp_rtt_rto(&c->rtt);
		r->sndq = c->sndq.bytes;
		r->ooo = c->ooo_bytes;
		r->retrans = c->retrans;
		r->smss = c->smss;
		r->bytes_in = c->bytes_in;
		r->bytes_out = c->bytes_out;
		r->age_ticks = w->wheel.now - c->created_tick;
	}
	return 0;
}

void
mdp_tcp_info_usage(const struct mdp_worker *w, uint32_t *used, uint32_t *size)
{
	const struct mdp_tcp_stack *s = w->tcp;

	*size = s ? s->cfg->max_conns : 0;
	*used = s ? s->cfg->max_conns - s->n_free : 0;
}
