/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_CONFIG_H
#define MDP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/mdp_tls_spiffe.h"
#include "tls/mdp_tls_types.h"

/*
 * The start-up configuration model: what a libconfig file says, validated
 * whole. Pure C (libconfig only): the daemon, `meshdp --check` and the
 * unit tests share it. Every setting is documented in docs/configuration.md.
 */

#define MDP_MAX_PORTS 8
#define MDP_MAX_WORKERS 16
#define MDP_MAX_ROUTES 64
#define MDP_MAX_EAL_ARGS 32
#define MDP_PATH_MAX 108	/* sizeof(sun_path) */
#define MDP_MAX_LISTENERS 64
#define MDP_CONF_MAX_CREDS 32	/* tls.credentials */
#define MDP_CONF_MAX_BUNDLES 8	/* tls.bundles */
#define MDP_CONF_MAX_SNI 64	/* listeners[].tls.sni */
#define MDP_CONF_FILE_MAX 256	/* bytes of a file path, NUL included */

enum mdp_idle_mode {
	MDP_IDLE_ADAPTIVE = 0,	/* back off with bounded sleeps when idle */
	MDP_IDLE_POLL,		/* spin: benchmarks on dedicated cores */
};

struct mdp_conf_route {
	uint32_t dst;		/* network, host order */
	uint8_t dst_len;
	uint32_t via;		/* next hop, host order; must be on-link */
};

/* Impairment of one direction of a port (see dp/net/impair.c): rates in
 * percent of packets, applied in this order: loss, corrupt, duplicate,
 * reorder, delay. */
struct mdp_conf_impair {
	double loss;
	double corrupt;
	double duplicate;
	double reorder;
	uint32_t delay_us;
};

struct mdp_conf_port {
	char name[32];		/* operator's name, unique ("p0") */
	char device[256];	/* "net_af_xdp0,iface=veth0" (vdev) or PCI "0000:01:00.0" */
	bool has_mac;		/* mac given; else the device's own */
	uint8_t mac[6];
	uint32_t addr;		/* host order */
	uint8_t prefix_len;
	uint32_t gateway;	/* 0 when none */
	struct mdp_conf_route routes[MDP_MAX_ROUTES];
	unsigned n_routes;
	uint16_t rx_queues;	/* == number of workers */
	uint16_t tx_queues;	/* == number of workers */
	uint16_t rx_desc;
	uint16_t tx_desc;
	uint16_t mtu;
	bool promiscuous;
	bool checksum_offload;	/* use the device's IPv4/TCP checksum offload when it has one */
	bool impair;		/* any impairment configured */
	uint64_t impair_seed;
	struct mdp_conf_impair impair_rx;
	struct mdp_conf_impair impair_tx;
};

/* TCP (docs/configuration.md "tcp"). Sizes in bytes, times in ms. */
struct mdp_conf_tcp {
	uint32_t max_conns;		/* per worker */
	uint32_t rcv_buf;		/* receive window per connection */
	uint32_t snd_buf;		/* send buffer per connection */
	uint32_t ooo_max;		/* out-of-order bytes held per worker */
	uint32_t syn_backlog;		/* half-open connections per listener per worker */
	bool syncookies;		/* cookies when the backlog is full */
	bool sack;
	bool timestamps;
	bool window_scaling;
	int cc;				/* enum mdp_tcp_cc_algo */
	uint32_t initial_rto_ms;
	uint32_t min_rto_ms;
	uint32_t max_rto_ms;
	uint32_t max_retries;		/* data retransmissions before abort */
	uint32_t syn_retries;
	uint32_t delayed_ack_ms;	/* 0: ACK every segment */
	uint32_t time_wait_ms;
	bool time_wait_reuse;		/* outgoing connections may reuse a TIME-WAIT tuple (timestamps) */
	uint32_t fin_wait2_ms;
	uint32_t connect_timeout_ms;
	uint32_t keepalive_idle_s;	/* 0: no keepalive */
	uint32_t keepalive_interval_s;
	uint32_t keepalive_count;
	uint32_t challenge_ack_per_s;	/* per connection (RFC 5961 7) */
};

enum mdp_listener_kind {
	MDP_LISTENER_ECHO = 0,
	MDP_LISTENER_DISCARD,
	MDP_LISTENER_TCP_PROXY,
	MDP_LISTENER_HTTP,
};

