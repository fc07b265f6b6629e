/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls/mdp_tls_ctx.h"
#include "tls_int.h"

/*
 * Credentials and trust bundles: parsed and checked whole when made, then
 * immutable, so that a context can be built from them at any time without
 * a failure that configuration could have caught.
 */

struct mdp_tls_cred {
	atomic_uint refs;
	X509 *leaf;
	STACK_OF(X509) *chain;	/* issuers after the leaf, in order */
	EVP_PKEY *key;
	char *spiffe_id;	/* NULL: no URI SAN */
	time_t not_before;
	time_t not_after;
	uint8_t fp[32];
};

struct mdp_tls_bundle {
	atomic_uint refs;
	STACK_OF(X509) *certs;	/* distinct */
	uint8_t fp[32];
};

/* ---- helpers shared by lib/tls ---- */


const char *
mdp_tls_ossl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r != NULL ? r : "no detail";
}

int
mdp_tls_read_file(const char *path, size_t max, char **out, size_t *len)
{
	size_t cap, n = 0;
	struct stat sb;
	char *buf;
	int fd, rc = 0;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0)
		rc = -errno;
	else if (!S_ISREG(sb.st_mode))
		rc = S_ISDIR(sb.st_mode) ? -EISDIR : -EINVAL;
	if (rc != 0) {
		close(fd);
		return rc;
	}
	if ((uint64_t)sb.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	cap = (size_t)sb.st_size + 1;	/* may grow while we read: bounded by max */
	buf = malloc(cap);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap > max) {
				rc = -EFBIG;
				break;
			}
			nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (rc == 0 && n > max)
		rc = -EFBIG;
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return 0;
}

static time_t
asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

static BIO *
mem_bio(const char *p, size_t len)
{
	if (p == NULL || len > INT_MAX)
		return NULL;
	return BIO_new_mem_buf(p, (int)len);
}

/*
 * All certificates of a PEM text. Anything between PEM blocks is skipped
 * (as OpenSSL does); an undecodable block, or no block at all, fails.
 */
static STACK_OF(X509) *
read_certs(const char *pem, size_t len, const char *what, char *err, size_t errlen)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	BIO *bio = mem_bio(pem, len);
	X509 *x;

	if (sk == NULL || bio == NULL) {
		mdp_errf(err, errlen, "%s: cannot read (out of memory or too large)", what);
		goto fail;
	}
	ERR_clear_error();
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			mdp_errf(err, errlen, "%s: out of memory", what);
			goto fail;
		}
	}
	/* the loop ends with "no start line" at the end of the text */
	{
		unsigned long e = ERR_peek_last_error();

		if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE &&
		    sk_X509_num(sk) > 0) {
			ERR_clear_error();
		} else if (sk_X509_num(sk) == 0) {
			mdp_errf(err, errlen, "%s: no PEM certificate (OpenSSL: %s)", what,
				     mdp_tls_ossl_reason());
			goto fail;
		} else {
			mdp_errf(err, errlen, "%s: certificate %d: bad PEM (OpenSSL: %s)", what,
				     sk_X509_num(sk) + 1, mdp_tls_ossl_reason());
			goto fail;
		}
	}
	BIO_free(bio);
	return sk;
fail:
	BIO_free(bio);
	sk_X509_pop_free(sk, X509_free);
	return NULL;
}

/* Called only for an encrypted key: we never prompt. */
static int
no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)u = 1;
	return -1;
}

static EVP_PKEY *
read_key(const char *pem, size_t len, const char *what, char *err, size_t errlen)
{
	BIO *bio = mem_bio(pem, len);
	EVP_PKEY *k;
	int encrypted = 0;

	if (bio == NULL) {
		mdp_errf(err, errlen, "%s: cannot read (out of memory or too large)", what);
		return NULL;
	}
	/* OpenSSL 3 reports a missing key as "unsupported": say what is missing */
	if (memmem(pem, len, "PRIVATE KEY-----", 16) == NULL) {
		BIO_free(bio);
		mdp_errf(err, errlen,
			     "%s: no PEM private key (no \"-----BEGIN ... PRIVATE KEY-----\" line)",
			     what);
		return NULL;
	}
	ERR_clear_error();
	k = PEM_read_bio_PrivateKey(bio, NULL, no_password, &encrypted);
	BIO_free(bio);
	if (k != NULL)
		return k;
	if (encrypted) {
		ERR_clear_error();
		mdp_errf(err, errlen, "%s: encrypted private keys are not supported", what);
	} else {
		mdp_errf(err, errlen, "%s: no PEM private key (OpenSSL: %s)", what,
			     mdp_tls_ossl_reason());
	}
	return NULL;
}

