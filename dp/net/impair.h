/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_IMPAIR_H
#define MDP_IMPAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/mdp_config.h"
#include "util/mdp_rand.h"

struct rte_mbuf;
struct rte_mempool;

/*
 * The port impairment stage: this kernel has no netem, so meshdp impairs
 * its own ports for tests (loss, corruption, duplication, reordering,
 * delay), per port and per direction, seeded and repeatable. Off unless a
 * port's `impair` group asks for it; when on, every decision is counted.
 * Each worker keeps its own state for each port (no sharing).
 *
 * Order per packet: loss, then corruption (one bit flipped past the
 * Ethernet header, so checksums catch it), then duplication (a full copy
 * follows the original), then reordering (the packet is held and sent
 * after the next one, or after REORDER_HOLD_US when nothing follows), then
 * delay (a FIFO delay line of bounded length; when full the packet is
 * dropped and counted as loss, as a queue would).
 */

#define MDP_IMPAIR_DELAY_MAX 4096	/* packets in one direction's delay line */
#define MDP_IMPAIR_OUT_MAX(n) (2 * (n) + 1)	/* output room for n input packets */

struct mdp_impair_dir {
	bool active;
	uint64_t loss, corrupt, dup, reorder;	/* thresholds for mdp_rand_u32() */
	uint64_t delay_tsc;
	uint64_t hold_tsc;		/* how long a reordered packet waits at most */
	struct rte_mbuf *held;		/* reordered packet waiting for the next one */
	uint64_t held_until;
	struct rte_mbuf **dq;		/* delay line, FIFO */
	uint64_t *dq_due;
	uint32_t dq_head, dq_n;
};

struct mdp_impair {
	struct mdp_rand rng;
	struct mdp_impair_dir rx, tx;
};

struct mdp_impair_stats {
	uint64_t *loss, *corrupt, *dup, *reorder, *delay;	/* counters to bump */
};

/* Set up from a port's configuration; worker mixes into the seed so that
 * workers draw different streams. Returns 0 or -ENOMEM. */
int mdp_impair_init(struct mdp_impair *im, const struct mdp_conf_port *c, unsigned worker,
		    uint64_t tsc_hz, int socket);

/* Free held and delayed packets and the delay lines. */
void mdp_impair_fini(struct mdp_impair *im);

/*
 * Pass n packets through one direction. Packets to send on now are
 * written to out (room for MDP_IMPAIR_OUT_MAX(n)); the count is returned.
 * Lost packets are freed. Copies for duplication come from pool.
 */
uint16_t mdp_impair_apply(struct mdp_impair *im, struct mdp_impair_dir *d,
			  const struct mdp_impair_stats *st, struct rte_mempool *pool,
			  struct rte_mbuf **in, uint16_t n, struct rte_mbuf **out, uint64_t now);

/* Release what is due at `now` (delay line, a reorder hold that waited
 * long enough) into out (room for max); returns the count. */
uint16_t mdp_impair_release(struct mdp_impair_dir *d, struct rte_mbuf **out, uint16_t max,
			    uint64_t now);

#endif
