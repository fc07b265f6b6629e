/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_INET_H
#define MDP_INET_H

#include <stdint.h>
#include <stddef.h>

/*
 * Address helpers shared by the config loader, the control thread and
 * meshctl. IPv4 addresses are host byte order uint32_t everywhere outside
 * packet headers.
 */

#define MDP_IPV4_STRLEN 16	/* "255.255.255.255" + NUL */
#define MDP_MAC_STRLEN 18	/* "aa:bb:cc:dd:ee:ff" + NUL */

/* Parse dotted quad. Returns 0 or -EINVAL. Rejects leading zeros, extra text. */
int mdp_ipv4_parse(const char *s, uint32_t *addr);

/* Parse "a.b.c.d/len" (len 0..32). Returns 0 or -EINVAL. */
int mdp_ipv4_prefix_parse(const char *s, uint32_t *addr, uint8_t *len);

/* Format into buf (at least MDP_IPV4_STRLEN). Returns buf. */
char *mdp_ipv4_format(uint32_t addr, char *buf);

/* Netmask for a prefix length 0..32, host byte order. */
static inline uint32_t
mdp_ipv4_mask(uint8_t len)
{
	return len == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - len));
}

/* Parse "aa:bb:cc:dd:ee:ff" (hex, case-insensitive). Returns 0 or -EINVAL. */
int mdp_mac_parse(const char *s, uint8_t mac[6]);

/* Format into buf (at least MDP_MAC_STRLEN). Returns buf. */
char *mdp_mac_format(const uint8_t mac[6], char *buf);

#endif