/* EC P-256/P-384, RSA >= 2048, Ed25519: what the mesh's peers accept. */
static int
check_key_type(EVP_PKEY *k, const char *what, char *err, size_t errlen)
{
	char group[64];
	size_t glen = 0;
	int bits = EVP_PKEY_get_bits(k);

	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_group_name(k, group, sizeof(group), &glen))
			snprintf(group, sizeof(group), "unknown");
		if (strcmp(group, "prime256v1") == 0 || strcmp(group, "secp384r1") == 0)
			return 0;
		mdp_errf(err, errlen, "%s: EC key on curve %s (P-256 or P-384 only)", what,
			     group);
		return -1;
	case EVP_PKEY_RSA:
		if (bits >= 2048)
			return 0;
		mdp_errf(err, errlen, "%s: RSA key of %d bits (at least 2048)", what, bits);
		return -1;
	case EVP_PKEY_ED25519:
		return 0;
	default:
		mdp_errf(err, errlen,
			     "%s: unsupported key type %s (EC P-256/P-384, RSA, Ed25519 only)",
			     what, OBJ_nid2sn(EVP_PKEY_get_base_id(k)));
		return -1;
	}
}

static void
cred_free(struct mdp_tls_cred *c)
{
	X509_free(c->leaf);
	sk_X509_pop_free(c->chain, X509_free);
	EVP_PKEY_free(c->key);
	free(c->spiffe_id);
	free(c);
}

/*
 * cert_what/key_what name the inputs in messages ("certificate" or a file
 * path); files says whether they are paths.
 */
static struct mdp_tls_cred *
cred_build(const char *cert_pem, size_t cert_len, const char *key_pem, size_t key_len,
	   const char *cert_what, const char *key_what, int files, char *err, size_t errlen)
{
	char id[MDP_SPIFFE_ID_MAX + 1];
	struct mdp_tls_cred *c;
	STACK_OF(X509) *certs;
	unsigned fplen = 0;
	int rc;

	mdp_errf(err, errlen, "%s", "");
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		mdp_errf(err, errlen, "out of memory");
		return NULL;
	}
	atomic_init(&c->refs, 1);
	certs = read_certs(cert_pem, cert_len, cert_what, err, errlen);
	if (certs == NULL)
		goto fail;
	c->leaf = sk_X509_shift(certs);
	c->chain = certs;
	/* each certificate issued by the next one: leaf first */
	for (int i = 0; i < sk_X509_num(certs); i++) {
		X509 *sub = i == 0 ? c->leaf : sk_X509_value(certs, i - 1);

		if (X509_check_issued(sk_X509_value(certs, i), sub) != X509_V_OK) {
			mdp_errf(err, errlen,
				     "%s: certificate %d is not the issuer of certificate %d "
				     "(the chain goes leaf first, then each issuer)",
				     cert_what, i + 2, i + 1);
			goto fail;
		}
	}
	c->key = read_key(key_pem, key_len, key_what, err, errlen);
	if (c->key == NULL || check_key_type(c->key, key_what, err, errlen) < 0)
		goto fail;
	ERR_clear_error();
	if (X509_check_private_key(c->leaf, c->key) != 1) {
		const char *why = mdp_tls_ossl_reason();

		if (files)
			mdp_errf(err, errlen,
				     "the private key %s does not match the certificate %s "
				     "(OpenSSL: %s)", key_what, cert_what, why);
		else
			mdp_errf(err, errlen,
				     "the private key does not match the certificate (OpenSSL: %s)",
				     why);
		goto fail;
	}
	rc = mdp_tls_cert_spiffe_id(c->leaf, id, sizeof(id));
	if (rc == 0) {
		c->spiffe_id = strdup(id);
		if (c->spiffe_id == NULL) {
			mdp_errf(err, errlen, "out of memory");
			goto fail;
		}
	} else if (rc != -ENOENT) {
		mdp_errf(err, errlen,
			     "%s: the URI SAN of the certificate is not exactly one valid "
			     "SPIFFE ID", cert_what);
		goto fail;
	}
	c->not_before = asn1_time(X509_get0_notBefore(c->leaf));
	c->not_after = asn1_time(X509_get0_notAfter(c->leaf));
	if (!X509_digest(c->leaf, EVP_sha256(), c->fp, &fplen) || fplen != sizeof(c->fp)) {
		mdp_errf(err, errlen, "%s: cannot hash the certificate (OpenSSL: %s)",
			     cert_what, mdp_tls_ossl_reason());
		goto fail;
	}
	return c;
