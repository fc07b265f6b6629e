/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp.h"
#include "dp_counters.h"
#include "net/mdp_arp_table.h"
#include "net/net.h"
#include "timer/mdp_timer.h"
#include "unit.h"

/*
 * L2/L3 input of one worker, driven with crafted frames. A fake dataplane
 * has one port that exists only on paper: input functions are called
 * directly and what they queue for TX is read back from the worker's TX
 * queue (which never fills up to a burst, so no real device is touched).
 * Frames are built and checked byte by byte at RFC offsets rather than
 * through DPDK's structs, and checksums are verified with our own RFC 1071
 * sum. The mbuf pool has no per-core cache, so every test can assert that
 * each mbuf came back.
 */

#define NB_MBUF 1023

static struct rte_mempool *pool;
static struct mdp_dp dp;
static struct mdp_conf_port conf_port;
static struct mdp_worker *w;
static bool eal_up;

#define OUR_IP 0xc6120002u	/* 198.18.0.2/24 */
#define OUR_MASK 0xffffff00u
#define N1_IP 0xc6120001u	/* a neighbour we learn */
#define N3_IP 0xc6120003u	/* a neighbour nobody knows yet */
#define OTHER_IP 0xc6120063u	/* 198.18.0.99: on link, not ours */
#define OFFLINK_IP 0x0a010203u	/* 10.1.2.3 */

static const uint8_t our_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t n1_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t n1_mac2[6] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x01 };
static const uint8_t n3_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x03 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[6];
static const uint8_t mcast_mac[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t other_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 };

/* Byte offsets in a frame (Ethernet II, ARP RFC 826, IPv4 RFC 791, ICMP). */
#define ETH_LEN 14
#define ARP_LEN 28
#define IP_LEN 20
#define ICMP_LEN 8
#define O_TYPE 12
#define O_ARP ETH_LEN
#define O_IP ETH_LEN

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

/* RFC 1071 sum of n bytes, folded, not complemented (0xffff: verifies). */
static uint16_t
sum16(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* ---- frames ---- */

static size_t
eth_put(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + O_TYPE, type);
	return ETH_LEN;
}

struct arp_spec {
	const uint8_t *eth_dst;
	const uint8_t *eth_src;
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	const uint8_t *sha;
	uint32_t sip;
	const uint8_t *tha;
	uint32_t tip;
};

/* An ARP request from a to b unless the spec says otherwise. */
static size_t
arp_put(uint8_t *f, const struct arp_spec *s)
{
	uint8_t *a = f + O_ARP;

	eth_put(f, s->eth_dst ? s->eth_dst : bcast_mac, s->eth_src ? s->eth_src : s->sha, 0x0806);
	put16(a, s->htype ? s->htype : 1);
	put16(a + 2, s->ptype ? s->ptype : 0x0800);
	a[4] = s->hlen ? s->hlen : 6;
	a[5] = s->plen ? s->plen : 4;
	put16(a + 6, s->op ? s->op : 1);
	memcpy(a + 8, s->sha, 6);
	put32(a + 14, s->sip);
	memcpy(a + 18, s->tha ? s->tha : zero_mac, 6);
	put32(a + 24, s->tip);
	return ETH_LEN + ARP_LEN;
}

struct ip_spec {
	const uint8_t *eth_dst;	/* default: our MAC */
	const uint8_t *eth_src;	/* default: n1_mac */
	uint32_t src, dst;
	uint8_t proto;
	uint8_t ttl;		/* 0: 64 */
	uint16_t id;
	uint16_t frag;		/* flags and offset */
	uint8_t opt_len;	/* bytes of options (multiple of 4) */
	const uint8_t *payload;
	size_t plen;
};

static void
ip_fix_csum(uint8_t *ip)
{
	size_t hlen = (size_t)(ip[0] & 0xf) * 4;

	put16(ip + 10, 0);
	put16(ip + 10, (uint16_t)~sum16(ip, hlen));
}

/* An IPv4 frame; returns its length. The header checksum is valid. */
static size_t
ip_put(uint8_t *f, const struct ip_spec *s)
{
	uint8_t *ip = f + O_IP;
	size_t hlen = IP_LEN + s->opt_len;

	eth_put(f, s->eth_dst ? s->eth_dst : our_mac, s->eth_src ? s->eth_src : n1_mac, 0x0800);
	ip[0] = (uint8_t)(0x40 | hlen / 4);
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(hlen + s->plen));
	put16(ip + 4, s->id);
	put16(ip + 6, s->frag);
	ip[8] = s->ttl ? s->ttl : 64;
	ip[9] = s->proto;
	put32(ip + 12, s->src);
	put32(ip + 16, s->dst);
	for (size_t i = 0; i < s->opt_len; i++)
		ip[IP_LEN + i] = 1;	/* NOP */
	if (s->plen)
		memcpy(ip + hlen, s->payload, s->plen);
	ip_fix_csum(ip);
	return ETH_LEN + hlen + s->plen;
}

/* An ICMP echo request to us from src (Ethernet source smac). */
static size_t
echo_put(uint8_t *f, const uint8_t smac[6], uint32_t src, uint16_t ident, uint16_t seq,
	 const uint8_t *data, size_t dlen)
{
	uint8_t icmp[ICMP_LEN + 1500];
	struct ip_spec s = {
		.eth_src = smac, .src = src, .dst = OUR_IP, .proto = 1, .id = 0x1234,
		.frag = 0x4000, .payload = icmp, .plen = ICMP_LEN + dlen,
	};

	icmp[0] = 8;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, ident);
	put16(icmp + 6, seq);
	memcpy(icmp + ICMP_LEN, data, dlen);
	put16(icmp + 2, (uint16_t)~sum16(icmp, ICMP_LEN + dlen));
	return ip_put(f, &s);
}

/* ---- the fake dataplane ---- */

