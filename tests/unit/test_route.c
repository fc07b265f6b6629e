/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "route/mdp_route.h"
#include "route/mdp_route_impl.h"	/* worker generation, hash helpers */
#include "util/mdp_rand.h"
#include "unit.h"

#define N_OF(a)	(sizeof(a) / sizeof((a)[0]))

static char err[512];

/* ------------------------------------------------------------------ */
/* Building configurations                                             */

static const struct mdp_route_cluster_weight one_cluster[] = { { "c", 1 } };

/* A route forwarding to cluster "c". */
#define ROUTE(nm, ...)                                                   \
	{ .name = nm, .match = { __VA_ARGS__ },                          \
	  .action = { .kind = MDP_ROUTE_ACT_CLUSTERS,                    \
		      .forward = { .clusters = one_cluster, .n_clusters = 1 } } }

#define PATH(k, v)	.path = { .kind = MDP_ROUTE_PATH_##k, .value = v }
#define IPATH(k, v)	.path = { .kind = MDP_ROUTE_PATH_##k, .value = v, .ignore_case = true }
#define HDRS(...)                                                        \
	.headers = (const struct mdp_route_header_match[]){ __VA_ARGS__ }, \
	.n_headers = sizeof((struct mdp_route_header_match[]){ __VA_ARGS__ }) / \
		     sizeof(struct mdp_route_header_match)
#define QRYS(...)                                                        \
	.queries = (const struct mdp_route_query_match[]){ __VA_ARGS__ }, \
	.n_queries = sizeof((struct mdp_route_query_match[]){ __VA_ARGS__ }) / \
		     sizeof(struct mdp_route_query_match)
#define METHODS(...)                                                     \
	.methods = (const char *const[]){ __VA_ARGS__ },                 \
	.n_methods = sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(char *)
#define DOMAINS(...)                                                     \
	.domains = (const char *const[]){ __VA_ARGS__ },                 \
	.n_domains = sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(char *)
#define ROUTES(...)                                                      \
	.routes = (const struct mdp_route_conf[]){ __VA_ARGS__ },        \
	.n_routes = sizeof((struct mdp_route_conf[]){ __VA_ARGS__ }) /   \
		    sizeof(struct mdp_route_conf)

/* One vhost "v" for every authority, with the given routes. */
static struct mdp_route_table *
compile1(const struct mdp_route_conf *routes, unsigned n)
{
	struct mdp_route_vhost_conf v = {
		.name = "v", DOMAINS("*"), .routes = routes, .n_routes = n,
	};
	struct mdp_route_table_conf cfg = { &v, 1 };
	struct mdp_route_table *t = mdp_route_table_compile(&cfg, 1, err, sizeof(err));

	if (t == NULL)
		fprintf(stderr, "compile: %s\n", err);
	return t;
}

#define COMPILE1(...)                                                    \
	compile1((const struct mdp_route_conf[]){ __VA_ARGS__ },         \
		 sizeof((struct mdp_route_conf[]){ __VA_ARGS__ }) /      \
			 sizeof(struct mdp_route_conf))

/* Compile; expect failure with a message containing want. */
static bool
fails_with(const struct mdp_route_table_conf *cfg, const char *want)
{
	struct mdp_route_table *t = mdp_route_table_compile(cfg, 1, err, sizeof(err));

	if (t != NULL) {
		mdp_route_table_free(t);
		fprintf(stderr, "compiled, expected \"%s\"\n", want);
		return false;
	}
	if (strstr(err, want) == NULL) {
		fprintf(stderr, "error \"%s\", expected \"%s\"\n", err, want);
		return false;
	}
	return true;
}

