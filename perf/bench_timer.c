/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of the timing wheel (lib/timer/mdp_timer.h): the cost of
 * mdp_timer_start(), mdp_timer_stop(), re-arming a pending timer (what TCP
 * does on every ACK for the retransmission timer), and mdp_wheel_advance()
 * per tick, with a realistic population of pending timers. Not a test; built
 * by perf/meson.build as build/perf/bench_timer and run by `perf/run micro`:
 *
 *   build/perf/bench_timer [TIMERS [ITERATIONS]]
 *
 * The wheel is the worker's default (4096 slots); TIMERS timers (default
 * 100,000, e.g. 25,000 connections with four timers each) are pending at
 * random delays of 1 ms .. 120 s (ticks of 1 ms), so that some sit in later
 * revolutions and are passed over by advance. Each figure is the best of 5
 * rounds (the machine may be shared; interference only adds time), in ns
 * per operation; advance is reported per tick and per timer fired.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "timer/mdp_timer.h"

#define SLOTS	4096u
#define ROUNDS	5

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned long fired;

static void
cb(struct mdp_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	fired++;
}

/* a delay in ticks: mostly short (RTO, delayed ACK), some long (keepalive,
 * idle timeouts beyond one revolution) */
static uint64_t
delay(void)
{
	uint64_t r = xorshift();

	switch (r & 7) {
	case 0: case 1: case 2: case 3:
		return 1 + (r >> 8) % 400;	/* 1..400 ms */
	case 4: case 5:
		return 200 + (r >> 8) % 3800;	/* within one revolution */
	default:
		return 1 + (r >> 8) % 120000;	/* up to 120 s */
	}
}

int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	unsigned long iters = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000000;
	struct mdp_timer *tm;
	struct mdp_wheel w;
	double best_start = 1e30, best_stop = 1e30, best_rearm = 1e30, best_adv = 1e30;
	double adv_fired_ns = 0;
	uint64_t *dl;

	if (n < 1 || iters < ROUNDS) {
		fprintf(stderr, "usage: bench_timer [TIMERS >= 1 [ITERATIONS >= %d]]\n", ROUNDS);
		return 2;
	}
	tm = calloc(n, sizeof(*tm));
	dl = calloc(n, sizeof(*dl));
	if (tm == NULL || dl == NULL || mdp_wheel_init(&w, SLOTS, 0) != 0) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	for (unsigned long i = 0; i < n; i++) {
		mdp_timer_init(&tm[i], cb, NULL);
		dl[i] = delay();
	}

	for (unsigned r = 0; r < ROUNDS; r++) {
		double t0, t1;

		/* start n timers on an empty wheel */
		t0 = now_ns();
		for (unsigned long i = 0; i < n; i++)
			mdp_timer_start(&w, &tm[i], dl[i]);
		t1 = now_ns();
		if ((t1 - t0) / n < best_start)
			best_start = (t1 - t0) / n;

		/* re-arm pending timers (TCP's RTO on every ACK): a stop and a
		 * start in one call, the slot changing each time */
		t0 = now_ns();
		for (unsigned long i = 0; i < iters / ROUNDS; i++) {
			unsigned long k = i % n;

			mdp_timer_start(&w, &tm[k], dl[(k + i) % n]);
		}
		t1 = now_ns();
		if ((t1 - t0) / (iters / ROUNDS) < best_rearm)
			best_rearm = (t1 - t0) / (iters / ROUNDS);

		/* stop them all */
		t0 = now_ns();
		for (unsigned long i = 0; i < n; i++)
			mdp_timer_stop(&w, &tm[i]);
		t1 = now_ns();
		if ((t1 - t0) / n < best_stop)
			best_stop = (t1 - t0) / n;
		if (mdp_wheel_pending(&w) != 0) {
			fprintf(stderr, "%u timers still pending\n", mdp_wheel_pending(&w));
			return 1;
		}
	}

	/* advance: n timers pending, one tick at a time for two revolutions
	 * (8192 ticks = 8.2 s of 1 ms ticks), as a worker does */
	for (unsigned r = 0; r < ROUNDS; r++) {
		unsigned long before = fired, ticks = 2 * SLOTS;
		uint64_t base = w.now;
		double t0, t1;

		for (unsigned long i = 0; i < n; i++)
			mdp_timer_start(&w, &tm[i], dl[i]);
		t0 = now_ns();
		for (unsigned long k = 1; k <= ticks; k++)
			mdp_wheel_advance(&w, base + k);
		t1 = now_ns();
		if ((t1 - t0) / ticks < best_adv) {
			best_adv = (t1 - t0) / ticks;
			adv_fired_ns = fired > before ? (t1 - t0) / (double)(fired - before) : 0;
		}
		for (unsigned long i = 0; i < n; i++)
			mdp_timer_stop(&w, &tm[i]);
	}

	/* an empty wheel: the floor of advance per tick */
	{
		double t0 = now_ns(), t1;
		uint64_t base = w.now;

		for (unsigned long k = 1; k <= 1000000; k++)
			mdp_wheel_advance(&w, base + k);
		t1 = now_ns();
		printf("timers pending: %lu, wheel %u slots, ticks of 1 ms, delays 1 ms..120 s\n", n,
		       SLOTS);
		printf("start (empty slot lists filling):   %6.1f ns/timer\n", best_start);
		printf("re-arm a pending timer:             %6.1f ns/call\n", best_rearm);
		printf("stop:                               %6.1f ns/timer\n", best_stop);
		printf("advance one tick, %lu pending:    %6.1f ns/tick (%.1f ns per timer fired)\n",
		       n, best_adv, adv_fired_ns);
		printf("advance one tick, empty wheel:      %6.1f ns/tick\n", (t1 - t0) / 1e6);
	}
	mdp_wheel_fini(&w);
	free(tm);
	free(dl);
	return 0;
}
