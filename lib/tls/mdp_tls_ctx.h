/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TLS_CTX_H
#define MDP_TLS_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls/mdp_tls_spiffe.h"
#include "tls/mdp_tls_types.h"

/*
 * The OpenSSL side of mTLS (docs/tls.md): credentials, trust bundles,
 * session-ticket keys, server and client SSL_CTX objects with the mesh's
 * verification rules, SPIFFE identities of certificates, and why a
 * handshake failed.
 *
 * Everything here that builds something (credentials, bundles, keys,
 * contexts) runs on the control thread and may allocate. A context, once
 * made, is not changed again: workers create SSL objects from it and drive
 * handshakes concurrently. To change anything (rotate a certificate, a
 * bundle, the ticket keys, the policy), build new contexts and publish
 * them; connections keep the context they started with.
 *
 * Error reporting of constructors: NULL, and a one-line message in err
 * (errlen bytes, always NUL-terminated when errlen > 0; err may be NULL
 * when errlen is 0). Messages quote OpenSSL's reason where it has one.
 */

/* ---- credentials ---- */

/*
 * A certificate chain and its private key. cert_pem holds the chain, leaf
 * first, each certificate issued by the next; key_pem the leaf's
 * unencrypted private key: EC P-256 or P-384, RSA of at least 2048 bits,
 * or Ed25519. Refused with a message: no certificate, garbage PEM, a chain
 * out of order, an encrypted or unsupported key, a key that does not match
 * the leaf, a leaf whose URI SAN is present but not exactly one valid
 * SPIFFE ID. An expired certificate is accepted (see not_after). The
 * buffers need not be NUL-terminated and are not kept.
 * Returns the credential with one reference, or NULL.
 */
struct mdp_tls_cred *mdp_tls_cred_new(const char *cert_pem, size_t cert_len,
				      const char *key_pem, size_t key_len, char *err,
				      size_t errlen);

/* The same from two files (messages name the file). */
struct mdp_tls_cred *mdp_tls_cred_from_files(const char *cert_path, const char *key_path,
					     char *err, size_t errlen);

/* Reference counting (atomic: any thread). _unref(NULL) is a no-op. */
struct mdp_tls_cred *mdp_tls_cred_ref(struct mdp_tls_cred *c);
void mdp_tls_cred_unref(struct mdp_tls_cred *c);

/* The leaf's SPIFFE ID (NUL-terminated), or NULL when it has no URI SAN. */
const char *mdp_tls_cred_spiffe_id(const struct mdp_tls_cred *c);
/* The leaf's notAfter and notBefore (seconds since the epoch, UTC). */
time_t mdp_tls_cred_not_after(const struct mdp_tls_cred *c);
time_t mdp_tls_cred_not_before(const struct mdp_tls_cred *c);
/* SHA-256 of the leaf's DER encoding (32 bytes). */
const uint8_t *mdp_tls_cred_fingerprint(const struct mdp_tls_cred *c);
/* The leaf (no reference taken: valid while c is). */
X509 *mdp_tls_cred_leaf(const struct mdp_tls_cred *c);

/* ---- trust bundles ---- */

/*
 * A trust bundle: one or more CA certificates (PEM, concatenated). Each
 * must be a CA (basicConstraints CA:TRUE, or a v1 self-signed root); no
 * certificate at all, garbage PEM or a non-CA certificate is refused.
 * Returns the bundle with one reference, or NULL.
 */
struct mdp_tls_bundle *mdp_tls_bundle_new(const char *pem, size_t len, char *err,
					  size_t errlen);
struct mdp_tls_bundle *mdp_tls_bundle_from_file(const char *path, char *err, size_t errlen);
struct mdp_tls_bundle *mdp_tls_bundle_ref(struct mdp_tls_bundle *b);
void mdp_tls_bundle_unref(struct mdp_tls_bundle *b);

/* SHA-256 over the set of certificates (order and duplicates do not
 * matter): two bundles with the same fingerprint trust the same CAs. */
const uint8_t *mdp_tls_bundle_fingerprint(const struct mdp_tls_bundle *b);
/* Number of distinct certificates. */
unsigned mdp_tls_bundle_count(const struct mdp_tls_bundle *b);

/* ---- session-ticket keys ---- */

