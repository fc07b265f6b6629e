/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>

#include "mdp_syncookie.h"
#include "mdp_tcp_opts.h"
#include "mdp_tcp_seq.h"

#define C_SHIFT		30
#define M_SHIFT		28
#define MAC_MASK	((1u << M_SHIFT) - 1)
#define C_MASK		3u

const uint16_t mdp_syncookie_mss[MDP_SYNCOOKIE_MSS_CLASSES] = {
	536, 1300, 1440, 1460,
};

_Static_assert(MDP_SYNCOOKIE_MSS_CLASSES == 1 << (C_SHIFT - M_SHIFT),
	       "MSS index field width");
_Static_assert(MDP_SYNCOOKIE_AGE <= C_MASK + 1, "counter field width");

static inline void
be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Hash input: tuple and peer ISN (16 bytes), then counter and MSS index for
 * the MAC (24 bytes). */
static void
msg_init(uint8_t msg[24], uint32_t laddr, uint16_t lport, uint32_t raddr,
	 uint16_t rport, uint32_t peer_isn)
{
	be32(msg, laddr);
	be32(msg + 4, raddr);
	be32(msg + 8, (uint32_t)lport << 16 | rport);
	be32(msg + 12, peer_isn);
}

static uint32_t
cookie_mask(const struct mdp_siphash_key *k, const uint8_t msg[24])
{
	return (uint32_t)mdp_siphash24(k, msg, 16);
}

static uint32_t
cookie_mac(const struct mdp_siphash_key *k, uint8_t msg[24],
	   uint32_t counter, unsigned m)
{
	be32(msg + 16, counter);
	be32(msg + 20, (uint32_t)m << 24);
	return (uint32_t)mdp_siphash24(k, msg, 24) & MAC_MASK;
}

uint32_t
mdp_syncookie_make(const struct mdp_siphash_key *k, uint32_t laddr,
		   uint16_t lport, uint32_t raddr, uint16_t rport,
		   uint32_t peer_isn, uint32_t counter, uint16_t peer_mss,
		   uint16_t *mss_used)
{
	uint8_t msg[24];
	unsigned m;

	/* largest class the peer accepts; an absent MSS means 536
	 * (RFC 9293 3.7.1), and so does a smaller one */
	for (m = MDP_SYNCOOKIE_MSS_CLASSES - 1; m > 0; m--)
		if (peer_mss >= mdp_syncookie_mss[m])
			break;
	if (mss_used != NULL)
		*mss_used = mdp_syncookie_mss[m];

	msg_init(msg, laddr, lport, raddr, rport, peer_isn);
	return ((counter & C_MASK) << C_SHIFT | (uint32_t)m << M_SHIFT |
		cookie_mac(k, msg, counter, m)) ^ cookie_mask(k, msg);
}

int
mdp_syncookie_check(const struct mdp_siphash_key *k, uint32_t laddr,
		    uint16_t lport, uint32_t raddr, uint16_t rport,
		    uint32_t peer_isn, uint32_t cookie, uint32_t counter_now,
		    uint16_t *mss)
{
	uint8_t msg[24];
	uint32_t v, age;
	unsigned m;

	msg_init(msg, laddr, lport, raddr, rport, peer_isn);
	v = cookie ^ cookie_mask(k, msg);
	/* the low counter bits give its age; the MAC over the full counter
	 * rejects a cookie whose age is a multiple of 4 periods more */
	age = (counter_now - (v >> C_SHIFT)) & C_MASK;
	if (age >= MDP_SYNCOOKIE_AGE)
		return -EINVAL;
	m = (v >> M_SHIFT) & (MDP_SYNCOOKIE_MSS_CLASSES - 1);
	if ((v & MAC_MASK) != cookie_mac(k, msg, counter_now - age, m))
		return -EINVAL;
	if (mss != NULL)
		*mss = mdp_syncookie_mss[m];
	return 0;
}

uint32_t
mdp_syncookie_tsval(uint32_t ts_now, const struct mdp_syncookie_opts *o)
{
	uint32_t bits, ts;

	bits = o->has_wscale ? mdp_tcp_wscale_clamp(o->wscale) :
			       MDP_SYNCOOKIE_TS_NO_WS;
	if (o->sack_ok)
		bits |= MDP_SYNCOOKIE_TS_SACK;
	ts = (ts_now & ~MDP_SYNCOOKIE_TS_MASK) | bits;
	/* RFC 7323 5.3: the peer drops segments whose TSval is before the
	 * last it saw; keep ours from running ahead of our clock */
	if (mdp_seq_gt(ts, ts_now))
		ts -= MDP_SYNCOOKIE_TS_MASK + 1;
	return ts;
}

void
mdp_syncookie_ts_decode(uint32_t tsecr, struct mdp_syncookie_opts *o)
{
	uint32_t ws = tsecr & MDP_SYNCOOKIE_TS_NO_WS;

	o->has_wscale = ws != MDP_SYNCOOKIE_TS_NO_WS;
	o->wscale = o->has_wscale ? (uint8_t)ws : 0;
	o->sack_ok = (tsecr & MDP_SYNCOOKIE_TS_SACK) != 0;
}
