/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

#include "tcp/mdp_tcp_opts.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Linux 6.x SYN: MSS 1460 | SACK_OK TS | NOP WS 7 */
static const uint8_t linux_syn[] = {
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x0a,
	0x4c, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

static void
test_parse_linux_syn(void)
{
	/* the SYN-ACK answering it: same layout, TSecr echoes */
	static const uint8_t synack[] = {
		0x02, 0x04, 0x05, 0x8c, 0x04, 0x02, 0x08, 0x0a, 0x9a, 0xbc,
		0xde, 0xf0, 0x00, 0x0a, 0x4c, 0x1d, 0x01, 0x03, 0x03, 0x0e,
	};
	struct mdp_tcp_opts o;

	memset(&o, 0xa5, sizeof(o));
	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_parse(linux_syn, sizeof(linux_syn),
						 true, &o), 0);
	CU_ASSERT_TRUE(o.has_mss);
	CU_ASSERT_EQUAL(o.mss, 1460);
	CU_ASSERT_TRUE(o.sack_ok);
	CU_ASSERT_TRUE(o.has_ts);
	CU_ASSERT_EQUAL(o.tsval, 0x000a4c1du);
	CU_ASSERT_EQUAL(o.tsecr, 0);
	CU_ASSERT_TRUE(o.has_wscale);
	CU_ASSERT_EQUAL(o.wscale, 7);
	CU_ASSERT_EQUAL(o.n_sack, 0);

	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_parse(synack, sizeof(synack), true,
						 &o), 0);
	CU_ASSERT_EQUAL(o.mss, 1420);
	CU_ASSERT_TRUE(o.sack_ok);
	CU_ASSERT_EQUAL(o.tsval, 0x9abcdef0u);
	CU_ASSERT_EQUAL(o.tsecr, 0x000a4c1du);
	CU_ASSERT_EQUAL(o.wscale, 14);
}

static void
test_parse_other_stacks(void)
{
	/* Windows: MSS | NOP WS 8 | NOP NOP SACK_OK, no timestamps */
	static const uint8_t windows[] = {
		0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x08,
		0x01, 0x01, 0x04, 0x02,
	};
	/* macOS: MSS | NOP WS 6 | NOP NOP TS | SACK_OK EOL EOL */
	static const uint8_t macos[] = {
		0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x06, 0x01, 0x01,
		0x08, 0x0a, 0x4a, 0x2b, 0x1c, 0x0d, 0x00, 0x00, 0x00, 0x00,
		0x04, 0x02, 0x00, 0x00,
	};
	/* MSS only (no options but MSS: old stacks, scapy's default) */
	static const uint8_t mss_only[] = { 0x02, 0x04, 0x02, 0x18 };
	/* unknown kinds skipped: MD5 signature (19, 18 bytes), TFO cookie
	 * request (34, 2 bytes), experimental (254, 4 bytes) */
	static const uint8_t unknown[] = {
		0x02, 0x04, 0x05, 0xb4, 0x13, 0x12, 0x01, 0x02, 0x03, 0x04,
		0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
		0x0f, 0x10, 0x22, 0x02, 0xfe, 0x04, 0xf9, 0x89, 0x04, 0x02,
		0x01, 0x03, 0x03, 0x02,
	};
	struct mdp_tcp_opts o;

	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_parse(windows, sizeof(windows), true,
						 &o), 0);
	CU_ASSERT_TRUE(o.has_mss);
	CU_ASSERT_EQUAL(o.mss, 1460);
	CU_ASSERT_TRUE(o.has_wscale);
	CU_ASSERT_EQUAL(o.wscale, 8);
	CU_ASSERT_TRUE(o.sack_ok);
	CU_ASSERT_FALSE(o.has_ts);

	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_parse(macos, sizeof(macos), true,
						 &o), 0);
	CU_ASSERT_EQUAL(o.mss, 1460);
	CU_ASSERT_EQUAL(o.wscale, 6);
	CU_ASSERT_TRUE(o.has_ts);
	CU_ASSERT_EQUAL(o.tsval, 0x4a2b1c0du);
	CU_ASSERT_EQUAL(o.tsecr, 0);
	CU_ASSERT_TRUE(o.sack_ok);

	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_parse(mss_only, sizeof(mss_only),
						 true, &o), 0);
	CU_ASSERT_TRUE(o.has_mss);
	CU_ASSERT_EQUAL(o.mss, 536);
	CU_ASSERT_FALSE(o.has_wscale);
	CU_ASSERT_FALSE(o.sack_ok);
	CU_ASSERT_FALSE(o.has_ts);

	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_parse(unknown, sizeof(unknown), true,
						 &o), 0);
	CU_ASSERT_EQUAL(o.mss, 1460);
	CU_ASSERT_TRUE(o.sack_ok);
	CU_ASSERT_TRUE(o.has_wscale);
	CU_ASSERT_EQUAL(o.wscale, 2);
	CU_ASSERT_FALSE(o.has_ts);
}

