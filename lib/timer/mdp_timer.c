/* SPDX-License-Identifier: BSD-3-Clause */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "mdp_timer.h"

int
mdp_wheel_init(struct mdp_wheel *w, uint32_t nslots, uint64_t now)
{
	if (w == NULL || nslots < 2 || (nslots & (nslots - 1)) != 0)
		return -EINVAL;
	w->slots = calloc(nslots, sizeof(*w->slots));
	if (w->slots == NULL)
		return -ENOMEM;
	w->now = now;
	w->mask = nslots - 1;
	w->pending = 0;
	w->cursor = NULL;
	w->fired = 0;
	return 0;
}

void
mdp_wheel_fini(struct mdp_wheel *w)
{
	free(w->slots);
	w->slots = NULL;
	w->pending = 0;
	w->cursor = NULL;
}

void
mdp_timer_init(struct mdp_timer *t, mdp_timer_cb_t cb, void *arg)
{
	t->next = NULL;
	t->pprev = NULL;
	t->expire = 0;
	t->cb = cb;
	t->arg = arg;
}

static void
unlink_timer(struct mdp_wheel *w, struct mdp_timer *t)
{
	assert(*t->pprev == t);
	assert(w->pending > 0);
	/* advance has already read t as its next timer: skip it */
	if (w->cursor == t)
		w->cursor = t->next;
	*t->pprev = t->next;
	if (t->next != NULL)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
	w->pending--;
}

void
mdp_timer_start(struct mdp_wheel *w, struct mdp_timer *t, uint64_t ticks)
{
	struct mdp_timer **head;

	assert(w->slots != NULL && t->cb != NULL);
	if (t->pprev != NULL)
		unlink_timer(w, t);
	/*
	 * w->now has been (or, in a callback, is being) processed: expiring
	 * there would leave the timer in a slot advance does not look at again
	 * for a whole revolution, and a 0-tick restart from a callback must
	 * not fire again in the same tick.
	 */
	if (ticks == 0)
		ticks = 1;
	t->expire = ticks > UINT64_MAX - w->now ? UINT64_MAX : w->now + ticks;
	/*
	 * Insert at the head: a timer added to the slot advance is walking
	 * lands behind the cursor and is not visited in this pass, which is
	 * right since its expiry is later than the tick being processed.
	 */
	head = &w->slots[t->expire & w->mask];
	t->next = *head;
	if (t->next != NULL)
		t->next->pprev = &t->next;
	t->pprev = head;
	*head = t;
	w->pending++;
}

void
mdp_timer_stop(struct mdp_wheel *w, struct mdp_timer *t)
{
	if (t->pprev != NULL)
		unlink_timer(w, t);
}

/* Fire the timers due by w->now in its slot. */
static unsigned
expire_slot(struct mdp_wheel *w)
{
	struct mdp_timer *t = w->slots[w->now & w->mask];
	unsigned n = 0;

	/*
	 * The callback may stop or free any timer, so the successor is kept in
	 * w->cursor where stop can move it on, and t is not touched after its
	 * callback returns.
	 */
	while (t != NULL) {
		w->cursor = t->next;
		if (t->expire <= w->now) {
			unlink_timer(w, t);
			w->fired++;
			n++;
			t->cb(t, t->arg);
		}
		t = w->cursor;
	}
	return n;
}

unsigned
mdp_wheel_advance(struct mdp_wheel *w, uint64_t now)
{
	unsigned n = 0;

	/* catches most re-entry from a callback, which would lose the cursor */
	assert(w->cursor == NULL);
	if (now <= w->now)
		return 0;
	/*
	 * Past one revolution every slot has come round: process only the last
	 * revolution. An overdue timer's slot is visited at a tick no earlier
	 * than its expiry, so the expire <= w->now test still fires it.
	 */
	if (now - w->now > w->mask)
		w->now = now - w->mask - 1;
	while (w->now < now) {
		w->now++;
		n += expire_slot(w);
	}
	return n;
}
