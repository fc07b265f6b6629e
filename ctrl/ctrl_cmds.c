/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_version.h>

#include "ctrl_cmds.h"
#include "ctrl_mesh.h"
#include "ctrl_tls.h"
#include "dp.h"
#include "proxy/proxy.h"
#include "tcp/mdp_tcp_cc.h"
#include "tcp/tcp_info.h"
#include "util/mdp_inet.h"
#include "util/mdp_log.h"

#define CALL_TIMEOUT_MS 1000

static json_t *cmd_help(void *ctx, json_t *args, struct mdp_ctrl_err *err);

static json_t *
ipv4_json(uint32_t a)
{
	char buf[MDP_IPV4_STRLEN];

	return json_string(mdp_ipv4_format(a, buf));
}

static json_t *
prefix_json(uint32_t a, uint8_t len)
{
	char buf[MDP_IPV4_STRLEN];

	return json_sprintf("%s/%u", mdp_ipv4_format(a, buf), len);
}

static json_t *
mac_json(const uint8_t mac[6])
{
	char buf[MDP_MAC_STRLEN];

	return json_string(mdp_mac_format(mac, buf));
}

/* Find a port by its configured name; NULL sets err. */
static const struct mdp_port *
port_by_name(const struct mdp_dp *dp, const char *name, struct mdp_ctrl_err *err)
{
	for (unsigned i = 0; i < dp->n_ports; i++)
		if (strcmp(dp->ports[i].conf->name, name) == 0)
			return &dp->ports[i];
	mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "no port named '%.64s'", name);
	return NULL;
}

static json_t *
cmd_version(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	(void)ctx;
	(void)args;
	(void)err;
	return json_pack("{s:s, s:s}", "version", MDP_VERSION, "dpdk", rte_version());
}

