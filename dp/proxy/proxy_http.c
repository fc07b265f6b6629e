/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP/1.1 proxy: downstream connections from `http` listeners,
 * upstream connections pooled per endpoint, one request at a time per
 * downstream connection (pipelined requests wait in the receive queue, so
 * responses go back in order).
 *
 * Heads are parsed where they arrived when they sit in one segment, else
 * from a per-worker copy; the head sent on is built anew (proxy_head.c).
 * Bodies are not copied: the received segments, or slices of them
 * (indirect mbufs), move to the other connection as the body decoder
 * delimits them. A side only takes what the other side's send buffer has
 * room for, and reports bytes consumed to TCP only then, so a slow peer
 * closes its counterpart's window instead of growing a queue.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "authz/mdp_authz.h"
#include "lb/mdp_lb.h"
#include "mesh/mdp_mesh_conf.h"
#include "proxy_priv.h"
#include "tls/tls.h"
#include "util/mdp_log.h"

const struct mdp_proxy_reason_desc mdp_proxy_reason_desc[MDP_PROXY_R_MAX] = {
#define MDP_PROXY_REASON_DESC(sym, name, help) [MDP_PROXY_R_##sym] = { name, help },
	MDP_PROXY_REASONS(MDP_PROXY_REASON_DESC)
#undef MDP_PROXY_REASON_DESC
};

static const struct mdp_tcp_app_ops down_ops;
static const struct mdp_tcp_app_ops up_ops;

static void down_process(struct mdp_proxy_down *d);
static void resp_process(struct mdp_proxy_down *d);
static void req_pump(struct mdp_proxy_down *d);
static void down_flush(struct mdp_proxy_down *d);
static const char *xfcc(struct mdp_proxy_down *d, size_t *len);
static bool authz_allows(struct mdp_proxy_down *d, const struct mdp_http_msg *msg,
			 const char *path, size_t plen);

static inline uint64_t
ms_ticks(const struct mdp_worker *w, uint64_t ms)
{
	uint64_t t = (ms * 1000 + w->dp->cfg->timer_tick_us - 1) / w->dp->cfg->timer_tick_us;

	return t ? t : 1;
}

/* ---- mbufs ---- */

/* len bytes as a new mbuf chain, or NULL. */
static struct rte_mbuf *
mbuf_from(struct mdp_proxy *px, const char *p, size_t len)
{
	struct rte_mbuf *head = NULL;

	while (len > 0) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(px->w->pool);
		uint16_t n;
		char *dst;

		if (m == NULL)
			goto fail;
		n = (uint16_t)RTE_MIN(len, (size_t)rte_pktmbuf_tailroom(m));
		dst = rte_pktmbuf_append(m, n);
		memcpy(dst, p, n);
		p += n;
		len -= n;
		if (head == NULL) {
			head = m;
		} else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			goto fail;
		}
	}
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

/* A new mbuf that refers to len bytes of segment m from offset off (zero
 * copy; m's buffer stays until both are freed). */
static struct rte_mbuf *
mbuf_slice(struct mdp_proxy *px, struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	struct rte_mbuf *s = rte_pktmbuf_alloc(px->w->pool);

	if (s == NULL)
		return NULL;
	rte_pktmbuf_attach(s, m);
	s->data_off = (uint16_t)(m->data_off + off);
	s->data_len = (uint16_t)len;
	s->pkt_len = len;
	return s;
}

/* Detach the first segment of q. */
static struct rte_mbuf *
q_pop(struct mdp_mbufq *q)
{
	struct rte_mbuf *m = q->head;

	q->head = m->next;
	if (q->head == NULL)
		q->tail = NULL;
	q->bytes -= m->data_len;
	m->next = NULL;
	m->nb_segs = 1;
	m->pkt_len = m->data_len;
	return m;
}

/* Send what q holds to tc, segment by segment, while tc takes it. Returns
 * true when q is empty. */
static bool
q_flush(struct mdp_mbufq *q, struct mdp_tcp_conn *tc)
{
	while (q->head != NULL) {
		struct rte_mbuf *m = q->head;
		uint32_t len = m->data_len;

		if (len > mdp_tcp_send_space(tc)) {
			mdp_tcp_want_writable(tc);
			return false;
		}
		m = q_pop(q);
		if (mdp_tcp_send(tc, m) != 0) {
			/* not connected yet, or gone: put it back */
			m->next = q->head;
			q->head = m;
			if (q->tail == NULL)
				q->tail = m;
			q->bytes += len;
			return false;
		}
	}
	return true;
}

/*
 * Make the first bytes of q contiguous for the head parser: in place when
 * the first segment holds all of q or at least max bytes, else a copy of
 * up to max + 1 bytes in px->scratch (one more than a head may have, so
 * that the parser sees the limit crossed).
 */
static const char *
head_view(struct mdp_proxy *px, const struct mdp_mbufq *q, uint32_t *len)
{
	const struct rte_mbuf *m = q->head;
	uint32_t want = RTE_MIN(q->bytes, px->lim.max_head + 1), n = 0;

	if (m->data_len >= want) {
		*len = m->data_len;
		return rte_pktmbuf_mtod(m, const char *);
	}
	for (; m != NULL && n < want; m = m->next) {
		uint32_t k = RTE_MIN((uint32_t)m->data_len, want - n);

		memcpy(px->scratch + n, rte_pktmbuf_mtod(m, const char *), k);
		n += k;
	}
	*len = n;
	return px->scratch;
}

/* ---- pools ---- */

static struct mdp_proxy_down *
down_alloc(struct mdp_proxy *px)
{
	struct mdp_proxy_down *d;
	uint32_t idx;

	if (px->n_down_free == 0)
		return NULL;
	idx = px->down_free[--px->n_down_free];
	d = &px->downs[idx];
	memset(d, 0, sizeof(*d));
	d->px = px;
	d->idx = idx;
	d->used = true;
	px->st.active_downstream++;
	return d;
}

static struct mdp_proxy_up *
up_alloc(struct mdp_proxy *px)
{
	struct mdp_proxy_up *u;
	uint32_t idx;

	if (px->n_up_free == 0)
		return NULL;
	idx = px->up_free[--px->n_up_free];
	u = &px->ups[idx];
	memset(u, 0, sizeof(*u));
	u->px = px;
	u->idx = idx;
	u->used = true;
	px->st.active_upstream++;
	return u;
}

static struct mdp_proxy_slot *
slot_get(struct mdp_proxy *px, uint32_t addr, uint16_t port)
{
	uint64_t key = (uint64_t)addr << 16 | port;
	void *data;
	struct mdp_proxy_slot *s;
	uint32_t i;

	if (rte_hash_lookup_data(px->slot_table, &key, &data) >= 0)
		return &px->slots[(uintptr_t)data];
	if (px->n_slots_used == px->n_slots)
		return NULL;	/* no pooling for this endpoint: connections close after use */
	i = px->n_slots_used;
	if (rte_hash_add_key_data(px->slot_table, &key, (void *)(uintptr_t)i) < 0)
		return NULL;
	px->n_slots_used++;
	s = &px->slots[i];
	s->addr = addr;
	s->port = port;
	return s;
}

static void
idle_unlink(struct mdp_proxy_up *u)
{
	struct mdp_proxy_slot *s = u->slot;

	if (u->prev != NULL)
		u->prev->next = u->next;
	else
		s->idle = u->next;
	if (u->next != NULL)
		u->next->prev = u->prev;
	u->prev = u->next = NULL;
	s->n_idle--;
	u->px->st.idle_upstream--;
}

