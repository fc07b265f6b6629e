/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "timer/mdp_timer.h"
#include "unit.h"

/*
 * A probe is a timer plus what the tests want to see of its firing, and the
 * actions its callback takes on the wheel.
 */
struct probe {
	struct mdp_timer t;
	struct mdp_wheel *w;
	int id;
	unsigned fires;
	uint64_t first;		/* w->now at the first and last firing */
	uint64_t last;
	bool restart;		/* re-arm itself with `period` ticks */
	uint64_t period;
	struct probe *victim;	/* stopped by our callback */
	bool free_victim;	/* ... and then freed */
	struct probe *bump;	/* re-armed by our callback with bump_ticks */
	uint64_t bump_ticks;
	struct probe *spawn;	/* started by our callback with spawn_ticks */
	uint64_t spawn_ticks;
};

/* Order of firings across all probes. */
#define LOG_MAX 65536
static int log_id[LOG_MAX];
static uint64_t log_tick[LOG_MAX];
static unsigned nlog;
static int killed_id = -1;
static unsigned freed;

static void
probe_cb(struct mdp_timer *t, void *arg)
{
	struct probe *p = arg;

	CU_ASSERT_PTR_EQUAL(t, &p->t);
	CU_ASSERT_FALSE(mdp_timer_pending(t));
	if (p->fires == 0)
		p->first = p->w->now;
	p->fires++;
	p->last = p->w->now;
	if (nlog < LOG_MAX) {
		log_id[nlog] = p->id;
		log_tick[nlog] = p->w->now;
		nlog++;
	}
	if (p->victim != NULL) {
		mdp_timer_stop(p->w, &p->victim->t);
		if (p->free_victim) {
			killed_id = p->victim->id;
			free(p->victim);
		}
	}
	if (p->bump != NULL)
		mdp_timer_start(p->w, &p->bump->t, p->bump_ticks);
	if (p->spawn != NULL)
		mdp_timer_start(p->w, &p->spawn->t, p->spawn_ticks);
	if (p->restart)
		mdp_timer_start(p->w, t, p->period);
}

static void
probe_init(struct probe *p, struct mdp_wheel *w, int id)
{
	memset(p, 0, sizeof(*p));
	p->w = w;
	p->id = id;
	mdp_timer_init(&p->t, probe_cb, p);
}

static void
log_reset(void)
{
	nlog = 0;
	killed_id = -1;
	freed = 0;
}

static void
test_init_args(void)
{
	static const uint32_t bad[] = { 0, 1, 3, 5, 6, 12, 1000, 0x80000001u,
					UINT32_MAX };
	static const uint32_t good[] = { 2, 4, 4096 };
	struct mdp_wheel w;
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(mdp_wheel_init(&w, bad[i], 0), -EINVAL);
	CU_ASSERT_EQUAL(mdp_wheel_init(NULL, 16, 0), -EINVAL);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&w, 0xa5, sizeof(w));
		CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, good[i], 77), 0);
		CU_ASSERT_EQUAL(w.mask, good[i] - 1);
		CU_ASSERT_EQUAL(w.now, 77);
		CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 0);
		CU_ASSERT_EQUAL(w.fired, 0);
		CU_ASSERT_PTR_NULL(w.cursor);
		CU_ASSERT_PTR_NOT_NULL(w.slots);
		CU_ASSERT_PTR_NULL(w.slots[good[i] - 1]);
		mdp_wheel_fini(&w);
		CU_ASSERT_PTR_NULL(w.slots);
		mdp_wheel_fini(&w);
	}
}

static void
test_timer_init(void)
{
	struct mdp_wheel w;
	struct probe p;

	memset(&p.t, 0xa5, sizeof(p.t));
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 8, 0), 0);
	probe_init(&p, &w, 1);
	CU_ASSERT_FALSE(mdp_timer_pending(&p.t));
	CU_ASSERT_PTR_EQUAL(p.t.arg, &p);
	CU_ASSERT_PTR_EQUAL(p.t.cb, probe_cb);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 100), 0);
	CU_ASSERT_EQUAL(p.fires, 0);
	mdp_wheel_fini(&w);
}

