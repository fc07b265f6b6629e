/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "net.h"

#define ARP_FRAME_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr))
#define DEFEND_INTERVAL_S 10	/* RFC 5227 DEFEND_INTERVAL */

static void
arp_fill(struct rte_mbuf *m, const struct mdp_port *p, uint16_t op,
	 const struct rte_ether_addr *eth_dst, const struct rte_ether_addr *tha,
	 uint32_t sip, uint32_t tip)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);

	rte_ether_addr_copy(eth_dst, &eh->dst_addr);
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&p->mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	rte_ether_addr_copy(tha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = rte_cpu_to_be_32(tip);
}

/* Build and queue an ARP request from port p for tip (sender = our address). */
static int
arp_send_request(struct mdp_worker *w, const struct mdp_port *p, uint32_t tip)
{
	static const struct rte_ether_addr zero, bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->pool);

	if (unlikely(m == NULL)) {
		MDP_CNT_INC(w, p->idx, MBUF_ALLOC);
		return -ENOMEM;
	}
	if (rte_pktmbuf_append(m, ARP_FRAME_LEN) == NULL) {
		rte_pktmbuf_free(m);
		MDP_CNT_INC(w, p->idx, MBUF_ALLOC);
		return -ENOMEM;
	}
	arp_fill(m, p, RTE_ARP_OP_REQUEST, &bcast, &zero, p->addr, tip);
	mdp_tx_enqueue(w, p->idx, m);
	return 0;
}

void
mdp_arp_send_gratuitous(struct mdp_worker *w, const struct mdp_port *p)
{
	/* RFC 5227 2.4: an ARP announcement is a request with sender and
	 * target set to our address. */
	if (arp_send_request(w, p, p->addr) == 0)
		MDP_CNT_INC(w, p->idx, ARP_TX_GRATUITOUS);
}

static void
arp_share(struct mdp_worker *w, const struct mdp_port *p, uint32_t ip,
	  const struct rte_ether_addr *mac)
{
	struct mdp_xcore_msg msg = {
		.type = MDP_XCORE_ARP_LEARN,
		.port = p->idx,
		.ip = ip,
	};

	memcpy(msg.mac, mac->addr_bytes, 6);
	mdp_xcore_broadcast(w, &msg);
}

static inline bool
on_link(const struct mdp_port *p, uint32_t ip)
{
	if ((ip & p->mask) != p->net)
		return false;
	/* RFC 3021: on a /31 both addresses are hosts; /32 has no peer. */
	return p->conf->prefix_len >= 31 || (ip != p->net && ip != p->bcast);
}

