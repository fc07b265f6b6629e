/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "net/mdp_arp_table.h"
#include "timer/mdp_timer.h"
#include "unit.h"

/*
 * The table is driven through its public API on a private wheel; the hooks
 * record every call in one log, so that the tests can assert what was sent,
 * flushed and dropped, in which order and at which tick.
 */

enum ev_kind { EV_SOLICIT = 1, EV_FLUSH, EV_DROP, EV_EXPIRED };

struct ev {
	enum ev_kind kind;
	uint16_t port;
	uint32_t ip;		/* solicit, expired */
	uint8_t mac[6];		/* flush */
	void *pkt;		/* flush, drop */
	uint64_t tick;
	void *ctx;
};

#define EV_MAX 4096
static struct ev evs[EV_MAX];
static unsigned nev;
static struct mdp_wheel wheel;

/* Opaque packets: addresses the table must hand back untouched. */
#define NPKT 512
static char pk[NPKT];
#define PKT(i) ((void *)&pk[(i)])

static int ctx_token;
#define CTX ((void *)&ctx_token)

static struct ev *
ev_add(enum ev_kind kind, void *ctx, uint16_t port)
{
	struct ev *e;

	CU_ASSERT_FATAL(nev < EV_MAX);
	e = &evs[nev++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->ctx = ctx;
	e->port = port;
	e->tick = wheel.now;
	return e;
}

static void
hook_solicit(void *ctx, uint16_t port, uint32_t ip)
{
	ev_add(EV_SOLICIT, ctx, port)->ip = ip;
}

static void
hook_flush(void *ctx, uint16_t port, const uint8_t mac[6], void *pkt)
{
	struct ev *e = ev_add(EV_FLUSH, ctx, port);

	memcpy(e->mac, mac, 6);
	e->pkt = pkt;
}

static void
hook_drop(void *ctx, uint16_t port, void *pkt)
{
	ev_add(EV_DROP, ctx, port)->pkt = pkt;
}

static void
hook_expired(void *ctx, uint16_t port, uint32_t ip)
{
	ev_add(EV_EXPIRED, ctx, port)->ip = ip;
}

static const struct mdp_arp_ops ops = {
	.solicit = hook_solicit,
	.flush = hook_flush,
	.drop = hook_drop,
	.expired = hook_expired,
};

static const struct mdp_arp_ops ops_no_expired = {
	.solicit = hook_solicit,
	.flush = hook_flush,
	.drop = hook_drop,
};

#define ENTRIES 16
#define PENDING 4
#define RETRIES 3
#define RETRY_TICKS 10
#define TIMEOUT_TICKS 1000

static const struct mdp_arp_params defp = {
	.entries = ENTRIES,
	.pending_max = PENDING,
	.pending_total_max = 1024,
	.retries = RETRIES,
	.retry_ticks = RETRY_TICKS,
	.timeout_ticks = TIMEOUT_TICKS,
};

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

#define IP1 0xc6120001u		/* 198.18.0.1 */
#define IP2 0xc6120002u
#define IP3 0xc6120003u

/* A fresh wheel at tick 0, an empty log and a table built from p. */
static struct mdp_arp_table *
setup(const struct mdp_arp_params *p, const struct mdp_arp_ops *o)
{
	struct mdp_arp_table *t;

	nev = 0;
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&wheel, 64, 0), 0);
	t = mdp_arp_table_create(p, &wheel, o, CTX);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	return t;
}

static void
teardown(struct mdp_arp_table *t)
{
	mdp_arp_table_free(t);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&wheel), 0);
	mdp_wheel_fini(&wheel);
}

/* Assert that log entry i is `kind` with the given fields (0/NULL: any). */
static void
ev_check_at(unsigned i, enum ev_kind kind, uint16_t port, uint32_t ip, const uint8_t *mac,
	    void *pkt, unsigned line)
{
	bool ok = i < nev;

	if (ok) {
		const struct ev *e = &evs[i];

		ok = e->kind == kind && e->port == port && e->ctx == CTX &&
		     (ip == 0 || e->ip == ip) && (mac == NULL || memcmp(e->mac, mac, 6) == 0) &&
		     (pkt == NULL || e->pkt == pkt);
		if (!ok)
			fprintf(stderr, "\n%s:%u: event %u: kind %d port %u ip %08x pkt %p\n",
				__FILE__, line, i, e->kind, e->port, e->ip, e->pkt);
	}
	CU_assertImplementation(ok, line, "event matches", __FILE__, "", CU_FALSE);
}

#define EV_CHECK(i, kind, port, ip, mac, pkt) \
	ev_check_at((i), (kind), (port), (ip), (mac), (pkt), __LINE__)

static unsigned
ev_count(enum ev_kind kind)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nev; i++)
		n += evs[i].kind == kind;
	return n;
}

static void
test_create_args(void)
{
	struct mdp_arp_params p;
	struct mdp_arp_ops o;
	struct mdp_arp_table *t;

	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&wheel, 64, 0), 0);
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(NULL, &wheel, &ops, NULL));
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(&defp, NULL, &ops, NULL));
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(&defp, &wheel, NULL, NULL));
	o = ops;
	o.solicit = NULL;
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(&defp, &wheel, &o, NULL));
	o = ops;
	o.flush = NULL;
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(&defp, &wheel, &o, NULL));
	o = ops;
	o.drop = NULL;
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(&defp, &wheel, &o, NULL));

	p = defp;
	p.entries = 0;
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(&p, &wheel, &ops, NULL));
	p.entries = MDP_ARP_NIL / 2;
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(&p, &wheel, &ops, NULL));
	p.entries = UINT32_MAX;
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(&p, &wheel, &ops, NULL));
	p = defp;
	p.retries = 0;
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(&p, &wheel, &ops, NULL));
	p.retries = 256;	/* the counter is a uint8_t */
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(&p, &wheel, &ops, NULL));
	p = defp;
	p.pending_max = UINT16_MAX + 1u;
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(&p, &wheel, &ops, NULL));
	/* packets may be queued per entry, but none in the table */
	p = defp;
	p.pending_total_max = 0;
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(&p, &wheel, &ops, NULL));
	p.pending_max = 1;
	CU_ASSERT_PTR_NULL(mdp_arp_table_create(&p, &wheel, &ops, NULL));

	/* the edges that are allowed */
	p = defp;
	p.entries = 1;
	p.retries = 255;
	p.pending_max = 0;
	t = mdp_arp_table_create(&p, &wheel, &ops_no_expired, NULL);
	CU_ASSERT_PTR_NOT_NULL(t);
	if (t != NULL) {
		CU_ASSERT_EQUAL(t->used, 0);
		CU_ASSERT_EQUAL(t->bucket_mask, 0);
		mdp_arp_table_free(t);
	}
	p = defp;
	p.entries = 1000;	/* not a power of two: buckets round up */
	t = mdp_arp_table_create(&p, &wheel, &ops, NULL);
	CU_ASSERT_PTR_NOT_NULL(t);
	if (t != NULL) {
		CU_ASSERT_EQUAL(t->bucket_mask, 1023);
		mdp_arp_table_free(t);
	}
	/* nothing queued anywhere needs no table-wide cap either */
	p = defp;
	p.pending_max = 0;
	p.pending_total_max = 0;
	t = mdp_arp_table_create(&p, &wheel, &ops, NULL);
	CU_ASSERT_PTR_NOT_NULL(t);
	if (t != NULL) {
		CU_ASSERT_EQUAL(t->pending_total, 0);
		mdp_arp_table_free(t);
	}
	/* a table-wide cap below the per-entry one */
	p = defp;
	p.pending_total_max = 1;
	t = mdp_arp_table_create(&p, &wheel, &ops, NULL);
	CU_ASSERT_PTR_NOT_NULL(t);
	mdp_arp_table_free(t);
	mdp_arp_table_free(NULL);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&wheel), 0);
	mdp_wheel_fini(&wheel);
}

