/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include "tcp_priv.h"

/*
 * Three timers per connection on the worker's wheel:
 *   rtx    SYN/SYN-ACK retransmission, data retransmission (RFC 6298),
 *          and the persist timer for a zero window (RFC 9293 3.8.6.1)
 *   delack the delayed ACK (RFC 9293 3.8.6.3, RFC 5681 4.2)
 *   life   TIME-WAIT, FIN-WAIT-2
 */

static void rtx_fire(struct mdp_timer *t, void *arg);
static void delack_fire(struct mdp_timer *t, void *arg);
static void life_fire(struct mdp_timer *t, void *arg);

void
mdp_tcp_timers_init(struct mdp_tcp_conn *c)
{
	mdp_timer_init(&c->rtx, rtx_fire, c);
	mdp_timer_init(&c->delack, delack_fire, c);
	mdp_timer_init(&c->life, life_fire, c);
}

void
mdp_tcp_timers_stop(struct mdp_tcp_conn *c)
{
	struct mdp_wheel *wh = &c->w->wheel;

	mdp_timer_stop(wh, &c->rtx);
	mdp_timer_stop(wh, &c->delack);
	mdp_timer_stop(wh, &c->life);
}

/* RFC 8985 7.2: the worst-case delayed ACK a lone segment may wait for. */
#define TLP_WC_DELACK_US 200000u

/*
 * RFC 8985 7.2: a tail loss probe instead of the RTO, when data is out in
 * the open state (no recovery, no back-off, no probe already out) and SACK
 * will tell us what the probe found. PTO = 2 SRTT, plus the worst-case
 * delayed ACK when one segment is out (its ACK may be delayed), and never
 * later than the RTO. Returns 0 when no probe is due.
 */
static uint64_t
pto_us(const struct mdp_tcp_conn *c, uint64_t rto)
{
	uint64_t pto;

	if ((c->state != MDP_TCP_ESTABLISHED && c->state != MDP_TCP_CLOSE_WAIT) ||
	    !(c->flags & MDP_TCPF_SACK) || c->rtx_count > 0 || c->rtt.srtt_us == 0 ||
	    (c->flags & (MDP_TCPF_IN_RECOVERY | MDP_TCPF_TLP_OUT)) || c->snd_max == c->snd_una)
		return 0;
	pto = 2ull * c->rtt.srtt_us;
	if (c->snd_max - c->snd_una <= c->smss)
		pto += TLP_WC_DELACK_US;
	else
		pto += 2000;	/* a little slack for the peer's ACK batching, as Linux */
	return pto < rto ? pto : 0;
}

void
mdp_tcp_rtx_arm(struct mdp_tcp_conn *c)
{
	uint64_t rto, pto;

	if (mdp_timer_pending(&c->rtx))
		return;
	rto = mdp_tcp_rtt_rto(&c->rtt);
	pto = pto_us(c, rto);
	if (pto > 0)
		c->flags |= MDP_TCPF_PTO;
	else
		c->flags &= ~(uint32_t)MDP_TCPF_PTO;
	mdp_timer_start(&c->w->wheel, &c->rtx, tcp_us_to_ticks(c->w, pto > 0 ? pto : rto));
}

/*
 * RFC 8985 7.3: the probe. New data if the windows allow (it may draw the
 * SACK that starts recovery), else the last segment again. The RTO follows.
 */
static void
tlp_send(struct mdp_tcp_conn *c)
{
	uint32_t data_end = c->snd_una + c->sndq.bytes;
	uint32_t len;

	if (mdp_seq_gt(data_end, c->snd_max))
		data_end = c->snd_max;
	TCP_CNT(c, TCP_TLP);
	c->flags |= MDP_TCPF_TLP_OUT;
	c->flags &= ~(uint32_t)MDP_TCPF_TLP_RTX;
	if (c->snd_nxt == c->snd_max && mdp_tcp_send_new(c) > 0) {
		c->tlp_high = c->snd_max;
		return;
	}
	len = RTE_MIN(data_end - c->snd_una, (uint32_t)c->smss);
	if (mdp_tcp_retransmit(c, data_end - len, len) > 0)
		c->flags |= MDP_TCPF_TLP_RTX;
	c->tlp_high = c->snd_max;
}

void
mdp_tcp_delack_arm(struct mdp_tcp_conn *c)
{
	if (!mdp_timer_pending(&c->delack))
		mdp_timer_start(&c->w->wheel, &c->delack,
				tcp_ms_to_ticks(c->w, c->s->cfg->delayed_ack_ms));
}

void
mdp_tcp_life_arm(struct mdp_tcp_conn *c, uint64_t ms)
{
	mdp_timer_start(&c->w->wheel, &c->life, tcp_ms_to_ticks(c->w, ms));
}

