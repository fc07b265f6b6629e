/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_NET_H
#define MDP_NET_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dp.h"

/*
 * L2/L3 input and output of one worker. Input functions take ownership of
 * the mbuf: they send it, queue it, or free it and count the reason.
 * IPv4 input/output functions see the mbuf with data at the IP header.
 */

/* The Internet checksum (RFC 1071, not complemented) of len bytes of a
 * chain from offset off; correct at any segment split. */
uint16_t mdp_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len);

/* The TCP/UDP sum over the IPv4 pseudo-header and the L4 bytes of m from
 * l4_off (m's data starts at ip). A received segment is valid when it is
 * 0xffff; a checksum to send is its complement. */
uint16_t mdp_ipv4_l4_sum(const struct rte_ipv4_hdr *ip, const struct rte_mbuf *m, uint32_t l4_off);

/* Fill the IPv4 header and TCP checksums of m (data at ip, header complete,
 * payload attached) for transmission on p: in software, or, when p's device
 * offloads them, the pseudo-header sum and the mbuf's offload flags. */
void mdp_ipv4_tcp_csum_set(const struct mdp_port *p, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
			   struct rte_tcp_hdr *th);

/* How the device judged a received packet's checksum (mbuf ol_flags, when
 * the port has rx_csum): 1 good, -1 bad, 0 not checked (check in software). */
static inline int
mdp_rx_csum_ip(const struct rte_mbuf *m)
{
	uint64_t f = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	return f == RTE_MBUF_F_RX_IP_CKSUM_GOOD ? 1 : f == RTE_MBUF_F_RX_IP_CKSUM_BAD ? -1 : 0;
}

static inline int
mdp_rx_csum_l4(const struct rte_mbuf *m)
{
	uint64_t f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

	return f == RTE_MBUF_F_RX_L4_CKSUM_GOOD ? 1 : f == RTE_MBUF_F_RX_L4_CKSUM_BAD ? -1 : 0;
}

/* Ethernet: classify and dispatch a received frame. */
void mdp_eth_input(struct mdp_worker *w, const struct mdp_port *p, struct rte_mbuf *m);

/* ARP */
void mdp_arp_input(struct mdp_worker *w, const struct mdp_port *p, struct rte_mbuf *m);
void mdp_arp_send_gratuitous(struct mdp_worker *w, const struct mdp_port *p);
void mdp_arp_xcore_learn(struct mdp_worker *w, const struct mdp_xcore_msg *msg);
extern const struct mdp_arp_ops mdp_arp_worker_ops;

/*
 * Validate an IPv4 header of a packet of len bytes (from the IP header to
 * the end of the frame). Returns 0 when valid, else the counter
 * (enum mdp_cnt) naming the reason. Pure: no mbuf, no port. csum_ok is
 * the device's verdict on the header checksum (mdp_rx_csum_ip(); 0 when it
 * gave none: checked here).
 */
int mdp_ipv4_validate(const struct rte_ipv4_hdr *ip, uint32_t len, int csum_ok);

/* Source address check against the ports' addresses: 0 or a reason. */
int mdp_ipv4_check_source(const struct mdp_dp *dp, uint32_t src);

void mdp_ipv4_input(struct mdp_worker *w, const struct mdp_port *p, struct rte_mbuf *m);

/* Send an IPv4 packet (header complete, checksum set) towards its
 * destination: route, resolve, add Ethernet, queue for TX. */
void mdp_ipv4_output(struct mdp_worker *w, uint16_t in_port, struct rte_mbuf *m);

/* ICMP: data at the ICMP header, ip points at the IP header before it. */
void mdp_icmp_input(struct mdp_worker *w, const struct mdp_port *p, struct rte_mbuf *m,
		    struct rte_ipv4_hdr *ip);

#endif
