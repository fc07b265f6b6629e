/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TLS record layer (lib/crypto/mdp_tls_rec.h) and the key extraction
 * (mdp_tls_keys.h): RFC 8448 known answers, vectors made with OpenSSL,
 * record-by-record comparison with an EVP reference, scattered input, and
 * interoperation with OpenSSL 3.0 itself over memory BIOs (TLS 1.3 and 1.2,
 * AES-128-GCM and AES-256-GCM, KeyUpdate both ways).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ssl.h>

#include "tls_pair.h"
#include "unit.h"

#include "crypto/mdp_tls_keys.h"
#include "crypto/mdp_tls_rec.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define REC_MAX (MDP_TLS_REC_HDR + MDP_TLS12_MAX_CIPHER + 256)

static IMB_MGR *mgr;
static EVP_PKEY *pkey;
static X509 *cert;

/* xorshift64*: same sequence on every libc */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static void
fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng();
}

/* hex with any spaces in between */
static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*s != '\0') {
		unsigned v;

		if (*s == ' ' || *s == '\n') {
			s++;
			continue;
		}
		if (n == cap || sscanf(s, "%2x", &v) != 1)
			abort();
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

#define CHECK_HEX(buf, len, hex) do {					\
		uint8_t want_[512];					\
		size_t wn_ = unhex(hex, want_, sizeof(want_));		\
		CU_ASSERT_EQUAL(wn_, (size_t)(len));			\
		CU_ASSERT(memcmp(buf, want_, wn_) == 0);		\
	} while (0)

/* ------------------------------------------------------------ RFC 8448 3 */

static const char rfc_master[] =
	"18 df 06 84 3d 13 a0 8b f2 a4 49 84 4c 5f 8a 47 80 01 bc 4d 4c 62 79 84 d5 a4 1d a8 d0 40 29 19";
static const char rfc_ap_hash[] =
	"96 08 10 2a 0f 1c cc 6d b6 25 0b 7b 7e 41 7b 1a 00 0e aa da 3d aa e4 77 7a 76 86 c9 ff 83 df 13";
static const char rfc_c_ap[] =
	"9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5";
static const char rfc_s_ap[] =
	"a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43";
static const char rfc_exp[] =
	"fe 22 f8 81 17 6e da 18 eb 8f 44 52 9e 67 92 c5 0c 9a 3f 89 45 2f 68 d8 ae 31 1b 43 09 d3 cf 50";
static const char rfc_c_key[] = "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51";
static const char rfc_c_iv[] = "5b 78 92 3d ee 08 57 90 33 e5 23 d9";
static const char rfc_s_key[] = "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56";
static const char rfc_s_iv[] = "cf 78 2b 88 dd 83 54 9a ad f1 e9 84";

/* {server} NewSessionTicket (seq 0), application data (seq 1), alert (seq 2) */
static const char rfc_s_nst[] =
	"17 03 03 00 de 3a 6b 8f 90 41 4a 97 d6 95 9c 34 87 68 0d e5 13 4a 2b 24"
	"0e 6c ff ac 11 6e 95 d4 1d 6a f8 f6 b5 80 dc f3 d1 1d 63 c7 58 db 28 9a"
	"01 59 40 25 2f 55 71 3e 06 1d c1 3e 07 88 91 a3 8e fb cf 57 53 ad 8e f1"
	"70 ad 3c 73 53 d1 6d 9d a7 73 b9 ca 7f 2b 9f a1 b6 c0 d4 a3 d0 3f 75 e0"
	"9c 30 ba 1e 62 97 2a c4 6f 75 f7 b9 81 be 63 43 9b 29 99 ce 13 06 46 15"
	"13 98 91 d5 e4 c5 b4 06 f1 6e 3f c1 81 a7 7c a4 75 84 00 25 db 2f 0a 77"
	"f8 1b 5a b0 5b 94 c0 13 46 75 5f 69 23 2c 86 51 9d 86 cb ee ac 87 aa c3"
	"47 d1 43 f9 60 5d 64 f6 50 db 4d 02 3e 70 e9 52 ca 49 fe 51 37 12 1c 74"
	"bc 26 97 68 7e 24 87 46 d6 df 35 30 05 f3 bc e1 86 96 12 9c 81 53 55 6b"
	"3b 6c 67 79 b3 7b f1 59 85 68 4f";
static const char rfc_s_app[] =
	"17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc"
	"32 25 d0 5f 82 aa 1b 36 e3 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8"
	"fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54 0d d0 32 e1 67 c2 95 5d";
static const char rfc_s_alert[] =
	"17 03 03 00 13 b5 8f d6 71 66 eb f5 99 d2 47 20 cf be 7e fa 7a 88 64 a9";
/* {client} application data (seq 0), alert (seq 1) */
static const char rfc_c_app[] =
	"17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea"
	"42 f9 14 aa 66 bc ab 3f 2b 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b"
	"62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 3a ee bb 21 69 49 15 e4";
static const char rfc_c_alert[] =
	"17 03 03 00 13 c9 87 27 60 65 56 66 b7 4d 7f f1 15 3e fd 6d b6 d0 b0 e3";

static void
test_hkdf_rfc8448(void)
{
	uint8_t master[32], hash[32], c_ap[32], s_ap[32], out[64];

	unhex(rfc_master, master, sizeof(master));
	unhex(rfc_ap_hash, hash, sizeof(hash));
	unhex(rfc_c_ap, c_ap, sizeof(c_ap));
	unhex(rfc_s_ap, s_ap, sizeof(s_ap));

	/* Derive-Secret(master, label, transcript hash), RFC 8446 7.1 */
	CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(32, master, "c ap traffic", hash, 32, out, 32, mgr), 0);
	CHECK_HEX(out, 32, rfc_c_ap);
	CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(32, master, "s ap traffic", hash, 32, out, 32, mgr), 0);
	CHECK_HEX(out, 32, rfc_s_ap);
	CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(32, master, "exp master", hash, 32, out, 32, mgr), 0);
	CHECK_HEX(out, 32, rfc_exp);

	/* traffic keys, RFC 8446 7.3 */
	CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(32, s_ap, "key", NULL, 0, out, 16, mgr), 0);
	CHECK_HEX(out, 16, rfc_s_key);
	CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(32, s_ap, "iv", NULL, 0, out, 12, mgr), 0);
	CHECK_HEX(out, 12, rfc_s_iv);
	CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(32, c_ap, "key", NULL, 0, out, 16, mgr), 0);
	CHECK_HEX(out, 16, rfc_c_key);
	CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(32, c_ap, "iv", NULL, 0, out, 12, mgr), 0);
	CHECK_HEX(out, 12, rfc_c_iv);
}

/* SHA-384, made with `openssl kdf ... -kdfopt mode:EXPAND_ONLY HKDF` over
 * the HkdfLabel bytes; secret = 00 01 .. 2f */
static void
test_hkdf_sha384_vectors(void)
{
	uint8_t secret[48], ctx[48], out[100];
	static const uint8_t abc_sha384[48] = {
		0xcb, 0x00, 0x75, 0x3f, 0x45, 0xa3, 0x5e, 0x8b, 0xb5, 0xa0, 0x3d, 0x69,
		0x9a, 0xc6, 0x50, 0x07, 0x27, 0x2c, 0x32, 0xab, 0x0e, 0xde, 0xd1, 0x63,
		0x1a, 0x8b, 0x60, 0x5a, 0x43, 0xff, 0x5b, 0xed, 0x80, 0x86, 0x07, 0x2b,
		0xa1, 0xe7, 0xcc, 0x23, 0x58, 0xba, 0xec, 0xa1, 0x34, 0xc8, 0x25, 0xa7,
	};

	for (unsigned i = 0; i < 48; i++)
		secret[i] = (uint8_t)i;
	memcpy(ctx, abc_sha384, sizeof(ctx));
	CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(48, secret, "key", NULL, 0, out, 32, mgr), 0);
	CHECK_HEX(out, 32, "6877D022F1C61D24EBB7487C16752D9A4798E40431C75B39320E537C90E23225");
	CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(48, secret, "iv", NULL, 0, out, 12, mgr), 0);
	CHECK_HEX(out, 12, "42822531A0FE88648FC09E9F");
	CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(48, secret, "traffic upd", NULL, 0, out, 48, mgr), 0);
	CHECK_HEX(out, 48, "401331B63E9D59F202E8F041042D9516F4CD7FA2E2EE14631D3B49FC340D7AF3"
		  "7FC2C0C9F252D8036F81EC5B85CBE5DB");
	CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(48, secret, "c ap traffic", ctx, 48, out, 48, mgr), 0);
	CHECK_HEX(out, 48, "9827E54DD3B67B37CA1646F7C2FC73472695B33436DB0875B6CA19AE64449D82"
		  "8C35C5C63CC9F6F43D28EB581FC6C7CC");
	/* longer than one hash: T(1) || T(2) || T(3) */
	CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(48, secret, "key", NULL, 0, out, 100, mgr), 0);
	CHECK_HEX(out, 100, "C46C30BEC293D90A9CC0EC61557499E29C710B367B5463347975594CC5DDC9F6"
		  "BAD03EC1C3A5A7490CEBF4215A8BC47CE8BAA04E87E234672BCDAEA78E95614D"
		  "671ACE4BA97B2FD28A5133BD5A1E13C3E98945967A4D664B346546B7C0C5F4FF"
		  "CB4BC5C4");
}

