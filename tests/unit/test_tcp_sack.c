/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "tcp/mdp_tcp_sack.h"
#include "tcp/mdp_tcp_seq.h"
#include "unit.h"

#define SMSS	1000u

typedef struct mdp_tcp_sack_block blk;

/* Update with a list of blocks; returns the D-SACK flag. */
static int
upd(struct mdp_tcp_scoreboard *sb, uint32_t una, uint32_t nxt, unsigned n,
    const blk *b)
{
	return mdp_tcp_sack_update(sb, una, nxt, b, n, NULL);
}

#define UPD(sb, una, nxt, ...)                                           \
	upd(sb, una, nxt, sizeof((blk[]){ __VA_ARGS__ }) / sizeof(blk), \
	    (blk[]){ __VA_ARGS__ })

/* The board holds exactly these ranges. */
static bool
board_is(const struct mdp_tcp_scoreboard *sb, unsigned n, const blk *want)
{
	uint32_t bytes = 0;

	if (sb->nr != n)
		return false;
	for (unsigned i = 0; i < n; i++) {
		if (sb->r[i].start != want[i].start || sb->r[i].end != want[i].end)
			return false;
		bytes += want[i].end - want[i].start;
	}
	return sb->bytes == bytes && mdp_tcp_sack_bytes(sb) == bytes;
}

#define BOARD_IS(sb, ...)                                                  \
	board_is(sb, sizeof((blk[]){ __VA_ARGS__ }) / sizeof(blk),         \
		 (blk[]){ __VA_ARGS__ })

static void
test_merge(void)
{
	struct mdp_tcp_scoreboard sb;

	mdp_tcp_sack_reset(&sb);
	CU_ASSERT_EQUAL(sb.nr, 0);
	CU_ASSERT_EQUAL(mdp_tcp_sack_bytes(&sb), 0);

	CU_ASSERT_EQUAL(UPD(&sb, 1000, 20000, { 5000, 6000 }), 0);
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 5000, 6000 }));
	UPD(&sb, 1000, 20000, { 7000, 8000 });
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 5000, 6000 }, { 7000, 8000 }));
	/* adjacent on both sides: one range */
	UPD(&sb, 1000, 20000, { 6000, 7000 });
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 5000, 8000 }));
	/* overlap on the left, then a superset */
	UPD(&sb, 1000, 20000, { 4000, 5500 });
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 4000, 8000 }));
	UPD(&sb, 1000, 20000, { 3000, 9000 });
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 3000, 9000 }));
	/* duplicates and subsets change nothing */
	UPD(&sb, 1000, 20000, { 3000, 9000 });
	UPD(&sb, 1000, 20000, { 4000, 4001 });
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 3000, 9000 }));
	/* several blocks in one ACK, in any order; one spans two ranges */
	UPD(&sb, 1000, 20000, { 14000, 15000 }, { 10000, 11000 }, { 12000, 13000 });
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 3000, 9000 }, { 10000, 11000 },
				{ 12000, 13000 }, { 14000, 15000 }));
	UPD(&sb, 1000, 20000, { 8500, 12500 });
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 3000, 13000 }, { 14000, 15000 }));
	UPD(&sb, 1000, 20000, { 13000, 14000 }, { 15000, 16000 });
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 3000, 16000 }));

	CU_ASSERT_FALSE(mdp_tcp_sack_is_sacked(&sb, 2999));
	CU_ASSERT_TRUE(mdp_tcp_sack_is_sacked(&sb, 3000));
	CU_ASSERT_TRUE(mdp_tcp_sack_is_sacked(&sb, 15999));
	CU_ASSERT_FALSE(mdp_tcp_sack_is_sacked(&sb, 16000));
	CU_ASSERT_FALSE(mdp_tcp_sack_is_sacked(&sb, 1000));
	CU_ASSERT_EQUAL(mdp_tcp_sack_highest(&sb), 16000);
	CU_ASSERT_EQUAL(sb.n_invalid, 0);
	CU_ASSERT_EQUAL(sb.n_dsack, 0);
	CU_ASSERT_EQUAL(sb.n_evicted, 0);

	/* an ACK without SACK blocks (blocks NULL) only trims */
	CU_ASSERT_EQUAL(mdp_tcp_sack_update(&sb, 1000, 20000, NULL, 0, NULL), 0);
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 3000, 16000 }));
}