void
mdp_arp_input(struct mdp_worker *w, const struct mdp_port *p, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;
	struct rte_ether_addr sha;
	uint32_t sip, tip;
	uint16_t op;
	bool for_us;

	if (unlikely(rte_pktmbuf_data_len(m) < ARP_FRAME_LEN)) {
		MDP_CNT_INC(w, p->idx, ARP_MALFORMED);
		goto drop;
	}
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ah = (struct rte_arp_hdr *)(eh + 1);
	if (ah->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    ah->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    ah->arp_hlen != RTE_ETHER_ADDR_LEN || ah->arp_plen != 4) {
		MDP_CNT_INC(w, p->idx, ARP_MALFORMED);
		goto drop;
	}
	op = rte_be_to_cpu_16(ah->arp_opcode);
	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) {
		MDP_CNT_INC(w, p->idx, ARP_OPCODE);
		goto drop;
	}
	if (op == RTE_ARP_OP_REQUEST)
		MDP_CNT_INC(w, p->idx, ARP_RX_REQUEST);
	else
		MDP_CNT_INC(w, p->idx, ARP_RX_REPLY);
	rte_ether_addr_copy(&ah->arp_data.arp_sha, &sha);
	sip = rte_be_to_cpu_32(ah->arp_data.arp_sip);
	tip = rte_be_to_cpu_32(ah->arp_data.arp_tip);

	if (!rte_is_valid_assigned_ether_addr(&sha) || rte_is_same_ether_addr(&sha, &p->mac)) {
		MDP_CNT_INC(w, p->idx, ARP_BAD_SENDER);
		goto drop;
	}
	if (sip == p->addr) {
		/* Another host claims our address. RFC 5227 2.4 (c), right
		 * for a configured address: keep it and defend with one
		 * announcement at most once per DEFEND_INTERVAL (per worker:
		 * with several workers a claimant may see one each); never
		 * learn the claimant. */
		uint64_t now = rte_rdtsc();

		MDP_CNT_INC(w, p->idx, ARP_CONFLICT);
		if (now - w->arp_defend_tsc[p->idx] >= DEFEND_INTERVAL_S * w->dp->tsc_hz ||
		    w->arp_defend_tsc[p->idx] == 0) {
			w->arp_defend_tsc[p->idx] = now;
			mdp_arp_send_gratuitous(w, p);
		}
		goto drop;
	}
	for_us = tip == p->addr;

	/* RFC 826 merge: update the sender if we know it; create it only
	 * when the packet is addressed to us. An address probe (sender 0,
	 * RFC 5227 2.1.1) teaches nothing. */
	if (sip != 0 && on_link(p, sip)) {
		if (mdp_arp_learn(w->arp, p->idx, sip, sha.addr_bytes, for_us) != NULL) {
			MDP_CNT_INC(w, p->idx, ARP_LEARNED);
			if (w->dp->n_workers > 1)
				arp_share(w, p, sip, &sha);
		} else if (for_us) {
			MDP_CNT_INC(w, p->idx, ARP_NOT_LEARNED);
		}
	}
	if (!for_us) {
		/* An announcement (sender == target, RFC 5227 2.3) was
		 * handled by the merge; other traffic is not ours. */
		if (op == RTE_ARP_OP_REQUEST && sip != tip)
			MDP_CNT_INC(w, p->idx, ARP_NOT_US);
		goto drop;
	}
	if (op == RTE_ARP_OP_REPLY)
		goto drop;	/* handled: the merge above resolved it */

	/* Answer in place: the request becomes our reply to its sender. */
	rte_ether_addr_copy(&sha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = rte_cpu_to_be_32(sip);
	rte_ether_addr_copy(&p->mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = rte_cpu_to_be_32(p->addr);
	ah->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&sha, &eh->dst_addr);
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	MDP_CNT_INC(w, p->idx, ARP_TX_REPLY);
	mdp_tx_enqueue(w, p->idx, m);
	return;
drop:
	rte_pktmbuf_free(m);
}

void
mdp_arp_xcore_learn(struct mdp_worker *w, const struct mdp_xcore_msg *msg)
{
	/* Another core learned an address: complete a pending resolution
	 * here, or refresh what we hold. Never create: each core keeps only
	 * the neighbours it talks to. */
	if (mdp_arp_learn(w->arp, msg->port, msg->ip, msg->mac, false) != NULL)
		MDP_CNT_INC(w, msg->port, ARP_SHARED);
}

/* Hooks of the per-core ARP table (ctx is the worker). */

static void
hook_solicit(void *ctx, uint16_t port, uint32_t ip)
{
	struct mdp_worker *w = ctx;

	if (arp_send_request(w, &w->dp->ports[port], ip) == 0)
		MDP_CNT_INC(w, port, ARP_TX_REQUEST);
}

static void
hook_flush(void *ctx, uint16_t port, const uint8_t mac[6], void *pkt)
{
	struct mdp_worker *w = ctx;
	struct rte_mbuf *m = pkt;
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	memcpy(eh->dst_addr.addr_bytes, mac, 6);
	MDP_CNT_INC(w, port, ARP_FLUSHED);
	mdp_tx_enqueue(w, port, m);
}

static void
hook_drop(void *ctx, uint16_t port, void *pkt)
{
	struct mdp_worker *w = ctx;

	MDP_CNT_INC(w, port, ARP_UNRESOLVED);
	rte_pktmbuf_free(pkt);
}

static void
hook_expired(void *ctx, uint16_t port, uint32_t ip)
{
	struct mdp_worker *w = ctx;

	(void)ip;
	MDP_CNT_INC(w, port, ARP_EXPIRED);
}

const struct mdp_arp_ops mdp_arp_worker_ops = {
	.solicit = hook_solicit,
	.flush = hook_flush,
	.drop = hook_drop,
	.expired = hook_expired,
};
