/* SPDX-License-Identifier: BSD-3-Clause */
/* The pure parts of the runtime view (dp/dp_counters.h): RX burst
 * histogram buckets, and the baseline arithmetic behind `runtime --reset`. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "dp.h"
#include "unit.h"

static void
test_bucket_small(void)
{
	CU_ASSERT_EQUAL(mdp_burst_bucket(0), 0);
	CU_ASSERT_EQUAL(mdp_burst_bucket(1), 1);
	CU_ASSERT_EQUAL(mdp_burst_bucket(2), 2);
	CU_ASSERT_EQUAL(mdp_burst_bucket(3), 2);
	CU_ASSERT_EQUAL(mdp_burst_bucket(4), 3);
	CU_ASSERT_EQUAL(mdp_burst_bucket(7), 3);
	CU_ASSERT_EQUAL(mdp_burst_bucket(8), 4);
	CU_ASSERT_EQUAL(mdp_burst_bucket(31), 5);
	CU_ASSERT_EQUAL(mdp_burst_bucket(32), 6);
	CU_ASSERT_EQUAL(mdp_burst_bucket(255), 8);
	CU_ASSERT_EQUAL(mdp_burst_bucket(MDP_BURST_MAX), MDP_BURST_BUCKETS - 1);
	/* Beyond the largest burst: clamped, never out of the array. */
	CU_ASSERT_EQUAL(mdp_burst_bucket(100000), MDP_BURST_BUCKETS - 1);
}

/* Every burst size 0..MDP_BURST_MAX lies in its bucket's range, and the
 * ranges tile 0..MDP_BURST_MAX without gaps or overlaps. */
static void
test_bucket_ranges(void)
{
	unsigned lo, hi, next = 0;

	for (unsigned n = 0; n <= MDP_BURST_MAX; n++) {
		unsigned b = mdp_burst_bucket(n);

		CU_ASSERT_FATAL(b < MDP_BURST_BUCKETS);
		mdp_burst_bucket_range(b, &lo, &hi);
		CU_ASSERT(lo <= n && n <= hi);
	}
	for (unsigned b = 0; b < MDP_BURST_BUCKETS; b++) {
		mdp_burst_bucket_range(b, &lo, &hi);
		CU_ASSERT_EQUAL(lo, next);
		CU_ASSERT(hi >= lo);
		next = hi + 1;
	}
	CU_ASSERT_EQUAL(next, MDP_BURST_MAX + 1);
}

/* The word count covers every member and stops before the tail padding. */
static void
test_words(void)
{
	CU_ASSERT_EQUAL(MDP_LOOP_STATS_WORDS,
			8 + MDP_BURST_BUCKETS + 2 * MDP_STAGE_COUNT);
	CU_ASSERT(MDP_LOOP_STATS_WORDS * sizeof(uint64_t) <= sizeof(struct mdp_loop_stats));
	CU_ASSERT_EQUAL(offsetof(struct mdp_loop_stats, stage[MDP_STAGE_COUNT - 1].calls),
			(MDP_LOOP_STATS_WORDS - 1) * sizeof(uint64_t));
}

static void
fill(struct mdp_loop_stats *s, uint64_t mul, uint64_t add)
{
	uint64_t *w = (uint64_t *)s;

	for (size_t i = 0; i < MDP_LOOP_STATS_WORDS; i++)
		w[i] = i * mul + add;
}