static void
test_fire_exact_tick(void)
{
	struct mdp_wheel w;
	struct probe p;

	log_reset();
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 16, 100), 0);
	probe_init(&p, &w, 1);
	mdp_timer_start(&w, &p.t, 5);
	CU_ASSERT_TRUE(mdp_timer_pending(&p.t));
	CU_ASSERT_EQUAL(p.t.expire, 105);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 1);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 104), 0);
	CU_ASSERT_EQUAL(p.fires, 0);
	CU_ASSERT_EQUAL(w.now, 104);
	CU_ASSERT_TRUE(mdp_timer_pending(&p.t));
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 105), 1);
	CU_ASSERT_EQUAL(p.fires, 1);
	CU_ASSERT_EQUAL(p.last, 105);
	CU_ASSERT_FALSE(mdp_timer_pending(&p.t));
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 0);
	CU_ASSERT_EQUAL(w.fired, 1);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 1000), 0);
	CU_ASSERT_EQUAL(p.fires, 1);
	CU_ASSERT_EQUAL(w.fired, 1);
	mdp_wheel_fini(&w);
}

static void
test_zero_ticks(void)
{
	struct mdp_wheel w;
	struct probe a, b;

	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 16, 50), 0);
	probe_init(&a, &w, 1);
	probe_init(&b, &w, 2);
	mdp_timer_start(&w, &a.t, 0);
	CU_ASSERT_EQUAL(a.t.expire, 51);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 50), 0);
	CU_ASSERT_EQUAL(a.fires, 0);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 51), 1);
	CU_ASSERT_EQUAL(a.fires, 1);
	CU_ASSERT_EQUAL(a.last, 51);

	/* 0 and 1 are the same */
	mdp_timer_start(&w, &a.t, 0);
	mdp_timer_start(&w, &b.t, 1);
	CU_ASSERT_EQUAL(a.t.expire, 52);
	CU_ASSERT_EQUAL(b.t.expire, 52);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 52), 2);
	CU_ASSERT_EQUAL(a.last, 52);
	CU_ASSERT_EQUAL(b.last, 52);
	mdp_wheel_fini(&w);
}

static void
test_restart_moves(void)
{
	struct mdp_wheel w;
	struct probe later, earlier, round;

	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 16, 0), 0);
	probe_init(&later, &w, 1);
	probe_init(&earlier, &w, 2);
	probe_init(&round, &w, 3);
	mdp_timer_start(&w, &later.t, 10);
	mdp_timer_start(&w, &later.t, 20);
	mdp_timer_start(&w, &earlier.t, 10);
	mdp_timer_start(&w, &earlier.t, 3);
	/* same slot, next revolution */
	mdp_timer_start(&w, &round.t, 5);
	mdp_timer_start(&w, &round.t, 5 + 16);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 3);
	CU_ASSERT_EQUAL(later.t.expire, 20);
	CU_ASSERT_EQUAL(earlier.t.expire, 3);
	CU_ASSERT_EQUAL(round.t.expire, 21);

	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 3), 1);
	CU_ASSERT_EQUAL(earlier.fires, 1);
	CU_ASSERT_EQUAL(earlier.last, 3);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 19), 0);
	CU_ASSERT_EQUAL(earlier.fires, 1);
	CU_ASSERT_EQUAL(later.fires, 0);
	CU_ASSERT_EQUAL(round.fires, 0);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 20), 1);
	CU_ASSERT_EQUAL(later.fires, 1);
	CU_ASSERT_EQUAL(later.last, 20);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 21), 1);
	CU_ASSERT_EQUAL(round.fires, 1);
	CU_ASSERT_EQUAL(round.last, 21);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 0);
	mdp_wheel_fini(&w);
}