static struct rte_mbuf *
mbuf_of(const uint8_t *f, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	d = rte_pktmbuf_append(m, (uint16_t)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	memcpy(d, f, len);
	return m;
}

static void
input(const uint8_t *f, size_t len)
{
	mdp_eth_input(w, &dp.ports[0], mbuf_of(f, len));
	CU_ASSERT_FATAL(w->txq[0].n < w->burst);
}

static unsigned
txn(void)
{
	return w->txq[0].n;
}

/* Bytes of the i-th queued packet, gathered from its segments. */
static const uint8_t *
txb(unsigned i, uint32_t *len)
{
	static uint8_t buf[4][2048];
	struct rte_mbuf *m = w->txq[0].pkts[i];
	uint32_t n = rte_pktmbuf_pkt_len(m);
	const void *d;

	CU_ASSERT_FATAL(i < 4 && n <= sizeof(buf[0]));
	d = rte_pktmbuf_read(m, 0, n, buf[i]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	if (d != buf[i])
		memcpy(buf[i], d, n);
	if (len != NULL)
		*len = n;
	return buf[i];
}

static void
tx_clear(void)
{
	for (unsigned i = 0; i < w->txq[0].n; i++)
		rte_pktmbuf_free(w->txq[0].pkts[i]);
	w->txq[0].n = 0;
}

static void
cnt_clear(void)
{
	memset(&w->cnt, 0, sizeof(w->cnt));
}

#define CNT(sym) (w->cnt.port[0][MDP_CNT_##sym])

/*
 * Assert the port's counters are exactly `want` (pairs of counter, value,
 * ended by -1), all others zero, then clear them.
 */
struct cv {
	int id;
	uint64_t v;
};

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
	for (int p = 1; p < MDP_MAX_PORTS; p++)
		for (int i = 0; i < MDP_CNT_COUNT; i++)
			ok = ok && w->cnt.port[p][i] == 0;
	CU_assertImplementation(ok, line, "counters as expected", __FILE__, "", CU_FALSE);
	cnt_clear();
}

#define EXPECT_CNT(...) cnt_expect_at((const struct cv[]){ __VA_ARGS__, { -1, 0 } }, __LINE__)
#define C(sym, v) { MDP_CNT_##sym, (v) }

static unsigned
arp_used(void)
{
	return w->arp->used;
}

/* A fresh worker state: empty ARP table, counters and TX queue. */
static void
reset(void)
{
	static const struct mdp_arp_params ap = {
		.entries = 64,
		.pending_max = 4,
		.retries = 3,
		.retry_ticks = 10,
		.timeout_ticks = 1000,
	};

	if (w->arp != NULL) {
		mdp_arp_table_free(w->arp);
		w->arp = NULL;
	}
	mdp_wheel_fini(&w->wheel);
	tx_clear();
	memset(&conf_port, 0, sizeof(conf_port));
	strcpy(conf_port.name, "p0");
	conf_port.addr = OUR_IP;
	conf_port.prefix_len = 24;
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w->wheel, 256, 0), 0);
	w->arp = mdp_arp_table_create(&ap, &w->wheel, &mdp_arp_worker_ops, w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w->arp);
	cnt_clear();
}

/* End of a test: nothing queued, no mbuf lost. */
static void
finish(void)
{
	CU_ASSERT_EQUAL(txn(), 0);
	tx_clear();
	mdp_arp_flush_all(w->arp);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), NB_MBUF);
}

static void
learn_n1(void)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(mdp_arp_learn(w->arp, 0, N1_IP, n1_mac, true));
}

static int
suite_init(void)
{
	char *argv[] = {
		"test_net", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
		"--file-prefix=mdp-unit-net", "--no-telemetry", "--log-level=*:error",
		"-l", "0", NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	struct mdp_port *p = &dp.ports[0];

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "test_net: rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	eal_up = true;
	pool = rte_pktmbuf_pool_create("unit_net", NB_MBUF, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;

	/* as mdp_ports_init() fills it */
	p->idx = 0;
	p->port_id = 0;
	p->conf = &conf_port;
	memcpy(p->mac.addr_bytes, our_mac, 6);
	p->addr = OUR_IP;
	p->mask = OUR_MASK;
	p->net = OUR_IP & OUR_MASK;
	p->bcast = p->net | ~OUR_MASK;
	dp.n_ports = 1;
	dp.pool = pool;

	w = rte_zmalloc("mdp_worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	if (w == NULL)
		return 1;
	w->dp = &dp;
	w->burst = 32;
	w->pool = pool;
	w->idx = 0;
	if (mdp_wheel_init(&w->wheel, 256, 0) != 0)
		return 1;
	dp.workers[0] = w;
	dp.n_workers = 1;
	return 0;
}

static int
suite_fini(void)
{
	if (w != NULL) {
		tx_clear();
		mdp_arp_table_free(w->arp);
		mdp_wheel_fini(&w->wheel);
		rte_free(w);
		w = NULL;
	}
	rte_mempool_free(pool);
	pool = NULL;
	if (eal_up)
		rte_eal_cleanup();
	return 0;
}

/* ---- ARP ---- */

/* The queued frame i is an ARP packet with these fields. */
static void
arp_check_at(unsigned i, const uint8_t eth_dst[6], uint16_t op, const uint8_t sha[6],
	     uint32_t sip, const uint8_t tha[6], uint32_t tip, unsigned line)
{
	uint32_t len;
	const uint8_t *f = txb(i, &len);
	const uint8_t *a = f + O_ARP;
	bool ok = len >= ETH_LEN + ARP_LEN && memcmp(f, eth_dst, 6) == 0 &&
		  memcmp(f + 6, our_mac, 6) == 0 && get16(f + O_TYPE) == 0x0806 &&
		  get16(a) == 1 && get16(a + 2) == 0x0800 && a[4] == 6 && a[5] == 4 &&
		  get16(a + 6) == op && memcmp(a + 8, sha, 6) == 0 && get32(a + 14) == sip &&
		  memcmp(a + 18, tha, 6) == 0 && get32(a + 24) == tip;

	CU_assertImplementation(ok, line, "ARP frame as expected", __FILE__, "", CU_FALSE);
}

#define ARP_CHECK(i, ed, op, sha, sip, tha, tip) \
	arp_check_at((i), (ed), (op), (sha), (sip), (tha), (tip), __LINE__)

static void
test_arp_request_for_us(void)
{
	uint8_t f[128];
	struct arp_spec s = { .sha = n1_mac, .sip = N1_IP, .tip = OUR_IP };
	struct mdp_arp_entry *e;
	size_t len;

	reset();
	len = arp_put(f, &s);
	input(f, len);
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ARP_CHECK(0, n1_mac, 2, our_mac, OUR_IP, n1_mac, N1_IP);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(w->txq[0].pkts[0]), ETH_LEN + ARP_LEN);
	e = mdp_arp_lookup(w->arp, 0, N1_IP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_REACHABLE);
	CU_ASSERT_EQUAL(memcmp(e->mac, n1_mac, 6), 0);
	EXPECT_CNT(C(ARP_RX_REQUEST, 1), C(ARP_TX_REPLY, 1), C(ARP_LEARNED, 1));
	tx_clear();

	/* A padded request (60-byte minimum frame), unicast to our MAC, from a
	 * host whose MAC changed: reply, and the entry follows. */
	memset(f, 0xa5, sizeof(f));
	s.eth_dst = our_mac;
	s.sha = n1_mac2;
	arp_put(f, &s);
	input(f, 60);
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ARP_CHECK(0, n1_mac2, 2, our_mac, OUR_IP, n1_mac2, N1_IP);
	CU_ASSERT_EQUAL(memcmp(e->mac, n1_mac2, 6), 0);
	EXPECT_CNT(C(ARP_RX_REQUEST, 1), C(ARP_TX_REPLY, 1), C(ARP_LEARNED, 1));
	tx_clear();
	CU_ASSERT_EQUAL(arp_used(), 1);

	/* From an off-link sender: answered, not learned. */
	s.sha = n3_mac;
	s.sip = OFFLINK_IP;
	s.eth_dst = NULL;
	len = arp_put(f, &s);
	input(f, len);
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ARP_CHECK(0, n3_mac, 2, our_mac, OUR_IP, n3_mac, OFFLINK_IP);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(w->arp, 0, OFFLINK_IP));
	EXPECT_CNT(C(ARP_RX_REQUEST, 1), C(ARP_TX_REPLY, 1));
	tx_clear();
	finish();
}

static void
test_arp_request_not_us(void)
{
	uint8_t f[64];
	struct arp_spec s = { .sha = n3_mac, .sip = N3_IP, .tip = OTHER_IP };

	reset();
	input(f, arp_put(f, &s));
	CU_ASSERT_EQUAL(txn(), 0);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(w->arp, 0, N3_IP));
	CU_ASSERT_EQUAL(arp_used(), 0);
	EXPECT_CNT(C(ARP_RX_REQUEST, 1), C(ARP_NOT_US, 1));

	/* a known sender is refreshed by a request not for us (RFC 826 merge) */
	learn_n1();
	s.sha = n1_mac2;
	s.sip = N1_IP;
	input(f, arp_put(f, &s));
	CU_ASSERT_EQUAL(txn(), 0);
	CU_ASSERT_EQUAL(memcmp(mdp_arp_lookup(w->arp, 0, N1_IP)->mac, n1_mac2, 6), 0);
	CU_ASSERT_EQUAL(arp_used(), 1);
	EXPECT_CNT(C(ARP_RX_REQUEST, 1), C(ARP_LEARNED, 1), C(ARP_NOT_US, 1));

	/* a reply between two other hosts: merge only, no NOT_US */
	s.op = 2;
	s.eth_dst = other_mac;
	s.sha = n3_mac;
	s.sip = N3_IP;
	input(f, arp_put(f, &s));	/* dropped at L2: not our MAC */
	EXPECT_CNT(C(ETH_NOT_US, 1));
	s.eth_dst = bcast_mac;
	input(f, arp_put(f, &s));
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(w->arp, 0, N3_IP));
	EXPECT_CNT(C(ARP_RX_REPLY, 1));
	finish();
}

