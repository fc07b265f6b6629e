/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of the TLS record layer (lib/crypto/mdp_tls_rec.h) beside
 * OpenSSL's own record path, on one core. Not a test; built by
 * perf/meson.build as build/perf/bench_tls_rec and run by `perf/run micro`:
 *
 *   taskset -c 1 build/perf/bench_tls_rec [SECONDS_PER_ROUND]
 *
 * TLS 1.3, AES-128-GCM and AES-256-GCM, records of 1 KiB and 16 KiB of
 * content, in batches of 1 MiB of records (consecutive sequence numbers):
 *   ipsec-mb       mdp_tls_seal() from one plaintext buffer into the batch,
 *                  then mdp_tls_open() of each record in place;
 *   ipsec-mb 2K    the same through begin/update/end with 2 KiB pieces, as
 *                  the data plane does over mbuf segments;
 *   OpenSSL        after an in-memory handshake (memory BIOs, the keys of
 *                  the same suite): seal = SSL_write() + BIO_read() of the
 *                  record it wrote; open = BIO_write() of one record into
 *                  the reading side + SSL_read() of its content;
 *   EVP            for reference, AES-GCM alone through OpenSSL's EVP with
 *                  the record's nonce and AAD (one context per direction,
 *                  a new IV per record), no record path: seal out of place,
 *                  open in place, as ipsec-mb above.
 * The paths take turns, round by round, so that all see the same machine;
 * each figure is the best of 5 rounds (the machine may be shared;
 * interference only adds time) of at least SECONDS_PER_ROUND (0.2 s) each.
 * Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), not wall time:
 * on a shared machine, time spent descheduled is left out. GB/s count
 * content bytes (10^9 bytes per second).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "crypto/mdp_tls_keys.h"
#include "crypto/mdp_tls_rec.h"
#include "tls_pair.h"	/* tests/common: OpenSSL ends over memory BIOs */

#define ROUNDS	5
#define BATCH	(1u << 20)	/* content bytes per batch */
#define STRIDE(sz) ((sz) + 64)

/* the thread's CPU time: time the scheduler gives to other processes on
 * this shared machine is not counted (cache interference still is) */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_tls_rec: %s\n", what);
	exit(1);
}

/* ------------------------------------------------------------ one cell */

enum path { P_IMB, P_IMB_SEG, P_OPENSSL, P_EVP, P_NUM };
static const char *const path_name[] = { "ipsec-mb", "ipsec-mb, 2 KiB pieces", "OpenSSL 3.0",
					 "OpenSSL EVP, crypto only" };

struct cell {
	double seal_rps, open_rps;
};

static uint8_t *recs;		/* the batch of records */
static size_t rec_len[BATCH / 1024];
static uint8_t pt[16384], back[16384 + 256];

static void
seal_seg(struct mdp_tls_rec_key *k, IMB_MGR *m, size_t sz, uint8_t *out)
{
	struct mdp_tls_crypt c;
	size_t hl = mdp_tls_seal_begin(&c, m, k, MDP_TLS_CT_APP_DATA, sz, out);

	for (size_t at = 0; at < sz; at += 2048) {
		size_t n = sz - at < 2048 ? sz - at : 2048;

		mdp_tls_seal_update(&c, m, out + hl + at, pt + at, n);
	}
	mdp_tls_seal_end(&c, m, out + hl + sz);
}

static void
open_seg(struct mdp_tls_rec_key *k, IMB_MGR *m, uint8_t *rec)
{
	struct mdp_tls_crypt c;
	int n = mdp_tls_open_begin(&c, m, k, rec, NULL);

	if (n < 0)
		die("open_begin");
	for (int at = 0; at < n; at += 2048) {
		int len = n - at < 2048 ? n - at : 2048;

		mdp_tls_open_update(&c, m, rec + 5 + at, rec + 5 + at, (size_t)len);
	}
	if (mdp_tls_open_end(&c, m, rec + 5 + n) != 0)
		die("open_end: tag mismatch");
}

/* AES-GCM alone through EVP, the TLS 1.3 nonce and AAD, no record path:
 * what OpenSSL's crypto costs without its record layer */
static size_t
evp_seal(EVP_CIPHER_CTX *x, const struct mdp_tls_rec_key *k, size_t sz, uint8_t *out)
{
	uint8_t nonce[12], type = MDP_TLS_CT_APP_DATA;
	size_t body = sz + 1 + MDP_TLS_TAG;
	int ol;

	memcpy(nonce, k->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(k->seq >> (8 * i));
	out[0] = MDP_TLS_CT_APP_DATA;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)(body >> 8);
	out[4] = (uint8_t)body;
	EVP_EncryptInit_ex(x, NULL, NULL, NULL, nonce);
	EVP_EncryptUpdate(x, NULL, &ol, out, 5);
	EVP_EncryptUpdate(x, out + 5, &ol, pt, (int)sz);
	EVP_EncryptUpdate(x, out + 5 + sz, &ol, &type, 1);
	EVP_EncryptFinal_ex(x, out + 5 + sz + 1, &ol);
	EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, out + 5 + sz + 1);
	return 5 + body;
}

