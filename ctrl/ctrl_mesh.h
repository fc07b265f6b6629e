/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_CTRL_MESH_H
#define MDP_CTRL_MESH_H

#include "ctrl_proto.h"

/*
 * Handlers of the mesh commands (ctx: struct mdp_dp). See
 * docs/control-protocol.md for their arguments and results.
 */
json_t *mdp_ctrl_mesh_get(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_mesh_set(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_route_table_set(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_route_table_delete(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_cluster_set(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_cluster_delete(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_endpoint_add(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_endpoint_remove(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_endpoint_weight(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_policy_set(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_policy_delete(void *ctx, json_t *args, struct mdp_ctrl_err *err);
json_t *mdp_ctrl_http_stats(void *ctx, json_t *args, struct mdp_ctrl_err *err);

struct mdp_dp;
/* A copy of the mesh document in use. */
json_t *mdp_ctrl_mesh_doc(const struct mdp_dp *dp);
/* Validate, compile (with the TLS store as it is) and publish doc (taken):
 * all or nothing. Returns the reply, or NULL with err set. */
json_t *mdp_ctrl_mesh_apply(struct mdp_dp *dp, json_t *doc, struct mdp_ctrl_err *err);

#endif