/* HKDF-Expand-Label by OpenSSL's HKDF (EXPAND_ONLY), the label built here */
static void
ref_expand_label(unsigned hash_len, const uint8_t *secret, const char *label,
		 const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t out_len)
{
	uint8_t info[600];
	size_t n = 0, ll = strlen(label);
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *kc = EVP_KDF_CTX_new(kdf);
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM p[5];

	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	memcpy(info + n + 6, label, ll);
	n += 6 + ll;
	info[n++] = (uint8_t)ctx_len;
	if (ctx_len > 0)
		memcpy(info + n, ctx, ctx_len);
	n += ctx_len;
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						hash_len == 32 ? "SHA256" : "SHA384", 0);
	p[1] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, hash_len);
	p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
	p[4] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kc, out, out_len, p) != 1)
		abort();
	EVP_KDF_CTX_free(kc);
	EVP_KDF_free(kdf);
}

static void
test_hkdf_vs_openssl(void)
{
	static const char *labels[] = { "key", "iv", "traffic upd", "c ap traffic", "x",
		"a label of exactly forty characters...." };
	uint8_t secret[48], ctx[255], a[600], b[600];

	for (int i = 0; i < 400; i++) {
		unsigned hl = i % 2 ? 48 : 32;
		size_t cl = rng() % 3 == 0 ? 0 : rng() % 256;
		size_t ol = 1 + rng() % (i % 5 == 0 ? 600 : 64);
		const char *l = labels[rng() % N(labels)];

		fill(secret, hl);
		fill(ctx, cl);
		CU_ASSERT_EQUAL_FATAL(mdp_tls_hkdf_expand_label(hl, secret, l, ctx, cl, a, ol, mgr), 0);
		ref_expand_label(hl, secret, l, ctx, cl, b, ol);
		CU_ASSERT(memcmp(a, b, ol) == 0);
	}

	/* the limits */
	{
		char l249[250], l250[251];

		memset(l249, 'a', 249);
		l249[249] = '\0';
		memset(l250, 'a', 250);
		l250[250] = '\0';
		CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(32, secret, l249, ctx, 255, a, 32, mgr), 0);
		CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(32, secret, l250, NULL, 0, a, 32, mgr), -EINVAL);
		CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(32, secret, "key", ctx, 256, a, 32, mgr), -EINVAL);
		CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(20, secret, "key", NULL, 0, a, 16, mgr), -EINVAL);
		CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(32, secret, "key", NULL, 0, a, 0, mgr), -EINVAL);
		CU_ASSERT_EQUAL(mdp_tls_hkdf_expand_label(32, secret, "key", NULL, 0, a, 255 * 32 + 1, mgr),
				-EINVAL);
	}
}

/* open one flat record in a copy; check content type and content */
static void
check_open(struct mdp_tls_rec_key *k, const char *rec_hex, uint8_t type, const uint8_t *want,
	   size_t want_len)
{
	uint8_t rec[512], t = 0, *pt = NULL;
	size_t n = unhex(rec_hex, rec, sizeof(rec));
	uint64_t seq = k->seq;
	ssize_t r = mdp_tls_open(k, mgr, rec, n, &t, &pt);

	CU_ASSERT_EQUAL(r, (ssize_t)want_len);
	CU_ASSERT_EQUAL(t, type);
	CU_ASSERT(r >= 0 && memcmp(pt, want, want_len) == 0);
	CU_ASSERT_EQUAL(k->seq, seq + 1);
}

/* seal in a buffer; compare with the record given in hex */
static void
check_seal(struct mdp_tls_rec_key *k, uint8_t type, const uint8_t *pt, size_t len,
	   const char *rec_hex)
{
	uint8_t out[512], want[512];
	size_t wn = unhex(rec_hex, want, sizeof(want));
	ssize_t r = mdp_tls_seal(k, mgr, type, pt, len, out, sizeof(out));

	CU_ASSERT_EQUAL(r, (ssize_t)wn);
	CU_ASSERT(r > 0 && memcmp(out, want, wn) == 0);
}

static void
test_rfc8448_records(void)
{
	struct mdp_tls_rec_key c, s;
	uint8_t secret[32], payload[50], rec[128], t, *pt;
	static const uint8_t close_notify[2] = { 1, 0 };
	size_t n;

	for (unsigned i = 0; i < 50; i++)
		payload[i] = (uint8_t)i;

	unhex(rfc_c_ap, secret, sizeof(secret));
	CU_ASSERT_EQUAL_FATAL(mdp_tls_key_init13(&c, mgr, MDP_TLS_AES_128_GCM, secret, 32), 0);
	CHECK_HEX(c.iv, 12, rfc_c_iv);
	CU_ASSERT_EQUAL(c.version, 0x0304);
	CU_ASSERT_EQUAL(c.seq, 0);
	CU_ASSERT_EQUAL(c.secret_len, 32);
	check_open(&c, rfc_c_app, MDP_TLS_CT_APP_DATA, payload, 50);
	check_open(&c, rfc_c_alert, MDP_TLS_CT_ALERT, close_notify, 2);

	unhex(rfc_s_ap, secret, sizeof(secret));
	CU_ASSERT_EQUAL_FATAL(mdp_tls_key_init13(&s, mgr, MDP_TLS_AES_128_GCM, secret, 32), 0);
	CHECK_HEX(s.iv, 12, rfc_s_iv);
	{
		/* the NewSessionTicket: handshake type 4, 0xc9 bytes of body */
		uint8_t big[300];

		n = unhex(rfc_s_nst, big, sizeof(big));
		CU_ASSERT_EQUAL(mdp_tls_open(&s, mgr, big, n, &t, &pt), 4 + 0xc9);
		CU_ASSERT_EQUAL(t, MDP_TLS_CT_HANDSHAKE);
		CU_ASSERT_EQUAL(pt[0], 4);
		CU_ASSERT_EQUAL(pt[3], 0xc9);
	}
	check_open(&s, rfc_s_app, MDP_TLS_CT_APP_DATA, payload, 50);
	check_open(&s, rfc_s_alert, MDP_TLS_CT_ALERT, close_notify, 2);
	CU_ASSERT_EQUAL(s.seq, 3);

	/* sealing gives the RFC's bytes (no padding in the trace) */
	c.seq = 0;
	check_seal(&c, MDP_TLS_CT_APP_DATA, payload, 50, rfc_c_app);
	check_seal(&c, MDP_TLS_CT_ALERT, close_notify, 2, rfc_c_alert);
	s.seq = 1;
	check_seal(&s, MDP_TLS_CT_APP_DATA, payload, 50, rfc_s_app);
	check_seal(&s, MDP_TLS_CT_ALERT, close_notify, 2, rfc_s_alert);

	/* the wrong sequence number fails, and does not advance */
	c.seq = 1;
	n = unhex(rfc_c_app, rec, sizeof(rec));
	CU_ASSERT_EQUAL(mdp_tls_open(&c, mgr, rec, n, &t, &pt), -EBADMSG);
	CU_ASSERT_EQUAL(c.seq, 1);
}

/* AES-256-GCM records made with Python's cryptography (OpenSSL): TLS 1.3
 * with the SHA-384 secret 00 .. 2f above, TLS 1.2 with key 20 .. 3f, salt
 * "salt", seq 5 */
