/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mdp_arp_table.h"

static inline uint32_t
arp_hash(const struct mdp_arp_table *t, uint16_t port, uint32_t ip)
{
	uint32_t h = (ip ^ ((uint32_t)port << 24)) * 2654435761u;

	return (h ^ (h >> 16)) & t->bucket_mask;
}

static void entry_timer_cb(struct mdp_timer *tm, void *arg);

struct mdp_arp_table *
mdp_arp_table_create(const struct mdp_arp_params *p, struct mdp_wheel *wheel,
		     const struct mdp_arp_ops *ops, void *ctx)
{
	struct mdp_arp_table *t;
	uint32_t nb = 1;

	if (p == NULL || wheel == NULL || ops == NULL || ops->solicit == NULL ||
	    ops->flush == NULL || ops->drop == NULL || p->entries == 0 ||
	    p->entries >= MDP_ARP_NIL / 2 || p->retries == 0 || p->retries > 255 ||
	    p->pending_max > UINT16_MAX || (p->pending_max > 0 && p->pending_total_max == 0))
		return NULL;
	while (nb < p->entries)
		nb <<= 1;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->p = *p;
	t->wheel = wheel;
	t->ops = ops;
	t->ctx = ctx;
	t->bucket_mask = nb - 1;
	t->buckets = malloc(nb * sizeof(*t->buckets));
	t->entries = calloc(p->entries, sizeof(*t->entries));
	t->pending_mem = calloc((size_t)p->entries * (p->pending_max ? p->pending_max : 1),
				sizeof(void *));
	if (t->buckets == NULL || t->entries == NULL || t->pending_mem == NULL) {
		free(t->pending_mem);
		free(t->entries);
		free(t->buckets);
		free(t);
		return NULL;
	}
	memset(t->buckets, 0xff, nb * sizeof(*t->buckets));
	for (uint32_t i = 0; i < p->entries; i++) {
		struct mdp_arp_entry *e = &t->entries[i];

		e->tbl = t;
		e->pending = &t->pending_mem[(size_t)i * (p->pending_max ? p->pending_max : 1)];
		e->next = i + 1 < p->entries ? i + 1 : MDP_ARP_NIL;
		mdp_timer_init(&e->timer, entry_timer_cb, e);
	}
	t->free_head = 0;
	return t;
}

static void
entry_drop_pending(struct mdp_arp_table *t, struct mdp_arp_entry *e)
{
	uint16_t n = e->n_pending;

	/* Zero first: a drop hook may look at the table. */
	e->n_pending = 0;
	t->pending_total -= n;
	for (uint16_t i = 0; i < n; i++)
		t->ops->drop(t->ctx, e->port, e->pending[i]);
}

/* Unlink e from its bucket chain and put it on the free list. */
static void
entry_release(struct mdp_arp_table *t, struct mdp_arp_entry *e)
{
	uint32_t idx = (uint32_t)(e - t->entries);
	uint32_t *pp = &t->buckets[arp_hash(t, e->port, e->ip)];

	while (*pp != MDP_ARP_NIL && *pp != idx)
		pp = &t->entries[*pp].next;
	if (*pp == idx)
		*pp = e->next;
	mdp_timer_stop(t->wheel, &e->timer);
	entry_drop_pending(t, e);
	e->state = MDP_ARP_FREE;
	e->next = t->free_head;
	t->free_head = idx;
	t->used--;
}

void
mdp_arp_table_free(struct mdp_arp_table *t)
{
	if (t == NULL)
		return;
	mdp_arp_flush_all(t);
	free(t->pending_mem);
	free(t->entries);
	free(t->buckets);
	free(t);
}

struct mdp_arp_entry *
mdp_arp_lookup(struct mdp_arp_table *t, uint16_t port, uint32_t ip)
{
	uint32_t i = t->buckets[arp_hash(t, port, ip)];

	while (i != MDP_ARP_NIL) {
		struct mdp_arp_entry *e = &t->entries[i];

		if (e->ip == ip && e->port == port)
			return e;
		i = e->next;
	}
	return NULL;
}

static struct mdp_arp_entry *
entry_new(struct mdp_arp_table *t, uint16_t port, uint32_t ip)
{
	struct mdp_arp_entry *e;
	uint32_t idx = t->free_head, b;

	if (idx == MDP_ARP_NIL)
		return NULL;
	e = &t->entries[idx];
	t->free_head = e->next;
	b = arp_hash(t, port, ip);
	e->ip = ip;
	e->port = port;
	e->tries = 0;
	e->used = 0;
	e->n_pending = 0;
	memset(e->mac, 0, sizeof(e->mac));
	e->next = t->buckets[b];
	t->buckets[b] = idx;
	t->used++;
	return e;
}

