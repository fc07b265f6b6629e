/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_ROUTE_IMPL_H
#define MDP_ROUTE_IMPL_H

/*
 * Internals of the route table, shared by mdp_route_compile.c (control
 * thread) and mdp_route_match.c (workers). Not for other modules.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hs.h>

#include "route/mdp_route.h"

/* ------------------------------------------------------------------ */
/* Case-insensitive hashing, a word at a time                          */

/* ASCII 'A'..'Z' to lower case in each byte of x; other bytes unchanged. */
static inline uint64_t
rt_lower8(uint64_t x)
{
	uint64_t b7 = x & 0x7f7f7f7f7f7f7f7full;
	uint64_t ge_a = b7 + 0x3f3f3f3f3f3f3f3full;	/* bit 7 set: >= 'A' */
	uint64_t gt_z = b7 + 0x2525252525252525ull;	/* bit 7 set: > 'Z' */
	uint64_t up = (ge_a ^ gt_z) & ~x & 0x8080808080808080ull;

	return x | (up >> 2);
}

static inline uint8_t
rt_lower1(uint8_t c)
{
	return (uint8_t)((unsigned)(c - 'A') < 26u ? c + 32 : c);
}

static inline uint64_t
rt_load8(const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/*
 * The r < 8 bytes at p as a word, zero above: the first byte lowest.
 * avail: bytes readable from p (>= r); a full load when it allows.
 */
static inline uint64_t
rt_tail(const char *p, size_t r, size_t avail)
{
	uint64_t w = 0;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (avail >= 8)
		return r == 0 ? 0 : rt_load8(p) & (~0ull >> (64 - 8 * r));
#else
	(void)avail;
#endif
	for (size_t j = 0; j < r; j++)
		w |= (uint64_t)(uint8_t)p[j] << (8 * j);
	return w;
}

static inline uint64_t
rt_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 31);
}

static inline uint64_t
rt_fin(uint64_t h, size_t len)
{
	h = (h ^ len) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

#define RT_SEED	0x6d64705f726f7574ull

/*
 * Hash of the lower-cased bytes p[0..len) (avail >= len readable). Not
 * keyed: the tables hold configured keys only, so a request cannot make a
 * probe sequence longer than the configuration already made it.
 */
static inline uint64_t
rt_hash_lower(const char *p, size_t len, size_t avail)
{
	uint64_t h = RT_SEED;
	size_t i = 0;

	for (; i + 8 <= len; i += 8)
		h = rt_mix(h, rt_lower8(rt_load8(p + i)));
	if (i < len)
		h = rt_mix(h, rt_lower8(rt_tail(p + i, len - i, avail - i)));
	return rt_fin(h, len);
}

/* lower is already lower case: does it equal s[0..n) ignoring case? */
static inline bool
rt_eq_lower(const char *lower, const char *s, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		if (rt_load8(lower + i) != rt_lower8(rt_load8(s + i)))
			return false;
	for (; i < n; i++)
		if ((uint8_t)lower[i] != rt_lower1((uint8_t)s[i]))
			return false;
	return true;
}

/*
 * The same, for a key zero-padded to a multiple of 8 bytes (the table's
 * keys are), with avail >= n bytes readable at s: a word at a time.
 */
static inline bool
rt_eq_key(const char *key, const char *s, size_t n, size_t avail)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		if (rt_load8(key + i) != rt_lower8(rt_load8(s + i)))
			return false;
	return i == n || rt_load8(key + i) == rt_lower8(rt_tail(s + i, n - i, avail - i));
}

/* Length of the authority without its port (":digits" after the host). */
static inline size_t
rt_host_len(const char *a, size_t n)
{
	size_t i = n;

	while (i > 0 && (unsigned)(a[i - 1] - '0') < 10u)
		i--;
	if (i == 0 || a[i - 1] != ':')
		return n;
	/* an IP literal holds ':' itself: its port follows the ']' */
	if (a[0] == '[' && (i < 2 || a[i - 2] != ']'))
		return n;
	return i - 1;
}

/* ------------------------------------------------------------------ */
/* Open-addressing hash table of lower-cased strings                   */

struct rt_slot {
	uint64_t hash;
	const char *key;	/* lower case, zero-padded to 8n bytes; NULL: empty */
	uint32_t len;
	uint32_t val;
};

struct rt_htab {
	struct rt_slot *slot;	/* NULL when empty */
	uint32_t mask;
	uint32_t n;
};

#define RT_NONE	UINT32_MAX

/* The value of s[0..n) (avail >= n bytes readable at s), or RT_NONE. */
static inline uint32_t
rt_htab_find(const struct rt_htab *h, uint64_t hash, const char *s, size_t n,
	     size_t avail)
{
	uint32_t i;

	if (h->slot == NULL)
		return RT_NONE;
	for (i = (uint32_t)hash & h->mask;; i = (i + 1) & h->mask) {
		const struct rt_slot *e = &h->slot[i];

		if (e->key == NULL)
			return RT_NONE;
		if (e->hash == hash && e->len == n && rt_eq_key(e->key, s, n, avail))
			return e->val;
	}
}

/* ------------------------------------------------------------------ */
/* Compiled matchers                                                   */

/* Methods a route may list, as bits; anything else is RT_M_OTHER. */
enum {
	RT_M_GET = 1u << 0,
	RT_M_HEAD = 1u << 1,
	RT_M_POST = 1u << 2,
	RT_M_PUT = 1u << 3,
	RT_M_DELETE = 1u << 4,
	RT_M_CONNECT = 1u << 5,
	RT_M_OPTIONS = 1u << 6,
	RT_M_TRACE = 1u << 7,
	RT_M_PATCH = 1u << 8,
	RT_M_OTHER = 1u << 31,
};

