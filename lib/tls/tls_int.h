/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TLS_INT_H
#define MDP_TLS_INT_H

#include <stdarg.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tls/mdp_tls_ctx.h"
#include "util/mdp_err.h"

/* Shared between the files of lib/tls; not an API. */

#define MDP_TLS_FILE_LIMIT (1u << 20)	/* a PEM file this large is a mistake */


/* The reason of OpenSSL's most recent error ("no start line"), or "no
 * detail"; empties the thread's error queue. */
const char *mdp_tls_ossl_reason(void);

/* Read a whole regular file (at most max bytes): 0 or -errno (-EFBIG beyond
 * max, -EISDIR, -EINVAL: not a regular file). */
int mdp_tls_read_file(const char *path, size_t max, char **out, size_t *len);

/* What a context needs of a credential (no reference taken). */
EVP_PKEY *mdp_tls_cred_key(const struct mdp_tls_cred *c);
STACK_OF(X509) *mdp_tls_cred_chain(const struct mdp_tls_cred *c);

/* A new store holding the bundle's certificates (the caller owns it). */
X509_STORE *mdp_tls_bundle_store_new(const struct mdp_tls_bundle *b);

/* The body of the ticket-key callback (SSL_CTX_set_tlsext_ticket_key_evp_cb). */
int mdp_tls_ticket_keys_cb(const struct mdp_tls_ticket_keys *k, unsigned char name[16],
			   unsigned char *iv, EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc);

/* Our per-SSL verification verdict (mdp_tls_ctx.c), for the classifier,
 * and what the peer presented on id_mismatch (NULL if nothing). */
enum mdp_tls_err mdp_tls_ssl_reason(const SSL *ssl);
const char *mdp_tls_ssl_seen_id(const SSL *ssl);

#endif
