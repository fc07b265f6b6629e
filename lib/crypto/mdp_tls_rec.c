/* SPDX-License-Identifier: BSD-3-Clause */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "mdp_tls_rec.h"

/*
 * Direct GCM API of ipsec-mb, through the manager's function pointers (the
 * IMB_ macros). Every call below has 16-byte tags and 12-byte IVs.
 */

static inline void
gcm_init(IMB_MGR *m, const struct mdp_tls_rec_key *k, struct gcm_context_data *ctx,
	 const uint8_t iv[12], const uint8_t *aad, uint64_t aad_len)
{
	if (k->aead == MDP_TLS_AES_128_GCM)
		IMB_AES128_GCM_INIT(m, &k->gk, ctx, iv, aad, aad_len);
	else
		IMB_AES256_GCM_INIT(m, &k->gk, ctx, iv, aad, aad_len);
}

static inline void
gcm_enc(IMB_MGR *m, const struct mdp_tls_rec_key *k, struct gcm_context_data *ctx,
	uint8_t *dst, const uint8_t *src, uint64_t len)
{
	if (k->aead == MDP_TLS_AES_128_GCM)
		IMB_AES128_GCM_ENC_UPDATE(m, &k->gk, ctx, dst, src, len);
	else
		IMB_AES256_GCM_ENC_UPDATE(m, &k->gk, ctx, dst, src, len);
}

static inline void
gcm_dec(IMB_MGR *m, const struct mdp_tls_rec_key *k, struct gcm_context_data *ctx,
	uint8_t *dst, const uint8_t *src, uint64_t len)
{
	if (k->aead == MDP_TLS_AES_128_GCM)
		IMB_AES128_GCM_DEC_UPDATE(m, &k->gk, ctx, dst, src, len);
	else
		IMB_AES256_GCM_DEC_UPDATE(m, &k->gk, ctx, dst, src, len);
}

static inline void
gcm_enc_tag(IMB_MGR *m, const struct mdp_tls_rec_key *k, struct gcm_context_data *ctx,
	    uint8_t tag[MDP_TLS_TAG])
{
	if (k->aead == MDP_TLS_AES_128_GCM)
		IMB_AES128_GCM_ENC_FINALIZE(m, &k->gk, ctx, tag, MDP_TLS_TAG);
	else
		IMB_AES256_GCM_ENC_FINALIZE(m, &k->gk, ctx, tag, MDP_TLS_TAG);
}

static inline void
gcm_dec_tag(IMB_MGR *m, const struct mdp_tls_rec_key *k, struct gcm_context_data *ctx,
	    uint8_t tag[MDP_TLS_TAG])
{
	if (k->aead == MDP_TLS_AES_128_GCM)
		IMB_AES128_GCM_DEC_FINALIZE(m, &k->gk, ctx, tag, MDP_TLS_TAG);
	else
		IMB_AES256_GCM_DEC_FINALIZE(m, &k->gk, ctx, tag, MDP_TLS_TAG);
}

static inline void
put_be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* RFC 8446 5.3: the 64-bit sequence number, big-endian, XORed into the
 * right end of the static IV */
static inline void
nonce13(uint8_t nonce[12], const struct mdp_tls_rec_key *k)
{
	uint64_t s = k->seq;

	memcpy(nonce, k->iv, 12);
	for (int i = 11; i >= 4; i--, s >>= 8)
		nonce[i] ^= (uint8_t)s;
}

/* RFC 5246 6.2.3.3: seq_num || type || version || length */
static inline void
aad12(uint8_t aad[13], uint64_t seq, uint8_t type, size_t len)
{
	put_be64(aad, seq);
	aad[8] = type;
	put_be16(aad + 9, MDP_TLS12_VERSION);
	put_be16(aad + 11, (unsigned)len);
}

/* ---------------------------------------------------------------- manager */

IMB_MGR *
mdp_crypto_mgr_new(void)
{
	IMB_MGR *m = alloc_mb_mgr(0);

	if (m == NULL)
		return NULL;
	init_mb_mgr_auto(m, NULL);
	if (imb_get_errno(m) != 0 || m->used_arch == IMB_ARCH_NONE) {
		free_mb_mgr(m);
		return NULL;
	}
	return m;
}

