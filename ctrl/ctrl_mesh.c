/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control commands for the mesh resources (clusters, endpoints, route
 * tables) and the HTTP proxy's statistics. Every change edits a copy of
 * the current document, which is then validated whole, compiled and
 * published (dp/proxy/mesh.c): it applies entirely or not at all, and
 * requests already running finish on the snapshot they started with.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctrl_mesh.h"
#include "dp.h"
#include "authz/mdp_authz.h"
#include "mesh/mdp_mesh_conf.h"
#include "proxy/mesh.h"
#include "proxy/proxy.h"

json_t *
mdp_ctrl_mesh_doc(const struct mdp_dp *dp)
{
	if (dp->mesh == NULL || dp->mesh->spec == NULL || dp->mesh->spec->doc == NULL)
		return json_pack("{s:[], s:[]}", "clusters", "route_tables");
	return json_deep_copy(dp->mesh->spec->doc);
}

json_t *
mdp_ctrl_mesh_apply(struct mdp_dp *dp, json_t *doc, struct mdp_ctrl_err *err)
{
	struct mdp_mesh_defaults def = { .route_timeout_ms = dp->cfg->http.route_timeout_ms };
	struct mdp_mesh_spec *spec;
	struct mdp_mesh *m;
	char why[512];
	int rc;

	spec = mdp_mesh_spec_parse(doc, &def, why, sizeof(why));
	json_decref(doc);
	if (spec == NULL)
		return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "%s", why);
	m = mdp_mesh_build(spec, dp->cfg, dp->tls_store, dp->n_workers, why, sizeof(why));
	if (m == NULL)
		return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "%s", why);
	rc = mdp_mesh_publish(dp, m);
	return json_pack("{s:I, s:b, s:i}", "version", (json_int_t)dp->mesh_version, "all_workers",
			 rc == 0, "old_snapshots", (int)mdp_mesh_old_count(dp));
}

/* Index of the element of array arr whose "name" is name, or -1. */
static int
find_named(json_t *arr, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		json_t *n = json_object_get(v, "name");

		if (json_is_string(n) && strcmp(json_string_value(n), name) == 0)
			return (int)i;
	}
	return -1;
}

static json_t *
section(json_t *doc, const char *key)
{
	json_t *arr = json_object_get(doc, key);

	if (!json_is_array(arr)) {
		arr = json_array();
		json_object_set_new(doc, key, arr);
	}
	return arr;
}

/* Replace or add the named element obj (borrowed) of doc[key]. */
static json_t *
set_named(struct mdp_dp *dp, const char *key, json_t *obj, struct mdp_ctrl_err *err)
{
	json_t *doc = mdp_ctrl_mesh_doc(dp), *arr, *n = json_object_get(obj, "name");
	int i;

	if (!json_is_string(n)) {
		json_decref(doc);
		return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "the %s needs a name", key);
	}
	arr = section(doc, key);
	i = find_named(arr, json_string_value(n));
	if (i >= 0)
		json_array_set(arr, (size_t)i, obj);
	else
		json_array_append(arr, obj);
	return mdp_ctrl_mesh_apply(dp, doc, err);
}

static json_t *
delete_named(struct mdp_dp *dp, const char *key, const char *name, struct mdp_ctrl_err *err)
{
	json_t *doc = mdp_ctrl_mesh_doc(dp), *arr = section(doc, key);
	int i = find_named(arr, name);

	if (i < 0) {
		json_decref(doc);
		return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "no %s named '%.64s'", key, name);
	}
	json_array_remove(arr, (size_t)i);
	return mdp_ctrl_mesh_apply(dp, doc, err);
}

json_t *
mdp_ctrl_mesh_get(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	struct mdp_dp *dp = ctx;

	(void)args;
	(void)err;
	return json_pack("{s:I, s:o, s:i}", "version", (json_int_t)dp->mesh_version, "mesh",
			 mdp_ctrl_mesh_doc(dp), "old_snapshots", (int)mdp_mesh_old_count(dp));
}

json_t *
mdp_ctrl_mesh_set(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	return mdp_ctrl_mesh_apply(ctx, json_deep_copy(json_object_get(args, "mesh")), err);
}

