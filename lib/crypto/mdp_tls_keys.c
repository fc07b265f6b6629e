/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>

#include "mdp_tls_keys.h"

int
mdp_tls_aead_of(const SSL_CIPHER *c)
{
	if (c == NULL)
		return -ENOTSUP;
	switch (SSL_CIPHER_get_cipher_nid(c)) {
	case NID_aes_128_gcm: return MDP_TLS_AES_128_GCM;
	case NID_aes_256_gcm: return MDP_TLS_AES_256_GCM;
	default: return -ENOTSUP;
	}
}

/* RFC 5246 6.3: key_block = PRF(master_secret, "key expansion",
 * server_random + client_random); the TLS1-PRF KDF with the suite's hash */
static int
tls12_key_block(SSL *ssl, const EVP_MD *md, uint8_t *out, size_t len)
{
	static const char label[] = "key expansion";
	uint8_t ms[SSL_MAX_MASTER_KEY_LENGTH], seed[sizeof(label) - 1 + 64];
	SSL_SESSION *sess = SSL_get_session(ssl);
	OSSL_PARAM params[4];
	EVP_KDF_CTX *kctx;
	EVP_KDF *kdf;
	size_t mslen;
	int rc = -EIO;

	if (sess == NULL)
		return -EIO;
	mslen = SSL_SESSION_get_master_key(sess, ms, sizeof(ms));
	if (mslen == 0 || SSL_get_server_random(ssl, seed + sizeof(label) - 1, 32) != 32 ||
	    SSL_get_client_random(ssl, seed + sizeof(label) - 1 + 32, 32) != 32)
		goto out;
	memcpy(seed, label, sizeof(label) - 1);
	kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
	kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
	EVP_KDF_free(kdf);
	if (kctx == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						     (char *)EVP_MD_get0_name(md), 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, ms, mslen);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof(seed));
	params[3] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, len, params) == 1)
		rc = 0;
	EVP_KDF_CTX_free(kctx);
out:
	OPENSSL_cleanse(ms, sizeof(ms));
	return rc;
}

static int
keys12(SSL *ssl, IMB_MGR *m, enum mdp_tls_aead a, bool is_server,
       struct mdp_tls_rec_key *rx, struct mdp_tls_rec_key *tx, uint64_t rx_seq,
       uint64_t tx_seq)
{
	const EVP_MD *md = SSL_CIPHER_get_handshake_digest(SSL_get_current_cipher(ssl));
	size_t klen = a == MDP_TLS_AES_128_GCM ? 16 : 32;
	/* client_write_key, server_write_key, client_write_IV, server_write_IV;
	 * no MAC keys with an AEAD (RFC 5246 6.3, RFC 5288 3) */
	uint8_t kb[2 * 32 + 2 * 4];
	const uint8_t *ck = kb, *sk = kb + klen, *civ = kb + 2 * klen, *siv = civ + 4;
	int rc;

	if (md == NULL)
		return -EIO;
	rc = tls12_key_block(ssl, md, kb, 2 * klen + 8);
	if (rc == 0)
		rc = mdp_tls_key_init12(rx, m, a, is_server ? ck : sk, is_server ? civ : siv,
					rx_seq);
	if (rc == 0)
		rc = mdp_tls_key_init12(tx, m, a, is_server ? sk : ck, is_server ? siv : civ,
					tx_seq);
	OPENSSL_cleanse(kb, sizeof(kb));
	return rc;
}

int
mdp_tls_keys_from_ssl(SSL *ssl, IMB_MGR *m, const uint8_t *client_secret,
		      const uint8_t *server_secret, size_t secret_len, bool is_server,
		      struct mdp_tls_rec_key *rx, struct mdp_tls_rec_key *tx, uint64_t rx_seq,
		      uint64_t tx_seq)
{
	int a = mdp_tls_aead_of(SSL_get_current_cipher(ssl)), rc;

	if (a < 0)
		return a;
	switch (SSL_version(ssl)) {
	case TLS1_2_VERSION:
		return keys12(ssl, m, (enum mdp_tls_aead)a, is_server, rx, tx, rx_seq, tx_seq);
	case TLS1_3_VERSION:
		if (client_secret == NULL || server_secret == NULL)
			return -EINVAL;
		rc = mdp_tls_key_init13(rx, m, (enum mdp_tls_aead)a,
					is_server ? client_secret : server_secret, secret_len);
		if (rc == 0)
			rc = mdp_tls_key_init13(tx, m, (enum mdp_tls_aead)a,
						is_server ? server_secret : client_secret,
						secret_len);
		if (rc != 0)
			return rc;
		rx->seq = rx_seq;
		tx->seq = tx_seq;
		return 0;
	default:
		return -ENOTSUP;
	}
}

static int
unhex(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = OPENSSL_hexchar2int((unsigned char)s[2 * i]);
		int lo = OPENSSL_hexchar2int((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int
mdp_tls_keylog_secret(const char *line, const char *label, uint8_t out[48],
		      uint8_t client_random[32])
{
	size_t ll = strlen(label), hl;
	const char *cr, *sec;
	uint8_t tmp[32];

	if (strncmp(line, label, ll) != 0 || line[ll] != ' ')
		return strchr(line, ' ') != NULL ? -ENOENT : -EINVAL;
	cr = line + ll + 1;
	if (strspn(cr, "0123456789abcdefABCDEF") != 64 || cr[64] != ' ')
		return -EINVAL;
	sec = cr + 65;
	hl = strspn(sec, "0123456789abcdefABCDEF");
	if ((sec[hl] != '\0' && sec[hl] != '\n') || hl % 2 != 0 || hl / 2 < 32 || hl / 2 > 48)
		return -EINVAL;
	if (unhex(sec, hl / 2, out) != 0 || unhex(cr, 32, tmp) != 0)
		return -EINVAL;
	if (client_random != NULL)
		memcpy(client_random, tmp, 32);
	return (int)(hl / 2);
}
