/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TCP_SACK_H
#define MDP_TCP_SACK_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp/mdp_tcp_opts.h"	/* struct mdp_tcp_sack_block */

/*
 * The sender's SACK scoreboard for loss recovery (RFC 2018, RFC 6675).
 *
 * It records which bytes above SND.UNA the receiver reported in SACK blocks,
 * as a sorted array of disjoint, non-adjacent ranges, and answers RFC 6675's
 * questions: IsLost(), SetPipe(), and NextSeg() rules 1 and 3. The sender
 * keeps the rest of RFC 6675's state (HighRxt, RecoveryPoint, RescueRxt,
 * DupAcks) and the data itself.
 *
 * Sequence numbers are host-order and compared modulo 2^32
 * (mdp_tcp_seq.h). Arguments common to the functions below:
 *   snd_una   SND.UNA after this ACK's cumulative acknowledgment (HighACK + 1)
 *   snd_nxt   one past the highest byte ever sent (HighData + 1; BSD's
 *             snd_max): a stack that pulls SND.NXT back on a timeout passes
 *             its highest sent sequence here
 *   high_rxt  one past the highest byte retransmitted in the current
 *             recovery (HighRxt + 1); snd_una when nothing has been, which
 *             is also RFC 6675's initial HighRxt = HighACK
 *   smss      sender MSS
 *   dupthresh DupThresh, normally MDP_TCP_DUPTHRESH (3); 0 counts as 1
 *
 * Bound: at most MDP_TCP_SACK_RANGES ranges. When a new range would be one
 * too many, the lowest range (nearest SND.UNA) is forgotten, so the board
 * keeps the highest ranges; a forgotten range is never invented or merged
 * into a neighbour, so the board never claims a byte the receiver did not
 * report. Forgetting only makes the sender retransmit those bytes needlessly
 * (they look like a lost hole) until the receiver reports them again; the
 * highest SACKed byte, which drives loss detection, is always kept. With 3-4
 * blocks per ACK a receiver needs 32 holes to get there.
 *
 * No allocation; the struct lives in the connection. Not thread-safe.
 */

/* Ranges kept (see the bound above). */
#define MDP_TCP_SACK_RANGES	32
/* RFC 6675 2: DupThresh. */
#define MDP_TCP_DUPTHRESH	3

struct mdp_tcp_scoreboard {
	uint32_t nr;		/* ranges in use */
	uint32_t bytes;		/* SACKed bytes, sum of the ranges */
	uint32_t una;		/* snd_una of the last update */
	/* cumulative statistics, for the per-core counters */
	uint32_t n_invalid;	/* SACK blocks ignored as invalid */
	uint32_t n_dsack;	/* D-SACK blocks seen */
	uint32_t n_evicted;	/* ranges forgotten because the board was full */
	/* ascending, disjoint, non-adjacent, within [una, snd_nxt) */
	struct mdp_tcp_sack_block r[MDP_TCP_SACK_RANGES];
};

/*
 * Forget all SACK information (and zero the statistics): at connection
 * set-up, and after a retransmission timeout, since the receiver may have
 * reneged (RFC 2018 8, RFC 6675 5.1).
 */
void mdp_tcp_sack_reset(struct mdp_tcp_scoreboard *sb);

/*
 * Process one ACK: drop what lies below snd_una (and at or beyond snd_nxt),
 * then merge the valid blocks in (RFC 6675 Update()).
 *
 * @param blocks, n
 *   The segment's SACK blocks in received order (struct mdp_tcp_opts sack[],
 *   n_sack); may be NULL when n is 0 (an ACK without SACK still trims).
 * @param dsack
 *   If not NULL, receives the D-SACK block when there is one.
 *
 * A block is stored when snd_una <= start < end <= snd_nxt. The first block
 * is a D-SACK (RFC 2883: it reports a duplicate) when it starts below
 * snd_una, or when it lies within the second block; a D-SACK is counted and
 * reported, never stored (its bytes are either cumulatively acknowledged or
 * already covered by the second block). Whether a D-SACK covers a
 * retransmission of ours (RFC 3708) is for the caller to judge. Other blocks
 * below snd_una, past snd_nxt, empty or reversed are ignored and counted in
 * n_invalid (a receiver cannot SACK data we never sent: a bogus block must
 * not make us skip a retransmission).
 *
 * Returns 1 when the first block was a D-SACK, 0 otherwise.
 */
