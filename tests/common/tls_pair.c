/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/mdp_tls_keys.h"
#include "tls_pair.h"

int
mdp_test_tls_cert(EVP_PKEY **pkey, X509 **cert)
{
	X509_NAME *name;

	*pkey = EVP_EC_gen("P-256");
	*cert = X509_new();
	if (*pkey == NULL || *cert == NULL)
		return -1;
	X509_set_version(*cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(*cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(*cert), -60);
	X509_gmtime_adj(X509_getm_notAfter(*cert), 3600);
	X509_set_pubkey(*cert, *pkey);
	name = X509_get_subject_name(*cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"meshdp-test",
				   -1, -1, 0);
	X509_set_issuer_name(*cert, name);
	return X509_sign(*cert, *pkey, EVP_sha256()) > 0 ? 0 : -1;
}

static int pair_idx = -1;

static void
keylog_cb(const SSL *ssl, const char *line)
{
	struct mdp_test_tls_pair *p = SSL_get_ex_data(ssl, pair_idx);
	int n;

	if (p == NULL)
		return;
	if ((n = mdp_tls_keylog_secret(line, "CLIENT_TRAFFIC_SECRET_0", p->client_secret,
				       NULL)) > 0)
		p->secret_len = n;
	mdp_tls_keylog_secret(line, "SERVER_TRAFFIC_SECRET_0", p->server_secret, NULL);
}

void
mdp_test_tls_pump(BIO *from, BIO *to)
{
	uint8_t buf[16384];
	int n;

	while ((n = BIO_read(from, buf, sizeof(buf))) > 0)
		BIO_write(to, buf, n);
}

int
mdp_test_tls_pair_new(struct mdp_test_tls_pair *p, int version, const char *suite,
		      EVP_PKEY *pkey, X509 *cert)
{
	int rc = 0, rs = 0;

	memset(p, 0, sizeof(*p));
	if (pair_idx < 0)
		pair_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	p->cctx = SSL_CTX_new(TLS_client_method());
	p->sctx = SSL_CTX_new(TLS_server_method());
	if (p->cctx == NULL || p->sctx == NULL)
		goto fail;
	for (int i = 0; i < 2; i++) {
		SSL_CTX *x = i ? p->sctx : p->cctx;

		if (SSL_CTX_set_min_proto_version(x, version) != 1 ||
		    SSL_CTX_set_max_proto_version(x, version) != 1 ||
		    (version == TLS1_3_VERSION ? SSL_CTX_set_ciphersuites(x, suite)
					       : SSL_CTX_set_cipher_list(x, suite)) != 1)
			goto fail;
	}
	if (SSL_CTX_use_certificate(p->sctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(p->sctx, pkey) != 1)
		goto fail;
	/* TLS 1.3: no NewSessionTicket, so application records start at 0 */
	SSL_CTX_set_num_tickets(p->sctx, 0);
	SSL_CTX_set_keylog_callback(p->cctx, keylog_cb);
	p->c = SSL_new(p->cctx);
	p->s = SSL_new(p->sctx);
	p->c_in = BIO_new(BIO_s_mem());
	p->c_out = BIO_new(BIO_s_mem());
	p->s_in = BIO_new(BIO_s_mem());
	p->s_out = BIO_new(BIO_s_mem());
	if (p->c == NULL || p->s == NULL || p->c_in == NULL || p->c_out == NULL ||
	    p->s_in == NULL || p->s_out == NULL) {
		BIO_free(p->c_in);
		BIO_free(p->c_out);
		BIO_free(p->s_in);
		BIO_free(p->s_out);
		goto fail;
	}
	SSL_set_ex_data(p->c, pair_idx, p);
	SSL_set_bio(p->c, p->c_in, p->c_out);
	SSL_set_bio(p->s, p->s_in, p->s_out);
	SSL_set_connect_state(p->c);
	SSL_set_accept_state(p->s);
	for (int i = 0; i < 20; i++) {
		rc = SSL_do_handshake(p->c);
		mdp_test_tls_pump(p->c_out, p->s_in);
		rs = SSL_do_handshake(p->s);
		mdp_test_tls_pump(p->s_out, p->c_in);
		if (rc == 1 && rs == 1 && BIO_ctrl_pending(p->c_in) == 0 &&
		    BIO_ctrl_pending(p->s_in) == 0)
			return 0;
	}
fail:
	mdp_test_tls_pair_free(p);
	return -1;
}

void
mdp_test_tls_pair_free(struct mdp_test_tls_pair *p)
{
	SSL_free(p->c);
	SSL_free(p->s);
	SSL_CTX_free(p->cctx);
	SSL_CTX_free(p->sctx);
	memset(p, 0, sizeof(*p));
	ERR_clear_error();
}