/* ---- the snapshot a request runs on ---- */

static void
mesh_hold(struct mdp_proxy_down *d)
{
	struct mdp_proxy *px = d->px;

	d->mesh = px->mesh;
	if (d->mesh != NULL)
		d->mesh->use[px->w->idx].users++;
}

static void
mesh_put(struct mdp_proxy_down *d)
{
	struct mdp_proxy *px = d->px;
	struct mdp_mesh *m = d->mesh;

	if (m == NULL)
		return;
	if (d->cl != NULL && d->cl->lb != NULL)
		mdp_lb_req_end(d->cl->lb, px->w->idx, (unsigned)d->ep_idx);
	d->cl = NULL;
	d->mesh = NULL;
	if (--m->use[px->w->idx].users == 0 && m != px->mesh)
		atomic_store_explicit(&m->use[px->w->idx].released, true, memory_order_release);
}

void
mdp_proxy_adopt(struct mdp_worker *w, struct mdp_mesh *m)
{
	struct mdp_proxy *px = w->proxy;
	struct mdp_mesh *old;

	if (px == NULL)
		return;
	old = px->mesh;
	m->use[w->idx].adopted = true;
	px->mesh = m;
	/* new TLS handshakes use the snapshot's contexts at once */
	for (unsigned l = 0; l < MDP_MAX_LISTENERS; l++) {
		struct mdp_tls_lsn_state *st = mdp_tls_lsn_state(w, l);

		st->ctx = m->lsn_tls[l];
		st->mode = m->lsn_mtls[l];
	}
	px->st.mesh_version = m->version;
	if (old != NULL && old != m && old->use[w->idx].users == 0)
		atomic_store_explicit(&old->use[w->idx].released, true, memory_order_release);
}

const struct mdp_authz *
mdp_proxy_authz(const struct mdp_worker *w)
{
	const struct mdp_proxy *px = w->proxy;

	return px != NULL && px->mesh != NULL ? px->mesh->spec->authz : NULL;
}

/* ---- local replies and the end of a request ---- */

static void
count_status(struct mdp_proxy *px, unsigned status)
{
	unsigned cls = status / 100;

	if (cls >= 1 && cls <= 5)
		px->st.responses[cls]++;
}

/* Queue bytes for the client and send what fits. */
static int
down_send(struct mdp_proxy_down *d, const char *p, size_t len)
{
	struct rte_mbuf *m = mbuf_from(d->px, p, len);

	if (m == NULL) {
		MDP_CNT_INC(d->px->w, d->tc->port, MBUF_ALLOC);
		return -ENOMEM;
	}
	mdp_mbufq_append(&d->outq, m);
	down_flush(d);
	return 0;
}

static void
down_close(struct mdp_proxy_down *d)
{
	d->state = HC_CLOSING;
	mdp_timer_stop(&d->px->w->wheel, &d->timer);
	if (d->outq.head == NULL)
		mdp_tcp_close(d->tc);
	/* else down_flush() closes once the queue is out */
}

static void
local_reply_ct(struct mdp_proxy_down *d, unsigned status, enum mdp_proxy_reason why,
	       const char *body, size_t body_len, const char *ctype, const char *loc,
	       size_t loc_len, bool close)
{
	struct mdp_proxy *px = d->px;
	int n;

	px->st.local[why]++;
	count_status(px, status);
	/* the request's own wish counts too (Connection: close, HTTP/1.0) */
	if (close || !d->req_keep_alive)
		d->flags |= HCF_CLOSE_AFTER;
	n = mdp_proxy_build_local(px->out, px->out_cap, status, body, body_len, ctype, loc, loc_len,
				  (d->flags & HCF_CLOSE_AFTER) != 0, (d->flags & HCF_HEAD_ONLY) != 0);
	if (n < 0 || down_send(d, px->out, (size_t)n) != 0) {
		mdp_tcp_abort(d->tc);
		return;
	}
	if (d->flags & HCF_CLOSE_AFTER)
		down_close(d);
}

static void
local_reply(struct mdp_proxy_down *d, unsigned status, enum mdp_proxy_reason why,
	    const char *body, size_t body_len, const char *loc, size_t loc_len, bool close)
{
	local_reply_ct(d, status, why, body, body_len, NULL, loc, loc_len, close);
}

enum { UP_POOL, UP_CLOSE, UP_ABORT };
static void up_release(struct mdp_proxy_up *u, int how);

/* The request is over (response complete, or failed): back to reading
 * heads, or close. */
static void
req_end(struct mdp_proxy_down *d)
{
	struct mdp_proxy *px = d->px;

	mesh_put(d);
	rte_pktmbuf_free(d->retry_head);
	d->retry_head = NULL;
	mdp_timer_stop(&px->w->wheel, &d->timer);
	if (d->state == HC_CLOSING)
		return;
	if ((d->flags & (HCF_CLOSE_AFTER | HCF_PEER_CLOSED)) || !d->req_keep_alive) {
		down_close(d);
		return;
	}
	d->state = HC_HEAD;
	d->flags = 0;
	mdp_timer_start(&px->w->wheel, &d->timer,
			ms_ticks(px->w, px->cfg->idle_timeout_ms));
	down_process(d);
}

/* The request failed before its response began: answer status (or, once
 * the response has started, cut the client off). */
static void
req_fail(struct mdp_proxy_down *d, unsigned status, enum mdp_proxy_reason why)
{
	struct mdp_proxy_up *u = d->up;

	if (u != NULL) {
		d->up = NULL;
		u->down = NULL;
		up_release(u, UP_ABORT);
	}
	if (d->flags & HCF_RESP_HEAD) {
		d->px->st.local[why]++;
		mesh_put(d);
		mdp_tcp_abort(d->tc);
		return;
	}
	d->flags |= HCF_CLOSE_AFTER;	/* the rest of a request body is unread */
	local_reply(d, status, why, NULL, 0, NULL, 0, true);
	req_end(d);
}

/* ---- timers ---- */

static void
down_timer(struct mdp_timer *t, void *arg)
{
	struct mdp_proxy_down *d = arg;

	(void)t;
	switch (d->state) {
	case HC_HEAD:
		if (d->tc->app_q.bytes > 0) {
			/* a head begun and not finished (slowloris) */
			d->flags |= HCF_CLOSE_AFTER;
			local_reply(d, 408, MDP_PROXY_R_HEAD_TIMEOUT, NULL, 0, NULL, 0, true);
		} else {
			down_close(d);	/* keep-alive idle timeout */
		}
		return;
	case HC_FORWARD:
		req_fail(d, 504, MDP_PROXY_R_TIMEOUT);
		return;
	default:
		return;
	}
}

static void
up_timer(struct mdp_timer *t, void *arg)
{
	struct mdp_proxy_up *u = arg;

	(void)t;
	if (u->state == UC_IDLE) {
		idle_unlink(u);
		u->state = UC_BUSY;	/* out of the pool, closing */
		mdp_tcp_close(u->tc);
	} else if (u->state == UC_CONNECTING) {
		/* the cluster's connect timeout: `closed` answers 502 */
		mdp_tcp_abort(u->tc);
	}
}

/* ---- upstream connections ---- */

/* Done with u for this request: to its pool (UP_POOL, when it can carry
 * another request), closed (UP_CLOSE), or reset (UP_ABORT). */
