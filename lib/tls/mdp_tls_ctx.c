/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls/mdp_tls_ctx.h"
#include "tls_int.h"

/*
 * Server and client contexts. Every context carries a struct ctx_state (SSL_CTX
 * ex_data) that its callbacks read; it is written once, before the context
 * is returned, and never again, so workers read it without locks.
 */

#define SID_LEN 32			/* SHA-256; == SSL_MAX_SID_CTX_LENGTH */
#define MAX_SNI 4096			/* entries of one server context */
#define MAX_EXPECTED_IDS 4096

/* A server context's SNI entries: owned by the default context's state,
 * read by the ClientHello callback of every context of the set. */
struct sni_slot {
	char name[256];			/* lowercase; a wildcard's suffix with its dot */
	size_t len;
	bool wildcard;
	SSL_CTX *ctx;			/* reference */
};

struct sni_table {
	unsigned n;
	struct sni_slot slot[];
};

struct ctx_state {
	bool server;
	enum mdp_mtls_mode mode;	/* server */
	bool allow_no_id;
	char td[MDP_SPIFFE_TD_MAX + 1];	/* "": any trust domain */
	unsigned char sid_ctx[SID_LEN];
	unsigned char alpn[MDP_TLS_ALPN_MAX];	/* server: our list, wire format */
	unsigned alpn_len;
	struct mdp_tls_ticket_keys *keys;	/* reference; NULL: no tickets */
	struct sni_table *sni;		/* the default server context: owned */
};

/* Per client SSL: the expected IDs (one allocation). */
struct client_state {
	unsigned n;
	const char **ids;
	size_t *lens;
	char seen[256];			/* on id_mismatch: what the peer presented */
};

static pthread_once_t idx_once = PTHREAD_ONCE_INIT;
static int ctx_idx = -1;	/* SSL_CTX: struct ctx_state */
static int reason_idx = -1;	/* SSL: enum mdp_tls_err of our own checks */
static int sni_idx = -1;	/* SSL: SNI entry chosen + 2 (1: default) */
static int client_idx = -1;	/* SSL: struct client_state */

static void
ctx_state_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	struct ctx_state *st = ptr;

	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (st == NULL)
		return;
	if (st->sni != NULL) {
		for (unsigned i = 0; i < st->sni->n; i++)
			SSL_CTX_free(st->sni->slot[i].ctx);
		free(st->sni);
	}
	mdp_tls_ticket_keys_unref(st->keys);
	free(st);
}

static void
client_state_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	free(ptr);
}

static void
idx_init(void)
{
	ctx_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, ctx_state_free);
	reason_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	sni_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	client_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, client_state_free);
}

static bool
idx_ready(void)
{
	pthread_once(&idx_once, idx_init);
	return ctx_idx >= 0 && reason_idx >= 0 && sni_idx >= 0 && client_idx >= 0;
}

static const struct ctx_state *
ctx_state(const SSL_CTX *ctx)
{
	if (ctx == NULL || ctx_idx < 0)
		return NULL;
	return SSL_CTX_get_ex_data(ctx, ctx_idx);
}

enum mdp_tls_err
mdp_tls_ssl_reason(const SSL *ssl)
{
	if (ssl == NULL || reason_idx < 0)
		return MDP_TLS_ERR_NONE;
	return (enum mdp_tls_err)(uintptr_t)SSL_get_ex_data(ssl, reason_idx);
}

const char *
mdp_tls_ssl_seen_id(const SSL *ssl)
{
	const struct client_state *cs;

	if (ssl == NULL || client_idx < 0)
		return NULL;
	cs = SSL_get_ex_data(ssl, client_idx);
	return cs != NULL && cs->seen[0] != '\0' ? cs->seen : NULL;
}

/* ---- parameters ---- */

