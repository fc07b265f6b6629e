/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "fake_dp.h"
#include "net/net.h"

static void
conf_defaults(struct mdp_conf_port *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->name, "p0");
	c->addr = MDP_FAKE_IP;
	c->prefix_len = MDP_FAKE_PREFIX;
	c->mtu = MDP_FAKE_MTU;	/* the loader's default; TCP derives its MSS from it */
}

int
mdp_fake_dp_init(struct mdp_fake_dp *f, int argc, char **argv, const char *pool_name,
		 uint16_t burst)
{
	static const uint8_t mac[6] = MDP_FAKE_MAC;
	struct mdp_port *p = &f->dp.ports[0];
	struct mdp_worker *w;

	memset(f, 0, sizeof(*f));
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "%s: rte_eal_init failed: %s\n", argv[0], rte_strerror(rte_errno));
		return -1;
	}
	f->eal_up = true;
	f->pool = rte_pktmbuf_pool_create(pool_name, MDP_FAKE_NB_MBUF, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (f->pool == NULL) {
		fprintf(stderr, "%s: no mbuf pool: %s\n", argv[0], rte_strerror(rte_errno));
		return -1;
	}

	/* as mdp_ports_init() fills it */
	conf_defaults(&f->conf);
	p->idx = 0;
	p->port_id = 0;
	p->conf = &f->conf;
	memcpy(p->mac.addr_bytes, mac, 6);
	p->addr = MDP_FAKE_IP;
	p->mask = MDP_FAKE_MASK;
	p->net = MDP_FAKE_IP & MDP_FAKE_MASK;
	p->bcast = p->net | ~MDP_FAKE_MASK;
	f->dp.n_ports = 1;
	f->dp.pool = f->pool;

	w = rte_zmalloc("mdp_worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	if (w == NULL) {
		fprintf(stderr, "%s: no memory for the worker\n", argv[0]);
		return -1;
	}
	f->w = w;
	w->dp = &f->dp;
	w->burst = burst;
	w->pool = f->pool;
	w->idx = 0;
	if (mdp_wheel_init(&w->wheel, 256, 0) != 0) {
		fprintf(stderr, "%s: no memory for the wheel\n", argv[0]);
		return -1;
	}
	f->dp.workers[0] = w;
	f->dp.n_workers = 1;
	return 0;
}

void
mdp_fake_dp_tx_clear(struct mdp_fake_dp *f)
{
	struct mdp_txq *q = &f->w->txq[0];

	for (unsigned i = 0; i < q->n; i++)
		rte_pktmbuf_free(q->pkts[i]);
	q->n = 0;
}

int
mdp_fake_dp_reset(struct mdp_fake_dp *f, const struct mdp_arp_params *ap)
{
	struct mdp_worker *w = f->w;

	if (w->arp != NULL) {
		mdp_arp_table_free(w->arp);
		w->arp = NULL;
	}
	mdp_wheel_fini(&w->wheel);
	mdp_fake_dp_tx_clear(f);
	conf_defaults(&f->conf);
	memset(&w->cnt, 0, sizeof(w->cnt));
	memset(w->arp_defend_tsc, 0, sizeof(w->arp_defend_tsc));
	if (mdp_wheel_init(&w->wheel, 256, 0) != 0)
		return -1;
	w->arp = mdp_arp_table_create(ap, &w->wheel, &mdp_arp_worker_ops, w);
	return w->arp != NULL ? 0 : -1;
}

void
mdp_fake_dp_fini(struct mdp_fake_dp *f)
{
	if (f->w != NULL) {
		mdp_fake_dp_tx_clear(f);
		mdp_arp_table_free(f->w->arp);
		mdp_wheel_fini(&f->w->wheel);
		rte_free(f->w);
		f->w = NULL;
	}
	rte_mempool_free(f->pool);
	f->pool = NULL;
	if (f->eal_up)
		rte_eal_cleanup();
	f->eal_up = false;
}
