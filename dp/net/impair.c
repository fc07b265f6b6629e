/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "impair.h"

#define REORDER_HOLD_US 1000	/* a reordered packet waits at most this long */
#define ETH_HDR 14

static int
dir_init(struct mdp_impair_dir *d, const struct mdp_conf_impair *c, uint64_t tsc_hz, int socket)
{
	memset(d, 0, sizeof(*d));
	d->loss = mdp_rand_threshold(c->loss / 100.0);
	d->corrupt = mdp_rand_threshold(c->corrupt / 100.0);
	d->dup = mdp_rand_threshold(c->duplicate / 100.0);
	d->reorder = mdp_rand_threshold(c->reorder / 100.0);
	d->delay_tsc = tsc_hz * c->delay_us / 1000000;
	d->hold_tsc = tsc_hz * REORDER_HOLD_US / 1000000;
	d->active = d->loss || d->corrupt || d->dup || d->reorder || c->delay_us;
	if (c->delay_us == 0)
		return 0;
	d->dq = rte_zmalloc_socket("mdp_impair", MDP_IMPAIR_DELAY_MAX * sizeof(*d->dq), 0, socket);
	d->dq_due = rte_zmalloc_socket("mdp_impair", MDP_IMPAIR_DELAY_MAX * sizeof(*d->dq_due), 0,
				       socket);
	if (d->dq == NULL || d->dq_due == NULL)
		return -ENOMEM;
	return 0;
}

int
mdp_impair_init(struct mdp_impair *im, const struct mdp_conf_port *c, unsigned worker,
		uint64_t tsc_hz, int socket)
{
	memset(im, 0, sizeof(*im));
	mdp_rand_seed(&im->rng, c->impair_seed * 0x100000001b3ull + worker);
	if (dir_init(&im->rx, &c->impair_rx, tsc_hz, socket) < 0 ||
	    dir_init(&im->tx, &c->impair_tx, tsc_hz, socket) < 0) {
		mdp_impair_fini(im);
		return -ENOMEM;
	}
	return 0;
}

static void
dir_fini(struct mdp_impair_dir *d)
{
	rte_pktmbuf_free(d->held);
	d->held = NULL;
	for (uint32_t i = 0; i < d->dq_n; i++)
		rte_pktmbuf_free(d->dq[(d->dq_head + i) % MDP_IMPAIR_DELAY_MAX]);
	d->dq_n = 0;
	rte_free(d->dq);
	rte_free(d->dq_due);
	d->dq = NULL;
	d->dq_due = NULL;
}

void
mdp_impair_fini(struct mdp_impair *im)
{
	dir_fini(&im->rx);
	dir_fini(&im->tx);
}

static inline bool
chance(struct mdp_impair *im, uint64_t threshold)
{
	return threshold != 0 && mdp_rand_u32(&im->rng) < threshold;
}

/* The last stage: delay, or out now. */
static void
emit(struct mdp_impair_dir *d, const struct mdp_impair_stats *st, struct rte_mbuf *m,
     struct rte_mbuf **out, uint16_t *k, uint64_t now)
{
	if (d->delay_tsc == 0) {
		out[(*k)++] = m;
		return;
	}
	if (d->dq_n == MDP_IMPAIR_DELAY_MAX) {
		(*st->loss)++;	/* the delay line is a queue: tail drop */
		rte_pktmbuf_free(m);
		return;
	}
	d->dq[(d->dq_head + d->dq_n) % MDP_IMPAIR_DELAY_MAX] = m;
	d->dq_due[(d->dq_head + d->dq_n) % MDP_IMPAIR_DELAY_MAX] = now + d->delay_tsc;
	d->dq_n++;
	(*st->delay)++;
}

static void
corrupt_one(struct mdp_impair *im, struct rte_mbuf *m)
{
	uint16_t len = rte_pktmbuf_data_len(m);
	uint32_t r = mdp_rand_u32(&im->rng);
	uint8_t *p;

	if (len <= ETH_HDR)
		return;
	p = rte_pktmbuf_mtod(m, uint8_t *);
	p[ETH_HDR + (r >> 3) % (len - ETH_HDR)] ^= (uint8_t)(1u << (r & 7));
}

uint16_t
mdp_impair_apply(struct mdp_impair *im, struct mdp_impair_dir *d,
		 const struct mdp_impair_stats *st, struct rte_mempool *pool, struct rte_mbuf **in,
		 uint16_t n, struct rte_mbuf **out, uint64_t now)
{
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = in[i], *copy = NULL;

		if (chance(im, d->loss)) {
			(*st->loss)++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (chance(im, d->corrupt)) {
			(*st->corrupt)++;
			corrupt_one(im, m);
		}
		if (chance(im, d->dup)) {
			copy = rte_pktmbuf_copy(m, pool, 0, UINT32_MAX);
			if (copy != NULL)
				(*st->dup)++;
		}
		if (chance(im, d->reorder)) {
			/* Hold it back; whatever was held goes out now. */
			(*st->reorder)++;
			if (d->held != NULL)
				emit(d, st, d->held, out, &k, now);
			d->held = m;
			d->held_until = now + d->hold_tsc;
		} else {
			emit(d, st, m, out, &k, now);
			if (d->held != NULL) {
				/* Overtaken: the held packet follows. */
				emit(d, st, d->held, out, &k, now);
				d->held = NULL;
			}
		}
		if (copy != NULL)
			emit(d, st, copy, out, &k, now);
	}
	return k;
}

uint16_t
mdp_impair_release(struct mdp_impair_dir *d, struct rte_mbuf **out, uint16_t max, uint64_t now)
{
	uint16_t k = 0;

	if (d->held != NULL && now >= d->held_until && k < max) {
		/* Nothing overtook it in time: it goes on (into the delay
		 * line when there is one, else out). */
		if (d->delay_tsc != 0 && d->dq_n < MDP_IMPAIR_DELAY_MAX) {
			d->dq[(d->dq_head + d->dq_n) % MDP_IMPAIR_DELAY_MAX] = d->held;
			d->dq_due[(d->dq_head + d->dq_n) % MDP_IMPAIR_DELAY_MAX] = now + d->delay_tsc;
			d->dq_n++;
		} else {
			out[k++] = d->held;
		}
		d->held = NULL;
	}
	while (d->dq_n > 0 && k < max && d->dq_due[d->dq_head] <= now) {
		out[k++] = d->dq[d->dq_head];
		d->dq_head = (d->dq_head + 1) % MDP_IMPAIR_DELAY_MAX;
		d->dq_n--;
	}
	return k;
}