static void
test_stop_before_expiry(void)
{
	struct mdp_wheel w;
	struct probe p[4];
	int i;

	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 8, 0), 0);
	probe_init(&p[0], &w, 0);
	mdp_timer_start(&w, &p[0].t, 5);
	mdp_timer_stop(&w, &p[0].t);
	CU_ASSERT_FALSE(mdp_timer_pending(&p[0].t));
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 0);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 100), 0);
	CU_ASSERT_EQUAL(p[0].fires, 0);

	/* unlink from the head, middle and tail of one slot list */
	for (i = 0; i < 4; i++) {
		probe_init(&p[i], &w, i);
		mdp_timer_start(&w, &p[i].t, 4);
	}
	mdp_timer_stop(&w, &p[3].t);	/* head: inserted last */
	mdp_timer_stop(&w, &p[0].t);	/* tail */
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 2);
	mdp_timer_start(&w, &p[3].t, 4);
	mdp_timer_stop(&w, &p[2].t);	/* middle */
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 2);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 104), 2);
	CU_ASSERT_EQUAL(p[0].fires, 0);
	CU_ASSERT_EQUAL(p[1].fires, 1);
	CU_ASSERT_EQUAL(p[2].fires, 0);
	CU_ASSERT_EQUAL(p[3].fires, 1);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 0);
	mdp_wheel_fini(&w);
}

static void
test_stop_not_pending(void)
{
	struct mdp_wheel w;
	struct probe idle, other, self;

	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 8, 0), 0);
	probe_init(&idle, &w, 1);
	probe_init(&other, &w, 2);
	probe_init(&self, &w, 3);
	mdp_timer_start(&w, &other.t, 3);

	mdp_timer_stop(&w, &idle.t);
	mdp_timer_stop(&w, &idle.t);
	CU_ASSERT_FALSE(mdp_timer_pending(&idle.t));
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 1);

	/* stopping itself from its callback: already unlinked */
	self.victim = &self;
	mdp_timer_start(&w, &self.t, 3);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 2);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 3), 2);
	CU_ASSERT_EQUAL(self.fires, 1);
	CU_ASSERT_EQUAL(other.fires, 1);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 0);

	/* after firing */
	mdp_timer_start(&w, &idle.t, 20);
	mdp_timer_stop(&w, &other.t);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 1);
	CU_ASSERT_TRUE(mdp_timer_pending(&idle.t));
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 23), 1);
	CU_ASSERT_EQUAL(idle.fires, 1);
	mdp_wheel_fini(&w);
}

static void
test_same_slot_rounds(void)
{
	static const uint64_t ticks[] = { 3, 11, 19, 43, 4, 8 };
	enum { N = sizeof(ticks) / sizeof(ticks[0]) };
	struct mdp_wheel w;
	struct probe p[N];
	uint64_t now;
	unsigned i, due;

	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 8, 0), 0);
	for (i = 0; i < N; i++) {
		probe_init(&p[i], &w, (int)i);
		mdp_timer_start(&w, &p[i].t, ticks[i]);
	}
	for (now = 1; now <= 50; now++) {
		due = 0;
		for (i = 0; i < N; i++)
			due += ticks[i] == now;
		CU_ASSERT_EQUAL(mdp_wheel_advance(&w, now), due);
		for (i = 0; i < N; i++) {
			CU_ASSERT_EQUAL(p[i].fires, ticks[i] <= now);
			CU_ASSERT_EQUAL(mdp_timer_pending(&p[i].t),
					ticks[i] > now);
		}
	}
	for (i = 0; i < N; i++)
		CU_ASSERT_EQUAL(p[i].last, ticks[i]);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 0);
	mdp_wheel_fini(&w);
}

