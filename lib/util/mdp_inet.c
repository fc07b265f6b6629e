/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdp_inet.h"

int
mdp_ipv4_parse(const char *s, uint32_t *addr)
{
	uint32_t a = 0;
	int octets = 0;

	if (s == NULL)
		return -EINVAL;
	while (octets < 4) {
		unsigned v = 0;
		int digits = 0;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (*s == '0' && s[1] >= '0' && s[1] <= '9')
			return -EINVAL;	/* no leading zeros: "010" is octal to inet_aton */
		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s - '0');
			s++;
			digits++;
		}
		if (v > 255 || digits > 3)
			return -EINVAL;
		a = (a << 8) | v;
		octets++;
		if (octets < 4) {
			if (*s != '.')
				return -EINVAL;
			s++;
		}
	}
	if (*s != '\0')
		return -EINVAL;
	*addr = a;
	return 0;
}

int
mdp_ipv4_prefix_parse(const char *s, uint32_t *addr, uint8_t *len)
{
	char buf[MDP_IPV4_STRLEN];
	const char *slash;
	char *end;
	long l;
	size_t n;

	if (s == NULL || (slash = strchr(s, '/')) == NULL)
		return -EINVAL;
	n = (size_t)(slash - s);
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (mdp_ipv4_parse(buf, addr) < 0)
		return -EINVAL;
	if (slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	errno = 0;
	l = strtol(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || l < 0 || l > 32)
		return -EINVAL;
	*len = (uint8_t)l;
	return 0;
}

char *
mdp_ipv4_format(uint32_t addr, char *buf)
{
	snprintf(buf, MDP_IPV4_STRLEN, "%u.%u.%u.%u", addr >> 24,
		 (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
mdp_mac_parse(const char *s, uint8_t mac[6])
{
	if (s == NULL || strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[i * 3]), lo = hexval(s[i * 3 + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < 5 && s[i * 3 + 2] != ':')
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

char *
mdp_mac_format(const uint8_t mac[6], char *buf)
{
	snprintf(buf, MDP_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}