void
mdp_tls_params_defaults(struct mdp_tls_params *p)
{
	memset(p, 0, sizeof(*p));
	p->min_version = MDP_TLS_V1_2;
	p->max_version = MDP_TLS_V1_3;
	snprintf(p->ciphersuites, sizeof(p->ciphersuites), "%s",
		 "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
	snprintf(p->ciphers, sizeof(p->ciphers), "%s",
		 "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
		 "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
		 "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
	snprintf(p->groups, sizeof(p->groups), "%s", "X25519:P-256:P-384");
	p->ticket_lifetime_s = 7200;
}

uint16_t
mdp_tls_version_parse(const char *s)
{
	if (s != NULL && strcmp(s, "1.2") == 0)
		return MDP_TLS_V1_2;
	if (s != NULL && strcmp(s, "1.3") == 0)
		return MDP_TLS_V1_3;
	return 0;
}

const char *
mdp_tls_version_name(uint16_t v)
{
	return v == MDP_TLS_V1_2 ? "1.2" : v == MDP_TLS_V1_3 ? "1.3" : "?";
}

static const char *const mtls_names[] = {
	[MDP_MTLS_UNSET] = "UNSET",
	[MDP_MTLS_DISABLE] = "DISABLE",
	[MDP_MTLS_PERMISSIVE] = "PERMISSIVE",
	[MDP_MTLS_STRICT] = "STRICT",
	[MDP_MTLS_SIMPLE] = "SIMPLE",
};

enum mdp_mtls_mode
mdp_tls_mtls_parse(const char *s)
{
	for (unsigned m = MDP_MTLS_DISABLE; s != NULL && m <= MDP_MTLS_SIMPLE; m++)
		if (strcmp(s, mtls_names[m]) == 0)
			return (enum mdp_mtls_mode)m;
	return MDP_MTLS_UNSET;
}

const char *
mdp_tls_mtls_name(enum mdp_mtls_mode m)
{
	return (unsigned)m <= MDP_MTLS_SIMPLE ? mtls_names[m] : "?";
}

static bool
terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* The next element of a list separated by any of seps: [*b, *e). */
static bool
next_tok(const char **p, const char *seps, const char **b, size_t *n)
{
	const char *s = *p;

	s += strspn(s, seps);
	if (*s == '\0')
		return false;
	*b = s;
	*n = strcspn(s, seps);
	*p = s + *n;
	return true;
}

/* TLS 1.3 suites: what the dataplane record layer takes. */
static const char *const suites_ok[] = {
	"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
};
static const char *const suites_refused[] = {
	"TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256",
};

static bool
tok_in(const char *b, size_t n, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(list[i]) == n && memcmp(list[i], b, n) == 0)
			return true;
	return false;
}

static int
check_suites(const struct mdp_tls_params *p, char *err, size_t errlen)
{
	const char *s = p->ciphersuites, *b;
	unsigned count = 0;
	size_t n;

	while (next_tok(&s, ":", &b, &n)) {
		if (tok_in(b, n, suites_ok, sizeof(suites_ok) / sizeof(suites_ok[0]))) {
			count++;
			continue;
		}
		if (tok_in(b, n, suites_refused, sizeof(suites_refused) / sizeof(suites_refused[0])))
			mdp_errf(err, errlen,
				     "ciphersuites: %.*s is not supported by the dataplane record "
				     "layer (AES-GCM and ChaCha20-Poly1305 only)", (int)n, b);
		else
			mdp_errf(err, errlen, "ciphersuites: unknown TLS 1.3 cipher suite '%.*s'",
				     (int)n, b);
		return -1;
	}
	if (count == 0 && p->max_version >= MDP_TLS_V1_3) {
		mdp_errf(err, errlen, "ciphersuites: no cipher suite for TLS 1.3");
		return -1;
	}
	return 0;
}

static bool
cipher_ok(const SSL_CIPHER *c)
{
	int nid = SSL_CIPHER_get_cipher_nid(c);

	return SSL_CIPHER_get_kx_nid(c) == NID_kx_ecdhe && SSL_CIPHER_is_aead(c) &&
	       (nid == NID_aes_128_gcm || nid == NID_aes_256_gcm || nid == NID_chacha20_poly1305);
}

static int
check_ciphers(SSL_CTX *tmp, const struct mdp_tls_params *p, char *err, size_t errlen)
{
	const char *s = p->ciphers, *b;
	STACK_OF(SSL_CIPHER) *sk;
	char tok[MDP_TLS_CIPHERS_MAX];
	unsigned count = 0;
	size_t n;

	if (p->min_version >= MDP_TLS_V1_3 && p->ciphers[0] == '\0')
		return 0;
	/* each name on its own: OpenSSL skips names it does not know */
	while (next_tok(&s, ": ,;", &b, &n)) {
		if (b[0] == '!' || b[0] == '-' || b[0] == '+' || b[0] == '@')
			continue;
		snprintf(tok, sizeof(tok), "%.*s", (int)n, b);
		if (SSL_CTX_set_cipher_list(tmp, tok) != 1) {
			ERR_clear_error();
			mdp_errf(err, errlen, "ciphers: '%s' selects no cipher", tok);
			return -1;
		}
	}
	if (SSL_CTX_set_cipher_list(tmp, p->ciphers) != 1) {
		mdp_errf(err, errlen, "ciphers: '%s' selects no cipher (OpenSSL: %s)", p->ciphers,
			     mdp_tls_ossl_reason());
		return -1;
	}
	sk = SSL_CTX_get_ciphers(tmp);
	for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);

		if (SSL_CIPHER_get_kx_nid(c) == NID_kx_any)	/* a TLS 1.3 suite */
			continue;
		if (!cipher_ok(c)) {
			mdp_errf(err, errlen,
				     "ciphers: selects %s, which is not ECDHE with AES-GCM or "
				     "ChaCha20-Poly1305 (what the dataplane record layer does)",
				     SSL_CIPHER_get_name(c));
			return -1;
		}
		count++;
	}
	if (count == 0 && p->min_version <= MDP_TLS_V1_2) {
		mdp_errf(err, errlen, "ciphers: no cipher for TLS 1.2");
		return -1;
	}
	return 0;
}

static int
check_groups(SSL_CTX *tmp, const struct mdp_tls_params *p, char *err, size_t errlen)
{
	const char *s = p->groups, *b;
	char tok[MDP_TLS_GROUPS_MAX];
	unsigned count = 0;
	size_t n;

	while (next_tok(&s, ":", &b, &n)) {
		snprintf(tok, sizeof(tok), "%.*s", (int)n, b);
		if (SSL_CTX_set1_groups_list(tmp, tok) != 1) {
			ERR_clear_error();
			mdp_errf(err, errlen, "groups: unknown group '%s'", tok);
			return -1;
		}
		count++;
	}
	if (count == 0) {
		mdp_errf(err, errlen, "groups: no group");
		return -1;
	}
	return 0;
}

