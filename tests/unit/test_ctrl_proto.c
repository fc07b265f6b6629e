/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <jansson.h>

#include "ctrl_proto.h"
#include "unit.h"

/*
 * The request/reply layer of the control socket, through its public API:
 * every reply is checked to be one line of ASCII JSON, parsed back with
 * jansson, and compared member by member with what docs/control-protocol.md
 * promises.
 */

static int ctx_token;
static unsigned calls;		/* handler invocations */
static json_t *last_args;	/* copy of the args the last handler got */
static void *last_ctx;

static void
seen(void *ctx, json_t *args)
{
	calls++;
	last_ctx = ctx;
	json_decref(last_args);
	last_args = json_deep_copy(args);
}

static json_t *
h_echo(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	(void)err;
	seen(ctx, args);
	return json_pack("{s:O}", "args", args);
}

static json_t *
h_empty(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	(void)err;
	seen(ctx, args);
	return json_object();
}

static json_t *
h_fail(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	seen(ctx, args);
	return mdp_ctrl_fail(err, MDP_CTRL_ERR_BUSY, "worker %d is busy", 3);
}

static json_t *
h_fail_arg(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	seen(ctx, args);
	return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "no port named '%.64s'",
			     json_string_value(json_object_get(args, "port")));
}

static json_t *
h_fail_silent(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	(void)err;
	seen(ctx, args);
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
	    { "num", JSON_REAL, false },
	    { "off", JSON_FALSE, false } },
	  h_echo },
	{ "empty", "take nothing, return {}", { { NULL, 0, false } }, h_empty },
	{ "fail", "always busy", { { NULL, 0, false } }, h_fail },
	{ "fail-arg", "reject its port", { { "port", JSON_STRING, true } }, h_fail_arg },
	{ "fail-silent", "fail without saying why", { { NULL, 0, false } }, h_fail_silent },
	{ "help", "list the commands", { { NULL, 0, false } }, h_help },
	/* all eight argument slots used: no terminator */
	{ "eight", "eight optional integers",
	  { { "a", JSON_INTEGER, false }, { "b", JSON_INTEGER, false },
	    { "c", JSON_INTEGER, false }, { "d", JSON_INTEGER, false },
	    { "e", JSON_INTEGER, false }, { "f", JSON_INTEGER, false },
	    { "g", JSON_INTEGER, false }, { "h", JSON_INTEGER, true } },
	  h_echo },
};

static const struct mdp_ctrl_table table = {
	.cmds = cmds,
	.n = sizeof(cmds) / sizeof(cmds[0]),
	.ctx = &ctx_token,
};

static json_t *
h_help(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	(void)err;
	seen(ctx, args);
	return mdp_ctrl_help(&table);
}

/*
 * Handle len bytes and return the parsed reply (NULL on any failure, which
 * is asserted at `line`). The reply text must be non-NULL, pure ASCII, and
 * end in its only newline.
 */
