/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#include "conf/mdp_config.h"
#include "tcp/mdp_tcp_cc.h"
#include "tls/mdp_tls_ctx.h"
#include "util/mdp_inet.h"
#include "util/mdp_log.h"

/*
 * The loader is checked through its public API only: every rejection is
 * asserted as the exact text an operator would read, line number included,
 * so a message that regresses (wrong line, wrong path, lost suggestion)
 * fails a test.
 */

/*
 * libconfig 1.5 leaks a string token that a syntax error discards
 * (hyperrealm/libconfig#142, fixed in 1.7.3); the mangled-input test hits
 * that on purpose. The hook is read by LeakSanitizer, ignored otherwise.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\n";
}

static struct mdp_config cfg;
static char err[16384];

/* The smallest valid port, for tests about something else. */
#define PORT0 "ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\"; } );\n"

static int
load(const char *text)
{
	mdp_config_free(&cfg);
	return mdp_config_load_string(text, "t.conf", &cfg, err, sizeof(err));
}

/* Assert that text is rejected with exactly want (all lines). */
static void
expect_err_at(const char *text, const char *want, unsigned line)
{
	int rc = load(text);

	CU_assertImplementation(rc == -1, line, "load() == -1", __FILE__, "", CU_FALSE);
	if (strcmp(err, want) != 0)
		fprintf(stderr, "\n%s:%u: error mismatch\n--- want:\n%s\n--- got:\n%s\n", __FILE__,
			line, want, err);
	CU_assertImplementation(strcmp(err, want) == 0, line, "err == want", __FILE__, "",
				CU_FALSE);
}

#define EXPECT_ERR(text, want) expect_err_at((text), (want), __LINE__)

static void
expect_ok_at(const char *text, unsigned line)
{
	int rc = load(text);

	if (rc != 0)
		fprintf(stderr, "\n%s:%u: unexpected errors:\n%s\n", __FILE__, line, err);
	CU_assertImplementation(rc == 0, line, "load() == 0", __FILE__, "", CU_FALSE);
}

#define EXPECT_OK(text) expect_ok_at((text), __LINE__)

static uint32_t
ip(const char *s)
{
	uint32_t a = 0;

	CU_ASSERT_EQUAL_FATAL(mdp_ipv4_parse(s, &a), 0);
	return a;
}

static void
check_defaults(const struct mdp_config *c)
{
	CU_ASSERT_EQUAL(c->n_eal_args, 0);
	CU_ASSERT_PTR_NULL(c->eal_args[0]);
	CU_ASSERT_EQUAL(c->main_lcore, 0);
	CU_ASSERT_EQUAL(c->n_workers, 1);
	CU_ASSERT_EQUAL(c->workers[0], 1);
	CU_ASSERT_FALSE(c->has_cpus);
	CU_ASSERT_EQUAL(c->main_cpu, 0);
	CU_ASSERT_EQUAL(c->worker_cpus[0], 1);
	CU_ASSERT_EQUAL(c->mbufs, 8191);
	CU_ASSERT_EQUAL(c->mbuf_cache, 256);
	CU_ASSERT_EQUAL(c->mbuf_data_room, 2176);
	CU_ASSERT_EQUAL(c->idle_mode, MDP_IDLE_ADAPTIVE);
	CU_ASSERT_EQUAL(c->idle_empty_polls, 64);
	CU_ASSERT_EQUAL(c->idle_sleep_min_us, 5);
	CU_ASSERT_EQUAL(c->idle_sleep_max_us, 250);
	CU_ASSERT_EQUAL(c->burst, 32);
	CU_ASSERT_EQUAL(c->arp_entries, 1024);
	CU_ASSERT_EQUAL(c->arp_timeout_s, 300);
	CU_ASSERT_EQUAL(c->arp_pending, 4);
	CU_ASSERT_EQUAL(c->arp_retries, 3);
	CU_ASSERT_EQUAL(c->arp_retry_ms, 1000);
	CU_ASSERT_EQUAL(c->arp_gratuitous, 2);
	CU_ASSERT_EQUAL(c->timer_tick_us, 1000);
	CU_ASSERT_EQUAL(c->timer_slots, 4096);
	CU_ASSERT_STRING_EQUAL(c->ctrl_socket, "/run/meshdp/meshdp.sock");
	CU_ASSERT_EQUAL(c->ctrl_max_clients, 16);
	CU_ASSERT_EQUAL(c->ctrl_max_line, 4194304);
	CU_ASSERT_EQUAL(c->ctrl_idle_timeout_s, 300);
	CU_ASSERT_EQUAL(c->log_level, MDP_LOG_INFO);
	CU_ASSERT_EQUAL(c->tcp.max_conns, 16384);
	CU_ASSERT_EQUAL(c->tcp.rcv_buf, 262144);
	CU_ASSERT_EQUAL(c->tcp.snd_buf, 262144);
	CU_ASSERT_EQUAL(c->tcp.ooo_max, 4194304);
	CU_ASSERT_EQUAL(c->tcp.syn_backlog, 1024);
	CU_ASSERT_TRUE(c->tcp.syncookies);
	CU_ASSERT_TRUE(c->tcp.sack);
	CU_ASSERT_TRUE(c->tcp.timestamps);
	CU_ASSERT_TRUE(c->tcp.window_scaling);
	CU_ASSERT_EQUAL(c->tcp.cc, MDP_TCP_CC_CUBIC);
	CU_ASSERT_EQUAL(c->tcp.initial_rto_ms, 1000);
	CU_ASSERT_EQUAL(c->tcp.min_rto_ms, 200);
	CU_ASSERT_EQUAL(c->tcp.max_rto_ms, 120000);
	CU_ASSERT_EQUAL(c->tcp.max_retries, 15);
	CU_ASSERT_EQUAL(c->tcp.syn_retries, 6);
	CU_ASSERT_EQUAL(c->tcp.delayed_ack_ms, 40);
	CU_ASSERT_EQUAL(c->tcp.time_wait_ms, 60000);
	CU_ASSERT_TRUE(c->tcp.time_wait_reuse);
	CU_ASSERT_EQUAL(c->tcp.fin_wait2_ms, 60000);
	CU_ASSERT_EQUAL(c->tcp.connect_timeout_ms, 10000);
	CU_ASSERT_EQUAL(c->tcp.keepalive_idle_s, 0);
	CU_ASSERT_EQUAL(c->tcp.keepalive_interval_s, 75);
	CU_ASSERT_EQUAL(c->tcp.keepalive_count, 9);
	CU_ASSERT_EQUAL(c->tcp.challenge_ack_per_s, 10);
	CU_ASSERT_EQUAL(c->n_listeners, 0);
}

static void
test_defaults(void)
{
	struct mdp_config c;

	memset(&c, 0xa5, sizeof(c));
	mdp_config_defaults(&c);
	check_defaults(&c);
	CU_ASSERT_EQUAL(c.n_ports, 0);
	mdp_config_free(&c);
}

static void
test_minimal(void)
{
	const struct mdp_conf_port *p = &cfg.ports[0];

	EXPECT_OK(PORT0);
	check_defaults(&cfg);
	CU_ASSERT_STRING_EQUAL(cfg.file, "t.conf");
	CU_ASSERT_EQUAL_FATAL(cfg.n_ports, 1);
	CU_ASSERT_STRING_EQUAL(p->name, "p0");
	CU_ASSERT_STRING_EQUAL(p->device, "net_tap0");
	CU_ASSERT_FALSE(p->has_mac);
	CU_ASSERT_EQUAL(p->addr, 0xc6120002u);
	CU_ASSERT_EQUAL(p->prefix_len, 24);
	CU_ASSERT_EQUAL(p->gateway, 0);
	CU_ASSERT_EQUAL(p->n_routes, 0);
	CU_ASSERT_EQUAL(p->rx_queues, 1);
	CU_ASSERT_EQUAL(p->tx_queues, 1);
	CU_ASSERT_EQUAL(p->rx_desc, 1024);
	CU_ASSERT_EQUAL(p->tx_desc, 1024);
	CU_ASSERT_EQUAL(p->mtu, 1500);
	CU_ASSERT_FALSE(p->promiscuous);
	CU_ASSERT_TRUE(p->checksum_offload);
}

static const char full_conf[] =
	"log_level = \"debug\";\n"
	"eal = {\n"
	"  args = [ \"--no-huge\", \"-m\", \"256\", \"--no-pci\", \"--in-memory\" ];\n"
	"};\n"
	"cores = {\n"
	"  main = 2;\n"
	"  workers = [ 4, 3 ];\n"
	"};\n"
	"mempool = {\n"
	"  mbufs = 65535;\n"
	"  cache = 512;\n"
	"  data_room = 9344;\n"
	"};\n"
	"idle = {\n"
	"  mode = \"poll\";\n"
	"  empty_polls = 1000;\n"
	"  sleep_min_us = 10;\n"
	"  sleep_max_us = 10;\n"
	"};\n"
	"burst = 64L;\n"
	"arp = {\n"
	"  entries = 0x10000;\n"
	"  timeout = 60;\n"
	"  pending = 0;\n"
	"  retries = 10;\n"
	"  retry_ms = 500;\n"
	"  gratuitous = 0;\n"
	"};\n"
	"timers = {\n"
	"  tick_us = 100;\n"
	"  slots = 1048576;\n"
	"};\n"
	"control = {\n"
	"  socket = \"/tmp/m.sock\";\n"
	"  max_clients = 1024;\n"
	"  max_line = 256;\n"
	"  idle_timeout = 0;\n"
	"};\n"
	"ports = (\n"
	"  {\n"
	"    name = \"up-link_0\";\n"
	"    device = \"0000:3b:00.1,rxq_cqe_comp_en=0\";\n"
	"    mac = \"02:AB:cd:00:00:01\";\n"
	"    address = \"100.1.2.3/16\";\n"
	"    gateway = \"100.1.0.1\";\n"
	"    routes = (\n"
	"      { dst = \"203.0.0.0/16\"; via = \"100.1.0.254\"; },\n"
	"      { dst = \"0.0.0.0/0\"; via = \"100.1.255.1\"; }\n"
	"    );\n"
	"    rx_queues = 2; tx_queues = 2;\n"
	"    rx_desc = 4096; tx_desc = 64;\n"
	"    mtu = 9000;\n"
	"    promiscuous = true;\n"
	"    checksum_offload = false;\n"
	"  },\n"
	"  {\n"
	"    name = \"p1\";\n"
	"    device = \"net_af_xdp1,iface=veth1\";\n"
	"    address = \"100.2.0.0/31\";\n"
	"    gateway = \"100.2.0.1\";\n"
	"  },\n"
	"  {\n"
	"    name = \"P2\";\n"
	"    device = \"3b:00.0\";\n"
	"    address = \"100.64.0.1/32\";\n"
	"    routes = ();\n"
	"  }\n"
	");\n";

/* Every tcp setting off its default, and listeners of every kind. */
static const char tcp_conf[] =
	"tcp = {\n"
	"  max_conns = 4194304;\n"
	"  rcv_buf = 4096;\n"
	"  snd_buf = 67108864;\n"
	"  ooo_max = 0;\n"
	"  syn_backlog = 1;\n"
	"  syncookies = false;\n"
	"  sack = false; timestamps = false; window_scaling = false;\n"
	"  cc = \"newreno\";\n"
	"  initial_rto_ms = 3000;\n"
	"  min_rto_ms = 1000;\n"
	"  max_rto_ms = 60000;\n"
	"  max_retries = 5;\n"
	"  syn_retries = 3;\n"
	"  delayed_ack_ms = 0;\n"
	"  time_wait_ms = 0;\n"
	"  time_wait_reuse = false;\n"
	"  fin_wait2_ms = 1000;\n"
	"  connect_timeout_ms = 100;\n"
	"  keepalive = { idle_s = 7200; interval_s = 1; count = 100; };\n"
	"  challenge_ack_per_s = 1000;\n"
	"};\n"
	"ports = (\n"
	"  { name = \"p0\"; device = \"net_tap0\"; address = \"100.1.2.3/16\"; },\n"
	"  { name = \"p1\"; device = \"net_tap1\"; address = \"100.2.0.0/31\"; },\n"
	"  { name = \"p2\"; device = \"net_tap2\"; address = \"100.64.0.1/32\"; }\n"
	");\n"
	"listeners = (\n"
	"  { name = \"echo\"; kind = \"echo\"; port = 7; },\n"
	"  { name = \"sink\"; kind = \"discard\"; port = 9; address = \"100.2.0.0\"; },\n"
	"  { name = \"l4-Proxy_1\"; kind = \"tcp_proxy\"; port = 65535; address = \"100.64.0.1\";\n"
	"    upstream = \"203.0.113.9:80\"; },\n"
	"  { name = \"l4b\"; kind = \"tcp_proxy\"; port = 8000; address = \"100.1.2.3\";\n"
	"    upstream = \"100.1.0.9:65535\"; },\n"
	"  { name = \"l4c\"; kind = \"tcp_proxy\"; port = 8000; address = \"100.2.0.0\";\n"
	"    upstream = \"1.0.0.1:1\"; }\n"
	");\n";

static void
test_full(void)
{
	const struct mdp_conf_port *p = &cfg.ports[0];
	const uint8_t mac[6] = { 0x02, 0xab, 0xcd, 0x00, 0x00, 0x01 };

	EXPECT_OK(full_conf);
	CU_ASSERT_EQUAL(cfg.log_level, MDP_LOG_DEBUG);
	CU_ASSERT_EQUAL_FATAL(cfg.n_eal_args, 5);
	CU_ASSERT_STRING_EQUAL(cfg.eal_args[0], "--no-huge");
	CU_ASSERT_STRING_EQUAL(cfg.eal_args[1], "-m");
	CU_ASSERT_STRING_EQUAL(cfg.eal_args[2], "256");
	CU_ASSERT_STRING_EQUAL(cfg.eal_args[4], "--in-memory");
	CU_ASSERT_EQUAL(cfg.main_lcore, 2);
	CU_ASSERT_EQUAL_FATAL(cfg.n_workers, 2);
	CU_ASSERT_EQUAL(cfg.workers[0], 4);
	CU_ASSERT_EQUAL(cfg.workers[1], 3);
	CU_ASSERT_EQUAL(cfg.mbufs, 65535);
	CU_ASSERT_EQUAL(cfg.mbuf_cache, 512);
	CU_ASSERT_EQUAL(cfg.mbuf_data_room, 9344);
	CU_ASSERT_EQUAL(cfg.idle_mode, MDP_IDLE_POLL);
	CU_ASSERT_EQUAL(cfg.idle_empty_polls, 1000);
	CU_ASSERT_EQUAL(cfg.idle_sleep_min_us, 10);
	CU_ASSERT_EQUAL(cfg.idle_sleep_max_us, 10);
	CU_ASSERT_EQUAL(cfg.burst, 64);
	CU_ASSERT_EQUAL(cfg.arp_entries, 65536);
	CU_ASSERT_EQUAL(cfg.arp_timeout_s, 60);
	CU_ASSERT_EQUAL(cfg.arp_pending, 0);
	CU_ASSERT_EQUAL(cfg.arp_retries, 10);
	CU_ASSERT_EQUAL(cfg.arp_retry_ms, 500);
	CU_ASSERT_EQUAL(cfg.arp_gratuitous, 0);
	CU_ASSERT_EQUAL(cfg.timer_tick_us, 100);
	CU_ASSERT_EQUAL(cfg.timer_slots, 1048576);
	CU_ASSERT_STRING_EQUAL(cfg.ctrl_socket, "/tmp/m.sock");
	CU_ASSERT_EQUAL(cfg.ctrl_max_clients, 1024);
	CU_ASSERT_EQUAL(cfg.ctrl_max_line, 256);
	CU_ASSERT_EQUAL(cfg.ctrl_idle_timeout_s, 0);

	CU_ASSERT_EQUAL_FATAL(cfg.n_ports, 3);
	CU_ASSERT_STRING_EQUAL(p->name, "up-link_0");
	CU_ASSERT_STRING_EQUAL(p->device, "0000:3b:00.1,rxq_cqe_comp_en=0");
	CU_ASSERT_TRUE(p->has_mac);
	CU_ASSERT_EQUAL(memcmp(p->mac, mac, 6), 0);
	CU_ASSERT_EQUAL(p->addr, ip("100.1.2.3"));
	CU_ASSERT_EQUAL(p->prefix_len, 16);
	CU_ASSERT_EQUAL(p->gateway, ip("100.1.0.1"));
	CU_ASSERT_EQUAL_FATAL(p->n_routes, 2);
	CU_ASSERT_EQUAL(p->routes[0].dst, ip("203.0.0.0"));
	CU_ASSERT_EQUAL(p->routes[0].dst_len, 16);
	CU_ASSERT_EQUAL(p->routes[0].via, ip("100.1.0.254"));
	CU_ASSERT_EQUAL(p->routes[1].dst, 0);
	CU_ASSERT_EQUAL(p->routes[1].dst_len, 0);
	CU_ASSERT_EQUAL(p->routes[1].via, ip("100.1.255.1"));
	CU_ASSERT_EQUAL(p->rx_queues, 2);
	CU_ASSERT_EQUAL(p->tx_queues, 2);
	CU_ASSERT_EQUAL(p->rx_desc, 4096);
	CU_ASSERT_EQUAL(p->tx_desc, 64);
	CU_ASSERT_EQUAL(p->mtu, 9000);
	CU_ASSERT_TRUE(p->promiscuous);
	CU_ASSERT_FALSE(p->checksum_offload);

	p = &cfg.ports[1];
	CU_ASSERT_STRING_EQUAL(p->name, "p1");
	CU_ASSERT_STRING_EQUAL(p->device, "net_af_xdp1,iface=veth1");
	/* RFC 3021: both addresses of a /31 are hosts */
	CU_ASSERT_EQUAL(p->addr, ip("100.2.0.0"));
	CU_ASSERT_EQUAL(p->prefix_len, 31);
	CU_ASSERT_EQUAL(p->gateway, ip("100.2.0.1"));
	CU_ASSERT_EQUAL(p->rx_queues, 2);	/* default: one per worker */
	CU_ASSERT_EQUAL(p->tx_queues, 2);
	CU_ASSERT_EQUAL(p->mtu, 1500);
	CU_ASSERT_FALSE(p->promiscuous);

	p = &cfg.ports[2];
	CU_ASSERT_STRING_EQUAL(p->name, "P2");
	CU_ASSERT_STRING_EQUAL(p->device, "3b:00.0");
	CU_ASSERT_EQUAL(p->addr, ip("100.64.0.1"));
	CU_ASSERT_EQUAL(p->prefix_len, 32);
	CU_ASSERT_EQUAL(p->n_routes, 0);
}

