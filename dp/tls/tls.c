/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TLS stream layer: see tls.h for the shape, docs/tls.md ("Dataplane")
 * for the reasoning. Everything here runs on the worker that owns the
 * connection.
 *
 * Received bytes wait in a per-session queue of segments (struct tls_bq)
 * until a whole record is there. During the handshake each record is copied
 * into OpenSSL's read BIO, one at a time. Once our record layer has the
 * keys, a record is decrypted in place in the segments it arrived in and
 * its plaintext handed up as a chain of those segments (a boundary segment
 * shared with the next record becomes an indirect mbuf). Sent data is
 * sealed from the application's mbufs into fresh ones.
 *
 * Flow control: the application reports consumed plaintext; the TCP window
 * opens by the matching share of ciphertext (records carry 22-29 bytes
 * more than their plaintext), exactly once everything is consumed.
 */

#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "crypto/mdp_tls_keys.h"
#include "crypto/mdp_tls_rec.h"
#include "dp.h"
#include "tcp/tcp_priv.h"
#include "tls.h"
#include "tls/mdp_tls_ctx.h"
#include "util/mdp_log.h"

enum {
	REC_CCS = 20,
	REC_ALERT = 21,
	REC_HANDSHAKE = 22,
	REC_APP = 23,
};

#define REC_MAX_WIRE (MDP_TLS_MAX_PLAIN + 2048)	/* RFC 5246 6.2.3 bound */
#define OSSL_REC_OVERHEAD 40u			/* OpenSSL's record path, rounded up */
#define HS_TIMEOUT_MS 10000u

enum sess_state {
	S_SNIFF,	/* PERMISSIVE listener: TLS or plaintext? */
	S_HS,		/* handshake under way */
	S_OPEN,		/* application data */
	S_FAILED,	/* handshake failed: closing, input ignored */
	S_DEAD,		/* TCP said closed: free once no frame uses it */
};

enum {
	F_SERVER = 1u << 0,
	F_TLS13 = 1u << 1,
	F_RX_OURS = 1u << 2,	/* received records: lib/crypto */
	F_TX_OURS = 1u << 3,	/* sent records: lib/crypto */
	F_OSSL = 1u << 4,	/* OpenSSL's record path both ways */
	F_APP_TOLD = 1u << 5,	/* the application knows the connection */
	F_PEER_CLOSED = 1u << 6,	/* peer_closed given to the application */
	F_CN_RX = 1u << 7,	/* close_notify received */
	F_CN_TX = 1u << 8,	/* close_notify sent (application closed) */
	F_WANT_WRITE = 1u << 9,
	F_CSEC = 1u << 10,	/* client traffic secret captured */
	F_SSEC = 1u << 11,
};

/* Received segments not yet handed up or consumed. */
struct tls_bq {
	struct rte_mbuf *head;
	struct rte_mbuf *tail;
	uint32_t len;
};

struct mdp_tls_sess {
	struct mdp_tls_rec_key rx;	/* 64-byte aligned: first */
	struct mdp_tls_rec_key tx;
	struct mdp_tcp_conn *c;
	struct mdp_tls_worker *tw;
	SSL *ssl;
	BIO *rbio;
	BIO *wbio;
	const struct mdp_tcp_app_ops *app_ops;
	void *app_ctx;
	const struct mdp_tls_lsn *lsn;
	SSL_SESSION **cache;	/* client: where the endpoint's session is kept */
	struct tls_bq rxq;
	/* plaintext the application sent during this loop iteration, sealed
	 * into as few records as it fills by mdp_tls_flush() */
	struct rte_mbuf *txq_head;
	struct rte_mbuf *txq_tail;
	uint32_t txq_len;
	bool in_flush;		/* on the worker's flush list */
	struct mdp_tls_sess *flush_next;
	uint64_t pt_held;	/* plaintext given up, not yet consumed */
	uint64_t ct_held;	/* the ciphertext it came in, window not yet opened */
	uint32_t flags;
	uint16_t busy;		/* frames of ours using the session */
	uint16_t rx_after_hs;	/* records OpenSSL read after the handshake */
	uint8_t state;
	uint8_t secret_len;
	int fail_err;
	struct mdp_timer hs_timer;
	uint8_t csec[48];
	uint8_t ssec[48];
	uint16_t peer_id_len;
	uint8_t sni_len;
	char peer_id[256];
	char sni[256];
	struct mdp_tls_sess *next_free;
};

struct mdp_tls_worker {
	IMB_MGR *mgr;
	struct mdp_worker *w;
	struct mdp_tls_sess *flush;	/* sessions with plaintext to seal */
	struct mdp_tls_sess *free;
	uint32_t n_sess;
	struct mdp_tls_lsn_state lsn[MDP_MAX_LISTENERS];
	uint8_t buf[REC_MAX_WIRE + 64];	/* a record for OpenSSL, plaintext out of it */
};

static const struct mdp_tcp_app_ops tls_conn_ops;

#define TLS_CNT(s, sym) MDP_CNT_INC((s)->c->w, (s)->c->port, sym)

/* ---- the received-segment queue ---- */

