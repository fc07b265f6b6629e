/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_pci.h>

#include "dp.h"
#include "util/mdp_inet.h"
#include "util/mdp_log.h"

/* The DPDK device name of a configured device: a vdev's name is what
 * precedes its first comma; a PCI address is its own name. */
static void
device_name(const char *device, char *name, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, device, n);
	name[n] = '\0';
}

/* The config accepts PCI addresses as "BB:DD.F" or with upper-case hex;
 * DPDK names the device "dddd:bb:dd.f". */
static bool
pci_lookup(const char *name, uint16_t *port_id)
{
	struct rte_pci_addr a;
	char canon[PCI_PRI_STR_SIZE];

	if (rte_pci_addr_parse(name, &a) != 0)
		return false;
	rte_pci_device_name(&a, canon, sizeof(canon));
	return rte_eth_dev_get_port_by_name(canon, port_id) == 0;
}

#define MDP_TX_CSUM_OFFLOADS (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM)
#define MDP_RX_CSUM_OFFLOADS (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM)

static int
port_setup(struct mdp_dp *dp, struct mdp_port *p)
{
	const struct mdp_conf_port *c = p->conf;
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t nq = (uint16_t)dp->cfg->n_workers, rxd = c->rx_desc, txd = c->tx_desc;
	char name[RTE_ETH_NAME_MAX_LEN];
	int socket, rc;

	device_name(c->device, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &p->port_id) != 0 && !pci_lookup(name, &p->port_id)) {
		MDP_ERR("port %s: no DPDK device named '%s' (device = \"%s\")", c->name, name,
			c->device);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0) {
		MDP_ERR("port %s: cannot read device info: %s", c->name, rte_strerror(-rc));
		return rc;
	}
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	if (nq > info.max_rx_queues || nq > info.max_tx_queues) {
		MDP_ERR("port %s: %u workers need %u queues; %s offers %u rx / %u tx", c->name,
			dp->n_workers, nq, info.driver_name, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	if (nq > 1 && (info.flow_type_rss_offloads & RTE_ETH_RSS_IP)) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	/* Checksum offload where the device has it. Not for transmission
	 * when the impairment stage corrupts outgoing packets: the device
	 * would checksum the corrupted bytes and hide the damage. */
	if (c->checksum_offload &&
	    (info.tx_offload_capa & MDP_TX_CSUM_OFFLOADS) == MDP_TX_CSUM_OFFLOADS &&
	    !(c->impair && c->impair_tx.corrupt > 0)) {
		conf.txmode.offloads |= MDP_TX_CSUM_OFFLOADS;
		p->tx_csum = true;
	}
	if (c->checksum_offload &&
	    (info.rx_offload_capa & MDP_RX_CSUM_OFFLOADS) == MDP_RX_CSUM_OFFLOADS) {
		conf.rxmode.offloads |= MDP_RX_CSUM_OFFLOADS;
		p->rx_csum = true;
	}
	rc = rte_eth_dev_configure(p->port_id, nq, nq, &conf);
	if (rc != 0) {
		MDP_ERR("port %s: configure: %s", c->name, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &rxd, &txd);
	if (rc != 0) {
		MDP_ERR("port %s: descriptors: %s", c->name, rte_strerror(-rc));
		return rc;
	}
	if (c->mtu != RTE_ETHER_MTU) {
		rc = rte_eth_dev_set_mtu(p->port_id, c->mtu);
		if (rc != 0) {
			MDP_ERR("port %s: mtu %u: %s", c->name, c->mtu, rte_strerror(-rc));
			return rc;
		}
	}
	socket = rte_eth_dev_socket_id(p->port_id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	for (uint16_t q = 0; q < nq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, rxd, (unsigned)socket, NULL, dp->pool);
		if (rc != 0) {
			MDP_ERR("port %s: rx queue %u: %s", c->name, q, rte_strerror(-rc));
			return rc;
		}
		rc = rte_eth_tx_queue_setup(p->port_id, q, txd, (unsigned)socket, NULL);
		if (rc != 0) {
			MDP_ERR("port %s: tx queue %u: %s", c->name, q, rte_strerror(-rc));
			return rc;
		}
	}
	if (c->has_mac) {
		memcpy(p->mac.addr_bytes, c->mac, 6);
		rc = rte_eth_dev_default_mac_addr_set(p->port_id, &p->mac);
		if (rc != 0) {
			/* Virtual devices (AF_XDP, af_packet) keep the kernel
			 * interface's address; receive the configured one anyway. */
			MDP_WARN("port %s: %s cannot set its MAC (%s); using promiscuous mode",
				 c->name, info.driver_name, rte_strerror(-rc));
			rte_eth_promiscuous_enable(p->port_id);
		}
	} else {
		rc = rte_eth_macaddr_get(p->port_id, &p->mac);
		if (rc != 0) {
			MDP_ERR("port %s: cannot read MAC: %s", c->name, rte_strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(p->port_id);
	if (rc != 0) {
		MDP_ERR("port %s: start: %s", c->name, rte_strerror(-rc));
		return rc;
	}
	p->started = true;
	if (c->promiscuous)
		rte_eth_promiscuous_enable(p->port_id);
	{
		char mac[MDP_MAC_STRLEN], ip[MDP_IPV4_STRLEN];

		MDP_INFO("port %s: dpdk port %u (%s), mac %s, %s/%u, %u queue(s), %u/%u desc",
			 c->name, p->port_id, info.driver_name,
			 mdp_mac_format(p->mac.addr_bytes, mac), mdp_ipv4_format(p->addr, ip),
			 c->prefix_len, nq, rxd, txd);
	}
	return 0;
}

int
mdp_ports_init(struct mdp_dp *dp)
{
	const struct mdp_config *cfg = dp->cfg;

	dp->n_ports = cfg->n_ports;
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		struct mdp_port *p = &dp->ports[i];
		const struct mdp_conf_port *c = &cfg->ports[i];

		p->idx = (uint16_t)i;
		p->conf = c;
		p->port_id = RTE_MAX_ETHPORTS;	/* not resolved yet */
		p->addr = c->addr;
		p->mask = mdp_ipv4_mask(c->prefix_len);
		p->net = c->addr & p->mask;
		p->bcast = p->net | ~p->mask;
	}
	for (unsigned i = 0; i < dp->n_ports; i++) {
		int rc = port_setup(dp, &dp->ports[i]);

		if (rc != 0)
			return rc;
	}
	return 0;
}

void
mdp_ports_fini(struct mdp_dp *dp)
{
	for (unsigned i = 0; i < dp->n_ports; i++) {
		struct mdp_port *p = &dp->ports[i];

		if (p->started) {
			rte_eth_dev_stop(p->port_id);
			p->started = false;
		}
		/* Close only what start-up resolved; a failed start leaves
		 * later ports unresolved. */
		if (p->port_id < RTE_MAX_ETHPORTS)
			rte_eth_dev_close(p->port_id);
	}
}

bool
mdp_addr_is_local(const struct mdp_dp *dp, uint32_t addr)
{
	for (unsigned i = 0; i < dp->n_ports; i++)
		if (dp->ports[i].addr == addr)
			return true;
	return false;
}

int
mdp_route_lookup(const struct mdp_dp *dp, uint32_t dst, uint16_t *port, uint32_t *nh)
{
	int best_len = -1;

	/* On-link first (a connected route is the longest match there is
	 * for its subnet), then the configured routes by longest prefix,
	 * then the first port with a gateway. */
	for (unsigned i = 0; i < dp->n_ports; i++) {
		const struct mdp_port *p = &dp->ports[i];

		if ((dst & p->mask) == p->net) {
			*port = (uint16_t)i;
			*nh = dst;
			best_len = p->conf->prefix_len;
			break;
		}
	}
	for (unsigned i = 0; i < dp->n_ports; i++) {
		const struct mdp_conf_port *c = dp->ports[i].conf;

		for (unsigned r = 0; r < c->n_routes; r++) {
			const struct mdp_conf_route *rt = &c->routes[r];

			if ((int)rt->dst_len > best_len &&
			    (dst & mdp_ipv4_mask(rt->dst_len)) == rt->dst) {
				best_len = rt->dst_len;
				*port = (uint16_t)i;
				*nh = rt->via;
			}
		}
	}
	if (best_len >= 0)
		return 0;
	for (unsigned i = 0; i < dp->n_ports; i++) {
		if (dp->ports[i].conf->gateway != 0) {
			*port = (uint16_t)i;
			*nh = dp->ports[i].conf->gateway;
			return 0;
		}
	}
	return -ENETUNREACH;
}
