/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <jansson.h>

#include "mesh/mdp_mesh_conf.h"
#include "json_text.h"
#include "unit.h"

/*
 * The mesh resources document through its public API. Every rejection is
 * asserted as the exact text an operator reads (path and message), so a
 * message that regresses (wrong index, wrong field, lost detail) fails.
 *
 * Documents are written with ' for " so that they stay readable as C
 * literals; no test string needs an apostrophe.
 */

static char err[1024];

static json_t *
doc_of(const char *text)
{
	return mdp_test_json(text);
}

/* Parse text; the spec keeps its own reference to the document. */
static struct mdp_mesh_spec *
parse_def(const char *text, const struct mdp_mesh_defaults *def)
{
	json_t *d = doc_of(text);
	struct mdp_mesh_spec *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	snprintf(err, sizeof(err), "stale");
	s = mdp_mesh_spec_parse(d, def, err, sizeof(err));
	json_decref(d);
	return s;
}

static struct mdp_mesh_spec *
parse(const char *text)
{
	return parse_def(text, NULL);
}

/* text is rejected with exactly want. */
static void
expect_err_at(const char *text, const char *want, unsigned line)
{
	struct mdp_mesh_spec *s = parse(text);
	bool ok = s == NULL && strcmp(err, want) == 0;

	if (!ok)
		fprintf(stderr, "\n%s:%u: %s\n--- want:\n%s\n--- got:\n%s\n", __FILE__, line,
			s != NULL ? "accepted" : "error mismatch", want, s != NULL ? "" : err);
	CU_assertImplementation(ok, line, "rejected with the expected message", __FILE__, "",
				CU_FALSE);
	mdp_mesh_spec_free(s);
}

#define expect_err(text, want) expect_err_at(text, want, __LINE__)

struct bad {
	const char *doc;
	const char *err;
	unsigned line;
};

#define BAD(d, e) { d, e, __LINE__ }

static void
expect_all(const struct bad *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_err_at(b[i].doc, b[i].err, b[i].line);
}

#define EXPECT_ALL(tab) expect_all(tab, sizeof(tab) / sizeof(tab[0]))

static bool
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* ------------------------------------------------------------------ */
/* Building blocks of the documents below                              */

/* One cluster "c" with one endpoint, for documents about routes. */
#define CL "'clusters': [ { 'name': 'c', 'endpoints': [ { 'address': '198.18.9.1:80' } ] } ]"
/* A document whose only route table has one vhost with these routes. */
#define ROUTES(r)                                                                       \
	"{ " CL ", 'route_tables': [ { 'name': 'rt', 'virtual_hosts': [ { 'name': 'v', " \
	"'domains': [ '*' ], 'routes': [ " r " ] } ] } ] }"
#define FWD "'route': { 'cluster': 'c' }"
/* One route with this match. */
#define MATCH(m) ROUTES("{ 'match': { " m " }, " FWD " }")
/* One route with this forward action. */
#define ROUTE(f) ROUTES("{ 'route': { " f " } }")
/* One vhost with these fields. */
#define VHOST(v) "{ " CL ", 'route_tables': [ { 'name': 'rt', 'virtual_hosts': [ { " v " } ] } ] }"
/* One cluster with these fields. */
#define CLUSTER(c) "{ 'clusters': [ { " c " } ] }"
/* One endpoint with this address. */
#define EPADDR(a) CLUSTER("'name': 'c', 'endpoints': [ { 'address': '" a "' } ]")

#define R0 "route_tables[0].virtual_hosts[0].routes[0]"
#define M0 R0 ".match"
#define F0 R0 ".route"
#define EP0 "clusters[0].endpoints[0]"

/* ------------------------------------------------------------------ */
/* Empty documents                                                     */