void
mdp_crypto_mgr_free(IMB_MGR *m)
{
	if (m != NULL)
		free_mb_mgr(m);
}

const char *
mdp_crypto_arch(const IMB_MGR *m)
{
	switch (m->used_arch) {
	case IMB_ARCH_NOAESNI: return "noaesni";
	case IMB_ARCH_SSE: return "sse";
	case IMB_ARCH_AVX: return "avx";
	case IMB_ARCH_AVX2: return "avx2";
	case IMB_ARCH_AVX512: return "avx512";
	default: return "none";
	}
}

/* ---------------------------------------------------------------- HKDF */

#define HMAX	48	/* SHA-384 output */
#define BMAX	128	/* SHA-384 block */

static inline void
sha2(IMB_MGR *m, unsigned hash_len, const uint8_t *p, size_t n, uint8_t *out)
{
	if (hash_len == 32)
		IMB_SHA256(m, p, n, out);
	else
		IMB_SHA384(m, p, n, out);
}

/*
 * HKDF-Expand (RFC 5869 2.3) with HMAC (RFC 2104) written out over one-shot
 * SHA-2: T(i) = HMAC(prk, T(i-1) || info || i). The PRK has hash_len bytes,
 * shorter than a block, so it is used as the HMAC key directly.
 */
static void
hkdf_expand(IMB_MGR *m, unsigned hash_len, const uint8_t *prk, const uint8_t *info,
	    size_t info_len, uint8_t *out, size_t out_len)
{
	size_t block = hash_len == 32 ? 64 : 128;
	uint8_t in[BMAX + HMAX + 2 + 1 + 255 + 1 + 255 + 1];	/* K^ipad || T || info || i */
	uint8_t outer[BMAX + HMAX];				/* K^opad || inner */
	uint8_t t[HMAX];
	size_t off = 0;

	for (size_t j = 0; j < block; j++) {
		uint8_t kb = j < hash_len ? prk[j] : 0;

		in[j] = kb ^ 0x36;
		outer[j] = kb ^ 0x5c;
	}
	for (unsigned i = 1; off < out_len; i++) {
		size_t p = block, n;

		if (i > 1) {
			memcpy(in + p, t, hash_len);
			p += hash_len;
		}
		memcpy(in + p, info, info_len);
		p += info_len;
		in[p++] = (uint8_t)i;
		sha2(m, hash_len, in, p, outer + block);
		sha2(m, hash_len, outer, block + hash_len, t);
		n = out_len - off < hash_len ? out_len - off : hash_len;
		memcpy(out + off, t, n);
		off += n;
	}
	explicit_bzero(in, sizeof(in));
	explicit_bzero(outer, sizeof(outer));
	explicit_bzero(t, sizeof(t));
}

int
mdp_tls_hkdf_expand_label(unsigned hash_len, const uint8_t *secret, const char *label,
			  const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t out_len,
			  IMB_MGR *m)
{
	static const char prefix[] = "tls13 ";
	const size_t plen = sizeof(prefix) - 1;
	uint8_t info[2 + 1 + 255 + 1 + 255];
	size_t llen, n = 0;

	if (hash_len != 32 && hash_len != 48)
		return -EINVAL;
	llen = label != NULL ? strlen(label) : 0;
	if (llen > 255 - plen || ctx_len > 255 || (ctx_len > 0 && ctx == NULL) ||
	    out_len == 0 || out_len > 255 * (size_t)hash_len)
		return -EINVAL;
	/* struct HkdfLabel: uint16 length, opaque label<7..255>, opaque context<0..255> */
	put_be16(info, (unsigned)out_len);
	n = 2;
	info[n++] = (uint8_t)(plen + llen);
	memcpy(info + n, prefix, plen);
	n += plen;
	memcpy(info + n, label, llen);
	n += llen;
	info[n++] = (uint8_t)ctx_len;
	if (ctx_len > 0)
		memcpy(info + n, ctx, ctx_len);
	n += ctx_len;
	hkdf_expand(m, hash_len, secret, info, n, out, out_len);
	return 0;
}

/* ---------------------------------------------------------------- keys */

static size_t
key_len(enum mdp_tls_aead a)
{
	switch (a) {
	case MDP_TLS_AES_128_GCM: return 16;
	case MDP_TLS_AES_256_GCM: return 32;
	default: return 0;
	}
}

