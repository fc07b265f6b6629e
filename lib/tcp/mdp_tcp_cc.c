/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tcp/mdp_tcp_cc.h"

#define SMSS_MAX	65535u
/* RFC 6928 2: IW = min(10*MSS, max(2*MSS, 14600)) */
#define IW_BYTES_RFC6928	14600u

/*
 * CUBIC fixed point. Time is counted in 1/1024 s ("ticks" below), so that
 * (t - K)^3 in ticks^3 carries 30 fraction bits of seconds^3. With C = 2/5:
 *   W_cubic(t) - W_max = C * (t - K)^3 [segments]
 *                      = (2/5) * offs^3 / 2^30 * SMSS [bytes]
 *   K = cbrt((W_max - cwnd_epoch) / SMSS / C) [s]
 *     = cbrt((W_max - cwnd_epoch) * 5 * 2^30 / (2 * SMSS)) [ticks]
 * |t - K| is capped at 2^21 ticks (2048 s) so that offs^3 fits 64 bits;
 * beyond it W_cubic saturates. K stays below the cap: W_max - cwnd_epoch
 * <= 2^30 and SMSS >= 1 give K^3 <= 5 * 2^59 ticks^3, K < 1.5e6 ticks.
 */
#define TICK_SHIFT	MDP_TCP_CUBIC_TIME_SHIFT
#define OFFS_MAX	(1ull << 21)
#define ELAPSED_MAX_US	(1ull << 40)	/* ~12.7 days: keeps << TICK_SHIFT exact */
/* alpha_cubic = 3 * (1 - 0.7) / (1 + 0.7) = 9/17 (RFC 9438 4.3) */
#define ALPHA_NUM	9
#define ALPHA_DEN	17

static uint32_t
clamp_smss(uint32_t smss)
{
	if (smss == 0)
		return 1;
	return smss > SMSS_MAX ? SMSS_MAX : smss;
}

/* cwnd stays within [SMSS, MDP_TCP_CC_CWND_MAX]. */
static uint32_t
clamp_cwnd(const struct mdp_tcp_cc *cc, uint64_t v)
{
	if (v > MDP_TCP_CC_CWND_MAX)
		return MDP_TCP_CC_CWND_MAX;
	if (v < cc->smss)
		return cc->smss;
	return (uint32_t)v;
}

static uint32_t
iw_bytes(const struct mdp_tcp_cc *cc)
{
	uint64_t smss = cc->smss;
	uint64_t iw;

	if (cc->iw_segments == 0) {
		/* RFC 6928 2 */
		uint64_t floor = 2 * smss > IW_BYTES_RFC6928 ? 2 * smss : IW_BYTES_RFC6928;

		iw = MDP_TCP_CC_IW_SEGMENTS * smss;
		if (iw > floor)
			iw = floor;
	} else {
		iw = cc->iw_segments * smss;
	}
	return clamp_cwnd(cc, iw);
}

/* ssthresh after a congestion event: max(FlightSize * factor, 2*SMSS). */
static uint32_t
loss_ssthresh(const struct mdp_tcp_cc *cc, uint32_t flight)
{
	uint64_t v;

	if (cc->algo == MDP_TCP_CC_CUBIC)	/* RFC 9438 4.6 */
		v = (uint64_t)flight * MDP_TCP_CUBIC_BETA_NUM / MDP_TCP_CUBIC_BETA_DEN;
	else					/* RFC 5681 (4) */
		v = flight / 2;
	if (v < 2 * (uint64_t)cc->smss)
		v = 2 * (uint64_t)cc->smss;
	if (v > MDP_TCP_CC_CWND_MAX)
		v = MDP_TCP_CC_CWND_MAX;
	return (uint32_t)v;
}

static void
reset_growth(struct mdp_tcp_cc *cc)
{
	cc->ca_acc = 0;
	cc->cubic.in_epoch = false;
	cc->cubic.app_limited = false;
	cc->cubic.inc_rem = 0;
	cc->cubic.est_rem = 0;
}

uint32_t
mdp_tcp_cc_cbrt(uint64_t x)
{
	uint64_t y = 0;
	int s;

	/* Bit-by-bit (Hacker's Delight, icbrt): one result bit per 3 input
	 * bits, from the top group (bit 63 alone) down. */
	for (s = 63; s >= 0; s -= 3) {
		uint64_t b;

		y <<= 1;
		b = 3 * y * (y + 1) + 1;
		if ((x >> s) >= b) {
			x -= b << s;
			y++;
		}
	}
	return (uint32_t)y;
}

