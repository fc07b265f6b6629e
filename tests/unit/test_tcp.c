/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "conf/mdp_config.h"
#include "dp.h"
#include "dp_counters.h"
#include "fake_dp.h"
#include "net/mdp_arp_table.h"
#include "net/net.h"
#include "tcp/tcp_priv.h"
#include "timer/mdp_timer.h"
#include "unit.h"

/*
 * The TCP state machine without a network (STYLE.md, tests): a fake wire
 * and a fake clock.
 *
 * The wire: one worker of the fake dataplane (tests/common/fake_dp.h) with
 * its TCP stack. A "peer" at 198.18.0.1 (its ARP entry learnt beforehand,
 * so that what the stack sends lands in the worker's TX queue) sends
 * Ethernet/IPv4/TCP frames built here byte by byte, with their checksums,
 * through mdp_eth_input(). Every segment the stack emits is taken from the
 * TX queue, its headers and checksums verified byte by byte, and its
 * fields, options and payload asserted exactly.
 *
 * The clock: the worker's timing wheel, which carries every TCP timer, is
 * advanced by hand (one tick = timer_tick_us = 1 ms). Only RTT samples read
 * the TSC (tcp_now_us()); tests avoid depending on their value: with
 * timestamps negotiated and no data acknowledged yet the RTO is the initial
 * one, and where a sample is taken the RTO is asserted to be the floor
 * (min_rto_ms), which any RTT below 66 ms gives.
 *
 * Bugs found by these tests that are not fixed have their own test
 * functions, named bug_*, kept out of tests[] (see the end of the file).
 */

#define NB_MBUF MDP_FAKE_NB_MBUF

static struct mdp_fake_dp fk;
static struct rte_mempool *pool;
static struct mdp_worker *w;
static const struct mdp_port *const port0 = &fk.dp.ports[0];
static struct mdp_config cfg;
static const struct mdp_siphash_key key = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };

#define OUR_IP MDP_FAKE_IP	/* 198.18.0.2 */
#define PEER_IP 0xc6120001u	/* 198.18.0.1 */
#define OFFLINK_IP 0x0a010203u	/* 10.1.2.3: no route */

#define APP_PORT 80		/* a listener whose connections the test app gets */
#define ECHO_PORT 7
#define DISCARD_PORT 9
#define CLOSED_PORT 81		/* nobody listens */
#define REMOTE_PORT 8080	/* where active connections go */
#define EPHEMERAL0 49152	/* worker 0's first ephemeral port */

static const uint8_t our_mac[6] = MDP_FAKE_MAC;
static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/* TCP flags (RFC 9293 3.1) */
#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

#define ETH_LEN 14
#define IP_LEN 20
#define TCP_LEN 20

/* the payloads: what the peer sends, what the application sends */
static uint8_t pin[65536];
static uint8_t pout[65536];

/* ---- bytes ---- */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* RFC 1071: 32-bit accumulation of 16-bit big-endian words. */
static uint32_t
sum_add(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
sum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The TCP checksum field value for a segment (RFC 9293 3.1 pseudo-header). */
static uint16_t
tcp_csum(uint32_t src, uint32_t dst, const uint8_t *seg, size_t len)
{
	uint8_t ph[12];

	put32(ph, src);
	put32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = 6;
	put16(ph + 10, (uint16_t)len);
	return (uint16_t)~sum_fold(sum_add(sum_add(0, ph, sizeof(ph)), seg, len));
}

/* ---- the peer's frames ---- */

struct tseg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *opt;	/* raw options, olen a multiple of 4 */
	uint8_t olen;
	const uint8_t *data;
	uint32_t len;
	bool bad_csum;		/* flip the TCP checksum */
	int doff;		/* data offset in words when not 0 (malformed headers) */
	int ip_tcp_len;		/* IP total length - 20 when not 0 (truncated TCP) */
};

static uint16_t ip_id;

