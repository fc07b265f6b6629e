/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_CTRL_PROTO_H
#define MDP_CTRL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * The control protocol: one JSON object per line each way.
 *   request  {"cmd": "NAME", "args": {...}, "id": ANY}
 *   reply    {"ok": true, "id": ANY, "result": {...}}
 *            {"ok": false, "id": ANY, "error": {"code": "...", "message": "..."}}
 * This module parses and checks a request line, dispatches it through a
 * command table and formats the reply. It knows nothing of sockets or of
 * the dataplane, so it is unit-tested alone. See docs/control-protocol.md.
 */

#define MDP_CTRL_ERR_PARSE "parse_error"
#define MDP_CTRL_ERR_REQUEST "invalid_request"
#define MDP_CTRL_ERR_UNKNOWN "unknown_command"
#define MDP_CTRL_ERR_ARG "invalid_argument"
#define MDP_CTRL_ERR_TOO_LONG "too_long"
#define MDP_CTRL_ERR_CLIENTS "too_many_clients"
#define MDP_CTRL_ERR_BUSY "busy"
#define MDP_CTRL_ERR_TIMEOUT "timeout"
#define MDP_CTRL_ERR_INTERNAL "internal"

/* An error a handler reports: a code above and a message. */
struct mdp_ctrl_err {
	const char *code;
	char message[256];
};

/* Set err and return NULL, for handlers: `return mdp_ctrl_fail(err, ...)`. */
json_t *mdp_ctrl_fail(struct mdp_ctrl_err *err, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One argument a command accepts. */
struct mdp_ctrl_arg {
	const char *name;
	json_type type;		/* JSON_STRING, JSON_INTEGER, JSON_TRUE (any boolean), JSON_OBJECT... */
	bool required;
};

#define MDP_CTRL_MAX_ARGS 8

/*
 * A command. The handler gets the validated args object (never NULL; only
 * declared names, each of its declared type) and returns a new reference
 * to the result object, or NULL with err set.
 */
struct mdp_ctrl_cmd {
	const char *name;
	const char *help;
	struct mdp_ctrl_arg args[MDP_CTRL_MAX_ARGS];	/* ends at name == NULL */
	json_t *(*handler)(void *ctx, json_t *args, struct mdp_ctrl_err *err);
};

struct mdp_ctrl_table {
	const struct mdp_ctrl_cmd *cmds;
	size_t n;
	void *ctx;
};

/*
 * Handle one request line (without its newline; need not be NUL-terminated).
 * Returns the reply as a malloc'd, NUL-terminated string that ends in "\n".
 * Returns NULL only when out of memory.
 */
char *mdp_ctrl_handle_line(const struct mdp_ctrl_table *t, const char *line, size_t len);

/* A complete error reply line (malloc'd, ends in "\n"), with a null id. */
char *mdp_ctrl_error_line(const char *code, const char *message);

/* The help result for a table: {"commands": [{"name", "help"}...]}. */
json_t *mdp_ctrl_help(const struct mdp_ctrl_table *t);

#endif
