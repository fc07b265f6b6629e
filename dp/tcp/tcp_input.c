/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP input: validation, demultiplexing and the RFC 9293 3.10.7 "segment
 * arrives" rules, with RFC 5961 (blind-attack defences), RFC 7323 (PAWS,
 * window scaling), RFC 2018/6675 (SACK) and RFC 5681/6582 (fast
 * retransmit and NewReno recovery).
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "net/net.h"
#include "tcp/mdp_syncookie.h"
#include "tcp/mdp_tcp_isn.h"
#include "tcp_priv.h"

struct seg {
	uint32_t seq;
	uint32_t ack;
	uint32_t len;		/* payload bytes */
	uint32_t wnd;		/* as received, unscaled */
	uint8_t flags;
	struct mdp_tcp_opts o;
};

#define F_SYN RTE_TCP_SYN_FLAG
#define F_ACK RTE_TCP_ACK_FLAG
#define F_RST RTE_TCP_RST_FLAG
#define F_FIN RTE_TCP_FIN_FLAG

/* Sequence space a segment occupies: data plus SYN and FIN. */
static inline uint32_t
seg_space(const struct seg *sg)
{
	return sg->len + ((sg->flags & F_SYN) ? 1 : 0) + ((sg->flags & F_FIN) ? 1 : 0);
}

/* ---- option negotiation (SYN and SYN-ACK) ---- */