fail:
	ERR_clear_error();
	cred_free(c);
	return NULL;
}

struct mdp_tls_cred *
mdp_tls_cred_new(const char *cert_pem, size_t cert_len, const char *key_pem, size_t key_len,
		 char *err, size_t errlen)
{
	if (cert_pem == NULL || key_pem == NULL) {
		mdp_errf(err, errlen, "no certificate or no key");
		return NULL;
	}
	return cred_build(cert_pem, cert_len, key_pem, key_len, "certificate", "private key", 0,
			  err, errlen);
}

static int
read_or_say(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	int rc = mdp_tls_read_file(path, MDP_TLS_FILE_LIMIT, buf, len);

	if (rc == -EFBIG)
		mdp_errf(err, errlen, "%s: cannot read: larger than %u bytes", path,
			     MDP_TLS_FILE_LIMIT);
	else if (rc == -EINVAL)
		mdp_errf(err, errlen, "%s: cannot read: not a regular file", path);
	else if (rc < 0)
		mdp_errf(err, errlen, "%s: cannot read: %s", path, strerror(-rc));
	return rc;
}

struct mdp_tls_cred *
mdp_tls_cred_from_files(const char *cert_path, const char *key_path, char *err, size_t errlen)
{
	char *cert = NULL, *key = NULL;
	size_t clen = 0, klen = 0;
	struct mdp_tls_cred *c = NULL;

	if (cert_path == NULL || key_path == NULL) {
		mdp_errf(err, errlen, "no certificate or no key file");
		return NULL;
	}
	if (read_or_say(cert_path, &cert, &clen, err, errlen) == 0 &&
	    read_or_say(key_path, &key, &klen, err, errlen) == 0)
		c = cred_build(cert, clen, key, klen, cert_path, key_path, 1, err, errlen);
	free(cert);
	if (key != NULL)
		OPENSSL_cleanse(key, klen);
	free(key);
	return c;
}

struct mdp_tls_cred *
mdp_tls_cred_ref(struct mdp_tls_cred *c)
{
	if (c != NULL)
		atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return c;
}

void
mdp_tls_cred_unref(struct mdp_tls_cred *c)
{
	if (c != NULL && atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
		cred_free(c);
}

const char *
mdp_tls_cred_spiffe_id(const struct mdp_tls_cred *c)
{
	return c->spiffe_id;
}

time_t
mdp_tls_cred_not_after(const struct mdp_tls_cred *c)
{
	return c->not_after;
}

time_t
mdp_tls_cred_not_before(const struct mdp_tls_cred *c)
{
	return c->not_before;
}

const uint8_t *
mdp_tls_cred_fingerprint(const struct mdp_tls_cred *c)
{
	return c->fp;
}

X509 *
mdp_tls_cred_leaf(const struct mdp_tls_cred *c)
{
	return c->leaf;
}

EVP_PKEY *
mdp_tls_cred_key(const struct mdp_tls_cred *c)
{
	return c->key;
}

STACK_OF(X509) *
mdp_tls_cred_chain(const struct mdp_tls_cred *c)
{
	return c->chain;
}

/* ---- trust bundles ---- */

static int
cmp_fp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

struct mdp_tls_bundle *
mdp_tls_bundle_new(const char *pem, size_t len, char *err, size_t errlen)
{
	struct mdp_tls_bundle *b;
	STACK_OF(X509) *all;
	uint8_t (*fps)[32] = NULL;
	unsigned n = 0, fplen;
	int total;

	mdp_errf(err, errlen, "%s", "");
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		mdp_errf(err, errlen, "out of memory");
		return NULL;
	}
	atomic_init(&b->refs, 1);
	all = read_certs(pem, len, "trust bundle", err, errlen);
	if (all == NULL)
		goto fail;
	total = sk_X509_num(all);
	b->certs = sk_X509_new_null();
	fps = calloc((size_t)total, sizeof(*fps));
	if (b->certs == NULL || fps == NULL) {
		mdp_errf(err, errlen, "out of memory");
		goto fail;
	}
	for (int i = 0; i < total; i++) {
		X509 *x = sk_X509_value(all, i);
		bool dup = false;

		if (X509_check_ca(x) == 0) {
			mdp_errf(err, errlen,
				     "trust bundle: certificate %d is not a CA certificate "
				     "(basicConstraints CA:FALSE or absent)", i + 1);
			goto fail;
		}
		if (!X509_digest(x, EVP_sha256(), fps[n], &fplen)) {
			mdp_errf(err, errlen, "trust bundle: cannot hash certificate %d", i + 1);
			goto fail;
		}
		for (unsigned j = 0; j < n && !dup; j++)
			dup = memcmp(fps[j], fps[n], 32) == 0;
		if (dup)
			continue;
		if (!X509_up_ref(x) || !sk_X509_push(b->certs, x)) {
			mdp_errf(err, errlen, "out of memory");
			goto fail;
		}
		n++;
	}
	/* the set's fingerprint: SHA-256 of the sorted member fingerprints */
	qsort(fps, n, sizeof(*fps), cmp_fp);
	if (!EVP_Digest(fps, n * sizeof(*fps), b->fp, NULL, EVP_sha256(), NULL)) {
		mdp_errf(err, errlen, "trust bundle: cannot hash (OpenSSL: %s)",
			     mdp_tls_ossl_reason());
		goto fail;
	}
	free(fps);
	sk_X509_pop_free(all, X509_free);
	return b;
fail:
	ERR_clear_error();
	free(fps);
	sk_X509_pop_free(all, X509_free);
	sk_X509_pop_free(b->certs, X509_free);
	free(b);
	return NULL;
}

