/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mesh snapshots: built whole on the control thread from a validated spec,
 * published to every worker, freed when no worker uses them any more.
 *
 * The grace period is not one loop iteration (rte_rcu_qsbr's quiescent
 * state): a request that waits for its upstream spans many iterations and
 * keeps pointers into its snapshot (routes, header operations, the load
 * balancer). So each worker counts the requests running on each snapshot
 * (struct mdp_mesh_wuse, written only by that worker) and marks a snapshot
 * released once it has moved to a newer one and its last request there has
 * ended. The control thread frees a superseded snapshot when every worker
 * has released it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "dp.h"
#include "lb/mdp_lb.h"
#include "mesh/mdp_mesh_conf.h"
#include "proxy.h"
#include "tls/mdp_tls_ctx.h"
#include "tls/tls.h"
#include "tls/tls_store.h"
#include "route/mdp_route.h"
#include "util/mdp_log.h"

#define CALL_TIMEOUT_MS 1000

static int
resolve(void *ctx, const char *name, uint32_t *idx)
{
	int i = mdp_mesh_spec_cluster(ctx, name);

	if (i < 0)
		return -ENOENT;
	*idx = (uint32_t)i;
	return 0;
}

static struct mdp_hdr_op *
ops_build(const struct mdp_route_header_value *add, unsigned n_add,
	  const struct mdp_route_header_value *set, unsigned n_set, const char *const *rm,
	  unsigned n_rm, unsigned *n)
{
	struct mdp_hdr_op *ops;
	unsigned k = 0;

	*n = n_add + n_set + n_rm;
	if (*n == 0)
		return NULL;
	ops = calloc(*n, sizeof(*ops));
	if (ops == NULL)
		return NULL;
	for (unsigned i = 0; i < n_rm; i++, k++) {
		ops[k].op = MDP_HDR_REMOVE;
		ops[k].name = rm[i];
		ops[k].name_len = (uint16_t)strlen(rm[i]);
	}
	for (unsigned i = 0; i < n_set; i++, k++) {
		ops[k].op = MDP_HDR_SET;
		ops[k].name = set[i].name;
		ops[k].name_len = (uint16_t)strlen(set[i].name);
		ops[k].value = set[i].value;
		ops[k].value_len = (uint32_t)strlen(set[i].value);
	}
	for (unsigned i = 0; i < n_add; i++, k++) {
		ops[k].op = MDP_HDR_ADD;
		ops[k].name = add[i].name;
		ops[k].name_len = (uint16_t)strlen(add[i].name);
		ops[k].value = add[i].value;
		ops[k].value_len = (uint32_t)strlen(add[i].value);
	}
	return ops;
}

/* Header operations of every route of rt, from the table's own copy of
 * its configuration (so they live as long as the table). */
static int
rt_ops_build(struct mdp_mesh_rt *rt)
{
	const struct mdp_route_table_conf *c = mdp_route_table_conf(rt->t);
	unsigned total = 0, k = 0;

	rt->vh_base = calloc(c->n_vhosts + 1, sizeof(*rt->vh_base));
	if (rt->vh_base == NULL)
		return -ENOMEM;
	for (unsigned v = 0; v < c->n_vhosts; v++) {
		rt->vh_base[v] = total;
		total += c->vhosts[v].n_routes;
	}
	rt->ops = calloc(total ? total : 1, sizeof(*rt->ops));
	if (rt->ops == NULL)
		return -ENOMEM;
	for (unsigned v = 0; v < c->n_vhosts; v++) {
		for (unsigned r = 0; r < c->vhosts[v].n_routes; r++, k++) {
			const struct mdp_route_conf *rc = &c->vhosts[v].routes[r];
			const struct mdp_route_forward *f = &rc->action.forward;
			struct mdp_mesh_route_ops *o = &rt->ops[k];

			if (rc->action.kind != MDP_ROUTE_ACT_CLUSTERS)
				continue;
			o->req = ops_build(f->req_add, f->n_req_add, f->req_set, f->n_req_set,
					   f->req_remove, f->n_req_remove, &o->n_req);
			o->resp = ops_build(f->resp_add, f->n_resp_add, f->resp_set, f->n_resp_set,
					    f->resp_remove, f->n_resp_remove, &o->n_resp);
			if ((o->n_req && o->req == NULL) || (o->n_resp && o->resp == NULL))
				return -ENOMEM;
		}
	}
	return 0;
}

