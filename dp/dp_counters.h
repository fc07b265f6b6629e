/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_DP_COUNTERS_H
#define MDP_DP_COUNTERS_H

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

/* Loop accounting of one worker (the runtime view grows from here). */
struct mdp_loop_stats {
	uint64_t polls_busy;	/* loop iterations that received packets */
	uint64_t polls_idle;	/* loop iterations that received nothing */
	uint64_t sleeps;	/* idle back-off sleeps */
	uint64_t sleep_us;	/* microseconds asked to sleep */
	uint64_t timers_fired;
} __rte_cache_aligned;

#endif
