/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "net/net.h"
#include "tcp_priv.h"

#define IP_TTL_DEFAULT 64

uint32_t
mdp_tcp_rcv_window(const struct mdp_tcp_conn *c)
{
	uint32_t used = c->rcv_held + c->ooo_bytes, buf = c->s->cfg->rcv_buf;
	uint32_t win = used >= buf ? 0 : buf - used;
	uint32_t max = (uint32_t)65535 << c->rcv_wscale;

	return win > max ? max : win;
}

/* Payload that fits a segment: the MSS counts no options (RFC 6691), so
 * timestamps and SACK blocks come out of it. */
static uint32_t
seg_payload_max(const struct mdp_tcp_conn *c)
{
	uint32_t opt = (c->flags & MDP_TCPF_TS) ? 12 : 0;

	if ((c->flags & MDP_TCPF_SACK) && c->n_ooo > 0) {
		unsigned maxb = (c->flags & MDP_TCPF_TS) ? MDP_TCP_SACK_MAX_TS : MDP_TCP_SACK_MAX;
		unsigned n = RTE_MIN((unsigned)c->n_ooo, maxb);

		opt += 4 + 8 * n;	/* NOP NOP SACK len, and the blocks */
	}
	return c->smss > opt + 1 ? c->smss - opt : 1;
}

/* The sequence number of our FIN (valid while FIN_QUEUED and not acked):
 * no data is queued after it. */
static inline uint32_t
fin_seq(const struct mdp_tcp_conn *c)
{
	return c->snd_una + c->sndq.bytes;
}