static json_t *
cmd_status(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	struct mdp_dp *dp = ctx;
	struct timespec now;
	struct tm tm;
	char started[32];
	json_t *workers = json_array();
	double up;

	(void)args;
	(void)err;
	clock_gettime(CLOCK_MONOTONIC, &now);
	up = (double)(now.tv_sec - dp->start_mono.tv_sec) +
	     (double)(now.tv_nsec - dp->start_mono.tv_nsec) / 1e9;
	gmtime_r(&dp->start_time, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (unsigned i = 0; i < dp->n_workers; i++) {
		uint32_t used, size;

		mdp_tcp_info_usage(dp->workers[i], &used, &size);
		json_array_append_new(workers, json_pack("{s:i, s:i, s:i, s:{s:I, s:I}}", "worker",
							 i, "lcore", dp->workers[i]->lcore, "queue",
							 dp->workers[i]->queue, "tcp_conns",
							 "used", (json_int_t)used, "size",
							 (json_int_t)size));
	}
	return json_pack("{s:i, s:f, s:s, s:s, s:s, s:i, s:o, s:i, s:{s:I, s:I}}", "pid",
			 (int)getpid(),
			 "uptime_s", up, "started_at", started, "config_file", dp->cfg->file,
			 "log_level", mdp_log_level_name(mdp_log_threshold), "main_lcore",
			 dp->cfg->main_lcore, "workers", workers, "ports", dp->n_ports,
			 "mbufs", "in_use", (json_int_t)rte_mempool_in_use_count(dp->pool),
			 "size", (json_int_t)dp->pool->size);
}

/* Sum a counter over workers for one port (or all ports when port < 0). */
static uint64_t
cnt_sum(const struct mdp_dp *dp, int worker, int port, enum mdp_cnt id)
{
	uint64_t v = 0;

	for (unsigned w = 0; w < dp->n_workers; w++) {
		if (worker >= 0 && (unsigned)worker != w)
			continue;
		for (unsigned p = 0; p < dp->n_ports; p++)
			if (port < 0 || (unsigned)port == p)
				v += dp->workers[w]->cnt.port[p][id];
	}
	return v;
}

static json_t *
port_json(const struct mdp_dp *dp, const struct mdp_port *p)
{
	const struct mdp_conf_port *c = p->conf;
	struct rte_eth_stats st;
	struct rte_eth_link link;
	json_t *routes = json_array(), *reasons = json_object();
	uint64_t drops = 0;

	for (unsigned r = 0; r < c->n_routes; r++)
		json_array_append_new(routes, json_pack("{s:o, s:o}", "dst",
			prefix_json(c->routes[r].dst, c->routes[r].dst_len), "via",
			ipv4_json(c->routes[r].via)));
	for (int id = 0; id < MDP_CNT_COUNT; id++) {
		uint64_t v;

		if (mdp_cnt_desc[id].kind != MDP_CNT_KIND_DROP)
			continue;
		v = cnt_sum(dp, -1, p->idx, id);
		drops += v;
		if (v)
			json_object_set_new(reasons, mdp_cnt_desc[id].name, json_integer((json_int_t)v));
	}
	memset(&st, 0, sizeof(st));
	rte_eth_stats_get(p->port_id, &st);
	memset(&link, 0, sizeof(link));
	rte_eth_link_get_nowait(p->port_id, &link);
	return json_pack("{s:s, s:i, s:s, s:s, s:o, s:o, s:o, s:o, s:i, s:i, s:i, s:i, s:i,"
			 " s:{s:b, s:o, s:b}, s:{s:b, s:b},"
			 " s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I},"
			 " s:{s:I, s:I, s:I, s:I, s:I, s:o}}",
			 "name", c->name, "port_id", p->port_id, "driver", p->driver,
			 "device", c->device, "mac", mac_json(p->mac.addr_bytes),
			 "address", prefix_json(p->addr, c->prefix_len),
			 "gateway", c->gateway ? ipv4_json(c->gateway) : json_null(),
			 "routes", routes, "mtu", c->mtu, "rx_queues", dp->n_workers,
			 "tx_queues", dp->n_workers, "rx_desc", c->rx_desc, "tx_desc", c->tx_desc,
			 "link", "up", link.link_status == RTE_ETH_LINK_UP,
			 "speed_mbps", link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? json_null() :
				 json_integer((json_int_t)link.link_speed),
			 "full_duplex", link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX,
			 "checksum_offload", "tx", p->tx_csum, "rx", p->rx_csum,
			 "dpdk", "ipackets", (json_int_t)st.ipackets, "opackets",
			 (json_int_t)st.opackets, "ibytes", (json_int_t)st.ibytes,
			 "obytes", (json_int_t)st.obytes, "imissed", (json_int_t)st.imissed,
			 "ierrors", (json_int_t)st.ierrors, "oerrors", (json_int_t)st.oerrors,
			 "rx_nombuf", (json_int_t)st.rx_nombuf,
			 "meshdp", "rx_packets", (json_int_t)cnt_sum(dp, -1, p->idx, MDP_CNT_RX_PKTS),
			 "rx_bytes", (json_int_t)cnt_sum(dp, -1, p->idx, MDP_CNT_RX_BYTES),
			 "tx_packets", (json_int_t)cnt_sum(dp, -1, p->idx, MDP_CNT_TX_PKTS),
			 "tx_bytes", (json_int_t)cnt_sum(dp, -1, p->idx, MDP_CNT_TX_BYTES),
			 "drops", (json_int_t)drops, "drop_reasons", reasons);
}

static json_t *
cmd_ports(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	struct mdp_dp *dp = ctx;
	json_t *name = json_object_get(args, "port"), *list;
	const struct mdp_port *only = NULL;

	if (name != NULL && (only = port_by_name(dp, json_string_value(name), err)) == NULL)
		return NULL;
	list = json_array();
	for (unsigned i = 0; i < dp->n_ports; i++)
		if (only == NULL || only == &dp->ports[i])
			json_array_append_new(list, port_json(dp, &dp->ports[i]));
	return json_pack("{s:o}", "ports", list);
}

static json_t *
counters_json(const struct mdp_dp *dp, int worker, bool nonzero)
{
	json_t *o = json_object();

	for (int id = 0; id < MDP_CNT_COUNT; id++) {
		uint64_t v = cnt_sum(dp, worker, -1, id);

		if (v || !nonzero)
			json_object_set_new(o, mdp_cnt_desc[id].name, json_integer((json_int_t)v));
	}
	return o;
}

static json_t *
cmd_stats(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	struct mdp_dp *dp = ctx;
	json_t *jw = json_object_get(args, "worker"), *list;
	bool nonzero = json_is_true(json_object_get(args, "nonzero"));
	json_int_t only = -1;

	if (jw != NULL) {
		only = json_integer_value(jw);
		if (only < 0 || only >= (json_int_t)dp->n_workers)
			return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG,
					     "worker %lld out of range (0..%u)", (long long)only,
					     dp->n_workers - 1);
	}
	list = json_array();
	for (unsigned i = 0; i < dp->n_workers; i++) {
		const struct mdp_loop_stats *l = &dp->workers[i]->loop;

		if (only >= 0 && (unsigned)only != i)
			continue;
		json_array_append_new(list, json_pack("{s:i, s:i, s:{s:I, s:I, s:I, s:I, s:I}, s:o}",
			"worker", i, "lcore", dp->workers[i]->lcore,
			"loop", "polls_busy", (json_int_t)l->polls_busy,
			"polls_idle", (json_int_t)l->polls_idle, "sleeps", (json_int_t)l->sleeps,
			"sleep_us", (json_int_t)l->sleep_us,
			"timers_fired", (json_int_t)l->timers_fired,
			"counters", counters_json(dp, (int)i, nonzero)));
	}
	return json_pack("{s:o, s:o}", "workers", list, "total",
			 counters_json(dp, (int)only, nonzero));
}

