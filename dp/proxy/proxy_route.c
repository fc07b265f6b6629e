/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From a parsed request to a decision: the listener's route table, the
 * virtual host and first matching route (lib/route), its action; for
 * clusters, the weighted pick and an endpoint from the cluster's balancer
 * (lib/lb), the path and host to send, and the header operations.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lb/mdp_lb.h"
#include "proxy_priv.h"
#include "route/mdp_route.h"

static void
local(struct mdp_proxy_decision *d, unsigned status, enum mdp_proxy_reason why, const char *body)
{
	d->kind = PD_LOCAL;
	d->status = status;
	d->reason = (uint8_t)why;
	d->body = body;
	d->body_len = body != NULL ? strlen(body) : 0;
}

static uint32_t
listener_index(const struct mdp_proxy *px, const struct mdp_conf_listener *lc)
{
	return (uint32_t)(lc - px->w->dp->cfg->listeners);
}

/* The balancer's key for a consistent-hash cluster. */
static uint64_t
hash_key(const struct mdp_mesh_cluster *cl, const struct mdp_http_msg *msg, uint32_t client)
{
	if (cl->hash_on == MDP_MESH_HASH_HEADER) {
		for (unsigned i = 0; i < msg->n_headers; i++) {
			const struct mdp_http_header *h = &msg->headers[i];

			if (h->name_len == cl->hash_header_len &&
			    strncasecmp(h->name, cl->hash_header, h->name_len) == 0)
				return mdp_lb_hash_bytes(h->value, h->value_len);
		}
	}
	return mdp_lb_hash_bytes(&client, sizeof(client));
}

/* "scheme://host/path?query" of a redirect, in px->loc. */
static void
redirect(struct mdp_proxy *px, const struct mdp_route *r, const struct mdp_http_msg *msg,
	 const char *path, size_t plen, struct mdp_proxy_decision *d)
{
	const struct mdp_route_redirect *rd = &r->conf->action.redirect;
	const struct mdp_route_path_match *pm = &r->conf->match.path;
	char *out = px->loc;
	size_t cap = px->loc_cap, n;
	int k;

	k = snprintf(out, cap, "%s://", rd->scheme != NULL ? rd->scheme : "http");
	n = (size_t)k;
	if (rd->host != NULL)
		k = snprintf(out + n, cap - n, "%s", rd->host);
	else
		k = snprintf(out + n, cap - n, "%.*s", (int)msg->authority.len,
			     msg->authority.p != NULL ? msg->authority.p : "");
	n += (size_t)k;
	if (n >= cap)
		goto too_long;
	if (rd->path != NULL) {
		k = snprintf(out + n, cap - n, "%s", rd->path);
	} else if (rd->prefix_rewrite != NULL && pm->kind == MDP_ROUTE_PATH_PREFIX) {
		size_t pre = strlen(pm->value);

		k = snprintf(out + n, cap - n, "%s%.*s", rd->prefix_rewrite,
			     (int)(plen > pre ? plen - pre : 0), path + (plen > pre ? pre : plen));
	} else {
		k = snprintf(out + n, cap - n, "%.*s", (int)plen, path);
	}
	n += (size_t)k;
	if (n >= cap)
		goto too_long;
	if (!rd->strip_query && msg->query.p != NULL) {
		k = snprintf(out + n, cap - n, "?%.*s", (int)msg->query.len, msg->query.p);
		n += (size_t)k;
		if (n >= cap)
			goto too_long;
	}
	local(d, rd->code ? rd->code : 301, MDP_PROXY_R_REDIRECT, NULL);
	d->location = out;
	d->location_len = n;
	return;
too_long:
	local(d, 414, MDP_PROXY_R_BAD_REQUEST, NULL);
}

void
mdp_proxy_route(struct mdp_proxy *px, const struct mdp_mesh *m,
		const struct mdp_conf_listener *lc, const struct mdp_http_msg *msg,
		const char *path, size_t path_len, uint32_t client_addr,
		struct mdp_proxy_decision *d)
{
	const struct mdp_mesh_rt *rt;
	const struct mdp_route_vhost *vh = NULL;
	const struct mdp_route *r;
	const struct mdp_route_forward *f;
	const struct mdp_mesh_cluster *cl;
	const struct mdp_mesh_route_ops *ops;
	struct mdp_route_req req;
	uint32_t ci, li;
	int rti, ep;