void
mdp_tcp_cc_init(struct mdp_tcp_cc *cc, enum mdp_tcp_cc_algo algo,
		uint32_t smss, uint32_t iw_segments)
{
	memset(cc, 0, sizeof(*cc));
	cc->algo = algo == MDP_TCP_CC_CUBIC ? MDP_TCP_CC_CUBIC : MDP_TCP_CC_NEWRENO;
	cc->smss = clamp_smss(smss);
	cc->iw_segments = iw_segments;
	cc->cwnd = iw_bytes(cc);
	cc->ssthresh = MDP_TCP_CC_CWND_MAX;	/* RFC 5681 3.1 */
}

/*
 * Slow start (RFC 5681 3.1 with RFC 3465 2.2): grow by the bytes acked, at
 * most L per ACK, and not past ssthresh. Returns the bytes left for
 * congestion avoidance once cwnd reaches ssthresh, else 0.
 */
static uint32_t
slow_start(struct mdp_tcp_cc *cc, uint32_t acked)
{
	/* RFC 3465 2.3: L = 2*SMSS, but 1*SMSS after an RTO, whose cumulative
	 * ACKs may cover much data that left the network long ago. */
	uint32_t limit = cc->rto_slow_start ? cc->smss : 2 * cc->smss;
	uint32_t inc = acked < limit ? acked : limit;
	uint32_t room = cc->ssthresh - cc->cwnd;

	if (inc < room) {
		cc->cwnd = clamp_cwnd(cc, (uint64_t)cc->cwnd + inc);
		return 0;
	}
	cc->cwnd = clamp_cwnd(cc, cc->ssthresh);
	cc->rto_slow_start = false;
	return acked - room;
}

/* NewReno congestion avoidance: RFC 5681 3.1 / RFC 3465 2.1 byte counting. */
static void
reno_ca(struct mdp_tcp_cc *cc, uint32_t acked)
{
	uint64_t acc = (uint64_t)cc->ca_acc + acked;
	uint64_t n;

	if (acc < cc->cwnd) {
		cc->ca_acc = (uint32_t)acc;
		return;
	}
	n = acc / cc->cwnd;
	cc->ca_acc = (uint32_t)(acc - n * cc->cwnd);
	cc->cwnd = clamp_cwnd(cc, cc->cwnd + n * cc->smss);
}

/* W_cubic(t) in bytes, t in microseconds since the epoch (RFC 9438 eq. 1). */
static uint64_t
cubic_w(const struct mdp_tcp_cc *cc, uint64_t t_us)
{
	const struct mdp_tcp_cc_cubic *c = &cc->cubic;
	uint64_t t, offs, seg_fp, delta;
	bool above;

	if (t_us > ELAPSED_MAX_US)
		t_us = ELAPSED_MAX_US;
	t = (t_us << TICK_SHIFT) / 1000000;
	above = t >= c->k;
	offs = above ? t - c->k : c->k - t;
	if (offs >= OFFS_MAX)
		return above ? MDP_TCP_CC_CWND_MAX : 0;
	/* C * offs^3 in 2^-30 segments: offs^3 < 2^63, C = 2/5 */
	seg_fp = offs * offs * offs / 5 * 2;
	delta = (seg_fp >> 30) * cc->smss +
		(((seg_fp & ((1ull << 30) - 1)) * cc->smss) >> 30);
	if (above) {
		delta += c->w_max;
		return delta > MDP_TCP_CC_CWND_MAX ? MDP_TCP_CC_CWND_MAX : delta;
	}
	return delta >= c->w_max ? 0 : c->w_max - delta;
}

