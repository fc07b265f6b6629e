/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the TLS record layer (lib/crypto/mdp_tls_rec.h),
 * with fixed keys. The first byte picks the key (TLS 1.3 or 1.2,
 * AES-128-GCM or AES-256-GCM), the way records are fed (whole, or in
 * pieces of 1 to 64 bytes) and the mode:
 *
 *   open    the rest is a stream of records off the wire: each header is
 *           checked, each record whose bytes are all there is opened in
 *           place, in pieces and in one shot; both ways must agree, errors
 *           are -EBADMSG or -EMSGSIZE, the sequence number advances only
 *           on success;
 *   forge   byte 1 is the content type, bytes 2-3 a position and an XOR
 *           mask, the rest the content (at most 2^14): sealed, then that
 *           byte of the record changed; opening must succeed with the same
 *           content and type when nothing changed, and fail otherwise
 *           (GCM: no changed record authenticates).
 *
 * Nothing may crash or read out of bounds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/mdp_tls_rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEQ0	1000
#define BUF	(MDP_TLS_REC_HDR + MDP_TLS12_EXPLICIT + MDP_TLS_MAX_PLAIN + 2048 + 64)

static IMB_MGR *mgr;
static struct mdp_tls_rec_key keys[4];	/* 1.3/128, 1.3/256, 1.2/128, 1.2/256 */
static uint8_t rec[BUF], copy[BUF], pt[BUF];

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

static void
setup(void)
{
	uint8_t secret[48], key[32];

	mgr = mdp_crypto_mgr_new();
	CHECK(mgr != NULL);
	for (int i = 0; i < 48; i++)
		secret[i] = (uint8_t)(i * 7 + 1);
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(i * 11 + 3);
	CHECK(mdp_tls_key_init13(&keys[0], mgr, MDP_TLS_AES_128_GCM, secret, 32) == 0);
	CHECK(mdp_tls_key_init13(&keys[1], mgr, MDP_TLS_AES_256_GCM, secret, 48) == 0);
	CHECK(mdp_tls_key_init12(&keys[2], mgr, MDP_TLS_AES_128_GCM, key,
				 (const uint8_t *)"salt", 0) == 0);
	CHECK(mdp_tls_key_init12(&keys[3], mgr, MDP_TLS_AES_256_GCM, key,
				 (const uint8_t *)"SALT", 0) == 0);
}

/*
 * Open rec[0..len) (one whole record) in pieces of `piece` bytes (0: one
 * piece) into out, in place when out == rec + header. Returns open_end's
 * result or open_begin's error; *type and *clen as the struct says.
 */
static int
open_pieces(struct mdp_tls_rec_key *k, uint8_t *r, size_t len, size_t piece, uint8_t *out,
	    uint8_t *type, size_t *clen)
{
	bool v13 = k->version == MDP_TLS13_VERSION;
	size_t hl = MDP_TLS_REC_HDR + (v13 ? 0 : MDP_TLS12_EXPLICIT);
	struct mdp_tls_crypt c;
	int n, rc;

	if (len < hl)
		return -EBADMSG;
	n = mdp_tls_open_begin(&c, mgr, k, r, v13 ? NULL : r + MDP_TLS_REC_HDR);
	if (n < 0)
		return n;
	CHECK(hl + (size_t)n + MDP_TLS_TAG == len);
	for (size_t at = 0; at < (size_t)n;) {
		size_t m = piece == 0 || (size_t)n - at < piece ? (size_t)n - at : piece;

		mdp_tls_open_update(&c, mgr, out + at, r + hl + at, m);
		at += m;
	}
	rc = mdp_tls_open_end(&c, mgr, r + hl + n);
	*type = c.type;
	*clen = c.content_len;
	return rc;
}

