/* SPDX-License-Identifier: BSD-3-Clause */
#include "dp_counters.h"

const struct mdp_cnt_desc mdp_cnt_desc[MDP_CNT_COUNT] = {
#define MDP_CNT(kind, sym, name, help) [MDP_CNT_##sym] = { name, help, MDP_CNT_KIND_##kind },
#include "dp_counters.def"
#undef MDP_CNT
};