/*
 * runtime: where each worker's time goes (struct mdp_loop_stats), as
 * counts since a baseline. The control thread never writes worker memory,
 * so a reset is a snapshot of every worker that later replies subtract. One
 * baseline for all clients; all zero (meshdp's start) until the first reset.
 */
struct runtime_sample {
	struct mdp_loop_stats loop;
	uint64_t rx_pkts;
	uint64_t tx_pkts;
	uint64_t http_requests;		/* request heads accepted */
	uint64_t http_responses;	/* final responses (2xx..5xx), local ones included */
};

static struct runtime_sample runtime_base[MDP_MAX_WORKERS];
static struct timespec runtime_base_time;	/* {0, 0}: since start-up */

static void
runtime_read(const struct mdp_dp *dp, unsigned i, struct runtime_sample *s)
{
	const struct mdp_worker *w = dp->workers[i];
	const struct mdp_proxy_stats *ps = mdp_proxy_stats(w);

	memset(s, 0, sizeof(*s));
	mdp_loop_stats_read(&s->loop, &w->loop);
	s->rx_pkts = cnt_sum(dp, (int)i, -1, MDP_CNT_RX_PKTS);
	s->tx_pkts = cnt_sum(dp, (int)i, -1, MDP_CNT_TX_PKTS);
	if (ps != NULL) {
		s->http_requests = ps->requests;
		for (unsigned c = 2; c <= 5; c++)
			s->http_responses += ps->responses[c];
	}
}

static uint64_t
sub0(uint64_t a, uint64_t b)
{
	return a >= b ? a - b : 0;
}

/* A non-negative value rounded to `digits` decimals (0..3). */
static double
round_to(double v, int digits)
{
	static const double scale[] = { 1.0, 10.0, 100.0, 1000.0 };
	double s = scale[digits];

	return (double)(uint64_t)(v * s + 0.5) / s;
}

/* num / den rounded to `digits` decimals, or null when den is 0. */
static json_t *
ratio_json(double num, double den, int digits)
{
	if (den <= 0)
		return json_null();
	return json_real(round_to(num / den, digits));
}