static bool
key_aligned(const struct mdp_tls_rec_key *k)
{
	return ((uintptr_t)k & 63) == 0;
}

static void
key_expand(struct mdp_tls_rec_key *k, IMB_MGR *m, enum mdp_tls_aead a, const uint8_t *key)
{
	if (a == MDP_TLS_AES_128_GCM)
		IMB_AES128_GCM_PRE(m, key, &k->gk);
	else
		IMB_AES256_GCM_PRE(m, key, &k->gk);
	k->aead = (uint8_t)a;
}

int
mdp_tls_key_init13(struct mdp_tls_rec_key *k, IMB_MGR *m, enum mdp_tls_aead a,
		   const uint8_t *secret, size_t secret_len)
{
	/* RFC 8446 B.4: AES-128-GCM with SHA-256, AES-256-GCM with SHA-384 */
	size_t klen = key_len(a), hlen = a == MDP_TLS_AES_128_GCM ? 32 : 48;
	uint8_t key[32], iv[12], s[48];

	if (klen == 0 || secret_len != hlen || !key_aligned(k))
		return -EINVAL;
	memcpy(s, secret, hlen);	/* secret may be k->secret */
	mdp_tls_hkdf_expand_label((unsigned)hlen, s, "key", NULL, 0, key, klen, m);
	mdp_tls_hkdf_expand_label((unsigned)hlen, s, "iv", NULL, 0, iv, sizeof(iv), m);
	key_expand(k, m, a, key);
	memcpy(k->iv, iv, sizeof(iv));
	memset(k->secret, 0, sizeof(k->secret));
	memcpy(k->secret, s, hlen);
	k->secret_len = (uint8_t)hlen;
	k->version = MDP_TLS13_VERSION;
	k->seq = 0;
	explicit_bzero(key, sizeof(key));
	explicit_bzero(s, sizeof(s));
	return 0;
}

int
mdp_tls_key_init12(struct mdp_tls_rec_key *k, IMB_MGR *m, enum mdp_tls_aead a,
		   const uint8_t *key, const uint8_t salt[4], uint64_t seq)
{
	if (key_len(a) == 0 || !key_aligned(k))
		return -EINVAL;
	key_expand(k, m, a, key);
	memset(k->iv, 0, sizeof(k->iv));
	memcpy(k->iv, salt, 4);
	memset(k->secret, 0, sizeof(k->secret));
	k->secret_len = 0;
	k->version = MDP_TLS12_VERSION;
	k->seq = seq;
	return 0;
}

int
mdp_tls_key_update13(struct mdp_tls_rec_key *k, IMB_MGR *m)
{
	uint8_t next[48];
	int rc;

	if (k->version != MDP_TLS13_VERSION)
		return -EINVAL;
	rc = mdp_tls_hkdf_expand_label(k->secret_len, k->secret, "traffic upd", NULL, 0,
				       next, k->secret_len, m);
	if (rc == 0)
		rc = mdp_tls_key_init13(k, m, (enum mdp_tls_aead)k->aead, next, k->secret_len);
	explicit_bzero(next, sizeof(next));
	return rc;
}

void
mdp_tls_key_wipe(struct mdp_tls_rec_key *k)
{
	explicit_bzero(k, sizeof(*k));
}

size_t
mdp_tls_rec_overhead(const struct mdp_tls_rec_key *k)
{
	if (k->version == MDP_TLS13_VERSION)
		return MDP_TLS_REC_HDR + 1 + MDP_TLS_TAG;
	return MDP_TLS_REC_HDR + MDP_TLS12_EXPLICIT + MDP_TLS_TAG;
}

/* ---------------------------------------------------------------- seal */