static void
test_resolve_miss(void)
{
	struct mdp_arp_table *t = setup(&defp, &ops);
	struct mdp_arp_entry *e;
	uint8_t mac[6] = { 0xee, 0xee, 0xee, 0xee, 0xee, 0xee };

	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1));
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(1), mac), MDP_ARP_QUEUED);
	/* mac is untouched on a miss */
	CU_ASSERT_EQUAL(mac[0], 0xee);
	CU_ASSERT_EQUAL(nev, 1);
	EV_CHECK(0, EV_SOLICIT, 0, IP1, NULL, NULL);
	CU_ASSERT_EQUAL(evs[0].tick, 0);
	e = mdp_arp_lookup(t, 0, IP1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_INCOMPLETE);
	CU_ASSERT_EQUAL(e->ip, IP1);
	CU_ASSERT_EQUAL(e->port, 0);
	CU_ASSERT_EQUAL(e->tries, 1);
	CU_ASSERT_EQUAL(e->n_pending, 1);
	CU_ASSERT_PTR_EQUAL(e->pending[0], PKT(1));
	CU_ASSERT_TRUE(mdp_timer_pending(&e->timer));
	CU_ASSERT_EQUAL(e->timer.expire, RETRY_TICKS);
	CU_ASSERT_EQUAL(t->used, 1);

	/* A second packet for the same address: queued, no new request. */
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(2), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(nev, 1);
	CU_ASSERT_EQUAL(e->n_pending, 2);
	CU_ASSERT_EQUAL(t->used, 1);

	/* NULL packet: only starts resolution. */
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, NULL, mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(nev, 2);
	EV_CHECK(1, EV_SOLICIT, 0, IP2, NULL, NULL);
	e = mdp_arp_lookup(t, 0, IP2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_INCOMPLETE);
	CU_ASSERT_EQUAL(e->n_pending, 0);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, NULL, mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(nev, 2);

	/* Freeing the table hands both queued packets to drop, in order. */
	mdp_arp_table_free(t);
	CU_ASSERT_EQUAL(nev, 4);
	EV_CHECK(2, EV_DROP, 0, 0, NULL, PKT(1));
	EV_CHECK(3, EV_DROP, 0, 0, NULL, PKT(2));
	CU_ASSERT_EQUAL(mdp_wheel_pending(&wheel), 0);
	mdp_wheel_fini(&wheel);
}

static void
test_queue_full(void)
{
	struct mdp_arp_table *t = setup(&defp, &ops);
	struct mdp_arp_entry *e;
	uint8_t mac[6];
	unsigned i;

	for (i = 0; i < PENDING; i++)
		CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(i), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(100), mac), MDP_ARP_QFULL);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(101), mac), MDP_ARP_QFULL);
	/* a NULL packet is not refused: there is nothing to queue */
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_QUEUED);
	e = mdp_arp_lookup(t, 0, IP1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->n_pending, PENDING);
	CU_ASSERT_EQUAL(nev, 1);
	CU_ASSERT_EQUAL(ev_count(EV_SOLICIT), 1);

	/* The refused packets were not taken: resolution flushes only the
	 * queued ones. */
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1, mac_a, true));
	CU_ASSERT_EQUAL(nev, 1 + PENDING);
	for (i = 0; i < PENDING; i++)
		EV_CHECK(1 + i, EV_FLUSH, 0, 0, mac_a, PKT(i));
	teardown(t);

	/* pending_max 0: resolution starts, nothing is ever queued */
	{
		struct mdp_arp_params p = defp;

		p.pending_max = 0;
		t = setup(&p, &ops);
		CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(1), mac), MDP_ARP_QFULL);
		CU_ASSERT_EQUAL(nev, 1);
		EV_CHECK(0, EV_SOLICIT, 0, IP1, NULL, NULL);
		CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_QUEUED);
		CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1, mac_a, false));
		CU_ASSERT_EQUAL(nev, 1);
		CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(1), mac), MDP_ARP_HIT);
		teardown(t);
	}
}

static void
test_retries_then_drop(void)
{
	struct mdp_arp_table *t = setup(&defp, &ops);
	uint8_t mac[6];
	uint64_t tick;

	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(1), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(2), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(3), mac), MDP_ARP_QUEUED);
	/* One tick at a time, so that every event's tick is exact. */
	for (tick = 1; tick <= RETRIES * RETRY_TICKS + 5; tick++)
		mdp_wheel_advance(&wheel, tick);
	CU_ASSERT_EQUAL_FATAL(nev, RETRIES + 3);
	for (unsigned i = 0; i < RETRIES; i++) {
		EV_CHECK(i, EV_SOLICIT, 0, IP1, NULL, NULL);
		CU_ASSERT_EQUAL(evs[i].tick, (uint64_t)i * RETRY_TICKS);
	}
	/* after the last request's wait, the queue is dropped in order */
	EV_CHECK(RETRIES + 0, EV_DROP, 0, 0, NULL, PKT(1));
	EV_CHECK(RETRIES + 1, EV_DROP, 0, 0, NULL, PKT(2));
	EV_CHECK(RETRIES + 2, EV_DROP, 0, 0, NULL, PKT(3));
	CU_ASSERT_EQUAL(evs[RETRIES].tick, RETRIES * RETRY_TICKS);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1));
	CU_ASSERT_EQUAL(t->used, 0);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&wheel), 0);
	CU_ASSERT_EQUAL(ev_count(EV_EXPIRED), 0);

	/* A later packet starts over with a fresh request. */
	nev = 0;
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(4), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(nev, 1);
	EV_CHECK(0, EV_SOLICIT, 0, IP1, NULL, NULL);
	CU_ASSERT_EQUAL(mdp_arp_lookup(t, 0, IP1)->tries, 1);
	teardown(t);
	CU_ASSERT_EQUAL(nev, 2);
	EV_CHECK(1, EV_DROP, 0, 0, NULL, PKT(4));

	/* retries = 1: one request, and the drop one retry period later */
	{
		struct mdp_arp_params p = defp;

		p.retries = 1;
		t = setup(&p, &ops);
		CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(1), mac), MDP_ARP_QUEUED);
		mdp_wheel_advance(&wheel, RETRY_TICKS - 1);
		CU_ASSERT_EQUAL(nev, 1);
		mdp_wheel_advance(&wheel, RETRY_TICKS);
		CU_ASSERT_EQUAL(nev, 2);
		EV_CHECK(0, EV_SOLICIT, 0, IP1, NULL, NULL);
		EV_CHECK(1, EV_DROP, 0, 0, NULL, PKT(1));
		CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1));
		teardown(t);
	}
}

