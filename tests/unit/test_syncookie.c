/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

#include "tcp/mdp_syncookie.h"
#include "tcp/mdp_tcp_seq.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct mdp_siphash_key key = {
	0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull,
};

/* xorshift64*: same sequence on every libc */
static uint64_t rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

struct tuple {
	uint32_t la, ra, isn;
	uint16_t lp, rp;
};

static void
tuple_rand(struct tuple *t)
{
	t->la = (uint32_t)rng();
	t->ra = (uint32_t)rng();
	t->lp = (uint16_t)rng();
	t->rp = (uint16_t)rng();
	t->isn = (uint32_t)rng();
}

static uint32_t
make(const struct tuple *t, uint32_t counter, uint16_t peer_mss,
     uint16_t *mss_used)
{
	return mdp_syncookie_make(&key, t->la, t->lp, t->ra, t->rp, t->isn,
				  counter, peer_mss, mss_used);
}

static int
check(const struct tuple *t, uint32_t cookie, uint32_t counter_now,
      uint16_t *mss)
{
	return mdp_syncookie_check(&key, t->la, t->lp, t->ra, t->rp, t->isn,
				   cookie, counter_now, mss);
}

/* Python model of the documented layout: pins the hash inputs */
static void
test_vector(void)
{
	struct tuple t = { 0xc0a80001, 0xc0a80002, 0x12345678, 443, 51000 };
	uint16_t mss = 0;

	CU_ASSERT_EQUAL(make(&t, 5, 1460, &mss), 0xd0fa7dd3u);
	CU_ASSERT_EQUAL(mss, 1460);
	CU_ASSERT_EQUAL(make(&t, 0xffffffffu, 0, &mss), 0x69528397u);
	CU_ASSERT_EQUAL(mss, 536);
}

static void
test_mss_classes(void)
{
	static const struct {
		uint16_t peer, cls;
	} c[] = {
		{ 0, 536 }, { 1, 536 }, { 100, 536 }, { 535, 536 },
		{ 536, 536 }, { 1299, 536 }, { 1300, 1300 }, { 1380, 1300 },
		{ 1439, 1300 }, { 1440, 1440 }, { 1452, 1440 }, { 1459, 1440 },
		{ 1460, 1460 }, { 1461, 1460 }, { 8960, 1460 },
		{ 65535, 1460 },
	};
	struct tuple t;
	unsigned i, j;

	for (i = 1; i < MDP_SYNCOOKIE_MSS_CLASSES; i++)
		CU_ASSERT(mdp_syncookie_mss[i - 1] < mdp_syncookie_mss[i]);
	rng_state = 1;
	for (i = 0; i < N(c); i++) {
		for (j = 0; j < 50; j++) {
			uint16_t used = 0, got = 0;
			uint32_t ck;

			tuple_rand(&t);
			ck = make(&t, 1000 + j, c[i].peer, &used);
			CU_ASSERT_EQUAL(used, c[i].cls);
			CU_ASSERT_EQUAL_FATAL(check(&t, ck, 1000 + j, &got), 0);
			CU_ASSERT_EQUAL(got, c[i].cls);
		}
	}
	/* NULL outputs are allowed */
	tuple_rand(&t);
	CU_ASSERT_EQUAL(check(&t, make(&t, 9, 1460, NULL), 9, NULL), 0);
}

/* many tuples, every class, both valid counters */
static void
test_round_trip(void)
{
	unsigned i, m;
	struct tuple t;

	rng_state = 0x9e3779b97f4a7c15ull;
	for (i = 0; i < 5000; i++) {
		uint32_t counter = (uint32_t)rng();

		tuple_rand(&t);
		for (m = 0; m < MDP_SYNCOOKIE_MSS_CLASSES; m++) {
			uint16_t used, got = 0;
			uint32_t ck = make(&t, counter, mdp_syncookie_mss[m],
					   &used);

			CU_ASSERT_EQUAL_FATAL(used, mdp_syncookie_mss[m]);
			CU_ASSERT_EQUAL_FATAL(check(&t, ck, counter, &got), 0);
			CU_ASSERT_EQUAL_FATAL(got, used);
			got = 0;
			CU_ASSERT_EQUAL_FATAL(check(&t, ck, counter + 1, &got),
					      0);
			CU_ASSERT_EQUAL_FATAL(got, used);
		}
	}
}