static size_t
tcp_frame(uint8_t *f, const struct tseg *s)
{
	uint8_t *ip = f + ETH_LEN, *th = ip + IP_LEN;
	size_t thlen = TCP_LEN + s->olen, seglen = thlen + s->len;

	CU_ASSERT_FATAL(s->olen % 4 == 0 && s->olen <= 40);
	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(IP_LEN + (s->ip_tcp_len ? (size_t)s->ip_tcp_len : seglen)));
	put16(ip + 4, ip_id++);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	put16(ip + 10, 0);
	put32(ip + 12, PEER_IP);
	put32(ip + 16, OUR_IP);
	put16(ip + 10, (uint16_t)~sum_fold(sum_add(0, ip, IP_LEN)));
	put16(th, s->sport);
	put16(th + 2, s->dport);
	put32(th + 4, s->seq);
	put32(th + 8, s->ack);
	th[12] = (uint8_t)((s->doff ? (unsigned)s->doff : thlen / 4) << 4);
	th[13] = s->flags;
	put16(th + 14, s->win);
	put16(th + 16, 0);
	put16(th + 18, 0);
	if (s->olen)
		memcpy(th + TCP_LEN, s->opt, s->olen);
	if (s->len)
		memcpy(th + thlen, s->data, s->len);
	put16(th + 16, tcp_csum(PEER_IP, OUR_IP, th, seglen));
	if (s->bad_csum)
		th[17] ^= 0x5a;
	return ETH_LEN + IP_LEN + seglen;
}