static void
cubic_epoch_start(struct mdp_tcp_cc *cc, uint64_t now_us)
{
	struct mdp_tcp_cc_cubic *c = &cc->cubic;

	c->in_epoch = true;
	c->app_limited = false;
	c->epoch_us = now_us;
	c->last_us = now_us;
	c->cwnd_epoch = cc->cwnd;
	c->w_est = cc->cwnd;	/* RFC 9438 4.3 */
	c->inc_rem = 0;
	c->est_rem = 0;
	if (c->after_rto || c->w_max <= cc->cwnd) {
		/* RFC 9438 4.8 after a timeout (and 4.10's HyStart++ exit, the
		 * same situation): K = 0, W_max = cwnd_epoch. Also when slow
		 * start already went past the old W_max. */
		c->k = 0;
		c->w_max = cc->cwnd;
		c->after_rto = false;
	} else {
		/* RFC 9438 eq. 2, in ticks (see the top of this file) */
		uint64_t d = c->w_max - cc->cwnd;

		c->k = mdp_tcp_cc_cbrt(((d * 5) << 30) / (2 * (uint64_t)cc->smss));
	}
}

/* Exclude application-limited time from t (RFC 9438 4.2 and 5.8). */
static void
cubic_shift_epoch(struct mdp_tcp_cc_cubic *c, uint64_t now_us)
{
	if (now_us > c->last_us)
		c->epoch_us += now_us - c->last_us;
	c->last_us = now_us;
}

/* CUBIC congestion avoidance for one new ACK (RFC 9438 4.2-4.5). */
static void
cubic_ca(struct mdp_tcp_cc *cc, uint32_t acked, uint32_t srtt_us, uint64_t now_us)
{
	struct mdp_tcp_cc_cubic *c = &cc->cubic;
	uint64_t t_us, w_t, target, num, den, inc;
	uint32_t alpha;

	if (!c->in_epoch) {
		cubic_epoch_start(cc, now_us);
	} else {
		/* The gap after an application-limited ACK was not spent
		 * using the window either. */
		if (c->app_limited)
			cubic_shift_epoch(c, now_us);
		c->app_limited = false;
		if (now_us > c->last_us)
			c->last_us = now_us;
	}
	t_us = now_us > c->epoch_us ? now_us - c->epoch_us : 0;

	/* RFC 9438 4.3: W_est += alpha_cubic * segments_acked / cwnd, counted
	 * in bytes (ABC); alpha_cubic becomes 1 once W_est >= cwnd_prior. */
	alpha = c->w_est >= c->cwnd_prior ? ALPHA_DEN : ALPHA_NUM;
	num = c->est_rem + (uint64_t)alpha * acked * cc->smss;
	den = (uint64_t)ALPHA_DEN * cc->cwnd;
	c->w_est = clamp_cwnd(cc, c->w_est + num / den);
	c->est_rem = num % den;

	w_t = cubic_w(cc, t_us);
	if (w_t < c->w_est) {
		/* Reno-friendly region: cwnd = W_est (never lowered here) */
		if (c->w_est > cc->cwnd)
			cc->cwnd = c->w_est;
		c->inc_rem = 0;
		return;
	}

	/* RFC 9438 4.2: target = W_cubic(t + RTT) within [cwnd, 1.5 cwnd];
	 * 4.4, 4.5: cwnd += (target - cwnd) / cwnd per acked segment. */
	target = cubic_w(cc, t_us + srtt_us);
	if (target < cc->cwnd)
		target = cc->cwnd;
	if (target > (uint64_t)cc->cwnd + cc->cwnd / 2)
		target = (uint64_t)cc->cwnd + cc->cwnd / 2;
	num = c->inc_rem + (target - cc->cwnd) * acked;
	inc = num / cc->cwnd;
	c->inc_rem = num % cc->cwnd;
	if (inc > target - cc->cwnd) {
		inc = target - cc->cwnd;	/* stretch ACK: not past target */
		c->inc_rem = 0;
	}
	cc->cwnd = clamp_cwnd(cc, cc->cwnd + inc);
}

void
mdp_tcp_cc_on_ack(struct mdp_tcp_cc *cc, uint32_t acked_bytes,
		  uint32_t flight_before, uint32_t srtt_us, uint64_t now_us)
{
	if (acked_bytes == 0)
		return;
	/* Grow only a window that was in use (RFC 7661's idea, RFC 9438
	 * 5.8): less than one SMSS of it was left unused. */
	if ((uint64_t)flight_before + cc->smss < cc->cwnd) {
		if (cc->algo == MDP_TCP_CC_CUBIC && cc->cubic.in_epoch) {
			cubic_shift_epoch(&cc->cubic, now_us);
			cc->cubic.app_limited = true;
		}
		return;
	}
	if (cc->cwnd < cc->ssthresh) {
		acked_bytes = slow_start(cc, acked_bytes);
		if (acked_bytes == 0)
			return;
	}
	if (cc->algo == MDP_TCP_CC_CUBIC)
		cubic_ca(cc, acked_bytes, srtt_us, now_us);
	else
		reno_ca(cc, acked_bytes);
}