static void
negotiate(struct mdp_tcp_conn *c, const struct seg *sg)
{
	const struct mdp_conf_tcp *cfg = c->s->cfg;
	uint16_t mtu = c->w->dp->ports[c->port].conf->mtu;

	c->smss = mdp_tcp_mss_clamp(sg->o.has_mss ? sg->o.mss : 0, mtu);
	/* RFC 7323 2.2: scaling only when both sides sent the option. */
	if (sg->o.has_wscale && cfg->window_scaling) {
		c->flags |= MDP_TCPF_WS;
		c->snd_wscale = mdp_tcp_wscale_clamp(sg->o.wscale);
	} else {
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	if (sg->o.sack_ok && cfg->sack)
		c->flags |= MDP_TCPF_SACK;
	if (sg->o.has_ts && cfg->timestamps) {
		c->flags |= MDP_TCPF_TS;
		c->ts_recent = sg->o.tsval;
	}
	mdp_tcp_cc_init(&c->cc, (enum mdp_tcp_cc_algo)cfg->cc, c->smss, 0);
}

/* ---- RFC 5961 7: challenge ACKs, rate limited per connection ---- */

static void
challenge_ack(struct mdp_tcp_conn *c)
{
	uint64_t sec = tcp_now_us(c->s) / 1000000;

	if (sec != c->chack_sec) {
		c->chack_sec = sec;
		c->chack_n = 0;
	}
	if (c->chack_n >= c->s->cfg->challenge_ack_per_s) {
		TCP_CNT(c, TCP_CHACK_LIMITED);
		return;
	}
	c->chack_n++;
	TCP_CNT(c, TCP_CHACK);
	mdp_tcp_send_ack(c);
}

/* ---- receive side ---- */

/* The payload of a full-sized segment from the peer: the MSS less the
 * timestamp option it carries (RFC 6691), as RFC 5681 4.2 counts them. */
static inline uint32_t
full_seg(const struct mdp_tcp_conn *c)
{
	return c->smss - ((c->flags & MDP_TCPF_TS) ? 12u : 0u);
}

/* Give in-order payload to the application (which owns it from here). */
static void
deliver(struct mdp_tcp_conn *c, struct rte_mbuf *m, uint32_t len)
{
	c->rcv_nxt += len;
	c->bytes_in += len;
	MDP_CNT_ADD(c->w, c->port, TCP_RX_BYTES, len);
	if (c->ops != NULL && c->ops->data != NULL && !(c->flags & MDP_TCPF_APP_CLOSED)) {
		c->rcv_held += len;
		c->ops->data(c, m);
	} else {
		rte_pktmbuf_free(m);
	}
}

/* Drop n bytes from the front of a chain (rte_pktmbuf_adj only trims the
 * first segment). Returns the new head; n must be below the chain length. */
static struct rte_mbuf *
chain_adj(struct rte_mbuf *m, uint32_t n)
{
	while (n >= m->data_len) {
		struct rte_mbuf *next = m->next;

		n -= m->data_len;
		next->pkt_len = m->pkt_len - m->data_len;
		next->nb_segs = (uint16_t)(m->nb_segs - 1);
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		m = next;
	}
	if (n > 0)
		rte_pktmbuf_adj(m, (uint16_t)n);
	return m;
}

/* Append chain m (len bytes) to entry e. */
static void
ooo_append(struct mdp_tcp_ooo *e, struct rte_mbuf *m, uint32_t len)
{
	e->tail->next = m;
	e->m->nb_segs = (uint16_t)(e->m->nb_segs + m->nb_segs);
	e->m->pkt_len += m->pkt_len;
	e->tail = rte_pktmbuf_lastseg(m);
	e->len += len;
}

/* Keep an out-of-order segment; the queue stays sorted and disjoint
 * (bytes already held win, so overlaps are cut from the new segment), and
 * a segment that touches an entry joins it. */
static void
ooo_insert(struct mdp_tcp_conn *c, struct rte_mbuf *m, uint32_t seq, uint32_t len)
{
	struct mdp_tcp_stack *s = c->s;
	uint32_t end = seq + len;
	uint8_t i = 0;

	while (i < c->n_ooo && mdp_seq_le(c->ooo[i].seq, seq))
		i++;
	if (i > 0) {
		uint32_t pend = c->ooo[i - 1].seq + c->ooo[i - 1].len;

		if (mdp_seq_gt(pend, seq)) {
			uint32_t cut = mdp_seq_ge(pend, end) ? len : pend - seq;

			if (cut == len)
				goto dup;
			rte_pktmbuf_adj(m, (uint16_t)cut);
			seq += cut;
			len -= cut;
		}
	}
	if (i < c->n_ooo && mdp_seq_gt(end, c->ooo[i].seq)) {
		uint32_t keep = c->ooo[i].seq - seq;

		if (keep == 0)
			goto dup;
		rte_pktmbuf_trim(m, (uint16_t)(len - keep));
		len = keep;
		end = seq + len;
	}
	if (s->ooo_bytes + len > s->cfg->ooo_max || c->ooo_bytes + len > s->cfg->rcv_buf)
		goto full;
	c->ooo_bytes += len;
	s->ooo_bytes += len;
	c->ooo_recent = seq;
	MDP_CNT_ADD(c->w, c->port, TCP_OOO_BYTES, len);
	if (i > 0 && c->ooo[i - 1].seq + c->ooo[i - 1].len == seq) {
		ooo_append(&c->ooo[i - 1], m, len);
		/* ... and it may close the gap to the next entry */
		if (i < c->n_ooo && c->ooo[i - 1].seq + c->ooo[i - 1].len == c->ooo[i].seq) {
			ooo_append(&c->ooo[i - 1], c->ooo[i].m, c->ooo[i].len);
			memmove(&c->ooo[i], &c->ooo[i + 1],
				(size_t)(c->n_ooo - i - 1) * sizeof(c->ooo[0]));
			c->n_ooo--;
		}
		return;
	}
	if (i < c->n_ooo && end == c->ooo[i].seq) {
		/* joins the next entry at its front */
		struct mdp_tcp_ooo *e = &c->ooo[i];
		struct rte_mbuf *lt = rte_pktmbuf_lastseg(m);

		lt->next = e->m;
		m->nb_segs = (uint16_t)(m->nb_segs + e->m->nb_segs);
		m->pkt_len += e->m->pkt_len;
		e->m = m;
		e->seq = seq;
		e->len += len;
		return;
	}
	if (c->n_ooo == MDP_TCP_OOO_MAX) {
		c->ooo_bytes -= len;
		s->ooo_bytes -= len;
		goto full;
	}
	memmove(&c->ooo[i + 1], &c->ooo[i], (size_t)(c->n_ooo - i) * sizeof(c->ooo[0]));
	c->ooo[i] = (struct mdp_tcp_ooo){ .seq = seq, .len = len, .m = m,
					  .tail = rte_pktmbuf_lastseg(m) };
	c->n_ooo++;
	return;
full:
	TCP_CNT(c, TCP_OOO_DROP);
	rte_pktmbuf_free(m);
	return;
dup:
	TCP_CNT(c, TCP_DUP_DATA);
	rte_pktmbuf_free(m);
}

/* After rcv_nxt moved: hand over what the hole was holding back. */
static void
ooo_pull(struct mdp_tcp_conn *c)
{
	while (c->n_ooo > 0 && mdp_seq_le(c->ooo[0].seq, c->rcv_nxt)) {
		struct mdp_tcp_ooo e = c->ooo[0];
		uint32_t end = e.seq + e.len;

		memmove(&c->ooo[0], &c->ooo[1], (size_t)(c->n_ooo - 1) * sizeof(c->ooo[0]));
		c->n_ooo--;
		c->ooo_bytes -= e.len;
		c->s->ooo_bytes -= e.len;
		if (mdp_seq_le(end, c->rcv_nxt)) {
			rte_pktmbuf_free(e.m);
			continue;
		}
		if (mdp_seq_lt(e.seq, c->rcv_nxt)) {
			e.m = chain_adj(e.m, c->rcv_nxt - e.seq);
			e.len = end - c->rcv_nxt;
		}
		deliver(c, e.m, e.len);
	}
}

static void
enter_time_wait(struct mdp_tcp_conn *c)
{
	mdp_tcp_conn_set_state(c, MDP_TCP_TIME_WAIT);
	mdp_timer_stop(&c->w->wheel, &c->rtx);
	if (c->ops != NULL && c->ops->closed != NULL && !(c->flags & MDP_TCPF_APP_CLOSED)) {
		c->flags |= MDP_TCPF_APP_CLOSED;
		c->ops->closed(c, 0);
	}
	if (c->s->cfg->time_wait_ms == 0) {
		mdp_tcp_conn_done(c, 0);
		return;
	}
	mdp_tcp_life_arm(c, c->s->cfg->time_wait_ms);
}

/* Our FIN is acknowledged when nothing sent is outstanding. */
static inline bool
fin_acked(const struct mdp_tcp_conn *c)
{
	return (c->flags & MDP_TCPF_FIN_SENT) && c->snd_una == c->snd_max;
}

/* The peer's FIN, in order (RFC 9293 3.10.7.4 eighth). Returns false when
 * the connection is gone. */
static bool
fin_in(struct mdp_tcp_conn *c)
{
	c->rcv_nxt++;
	c->fin_seen = false;
	c->flags |= MDP_TCPF_ACKNOW;
	TCP_CNT(c, TCP_RX_FIN);
	switch (c->state) {
	case MDP_TCP_SYN_RCVD:
	case MDP_TCP_ESTABLISHED:
		mdp_tcp_conn_set_state(c, MDP_TCP_CLOSE_WAIT);
		if (c->ops != NULL && c->ops->peer_closed != NULL)
			c->ops->peer_closed(c);
		break;
	case MDP_TCP_FIN_WAIT_1:
		if (fin_acked(c))
			enter_time_wait(c);
		else
			mdp_tcp_conn_set_state(c, MDP_TCP_CLOSING);
		break;
	case MDP_TCP_FIN_WAIT_2:
		mdp_timer_stop(&c->w->wheel, &c->life);
		enter_time_wait(c);
		break;
	default:
		break;
	}
	return c->state != MDP_TCP_CLOSED;
}

/* ---- send side: ACK processing ---- */

static void
rtt_update(struct mdp_tcp_conn *c, const struct seg *sg)
{
	uint64_t now = tcp_now_us(c->s);

	if ((c->flags & MDP_TCPF_TS) && sg->o.has_ts && sg->o.tsecr != 0) {
		/* RFC 7323 4.2: any echoed timestamp is a valid sample. */
		uint32_t ms = tcp_ts_now(c->s) - sg->o.tsecr;

		if (ms < 600000)
			mdp_tcp_rtt_sample(&c->rtt, ms ? ms * 1000 : 500);
	} else if (c->rtt_seq != 0 && mdp_seq_ge(sg->ack, c->rtt_seq)) {
		mdp_tcp_rtt_sample(&c->rtt, (uint32_t)(now - c->rtt_tick));
		c->rtt_seq = 0;
	}
}

static uint32_t
recovery_pipe(const struct mdp_tcp_conn *c)
{
	return mdp_tcp_sack_pipe(&c->sb, c->snd_una, c->snd_max, c->high_rxt, c->smss,
				 MDP_TCP_DUPTHRESH);
}

/* Remember a retransmission of [seq, seq + len) in SACK recovery; a full
 * log forgets the oldest (its loss then waits for the RTO, as before). */
static void
rtx_log_add(struct mdp_tcp_conn *c, uint32_t seq, uint32_t len)
{
	struct mdp_tcp_rtx_rec *r;

	if (len == 0)
		return;
	if (c->n_rtx_log == MDP_TCP_RTX_LOG) {
		memmove(&c->rtx_log[0], &c->rtx_log[1], sizeof(c->rtx_log[0]) * (MDP_TCP_RTX_LOG - 1));
		c->n_rtx_log--;
	}
	r = &c->rtx_log[c->n_rtx_log++];
	r->seq = seq;
	r->end = seq + len;
	r->mark = c->snd_max;
}

/*
 * A lost retransmission (RFC 8985 6.2's question, answered by sequence
 * rather than by send time): a retransmission whose range is still a hole
 * while DupThresh segments sent after it have been SACKed was lost as
 * well. Without this only the RTO finds it, and at a few percent loss that
 * is most of the time a transfer spends. Re-send it while cwnd allows.
 */
static void
rtx_log_check(struct mdp_tcp_conn *c)
{
	unsigned i = 0, n = 0;

	for (i = 0; i < c->n_rtx_log; i++) {
		struct mdp_tcp_rtx_rec r = c->rtx_log[i];
		uint32_t start = mdp_seq_gt(r.seq, c->snd_una) ? r.seq : c->snd_una;

		/* acknowledged, or delivered (a segment is SACKed whole) */
		if (mdp_seq_le(r.end, c->snd_una) || mdp_tcp_sack_is_sacked(&c->sb, start))
			continue;
		if (mdp_tcp_sack_is_lost(&c->sb, r.mark - 1, c->smss, MDP_TCP_DUPTHRESH) &&
		    c->cc.cwnd >= recovery_pipe(c) + c->smss) {
			uint32_t sent = mdp_tcp_retransmit(c, start, r.end - start);

			if (sent > 0) {
				TCP_CNT(c, TCP_LOST_RETRANS);
				r.seq = start;
				r.end = start + sent;
				r.mark = c->snd_max;
			}
		}
		c->rtx_log[n++] = r;
	}
	c->n_rtx_log = (uint8_t)n;
}

/*
 * RFC 6675 5 (steps C.1-C.5): while the pipe leaves a segment's room in
 * cwnd, retransmit what the scoreboard calls lost, else send new data,
 * else retransmit the next unSACKed hole (rule 3).
 */
static void
sack_recovery_send(struct mdp_tcp_conn *c)
{
	rtx_log_check(c);
	for (unsigned guard = 0; guard < 256; guard++) {
		uint32_t pipe = recovery_pipe(c);
		uint32_t seq, len, sent;
		bool lost = false, have;

		if (c->cc.cwnd < pipe + c->smss)
			return;
		have = mdp_tcp_sack_next_seg(&c->sb, c->snd_una, c->snd_max, c->high_rxt, c->smss,
					     MDP_TCP_DUPTHRESH, &seq, &len, &lost) == 0;
		/* HighRxt moves by what the segment carried: NextSeg's
		 * SMSS-long range less the options would leave a gap of
		 * the options' size behind each retransmission. */
		if (have && !lost && mdp_tcp_send_new(c) > 0)
			continue;	/* rule 2 before rule 3 */
		if (have) {
			sent = mdp_tcp_retransmit(c, seq, len);
			if (sent == 0)
				return;
			rtx_log_add(c, seq, sent);
			c->high_rxt = seq + sent;
			continue;
		}
		if (mdp_tcp_send_new(c) > 0)
			continue;
		return;
	}
}

static bool
sack_on(const struct mdp_tcp_conn *c)
{
	return (c->flags & MDP_TCPF_SACK) != 0;
}

static void
recovery_enter(struct mdp_tcp_conn *c)
{
	uint32_t flight = c->snd_max - c->snd_una;

	TCP_CNT(c, TCP_FAST_RETRANS);
	c->flags |= MDP_TCPF_IN_RECOVERY;
	c->recover = c->snd_max;
	c->high_rxt = c->snd_una;
	c->n_rtx_log = 0;
	/* the recovery's own window reduction covers a probe's loss */
	c->flags &= ~(uint32_t)(MDP_TCPF_TLP_OUT | MDP_TCPF_TLP_RTX);
	mdp_tcp_cc_on_loss(&c->cc, flight);
	c->rtt_seq = 0;
	if (sack_on(c)) {
		/* RFC 6675 5 (4): the first retransmission is the first
		 * segment, whatever the scoreboard says. */
		uint32_t sent = mdp_tcp_retransmit(c, c->snd_una, c->smss);

		rtx_log_add(c, c->snd_una, sent);
		c->high_rxt = c->snd_una + sent;
		sack_recovery_send(c);
	} else {
		mdp_tcp_retransmit(c, c->snd_una, c->smss);
		c->cc.cwnd = c->cc.ssthresh + 3u * c->smss;	/* RFC 5681 3.2 (3) */
	}
}

/*
 * RFC 8985 7.4: what became of a tail loss probe. A probe of new data needs
 * nothing. A retransmitted probe that the peer reports twice (D-SACK, or a
 * plain duplicate ACK) repaired nothing; one acknowledged without that, by
 * an ACK beyond it, repaired a loss, which gets a congestion response.
 */
static void
tlp_ack(struct mdp_tcp_conn *c, const struct seg *sg, bool dsack, bool sacked_new)
{
	bool pure_dup = sg->ack == c->snd_una && sg->len == 0 && !sacked_new;

	if (mdp_seq_lt(sg->ack, c->tlp_high))
		return;
	if ((c->flags & MDP_TCPF_TLP_RTX) && !dsack) {
		if (mdp_seq_gt(sg->ack, c->tlp_high)) {
			TCP_CNT(c, TCP_TLP_RECOVERED);
			mdp_tcp_cc_on_loss(&c->cc, c->snd_max - c->snd_una);
		} else if (!pure_dup) {
			return;		/* the D-SACK or duplicate may follow */
		}
	}
	c->flags &= ~(uint32_t)(MDP_TCPF_TLP_OUT | MDP_TCPF_TLP_RTX);
}

/* A new cumulative ACK: snd_una < ack <= snd_max. */
static void
ack_new(struct mdp_tcp_conn *c, const struct seg *sg)
{
	uint32_t acked = sg->ack - c->snd_una;
	uint32_t flight = c->snd_max - c->snd_una;
	uint32_t data = RTE_MIN(acked, c->sndq.bytes);

	rtt_update(c, sg);
	mdp_mbufq_trim_front(&c->sndq, data);
	if ((c->flags & MDP_TCPF_IN_RECOVERY) && sack_on(c)) {
		c->snd_una = sg->ack;
		if (mdp_seq_lt(c->high_rxt, c->snd_una))
			c->high_rxt = c->snd_una;
		if (mdp_seq_ge(sg->ack, c->recover)) {
			c->flags &= ~(uint32_t)MDP_TCPF_IN_RECOVERY;
			c->n_rtx_log = 0;
			mdp_tcp_cc_on_recovery_exit(&c->cc, c->snd_max - c->snd_una);
		} else {
			TCP_CNT(c, TCP_PARTIAL_ACK);
		}
	} else if (c->flags & MDP_TCPF_IN_RECOVERY) {
		if (mdp_seq_lt(sg->ack, c->recover)) {
			/* RFC 6582 3.2 step 5: a partial ACK. Retransmit the
			 * next hole, deflate by what was acked. */
			c->snd_una = sg->ack;
			TCP_CNT(c, TCP_PARTIAL_ACK);
			mdp_tcp_retransmit(c, c->snd_una, c->smss);
			c->cc.cwnd = c->cc.cwnd > acked ? c->cc.cwnd - acked + c->smss : c->smss;
		} else {
			c->flags &= ~(uint32_t)MDP_TCPF_IN_RECOVERY;
			c->snd_una = sg->ack;
			mdp_tcp_cc_on_recovery_exit(&c->cc, c->snd_max - c->snd_una);
		}
	} else {
		mdp_tcp_cc_on_ack(&c->cc, acked, flight, c->rtt.srtt_us, tcp_now_us(c->s));
		c->snd_una = sg->ack;
	}
	if (mdp_seq_lt(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	c->rtx_count = 0;
	c->dupacks = 0;
	mdp_timer_stop(&c->w->wheel, &c->rtx);
	if (c->snd_una != c->snd_max)
		mdp_tcp_rtx_arm(c);
	if ((c->flags & MDP_TCPF_WANT_WRITE) && mdp_tcp_raw_send_space(c) > 0) {
		c->flags &= ~(uint32_t)MDP_TCPF_WANT_WRITE;
		if (c->ops != NULL && c->ops->writable != NULL)
			c->ops->writable(c);
	}
}

static void
ack_dup(struct mdp_tcp_conn *c)
{
	TCP_CNT(c, TCP_DUPACK);
	c->dupacks++;
	if (!(c->flags & MDP_TCPF_IN_RECOVERY)) {
		uint32_t flight = c->snd_max - c->snd_una;
		uint32_t oseg = (flight + c->smss - 1) / c->smss;
		unsigned thresh = MDP_TCP_DUPTHRESH;

		/* RFC 5827 2.1 early retransmit: with fewer than four
		 * segments out and nothing new to send, three duplicates can
		 * never come; oseg - 1 of them are enough. */
		if (oseg >= 2 && oseg < 4 && c->sndq.bytes <= flight) {
			thresh = oseg - 1;
			if (c->dupacks == thresh)
				TCP_CNT(c, TCP_EARLY_RETRANS);
		}
		/* RFC 5681 3.2 / RFC 6582, or RFC 6675 5: three duplicates,
		 * or a scoreboard that already says the first segment is
		 * lost. */
		if (c->dupacks >= thresh ||
		    (sack_on(c) && mdp_tcp_sack_is_lost(&c->sb, c->snd_una, c->smss,
							MDP_TCP_DUPTHRESH)))
			recovery_enter(c);
		return;
	}
	if (sack_on(c))
		sack_recovery_send(c);
	else if (c->dupacks > MDP_TCP_DUPTHRESH)
		c->cc.cwnd += c->smss;	/* RFC 5681 3.2 step 4: inflate */
}

/* ---- the segment arrives ---- */

static void
syn_sent_input(struct mdp_tcp_conn *c, struct rte_mbuf *m, const struct seg *sg)
{
	/* RFC 9293 3.10.7.3 */
	if (sg->flags & F_ACK) {
		if (mdp_seq_le(sg->ack, c->iss) || mdp_seq_gt(sg->ack, c->snd_max)) {
			if (!(sg->flags & F_RST)) {
				TCP_CNT(c, TCP_BAD_ACK);
				mdp_tcp_send_rst_at(c, sg->ack);	/* <SEQ=SEG.ACK><CTL=RST> */
			}
			goto drop;
		}
	}
	if (sg->flags & F_RST) {
		if (sg->flags & F_ACK) {
			TCP_CNT(c, TCP_RX_RST);
			rte_pktmbuf_free(m);
			mdp_tcp_conn_done(c, -ECONNREFUSED);
			return;
		}
		goto drop;
	}
	if (!(sg->flags & F_SYN))
		goto drop;
	c->irs = sg->seq;
	c->rcv_nxt = sg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	negotiate(c, sg);
	c->snd_wnd = sg->wnd;	/* RFC 7323 2.2: never scaled in a SYN */
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = sg->seq;
	c->snd_wl2 = sg->ack;
	c->flags |= MDP_TCPF_ACKNOW;
	if (sg->flags & F_ACK) {
		c->snd_una = sg->ack;
		if (c->rtx_count == 0)
			mdp_tcp_rtt_sample(&c->rtt, (uint32_t)(tcp_now_us(c->s) - c->rtt_tick));
		c->rtt_seq = 0;
		c->rtx_count = 0;
		mdp_timer_stop(&c->w->wheel, &c->rtx);
		mdp_tcp_conn_set_state(c, MDP_TCP_ESTABLISHED);
		mdp_tcp_keepalive_start(c);
		rte_pktmbuf_free(m);	/* data on a SYN-ACK is re-sent by the peer */
		mdp_tcp_send_ack(c);
		if (c->ops != NULL && c->ops->connected != NULL)
			c->ops->connected(c);
		return;
	}
	/* Simultaneous open (RFC 9293 3.5, figure 8). */
	mdp_tcp_conn_set_state(c, MDP_TCP_SYN_RCVD);
	mdp_tcp_send_syn(c);
drop:
	rte_pktmbuf_free(m);
}

/* RFC 9293 3.10.7.4, first: is the segment in the receive window? */
static bool
seq_acceptable(const struct mdp_tcp_conn *c, const struct seg *sg)
{
	uint32_t rwnd = mdp_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t space = seg_space(sg);

	if (space == 0)
		return rwnd == 0 ? sg->seq == c->rcv_nxt
				 : mdp_seq_in(sg->seq, c->rcv_nxt, c->rcv_nxt + rwnd);
	if (rwnd == 0)
		return false;
	return mdp_seq_in(sg->seq, c->rcv_nxt, c->rcv_nxt + rwnd) ||
	       mdp_seq_in(sg->seq + space - 1, c->rcv_nxt, c->rcv_nxt + rwnd);
}

static void
conn_input(struct mdp_tcp_conn *c, struct rte_mbuf *m, struct seg *sg)
{
	uint32_t seq0 = sg->seq;
	uint32_t sacked;
	bool dsack;
	bool had_ooo;

	c->last_rx_tick = c->w->wheel.now;
	c->ka_probes = 0;
	if (c->state == MDP_TCP_SYN_SENT) {
		syn_sent_input(c, m, sg);
		return;
	}

	/* RFC 7323 5.3 PAWS: an old timestamp marks an old duplicate. */
	if ((c->flags & MDP_TCPF_TS) && sg->o.has_ts && !(sg->flags & F_RST) &&
	    mdp_seq_lt(sg->o.tsval, c->ts_recent)) {
		TCP_CNT(c, TCP_PAWS);
		c->flags |= MDP_TCPF_ACKNOW;
		goto drop_out;
	}

	/* Simultaneous open (RFC 9293 3.5 figure 8, line 6): in SYN-RECEIVED
	 * the peer's SYN-ACK repeats a SYN we have acknowledged already; its
	 * ACK of our SYN is what counts (Linux accepts it likewise). */
	if (c->state == MDP_TCP_SYN_RCVD && !(c->flags & MDP_TCPF_PASSIVE) &&
	    (sg->flags & (F_SYN | F_ACK | F_RST)) == (F_SYN | F_ACK) && sg->seq == c->irs) {
		sg->flags &= (uint8_t)~F_SYN;
		sg->seq++;
		seq0 = sg->seq;
	}

	if (!seq_acceptable(c, sg)) {
		/* In SYN-RECEIVED a retransmitted SYN means our SYN-ACK was
		 * lost: send it again. */
		if (c->state == MDP_TCP_SYN_RCVD && (sg->flags & F_SYN) && !(sg->flags & F_ACK) &&
		    sg->seq == c->irs) {
			mdp_tcp_send_syn(c);
			goto drop;
		}
		/* RFC 9293 3.10.7.4: in TIME-WAIT, the peer's FIN again (our
		 * last ACK was lost): acknowledge it, restart the 2 MSL. */
		if (c->state == MDP_TCP_TIME_WAIT && (sg->flags & F_FIN) &&
		    sg->seq + seg_space(sg) == c->rcv_nxt)
			mdp_tcp_life_arm(c, c->s->cfg->time_wait_ms);
		TCP_CNT(c, TCP_OUT_OF_WINDOW);
		if (!(sg->flags & F_RST))
			c->flags |= MDP_TCPF_ACKNOW;
		goto drop_out;
	}

	/* second: RST (RFC 5961 3.2) */
	if (sg->flags & F_RST) {
		if (sg->seq != c->rcv_nxt) {
			challenge_ack(c);
			goto drop;
		}
		TCP_CNT(c, TCP_RX_RST);
		rte_pktmbuf_free(m);
		mdp_tcp_conn_done(c, (c->state == MDP_TCP_CLOSING || c->state == MDP_TCP_LAST_ACK ||
				      c->state == MDP_TCP_TIME_WAIT) ? 0 : -ECONNRESET);
		return;
	}

	/* fourth: SYN in a synchronized state (RFC 5961 4.2) */
	if (sg->flags & F_SYN) {
		challenge_ack(c);
		goto drop;
	}

	/* fifth: ACK */
	if (!(sg->flags & F_ACK))
		goto drop;
	if (c->state == MDP_TCP_SYN_RCVD) {
		struct mdp_tcp_listener *l = c->lsn;

		if (!mdp_seq_in(sg->ack, c->snd_una + 1, c->snd_max + 1)) {
			TCP_CNT(c, TCP_BAD_ACK);
			mdp_tcp_send_rst_at(c, sg->ack);	/* <SEQ=SEG.ACK><RST> */
			goto drop;
		}
		mdp_tcp_conn_set_state(c, MDP_TCP_ESTABLISHED);
		c->snd_una++;	/* our SYN */
		c->snd_wnd = sg->wnd << c->snd_wscale;
		c->max_snd_wnd = c->snd_wnd;
		c->snd_wl1 = sg->seq;
		c->snd_wl2 = sg->ack;
		if (c->rtx_count == 0 && !(c->flags & MDP_TCPF_TS))
			mdp_tcp_rtt_sample(&c->rtt, (uint32_t)(tcp_now_us(c->s) - c->rtt_tick));
		c->rtx_count = 0;
		mdp_timer_stop(&c->w->wheel, &c->rtx);
		mdp_tcp_keepalive_start(c);
		if (c->flags & MDP_TCPF_PASSIVE) {
			TCP_CNT(c, TCP_ACCEPTED);
			if (l != NULL && l->ops != NULL && l->ops->accepted != NULL)
				l->ops->accepted(c, l->ctx);
		} else if (c->ops != NULL && c->ops->connected != NULL) {
			c->ops->connected(c);	/* a simultaneous open */
		}
		if (c->state == MDP_TCP_CLOSED)
			goto drop;	/* the application refused it */
	}
	/* RFC 5961 5.2: the ACK must be within what we sent and at most a
	 * window behind. */
	if (mdp_seq_gt(sg->ack, c->snd_max)) {
		TCP_CNT(c, TCP_BAD_ACK);
		c->flags |= MDP_TCPF_ACKNOW;
		goto drop_out;
	}
	if (mdp_seq_lt(sg->ack, c->snd_una - c->max_snd_wnd)) {
		challenge_ack(c);
		goto drop;
	}
	sacked = c->sb.bytes;
	dsack = false;
	if ((c->flags & MDP_TCPF_SACK) && sg->o.n_sack > 0) {
		struct mdp_tcp_sack_block d;

		if (mdp_tcp_sack_update(&c->sb, mdp_seq_gt(sg->ack, c->snd_una) ? sg->ack : c->snd_una,
					c->snd_max, sg->o.sack, sg->o.n_sack, &d) > 0) {
			TCP_CNT(c, TCP_DSACK);
			dsack = true;
		}
	}
	if (c->flags & MDP_TCPF_TLP_OUT)
		tlp_ack(c, sg, dsack, c->sb.bytes > sacked);
	if (mdp_seq_gt(sg->ack, c->snd_una)) {
		ack_new(c, sg);
		if (c->state != MDP_TCP_CLOSED && (c->flags & MDP_TCPF_IN_RECOVERY) && sack_on(c))
			sack_recovery_send(c);
		if (c->state == MDP_TCP_CLOSED)
			goto drop;
	} else if (sg->ack == c->snd_una && c->snd_max != c->snd_una &&
		   (sack_on(c) ? c->sb.bytes > sacked
			       : sg->len == 0 && !(sg->flags & F_FIN) &&
				 (sg->wnd << c->snd_wscale) == c->snd_wnd)) {
		/* RFC 6675 2: with SACK, a duplicate ACK is one that SACKs
		 * new bytes, even when it changes the window (a Linux
		 * receiver's does as its application reads) or carries
		 * data; an exact copy of an earlier ACK is not one. Without
		 * SACK, RFC 5681 2's definition. */
		ack_dup(c);
	}
	/* window update (RFC 9293 3.10.7.4, fifth, ESTABLISHED) */
	if (mdp_seq_lt(c->snd_wl1, sg->seq) ||
	    (c->snd_wl1 == sg->seq && mdp_seq_le(c->snd_wl2, sg->ack))) {
		c->snd_wnd = sg->wnd << c->snd_wscale;
		if (c->snd_wnd > c->max_snd_wnd)
			c->max_snd_wnd = c->snd_wnd;
		c->snd_wl1 = sg->seq;
		c->snd_wl2 = sg->ack;
	}
	switch (c->state) {
	case MDP_TCP_FIN_WAIT_1:
		if (fin_acked(c)) {
			mdp_tcp_conn_set_state(c, MDP_TCP_FIN_WAIT_2);
			mdp_tcp_life_arm(c, c->s->cfg->fin_wait2_ms);
		}
		break;
	case MDP_TCP_CLOSING:
		if (fin_acked(c)) {
			enter_time_wait(c);
			if (c->state == MDP_TCP_CLOSED)
				goto drop;
		}
		break;
	case MDP_TCP_LAST_ACK:
		if (fin_acked(c)) {
			rte_pktmbuf_free(m);
			mdp_tcp_conn_done(c, 0);
			return;
		}
		break;
	case MDP_TCP_TIME_WAIT:
		/* A retransmitted FIN: ACK it and restart 2 MSL. */
		if (sg->flags & F_FIN) {
			c->flags |= MDP_TCPF_ACKNOW;
			mdp_tcp_life_arm(c, c->s->cfg->time_wait_ms);
		}
		goto drop_out;
	default:
		break;
	}

	/* seventh: data */
	if (c->state != MDP_TCP_ESTABLISHED && c->state != MDP_TCP_FIN_WAIT_1 &&
	    c->state != MDP_TCP_FIN_WAIT_2) {
		if (sg->len > 0)
			TCP_CNT(c, TCP_DATA_AFTER_FIN);
		goto drop_out;
	}
	if ((sg->flags & F_FIN) && !c->fin_seen) {
		c->fin_seen = true;
		c->fin_seq = sg->seq + sg->len;
	}
	/* RFC 7323 4.3: remember the timestamp of the segment that covers
	 * the edge we last acknowledged. */
	if ((c->flags & MDP_TCPF_TS) && sg->o.has_ts && mdp_seq_le(seq0, c->last_ack_sent))
		c->ts_recent = sg->o.tsval;
	had_ooo = c->n_ooo > 0;
	if (sg->len > 0) {
		uint32_t rwnd = mdp_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;

		if (mdp_seq_lt(sg->seq, c->rcv_nxt)) {
			uint32_t cut = c->rcv_nxt - sg->seq;	/* already have these */

			rte_pktmbuf_adj(m, (uint16_t)cut);
			sg->seq += cut;
			sg->len -= cut;
			TCP_CNT(c, TCP_DUP_DATA);
		}
		if (mdp_seq_gt(sg->seq + sg->len, c->rcv_nxt + rwnd)) {
			uint32_t over = sg->seq + sg->len - (c->rcv_nxt + rwnd);

			rte_pktmbuf_trim(m, (uint16_t)over);	/* beyond the window */
			sg->len -= over;
		}
		if (sg->len == 0) {
			rte_pktmbuf_free(m);
		} else if (sg->seq == c->rcv_nxt) {
			c->busy++;
			deliver(c, m, sg->len);
			ooo_pull(c);
			c->busy--;
			if (c->state == MDP_TCP_CLOSED || (c->flags & MDP_TCPF_DEFER_FREE))
				goto out;
			if (c->last_ack_sent == c->rcv_nxt) {
				/* the application's answer carried the ACK */
			} else if (had_ooo || c->s->cfg->delayed_ack_ms == 0 ||
				   c->rcv_nxt - c->last_ack_sent >= 2u * full_seg(c)) {
				c->flags |= MDP_TCPF_ACKNOW;	/* RFC 5681 4.2 */
			} else {
				c->flags |= MDP_TCPF_DELACK;
				mdp_tcp_delack_arm(c);
			}
		} else {
			/* A hole before it: keep it, and say so at once so the
			 * sender's fast retransmit can start (RFC 5681 4.2). */
			ooo_insert(c, m, sg->seq, sg->len);
			c->flags |= MDP_TCPF_ACKNOW;
		}
	} else {
		rte_pktmbuf_free(m);
	}
	m = NULL;
	/* eighth: FIN, once everything before it has arrived */
	if (c->fin_seen && c->rcv_nxt == c->fin_seq && !fin_in(c))
		return;
	goto out;

drop:
	rte_pktmbuf_free(m);
	return;
drop_out:
	rte_pktmbuf_free(m);
out:
	if (c->state != MDP_TCP_CLOSED)
		mdp_tcp_output(c);
}

/*
 * SYN cookies (the listener's backlog is full): answer with a SYN-ACK whose
 * ISN encodes the connection (lib/tcp/mdp_syncookie.c) and keep nothing.
 * Window scale and SACK ride in the low bits of our TSval, so they survive
 * only when the peer uses timestamps.
 */
static void
cookie_synack(struct mdp_worker *w, const struct mdp_port *p, const struct mdp_tcp_tuple *t,
	      const struct seg *sg)
{
	struct mdp_tcp_stack *s = w->tcp;
	struct mdp_tcp_conn tmp;
	struct mdp_syncookie_opts so = { 0 };
	uint16_t mss;

	memset(&tmp, 0, sizeof(tmp));
	tmp.w = w;
	tmp.s = s;
	tmp.t = *t;
	tmp.port = p->idx;
	tmp.state = MDP_TCP_SYN_RCVD;
	tmp.iss = mdp_syncookie_make(&s->key, t->laddr, t->lport, t->raddr, t->rport, sg->seq,
				     mdp_syncookie_counter(tcp_now_us(s)),
				     sg->o.has_mss ? sg->o.mss : 0, &mss);
	tmp.snd_una = tmp.iss;
	tmp.snd_nxt = tmp.iss + 1;
	tmp.rcv_nxt = sg->seq + 1;
	tmp.rcv_adv = tmp.rcv_nxt;
	if (sg->o.has_ts && s->cfg->timestamps) {
		tmp.flags |= MDP_TCPF_TS;
		tmp.ts_recent = sg->o.tsval;
		if (sg->o.has_wscale && s->cfg->window_scaling) {
			tmp.flags |= MDP_TCPF_WS;
			tmp.rcv_wscale = s->rcv_wscale;
			so.has_wscale = true;
			so.wscale = mdp_tcp_wscale_clamp(sg->o.wscale);
		}
		if (sg->o.sack_ok && s->cfg->sack) {
			tmp.flags |= MDP_TCPF_SACK;
			so.sack_ok = true;
		}
		so.mss = mss;
		tmp.syn_tsval = mdp_syncookie_tsval(tcp_ts_now(s), &so);
		if (tmp.syn_tsval == 0)
			tmp.syn_tsval = 1;
	}
	mdp_timer_init(&tmp.delack, NULL, NULL);
	MDP_CNT_INC(w, p->idx, TCP_SYNCOOKIE_SENT);
	mdp_tcp_send_syn(&tmp);
}

/* An ACK for a listener with no connection: a SYN cookie's third step?
 * Returns the new ESTABLISHED connection, or NULL. */
static struct mdp_tcp_conn *
cookie_ack(struct mdp_worker *w, const struct mdp_port *p, struct mdp_tcp_listener *l,
	   const struct mdp_tcp_tuple *t, const struct seg *sg)
{
	struct mdp_tcp_stack *s = w->tcp;
	struct mdp_syncookie_opts so = { 0 };
	struct mdp_tcp_conn *c;
	uint16_t mss;

	if (mdp_syncookie_check(&s->key, t->laddr, t->lport, t->raddr, t->rport, sg->seq - 1,
				sg->ack - 1, mdp_syncookie_counter(tcp_now_us(s)), &mss) != 0)
		return NULL;
	c = mdp_tcp_conn_alloc(s, t, p->idx);
	if (c == NULL) {
		MDP_CNT_INC(w, p->idx, TCP_POOL_FULL);
		return NULL;
	}
	if (sg->o.has_ts && s->cfg->timestamps) {
		mdp_syncookie_ts_decode(sg->o.tsecr, &so);
		c->flags |= MDP_TCPF_TS;
		c->ts_recent = sg->o.tsval;
	}
	if (so.has_wscale) {
		c->flags |= MDP_TCPF_WS;
		c->snd_wscale = so.wscale;
	} else {
		c->rcv_wscale = 0;
	}
	if (so.sack_ok)
		c->flags |= MDP_TCPF_SACK;
	c->lsn = l;
	c->flags |= MDP_TCPF_PASSIVE;
	c->irs = sg->seq - 1;
	c->rcv_nxt = sg->seq;
	/* What the cookie's SYN-ACK offered (unscaled, RFC 7323 2.2). */
	c->rcv_adv = c->rcv_nxt + RTE_MIN(mdp_tcp_rcv_window(c), 65535u);
	c->iss = sg->ack - 1;
	c->snd_una = sg->ack;
	c->snd_nxt = sg->ack;
	c->snd_max = sg->ack;
	c->smss = mdp_tcp_mss_clamp(mss, w->dp->ports[p->idx].conf->mtu);
	mdp_tcp_cc_init(&c->cc, (enum mdp_tcp_cc_algo)s->cfg->cc, c->smss, 0);
	c->snd_wnd = sg->wnd << c->snd_wscale;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = sg->seq;
	c->snd_wl2 = sg->ack;
	mdp_tcp_conn_set_state(c, MDP_TCP_ESTABLISHED);
	c->last_rx_tick = w->wheel.now;
	mdp_tcp_keepalive_start(c);
	MDP_CNT_INC(w, p->idx, TCP_SYNCOOKIE_OK);
	MDP_CNT_INC(w, p->idx, TCP_ACCEPTED);
	c->busy++;
	if (l->ops != NULL && l->ops->accepted != NULL)
		l->ops->accepted(c, l->ctx);
	c->busy--;
	return c;
}

/* A SYN for a listener (RFC 9293 3.10.7.2). */
static void
passive_open(struct mdp_worker *w, const struct mdp_port *p, struct mdp_tcp_listener *l,
	     const struct mdp_tcp_tuple *t, struct seg *sg, const struct rte_ipv4_hdr *ip,
	     const struct rte_tcp_hdr *th)
{
	struct mdp_tcp_stack *s = w->tcp;
	struct mdp_tcp_conn *c;

	if (l->half_open >= s->cfg->syn_backlog) {
		if (s->cfg->syncookies)
			cookie_synack(w, p, t, sg);
		else
			MDP_CNT_INC(w, p->idx, TCP_SYN_BACKLOG_FULL);
		return;
	}
	c = mdp_tcp_conn_alloc(s, t, p->idx);
	if (c == NULL) {
		/* A full pool refuses the SYN with a RST, and counts it. */
		MDP_CNT_INC(w, p->idx, TCP_POOL_FULL);
		mdp_tcp_reply_rst(w, p->idx, ip, th, 1);
		return;
	}
	c->lsn = l;
	l->half_open++;
	c->flags |= MDP_TCPF_PASSIVE;
	c->irs = sg->seq;
	c->rcv_nxt = sg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->iss = mdp_tcp_isn(&s->key, t->laddr, t->lport, t->raddr, t->rport, tcp_now_us(s));
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->snd_max = c->snd_nxt;
	negotiate(c, sg);
	c->snd_wnd = sg->wnd;
	c->snd_wl1 = sg->seq;
	c->rtt_tick = tcp_now_us(s);
	mdp_tcp_conn_set_state(c, MDP_TCP_SYN_RCVD);
	MDP_CNT_INC(w, p->idx, TCP_SYN_RX);
	mdp_tcp_send_syn(c);
	mdp_tcp_rtx_arm(c);
}

void
mdp_tcp_input(struct mdp_worker *w, const struct mdp_port *p, struct rte_mbuf *m,
	      struct rte_ipv4_hdr *ip)
{
	struct mdp_tcp_stack *s = w->tcp;
	uint32_t hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	uint32_t tot = rte_be_to_cpu_16(ip->total_length), doff;
	struct rte_tcp_hdr *th;
	struct mdp_tcp_conn *c;
	struct mdp_tcp_tuple t;
	struct seg sg;
	int l4_ok;

	if (unlikely(s == NULL)) {
		MDP_CNT_INC(w, p->idx, IP_PROTO_TCP);
		goto drop;
	}
	if (unlikely(tot < hlen + MDP_TCP_HDR || rte_pktmbuf_data_len(m) < hlen + MDP_TCP_HDR)) {
		MDP_CNT_INC(w, p->idx, TCP_BAD_HDR);
		goto drop;
	}
	th = (struct rte_tcp_hdr *)((uint8_t *)ip + hlen);
	doff = (uint32_t)(th->data_off >> 4) * 4;
	if (unlikely(doff < MDP_TCP_HDR || hlen + doff > tot ||
		     hlen + doff > rte_pktmbuf_data_len(m))) {
		MDP_CNT_INC(w, p->idx, TCP_BAD_HDR);
		goto drop;
	}
	l4_ok = p->rx_csum ? mdp_rx_csum_l4(m) : 0;
	if (l4_ok < 0 || (l4_ok == 0 && mdp_ipv4_l4_sum(ip, m, hlen) != 0xffff)) {
		MDP_CNT_INC(w, p->idx, TCP_BAD_CSUM);
		goto drop;
	}
	sg.flags = th->tcp_flags;
	if (mdp_tcp_opts_parse((const uint8_t *)(th + 1), doff - MDP_TCP_HDR,
			       (sg.flags & F_SYN) != 0, &sg.o) < 0) {
		MDP_CNT_INC(w, p->idx, TCP_BAD_OPTS);
		goto drop;
	}
	sg.seq = rte_be_to_cpu_32(th->sent_seq);
	sg.ack = rte_be_to_cpu_32(th->recv_ack);
	sg.wnd = rte_be_to_cpu_16(th->rx_win);
	sg.len = tot - hlen - doff;
	MDP_CNT_INC(w, p->idx, TCP_RX_SEGS);

	t.laddr = rte_be_to_cpu_32(ip->dst_addr);
	t.raddr = rte_be_to_cpu_32(ip->src_addr);
	t.lport = rte_be_to_cpu_16(th->dst_port);
	t.rport = rte_be_to_cpu_16(th->src_port);

	c = mdp_tcp_conn_lookup(s, &t);
	if (c != NULL) {
		/* Payload only from here; the headers stay readable in the
		 * buffer until m is released. */
		rte_pktmbuf_adj(m, (uint16_t)(hlen + doff));
		c->busy++;
		conn_input(c, m, &sg);
		c->busy--;
		if ((c->flags & MDP_TCPF_DEFER_FREE) && c->busy == 0)
			mdp_tcp_conn_release(c);
		return;
	}

	/* Not ours? An outgoing connection's replies may land on any queue
	 * when the device cannot hash them to us: the local port names the
	 * owner (mdp_port_owner), which gets the packet over its ring; on the
	 * owner this test is false, so a packet moves at most once. */
	if (w->dp->n_workers > 1 && t.lport >= MDP_EPHEMERAL_MIN &&
	    mdp_port_owner(w->dp, t.lport) != w->idx) {
		if (!mdp_handoff(w, mdp_port_owner(w->dp, t.lport), p->idx, m))
			goto drop;
		return;
	}

	/* No connection (RFC 9293 3.10.7.1 and .2). */
	if (sg.flags & F_RST) {
		MDP_CNT_INC(w, p->idx, TCP_RST_NO_CONN);
		goto drop;
	}
	{
		struct mdp_tcp_listener *l = mdp_tcp_listener_find(s, t.laddr, t.lport);

		if (l != NULL && (sg.flags & (F_SYN | F_ACK)) == F_SYN) {
			passive_open(w, p, l, &t, &sg, ip, th);
			goto drop;
		}
		if (l != NULL && s->cfg->syncookies && (sg.flags & (F_SYN | F_ACK)) == F_ACK) {
			c = cookie_ack(w, p, l, &t, &sg);
			if (c != NULL) {
				if (c->flags & MDP_TCPF_DEFER_FREE) {
					mdp_tcp_conn_release(c);	/* refused at once */
					goto drop;
				}
				rte_pktmbuf_adj(m, (uint16_t)(hlen + doff));
				c->busy++;
				conn_input(c, m, &sg);	/* data riding on the ACK */
				c->busy--;
				if ((c->flags & MDP_TCPF_DEFER_FREE) && c->busy == 0)
					mdp_tcp_conn_release(c);
				return;
			}
			MDP_CNT_INC(w, p->idx, TCP_SYNCOOKIE_BAD);
			mdp_tcp_reply_rst(w, p->idx, ip, th, seg_space(&sg));
			goto drop;
		}
		if (l == NULL)
			MDP_CNT_INC(w, p->idx, TCP_NO_LISTENER);
		else
			MDP_CNT_INC(w, p->idx, TCP_NO_CONN);
		mdp_tcp_reply_rst(w, p->idx, ip, th, seg_space(&sg));
	}
drop:
	rte_pktmbuf_free(m);
}

void
mdp_tcp_icmp_frag_needed(struct mdp_worker *w, const struct mdp_port *p, const uint8_t *quote,
			 uint32_t len, uint16_t mtu)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)quote;
	const struct rte_tcp_hdr *th;
	struct mdp_tcp_tuple t;
	struct mdp_tcp_conn *c;
	uint32_t hlen, seq;
	uint16_t mss;

	(void)p;
	if (w->tcp == NULL || len < sizeof(*ip))
		return;
	hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ip->next_proto_id != IPPROTO_TCP || hlen < sizeof(*ip) || len < hlen + 8)
		return;
	th = (const struct rte_tcp_hdr *)(quote + hlen);
	/* The quoted packet is one we sent: its source is our side. */
	t.laddr = rte_be_to_cpu_32(ip->src_addr);
	t.raddr = rte_be_to_cpu_32(ip->dst_addr);
	t.lport = rte_be_to_cpu_16(th->src_port);
	t.rport = rte_be_to_cpu_16(th->dst_port);
	c = mdp_tcp_conn_lookup(w->tcp, &t);
	if (c == NULL || c->state < MDP_TCP_ESTABLISHED)
		return;
	/* RFC 5927 4.1: believe it only for data in flight. */
	seq = rte_be_to_cpu_32(th->sent_seq);
	if (!mdp_seq_in(seq, c->snd_una, c->snd_max))
		return;
	if (mtu < 68 + MDP_TCP_IP4_HDRS)	/* RFC 1191: old routers send 0 */
		return;
	mss = mdp_tcp_mss_clamp((uint16_t)(mtu - MDP_TCP_IP4_HDRS), mtu);
	if (mss >= c->smss)
		return;
	c->smss = mss;
	mdp_tcp_cc_set_smss(&c->cc, mss);
	TCP_CNT(c, TCP_PMTU_LOWERED);
	/* Resend what the too-big packets carried, now in smaller pieces. */
	c->snd_nxt = c->snd_una;
	mdp_tcp_output(c);
}