/* Copy or reference len bytes of the send queue at offset off into m. */
static int
payload_attach(struct mdp_tcp_conn *c, struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	struct rte_mbuf *seg = c->sndq.head;
	bool chain = c->s->multiseg_tx & (1u << c->port);

	while (seg != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	while (len > 0 && seg != NULL) {
		uint32_t n = RTE_MIN(len, (uint32_t)seg->data_len - off);

		if (chain) {
			struct rte_mbuf *mi = rte_pktmbuf_alloc(c->w->pool);

			if (mi == NULL)
				return -ENOMEM;
			/* Zero copy: the segment refers to the queued buffer,
			 * which stays until both are released. */
			rte_pktmbuf_attach(mi, seg);
			mi->data_off = (uint16_t)(mi->data_off + off);
			mi->data_len = (uint16_t)n;
			mi->pkt_len = n;
			if (rte_pktmbuf_chain(m, mi) != 0) {
				rte_pktmbuf_free(mi);
				return -EOVERFLOW;
			}
		} else {
			/* The device takes one buffer per packet (AF_XDP). */
			char *dst = rte_pktmbuf_append(m, (uint16_t)n);

			if (dst == NULL)
				return -ENOSPC;
			memcpy(dst, rte_pktmbuf_mtod_offset(seg, char *, off), n);
		}
		len -= n;
		off = 0;
		seg = seg->next;
	}
	return len == 0 ? 0 : -EINVAL;
}

/*
 * Build and send one segment [seq, seq + len) with flags. SYN and FIN take
 * their sequence numbers; data comes from the send queue.
 */
static void
segment_send(struct mdp_tcp_conn *c, uint32_t seq, uint32_t len, uint8_t flags)
{
	struct mdp_tcp_stack *s = c->s;
	struct mdp_tcp_opts o = { 0 };
	uint8_t optbuf[MDP_TCP_OPTS_MAX];
	unsigned olen;
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint32_t win;
	bool syn = flags & RTE_TCP_SYN_FLAG;

	if (syn) {
		o.has_mss = true;
		o.mss = (uint16_t)(c->w->dp->ports[c->port].conf->mtu - MDP_TCP_IP4_HDRS);
		if (c->state == MDP_TCP_SYN_SENT || (c->flags & MDP_TCPF_WS)) {
			o.has_wscale = s->cfg->window_scaling;
			o.wscale = c->rcv_wscale;
		}
		if (c->state == MDP_TCP_SYN_SENT || (c->flags & MDP_TCPF_SACK))
			o.sack_ok = s->cfg->sack;
		if (c->state == MDP_TCP_SYN_SENT || (c->flags & MDP_TCPF_TS))
			o.has_ts = s->cfg->timestamps;
	} else {
		o.has_ts = (c->flags & MDP_TCPF_TS) != 0;
		if ((c->flags & MDP_TCPF_SACK) && c->n_ooo > 0) {
			/* RFC 2018 4: the first block MUST hold the segment
			 * that triggered this ACK (the one queued last); then
			 * the others in order, as many as fit. */
			unsigned maxb = o.has_ts ? MDP_TCP_SACK_MAX_TS : MDP_TCP_SACK_MAX;

			for (uint8_t i = 0; i < c->n_ooo; i++)
				if (mdp_seq_in(c->ooo_recent, c->ooo[i].seq,
					       c->ooo[i].seq + c->ooo[i].len)) {
					o.sack[0].start = c->ooo[i].seq;
					o.sack[0].end = c->ooo[i].seq + c->ooo[i].len;
					o.n_sack = 1;
				}
			for (uint8_t i = 0; i < c->n_ooo && o.n_sack < maxb; i++) {
				if (o.n_sack > 0 && c->ooo[i].seq == o.sack[0].start)
					continue;
				o.sack[o.n_sack].start = c->ooo[i].seq;
				o.sack[o.n_sack].end = c->ooo[i].seq + c->ooo[i].len;
				o.n_sack++;
			}
		}
	}
	if (o.has_ts) {
		o.tsval = (syn && c->syn_tsval) ? c->syn_tsval : tcp_ts_now(s);
		o.tsecr = c->ts_recent;
	}
	olen = mdp_tcp_opts_build(optbuf, &o, syn);

	m = rte_pktmbuf_alloc(c->w->pool);
	if (m == NULL) {
		TCP_CNT(c, MBUF_ALLOC);
		return;
	}
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*ip) + MDP_TCP_HDR + olen));
	if (ip == NULL) {
		rte_pktmbuf_free(m);
		TCP_CNT(c, MBUF_ALLOC);
		return;
	}
	th = (struct rte_tcp_hdr *)(ip + 1);
	memcpy(th + 1, optbuf, olen);
	if (len > 0 && payload_attach(c, m, seq - c->snd_una, len) != 0) {
		rte_pktmbuf_free(m);
		TCP_CNT(c, MBUF_ALLOC);
		return;
	}

	win = mdp_tcp_rcv_window(c);
	if (mdp_seq_lt(c->rcv_nxt + win, c->rcv_adv))
		win = c->rcv_adv - c->rcv_nxt;	/* never shrink (RFC 9293 3.8.6.2.2) */
	th->src_port = rte_cpu_to_be_16(c->t.lport);
	th->dst_port = rte_cpu_to_be_16(c->t.rport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32((flags & RTE_TCP_ACK_FLAG) ? c->rcv_nxt : 0);
	th->data_off = (uint8_t)(((MDP_TCP_HDR + olen) / 4) << 4);
	th->tcp_flags = flags;
	if (syn) {
		th->rx_win = rte_cpu_to_be_16((uint16_t)RTE_MIN(win, 65535u));	/* RFC 7323 2.2 */
		c->rcv_adv = c->rcv_nxt + RTE_MIN(win, 65535u);
	} else {
		uint32_t w16 = RTE_MIN(win >> c->rcv_wscale, 65535u);

		th->rx_win = rte_cpu_to_be_16((uint16_t)w16);
		if (mdp_seq_gt(c->rcv_nxt + (w16 << c->rcv_wscale), c->rcv_adv))
			c->rcv_adv = c->rcv_nxt + (w16 << c->rcv_wscale);
	}
	th->cksum = 0;
	th->tcp_urp = 0;

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)rte_pktmbuf_pkt_len(m));
	ip->packet_id = 0;
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = IP_TTL_DEFAULT;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(c->t.laddr);
	ip->dst_addr = rte_cpu_to_be_32(c->t.raddr);
	mdp_ipv4_tcp_csum_set(&c->w->dp->ports[c->port], m, ip, th);

	if (flags & RTE_TCP_ACK_FLAG) {
		c->last_ack_sent = c->rcv_nxt;
		c->flags &= ~(uint32_t)(MDP_TCPF_ACKNOW | MDP_TCPF_DELACK);
		mdp_timer_stop(&c->w->wheel, &c->delack);
	}
	TCP_CNT(c, TCP_TX_SEGS);
	if (len > 0)
		MDP_CNT_ADD(c->w, c->port, TCP_TX_BYTES, len);
	c->bytes_out += len;
	mdp_ipv4_output(c->w, c->port, m);
}

void
mdp_tcp_send_ack(struct mdp_tcp_conn *c)
{
	segment_send(c, c->snd_nxt, 0, RTE_TCP_ACK_FLAG);
}