/*
 * Keys that encrypt and authenticate session tickets (AES-256-CBC with
 * HMAC-SHA-256, RFC 5077 4 layout, the key name identifying the key). A
 * set is immutable once made: the current key encrypts new tickets; it and
 * up to MDP_TLS_TICKET_KEYS_OLD previous keys decrypt. A ticket under a
 * previous key is accepted and renewed (a TLS 1.2 server sends a fresh
 * ticket); under an unknown name it is ignored and the handshake is full.
 */
#define MDP_TLS_TICKET_KEYS_OLD 2

/* A set with one fresh random key. NULL on failure (no randomness). */
struct mdp_tls_ticket_keys *mdp_tls_ticket_keys_new(void);
/* A new set: a fresh current key, then old's current and previous keys
 * (at most MDP_TLS_TICKET_KEYS_OLD of them). old is unchanged. */
struct mdp_tls_ticket_keys *mdp_tls_ticket_keys_rotate(const struct mdp_tls_ticket_keys *old);
struct mdp_tls_ticket_keys *mdp_tls_ticket_keys_ref(struct mdp_tls_ticket_keys *k);
void mdp_tls_ticket_keys_unref(struct mdp_tls_ticket_keys *k);

/* ---- protocol parameters ---- */

/* Fill *p with the defaults (struct mdp_tls_params in tls/mdp_tls_types.h). */
void mdp_tls_params_defaults(struct mdp_tls_params *p);

/*
 * Check p whole: versions (1.2, 1.3, min <= max), every TLS 1.3 suite and
 * every TLS 1.2 cipher known to OpenSSL and an ECDHE AEAD (AES-GCM or
 * ChaCha20-Poly1305) — each element of the lists is checked on its own,
 * since OpenSSL silently drops unknown names —, at least one usable suite
 * for each enabled version, known groups, ALPN IDs of 1..255 printable
 * bytes, ticket lifetime 1..604800 s (RFC 8446 4.6.1). Returns 0, or -1
 * with one message (the first problem) in err.
 */
int mdp_tls_params_check(const struct mdp_tls_params *p, char *err, size_t errlen);

/* "1.2" -> MDP_TLS_V1_2, "1.3" -> MDP_TLS_V1_3; 0 for anything else. */
uint16_t mdp_tls_version_parse(const char *s);
/* MDP_TLS_V1_2 -> "1.2", ...; "?" for anything else. */
const char *mdp_tls_version_name(uint16_t v);

/* "STRICT", "PERMISSIVE", "DISABLE", "SIMPLE" (exact case) -> mode;
 * MDP_MTLS_UNSET for anything else. */
enum mdp_mtls_mode mdp_tls_mtls_parse(const char *s);
const char *mdp_tls_mtls_name(enum mdp_mtls_mode m);

/* ---- server contexts ---- */

/* One SNI entry of a server context. */
struct mdp_tls_sni_entry {
	/* "a.example" (exact) or "*.example" (any name ending in ".example",
	 * at any depth); case-insensitive. An exact entry wins over a
	 * wildcard; among wildcards the longest suffix wins. */
	const char *server_name;	/* see mdp_tls_sni_name_valid() */
	struct mdp_tls_cred *cred;	/* NULL: the context's default credential */
	enum mdp_mtls_mode mtls;	/* UNSET: the context's mode; not DISABLE */
};

struct mdp_tls_server_conf {
	struct mdp_tls_cred *cred;		/* default credential, required */
	/* Trust bundle for client certificates: required unless every mode
	 * in use is SIMPLE. */
	struct mdp_tls_bundle *bundle;
	/* The peer's SPIFFE ID must be in this trust domain; NULL or "": any. */
	const char *trust_domain;
	enum mdp_mtls_mode mtls;		/* UNSET is STRICT; DISABLE is refused */
	const struct mdp_tls_sni_entry *sni;
	unsigned n_sni;
	const struct mdp_tls_params *params;	/* NULL: mdp_tls_params_defaults() */
	/* Session tickets: NULL turns resumption off. A reference is taken. */
	struct mdp_tls_ticket_keys *ticket_keys;
	/* The caller's "policy generation": any bytes that change whenever
	 * something outside this structure changes what a peer is allowed
	 * (authorization policies, ...). Sessions do not resume across a
	 * change. May be NULL with length 0. */
	const void *policy_gen;
	size_t policy_gen_len;
	/* Accept a client certificate without a URI SAN (a presented URI SAN
	 * must still be a single valid SPIFFE ID). Default: refuse (bad_san),
	 * as Envoy's SPIFFE validator does. */
	bool allow_no_spiffe_id;
};