static void
evp_open(EVP_CIPHER_CTX *x, const struct mdp_tls_rec_key *k, uint8_t *rec, size_t len)
{
	uint8_t nonce[12];
	int ol, n = (int)len - 5 - MDP_TLS_TAG;

	memcpy(nonce, k->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(k->seq >> (8 * i));
	EVP_DecryptInit_ex(x, NULL, NULL, NULL, nonce);
	EVP_DecryptUpdate(x, NULL, &ol, rec, 5);
	EVP_DecryptUpdate(x, rec + 5, &ol, rec + 5, n);
	EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, 16, rec + 5 + n);
	if (EVP_DecryptFinal_ex(x, rec + 5 + n, &ol) != 1)
		die("EVP: tag mismatch");
}

/* everything one (AEAD, size) needs, for every path */
struct bench {
	IMB_MGR *m;
	size_t sz;
	struct mdp_test_tls_pair p;
	struct mdp_tls_rec_key tx, rx;	/* the client's sending key, both ends */
	EVP_CIPHER_CTX *ex, *dx;
};

/* one round of one path: batches until secs have passed; records/s */
static struct cell
run_round(struct bench *b, enum path path, double secs)
{
	size_t sz = b->sz, nrec = BATCH / sz;
	double ts = 0, to = 0, t0;
	unsigned long done = 0;
	IMB_MGR *m = b->m;
	struct cell c;

	while (ts + to < secs) {
		/* seal a batch */
		t0 = now_s();
		for (size_t i = 0; i < nrec; i++) {
			uint8_t *out = recs + i * STRIDE(sz);

			switch (path) {
			case P_IMB:
				rec_len[i] = (size_t)mdp_tls_seal(&b->tx, m, MDP_TLS_CT_APP_DATA, pt, sz,
								  out, STRIDE(sz));
				break;
			case P_IMB_SEG:
				seal_seg(&b->tx, m, sz, out);
				rec_len[i] = sz + 22;
				break;
			case P_OPENSSL:
				if (SSL_write(b->p.c, pt, (int)sz) != (int)sz)
					die("SSL_write");
				rec_len[i] = (size_t)BIO_read(b->p.c_out, out, (int)STRIDE(sz));
				break;
			default:
				rec_len[i] = evp_seal(b->ex, &b->tx, sz, out);
				b->tx.seq++;
				break;
			}
		}
		ts += now_s() - t0;
		/* open it, in order */
		t0 = now_s();
		for (size_t i = 0; i < nrec; i++) {
			uint8_t *rec = recs + i * STRIDE(sz), type, *q;

			switch (path) {
			case P_IMB:
				if (mdp_tls_open(&b->rx, m, rec, rec_len[i], &type, &q) != (ssize_t)sz)
					die("open");
				break;
			case P_IMB_SEG:
				open_seg(&b->rx, m, rec);
				break;
			case P_OPENSSL:
				BIO_write(b->p.s_in, rec, (int)rec_len[i]);
				if (SSL_read(b->p.s, back, sizeof(back)) != (int)sz)
					die("SSL_read");
				break;
			default:
				evp_open(b->dx, &b->rx, rec, rec_len[i]);
				b->rx.seq++;
				break;
			}
		}
		to += now_s() - t0;
		done += nrec;
	}
	/* the last record came through intact */
	if (path == P_OPENSSL ? memcmp(back, pt, sz) != 0
			      : memcmp(recs + (nrec - 1) * STRIDE(sz) + 5, pt, sz) != 0)
		die("wrong plaintext");
	c.seal_rps = done / ts;
	c.open_rps = done / to;
	return c;
}

/* every path for one AEAD and size, the paths alternating round by round */
static void
run_cell(enum mdp_tls_aead a, size_t sz, IMB_MGR *m, EVP_PKEY *pkey, X509 *cert, double secs,
	 struct cell best[P_NUM])
{
	const char *suite = a == MDP_TLS_AES_128_GCM ? "TLS_AES_128_GCM_SHA256"
						     : "TLS_AES_256_GCM_SHA384";
	const EVP_CIPHER *ciph = a == MDP_TLS_AES_128_GCM ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	static struct bench b;
	static _Alignas(64) struct mdp_tls_rec_key unused;
	uint8_t raw[32];

	b.m = m;
	b.sz = sz;
	if (mdp_test_tls_pair_new(&b.p, TLS1_3_VERSION, suite, pkey, cert) != 0)
		die("handshake failed");
	if (mdp_tls_keys_from_ssl(b.p.c, m, b.p.client_secret, b.p.server_secret,
				  (size_t)b.p.secret_len, false, &unused, &b.tx, 0, 0) != 0 ||
	    mdp_tls_keys_from_ssl(b.p.s, m, b.p.client_secret, b.p.server_secret,
				  (size_t)b.p.secret_len, true, &b.rx, &unused, 0, 0) != 0)
		die("keys");
	/* the same key for EVP */
	mdp_tls_hkdf_expand_label((unsigned)b.p.secret_len, b.p.client_secret, "key", NULL, 0, raw,
				  a == MDP_TLS_AES_128_GCM ? 16 : 32, m);
	b.ex = EVP_CIPHER_CTX_new();
	b.dx = EVP_CIPHER_CTX_new();
	EVP_EncryptInit_ex(b.ex, ciph, NULL, raw, NULL);
	EVP_DecryptInit_ex(b.dx, ciph, NULL, raw, NULL);

