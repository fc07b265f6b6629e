/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <CUnit/CUnit.h>

#include "tcp/mdp_tcp_rtt.h"
#include "unit.h"

/* RFC 6298 2.3 in exact integer form, independent of the library. */
struct model {
	uint64_t srtt, rttvar;
	bool has;
};

static uint64_t
model_sample(struct model *m, uint64_t r, uint64_t g, uint64_t lo, uint64_t hi)
{
	uint64_t rto, var4;

	if (!m->has) {
		m->srtt = r;
		m->rttvar = r / 2;
		m->has = true;
	} else {
		uint64_t err = m->srtt > r ? m->srtt - r : r - m->srtt;

		m->rttvar = (3 * m->rttvar + err) / 4;
		m->srtt = (7 * m->srtt + r) / 8;
	}
	var4 = 4 * m->rttvar;
	rto = m->srtt + (var4 > g ? var4 : g);
	return rto < lo ? lo : rto > hi ? hi : rto;
}

static void
test_defaults(void)
{
	struct mdp_tcp_rtt r;

	mdp_tcp_rtt_init(&r, 0, 0, 0, 0);
	CU_ASSERT_EQUAL(r.min_rto_us, 200000);
	CU_ASSERT_EQUAL(r.max_rto_us, 120000000);
	CU_ASSERT_FALSE(r.has_sample);
	CU_ASSERT_EQUAL(r.backoff, 0);
	/* RFC 6298 2.1: 1 s before any sample */
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 1000000);

	/* The RFC's own 1 s floor is one parameter away. */
	mdp_tcp_rtt_init(&r, 0, 1000000, 60000000, 1000);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 1000000);
	mdp_tcp_rtt_sample(&r, 10000);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 1000000);

	/* initial RTO clamped into [min, max]; max below min raised */
	mdp_tcp_rtt_init(&r, 50000, 300000, 0, 0);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 300000);
	mdp_tcp_rtt_init(&r, 5000000, 100000, 2000000, 0);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 2000000);
	mdp_tcp_rtt_init(&r, 0, 500000, 100000, 0);
	CU_ASSERT_EQUAL(r.max_rto_us, 500000);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 500000);
}

static void
test_first_sample(void)
{
	struct mdp_tcp_rtt r;

	/* RFC 6298 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 RTTVAR) */
	mdp_tcp_rtt_init(&r, 0, 1, 0, 1000);
	mdp_tcp_rtt_sample(&r, 100000);
	CU_ASSERT_TRUE(r.has_sample);
	CU_ASSERT_EQUAL(r.srtt_us, 100000);
	CU_ASSERT_EQUAL(r.rttvar_us, 50000);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 300000);

	/* G dominates when 4*RTTVAR is smaller */
	mdp_tcp_rtt_init(&r, 0, 1, 0, 10000);
	mdp_tcp_rtt_sample(&r, 1000);
	CU_ASSERT_EQUAL(r.srtt_us, 1000);
	CU_ASSERT_EQUAL(r.rttvar_us, 500);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 11000);

	/* odd R: R/2 truncates */
	mdp_tcp_rtt_init(&r, 0, 1, 0, 0);
	mdp_tcp_rtt_sample(&r, 333);
	CU_ASSERT_EQUAL(r.rttvar_us, 166);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 333 + 664);
}

static void
test_later_samples(void)
{
	struct mdp_tcp_rtt r;

	mdp_tcp_rtt_init(&r, 0, 1, 0, 1000);
	mdp_tcp_rtt_sample(&r, 100000);
	/* RFC 6298 2.3, worked:
	 * RTTVAR = 3/4 * 50000 + 1/4 * |100000 - 180000| = 37500 + 20000
	 * SRTT   = 7/8 * 100000 + 1/8 * 180000           = 87500 + 22500 */
	mdp_tcp_rtt_sample(&r, 180000);
	CU_ASSERT_EQUAL(r.rttvar_us, 57500);
	CU_ASSERT_EQUAL(r.srtt_us, 110000);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 110000 + 230000);
	/* RTTVAR uses the SRTT from before the sample:
	 * RTTVAR = 3/4 * 57500 + 1/4 * |110000 - 30000| = 43125 + 20000
	 * SRTT   = 7/8 * 110000 + 1/8 * 30000           = 96250 + 3750 */
	mdp_tcp_rtt_sample(&r, 30000);
	CU_ASSERT_EQUAL(r.rttvar_us, 63125);
	CU_ASSERT_EQUAL(r.srtt_us, 100000);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 100000 + 252500);

	/* A steady RTT converges: RTTVAR decays, RTO approaches SRTT + G
	 * (well, the min). */
	for (int i = 0; i < 200; i++)
		mdp_tcp_rtt_sample(&r, 100000);
	CU_ASSERT_EQUAL(r.srtt_us, 100000);
	CU_ASSERT_EQUAL(r.rttvar_us, 0);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 101000);
}

