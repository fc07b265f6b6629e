/* SPDX-License-Identifier: BSD-3-Clause */
#include "dp_counters.h"

const struct mdp_cnt_desc mdp_cnt_desc[MDP_CNT_COUNT] = {
#define MDP_CNT(kind, sym, name, help) [MDP_CNT_##sym] = { name, help, MDP_CNT_KIND_##kind },
#include "dp_counters.def"
#undef MDP_CNT
};

const char *const mdp_stage_name[MDP_STAGE_COUNT] = {
	[MDP_STAGE_RX] = "rx",
	[MDP_STAGE_INPUT] = "input",
	[MDP_STAGE_TIMERS] = "timers",
	[MDP_STAGE_TX] = "tx",
	[MDP_STAGE_CALL] = "call",
};
