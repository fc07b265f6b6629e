/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctrl_proto.h"

/*
 * mdp_ctrl_handle_line() on arbitrary bytes, through a small command table
 * shaped like the real one (optional and required arguments of each type,
 * handlers that fail with and without a message). Whatever the line, the
 * reply must be what docs/control-protocol.md promises: one line of ASCII
 * JSON, an object with a boolean "ok", a "result" object or an "error"
 * with string "code" and "message", and the request's "id" echoed back
 * whenever the request was an object.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *
h_echo(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	(void)ctx;
	(void)err;
	return json_pack("{s:O}", "args", args);
}

static json_t *
h_none(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	(void)ctx;
	(void)args;
	(void)err;
	return json_object();
}

/* Rejects its port the way ctrl_cmds.c does, quoting the request's bytes
 * (which can cut a UTF-8 character: the reply must still be valid). */
static json_t *
h_port(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	const char *port = json_string_value(json_object_get(args, "port"));

	(void)ctx;
	if (port != NULL && strcmp(port, "p0") == 0)
		return json_pack("{s:s, s:I}", "port", port,
				 "worker", json_integer_value(json_object_get(args, "worker")));
	return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "no port named '%.64s'",
			     port != NULL ? port : "(none)");
}

static json_t *
h_busy(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	(void)ctx;
	(void)args;
	return mdp_ctrl_fail(err, MDP_CTRL_ERR_BUSY, "worker %d is busy", 0);
}

static json_t *
h_silent(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	(void)ctx;
	(void)args;
	(void)err;
	return NULL;
}

static json_t *h_help(void *ctx, json_t *args, struct mdp_ctrl_err *err);

static const struct mdp_ctrl_cmd cmds[] = {
	{ "echo", "return the arguments",
	  { { "text", JSON_STRING, true },
	    { "n", JSON_INTEGER, false },
	    { "flag", JSON_TRUE, false },
	    { "obj", JSON_OBJECT, false },
	    { "list", JSON_ARRAY, false },
	    { "num", JSON_REAL, false } },
	  h_echo },
	{ "status", "no arguments", { { NULL, 0, false } }, h_none },
	{ "ports", "one optional string",
	  { { "port", JSON_STRING, false }, { "worker", JSON_INTEGER, false },
	    { "nonzero", JSON_TRUE, false } },
	  h_port },
	{ "arp-flush", "always busy", { { "ip", JSON_STRING, false } }, h_busy },
	{ "silent", "fails without a message", { { NULL, 0, false } }, h_silent },
	{ "help", "list the commands", { { NULL, 0, false } }, h_help },
};

static const struct mdp_ctrl_table table = {
	.cmds = cmds,
	.n = sizeof(cmds) / sizeof(cmds[0]),
	.ctx = NULL,
};

static json_t *
h_help(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	(void)ctx;
	(void)args;
	(void)err;
	return mdp_ctrl_help(&table);
}

static void
fail(const char *why, const char *reply)
{
	fprintf(stderr, "fuzz_ctrl_line: %s\nreply: %s\n", why, reply != NULL ? reply : "(null)");
	abort();
}

/* The id the reply must carry: the request's "id" when the line is a JSON
 * object that has one (as handle_line() parses it), else null. */
static json_t *
request_id(const uint8_t *data, size_t size)
{
	json_t *req, *id;

	if (size > 0 && data[size - 1] == '\r')
		size--;
	req = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	id = json_is_object(req) ? json_object_get(req, "id") : NULL;
	id = json_incref(id != NULL ? id : json_null());
	json_decref(req);
	return id;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *out;
	json_t *r, *ok, *id, *want_id;
	json_error_t jerr;
	size_t n;

	/* an exact-size copy: ASan catches a read beyond size */
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	out = mdp_ctrl_handle_line(&table, buf, size);
	free(buf);

	if (out == NULL)
		fail("NULL reply", NULL);
	n = strlen(out);
	if (n < 2 || out[n - 1] != '\n' || memchr(out, '\n', n - 1) != NULL)
		fail("reply is not one line ending in its only \\n", out);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] >= 0x80 || out[i] == '\r')
			fail("reply is not ASCII", out);
	r = json_loadb(out, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(r))
		fail("reply is not a JSON object", out);
	ok = json_object_get(r, "ok");
	if (!json_is_boolean(ok))
		fail("reply has no boolean \"ok\"", out);
	if (json_is_true(ok)) {
		if (!json_is_object(json_object_get(r, "result")))
			fail("ok reply without a result object", out);
	} else {
		json_t *e = json_object_get(r, "error");

		if (!json_is_object(e) || !json_is_string(json_object_get(e, "code")) ||
		    !json_is_string(json_object_get(e, "message")))
			fail("error reply without error.code and error.message", out);
	}
	id = json_object_get(r, "id");
	if (id == NULL)
		fail("reply has no id", out);
	want_id = request_id(data, size);
	if (!json_equal(id, want_id))
		fail("reply id differs from the request's", out);
	json_decref(want_id);
	json_decref(r);
	free(out);
	return 0;
}