static void
test_jump_revolutions(void)
{
	enum { N = 200, SLOTS = 16 };
	struct mdp_wheel w;
	struct probe p[N], far[3];
	uint64_t target = 1000 + 10000;
	unsigned i;

	log_reset();
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, SLOTS, 1000), 0);
	for (i = 0; i < N; i++) {
		probe_init(&p[i], &w, (int)i);
		mdp_timer_start(&w, &p[i].t, 1 + (i * 37) % 500);
	}
	probe_init(&far[0], &w, 1000);
	probe_init(&far[1], &w, 1001);
	probe_init(&far[2], &w, 1002);
	mdp_timer_start(&w, &far[0].t, 10001);
	mdp_timer_start(&w, &far[1].t, 10000 + SLOTS);
	mdp_timer_start(&w, &far[2].t, 20000);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), N + 3);

	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, target), N);
	CU_ASSERT_EQUAL(w.now, target);
	CU_ASSERT_EQUAL(w.fired, N);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 3);
	for (i = 0; i < N; i++) {
		CU_ASSERT_EQUAL(p[i].fires, 1);
		/* overdue: fired at its slot's tick in the last revolution */
		CU_ASSERT(p[i].last >= target - (SLOTS - 1));
		CU_ASSERT(p[i].last <= target);
		CU_ASSERT_EQUAL(p[i].last % SLOTS, p[i].t.expire % SLOTS);
	}
	for (i = 1; i < nlog; i++)
		CU_ASSERT(log_tick[i - 1] <= log_tick[i]);
	for (i = 0; i < 3; i++)
		CU_ASSERT_TRUE(mdp_timer_pending(&far[i].t));

	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 11000), 0);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 11001), 1);
	CU_ASSERT_EQUAL(far[0].last, 11001);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 11000 + SLOTS - 1), 0);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 11000 + SLOTS), 1);
	CU_ASSERT_EQUAL(far[1].last, 11000 + SLOTS);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 1000000), 1);
	CU_ASSERT_EQUAL(far[2].fires, 1);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 0);
	for (i = 0; i < N; i++)
		CU_ASSERT_EQUAL(p[i].fires, 1);
	mdp_wheel_fini(&w);
}

static void
test_periodic(void)
{
	struct mdp_wheel w;
	struct probe p;
	unsigned i;

	log_reset();
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 64, 0), 0);
	probe_init(&p, &w, 7);
	p.restart = true;
	p.period = 3;
	mdp_timer_start(&w, &p.t, 3);
	for (i = 1; i <= 30; i++)
		CU_ASSERT_EQUAL(mdp_wheel_advance(&w, i), i % 3 == 0);
	CU_ASSERT_EQUAL(p.fires, 10);
	CU_ASSERT_EQUAL_FATAL(nlog, 10);
	for (i = 0; i < nlog; i++)
		CU_ASSERT_EQUAL(log_tick[i], 3 * (i + 1));
	CU_ASSERT_TRUE(mdp_timer_pending(&p.t));
	CU_ASSERT_EQUAL(p.t.expire, 33);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 1);

	/* catching up within one revolution keeps the phase */
	log_reset();
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 60), 10);
	CU_ASSERT_EQUAL_FATAL(nlog, 10);
	for (i = 0; i < nlog; i++)
		CU_ASSERT_EQUAL(log_tick[i], 33 + 3 * i);
	CU_ASSERT_EQUAL(p.t.expire, 63);

	mdp_timer_stop(&w, &p.t);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 200), 0);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 0);
	mdp_wheel_fini(&w);
}

static void
test_periodic_zero(void)
{
	struct mdp_wheel w;
	struct probe p;
	uint64_t n = 1000;

	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 8, n), 0);
	probe_init(&p, &w, 1);
	p.restart = true;
	p.period = 0;
	mdp_timer_start(&w, &p.t, 0);

	/* re-armed in its own tick: once per advance, no loop */
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, n + 1), 1);
	CU_ASSERT_TRUE(mdp_timer_pending(&p.t));
	CU_ASSERT_EQUAL(p.t.expire, n + 2);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, n + 1), 0);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, n + 2), 1);
	CU_ASSERT_EQUAL(p.fires, 2);

	/* once per processed tick when catching up */
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, n + 7), 5);
	CU_ASSERT_EQUAL(p.last, n + 7);

	/*
	 * Jump of 100 ticks on 8 slots: ticks n+100..n+107 are processed, the
	 * timer (expire n+8, slot 0 since n is a multiple of 8) first fires at
	 * n+104, then at each of the following ticks.
	 */
	p.fires = 0;
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, n + 107), 4);
	CU_ASSERT_EQUAL(p.fires, 4);
	CU_ASSERT_EQUAL(p.first, n + 104);
	CU_ASSERT_EQUAL(p.last, n + 107);
	CU_ASSERT_EQUAL(p.t.expire, n + 108);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 1);
	mdp_wheel_fini(&w);
}