static void
test_arp_reply_flushes(void)
{
	uint8_t f[256];
	struct arp_spec s = {
		.eth_dst = our_mac, .op = 2, .sha = n3_mac, .sip = N3_IP, .tha = our_mac,
		.tip = OUR_IP,
	};
	struct rte_mbuf *m;
	uint8_t mac[6];
	char *d;

	reset();
	/* A packet waiting for N3 (Ethernet header in front, as
	 * mdp_ipv4_output() leaves it). */
	m = rte_pktmbuf_alloc(pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	d = rte_pktmbuf_append(m, 60);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	memset(d, 0x5a, 60);
	CU_ASSERT_EQUAL(mdp_arp_resolve(w->arp, 0, N3_IP, m, mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ARP_CHECK(0, bcast_mac, 1, our_mac, OUR_IP, zero_mac, N3_IP);
	EXPECT_CNT(C(ARP_TX_REQUEST, 1));
	tx_clear();

	input(f, arp_put(f, &s));
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	CU_ASSERT_PTR_EQUAL(w->txq[0].pkts[0], m);
	d = rte_pktmbuf_mtod(m, char *);
	CU_ASSERT_EQUAL(memcmp(d, n3_mac, 6), 0);
	CU_ASSERT_EQUAL((uint8_t)d[6], 0x5a);	/* the rest is untouched */
	CU_ASSERT_EQUAL(mdp_arp_lookup(w->arp, 0, N3_IP)->state, MDP_ARP_REACHABLE);
	EXPECT_CNT(C(ARP_RX_REPLY, 1), C(ARP_LEARNED, 1), C(ARP_FLUSHED, 1));
	tx_clear();

	/* An unsolicited reply to us creates the entry (RFC 826: we are the
	 * target). */
	s.sha = n1_mac;
	s.sip = N1_IP;
	input(f, arp_put(f, &s));
	CU_ASSERT_EQUAL(txn(), 0);
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_lookup(w->arp, 0, N1_IP));
	EXPECT_CNT(C(ARP_RX_REPLY, 1), C(ARP_LEARNED, 1));
	finish();
}

static void
test_arp_gratuitous(void)
{
	uint8_t f[64];
	/* RFC 5227 2.4 announcement: request, sender = target = its address */
	struct arp_spec s = { .sha = n1_mac2, .sip = N1_IP, .tip = N1_IP };

	reset();
	learn_n1();
	input(f, arp_put(f, &s));
	CU_ASSERT_EQUAL(txn(), 0);
	CU_ASSERT_EQUAL(memcmp(mdp_arp_lookup(w->arp, 0, N1_IP)->mac, n1_mac2, 6), 0);
	/* an announcement is handled by the merge, not dropped as not-for-us */
	EXPECT_CNT(C(ARP_RX_REQUEST, 1), C(ARP_LEARNED, 1));

	/* the reply form, as some hosts send it */
	s.op = 2;
	s.sha = n1_mac;
	s.tha = n1_mac;
	input(f, arp_put(f, &s));
	CU_ASSERT_EQUAL(memcmp(mdp_arp_lookup(w->arp, 0, N1_IP)->mac, n1_mac, 6), 0);
	EXPECT_CNT(C(ARP_RX_REPLY, 1), C(ARP_LEARNED, 1));

	/* from a host we do not know: nothing created */
	s.op = 1;
	s.sha = n3_mac;
	s.sip = s.tip = N3_IP;
	s.tha = NULL;
	input(f, arp_put(f, &s));
	CU_ASSERT_EQUAL(txn(), 0);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(w->arp, 0, N3_IP));
	CU_ASSERT_EQUAL(arp_used(), 1);
	EXPECT_CNT(C(ARP_RX_REQUEST, 1));
	finish();
}

static void
test_arp_bad_sender(void)
{
	static const uint8_t *const bad_macs[] = { bcast_mac, mcast_mac, zero_mac, our_mac };
	uint8_t f[64];
	struct arp_spec s = { .eth_src = n3_mac, .sip = N3_IP, .tip = OUR_IP };

	reset();
	learn_n1();
	for (unsigned i = 0; i < sizeof(bad_macs) / sizeof(bad_macs[0]); i++) {
		s.sha = bad_macs[i];
		input(f, arp_put(f, &s));
		CU_ASSERT_EQUAL(txn(), 0);
		CU_ASSERT_PTR_NULL(mdp_arp_lookup(w->arp, 0, N3_IP));
		EXPECT_CNT(C(ARP_RX_REQUEST, 1), C(ARP_BAD_SENDER, 1));
	}
	/* another host claiming our address (RFC 5227 conflict), as a request
	 * and as a gratuitous reply */
	s.sha = n3_mac;
	s.sip = OUR_IP;
	input(f, arp_put(f, &s));
	CU_ASSERT_EQUAL(txn(), 0);
	EXPECT_CNT(C(ARP_RX_REQUEST, 1), C(ARP_BAD_SENDER, 1));
	s.op = 2;
	input(f, arp_put(f, &s));
	EXPECT_CNT(C(ARP_RX_REPLY, 1), C(ARP_BAD_SENDER, 1));
	/* a known host with a bad MAC does not overwrite its entry */
	s.sha = bcast_mac;
	s.sip = N1_IP;
	input(f, arp_put(f, &s));
	EXPECT_CNT(C(ARP_RX_REPLY, 1), C(ARP_BAD_SENDER, 1));
	CU_ASSERT_EQUAL(memcmp(mdp_arp_lookup(w->arp, 0, N1_IP)->mac, n1_mac, 6), 0);
	CU_ASSERT_EQUAL(arp_used(), 1);
	finish();
}

static void
test_arp_malformed(void)
{
	static const uint16_t bad_ops[] = { 3, 4, 8, 9, 0xffff, 0x0100 };
	uint8_t f[64];
	struct arp_spec good = { .sha = n3_mac, .sip = N3_IP, .tip = OUR_IP };
	struct arp_spec s;
	size_t len;

	reset();
	len = arp_put(f, &good);
	/* truncated: one byte short, and the bare Ethernet header */
	input(f, len - 1);
	EXPECT_CNT(C(ARP_MALFORMED, 1));
	input(f, ETH_LEN);
	EXPECT_CNT(C(ARP_MALFORMED, 1));

	s = good;
	s.htype = 6;	/* IEEE 802 */
	input(f, arp_put(f, &s));
	EXPECT_CNT(C(ARP_MALFORMED, 1));
	s = good;
	s.ptype = 0x86dd;
	input(f, arp_put(f, &s));
	EXPECT_CNT(C(ARP_MALFORMED, 1));
	s = good;
	s.hlen = 8;
	input(f, arp_put(f, &s));
	EXPECT_CNT(C(ARP_MALFORMED, 1));
	s = good;
	s.plen = 16;
	input(f, arp_put(f, &s));
	EXPECT_CNT(C(ARP_MALFORMED, 1));

	for (unsigned i = 0; i < sizeof(bad_ops) / sizeof(bad_ops[0]); i++) {
		s = good;
		s.op = bad_ops[i];
		input(f, arp_put(f, &s));
		EXPECT_CNT(C(ARP_OPCODE, 1));
	}
	/* op 0 means "request" to our builder: write it by hand */
	arp_put(f, &good);
	put16(f + O_ARP + 6, 0);
	input(f, ETH_LEN + ARP_LEN);
	EXPECT_CNT(C(ARP_OPCODE, 1));

	CU_ASSERT_EQUAL(txn(), 0);
	CU_ASSERT_EQUAL(arp_used(), 0);
	finish();
}

static void
test_arp_probe(void)
{
	uint8_t f[64];
	/* RFC 5227 2.1.1: sender IP 0, target the address being probed */
	struct arp_spec s = { .sha = n3_mac, .sip = 0, .tip = OUR_IP };

	reset();
	input(f, arp_put(f, &s));
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ARP_CHECK(0, n3_mac, 2, our_mac, OUR_IP, n3_mac, 0);
	CU_ASSERT_EQUAL(arp_used(), 0);
	EXPECT_CNT(C(ARP_RX_REQUEST, 1), C(ARP_TX_REPLY, 1));
	tx_clear();
	/* a probe for another address: ignored */
	s.tip = OTHER_IP;
	input(f, arp_put(f, &s));
	CU_ASSERT_EQUAL(txn(), 0);
	CU_ASSERT_EQUAL(arp_used(), 0);
	EXPECT_CNT(C(ARP_RX_REQUEST, 1), C(ARP_NOT_US, 1));
	finish();
}

static void
test_arp_gratuitous_send(void)
{
	reset();
	mdp_arp_send_gratuitous(w, &dp.ports[0]);
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ARP_CHECK(0, bcast_mac, 1, our_mac, OUR_IP, zero_mac, OUR_IP);
	EXPECT_CNT(C(ARP_TX_GRATUITOUS, 1));
	tx_clear();
	finish();
}

/* ---- Ethernet ---- */

static void
test_eth(void)
{
	uint8_t f[64];
	struct ip_spec ip = { .src = N1_IP, .dst = OUR_IP, .proto = 17 };
	size_t len;

	reset();
	memset(f, 0, sizeof(f));
	input(f, 13);
	EXPECT_CNT(C(ETH_SHORT, 1));
	input(f, 0);
	EXPECT_CNT(C(ETH_SHORT, 1));

	len = ip_put(f, &ip);
	memcpy(f, other_mac, 6);
	input(f, len);
	EXPECT_CNT(C(ETH_NOT_US, 1));
	memcpy(f, mcast_mac, 6);
	input(f, len);
	EXPECT_CNT(C(ETH_MCAST, 1));
	memcpy(f, (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 }, 6);
	input(f, len);
	EXPECT_CNT(C(ETH_MCAST, 1));

	memcpy(f, our_mac, 6);
	put16(f + O_TYPE, 0x8100);
	input(f, len);
	EXPECT_CNT(C(ETH_VLAN, 1));
	put16(f + O_TYPE, 0x88a8);
	input(f, len);
	EXPECT_CNT(C(ETH_VLAN, 1));
	put16(f + O_TYPE, 0x86dd);
	input(f, len);
	EXPECT_CNT(C(ETH_IPV6, 1));
	put16(f + O_TYPE, 0x1234);
	input(f, len);
	EXPECT_CNT(C(ETH_TYPE, 1));
	put16(f + O_TYPE, 0x88cc);	/* LLDP, to our MAC */
	input(f, len);
	EXPECT_CNT(C(ETH_TYPE, 1));
	/* a bare header of a known type reaches L3, which counts it */
	put16(f + O_TYPE, 0x0800);
	input(f, ETH_LEN);
	EXPECT_CNT(C(IP_SHORT, 1));
	/* broadcast is accepted at L2 */
	memcpy(f, bcast_mac, 6);
	input(f, len);
	EXPECT_CNT(C(IP_RX, 1), C(IP_PROTO_UDP, 1));
	CU_ASSERT_EQUAL(txn(), 0);
	finish();
}

/* ---- IPv4 ---- */

static int
validate(const uint8_t *ip, uint32_t len)
{
	return mdp_ipv4_validate((const struct rte_ipv4_hdr *)ip, len);
}

static void
test_ipv4_validate(void)
{
	uint8_t f[256], *ip = f + O_IP;
	uint8_t pl[40] = { 0 };
	struct ip_spec s = {
		.src = N1_IP, .dst = OUR_IP, .proto = 17, .payload = pl, .plen = sizeof(pl),
	};
	uint32_t len;

	len = (uint32_t)ip_put(f, &s) - ETH_LEN;
	CU_ASSERT_EQUAL(validate(ip, len), 0);
	CU_ASSERT_EQUAL(validate(ip, len + 10), 0);	/* padding after */
	CU_ASSERT_EQUAL(validate(ip, 19), MDP_CNT_IP_SHORT);
	CU_ASSERT_EQUAL(validate(ip, 0), MDP_CNT_IP_SHORT);

	ip[0] = 0x65;
	ip_fix_csum(ip);
	CU_ASSERT_EQUAL(validate(ip, len), MDP_CNT_IP_VERSION);
	ip[0] = 0x44;
	CU_ASSERT_EQUAL(validate(ip, len), MDP_CNT_IP_IHL);
	ip[0] = 0x40;
	CU_ASSERT_EQUAL(validate(ip, len), MDP_CNT_IP_IHL);
	ip[0] = 0x4f;	/* 60 bytes of header in 40 */
	CU_ASSERT_EQUAL(validate(ip, 40), MDP_CNT_IP_IHL);
	ip[0] = 0x46;	/* 24 bytes of header in 20 */
	CU_ASSERT_EQUAL(validate(ip, 20), MDP_CNT_IP_IHL);

	len = (uint32_t)ip_put(f, &s) - ETH_LEN;
	put16(ip + 2, (uint16_t)(len + 1));
	ip_fix_csum(ip);
	CU_ASSERT_EQUAL(validate(ip, len), MDP_CNT_IP_LENGTH);
	put16(ip + 2, 19);
	ip_fix_csum(ip);
	CU_ASSERT_EQUAL(validate(ip, len), MDP_CNT_IP_LENGTH);
	put16(ip + 2, 0);
	ip_fix_csum(ip);
	CU_ASSERT_EQUAL(validate(ip, len), MDP_CNT_IP_LENGTH);
	put16(ip + 2, 20);	/* header only: fine */
	ip_fix_csum(ip);
	CU_ASSERT_EQUAL(validate(ip, len), 0);

	len = (uint32_t)ip_put(f, &s) - ETH_LEN;
	ip[10] ^= 0x01;
	CU_ASSERT_EQUAL(validate(ip, len), MDP_CNT_IP_CSUM);
	ip[10] ^= 0x01;
	ip[12] ^= 0x80;	/* a changed source without a new checksum */
	CU_ASSERT_EQUAL(validate(ip, len), MDP_CNT_IP_CSUM);

	s.ttl = 0;
	len = (uint32_t)ip_put(f, &s) - ETH_LEN;
	ip[8] = 0;
	ip_fix_csum(ip);
	CU_ASSERT_EQUAL(validate(ip, len), MDP_CNT_IP_TTL);
	ip[8] = 1;
	ip_fix_csum(ip);
	CU_ASSERT_EQUAL(validate(ip, len), 0);

	s.frag = 0x2000;	/* MF */
	CU_ASSERT_EQUAL(validate(ip, (uint32_t)ip_put(f, &s) - ETH_LEN), MDP_CNT_IP_FRAG);
	s.frag = 0x0001;	/* offset 8, last fragment */
	CU_ASSERT_EQUAL(validate(ip, (uint32_t)ip_put(f, &s) - ETH_LEN), MDP_CNT_IP_FRAG);
	s.frag = 0x1fff;
	CU_ASSERT_EQUAL(validate(ip, (uint32_t)ip_put(f, &s) - ETH_LEN), MDP_CNT_IP_FRAG);
	s.frag = 0x6000;	/* DF | MF */
	CU_ASSERT_EQUAL(validate(ip, (uint32_t)ip_put(f, &s) - ETH_LEN), MDP_CNT_IP_FRAG);
	s.frag = 0x4000;	/* DF alone */
	CU_ASSERT_EQUAL(validate(ip, (uint32_t)ip_put(f, &s) - ETH_LEN), 0);
	s.frag = 0x8000;	/* the reserved bit is not a fragment */
	CU_ASSERT_EQUAL(validate(ip, (uint32_t)ip_put(f, &s) - ETH_LEN), 0);
	s.frag = 0;

	s.opt_len = 4;	/* ihl 6 */
	len = (uint32_t)ip_put(f, &s) - ETH_LEN;
	CU_ASSERT_EQUAL(ip[0], 0x46);
	CU_ASSERT_EQUAL(validate(ip, len), 0);
	s.opt_len = 40;	/* ihl 15 */
	len = (uint32_t)ip_put(f, &s) - ETH_LEN;
	CU_ASSERT_EQUAL(validate(ip, len), 0);
	/* the checksum covers the options */
	ip[IP_LEN + 3] = 0;
	CU_ASSERT_EQUAL(validate(ip, len), MDP_CNT_IP_CSUM);
}

static void
test_ipv4_input(void)
{
	static const uint32_t martians[] = {
		0x00010203u,	/* 0.1.2.3 */
		0x00000000u,	/* 0.0.0.0 */
		0x7f000001u,	/* 127.0.0.1 */
		0x7f123456u,
		0xe0000001u,	/* 224.0.0.1 */
		0xefffffffu,
		0xf0000001u,	/* class E */
		0xffffffffu,	/* limited broadcast */
		OUR_IP,
		0xc61200ffu,	/* our directed broadcast */
	};
	static const uint32_t bcasts[] = { 0xc61200ffu, 0xffffffffu, 0xe0000001u, 0xe00000fbu };
	uint8_t f[256], pl[16] = { 0 };
	struct ip_spec s = {
		.src = N1_IP, .dst = OUR_IP, .proto = 6, .payload = pl, .plen = sizeof(pl),
	};
	size_t len;

	reset();
	input(f, ip_put(f, &s));
	EXPECT_CNT(C(IP_RX, 1), C(IP_PROTO_TCP, 1));
	s.proto = 17;
	input(f, ip_put(f, &s));
	EXPECT_CNT(C(IP_RX, 1), C(IP_PROTO_UDP, 1));
	s.proto = 47;	/* GRE */
	input(f, ip_put(f, &s));
	EXPECT_CNT(C(IP_RX, 1), C(IP_PROTO_OTHER, 1));
	s.proto = 41;
	input(f, ip_put(f, &s));
	EXPECT_CNT(C(IP_RX, 1), C(IP_PROTO_OTHER, 1));
	/* from off link: accepted as well (routing is for replies) */
	s.src = OFFLINK_IP;
	input(f, ip_put(f, &s));
	EXPECT_CNT(C(IP_RX, 1), C(IP_PROTO_OTHER, 1));
	s.src = N1_IP;
	s.proto = 17;

	s.dst = OTHER_IP;
	input(f, ip_put(f, &s));
	EXPECT_CNT(C(IP_NOT_US, 1));
	s.dst = OFFLINK_IP;
	input(f, ip_put(f, &s));
	EXPECT_CNT(C(IP_NOT_US, 1));
	for (unsigned i = 0; i < sizeof(bcasts) / sizeof(bcasts[0]); i++) {
		s.dst = bcasts[i];
		s.eth_dst = bcast_mac;
		input(f, ip_put(f, &s));
		EXPECT_CNT(C(IP_BCAST, 1));
	}
	s.eth_dst = NULL;
	s.dst = OUR_IP;
	for (unsigned i = 0; i < sizeof(martians) / sizeof(martians[0]); i++) {
		s.src = martians[i];
		input(f, ip_put(f, &s));
		if (CNT(IP_BAD_SRC) != 1)
			fprintf(stderr, "\nsource %08x not rejected\n", martians[i]);
		EXPECT_CNT(C(IP_BAD_SRC, 1));
	}
	s.src = N1_IP;

	/* a header error is counted before any address check */
	len = ip_put(f, &s);
	f[O_IP + 10] ^= 0xff;
	input(f, len);
	EXPECT_CNT(C(IP_CSUM, 1));
	s.frag = 0x2000;
	input(f, ip_put(f, &s));
	EXPECT_CNT(C(IP_FRAG, 1));
	s.frag = 0;
	len = ip_put(f, &s);
	input(f, ETH_LEN + IP_LEN - 1);
	EXPECT_CNT(C(IP_SHORT, 1));
	/* total length beyond the frame: a truncated frame */
	input(f, len - 1);
	EXPECT_CNT(C(IP_LENGTH, 1));
	CU_ASSERT_EQUAL(txn(), 0);
	finish();
}

/* ---- ICMP ---- */

/*
 * Check queued frame i is an echo reply from us to (dmac, dst) answering
 * request `req` (a frame of req_len bytes of which ip_total are IP).
 */
static void
echo_reply_check_at(unsigned i, const uint8_t dmac[6], const uint8_t *req, size_t ip_total,
		    unsigned line)
{
	uint32_t len;
	const uint8_t *f = txb(i, &len);
	const uint8_t *ip = f + O_IP, *rip = req + O_IP;
	size_t hlen = (size_t)(ip[0] & 0xf) * 4;
	const uint8_t *icmp = ip + hlen, *ricmp = rip + hlen;
	bool ok;

	ok = len == ETH_LEN + ip_total;
	ok = ok && memcmp(f, dmac, 6) == 0 && memcmp(f + 6, our_mac, 6) == 0 &&
	     get16(f + O_TYPE) == 0x0800;
	CU_assertImplementation(ok, line, "Ethernet header and length", __FILE__, "", CU_FALSE);
	if (!ok)
		return;
	ok = ip[0] == rip[0] && get16(ip + 2) == ip_total && ip[9] == 1 && ip[8] > 0 &&
	     get32(ip + 12) == get32(rip + 16) && get32(ip + 16) == get32(rip + 12) &&
	     sum16(ip, hlen) == 0xffff;
	CU_assertImplementation(ok, line, "IP header", __FILE__, "", CU_FALSE);
	ok = icmp[0] == 0 && icmp[1] == 0 && memcmp(icmp + 4, ricmp + 4, 4) == 0 &&
	     memcmp(icmp + ICMP_LEN, ricmp + ICMP_LEN, ip_total - hlen - ICMP_LEN) == 0;
	CU_assertImplementation(ok, line, "ICMP type, id, seq and data", __FILE__, "", CU_FALSE);
	ok = sum16(icmp, ip_total - hlen) == 0xffff;
	if (!ok)
		fprintf(stderr, "\n%s:%u: ICMP checksum %04x does not verify\n", __FILE__, line,
			get16(icmp + 2));
	CU_assertImplementation(ok, line, "ICMP checksum", __FILE__, "", CU_FALSE);
}

#define ECHO_REPLY_CHECK(i, dmac, req, ip_total) \
	echo_reply_check_at((i), (dmac), (req), (ip_total), __LINE__)

static void
test_icmp_echo(void)
{
	static const size_t sizes[] = { 56, 57, 1, 0, 3, 1472 };
	uint8_t f[1600], data[1500];
	size_t len;

	reset();
	learn_n1();
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t dlen = sizes[k];

		len = echo_put(f, n1_mac, N1_IP, 0xbeef, (uint16_t)(k + 1), data, dlen);
		input(f, len);
		CU_ASSERT_EQUAL_FATAL(txn(), 1);
		ECHO_REPLY_CHECK(0, n1_mac, f, IP_LEN + ICMP_LEN + dlen);
		EXPECT_CNT(C(IP_RX, 1), C(ICMP_ECHO_RX, 1), C(ICMP_ECHO_TX, 1));
		tx_clear();
	}

	/* Ethernet padding is trimmed: a minimum frame around a bare echo
	 * whose padding would break the ICMP checksum. */
	len = echo_put(f, n1_mac, N1_IP, 0x0102, 0x0304, data, 0);
	CU_ASSERT_EQUAL(len, 42);
	memset(f + len, 0xee, 60 - len);
	input(f, 60);
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ECHO_REPLY_CHECK(0, n1_mac, f, IP_LEN + ICMP_LEN);
	EXPECT_CNT(C(IP_RX, 1), C(ICMP_ECHO_RX, 1), C(ICMP_ECHO_TX, 1));
	tx_clear();

	/* With IP options the reply keeps the header length. */
	{
		uint8_t icmp[ICMP_LEN + 8] = { 8, 0, 0, 0, 0, 9, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8 };
		struct ip_spec s = {
			.src = N1_IP, .dst = OUR_IP, .proto = 1, .opt_len = 4, .payload = icmp,
			.plen = sizeof(icmp),
		};

		put16(icmp + 2, (uint16_t)~sum16(icmp, sizeof(icmp)));
		len = ip_put(f, &s);
		input(f, len);
		CU_ASSERT_EQUAL_FATAL(txn(), 1);
		ECHO_REPLY_CHECK(0, n1_mac, f, len - ETH_LEN);
		EXPECT_CNT(C(IP_RX, 1), C(ICMP_ECHO_RX, 1), C(ICMP_ECHO_TX, 1));
		tx_clear();
	}
	finish();
}