/* Wrong tuple, wrong peer ISN, wrong key: rejected, *mss untouched. */
static void
test_wrong_inputs(void)
{
	struct mdp_siphash_key k2;
	unsigned i, b, accepted = 0, tries = 0;
	struct tuple t, u;

	rng_state = 42;
	for (i = 0; i < 500; i++) {
		uint32_t c = (uint32_t)rng(), ck;
		uint16_t mss = 0xbeef;

		tuple_rand(&t);
		ck = make(&t, c, (uint16_t)rng(), NULL);
		for (b = 0; b < 32; b++) {
			u = t;
			u.la ^= 1u << b;
			accepted += check(&u, ck, c, &mss) == 0;
			u = t;
			u.ra ^= 1u << b;
			accepted += check(&u, ck, c, &mss) == 0;
			u = t;
			u.isn ^= 1u << b;
			accepted += check(&u, ck, c, &mss) == 0;
			tries += 3;
		}
		for (b = 0; b < 16; b++) {
			u = t;
			u.lp ^= (uint16_t)(1u << b);
			accepted += check(&u, ck, c + 1, &mss) == 0;
			u = t;
			u.rp ^= (uint16_t)(1u << b);
			accepted += check(&u, ck, c + 1, &mss) == 0;
			tries += 2;
		}
		/* the ACK's seq - 1, not seq */
		u = t;
		u.isn = t.isn + 1;
		accepted += check(&u, ck, c, &mss) == 0;
		/* the other direction */
		u = t;
		u.la = t.ra;
		u.ra = t.la;
		u.lp = t.rp;
		u.rp = t.lp;
		accepted += check(&u, ck, c, &mss) == 0;
		/* another key */
		k2 = key;
		k2.k1 ^= 1ull << (i % 64);
		accepted += mdp_syncookie_check(&k2, t.la, t.lp, t.ra, t.rp,
						t.isn, ck, c, &mss) == 0;
		tries += 3;
		CU_ASSERT_EQUAL(mss, 0xbeef);
	}
	CU_ASSERT_EQUAL(tries, 500 * 131);
	CU_ASSERT_EQUAL(accepted, 0);
}

/* Every single-bit flip of a cookie is rejected, at both valid counters. */
static void
test_bit_flips(void)
{
	unsigned i, b, m, accepted = 0;
	struct tuple t;

	rng_state = 7;
	for (i = 0; i < 2000; i++) {
		uint32_t c = (uint32_t)rng();

		tuple_rand(&t);
		for (m = 0; m < MDP_SYNCOOKIE_MSS_CLASSES; m++) {
			uint32_t ck = make(&t, c, mdp_syncookie_mss[m], NULL);

			for (b = 0; b < 32; b++) {
				accepted += check(&t, ck ^ (1u << b), c,
						  NULL) == 0;
				accepted += check(&t, ck ^ (1u << b), c + 1,
						  NULL) == 0;
			}
			/* and the neighbouring values */
			accepted += check(&t, ck + 1, c, NULL) == 0;
			accepted += check(&t, ck - 1, c, NULL) == 0;
		}
	}
	CU_ASSERT_EQUAL(accepted, 0);
}

/* Valid while counter_now is c or c + 1, rejected at every other value
 * near it, including c + 4k whose low bits alias c's, and across the 2^32
 * wrap. */
static void
test_validity_window(void)
{
	static const uint32_t made[] = {
		0, 1, 2, 3, 4, 1000, 0x7fffffffu, 0x80000000u, 0xfffffffcu,
		0xfffffffdu, 0xfffffffeu, 0xffffffffu,
	};
	unsigned i, j;
	int d;
	struct tuple t;

	rng_state = 99;
	for (i = 0; i < N(made); i++) {
		for (j = 0; j < 20; j++) {
			uint32_t ck;

			tuple_rand(&t);
			ck = make(&t, made[i], 1460, NULL);
			for (d = -40; d <= 40; d++) {
				uint32_t now = made[i] + (uint32_t)d;
				int want = d == 0 || d == 1 ? 0 : -EINVAL;
				int r = check(&t, ck, now, NULL);

				if (r != want)
					fprintf(stderr, "\nmade %u, now %+d: %d\n",
						made[i], d, r);
				CU_ASSERT_EQUAL(r, want);
			}
			CU_ASSERT_EQUAL(check(&t, ck, made[i] + 0x80000000u,
					      NULL), -EINVAL);
			CU_ASSERT_EQUAL(check(&t, ck, made[i] + 0x80000001u,
					      NULL), -EINVAL);
		}
	}

	/* in time: 64 s periods, so 64 to 128 s of life */
	CU_ASSERT_EQUAL(mdp_syncookie_counter(0), 0);
	CU_ASSERT_EQUAL(mdp_syncookie_counter(63999999), 0);
	CU_ASSERT_EQUAL(mdp_syncookie_counter(64000000), 1);
	CU_ASSERT_EQUAL(mdp_syncookie_counter(128000000), 2);
	{
		uint64_t t0 = 64000000ull * 12345 + 63999999;	/* end of a period */
		uint64_t t1 = 64000000ull * 12345;		/* its start */
		uint32_t c0 = mdp_syncookie_counter(t0);
		uint32_t ck0, ck1;

		CU_ASSERT_EQUAL(c0, mdp_syncookie_counter(t1));
		tuple_rand(&t);
		ck0 = make(&t, c0, 1460, NULL);
		ck1 = make(&t, mdp_syncookie_counter(t1), 1460, NULL);
		CU_ASSERT_EQUAL(ck0, ck1);
		/* made at the end: valid for 64 s, no longer */
		CU_ASSERT_EQUAL(check(&t, ck0, mdp_syncookie_counter(t0 + 64000000),
				      NULL), 0);
		CU_ASSERT_EQUAL(check(&t, ck0,
				      mdp_syncookie_counter(t0 + 64000001),
				      NULL), -EINVAL);
		/* made at the start: valid for 128 s, no longer */
		CU_ASSERT_EQUAL(check(&t, ck1,
				      mdp_syncookie_counter(t1 + 127999999),
				      NULL), 0);
		CU_ASSERT_EQUAL(check(&t, ck1,
				      mdp_syncookie_counter(t1 + 128000000),
				      NULL), -EINVAL);
	}
}

