/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of TCP receive processing: cycles per in-order data
 * segment through mdp_eth_input() (Ethernet, IPv4, TCP, the ACK the stack
 * sends back, delivery to the application) on an ESTABLISHED connection.
 * Not a test; built by perf/meson.build as build/perf/bench_tcp and run by
 * `perf/run micro`:
 *
 *   build/perf/bench_tcp [SEGMENTS]
 *
 * It uses the fake dataplane of the unit tests (tests/common/fake_dp.h):
 * one port and one worker with no device behind them, the same approach as
 * tests/unit/test_tcp.c. A peer at 198.18.0.1 opens a connection to the
 * `discard` listener (port 9; the application frees what arrives, so the
 * window stays open) with MSS 1460, SACK, timestamps and window scaling,
 * then sends SEGMENTS (default 2,000,000) in-order segments in batches of
 * 64. Each batch is built outside the timed region (copy of a template,
 * sequence number, TSval and checksums); only the mdp_eth_input() calls
 * are timed with rte_rdtsc(). What the stack queued for transmission (the
 * ACKs) is freed after each batch, outside the timed region: the cost of
 * building each ACK is counted, the device's TX is not.
 *
 * Rows: a full segment (1448 bytes of payload after the timestamps option)
 * with the checksums verified in software (as on AF_XDP, which offers no
 * checksum offload), the same with the device's "checksum good" flags (a
 * NIC with RX checksum offload), and a 64-byte segment. Each figure is the
 * best of 5 rounds of SEGMENTS / 5. The segments were just written by the
 * CPU, so they are in its caches, as with DDIO on a NIC; with AF_XDP in
 * copy mode the kernel's copy into the UMEM has the same effect.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "conf/mdp_config.h"
#include "dp.h"
#include "fake_dp.h"
#include "net/mdp_arp_table.h"
#include "net/net.h"
#include "tcp/mdp_siphash.h"
#include "tcp/tcp_priv.h"
#include "timer/mdp_timer.h"

#define OUR_IP	MDP_FAKE_IP	/* 198.18.0.2 */
#define PEER_IP 0xc6120001u	/* 198.18.0.1 */
#define PORT	9		/* discard */
#define SPORT	40000
#define BATCH	64
#define ROUNDS	5

#define ETH_LEN 14
#define IP_LEN	20
#define TCP_LEN 20
#define TS_LEN	12

static struct mdp_fake_dp fk;
static struct mdp_worker *w;
static struct mdp_config cfg;
static const uint8_t our_mac[6] = MDP_FAKE_MAC;
static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const struct mdp_siphash_key key = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };

static const struct mdp_arp_params arp_params = {
	.entries = 16,
	.pending_max = 4,
	.pending_total_max = 16,
	.retries = 3,
	.retry_ticks = 1000,
	.timeout_ticks = 1ull << 40,
};

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

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

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

/* the peer's connection state */
static uint32_t peer_seq, peer_ack, peer_tsval = 1000, peer_tsecr;
static uint16_t ip_id;
static uint8_t payload[1500];

/* Build one frame from the peer into f; returns its length. opt/olen are
 * raw TCP options (a multiple of 4 bytes). */
static size_t
frame(uint8_t *f, uint8_t flags, uint32_t seq, uint32_t ack, const uint8_t *opt, size_t olen,
      size_t len)
{
	uint8_t *ip = f + ETH_LEN, *th = ip + IP_LEN, ph[12];
	size_t thlen = TCP_LEN + olen, seglen = thlen + len;

	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	put16(f + 12, 0x0800);
	memset(ip, 0, IP_LEN);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP_LEN + seglen));
	put16(ip + 4, ip_id++);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	put32(ip + 12, PEER_IP);
	put32(ip + 16, OUR_IP);
	put16(ip + 10, (uint16_t)~sum_fold(sum_add(0, ip, IP_LEN)));
	memset(th, 0, TCP_LEN);
	put16(th, SPORT);
	put16(th + 2, PORT);
	put32(th + 4, seq);
	put32(th + 8, ack);
	th[12] = (uint8_t)((thlen / 4) << 4);
	th[13] = flags;
	put16(th + 14, 65535);	/* scaled by 2^7: 8 MiB */
	if (olen)
		memcpy(th + TCP_LEN, opt, olen);
	if (len)
		memcpy(th + thlen, payload, len);
	put32(ph, PEER_IP);
	put32(ph + 4, OUR_IP);
	ph[8] = 0;
	ph[9] = 6;
	put16(ph + 10, (uint16_t)seglen);
	put16(th + 16, (uint16_t)~sum_fold(sum_add(sum_add(0, ph, sizeof(ph)), th, seglen)));
	return ETH_LEN + IP_LEN + seglen;
}