/*
 * The reply's checksum is updated incrementally (RFC 1624). When every
 * other byte of the reply is zero (identifier, sequence and data all 0),
 * the only checksum that verifies is 0xffff.
 */
static void
test_icmp_echo_zero(void)
{
	uint8_t f[128], data[8] = { 0 };
	size_t len;

	reset();
	learn_n1();
	len = echo_put(f, n1_mac, N1_IP, 0, 0, data, 0);
	input(f, len);
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ECHO_REPLY_CHECK(0, n1_mac, f, IP_LEN + ICMP_LEN);
	tx_clear();
	len = echo_put(f, n1_mac, N1_IP, 0, 0, data, sizeof(data));
	input(f, len);
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ECHO_REPLY_CHECK(0, n1_mac, f, IP_LEN + ICMP_LEN + sizeof(data));
	tx_clear();
	/* identifier 0xf7ff: the request's own data sums to -0 */
	len = echo_put(f, n1_mac, N1_IP, 0xf7ff, 0, data, 0);
	input(f, len);
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ECHO_REPLY_CHECK(0, n1_mac, f, IP_LEN + ICMP_LEN);
	tx_clear();
	cnt_clear();
	finish();
}

static void
test_icmp_unresolved(void)
{
	uint8_t f[256], req[256], data[56];
	struct arp_spec s = {
		.eth_dst = our_mac, .op = 2, .sha = n3_mac, .sip = N3_IP, .tha = our_mac,
		.tip = OUR_IP,
	};
	size_t len;

	reset();
	memset(data, 0x42, sizeof(data));
	/* N3 pings us before we know its MAC (its frame says where it is, but
	 * only ARP teaches). */
	len = echo_put(req, n3_mac, N3_IP, 7, 8, data, sizeof(data));
	input(req, len);
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ARP_CHECK(0, bcast_mac, 1, our_mac, OUR_IP, zero_mac, N3_IP);
	CU_ASSERT_EQUAL(mdp_arp_lookup(w->arp, 0, N3_IP)->n_pending, 1);
	EXPECT_CNT(C(IP_RX, 1), C(ICMP_ECHO_RX, 1), C(ICMP_ECHO_TX, 1), C(ARP_TX_REQUEST, 1),
		   C(ARP_QUEUED, 1));
	tx_clear();

	/* its ARP reply releases the echo reply */
	input(f, arp_put(f, &s));
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ECHO_REPLY_CHECK(0, n3_mac, req, IP_LEN + ICMP_LEN + sizeof(data));
	EXPECT_CNT(C(ARP_RX_REPLY, 1), C(ARP_LEARNED, 1), C(ARP_FLUSHED, 1));
	tx_clear();
	finish();

	/* When N3 never answers: three requests, then the reply is dropped. */
	reset();
	input(req, len);
	input(req, len);
	CU_ASSERT_EQUAL(txn(), 1);	/* one request for two packets */
	tx_clear();
	for (uint64_t t = 1; t <= 40; t++)
		mdp_wheel_advance(&w->wheel, t);
	CU_ASSERT_EQUAL_FATAL(txn(), 2);
	ARP_CHECK(0, bcast_mac, 1, our_mac, OUR_IP, zero_mac, N3_IP);
	ARP_CHECK(1, bcast_mac, 1, our_mac, OUR_IP, zero_mac, N3_IP);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(w->arp, 0, N3_IP));
	EXPECT_CNT(C(IP_RX, 2), C(ICMP_ECHO_RX, 2), C(ICMP_ECHO_TX, 2), C(ARP_TX_REQUEST, 3),
		   C(ARP_QUEUED, 2), C(ARP_UNRESOLVED, 2));
	tx_clear();
	finish();
}