static bool
fails1(const struct mdp_route_conf *r, const char *want)
{
	struct mdp_route_vhost_conf v = {
		.name = "orders", DOMAINS("*"), .routes = r, .n_routes = 1,
	};
	struct mdp_route_table_conf cfg = { &v, 1 };

	return fails_with(&cfg, want);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

#define H(n, v)	{ n, v, sizeof(n) - 1, sizeof(v) - 1 }

struct rq {
	const char *method;
	const char *authority;
	const char *target;	/* path?query */
	const struct mdp_route_hdr *h;
	unsigned nh;
};

static struct mdp_route_req
mkreq(const struct rq *q)
{
	struct mdp_route_req r = { 0 };
	const char *t = q->target ? q->target : "/";
	const char *qm = strchr(t, '?');

	r.method = q->method ? q->method : "GET";
	r.method_len = (uint16_t)strlen(r.method);
	r.authority = q->authority ? q->authority : "host";
	r.authority_len = (uint16_t)strlen(r.authority);
	r.path = t;
	r.path_len = (uint32_t)(qm ? (size_t)(qm - t) : strlen(t));
	if (qm) {
		r.query = qm + 1;
		r.query_len = (uint32_t)strlen(qm + 1);
	}
	r.hdrs = q->h;
	r.n_hdrs = q->nh;
	return r;
}

/* Index of the matched route, -1 for none. */
static int
match_idx(const struct mdp_route_table *t, unsigned worker, const struct rq *q)
{
	struct mdp_route_req r = mkreq(q);
	const struct mdp_route *m = mdp_route_table_match(t, worker, &r, NULL);

	return m ? (int)m->index : -1;
}

#define M(t, ...)	match_idx(t, 0, &(struct rq){ __VA_ARGS__ })
#define HS(...)                                                          \
	.h = (const struct mdp_route_hdr[]){ __VA_ARGS__ },              \
	.nh = sizeof((struct mdp_route_hdr[]){ __VA_ARGS__ }) /          \
	      sizeof(struct mdp_route_hdr)

/* Name of the vhost chosen for authority a, NULL for none. */
static const char *
vhost_of(const struct mdp_route_table *t, const char *a)
{
	struct mdp_route_req r = mkreq(&(struct rq){ .authority = a });
	const struct mdp_route_vhost *v = (const void *)1;
	const struct mdp_route *m = mdp_route_table_match(t, 0, &r, &v);

	if (v == NULL)
		return m == NULL ? NULL : "?!";
	return v->conf->name;
}

static bool
vh_is(const struct mdp_route_table *t, const char *a, const char *want)
{
	const char *got = vhost_of(t, a);

	if (got == want || (got && want && strcmp(got, want) == 0))
		return true;
	fprintf(stderr, "authority \"%s\": vhost %s, expected %s\n", a,
		got ? got : "(none)", want ? want : "(none)");
	return false;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

static void
test_hash_helpers(void)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ@[`{~\x80\xc1\xda/0129";
	char lo[64], buf[64];
	size_t n = strlen(a);

	for (size_t i = 0; i <= n; i++)
		lo[i] = (char)((a[i] >= 'A' && a[i] <= 'Z') ? a[i] + 32 : a[i]);
	for (size_t i = 0; i + 8 <= n; i++) {
		uint64_t x, y;

		memcpy(&x, a + i, 8);
		memcpy(&y, lo + i, 8);
		CU_ASSERT_EQUAL(rt_lower8(x), y);
	}
	for (size_t l = 0; l <= n; l++) {
		/* same hash whatever the case and whatever can be read past */
		memcpy(buf, a, l);
		CU_ASSERT_EQUAL(rt_hash_lower(a, l, n), rt_hash_lower(lo, l, l));
		CU_ASSERT_EQUAL(rt_hash_lower(buf, l, l), rt_hash_lower(lo, l, n));
		CU_ASSERT_TRUE(rt_eq_lower(lo, a, l));
	}
	CU_ASSERT_NOT_EQUAL(rt_hash_lower("ab", 2, 2), rt_hash_lower("ab\0", 3, 3));
	CU_ASSERT_FALSE(rt_eq_lower("abcdefghi", "abcdefghj", 9));
}

static void
test_vhost_selection(void)
{
	static const struct mdp_route_conf r[] = { ROUTE("r") };
	const struct mdp_route_vhost_conf vh[] = {
		{ .name = "orders", DOMAINS("order-service", "Order-Service.production"),
		  .routes = r, .n_routes = 1 },
		{ .name = "orders8080", DOMAINS("order-service:8080"), .routes = r,
		  .n_routes = 1 },
		{ .name = "ex", DOMAINS("*.example.com"), .routes = r, .n_routes = 1 },
		{ .name = "api", DOMAINS("*.api.example.com", "*-beta.example.org"),
		  .routes = r, .n_routes = 1 },
		{ .name = "inv", DOMAINS("inventory.*"), .routes = r, .n_routes = 1 },
		{ .name = "inv-prod", DOMAINS("inventory.production.*"), .routes = r,
		  .n_routes = 1 },
		{ .name = "v6", DOMAINS("[::1]"), .routes = r, .n_routes = 1 },
		{ .name = "def", DOMAINS("*"), .routes = r, .n_routes = 1 },
	};
	struct mdp_route_table_conf cfg = { vh, N_OF(vh) };
	struct mdp_route_table *t = mdp_route_table_compile(&cfg, 1, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* exact, case-insensitive, port ignored unless the domain has one */
	CU_ASSERT(vh_is(t, "order-service", "orders"));
	CU_ASSERT(vh_is(t, "ORDER-SERVICE", "orders"));
	CU_ASSERT(vh_is(t, "order-service.PRODUCTION", "orders"));
	CU_ASSERT(vh_is(t, "order-service:9090", "orders"));
	CU_ASSERT(vh_is(t, "order-service:", "orders"));
	CU_ASSERT(vh_is(t, "order-service:8080", "orders8080"));
	CU_ASSERT(vh_is(t, "order-servic", "def"));
	/* suffix wildcards: longest first, at least one character */
	CU_ASSERT(vh_is(t, "a.example.com", "ex"));
	CU_ASSERT(vh_is(t, "A.B.Example.COM:443", "ex"));
	CU_ASSERT(vh_is(t, "x.api.example.com", "api"));
	CU_ASSERT(vh_is(t, "api.example.com", "ex"));
	CU_ASSERT(vh_is(t, ".example.com", "def"));
	CU_ASSERT(vh_is(t, "example.com", "def"));
	CU_ASSERT(vh_is(t, "shop-beta.example.org", "api"));
	CU_ASSERT(vh_is(t, "-beta.example.org", "def"));
	/* prefix wildcards: after suffix wildcards, longest first */
	CU_ASSERT(vh_is(t, "inventory.production", "inv"));
	CU_ASSERT(vh_is(t, "inventory.production.svc", "inv-prod"));
	CU_ASSERT(vh_is(t, "inventory.x:80", "inv"));
	CU_ASSERT(vh_is(t, "inventory.", "def"));
	CU_ASSERT(vh_is(t, "inventory.example.com", "ex"));
	/* IP literals: the port follows the ']' */
	CU_ASSERT(vh_is(t, "[::1]", "v6"));
	CU_ASSERT(vh_is(t, "[::1]:8443", "v6"));
	CU_ASSERT(vh_is(t, "[::2]", "def"));
	/* default */
	CU_ASSERT(vh_is(t, "", "def"));
	CU_ASSERT(vh_is(t, "elsewhere", "def"));
	mdp_route_table_free(t);

	/* without a default: no vhost, no route */
	cfg.n_vhosts = N_OF(vh) - 1;
	t = mdp_route_table_compile(&cfg, 1, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(vh_is(t, "elsewhere", NULL));
	CU_ASSERT(vh_is(t, "example.com", NULL));
	CU_ASSERT(vh_is(t, "a.example.com", "ex"));
	mdp_route_table_free(t);

	/* a vhost without routes: found, but no route (404) */
	{
		const struct mdp_route_vhost_conf e = { .name = "empty", DOMAINS("*") };
		struct mdp_route_table_conf c2 = { &e, 1 };
		const struct mdp_route_vhost *v = NULL;
		struct mdp_route_req q = mkreq(&(struct rq){ 0 });

		t = mdp_route_table_compile(&c2, 1, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		CU_ASSERT_PTR_NULL(mdp_route_table_match(t, 0, &q, &v));
		CU_ASSERT_PTR_NOT_NULL(v);
		mdp_route_table_free(t);
	}
}

static void
test_first_match_wins(void)
{
	struct mdp_route_table *t = COMPILE1(
		ROUTE("r0", PATH(PREFIX, "/api"), HDRS({ .name = "x", .kind = MDP_ROUTE_HDR_EXACT, .value = "1" })),
		ROUTE("r1", PATH(PREFIX, "/api/v1")),
		ROUTE("r2", PATH(EXACT, "/api/v1/x")),
		ROUTE("r3", HDRS({ .name = "y", .kind = MDP_ROUTE_HDR_PRESENT })),
		ROUTE("r4", PATH(REGEX, "/a.*")),
		ROUTE("r5"),
		ROUTE("r6", PATH(EXACT, "/never")));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(M(t, .target = "/api/v1/x"), 1);
	CU_ASSERT_EQUAL(M(t, .target = "/api/v1/x", HS(H("x", "1"))), 0);
	CU_ASSERT_EQUAL(M(t, .target = "/api/v1/x", HS(H("x", "2"))), 1);
	CU_ASSERT_EQUAL(M(t, .target = "/api", HS(H("y", ""))), 3);
	CU_ASSERT_EQUAL(M(t, .target = "/api"), 4);
	CU_ASSERT_EQUAL(M(t, .target = "/never"), 5);
	CU_ASSERT_EQUAL(M(t, .target = "/never", HS(H("Y", "1"))), 3);
	mdp_route_table_free(t);

	/* a catch-all first shadows everything */
	t = COMPILE1(ROUTE("all"), ROUTE("x", PATH(EXACT, "/x")));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(M(t, .target = "/x"), 0);
	mdp_route_table_free(t);
}

static void
test_path_kinds(void)
{
	struct mdp_route_table *t = COMPILE1(
		ROUTE("exact", PATH(EXACT, "/Api/Orders")),
		ROUTE("exact-i", IPATH(EXACT, "/api/orders")),
		ROUTE("exact-short", PATH(EXACT, "/a")),
		ROUTE("prefix", PATH(PREFIX, "/static/")),
		ROUTE("prefix-i", IPATH(PREFIX, "/Images/")),
		ROUTE("prefix-noseg", PATH(PREFIX, "/doc")),
		ROUTE("regex", PATH(REGEX, "/users/[0-9]+")),
		ROUTE("regex-i", { .kind = MDP_ROUTE_PATH_REGEX, .value = "/ITEMS/[a-z]+",
				   .ignore_case = true }),
		ROUTE("regex-alt", PATH(REGEX, "/x|/y")),
		ROUTE("long-exact", PATH(EXACT, "/a/very/long/path/to/something/0123456789")),
		ROUTE("same-key-cs", PATH(EXACT, "/Foo")),
		ROUTE("same-key-ci", IPATH(EXACT, "/foo")),
		ROUTE("root", PATH(EXACT, "/")));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(M(t, .target = "/Api/Orders"), 0);
	CU_ASSERT_EQUAL(M(t, .target = "/api/orders"), 1);
	CU_ASSERT_EQUAL(M(t, .target = "/API/ORDERS"), 1);
	CU_ASSERT_EQUAL(M(t, .target = "/api/orders/"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/a"), 2);
	CU_ASSERT_EQUAL(M(t, .target = "/A"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/ab"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/a?x=1"), 2);	/* query excluded */
	CU_ASSERT_EQUAL(M(t, .target = "/static/"), 3);
	CU_ASSERT_EQUAL(M(t, .target = "/static/js/app.js"), 3);
	CU_ASSERT_EQUAL(M(t, .target = "/STATIC/js"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/static"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/images/x.png"), 4);
	CU_ASSERT_EQUAL(M(t, .target = "/IMAGES/x.png"), 4);
	CU_ASSERT_EQUAL(M(t, .target = "/doc"), 5);
	CU_ASSERT_EQUAL(M(t, .target = "/documents/1"), 5);
	CU_ASSERT_EQUAL(M(t, .target = "/users/42"), 6);
	CU_ASSERT_EQUAL(M(t, .target = "/users/42/x"), -1);	/* full match */
	CU_ASSERT_EQUAL(M(t, .target = "/v/users/42"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/users/"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/items/abc"), 7);
	CU_ASSERT_EQUAL(M(t, .target = "/Items/ABC"), 7);
	CU_ASSERT_EQUAL(M(t, .target = "/x"), 8);	/* alternation stays anchored */
	CU_ASSERT_EQUAL(M(t, .target = "/y"), 8);
	CU_ASSERT_EQUAL(M(t, .target = "/xy"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/a/very/long/path/to/something/0123456789"), 9);
	CU_ASSERT_EQUAL(M(t, .target = "/a/very/long/path/to/something/012345678"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/a/very/long/path/to/something/01234567890"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/Foo"), 10);
	CU_ASSERT_EQUAL(M(t, .target = "/FOO"), 11);
	CU_ASSERT_EQUAL(M(t, .target = "/foo"), 11);
	CU_ASSERT_EQUAL(M(t, .target = "/"), 12);
	CU_ASSERT_EQUAL(M(t, .target = "/nothing"), -1);
	mdp_route_table_free(t);

	/* a regex cannot escape its anchoring: "a)|(b" is rejected */
	CU_ASSERT(fails1((const struct mdp_route_conf[]){
		ROUTE("r", PATH(REGEX, "/a)|(/b")) }, "path.regex: hyperscan:"));
	/* "$" before a trailing newline is not an end: \z is used */
	t = COMPILE1(ROUTE("r", PATH(REGEX, "/a")));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(M(t, .target = "/a\n"), -1);
	mdp_route_table_free(t);
}

static void
test_header_kinds(void)
{
	struct mdp_route_table *t = COMPILE1(
		ROUTE("exact", PATH(PREFIX, "/e"),
		      HDRS({ .name = "x-user-group", .kind = MDP_ROUTE_HDR_EXACT, .value = "beta" })),
		ROUTE("prefix", PATH(PREFIX, "/p"),
		      HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_PREFIX, .value = "ab" })),
		ROUTE("suffix", PATH(PREFIX, "/s"),
		      HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_SUFFIX, .value = "yz" })),
		ROUTE("contains", PATH(PREFIX, "/c"),
		      HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_CONTAINS, .value = "mid" })),
		ROUTE("regex", PATH(PREFIX, "/r"),
		      HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_REGEX, .value = "v[0-9]+" })),
		ROUTE("present", PATH(PREFIX, "/pr"),
		      HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_PRESENT })),
		ROUTE("absent", PATH(PREFIX, "/ab"),
		      HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_ABSENT })),
		ROUTE("not-beta", PATH(PREFIX, "/ne"),
		      HDRS({ .name = "x-user-group", .kind = MDP_ROUTE_HDR_EXACT, .value = "beta", .invert = true })),
		ROUTE("not-present", PATH(PREFIX, "/np"),
		      HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_PRESENT, .invert = true })),
		ROUTE("not-regex", PATH(PREFIX, "/nr"),
		      HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_REGEX, .value = "v[0-9]+", .invert = true })),
		ROUTE("all-of", PATH(PREFIX, "/all"),
		      HDRS({ .name = "a", .kind = MDP_ROUTE_HDR_EXACT, .value = "1" }, { .name = "b", .kind = MDP_ROUTE_HDR_CONTAINS, .value = "2" },
			   { .name = "c", .kind = MDP_ROUTE_HDR_ABSENT })),
		ROUTE("empty-exact", PATH(PREFIX, "/ee"),
		      HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_EXACT, .value = "" })),
		ROUTE("empty-prefix", PATH(PREFIX, "/ep"),
		      HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_PREFIX, .value = "" })));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* exact; the name is case-insensitive, the value is not */
	CU_ASSERT_EQUAL(M(t, .target = "/e", HS(H("x-user-group", "beta"))), 0);
	CU_ASSERT_EQUAL(M(t, .target = "/e", HS(H("X-User-Group", "beta"))), 0);
	CU_ASSERT_EQUAL(M(t, .target = "/e", HS(H("x-user-group", "Beta"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/e", HS(H("x-user-group", "beta2"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/e", HS(H("x-user-grou", "beta"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/e"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/p", HS(H("x-h", "abc"))), 1);
	CU_ASSERT_EQUAL(M(t, .target = "/p", HS(H("x-h", "ab"))), 1);
	CU_ASSERT_EQUAL(M(t, .target = "/p", HS(H("x-h", "a"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/s", HS(H("x-h", "xyz"))), 2);
	CU_ASSERT_EQUAL(M(t, .target = "/s", HS(H("x-h", "yza"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/c", HS(H("x-h", "amidst"))), 3);
	CU_ASSERT_EQUAL(M(t, .target = "/c", HS(H("x-h", "mi-d"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/r", HS(H("x-h", "v12"))), 4);
	CU_ASSERT_EQUAL(M(t, .target = "/r", HS(H("x-h", "v12a"))), -1);	/* full */
	CU_ASSERT_EQUAL(M(t, .target = "/r", HS(H("x-h", "av12"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/pr", HS(H("x-h", ""))), 5);
	CU_ASSERT_EQUAL(M(t, .target = "/pr"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/ab"), 6);
	CU_ASSERT_EQUAL(M(t, .target = "/ab", HS(H("X-H", "1"))), -1);
	/* inverted: a missing header makes the inverted rule hold */
	CU_ASSERT_EQUAL(M(t, .target = "/ne", HS(H("x-user-group", "beta"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/ne", HS(H("x-user-group", "alpha"))), 7);
	CU_ASSERT_EQUAL(M(t, .target = "/ne"), 7);
	CU_ASSERT_EQUAL(M(t, .target = "/np"), 8);
	CU_ASSERT_EQUAL(M(t, .target = "/np", HS(H("x-h", "1"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/nr", HS(H("x-h", "v1"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/nr", HS(H("x-h", "w1"))), 9);
	CU_ASSERT_EQUAL(M(t, .target = "/nr"), 9);
	/* every rule must hold */
	CU_ASSERT_EQUAL(M(t, .target = "/all", HS(H("a", "1"), H("b", "123"))), 10);
	CU_ASSERT_EQUAL(M(t, .target = "/all", HS(H("a", "1"), H("b", "13"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/all", HS(H("a", "1"), H("b", "2"), H("c", ""))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/ee", HS(H("x-h", ""))), 11);
	CU_ASSERT_EQUAL(M(t, .target = "/ee", HS(H("x-h", "a"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/ep", HS(H("x-h", "anything"))), 12);
	CU_ASSERT_EQUAL(M(t, .target = "/ep"), -1);
	mdp_route_table_free(t);
}

static void
test_header_multiple_values(void)
{
	struct mdp_route_table *t = COMPILE1(
		ROUTE("exact", PATH(PREFIX, "/e"), HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_EXACT, .value = "a,b" })),
		ROUTE("exact-a", PATH(PREFIX, "/1"), HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_EXACT, .value = "a" })),
		ROUTE("prefix", PATH(PREFIX, "/p"), HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_PREFIX, .value = "ab,c" })),
		ROUTE("suffix", PATH(PREFIX, "/s"), HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_SUFFIX, .value = "b,cd" })),
		ROUTE("contains", PATH(PREFIX, "/c"), HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_CONTAINS, .value = "b,c" })),
		ROUTE("regex", PATH(PREFIX, "/r"), HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_REGEX, .value = "[a-z]+(,[a-z]+)*" })),
		ROUTE("regex-one", PATH(PREFIX, "/o"), HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_REGEX, .value = "[a-z]+" })),
		ROUTE("not-a", PATH(PREFIX, "/n"),
		      HDRS({ .name = "x-h", .kind = MDP_ROUTE_HDR_EXACT, .value = "a", .invert = true })));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* the values joined with "," in order */
	CU_ASSERT_EQUAL(M(t, .target = "/e", HS(H("x-h", "a"), H("X-H", "b"))), 0);
	CU_ASSERT_EQUAL(M(t, .target = "/e", HS(H("x-h", "a,b"))), 0);
	CU_ASSERT_EQUAL(M(t, .target = "/e", HS(H("x-h", "b"), H("x-h", "a"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/e", HS(H("x-h", "a"), H("other", "z"), H("x-h", "b"))), 0);
	CU_ASSERT_EQUAL(M(t, .target = "/1", HS(H("x-h", "a"), H("x-h", "b"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/1", HS(H("x-h", "a"), H("x-h", ""))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/p", HS(H("x-h", "ab"), H("x-h", "cd"))), 2);
	CU_ASSERT_EQUAL(M(t, .target = "/p", HS(H("x-h", "a"), H("x-h", "b,c"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/p", HS(H("x-h", "ab"), H("x-h", "c"))), 2);
	CU_ASSERT_EQUAL(M(t, .target = "/p", HS(H("x-h", "ab"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/s", HS(H("x-h", "ab"), H("x-h", "cd"))), 3);
	CU_ASSERT_EQUAL(M(t, .target = "/s", HS(H("x-h", "b"), H("x-h", "c"), H("x-h", "cd"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/s", HS(H("x-h", ""), H("x-h", "b"), H("x-h", "cd"))), 3);
	CU_ASSERT_EQUAL(M(t, .target = "/c", HS(H("x-h", "ab"), H("x-h", "cd"))), 4);
	CU_ASSERT_EQUAL(M(t, .target = "/c", HS(H("x-h", "ab"), H("x-h", "d"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/r", HS(H("x-h", "ab"), H("x-h", "cd"))), 5);
	CU_ASSERT_EQUAL(M(t, .target = "/r", HS(H("x-h", "ab"), H("x-h", ""))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/o", HS(H("x-h", "ab"), H("x-h", "cd"))), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/o", HS(H("x-h", "ab"))), 6);
	CU_ASSERT_EQUAL(M(t, .target = "/n", HS(H("x-h", "a"), H("x-h", "a"))), 7);
	CU_ASSERT_EQUAL(M(t, .target = "/n", HS(H("x-h", "a"))), -1);

	/* more values than MDP_ROUTE_MAX_VALUES fail the rule, even inverted */
	{
		static struct mdp_route_hdr many[MDP_ROUTE_MAX_VALUES + 1];

		for (unsigned i = 0; i < N_OF(many); i++)
			many[i] = (struct mdp_route_hdr)H("x-h", "a");
		CU_ASSERT_EQUAL(M(t, .target = "/n", .h = many, .nh = MDP_ROUTE_MAX_VALUES),
				7);
		CU_ASSERT_EQUAL(M(t, .target = "/n", .h = many, .nh = N_OF(many)), -1);
	}
	mdp_route_table_free(t);
}

static void
test_query_and_method(void)
{
	struct mdp_route_table *t = COMPILE1(
		ROUTE("q-exact", PATH(PREFIX, "/qe"), QRYS({ .name = "debug", .kind = MDP_ROUTE_QUERY_EXACT, .value = "1" })),
		ROUTE("q-prefix", PATH(PREFIX, "/qp"), QRYS({ .name = "v", .kind = MDP_ROUTE_QUERY_PREFIX, .value = "2." })),
		ROUTE("q-regex", PATH(PREFIX, "/qr"), QRYS({ .name = "id", .kind = MDP_ROUTE_QUERY_REGEX, .value = "[0-9]{3}" })),
		ROUTE("q-present", PATH(PREFIX, "/qs"), QRYS({ .name = "flag", .kind = MDP_ROUTE_QUERY_PRESENT })),
		ROUTE("q-not", PATH(PREFIX, "/qn"),
		      QRYS({ .name = "debug", .kind = MDP_ROUTE_QUERY_EXACT, .value = "1", .invert = true })),
		ROUTE("get-head", PATH(PREFIX, "/m"), METHODS("GET", "HEAD")),
		ROUTE("purge", PATH(PREFIX, "/m"), METHODS("PURGE", "POST")),
		ROUTE("all", PATH(PREFIX, "/both"), METHODS("DELETE"),
		      QRYS({ .name = "a", .kind = MDP_ROUTE_QUERY_EXACT, .value = "1" }, { .name = "b", .kind = MDP_ROUTE_QUERY_PRESENT }),
		      HDRS({ .name = "h", .kind = MDP_ROUTE_HDR_PRESENT })));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(M(t, .target = "/qe?debug=1"), 0);
	CU_ASSERT_EQUAL(M(t, .target = "/qe?x=2&debug=1"), 0);
	CU_ASSERT_EQUAL(M(t, .target = "/qe?x=2&debug=1&y"), 0);
	CU_ASSERT_EQUAL(M(t, .target = "/qe?debug=2&debug=1"), -1);	/* first only */
	CU_ASSERT_EQUAL(M(t, .target = "/qe?debug=1&debug=2"), 0);
	CU_ASSERT_EQUAL(M(t, .target = "/qe?Debug=1"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/qe?debug=%31"), -1);	/* raw */
	CU_ASSERT_EQUAL(M(t, .target = "/qe?xdebug=1"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/qe?debug=10"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/qe"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/qp?v=2.1"), 1);
	CU_ASSERT_EQUAL(M(t, .target = "/qp?v=1.2"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/qr?id=123"), 2);
	CU_ASSERT_EQUAL(M(t, .target = "/qr?id=1234"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/qr?id="), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/qs?flag"), 3);
	CU_ASSERT_EQUAL(M(t, .target = "/qs?a=1&flag="), 3);
	CU_ASSERT_EQUAL(M(t, .target = "/qs?flags"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/qs?"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/qn?debug=1"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/qn?debug=0"), 4);
	CU_ASSERT_EQUAL(M(t, .target = "/qn"), 4);
	/* methods: case-sensitive, known ones and extensions */
	CU_ASSERT_EQUAL(M(t, .method = "GET", .target = "/m"), 5);
	CU_ASSERT_EQUAL(M(t, .method = "HEAD", .target = "/m"), 5);
	CU_ASSERT_EQUAL(M(t, .method = "POST", .target = "/m"), 6);
	CU_ASSERT_EQUAL(M(t, .method = "PURGE", .target = "/m"), 6);
	CU_ASSERT_EQUAL(M(t, .method = "PURGEX", .target = "/m"), -1);
	CU_ASSERT_EQUAL(M(t, .method = "get", .target = "/m"), -1);
	CU_ASSERT_EQUAL(M(t, .method = "PUT", .target = "/m"), -1);
	CU_ASSERT_EQUAL(M(t, .method = "DELETE", .target = "/both?a=1&b", HS(H("h", ""))), 7);
	CU_ASSERT_EQUAL(M(t, .method = "DELETE", .target = "/both?a=1&b"), -1);
	CU_ASSERT_EQUAL(M(t, .method = "DELETE", .target = "/both?a=1", HS(H("h", ""))), -1);
	CU_ASSERT_EQUAL(M(t, .method = "GET", .target = "/both?a=1&b", HS(H("h", ""))), -1);
	mdp_route_table_free(t);
}

static void
test_errors(void)
{
	/* Hyperscan messages, with vhost, route index and name, and field */
	{
		const struct mdp_route_conf r[] = {
			ROUTE("alpha"), ROUTE(NULL), ROUTE(NULL), ROUTE("beta",
			HDRS({ .name = "x-user-group", .kind = MDP_ROUTE_HDR_EXACT, .value = "b" },
			     { .name = "x-v", .kind = MDP_ROUTE_HDR_REGEX, .value = "v(" })),
		};
		const struct mdp_route_vhost_conf v = { .name = "orders", DOMAINS("*"),
							.routes = r, .n_routes = 4 };
		struct mdp_route_table_conf cfg = { &v, 1 };

		CU_ASSERT(fails_with(&cfg, "vhost \"orders\" route 3 (\"beta\"): "
				     "headers[1].regex: hyperscan: "));
	}
	CU_ASSERT(fails1((const struct mdp_route_conf[]){
		ROUTE(NULL, PATH(REGEX, "/a[")) },
		"vhost \"orders\" route 0: path.regex: hyperscan: "));
	CU_ASSERT(fails1((const struct mdp_route_conf[]){
		ROUTE("q", QRYS({ .name = "id", .kind = MDP_ROUTE_QUERY_REGEX, .value = "(?<=x)y" })) },
		"route 0 (\"q\"): queries[0].regex: hyperscan: "));
	CU_ASSERT(fails1((const struct mdp_route_conf[]){
		ROUTE("r", PATH(REGEX, "/(a)\\1")) }, "path.regex: hyperscan: "));

	/* duplicate domains */
	{
		static const struct mdp_route_conf r[] = { ROUTE("r") };
		struct mdp_route_vhost_conf vh[] = {
			{ .name = "shop", DOMAINS("a", "*.example.com"), .routes = r, .n_routes = 1 },
			{ .name = "orders", DOMAINS("b", "*.EXAMPLE.com"), .routes = r, .n_routes = 1 },
		};
		struct mdp_route_table_conf cfg = { vh, 2 };

		CU_ASSERT(fails_with(&cfg, "vhost \"orders\": domains[1] \"*.EXAMPLE.com\": "
				     "also in vhost \"shop\""));
		vh[1].domains = (const char *const[]){ "b", "B" };
		CU_ASSERT(fails_with(&cfg, "vhost \"orders\": domains[1] \"B\": listed twice"));
		vh[0].domains = (const char *const[]){ "*", "x" };
		vh[1].domains = (const char *const[]){ "*", "y" };
		CU_ASSERT(fails_with(&cfg, "vhost \"orders\": domains[0] \"*\": also in vhost \"shop\""));
		vh[1].domains = (const char *const[]){ "*.x.com:80", "y" };
		CU_ASSERT(fails_with(&cfg, "domains[0] \"*.x.com:80\": a wildcard domain cannot have a port"));
		vh[1].domains = (const char *const[]){ "a.*.com", "y" };
		CU_ASSERT(fails_with(&cfg, "domains[0] \"a.*.com\": '*' only"));
		vh[1].domains = (const char *const[]){ "a b" };
		vh[1].n_domains = 1;
		CU_ASSERT(fails_with(&cfg, "domains[0] \"a b\": not an authority"));
		vh[1].domains = (const char *const[]){ "c" };
		vh[1].name = "shop";
		CU_ASSERT(fails_with(&cfg, "vhosts[0]"));
		vh[1].name = NULL;
		CU_ASSERT(fails_with(&cfg, "vhosts[1]: name: missing"));
	}

	/* fields */
	CU_ASSERT(fails1((const struct mdp_route_conf[]){
		ROUTE("r", PATH(PREFIX, "api")) }, "route 0 (\"r\"): path.prefix: not a path"));
	CU_ASSERT(fails1((const struct mdp_route_conf[]){
		ROUTE("r", PATH(EXACT, NULL)) }, "path.exact: not a path"));
	CU_ASSERT(fails1((const struct mdp_route_conf[]){
		ROUTE("r", HDRS({ .name = "bad name", .kind = MDP_ROUTE_HDR_PRESENT })) },
		"headers[0].name: not a header name"));
	CU_ASSERT(fails1((const struct mdp_route_conf[]){
		ROUTE("r", HDRS({ .name = "x", .kind = MDP_ROUTE_HDR_SUFFIX, .value = NULL })) },
		"headers[0].suffix: missing"));
	CU_ASSERT(fails1((const struct mdp_route_conf[]){
		ROUTE("r", QRYS({ .name = "a=b", .kind = MDP_ROUTE_QUERY_PRESENT })) }, "queries[0].name"));
	CU_ASSERT(fails1((const struct mdp_route_conf[]){
		ROUTE("r", METHODS("GET", "BAD METHOD")) }, "methods[1]: not a method token"));
	{
		struct mdp_route_conf r = ROUTE("w");
		static const struct mdp_route_cluster_weight zero[] = { { "a", 0 }, { "b", 0 } };
		static const struct mdp_route_cluster_weight big[] = { { "a", UINT32_MAX }, { "b", 1 } };

		r.action.forward.clusters = zero;
		r.action.forward.n_clusters = 2;
		CU_ASSERT(fails1(&r, "route 0 (\"w\"): clusters: the weights add up to 0"));
		r.action.forward.clusters = big;
		CU_ASSERT(fails1(&r, "clusters: the weights add up to 4294967296"));
		r.action.forward.n_clusters = 0;
		CU_ASSERT(fails1(&r, "clusters: 0 entries"));
		r.action.forward.n_clusters = MDP_ROUTE_MAX_CLUSTERS + 1;
		CU_ASSERT(fails1(&r, "clusters: 65 entries"));
		r.action.forward = (struct mdp_route_forward){
			.clusters = one_cluster, .n_clusters = 1, .prefix_rewrite = "/v2/" };
		CU_ASSERT(fails1(&r, "prefix_rewrite: needs an exact or prefix path match"));
		r.action.forward.prefix_rewrite = NULL;
		r.action.forward.req_set = (const struct mdp_route_header_value[]){
			{ "x-a", "1\r\nx-injected: 1" } };
		r.action.forward.n_req_set = 1;
		CU_ASSERT(fails1(&r, "request_headers_set[0].value"));
		r.action.forward.n_req_set = 0;
		r.action.forward.resp_remove = (const char *const[]){ "ok", "" };
		r.action.forward.n_resp_remove = 2;
		CU_ASSERT(fails1(&r, "response_headers_remove[1]: not a header name"));
		r.action.forward.n_resp_remove = 0;
		r.action.forward.host_rewrite = "a/b";
		CU_ASSERT(fails1(&r, "host_rewrite: not an authority"));

		r.action.kind = MDP_ROUTE_ACT_REDIRECT;
		r.action.redirect = (struct mdp_route_redirect){ .code = 300 };
		CU_ASSERT(fails1(&r, "redirect.code: 300"));
		r.action.redirect = (struct mdp_route_redirect){ .path = "/a", .prefix_rewrite = "/b" };
		CU_ASSERT(fails1(&r, "redirect: path and prefix_rewrite exclude each other"));
		r.action.redirect = (struct mdp_route_redirect){ .scheme = "ht tp" };
		CU_ASSERT(fails1(&r, "redirect.scheme"));
		r.action.kind = MDP_ROUTE_ACT_DIRECT;
		r.action.direct = (struct mdp_route_direct){ .status = 99 };
		CU_ASSERT(fails1(&r, "direct.status: 99"));
		r.action.kind = (enum mdp_route_action_kind)7;
		CU_ASSERT(fails1(&r, "action: unknown kind 7"));
	}
	/* workers */
	{
		struct mdp_route_table_conf cfg = { NULL, 0 };

		CU_ASSERT_PTR_NULL(mdp_route_table_compile(&cfg, 0, err, sizeof(err)));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "workers"));
	}
}

static void
test_pick_cluster(void)
{
	static const struct mdp_route_cluster_weight canary[] = { { "v1", 90 }, { "v2", 10 } };
	static struct mdp_route_cluster_weight many[20];
	struct mdp_route_conf r[] = {
		{ .name = "canary", .action = { .kind = MDP_ROUTE_ACT_CLUSTERS,
			.forward = { .clusters = canary, .n_clusters = 2 } } },
		{ .name = "many", .action = { .kind = MDP_ROUTE_ACT_CLUSTERS,
			.forward = { .clusters = many, .n_clusters = N_OF(many) } } },
		{ .name = "zero", .action = { .kind = MDP_ROUTE_ACT_CLUSTERS,
			.forward = { .clusters = (const struct mdp_route_cluster_weight[]){
				{ "a", 0 }, { "b", 3 }, { "c", 0 }, { "d", 1 }, { "e", 0 } },
				.n_clusters = 5 } } },
	};
	struct mdp_route_table *t;
	const struct mdp_route_vhost *v;
	struct mdp_rand rnd;
	unsigned cnt[20] = { 0 };
	uint32_t total = 0;

	for (unsigned i = 0; i < N_OF(many); i++) {
		many[i] = (struct mdp_route_cluster_weight){ "m", i % 3 == 1 ? 0 : i + 1 };
		total += many[i].weight;
	}
	t = compile1(r, N_OF(r));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	v = mdp_route_table_vhost(t, 0);

	/* 90/10 over 1e6 uniform inputs: within 0.2 percentage points */
	mdp_rand_seed(&rnd, 42);
	for (unsigned i = 0; i < 1000000; i++)
		cnt[mdp_route_pick_cluster(&v->routes[0], mdp_rand_next(&rnd))]++;
	CU_ASSERT(cnt[0] > 898000 && cnt[0] < 902000);
	CU_ASSERT_EQUAL(cnt[0] + cnt[1], 1000000);
	/* exact over one period of rnd % total */
	memset(cnt, 0, sizeof(cnt));
	for (uint64_t x = 0; x < 100; x++)
		cnt[mdp_route_pick_cluster(&v->routes[0], x + 100 * 12345)]++;
	CU_ASSERT_EQUAL(cnt[0], 90);
	CU_ASSERT_EQUAL(cnt[1], 10);

	/* 20 entries (binary search), some of weight 0: exact shares */
	memset(cnt, 0, sizeof(cnt));
	for (uint64_t x = 0; x < total; x++)
		cnt[mdp_route_pick_cluster(&v->routes[1], x)]++;
	for (unsigned i = 0; i < N_OF(many); i++)
		CU_ASSERT_EQUAL(cnt[i], many[i].weight);
	memset(cnt, 0, sizeof(cnt));
	for (uint64_t x = 0; x < 4; x++)
		cnt[mdp_route_pick_cluster(&v->routes[2], x)]++;
	CU_ASSERT(cnt[0] == 0 && cnt[1] == 3 && cnt[2] == 0 && cnt[3] == 1 && cnt[4] == 0);
	CU_ASSERT_EQUAL(mdp_route_pick_cluster(&v->routes[2], UINT64_MAX), 3);	/* % 4 = 3 */
	mdp_route_table_free(t);
}

static int
resolve(void *ctx, const char *name, uint32_t *idx)
{
	static const char *const known[] = { "order-v1", "order-v2", "c" };

	(void)ctx;
	for (uint32_t i = 0; i < N_OF(known); i++)
		if (strcmp(known[i], name) == 0) {
			*idx = i;
			return 0;
		}
	return -ENOENT;
}

static void
test_actions_intact(void)
{
	char body[] = "maintenance";
	char cl1[] = "order-v1";
	struct mdp_route_cluster_weight cw[] = { { cl1, 90 }, { "order-v2", 10 } };
	struct mdp_route_conf r[] = {
		{ .name = "canary", .match = { PATH(PREFIX, "/orders/") },
		  .action = { .kind = MDP_ROUTE_ACT_CLUSTERS, .forward = {
			.clusters = cw, .n_clusters = 2, .prefix_rewrite = "/",
			.host_rewrite = "orders.internal",
			.req_add = (const struct mdp_route_header_value[]){ { "x-a", "1" } },
			.n_req_add = 1,
			.req_set = (const struct mdp_route_header_value[]){ { "x-s", "2" } },
			.n_req_set = 1,
			.req_remove = (const char *const[]){ "x-r" }, .n_req_remove = 1,
			.resp_add = (const struct mdp_route_header_value[]){ { "x-ra", "3" } },
			.n_resp_add = 1,
			.resp_set = (const struct mdp_route_header_value[]){ { "x-rs", "4" } },
			.n_resp_set = 1,
			.resp_remove = (const char *const[]){ "server", "x-powered-by" },
			.n_resp_remove = 2,
			.timeout_ms = 10000,
			.retry = { 3, 2000, 0x15 } } } },
		{ .name = "direct", .match = { PATH(EXACT, "/maint") },
		  .action = { .kind = MDP_ROUTE_ACT_DIRECT, .direct = {
			.status = 503, .body = body, .content_type = "text/plain" } } },
		{ .name = "redirect", .match = { PATH(PREFIX, "/old/") },
		  .action = { .kind = MDP_ROUTE_ACT_REDIRECT, .redirect = {
			.scheme = "https", .host = "new.example.com:8443",
			.prefix_rewrite = "/new/", .code = 308, .strip_query = true } } },
		{ .name = "redirect-default", .match = { PATH(EXACT, "/x") },
		  .action = { .kind = MDP_ROUTE_ACT_REDIRECT, .redirect = { .path = "/y?z=1" } } },
		{ .name = "unknown-cluster", .match = { PATH(EXACT, "/u") },
		  .action = { .kind = MDP_ROUTE_ACT_CLUSTERS, .forward = {
			.clusters = (const struct mdp_route_cluster_weight[]){ { "c", 1 }, { "order-v3", 1 } },
			.n_clusters = 2 } } },
	};
	struct mdp_route_table *t = compile1(r, N_OF(r));
	const struct mdp_route *m;
	const struct mdp_route_forward *f;
	const struct mdp_route_vhost *v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* the table copied every string: scribble over the input */
	memset(body, 'X', sizeof(body) - 1);
	memset(cl1, 'X', sizeof(cl1) - 1);
	cw[0].weight = 1;

	m = &mdp_route_table_vhost(t, 0)->routes[0];
	CU_ASSERT_EQUAL(M(t, .target = "/orders/1"), 0);
	CU_ASSERT_EQUAL(m->conf->action.kind, MDP_ROUTE_ACT_CLUSTERS);
	f = &m->conf->action.forward;
	CU_ASSERT_EQUAL(m->n_clusters, 2);
	CU_ASSERT_STRING_EQUAL(m->clusters[0].name, "order-v1");
	CU_ASSERT_EQUAL(m->clusters[0].weight, 90);
	CU_ASSERT_EQUAL(m->clusters[1].cluster_idx, MDP_ROUTE_CLUSTER_UNBOUND);
	CU_ASSERT_STRING_EQUAL(f->clusters[0].name, "order-v1");
	CU_ASSERT_EQUAL(f->clusters[0].weight, 90);
	CU_ASSERT_STRING_EQUAL(f->prefix_rewrite, "/");
	CU_ASSERT_STRING_EQUAL(f->host_rewrite, "orders.internal");
	CU_ASSERT_STRING_EQUAL(f->req_add[0].name, "x-a");
	CU_ASSERT_STRING_EQUAL(f->req_add[0].value, "1");
	CU_ASSERT_STRING_EQUAL(f->req_set[0].value, "2");
	CU_ASSERT_STRING_EQUAL(f->req_remove[0], "x-r");
	CU_ASSERT_STRING_EQUAL(f->resp_add[0].value, "3");
	CU_ASSERT_STRING_EQUAL(f->resp_set[0].name, "x-rs");
	CU_ASSERT_STRING_EQUAL(f->resp_remove[1], "x-powered-by");
	CU_ASSERT_EQUAL(f->timeout_ms, 10000);
	CU_ASSERT_EQUAL(f->retry.attempts, 3);
	CU_ASSERT_EQUAL(f->retry.per_try_timeout_ms, 2000);
	CU_ASSERT_EQUAL(f->retry.retry_on, 0x15);
	CU_ASSERT_PTR_NOT_EQUAL(f->clusters, cw);

	CU_ASSERT_EQUAL(M(t, .target = "/maint"), 1);
	m = &mdp_route_table_vhost(t, 0)->routes[1];
	CU_ASSERT_EQUAL(m->conf->action.kind, MDP_ROUTE_ACT_DIRECT);
	CU_ASSERT_EQUAL(m->conf->action.direct.status, 503);
	CU_ASSERT_STRING_EQUAL(m->conf->action.direct.body, "maintenance");
	CU_ASSERT_STRING_EQUAL(m->conf->action.direct.content_type, "text/plain");
	CU_ASSERT_EQUAL(m->n_clusters, 0);

	CU_ASSERT_EQUAL(M(t, .target = "/old/a"), 2);
	m = &mdp_route_table_vhost(t, 0)->routes[2];
	CU_ASSERT_EQUAL(m->conf->action.kind, MDP_ROUTE_ACT_REDIRECT);
	CU_ASSERT_STRING_EQUAL(m->conf->action.redirect.scheme, "https");
	CU_ASSERT_STRING_EQUAL(m->conf->action.redirect.host, "new.example.com:8443");
	CU_ASSERT_STRING_EQUAL(m->conf->action.redirect.prefix_rewrite, "/new/");
	CU_ASSERT_PTR_NULL(m->conf->action.redirect.path);
	CU_ASSERT_EQUAL(m->conf->action.redirect.code, 308);
	CU_ASSERT_TRUE(m->conf->action.redirect.strip_query);
	m = &mdp_route_table_vhost(t, 0)->routes[3];
	CU_ASSERT_EQUAL(m->conf->action.redirect.code, 301);
	CU_ASSERT_STRING_EQUAL(m->conf->action.redirect.path, "/y?z=1");

	/* binding cluster names */
	CU_ASSERT_EQUAL(mdp_route_table_bind(t, resolve, NULL, err, sizeof(err)), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "vhost \"v\" route 4 (\"unknown-cluster\"): clusters[1]: "
			       "unknown cluster \"order-v3\"");
	m = &mdp_route_table_vhost(t, 0)->routes[0];
	CU_ASSERT_EQUAL(m->clusters[0].cluster_idx, 0);
	CU_ASSERT_EQUAL(m->clusters[1].cluster_idx, 1);

	/* introspection */
	CU_ASSERT_EQUAL(mdp_route_table_n_vhosts(t), 1);
	CU_ASSERT_PTR_NULL(mdp_route_table_vhost(t, 1));
	v = mdp_route_table_vhost(t, 0);
	CU_ASSERT_EQUAL(v->n_routes, N_OF(r));
	CU_ASSERT_PTR_EQUAL(mdp_route_table_conf(t)->vhosts[0].routes, v->conf->routes);
	CU_ASSERT_STRING_EQUAL(v->conf->domains[0], "*");
	CU_ASSERT_STRING_EQUAL(v->routes[2].conf->name, "redirect");
	CU_ASSERT_EQUAL(v->routes[2].conf->match.path.kind, MDP_ROUTE_PATH_PREFIX);
	CU_ASSERT_STRING_EQUAL(v->routes[2].conf->match.path.value, "/old/");
	CU_ASSERT_PTR_EQUAL(v->routes[2].vhost, v);
	mdp_route_table_free(t);

	/* kind names */
	CU_ASSERT_STRING_EQUAL(mdp_route_header_kind_name(MDP_ROUTE_HDR_CONTAINS), "contains");
	CU_ASSERT_EQUAL(mdp_route_header_kind_from_name("absent"), MDP_ROUTE_HDR_ABSENT);
	CU_ASSERT_EQUAL(mdp_route_path_kind_from_name("regex"), MDP_ROUTE_PATH_REGEX);
	CU_ASSERT_EQUAL(mdp_route_query_kind_from_name("present"), MDP_ROUTE_QUERY_PRESENT);
	CU_ASSERT_EQUAL(mdp_route_action_kind_from_name("redirect"), MDP_ROUTE_ACT_REDIRECT);
	CU_ASSERT_EQUAL(mdp_route_action_kind_from_name("nope"), -1);
	CU_ASSERT_STRING_EQUAL(mdp_route_path_kind_name((enum mdp_route_path_kind)9), "?");
}

/* n routes, one in 50 a regex, one in 7 with a header rule, the rest
 * exact paths and prefixes; the last route an exact path. */
static struct mdp_route_conf *
gen_routes(unsigned n, char ***strs)
{
	struct mdp_route_conf *r = calloc(n, sizeof(*r));
	char **s = calloc(n, sizeof(*s));
	static const struct mdp_route_header_match beta[] = {
		{ "x-user-group", MDP_ROUTE_HDR_EXACT, "beta", false } };

	for (unsigned i = 0; i < n; i++) {
		s[i] = malloc(64);
		r[i].action.kind = MDP_ROUTE_ACT_CLUSTERS;
		r[i].action.forward.clusters = one_cluster;
		r[i].action.forward.n_clusters = 1;
		if (i % 50 == 25) {
			snprintf(s[i], 64, "/users/[0-9]+/orders/%u", i);
			r[i].match.path.kind = MDP_ROUTE_PATH_REGEX;
		} else if (i % 2 == 0 || i == n - 1) {
			snprintf(s[i], 64, "/api/v1/items/%u", i);
			r[i].match.path.kind = MDP_ROUTE_PATH_EXACT;
		} else {
			snprintf(s[i], 64, "/svc%u/", i);
			r[i].match.path.kind = MDP_ROUTE_PATH_PREFIX;
		}
		r[i].match.path.value = s[i];
		if (i % 7 == 3 && i != n - 1) {
			r[i].match.headers = beta;
			r[i].match.n_headers = 1;
		}
	}
	*strs = s;
	return r;
}

static void
test_many_routes(void)
{
	unsigned n = 10000;
	char **s, path[64];
	struct mdp_route_conf *r = gen_routes(n, &s);
	struct mdp_route_table *t = compile1(r, n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	snprintf(path, sizeof(path), "/api/v1/items/%u", n - 1);
	CU_ASSERT_EQUAL(M(t, .target = path), (int)n - 1);
	CU_ASSERT_EQUAL(M(t, .target = "/api/v1/items/x"), -1);
	CU_ASSERT_EQUAL(M(t, .target = "/svc"), -1);
	for (unsigned i = 0; i < n; i += 13) {
		int want = (int)i;

		if (i % 50 == 25)
			snprintf(path, sizeof(path), "/users/%u/orders/%u", i * 7, i);
		else if (i % 2 == 0 || i == n - 1)
			snprintf(path, sizeof(path), "/api/v1/items/%u", i);
		else
			snprintf(path, sizeof(path), "/svc%u/a/b", i);
		if (i % 7 == 3 && i != n - 1) {
			CU_ASSERT_EQUAL(M(t, .target = path, HS(H("x-user-group", "beta"))), want);
			want = -1;
		}
		CU_ASSERT_EQUAL(M(t, .target = path), want);
	}
	mdp_route_table_free(t);
	for (unsigned i = 0; i < n; i++)
		free(s[i]);
	free(s);
	free(r);
}

/* Many candidates at once (the bitset sort) and the limit. */
static void
test_many_candidates(void)
{
	enum { N = 300 };
	struct mdp_route_conf *r = calloc(N + 1, sizeof(*r));
	struct mdp_route_header_match *h = calloc(N, sizeof(*h));
	char (*v)[16] = calloc(N, sizeof(*v));
	struct mdp_route_table *t;

	for (unsigned i = 0; i < N; i++) {
		snprintf(v[i], sizeof(v[i]), "%u", i);
		h[i] = (struct mdp_route_header_match){ "x-n", MDP_ROUTE_HDR_EXACT, v[i], false };
		r[i].match.path.kind = i % 3 == 0 ? MDP_ROUTE_PATH_PREFIX :
				       i % 3 == 1 ? MDP_ROUTE_PATH_REGEX : MDP_ROUTE_PATH_ANY;
		r[i].match.path.value = i % 3 == 0 ? "/" : "/.*";
		r[i].match.headers = &h[i];
		r[i].match.n_headers = 1;
		r[i].action.kind = MDP_ROUTE_ACT_DIRECT;
		r[i].action.direct.status = 200;
	}
	r[N].match.path = (struct mdp_route_path_match){ MDP_ROUTE_PATH_PREFIX, "/z", false };
	r[N].action.kind = MDP_ROUTE_ACT_DIRECT;
	r[N].action.direct.status = 200;
	t = compile1(r, N + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (unsigned i = 0; i < N; i += 7) {
		struct mdp_route_hdr hd = { "x-n", v[i], 3, (uint32_t)strlen(v[i]) };

		CU_ASSERT_EQUAL(M(t, .target = "/a", .h = &hd, .nh = 1), (int)i);
		CU_ASSERT_EQUAL(M(t, .target = "/zz", .h = &hd, .nh = 1), (int)i);
	}
	CU_ASSERT_EQUAL(M(t, .target = "/zz"), N);
	CU_ASSERT_EQUAL(M(t, .target = "/a"), -1);
	mdp_route_table_free(t);
	free(r);
	free(h);
	free(v);
}

/* The per-worker generation wraps without stale results. */
static void
test_generation_wrap(void)
{
	struct mdp_route_table *t = COMPILE1(
		ROUTE("rx", PATH(PREFIX, "/"), HDRS({ .name = "x", .kind = MDP_ROUTE_HDR_REGEX, .value = "a+" })),
		ROUTE("other", PATH(PREFIX, "/")));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	t->w[0]->gen = UINT32_MAX - 2;
	for (int i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(M(t, .target = "/", HS(H("x", "aaa"))), 0);
		CU_ASSERT_EQUAL(M(t, .target = "/", HS(H("x", "b"))), 1);
		CU_ASSERT_EQUAL(M(t, .target = "/"), 1);
	}
	CU_ASSERT(t->w[0]->gen > 0 && t->w[0]->gen < 100);
	mdp_route_table_free(t);
}

struct thr {
	const struct mdp_route_table *t;
	unsigned worker;
	unsigned errors;
};

static void *
thr_main(void *arg)
{
	struct thr *a = arg;
	char path[64], val[16];

	for (unsigned i = 0; i < 20000; i++) {
		unsigned k = (i * 7 + a->worker * 3) % 40;
		struct mdp_route_hdr h[] = {
			{ "x-user-group", val, 12, 0 },
			{ "x-v", "v123", 3, 4 },
		};
		struct mdp_route_req q = { 0 };
		const struct mdp_route *m;
		int want;

		snprintf(val, sizeof(val), "%s", (i + a->worker) % 2 ? "beta" : "alpha");
		h[0].value_len = (uint32_t)strlen(val);
		snprintf(path, sizeof(path), "/users/%u/orders", k);
		q.method = "GET";
		q.method_len = 3;
		q.authority = "order-service";
		q.authority_len = 13;
		q.path = path;
		q.path_len = (uint32_t)strlen(path);
		q.hdrs = h;
		q.n_hdrs = 2;
		m = mdp_route_table_match(a->t, a->worker, &q, NULL);
		want = (i + a->worker) % 2 ? 0 : 1;
		if (m == NULL || (int)m->index != want)
			a->errors++;
	}
	return NULL;
}

static void
test_threads(void)
{
	const struct mdp_route_conf r[] = {
		ROUTE("beta", PATH(REGEX, "/users/[0-9]+/orders"),
		      HDRS({ .name = "x-user-group", .kind = MDP_ROUTE_HDR_REGEX, .value = "beta|gamma" },
			   { .name = "x-v", .kind = MDP_ROUTE_HDR_CONTAINS, .value = "12" })),
		ROUTE("rest", PATH(REGEX, "/users/.*")),
	};
	const struct mdp_route_vhost_conf v = { .name = "orders", DOMAINS("order-service"),
						.routes = r, .n_routes = 2 };
	struct mdp_route_table_conf cfg = { &v, 1 };
	struct mdp_route_table *t = mdp_route_table_compile(&cfg, 2, err, sizeof(err));
	struct thr a[2] = { { t, 0, 0 }, { t, 1, 0 } };
	pthread_t th[2];

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(pthread_create(&th[i], NULL, thr_main, &a[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_EQUAL(a[0].errors, 0);
	CU_ASSERT_EQUAL(a[1].errors, 0);
	mdp_route_table_free(t);
}

static CU_TestInfo tests[] = {
	{ "case-insensitive hashing helpers", test_hash_helpers },
	{ "vhost selection: exact, port, wildcards, default", test_vhost_selection },
	{ "first match wins", test_first_match_wins },
	{ "path kinds", test_path_kinds },
	{ "header kinds and inversion", test_header_kinds },
	{ "header with several values (joined with ',')", test_header_multiple_values },
	{ "query parameters and methods", test_query_and_method },
	{ "errors name vhost, route and field", test_errors },
	{ "weighted cluster pick", test_pick_cluster },
	{ "actions intact, bind, introspection", test_actions_intact },
	{ "10,000 routes", test_many_routes },
	{ "many candidates", test_many_candidates },
	{ "worker generation wraps", test_generation_wrap },
	{ "two workers concurrently", test_threads },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("route", NULL, NULL, tests);
}