static void
test_learn_flushes(void)
{
	struct mdp_arp_table *t = setup(&defp, &ops);
	struct mdp_arp_entry *e;
	uint8_t mac[6];

	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(1), mac), MDP_ARP_QUEUED);
	mdp_wheel_advance(&wheel, RETRY_TICKS);	/* a second request */
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(2), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(3), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(nev, 2);
	mdp_wheel_advance(&wheel, RETRY_TICKS + 3);

	e = mdp_arp_learn(t, 0, IP1, mac_a, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_PTR_EQUAL(e, mdp_arp_lookup(t, 0, IP1));
	CU_ASSERT_EQUAL(e->state, MDP_ARP_REACHABLE);
	CU_ASSERT_EQUAL(memcmp(e->mac, mac_a, 6), 0);
	CU_ASSERT_EQUAL(e->n_pending, 0);
	CU_ASSERT_EQUAL(e->tries, 0);
	CU_ASSERT_EQUAL(e->updated, RETRY_TICKS + 3);
	CU_ASSERT_EQUAL(t->used, 1);
	CU_ASSERT_EQUAL_FATAL(nev, 5);
	EV_CHECK(2, EV_FLUSH, 0, 0, mac_a, PKT(1));
	EV_CHECK(3, EV_FLUSH, 0, 0, mac_a, PKT(2));
	EV_CHECK(4, EV_FLUSH, 0, 0, mac_a, PKT(3));

	/* Resolution now hits and takes no packet. */
	memset(mac, 0, sizeof(mac));
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(4), mac), MDP_ARP_HIT);
	CU_ASSERT_EQUAL(memcmp(mac, mac_a, 6), 0);
	CU_ASSERT_EQUAL(e->n_pending, 0);
	CU_ASSERT_EQUAL(nev, 5);
	/* No more requests and no drop: the retry timer became the aging one. */
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS);
	CU_ASSERT_EQUAL(nev, 5);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_REACHABLE);

	/* A new MAC replaces the old one; nothing to flush. */
	CU_ASSERT_PTR_EQUAL(mdp_arp_learn(t, 0, IP1, mac_b, true), e);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_HIT);
	CU_ASSERT_EQUAL(memcmp(mac, mac_b, 6), 0);
	CU_ASSERT_EQUAL(nev, 5);
	CU_ASSERT_EQUAL(t->used, 1);

	/* learn(create=false) completes a pending resolution too (the
	 * cross-core path and RFC 826's merge of a packet not for us) */
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, PKT(5), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, PKT(6), mac), MDP_ARP_QUEUED);
	e = mdp_arp_learn(t, 0, IP2, mac_a, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_REACHABLE);
	CU_ASSERT_EQUAL_FATAL(nev, 8);
	EV_CHECK(5, EV_SOLICIT, 0, IP2, NULL, NULL);
	EV_CHECK(6, EV_FLUSH, 0, 0, mac_a, PKT(5));
	EV_CHECK(7, EV_FLUSH, 0, 0, mac_a, PKT(6));
	teardown(t);
}

static void
test_learn_no_create(void)
{
	struct mdp_arp_table *t = setup(&defp, &ops);
	uint8_t mac[6];

	CU_ASSERT_PTR_NULL(mdp_arp_learn(t, 0, IP1, mac_a, false));
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1));
	CU_ASSERT_EQUAL(t->used, 0);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&wheel), 0);
	CU_ASSERT_EQUAL(nev, 0);
	/* learn(create=true) creates a REACHABLE entry directly */
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1, mac_a, true));
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(1), mac), MDP_ARP_HIT);
	CU_ASSERT_EQUAL(memcmp(mac, mac_a, 6), 0);
	/* and then create=false updates it */
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1, mac_b, false));
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(1), mac), MDP_ARP_HIT);
	CU_ASSERT_EQUAL(memcmp(mac, mac_b, 6), 0);
	CU_ASSERT_EQUAL(nev, 0);
	CU_ASSERT_EQUAL(t->used, 1);
	teardown(t);
}

static void
test_aging(void)
{
	struct mdp_arp_table *t = setup(&defp, &ops);
	struct mdp_arp_entry *e;
	uint8_t mac[6];

	mdp_wheel_advance(&wheel, 5);
	e = mdp_arp_learn(t, 3, IP1, mac_a, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->timer.expire, 5 + TIMEOUT_TICKS);
	mdp_wheel_advance(&wheel, 5 + TIMEOUT_TICKS - 1);
	CU_ASSERT_EQUAL(nev, 0);
	CU_ASSERT_PTR_EQUAL(mdp_arp_lookup(t, 3, IP1), e);
	mdp_wheel_advance(&wheel, 5 + TIMEOUT_TICKS);
	CU_ASSERT_EQUAL_FATAL(nev, 1);
	EV_CHECK(0, EV_EXPIRED, 3, IP1, NULL, NULL);
	CU_ASSERT_EQUAL(evs[0].tick, 5 + TIMEOUT_TICKS);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 3, IP1));
	CU_ASSERT_EQUAL(t->used, 0);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&wheel), 0);
	/* the next packet must be resolved again */
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 3, IP1, NULL, mac), MDP_ARP_QUEUED);
	EV_CHECK(1, EV_SOLICIT, 3, IP1, NULL, NULL);
	teardown(t);

	/* Re-learning before expiry restarts the aging timer. */
	t = setup(&defp, &ops);
	e = mdp_arp_learn(t, 0, IP1, mac_a, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS / 2);
	CU_ASSERT_PTR_EQUAL(mdp_arp_learn(t, 0, IP1, mac_a, false), e);
	CU_ASSERT_EQUAL(e->updated, TIMEOUT_TICKS / 2);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS);	/* the first deadline */
	CU_ASSERT_EQUAL(nev, 0);
	CU_ASSERT_PTR_EQUAL(mdp_arp_lookup(t, 0, IP1), e);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_HIT);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS / 2 + TIMEOUT_TICKS - 1);
	CU_ASSERT_EQUAL(nev, 0);
	/* at the new deadline: that hit since the re-learn makes it a
	 * probe, not an expiry (the probe itself: test_probe) */
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS / 2 + TIMEOUT_TICKS);
	CU_ASSERT_EQUAL_FATAL(nev, 1);
	EV_CHECK(0, EV_SOLICIT, 0, IP1, NULL, NULL);
	CU_ASSERT_EQUAL(evs[0].tick, TIMEOUT_TICKS / 2 + TIMEOUT_TICKS);
	CU_ASSERT_PTR_EQUAL(mdp_arp_lookup(t, 0, IP1), e);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_PROBE);
	teardown(t);
	CU_ASSERT_EQUAL(nev, 1);	/* freeing a probing entry calls no hook */

	/* A hit does not refresh the entry (only learning does): the
	 * deadline stays, and what a hit changes is that the entry is probed
	 * there rather than dropped. */
	t = setup(&defp, &ops);
	e = mdp_arp_learn(t, 0, IP1, mac_a, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS - 1);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_HIT);
	CU_ASSERT_EQUAL(e->timer.expire, TIMEOUT_TICKS);
	CU_ASSERT_EQUAL(e->updated, 0);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS);
	CU_ASSERT_EQUAL_FATAL(nev, 1);
	EV_CHECK(0, EV_SOLICIT, 0, IP1, NULL, NULL);
	CU_ASSERT_EQUAL(evs[0].tick, TIMEOUT_TICKS);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_PROBE);
	teardown(t);

	/* Without an expired hook, aging still removes the entry. */
	t = setup(&defp, &ops_no_expired);
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1, mac_a, true));
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1));
	CU_ASSERT_EQUAL(nev, 0);
	CU_ASSERT_EQUAL(t->used, 0);
	teardown(t);
}