static void
bq_append(struct tls_bq *q, struct rte_mbuf *m)
{
	uint32_t n = rte_pktmbuf_pkt_len(m);

	if (n == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	if (q->head == NULL)
		q->head = m;
	else
		q->tail->next = m;
	q->tail = rte_pktmbuf_lastseg(m);
	q->len += n;
}

static void
bq_free(struct tls_bq *q)
{
	struct rte_mbuf *m = q->head;

	while (m != NULL) {
		struct rte_mbuf *next = m->next;

		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		m = next;
	}
	q->head = q->tail = NULL;
	q->len = 0;
}

/* Copy n bytes at offset off out of the queue. */
static void
bq_copy(const struct tls_bq *q, uint32_t off, uint32_t n, uint8_t *dst)
{
	const struct rte_mbuf *m = q->head;

	while (off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (n > 0) {
		uint32_t k = RTE_MIN(n, (uint32_t)m->data_len - off);

		memcpy(dst, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), k);
		dst += k;
		n -= k;
		off = 0;
		m = m->next;
	}
}

static uint8_t
bq_byte(const struct tls_bq *q, uint32_t off)
{
	uint8_t b;

	bq_copy(q, off, 1, &b);
	return b;
}

/* Drop n bytes from the front. */
static void
bq_drop(struct tls_bq *q, uint32_t n)
{
	q->len -= n;
	while (n > 0) {
		struct rte_mbuf *m = q->head;

		if (m->data_len > n) {
			m->data_off = (uint16_t)(m->data_off + n);
			m->data_len = (uint16_t)(m->data_len - n);
			return;
		}
		n -= m->data_len;
		q->head = m->next;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
	}
	if (q->head == NULL)
		q->tail = NULL;
}

/* Take the first n bytes (n > 0) as a chain of their own. A segment that
 * goes on past n stays in the queue and the chain gets an indirect mbuf
 * for its first part. NULL when no mbuf is left for that. */
static struct rte_mbuf *
bq_take(struct tls_bq *q, struct rte_mempool *pool, uint32_t n)
{
	struct rte_mbuf *head = q->head, *last = NULL, *m = q->head;
	uint32_t left = n;
	uint16_t segs = 0;

	while (m != NULL && m->data_len <= left) {
		left -= m->data_len;
		last = m;
		m = m->next;
		segs++;
		if (left == 0)
			break;
	}
	if (left > 0) {
		/* m holds the rest of the plaintext and the next record's first bytes */
		struct rte_mbuf *s = rte_pktmbuf_alloc(pool);

		if (s == NULL)
			return NULL;
		rte_pktmbuf_attach(s, m);
		s->data_off = m->data_off;
		s->data_len = (uint16_t)left;
		m->data_off = (uint16_t)(m->data_off + left);
		m->data_len = (uint16_t)(m->data_len - left);
		if (last == NULL)
			head = s;
		else
			last->next = s;
		last = s;
		segs++;
		q->head = m;
	} else {
		q->head = m == NULL ? NULL : last->next;
		if (q->head == NULL)
			q->tail = NULL;
	}
	last->next = NULL;
	head->pkt_len = n;
	head->nb_segs = segs;
	q->len -= n;
	return head;
}

/* Decrypt n bytes at offset off in place. */
static void
bq_open(struct tls_bq *q, IMB_MGR *mgr, struct mdp_tls_crypt *cr, uint32_t off, uint32_t n)
{
	struct rte_mbuf *m = q->head;

	while (off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (n > 0) {
		uint32_t k = RTE_MIN(n, (uint32_t)m->data_len - off);
		uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, off);

		mdp_tls_open_update(cr, mgr, p, p, k);
		n -= k;
		off = 0;
		m = m->next;
	}
}

/* The whole queue as one chain (to hand plaintext on unchanged). */
static struct rte_mbuf *
bq_chain(struct tls_bq *q)
{
	struct rte_mbuf *h = q->head;
	uint16_t segs = 0;

	if (h == NULL)
		return NULL;
	for (struct rte_mbuf *m = h; m != NULL; m = m->next)
		segs++;
	h->pkt_len = q->len;
	h->nb_segs = segs;
	q->head = q->tail = NULL;
	q->len = 0;
	return h;
}

/* ---- outgoing mbufs ---- */

/* A chain holding n bytes copied from p. */
static struct rte_mbuf *
chain_from(struct rte_mempool *pool, const uint8_t *p, size_t n)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	uint16_t segs = 0;
	size_t total = n;

	while (n > 0) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		size_t k;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		k = RTE_MIN(n, (size_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), p, k);
		m->data_len = (uint16_t)k;
		m->pkt_len = (uint32_t)k;
		if (head == NULL)
			head = m;
		else
			last->next = m;
		last = m;
		segs++;
		p += k;
		n -= k;
	}
	if (head != NULL) {
		head->pkt_len = (uint32_t)total;
		head->nb_segs = segs;
	}
	return head;
}

static inline uint32_t
rec_overhead(const struct mdp_tls_sess *s)
{
	return (s->flags & F_TX_OURS) ? (uint32_t)mdp_tls_rec_overhead(&s->tx) : OSSL_REC_OVERHEAD;
}

static inline uint32_t
n_records(uint32_t len)
{
	return (len + MDP_TLS_MAX_PLAIN - 1) / MDP_TLS_MAX_PLAIN;
}

/* Writes into a pre-allocated chain. */
struct tls_writer {
	struct rte_mbuf *m;
};

static uint8_t *
writer_room(struct tls_writer *wr, uint32_t *room)
{
	while (rte_pktmbuf_tailroom(wr->m) == 0)
		wr->m = wr->m->next;
	*room = rte_pktmbuf_tailroom(wr->m);
	return rte_pktmbuf_mtod_offset(wr->m, uint8_t *, wr->m->data_len);
}

static void
writer_put(struct tls_writer *wr, const uint8_t *p, uint32_t n)
{
	while (n > 0) {
		uint32_t room, k;
		uint8_t *d = writer_room(wr, &room);

		k = RTE_MIN(room, n);
		memcpy(d, p, k);
		wr->m->data_len = (uint16_t)(wr->m->data_len + k);
		p += k;
		n -= k;
	}
}

/*
 * Seal len bytes of chain m (content type `type`) into records in fresh
 * mbufs. Every mbuf is taken before the first record is sealed, so a
 * shortage fails before any sequence number is spent. NULL: no mbufs.
 */