static void
test_accepted_variants(void)
{
	/* lists as well as arrays; int64 and hex integers */
	EXPECT_OK("eal = { args = ( \"--no-huge\", \"--no-pci\" ); };\n"
		  "cores = { workers = ( 1, 2L, 0x3 ); };\n" PORT0);
	CU_ASSERT_EQUAL(cfg.n_eal_args, 2);
	CU_ASSERT_EQUAL(cfg.n_workers, 3);
	CU_ASSERT_EQUAL(cfg.workers[2], 3);
	CU_ASSERT_EQUAL(cfg.ports[0].rx_queues, 3);

	EXPECT_OK("eal = { args = []; };\n" PORT0);
	CU_ASSERT_EQUAL(cfg.n_eal_args, 0);

	/* "--" and options that merely start like reserved ones are the operator's */
	EXPECT_OK("eal = { args = [ \"--log-level=lib.eal:debug\", \"--file-prefix=x\", \"-n\", \"4\", \"--\" ]; };\n" PORT0);
	CU_ASSERT_EQUAL(cfg.n_eal_args, 5);

	EXPECT_OK("log_level = \"err\";\n" PORT0);
	CU_ASSERT_EQUAL(cfg.log_level, MDP_LOG_ERR);

	/* the boundaries of each range are inside */
	EXPECT_OK("cores = { main = 127; workers = [ 0 ]; };\n"
		  "mempool = { mbufs = 1023; cache = 0; data_room = 65535; };\n"
		  "idle = { empty_polls = 1; sleep_min_us = 100000; sleep_max_us = 100000; };\n"
		  "burst = 256;\n"
		  "arp = { entries = 1048576; timeout = 86400; pending = 64; retries = 1; retry_ms = 60000; gratuitous = 10; };\n"
		  "timers = { tick_us = 100000; slots = 64; };\n"
		  "control = { max_clients = 1; max_line = 16777216; idle_timeout = 86400; };\n"
		  "ports = ( { name = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"; device = \"net_null0\";"
		  " address = \"1.0.0.1/1\"; mtu = 68; rx_desc = 16384; tx_desc = 16384; } );\n");
	CU_ASSERT_EQUAL(cfg.main_lcore, 127);
	CU_ASSERT_EQUAL(cfg.workers[0], 0);
	CU_ASSERT_EQUAL(cfg.mbufs, 1023);
	CU_ASSERT_EQUAL(cfg.mbuf_data_room, 65535);
	CU_ASSERT_EQUAL(cfg.ctrl_max_line, 16777216);
	CU_ASSERT_EQUAL(cfg.ports[0].rx_desc, 16384);
	CU_ASSERT_EQUAL(cfg.ports[0].mtu, 68);
	CU_ASSERT_EQUAL(strlen(cfg.ports[0].name), 31);
}

static void
test_unknown_settings(void)
{
	/* top level, with and without a close match */
	EXPECT_ERR("lgo_level = \"info\";\n"
		   "frobnicate = 1;\n"
		   "Burst = 1;\n" PORT0,
		   "t.conf:1: lgo_level: unknown setting 'lgo_level' (did you mean 'log_level'?)\n"
		   "t.conf:2: frobnicate: unknown setting 'frobnicate'\n"
		   "t.conf:3: Burst: unknown setting 'Burst' (did you mean 'burst'?)");

	/* one in every group: all reported, each with its own line */
	EXPECT_ERR("eal = { arg = []; };\n"
		   "cores = { worker = [ 1 ]; };\n"
		   "mempool = { mbuf = 1; };\n"
		   "idle = { mod = \"poll\"; emtpy_pols = 1; };\n"
		   "arp = { timout = 1; };\n"
		   "timers = { tick_ms = 1; };\n"
		   "control = { sokcet = \"/x\"; };\n" PORT0,
		   "t.conf:1: eal.arg: unknown setting 'arg' (did you mean 'args'?)\n"
		   "t.conf:2: cores.worker: unknown setting 'worker' (did you mean 'workers'?)\n"
		   "t.conf:3: mempool.mbuf: unknown setting 'mbuf' (did you mean 'mbufs'?)\n"
		   "t.conf:4: idle.mod: unknown setting 'mod' (did you mean 'mode'?)\n"
		   "t.conf:4: idle.emtpy_pols: unknown setting 'emtpy_pols' (did you mean 'empty_polls'?)\n"
		   "t.conf:5: arp.timout: unknown setting 'timout' (did you mean 'timeout'?)\n"
		   "t.conf:6: timers.tick_ms: unknown setting 'tick_ms' (did you mean 'tick_us'?)\n"
		   "t.conf:7: control.sokcet: unknown setting 'sokcet' (did you mean 'socket'?)");

	/* in a port: the misspelt key and the then-missing required one */
	EXPECT_ERR("ports = (\n"
		   "  {\n"
		   "    name = \"p0\";\n"
		   "    device = \"net_tap0\";\n"
		   "    adress = \"198.18.0.2/24\";\n"
		   "  }\n"
		   ");\n",
		   "t.conf:5: ports[0].adress: unknown setting 'adress' (did you mean 'address'?)\n"
		   "t.conf:2: ports[0].address: missing required setting");

	/* in a route */
	EXPECT_ERR("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";\n"
		   "  routes = (\n"
		   "    { dst = \"100.0.0.0/8\"; via = \"198.18.0.1\"; },\n"
		   "    { dst = \"100.1.0.0/16\"; via = \"198.18.0.1\"; metric = 5; }\n"
		   "  ); } );\n",
		   "t.conf:4: ports[0].routes[1].metric: unknown setting 'metric'");
}

static void
test_wrong_types(void)
{
	EXPECT_ERR("burst = 1.5;\n"
		   "log_level = 3;\n"
		   "cores = 1;\n"
		   "idle = { mode = true; };\n"
		   "arp = { entries = \"1024\"; };\n" PORT0,
		   "t.conf:2: log_level: expected a string\n"
		   "t.conf:3: cores: expected a group ({ ... })\n"
		   "t.conf:4: idle.mode: expected a string\n"
		   "t.conf:1: burst: expected an integer\n"
		   "t.conf:5: arp.entries: expected an integer");

	EXPECT_ERR("eal = { args = \"--no-huge\"; };\n"
		   "cores = { workers = 1; };\n" PORT0,
		   "t.conf:1: eal.args: expected a list of strings ([ ... ])\n"
		   "t.conf:2: cores.workers: expected a list of integers ([ ... ])");

	EXPECT_ERR("eal = { args = ( \"-m\", 256 ); };\n"
		   "cores = { workers = ( 1, \"2\" ); };\n" PORT0,
		   "t.conf:1: eal.args[1]: expected a string\n"
		   "t.conf:2: cores.workers[1]: expected an integer");

	EXPECT_ERR("ports = { name = \"p0\"; };\n",
		   "t.conf:1: ports: expected a list of groups (( { ... }, ... ))");
	EXPECT_ERR("ports = [ \"p0\" ];\n",
		   "t.conf:1: ports: expected a list of groups (( { ... }, ... ))");
	EXPECT_ERR("ports = ( \"p0\" );\n",
		   "t.conf:1: ports[0]: expected a group ({ name = ...; ... })");

	EXPECT_ERR("ports = ( { name = 0; device = \"net_tap0\"; address = \"198.18.0.2/24\";\n"
		   "  promiscuous = 1; mtu = 1500.0; gateway = 3;\n"
		   "  routes = { dst = \"100.0.0.0/8\"; via = \"198.18.0.1\"; }; } );\n",
		   "t.conf:1: ports[0].name: expected a string\n"
		   "t.conf:2: ports[0].gateway: expected a string\n"
		   "t.conf:3: ports[0].routes: expected a list of groups (( { ... }, ... ))\n"
		   "t.conf:2: ports[0].mtu: expected an integer\n"
		   "t.conf:2: ports[0].promiscuous: expected a boolean (true or false)");

	EXPECT_ERR("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";\n"
		   "  routes = ( 1, { dst = 10; via = \"198.18.0.1\"; } ); } );\n",
		   "t.conf:2: ports[0].routes[0]: expected a group ({ dst = ...; via = ...; })\n"
		   "t.conf:2: ports[0].routes[1].dst: expected a string");
}

static void
test_out_of_range(void)
{
	EXPECT_ERR("burst = 0;\n"
		   "cores = { main = 128; workers = [ -1 ]; };\n"
		   "mempool = { mbufs = 4194304; cache = 513; data_room = 1023; };\n"
		   "idle = { empty_polls = 0; sleep_min_us = 0; sleep_max_us = 100001; };\n"
		   "arp = { entries = 15; timeout = 86401; pending = 65; retries = 11; retry_ms = 9; gratuitous = 11; };\n"
		   "timers = { tick_us = 9; slots = 32; };\n"
		   "control = { max_clients = 1025; max_line = 255; idle_timeout = -1; };\n" PORT0,
		   "t.conf:2: cores.main: 128 is out of range (0..127)\n"
		   "t.conf:2: cores.workers[0]: -1 is out of range (0..127)\n"
		   "t.conf:3: mempool.mbufs: 4194304 is out of range (1023..4194303)\n"
		   "t.conf:3: mempool.cache: 513 is out of range (0..512)\n"
		   "t.conf:3: mempool.data_room: 1023 is out of range (1024..65535)\n"
		   "t.conf:4: idle.empty_polls: 0 is out of range (1..1000000)\n"
		   "t.conf:4: idle.sleep_min_us: 0 is out of range (1..100000)\n"
		   "t.conf:4: idle.sleep_max_us: 100001 is out of range (1..100000)\n"
		   "t.conf:1: burst: 0 is out of range (1..256)\n"
		   "t.conf:5: arp.entries: 15 is out of range (16..1048576)\n"
		   "t.conf:5: arp.timeout: 86401 is out of range (1..86400)\n"
		   "t.conf:5: arp.pending: 65 is out of range (0..64)\n"
		   "t.conf:5: arp.retries: 11 is out of range (1..10)\n"
		   "t.conf:5: arp.retry_ms: 9 is out of range (10..60000)\n"
		   "t.conf:5: arp.gratuitous: 11 is out of range (0..10)\n"
		   "t.conf:6: timers.tick_us: 9 is out of range (10..100000)\n"
		   "t.conf:6: timers.slots: 32 is out of range (64..1048576)\n"
		   "t.conf:7: control.max_clients: 1025 is out of range (1..1024)\n"
		   "t.conf:7: control.max_line: 255 is out of range (256..16777216)\n"
		   "t.conf:7: control.idle_timeout: -1 is out of range (0..86400)");

	EXPECT_ERR("burst = 257;\n" PORT0, "t.conf:1: burst: 257 is out of range (1..256)");
	/* int64 values are range-checked whole, not truncated */
	EXPECT_ERR("burst = 4294967328L;\n" PORT0,
		   "t.conf:1: burst: 4294967328 is out of range (1..256)");

	EXPECT_ERR("timers = { slots = 1000; };\n" PORT0,
		   "t.conf:1: timers.slots: 1000 is not a power of two");
	EXPECT_ERR("idle = { sleep_min_us = 300; };\n" PORT0,
		   "t.conf:1: idle.sleep_max_us: 250 is below idle.sleep_min_us (300)");
	EXPECT_ERR("idle = { sleep_min_us = 100;\n sleep_max_us = 99; };\n" PORT0,
		   "t.conf:2: idle.sleep_max_us: 99 is below idle.sleep_min_us (100)");
	EXPECT_ERR("log_level = \"verbose\";\n" PORT0,
		   "t.conf:1: log_level: unknown level 'verbose' (expected err, warn, notice, info or debug)");
	EXPECT_ERR("idle = { mode = \"spin\"; };\n" PORT0,
		   "t.conf:1: idle.mode: unknown mode 'spin' (expected adaptive or poll)");
}

static void
test_int_overflow(void)
{
	/* libconfig 1.5 would read these as 16 and as a negative number */
	EXPECT_ERR("burst = 32;\n"
		   "arp = { entries = 4294967312; # 2^32 + 16\n"
		   "        timeout = 0x80000000; };\n" PORT0,
		   "t.conf:2: syntax error: integer 4294967312 does not fit in 32 bits (libconfig would wrap it)\n"
		   "t.conf:3: syntax error: integer 0x80000000 does not fit in 32 bits (libconfig would wrap it)");
	/* big numbers in comments and strings, floats and L literals are fine */
	EXPECT_OK("# 99999999999\n/* 99999999999 */\n// 99999999999\n"
		  "control = { socket = \"/tmp/99999999999\"; };\n"
		  "burst = 32; # x = 1.5e10\n" PORT0);
}

static void
test_control_socket(void)
{
	char text[512], path[200];

	EXPECT_ERR("control = { socket = \"\"; };\n" PORT0,
		   "t.conf:1: control.socket: empty path");

	memset(path, 'a', 108);
	path[0] = '/';
	path[108] = '\0';
	snprintf(text, sizeof(text), "control = { socket = \"%s\"; };\n" PORT0, path);
	EXPECT_ERR(text,
		   "t.conf:1: control.socket: path is 108 bytes, a unix socket path must be shorter than 108");
	path[107] = '\0';
	snprintf(text, sizeof(text), "control = { socket = \"%s\"; };\n" PORT0, path);
	EXPECT_OK(text);
	CU_ASSERT_STRING_EQUAL(cfg.ctrl_socket, path);
}