static json_t *
handle_at(const char *req, size_t len, unsigned line)
{
	json_error_t jerr;
	char *out, *buf;
	size_t n;
	json_t *r;
	bool ascii = true;

	/* an exact-size copy: ASan sees any read beyond len */
	buf = malloc(len ? len : 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	memcpy(buf, req, len);
	out = mdp_ctrl_handle_line(&table, buf, len);
	free(buf);
	CU_assertImplementation(out != NULL, line, "reply != NULL", __FILE__, "", CU_FALSE);
	if (out == NULL)
		return NULL;
	n = strlen(out);
	CU_assertImplementation(n >= 2 && out[n - 1] == '\n' && strchr(out, '\n') == out + n - 1,
				line, "one line ending in \\n", __FILE__, "", CU_FALSE);
	for (size_t i = 0; i < n; i++)
		ascii = ascii && (unsigned char)out[i] < 0x80 && out[i] != '\r';
	CU_assertImplementation(ascii, line, "reply is ASCII", __FILE__, "", CU_FALSE);
	r = json_loads(out, JSON_REJECT_DUPLICATES, &jerr);
	if (r == NULL)
		fprintf(stderr, "\n%s:%u: reply is not JSON: %s\n", __FILE__, line, out);
	CU_assertImplementation(r != NULL && json_is_object(r), line, "reply is an object",
				__FILE__, "", CU_FALSE);
	free(out);
	return r;
}

static json_t *
handle(const char *req)
{
	return handle_at(req, strlen(req), __LINE__);
}

/* Assert an ok reply with exactly id (NULL: null) and result. */
static void
expect_ok_at(const char *req, size_t len, const json_t *id, const json_t *result,
	     unsigned line)
{
	json_t *r = handle_at(req, len, line);
	bool ok;

	if (r == NULL)
		return;
	ok = json_object_size(r) == 3 && json_is_true(json_object_get(r, "ok")) &&
	     json_equal(json_object_get(r, "id"), id ? (json_t *)id : json_null()) &&
	     json_equal(json_object_get(r, "result"), (json_t *)result);
	if (!ok) {
		char *s = json_dumps(r, JSON_COMPACT);

		fprintf(stderr, "\n%s:%u: request %.*s\n  got %s\n", __FILE__, line, (int)len, req,
			s);
		free(s);
	}
	CU_assertImplementation(ok, line, "ok reply as expected", __FILE__, "", CU_FALSE);
	json_decref(r);
}

/*
 * Assert an error reply with code, id (NULL: null), and a message equal to
 * msg, or starting with msg when it ends in '*'.
 */
static void
expect_err_at(const char *req, size_t len, const char *code, const char *msg, const json_t *id,
	      unsigned line)
{
	json_t *r = handle_at(req, len, line);
	json_t *e;
	const char *m;
	size_t ml = strlen(msg);
	bool ok;

	if (r == NULL)
		return;
	e = json_object_get(r, "error");
	m = json_string_value(json_object_get(e, "message"));
	ok = json_object_size(r) == 3 && json_is_false(json_object_get(r, "ok")) &&
	     json_equal(json_object_get(r, "id"), id ? (json_t *)id : json_null()) &&
	     json_object_size(e) == 2 &&
	     json_string_value(json_object_get(e, "code")) != NULL &&
	     strcmp(json_string_value(json_object_get(e, "code")), code) == 0 && m != NULL &&
	     (msg[ml - 1] == '*' ? strncmp(m, msg, ml - 1) == 0 : strcmp(m, msg) == 0);
	if (!ok) {
		char *s = json_dumps(r, JSON_COMPACT);

		fprintf(stderr, "\n%s:%u: request %.*s\n  got %s\n  want %s: %s\n", __FILE__, line,
			(int)(len > 200 ? 200 : len), req, s, code, msg);
		free(s);
	}
	CU_assertImplementation(ok, line, "error reply as expected", __FILE__, "", CU_FALSE);
	json_decref(r);
}

#define EXPECT_OK(req, id, result) expect_ok_at((req), strlen(req), (id), (result), __LINE__)
#define EXPECT_ERR(req, code, msg) \
	expect_err_at((req), strlen(req), (code), (msg), NULL, __LINE__)
#define EXPECT_ERR_ID(req, code, msg, id) \
	expect_err_at((req), strlen(req), (code), (msg), (id), __LINE__)
#define EXPECT_ERR_N(req, len, code, msg) \
	expect_err_at((req), (len), (code), (msg), NULL, __LINE__)

/* Parse a JSON literal for comparisons (owned by a small pool). */
static json_t *pool_v[64];
static unsigned pool_n;

static json_t *
J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_FATAL(pool_n < 64);
	pool_v[pool_n++] = v;
	return v;
}

static void
pool_free(void)
{
	while (pool_n > 0)
		json_decref(pool_v[--pool_n]);
	json_decref(last_args);
	last_args = NULL;
}

