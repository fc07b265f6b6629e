/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_CTRL_SERVER_H
#define MDP_CTRL_SERVER_H

#include <stdint.h>
#include <time.h>

#include "ctrl_proto.h"

/*
 * The control socket: a non-blocking Unix stream listener served from one
 * poll() loop on the control thread. Bounded in every direction: clients,
 * request line length, pending output per client, idle time. A client that
 * breaks a bound gets an error line (when it can still be written) and is
 * disconnected; nothing it does can block the loop.
 */

#define MDP_CTRL_OUT_MAX (4u << 20)	/* pending reply bytes per client */

struct mdp_ctrl_client {
	int fd;			/* -1 when the slot is free */
	char *in;		/* max_line + 1 bytes */
	size_t in_len;
	char *out;
	size_t out_len, out_off, out_cap;
	time_t last_active;
	int closing;		/* close once out is flushed */
};

struct mdp_ctrl_server {
	int lfd;
	char path[108];
	uint32_t max_clients;
	uint32_t max_line;
	uint32_t idle_timeout_s;
	struct mdp_ctrl_client *clients;
	const struct mdp_ctrl_table *table;
	uint64_t requests;	/* statistics */
	uint64_t rejected;
};

/* Create the socket at path. A stale socket file (nothing listening) is
 * replaced; a live one is an error (-EADDRINUSE). Returns 0 or -errno. */
int mdp_ctrl_server_open(struct mdp_ctrl_server *s, const char *path, uint32_t max_clients,
			 uint32_t max_line, uint32_t idle_timeout_s,
			 const struct mdp_ctrl_table *table);

/* Serve for at most timeout_ms. When extra_fd >= 0 is readable, returns 1
 * (the caller reads it); otherwise 0, or -errno on a fatal error. */
int mdp_ctrl_server_poll(struct mdp_ctrl_server *s, int extra_fd, int timeout_ms);

/* Close every client and the listener; remove the socket file. */
void mdp_ctrl_server_close(struct mdp_ctrl_server *s);

#endif
