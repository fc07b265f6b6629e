/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_RAND_H
#define MDP_RAND_H

#include <stdint.h>

/*
 * A small, fast, seeded PRNG for the dataplane's own decisions (impairment,
 * load-balancer picks): xorshift64* (Vigna, 2016) seeded through
 * splitmix64, so that nearby seeds give unrelated streams. Not for secrets.
 */

struct mdp_rand {
	uint64_t s;
};

static inline uint64_t
mdp_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void
mdp_rand_seed(struct mdp_rand *r, uint64_t seed)
{
	uint64_t x = seed;

	r->s = mdp_splitmix64(&x);
	if (r->s == 0)
		r->s = 0x9e3779b97f4a7c15ull;	/* xorshift must not start at 0 */
}

static inline uint64_t
mdp_rand_next(struct mdp_rand *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, 2^32). */
static inline uint32_t
mdp_rand_u32(struct mdp_rand *r)
{
	return (uint32_t)(mdp_rand_next(r) >> 32);
}

/* Probability p (0..1) as a threshold for mdp_rand_u32() < threshold. */
static inline uint64_t
mdp_rand_threshold(double p)
{
	if (p <= 0.0)
		return 0;
	if (p >= 1.0)
		return UINT64_C(1) << 32;
	return (uint64_t)(p * 4294967296.0);
}

#endif
