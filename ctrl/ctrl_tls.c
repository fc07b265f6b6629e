/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control commands for TLS material: show it, replace a credential or a
 * trust bundle, rotate the session-ticket keys. A change is validated
 * first (a certificate that does not match its key, or PEM that does not
 * parse, changes nothing), then the mesh snapshot is rebuilt with new SSL
 * contexts and published: new handshakes use the new material at once,
 * connections already up keep theirs (docs/tls.md, "Rotation").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctrl_mesh.h"
#include "ctrl_tls.h"
#include "dp.h"
#include "tls/mdp_tls_ctx.h"
#include "tls/tls_store.h"
#include "util/mdp_log.h"

static struct mdp_tls_store *
store_of(struct mdp_dp *dp, struct mdp_ctrl_err *err)
{
	if (dp->tls_store == NULL)
		mdp_ctrl_fail(err, MDP_CTRL_ERR_INTERNAL, "no TLS store");
	return dp->tls_store;
}

json_t *
mdp_ctrl_tls_show(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	struct mdp_tls_store *st = store_of(ctx, err);

	(void)args;
	return st != NULL ? mdp_tls_store_json(st) : NULL;
}

/* The PEM text of an argument given inline (`key`) or as a file
 * (`key_file`, read by meshdp). Returns a new string or NULL. */
static char *
pem_arg(json_t *args, const char *key, struct mdp_ctrl_err *err)
{
	char fkey[64];
	json_t *v = json_object_get(args, key), *f;
	FILE *fp;
	char *buf;
	long n;

	snprintf(fkey, sizeof(fkey), "%s_file", key);
	f = json_object_get(args, fkey);
	if ((v != NULL) == (f != NULL)) {
		mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "give exactly one of %s (PEM text) and %s",
			      key, fkey);
		return NULL;
	}
	if (v != NULL) {
		if (!json_is_string(v)) {
			mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "%s: a string of PEM text", key);
			return NULL;
		}
		return strdup(json_string_value(v));
	}
	if (!json_is_string(f)) {
		mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "%s: a file name", fkey);
		return NULL;
	}
	fp = fopen(json_string_value(f), "rb");
	if (fp == NULL) {
		mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "%s: %s: %s", fkey, json_string_value(f),
			      strerror(errno));
		return NULL;
	}
	buf = NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && n < (1 << 20) &&
	    fseek(fp, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, fp) == (size_t)n)
			buf[n] = '\0';
		else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(fp);
	if (buf == NULL)
		mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "%s: %s: unreadable or over 1 MiB", fkey,
			      json_string_value(f));
	return buf;
}

/* Rebuild and publish the snapshot with the store as it is now. */
static json_t *
republish(struct mdp_dp *dp, struct mdp_ctrl_err *err)
{
	return mdp_ctrl_mesh_apply(dp, mdp_ctrl_mesh_doc(dp), err);
}

json_t *
mdp_ctrl_tls_cred_set(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	struct mdp_dp *dp = ctx;
	struct mdp_tls_store *st = store_of(dp, err);
	const char *name = json_string_value(json_object_get(args, "name"));
	struct mdp_tls_cred *cred, *old;
	char *cert = NULL, *key = NULL, why[256];
	json_t *res = NULL;

	if (st == NULL)
		return NULL;
	cert = pem_arg(args, "cert", err);
	if (cert == NULL)
		return NULL;
	key = pem_arg(args, "key", err);
	if (key == NULL)
		goto out;
	cred = mdp_tls_cred_new(cert, strlen(cert), key, strlen(key), why, sizeof(why));
	if (cred == NULL) {
		mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "credential \"%s\": %s", name, why);
		goto out;
	}
	old = mdp_tls_store_cred(st, name);
	if (old != NULL)
		mdp_tls_cred_ref(old);
	if (mdp_tls_store_set_cred(st, name, cred) < 0) {
		mdp_tls_cred_unref(cred);
		mdp_tls_cred_unref(old);
		mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "too many credentials");
		goto out;
	}
	res = republish(dp, err);
	if (res == NULL) {
		/* the snapshot did not build: the store goes back as it was */
		if (old != NULL)
			mdp_tls_store_set_cred(st, name, old);
		old = NULL;
	}
	mdp_tls_cred_unref(old);
	if (res != NULL)
		MDP_NOTICE("TLS credential \"%s\" replaced (SPIFFE ID %s)", name,
			   mdp_tls_cred_spiffe_id(cred) ? mdp_tls_cred_spiffe_id(cred) : "none");
out:
	free(cert);
	free(key);
	return res;
}

json_t *
mdp_ctrl_tls_bundle_set(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	struct mdp_dp *dp = ctx;
	struct mdp_tls_store *st = store_of(dp, err);
	const char *name = json_string_value(json_object_get(args, "name"));
	struct mdp_tls_bundle *b, *old;
	char *pem, why[256];
	json_t *res = NULL;

	if (st == NULL)
		return NULL;
	pem = pem_arg(args, "pem", err);
	if (pem == NULL)
		return NULL;
	b = mdp_tls_bundle_new(pem, strlen(pem), why, sizeof(why));
	free(pem);
	if (b == NULL)
		return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "bundle \"%s\": %s", name, why);
	old = mdp_tls_store_bundle(st, name);
	if (old != NULL)
		mdp_tls_bundle_ref(old);
	if (mdp_tls_store_set_bundle(st, name, b) < 0) {
		mdp_tls_bundle_unref(b);
		mdp_tls_bundle_unref(old);
		return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "too many bundles");
	}
	res = republish(dp, err);
	if (res == NULL) {
		if (old != NULL)
			mdp_tls_store_set_bundle(st, name, old);
		old = NULL;
	}
	mdp_tls_bundle_unref(old);
	if (res != NULL)
		MDP_NOTICE("TLS trust bundle \"%s\" replaced (%u certificates)", name,
			   mdp_tls_bundle_count(b));
	return res;
}

json_t *
mdp_ctrl_tls_tickets_rotate(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	struct mdp_dp *dp = ctx;
	struct mdp_tls_store *st = store_of(dp, err);

	(void)args;
	if (st == NULL)
		return NULL;
	if (mdp_tls_store_rotate_tickets(st) < 0)
		return mdp_ctrl_fail(err, MDP_CTRL_ERR_INTERNAL, "out of memory");
	return republish(dp, err);
}

void
mdp_ctrl_tls_tick(struct mdp_dp *dp)
{
	struct mdp_ctrl_err err = { 0 };
	json_t *r;

	if (dp->tls_store == NULL || mdp_tls_store_tick(dp->tls_store, time(NULL)) <= 0)
		return;
	r = republish(dp, &err);
	if (r == NULL)
		MDP_WARN("session-ticket key rotation: %s", err.message);
	json_decref(r);
}
