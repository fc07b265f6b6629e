/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TLS_REC_H
#define MDP_TLS_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <intel-ipsec-mb.h>

/*
 * The TLS record layer for application data, on Intel ipsec-mb AES-GCM.
 *
 * OpenSSL does the handshake; then the data plane seals and opens the
 * records itself: TLS 1.3 (RFC 8446 5.2-5.4) with TLS_AES_128_GCM_SHA256 and
 * TLS_AES_256_GCM_SHA384, TLS 1.2 (RFC 5246 6.2.3.3, RFC 5288) with the
 * AES-GCM suites. Pure C: no DPDK, no allocation and no system call in
 * seal, open and their update calls, so they run on workers; buffers may be
 * scattered (mbuf segments): begin, any number of update calls with any
 * split, end.
 *
 * Nonces and additional data:
 *   TLS 1.3: nonce = iv XOR seq (64-bit big-endian, right-aligned in the 12
 *            bytes); AAD = the 5-byte record header, whose length is that
 *            of the ciphertext (content + type byte + padding + tag).
 *   TLS 1.2: nonce = salt (4, from the key block) || explicit (8, carried in
 *            the record after the header; we send seq big-endian, and use
 *            whatever the peer sent); AAD = seq (8) || type || 0x0303 ||
 *            plaintext length (2).
 * The sequence number (k->seq) counts records per direction and is not sent
 * in TLS 1.3; both sides must agree on it: it advances on each sealed record
 * and each record that opens (authentic tag), never otherwise.
 *
 * Threads: an IMB_MGR is set up once per thread (mdp_crypto_mgr_new()); a
 * key and a struct mdp_tls_crypt belong to one thread at a time. Keys hold
 * GHASH tables laid out for the CPU path of the manager that expanded them:
 * expand and use them with managers of the same path (all managers made by
 * mdp_crypto_mgr_new() on one machine pick the same one).
 *
 * Alignment: struct mdp_tls_rec_key is 64-byte aligned, for the struct
 * gcm_key_data it starts with. Static and automatic objects are aligned by
 * the compiler; heap or pool memory must be too (aligned_alloc(64, ...),
 * rte_malloc() with align 64, or a mempool element holding the key at a
 * 64-byte offset). The key_init functions refuse a misaligned key
 * (-EINVAL).
 */

enum mdp_tls_aead {
	MDP_TLS_AES_128_GCM = 1,
	MDP_TLS_AES_256_GCM = 2,
};

#define MDP_TLS_REC_HDR		5	/* type, version, length */
#define MDP_TLS_TAG		16
#define MDP_TLS12_EXPLICIT	8	/* TLS 1.2 GCM explicit nonce in the record */
#define MDP_TLS_MAX_PLAIN	16384	/* 2^14: content bytes in one record */

/* Content types (RFC 8446 B.1) */
#define MDP_TLS_CT_CCS		20
#define MDP_TLS_CT_ALERT	21
#define MDP_TLS_CT_HANDSHAKE	22
#define MDP_TLS_CT_APP_DATA	23

#define MDP_TLS12_VERSION	0x0303
#define MDP_TLS13_VERSION	0x0304

/*
 * Longest ciphertext (the record's length field) accepted by open:
 * TLS 1.3: the inner plaintext (content + type + padding) is at most
 * 2^14 + 1 (RFC 8446 5.4), so 2^14 + 1 + 16 with GCM (the header limit of
 * 5.2, 2^14 + 256, is looser); TLS 1.2: plaintext at most 2^14 (RFC 5246
 * 6.2.1), so 2^14 + 8 + 16 (6.2.3's limit, 2^14 + 2048, is looser).
 * A receiver's plaintext buffer therefore never needs more than
 * MDP_TLS_MAX_PLAIN + 1 bytes.
 */
#define MDP_TLS13_MAX_CIPHER	(MDP_TLS_MAX_PLAIN + 1 + MDP_TLS_TAG)
#define MDP_TLS12_MAX_CIPHER	(MDP_TLS_MAX_PLAIN + MDP_TLS12_EXPLICIT + MDP_TLS_TAG)

/*
 * RFC 8446 5.5: at most 2^24.5 full-size records under one AES-GCM key.
 * Send a KeyUpdate when k->seq reaches this (TLS 1.3); a TLS 1.2
 * connection has no rekeying and should be closed instead.
 */
#define MDP_TLS_KEY_UPDATE_SEQ	(1ull << 24)

/*
 * One direction of one connection. 64-byte aligned (see above): said here,
 * since intel-ipsec-mb.h aligns struct gcm_key_data only when LINUX is
 * defined.
 */
