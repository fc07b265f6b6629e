/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <CUnit/CUnit.h>
#include <jansson.h>

#include "authz/mdp_authz.h"
#include "json_text.h"
#include "unit.h"
#include "util/mdp_inet.h"

/*
 * lib/authz against Istio's documented AuthorizationPolicy examples and
 * semantics (evaluation order, empty policies and rules, not* fields, the
 * TCP rule for HTTP-only fields), and every refusal with its exact text.
 * Policies are written with ' for " (no test string needs an apostrophe).
 */

static char err[1024];

static json_t *
doc_of(const char *text)
{
	return mdp_test_json(text);
}

static struct mdp_authz *
compile(const char *text)
{
	json_t *d = doc_of(text);
	struct mdp_authz *a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	snprintf(err, sizeof(err), "stale");
	a = mdp_authz_compile(d, err, sizeof(err));
	json_decref(d);
	if (a == NULL)
		fprintf(stderr, "\ncompile failed: %s\n", err);
	return a;
}

static void
expect_err_at(const char *text, const char *want, unsigned line)
{
	json_t *d = doc_of(text);
	struct mdp_authz *a = NULL;
	bool ok;

	if (d != NULL) {
		snprintf(err, sizeof(err), "stale");
		a = mdp_authz_compile(d, err, sizeof(err));
		json_decref(d);
	}
	ok = d != NULL && a == NULL && strcmp(err, want) == 0;
	if (!ok)
		fprintf(stderr, "\n%s:%u: %s\n--- want:\n%s\n--- got:\n%s\n", __FILE__, line,
			a != NULL ? "accepted" : "error mismatch", want, a != NULL ? "" : err);
	CU_assertImplementation(ok, line, "rejected with the expected message", __FILE__, "",
				CU_FALSE);
	mdp_authz_free(a);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

struct t_req {
	const char *principal;	/* NULL: plaintext */
	const char *ip;		/* default 198.18.0.10 */
	unsigned port;		/* default 8080 */
	const char *sni;
	bool tcp;
	const char *method;	/* default GET */
	const char *host;	/* default httpbin */
	const char *path;	/* default / */
	const char *hdr[8];	/* name, value, name, value, ..., NULL */
};

static int
hdr_cb(void *arg, const char *name, size_t name_len, const char **val, size_t *val_len)
{
	const struct t_req *t = arg;

	for (int i = 0; i < 8 && t->hdr[i] != NULL; i += 2)
		if (strlen(t->hdr[i]) == name_len && strncasecmp(t->hdr[i], name, name_len) == 0) {
			*val = t->hdr[i + 1];
			*val_len = strlen(t->hdr[i + 1]);
			return 1;
		}
	return 0;
}

static void
fill(struct mdp_authz_req *r, const struct t_req *t)
{
	memset(r, 0, sizeof(*r));
	r->principal = t->principal;
	r->principal_len = t->principal != NULL ? strlen(t->principal) : 0;
	CU_ASSERT_EQUAL_FATAL(mdp_ipv4_parse(t->ip != NULL ? t->ip : "198.18.0.10", &r->src_ip), 0);
	r->dst_port = (uint16_t)(t->port != 0 ? t->port : 8080);
	r->sni = t->sni;
	r->sni_len = t->sni != NULL ? strlen(t->sni) : 0;
	r->http = !t->tcp;
	if (t->tcp)
		return;
	r->method = t->method != NULL ? t->method : "GET";
	r->method_len = strlen(r->method);
	r->host = t->host != NULL ? t->host : "httpbin";
	r->host_len = strlen(r->host);
	r->path = t->path != NULL ? t->path : "/";
	r->path_len = strlen(r->path);
	r->header = hdr_cb;
	r->header_arg = (void *)t;
}

#define A MDP_AUTHZ_ALLOW
#define D MDP_AUTHZ_DENY

static void
expect_at(const struct mdp_authz *a, enum mdp_authz_verdict want, int want_idx, struct t_req t,
	  unsigned line)
{
	struct mdp_authz_req r;
	enum mdp_authz_verdict v;
	int idx = -7;

	fill(&r, &t);
	v = mdp_authz_check(a, &r, &idx);
	if (v != want || idx != want_idx)
		fprintf(stderr, "\n%s:%u: want %s by %d, got %s by %d\n", __FILE__, line,
			want == A ? "allow" : "deny", want_idx, v == A ? "allow" : "deny", idx);
	CU_assertImplementation(v == want && idx == want_idx, line, "verdict", __FILE__, "",
				CU_FALSE);
}

/* EXPECT(a, A or D, deciding policy or -1, request fields...) */
#define EXPECT(a, v, i, ...) expect_at(a, v, i, (struct t_req){ __VA_ARGS__ }, __LINE__)

static int
audit_of(const struct mdp_authz *a, struct t_req t)
{
	struct mdp_authz_req r;

	fill(&r, &t);
	return mdp_authz_audit(a, &r);
}

#define AUDIT(a, ...) audit_of(a, (struct t_req){ __VA_ARGS__ })

#define SLEEP "cluster.local/ns/default/sa/sleep"
#define ORDER "spiffe://cluster.local/ns/default/sa/order"
#define ANALYTICS "spiffe://cluster.local/ns/default/sa/analytics"

/* ------------------------------------------------------------------ */
/* Empty policies, allow-nothing, allow-all, deny-all                  */

static void
test_no_policies(void)
{
	struct mdp_authz *a = mdp_authz_compile(NULL, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(mdp_authz_count(a), 0);
	CU_ASSERT_FALSE(mdp_authz_needs_http(a));
	CU_ASSERT_FALSE(mdp_authz_has_audit(a));
	EXPECT(a, A, -1);
	EXPECT(a, A, -1, .tcp = true);
	mdp_authz_free(a);

	a = compile("[]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, -1, .principal = ORDER, .method = "DELETE", .path = "/x");
	mdp_authz_free(a);

	/* NULL: no policies */
	EXPECT(NULL, A, -1);
	EXPECT(NULL, A, -1, .tcp = true);
	CU_ASSERT_EQUAL(mdp_authz_count(NULL), 0);
	CU_ASSERT_FALSE(mdp_authz_needs_http(NULL));
	CU_ASSERT_EQUAL(AUDIT(NULL), -1);
	mdp_authz_free(NULL);
}

/* Istio: "spec: {}" allows nothing: with no other ALLOW policy, every
 * request is denied (and no policy decided it). */
static void
test_allow_nothing(void)
{
	static const char *const docs[] = {
		"[ { 'apiVersion': 'security.istio.io/v1', 'kind': 'AuthorizationPolicy', "
		"'metadata': { 'name': 'allow-nothing', 'namespace': 'foo' }, 'spec': {} } ]",
		"[ { 'apiVersion': 'security.istio.io/v1beta1', 'kind': 'AuthorizationPolicy', "
		"'metadata': { 'name': 'allow-nothing', 'namespace': 'foo' } } ]",
		/* the selector example: matchLabels is accepted and ignored */
		"[ { 'apiVersion': 'security.istio.io/v1', 'kind': 'AuthorizationPolicy', "
		"'metadata': { 'name': 'allow-nothing', 'namespace': 'bar' }, "
		"'spec': { 'selector': { 'matchLabels': { 'app': 'httpbin' } } } } ]",
		"[ { 'name': 'allow-nothing' } ]",
		"[ { 'name': 'allow-nothing', 'action': 'ALLOW', 'rules': [] } ]",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct mdp_authz *a = compile(docs[i]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_EQUAL(mdp_authz_count(a), 1);
		CU_ASSERT_STRING_EQUAL(mdp_authz_policy_name(a, 0), "allow-nothing");
		CU_ASSERT_EQUAL(mdp_authz_policy_action(a, 0), MDP_AUTHZ_ACT_ALLOW);
		EXPECT(a, D, -1);
		EXPECT(a, D, -1, .principal = ORDER);
		EXPECT(a, D, -1, .tcp = true);
		mdp_authz_free(a);
	}
}

static void
test_allow_all(void)
{
	struct mdp_authz *a = compile(
		"[ { 'apiVersion': 'security.istio.io/v1', 'kind': 'AuthorizationPolicy', "
		"'metadata': { 'name': 'allow-all', 'namespace': 'foo' }, "
		"'spec': { 'rules': [ {} ] } } ]");

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, 0);
	EXPECT(a, A, 0, .principal = ANALYTICS, .method = "DELETE", .path = "/admin");
	EXPECT(a, A, 0, .tcp = true);
	CU_ASSERT_FALSE(mdp_authz_needs_http(a));
	mdp_authz_free(a);
}

static void
test_deny_all(void)
{
	/* deny-all wins over allow-all, whatever the order in the document */
	struct mdp_authz *a = compile("[ { 'name': 'allow-all', 'rules': [ {} ] }, "
				      "{ 'name': 'deny-all', 'action': 'DENY', 'rules': [ {} ] } ]");

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, D, 1);
	EXPECT(a, D, 1, .principal = ORDER);
	EXPECT(a, D, 1, .tcp = true);
	mdp_authz_free(a);

	/* a DENY policy without rules matches nothing: no effect */
	a = compile("[ { 'name': 'deny-nothing', 'action': 'DENY' } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, -1);
	EXPECT(a, A, -1, .tcp = true);
	mdp_authz_free(a);

	a = compile("[ { 'name': 'deny-nothing', 'action': 'DENY', 'rules': [] }, "
		    "{ 'name': 'allow-all', 'rules': [ {} ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, 1);
	mdp_authz_free(a);
}

/* ------------------------------------------------------------------ */
/* Istio's httpbin examples                                            */

/* The AuthorizationPolicy reference's first example, without its JWT
 * condition (refused: see test_refused). */
static void
test_httpbin_allow(void)
{
	struct mdp_authz *a = compile(
		"[ { 'apiVersion': 'security.istio.io/v1', 'kind': 'AuthorizationPolicy', "
		"'metadata': { 'name': 'httpbin', 'namespace': 'foo' }, 'spec': { "
		"'action': 'ALLOW', 'rules': [ { "
		"'from': [ { 'source': { 'principals': [ 'cluster.local/ns/default/sa/sleep' ] } }, "
		"          { 'source': { 'namespaces': [ 'test' ] } } ], "
		"'to': [ { 'operation': { 'methods': [ 'GET' ], 'paths': [ '/info*' ] } }, "
		"        { 'operation': { 'methods': [ 'POST' ], 'paths': [ '/data' ] } } ] } ] } } ]");

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(mdp_authz_policy_namespace(a, 0), "foo");
	CU_ASSERT_TRUE(mdp_authz_needs_http(a));
	EXPECT(a, A, 0, .principal = SLEEP, .path = "/info");
	EXPECT(a, A, 0, .principal = "spiffe://" SLEEP, .path = "/info/headers");
	EXPECT(a, A, 0, .principal = SLEEP, .path = "/information");
	EXPECT(a, A, 0, .principal = SLEEP, .method = "POST", .path = "/data");
	EXPECT(a, D, -1, .principal = SLEEP, .path = "/inf");
	EXPECT(a, D, -1, .principal = SLEEP, .method = "POST", .path = "/info");
	EXPECT(a, D, -1, .principal = SLEEP, .method = "POST", .path = "/data/x");
	EXPECT(a, D, -1, .principal = SLEEP, .method = "get", .path = "/info");
	EXPECT(a, D, -1, .principal = SLEEP, .method = "PUT", .path = "/data");
	/* any service account of namespace test */
	EXPECT(a, A, 0, .principal = "cluster.local/ns/test/sa/any", .method = "POST",
	       .path = "/data");
	EXPECT(a, A, 0, .principal = "spiffe://other.domain/ns/test/sa/x", .path = "/info");
	EXPECT(a, D, -1, .principal = "cluster.local/ns/testing/sa/x", .path = "/info");
	EXPECT(a, D, -1, .principal = "cluster.local/ns/default/sa/sleeper", .path = "/info");
	EXPECT(a, D, -1, .principal = "cluster.local/ns/default/sa/slee", .path = "/info");
	/* plaintext: no principal, no namespace */
	EXPECT(a, D, -1, .path = "/info");
	/* TCP: the only rule has HTTP fields: an ALLOW ignores it */
	EXPECT(a, D, -1, .principal = SLEEP, .tcp = true);
	mdp_authz_free(a);
}

/* The explicit-deny task: deny GET; then deny GET unless from a path. */
static void
test_httpbin_deny(void)
{
	struct mdp_authz *a = compile(
		"[ { 'name': 'deny-method-get', 'namespace': 'foo', 'action': 'DENY', "
		"'rules': [ { 'to': [ { 'operation': { 'methods': [ 'GET' ] } } ], "
		"'when': [ { 'key': 'request.headers[x-token]', 'notValues': [ 'admin' ] } ] } ] } ]");

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, D, 0, .path = "/get");
	EXPECT(a, D, 0, .path = "/get", .hdr = { "x-token", "guest" });
	EXPECT(a, A, -1, .path = "/get", .hdr = { "X-Token", "admin" });
	EXPECT(a, A, -1, .method = "POST", .path = "/post");
	mdp_authz_free(a);

	/* the reference's DENY from namespace dev to POST */
	a = compile("[ { 'name': 'httpbin', 'action': 'DENY', 'rules': [ { "
		    "'from': [ { 'source': { 'namespaces': [ 'dev' ] } } ], "
		    "'to': [ { 'operation': { 'methods': [ 'POST' ] } } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, D, 0, .principal = "cluster.local/ns/dev/sa/x", .method = "POST");
	EXPECT(a, A, -1, .principal = "cluster.local/ns/dev/sa/x", .method = "GET");
	EXPECT(a, A, -1, .principal = "cluster.local/ns/prod/sa/x", .method = "POST");
	EXPECT(a, A, -1, .method = "POST");
	mdp_authz_free(a);

	/* ALLOW for paths but /admin; the request path is the normalized one */
	a = compile("[ { 'name': 'no-admin', 'rules': [ { "
		    "'to': [ { 'operation': { 'notPaths': [ '/admin', '/admin/*' ] } } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, 0, .path = "/");
	EXPECT(a, A, 0, .path = "/administrator");
	EXPECT(a, D, -1, .path = "/admin");
	EXPECT(a, D, -1, .path = "/admin/");
	EXPECT(a, D, -1, .path = "/admin/users");
	mdp_authz_free(a);
}

/* ------------------------------------------------------------------ */
/* TCP listeners: HTTP-only fields                                     */

static void
test_tcp(void)
{
	struct mdp_authz *a;

	/* The reference: "DENY POST on port 8080": on TCP the method cannot
	 * be evaluated; for DENY it counts as matched, so all TCP traffic
	 * on 8080 is denied. */
	a = compile("[ { 'name': 'httpbin', 'action': 'DENY', 'rules': [ { "
		    "'to': [ { 'operation': { 'methods': [ 'POST' ], 'ports': [ '8080' ] } } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, D, 0, .method = "POST", .port = 8080);
	EXPECT(a, A, -1, .method = "GET", .port = 8080);
	EXPECT(a, A, -1, .method = "POST", .port = 9000);
	EXPECT(a, D, 0, .tcp = true, .port = 8080);
	EXPECT(a, A, -1, .tcp = true, .port = 9000);
	mdp_authz_free(a);

	/* without the port, all TCP traffic is denied */
	a = compile("[ { 'name': 'd', 'action': 'DENY', 'rules': [ { "
		    "'to': [ { 'operation': { 'notPaths': [ '/public/*' ] } } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, -1, .path = "/public/x");
	EXPECT(a, D, 0, .path = "/private");
	EXPECT(a, D, 0, .tcp = true);
	mdp_authz_free(a);

	/* a DENY with a header condition and a principal: on TCP the
	 * principal alone decides */
	a = compile("[ { 'name': 'd', 'action': 'DENY', 'rules': [ { "
		    "'from': [ { 'source': { 'principals': [ '*/sa/analytics' ] } } ], "
		    "'when': [ { 'key': 'request.headers[x-debug]', 'values': [ '1' ] } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, -1, .principal = ANALYTICS);
	EXPECT(a, D, 0, .principal = ANALYTICS, .hdr = { "x-debug", "1" });
	EXPECT(a, D, 0, .principal = ANALYTICS, .tcp = true);
	EXPECT(a, A, -1, .principal = ORDER, .tcp = true);
	mdp_authz_free(a);

	/* ALLOW: a rule with an HTTP-only field never matches on TCP, even
	 * when another of its operations has none; other rules still do */
	a = compile("[ { 'name': 'a', 'rules': [ "
		    "{ 'to': [ { 'operation': { 'ports': [ 9000 ], 'methods': [ 'GET' ] } } ] }, "
		    "{ 'to': [ { 'operation': { 'hosts': [ 'x' ] } }, "
		    "          { 'operation': { 'ports': [ '9002' ] } } ] }, "
		    "{ 'to': [ { 'operation': { 'ports': [ '9001' ] } } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_TRUE(mdp_authz_needs_http(a));
	EXPECT(a, A, 0, .port = 9000);
	EXPECT(a, A, 0, .port = 9002);
	EXPECT(a, D, -1, .tcp = true, .port = 9000);
	EXPECT(a, D, -1, .tcp = true, .port = 9002);
	EXPECT(a, A, 0, .tcp = true, .port = 9001);
	EXPECT(a, D, -1, .tcp = true, .port = 9003);
	mdp_authz_free(a);

	/* ALLOW with a header condition: dropped on TCP */
	a = compile("[ { 'name': 'a', 'rules': [ { 'when': [ "
		    "{ 'key': 'request.headers[x-a]', 'values': [ '*' ] } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, 0, .hdr = { "x-a", "" });
	EXPECT(a, D, -1, .tcp = true);
	mdp_authz_free(a);

	/* connection fields alone: the same on TCP and HTTP */
	a = compile("[ { 'name': 'a', 'rules': [ { "
		    "'from': [ { 'source': { 'principals': [ '" ORDER "' ] } } ], "
		    "'to': [ { 'operation': { 'ports': [ '9000' ] } } ], "
		    "'when': [ { 'key': 'connection.sni', 'values': [ 'payment.*' ] } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_FALSE(mdp_authz_needs_http(a));
	EXPECT(a, A, 0, .tcp = true, .port = 9000, .principal = ORDER, .sni = "payment.prod");
	EXPECT(a, A, 0, .port = 9000, .principal = ORDER, .sni = "payment.prod");
	EXPECT(a, D, -1, .tcp = true, .port = 9000, .principal = ORDER);
	EXPECT(a, D, -1, .tcp = true, .port = 9000, .principal = ANALYTICS, .sni = "payment.x");
	mdp_authz_free(a);
}

/* ------------------------------------------------------------------ */
/* Fields                                                              */

static void
test_not_fields(void)
{
	struct mdp_authz *a;

	/* require mTLS: deny what has no principal */
	a = compile("[ { 'name': 'require-mtls', 'action': 'DENY', 'rules': [ { "
		    "'from': [ { 'source': { 'notPrincipals': [ '*' ] } } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, D, 0);
	EXPECT(a, D, 0, .tcp = true);
	EXPECT(a, A, -1, .principal = ORDER);
	EXPECT(a, A, -1, .principal = "x", .tcp = true);
	mdp_authz_free(a);

	/* fields of one source are ANDed; a field and its not* too */
	a = compile("[ { 'name': 'a', 'rules': [ { 'from': [ { 'source': { "
		    "'namespaces': [ 'default', 'prod*' ], 'notNamespaces': [ 'production' ], "
		    "'notPrincipals': [ '*/sa/analytics' ] } } ], "
		    "'to': [ { 'operation': { 'notMethods': [ 'DELETE' ], 'notHosts': [ 'admin.*' ], "
		    "'notPorts': [ '15000' ] } } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, 0, .principal = ORDER);
	EXPECT(a, A, 0, .principal = "td/ns/prod-eu/sa/order");
	EXPECT(a, D, -1, .principal = "td/ns/production/sa/order");
	EXPECT(a, D, -1, .principal = ANALYTICS);
	EXPECT(a, D, -1, .principal = ORDER, .method = "DELETE");
	EXPECT(a, A, 0, .principal = ORDER, .method = "delete");
	EXPECT(a, D, -1, .principal = ORDER, .host = "Admin.example");
	EXPECT(a, D, -1, .principal = ORDER, .port = 15000);
	EXPECT(a, D, -1);
	mdp_authz_free(a);
}

static void
test_ip_blocks(void)
{
	struct mdp_authz *a = compile(
		"[ { 'name': 'a', 'rules': [ { 'from': [ "
		"{ 'source': { 'ipBlocks': [ '198.18.0.1', '198.19.0.0/16' ], "
		"              'notIpBlocks': [ '198.19.7.0/24' ] } }, "
		"{ 'source': { 'remoteIpBlocks': [ '198.18.5.7/24' ], "
		"              'notRemoteIpBlocks': [ '198.18.5.255' ] } } ] } ] } ]");

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, 0, .ip = "198.18.0.1");
	EXPECT(a, D, -1, .ip = "198.18.0.2");
	EXPECT(a, A, 0, .ip = "198.19.0.0");
	EXPECT(a, A, 0, .ip = "198.19.255.255", .tcp = true);
	EXPECT(a, D, -1, .ip = "198.19.7.9");
	EXPECT(a, D, -1, .ip = "198.20.0.1");
	/* host bits of a CIDR are ignored, as in Istio */
	EXPECT(a, A, 0, .ip = "198.18.5.0");
	EXPECT(a, A, 0, .ip = "198.18.5.200");
	EXPECT(a, D, -1, .ip = "198.18.5.255");
	EXPECT(a, D, -1, .ip = "198.18.6.1");
	mdp_authz_free(a);

	a = compile("[ { 'name': 'a', 'action': 'DENY', 'rules': [ { 'from': [ "
		    "{ 'source': { 'ipBlocks': [ '0.0.0.0/0' ] } } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, D, 0, .ip = "198.18.0.1");
	EXPECT(a, D, 0, .ip = "255.255.255.255");
	mdp_authz_free(a);
}

static void
test_when(void)
{
	struct mdp_authz *a = compile(
		"[ { 'name': 'a', 'rules': [ { 'when': [ "
		"{ 'key': 'request.headers[X-User-Group]', 'values': [ 'beta', 'qa-*', '*-test' ] }, "
		"{ 'key': 'request.headers[x-deny]', 'notValues': [ '*' ] } ] }, "
		"{ 'when': [ { 'key': 'source.ip', 'values': [ '198.19.0.0/16' ] }, "
		"            { 'key': 'remote.ip', 'notValues': [ '198.19.1.1' ] }, "
		"            { 'key': 'destination.port', 'values': [ '443', 8443 ] } ] }, "
		"{ 'when': [ { 'key': 'source.namespace', 'values': [ 'ops' ] }, "
		"            { 'key': 'source.principal', 'notValues': [ '*/sa/intern' ] } ] } "
		"] } ]");

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, 0, .hdr = { "x-user-group", "beta" });
	EXPECT(a, A, 0, .hdr = { "x-user-group", "qa-" });
	EXPECT(a, A, 0, .hdr = { "x-user-group", "qa-eu" });
	EXPECT(a, A, 0, .hdr = { "x-user-group", "load-test" });
	EXPECT(a, D, -1, .hdr = { "x-user-group", "Beta" });
	EXPECT(a, D, -1, .hdr = { "x-user-group", "" });
	EXPECT(a, D, -1);
	/* notValues '*': the header must be absent (present even empty fails) */
	EXPECT(a, D, -1, .hdr = { "x-user-group", "beta", "x-deny", "" });
	EXPECT(a, D, -1, .hdr = { "x-user-group", "beta", "x-deny", "1" });
	EXPECT(a, A, 0, .hdr = { "x-user-group", "beta", "x-other", "1" });

	EXPECT(a, A, 0, .ip = "198.19.0.5", .port = 443);
	EXPECT(a, A, 0, .ip = "198.19.0.5", .port = 8443, .tcp = true);
	EXPECT(a, D, -1, .ip = "198.19.1.1", .port = 443);
	EXPECT(a, D, -1, .ip = "198.19.0.5", .port = 80);
	EXPECT(a, D, -1, .ip = "198.18.0.5", .port = 443);

	EXPECT(a, A, 0, .principal = "spiffe://td/ns/ops/sa/admin");
	EXPECT(a, A, 0, .principal = "td/ns/ops/sa/admin", .tcp = true);
	EXPECT(a, D, -1, .principal = "td/ns/ops/sa/intern");
	EXPECT(a, D, -1, .principal = "td/ns/ops");
	mdp_authz_free(a);

	/* no header callback: no request has headers */
	a = compile("[ { 'name': 'a', 'rules': [ { 'when': [ "
		    "{ 'key': 'request.headers[x-a]', 'notValues': [ 'b' ] } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	{
		struct mdp_authz_req r = { .http = true, .method = "GET", .method_len = 3,
					   .path = "/", .path_len = 1 };
		int idx;

		CU_ASSERT_EQUAL(mdp_authz_check(a, &r, &idx), A);
		CU_ASSERT_EQUAL(idx, 0);
		CU_ASSERT_EQUAL(mdp_authz_check(a, &r, NULL), A);
	}
	EXPECT(a, D, -1, .hdr = { "x-a", "b" });
	EXPECT(a, A, 0, .hdr = { "x-a", "bb" });
	mdp_authz_free(a);
}

/* Exact, prefix "abc*", suffix "*abc", presence "*" (non-empty). */
static void
test_string_forms(void)
{
	struct mdp_authz *a = compile(
		"[ { 'name': 'a', 'rules': [ { 'to': [ { 'operation': { "
		"'hosts': [ 'Payment.Prod', '*.example.com', 'api.*' ] } } ] }, "
		"{ 'to': [ { 'operation': { 'paths': [ '*.png' ], 'methods': [ 'G*' ] } } ] }, "
		"{ 'to': [ { 'operation': { 'paths': [ '*/v1/*' ], 'methods': [ '*' ] } } ] } ] } ]");

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	/* hosts: case-insensitive; a port is part of the host */
	EXPECT(a, A, 0, .host = "payment.prod", .method = "PUT", .path = "/p");
	EXPECT(a, A, 0, .host = "PAYMENT.PROD", .method = "PUT", .path = "/p");
	EXPECT(a, D, -1, .host = "payment.prod:8080", .method = "PUT", .path = "/p");
	EXPECT(a, A, 0, .host = "a.EXAMPLE.com", .method = "PUT", .path = "/p");
	EXPECT(a, A, 0, .host = ".example.com", .method = "PUT", .path = "/p");
	EXPECT(a, D, -1, .host = "example.com", .method = "PUT", .path = "/p");
	EXPECT(a, A, 0, .host = "api.", .method = "PUT", .path = "/p");
	EXPECT(a, A, 0, .host = "api.x:1", .method = "PUT", .path = "/p");
	/* suffix and prefix */
	EXPECT(a, A, 0, .method = "GET", .path = "/a/b.png");
	EXPECT(a, A, 0, .method = "G", .path = "/.png");
	EXPECT(a, D, -1, .method = "POST", .path = "/a/b.png");
	EXPECT(a, D, -1, .method = "GET", .path = "/a/b.PNG");
	/* "*x*" is a suffix match of "x*", not "contains" (as in Istio) */
	EXPECT(a, A, 0, .method = "PUT", .path = "/v1/*");
	EXPECT(a, D, -1, .method = "PUT", .path = "/v1/x");
	mdp_authz_free(a);

	/* principals: with or without spiffe:// on either side */
	a = compile("[ { 'name': 'a', 'rules': [ { 'from': [ { 'source': { 'principals': "
		    "[ 'spiffe://cluster.local/ns/default/sa/order', 'td/ns/x/sa/y', "
		    "'spiffe://other/*' ] } } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, 0, .principal = ORDER);
	EXPECT(a, A, 0, .principal = ORDER + 9);
	EXPECT(a, A, 0, .principal = "spiffe://td/ns/x/sa/y");
	EXPECT(a, A, 0, .principal = "td/ns/x/sa/y");
	EXPECT(a, A, 0, .principal = "other/anything");
	EXPECT(a, D, -1, .principal = "spiffe://td/ns/x/sa/yy");
	EXPECT(a, D, -1, .principal = "SPIFFE://td/ns/x/sa/y");
	EXPECT(a, D, -1, .principal = "spiffe://");
	EXPECT(a, D, -1, .principal = "");
	mdp_authz_free(a);

	/* namespaces come from the /ns/NS/ segment of the principal */
	a = compile("[ { 'name': 'a', 'rules': [ { 'from': [ { 'source': { 'namespaces': "
		    "[ 'default', '*-prod' ] } } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, 0, .principal = ORDER);
	EXPECT(a, A, 0, .principal = "td/ns/eu-prod/sa/x");
	EXPECT(a, D, -1, .principal = "td/ns/default");
	EXPECT(a, D, -1, .principal = "td/sa/x");
	EXPECT(a, D, -1, .principal = "td/ns//sa/default");
	EXPECT(a, D, -1, .principal = "td/x/default/sa/y");
	EXPECT(a, D, -1, .principal = "default/sa/x");
	EXPECT(a, D, -1, .principal = "td/ns/");
	EXPECT(a, D, -1);
	mdp_authz_free(a);
}

/*
 * Policies whose every source names exact principals are skipped by a
 * Bloom filter of them: it may let a policy through, never keep one out.
 */
static void
test_principal_gate(void)
{
	static char doc[128 * 1024];
	char *p = doc, id[64];
	struct mdp_authz *a;

	p += sprintf(p, "[ ");
	for (int i = 0; i < 300; i++)
		p += sprintf(p, "%s{ 'name': 'p%d', 'rules': [ { 'from': [ { 'source': { "
			     "'principals': [ 'cluster.local/ns/prod/sa/caller-%d', 'x%d' ] } } ] } ] }",
			     i ? ", " : "", i, i, i);
	sprintf(p, " ]");
	a = compile(doc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (int i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "spiffe://cluster.local/ns/prod/sa/caller-%d", i);
		EXPECT(a, A, i, .principal = id);
		snprintf(id, sizeof(id), "x%d", i);
		EXPECT(a, A, i, .principal = id, .tcp = true);
	}
	EXPECT(a, D, -1, .principal = "cluster.local/ns/prod/sa/caller-300");
	EXPECT(a, D, -1, .principal = "cluster.local/ns/prod/sa/caller-");
	EXPECT(a, D, -1);
	mdp_authz_free(a);

	/* not gated: a rule without sources, a source without exact
	 * principals; gated by the positive field only */
	a = compile("[ { 'name': 'a', 'rules': [ "
		    "{ 'from': [ { 'source': { 'principals': [ 'td/sa/a' ] } } ] }, "
		    "{ 'to': [ { 'operation': { 'paths': [ '/open' ] } } ] } ] }, "
		    "{ 'name': 'b', 'rules': [ { 'from': [ "
		    "{ 'source': { 'principals': [ 'td/sa/b' ] } }, "
		    "{ 'source': { 'namespaces': [ 'ops' ] } } ] } ] }, "
		    "{ 'name': 'c', 'rules': [ { 'from': [ { 'source': { "
		    "'notPrincipals': [ 'td/sa/c' ], 'principals': [ 'td/sa/c', 'td/sa/cc' ] } } ] } ] }, "
		    "{ 'name': 'd', 'rules': [ { 'from': [ { 'source': { "
		    "'principals': [ 'td/sa/d', 'td/sa/e*' ] } } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, 0, .principal = "td/sa/a");
	EXPECT(a, A, 0, .principal = "td/sa/z", .path = "/open");
	EXPECT(a, A, 0, .path = "/open");
	EXPECT(a, A, 1, .principal = "td/sa/b");
	EXPECT(a, A, 1, .principal = "td/ns/ops/sa/x");
	EXPECT(a, D, -1, .principal = "td/sa/c");
	EXPECT(a, A, 2, .principal = "td/sa/cc");
	EXPECT(a, A, 3, .principal = "td/sa/d");
	EXPECT(a, A, 3, .principal = "td/sa/exyz");
	EXPECT(a, D, -1, .principal = "td/sa/f");
	mdp_authz_free(a);
}

/* ------------------------------------------------------------------ */
/* Actions and order                                                   */

static void
test_audit(void)
{
	struct mdp_authz *a = compile(
		"[ { 'name': 'audit-profile', 'action': 'AUDIT', 'rules': [ { 'to': [ { "
		"'operation': { 'methods': [ 'GET' ], 'paths': [ '/user/profile/*' ] } } ] } ] }, "
		"{ 'name': 'audit-all', 'action': 'AUDIT', 'rules': [ {} ] } ]");

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_TRUE(mdp_authz_has_audit(a));
	/* AUDIT never decides: no ALLOW policy, so everything is allowed */
	EXPECT(a, A, -1, .path = "/user/profile/1");
	EXPECT(a, A, -1, .tcp = true);
	CU_ASSERT_EQUAL(AUDIT(a, .path = "/user/profile/1"), 0);
	CU_ASSERT_EQUAL(AUDIT(a, .path = "/other"), 1);
	/* on TCP the HTTP-only fields of an AUDIT rule are left out */
	CU_ASSERT_EQUAL(AUDIT(a, .tcp = true), 0);
	mdp_authz_free(a);

	a = compile("[ { 'name': 'audit', 'action': 'AUDIT', 'rules': [ { 'to': [ { "
		    "'operation': { 'paths': [ '/x' ] } } ] } ] }, "
		    "{ 'name': 'allow', 'rules': [ { 'to': [ { 'operation': { 'paths': [ '/y' ] } } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, D, -1, .path = "/x");
	EXPECT(a, A, 1, .path = "/y");
	CU_ASSERT_EQUAL(AUDIT(a, .path = "/x"), 0);
	CU_ASSERT_EQUAL(AUDIT(a, .path = "/y"), -1);
	mdp_authz_free(a);
}

static void
test_order(void)
{
	struct mdp_authz *a = compile(
		"[ { 'name': 'allow-get', 'namespace': 'prod', 'rules': [ { 'to': [ { 'operation': "
		"{ 'methods': [ 'GET' ] } } ] } ] }, "
		"{ 'name': 'allow-x', 'rules': [ { 'to': [ { 'operation': { 'paths': [ '/x' ] } } ] } ] }, "
		"{ 'name': 'deny-x', 'action': 'DENY', 'rules': [ { 'to': [ { 'operation': "
		"{ 'paths': [ '/x' ], 'methods': [ 'POST' ] } } ] } ] }, "
		"{ 'name': 'deny-y', 'action': 'DENY', 'rules': [ "
		"{ 'to': [ { 'operation': { 'paths': [ '/y' ] } } ] }, "
		"{ 'to': [ { 'operation': { 'paths': [ '/x' ] } } ] } ] } ]");

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(mdp_authz_count(a), 4);
	CU_ASSERT_STRING_EQUAL(mdp_authz_policy_name(a, 2), "deny-x");
	CU_ASSERT_STRING_EQUAL(mdp_authz_policy_namespace(a, 0), "prod");
	CU_ASSERT_STRING_EQUAL(mdp_authz_policy_namespace(a, 1), "");
	CU_ASSERT_EQUAL(mdp_authz_policy_action(a, 3), MDP_AUTHZ_ACT_DENY);
	CU_ASSERT_STRING_EQUAL(mdp_authz_action_name(MDP_AUTHZ_ACT_AUDIT), "AUDIT");
	CU_ASSERT_STRING_EQUAL(mdp_authz_action_name((enum mdp_authz_action)9), "?");
	/* the first DENY that matches decides, before any ALLOW */
	EXPECT(a, D, 2, .method = "POST", .path = "/x");
	EXPECT(a, D, 3, .method = "GET", .path = "/x");
	EXPECT(a, D, 3, .method = "GET", .path = "/y");
	/* then the first ALLOW that matches */
	EXPECT(a, A, 0, .method = "GET", .path = "/z");
	EXPECT(a, D, -1, .method = "PUT", .path = "/z");
	mdp_authz_free(a);
}

/* SCENARIOS.md 4: Order may call Payment, Analytics may not. */
static void
test_scenario(void)
{
	struct mdp_authz *a = compile(
		"[ { 'apiVersion': 'security.istio.io/v1beta1', 'kind': 'AuthorizationPolicy', "
		"'metadata': { 'name': 'payment-callers', 'namespace': 'production' }, "
		"'spec': { 'selector': { 'matchLabels': { 'app': 'payment-service' } }, "
		"'action': 'ALLOW', 'rules': [ { 'from': [ { 'source': { 'principals': "
		"[ 'mesh.local/ns/production/sa/order-service' ] } } ] } ] } } ]");

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, 0, .principal = "spiffe://mesh.local/ns/production/sa/order-service",
	       .method = "POST", .path = "/charge");
	EXPECT(a, D, -1, .principal = "spiffe://mesh.local/ns/production/sa/analytics-service",
	       .method = "POST", .path = "/charge");
	EXPECT(a, D, -1, .method = "POST", .path = "/charge");
	EXPECT(a, A, 0, .principal = "spiffe://mesh.local/ns/production/sa/order-service",
	       .tcp = true);
	EXPECT(a, D, -1, .principal = "spiffe://mesh.local/ns/production/sa/analytics-service",
	       .tcp = true);
	mdp_authz_free(a);

	/* docs/authorization.md: the explicit deny wins over allow-all */
	a = compile("[ { 'name': 'allow-all', 'rules': [ {} ] }, "
		    "{ 'name': 'no-analytics', 'action': 'DENY', 'rules': [ { 'from': [ { 'source': "
		    "{ 'principals': [ '*/sa/analytics-service' ] } } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, A, 0, .principal = "spiffe://mesh.local/ns/production/sa/order-service");
	EXPECT(a, D, 1, .principal = "spiffe://mesh.local/ns/production/sa/analytics-service");
	EXPECT(a, A, 0);
	mdp_authz_free(a);

	/* docs/authorization.md: /admin for ops, no x-debug from outside */
	a = compile("[ { 'name': 'admin', 'action': 'DENY', 'rules': [ "
		    "{ 'from': [ { 'source': { 'notNamespaces': [ 'ops' ] } } ], "
		    "  'to': [ { 'operation': { 'paths': [ '/admin', '/admin/*' ] } } ] }, "
		    "{ 'when': [ { 'key': 'request.headers[x-debug]', 'values': [ '*' ] }, "
		    "            { 'key': 'source.ip', 'notValues': [ '198.18.0.0/24' ] } ] } ] } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	EXPECT(a, D, 0, .principal = ORDER, .path = "/admin/users");
	EXPECT(a, D, 0, .path = "/admin");
	EXPECT(a, A, -1, .principal = "td/ns/ops/sa/x", .path = "/admin/users");
	EXPECT(a, A, -1, .principal = ORDER, .path = "/administrator");
	EXPECT(a, D, 0, .ip = "198.18.1.1", .hdr = { "x-debug", "" });
	EXPECT(a, A, -1, .ip = "198.18.0.9", .hdr = { "x-debug", "1" });
	mdp_authz_free(a);
}

/* ------------------------------------------------------------------ */
/* Refusals                                                            */

#define P0 "authorization_policies[0]"
#define R0 P0 ".rules[0]"
#define S0 R0 ".from[0].source"
#define O0 R0 ".to[0].operation"
#define W0 R0 ".when[0]"
/* One policy with one rule. */
#define RULE(r) "[ { 'name': 'p', 'rules': [ { " r " } ] } ]"
#define SOURCE(s) RULE("'from': [ { 'source': { " s " } } ]")
#define OP(o) RULE("'to': [ { 'operation': { " o " } } ]")
#define WHEN(w) RULE("'when': [ { " w " } ]")
#define RES(x) "[ { 'apiVersion': 'security.istio.io/v1', 'kind': 'AuthorizationPolicy', " x " } ]"

static void
test_refused(void)
{
	static const struct {
		const char *doc, *err;
		unsigned line;
	} tab[] = {
#define BAD(d, e) { d, e, __LINE__ }
		BAD("{}", "authorization_policies: expected an array"),
		BAD("[ 1 ]", P0 ": expected an object"),
		BAD("[ {} ]", P0 ".name: missing required field"),
		BAD("[ { 'name': '' } ]", P0 ".name: empty string"),
		BAD("[ { 'name': 7 } ]", P0 ".name: expected a string"),
		BAD("[ { 'name': 'a\\u0000b' } ]", P0 ".name: NUL in string"),
		BAD("[ { 'name': 'p', 'namespace': 1 } ]", P0 ".namespace: expected a string"),
		BAD("[ { 'name': 'p', 'bogus': 1 } ]", P0 ".bogus: unknown field"),
		BAD("[ { 'name': 'p' }, { 'name': 'q' }, { 'name': 'p' } ]",
		    "authorization_policies[2].name: 'p' is also the name of authorization_policies[0]"),
		BAD("[ { 'name': 'p', 'action': 'CUSTOM', 'provider': { 'name': 'x' } } ]",
		    P0 ".action: CUSTOM (an external authorizer) is not supported"),
		BAD("[ { 'name': 'p', 'action': 'deny' } ]",
		    P0 ".action: 'deny' is not an action (ALLOW, DENY, AUDIT)"),
		BAD("[ { 'name': 'p', 'provider': { 'name': 'x' } } ]",
		    P0 ".provider: only for action CUSTOM, which is not supported"),
		BAD("[ { 'name': 'p', 'targetRef': { 'kind': 'Gateway', 'name': 'gw' } } ]",
		    P0 ".targetRef: policies for a Gateway are not supported (meshdp applies them "
		    "to its inbound listeners)"),
		BAD("[ { 'name': 'p', 'selector': { 'matchLabels': { 'app': 1 } } } ]",
		    P0 ".selector.matchLabels.app: expected a string"),
		BAD("[ { 'name': 'p', 'selector': { 'app': 'x' } } ]",
		    P0 ".selector.app: unknown field"),
		BAD("[ { 'name': 'p', 'rules': {} } ]", P0 ".rules: expected an array"),
		BAD("[ { 'name': 'p', 'rules': [ [] ] } ]", R0 ": expected an object"),
		BAD(RULE("'form': []"), R0 ".form: unknown field"),
		BAD(RULE("'from': []"), R0 ".from: must not be empty (leave it out to match any "
		    "source)"),
		BAD(RULE("'to': []"), R0 ".to: must not be empty (leave it out to match any "
		    "operation)"),
		BAD(RULE("'from': [ {} ]"), R0 ".from[0].source: missing required field"),
		BAD(RULE("'from': [ { 'source': [] } ]"), S0 ": expected an object"),
		BAD(RULE("'from': [ { 'operation': {} } ]"), R0 ".from[0].operation: unknown field"),
		BAD(SOURCE(""), S0 ": must not be empty (no field is set)"),
		BAD(SOURCE("'principals': []"), S0 ": must not be empty (no field is set)"),
		BAD(SOURCE("'principals': 'a'"), S0 ".principals: expected an array"),
		BAD(SOURCE("'principals': [ '' ]"), S0 ".principals[0]: empty string"),
		BAD(SOURCE("'principals': [ 'a', 1 ]"), S0 ".principals[1]: expected a string"),
		BAD(SOURCE("'principals': [ 'spiffe://' ]"),
		    S0 ".principals[0]: a principal after 'spiffe://' is needed"),
		BAD(SOURCE("'requestPrincipals': [ '*' ]"),
		    S0 ".requestPrincipals: request principals (JWT, RequestAuthentication) are "
		    "not supported"),
		BAD(SOURCE("'notRequestPrincipals': [ '*' ]"),
		    S0 ".notRequestPrincipals: request principals (JWT, RequestAuthentication) are "
		    "not supported"),
		BAD(SOURCE("'ipBlocks': [ '198.18.0.1', '198.18.0.0/33' ]"),
		    S0 ".ipBlocks[1]: '198.18.0.0/33' is not an IPv4 address or CIDR"),
		BAD(SOURCE("'notIpBlocks': [ '198.18.0' ]"),
		    S0 ".notIpBlocks[0]: '198.18.0' is not an IPv4 address or CIDR"),
		BAD(SOURCE("'remoteIpBlocks': [ '2001:db8::/32' ]"),
		    S0 ".remoteIpBlocks[0]: '2001:db8::/32': IPv6 is not supported (IPv4 addresses "
		    "and CIDRs only)"),
		BAD(SOURCE("'ipBlocks': [ 198 ]"), S0 ".ipBlocks[0]: expected a string"),
		BAD(OP("'ports': [ '80', 'http' ]"),
		    O0 ".ports[1]: 'http' is not a port (1..65535)"),
		BAD(OP("'notPorts': [ 0 ]"), O0 ".notPorts[0]: 0 is not a port (1..65535)"),
		BAD(OP("'ports': [ '65536' ]"), O0 ".ports[0]: 65536 is not a port (1..65535)"),
		BAD(OP("'ports': [ true ]"),
		    O0 ".ports[0]: expected a port (a string or an integer)"),
		BAD(OP("'paths': [ 'admin' ]"), O0 ".paths[0]: 'admin' must start with '/' (or '*')"),
		BAD(OP("'paths': [ '/a//b' ]"),
		    O0 ".paths[0]: '/a//b' is not normalized (requests are matched on their "
		    "normalized path, docs/http.md): it would never match"),
		BAD(OP("'notPaths': [ '/a/../admin*' ]"),
		    O0 ".notPaths[0]: '/a/../admin*' is not normalized (requests are matched on "
		    "their normalized path, docs/http.md): it would never match"),
		BAD(OP("'paths': [ '*/%2e%2e/x' ]"),
		    O0 ".paths[0]: '*/%2e%2e/x' is not normalized (requests are matched on their "
		    "normalized path, docs/http.md): it would never match"),
		BAD(OP("'paths': [ '/x?a=1' ]"),
		    O0 ".paths[0]: '/x?a=1' is not a valid request path"),
		BAD(OP("'paths': [ '/foo/{*}/bar' ]"),
		    O0 ".paths[0]: '/foo/{*}/bar': path templates ({*}, {**}) are not supported"),
		BAD(OP("'methods': [ 'GET' ], 'verbs': [ 'x' ]"), O0 ".verbs: unknown field"),
		BAD(WHEN("'values': [ 'x' ]"), W0 ".key: missing required field"),
		BAD(WHEN("'key': 'source.ip'"), W0 ": needs values or notValues"),
		BAD(WHEN("'key': 'source.ip', 'values': [], 'notValues': []"),
		    W0 ": needs values or notValues"),
		BAD(WHEN("'key': 'request.auth.claims[iss]', 'values': [ 'x' ]"),
		    W0 ".key: 'request.auth.claims[iss]': JWT claims (RequestAuthentication) are "
		    "not supported"),
		BAD(WHEN("'key': 'destination.ip', 'values': [ '198.18.0.1' ]"),
		    W0 ".key: 'destination.ip' is not supported (request.headers[NAME], source.ip, "
		    "remote.ip, source.namespace, source.principal, destination.port, "
		    "connection.sni)"),
		BAD(WHEN("'key': 'request.headers[]', 'values': [ 'x' ]"),
		    W0 ".key: 'request.headers[]': not a header name"),
		BAD(WHEN("'key': 'request.headers[a b]', 'values': [ 'x' ]"),
		    W0 ".key: 'request.headers[a b]': not a header name"),
		BAD(WHEN("'key': 'source.ip', 'notValues': [ 'x' ]"),
		    W0 ".notValues[0]: 'x' is not an IPv4 address or CIDR"),
		BAD(WHEN("'key': 'destination.port', 'values': [ '8o' ]"),
		    W0 ".values[0]: '8o' is not a port (1..65535)"),
		BAD(WHEN("'key': 'connection.sni', 'values': [ '' ]"), W0 ".values[0]: empty string"),
		BAD(WHEN("'key': 'source.ip', 'values': [ 'x' ], 'value': 1"),
		    W0 ".value: unknown field"),
		/* Kubernetes resources */
		BAD("[ { 'apiVersion': 'security.istio.io/v1', 'kind': 'AuthorizationPolicy' } ]",
		    P0 ".metadata: missing required field"),
		BAD(RES("'metadata': {}"), P0 ".metadata.name: missing required field"),
		BAD(RES("'metadata': []"), P0 ".metadata: expected an object"),
		BAD("[ { 'kind': 'AuthorizationPolicy', 'metadata': { 'name': 'p' } } ]",
		    P0 ".apiVersion: missing required field"),
		BAD("[ { 'apiVersion': 'networking.istio.io/v1', 'kind': 'AuthorizationPolicy', "
		    "'metadata': { 'name': 'p' } } ]",
		    P0 ".apiVersion: 'networking.istio.io/v1': expected security.istio.io/v1 or "
		    "security.istio.io/v1beta1"),
		BAD("[ { 'apiVersion': 'security.istio.io/v1', 'kind': 'PeerAuthentication', "
		    "'metadata': { 'name': 'p' } } ]",
		    P0 ".kind: 'PeerAuthentication': expected AuthorizationPolicy"),
		BAD(RES("'metadata': { 'name': 'p', 'annotations': { 'istio.io/dry-run': 'true' } }"),
		    P0 ".metadata.annotations.istio.io/dry-run: dry-run policies are not supported"),
		BAD(RES("'metadata': { 'name': 'p' }, 'spec': { 'name': 'q' }"),
		    P0 ".spec.name: unknown field"),
		BAD(RES("'metadata': { 'name': 'p' }, 'spec': []"), P0 ".spec: expected an object"),
		BAD(RES("'metadata': { 'name': 'p' }, 'spec': { 'rules': [ { 'from': [ { 'source': "
			"{ 'ipBlocks': [ '198.18.0.1/40' ] } } ] } ] }"),
		    P0 ".spec.rules[0].from[0].source.ipBlocks[0]: '198.18.0.1/40' is not an IPv4 "
		    "address or CIDR"),
		BAD("[ " "{ 'name': 'p' }, "
		    "{ 'apiVersion': 'security.istio.io/v1', 'kind': 'AuthorizationPolicy', "
		    "'metadata': { 'name': 'p' } } ]",
		    "authorization_policies[1].metadata.name: 'p' is also the name of "
		    "authorization_policies[0]"),
		BAD("[ { 'name': 'p', 'spec': {} } ]", P0 ".name: unknown field"),
#undef BAD
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		expect_err_at(tab[i].doc, tab[i].err, tab[i].line);
}

/* Limits, long strings and a short error buffer. */
static void
test_limits(void)
{
	static char big[64 * 1024];
	struct mdp_authz *a;
	json_t *d;
	char small[8], *p;

	/* MDP_AUTHZ_MAX_ITEMS values: accepted; one more: refused */
	for (int n = 1024; n <= 1025; n++) {
		p = big + sprintf(big, "%s", "[ { 'name': 'p', 'rules': [ { 'to': [ { 'operation': "
					     "{ 'ports': [ ");
		for (int i = 0; i < n; i++)
			p += sprintf(p, "%s%d", i ? ", " : "", i + 1);
		sprintf(p, " ] } } ] } ] } ]");
		if (n == 1024) {
			a = compile(big);
			CU_ASSERT_PTR_NOT_NULL(a);
			EXPECT(a, A, 0, .port = 1024);
			EXPECT(a, D, -1, .port = 1025);
			mdp_authz_free(a);
		} else {
			expect_err_at(big, O0 ".ports: 1025 entries, at most 1024", __LINE__);
		}
	}
	p = big + sprintf(big, "[ { 'name': 'p', 'rules': [ { 'to': [ { 'operation': "
			       "{ 'paths': [ '/");
	memset(p, 'a', 4096);
	sprintf(p + 4096, "' ] } } ] } ] } ]");
	expect_err_at(big, O0 ".paths[0]: longer than 4096 bytes", __LINE__);
	p[4095] = '\'';
	sprintf(p + 4096, " ] } } ] } ] } ]");
	a = compile(big);
	CU_ASSERT_PTR_NOT_NULL(a);
	mdp_authz_free(a);

	d = doc_of("[ { 'name': 'p', 'bogus': 1 } ]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	memset(small, 'z', sizeof(small));
	CU_ASSERT_PTR_NULL(mdp_authz_compile(d, small, sizeof(small)));
	CU_ASSERT_STRING_EQUAL(small, "authori");
	CU_ASSERT_PTR_NULL(mdp_authz_compile(d, small, 1));
	CU_ASSERT_EQUAL(small[0], '\0');
	CU_ASSERT_PTR_NULL(mdp_authz_compile(d, NULL, 0));
	json_decref(d);
}

/* Kubernetes resources become flat policies for dumps. */
static void
test_flatten(void)
{
	json_t *d = doc_of(
		"[ { 'name': 'flat', 'action': 'DENY', 'rules': [ {} ] }, "
		"{ 'apiVersion': 'security.istio.io/v1', 'kind': 'AuthorizationPolicy', "
		"'metadata': { 'name': 'k', 'namespace': 'prod', 'labels': { 'a': 'b' } }, "
		"'spec': { 'action': 'ALLOW', 'rules': [ { 'to': [ { 'operation': "
		"{ 'paths': [ '/x' ] } } ] } ] }, 'status': {} }, "
		"{ 'apiVersion': 'security.istio.io/v1', 'kind': 'AuthorizationPolicy', "
		"'metadata': { 'name': 'empty' } } ]");
	json_t *want = doc_of(
		"[ { 'name': 'flat', 'action': 'DENY', 'rules': [ {} ] }, "
		"{ 'name': 'k', 'namespace': 'prod', 'action': 'ALLOW', 'rules': [ { 'to': [ { "
		"'operation': { 'paths': [ '/x' ] } } ] } ] }, { 'name': 'empty' } ]");
	json_t *out = NULL;
	struct mdp_authz *a, *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	a = mdp_authz_compile(d, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(mdp_authz_flatten(d, &out), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_TRUE(json_equal(out, want));
	/* the flat form compiles to the same decisions */
	b = mdp_authz_compile(out, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	EXPECT(a, D, 0, .path = "/x");
	EXPECT(b, D, 0, .path = "/x");
	CU_ASSERT_STRING_EQUAL(mdp_authz_policy_namespace(b, 1), "prod");
	mdp_authz_free(a);
	mdp_authz_free(b);
	json_decref(out);
	json_decref(want);
	json_decref(d);

	/* nothing to flatten */
	d = doc_of("[ { 'name': 'flat' } ]");
	out = d;
	CU_ASSERT_EQUAL(mdp_authz_flatten(d, &out), 0);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(mdp_authz_flatten(NULL, &out), 0);
	CU_ASSERT_PTR_NULL(out);
	json_decref(d);
}

static CU_TestInfo tests[] = {
	{ "no policies", test_no_policies },
	{ "allow-nothing", test_allow_nothing },
	{ "allow-all", test_allow_all },
	{ "deny-all, deny without rules", test_deny_all },
	{ "httpbin ALLOW example", test_httpbin_allow },
	{ "httpbin DENY examples", test_httpbin_deny },
	{ "TCP listeners and HTTP-only fields", test_tcp },
	{ "not* fields", test_not_fields },
	{ "ipBlocks", test_ip_blocks },
	{ "when conditions", test_when },
	{ "string match forms, principals, namespaces", test_string_forms },
	{ "principal gate", test_principal_gate },
	{ "AUDIT", test_audit },
	{ "evaluation order", test_order },
	{ "Order -> Payment allowed, Analytics denied", test_scenario },
	{ "refusals", test_refused },
	{ "limits and error buffer", test_limits },
	{ "flatten", test_flatten },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("authz", NULL, NULL, tests);
}
