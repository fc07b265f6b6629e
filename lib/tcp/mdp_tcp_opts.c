/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "mdp_tcp_opts.h"

/* The options area cannot hold more SACK blocks than o->sack has room for,
 * whether in one SACK option or several. */
_Static_assert((MDP_TCP_OPTS_MAX - MDP_TCPOLEN_SACK_BASE) /
	       MDP_TCPOLEN_SACK_BLOCK <= MDP_TCP_SACK_MAX,
	       "SACK blocks overflow struct mdp_tcp_opts");

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint8_t *
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static inline uint8_t *
put4(uint8_t *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	p[0] = a;
	p[1] = b;
	p[2] = c;
	p[3] = d;
	return p + 4;
}

int
mdp_tcp_opts_parse(const uint8_t *p, unsigned len, bool syn,
		   struct mdp_tcp_opts *o)
{
	unsigned i = 0, olen, n;

	if (o == NULL)
		return -EINVAL;
	memset(o, 0, sizeof(*o));
	if (len > MDP_TCP_OPTS_MAX || (p == NULL && len > 0))
		return -EINVAL;

	while (i < len) {
		uint8_t kind = p[i];

		/* RFC 9293 3.1: EOL ends the list, NOP is a single byte */
		if (kind == MDP_TCPOPT_EOL)
			break;
		if (kind == MDP_TCPOPT_NOP) {
			i++;
			continue;
		}
		/* RFC 9293 3.1 (MUST-7): every other option has a length
		 * byte that counts kind and length; act safely on a bad one */
		if (len - i < 2)
			return -EINVAL;
		olen = p[i + 1];
		if (olen < 2 || olen > len - i)
			return -EINVAL;

		switch (kind) {
		case MDP_TCPOPT_MSS:
			if (olen != MDP_TCPOLEN_MSS)
				return -EINVAL;
			/* RFC 9293 3.7.1: only in segments with SYN */
			if (syn) {
				o->has_mss = true;
				o->mss = get16(p + i + 2);
			}
			break;
		case MDP_TCPOPT_WS:
			if (olen != MDP_TCPOLEN_WS)
				return -EINVAL;
			/* RFC 7323 2.2: ignored on a segment without SYN */
			if (syn) {
				o->has_wscale = true;
				o->wscale = p[i + 2];
			}
			break;
		case MDP_TCPOPT_SACK_OK:
			if (olen != MDP_TCPOLEN_SACK_OK)
				return -EINVAL;
			/* RFC 2018 2: only sent in a SYN segment */
			if (syn)
				o->sack_ok = true;
			break;
		case MDP_TCPOPT_TS:
			if (olen != MDP_TCPOLEN_TS)
				return -EINVAL;
			o->has_ts = true;
			o->tsval = get32(p + i + 2);
			o->tsecr = get32(p + i + 6);
			break;
		case MDP_TCPOPT_SACK:
			/* RFC 2018 3: length 8n + 2 */
			if (olen < MDP_TCPOLEN_SACK_BASE + MDP_TCPOLEN_SACK_BLOCK ||
			    (olen - MDP_TCPOLEN_SACK_BASE) % MDP_TCPOLEN_SACK_BLOCK)
				return -EINVAL;
			/* len <= 40 bounds the blocks (see the assertion) */
			for (n = MDP_TCPOLEN_SACK_BASE; n < olen;
			     n += MDP_TCPOLEN_SACK_BLOCK) {
				struct mdp_tcp_sack_block *b = &o->sack[o->n_sack++];

				b->start = get32(p + i + n);
				b->end = get32(p + i + n + 4);
			}
			break;
		default:
			break;
		}
		i += olen;
	}
	return 0;
}

unsigned
mdp_tcp_opts_build(uint8_t *buf, const struct mdp_tcp_opts *o, bool syn)
{
	uint8_t *p = buf;
	unsigned n, i;

	if (syn) {
		if (o->has_mss) {
			p = put4(p, MDP_TCPOPT_MSS, MDP_TCPOLEN_MSS, 0, 0);
			put16(p - 2, o->mss);
		}
		if (o->has_ts) {
			if (o->sack_ok) {
				p[0] = MDP_TCPOPT_SACK_OK;
				p[1] = MDP_TCPOLEN_SACK_OK;
			} else {
				p[0] = MDP_TCPOPT_NOP;
				p[1] = MDP_TCPOPT_NOP;
			}
			p[2] = MDP_TCPOPT_TS;
			p[3] = MDP_TCPOLEN_TS;
			p = put32(p + 4, o->tsval);
			p = put32(p, o->tsecr);
		} else if (o->sack_ok) {
			p = put4(p, MDP_TCPOPT_NOP, MDP_TCPOPT_NOP,
				 MDP_TCPOPT_SACK_OK, MDP_TCPOLEN_SACK_OK);
		}
		/* RFC 7323 2.3: never announce a shift above 14 */
		if (o->has_wscale)
			p = put4(p, MDP_TCPOPT_NOP, MDP_TCPOPT_WS,
				 MDP_TCPOLEN_WS,
				 mdp_tcp_wscale_clamp(o->wscale));
		return (unsigned)(p - buf);
	}

	if (o->has_ts) {
		p = put4(p, MDP_TCPOPT_NOP, MDP_TCPOPT_NOP, MDP_TCPOPT_TS,
			 MDP_TCPOLEN_TS);
		p = put32(p, o->tsval);
		p = put32(p, o->tsecr);
	}
	n = o->n_sack;
	if (n > (o->has_ts ? MDP_TCP_SACK_MAX_TS : MDP_TCP_SACK_MAX))
		n = o->has_ts ? MDP_TCP_SACK_MAX_TS : MDP_TCP_SACK_MAX;
	if (n > 0) {
		p = put4(p, MDP_TCPOPT_NOP, MDP_TCPOPT_NOP, MDP_TCPOPT_SACK,
			 (uint8_t)(MDP_TCPOLEN_SACK_BASE +
				   n * MDP_TCPOLEN_SACK_BLOCK));
		for (i = 0; i < n; i++) {
			p = put32(p, o->sack[i].start);
			p = put32(p, o->sack[i].end);
		}
	}
	return (unsigned)(p - buf);
}

uint16_t
mdp_tcp_mss_clamp(uint16_t peer_mss_or_0, uint16_t mtu)
{
	/* RFC 9293 3.7.1: 536 when the peer sent no MSS option */
	unsigned mss = peer_mss_or_0 ? peer_mss_or_0 : MDP_TCP_MSS_DEFAULT;
	/* RFC 6691: our side's limit is the MTU less the fixed headers */
	unsigned local = mtu > MDP_TCP_IP4_HDRS ? mtu - MDP_TCP_IP4_HDRS : 0;

	if (mss > local)
		mss = local;
	/* CVE-2019-11479: no tiny segments, whatever the peer says */
	if (mss < MDP_TCP_MSS_MIN)
		mss = MDP_TCP_MSS_MIN;
	return (uint16_t)mss;
}