struct mdp_tls_rec_key {
	_Alignas(64) struct gcm_key_data gk;	/* expanded AES key + GHASH tables */
	uint8_t iv[12];		/* TLS 1.3 static IV; TLS 1.2: 4-byte salt in iv[0..3] */
	uint8_t secret[48];	/* TLS 1.3 traffic secret (for KeyUpdate) */
	uint8_t secret_len;	/* 32 (SHA-256 suites) or 48 (SHA-384); 0 for TLS 1.2 */
	uint8_t aead;		/* enum mdp_tls_aead */
	uint16_t version;	/* 0x0303 or 0x0304 */
	uint64_t seq;		/* next record sequence number */
};

/*
 * State of one record being sealed or opened (on the stack or in the
 * connection; it holds no pointer into the data). Fields after k are for
 * the library, except type and content_len after mdp_tls_open_end().
 */
struct mdp_tls_crypt {
	struct gcm_context_data ctx;
	struct mdp_tls_rec_key *k;
	size_t len;		/* bytes to feed (plaintext or ciphertext) */
	size_t done;		/* bytes fed so far */
	size_t last_nz;		/* TLS 1.3 open: 1 + offset of the last non-zero byte, 0 if none */
	uint8_t last_nz_byte;	/* ... and its value */
	/*
	 * Seal: the content type. After a successful mdp_tls_open_end(): the
	 * content type (TLS 1.3: the inner type, 0 when the plaintext is all
	 * zeros, which RFC 8446 5.4 makes an unexpected_message error;
	 * TLS 1.2: the header's).
	 */
	uint8_t type;
	/* After a successful mdp_tls_open_end(): content bytes at the start of
	 * the plaintext (TLS 1.3: without the type byte and padding). */
	size_t content_len;
};

/*
 * A manager for the calling thread, on the best CPU path ipsec-mb finds
 * (AVX2 on the 2026 test VM, which has no AVX-512). Allocates: call at
 * start-up. Returns NULL on failure.
 */
IMB_MGR *mdp_crypto_mgr_new(void);
void mdp_crypto_mgr_free(IMB_MGR *m);
/* "avx512", "avx2", "avx", "sse" or "noaesni", for logs. */
const char *mdp_crypto_arch(const IMB_MGR *m);

/*
 * TLS 1.3: set k from a traffic secret (secret_len 32 for AES-128-GCM with
 * SHA-256, 48 for AES-256-GCM with SHA-384): key and iv by
 * HKDF-Expand-Label(secret, "key"/"iv", "", len) (RFC 8446 7.3); seq 0.
 * Returns 0, or -EINVAL (unknown aead, secret length not the suite's hash
 * length, k not 64-byte aligned).
 */
int mdp_tls_key_init13(struct mdp_tls_rec_key *k, IMB_MGR *m, enum mdp_tls_aead a,
		       const uint8_t *secret, size_t secret_len);
/*
 * TLS 1.2: set k from a write key (16 or 32 bytes by a) and 4-byte salt
 * (the key block's write IV), with the next sequence number seq (1 after
 * a handshake: Finished was 0). Returns 0 or -EINVAL.
 */
int mdp_tls_key_init12(struct mdp_tls_rec_key *k, IMB_MGR *m, enum mdp_tls_aead a,
		       const uint8_t *key, const uint8_t salt[4], uint64_t seq);
/*
 * TLS 1.3 KeyUpdate (RFC 8446 7.2): application_traffic_secret_N+1 =
 * HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length); new key and
 * iv, seq 0. Call for the sending key right after sealing the KeyUpdate
 * message, for the receiving key right after opening one. Returns 0, or
 * -EINVAL for a TLS 1.2 key.
 */
int mdp_tls_key_update13(struct mdp_tls_rec_key *k, IMB_MGR *m);
/* Forget k (explicit_bzero). */
void mdp_tls_key_wipe(struct mdp_tls_rec_key *k);

/* Bytes a record adds to its content: header + explicit nonce + inner type
 * + tag: 22 for TLS 1.3, 29 for TLS 1.2. */
size_t mdp_tls_rec_overhead(const struct mdp_tls_rec_key *k);

/* The whole length (header included) of the record whose header is hdr. */
static inline size_t
mdp_tls_rec_len(const uint8_t hdr[MDP_TLS_REC_HDR])
{
	return MDP_TLS_REC_HDR + ((size_t)hdr[3] << 8 | hdr[4]);
}

/*
 * Seal one record carrying len plaintext bytes of content type `type` (TLS
 * 1.3: the inner type; the outer header says application_data 0x17 and
 * 0x0303). Writes the header (5 bytes, plus the 8-byte explicit nonce for
 * TLS 1.2) to hdr and returns its length: 5 or 13. Returns 0, and changes
 * nothing, when len > MDP_TLS_MAX_PLAIN, type is 0 or the sequence number is
 * exhausted (2^64 - 1: RFC 8446 5.3, rekey or close).
 * Then exactly len bytes through mdp_tls_seal_update(), then
 * mdp_tls_seal_end(). The record on the wire is hdr, the update outputs in
 * order, then the trailer.
 */
