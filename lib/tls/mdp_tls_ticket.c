/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "tls/mdp_tls_ctx.h"
#include "tls_int.h"

/*
 * Session-ticket keys. A set never changes once made, so workers read it
 * without a lock; rotation makes a new set (and new contexts). The ticket
 * layout is OpenSSL's (RFC 5077 4): a 16-byte key name, the IV, the
 * AES-256-CBC encrypted session, an HMAC-SHA-256 over it all.
 */

struct ticket_key {
	unsigned char name[16];
	unsigned char aes[32];
	unsigned char hmac[32];
};

struct mdp_tls_ticket_keys {
	atomic_uint refs;
	unsigned n;			/* keys in use: k[0] is current */
	struct ticket_key k[1 + MDP_TLS_TICKET_KEYS_OLD];
};

static struct mdp_tls_ticket_keys *
keys_alloc(void)
{
	struct mdp_tls_ticket_keys *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	atomic_init(&k->refs, 1);
	if (RAND_bytes(k->k[0].name, sizeof(k->k[0].name)) != 1 ||
	    RAND_priv_bytes(k->k[0].aes, sizeof(k->k[0].aes)) != 1 ||
	    RAND_priv_bytes(k->k[0].hmac, sizeof(k->k[0].hmac)) != 1) {
		OPENSSL_clear_free(k, sizeof(*k));
		return NULL;
	}
	k->n = 1;
	return k;
}

struct mdp_tls_ticket_keys *
mdp_tls_ticket_keys_new(void)
{
	return keys_alloc();
}

struct mdp_tls_ticket_keys *
mdp_tls_ticket_keys_rotate(const struct mdp_tls_ticket_keys *old)
{
	struct mdp_tls_ticket_keys *k;
	unsigned keep;

	if (old == NULL)
		return NULL;
	k = keys_alloc();
	if (k == NULL)
		return NULL;
	keep = old->n < MDP_TLS_TICKET_KEYS_OLD ? old->n : MDP_TLS_TICKET_KEYS_OLD;
	/* a fresh random name could collide with a kept one: 2^-128 */
	memcpy(&k->k[1], &old->k[0], keep * sizeof(old->k[0]));
	k->n = 1 + keep;
	return k;
}

struct mdp_tls_ticket_keys *
mdp_tls_ticket_keys_ref(struct mdp_tls_ticket_keys *k)
{
	if (k != NULL)
		atomic_fetch_add_explicit(&k->refs, 1, memory_order_relaxed);
	return k;
}

void
mdp_tls_ticket_keys_unref(struct mdp_tls_ticket_keys *k)
{
	if (k != NULL && atomic_fetch_sub_explicit(&k->refs, 1, memory_order_acq_rel) == 1)
		OPENSSL_clear_free(k, sizeof(*k));
}

static int
key_init(const struct ticket_key *tk, unsigned char *iv, EVP_CIPHER_CTX *cctx,
	 EVP_MAC_CTX *hctx, int enc)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)tk->hmac,
						  sizeof(tk->hmac)),
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	if (EVP_MAC_CTX_set_params(hctx, params) != 1)
		return -1;
	if (enc)
		return EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, tk->aes, iv) == 1 ? 0 : -1;
	return EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, tk->aes, iv) == 1 ? 0 : -1;
}

/*
 * SSL_CTX_set_tlsext_ticket_key_evp_cb() semantics. Encrypt: 1 (ticket
 * made) or -1. Decrypt: 0 (unknown key name: full handshake), 1 (current
 * key), 2 (previous key: accept and issue a new ticket), -1 (error).
 */
int
mdp_tls_ticket_keys_cb(const struct mdp_tls_ticket_keys *k, unsigned char name[16],
		       unsigned char *iv, EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	if (k == NULL)
		return enc ? -1 : 0;
	if (enc) {
		if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1)
			return -1;
		memcpy(name, k->k[0].name, sizeof(k->k[0].name));
		return key_init(&k->k[0], iv, cctx, hctx, 1) == 0 ? 1 : -1;
	}
	for (unsigned i = 0; i < k->n; i++) {
		if (CRYPTO_memcmp(name, k->k[i].name, sizeof(k->k[i].name)) != 0)
			continue;
		if (key_init(&k->k[i], iv, cctx, hctx, 0) < 0)
			return -1;
		return i == 0 ? 1 : 2;
	}
	return 0;
}