static void
test_against_model(void)
{
	struct mdp_tcp_rtt r;
	struct model m = { 0 };
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	mdp_tcp_rtt_init(&r, 0, 200000, 120000000, 10);
	for (int i = 0; i < 100000; i++) {
		uint32_t rtt;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		/* mostly LAN-ish, sometimes huge */
		rtt = (seed & 0xff) == 0 ? (uint32_t)(seed >> 32)
					 : (uint32_t)((seed >> 20) % 500000);
		mdp_tcp_rtt_sample(&r, rtt);
		uint64_t want = model_sample(&m, rtt, 10, 200000, 120000000);
		if (r.srtt_us != m.srtt || r.rttvar_us != m.rttvar ||
		    mdp_tcp_rtt_rto(&r) != want) {
			CU_FAIL("estimator differs from the RFC 6298 model");
			break;
		}
	}
}

static void
test_clamps(void)
{
	struct mdp_tcp_rtt r;

	/* min: a 1 ms LAN RTT still gives 200 ms */
	mdp_tcp_rtt_init(&r, 0, 0, 0, 1);
	mdp_tcp_rtt_sample(&r, 1000);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 200000);
	/* max: a huge sample (and overflow-free arithmetic) */
	mdp_tcp_rtt_sample(&r, UINT32_MAX);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 120000000);
	mdp_tcp_rtt_init(&r, 0, 0, 0, UINT32_MAX);
	mdp_tcp_rtt_sample(&r, UINT32_MAX);
	CU_ASSERT_EQUAL(r.srtt_us, UINT32_MAX);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 120000000);
	mdp_tcp_rtt_sample(&r, 0);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 120000000);
}

static void
test_backoff(void)
{
	struct mdp_tcp_rtt r;
	uint32_t expect;

	mdp_tcp_rtt_init(&r, 0, 0, 0, 1000);
	mdp_tcp_rtt_sample(&r, 100000);	/* RTO 300 ms */
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 300000);

	/* RFC 6298 5.5: doubling on each expiry, up to the maximum */
	expect = 300000;
	for (int i = 1; i <= 20; i++) {
		mdp_tcp_rtt_backoff(&r);
		expect = expect * 2 > 120000000 ? 120000000 : expect * 2;
		CU_ASSERT_EQUAL(r.backoff, i);
		CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), expect);
	}
	/* 300 ms * 2^9 = 153.6 s > 120 s: capped from the 9th expiry on */
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 120000000);
	/* the estimate itself is untouched */
	CU_ASSERT_EQUAL(r.rto_us, 300000);

	/* the count saturates; the RTO stays at the cap, no shift overflow */
	for (int i = 0; i < 1000; i++)
		mdp_tcp_rtt_backoff(&r);
	CU_ASSERT_EQUAL(r.backoff, MDP_TCP_RTT_BACKOFF_MAX);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 120000000);

	/* a new sample ends the backoff: RTO from the estimate again */
	mdp_tcp_rtt_sample(&r, 100000);
	CU_ASSERT_EQUAL(r.backoff, 0);
	/* RTTVAR = 3/4 * 50000 + 0, SRTT = 100000 */
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 100000 + 150000);

	/* backoff before any sample doubles the initial RTO */
	mdp_tcp_rtt_init(&r, 0, 0, 0, 0);
	mdp_tcp_rtt_backoff(&r);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 2000000);
	mdp_tcp_rtt_backoff(&r);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 4000000);
	/* with a huge max the shift must not overflow either */
	mdp_tcp_rtt_init(&r, UINT32_MAX, 0, UINT32_MAX, 0);
	for (int i = 0; i < 40; i++) {
		mdp_tcp_rtt_backoff(&r);
		CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), UINT32_MAX);
	}
}

static void
test_syn_fallback(void)
{
	struct mdp_tcp_rtt r;

	/* RFC 6298 5.7: SYN retransmitted, no sample: RTO becomes 3 s */
	mdp_tcp_rtt_init(&r, 0, 0, 0, 0);
	mdp_tcp_rtt_backoff(&r);
	mdp_tcp_rtt_syn_fallback(&r);
	CU_ASSERT_EQUAL(r.backoff, 0);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 3000000);
	/* ... the next sample replaces it */
	mdp_tcp_rtt_sample(&r, 10000);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 200000);

	/* with a sample (timestamps) the estimate is kept */
	mdp_tcp_rtt_init(&r, 0, 0, 0, 0);
	mdp_tcp_rtt_sample(&r, 10000);
	mdp_tcp_rtt_backoff(&r);
	mdp_tcp_rtt_syn_fallback(&r);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 200000);

	/* never above the maximum */
	mdp_tcp_rtt_init(&r, 0, 0, 2000000, 0);
	mdp_tcp_rtt_syn_fallback(&r);
	CU_ASSERT_EQUAL(mdp_tcp_rtt_rto(&r), 2000000);
}

static CU_TestInfo tests[] = {
	{ "defaults and clamping of parameters", test_defaults },
	{ "first sample (RFC 6298 2.2)", test_first_sample },
	{ "later samples (RFC 6298 2.3)", test_later_samples },
	{ "100k random samples against a model", test_against_model },
	{ "min and max RTO", test_clamps },
	{ "exponential backoff (RFC 6298 5.5)", test_backoff },
	{ "SYN fallback (RFC 6298 5.7)", test_syn_fallback },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("tcp_rtt", NULL, NULL, tests);
}
