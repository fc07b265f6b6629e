/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "dp.h"
#include "net/net.h"
#include "proxy/proxy.h"
#include "tcp/tcp_priv.h"
#include "tls/tls.h"
#include "util/mdp_log.h"

#define INBOX_SIZE 1024
#define HANDOFF_SIZE 4096
#define INBOX_BURST 32

/*
 * Cost accounting (struct mdp_loop_stats, `meshctl runtime`): the loop
 * carries the TSC of the last stage boundary; each measured stage reads the
 * TSC once at its end and charges the difference to itself. Stages that did
 * nothing (an empty TX flush, no control call) take no reading, so an idle
 * poll costs one rte_rdtsc() per port. Time between readings that no stage
 * claims lands in the next stage measured; the loop totals (busy, idle,
 * sleep) are exact.
 */
static inline uint64_t
stage_end(struct mdp_worker *w, enum mdp_stage s, uint64_t start, uint64_t calls)
{
	uint64_t t = rte_rdtsc();

	w->loop.stage[s].cycles += t - start;
	w->loop.stage[s].calls += calls;
	return t;
}

/* Wheel ticks for a duration, rounded up: a timer never fires early. */
static uint64_t
us_to_ticks(const struct mdp_config *cfg, uint64_t us)
{
	uint64_t t = (us + cfg->timer_tick_us - 1) / cfg->timer_tick_us;

	return t ? t : 1;
}

uint32_t
mdp_arp_pending_total(const struct mdp_config *cfg)
{
	uint64_t n = (uint64_t)cfg->arp_entries * cfg->arp_pending;

	return (uint32_t)RTE_MIN(n, (uint64_t)MDP_ARP_PENDING_TOTAL);
}

/* Send the packets queued for port; returns how many were offered to the
 * device (0: nothing was queued). */
static uint16_t
txq_flush(struct mdp_worker *w, uint16_t port)
{
	struct mdp_txq *q = &w->txq[port];
	const struct mdp_port *p = &w->dp->ports[port];
	struct rte_mbuf *imp[MDP_IMPAIR_OUT_MAX(MDP_BURST_MAX) + MDP_BURST_MAX];
	struct rte_mbuf **pkts = q->pkts;
	uint16_t sent, n = q->n;
	uint64_t bytes = 0;

	if (unlikely(w->impair[port].tx.active)) {
		struct mdp_impair_dir *d = &w->impair[port].tx;
		uint64_t now = rte_rdtsc();

		/* Due packets first: they were sent earlier. */
		n = mdp_impair_release(d, imp, MDP_BURST_MAX, now);
		n += mdp_impair_apply(&w->impair[port], d, &w->impair_st[port][1], w->pool,
				      q->pkts, q->n, imp + n, now);
		pkts = imp;
	}
	q->n = 0;
	if (n == 0)
		return 0;
	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	sent = rte_eth_tx_burst(p->port_id, w->queue, pkts, n);
	if (unlikely(sent < n)) {
		for (uint16_t i = sent; i < n; i++) {
			bytes -= rte_pktmbuf_pkt_len(pkts[i]);
			rte_pktmbuf_free(pkts[i]);
		}
		MDP_CNT_ADD(w, port, TX_FULL, n - sent);
	}
	MDP_CNT_ADD(w, port, TX_PKTS, sent);
	MDP_CNT_ADD(w, port, TX_BYTES, bytes);
	return n;
}

/* Receive one burst from port p and hand it to Ethernet input. Returns
 * the packets the port delivered. *tsc: the last stage boundary, advanced
 * past the rx and input stages. */