static struct rte_mbuf *
seal_chain(struct mdp_tls_sess *s, const struct rte_mbuf *m, uint32_t len, uint8_t type)
{
	struct rte_mempool *pool = s->c->w->pool;
	uint32_t total = len + n_records(len) * (uint32_t)mdp_tls_rec_overhead(&s->tx);
	struct rte_mbuf *head = NULL, *last = NULL;
	struct tls_writer wr;
	uint32_t have = 0, soff = 0, left = len;
	uint16_t segs = 0;

	while (have < total) {
		struct rte_mbuf *b = rte_pktmbuf_alloc(pool);

		if (b == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		if (head == NULL)
			head = b;
		else
			last->next = b;
		last = b;
		segs++;
		have += rte_pktmbuf_tailroom(b);
	}
	wr.m = head;
	while (left > 0) {
		uint32_t rl = RTE_MIN(left, (uint32_t)MDP_TLS_MAX_PLAIN), rleft = rl;
		uint8_t hdr[MDP_TLS_REC_HDR + MDP_TLS12_EXPLICIT], trailer[1 + MDP_TLS_TAG];
		struct mdp_tls_crypt cr;
		size_t hl, tl;

		hl = mdp_tls_seal_begin(&cr, s->tw->mgr, &s->tx, type, rl, hdr);
		writer_put(&wr, hdr, (uint32_t)hl);
		while (rleft > 0) {
			uint32_t sn, room, k;
			const uint8_t *sp;
			uint8_t *d;

			while (soff == m->data_len) {
				m = m->next;
				soff = 0;
			}
			sn = RTE_MIN((uint32_t)m->data_len - soff, rleft);
			sp = rte_pktmbuf_mtod_offset(m, const uint8_t *, soff);
			d = writer_room(&wr, &room);
			k = RTE_MIN(room, sn);
			mdp_tls_seal_update(&cr, s->tw->mgr, d, sp, k);
			wr.m->data_len = (uint16_t)(wr.m->data_len + k);
			soff += k;
			rleft -= k;
		}
		tl = mdp_tls_seal_end(&cr, s->tw->mgr, trailer);
		writer_put(&wr, trailer, (uint32_t)tl);
		left -= rl;
	}
	/* drop the unused tail (at most one mbuf's worth was over-allocated) */
	{
		struct rte_mbuf *x = head, *prev = NULL;
		uint16_t used = 0;

		while (x != NULL && x->data_len > 0) {
			prev = x;
			x = x->next;
			used++;
		}
		if (x != NULL) {
			prev->next = NULL;
			rte_pktmbuf_free(x);
		}
		segs = used;
	}
	head->pkt_len = total;
	head->nb_segs = segs;
	return head;
}

/* ---- sessions ---- */

static struct mdp_tls_sess *
sess_new(struct mdp_worker *w)
{
	struct mdp_tls_worker *tw = w->tls;
	struct mdp_tls_sess *s = tw->free;

	if (s != NULL) {
		tw->free = s->next_free;
	} else {
		/* the pool grows with the number of TLS connections, then stays */
		s = rte_malloc_socket("mdp_tls_sess", sizeof(*s), 64,
				      (int)rte_lcore_to_socket_id(w->lcore));
		if (s == NULL)
			return NULL;
		tw->n_sess++;
	}
	memset(s, 0, sizeof(*s));
	s->tw = tw;
	return s;
}

static void
sess_release(struct mdp_tls_sess *s)
{
	struct mdp_tls_worker *tw = s->tw;

	if (s->in_flush) {
		struct mdp_tls_sess **pp = &tw->flush;

		while (*pp != s)
			pp = &(*pp)->flush_next;
		*pp = s->flush_next;
		s->in_flush = false;
	}
	rte_pktmbuf_free(s->txq_head);	/* never sealed: the connection is gone */
	s->txq_head = s->txq_tail = NULL;
	s->txq_len = 0;
	mdp_timer_stop(&tw->w->wheel, &s->hs_timer);
	bq_free(&s->rxq);
	if (s->ssl != NULL)
		SSL_free(s->ssl);	/* and its BIOs */
	memset(&s->rx, 0, sizeof(s->rx));
	memset(&s->tx, 0, sizeof(s->tx));
	memset(s->csec, 0, sizeof(s->csec));
	memset(s->ssec, 0, sizeof(s->ssec));
	s->ssl = NULL;
	s->next_free = tw->free;
	tw->free = s;
}

/* Around code that calls the application: the application may close or
 * abort the connection, and TCP then reports `closed` at once. Returns
 * false when the session is gone (and releases it on the way out). */
static inline void
sess_hold(struct mdp_tls_sess *s)
{
	s->busy++;
}

static inline bool
sess_drop(struct mdp_tls_sess *s)
{
	if (--s->busy == 0 && s->state == S_DEAD) {
		sess_release(s);
		return false;
	}
	return s->state != S_DEAD;
}

static inline struct mdp_tls_sess *
sess_of(const struct mdp_tcp_conn *c)
{
	return c->tls;
}

/* ---- the key log: TLS 1.3 traffic secrets for the record layer ---- */

static void
keylog_cb(const SSL *ssl, const char *line)
{
	struct mdp_tls_sess *s = SSL_get_app_data(ssl);
	int n;

	if (s == NULL)
		return;
	n = mdp_tls_keylog_secret(line, "CLIENT_TRAFFIC_SECRET_0", s->csec, NULL);
	if (n > 0) {
		s->secret_len = (uint8_t)n;
		s->flags |= F_CSEC;
		return;
	}
	n = mdp_tls_keylog_secret(line, "SERVER_TRAFFIC_SECRET_0", s->ssec, NULL);
	if (n > 0) {
		s->secret_len = (uint8_t)n;
		s->flags |= F_SSEC;
	}
}

/* A client's new session (TLS 1.2: at the handshake; TLS 1.3: each
 * ticket): kept for the endpoint, replacing the one before. */
static int
new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct mdp_tls_sess *s = SSL_get_app_data(ssl);

	if (s == NULL || s->cache == NULL)
		return 0;
	if (*s->cache != NULL)
		SSL_SESSION_free(*s->cache);
	*s->cache = sess;
	return 1;	/* the reference is ours */
}

static void
prepare_one(SSL_CTX *ctx, void *arg)
{
	(void)arg;
	SSL_CTX_set_keylog_callback(ctx, keylog_cb);
	SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
}

void
mdp_tls_ctx_prepare(SSL_CTX *ctx)
{
	mdp_tls_ctx_foreach(ctx, prepare_one, NULL);
}

/* ---- talking to TCP ---- */

/* Send what OpenSSL wrote. Returns the number of records it held (for
 * sequence numbers), or -1 when it could not be sent. */
static int
flush_wbio(struct mdp_tls_sess *s)
{
	const uint8_t *p;
	long n = BIO_get_mem_data(s->wbio, (char **)&p);
	struct rte_mbuf *m;
	int recs = 0;

	if (n <= 0)
		return 0;
	for (long off = 0; off + MDP_TLS_REC_HDR <= n;) {
		off += MDP_TLS_REC_HDR + ((long)p[off + 3] << 8 | p[off + 4]);
		recs++;
	}
	m = chain_from(s->c->w->pool, p, (size_t)n);
	(void)BIO_reset(s->wbio);
	if (m == NULL) {
		TLS_CNT(s, MBUF_ALLOC);
		return -1;
	}
	if (mdp_tcp_raw_send(s->c, m) < 0) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return recs;
}

static void
hs_timeout(struct mdp_timer *t, void *arg)
{
	struct mdp_tls_sess *s = arg;

	(void)t;
	TLS_CNT(s, TLS_HS_TIMEOUT);
	s->fail_err = -ETIMEDOUT;
	mdp_tcp_raw_abort(s->c);
}

/* The handshake failed: send what OpenSSL has to say (an alert), close. */
static void
hs_fail(struct mdp_tls_sess *s, int reason_cnt)
{
	struct mdp_tcp_conn *c = s->c;

	MDP_CNT_INC(c->w, c->port, TLS_HS_FAILED);
	if (reason_cnt >= 0)
		c->w->cnt.port[c->port][reason_cnt]++;
	ERR_clear_error();
	s->fail_err = -ECONNREFUSED;
	s->state = S_FAILED;
	mdp_timer_stop(&c->w->wheel, &s->hs_timer);
	if (flush_wbio(s) < 0 || !(s->flags & F_SERVER)) {
		mdp_tcp_raw_abort(c);
		return;
	}
	mdp_tcp_raw_close(c);
}

/* Which counter a failed handshake goes to (lib/tls classifies it). */
static int
hs_fail_reason(struct mdp_tls_sess *s)
{
	enum mdp_tls_err e = mdp_tls_err_classify(s->ssl, ERR_peek_error());

	if (e == MDP_TLS_ERR_NONE)
		e = MDP_TLS_ERR_HANDSHAKE_FAILURE;
	return MDP_CNT_TLS_FAIL_NONE + (int)e;
}

