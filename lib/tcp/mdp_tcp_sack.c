/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "tcp/mdp_tcp_sack.h"
#include "tcp/mdp_tcp_seq.h"

static inline uint32_t
blk_len(const struct mdp_tcp_sack_block *b)
{
	return b->end - b->start;
}

/* Remove ranges [i, i + k). */
static void
remove_ranges(struct mdp_tcp_scoreboard *sb, uint32_t i, uint32_t k)
{
	uint32_t j;

	for (j = i; j < i + k; j++)
		sb->bytes -= blk_len(&sb->r[j]);
	memmove(&sb->r[i], &sb->r[i + k], (sb->nr - i - k) * sizeof(sb->r[0]));
	sb->nr -= k;
}

/* Keep only [una, nxt). */
static void
trim(struct mdp_tcp_scoreboard *sb, uint32_t una, uint32_t nxt)
{
	uint32_t k = 0;
	struct mdp_tcp_sack_block *last;

	while (k < sb->nr && mdp_seq_le(sb->r[k].end, una))
		k++;
	if (k > 0)
		remove_ranges(sb, 0, k);
	if (sb->nr > 0 && mdp_seq_lt(sb->r[0].start, una)) {
		sb->bytes -= una - sb->r[0].start;
		sb->r[0].start = una;
	}

	k = sb->nr;
	while (k > 0 && mdp_seq_ge(sb->r[k - 1].start, nxt))
		k--;
	if (k < sb->nr)
		remove_ranges(sb, k, sb->nr - k);
	if (sb->nr > 0) {
		last = &sb->r[sb->nr - 1];
		if (mdp_seq_gt(last->end, nxt)) {
			sb->bytes -= last->end - nxt;
			last->end = nxt;
		}
	}
}

/* Merge [s, e) (valid, within the window) into the sorted ranges. */
static void
insert(struct mdp_tcp_scoreboard *sb, uint32_t s, uint32_t e)
{
	struct mdp_tcp_sack_block *r = sb->r;
	uint32_t i = 0, j;

	/* first range that overlaps or touches [s, e), or lies above it */
	while (i < sb->nr && mdp_seq_lt(r[i].end, s))
		i++;
	j = i;
	while (j < sb->nr && mdp_seq_le(r[j].start, e)) {
		s = mdp_seq_min(s, r[j].start);
		e = mdp_seq_max(e, r[j].end);
		j++;
	}

	if (j > i) {
		/* replace ranges [i, j) by their union with [s, e) */
		remove_ranges(sb, i + 1, j - i - 1);
		sb->bytes += (e - s) - blk_len(&r[i]);
		r[i].start = s;
		r[i].end = e;
		return;
	}

	if (sb->nr == MDP_TCP_SACK_RANGES) {
		/* Full: keep the highest ranges, forget the lowest (see the
		 * header). The new range is the lowest when i == 0. */
		sb->n_evicted++;
		if (i == 0)
			return;
		remove_ranges(sb, 0, 1);
		i--;
	}
	memmove(&r[i + 1], &r[i], (sb->nr - i) * sizeof(r[0]));
	r[i].start = s;
	r[i].end = e;
	sb->nr++;
	sb->bytes += e - s;
}

void
mdp_tcp_sack_reset(struct mdp_tcp_scoreboard *sb)
{
	memset(sb, 0, sizeof(*sb));
}

int
mdp_tcp_sack_update(struct mdp_tcp_scoreboard *sb, uint32_t snd_una,
		    uint32_t snd_nxt, const struct mdp_tcp_sack_block *blocks,
		    unsigned n, struct mdp_tcp_sack_block *dsack)
{
	int found = 0;
	unsigned i;

	sb->una = snd_una;
	trim(sb, snd_una, snd_nxt);

	for (i = 0; i < n; i++) {
		uint32_t s = blocks[i].start, e = blocks[i].end;

		/* empty, reversed, or longer than 2^31 */
		if (!mdp_seq_lt(s, e)) {
			sb->n_invalid++;
			continue;
		}
		/* RFC 2883: the first block is a D-SACK when it is below
		 * the cumulative ACK or inside the second block. */
		if (i == 0 && mdp_seq_le(e, snd_nxt) &&
		    (mdp_seq_lt(s, snd_una) ||
		     (n > 1 && mdp_seq_lt(blocks[1].start, blocks[1].end) &&
		      mdp_seq_ge(s, blocks[1].start) &&
		      mdp_seq_le(e, blocks[1].end)))) {
			sb->n_dsack++;
			found = 1;
			if (dsack != NULL)
				*dsack = blocks[0];
			continue;
		}
		if (mdp_seq_lt(s, snd_una) || mdp_seq_gt(e, snd_nxt)) {
			sb->n_invalid++;
			continue;
		}
		insert(sb, s, e);
	}
	return found;
}

bool
mdp_tcp_sack_is_sacked(const struct mdp_tcp_scoreboard *sb, uint32_t seq)
{
	uint32_t i;

	for (i = 0; i < sb->nr; i++) {
		if (mdp_seq_lt(seq, sb->r[i].start))
			return false;
		if (mdp_seq_lt(seq, sb->r[i].end))
			return true;
	}
	return false;
}

