/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "mdp_siphash.h"

static inline uint64_t
rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

/* The message is read as little-endian 64-bit words, whatever the host. */
static inline uint64_t
load64_le(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* The paper's SipRound: ARX network of four 64-bit words. */
#define SIPROUND(v0, v1, v2, v3) do {			\
		v0 += v1; v1 = rotl(v1, 13); v1 ^= v0;	\
		v0 = rotl(v0, 32);			\
		v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;	\
		v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;	\
		v2 += v1; v1 = rotl(v1, 17); v1 ^= v2;	\
		v2 = rotl(v2, 32);			\
	} while (0)

uint64_t
mdp_siphash24(const struct mdp_siphash_key *k, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t words = len / 8;
	/* initialisation: the key XORed with "somepseudorandomlygeneratedbytes" */
	uint64_t v0 = k->k0 ^ 0x736f6d6570736575ull;
	uint64_t v1 = k->k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k->k0 ^ 0x6c7967656e657261ull;
	uint64_t v3 = k->k1 ^ 0x7465646279746573ull;
	uint64_t m;
	unsigned left = (unsigned)(len & 7);

	/* compression: c = 2 rounds per 8-byte word */
	for (; words > 0; words--, p += 8) {
		m = load64_le(p);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}

	/* last word: the 0..7 remaining bytes, then len mod 256 in the top
	 * byte */
	m = (uint64_t)(len & 0xff) << 56;
	while (left > 0) {
		left--;
		m |= (uint64_t)p[left] << (8 * left);
	}
	v3 ^= m;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= m;

	/* finalisation: d = 4 rounds */
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}