static int
ssl_new(struct mdp_tls_sess *s, SSL_CTX *ctx, bool server)
{
	s->ssl = SSL_new(ctx);
	s->rbio = BIO_new(BIO_s_mem());
	s->wbio = BIO_new(BIO_s_mem());
	if (s->ssl == NULL || s->rbio == NULL || s->wbio == NULL) {
		if (s->ssl == NULL) {
			BIO_free(s->rbio);
			BIO_free(s->wbio);
		}
		return -ENOMEM;
	}
	BIO_set_mem_eof_return(s->rbio, -1);
	SSL_set_bio(s->ssl, s->rbio, s->wbio);
	SSL_set_app_data(s->ssl, s);
	if (server)
		SSL_set_accept_state(s->ssl);
	else
		SSL_set_connect_state(s->ssl);
	s->state = S_HS;
	mdp_timer_stop(&s->tw->w->wheel, &s->hs_timer);	/* a PERMISSIVE sniff's */
	mdp_timer_init(&s->hs_timer, hs_timeout, s);
	mdp_timer_start(&s->tw->w->wheel, &s->hs_timer, tcp_ms_to_ticks(s->tw->w, HS_TIMEOUT_MS));
	return 0;
}

/* ---- events to the application ---- */

static void
app_data(struct mdp_tls_sess *s, struct rte_mbuf *m)
{
	if (s->app_ops != NULL && s->app_ops->data != NULL && !(s->flags & F_PEER_CLOSED))
		s->app_ops->data(s->c, m);
	else
		rte_pktmbuf_free(m);
}

static void
app_peer_closed(struct mdp_tls_sess *s)
{
	if (s->flags & F_PEER_CLOSED)
		return;
	s->flags |= F_PEER_CLOSED;
	if ((s->flags & F_APP_TOLD) && s->app_ops != NULL && s->app_ops->peer_closed != NULL)
		s->app_ops->peer_closed(s->c);
}

/* Plaintext up: charge its ciphertext to the held window. */
static void
deliver(struct mdp_tls_sess *s, struct rte_mbuf *m, uint32_t ct_len)
{
	s->pt_held += rte_pktmbuf_pkt_len(m);
	s->ct_held += ct_len;
	app_data(s, m);
}

/* ---- OpenSSL's record path ---- */

/* Give one whole record (at the head of the queue) to OpenSSL. */
static void
feed_record(struct mdp_tls_sess *s, uint32_t wire)
{
	bq_copy(&s->rxq, 0, wire, s->tw->buf);
	bq_drop(&s->rxq, wire);
	BIO_write(s->rbio, s->tw->buf, (int)wire);
}

/*
 * Read what OpenSSL can give from the records fed so far. Returns -1 when
 * the connection is to go, 0 otherwise; *got tells whether application
 * data came out.
 */
static int
ossl_read(struct mdp_tls_sess *s, uint32_t wire, bool *got)
{
	uint32_t credit = wire;

	*got = false;
	for (;;) {
		int n = SSL_read(s->ssl, s->tw->buf, (int)sizeof(s->tw->buf));
		struct rte_mbuf *m;

		if (n <= 0) {
			int e = SSL_get_error(s->ssl, n);

			if (credit > 0)
				mdp_tcp_raw_recved(s->c, credit);
			if (e == SSL_ERROR_WANT_READ)
				break;
			if (e == SSL_ERROR_ZERO_RETURN) {
				s->flags |= F_CN_RX;
				TLS_CNT(s, TLS_CLOSE_NOTIFY_RX);
				app_peer_closed(s);
				return s->state == S_DEAD ? -1 : 0;
			}
			TLS_CNT(s, TLS_BAD_RECORD);
			ERR_clear_error();
			mdp_tcp_raw_abort(s->c);
			return -1;
		}
		m = chain_from(s->c->w->pool, s->tw->buf, (size_t)n);
		if (m == NULL) {
			TLS_CNT(s, MBUF_ALLOC);
			mdp_tcp_raw_abort(s->c);
			return -1;
		}
		*got = true;
		deliver(s, m, credit);
		credit = 0;
		if (s->state == S_DEAD)
			return -1;
	}
	/* OpenSSL answering something (a KeyUpdate request) is fine on its own
	 * record path, fatal when our layer owns the sending side */
	if (BIO_ctrl_pending(s->wbio) > 0) {
		if (!(s->flags & F_TX_OURS)) {
			if (flush_wbio(s) < 0) {
				mdp_tcp_raw_abort(s->c);
				return -1;
			}
		} else {
			TLS_CNT(s, TLS_BAD_RECORD);
			mdp_tcp_raw_abort(s->c);
			return -1;
		}
	}
	return 0;
}

/* ---- our record layer ---- */

static int send_key_update(struct mdp_tls_sess *s);

/* OpenSSL's record path: the pending plaintext gathered into 16 KiB pieces
 * (one SSL_write, so one record, each) and what OpenSSL wrote sent. */
static int
flush_ossl(struct mdp_tls_sess *s)
{
	uint8_t *buf = s->tw->buf;
	const struct rte_mbuf *m = s->txq_head;
	uint32_t left = s->txq_len, soff = 0;

	while (left > 0) {
		uint32_t n = 0;

		while (n < MDP_TLS_MAX_PLAIN && left > 0) {
			uint32_t k;

			while (soff == m->data_len) {
				m = m->next;
				soff = 0;
			}
			k = RTE_MIN((uint32_t)m->data_len - soff, MDP_TLS_MAX_PLAIN - n);
			k = RTE_MIN(k, left);
			memcpy(buf + n, rte_pktmbuf_mtod_offset(m, const uint8_t *, soff), k);
			soff += k;
			n += k;
			left -= k;
		}
		if (SSL_write(s->ssl, buf, (int)n) != (int)n) {
			ERR_clear_error();
			return -1;
		}
	}
	rte_pktmbuf_free(s->txq_head);
	s->txq_head = s->txq_tail = NULL;
	s->txq_len = 0;
	return flush_wbio(s) < 0 ? -1 : 0;
}

/* The plaintext a session has pending, sealed into records of up to 16 KiB
 * and handed to TCP. Returns 0, or -1 when it must wait (no mbufs, or no
 * room: it stays pending, and `writable` will come). */
static int
flush_one(struct mdp_tls_sess *s)
{
	uint32_t len = s->txq_len;
	struct rte_mbuf *out;

	if (len == 0)
		return 0;
	if (len + n_records(len) * rec_overhead(s) > mdp_tcp_raw_send_space(s->c)) {
		mdp_tcp_raw_want_writable(s->c);
		return -1;
	}
	if (!(s->flags & F_TX_OURS))
		return flush_ossl(s);
	out = seal_chain(s, s->txq_head, len, REC_APP);
	if (out == NULL) {
		TLS_CNT(s, MBUF_ALLOC);
		return -1;
	}
	if (mdp_tcp_raw_send(s->c, out) < 0) {
		rte_pktmbuf_free(out);
		return -1;
	}
	MDP_CNT_ADD(s->c->w, s->c->port, TLS_TX_RECORDS, n_records(len));
	rte_pktmbuf_free(s->txq_head);
	s->txq_head = s->txq_tail = NULL;
	s->txq_len = 0;
	return 0;
}

/* Post-handshake messages in TLS 1.3 (RFC 8446 4.6). pt: the record's
 * plaintext. Returns -1 on a protocol error. */
