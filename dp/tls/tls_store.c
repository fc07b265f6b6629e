/* SPDX-License-Identifier: BSD-3-Clause */
/* The TLS material by name: see tls_store.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/mdp_config.h"
#include "tls/mdp_tls_ctx.h"
#include "tls_store.h"

static struct mdp_tls_store_ent *
find(struct mdp_tls_store_ent *ents, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(ents[i].name, name) == 0)
			return &ents[i];
	return NULL;
}

static int
set(struct mdp_tls_store_ent *ents, unsigned *n, const char *name, void *obj, void **old)
{
	struct mdp_tls_store_ent *e = find(ents, *n, name);

	*old = NULL;
	if (e == NULL) {
		if (*n == MDP_TLS_STORE_MAX || strlen(name) >= sizeof(e->name))
			return -ENOSPC;
		e = &ents[(*n)++];
		snprintf(e->name, sizeof(e->name), "%s", name);
	} else {
		*old = e->obj;
		e->updates++;
	}
	e->obj = obj;
	e->set_at = time(NULL);
	return 0;
}

int
mdp_tls_store_set_cred(struct mdp_tls_store *st, const char *name, struct mdp_tls_cred *c)
{
	void *old;
	int rc = set(st->creds, &st->n_creds, name, c, &old);

	if (rc == 0) {
		mdp_tls_cred_unref(old);
		st->generation++;
	}
	return rc;
}

int
mdp_tls_store_set_bundle(struct mdp_tls_store *st, const char *name, struct mdp_tls_bundle *b)
{
	void *old;
	int rc = set(st->bundles, &st->n_bundles, name, b, &old);

	if (rc == 0) {
		mdp_tls_bundle_unref(old);
		st->generation++;
	}
	return rc;
}

struct mdp_tls_cred *
mdp_tls_store_cred(const struct mdp_tls_store *st, const char *name)
{
	struct mdp_tls_store_ent *e =
		find((struct mdp_tls_store_ent *)st->creds, st->n_creds, name);

	return e != NULL ? e->obj : NULL;
}

struct mdp_tls_bundle *
mdp_tls_store_bundle(const struct mdp_tls_store *st, const char *name)
{
	struct mdp_tls_store_ent *e =
		find((struct mdp_tls_store_ent *)st->bundles, st->n_bundles, name);

	return e != NULL ? e->obj : NULL;
}

int
mdp_tls_store_rotate_tickets(struct mdp_tls_store *st)
{
	struct mdp_tls_ticket_keys *k = st->tickets != NULL ?
		mdp_tls_ticket_keys_rotate(st->tickets) : mdp_tls_ticket_keys_new();

	if (k == NULL)
		return -ENOMEM;
	mdp_tls_ticket_keys_unref(st->tickets);
	st->tickets = k;
	st->tickets_at = time(NULL);
	st->generation++;
	return 0;
}

int
mdp_tls_store_tick(struct mdp_tls_store *st, time_t now)
{
	if (st->ticket_rotation_s == 0 || now - st->tickets_at < (time_t)st->ticket_rotation_s)
		return 0;
	return mdp_tls_store_rotate_tickets(st) == 0 ? 1 : 0;
}

struct mdp_tls_store *
mdp_tls_store_new(const struct mdp_config *cfg)
{
	struct mdp_tls_store *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	for (unsigned i = 0; i < cfg->tls.n_creds; i++)
		if (mdp_tls_store_set_cred(st, cfg->tls.creds[i].name,
					   mdp_tls_cred_ref(cfg->tls.creds[i].cred)) < 0)
			goto fail;
	for (unsigned i = 0; i < cfg->tls.n_bundles; i++)
		if (mdp_tls_store_set_bundle(st, cfg->tls.bundles[i].name,
					     mdp_tls_bundle_ref(cfg->tls.bundles[i].bundle)) < 0)
			goto fail;
	st->ticket_rotation_s = cfg->tls.ticket_key_rotation_s;
	if (mdp_tls_store_rotate_tickets(st) < 0)
		goto fail;
	st->generation = 1;
	return st;
fail:
	mdp_tls_store_free(st);
	return NULL;
}

void
mdp_tls_store_free(struct mdp_tls_store *st)
{
	if (st == NULL)
		return;
	for (unsigned i = 0; i < st->n_creds; i++)
		mdp_tls_cred_unref(st->creds[i].obj);
	for (unsigned i = 0; i < st->n_bundles; i++)
		mdp_tls_bundle_unref(st->bundles[i].obj);
	mdp_tls_ticket_keys_unref(st->tickets);
	free(st);
}

static void
hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

json_t *
mdp_tls_store_json(const struct mdp_tls_store *st)
{
	json_t *creds = json_array(), *bundles = json_array();
	char fp[65];

	for (unsigned i = 0; i < st->n_creds; i++) {
		const struct mdp_tls_store_ent *e = &st->creds[i];
		const struct mdp_tls_cred *c = e->obj;
		const char *id = mdp_tls_cred_spiffe_id(c);

		hex(mdp_tls_cred_fingerprint(c), 32, fp);
		json_array_append_new(creds, json_pack("{s:s, s:s?, s:I, s:I, s:s, s:I, s:i}",
			"name", e->name, "spiffe_id", id,
			"not_before", (json_int_t)mdp_tls_cred_not_before(c),
			"not_after", (json_int_t)mdp_tls_cred_not_after(c),
			"sha256", fp, "set_at", (json_int_t)e->set_at, "updates", (int)e->updates));
	}
	for (unsigned i = 0; i < st->n_bundles; i++) {
		const struct mdp_tls_store_ent *e = &st->bundles[i];
		const struct mdp_tls_bundle *b = e->obj;

		hex(mdp_tls_bundle_fingerprint(b), 32, fp);
		json_array_append_new(bundles, json_pack("{s:s, s:i, s:s, s:I, s:i}",
			"name", e->name, "certificates", (int)mdp_tls_bundle_count(b), "sha256", fp,
			"set_at", (json_int_t)e->set_at, "updates", (int)e->updates));
	}
	return json_pack("{s:o, s:o, s:I, s:i, s:I}", "credentials", creds, "bundles", bundles,
			 "tickets_rotated_at", (json_int_t)st->tickets_at, "ticket_rotation_s",
			 (int)st->ticket_rotation_s, "generation", (json_int_t)st->generation);
}