json_t *
mdp_ctrl_route_table_set(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	return set_named(ctx, "route_tables", json_object_get(args, "route_table"), err);
}

json_t *
mdp_ctrl_route_table_delete(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	return delete_named(ctx, "route_tables", json_string_value(json_object_get(args, "name")),
			    err);
}

json_t *
mdp_ctrl_cluster_set(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	return set_named(ctx, "clusters", json_object_get(args, "cluster"), err);
}

json_t *
mdp_ctrl_cluster_delete(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	return delete_named(ctx, "clusters", json_string_value(json_object_get(args, "name")), err);
}

json_t *
mdp_ctrl_policy_set(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	json_t *p = json_object_get(args, "policy"), *one = json_pack("[O]", p), *flat = NULL, *r;

	/* a Kubernetes resource is kept in its flat form, as in the document */
	if (one != NULL && mdp_authz_flatten(one, &flat) == 0 && flat != NULL &&
	    json_array_size(flat) == 1)
		p = json_array_get(flat, 0);
	r = set_named(ctx, "authorization_policies", p, err);
	json_decref(flat);
	json_decref(one);
	return r;
}

json_t *
mdp_ctrl_policy_delete(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	return delete_named(ctx, "authorization_policies",
			    json_string_value(json_object_get(args, "name")), err);
}

/* The endpoints array of the named cluster in doc, or NULL (err set). */
static json_t *
cluster_endpoints(json_t *doc, const char *cluster, struct mdp_ctrl_err *err)
{
	json_t *arr = section(doc, "clusters"), *c, *eps;
	int i = find_named(arr, cluster);

	if (i < 0) {
		mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "no cluster named '%.64s'", cluster);
		return NULL;
	}
	c = json_array_get(arr, (size_t)i);
	eps = json_object_get(c, "endpoints");
	if (!json_is_array(eps)) {
		eps = json_array();
		json_object_set_new(c, "endpoints", eps);
	}
	return eps;
}

static int
find_endpoint(json_t *eps, const char *address)
{
	size_t i;
	json_t *v;

	json_array_foreach(eps, i, v) {
		json_t *a = json_object_get(v, "address");

		if (json_is_string(a) && strcmp(json_string_value(a), address) == 0)
			return (int)i;
	}
	return -1;
}

/* endpoint-add, endpoint-remove, endpoint-weight */
static json_t *
endpoint_change(struct mdp_dp *dp, json_t *args, int what, struct mdp_ctrl_err *err)
{
	const char *cluster = json_string_value(json_object_get(args, "cluster"));
	const char *address = json_string_value(json_object_get(args, "address"));
	json_t *w = json_object_get(args, "weight");
	json_t *doc = mdp_ctrl_mesh_doc(dp), *eps = cluster_endpoints(doc, cluster, err);
	int i;

	if (eps == NULL) {
		json_decref(doc);
		return NULL;
	}
	i = find_endpoint(eps, address);
	switch (what) {
	case 0:		/* add */
		if (i >= 0) {
			json_decref(doc);
			return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "%.64s is already in '%.64s'",
					     address, cluster);
		}
		json_array_append_new(eps, json_pack("{s:s, s:I}", "address", address, "weight",
						     w != NULL ? json_integer_value(w) : 1));
		break;
	case 1:		/* remove */
		if (i < 0) {
			json_decref(doc);
			return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, "%.64s is not in '%.64s'",
					     address, cluster);
		}
		json_array_remove(eps, (size_t)i);
		break;
	default:	/* weight */
		if (i < 0 || w == NULL) {
			json_decref(doc);
			return mdp_ctrl_fail(err, MDP_CTRL_ERR_ARG, i < 0 ? "%.64s is not in '%.64s'"
							 : "weight is required", address, cluster);
		}
		json_object_set(json_array_get(eps, (size_t)i), "weight", w);
		break;
	}
	return mdp_ctrl_mesh_apply(dp, doc, err);
}

json_t *
mdp_ctrl_endpoint_add(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	return endpoint_change(ctx, args, 0, err);
}