static void
test_aes256_vectors(void)
{
	static const char v13_0[] =
		"170303002425520c54717d96f7f4a73a949b7a1834bcbfcf73f76f061697e3c99caa47e86af289554d";
	static const char v13_1[] =
		"1703030024f0740a98a03e2d5b313fb5a9cc6d41f1aaac8d24b39a95e5706c5dbcfb0f98901274a398";
	static const char v12_5[] =
		"170303002b0000000000000005b87c8d09d0f30cefe43f8c197e5e25ee0d89be993743122ea808"
		"4f704edf5b8e3d5c8e";
	static const uint8_t msg[] = "meshdp record layer";
	struct mdp_tls_rec_key k;
	uint8_t secret[48], key[32];

	for (unsigned i = 0; i < 48; i++)
		secret[i] = (uint8_t)i;
	CU_ASSERT_EQUAL_FATAL(mdp_tls_key_init13(&k, mgr, MDP_TLS_AES_256_GCM, secret, 48), 0);
	CU_ASSERT_EQUAL(k.secret_len, 48);
	check_seal(&k, MDP_TLS_CT_APP_DATA, msg, sizeof(msg) - 1, v13_0);
	check_seal(&k, MDP_TLS_CT_APP_DATA, msg, sizeof(msg) - 1, v13_1);
	k.seq = 0;
	check_open(&k, v13_0, MDP_TLS_CT_APP_DATA, msg, sizeof(msg) - 1);
	check_open(&k, v13_1, MDP_TLS_CT_APP_DATA, msg, sizeof(msg) - 1);

	for (unsigned i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x20 + i);
	CU_ASSERT_EQUAL_FATAL(mdp_tls_key_init12(&k, mgr, MDP_TLS_AES_256_GCM, key,
						 (const uint8_t *)"salt", 5), 0);
	check_seal(&k, MDP_TLS_CT_APP_DATA, msg, sizeof(msg) - 1, v12_5);
	k.seq = 5;
	check_open(&k, v12_5, MDP_TLS_CT_APP_DATA, msg, sizeof(msg) - 1);
	CU_ASSERT_EQUAL(k.seq, 6);
}

/* ------------------------------------------------------------ EVP reference */

/* One record by EVP AES-GCM, with the nonce and AAD built here from the
 * RFCs; TLS 1.3 with pad zero bytes of padding. Returns its length. */
static size_t
ref_seal(uint16_t version, int aead, const uint8_t *key, const uint8_t iv[12], uint64_t seq,
	 uint8_t type, const uint8_t *pt, size_t len, size_t pad, uint8_t *out)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	uint8_t nonce[12], aad[13], zero[256] = { 0 };
	size_t hl, aadl, body;
	int ol;

	if (version == 0x0304) {
		body = len + 1 + pad + 16;
		hl = 5;
		out[0] = 23;
		memcpy(nonce, iv, 12);
		for (int i = 0; i < 8; i++)
			nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
		memcpy(aad, (uint8_t[]){ 23, 3, 3, (uint8_t)(body >> 8), (uint8_t)body }, 5);
		aadl = 5;
	} else {
		body = 8 + len + 16;
		hl = 13;
		out[0] = type;
		memcpy(nonce, iv, 4);
		for (int i = 0; i < 8; i++) {
			nonce[4 + i] = (uint8_t)(seq >> (56 - 8 * i));
			aad[i] = nonce[4 + i];
		}
		memcpy(out + 5, nonce + 4, 8);
		memcpy(aad + 8, (uint8_t[]){ type, 3, 3, (uint8_t)(len >> 8), (uint8_t)len }, 5);
		aadl = 13;
	}
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)(body >> 8);
	out[4] = (uint8_t)body;
	EVP_EncryptInit_ex(x, aead == MDP_TLS_AES_128_GCM ? EVP_aes_128_gcm() : EVP_aes_256_gcm(),
			   NULL, NULL, NULL);
	EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, 12, NULL);
	EVP_EncryptInit_ex(x, NULL, NULL, key, nonce);
	EVP_EncryptUpdate(x, NULL, &ol, aad, (int)aadl);
	if (len > 0)
		EVP_EncryptUpdate(x, out + hl, &ol, pt, (int)len);
	if (version == 0x0304) {
		EVP_EncryptUpdate(x, out + hl + len, &ol, &type, 1);
		if (pad > 0)
			EVP_EncryptUpdate(x, out + hl + len + 1, &ol, zero, (int)pad);
	}
	EVP_EncryptFinal_ex(x, out + 5 + body - 16, &ol);
	EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, out + 5 + body - 16);
	EVP_CIPHER_CTX_free(x);
	return 5 + body;
}

/* a key for version/aead with its raw key and iv, as ref_seal wants them */
struct test_key {
	struct mdp_tls_rec_key k;
	uint8_t raw[32], iv[12];
};

static void
test_key_make(struct test_key *t, uint16_t version, int aead, uint64_t seq)
{
	size_t kl = aead == MDP_TLS_AES_128_GCM ? 16 : 32;

	if (version == 0x0304) {
		unsigned hl = aead == MDP_TLS_AES_128_GCM ? 32 : 48;
		uint8_t secret[48];

		fill(secret, hl);
		CU_ASSERT_EQUAL_FATAL(mdp_tls_key_init13(&t->k, mgr, aead, secret, hl), 0);
		ref_expand_label(hl, secret, "key", NULL, 0, t->raw, kl);
		ref_expand_label(hl, secret, "iv", NULL, 0, t->iv, 12);
		CU_ASSERT(memcmp(t->iv, t->k.iv, 12) == 0);
		t->k.seq = seq;
	} else {
		fill(t->raw, kl);
		fill(t->iv, 4);
		memset(t->iv + 4, 0, 8);
		CU_ASSERT_EQUAL_FATAL(mdp_tls_key_init12(&t->k, mgr, aead, t->raw, t->iv, seq), 0);
	}
}

static const uint16_t versions[] = { 0x0304, 0x0303 };
static const int aeads[] = { MDP_TLS_AES_128_GCM, MDP_TLS_AES_256_GCM };

static void
test_evp_reference(void)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 31, 100, 1000, 4095, 16383, 16384 };
	static uint8_t pt[16384], a[REC_MAX], b[REC_MAX];

	for (unsigned v = 0; v < N(versions); v++)
		for (unsigned e = 0; e < N(aeads); e++) {
			uint64_t seqs[] = { 0, 1, 255, 0x0123456789abcdefull, UINT64_MAX - 1 };

			for (unsigned s = 0; s < N(seqs); s++)
				for (unsigned z = 0; z < N(sizes); z++) {
					struct test_key t;
					uint8_t type = z % 3 == 0 ? MDP_TLS_CT_HANDSHAKE : MDP_TLS_CT_APP_DATA;
					uint8_t ty = 0, *p = NULL;
					size_t rl;
					ssize_t r;

					test_key_make(&t, versions[v], aeads[e], seqs[s]);
					fill(pt, sizes[z]);
					rl = ref_seal(versions[v], aeads[e], t.raw, t.iv, seqs[s], type,
						      pt, sizes[z], 0, b);
					r = mdp_tls_seal(&t.k, mgr, type, pt, sizes[z], a, sizeof(a));
					CU_ASSERT_EQUAL(r, (ssize_t)rl);
					CU_ASSERT_EQUAL(rl, sizes[z] + mdp_tls_rec_overhead(&t.k));
					CU_ASSERT(r > 0 && memcmp(a, b, rl) == 0);
					CU_ASSERT_EQUAL(t.k.seq, seqs[s] + 1);
					t.k.seq = seqs[s];
					r = mdp_tls_open(&t.k, mgr, b, rl, &ty, &p);
					CU_ASSERT_EQUAL(r, (ssize_t)sizes[z]);
					CU_ASSERT_EQUAL(ty, type);
					CU_ASSERT(r >= 0 && memcmp(p, pt, sizes[z]) == 0);
				}
		}
}

/* ------------------------------------------------------------ scattered */

/* seal len bytes of pt with the chunk boundaries cuts[0..ncuts) (ascending),
 * into out, in place when inplace; returns the record length */
static size_t
seal_chunks(struct mdp_tls_rec_key *k, const uint8_t *pt, size_t len, const size_t *cuts,
	    size_t ncuts, bool inplace, uint8_t *out)
{
	struct mdp_tls_crypt c;
	uint8_t hdr[13];
	size_t hl = mdp_tls_seal_begin(&c, mgr, k, MDP_TLS_CT_APP_DATA, len, hdr), at = 0;

	CU_ASSERT_FATAL(hl == 5 || hl == 13);
	memcpy(out, hdr, hl);
	if (inplace)
		memcpy(out + hl, pt, len);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		mdp_tls_seal_update(&c, mgr, out + hl + at, inplace ? out + hl + at : pt + at, end - at);
		at = end;
	}
	return hl + len + mdp_tls_seal_end(&c, mgr, out + hl + len);
}

/* open rec with the ciphertext cut at cuts[]; the plaintext to pt, or in
 * place; returns open_end's result, with the content type and length */
