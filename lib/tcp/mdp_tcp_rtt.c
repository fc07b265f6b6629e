/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdint.h>

#include "tcp/mdp_tcp_rtt.h"

static uint32_t
clamp_rto(const struct mdp_tcp_rtt *r, uint64_t v)
{
	if (v < r->min_rto_us)
		return r->min_rto_us;
	if (v > r->max_rto_us)
		return r->max_rto_us;
	return (uint32_t)v;
}

void
mdp_tcp_rtt_init(struct mdp_tcp_rtt *r, uint32_t initial_rto_us,
		 uint32_t min_rto_us, uint32_t max_rto_us, uint32_t g_us)
{
	r->srtt_us = 0;
	r->rttvar_us = 0;
	r->min_rto_us = min_rto_us != 0 ? min_rto_us : MDP_TCP_RTO_MIN_US;
	r->max_rto_us = max_rto_us != 0 ? max_rto_us : MDP_TCP_RTO_MAX_US;
	if (r->max_rto_us < r->min_rto_us)
		r->max_rto_us = r->min_rto_us;
	r->g_us = g_us;
	r->backoff = 0;
	r->has_sample = false;
	/* RFC 6298 2.1 */
	r->rto_us = clamp_rto(r, initial_rto_us != 0 ? initial_rto_us
						     : MDP_TCP_RTO_INITIAL_US);
}

void
mdp_tcp_rtt_sample(struct mdp_tcp_rtt *r, uint32_t rtt_us)
{
	uint64_t var4;

	if (!r->has_sample) {
		/* RFC 6298 2.2 */
		r->srtt_us = rtt_us;
		r->rttvar_us = rtt_us / 2;
		r->has_sample = true;
	} else {
		/* RFC 6298 2.3: RTTVAR first, from the SRTT before this
		 * sample; alpha = 1/8, beta = 1/4. */
		uint32_t err = r->srtt_us > rtt_us ? r->srtt_us - rtt_us
						   : rtt_us - r->srtt_us;

		r->rttvar_us = (uint32_t)(((uint64_t)r->rttvar_us * 3 + err) / 4);
		r->srtt_us = (uint32_t)(((uint64_t)r->srtt_us * 7 + rtt_us) / 8);
	}
	/* RFC 6298 2.3: RTO = SRTT + max(G, K*RTTVAR), K = 4; 2.4, 2.5 clamp */
	var4 = (uint64_t)r->rttvar_us * 4;
	if (var4 < r->g_us)
		var4 = r->g_us;
	r->rto_us = clamp_rto(r, (uint64_t)r->srtt_us + var4);
	r->backoff = 0;
}

void
mdp_tcp_rtt_backoff(struct mdp_tcp_rtt *r)
{
	/* RFC 6298 5.5 */
	if (r->backoff < MDP_TCP_RTT_BACKOFF_MAX)
		r->backoff++;
}

uint32_t
mdp_tcp_rtt_rto(const struct mdp_tcp_rtt *r)
{
	/* rto_us < 2^32, so a shift by up to 31 fits 64 bits; anything larger
	 * is past max_rto_us anyway. */
	if (r->backoff >= 32)
		return r->max_rto_us;
	return clamp_rto(r, (uint64_t)r->rto_us << r->backoff);
}

void
mdp_tcp_rtt_syn_fallback(struct mdp_tcp_rtt *r)
{
	/* RFC 6298 5.7 */
	if (!r->has_sample && r->rto_us < MDP_TCP_RTO_SYN_FALLBACK_US)
		r->rto_us = clamp_rto(r, MDP_TCP_RTO_SYN_FALLBACK_US);
	r->backoff = 0;
}
