/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_AUTHZ_H
#define MDP_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * Authorization policies with the meaning of Istio's AuthorizationPolicy
 * (security.istio.io/v1): docs/authorization.md has the supported fields,
 * what is refused and why, and examples.
 *
 * Two sides, as in lib/route:
 *  - The control thread compiles the policies of a mesh document
 *    (mdp_authz_compile(): validates all of them, copies what it keeps, and
 *    precompiles strings, CIDRs and ports) into an immutable struct
 *    mdp_authz, published with the rest of the snapshot.
 *  - Workers call mdp_authz_check() concurrently on a published struct: no
 *    allocation, no lock, no system call; the time is bounded by the size
 *    of the compiled policies (linear in the rules).
 *
 * Decision (Istio's order):
 *  1. any DENY policy matches: deny;
 *  2. no ALLOW policy at all: allow;
 *  3. any ALLOW policy matches: allow;
 *  4. deny.
 * AUDIT policies never change the decision: mdp_authz_audit() says which
 * one matched, for the caller to count or log. CUSTOM is refused.
 *
 * A policy without rules matches nothing (an ALLOW policy `{}` therefore
 * denies every request when it is the only ALLOW policy); a rule without
 * from, to and when matches everything (`rules: [{}]`).
 *
 * On a TCP (L4) listener the HTTP-only fields (hosts, methods, paths, their
 * not* forms and when request.headers[...]) cannot be evaluated. As in
 * Istio, a rule of an ALLOW policy that uses any of them never matches on
 * TCP, while in DENY and AUDIT policies those fields alone are left out
 * (they count as matched): DENY errs on the side of denying.
 */

struct mdp_authz;

/* Limits, checked by mdp_authz_compile(). */
#define MDP_AUTHZ_MAX_POLICIES	4096
#define MDP_AUTHZ_MAX_RULES	1024	/* rules of one policy */
#define MDP_AUTHZ_MAX_ITEMS	1024	/* entries of any one list (from, to, when, values) */
#define MDP_AUTHZ_MAX_STR	4096	/* bytes of a name or value */

enum mdp_authz_action {
	MDP_AUTHZ_ACT_ALLOW = 0,
	MDP_AUTHZ_ACT_DENY,
	MDP_AUTHZ_ACT_AUDIT,
};

enum mdp_authz_verdict {
	MDP_AUTHZ_ALLOW = 0,
	MDP_AUTHZ_DENY,
};

/*
 * Compile policies: a JSON array (NULL or empty: no policies, everything is
 * allowed) of AuthorizationPolicy objects, each either flat
 *   { "name": ..., "namespace"?: ..., "selector"?: ..., "action"?: ...,
 *     "rules"?: [ ... ] }
 * or a Kubernetes resource
 *   { "apiVersion": "security.istio.io/v1" (or v1beta1),
 *     "kind": "AuthorizationPolicy",
 *     "metadata": { "name": ..., "namespace"?: ... }, "spec": { ... } }.
 * Names are unique. selector.matchLabels is accepted and ignored (meshdp is
 * one workload); the policies apply to every inbound listener.
 *
 * Returns the compiled policies (free with mdp_authz_free()), or NULL with a
 * message in err (always NUL-terminated when errlen > 0) naming the first
 * problem as a path:
 *   authorization_policies[2].rules[0].from[0].source.ipBlocks[1]: '198.18.0.0/33' is not an IPv4 address or CIDR
 * policies is only read; the result does not refer to it.
 */
struct mdp_authz *mdp_authz_compile(const json_t *policies, char *err, size_t errlen);

void mdp_authz_free(struct mdp_authz *a);

/*
 * The flat form of policies, for dumps: when an element of the (valid,
 * compiled) array is a Kubernetes resource, *out is set to a new array in
 * which every such element is replaced by
 *   { "name": metadata.name, "namespace": metadata.namespace, ...spec }
 * (labels, annotations and status are dropped); otherwise *out is NULL.
 * Returns 0, or -ENOMEM.
 */
int mdp_authz_flatten(const json_t *policies, json_t **out);

/*
 * One request (HTTP) or connection (TCP) to authorize. Strings need not be
 * NUL-terminated; the struct and what it points to are only read during the
 * call.
 */
struct mdp_authz_req {
	/* The peer's SPIFFE ID from its verified certificate's URI SAN, with
	 * or without "spiffe://"; NULL (or length 0): plaintext or no client
	 * certificate: no principals/namespaces value matches it. */
	const char *principal;
	size_t principal_len;
	uint32_t src_ip;		/* host byte order */
	uint16_t dst_port;		/* the local port the client connected to */
	const char *sni;		/* TLS server name; NULL: none */
	size_t sni_len;
	/* HTTP: the fields below are set. false on a TCP listener (see the
	 * top of this file for what that means for HTTP-only rules). */
	bool http;
	const char *method;		/* as received: matched case-sensitively */
	size_t method_len;
	const char *host;		/* Host (or the absolute-form authority),
					 * as received, port included */
	size_t host_len;
	/* The path after mdp_http_path_normalize() (lib/http), without the
	 * query: a policy path is compared with exactly this. The caller must
	 * normalize; raw paths would let "//admin/x" or "/x/../admin/x" past
	 * a DENY on paths with the prefix "/admin/". */
	const char *path;
	size_t path_len;
	/*
	 * Header lookup, for when[] keys request.headers[NAME] only. name is
	 * lower case. Returns 1 with val and val_len set when the request has
	 * the field (several field lines: their values joined with ",", as
	 * routing sees them), 0 when it has none. NULL: no request has any
	 * header.
	 */
	int (*header)(void *arg, const char *name, size_t name_len, const char **val,
		      size_t *val_len);
	void *header_arg;
};

/*
 * Decide on r. a NULL is no policies (allow). *policy_index (may be NULL)
 * is set to the index in the compiled array of the policy that decided: the
 * DENY policy that matched, or the ALLOW policy that matched; -1 when no
 * policy matched (allowed because there is no ALLOW policy, or denied
 * because no ALLOW policy matched).
 */
enum mdp_authz_verdict mdp_authz_check(const struct mdp_authz *a, const struct mdp_authz_req *r,
				       int *policy_index);

/* Index of the first AUDIT policy that matches r, or -1 (also for NULL a). */
int mdp_authz_audit(const struct mdp_authz *a, const struct mdp_authz_req *r);

/* Whether any rule of any policy uses an HTTP-only field. When false, the
 * decision depends on the connection only and can be made once per
 * connection, before any request is parsed. false for NULL. */
bool mdp_authz_needs_http(const struct mdp_authz *a);

/* Whether there are AUDIT policies (mdp_authz_audit() can only return -1
 * otherwise). false for NULL. */
bool mdp_authz_has_audit(const struct mdp_authz *a);

/* Number of policies (indexes are 0..count-1, in document order); 0 for
 * NULL. */
unsigned mdp_authz_count(const struct mdp_authz *a);

/* Name, namespace ("" when none) and action of policy i (i < count). The
 * strings live as long as a. */
const char *mdp_authz_policy_name(const struct mdp_authz *a, unsigned i);
const char *mdp_authz_policy_namespace(const struct mdp_authz *a, unsigned i);
enum mdp_authz_action mdp_authz_policy_action(const struct mdp_authz *a, unsigned i);

/* "ALLOW", "DENY", "AUDIT"; "?" out of range. */
const char *mdp_authz_action_name(enum mdp_authz_action act);

#endif