static int
open_chunks(struct mdp_tls_rec_key *k, uint8_t *rec, const size_t *cuts, size_t ncuts,
	    bool inplace, uint8_t *pt, uint8_t *type, size_t *clen)
{
	struct mdp_tls_crypt c;
	bool v13 = k->version == 0x0304;
	size_t hl = v13 ? 5 : 13, at = 0;
	int n = mdp_tls_open_begin(&c, mgr, k, rec, v13 ? NULL : rec + 5), rc;
	uint8_t *dst = inplace ? rec + hl : pt;

	if (n < 0)
		return n;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts && cuts[i] <= (size_t)n ? cuts[i] : (size_t)n;

		mdp_tls_open_update(&c, mgr, dst + at, rec + hl + at, end - at);
		at = end;
	}
	rc = mdp_tls_open_end(&c, mgr, rec + hl + n);
	*type = c.type;
	*clen = c.content_len;
	if (inplace && rc == 0)
		memmove(pt, dst, (size_t)n);
	return rc;
}

static void
check_split(struct test_key *t, const uint8_t *pt, size_t len, const uint8_t *whole, size_t wl,
	    const size_t *cuts, size_t ncuts)
{
	static uint8_t out[REC_MAX], rec[REC_MAX], back[REC_MAX];
	uint64_t seq = t->k.seq;
	uint8_t type;
	size_t clen;

	for (int inplace = 0; inplace < 2; inplace++) {
		t->k.seq = seq;
		CU_ASSERT_EQUAL(seal_chunks(&t->k, pt, len, cuts, ncuts, inplace, out), wl);
		CU_ASSERT(memcmp(out, whole, wl) == 0);
		t->k.seq = seq;
		memcpy(rec, whole, wl);
		CU_ASSERT_EQUAL(open_chunks(&t->k, rec, cuts, ncuts, inplace, back, &type, &clen), 0);
		CU_ASSERT_EQUAL(type, MDP_TLS_CT_APP_DATA);
		CU_ASSERT_EQUAL(clen, len);
		CU_ASSERT(memcmp(back, pt, len) == 0);
	}
	t->k.seq = seq;
}

static void
test_scatter(void)
{
	static const size_t sizes[] = { 1, 2, 15, 16, 17, 47, 64, 65, 255, 256, 1000 };
	static uint8_t pt[4096], whole[REC_MAX];
	static size_t cuts[4096];

	for (unsigned v = 0; v < N(versions); v++)
		for (unsigned e = 0; e < N(aeads); e++)
			for (unsigned z = 0; z < N(sizes); z++) {
				size_t len = sizes[z], wl;
				struct test_key t;

				test_key_make(&t, versions[v], aeads[e], 7);
				fill(pt, len);
				wl = (size_t)mdp_tls_seal(&t.k, mgr, MDP_TLS_CT_APP_DATA, pt, len, whole,
							  sizeof(whole));
				t.k.seq = 7;
				/* two chunks, at every split point (empty chunks at the ends) */
				for (size_t i = 0; i <= len; i++) {
					cuts[0] = i;
					check_split(&t, pt, len, whole, wl, cuts, 1);
				}
				/* one-byte chunks */
				for (size_t i = 0; i < len; i++)
					cuts[i] = i + 1;
				check_split(&t, pt, len, whole, wl, cuts, len - 1);
				/* random chunks, some empty */
				for (int r = 0; r < 20; r++) {
					size_t nc = 1 + rng() % 12;

					for (size_t i = 0; i < nc; i++)
						cuts[i] = rng() % (len + 1);
					for (size_t i = 1; i < nc; i++)	/* insertion sort */
						for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
							size_t x = cuts[j];

							cuts[j] = cuts[j - 1];
							cuts[j - 1] = x;
						}
					check_split(&t, pt, len, whole, wl, cuts, nc);
				}
			}
}

/* TLS 1.3 padding: the type is the last non-zero byte, wherever the chunks
 * end; all-zero plaintext has no type */
static void
test_padding13(void)
{
	static uint8_t pt[2048], rec[REC_MAX], back[REC_MAX];
	static size_t cuts[2048];
	uint8_t type, *p;
	size_t clen, rl;
	struct test_key t;

	for (unsigned e = 0; e < N(aeads); e++) {
		size_t lens[] = { 0, 1, 100, 1000 }, pads[] = { 0, 1, 15, 200, 255 };

		for (unsigned l = 0; l < N(lens); l++)
			for (unsigned q = 0; q < N(pads); q++) {
				test_key_make(&t, 0x0304, aeads[e], 3);
				fill(pt, lens[l]);
				if (lens[l] > 0)
					pt[lens[l] - 1] = 0;	/* zero content bytes stay content */
				rl = ref_seal(0x0304, aeads[e], t.raw, t.iv, 3, MDP_TLS_CT_ALERT, pt,
					      lens[l], pads[q], rec);
				/* one byte at a time, so the last non-zero byte is in an
				 * earlier chunk than the end */
				for (size_t i = 0; i < lens[l] + 1 + pads[q]; i++)
					cuts[i] = i + 1;
				CU_ASSERT_EQUAL(open_chunks(&t.k, rec, cuts, lens[l] + pads[q], false,
							    back, &type, &clen), 0);
				CU_ASSERT_EQUAL(type, MDP_TLS_CT_ALERT);
				CU_ASSERT_EQUAL(clen, lens[l]);
				CU_ASSERT(memcmp(back, pt, lens[l]) == 0);
				t.k.seq = 3;
				CU_ASSERT_EQUAL(mdp_tls_open(&t.k, mgr, rec, rl, &type, &p), (ssize_t)lens[l]);
				CU_ASSERT_EQUAL(type, MDP_TLS_CT_ALERT);
			}

		/* an authentic record of zeros only: no content type */
		test_key_make(&t, 0x0304, aeads[e], 0);
		memset(pt, 0, 10);
		rl = ref_seal(0x0304, aeads[e], t.raw, t.iv, 0, 0, pt, 10, 5, rec);
		memcpy(back, rec, rl);
		CU_ASSERT_EQUAL(open_chunks(&t.k, back, NULL, 0, false, pt, &type, &clen), 0);
		CU_ASSERT_EQUAL(type, 0);
		CU_ASSERT_EQUAL(t.k.seq, 1);
		t.k.seq = 0;
		CU_ASSERT_EQUAL(mdp_tls_open(&t.k, mgr, rec, rl, &type, &p), -EBADMSG);
	}

	/* the flat helper */
	{
		const uint8_t a[] = { 'h', 'i', 23, 0, 0 }, z[] = { 0, 0, 0 }, o[] = { 22 };

		CU_ASSERT_EQUAL(mdp_tls13_inner(a, sizeof(a), &type), 2);
		CU_ASSERT_EQUAL(type, 23);
		CU_ASSERT_EQUAL(mdp_tls13_inner(a, 3, &type), 2);
		CU_ASSERT_EQUAL(mdp_tls13_inner(o, 1, &type), 0);
		CU_ASSERT_EQUAL(type, 22);
		CU_ASSERT_EQUAL(mdp_tls13_inner(z, sizeof(z), &type), -EBADMSG);
		CU_ASSERT_EQUAL(mdp_tls13_inner(z, 0, &type), -EBADMSG);
	}
}

/* ------------------------------------------------------------ limits */

static int
open_hdr(struct mdp_tls_rec_key *k, uint8_t type, uint16_t version, size_t len, bool expl)
{
	uint8_t hdr[5] = { type, (uint8_t)(version >> 8), (uint8_t)version, (uint8_t)(len >> 8),
			   (uint8_t)len };
	uint8_t e[8] = { 0 };
	struct mdp_tls_crypt c;

	return mdp_tls_open_begin(&c, mgr, k, hdr, expl ? e : NULL);
}