/* "h2,http/1.1" -> wire format (RFC 7301 3.1); -1 with a message. */
static int
alpn_wire(const char *list, unsigned char *out, size_t size, unsigned *len, char *err,
	  size_t errlen)
{
	const char *s = list, *b;
	size_t n, used = 0;

	while (next_tok(&s, ",", &b, &n)) {
		if (n > 255) {
			mdp_errf(err, errlen, "alpn: a protocol ID is longer than 255 bytes");
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			if (b[i] <= 0x20 || b[i] >= 0x7f) {
				mdp_errf(err, errlen,
					     "alpn: '%.*s' has a byte other than printable ASCII",
					     (int)n, b);
				return -1;
			}
		}
		if (used + 1 + n > size) {
			mdp_errf(err, errlen, "alpn: the list is too long");
			return -1;
		}
		out[used++] = (unsigned char)n;
		memcpy(out + used, b, n);
		used += n;
	}
	*len = (unsigned)used;
	return 0;
}

int
mdp_tls_params_check(const struct mdp_tls_params *p, char *err, size_t errlen)
{
	unsigned char wire[MDP_TLS_ALPN_MAX];
	unsigned wlen;
	SSL_CTX *tmp;
	int rc = -1;

	mdp_errf(err, errlen, "%s", "");
	if (p == NULL) {
		mdp_errf(err, errlen, "no parameters");
		return -1;
	}
	if (!terminated(p->ciphersuites, sizeof(p->ciphersuites)) ||
	    !terminated(p->ciphers, sizeof(p->ciphers)) ||
	    !terminated(p->groups, sizeof(p->groups)) || !terminated(p->alpn, sizeof(p->alpn))) {
		mdp_errf(err, errlen, "a string is not terminated");
		return -1;
	}
	if (p->min_version != MDP_TLS_V1_2 && p->min_version != MDP_TLS_V1_3) {
		mdp_errf(err, errlen, "min_version: 0x%04x is not TLS 1.2 or 1.3",
			     p->min_version);
		return -1;
	}
	if (p->max_version != MDP_TLS_V1_2 && p->max_version != MDP_TLS_V1_3) {
		mdp_errf(err, errlen, "max_version: 0x%04x is not TLS 1.2 or 1.3",
			     p->max_version);
		return -1;
	}
	if (p->min_version > p->max_version) {
		mdp_errf(err, errlen, "min_version: %s is above max_version %s",
			     mdp_tls_version_name(p->min_version),
			     mdp_tls_version_name(p->max_version));
		return -1;
	}
	if (p->ticket_lifetime_s < 1 || p->ticket_lifetime_s > 604800) {
		/* RFC 8446 4.6.1: at most seven days */
		mdp_errf(err, errlen, "ticket_lifetime_s: %u is out of range (1..604800)",
			     p->ticket_lifetime_s);
		return -1;
	}
	if (alpn_wire(p->alpn, wire, sizeof(wire), &wlen, err, errlen) < 0)
		return -1;
	if (check_suites(p, err, errlen) < 0)
		return -1;
	tmp = SSL_CTX_new(TLS_method());
	if (tmp == NULL) {
		mdp_errf(err, errlen, "out of memory (OpenSSL: %s)", mdp_tls_ossl_reason());
		return -1;
	}
	if (check_ciphers(tmp, p, err, errlen) == 0 && check_groups(tmp, p, err, errlen) == 0)
		rc = 0;
	SSL_CTX_free(tmp);
	ERR_clear_error();
	return rc;
}

/* ---- names ---- */

/* A host name for SNI: 1..253 of [a-z0-9.-_] after lowering, no empty
 * label. Writes the lowercase form to out (size >= 256). */
static bool
host_lower(const char *s, size_t len, char *out)
{
	if (len == 0 || len > 253 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return false;
		if (c == '.' && i > 0 && out[i - 1] == '.')
			return false;
		out[i] = c;
	}
	out[len] = '\0';
	return true;
}

/* "a.example" or "*.example" into a slot; false when malformed. */
static bool
sni_slot_set(struct sni_slot *sl, const char *name)
{
	size_t len = name != NULL ? strlen(name) : 0;

	if (len >= 2 && name[0] == '*' && name[1] == '.') {
		/* keep the dot: ".example" is the suffix a name must end with */
		if (!host_lower(name + 2, len - 2, sl->name + 1))
			return false;
		sl->name[0] = '.';
		sl->len = len - 1;
		sl->wildcard = true;
		return true;
	}
	if (!host_lower(name, len, sl->name))
		return false;
	sl->len = len;
	sl->wildcard = false;
	return true;
}

/* Exact first, then the longest wildcard suffix; -1: none. */
static int
sni_lookup(const struct sni_table *t, const char *name, size_t len)
{
	int best = -1;
	size_t best_len = 0;

	for (unsigned i = 0; i < t->n; i++) {
		const struct sni_slot *sl = &t->slot[i];

		if (!sl->wildcard && sl->len == len && memcmp(sl->name, name, len) == 0)
			return (int)i;
	}
	for (unsigned i = 0; i < t->n; i++) {
		const struct sni_slot *sl = &t->slot[i];

		if (sl->wildcard && len > sl->len && sl->len > best_len &&
		    memcmp(name + len - sl->len, sl->name, sl->len) == 0) {
			best = (int)i;
			best_len = sl->len;
		}
	}
	return best;
}

/* ---- verification ---- */

