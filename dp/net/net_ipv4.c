/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "net.h"
#include "tcp/tcp_priv.h"

int
mdp_ipv4_validate(const struct rte_ipv4_hdr *ip, uint32_t len, int csum_ok)
{
	uint32_t hlen, tlen;

	/* RFC 1122 3.2.1 / RFC 791: silently discard malformed datagrams. */
	if (len < sizeof(struct rte_ipv4_hdr))
		return MDP_CNT_IP_SHORT;
	if ((ip->version_ihl >> 4) != 4)
		return MDP_CNT_IP_VERSION;
	hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (hlen < sizeof(struct rte_ipv4_hdr) || hlen > len)
		return MDP_CNT_IP_IHL;
	tlen = rte_be_to_cpu_16(ip->total_length);
	if (tlen < hlen || tlen > len)
		return MDP_CNT_IP_LENGTH;
	if (csum_ok < 0 || (csum_ok == 0 && rte_raw_cksum(ip, hlen) != 0xffff))
		return MDP_CNT_IP_CSUM;
	/* No TTL check: RFC 1122 3.2.1.7, a host must not drop a datagram
	 * for it because TTL < 2. TTL matters to forwarding, which comes
	 * with the proxy's own connections, not with this path. */
	/* MF set or a non-zero offset: a fragment. DF alone is fine. */
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return MDP_CNT_IP_FRAG;
	return 0;
}

int
mdp_ipv4_check_source(const struct mdp_dp *dp, uint32_t src)
{
	/* RFC 1122 3.2.1.3: discard datagrams from martian sources. */
	if ((src >> 24) == 0 || (src >> 24) == 127 || src >= 0xe0000000u)
		return MDP_CNT_IP_BAD_SRC;
	for (unsigned i = 0; i < dp->n_ports; i++) {
		const struct mdp_port *p = &dp->ports[i];

		if (src == p->addr || (p->mask != 0xffffffffu && p->mask != 0xfffffffeu &&
				       (src == p->bcast)))
			return MDP_CNT_IP_BAD_SRC;
	}
	return 0;
}

static int
dst_class(const struct mdp_dp *dp, uint32_t dst)
{
	if (dst >= 0xe0000000u)
		return MDP_CNT_IP_BCAST;	/* multicast and limited broadcast */
	for (unsigned i = 0; i < dp->n_ports; i++) {
		const struct mdp_port *p = &dp->ports[i];

		/* Weak host model (RFC 1122 3.3.4.2): any of our addresses. */
		if (dst == p->addr)
			return 0;
		if (dst == p->bcast && p->mask < 0xfffffffeu)
			return MDP_CNT_IP_BCAST;
	}
	return MDP_CNT_IP_NOT_US;
}

/* Shorten m to len bytes (0 < len < pkt_len), freeing the segments past
 * them. Unlike rte_pktmbuf_trim(), which only shortens the last segment
 * (and fails, leaving the padding in place, when the padding spans more
 * than that segment holds). */
static void
pkt_trim_to(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg = m;
	uint32_t left = len;
	uint16_t nb = 1;

	while (left > seg->data_len) {
		left -= seg->data_len;
		seg = seg->next;
		nb++;
	}
	seg->data_len = (uint16_t)left;
	if (unlikely(seg->next != NULL)) {
		rte_pktmbuf_free(seg->next);
		seg->next = NULL;
	}
	m->nb_segs = nb;
	m->pkt_len = len;
}

void
mdp_ipv4_input(struct mdp_worker *w, const struct mdp_port *p, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip;
	uint32_t hlen, tlen;
	int why;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*ip))) {
		MDP_CNT_INC(w, p->idx, IP_SHORT);
		goto drop;
	}
	ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	/* The header must sit in the first segment; check that before
	 * validate() sums it, or the sum reads past the segment's data. */
	if (unlikely(rte_pktmbuf_data_len(m) < rte_pktmbuf_pkt_len(m) &&
		     (uint32_t)(ip->version_ihl & 0xf) * 4 > rte_pktmbuf_data_len(m)))
		why = MDP_CNT_IP_IHL;
	else
		why = mdp_ipv4_validate(ip, rte_pktmbuf_pkt_len(m), p->rx_csum ? mdp_rx_csum_ip(m) : 0);
	if (unlikely(why != 0))
		goto count_drop;
	why = dst_class(w->dp, rte_be_to_cpu_32(ip->dst_addr));
	if (unlikely(why != 0))
		goto count_drop;
	why = mdp_ipv4_check_source(w->dp, rte_be_to_cpu_32(ip->src_addr));
	if (unlikely(why != 0))
		goto count_drop;

	/* Drop Ethernet padding beyond the datagram. */
	tlen = rte_be_to_cpu_16(ip->total_length);
	if (rte_pktmbuf_pkt_len(m) > tlen)
		pkt_trim_to(m, tlen);
	MDP_CNT_INC(w, p->idx, IP_RX);

	hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	switch (ip->next_proto_id) {
	case IPPROTO_ICMP:
		rte_pktmbuf_adj(m, hlen);
		mdp_icmp_input(w, p, m, ip);
		return;
	case IPPROTO_TCP:
		mdp_tcp_input(w, p, m, ip);
		return;
	case IPPROTO_UDP:
		why = MDP_CNT_IP_PROTO_UDP;
		break;
	default:
		why = MDP_CNT_IP_PROTO_OTHER;
		break;
	}
count_drop:
	w->cnt.port[p->idx][why]++;
drop:
	rte_pktmbuf_free(m);
}

void
mdp_ipv4_output(struct mdp_worker *w, uint16_t in_port, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	const struct mdp_port *p;
	struct rte_ether_hdr *eh;
	uint16_t port;
	uint32_t nh;

	if (unlikely(mdp_route_lookup(w->dp, rte_be_to_cpu_32(ip->dst_addr), &port, &nh) < 0)) {
		MDP_CNT_INC(w, in_port, IP_NO_ROUTE);
		rte_pktmbuf_free(m);
		return;
	}
	p = &w->dp->ports[port];
	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eh));
	if (unlikely(eh == NULL)) {
		MDP_CNT_INC(w, port, MBUF_ALLOC);
		rte_pktmbuf_free(m);
		return;
	}
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	switch (mdp_arp_resolve(w->arp, port, nh, m, eh->dst_addr.addr_bytes)) {
	case MDP_ARP_HIT:
		mdp_tx_enqueue(w, port, m);
		return;
	case MDP_ARP_QUEUED:
		MDP_CNT_INC(w, port, ARP_QUEUED);
		return;
	case MDP_ARP_FULL:
		MDP_CNT_INC(w, port, ARP_TABLE_FULL);
		break;
	case MDP_ARP_QFULL:
		MDP_CNT_INC(w, port, ARP_QUEUE_FULL);
		break;
	}
	rte_pktmbuf_free(m);
}
