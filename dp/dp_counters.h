/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_DP_COUNTERS_H
#define MDP_DP_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "conf/mdp_config.h"

/* Counter identifiers, generated from dp_counters.def. */
enum mdp_cnt {
#define MDP_CNT(kind, sym, name, help) MDP_CNT_##sym,
#include "dp_counters.def"
#undef MDP_CNT
	MDP_CNT_COUNT
};

enum mdp_cnt_kind { MDP_CNT_KIND_EV, MDP_CNT_KIND_DROP };

struct mdp_cnt_desc {
	const char *name;
	const char *help;
	enum mdp_cnt_kind kind;
};

/* Name, help and kind of every counter, indexed by enum mdp_cnt. */
extern const struct mdp_cnt_desc mdp_cnt_desc[MDP_CNT_COUNT];

/*
 * One worker's counters, per port. Written only by the owning worker with
 * plain increments; the control thread reads them without locks (aligned
 * 64-bit loads are atomic on the platforms DPDK supports; a sum may be a
 * few packets stale, never torn).
 */
struct mdp_counters {
	uint64_t port[MDP_MAX_PORTS][MDP_CNT_COUNT];
} __rte_cache_aligned;

/*
 * Cost accounting of one worker's loop (`meshctl runtime`, after VPP's
 * `show runtime`). Cycles are rte_rdtsc() differences taken at stage
 * boundaries: wall-clock time on the worker's core, including any time the
 * OS gave the CPU to another thread. Written only by the owning worker with
 * plain increments; the control thread reads them with
 * mdp_loop_stats_read() and never writes them (a reset is a baseline it
 * keeps, see mdp_loop_stats_sub()). Every member is a uint64_t, so that
 * the helpers below can treat the struct as an array of words.
 */
enum mdp_stage {
	MDP_STAGE_RX,		/* rte_eth_rx_burst + impairment; calls: rx bursts */
	MDP_STAGE_INPUT,	/* per-packet dispatch L2..app; calls: packets */
	MDP_STAGE_TIMERS,	/* timing wheel advance; calls: advances */
	MDP_STAGE_TX,		/* end-of-loop TX flush; calls: flushes that sent */
	MDP_STAGE_CALL,		/* control calls (mdp_worker_call); calls: served */
	MDP_STAGE_COUNT
};

/* Stage names as `meshctl runtime` shows them, indexed by enum mdp_stage. */
extern const char *const mdp_stage_name[MDP_STAGE_COUNT];

/* RX burst sizes: bucket 0 holds empty bursts, bucket b >= 1 holds sizes
 * 2^(b-1) .. 2^b - 1; the last one, 256 = MDP_BURST_MAX, is exact. */
#define MDP_BURST_BUCKETS 10

struct mdp_stage_stats {
	uint64_t cycles;
	uint64_t calls;
};
_Static_assert(sizeof(struct mdp_stage_stats) == 2 * sizeof(uint64_t),
	       "struct mdp_loop_stats must be made of uint64_t only");

struct mdp_loop_stats {
	uint64_t polls_busy;	/* loop iterations that received packets */
	uint64_t polls_idle;	/* loop iterations that received nothing */
	uint64_t sleeps;	/* idle back-off sleeps */
	uint64_t sleep_us;	/* microseconds asked to sleep */
	uint64_t timers_fired;
	uint64_t cycles_busy;	/* TSC in busy iterations */
	uint64_t cycles_idle;	/* TSC in idle iterations, sleeps excluded */
	uint64_t cycles_sleep;	/* TSC in idle back-off (nanosleep) */
	uint64_t rx_bursts[MDP_BURST_BUCKETS];	/* by mdp_burst_bucket() */
	struct mdp_stage_stats stage[MDP_STAGE_COUNT];
} __rte_cache_aligned;

/* Words of data in struct mdp_loop_stats (its tail padding excluded). */
#define MDP_LOOP_STATS_WORDS \
	((offsetof(struct mdp_loop_stats, stage) + \
	  MDP_STAGE_COUNT * sizeof(struct mdp_stage_stats)) / sizeof(uint64_t))

/* The histogram bucket of an RX burst of n packets (n <= MDP_BURST_MAX):
 * 0 for 0, else 1 + floor(log2(n)). No division, one bit scan. */
static inline unsigned
mdp_burst_bucket(unsigned n)
{
	unsigned b = n ? 32u - (unsigned)__builtin_clz(n) : 0;

	return b < MDP_BURST_BUCKETS ? b : MDP_BURST_BUCKETS - 1;
}

/* Smallest and largest burst size counted in bucket b. */
static inline void
mdp_burst_bucket_range(unsigned b, unsigned *lo, unsigned *hi)
{
	*lo = b ? 1u << (b - 1) : 0;
	*hi = b ? (b + 1 < MDP_BURST_BUCKETS ? (1u << b) - 1 : *lo) : 0;
}

/* Copy a worker's live stats, word by word with relaxed atomic loads (the
 * worker keeps writing; each word is whole, the set may be a loop apart). */
static inline void
mdp_loop_stats_read(struct mdp_loop_stats *dst, const struct mdp_loop_stats *live)
{
	const uint64_t *s = (const uint64_t *)live;
	uint64_t *d = (uint64_t *)dst;

	for (size_t i = 0; i < MDP_LOOP_STATS_WORDS; i++)
		d[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
}

/* d = now - base, member by member: the counts since the baseline base was
 * taken. Counters only grow, so a baseline read before now gives no
 * negative value; a word that went backwards (a baseline from the future)
 * gives 0 rather than a huge count. d may alias now. */
static inline void
mdp_loop_stats_sub(struct mdp_loop_stats *d, const struct mdp_loop_stats *now,
		   const struct mdp_loop_stats *base)
{
	const uint64_t *a = (const uint64_t *)now, *b = (const uint64_t *)base;
	uint64_t *r = (uint64_t *)d;

	for (size_t i = 0; i < MDP_LOOP_STATS_WORDS; i++)
		r[i] = a[i] >= b[i] ? a[i] - b[i] : 0;
}

#endif
