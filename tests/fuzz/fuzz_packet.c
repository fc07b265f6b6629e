/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp.h"
#include "dp_counters.h"
#include "fake_dp.h"
#include "net/mdp_arp_table.h"
#include "net/net.h"
#include "timer/mdp_timer.h"

/*
 * The receive path, mdp_eth_input(), on arbitrary frames, through the fake
 * one-port dataplane of tests/common/fake_dp.h (the one test_net.c uses).
 *
 * Input: two header bytes, then the frames.
 *   byte 0  flags
 *     0x01  the neighbour 198.18.0.1 is known (REACHABLE) beforehand
 *     0x02  198.18.0.3 is being resolved beforehand (INCOMPLETE)
 *     0x04  a gateway, and a route 203.0.113.0/24 through it
 *     0x08  every frame arrives in two segments, split after byte 1 bytes
 *     0x30  the port's prefix: /24, /31, /32, /30 (address 198.18.0.2)
 *     0x40  several frames: each is [ticks][length, 2 bytes BE][bytes];
 *           the wheel advances `ticks` after it. Otherwise the rest of the
 *           input is one frame.
 *   byte 1  the split offset
 * After the last frame the wheel runs past every ARP retry and expiry.
 *
 * Each input runs on a fresh worker (new ARP table, wheel at tick 0), twice:
 * once with the mbufs' unused bytes (tailroom of every segment) set to
 * 0x00, once to 0xff. Bytes outside a frame must not change what meshdp
 * does, so both runs must count and send the same. Each run checks:
 *   - no mbuf is lost (the pool has no cache: all back after the run);
 *   - every frame is sent, consumed (an ARP reply or announcement) or
 *     counted under exactly one drop reason;
 *   - every frame sent is a well-formed ARP request or reply or ICMP echo
 *     reply from our address, with correct checksums and no stray bytes
 *     (extend check_sent() when the dataplane sends something new);
 *   - after the final advance no ARP entry is left.
 * Any breach abort()s, so libFuzzer reports it as a crash.
 */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define F_LEARN_N1 0x01
#define F_RESOLVE_N3 0x02
#define F_GATEWAY 0x04
#define F_SPLIT 0x08
#define F_PREFIX_SHIFT 4
#define F_MULTI 0x40

#define OUR_IP MDP_FAKE_IP
#define N1_IP 0xc6120001u	/* 198.18.0.1 */
#define N3_IP 0xc6120003u	/* 198.18.0.3 */
#define BURST 64
#define SEG_MAX 2048		/* data room of one mbuf (RTE_MBUF_DEFAULT_BUF_SIZE) */
#define FRAME_MAX (2 * SEG_MAX)

static const struct mdp_arp_params arp_params = {
	.entries = 16,
	.pending_max = 4,
	.pending_total_max = 10,	/* below entries * pending_max: reachable */
	.retries = 3,
	.retry_ticks = 10,
	.timeout_ticks = 1000,
};

static struct mdp_fake_dp fk;
static const uint8_t our_mac[6] = MDP_FAKE_MAC;
static const uint8_t n1_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/* What one run did, compared between the two runs of an input. */
struct outcome {
	uint64_t cnt[MDP_CNT_COUNT];
	uint32_t n_tx;
	uint32_t log_len;	/* bytes of log used */
	uint8_t log[1 << 16];	/* the frames sent: length (2 bytes) and bytes */
};

static struct outcome runs[2];
static bool verbose;	/* FUZZ_PACKET_VERBOSE=1: print what each input did */

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_packet: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal_argv[] = {
		"fuzz_packet", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
		"--file-prefix=mdp-fuzz-packet", "--no-telemetry", "--log-level=*:error",
		"-l", "0", NULL,
	};

	(void)argc;
	(void)argv;
	verbose = getenv("FUZZ_PACKET_VERBOSE") != NULL;
	if (mdp_fake_dp_init(&fk, (int)(sizeof(eal_argv) / sizeof(eal_argv[0])) - 1, eal_argv,
			     "fuzz_packet", BURST) != 0)
		exit(1);
	return 0;
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

