/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TCP_CC_H
#define MDP_TCP_CC_H

#include <stdbool.h>
#include <stdint.h>

/*
 * TCP congestion window arithmetic: NewReno (RFC 5681, RFC 6582's window
 * rules, RFC 3465 byte counting, RFC 6928 initial window) and CUBIC
 * (RFC 9438), chosen per connection.
 *
 * This module only computes cwnd and ssthresh. The sender owns loss
 * detection and recovery: duplicate-ACK counting, the RFC 6582 `recover`
 * point, the SACK scoreboard (mdp_tcp_sack.h), the window inflation and
 * partial-ACK deflation of NewReno's fast recovery (RFC 5681 3.2 steps 3-4,
 * RFC 6582 3.2 step 3) or RFC 6675's pipe, and the decision that the
 * connection has been idle. It calls:
 *
 *   mdp_tcp_cc_on_ack()            a new cumulative ACK outside recovery
 *   mdp_tcp_cc_on_loss()           entering fast recovery
 *   mdp_tcp_cc_on_recovery_exit()  a full ACK ends fast recovery
 *   mdp_tcp_cc_on_rto()            the retransmission timer expired
 *   mdp_tcp_cc_on_idle_restart()   about to send after more than an RTO of
 *                                  silence (RFC 5681 4.1)
 *
 * Units: windows in bytes, times in microseconds (now_us from the caller's
 * clock; only differences matter). Integer arithmetic only (CUBIC's cube
 * root is an exact integer one); no allocation; one struct per connection,
 * used on the connection's core.
 *
 * Invariants after every call: smss <= cwnd <= MDP_TCP_CC_CWND_MAX, and
 * ssthresh <= MDP_TCP_CC_CWND_MAX.
 */

enum mdp_tcp_cc_algo {
	MDP_TCP_CC_NEWRENO = 0,
	MDP_TCP_CC_CUBIC,
	MDP_TCP_CC_ALGO_COUNT
};

/* Upper bound of cwnd, and ssthresh's initial "arbitrarily high" value
 * (RFC 5681 3.1). */
#define MDP_TCP_CC_CWND_MAX	(1u << 30)
/* RFC 6928: initial window in segments. */
#define MDP_TCP_CC_IW_SEGMENTS	10
/* RFC 9438 4.6: beta_cubic = 7/10 (C = 4/10, 4.2, is built into the fixed
 * point of mdp_tcp_cc.c). */
#define MDP_TCP_CUBIC_BETA_NUM	7
#define MDP_TCP_CUBIC_BETA_DEN	10
/* CUBIC time unit: K and t are kept in 1/1024 s (about 1 ms). */
#define MDP_TCP_CUBIC_TIME_SHIFT	10

/* CUBIC state (RFC 9438 4.1.2's variables), private to mdp_tcp_cc.c;
 * readable for statistics and tests. Windows in bytes. */
struct mdp_tcp_cc_cubic {
	uint64_t epoch_us;	/* t_epoch, shifted forward over app-limited
				 * periods (RFC 9438 4.2, 5.8) */
	uint64_t last_us;	/* time of the last ACK seen in the epoch */
	uint64_t inc_rem;	/* remainder of (target - cwnd) * acked / cwnd */
	uint64_t est_rem;	/* remainder of W_est's increase */
	uint32_t w_max;		/* W_max */
	uint32_t cwnd_prior;	/* cwnd_prior */
	uint32_t cwnd_epoch;	/* cwnd_epoch */
	uint32_t w_est;		/* W_est */
	uint32_t k;		/* K, in 1/1024 s */
	bool in_epoch;		/* a congestion avoidance stage has begun */
	bool app_limited;	/* the last ACK found us not cwnd-limited */
	bool after_rto;		/* next epoch uses K = 0 (RFC 9438 4.8) */
};

/*
 * Per-connection congestion control state. algo, smss, cwnd and ssthresh are
 * public (read them; change them only through these functions); the rest is
 * private.
 */