static json_t *
runtime_worker_json(const struct mdp_dp *dp, unsigned i, const struct runtime_sample *cur,
		    const struct runtime_sample *base)
{
	struct mdp_loop_stats d;
	uint64_t rx = sub0(cur->rx_pkts, base->rx_pkts), tx = sub0(cur->tx_pkts, base->tx_pkts);
	uint64_t total, bursts = 0, hreq, hresp;
	json_t *o = json_object(), *hist = json_array(), *stages = json_object();

	mdp_loop_stats_sub(&d, &cur->loop, &base->loop);
	total = d.cycles_busy + d.cycles_idle + d.cycles_sleep;
	for (unsigned b = 0; b < MDP_BURST_BUCKETS; b++) {
		unsigned lo, hi;

		mdp_burst_bucket_range(b, &lo, &hi);
		bursts += d.rx_bursts[b];
		json_array_append_new(hist, json_pack("{s:i, s:i, s:I}", "min", lo, "max", hi,
						      "bursts", (json_int_t)d.rx_bursts[b]));
	}
	for (unsigned st = 0; st < MDP_STAGE_COUNT; st++) {
		const struct mdp_stage_stats *ss = &d.stage[st];

		json_object_set_new(stages, mdp_stage_name[st], json_pack("{s:I, s:I, s:o, s:o}",
			"cycles", (json_int_t)ss->cycles, "calls", (json_int_t)ss->calls,
			"pct", ratio_json(100.0 * (double)ss->cycles, (double)total, 2),
			"cycles_per_call", ratio_json((double)ss->cycles, (double)ss->calls, 1)));
	}
	json_object_set_new(o, "worker", json_integer(i));
	json_object_set_new(o, "lcore", json_integer(dp->workers[i]->lcore));
	json_object_set_new(o, "polls_busy", json_integer((json_int_t)d.polls_busy));
	json_object_set_new(o, "polls_idle", json_integer((json_int_t)d.polls_idle));
	json_object_set_new(o, "sleeps", json_integer((json_int_t)d.sleeps));
	json_object_set_new(o, "cycles_busy", json_integer((json_int_t)d.cycles_busy));
	json_object_set_new(o, "cycles_idle", json_integer((json_int_t)d.cycles_idle));
	json_object_set_new(o, "cycles_sleep", json_integer((json_int_t)d.cycles_sleep));
	json_object_set_new(o, "cycles_total", json_integer((json_int_t)total));
	json_object_set_new(o, "busy_pct", ratio_json(100.0 * (double)d.cycles_busy, (double)total, 2));
	json_object_set_new(o, "idle_pct", ratio_json(100.0 * (double)d.cycles_idle, (double)total, 2));
	json_object_set_new(o, "sleep_pct",
			    ratio_json(100.0 * (double)d.cycles_sleep, (double)total, 2));
	json_object_set_new(o, "rx_packets", json_integer((json_int_t)rx));
	json_object_set_new(o, "tx_packets", json_integer((json_int_t)tx));
	json_object_set_new(o, "rx_bursts", json_integer((json_int_t)bursts));
	json_object_set_new(o, "rx_bursts_nonempty",
			    json_integer((json_int_t)(bursts - d.rx_bursts[0])));
	json_object_set_new(o, "packets_per_burst",
			    ratio_json((double)rx, (double)(bursts - d.rx_bursts[0]), 2));
	json_object_set_new(o, "burst_histogram", hist);
	json_object_set_new(o, "cycles_per_packet", ratio_json((double)d.cycles_busy, (double)rx, 1));
	json_object_set_new(o, "stages", stages);
	json_object_set_new(o, "timers_fired", json_integer((json_int_t)d.timers_fired));
	if (mdp_proxy_stats(dp->workers[i]) != NULL) {
		hreq = sub0(cur->http_requests, base->http_requests);
		hresp = sub0(cur->http_responses, base->http_responses);
		json_object_set_new(o, "http", json_pack("{s:I, s:I, s:o}",
			"requests", (json_int_t)hreq, "responses", (json_int_t)hresp,
			"cycles_per_request", ratio_json((double)d.cycles_busy, (double)hresp, 1)));
	} else {
		json_object_set_new(o, "http", json_null());
	}
	return o;
}

static json_t *
cmd_runtime(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	struct mdp_dp *dp = ctx;
	bool reset = json_is_true(json_object_get(args, "reset"));
	struct runtime_sample cur[MDP_MAX_WORKERS];
	const struct timespec *since = runtime_base_time.tv_sec || runtime_base_time.tv_nsec ?
		&runtime_base_time : &dp->start_mono;
	struct timespec now;
	json_t *list = json_array();
	double since_s;

	(void)err;
	clock_gettime(CLOCK_MONOTONIC, &now);
	since_s = (double)(now.tv_sec - since->tv_sec) +
		  (double)(now.tv_nsec - since->tv_nsec) / 1e9;
	for (unsigned i = 0; i < dp->n_workers; i++)
		runtime_read(dp, i, &cur[i]);
	for (unsigned i = 0; i < dp->n_workers; i++)
		json_array_append_new(list, runtime_worker_json(dp, i, &cur[i], &runtime_base[i]));
	if (reset) {
		/* The values just reported are the new baseline: nothing
		 * counted between this reply and the next is lost. */
		memcpy(runtime_base, cur, dp->n_workers * sizeof(cur[0]));
		runtime_base_time = now;
	}
	return json_pack("{s:I, s:f, s:b, s:o}", "tsc_hz", (json_int_t)dp->tsc_hz, "since_s",
			 round_to(since_s > 0 ? since_s : 0, 3), "reset", reset, "workers", list);
}