static bool
mac_unicast(const uint8_t *m)
{
	return !(m[0] & 1) && (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) != 0;
}

/* A frame meshdp sends must be one of the three it builds. */
static void
check_sent(const uint8_t *f, uint32_t len)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];

	if (len < 14)
		fail("sent a %u-byte frame", len);
	if (memcmp(f + 6, our_mac, 6) != 0)
		fail("sent a frame with another source MAC");
	if (get16(f + 12) == 0x0806) {
		const uint8_t *a = f + 14;

		if (len < 14 + 28 || get16(a) != 1 || get16(a + 2) != 0x0800 || a[4] != 6 ||
		    a[5] != 4)
			fail("sent a malformed ARP packet (%u bytes)", len);
		if (memcmp(a + 8, our_mac, 6) != 0 || get32(a + 14) != OUR_IP)
			fail("sent ARP with a sender other than us");
		if (get16(a + 6) == 1) {
			if (memcmp(f, bcast, 6) != 0 || memcmp(a + 18, zero, 6) != 0)
				fail("sent an ARP request not broadcast");
		} else if (get16(a + 6) == 2) {
			if (!mac_unicast(f) || memcmp(f, our_mac, 6) == 0 || memcmp(f, a + 18, 6) != 0)
				fail("sent an ARP reply to a bad MAC");
		} else {
			fail("sent ARP opcode %u", get16(a + 6));
		}
		return;
	}
	if (get16(f + 12) == 0x0800) {
		const uint8_t *ip = f + 14;
		uint32_t hlen, tlen;

		if (len < 14 + 20 + 8)
			fail("sent a %u-byte IPv4 frame", len);
		if (!mac_unicast(f))
			fail("sent IPv4 to a non-unicast MAC");
		hlen = (uint32_t)(ip[0] & 0xf) * 4;
		tlen = get16(ip + 2);
		if ((ip[0] >> 4) != 4 || hlen < 20 || tlen < hlen + 8 || len != 14 + tlen)
			fail("sent IPv4 with ihl %u, total length %u in a %u-byte frame", hlen, tlen,
			     len);
		if (sum16(ip, hlen) != 0xffff)
			fail("sent IPv4 with a bad header checksum");
		if (get32(ip + 12) != OUR_IP || get32(ip + 16) == OUR_IP || ip[8] != 64 ||
		    ip[9] != 1)
			fail("sent IPv4 that is not our echo reply");
		if (memcmp(f, our_mac, 6) == 0)
			fail("sent IPv4 to our own MAC");
		if (ip[hlen] != 0 || ip[hlen + 1] != 0)
			fail("sent ICMP type %u code %u", ip[hlen], ip[hlen + 1]);
		if (sum16(ip + hlen, tlen - hlen) != 0xffff)
			fail("sent an echo reply with a bad ICMP checksum");
		return;
	}
	fail("sent EtherType 0x%04x", get16(f + 12));
}

/* Check, record and free what the worker queued. */
static void
tx_drain(struct outcome *o)
{
	struct mdp_txq *q = &fk.w->txq[0];
	static uint8_t buf[FRAME_MAX + 256];

	if (q->n >= BURST)
		fail("TX batch full: it would have been flushed to a device");
	for (unsigned i = 0; i < q->n; i++) {
		struct rte_mbuf *m = q->pkts[i];
		uint32_t len = rte_pktmbuf_pkt_len(m);
		const uint8_t *f;

		if (len > sizeof(buf) || rte_mbuf_check(m, 1, NULL) != 0)
			fail("sent a broken mbuf (%u bytes)", len);
		f = rte_pktmbuf_read(m, 0, len, buf);
		check_sent(f, len);
		if (o->log_len + 2 + len <= sizeof(o->log)) {
			o->log[o->log_len++] = (uint8_t)(len >> 8);
			o->log[o->log_len++] = (uint8_t)len;
			memcpy(o->log + o->log_len, f, len);
			o->log_len += len;
		}
		o->n_tx++;
	}
	mdp_fake_dp_tx_clear(&fk);
}