static void
test_table_full(void)
{
	struct mdp_arp_params p = defp;
	struct mdp_arp_table *t;
	uint8_t mac[6];

	p.entries = 4;
	t = setup(&p, &ops);
	for (uint32_t i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1 + i, PKT(i), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(t->used, 4);
	CU_ASSERT_EQUAL(nev, 4);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1 + 4, PKT(10), mac), MDP_ARP_FULL);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1 + 4, NULL, mac), MDP_ARP_FULL);
	CU_ASSERT_EQUAL(nev, 4);	/* no request for what cannot be kept */
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1 + 4));
	CU_ASSERT_PTR_NULL(mdp_arp_learn(t, 0, IP1 + 4, mac_a, true));
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1 + 4));
	CU_ASSERT_EQUAL(t->used, 4);
	/* existing entries can still be learned */
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1 + 2, mac_a, true));
	CU_ASSERT_EQUAL(nev, 5);
	EV_CHECK(4, EV_FLUSH, 0, 0, mac_a, PKT(2));
	/* Freeing one makes room for exactly one, but only for resolution:
	 * with 3 of 4 in use the table is at learning's high-water mark. */
	CU_ASSERT_EQUAL(mdp_arp_remove(t, 0, IP1 + 1), 0);
	CU_ASSERT_EQUAL(nev, 6);
	EV_CHECK(5, EV_DROP, 0, 0, NULL, PKT(1));
	CU_ASSERT_EQUAL(t->used, 3);
	CU_ASSERT_PTR_NULL(mdp_arp_learn(t, 0, IP1 + 4, mac_a, true));
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1 + 4));
	CU_ASSERT_EQUAL(t->used, 3);
	CU_ASSERT_EQUAL(nev, 6);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1 + 4, PKT(4), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(nev, 7);
	EV_CHECK(6, EV_SOLICIT, 0, IP1 + 4, NULL, NULL);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1 + 5, NULL, mac), MDP_ARP_FULL);
	CU_ASSERT_EQUAL(t->used, 4);
	/* the entry resolution created is learned at any fill level */
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1 + 4, mac_b, true));
	CU_ASSERT_EQUAL(nev, 8);
	EV_CHECK(7, EV_FLUSH, 0, 0, mac_b, PKT(4));
	teardown(t);
}

static void
test_remove_flush_all(void)
{
	struct mdp_arp_table *t = setup(&defp, &ops);
	uint8_t mac[6];

	CU_ASSERT_EQUAL(mdp_arp_remove(t, 0, IP1), -ENOENT);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(1), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(2), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(3), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_remove(t, 1, IP1), -ENOENT);	/* other port */
	CU_ASSERT_EQUAL(mdp_arp_remove(t, 0, IP1), 0);
	CU_ASSERT_EQUAL_FATAL(nev, 4);
	EV_CHECK(1, EV_DROP, 0, 0, NULL, PKT(1));
	EV_CHECK(2, EV_DROP, 0, 0, NULL, PKT(2));
	EV_CHECK(3, EV_DROP, 0, 0, NULL, PKT(3));
	CU_ASSERT_EQUAL(mdp_arp_remove(t, 0, IP1), -ENOENT);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1));
	CU_ASSERT_EQUAL(t->used, 0);
	/* its retry timer went with it */
	CU_ASSERT_EQUAL(mdp_wheel_pending(&wheel), 0);
	mdp_wheel_advance(&wheel, 10 * RETRY_TICKS);
	CU_ASSERT_EQUAL(nev, 4);

	/* remove of a REACHABLE entry: no hook at all */
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1, mac_a, true));
	CU_ASSERT_EQUAL(mdp_arp_remove(t, 0, IP1), 0);
	CU_ASSERT_EQUAL(nev, 4);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&wheel), 0);

	/* flush_all: a mix of states and ports */
	nev = 0;
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1, mac_a, true));
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, PKT(10), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, PKT(11), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 1, IP2, PKT(12), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 1, IP3, NULL, mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(t->used, 4);
	CU_ASSERT_EQUAL(nev, 3);
	mdp_arp_flush_all(t);
	CU_ASSERT_EQUAL(t->used, 0);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&wheel), 0);
	CU_ASSERT_EQUAL_FATAL(nev, 6);
	CU_ASSERT_EQUAL(ev_count(EV_DROP), 3);
	/* per entry, the queue goes in arrival order */
	EV_CHECK(3, EV_DROP, 0, 0, NULL, PKT(10));
	EV_CHECK(4, EV_DROP, 0, 0, NULL, PKT(11));
	EV_CHECK(5, EV_DROP, 1, 0, NULL, PKT(12));
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1));
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP2));
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 1, IP2));
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 1, IP3));
	mdp_arp_flush_all(t);	/* on an empty table */
	CU_ASSERT_EQUAL(nev, 6);
	/* the table is whole again: every entry can be used, three quarters
	 * by learning and the rest by resolution */
	for (uint32_t i = 0; i < ENTRIES - ENTRIES / 4; i++)
		CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1 + i, mac_a, true));
	CU_ASSERT_PTR_NULL(mdp_arp_learn(t, 0, IP1 + ENTRIES - ENTRIES / 4, mac_a, true));
	for (uint32_t i = ENTRIES - ENTRIES / 4; i < ENTRIES; i++)
		CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1 + i, NULL, mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(t->used, ENTRIES);
	CU_ASSERT_EQUAL(nev, 6 + ENTRIES / 4);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1 + ENTRIES, NULL, mac), MDP_ARP_FULL);
	CU_ASSERT_PTR_NULL(mdp_arp_learn(t, 0, IP1 + ENTRIES, mac_a, true));
	teardown(t);
}

struct walk {
	unsigned n;
	unsigned stop_at;	/* return 42 at this visit (1-based), 0: never */
	uint32_t ips;		/* bit i: IP1 + i seen */
	unsigned incomplete;
	unsigned probe;
};

static int
walk_fn(const struct mdp_arp_entry *e, void *arg)
{
	struct walk *w = arg;

	w->n++;
	CU_ASSERT(e->state == MDP_ARP_REACHABLE || e->state == MDP_ARP_INCOMPLETE ||
		  e->state == MDP_ARP_PROBE);
	if (e->ip >= IP1 && e->ip < IP1 + 32)
		w->ips |= 1u << (e->ip - IP1);
	w->incomplete += e->state == MDP_ARP_INCOMPLETE;
	w->probe += e->state == MDP_ARP_PROBE;
	return w->n == w->stop_at ? 42 : 0;
}

static void
test_foreach(void)
{
	struct mdp_arp_table *t = setup(&defp, &ops);
	struct walk w = { 0 };
	uint8_t mac[6];

	CU_ASSERT_EQUAL(mdp_arp_foreach(t, walk_fn, &w), 0);
	CU_ASSERT_EQUAL(w.n, 0);
	for (uint32_t i = 0; i < 6; i++)
		CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1 + i, mac_a, true));
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1 + 6, NULL, mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_remove(t, 0, IP1 + 2), 0);
	CU_ASSERT_EQUAL(mdp_arp_foreach(t, walk_fn, &w), 0);
	CU_ASSERT_EQUAL(w.n, 6);
	CU_ASSERT_EQUAL(w.ips, 0x7bu);
	CU_ASSERT_EQUAL(w.incomplete, 1);
	CU_ASSERT_EQUAL(w.probe, 0);
	memset(&w, 0, sizeof(w));
	w.stop_at = 3;
	CU_ASSERT_EQUAL(mdp_arp_foreach(t, walk_fn, &w), 42);
	CU_ASSERT_EQUAL(w.n, 3);
	/* a probing entry is in use too: IP1 carried a packet, the others
	 * aged out and IP1 + 6 was never answered */
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_HIT);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS);
	memset(&w, 0, sizeof(w));
	CU_ASSERT_EQUAL(mdp_arp_foreach(t, walk_fn, &w), 0);
	CU_ASSERT_EQUAL(w.n, 1);
	CU_ASSERT_EQUAL(w.ips, 0x1u);
	CU_ASSERT_EQUAL(w.probe, 1);
	teardown(t);
}