static void
test_empty(void)
{
	static const char *const docs[] = {
		"{}",
		"{ 'clusters': [], 'route_tables': [] }",
	};
	struct mdp_mesh_spec *s;

	snprintf(err, sizeof(err), "stale");
	s = mdp_mesh_spec_parse(NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(s->n_clusters, 0);
	CU_ASSERT_EQUAL(s->n_rts, 0);
	CU_ASSERT_TRUE(json_is_object(s->doc));
	CU_ASSERT_EQUAL(json_object_size(s->doc), 0);
	CU_ASSERT_EQUAL(mdp_mesh_spec_cluster(s, "c"), -1);
	CU_ASSERT_EQUAL(mdp_mesh_spec_rt(s, "default"), -1);
	CU_ASSERT_PTR_NOT_NULL(s->authz);
	CU_ASSERT_EQUAL(mdp_authz_count(s->authz), 0);
	mdp_mesh_spec_free(s);

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		s = parse(docs[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_STRING_EQUAL(err, "");
		CU_ASSERT_EQUAL(s->n_clusters, 0);
		CU_ASSERT_EQUAL(s->n_rts, 0);
		mdp_mesh_spec_free(s);
	}
	mdp_mesh_spec_free(NULL);
}

/* ------------------------------------------------------------------ */
/* A document using every field                                        */

static const char full_doc[] =
	"{ 'clusters': ["
	"  { 'name': 'order-v1', 'lb': 'maglev', 'hash_header': 'x-user',"
	"    'maglev_table_size': 251, 'connect_timeout_ms': 1000, 'idle_timeout_ms': 0,"
	"    'max_idle': 7,"
	"    'endpoints': [ { 'address': '198.18.1.1:8081', 'weight': 3, 'healthy': false },"
	"                   { 'address': '198.18.1.1:8082' },"
	"                   { 'address': '223.255.255.254:65535', 'weight': 0 },"
	"                   { 'address': '1.0.0.1:1', 'weight': 65535, 'healthy': true } ] },"
	"  { 'name': 'order-v2', 'lb': 'least_request', 'connect_timeout_ms': 600000,"
	"    'idle_timeout_ms': 3600000, 'max_idle': 65535,"
	"    'endpoints': [ { 'address': '198.18.1.2:8081' } ] },"
	"  { 'name': 'order-v3' }"
	"], 'route_tables': ["
	"  { 'name': 'default', 'virtual_hosts': ["
	"    { 'name': 'order', 'domains': [ 'order-service', 'order-service:8080' ], 'routes': ["
	"      { 'name': 'exact',"
	"        'match': { 'path': '/a', 'ignore_case': true,"
	"          'headers': [ { 'name': 'x-e', 'exact': 'e' },"
	"                       { 'name': 'x-p', 'prefix': 'p', 'invert': true },"
	"                       { 'name': 'x-s', 'suffix': 's', 'invert': false },"
	"                       { 'name': 'x-c', 'contains': 'c' },"
	"                       { 'name': 'x-r', 'regex': 'r+' },"
	"                       { 'name': 'x-present', 'present': true },"
	"                       { 'name': 'x-absent', 'absent': true, 'invert': true } ],"
	"          'query': [ { 'name': 'q1', 'exact': 'v1' },"
	"                     { 'name': 'q2', 'prefix': 'v2' },"
	"                     { 'name': 'q3', 'regex': 'v[0-9]', 'invert': true },"
	"                     { 'name': 'q4', 'present': true } ],"
	"          'methods': [ 'GET', 'POST' ] },"
	"        'route': { 'cluster': 'order-v1', 'prefix_rewrite': '/b',"
	"          'host_rewrite': 'h.example', 'timeout_ms': 2500,"
	"          'request_headers': { 'add': [ { 'name': 'x-add1', 'value': 'a1' },"
	"                                        { 'name': 'x-add2', 'value': '' } ],"
	"                               'set': [ { 'name': 'x-set', 'value': 's' } ],"
	"                               'remove': [ 'x-rm1', 'x-rm2' ] },"
	"          'response_headers': { 'add': [ { 'name': 'x-radd', 'value': 'ra' } ],"
	"                                'set': [ { 'name': 'x-rset1', 'value': 'rs1' },"
	"                                         { 'name': 'x-rset2', 'value': 'rs2' } ],"
	"                                'remove': [ 'server' ] },"
	"          'retries': { 'attempts': 3, 'per_try_timeout_ms': 500 } } },"
	"      { 'name': 'split', 'match': { 'prefix': '/p' },"
	"        'route': { 'clusters': [ { 'name': 'order-v1', 'weight': 90 },"
	"                                 { 'name': 'order-v2', 'weight': 0 },"
	"                                 { 'name': 'order-v3' } ],"
	"                   'timeout_ms': 0 } },"
	"      { 'match': { 'regex': '.*\\\\.png' }, 'route': { 'cluster': 'order-v2',"
	"                                                     'retries': {} } },"
	"      { 'match': { 'methods': [ 'DELETE' ] },"
	"        'direct_response': { 'status': 404, 'body': 'nope\\n',"
	"                             'content_type': 'text/html' } },"
	"      { 'match': {}, 'direct_response': {} }"
	"    ] },"
	"    { 'name': 'rest', 'domains': [ '*' ], 'routes': ["
	"      { 'redirect': { 'scheme': 'https', 'host': 'x.example', 'path': '/new',"
	"                      'code': 308, 'strip_query': true } },"
	"      { 'redirect': { 'prefix_rewrite': '/v2' } },"
	"      { 'redirect': { 'code': 302, 'strip_query': false } }"
	"    ] },"
	"    { 'name': 'quiet', 'domains': [ 'q.example' ] }"
	"  ] },"
	"  { 'name': 'other' },"
	"  { 'name': 'third', 'virtual_hosts': [] }"
	"] }";

static void
check_full_clusters(const struct mdp_mesh_spec *s)
{
	const struct mdp_mesh_cluster_spec *c;

	CU_ASSERT_EQUAL_FATAL(s->n_clusters, 3);
	c = &s->clusters[0];
	CU_ASSERT_STRING_EQUAL(c->name, "order-v1");
	CU_ASSERT_EQUAL(c->lb.policy, MDP_LB_MAGLEV);
	CU_ASSERT_EQUAL(c->lb.table_size, 251);
	CU_ASSERT_EQUAL(c->lb.n_workers, 0);
	CU_ASSERT_EQUAL(c->lb.seed, 0);
	CU_ASSERT_TRUE(streq(c->hash_header, "x-user"));
	CU_ASSERT_EQUAL(c->connect_timeout_ms, 1000);
	CU_ASSERT_EQUAL(c->idle_timeout_ms, 0);
	CU_ASSERT_EQUAL(c->max_idle, 7);
	CU_ASSERT_EQUAL_FATAL(c->n_eps, 4);
	CU_ASSERT_EQUAL(c->eps[0].addr, 0xc6120101u);	/* 198.18.1.1 */
	CU_ASSERT_EQUAL(c->eps[0].port, 8081);
	CU_ASSERT_EQUAL(c->eps[0].weight, 3);
	CU_ASSERT_FALSE(c->eps[0].healthy);
	CU_ASSERT_EQUAL(c->eps[1].addr, 0xc6120101u);
	CU_ASSERT_EQUAL(c->eps[1].port, 8082);
	CU_ASSERT_EQUAL(c->eps[1].weight, 1);	/* default */
	CU_ASSERT_TRUE(c->eps[1].healthy);	/* default */
	CU_ASSERT_EQUAL(c->eps[2].addr, 0xdffffffeu);	/* 223.255.255.254 */
	CU_ASSERT_EQUAL(c->eps[2].port, 65535);
	CU_ASSERT_EQUAL(c->eps[2].weight, 0);
	CU_ASSERT_TRUE(c->eps[2].healthy);
	CU_ASSERT_EQUAL(c->eps[3].addr, 0x01000001u);
	CU_ASSERT_EQUAL(c->eps[3].port, 1);
	CU_ASSERT_EQUAL(c->eps[3].weight, 65535);
	CU_ASSERT_TRUE(c->eps[3].healthy);

	c = &s->clusters[1];
	CU_ASSERT_STRING_EQUAL(c->name, "order-v2");
	CU_ASSERT_EQUAL(c->lb.policy, MDP_LB_LEAST_REQUEST);
	CU_ASSERT_EQUAL(c->lb.table_size, 0);
	CU_ASSERT_PTR_NULL(c->hash_header);
	CU_ASSERT_EQUAL(c->connect_timeout_ms, 600000);
	CU_ASSERT_EQUAL(c->idle_timeout_ms, 3600000);
	CU_ASSERT_EQUAL(c->max_idle, 65535);
	CU_ASSERT_EQUAL_FATAL(c->n_eps, 1);
	CU_ASSERT_EQUAL(c->eps[0].addr, 0xc6120102u);
	CU_ASSERT_EQUAL(c->eps[0].port, 8081);

	/* every default */
	c = &s->clusters[2];
	CU_ASSERT_STRING_EQUAL(c->name, "order-v3");
	CU_ASSERT_EQUAL(c->lb.policy, MDP_LB_ROUND_ROBIN);
	CU_ASSERT_EQUAL(c->lb.table_size, 0);
	CU_ASSERT_PTR_NULL(c->hash_header);
	CU_ASSERT_EQUAL(c->connect_timeout_ms, 5000);
	CU_ASSERT_EQUAL(c->idle_timeout_ms, 30000);
	CU_ASSERT_EQUAL(c->max_idle, 64);
	CU_ASSERT_EQUAL(c->n_eps, 0);
	CU_ASSERT_PTR_NULL(c->eps);
	CU_ASSERT_EQUAL(c->tls.mode, MDP_MESH_TLS_DISABLE);
	CU_ASSERT_PTR_NULL(c->tls.credential);
	CU_ASSERT_EQUAL(c->tls.n_sans, 0);
}

static void
check_full_match(const struct mdp_route_match *m)
{
	static const struct {
		const char *name;
		enum mdp_route_header_kind kind;
		const char *value;
		bool invert;
	} hw[] = {
		{ "x-e", MDP_ROUTE_HDR_EXACT, "e", false },
		{ "x-p", MDP_ROUTE_HDR_PREFIX, "p", true },
		{ "x-s", MDP_ROUTE_HDR_SUFFIX, "s", false },
		{ "x-c", MDP_ROUTE_HDR_CONTAINS, "c", false },
		{ "x-r", MDP_ROUTE_HDR_REGEX, "r+", false },
		{ "x-present", MDP_ROUTE_HDR_PRESENT, NULL, false },
		{ "x-absent", MDP_ROUTE_HDR_ABSENT, NULL, true },
	};
	static const struct {
		const char *name;
		enum mdp_route_query_kind kind;
		const char *value;
		bool invert;
	} qw[] = {
		{ "q1", MDP_ROUTE_QUERY_EXACT, "v1", false },
		{ "q2", MDP_ROUTE_QUERY_PREFIX, "v2", false },
		{ "q3", MDP_ROUTE_QUERY_REGEX, "v[0-9]", true },
		{ "q4", MDP_ROUTE_QUERY_PRESENT, NULL, false },
	};

	CU_ASSERT_EQUAL(m->path.kind, MDP_ROUTE_PATH_EXACT);
	CU_ASSERT_TRUE(streq(m->path.value, "/a"));
	CU_ASSERT_TRUE(m->path.ignore_case);
	CU_ASSERT_EQUAL_FATAL(m->n_headers, 7);
	for (unsigned i = 0; i < 7; i++) {
		CU_ASSERT_TRUE(streq(m->headers[i].name, hw[i].name));
		CU_ASSERT_EQUAL(m->headers[i].kind, hw[i].kind);
		if (hw[i].value == NULL) {
			CU_ASSERT_PTR_NULL(m->headers[i].value);
		} else {
			CU_ASSERT_TRUE(streq(m->headers[i].value, hw[i].value));
		}
		CU_ASSERT_EQUAL(m->headers[i].invert, hw[i].invert);
	}
	CU_ASSERT_EQUAL_FATAL(m->n_queries, 4);
	for (unsigned i = 0; i < 4; i++) {
		CU_ASSERT_TRUE(streq(m->queries[i].name, qw[i].name));
		CU_ASSERT_EQUAL(m->queries[i].kind, qw[i].kind);
		if (qw[i].value == NULL) {
			CU_ASSERT_PTR_NULL(m->queries[i].value);
		} else {
			CU_ASSERT_TRUE(streq(m->queries[i].value, qw[i].value));
		}
		CU_ASSERT_EQUAL(m->queries[i].invert, qw[i].invert);
	}
	CU_ASSERT_EQUAL_FATAL(m->n_methods, 2);
	CU_ASSERT_TRUE(streq(m->methods[0], "GET"));
	CU_ASSERT_TRUE(streq(m->methods[1], "POST"));
}

static void
check_full_forward(const struct mdp_route_forward *f)
{
	CU_ASSERT_EQUAL_FATAL(f->n_clusters, 1);
	CU_ASSERT_TRUE(streq(f->clusters[0].name, "order-v1"));
	CU_ASSERT_EQUAL(f->clusters[0].weight, 1);
	CU_ASSERT_TRUE(streq(f->prefix_rewrite, "/b"));
	CU_ASSERT_TRUE(streq(f->host_rewrite, "h.example"));
	CU_ASSERT_EQUAL(f->timeout_ms, 2500);
	CU_ASSERT_EQUAL_FATAL(f->n_req_add, 2);
	CU_ASSERT_TRUE(streq(f->req_add[0].name, "x-add1"));
	CU_ASSERT_TRUE(streq(f->req_add[0].value, "a1"));
	CU_ASSERT_TRUE(streq(f->req_add[1].name, "x-add2"));
	CU_ASSERT_TRUE(streq(f->req_add[1].value, ""));
	CU_ASSERT_EQUAL_FATAL(f->n_req_set, 1);
	CU_ASSERT_TRUE(streq(f->req_set[0].name, "x-set"));
	CU_ASSERT_TRUE(streq(f->req_set[0].value, "s"));
	CU_ASSERT_EQUAL_FATAL(f->n_req_remove, 2);
	CU_ASSERT_TRUE(streq(f->req_remove[0], "x-rm1"));
	CU_ASSERT_TRUE(streq(f->req_remove[1], "x-rm2"));
	CU_ASSERT_EQUAL_FATAL(f->n_resp_add, 1);
	CU_ASSERT_TRUE(streq(f->resp_add[0].name, "x-radd"));
	CU_ASSERT_TRUE(streq(f->resp_add[0].value, "ra"));
	CU_ASSERT_EQUAL_FATAL(f->n_resp_set, 2);
	CU_ASSERT_TRUE(streq(f->resp_set[0].name, "x-rset1"));
	CU_ASSERT_TRUE(streq(f->resp_set[0].value, "rs1"));
	CU_ASSERT_TRUE(streq(f->resp_set[1].name, "x-rset2"));
	CU_ASSERT_TRUE(streq(f->resp_set[1].value, "rs2"));
	CU_ASSERT_EQUAL_FATAL(f->n_resp_remove, 1);
	CU_ASSERT_TRUE(streq(f->resp_remove[0], "server"));
	CU_ASSERT_EQUAL(f->retry.attempts, 3);
	CU_ASSERT_EQUAL(f->retry.per_try_timeout_ms, 500);
	CU_ASSERT_EQUAL(f->retry.retry_on, 0);
}

static void
check_full_routes(const struct mdp_mesh_spec *s)
{
	const struct mdp_mesh_rt_spec *t;
	const struct mdp_route_vhost_conf *v;
	const struct mdp_route_conf *r;
	const struct mdp_route_forward *f;

	CU_ASSERT_EQUAL_FATAL(s->n_rts, 3);
	t = &s->rts[0];
	CU_ASSERT_STRING_EQUAL(t->name, "default");
	CU_ASSERT_EQUAL_FATAL(t->conf.n_vhosts, 3);

	v = &t->conf.vhosts[0];
	CU_ASSERT_STRING_EQUAL(v->name, "order");
	CU_ASSERT_EQUAL_FATAL(v->n_domains, 2);
	CU_ASSERT_STRING_EQUAL(v->domains[0], "order-service");
	CU_ASSERT_STRING_EQUAL(v->domains[1], "order-service:8080");
	CU_ASSERT_EQUAL_FATAL(v->n_routes, 5);

	r = &v->routes[0];
	CU_ASSERT_TRUE(streq(r->name, "exact"));
	check_full_match(&r->match);
	CU_ASSERT_EQUAL(r->action.kind, MDP_ROUTE_ACT_CLUSTERS);
	check_full_forward(&r->action.forward);

	/* weighted clusters, explicit timeout_ms 0, nothing else */
	r = &v->routes[1];
	CU_ASSERT_TRUE(streq(r->name, "split"));
	CU_ASSERT_EQUAL(r->match.path.kind, MDP_ROUTE_PATH_PREFIX);
	CU_ASSERT_TRUE(streq(r->match.path.value, "/p"));
	CU_ASSERT_FALSE(r->match.path.ignore_case);
	CU_ASSERT_EQUAL(r->match.n_headers, 0);
	CU_ASSERT_EQUAL(r->match.n_queries, 0);
	CU_ASSERT_EQUAL(r->match.n_methods, 0);
	CU_ASSERT_EQUAL(r->action.kind, MDP_ROUTE_ACT_CLUSTERS);
	f = &r->action.forward;
	CU_ASSERT_EQUAL_FATAL(f->n_clusters, 3);
	CU_ASSERT_TRUE(streq(f->clusters[0].name, "order-v1"));
	CU_ASSERT_EQUAL(f->clusters[0].weight, 90);
	CU_ASSERT_TRUE(streq(f->clusters[1].name, "order-v2"));
	CU_ASSERT_EQUAL(f->clusters[1].weight, 0);
	CU_ASSERT_TRUE(streq(f->clusters[2].name, "order-v3"));
	CU_ASSERT_EQUAL(f->clusters[2].weight, 1);
	CU_ASSERT_EQUAL(f->timeout_ms, 0);
	CU_ASSERT_PTR_NULL(f->prefix_rewrite);
	CU_ASSERT_PTR_NULL(f->host_rewrite);
	CU_ASSERT_EQUAL(f->n_req_add + f->n_req_set + f->n_req_remove, 0);
	CU_ASSERT_EQUAL(f->n_resp_add + f->n_resp_set + f->n_resp_remove, 0);
	CU_ASSERT_EQUAL(f->retry.attempts, 0);
	CU_ASSERT_EQUAL(f->retry.per_try_timeout_ms, 0);

	/* regex path; timeout_ms absent: the default */
	r = &v->routes[2];
	CU_ASSERT_PTR_NULL(r->name);
	CU_ASSERT_EQUAL(r->match.path.kind, MDP_ROUTE_PATH_REGEX);
	CU_ASSERT_TRUE(streq(r->match.path.value, ".*\\.png"));
	f = &r->action.forward;
	CU_ASSERT_EQUAL_FATAL(f->n_clusters, 1);
	CU_ASSERT_TRUE(streq(f->clusters[0].name, "order-v2"));
	CU_ASSERT_EQUAL(f->timeout_ms, 15000);
	CU_ASSERT_EQUAL(f->retry.attempts, 0);

	r = &v->routes[3];
	CU_ASSERT_EQUAL(r->match.path.kind, MDP_ROUTE_PATH_ANY);
	CU_ASSERT_EQUAL_FATAL(r->match.n_methods, 1);
	CU_ASSERT_TRUE(streq(r->match.methods[0], "DELETE"));
	CU_ASSERT_EQUAL(r->action.kind, MDP_ROUTE_ACT_DIRECT);
	CU_ASSERT_EQUAL(r->action.direct.status, 404);
	CU_ASSERT_TRUE(streq(r->action.direct.body, "nope\n"));
	CU_ASSERT_TRUE(streq(r->action.direct.content_type, "text/html"));

	/* an empty match matches everything; direct_response defaults */
	r = &v->routes[4];
	CU_ASSERT_EQUAL(r->match.path.kind, MDP_ROUTE_PATH_ANY);
	CU_ASSERT_EQUAL(r->match.n_headers + r->match.n_queries + r->match.n_methods, 0);
	CU_ASSERT_EQUAL(r->action.kind, MDP_ROUTE_ACT_DIRECT);
	CU_ASSERT_EQUAL(r->action.direct.status, 200);
	CU_ASSERT_PTR_NULL(r->action.direct.body);
	CU_ASSERT_PTR_NULL(r->action.direct.content_type);

	v = &t->conf.vhosts[1];
	CU_ASSERT_STRING_EQUAL(v->name, "rest");
	CU_ASSERT_EQUAL_FATAL(v->n_domains, 1);
	CU_ASSERT_STRING_EQUAL(v->domains[0], "*");
	CU_ASSERT_EQUAL_FATAL(v->n_routes, 3);
	r = &v->routes[0];
	CU_ASSERT_EQUAL(r->action.kind, MDP_ROUTE_ACT_REDIRECT);
	CU_ASSERT_TRUE(streq(r->action.redirect.scheme, "https"));
	CU_ASSERT_TRUE(streq(r->action.redirect.host, "x.example"));
	CU_ASSERT_TRUE(streq(r->action.redirect.path, "/new"));
	CU_ASSERT_PTR_NULL(r->action.redirect.prefix_rewrite);
	CU_ASSERT_EQUAL(r->action.redirect.code, 308);
	CU_ASSERT_TRUE(r->action.redirect.strip_query);
	r = &v->routes[1];
	CU_ASSERT_EQUAL(r->action.kind, MDP_ROUTE_ACT_REDIRECT);
	CU_ASSERT_PTR_NULL(r->action.redirect.scheme);
	CU_ASSERT_PTR_NULL(r->action.redirect.host);
	CU_ASSERT_PTR_NULL(r->action.redirect.path);
	CU_ASSERT_TRUE(streq(r->action.redirect.prefix_rewrite, "/v2"));
	CU_ASSERT_EQUAL(r->action.redirect.code, 301);
	CU_ASSERT_FALSE(r->action.redirect.strip_query);
	r = &v->routes[2];
	CU_ASSERT_EQUAL(r->action.redirect.code, 302);
	CU_ASSERT_FALSE(r->action.redirect.strip_query);

	v = &t->conf.vhosts[2];
	CU_ASSERT_STRING_EQUAL(v->name, "quiet");
	CU_ASSERT_EQUAL(v->n_routes, 0);
	CU_ASSERT_PTR_NULL(v->routes);

	CU_ASSERT_STRING_EQUAL(s->rts[1].name, "other");
	CU_ASSERT_EQUAL(s->rts[1].conf.n_vhosts, 0);
	CU_ASSERT_PTR_NULL(s->rts[1].conf.vhosts);
	CU_ASSERT_STRING_EQUAL(s->rts[2].name, "third");
	CU_ASSERT_EQUAL(s->rts[2].conf.n_vhosts, 0);
}

static void
test_full(void)
{
	const struct mdp_mesh_defaults def = { .route_timeout_ms = 15000 };
	json_t *d = doc_of(full_doc);
	struct mdp_mesh_spec *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	s = mdp_mesh_spec_parse(d, &def, err, sizeof(err));
	if (s == NULL)
		fprintf(stderr, "\nfull document rejected: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(err, "");
	/* the spec holds a reference: its strings outlive ours */
	CU_ASSERT_PTR_EQUAL(s->doc, d);
	CU_ASSERT_EQUAL(d->refcount, 2);
	json_decref(d);
	check_full_clusters(s);
	check_full_routes(s);

	CU_ASSERT_EQUAL(mdp_mesh_spec_cluster(s, "order-v1"), 0);
	CU_ASSERT_EQUAL(mdp_mesh_spec_cluster(s, "order-v3"), 2);
	CU_ASSERT_EQUAL(mdp_mesh_spec_cluster(s, "order"), -1);
	CU_ASSERT_EQUAL(mdp_mesh_spec_cluster(s, "default"), -1);
	CU_ASSERT_EQUAL(mdp_mesh_spec_rt(s, "default"), 0);
	CU_ASSERT_EQUAL(mdp_mesh_spec_rt(s, "third"), 2);
	CU_ASSERT_EQUAL(mdp_mesh_spec_rt(s, "order-v1"), -1);
	mdp_mesh_spec_free(s);
}

/* A route without timeout_ms takes the default; 0 stays 0; no defaults
 * at all: 0. */
static void
test_timeout_default(void)
{
	static const char doc[] = ROUTES("{ " FWD " }, { 'route': { 'cluster': 'c', "
					 "'timeout_ms': 0 } }, { 'route': { 'cluster': 'c', "
					 "'timeout_ms': 3600000 } }");
	const struct mdp_mesh_defaults def = { .route_timeout_ms = 777 };
	const struct mdp_mesh_defaults none = { .route_timeout_ms = 0 };
	const struct mdp_route_conf *r;
	struct mdp_mesh_spec *s;

	s = parse_def(doc, &def);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	r = s->rts[0].conf.vhosts[0].routes;
	CU_ASSERT_EQUAL(r[0].action.forward.timeout_ms, 777);
	CU_ASSERT_EQUAL(r[1].action.forward.timeout_ms, 0);
	CU_ASSERT_EQUAL(r[2].action.forward.timeout_ms, 3600000);
	mdp_mesh_spec_free(s);

	s = parse_def(doc, &none);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->rts[0].conf.vhosts[0].routes[0].action.forward.timeout_ms, 0);
	mdp_mesh_spec_free(s);

	s = parse_def(doc, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	r = s->rts[0].conf.vhosts[0].routes;
	CU_ASSERT_EQUAL(r[0].action.forward.timeout_ms, 0);
	CU_ASSERT_EQUAL(r[2].action.forward.timeout_ms, 3600000);
	mdp_mesh_spec_free(s);
}

/*
 * Regression: a match with headers and no query has no query rules (the
 * headers array was once parsed a second time as the query rules), and
 * the other way round.
 */
static void
test_headers_without_query(void)
{
	struct mdp_mesh_spec *s;
	const struct mdp_route_match *m;

	s = parse(MATCH("'headers': [ { 'name': 'x-a', 'exact': 'a' }, "
			"{ 'name': 'x-b', 'present': true } ]"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	m = &s->rts[0].conf.vhosts[0].routes[0].match;
	CU_ASSERT_EQUAL(m->n_headers, 2);
	CU_ASSERT_EQUAL(m->n_queries, 0);
	CU_ASSERT_PTR_NULL(m->queries);
	mdp_mesh_spec_free(s);

	s = parse(MATCH("'query': [ { 'name': 'a', 'exact': 'a' } ]"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	m = &s->rts[0].conf.vhosts[0].routes[0].match;
	CU_ASSERT_EQUAL(m->n_headers, 0);
	CU_ASSERT_PTR_NULL(m->headers);
	CU_ASSERT_EQUAL_FATAL(m->n_queries, 1);
	CU_ASSERT_STRING_EQUAL(m->queries[0].name, "a");
	mdp_mesh_spec_free(s);

	/* a query rule of a kind headers have but queries have not */
	expect_err(MATCH("'query': [ { 'name': 'a', 'suffix': 'a' } ]"),
		   M0 ".query[0].suffix: unknown field");
}

/* ------------------------------------------------------------------ */
/* Rejections                                                          */

static void
test_unknown_fields(void)
{
	static const struct bad tab[] = {
		BAD("{ 'bogus': 1 }", "bogus: unknown field"),
		BAD("{ 'clusters': [], 'Clusters': [] }", "Clusters: unknown field"),
		BAD(CLUSTER("'name': 'c', 'bogus': 1"), "clusters[0].bogus: unknown field"),
		BAD(CLUSTER("'name': 'c', 'endpoints': [ { 'address': '198.18.9.1:80', "
			    "'bogus': 1 } ]"),
		    EP0 ".bogus: unknown field"),
		BAD("{ 'clusters': [ { 'name': 'a' }, { 'name': 'b', 'endpoints': [ "
		    "{ 'address': '198.18.9.1:80' }, { 'address': '198.18.9.2:80', 'port': 1 } ] } ] }",
		    "clusters[1].endpoints[1].port: unknown field"),
		BAD("{ 'route_tables': [ { 'name': 'rt', 'bogus': [] } ] }",
		    "route_tables[0].bogus: unknown field"),
		BAD(VHOST("'name': 'v', 'domains': [ '*' ], 'bogus': true"),
		    "route_tables[0].virtual_hosts[0].bogus: unknown field"),
		BAD(ROUTES("{ " FWD ", 'bogus': 1 }"), R0 ".bogus: unknown field"),
		BAD(MATCH("'bogus': 1"), M0 ".bogus: unknown field"),
		BAD(MATCH("'headers': [ { 'name': 'x', 'exact': 'a', 'bogus': 1 } ]"),
		    M0 ".headers[0].bogus: unknown field"),
		BAD(MATCH("'query': [ { 'name': 'x', 'exact': 'a', 'bogus': 1 } ]"),
		    M0 ".query[0].bogus: unknown field"),
		BAD(ROUTE("'cluster': 'c', 'bogus': 1"), F0 ".bogus: unknown field"),
		BAD(ROUTE("'clusters': [ { 'name': 'c', 'bogus': 1 } ]"),
		    F0 ".clusters[0].bogus: unknown field"),
		BAD(ROUTE("'cluster': 'c', 'request_headers': { 'bogus': [] }"),
		    F0 ".request_headers.bogus: unknown field"),
		BAD(ROUTE("'cluster': 'c', 'request_headers': { 'add': [ { 'name': 'a', "
			  "'value': 'b', 'bogus': 1 } ] }"),
		    F0 ".request_headers.add[0].bogus: unknown field"),
		BAD(ROUTE("'cluster': 'c', 'response_headers': { 'set': [ { 'name': 'a', "
			  "'value': 'b' }, { 'name': 'a', 'value': 'b', 'bogus': 1 } ] }"),
		    F0 ".response_headers.set[1].bogus: unknown field"),
		BAD(ROUTE("'cluster': 'c', 'retries': { 'attempts': 1, 'retry_on': 1 }"),
		    F0 ".retries.retry_on: unknown field"),
		BAD(ROUTES("{ 'direct_response': { 'status': 200, 'bogus': 1 } }"),
		    R0 ".direct_response.bogus: unknown field"),
		BAD(ROUTES("{ 'redirect': { 'code': 301, 'bogus': 1 } }"),
		    R0 ".redirect.bogus: unknown field"),
		/* every index in the path, as in the header's example */
		BAD("{ " CL ", 'route_tables': [ { 'name': 'rt', 'virtual_hosts': ["
		    "  { 'name': 'v0', 'domains': [ 'a' ] },"
		    "  { 'name': 'v1', 'domains': [ 'b' ], 'routes': ["
		    "    { " FWD " }, { " FWD " },"
		    "    { 'match': { 'prefix': '/', 'headers': [ { 'name': 'x', 'present': true,"
		    "      'bogus': 1 } ] }, " FWD " } ] } ] } ] }",
		    "route_tables[0].virtual_hosts[1].routes[2].match.headers[0].bogus: "
		    "unknown field"),
	};

	EXPECT_ALL(tab);
}

static void
test_wrong_types(void)
{
	static const struct bad tab[] = {
		BAD("[]", "expected an object"),
		BAD("'clusters'", "expected an object"),
		BAD("{ 'clusters': {} }", "clusters: expected an array"),
		BAD("{ 'route_tables': 'rt' }", "route_tables: expected an array"),
		BAD("{ 'clusters': [ 'c' ] }", "clusters[0]: expected an object"),
		BAD("{ 'route_tables': [ [] ] }", "route_tables[0]: expected an object"),
		BAD(CLUSTER("'name': 1"), "clusters[0].name: expected a string"),
		BAD(CLUSTER("'name': 'c', 'lb': null"), "clusters[0].lb: expected a string"),
		BAD(CLUSTER("'name': 'c', 'endpoints': {}"),
		    "clusters[0].endpoints: expected an array"),
		BAD(CLUSTER("'name': 'c', 'endpoints': [ '198.18.9.1:80' ]"),
		    EP0 ": expected an object"),
		BAD(CLUSTER("'name': 'c', 'endpoints': [ { 'address': 167772161 } ]"),
		    EP0 ".address: expected a string"),
		BAD(CLUSTER("'name': 'c', 'endpoints': [ { 'address': '198.18.9.1:80', "
			    "'weight': '2' } ]"),
		    EP0 ".weight: expected an integer"),
		BAD(CLUSTER("'name': 'c', 'endpoints': [ { 'address': '198.18.9.1:80', "
			    "'weight': 1.5 } ]"),
		    EP0 ".weight: expected an integer"),
		BAD(CLUSTER("'name': 'c', 'endpoints': [ { 'address': '198.18.9.1:80', "
			    "'healthy': 1 } ]"),
		    EP0 ".healthy: expected true or false"),
		BAD(CLUSTER("'name': 'c', 'connect_timeout_ms': '1s'"),
		    "clusters[0].connect_timeout_ms: expected an integer"),
		BAD(CLUSTER("'name': 'c', 'lb': 'maglev', 'hash_header': []"),
		    "clusters[0].hash_header: expected a string"),
		BAD("{ 'route_tables': [ { 'name': 'rt', 'virtual_hosts': {} } ] }",
		    "route_tables[0].virtual_hosts: expected an array"),
		BAD("{ 'route_tables': [ { 'name': 'rt', 'virtual_hosts': [ 1 ] } ] }",
		    "route_tables[0].virtual_hosts[0]: expected an object"),
		BAD(VHOST("'name': 'v', 'domains': '*'"),
		    "route_tables[0].virtual_hosts[0].domains: expected an array"),
		BAD(VHOST("'name': 'v', 'domains': [ 'a', 1 ]"),
		    "route_tables[0].virtual_hosts[0].domains[1]: expected a non-empty string"),
		BAD(VHOST("'name': 'v', 'domains': [ '' ]"),
		    "route_tables[0].virtual_hosts[0].domains[0]: expected a non-empty string"),
		BAD(VHOST("'name': 'v', 'domains': [ '*' ], 'routes': {}"),
		    "route_tables[0].virtual_hosts[0].routes: expected an array"),
		BAD(ROUTES("[]"), R0 ": expected an object"),
		BAD(ROUTES("{ 'name': 1, " FWD " }"), R0 ".name: expected a string"),
		BAD(ROUTES("{ 'match': [], " FWD " }"), M0 ": expected an object"),
		BAD(MATCH("'path': 1"), M0 ".path: expected a non-empty string"),
		BAD(MATCH("'prefix': ''"), M0 ".prefix: expected a non-empty string"),
		BAD(MATCH("'regex': null"), M0 ".regex: expected a non-empty string"),
		BAD(MATCH("'prefix': '/', 'ignore_case': 'yes'"),
		    M0 ".ignore_case: expected true or false"),
		BAD(MATCH("'headers': {}"), M0 ".headers: expected an array"),
		BAD(MATCH("'headers': [ 'x-a' ]"), M0 ".headers[0]: expected an object"),
		BAD(MATCH("'headers': [ { 'name': 1, 'exact': 'a' } ]"),
		    M0 ".headers[0].name: expected a string"),
		BAD(MATCH("'headers': [ { 'name': 'x', 'exact': 1 } ]"),
		    M0 ".headers[0].exact: expected a string"),
		BAD(MATCH("'headers': [ { 'name': 'x', 'regex': true } ]"),
		    M0 ".headers[0].regex: expected a string"),
		BAD(MATCH("'headers': [ { 'name': 'x', 'present': true, 'invert': 1 } ]"),
		    M0 ".headers[0].invert: expected true or false"),
		BAD(MATCH("'query': 'a=b'"), M0 ".query: expected an array"),
		/* (regressions: these were accepted, or reported elsewhere) */
		BAD(EPADDR("198.18.0.1:4294967376"),
		    EP0 ".address: '198.18.0.1:4294967376' is not an IPv4 address and port (a.b.c.d:port)"),
		BAD(EPADDR("0.1.2.3:80"), EP0 ".address: '0.1.2.3' cannot be an endpoint"),
		BAD(MATCH("'query': [ { 'name': 'x', 'exact': 1 } ]"), M0 ".query[0].exact: expected a string"),
		BAD(MATCH("'query': [ { 'name': 'x', 'present': false } ]"),
		    M0 ".query[0].present: expected true"),
		BAD(ROUTE("'cluster': 'nope'"), F0 ".cluster: unknown cluster 'nope'"),
		BAD(ROUTE("'cluster': 'c', 'request_headers': { 'set': [ { 'name': 'Host', 'value': 'x' } ] }"),
		    F0 ".request_headers.set[0]: 'Host' is set by the proxy, not by routes (use host_rewrite)"),
		BAD(ROUTE("'cluster': 'c', 'request_headers': { 'remove': [ 'content-length' ] }"),
		    F0 ".request_headers.remove[0]: 'content-length' is set by the proxy, not by routes"),
		BAD(ROUTE("'cluster': 'c', 'response_headers': { 'add': [ { 'name': 'transfer-encoding', 'value': 'chunked' } ] }"),
		    F0 ".response_headers.add[0]: 'transfer-encoding' is set by the proxy, not by routes"),
		BAD(MATCH("'query': [ { 'name': 'x', 'present': true, 'invert': 'no' } ]"),
		    M0 ".query[0].invert: expected true or false"),
		BAD(MATCH("'methods': 'GET'"), M0 ".methods: expected an array"),
		BAD(MATCH("'methods': [ 'GET', '' ]"),
		    M0 ".methods[1]: expected a non-empty string"),
		BAD(ROUTES("{ 'route': 'c' }"), F0 ": expected an object"),
		BAD(ROUTE("'cluster': 1"), F0 ".cluster: expected a string"),
		BAD(ROUTE("'clusters': {}"), F0 ".clusters: expected an array"),
		BAD(ROUTE("'clusters': [ 'c' ]"), F0 ".clusters[0]: expected an object"),
		BAD(ROUTE("'clusters': [ { 'name': 'c', 'weight': '1' } ]"),
		    F0 ".clusters[0].weight: expected an integer"),
		BAD(ROUTE("'cluster': 'c', 'prefix_rewrite': 1"),
		    F0 ".prefix_rewrite: expected a string"),
		BAD(ROUTE("'cluster': 'c', 'host_rewrite': false"),
		    F0 ".host_rewrite: expected a string"),
		BAD(ROUTE("'cluster': 'c', 'timeout_ms': '1s'"),
		    F0 ".timeout_ms: expected an integer"),
		BAD(ROUTE("'cluster': 'c', 'request_headers': []"),
		    F0 ".request_headers: expected an object"),
		BAD(ROUTE("'cluster': 'c', 'request_headers': { 'add': {} }"),
		    F0 ".request_headers.add: expected an array"),
		BAD(ROUTE("'cluster': 'c', 'request_headers': { 'set': [ 'a: b' ] }"),
		    F0 ".request_headers.set[0]: expected an object"),
		BAD(ROUTE("'cluster': 'c', 'request_headers': { 'add': [ { 'name': 'a', "
			  "'value': 1 } ] }"),
		    F0 ".request_headers.add[0].value: expected a string"),
		BAD(ROUTE("'cluster': 'c', 'response_headers': { 'remove': 'server' }"),
		    F0 ".response_headers.remove: expected an array"),
		BAD(ROUTE("'cluster': 'c', 'response_headers': { 'remove': [ 'a', 2 ] }"),
		    F0 ".response_headers.remove[1]: expected a non-empty string"),
		BAD(ROUTE("'cluster': 'c', 'retries': 3"), F0 ".retries: expected an object"),
		BAD(ROUTE("'cluster': 'c', 'retries': { 'attempts': true }"),
		    F0 ".retries.attempts: expected an integer"),
		BAD(ROUTES("{ 'direct_response': 404 }"),
		    R0 ".direct_response: expected an object"),
		BAD(ROUTES("{ 'direct_response': { 'status': '404' } }"),
		    R0 ".direct_response.status: expected an integer"),
		BAD(ROUTES("{ 'direct_response': { 'body': [] } }"),
		    R0 ".direct_response.body: expected a string"),
		BAD(ROUTES("{ 'direct_response': { 'content_type': 1 } }"),
		    R0 ".direct_response.content_type: expected a string"),
		BAD(ROUTES("{ 'redirect': '/new' }"), R0 ".redirect: expected an object"),
		BAD(ROUTES("{ 'redirect': { 'host': 1 } }"),
		    R0 ".redirect.host: expected a string"),
		BAD(ROUTES("{ 'redirect': { 'code': 301.0 } }"),
		    R0 ".redirect.code: expected an integer"),
		BAD(ROUTES("{ 'redirect': { 'strip_query': 'yes' } }"),
		    R0 ".redirect.strip_query: expected true or false"),
		/* strings: NUL inside, longer than MDP_ROUTE_MAX_STR */
		BAD(CLUSTER("'name': 'a\\u0000b'"), "clusters[0].name: NUL in string"),
		BAD(ROUTE("'cluster': 'c', 'host_rewrite': 'a\\u0000'"),
		    F0 ".host_rewrite: NUL in string"),
	};

	EXPECT_ALL(tab);
}

static void
test_long_strings(void)
{
	size_t n = MDP_ROUTE_MAX_STR + 1;
	char *big = malloc(n + 1), *doc = malloc(n + 512);
	struct mdp_mesh_spec *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	memset(big, 'h', n);
	big[n] = '\0';
	snprintf(doc, n + 512, ROUTE("'cluster': 'c', 'host_rewrite': '%s'"), big);
	expect_err(doc, F0 ".host_rewrite: longer than 8192 bytes");

	big[n - 1] = '\0';	/* exactly MDP_ROUTE_MAX_STR */
	snprintf(doc, n + 512, ROUTE("'cluster': 'c', 'host_rewrite': '%s'"), big);
	s = parse(doc);
	CU_ASSERT_PTR_NOT_NULL(s);
	if (s != NULL) {
		const struct mdp_route_conf *r = s->rts[0].conf.vhosts[0].routes;

		CU_ASSERT_EQUAL(strlen(r->action.forward.host_rewrite), MDP_ROUTE_MAX_STR);
	}
	mdp_mesh_spec_free(s);

	/* names: 1..63 */
	expect_err(CLUSTER("'name': ''"), "clusters[0].name: must be 1..63 characters");
	memset(big, 'n', 64);
	big[64] = '\0';
	snprintf(doc, n + 512, CLUSTER("'name': '%s'"), big);
	expect_err(doc, "clusters[0].name: must be 1..63 characters");
	snprintf(doc, n + 512, "{ 'route_tables': [ { 'name': '%s' } ] }", big);
	expect_err(doc, "route_tables[0].name: must be 1..63 characters");
	expect_err("{ 'route_tables': [ { 'name': '' } ] }",
		   "route_tables[0].name: must be 1..63 characters");
	big[63] = '\0';
	snprintf(doc, n + 512, "{ 'route_tables': [ { 'name': '%s' } ], " CL " }", big);
	s = parse(doc);
	CU_ASSERT_PTR_NOT_NULL(s);
	if (s != NULL)
		CU_ASSERT_EQUAL(mdp_mesh_spec_rt(s, big), 0);
	mdp_mesh_spec_free(s);
	snprintf(doc, n + 512, CLUSTER("'name': '%s'"), big);
	s = parse(doc);
	CU_ASSERT_PTR_NOT_NULL(s);
	if (s != NULL)
		CU_ASSERT_EQUAL(mdp_mesh_spec_cluster(s, big), 0);
	mdp_mesh_spec_free(s);
	free(big);
	free(doc);
}

/* An array of n copies of item, comma-separated, as a JSON list body. */
static char *
repeat(const char *item, unsigned n)
{
	size_t len = (strlen(item) + 2) * n + 1;
	char *s = malloc(len);

	if (s == NULL)
		return NULL;
	s[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, ", ");
		strcat(s, item);
	}
	return s;
}

static void
test_array_limits(void)
{
	char doc[16384];
	char *l;
	struct mdp_mesh_spec *s;

	l = repeat("'GET'", MDP_ROUTE_MAX_METHODS + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	snprintf(doc, sizeof(doc), MATCH("'methods': [ %s ]"), l);
	expect_err(doc, M0 ".methods: 17 entries, at most 16");
	free(l);
	l = repeat("'GET'", MDP_ROUTE_MAX_METHODS);
	snprintf(doc, sizeof(doc), MATCH("'methods': [ %s ]"), l);
	s = parse(doc);
	CU_ASSERT_PTR_NOT_NULL(s);
	mdp_mesh_spec_free(s);
	free(l);

	l = repeat("{ 'name': 'x', 'present': true }", MDP_ROUTE_MAX_CONDS + 1);
	snprintf(doc, sizeof(doc), MATCH("'headers': [ %s ]"), l);
	expect_err(doc, M0 ".headers: 33 entries, at most 32");
	snprintf(doc, sizeof(doc), MATCH("'query': [ %s ]"), l);
	expect_err(doc, M0 ".query: 33 entries, at most 32");
	free(l);

	l = repeat("{ 'name': 'c' }", MDP_ROUTE_MAX_CLUSTERS + 1);
	snprintf(doc, sizeof(doc), ROUTE("'clusters': [ %s ]"), l);
	expect_err(doc, F0 ".clusters: 65 entries, at most 64");
	free(l);

	l = repeat("{ 'name': 'a', 'value': 'b' }", MDP_ROUTE_MAX_HDR_OPS + 1);
	snprintf(doc, sizeof(doc), ROUTE("'cluster': 'c', 'response_headers': { 'add': [ %s ] }"),
		 l);
	expect_err(doc, F0 ".response_headers.add: 33 entries, at most 32");
	free(l);
	l = repeat("'a'", MDP_ROUTE_MAX_HDR_OPS + 1);
	snprintf(doc, sizeof(doc), ROUTE("'cluster': 'c', 'request_headers': { 'remove': [ %s ] }"),
		 l);
	expect_err(doc, F0 ".request_headers.remove: 33 entries, at most 32");
	free(l);
}

static void
test_missing_required(void)
{
	static const struct bad tab[] = {
		BAD("{ 'clusters': [ {} ] }", "clusters[0].name: missing required field"),
		BAD(CLUSTER("'name': 'c', 'endpoints': [ { 'weight': 1 } ]"),
		    EP0 ".address: missing required field"),
		BAD("{ 'route_tables': [ { 'virtual_hosts': [] } ] }",
		    "route_tables[0].name: missing required field"),
		BAD(VHOST("'domains': [ '*' ]"),
		    "route_tables[0].virtual_hosts[0].name: missing required field"),
		BAD(MATCH("'headers': [ { 'exact': 'a' } ]"),
		    M0 ".headers[0].name: missing required field"),
		BAD(MATCH("'query': [ { 'present': true } ]"),
		    M0 ".query[0].name: missing required field"),
		BAD(ROUTE("'clusters': [ { 'weight': 1 } ]"),
		    F0 ".clusters[0].name: missing required field"),
		BAD(ROUTE("'cluster': 'c', 'request_headers': { 'add': [ { 'name': 'a' } ] }"),
		    F0 ".request_headers.add[0].value: missing required field"),
		BAD(ROUTE("'cluster': 'c', 'response_headers': { 'set': [ { 'value': 'a' } ] }"),
		    F0 ".response_headers.set[0].name: missing required field"),
		/* a forward action without clusters */
		BAD(ROUTE(""), F0 ": needs 'cluster' or a non-empty 'clusters'"),
		BAD(ROUTE("'clusters': []"), F0 ": needs 'cluster' or a non-empty 'clusters'"),
		BAD(ROUTE("'timeout_ms': 5"), F0 ": needs 'cluster' or a non-empty 'clusters'"),
		/* a header or query rule without a kind */
		BAD(MATCH("'headers': [ { 'name': 'x' } ]"),
		    M0 ".headers[0]: needs one of: exact, prefix, suffix, contains, regex, "
		    "present, absent"),
		BAD(MATCH("'headers': [ { 'name': 'x', 'invert': true } ]"),
		    M0 ".headers[0]: needs one of: exact, prefix, suffix, contains, regex, "
		    "present, absent"),
		BAD(MATCH("'query': [ { 'name': 'x' } ]"),
		    M0 ".query[0]: needs one of: exact, prefix, regex, present"),
		/* a route without an action */
		BAD(ROUTES("{}"), R0 ": needs one of: route, direct_response, redirect"),
		BAD(ROUTES("{ 'name': 'r', 'match': { 'prefix': '/' } }"),
		    R0 ": needs one of: route, direct_response, redirect"),
		/* domains */
		BAD(VHOST("'name': 'v'"),
		    "route_tables[0].virtual_hosts[0].domains: needs at least one domain "
		    "(\"*\" for any)"),
		BAD(VHOST("'name': 'v', 'domains': []"),
		    "route_tables[0].virtual_hosts[0].domains: needs at least one domain "
		    "(\"*\" for any)"),
	};

	EXPECT_ALL(tab);
}

static void
test_ranges(void)
{
	static const struct bad tab[] = {
		BAD(CLUSTER("'name': 'c', 'endpoints': [ { 'address': '198.18.9.1:80', "
			    "'weight': 65536 } ]"),
		    EP0 ".weight: 65536 is out of range (0..65535)"),
		BAD(CLUSTER("'name': 'c', 'endpoints': [ { 'address': '198.18.9.1:80', "
			    "'weight': -1 } ]"),
		    EP0 ".weight: -1 is out of range (0..65535)"),
		BAD(CLUSTER("'name': 'c', 'connect_timeout_ms': 0"),
		    "clusters[0].connect_timeout_ms: 0 is out of range (1..600000)"),
		BAD(CLUSTER("'name': 'c', 'connect_timeout_ms': 600001"),
		    "clusters[0].connect_timeout_ms: 600001 is out of range (1..600000)"),
		BAD(CLUSTER("'name': 'c', 'idle_timeout_ms': 3600001"),
		    "clusters[0].idle_timeout_ms: 3600001 is out of range (0..3600000)"),
		BAD(CLUSTER("'name': 'c', 'idle_timeout_ms': -5"),
		    "clusters[0].idle_timeout_ms: -5 is out of range (0..3600000)"),
		BAD(CLUSTER("'name': 'c', 'max_idle': 65536"),
		    "clusters[0].max_idle: 65536 is out of range (0..65535)"),
		BAD(CLUSTER("'name': 'c', 'lb': 'maglev', 'maglev_table_size': 16777214"),
		    "clusters[0].maglev_table_size: 16777214 is out of range (0..16777213)"),
		BAD(CLUSTER("'name': 'c', 'max_idle': 9223372036854775807"),
		    "clusters[0].max_idle: 9223372036854775807 is out of range (0..65535)"),
		BAD(ROUTE("'cluster': 'c', 'timeout_ms': 3600001"),
		    F0 ".timeout_ms: 3600001 is out of range (0..3600000)"),
		BAD(ROUTE("'cluster': 'c', 'timeout_ms': -1"),
		    F0 ".timeout_ms: -1 is out of range (0..3600000)"),
		BAD(ROUTE("'clusters': [ { 'name': 'c', 'weight': 1000001 } ]"),
		    F0 ".clusters[0].weight: 1000001 is out of range (0..1000000)"),
		BAD(ROUTE("'cluster': 'c', 'retries': { 'attempts': 11 }"),
		    F0 ".retries.attempts: 11 is out of range (0..10)"),
		BAD(ROUTE("'cluster': 'c', 'retries': { 'per_try_timeout_ms': 3600001 }"),
		    F0 ".retries.per_try_timeout_ms: 3600001 is out of range (0..3600000)"),
		BAD(ROUTES("{ 'direct_response': { 'status': 199 } }"),
		    R0 ".direct_response.status: 199 is out of range (200..599)"),
		BAD(ROUTES("{ 'direct_response': { 'status': 600 } }"),
		    R0 ".direct_response.status: 600 is out of range (200..599)"),
		BAD(ROUTES("{ 'redirect': { 'code': 300 } }"),
		    R0 ".redirect.code: 300 is out of range (301..308)"),
		BAD(ROUTES("{ 'redirect': { 'code': 309 } }"),
		    R0 ".redirect.code: 309 is out of range (301..308)"),
	};
	struct mdp_mesh_spec *s;

	EXPECT_ALL(tab);

	/* the edges themselves are accepted */
	s = parse("{ 'clusters': [ { 'name': 'c', 'lb': 'maglev', 'maglev_table_size': 16777213,"
		  " 'connect_timeout_ms': 1, 'max_idle': 0 } ], 'route_tables': [ { 'name': 'rt',"
		  " 'virtual_hosts': [ { 'name': 'v', 'domains': [ '*' ], 'routes': ["
		  " { 'route': { 'clusters': [ { 'name': 'c', 'weight': 1000000 } ],"
		  "   'retries': { 'attempts': 10, 'per_try_timeout_ms': 3600000 } } },"
		  " { 'direct_response': { 'status': 599 } },"
		  " { 'redirect': { 'code': 307 } } ] } ] } ] }");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->clusters[0].lb.table_size, 16777213);
	CU_ASSERT_EQUAL(s->clusters[0].connect_timeout_ms, 1);
	CU_ASSERT_EQUAL(s->clusters[0].max_idle, 0);
	CU_ASSERT_EQUAL(s->rts[0].conf.vhosts[0].routes[0].action.forward.clusters[0].weight,
			1000000);
	CU_ASSERT_EQUAL(s->rts[0].conf.vhosts[0].routes[0].action.forward.retry.attempts, 10);
	CU_ASSERT_EQUAL(s->rts[0].conf.vhosts[0].routes[1].action.direct.status, 599);
	CU_ASSERT_EQUAL(s->rts[0].conf.vhosts[0].routes[2].action.redirect.code, 307);
	mdp_mesh_spec_free(s);
}

static void
test_duplicates(void)
{
	static const struct bad tab[] = {
		BAD("{ 'clusters': [ { 'name': 'a' }, { 'name': 'b' }, { 'name': 'a' } ] }",
		    "clusters[2].name: 'a' is also the name of clusters[0]"),
		BAD("{ 'route_tables': [ { 'name': 'x' }, { 'name': 'y' }, { 'name': 'y' } ] }",
		    "route_tables[2].name: 'y' is also the name of route_tables[1]"),
		BAD(CLUSTER("'name': 'c', 'endpoints': [ { 'address': '198.18.9.1:80' }, "
			    "{ 'address': '198.18.9.2:80' }, { 'address': '198.18.9.1:80', "
			    "'weight': 5 } ]"),
		    "clusters[0].endpoints[2]: the same endpoint as endpoints[0]"),
	};
	struct mdp_mesh_spec *s;

	EXPECT_ALL(tab);

	/* names are case-sensitive; the same address on two ports, or in two
	 * clusters, is two endpoints */
	s = parse("{ 'clusters': [ { 'name': 'a', 'endpoints': [ { 'address': '198.18.9.1:80' },"
		  " { 'address': '198.18.9.1:81' } ] }, { 'name': 'A', 'endpoints': ["
		  " { 'address': '198.18.9.1:80' } ] } ], 'route_tables': [ { 'name': 'a' },"
		  " { 'name': 'A' } ] }");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->n_clusters, 2);
	CU_ASSERT_EQUAL(s->clusters[0].n_eps, 2);
	CU_ASSERT_EQUAL(mdp_mesh_spec_cluster(s, "A"), 1);
	CU_ASSERT_EQUAL(mdp_mesh_spec_rt(s, "A"), 1);
	mdp_mesh_spec_free(s);
}

/* The three ways an endpoint address is refused. */
#define NOT_HOSTPORT(a) \
	BAD(EPADDR(a), EP0 ".address: '" a "' is not an IPv4 address and port (a.b.c.d:port)")
#define NOT_IPV4(a, host) BAD(EPADDR(a), EP0 ".address: '" host "' is not an IPv4 address")
#define NOT_HOST(a, host) BAD(EPADDR(a), EP0 ".address: '" host "' cannot be an endpoint")

static void
test_endpoint_addresses(void)
{
	static const struct bad tab[] = {
		NOT_HOSTPORT("198.18.9.1"),
		NOT_HOSTPORT("198.18.9.1:"),
		NOT_HOSTPORT("198.18.9.1:0"),
		NOT_HOSTPORT("198.18.9.1:65536"),
		NOT_HOSTPORT("198.18.9.1:70000"),
		NOT_HOSTPORT("198.18.9.1:-1"),
		NOT_HOSTPORT("198.18.9.1:+80"),
		NOT_HOSTPORT("198.18.9.1: 80"),
		NOT_HOSTPORT("198.18.9.1:80x"),
		NOT_HOSTPORT("garbage"),
		NOT_HOSTPORT(""),
		NOT_HOSTPORT("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:80"),
		NOT_IPV4("garbage:80", "garbage"),
		NOT_IPV4(":80", ""),
		NOT_IPV4("10.0.0:80", "10.0.0"),
		NOT_IPV4("198.18.9.256:80", "198.18.9.256"),
		NOT_IPV4("198.18.9.01:80", "198.18.9.01"),
		NOT_IPV4("198.18.9.1:80:80", "198.18.9.1:80"),
		NOT_IPV4("[::1]:80", "[::1]"),
		NOT_HOST("0.0.0.0:80", "0.0.0.0"),
		NOT_HOST("127.0.0.1:80", "127.0.0.1"),
		NOT_HOST("127.255.255.254:80", "127.255.255.254"),
		NOT_HOST("224.0.0.1:80", "224.0.0.1"),
		NOT_HOST("239.255.255.255:80", "239.255.255.255"),
		NOT_HOST("240.0.0.1:80", "240.0.0.1"),
		NOT_HOST("255.255.255.255:80", "255.255.255.255"),
	};
	struct mdp_mesh_spec *s;

	EXPECT_ALL(tab);

	/* the unicast edges around them */
	s = parse(CLUSTER("'name': 'c', 'endpoints': [ { 'address': '126.255.255.255:80' },"
			  " { 'address': '128.0.0.0:80' }, { 'address': '223.255.255.255:80' },"
			  " { 'address': '198.18.9.1:080' } ]"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(s->clusters[0].n_eps, 4);
	CU_ASSERT_EQUAL(s->clusters[0].eps[0].addr, 0x7effffffu);
	CU_ASSERT_EQUAL(s->clusters[0].eps[1].addr, 0x80000000u);
	CU_ASSERT_EQUAL(s->clusters[0].eps[2].addr, 0xdfffffffu);
	CU_ASSERT_EQUAL(s->clusters[0].eps[3].port, 80);
	mdp_mesh_spec_free(s);
}

static void
test_lb(void)
{
	static const struct bad tab[] = {
		BAD(CLUSTER("'name': 'c', 'lb': 'random'"),
		    "clusters[0].lb: unknown policy 'random' (round_robin, least_request, maglev)"),
		BAD(CLUSTER("'name': 'c', 'lb': 'Maglev'"),
		    "clusters[0].lb: unknown policy 'Maglev' (round_robin, least_request, maglev)"),
		BAD(CLUSTER("'name': 'c', 'lb': ''"),
		    "clusters[0].lb: unknown policy '' (round_robin, least_request, maglev)"),
		BAD(CLUSTER("'name': 'c', 'hash_header': 'x-user'"),
		    "clusters[0].hash_header: only applies to lb = maglev"),
		BAD(CLUSTER("'name': 'c', 'lb': 'round_robin', 'hash_header': 'x-user'"),
		    "clusters[0].hash_header: only applies to lb = maglev"),
		BAD(CLUSTER("'name': 'c', 'lb': 'least_request', 'hash_header': 'x-user'"),
		    "clusters[0].hash_header: only applies to lb = maglev"),
	};
	struct mdp_mesh_spec *s;

	EXPECT_ALL(tab);

	s = parse(CLUSTER("'name': 'c', 'lb': 'round_robin'"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->clusters[0].lb.policy, MDP_LB_ROUND_ROBIN);
	mdp_mesh_spec_free(s);
	s = parse(CLUSTER("'name': 'c', 'lb': 'maglev'"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->clusters[0].lb.policy, MDP_LB_MAGLEV);
	CU_ASSERT_PTR_NULL(s->clusters[0].hash_header);
	mdp_mesh_spec_free(s);
}

static void
test_match_errors(void)
{
	static const struct bad tab[] = {
		/* at most one path kind, in either order */
		BAD(MATCH("'path': '/a', 'prefix': '/b'"),
		    M0 ": 'path' and 'prefix' exclude each other"),
		BAD(MATCH("'prefix': '/b', 'path': '/a'"),
		    M0 ": 'path' and 'prefix' exclude each other"),
		BAD(MATCH("'path': '/a', 'regex': '/b'"),
		    M0 ": 'path' and 'regex' exclude each other"),
		BAD(MATCH("'regex': '/b', 'prefix': '/a'"),
		    M0 ": 'prefix' and 'regex' exclude each other"),
		BAD(MATCH("'path': '/a', 'prefix': '/b', 'regex': 'c'"),
		    M0 ": 'path' and 'prefix' exclude each other"),
		/* path and prefix start with '/' */
		BAD(MATCH("'path': 'api'"), M0 ".path: 'api' must start with '/'"),
		BAD(MATCH("'prefix': 'api/'"), M0 ".prefix: 'api/' must start with '/'"),
		BAD(MATCH("'prefix': '*'"), M0 ".prefix: '*' must start with '/'"),
		/* a header rule has one kind */
		BAD(MATCH("'headers': [ { 'name': 'x', 'exact': 'a', 'prefix': 'b' } ]"),
		    M0 ".headers[0]: 'exact' and 'prefix' exclude each other"),
		BAD(MATCH("'headers': [ { 'name': 'x', 'absent': true, 'present': true } ]"),
		    M0 ".headers[0]: 'present' and 'absent' exclude each other"),
		BAD(MATCH("'headers': [ { 'name': 'x', 'present': true }, { 'name': 'y', "
			  "'suffix': 'a', 'regex': 'b' } ]"),
		    M0 ".headers[1]: 'suffix' and 'regex' exclude each other"),
		BAD(MATCH("'query': [ { 'name': 'x', 'exact': 'a', 'present': true } ]"),
		    M0 ".query[0]: 'exact' and 'present' exclude each other"),
		/* present and absent only as true */
		BAD(MATCH("'headers': [ { 'name': 'x', 'present': false } ]"),
		    M0 ".headers[0].present: expected true"),
		BAD(MATCH("'headers': [ { 'name': 'x', 'absent': false } ]"),
		    M0 ".headers[0].absent: expected true"),
		BAD(MATCH("'headers': [ { 'name': 'x', 'present': 'yes' } ]"),
		    M0 ".headers[0].present: expected true"),
		BAD(MATCH("'headers': [ { 'name': 'x', 'absent': null } ]"),
		    M0 ".headers[0].absent: expected true"),
	};
	struct mdp_mesh_spec *s;
	const struct mdp_route_match *m;

	EXPECT_ALL(tab);

	/* a regex need not start with '/'; ignore_case alone is fine */
	s = parse(MATCH("'regex': '.*'"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	m = &s->rts[0].conf.vhosts[0].routes[0].match;
	CU_ASSERT_EQUAL(m->path.kind, MDP_ROUTE_PATH_REGEX);
	CU_ASSERT_STRING_EQUAL(m->path.value, ".*");
	mdp_mesh_spec_free(s);
	s = parse(MATCH("'ignore_case': false"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	m = &s->rts[0].conf.vhosts[0].routes[0].match;
	CU_ASSERT_EQUAL(m->path.kind, MDP_ROUTE_PATH_ANY);
	CU_ASSERT_FALSE(m->path.ignore_case);
	mdp_mesh_spec_free(s);
}

static void
test_action_errors(void)
{
	static const struct bad tab[] = {
		BAD(ROUTES("{ " FWD ", 'direct_response': {} }"),
		    R0 ": 'route' and 'direct_response' exclude each other"),
		BAD(ROUTES("{ 'redirect': {}, " FWD " }"),
		    R0 ": 'route' and 'redirect' exclude each other"),
		BAD(ROUTES("{ 'redirect': {}, 'direct_response': {} }"),
		    R0 ": 'direct_response' and 'redirect' exclude each other"),
		BAD(ROUTES("{ 'redirect': {}, 'direct_response': {}, " FWD " }"),
		    R0 ": 'route' and 'direct_response' exclude each other"),
		BAD(ROUTE("'cluster': 'c', 'clusters': [ { 'name': 'c' } ]"),
		    F0 ": 'cluster' and 'clusters' exclude each other"),
	};

	EXPECT_ALL(tab);
}

static void
test_unknown_cluster(void)
{
	static const struct bad tab[] = {
		BAD(ROUTES("{ " FWD " }, { 'route': { 'clusters': [ { 'name': 'nope' } ] } }"),
		    "route_tables[0].virtual_hosts[0].routes[1].route.clusters[0]: "
		    "unknown cluster 'nope'"),
		/* every index of the path */
		BAD("{ " CL ", 'route_tables': [ { 'name': 'a' }, { 'name': 'b', 'virtual_hosts': ["
		    "  { 'name': 'v0', 'domains': [ 'x' ] },"
		    "  { 'name': 'v1', 'domains': [ 'y' ], 'routes': ["
		    "    { " FWD " }, { 'direct_response': {} }, { 'redirect': {} },"
		    "    { 'route': { 'clusters': [ { 'name': 'c' }, { 'name': 'C' } ] } }"
		    "  ] } ] } ] }",
		    "route_tables[1].virtual_hosts[1].routes[3].route.clusters[1]: "
		    "unknown cluster 'C'"),
		/* a route table may come before the clusters it names, not
		 * without them */
		BAD("{ 'route_tables': [ { 'name': 'rt', 'virtual_hosts': [ { 'name': 'v', "
		    "'domains': [ '*' ], 'routes': [ { 'route': { 'clusters': [ { 'name': 'c' } ] "
		    "} } ] } ] } ] }",
		    R0 ".route.clusters[0]: unknown cluster 'c'"),
	};
	struct mdp_mesh_spec *s;

	EXPECT_ALL(tab);

	s = parse("{ 'route_tables': [ { 'name': 'rt', 'virtual_hosts': [ { 'name': 'v', "
		  "'domains': [ '*' ], 'routes': [ { " FWD " } ] } ] } ], " CL " }");
	CU_ASSERT_PTR_NOT_NULL(s);
	mdp_mesh_spec_free(s);
}

/* ------------------------------------------------------------------ */
/* Cluster tls (DestinationRule trafficPolicy.tls)                     */

#define TLS(t) CLUSTER("'name': 'c', 'tls': { " t " }")
#define TLS0 "clusters[0].tls"

static void
test_cluster_tls(void)
{
	static const struct bad tab[] = {
		BAD(CLUSTER("'name': 'c', 'tls': 'ISTIO_MUTUAL'"), TLS0 ": expected an object"),
		BAD(TLS(""), TLS0 ".mode: missing required field"),
		BAD(TLS("'mode': 'STRICT'"),
		    TLS0 ".mode: 'STRICT' is not a mode (DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL)"),
		BAD(TLS("'mode': 'istio_mutual'"),
		    TLS0 ".mode: 'istio_mutual' is not a mode (DISABLE, SIMPLE, MUTUAL, "
		    "ISTIO_MUTUAL)"),
		BAD(TLS("'mode': 'MUTUAL', 'ca': 'x'"), TLS0 ".ca: unknown field"),
		BAD(TLS("'mode': 'DISABLE', 'sni': 'x'"),
		    TLS0 ".sni: only with mode SIMPLE, MUTUAL or ISTIO_MUTUAL"),
		BAD(TLS("'mode': 'DISABLE', 'subject_alt_names': []"),
		    TLS0 ".subject_alt_names: only with mode SIMPLE, MUTUAL or ISTIO_MUTUAL"),
		BAD(TLS("'mode': 'MUTUAL'"), TLS0 ".credential: required with mode MUTUAL"),
		BAD(TLS("'mode': 'SIMPLE', 'credential': 'default'"),
		    TLS0 ".credential: only with mode MUTUAL or ISTIO_MUTUAL (SIMPLE presents no "
		    "client certificate)"),
		BAD(TLS("'mode': 'MUTUAL', 'credential': ''"),
		    TLS0 ".credential: '': 1..63 of A-Z a-z 0-9 . - _"),
		BAD(TLS("'mode': 'MUTUAL', 'credential': 'a b'"),
		    TLS0 ".credential: 'a b': 1..63 of A-Z a-z 0-9 . - _"),
		BAD(TLS("'mode': 'MUTUAL', 'credential': 7"), TLS0 ".credential: expected a string"),
		BAD(TLS("'mode': 'SIMPLE', 'bundle': 'a/b'"),
		    TLS0 ".bundle: 'a/b': 1..63 of A-Z a-z 0-9 . - _"),
		BAD(TLS("'mode': 'SIMPLE', 'sni': ''"),
		    TLS0 ".sni: '' is not a server name (1..255 of A-Z a-z 0-9 . - _)"),
		BAD(TLS("'mode': 'SIMPLE', 'sni': 'a b'"),
		    TLS0 ".sni: 'a b' is not a server name (1..255 of A-Z a-z 0-9 . - _)"),
		BAD(TLS("'mode': 'SIMPLE', 'subject_alt_names': 'spiffe://td'"),
		    TLS0 ".subject_alt_names: expected an array"),
		BAD(TLS("'mode': 'SIMPLE', 'subject_alt_names': [ '' ]"),
		    TLS0 ".subject_alt_names[0]: expected a non-empty string"),
		BAD(TLS("'mode': 'ISTIO_MUTUAL', 'subject_alt_names': [ 'spiffe://td/a', "
			"'payment.production.svc' ]"),
		    TLS0 ".subject_alt_names[1]: 'payment.production.svc' is not a SPIFFE ID: "
		    "does not start with spiffe://"),
		BAD(TLS("'mode': 'ISTIO_MUTUAL', 'subject_alt_names': [ 'SPIFFE://td/a' ]"),
		    TLS0 ".subject_alt_names[0]: 'SPIFFE://td/a' is not a SPIFFE ID: "
		    "does not start with spiffe://"),
		BAD(TLS("'mode': 'ISTIO_MUTUAL', 'subject_alt_names': [ 'spiffe://' ]"),
		    TLS0 ".subject_alt_names[0]: 'spiffe://' is not a SPIFFE ID: no trust domain"),
		BAD(TLS("'mode': 'ISTIO_MUTUAL', 'subject_alt_names': [ 'spiffe:///ns/a' ]"),
		    TLS0 ".subject_alt_names[0]: 'spiffe:///ns/a' is not a SPIFFE ID: "
		    "no trust domain"),
		BAD(TLS("'mode': 'ISTIO_MUTUAL', 'subject_alt_names': [ 'spiffe://Mesh.local/a' ]"),
		    TLS0 ".subject_alt_names[0]: 'spiffe://Mesh.local/a' is not a SPIFFE ID: "
		    "the trust domain allows a-z 0-9 . - _ only"),
		BAD(TLS("'mode': 'ISTIO_MUTUAL', 'subject_alt_names': [ 'spiffe://td:443/a' ]"),
		    TLS0 ".subject_alt_names[0]: 'spiffe://td:443/a' is not a SPIFFE ID: "
		    "the trust domain allows a-z 0-9 . - _ only"),
		BAD(TLS("'mode': 'ISTIO_MUTUAL', 'subject_alt_names': [ 'spiffe://td/ns//sa' ]"),
		    TLS0 ".subject_alt_names[0]: 'spiffe://td/ns//sa' is not a SPIFFE ID: "
		    "an empty path segment"),
		BAD(TLS("'mode': 'ISTIO_MUTUAL', 'subject_alt_names': [ 'spiffe://td/ns/' ]"),
		    TLS0 ".subject_alt_names[0]: 'spiffe://td/ns/' is not a SPIFFE ID: "
		    "an empty path segment"),
		BAD(TLS("'mode': 'ISTIO_MUTUAL', 'subject_alt_names': [ 'spiffe://td/a/../b' ]"),
		    TLS0 ".subject_alt_names[0]: 'spiffe://td/a/../b' is not a SPIFFE ID: "
		    "a '.' or '..' path segment"),
		BAD(TLS("'mode': 'ISTIO_MUTUAL', 'subject_alt_names': [ 'spiffe://td/a?b' ]"),
		    TLS0 ".subject_alt_names[0]: 'spiffe://td/a?b' is not a SPIFFE ID: "
		    "the path allows A-Z a-z 0-9 . - _ and '/' only"),
		BAD(TLS("'mode': 'ISTIO_MUTUAL', 'subject_alt_names': [ 'spiffe://td/a\\u0000b' ]"),
		    TLS0 ".subject_alt_names[0]: NUL in string"),
	};
	struct mdp_mesh_spec *s;
	const struct mdp_mesh_tls_spec *t;

	EXPECT_ALL(tab);

	s = parse("{ 'clusters': [ { 'name': 'plain' }, "
		  "{ 'name': 'off', 'tls': { 'mode': 'DISABLE' } }, "
		  "{ 'name': 'simple', 'tls': { 'mode': 'SIMPLE', 'sni': 'payment.example' } }, "
		  "{ 'name': 'mutual', 'tls': { 'mode': 'MUTUAL', 'credential': 'edge-1', "
		  "  'bundle': 'partner_ca', 'subject_alt_names': [ 'spiffe://partner.example' ] } }, "
		  "{ 'name': 'istio', 'tls': { 'mode': 'ISTIO_MUTUAL', 'subject_alt_names': [ "
		  "  'spiffe://cluster.local/ns/default/sa/payment', "
		  "  'spiffe://mesh.local/ns/production/sa/payment-service' ] } } ] }");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(s->n_clusters, 5);
	for (unsigned i = 0; i < 2; i++) {
		t = &s->clusters[i].tls;
		CU_ASSERT_EQUAL(t->mode, MDP_MESH_TLS_DISABLE);
		CU_ASSERT_PTR_NULL(t->credential);
		CU_ASSERT_PTR_NULL(t->bundle);
		CU_ASSERT_PTR_NULL(t->sni);
		CU_ASSERT_EQUAL(t->n_sans, 0);
	}
	t = &s->clusters[2].tls;
	CU_ASSERT_EQUAL(t->mode, MDP_MESH_TLS_SIMPLE);
	CU_ASSERT_PTR_NULL(t->credential);
	CU_ASSERT_TRUE(streq(t->bundle, "default"));
	CU_ASSERT_TRUE(streq(t->sni, "payment.example"));
	CU_ASSERT_EQUAL(t->n_sans, 0);
	t = &s->clusters[3].tls;
	CU_ASSERT_EQUAL(t->mode, MDP_MESH_TLS_MUTUAL);
	CU_ASSERT_TRUE(streq(t->credential, "edge-1"));
	CU_ASSERT_TRUE(streq(t->bundle, "partner_ca"));
	CU_ASSERT_PTR_NULL(t->sni);
	CU_ASSERT_EQUAL_FATAL(t->n_sans, 1);
	CU_ASSERT_TRUE(streq(t->sans[0], "spiffe://partner.example"));
	t = &s->clusters[4].tls;
	CU_ASSERT_EQUAL(t->mode, MDP_MESH_TLS_ISTIO_MUTUAL);
	CU_ASSERT_TRUE(streq(t->credential, "default"));
	CU_ASSERT_TRUE(streq(t->bundle, "default"));
	CU_ASSERT_EQUAL_FATAL(t->n_sans, 2);
	CU_ASSERT_TRUE(streq(t->sans[1], "spiffe://mesh.local/ns/production/sa/payment-service"));
	mdp_mesh_spec_free(s);

	/* limits */
	{
		char doc[8192], *p = doc;

		p += sprintf(p, "%s", "{ 'clusters': [ { 'name': 'c', 'tls': { 'mode': "
				      "'ISTIO_MUTUAL', 'subject_alt_names': [ ");
		for (int i = 0; i < MDP_MESH_MAX_SANS + 1; i++)
			p += sprintf(p, "%s'spiffe://td/sa/%d'", i ? ", " : "", i);
		sprintf(p, " ] } } ] }");
		expect_err(doc, TLS0 ".subject_alt_names: 65 entries, at most 64");
	}
}

/* ------------------------------------------------------------------ */
/* authorization_policies                                              */

static enum mdp_authz_verdict
verdict(const struct mdp_mesh_spec *s, const char *principal, const char *path, int *idx)
{
	struct mdp_authz_req r = {
		.principal = principal, .principal_len = principal ? strlen(principal) : 0,
		.src_ip = 0xc6120005u, .dst_port = 8080, .http = true, .method = "GET",
		.method_len = 3, .host = "payment", .host_len = 7, .path = path,
		.path_len = strlen(path),
	};

	return mdp_authz_check(s->authz, &r, idx);
}

#define ORDER_ID "spiffe://mesh.local/ns/production/sa/order-service"
#define ANALYTICS_ID "spiffe://mesh.local/ns/production/sa/analytics-service"

static void
test_authz_policies(void)
{
	static const struct bad tab[] = {
		BAD("{ 'authorization_policies': {} }", "authorization_policies: expected an array"),
		BAD("{ 'authorization_policies': [ { 'name': 'a', 'action': 'CUSTOM' } ] }",
		    "authorization_policies[0].action: CUSTOM (an external authorizer) is not "
		    "supported"),
		BAD("{ 'authorization_policies': [ { 'name': 'a' }, { 'name': 'a' } ] }",
		    "authorization_policies[1].name: 'a' is also the name of "
		    "authorization_policies[0]"),
		BAD("{ 'authorization_policies': [ { 'name': 'a', 'rules': [ { 'from': [ { "
		    "'source': { 'ipBlocks': [ '198.18.0.0/16', '198.18.0.0/33' ] } } ] } ] } ] }",
		    "authorization_policies[0].rules[0].from[0].source.ipBlocks[1]: "
		    "'198.18.0.0/33' is not an IPv4 address or CIDR"),
		BAD("{ 'authorization_policies': [ { 'apiVersion': 'security.istio.io/v1', "
		    "'kind': 'AuthorizationPolicy', 'metadata': { 'name': 'a' }, 'spec': { "
		    "'rules': [ { 'when': [ { 'key': 'request.auth.claims[iss]', "
		    "'values': [ 'x' ] } ] } ] } } ] }",
		    "authorization_policies[0].spec.rules[0].when[0].key: "
		    "'request.auth.claims[iss]': JWT claims (RequestAuthentication) are not "
		    "supported"),
		/* the rest of the document is validated first */
		BAD("{ 'authorization_policies': [ 1 ], 'clusters': [ { 'name': '' } ] }",
		    "clusters[0].name: must be 1..63 characters"),
	};
	static const char k8s[] =
		"{ " CL ", 'authorization_policies': [ "
		"{ 'name': 'deny-admin', 'action': 'DENY', 'rules': [ { 'to': [ { 'operation': "
		"  { 'paths': [ '/admin/*' ] } } ] } ] }, "
		"{ 'apiVersion': 'security.istio.io/v1', 'kind': 'AuthorizationPolicy', "
		"  'metadata': { 'name': 'payment-callers', 'namespace': 'production', "
		"                'labels': { 'team': 'payments' } }, "
		"  'spec': { 'selector': { 'matchLabels': { 'app': 'payment-service' } }, "
		"            'action': 'ALLOW', 'rules': [ { 'from': [ { 'source': { "
		"            'principals': [ 'mesh.local/ns/production/sa/order-service' ] } } ] } ] } } "
		"] }";
	static const char flat[] =
		"{ " CL ", 'authorization_policies': [ "
		"{ 'name': 'deny-admin', 'action': 'DENY', 'rules': [ { 'to': [ { 'operation': "
		"  { 'paths': [ '/admin/*' ] } } ] } ] }, "
		"{ 'name': 'payment-callers', 'namespace': 'production', "
		"  'selector': { 'matchLabels': { 'app': 'payment-service' } }, "
		"  'action': 'ALLOW', 'rules': [ { 'from': [ { 'source': { "
		"  'principals': [ 'mesh.local/ns/production/sa/order-service' ] } } ] } ] } "
		"] }";
	json_t *d, *want, *dump;
	struct mdp_mesh_spec *s, *s2;
	int idx;

	EXPECT_ALL(tab);

	/* no policies: an authz that allows everything */
	s = parse("{}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->authz);
	CU_ASSERT_EQUAL(mdp_authz_count(s->authz), 0);
	CU_ASSERT_EQUAL(verdict(s, NULL, "/", &idx), MDP_AUTHZ_ALLOW);
	mdp_mesh_spec_free(s);
	s = parse("{ 'authorization_policies': [] }");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(mdp_authz_count(s->authz), 0);
	mdp_mesh_spec_free(s);

	/* a Kubernetes resource: compiled, and dumped in its flat form */
	d = doc_of(k8s);
	want = doc_of(flat);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	s = mdp_mesh_spec_parse(d, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(mdp_authz_count(s->authz), 2);
	CU_ASSERT_STRING_EQUAL(mdp_authz_policy_name(s->authz, 1), "payment-callers");
	CU_ASSERT_STRING_EQUAL(mdp_authz_policy_namespace(s->authz, 1), "production");
	CU_ASSERT_EQUAL(verdict(s, ORDER_ID, "/charge", &idx), MDP_AUTHZ_ALLOW);
	CU_ASSERT_EQUAL(idx, 1);
	CU_ASSERT_EQUAL(verdict(s, ANALYTICS_ID, "/charge", &idx), MDP_AUTHZ_DENY);
	CU_ASSERT_EQUAL(idx, -1);
	CU_ASSERT_EQUAL(verdict(s, ORDER_ID, "/admin/x", &idx), MDP_AUTHZ_DENY);
	CU_ASSERT_EQUAL(idx, 0);
	CU_ASSERT_PTR_NOT_EQUAL(s->doc, d);
	CU_ASSERT_TRUE(json_equal(s->doc, want));
	/* the caller's document is not changed, the clusters are shared */
	CU_ASSERT_PTR_NOT_NULL(json_object_get(json_array_get(json_object_get(d,
		"authorization_policies"), 1), "spec"));
	CU_ASSERT_PTR_EQUAL(json_object_get(s->doc, "clusters"), json_object_get(d, "clusters"));
	json_decref(d);
	CU_ASSERT_TRUE(streq(s->clusters[0].name, "c"));

	/* config-dump round trip: the dump parses to the same spec and dump */
	dump = json_deep_copy(s->doc);
	s2 = mdp_mesh_spec_parse(dump, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_PTR_EQUAL(s2->doc, dump);
	CU_ASSERT_TRUE(json_equal(s2->doc, s->doc));
	CU_ASSERT_EQUAL(mdp_authz_count(s2->authz), 2);
	CU_ASSERT_EQUAL(verdict(s2, ORDER_ID, "/charge", &idx), MDP_AUTHZ_ALLOW);
	CU_ASSERT_EQUAL(verdict(s2, ANALYTICS_ID, "/charge", &idx), MDP_AUTHZ_DENY);
	json_decref(dump);
	mdp_mesh_spec_free(s2);
	mdp_mesh_spec_free(s);
	json_decref(want);

	/* cluster tls survives the round trip too (the document is kept) */
	d = doc_of("{ 'clusters': [ { 'name': 'p', 'tls': { 'mode': 'ISTIO_MUTUAL', "
		   "'subject_alt_names': [ 'spiffe://mesh.local/ns/production/sa/payment-service' ] "
		   "} } ] }");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	s = mdp_mesh_spec_parse(d, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	dump = json_deep_copy(s->doc);
	CU_ASSERT_TRUE(json_equal(dump, d));
	s2 = mdp_mesh_spec_parse(dump, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_EQUAL(s2->clusters[0].tls.mode, MDP_MESH_TLS_ISTIO_MUTUAL);
	CU_ASSERT_EQUAL(s2->clusters[0].tls.n_sans, 1);
	mdp_mesh_spec_free(s2);
	mdp_mesh_spec_free(s);
	json_decref(dump);
	json_decref(d);
}

/* The message fits any buffer, cut short and NUL-terminated. */
static void
test_err_buffer(void)
{
	json_t *d = doc_of("{ 'bogus': 1 }");
	char small[8];
	struct mdp_mesh_spec *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	memset(small, 'z', sizeof(small));
	s = mdp_mesh_spec_parse(d, NULL, small, sizeof(small));
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_STRING_EQUAL(small, "bogus: ");
	memset(small, 'z', sizeof(small));
	s = mdp_mesh_spec_parse(d, NULL, small, 3);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_STRING_EQUAL(small, "bo");
	CU_ASSERT_EQUAL(small[3], 'z');
	s = mdp_mesh_spec_parse(d, NULL, small, 1);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_EQUAL(small[0], '\0');
	s = mdp_mesh_spec_parse(d, NULL, NULL, 0);
	CU_ASSERT_PTR_NULL(s);
	/* a failed parse drops its reference */
	CU_ASSERT_EQUAL(d->refcount, 1);
	json_decref(d);
}

static CU_TestInfo tests[] = {
	{ "empty document", test_empty },
	{ "full document", test_full },
	{ "route timeout default", test_timeout_default },
	{ "headers without query (regression)", test_headers_without_query },
	{ "unknown fields", test_unknown_fields },
	{ "wrong types", test_wrong_types },
	{ "long strings and names", test_long_strings },
	{ "array limits", test_array_limits },
	{ "missing required fields", test_missing_required },
	{ "out of range", test_ranges },
	{ "duplicates", test_duplicates },
	{ "endpoint addresses", test_endpoint_addresses },
	{ "lb policy", test_lb },
	{ "match errors", test_match_errors },
	{ "action errors", test_action_errors },
	{ "unknown cluster", test_unknown_cluster },
	{ "cluster tls", test_cluster_tls },
	{ "authorization policies", test_authz_policies },
	{ "error buffer", test_err_buffer },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("mesh_conf", NULL, NULL, tests);
}
