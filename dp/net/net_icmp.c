/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "net.h"
#include "tcp/tcp_priv.h"

#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED 4

#define MDP_IP_TTL 64

void
mdp_icmp_input(struct mdp_worker *w, const struct mdp_port *p, struct rte_mbuf *m,
	       struct rte_ipv4_hdr *ip)
{
	struct rte_icmp_hdr *icmp;
	uint32_t hlen, src;

	if (unlikely(rte_pktmbuf_pkt_len(m) < sizeof(*icmp) ||
		     rte_pktmbuf_data_len(m) < sizeof(*icmp))) {
		MDP_CNT_INC(w, p->idx, ICMP_SHORT);
		goto drop;
	}
	icmp = rte_pktmbuf_mtod(m, struct rte_icmp_hdr *);
	if (unlikely(mdp_cksum_mbuf(m, 0, rte_pktmbuf_pkt_len(m)) != 0xffff)) {
		MDP_CNT_INC(w, p->idx, ICMP_CSUM);
		goto drop;
	}
	if (icmp->icmp_type == ICMP_DEST_UNREACH && icmp->icmp_code == ICMP_FRAG_NEEDED) {
		/* RFC 1191: the path MTU to a peer is smaller; the TCP
		 * connection quoted in the message lowers its MSS. */
		MDP_CNT_INC(w, p->idx, ICMP_FRAG_NEEDED_RX);
		mdp_tcp_icmp_frag_needed(w, p, (const uint8_t *)(icmp + 1),
					 rte_pktmbuf_data_len(m) - sizeof(*icmp),
					 rte_be_to_cpu_16(icmp->icmp_seq_nb));
		goto drop;
	}
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0) {
		MDP_CNT_INC(w, p->idx, ICMP_TYPE);
		goto drop;
	}
	MDP_CNT_INC(w, p->idx, ICMP_ECHO_RX);

	/* RFC 792 / RFC 1122 3.2.2.6: reply with the same identifier,
	 * sequence and data. The type changes 8 -> 0, so the checksum is
	 * updated incrementally (RFC 1624 eqn. 3). Eqn. 3 yields 0x0000 where
	 * the data sums to zero; 0xffff is the same value in one's complement
	 * and the only one that verifies when the rest of the reply is all
	 * zeros (identifier, sequence and data 0). */
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	{
		uint32_t c = (uint16_t)~icmp->icmp_cksum;

		c += (uint16_t)~RTE_BE16(RTE_IP_ICMP_ECHO_REQUEST << 8);
		c += RTE_BE16(RTE_IP_ICMP_ECHO_REPLY << 8);
		c = (c & 0xffff) + (c >> 16);
		c = (c & 0xffff) + (c >> 16);
		c = (uint16_t)~c;
		icmp->icmp_cksum = c != 0 ? (uint16_t)c : 0xffff;
	}

	hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (hlen > sizeof(*ip)) {
		/* Reply without the request's options. RFC 1122 3.2.2.6 asks
		 * for a reversed source route and updated record-route and
		 * timestamp options; we deviate and send none rather than
		 * echo them unprocessed (Linux echoes them). The 20-byte
		 * header moves forward over the options. */
		struct rte_ipv4_hdr *nip = (struct rte_ipv4_hdr *)((uint8_t *)ip + hlen - sizeof(*ip));

		memmove(nip, ip, sizeof(*ip));
		ip = nip;
		ip->version_ihl = (uint8_t)((4 << 4) | (sizeof(*ip) / 4));
		ip->total_length = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(ip->total_length) -
							       (hlen - sizeof(*ip))));
		hlen = sizeof(*ip);
	}
	rte_pktmbuf_prepend(m, (uint16_t)hlen);	/* back to the IP header */
	src = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = src;
	ip->time_to_live = MDP_IP_TTL;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = (uint16_t)~rte_raw_cksum(ip, hlen);
	MDP_CNT_INC(w, p->idx, ICMP_ECHO_TX);
	mdp_ipv4_output(w, p->idx, m);
	return;
drop:
	rte_pktmbuf_free(m);
}