static void
fuzz_open(struct mdp_tls_rec_key *k, size_t piece, const uint8_t *d, size_t n)
{
	while (n >= MDP_TLS_REC_HDR) {
		size_t rl = mdp_tls_rec_len(d), clen = 0, hl;
		uint64_t seq = k->seq;
		uint8_t type = 0, t1 = 0, *p = NULL;
		ssize_t one;
		int rc;

		if (rl > n || rl > BUF)
			break;	/* a partial record: the data plane waits for more */
		hl = MDP_TLS_REC_HDR + (k->version == MDP_TLS13_VERSION ? 0 : MDP_TLS12_EXPLICIT);
		memcpy(rec, d, rl);
		memcpy(copy, d, rl);
		rc = rl < hl ? -EBADMSG : open_pieces(k, rec, rl, piece, rec + hl, &type, &clen);
		CHECK(rc == 0 || rc == -EBADMSG || rc == -EMSGSIZE);
		CHECK(k->seq == seq + (rc == 0));
		k->seq = seq;
		one = mdp_tls_open(k, mgr, copy, rl, &t1, &p);
		CHECK(one >= 0 || one == -EBADMSG || one == -EMSGSIZE);
		if (rc != 0) {
			CHECK(one == rc);
		} else if (one >= 0) {
			CHECK(t1 == type && (size_t)one == clen && p == copy + hl);
			CHECK(memcmp(copy + hl, rec + hl, clen) == 0);
		} else {
			CHECK(type == 0);	/* TLS 1.3, no content type */
		}
		k->seq = seq + (rc == 0);
		d += rl;
		n -= rl;
	}
}

static void
fuzz_forge(struct mdp_tls_rec_key *k, size_t piece, const uint8_t *d, size_t n)
{
	uint8_t type, pos, mask, t = 0;
	size_t len, clen = 0, hl;
	ssize_t rl;
	int rc;

	if (n < 3)
		return;
	type = d[0] != 0 ? d[0] : MDP_TLS_CT_APP_DATA;
	pos = d[1];
	mask = d[2];
	d += 3;
	n -= 3;
	len = n > MDP_TLS_MAX_PLAIN ? MDP_TLS_MAX_PLAIN : n;
	if (k->version != MDP_TLS13_VERSION &&
	    (type < MDP_TLS_CT_ALERT || type > MDP_TLS_CT_APP_DATA))
		type = MDP_TLS_CT_APP_DATA;	/* open refuses other TLS 1.2 types */
	rl = mdp_tls_seal(k, mgr, type, d, len, rec, sizeof(rec));
	CHECK(rl == (ssize_t)(len + mdp_tls_rec_overhead(k)));
	CHECK(k->seq == SEQ0 + 1);
	k->seq = SEQ0;
	/* the position counts from the end for the last 128 values: the tag */
	rec[pos < 128 ? pos % rl : rl - 1 - (pos - 128) % rl] ^= mask;
	hl = MDP_TLS_REC_HDR + (k->version == MDP_TLS13_VERSION ? 0 : MDP_TLS12_EXPLICIT);
	/* a changed length field no longer matches the bytes there are */
	if (mdp_tls_rec_len(rec) != (size_t)rl) {
		CHECK(mask != 0);
		return;
	}
	rc = open_pieces(k, rec, (size_t)rl, piece, pt, &t, &clen);
	if (mask == 0) {
		CHECK(rc == 0 && t == type && clen == len && memcmp(pt, d, len) == 0);
		CHECK(k->seq == SEQ0 + 1);
	} else {
		CHECK(rc == -EBADMSG || rc == -EMSGSIZE);
		CHECK(k->seq == SEQ0);
	}
	(void)hl;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mdp_tls_rec_key *k;
	size_t piece;

	if (mgr == NULL)
		setup();
	if (size < 1)
		return 0;
	k = &keys[data[0] & 3];
	piece = (data[0] >> 2 & 7) == 0 ? 0 : 1u << ((data[0] >> 2 & 7) - 1);	/* 0, 1 .. 64 */
	k->seq = SEQ0;
	if (data[0] & 0x80)
		fuzz_forge(k, piece, data + 1, size - 1);
	else
		fuzz_open(k, piece, data + 1, size - 1);
	return 0;
}