/* Run the wheel to tick `to` in steps of one retry interval (at most one
 * request per entry per step, so the TX batch cannot fill). */
static void
advance(struct outcome *o, uint64_t to)
{
	struct mdp_wheel *wh = &fk.w->wheel;

	while (wh->now < to) {
		uint64_t t = wh->now + arp_params.retry_ticks;

		mdp_wheel_advance(wh, t < to ? t : to);
		tx_drain(o);
	}
}

static struct rte_mbuf *
seg_of(const uint8_t *b, size_t len, uint8_t junk)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fk.pool);
	char *d;

	if (m == NULL)
		fail("mbuf pool empty");
	d = rte_pktmbuf_append(m, (uint16_t)len);
	if (d == NULL)
		fail("cannot append %zu bytes", len);
	if (len > 0)
		memcpy(d, b, len);
	memset(d + len, junk, rte_pktmbuf_tailroom(m));
	return m;
}

static void
set_port(unsigned prefix_sel, bool gateway)
{
	static const uint8_t lens[4] = { 24, 31, 32, 30 };
	struct mdp_port *p = &fk.dp.ports[0];
	uint8_t len = lens[prefix_sel & 3];
	uint32_t mask = len == 32 ? 0xffffffffu : ~(0xffffffffu >> len);

	fk.conf.prefix_len = len;
	p->mask = mask;
	p->net = OUR_IP & mask;
	p->bcast = p->net | ~mask;
	if (gateway && len < 32) {
		uint32_t gw = len == 31 ? N3_IP : N1_IP;

		fk.conf.gateway = gw;
		fk.conf.routes[0].dst = 0xcb007100u;	/* 203.0.113.0/24 */
		fk.conf.routes[0].dst_len = 24;
		fk.conf.routes[0].via = gw;
		fk.conf.n_routes = 1;
	}
}