static void
test_ok(void)
{
	calls = 0;
	EXPECT_OK("{\"cmd\":\"empty\",\"id\":1}", J("1"), J("{}"));
	CU_ASSERT_EQUAL(calls, 1);
	CU_ASSERT_PTR_EQUAL(last_ctx, &ctx_token);
	CU_ASSERT_TRUE(json_equal(last_args, J("{}")));
	EXPECT_OK("{\"cmd\":\"empty\",\"id\":-9007199254740993}", J("-9007199254740993"),
		  J("{}"));
	EXPECT_OK("{\"cmd\":\"empty\",\"id\":2.5}", J("2.5"), J("{}"));
	EXPECT_OK("{\"id\":\"abc\",\"cmd\":\"empty\"}", J("\"abc\""), J("{}"));
	EXPECT_OK("{\"cmd\":\"empty\",\"id\":\"caf\\u00e9 \\ud83d\\ude00\"}",
		  J("\"caf\\u00e9 \\ud83d\\ude00\""), J("{}"));
	EXPECT_OK("{\"cmd\":\"empty\",\"id\":{\"a\":[1,{\"b\":null}],\"c\":true}}",
		  J("{\"a\":[1,{\"b\":null}],\"c\":true}"), J("{}"));
	EXPECT_OK("{\"cmd\":\"empty\",\"id\":[]}", J("[]"), J("{}"));
	EXPECT_OK("{\"cmd\":\"empty\",\"id\":false}", J("false"), J("{}"));
	/* no id, and an explicit null id: both null */
	EXPECT_OK("{\"cmd\":\"empty\"}", NULL, J("{}"));
	EXPECT_OK("{\"cmd\":\"empty\",\"id\":null}", NULL, J("{}"));
	/* whitespace around and inside */
	EXPECT_OK(" \t{ \"cmd\" : \"empty\" , \"id\" : 7 }  ", J("7"), J("{}"));

	/* args, every declared type */
	calls = 0;
	EXPECT_OK("{\"cmd\":\"echo\",\"args\":{\"text\":\"hi\"},\"id\":3}", J("3"),
		  J("{\"args\":{\"text\":\"hi\"}}"));
	EXPECT_OK("{\"cmd\":\"echo\",\"args\":{\"text\":\"\",\"n\":-5,\"flag\":false,"
		  "\"obj\":{\"x\":[1]},\"list\":[],\"num\":1.5,\"off\":true}}",
		  NULL,
		  J("{\"args\":{\"text\":\"\",\"n\":-5,\"flag\":false,\"obj\":{\"x\":[1]},"
		    "\"list\":[],\"num\":1.5,\"off\":true}}"));
	/* a number argument takes an integer too; booleans either way */
	EXPECT_OK("{\"cmd\":\"echo\",\"args\":{\"text\":\"t\",\"num\":3,\"flag\":true,"
		  "\"off\":false}}",
		  NULL, J("{\"args\":{\"text\":\"t\",\"num\":3,\"flag\":true,\"off\":false}}"));
	CU_ASSERT_EQUAL(calls, 3);
	/* the eighth argument slot is honoured */
	EXPECT_OK("{\"cmd\":\"eight\",\"args\":{\"h\":8,\"a\":1}}", NULL,
		  J("{\"args\":{\"h\":8,\"a\":1}}"));
	/* the reply keeps non-ASCII text, escaped */
	EXPECT_OK("{\"cmd\":\"echo\",\"args\":{\"text\":\"\xc3\xa9\xe2\x82\xac\"}}", NULL,
		  J("{\"args\":{\"text\":\"\\u00e9\\u20ac\"}}"));
	pool_free();
}

static void
test_args_null(void)
{
	calls = 0;
	EXPECT_OK("{\"cmd\":\"empty\",\"args\":null,\"id\":1}", J("1"), J("{}"));
	EXPECT_OK("{\"cmd\":\"empty\",\"args\":{},\"id\":1}", J("1"), J("{}"));
	CU_ASSERT_EQUAL(calls, 2);
	CU_ASSERT_TRUE(json_equal(last_args, J("{}")));
	/* a required argument is still required with null args */
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":null}", MDP_CTRL_ERR_ARG,
		   "echo: missing argument 'text'");
	CU_ASSERT_EQUAL(calls, 2);
	pool_free();
}