static void
test_parse_ack_sack(void)
{
	/* Linux ACK: NOP NOP TS | NOP NOP SACK 1 block */
	static const uint8_t ack1[] = {
		0x01, 0x01, 0x08, 0x0a, 0x00, 0x0a, 0x4c, 0x30, 0x9a, 0xbc,
		0xde, 0xf1, 0x01, 0x01, 0x05, 0x0a, 0xaa, 0xbb, 0xcc, 0xdd,
		0xee, 0xff, 0x00, 0x11,
	};
	/* 40 bytes: TS and 3 blocks */
	static const uint8_t ack3[] = {
		0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
		0x00, 0x02, 0x01, 0x01, 0x05, 0x1a,
		0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 0x00,
		0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x40, 0x00,
		0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x10,
	};
	/* 36 bytes: 4 blocks, no TS */
	static const uint8_t ack4[] = {
		0x01, 0x01, 0x05, 0x22,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04,
		0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x06,
		0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x08,
	};
	/* two SACK options of 2 blocks each: blocks are appended */
	static const uint8_t two[] = {
		0x01, 0x01, 0x05, 0x12,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04,
		0x01, 0x01, 0x05, 0x12,
		0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x06,
		0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x08,
	};
	struct mdp_tcp_opts o;
	unsigned i;

	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_parse(ack1, sizeof(ack1), false,
						 &o), 0);
	CU_ASSERT_TRUE(o.has_ts);
	CU_ASSERT_EQUAL(o.tsval, 0x000a4c30u);
	CU_ASSERT_EQUAL(o.tsecr, 0x9abcdef1u);
	CU_ASSERT_EQUAL_FATAL(o.n_sack, 1);
	CU_ASSERT_EQUAL(o.sack[0].start, 0xaabbccddu);
	CU_ASSERT_EQUAL(o.sack[0].end, 0xeeff0011u);
	CU_ASSERT_FALSE(o.has_mss);

	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_parse(ack3, sizeof(ack3), false,
						 &o), 0);
	CU_ASSERT_EQUAL(o.tsval, 1);
	CU_ASSERT_EQUAL(o.tsecr, 2);
	CU_ASSERT_EQUAL_FATAL(o.n_sack, 3);
	CU_ASSERT_EQUAL(o.sack[0].start, 0x1000);
	CU_ASSERT_EQUAL(o.sack[0].end, 0x2000);
	CU_ASSERT_EQUAL(o.sack[1].start, 0x3000);
	CU_ASSERT_EQUAL(o.sack[1].end, 0x4000);
	/* wrapping block: the parser reports, the caller judges */
	CU_ASSERT_EQUAL(o.sack[2].start, 0xffffff00u);
	CU_ASSERT_EQUAL(o.sack[2].end, 0x10);

	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_parse(ack4, sizeof(ack4), false,
						 &o), 0);
	CU_ASSERT_FALSE(o.has_ts);
	CU_ASSERT_EQUAL_FATAL(o.n_sack, 4);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(o.sack[i].start, 2 * i + 1);
		CU_ASSERT_EQUAL(o.sack[i].end, 2 * i + 2);
	}

	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_parse(two, sizeof(two), false, &o),
			      0);
	CU_ASSERT_EQUAL_FATAL(o.n_sack, 4);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(o.sack[i].start, 2 * i + 1);
		CU_ASSERT_EQUAL(o.sack[i].end, 2 * i + 2);
	}
}

/* RFC 9293 3.7.1, RFC 7323 2.2, RFC 2018 2: SYN-only options are ignored
 * elsewhere; timestamps are not */