static inline uint64_t
segs_of(uint32_t bytes, uint32_t smss)
{
	return ((uint64_t)bytes + smss - 1) / smss;
}

/* RFC 6675 IsLost() given the SACKed bytes and segments above a byte. */
static inline bool
lost_rule(uint64_t bytes_above, uint64_t segs_above, uint32_t smss,
	  unsigned dupthresh)
{
	return segs_above >= dupthresh ||
	       bytes_above > (uint64_t)(dupthresh - 1) * smss;
}

bool
mdp_tcp_sack_is_lost(const struct mdp_tcp_scoreboard *sb, uint32_t seq,
		     uint32_t smss, unsigned dupthresh)
{
	uint64_t bytes = 0, segs = 0;
	uint32_t i, above = seq + 1;

	if (smss == 0)
		smss = 1;
	if (dupthresh == 0)
		dupthresh = 1;
	for (i = sb->nr; i-- > 0;) {
		const struct mdp_tcp_sack_block *r = &sb->r[i];
		uint32_t len;

		if (mdp_seq_le(r->end, above))
			break;
		len = r->end - mdp_seq_max(r->start, above);
		bytes += len;
		segs += segs_of(len, smss);
	}
	return lost_rule(bytes, segs, smss, dupthresh);
}

/* Range i clipped to [una, nxt); false when nothing is left. */
static inline bool
clip(const struct mdp_tcp_scoreboard *sb, uint32_t i, uint32_t una, uint32_t nxt,
     uint32_t *s, uint32_t *e)
{
	*s = mdp_seq_max(sb->r[i].start, una);
	*e = mdp_seq_min(sb->r[i].end, nxt);
	return mdp_seq_lt(*s, *e);
}

uint32_t
mdp_tcp_sack_pipe(const struct mdp_tcp_scoreboard *sb, uint32_t snd_una,
		  uint32_t snd_nxt, uint32_t high_rxt, uint32_t smss,
		  unsigned dupthresh)
{
	uint64_t pipe = 0, bytes_above = 0, segs_above = 0;
	uint32_t hole_end = snd_nxt, h0, s, e, i;

	if (smss == 0)
		smss = 1;
	if (dupthresh == 0)
		dupthresh = 1;
	if (!mdp_seq_lt(snd_una, snd_nxt))
		return 0;
	/* Walk the holes from the top, so that the SACKed bytes above each
	 * hole are known: step i handles the hole above range i - 1, and
	 * step 0 the hole that starts at snd_una. */
	for (i = sb->nr; ; i--) {
		bool last = i == 0;

		if (!last) {
			if (!clip(sb, i - 1, snd_una, snd_nxt, &s, &e))
				continue;
			h0 = e;
		} else {
			h0 = snd_una;
		}
		if (mdp_seq_lt(h0, hole_end)) {
			/* RFC 6675 SetPipe() (a): not lost, still in flight */
			if (!lost_rule(bytes_above, segs_above, smss, dupthresh))
				pipe += hole_end - h0;
			/* (b): retransmitted */
			if (mdp_seq_gt(high_rxt, h0))
				pipe += mdp_seq_min(hole_end, high_rxt) - h0;
		}
		if (last)
			break;
		bytes_above += e - s;
		segs_above += segs_of(e - s, smss);
		hole_end = s;
	}
	return pipe > UINT32_MAX ? UINT32_MAX : (uint32_t)pipe;
}

int
mdp_tcp_sack_next_seg(const struct mdp_tcp_scoreboard *sb, uint32_t snd_una,
		      uint32_t snd_nxt, uint32_t high_rxt, uint32_t smss,
		      unsigned dupthresh, uint32_t *seq, uint32_t *len, bool *lost)
{
	uint32_t from = mdp_seq_max(snd_una, high_rxt);	/* (1.a) */
	uint32_t pos = snd_una, s, e, i, S;

	if (smss == 0)
		smss = 1;
	/* Holes are the gaps below a SACKed range, so (1.b) holds for them. */
	for (i = 0; i < sb->nr; i++) {
		if (!clip(sb, i, snd_una, snd_nxt, &s, &e))
			continue;
		if (mdp_seq_lt(pos, s) && mdp_seq_gt(s, from)) {
			S = mdp_seq_max(pos, from);
			*seq = S;
			*len = s - S < smss ? s - S : smss;
			if (lost != NULL)
				*lost = mdp_tcp_sack_is_lost(sb, S, smss, dupthresh);
			return 0;
		}
		pos = e;
	}
	return -ENOENT;
}

uint32_t
mdp_tcp_sack_highest(const struct mdp_tcp_scoreboard *sb)
{
	return sb->nr > 0 ? sb->r[sb->nr - 1].end : sb->una;
}

uint32_t
mdp_tcp_sack_bytes(const struct mdp_tcp_scoreboard *sb)
{
	return sb->bytes;
}