static void
test_sub_members(void)
{
	struct mdp_loop_stats now, base, d;

	fill(&now, 1000, 500);
	fill(&base, 3, 1);
	memset(&d, 0xa5, sizeof(d));
	mdp_loop_stats_sub(&d, &now, &base);
	CU_ASSERT_EQUAL(d.polls_busy, now.polls_busy - base.polls_busy);
	CU_ASSERT_EQUAL(d.polls_idle, now.polls_idle - base.polls_idle);
	CU_ASSERT_EQUAL(d.sleeps, now.sleeps - base.sleeps);
	CU_ASSERT_EQUAL(d.sleep_us, now.sleep_us - base.sleep_us);
	CU_ASSERT_EQUAL(d.timers_fired, now.timers_fired - base.timers_fired);
	CU_ASSERT_EQUAL(d.cycles_busy, now.cycles_busy - base.cycles_busy);
	CU_ASSERT_EQUAL(d.cycles_idle, now.cycles_idle - base.cycles_idle);
	CU_ASSERT_EQUAL(d.cycles_sleep, now.cycles_sleep - base.cycles_sleep);
	for (unsigned b = 0; b < MDP_BURST_BUCKETS; b++)
		CU_ASSERT_EQUAL(d.rx_bursts[b], now.rx_bursts[b] - base.rx_bursts[b]);
	for (unsigned s = 0; s < MDP_STAGE_COUNT; s++) {
		CU_ASSERT_EQUAL(d.stage[s].cycles, now.stage[s].cycles - base.stage[s].cycles);
		CU_ASSERT_EQUAL(d.stage[s].calls, now.stage[s].calls - base.stage[s].calls);
	}
	/* The tail padding is not written. */
	for (size_t i = MDP_LOOP_STATS_WORDS * sizeof(uint64_t); i < sizeof(d); i++)
		CU_ASSERT_EQUAL(((unsigned char *)&d)[i], 0xa5);
}

/* A baseline ahead of the live value (cannot happen with one writer whose
 * counters only grow) gives 0, not a wrapped huge count. */
static void
test_sub_no_wrap(void)
{
	struct mdp_loop_stats now, base, d;

	fill(&now, 1, 10);
	fill(&base, 1, 11);
	mdp_loop_stats_sub(&d, &now, &base);
	CU_ASSERT_EQUAL(d.polls_busy, 0);
	CU_ASSERT_EQUAL(d.stage[MDP_STAGE_CALL].calls, 0);
	/* d may alias now. */
	fill(&base, 0, 4);
	mdp_loop_stats_sub(&now, &now, &base);
	CU_ASSERT_EQUAL(now.polls_busy, 10 - 4);
}

/* What `runtime --reset` does: the sample reported becomes the baseline,
 * so the next report counts only what happened after it, and the two
 * reports add up to the counts since start. */
static void
test_reset_as_baseline(void)
{
	struct mdp_loop_stats live, base, first, second;

	memset(&live, 0, sizeof(live));
	memset(&base, 0, sizeof(base));
	live.polls_busy = 100;
	live.rx_bursts[mdp_burst_bucket(32)] = 90;
	live.stage[MDP_STAGE_INPUT].cycles = 123456;

	mdp_loop_stats_read(&first, &live);
	mdp_loop_stats_sub(&first, &first, &base);
	CU_ASSERT_EQUAL(first.polls_busy, 100);
	mdp_loop_stats_read(&base, &live);	/* reset */

	live.polls_busy += 7;
	live.rx_bursts[mdp_burst_bucket(32)] += 3;
	live.stage[MDP_STAGE_INPUT].cycles += 1000;
	mdp_loop_stats_read(&second, &live);
	mdp_loop_stats_sub(&second, &second, &base);
	CU_ASSERT_EQUAL(second.polls_busy, 7);
	CU_ASSERT_EQUAL(second.rx_bursts[6], 3);
	CU_ASSERT_EQUAL(second.stage[MDP_STAGE_INPUT].cycles, 1000);
	CU_ASSERT_EQUAL(first.polls_busy + second.polls_busy, live.polls_busy);
}

static void
test_stage_names(void)
{
	for (unsigned s = 0; s < MDP_STAGE_COUNT; s++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(mdp_stage_name[s]);
		for (unsigned t = 0; t < s; t++)
			CU_ASSERT(strcmp(mdp_stage_name[s], mdp_stage_name[t]) != 0);
	}
	CU_ASSERT_STRING_EQUAL(mdp_stage_name[MDP_STAGE_INPUT], "input");
}

static CU_TestInfo tests[] = {
	{ "burst buckets of small sizes", test_bucket_small },
	{ "burst bucket ranges tile 0..MDP_BURST_MAX", test_bucket_ranges },
	{ "loop stats are words up to the padding", test_words },
	{ "delta of every member", test_sub_members },
	{ "delta never wraps", test_sub_no_wrap },
	{ "reset is a new baseline", test_reset_as_baseline },
	{ "stage names", test_stage_names },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("runtime", NULL, NULL, tests);
}