static void
entry_timer_cb(struct mdp_timer *tm, void *arg)
{
	struct mdp_arp_entry *e = arg;
	struct mdp_arp_table *t = e->tbl;
	uint16_t port = e->port;
	uint32_t ip = e->ip;

	(void)tm;
	switch (e->state) {
	case MDP_ARP_INCOMPLETE:
	case MDP_ARP_PROBE:
		if (e->tries < t->p.retries) {
			e->tries++;
			t->ops->solicit(t->ctx, port, ip);
			mdp_timer_start(t->wheel, &e->timer, t->p.retry_ticks);
			return;
		}
		if (e->state == MDP_ARP_INCOMPLETE) {
			entry_release(t, e);
			return;
		}
		break;
	case MDP_ARP_REACHABLE:
		if (e->used) {
			/* Still carrying traffic: confirm before forgetting. */
			e->state = MDP_ARP_PROBE;
			e->used = 0;
			e->tries = 1;
			t->ops->solicit(t->ctx, port, ip);
			mdp_timer_start(t->wheel, &e->timer, t->p.retry_ticks);
			return;
		}
		break;
	default:
		return;
	}
	entry_release(t, e);
	if (t->ops->expired != NULL)
		t->ops->expired(t->ctx, port, ip);
}

enum mdp_arp_result
mdp_arp_resolve(struct mdp_arp_table *t, uint16_t port, uint32_t ip, void *pkt,
		uint8_t mac[6])
{
	struct mdp_arp_entry *e = mdp_arp_lookup(t, port, ip);

	if (e != NULL && (e->state == MDP_ARP_REACHABLE || e->state == MDP_ARP_PROBE)) {
		memcpy(mac, e->mac, 6);
		e->used = 1;
		return MDP_ARP_HIT;
	}
	if (e == NULL) {
		e = entry_new(t, port, ip);
		if (e == NULL)
			return MDP_ARP_FULL;
		e->state = MDP_ARP_INCOMPLETE;
		e->updated = t->wheel->now;
		e->tries = 1;
		t->ops->solicit(t->ctx, port, ip);
		mdp_timer_start(t->wheel, &e->timer, t->p.retry_ticks);
	}
	if (pkt == NULL)
		return MDP_ARP_QUEUED;
	if (e->n_pending >= t->p.pending_max || t->pending_total >= t->p.pending_total_max)
		return MDP_ARP_QFULL;
	e->pending[e->n_pending++] = pkt;
	t->pending_total++;
	return MDP_ARP_QUEUED;
}

struct mdp_arp_entry *
mdp_arp_learn(struct mdp_arp_table *t, uint16_t port, uint32_t ip, const uint8_t mac[6],
	      bool create)
{
	struct mdp_arp_entry *e = mdp_arp_lookup(t, port, ip);
	uint16_t n;

	if (e == NULL) {
		/* Others' traffic may fill three quarters of the table; the
		 * rest stays for the addresses we resolve ourselves. */
		if (!create || t->used >= t->p.entries - t->p.entries / 4)
			return NULL;
		e = entry_new(t, port, ip);
		if (e == NULL)
			return NULL;
	}
	memcpy(e->mac, mac, 6);
	e->state = MDP_ARP_REACHABLE;
	e->tries = 0;
	e->used = 0;
	e->updated = t->wheel->now;
	mdp_timer_start(t->wheel, &e->timer, t->p.timeout_ticks);
	/* Flush in arrival order. A flush hook cannot reach this entry's queue
	 * again (the entry is REACHABLE now), so the loop is stable. */
	n = e->n_pending;
	e->n_pending = 0;
	t->pending_total -= n;
	for (uint16_t i = 0; i < n; i++)
		t->ops->flush(t->ctx, port, e->mac, e->pending[i]);
	return e;
}

int
mdp_arp_remove(struct mdp_arp_table *t, uint16_t port, uint32_t ip)
{
	struct mdp_arp_entry *e = mdp_arp_lookup(t, port, ip);

	if (e == NULL)
		return -ENOENT;
	entry_release(t, e);
	return 0;
}

void
mdp_arp_flush_all(struct mdp_arp_table *t)
{
	for (uint32_t i = 0; i < t->p.entries; i++)
		if (t->entries[i].state != MDP_ARP_FREE)
			entry_release(t, &t->entries[i]);
}

int
mdp_arp_foreach(struct mdp_arp_table *t, int (*fn)(const struct mdp_arp_entry *e, void *arg),
		void *arg)
{
	for (uint32_t i = 0; i < t->p.entries; i++) {
		int rc;

		if (t->entries[i].state == MDP_ARP_FREE)
			continue;
		rc = fn(&t->entries[i], arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}
