/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_CTRL_TLS_H
#define MDP_CTRL_TLS_H

#include "ctrl_proto.h"

struct mdp_dp;

/* Handlers of the TLS commands (ctx: struct mdp_dp); docs/control-protocol.md. */
json_t *mdp_ctrl_tls_show(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_tls_cred_set(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_tls_bundle_set(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_tls_tickets_rotate(void *ctx, json_t *args, struct mdp_ctrl_err *err);

/* From the control loop: rotate the ticket keys when they are due. */
void mdp_ctrl_tls_tick(struct mdp_dp *dp);

#endif