static void
test_two_ports(void)
{
	struct mdp_arp_table *t = setup(&defp, &ops);
	struct mdp_arp_entry *e0, *e1;
	uint8_t mac[6];

	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(1), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 1, IP1, PKT(2), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL_FATAL(nev, 2);
	EV_CHECK(0, EV_SOLICIT, 0, IP1, NULL, NULL);
	EV_CHECK(1, EV_SOLICIT, 1, IP1, NULL, NULL);
	e0 = mdp_arp_lookup(t, 0, IP1);
	e1 = mdp_arp_lookup(t, 1, IP1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e1);
	CU_ASSERT_PTR_NOT_EQUAL(e0, e1);
	CU_ASSERT_EQUAL(t->used, 2);
	/* resolving on port 1 leaves port 0 waiting */
	CU_ASSERT_PTR_EQUAL(mdp_arp_learn(t, 1, IP1, mac_b, true), e1);
	CU_ASSERT_EQUAL_FATAL(nev, 3);
	EV_CHECK(2, EV_FLUSH, 1, 0, mac_b, PKT(2));
	CU_ASSERT_EQUAL(e0->state, MDP_ARP_INCOMPLETE);
	CU_ASSERT_EQUAL(e0->n_pending, 1);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 1, IP1, NULL, mac), MDP_ARP_HIT);
	CU_ASSERT_EQUAL(memcmp(mac, mac_b, 6), 0);
	CU_ASSERT_PTR_EQUAL(mdp_arp_learn(t, 0, IP1, mac_a, true), e0);
	EV_CHECK(3, EV_FLUSH, 0, 0, mac_a, PKT(1));
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_HIT);
	CU_ASSERT_EQUAL(memcmp(mac, mac_a, 6), 0);
	/* ports that differ only above bit 7 (the hash shifts the port) */
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0x100, IP1, mac_b, true));
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0x8000, IP1, mac_b, true));
	CU_ASSERT_EQUAL(t->used, 4);
	CU_ASSERT_EQUAL(mdp_arp_lookup(t, 0x100, IP1)->port, 0x100);
	CU_ASSERT_EQUAL(mdp_arp_lookup(t, 0x8000, IP1)->port, 0x8000);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 2, IP1));
	/* removing one leaves the others */
	CU_ASSERT_EQUAL(mdp_arp_remove(t, 0, IP1), 0);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1));
	CU_ASSERT_PTR_EQUAL(mdp_arp_lookup(t, 1, IP1), e1);
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_lookup(t, 0x100, IP1));
	teardown(t);
}

/* Bucket of (port, ip), found through the public bucket array. */
static uint32_t
bucket_of(uint16_t port, uint32_t ip)
{
	struct mdp_arp_params p = defp;
	struct mdp_arp_table *t;
	uint32_t b = MDP_ARP_NIL;

	p.entries = 64;
	t = mdp_arp_table_create(&p, &wheel, &ops, CTX);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mdp_arp_learn(t, port, ip, mac_a, true));
	for (uint32_t i = 0; i <= t->bucket_mask; i++) {
		if (t->buckets[i] != MDP_ARP_NIL) {
			CU_ASSERT_EQUAL(b, MDP_ARP_NIL);
			b = i;
		}
	}
	mdp_arp_table_free(t);
	return b;
}

static void
test_collisions(void)
{
	enum { N = 64, SAME = 40 };
	struct mdp_arp_params p = defp;
	struct mdp_arp_table *t;
	uint32_t ip[N], target, cand;
	uint16_t port[N];
	uint8_t macs[N][6];
	unsigned n = 0, same = 0, round;

	nev = 0;
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&wheel, 64, 0), 0);
	/* SAME addresses that share one bucket (a 40-long chain), the rest
	 * spread, on two ports. */
	target = bucket_of(0, 0x0a000000u);
	for (cand = 0x0a000000u; same < SAME && cand < 0x0a100000u; cand++) {
		if (bucket_of(0, cand) == target) {
			ip[n] = cand;
			port[n] = 0;
			n++;
			same++;
		}
	}
	CU_ASSERT_EQUAL_FATAL(same, SAME);
	for (cand = 0xc6120001u; n < N; cand++) {
		ip[n] = cand;
		port[n] = (uint16_t)(n & 1);
		n++;
	}
	for (unsigned i = 0; i < N; i++) {
		for (unsigned k = 0; k < 6; k++)
			macs[i][k] = (uint8_t)(0x10 + i + k);
		macs[i][0] = 0x02;
	}
	nev = 0;
	p.entries = N;
	t = mdp_arp_table_create(&p, &wheel, &ops, CTX);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);

	for (round = 0; round < 3; round++) {
		/* Fill completely: two thirds learned directly (up to the
		 * high-water mark of 48), then a third through resolution,
		 * which may take the whole table. */
		for (unsigned i = 0; i < N; i++)
			if (i % 3 != 0)
				CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, port[i], ip[i], macs[i],
								     true));
		CU_ASSERT_EQUAL(t->used, N - (N + 2) / 3);
		for (unsigned i = 0; i < N; i += 3) {
			uint8_t mac[6];

			CU_ASSERT_EQUAL(mdp_arp_resolve(t, port[i], ip[i], NULL, mac),
					MDP_ARP_QUEUED);
			CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, port[i], ip[i], macs[i], true));
		}
		CU_ASSERT_EQUAL(t->used, N);
		CU_ASSERT_PTR_NULL(mdp_arp_learn(t, 0, 0x0b000000u, mac_a, true));
		{
			uint8_t mac[6];

			CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, 0x0b000000u, NULL, mac),
					MDP_ARP_FULL);
		}
		for (unsigned i = 0; i < N; i++) {
			struct mdp_arp_entry *e = mdp_arp_lookup(t, port[i], ip[i]);

			CU_ASSERT_PTR_NOT_NULL_FATAL(e);
			CU_ASSERT_EQUAL(e->ip, ip[i]);
			CU_ASSERT_EQUAL(e->port, port[i]);
			CU_ASSERT_EQUAL(memcmp(e->mac, macs[i], 6), 0);
			CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, (uint16_t)(port[i] + 2), ip[i]));
		}
		/* remove every other: the heads, middles and tails of chains */
		for (unsigned i = round & 1; i < N; i += 2)
			CU_ASSERT_EQUAL(mdp_arp_remove(t, port[i], ip[i]), 0);
		CU_ASSERT_EQUAL(t->used, N / 2);
		for (unsigned i = 0; i < N; i++) {
			struct mdp_arp_entry *e = mdp_arp_lookup(t, port[i], ip[i]);

			if ((i & 1) == (round & 1)) {
				CU_ASSERT_PTR_NULL(e);
				continue;
			}
			CU_ASSERT_PTR_NOT_NULL_FATAL(e);
			CU_ASSERT_EQUAL(e->ip, ip[i]);
			CU_ASSERT_EQUAL(e->port, port[i]);
			CU_ASSERT_EQUAL(memcmp(e->mac, macs[i], 6), 0);
		}
		/* Re-add the removed ones with new MACs: learning creates
		 * them up to the high-water mark (N/2 + N/4 of N), resolution
		 * the rest, which learning then completes. */
		for (unsigned i = round & 1, k = 0; i < N; i += 2, k++) {
			uint8_t mac[6];

			macs[i][5] ^= 0x80;
			if (k < N / 4) {
				CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, port[i], ip[i], macs[i],
								     true));
				continue;
			}
			CU_ASSERT_PTR_NULL(mdp_arp_learn(t, port[i], ip[i], macs[i], true));
			CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, port[i], ip[i]));
			CU_ASSERT_EQUAL(mdp_arp_resolve(t, port[i], ip[i], NULL, mac),
					MDP_ARP_QUEUED);
			CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, port[i], ip[i], macs[i], true));
		}
		CU_ASSERT_EQUAL(t->used, N);
		for (unsigned i = 0; i < N; i++) {
			struct mdp_arp_entry *e = mdp_arp_lookup(t, port[i], ip[i]);
			uint8_t mac[6];

			CU_ASSERT_PTR_NOT_NULL_FATAL(e);
			CU_ASSERT_EQUAL(e->ip, ip[i]);
			CU_ASSERT_EQUAL(e->port, port[i]);
			CU_ASSERT_EQUAL(mdp_arp_resolve(t, port[i], ip[i], NULL, mac), MDP_ARP_HIT);
			CU_ASSERT_EQUAL(memcmp(mac, macs[i], 6), 0);
		}
		/* every entry is reachable from exactly one bucket chain */
		{
			unsigned chained = 0;

			for (uint32_t b = 0; b <= t->bucket_mask; b++)
				for (uint32_t k = t->buckets[b]; k != MDP_ARP_NIL;
				     k = t->entries[k].next) {
					CU_ASSERT_FATAL(chained < N);
					chained++;
				}
			CU_ASSERT_EQUAL(chained, N);
		}
		if (round < 2)
			mdp_arp_flush_all(t);
	}
	/* Aging: the last round resolved through every entry, so all of
	 * them are probed at once, chains included, and freed together when
	 * nobody answers. */
	{
		unsigned solicits = ev_count(EV_SOLICIT);

		CU_ASSERT_EQUAL(ev_count(EV_EXPIRED), 0);
		mdp_wheel_advance(&wheel, wheel.now + TIMEOUT_TICKS);
		CU_ASSERT_EQUAL(t->used, N);
		CU_ASSERT_EQUAL(ev_count(EV_SOLICIT), solicits + N);
		CU_ASSERT_EQUAL(ev_count(EV_EXPIRED), 0);
		for (unsigned i = 0; i < N; i++) {
			struct mdp_arp_entry *e = mdp_arp_lookup(t, port[i], ip[i]);

			CU_ASSERT_PTR_NOT_NULL_FATAL(e);
			CU_ASSERT_EQUAL(e->state, MDP_ARP_PROBE);
		}
		mdp_wheel_advance(&wheel, wheel.now + RETRIES * RETRY_TICKS);
		CU_ASSERT_EQUAL(ev_count(EV_SOLICIT), solicits + RETRIES * N);
	}
	CU_ASSERT_EQUAL(t->used, 0);
	CU_ASSERT_EQUAL(ev_count(EV_EXPIRED), N);
	CU_ASSERT_EQUAL(ev_count(EV_DROP), 0);
	for (unsigned i = 0; i < N; i++)
		CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, port[i], ip[i]));
	teardown(t);
}