static void
test_parse_syn_only(void)
{
	struct mdp_tcp_opts o;

	memset(&o, 0xa5, sizeof(o));
	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_parse(linux_syn, sizeof(linux_syn),
						 false, &o), 0);
	CU_ASSERT_FALSE(o.has_mss);
	CU_ASSERT_EQUAL(o.mss, 0);
	CU_ASSERT_FALSE(o.has_wscale);
	CU_ASSERT_EQUAL(o.wscale, 0);
	CU_ASSERT_FALSE(o.sack_ok);
	CU_ASSERT_TRUE(o.has_ts);
	CU_ASSERT_EQUAL(o.tsval, 0x000a4c1du);
	CU_ASSERT_EQUAL(o.n_sack, 0);
}

static void
test_parse_eol_nop(void)
{
	static const uint8_t nops[] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	/* EOL ends the list: what follows, even garbage, is not read */
	static const uint8_t eol_garbage[] = {
		0x02, 0x04, 0x05, 0xb4, 0x00, 0x02, 0x00, 0xff,
	};
	static const uint8_t eol_first[] = {
		0x00, 0x02, 0x04, 0x05, 0xb4, 0x00, 0x00, 0x00,
	};
	/* NOPs in odd places, option starting at an odd offset */
	static const uint8_t odd[] = {
		0x01, 0x02, 0x04, 0x01, 0x00, 0x01, 0x01, 0x01, 0x03, 0x03,
		0x05, 0x01,
	};
	/* EOL inside an option's value is data, not the end */
	static const uint8_t eol_in_value[] = {
		0x02, 0x04, 0x00, 0x00, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00,
	};
	struct mdp_tcp_opts o;

	memset(&o, 0xa5, sizeof(o));
	CU_ASSERT_EQUAL(mdp_tcp_opts_parse(nops, sizeof(nops), true, &o), 0);
	CU_ASSERT_FALSE(o.has_mss || o.has_wscale || o.sack_ok || o.has_ts);
	CU_ASSERT_EQUAL(o.n_sack, 0);

	CU_ASSERT_EQUAL(mdp_tcp_opts_parse(eol_garbage, sizeof(eol_garbage),
					   true, &o), 0);
	CU_ASSERT_TRUE(o.has_mss);
	CU_ASSERT_EQUAL(o.mss, 1460);
	CU_ASSERT_FALSE(o.sack_ok);

	CU_ASSERT_EQUAL(mdp_tcp_opts_parse(eol_first, sizeof(eol_first), true,
					   &o), 0);
	CU_ASSERT_FALSE(o.has_mss);

	CU_ASSERT_EQUAL(mdp_tcp_opts_parse(odd, sizeof(odd), true, &o), 0);
	CU_ASSERT_EQUAL(o.mss, 0x0100);
	CU_ASSERT_TRUE(o.has_wscale);
	CU_ASSERT_EQUAL(o.wscale, 5);

	CU_ASSERT_EQUAL(mdp_tcp_opts_parse(eol_in_value, sizeof(eol_in_value),
					   true, &o), 0);
	CU_ASSERT_TRUE(o.has_mss);
	CU_ASSERT_EQUAL(o.mss, 0);
	CU_ASSERT_TRUE(o.has_wscale);
	CU_ASSERT_EQUAL(o.wscale, 0);
	CU_ASSERT_TRUE(o.sack_ok);

	/* empty area */
	memset(&o, 0xa5, sizeof(o));
	CU_ASSERT_EQUAL(mdp_tcp_opts_parse(NULL, 0, true, &o), 0);
	CU_ASSERT_FALSE(o.has_mss || o.has_wscale || o.sack_ok || o.has_ts);
	CU_ASSERT_EQUAL(o.n_sack, 0);
	CU_ASSERT_EQUAL(mdp_tcp_opts_parse(nops, 0, false, &o), 0);
}

static void
test_parse_repeated(void)
{
	static const uint8_t twice[] = {
		0x02, 0x04, 0x05, 0xb4, 0x02, 0x04, 0x02, 0x18,
		0x03, 0x03, 0x02, 0x03, 0x03, 0x09, 0x00, 0x00,
	};
	struct mdp_tcp_opts o;

	CU_ASSERT_EQUAL(mdp_tcp_opts_parse(twice, sizeof(twice), true, &o), 0);
	CU_ASSERT_EQUAL(o.mss, 536);
	CU_ASSERT_EQUAL(o.wscale, 9);
}

struct bad_case {
	const char *what;
	uint8_t b[41];
	unsigned len;
};