static void
rtx_fire(struct mdp_timer *t, void *arg)
{
	struct mdp_tcp_conn *c = arg;
	const struct mdp_conf_tcp *cfg = c->s->cfg;
	uint32_t flight = c->snd_max - c->snd_una;

	(void)t;
	switch (c->state) {
	case MDP_TCP_SYN_SENT:
	case MDP_TCP_SYN_RCVD:
		if (++c->rtx_count > cfg->syn_retries) {
			TCP_CNT(c, TCP_SYN_TIMEOUT);
			mdp_tcp_conn_done(c, -ETIMEDOUT);
			return;
		}
		/* RFC 6298 5.5 and 5.7 */
		mdp_tcp_rtt_backoff(&c->rtt);
		TCP_CNT(c, TCP_RETRANS);
		mdp_tcp_send_syn(c);
		mdp_tcp_rtx_arm(c);
		return;
	case MDP_TCP_CLOSED:
	case MDP_TCP_LISTEN:
	case MDP_TCP_TIME_WAIT:
		return;
	default:
		break;
	}
	if (flight == 0) {
		if (c->snd_wnd == 0 && c->sndq.bytes > 0) {
			/* Persist: probe the zero window, backing off as RTOs
			 * do, never giving up while the peer answers. */
			TCP_CNT(c, TCP_PERSIST_PROBE);
			mdp_tcp_rtt_backoff(&c->rtt);
			mdp_tcp_send_window_probe(c);
			mdp_tcp_rtx_arm(c);
		}
		return;
	}
	if (c->flags & MDP_TCPF_PTO) {
		c->flags &= ~(uint32_t)MDP_TCPF_PTO;
		if (!(c->flags & (MDP_TCPF_IN_RECOVERY | MDP_TCPF_TLP_OUT)))
			tlp_send(c);
		mdp_tcp_rtx_arm(c);	/* now the RTO */
		return;
	}
	if (++c->rtx_count > cfg->max_retries) {
		/* RFC 9293 3.8.3 R2: give up, tell the application. */
		TCP_CNT(c, TCP_RTO_ABORT);
		/* At snd_una: what the peer most likely expects (RFC 5961 3.2
		 * accepts a RST only at rcv_nxt). */
		mdp_tcp_send_rst_at(c, c->snd_una);
		mdp_tcp_conn_done(c, -ETIMEDOUT);
		return;
	}
	TCP_CNT(c, TCP_RTO);
	/* RFC 5681 (4) and RFC 6298 5.5-5.6: collapse the window, back off,
	 * resend from the first unacknowledged byte (go-back-N from snd_una;
	 * RFC 6675 5.1 says to forget the SACK scoreboard). */
	mdp_tcp_cc_on_rto(&c->cc, flight, c->rtx_count > 1);
	mdp_tcp_rtt_backoff(&c->rtt);
	mdp_tcp_sack_reset(&c->sb);
	c->flags &= ~(uint32_t)(MDP_TCPF_IN_RECOVERY | MDP_TCPF_TLP_OUT | MDP_TCPF_TLP_RTX);
	c->n_rtx_log = 0;
	c->dupacks = 0;
	c->rtt_seq = 0;		/* Karn */
	c->recover = c->snd_max;
	c->snd_nxt = c->snd_una;
	mdp_tcp_output(c);
	mdp_tcp_rtx_arm(c);
}

static void
delack_fire(struct mdp_timer *t, void *arg)
{
	struct mdp_tcp_conn *c = arg;

	(void)t;
	if (c->flags & MDP_TCPF_DELACK)
		mdp_tcp_send_ack(c);
}

void
mdp_tcp_keepalive_start(struct mdp_tcp_conn *c)
{
	if (c->s->cfg->keepalive_idle_s == 0)
		return;
	c->ka_probes = 0;
	mdp_tcp_life_arm(c, c->s->cfg->keepalive_idle_s * 1000ull);
}

/* Keepalive (RFC 9293 3.8.4; off unless tcp.keepalive.idle_s): after idle_s
 * of silence from the peer, probe every interval_s; `count` unanswered
 * probes end the connection with -ETIMEDOUT. */
static void
keepalive_fire(struct mdp_tcp_conn *c)
{
	const struct mdp_conf_tcp *cfg = c->s->cfg;
	uint64_t idle_ticks = tcp_ms_to_ticks(c->w, cfg->keepalive_idle_s * 1000ull);
	uint64_t quiet = c->w->wheel.now - c->last_rx_tick;

	if (c->ka_probes == 0 && quiet < idle_ticks) {
		/* Heard from the peer meanwhile: wait out the rest. */
		mdp_timer_start(&c->w->wheel, &c->life, idle_ticks - quiet);
		return;
	}
	if (c->ka_probes >= cfg->keepalive_count) {
		TCP_CNT(c, TCP_KEEPALIVE_ABORT);
		mdp_tcp_send_rst(c);
		mdp_tcp_conn_done(c, -ETIMEDOUT);
		return;
	}
	c->ka_probes++;
	mdp_tcp_send_keepalive(c);
	mdp_tcp_life_arm(c, cfg->keepalive_interval_s * 1000ull);
}

static void
life_fire(struct mdp_timer *t, void *arg)
{
	struct mdp_tcp_conn *c = arg;

	(void)t;
	switch (c->state) {
	case MDP_TCP_ESTABLISHED:
	case MDP_TCP_CLOSE_WAIT:
		keepalive_fire(c);
		return;
	case MDP_TCP_TIME_WAIT:
		mdp_tcp_conn_done(c, 0);
		return;
	case MDP_TCP_FIN_WAIT_2:
		/* The peer never closed: do not wait for ever (Linux's
		 * tcp_fin_timeout). */
		TCP_CNT(c, TCP_FIN_WAIT2_TIMEOUT);
		mdp_tcp_conn_done(c, 0);
		return;
	default:
		return;
	}
}