	memset(best, 0, P_NUM * sizeof(best[0]));
	for (int r = 0; r < ROUNDS; r++)
		for (int path = 0; path < P_NUM; path++) {
			struct cell c = run_round(&b, path, secs);

			if (c.seal_rps > best[path].seal_rps)
				best[path].seal_rps = c.seal_rps;
			if (c.open_rps > best[path].open_rps)
				best[path].open_rps = c.open_rps;
		}
	mdp_test_tls_pair_free(&b.p);
	EVP_CIPHER_CTX_free(b.ex);
	EVP_CIPHER_CTX_free(b.dx);
}

int
main(int argc, char **argv)
{
	static const size_t sizes[] = { 1024, 16384 };
	static const enum mdp_tls_aead aeads[] = { MDP_TLS_AES_128_GCM, MDP_TLS_AES_256_GCM };
	double secs = argc > 1 ? atof(argv[1]) : 0.2;
	IMB_MGR *m = mdp_crypto_mgr_new();
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;

	if (m == NULL || mdp_test_tls_cert(&pkey, &cert) != 0 || secs <= 0)
		die("usage: bench_tls_rec [SECONDS_PER_ROUND > 0] (or no ipsec-mb manager)");
	recs = aligned_alloc(64, (BATCH / 1024) * STRIDE(1024) + 64 * STRIDE(16384));
	if (recs == NULL)
		die("out of memory");
	for (size_t i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)(i * 131 + 7);

	printf("TLS 1.3 record layer, one core: ipsec-mb %s (%s path) vs %s\n",
	       imb_get_version_str(), mdp_crypto_arch(m), OpenSSL_version(OPENSSL_VERSION));
	printf("best of %d rounds of >= %.2f s of CPU time, paths alternating; batches of 1 MiB "
	       "of content; GB/s of content\n\n", ROUNDS, secs);
	printf("| AEAD | record | path | seal records/s | seal GB/s | open records/s | open GB/s |\n");
	printf("|---|---|---|---|---|---|---|\n");
	for (unsigned e = 0; e < 2; e++)
		for (unsigned z = 0; z < 2; z++) {
			struct cell c[P_NUM];

			run_cell(aeads[e], sizes[z], m, pkey, cert, secs, c);
			for (int pth = 0; pth < P_NUM; pth++)
				printf("| %s | %zu KiB | %s | %.0f | %.2f | %.0f | %.2f |\n",
				       aeads[e] == MDP_TLS_AES_128_GCM ? "AES-128-GCM" : "AES-256-GCM",
				       sizes[z] / 1024, path_name[pth], c[pth].seal_rps,
				       c[pth].seal_rps * sizes[z] / 1e9, c[pth].open_rps,
				       c[pth].open_rps * sizes[z] / 1e9);
			printf("| | | ipsec-mb / OpenSSL | %.1fx | | %.1fx | |\n",
			       c[0].seal_rps / c[2].seal_rps, c[0].open_rps / c[2].open_rps);
			fflush(stdout);
		}
	/* connection set-up and KeyUpdate: HKDF-Expand-Label twice (or three
	 * times) and an AES key expansion with its GHASH tables */
	for (unsigned e = 0; e < 2; e++) {
		static _Alignas(64) struct mdp_tls_rec_key k;
		double best_init = 1e30, best_upd = 1e30;
		uint8_t secret[48] = { 1, 2, 3 };
		unsigned hl = e == 0 ? 32 : 48;

		for (int r = 0; r < ROUNDS; r++) {
			double t0 = now_s(), t1;

			for (int i = 0; i < 20000; i++) {
				secret[0] = (uint8_t)i;
				mdp_tls_key_init13(&k, m, aeads[e], secret, hl);
			}
			t1 = now_s();
			if ((t1 - t0) / 20000 < best_init)
				best_init = (t1 - t0) / 20000;
			t0 = now_s();
			for (int i = 0; i < 20000; i++)
				mdp_tls_key_update13(&k, m);
			t1 = now_s();
			if ((t1 - t0) / 20000 < best_upd)
				best_upd = (t1 - t0) / 20000;
		}
		printf("%s%s key from a traffic secret: %.0f ns; KeyUpdate: %.0f ns\n",
		       e == 0 ? "\n" : "", e == 0 ? "AES-128-GCM/SHA-256" : "AES-256-GCM/SHA-384",
		       best_init * 1e9, best_upd * 1e9);
	}
	X509_free(cert);
	EVP_PKEY_free(pkey);
	free(recs);
	mdp_crypto_mgr_free(m);
	return 0;
}
