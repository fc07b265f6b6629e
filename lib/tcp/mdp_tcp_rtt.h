/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TCP_RTT_H
#define MDP_TCP_RTT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * TCP retransmission timer computation (RFC 6298): the smoothed RTT, the
 * RTT variance and the retransmission timeout, with exponential backoff.
 *
 * All times are in microseconds. Integer arithmetic only; no allocation, no
 * global state: one struct per connection, used on the connection's core.
 *
 * The caller owns the sampling policy:
 *  - Karn's algorithm (RFC 6298 3): do not take a sample from a segment that
 *    was retransmitted, because its ACK is ambiguous. With timestamps
 *    (RFC 7323 4.2) the echoed TSecr names the transmission it answers, so
 *    samples from retransmitted segments are allowed there;
 *  - take at least one sample per RTT (RFC 6298 3). Sampling every ACK with
 *    timestamps makes SRTT follow the path faster than RFC 6298's constants
 *    assume (RFC 7323 appendix G discusses scaling alpha and beta); Linux
 *    samples every ACK as well and meshdp does the same unless measurements
 *    say otherwise.
 * The caller also owns the timer itself (the per-core wheel) and the retry
 * limit; `backoff` counts the expiries since the last sample and can serve as
 * that retry count.
 */

/* RFC 6298 2.1: RTO before the first sample. */
#define MDP_TCP_RTO_INITIAL_US		1000000u
/* Lower bound. RFC 6298 2.4 says 1 s; Linux (TCP_RTO_MIN) uses 200 ms, and
 * so do we by default: a 1 s floor makes every tail loss on a LAN cost a
 * second. */
#define MDP_TCP_RTO_MIN_US		200000u
/* Upper bound, Linux's TCP_RTO_MAX. RFC 6298 2.5 allows any value >= 60 s. */
#define MDP_TCP_RTO_MAX_US		120000000u
/* RFC 6298 5.7: RTO after a handshake whose SYN or SYN-ACK was lost. */
#define MDP_TCP_RTO_SYN_FALLBACK_US	3000000u

/* Backoff steps are counted up to this value, then the count saturates. */
#define MDP_TCP_RTT_BACKOFF_MAX		UINT8_MAX

/*
 * RTT estimator state. Fields are readable (e.g. for `meshctl conns`); change
 * them only through the functions below.
 */
struct mdp_tcp_rtt {
	uint32_t srtt_us;	/* SRTT; 0 until has_sample */
	uint32_t rttvar_us;	/* RTTVAR; 0 until has_sample */
	uint32_t rto_us;	/* RTO without backoff, within [min, max] */
	uint32_t min_rto_us;
	uint32_t max_rto_us;
	uint32_t g_us;		/* clock granularity G */
	uint8_t backoff;	/* RTO expiries since the last sample */
	bool has_sample;	/* at least one RTT sample taken */
};

/*
 * Initialise an estimator with no sample (RFC 6298 2.1).
 *
 * @param r
 *   Estimator to initialise.
 * @param initial_rto_us
 *   RTO until the first sample; 0 selects MDP_TCP_RTO_INITIAL_US (1 s).
 * @param min_rto_us
 *   Lower bound of the RTO (RFC 6298 2.4); 0 selects MDP_TCP_RTO_MIN_US
 *   (200 ms).
 * @param max_rto_us
 *   Upper bound of the RTO, with backoff (RFC 6298 2.5); 0 selects
 *   MDP_TCP_RTO_MAX_US (120 s). A value below the lower bound is raised to it.
 * @param g_us
 *   Clock granularity G of the RTT measurements (RFC 6298 2.2); 0 is allowed
 *   (the lower bound then plays G's role).
 *
 * The initial RTO is clamped to [min, max].
 */
void mdp_tcp_rtt_init(struct mdp_tcp_rtt *r, uint32_t initial_rto_us,
		      uint32_t min_rto_us, uint32_t max_rto_us, uint32_t g_us);

/*
 * Feed one RTT measurement (RFC 6298 2.2 for the first, 2.3 afterwards):
 *   first:  SRTT = R, RTTVAR = R/2
 *   later:  RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|   (with the old SRTT)
 *           SRTT   = 7/8 SRTT + 1/8 R
 *   RTO = SRTT + max(G, 4 * RTTVAR), clamped to [min, max].
 * Fractions are truncated (integer microseconds).
 *
 * The sample also ends any backoff: RFC 6298 5 (the note after rule 5.7)
 * lets a new measurement "collapse" a backed-off RTO, so backoff becomes 0.
 *
 * The caller applies Karn's rule (see the top of this file).
 */
void mdp_tcp_rtt_sample(struct mdp_tcp_rtt *r, uint32_t rtt_us);

/*
 * The retransmission timer expired (RFC 6298 5.5): double the RTO. The
 * doubling is kept as a count (saturating at MDP_TCP_RTT_BACKOFF_MAX) and
 * applied by mdp_tcp_rtt_rto(), which caps it at max_rto_us; the base RTO is
 * kept so that the next sample starts from the estimate, not the backed-off
 * value.
 */
void mdp_tcp_rtt_backoff(struct mdp_tcp_rtt *r);

/*
 * Current RTO in microseconds: rto_us * 2^backoff, at most max_rto_us and at
 * least min_rto_us. This is the value to arm the retransmission timer with.
 */
uint32_t mdp_tcp_rtt_rto(const struct mdp_tcp_rtt *r);

/*
 * The three-way handshake completed after our SYN or SYN-ACK had been
 * retransmitted. RFC 6298 5.7: when no RTT sample was taken (Karn's rule
 * forbids one from a retransmitted SYN without timestamps), the RTO becomes
 * at least 3 s (still within [min, max]) for the data phase. The backoff
 * count is cleared either way: the handshake's expiries do not count as data
 * retransmissions.
 */
void mdp_tcp_rtt_syn_fallback(struct mdp_tcp_rtt *r);

#endif