static void
test_stop_next_in_slot(void)
{
	struct mdp_wheel w;
	struct probe *a, *b, *survivor;
	struct probe d, later, x, y;

	log_reset();
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 8, 0), 0);
	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	CU_ASSERT_FATAL(a != NULL && b != NULL);
	probe_init(a, &w, 1);
	probe_init(b, &w, 2);
	probe_init(&d, &w, 3);
	probe_init(&later, &w, 4);
	/*
	 * Same slot, same tick: whichever of a and b runs first stops the
	 * other, which is its successor in the list, and frees it, so a
	 * stale cursor is a use after free under ASan.
	 */
	a->victim = b;
	a->free_victim = true;
	b->victim = a;
	b->free_victim = true;
	mdp_timer_start(&w, &later.t, 5 + 8);
	mdp_timer_start(&w, &a->t, 5);
	mdp_timer_start(&w, &b->t, 5);
	mdp_timer_start(&w, &d.t, 5);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 4);

	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 5), 2);
	CU_ASSERT_EQUAL(d.fires, 1);
	CU_ASSERT_EQUAL(later.fires, 0);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 1);
	CU_ASSERT_FATAL(killed_id == 1 || killed_id == 2);
	survivor = killed_id == 1 ? b : a;
	CU_ASSERT_EQUAL(survivor->fires, 1);
	CU_ASSERT_FALSE(mdp_timer_pending(&survivor->t));
	CU_ASSERT_EQUAL(nlog, 2);
	free(survivor);

	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 13), 1);
	CU_ASSERT_EQUAL(later.last, 13);

	/* again without freeing: the stopped one must stay quiet */
	probe_init(&x, &w, 5);
	probe_init(&y, &w, 6);
	x.victim = &y;
	y.victim = &x;
	mdp_timer_start(&w, &x.t, 3);
	mdp_timer_start(&w, &y.t, 3);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 16), 1);
	CU_ASSERT_EQUAL(x.fires + y.fires, 1);
	CU_ASSERT_FALSE(mdp_timer_pending(&x.t));
	CU_ASSERT_FALSE(mdp_timer_pending(&y.t));
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 0);
	mdp_wheel_fini(&w);
}

static void
test_restart_next_in_slot(void)
{
	struct mdp_wheel w;
	struct probe a, b, *first, *second;

	log_reset();
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 8, 0), 0);
	probe_init(&a, &w, 1);
	probe_init(&b, &w, 2);
	/* the first to run pushes the other back by 10 ticks */
	a.bump = &b;
	a.bump_ticks = 10;
	b.bump = &a;
	b.bump_ticks = 10;
	mdp_timer_start(&w, &a.t, 5);
	mdp_timer_start(&w, &b.t, 5);

	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 5), 1);
	CU_ASSERT_EQUAL_FATAL(nlog, 1);
	first = log_id[0] == 1 ? &a : &b;
	second = first == &a ? &b : &a;
	CU_ASSERT_EQUAL(first->last, 5);
	CU_ASSERT_EQUAL(second->fires, 0);
	CU_ASSERT_EQUAL(second->t.expire, 15);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 1);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 14), 0);
	/* second now bumps first, which is not pending: it is started */
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 15), 1);
	CU_ASSERT_EQUAL(second->last, 15);
	CU_ASSERT_EQUAL(first->t.expire, 25);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 1);
	mdp_wheel_fini(&w);
}