json_t *
mdp_ctrl_endpoint_remove(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	return endpoint_change(ctx, args, 1, err);
}

json_t *
mdp_ctrl_endpoint_weight(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	return endpoint_change(ctx, args, 2, err);
}

/* ---- statistics ---- */

static void
stats_add(struct mdp_proxy_stats *t, const struct mdp_proxy_stats *s)
{
	t->requests += s->requests;
	for (unsigned i = 0; i < RTE_DIM(t->responses); i++)
		t->responses[i] += s->responses[i];
	for (unsigned i = 0; i < MDP_PROXY_R_MAX; i++)
		t->local[i] += s->local[i];
	for (unsigned i = 0; i < MDP_HTTP_E_MAX; i++)
		t->http_err[i] += s->http_err[i];
	t->upstream_connects += s->upstream_connects;
	t->upstream_reused += s->upstream_reused;
	t->downstream_conns += s->downstream_conns;
	t->active_downstream += s->active_downstream;
	t->active_upstream += s->active_upstream;
	t->idle_upstream += s->idle_upstream;
	t->tunnels += s->tunnels;
	t->authz_allowed += s->authz_allowed;
	t->authz_denied += s->authz_denied;
	t->authz_audited += s->authz_audited;
}

static json_t *
stats_json(const struct mdp_proxy_stats *s, bool with_version)
{
	json_t *local = json_object(), *errs = json_object(), *o;

	for (unsigned i = 0; i < MDP_PROXY_R_MAX; i++)
		json_object_set_new(local, mdp_proxy_reason_desc[i].name,
				    json_integer((json_int_t)s->local[i]));
	for (unsigned i = MDP_HTTP_E_INCOMPLETE + 1; i < MDP_HTTP_E_MAX; i++)
		if (s->http_err[i] > 0)
			json_object_set_new(errs, mdp_http_err_str((enum mdp_http_err)i),
					    json_integer((json_int_t)s->http_err[i]));
	o = json_pack("{s:I, s:{s:I, s:I, s:I, s:I, s:I}, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I,"
		      " s:I}",
		      "requests", (json_int_t)s->requests,
		      "responses", "1xx", (json_int_t)s->responses[1], "2xx",
		      (json_int_t)s->responses[2], "3xx", (json_int_t)s->responses[3], "4xx",
		      (json_int_t)s->responses[4], "5xx", (json_int_t)s->responses[5],
		      "local_replies", local, "parse_errors", errs,
		      "downstream_connections", (json_int_t)s->downstream_conns,
		      "active_downstream", (json_int_t)s->active_downstream,
		      "active_upstream", (json_int_t)s->active_upstream,
		      "idle_upstream", (json_int_t)s->idle_upstream,
		      "upstream_connects", (json_int_t)s->upstream_connects,
		      "upstream_reused", (json_int_t)s->upstream_reused,
		      "tunnels", (json_int_t)s->tunnels);
	json_object_set_new(o, "authz", json_pack("{s:I, s:I, s:I}",
		"allowed", (json_int_t)s->authz_allowed, "denied", (json_int_t)s->authz_denied,
		"audited", (json_int_t)s->authz_audited));
	if (with_version)
		json_object_set_new(o, "mesh_version", json_integer((json_int_t)s->mesh_version));
	return o;
}

json_t *
mdp_ctrl_http_stats(void *ctx, json_t *args, struct mdp_ctrl_err *err)
{
	struct mdp_dp *dp = ctx;
	struct mdp_proxy_stats total;
	json_t *workers = json_array();

	(void)args;
	(void)err;
	memset(&total, 0, sizeof(total));
	for (unsigned i = 0; i < dp->n_workers; i++) {
		const struct mdp_proxy_stats *s = dp->workers[i] != NULL ?
			mdp_proxy_stats(dp->workers[i]) : NULL;

		if (s == NULL)
			continue;
		stats_add(&total, s);
		json_array_append_new(workers, stats_json(s, true));
	}
	return json_pack("{s:o, s:o, s:I}", "total", stats_json(&total, false), "workers", workers,
			 "mesh_version", (json_int_t)dp->mesh_version);
}