struct mdp_tls_bundle *
mdp_tls_bundle_from_file(const char *path, char *err, size_t errlen)
{
	struct mdp_tls_bundle *b = NULL;
	char *pem = NULL, msg[256];
	size_t len = 0;

	if (path == NULL) {
		mdp_errf(err, errlen, "no trust bundle file");
		return NULL;
	}
	if (read_or_say(path, &pem, &len, err, errlen) < 0)
		return NULL;
	b = mdp_tls_bundle_new(pem, len, msg, sizeof(msg));
	free(pem);
	if (b == NULL) {
		/* "trust bundle: ..." -> "PATH: ..." */
		const char *rest = strncmp(msg, "trust bundle: ", 14) == 0 ? msg + 14 : msg;

		mdp_errf(err, errlen, "%s: %s", path, rest);
	}
	return b;
}

struct mdp_tls_bundle *
mdp_tls_bundle_ref(struct mdp_tls_bundle *b)
{
	if (b != NULL)
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	return b;
}

void
mdp_tls_bundle_unref(struct mdp_tls_bundle *b)
{
	if (b != NULL && atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1) {
		sk_X509_pop_free(b->certs, X509_free);
		free(b);
	}
}

const uint8_t *
mdp_tls_bundle_fingerprint(const struct mdp_tls_bundle *b)
{
	return b->fp;
}

unsigned
mdp_tls_bundle_count(const struct mdp_tls_bundle *b)
{
	return (unsigned)sk_X509_num(b->certs);
}

X509_STORE *
mdp_tls_bundle_store_new(const struct mdp_tls_bundle *b)
{
	X509_STORE *st = X509_STORE_new();

	if (st == NULL)
		return NULL;
	for (int i = 0; i < sk_X509_num(b->certs); i++) {
		if (!X509_STORE_add_cert(st, sk_X509_value(b->certs, i))) {
			X509_STORE_free(st);
			return NULL;
		}
	}
	return st;
}

/* ---- identities ---- */

int
mdp_tls_cert_spiffe_id(X509 *x, char *out, size_t n)
{
	const ASN1_IA5STRING *uri = NULL;
	GENERAL_NAMES *gens;
	int crit = -1, nuri = 0, len;
	const char *data;

	if (x == NULL)
		return -EINVAL;
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL) {
		ERR_clear_error();
		return crit == -1 ? -ENOENT : -EINVAL;	/* -2: several SAN extensions */
	}
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_URI) {
			uri = g->d.uniformResourceIdentifier;
			nuri++;
		}
	}
	if (nuri != 1) {
		GENERAL_NAMES_free(gens);
		return nuri == 0 ? -ENOENT : -EINVAL;
	}
	data = (const char *)ASN1_STRING_get0_data(uri);
	len = ASN1_STRING_length(uri);
	/* an embedded NUL would make a C comparison see a shorter ID */
	if (len <= 0 || data == NULL || strnlen(data, (size_t)len) != (size_t)len ||
	    mdp_tls_spiffe_id_parse(data, (size_t)len, NULL) < 0) {
		GENERAL_NAMES_free(gens);
		return -EINVAL;
	}
	if ((size_t)len + 1 > n) {
		GENERAL_NAMES_free(gens);
		return -ENOSPC;
	}
	memcpy(out, data, (size_t)len);
	out[len] = '\0';
	GENERAL_NAMES_free(gens);
	return 0;
}