static void
test_dsack(void)
{
	struct mdp_tcp_scoreboard sb;
	blk d = { 0, 0 };

	mdp_tcp_sack_reset(&sb);
	/* RFC 2883: first block below the cumulative ACK */
	CU_ASSERT_EQUAL(mdp_tcp_sack_update(&sb, 10000, 20000,
					    (blk[]){ { 9000, 9500 } }, 1, &d), 1);
	CU_ASSERT_EQUAL(d.start, 9000);
	CU_ASSERT_EQUAL(d.end, 9500);
	CU_ASSERT_EQUAL(sb.nr, 0);
	CU_ASSERT_EQUAL(sb.n_dsack, 1);
	CU_ASSERT_EQUAL(sb.n_invalid, 0);
	/* ... also when it only starts below */
	CU_ASSERT_EQUAL(UPD(&sb, 10000, 20000, { 9500, 10500 }), 1);
	CU_ASSERT_EQUAL(sb.nr, 0);
	/* first block inside the second: D-SACK, the second is stored */
	CU_ASSERT_EQUAL(UPD(&sb, 10000, 20000, { 12000, 12500 }, { 11000, 13000 }), 1);
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 11000, 13000 }));
	CU_ASSERT_EQUAL(UPD(&sb, 10000, 20000, { 11000, 13000 }, { 11000, 13000 }), 1);
	/* not a D-SACK: the first is the larger, or they only overlap */
	CU_ASSERT_EQUAL(UPD(&sb, 10000, 20000, { 14000, 16000 }, { 14500, 15000 }), 0);
	CU_ASSERT_EQUAL(UPD(&sb, 10000, 20000, { 16500, 17500 }, { 17000, 18000 }), 0);
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 11000, 13000 }, { 14000, 16000 }, { 16500, 18000 }));
	/* only the first block can be a D-SACK; later ones below snd_una
	 * are invalid */
	CU_ASSERT_EQUAL(UPD(&sb, 10000, 20000, { 18000, 18500 }, { 9000, 9500 }), 0);
	CU_ASSERT_EQUAL(sb.n_invalid, 1);
	CU_ASSERT_EQUAL(sb.n_dsack, 4);
	/* dsack may be NULL */
	CU_ASSERT_EQUAL(mdp_tcp_sack_update(&sb, 10000, 20000,
					    (blk[]){ { 1, 2 } }, 1, NULL), 1);
	/* a first block past snd_nxt is invalid, not a D-SACK */
	CU_ASSERT_EQUAL(UPD(&sb, 10000, 20000, { 9000, 20001 }), 0);
	CU_ASSERT_EQUAL(sb.n_invalid, 2);
}

static void
test_invalid(void)
{
	struct mdp_tcp_scoreboard sb;

	mdp_tcp_sack_reset(&sb);
	UPD(&sb, 10000, 20000,
	    { 12000, 13000 },		/* valid */
	    { 19000, 21000 },		/* past snd_nxt */
	    { 20000, 21000 },		/* entirely past */
	    { 15000, 14000 });		/* reversed */
	UPD(&sb, 10000, 20000,
	    { 15000, 15000 },		/* empty */
	    { 5000, 6000 },		/* below snd_una, not first */
	    { 9500, 10500 },		/* straddles snd_una, not first */
	    { 15000, 15000 + (1u << 31) + 5 });	/* longer than 2^31 */
	CU_ASSERT_EQUAL(sb.n_invalid, 7);
	CU_ASSERT_EQUAL(sb.n_dsack, 0);
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 12000, 13000 }));
	/* edges are inclusive as documented: [snd_una, snd_nxt] */
	UPD(&sb, 10000, 20000, { 10000, 10001 }, { 19999, 20000 });
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 10000, 10001 }, { 12000, 13000 }, { 19999, 20000 }));
	CU_ASSERT_EQUAL(sb.n_invalid, 7);
}