static void
rt_free(struct mdp_mesh_rt *rt)
{
	if (rt->t != NULL && rt->ops != NULL) {
		const struct mdp_route_table_conf *c = mdp_route_table_conf(rt->t);
		unsigned total = 0;

		for (unsigned v = 0; v < c->n_vhosts; v++)
			total += c->vhosts[v].n_routes;
		for (unsigned i = 0; i < total; i++) {
			free(rt->ops[i].req);
			free(rt->ops[i].resp);
		}
	}
	free(rt->ops);
	free(rt->vh_base);
	mdp_route_table_free(rt->t);
}

void
mdp_mesh_free(struct mdp_mesh *m)
{
	if (m == NULL)
		return;
	for (unsigned i = 0; i < m->n_rts; i++)
		rt_free(&m->rts[i]);
	free(m->rts);
	for (unsigned i = 0; i < m->n_clusters; i++) {
		struct mdp_mesh_cluster *cl = &m->clusters[i];

		mdp_lb_free(cl->lb);
		free(cl->eps);
		SSL_CTX_free(cl->tls_ctx);	/* connections hold their own reference */
		for (unsigned k = 0; k < cl->n_tls_ids; k++)
			free(cl->tls_ids[k]);
		free(cl->tls_ids);
	}
	free(m->clusters);
	for (unsigned l = 0; l < MDP_MAX_LISTENERS; l++) {
		SSL_CTX_free(m->lsn_tls[l]);
		free(m->lsn_id[l]);
	}
	mdp_mesh_spec_free(m->spec);
	free(m);
}

/* ---- TLS contexts (dp/tls) ---- */

/*
 * The "policy generation" of the snapshot's TLS contexts: a hash of the
 * authorization policies. A session made under other policies is not
 * resumed (lib/tls: session ID context), so its peer is verified again.
 */
static void
policy_gen(const struct mdp_mesh_spec *spec, uint8_t out[SHA256_DIGEST_LENGTH])
{
	json_t *p = spec->doc != NULL ? json_object_get(spec->doc, "authorization_policies") : NULL;
	char *txt = p != NULL ? json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	SHA256((const unsigned char *)(txt != NULL ? txt : ""), txt != NULL ? strlen(txt) : 0, out);
	free(txt);
}

static uint64_t
cluster_tls_key(const struct mdp_mesh_tls_spec *ts, const struct mdp_tls_cred *cred,
		const struct mdp_tls_bundle *bundle)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	uint8_t mode = (uint8_t)ts->mode;
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	uint64_t key = 0;

	if (h != NULL && EVP_DigestInit_ex(h, EVP_sha256(), NULL) == 1) {
		EVP_DigestUpdate(h, &mode, 1);
		if (ts->sni != NULL)
			EVP_DigestUpdate(h, ts->sni, strlen(ts->sni) + 1);
		for (unsigned i = 0; i < ts->n_sans; i++)
			EVP_DigestUpdate(h, ts->sans[i], strlen(ts->sans[i]) + 1);
		if (cred != NULL)
			EVP_DigestUpdate(h, mdp_tls_cred_fingerprint(cred), 32);
		EVP_DigestUpdate(h, mdp_tls_bundle_fingerprint(bundle), 32);
		if (EVP_DigestFinal_ex(h, d, NULL) == 1)
			memcpy(&key, d, sizeof(key));
	}
	EVP_MD_CTX_free(h);
	return key | 1;	/* never 0, the plaintext key */
}