static void
test_limits(void)
{
	struct test_key t13, t12;
	struct mdp_tls_crypt c;
	uint8_t hdr[13], big[REC_MAX], rec[256], ty, *p;
	ssize_t rl;

	test_key_make(&t13, 0x0304, MDP_TLS_AES_128_GCM, 0);
	test_key_make(&t12, 0x0303, MDP_TLS_AES_256_GCM, 1);
	CU_ASSERT_EQUAL(mdp_tls_rec_overhead(&t13.k), 22);
	CU_ASSERT_EQUAL(mdp_tls_rec_overhead(&t12.k), 29);

	/* TLS 1.3: 0x17 and 0x0303 only; type byte + tag at least; 2^14 + 1 + 16 at most */
	CU_ASSERT_EQUAL(open_hdr(&t13.k, 23, 0x0303, 17, false), 1);
	CU_ASSERT_EQUAL(open_hdr(&t13.k, 23, 0x0303, 16, false), -EBADMSG);
	CU_ASSERT_EQUAL(open_hdr(&t13.k, 23, 0x0303, 0, false), -EBADMSG);
	CU_ASSERT_EQUAL(open_hdr(&t13.k, 22, 0x0303, 100, false), -EBADMSG);
	CU_ASSERT_EQUAL(open_hdr(&t13.k, 21, 0x0303, 100, false), -EBADMSG);
	CU_ASSERT_EQUAL(open_hdr(&t13.k, 20, 0x0303, 100, false), -EBADMSG);
	CU_ASSERT_EQUAL(open_hdr(&t13.k, 23, 0x0304, 100, false), -EBADMSG);
	CU_ASSERT_EQUAL(open_hdr(&t13.k, 23, 0x0301, 100, false), -EBADMSG);
	CU_ASSERT_EQUAL(open_hdr(&t13.k, 23, 0x0303, 16384 + 17, false), 16384 + 1);
	CU_ASSERT_EQUAL(open_hdr(&t13.k, 23, 0x0303, 16384 + 18, false), -EMSGSIZE);
	CU_ASSERT_EQUAL(open_hdr(&t13.k, 23, 0x0303, 16384 + 256, false), -EMSGSIZE);
	CU_ASSERT_EQUAL(open_hdr(&t13.k, 23, 0x0303, 16384 + 257, false), -EMSGSIZE);
	CU_ASSERT_EQUAL(open_hdr(&t13.k, 23, 0x0303, 0xffff, false), -EMSGSIZE);

	/* TLS 1.2: alert, handshake, application data; explicit + tag; 2^14 of content */
	CU_ASSERT_EQUAL(open_hdr(&t12.k, 23, 0x0303, 24, true), 0);
	CU_ASSERT_EQUAL(open_hdr(&t12.k, 21, 0x0303, 26, true), 2);
	CU_ASSERT_EQUAL(open_hdr(&t12.k, 22, 0x0303, 40, true), 16);
	CU_ASSERT_EQUAL(open_hdr(&t12.k, 23, 0x0303, 23, true), -EBADMSG);
	CU_ASSERT_EQUAL(open_hdr(&t12.k, 23, 0x0303, 100, false), -EBADMSG);
	CU_ASSERT_EQUAL(open_hdr(&t12.k, 20, 0x0303, 100, true), -EBADMSG);
	CU_ASSERT_EQUAL(open_hdr(&t12.k, 24, 0x0303, 100, true), -EBADMSG);
	CU_ASSERT_EQUAL(open_hdr(&t12.k, 0, 0x0303, 100, true), -EBADMSG);
	CU_ASSERT_EQUAL(open_hdr(&t12.k, 23, 0x0302, 100, true), -EBADMSG);
	CU_ASSERT_EQUAL(open_hdr(&t12.k, 23, 0x0303, 16384 + 24, true), 16384);
	CU_ASSERT_EQUAL(open_hdr(&t12.k, 23, 0x0303, 16384 + 25, true), -EMSGSIZE);
	CU_ASSERT_EQUAL(open_hdr(&t12.k, 23, 0x0303, 16384 + 2048, true), -EMSGSIZE);
	CU_ASSERT_EQUAL(open_hdr(&t12.k, 23, 0x0303, 16384 + 2049, true), -EMSGSIZE);
	CU_ASSERT_EQUAL(t12.k.seq, 1);

	/* seal: at most 2^14, a type, a sequence number left */
	CU_ASSERT_EQUAL(mdp_tls_seal_begin(&c, mgr, &t13.k, 23, 16385, hdr), 0);
	CU_ASSERT_EQUAL(mdp_tls_seal_begin(&c, mgr, &t13.k, 0, 10, hdr), 0);
	CU_ASSERT_EQUAL(mdp_tls_seal(&t13.k, mgr, 23, big, 16385, big, sizeof(big)), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_seal(&t13.k, mgr, 23, big, 16384, big, 16384 + 21), -ENOBUFS);
	CU_ASSERT_EQUAL(mdp_tls_seal(&t12.k, mgr, 23, big, 10, big, 10 + 28), -ENOBUFS);
	CU_ASSERT_EQUAL(t13.k.seq, 0);
	t13.k.seq = UINT64_MAX;
	CU_ASSERT_EQUAL(mdp_tls_seal_begin(&c, mgr, &t13.k, 23, 10, hdr), 0);
	CU_ASSERT_EQUAL(mdp_tls_seal(&t13.k, mgr, 23, big, 10, rec, sizeof(rec)), -EINVAL);
	CU_ASSERT_EQUAL(t13.k.seq, UINT64_MAX);
	t13.k.seq = UINT64_MAX - 1;
	CU_ASSERT_EQUAL(mdp_tls_seal(&t13.k, mgr, 23, big, 10, rec, sizeof(rec)), 32);
	CU_ASSERT_EQUAL(t13.k.seq, UINT64_MAX);
	/* the largest records, both versions, round trip */
	for (int v = 0; v < 2; v++) {
		struct mdp_tls_rec_key *k = v ? &t12.k : &t13.k;
		uint64_t s = k->seq = 42;

		fill(big, 16384);
		rl = mdp_tls_seal(k, mgr, 23, big, 16384, big, sizeof(big));
		CU_ASSERT_EQUAL(rl, (ssize_t)(16384 + mdp_tls_rec_overhead(k)));
		k->seq = s;
		CU_ASSERT_EQUAL(mdp_tls_open(k, mgr, big, (size_t)rl, &ty, &p), 16384);
	}

	/* one-shot open: exactly one whole record */
	t13.k.seq = 0;
	rl = mdp_tls_seal(&t13.k, mgr, 23, (const uint8_t *)"abc", 3, rec, sizeof(rec));
	CU_ASSERT_EQUAL(rl, 25);
	t13.k.seq = 0;
	CU_ASSERT_EQUAL(mdp_tls_open(&t13.k, mgr, rec, (size_t)rl - 1, &ty, &p), -EBADMSG);
	CU_ASSERT_EQUAL(mdp_tls_open(&t13.k, mgr, rec, (size_t)rl + 1, &ty, &p), -EBADMSG);
	CU_ASSERT_EQUAL(mdp_tls_open(&t13.k, mgr, rec, 4, &ty, &p), -EBADMSG);
	CU_ASSERT_EQUAL(mdp_tls_open(&t12.k, mgr, rec, 12, &ty, &p), -EBADMSG);
	CU_ASSERT_EQUAL(t13.k.seq, 0);
	CU_ASSERT_EQUAL(mdp_tls_open(&t13.k, mgr, rec, (size_t)rl, &ty, &p), 3);
	CU_ASSERT(memcmp(p, "abc", 3) == 0);
}

/* every byte of a record flipped, one at a time: refused, seq unchanged */
static void
test_tamper(void)
{
	static uint8_t pt[100], rec[256], bad[256];

	for (unsigned v = 0; v < N(versions); v++)
		for (unsigned e = 0; e < N(aeads); e++) {
			struct test_key t;
			ssize_t rl;
			uint8_t ty, *p;

			test_key_make(&t, versions[v], aeads[e], 9);
			fill(pt, sizeof(pt));
			rl = mdp_tls_seal(&t.k, mgr, 23, pt, sizeof(pt), rec, sizeof(rec));
			if (rl < 32 || rl > (ssize_t)sizeof(rec)) {
				CU_FAIL("seal");
				continue;
			}
			for (ssize_t i = 0; i < rl; i++)
				for (int bit = 0; bit < 8; bit += 3) {
					ssize_t r;

					memcpy(bad, rec, (size_t)rl);
					bad[i] ^= (uint8_t)(1 << bit);
					t.k.seq = 9;
					r = mdp_tls_open(&t.k, mgr, bad, (size_t)rl, &ty, &p);
					CU_ASSERT(r == -EBADMSG || r == -EMSGSIZE);
					CU_ASSERT_EQUAL(t.k.seq, 9);
				}
			/* the plaintext of a forged record is wiped */
			memcpy(bad, rec, (size_t)rl);
			bad[rl - 1] ^= 1;
			CU_ASSERT_EQUAL(mdp_tls_open(&t.k, mgr, bad, (size_t)rl, &ty, &p), -EBADMSG);
			{
				size_t hl = versions[v] == 0x0304 ? 5 : 13, zero = 0;

				for (size_t i = hl; i < (size_t)rl - 16; i++)
					zero += bad[i] == 0;
				CU_ASSERT_EQUAL(zero, (size_t)rl - 16 - hl);
			}
			/* other sequence numbers */
			t.k.seq = 8;
			memcpy(bad, rec, (size_t)rl);
			CU_ASSERT_EQUAL(mdp_tls_open(&t.k, mgr, bad, (size_t)rl, &ty, &p), -EBADMSG);
			t.k.seq = 10;
			memcpy(bad, rec, (size_t)rl);
			CU_ASSERT_EQUAL(mdp_tls_open(&t.k, mgr, bad, (size_t)rl, &ty, &p), -EBADMSG);
			t.k.seq = 9;
			CU_ASSERT_EQUAL(mdp_tls_open(&t.k, mgr, rec, (size_t)rl, &ty, &p), 100);
			CU_ASSERT_EQUAL(t.k.seq, 10);
		}
}

