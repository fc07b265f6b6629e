/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TCP_OPTS_H
#define MDP_TCP_OPTS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * TCP options: parse the options area of a received segment and build the
 * options of an outgoing one (RFC 9293 3.1-3.2, RFC 7323 window scale and
 * timestamps, RFC 2018 SACK).
 *
 * Pure functions: no allocation, no global state, safe on any core. Values in
 * struct mdp_tcp_opts are in host order; the wire is big-endian.
 */

/* Option kinds (RFC 9293 3.2, RFC 7323 2.2 and 3.2, RFC 2018 2 and 3). */
#define MDP_TCPOPT_EOL		0
#define MDP_TCPOPT_NOP		1
#define MDP_TCPOPT_MSS		2
#define MDP_TCPOPT_WS		3
#define MDP_TCPOPT_SACK_OK	4
#define MDP_TCPOPT_SACK		5
#define MDP_TCPOPT_TS		8

/* Fixed option lengths, kind and length bytes included. */
#define MDP_TCPOLEN_MSS		4
#define MDP_TCPOLEN_WS		3
#define MDP_TCPOLEN_SACK_OK	2
#define MDP_TCPOLEN_TS		10
#define MDP_TCPOLEN_SACK_BASE	2	/* + 8 per block */
#define MDP_TCPOLEN_SACK_BLOCK	8

/* Room for options: data offset 15 words minus the 20-byte header. */
#define MDP_TCP_OPTS_MAX	40
/* SACK blocks that fit in MDP_TCP_OPTS_MAX: 4 alone, 3 beside timestamps. */
#define MDP_TCP_SACK_MAX	4
#define MDP_TCP_SACK_MAX_TS	3
/* RFC 7323 2.3: the largest shift count. */
#define MDP_TCP_WSCALE_MAX	14
/* RFC 9293 3.7.1: send MSS when the peer sent no MSS option. */
#define MDP_TCP_MSS_DEFAULT	536
/* Floor for a peer's MSS (Linux's tcp_min_snd_mss default): a tiny MSS
 * makes us cut data into many small segments, a resource attack
 * (CVE-2019-11479). */
#define MDP_TCP_MSS_MIN		48
/* IPv4 and TCP fixed headers (RFC 6691: MSS = MTU - 40). */
#define MDP_TCP_IP4_HDRS	40

/* One SACK block: bytes start (left edge) up to end (right edge, exclusive),
 * as sequence numbers in host order. */
struct mdp_tcp_sack_block {
	uint32_t start;
	uint32_t end;
};

/* The options of one segment. */
struct mdp_tcp_opts {
	bool has_mss;
	uint16_t mss;
	bool has_wscale;
	uint8_t wscale;		/* as received; see mdp_tcp_wscale_clamp() */
	bool sack_ok;
	bool has_ts;
	uint32_t tsval;
	uint32_t tsecr;
	uint8_t n_sack;		/* blocks in sack[], 0..MDP_TCP_SACK_MAX */
	struct mdp_tcp_sack_block sack[MDP_TCP_SACK_MAX];
};

/*
 * Parse a TCP options area: the len bytes that follow the 20-byte header up
 * to the data offset (len <= 40). syn says whether the segment carries SYN.
 *
 * *o is cleared first, then filled in as options are met:
 *  - MSS, window scale and SACK-permitted are honoured on SYN segments only
 *    (RFC 9293 3.7.1, RFC 7323 2.2, RFC 2018 2); elsewhere they are checked
 *    for size and ignored;
 *  - timestamps and SACK blocks are reported on any segment; whether they
 *    were negotiated, and whether the SACK blocks make sense, is for the
 *    caller to decide. Blocks of several SACK options are appended;
 *  - a repeated option overwrites the earlier one;
 *  - unknown kinds are skipped by their length byte (RFC 9293 3.1);
 *  - EOL ends the list; NOP is one byte of padding.
 *
 * p is read only and not kept. No allocation.
 *
 * Returns 0, or -EINVAL when the area is malformed: len > 40, o NULL (or p
 * NULL with len > 0), an option other than EOL/NOP without a length byte,
 * with a length below 2, or running past the end; MSS, WS, SACK-permitted or
 * timestamps not of length 4, 3, 2 or 10; SACK not of length 2 + 8n with
 * n >= 1. On -EINVAL *o holds the options before the bad one, so that a
 * caller may still act on them; RFC 9293 3.1 (MUST-7) leaves the reaction to
 * an illegal length to the implementation (drop, or reset).
 */
int mdp_tcp_opts_parse(const uint8_t *p, unsigned len, bool syn,
		       struct mdp_tcp_opts *o);

/*
 * Write the options of an outgoing segment into buf, which must have room
 * for MDP_TCP_OPTS_MAX (40) bytes.
 *
 * SYN and SYN-ACK (syn true), in the layout Linux uses, each group padded to
 * 4 bytes:
 *   MSS(4) when has_mss;
 *   SACK_OK(2) TS(10) when sack_ok and has_ts, else NOP NOP TS(10) when
 *   has_ts, else NOP NOP SACK_OK(2) when sack_ok;
 *   NOP WS(3) when has_wscale, the shift clamped to 14 (RFC 7323 2.3).
 * SACK blocks are not sent on SYN.
 *
 * Other segments: NOP NOP TS(10) when has_ts, then NOP NOP SACK(2 + 8n) with
 * the first n of the n_sack blocks, n at most 3 beside timestamps and 4
 * without (RFC 2018 3: the first block must be the most recent one; order is
 * the caller's). MSS, window scale and SACK-permitted are not sent.
 *
 * Returns the number of bytes written: a multiple of 4, at most 40 (0 when
 * there is nothing to send). Nothing is written past it.
 */
unsigned mdp_tcp_opts_build(uint8_t *buf, const struct mdp_tcp_opts *o,
			    bool syn);

/*
 * Effective send MSS (RFC 9293 3.7.1, RFC 6691): the peer's MSS option, or
 * 536 when it sent none (peer_mss_or_0 == 0), no larger than what the port's
 * MTU carries (mtu - 40). A peer MSS below MDP_TCP_MSS_MIN (48) is raised
 * to it, and so is the result when the MTU is below 88, so the result is
 * never below 48. The value excludes TCP options: a sender subtracts the
 * options it puts in a segment (12 bytes with timestamps) from it
 * (RFC 6691).
 */
uint16_t mdp_tcp_mss_clamp(uint16_t peer_mss_or_0, uint16_t mtu);

/*
 * RFC 7323 2.3: a received shift count above 14 is used as 14.
 */
static inline uint8_t
mdp_tcp_wscale_clamp(uint8_t wscale)
{
	return wscale > MDP_TCP_WSCALE_MAX ? MDP_TCP_WSCALE_MAX : wscale;
}

#endif
