/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_FAKE_DP_H
#define MDP_FAKE_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "dp.h"
#include "net/mdp_arp_table.h"

/*
 * A dataplane that exists only on paper, for tests that drive one worker's
 * L2/L3 input directly (tests/unit/test_net.c, tests/unit/test_tcp.c,
 * tests/fuzz/fuzz_packet.c). One port, index 0, 198.18.0.2/24 with MAC
 * 02:00:00:00:00:02 and MTU 1500, filled as mdp_ports_init() would but with
 * no device behind it; one worker, index 0, whose TX queue the test reads
 * back and empties itself (keep w->txq[0].n below w->burst: a full batch
 * would be flushed to the nonexistent device). There is no configuration
 * (dp.cfg NULL) and no TCP stack: a test that needs them sets dp.cfg and
 * calls mdp_tcp_stack_init() itself. The mbuf pool has no per-lcore cache,
 * so rte_mempool_avail_count() == MDP_FAKE_NB_MBUF whenever no mbuf is held.
 */

#define MDP_FAKE_NB_MBUF 1023
#define MDP_FAKE_IP 0xc6120002u		/* 198.18.0.2 */
#define MDP_FAKE_PREFIX 24
#define MDP_FAKE_MASK 0xffffff00u
#define MDP_FAKE_MAC { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 }	/* initializer */
#define MDP_FAKE_MTU 1500

struct mdp_fake_dp {
	struct rte_mempool *pool;
	struct mdp_dp dp;
	struct mdp_conf_port conf;	/* port 0's configuration */
	struct mdp_worker *w;
	bool eal_up;
};

/*
 * Start EAL with argv (argv[argc] == NULL), create the pool and the port
 * and worker, with the worker's TX batch size `burst` (<= MDP_BURST_MAX).
 * The worker has a wheel at tick 0 but no ARP table until
 * mdp_fake_dp_reset(). Returns 0, or -1 after printing why on stderr
 * (mdp_fake_dp_fini() then releases what was set up).
 */
int mdp_fake_dp_init(struct mdp_fake_dp *f, int argc, char **argv, const char *pool_name,
		     uint16_t burst);

/*
 * Fresh worker state: the TX queue freed, a new wheel at tick 0 and a new
 * ARP table with params ap (packets it held are dropped through the
 * worker's hooks first), counters zero, and port 0's configuration back to
 * 198.18.0.2/24 with no gateway and no routes. Returns 0 or -1.
 */
int mdp_fake_dp_reset(struct mdp_fake_dp *f, const struct mdp_arp_params *ap);

/* Free every mbuf in the worker's TX queue for port 0. */
void mdp_fake_dp_tx_clear(struct mdp_fake_dp *f);

/* Release everything, EAL included. Safe after a failed init. */
void mdp_fake_dp_fini(struct mdp_fake_dp *f);

#endif