static void
test_eal_reserved(void)
{
	EXPECT_ERR("eal = {\n"
		   "  args = [ \"--no-huge\",\n"
		   "    \"-l\", \"1-3\",\n"
		   "    \"-c0x3\",\n"
		   "    \"--lcores=1@2\",\n"
		   "    \"--main-lcore\", \"--master-lcore=0\",\n"
		   "    \"-s\", \"--vdev=net_tap0\",\n"
		   "    \"-a\", \"--allow\", \"-b0000:01:00.0\", \"--block\",\n"
		   "    \"--vde\", \"\" ];\n"
		   "};\n" PORT0,
		   "t.conf:3: eal.args[1]: '-l' is derived from cores; remove it\n"
		   "t.conf:4: eal.args[3]: '-c' is derived from cores; remove it\n"
		   "t.conf:5: eal.args[4]: '--lcores' is derived from cores; remove it\n"
		   "t.conf:6: eal.args[5]: '--main-lcore' is derived from cores; remove it\n"
		   "t.conf:6: eal.args[6]: '--master-lcore' is derived from cores; remove it\n"
		   "t.conf:7: eal.args[7]: '-s' is derived from cores; remove it\n"
		   "t.conf:7: eal.args[8]: '--vdev' is derived from ports; remove it\n"
		   "t.conf:8: eal.args[9]: '-a' is derived from ports; remove it\n"
		   "t.conf:8: eal.args[10]: '--allow' is derived from ports; remove it\n"
		   "t.conf:8: eal.args[11]: '-b' is derived from ports; remove it\n"
		   "t.conf:8: eal.args[12]: '--block' is derived from ports; remove it\n"
		   "t.conf:9: eal.args[13]: '--vde' is derived from ports; remove it\n"
		   "t.conf:9: eal.args[14]: empty argument");

	EXPECT_ERR("eal = { args = [ \"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\","
		   "\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\" ]; };\n" PORT0,
		   "t.conf:1: eal.args: 33 arguments, at most 32 are allowed");
}

static void
test_workers(void)
{
	EXPECT_ERR("cores = {\n"
		   "  main = 2;\n"
		   "  workers = [ 1,\n"
		   "    2,\n"
		   "    3, 1 ];\n"
		   "};\n" PORT0,
		   "t.conf:4: cores.workers[1]: lcore 2 is the main lcore (cores.main)\n"
		   "t.conf:5: cores.workers[3]: lcore 1 is listed twice (also cores.workers[0])");

	/* the default worker is lcore 1 */
	EXPECT_ERR("cores = { main = 1; };\n" PORT0,
		   "t.conf:1: cores.main: lcore 1 is also the default worker (cores.workers = [ 1 ]); set cores.workers");
	EXPECT_ERR("cores = { workers = []; };\n" PORT0,
		   "t.conf:1: cores.workers: 0 workers, must be 1..16");
	EXPECT_ERR("cores = { workers = [ 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17 ]; };\n" PORT0,
		   "t.conf:1: cores.workers: 17 workers, must be 1..16");
	EXPECT_OK("cores = { workers = [ 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 ]; };\n" PORT0);
	CU_ASSERT_EQUAL(cfg.n_workers, 16);
	CU_ASSERT_EQUAL(cfg.workers[15], 16);
}

static void
test_impair(void)
{
	const struct mdp_conf_port *p = &cfg.ports[0];

	EXPECT_OK("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";\n"
		  "  impair = { seed = 42; rx = { loss = 2.0; reorder = 2; duplicate = 1.0; corrupt = 0.1; };\n"
		  "             tx = { delay_us = 500; }; }; } );\n");
	CU_ASSERT_TRUE(p->impair);
	CU_ASSERT_EQUAL(p->impair_seed, 42);
	CU_ASSERT_DOUBLE_EQUAL(p->impair_rx.loss, 2.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p->impair_rx.reorder, 2.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p->impair_rx.duplicate, 1.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p->impair_rx.corrupt, 0.1, 1e-9);
	CU_ASSERT_EQUAL(p->impair_rx.delay_us, 0);
	CU_ASSERT_EQUAL(p->impair_tx.delay_us, 500);
	CU_ASSERT_DOUBLE_EQUAL(p->impair_tx.loss, 0.0, 1e-9);

	/* off by default, and an empty group is off too */
	EXPECT_OK(PORT0);
	CU_ASSERT_FALSE(p->impair);
	CU_ASSERT_EQUAL(p->impair_seed, 1);
	EXPECT_OK("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\"; impair = { }; } );\n");
	CU_ASSERT_FALSE(p->impair);

	EXPECT_ERR("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";\n"
		   "  impair = { rx = { loss = 101.0; }; }; } );\n",
		   "t.conf:2: ports[0].impair.rx.loss: 101 is out of range (0..100 percent)");
	EXPECT_ERR("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";\n"
		   "  impair = { rx = { los = 1.0; }; }; } );\n",
		   "t.conf:2: ports[0].impair.rx.los: unknown setting 'los' (did you mean 'loss'?)");
	EXPECT_ERR("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";\n"
		   "  impair = { tx = { corrupt = \"1%\"; }; }; } );\n",
		   "t.conf:2: ports[0].impair.tx.corrupt: expected a percentage (a number 0..100)");
	EXPECT_ERR("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";\n"
		   "  impair = { both = { loss = 1; }; }; } );\n",
		   "t.conf:2: ports[0].impair.both: unknown setting 'both'");
}

static void
test_cpus(void)
{
	/* two workers sharing the CPUs of a 2-core machine */
	EXPECT_OK("cores = { main = 0; workers = [ 1, 2 ]; main_cpu = 0; worker_cpus = [ 1, 0 ]; };\n"
		  "ports = ( { name = \"p0\"; device = \"net_af_packet0,iface=v0,qpairs=2\";"
		  " address = \"198.18.0.2/24\"; } );\n");
	CU_ASSERT_TRUE(cfg.has_cpus);
	CU_ASSERT_EQUAL(cfg.main_cpu, 0);
	CU_ASSERT_EQUAL(cfg.worker_cpus[0], 1);
	CU_ASSERT_EQUAL(cfg.worker_cpus[1], 0);

	/* main_cpu alone: workers keep CPUs equal to their lcore ids */
	EXPECT_OK("cores = { main = 0; workers = [ 1 ]; main_cpu = 1; };\n" PORT0);
	CU_ASSERT_TRUE(cfg.has_cpus);
	CU_ASSERT_EQUAL(cfg.main_cpu, 1);
	CU_ASSERT_EQUAL(cfg.worker_cpus[0], 1);

	EXPECT_ERR("cores = {\n  workers = [ 1, 2 ];\n  worker_cpus = [ 1 ];\n};\n" PORT0,
		   "t.conf:3: cores.worker_cpus: 1 entries, must be one per worker (2)");
	EXPECT_ERR("cores = { worker_cpus = [ 1024 ]; };\n" PORT0,
		   "t.conf:1: cores.worker_cpus[0]: 1024 is out of range (0..1023)");
	EXPECT_ERR("cores = { main_cpu = \"0\"; };\n" PORT0,
		   "t.conf:1: cores.main_cpu: expected an integer");
}

static void
test_queues(void)
{
	EXPECT_ERR("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";\n"
		   "  rx_queues = 2;\n"
		   "  tx_queues = 0; } );\n",
		   "t.conf:2: ports[0].rx_queues: 2, must equal the number of workers (1): each worker owns queue i of every port\n"
		   "t.conf:3: ports[0].tx_queues: 0, must equal the number of workers (1): each worker owns queue i of every port");
	EXPECT_OK("cores = { workers = [ 1, 2, 3 ]; };\n"
		  "ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";"
		  " rx_queues = 3; tx_queues = 3; } );\n");
	CU_ASSERT_EQUAL(cfg.ports[0].rx_queues, 3);
	CU_ASSERT_EQUAL(cfg.ports[0].tx_queues, 3);
	EXPECT_ERR("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";"
		   " rx_desc = 1000; tx_desc = 32768; } );\n",
		   "t.conf:1: ports[0].rx_desc: 1000 is not a power of two\n"
		   "t.conf:1: ports[0].tx_desc: 32768 is out of range (64..16384)");
}

static void
test_mtu_data_room(void)
{
	EXPECT_ERR("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";\n"
		   "  mtu = 2031; } );\n",
		   "t.conf:2: ports[0].mtu: 2031 needs mempool.data_room >= 2177 (mtu + 14 + 4 + 128 headroom), it is 2176");
	/* the default data room holds exactly mtu 2030 */
	EXPECT_OK("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\"; mtu = 2030; } );\n");
	CU_ASSERT_EQUAL(cfg.ports[0].mtu, 2030);
	EXPECT_OK("mempool = { data_room = 9146; };\n"
		  "ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\"; mtu = 9000; } );\n");
	/* a small data room against the default mtu: reported at the port */
	EXPECT_ERR("mempool = { data_room = 1024; };\n"
		   "ports = (\n"
		   "  { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\"; } );\n",
		   "t.conf:3: ports[0].mtu: default 1500 needs mempool.data_room >= 1646 (mtu + 14 + 4 + 128 headroom), it is 1024");
	EXPECT_ERR("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\"; mtu = 67; } );\n",
		   "t.conf:1: ports[0].mtu: 67 is out of range (68..9000)");
}

static void
test_cache_mbufs(void)
{
	/*
	 * DPDK needs cache * 1.5 <= mbufs. The ranges make the worst case
	 * (cache 512, mbufs 1023) legal: 768 <= 1023, so the cross-check can
	 * never fire from a file; pin the boundary so that narrowing a range
	 * or changing the check shows up here.
	 */
	EXPECT_OK("mempool = { mbufs = 1023; cache = 512; };\n" PORT0);
	CU_ASSERT_EQUAL(cfg.mbufs, 1023);
	CU_ASSERT_EQUAL(cfg.mbuf_cache, 512);
}

static void
test_bad_addresses(void)
{
	static const struct {
		const char *addr;
		const char *msg;
	} cases[] = {
		{ "198.18.0.2", "'198.18.0.2' is not an IPv4 address with a prefix length (a.b.c.d/len)" },
		{ "198.18.0/24", "'198.18.0/24' is not an IPv4 address with a prefix length (a.b.c.d/len)" },
		{ "198.18.0.2/33", "'198.18.0.2/33' is not an IPv4 address with a prefix length (a.b.c.d/len)" },
		{ "198.18.00.2/24", "'198.18.00.2/24' is not an IPv4 address with a prefix length (a.b.c.d/len)" },
		{ "198.18.0.2/0", "prefix length 0 is out of range (1..32)" },
		{ "0.1.2.3/8", "0.1.2.3 is in 0.0.0.0/8 (this network)" },
		{ "127.0.0.1/8", "127.0.0.1 is a loopback address (127.0.0.0/8)" },
		{ "224.0.0.1/24", "224.0.0.1 is a multicast address (224.0.0.0/4)" },
		{ "239.1.1.1/24", "239.1.1.1 is a multicast address (224.0.0.0/4)" },
		{ "240.0.0.1/24", "240.0.0.1 is a reserved or broadcast address (240.0.0.0/4)" },
		{ "255.255.255.255/32", "255.255.255.255 is a reserved or broadcast address (240.0.0.0/4)" },
		{ "198.18.0.0/24", "198.18.0.0 is the network address of 198.18.0.0/24" },
		{ "198.18.0.255/24", "198.18.0.255 is the broadcast address of 198.18.0.0/24" },
		{ "100.0.0.3/30", "100.0.0.3 is the broadcast address of 100.0.0.0/30" },
	};
	char text[256], want[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 "ports = ( { name = \"p0\"; device = \"net_tap0\";\n  address = \"%s\"; } );\n",
			 cases[i].addr);
		snprintf(want, sizeof(want), "t.conf:2: ports[0].address: %s", cases[i].msg);
		EXPECT_ERR(text, want);
	}
	/* /31 and /32 have no network or broadcast address */
	EXPECT_OK("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"100.0.0.1/31\"; } );\n");
	EXPECT_OK("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"100.0.0.0/32\"; } );\n");
	CU_ASSERT_EQUAL(cfg.ports[0].addr, ip("100.0.0.0"));
}

static void
test_mac(void)
{
	EXPECT_OK("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\"; mac = \"fe:ff:ff:ff:ff:ff\"; } );\n");
	CU_ASSERT_TRUE(cfg.ports[0].has_mac);
	CU_ASSERT_EQUAL(cfg.ports[0].mac[0], 0xfe);
	CU_ASSERT_EQUAL(cfg.ports[0].mac[5], 0xff);

	EXPECT_ERR("ports = (\n"
		   "  { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\"; mac = \"01:00:5e:00:00:01\"; },\n"
		   "  { name = \"p1\"; device = \"net_tap1\"; address = \"198.18.1.2/24\"; mac = \"00:00:00:00:00:00\"; },\n"
		   "  { name = \"p2\"; device = \"net_tap2\"; address = \"198.18.2.2/24\"; mac = \"02:00:00:00:00\"; },\n"
		   "  { name = \"p3\"; device = \"net_tap3\"; address = \"198.18.3.2/24\"; mac = \"02-00-00-00-00-01\"; }\n"
		   ");\n",
		   "t.conf:2: ports[0].mac: 01:00:5e:00:00:01 is a multicast address (low bit of the first octet set)\n"
		   "t.conf:3: ports[1].mac: the all-zero MAC address is not a valid station address\n"
		   "t.conf:4: ports[2].mac: '02:00:00:00:00' is not a MAC address (aa:bb:cc:dd:ee:ff)\n"
		   "t.conf:5: ports[3].mac: '02-00-00-00-00-01' is not a MAC address (aa:bb:cc:dd:ee:ff)");
}

static void
test_names_devices(void)
{
	EXPECT_ERR("ports = (\n"
		   "  { name = \"p0\"; device = \"net_af_xdp0,iface=a\"; address = \"100.0.0.2/24\"; },\n"
		   "  { name = \"p0\"; device = \"net_af_xdp0,iface=b\"; address = \"100.0.1.2/24\"; },\n"
		   "  { name = \"p2\"; device = \"0000:01:00.0\"; address = \"100.0.2.2/24\"; },\n"
		   "  { name = \"p3\"; device = \"01:00.0,x=1\"; address = \"100.0.3.2/24\"; }\n"
		   ");\n",
		   "t.conf:3: ports[1].name: 'p0' is also the name of ports[0]\n"
		   "t.conf:3: ports[1].device: device net_af_xdp0 is also used by ports[0]\n"
		   "t.conf:5: ports[3].device: device 0000:01:00.0 is also used by ports[2]");

	EXPECT_ERR("ports = (\n"
		   "  { name = \"\"; device = \"eth0\"; address = \"100.0.0.2/24\"; },\n"
		   "  { name = \"a b\"; device = \"net_\"; address = \"100.0.1.2/24\"; },\n"
		   "  { name = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"; device = \"0000:01:20.0\"; address = \"100.0.2.2/24\"; },\n"
		   "  { name = \"p.3\"; device = \"0000:01:00.8\"; address = \"100.0.3.2/24\"; },\n"
		   "  { name = \"p4\"; device = \"net_tap4,\"; address = \"100.0.4.2/24\"; }\n"
		   ");\n",
		   "t.conf:2: ports[0].name: '' must be 1..31 characters of A-Z a-z 0-9 _ -\n"
		   "t.conf:2: ports[0].device: 'eth0' is neither a DPDK vdev (\"net_<driver>[,args]\") nor a PCI address (\"0000:01:00.0\")\n"
		   "t.conf:3: ports[1].name: 'a b' must be 1..31 characters of A-Z a-z 0-9 _ -\n"
		   "t.conf:3: ports[1].device: 'net_' is neither a DPDK vdev (\"net_<driver>[,args]\") nor a PCI address (\"0000:01:00.0\")\n"
		   "t.conf:4: ports[2].name: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' must be 1..31 characters of A-Z a-z 0-9 _ -\n"
		   "t.conf:4: ports[2].device: '0000:01:20.0' is neither a DPDK vdev (\"net_<driver>[,args]\") nor a PCI address (\"0000:01:00.0\")\n"
		   "t.conf:5: ports[3].name: 'p.3' must be 1..31 characters of A-Z a-z 0-9 _ -\n"
		   "t.conf:5: ports[3].device: '0000:01:00.8' is neither a DPDK vdev (\"net_<driver>[,args]\") nor a PCI address (\"0000:01:00.0\")\n"
		   "t.conf:6: ports[4].device: 'net_tap4,' is neither a DPDK vdev (\"net_<driver>[,args]\") nor a PCI address (\"0000:01:00.0\")");
}

