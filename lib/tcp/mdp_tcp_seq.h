/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TCP_SEQ_H
#define MDP_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/*
 * TCP sequence-number arithmetic modulo 2^32 (RFC 9293 3.4): a is before
 * b when the signed distance b - a is positive. Valid while the two are
 * less than 2^31 apart, which the window rules guarantee.
 */

static inline bool mdp_seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool mdp_seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool mdp_seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool mdp_seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

static inline uint32_t mdp_seq_max(uint32_t a, uint32_t b) { return mdp_seq_gt(a, b) ? a : b; }
static inline uint32_t mdp_seq_min(uint32_t a, uint32_t b) { return mdp_seq_lt(a, b) ? a : b; }

/* lo <= s < hi */
static inline bool
mdp_seq_in(uint32_t s, uint32_t lo, uint32_t hi)
{
	return mdp_seq_ge(s, lo) && mdp_seq_lt(s, hi);
}

#endif