struct mdp_tcp_cc {
	enum mdp_tcp_cc_algo algo;
	uint32_t smss;		/* sender MSS in bytes */
	uint32_t cwnd;		/* congestion window in bytes */
	uint32_t ssthresh;	/* slow start threshold in bytes */
	/* private */
	uint32_t iw_segments;	/* 0: RFC 6928's byte rule */
	uint32_t ca_acc;	/* NewReno: bytes acked toward the next SMSS of
				 * congestion avoidance growth (RFC 3465 2.1) */
	bool rto_slow_start;	/* slow start after an RTO: L = 1*SMSS */
	struct mdp_tcp_cc_cubic cubic;
};

/*
 * Initialise congestion control for a new connection.
 *
 * @param cc
 *   State to initialise.
 * @param algo
 *   MDP_TCP_CC_NEWRENO or MDP_TCP_CC_CUBIC (anything else is treated as
 *   NewReno).
 * @param smss
 *   Sender MSS in bytes, clamped to [1, 65535].
 * @param iw_segments
 *   Initial window. 0 selects RFC 6928's
 *   IW = min(10*SMSS, max(2*SMSS, 14600)); any other value gives
 *   iw_segments*SMSS (a configured override; it is not checked against RFC
 *   6928).
 *
 * cwnd = IW, ssthresh = MDP_TCP_CC_CWND_MAX (RFC 5681 3.1: arbitrarily high).
 */
void mdp_tcp_cc_init(struct mdp_tcp_cc *cc, enum mdp_tcp_cc_algo algo,
		     uint32_t smss, uint32_t iw_segments);

/*
 * An ACK cumulatively acknowledged new data outside loss recovery: grow
 * cwnd.
 *
 * @param acked_bytes
 *   Bytes newly acknowledged by this ACK (SND.UNA advance).
 * @param flight_before
 *   FlightSize before this ACK was processed (bytes sent and not
 *   acknowledged, SACKed bytes included).
 * @param srtt_us
 *   Smoothed RTT (struct mdp_tcp_rtt srtt_us); CUBIC's target is
 *   W_cubic(t + SRTT) (RFC 9438 4.2). 0 before any sample is fine. NewReno
 *   ignores it.
 * @param now_us
 *   Current time; CUBIC measures t from the start of the congestion
 *   avoidance stage with it. NewReno ignores it.
 *
 * cwnd grows only when the sender was cwnd-limited, that is when
 * flight_before + smss >= cwnd: less than one segment of the window was
 * unused. An application-limited (or receive-window-limited) sender does not
 * grow cwnd, in the spirit of RFC 7661 (and RFC 9438 5.8); for CUBIC the
 * time such ACKs span is also excluded from t (RFC 9438 4.2).
 *
 * Slow start (cwnd < ssthresh): cwnd += min(acked, L), L = 2*SMSS
 * (RFC 3465 2.2, RFC 5681 3.1), or L = 1*SMSS in the slow start that follows
 * an RTO (RFC 3465 2.3); growth stops at ssthresh and the rest of the ACK
 * counts toward congestion avoidance.
 * Congestion avoidance (cwnd >= ssthresh):
 *  - NewReno: byte counting, cwnd += SMSS each time a cwnd's worth of bytes
 *    has been acknowledged (RFC 5681 3.1, RFC 3465 2.1): ~1 SMSS per RTT;
 *  - CUBIC: RFC 9438 4.2-4.5, see mdp_tcp_cc.c.
 *
 * Must not be called during fast recovery (the window there is the
 * sender's), nor for duplicate ACKs.
 */
void mdp_tcp_cc_on_ack(struct mdp_tcp_cc *cc, uint32_t acked_bytes,
		       uint32_t flight_before, uint32_t srtt_us, uint64_t now_us);