static int
post_handshake(struct mdp_tls_sess *s, const uint8_t *p, uint32_t n)
{
	while (n > 0) {
		uint32_t len;

		if (n < 4)
			return -1;	/* messages split over records: not sent by anyone we talk to */
		len = (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		if (len > n - 4)
			return -1;
		switch (p[0]) {
		case 4:	/* NewSessionTicket: OpenSSL keeps the ones before the first data */
			TLS_CNT(s, TLS_TICKET_IGNORED);
			break;
		case 24:	/* KeyUpdate */
			if (len != 1 || p[4] > 1)
				return -1;
			if (mdp_tls_key_update13(&s->rx, s->tw->mgr) < 0)
				return -1;
			TLS_CNT(s, TLS_KEY_UPDATE_RX);
			if (p[4] == 1 && send_key_update(s) < 0)
				return -1;
			break;
		default:
			return -1;
		}
		p += 4 + len;
		n -= 4 + len;
	}
	return 0;
}

/* Seal a small record (alert, KeyUpdate) and send it. */
static int
send_small(struct mdp_tls_sess *s, uint8_t type, const uint8_t *p, uint32_t n)
{
	uint8_t rec[64];
	ssize_t len;
	struct rte_mbuf *m;

	if (flush_one(s) < 0)	/* what the application sent goes first */
		return -1;
	len = mdp_tls_seal(&s->tx, s->tw->mgr, type, p, n, rec, sizeof(rec));
	if (len < 0)
		return -1;
	m = chain_from(s->c->w->pool, rec, (size_t)len);
	if (m == NULL)
		return -1;
	if (mdp_tcp_raw_send(s->c, m) < 0) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

static int
send_key_update(struct mdp_tls_sess *s)
{
	static const uint8_t ku[5] = { 24, 0, 0, 1, 0 };

	if (send_small(s, REC_HANDSHAKE, ku, sizeof(ku)) < 0)
		return -1;
	TLS_CNT(s, TLS_KEY_UPDATE_TX);
	return mdp_tls_key_update13(&s->tx, s->tw->mgr);
}

/* Open the record at the head of the queue (wire bytes in all). Returns
 * -1 when the connection is to go. */
static int
open_record(struct mdp_tls_sess *s, const uint8_t hdr[MDP_TLS_REC_HDR], uint32_t wire)
{
	struct tls_bq *q = &s->rxq;
	struct mdp_tls_crypt cr;
	uint8_t explicit[MDP_TLS12_EXPLICIT], tag[MDP_TLS_TAG], type;
	uint32_t hl = MDP_TLS_REC_HDR, ct, pt;
	int r;

	if (!(s->flags & F_TLS13)) {
		if (wire < MDP_TLS_REC_HDR + MDP_TLS12_EXPLICIT + MDP_TLS_TAG)
			goto bad;
		bq_copy(q, MDP_TLS_REC_HDR, MDP_TLS12_EXPLICIT, explicit);
		hl += MDP_TLS12_EXPLICIT;
	}
	r = mdp_tls_open_begin(&cr, s->tw->mgr, &s->rx, hdr, (s->flags & F_TLS13) ? NULL : explicit);
	if (r < 0)
		goto bad;
	ct = (uint32_t)r;
	if (hl + ct + MDP_TLS_TAG != wire)
		goto bad;
	bq_open(q, s->tw->mgr, &cr, hl, ct);
	bq_copy(q, hl + ct, MDP_TLS_TAG, tag);
	if (mdp_tls_open_end(&cr, s->tw->mgr, tag) < 0)
		goto bad;
	TLS_CNT(s, TLS_RX_RECORDS);
	/* TLS 1.3: the inner type and the content length, tracked by lib/crypto
	 * as the segments went by (RFC 8446 5.2: the last non-zero byte);
	 * 0 is an all-zero plaintext */
	type = cr.type;
	pt = (uint32_t)cr.content_len;
	if (type == 0)
		goto bad;
	switch (type) {
	case REC_APP:
		if (pt == 0 || (s->flags & F_CN_RX)) {
			bq_drop(q, wire);
			mdp_tcp_raw_recved(s->c, wire);
			return 0;
		}
		{
			struct rte_mbuf *m;

			bq_drop(q, hl);
			m = bq_take(q, s->c->w->pool, pt);
			if (m == NULL) {
				TLS_CNT(s, MBUF_ALLOC);
				mdp_tcp_raw_abort(s->c);
				return -1;
			}
			bq_drop(q, wire - hl - pt);
			deliver(s, m, wire);
			return s->state == S_DEAD ? -1 : 0;
		}
	case REC_ALERT: {
		uint8_t a[2];

		if (pt != 2)
			goto bad;
		bq_copy(q, hl, 2, a);
		bq_drop(q, wire);
		mdp_tcp_raw_recved(s->c, wire);
		if (a[1] == 0) {	/* close_notify */
			s->flags |= F_CN_RX;
			TLS_CNT(s, TLS_CLOSE_NOTIFY_RX);
			app_peer_closed(s);
			return s->state == S_DEAD ? -1 : 0;
		}
		TLS_CNT(s, TLS_ALERT_RX);
		mdp_tcp_raw_abort(s->c);
		return -1;
	}
	case REC_HANDSHAKE:
		if (!(s->flags & F_TLS13) || pt > sizeof(s->tw->buf))
			goto bad;	/* TLS 1.2 renegotiation: refused */
		bq_copy(q, hl, pt, s->tw->buf);
		bq_drop(q, wire);
		mdp_tcp_raw_recved(s->c, wire);
		if (post_handshake(s, s->tw->buf, pt) < 0)
			goto bad_dropped;
		return 0;
	default:
		goto bad;
	}
bad:
	bq_drop(q, wire);
bad_dropped:
	TLS_CNT(s, TLS_BAD_RECORD);
	mdp_tcp_raw_abort(s->c);
	return -1;
}

static void hs_done(struct mdp_tls_sess *s);

/* Free the SSL once our record layer has both directions. Marked shut down
 * both ways first: OpenSSL would otherwise take the session for a broken
 * one and spoil it for resumption. */
static void
ssl_drop(struct mdp_tls_sess *s)
{
	SSL_set_shutdown(s->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(s->ssl);
	s->ssl = NULL;
}

/* A plausible record header: a content type of TLS (20..23) and a record
 * version 3.x (3.1 in first ClientHellos; 3.3 after). */
static inline bool
rec_hdr_ok(const uint8_t hdr[MDP_TLS_REC_HDR])
{
	return hdr[0] >= REC_CCS && hdr[0] <= REC_APP && hdr[1] == 3 && hdr[2] <= 4;
}

/* Work through the queued records. */
static void
rx_process(struct mdp_tls_sess *s)
{
	struct tls_bq *q = &s->rxq;

	while ((s->state == S_HS || s->state == S_OPEN) && q->len >= MDP_TLS_REC_HDR) {
		uint8_t hdr[MDP_TLS_REC_HDR];
		uint32_t wire;

		bq_copy(q, 0, MDP_TLS_REC_HDR, hdr);
		wire = MDP_TLS_REC_HDR + ((uint32_t)hdr[3] << 8 | hdr[4]);
		if (!rec_hdr_ok(hdr)) {
			/* not TLS at all (a plaintext client on a TLS port):
			 * refuse now, not after waiting for a "record" */
			TLS_CNT(s, TLS_BAD_RECORD);
			if (s->state == S_HS)
				hs_fail(s, MDP_CNT_TLS_FAIL_NOT_TLS);
			else
				mdp_tcp_raw_abort(s->c);
			return;
		}
		if (wire > REC_MAX_WIRE + MDP_TLS_REC_HDR) {
			TLS_CNT(s, TLS_BAD_RECORD);
			if (s->state == S_HS)
				hs_fail(s, MDP_CNT_TLS_FAIL_HANDSHAKE_FAILURE);
			else
				mdp_tcp_raw_abort(s->c);
			return;
		}
		if (q->len < wire)
			return;
		if (s->state == S_HS) {
			int r;

			feed_record(s, wire);
			mdp_tcp_raw_recved(s->c, wire);
			r = SSL_do_handshake(s->ssl);
			if (r == 1) {
				hs_done(s);
				continue;
			}
			if (SSL_get_error(s->ssl, r) != SSL_ERROR_WANT_READ) {
				hs_fail(s, hs_fail_reason(s));
				return;
			}
			if (flush_wbio(s) < 0) {
				mdp_tcp_raw_abort(s->c);
				return;
			}
			continue;
		}
		if (!(s->flags & F_RX_OURS)) {
			bool got;

			feed_record(s, wire);
			if (s->rx_after_hs < UINT16_MAX)
				s->rx_after_hs++;
			if (ossl_read(s, wire, &got) < 0)
				return;
			if (got && !(s->flags & F_OSSL)) {
				/* the first application data: our layer takes over */
				s->rx.seq = s->rx_after_hs;
				s->flags |= F_RX_OURS;
				if ((s->flags & F_TX_OURS) && s->ssl != NULL)
					ssl_drop(s);
			}
			continue;
		}
		if (open_record(s, hdr, wire) < 0)
			return;
	}
}

/* ---- the end of the handshake ---- */

static void
hs_done(struct mdp_tls_sess *s)
{
	struct mdp_tcp_conn *c = s->c;
	SSL *ssl = s->ssl;
	const char *sni;
	uint64_t tx_seq = 1, rx_seq = 1;
	int aead, tickets = 0;
	char id[1024];

	mdp_timer_stop(&c->w->wheel, &s->hs_timer);
	if (SSL_version(ssl) == TLS1_3_VERSION) {
		s->flags |= F_TLS13;
		tx_seq = rx_seq = 0;
	}
	/* what OpenSSL still had to say (a TLS 1.2 server's Finished, ...) */
	if (flush_wbio(s) < 0)
		goto fail;
	/* the peer's identity, from its certificate as verified (lib/tls
	 * refuses a malformed or ambiguous URI SAN during verification) */
	{
		int r = mdp_tls_peer_id(ssl, id, sizeof(id));

		if (r == 0 && strlen(id) < sizeof(s->peer_id)) {
			s->peer_id_len = (uint16_t)strlen(id);
			memcpy(s->peer_id, id, s->peer_id_len + 1);
		} else if (r != -ENOENT || ((s->flags & F_SERVER) &&
					   mdp_tls_server_mode(ssl) == MDP_MTLS_STRICT)) {
			/* STRICT without an identity, or one too long to keep */
			hs_fail(s, r == -ENOENT ? MDP_CNT_TLS_FAIL_NO_CLIENT_CERT
						: MDP_CNT_TLS_FAIL_BAD_SAN);
			return;
		}
	}
	sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	if (sni != NULL && strlen(sni) < sizeof(s->sni)) {
		s->sni_len = (uint8_t)strlen(sni);
		memcpy(s->sni, sni, s->sni_len + 1);
	}
	if (SSL_session_reused(ssl))
		TLS_CNT(s, TLS_RESUMED);
	TLS_CNT(s, TLS_HANDSHAKES);
	/* TLS 1.3 servers send their tickets now, through OpenSSL, and count
	 * the records: the contexts have num_tickets 0 (lib/tls) */
	if ((s->flags & (F_SERVER | F_TLS13)) == (F_SERVER | F_TLS13) &&
	    !(SSL_get_options(ssl) & SSL_OP_NO_TICKET)) {
		if (SSL_new_session_ticket(ssl) == 1 && SSL_do_handshake(ssl) == 1) {
			tickets = flush_wbio(s);
			if (tickets < 0)
				goto fail;
		}
		ERR_clear_error();
	}
	aead = mdp_tls_aead_of(SSL_get_current_cipher(ssl));
	if (aead < 0 || c->w->dp->cfg->tls.record_layer == MDP_TLS_RECORD_OPENSSL || ((s->flags & F_TLS13) && (s->flags & (F_CSEC | F_SSEC)) != (F_CSEC | F_SSEC))) {
		s->flags |= F_OSSL;
		TLS_CNT(s, TLS_OPENSSL_PATH);
	} else {
		const uint8_t *cs = (s->flags & F_TLS13) ? s->csec : NULL;
		const uint8_t *ss = (s->flags & F_TLS13) ? s->ssec : NULL;

		tx_seq += (uint64_t)tickets;
		if (mdp_tls_keys_from_ssl(ssl, s->tw->mgr, cs, ss, s->secret_len,
					  (s->flags & F_SERVER) != 0, &s->rx, &s->tx, rx_seq,
					  tx_seq) < 0)
			goto fail;
		s->flags |= F_TX_OURS;
		/* a TLS 1.3 client lets OpenSSL read the server's tickets */
		if ((s->flags & (F_SERVER | F_TLS13)) != F_TLS13)
			s->flags |= F_RX_OURS;
		if (s->flags & F_RX_OURS)
			ssl_drop(s);	/* the keys and the identity are ours now */
	}
	memset(s->csec, 0, sizeof(s->csec));
	memset(s->ssec, 0, sizeof(s->ssec));
	s->state = S_OPEN;
	sess_hold(s);
	if (s->flags & F_SERVER) {
		s->flags |= F_APP_TOLD;
		s->lsn->app_ops->accepted(c, s->lsn->app_ctx);
	} else if (s->app_ops != NULL && s->app_ops->connected != NULL) {
		s->app_ops->connected(c);
	}
	if (!sess_drop(s))
		return;
	return;
fail:
	hs_fail(s, MDP_CNT_TLS_FAIL_HANDSHAKE_FAILURE);
}

/* ---- TCP events of a TLS connection ---- */

static void
tls_data(struct mdp_tcp_conn *c, struct rte_mbuf *m)
{
	struct mdp_tls_sess *s = sess_of(c);

	if (s->state == S_FAILED || s->state == S_DEAD) {
		mdp_tcp_raw_recved(c, rte_pktmbuf_pkt_len(m));
		rte_pktmbuf_free(m);
		return;
	}
	sess_hold(s);
	bq_append(&s->rxq, m);
	if (s->state == S_SNIFF) {
		/* PERMISSIVE: a TLS handshake record starts with 22; anything
		 * else is plaintext for the application, unchanged */
		if (bq_byte(&s->rxq, 0) != REC_HANDSHAKE) {
			struct rte_mbuf *all = bq_chain(&s->rxq);
			const struct mdp_tls_lsn *l = s->lsn;

			MDP_CNT_INC(c->w, c->port, TLS_PLAINTEXT);
			c->tls = NULL;
			c->ops = NULL;
			c->ctx = NULL;
			s->state = S_DEAD;
			l->app_ops->accepted(c, l->app_ctx);
			if (c->state != MDP_TCP_CLOSED && !(c->flags & MDP_TCPF_APP_CLOSED) &&
			    c->ops != NULL && c->ops->data != NULL)
				c->ops->data(c, all);
			else
				rte_pktmbuf_free(all);
			sess_drop(s);
			return;
		}
		if (ssl_new(s, s->tw->lsn[s->lsn->idx].ctx, true) < 0) {
			s->state = S_FAILED;
			mdp_tcp_raw_abort(c);
			sess_drop(s);
			return;
		}
	}
	rx_process(s);
	sess_drop(s);
}

static void
tls_connected(struct mdp_tcp_conn *c)
{
	struct mdp_tls_sess *s = sess_of(c);
	int r;

	sess_hold(s);
	r = SSL_do_handshake(s->ssl);
	if (r != 1 && SSL_get_error(s->ssl, r) != SSL_ERROR_WANT_READ)
		hs_fail(s, hs_fail_reason(s));
	else if (flush_wbio(s) < 0)
		mdp_tcp_raw_abort(c);
	sess_drop(s);
}

static void
tls_writable(struct mdp_tcp_conn *c)
{
	struct mdp_tls_sess *s = sess_of(c);

	if (!(s->flags & F_WANT_WRITE) || s->state != S_OPEN)
		return;
	s->flags &= ~F_WANT_WRITE;
	if (s->app_ops != NULL && s->app_ops->writable != NULL)
		s->app_ops->writable(c);
}

static void
tls_peer_closed(struct mdp_tcp_conn *c)
{
	struct mdp_tls_sess *s = sess_of(c);

	if (s->state == S_SNIFF || (s->state == S_HS && (s->flags & F_SERVER) &&
				    s->rxq.len == 0 && SSL_in_before(s->ssl))) {
		/* closed before saying anything (a port probe): not a failed
		 * handshake */
		TLS_CNT(s, TLS_NO_HELLO);
		s->state = S_FAILED;
		mdp_timer_stop(&c->w->wheel, &s->hs_timer);
		mdp_tcp_raw_close(c);
		return;
	}
	if (s->state == S_HS) {
		hs_fail(s, MDP_CNT_TLS_FAIL_HANDSHAKE_FAILURE);
		return;
	}
	if (s->state != S_OPEN)
		return;
	if (!(s->flags & F_CN_RX))
		TLS_CNT(s, TLS_TRUNCATED);
	sess_hold(s);
	app_peer_closed(s);
	sess_drop(s);
}

static void
tls_closed(struct mdp_tcp_conn *c, int err)
{
	struct mdp_tls_sess *s = sess_of(c);

	if (s == NULL)
		return;
	if (s->fail_err != 0 && err != 0)
		err = s->fail_err;
	s->state = S_DEAD;
	s->busy++;
	if ((s->flags & F_APP_TOLD) && s->app_ops != NULL && s->app_ops->closed != NULL)
		s->app_ops->closed(c, err);
	c->tls = NULL;
	if (--s->busy == 0)
		sess_release(s);
}

static const struct mdp_tcp_app_ops tls_conn_ops = {
	.connected = tls_connected,
	.data = tls_data,
	.writable = tls_writable,
	.peer_closed = tls_peer_closed,
	.closed = tls_closed,
};

static void
tls_accepted(struct mdp_tcp_conn *c, void *lctx)
{
	const struct mdp_tls_lsn *l = lctx;
	struct mdp_tls_lsn_state *st = &c->w->tls->lsn[l->idx];
	struct mdp_tls_sess *s;

	if (st->ctx == NULL) {
		MDP_CNT_INC(c->w, c->port, TLS_NO_CONTEXT);
		mdp_tcp_raw_abort(c);
		return;
	}
	s = sess_new(c->w);
	if (s == NULL) {
		MDP_CNT_INC(c->w, c->port, TLS_NO_SESSION);
		mdp_tcp_raw_abort(c);
		return;
	}
	s->c = c;
	s->lsn = l;
	s->flags = F_SERVER;
	c->tls = s;
	c->ops = &tls_conn_ops;
	c->ctx = NULL;
	if (st->mode == MDP_MTLS_PERMISSIVE) {
		s->state = S_SNIFF;
		mdp_timer_init(&s->hs_timer, hs_timeout, s);
		mdp_timer_start(&c->w->wheel, &s->hs_timer, tcp_ms_to_ticks(c->w, HS_TIMEOUT_MS));
		return;
	}
	if (ssl_new(s, st->ctx, true) < 0) {
		MDP_CNT_INC(c->w, c->port, TLS_NO_SESSION);
		mdp_tcp_raw_abort(c);
	}
}

const struct mdp_tcp_app_ops mdp_tls_listener_ops = { .accepted = tls_accepted };

struct mdp_tcp_conn *
mdp_tls_connect(struct mdp_worker *w, uint32_t raddr, uint16_t rport, SSL_CTX *ctx,
		const char *sni, const char *const *ids, unsigned n_ids, SSL_SESSION **cache,
		const struct mdp_tcp_app_ops *ops, void *ctx_app, int *err)
{
	struct mdp_tls_sess *s = sess_new(w);
	struct mdp_tcp_conn *c;

	if (s == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	s->app_ops = ops;
	s->app_ctx = ctx_app;
	s->flags = F_APP_TOLD;	/* the application holds the handle from now */
	if (ssl_new(s, ctx, false) < 0 ||
	    mdp_tls_client_prepare(s->ssl, sni, ids, n_ids) < 0) {
		ERR_clear_error();
		sess_release(s);
		*err = -ENOMEM;
		return NULL;
	}
	/* resume the endpoint's last session when it still fits (lib/tls
	 * checks bundle, policy and the accepted identities) */
	if (cache != NULL && *cache != NULL && mdp_tls_client_set_session(s->ssl, *cache) < 0) {
		SSL_SESSION_free(*cache);
		*cache = NULL;
	}
	s->cache = cache;
	c = mdp_tcp_connect(w, raddr, rport, &tls_conn_ops, NULL, err);
	if (c == NULL) {
		sess_release(s);
		return NULL;
	}
	s->c = c;
	c->tls = s;
	return c;
}

/* ---- the application's calls ---- */

int
mdp_tls_send(struct mdp_tcp_conn *c, struct rte_mbuf *m)
{
	struct mdp_tls_sess *s = sess_of(c);
	uint32_t len = rte_pktmbuf_pkt_len(m), need;

	if (s->state == S_HS || s->state == S_SNIFF)
		return -ENOTCONN;
	if (s->state != S_OPEN || (s->flags & F_CN_TX))
		return -EPIPE;
	if (len == 0) {
		rte_pktmbuf_free(m);
		return 0;
	}
	need = s->txq_len + len + n_records(s->txq_len + len) * rec_overhead(s);
	if (need > mdp_tcp_raw_send_space(c)) {
		s->flags |= F_WANT_WRITE;
		mdp_tcp_raw_want_writable(c);
		return -ENOBUFS;
	}
	/* On an error the chain stays the caller's (tcp.h), and the caller
	 * closes the connection: nothing is torn down under it here. */
	/* TLS 1.3 keys are renewed long before AES-GCM's limit (RFC 8446 5.5):
	 * a KeyUpdate of our own once enough records went */
	if ((s->flags & (F_TX_OURS | F_TLS13)) == (F_TX_OURS | F_TLS13) &&
	    s->tx.seq >= MDP_TLS_KEY_UPDATE_SEQ && send_key_update(s) < 0)
		return -EPIPE;
	/* Queued, sealed at the end of the loop iteration with whatever else
	 * the application sends meanwhile (mdp_tls_flush()): a response head
	 * and its body, or the segments of one burst, become one record
	 * instead of one each, and TCP sends full segments instead of a
	 * 22-byte tail per record. */
	if (s->txq_head == NULL)
		s->txq_head = m;
	else
		s->txq_tail->next = m;
	s->txq_tail = rte_pktmbuf_lastseg(m);
	s->txq_len += len;
	if (!s->in_flush) {
		s->in_flush = true;
		s->flush_next = s->tw->flush;
		s->tw->flush = s;
	}
	return 0;
}

uint32_t
mdp_tls_send_space(const struct mdp_tcp_conn *c)
{
	const struct mdp_tls_sess *s = sess_of(c);
	uint32_t raw = mdp_tcp_raw_send_space(c), ovh, n;

	if (s->state != S_OPEN)
		return 0;
	ovh = rec_overhead(s);
	n = raw / (MDP_TLS_MAX_PLAIN + ovh) + 1;
	raw = raw > n * ovh ? raw - n * ovh : 0;
	return raw > s->txq_len ? raw - s->txq_len : 0;
}

void
mdp_tls_want_writable(struct mdp_tcp_conn *c)
{
	struct mdp_tls_sess *s = sess_of(c);

	s->flags |= F_WANT_WRITE;
	mdp_tcp_raw_want_writable(c);
}

void
mdp_tls_recved(struct mdp_tcp_conn *c, uint32_t n)
{
	struct mdp_tls_sess *s = sess_of(c);
	uint64_t give;

	if (n == 0 || s->pt_held == 0)
		return;
	if (n >= s->pt_held) {
		give = s->ct_held;
		s->pt_held = 0;
	} else {
		give = s->ct_held * n / s->pt_held;
		s->pt_held -= n;
	}
	s->ct_held -= give;
	if (give > 0)
		mdp_tcp_raw_recved(c, (uint32_t)give);
}

void
mdp_tls_close(struct mdp_tcp_conn *c)
{
	struct mdp_tls_sess *s = sess_of(c);

	if (s->state == S_OPEN && !(s->flags & F_CN_TX)) {
		static const uint8_t close_notify[2] = { 1, 0 };

		s->flags |= F_CN_TX;
		if (s->flags & F_TX_OURS) {
			/* pending data, then close_notify (send_small flushes) */
			if (send_small(s, REC_ALERT, close_notify, 2) == 0)
				TLS_CNT(s, TLS_CLOSE_NOTIFY_TX);
		} else if (s->ssl != NULL) {
			(void)flush_one(s);	/* pending data before close_notify */
			(void)SSL_shutdown(s->ssl);
			if (flush_wbio(s) > 0)
				TLS_CNT(s, TLS_CLOSE_NOTIFY_TX);
			ERR_clear_error();
		}
	}
	mdp_tcp_raw_close(c);
}

void
mdp_tls_set_ctx(struct mdp_tcp_conn *c, const struct mdp_tcp_app_ops *ops, void *ctx)
{
	struct mdp_tls_sess *s = sess_of(c);

	s->app_ops = ops;
	s->app_ctx = ctx;
}

void *
mdp_tls_ctx(const struct mdp_tcp_conn *c)
{
	return sess_of(c)->app_ctx;
}

const char *
mdp_tls_conn_peer_id(const struct mdp_tcp_conn *c, size_t *len)
{
	const struct mdp_tls_sess *s = c->tls;

	if (s == NULL || s->peer_id_len == 0) {
		*len = 0;
		return NULL;
	}
	*len = s->peer_id_len;
	return s->peer_id;
}

const char *
mdp_tls_conn_sni(const struct mdp_tcp_conn *c, size_t *len)
{
	const struct mdp_tls_sess *s = c->tls;

	if (s == NULL || s->sni_len == 0) {
		*len = 0;
		return NULL;
	}
	*len = s->sni_len;
	return s->sni;
}

void
mdp_tls_conn_drop(struct mdp_tcp_conn *c)
{
	struct mdp_tls_sess *s = c->tls;

	if (s == NULL)
		return;
	c->tls = NULL;
	s->state = S_DEAD;
	if (s->busy == 0)
		sess_release(s);
}

/* ---- per worker ---- */

void
mdp_tls_flush(struct mdp_worker *w)
{
	struct mdp_tls_worker *tw = w->tls;
	struct mdp_tls_sess *s, *keep = NULL;

	while ((s = tw->flush) != NULL) {
		tw->flush = s->flush_next;
		s->in_flush = false;
		if (flush_one(s) < 0 && s->txq_len > 0) {
			/* waits for room (writable) or mbufs: tried again */
			s->in_flush = true;
			s->flush_next = keep;
			keep = s;
		}
	}
	tw->flush = keep;
}

struct mdp_tls_lsn_state *
mdp_tls_lsn_state(struct mdp_worker *w, unsigned idx)
{
	return &w->tls->lsn[idx];
}

int
mdp_tls_worker_init(struct mdp_worker *w)
{
	struct mdp_tls_worker *tw;

	tw = rte_zmalloc_socket("mdp_tls", sizeof(*tw), 64, (int)rte_lcore_to_socket_id(w->lcore));
	if (tw == NULL)
		return -ENOMEM;
	tw->mgr = mdp_crypto_mgr_new();
	if (tw->mgr == NULL) {
		rte_free(tw);
		return -ENOMEM;
	}
	tw->w = w;
	w->tls = tw;
	return 0;
}

void
mdp_tls_worker_fini(struct mdp_worker *w)
{
	struct mdp_tls_worker *tw = w->tls;

	if (tw == NULL)
		return;
	while (tw->free != NULL) {
		struct mdp_tls_sess *s = tw->free;

		tw->free = s->next_free;
		rte_free(s);
	}
	mdp_crypto_mgr_free(tw->mgr);
	rte_free(tw);
	w->tls = NULL;
}
