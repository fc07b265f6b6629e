/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_ARP_TABLE_H
#define MDP_ARP_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "timer/mdp_timer.h"

/*
 * Per-core ARP cache (RFC 826) with aging and resolution.
 *
 * Entries live in a fixed array chained from a bucket array, so an entry's
 * address never moves while a timer points into it. An address being
 * resolved is INCOMPLETE and holds a bounded queue of packets (opaque
 * pointers, owned by the table while queued); a request is sent through the
 * `solicit` hook and retried on the wheel, and when the last retry runs out
 * the queue is handed to `drop` and the entry freed. A resolved entry is
 * REACHABLE until its aging timer runs out. An entry that carried traffic
 * since it was last confirmed is then PROBEd rather than dropped: its MAC
 * stays in use while `retries` requests go out `retry_ticks` apart (Linux's
 * STALE/PROBE, simplified); an answer makes it REACHABLE again, silence
 * frees it. An unused entry is freed at once. Learning restarts aging.
 *
 * Bounds against a hostile link: entries created by others' ARP traffic
 * (mdp_arp_learn with create) stop at three quarters of the table, so the
 * addresses we resolve ourselves keep a quarter of it (replies to many
 * unknown on-link sources can still use that quarter until their
 * resolutions time out); queued packets are capped per entry and
 * per table (pending_total_max), so a spray of unresolvable destinations
 * cannot hold the mbuf pool.
 *
 * Everything is allocated by mdp_arp_table_create(); nothing after.
 * Not thread-safe: one table per worker core.
 */

enum mdp_arp_state {
	MDP_ARP_FREE = 0,
	MDP_ARP_INCOMPLETE,
	MDP_ARP_REACHABLE,
	MDP_ARP_PROBE,		/* aged but in use: MAC still valid, re-asking */
};

struct mdp_arp_table;

struct mdp_arp_entry {
	uint32_t ip;		/* host order */
	uint16_t port;
	uint8_t state;		/* enum mdp_arp_state */
	uint8_t tries;		/* requests sent while INCOMPLETE or PROBE */
	uint8_t mac[6];
	uint8_t used;		/* resolved a packet since last confirmed */
	uint16_t n_pending;
	uint32_t next;		/* bucket chain, or free list */
	uint64_t updated;	/* wheel tick of the last change */
	struct mdp_timer timer;	/* retry (INCOMPLETE) or aging (REACHABLE) */
	struct mdp_arp_table *tbl;
	void **pending;		/* pending_max slots, FIFO */
};

struct mdp_arp_ops {
	/* Send an ARP request for ip on port. */
	void (*solicit)(void *ctx, uint16_t port, uint32_t ip);
	/* A queued packet's address is now resolved: send it to mac. */
	void (*flush)(void *ctx, uint16_t port, const uint8_t mac[6], void *pkt);
	/* Resolution failed: release a queued packet. */
	void (*drop)(void *ctx, uint16_t port, void *pkt);
	/* A resolved entry aged out (may be NULL). */
	void (*expired)(void *ctx, uint16_t port, uint32_t ip);
};

struct mdp_arp_params {
	uint32_t entries;	/* table size */
	uint32_t pending_max;	/* queued packets per INCOMPLETE entry */
	uint32_t pending_total_max;	/* queued packets in the whole table */
	uint32_t retries;	/* requests before giving up (>= 1) */
	uint64_t retry_ticks;	/* wheel ticks between requests */
	uint64_t timeout_ticks;	/* wheel ticks a REACHABLE entry lives */
};

struct mdp_arp_table {
	struct mdp_arp_params p;
	struct mdp_wheel *wheel;
	const struct mdp_arp_ops *ops;
	void *ctx;
	uint32_t bucket_mask;
	uint32_t *buckets;	/* index of first entry, or MDP_ARP_NIL */
	struct mdp_arp_entry *entries;
	void **pending_mem;
	uint32_t free_head;
	uint32_t used;
	uint32_t pending_total;
};

#define MDP_ARP_NIL UINT32_MAX

/* Result of mdp_arp_resolve(). */
enum mdp_arp_result {
	MDP_ARP_HIT = 0,	/* mac filled in; caller sends the packet */
	MDP_ARP_QUEUED,		/* packet kept until resolution */
	MDP_ARP_FULL,		/* no free entry; caller drops the packet */
	MDP_ARP_QFULL,		/* pending queue full; caller drops the packet */
};

/* Build a table. Returns NULL on bad parameters or no memory. */
struct mdp_arp_table *mdp_arp_table_create(const struct mdp_arp_params *p,
					   struct mdp_wheel *wheel,
					   const struct mdp_arp_ops *ops, void *ctx);

/* Free a table; queued packets go to ops->drop, timers are stopped. */
void mdp_arp_table_free(struct mdp_arp_table *t);

/* Entry for (port, ip), or NULL. */
struct mdp_arp_entry *mdp_arp_lookup(struct mdp_arp_table *t, uint16_t port, uint32_t ip);

/*
 * Find the MAC for (port, ip). On a REACHABLE or PROBE entry copies it to
 * mac and returns MDP_ARP_HIT. Otherwise queues pkt (creating an INCOMPLETE entry
 * and soliciting if there was none) and returns MDP_ARP_QUEUED, or returns
 * MDP_ARP_FULL / MDP_ARP_QFULL without taking pkt. pkt may be NULL to only
 * start resolution.
 */
enum mdp_arp_result mdp_arp_resolve(struct mdp_arp_table *t, uint16_t port, uint32_t ip,
				    void *pkt, uint8_t mac[6]);

/*
 * Record ip -> mac on port. With create false only an existing entry is
 * updated (RFC 826's merge rule for packets not addressed to us). An
 * INCOMPLETE entry becomes REACHABLE and its queue is flushed through
 * ops->flush in arrival order. Returns the entry, or NULL when none exists
 * (create false) or the table is three quarters full (create true).
 */
struct mdp_arp_entry *mdp_arp_learn(struct mdp_arp_table *t, uint16_t port, uint32_t ip,
				    const uint8_t mac[6], bool create);

/* Remove the entry for (port, ip); its queue goes to ops->drop.
 * Returns 0 or -ENOENT. */
int mdp_arp_remove(struct mdp_arp_table *t, uint16_t port, uint32_t ip);

/* Remove every entry. */
void mdp_arp_flush_all(struct mdp_arp_table *t);

/* Call fn for every entry in use; stops early and returns fn's value when
 * it is non-zero. */
int mdp_arp_foreach(struct mdp_arp_table *t,
		    int (*fn)(const struct mdp_arp_entry *e, void *arg), void *arg);

#endif
