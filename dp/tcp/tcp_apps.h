/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TCP_APPS_H
#define MDP_TCP_APPS_H

#include "tcp.h"

/* Listener operations (only `accepted` is set) of the built-in services.
 * The listener context of tcp_proxy is its struct mdp_conf_listener. */
extern const struct mdp_tcp_app_ops mdp_tcp_echo_listener;
extern const struct mdp_tcp_app_ops mdp_tcp_discard_listener;
extern const struct mdp_tcp_app_ops mdp_tcp_proxy_listener;

#endif