static void
test_trim(void)
{
	struct mdp_tcp_scoreboard sb;

	mdp_tcp_sack_reset(&sb);
	UPD(&sb, 10000, 20000, { 12000, 13000 }, { 15000, 16000 });
	UPD(&sb, 12500, 20000);
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 12500, 13000 }, { 15000, 16000 }));
	UPD(&sb, 13000, 20000);
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 15000, 16000 }));
	CU_ASSERT_EQUAL(mdp_tcp_sack_highest(&sb), 16000);
	UPD(&sb, 17000, 20000);
	CU_ASSERT_EQUAL(sb.nr, 0);
	CU_ASSERT_EQUAL(mdp_tcp_sack_bytes(&sb), 0);
	CU_ASSERT_EQUAL(mdp_tcp_sack_highest(&sb), 17000);

	/* a smaller snd_nxt (a caller that pulled SND.NXT back) clips */
	UPD(&sb, 17000, 30000, { 18000, 19000 }, { 25000, 28000 });
	UPD(&sb, 17000, 26000);
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 18000, 19000 }, { 25000, 26000 }));
	UPD(&sb, 17000, 18500);
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 18000, 18500 }));

	/* across the 2^32 wrap */
	mdp_tcp_sack_reset(&sb);
	UPD(&sb, 0xfffff000u, 0x1000u, { 0xfffff800u, 0x400u }, { 0x800u, 0x900u });
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 0xfffff800u, 0x400u }, { 0x800u, 0x900u }));
	CU_ASSERT_EQUAL(mdp_tcp_sack_bytes(&sb), 0xc00 + 0x100);
	CU_ASSERT_TRUE(mdp_tcp_sack_is_sacked(&sb, 0xffffffffu));
	CU_ASSERT_TRUE(mdp_tcp_sack_is_sacked(&sb, 0));
	CU_ASSERT_FALSE(mdp_tcp_sack_is_sacked(&sb, 0x400));
	CU_ASSERT_FALSE(mdp_tcp_sack_is_sacked(&sb, 0xfffff7ffu));
	UPD(&sb, 0xfffff000u, 0x1000u, { 0x400u, 0x800u });
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 0xfffff800u, 0x900u }));
	UPD(&sb, 0x10u, 0x1000u);
	CU_ASSERT_TRUE(BOARD_IS(&sb, { 0x10u, 0x900u }));
	CU_ASSERT_EQUAL(mdp_tcp_sack_highest(&sb), 0x900u);
}

static void
test_bound(void)
{
	struct mdp_tcp_scoreboard sb;

	mdp_tcp_sack_reset(&sb);
	/* 40 disjoint segments, ascending: the 32 highest are kept */
	for (uint32_t i = 0; i < 40; i++)
		UPD(&sb, 0, 100000, { 1000 + 2000 * i, 2000 + 2000 * i });
	CU_ASSERT_EQUAL(sb.nr, MDP_TCP_SACK_RANGES);
	CU_ASSERT_EQUAL(sb.n_evicted, 8);
	CU_ASSERT_EQUAL(sb.r[0].start, 1000 + 2000 * 8);
	CU_ASSERT_EQUAL(sb.r[31].end, 2000 + 2000 * 39);
	CU_ASSERT_EQUAL(mdp_tcp_sack_bytes(&sb), 32 * 1000);
	/* a new lowest range is itself the one left out */
	UPD(&sb, 0, 100000, { 500, 600 });
	CU_ASSERT_EQUAL(sb.n_evicted, 9);
	CU_ASSERT_EQUAL(sb.r[0].start, 1000 + 2000 * 8);
	/* a new high one pushes out the lowest */
	UPD(&sb, 0, 100000, { 90000, 91000 });
	CU_ASSERT_EQUAL(sb.n_evicted, 10);
	CU_ASSERT_EQUAL(sb.r[0].start, 1000 + 2000 * 9);
	CU_ASSERT_EQUAL(sb.r[31].start, 90000);
	CU_ASSERT_EQUAL(mdp_tcp_sack_highest(&sb), 91000);
	/* a block that bridges two ranges merges, no eviction */
	UPD(&sb, 0, 100000, { 20000, 22000 });
	CU_ASSERT_EQUAL(sb.nr, 31);
	CU_ASSERT_EQUAL(sb.n_evicted, 10);
	/* and a block in the middle when full evicts the lowest */
	UPD(&sb, 0, 100000, { 85000, 85500 });
	UPD(&sb, 0, 100000, { 86000, 86500 });
	CU_ASSERT_EQUAL(sb.nr, 32);
	CU_ASSERT_EQUAL(sb.n_evicted, 11);
	for (uint32_t i = 1; i < sb.nr; i++)
		CU_ASSERT(mdp_seq_lt(sb.r[i - 1].end, sb.r[i].start));
	/* reset forgets everything */
	mdp_tcp_sack_reset(&sb);
	CU_ASSERT_EQUAL(sb.nr, 0);
	CU_ASSERT_EQUAL(sb.n_evicted, 0);
}

/*
 * Hand-worked scoreboard, SMSS 1000, SND.UNA 1000, SND.NXT 11000 (segments
 * 1000..10999), DupThresh 3:
 *
 *   1000  2000  3000  4000  5000  6000  7000  8000  9000  10000  11000
 *   |  hole (3 segments) |SACK |hole |  SACK (3 segments)|  hole (2)  |
 *
 *   hole [1000, 4000): 4000 SACKed bytes above  -> lost
 *   hole [5000, 6000): 3000 SACKed bytes above  -> lost
 *   hole [9000, 11000): nothing above           -> not lost
 */