/* The RT_M_* bit of a method (case-sensitive, RFC 9110 9.1). */
static inline uint32_t
rt_method_bit(const char *m, size_t n)
{
	switch (n) {
	case 3:
		if (memcmp(m, "GET", 3) == 0)
			return RT_M_GET;
		if (memcmp(m, "PUT", 3) == 0)
			return RT_M_PUT;
		break;
	case 4:
		if (memcmp(m, "HEAD", 4) == 0)
			return RT_M_HEAD;
		if (memcmp(m, "POST", 4) == 0)
			return RT_M_POST;
		break;
	case 5:
		if (memcmp(m, "PATCH", 5) == 0)
			return RT_M_PATCH;
		if (memcmp(m, "TRACE", 5) == 0)
			return RT_M_TRACE;
		break;
	case 6:
		if (memcmp(m, "DELETE", 6) == 0)
			return RT_M_DELETE;
		break;
	case 7:
		if (memcmp(m, "OPTIONS", 7) == 0)
			return RT_M_OPTIONS;
		if (memcmp(m, "CONNECT", 7) == 0)
			return RT_M_CONNECT;
		break;
	}
	return RT_M_OTHER;
}

struct rt_str {
	const char *s;
	uint32_t len;
};

/*
 * A header or query rule. kind: enum mdp_route_header_kind (headers) or
 * enum mdp_route_query_kind mapped onto it (queries: EXACT, PREFIX, REGEX,
 * PRESENT). Empty prefix/suffix/contains rules are compiled as PRESENT.
 * grp, pat: the Hyperscan group and global pattern index of CONTAINS and
 * REGEX rules.
 */
struct rt_cond {
	struct rt_str name;	/* headers: lower case */
	struct rt_str val;
	uint8_t kind;
	bool invert;
	uint32_t grp;
	uint32_t pat;
};

struct rt_route {
	uint32_t methods;	/* RT_M_* bits; 0: any */
	uint8_t path_kind;	/* enum mdp_route_path_kind */
	bool ignore_case;
	bool uncond;		/* no method, header or query rule */
	uint16_t n_hdr;
	uint16_t n_qry;
	uint16_t n_ext;		/* methods other than RT_M_* */
	struct rt_str path;	/* exact or prefix value, as configured */
	const struct rt_cond *hdr;
	const struct rt_cond *qry;
	const struct rt_str *ext;
};

struct rt_vhost {
	struct rt_htab exact;	/* lower-cased path -> route list */
	struct rt_htab prefix;	/* lower-cased prefix -> route list */
	const uint32_t *plen;	/* distinct prefix lengths, ascending */
	const uint64_t (*plast)[4];	/* per length: bitmap of the keys' last bytes */
	uint32_t n_plen;
	const uint32_t *lists;	/* list at v: lists[v] = count, then indices */
	hs_database_t *rx_db;	/* path regexes, id = route index; or NULL */
	const uint32_t *anypath;	/* routes without a path condition */
	uint32_t n_anypath;
	uint32_t first_uncond;	/* first unconditional route in anypath, or n_routes */
	uint32_t first_path;	/* first route with a path condition, or n_routes */
	uint32_t first_rx;	/* first route with a path regex, or n_routes */
	uint32_t n_routes;
	const struct rt_route *rr;
};

/* The Hyperscan database of one (vhost, header or query name). */
struct rt_grp {
	hs_database_t *db;
	uint32_t pat_base;	/* its pattern ids are global pat - pat_base */
};

/*
 * A worker's scratch, written only by that worker. gen is bumped per
 * match; grp_gen/pat_gen entries equal to gen are this match's results
 * (no clearing between requests).
 */
struct rt_worker {
	hs_scratch_t *hs;
	uint32_t gen;
	uint32_t *cand;		/* candidate routes, cap: max routes in a vhost */
	uint64_t *bits;		/* bitset for sorting many candidates */
	uint32_t *grp_gen;
	uint32_t *pat_gen;
	const char **seg;	/* a header's values joined by ",": 2 * MAX_VALUES - 1 */
	unsigned *seg_len;
} __attribute__((aligned(64)));

struct rt_arena;

struct mdp_route_table {
	struct mdp_route_table_conf conf;	/* deep copy */
	struct mdp_route_vhost *vhosts;
	struct rt_vhost *rv;
	uint32_t n_vhosts;
	/* domains */
	struct rt_htab dom_exact;
	struct rt_htab dom_suffix;	/* "*.example.com" stored as ".example.com" */
	struct rt_htab dom_prefix;	/* "order-service.*" stored as "order-service." */
	const uint32_t *sfx_len;	/* distinct lengths, descending */
	uint32_t n_sfx_len;
	const uint32_t *pfx_len;
	uint32_t n_pfx_len;
	uint32_t dom_default;	/* vhost of "*", or RT_NONE */
	bool dom_port;		/* some exact domain has a port */
	/* header and query regex/contains groups */
	struct rt_grp *grp;
	uint32_t n_grp;
	uint32_t n_pat;
	uint32_t max_routes;	/* in one vhost */
	/* workers */
	unsigned n_workers;
	struct rt_worker **w;
	hs_scratch_t *hs_proto;
	struct rt_arena *arena;
};

#endif
