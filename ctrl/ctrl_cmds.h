/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_CTRL_CMDS_H
#define MDP_CTRL_CMDS_H

#include "ctrl_proto.h"

struct mdp_dp;

/* The daemon's command table, bound to its dataplane. */
void mdp_ctrl_cmds_table(struct mdp_dp *dp, struct mdp_ctrl_table *t);

#endif