/* The HTTP proxy (listeners of kind http). */
struct mdp_conf_http {
	uint32_t max_request_line;	/* bytes: 414 beyond */
	uint32_t max_head;		/* bytes of a head: 431 beyond */
	uint32_t max_headers;		/* fields: 431 beyond */
	uint32_t head_timeout_ms;	/* a request head must be complete in time: 408 */
	uint32_t idle_timeout_ms;	/* keep-alive between requests */
	uint32_t route_timeout_ms;	/* a route's timeout when it sets none: 504 (0: none) */
	uint32_t upstream_endpoints;	/* endpoints with a connection pool, per worker */
	bool via;			/* add Via */
	bool request_id;		/* add X-Request-Id when absent */
};

/* tls.credentials[]: a certificate chain and key, loaded and checked at
 * load time (an unusable file is a configuration error). */
struct mdp_conf_tls_cred {
	char name[32];
	char cert[MDP_CONF_FILE_MAX];	/* file paths as written */
	char key[MDP_CONF_FILE_MAX];
	struct mdp_tls_cred *cred;	/* owned reference */
};

/* tls.bundles[]: a trust bundle, loaded at load time. */
struct mdp_conf_tls_bundle {
	char name[32];
	char file[MDP_CONF_FILE_MAX];
	struct mdp_tls_bundle *bundle;	/* owned reference */
};

/* Where TLS application records are sealed and opened (docs/tls.md). */
enum mdp_tls_record_layer {
	MDP_TLS_RECORD_IPSEC_MB = 0,	/* the dataplane on Intel ipsec-mb */
	MDP_TLS_RECORD_OPENSSL,		/* OpenSSL's SSL_read/SSL_write */
};

/* The tls group: material and protocol settings shared by all listeners
 * and clusters. */
struct mdp_conf_tls {
	struct mdp_conf_tls_cred creds[MDP_CONF_MAX_CREDS];
	unsigned n_creds;
	struct mdp_conf_tls_bundle bundles[MDP_CONF_MAX_BUNDLES];
	unsigned n_bundles;
	char trust_domain[MDP_SPIFFE_TD_MAX + 1];	/* peers' SPIFFE IDs; "": any */
	struct mdp_tls_params params;	/* versions, suites, groups, ticket lifetime;
					 * alpn is "" (it is per listener) */
	uint32_t ticket_key_rotation_s;
	enum mdp_tls_record_layer record_layer;
};

/* listeners[].tls.sni[] */
struct mdp_conf_tls_sni {
	char server_name[256];		/* as written: "a.example" or "*.example" */
	const char *credential;		/* NULL: the listener's; else cred_name */
	char cred_name[32];
	enum mdp_mtls_mode mtls;	/* UNSET: the listener's; never DISABLE */
};

/* listeners[].tls (absent: a plaintext listener). Names refer to
 * tls.credentials and tls.bundles, and were checked to exist. */
struct mdp_conf_listener_tls {
	enum mdp_mtls_mode mtls;	/* never UNSET; DISABLE: plaintext */
	char credential[32];		/* "" with DISABLE */
	/* "" when no mode of the listener (nor of its SNI entries) needs
	 * one: SIMPLE only, or DISABLE */
	char bundle[32];
	char alpn[MDP_TLS_ALPN_MAX];	/* "h2,http/1.1" (struct mdp_tls_params) */
	struct mdp_conf_tls_sni sni[MDP_CONF_MAX_SNI];
	unsigned n_sni;
};

struct mdp_conf_listener {
	char name[32];
	enum mdp_listener_kind kind;
	uint32_t addr;			/* 0: any of our addresses */
	uint16_t port;
	uint32_t upstream_addr;		/* tcp_proxy */
	uint16_t upstream_port;
	char route_table[64];		/* http: the route table's name */
	struct mdp_conf_listener_tls *tls;	/* owned; NULL: no tls group */
};

struct mdp_config {
	char file[MDP_PATH_MAX * 4];	/* path the config was read from */

	/* eal */
	char *eal_args[MDP_MAX_EAL_ARGS];	/* extra EAL arguments, owned */
	unsigned n_eal_args;