size_t mdp_tls_seal_begin(struct mdp_tls_crypt *c, IMB_MGR *m, struct mdp_tls_rec_key *k,
			  uint8_t type, size_t len,
			  uint8_t hdr[MDP_TLS_REC_HDR + MDP_TLS12_EXPLICIT]);
/* Encrypt len bytes from src to dst; any number of calls, any split; dst
 * may equal src (not otherwise overlap). */
void mdp_tls_seal_update(struct mdp_tls_crypt *c, IMB_MGR *m, uint8_t *dst,
			 const uint8_t *src, size_t len);
/* Write the trailer and return its length: TLS 1.3: the encrypted inner type
 * byte + tag (17 bytes); TLS 1.2: the tag (16). k->seq++. */
size_t mdp_tls_seal_end(struct mdp_tls_crypt *c, IMB_MGR *m, uint8_t trailer[1 + MDP_TLS_TAG]);

/*
 * Open one record: hdr is its 5-byte header; explicit is the 8-byte
 * explicit nonce that follows it (TLS 1.2) or NULL (TLS 1.3). Returns the
 * number of ciphertext bytes to feed through mdp_tls_open_update(): the
 * record length minus explicit nonce and tag (TLS 1.3: it includes the
 * inner type byte and padding); the tag is the last MDP_TLS_TAG bytes of
 * the record. Errors, after which nothing changed:
 *   -EMSGSIZE  longer than the RFC allows (MDP_TLS13_MAX_CIPHER,
 *              MDP_TLS12_MAX_CIPHER): record_overflow;
 *   -EBADMSG   too short for type + tag (1.3) or explicit + tag (1.2), or
 *              the wrong version, or a type the version does not encrypt
 *              (1.3: only 23; 1.2: 21, 22 or 23), or explicit NULL in 1.2.
 */
int mdp_tls_open_begin(struct mdp_tls_crypt *c, IMB_MGR *m, struct mdp_tls_rec_key *k,
		       const uint8_t hdr[MDP_TLS_REC_HDR], const uint8_t *explicit);
/* Decrypt len bytes from src to dst (dst may equal src); any split. The
 * output is not authentic until mdp_tls_open_end() returned 0. */
void mdp_tls_open_update(struct mdp_tls_crypt *c, IMB_MGR *m, uint8_t *dst,
			 const uint8_t *src, size_t len);
/*
 * Check the tag: the record's last MDP_TLS_TAG bytes, contiguous (copy them
 * out first when they straddle two segments). Constant time. Returns 0 and
 * advances k->seq, setting c->type and c->content_len; or -EBADMSG when the
 * tag does not match (the decrypted bytes must be dropped; k->seq is
 * unchanged).
 */
int mdp_tls_open_end(struct mdp_tls_crypt *c, IMB_MGR *m, const uint8_t tag[MDP_TLS_TAG]);

/*
 * TLS 1.3 inner plaintext of len bytes, flat: strip the zero padding; *type =
 * the content type; returns the content length, or -EBADMSG when all bytes
 * are zero (RFC 8446 5.4: unexpected_message).
 */
int mdp_tls13_inner(const uint8_t *pt, size_t len, uint8_t *type);

/*
 * One-shot, flat: seal len bytes of pt as one record into out (cap bytes).
 * pt may be out + the header length (5 for 1.3, 13 for 1.2), i.e. in place,
 * else pt and out must not overlap. Returns the record length
 * (len + mdp_tls_rec_overhead(k)), -ENOBUFS when cap is too small, -EINVAL
 * when mdp_tls_seal_begin() refuses.
 */
ssize_t mdp_tls_seal(struct mdp_tls_rec_key *k, IMB_MGR *m, uint8_t type, const uint8_t *pt,
		     size_t len, uint8_t *out, size_t cap);
/*
 * One-shot, flat, in place: open the record rec of len bytes (exactly one
 * whole record). Returns the content length with *type and *pt (pointing
 * into rec) set; or -EBADMSG (malformed, wrong length, tag mismatch: the
 * plaintext is wiped; TLS 1.3 all-zero plaintext) or -EMSGSIZE.
 */
ssize_t mdp_tls_open(struct mdp_tls_rec_key *k, IMB_MGR *m, uint8_t *rec, size_t len,
		     uint8_t *type, uint8_t **pt);

/*
 * HKDF-Expand-Label (RFC 8446 7.1) with HMAC-SHA256 (hash_len 32) or
 * HMAC-SHA384 (48), on ipsec-mb's SHA-2: no allocation, usable on the fast
 * path. secret has hash_len bytes; label is without the "tls13 " prefix (at
 * most 249 characters); ctx_len at most 255; out_len from 1 to
 * 255 * hash_len. Returns 0 or -EINVAL.
 */
int mdp_tls_hkdf_expand_label(unsigned hash_len, const uint8_t *secret, const char *label,
			      const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t out_len,
			      IMB_MGR *m);

#endif /* MDP_TLS_REC_H */