static void
test_start_from_callback(void)
{
	struct mdp_wheel w;
	struct probe trig, x, y, z;

	log_reset();
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 16, 0), 0);
	probe_init(&trig, &w, 1);
	probe_init(&x, &w, 2);
	probe_init(&y, &w, 3);
	probe_init(&z, &w, 4);
	trig.spawn = &x;
	trig.spawn_ticks = 0;
	x.spawn = &y;
	x.spawn_ticks = 2;
	/* a whole revolution: lands in the slot being walked */
	y.spawn = &z;
	y.spawn_ticks = 16;
	mdp_timer_start(&w, &trig.t, 5);

	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 5), 1);
	CU_ASSERT_EQUAL(x.t.expire, 6);
	CU_ASSERT_EQUAL(x.fires, 0);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 6), 1);
	CU_ASSERT_EQUAL(x.last, 6);
	CU_ASSERT_EQUAL(y.t.expire, 8);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 7), 0);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 8), 1);
	CU_ASSERT_EQUAL(y.last, 8);
	CU_ASSERT_EQUAL(z.t.expire, 24);
	CU_ASSERT_EQUAL(z.fires, 0);

	/*
	 * The same chain within one catch-up call fires at the same ticks;
	 * y re-arms the pending z.
	 */
	log_reset();
	mdp_timer_start(&w, &trig.t, 5);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 23), 3);
	CU_ASSERT_EQUAL_FATAL(nlog, 3);
	CU_ASSERT_EQUAL(log_id[0], 1);
	CU_ASSERT_EQUAL(log_tick[0], 13);
	CU_ASSERT_EQUAL(log_id[1], 2);
	CU_ASSERT_EQUAL(log_tick[1], 14);
	CU_ASSERT_EQUAL(log_id[2], 3);
	CU_ASSERT_EQUAL(log_tick[2], 16);
	CU_ASSERT_EQUAL(z.fires, 0);
	CU_ASSERT_EQUAL(z.t.expire, 32);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 1);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 31), 0);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 32), 1);
	CU_ASSERT_EQUAL(z.last, 32);
	mdp_wheel_fini(&w);
}

static void
free_cb(struct mdp_timer *t, void *arg)
{
	(void)arg;
	CU_ASSERT_FALSE(mdp_timer_pending(t));
	memset(t, 0x5a, sizeof(*t));
	free(t);
	freed++;
}

static void
test_free_self(void)
{
	struct mdp_wheel w;
	struct mdp_timer *t;
	int i;

	log_reset();
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 8, 0), 0);
	for (i = 0; i < 8; i++) {
		t = malloc(sizeof(*t));
		CU_ASSERT_FATAL(t != NULL);
		mdp_timer_init(t, free_cb, NULL);
		mdp_timer_start(&w, t, i < 5 ? 4 : 4 + 8);
	}
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 4), 5);
	CU_ASSERT_EQUAL(freed, 5);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 3);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 12), 3);
	CU_ASSERT_EQUAL(freed, 8);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 0);
	mdp_wheel_fini(&w);
}

static void
test_order_by_tick(void)
{
	enum { N = 40 };
	struct mdp_wheel w;
	struct probe p[N + 3];
	unsigned i;

	log_reset();
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 64, 0), 0);
	/* 1..40 in scrambled order, plus duplicates of 7 */
	for (i = 0; i < N; i++) {
		probe_init(&p[i], &w, (int)((i * 17) % N + 1));
		mdp_timer_start(&w, &p[i].t, (uint64_t)p[i].id);
	}
	for (i = N; i < N + 3; i++) {
		probe_init(&p[i], &w, 7);
		mdp_timer_start(&w, &p[i].t, 7);
	}
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 63), N + 3);
	CU_ASSERT_EQUAL_FATAL(nlog, N + 3);
	for (i = 0; i < nlog; i++)
		CU_ASSERT_EQUAL(log_tick[i], (uint64_t)log_id[i]);
	for (i = 1; i < nlog; i++)
		CU_ASSERT(log_tick[i - 1] <= log_tick[i]);
	CU_ASSERT_EQUAL(log_id[0], 1);
	CU_ASSERT_EQUAL(log_id[nlog - 1], N);
	mdp_wheel_fini(&w);
}

static void
test_advance_backwards(void)
{
	struct mdp_wheel w;
	struct probe p;

	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 16, 1000), 0);
	probe_init(&p, &w, 1);
	mdp_timer_start(&w, &p.t, 1);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 999), 0);
	CU_ASSERT_EQUAL(w.now, 1000);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 1000), 0);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 0), 0);
	CU_ASSERT_EQUAL(w.now, 1000);
	CU_ASSERT_EQUAL(p.fires, 0);
	CU_ASSERT_TRUE(mdp_timer_pending(&p.t));
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 1001), 1);
	CU_ASSERT_EQUAL(p.last, 1001);
	mdp_wheel_fini(&w);
}