	memset(d, 0, sizeof(*d));
	if (m == NULL || lc == NULL) {
		local(d, 404, MDP_PROXY_R_NO_ROUTE, "no route\n");
		return;
	}
	li = listener_index(px, lc);
	rti = li < MDP_MAX_LISTENERS ? m->lsn_rt[li] : -1;
	if (rti < 0) {
		local(d, 404, MDP_PROXY_R_NO_ROUTE, "no route\n");
		return;
	}
	rt = &m->rts[rti];
	for (unsigned i = 0; i < msg->n_headers; i++) {
		px->rhdrs[i].name = msg->headers[i].name;
		px->rhdrs[i].name_len = msg->headers[i].name_len;
		px->rhdrs[i].value = msg->headers[i].value;
		px->rhdrs[i].value_len = msg->headers[i].value_len;
	}
	req.method = msg->method_str.p;
	req.method_len = (uint16_t)msg->method_str.len;
	req.authority = msg->authority.p != NULL ? msg->authority.p : "";
	req.authority_len = (uint16_t)msg->authority.len;
	req.path = path;
	req.path_len = (uint32_t)path_len;
	req.query = msg->query.p;
	req.query_len = msg->query.p != NULL ? msg->query.len : 0;
	req.hdrs = px->rhdrs;
	req.n_hdrs = msg->n_headers;
	r = mdp_route_table_match(rt->t, px->w->idx, &req, &vh);
	if (r == NULL) {
		local(d, 404, MDP_PROXY_R_NO_ROUTE, "no route\n");
		return;
	}
	switch (r->conf->action.kind) {
	case MDP_ROUTE_ACT_DIRECT:
		local(d, r->conf->action.direct.status, MDP_PROXY_R_DIRECT,
		      r->conf->action.direct.body);
		d->ctype = r->conf->action.direct.content_type;
		return;
	case MDP_ROUTE_ACT_REDIRECT:
		redirect(px, r, msg, path, path_len, d);
		return;
	default:
		break;
	}
	f = &r->conf->action.forward;
	ci = r->clusters[mdp_route_pick_cluster(r, mdp_rand_next(&px->rnd))].cluster_idx;
	if (ci >= m->n_clusters) {
		local(d, 503, MDP_PROXY_R_NO_CLUSTER, "no cluster\n");
		return;
	}
	cl = &m->clusters[ci];
	ep = cl->lb != NULL ? mdp_lb_pick(cl->lb, px->w->idx, hash_key(cl, msg, client_addr)) : -1;
	if (ep < 0) {
		local(d, 503, MDP_PROXY_R_NO_ENDPOINT, "no healthy upstream\n");
		return;
	}
	d->kind = PD_FORWARD;
	d->cl = cl;
	d->ep_idx = ep;
	d->ep_addr = mdp_lb_endpoint(cl->lb, (unsigned)ep)->addr;
	d->ep_port = mdp_lb_endpoint(cl->lb, (unsigned)ep)->port;
	d->timeout_ms = f->timeout_ms;
	/* the path: rewritten prefix (or whole exact path), else as normalized */
	d->path = path;
	d->path_len = path_len;
	if (f->prefix_rewrite != NULL) {
		const struct mdp_route_path_match *pm = &r->conf->match.path;
		size_t pre = pm->kind == MDP_ROUTE_PATH_PREFIX ? strlen(pm->value) : path_len;
		size_t rl = strlen(f->prefix_rewrite);

		if (pre > path_len)
			pre = path_len;
		if (rl + path_len - pre <= px->lim.max_head) {
			memcpy(px->path2, f->prefix_rewrite, rl);
			memcpy(px->path2 + rl, path + pre, path_len - pre);
			d->path = px->path2;
			d->path_len = rl + path_len - pre;
			if (d->path_len == 0) {
				px->path2[0] = '/';
				d->path_len = 1;
			}
		}
	}
	if (f->host_rewrite != NULL) {
		d->authority = f->host_rewrite;
		d->authority_len = strlen(f->host_rewrite);
	} else if (msg->authority.p != NULL && msg->authority.len > 0) {
		d->authority = msg->authority.p;
		d->authority_len = msg->authority.len;
	} else {
		/* an HTTP/1.0 request without Host: name the endpoint */
		int n = snprintf(px->host_buf, sizeof(px->host_buf), "%u.%u.%u.%u:%u",
				 d->ep_addr >> 24, (d->ep_addr >> 16) & 0xff, (d->ep_addr >> 8) & 0xff,
				 d->ep_addr & 0xff, d->ep_port);

		d->authority = px->host_buf;
		d->authority_len = (size_t)n;
	}
	ops = &rt->ops[rt->vh_base[vh->index] + r->index];
	d->req_ops = ops->req;
	d->n_req_ops = ops->n_req;
	d->resp_ops = ops->resp;
	d->n_resp_ops = ops->n_resp;
}