/*
 * ARP dump. The worker copies its entries into rows the control thread
 * allocated; the control thread builds the JSON. Nothing is allocated on
 * the worker.
 */
struct arp_row {
	uint32_t ip;
	uint16_t port;
	uint8_t state;
	uint8_t mac[6];
	uint16_t pending;
	uint64_t age_ticks;
};

struct arp_dump {
	int port;		/* -1: all */
	size_t n, cap;
	struct arp_row rows[];
};

static int
arp_dump_entry(const struct mdp_arp_entry *e, void *arg)
{
	struct arp_dump *d = arg;
	struct arp_row *r;

	if (d->port >= 0 && e->port != d->port)
		return 0;
	if (d->n == d->cap)
		return -ENOSPC;
	r = &d->rows[d->n++];
	r->ip = e->ip;
	r->port = e->port;
	r->state = e->state;
	memcpy(r->mac, e->mac, 6);
	r->pending = e->n_pending;
	r->age_ticks = e->tbl->wheel->now - e->updated;
	return 0;
}

static int
arp_dump_on_worker(struct mdp_worker *w, void *arg)
{
	return mdp_arp_foreach(w->arp, arp_dump_entry, arg);
}

static json_t *
cmd_arp(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	struct mdp_dp *dp = ctx;
	json_t *name = json_object_get(args, "port"), *list;
	const struct mdp_port *p = NULL;
	size_t cap = dp->cfg->arp_entries;

	if (name != NULL && (p = port_by_name(dp, json_string_value(name), err)) == NULL)
		return NULL;
	list = json_array();
	for (unsigned i = 0; i < dp->n_workers; i++) {
		/* Heap, not stack: after a time-out the worker may still use it. */
		struct arp_dump *d = malloc(sizeof(*d) + cap * sizeof(d->rows[0]));
		int rc;

		if (d == NULL) {
			json_decref(list);
			return mdp_ctrl_fail(err, MDP_CTRL_ERR_INTERNAL, "out of memory");
		}
		d->port = p ? p->idx : -1;
		d->n = 0;
		d->cap = cap;
		rc = mdp_worker_call(dp->workers[i], arp_dump_on_worker, d, CALL_TIMEOUT_MS);
		if (rc == -ETIMEDOUT || rc == -EBUSY) {
			if (rc == -EBUSY)
				free(d);	/* on a time-out the call owns it */
			json_decref(list);
			return mdp_ctrl_fail(err, rc == -EBUSY ? MDP_CTRL_ERR_BUSY :
					     MDP_CTRL_ERR_TIMEOUT, "worker %u did not answer", i);
		}
		for (size_t k = 0; k < d->n; k++) {
			const struct arp_row *r = &d->rows[k];
			bool ok = r->state != MDP_ARP_INCOMPLETE;

			json_array_append_new(list, json_pack("{s:i, s:s, s:o, s:o, s:s, s:I, s:i}",
				"worker", i, "port", dp->ports[r->port].conf->name,
				"ip", ipv4_json(r->ip), "mac", ok ? mac_json(r->mac) : json_null(),
				"state", r->state == MDP_ARP_REACHABLE ? "reachable" :
					 r->state == MDP_ARP_PROBE ? "probe" : "incomplete",
				"age_ms", (json_int_t)(r->age_ticks * dp->cfg->timer_tick_us / 1000),
				"pending", r->pending));
		}
		free(d);
	}
	return json_pack("{s:o}", "entries", list);
}

struct arp_flush {
	int port;		/* -1: all */
	bool any_ip;
	uint32_t ip;
	int removed;
};