static void
test_overlap(void)
{
	EXPECT_ERR("ports = (\n"
		   "  { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\"; },\n"
		   "  { name = \"p1\"; device = \"net_tap1\";\n"
		   "    address = \"198.18.0.2/25\"; },\n"
		   "  { name = \"p2\"; device = \"net_tap2\";\n"
		   "    address = \"198.18.1.1/16\"; },\n"
		   "  { name = \"p3\"; device = \"net_tap3\";\n"
		   "    address = \"198.18.0.130/30\"; }\n"
		   ");\n",
		   "t.conf:4: ports[1].address: 198.18.0.2 is also the address of ports[0]\n"
		   "t.conf:6: ports[2].address: subnet 198.18.0.0/16 overlaps 198.18.0.0/24 of ports[0]\n"
		   "t.conf:8: ports[3].address: subnet 198.18.0.128/30 overlaps 198.18.0.0/24 of ports[0]");
	/* adjacent subnets do not overlap */
	EXPECT_OK("ports = (\n"
		  "  { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\"; },\n"
		  "  { name = \"p1\"; device = \"net_tap1\"; address = \"198.18.1.2/24\"; }\n"
		  ");\n");
	CU_ASSERT_EQUAL(cfg.n_ports, 2);
}

static void
test_gateway(void)
{
	EXPECT_ERR("ports = (\n"
		   "  { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";\n"
		   "    gateway = \"198.18.1.1\"; },\n"
		   "  { name = \"p1\"; device = \"net_tap1\"; address = \"100.0.0.2/24\";\n"
		   "    gateway = \"100.0.0.2\"; },\n"
		   "  { name = \"p2\"; device = \"net_tap2\"; address = \"100.0.1.2/24\";\n"
		   "    gateway = \"100.0.1.255\"; },\n"
		   "  { name = \"p3\"; device = \"net_tap3\"; address = \"100.0.2.2/24\";\n"
		   "    gateway = \"10.0.2\"; },\n"
		   "  { name = \"p4\"; device = \"net_tap4\"; address = \"100.0.3.2/32\";\n"
		   "    gateway = \"100.0.3.1\"; }\n"
		   ");\n",
		   "t.conf:3: ports[0].gateway: 198.18.1.1 is not inside the port's subnet 198.18.0.0/24\n"
		   "t.conf:5: ports[1].gateway: 100.0.0.2 is the port's own address\n"
		   "t.conf:7: ports[2].gateway: 100.0.1.255 is the broadcast address of 100.0.1.0/24\n"
		   "t.conf:9: ports[3].gateway: '10.0.2' is not an IPv4 address\n"
		   "t.conf:11: ports[4].gateway: 100.0.3.1 is not inside the port's subnet 100.0.3.2/32");
}

static void
test_routes(void)
{
	EXPECT_ERR("ports = (\n"
		   "  { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";\n"
		   "    routes = (\n"
		   "      { dst = \"198.18.64.1/18\"; via = \"198.18.0.1\"; },\n"
		   "      { dst = \"100.0.0.0/8\"; via = \"100.0.0.1\"; },\n"
		   "      { dst = \"100.0.0.0/33\"; via = \"198.18.0.2\"; },\n"
		   "      { via = \"198.18.0.1\"; },\n"
		   "      { dst = \"100.64.0.0/12\"; },\n"
		   "      { dst = \"100.0.0.0/8\"; via = \"198.18.0.3\"; }\n"
		   "    ); },\n"
		   "  { name = \"p1\"; device = \"net_tap1\"; address = \"198.18.1.2/24\";\n"
		   "    routes = ( { dst = \"100.0.0.0/8\"; via = \"198.18.1.1\"; } ); }\n"
		   ");\n",
		   "t.conf:4: ports[0].routes[0].dst: 198.18.64.1/18 has host bits set (did you mean 198.18.64.0/18?)\n"
		   "t.conf:5: ports[0].routes[1].via: 100.0.0.1 is not inside the port's subnet 198.18.0.0/24\n"
		   "t.conf:6: ports[0].routes[2].dst: '100.0.0.0/33' is not an IPv4 prefix (a.b.c.d/len)\n"
		   "t.conf:6: ports[0].routes[2].via: 198.18.0.2 is the port's own address\n"
		   "t.conf:7: ports[0].routes[3].dst: missing required setting\n"
		   "t.conf:8: ports[0].routes[4].via: missing required setting\n"
		   "t.conf:12: ports[1].routes[0].dst: 100.0.0.0/8 is also routed by ports[0]");
	/* the same destination twice on one port: routes[1] above was rejected,
	 * so show the duplicate check on an accepted pair */
	EXPECT_ERR("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\";\n"
		   "  routes = ( { dst = \"100.0.0.0/8\"; via = \"198.18.0.1\"; },\n"
		   "             { dst = \"100.0.0.0/8\"; via = \"198.18.0.3\"; } ); } );\n",
		   "t.conf:3: ports[0].routes[1].dst: 100.0.0.0/8 is also routed by ports[0]");

	/* 64 routes fit, 65 do not */
	{
		size_t cap = 8192, n;
		char *text = malloc(cap);

		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		for (int total = 64; total <= 65; total++) {
			n = (size_t)snprintf(text, cap, "ports = ( { name = \"p0\"; device = \"net_tap0\";"
				      " address = \"198.18.0.2/24\"; routes = (\n");
			for (int i = 0; i < total; i++)
				n += (size_t)snprintf(text + n, cap - n,
						      "%s{ dst = \"100.%d.0.0/16\"; via = \"198.18.0.1\"; }\n",
						      i > 0 ? "," : "", i);
			snprintf(text + n, cap - n, "); } );\n");
			if (total == 64) {
				EXPECT_OK(text);
				CU_ASSERT_EQUAL(cfg.ports[0].n_routes, 64);
				CU_ASSERT_EQUAL(cfg.ports[0].routes[63].dst, ip("100.63.0.0"));
			} else {
				EXPECT_ERR(text, "t.conf:1: ports[0].routes: 65 routes, at most 64 are allowed");
			}
		}
		free(text);
	}
}

static void
test_ports_count(void)
{
	EXPECT_ERR("burst = 32;\n", "t.conf:1: ports: missing required setting");
	EXPECT_ERR("", "t.conf:1: ports: missing required setting");
	EXPECT_ERR("burst = 32;\nports = ();\n", "t.conf:2: ports: 0 ports, must be 1..8");
	EXPECT_ERR("ports = ( {name=\"a\";device=\"net_a\";address=\"100.0.0.1/24\";},\n"
		   "{name=\"b\";device=\"net_b\";address=\"100.0.1.1/24\";},\n"
		   "{name=\"c\";device=\"net_c\";address=\"100.0.2.1/24\";},\n"
		   "{name=\"d\";device=\"net_d\";address=\"100.0.3.1/24\";},\n"
		   "{name=\"e\";device=\"net_e\";address=\"100.0.4.1/24\";},\n"
		   "{name=\"f\";device=\"net_f\";address=\"100.0.5.1/24\";},\n"
		   "{name=\"g\";device=\"net_g\";address=\"100.0.6.1/24\";},\n"
		   "{name=\"h\";device=\"net_h\";address=\"100.0.7.1/24\";},\n"
		   "{name=\"i\";device=\"net_i\";address=\"100.0.8.1/24\";} );\n",
		   "t.conf:1: ports: 9 ports, must be 1..8");
}

static void
test_missing_port_fields(void)
{
	EXPECT_ERR("ports = (\n"
		   "  {\n"
		   "    mtu = 1500;\n"
		   "  },\n"
		   "  {\n"
		   "    name = \"p1\";\n"
		   "  }\n"
		   ");\n",
		   "t.conf:2: ports[0].name: missing required setting\n"
		   "t.conf:2: ports[0].device: missing required setting\n"
		   "t.conf:2: ports[0].address: missing required setting\n"
		   "t.conf:5: ports[1].device: missing required setting\n"
		   "t.conf:5: ports[1].address: missing required setting");
}

/* ---- tcp ---- */

static void
test_tcp_full(void)
{
	const struct mdp_conf_tcp *t = &cfg.tcp;
	const struct mdp_conf_listener *l = cfg.listeners;

	EXPECT_OK(tcp_conf);
	CU_ASSERT_EQUAL(t->max_conns, 4194304);
	CU_ASSERT_EQUAL(t->rcv_buf, 4096);
	CU_ASSERT_EQUAL(t->snd_buf, 67108864);
	CU_ASSERT_EQUAL(t->ooo_max, 0);
	CU_ASSERT_EQUAL(t->syn_backlog, 1);
	CU_ASSERT_FALSE(t->syncookies);
	CU_ASSERT_FALSE(t->sack);
	CU_ASSERT_FALSE(t->timestamps);
	CU_ASSERT_FALSE(t->window_scaling);
	CU_ASSERT_EQUAL(t->cc, MDP_TCP_CC_NEWRENO);
	CU_ASSERT_EQUAL(t->initial_rto_ms, 3000);
	CU_ASSERT_EQUAL(t->min_rto_ms, 1000);
	CU_ASSERT_EQUAL(t->max_rto_ms, 60000);
	CU_ASSERT_EQUAL(t->max_retries, 5);
	CU_ASSERT_EQUAL(t->syn_retries, 3);
	CU_ASSERT_EQUAL(t->delayed_ack_ms, 0);
	CU_ASSERT_EQUAL(t->time_wait_ms, 0);
	CU_ASSERT_FALSE(t->time_wait_reuse);
	CU_ASSERT_EQUAL(t->fin_wait2_ms, 1000);
	CU_ASSERT_EQUAL(t->connect_timeout_ms, 100);
	CU_ASSERT_EQUAL(t->keepalive_idle_s, 7200);
	CU_ASSERT_EQUAL(t->keepalive_interval_s, 1);
	CU_ASSERT_EQUAL(t->keepalive_count, 100);
	CU_ASSERT_EQUAL(t->challenge_ack_per_s, 1000);

	CU_ASSERT_EQUAL_FATAL(cfg.n_listeners, 5);
	CU_ASSERT_STRING_EQUAL(l[0].name, "echo");
	CU_ASSERT_EQUAL(l[0].kind, MDP_LISTENER_ECHO);
	CU_ASSERT_EQUAL(l[0].addr, 0);
	CU_ASSERT_EQUAL(l[0].port, 7);
	CU_ASSERT_EQUAL(l[0].upstream_addr, 0);
	CU_ASSERT_EQUAL(l[0].upstream_port, 0);
	CU_ASSERT_STRING_EQUAL(l[1].name, "sink");
	CU_ASSERT_EQUAL(l[1].kind, MDP_LISTENER_DISCARD);
	CU_ASSERT_EQUAL(l[1].addr, ip("100.2.0.0"));
	CU_ASSERT_EQUAL(l[1].port, 9);
	CU_ASSERT_EQUAL(l[1].upstream_addr, 0);
	CU_ASSERT_STRING_EQUAL(l[2].name, "l4-Proxy_1");
	CU_ASSERT_EQUAL(l[2].kind, MDP_LISTENER_TCP_PROXY);
	CU_ASSERT_EQUAL(l[2].addr, ip("100.64.0.1"));
	CU_ASSERT_EQUAL(l[2].port, 65535);
	CU_ASSERT_EQUAL(l[2].upstream_addr, ip("203.0.113.9"));
	CU_ASSERT_EQUAL(l[2].upstream_port, 80);
	/* one port number on two different addresses */
	CU_ASSERT_STRING_EQUAL(l[3].name, "l4b");
	CU_ASSERT_EQUAL(l[3].addr, ip("100.1.2.3"));
	CU_ASSERT_EQUAL(l[3].port, 8000);
	CU_ASSERT_EQUAL(l[3].upstream_addr, ip("100.1.0.9"));
	CU_ASSERT_EQUAL(l[3].upstream_port, 65535);
	CU_ASSERT_STRING_EQUAL(l[4].name, "l4c");
	CU_ASSERT_EQUAL(l[4].addr, ip("100.2.0.0"));
	CU_ASSERT_EQUAL(l[4].port, 8000);
	CU_ASSERT_EQUAL(l[4].upstream_addr, ip("1.0.0.1"));
	CU_ASSERT_EQUAL(l[4].upstream_port, 1);

	/* the brief's example, and an empty group and list */
	EXPECT_OK("tcp = { cc = \"cubic\"; };\n" PORT0
		  "listeners = (\n"
		  "  { name = \"echo\"; kind = \"echo\"; port = 7; },\n"
		  "  { name = \"sink\"; kind = \"discard\"; port = 9; address = \"198.18.0.2\"; },\n"
		  "  { name = \"l4\"; kind = \"tcp_proxy\"; port = 8000; upstream = \"198.18.1.2:80\"; }\n"
		  ");\n");
	CU_ASSERT_EQUAL(cfg.tcp.cc, MDP_TCP_CC_CUBIC);
	CU_ASSERT_EQUAL(cfg.n_listeners, 3);
	CU_ASSERT_EQUAL(cfg.listeners[1].addr, ip("198.18.0.2"));
	CU_ASSERT_EQUAL(cfg.listeners[2].upstream_addr, ip("198.18.1.2"));
	EXPECT_OK("tcp = { keepalive = { }; };\nlisteners = ();\n" PORT0);
	check_defaults(&cfg);
}