/*
 * Make a server context (and one context per SNI entry, owned by it).
 *
 * Verification: client certificates are verified against the bundle with
 * purpose "SSL client" (an extended key usage without clientAuth fails:
 * bad_eku), and must carry exactly one valid SPIFFE ID (bad_san) in the
 * trust domain (wrong_trust_domain). STRICT requires a certificate;
 * PERMISSIVE verifies one when presented (a bad one fails the handshake);
 * SIMPLE does not ask for one. DNS SANs and the subject are never read.
 *
 * Protocol: params; renegotiation off; server cipher preference; ALPN:
 * the first protocol of params->alpn the client offers; when there is none
 * in common the handshake continues without ALPN (Envoy's behaviour; RFC
 * 7301 3.2 would allow no_application_protocol); a client without ALPN
 * gets none.
 *
 * SNI: the entry is chosen in the ClientHello callback, before OpenSSL
 * looks at the offered session, and the SSL switches to that entry's
 * context (certificate, verification mode, session ID context). An SNI
 * that matches no entry, or no SNI, gets the default.
 *
 * Sessions: the server-side session cache is off (no shared store, no
 * locks); resumption is by stateless tickets under conf->ticket_keys only.
 * TLS 1.3: SSL_CTX_set_num_tickets(ctx, 0): OpenSSL sends no ticket by
 * itself. The dataplane sends tickets after the handshake
 * (SSL_new_session_ticket() then SSL_do_handshake()), so that it knows how
 * many records went out under the server's application traffic key before
 * it takes the record layer over. TLS 1.2 tickets are part of the
 * handshake and sent as usual.
 *
 * Resumption safety: each context's session ID context is a SHA-256 over
 * everything that decides verification: the bundle's fingerprint, the
 * trust domain, the mTLS mode, the SNI entry (its name, or the default),
 * allow_no_spiffe_id and policy_gen. A ticket made under another bundle,
 * policy generation or SNI entry (even one decrypted with our keys) is not
 * resumed: the handshake is full and the client certificate is verified
 * again (CVE-2022-21654 and CVE-2025-23419 classes). Rebuilding a context
 * with the same inputs (a new server certificate, rotated ticket keys)
 * keeps resumption working.
 *
 * Returns the default context (free with SSL_CTX_free(); it holds what it
 * needs: the credential and bundle may be released), or NULL.
 */
SSL_CTX *mdp_tls_server_ctx_new(const struct mdp_tls_server_conf *c, char *err, size_t errlen);

/* 1 when name may be an SNI entry: a host name of 1..253 bytes of
 * [A-Za-z0-9.-_] without empty labels, or "*." followed by one. */
int mdp_tls_sni_name_valid(const char *name);

/*
 * Call fn on a server context and on each of its per-SNI contexts (for a
 * hook that every context an SSL may switch to must carry, such as the
 * dataplane's key-log callback). Control thread, before publishing.
 * Client contexts have no others: fn is called once.
 */
void mdp_tls_ctx_foreach(SSL_CTX *ctx, void (*fn)(SSL_CTX *ctx, void *arg), void *arg);

/* The mode the handshake on a server SSL ran under (after the SNI entry
 * was chosen), or UNSET for an SSL of no server context of ours. */
enum mdp_mtls_mode mdp_tls_server_mode(const SSL *ssl);

/* ---- client contexts ---- */

struct mdp_tls_client_conf {
	/* Our certificate: NULL for SIMPLE TLS (no client certificate),
	 * set for MUTUAL. */
	struct mdp_tls_cred *cred;
	struct mdp_tls_bundle *bundle;		/* required: verifies the server */
	const char *trust_domain;		/* NULL or "": any */
	const struct mdp_tls_params *params;	/* NULL: defaults; alpn = offers */
	const void *policy_gen;			/* as for servers */
	size_t policy_gen_len;
	/* Accept a server certificate without a URI SAN when no expected ID
	 * is set (TLS to a server outside the mesh). Default: refuse. */
	bool allow_no_spiffe_id;
};