static uint16_t
rx_port(struct mdp_worker *w, unsigned pi, uint64_t *tsc)
{
	const struct mdp_port *p = &w->dp->ports[pi];
	struct rte_mbuf *pkts[MDP_BURST_MAX];
	struct rte_mbuf *imp[MDP_IMPAIR_OUT_MAX(MDP_BURST_MAX) + MDP_BURST_MAX];
	struct rte_mbuf **in = pkts;
	uint16_t n = rte_eth_rx_burst(p->port_id, w->queue, pkts, w->burst), got = n, k;
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	if (n) {
		MDP_CNT_ADD(w, pi, RX_PKTS, n);
		MDP_CNT_ADD(w, pi, RX_BYTES, bytes);
	}
	if (unlikely(w->impair[pi].rx.active)) {
		struct mdp_impair_dir *d = &w->impair[pi].rx;
		uint64_t now = rte_rdtsc();

		k = mdp_impair_release(d, imp, MDP_BURST_MAX, now);
		k += mdp_impair_apply(&w->impair[pi], d, &w->impair_st[pi][0], w->pool, pkts, n,
				      imp + k, now);
		in = imp;
		n = k;
	}
	w->loop.rx_bursts[mdp_burst_bucket(got)]++;
	*tsc = stage_end(w, MDP_STAGE_RX, *tsc, 1);
	if (n == 0)
		return got;
	for (uint16_t i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(in[i + 1], void *));
		mdp_eth_input(w, p, in[i]);
	}
	*tsc = stage_end(w, MDP_STAGE_INPUT, *tsc, n);
	return got;
}

void
mdp_tx_enqueue(struct mdp_worker *w, uint16_t port, struct rte_mbuf *m)
{
	struct mdp_txq *q = &w->txq[port];

	if (unlikely(q->n == w->burst))
		txq_flush(w, port);
	q->pkts[q->n++] = m;
}

void
mdp_xcore_broadcast(struct mdp_worker *w, const struct mdp_xcore_msg *msg)
{
	struct mdp_dp *dp = w->dp;

	for (unsigned i = 0; i < dp->n_workers; i++) {
		if (i == w->idx)
			continue;
		if (rte_ring_mp_enqueue_elem(dp->workers[i]->inbox, (void *)(uintptr_t)msg,
					     sizeof(*msg)) != 0)
			MDP_CNT_INC(w, msg->port, RING_FULL);
	}
}

bool
mdp_handoff(struct mdp_worker *w, unsigned to, uint16_t port, struct rte_mbuf *m)
{
	m->port = port;		/* our port index travels with it */
	if (rte_ring_mp_enqueue(w->dp->workers[to]->handoff, m) != 0) {
		MDP_CNT_INC(w, port, RING_FULL);
		return false;
	}
	MDP_CNT_INC(w, port, HANDOFF_OUT);
	return true;
}

/* Returns the packets taken from the handoff ring. */
static unsigned
handoff_drain(struct mdp_worker *w)
{
	struct rte_mbuf *pkts[INBOX_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(w->handoff, (void **)pkts, INBOX_BURST, NULL);

	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint16_t port = m->port;

		MDP_CNT_INC(w, port, HANDOFF_IN);
		mdp_tcp_input(w, &w->dp->ports[port], m, rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *));
	}
	return n;
}

/* Returns the messages taken from the inbox. */
static unsigned
inbox_drain(struct mdp_worker *w)
{
	struct mdp_xcore_msg msgs[INBOX_BURST];
	unsigned n = rte_ring_sc_dequeue_burst_elem(w->inbox, msgs, sizeof(msgs[0]),
						    INBOX_BURST, NULL);

	for (unsigned i = 0; i < n; i++) {
		if (msgs[i].type == MDP_XCORE_ARP_LEARN && msgs[i].port < w->dp->n_ports)
			mdp_arp_xcore_learn(w, &msgs[i]);
	}
	return n;
}

/* Run a pending control call; true when one ran. */
static bool
call_serve(struct mdp_worker *w)
{
	struct mdp_worker_call *c = &w->call;
	uint64_t req = __atomic_load_n(&c->req_seq, __ATOMIC_ACQUIRE);

	if (likely(req == c->done_seq))
		return false;
	c->rc = c->fn(w, c->arg);
	__atomic_store_n(&c->done_seq, req, __ATOMIC_RELEASE);
	return true;
}