/*
 * An entry that resolved a packet since it was last confirmed is probed
 * when it ages: its MAC stays in use while `retries` requests go out
 * retry_ticks apart; an answer makes it REACHABLE again, silence frees it.
 */
static void
test_probe(void)
{
	struct mdp_arp_table *t = setup(&defp, &ops);
	struct mdp_arp_entry *e;
	uint8_t mac[6];

	e = mdp_arp_learn(t, 0, IP1, mac_a, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->used, 0);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(1), mac), MDP_ARP_HIT);
	CU_ASSERT_EQUAL(e->used, 1);
	CU_ASSERT_EQUAL(e->n_pending, 0);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS - 1);
	CU_ASSERT_EQUAL(nev, 0);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS);
	CU_ASSERT_EQUAL_FATAL(nev, 1);
	EV_CHECK(0, EV_SOLICIT, 0, IP1, NULL, NULL);
	CU_ASSERT_EQUAL(evs[0].tick, TIMEOUT_TICKS);
	CU_ASSERT_PTR_EQUAL(mdp_arp_lookup(t, 0, IP1), e);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_PROBE);
	CU_ASSERT_EQUAL(e->tries, 1);
	CU_ASSERT_EQUAL(e->used, 0);
	CU_ASSERT_EQUAL(memcmp(e->mac, mac_a, 6), 0);
	CU_ASSERT_EQUAL(e->timer.expire, TIMEOUT_TICKS + RETRY_TICKS);
	CU_ASSERT_EQUAL(t->used, 1);

	/* the MAC stays in use while probing; no packet is taken */
	memset(mac, 0, sizeof(mac));
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(2), mac), MDP_ARP_HIT);
	CU_ASSERT_EQUAL(memcmp(mac, mac_a, 6), 0);
	CU_ASSERT_EQUAL(e->n_pending, 0);
	CU_ASSERT_EQUAL(t->pending_total, 0);
	memset(mac, 0, sizeof(mac));
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_HIT);
	CU_ASSERT_EQUAL(memcmp(mac, mac_a, 6), 0);
	CU_ASSERT_EQUAL(nev, 1);

	/* No answer: `retries` requests in all, retry_ticks apart, then the
	 * entry is freed and reported expired (traffic during the probe does
	 * not extend it). */
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS + RETRIES * RETRY_TICKS - 1);
	CU_ASSERT_EQUAL_FATAL(nev, RETRIES);
	CU_ASSERT_EQUAL(e->tries, RETRIES);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_PROBE);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS + RETRIES * RETRY_TICKS);
	CU_ASSERT_EQUAL_FATAL(nev, RETRIES + 1);
	for (unsigned i = 0; i < RETRIES; i++) {
		EV_CHECK(i, EV_SOLICIT, 0, IP1, NULL, NULL);
		CU_ASSERT_EQUAL(evs[i].tick, TIMEOUT_TICKS + (uint64_t)i * RETRY_TICKS);
	}
	EV_CHECK(RETRIES, EV_EXPIRED, 0, IP1, NULL, NULL);
	CU_ASSERT_EQUAL(evs[RETRIES].tick, TIMEOUT_TICKS + RETRIES * RETRY_TICKS);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1));
	CU_ASSERT_EQUAL(t->used, 0);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&wheel), 0);
	CU_ASSERT_EQUAL(ev_count(EV_DROP), 0);
	/* the next packet starts a resolution from scratch */
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(3), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_lookup(t, 0, IP1)->state, MDP_ARP_INCOMPLETE);
	EV_CHECK(RETRIES + 1, EV_SOLICIT, 0, IP1, NULL, NULL);
	teardown(t);

	/* An answer during the probe (here RFC 826's merge of any packet
	 * from it, with a new MAC) makes it REACHABLE again with a fresh
	 * aging period; unused in that one, it then expires at once. */
	t = setup(&defp, &ops);
	e = mdp_arp_learn(t, 0, IP1, mac_a, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_HIT);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS + RETRY_TICKS + 3);
	CU_ASSERT_EQUAL_FATAL(nev, 2);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_PROBE);
	CU_ASSERT_EQUAL(e->tries, 2);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_HIT);
	CU_ASSERT_PTR_EQUAL(mdp_arp_learn(t, 0, IP1, mac_b, false), e);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_REACHABLE);
	CU_ASSERT_EQUAL(e->tries, 0);
	CU_ASSERT_EQUAL(e->used, 0);
	CU_ASSERT_EQUAL(e->updated, TIMEOUT_TICKS + RETRY_TICKS + 3);
	CU_ASSERT_EQUAL(e->timer.expire, 2 * TIMEOUT_TICKS + RETRY_TICKS + 3);
	CU_ASSERT_EQUAL(memcmp(e->mac, mac_b, 6), 0);
	CU_ASSERT_EQUAL(t->used, 1);
	/* the retry timer became the aging one: no more requests */
	mdp_wheel_advance(&wheel, 2 * TIMEOUT_TICKS + RETRY_TICKS + 2);
	CU_ASSERT_EQUAL(nev, 2);
	mdp_wheel_advance(&wheel, 2 * TIMEOUT_TICKS + RETRY_TICKS + 3);
	CU_ASSERT_EQUAL_FATAL(nev, 3);
	EV_CHECK(2, EV_EXPIRED, 0, IP1, NULL, NULL);
	CU_ASSERT_EQUAL(evs[2].tick, 2 * TIMEOUT_TICKS + RETRY_TICKS + 3);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1));
	teardown(t);

	/* Confirmed, then used again: probed again at the next deadline. An
	 * answer through learn(create=true) (a packet addressed to us) counts
	 * the same. */
	t = setup(&defp, &ops);
	e = mdp_arp_learn(t, 0, IP1, mac_a, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_HIT);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_PROBE);
	CU_ASSERT_PTR_EQUAL(mdp_arp_learn(t, 0, IP1, mac_a, true), e);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_REACHABLE);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_HIT);
	mdp_wheel_advance(&wheel, 2 * TIMEOUT_TICKS);
	CU_ASSERT_EQUAL_FATAL(nev, 2);
	EV_CHECK(1, EV_SOLICIT, 0, IP1, NULL, NULL);
	CU_ASSERT_EQUAL(evs[1].tick, 2 * TIMEOUT_TICKS);
	CU_ASSERT_EQUAL(e->state, MDP_ARP_PROBE);
	CU_ASSERT_EQUAL(e->tries, 1);
	CU_ASSERT_EQUAL(ev_count(EV_EXPIRED), 0);
	teardown(t);

	/* "Since it was last confirmed": a hit before a re-learn does not
	 * count, and neither do the queued packets a learn flushes. */
	t = setup(&defp, &ops);
	e = mdp_arp_learn(t, 0, IP1, mac_a, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_HIT);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS / 2);
	CU_ASSERT_PTR_EQUAL(mdp_arp_learn(t, 0, IP1, mac_a, false), e);
	CU_ASSERT_EQUAL(e->used, 0);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, PKT(1), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, PKT(2), mac), MDP_ARP_QUEUED);
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP2, mac_b, true));
	CU_ASSERT_EQUAL(mdp_arp_lookup(t, 0, IP2)->used, 0);
	CU_ASSERT_EQUAL_FATAL(nev, 3);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS / 2 + TIMEOUT_TICKS);
	CU_ASSERT_EQUAL_FATAL(nev, 5);
	EV_CHECK(3, EV_EXPIRED, 0, 0, NULL, NULL);
	EV_CHECK(4, EV_EXPIRED, 0, 0, NULL, NULL);
	CU_ASSERT_EQUAL(ev_count(EV_SOLICIT), 1);	/* IP2's resolution only */
	CU_ASSERT_EQUAL(t->used, 0);
	teardown(t);

	/* retries = 1: a single request, freed one retry period later */
	{
		struct mdp_arp_params p = defp;

		p.retries = 1;
		t = setup(&p, &ops);
		CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1, mac_a, true));
		CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_HIT);
		mdp_wheel_advance(&wheel, TIMEOUT_TICKS + RETRY_TICKS - 1);
		CU_ASSERT_EQUAL_FATAL(nev, 1);
		EV_CHECK(0, EV_SOLICIT, 0, IP1, NULL, NULL);
		CU_ASSERT_EQUAL(evs[0].tick, TIMEOUT_TICKS);
		mdp_wheel_advance(&wheel, TIMEOUT_TICKS + RETRY_TICKS);
		CU_ASSERT_EQUAL_FATAL(nev, 2);
		EV_CHECK(1, EV_EXPIRED, 0, IP1, NULL, NULL);
		CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1));
		teardown(t);
	}

	/* without an expired hook the probe still ends in a free */
	t = setup(&defp, &ops_no_expired);
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 5, IP1, mac_a, true));
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 5, IP1, NULL, mac), MDP_ARP_HIT);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS + RETRIES * RETRY_TICKS);
	CU_ASSERT_EQUAL(nev, RETRIES);
	CU_ASSERT_EQUAL(ev_count(EV_SOLICIT), RETRIES);
	EV_CHECK(0, EV_SOLICIT, 5, IP1, NULL, NULL);
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 5, IP1));
	CU_ASSERT_EQUAL(t->used, 0);
	teardown(t);

	/* remove and flush_all of a probing entry: no hook, timer gone */
	t = setup(&defp, &ops);
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1, mac_a, true));
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP2, mac_b, true));
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, NULL, mac), MDP_ARP_HIT);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, NULL, mac), MDP_ARP_HIT);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS);
	CU_ASSERT_EQUAL(nev, 2);
	CU_ASSERT_EQUAL(mdp_arp_remove(t, 0, IP1), 0);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&wheel), 1);
	mdp_arp_flush_all(t);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&wheel), 0);
	CU_ASSERT_EQUAL(t->used, 0);
	mdp_wheel_advance(&wheel, TIMEOUT_TICKS + 10 * RETRY_TICKS);
	CU_ASSERT_EQUAL(nev, 2);
	teardown(t);
}

