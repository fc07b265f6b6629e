/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TEST_TLS_PAIR_H
#define MDP_TEST_TLS_PAIR_H

#include <stdint.h>

#include <openssl/ssl.h>

/*
 * Two OpenSSL endpoints joined by memory BIOs, for tests and benchmarks that
 * need a real handshake without a network (tests/unit/test_tls_rec.c,
 * perf/bench_tls_rec.c). The test moves the bytes itself: what the client
 * writes is read from c_out and what it reads is written to c_in (s_out,
 * s_in for the server), so records can be looked at, changed or replaced.
 */
struct mdp_test_tls_pair {
	SSL_CTX *cctx, *sctx;
	SSL *c, *s;
	BIO *c_in, *c_out, *s_in, *s_out;	/* owned by c and s */
	/* TLS 1.3: CLIENT_/SERVER_TRAFFIC_SECRET_0 from the client's keylog */
	uint8_t client_secret[48], server_secret[48];
	int secret_len;
};

/* A self-signed ECDSA P-256 certificate (CN meshdp-test, valid one hour).
 * Returns 0 or -1. */
int mdp_test_tls_cert(EVP_PKEY **pkey, X509 **cert);

/*
 * Set up both endpoints for exactly `version` (TLS1_2_VERSION,
 * TLS1_3_VERSION) and `suite` (a TLS 1.3 ciphersuite or a TLS 1.2 cipher
 * list), the server with pkey/cert and no session tickets, and run the
 * handshake to its end (nothing left in flight). Returns 0, or -1 with the
 * pair freed.
 */
int mdp_test_tls_pair_new(struct mdp_test_tls_pair *p, int version, const char *suite,
			  EVP_PKEY *pkey, X509 *cert);
void mdp_test_tls_pair_free(struct mdp_test_tls_pair *p);

/* Move every byte readable from `from` into `to`. */
void mdp_test_tls_pump(BIO *from, BIO *to);

#endif
