/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_SYNCOOKIE_H
#define MDP_SYNCOOKIE_H

#include <stdbool.h>
#include <stdint.h>

#include "mdp_siphash.h"

/*
 * SYN cookies: when a listener's SYN queue is full, answer a SYN with a
 * SYN-ACK whose sequence number (our ISN) is a cookie, keep no state, and
 * rebuild the connection from the ACK that returns the cookie (Bernstein's
 * construction, with keyed hashes of the 4-tuple and of the peer's ISN as
 * Linux does). Pure functions, safe on any core; every core that can see
 * the ACK must use the same key.
 *
 * The cookie (32 bits) is
 *
 *	cookie = (c << 30 | m << 28 | mac) ^ mask
 *
 *	c    counter & 3: the low 2 bits of the time counter when it was made;
 *	m    index into mdp_syncookie_mss[] (2 bits);
 *	mac  low 28 bits of SipHash-2-4(key, tuple | peer ISN | counter | m),
 *	     over the full 32-bit counter, so m and the time are authenticated;
 *	mask low 32 bits of SipHash-2-4(key, tuple | peer ISN), which hides c
 *	     and m: the whole cookie is unpredictable, as an ISN should be
 *	     (RFC 6528), not only its MAC bits.
 *
 * Hash inputs, all fields big-endian: local address, remote address (4 bytes
 * each), local port, remote port (2 each), peer ISN (4) for the mask
 * (16 bytes); the same followed by the counter (4), m (1) and three zero
 * bytes for the MAC (24 bytes). Their lengths differ from each other and
 * from the 12 bytes mdp_tcp_isn() hashes, so one key may serve all three.
 *
 * Validity: a cookie made with counter c is accepted while counter_now is c
 * or c + 1 (mod 2^32), and rejected otherwise. With mdp_syncookie_counter()
 * (periods of MDP_SYNCOOKIE_PERIOD_S = 64 s) that is from 64 s to 128 s
 * after the SYN-ACK, depending on where in its period it was made: far more
 * than any handshake round trip, short enough to limit replay.
 *
 * Strength: to open a connection blind (spoofed source), an attacker must
 * guess a cookie; a random guess decodes to a valid counter with
 * probability 1/2 and then matches the MAC with probability 2^-28, so
 * 2^-29 per try, as with Linux's cookies. Unlike Linux's, every field is
 * covered by the MAC, so no cookie decodes to another valid one (a single
 * bit flip is always caught).
 *
 * MSS: a cookie can carry only 4 MSS values, mdp_syncookie_mss[] =
 * { 536, 1300, 1440, 1460 } (the table Linux chose for IPv4 from measured
 * peer MSS: 1460 Ethernet, 1440 and 1300 tunnels and PPPoE-like links, 536
 * the RFC 9293 default). The SYN-ACK gets the largest entry not above the
 * peer's MSS, 536 when the peer sent none or less than 536 (as Linux does).
 *
 * Options: window scale and SACK-permitted of the peer's SYN travel in the
 * low MDP_SYNCOOKIE_TS_BITS bits of our TSval (mdp_syncookie_tsval()) and
 * come back in the TSecr of the ACK (mdp_syncookie_ts_decode()). Without
 * timestamps in the SYN, send the SYN-ACK without window scale and
 * SACK-permitted: the connection has neither. Our own receive shift must be
 * a deterministic function of the listener's configuration, so that it is
 * recomputed identically when the ACK arrives.
 *
 * Flow: on the SYN (sequence number S, peer MSS P, options O):
 *	isn = mdp_syncookie_make(k, tuple, S, counter_now, P, &mss);
 *	tsval = mdp_syncookie_tsval(ts_now, &O)   (when the SYN had TS)
 *	send SYN-ACK seq=isn ack=S+1 with MSS, and TS/WS/SACK_OK per above.
 * On an ACK with no matching connection, seq Q, ack A:
 *	mdp_syncookie_check(k, tuple, Q - 1, A - 1, counter_now, &mss) == 0,
 *	then mdp_syncookie_ts_decode(tsecr, &O) when the ACK has TS
 *	(RFC 7323 3.2: a segment without TS on a connection that negotiated
 *	them is dropped), and create the connection in ESTABLISHED with
 *	IRS = Q - 1, ISS = A - 1.
 * An ACK that carries data or arrives after the peer's first data segment
 * was lost fails the check when Q is not S + 1; the peer retransmits.
 */