/*
 * Learning creates entries only up to three quarters of the table
 * (entries - entries / 4); resolution may use all of it, and existing
 * entries are updated at any fill level.
 */
static void
test_learn_high_water(void)
{
	static const struct {
		uint32_t entries, learnable;
	} sizes[] = {
		{ 1, 1 }, { 2, 2 }, { 3, 3 }, { 4, 3 }, { 5, 4 }, { 7, 6 }, { 8, 6 },
		{ 16, 12 }, { 1000, 750 },
	};
	struct mdp_arp_table *t;
	struct mdp_arp_entry *e;
	uint8_t mac[6];

	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct mdp_arp_params p = defp;
		uint32_t n = sizes[k].learnable;

		p.entries = sizes[k].entries;
		t = setup(&p, &ops);
		for (uint32_t i = 0; i < n; i++)
			CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1 + i, mac_a, true));
		CU_ASSERT_PTR_NULL(mdp_arp_learn(t, 0, IP1 + n, mac_a, true));
		CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP1 + n));
		CU_ASSERT_EQUAL(t->used, n);
		CU_ASSERT_EQUAL(mdp_wheel_pending(&wheel), n);
		CU_ASSERT_EQUAL(nev, 0);
		for (uint32_t i = n; i < p.entries; i++)
			CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1 + i, NULL, mac),
					MDP_ARP_QUEUED);
		CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1 + p.entries, NULL, mac),
				MDP_ARP_FULL);
		CU_ASSERT_EQUAL(t->used, p.entries);
		CU_ASSERT_EQUAL(nev, p.entries - n);
		teardown(t);
	}

	t = setup(&defp, &ops);
	for (uint32_t i = 0; i < ENTRIES - ENTRIES / 4; i++)
		CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1 + i, mac_a, true));
	CU_ASSERT_PTR_NULL(mdp_arp_learn(t, 0, IP1 + 12, mac_a, true));
	/* an existing entry is updated at the mark, with or without create */
	e = mdp_arp_lookup(t, 0, IP1);
	CU_ASSERT_PTR_EQUAL(mdp_arp_learn(t, 0, IP1, mac_b, true), e);
	CU_ASSERT_EQUAL(memcmp(e->mac, mac_b, 6), 0);
	CU_ASSERT_PTR_EQUAL(mdp_arp_learn(t, 0, IP1, mac_a, false), e);
	CU_ASSERT_EQUAL(memcmp(e->mac, mac_a, 6), 0);
	/* the last quarter is for resolution; its entries are learned (and
	 * their queues flushed) even with the table full */
	for (uint32_t i = 12; i < ENTRIES; i++)
		CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1 + i, PKT(i), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(t->used, ENTRIES);
	CU_ASSERT_EQUAL(nev, 4);
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1 + 12, mac_b, true));
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1 + 13, mac_b, false));
	CU_ASSERT_EQUAL_FATAL(nev, 6);
	EV_CHECK(4, EV_FLUSH, 0, 0, mac_b, PKT(12));
	EV_CHECK(5, EV_FLUSH, 0, 0, mac_b, PKT(13));
	/* the mark counts every entry in use: freeing one of 16 leaves 15,
	 * still above 12 */
	CU_ASSERT_EQUAL(mdp_arp_remove(t, 0, IP1 + 14), 0);
	CU_ASSERT_PTR_NULL(mdp_arp_learn(t, 0, IP2 + 100, mac_a, true));
	for (uint32_t i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(mdp_arp_remove(t, 0, IP1 + i), 0);
	CU_ASSERT_EQUAL(t->used, 11);
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP2 + 100, mac_a, true));
	CU_ASSERT_PTR_NULL(mdp_arp_learn(t, 0, IP2 + 101, mac_a, true));
	CU_ASSERT_EQUAL(t->used, 12);
	teardown(t);
}