static void
run(const uint8_t *data, size_t size, uint8_t junk, struct outcome *o)
{
	struct mdp_worker *w = fk.w;
	const struct mdp_port *p = &fk.dp.ports[0];
	uint8_t flags = data[0], split = data[1];
	uint64_t n_frames = 0, drops = 0, requests, sent, arp_rx, arp_done;
	size_t off = 2;

	memset(o, 0, offsetof(struct outcome, log));
	if (mdp_fake_dp_reset(&fk, &arp_params) != 0)
		fail("reset failed");
	set_port(flags >> F_PREFIX_SHIFT, flags & F_GATEWAY);
	if ((flags & F_LEARN_N1) && mdp_arp_learn(w->arp, 0, N1_IP, n1_mac, true) == NULL)
		fail("cannot learn N1");
	if (flags & F_RESOLVE_N3) {
		uint8_t mac[6];

		if (mdp_arp_resolve(w->arp, 0, N3_IP, NULL, mac) != MDP_ARP_QUEUED)
			fail("cannot start resolving N3");
		tx_drain(o);
	}

	while (off < size) {
		size_t len = size - off;
		uint8_t ticks = 0;
		struct rte_mbuf *m;

		if (flags & F_MULTI) {
			if (size - off < 3)
				break;
			ticks = data[off];
			len = get16(data + off + 1);
			off += 3;
			if (len > size - off)
				len = size - off;
		}
		if (flags & F_SPLIT) {
			size_t first = split < len ? split : len;

			if (len - first > SEG_MAX)
				len = first + SEG_MAX;
			m = seg_of(data + off, first, junk);
			if (rte_pktmbuf_chain(m, seg_of(data + off + first, len - first, junk)) != 0)
				fail("cannot chain");
		} else {
			if (len > SEG_MAX)
				len = SEG_MAX;
			m = seg_of(data + off, len, junk);
		}
		off += len;
		n_frames++;
		mdp_eth_input(w, p, m);
		tx_drain(o);
		advance(o, w->wheel.now + ticks);
		if (!(flags & F_MULTI))
			break;
	}
	advance(o, w->wheel.now + arp_params.timeout_ticks +
		(arp_params.retries + 1) * arp_params.retry_ticks);
	if (w->arp->used != 0)
		fail("%u ARP entries left after every timer ran", w->arp->used);
	/* Nothing malloc'd outlives the input: the worker holding the
	 * pointers is in rte_malloc memory, which LeakSanitizer does not scan. */
	mdp_arp_table_free(w->arp);
	w->arp = NULL;
	mdp_wheel_fini(&w->wheel);
	if (rte_mempool_avail_count(fk.pool) != MDP_FAKE_NB_MBUF)
		fail("mbuf leak: %u of %u in the pool", rte_mempool_avail_count(fk.pool),
		     MDP_FAKE_NB_MBUF);

	/*
	 * Every received frame was sent (ARP reply, echo reply), consumed (an
	 * ARP reply or announcement, which only teaches), or dropped under
	 * one reason. The other frames sent are ARP requests. An ARP packet
	 * that got past its header checks is counted as a request or reply
	 * received and then either answered, dropped or consumed.
	 */
	for (int i = 0; i < MDP_CNT_COUNT; i++) {
		o->cnt[i] = w->cnt.port[0][i];
		if (mdp_cnt_desc[i].kind == MDP_CNT_KIND_DROP)
			drops += o->cnt[i];
	}
	for (int pi = 1; pi < MDP_MAX_PORTS; pi++)
		for (int i = 0; i < MDP_CNT_COUNT; i++)
			if (w->cnt.port[pi][i] != 0)
				fail("counter %s of port %d", mdp_cnt_desc[i].name, pi);
	arp_rx = o->cnt[MDP_CNT_ARP_RX_REQUEST] + o->cnt[MDP_CNT_ARP_RX_REPLY];
	arp_done = o->cnt[MDP_CNT_ARP_TX_REPLY] + o->cnt[MDP_CNT_ARP_BAD_SENDER] +
		   o->cnt[MDP_CNT_ARP_CONFLICT] + o->cnt[MDP_CNT_ARP_NOT_US];
	if (arp_done > arp_rx)
		fail("%llu ARP packets received, %llu answered or dropped",
		     (unsigned long long)arp_rx, (unsigned long long)arp_done);
	requests = o->cnt[MDP_CNT_ARP_TX_REQUEST] + o->cnt[MDP_CNT_ARP_TX_GRATUITOUS];
	if (o->n_tx < requests)
		fail("%u frames sent, %llu of them ARP requests", o->n_tx,
		     (unsigned long long)requests);
	sent = o->n_tx - requests;
	if (n_frames != drops + sent + (arp_rx - arp_done))
		fail("%llu frames in: %llu dropped, %llu sent, %llu ARP consumed",
		     (unsigned long long)n_frames, (unsigned long long)drops,
		     (unsigned long long)sent, (unsigned long long)(arp_rx - arp_done));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return -1;
	run(data, size, 0x00, &runs[0]);
	if (verbose) {
		fprintf(stderr, "fuzz_packet: flags 0x%02x, %u frames sent;", data[0], runs[0].n_tx);
		for (int i = 0; i < MDP_CNT_COUNT; i++)
			if (runs[0].cnt[i] != 0)
				fprintf(stderr, " %s %llu", mdp_cnt_desc[i].name,
					(unsigned long long)runs[0].cnt[i]);
		fputc('\n', stderr);
	}
	run(data, size, 0xff, &runs[1]);
	if (memcmp(runs[0].cnt, runs[1].cnt, sizeof(runs[0].cnt)) != 0 ||
	    runs[0].n_tx != runs[1].n_tx || runs[0].log_len != runs[1].log_len ||
	    memcmp(runs[0].log, runs[1].log, runs[0].log_len) != 0) {
		for (int i = 0; i < MDP_CNT_COUNT; i++)
			if (runs[0].cnt[i] != runs[1].cnt[i])
				fprintf(stderr, "  %s: %llu with 0x00 beyond the data, %llu with 0xff\n",
					mdp_cnt_desc[i].name, (unsigned long long)runs[0].cnt[i],
					(unsigned long long)runs[1].cnt[i]);
		fail("bytes beyond the frame's segments changed the outcome");
	}
	return 0;
}