/*
 * Loss detected by duplicate ACKs or SACK: entering fast recovery. Called
 * once per recovery episode (the sender's RFC 6582 `recover` logic decides).
 *
 * @param flight
 *   FlightSize when the loss was detected.
 *
 * NewReno: ssthresh = max(FlightSize/2, 2*SMSS) (RFC 5681 (4), reached
 * through RFC 6582 3.2 step 2), cwnd = ssthresh. The "+ 3*SMSS" of RFC 5681
 * 3.2 step 3 and the per-duplicate-ACK inflation of its step 4 are NOT
 * applied here: they belong to the sender's recovery (and do not apply with
 * RFC 6675 SACK recovery, which uses pipe).
 *
 * CUBIC (RFC 9438 4.6, 4.7): W_max = cwnd, or cwnd*(1+beta)/2 when cwnd is
 * below the previous W_max (fast convergence); cwnd_prior = cwnd;
 * ssthresh = max(FlightSize*0.7, 2*SMSS); cwnd = ssthresh. The CUBIC epoch
 * ends; the next one starts at the first ACK of the following congestion
 * avoidance stage (RFC 9438 4.2: t counts from the start of the congestion
 * avoidance stage, and K from the cwnd there).
 */
void mdp_tcp_cc_on_loss(struct mdp_tcp_cc *cc, uint32_t flight);

/*
 * Fast recovery ended with a full ACK (RFC 6582 3.2 step 3).
 *
 * @param flight
 *   FlightSize after the full ACK was processed.
 *
 * cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS): RFC 6582's first
 * option, chosen because it cannot release a burst when little data is
 * outstanding (meshdp does not pace); if cwnd ends up below ssthresh, slow
 * start brings it back within a few RTTs. Used for both algorithms.
 */
void mdp_tcp_cc_on_recovery_exit(struct mdp_tcp_cc *cc, uint32_t flight);

/*
 * The retransmission timer expired.
 *
 * @param flight
 *   FlightSize when the timer expired (data outstanding).
 * @param repeat
 *   True when the segment that timed out had already been retransmitted by
 *   the timer: RFC 5681 3.1 (after (4)) then holds ssthresh constant, and only
 *   cwnd is set to the loss window.
 *
 * ssthresh = max(FlightSize/2, 2*SMSS) (RFC 5681 (4)), or with CUBIC
 * max(FlightSize*0.7, 2*SMSS) (RFC 9438 4.8); cwnd = 1*SMSS, the loss window
 * (RFC 5681 3.1). The slow start that follows uses L = 1*SMSS
 * (RFC 3465 2.3). For CUBIC the next congestion avoidance stage starts with
 * K = 0 and W_max = cwnd_epoch (RFC 9438 4.8).
 *
 * The caller also resets the SACK scoreboard (RFC 6675 5.1).
 */
void mdp_tcp_cc_on_rto(struct mdp_tcp_cc *cc, uint32_t flight, bool repeat);

/*
 * RFC 5681 4.1: the sender is about to transmit after sending nothing for
 * more than one RTO; call before that transmission. cwnd = min(IW, cwnd)
 * (the restart window). ssthresh becomes at least 3/4 of the cwnd before
 * the restart, as Linux does (tcp_cwnd_restart), so that slow start climbs
 * back to where the connection was. A CUBIC epoch ends (RFC 9438 5.8: t must
 * not include the idle period).
 */
void mdp_tcp_cc_on_idle_restart(struct mdp_tcp_cc *cc);

/*
 * The sender MSS changed (path MTU discovery, RFC 1191 / RFC 8201).
 * cwnd and ssthresh stay in bytes, raised if needed to 1*SMSS and 2*SMSS;
 * partial growth counters restart. smss is clamped to [1, 65535].
 */
void mdp_tcp_cc_set_smss(struct mdp_tcp_cc *cc, uint32_t smss);

/*
 * Name of an algorithm ("newreno", "cubic"), or NULL for a value out of
 * range.
 */
const char *mdp_tcp_cc_name(enum mdp_tcp_cc_algo a);

/*
 * Parse an algorithm name as printed by mdp_tcp_cc_name() (exact,
 * lower-case). Returns the enum mdp_tcp_cc_algo value, or -EINVAL for NULL
 * or an unknown name.
 */
int mdp_tcp_cc_parse(const char *name);

/*
 * Integer cube root: the largest r with r^3 <= x (exact for every 64-bit x;
 * bit-by-bit, 22 steps). CUBIC's K uses it; exposed for tests.
 */
uint32_t mdp_tcp_cc_cbrt(uint64_t x);

#endif