static int
arp_count_entry(const struct mdp_arp_entry *e, void *arg)
{
	struct arp_flush *f = arg;

	if ((f->port < 0 || e->port == f->port) && (f->any_ip || e->ip == f->ip))
		f->removed++;
	return 0;
}

static int
arp_flush_on_worker(struct mdp_worker *w, void *arg)
{
	struct arp_flush *f = arg;
	struct arp_flush pick = *f;

	pick.removed = 0;
	mdp_arp_foreach(w->arp, arp_count_entry, &pick);
	if (f->port < 0 && f->any_ip) {
		mdp_arp_flush_all(w->arp);
	} else {
		for (uint32_t i = 0; i < w->arp->p.entries; i++) {
			const struct mdp_arp_entry *e = &w->arp->entries[i];

			if (e->state != MDP_ARP_FREE && (f->port < 0 || e->port == f->port) &&
			    (f->any_ip || e->ip == f->ip))
				mdp_arp_remove(w->arp, e->port, e->ip);
		}
	}
	f->removed += pick.removed;
	return 0;
}

static json_t *
cmd_arp_flush(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	struct mdp_dp *dp = ctx;
	json_t *name = json_object_get(args, "port"), *jip = json_object_get(args, "ip");
	const struct mdp_port *p = NULL;
	struct arp_flush *f;
	int removed;

	if (name != NULL && (p = port_by_name(dp, json_string_value(name), err)) == NULL)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return mdp_ctrl_fail(err, MDP_CTRL_ERR_INTERNAL, "out of memory");
	f->port = p ? p->idx : -1;
	f->any_ip = jip == NULL;
	if (jip != NULL && mdp_ipv4_parse(json_string_value(jip), &f->ip) < 0) {
		free(f);
		return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "ip: '%.64s' is not an IPv4 address",
				     json_string_value(jip));
	}
	for (unsigned i = 0; i < dp->n_workers; i++) {
		int rc = mdp_worker_call(dp->workers[i], arp_flush_on_worker, f, CALL_TIMEOUT_MS);

		if (rc < 0) {
			if (rc == -EBUSY)
				free(f);	/* on a time-out the call owns it */
			return mdp_ctrl_fail(err, rc == -EBUSY ? MDP_CTRL_ERR_BUSY :
					     MDP_CTRL_ERR_TIMEOUT, "worker %u did not answer", i);
		}
	}
	removed = f->removed;
	free(f);
	return json_pack("{s:i}", "removed", removed);
}

static json_t *
cmd_log_level(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	json_t *lvl = json_object_get(args, "level");
	enum mdp_log_level prev = mdp_log_threshold;
	int v;

	(void)ctx;
	if (lvl == NULL)
		return json_pack("{s:s}", "level", mdp_log_level_name(mdp_log_threshold));
	v = mdp_log_level_parse(json_string_value(lvl));
	if (v < 0)
		return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG,
				     "level '%.32s' unknown (err, warn, notice, info, debug)",
				     json_string_value(lvl));
	mdp_log_threshold = (enum mdp_log_level)v;
	MDP_NOTICE("log level %s -> %s (control socket)", mdp_log_level_name(prev),
		   mdp_log_level_name(mdp_log_threshold));
	return json_pack("{s:s, s:s}", "level", mdp_log_level_name(mdp_log_threshold), "previous",
			 mdp_log_level_name(prev));
}

/* conns: each worker copies its connections into rows we allocated. */
struct conns_dump {
	int state;
	size_t n, total, cap;
	struct mdp_tcp_conn_info rows[];
};

static int
conns_on_worker(struct mdp_worker *w, void *arg)
{
	struct conns_dump *d = arg;

	return mdp_tcp_info_dump(w, d->state, d->rows, d->cap, &d->n, &d->total);
}

static json_t *
endpoint_json(uint32_t a, uint16_t port)
{
	char buf[MDP_IPV4_STRLEN];

	return json_sprintf("%s:%u", mdp_ipv4_format(a, buf), port);
}