static void
test_icmp_errors(void)
{
	uint8_t f[256], data[32];
	size_t len;

	reset();
	learn_n1();
	memset(data, 0x11, sizeof(data));

	/* bad checksum, in the header and in the data */
	len = echo_put(f, n1_mac, N1_IP, 1, 1, data, sizeof(data));
	f[O_IP + IP_LEN + 2] ^= 0x40;
	input(f, len);
	EXPECT_CNT(C(IP_RX, 1), C(ICMP_CSUM, 1));
	len = echo_put(f, n1_mac, N1_IP, 1, 1, data, sizeof(data));
	f[len - 1] ^= 0x01;
	input(f, len);
	EXPECT_CNT(C(IP_RX, 1), C(ICMP_CSUM, 1));

	/* echo reply, and other types and codes */
	{
		static const uint8_t tc[][2] = { { 0, 0 }, { 3, 1 }, { 13, 0 }, { 8, 1 } };

		for (unsigned i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
			uint8_t *icmp = f + O_IP + IP_LEN;

			len = echo_put(f, n1_mac, N1_IP, 1, 1, data, sizeof(data));
			icmp[0] = tc[i][0];
			icmp[1] = tc[i][1];
			put16(icmp + 2, 0);
			put16(icmp + 2, (uint16_t)~sum16(icmp, ICMP_LEN + sizeof(data)));
			input(f, len);
			EXPECT_CNT(C(IP_RX, 1), C(ICMP_TYPE, 1));
		}
	}

	/* truncated: fewer than 8 bytes of ICMP in a consistent IP packet */
	{
		uint8_t icmp[4] = { 8, 0, 0, 0 };
		struct ip_spec s = {
			.src = N1_IP, .dst = OUR_IP, .proto = 1, .payload = icmp, .plen = 4,
		};

		put16(icmp + 2, (uint16_t)~sum16(icmp, 4));
		input(f, ip_put(f, &s));
		EXPECT_CNT(C(IP_RX, 1), C(ICMP_SHORT, 1));
		s.plen = 0;
		input(f, ip_put(f, &s));
		EXPECT_CNT(C(IP_RX, 1), C(ICMP_SHORT, 1));
		/* ... and hidden in Ethernet padding */
		s.plen = 4;
		len = ip_put(f, &s);
		memset(f + len, 0, 60 - len);
		input(f, 60);
		EXPECT_CNT(C(IP_RX, 1), C(ICMP_SHORT, 1));
	}

	/* no route back: an off-link source and no gateway */
	len = echo_put(f, n1_mac, OFFLINK_IP, 1, 1, data, sizeof(data));
	input(f, len);
	CU_ASSERT_EQUAL(txn(), 0);
	EXPECT_CNT(C(IP_RX, 1), C(ICMP_ECHO_RX, 1), C(ICMP_ECHO_TX, 1), C(IP_NO_ROUTE, 1));
	CU_ASSERT_EQUAL(arp_used(), 1);
	finish();

	/* with a gateway the reply goes to the gateway's MAC */
	reset();
	learn_n1();
	conf_port.gateway = N1_IP;
	len = echo_put(f, n1_mac, OFFLINK_IP, 1, 1, data, sizeof(data));
	input(f, len);
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ECHO_REPLY_CHECK(0, n1_mac, f, IP_LEN + ICMP_LEN + sizeof(data));
	EXPECT_CNT(C(IP_RX, 1), C(ICMP_ECHO_RX, 1), C(ICMP_ECHO_TX, 1));
	tx_clear();
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(w->arp, 0, OFFLINK_IP));
	conf_port.gateway = 0;
	finish();
}