static void
test_parse_malformed(void)
{
	static const struct bad_case bad[] = {
		{ "kind without length", { 0x02 }, 1 },
		{ "unknown kind without length", { 0x01, 0x01, 0x22 }, 3 },
		{ "length 0", { 0x02, 0x00, 0x05, 0xb4 }, 4 },
		{ "length 1", { 0x02, 0x01, 0x05, 0xb4 }, 4 },
		{ "unknown length 0", { 0x22, 0x00, 0x01, 0x01 }, 4 },
		{ "unknown length 1", { 0xfe, 0x01, 0x01, 0x01 }, 4 },
		{ "MSS past the end", { 0x02, 0x04, 0x05 }, 3 },
		{ "TS past the end", { 0x01, 0x01, 0x08, 0x0a, 1, 2, 3, 4,
				       5, 6, 7 }, 11 },
		{ "unknown past the end", { 0x13, 0x12, 1, 2, 3, 4, 5, 6 }, 8 },
		{ "MSS length 3", { 0x02, 0x03, 0x05, 0x00 }, 4 },
		{ "MSS length 5", { 0x02, 0x05, 0x05, 0xb4, 0x00, 0x00,
				    0x00, 0x00 }, 8 },
		{ "WS length 2", { 0x03, 0x02, 0x01, 0x01 }, 4 },
		{ "WS length 4", { 0x03, 0x04, 0x07, 0x00 }, 4 },
		{ "SACK_OK length 3", { 0x04, 0x03, 0x00, 0x01 }, 4 },
		{ "SACK_OK length 4", { 0x04, 0x04, 0x00, 0x00 }, 4 },
		{ "TS length 8", { 0x08, 0x08, 1, 2, 3, 4, 5, 6 }, 8 },
		{ "TS length 12", { 0x08, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8,
				    9, 10 }, 12 },
		{ "SACK without blocks", { 0x01, 0x01, 0x05, 0x02 }, 4 },
		{ "SACK length 9", { 0x05, 0x09, 1, 2, 3, 4, 5, 6, 7, 0 }, 10 },
		{ "SACK length 11", { 0x05, 0x0b, 1, 2, 3, 4, 5, 6, 7, 8, 9,
				      0 }, 12 },
		{ "SACK length 3", { 0x05, 0x03, 0x00, 0x00 }, 4 },
		{ "SACK 5 blocks", { 0x05, 0x2a }, 40 },
		{ "area of 41 bytes", { 0x01, 0x01 }, 41 },
	};
	struct mdp_tcp_opts o;
	uint8_t buf[41];
	unsigned i;

	for (i = 0; i < N(bad); i++) {
		int r1, r2;

		/* the long areas are NOPs after the bytes given, so the
		 * fault is the one named */
		memset(buf, MDP_TCPOPT_NOP, sizeof(buf));
		memcpy(buf, bad[i].b, bad[i].len <= 12 ? bad[i].len : 2);
		r1 = mdp_tcp_opts_parse(buf, bad[i].len, true, &o);
		r2 = mdp_tcp_opts_parse(buf, bad[i].len, false, &o);
		if (r1 != -EINVAL || r2 != -EINVAL)
			fprintf(stderr, "\naccepted: %s (%d %d)\n", bad[i].what,
				r1, r2);
		CU_ASSERT_EQUAL(r1, -EINVAL);
		CU_ASSERT_EQUAL(r2, -EINVAL);
	}
	CU_ASSERT_EQUAL(mdp_tcp_opts_parse(linux_syn, sizeof(linux_syn), true,
					   NULL), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tcp_opts_parse(NULL, 4, true, &o), -EINVAL);
}