static void
test_keys_misc(void)
{
	_Alignas(64) uint8_t raw[sizeof(struct mdp_tls_rec_key) + 64];
	struct mdp_tls_rec_key k, *bad = (struct mdp_tls_rec_key *)(raw + 16);
	uint8_t secret[48] = { 1 }, key[32] = { 2 }, salt[4] = { 3 };
	const char *arch = mdp_crypto_arch(mgr);

	CU_ASSERT(_Alignof(struct mdp_tls_rec_key) >= 64);
	CU_ASSERT(strcmp(arch, "none") != 0);
	printf("\n  ipsec-mb %s, %s path ", imb_get_version_str(), arch);

	CU_ASSERT_EQUAL(mdp_tls_key_init13(&k, mgr, MDP_TLS_AES_128_GCM, secret, 48), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_key_init13(&k, mgr, MDP_TLS_AES_256_GCM, secret, 32), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_key_init13(&k, mgr, 3, secret, 32), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_key_init13(bad, mgr, MDP_TLS_AES_128_GCM, secret, 32), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_key_init12(&k, mgr, 0, key, salt, 1), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_key_init12(bad, mgr, MDP_TLS_AES_128_GCM, key, salt, 1), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_key_init12(&k, mgr, MDP_TLS_AES_128_GCM, key, salt, 1), 0);
	CU_ASSERT_EQUAL(k.version, 0x0303);
	CU_ASSERT_EQUAL(k.seq, 1);
	CU_ASSERT(memcmp(k.iv, salt, 4) == 0);
	CU_ASSERT_EQUAL(mdp_tls_key_update13(&k, mgr), -EINVAL);

	/* KeyUpdate: secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length) */
	for (unsigned e = 0; e < N(aeads); e++) {
		unsigned hl = aeads[e] == MDP_TLS_AES_128_GCM ? 32 : 48;
		uint8_t next[48], iv[12];

		fill(secret, hl);
		CU_ASSERT_EQUAL(mdp_tls_key_init13(&k, mgr, aeads[e], secret, hl), 0);
		k.seq = 77;
		CU_ASSERT_EQUAL(mdp_tls_key_update13(&k, mgr), 0);
		ref_expand_label(hl, secret, "traffic upd", NULL, 0, next, hl);
		ref_expand_label(hl, next, "iv", NULL, 0, iv, 12);
		CU_ASSERT(memcmp(k.secret, next, hl) == 0);
		CU_ASSERT(memcmp(k.iv, iv, 12) == 0);
		CU_ASSERT_EQUAL(k.seq, 0);
		CU_ASSERT_EQUAL(k.aead, aeads[e]);
		CU_ASSERT_EQUAL(k.secret_len, hl);
	}
	mdp_tls_key_wipe(&k);
	CU_ASSERT_EQUAL(k.secret_len, 0);
	CU_ASSERT_EQUAL(k.secret[0], 0);
}

static void
test_keylog_parse(void)
{
	char line[300];
	uint8_t s[48], cr[32];

	snprintf(line, sizeof(line), "SERVER_TRAFFIC_SECRET_0 %064d %s", 0,
		 "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");
	CU_ASSERT_EQUAL(mdp_tls_keylog_secret(line, "SERVER_TRAFFIC_SECRET_0", s, cr), 32);
	CHECK_HEX(s, 32, rfc_s_ap);
	CU_ASSERT_EQUAL(cr[31], 0);
	CU_ASSERT_EQUAL(mdp_tls_keylog_secret(line, "CLIENT_TRAFFIC_SECRET_0", s, NULL), -ENOENT);
	CU_ASSERT_EQUAL(mdp_tls_keylog_secret(line, "SERVER_TRAFFIC_SECRET", s, NULL), -ENOENT);
	line[strlen(line) - 1] = 'x';
	CU_ASSERT_EQUAL(mdp_tls_keylog_secret(line, "SERVER_TRAFFIC_SECRET_0", s, NULL), -EINVAL);
	line[strlen(line) - 1] = '\0';	/* odd */
	CU_ASSERT_EQUAL(mdp_tls_keylog_secret(line, "SERVER_TRAFFIC_SECRET_0", s, NULL), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_keylog_secret("SERVER_TRAFFIC_SECRET_0 00 11",
					      "SERVER_TRAFFIC_SECRET_0", s, NULL), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_keylog_secret("garbage", "SERVER_TRAFFIC_SECRET_0", s, NULL),
			-EINVAL);
}

/* ------------------------------------------------------------ OpenSSL */

struct tls_pair {
	struct mdp_test_tls_pair o;	/* OpenSSL's two ends */
	/* "ours" replaces one side after the handshake; peer is the other */
	SSL *peer;
	BIO *peer_in, *peer_out;
	struct mdp_tls_rec_key rx, tx;
};

static size_t
drain(BIO *b, uint8_t *buf, size_t cap)
{
	size_t n = 0;
	int r;

	while (n < cap && (r = BIO_read(b, buf + n, (int)(cap - n))) > 0)
		n += (size_t)r;
	return n;
}

static void
pair_new(struct tls_pair *p, int version, const char *suite, bool ours_is_server)
{
	struct mdp_test_tls_pair *o = &p->o;
	bool v13 = version == TLS1_3_VERSION;
	int a;

	CU_ASSERT_EQUAL_FATAL(mdp_test_tls_pair_new(o, version, suite, pkey, cert), 0);
	CU_ASSERT_EQUAL(SSL_version(o->c), version);
	a = mdp_tls_aead_of(SSL_get_current_cipher(o->s));
	CU_ASSERT(a == MDP_TLS_AES_128_GCM || a == MDP_TLS_AES_256_GCM);
	if (v13)
		CU_ASSERT_FATAL(o->secret_len == (a == MDP_TLS_AES_128_GCM ? 32 : 48));

	p->peer = ours_is_server ? o->c : o->s;
	p->peer_in = ours_is_server ? o->c_in : o->s_in;
	p->peer_out = ours_is_server ? o->c_out : o->s_out;
	/* TLS 1.2: Finished was record 0 in each direction */
	CU_ASSERT_EQUAL_FATAL(mdp_tls_keys_from_ssl(ours_is_server ? o->s : o->c, mgr,
						    v13 ? o->client_secret : NULL,
						    v13 ? o->server_secret : NULL,
						    (size_t)o->secret_len, ours_is_server,
						    &p->rx, &p->tx, v13 ? 0 : 1, v13 ? 0 : 1), 0);
	CU_ASSERT_EQUAL(p->rx.aead, a);
	CU_ASSERT_EQUAL(p->rx.version, v13 ? 0x0304 : 0x0303);
}

/* what the peer's SSL_write of len bytes put on the wire */
static size_t
peer_write(struct tls_pair *p, const uint8_t *data, size_t len, uint8_t *wire, size_t cap)
{
	CU_ASSERT_EQUAL(SSL_write(p->peer, data, (int)len), (int)len);
	return drain(p->peer_out, wire, cap);
}

/*
 * Open every record of wire[0..n) in place, appending application data to
 * app (*app_len); TLS 1.3 KeyUpdate messages update rx (counted in
 * *updates, *requested when the peer asked for one back). Returns the
 * number of records, or -1 on an open failure.
 */
static int
open_all(struct tls_pair *p, uint8_t *wire, size_t n, uint8_t *app, size_t *app_len,
	 int *updates, bool *requested)
{
	int recs = 0;

	while (n > 0) {
		size_t rl = n >= 5 ? mdp_tls_rec_len(wire) : n + 1;
		uint8_t type, *pt;
		ssize_t r;

		if (rl > n)
			return -1;
		r = mdp_tls_open(&p->rx, mgr, wire, rl, &type, &pt);
		if (r < 0)
			return -1;
		if (type == MDP_TLS_CT_APP_DATA) {
			memcpy(app + *app_len, pt, (size_t)r);
			*app_len += (size_t)r;
		} else if (type == MDP_TLS_CT_HANDSHAKE && r == 5 && pt[0] == 24) {
			/* RFC 8446 4.6.3: KeyUpdate, then the new key */
			CU_ASSERT_EQUAL(mdp_tls_key_update13(&p->rx, mgr), 0);
			if (updates != NULL)
				(*updates)++;
			if (requested != NULL)
				*requested = pt[4] == 1;
		} else {
			return -1;
		}
		wire += rl;
		n -= rl;
		recs++;
	}
	return recs;
}

/* seal data as one record and hand it to the peer */
static void
ours_send(struct tls_pair *p, uint8_t type, const uint8_t *data, size_t len)
{
	static uint8_t rec[REC_MAX];
	ssize_t rl = mdp_tls_seal(&p->tx, mgr, type, data, len, rec, sizeof(rec));

	CU_ASSERT_FATAL(rl > 0);
	CU_ASSERT_EQUAL(BIO_write(p->peer_in, rec, (int)rl), (int)rl);
}