static json_t *
cmd_conns(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	struct mdp_dp *dp = ctx;
	json_t *js = json_object_get(args, "state"), *jl = json_object_get(args, "limit"), *list;
	json_int_t limit = jl ? json_integer_value(jl) : 1000;
	size_t total = 0, shown = 0;
	int state = -1;

	if (js != NULL && (state = mdp_tcp_state_parse(json_string_value(js))) < 0)
		return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG,
				     "state '%.32s' unknown (ESTABLISHED, TIME-WAIT, ...)",
				     json_string_value(js));
	if (limit < 0 || limit > 1000000)
		return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "limit %lld out of range (0..1000000)",
				     (long long)limit);
	list = json_array();
	for (unsigned i = 0; i < dp->n_workers; i++) {
		size_t cap = (size_t)limit > shown ? (size_t)limit - shown : 0;
		struct conns_dump *d = malloc(sizeof(*d) + cap * sizeof(d->rows[0]));
		int rc;

		if (d == NULL) {
			json_decref(list);
			return mdp_ctrl_fail(err, MDP_CTRL_ERR_INTERNAL, "out of memory");
		}
		d->state = state;
		d->cap = cap;
		rc = mdp_worker_call(dp->workers[i], conns_on_worker, d, CALL_TIMEOUT_MS);
		if (rc == -ETIMEDOUT || rc == -EBUSY) {
			if (rc == -EBUSY)
				free(d);	/* on a time-out the call owns it */
			json_decref(list);
			return mdp_ctrl_fail(err, rc == -EBUSY ? MDP_CTRL_ERR_BUSY :
					     MDP_CTRL_ERR_TIMEOUT, "worker %u did not answer", i);
		}
		for (size_t k = 0; k < d->n; k++) {
			const struct mdp_tcp_conn_info *r = &d->rows[k];

			json_array_append_new(list, json_pack(
				"{s:i, s:s, s:o, s:o, s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I,"
				" s:I, s:I, s:I, s:I, s:I, s:I}",
				"worker", i, "port", dp->ports[r->port].conf->name,
				"local", endpoint_json(r->laddr, r->lport),
				"remote", endpoint_json(r->raddr, r->rport),
				"state", mdp_tcp_state_name(r->state),
				"cc", mdp_tcp_cc_name(r->cc) ? mdp_tcp_cc_name(r->cc) : "?",
				"mss", r->smss,
				"cwnd", (json_int_t)r->cwnd, "ssthresh", (json_int_t)r->ssthresh,
				"snd_wnd", (json_int_t)r->snd_wnd, "rcv_wnd", (json_int_t)r->rcv_wnd,
				"srtt_us", (json_int_t)r->srtt_us, "rto_us", (json_int_t)r->rto_us,
				"send_queue", (json_int_t)r->sndq, "ooo_bytes", (json_int_t)r->ooo,
				"retransmits", (json_int_t)r->retrans,
				"bytes_in", (json_int_t)r->bytes_in, "bytes_out", (json_int_t)r->bytes_out,
				"age_ms", (json_int_t)(r->age_ticks * dp->cfg->timer_tick_us / 1000)));
		}
		shown += d->n;
		total += d->total;
		free(d);
	}
	return json_pack("{s:o, s:I, s:b}", "conns", list, "total", (json_int_t)total,
			 "truncated", total > shown);
}