static void
test_pending_count(void)
{
	enum { N = 10 };
	struct mdp_wheel w;
	struct probe p[N];
	int i;

	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 4, 0), 0);
	for (i = 0; i < N; i++) {
		probe_init(&p[i], &w, i);
		mdp_timer_start(&w, &p[i].t, (uint64_t)(i + 1) * 2);
		CU_ASSERT_EQUAL(mdp_wheel_pending(&w), (uint32_t)i + 1);
	}
	mdp_timer_start(&w, &p[0].t, 100);
	mdp_timer_start(&w, &p[0].t, 2);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), N);
	mdp_timer_stop(&w, &p[9].t);
	mdp_timer_stop(&w, &p[8].t);
	mdp_timer_stop(&w, &p[7].t);
	mdp_timer_stop(&w, &p[7].t);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), N - 3);
	p[1].restart = true;
	p[1].period = 50;
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 4), 2);	/* p0 at 2, p1 at 4 */
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), N - 4);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 14), 5);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 1);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 54), 1);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 1);
	p[1].restart = false;
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 104), 1);
	CU_ASSERT_EQUAL(mdp_wheel_pending(&w), 0);
	CU_ASSERT_EQUAL(w.fired, 9);
	mdp_wheel_fini(&w);
}

static void
test_far_future(void)
{
	struct mdp_wheel w;
	struct probe p, q;

	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 16, 0), 0);
	probe_init(&p, &w, 1);
	mdp_timer_start(&w, &p.t, UINT64_MAX);
	CU_ASSERT_EQUAL(p.t.expire, UINT64_MAX);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, 1000000), 0);
	CU_ASSERT_TRUE(mdp_timer_pending(&p.t));
	mdp_wheel_fini(&w);

	/* the end of time: clamped expiry, and advance terminates */
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, 16, UINT64_MAX - 10), 0);
	probe_init(&p, &w, 1);
	probe_init(&q, &w, 2);
	mdp_timer_start(&w, &p.t, 100);
	mdp_timer_start(&w, &q.t, 5);
	CU_ASSERT_EQUAL(p.t.expire, UINT64_MAX);
	CU_ASSERT_EQUAL(q.t.expire, UINT64_MAX - 5);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, UINT64_MAX - 6), 0);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, UINT64_MAX - 5), 1);
	CU_ASSERT_EQUAL(q.last, UINT64_MAX - 5);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, UINT64_MAX), 1);
	CU_ASSERT_EQUAL(p.last, UINT64_MAX);
	CU_ASSERT_EQUAL(w.now, UINT64_MAX);
	CU_ASSERT_EQUAL(mdp_wheel_advance(&w, UINT64_MAX), 0);
	mdp_wheel_fini(&w);
}

/* xorshift64*: same sequence on every libc */
static uint64_t rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

/*
 * Random start/stop/advance against a model that knows only the contract:
 * a timer due by the target fires at its expiry, or, when the advance
 * skips more than a revolution, at its slot's tick in the last revolution;
 * a periodic timer then fires every `period` ticks up to the target.
 */