/* A frame split into two mbufs after `first` bytes; the first segment's
 * buffer holds `junk` beyond its data. */
static struct rte_mbuf *
mbuf_split(const uint8_t *f, size_t len, size_t first, uint8_t junk)
{
	struct rte_mbuf *a = mbuf_of(f, first), *b = mbuf_of(f + first, len - first);

	memset(rte_pktmbuf_mtod_offset(a, uint8_t *, first), junk,
	       rte_pktmbuf_tailroom(a));
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(a, b), 0);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(a), len);
	return a;
}

static void
test_multi_segment(void)
{
	uint8_t f[256], data[64], icmp[ICMP_LEN + 8] = { 8, 0, 0, 0, 0, 9, 0, 9, 1, 2, 3, 4 };
	struct ip_spec s = {
		.src = N1_IP, .dst = OUR_IP, .proto = 1, .opt_len = 4, .payload = icmp,
		.plen = sizeof(icmp),
	};
	size_t len;

	reset();
	learn_n1();
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0x80 + i);

	/*
	 * An echo request whose data spans two segments. The split is at an
	 * even offset into the ICMP message: DPDK 22.11's rte_raw_cksum_mbuf()
	 * gets an odd split wrong (it truncates the unfolded sum of the
	 * segment before swapping its bytes), so such a request would be
	 * counted as a bad checksum.
	 */
	len = echo_put(f, n1_mac, N1_IP, 0x4242, 1, data, sizeof(data));
	mdp_eth_input(w, &dp.ports[0], mbuf_split(f, len, ETH_LEN + IP_LEN + ICMP_LEN + 8, 0xcc));
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ECHO_REPLY_CHECK(0, n1_mac, f, IP_LEN + ICMP_LEN + sizeof(data));
	EXPECT_CNT(C(IP_RX, 1), C(ICMP_ECHO_RX, 1), C(ICMP_ECHO_TX, 1));
	tx_clear();

	/* The ICMP header itself split: counted short, not read across. */
	mdp_eth_input(w, &dp.ports[0], mbuf_split(f, len, ETH_LEN + IP_LEN + 3, 0xcc));
	EXPECT_CNT(C(IP_RX, 1), C(ICMP_SHORT, 1));

	/* An IP header (with options) split across segments is refused
	 * without reading past the first segment: the bytes there must not
	 * decide the outcome. */
	put16(icmp + 2, (uint16_t)~sum16(icmp, sizeof(icmp)));
	len = ip_put(f, &s);
	mdp_eth_input(w, &dp.ports[0], mbuf_split(f, len, ETH_LEN + IP_LEN, 0xcc));
	EXPECT_CNT(C(IP_IHL, 1));
	/* ... even when they happen to be the missing option bytes */
	mdp_eth_input(w, &dp.ports[0], mbuf_split(f, len, ETH_LEN + IP_LEN, 0x01));
	EXPECT_CNT(C(IP_IHL, 1));
	CU_ASSERT_EQUAL(txn(), 0);
	finish();
}