/* Blind guesses: 2^-29 each, so none of 2^21 should pass. */
static void
test_random_cookies(void)
{
	unsigned i, accepted = 0;
	struct tuple t;

	rng_state = 2024;
	tuple_rand(&t);
	for (i = 0; i < (1u << 21); i++)
		accepted += check(&t, (uint32_t)rng(), 777, NULL) == 0;
	CU_ASSERT_EQUAL(accepted, 0);
}

/* Cookies look random: no field shows in the clear. */
static void
test_cookie_bits(void)
{
	unsigned ones[32] = { 0 }, i, b, n = 20000;
	struct tuple t;

	rng_state = 5;
	for (i = 0; i < n; i++) {
		uint32_t ck;

		/* same counter and class for all: their bits must not show */
		tuple_rand(&t);
		ck = make(&t, 12, 1460, NULL);
		for (b = 0; b < 32; b++)
			ones[b] += (ck >> b) & 1;
	}
	/* each bit set about half the time (6 sigma = 424) */
	for (b = 0; b < 32; b++)
		CU_ASSERT(ones[b] > n / 2 - 424 && ones[b] < n / 2 + 424);
}

static void
test_ts_round_trip(void)
{
	static const uint32_t nows[] = {
		0, 1, 0x3f, 0x40, 0x41, 0x7f, 0x12345678u, 0x80000000u,
		0x8000003fu, 0xffffffc0u, 0xffffffffu,
	};
	struct mdp_syncookie_opts o, d;
	unsigned i, w, s;

	for (i = 0; i < N(nows); i++)
	for (w = 0; w <= 16; w++)
	for (s = 0; s < 2; s++) {
		uint32_t ts;

		memset(&o, 0, sizeof(o));
		/* 0..14, 15: none, 16: 200 clamped to 14 */
		o.has_wscale = w != 15;
		o.wscale = (uint8_t)(w == 16 ? 200 : w == 15 ? 99 : w);
		o.sack_ok = s;
		o.mss = 1300;
		ts = mdp_syncookie_tsval(nows[i], &o);

		/* never ahead of the clock, less than 64 ticks behind, and
		 * only the low bits differ or one step back */
		CU_ASSERT_TRUE(mdp_seq_le(ts, nows[i]));
		CU_ASSERT(nows[i] - ts < 64);
		CU_ASSERT_EQUAL(ts & 0x20, 0);	/* reserved */

		memset(&d, 0xa5, sizeof(d));
		d.mss = 1440;
		mdp_syncookie_ts_decode(ts, &d);
		CU_ASSERT_EQUAL(d.mss, 1440);	/* left alone */
		CU_ASSERT_EQUAL(d.has_wscale, o.has_wscale);
		CU_ASSERT_EQUAL(d.wscale, !o.has_wscale ? 0 :
				w == 16 ? 14 : w);
		CU_ASSERT_EQUAL(d.sack_ok, o.sack_ok);
		/* the reserved bit is ignored */
		mdp_syncookie_ts_decode(ts | 0x20, &d);
		CU_ASSERT_EQUAL(d.has_wscale, o.has_wscale);
		CU_ASSERT_EQUAL(d.sack_ok, o.sack_ok);
	}

	/* the low bits of the clock are replaced; when that would run
	 * ahead, a whole 64-tick step is taken back */
	memset(&o, 0, sizeof(o));
	o.has_wscale = true;
	o.wscale = 7;
	o.sack_ok = true;
	CU_ASSERT_EQUAL(mdp_syncookie_tsval(0x1000003fu, &o), 0x10000017u);
	CU_ASSERT_EQUAL(mdp_syncookie_tsval(0x10000017u, &o), 0x10000017u);
	CU_ASSERT_EQUAL(mdp_syncookie_tsval(0x10000016u, &o), 0x0fffffd7u);
	CU_ASSERT_EQUAL(mdp_syncookie_tsval(0x00000000u, &o), 0xffffffd7u);
	o.has_wscale = false;
	o.sack_ok = false;
	CU_ASSERT_EQUAL(mdp_syncookie_tsval(0x1000003fu, &o), 0x1000000fu);
}

static CU_TestInfo tests[] = {
	{ "fixed vectors", test_vector },
	{ "MSS classes", test_mss_classes },
	{ "round trip, many tuples, every class", test_round_trip },
	{ "wrong tuple, peer ISN or key rejected", test_wrong_inputs },
	{ "every single-bit flip rejected", test_bit_flips },
	{ "validity window exactly", test_validity_window },
	{ "random cookies rejected", test_random_cookies },
	{ "cookie bits are balanced", test_cookie_bits },
	{ "TSval encode and decode", test_ts_round_trip },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("syncookie", NULL, NULL, tests);
}