/* after an error, the options before the bad one are kept */
static void
test_parse_partial(void)
{
	static const uint8_t b[] = {
		0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x07,
		0x08, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct mdp_tcp_opts o;

	CU_ASSERT_EQUAL(mdp_tcp_opts_parse(b, sizeof(b), true, &o), -EINVAL);
	CU_ASSERT_TRUE(o.has_mss);
	CU_ASSERT_EQUAL(o.mss, 1460);
	CU_ASSERT_TRUE(o.has_wscale);
	CU_ASSERT_EQUAL(o.wscale, 7);
	CU_ASSERT_FALSE(o.has_ts);
}

static void
test_build_linux_layout(void)
{
	struct mdp_tcp_opts o = {
		.has_mss = true, .mss = 1460, .sack_ok = true,
		.has_ts = true, .tsval = 0x000a4c1du, .tsecr = 0,
		.has_wscale = true, .wscale = 7,
	};
	static const uint8_t mss_sack_ws[] = {
		0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02,
		0x01, 0x03, 0x03, 0x08,
	};
	static const uint8_t mss_ts[] = {
		0x02, 0x04, 0x02, 0x18, 0x01, 0x01, 0x08, 0x0a,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	};
	static const uint8_t ack_ts_sack[] = {
		0x01, 0x01, 0x08, 0x0a, 0x00, 0x0a, 0x4c, 0x30, 0x9a, 0xbc,
		0xde, 0xf1, 0x01, 0x01, 0x05, 0x0a, 0xaa, 0xbb, 0xcc, 0xdd,
		0xee, 0xff, 0x00, 0x11,
	};
	uint8_t buf[64];

	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_build(buf, &o, true),
			      sizeof(linux_syn));
	CU_ASSERT_EQUAL(memcmp(buf, linux_syn, sizeof(linux_syn)), 0);

	memset(&o, 0, sizeof(o));
	o.has_mss = true;
	o.mss = 1460;
	o.sack_ok = true;
	o.has_wscale = true;
	o.wscale = 8;
	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_build(buf, &o, true),
			      sizeof(mss_sack_ws));
	CU_ASSERT_EQUAL(memcmp(buf, mss_sack_ws, sizeof(mss_sack_ws)), 0);

	memset(&o, 0, sizeof(o));
	o.has_mss = true;
	o.mss = 536;
	o.has_ts = true;
	o.tsval = 0x01020304u;
	o.tsecr = 0x05060708u;
	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_build(buf, &o, true),
			      sizeof(mss_ts));
	CU_ASSERT_EQUAL(memcmp(buf, mss_ts, sizeof(mss_ts)), 0);

	memset(&o, 0, sizeof(o));
	o.has_ts = true;
	o.tsval = 0x000a4c30u;
	o.tsecr = 0x9abcdef1u;
	o.n_sack = 1;
	o.sack[0].start = 0xaabbccddu;
	o.sack[0].end = 0xeeff0011u;
	/* SYN-only options are not sent on other segments */
	o.has_mss = true;
	o.mss = 1460;
	o.sack_ok = true;
	o.has_wscale = true;
	CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_build(buf, &o, false),
			      sizeof(ack_ts_sack));
	CU_ASSERT_EQUAL(memcmp(buf, ack_ts_sack, sizeof(ack_ts_sack)), 0);

	/* nothing to send */
	memset(&o, 0, sizeof(o));
	CU_ASSERT_EQUAL(mdp_tcp_opts_build(buf, &o, true), 0);
	CU_ASSERT_EQUAL(mdp_tcp_opts_build(buf, &o, false), 0);
	/* SACK blocks are not sent on SYN */
	o.n_sack = 2;
	CU_ASSERT_EQUAL(mdp_tcp_opts_build(buf, &o, true), 0);
}

static unsigned
expect_len(const struct mdp_tcp_opts *o, bool syn)
{
	unsigned n;

	if (syn)
		return (o->has_mss ? 4 : 0) +
		       (o->has_ts ? 12 : o->sack_ok ? 4 : 0) +
		       (o->has_wscale ? 4 : 0);
	n = o->n_sack;
	if (n > (o->has_ts ? 3u : 4u))
		n = o->has_ts ? 3 : 4;
	return (o->has_ts ? 12 : 0) + (n ? 4 + 8 * n : 0);
}

/* Build then parse every combination: what was sent comes back, in at most
 * 40 bytes, a multiple of 4, and nothing is written past the length. */