static void
up_release(struct mdp_proxy_up *u, int how)
{
	bool reusable = how == UP_POOL;

	struct mdp_proxy *px = u->px;
	struct mdp_proxy_slot *s = u->slot;

	u->down = NULL;
	mdp_mbufq_purge(&u->outq);
	if (reusable && s != NULL && s->n_idle < u->max_idle && u->tc->app_q.bytes == 0 &&
	    u->tc->state == MDP_TCP_ESTABLISHED) {
		u->state = UC_IDLE;
		u->next = s->idle;
		u->prev = NULL;
		if (s->idle != NULL)
			s->idle->prev = u;
		s->idle = u;
		s->n_idle++;
		px->st.idle_upstream++;
		if (u->idle_timeout_ms > 0)
			mdp_timer_start(&px->w->wheel, &u->timer,
					ms_ticks(px->w, u->idle_timeout_ms));
		return;
	}
	u->state = UC_BUSY;
	mdp_mbufq_purge(&u->tc->app_q);
	if (how == UP_ABORT)
		mdp_tcp_abort(u->tc);	/* `closed` frees u */
	else
		mdp_tcp_close(u->tc);
}

/* An upstream connection for d's endpoint: an idle one from the pool, else
 * a new one. */
static struct mdp_proxy_up *
up_get(struct mdp_proxy_down *d, bool fresh, int *err)
{
	struct mdp_proxy *px = d->px;
	struct mdp_proxy_slot *s = slot_get(px, d->ep_addr, d->ep_port);
	struct mdp_proxy_up *u;

	if (s != NULL && !fresh) {
		while ((u = s->idle) != NULL) {
			idle_unlink(u);
			mdp_timer_stop(&px->w->wheel, &u->timer);
			if (u->tc->state != MDP_TCP_ESTABLISHED) {
				u->state = UC_BUSY;
				mdp_tcp_abort(u->tc);
				continue;
			}
			if (u->tls_key != d->cl->tls_key) {
				/* made under other TLS settings (mode, SNI, accepted
				 * identities, our certificate, the bundle): not
				 * for this request; it goes */
				u->state = UC_BUSY;
				mdp_tcp_close(u->tc);
				continue;
			}
			u->state = UC_BUSY;
			u->reused = true;
			u->got_bytes = false;
			u->down = d;
			px->st.upstream_reused++;
			return u;
		}
	}
	u = up_alloc(px);
	if (u == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	u->slot = s;
	u->down = d;
	u->state = UC_CONNECTING;
	u->idle_timeout_ms = d->idle_timeout_ms;
	u->max_idle = d->max_idle;
	u->tls_key = d->cl->tls_key;
	mdp_timer_init(&u->timer, up_timer, u);
	if (d->cl->tls_ctx != NULL)
		u->tc = mdp_tls_connect(px->w, d->ep_addr, d->ep_port, d->cl->tls_ctx,
					d->cl->tls_sni[0] != '\0' ? d->cl->tls_sni : NULL,
					(const char *const *)d->cl->tls_ids, d->cl->n_tls_ids,
					s != NULL ? &s->tls_sess : NULL, &up_ops, u, err);
	else
		u->tc = mdp_tcp_connect(px->w, d->ep_addr, d->ep_port, &up_ops, u, err);
	if (u->tc != NULL && d->connect_timeout_ms > 0)
		mdp_timer_start(&px->w->wheel, &u->timer, ms_ticks(px->w, d->connect_timeout_ms));
	if (u->tc == NULL) {
		u->used = false;
		px->up_free[px->n_up_free++] = u->idx;
		px->st.active_upstream--;
		if (*err == -ENOMEM)
			*err = -ECONNREFUSED;	/* no TCP connection free: a connect failure */
		return NULL;
	}
	px->st.upstream_connects++;
	return u;
}

/* ---- requests ---- */

static void
request_id(struct mdp_proxy *px, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t a = mdp_rand_next(&px->rnd), b = mdp_rand_next(&px->rnd);
	unsigned k = 0;

	/* a version 4 UUID (RFC 9562 5.4) */
	for (unsigned i = 0; i < 32; i++) {
		unsigned nib = (unsigned)(i < 16 ? a >> (i * 4) : b >> ((i - 16) * 4)) & 0xf;

		if (i == 12)
			nib = 4;
		else if (i == 16)
			nib = 8 | (nib & 3);
		if (i == 8 || i == 12 || i == 16 || i == 20)
			buf[k++] = '-';
		buf[k++] = hex[nib];
	}
}

/* Queue the built request head (n bytes) on a fresh or pooled upstream
 * connection. The caller pumps (req_pump()): from req_start() only once the
 * client's head has left the receive queue, or its bytes would be taken for
 * body. */
static int
req_send_head(struct mdp_proxy_down *d, const char *head, size_t n, bool fresh)
{
	struct mdp_proxy *px = d->px;
	struct mdp_proxy_up *u;
	struct rte_mbuf *m;
	int err = 0;

	u = up_get(d, fresh, &err);
	if (u == NULL)
		return err;
	m = mbuf_from(px, head, n);
	if (m == NULL) {
		u->down = NULL;
		up_release(u, u->state == UC_BUSY ? UP_POOL : UP_ABORT);
		return -ENOMEM;
	}
	d->up = u;
	/* A request without a body that goes on a reused connection may
	 * find it closed by the server meanwhile: keep a copy to repeat it
	 * once on a new one. */
	rte_pktmbuf_free(d->retry_head);
	d->retry_head = NULL;
	if (u->reused && d->req_body.kind == MDP_HTTP_BODY_NONE)
		d->retry_head = rte_pktmbuf_copy(m, px->w->pool, 0, UINT32_MAX);
	mdp_mbufq_append(&u->outq, m);
	return 0;
}

/* Move request body bytes from the client's queue to the upstream
 * connection, as far as its send buffer allows. */
static void
req_pump(struct mdp_proxy_down *d)
{
	struct mdp_proxy *px = d->px;
	struct mdp_proxy_up *u = d->up;
	struct mdp_mbufq *q = &d->tc->app_q;

	if (u == NULL || u->state != UC_BUSY || !q_flush(&u->outq, u->tc))
		return;
	while (!(d->flags & HCF_REQ_DONE)) {
		struct rte_mbuf *m, *out;
		uint32_t space = mdp_tcp_send_space(u->tc), len;
		unsigned n_spans;
		size_t used = 0;
		int rc;

		if (d->req_body.kind == MDP_HTTP_BODY_NONE) {
			d->flags |= HCF_REQ_DONE;
			break;
		}
		if (q->head == NULL)
			return;
		if (space == 0) {
			mdp_tcp_want_writable(u->tc);
			return;
		}
		m = q->head;
		len = RTE_MIN((uint32_t)m->data_len, space);
		rc = mdp_http_body_feed(&d->req_body, rte_pktmbuf_mtod(m, const char *), len, NULL,
					0, &n_spans, &used);
		if (rc < 0) {
			px->st.http_err[-rc]++;
			req_fail(d, mdp_http_err_status((enum mdp_http_err)-rc),
				 MDP_PROXY_R_BAD_REQUEST);
			return;
		}
		if (used > 0) {
			if (used == m->data_len) {
				out = q_pop(q);
			} else {
				out = mbuf_slice(px, m, 0, (uint32_t)used);
				if (out == NULL) {
					req_fail(d, 503, MDP_PROXY_R_OVERLOAD);
					return;
				}
				mdp_mbufq_trim_front(q, (uint32_t)used);
			}
			if (mdp_tcp_send(u->tc, out) != 0) {
				rte_pktmbuf_free(out);
				req_fail(d, 502, MDP_PROXY_R_UPSTREAM_RESET);
				return;
			}
			mdp_tcp_recved(d->tc, (uint32_t)used);
		}
		if (rc == 1)
			d->flags |= HCF_REQ_DONE;
		else if (used == 0)
			return;
	}
}

/*
 * A complete request head: route it and start forwarding, or answer it.
 * Returns the bytes of the head to consume (the head is parsed in buf and
 * msg points into it: everything that needs msg happens here).
 */
static void
req_start(struct mdp_proxy_down *d, const struct mdp_http_msg *msg)
{
	struct mdp_proxy *px = d->px;
	struct mdp_proxy_decision dec;
	struct mdp_proxy_req_out ro;
	char rid[36];
	size_t plen = 0;
	int n, rc;

	px->st.requests++;
	d->method = msg->method;
	d->version = msg->version;
	d->req_keep_alive = msg->keep_alive;
	d->flags &= (uint8_t)~(HCF_REQ_DONE | HCF_RESP_HEAD | HCF_HEAD_ONLY);
	if (msg->method == MDP_HTTP_M_HEAD)
		d->flags |= HCF_HEAD_ONLY;
	mdp_http_body_init(&d->req_body, msg, &px->lim);
	if (msg->method == MDP_HTTP_M_CONNECT) {
		local_reply(d, 405, MDP_PROXY_R_CONNECT_METHOD, "CONNECT is not supported\n", 25,
			    NULL, 0, true);
		return;
	}
	rc = msg->path.p != NULL ?
		mdp_http_path_normalize(msg->path.p, msg->path.len, px->path, px->lim.max_head,
					&plen) :
		-MDP_HTTP_E_PATH_INVALID;	/* OPTIONS * */
	if (rc < 0) {
		px->st.http_err[-rc]++;
		local_reply(d, mdp_http_err_status((enum mdp_http_err)-rc), MDP_PROXY_R_BAD_REQUEST,
			    NULL, 0, NULL, 0, true);
		return;
	}
	mesh_hold(d);
	if (mdp_authz_count(d->mesh->spec->authz) > 0 && !authz_allows(d, msg, px->path, plen)) {
		/* Envoy's RBAC filter answers the same */
		local_reply(d, 403, MDP_PROXY_R_RBAC_DENIED, "RBAC: access denied\n", 20, NULL, 0,
			    msg->body != MDP_HTTP_BODY_NONE);
		mesh_put(d);
		return;
	}
	mdp_proxy_route(px, d->mesh, d->lc, msg, px->path, plen, d->client_addr, &dec);
	if (dec.kind == PD_LOCAL) {
		/* a body we will not read ends the connection */
		local_reply_ct(d, dec.status, dec.reason, dec.body, dec.body_len, dec.ctype,
			       dec.location, dec.location_len, msg->body != MDP_HTTP_BODY_NONE);
		mesh_put(d);
		return;
	}
	d->ep_addr = dec.ep_addr;
	d->ep_port = dec.ep_port;
	d->cl = dec.cl;
	d->ep_idx = dec.ep_idx;
	mdp_lb_req_start(dec.cl->lb, px->w->idx, (unsigned)dec.ep_idx);
	d->resp_ops = dec.resp_ops;
	d->n_resp_ops = dec.n_resp_ops;
	d->connect_timeout_ms = dec.cl->connect_timeout_ms;
	d->idle_timeout_ms = dec.cl->idle_timeout_ms;
	d->max_idle = dec.cl->max_idle;
	memset(&ro, 0, sizeof(ro));
	ro.path = dec.path;
	ro.path_len = dec.path_len;
	ro.authority = dec.authority;
	ro.authority_len = dec.authority_len;
	ro.ops = dec.req_ops;
	ro.n_ops = dec.n_req_ops;
	ro.client_addr = d->client_addr;
	ro.via = px->cfg->via;
	if (mdp_tls_active(d->tc)) {
		ro.https = true;
		ro.xfcc = xfcc(d, &ro.xfcc_len);
	}
	if (px->cfg->request_id) {
		request_id(px, rid);
		ro.request_id = rid;
		ro.request_id_len = sizeof(rid);
	}
	n = mdp_proxy_build_request(px->out, px->out_cap, msg, &ro);
	if (n < 0) {
		local_reply(d, 431, MDP_PROXY_R_BAD_REQUEST, NULL, 0, NULL, 0, true);
		mesh_put(d);
		return;
	}
	d->state = HC_FORWARD;
	mdp_timer_stop(&px->w->wheel, &d->timer);
	if (dec.timeout_ms > 0)
		mdp_timer_start(&px->w->wheel, &d->timer, ms_ticks(px->w, dec.timeout_ms));
	rc = req_send_head(d, px->out, (size_t)n, false);
	if (rc == -ENOMEM)
		req_fail(d, 503, MDP_PROXY_R_OVERLOAD);
	else if (rc != 0)
		req_fail(d, 502, MDP_PROXY_R_CONNECT_FAIL);
}

/* X-Forwarded-Client-Cert for a request that came over mTLS, as Envoy
 * writes it (By: our identity, URI: the caller's); NULL without a caller
 * identity. */
static const char *
xfcc(struct mdp_proxy_down *d, size_t *len)
{
	struct mdp_proxy *px = d->px;
	size_t plen;
	const char *peer = mdp_tls_conn_peer_id(d->tc, &plen);
	const char *by = d->mesh->lsn_id[d->lc - px->w->dp->cfg->listeners];
	int n;

	if (peer == NULL)
		return NULL;
	n = snprintf(px->xfcc, sizeof(px->xfcc), "%s%s%sURI=%.*s", by != NULL ? "By=" : "",
		     by != NULL ? by : "", by != NULL ? ";" : "", (int)plen, peer);
	if (n < 0 || (size_t)n >= sizeof(px->xfcc))
		return NULL;
	*len = (size_t)n;
	return px->xfcc;
}

/* ---- authorization (lib/authz) ---- */

struct authz_hdr_arg {
	struct mdp_proxy *px;
	const struct mdp_http_msg *msg;
};

/* request.headers[NAME] for a policy's when[]: the values of every field
 * line with that name, joined with "," (as routing sees them). */
static int
authz_header(void *arg, const char *name, size_t nlen, const char **val, size_t *vlen)
{
	const struct authz_hdr_arg *a = arg;
	const struct mdp_http_msg *msg = a->msg;
	char *buf = a->px->ahdr;
	size_t n = 0, cap = a->px->lim.max_head;
	int found = 0;

	for (unsigned i = 0; i < msg->n_headers; i++) {
		const struct mdp_http_header *h = &msg->headers[i];

		if (h->name_len != nlen || strncasecmp(h->name, name, nlen) != 0)
			continue;
		if (found == 0) {
			*val = h->value;
			*vlen = h->value_len;
			found = 1;
			continue;
		}
		if (found == 1) {
			if (*vlen > cap)
				break;
			memmove(buf, *val, *vlen);
			n = *vlen;
			found = 2;
		}
		if (n + 1 + h->value_len > cap)
			break;
		buf[n++] = ',';
		memcpy(buf + n, h->value, h->value_len);
		n += h->value_len;
	}
	if (found == 2) {
		*val = buf;
		*vlen = n;
	}
	return found != 0;
}

/* Does the snapshot's policy let this request through? path: normalized. */
static bool
authz_allows(struct mdp_proxy_down *d, const struct mdp_http_msg *msg, const char *path,
	     size_t plen)
{
	struct mdp_proxy *px = d->px;
	const struct mdp_authz *az = d->mesh->spec->authz;
	struct authz_hdr_arg ha = { px, msg };
	struct mdp_authz_req r = {
		.src_ip = d->client_addr,
		.dst_port = d->lc->port,
		.http = true,
		.method = msg->method_str.p,
		.method_len = msg->method_str.len,
		.host = msg->authority.p,
		.host_len = msg->authority.p != NULL ? msg->authority.len : 0,
		.path = path,
		.path_len = plen,
		.header = authz_header,
		.header_arg = &ha,
	};
	int pi;

	r.principal = mdp_tls_conn_peer_id(d->tc, &r.principal_len);
	r.sni = mdp_tls_conn_sni(d->tc, &r.sni_len);
	if (mdp_authz_has_audit(az) && mdp_authz_audit(az, &r) >= 0)
		px->st.authz_audited++;
	if (mdp_authz_check(az, &r, &pi) == MDP_AUTHZ_ALLOW) {
		px->st.authz_allowed++;
		return true;
	}
	px->st.authz_denied++;
	return false;
}

/* Parse and start requests while the connection waits for one. */
static void
down_process(struct mdp_proxy_down *d)
{
	struct mdp_proxy *px = d->px;
	struct mdp_mbufq *q = &d->tc->app_q;

	while (d->state == HC_HEAD && q->head != NULL) {
		struct mdp_http_msg msg = { .headers = px->hdrs, .headers_cap = px->lim.max_headers };
		uint32_t len;
		const char *buf = head_view(px, q, &len);
		int rc = mdp_http_parse_request(buf, len, &px->lim, &msg);

		if (rc == MDP_HTTP_INCOMPLETE) {
			if (d->flags & HCF_PEER_CLOSED)
				down_close(d);	/* a partial head and the client is done */
			return;
		}
		if (rc < 0) {
			px->st.http_err[msg.err]++;
			local_reply(d, msg.err_status, MDP_PROXY_R_BAD_REQUEST, NULL, 0, NULL, 0, true);
			return;
		}
		req_start(d, &msg);
		/* msg is gone from here on: drop the head from the queue */
		mdp_mbufq_trim_front(q, (uint32_t)rc);
		mdp_tcp_recved(d->tc, (uint32_t)rc);
		if (d->state == HC_FORWARD)
			req_pump(d);
	}
}

/* ---- responses ---- */

/* The response is complete: the upstream connection goes back to its
 * pool if it can carry another request. */
static void
resp_end(struct mdp_proxy_down *d, bool up_reusable)
{
	struct mdp_proxy_up *u = d->up;

	if (u != NULL) {
		d->up = NULL;
		u->down = NULL;
		/* A complete exchange on a connection the server will not keep:
		 * close it in order; a request cut short: reset it. */
		up_release(u, !(d->flags & HCF_REQ_DONE) ? UP_ABORT : up_reusable ? UP_POOL : UP_CLOSE);
	}
	if (!(d->flags & HCF_REQ_DONE))
		d->flags |= HCF_CLOSE_AFTER;	/* the rest of its body is unread */
	req_end(d);
}

/* Move response body bytes from the upstream connection to the client. */
static void
resp_pump(struct mdp_proxy_down *d)
{
	struct mdp_proxy *px = d->px;
	struct mdp_proxy_up *u = d->up;
	struct mdp_mbufq *q;

	if (u == NULL || d->outq.head != NULL)
		return;
	q = &u->tc->app_q;
	while (q->head != NULL) {
		struct rte_mbuf *m = q->head;
		uint32_t space = mdp_tcp_send_space(d->tc), len;
		struct mdp_http_span spans[8];
		unsigned n_spans = 0;
		size_t used = 0;
		int rc;

		if (space == 0) {
			mdp_tcp_want_writable(d->tc);
			return;
		}
		len = RTE_MIN((uint32_t)m->data_len, space);
		if (d->resp_framing == MDP_PROXY_RF_DECHUNK) {
			rc = mdp_http_body_feed(&d->resp_body, rte_pktmbuf_mtod(m, const char *), len,
						spans, RTE_DIM(spans), &n_spans, &used);
		} else {
			rc = mdp_http_body_feed(&d->resp_body, rte_pktmbuf_mtod(m, const char *), len,
						NULL, 0, &n_spans, &used);
		}
		if (rc < 0) {
			px->st.http_err[-rc]++;
			req_fail(d, 502, MDP_PROXY_R_BAD_RESPONSE);
			return;
		}
		if (d->resp_framing == MDP_PROXY_RF_DECHUNK) {
			for (unsigned i = 0; i < n_spans; i++) {
				struct rte_mbuf *s = mbuf_slice(px, m, (uint32_t)spans[i].off,
								(uint32_t)spans[i].len);

				if (s == NULL || mdp_tcp_send(d->tc, s) != 0) {
					rte_pktmbuf_free(s);
					req_fail(d, 503, MDP_PROXY_R_OVERLOAD);
					return;
				}
			}
			mdp_mbufq_trim_front(q, (uint32_t)used);
		} else if (used > 0) {
			struct rte_mbuf *out;

			if (used == m->data_len) {
				out = q_pop(q);
			} else {
				out = mbuf_slice(px, m, 0, (uint32_t)used);
				if (out == NULL) {
					req_fail(d, 503, MDP_PROXY_R_OVERLOAD);
					return;
				}
				mdp_mbufq_trim_front(q, (uint32_t)used);
			}
			if (mdp_tcp_send(d->tc, out) != 0) {
				rte_pktmbuf_free(out);
				req_fail(d, 502, MDP_PROXY_R_DOWNSTREAM_RESET);
				return;
			}
		}
		if (used > 0)
			mdp_tcp_recved(u->tc, (uint32_t)used);
		if (rc == 1) {
			/* bytes after the response: the server broke the
			 * protocol; never reuse that connection */
			resp_end(d, d->resp_keep_alive && q->head == NULL);
			return;
		}
		if (used == 0)
			return;
	}
}

/* Start a tunnel after a 101: whatever each side sends goes to the other. */
static void tunnel_pump(struct mdp_tcp_conn *from, struct mdp_tcp_conn *to);

/* Parse response heads from the upstream connection and forward them. */
static void
resp_process(struct mdp_proxy_down *d)
{
	struct mdp_proxy *px = d->px;

	while (d->up != NULL && !(d->flags & HCF_RESP_HEAD)) {
		struct mdp_proxy_up *u = d->up;
		struct mdp_mbufq *q = &u->tc->app_q;
		struct mdp_http_msg msg = { .headers = px->hdrs, .headers_cap = px->lim.max_headers };
		struct mdp_proxy_resp_out ro;
		uint32_t len;
		const char *buf;
		int rc, n;

		if (q->head == NULL)
			return;
		if (d->outq.head != NULL)
			return;		/* the client is slow: wait for `writable` */
		buf = head_view(px, q, &len);
		rc = mdp_http_parse_response(buf, len, &px->lim, d->method, &msg);
		if (rc == MDP_HTTP_INCOMPLETE)
			return;
		if (rc < 0) {
			px->st.http_err[msg.err]++;
			req_fail(d, 502, MDP_PROXY_R_BAD_RESPONSE);
			return;
		}
		memset(&ro, 0, sizeof(ro));
		ro.ops = d->resp_ops;
		ro.n_ops = d->n_resp_ops;
		ro.via = px->cfg->via;
		d->resp_framing = MDP_PROXY_RF_AS_IS;
		if (msg.status >= 200 || msg.status == 101) {
			if (msg.body == MDP_HTTP_BODY_UNTIL_CLOSE) {
				d->resp_framing = MDP_PROXY_RF_CLOSE;
				d->flags |= HCF_CLOSE_AFTER;
			} else if (msg.body == MDP_HTTP_BODY_CHUNKED && d->version == 0) {
				d->resp_framing = MDP_PROXY_RF_DECHUNK;
				d->flags |= HCF_CLOSE_AFTER;
			}
			if (!d->req_keep_alive)
				d->flags |= HCF_CLOSE_AFTER;
			ro.framing = d->resp_framing;
			ro.close = (d->flags & (HCF_CLOSE_AFTER | HCF_PEER_CLOSED)) != 0 ||
				   !(d->flags & HCF_REQ_DONE);
			ro.keep_alive_10 = d->version == 0 && !ro.close;
		} else if (d->version == 0) {
			/* no 1xx to an HTTP/1.0 client (RFC 9110 15.2) */
			mdp_mbufq_trim_front(q, (uint32_t)rc);
			mdp_tcp_recved(u->tc, (uint32_t)rc);
			continue;
		}
		n = mdp_proxy_build_response(px->out, px->out_cap, &msg, &ro);
		if (n < 0) {
			req_fail(d, 502, MDP_PROXY_R_BAD_RESPONSE);
			return;
		}
		u->got_bytes = true;
		rte_pktmbuf_free(d->retry_head);
		d->retry_head = NULL;
		mdp_mbufq_trim_front(q, (uint32_t)rc);
		mdp_tcp_recved(u->tc, (uint32_t)rc);
		if (msg.status < 200 && msg.status != 101) {
			count_status(px, msg.status);
			if (down_send(d, px->out, (size_t)n) != 0)
				return;
			continue;	/* then the final response */
		}
		count_status(px, msg.status);
		d->flags |= HCF_RESP_HEAD;
		d->resp_keep_alive = msg.keep_alive && msg.body != MDP_HTTP_BODY_UNTIL_CLOSE;
		mdp_http_body_init(&d->resp_body, &msg, &px->lim);
		if (msg.tunnel && msg.status == 101 && d->up != NULL) {
			d->state = HC_TUNNEL;
			px->st.tunnels++;
			mdp_timer_stop(&px->w->wheel, &d->timer);
			mesh_put(d);
			rte_pktmbuf_free(d->retry_head);
			d->retry_head = NULL;
			if (down_send(d, px->out, (size_t)n) != 0)
				return;
			tunnel_pump(d->tc, d->up->tc);
			tunnel_pump(d->up->tc, d->tc);
			return;
		}
		if (down_send(d, px->out, (size_t)n) != 0)
			return;
		if (msg.body == MDP_HTTP_BODY_NONE) {
			resp_end(d, d->resp_keep_alive && q->head == NULL);
			return;
		}
		resp_pump(d);
		return;
	}
	if (d->up != NULL && (d->flags & HCF_RESP_HEAD))
		resp_pump(d);
}

/* ---- tunnels (after 101) ---- */

static struct mdp_tcp_conn *
tunnel_peer(struct mdp_tcp_conn *c)
{
	struct mdp_proxy_down *d;
	struct mdp_proxy_up *u;

	if (c->ops == &down_ops) {
		d = mdp_tcp_ctx(c);
		return d->up != NULL ? d->up->tc : NULL;
	}
	u = mdp_tcp_ctx(c);
	return u->down != NULL ? u->down->tc : NULL;
}

/* Has the peer of `c` (one end of a tunnel) sent its FIN? */
static bool
tunnel_fin(struct mdp_tcp_conn *c)
{
	if (c->ops == &down_ops)
		return (((struct mdp_proxy_down *)mdp_tcp_ctx(c))->flags & HCF_PEER_CLOSED) != 0;
	return ((struct mdp_proxy_up *)mdp_tcp_ctx(c))->fin;
}

/* Bytes one end of a tunnel received go to the other as its send buffer
 * takes them; once they are all there, a FIN that came with them follows
 * (half-close travels, as in tcp_proxy). */
static void
tunnel_pump(struct mdp_tcp_conn *from, struct mdp_tcp_conn *to)
{
	struct mdp_mbufq *q = &from->app_q;

	if (to == NULL) {
		mdp_tcp_recved(from, q->bytes);
		mdp_mbufq_purge(q);
		return;
	}
	while (q->head != NULL) {
		uint32_t len = q->head->data_len;
		struct rte_mbuf *m;

		if (len > mdp_tcp_send_space(to)) {
			mdp_tcp_want_writable(to);
			return;
		}
		m = q_pop(q);
		if (mdp_tcp_send(to, m) != 0) {
			rte_pktmbuf_free(m);	/* `to` is closing: nothing more goes there */
			mdp_tcp_recved(from, len + q->bytes);
			mdp_mbufq_purge(q);
			return;
		}
		mdp_tcp_recved(from, len);
	}
	if (tunnel_fin(from))
		mdp_tcp_close(to);
}

/* One end of a tunnel is gone. In order (err 0): what it had received and
 * not yet passed on still goes to the other end, which then closes; else
 * the other end is reset. */
static void
tunnel_end(struct mdp_proxy_down *d, struct mdp_proxy_up *u, struct mdp_tcp_conn *gone, int err)
{
	struct mdp_mbufq *rest = &gone->app_q;

	if (gone == d->tc) {
		/* the client's end: its leftovers go upstream */
		u->down = NULL;
		d->up = NULL;
		if (err != 0) {
			up_release(u, UP_ABORT);
			return;
		}
		u->state = UC_BUSY;
		u->close_after_flush = true;
		while (rest->head != NULL)
			mdp_mbufq_append(&u->outq, q_pop(rest));
		if (q_flush(&u->outq, u->tc))
			mdp_tcp_close(u->tc);
		return;
	}
	/* the upstream end: its leftovers go to the client */
	d->up = NULL;
	u->down = NULL;
	if (err != 0) {
		mdp_tcp_abort(d->tc);
		return;
	}
	while (rest->head != NULL)
		mdp_mbufq_append(&d->outq, q_pop(rest));
	d->state = HC_CLOSING;
	down_flush(d);
}

/* ---- downstream callbacks ---- */

static void
down_flush(struct mdp_proxy_down *d)
{
	if (!q_flush(&d->outq, d->tc))
		return;
	if (d->state == HC_CLOSING)
		mdp_tcp_close(d->tc);
}

static void
down_data(struct mdp_tcp_conn *c, struct rte_mbuf *m)
{
	struct mdp_proxy_down *d = mdp_tcp_ctx(c);

	mdp_mbufq_append(&c->app_q, m);
	switch (d->state) {
	case HC_HEAD:
		down_process(d);
		break;
	case HC_FORWARD:
		req_pump(d);
		break;
	case HC_TUNNEL:
		tunnel_pump(c, tunnel_peer(c));
		break;
	default:
		/* closing: what the client still sends is read and dropped */
		mdp_tcp_recved(c, c->app_q.bytes);
		mdp_mbufq_purge(&c->app_q);
		break;
	}
}

static void
down_writable(struct mdp_tcp_conn *c)
{
	struct mdp_proxy_down *d = mdp_tcp_ctx(c);

	down_flush(d);
	if (d->outq.head != NULL)
		return;
	switch (d->state) {
	case HC_FORWARD:
		resp_process(d);
		break;
	case HC_TUNNEL:
		if (d->up != NULL)
			tunnel_pump(d->up->tc, c);
		break;
	default:
		break;
	}
}

static void
down_peer_closed(struct mdp_tcp_conn *c)
{
	struct mdp_proxy_down *d = mdp_tcp_ctx(c);

	d->flags |= HCF_PEER_CLOSED;
	switch (d->state) {
	case HC_HEAD:
		/* pipelined requests still queued are answered first */
		if (c->app_q.head == NULL)
			down_close(d);
		else
			down_process(d);
		break;
	case HC_FORWARD:
		/* a body cut short cannot be completed */
		if (!(d->flags & HCF_REQ_DONE) && mdp_http_body_eof(&d->req_body) != 0)
			req_fail(d, 400, MDP_PROXY_R_DOWNSTREAM_RESET);
		break;
	case HC_TUNNEL:
		tunnel_pump(c, d->up != NULL ? d->up->tc : NULL);
		break;
	default:
		break;
	}
}

static void
down_closed(struct mdp_tcp_conn *c, int err)
{
	struct mdp_proxy_down *d = mdp_tcp_ctx(c);
	struct mdp_proxy *px = d->px;
	struct mdp_proxy_up *u = d->up;

	if (d->state == HC_FORWARD)
		px->st.local[MDP_PROXY_R_DOWNSTREAM_RESET]++;
	if (u != NULL && d->state == HC_TUNNEL) {
		tunnel_end(d, u, c, err);
	} else if (u != NULL) {
		d->up = NULL;
		u->down = NULL;
		up_release(u, UP_ABORT);
	}
	d->up = NULL;
	mesh_put(d);
	rte_pktmbuf_free(d->retry_head);
	mdp_mbufq_purge(&d->outq);
	mdp_mbufq_purge(&c->app_q);
	mdp_timer_stop(&px->w->wheel, &d->timer);
	mdp_tcp_set_ctx(c, NULL, NULL);
	d->state = HC_DEAD;
	d->used = false;
	px->down_free[px->n_down_free++] = d->idx;
	px->st.active_downstream--;
}

static const struct mdp_tcp_app_ops down_ops = {
	.data = down_data,
	.writable = down_writable,
	.peer_closed = down_peer_closed,
	.closed = down_closed,
};

static void
http_accepted(struct mdp_tcp_conn *c, void *lctx)
{
	struct mdp_proxy *px = c->w->proxy;
	struct mdp_proxy_down *d = px != NULL ? down_alloc(px) : NULL;

	if (d == NULL) {
		if (px != NULL)
			px->st.local[MDP_PROXY_R_OVERLOAD]++;
		mdp_tcp_abort(c);
		return;
	}
	d->tc = c;
	d->lc = lctx;
	d->client_addr = c->t.raddr;
	d->state = HC_HEAD;
	mdp_timer_init(&d->timer, down_timer, d);
	mdp_timer_start(&px->w->wheel, &d->timer, ms_ticks(px->w, px->cfg->head_timeout_ms));
	px->st.downstream_conns++;
	mdp_tcp_set_ctx(c, &down_ops, d);
}

const struct mdp_tcp_app_ops mdp_proxy_http_listener = { .accepted = http_accepted };

/* ---- upstream callbacks ---- */

static void
up_connected(struct mdp_tcp_conn *c)
{
	struct mdp_proxy_up *u = mdp_tcp_ctx(c);

	mdp_timer_stop(&u->px->w->wheel, &u->timer);
	u->state = UC_BUSY;
	if (u->down != NULL)
		req_pump(u->down);
	else
		up_release(u, UP_POOL);
}

static void
up_data(struct mdp_tcp_conn *c, struct rte_mbuf *m)
{
	struct mdp_proxy_up *u = mdp_tcp_ctx(c);
	struct mdp_proxy_down *d = u->down;

	mdp_mbufq_append(&c->app_q, m);
	if (d == NULL) {
		/* bytes on an idle connection: the server broke the protocol */
		if (u->state == UC_IDLE) {
			idle_unlink(u);
			mdp_timer_stop(&u->px->w->wheel, &u->timer);
			u->state = UC_BUSY;
		}
		mdp_mbufq_purge(&c->app_q);
		mdp_tcp_abort(c);
		return;
	}
	u->got_bytes = true;
	if (d->state == HC_TUNNEL)
		tunnel_pump(c, d->tc);
	else
		resp_process(d);
}

static void
up_writable(struct mdp_tcp_conn *c)
{
	struct mdp_proxy_up *u = mdp_tcp_ctx(c);
	struct mdp_proxy_down *d = u->down;

	if (d == NULL) {
		/* a tunnel whose client end is gone: its last bytes, then FIN */
		if (u->close_after_flush && q_flush(&u->outq, c))
			mdp_tcp_close(c);
		return;
	}
	if (d->state == HC_TUNNEL)
		tunnel_pump(d->tc, c);
	else
		req_pump(d);
}

/* The upstream connection ended (or will: FIN) while d depended on it. */
static void
up_lost(struct mdp_proxy_up *u, bool fin)
{
	struct mdp_proxy_down *d = u->down;

	if (d == NULL)
		return;
	if (d->state == HC_TUNNEL) {
		tunnel_pump(u->tc, d->tc);	/* a FIN: it follows the data */
		return;
	}
	if ((d->flags & HCF_RESP_HEAD) && fin) {
		/* a body delimited by close ends here */
		if (mdp_http_body_eof(&d->resp_body) == 0 && u->tc->app_q.head == NULL) {
			d->flags |= HCF_CLOSE_AFTER;
			resp_end(d, false);
			return;
		}
		if (u->tc->app_q.head != NULL)
			return;	/* what is queued goes first; then this again */
	}
	if (!(d->flags & HCF_RESP_HEAD) && !u->got_bytes && u->reused && d->retry_head != NULL) {
		/* a pooled connection the server had closed: once more, on
		 * a new connection */
		struct rte_mbuf *h = d->retry_head;
		char *p;

		d->retry_head = NULL;
		d->up = NULL;
		u->down = NULL;
		up_release(u, UP_ABORT);
		d->px->st.local[MDP_PROXY_R_RETRIED]++;
		p = rte_pktmbuf_mtod(h, char *);
		if (h->nb_segs == 1 && req_send_head(d, p, h->data_len, true) == 0) {
			rte_pktmbuf_free(h);
			req_pump(d);
			return;
		}
		rte_pktmbuf_free(h);
		req_fail(d, 502, MDP_PROXY_R_UPSTREAM_RESET);
		return;
	}
	req_fail(d, 502, u->state == UC_CONNECTING ? MDP_PROXY_R_CONNECT_FAIL
						    : MDP_PROXY_R_UPSTREAM_RESET);
}

static void
up_peer_closed(struct mdp_tcp_conn *c)
{
	struct mdp_proxy_up *u = mdp_tcp_ctx(c);

	u->fin = true;
	if (u->state == UC_IDLE) {
		idle_unlink(u);
		mdp_timer_stop(&u->px->w->wheel, &u->timer);
		u->state = UC_BUSY;
		mdp_tcp_close(c);
		return;
	}
	if (u->down == NULL) {
		mdp_tcp_close(c);
		return;
	}
	up_lost(u, true);
}

static void
up_closed(struct mdp_tcp_conn *c, int err)
{
	struct mdp_proxy_up *u = mdp_tcp_ctx(c);
	struct mdp_proxy *px;

	if (u == NULL)
		return;
	px = u->px;
	if (u->state == UC_IDLE) {
		idle_unlink(u);
		u->state = UC_BUSY;
	}
	mdp_timer_stop(&px->w->wheel, &u->timer);
	if (u->down != NULL && u->down->state == HC_TUNNEL) {
		tunnel_end(u->down, u, c, err);
	} else if (u->down != NULL) {
		struct mdp_proxy_down *d = u->down;

		up_lost(u, false);
		if (d->up == u)
			d->up = NULL;
	}
	u->down = NULL;
	mdp_mbufq_purge(&u->outq);
	mdp_mbufq_purge(&c->app_q);
	mdp_tcp_set_ctx(c, NULL, NULL);
	u->used = false;
	px->up_free[px->n_up_free++] = u->idx;
	px->st.active_upstream--;
}

static const struct mdp_tcp_app_ops up_ops = {
	.connected = up_connected,
	.data = up_data,
	.writable = up_writable,
	.peer_closed = up_peer_closed,
	.closed = up_closed,
};

/* ---- set-up ---- */

int
mdp_proxy_init(struct mdp_worker *w)
{
	const struct mdp_config *cfg = w->dp->cfg;
	int socket = (int)rte_lcore_to_socket_id(w->lcore);
	struct rte_hash_parameters hp = { 0 };
	struct mdp_proxy *px;
	char name[RTE_HASH_NAMESIZE];
	uint32_t n = cfg->tcp.max_conns;

	px = rte_zmalloc_socket("mdp_proxy", sizeof(*px), RTE_CACHE_LINE_SIZE, socket);
	if (px == NULL)
		return -ENOMEM;
	w->proxy = px;
	px->w = w;
	px->cfg = &cfg->http;
	px->lim.max_request_line = cfg->http.max_request_line;
	px->lim.max_head = cfg->http.max_head;
	px->lim.max_headers = (uint16_t)cfg->http.max_headers;
	px->lim.max_chunk_line = 4096;
	px->n_conns = n;
	px->downs = rte_zmalloc_socket("mdp_proxy_down", sizeof(*px->downs) * n,
				       RTE_CACHE_LINE_SIZE, socket);
	px->ups = rte_zmalloc_socket("mdp_proxy_up", sizeof(*px->ups) * n, RTE_CACHE_LINE_SIZE,
				     socket);
	px->down_free = rte_malloc_socket("mdp_proxy_df", sizeof(uint32_t) * n, 0, socket);
	px->up_free = rte_malloc_socket("mdp_proxy_uf", sizeof(uint32_t) * n, 0, socket);
	px->n_slots = cfg->http.upstream_endpoints;
	px->slots = rte_zmalloc_socket("mdp_proxy_slots", sizeof(*px->slots) * px->n_slots, 0,
				       socket);
	px->out_cap = cfg->http.max_head + 4096;
	px->scratch = rte_malloc_socket("mdp_proxy_scratch", cfg->http.max_head + 1, 0, socket);
	px->ahdr = rte_malloc_socket("mdp_proxy_ahdr", cfg->http.max_head + 1, 0, socket);
	px->out = rte_malloc_socket("mdp_proxy_out", px->out_cap, 0, socket);
	px->path = rte_malloc_socket("mdp_proxy_path", cfg->http.max_head + 2, 0, socket);
	px->path2 = rte_malloc_socket("mdp_proxy_path2", cfg->http.max_head + 2, 0, socket);
	px->loc_cap = cfg->http.max_head;
	px->loc = rte_malloc_socket("mdp_proxy_loc", px->loc_cap, 0, socket);
	px->hdrs = rte_malloc_socket("mdp_proxy_hdrs", sizeof(*px->hdrs) * cfg->http.max_headers, 0,
				     socket);
	px->rhdrs = rte_malloc_socket("mdp_proxy_rhdrs", sizeof(*px->rhdrs) * cfg->http.max_headers,
				      0, socket);
	if (px->downs == NULL || px->ups == NULL || px->down_free == NULL || px->up_free == NULL ||
	    px->slots == NULL || px->scratch == NULL || px->out == NULL || px->path == NULL ||
	    px->path2 == NULL || px->loc == NULL || px->hdrs == NULL || px->rhdrs == NULL ||
	    px->ahdr == NULL)
		goto fail;
	for (uint32_t i = 0; i < n; i++) {
		px->down_free[i] = n - 1 - i;
		px->up_free[i] = n - 1 - i;
	}
	px->n_down_free = n;
	px->n_up_free = n;
	snprintf(name, sizeof(name), "mdp_px_%u", w->idx);
	hp.name = name;
	hp.entries = px->n_slots < 8 ? 8 : px->n_slots;
	hp.key_len = sizeof(uint64_t);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = socket;
	px->slot_table = rte_hash_create(&hp);
	if (px->slot_table == NULL)
		goto fail;
	mdp_rand_seed(&px->rnd, w->dp->tcp_key[0] ^ ((uint64_t)w->idx << 32) ^ rte_rdtsc());
	return 0;
fail:
	MDP_ERR("worker %u: no memory for the HTTP proxy (%u connections)", w->idx, n);
	mdp_proxy_fini(w);
	return -ENOMEM;
}

void
mdp_proxy_fini(struct mdp_worker *w)
{
	struct mdp_proxy *px = w->proxy;

	if (px == NULL)
		return;
	if (px->mesh != NULL)
		atomic_store_explicit(&px->mesh->use[w->idx].released, true, memory_order_release);
	/* the TCP stack is gone (connections freed without callbacks): what
	 * the proxy still holds goes back to the pool */
	for (uint32_t i = 0; px->downs != NULL && i < px->n_conns; i++) {
		if (!px->downs[i].used)
			continue;
		mdp_mbufq_purge(&px->downs[i].outq);
		rte_pktmbuf_free(px->downs[i].retry_head);
	}
	for (uint32_t i = 0; px->ups != NULL && i < px->n_conns; i++)
		if (px->ups[i].used)
			mdp_mbufq_purge(&px->ups[i].outq);
	rte_hash_free(px->slot_table);
	rte_free(px->rhdrs);
	rte_free(px->hdrs);
	rte_free(px->loc);
	rte_free(px->path2);
	rte_free(px->path);
	rte_free(px->out);
	for (uint32_t i = 0; px->slots != NULL && i < px->n_slots_used; i++)
		SSL_SESSION_free(px->slots[i].tls_sess);
	rte_free(px->scratch);
	rte_free(px->ahdr);
	rte_free(px->slots);
	rte_free(px->up_free);
	rte_free(px->down_free);
	rte_free(px->ups);
	rte_free(px->downs);
	rte_free(px);
	w->proxy = NULL;
}

const struct mdp_proxy_stats *
mdp_proxy_stats(const struct mdp_worker *w)
{
	return w->proxy != NULL ? &w->proxy->st : NULL;
}