static void
worked_board(struct mdp_tcp_scoreboard *sb)
{
	mdp_tcp_sack_reset(sb);
	UPD(sb, 1000, 11000, { 6000, 9000 }, { 4000, 5000 });
}

static void
test_is_lost(void)
{
	struct mdp_tcp_scoreboard sb;

	worked_board(&sb);
	CU_ASSERT_TRUE(mdp_tcp_sack_is_lost(&sb, 1000, SMSS, 3));
	CU_ASSERT_TRUE(mdp_tcp_sack_is_lost(&sb, 3999, SMSS, 3));
	CU_ASSERT_TRUE(mdp_tcp_sack_is_lost(&sb, 5000, SMSS, 3));
	CU_ASSERT_FALSE(mdp_tcp_sack_is_lost(&sb, 9000, SMSS, 3));
	CU_ASSERT_FALSE(mdp_tcp_sack_is_lost(&sb, 10999, SMSS, 3));

	/* by count: three discontiguous SACKed segments of 100 bytes each */
	mdp_tcp_sack_reset(&sb);
	UPD(&sb, 1000, 11000, { 6000, 6100 }, { 7000, 7100 });
	CU_ASSERT_FALSE(mdp_tcp_sack_is_lost(&sb, 1000, SMSS, 3));
	UPD(&sb, 1000, 11000, { 8000, 8100 });
	CU_ASSERT_TRUE(mdp_tcp_sack_is_lost(&sb, 1000, SMSS, 3));
	CU_ASSERT_TRUE(mdp_tcp_sack_is_lost(&sb, 5999, SMSS, 3));
	/* inside a range only the bytes above count: [6051, 6100) + 2 */
	CU_ASSERT_TRUE(mdp_tcp_sack_is_lost(&sb, 6050, SMSS, 3));
	CU_ASSERT_FALSE(mdp_tcp_sack_is_lost(&sb, 6099, SMSS, 3));
	CU_ASSERT_FALSE(mdp_tcp_sack_is_lost(&sb, 6100, SMSS, 3));
	CU_ASSERT_FALSE(mdp_tcp_sack_is_lost(&sb, 1000, SMSS, 4));

	/* by bytes: more than (DupThresh - 1) * SMSS SACKed above */
	mdp_tcp_sack_reset(&sb);
	UPD(&sb, 1000, 11000, { 6000, 8000 });
	CU_ASSERT_FALSE(mdp_tcp_sack_is_lost(&sb, 1000, SMSS, 3));
	UPD(&sb, 1000, 11000, { 8000, 8001 });
	CU_ASSERT_TRUE(mdp_tcp_sack_is_lost(&sb, 1000, SMSS, 3));
	CU_ASSERT_TRUE(mdp_tcp_sack_is_lost(&sb, 5999, SMSS, 3));
	/* only bytes strictly above count: 2000 above 6000 */
	CU_ASSERT_FALSE(mdp_tcp_sack_is_lost(&sb, 6000, SMSS, 3));

	/* DupThresh 1: anything SACKed above; 0 means 1 */
	CU_ASSERT_TRUE(mdp_tcp_sack_is_lost(&sb, 7999, SMSS, 1));
	CU_ASSERT_TRUE(mdp_tcp_sack_is_lost(&sb, 7999, SMSS, 0));
	CU_ASSERT_FALSE(mdp_tcp_sack_is_lost(&sb, 8000, SMSS, 1));
	/* empty board: nothing is lost */
	mdp_tcp_sack_reset(&sb);
	CU_ASSERT_FALSE(mdp_tcp_sack_is_lost(&sb, 1000, SMSS, 1));
}