static void
test_tcp_ranges(void)
{
	/* every bound is inside */
	EXPECT_OK("tcp = { max_conns = 16; rcv_buf = 4096; snd_buf = 4096; ooo_max = 0;\n"
		  "  syn_backlog = 1; initial_rto_ms = 1; min_rto_ms = 1; max_rto_ms = 1;\n"
		  "  max_retries = 1; syn_retries = 1; delayed_ack_ms = 0; time_wait_ms = 0;\n"
		  "  fin_wait2_ms = 1000; connect_timeout_ms = 100;\n"
		  "  keepalive = { idle_s = 0; interval_s = 1; count = 1; };\n"
		  "  challenge_ack_per_s = 1; };\n" PORT0);
	CU_ASSERT_EQUAL(cfg.tcp.max_conns, 16);
	CU_ASSERT_EQUAL(cfg.tcp.max_rto_ms, 1);
	CU_ASSERT_EQUAL(cfg.tcp.keepalive_interval_s, 1);
	EXPECT_OK("tcp = { max_conns = 4194304; rcv_buf = 67108864; snd_buf = 67108864;\n"
		  "  ooo_max = 1073741824; syn_backlog = 1048576; initial_rto_ms = 60000;\n"
		  "  min_rto_ms = 60000; max_rto_ms = 600000; max_retries = 100; syn_retries = 20;\n"
		  "  delayed_ack_ms = 500; time_wait_ms = 600000; fin_wait2_ms = 600000;\n"
		  "  connect_timeout_ms = 600000;\n"
		  "  keepalive = { idle_s = 86400; interval_s = 86400; count = 100; };\n"
		  "  challenge_ack_per_s = 1000; };\n" PORT0);
	CU_ASSERT_EQUAL(cfg.tcp.ooo_max, 1073741824);
	CU_ASSERT_EQUAL(cfg.tcp.max_rto_ms, 600000);
	CU_ASSERT_EQUAL(cfg.tcp.keepalive_idle_s, 86400);

	EXPECT_ERR("tcp = {\n"
		   "  max_conns = 15; rcv_buf = 4095; snd_buf = 4095; ooo_max = -1;\n"
		   "  syn_backlog = 0; initial_rto_ms = 0; min_rto_ms = 0; max_rto_ms = 0;\n"
		   "  max_retries = 0; syn_retries = 0; delayed_ack_ms = -1; time_wait_ms = -1;\n"
		   "  fin_wait2_ms = 999; connect_timeout_ms = 99;\n"
		   "  keepalive = { idle_s = -1; interval_s = 0; count = 0; };\n"
		   "  challenge_ack_per_s = 0;\n"
		   "};\n" PORT0,
		   "t.conf:2: tcp.max_conns: 15 is out of range (16..4194304)\n"
		   "t.conf:2: tcp.rcv_buf: 4095 is out of range (4096..67108864)\n"
		   "t.conf:2: tcp.snd_buf: 4095 is out of range (4096..67108864)\n"
		   "t.conf:2: tcp.ooo_max: -1 is out of range (0..1073741824)\n"
		   "t.conf:3: tcp.syn_backlog: 0 is out of range (1..1048576)\n"
		   "t.conf:3: tcp.initial_rto_ms: 0 is out of range (1..60000)\n"
		   "t.conf:3: tcp.min_rto_ms: 0 is out of range (1..60000)\n"
		   "t.conf:3: tcp.max_rto_ms: 0 is out of range (1..600000)\n"
		   "t.conf:4: tcp.max_retries: 0 is out of range (1..100)\n"
		   "t.conf:4: tcp.syn_retries: 0 is out of range (1..20)\n"
		   "t.conf:4: tcp.delayed_ack_ms: -1 is out of range (0..500)\n"
		   "t.conf:4: tcp.time_wait_ms: -1 is out of range (0..600000)\n"
		   "t.conf:5: tcp.fin_wait2_ms: 999 is out of range (1000..600000)\n"
		   "t.conf:5: tcp.connect_timeout_ms: 99 is out of range (100..600000)\n"
		   "t.conf:6: tcp.keepalive.idle_s: -1 is out of range (0..86400)\n"
		   "t.conf:6: tcp.keepalive.interval_s: 0 is out of range (1..86400)\n"
		   "t.conf:6: tcp.keepalive.count: 0 is out of range (1..100)\n"
		   "t.conf:7: tcp.challenge_ack_per_s: 0 is out of range (1..1000)");

	EXPECT_ERR("tcp = {\n"
		   "  max_conns = 4194305; rcv_buf = 67108865; snd_buf = 67108865;\n"
		   "  ooo_max = 1073741825; syn_backlog = 1048577; initial_rto_ms = 60001;\n"
		   "  min_rto_ms = 60001; max_rto_ms = 600001; max_retries = 101; syn_retries = 21;\n"
		   "  delayed_ack_ms = 501; time_wait_ms = 600001; fin_wait2_ms = 600001;\n"
		   "  connect_timeout_ms = 600001;\n"
		   "  keepalive = { idle_s = 86401; interval_s = 86401; count = 101; };\n"
		   "  challenge_ack_per_s = 1001;\n"
		   "};\n" PORT0,
		   "t.conf:2: tcp.max_conns: 4194305 is out of range (16..4194304)\n"
		   "t.conf:2: tcp.rcv_buf: 67108865 is out of range (4096..67108864)\n"
		   "t.conf:2: tcp.snd_buf: 67108865 is out of range (4096..67108864)\n"
		   "t.conf:3: tcp.ooo_max: 1073741825 is out of range (0..1073741824)\n"
		   "t.conf:3: tcp.syn_backlog: 1048577 is out of range (1..1048576)\n"
		   "t.conf:3: tcp.initial_rto_ms: 60001 is out of range (1..60000)\n"
		   "t.conf:4: tcp.min_rto_ms: 60001 is out of range (1..60000)\n"
		   "t.conf:4: tcp.max_rto_ms: 600001 is out of range (1..600000)\n"
		   "t.conf:4: tcp.max_retries: 101 is out of range (1..100)\n"
		   "t.conf:4: tcp.syn_retries: 21 is out of range (1..20)\n"
		   "t.conf:5: tcp.delayed_ack_ms: 501 is out of range (0..500)\n"
		   "t.conf:5: tcp.time_wait_ms: 600001 is out of range (0..600000)\n"
		   "t.conf:5: tcp.fin_wait2_ms: 600001 is out of range (1000..600000)\n"
		   "t.conf:6: tcp.connect_timeout_ms: 600001 is out of range (100..600000)\n"
		   "t.conf:7: tcp.keepalive.idle_s: 86401 is out of range (0..86400)\n"
		   "t.conf:7: tcp.keepalive.interval_s: 86401 is out of range (1..86400)\n"
		   "t.conf:7: tcp.keepalive.count: 101 is out of range (1..100)\n"
		   "t.conf:8: tcp.challenge_ack_per_s: 1001 is out of range (1..1000)");

	/* int64 values are range-checked whole */
	EXPECT_ERR("tcp = { rcv_buf = 4294971392L; };\n" PORT0,
		   "t.conf:1: tcp.rcv_buf: 4294971392 is out of range (4096..67108864)");
	EXPECT_ERR("tcp = {\n  cc = \"bbr\";\n};\n" PORT0,
		   "t.conf:2: tcp.cc: unknown algorithm 'bbr' (expected cubic or newreno)");
	EXPECT_ERR("tcp = { cc = \"CUBIC\"; };\n" PORT0,
		   "t.conf:1: tcp.cc: unknown algorithm 'CUBIC' (expected cubic or newreno)");
}

static void
test_tcp_types(void)
{
	EXPECT_ERR("tcp = 1;\n" PORT0, "t.conf:1: tcp: expected a group ({ ... })");
	EXPECT_ERR("tcp = {\n"
		   "  max_conns = \"1024\";\n"
		   "  ooo_max = 1.0;\n"
		   "  syncookies = 1;\n"
		   "  sack = \"yes\";\n"
		   "  cc = 1;\n"
		   "  min_rto_ms = 200.0;\n"
		   "  delayed_ack_ms = false;\n"
		   "  keepalive = 5;\n"
		   "  challenge_ack_per_s = [ 10 ];\n"
		   "};\n" PORT0,
		   "t.conf:2: tcp.max_conns: expected an integer\n"
		   "t.conf:3: tcp.ooo_max: expected an integer\n"
		   "t.conf:4: tcp.syncookies: expected a boolean (true or false)\n"
		   "t.conf:5: tcp.sack: expected a boolean (true or false)\n"
		   "t.conf:6: tcp.cc: expected a string\n"
		   "t.conf:7: tcp.min_rto_ms: expected an integer\n"
		   "t.conf:8: tcp.delayed_ack_ms: expected an integer\n"
		   "t.conf:9: tcp.keepalive: expected a group ({ ... })\n"
		   "t.conf:10: tcp.challenge_ack_per_s: expected an integer");
	EXPECT_ERR("tcp = { keepalive = { idle_s = \"1h\"; count = true; }; };\n" PORT0,
		   "t.conf:1: tcp.keepalive.idle_s: expected an integer\n"
		   "t.conf:1: tcp.keepalive.count: expected an integer");
}

static void
test_tcp_rto(void)
{
	/* equal is fine */
	EXPECT_OK("tcp = { initial_rto_ms = 500; min_rto_ms = 500; max_rto_ms = 500; };\n" PORT0);
	CU_ASSERT_EQUAL(cfg.tcp.min_rto_ms, 500);
	/* a short max with the defaults otherwise */
	EXPECT_OK("tcp = { max_rto_ms = 200; };\n" PORT0);
	CU_ASSERT_EQUAL(cfg.tcp.max_rto_ms, 200);

	/* only min given: checked against the defaults, on its own line */
	EXPECT_ERR("tcp = {\n  min_rto_ms = 2000;\n};\n" PORT0,
		   "t.conf:2: tcp.min_rto_ms: 2000 is above tcp.initial_rto_ms (default 1000)");
	/* only max or initial given: reported at the group, the min a default */
	EXPECT_ERR("tcp = {\n  max_rto_ms = 100;\n};\n" PORT0,
		   "t.conf:1: tcp.min_rto_ms: default 200 is above tcp.max_rto_ms (100)");
	EXPECT_ERR("tcp = {\n  initial_rto_ms = 199;\n};\n" PORT0,
		   "t.conf:1: tcp.min_rto_ms: default 200 is above tcp.initial_rto_ms (199)");
	/* both relations broken */
	EXPECT_ERR("tcp = {\n  initial_rto_ms = 300;\n  min_rto_ms = 500;\n  max_rto_ms = 400;\n};\n" PORT0,
		   "t.conf:3: tcp.min_rto_ms: 500 is above tcp.max_rto_ms (400)\n"
		   "t.conf:3: tcp.min_rto_ms: 500 is above tcp.initial_rto_ms (300)");
	/* a value out of range is reported once, not again against the others */
	EXPECT_ERR("tcp = { min_rto_ms = 70000; max_rto_ms = 100; };\n" PORT0,
		   "t.conf:1: tcp.min_rto_ms: 70000 is out of range (1..60000)");
	EXPECT_ERR("tcp = { min_rto_ms = 300; max_rto_ms = 0; initial_rto_ms = -5; };\n" PORT0,
		   "t.conf:1: tcp.initial_rto_ms: -5 is out of range (1..60000)\n"
		   "t.conf:1: tcp.max_rto_ms: 0 is out of range (1..600000)");
}

static void
test_tcp_delayed_ack(void)
{
	EXPECT_OK("tcp = { delayed_ack_ms = 199; };\n" PORT0);
	CU_ASSERT_EQUAL(cfg.tcp.delayed_ack_ms, 199);
	EXPECT_OK("tcp = { delayed_ack_ms = 0; min_rto_ms = 1; initial_rto_ms = 1; };\n" PORT0);
	CU_ASSERT_EQUAL(cfg.tcp.delayed_ack_ms, 0);
	EXPECT_OK("tcp = { delayed_ack_ms = 500; min_rto_ms = 501; };\n" PORT0);

	EXPECT_ERR("tcp = {\n  delayed_ack_ms = 200;\n};\n" PORT0,
		   "t.conf:2: tcp.delayed_ack_ms: 200 is not below tcp.min_rto_ms (default 200)");
	EXPECT_ERR("tcp = {\n  min_rto_ms = 40;\n};\n" PORT0,
		   "t.conf:1: tcp.delayed_ack_ms: default 40 is not below tcp.min_rto_ms (40)");
	EXPECT_ERR("tcp = {\n  min_rto_ms = 100;\n  delayed_ack_ms = 300;\n};\n" PORT0,
		   "t.conf:3: tcp.delayed_ack_ms: 300 is not below tcp.min_rto_ms (100)");
	/* min_rto_ms out of range: nothing to compare with */
	EXPECT_ERR("tcp = { min_rto_ms = 0; delayed_ack_ms = 300; };\n" PORT0,
		   "t.conf:1: tcp.min_rto_ms: 0 is out of range (1..60000)");
}

static void
test_tcp_unknown(void)
{
	EXPECT_ERR("tpc = { };\n"
		   "listener = ( );\n" PORT0,
		   "t.conf:1: tpc: unknown setting 'tpc' (did you mean 'tcp'?)\n"
		   "t.conf:2: listener: unknown setting 'listener' (did you mean 'listeners'?)");
	EXPECT_ERR("tcp = {\n"
		   "  max_con = 1024;\n"
		   "  delayed_ack = 40;\n"
		   "  congestion = \"cubic\";\n"
		   "  keepalive = { idle = 60; intervals = 10; cnt = 3; probes = 3; };\n"
		   "  nagle = false;\n"
		   "};\n" PORT0,
		   "t.conf:2: tcp.max_con: unknown setting 'max_con' (did you mean 'max_conns'?)\n"
		   "t.conf:3: tcp.delayed_ack: unknown setting 'delayed_ack'\n"
		   "t.conf:4: tcp.congestion: unknown setting 'congestion'\n"
		   "t.conf:6: tcp.nagle: unknown setting 'nagle'\n"
		   "t.conf:5: tcp.keepalive.idle: unknown setting 'idle' (did you mean 'idle_s'?)\n"
		   "t.conf:5: tcp.keepalive.intervals: unknown setting 'intervals' (did you mean 'interval_s'?)\n"
		   "t.conf:5: tcp.keepalive.cnt: unknown setting 'cnt' (did you mean 'count'?)\n"
		   "t.conf:5: tcp.keepalive.probes: unknown setting 'probes'");
	/* in a listener: the misspelt key and the then-missing required one */
	EXPECT_ERR(PORT0
		   "listeners = (\n"
		   "  { name = \"e\"; kind = \"echo\"; port = 7; },\n"
		   "  {\n"
		   "    nmae = \"p\";\n"
		   "    kind = \"tcp_proxy\";\n"
		   "    port = 80;\n"
		   "    adress = \"198.18.0.2\";\n"
		   "    upsteam = \"198.18.1.2:80\";\n"
		   "  }\n"
		   ");\n",
		   "t.conf:5: listeners[1].nmae: unknown setting 'nmae' (did you mean 'name'?)\n"
		   "t.conf:8: listeners[1].adress: unknown setting 'adress' (did you mean 'address'?)\n"
		   "t.conf:9: listeners[1].upsteam: unknown setting 'upsteam' (did you mean 'upstream'?)\n"
		   "t.conf:4: listeners[1].name: missing required setting\n"
		   "t.conf:4: listeners[1].upstream: missing required setting");
}

/* ---- listeners ---- */

/* Two ports, for listeners on either address. */
#define PORTS2                                                                               \
	"ports = (\n"                                                                        \
	"  { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.2/24\"; },\n"        \
	"  { name = \"p1\"; device = \"net_tap1\"; address = \"198.18.1.2/24\"; }\n"         \
	");\n"

static void
test_listener_fields(void)
{
	/* line 5 is the first listener */
	EXPECT_ERR(PORTS2
		   "listeners = (\n"
		   "  { name = \"a b\"; kind = \"echo\"; port = 7; },\n"
		   "  { name = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"; kind = \"chargen\"; port = 19; },\n"
		   "  { name = \"p\"; kind = \"Echo\"; port = 0; },\n"
		   "  { name = \"q\"; kind = \"discard\"; port = 65536; },\n"
		   "  { name = \"r\"; kind = \"echo\"; port = 8; address = \"198.18.0.9\"; },\n"
		   "  { name = \"s\"; kind = \"echo\"; port = 8; address = \"198.18.0.2/24\"; },\n"
		   "  { name = \"t\"; kind = \"echo\"; port = 8; address = \"0.0.0.0\"; },\n"
		   "  { port = 10; },\n"
		   "  { name = \"\"; kind = \"\"; address = \"\"; }\n"
		   ");\n",
		   "t.conf:6: listeners[0].name: 'a b' must be 1..31 characters of A-Z a-z 0-9 _ -\n"
		   "t.conf:7: listeners[1].name: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' must be 1..31 characters of A-Z a-z 0-9 _ -\n"
		   "t.conf:7: listeners[1].kind: unknown kind 'chargen' (expected echo, discard, tcp_proxy or http)\n"
		   "t.conf:8: listeners[2].kind: unknown kind 'Echo' (expected echo, discard, tcp_proxy or http)\n"
		   "t.conf:8: listeners[2].port: 0 is out of range (1..65535)\n"
		   "t.conf:9: listeners[3].port: 65536 is out of range (1..65535)\n"
		   "t.conf:10: listeners[4].address: 198.18.0.9 is not the address of any port\n"
		   "t.conf:11: listeners[5].address: '198.18.0.2/24' is not an IPv4 address\n"
		   "t.conf:12: listeners[6].address: 0.0.0.0 is not the address of any port\n"
		   "t.conf:13: listeners[7].name: missing required setting\n"
		   "t.conf:13: listeners[7].kind: missing required setting\n"
		   "t.conf:14: listeners[8].name: '' must be 1..31 characters of A-Z a-z 0-9 _ -\n"
		   "t.conf:14: listeners[8].kind: unknown kind '' (expected echo, discard, tcp_proxy or http)\n"
		   "t.conf:14: listeners[8].address: '' is not an IPv4 address\n"
		   "t.conf:14: listeners[8].port: missing required setting");

	EXPECT_ERR(PORT0 "listeners = { name = \"e\"; };\n",
		   "t.conf:2: listeners: expected a list of groups (( { ... }, ... ))");
	EXPECT_ERR(PORT0 "listeners = [ 7 ];\n",
		   "t.conf:2: listeners: expected a list of groups (( { ... }, ... ))");
	EXPECT_ERR(PORT0 "listeners = ( { name = \"e\"; kind = \"echo\"; port = 7; }, \"x\" );\n",
		   "t.conf:2: listeners[1]: expected a group ({ name = ...; ... })");
	EXPECT_ERR(PORT0 "listeners = (\n"
		   "  { name = 1; kind = true; port = \"7\"; address = 3; upstream = 80; }\n"
		   ");\n",
		   "t.conf:3: listeners[0].name: expected a string\n"
		   "t.conf:3: listeners[0].kind: expected a string\n"
		   "t.conf:3: listeners[0].address: expected a string\n"
		   "t.conf:3: listeners[0].port: expected an integer\n"
		   "t.conf:3: listeners[0].upstream: expected a string");

	/* the second port's address is as good as the first's */
	EXPECT_OK(PORTS2 "listeners = ( { name = \"e\"; kind = \"echo\"; port = 7; address = \"198.18.1.2\"; } );\n");
	CU_ASSERT_EQUAL(cfg.listeners[0].addr, ip("198.18.1.2"));

	/* a port whose address is wrong: its error alone, not the listener's too */
	EXPECT_ERR("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.0/24\"; } );\n"
		   "listeners = ( { name = \"e\"; kind = \"echo\"; port = 7; address = \"198.18.0.0\"; } );\n",
		   "t.conf:1: ports[0].address: 198.18.0.0 is the network address of 198.18.0.0/24");
	EXPECT_ERR("listeners = ( { name = \"e\"; kind = \"echo\"; port = 7; address = \"198.18.0.2\"; } );\n",
		   "t.conf:1: ports: missing required setting");
	/* "0.0.0.0" is not "any", nor a rejected port's address */
	EXPECT_ERR("ports = ( { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.0/24\"; } );\n"
		   "listeners = ( { name = \"e\"; kind = \"echo\"; port = 7; address = \"0.0.0.0\"; },\n"
		   "  { name = \"f\"; kind = \"echo\"; port = 7; } );\n",
		   "t.conf:1: ports[0].address: 198.18.0.0 is the network address of 198.18.0.0/24");
}