size_t
mdp_tls_seal_begin(struct mdp_tls_crypt *c, IMB_MGR *m, struct mdp_tls_rec_key *k,
		   uint8_t type, size_t len, uint8_t hdr[MDP_TLS_REC_HDR + MDP_TLS12_EXPLICIT])
{
	uint8_t nonce[12];

	if (len > MDP_TLS_MAX_PLAIN || type == 0 || k->seq == UINT64_MAX)
		return 0;
	c->k = k;
	c->len = len;
	c->done = 0;
	c->type = type;
	c->last_nz = 0;
	c->content_len = len;
	if (k->version == MDP_TLS13_VERSION) {
		/* RFC 8446 5.2: opaque_type 23, legacy_record_version 0x0303 */
		hdr[0] = MDP_TLS_CT_APP_DATA;
		put_be16(hdr + 1, MDP_TLS12_VERSION);
		put_be16(hdr + 3, (unsigned)(len + 1 + MDP_TLS_TAG));
		nonce13(nonce, k);
		gcm_init(m, k, &c->ctx, nonce, hdr, MDP_TLS_REC_HDR);
		return MDP_TLS_REC_HDR;
	}
	{
		uint8_t aad[13];

		hdr[0] = type;
		put_be16(hdr + 1, MDP_TLS12_VERSION);
		put_be16(hdr + 3, (unsigned)(MDP_TLS12_EXPLICIT + len + MDP_TLS_TAG));
		/* RFC 5288 3: the explicit nonce is ours to choose, unique per key;
		 * the sequence number is (and is what OpenSSL sends) */
		put_be64(hdr + MDP_TLS_REC_HDR, k->seq);
		memcpy(nonce, k->iv, 4);
		memcpy(nonce + 4, hdr + MDP_TLS_REC_HDR, MDP_TLS12_EXPLICIT);
		aad12(aad, k->seq, type, len);
		gcm_init(m, k, &c->ctx, nonce, aad, sizeof(aad));
	}
	return MDP_TLS_REC_HDR + MDP_TLS12_EXPLICIT;
}

void
mdp_tls_seal_update(struct mdp_tls_crypt *c, IMB_MGR *m, uint8_t *dst, const uint8_t *src,
		    size_t len)
{
	assert(c->done + len <= c->len);
	if (len == 0)
		return;
	gcm_enc(m, c->k, &c->ctx, dst, src, len);
	c->done += len;
}

size_t
mdp_tls_seal_end(struct mdp_tls_crypt *c, IMB_MGR *m, uint8_t trailer[1 + MDP_TLS_TAG])
{
	struct mdp_tls_rec_key *k = c->k;
	size_t n = 0;

	assert(c->done == c->len);
	if (k->version == MDP_TLS13_VERSION) {
		/* RFC 8446 5.2: TLSInnerPlaintext = content || type || zeros (none) */
		gcm_enc(m, k, &c->ctx, trailer, &c->type, 1);
		n = 1;
	}
	gcm_enc_tag(m, k, &c->ctx, trailer + n);
	k->seq++;
	return n + MDP_TLS_TAG;
}

/* ---------------------------------------------------------------- open */

int
mdp_tls_open_begin(struct mdp_tls_crypt *c, IMB_MGR *m, struct mdp_tls_rec_key *k,
		   const uint8_t hdr[MDP_TLS_REC_HDR], const uint8_t *explicit)
{
	size_t rlen = (size_t)hdr[3] << 8 | hdr[4], n;
	unsigned version = (unsigned)hdr[1] << 8 | hdr[2];
	uint8_t nonce[12];

	if (version != MDP_TLS12_VERSION)
		return -EBADMSG;
	if (k->version == MDP_TLS13_VERSION) {
		/* RFC 8446 5.2: all protected records are application_data */
		if (hdr[0] != MDP_TLS_CT_APP_DATA)
			return -EBADMSG;
		if (rlen > MDP_TLS13_MAX_CIPHER)
			return -EMSGSIZE;
		if (rlen < 1 + MDP_TLS_TAG)
			return -EBADMSG;
		n = rlen - MDP_TLS_TAG;
		nonce13(nonce, k);
		gcm_init(m, k, &c->ctx, nonce, hdr, MDP_TLS_REC_HDR);
	} else {
		uint8_t aad[13];

		if (hdr[0] < MDP_TLS_CT_ALERT || hdr[0] > MDP_TLS_CT_APP_DATA ||
		    explicit == NULL)
			return -EBADMSG;
		if (rlen > MDP_TLS12_MAX_CIPHER)
			return -EMSGSIZE;
		if (rlen < MDP_TLS12_EXPLICIT + MDP_TLS_TAG)
			return -EBADMSG;
		n = rlen - MDP_TLS12_EXPLICIT - MDP_TLS_TAG;
		memcpy(nonce, k->iv, 4);
		memcpy(nonce + 4, explicit, MDP_TLS12_EXPLICIT);
		aad12(aad, k->seq, hdr[0], n);
		gcm_init(m, k, &c->ctx, nonce, aad, sizeof(aad));
	}
	c->k = k;
	c->len = n;
	c->done = 0;
	c->last_nz = 0;
	c->last_nz_byte = 0;
	c->type = hdr[0];
	c->content_len = 0;
	return (int)n;
}