void
mdp_tcp_cc_on_loss(struct mdp_tcp_cc *cc, uint32_t flight)
{
	if (cc->algo == MDP_TCP_CC_CUBIC) {
		struct mdp_tcp_cc_cubic *c = &cc->cubic;

		/* RFC 9438 4.7 fast convergence, W_max = cwnd * (1 + beta) / 2 */
		if (cc->cwnd < c->w_max)
			c->w_max = (uint32_t)((uint64_t)cc->cwnd *
				(MDP_TCP_CUBIC_BETA_DEN + MDP_TCP_CUBIC_BETA_NUM) /
				(2 * MDP_TCP_CUBIC_BETA_DEN));
		else
			c->w_max = cc->cwnd;
		c->cwnd_prior = cc->cwnd;	/* RFC 9438 4.6 */
		c->after_rto = false;
	}
	/* RFC 5681 (4), RFC 6582 3.2 step 2, RFC 9438 4.6 */
	cc->ssthresh = loss_ssthresh(cc, flight);
	cc->cwnd = clamp_cwnd(cc, cc->ssthresh);
	cc->rto_slow_start = false;
	reset_growth(cc);
}

void
mdp_tcp_cc_on_recovery_exit(struct mdp_tcp_cc *cc, uint32_t flight)
{
	/* RFC 6582 3.2 step 3, option (1) */
	uint64_t v = (flight > cc->smss ? flight : cc->smss) + (uint64_t)cc->smss;

	if (v > cc->ssthresh)
		v = cc->ssthresh;
	cc->cwnd = clamp_cwnd(cc, v);
	reset_growth(cc);
}

void
mdp_tcp_cc_on_rto(struct mdp_tcp_cc *cc, uint32_t flight, bool repeat)
{
	if (!repeat) {
		/* RFC 5681 (4), RFC 9438 4.8 */
		cc->ssthresh = loss_ssthresh(cc, flight);
		if (cc->algo == MDP_TCP_CC_CUBIC) {
			cc->cubic.cwnd_prior = cc->cwnd;
			cc->cubic.after_rto = true;
		}
	}
	cc->cwnd = cc->smss;	/* RFC 5681 3.1: loss window */
	cc->rto_slow_start = true;
	reset_growth(cc);
}

void
mdp_tcp_cc_on_idle_restart(struct mdp_tcp_cc *cc)
{
	/* RFC 5681 4.1: RW = min(IW, cwnd) */
	uint32_t rw = iw_bytes(cc);

	if (cc->cwnd > rw) {
		uint32_t three_q = cc->cwnd - cc->cwnd / 4;

		if (cc->ssthresh < three_q) {
			cc->ssthresh = three_q;
			cc->cubic.cwnd_prior = cc->cwnd;
		}
		cc->cwnd = rw;
	}
	reset_growth(cc);	/* RFC 9438 5.8: t excludes the idle time */
}

void
mdp_tcp_cc_set_smss(struct mdp_tcp_cc *cc, uint32_t smss)
{
	cc->smss = clamp_smss(smss);
	cc->cwnd = clamp_cwnd(cc, cc->cwnd);
	if (cc->ssthresh < 2 * cc->smss)
		cc->ssthresh = 2 * cc->smss;
	/* K was computed in segments of the old size: start a new epoch. */
	reset_growth(cc);
}

static const char *const cc_names[MDP_TCP_CC_ALGO_COUNT] = {
	[MDP_TCP_CC_NEWRENO] = "newreno",
	[MDP_TCP_CC_CUBIC] = "cubic",
};

const char *
mdp_tcp_cc_name(enum mdp_tcp_cc_algo a)
{
	if ((unsigned)a >= MDP_TCP_CC_ALGO_COUNT)
		return NULL;
	return cc_names[a];
}

int
mdp_tcp_cc_parse(const char *name)
{
	unsigned i;

	if (name == NULL)
		return -EINVAL;
	for (i = 0; i < MDP_TCP_CC_ALGO_COUNT; i++)
		if (strcmp(name, cc_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}
