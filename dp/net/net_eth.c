/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_byteorder.h>
#include <rte_ether.h>

#include "net.h"

void
mdp_eth_input(struct mdp_worker *w, const struct mdp_port *p, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	uint16_t type;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eh))) {
		MDP_CNT_INC(w, p->idx, ETH_SHORT);
		goto drop;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(!rte_is_same_ether_addr(&eh->dst_addr, &p->mac))) {
		if (rte_is_broadcast_ether_addr(&eh->dst_addr)) {
			/* fall through: ARP requests, broadcasts counted by L3 */
		} else if (rte_is_multicast_ether_addr(&eh->dst_addr)) {
			MDP_CNT_INC(w, p->idx, ETH_MCAST);
			goto drop;
		} else {
			MDP_CNT_INC(w, p->idx, ETH_NOT_US);
			goto drop;
		}
	}
	type = eh->ether_type;
	if (likely(type == RTE_BE16(RTE_ETHER_TYPE_IPV4))) {
		rte_pktmbuf_adj(m, sizeof(*eh));
		mdp_ipv4_input(w, p, m);
		return;
	}
	if (type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		mdp_arp_input(w, p, m);
		return;
	}
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || type == RTE_BE16(RTE_ETHER_TYPE_QINQ))
		MDP_CNT_INC(w, p->idx, ETH_VLAN);
	else if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		MDP_CNT_INC(w, p->idx, ETH_IPV6);
	else
		MDP_CNT_INC(w, p->idx, ETH_TYPE);
drop:
	rte_pktmbuf_free(m);
}