	/* cores */
	unsigned main_lcore;
	unsigned workers[MDP_MAX_WORKERS];	/* worker lcore ids, in order */
	unsigned n_workers;
	/* Optional lcore -> CPU mapping (cores.main_cpu, cores.worker_cpus);
	 * without it lcore id n runs on CPU n. With it, several lcores may
	 * share a CPU (tests with 2 workers on a 2-core machine). */
	bool has_cpus;
	unsigned main_cpu;
	unsigned worker_cpus[MDP_MAX_WORKERS];

	/* mempool */
	uint32_t mbufs;		/* mbufs in the (single, shared) packet pool */
	uint32_t mbuf_cache;
	uint16_t mbuf_data_room;

	/* idle */
	enum mdp_idle_mode idle_mode;
	uint32_t idle_empty_polls;	/* empty polls before the first sleep */
	uint32_t idle_sleep_min_us;
	uint32_t idle_sleep_max_us;
	uint32_t burst;		/* rx/tx burst size */

	/* arp */
	uint32_t arp_entries;	/* per-core table size */
	uint32_t arp_timeout_s;	/* reachable entry lifetime */
	uint32_t arp_pending;	/* packets queued per unresolved entry */
	uint32_t arp_retries;	/* requests before resolution fails */
	uint32_t arp_retry_ms;	/* interval between requests */
	uint32_t arp_gratuitous;	/* gratuitous ARPs sent at start */

	/* timers */
	uint32_t timer_tick_us;
	uint32_t timer_slots;

	/* control */
	char ctrl_socket[MDP_PATH_MAX];
	uint32_t ctrl_max_clients;
	uint32_t ctrl_max_line;		/* bytes, request line limit */
	uint32_t ctrl_idle_timeout_s;	/* close clients silent this long */

	/* log */
	int log_level;		/* enum mdp_log_level */

	struct mdp_conf_port ports[MDP_MAX_PORTS];
	unsigned n_ports;

	struct mdp_conf_tcp tcp;
	struct mdp_conf_http http;
	struct mdp_conf_tls tls;
	struct mdp_conf_listener listeners[MDP_MAX_LISTENERS];
	unsigned n_listeners;

	/* clusters and route_tables as one JSON document (lib/mesh), owned;
	 * NULL when the file has neither */
	struct json_t *mesh;
};

/*
 * Load and validate a configuration file. *cfg need not be initialised: it
 * is first reset to mdp_config_defaults() (without freeing what it held, so
 * mdp_config_free() a previously loaded config first), and cfg->file is set
 * to path.
 *
 * On success returns 0; *cfg holds the file's values and owns the EAL
 * argument strings, the TLS credentials and bundles (read from their files
 * during the load: relative paths are relative to the working directory)
 * and the listeners' tls groups until mdp_config_free().
 *
 * On failure returns -1 and writes every error found into err, one per line
 * (newline-separated, no trailing newline, truncated to fit errlen with a
 * NUL; err may be NULL when errlen is 0). Each line reads
 * "FILE:LINE: SETTING: what is wrong", e.g.
 * "app.conf:12: ports[0].address: 10.0.0.0 is the network address of
 * 10.0.0.0/24"; a setting that is missing is reported at the line of its
 * enclosing group (line 1 for the top level). Syntax errors read
 * "FILE:LINE: syntax error: TEXT" and stop the validation; an unreadable
 * file reads "FILE: cannot read: REASON". Unknown settings are errors. On
 * failure *cfg owns nothing (mdp_config_free() is a no-op on it) and its
 * values are unspecified.
 */
int mdp_config_load(const char *path, struct mdp_config *cfg, char *err, size_t errlen);

/* Same as mdp_config_load() on a NUL-terminated string; `name` stands for
 * the file name in messages and in cfg->file ("<string>" when NULL). */
int mdp_config_load_string(const char *text, const char *name, struct mdp_config *cfg,
			   char *err, size_t errlen);

/* Defaults for every setting (what an empty file gives, less the ports):
 * zeroes *cfg first, so it must not hold allocated EAL arguments. */
void mdp_config_defaults(struct mdp_config *cfg);

/* Release what the loader allocated (EAL arguments, TLS credentials and
 * bundles, listeners' tls groups). Safe to call twice and after a failed
 * load. */
void mdp_config_free(struct mdp_config *cfg);

#endif
