/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TCP_ISN_H
#define MDP_TCP_ISN_H

#include <stdint.h>

#include "mdp_siphash.h"

/*
 * Initial sequence numbers (RFC 6528 3):
 *
 *	ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 *
 * M is a timer ticking every 4 microseconds (RFC 9293 3.4.1), so ISNs of one
 * 4-tuple advance by 250 per millisecond and wrap in about 4.77 hours; F is
 * SipHash-2-4 of the 4-tuple under the secret key, truncated to its low 32
 * bits, so an off-path attacker cannot guess the ISN of another connection.
 *
 * F hashes these 12 bytes: local address, remote address (4 bytes each),
 * local port, remote port (2 bytes each), every field big-endian (network
 * order).
 *
 * The key must be random and secret (see struct mdp_siphash_key), the same
 * for every core that can own a given 4-tuple; RFC 6528 suggests changing it
 * from time to time, which is safe only when no connection of the old key is
 * in TIME-WAIT.
 */

/*
 * ISN for the connection laddr:lport <-> raddr:rport (host order) at
 * now_us microseconds of a monotonic clock. Pure function.
 */
uint32_t mdp_tcp_isn(const struct mdp_siphash_key *k, uint32_t laddr,
		     uint16_t lport, uint32_t raddr, uint16_t rport,
		     uint64_t now_us);

#endif