static void
test_pipe(void)
{
	struct mdp_tcp_scoreboard sb;

	worked_board(&sb);
	/* nothing retransmitted: only the tail hole is in flight */
	CU_ASSERT_EQUAL(mdp_tcp_sack_pipe(&sb, 1000, 11000, 1000, SMSS, 3), 2000);
	/* one segment retransmitted */
	CU_ASSERT_EQUAL(mdp_tcp_sack_pipe(&sb, 1000, 11000, 2000, SMSS, 3), 3000);
	/* retransmitted up to 5500: [1000,4000) + [5000,5500) */
	CU_ASSERT_EQUAL(mdp_tcp_sack_pipe(&sb, 1000, 11000, 5500, SMSS, 3), 5500);
	/* everything retransmitted: the tail counts twice */
	CU_ASSERT_EQUAL(mdp_tcp_sack_pipe(&sb, 1000, 11000, 11000, SMSS, 3),
			2000 + 3000 + 1000 + 2000);
	/* high_rxt below snd_una means nothing */
	CU_ASSERT_EQUAL(mdp_tcp_sack_pipe(&sb, 1000, 11000, 500, SMSS, 3), 2000);
	/* a larger DupThresh: the middle hole is not lost any more */
	CU_ASSERT_EQUAL(mdp_tcp_sack_pipe(&sb, 1000, 11000, 1000, SMSS, 4), 3000);
	/* SND.UNA moved without an update: clipped, [5000, 6000) is lost */
	CU_ASSERT_EQUAL(mdp_tcp_sack_pipe(&sb, 4500, 11000, 4500, SMSS, 3), 2000);
	CU_ASSERT_EQUAL(mdp_tcp_sack_pipe(&sb, 4500, 11000, 5200, SMSS, 3), 2200);

	/* one SACKed range of two segments: nothing lost yet */
	mdp_tcp_sack_reset(&sb);
	UPD(&sb, 1000, 11000, { 6000, 8000 });
	CU_ASSERT_EQUAL(mdp_tcp_sack_pipe(&sb, 1000, 11000, 1000, SMSS, 3), 8000);
	/* no SACK: pipe is the flight */
	mdp_tcp_sack_reset(&sb);
	CU_ASSERT_EQUAL(mdp_tcp_sack_pipe(&sb, 1000, 11000, 1000, SMSS, 3), 10000);
	CU_ASSERT_EQUAL(mdp_tcp_sack_pipe(&sb, 1000, 1000, 1000, SMSS, 3), 0);
}

static void
test_next_seg(void)
{
	struct mdp_tcp_scoreboard sb;
	uint32_t seq = 0, len = 0;
	bool lost = false;

	worked_board(&sb);
	/* rule 1: the lowest lost hole above HighRxt, one segment */
	CU_ASSERT_EQUAL(mdp_tcp_sack_next_seg(&sb, 1000, 11000, 1000, SMSS, 3,
					      &seq, &len, &lost), 0);
	CU_ASSERT_EQUAL(seq, 1000);
	CU_ASSERT_EQUAL(len, 1000);
	CU_ASSERT_TRUE(lost);
	CU_ASSERT_EQUAL(mdp_tcp_sack_next_seg(&sb, 1000, 11000, 2000, SMSS, 3,
					      &seq, &len, &lost), 0);
	CU_ASSERT_EQUAL(seq, 2000);
	/* the segment stops at the hole's end */
	CU_ASSERT_EQUAL(mdp_tcp_sack_next_seg(&sb, 1000, 11000, 3500, SMSS, 3,
					      &seq, &len, &lost), 0);
	CU_ASSERT_EQUAL(seq, 3500);
	CU_ASSERT_EQUAL(len, 500);
	/* the next hole */
	CU_ASSERT_EQUAL(mdp_tcp_sack_next_seg(&sb, 1000, 11000, 4000, SMSS, 3,
					      &seq, &len, &lost), 0);
	CU_ASSERT_EQUAL(seq, 5000);
	CU_ASSERT_EQUAL(len, 1000);
	CU_ASSERT_TRUE(lost);
	/* HighRxt inside a SACKed range */
	CU_ASSERT_EQUAL(mdp_tcp_sack_next_seg(&sb, 1000, 11000, 4500, SMSS, 3,
					      &seq, &len, NULL), 0);
	CU_ASSERT_EQUAL(seq, 5000);
	/* the tail above the highest SACK is never returned (1.b) */
	CU_ASSERT_EQUAL(mdp_tcp_sack_next_seg(&sb, 1000, 11000, 6000, SMSS, 3,
					      &seq, &len, &lost), -ENOENT);
	/* smaller segments */
	CU_ASSERT_EQUAL(mdp_tcp_sack_next_seg(&sb, 1000, 11000, 1000, 300, 3,
					      &seq, &len, &lost), 0);
	CU_ASSERT_EQUAL(seq, 1000);
	CU_ASSERT_EQUAL(len, 300);

	/* rule 3: a hole below SACKed data that is not lost yet */
	mdp_tcp_sack_reset(&sb);
	UPD(&sb, 1000, 11000, { 6000, 8000 });
	CU_ASSERT_EQUAL(mdp_tcp_sack_next_seg(&sb, 1000, 11000, 1000, SMSS, 3,
					      &seq, &len, &lost), 0);
	CU_ASSERT_EQUAL(seq, 1000);
	CU_ASSERT_FALSE(lost);
	/* one more SACKed segment makes the low hole lost; the upper hole
	 * [8000, 9000) has one segment above: rule 3 only */
	UPD(&sb, 1000, 11000, { 9000, 9100 });
	CU_ASSERT_EQUAL(mdp_tcp_sack_next_seg(&sb, 1000, 11000, 1000, SMSS, 3,
					      &seq, &len, &lost), 0);
	CU_ASSERT_EQUAL(seq, 1000);
	CU_ASSERT_TRUE(lost);
	CU_ASSERT_EQUAL(mdp_tcp_sack_next_seg(&sb, 1000, 11000, 6000, SMSS, 3,
					      &seq, &len, &lost), 0);
	CU_ASSERT_EQUAL(seq, 8000);
	CU_ASSERT_EQUAL(len, 1000);
	CU_ASSERT_FALSE(lost);

	/* nothing SACKed: nothing to retransmit by SACK */
	mdp_tcp_sack_reset(&sb);
	CU_ASSERT_EQUAL(mdp_tcp_sack_next_seg(&sb, 1000, 11000, 1000, SMSS, 3,
					      &seq, &len, &lost), -ENOENT);
}