int mdp_tcp_sack_update(struct mdp_tcp_scoreboard *sb, uint32_t snd_una,
			uint32_t snd_nxt, const struct mdp_tcp_sack_block *blocks,
			unsigned n, struct mdp_tcp_sack_block *dsack);

/* True when byte seq is SACKed. */
bool mdp_tcp_sack_is_sacked(const struct mdp_tcp_scoreboard *sb, uint32_t seq);

/*
 * RFC 6675 IsLost(seq): true when, counting only SACKed bytes with sequence
 * numbers greater than seq,
 *  - at least dupthresh SACKed segments lie above seq, where a range of L
 *    bytes counts as ceil(L / smss) segments (the fewest it can have been
 *    sent as; each discontiguous range counts at least once, RFC 6675's
 *    "DupThresh discontiguous SACKed sequences"), or
 *  - more than (dupthresh - 1) * smss bytes are SACKed above seq.
 * (The second rule implies the first with this count; both are written out
 * as RFC 6675 states them.)
 */
bool mdp_tcp_sack_is_lost(const struct mdp_tcp_scoreboard *sb, uint32_t seq,
			  uint32_t smss, unsigned dupthresh);

/*
 * RFC 6675 SetPipe(): bytes estimated in flight. Over every byte in
 * [snd_una, snd_nxt) that is not SACKed: count it once if it is not lost
 * (IsLost() false), and once more if it lies below high_rxt (retransmitted).
 * Byte-exact; IsLost() is constant over a hole, so the cost is O(ranges).
 */
uint32_t mdp_tcp_sack_pipe(const struct mdp_tcp_scoreboard *sb, uint32_t snd_una,
			   uint32_t snd_nxt, uint32_t high_rxt, uint32_t smss,
			   unsigned dupthresh);

/*
 * RFC 6675 NextSeg() rules 1 and 3: the lowest unSACKed byte S with
 * S >= max(snd_una, high_rxt) (1.a) that lies below the highest SACKed byte
 * (1.b), and the segment of up to smss bytes starting there that stays
 * within the hole.
 *
 * @param seq, len
 *   Receive the range to retransmit.
 * @param lost
 *   If not NULL, receives IsLost(S). True: rule 1, retransmit now. False:
 *   rule 3, which applies only when rule 2 fails, so the sender first sends
 *   new data if it has some and the receive window allows, and retransmits
 *   this range only otherwise. (A lowest candidate that is not lost means no
 *   higher one is: IsLost() only weakens going up.)
 *
 * Rule 2 (new data) and rule 4 (rescue retransmission) are the sender's.
 *
 * Returns 0 with *seq and *len set, or -ENOENT when there is no hole above
 * high_rxt below the highest SACKed byte.
 */
int mdp_tcp_sack_next_seg(const struct mdp_tcp_scoreboard *sb, uint32_t snd_una,
			  uint32_t snd_nxt, uint32_t high_rxt, uint32_t smss,
			  unsigned dupthresh, uint32_t *seq, uint32_t *len, bool *lost);

/* One past the highest SACKed byte; snd_una of the last update when nothing
 * is SACKed (0 after reset). */
uint32_t mdp_tcp_sack_highest(const struct mdp_tcp_scoreboard *sb);

/* Bytes SACKed above snd_una of the last update. */
uint32_t mdp_tcp_sack_bytes(const struct mdp_tcp_scoreboard *sb);

#endif