static void
test_round_trip(void)
{
	static const uint16_t mss[] = { 0, 1, 536, 1460, 8960, 65535 };
	static const uint8_t ws[] = { 0, 1, 7, 14, 15, 200, 255 };
	static const uint32_t ts[][2] = {
		{ 0, 0 }, { 1, 0 }, { 0xffffffffu, 0x80000000u },
		{ 0x12345678u, 0x9abcdef0u },
	};
	unsigned syn, fl, im, iw, it, ns, len, i, combos = 0;
	struct mdp_tcp_opts o, p;
	uint8_t buf[64];

	for (syn = 0; syn < 2; syn++)
	for (fl = 0; fl < 16; fl++)
	for (im = 0; im < N(mss); im++)
	for (iw = 0; iw < N(ws); iw++)
	for (it = 0; it < N(ts); it++)
	for (ns = 0; ns <= 6; ns++) {
		memset(&o, 0, sizeof(o));
		o.has_mss = fl & 1;
		o.mss = mss[im];
		o.has_wscale = fl & 2;
		o.wscale = ws[iw];
		o.sack_ok = fl & 4;
		o.has_ts = fl & 8;
		o.tsval = ts[it][0];
		o.tsecr = ts[it][1];
		/* beyond 4: a bogus count must not read past sack[] */
		o.n_sack = (uint8_t)(ns <= 4 ? ns : ns == 5 ? 5 : 255);
		for (i = 0; i < MDP_TCP_SACK_MAX; i++) {
			o.sack[i].start = 0x10000000u * i + mss[im] + it;
			o.sack[i].end = o.sack[i].start + 1448 * (i + 1);
		}
		memset(buf, 0xa5, sizeof(buf));
		len = mdp_tcp_opts_build(buf, &o, syn);
		combos++;
		CU_ASSERT_EQUAL_FATAL(len, expect_len(&o, syn));
		CU_ASSERT_FATAL(len <= MDP_TCP_OPTS_MAX);
		CU_ASSERT_FATAL(len % 4 == 0);
		for (i = len; i < sizeof(buf); i++)
			CU_ASSERT_EQUAL_FATAL(buf[i], 0xa5);

		CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_parse(buf, len, syn, &p), 0);
		CU_ASSERT_EQUAL_FATAL(p.has_ts, o.has_ts);
		if (o.has_ts) {
			CU_ASSERT_EQUAL_FATAL(p.tsval, o.tsval);
			CU_ASSERT_EQUAL_FATAL(p.tsecr, o.tsecr);
		}
		if (syn) {
			CU_ASSERT_EQUAL_FATAL(p.has_mss, o.has_mss);
			CU_ASSERT_EQUAL_FATAL(p.mss, o.has_mss ? o.mss : 0);
			CU_ASSERT_EQUAL_FATAL(p.has_wscale, o.has_wscale);
			CU_ASSERT_EQUAL_FATAL(p.wscale, o.has_wscale ?
					      mdp_tcp_wscale_clamp(o.wscale) : 0);
			CU_ASSERT_EQUAL_FATAL(p.sack_ok, o.sack_ok);
			CU_ASSERT_EQUAL_FATAL(p.n_sack, 0);
		} else {
			unsigned n = ns > 4 ? 4 : ns;

			if (o.has_ts && n > 3)
				n = 3;
			CU_ASSERT_FALSE_FATAL(p.has_mss || p.has_wscale ||
					      p.sack_ok);
			CU_ASSERT_EQUAL_FATAL(p.n_sack, n);
			for (i = 0; i < n; i++) {
				CU_ASSERT_EQUAL_FATAL(p.sack[i].start,
						      o.sack[i].start);
				CU_ASSERT_EQUAL_FATAL(p.sack[i].end,
						      o.sack[i].end);
			}
			/* SYN-only options read on a non-SYN: still none */
			CU_ASSERT_EQUAL_FATAL(mdp_tcp_opts_parse(buf, len, true,
								 &p), 0);
			CU_ASSERT_EQUAL_FATAL(p.n_sack, n);
		}
	}
	CU_ASSERT_EQUAL(combos, 2 * 16 * N(mss) * N(ws) * N(ts) * 7);
}

static void
test_sack_limits(void)
{
	struct mdp_tcp_opts o, p;
	uint8_t buf[64];
	unsigned i;

	memset(&o, 0, sizeof(o));
	for (i = 0; i < MDP_TCP_SACK_MAX; i++) {
		o.sack[i].start = 1000 * i;
		o.sack[i].end = 1000 * i + 500;
	}
	o.n_sack = 4;
	CU_ASSERT_EQUAL(mdp_tcp_opts_build(buf, &o, false), 36);
	CU_ASSERT_EQUAL(buf[3], 2 + 4 * 8);
	o.has_ts = true;
	CU_ASSERT_EQUAL(mdp_tcp_opts_build(buf, &o, false), 40);
	CU_ASSERT_EQUAL(buf[15], 2 + 3 * 8);
	CU_ASSERT_EQUAL(mdp_tcp_opts_parse(buf, 40, false, &p), 0);
	CU_ASSERT_EQUAL(p.n_sack, 3);
	/* the first blocks are kept: RFC 2018 3 puts the newest first */
	CU_ASSERT_EQUAL(p.sack[0].start, 0);
	CU_ASSERT_EQUAL(p.sack[2].end, 2500);
	o.n_sack = 3;
	CU_ASSERT_EQUAL(mdp_tcp_opts_build(buf, &o, false), 40);
	o.n_sack = 1;
	CU_ASSERT_EQUAL(mdp_tcp_opts_build(buf, &o, false), 24);
	o.has_ts = false;
	CU_ASSERT_EQUAL(mdp_tcp_opts_build(buf, &o, false), 12);
}