/* Length of a counter period, in seconds. */
#define MDP_SYNCOOKIE_PERIOD_S	64
/* A cookie is valid while counter_now - counter < MDP_SYNCOOKIE_AGE. */
#define MDP_SYNCOOKIE_AGE	2
/* Number of MSS classes, and the classes in increasing order. */
#define MDP_SYNCOOKIE_MSS_CLASSES 4
extern const uint16_t mdp_syncookie_mss[MDP_SYNCOOKIE_MSS_CLASSES];

/* Low bits of TSval carrying the options: bits 0-3 the peer's window scale
 * (0-14, 15 when the SYN had none), bit 4 SACK-permitted, bit 5 reserved
 * (sent as 0, ignored on decode; for ECN later). */
#define MDP_SYNCOOKIE_TS_BITS	6
#define MDP_SYNCOOKIE_TS_MASK	((1u << MDP_SYNCOOKIE_TS_BITS) - 1)
#define MDP_SYNCOOKIE_TS_NO_WS	0xfu
#define MDP_SYNCOOKIE_TS_SACK	0x10u

/* What a cookie connection keeps of the SYN. */
struct mdp_syncookie_opts {
	uint16_t mss;		/* from the cookie (mdp_syncookie_check) */
	bool has_wscale;	/* the rest from TSecr (mdp_syncookie_ts_decode) */
	uint8_t wscale;		/* peer's shift, 0..14 */
	bool sack_ok;
};

/* The time counter for a monotonic clock reading in microseconds. */
static inline uint32_t
mdp_syncookie_counter(uint64_t now_us)
{
	return (uint32_t)(now_us / (MDP_SYNCOOKIE_PERIOD_S * 1000000ull));
}

/*
 * Make the cookie for a SYN from raddr:rport to laddr:lport (host order)
 * with sequence number peer_isn, at time counter `counter`. peer_mss is the
 * SYN's MSS option, 0 when absent; a caller may pass it already clamped to
 * its own MTU (mdp_tcp_mss_clamp()) so that the class fits both sides.
 * When mss_used is not NULL it receives the MSS class encoded: the send MSS
 * the connection will have (the MSS option of our SYN-ACK is our receive
 * MSS, a separate matter).
 * Returns the cookie: the ISN for the SYN-ACK.
 */
uint32_t mdp_syncookie_make(const struct mdp_siphash_key *k, uint32_t laddr,
			    uint16_t lport, uint32_t raddr, uint16_t rport,
			    uint32_t peer_isn, uint32_t counter,
			    uint16_t peer_mss, uint16_t *mss_used);

/*
 * Check the cookie returned by an ACK (cookie = SEG.ACK - 1, peer_isn =
 * SEG.SEQ - 1) at time counter counter_now. When valid and mss is not NULL,
 * *mss receives the MSS class the cookie carries; it is left alone
 * otherwise.
 * Returns 0 when the cookie was made by mdp_syncookie_make() with this key,
 * tuple and peer ISN and a counter of counter_now or counter_now - 1;
 * -EINVAL otherwise (forged, for another connection, or expired).
 */
int mdp_syncookie_check(const struct mdp_siphash_key *k, uint32_t laddr,
			uint16_t lport, uint32_t raddr, uint16_t rport,
			uint32_t peer_isn, uint32_t cookie,
			uint32_t counter_now, uint16_t *mss);

/*
 * TSval for the cookie SYN-ACK: ts_now with its low MDP_SYNCOOKIE_TS_BITS
 * bits replaced by the encoding of o->has_wscale, o->wscale (clamped to 14)
 * and o->sack_ok; o->mss is not used. The result is never after ts_now (in
 * timestamp arithmetic), at most 2^6 - 1 ticks before it, so our later
 * TSvals never go backwards for the peer's PAWS (RFC 7323 5.3).
 */
uint32_t mdp_syncookie_tsval(uint32_t ts_now,
			     const struct mdp_syncookie_opts *o);

/*
 * Recover window scale and SACK-permitted from the TSecr of the ACK that
 * completes a cookie handshake into o->has_wscale, o->wscale and o->sack_ok;
 * o->mss is left alone. The TSecr is not authenticated: a peer can choose
 * only options it could have sent in its SYN anyway.
 */
void mdp_syncookie_ts_decode(uint32_t tsecr, struct mdp_syncookie_opts *o);

#endif
