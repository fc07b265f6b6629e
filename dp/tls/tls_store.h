/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TLS_STORE_H
#define MDP_TLS_STORE_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

/*
 * The TLS material the dataplane uses, by name: credentials (certificate
 * chain and key), trust bundles, and the session-ticket keys. Loaded from
 * the configuration at start and replaced through the control socket
 * (`tls-credential-set`, `tls-bundle-set`, `tls-tickets-rotate`); the mesh
 * snapshot build (dp/proxy/mesh.c) makes the listeners' and clusters' SSL
 * contexts from what the store holds then, so a change reaches new
 * handshakes with the next snapshot and connections already up keep what
 * they were made with. Control thread only.
 */

struct mdp_config;
struct mdp_tls_cred;
struct mdp_tls_bundle;
struct mdp_tls_ticket_keys;

#define MDP_TLS_STORE_MAX 64	/* credentials; bundles likewise */

struct mdp_tls_store_ent {
	char name[64];
	void *obj;		/* struct mdp_tls_cred * or struct mdp_tls_bundle * */
	time_t set_at;
	uint32_t updates;	/* times replaced since start */
};

struct mdp_tls_store {
	struct mdp_tls_store_ent creds[MDP_TLS_STORE_MAX];
	unsigned n_creds;
	struct mdp_tls_store_ent bundles[MDP_TLS_STORE_MAX];
	unsigned n_bundles;
	struct mdp_tls_ticket_keys *tickets;
	time_t tickets_at;
	uint32_t ticket_rotation_s;	/* 0: only on demand */
	uint64_t generation;	/* bumped by every change */
};

/* From the configuration's `tls` group (references taken). NULL on no
 * memory. */
struct mdp_tls_store *mdp_tls_store_new(const struct mdp_config *cfg);
void mdp_tls_store_free(struct mdp_tls_store *st);

struct mdp_tls_cred *mdp_tls_store_cred(const struct mdp_tls_store *st, const char *name);
struct mdp_tls_bundle *mdp_tls_store_bundle(const struct mdp_tls_store *st, const char *name);

/* Add or replace; takes the caller's reference. Returns 0 or -ENOSPC. */
int mdp_tls_store_set_cred(struct mdp_tls_store *st, const char *name, struct mdp_tls_cred *c);
int mdp_tls_store_set_bundle(struct mdp_tls_store *st, const char *name, struct mdp_tls_bundle *b);

/* New current ticket key; the previous ones still decrypt. 0 or -ENOMEM. */
int mdp_tls_store_rotate_tickets(struct mdp_tls_store *st);
/* Rotate when ticket_rotation_s has passed since the last rotation.
 * Returns 1 when it rotated. */
int mdp_tls_store_tick(struct mdp_tls_store *st, time_t now);

/* The store as `meshctl tls` shows it. */
json_t *mdp_tls_store_json(const struct mdp_tls_store *st);

#endif