void
mdp_tcp_send_keepalive(struct mdp_tcp_conn *c)
{
	TCP_CNT(c, TCP_KEEPALIVE_PROBE);
	segment_send(c, c->snd_una - 1, 0, RTE_TCP_ACK_FLAG);
}

/*
 * A zero-window probe (RFC 9293 3.8.6.1): an ACK from below the window,
 * which the peer answers with an ACK carrying its window. Not a byte of new
 * data: that byte would not count as sent, so the ACK of a peer whose window
 * has opened would lie beyond SND.MAX and be refused, and the window update
 * with it (Linux probes this way too: tcp_xmit_probe_skb()).
 */
void
mdp_tcp_send_window_probe(struct mdp_tcp_conn *c)
{
	segment_send(c, c->snd_una - 1, 0, RTE_TCP_ACK_FLAG);
}

void
mdp_tcp_send_syn(struct mdp_tcp_conn *c)
{
	uint8_t flags = RTE_TCP_SYN_FLAG;

	if (c->state == MDP_TCP_SYN_RCVD)
		flags |= RTE_TCP_ACK_FLAG;
	segment_send(c, c->iss, 0, flags);
}

void
mdp_tcp_send_rst(struct mdp_tcp_conn *c)
{
	TCP_CNT(c, TCP_TX_RST);
	segment_send(c, c->snd_nxt, 0, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
}

void
mdp_tcp_send_rst_at(struct mdp_tcp_conn *c, uint32_t seq)
{
	TCP_CNT(c, TCP_TX_RST);
	segment_send(c, seq, 0, RTE_TCP_RST_FLAG);
}

uint32_t
mdp_tcp_retransmit(struct mdp_tcp_conn *c, uint32_t seq, uint32_t len)
{
	uint32_t queued_end = c->snd_una + c->sndq.bytes;
	uint8_t flags = RTE_TCP_ACK_FLAG;

	if (len > seg_payload_max(c))
		len = seg_payload_max(c);
	if (mdp_seq_gt(seq + len, queued_end))
		len = mdp_seq_gt(queued_end, seq) ? queued_end - seq : 0;
	if ((c->flags & MDP_TCPF_FIN_SENT) && seq + len == queued_end &&
	    mdp_seq_lt(seq + len, c->snd_max))
		flags |= RTE_TCP_FIN_FLAG;	/* the FIN is part of what was lost */
	if (len == 0 && !(flags & RTE_TCP_FIN_FLAG))
		return 0;
	c->retrans++;
	TCP_CNT(c, TCP_RETRANS);
	segment_send(c, seq, len, flags | (len ? RTE_TCP_PSH_FLAG : 0));
	return len + ((flags & RTE_TCP_FIN_FLAG) ? 1 : 0);
}

void
mdp_tcp_output(struct mdp_tcp_conn *c)
{
	bool sent = false;

	if (c->state < MDP_TCP_ESTABLISHED) {
		if (c->flags & MDP_TCPF_ACKNOW)
			mdp_tcp_send_ack(c);
		return;
	}
	for (;;) {
		uint32_t off = c->snd_nxt - c->snd_una;
		uint32_t avail = c->sndq.bytes > off ? c->sndq.bytes - off : 0;
		uint32_t wnd = RTE_MIN(c->snd_wnd, c->cc.cwnd);
		uint32_t flight = c->snd_nxt - c->snd_una;
		uint32_t usable = wnd > flight ? wnd - flight : 0;
		uint32_t lim = RTE_MIN(usable, seg_payload_max(c));
		uint32_t len = RTE_MIN(avail, lim);
		/* The FIN follows the last byte; after an RTO pulled snd_nxt
		 * back it goes again with the data before it. Once sent, and
		 * unless so pulled back, it is behind snd_nxt (and once
		 * acknowledged fin_seq() no longer names it). */
		bool fin = (c->flags & MDP_TCPF_FIN_QUEUED) && c->snd_nxt + len == fin_seq(c) &&
			   (!(c->flags & MDP_TCPF_FIN_SENT) || mdp_seq_lt(c->snd_nxt + len, c->snd_max));
		uint8_t flags = RTE_TCP_ACK_FLAG;

		if (len == 0 && !fin)
			break;
		/* Sender SWS avoidance (RFC 9293 3.8.6.2.1): a small segment
		 * only when it carries all that is waiting (no Nagle). */
		if (len < seg_payload_max(c) && len < avail)
			break;
		if (len > 0)
			flags |= RTE_TCP_PSH_FLAG;
		if (fin)
			flags |= RTE_TCP_FIN_FLAG;
		if (c->rtt_seq == 0 && !(c->flags & MDP_TCPF_TS) && len > 0 &&
		    !mdp_seq_lt(c->snd_nxt, c->snd_max)) {
			/* Time one new segment per RTT (Karn: never a
			 * retransmission). */
			c->rtt_seq = c->snd_nxt + len;
			c->rtt_tick = tcp_now_us(c->s);
		}
		if (mdp_seq_lt(c->snd_nxt, c->snd_max))
			TCP_CNT(c, TCP_RETRANS);
		segment_send(c, c->snd_nxt, len, flags);
		c->snd_nxt += len + (fin ? 1 : 0);
		if (mdp_seq_gt(c->snd_nxt, c->snd_max))
			c->snd_max = c->snd_nxt;
		if (fin && !(c->flags & MDP_TCPF_FIN_SENT)) {
			c->flags |= MDP_TCPF_FIN_SENT;
			if (c->state == MDP_TCP_ESTABLISHED)
				mdp_tcp_conn_set_state(c, MDP_TCP_FIN_WAIT_1);
			else if (c->state == MDP_TCP_CLOSE_WAIT)
				mdp_tcp_conn_set_state(c, MDP_TCP_LAST_ACK);
		}
		sent = true;
		if (fin)
			break;
	}
	if (sent || c->snd_una != c->snd_max)
		mdp_tcp_rtx_arm(c);
	else if (c->snd_wnd == 0 && c->sndq.bytes > 0)
		mdp_tcp_rtx_arm(c);	/* persist: probe the zero window */
	if (!sent && (c->flags & MDP_TCPF_ACKNOW))
		mdp_tcp_send_ack(c);
}

void
mdp_tcp_reply_rst(struct mdp_worker *w, uint16_t port, const struct rte_ipv4_hdr *rip,
		  const struct rte_tcp_hdr *rth, uint32_t seg_len)
{
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

	if (rth->tcp_flags & RTE_TCP_RST_FLAG)
		return;	/* never answer a RST */
	m = rte_pktmbuf_alloc(w->pool);
	if (m == NULL) {
		MDP_CNT_INC(w, port, MBUF_ALLOC);
		return;
	}
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_append(m, sizeof(*ip) + MDP_TCP_HDR);
	if (ip == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	th = (struct rte_tcp_hdr *)(ip + 1);
	memset(th, 0, sizeof(*th));
	th->src_port = rth->dst_port;
	th->dst_port = rth->src_port;
	th->data_off = (MDP_TCP_HDR / 4) << 4;
	/* RFC 9293 3.10.7.1: if the segment had an ACK, <SEQ=SEG.ACK><RST>;
	 * else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><RST,ACK>. */
	if (rth->tcp_flags & RTE_TCP_ACK_FLAG) {
		th->sent_seq = rth->recv_ack;
		th->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		th->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(rth->sent_seq) + seg_len);
		th->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + MDP_TCP_HDR);
	ip->packet_id = 0;
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = IP_TTL_DEFAULT;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rip->dst_addr;
	ip->dst_addr = rip->src_addr;
	mdp_ipv4_tcp_csum_set(&w->dp->ports[port], m, ip, th);
	MDP_CNT_INC(w, port, TCP_TX_RST);
	mdp_ipv4_output(w, port, m);
}

/*
 * One new segment at snd_max for SACK recovery (RFC 6675 NextSeg rule 2):
 * within the peer's window; the caller has checked pipe against cwnd.
 * Returns the bytes sent (0: nothing new to send).
 */
uint32_t
mdp_tcp_send_new(struct mdp_tcp_conn *c)
{
	uint32_t off = c->snd_max - c->snd_una;
	uint32_t avail = c->sndq.bytes > off ? c->sndq.bytes - off : 0;
	uint32_t wnd_end = c->snd_una + c->snd_wnd;
	uint32_t room = mdp_seq_gt(wnd_end, c->snd_max) ? wnd_end - c->snd_max : 0;
	uint32_t lim = RTE_MIN(room, seg_payload_max(c));
	uint32_t len = RTE_MIN(avail, lim);

	if (len == 0 || c->snd_nxt != c->snd_max)
		return 0;
	segment_send(c, c->snd_max, len, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG);
	c->snd_max += len;
	c->snd_nxt = c->snd_max;
	return len;
}