void
mdp_tls_open_update(struct mdp_tls_crypt *c, IMB_MGR *m, uint8_t *dst, const uint8_t *src,
		    size_t len)
{
	assert(c->done + len <= c->len);
	if (len == 0)
		return;
	gcm_dec(m, c->k, &c->ctx, dst, src, len);
	c->done += len;
	if (c->k->version == MDP_TLS13_VERSION) {
		/* the content type is the last non-zero byte (RFC 8446 5.4);
		 * padding is rare, so this loop usually stops at once */
		for (size_t i = len; i > 0; i--) {
			if (dst[i - 1] != 0) {
				c->last_nz = c->done - len + i;
				c->last_nz_byte = dst[i - 1];
				break;
			}
		}
	}
}

int
mdp_tls_open_end(struct mdp_tls_crypt *c, IMB_MGR *m, const uint8_t tag[MDP_TLS_TAG])
{
	uint8_t want[MDP_TLS_TAG], diff = 0;

	assert(c->done == c->len);
	gcm_dec_tag(m, c->k, &c->ctx, want);
	for (int i = 0; i < MDP_TLS_TAG; i++)
		diff |= want[i] ^ tag[i];
	if (diff != 0)
		return -EBADMSG;
	c->k->seq++;
	if (c->k->version == MDP_TLS13_VERSION) {
		c->type = c->last_nz_byte;
		c->content_len = c->last_nz > 0 ? c->last_nz - 1 : 0;
	} else {
		c->content_len = c->len;
	}
	return 0;
}

int
mdp_tls13_inner(const uint8_t *pt, size_t len, uint8_t *type)
{
	while (len > 0 && pt[len - 1] == 0)
		len--;
	if (len == 0)
		return -EBADMSG;
	*type = pt[len - 1];
	return (int)(len - 1);
}

/* ---------------------------------------------------------------- one-shot */

ssize_t
mdp_tls_seal(struct mdp_tls_rec_key *k, IMB_MGR *m, uint8_t type, const uint8_t *pt,
	     size_t len, uint8_t *out, size_t cap)
{
	uint8_t hdr[MDP_TLS_REC_HDR + MDP_TLS12_EXPLICIT];
	struct mdp_tls_crypt c;
	size_t hl;

	if (len > MDP_TLS_MAX_PLAIN)
		return -EINVAL;
	if (cap < len + mdp_tls_rec_overhead(k))
		return -ENOBUFS;
	hl = mdp_tls_seal_begin(&c, m, k, type, len, hdr);
	if (hl == 0)
		return -EINVAL;
	/* the plaintext may sit at out + hl already: header after encryption */
	mdp_tls_seal_update(&c, m, out + hl, pt, len);
	memcpy(out, hdr, hl);
	return (ssize_t)(hl + len + mdp_tls_seal_end(&c, m, out + hl + len));
}

ssize_t
mdp_tls_open(struct mdp_tls_rec_key *k, IMB_MGR *m, uint8_t *rec, size_t len, uint8_t *type,
	     uint8_t **pt)
{
	bool v13 = k->version == MDP_TLS13_VERSION;
	size_t hl = MDP_TLS_REC_HDR + (v13 ? 0 : MDP_TLS12_EXPLICIT);
	struct mdp_tls_crypt c;
	int n;

	if (len < hl || len != mdp_tls_rec_len(rec))
		return -EBADMSG;
	n = mdp_tls_open_begin(&c, m, k, rec, v13 ? NULL : rec + MDP_TLS_REC_HDR);
	if (n < 0)
		return n;
	mdp_tls_open_update(&c, m, rec + hl, rec + hl, (size_t)n);
	if (mdp_tls_open_end(&c, m, rec + hl + n) != 0) {
		explicit_bzero(rec + hl, (size_t)n);
		return -EBADMSG;
	}
	if (v13 && c.type == 0)
		return -EBADMSG;
	*type = c.type;
	*pt = rec + hl;
	return (ssize_t)c.content_len;
}
