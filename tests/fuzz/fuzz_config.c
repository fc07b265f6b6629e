/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/mdp_config.h"
#include "util/mdp_inet.h"

/*
 * mdp_config_load_string() on arbitrary text. A rejected file must come
 * with error lines of the documented form; an accepted one must satisfy
 * every rule docs/configuration.md states, since the dataplane relies on
 * them without checking again (array bounds, on-link next hops, ...).
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * libconfig 1.5 leaks a string token that a syntax error discards
 * (hyperrealm/libconfig#142, fixed in 1.7.3), as tests/unit/test_config.c
 * notes. A non-empty string was allocated by strbuf_append(); an empty one
 * ("z \"\"") by the lexer itself, so its stack is only libconfig_yylex.
 * Both are lexer allocations that only the parser frees. Read by
 * LeakSanitizer.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

#define NAME "fuzz.conf"

static char err[8192];

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_config: invariant broken: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

static bool
pow2(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static bool
str_ok(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

/* The usable-host-address rules of ports[].address and gateway/via. */
static bool
host_ok(uint32_t a, uint8_t len)
{
	uint32_t mask = mdp_ipv4_mask(len);

	if ((a >> 24) == 0 || (a >> 24) == 127 || a >= 0xe0000000u)
		return false;
	if (len <= 30 && ((a & ~mask) == 0 || (a & ~mask) == ~mask))
		return false;
	return true;
}