static int
cluster_tls(struct mdp_mesh_cluster *cl, const struct mdp_mesh_tls_spec *ts,
	    const struct mdp_config *cfg, const struct mdp_tls_store *st, const uint8_t *gen,
	    char *err, size_t errlen)
{
	struct mdp_tls_client_conf cc = { 0 };

	if (ts->mode == MDP_MESH_TLS_DISABLE)
		return 0;
	if (st == NULL) {
		snprintf(err, errlen, "tls: no TLS material is configured (the tls group)");
		return -1;
	}
	cc.bundle = mdp_tls_store_bundle(st, ts->bundle != NULL ? ts->bundle : "default");
	if (cc.bundle == NULL) {
		snprintf(err, errlen, "tls.bundle: no trust bundle \"%s\"",
			 ts->bundle != NULL ? ts->bundle : "default");
		return -1;
	}
	if (ts->mode != MDP_MESH_TLS_SIMPLE) {
		const char *name = ts->credential != NULL ? ts->credential : "default";

		cc.cred = mdp_tls_store_cred(st, name);
		if (cc.cred == NULL) {
			snprintf(err, errlen, "tls.credential: no credential \"%s\"", name);
			return -1;
		}
	}
	cc.params = &cfg->tls.params;
	cc.trust_domain = cfg->tls.trust_domain[0] != '\0' ? cfg->tls.trust_domain : NULL;
	cc.policy_gen = gen;
	cc.policy_gen_len = SHA256_DIGEST_LENGTH;
	/* SIMPLE TLS to a server outside the mesh: no SPIFFE ID needed */
	cc.allow_no_spiffe_id = ts->mode == MDP_MESH_TLS_SIMPLE && ts->n_sans == 0;
	cl->tls_ctx = mdp_tls_client_ctx_new(&cc, err, errlen);
	if (cl->tls_ctx == NULL)
		return -1;
	mdp_tls_ctx_prepare(cl->tls_ctx);
	if (ts->sni != NULL)
		snprintf(cl->tls_sni, sizeof(cl->tls_sni), "%s", ts->sni);
	cl->tls_key = cluster_tls_key(ts, cc.cred, cc.bundle);
	if (ts->n_sans > 0) {
		cl->tls_ids = calloc(ts->n_sans, sizeof(*cl->tls_ids));
		if (cl->tls_ids == NULL)
			goto oom;
		for (unsigned i = 0; i < ts->n_sans; i++) {
			cl->tls_ids[i] = strdup(ts->sans[i]);
			if (cl->tls_ids[i] == NULL)
				goto oom;
			cl->n_tls_ids++;
		}
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Is proto one of the comma-separated protocol IDs of list? */
static bool
alpn_has(const char *list, const char *proto)
{
	size_t n = strlen(proto);

	for (const char *p = list; *p != '\0';) {
		size_t k = strcspn(p, ",");

		if (k == n && memcmp(p, proto, n) == 0)
			return true;
		p += k;
		if (*p == ',')
			p++;
	}
	return false;
}

static int
listener_tls(struct mdp_mesh *m, unsigned l, const struct mdp_conf_listener *lc,
	     const struct mdp_config *cfg, const struct mdp_tls_store *st, const uint8_t *gen,
	     char *err, size_t errlen)
{
	const struct mdp_conf_listener_tls *lt = lc->tls;
	struct mdp_tls_sni_entry sni[MDP_CONF_MAX_SNI];
	struct mdp_tls_server_conf sc = { 0 };
	struct mdp_tls_params params = cfg->tls.params;
	char why[256];

	m->lsn_mtls[l] = (uint8_t)lt->mtls;
	sc.cred = mdp_tls_store_cred(st, lt->credential);
	if (sc.cred == NULL) {
		snprintf(err, errlen, "listener \"%s\": no credential \"%s\"", lc->name,
			 lt->credential);
		return -1;
	}
	if (lt->bundle[0] != '\0') {
		sc.bundle = mdp_tls_store_bundle(st, lt->bundle);
		if (sc.bundle == NULL) {
			snprintf(err, errlen, "listener \"%s\": no trust bundle \"%s\"", lc->name,
				 lt->bundle);
			return -1;
		}
	}
	for (unsigned i = 0; i < lt->n_sni; i++) {
		sni[i].server_name = lt->sni[i].server_name;
		sni[i].mtls = lt->sni[i].mtls;
		sni[i].cred = lt->sni[i].credential != NULL ?
			mdp_tls_store_cred(st, lt->sni[i].credential) : NULL;
		if (lt->sni[i].credential != NULL && sni[i].cred == NULL) {
			snprintf(err, errlen, "listener \"%s\": sni \"%s\": no credential \"%s\"",
				 lc->name, lt->sni[i].server_name, lt->sni[i].credential);
			return -1;
		}
	}
	if (lt->alpn[0] != '\0') {
		/* the HTTP proxy speaks HTTP/1.1: offering h2 would make clients
		 * send frames it cannot read */
		if (lc->kind == MDP_LISTENER_HTTP && alpn_has(lt->alpn, "h2")) {
			snprintf(err, errlen, "listener \"%s\": tls.alpn offers h2, but an http "
				 "listener speaks HTTP/1.1 only", lc->name);
			return -1;
		}
		snprintf(params.alpn, sizeof(params.alpn), "%s", lt->alpn);
	}
	sc.sni = sni;
	sc.n_sni = lt->n_sni;
	sc.mtls = lt->mtls;
	sc.trust_domain = cfg->tls.trust_domain[0] != '\0' ? cfg->tls.trust_domain : NULL;
	sc.params = &params;
	sc.ticket_keys = st->tickets;
	sc.policy_gen = gen;
	sc.policy_gen_len = SHA256_DIGEST_LENGTH;
	m->lsn_tls[l] = mdp_tls_server_ctx_new(&sc, why, sizeof(why));
	if (m->lsn_tls[l] == NULL) {
		snprintf(err, errlen, "listener \"%s\": %s", lc->name, why);
		return -1;
	}
	mdp_tls_ctx_prepare(m->lsn_tls[l]);
	if (mdp_tls_cred_spiffe_id(sc.cred) != NULL &&
	    (m->lsn_id[l] = strdup(mdp_tls_cred_spiffe_id(sc.cred))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

struct mdp_mesh *
mdp_mesh_build(struct mdp_mesh_spec *spec, const struct mdp_config *cfg,
	       const struct mdp_tls_store *st, unsigned n_workers, char *err, size_t errlen)
{
	uint8_t gen[SHA256_DIGEST_LENGTH];
	struct mdp_mesh *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		mdp_mesh_spec_free(spec);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->spec = spec;
	policy_gen(spec, gen);
	m->clusters = calloc(spec->n_clusters + 1, sizeof(*m->clusters));
	m->rts = calloc(spec->n_rts + 1, sizeof(*m->rts));
	if (m->clusters == NULL || m->rts == NULL)
		goto oom;
	for (unsigned i = 0; i < spec->n_clusters; i++) {
		const struct mdp_mesh_cluster_spec *cs = &spec->clusters[i];
		struct mdp_mesh_cluster *cl = &m->clusters[i];
		struct mdp_lb_params lp = cs->lb;
		char why[256];

		m->n_clusters++;
		snprintf(cl->name, sizeof(cl->name), "%s", cs->name);
		cl->connect_timeout_ms = cs->connect_timeout_ms;
		cl->idle_timeout_ms = cs->idle_timeout_ms;
		cl->max_idle = cs->max_idle;
		if (cs->hash_header != NULL) {
			cl->hash_on = MDP_MESH_HASH_HEADER;
			snprintf(cl->hash_header, sizeof(cl->hash_header), "%s", cs->hash_header);
			cl->hash_header_len = (uint16_t)strlen(cl->hash_header);
		}
		cl->eps = calloc(cs->n_eps + 1, sizeof(*cl->eps));
		if (cl->eps == NULL)
			goto oom;
		for (unsigned e = 0; e < cs->n_eps; e++) {
			cl->eps[e].addr = cs->eps[e].addr;
			cl->eps[e].port = cs->eps[e].port;
			cl->eps[e].weight = cs->eps[e].weight;
		}
		cl->n_eps = cs->n_eps;
		if (cluster_tls(cl, &cs->tls, cfg, st, gen, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "clusters[%u] (\"%s\"): %s", i, cs->name, why);
			goto fail;
		}
		if (cs->n_eps == 0)
			continue;	/* no balancer: its requests get 503 */
		lp.n_workers = n_workers;
		lp.seed = ((uint64_t)i << 32) ^ 0x6d657368u;
		cl->lb = mdp_lb_build(&lp, cs->eps, cs->n_eps, why, sizeof(why));
		if (cl->lb == NULL) {
			snprintf(err, errlen, "clusters[%u] (\"%s\"): %s", i, cs->name, why);
			goto fail;
		}
	}
	for (unsigned i = 0; i < spec->n_rts; i++) {
		struct mdp_mesh_rt *rt = &m->rts[i];
		char why[512];

		m->n_rts++;
		snprintf(rt->name, sizeof(rt->name), "%s", spec->rts[i].name);
		rt->t = mdp_route_table_compile(&spec->rts[i].conf, n_workers, why, sizeof(why));
		if (rt->t == NULL) {
			snprintf(err, errlen, "route_tables[%u] (\"%s\"): %s", i, rt->name, why);
			goto fail;
		}
		if (mdp_route_table_bind(rt->t, resolve, spec, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "route_tables[%u] (\"%s\"): %s", i, rt->name, why);
			goto fail;
		}
		if (rt_ops_build(rt) < 0)
			goto oom;
	}
	for (unsigned l = 0; l < MDP_MAX_LISTENERS; l++)
		m->lsn_rt[l] = -1;
	for (unsigned l = 0; l < cfg->n_listeners; l++) {
		const struct mdp_conf_listener *lc = &cfg->listeners[l];

		if (lc->tls != NULL && lc->tls->mtls != MDP_MTLS_DISABLE &&
		    listener_tls(m, l, lc, cfg, st, gen, err, errlen) < 0)
			goto fail;
		if (lc->kind != MDP_LISTENER_HTTP)
			continue;
		m->lsn_rt[l] = mdp_mesh_spec_rt(spec, lc->route_table);
		if (m->lsn_rt[l] < 0) {
			snprintf(err, errlen,
				 "listener \"%s\" uses route table \"%s\", which does not exist",
				 lc->name, lc->route_table);
			goto fail;
		}
	}
	return m;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	mdp_mesh_free(m);
	return NULL;
}

/* ---- publication ---- */

struct adopt_arg {
	struct mdp_mesh *m;
};

static int
adopt_on_worker(struct mdp_worker *w, void *arg)
{
	mdp_proxy_adopt(w, ((struct adopt_arg *)arg)->m);
	return 0;
}

unsigned
mdp_mesh_old_count(const struct mdp_dp *dp)
{
	unsigned n = 0;

	for (const struct mdp_mesh *m = dp->mesh_old; m != NULL; m = m->next_old)
		n++;
	return n;
}

/* Has every worker let go of m? (A worker without the proxy never had it.) */
static bool
released(const struct mdp_dp *dp, struct mdp_mesh *m)
{
	for (unsigned i = 0; i < dp->n_workers; i++) {
		if (dp->workers[i] == NULL || dp->workers[i]->proxy == NULL)
			continue;
		if (!atomic_load_explicit(&m->use[i].released, memory_order_acquire))
			return false;
	}
	return true;
}

unsigned
mdp_mesh_reclaim(struct mdp_dp *dp)
{
	struct mdp_mesh **pp = &dp->mesh_old;
	unsigned n = 0;

	while (*pp != NULL) {
		struct mdp_mesh *m = *pp;

		if (released(dp, m)) {
			*pp = m->next_old;
			mdp_mesh_free(m);
			n++;
		} else {
			pp = &m->next_old;
		}
	}
	return n;
}

int
mdp_mesh_publish(struct mdp_dp *dp, struct mdp_mesh *m)
{
	struct mdp_mesh *old = dp->mesh;
	int rc = 0;

	m->version = ++dp->mesh_version;
	dp->mesh = m;
	for (unsigned i = 0; i < dp->n_workers; i++) {
		struct mdp_worker *w = dp->workers[i];
		struct adopt_arg *a;
		int r;

		if (w == NULL || w->proxy == NULL)
			continue;
		if (!dp->running) {
			/* before the workers start: set it directly */
			mdp_proxy_adopt(w, m);
			continue;
		}
		a = malloc(sizeof(*a));
		if (a == NULL)
			return -ENOMEM;
		a->m = m;
		/* -EBUSY: an earlier call timed out and has not run yet */
		for (unsigned t = 0; (r = mdp_worker_call(w, adopt_on_worker, a, CALL_TIMEOUT_MS)) ==
				     -EBUSY && t < 1000; t++)
			usleep(1000);
		if (r == -ETIMEDOUT) {
			/* the worker adopts it when it gets to it; a stays with the call */
			MDP_WARN("worker %u: slow to take mesh version %llu", i,
				 (unsigned long long)m->version);
			rc = r;
			continue;
		}
		free(a);
		if (r == -EBUSY) {
			MDP_WARN("worker %u: busy; mesh version %llu not taken", i,
				 (unsigned long long)m->version);
			rc = r;
		}
	}
	if (old != NULL) {
		old->next_old = dp->mesh_old;
		dp->mesh_old = old;
	}
	mdp_mesh_reclaim(dp);
	return rc;
}

void
mdp_mesh_fini(struct mdp_dp *dp)
{
	struct mdp_mesh *m = dp->mesh_old;

	/* the workers are stopped: nothing uses any snapshot */
	while (m != NULL) {
		struct mdp_mesh *next = m->next_old;

		mdp_mesh_free(m);
		m = next;
	}
	dp->mesh_old = NULL;
	mdp_mesh_free(dp->mesh);
	dp->mesh = NULL;
}