static struct rte_mbuf *
mbuf_of(const uint8_t *f, size_t len, uint64_t ol_flags)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fk.pool);
	char *d;

	if (m == NULL || (d = rte_pktmbuf_append(m, (uint16_t)len)) == NULL) {
		fprintf(stderr, "bench_tcp: out of mbufs\n");
		exit(1);
	}
	memcpy(d, f, len);
	m->ol_flags = ol_flags;
	return m;
}

static void
tx_clear(void)
{
	mdp_fake_dp_tx_clear(&fk);
}

static size_t
ts_opt(uint8_t *o)
{
	o[0] = 1;
	o[1] = 1;
	o[2] = 8;
	o[3] = 10;
	put32(o + 4, peer_tsval);
	put32(o + 8, peer_tsecr);
	return TS_LEN;
}

/* The handshake: SYN with MSS 1460, SACK_OK, TS, WS 7; read our SYN-ACK
 * back from the TX queue; ACK. */
static int
open_conn(void)
{
	uint8_t f[256], o[20];
	const uint8_t *th;
	struct rte_mbuf *m;
	size_t len;

	o[0] = 2; o[1] = 4; put16(o + 2, 1460);
	o[4] = 4; o[5] = 2; o[6] = 8; o[7] = 10;
	put32(o + 8, peer_tsval);
	put32(o + 12, 0);
	o[16] = 1; o[17] = 3; o[18] = 3; o[19] = 7;
	peer_seq = 1000000;
	len = frame(f, 0x02, peer_seq, 0, o, sizeof(o), 0);
	mdp_eth_input(w, &fk.dp.ports[0], mbuf_of(f, len, 0));
	peer_seq++;
	if (w->txq[0].n != 1) {
		fprintf(stderr, "bench_tcp: no SYN-ACK (%u segments queued)\n", w->txq[0].n);
		return -1;
	}
	m = w->txq[0].pkts[0];
	th = rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_LEN + IP_LEN);
	peer_ack = get32(th + 4) + 1;
	/* TSval of the SYN-ACK: options after MSS (4), SACK_OK + TS kind/len */
	for (unsigned i = TCP_LEN; i + 10 <= (unsigned)(th[12] >> 4) * 4;) {
		if (th[i] == 1) {
			i++;
			continue;
		}
		if (th[i] == 8) {
			peer_tsecr = get32(th + i + 2);
			break;
		}
		if (th[i] == 0 || th[i + 1] < 2)
			break;
		i += th[i + 1];
	}
	tx_clear();
	peer_tsval++;
	len = frame(f, 0x10, peer_seq, peer_ack, o, ts_opt(o), 0);
	mdp_eth_input(w, &fk.dp.ports[0], mbuf_of(f, len, 0));
	tx_clear();
	return 0;
}