int
mdp_worker_call(struct mdp_worker *w, mdp_worker_fn_t fn, void *arg, unsigned timeout_ms)
{
	struct mdp_worker_call *c = &w->call;
	uint64_t seq;
	struct timespec ts = { 0, 200 * 1000 };	/* 200 us */
	unsigned waited_us = 0;

	/* A previous call that timed out may still be running. */
	if (__atomic_load_n(&c->done_seq, __ATOMIC_ACQUIRE) != c->req_seq)
		return -EBUSY;
	free(c->orphan);	/* that call has run: its argument is ours again */
	c->orphan = NULL;
	c->fn = fn;
	c->arg = arg;
	seq = c->req_seq + 1;
	__atomic_store_n(&c->req_seq, seq, __ATOMIC_RELEASE);
	while (__atomic_load_n(&c->done_seq, __ATOMIC_ACQUIRE) != seq) {
		if (waited_us >= timeout_ms * 1000u) {
			c->orphan = arg;
			return -ETIMEDOUT;
		}
		nanosleep(&ts, NULL);
		waited_us += 200;
	}
	return c->rc;
}

static void
garp_timer_cb(struct mdp_timer *t, void *arg)
{
	struct mdp_worker *w = arg;

	for (unsigned i = 0; i < w->dp->n_ports; i++)
		mdp_arp_send_gratuitous(w, &w->dp->ports[i]);
	if (--w->garp_left > 0)
		mdp_timer_start(&w->wheel, t, us_to_ticks(w->dp->cfg, w->dp->cfg->arp_retry_ms * 1000ull));
}

/* Advance the wheel when a tick has passed; now is the last stage
 * boundary, and the new one is returned. */
static inline uint64_t
timers_run(struct mdp_worker *w, uint64_t now)
{
	if (now >= w->next_tick_tsc) {
		uint64_t tick = now / w->tsc_per_tick;

		w->loop.timers_fired += mdp_wheel_advance(&w->wheel, tick);
		w->next_tick_tsc = (tick + 1) * w->tsc_per_tick;
		now = stage_end(w, MDP_STAGE_TIMERS, now, 1);
	}
	return now;
}

/* Count an empty poll and sleep when enough came in a row; true when it
 * slept. */
static inline bool
idle_backoff(struct mdp_worker *w, const struct mdp_config *cfg)
{
	struct timespec ts;

	if (++w->empty_polls < cfg->idle_empty_polls)
		return false;
	/* Sleep no longer than the next timer tick would allow... bounded by
	 * sleep_max_us, so a burst after a quiet spell waits at most that. */
	ts.tv_sec = 0;
	ts.tv_nsec = (long)w->sleep_us * 1000;
	nanosleep(&ts, NULL);
	w->loop.sleeps++;
	w->loop.sleep_us += w->sleep_us;
	if (w->sleep_us < cfg->idle_sleep_max_us) {
		w->sleep_us *= 2;
		if (w->sleep_us > cfg->idle_sleep_max_us)
			w->sleep_us = cfg->idle_sleep_max_us;
	}
	return true;
}

static int
worker_main(void *arg)
{
	struct mdp_worker *w = arg;
	struct mdp_dp *dp = w->dp;
	const struct mdp_config *cfg = dp->cfg;
	const bool adaptive = cfg->idle_mode == MDP_IDLE_ADAPTIVE;
	struct mdp_loop_stats *ls = &w->loop;
	uint64_t t, t_loop;

	MDP_INFO("worker %u on lcore %u: queue %u of %u port(s)", w->idx, w->lcore, w->queue,
		 dp->n_ports);
	mdp_wheel_advance(&w->wheel, rte_rdtsc() / w->tsc_per_tick);
	if (w->idx == 0 && cfg->arp_gratuitous > 0) {
		w->garp_left = cfg->arp_gratuitous;
		mdp_timer_start(&w->wheel, &w->garp_timer, 0);
	}

	t = t_loop = rte_rdtsc();
	while (likely(!__atomic_load_n(&dp->stop, __ATOMIC_RELAXED))) {
		uint32_t got = 0, sent = 0;

		t = timers_run(w, t);
		for (unsigned pi = 0; pi < dp->n_ports; pi++)
			got += rx_port(w, pi, &t);
		if (dp->n_workers > 1) {
			unsigned msgs = inbox_drain(w), pkts = handoff_drain(w);

			if (msgs + pkts)
				t = stage_end(w, MDP_STAGE_INPUT, t, pkts);
		}
		mdp_tls_flush(w);	/* records sealed from this iteration's sends */
		for (unsigned pi = 0; pi < dp->n_ports; pi++)
			sent += txq_flush(w, (uint16_t)pi);
		if (sent)
			t = stage_end(w, MDP_STAGE_TX, t, 1);
		if (unlikely(call_serve(w)))
			t = stage_end(w, MDP_STAGE_CALL, t, 1);

		if (got) {
			ls->polls_busy++;
			ls->cycles_busy += t - t_loop;
			w->empty_polls = 0;
			w->sleep_us = cfg->idle_sleep_min_us;
		} else {
			ls->polls_idle++;
			ls->cycles_idle += t - t_loop;
			if (adaptive && idle_backoff(w, cfg)) {
				uint64_t woke = rte_rdtsc();

				ls->cycles_sleep += woke - t;
				t = woke;
			}
		}
		t_loop = t;
	}
	/* Packets queued at the end still go out; nothing is left behind. */
	for (unsigned pi = 0; pi < dp->n_ports; pi++)
		txq_flush(w, (uint16_t)pi);
	MDP_INFO("worker %u on lcore %u: stopped", w->idx, w->lcore);
	return 0;
}

