/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

#include "util/mdp_inet.h"

static void
test_ipv4_parse(void)
{
	static const struct {
		const char *s;
		uint32_t v;
	} good[] = {
		{ "0.0.0.0", 0 },
		{ "1.2.3.4", 0x01020304u },
		{ "100.0.0.1", 0x64000001u },
		{ "203.0.100.200", 0xcb0064c8u },
		{ "255.255.255.255", 0xffffffffu },
	};
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "1000.1.1.1",
		"01.2.3.4", "1.2.3.04", "1.2.3.0004", "1.2.3.", ".1.2.3", "1..2.3",
		" 1.2.3.4", "1.2.3.4 ", "a.b.c.d", "0x1.2.3.4", "-1.2.3.4", "+1.2.3.4",
		"1.2.3.4/24", "1,2,3,4",
	};
	uint32_t a;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		a = 0xdeadbeef;
		CU_ASSERT_EQUAL(mdp_ipv4_parse(good[i].s, &a), 0);
		CU_ASSERT_EQUAL(a, good[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mdp_ipv4_parse(bad[i], &a) != -EINVAL)
			fprintf(stderr, "\naccepted '%s'\n", bad[i]);
		CU_ASSERT_EQUAL(mdp_ipv4_parse(bad[i], &a), -EINVAL);
	}
	CU_ASSERT_EQUAL(mdp_ipv4_parse(NULL, &a), -EINVAL);
}

static void
test_ipv4_prefix_parse(void)
{
	static const char *const bad[] = {
		"1.2.3.4", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/+1", "1.2.3.4/8x",
		"1.2.3.4/ 8", "1.2.3.4//8", "1.2.3/8", "/8", "256.1.1.1/8", "01.2.3.4/8",
		"1.2.3.4/99999999999999999999", "1.2.3.4.5.6.7.8.9/8",
	};
	uint32_t a = 0;
	uint8_t len = 0;

	CU_ASSERT_EQUAL(mdp_ipv4_prefix_parse("198.18.0.2/24", &a, &len), 0);
	CU_ASSERT_EQUAL(a, 0xc6120002u);
	CU_ASSERT_EQUAL(len, 24);
	CU_ASSERT_EQUAL(mdp_ipv4_prefix_parse("0.0.0.0/0", &a, &len), 0);
	CU_ASSERT_EQUAL(a, 0);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(mdp_ipv4_prefix_parse("255.255.255.255/32", &a, &len), 0);
	CU_ASSERT_EQUAL(a, 0xffffffffu);
	CU_ASSERT_EQUAL(len, 32);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mdp_ipv4_prefix_parse(bad[i], &a, &len) != -EINVAL)
			fprintf(stderr, "\naccepted '%s'\n", bad[i]);
		CU_ASSERT_EQUAL(mdp_ipv4_prefix_parse(bad[i], &a, &len), -EINVAL);
	}
	CU_ASSERT_EQUAL(mdp_ipv4_prefix_parse(NULL, &a, &len), -EINVAL);
}

static void
test_ipv4_format(void)
{
	static const uint32_t vals[] = {
		0, 1, 0x01020304u, 0x0a0000ffu, 0x7f000001u, 0xc6120002u, 0xfffffffeu, 0xffffffffu,
	};
	char buf[MDP_IPV4_STRLEN];
	uint32_t back;

	CU_ASSERT_PTR_EQUAL(mdp_ipv4_format(0xcb007101u, buf), buf);
	CU_ASSERT_STRING_EQUAL(buf, "203.0.113.1");
	CU_ASSERT_STRING_EQUAL(mdp_ipv4_format(0, buf), "0.0.0.0");
	CU_ASSERT_STRING_EQUAL(mdp_ipv4_format(0xffffffffu, buf), "255.255.255.255");
	CU_ASSERT_EQUAL(strlen(buf) + 1, MDP_IPV4_STRLEN);

	/* format then parse is the identity */
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		back = ~vals[i];
		CU_ASSERT_EQUAL(mdp_ipv4_parse(mdp_ipv4_format(vals[i], buf), &back), 0);
		CU_ASSERT_EQUAL(back, vals[i]);
	}
}

static void
test_ipv4_mask(void)
{
	CU_ASSERT_EQUAL(mdp_ipv4_mask(0), 0);
	CU_ASSERT_EQUAL(mdp_ipv4_mask(1), 0x80000000u);
	CU_ASSERT_EQUAL(mdp_ipv4_mask(8), 0xff000000u);
	CU_ASSERT_EQUAL(mdp_ipv4_mask(24), 0xffffff00u);
	CU_ASSERT_EQUAL(mdp_ipv4_mask(31), 0xfffffffeu);
	CU_ASSERT_EQUAL(mdp_ipv4_mask(32), 0xffffffffu);
}

static void
test_mac(void)
{
	static const char *const bad[] = {
		"", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00", "aa-bb-cc-dd-ee-ff",
		"aa:bb:cc:dd:ee:fg", "a:bb:cc:dd:ee:fff", "aa:bb:cc:dd:ee:ff ", " aa:bb:cc:dd:ee:f",
		"aabb:cc:dd:ee:ff:", "aa:bb:cc:dd:ee:f", "aa:bb:cc:dd:eeff0",
	};
	const uint8_t want[6] = { 0xaa, 0xbb, 0xcc, 0x01, 0x23, 0xef };
	uint8_t mac[6], back[6];
	char buf[MDP_MAC_STRLEN];

	CU_ASSERT_EQUAL(mdp_mac_parse("aa:bb:cc:01:23:ef", mac), 0);
	CU_ASSERT_EQUAL(memcmp(mac, want, 6), 0);
	memset(mac, 0, sizeof(mac));
	CU_ASSERT_EQUAL(mdp_mac_parse("AA:Bb:cC:01:23:EF", mac), 0);
	CU_ASSERT_EQUAL(memcmp(mac, want, 6), 0);

	/* formatting is lower case and parses back to the same bytes */
	CU_ASSERT_PTR_EQUAL(mdp_mac_format(mac, buf), buf);
	CU_ASSERT_STRING_EQUAL(buf, "aa:bb:cc:01:23:ef");
	CU_ASSERT_EQUAL(mdp_mac_parse(buf, back), 0);
	CU_ASSERT_EQUAL(memcmp(back, mac, 6), 0);
	memset(mac, 0xff, sizeof(mac));
	CU_ASSERT_STRING_EQUAL(mdp_mac_format(mac, buf), "ff:ff:ff:ff:ff:ff");
	CU_ASSERT_EQUAL(strlen(buf) + 1, MDP_MAC_STRLEN);
	memset(mac, 0, sizeof(mac));
	CU_ASSERT_STRING_EQUAL(mdp_mac_format(mac, buf), "00:00:00:00:00:00");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mdp_mac_parse(bad[i], mac) != -EINVAL)
			fprintf(stderr, "\naccepted '%s'\n", bad[i]);
		CU_ASSERT_EQUAL(mdp_mac_parse(bad[i], mac), -EINVAL);
	}
	CU_ASSERT_EQUAL(mdp_mac_parse(NULL, mac), -EINVAL);
}

static CU_TestInfo tests[] = {
	{ "ipv4 parse", test_ipv4_parse },
	{ "ipv4 prefix parse", test_ipv4_prefix_parse },
	{ "ipv4 format", test_ipv4_format },
	{ "ipv4 mask", test_ipv4_mask },
	{ "mac", test_mac },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("inet", NULL, NULL, tests);
}