static void
test_listener_upstream(void)
{
	static const struct {
		const char *up;
		const char *msg;
	} cases[] = {
		{ "198.18.1.2", "'198.18.1.2' is not an IPv4 address and port (a.b.c.d:port)" },
		{ "198.18.1.2:", "'198.18.1.2:' is not an IPv4 address and port (a.b.c.d:port)" },
		{ "198.18.1.2:080", "'198.18.1.2:080' is not an IPv4 address and port (a.b.c.d:port)" },
		{ "198.18.1.2:80x", "'198.18.1.2:80x' is not an IPv4 address and port (a.b.c.d:port)" },
		{ "198.18.1.2:+80", "'198.18.1.2:+80' is not an IPv4 address and port (a.b.c.d:port)" },
		{ "198.18.1.2:123456", "'198.18.1.2:123456' is not an IPv4 address and port (a.b.c.d:port)" },
		{ "198.18.1:80", "'198.18.1:80' is not an IPv4 address and port (a.b.c.d:port)" },
		{ "backend:80", "'backend:80' is not an IPv4 address and port (a.b.c.d:port)" },
		{ ":80", "':80' is not an IPv4 address and port (a.b.c.d:port)" },
		{ "", "'' is not an IPv4 address and port (a.b.c.d:port)" },
		{ "198.18.1.2:0", "port 0 is out of range (1..65535)" },
		{ "198.18.1.2:65536", "port 65536 is out of range (1..65535)" },
		{ "0.0.0.0:80", "0.0.0.0 is in 0.0.0.0/8 (this network)" },
		{ "127.0.0.1:80", "127.0.0.1 is a loopback address (127.0.0.0/8)" },
		{ "224.0.0.1:80", "224.0.0.1 is a multicast address (224.0.0.0/4)" },
		{ "240.0.0.1:80", "240.0.0.1 is a reserved or broadcast address (240.0.0.0/4)" },
		{ "255.255.255.255:80", "255.255.255.255 is a reserved or broadcast address (240.0.0.0/4)" },
	};
	char text[512], want[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 PORT0 "listeners = ( { name = \"l4\"; kind = \"tcp_proxy\"; port = 80;\n"
			 "  upstream = \"%s\"; } );\n", cases[i].up);
		snprintf(want, sizeof(want), "t.conf:3: listeners[0].upstream: %s", cases[i].msg);
		EXPECT_ERR(text, want);
	}

	/* required for tcp_proxy, forbidden for the others */
	EXPECT_ERR(PORT0
		   "listeners = (\n"
		   "  { name = \"l4\"; kind = \"tcp_proxy\"; port = 80; },\n"
		   "  { name = \"e\"; kind = \"echo\"; port = 7;\n"
		   "    upstream = \"198.18.1.2:7\"; },\n"
		   "  { name = \"d\"; kind = \"discard\"; port = 9; upstream = \"nonsense\"; }\n"
		   ");\n",
		   "t.conf:3: listeners[0].upstream: missing required setting\n"
		   "t.conf:5: listeners[1].upstream: upstream only applies to tcp_proxy\n"
		   "t.conf:6: listeners[2].upstream: upstream only applies to tcp_proxy");
	/* kind unknown or missing: upstream is checked on its own */
	EXPECT_ERR(PORT0
		   "listeners = (\n"
		   "  { name = \"a\"; kind = \"tcpproxy\"; port = 80; upstream = \"198.18.1.2:80\"; },\n"
		   "  { name = \"b\"; kind = \"proxy\"; port = 81; },\n"
		   "  { name = \"c\"; port = 82; upstream = \"127.0.0.1:80\"; }\n"
		   ");\n",
		   "t.conf:3: listeners[0].kind: unknown kind 'tcpproxy' (expected echo, discard, tcp_proxy or http)\n"
		   "t.conf:4: listeners[1].kind: unknown kind 'proxy' (expected echo, discard, tcp_proxy or http)\n"
		   "t.conf:5: listeners[2].kind: missing required setting\n"
		   "t.conf:5: listeners[2].upstream: 127.0.0.1 is a loopback address (127.0.0.0/8)");
}

static void
test_listener_collisions(void)
{
	/* line 5 is the first listener */
	EXPECT_ERR(PORTS2
		   "listeners = (\n"
		   "  { name = \"a\"; kind = \"echo\"; port = 7; address = \"198.18.0.2\"; },\n"
		   "  { name = \"b\"; kind = \"echo\"; port = 7; address = \"198.18.1.2\"; },\n"
		   "  { name = \"a\"; kind = \"discard\"; port = 9; },\n"
		   "  { name = \"c\"; kind = \"discard\"; port = 7; address = \"198.18.0.2\"; },\n"
		   "  { name = \"d\"; kind = \"discard\"; port = 7; },\n"
		   "  { name = \"e\"; kind = \"echo\"; port = 9; address = \"198.18.1.2\"; },\n"
		   "  { name = \"f\"; kind = \"echo\"; port = 9; },\n"
		   "  { name = \"g\"; kind = \"echo\"; port = 10; },\n"
		   "  { name = \"h\"; kind = \"tcp_proxy\"; port = 10; upstream = \"198.18.1.2:80\"; }\n"
		   ");\n",
		   "t.conf:8: listeners[2].name: 'a' is also the name of listeners[0]\n"
		   "t.conf:9: listeners[3].port: 198.18.0.2:7 is also used by listeners[0]\n"
		   "t.conf:10: listeners[4].port: *:7 overlaps 198.18.0.2:7 of listeners[0]\n"
		   "t.conf:11: listeners[5].port: 198.18.1.2:9 overlaps *:9 of listeners[2]\n"
		   "t.conf:12: listeners[6].port: *:9 is also used by listeners[2]\n"
		   "t.conf:14: listeners[8].port: *:10 is also used by listeners[7]");

	/* the same port on different addresses, different ports on one */
	EXPECT_OK(PORTS2
		  "listeners = (\n"
		  "  { name = \"a\"; kind = \"echo\"; port = 7; address = \"198.18.0.2\"; },\n"
		  "  { name = \"b\"; kind = \"echo\"; port = 7; address = \"198.18.1.2\"; },\n"
		  "  { name = \"c\"; kind = \"echo\"; port = 8; },\n"
		  "  { name = \"d\"; kind = \"echo\"; port = 9; address = \"198.18.0.2\"; }\n"
		  ");\n");
	CU_ASSERT_EQUAL(cfg.n_listeners, 4);
	CU_ASSERT_EQUAL(cfg.listeners[2].addr, 0);
}

static void
test_listeners_count(void)
{
	size_t cap = 8192, n;
	char *text = malloc(cap);

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (int total = 64; total <= 65; total++) {
		n = (size_t)snprintf(text, cap, PORT0 "listeners = (\n");
		for (int i = 0; i < total; i++)
			n += (size_t)snprintf(text + n, cap - n,
					      "%s{ name = \"l%d\"; kind = \"echo\"; port = %d; }\n",
					      i > 0 ? "," : "", i, 1000 + i);
		snprintf(text + n, cap - n, ");\n");
		if (total == 64) {
			EXPECT_OK(text);
			CU_ASSERT_EQUAL(cfg.n_listeners, 64);
			CU_ASSERT_STRING_EQUAL(cfg.listeners[63].name, "l63");
			CU_ASSERT_EQUAL(cfg.listeners[63].port, 1063);
		} else {
			EXPECT_ERR(text, "t.conf:2: listeners: 65 listeners, at most 64 are allowed");
		}
	}
	free(text);
}