static void
test_parse_error(void)
{
	static const char *const bad[] = {
		"{", "}", "{\"cmd\":", "{\"cmd\":\"empty\"", "{\"cmd\":\"empty\",}",
		"{cmd:\"empty\"}", "{'cmd':'empty'}", "nul", "[1,2", "\"abc",
		"{\"cmd\":\"empty\"} x",
		"{\"cmd\":\"empty\"}{\"cmd\":\"empty\"}", "{\"cmd\":\"\\x\"}",
		"{\"cmd\":\"empty\",\"id\":01}", "{\"cmd\":\"empty\",\"id\":NaN}",
		"{\"cmd\":\"empty\",\"id\":1e999}",
		"{\"cmd\":\"empty\",\"id\":99999999999999999999}",	/* beyond 64 bits */
		"{\"cmd\":\"empty\",\"id\":\"\\u0000\"}",		/* \u0000 escape */
		"{\"cmd\":\"em\\u0000pty\"}", "{\"\\u0000\":1}",
		"{\"cmd\":\"empty\",\"id\":\"\\ud800\"}",		/* lone surrogate */
		"\xef\xbb\xbf{\"cmd\":\"empty\"}",			/* BOM */
		"", " ", "\t", "\r",
	};
	unsigned before = calls;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_ERR(bad[i], MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	/* the column is the one jansson reports */
	EXPECT_ERR("{\"cmd\":}", MDP_CTRL_ERR_PARSE, "invalid JSON at column 8: *");
	CU_ASSERT_EQUAL(calls, before);
}

static void
test_not_object(void)
{
	static const char *const bad[] = {
		"[]", "[{\"cmd\":\"empty\"}]", "\"empty\"", "42", "-1.5", "true", "false", "null",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_ERR(bad[i], MDP_CTRL_ERR_REQUEST, "a request must be a JSON object");
}

static void
test_bad_cmd(void)
{
	static const char *const bad[] = {
		"{\"id\":5}", "{\"args\":{},\"id\":5}", "{\"cmd\":1,\"id\":5}",
		"{\"cmd\":null,\"id\":5}", "{\"cmd\":[\"empty\"],\"id\":5}",
		"{\"cmd\":{\"name\":\"empty\"},\"id\":5}", "{\"cmd\":true,\"id\":5}",
	};
	unsigned before = calls;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_ERR_ID(bad[i], MDP_CTRL_ERR_REQUEST,
			      "'cmd' must be a string naming a command", J("5"));
	EXPECT_ERR("{\"cmd\":5}", MDP_CTRL_ERR_REQUEST, "'cmd' must be a string naming a command");
	EXPECT_ERR("{}", MDP_CTRL_ERR_REQUEST, "'cmd' must be a string naming a command");
	CU_ASSERT_EQUAL(calls, before);
	pool_free();
}

static void
test_unknown_member(void)
{
	EXPECT_ERR_ID("{\"cmd\":\"empty\",\"x\":1,\"id\":\"q\"}", MDP_CTRL_ERR_REQUEST,
		      "unknown request member 'x' (expected cmd, args, id)", J("\"q\""));
	EXPECT_ERR("{\"cmd\":\"empty\",\"Cmd\":\"empty\"}", MDP_CTRL_ERR_REQUEST,
		   "unknown request member 'Cmd' (expected cmd, args, id)");
	EXPECT_ERR("{\"command\":\"empty\"}", MDP_CTRL_ERR_REQUEST,
		   "unknown request member 'command' (expected cmd, args, id)");
	/* checked before the command is looked up */
	EXPECT_ERR("{\"cmd\":\"nope\",\"ID\":1}", MDP_CTRL_ERR_REQUEST,
		   "unknown request member 'ID' (expected cmd, args, id)");
	pool_free();
}

static void
test_args_not_object(void)
{
	static const char *const bad[] = {
		"[]", "[1]", "\"x\"", "1", "0.5", "true", "false",
	};
	char req[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(req, sizeof(req), "{\"cmd\":\"empty\",\"args\":%s,\"id\":0}", bad[i]);
		EXPECT_ERR_ID(req, MDP_CTRL_ERR_REQUEST, "'args' must be an object", J("0"));
	}
	pool_free();
}

static void
test_unknown_command(void)
{
	unsigned before = calls;

	EXPECT_ERR_ID("{\"cmd\":\"nope\",\"id\":9}", MDP_CTRL_ERR_UNKNOWN,
		      "unknown command 'nope' (try 'help')", J("9"));
	EXPECT_ERR("{\"cmd\":\"\"}", MDP_CTRL_ERR_UNKNOWN, "unknown command '' (try 'help')");
	EXPECT_ERR("{\"cmd\":\"EMPTY\"}", MDP_CTRL_ERR_UNKNOWN,
		   "unknown command 'EMPTY' (try 'help')");
	EXPECT_ERR("{\"cmd\":\"empty \"}", MDP_CTRL_ERR_UNKNOWN,
		   "unknown command 'empty ' (try 'help')");
	/* a long name is cut to 64 characters in the message */
	EXPECT_ERR("{\"cmd\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		   "bbbbbbbb\"}",
		   MDP_CTRL_ERR_UNKNOWN,
		   "unknown command 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' (try 'help')");
	/* args are not looked at for an unknown command */
	EXPECT_ERR("{\"cmd\":\"nope\",\"args\":{\"x\":1}}", MDP_CTRL_ERR_UNKNOWN,
		   "unknown command 'nope' (try 'help')");
	CU_ASSERT_EQUAL(calls, before);
	pool_free();
}

static void
test_bad_args(void)
{
	unsigned before = calls;

	EXPECT_ERR_ID("{\"cmd\":\"echo\",\"args\":{\"text\":\"a\",\"bogus\":1},\"id\":4}",
		      MDP_CTRL_ERR_ARG, "echo: unknown argument 'bogus'", J("4"));
	EXPECT_ERR("{\"cmd\":\"empty\",\"args\":{\"text\":\"a\"}}", MDP_CTRL_ERR_ARG,
		   "empty: unknown argument 'text'");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"Text\":\"a\"}}", MDP_CTRL_ERR_ARG,
		   "echo: unknown argument 'Text'");

	/* wrong types, each way */
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"text\":5}}", MDP_CTRL_ERR_ARG,
		   "echo: argument 'text' must be a string, not an integer");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"text\":null}}", MDP_CTRL_ERR_ARG,
		   "echo: argument 'text' must be a string, not null");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"text\":\"a\",\"n\":\"5\"}}", MDP_CTRL_ERR_ARG,
		   "echo: argument 'n' must be an integer, not a string");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"text\":\"a\",\"n\":1.0}}", MDP_CTRL_ERR_ARG,
		   "echo: argument 'n' must be an integer, not a number");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"text\":\"a\",\"n\":true}}", MDP_CTRL_ERR_ARG,
		   "echo: argument 'n' must be an integer, not a boolean");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"text\":\"a\",\"flag\":1}}", MDP_CTRL_ERR_ARG,
		   "echo: argument 'flag' must be a boolean, not an integer");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"text\":\"a\",\"flag\":\"true\"}}",
		   MDP_CTRL_ERR_ARG, "echo: argument 'flag' must be a boolean, not a string");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"text\":\"a\",\"off\":0}}", MDP_CTRL_ERR_ARG,
		   "echo: argument 'off' must be a boolean, not an integer");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"text\":\"a\",\"obj\":[]}}", MDP_CTRL_ERR_ARG,
		   "echo: argument 'obj' must be an object, not an array");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"text\":\"a\",\"list\":{}}}", MDP_CTRL_ERR_ARG,
		   "echo: argument 'list' must be an array, not an object");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"text\":\"a\",\"num\":\"1\"}}", MDP_CTRL_ERR_ARG,
		   "echo: argument 'num' must be a number, not a string");

	/* missing required */
	EXPECT_ERR("{\"cmd\":\"echo\"}", MDP_CTRL_ERR_ARG, "echo: missing argument 'text'");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{}}", MDP_CTRL_ERR_ARG,
		   "echo: missing argument 'text'");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"n\":1}}", MDP_CTRL_ERR_ARG,
		   "echo: missing argument 'text'");
	EXPECT_ERR("{\"cmd\":\"eight\",\"args\":{\"a\":1}}", MDP_CTRL_ERR_ARG,
		   "eight: missing argument 'h'");
	EXPECT_ERR("{\"cmd\":\"eight\",\"args\":{\"h\":1,\"i\":1}}", MDP_CTRL_ERR_ARG,
		   "eight: unknown argument 'i'");
	/* a long unknown name is cut in the message */
	EXPECT_ERR("{\"cmd\":\"empty\",\"args\":{\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		   "xxxxxxxxxxxxxxxxyyyy\":1}}",
		   MDP_CTRL_ERR_ARG,
		   "empty: unknown argument 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		   "xxxxxxxxxxxxxxxx'");
	CU_ASSERT_EQUAL(calls, before);
	pool_free();
}