static void
test_arp_limits(void)
{
	uint8_t f[256], req[256], data[8] = { 0 };
	struct arp_spec s = { .sha = n3_mac, .sip = N3_IP, .tip = OUR_IP };
	size_t len;

	/* pending queue full: the fifth echo reply awaiting N3 is dropped */
	reset();
	len = echo_put(req, n3_mac, N3_IP, 1, 1, data, sizeof(data));
	for (unsigned i = 0; i < 5; i++)
		input(req, len);
	CU_ASSERT_EQUAL(txn(), 1);
	CU_ASSERT_EQUAL(mdp_arp_lookup(w->arp, 0, N3_IP)->n_pending, 4);
	EXPECT_CNT(C(IP_RX, 5), C(ICMP_ECHO_RX, 5), C(ICMP_ECHO_TX, 5), C(ARP_TX_REQUEST, 1),
		   C(ARP_QUEUED, 4), C(ARP_QUEUE_FULL, 1));
	tx_clear();
	finish();

	/* table full: a request for us is still answered, the sender is not
	 * learned, and a reply towards it cannot be queued */
	reset();
	for (uint32_t i = 0; i < w->arp->p.entries; i++)
		CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(w->arp, 0, 0xc6120010u + i, n1_mac, true));
	input(f, arp_put(f, &s));
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ARP_CHECK(0, n3_mac, 2, our_mac, OUR_IP, n3_mac, N3_IP);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(w->arp, 0, N3_IP));
	EXPECT_CNT(C(ARP_RX_REQUEST, 1), C(ARP_TX_REPLY, 1), C(ARP_TABLE_FULL, 1));
	tx_clear();
	input(req, len);
	CU_ASSERT_EQUAL(txn(), 0);
	EXPECT_CNT(C(IP_RX, 1), C(ICMP_ECHO_RX, 1), C(ICMP_ECHO_TX, 1), C(ARP_TABLE_FULL, 1));
	finish();

	/* aging through the worker's hooks */
	reset();
	learn_n1();
	mdp_wheel_advance(&w->wheel, 1000);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(w->arp, 0, N1_IP));
	EXPECT_CNT(C(ARP_EXPIRED, 1));
	finish();
}