static const struct mdp_ctrl_cmd commands[] = {
	{ "help", "list the commands", { { 0 } }, cmd_help },
	{ "version", "meshdp and DPDK versions", { { 0 } }, cmd_version },
	{ "status", "uptime, cores, configuration file", { { 0 } }, cmd_status },
	{ "ports", "link, addresses, queues and counters of each port (args: port)",
	  { { "port", JSON_STRING, false }, { 0 } }, cmd_ports },
	{ "stats", "per-worker counters by name (args: worker, nonzero)",
	  { { "worker", JSON_INTEGER, false }, { "nonzero", JSON_TRUE, false }, { 0 } },
	  cmd_stats },
	{ "runtime", "per-worker cycle accounting since the last reset (args: reset)",
	  { { "reset", JSON_TRUE, false }, { 0 } }, cmd_runtime },
	{ "arp", "ARP entries of every worker (args: port)",
	  { { "port", JSON_STRING, false }, { 0 } }, cmd_arp },
	{ "arp-flush", "remove ARP entries (args: port, ip)",
	  { { "port", JSON_STRING, false }, { "ip", JSON_STRING, false }, { 0 } }, cmd_arp_flush },
	{ "conns", "TCP connections of every worker (args: state, limit)",
	  { { "state", JSON_STRING, false }, { "limit", JSON_INTEGER, false }, { 0 } }, cmd_conns },
	{ "log-level", "read or set the log level (args: level)",
	  { { "level", JSON_STRING, false }, { 0 } }, cmd_log_level },
	{ "http", "HTTP proxy statistics: requests, responses, local replies, pools",
	  { { 0 } }, mdp_ctrl_http_stats },
	{ "config-dump",
	  "the mesh resources in use (clusters, route tables, authorization policies) and their version",
	  { { 0 } }, mdp_ctrl_mesh_get },
	{ "mesh-set", "replace every cluster and route table (args: mesh)",
	  { { "mesh", JSON_OBJECT, true }, { 0 } }, mdp_ctrl_mesh_set },
	{ "route-table-set", "add or replace a route table by name (args: route_table)",
	  { { "route_table", JSON_OBJECT, true }, { 0 } }, mdp_ctrl_route_table_set },
	{ "route-table-delete", "remove a route table (args: name)",
	  { { "name", JSON_STRING, true }, { 0 } }, mdp_ctrl_route_table_delete },
	{ "cluster-set", "add or replace a cluster by name (args: cluster)",
	  { { "cluster", JSON_OBJECT, true }, { 0 } }, mdp_ctrl_cluster_set },
	{ "cluster-delete", "remove a cluster no route uses (args: name)",
	  { { "name", JSON_STRING, true }, { 0 } }, mdp_ctrl_cluster_delete },
	{ "policy-set", "add or replace an authorization policy by name (args: policy)",
	  { { "policy", JSON_OBJECT, true }, { 0 } }, mdp_ctrl_policy_set },
	{ "policy-delete", "remove an authorization policy (args: name)",
	  { { "name", JSON_STRING, true }, { 0 } }, mdp_ctrl_policy_delete },
	{ "endpoint-add", "add an endpoint to a cluster (args: cluster, address, weight)",
	  { { "cluster", JSON_STRING, true }, { "address", JSON_STRING, true },
	    { "weight", JSON_INTEGER, false }, { 0 } }, mdp_ctrl_endpoint_add },
	{ "endpoint-remove", "remove an endpoint from a cluster (args: cluster, address)",
	  { { "cluster", JSON_STRING, true }, { "address", JSON_STRING, true }, { 0 } },
	  mdp_ctrl_endpoint_remove },
	{ "tls", "TLS credentials, trust bundles and ticket keys in use", { { 0 } },
	  mdp_ctrl_tls_show },
	{ "tls-credential-set",
	  "replace or add a credential (args: name, cert or cert_file, key or key_file)",
	  { { "name", JSON_STRING, true }, { "cert", JSON_STRING, false },
	    { "cert_file", JSON_STRING, false }, { "key", JSON_STRING, false },
	    { "key_file", JSON_STRING, false }, { 0 } }, mdp_ctrl_tls_cred_set },
	{ "tls-bundle-set", "replace or add a trust bundle (args: name, pem or pem_file)",
	  { { "name", JSON_STRING, true }, { "pem", JSON_STRING, false },
	    { "pem_file", JSON_STRING, false }, { 0 } }, mdp_ctrl_tls_bundle_set },
	{ "tls-tickets-rotate", "new session-ticket key (the previous ones still resume)",
	  { { 0 } }, mdp_ctrl_tls_tickets_rotate },
	{ "endpoint-weight", "set an endpoint's weight (args: cluster, address, weight)",
	  { { "cluster", JSON_STRING, true }, { "address", JSON_STRING, true },
	    { "weight", JSON_INTEGER, true }, { 0 } }, mdp_ctrl_endpoint_weight },
};

static struct mdp_ctrl_table table;

static json_t *
cmd_help(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	(void)ctx;
	(void)args;
	(void)err;
	return mdp_ctrl_help(&table);
}

void
mdp_ctrl_cmds_table(struct mdp_dp *dp, struct mdp_ctrl_table *t)
{
	table = (struct mdp_ctrl_table){ commands, RTE_DIM(commands), dp };
	*t = table;
}
