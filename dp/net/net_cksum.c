/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "net.h"

/*
 * The Internet checksum over an mbuf chain. Not rte_raw_cksum_mbuf():
 * DPDK 22.11's truncates a segment's unfolded sum to 16 bits before
 * swapping it for an odd offset, so an odd split gives a wrong sum (found
 * by tests/fuzz/fuzz_packet: a valid request failed, a corrupt one passed
 * and was answered with a bad checksum).
 */
uint16_t
mdp_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t sum = 0, done = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	for (; m != NULL && done < len; m = m->next, off = 0) {
		uint32_t n = RTE_MIN((uint32_t)m->data_len - off, len - done);
		uint16_t s = rte_raw_cksum(rte_pktmbuf_mtod_offset(m, const void *, off), n);

		sum += (done & 1) ? rte_bswap16(s) : s;
		done += n;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

void
mdp_ipv4_tcp_csum_set(const struct mdp_port *p, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
		      struct rte_tcp_hdr *th)
{
	uint32_t hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;

	ip->hdr_checksum = 0;
	th->cksum = 0;
	if (p->tx_csum) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;
		m->l2_len = sizeof(struct rte_ether_hdr);
		m->l3_len = hlen;
		th->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
		return;
	}
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = (uint16_t)~mdp_ipv4_l4_sum(ip, m, hlen);
}

uint16_t
mdp_ipv4_l4_sum(const struct rte_ipv4_hdr *ip, const struct rte_mbuf *m, uint32_t l4_off)
{
	uint32_t hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	uint32_t l4len = rte_be_to_cpu_16(ip->total_length) - hlen;
	uint32_t sum = (uint32_t)rte_ipv4_phdr_cksum(ip, 0) + mdp_cksum_mbuf(m, l4_off, l4len);

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}