int
mdp_workers_init(struct mdp_dp *dp)
{
	const struct mdp_config *cfg = dp->cfg;
	uint64_t tsc_per_tick = dp->tsc_hz * cfg->timer_tick_us / 1000000ull;

	if (tsc_per_tick == 0)
		tsc_per_tick = 1;
	dp->n_workers = cfg->n_workers;
	for (unsigned i = 0; i < cfg->n_workers; i++) {
		unsigned lcore = cfg->workers[i];
		int socket = (int)rte_lcore_to_socket_id(lcore);
		struct mdp_worker *w;
		struct mdp_arp_params ap;
		char name[RTE_RING_NAMESIZE];

		w = rte_zmalloc_socket("mdp_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
		if (w == NULL) {
			MDP_ERR("worker %u: out of memory", i);
			return -ENOMEM;
		}
		dp->workers[i] = w;
		w->dp = dp;
		w->idx = i;
		w->lcore = lcore;
		w->queue = (uint16_t)i;
		w->burst = (uint16_t)cfg->burst;
		w->pool = dp->pool;
		w->tsc_per_tick = tsc_per_tick;
		w->sleep_us = cfg->idle_sleep_min_us;
		if (mdp_wheel_init(&w->wheel, cfg->timer_slots, rte_rdtsc() / tsc_per_tick) != 0) {
			MDP_ERR("worker %u: timing wheel: out of memory", i);
			return -ENOMEM;
		}
		mdp_timer_init(&w->garp_timer, garp_timer_cb, w);
		ap = (struct mdp_arp_params){
			.entries = cfg->arp_entries,
			.pending_max = cfg->arp_pending,
			.pending_total_max = mdp_arp_pending_total(cfg),
			.retries = cfg->arp_retries,
			.retry_ticks = us_to_ticks(cfg, cfg->arp_retry_ms * 1000ull),
			.timeout_ticks = us_to_ticks(cfg, cfg->arp_timeout_s * 1000000ull),
		};
		w->arp = mdp_arp_table_create(&ap, &w->wheel, &mdp_arp_worker_ops, w);
		if (w->arp == NULL) {
			MDP_ERR("worker %u: ARP table of %u entries: out of memory", i,
				cfg->arp_entries);
			return -ENOMEM;
		}
		for (unsigned pi = 0; pi < cfg->n_ports; pi++) {
			struct mdp_impair_stats *rx = &w->impair_st[pi][0], *tx = &w->impair_st[pi][1];

			*rx = (struct mdp_impair_stats){
				&w->cnt.port[pi][MDP_CNT_IMPAIR_RX_LOSS],
				&w->cnt.port[pi][MDP_CNT_IMPAIR_RX_CORRUPT],
				&w->cnt.port[pi][MDP_CNT_IMPAIR_RX_DUP],
				&w->cnt.port[pi][MDP_CNT_IMPAIR_RX_REORDER],
				&w->cnt.port[pi][MDP_CNT_IMPAIR_RX_DELAY] };
			*tx = (struct mdp_impair_stats){
				&w->cnt.port[pi][MDP_CNT_IMPAIR_TX_LOSS],
				&w->cnt.port[pi][MDP_CNT_IMPAIR_TX_CORRUPT],
				&w->cnt.port[pi][MDP_CNT_IMPAIR_TX_DUP],
				&w->cnt.port[pi][MDP_CNT_IMPAIR_TX_REORDER],
				&w->cnt.port[pi][MDP_CNT_IMPAIR_TX_DELAY] };
			if (cfg->ports[pi].impair &&
			    mdp_impair_init(&w->impair[pi], &cfg->ports[pi], i, dp->tsc_hz, socket) < 0) {
				MDP_ERR("worker %u: impairment delay line: out of memory", i);
				return -ENOMEM;
			}
		}
		if (mdp_tls_worker_init(w) < 0) {
			MDP_ERR("worker %u: TLS layer (ipsec-mb manager): out of memory", i);
			return -ENOMEM;
		}
		{
			struct mdp_siphash_key key = { dp->tcp_key[0], dp->tcp_key[1] };

			if (mdp_tcp_stack_init(w, &key) < 0) {
				MDP_ERR("worker %u: TCP stack of %u connections: out of memory", i,
					cfg->tcp.max_conns);
				return -ENOMEM;
			}
		}
		for (unsigned l = 0; l < cfg->n_listeners; l++) {
			/* the proxy also adopts the mesh snapshots, which carry
			 * the TLS listeners' contexts */
			if (cfg->listeners[l].kind == MDP_LISTENER_HTTP || cfg->listeners[l].tls != NULL) {
				if (mdp_proxy_init(w) < 0)
					return -ENOMEM;
				break;
			}
		}
		snprintf(name, sizeof(name), "mdp_handoff_%u", i);
		w->handoff = rte_ring_create(name, HANDOFF_SIZE, socket, RING_F_SC_DEQ);
		if (w->handoff == NULL) {
			MDP_ERR("worker %u: handoff ring: %s", i, rte_strerror(rte_errno));
			return -ENOMEM;
		}
		snprintf(name, sizeof(name), "mdp_inbox_%u", i);
		w->inbox = rte_ring_create_elem(name, sizeof(struct mdp_xcore_msg), INBOX_SIZE,
						socket, RING_F_SC_DEQ);
		if (w->inbox == NULL) {
			MDP_ERR("worker %u: inbox ring: %s", i, rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	return 0;
}

int
mdp_workers_launch(struct mdp_dp *dp)
{
	for (unsigned i = 0; i < dp->n_workers; i++) {
		struct mdp_worker *w = dp->workers[i];
		int rc = rte_eal_remote_launch(worker_main, w, w->lcore);

		if (rc != 0) {
			MDP_ERR("worker %u: cannot launch on lcore %u: %s", i, w->lcore,
				rte_strerror(-rc));
			return rc;
		}
	}
	return 0;
}

void
mdp_workers_stop(struct mdp_dp *dp)
{
	__atomic_store_n(&dp->stop, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
}

void
mdp_workers_fini(struct mdp_dp *dp)
{
	for (unsigned i = 0; i < dp->n_workers; i++) {
		struct mdp_worker *w = dp->workers[i];

		if (w == NULL)
			continue;
		mdp_tcp_stack_fini(w);
		mdp_proxy_fini(w);	/* after TCP: no callback reaches it */
		mdp_tls_worker_fini(w);
		if (w->arp != NULL)
			mdp_arp_table_free(w->arp);	/* frees queued mbufs */
		mdp_wheel_fini(&w->wheel);
		rte_ring_free(w->inbox);
		if (w->handoff != NULL) {
			struct rte_mbuf *m;

			while (rte_ring_dequeue(w->handoff, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(w->handoff);
		}
		for (unsigned p = 0; p < dp->n_ports; p++)
			mdp_impair_fini(&w->impair[p]);
		for (unsigned p = 0; p < MDP_MAX_PORTS; p++)
			for (uint16_t k = 0; k < w->txq[p].n; k++)
				rte_pktmbuf_free(w->txq[p].pkts[k]);
		rte_free(w);
		dp->workers[i] = NULL;
	}
}