static void
test_syntax_error(void)
{
	EXPECT_ERR("burst = 32;\n"
		   "idle = {\n"
		   "  mode = adaptive;\n"
		   "};\n" PORT0,
		   "t.conf:3: syntax error: syntax error");
	EXPECT_ERR("burst = 32;\nburst = 64;\n" PORT0,
		   "t.conf:2: syntax error: duplicate setting name");
	EXPECT_ERR("cores = { workers = [ 1, \"2\" ]; };\n" PORT0,
		   "t.conf:1: syntax error: mismatched element type in array");
	/* a string load with no name still says where */
	CU_ASSERT_EQUAL(mdp_config_load_string("x = ;", NULL, &cfg, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "<string>:1: syntax error: syntax error");
	CU_ASSERT_STRING_EQUAL(cfg.file, "<string>");
}

static void
test_multiple_errors(void)
{
	/* errors from every level of the file, in one report */
	EXPECT_ERR("log_level = \"loud\";\n"
		   "cores = { main = 1; workers = [ 1 ]; };\n"
		   "mempool = { cache = 1000; };\n"
		   "ports = (\n"
		   "  { name = \"p0\"; device = \"net_tap0\"; address = \"198.18.0.0/24\";\n"
		   "    prmiscuous = true; }\n"
		   ");\n",
		   "t.conf:1: log_level: unknown level 'loud' (expected err, warn, notice, info or debug)\n"
		   "t.conf:2: cores.workers[0]: lcore 1 is the main lcore (cores.main)\n"
		   "t.conf:3: mempool.cache: 1000 is out of range (0..512)\n"
		   "t.conf:6: ports[0].prmiscuous: unknown setting 'prmiscuous' (did you mean 'promiscuous'?)\n"
		   "t.conf:5: ports[0].address: 198.18.0.0 is the network address of 198.18.0.0/24");
}

static void
test_err_buffer(void)
{
	static const char bad[] = "burst = 0;\narp = { entries = 1; };\n";
	const char *full = "t.conf:1: burst: 0 is out of range (1..256)\n"
			   "t.conf:2: arp.entries: 1 is out of range (16..1048576)\n"
			   "t.conf:1: ports: missing required setting";
	char small[24];

	/* truncated, always terminated, never written past errlen */
	memset(small, 'x', sizeof(small));
	CU_ASSERT_EQUAL(mdp_config_load_string(bad, "t.conf", &cfg, small, 20), -1);
	CU_ASSERT_EQUAL(strlen(small), 19);
	CU_ASSERT_EQUAL(strncmp(small, full, 19), 0);
	CU_ASSERT_EQUAL(small[20], 'x');

	CU_ASSERT_EQUAL(mdp_config_load_string(bad, "t.conf", &cfg, small, 1), -1);
	CU_ASSERT_STRING_EQUAL(small, "");
	CU_ASSERT_EQUAL(mdp_config_load_string(bad, "t.conf", &cfg, NULL, 0), -1);

	CU_ASSERT_EQUAL(mdp_config_load_string(bad, "t.conf", &cfg, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, full);

	/* a success clears an old message */
	CU_ASSERT_EQUAL(mdp_config_load_string(PORT0, "t.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	mdp_config_free(&cfg);
}

static void
test_free(void)
{
	/* a failed load owns nothing even when EAL args were parsed */
	CU_ASSERT_EQUAL(load("eal = { args = [ \"--no-huge\" ]; };\nburst = 0;\n" PORT0), -1);
	CU_ASSERT_EQUAL(cfg.n_eal_args, 0);
	CU_ASSERT_PTR_NULL(cfg.eal_args[0]);
	mdp_config_free(&cfg);
	mdp_config_free(&cfg);

	EXPECT_OK("eal = { args = [ \"--no-huge\" ]; };\n" PORT0);
	CU_ASSERT_EQUAL(cfg.n_eal_args, 1);
	mdp_config_free(&cfg);
	CU_ASSERT_EQUAL(cfg.n_eal_args, 0);
	CU_ASSERT_PTR_NULL(cfg.eal_args[0]);
	mdp_config_free(&cfg);
	mdp_config_free(NULL);
}

static void
test_missing_file(void)
{
	CU_ASSERT_EQUAL(mdp_config_load("/nonexistent/meshdp.conf", &cfg, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "/nonexistent/meshdp.conf: cannot read: No such file or directory");
	CU_ASSERT_EQUAL(mdp_config_load(".", &cfg, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, ".: cannot read: Is a directory");
	mdp_config_free(&cfg);
}

static int
write_temp(char *path, const char *text, size_t len)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

static void
test_file_on_disk(void)
{
	char path[] = "/tmp/mdp_test_config_XXXXXX";
	char want[256];
	static const char bad[] = "ports = (\n  { name = \"p0\"; device = \"net_tap0\";\n"
				  "    address = \"198.18.0.2/24\"; mut = 9000; }\n);\n";
	int rc;

	CU_ASSERT_EQUAL_FATAL(write_temp(path, full_conf, strlen(full_conf)), 0);
	rc = mdp_config_load(path, &cfg, err, sizeof(err));
	unlink(path);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(cfg.file, path);
	CU_ASSERT_EQUAL(cfg.n_ports, 3);
	CU_ASSERT_EQUAL(cfg.n_workers, 2);
	CU_ASSERT_EQUAL(cfg.ports[0].mtu, 9000);
	CU_ASSERT_EQUAL_FATAL(cfg.n_eal_args, 5);
	CU_ASSERT_STRING_EQUAL(cfg.eal_args[3], "--no-pci");
	mdp_config_free(&cfg);

	/* messages from a file name the file */
	strcpy(path, "/tmp/mdp_test_config_XXXXXX");
	CU_ASSERT_EQUAL_FATAL(write_temp(path, bad, strlen(bad)), 0);
	CU_ASSERT_EQUAL(mdp_config_load(path, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: ports[0].mut: unknown setting 'mut' (did you mean 'mtu'?)",
		 path);
	CU_ASSERT_STRING_EQUAL(err, want);
	unlink(path);

	/* config_read_string() would stop at a NUL and accept the prefix */
	strcpy(path, "/tmp/mdp_test_config_XXXXXX");
	CU_ASSERT_EQUAL_FATAL(write_temp(path, PORT0 "\nx\0 = 1;\n", sizeof(PORT0 "\nx\0 = 1;\n") - 1), 0);
	CU_ASSERT_EQUAL(mdp_config_load(path, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: syntax error: NUL byte in the file", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	unlink(path);
	mdp_config_free(&cfg);
}

static void
test_demo_conf(void)
{
	const struct mdp_conf_port *p = &cfg.ports[0];
	int rc = mdp_config_load("../../conf/demo.conf", &cfg, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "\n%s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(cfg.file, "../../conf/demo.conf");
	CU_ASSERT_EQUAL(cfg.log_level, MDP_LOG_INFO);
	CU_ASSERT_EQUAL_FATAL(cfg.n_eal_args, 6);
	CU_ASSERT_STRING_EQUAL(cfg.eal_args[0], "--no-huge");
	CU_ASSERT_STRING_EQUAL(cfg.eal_args[2], "512");
	CU_ASSERT_STRING_EQUAL(cfg.eal_args[4], "--no-shconf");
	CU_ASSERT_STRING_EQUAL(cfg.eal_args[5], "--file-prefix=meshdp-demo");
	CU_ASSERT_FALSE(cfg.has_cpus);
	CU_ASSERT_EQUAL(cfg.main_cpu, 0);
	CU_ASSERT_EQUAL(cfg.worker_cpus[0], 1);
	CU_ASSERT_EQUAL(cfg.main_lcore, 0);
	CU_ASSERT_EQUAL(cfg.n_workers, 1);
	CU_ASSERT_EQUAL(cfg.workers[0], 1);
	CU_ASSERT_STRING_EQUAL(cfg.ctrl_socket, "/tmp/meshdp-demo.sock");
	CU_ASSERT_EQUAL_FATAL(cfg.n_ports, 3);
	CU_ASSERT_STRING_EQUAL(p->name, "p0");
	CU_ASSERT_STRING_EQUAL(p->device, "net_af_xdp0,iface=mdp-demo0,start_queue=0,queue_count=1");
	CU_ASSERT_STRING_EQUAL(cfg.ports[2].device,
			       "net_af_xdp2,iface=mdp-demo2,start_queue=0,queue_count=1");
	CU_ASSERT_EQUAL_FATAL(cfg.n_listeners, 2);
	CU_ASSERT_EQUAL(cfg.listeners[0].kind, MDP_LISTENER_HTTP);
	CU_ASSERT_STRING_EQUAL(cfg.listeners[0].route_table, "default");
	CU_ASSERT_PTR_NOT_NULL(cfg.mesh);
	CU_ASSERT_EQUAL(p->addr, ip("198.18.0.2"));
	CU_ASSERT_EQUAL(p->prefix_len, 24);
	CU_ASSERT_EQUAL(p->gateway, ip("198.18.0.1"));
	CU_ASSERT_EQUAL_FATAL(p->n_routes, 1);
	CU_ASSERT_EQUAL(p->routes[0].dst, ip("198.18.100.0"));
	CU_ASSERT_EQUAL(p->routes[0].dst_len, 24);
	CU_ASSERT_EQUAL(p->routes[0].via, ip("198.18.0.1"));
	CU_ASSERT_EQUAL(p->rx_queues, 1);
	mdp_config_free(&cfg);
}

/*
 * Found by tests/fuzz/fuzz_config: a value quoted in a message could carry
 * a newline (an escape in the file) and split one error over two lines.
 */
static void
test_control_chars(void)
{
	EXPECT_ERR("ports = ( { name = \"p\\n0\"; device = \"net_tap0\\x01\"; "
		   "address = \"198.18.0.2/24\"; } );\n",
		   "t.conf:1: ports[0].name: 'p?0' must be 1..31 characters of A-Z a-z 0-9 _ -\n"
		   "t.conf:1: ports[0].device: 'net_tap0?' is neither a DPDK vdev "
		   "(\"net_<driver>[,args]\") nor a PCI address (\"0000:01:00.0\")");
}

/*
 * Robustness: every prefix of a valid file, and the file with each byte
 * replaced by characters that matter to the grammar, must load or fail
 * cleanly (the sanitizers catch the rest), and a failure always says why.
 */
static unsigned
mangle(const char *conf)
{
	static const char subst[] = "\"{}()[];=,#/*-0x9L.@ \n";
	size_t len = strlen(conf);
	char *text = malloc(len + 1);
	unsigned bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (size_t cut = 0; cut <= len; cut++) {
		memcpy(text, conf, cut);
		text[cut] = '\0';
		if (load(text) != 0 && err[0] == '\0')
			bad++;
	}
	for (size_t i = 0; i < len; i++) {
		for (const char *c = subst; *c != '\0'; c++) {
			memcpy(text, conf, len + 1);
			text[i] = *c;
			if (load(text) != 0 && err[0] == '\0')
				bad++;
		}
	}
	free(text);
	return bad;
}

static void
test_mangled(void)
{
	CU_ASSERT_EQUAL(mangle(full_conf), 0);
	CU_ASSERT_EQUAL(mangle(tcp_conf), 0);
	mdp_config_free(&cfg);
}

/* ---- tls ---- */

/*
 * The certificate matrix of tests/tls/mkcerts.sh, made once into a
 * temporary directory; "$D" in a text below stands for it.
 */
static char tls_dir[64];

static void
tls_dir_remove(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tls_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tls_dir);
}

static bool
tls_certs(void)
{
	char cmd[160];

	if (tls_dir[0] != '\0')
		return true;
	snprintf(tls_dir, sizeof(tls_dir), "/tmp/mdp_test_config_tls_XXXXXX");
	if (mkdtemp(tls_dir) == NULL) {
		tls_dir[0] = '\0';
		return false;
	}
	atexit(tls_dir_remove);
	snprintf(cmd, sizeof(cmd), "../tls/mkcerts.sh %s", tls_dir);
	return system(cmd) == 0;
}

/* text with "$D" replaced by the directory (rotating static buffers) */
static const char *
dsub(const char *in)
{
	static char buf[4][16384];
	static unsigned next;
	char *out = buf[next++ % 4];
	size_t used = 0, dl = strlen(tls_dir);

	for (const char *p = in; *p != '\0' && used + dl + 1 < sizeof(buf[0]); p++) {
		if (p[0] == '$' && p[1] == 'D') {
			memcpy(out + used, tls_dir, dl);
			used += dl;
			p++;
		} else {
			out[used++] = *p;
		}
	}
	out[used] = '\0';
	return out;
}

#define TLS_ERR(text, want) EXPECT_ERR(dsub(text), dsub(want))
#define TLS_OK(text) EXPECT_OK(dsub(text))

/* A tls group with one credential and one bundle, both "default" (lines 2-5). */
#define TLS_MIN                                                                               \
	"tls = {\n"                                                                           \
	"  credentials = ( { name = \"default\"; cert = \"$D/order.pem\"; key = \"$D/order.key\"; } );\n" \
	"  bundles = ( { name = \"default\"; file = \"$D/ca.pem\"; } );\n"                     \
	"};\n"

static void
test_tls_defaults(void)
{
	struct mdp_tls_params d;

	mdp_tls_params_defaults(&d);
	EXPECT_OK(PORT0 "listeners = ( { name = \"e\"; kind = \"echo\"; port = 7; } );\n");
	CU_ASSERT_EQUAL(cfg.tls.n_creds, 0);
	CU_ASSERT_EQUAL(cfg.tls.n_bundles, 0);
	CU_ASSERT_STRING_EQUAL(cfg.tls.trust_domain, "");
	CU_ASSERT_EQUAL(memcmp(&cfg.tls.params, &d, sizeof(d)), 0);
	CU_ASSERT_EQUAL(cfg.tls.ticket_key_rotation_s, 3600);
	CU_ASSERT_EQUAL(cfg.tls.record_layer, MDP_TLS_RECORD_IPSEC_MB);
	CU_ASSERT_PTR_NULL(cfg.listeners[0].tls);
	mdp_config_free(&cfg);
}

static void
test_tls_full(void)
{
	const struct mdp_conf_listener_tls *t;

	CU_ASSERT_TRUE_FATAL(tls_certs());
	TLS_OK(PORT0
	       "tls = {\n"
	       "  credentials = (\n"
	       "    { name = \"default\"; cert = \"$D/order.pem\"; key = \"$D/order.key\"; },\n"
	       "    { name = \"fe\"; cert = \"$D/chain.pem\"; key = \"$D/chain.key\"; }\n"
	       "  );\n"
	       "  bundles = ( { name = \"default\"; file = \"$D/ca.pem\"; },\n"
	       "              { name = \"other\"; file = \"$D/ca2.pem\"; } );\n"
	       "  trust_domain = \"cluster.local\";\n"
	       "  min_version = \"1.3\";\n"
	       "  max_version = \"1.3\";\n"
	       "  ciphersuites = \"TLS_AES_256_GCM_SHA384\";\n"
	       "  ciphers = \"ECDHE-ECDSA-AES256-GCM-SHA384\";\n"
	       "  groups = \"P-256\";\n"
	       "  ticket_lifetime_s = 3600;\n"
	       "  ticket_key_rotation_s = 1800;\n"
	       "  record_layer = \"openssl\";\n"
	       "};\n"
	       "listeners = (\n"
	       "  { name = \"in\"; kind = \"tcp_proxy\"; port = 80; upstream = \"198.18.1.2:80\";\n"
	       "    tls = { mtls = \"PERMISSIVE\"; alpn = [ \"h2\", \"http/1.1\" ];\n"
	       "      sni = ( { server_name = \"fe.example\"; credential = \"fe\"; mtls = \"STRICT\"; },\n"
	       "              { server_name = \"*.Example\"; mtls = \"SIMPLE\"; } ); }; },\n"
	       "  { name = \"l4\"; kind = \"tcp_proxy\"; port = 81; upstream = \"198.18.1.2:80\";\n"
	       "    tls = { mtls = \"SIMPLE\"; credential = \"fe\"; }; },\n"
	       "  { name = \"strict\"; kind = \"echo\"; port = 84; tls = { bundle = \"other\"; }; },\n"
	       "  { name = \"plain\"; kind = \"echo\"; port = 82; tls = { mtls = \"DISABLE\"; }; },\n"
	       "  { name = \"none\"; kind = \"echo\"; port = 83; }\n"
	       ");\n");
	CU_ASSERT_EQUAL_FATAL(cfg.tls.n_creds, 2);
	CU_ASSERT_STRING_EQUAL(cfg.tls.creds[0].name, "default");
	CU_ASSERT_STRING_EQUAL(cfg.tls.creds[0].cert, dsub("$D/order.pem"));
	CU_ASSERT_STRING_EQUAL(cfg.tls.creds[0].key, dsub("$D/order.key"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg.tls.creds[0].cred);
	CU_ASSERT_STRING_EQUAL(mdp_tls_cred_spiffe_id(cfg.tls.creds[0].cred),
			       "spiffe://cluster.local/ns/default/sa/order");
	CU_ASSERT_STRING_EQUAL(cfg.tls.creds[1].name, "fe");
	CU_ASSERT_STRING_EQUAL(mdp_tls_cred_spiffe_id(cfg.tls.creds[1].cred),
			       "spiffe://cluster.local/ns/default/sa/chain");
	CU_ASSERT_EQUAL_FATAL(cfg.tls.n_bundles, 2);
	CU_ASSERT_STRING_EQUAL(cfg.tls.bundles[1].name, "other");
	CU_ASSERT_STRING_EQUAL(cfg.tls.bundles[1].file, dsub("$D/ca2.pem"));
	CU_ASSERT_PTR_NOT_NULL(cfg.tls.bundles[0].bundle);
	CU_ASSERT_EQUAL(mdp_tls_bundle_count(cfg.tls.bundles[1].bundle), 1);
	CU_ASSERT_STRING_EQUAL(cfg.tls.trust_domain, "cluster.local");
	CU_ASSERT_EQUAL(cfg.tls.params.min_version, MDP_TLS_V1_3);
	CU_ASSERT_EQUAL(cfg.tls.params.max_version, MDP_TLS_V1_3);
	CU_ASSERT_STRING_EQUAL(cfg.tls.params.ciphersuites, "TLS_AES_256_GCM_SHA384");
	CU_ASSERT_STRING_EQUAL(cfg.tls.params.ciphers, "ECDHE-ECDSA-AES256-GCM-SHA384");
	CU_ASSERT_STRING_EQUAL(cfg.tls.params.groups, "P-256");
	CU_ASSERT_STRING_EQUAL(cfg.tls.params.alpn, "");
	CU_ASSERT_EQUAL(cfg.tls.params.ticket_lifetime_s, 3600);
	CU_ASSERT_EQUAL(cfg.tls.ticket_key_rotation_s, 1800);
	CU_ASSERT_EQUAL(cfg.tls.record_layer, MDP_TLS_RECORD_OPENSSL);

	CU_ASSERT_EQUAL_FATAL(cfg.n_listeners, 5);
	t = cfg.listeners[0].tls;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->mtls, MDP_MTLS_PERMISSIVE);
	CU_ASSERT_STRING_EQUAL(t->credential, "default");
	CU_ASSERT_STRING_EQUAL(t->bundle, "default");
	CU_ASSERT_STRING_EQUAL(t->alpn, "h2,http/1.1");
	CU_ASSERT_EQUAL_FATAL(t->n_sni, 2);
	CU_ASSERT_STRING_EQUAL(t->sni[0].server_name, "fe.example");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->sni[0].credential);
	CU_ASSERT_STRING_EQUAL(t->sni[0].credential, "fe");
	CU_ASSERT_EQUAL(t->sni[0].mtls, MDP_MTLS_STRICT);
	CU_ASSERT_STRING_EQUAL(t->sni[1].server_name, "*.Example");
	CU_ASSERT_PTR_NULL(t->sni[1].credential);
	CU_ASSERT_EQUAL(t->sni[1].mtls, MDP_MTLS_SIMPLE);
	t = cfg.listeners[1].tls;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->mtls, MDP_MTLS_SIMPLE);
	CU_ASSERT_STRING_EQUAL(t->credential, "fe");
	CU_ASSERT_STRING_EQUAL(t->bundle, "");	/* SIMPLE needs none */
	CU_ASSERT_EQUAL(t->n_sni, 0);
	t = cfg.listeners[2].tls;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->mtls, MDP_MTLS_STRICT);	/* the default */
	CU_ASSERT_STRING_EQUAL(t->bundle, "other");
	CU_ASSERT_STRING_EQUAL(t->alpn, "");
	t = cfg.listeners[3].tls;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->mtls, MDP_MTLS_DISABLE);
	CU_ASSERT_STRING_EQUAL(t->credential, "");
	CU_ASSERT_PTR_NULL(cfg.listeners[4].tls);
	mdp_config_free(&cfg);
	CU_ASSERT_PTR_NULL(cfg.listeners[0].tls);
	CU_ASSERT_PTR_NULL(cfg.tls.creds[0].cred);
	CU_ASSERT_PTR_NULL(cfg.tls.bundles[0].bundle);
	mdp_config_free(&cfg);

	/* an SNI entry that verifies clients needs the bundle even under SIMPLE */
	TLS_OK(PORT0 TLS_MIN
	       "listeners = ( { name = \"a\"; kind = \"echo\"; port = 7; tls = { mtls = \"SIMPLE\";\n"
	       "  sni = ( { server_name = \"a.example\"; mtls = \"PERMISSIVE\"; } ); }; } );\n");
	CU_ASSERT_STRING_EQUAL(cfg.listeners[0].tls->bundle, "default");
	CU_ASSERT_EQUAL(cfg.listeners[0].tls->sni[0].mtls, MDP_MTLS_PERMISSIVE);

	/* the file on disk: the same loader */
	{
		char path[] = "/tmp/mdp_test_config_XXXXXX";
		const char *text = dsub(PORT0 TLS_MIN
					"listeners = ( { name = \"a\"; kind = \"echo\"; port = 7; "
					"tls = {}; } );\n");
		int rc;

		CU_ASSERT_EQUAL_FATAL(write_temp(path, text, strlen(text)), 0);
		mdp_config_free(&cfg);
		rc = mdp_config_load(path, &cfg, err, sizeof(err));
		unlink(path);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_PTR_NOT_NULL(cfg.tls.creds[0].cred);
		mdp_config_free(&cfg);
	}
}

static void
test_tls_material_errors(void)
{
	CU_ASSERT_TRUE_FATAL(tls_certs());
	TLS_ERR(PORT0
		"tls = {\n"
		"  credentials = (\n"
		"    { name = \"a\"; cert = \"$D/nonexistent.pem\"; key = \"$D/order.key\"; },\n"
		"    { name = \"b\"; cert = \"$D/order.pem\"; key = \"$D/nonexistent.key\"; },\n"
		"    { name = \"c\"; cert = \"$D/order.key\"; key = \"$D/order.key\"; },\n"
		"    { name = \"d\"; cert = \"$D/order.pem\"; key = \"$D/order.pem\"; },\n"
		"    { name = \"e\"; cert = \"$D/mismatch.pem\";\n"
		"      key = \"$D/mismatch.key\"; },\n"
		"    { name = \"f\"; cert = \"$D/rsa1024.pem\"; key = \"$D/rsa1024.key\"; },\n"
		"    { name = \"g\"; cert = \"$D/nul-san.pem\"; key = \"$D/nul-san.key\"; },\n"
		"    { name = \"a\"; cert = \"$D\"; key = \"\"; },\n"
		"    { name = \"h\"; }\n"
		"  );\n"
		"  bundles = (\n"
		"    { name = \"x\"; file = \"$D/order.pem\"; },\n"
		"    { name = \"y\"; file = \"$D/nonexistent.pem\"; },\n"
		"    { name = \"z\"; file = \"$D/order.key\"; },\n"
		"    { file = 1; }\n"
		"  );\n"
		"};\n",
		"t.conf:4: tls.credentials[0].cert: $D/nonexistent.pem: cannot read: No such file or directory\n"
		"t.conf:5: tls.credentials[1].key: $D/nonexistent.key: cannot read: No such file or directory\n"
		"t.conf:6: tls.credentials[2].cert: $D/order.key: no PEM certificate (OpenSSL: no start line)\n"
		"t.conf:7: tls.credentials[3].key: $D/order.pem: no PEM private key (no \"-----BEGIN ... PRIVATE KEY-----\" line)\n"
		"t.conf:8: tls.credentials[4]: the private key $D/mismatch.key does not match the certificate $D/mismatch.pem (OpenSSL: key values mismatch)\n"
		"t.conf:10: tls.credentials[5].key: $D/rsa1024.key: RSA key of 1024 bits (at least 2048)\n"
		"t.conf:11: tls.credentials[6].cert: $D/nul-san.pem: the URI SAN of the certificate is not exactly one valid SPIFFE ID\n"
		"t.conf:12: tls.credentials[7].name: 'a' is also the name of tls.credentials[0]\n"
		"t.conf:12: tls.credentials[7].key: a file path of 1..255 bytes\n"
		"t.conf:13: tls.credentials[8].cert: missing required setting\n"
		"t.conf:13: tls.credentials[8].key: missing required setting\n"
		"t.conf:16: tls.bundles[0].file: $D/order.pem: certificate 1 is not a CA certificate (basicConstraints CA:FALSE or absent)\n"
		"t.conf:17: tls.bundles[1].file: $D/nonexistent.pem: cannot read: No such file or directory\n"
		"t.conf:18: tls.bundles[2].file: $D/order.key: no PEM certificate (OpenSSL: no start line)\n"
		"t.conf:19: tls.bundles[3].name: missing required setting\n"
		"t.conf:19: tls.bundles[3].file: expected a string");
	/* a directory reads as an error too (after the name and key checks) */
	TLS_ERR(PORT0
		"tls = { credentials = ( { name = \"a\"; cert = \"$D\"; key = \"$D/order.key\"; } ); };\n",
		"t.conf:2: tls.credentials[0].cert: $D: cannot read: Is a directory");
	TLS_ERR(PORT0 "tls = 5;\n", "t.conf:2: tls: expected a group ({ ... })");
	TLS_ERR(PORT0 "tls = { credentials = { name = \"a\"; }; bundles = [ 1 ]; };\n",
		"t.conf:2: tls.credentials: expected a list of groups (( { ... }, ... ))\n"
		"t.conf:2: tls.bundles: expected a list of groups (( { ... }, ... ))");
	TLS_ERR(PORT0 "tls = { credentials = ( 1 ); bundles = ( \"x\" ); };\n",
		"t.conf:2: tls.credentials[0]: expected a group ({ name = ...; cert = ...; key = ...; })\n"
		"t.conf:2: tls.bundles[0]: expected a group ({ name = ...; file = ...; })");
	TLS_ERR(PORT0 "tls = {\n  credentails = ();\n  bundle = ();\n  trust_domian = \"x\";\n};\n",
		"t.conf:3: tls.credentails: unknown setting 'credentails' (did you mean 'credentials'?)\n"
		"t.conf:4: tls.bundle: unknown setting 'bundle' (did you mean 'bundles'?)\n"
		"t.conf:5: tls.trust_domian: unknown setting 'trust_domian' (did you mean 'trust_domain'?)");
	TLS_ERR(PORT0 "tls = { credentials = ( { name = \"a\"; cert = \"x\"; key = \"y\"; pem = 1; } ); };\n",
		"t.conf:2: tls.credentials[0].pem: unknown setting 'pem' (did you mean 'key'?)\n"
		"t.conf:2: tls.credentials[0].cert: x: cannot read: No such file or directory");
}

static void
test_tls_protocol_errors(void)
{
	TLS_ERR(PORT0 "tls = {\n  min_version = \"1.1\";\n  max_version = 1.3;\n};\n",
		"t.conf:3: tls.min_version: '1.1' is not a supported TLS version (\"1.2\" or \"1.3\")\n"
		"t.conf:4: tls.max_version: expected a string");
	TLS_ERR(PORT0 "tls = {\n  min_version = \"1.3\";\n  max_version = \"1.2\";\n};\n",
		"t.conf:3: tls.min_version: min_version 1.3 is above max_version 1.2");
	TLS_ERR(PORT0 "tls = {\n  max_version = \"1.2\";\n  min_version = \"1.3\";\n};\n",
		"t.conf:4: tls.min_version: min_version 1.3 is above max_version 1.2");
	TLS_OK(PORT0 "tls = {\n  max_version = \"1.2\";\n  min_version = \"1.2\";\n};\n");
	CU_ASSERT_EQUAL(cfg.tls.params.max_version, MDP_TLS_V1_2);
	TLS_ERR(PORT0 "tls = {\n  ciphersuites = \"TLS_AES_128_CCM_SHA256\";\n};\n",
		"t.conf:3: tls.ciphersuites: TLS_AES_128_CCM_SHA256 is not supported by the dataplane "
		"record layer (AES-GCM and ChaCha20-Poly1305 only)");
	TLS_ERR(PORT0 "tls = {\n  ciphersuites = \"TLS_AES_128_GCM_SHA256:NOPE\";\n};\n",
		"t.conf:3: tls.ciphersuites: unknown TLS 1.3 cipher suite 'NOPE'");
	TLS_ERR(PORT0 "tls = {\n  ciphers = \"ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA\";\n};\n",
		"t.conf:3: tls.ciphers: selects AES128-SHA, which is not ECDHE with AES-GCM or "
		"ChaCha20-Poly1305 (what the dataplane record layer does)");
	TLS_ERR(PORT0 "tls = {\n  groups = \"X25519:X9\";\n};\n",
		"t.conf:3: tls.groups: unknown group 'X9'");
	TLS_ERR(PORT0 "tls = {\n  ciphersuites = \"\";\n};\n",
		"t.conf:3: tls.ciphersuites: no cipher suite for TLS 1.3");
	TLS_ERR(PORT0 "tls = {\n  ticket_key_rotation_s = 600;\n};\n",
		"t.conf:3: tls.ticket_key_rotation_s: tickets valid 7200 s outlive their keys "
		"(2 previous keys x ticket_key_rotation_s 600 = 1200 s)");
	TLS_ERR(PORT0 "tls = {\n  ticket_key_rotation_s = 600;\n  ticket_lifetime_s = 1201;\n};\n",
		"t.conf:4: tls.ticket_lifetime_s: tickets valid 1201 s outlive their keys "
		"(2 previous keys x ticket_key_rotation_s 600 = 1200 s)");
	TLS_OK(PORT0 "tls = {\n  ticket_key_rotation_s = 600;\n  ticket_lifetime_s = 1200;\n};\n");
	TLS_ERR(PORT0 "tls = {\n  ticket_key_rotation_s = 59;\n  ticket_lifetime_s = 0;\n"
		"  record_layer = \"fast\";\n  trust_domain = \"Cluster.local\";\n"
		"  ciphers = \"" "0123456789012345678901234567890123456789012345678901234567890123"
		"0123456789012345678901234567890123456789012345678901234567890123"
		"0123456789012345678901234567890123456789012345678901234567890123"
		"0123456789012345678901234567890123456789012345678901234567890123"
		"0123456789012345678901234567890123456789012345678901234567890123"
		"0123456789012345678901234567890123456789012345678901234567890123"
		"0123456789012345678901234567890123456789012345678901234567890123"
		"0123456789012345678901234567890123456789012345678901234567890123" "\";\n};\n",
		"t.conf:6: tls.trust_domain: 'Cluster.local' is not a SPIFFE trust domain (1..255 of a-z 0-9 . - _)\n"
		"t.conf:7: tls.ciphers: longer than 511 bytes\n"
		"t.conf:4: tls.ticket_lifetime_s: 0 is out of range (1..604800)\n"
		"t.conf:3: tls.ticket_key_rotation_s: 59 is out of range (60..604800)\n"
		"t.conf:5: tls.record_layer: unknown record layer 'fast' (expected ipsec-mb or openssl)");
}

static void
test_tls_listener_errors(void)
{
	CU_ASSERT_TRUE_FATAL(tls_certs());
	/* no tls group at all */
	TLS_ERR(PORT0 "listeners = (\n  { name = \"a\"; kind = \"echo\"; port = 7;\n"
		"    tls = { mtls = \"PERMISSIVE\"; }; }\n);\n",
		"t.conf:4: listeners[0].tls.credential: credential 'default' does not exist "
		"(tls.credentials is empty)\n"
		"t.conf:4: listeners[0].tls.bundle: mtls STRICT and PERMISSIVE need a trust bundle, "
		"and 'default' does not exist (tls.bundles is empty)");
	/* unknown names */
	TLS_ERR(PORT0 TLS_MIN
		"listeners = (\n"
		"  { name = \"a\"; kind = \"echo\"; port = 7; tls = {\n"
		"      credential = \"nope\";\n"
		"      bundle = \"none\";\n"
		"      sni = ( { server_name = \"x.example\"; credential = \"nada\"; } );\n"
		"  }; }\n"
		");\n",
		"t.conf:8: listeners[0].tls.credential: credential 'nope' does not exist\n"
		"t.conf:10: listeners[0].tls.sni[0].credential: credential 'nada' does not exist\n"
		"t.conf:9: listeners[0].tls.bundle: trust bundle 'none' does not exist");
	/* modes */
	TLS_ERR(PORT0 TLS_MIN
		"listeners = (\n"
		"  { name = \"a\"; kind = \"echo\"; port = 7; tls = { mtls = \"strict\"; }; },\n"
		"  { name = \"b\"; kind = \"echo\"; port = 8; tls = { mtls = \"DISABLE\";\n"
		"      credential = \"default\"; alpn = [ \"h2\" ]; sni = (); }; },\n"
		"  { name = \"c\"; kind = \"echo\"; port = 9; tls = { mtsl = \"STRICT\"; }; },\n"
		"  { name = \"d\"; kind = \"echo\"; port = 10; tls = ( 1 ); }\n"
		");\n",
		"t.conf:7: listeners[0].tls.mtls: unknown mode 'strict' (expected STRICT, PERMISSIVE, "
		"SIMPLE or DISABLE)\n"
		"t.conf:9: listeners[1].tls.credential: does not apply with mtls DISABLE (a plaintext "
		"listener)\n"
		"t.conf:9: listeners[1].tls.alpn: does not apply with mtls DISABLE (a plaintext listener)\n"
		"t.conf:9: listeners[1].tls.sni: does not apply with mtls DISABLE (a plaintext listener)\n"
		"t.conf:10: listeners[2].tls.mtsl: unknown setting 'mtsl' (did you mean 'mtls'?)\n"
		"t.conf:11: listeners[3].tls: expected a group ({ ... })");
	/* SNI entries */
	TLS_ERR(PORT0 TLS_MIN
		"listeners = (\n"
		"  { name = \"a\"; kind = \"echo\"; port = 7; tls = { sni = (\n"
		"      { server_name = \"a.example\"; },\n"
		"      { server_name = \"A.EXAMPLE\"; },\n"
		"      { server_name = \"*\"; },\n"
		"      { server_name = \"a..example\"; mtls = \"DISABLE\"; },\n"
		"      { credential = \"default\"; mtls = \"LAX\"; },\n"
		"      { server_name = \"b.example\"; name = \"b\"; },\n"
		"      \"c.example\"\n"
		"  ); }; }\n"
		");\n",
		"t.conf:9: listeners[0].tls.sni[1].server_name: 'A.EXAMPLE' is also the server_name of "
		"an earlier entry\n"
		"t.conf:10: listeners[0].tls.sni[2].server_name: '*' is neither a host name nor *.suffix "
		"(1..253 of A-Z a-z 0-9 . - _)\n"
		"t.conf:11: listeners[0].tls.sni[3].server_name: 'a..example' is neither a host name nor "
		"*.suffix (1..253 of A-Z a-z 0-9 . - _)\n"
		"t.conf:11: listeners[0].tls.sni[3].mtls: DISABLE cannot apply to an SNI entry: the "
		"connection is TLS already (SIMPLE asks for no client certificate)\n"
		"t.conf:12: listeners[0].tls.sni[4].server_name: missing required setting\n"
		"t.conf:12: listeners[0].tls.sni[4].mtls: unknown mode 'LAX' (expected STRICT, "
		"PERMISSIVE, SIMPLE or DISABLE)\n"
		"t.conf:13: listeners[0].tls.sni[5].name: unknown setting 'name'\n"
		/* libconfig places a scalar list element at the next token's line */
		"t.conf:15: listeners[0].tls.sni[6]: expected a group ({ server_name = ...; ... })");
	/* ALPN */
	TLS_ERR(PORT0 TLS_MIN
		"listeners = (\n"
		"  { name = \"a\"; kind = \"echo\"; port = 7; tls = { alpn = [ \"h 2\", \"\", \"a,b\" ]; }; },\n"
		"  { name = \"b\"; kind = \"echo\"; port = 8; tls = { alpn = ( \"h2\", 2 ); }; },\n"
		"  { name = \"c\"; kind = \"echo\"; port = 9; tls = { alpn = \"h2\"; }; }\n"
		");\n",
		"t.conf:7: listeners[0].tls.alpn[0]: 'h 2' is not a protocol ID (1..255 printable ASCII "
		"bytes, no comma)\n"
		"t.conf:7: listeners[0].tls.alpn[1]: '' is not a protocol ID (1..255 printable ASCII "
		"bytes, no comma)\n"
		"t.conf:7: listeners[0].tls.alpn[2]: 'a,b' is not a protocol ID (1..255 printable ASCII "
		"bytes, no comma)\n"
		"t.conf:8: listeners[1].tls.alpn[1]: expected a string\n"
		"t.conf:9: listeners[2].tls.alpn: expected a list of strings ([ ... ])");
	/* a credential that failed to load is reported once, not again by its user */
	TLS_ERR(PORT0
		"tls = { credentials = ( { name = \"default\"; cert = \"$D/x.pem\"; key = \"$D/x.key\"; } );\n"
		"        bundles = ( { name = \"default\"; file = \"$D/ca.pem\"; } ); };\n"
		"listeners = ( { name = \"a\"; kind = \"echo\"; port = 7; tls = {}; } );\n",
		"t.conf:2: tls.credentials[0].cert: $D/x.pem: cannot read: No such file or directory");
}

static CU_TestInfo tests[] = {
	{ "defaults", test_defaults },
	{ "minimal", test_minimal },
	{ "full", test_full },
	{ "accepted variants", test_accepted_variants },
	{ "unknown settings", test_unknown_settings },
	{ "wrong types", test_wrong_types },
	{ "out of range", test_out_of_range },
	{ "int overflow", test_int_overflow },
	{ "control socket", test_control_socket },
	{ "eal reserved args", test_eal_reserved },
	{ "workers", test_workers },
	{ "cpu map", test_cpus },
	{ "impairment", test_impair },
	{ "queues and descriptors", test_queues },
	{ "mtu vs data_room", test_mtu_data_room },
	{ "cache vs mbufs", test_cache_mbufs },
	{ "bad addresses", test_bad_addresses },
	{ "mac", test_mac },
	{ "names and devices", test_names_devices },
	{ "overlapping subnets", test_overlap },
	{ "gateway", test_gateway },
	{ "routes", test_routes },
	{ "ports count", test_ports_count },
	{ "missing port fields", test_missing_port_fields },
	{ "tcp and listeners: full", test_tcp_full },
	{ "tcp ranges", test_tcp_ranges },
	{ "tcp types", test_tcp_types },
	{ "tcp rto relations", test_tcp_rto },
	{ "tcp delayed ack vs min rto", test_tcp_delayed_ack },
	{ "tcp and listeners: unknown settings", test_tcp_unknown },
	{ "listener fields", test_listener_fields },
	{ "listener upstream", test_listener_upstream },
	{ "listener collisions", test_listener_collisions },
	{ "listeners count", test_listeners_count },
	{ "syntax error", test_syntax_error },
	{ "multiple errors", test_multiple_errors },
	{ "error buffer", test_err_buffer },
	{ "free", test_free },
	{ "missing file", test_missing_file },
	{ "file on disk", test_file_on_disk },
	{ "demo.conf", test_demo_conf },
	{ "control characters in messages", test_control_chars },
	{ "mangled input", test_mangled },
	{ "tls: defaults", test_tls_defaults },
	{ "tls: full", test_tls_full },
	{ "tls: credentials and bundles", test_tls_material_errors },
	{ "tls: protocol settings", test_tls_protocol_errors },
	{ "tls: listeners", test_tls_listener_errors },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("config", NULL, NULL, tests);
}