/* random bytes: no crash (ASan), and the invariants of the result hold */
static void
test_parse_random(void)
{
	uint64_t x = 0x243f6a8885a308d3ull;
	struct mdp_tcp_opts o;
	uint8_t buf[40];
	unsigned it, i, len, ok = 0;

	for (it = 0; it < 200000; it++) {
		for (i = 0; i < sizeof(buf); i++) {
			x ^= x >> 12;
			x ^= x << 25;
			x ^= x >> 27;
			buf[i] = (uint8_t)((x * 2685821657736338717ull) >> 56);
			/* plausible kinds and lengths more often */
			if (i % 4 == 0 && (x & 3) == 0)
				buf[i] = (uint8_t)(x >> 8) % 9;
			if (i % 4 == 1 && (x & 12) == 0)
				buf[i] = (uint8_t)((x >> 16) % 12);
		}
		len = (unsigned)(x >> 40) % 41;
		if (mdp_tcp_opts_parse(buf, len, (x >> 20) & 1, &o) == 0)
			ok++;
		CU_ASSERT_FATAL(o.n_sack <= MDP_TCP_SACK_MAX);
		if (!((x >> 20) & 1))
			CU_ASSERT_FATAL(!o.has_mss && !o.has_wscale &&
					!o.sack_ok);
	}
	/* both outcomes were exercised */
	CU_ASSERT(ok > 1000);
	CU_ASSERT(ok < 199000);
}

static void
test_mss_clamp(void)
{
	static const struct {
		uint16_t peer, mtu, want;
	} c[] = {
		{ 0, 1500, 536 },	/* absent: RFC 9293 3.7.1 default */
		{ 1460, 1500, 1460 },
		{ 1400, 1500, 1400 },
		{ 9000, 1500, 1460 },	/* our MTU limits */
		{ 1460, 1400, 1360 },
		{ 0, 9000, 536 },
		{ 65535, 9000, 8960 },
		{ 65535, 65535, 65495 },
		{ 536, 576, 536 },
		{ 1460, 576, 536 },
		{ 49, 1500, 49 },
		{ 48, 1500, 48 },	/* floor */
		{ 47, 1500, 48 },
		{ 1, 1500, 48 },
		{ 1460, 88, 48 },
		{ 1460, 60, 48 },
		{ 0, 0, 48 },
	};
	unsigned i;

	for (i = 0; i < N(c); i++) {
		uint16_t got = mdp_tcp_mss_clamp(c[i].peer, c[i].mtu);

		if (got != c[i].want)
			fprintf(stderr, "\nclamp(%u, %u) = %u, want %u\n",
				c[i].peer, c[i].mtu, got, c[i].want);
		CU_ASSERT_EQUAL(got, c[i].want);
	}
}

static void
test_wscale_clamp(void)
{
	unsigned w;

	for (w = 0; w <= 255; w++)
		CU_ASSERT_EQUAL(mdp_tcp_wscale_clamp((uint8_t)w),
				w <= 14 ? w : 14);
}

static CU_TestInfo tests[] = {
	{ "parse a Linux SYN and SYN-ACK", test_parse_linux_syn },
	{ "parse Windows, macOS, MSS-only, unknown kinds",
	  test_parse_other_stacks },
	{ "parse ACKs with timestamps and SACK blocks", test_parse_ack_sack },
	{ "SYN-only options ignored without SYN", test_parse_syn_only },
	{ "EOL and NOP handling", test_parse_eol_nop },
	{ "a repeated option overwrites", test_parse_repeated },
	{ "malformed areas rejected", test_parse_malformed },
	{ "options before an error are kept", test_parse_partial },
	{ "build: Linux layout", test_build_linux_layout },
	{ "build then parse, every combination", test_round_trip },
	{ "SACK block limits", test_sack_limits },
	{ "parse random bytes", test_parse_random },
	{ "MSS clamp", test_mss_clamp },
	{ "window scale clamp", test_wscale_clamp },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("tcp_opts", NULL, NULL, tests);
}