/* cycles per segment of `len` bytes, best of ROUNDS rounds of n / ROUNDS */
static double
run(unsigned long n, size_t len, bool offload)
{
	static uint8_t f[ETH_LEN + IP_LEN + TCP_LEN + TS_LEN + 1500];
	struct rte_mbuf *batch[BATCH];
	uint64_t ol = offload ? RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD : 0;
	uint64_t before = w->cnt.port[0][MDP_CNT_TCP_RX_BYTES];
	double best = 1e30;
	unsigned long done_total = 0;
	uint8_t o[TS_LEN];

	fk.dp.ports[0].rx_csum = offload;
	for (unsigned r = 0; r < ROUNDS; r++) {
		uint64_t cyc = 0;
		unsigned long done = 0;

		while (done < n / ROUNDS) {
			size_t fl;

			peer_tsval++;
			for (unsigned i = 0; i < BATCH; i++) {
				fl = frame(f, 0x18, peer_seq, peer_ack, o, ts_opt(o), len);
				peer_seq += (uint32_t)len;
				batch[i] = mbuf_of(f, fl, ol);
			}
			uint64_t t0 = rte_rdtsc();
			for (unsigned i = 0; i < BATCH; i++)
				mdp_eth_input(w, &fk.dp.ports[0], batch[i]);
			cyc += rte_rdtsc() - t0;
			if (w->txq[0].n >= w->burst) {
				fprintf(stderr, "bench_tcp: TX queue full\n");
				exit(1);
			}
			tx_clear();
			done += BATCH;
		}
		done_total += done;
		if ((double)cyc / done < best)
			best = (double)cyc / done;
	}
	if (w->cnt.port[0][MDP_CNT_TCP_RX_BYTES] - before != done_total * len) {
		fprintf(stderr, "bench_tcp: %llu bytes delivered, %lu sent: segments were dropped\n",
			(unsigned long long)(w->cnt.port[0][MDP_CNT_TCP_RX_BYTES] - before),
			done_total * len);
		exit(1);
	}
	return best;
}

int
main(int argc, char **argv)
{
	char *eal[] = {
		"bench_tcp", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
		"--file-prefix=mdp-bench-tcp", "--no-telemetry", "--log-level=*:critical",
		"-l", "0", NULL,
	};
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
	double hz, c_full, c_full_off, c_small;

	if (n < ROUNDS * BATCH) {
		fprintf(stderr, "usage: bench_tcp [SEGMENTS >= %d]\n", ROUNDS * BATCH);
		return 2;
	}
	if (mdp_fake_dp_init(&fk, (int)(sizeof(eal) / sizeof(eal[0])) - 1, eal, "bench_tcp",
			     200) != 0)
		return 1;
	w = fk.w;
	mdp_config_defaults(&cfg);
	cfg.tcp.max_conns = 16;
	cfg.n_listeners = 1;
	snprintf(cfg.listeners[0].name, sizeof(cfg.listeners[0].name), "discard");
	cfg.listeners[0].kind = MDP_LISTENER_DISCARD;
	cfg.listeners[0].port = PORT;
	fk.dp.cfg = &cfg;
	fk.dp.tsc_hz = rte_get_tsc_hz();
	hz = (double)fk.dp.tsc_hz;
	for (unsigned i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	if (mdp_fake_dp_reset(&fk, &arp_params) != 0 ||
	    mdp_arp_learn(w->arp, 0, PEER_IP, peer_mac, true) == NULL ||
	    mdp_tcp_stack_init(w, &key) != 0) {
		fprintf(stderr, "bench_tcp: setup failed\n");
		return 1;
	}
	fk.dp.ports[0].tx_csum = false;
	fk.dp.ports[0].rx_csum = false;
	if (open_conn() != 0)
		return 1;

	c_full = run(n, 1448, false);
	c_full_off = run(n, 1448, true);
	c_small = run(n, 64, false);
	printf("TSC %.0f MHz; in-order data segments into an ESTABLISHED connection "
	       "(discard), batches of %d, best of %d rounds of %lu\n",
	       hz / 1e6, BATCH, ROUNDS, n / ROUNDS);
	printf("1448 B, checksums in software:  %7.0f cycles/segment  %6.1f ns  (%.1f Gbit/s of payload per core)\n",
	       c_full, c_full / hz * 1e9, 1448 * 8 / (c_full / hz) / 1e9);
	printf("1448 B, checksums by the device: %6.0f cycles/segment  %6.1f ns  (%.1f Gbit/s of payload per core)\n",
	       c_full_off, c_full_off / hz * 1e9, 1448 * 8 / (c_full_off / hz) / 1e9);
	printf("64 B, checksums in software:    %7.0f cycles/segment  %6.1f ns\n", c_small,
	       c_small / hz * 1e9);

	mdp_tcp_stack_fini(w);
	tx_clear();
	mdp_fake_dp_fini(&fk);
	return 0;
}
