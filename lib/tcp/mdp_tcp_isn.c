/* SPDX-License-Identifier: BSD-3-Clause */
#include "mdp_tcp_isn.h"

uint32_t
mdp_tcp_isn(const struct mdp_siphash_key *k, uint32_t laddr, uint16_t lport,
	    uint32_t raddr, uint16_t rport, uint64_t now_us)
{
	const uint8_t in[12] = {
		(uint8_t)(laddr >> 24), (uint8_t)(laddr >> 16),
		(uint8_t)(laddr >> 8), (uint8_t)laddr,
		(uint8_t)(raddr >> 24), (uint8_t)(raddr >> 16),
		(uint8_t)(raddr >> 8), (uint8_t)raddr,
		(uint8_t)(lport >> 8), (uint8_t)lport,
		(uint8_t)(rport >> 8), (uint8_t)rport,
	};

	/* RFC 6528 3: ISN = M + F(4-tuple, key); M ticks every 4 us */
	return (uint32_t)(now_us >> 2) + (uint32_t)mdp_siphash24(k, in, sizeof(in));
}