static void
check_port(const struct mdp_config *c, unsigned i)
{
	const struct mdp_conf_port *p = &c->ports[i];
	uint32_t mask = mdp_ipv4_mask(p->prefix_len);
	size_t nlen = strnlen(p->name, sizeof(p->name));

	CHECK(nlen > 0 && nlen < sizeof(p->name), "ports[%u].name length %zu", i, nlen);
	for (size_t k = 0; k < nlen; k++) {
		char ch = p->name[k];

		CHECK((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '-', "ports[%u].name has '%c'", i, ch);
	}
	CHECK(str_ok(p->device, sizeof(p->device)) && p->device[0] != '\0',
	      "ports[%u].device", i);
	CHECK(p->prefix_len >= 1 && p->prefix_len <= 32, "ports[%u] prefix_len %u", i,
	      p->prefix_len);
	CHECK(host_ok(p->addr, p->prefix_len), "ports[%u].address %08x/%u not a host address", i,
	      p->addr, p->prefix_len);
	if (p->has_mac)
		CHECK(!(p->mac[0] & 1) && (p->mac[0] | p->mac[1] | p->mac[2] | p->mac[3] | p->mac[4] |
					   p->mac[5]) != 0, "ports[%u].mac", i);
	if (p->gateway != 0) {
		CHECK(p->prefix_len < 32, "ports[%u] gateway on a /32", i);
		CHECK((p->gateway & mask) == (p->addr & mask), "ports[%u].gateway off-link", i);
		CHECK(p->gateway != p->addr, "ports[%u].gateway is the port", i);
		CHECK(host_ok(p->gateway, p->prefix_len), "ports[%u].gateway not a host", i);
	}
	CHECK(p->n_routes <= MDP_MAX_ROUTES, "ports[%u] n_routes %u", i, p->n_routes);
	for (unsigned r = 0; r < p->n_routes; r++) {
		const struct mdp_conf_route *rt = &p->routes[r];

		CHECK(rt->dst_len <= 32, "ports[%u].routes[%u] dst_len %u", i, r, rt->dst_len);
		CHECK((rt->dst & ~mdp_ipv4_mask(rt->dst_len)) == 0,
		      "ports[%u].routes[%u] host bits set", i, r);
		CHECK((rt->via & mask) == (p->addr & mask) && rt->via != p->addr &&
		      host_ok(rt->via, p->prefix_len), "ports[%u].routes[%u].via", i, r);
	}
	CHECK(p->rx_queues == c->n_workers && p->tx_queues == c->n_workers,
	      "ports[%u] queues %u/%u, workers %u", i, p->rx_queues, p->tx_queues, c->n_workers);
	CHECK(p->rx_desc >= 64 && p->rx_desc <= 16384 && pow2(p->rx_desc), "ports[%u].rx_desc %u",
	      i, p->rx_desc);
	CHECK(p->tx_desc >= 64 && p->tx_desc <= 16384 && pow2(p->tx_desc), "ports[%u].tx_desc %u",
	      i, p->tx_desc);
	CHECK(p->mtu >= 68 && p->mtu <= 9000 && (uint32_t)c->mbuf_data_room >= p->mtu + 146u,
	      "ports[%u].mtu %u with data_room %u", i, p->mtu, c->mbuf_data_room);
}

static void
check_config(const struct mdp_config *c)
{
	CHECK(str_ok(c->file, sizeof(c->file)) && strcmp(c->file, NAME) == 0, "file");
	CHECK(c->n_eal_args <= MDP_MAX_EAL_ARGS, "n_eal_args %u", c->n_eal_args);
	for (unsigned i = 0; i < c->n_eal_args; i++)
		CHECK(c->eal_args[i] != NULL && c->eal_args[i][0] != '\0', "eal_args[%u]", i);
	CHECK(c->main_lcore <= 127, "main_lcore %u", c->main_lcore);
	CHECK(c->n_workers >= 1 && c->n_workers <= MDP_MAX_WORKERS, "n_workers %u", c->n_workers);
	for (unsigned i = 0; i < c->n_workers; i++) {
		CHECK(c->workers[i] <= 127 && c->workers[i] != c->main_lcore, "workers[%u] = %u", i,
		      c->workers[i]);
		for (unsigned j = 0; j < i; j++)
			CHECK(c->workers[i] != c->workers[j], "workers[%u] repeats", i);
		CHECK(c->worker_cpus[i] <= 1023, "worker_cpus[%u]", i);
	}
	CHECK(c->main_cpu <= 1023, "main_cpu %u", c->main_cpu);
	CHECK(c->mbufs >= 1023 && c->mbufs <= 4194303, "mbufs %u", c->mbufs);
	CHECK(c->mbuf_cache <= 512 && c->mbuf_cache * 3 / 2 <= c->mbufs, "cache %u", c->mbuf_cache);
	CHECK(c->mbuf_data_room >= 1024, "data_room %u", c->mbuf_data_room);
	CHECK(c->idle_mode == MDP_IDLE_ADAPTIVE || c->idle_mode == MDP_IDLE_POLL, "idle_mode");
	CHECK(c->idle_empty_polls >= 1 && c->idle_empty_polls <= 1000000, "empty_polls");
	CHECK(c->idle_sleep_min_us >= 1 && c->idle_sleep_min_us <= c->idle_sleep_max_us &&
	      c->idle_sleep_max_us <= 100000, "sleep %u..%u", c->idle_sleep_min_us,
	      c->idle_sleep_max_us);
	CHECK(c->burst >= 1 && c->burst <= 256, "burst %u", c->burst);
	CHECK(c->arp_entries >= 16 && c->arp_entries <= 1048576, "arp.entries %u", c->arp_entries);
	CHECK(c->arp_timeout_s >= 1 && c->arp_timeout_s <= 86400, "arp.timeout");
	CHECK(c->arp_pending <= 64, "arp.pending");
	CHECK(c->arp_retries >= 1 && c->arp_retries <= 10, "arp.retries");
	CHECK(c->arp_retry_ms >= 10 && c->arp_retry_ms <= 60000, "arp.retry_ms");
	CHECK(c->arp_gratuitous <= 10, "arp.gratuitous");
	CHECK(c->timer_tick_us >= 10 && c->timer_tick_us <= 100000, "timers.tick_us");
	CHECK(c->timer_slots >= 64 && c->timer_slots <= 1048576 && pow2(c->timer_slots),
	      "timers.slots %u", c->timer_slots);
	CHECK(str_ok(c->ctrl_socket, sizeof(c->ctrl_socket)) && c->ctrl_socket[0] != '\0',
	      "control.socket");
	CHECK(c->ctrl_max_clients >= 1 && c->ctrl_max_clients <= 1024, "control.max_clients");
	CHECK(c->ctrl_max_line >= 256 && c->ctrl_max_line <= 16777216, "control.max_line");
	CHECK(c->ctrl_idle_timeout_s <= 86400, "control.idle_timeout");

	CHECK(c->n_ports >= 1 && c->n_ports <= MDP_MAX_PORTS, "n_ports %u", c->n_ports);
	for (unsigned i = 0; i < c->n_ports; i++) {
		check_port(c, i);
		for (unsigned j = 0; j < i; j++) {
			const struct mdp_conf_port *a = &c->ports[i], *b = &c->ports[j];
			uint32_t m = mdp_ipv4_mask(a->prefix_len < b->prefix_len ? a->prefix_len
										  : b->prefix_len);

			CHECK(strcmp(a->name, b->name) != 0, "ports[%u].name repeats", i);
			CHECK(a->addr != b->addr, "ports[%u].address repeats", i);
			CHECK((a->addr & m) != (b->addr & m), "ports[%u] subnet overlaps ports[%u]", i,
			      j);
		}
	}
	/* each destination routed once in the whole file */
	for (unsigned i = 0; i < c->n_ports; i++)
		for (unsigned r = 0; r < c->ports[i].n_routes; r++)
			for (unsigned j = 0; j <= i; j++)
				for (unsigned s = 0; s < (j == i ? r : c->ports[j].n_routes); s++)
					CHECK(c->ports[i].routes[r].dst != c->ports[j].routes[s].dst ||
					      c->ports[i].routes[r].dst_len !=
					      c->ports[j].routes[s].dst_len,
					      "ports[%u].routes[%u] repeats a destination", i, r);
}

/* Every line of a rejection reads "fuzz.conf:LINE: ..."; only when the
 * buffer is full may the last one be cut short. */
static void
check_errors(void)
{
	size_t len = strnlen(err, sizeof(err));
	bool full = len == sizeof(err) - 1;
	const char *p = err;

	CHECK(len > 0 && len < sizeof(err), "rejected with no message");
	while (p < err + len) {
		const char *nl = strchr(p, '\n');
		const char *q = p + strlen(NAME ":");

		if (nl == NULL && full)
			break;
		CHECK(strncmp(p, NAME ":", strlen(NAME ":")) == 0 && *q >= '0' && *q <= '9',
		      "error line not FILE:LINE: '%.80s'", p);
		CHECK(nl == NULL || nl > p, "empty error line");
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mdp_config cfg;
	char *text;
	int rc;

	/* @include would read files from the working directory (or anywhere,
	 * /dev/zero included): not what is being tested here. */
	if (memmem(data, size, "@include", 8) != NULL)
		return -1;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = mdp_config_load_string(text, NAME, &cfg, err, sizeof(err));
	if (rc == 0)
		check_config(&cfg);
	else if (rc == -1)
		check_errors();
	else
		fail("load returned %d", rc);
	mdp_config_free(&cfg);
	free(text);
	return 0;
}
