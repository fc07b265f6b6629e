/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_proto.h"

json_t *
mdp_ctrl_fail(struct mdp_ctrl_err *err, const char *code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return NULL;
}

static char *
reply_dump(json_t *reply)
{
	char *s = json_dumps(reply, JSON_COMPACT | JSON_ENSURE_ASCII);
	char *line;
	size_t n;

	json_decref(reply);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	line = realloc(s, n + 2);
	if (line == NULL) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

static char *
error_reply(json_t *id, const char *code, const char *message)
{
	json_t *r = json_pack("{s:b, s:O, s:{s:s, s:s}}", "ok", 0, "id", id ? id : json_null(),
			      "error", "code", code, "message", message);

	if (r == NULL) {
		/* The message is not valid UTF-8 (a request's bytes quoted in
		 * it, cut mid-character): send it with those bytes as '?'. */
		char safe[512];
		size_t i;

		for (i = 0; message[i] != '\0' && i < sizeof(safe) - 1; i++)
			safe[i] = (unsigned char)message[i] < 0x80 ? message[i] : '?';
		safe[i] = '\0';
		r = json_pack("{s:b, s:O, s:{s:s, s:s}}", "ok", 0, "id", id ? id : json_null(),
			      "error", "code", code, "message", safe);
	}
	return r ? reply_dump(r) : NULL;
}

char *
mdp_ctrl_error_line(const char *code, const char *message)
{
	return error_reply(NULL, code, message);
}

/* Length of s to print with "%.*s" in at most max bytes without cutting a
 * UTF-8 character in two (which would make the reply unencodable); s is
 * valid UTF-8, as jansson checked it. */
static int
utf8_prefix(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == max)
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	return (int)n;
}

static const char *
type_name(json_type t)
{
	switch (t) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

static bool
type_matches(json_type want, const json_t *v)
{
	if (want == JSON_TRUE || want == JSON_FALSE)
		return json_is_boolean(v);
	if (want == JSON_REAL)
		return json_is_number(v);
	return json_typeof(v) == want;
}

/* Check args against the command's declaration. Returns false with err. */
static bool
args_check(const struct mdp_ctrl_cmd *c, json_t *args, struct mdp_ctrl_err *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v) {
		const struct mdp_ctrl_arg *a = NULL;

		for (size_t i = 0; i < MDP_CTRL_MAX_ARGS && c->args[i].name; i++)
			if (strcmp(c->args[i].name, key) == 0)
				a = &c->args[i];
		if (a == NULL) {
			mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "%s: unknown argument '%.*s'", c->name,
				      utf8_prefix(key, 64), key);
			return false;
		}
		if (!type_matches(a->type, v)) {
			mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "%s: argument '%s' must be %s, not %s",
				      c->name, a->name, type_name(a->type), type_name(json_typeof(v)));
			return false;
		}
	}
	for (size_t i = 0; i < MDP_CTRL_MAX_ARGS && c->args[i].name; i++) {
		if (c->args[i].required && json_object_get(args, c->args[i].name) == NULL) {
			mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "%s: missing argument '%s'", c->name,
				      c->args[i].name);
			return false;
		}
	}
	return true;
}

char *
mdp_ctrl_handle_line(const struct mdp_ctrl_table *t, const char *line, size_t len)
{
	struct mdp_ctrl_err err = { .code = MDP_CTRL_ERR_INTERNAL };
	const struct mdp_ctrl_cmd *c = NULL;
	json_error_t jerr;
	json_t *req, *id, *cmd, *args, *result, *reply;
	const char *key;
	json_t *v;
	char *out;

	/* Strip a trailing CR so that telnet-style clients work. */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (req == NULL) {
		char msg[256];

		snprintf(msg, sizeof(msg), "invalid JSON at column %d: %s", jerr.column, jerr.text);
		return error_reply(NULL, MDP_CTRL_ERR_PARSE, msg);
	}
	if (!json_is_object(req)) {
		json_decref(req);
		return error_reply(NULL, MDP_CTRL_ERR_REQUEST, "a request must be a JSON object");
	}
	id = json_object_get(req, "id");
	json_object_foreach(req, key, v) {
		if (strcmp(key, "cmd") != 0 && strcmp(key, "args") != 0 && strcmp(key, "id") != 0) {
			char msg[160];

			snprintf(msg, sizeof(msg), "unknown request member '%.*s' (expected cmd, args, id)",
				 utf8_prefix(key, 64), key);
			out = error_reply(id, MDP_CTRL_ERR_REQUEST, msg);
			json_decref(req);
			return out;
		}
	}
	cmd = json_object_get(req, "cmd");
	if (!json_is_string(cmd)) {
		out = error_reply(id, MDP_CTRL_ERR_REQUEST, "'cmd' must be a string naming a command");
		json_decref(req);
		return out;
	}
	args = json_object_get(req, "args");
	if (args != NULL && json_is_null(args))
		args = NULL;
	if (args != NULL && !json_is_object(args)) {
		out = error_reply(id, MDP_CTRL_ERR_REQUEST, "'args' must be an object");
		json_decref(req);
		return out;
	}
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->cmds[i].name, json_string_value(cmd)) == 0)
			c = &t->cmds[i];
	if (c == NULL) {
		char msg[160];

		snprintf(msg, sizeof(msg), "unknown command '%.*s' (try 'help')",
			 utf8_prefix(json_string_value(cmd), 64), json_string_value(cmd));
		out = error_reply(id, MDP_CTRL_ERR_UNKNOWN, msg);
		json_decref(req);
		return out;
	}
	if (args == NULL) {
		args = json_object();
		if (args == NULL) {
			json_decref(req);
			return NULL;
		}
		json_object_set_new(req, "args", args);
	}
	if (!args_check(c, args, &err)) {
		out = error_reply(id, err.code, err.message);
		json_decref(req);
		return out;
	}
	result = c->handler(t->ctx, args, &err);
	if (result == NULL) {
		out = error_reply(id, err.code ? err.code : MDP_CTRL_ERR_INTERNAL,
				  err.message[0] ? err.message : "command failed");
		json_decref(req);
		return out;
	}
	reply = json_pack("{s:b, s:O, s:o}", "ok", 1, "id", id ? id : json_null(), "result",
			  result);
	json_decref(req);
	return reply ? reply_dump(reply) : NULL;
}

json_t *
mdp_ctrl_help(const struct mdp_ctrl_table *t)
{
	json_t *list = json_array();

	for (size_t i = 0; i < t->n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "name", t->cmds[i].name,
						      "help", t->cmds[i].help));
	return json_pack("{s:o}", "commands", list);
}