/* pending_total_max caps the packets queued in the whole table. */
static void
test_pending_total(void)
{
	struct mdp_arp_params p = defp;
	struct mdp_arp_table *t;
	uint8_t mac[6];

	p.pending_total_max = 6;
	t = setup(&p, &ops);
	for (unsigned i = 0; i < PENDING; i++)
		CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(i), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, PKT(10), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, PKT(11), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(t->pending_total, 6);
	/* IP2's own queue has room, the table has not */
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, PKT(12), mac), MDP_ARP_QFULL);
	CU_ASSERT_EQUAL(mdp_arp_lookup(t, 0, IP2)->n_pending, 2);
	/* a new address still starts its resolution, without its packet */
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP3, PKT(20), mac), MDP_ARP_QFULL);
	CU_ASSERT_EQUAL(mdp_arp_lookup(t, 0, IP3)->state, MDP_ARP_INCOMPLETE);
	CU_ASSERT_EQUAL(mdp_arp_lookup(t, 0, IP3)->n_pending, 0);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP3, NULL, mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL_FATAL(nev, 3);
	EV_CHECK(2, EV_SOLICIT, 0, IP3, NULL, NULL);
	CU_ASSERT_EQUAL(t->pending_total, 6);

	/* a learn's flush gives its packets' room back */
	CU_ASSERT_PTR_NOT_NULL(mdp_arp_learn(t, 0, IP1, mac_a, true));
	CU_ASSERT_EQUAL(nev, 3 + PENDING);
	CU_ASSERT_EQUAL(t->pending_total, 2);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, PKT(12), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, PKT(13), mac), MDP_ARP_QUEUED);
	/* IP2's own queue is full now */
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP2, PKT(14), mac), MDP_ARP_QFULL);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP3, PKT(21), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP3, PKT(22), mac), MDP_ARP_QUEUED);
	/* and the table's */
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP3, PKT(23), mac), MDP_ARP_QFULL);
	CU_ASSERT_EQUAL(t->pending_total, 6);

	/* so does a remove ... */
	nev = 0;
	CU_ASSERT_EQUAL(mdp_arp_remove(t, 0, IP3), 0);
	CU_ASSERT_EQUAL_FATAL(nev, 2);
	EV_CHECK(0, EV_DROP, 0, 0, NULL, PKT(21));
	EV_CHECK(1, EV_DROP, 0, 0, NULL, PKT(22));
	CU_ASSERT_EQUAL(t->pending_total, 4);
	/* ... and a resolution that fails (IP2 asked at ticks 0, 10, 20) */
	mdp_wheel_advance(&wheel, RETRIES * RETRY_TICKS);
	CU_ASSERT_EQUAL(ev_count(EV_DROP), 2 + 4);
	EV_CHECK(nev - 4, EV_DROP, 0, 0, NULL, PKT(10));
	EV_CHECK(nev - 1, EV_DROP, 0, 0, NULL, PKT(13));
	CU_ASSERT_PTR_NULL(mdp_arp_lookup(t, 0, IP2));
	CU_ASSERT_EQUAL(t->pending_total, 0);

	/* the whole cap is available again, across entries */
	for (unsigned i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(mdp_arp_resolve(t, 1, IP1 + i / 2, PKT(30 + i), mac),
				MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 1, IP1 + 3, PKT(40), mac), MDP_ARP_QFULL);
	CU_ASSERT_EQUAL(t->pending_total, 6);
	mdp_arp_flush_all(t);
	CU_ASSERT_EQUAL(t->pending_total, 0);
	teardown(t);

	/* a table-wide cap below the per-entry one wins */
	p.pending_total_max = 2;
	t = setup(&p, &ops);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(1), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(2), mac), MDP_ARP_QUEUED);
	CU_ASSERT_EQUAL(mdp_arp_resolve(t, 0, IP1, PKT(3), mac), MDP_ARP_QFULL);
	CU_ASSERT_EQUAL(mdp_arp_lookup(t, 0, IP1)->n_pending, 2);
	teardown(t);
	CU_ASSERT_EQUAL(ev_count(EV_DROP), 2);
}

static CU_TestInfo tests[] = {
	{ "create() parameter validation", test_create_args },
	{ "resolve miss: INCOMPLETE, one request, queued", test_resolve_miss },
	{ "queue up to pending_max, then QFULL", test_queue_full },
	{ "retries, then drop in order", test_retries_then_drop },
	{ "learn flushes in arrival order", test_learn_flushes },
	{ "learn(create=false) does not create", test_learn_no_create },
	{ "aging and refresh", test_aging },
	{ "aged while in use: probe, then answer or expiry", test_probe },
	{ "table full", test_table_full },
	{ "learning stops at three quarters of the table", test_learn_high_water },
	{ "pending_total_max caps queued packets table-wide", test_pending_total },
	{ "remove and flush_all", test_remove_flush_all },
	{ "foreach", test_foreach },
	{ "same address on two ports", test_two_ports },
	{ "hash collisions, fill, remove, re-add", test_collisions },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("arp_table", NULL, NULL, tests);
}