static int
verify_flags(enum mdp_mtls_mode m)
{
	switch (m) {
	case MDP_MTLS_STRICT:
		return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE;
	case MDP_MTLS_PERMISSIVE:
		return SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE;
	default:
		return SSL_VERIFY_NONE;
	}
}

static bool
needs_bundle(enum mdp_mtls_mode m)
{
	return m == MDP_MTLS_STRICT || m == MDP_MTLS_PERMISSIVE;
}

/* What the mesh asks of a peer's leaf beyond its chain (cs: NULL on a
 * server). */
static enum mdp_tls_err
check_peer(const struct ctx_state *st, struct client_state *cs, X509 *leaf)
{
	char id[MDP_SPIFFE_ID_MAX + 1];
	struct mdp_spiffe_id sid;
	size_t len;
	int rc = mdp_tls_cert_spiffe_id(leaf, id, sizeof(id));

	if (rc == -ENOENT)
		return st->allow_no_id && (cs == NULL || cs->n == 0) ? MDP_TLS_ERR_NONE
								      : MDP_TLS_ERR_BAD_SAN;
	if (rc < 0)
		return MDP_TLS_ERR_BAD_SAN;
	len = strlen(id);
	if (mdp_tls_spiffe_id_parse(id, len, &sid) < 0)
		return MDP_TLS_ERR_BAD_SAN;
	if (st->td[0] != '\0' &&
	    (sid.td_len != strlen(st->td) || memcmp(sid.td, st->td, sid.td_len) != 0))
		return MDP_TLS_ERR_WRONG_TRUST_DOMAIN;
	if (cs == NULL || cs->n == 0)
		return MDP_TLS_ERR_NONE;
	for (unsigned i = 0; i < cs->n; i++)
		if (cs->lens[i] == len && memcmp(cs->ids[i], id, len) == 0)
			return MDP_TLS_ERR_NONE;
	/* kept for the log line, cut to fit */
	snprintf(cs->seen, sizeof(cs->seen), "%.*s", (int)(len < sizeof(cs->seen) ? len : sizeof(cs->seen) - 1), id);
	return MDP_TLS_ERR_ID_MISMATCH;
}

/*
 * The whole certificate check (SSL_CTX_set_cert_verify_callback): OpenSSL's
 * chain verification (with the purpose of the context: SSL client on a
 * server, SSL server on a client), then the identity. A failure of ours is
 * reported as X509_V_ERR_CERT_REJECTED (the peer gets a bad_certificate
 * alert) and remembered on the SSL for mdp_tls_err_classify().
 */
static int
cert_verify_cb(X509_STORE_CTX *xs, void *arg)
{
	const struct ctx_state *st = arg;
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct client_state *cs = NULL;
	enum mdp_tls_err why;
	int rc;

	rc = X509_verify_cert(xs);
	if (rc <= 0)
		return rc;
	if (ssl == NULL || st == NULL) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	if (!st->server)
		cs = SSL_get_ex_data(ssl, client_idx);
	why = check_peer(st, cs, X509_STORE_CTX_get0_cert(xs));
	if (why == MDP_TLS_ERR_NONE)
		return 1;
	SSL_set_ex_data(ssl, reason_idx, (void *)(uintptr_t)why);
	X509_STORE_CTX_set_error_depth(xs, 0);
	X509_STORE_CTX_set_current_cert(xs, X509_STORE_CTX_get0_cert(xs));
	X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);
	return 0;
}

/* ---- callbacks of server contexts ---- */

/* RFC 6066 3: the host_name of a server_name extension. 1: found; 0: none
 * or not a usable host name (the default entry serves it); -1: malformed. */
static int
hello_sni(SSL *ssl, char *out)
{
	const unsigned char *p;
	size_t len, list, nlen;

	if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &len))
		return 0;
	if (len < 5)
		return -1;
	list = (size_t)p[0] << 8 | p[1];
	nlen = (size_t)p[3] << 8 | p[4];
	if (list != len - 2 || p[2] != TLSEXT_NAMETYPE_host_name || nlen + 3 > list)
		return -1;
	if (memchr(p + 5, '\0', nlen) != NULL || !host_lower((const char *)p + 5, nlen, out))
		return 0;
	return 1;
}

/*
 * Choose the SNI entry before OpenSSL looks at the offered session (it
 * does so after this callback and before the servername callback), so
 * that the session is checked against the entry's session ID context: a
 * ticket from an entry with a laxer client-certificate policy never
 * resumes here (CVE-2025-23419 class). Installed on every context of the
 * set: after a HelloRetryRequest the second ClientHello must choose the
 * same entry.
 */