static void
test_handler_fails(void)
{
	EXPECT_ERR_ID("{\"cmd\":\"fail\",\"id\":[1]}", MDP_CTRL_ERR_BUSY, "worker 3 is busy",
		      J("[1]"));
	EXPECT_ERR_ID("{\"cmd\":\"fail-arg\",\"args\":{\"port\":\"p9\"},\"id\":\"x\"}",
		      MDP_CTRL_ERR_ARG, "no port named 'p9'", J("\"x\""));
	EXPECT_ERR("{\"cmd\":\"fail-silent\"}", MDP_CTRL_ERR_INTERNAL, "command failed");
	/* an error left from one request does not leak into the next */
	EXPECT_OK("{\"cmd\":\"empty\"}", NULL, J("{}"));
	EXPECT_ERR("{\"cmd\":\"fail-silent\"}", MDP_CTRL_ERR_INTERNAL, "command failed");
	pool_free();
}

static void
test_duplicates(void)
{
	unsigned before = calls;

	EXPECT_ERR("{\"cmd\":\"empty\",\"cmd\":\"empty\"}", MDP_CTRL_ERR_PARSE,
		   "invalid JSON at column *");
	EXPECT_ERR("{\"cmd\":\"empty\",\"id\":1,\"id\":2}", MDP_CTRL_ERR_PARSE,
		   "invalid JSON at column *");
	EXPECT_ERR("{\"cmd\":\"echo\",\"args\":{\"text\":\"a\",\"text\":\"b\"}}",
		   MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	EXPECT_ERR("{\"cmd\":\"empty\",\"id\":{\"a\":1,\"a\":1}}", MDP_CTRL_ERR_PARSE,
		   "invalid JSON at column *");
	CU_ASSERT_EQUAL(calls, before);
}

static void
test_cr(void)
{
	EXPECT_OK("{\"cmd\":\"empty\",\"id\":1}\r", J("1"), J("{}"));
	EXPECT_OK("{\"cmd\":\"empty\",\"id\":1} \r", J("1"), J("{}"));
	/* CR is JSON whitespace, so a second one does no harm either */
	EXPECT_OK("{\"cmd\":\"empty\",\"id\":1}\r\r", J("1"), J("{}"));
	/* only a trailing CR is special: inside a string it is an error */
	EXPECT_ERR("{\"cmd\":\"empty\r\"}", MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	EXPECT_ERR("\r", MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	pool_free();
}

static void
test_nul(void)
{
	static const char after[] = "{\"cmd\":\"empty\"}\0{\"x\":1}";
	static const char inside[] = "{\"cmd\":\"em\0pty\"}";
	static const char key[] = "{\"cmd\":\"empty\",\"\0\":1}";
	static const char only[] = "\0";
	static const char lead[] = "\0{\"cmd\":\"empty\"}";

	EXPECT_ERR_N(after, sizeof(after) - 1, MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	EXPECT_ERR_N(inside, sizeof(inside) - 1, MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	EXPECT_ERR_N(key, sizeof(key) - 1, MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	EXPECT_ERR_N(only, 1, MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	EXPECT_ERR_N(lead, sizeof(lead) - 1, MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	/* the length is honoured: a valid request followed by bytes not in it */
	expect_ok_at(after, strlen(after), NULL, J("{}"), __LINE__);
	pool_free();
}

/* Invalid UTF-8 in the request, and names cut inside a character. */
static void
test_utf8(void)
{
	char req[256], want[256];
	const char *a63 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

	CU_ASSERT_EQUAL_FATAL(strlen(a63), 63);
	EXPECT_ERR("{\"cmd\":\"\xff\"}", MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	EXPECT_ERR("{\"cmd\":\"\xc3\"}", MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	EXPECT_ERR("{\"cmd\":\"\xed\xa0\x80\"}", MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	EXPECT_ERR("\xff\xfe", MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	EXPECT_ERR("{\"cmd\":\"empty\",\"id\":\xc3\xa9}", MDP_CTRL_ERR_PARSE,
		   "invalid JSON at column *");
	EXPECT_ERR("{\"cmd\":\"empty\",\"id\":1\xe2\x82}", MDP_CTRL_ERR_PARSE,
		   "invalid JSON at column *");

	/* 63 ASCII characters and a 2-byte one: "%.64s" would cut it */
	snprintf(req, sizeof(req), "{\"cmd\":\"%s\xc3\xa9\"}", a63);
	snprintf(want, sizeof(want), "unknown command '%s*", a63);
	EXPECT_ERR(req, MDP_CTRL_ERR_UNKNOWN, want);
	snprintf(req, sizeof(req), "{\"cmd\":\"empty\",\"%s\xe2\x82\xac\":1}", a63);
	snprintf(want, sizeof(want), "unknown request member '%s*", a63);
	EXPECT_ERR(req, MDP_CTRL_ERR_REQUEST, want);
	snprintf(req, sizeof(req), "{\"cmd\":\"empty\",\"args\":{\"%s\xf0\x9f\x98\x80\":1}}", a63);
	snprintf(want, sizeof(want), "empty: unknown argument '%s*", a63);
	EXPECT_ERR(req, MDP_CTRL_ERR_ARG, want);
	/* whole characters are kept */
	snprintf(req, sizeof(req), "{\"cmd\":\"%.62s\xc3\xa9\"}", a63);
	snprintf(want, sizeof(want), "unknown command '%.62s\xc3\xa9' (try 'help')", a63);
	EXPECT_ERR(req, MDP_CTRL_ERR_UNKNOWN, want);
}

static void
test_long_garbage(void)
{
	enum { N = 1 << 20 };
	char *buf = malloc(N);
	uint32_t x = 12345;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	/* printable garbage */
	for (size_t i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (char)(' ' + (x >> 16) % 95);
	}
	EXPECT_ERR_N(buf, N, MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	/* any bytes at all */
	for (size_t i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (char)(x >> 16);
	}
	EXPECT_ERR_N(buf, N, MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	/* ... starting like a request */
	memcpy(buf, "{\"cmd\":\"", 8);
	EXPECT_ERR_N(buf, N, MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	/* deep nesting */
	memset(buf, '[', N);
	EXPECT_ERR_N(buf, N, MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	memcpy(buf, "{\"cmd\":\"empty\",\"id\":", 20);
	EXPECT_ERR_N(buf, N, MDP_CTRL_ERR_PARSE, "invalid JSON at column *");
	/* a long but valid request: a 1 MiB id comes back whole */
	{
		size_t n = (size_t)snprintf(buf, N, "{\"cmd\":\"empty\",\"id\":\"");
		json_t *id;

		memset(buf + n, 'z', N - n - 2);
		memcpy(buf + N - 2, "\"}", 2);
		buf[N - 3] = 'q';
		id = json_stringn(buf + n, N - n - 2);
		expect_ok_at(buf, N, id, J("{}"), __LINE__);
		json_decref(id);
	}
	/* a long unknown command, cut in the message */
	{
		size_t n = (size_t)snprintf(buf, N, "{\"cmd\":\"");

		memset(buf + n, 'c', N - n - 2);
		memcpy(buf + N - 2, "\"}", 2);
		EXPECT_ERR_N(buf, N, MDP_CTRL_ERR_UNKNOWN,
			     "unknown command 'cccccccccccccccccccccccccccccccccccccccccccccccc"
			     "cccccccccccccccc' (try 'help')");
	}
	free(buf);
	pool_free();
}

static void
test_help(void)
{
	json_t *h = mdp_ctrl_help(&table), *list, *r;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(json_object_size(h), 1);
	list = json_object_get(h, "commands");
	CU_ASSERT_TRUE_FATAL(json_is_array(list));
	CU_ASSERT_EQUAL_FATAL(json_array_size(list), table.n);
	for (i = 0; i < table.n; i++) {
		json_t *c = json_array_get(list, i);

		CU_ASSERT_EQUAL(json_object_size(c), 2);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "name")),
				       cmds[i].name);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "help")),
				       cmds[i].help);
	}
	/* and through a request */
	r = handle("{\"cmd\":\"help\",\"id\":\"h\"}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_TRUE(json_equal(json_object_get(r, "result"), h));
	json_decref(r);
	json_decref(h);

	/* an empty table */
	{
		const struct mdp_ctrl_table empty = { .cmds = cmds, .n = 0 };

		h = mdp_ctrl_help(&empty);
		CU_ASSERT_PTR_NOT_NULL_FATAL(h);
		CU_ASSERT_EQUAL(json_array_size(json_object_get(h, "commands")), 0);
		json_decref(h);
	}
	pool_free();
}

static void
test_error_line(void)
{
	char *s = mdp_ctrl_error_line(MDP_CTRL_ERR_TOO_LONG, "request line longer than 8 bytes");

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "{\"ok\":false,\"id\":null,\"error\":{\"code\":\"too_long\","
				  "\"message\":\"request line longer than 8 bytes\"}}\n");
	free(s);
	s = mdp_ctrl_error_line(MDP_CTRL_ERR_CLIENTS, "caf\xc3\xa9 \"quoted\"\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "{\"ok\":false,\"id\":null,\"error\":{\"code\":"
				  "\"too_many_clients\",\"message\":"
				  "\"caf\\u00E9 \\\"quoted\\\"\\n\"}}\n");
	free(s);
}

/* The exact bytes of replies: compact, in the documented member order. */
static void
test_reply_text(void)
{
	static const char req[] = "{\"cmd\":\"echo\",\"args\":{\"text\":\"x\"},\"id\":42}";
	char *s = mdp_ctrl_handle_line(&table, req, sizeof(req) - 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "{\"ok\":true,\"id\":42,"
				  "\"result\":{\"args\":{\"text\":\"x\"}}}\n");
	free(s);
	s = mdp_ctrl_handle_line(&table, "{\"cmd\":\"fail\"}", 14);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "{\"ok\":false,\"id\":null,\"error\":{\"code\":\"busy\","
				  "\"message\":\"worker 3 is busy\"}}\n");
	free(s);
}

static CU_TestInfo tests[] = {
	{ "valid requests, id echoed", test_ok },
	{ "args null or absent", test_args_null },
	{ "malformed JSON", test_parse_error },
	{ "top level not an object", test_not_object },
	{ "cmd missing or not a string", test_bad_cmd },
	{ "unknown request member", test_unknown_member },
	{ "args not an object", test_args_not_object },
	{ "unknown command", test_unknown_command },
	{ "argument names, types, required", test_bad_args },
	{ "handler failure", test_handler_fails },
	{ "duplicate keys", test_duplicates },
	{ "trailing CR", test_cr },
	{ "embedded NUL", test_nul },
	{ "UTF-8", test_utf8 },
	{ "very long lines", test_long_garbage },
	{ "help", test_help },
	{ "error line", test_error_line },
	{ "reply text", test_reply_text },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("ctrl_proto", NULL, NULL, tests);
}