static void
wire_in(const struct tseg *s)
{
	static uint8_t f[ETH_LEN + IP_LEN + 60 + 4096];
	struct rte_mbuf *m;
	size_t len;
	char *d;

	CU_ASSERT_FATAL(s->len <= 4096);
	len = tcp_frame(f, s);
	m = rte_pktmbuf_alloc(pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	d = rte_pktmbuf_append(m, (uint16_t)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	memcpy(d, f, len);
	mdp_eth_input(w, port0, m);
	CU_ASSERT_FATAL(w->txq[0].n < w->burst);
}

/* SYN options in the layout Linux sends: MSS, SACK_OK + TS (or NOP NOP TS,
 * or NOP NOP SACK_OK), NOP WS. */
struct synopt {
	uint16_t mss;		/* 0: none */
	int ws;			/* < 0: none */
	bool sack;
	bool ts;
};

static uint8_t
syn_opts(uint8_t *o, const struct synopt *so, uint32_t tsval, uint32_t tsecr)
{
	uint8_t *p = o;

	if (so->mss) {
		p[0] = 2;
		p[1] = 4;
		put16(p + 2, so->mss);
		p += 4;
	}
	if (so->ts) {
		p[0] = so->sack ? 4 : 1;
		p[1] = so->sack ? 2 : 1;
		p[2] = 8;
		p[3] = 10;
		put32(p + 4, tsval);
		put32(p + 8, tsecr);
		p += 12;
	} else if (so->sack) {
		p[0] = 1;
		p[1] = 1;
		p[2] = 4;
		p[3] = 2;
		p += 4;
	}
	if (so->ws >= 0) {
		p[0] = 1;
		p[1] = 3;
		p[2] = 3;
		p[3] = (uint8_t)so->ws;
		p += 4;
	}
	return (uint8_t)(p - o);
}

/*
 * The remote end of one connection. seq is the peer's next sequence number
 * and ack what it acknowledges; psend() advances seq. With ts, every
 * segment carries NOP NOP TS(tsval, tsecr), tsecr being the last TSval the
 * stack sent on this connection (pull() keeps it).
 */
struct peer {
	uint16_t sport;		/* the peer's port */
	uint16_t dport;		/* ours */
	uint32_t seq;
	uint32_t ack;
	uint16_t win;
	bool ts;
	uint32_t tsval;
	uint32_t tsecr;
};

static void
peer_init(struct peer *p, uint16_t sport, uint16_t dport, uint32_t isn)
{
	memset(p, 0, sizeof(*p));
	p->sport = sport;
	p->dport = dport;
	p->seq = isn;
	p->win = 65535;
	p->tsval = 100;
}

/* One segment from p with explicit seq and ack (p->seq is not moved). */
static void
pkt(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack, const uint8_t *data,
    uint32_t len)
{
	uint8_t o[12];
	struct tseg s = {
		.sport = p->sport, .dport = p->dport, .seq = seq, .ack = ack, .flags = flags,
		.win = p->win, .data = data, .len = len,
	};

	if (p->ts) {
		o[0] = 1;
		o[1] = 1;
		o[2] = 8;
		o[3] = 10;
		put32(o + 4, p->tsval);
		put32(o + 8, p->tsecr);
		s.opt = o;
		s.olen = 12;
	}
	wire_in(&s);
}

/* The next segment of p's stream: seq p->seq, ack p->ack. */
static void
psend(struct peer *p, uint8_t flags, const uint8_t *data, uint32_t len)
{
	pkt(p, flags, p->seq, p->ack, data, len);
	p->seq += len + ((flags & SYN) ? 1 : 0) + ((flags & FIN) ? 1 : 0);
}

/* ---- what the stack sends ---- */

struct oseg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint8_t olen;
	uint8_t opt[40];
	uint32_t len;
	uint8_t data[2048];
	uint16_t nb_segs;	/* of the mbuf it came in */
	/* the options, parsed here */
	int mss;		/* -1: none */
	int ws;			/* -1: none */
	bool sack_ok;
	bool ts;
	uint32_t tsval, tsecr;
	unsigned n_sack;
	uint32_t sack[4][2];
};

static struct oseg out[64];

/* Check and parse one frame; every header field not carried into o is
 * verified here. */
static void
oseg_parse(struct rte_mbuf *m, struct oseg *o)
{
	static uint8_t f[2048];
	uint32_t n = rte_pktmbuf_pkt_len(m), doff, tot;
	const uint8_t *ip = f + ETH_LEN, *th = ip + IP_LEN, *d;
	unsigned i;

	memset(o, 0, sizeof(*o));
	CU_ASSERT_FATAL(n >= ETH_LEN + IP_LEN + TCP_LEN && n <= sizeof(f));
	d = rte_pktmbuf_read(m, 0, n, f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	if (d != f)
		memcpy(f, d, n);
	o->nb_segs = m->nb_segs;
	CU_ASSERT_FATAL(memcmp(f, peer_mac, 6) == 0 && memcmp(f + 6, our_mac, 6) == 0);
	CU_ASSERT_FATAL(get16(f + 12) == 0x0800);
	/* IPv4: no options, DF, TTL 64, TCP, our address to the peer's */
	CU_ASSERT_FATAL(ip[0] == 0x45 && ip[1] == 0);
	tot = get16(ip + 2);
	CU_ASSERT_FATAL(tot == n - ETH_LEN);
	CU_ASSERT_FATAL(get16(ip + 6) == 0x4000 && ip[8] == 64 && ip[9] == 6);
	CU_ASSERT_FATAL(get32(ip + 12) == OUR_IP && get32(ip + 16) == PEER_IP);
	CU_ASSERT_FATAL(sum_fold(sum_add(0, ip, IP_LEN)) == 0xffff);
	/* TCP */
	doff = (uint32_t)(th[12] >> 4) * 4;
	CU_ASSERT_FATAL((th[12] & 0x0f) == 0 && doff >= TCP_LEN && IP_LEN + doff <= tot);
	CU_ASSERT_FATAL(tcp_csum(OUR_IP, PEER_IP, th, tot - IP_LEN) == 0);
	CU_ASSERT_FATAL(get16(th + 18) == 0);	/* urgent pointer */
	o->sport = get16(th);
	o->dport = get16(th + 2);
	o->seq = get32(th + 4);
	o->ack = get32(th + 8);
	o->flags = th[13];
	o->win = get16(th + 14);
	o->olen = (uint8_t)(doff - TCP_LEN);
	memcpy(o->opt, th + TCP_LEN, o->olen);
	o->len = tot - IP_LEN - doff;
	memcpy(o->data, th + doff, o->len);
	/* options, which must be well formed */
	o->mss = -1;
	o->ws = -1;
	for (i = 0; i < o->olen;) {
		uint8_t kind = o->opt[i], l;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		CU_ASSERT_FATAL(i + 1 < o->olen);
		l = o->opt[i + 1];
		CU_ASSERT_FATAL(l >= 2 && i + l <= o->olen);
		switch (kind) {
		case 2:
			CU_ASSERT_FATAL(l == 4);
			o->mss = get16(o->opt + i + 2);
			break;
		case 3:
			CU_ASSERT_FATAL(l == 3);
			o->ws = o->opt[i + 2];
			break;
		case 4:
			CU_ASSERT_FATAL(l == 2);
			o->sack_ok = true;
			break;
		case 5:
			CU_ASSERT_FATAL(l >= 10 && (l - 2) % 8 == 0 && o->n_sack == 0);
			for (unsigned b = 0; b < (unsigned)(l - 2) / 8; b++) {
				o->sack[b][0] = get32(o->opt + i + 2 + 8 * b);
				o->sack[b][1] = get32(o->opt + i + 6 + 8 * b);
			}
			o->n_sack = (unsigned)(l - 2) / 8;
			break;
		case 8:
			CU_ASSERT_FATAL(l == 10);
			o->ts = true;
			o->tsval = get32(o->opt + i + 2);
			o->tsecr = get32(o->opt + i + 6);
			break;
		default:
			CU_FAIL_FATAL("unknown option kind sent");
		}
		i += l;
	}
}

static unsigned
txn(void)
{
	return w->txq[0].n;
}

static void
tx_clear(void)
{
	mdp_fake_dp_tx_clear(&fk);
}

/*
 * Take everything the stack queued: parse it into out[], empty the TX
 * queue, and return the count. With p, segments of p's connection update
 * p->tsecr (the peer echoes the latest TSval, RFC 7323 4.3).
 */
static unsigned
pull(struct peer *p)
{
	unsigned n = txn();

	CU_ASSERT_FATAL(n <= sizeof(out) / sizeof(out[0]));
	for (unsigned i = 0; i < n; i++) {
		oseg_parse(w->txq[0].pkts[i], &out[i]);
		if (p != NULL && out[i].ts && out[i].sport == p->dport && out[i].dport == p->sport)
			p->tsecr = out[i].tsval;
	}
	tx_clear();
	return n;
}

#define WIN_ANY 0x10000u	/* a window not asserted (RSTs) */

/* o is a segment of p's connection with these values. */
static void
seg_check_at(const struct peer *p, const struct oseg *o, uint8_t flags, uint32_t seq,
	     uint32_t ack, uint32_t win, uint32_t len, unsigned line)
{
	bool ok = o->sport == p->dport && o->dport == p->sport && o->flags == flags &&
		  o->seq == seq && o->ack == ack && (win == WIN_ANY || o->win == win) &&
		  o->len == len;

	if (!ok)
		fprintf(stderr,
			"\n%s:%u: segment %u->%u flags %#x seq %u ack %u win %u len %u; "
			"want %u->%u flags %#x seq %u ack %u win %u len %u",
			__FILE__, line, o->sport, o->dport, o->flags, o->seq, o->ack, o->win, o->len,
			p->dport, p->sport, flags, seq, ack, win, len);
	CU_assertImplementation(ok, line, "segment as expected", __FILE__, "", CU_FALSE);
}

/* out[i] (SEG) or *o (SEG_OF) is a segment of p's connection with these
 * flags, sequence and acknowledgment numbers, window field and length. */
#define SEG_OF(p, o, fl, sq, ak, wn, ln) \
	seg_check_at((p), (o), (fl), (sq), (ak), (wn), (ln), __LINE__)
#define SEG(p, i, fl, sq, ak, wn, ln) SEG_OF((p), &out[i], (fl), (sq), (ak), (wn), (ln))

/* o's options are exactly the n bytes want. */
static void
opt_check_at(const struct oseg *o, const uint8_t *want, unsigned n, unsigned line)
{
	bool ok = o->olen == n && memcmp(o->opt, want, n) == 0;

	if (!ok) {
		fprintf(stderr, "\n%s:%u: options:", __FILE__, line);
		for (unsigned k = 0; k < o->olen; k++)
			fprintf(stderr, " %02x", o->opt[k]);
		fprintf(stderr, "; want");
		for (unsigned k = 0; k < n; k++)
			fprintf(stderr, " %02x", want[k]);
	}
	CU_assertImplementation(ok, line, "options as expected", __FILE__, "", CU_FALSE);
}

#define OPTS_OF(o, ...) \
	opt_check_at((o), (const uint8_t[]){ __VA_ARGS__ }, \
		     sizeof((const uint8_t[]){ __VA_ARGS__ }), __LINE__)
#define OPTS(i, ...) OPTS_OF(&out[i], __VA_ARGS__)
#define NO_OPTS(i) CU_ASSERT_EQUAL(out[i].olen, 0)
/* a 32-bit value as four option bytes */
#define B32(v) (uint8_t)((v) >> 24), (uint8_t)((v) >> 16), (uint8_t)((v) >> 8), (uint8_t)(v)

/* A non-SYN segment with timestamps: exactly NOP NOP TS, echoing tsecr. */
static void
ts_check_at(unsigned i, uint32_t tsecr, unsigned line)
{
	const struct oseg *o = &out[i];
	bool ok = o->olen == 12 && o->opt[0] == 1 && o->opt[1] == 1 && o->opt[2] == 8 &&
		  o->opt[3] == 10 && o->tsecr == tsecr;

	CU_assertImplementation(ok, line, "NOP NOP TS with the right TSecr", __FILE__, "",
				CU_FALSE);
}

#define TS_ONLY(i, ecr) ts_check_at((i), (ecr), __LINE__)

/* out[i] carries payload src[0..len) */
#define PAYLOAD(i, src, n) \
	do { \
		CU_ASSERT_EQUAL(out[i].len, (n)); \
		CU_ASSERT_EQUAL(memcmp(out[i].data, (src), (n)), 0); \
	} while (0)

/* ---- counters ---- */

#define CNT(sym) (w->cnt.port[0][MDP_CNT_##sym])

static void
cnt_clear(void)
{
	memset(&w->cnt, 0, sizeof(w->cnt));
}

struct cv {
	int id;
	uint64_t v;
};

/* The port's counters are exactly `want`, all others zero; then cleared. */
static void
cnt_expect_at(const struct cv *want, unsigned line)
{
	uint64_t exp[MDP_CNT_COUNT] = { 0 };
	bool ok = true;

	for (; want->id >= 0; want++)
		exp[want->id] = want->v;
	for (int i = 0; i < MDP_CNT_COUNT; i++) {
		if (w->cnt.port[0][i] != exp[i]) {
			fprintf(stderr, "\n%s:%u: counter %s = %llu, want %llu", __FILE__, line,
				mdp_cnt_desc[i].name, (unsigned long long)w->cnt.port[0][i],
				(unsigned long long)exp[i]);
			ok = false;
		}
	}
	CU_assertImplementation(ok, line, "counters as expected", __FILE__, "", CU_FALSE);
	cnt_clear();
}

#define EXPECT_CNT(...) cnt_expect_at((const struct cv[]){ __VA_ARGS__, { -1, 0 } }, __LINE__)
#define C(sym, v) { MDP_CNT_##sym, (v) }

/* ---- the application ---- */

struct app {
	struct mdp_tcp_conn *c;	/* the last connection it got; NULL once closed */
	unsigned accepted, connected, peer_closed, closed, writable, data_calls;
	int err;		/* of the last `closed` */
	bool hold;		/* keep what arrives: no mdp_tcp_recved() */
	uint32_t held;
	uint32_t rx_len;
	uint8_t rx[65536];
};

static struct app app;

static void
app_data(struct mdp_tcp_conn *c, struct rte_mbuf *m)
{
	struct app *a = mdp_tcp_ctx(c);
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const void *d;

	CU_ASSERT_FATAL(a->rx_len + len <= sizeof(a->rx));
	d = rte_pktmbuf_read(m, 0, len, a->rx + a->rx_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	if (d != a->rx + a->rx_len)
		memcpy(a->rx + a->rx_len, d, len);
	a->rx_len += len;
	a->data_calls++;
	rte_pktmbuf_free(m);
	if (a->hold)
		a->held += len;
	else
		mdp_tcp_recved(c, len);
}

static void
app_connected(struct mdp_tcp_conn *c)
{
	struct app *a = mdp_tcp_ctx(c);

	a->connected++;
	a->c = c;
}

static void
app_writable(struct mdp_tcp_conn *c)
{
	((struct app *)mdp_tcp_ctx(c))->writable++;
}

static void
app_peer_closed(struct mdp_tcp_conn *c)
{
	((struct app *)mdp_tcp_ctx(c))->peer_closed++;
}

static void
app_closed(struct mdp_tcp_conn *c, int err)
{
	struct app *a = mdp_tcp_ctx(c);

	a->closed++;
	a->err = err;
	if (a->c == c)
		a->c = NULL;
}

static const struct mdp_tcp_app_ops app_ops = {
	.connected = app_connected,
	.data = app_data,
	.writable = app_writable,
	.peer_closed = app_peer_closed,
	.closed = app_closed,
};

static void
app_accepted(struct mdp_tcp_conn *c, void *lctx)
{
	struct app *a = lctx;

	a->accepted++;
	a->c = c;
	mdp_tcp_set_ctx(c, &app_ops, a);
}

static const struct mdp_tcp_app_ops app_listener_ops = { .accepted = app_accepted };

/* The application sends pout[off, off + len) as a chain of mbufs of at
 * most `piece` bytes; returns mdp_tcp_send()'s result (the chain is freed
 * here when refused). */
static int
app_send_pieces(struct mdp_tcp_conn *c, uint32_t off, uint32_t len, uint32_t piece)
{
	struct rte_mbuf *head = NULL;
	int rc;

	while (len > 0 || head == NULL) {
		uint32_t n = len < piece ? len : piece;
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		char *d;

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		d = rte_pktmbuf_append(m, (uint16_t)n);
		CU_ASSERT_FATAL(d != NULL || n == 0);
		if (n)
			memcpy(d, pout + off, n);
		if (head == NULL)
			head = m;
		else
			CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(head, m), 0);
		off += n;
		len -= n;
	}
	rc = mdp_tcp_send(c, head);
	if (rc != 0)
		rte_pktmbuf_free(head);
	return rc;
}

static int
app_send(struct mdp_tcp_conn *c, uint32_t off, uint32_t len)
{
	return app_send_pieces(c, off, len, 700);
}

/* ---- the worker, its stack and its clock ---- */

static const struct mdp_arp_params arp_params = {
	.entries = 16,
	.pending_max = 4,
	.pending_total_max = 16,
	.retries = 3,
	.retry_ticks = 1000,
	.timeout_ticks = 1ull << 40,	/* the peer's entry never ages in a test */
};

/* The test configuration: defaults, a small pool, and three listeners:
 * port 80 for the test application, echo on 7, discard on 9. */
static void
cfg_reset(void)
{
	mdp_config_defaults(&cfg);
	cfg.tcp.max_conns = 8;
	cfg.n_listeners = 3;
	snprintf(cfg.listeners[0].name, sizeof(cfg.listeners[0].name), "app");
	cfg.listeners[0].kind = MDP_LISTENER_DISCARD;	/* ops replaced in start() */
	cfg.listeners[0].port = APP_PORT;
	snprintf(cfg.listeners[1].name, sizeof(cfg.listeners[1].name), "echo");
	cfg.listeners[1].kind = MDP_LISTENER_ECHO;
	cfg.listeners[1].port = ECHO_PORT;
	snprintf(cfg.listeners[2].name, sizeof(cfg.listeners[2].name), "discard");
	cfg.listeners[2].kind = MDP_LISTENER_DISCARD;
	cfg.listeners[2].port = DISCARD_PORT;
}

static void
stack_stop(void)
{
	if (w->tcp != NULL)
		mdp_tcp_stack_fini(w);
	tx_clear();
}

/* A fresh worker (wheel at tick 0, counters zero, the peer's MAC known)
 * and a TCP stack built from cfg. */
static void
start(void)
{
	stack_stop();
	CU_ASSERT_EQUAL_FATAL(mdp_fake_dp_reset(&fk, &arp_params), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mdp_arp_learn(w->arp, 0, PEER_IP, peer_mac, true));
	CU_ASSERT_EQUAL_FATAL(mdp_tcp_stack_init(w, &key), 0);
	CU_ASSERT_EQUAL_FATAL(w->tcp->n_lsn, 3);
	CU_ASSERT_EQUAL_FATAL(w->tcp->lsn[0].port, APP_PORT);
	w->tcp->lsn[0].ops = &app_listener_ops;
	w->tcp->lsn[0].ctx = &app;
	memset(&app, 0, sizeof(app));
	cnt_clear();
}

static void
setup(void)
{
	cfg_reset();
	start();
}

/* End of a test: every emitted segment was checked, and once the stack is
 * gone every mbuf is back. */
static void
finish(void)
{
	CU_ASSERT_EQUAL(txn(), 0);
	stack_stop();
	mdp_arp_flush_all(w->arp);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), NB_MBUF);
}