/* the peer's SSL_read of exactly len bytes */
static bool
peer_read(struct tls_pair *p, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		int r = SSL_read(p->peer, buf + got, (int)(len - got));

		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static uint8_t wire[1 << 21], app[1 << 20], data[1 << 20];

/* peer -> ours: single records, two records, many records */
static void
check_peer_to_ours(struct tls_pair *p)
{
	static const size_t sizes[] = { 1, 1000, 16384, 20000 };
	size_t n, al, total = 0;
	uint64_t seq;

	for (unsigned i = 0; i < N(sizes); i++) {
		fill(data, sizes[i]);
		seq = p->rx.seq;
		n = peer_write(p, data, sizes[i], wire, sizeof(wire));
		al = 0;
		CU_ASSERT_EQUAL(open_all(p, wire, n, app, &al, NULL, NULL), sizes[i] > 16384 ? 2 : 1);
		CU_ASSERT_EQUAL(al, sizes[i]);
		CU_ASSERT(memcmp(app, data, sizes[i]) == 0);
		CU_ASSERT_EQUAL(p->rx.seq, seq + (sizes[i] > 16384 ? 2 : 1));
	}
	/* 200 records written one by one, opened in a row */
	fill(data, 200 * 3001);
	n = 0;
	for (size_t i = 0; i < 200; i++) {
		size_t len = 1 + i * 37 % 3000;

		n += peer_write(p, data + total, len, wire + n, sizeof(wire) - n);
		total += len;
	}
	seq = p->rx.seq;
	al = 0;
	CU_ASSERT_EQUAL(open_all(p, wire, n, app, &al, NULL, NULL), 200);
	CU_ASSERT_EQUAL(al, total);
	CU_ASSERT(memcmp(app, data, total) == 0);
	CU_ASSERT_EQUAL(p->rx.seq, seq + 200);
}

/* ours -> peer: sizes 0 .. 2^14, many records, one record from chunks */
static void
check_ours_to_peer(struct tls_pair *p)
{
	static const size_t sizes[] = { 1, 1000, 16384 };
	static uint8_t rec[REC_MAX];
	size_t total = 0;
	uint64_t seq = p->tx.seq;

	/* an empty application data record, then one byte: the peer reads the byte */
	ours_send(p, MDP_TLS_CT_APP_DATA, data, 0);
	for (unsigned i = 0; i < N(sizes); i++) {
		fill(data, sizes[i]);
		ours_send(p, MDP_TLS_CT_APP_DATA, data, sizes[i]);
		CU_ASSERT_FATAL(peer_read(p, app, sizes[i]));
		CU_ASSERT(memcmp(app, data, sizes[i]) == 0);
	}
	CU_ASSERT_EQUAL(p->tx.seq, seq + 1 + N(sizes));
	for (size_t i = 0; i < 200; i++) {
		size_t len = 1 + i * 53 % 5000;

		fill(data + total, len);
		ours_send(p, MDP_TLS_CT_APP_DATA, data + total, len);
		total += len;
	}
	CU_ASSERT_FATAL(peer_read(p, app, total));
	CU_ASSERT(memcmp(app, data, total) == 0);
	{
		/* scattered: 5000 bytes in 7 chunks, in place */
		struct mdp_tls_crypt c;
		uint8_t hdr[13];
		size_t hl = mdp_tls_seal_begin(&c, mgr, &p->tx, MDP_TLS_CT_APP_DATA, 5000, hdr), at = 0;

		fill(data, 5000);
		memcpy(rec, hdr, hl);
		memcpy(rec + hl, data, 5000);
		for (size_t step = 1; at < 5000; step *= 3) {
			size_t len = step < 5000 - at ? step : 5000 - at;

			mdp_tls_seal_update(&c, mgr, rec + hl + at, rec + hl + at, len);
			at += len;
		}
		at = hl + 5000 + mdp_tls_seal_end(&c, mgr, rec + hl + 5000);
		CU_ASSERT_EQUAL(BIO_write(p->peer_in, rec, (int)at), (int)at);
		CU_ASSERT_FATAL(peer_read(p, app, 5000));
		CU_ASSERT(memcmp(app, data, 5000) == 0);
	}
}

/* forged records from the peer: refused, and the stream goes on */
static void
check_tamper_from_peer(struct tls_pair *p)
{
	static uint8_t copy[REC_MAX];
	size_t n, al = 0, rl;
	uint64_t seq = p->rx.seq;
	uint8_t type, *pt;

	fill(data, 700);
	n = peer_write(p, data, 700, wire, sizeof(wire));
	rl = mdp_tls_rec_len(wire);
	CU_ASSERT_EQUAL_FATAL(rl, n);
	memcpy(copy, wire, n);
	copy[n / 2] ^= 0x40;		/* ciphertext */
	CU_ASSERT_EQUAL(mdp_tls_open(&p->rx, mgr, copy, n, &type, &pt), -EBADMSG);
	memcpy(copy, wire, n);
	copy[n - 3] ^= 0x01;		/* tag */
	CU_ASSERT_EQUAL(mdp_tls_open(&p->rx, mgr, copy, n, &type, &pt), -EBADMSG);
	memcpy(copy, wire, n);
	copy[4] ^= 0x01;		/* length */
	CU_ASSERT_EQUAL(mdp_tls_open(&p->rx, mgr, copy, n, &type, &pt), -EBADMSG);
	CU_ASSERT_EQUAL(p->rx.seq, seq);
	p->rx.seq = seq + 1;		/* wrong sequence number */
	memcpy(copy, wire, n);
	CU_ASSERT_EQUAL(mdp_tls_open(&p->rx, mgr, copy, n, &type, &pt), -EBADMSG);
	p->rx.seq = seq;
	CU_ASSERT_EQUAL(open_all(p, wire, n, app, &al, NULL, NULL), 1);
	CU_ASSERT(al == 700 && memcmp(app, data, 700) == 0);
}

/* a forged record to the peer: OpenSSL refuses it (bad_record_mac); last */
static void
check_tamper_to_peer(struct tls_pair *p)
{
	static uint8_t rec[256];
	uint8_t b;
	ssize_t rl = mdp_tls_seal(&p->tx, mgr, MDP_TLS_CT_APP_DATA, (const uint8_t *)"forged", 6,
				  rec, sizeof(rec));

	rec[rl - 1] ^= 0x80;
	BIO_write(p->peer_in, rec, (int)rl);
	CU_ASSERT(SSL_read(p->peer, &b, 1) <= 0);
	CU_ASSERT_EQUAL(SSL_get_error(p->peer, -1), SSL_ERROR_SSL);
}

static void
check_key_update(struct tls_pair *p)
{
	static const uint8_t ku_not[5] = { 24, 0, 0, 1, 0 }, ku_req[5] = { 24, 0, 0, 1, 1 };
	uint8_t rec[64], type, *pt, buf[64];
	size_t n, al, rl;
	int updates = 0;
	bool req = true;

	/* the peer updates its sending key: we open the KeyUpdate with the old
	 * key, update, and open what follows with the new one */
	CU_ASSERT_FATAL(SSL_key_update(p->peer, SSL_KEY_UPDATE_NOT_REQUESTED) == 1);
	n = peer_write(p, (const uint8_t *)"after the peer's update", 23, wire, sizeof(wire));
	rl = mdp_tls_rec_len(wire);
	CU_ASSERT_FATAL(rl < n && rl <= sizeof(rec));
	memcpy(rec, wire, rl);
	CU_ASSERT_EQUAL(mdp_tls_open(&p->rx, mgr, rec, rl, &type, &pt), 5);
	CU_ASSERT_EQUAL(type, MDP_TLS_CT_HANDSHAKE);
	CU_ASSERT(memcmp(pt, ku_not, 5) == 0);
	/* the next record does not open with the old key */
	memcpy(buf, wire + rl, n - rl);
	CU_ASSERT_EQUAL(mdp_tls_open(&p->rx, mgr, buf, n - rl, &type, &pt), -EBADMSG);
	CU_ASSERT_EQUAL(mdp_tls_key_update13(&p->rx, mgr), 0);
	al = 0;
	CU_ASSERT_EQUAL(open_all(p, wire + rl, n - rl, app, &al, NULL, NULL), 1);
	CU_ASSERT(al == 23 && memcmp(app, "after the peer's update", 23) == 0);
	CU_ASSERT_EQUAL(p->rx.seq, 1);

	/* we update ours: KeyUpdate sealed with the old key, data with the new */
	ours_send(p, MDP_TLS_CT_HANDSHAKE, ku_not, 5);
	CU_ASSERT_EQUAL(mdp_tls_key_update13(&p->tx, mgr), 0);
	ours_send(p, MDP_TLS_CT_APP_DATA, (const uint8_t *)"after our update", 16);
	CU_ASSERT_FATAL(peer_read(p, buf, 16));
	CU_ASSERT(memcmp(buf, "after our update", 16) == 0);

	/* we update and request one: the peer answers with its own KeyUpdate */
	ours_send(p, MDP_TLS_CT_HANDSHAKE, ku_req, 5);
	CU_ASSERT_EQUAL(mdp_tls_key_update13(&p->tx, mgr), 0);
	ours_send(p, MDP_TLS_CT_APP_DATA, (const uint8_t *)"ping", 4);
	CU_ASSERT_FATAL(peer_read(p, buf, 4));
	CU_ASSERT(memcmp(buf, "ping", 4) == 0);
	n = peer_write(p, (const uint8_t *)"pong", 4, wire, sizeof(wire));
	al = 0;
	CU_ASSERT_EQUAL(open_all(p, wire, n, app, &al, &updates, &req), 2);
	CU_ASSERT_EQUAL(updates, 1);
	CU_ASSERT_FALSE(req);
	CU_ASSERT(al == 4 && memcmp(app, "pong", 4) == 0);

	/* and the streams go on under the new keys */
	check_peer_to_ours(p);
	check_ours_to_peer(p);
}

/* the peer pads its TLS 1.3 records (SSL_set_block_padding) */
static void
check_peer_padding(struct tls_pair *p)
{
	static size_t cuts[REC_MAX];
	size_t n, al = 0, clen;
	uint8_t type;

	CU_ASSERT_FATAL(SSL_set_block_padding(p->peer, 512) == 1);
	fill(data, 100);
	n = peer_write(p, data, 100, wire, sizeof(wire));
	CU_ASSERT_EQUAL(n, 5 + 512 + 16);	/* content + type padded to 512 */
	/* opened in 7-byte chunks: the type is found in an earlier chunk */
	for (size_t i = 0; i < 512 / 7; i++)
		cuts[i] = 7 * (i + 1);
	CU_ASSERT_EQUAL(open_chunks(&p->rx, wire, cuts, 512 / 7, false, app, &type, &clen), 0);
	CU_ASSERT_EQUAL(type, MDP_TLS_CT_APP_DATA);
	CU_ASSERT_EQUAL(clen, 100);
	CU_ASSERT(memcmp(app, data, 100) == 0);
	n = peer_write(p, data, 100, wire, sizeof(wire));
	CU_ASSERT_EQUAL(open_all(p, wire, n, app, &al, NULL, NULL), 1);
	CU_ASSERT(al == 100 && memcmp(app, data, 100) == 0);
	CU_ASSERT_FATAL(SSL_set_block_padding(p->peer, 0) == 1);
}

static void
run_openssl(int version, const char *suite, int want_aead)
{
	for (int ours_is_server = 1; ours_is_server >= 0; ours_is_server--) {
		struct tls_pair p;

		pair_new(&p, version, suite, ours_is_server);
		CU_ASSERT_EQUAL(p.tx.aead, want_aead);
		check_peer_to_ours(&p);
		check_ours_to_peer(&p);
		check_tamper_from_peer(&p);
		if (version == TLS1_3_VERSION) {
			check_peer_padding(&p);
			check_key_update(&p);
		} else {
			/* we send the sequence number as the explicit nonce */
			static uint8_t rec[64];
			uint64_t s = p.tx.seq;

			mdp_tls_seal(&p.tx, mgr, MDP_TLS_CT_APP_DATA, (const uint8_t *)"x", 1, rec,
				     sizeof(rec));
			CU_ASSERT_EQUAL(rec[12], (uint8_t)s);
			CU_ASSERT_EQUAL(rec[5], (uint8_t)(s >> 56));
			BIO_write(p.peer_in, rec, 5 + 8 + 1 + 16);
			CU_ASSERT(peer_read(&p, rec, 1) && rec[0] == 'x');
		}
		check_tamper_to_peer(&p);
		mdp_test_tls_pair_free(&p.o);
	}
}

static void
test_openssl_tls13_aes128(void)
{
	run_openssl(TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", MDP_TLS_AES_128_GCM);
}

static void
test_openssl_tls13_aes256(void)
{
	run_openssl(TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", MDP_TLS_AES_256_GCM);
}

static void
test_openssl_tls12_aes128(void)
{
	run_openssl(TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256", MDP_TLS_AES_128_GCM);
}

static void
test_openssl_tls12_aes256(void)
{
	run_openssl(TLS1_2_VERSION, "ECDHE-ECDSA-AES256-GCM-SHA384", MDP_TLS_AES_256_GCM);
}

/* suites the record layer does not do */
static void
test_aead_of(void)
{
	SSL_CTX *x = SSL_CTX_new(TLS_method());
	SSL *s = SSL_new(x);
	static const struct {
		uint8_t id[2];
		int want;
	} c[] = {
		{ { 0x13, 0x01 }, MDP_TLS_AES_128_GCM },	/* TLS_AES_128_GCM_SHA256 */
		{ { 0x13, 0x02 }, MDP_TLS_AES_256_GCM },	/* TLS_AES_256_GCM_SHA384 */
		{ { 0x13, 0x03 }, -ENOTSUP },			/* TLS_CHACHA20_POLY1305_SHA256 */
		{ { 0x13, 0x04 }, -ENOTSUP },			/* TLS_AES_128_CCM_SHA256 */
		{ { 0xc0, 0x2b }, MDP_TLS_AES_128_GCM },	/* ECDHE-ECDSA-AES128-GCM-SHA256 */
		{ { 0xc0, 0x30 }, MDP_TLS_AES_256_GCM },	/* ECDHE-RSA-AES256-GCM-SHA384 */
		{ { 0xcc, 0xa9 }, -ENOTSUP },			/* ECDHE-ECDSA-CHACHA20-POLY1305 */
		{ { 0xc0, 0x23 }, -ENOTSUP },			/* ECDHE-ECDSA-AES128-SHA256 (CBC) */
	};

	for (unsigned i = 0; i < N(c); i++) {
		const SSL_CIPHER *sc = SSL_CIPHER_find(s, c[i].id);

		CU_ASSERT_PTR_NOT_NULL(sc);
		CU_ASSERT_EQUAL(mdp_tls_aead_of(sc), c[i].want);
	}
	CU_ASSERT_EQUAL(mdp_tls_aead_of(NULL), -ENOTSUP);
	SSL_free(s);
	SSL_CTX_free(x);
}

/* ------------------------------------------------------------ suite */

static int
suite_init(void)
{
	mgr = mdp_crypto_mgr_new();
	if (mgr == NULL)
		return 1;
	/* a self-signed ECDSA P-256 certificate for the OpenSSL servers */
	return mdp_test_tls_cert(&pkey, &cert) == 0 ? 0 : 1;
}

static int
suite_fini(void)
{
	X509_free(cert);
	EVP_PKEY_free(pkey);
	mdp_crypto_mgr_free(mgr);
	return 0;
}

static CU_TestInfo tests[] = {
	{ "HKDF-Expand-Label: RFC 8448 section 3", test_hkdf_rfc8448 },
	{ "HKDF-Expand-Label: SHA-384 vectors from OpenSSL", test_hkdf_sha384_vectors },
	{ "HKDF-Expand-Label: random inputs vs OpenSSL HKDF, limits", test_hkdf_vs_openssl },
	{ "RFC 8448 section 3 records: open and seal", test_rfc8448_records },
	{ "AES-256-GCM records, TLS 1.3 and 1.2 vectors", test_aes256_vectors },
	{ "seal/open vs an EVP reference, all versions, sizes, seqs", test_evp_reference },
	{ "scattered seal and open, every split point", test_scatter },
	{ "TLS 1.3 padding and inner type", test_padding13 },
	{ "header checks, size limits, sequence exhaustion", test_limits },
	{ "every byte flipped, wrong seq: refused", test_tamper },
	{ "key init errors, KeyUpdate derivation, wipe", test_keys_misc },
	{ "keylog line parser", test_keylog_parse },
	{ "suite to AEAD mapping", test_aead_of },
	{ "OpenSSL interop: TLS 1.3 AES-128-GCM", test_openssl_tls13_aes128 },
	{ "OpenSSL interop: TLS 1.3 AES-256-GCM", test_openssl_tls13_aes256 },
	{ "OpenSSL interop: TLS 1.2 ECDHE-ECDSA-AES128-GCM", test_openssl_tls12_aes128 },
	{ "OpenSSL interop: TLS 1.2 ECDHE-ECDSA-AES256-GCM", test_openssl_tls12_aes256 },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return mdp_cu_run("tls_rec", suite_init, suite_fini, tests);
}