static void
test_random_model(void)
{
	enum { N = 48, SLOTS = 32, OPS = 10000 };
	const uint64_t mask = SLOTS - 1;
	struct mdp_wheel w;
	struct probe p[N];
	bool m_pending[N];
	uint64_t m_expire[N];
	unsigned i, op, total = 0, jumps = 0;

	rng_state = 0x9e3779b97f4a7c15ull;
	CU_ASSERT_EQUAL_FATAL(mdp_wheel_init(&w, SLOTS, 0), 0);
	for (i = 0; i < N; i++) {
		probe_init(&p[i], &w, (int)i);
		if (i % 3 == 0) {
			p[i].restart = true;
			p[i].period = i % 40;	/* includes 0 */
		}
		m_pending[i] = false;
	}
	for (op = 0; op < OPS; op++) {
		uint64_t r = rng() % 100;

		i = (unsigned)(rng() % N);
		if (r < 45) {
			uint64_t ticks = rng() % 100;

			if (rng() % 50 == 0)
				ticks = 5000 + rng() % 100;
			mdp_timer_start(&w, &p[i].t, ticks);
			m_pending[i] = true;
			m_expire[i] = w.now + (ticks ? ticks : 1);
		} else if (r < 65) {
			mdp_timer_stop(&w, &p[i].t);
			m_pending[i] = false;
		} else if (r < 97) {
			uint64_t from = w.now, target, lo;
			unsigned expect = 0, n;

			r = rng() % 10;
			if (r < 6)
				target = from + rng() % 8;
			else if (r < 9)
				target = from + rng() % (3 * SLOTS);
			else
				target = from - (from < 5 ? from : rng() % 5);
			lo = target - from > mask ? target - mask : from + 1;
			jumps += target - from > mask;

			for (i = 0; i < N; i++)
				p[i].fires = 0;
			log_reset();
			n = mdp_wheel_advance(&w, target);
			if (target < from)
				target = from;
			CU_ASSERT_EQUAL_FATAL(w.now, target);

			for (i = 0; i < N; i++) {
				uint64_t at, cnt, per = 0;

				if (!m_pending[i] || m_expire[i] > target) {
					CU_ASSERT_EQUAL_FATAL(p[i].fires, 0);
					continue;
				}
				/* skipped ticks: its slot's tick in [lo, target] */
				at = m_expire[i] >= lo ? m_expire[i] :
				     lo + ((m_expire[i] - lo) & mask);
				CU_ASSERT_FATAL(at <= target);
				if (p[i].restart) {
					per = p[i].period ? p[i].period : 1;
					cnt = 1 + (target - at) / per;
					m_expire[i] = at + cnt * per;
				} else {
					cnt = 1;
					m_pending[i] = false;
				}
				CU_ASSERT_EQUAL_FATAL(p[i].fires, cnt);
				CU_ASSERT_EQUAL_FATAL(p[i].first, at);
				CU_ASSERT_EQUAL_FATAL(p[i].last,
						      at + (cnt - 1) * per);
				expect += (unsigned)cnt;
			}
			CU_ASSERT_EQUAL_FATAL(n, expect);
			CU_ASSERT_EQUAL_FATAL(nlog, expect);
			for (i = 1; i < nlog; i++)
				CU_ASSERT_FATAL(log_tick[i - 1] <= log_tick[i]);
			total += n;
		}
		{
			uint32_t cnt = 0;

			for (i = 0; i < N; i++) {
				CU_ASSERT_EQUAL_FATAL(mdp_timer_pending(&p[i].t),
						      m_pending[i]);
				if (m_pending[i]) {
					CU_ASSERT_EQUAL_FATAL(p[i].t.expire,
							      m_expire[i]);
				}
				cnt += m_pending[i];
			}
			CU_ASSERT_EQUAL_FATAL(mdp_wheel_pending(&w), cnt);
		}
	}
	CU_ASSERT_EQUAL(w.fired, total);
	/* the run must have exercised what it claims to */
	CU_ASSERT(total > 5000);
	CU_ASSERT(jumps > 100);
	mdp_wheel_fini(&w);
}

static CU_TestInfo tests[] = {
	{ "init argument validation", test_init_args },
	{ "timer init", test_timer_init },
	{ "fires at its tick, not before", test_fire_exact_tick },
	{ "zero ticks fires at the next tick", test_zero_ticks },
	{ "restart of a pending timer moves it", test_restart_moves },
	{ "stop before expiry", test_stop_before_expiry },
	{ "stop of a non-pending timer", test_stop_not_pending },
	{ "same slot, different rounds", test_same_slot_rounds },
	{ "jump of many revolutions", test_jump_revolutions },
	{ "periodic timer", test_periodic },
	{ "periodic timer with zero ticks", test_periodic_zero },
	{ "callback stops the next timer", test_stop_next_in_slot },
	{ "callback restarts the next timer", test_restart_next_in_slot },
	{ "callback starts timers", test_start_from_callback },
	{ "callback frees its timer", test_free_self },
	{ "firing order is by tick", test_order_by_tick },
	{ "advance to an earlier tick", test_advance_backwards },
	{ "pending count", test_pending_count },
	{ "expiry clamped at the end of time", test_far_future },
	{ "random operations against a model", test_random_model },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("timer", NULL, NULL, tests);
}