static uint64_t
now(void)
{
	return w->wheel.now;
}

/* Move the clock to tick t. */
static void
tick_to(uint64_t t)
{
	mdp_wheel_advance(&w->wheel, t);
	CU_ASSERT_FATAL(txn() < w->burst);
}

static struct mdp_tcp_conn *
conn_of(const struct peer *p)
{
	struct mdp_tcp_tuple t = {
		.laddr = OUR_IP, .raddr = PEER_IP, .lport = p->dport, .rport = p->sport,
	};

	return mdp_tcp_conn_lookup(w->tcp, &t);
}

static uint32_t
pool_free(void)
{
	return w->tcp->n_free;
}

static struct mdp_tcp_listener *
lsn_of(uint16_t port)
{
	return mdp_tcp_listener_find(w->tcp, OUR_IP, port);
}

static struct oseg synack;	/* the last SYN-ACK open_passive() saw */

/*
 * The peer p opens a connection to p->dport with SYN options so (TSval
 * p->tsval); the SYN-ACK is checked for the fields every SYN-ACK has, and
 * the peer's ACK completes the handshake. p->ack becomes our ISS + 1 and
 * p->ts follows what was negotiated. Returns the ESTABLISHED connection.
 */
static struct mdp_tcp_conn *
open_passive(struct peer *p, const struct synopt *so)
{
	uint8_t o[40];
	struct tseg s = {
		.sport = p->sport, .dport = p->dport, .seq = p->seq, .flags = SYN, .win = p->win,
		.opt = o,
	};
	struct mdp_tcp_conn *c;

	s.olen = syn_opts(o, so, p->tsval, 0);
	wire_in(&s);
	p->seq++;
	CU_ASSERT_EQUAL_FATAL(pull(p), 1);
	synack = out[0];
	CU_ASSERT_EQUAL_FATAL(synack.flags, SYN | ACK);
	CU_ASSERT_EQUAL_FATAL(synack.ack, p->seq);
	CU_ASSERT_EQUAL_FATAL(synack.len, 0);
	p->ack = synack.seq + 1;
	p->ts = so->ts && synack.ts;
	psend(p, ACK, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(pull(p), 0);
	c = conn_of(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(c->state, MDP_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(c->iss, synack.seq);
	return c;
}

/* Wait, if needed, for a TSC second with at least 200 ms left, so that a
 * burst of challenge ACKs (limited per second of tcp_now_us()) falls in
 * one second. Returns that second. */
static uint64_t
fresh_second(void)
{
	uint64_t us;

	while ((us = tcp_now_us(w->tcp)) % 1000000 > 800000)
		rte_pause();
	return us / 1000000;
}