static void
test_no_mbuf(void)
{
	static struct rte_mbuf *all[NB_MBUF];
	uint8_t f[128], data[8] = { 0 };
	struct rte_mbuf *m;
	unsigned n = 0;
	size_t len;

	reset();
	len = echo_put(f, n3_mac, N3_IP, 1, 1, data, sizeof(data));
	m = mbuf_of(f, len);
	while (n < NB_MBUF && (all[n] = rte_pktmbuf_alloc(pool)) != NULL)
		n++;
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), 0);
	/* the reply waits for N3, but no request can be built */
	mdp_eth_input(w, &dp.ports[0], m);
	CU_ASSERT_EQUAL(txn(), 0);
	CU_ASSERT_EQUAL(mdp_arp_lookup(w->arp, 0, N3_IP)->n_pending, 1);
	EXPECT_CNT(C(IP_RX, 1), C(ICMP_ECHO_RX, 1), C(ICMP_ECHO_TX, 1), C(MBUF_ALLOC, 1),
		   C(ARP_QUEUED, 1));
	mdp_arp_send_gratuitous(w, &dp.ports[0]);
	CU_ASSERT_EQUAL(txn(), 0);
	EXPECT_CNT(C(MBUF_ALLOC, 1));
	/* the retry finds mbufs again */
	for (unsigned i = 0; i < n; i++)
		rte_pktmbuf_free(all[i]);
	mdp_wheel_advance(&w->wheel, 10);
	CU_ASSERT_EQUAL_FATAL(txn(), 1);
	ARP_CHECK(0, bcast_mac, 1, our_mac, OUR_IP, zero_mac, N3_IP);
	EXPECT_CNT(C(ARP_TX_REQUEST, 1));
	tx_clear();
	finish();
}

static CU_TestInfo tests[] = {
	{ "ARP request for us: reply and learn", test_arp_request_for_us },
	{ "ARP request for another address", test_arp_request_not_us },
	{ "ARP reply flushes a queued packet", test_arp_reply_flushes },
	{ "gratuitous ARP", test_arp_gratuitous },
	{ "ARP bad sender", test_arp_bad_sender },
	{ "ARP malformed and bad opcode", test_arp_malformed },
	{ "ARP probe for our address", test_arp_probe },
	{ "gratuitous ARP sent", test_arp_gratuitous_send },
	{ "Ethernet classification", test_eth },
	{ "IPv4 header validation", test_ipv4_validate },
	{ "IPv4 input", test_ipv4_input },
	{ "ICMP echo", test_icmp_echo },
	{ "ICMP echo with all-zero data", test_icmp_echo_zero },
	{ "ICMP echo to an unresolved neighbour", test_icmp_unresolved },
	{ "ICMP errors and no route", test_icmp_errors },
	{ "multi-segment frames", test_multi_segment },
	{ "ARP queue and table limits, aging", test_arp_limits },
	{ "no mbuf for a request", test_no_mbuf },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("net", suite_init, suite_fini, tests);
}
