/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_SIPHASH_H
#define MDP_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * SipHash-2-4 (J.-P. Aumasson and D. J. Bernstein, "SipHash: a fast
 * short-input PRF", 2012): a keyed 64-bit pseudorandom function for short
 * inputs, used where an attacker must not predict or steer a hash: ISNs
 * (RFC 6528), SYN cookies, hash-table seeds.
 *
 * Pure function, no state: safe on any core.
 */

/*
 * A 128-bit key. The paper's 16 key bytes k[0..15] map to
 * k0 = k[0] | k[1] << 8 | ... | k[7] << 56 and k1 likewise from k[8..15]
 * (little-endian), so the paper's test key 00 01 .. 0f is
 * { 0x0706050403020100, 0x0f0e0d0c0b0a0908 }. Draw it from a
 * cryptographically secure source (getrandom(2)) at start-up and keep it
 * secret.
 */
struct mdp_siphash_key {
	uint64_t k0;
	uint64_t k1;
};

/*
 * SipHash-2-4 of the len bytes at data under key k. The result is the
 * paper's 64-bit output as an integer (its bytes are the paper's output
 * bytes in little-endian order). data may be NULL when len is 0; it is read
 * only, with no alignment requirement. Gives the same value on every host.
 */
uint64_t mdp_siphash24(const struct mdp_siphash_key *k, const void *data,
		       size_t len);

#endif