/*
 * Make a client context. The server's chain is verified against the bundle
 * with purpose "SSL server" (bad_eku for an EKU without serverAuth), its
 * leaf must carry a single valid SPIFFE ID (bad_san) in the trust domain,
 * and, per connection, be one of the expected IDs (mdp_tls_client_prepare).
 * Host names are not checked: the identity is the SPIFFE ID.
 *
 * Session cache: SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE:
 * OpenSSL keeps nothing; the dataplane sets SSL_CTX_sess_set_new_cb() and
 * keeps sessions per endpoint itself, and offers one back with
 * mdp_tls_client_set_session(). Returns the context or NULL.
 */
SSL_CTX *mdp_tls_client_ctx_new(const struct mdp_tls_client_conf *c, char *err, size_t errlen);

/*
 * Per connection, before the handshake: send SNI sni (NULL: none), and
 * accept only a server whose SPIFFE ID is one of expected_ids[0..n) (exact
 * byte comparison); n 0: any ID that chains to the bundle. The IDs are
 * copied (one allocation, freed with the SSL). Returns 0, -EINVAL (an
 * expected ID is not a valid SPIFFE ID, or sni is not a host name),
 * -ENOMEM. May be called once per SSL.
 */
int mdp_tls_client_prepare(SSL *ssl, const char *sni, const char *const *expected_ids,
			   unsigned n);

/*
 * Offer sess for resumption on ssl (after mdp_tls_client_prepare()), only
 * if it is still good for this connection: made by a context with the same
 * bundle, trust domain and policy generation, and its server's SPIFFE ID
 * is one of the expected IDs. A resumed session skips certificate
 * verification, so this check is what keeps an identity change from being
 * bypassed. Returns 0 (offered), -ESTALE (not offered: the handshake will
 * be full; drop the session), -EINVAL.
 */
int mdp_tls_client_set_session(SSL *ssl, SSL_SESSION *sess);

/* ---- identities ---- */

/*
 * The SPIFFE ID of a certificate: its subjectAltName must hold exactly one
 * URI, and that URI must be a valid SPIFFE ID without an embedded NUL (the
 * ASN.1 length is compared with strlen). DNS names, IP addresses and the
 * subject are never consulted. Copies the ID, NUL-terminated, to out[0..n).
 * Returns 0; -ENOENT: no URI SAN; -EINVAL: several URIs, several SAN
 * extensions, a NUL, or not a valid SPIFFE ID; -ENOSPC: n too small.
 */
int mdp_tls_cert_spiffe_id(X509 *x, char *out, size_t n);

/*
 * The SPIFFE ID of ssl's peer, from its certificate as verified in this
 * handshake (or in the one a resumed session came from). Returns 0, -ENOENT
 * (no peer certificate, or no URI SAN), -EPERM (the certificate did not
 * verify), -EINVAL, -ENOSPC as above.
 */
int mdp_tls_peer_id(SSL *ssl, char *out, size_t n);

/* ---- why a handshake failed ---- */

enum mdp_tls_err {
#define MDP_TLS_ERR(sym, name, text) MDP_TLS_ERR_##sym,
#include "tls/mdp_tls_errors.def"
#undef MDP_TLS_ERR
	MDP_TLS_ERR_MAX
};

/*
 * Classify a failed handshake on ssl. e is the first OpenSSL error of the
 * failure (ERR_peek_error() right after SSL_do_handshake() failed with
 * SSL_ERROR_SSL; 0 when there is none). Our own verification checks
 * (bad_san, id_mismatch, wrong_trust_domain) are remembered on the SSL and
 * win; then the certificate verification result; then OpenSSL's reason,
 * including alerts the peer sent (its rejection of our certificate is
 * peer_rejected_cert; of our missing one, no_client_cert). Cheap; no
 * allocation.
 */
enum mdp_tls_err mdp_tls_err_classify(const SSL *ssl, unsigned long e);

/* Map a certificate verification result (X509_V_ERR_*) alone. */
enum mdp_tls_err mdp_tls_err_from_verify(long verify_result);

/* "no_client_cert", ...: the counter name. "?" for an unknown value. */
const char *mdp_tls_err_name(enum mdp_tls_err e);
/* One line for an operator. */
const char *mdp_tls_err_text(enum mdp_tls_err e);

/*
 * A line for a log (slow path): "NAME: TEXT" followed by what OpenSSL said
 * and, for id_mismatch, the ID the peer presented. Returns the length
 * snprintf() would have written.
 */
int mdp_tls_err_describe(const SSL *ssl, unsigned long e, char *buf, size_t n);

#endif
