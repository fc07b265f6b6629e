/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TIMER_H
#define MDP_TIMER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Hashed timing wheel (Varghese & Lauck, scheme 6), one per worker core.
 *
 * Time is counted in abstract ticks; the owner converts its clock (TSC on a
 * worker) to ticks and calls mdp_wheel_advance(). A timer expiring at tick
 * E sits in slot E & mask; the slot list may hold timers for later rounds,
 * which advance skips. Start and stop are O(1) (doubly linked, intrusive);
 * advance costs O(slots visited + timers in them).
 *
 * The wheel's current tick is w->now. Outside mdp_wheel_advance() it is the
 * last tick processed; while advance runs callbacks it is the tick being
 * processed, so a timer (re)started from a callback is timed from the tick
 * at which the callback was due, and always lands on a later tick.
 *
 * Not thread-safe: a wheel and its timers belong to one core.
 * No memory is allocated after mdp_wheel_init().
 */

struct mdp_timer;
struct mdp_wheel;

/* Expiry callback. The timer is no longer pending when it runs; the callback
 * may restart it, start or stop any other timer on the same wheel (including
 * ones due in the same tick), or free the memory holding it. It must not
 * call mdp_wheel_advance() or mdp_wheel_fini() on its own wheel. */
typedef void (*mdp_timer_cb_t)(struct mdp_timer *t, void *arg);

struct mdp_timer {
	struct mdp_timer *next;	/* slot list link */
	struct mdp_timer **pprev;	/* link pointing at us; NULL: not pending */
	uint64_t expire;	/* absolute tick, valid while pending */
	mdp_timer_cb_t cb;
	void *arg;
};

struct mdp_wheel {
	uint64_t now;		/* current tick (see above) */
	uint32_t mask;		/* slots - 1 */
	uint32_t pending;	/* number of pending timers */
	struct mdp_timer **slots;	/* heads of the slot lists */
	struct mdp_timer *cursor;	/* next timer to visit while advancing;
					 * stop moves it past the timer it
					 * unlinks */
	uint64_t fired;		/* total callbacks run (statistics) */
};

/* Initialise a wheel with nslots slots (a power of two, >= 2) whose current
 * tick is now. Allocates the slot array (start-up only).
 * Returns 0, -EINVAL (w NULL or bad nslots) or -ENOMEM. */
int mdp_wheel_init(struct mdp_wheel *w, uint32_t nslots, uint64_t now);

/* Release the slot array. Pending timers are forgotten, not fired, and not
 * touched (their memory may already be gone): they still look pending and
 * must be re-initialised with mdp_timer_init() before reuse. Calling fini
 * twice is harmless. */
void mdp_wheel_fini(struct mdp_wheel *w);

/* Prepare a timer; it is not pending afterwards. t must not be pending on a
 * live wheel (stop it first). */
void mdp_timer_init(struct mdp_timer *t, mdp_timer_cb_t cb, void *arg);

/* Arm t to fire `ticks` ticks after the wheel's current tick w->now, that is
 * at the first advance that reaches w->now + ticks. The current tick has
 * already been processed, so 0 means the same as 1: fire at the next tick.
 * From a callback, that next tick may still come within the same advance
 * call if it is catching up several ticks; a timer can thus fire at most
 * once per tick an advance processes, never in the tick that (re)armed it.
 * A pending timer is re-armed. An expiry beyond UINT64_MAX is clamped to
 * it. O(1). */
void mdp_timer_start(struct mdp_wheel *w, struct mdp_timer *t, uint64_t ticks);

/* Disarm t; a timer that is not pending is left alone. O(1). */
void mdp_timer_stop(struct mdp_wheel *w, struct mdp_timer *t);

/* True while t is armed and has not fired. */
static inline bool
mdp_timer_pending(const struct mdp_timer *t)
{
	return t->pprev != NULL;
}

/* Move the wheel to tick `now`, processing each tick from w->now + 1 to now
 * and firing every timer with expire <= now. Timers fire in order of expiry
 * tick; the order among timers due in the same tick is unspecified. A jump
 * of more than one revolution processes only the last revolution, visiting
 * each slot once: overdue timers fire in slot order, at the tick of their
 * slot in that revolution. A `now` not after the current tick does nothing.
 * Must not be called from a timer callback.
 * Returns the number of callbacks run. */
unsigned mdp_wheel_advance(struct mdp_wheel *w, uint64_t now);

/* Number of pending timers. */
static inline uint32_t
mdp_wheel_pending(const struct mdp_wheel *w)
{
	return w->pending;
}

#endif