/* ------------------------------------------- random updates vs a bitmap */

#define WIN	65536u
#define RING	(2 * WIN)		/* bitmap ring over sequence space */

static uint8_t rcv_map[RING / 8];	/* what the receiver holds */
static uint8_t snd_map[RING / 8];	/* union of valid reported blocks */
static uint32_t isn;
static uint64_t rng;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 32);
}

static bool
bit(const uint8_t *m, uint32_t seq)
{
	uint32_t i = (seq - isn) % RING;

	return m[i / 8] & (1u << (i % 8));
}

static void
set_bit(uint8_t *m, uint32_t seq, bool v)
{
	uint32_t i = (seq - isn) % RING;

	if (v)
		m[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		m[i / 8] &= (uint8_t)~(1u << (i % 8));
}

/* Bitmap walks, a byte at a time where they can. */
static void
fill(uint8_t *m, uint32_t s, uint32_t e, bool v)
{
	while (s != e) {
		uint32_t i = (s - isn) % RING;

		if (i % 8 == 0 && e - s >= 8) {
			m[i / 8] = v ? 0xff : 0;
			s += 8;
		} else {
			set_bit(m, s++, v);
		}
	}
}

/* The first sequence number in [s, e) whose bit is not v, or e. */
static uint32_t
skip(const uint8_t *m, uint32_t s, uint32_t e, bool v)
{
	while (s != e) {
		uint32_t i = (s - isn) % RING;

		if (i % 8 == 0 && e - s >= 8 && m[i / 8] == (v ? 0xff : 0)) {
			s += 8;
			continue;
		}
		if (bit(m, s) != v)
			return s;
		s++;
	}
	return e;
}

/* Going down from s to lo: the lowest x with bits [x, s) all v. */
static uint32_t
skip_back(const uint8_t *m, uint32_t s, uint32_t lo, bool v)
{
	while (s != lo) {
		uint32_t i = (s - isn) % RING;

		if (i % 8 == 0 && s - lo >= 8 &&
		    m[((i + RING - 8) % RING) / 8] == (v ? 0xff : 0)) {
			s -= 8;
			continue;
		}
		if (bit(m, s - 1) != v)
			return s;
		s--;
	}
	return lo;
}

/* The receiver's run of held bytes that contains seq. */
static blk
run_at(uint32_t seq, uint32_t una, uint32_t nxt)
{
	blk b;

	b.start = skip_back(rcv_map, seq, una, true);
	b.end = skip(rcv_map, seq, nxt, true);
	return b;
}

/* Brute-force RFC 6675 SetPipe(), octet by octet, from the board's own
 * IsLost(). */
static uint32_t
pipe_brute(const struct mdp_tcp_scoreboard *sb, uint32_t una, uint32_t nxt,
	   uint32_t high_rxt)
{
	uint32_t pipe = 0;

	for (uint32_t s = una; s != nxt; s++) {
		if (mdp_tcp_sack_is_sacked(sb, s))
			continue;
		if (!mdp_tcp_sack_is_lost(sb, s, SMSS, 3))
			pipe++;
		if (mdp_seq_lt(s, high_rxt))
			pipe++;
	}
	return pipe;
}

/* Structure every time; contents against the bitmaps when full is set
 * (a scan of the window). */
static void
check_board(const struct mdp_tcp_scoreboard *sb, uint32_t una, uint32_t nxt,
	    bool exact, bool full, int iter, bool *failed)
{
	uint32_t bytes = 0, hi = una;
	char msg[128];

	if (*failed)
		return;
	if (sb->nr > MDP_TCP_SACK_RANGES)
		goto bad;
	for (uint32_t i = 0; i < sb->nr; i++) {
		const blk *r = &sb->r[i];

		if (!mdp_seq_lt(r->start, r->end) || mdp_seq_lt(r->start, una) ||
		    mdp_seq_gt(r->end, nxt))
			goto bad;
		if (i > 0 && !mdp_seq_lt(sb->r[i - 1].end, r->start))
			goto bad;	/* unsorted, overlapping or adjacent */
		bytes += r->end - r->start;
		if (!full)
			continue;
		/* never claims what was not reported, nor what is not held */
		if (skip(snd_map, r->start, r->end, true) != r->end ||
		    skip(rcv_map, r->start, r->end, true) != r->end)
			goto bad;
	}
	if (bytes != sb->bytes)
		goto bad;
	if (!full)
		return;
	/* exactly the model's runs, or a subset (checked above) that keeps
	 * the highest reported byte */
	uint32_t nrun = 0, s = una;

	while ((s = skip(snd_map, s, nxt, false)) != nxt) {
		uint32_t start = s;

		s = skip(snd_map, s, nxt, true);
		hi = s;
		if (exact && (nrun >= sb->nr || sb->r[nrun].start != start ||
			      sb->r[nrun].end != s))
			goto bad;
		nrun++;
	}
	if (exact && nrun != sb->nr)
		goto bad;
	if (mdp_tcp_sack_highest(sb) != hi)
		goto bad;
	return;
bad:
	snprintf(msg, sizeof(msg), "scoreboard inconsistent at iteration %d", iter);
	CU_FAIL(msg);
	puts(msg);
	*failed = true;
}

/*
 * Random traffic over a 64 KiB window: the receiver holds random segments
 * (grid > 0: aligned to it, so that at most WIN / grid / 2 runs exist),
 * the cumulative ACK advances when the hole at SND.UNA fills, and each ACK
 * carries up to 4 SACK blocks as RFC 2018 says (the run with the newest
 * segment first, then others), sometimes with a D-SACK first or with bogus
 * blocks. The scoreboard is checked against the bitmaps after every ACK.
 */
static void
random_run(uint64_t seed, uint32_t grid, int iters, bool expect_evictions)
{
	struct mdp_tcp_scoreboard sb;
	uint32_t una, nxt;
	bool failed = false;
	int checks = 0;

	rng = seed;
	isn = 0xffff0000u + (rnd() & 0xffff);	/* wraps during the run */
	una = isn;
	nxt = una + WIN;
	memset(rcv_map, 0, sizeof(rcv_map));
	memset(snd_map, 0, sizeof(snd_map));
	mdp_tcp_sack_reset(&sb);

	for (int it = 0; it < iters && !failed; it++) {
		blk b[4];
		unsigned n = 0;
		uint32_t off, len, seg;

		/* a segment arrives: at SND.UNA one time in 12, else anywhere */
		if (grid != 0) {
			off = rnd() % 12 == 0 ? 0 : (rnd() % (WIN / grid)) * grid;
			off = off - (una - isn) % grid;	/* keep the grid */
			if (mdp_seq_lt(una + off, una))
				off += grid;
			len = grid;
		} else {
			off = rnd() % 12 == 0 ? 0 : rnd() % WIN;
			len = 1 + rnd() % 1460;
		}
		seg = una + off;
		if (mdp_seq_gt(seg + len, nxt))
			len = nxt - seg;
		if (len == 0)
			continue;
		bool dup = bit(rcv_map, seg);
		fill(rcv_map, seg, seg + len, true);

		/* cumulative ACK; the sender keeps the window full */
		uint32_t acked = skip(rcv_map, una, nxt, true);
		fill(rcv_map, una, acked, false);
		fill(snd_map, una, acked, false);
		una = acked;
		nxt = una + WIN;

		/* the SACK option */
		if (dup && rnd() % 2 == 0) {
			/* D-SACK for the duplicate, then the run */
			b[n++] = (blk){ seg, seg + len };
		} else if (rnd() % 16 == 0 && mdp_seq_gt(una, isn + 10)) {
			b[n++] = (blk){ una - 10, una - 2 };
		}
		if (mdp_seq_gt(seg + len, una)) {
			blk r = run_at(mdp_seq_max(seg, una), una, nxt);

			if (mdp_seq_lt(r.start, r.end))
				b[n++] = r;
		}
		while (n < 4) {
			uint32_t s = una + rnd() % WIN;

			if (rnd() % 32 == 0) {
				/* bogus: beyond snd_nxt, or reversed */
				b[n++] = rnd() % 2 ? (blk){ nxt - 5, nxt + 100 }
						   : (blk){ s + 10, s };
				continue;
			}
			if (!bit(rcv_map, s))
				break;
			b[n++] = run_at(s, una, nxt);
		}

		mdp_tcp_sack_update(&sb, una, nxt, b, n, NULL);
		/* the model: every valid block, D-SACKs excepted */
		for (unsigned i = 0; i < n; i++) {
			if (!mdp_seq_lt(b[i].start, b[i].end) ||
			    mdp_seq_lt(b[i].start, una) || mdp_seq_gt(b[i].end, nxt))
				continue;
			if (i == 0 && n > 1 && mdp_seq_ge(b[0].start, b[1].start) &&
			    mdp_seq_le(b[0].end, b[1].end))
				continue;
			fill(snd_map, b[i].start, b[i].end, true);
		}
		check_board(&sb, una, nxt, sb.n_evicted == 0, it % 25 == 0, it,
			    &failed);

		/* SetPipe() and NextSeg() against octet-by-octet versions */
		if (it % 1000 == 0 && !failed) {
			uint32_t high_rxt = una + rnd() % WIN, seq, l, S = 0;
			bool lost, found = false;
			int rc;

			checks++;
			if (mdp_tcp_sack_pipe(&sb, una, nxt, high_rxt, SMSS, 3) !=
			    pipe_brute(&sb, una, nxt, high_rxt)) {
				CU_FAIL("pipe differs from the octet-by-octet SetPipe()");
				failed = true;
			}
			for (uint32_t s = high_rxt; mdp_seq_lt(s, mdp_tcp_sack_highest(&sb)); s++) {
				if (!mdp_tcp_sack_is_sacked(&sb, s)) {
					S = s;
					found = true;
					break;
				}
			}
			rc = mdp_tcp_sack_next_seg(&sb, una, nxt, high_rxt, SMSS, 3,
						   &seq, &l, &lost);
			if (rc != (found ? 0 : -ENOENT) ||
			    (found && (seq != S || l == 0 || l > SMSS ||
				       mdp_tcp_sack_is_sacked(&sb, seq + l - 1) ||
				       (l < SMSS && !mdp_tcp_sack_is_sacked(&sb, seq + l)) ||
				       lost != mdp_tcp_sack_is_lost(&sb, S, SMSS, 3)))) {
				CU_FAIL("NextSeg differs from the octet-by-octet rule");
				failed = true;
			}
		}
	}
	CU_ASSERT(checks > 0);
	if (expect_evictions) {
		CU_ASSERT(sb.n_evicted > 0);
	} else {
		CU_ASSERT_EQUAL(sb.n_evicted, 0);
	}
	CU_ASSERT(sb.n_dsack > 0);
	CU_ASSERT(sb.n_invalid > 0);
	CU_ASSERT(mdp_seq_gt(una, isn + 4 * WIN));	/* it progressed */
}

static void
test_random_exact(void)
{
	/* at most 16 runs: never full, the board equals the model */
	random_run(0x1234567887654321ull, 4096, 20000, false);
	random_run(42, 2048, 20000, false);
}

static void
test_random_bounded(void)
{
	/* many more runs than ranges: bounded, sound, highest kept */
	random_run(0xdeadbeefcafef00dull, 0, 20000, true);
	random_run(7, 0, 20000, true);
}

static CU_TestInfo tests[] = {
	{ "merging and overlapping blocks", test_merge },
	{ "D-SACK detection (RFC 2883)", test_dsack },
	{ "invalid blocks ignored", test_invalid },
	{ "SND.UNA advance trims; wrap-around", test_trim },
	{ "bounded ranges, keep the highest", test_bound },
	{ "IsLost (RFC 6675)", test_is_lost },
	{ "SetPipe (RFC 6675), worked example", test_pipe },
	{ "NextSeg rules 1 and 3 (RFC 6675)", test_next_seg },
	{ "random updates vs a bitmap model, exact", test_random_exact },
	{ "random updates vs a bitmap model, bounded", test_random_bounded },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("tcp_sack", NULL, NULL, tests);
}