static int
client_hello_cb(SSL *ssl, int *al, void *arg)
{
	const struct sni_table *t = arg;
	const struct ctx_state *st;
	char name[256];
	uintptr_t prev, choice = 1;
	int rc, idx = -1;

	rc = hello_sni(ssl, name);
	if (rc < 0) {
		*al = SSL_AD_DECODE_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (rc > 0)
		idx = sni_lookup(t, name, strlen(name));
	if (idx >= 0)
		choice = (uintptr_t)idx + 2;
	prev = (uintptr_t)SSL_get_ex_data(ssl, sni_idx);
	if (prev != 0 && prev != choice) {
		*al = SSL_AD_ILLEGAL_PARAMETER;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (prev == 0 && !SSL_set_ex_data(ssl, sni_idx, (void *)choice)) {
		*al = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (idx < 0)
		return SSL_CLIENT_HELLO_SUCCESS;
	if (SSL_get_SSL_CTX(ssl) != t->slot[idx].ctx &&
	    SSL_set_SSL_CTX(ssl, t->slot[idx].ctx) != t->slot[idx].ctx) {
		*al = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	/* SSL_set_SSL_CTX() switches certificate and store, not these */
	st = ctx_state(t->slot[idx].ctx);
	SSL_set_verify(ssl, verify_flags(st->mode), NULL);
	if (!SSL_set_session_id_context(ssl, st->sid_ctx, SID_LEN)) {
		*al = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* Acknowledge SNI (the choice was made in client_hello_cb). */
static int
servername_cb(SSL *ssl, int *al, void *arg)
{
	(void)al;
	(void)arg;
	return SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) != NULL ? SSL_TLSEXT_ERR_OK
									   : SSL_TLSEXT_ERR_NOACK;
}

/* Our first protocol the client offers; none in common: no ALPN (Envoy). */
static int
alpn_select_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
	       const unsigned char *in, unsigned int inlen, void *arg)
{
	const struct ctx_state *st = arg;

	(void)ssl;
	for (unsigned i = 0; i < st->alpn_len; i += 1u + st->alpn[i]) {
		const unsigned char *ours = st->alpn + i + 1;
		unsigned olen = st->alpn[i];

		for (unsigned j = 0; j < inlen;) {
			unsigned clen = in[j];

			if (clen == 0 || j + 1 + clen > inlen)
				return SSL_TLSEXT_ERR_NOACK;	/* malformed offer */
			if (clen == olen && memcmp(in + j + 1, ours, olen) == 0) {
				*out = ours;
				*outlen = (unsigned char)olen;
				return SSL_TLSEXT_ERR_OK;
			}
			j += 1 + clen;
		}
	}
	return SSL_TLSEXT_ERR_NOACK;
}

static int
ticket_cb(SSL *ssl, unsigned char name[16], unsigned char *iv, EVP_CIPHER_CTX *cctx,
	  EVP_MAC_CTX *hctx, int enc)
{
	const struct ctx_state *st = ctx_state(SSL_get_SSL_CTX(ssl));

	return mdp_tls_ticket_keys_cb(st != NULL ? st->keys : NULL, name, iv, cctx, hctx, enc);
}

/* ---- building contexts ---- */

static void
sid_field(EVP_MD_CTX *md, const void *p, size_t len)
{
	unsigned char be[4] = {
		(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8),
		(unsigned char)len,
	};

	EVP_DigestUpdate(md, be, sizeof(be));
	if (len > 0)
		EVP_DigestUpdate(md, p, len);
}

/*
 * The session ID context: a hash over every input of verification, so
 * that a session made under other inputs does not resume. sni is NULL for
 * the default entry.
 */
static int
sid_compute(unsigned char out[SID_LEN], bool server, const struct mdp_tls_bundle *b,
	    const char *td, enum mdp_mtls_mode mode, bool allow_no_id, const char *sni,
	    const void *gen, size_t gen_len)
{
	static const char tag[] = "meshdp sid_ctx 1";
	unsigned char flags[4] = { server, (unsigned char)mode, allow_no_id, sni != NULL };
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned olen = 0;
	int ok;

	if (md == NULL)
		return -1;
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	if (ok) {
		sid_field(md, tag, sizeof(tag) - 1);
		sid_field(md, flags, sizeof(flags));
		sid_field(md, b != NULL ? mdp_tls_bundle_fingerprint(b) : NULL, b != NULL ? 32 : 0);
		sid_field(md, td, strlen(td));
		sid_field(md, sni, sni != NULL ? strlen(sni) : 0);
		sid_field(md, gen, gen != NULL ? gen_len : 0);
		ok = EVP_DigestFinal_ex(md, out, &olen) && olen == SID_LEN;
	}
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

static SSL_CTX *
ctx_base(bool server, const struct mdp_tls_params *p, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

	if (ctx == NULL) {
		mdp_errf(err, errlen, "SSL_CTX_new: %s", mdp_tls_ossl_reason());
		return NULL;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, p->min_version) ||
	    !SSL_CTX_set_max_proto_version(ctx, p->max_version) ||
	    !SSL_CTX_set_ciphersuites(ctx, p->ciphersuites) ||
	    (p->ciphers[0] != '\0' && !SSL_CTX_set_cipher_list(ctx, p->ciphers)) ||
	    !SSL_CTX_set1_groups_list(ctx, p->groups)) {
		mdp_errf(err, errlen, "protocol parameters: %s", mdp_tls_ossl_reason());
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
				 (server ? SSL_OP_CIPHER_SERVER_PREFERENCE : 0));
	/* the purpose checks the extended key usage of the peer's leaf */
	SSL_CTX_set_purpose(ctx, server ? X509_PURPOSE_SSL_CLIENT : X509_PURPOSE_SSL_SERVER);
	SSL_CTX_set_timeout(ctx, (long)p->ticket_lifetime_s);
	return ctx;
}

static int
ctx_use_cred(SSL_CTX *ctx, struct mdp_tls_cred *cred, char *err, size_t errlen)
{
	if (SSL_CTX_use_cert_and_key(ctx, mdp_tls_cred_leaf(cred), mdp_tls_cred_key(cred),
				     mdp_tls_cred_chain(cred), 1) != 1) {
		mdp_errf(err, errlen, "credential: %s", mdp_tls_ossl_reason());
		return -1;
	}
	return 0;
}

static int
ctx_use_bundle(SSL_CTX *ctx, const struct mdp_tls_bundle *b, char *err, size_t errlen)
{
	/* one store per context: no lock shared between contexts */
	X509_STORE *store = mdp_tls_bundle_store_new(b);

	if (store == NULL) {
		mdp_errf(err, errlen, "trust bundle: %s", mdp_tls_ossl_reason());
		return -1;
	}
	SSL_CTX_set_cert_store(ctx, store);
	return 0;
}

static struct ctx_state *
ctx_attach_state(SSL_CTX *ctx, char *err, size_t errlen)
{
	struct ctx_state *st = calloc(1, sizeof(*st));

	if (st == NULL || !SSL_CTX_set_ex_data(ctx, ctx_idx, st)) {
		free(st);
		mdp_errf(err, errlen, "out of memory");
		return NULL;
	}
	return st;
}

/* One context of a server set: the default (sni NULL) or an SNI entry. */
static SSL_CTX *
server_ctx_one(const struct mdp_tls_server_conf *c, const struct mdp_tls_params *p,
	       enum mdp_mtls_mode mode, struct mdp_tls_cred *cred, const char *sni,
	       const unsigned char *alpn, unsigned alpn_len, char *err, size_t errlen)
{
	struct ctx_state *st;
	SSL_CTX *ctx;

	ctx = ctx_base(true, p, err, errlen);
	if (ctx == NULL)
		return NULL;
	st = ctx_attach_state(ctx, err, errlen);
	if (st == NULL)
		goto fail;
	st->server = true;
	st->mode = mode;
	st->allow_no_id = c->allow_no_spiffe_id;
	snprintf(st->td, sizeof(st->td), "%s", c->trust_domain != NULL ? c->trust_domain : "");
	memcpy(st->alpn, alpn, alpn_len);
	st->alpn_len = alpn_len;
	if (ctx_use_cred(ctx, cred, err, errlen) < 0)
		goto fail;
	if (c->bundle != NULL && ctx_use_bundle(ctx, c->bundle, err, errlen) < 0)
		goto fail;
	SSL_CTX_set_verify(ctx, verify_flags(mode), NULL);
	SSL_CTX_set_cert_verify_callback(ctx, cert_verify_cb, st);
	/* no server-side cache: no shared store, no lock; tickets only */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/* TLS 1.3: the dataplane sends tickets itself (the header says why) */
	SSL_CTX_set_num_tickets(ctx, 0);
	if (c->ticket_keys != NULL) {
		st->keys = mdp_tls_ticket_keys_ref(c->ticket_keys);
		SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb);
	} else {
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	}
	if (sid_compute(st->sid_ctx, true, c->bundle, st->td, mode, st->allow_no_id, sni,
			c->policy_gen, c->policy_gen_len) < 0 ||
	    !SSL_CTX_set_session_id_context(ctx, st->sid_ctx, SID_LEN)) {
		mdp_errf(err, errlen, "session ID context: %s", mdp_tls_ossl_reason());
		goto fail;
	}
	if (alpn_len > 0)
		SSL_CTX_set_alpn_select_cb(ctx, alpn_select_cb, st);
	return ctx;
fail:
	SSL_CTX_free(ctx);	/* frees st through ex_data */
	return NULL;
}

/* NULL and "" both mean any trust domain. */
static bool
td_ok(const char *td)
{
	return td == NULL || td[0] == '\0' || mdp_tls_spiffe_td_valid(td, strlen(td));
}

int
mdp_tls_sni_name_valid(const char *name)
{
	struct sni_slot sl;

	return sni_slot_set(&sl, name) ? 1 : 0;
}

/* What both constructors do first: the ex_data indices, the parameters
 * (given, or the defaults in *defaults) and their ALPN list in wire format.
 * Returns the parameters to use, or NULL with err set. */
static const struct mdp_tls_params *
ctx_prologue(const struct mdp_tls_params *given, struct mdp_tls_params *defaults,
	     unsigned char alpn[MDP_TLS_ALPN_MAX], unsigned *alpn_len, char *err, size_t errlen)
{
	const struct mdp_tls_params *p = given;
	char msg[256];

	if (!idx_ready()) {
		mdp_errf(err, errlen, "OpenSSL ex_data: %s", mdp_tls_ossl_reason());
		return NULL;
	}
	if (p == NULL) {
		mdp_tls_params_defaults(defaults);
		p = defaults;
	}
	if (mdp_tls_params_check(p, msg, sizeof(msg)) < 0 ||
	    alpn_wire(p->alpn, alpn, MDP_TLS_ALPN_MAX, alpn_len, msg, sizeof(msg)) < 0) {
		mdp_errf(err, errlen, "%s", msg);
		return NULL;
	}
	return p;
}

SSL_CTX *
mdp_tls_server_ctx_new(const struct mdp_tls_server_conf *c, char *err, size_t errlen)
{
	struct mdp_tls_params defaults;
	const struct mdp_tls_params *p;
	unsigned char alpn[MDP_TLS_ALPN_MAX];
	unsigned alpn_len = 0;
	struct sni_table *t = NULL;
	struct ctx_state *st;
	enum mdp_mtls_mode mode;
	bool bundle_needed;
	SSL_CTX *ctx;
	char msg[256];

	if (c == NULL || c->cred == NULL) {
		mdp_errf(err, errlen, "no credential");
		return NULL;
	}
	p = ctx_prologue(c->params, &defaults, alpn, &alpn_len, err, errlen);
	if (p == NULL)
		return NULL;
	mode = c->mtls == MDP_MTLS_UNSET ? MDP_MTLS_STRICT : c->mtls;
	if (mode == MDP_MTLS_DISABLE || (unsigned)mode > MDP_MTLS_SIMPLE) {
		mdp_errf(err, errlen, "mtls %s: no TLS server context for it",
			     mdp_tls_mtls_name(mode));
		return NULL;
	}
	if (!td_ok(c->trust_domain)) {
		mdp_errf(err, errlen, "trust domain '%s' is not valid", c->trust_domain);
		return NULL;
	}
	if (c->n_sni > MAX_SNI || (c->n_sni > 0 && c->sni == NULL)) {
		mdp_errf(err, errlen, "%u SNI entries (at most %u)", c->n_sni, MAX_SNI);
		return NULL;
	}
	t = calloc(1, sizeof(*t) + c->n_sni * sizeof(t->slot[0]));
	if (t == NULL) {
		mdp_errf(err, errlen, "out of memory");
		return NULL;
	}
	bundle_needed = needs_bundle(mode);
	for (unsigned i = 0; i < c->n_sni; i++) {
		const struct mdp_tls_sni_entry *e = &c->sni[i];
		struct sni_slot *sl = &t->slot[i];

		if (!sni_slot_set(sl, e->server_name)) {
			mdp_errf(err, errlen, "sni[%u]: '%s' is not a host name or *.suffix", i,
				     e->server_name != NULL ? e->server_name : "(null)");
			goto fail;
		}
		for (unsigned j = 0; j < i; j++) {
			if (t->slot[j].wildcard == sl->wildcard && t->slot[j].len == sl->len &&
			    memcmp(t->slot[j].name, sl->name, sl->len) == 0) {
				mdp_errf(err, errlen, "sni[%u]: '%s' is also sni[%u]", i,
					     e->server_name, j);
				goto fail;
			}
		}
		if (e->mtls == MDP_MTLS_DISABLE || (unsigned)e->mtls > MDP_MTLS_SIMPLE) {
			mdp_errf(err, errlen,
				     "sni[%u]: mtls %s cannot apply inside TLS (SIMPLE: no client "
				     "certificate)", i, mdp_tls_mtls_name(e->mtls));
			goto fail;
		}
		bundle_needed = bundle_needed ||
				needs_bundle(e->mtls == MDP_MTLS_UNSET ? mode : e->mtls);
	}
	if (bundle_needed && c->bundle == NULL) {
		mdp_errf(err, errlen, "mtls STRICT and PERMISSIVE need a trust bundle");
		goto fail;
	}
	for (unsigned i = 0; i < c->n_sni; i++) {
		const struct mdp_tls_sni_entry *e = &c->sni[i];
		enum mdp_mtls_mode m = e->mtls == MDP_MTLS_UNSET ? mode : e->mtls;
		/* the wildcard keeps its '*' in the hash: "*.a" and "a" differ */
		char key[258];

		snprintf(key, sizeof(key), "%s%s", t->slot[i].wildcard ? "*" : "", t->slot[i].name);
		t->slot[i].ctx = server_ctx_one(c, p, m, e->cred != NULL ? e->cred : c->cred, key,
						alpn, alpn_len, msg, sizeof(msg));
		if (t->slot[i].ctx == NULL) {
			mdp_errf(err, errlen, "sni[%u]: %s", i, msg);
			goto fail;
		}
		t->n = i + 1;
	}
	ctx = server_ctx_one(c, p, mode, c->cred, NULL, alpn, alpn_len, err, errlen);
	if (ctx == NULL)
		goto fail;
	st = (struct ctx_state *)ctx_state(ctx);
	st->sni = t;
	SSL_CTX_set_client_hello_cb(ctx, client_hello_cb, t);
	SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
	for (unsigned i = 0; i < t->n; i++)
		SSL_CTX_set_client_hello_cb(t->slot[i].ctx, client_hello_cb, t);
	return ctx;
fail:
	for (unsigned i = 0; i < t->n; i++)
		SSL_CTX_free(t->slot[i].ctx);
	free(t);
	return NULL;
}

void
mdp_tls_ctx_foreach(SSL_CTX *ctx, void (*fn)(SSL_CTX *ctx, void *arg), void *arg)
{
	const struct ctx_state *st;

	if (ctx == NULL || fn == NULL)
		return;
	fn(ctx, arg);
	st = ctx_state(ctx);
	if (st != NULL && st->sni != NULL)
		for (unsigned i = 0; i < st->sni->n; i++)
			fn(st->sni->slot[i].ctx, arg);
}

enum mdp_mtls_mode
mdp_tls_server_mode(const SSL *ssl)
{
	const struct ctx_state *st = ssl != NULL ? ctx_state(SSL_get_SSL_CTX(ssl)) : NULL;

	return st != NULL && st->server ? st->mode : MDP_MTLS_UNSET;
}

SSL_CTX *
mdp_tls_client_ctx_new(const struct mdp_tls_client_conf *c, char *err, size_t errlen)
{
	struct mdp_tls_params defaults;
	const struct mdp_tls_params *p;
	unsigned char alpn[MDP_TLS_ALPN_MAX];
	unsigned alpn_len = 0;
	struct ctx_state *st;
	SSL_CTX *ctx;

	if (c == NULL || c->bundle == NULL) {
		mdp_errf(err, errlen, "a client needs a trust bundle");
		return NULL;
	}
	p = ctx_prologue(c->params, &defaults, alpn, &alpn_len, err, errlen);
	if (p == NULL)
		return NULL;
	if (!td_ok(c->trust_domain)) {
		mdp_errf(err, errlen, "trust domain '%s' is not valid", c->trust_domain);
		return NULL;
	}
	ctx = ctx_base(false, p, err, errlen);
	if (ctx == NULL)
		return NULL;
	st = ctx_attach_state(ctx, err, errlen);
	if (st == NULL)
		goto fail;
	st->server = false;
	st->allow_no_id = c->allow_no_spiffe_id;
	snprintf(st->td, sizeof(st->td), "%s", c->trust_domain != NULL ? c->trust_domain : "");
	if (c->cred != NULL && ctx_use_cred(ctx, c->cred, err, errlen) < 0)
		goto fail;
	if (ctx_use_bundle(ctx, c->bundle, err, errlen) < 0)
		goto fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, cert_verify_cb, st);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
					    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	/* sessions carry it: mdp_tls_client_set_session() compares */
	if (sid_compute(st->sid_ctx, false, c->bundle, st->td, MDP_MTLS_UNSET, st->allow_no_id,
			NULL, c->policy_gen, c->policy_gen_len) < 0 ||
	    !SSL_CTX_set_session_id_context(ctx, st->sid_ctx, SID_LEN)) {
		mdp_errf(err, errlen, "session ID context: %s", mdp_tls_ossl_reason());
		goto fail;
	}
	if (alpn_len > 0 && SSL_CTX_set_alpn_protos(ctx, alpn, alpn_len) != 0) {
		mdp_errf(err, errlen, "alpn: %s", mdp_tls_ossl_reason());
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

int
mdp_tls_client_prepare(SSL *ssl, const char *sni, const char *const *expected_ids, unsigned n)
{
	const struct ctx_state *st;
	struct client_state *cs;
	size_t total = 0;
	char host[256];
	char *p;

	if (ssl == NULL || n > MAX_EXPECTED_IDS || (n > 0 && expected_ids == NULL))
		return -EINVAL;
	st = ctx_state(SSL_get_SSL_CTX(ssl));
	if (st == NULL || st->server || SSL_get_ex_data(ssl, client_idx) != NULL)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		size_t len;

		if (expected_ids[i] == NULL)
			return -EINVAL;
		len = strlen(expected_ids[i]);
		if (mdp_tls_spiffe_id_parse(expected_ids[i], len, NULL) < 0)
			return -EINVAL;
		total += len + 1;
	}
	if (sni != NULL && !host_lower(sni, strlen(sni), host))
		return -EINVAL;
	cs = calloc(1, sizeof(*cs) + n * (sizeof(char *) + sizeof(size_t)) + total);
	if (cs == NULL)
		return -ENOMEM;
	cs->n = n;
	cs->ids = (const char **)(cs + 1);
	cs->lens = (size_t *)(cs->ids + n);
	p = (char *)(cs->lens + n);
	for (unsigned i = 0; i < n; i++) {
		size_t len = strlen(expected_ids[i]);

		memcpy(p, expected_ids[i], len + 1);
		cs->ids[i] = p;
		cs->lens[i] = len;
		p += len + 1;
	}
	if (!SSL_set_ex_data(ssl, client_idx, cs)) {
		free(cs);
		return -ENOMEM;
	}
	if (sni != NULL && SSL_set_tlsext_host_name(ssl, sni) != 1) {
		ERR_clear_error();
		return -ENOMEM;
	}
	return 0;
}

int
mdp_tls_client_set_session(SSL *ssl, SSL_SESSION *sess)
{
	const struct ctx_state *st;
	const unsigned char *sid;
	unsigned sid_len = 0;
	X509 *peer;

	if (ssl == NULL || sess == NULL)
		return -EINVAL;
	st = ctx_state(SSL_get_SSL_CTX(ssl));
	if (st == NULL || st->server)
		return -EINVAL;
	sid = SSL_SESSION_get0_id_context(sess, &sid_len);
	if (sid_len != SID_LEN || memcmp(sid, st->sid_ctx, SID_LEN) != 0 ||
	    !SSL_SESSION_is_resumable(sess))
		return -ESTALE;
	peer = SSL_SESSION_get0_peer(sess);
	if (peer == NULL || check_peer(st, SSL_get_ex_data(ssl, client_idx), peer) !=
				    MDP_TLS_ERR_NONE)
		return -ESTALE;
	if (SSL_set_session(ssl, sess) != 1) {
		ERR_clear_error();
		return -EINVAL;
	}
	return 0;
}

int
mdp_tls_peer_id(SSL *ssl, char *out, size_t n)
{
	X509 *peer;

	if (ssl == NULL)
		return -EINVAL;
	peer = SSL_get0_peer_certificate(ssl);
	if (peer == NULL)
		return -ENOENT;
	if (SSL_get_verify_result(ssl) != X509_V_OK)
		return -EPERM;
	return mdp_tls_cert_spiffe_id(peer, out, n);
}
