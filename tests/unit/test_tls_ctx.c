/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "unit.h"

#include "tls/mdp_tls_ctx.h"

/*
 * lib/tls against the certificate matrix of tests/tls/mkcerts.sh: real
 * handshakes between two SSL objects over memory BIOs, so that every
 * acceptance and every rejection is the one OpenSSL performs with our
 * contexts, with the reason each side would count.
 */

#define ID(sa) "spiffe://cluster.local/ns/default/sa/" sa

static char dir[64];

/* ---- fixtures ---- */

static char *
file(const char *name, const char *ext)
{
	static char path[8][160];
	static unsigned next;
	char *p = path[next++ % 8];

	snprintf(p, sizeof(path[0]), "%s/%s%s", dir, name, ext);
	return p;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf != NULL) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

static struct mdp_tls_cred *
cred(const char *name)
{
	char err[256];
	struct mdp_tls_cred *c = mdp_tls_cred_from_files(file(name, ".pem"), file(name, ".key"),
							  err, sizeof(err));

	if (c == NULL)
		fprintf(stderr, "\ncred %s: %s\n", name, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

/* A bundle of the CAs named (PEM files concatenated). */
static struct mdp_tls_bundle *
bundle(const char *a, const char *b)
{
	char err[256], *pa, *pb, *all;
	size_t la = 0, lb = 0;
	struct mdp_tls_bundle *bu;

	pa = slurp(file(a, ".pem"), &la);
	pb = b != NULL ? slurp(file(b, ".pem"), &lb) : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(pa);
	all = malloc(la + lb + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(all);
	memcpy(all, pa, la);
	if (pb != NULL)
		memcpy(all + la, pb, lb);
	bu = mdp_tls_bundle_new(all, la + lb, err, sizeof(err));
	if (bu == NULL)
		fprintf(stderr, "\nbundle: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bu);
	free(pa);
	free(pb);
	free(all);
	return bu;
}

static struct mdp_tls_bundle *ca, *ca2, *ca_both;

static int
suite_init(void)
{
	char cmd[256];

	snprintf(dir, sizeof(dir), "/tmp/mdp_test_tls_XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "../tls/mkcerts.sh %s", dir);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

static int
suite_fini(void)
{
	char cmd[128];

	mdp_tls_bundle_unref(ca);
	mdp_tls_bundle_unref(ca2);
	mdp_tls_bundle_unref(ca_both);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_setup(void)
{
	ca = bundle("ca", NULL);
	ca2 = bundle("ca2", NULL);
	ca_both = bundle("ca", "ca2");
}

static struct mdp_tls_params
params(uint16_t min, uint16_t max)
{
	struct mdp_tls_params p;

	mdp_tls_params_defaults(&p);
	p.min_version = min;
	p.max_version = max;
	return p;
}

static char ctx_err[256];

static SSL_CTX *
ctx_made(SSL_CTX *ctx)
{
	if (ctx == NULL)
		fprintf(stderr, "\ncontext: %s\n", ctx_err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	return ctx;
}

#define server_ctx(sc) ctx_made(mdp_tls_server_ctx_new((sc), ctx_err, sizeof(ctx_err)))
#define client_ctx(cc) ctx_made(mdp_tls_client_ctx_new((cc), ctx_err, sizeof(ctx_err)))

/* Certificates lib/tls refuses as credentials (nul-san, two-uri), put on a
 * context directly: what a misbehaving peer would present. */
static void
override_cert(SSL_CTX *ctx, const char *name)
{
	CU_ASSERT_EQUAL_FATAL(SSL_CTX_use_certificate_chain_file(ctx, file(name, ".pem")), 1);
	CU_ASSERT_EQUAL_FATAL(SSL_CTX_use_PrivateKey_file(ctx, file(name, ".key"),
							  SSL_FILETYPE_PEM), 1);
}

/* ---- the handshake harness ---- */

static SSL_SESSION *got_sess;	/* the last session a client received */
static unsigned n_sess;

static int
new_sess_cb(SSL *ssl, SSL_SESSION *sess)
{
	(void)ssl;
	SSL_SESSION_free(got_sess);
	got_sess = sess;
	n_sess++;
	return 1;	/* we keep the reference */
}

/* Did the ClientHello offer a ticket (TLS 1.3 pre_shared_key, or a
 * non-empty TLS 1.2 session_ticket)? */
static void
msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl,
       void *arg)
{
	const unsigned char *p = buf, *end = p + len;
	int *offered = arg;
	size_t off;

	(void)version;
	(void)ssl;
	if (write_p || content_type != SSL3_RT_HANDSHAKE || len < 4 + 35 ||
	    p[0] != SSL3_MT_CLIENT_HELLO)
		return;
	off = 4 + 2 + 32;
	off += 1 + p[off];				/* session id */
	if (off + 2 > len)
		return;
	off += 2 + ((size_t)p[off] << 8 | p[off + 1]);	/* cipher suites */
	if (off + 1 > len)
		return;
	off += 1 + p[off];				/* compression */
	off += 2;					/* extensions length */
	while (p + off + 4 <= end) {
		unsigned type = (unsigned)p[off] << 8 | p[off + 1];
		size_t elen = (size_t)p[off + 2] << 8 | p[off + 3];

		if (type == 41 || (type == 35 && elen > 0))
			*offered = 1;
		off += 4 + elen;
	}
}

struct hs {
	SSL *c, *s;
	int c_ok, s_ok;			/* 1 done, 0 pending, -1 failed */
	unsigned long c_err, s_err;
	int offered;			/* the client offered a ticket */
};

static void
step(SSL *ssl, int *ok, unsigned long *err)
{
	int r;

	if (*ok != 0)
		return;
	ERR_clear_error();
	r = SSL_do_handshake(ssl);
	if (r == 1) {
		*ok = 1;
		return;
	}
	r = SSL_get_error(ssl, r);
	if (r == SSL_ERROR_WANT_READ || r == SSL_ERROR_WANT_WRITE)
		return;
	*ok = -1;
	*err = ERR_peek_error();
}

/* Read on a side that finished its handshake: takes in TLS 1.3 tickets,
 * and the alert of a server that rejected the client's certificate after
 * the client finished. */
static void
pump(SSL *ssl, int *ok, unsigned long *err)
{
	char b;
	int r;

	if (*ok != 1)
		return;
	ERR_clear_error();
	r = SSL_read(ssl, &b, 1);
	if (r > 0)
		return;
	r = SSL_get_error(ssl, r);
	if (r == SSL_ERROR_WANT_READ || r == SSL_ERROR_WANT_WRITE)
		return;
	*ok = -1;
	*err = ERR_peek_error();
}

static void
hs_start(struct hs *h, SSL_CTX *cctx, SSL_CTX *sctx)
{
	BIO *c2s = BIO_new(BIO_s_mem()), *s2c = BIO_new(BIO_s_mem());

	memset(h, 0, sizeof(*h));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2c);
	BIO_set_mem_eof_return(c2s, -1);
	BIO_set_mem_eof_return(s2c, -1);
	h->c = SSL_new(cctx);
	h->s = SSL_new(sctx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h->c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h->s);
	BIO_up_ref(c2s);
	BIO_up_ref(s2c);
	SSL_set_bio(h->c, s2c, c2s);
	SSL_set_bio(h->s, c2s, s2c);
	SSL_set_connect_state(h->c);
	SSL_set_accept_state(h->s);
	SSL_set_msg_callback(h->s, msg_cb);
	SSL_set_msg_callback_arg(h->s, &h->offered);
}

static void
hs_drive(struct hs *h)
{
	for (int i = 0; i < 16; i++) {
		step(h->c, &h->c_ok, &h->c_err);
		step(h->s, &h->s_ok, &h->s_err);
		pump(h->c, &h->c_ok, &h->c_err);
		pump(h->s, &h->s_ok, &h->s_err);
	}
}

/* A full handshake: client prepared with sni and ids, offering sess. */
static void
hs_run(struct hs *h, SSL_CTX *cctx, SSL_CTX *sctx, const char *sni, const char *const *ids,
       unsigned n, SSL_SESSION *sess)
{
	hs_start(h, cctx, sctx);
	CU_ASSERT_EQUAL_FATAL(mdp_tls_client_prepare(h->c, sni, ids, n), 0);
	if (sess != NULL)
		CU_ASSERT_EQUAL(mdp_tls_client_set_session(h->c, sess), 0);
	hs_drive(h);
}

/* TLS 1.3: the server sends one ticket (what the dataplane does). */
static void
hs_ticket(struct hs *h)
{
	CU_ASSERT_EQUAL_FATAL(SSL_new_session_ticket(h->s), 1);
	CU_ASSERT_EQUAL(SSL_do_handshake(h->s), 1);
	hs_drive(h);
}

/*
 * A connection that ended cleanly: without the shutdown flag, SSL_free()
 * marks the session not resumable (OpenSSL's rule for connections that may
 * have been cut), and the client's session is the one it handed out.
 */
static void
hs_free(struct hs *h)
{
	if (h->c_ok == 1 && h->s_ok == 1) {
		SSL_set_shutdown(h->c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
		SSL_set_shutdown(h->s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	}
	SSL_free(h->c);
	SSL_free(h->s);
	h->c = h->s = NULL;
}

static enum mdp_tls_err
why(const struct hs *h, bool server)
{
	return server ? mdp_tls_err_classify(h->s, h->s_err) : mdp_tls_err_classify(h->c, h->c_err);
}

static void
expect_ok_at(const struct hs *h, unsigned line)
{
	char a[512] = "", b[512] = "";

	if (h->c_ok != 1)
		mdp_tls_err_describe(h->c, h->c_err, a, sizeof(a));
	if (h->s_ok != 1)
		mdp_tls_err_describe(h->s, h->s_err, b, sizeof(b));
	if (h->c_ok != 1 || h->s_ok != 1)
		fprintf(stderr, "\n%s:%u: handshake failed: client %d (%s), server %d (%s)\n",
			__FILE__, line, h->c_ok, a, h->s_ok, b);
	CU_assertImplementation(h->c_ok == 1 && h->s_ok == 1, line, "handshake ok", __FILE__, "",
				CU_FALSE);
}

#define EXPECT_OK(h) expect_ok_at((h), __LINE__)

/* The side that rejects (server or not) fails with want; the other side
 * fails too, with peer_want (MDP_TLS_ERR_MAX: any reason). */
static void
expect_fail_at(const struct hs *h, bool server, enum mdp_tls_err want, enum mdp_tls_err peer_want,
	       unsigned line)
{
	enum mdp_tls_err w = why(h, server), pw = why(h, !server);
	char a[512] = "";
	bool ok = (server ? h->s_ok : h->c_ok) == -1 && w == want &&
		  (server ? h->c_ok : h->s_ok) == -1 &&
		  (peer_want == MDP_TLS_ERR_MAX || pw == peer_want);

	if (!ok) {
		mdp_tls_err_describe(server ? h->s : h->c, server ? h->s_err : h->c_err, a,
				     sizeof(a));
		fprintf(stderr, "\n%s:%u: want %s %s (peer %s), got %s %d %s (%s), peer %d %s\n",
			__FILE__, line, server ? "server" : "client", mdp_tls_err_name(want),
			peer_want == MDP_TLS_ERR_MAX ? "any" : mdp_tls_err_name(peer_want),
			server ? "server" : "client", server ? h->s_ok : h->c_ok,
			mdp_tls_err_name(w), a, server ? h->c_ok : h->s_ok, mdp_tls_err_name(pw));
	}
	CU_assertImplementation(ok, line, "handshake fails as expected", __FILE__, "", CU_FALSE);
}

#define EXPECT_FAIL(h, server, want, peer) expect_fail_at((h), (server), (want), (peer), __LINE__)

static void
expect_peer_at(SSL *ssl, int rc_want, const char *id_want, unsigned line)
{
	char id[MDP_SPIFFE_ID_MAX + 1] = "";
	int rc = mdp_tls_peer_id(ssl, id, sizeof(id));
	bool ok = rc == rc_want && (id_want == NULL || strcmp(id, id_want) == 0);

	if (!ok)
		fprintf(stderr, "\n%s:%u: peer id %d '%s', want %d '%s'\n", __FILE__, line, rc, id,
			rc_want, id_want != NULL ? id_want : "");
	CU_assertImplementation(ok, line, "peer id", __FILE__, "", CU_FALSE);
}

#define EXPECT_PEER(ssl, rc, id) expect_peer_at((ssl), (rc), (id), __LINE__)

/* ---- SPIFFE IDs ---- */

static void
test_spiffe_parse(void)
{
	static const char *const good[] = {
		"spiffe://cluster.local/ns/default/sa/order",
		"spiffe://cluster.local",
		"spiffe://a/b",
		"spiffe://trust_domain-1.example/Path.With-Mixed_Case/09",
		"spiffe://td/ns/a/sa/b/extra",
		"spiffe://td/...",
		"spiffe://td/.a",
	};
	static const char *const bad[] = {
		"",
		"spiffe://",
		"spiffe:///path",			/* empty trust domain */
		"SPIFFE://cluster.local/ns/a/sa/b",	/* uppercase scheme */
		"Spiffe://cluster.local",
		"spiffe:/cluster.local",
		"https://cluster.local/ns/a/sa/b",
		"spiffe://Cluster.local/ns/a",		/* uppercase trust domain */
		"spiffe://cluster.local:8080/ns/a",	/* port */
		"spiffe://user@cluster.local/ns/a",	/* userinfo */
		"spiffe://cluster.local/ns/a?x=1",	/* query */
		"spiffe://cluster.local/ns/a#frag",	/* fragment */
		"spiffe://cluster.local/ns/a/",		/* trailing slash */
		"spiffe://cluster.local/",
		"spiffe://cluster.local//ns/a",		/* empty segment */
		"spiffe://cluster.local/ns//a",
		"spiffe://cluster.local/ns/./a",
		"spiffe://cluster.local/ns/../a",
		"spiffe://cluster.local/..",
		"spiffe://cluster.local/.",
		"spiffe://cluster.local/ns/a%2Fb",	/* percent-encoding */
		"spiffe://cluster%2elocal/ns/a",
		"spiffe://cluster.local/ns/a b",
		"spiffe://cluster.local/ns/é",
		" spiffe://cluster.local/ns/a",
	};
	struct mdp_spiffe_id id;
	char big[MDP_SPIFFE_ID_MAX + 2];
	static const char nul[] = "spiffe://cluster.local/ns/default/sa/order\0.evil";
	size_t n;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int rc = mdp_tls_spiffe_id_parse(good[i], strlen(good[i]), &id);

		if (rc != 0)
			fprintf(stderr, "\nrefused: %s\n", good[i]);
		CU_ASSERT_EQUAL(rc, 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = mdp_tls_spiffe_id_parse(bad[i], strlen(bad[i]), &id);

		if (rc != -EINVAL)
			fprintf(stderr, "\naccepted: %s\n", bad[i]);
		CU_ASSERT_EQUAL(rc, -EINVAL);
	}
	/* an embedded NUL is a character like any other: invalid */
	CU_ASSERT_EQUAL(mdp_tls_spiffe_id_parse(nul, sizeof(nul) - 1, NULL), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_spiffe_id_parse(nul, strlen(nul), NULL), 0);
	CU_ASSERT_EQUAL(mdp_tls_spiffe_id_parse(NULL, 0, NULL), -EINVAL);

	/* fields */
	CU_ASSERT_EQUAL_FATAL(mdp_tls_spiffe_id_parse(ID("order"), strlen(ID("order")), &id), 0);
	CU_ASSERT_EQUAL(id.td_len, 13);
	CU_ASSERT_EQUAL(memcmp(id.td, "cluster.local", 13), 0);
	CU_ASSERT_EQUAL(id.path_len, strlen("/ns/default/sa/order"));
	CU_ASSERT_EQUAL(id.ns_len, 7);
	CU_ASSERT_EQUAL(memcmp(id.ns, "default", 7), 0);
	CU_ASSERT_EQUAL(id.sa_len, 5);
	CU_ASSERT_EQUAL(memcmp(id.sa, "order", 5), 0);
	/* ns and sa only for exactly /ns/NS/sa/SA */
	CU_ASSERT_EQUAL(mdp_tls_spiffe_id_parse("spiffe://td/ns/a/sa/b/c", 23, &id), 0);
	CU_ASSERT_PTR_NULL(id.ns);
	CU_ASSERT_PTR_NULL(id.sa);
	CU_ASSERT_EQUAL(mdp_tls_spiffe_id_parse("spiffe://td/ns/a/xa/b", 21, &id), 0);
	CU_ASSERT_PTR_NULL(id.ns);
	CU_ASSERT_EQUAL(mdp_tls_spiffe_id_parse("spiffe://td", 11, &id), 0);
	CU_ASSERT_EQUAL(id.path_len, 0);
	CU_ASSERT_EQUAL(id.td_len, 2);

	/* 2048 bytes, not one more */
	memcpy(big, "spiffe://td/", 12);
	memset(big + 12, 'a', sizeof(big) - 12);
	CU_ASSERT_EQUAL(mdp_tls_spiffe_id_parse(big, MDP_SPIFFE_ID_MAX, NULL), 0);
	CU_ASSERT_EQUAL(mdp_tls_spiffe_id_parse(big, MDP_SPIFFE_ID_MAX + 1, NULL), -EINVAL);
	/* a trust domain of 255 bytes, not 256 */
	memcpy(big, "spiffe://", 9);
	memset(big + 9, 'a', 256);
	CU_ASSERT_EQUAL(mdp_tls_spiffe_id_parse(big, 9 + 255, NULL), 0);
	CU_ASSERT_EQUAL(mdp_tls_spiffe_id_parse(big, 9 + 256, NULL), -EINVAL);
	n = 9 + 255;
	big[n] = '/';
	big[n + 1] = 'x';
	CU_ASSERT_EQUAL(mdp_tls_spiffe_id_parse(big, n + 2, NULL), 0);

	CU_ASSERT_TRUE(mdp_tls_spiffe_td_valid("cluster.local", 13));
	CU_ASSERT_FALSE(mdp_tls_spiffe_td_valid("Cluster.local", 13));
	CU_ASSERT_FALSE(mdp_tls_spiffe_td_valid("", 0));
}

static X509 *
load_x509(const char *name)
{
	FILE *f = fopen(file(name, ".pem"), "r");
	X509 *x;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	return x;
}

static void
test_cert_spiffe_id(void)
{
	static const struct {
		const char *name;
		int rc;
		const char *id;
	} cases[] = {
		{ "order", 0, ID("order") },
		{ "chain", 0, ID("chain") },
		{ "foreign-td", 0, "spiffe://example.org/ns/default/sa/order" },
		{ "dns-only", -ENOENT, NULL },	/* DNS SANs are never read */
		{ "ca", -ENOENT, NULL },	/* no SAN at all */
		{ "nul-san", -EINVAL, NULL },
		{ "two-uri", -EINVAL, NULL },
	};
	char id[MDP_SPIFFE_ID_MAX + 1];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		X509 *x = load_x509(cases[i].name);
		int rc = mdp_tls_cert_spiffe_id(x, id, sizeof(id));

		if (rc != cases[i].rc)
			fprintf(stderr, "\n%s: %d, want %d\n", cases[i].name, rc, cases[i].rc);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (cases[i].id != NULL)
			CU_ASSERT_STRING_EQUAL(id, cases[i].id);
		X509_free(x);
	}
	{
		X509 *x = load_x509("order");

		CU_ASSERT_EQUAL(mdp_tls_cert_spiffe_id(x, id, strlen(ID("order"))), -ENOSPC);
		CU_ASSERT_EQUAL(mdp_tls_cert_spiffe_id(x, id, strlen(ID("order")) + 1), 0);
		X509_free(x);
	}
	CU_ASSERT_EQUAL(mdp_tls_cert_spiffe_id(NULL, id, sizeof(id)), -EINVAL);
}

/* ---- credentials and bundles ---- */

static void
expect_cred_err_at(const char *cert, const char *key, const char *want, unsigned line)
{
	char err[512] = "";
	struct mdp_tls_cred *c = mdp_tls_cred_from_files(cert, key, err, sizeof(err));
	bool ok = c == NULL && strstr(err, want) != NULL;

	if (!ok)
		fprintf(stderr, "\n%s:%u: got '%s', want '%s'\n", __FILE__, line, err, want);
	CU_assertImplementation(ok, line, "credential refused", __FILE__, "", CU_FALSE);
	mdp_tls_cred_unref(c);
}

#define EXPECT_CRED_ERR(cert, key, want) expect_cred_err_at((cert), (key), (want), __LINE__)

static void
test_cred(void)
{
	struct mdp_tls_cred *c = cred("order"), *c2;
	X509 *x = load_x509("order");
	unsigned char fp[32];
	unsigned fplen = 0;
	char want[512], err[256], *pem, *key;
	size_t plen, klen;

	CU_ASSERT_STRING_EQUAL(mdp_tls_cred_spiffe_id(c), ID("order"));
	CU_ASSERT_TRUE(X509_digest(x, EVP_sha256(), fp, &fplen));
	CU_ASSERT_EQUAL(memcmp(mdp_tls_cred_fingerprint(c), fp, 32), 0);
	CU_ASSERT_EQUAL(X509_cmp(mdp_tls_cred_leaf(c), x), 0);
	CU_ASSERT_TRUE(mdp_tls_cred_not_after(c) > time(NULL) + 3600L * 24 * 365);
	CU_ASSERT_TRUE(mdp_tls_cred_not_before(c) <= time(NULL));
	X509_free(x);
	c2 = mdp_tls_cred_ref(c);
	CU_ASSERT_PTR_EQUAL(c2, c);
	mdp_tls_cred_unref(c2);
	mdp_tls_cred_unref(c);
	mdp_tls_cred_unref(NULL);

	/* accepted: a chain, P-384, Ed25519, no URI SAN, expired (its notAfter says so) */
	c = cred("chain");
	CU_ASSERT_STRING_EQUAL(mdp_tls_cred_spiffe_id(c), ID("chain"));
	mdp_tls_cred_unref(c);
	mdp_tls_cred_unref(cred("p384"));
	mdp_tls_cred_unref(cred("ed25519"));
	c = cred("dns-only");
	CU_ASSERT_PTR_NULL(mdp_tls_cred_spiffe_id(c));
	mdp_tls_cred_unref(c);
	c = cred("expired");
	CU_ASSERT_EQUAL(mdp_tls_cred_not_after(c), 1609459200);	/* 2021-01-01 */
	mdp_tls_cred_unref(c);

	/* refused */
	snprintf(want, sizeof(want), "the private key %s does not match the certificate %s "
		 "(OpenSSL: key values mismatch)", file("mismatch", ".key"), file("mismatch", ".pem"));
	EXPECT_CRED_ERR(file("mismatch", ".pem"), file("mismatch", ".key"), want);
	EXPECT_CRED_ERR(file("order", ".pem"), file("payment", ".key"), "does not match");
	EXPECT_CRED_ERR(file("order", ".pem"), file("ed25519", ".key"), "(OpenSSL: key type mismatch)");
	EXPECT_CRED_ERR(file("p521", ".pem"), file("p521", ".key"),
			"EC key on curve secp521r1 (P-256 or P-384 only)");
	EXPECT_CRED_ERR(file("rsa1024", ".pem"), file("rsa1024", ".key"),
			"RSA key of 1024 bits (at least 2048)");
	EXPECT_CRED_ERR(file("nul-san", ".pem"), file("nul-san", ".key"),
			"the URI SAN of the certificate is not exactly one valid SPIFFE ID");
	EXPECT_CRED_ERR(file("two-uri", ".pem"), file("two-uri", ".key"),
			"not exactly one valid SPIFFE ID");
	snprintf(want, sizeof(want), "%s: no PEM certificate (OpenSSL: no start line)",
		 file("order", ".key"));
	EXPECT_CRED_ERR(file("order", ".key"), file("order", ".key"), want);
	snprintf(want, sizeof(want), "%s: no PEM private key (no \"-----BEGIN ... PRIVATE "
		 "KEY-----\" line)", file("order", ".pem"));
	EXPECT_CRED_ERR(file("order", ".pem"), file("order", ".pem"), want);
	snprintf(want, sizeof(want), "%s: cannot read: No such file or directory",
		 file("nonexistent", ".pem"));
	EXPECT_CRED_ERR(file("nonexistent", ".pem"), file("order", ".key"), want);
	EXPECT_CRED_ERR(dir, file("order", ".key"), "cannot read: Is a directory");
	EXPECT_CRED_ERR("/dev/null", file("order", ".key"), "/dev/null: cannot read: not a regular file");

	/* in memory: garbage, an out-of-order chain, an encrypted key */
	pem = slurp(file("chain", ".pem"), &plen);
	key = slurp(file("chain", ".key"), &klen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	c = mdp_tls_cred_new("garbage", 7, key, klen, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_STRING_EQUAL(err, "certificate: no PEM certificate (OpenSSL: no start line)");
	c = mdp_tls_cred_new("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
			     58, key, klen, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL(strncmp(err, "certificate: no PEM certificate (OpenSSL: ", 42), 0);
	{
		/* the intermediate first */
		char *mid = strstr(pem + 1, "-----BEGIN CERTIFICATE-----");
		size_t first = (size_t)(mid - pem);
		char *swapped = malloc(plen + 1);

		CU_ASSERT_PTR_NOT_NULL_FATAL(mid);
		memcpy(swapped, mid, plen - first);
		memcpy(swapped + plen - first, pem, first);
		c = mdp_tls_cred_new(swapped, plen, key, klen, err, sizeof(err));
		CU_ASSERT_PTR_NULL(c);
		CU_ASSERT_STRING_EQUAL(err, "certificate: certificate 2 is not the issuer of "
				       "certificate 1 (the chain goes leaf first, then each issuer)");
		free(swapped);
	}
	c = mdp_tls_cred_new(pem, plen, key, klen, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(c);
	CU_ASSERT_STRING_EQUAL(err, "");
	{
		EVP_PKEY *k;
		BIO *in = BIO_new_mem_buf(key, (int)klen), *out = BIO_new(BIO_s_mem());
		char *enc;
		long elen;

		k = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(k);
		CU_ASSERT_TRUE(PEM_write_bio_PrivateKey(out, k, EVP_aes_128_cbc(),
							(unsigned char *)"secret", 6, NULL, NULL));
		elen = BIO_get_mem_data(out, &enc);
		mdp_tls_cred_unref(c);
		c = mdp_tls_cred_new(pem, plen, enc, (size_t)elen, err, sizeof(err));
		CU_ASSERT_PTR_NULL(c);
		CU_ASSERT_STRING_EQUAL(err, "private key: encrypted private keys are not supported");
		EVP_PKEY_free(k);
		BIO_free(in);
		BIO_free(out);
	}
	CU_ASSERT_PTR_NULL(mdp_tls_cred_new(NULL, 0, key, klen, err, sizeof(err)));
	{
		/* one file with the chain and the key serves as both */
		char *both = malloc(plen + klen);

		memcpy(both, pem, plen);
		memcpy(both + plen, key, klen);
		c = mdp_tls_cred_new(both, plen + klen, both, plen + klen, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL(c);
		CU_ASSERT_STRING_EQUAL(mdp_tls_cred_spiffe_id(c), ID("chain"));
		mdp_tls_cred_unref(c);
		free(both);
	}
	free(pem);
	free(key);
}

static void
test_bundle(void)
{
	struct mdp_tls_bundle *b, *b2;
	char err[256], want[256], *pem;
	size_t len;

	CU_ASSERT_EQUAL(mdp_tls_bundle_count(ca), 1);
	CU_ASSERT_EQUAL(mdp_tls_bundle_count(ca_both), 2);
	/* the set decides the fingerprint, not order or duplicates */
	b = bundle("ca2", "ca");
	CU_ASSERT_EQUAL(memcmp(mdp_tls_bundle_fingerprint(b), mdp_tls_bundle_fingerprint(ca_both),
			       32), 0);
	mdp_tls_bundle_unref(b);
	b = bundle("ca", "ca");
	CU_ASSERT_EQUAL(mdp_tls_bundle_count(b), 1);
	CU_ASSERT_EQUAL(memcmp(mdp_tls_bundle_fingerprint(b), mdp_tls_bundle_fingerprint(ca), 32),
			0);
	CU_ASSERT_NOT_EQUAL(memcmp(mdp_tls_bundle_fingerprint(ca), mdp_tls_bundle_fingerprint(ca2),
				   32), 0);
	b2 = mdp_tls_bundle_ref(b);
	mdp_tls_bundle_unref(b2);
	mdp_tls_bundle_unref(b);

	b = mdp_tls_bundle_from_file(file("ca", ".pem"), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(b);
	mdp_tls_bundle_unref(b);
	/* an intermediate is a CA too */
	b = mdp_tls_bundle_from_file(file("inter", ".pem"), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(b);
	mdp_tls_bundle_unref(b);

	CU_ASSERT_PTR_NULL(mdp_tls_bundle_from_file(file("order", ".pem"), err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: certificate 1 is not a CA certificate "
		 "(basicConstraints CA:FALSE or absent)", file("order", ".pem"));
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_PTR_NULL(mdp_tls_bundle_from_file(file("ca", ".key"), err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: no PEM certificate (OpenSSL: no start line)",
		 file("ca", ".key"));
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_PTR_NULL(mdp_tls_bundle_new("", 0, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "trust bundle: no PEM certificate (OpenSSL: no start line)");
	CU_ASSERT_PTR_NULL(mdp_tls_bundle_from_file("/nonexistent.pem", err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "/nonexistent.pem: cannot read: No such file or directory");

	/* a CA followed by a leaf */
	pem = slurp(file("chain", ".pem"), &len);
	CU_ASSERT_PTR_NULL(mdp_tls_bundle_new(pem, len, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "trust bundle: certificate 1 is not a CA certificate "
			       "(basicConstraints CA:FALSE or absent)");
	free(pem);
}

/* ---- parameters ---- */

static void
expect_params_err_at(const struct mdp_tls_params *p, const char *want, unsigned line)
{
	char err[256] = "";
	int rc = mdp_tls_params_check(p, err, sizeof(err));
	bool ok = rc == -1 && strcmp(err, want) == 0;

	if (!ok)
		fprintf(stderr, "\n%s:%u: got %d '%s', want '%s'\n", __FILE__, line, rc, err, want);
	CU_assertImplementation(ok, line, "params refused", __FILE__, "", CU_FALSE);
}

#define EXPECT_PARAMS_ERR(p, want) expect_params_err_at((p), (want), __LINE__)

static void
test_params(void)
{
	struct mdp_tls_params p, d;
	char err[256];

	mdp_tls_params_defaults(&d);
	CU_ASSERT_EQUAL(d.min_version, MDP_TLS_V1_2);
	CU_ASSERT_EQUAL(d.max_version, MDP_TLS_V1_3);
	CU_ASSERT_STRING_EQUAL(d.ciphersuites, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
			       "TLS_CHACHA20_POLY1305_SHA256");
	CU_ASSERT_STRING_EQUAL(d.groups, "X25519:P-256:P-384");
	CU_ASSERT_STRING_EQUAL(d.alpn, "");
	CU_ASSERT_EQUAL(d.ticket_lifetime_s, 7200);
	CU_ASSERT_EQUAL(mdp_tls_params_check(&d, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");

	p = d;
	p.min_version = MDP_TLS_V1_3;
	p.max_version = MDP_TLS_V1_2;
	EXPECT_PARAMS_ERR(&p, "min_version: 1.3 is above max_version 1.2");
	p = d;
	p.min_version = 0x0302;
	EXPECT_PARAMS_ERR(&p, "min_version: 0x0302 is not TLS 1.2 or 1.3");
	p = d;
	snprintf(p.ciphersuites, sizeof(p.ciphersuites), "TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256");
	EXPECT_PARAMS_ERR(&p, "ciphersuites: TLS_AES_128_CCM_SHA256 is not supported by the "
			  "dataplane record layer (AES-GCM and ChaCha20-Poly1305 only)");
	snprintf(p.ciphersuites, sizeof(p.ciphersuites), "TLS_AES_128_GCM_SHA256:BOGUS");
	EXPECT_PARAMS_ERR(&p, "ciphersuites: unknown TLS 1.3 cipher suite 'BOGUS'");
	p.ciphersuites[0] = '\0';
	EXPECT_PARAMS_ERR(&p, "ciphersuites: no cipher suite for TLS 1.3");
	p.max_version = MDP_TLS_V1_2;
	CU_ASSERT_EQUAL(mdp_tls_params_check(&p, err, sizeof(err)), 0);
	p = d;
	snprintf(p.ciphers, sizeof(p.ciphers), "ECDHE-ECDSA-AES128-GCM-SHA256:AES128-SHA");
	EXPECT_PARAMS_ERR(&p, "ciphers: selects AES128-SHA, which is not ECDHE with AES-GCM or "
			  "ChaCha20-Poly1305 (what the dataplane record layer does)");
	snprintf(p.ciphers, sizeof(p.ciphers), "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256");
	EXPECT_PARAMS_ERR(&p, "ciphers: selects ECDHE-RSA-AES128-SHA256, which is not ECDHE with "
			  "AES-GCM or ChaCha20-Poly1305 (what the dataplane record layer does)");
	snprintf(p.ciphers, sizeof(p.ciphers), "AES256-GCM-SHA384");
	EXPECT_PARAMS_ERR(&p, "ciphers: selects AES256-GCM-SHA384, which is not ECDHE with AES-GCM "
			  "or ChaCha20-Poly1305 (what the dataplane record layer does)");
	snprintf(p.ciphers, sizeof(p.ciphers), "ECDHE-ECDSA-AES128-GCM-SHA256:NOPE");
	EXPECT_PARAMS_ERR(&p, "ciphers: 'NOPE' selects no cipher");
	/* OpenSSL's syntax works when what it selects is acceptable */
	snprintf(p.ciphers, sizeof(p.ciphers), "ECDHE+AESGCM:!aNULL:@STRENGTH");
	CU_ASSERT_EQUAL(mdp_tls_params_check(&p, err, sizeof(err)), 0);
	p.ciphers[0] = '\0';
	EXPECT_PARAMS_ERR(&p, "ciphers: '' selects no cipher (OpenSSL: no cipher match)");
	p.min_version = MDP_TLS_V1_3;
	CU_ASSERT_EQUAL(mdp_tls_params_check(&p, err, sizeof(err)), 0);
	p = d;
	snprintf(p.groups, sizeof(p.groups), "X25519:P-999");
	EXPECT_PARAMS_ERR(&p, "groups: unknown group 'P-999'");
	p.groups[0] = '\0';
	EXPECT_PARAMS_ERR(&p, "groups: no group");
	p = d;
	snprintf(p.alpn, sizeof(p.alpn), "h2,http/1.1");
	CU_ASSERT_EQUAL(mdp_tls_params_check(&p, err, sizeof(err)), 0);
	snprintf(p.alpn, sizeof(p.alpn), "h2,a b");
	EXPECT_PARAMS_ERR(&p, "alpn: 'a b' has a byte other than printable ASCII");
	p = d;
	p.ticket_lifetime_s = 0;
	EXPECT_PARAMS_ERR(&p, "ticket_lifetime_s: 0 is out of range (1..604800)");
	p.ticket_lifetime_s = 604801;
	EXPECT_PARAMS_ERR(&p, "ticket_lifetime_s: 604801 is out of range (1..604800)");

	CU_ASSERT_EQUAL(mdp_tls_version_parse("1.2"), MDP_TLS_V1_2);
	CU_ASSERT_EQUAL(mdp_tls_version_parse("1.3"), MDP_TLS_V1_3);
	CU_ASSERT_EQUAL(mdp_tls_version_parse("1.1"), 0);
	CU_ASSERT_EQUAL(mdp_tls_version_parse("TLSv1.3"), 0);
	CU_ASSERT_STRING_EQUAL(mdp_tls_version_name(MDP_TLS_V1_3), "1.3");
	CU_ASSERT_EQUAL(mdp_tls_mtls_parse("STRICT"), MDP_MTLS_STRICT);
	CU_ASSERT_EQUAL(mdp_tls_mtls_parse("PERMISSIVE"), MDP_MTLS_PERMISSIVE);
	CU_ASSERT_EQUAL(mdp_tls_mtls_parse("DISABLE"), MDP_MTLS_DISABLE);
	CU_ASSERT_EQUAL(mdp_tls_mtls_parse("SIMPLE"), MDP_MTLS_SIMPLE);
	CU_ASSERT_EQUAL(mdp_tls_mtls_parse("strict"), MDP_MTLS_UNSET);
	CU_ASSERT_EQUAL(mdp_tls_mtls_parse("UNSET"), MDP_MTLS_UNSET);
	CU_ASSERT_STRING_EQUAL(mdp_tls_mtls_name(MDP_MTLS_PERMISSIVE), "PERMISSIVE");
}

/* ---- server contexts: construction ---- */

static void
expect_server_err_at(const struct mdp_tls_server_conf *sc, const char *want, unsigned line)
{
	char err[256] = "";
	SSL_CTX *ctx = mdp_tls_server_ctx_new(sc, err, sizeof(err));
	bool ok = ctx == NULL && strcmp(err, want) == 0;

	if (!ok)
		fprintf(stderr, "\n%s:%u: got '%s', want '%s'\n", __FILE__, line, err, want);
	CU_assertImplementation(ok, line, "server ctx refused", __FILE__, "", CU_FALSE);
	SSL_CTX_free(ctx);
}

#define EXPECT_SERVER_ERR(sc, want) expect_server_err_at((sc), (want), __LINE__)

static unsigned n_foreach;

static void
count_ctx(SSL_CTX *ctx, void *arg)
{
	(void)arg;
	CU_ASSERT_EQUAL(SSL_CTX_get_num_tickets(ctx), 0);
	CU_ASSERT_EQUAL(SSL_CTX_get_session_cache_mode(ctx), SSL_SESS_CACHE_OFF);
	n_foreach++;
}

static void
count_ctx_client(SSL_CTX *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	n_foreach++;
}

static void
test_server_ctx(void)
{
	struct mdp_tls_cred *pay = cred("payment");
	struct mdp_tls_sni_entry sni[3] = {
		{ .server_name = "a.example" },
		{ .server_name = "*.b.example", .mtls = MDP_MTLS_SIMPLE },
		{ .server_name = "c.example" },
	};
	struct mdp_tls_server_conf sc = { .cred = pay, .bundle = ca };
	struct mdp_tls_params p;
	SSL_CTX *ctx;

	ctx = server_ctx(&sc);
	CU_ASSERT_EQUAL(SSL_CTX_get_num_tickets(ctx), 0);
	CU_ASSERT_EQUAL(SSL_CTX_get_session_cache_mode(ctx), SSL_SESS_CACHE_OFF);
	CU_ASSERT_TRUE(SSL_CTX_get_options(ctx) & SSL_OP_NO_TICKET);	/* no keys */
	CU_ASSERT_TRUE(SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION);
	CU_ASSERT_EQUAL(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_PEER |
			SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE);
	SSL_CTX_free(ctx);

	sc.sni = sni;
	sc.n_sni = 3;
	ctx = server_ctx(&sc);
	n_foreach = 0;
	mdp_tls_ctx_foreach(ctx, count_ctx, NULL);
	CU_ASSERT_EQUAL(n_foreach, 4);
	SSL_CTX_free(ctx);

	/* refusals */
	sc.n_sni = 0;
	sc.cred = NULL;
	EXPECT_SERVER_ERR(&sc, "no credential");
	sc.cred = pay;
	sc.mtls = MDP_MTLS_DISABLE;
	EXPECT_SERVER_ERR(&sc, "mtls DISABLE: no TLS server context for it");
	sc.mtls = MDP_MTLS_PERMISSIVE;
	sc.bundle = NULL;
	EXPECT_SERVER_ERR(&sc, "mtls STRICT and PERMISSIVE need a trust bundle");
	sc.mtls = MDP_MTLS_SIMPLE;
	ctx = server_ctx(&sc);	/* SIMPLE needs none */
	CU_ASSERT_EQUAL(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_NONE);
	SSL_CTX_free(ctx);
	sc.sni = sni;
	sc.n_sni = 1;	/* inherits SIMPLE */
	SSL_CTX_free(server_ctx(&sc));
	sni[0].mtls = MDP_MTLS_STRICT;
	EXPECT_SERVER_ERR(&sc, "mtls STRICT and PERMISSIVE need a trust bundle");
	sni[0].mtls = MDP_MTLS_DISABLE;
	EXPECT_SERVER_ERR(&sc, "sni[0]: mtls DISABLE cannot apply inside TLS (SIMPLE: no client "
			  "certificate)");
	sni[0].mtls = MDP_MTLS_UNSET;
	sc.bundle = ca;
	sc.n_sni = 3;
	sni[2].server_name = "A.example";
	EXPECT_SERVER_ERR(&sc, "sni[2]: 'A.example' is also sni[0]");
	{
		static const char *const badnames[] = {
			"", "*", "*.", "a..b", ".a", "a.", "a*.b", "*.*.b", "a b", "a/b", "a:443",
		};

		sc.n_sni = 1;
		for (size_t i = 0; i < sizeof(badnames) / sizeof(badnames[0]); i++) {
			char want[128];

			sni[0].server_name = badnames[i];
			snprintf(want, sizeof(want), "sni[0]: '%s' is not a host name or *.suffix",
				 badnames[i]);
			EXPECT_SERVER_ERR(&sc, want);
			CU_ASSERT_FALSE(mdp_tls_sni_name_valid(badnames[i]));
		}
		sni[0].server_name = "a.example";
		CU_ASSERT_TRUE(mdp_tls_sni_name_valid("*.example"));
		CU_ASSERT_TRUE(mdp_tls_sni_name_valid("A-1_b.example"));
	}
	sc.n_sni = 0;
	sc.trust_domain = "Cluster.local";
	EXPECT_SERVER_ERR(&sc, "trust domain 'Cluster.local' is not valid");
	sc.trust_domain = "";	/* "" is any */
	SSL_CTX_free(server_ctx(&sc));
	sc.trust_domain = NULL;
	p = params(MDP_TLS_V1_3, MDP_TLS_V1_2);
	sc.params = &p;
	EXPECT_SERVER_ERR(&sc, "min_version: 1.3 is above max_version 1.2");
	mdp_tls_cred_unref(pay);
}

/* ---- verification of client certificates ---- */

struct client_case {
	const char *cert;		/* NULL: no client certificate */
	enum mdp_tls_err strict;	/* server's reason under STRICT (NONE: accepted) */
	enum mdp_tls_err permissive;	/* under PERMISSIVE */
	const char *id;			/* the peer ID the server sees when accepted */
};

static const struct client_case client_cases[] = {
	{ "order", MDP_TLS_ERR_NONE, MDP_TLS_ERR_NONE, ID("order") },
	{ "analytics", MDP_TLS_ERR_NONE, MDP_TLS_ERR_NONE, ID("analytics") },
	{ "chain", MDP_TLS_ERR_NONE, MDP_TLS_ERR_NONE, ID("chain") },
	{ "eku-client", MDP_TLS_ERR_NONE, MDP_TLS_ERR_NONE, ID("order") },
	{ NULL, MDP_TLS_ERR_NO_CLIENT_CERT, MDP_TLS_ERR_NONE, NULL },
	{ "expired", MDP_TLS_ERR_EXPIRED, MDP_TLS_ERR_EXPIRED, NULL },
	{ "notyet", MDP_TLS_ERR_NOT_YET_VALID, MDP_TLS_ERR_NOT_YET_VALID, NULL },
	{ "wrongca", MDP_TLS_ERR_UNKNOWN_CA, MDP_TLS_ERR_UNKNOWN_CA, NULL },
	{ "eku-server", MDP_TLS_ERR_BAD_EKU, MDP_TLS_ERR_BAD_EKU, NULL },
	{ "dns-only", MDP_TLS_ERR_BAD_SAN, MDP_TLS_ERR_BAD_SAN, NULL },
	{ "nul-san", MDP_TLS_ERR_BAD_SAN, MDP_TLS_ERR_BAD_SAN, NULL },
	{ "two-uri", MDP_TLS_ERR_BAD_SAN, MDP_TLS_ERR_BAD_SAN, NULL },
	{ "foreign-td", MDP_TLS_ERR_WRONG_TRUST_DOMAIN, MDP_TLS_ERR_WRONG_TRUST_DOMAIN, NULL },
};

static void
client_matrix(uint16_t version, enum mdp_mtls_mode mode)
{
	struct mdp_tls_cred *pay = cred("payment");
	struct mdp_tls_params p = params(version, version);
	struct mdp_tls_server_conf sc = {
		.cred = pay, .bundle = ca, .mtls = mode, .params = &p,
		.trust_domain = "cluster.local",
	};
	struct mdp_tls_client_conf cc = { .bundle = ca, .params = &p };
	SSL_CTX *sctx = server_ctx(&sc);

	for (size_t i = 0; i < sizeof(client_cases) / sizeof(client_cases[0]); i++) {
		const struct client_case *k = &client_cases[i];
		enum mdp_tls_err want = mode == MDP_MTLS_STRICT ? k->strict : k->permissive;
		SSL_CTX *cctx = client_ctx(&cc);
		struct hs h;

		if (k->cert != NULL)
			override_cert(cctx, k->cert);
		hs_run(&h, cctx, sctx, NULL, NULL, 0, NULL);
		if (want == MDP_TLS_ERR_NONE) {
			EXPECT_OK(&h);
			EXPECT_PEER(h.s, k->id != NULL ? 0 : -ENOENT, k->id);
			EXPECT_PEER(h.c, 0, ID("payment"));
			CU_ASSERT_EQUAL(mdp_tls_server_mode(h.s), mode);
		} else if (k->cert == NULL) {
			/* TLS 1.3: certificate_required; TLS 1.2: handshake_failure */
			EXPECT_FAIL(&h, true, want, version == MDP_TLS_V1_3 ?
				    MDP_TLS_ERR_NO_CLIENT_CERT : MDP_TLS_ERR_HANDSHAKE_FAILURE);
		} else {
			EXPECT_FAIL(&h, true, want, MDP_TLS_ERR_PEER_REJECTED_CERT);
		}
		if (h.s_ok != (want == MDP_TLS_ERR_NONE ? 1 : -1))
			fprintf(stderr, "\n  case %s, TLS %s, %s\n", k->cert ? k->cert : "(none)",
				mdp_tls_version_name(version), mdp_tls_mtls_name(mode));
		hs_free(&h);
		SSL_CTX_free(cctx);
	}
	SSL_CTX_free(sctx);
	mdp_tls_cred_unref(pay);
}

static void
test_client_certs_strict13(void)
{
	client_matrix(MDP_TLS_V1_3, MDP_MTLS_STRICT);
}

static void
test_client_certs_strict12(void)
{
	client_matrix(MDP_TLS_V1_2, MDP_MTLS_STRICT);
}

static void
test_client_certs_permissive13(void)
{
	client_matrix(MDP_TLS_V1_3, MDP_MTLS_PERMISSIVE);
}

static void
test_client_certs_permissive12(void)
{
	client_matrix(MDP_TLS_V1_2, MDP_MTLS_PERMISSIVE);
}

/* Without a trust domain any is fine; allow_no_spiffe_id takes a client
 * without URI SAN, never a malformed one. */
static void
test_client_cert_options(void)
{
	struct mdp_tls_cred *pay = cred("payment");
	struct mdp_tls_server_conf sc = { .cred = pay, .bundle = ca };
	struct mdp_tls_client_conf cc = { .bundle = ca };
	SSL_CTX *sctx, *cctx;
	struct hs h;

	sctx = server_ctx(&sc);
	cctx = client_ctx(&cc);
	override_cert(cctx, "foreign-td");
	hs_run(&h, cctx, sctx, NULL, NULL, 0, NULL);
	EXPECT_OK(&h);
	EXPECT_PEER(h.s, 0, "spiffe://example.org/ns/default/sa/order");
	hs_free(&h);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);

	sc.allow_no_spiffe_id = true;
	sctx = server_ctx(&sc);
	cctx = client_ctx(&cc);
	override_cert(cctx, "dns-only");
	hs_run(&h, cctx, sctx, NULL, NULL, 0, NULL);
	EXPECT_OK(&h);
	EXPECT_PEER(h.s, -ENOENT, NULL);
	hs_free(&h);
	SSL_CTX_free(cctx);
	cctx = client_ctx(&cc);
	override_cert(cctx, "nul-san");
	hs_run(&h, cctx, sctx, NULL, NULL, 0, NULL);
	EXPECT_FAIL(&h, true, MDP_TLS_ERR_BAD_SAN, MDP_TLS_ERR_PEER_REJECTED_CERT);
	hs_free(&h);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);

	/* a client certificate chaining to another bundle the server has */
	sc.allow_no_spiffe_id = false;
	sc.bundle = ca_both;
	sctx = server_ctx(&sc);
	cctx = client_ctx(&cc);
	override_cert(cctx, "wrongca");
	hs_run(&h, cctx, sctx, NULL, NULL, 0, NULL);
	EXPECT_OK(&h);
	hs_free(&h);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	mdp_tls_cred_unref(pay);
}

/* ---- verification of server certificates ---- */

struct server_case {
	const char *cert;
	const char *const *ids;
	unsigned n;
	enum mdp_tls_err want;		/* client's reason (NONE: accepted) */
	const char *id;
};

static const char *const want_order[] = { ID("order") };
static const char *const want_payment[] = { ID("payment") };
static const char *const want_two[] = { ID("order"), ID("payment") };
static const char *const want_chain[] = { ID("chain") };

static const struct server_case server_cases[] = {
	{ "payment", want_payment, 1, MDP_TLS_ERR_NONE, ID("payment") },
	{ "payment", want_two, 2, MDP_TLS_ERR_NONE, ID("payment") },
	{ "payment", NULL, 0, MDP_TLS_ERR_NONE, ID("payment") },
	{ "payment", want_order, 1, MDP_TLS_ERR_ID_MISMATCH, NULL },
	{ "analytics", want_two, 2, MDP_TLS_ERR_ID_MISMATCH, NULL },
	{ "chain", want_chain, 1, MDP_TLS_ERR_NONE, ID("chain") },
	{ "eku-server", want_order, 1, MDP_TLS_ERR_NONE, ID("order") },
	{ "eku-client", want_order, 1, MDP_TLS_ERR_BAD_EKU, NULL },
	{ "expired", want_order, 1, MDP_TLS_ERR_EXPIRED, NULL },
	{ "notyet", want_order, 1, MDP_TLS_ERR_NOT_YET_VALID, NULL },
	{ "wrongca", want_order, 1, MDP_TLS_ERR_UNKNOWN_CA, NULL },
	{ "dns-only", want_order, 1, MDP_TLS_ERR_BAD_SAN, NULL },
	{ "dns-only", NULL, 0, MDP_TLS_ERR_BAD_SAN, NULL },
	{ "nul-san", want_order, 1, MDP_TLS_ERR_BAD_SAN, NULL },
	{ "nul-san", NULL, 0, MDP_TLS_ERR_BAD_SAN, NULL },
	{ "two-uri", want_order, 1, MDP_TLS_ERR_BAD_SAN, NULL },
	{ "two-uri", want_payment, 1, MDP_TLS_ERR_BAD_SAN, NULL },
	{ "foreign-td", want_order, 1, MDP_TLS_ERR_WRONG_TRUST_DOMAIN, NULL },
};

static void
server_matrix(uint16_t version)
{
	struct mdp_tls_cred *pay = cred("payment");
	struct mdp_tls_params p = params(version, version);
	struct mdp_tls_server_conf sc = {
		.cred = pay, .mtls = MDP_MTLS_SIMPLE, .params = &p,
	};
	struct mdp_tls_client_conf cc = { .bundle = ca, .params = &p,
					  .trust_domain = "cluster.local" };
	SSL_CTX *cctx = client_ctx(&cc);

	for (size_t i = 0; i < sizeof(server_cases) / sizeof(server_cases[0]); i++) {
		const struct server_case *k = &server_cases[i];
		SSL_CTX *sctx = server_ctx(&sc);
		struct hs h;

		override_cert(sctx, k->cert);
		hs_run(&h, cctx, sctx, "payment.default.svc", k->ids, k->n, NULL);
		if (k->want == MDP_TLS_ERR_NONE) {
			EXPECT_OK(&h);
			EXPECT_PEER(h.c, 0, k->id);
		} else {
			EXPECT_FAIL(&h, false, k->want, MDP_TLS_ERR_PEER_REJECTED_CERT);
		}
		if (k->want == MDP_TLS_ERR_ID_MISMATCH) {
			char line[512], want[256];

			mdp_tls_err_describe(h.c, h.c_err, line, sizeof(line));
			snprintf(want, sizeof(want), "; the peer is %s", ID(""));
			CU_ASSERT_PTR_NOT_NULL(strstr(line, "id_mismatch: the peer's SPIFFE ID is "
						      "not one of the expected IDs"));
			CU_ASSERT_PTR_NOT_NULL(strstr(line, want));
		}
		if (h.c_ok != (k->want == MDP_TLS_ERR_NONE ? 1 : -1))
			fprintf(stderr, "\n  case %s/%u, TLS %s\n", k->cert, k->n,
				mdp_tls_version_name(version));
		hs_free(&h);
		SSL_CTX_free(sctx);
	}
	SSL_CTX_free(cctx);
	mdp_tls_cred_unref(pay);
}

static void
test_server_certs13(void)
{
	server_matrix(MDP_TLS_V1_3);
}

static void
test_server_certs12(void)
{
	server_matrix(MDP_TLS_V1_2);
}

static void
test_server_cert_options(void)
{
	struct mdp_tls_cred *pay = cred("payment");
	struct mdp_tls_server_conf sc = { .cred = pay, .mtls = MDP_MTLS_SIMPLE };
	struct mdp_tls_client_conf cc = { .bundle = ca, .allow_no_spiffe_id = true };
	SSL_CTX *sctx = server_ctx(&sc), *cctx = client_ctx(&cc);
	static const char *const bad_ids[] = { "spiffe://Cluster.local/x" };
	struct hs h;

	/* a server outside the mesh: no URI SAN is fine when no ID is expected */
	override_cert(sctx, "dns-only");
	hs_run(&h, cctx, sctx, NULL, NULL, 0, NULL);
	EXPECT_OK(&h);
	EXPECT_PEER(h.c, -ENOENT, NULL);
	hs_free(&h);
	hs_run(&h, cctx, sctx, NULL, want_order, 1, NULL);
	EXPECT_FAIL(&h, false, MDP_TLS_ERR_BAD_SAN, MDP_TLS_ERR_PEER_REJECTED_CERT);
	hs_free(&h);
	SSL_CTX_free(sctx);

	/* prepare() checks its arguments */
	sctx = server_ctx(&sc);
	hs_start(&h, cctx, sctx);
	CU_ASSERT_EQUAL(mdp_tls_client_prepare(h.c, NULL, bad_ids, 1), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_client_prepare(h.c, "a b", NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_client_prepare(h.c, NULL, NULL, 1), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_client_prepare(h.s, NULL, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(mdp_tls_client_prepare(h.c, "Payment.example", want_payment, 1), 0);
	CU_ASSERT_EQUAL(mdp_tls_client_prepare(h.c, NULL, NULL, 0), -EINVAL);	/* once */
	CU_ASSERT_STRING_EQUAL(SSL_get_servername(h.c, TLSEXT_NAMETYPE_host_name),
			       "Payment.example");
	hs_drive(&h);
	EXPECT_OK(&h);
	/* the server learnt the SNI */
	CU_ASSERT_STRING_EQUAL(SSL_get_servername(h.s, TLSEXT_NAMETYPE_host_name),
			       "Payment.example");
	hs_free(&h);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	mdp_tls_cred_unref(pay);
}

/* ---- protocol ---- */

static void
test_protocol(void)
{
	struct mdp_tls_cred *pay = cred("payment");
	struct mdp_tls_params p12 = params(MDP_TLS_V1_2, MDP_TLS_V1_2);
	struct mdp_tls_params p13 = params(MDP_TLS_V1_3, MDP_TLS_V1_3);
	struct mdp_tls_params pa = p13, pb = p13;
	struct mdp_tls_server_conf sc = { .cred = pay, .mtls = MDP_MTLS_SIMPLE, .params = &p13 };
	struct mdp_tls_client_conf cc = { .bundle = ca, .params = &p12 };
	SSL_CTX *sctx = server_ctx(&sc), *cctx = client_ctx(&cc);
	static const char http[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	struct hs h;

	hs_run(&h, cctx, sctx, NULL, NULL, 0, NULL);
	EXPECT_FAIL(&h, true, MDP_TLS_ERR_PROTOCOL_VERSION, MDP_TLS_ERR_PROTOCOL_VERSION);
	hs_free(&h);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);

	snprintf(pa.ciphersuites, sizeof(pa.ciphersuites), "TLS_AES_128_GCM_SHA256");
	snprintf(pb.ciphersuites, sizeof(pb.ciphersuites), "TLS_AES_256_GCM_SHA384");
	sc.params = &pa;
	cc.params = &pb;
	sctx = server_ctx(&sc);
	cctx = client_ctx(&cc);
	hs_run(&h, cctx, sctx, NULL, NULL, 0, NULL);
	EXPECT_FAIL(&h, true, MDP_TLS_ERR_NO_SHARED_CIPHER, MDP_TLS_ERR_HANDSHAKE_FAILURE);
	hs_free(&h);
	SSL_CTX_free(cctx);

	/* plaintext to a TLS server */
	h.s = SSL_new(sctx);
	{
		BIO *in = BIO_new(BIO_s_mem()), *out = BIO_new(BIO_s_mem());
		unsigned long e;

		BIO_write(in, http, sizeof(http) - 1);
		SSL_set_bio(h.s, in, out);
		SSL_set_accept_state(h.s);
		ERR_clear_error();
		CU_ASSERT_TRUE(SSL_do_handshake(h.s) <= 0);
		e = ERR_peek_error();
		CU_ASSERT_EQUAL(mdp_tls_err_classify(h.s, e), MDP_TLS_ERR_NOT_TLS);
		ERR_clear_error();
	}
	SSL_free(h.s);
	SSL_CTX_free(sctx);
	mdp_tls_cred_unref(pay);
}

static void
alpn_case_at(const char *server, const char *client, const char *want, unsigned line)
{
	struct mdp_tls_cred *pay = cred("payment");
	struct mdp_tls_params sp = params(MDP_TLS_V1_2, MDP_TLS_V1_3), cp = sp;
	struct mdp_tls_server_conf sc = { .cred = pay, .mtls = MDP_MTLS_SIMPLE, .params = &sp };
	struct mdp_tls_client_conf cc = { .bundle = ca, .params = &cp };
	const unsigned char *sel = NULL;
	unsigned len = 0;
	SSL_CTX *sctx, *cctx;
	struct hs h;
	bool ok;

	snprintf(sp.alpn, sizeof(sp.alpn), "%s", server);
	snprintf(cp.alpn, sizeof(cp.alpn), "%s", client);
	sctx = server_ctx(&sc);
	cctx = client_ctx(&cc);
	hs_run(&h, cctx, sctx, NULL, NULL, 0, NULL);
	expect_ok_at(&h, line);
	SSL_get0_alpn_selected(h.c, &sel, &len);
	ok = len == strlen(want) && (len == 0 || memcmp(sel, want, len) == 0);
	if (!ok)
		fprintf(stderr, "\n%s:%u: ALPN '%.*s', want '%s'\n", __FILE__, line, (int)len,
			(const char *)sel, want);
	CU_assertImplementation(ok, line, "alpn", __FILE__, "", CU_FALSE);
	hs_free(&h);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	mdp_tls_cred_unref(pay);
}

#define ALPN_CASE(s, c, w) alpn_case_at((s), (c), (w), __LINE__)

static void
test_alpn(void)
{
	ALPN_CASE("h2,http/1.1", "http/1.1", "http/1.1");
	ALPN_CASE("h2,http/1.1", "http/1.1,h2", "h2");	/* the server's preference */
	ALPN_CASE("http/1.1", "h2,http/1.1", "http/1.1");
	ALPN_CASE("h2,http/1.1", "foo", "");		/* no overlap: no ALPN, no failure */
	ALPN_CASE("h2,http/1.1", "", "");
	ALPN_CASE("", "h2,http/1.1", "");
}

/* ---- SNI ---- */

static void
sni_case_at(SSL_CTX *sctx, SSL_CTX *cctx, const char *sni, const char *want_id,
	    enum mdp_mtls_mode want_mode, unsigned line)
{
	struct hs h;

	hs_run(&h, cctx, sctx, sni, NULL, 0, NULL);
	expect_ok_at(&h, line);
	expect_peer_at(h.c, 0, want_id, line);
	CU_assertImplementation(mdp_tls_server_mode(h.s) == want_mode, line, "mode", __FILE__, "",
				CU_FALSE);
	hs_free(&h);
}

#define SNI_CASE(s, c, n, id, m) sni_case_at((s), (c), (n), (id), (m), __LINE__)

static void
test_sni(void)
{
	struct mdp_tls_cred *pay = cred("payment"), *fe = cred("frontend"), *an = cred("analytics"),
			    *ord = cred("order");
	struct mdp_tls_sni_entry sni[] = {
		{ .server_name = "frontend.example", .cred = fe, .mtls = MDP_MTLS_PERMISSIVE },
		{ .server_name = "*.wild.example", .cred = an },
		{ .server_name = "*.example", .cred = ord, .mtls = MDP_MTLS_PERMISSIVE },
		{ .server_name = "self.example" },
	};
	struct mdp_tls_server_conf sc = {
		.cred = pay, .bundle = ca, .mtls = MDP_MTLS_SIMPLE, .sni = sni, .n_sni = 4,
	};
	struct mdp_tls_client_conf cc = { .bundle = ca, .cred = ord };
	SSL_CTX *sctx = server_ctx(&sc), *cctx = client_ctx(&cc);

	SNI_CASE(sctx, cctx, "frontend.example", ID("frontend"), MDP_MTLS_PERMISSIVE);
	SNI_CASE(sctx, cctx, "FrontEnd.Example", ID("frontend"), MDP_MTLS_PERMISSIVE);
	SNI_CASE(sctx, cctx, "a.wild.example", ID("analytics"), MDP_MTLS_SIMPLE);
	SNI_CASE(sctx, cctx, "x.y.wild.example", ID("analytics"), MDP_MTLS_SIMPLE);
	SNI_CASE(sctx, cctx, "wild.example", ID("order"), MDP_MTLS_PERMISSIVE);
	SNI_CASE(sctx, cctx, "b.example", ID("order"), MDP_MTLS_PERMISSIVE);
	SNI_CASE(sctx, cctx, "self.example", ID("payment"), MDP_MTLS_SIMPLE);
	SNI_CASE(sctx, cctx, "example", ID("payment"), MDP_MTLS_SIMPLE);
	SNI_CASE(sctx, cctx, "other.test", ID("payment"), MDP_MTLS_SIMPLE);
	SNI_CASE(sctx, cctx, NULL, ID("payment"), MDP_MTLS_SIMPLE);
	{
		/* the per-SNI mode applies: PERMISSIVE asked for and verified
		 * the client's certificate, SIMPLE did not ask */
		struct hs h;

		hs_run(&h, cctx, sctx, "b.example", NULL, 0, NULL);
		EXPECT_OK(&h);
		EXPECT_PEER(h.s, 0, ID("order"));
		hs_free(&h);
		hs_run(&h, cctx, sctx, "other.test", NULL, 0, NULL);
		EXPECT_OK(&h);
		EXPECT_PEER(h.s, -ENOENT, NULL);
		hs_free(&h);
	}
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	mdp_tls_cred_unref(pay);
	mdp_tls_cred_unref(fe);
	mdp_tls_cred_unref(an);
	mdp_tls_cred_unref(ord);
}

/* ---- resumption ---- */

static SSL_CTX *
resumable_client(struct mdp_tls_cred *c, struct mdp_tls_bundle *b, const struct mdp_tls_params *p,
		 const char *gen)
{
	struct mdp_tls_client_conf cc = {
		.cred = c, .bundle = b, .params = p, .policy_gen = gen,
		.policy_gen_len = gen != NULL ? strlen(gen) : 0,
	};
	SSL_CTX *ctx = client_ctx(&cc);

	SSL_CTX_sess_set_new_cb(ctx, new_sess_cb);
	return ctx;
}

/* A full handshake that leaves its session in got_sess (NULL if none). */
static SSL_SESSION *
first_session(SSL_CTX *cctx, SSL_CTX *sctx, const char *sni, uint16_t version)
{
	SSL_SESSION *s;
	struct hs h;

	SSL_SESSION_free(got_sess);
	got_sess = NULL;
	hs_run(&h, cctx, sctx, sni, NULL, 0, NULL);
	EXPECT_OK(&h);
	CU_ASSERT_FALSE(SSL_session_reused(h.s));
	if (version == MDP_TLS_V1_3) {
		/* num_tickets 0: nothing until the server asks */
		CU_ASSERT_PTR_NULL(got_sess);
		hs_ticket(&h);
	}
	hs_free(&h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got_sess);
	s = got_sess;
	got_sess = NULL;
	return s;
}

/*
 * Offer a copy of sess: an OpenSSL client uses a TLS 1.3 session once
 * (RFC 8446 C.4) and marks it not resumable, so every attempt gets a
 * fresh copy of the same ticket.
 */
static void
resume(struct hs *h, SSL_CTX *cctx, SSL_CTX *sctx, const char *sni, SSL_SESSION *sess)
{
	SSL_SESSION *copy = SSL_SESSION_dup(sess);

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	n_sess = 0;
	hs_run(h, cctx, sctx, sni, NULL, 0, copy);
	SSL_SESSION_free(copy);
	CU_ASSERT_TRUE(h->offered);	/* else the test would prove nothing */
}

/* A resumption attempt that succeeds, resumed or as a full handshake. */
static void
resume_ok_at(SSL_CTX *cctx, SSL_CTX *sctx, const char *sni, SSL_SESSION *sess, bool reused,
	     unsigned line)
{
	struct hs h;

	resume(&h, cctx, sctx, sni, sess);
	expect_ok_at(&h, line);
	CU_assertImplementation(SSL_session_reused(h.s) == reused, line, "session reused", __FILE__,
				"", CU_FALSE);
	hs_free(&h);
}

#define RESUME_OK(c, s, sni, sess, reused) resume_ok_at((c), (s), (sni), (sess), (reused), __LINE__)

static bool
same_ticket(const SSL_SESSION *a, const SSL_SESSION *b)
{
	const unsigned char *ta, *tb;
	size_t la, lb;

	SSL_SESSION_get0_ticket(a, &ta, &la);
	SSL_SESSION_get0_ticket(b, &tb, &lb);
	return la == lb && memcmp(ta, tb, la) == 0;
}

static void
resumption_basic(uint16_t version)
{
	struct mdp_tls_cred *pay = cred("payment"), *ord = cred("order");
	struct mdp_tls_ticket_keys *keys = mdp_tls_ticket_keys_new();
	struct mdp_tls_params p = params(version, version);
	struct mdp_tls_server_conf sc = {
		.cred = pay, .bundle = ca, .params = &p, .ticket_keys = keys,
		.policy_gen = "gen1", .policy_gen_len = 4,
	};
	SSL_CTX *sctx = server_ctx(&sc), *sctx2, *cctx = resumable_client(ord, ca, &p, NULL);
	SSL_SESSION *sess;
	struct hs h;

	sess = first_session(cctx, sctx, NULL, version);
	resume(&h, cctx, sctx, NULL, sess);
	EXPECT_OK(&h);
	CU_ASSERT_TRUE(SSL_session_reused(h.s));
	CU_ASSERT_TRUE(SSL_session_reused(h.c));
	EXPECT_PEER(h.s, 0, ID("order"));	/* from the session */
	hs_free(&h);

	/* the same inputs, a new context (and a new server certificate):
	 * still resumes */
	mdp_tls_cred_unref(pay);
	pay = cred("payment");
	sc.cred = pay;
	sctx2 = server_ctx(&sc);
	RESUME_OK(cctx, sctx2, NULL, sess, true);
	SSL_CTX_free(sctx2);

	/* the policy generation changed: a full handshake, verified */
	sc.policy_gen = "gen2";
	sctx2 = server_ctx(&sc);
	resume(&h, cctx, sctx2, NULL, sess);
	EXPECT_OK(&h);
	CU_ASSERT_FALSE(SSL_session_reused(h.s));
	CU_ASSERT_FALSE(SSL_session_reused(h.c));
	EXPECT_PEER(h.s, 0, ID("order"));
	hs_free(&h);
	SSL_CTX_free(sctx2);

	/* no tickets without keys */
	sc.policy_gen = "gen1";
	sc.ticket_keys = NULL;
	sctx2 = server_ctx(&sc);
	RESUME_OK(cctx, sctx2, NULL, sess, false);
	SSL_CTX_free(sctx2);

	SSL_SESSION_free(sess);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	mdp_tls_ticket_keys_unref(keys);
	mdp_tls_cred_unref(pay);
	mdp_tls_cred_unref(ord);
}

static void
test_resume13(void)
{
	resumption_basic(MDP_TLS_V1_3);
}

static void
test_resume12(void)
{
	resumption_basic(MDP_TLS_V1_2);
}

/* CVE-2022-21654 class: a session made when the bundle trusted the client's
 * CA does not resume once it no longer does: the full handshake fails. */
static void
resumption_bundle(uint16_t version)
{
	struct mdp_tls_cred *pay = cred("payment"), *wrong = cred("wrongca");
	struct mdp_tls_ticket_keys *keys = mdp_tls_ticket_keys_new();
	struct mdp_tls_params p = params(version, version);
	struct mdp_tls_server_conf sc = {
		.cred = pay, .bundle = ca_both, .params = &p, .ticket_keys = keys,
	};
	SSL_CTX *sctx = server_ctx(&sc), *sctx2, *cctx = resumable_client(wrong, ca, &p, NULL);
	SSL_SESSION *sess = first_session(cctx, sctx, NULL, version);
	struct hs h;

	/* control: the same bundle resumes */
	sctx2 = server_ctx(&sc);
	RESUME_OK(cctx, sctx2, NULL, sess, true);
	SSL_CTX_free(sctx2);

	sc.bundle = ca;
	sctx2 = server_ctx(&sc);
	resume(&h, cctx, sctx2, NULL, sess);
	EXPECT_FAIL(&h, true, MDP_TLS_ERR_UNKNOWN_CA, MDP_TLS_ERR_PEER_REJECTED_CERT);
	CU_ASSERT_FALSE(SSL_session_reused(h.s));
	hs_free(&h);
	SSL_CTX_free(sctx2);

	SSL_SESSION_free(sess);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	mdp_tls_ticket_keys_unref(keys);
	mdp_tls_cred_unref(pay);
	mdp_tls_cred_unref(wrong);
}

static void
test_resume_bundle13(void)
{
	resumption_bundle(MDP_TLS_V1_3);
}

static void
test_resume_bundle12(void)
{
	resumption_bundle(MDP_TLS_V1_2);
}

/* CVE-2025-23419 class: a ticket from an SNI entry that asks for no client
 * certificate (or an optional one) does not resume under an entry that
 * requires one; the full handshake then fails without a certificate. */
static void
resumption_sni(uint16_t version, enum mdp_mtls_mode lax)
{
	struct mdp_tls_cred *pay = cred("payment");
	struct mdp_tls_ticket_keys *keys = mdp_tls_ticket_keys_new();
	struct mdp_tls_params p = params(version, version);
	struct mdp_tls_sni_entry sni[] = {
		{ .server_name = "lax.example", .mtls = lax },
		{ .server_name = "strict.example", .mtls = MDP_MTLS_STRICT },
	};
	struct mdp_tls_server_conf sc = {
		.cred = pay, .bundle = ca, .params = &p, .ticket_keys = keys, .sni = sni,
		.n_sni = 2, .mtls = MDP_MTLS_STRICT,
	};
	SSL_CTX *sctx = server_ctx(&sc), *cctx = resumable_client(NULL, ca, &p, NULL);
	SSL_SESSION *sess = first_session(cctx, sctx, "lax.example", version);
	struct hs h;

	RESUME_OK(cctx, sctx, "lax.example", sess, true);

	resume(&h, cctx, sctx, "strict.example", sess);
	EXPECT_FAIL(&h, true, MDP_TLS_ERR_NO_CLIENT_CERT, MDP_TLS_ERR_MAX);
	CU_ASSERT_FALSE(SSL_session_reused(h.s));
	hs_free(&h);
	/* nor under the default (STRICT) */
	resume(&h, cctx, sctx, "other.example", sess);
	EXPECT_FAIL(&h, true, MDP_TLS_ERR_NO_CLIENT_CERT, MDP_TLS_ERR_MAX);
	hs_free(&h);
	resume(&h, cctx, sctx, NULL, sess);
	EXPECT_FAIL(&h, true, MDP_TLS_ERR_NO_CLIENT_CERT, MDP_TLS_ERR_MAX);
	hs_free(&h);

	SSL_SESSION_free(sess);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	mdp_tls_ticket_keys_unref(keys);
	mdp_tls_cred_unref(pay);
}

static void
test_resume_sni13(void)
{
	resumption_sni(MDP_TLS_V1_3, MDP_MTLS_SIMPLE);
	resumption_sni(MDP_TLS_V1_3, MDP_MTLS_PERMISSIVE);
}

static void
test_resume_sni12(void)
{
	resumption_sni(MDP_TLS_V1_2, MDP_MTLS_SIMPLE);
	resumption_sni(MDP_TLS_V1_2, MDP_MTLS_PERMISSIVE);
}

/* Sessions from two SNI entries with the same policy do not cross either:
 * the entry is part of the session ID context. */
static void
test_resume_sni_same_policy(void)
{
	struct mdp_tls_cred *pay = cred("payment"), *ord = cred("order");
	struct mdp_tls_ticket_keys *keys = mdp_tls_ticket_keys_new();
	struct mdp_tls_params p = params(MDP_TLS_V1_3, MDP_TLS_V1_3);
	struct mdp_tls_sni_entry sni[] = {
		{ .server_name = "a.example" }, { .server_name = "*.a.example" },
	};
	struct mdp_tls_server_conf sc = {
		.cred = pay, .bundle = ca, .params = &p, .ticket_keys = keys, .sni = sni, .n_sni = 2,
	};
	SSL_CTX *sctx = server_ctx(&sc), *cctx = resumable_client(ord, ca, &p, NULL);
	SSL_SESSION *sess = first_session(cctx, sctx, "a.example", MDP_TLS_V1_3);

	RESUME_OK(cctx, sctx, "x.a.example", sess, false);
	RESUME_OK(cctx, sctx, "A.EXAMPLE", sess, true);
	SSL_SESSION_free(sess);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	mdp_tls_ticket_keys_unref(keys);
	mdp_tls_cred_unref(pay);
	mdp_tls_cred_unref(ord);
}

static void
ticket_rotation(uint16_t version)
{
	struct mdp_tls_cred *pay = cred("payment"), *ord = cred("order");
	struct mdp_tls_ticket_keys *k[5], *other = mdp_tls_ticket_keys_new();
	struct mdp_tls_params p = params(version, version);
	struct mdp_tls_server_conf sc = { .cred = pay, .bundle = ca, .params = &p };
	SSL_CTX *sctx[5], *sother, *cctx = resumable_client(ord, ca, &p, NULL);
	SSL_SESSION *sess, *renewed = NULL;
	struct hs h;

	k[0] = mdp_tls_ticket_keys_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k[0]);
	for (int i = 1; i < 5; i++)
		k[i] = mdp_tls_ticket_keys_rotate(k[i - 1]);
	for (int i = 0; i < 5; i++) {
		sc.ticket_keys = k[i];
		sctx[i] = server_ctx(&sc);
	}
	sc.ticket_keys = other;
	sother = server_ctx(&sc);

	sess = first_session(cctx, sctx[0], NULL, version);
	/* N-1 and N-2 resume; N-3 and an unrelated key do not */
	for (int i = 0; i < 4; i++) {
		resume(&h, cctx, sctx[i], NULL, sess);
		EXPECT_OK(&h);
		CU_ASSERT_EQUAL(SSL_session_reused(h.s), i <= MDP_TLS_TICKET_KEYS_OLD);
		if (SSL_session_reused(h.s) != (i <= MDP_TLS_TICKET_KEYS_OLD))
			fprintf(stderr, "\n  rotation %d, TLS %s\n", i, mdp_tls_version_name(version));
		if (version == MDP_TLS_V1_2 && i <= 1) {
			/* under a previous key: renewed with a new ticket (in the
			 * SSL's session: OpenSSL calls no new-session callback on a
			 * resumed TLS 1.2 handshake); under the current: not */
			SSL_SESSION *now = SSL_get1_session(h.c);

			CU_ASSERT_EQUAL(same_ticket(now, sess), i == 0);
			if (i == 1)
				renewed = now;
			else
				SSL_SESSION_free(now);
		}
		hs_free(&h);
	}
	RESUME_OK(cctx, sother, NULL, sess, false);
	if (renewed != NULL) {
		/* the renewed ticket is under k[1]'s key: k[3] still takes it */
		resume(&h, cctx, sctx[3], NULL, renewed);
		EXPECT_OK(&h);
		CU_ASSERT_TRUE(SSL_session_reused(h.s));
		hs_free(&h);
		SSL_SESSION_free(renewed);
	}
	CU_ASSERT_TRUE(version == MDP_TLS_V1_3 || renewed != NULL);

	SSL_SESSION_free(sess);
	for (int i = 0; i < 5; i++) {
		SSL_CTX_free(sctx[i]);
		mdp_tls_ticket_keys_unref(k[i]);
	}
	SSL_CTX_free(sother);
	SSL_CTX_free(cctx);
	mdp_tls_ticket_keys_unref(other);
	mdp_tls_cred_unref(pay);
	mdp_tls_cred_unref(ord);
}

static void
test_ticket_rotation13(void)
{
	ticket_rotation(MDP_TLS_V1_3);
}

static void
test_ticket_rotation12(void)
{
	ticket_rotation(MDP_TLS_V1_2);
}

/* The client side: a session is offered only where it is still good. */
static void
test_client_session(void)
{
	struct mdp_tls_cred *pay = cred("payment");
	struct mdp_tls_ticket_keys *keys = mdp_tls_ticket_keys_new();
	struct mdp_tls_params p = params(MDP_TLS_V1_3, MDP_TLS_V1_3);
	struct mdp_tls_server_conf sc = {
		.cred = pay, .params = &p, .ticket_keys = keys, .mtls = MDP_MTLS_SIMPLE,
	};
	SSL_CTX *sctx = server_ctx(&sc), *cctx = resumable_client(NULL, ca, &p, NULL), *c2;
	SSL_SESSION *sess = first_session(cctx, sctx, NULL, MDP_TLS_V1_3);
	SSL *ssl;

	ssl = SSL_new(cctx);
	CU_ASSERT_EQUAL(mdp_tls_client_prepare(ssl, NULL, want_payment, 1), 0);
	CU_ASSERT_EQUAL(mdp_tls_client_set_session(ssl, sess), 0);
	SSL_free(ssl);
	ssl = SSL_new(cctx);
	CU_ASSERT_EQUAL(mdp_tls_client_set_session(ssl, sess), 0);	/* no prepare: any ID */
	SSL_free(ssl);
	ssl = SSL_new(cctx);
	CU_ASSERT_EQUAL(mdp_tls_client_prepare(ssl, NULL, want_order, 1), 0);
	CU_ASSERT_EQUAL(mdp_tls_client_set_session(ssl, sess), -ESTALE);
	CU_ASSERT_EQUAL(mdp_tls_client_set_session(ssl, NULL), -EINVAL);
	SSL_free(ssl);

	/* another policy generation, another bundle */
	c2 = resumable_client(NULL, ca, &p, "gen2");
	ssl = SSL_new(c2);
	CU_ASSERT_EQUAL(mdp_tls_client_set_session(ssl, sess), -ESTALE);
	SSL_free(ssl);
	SSL_CTX_free(c2);
	c2 = resumable_client(NULL, ca_both, &p, NULL);
	ssl = SSL_new(c2);
	CU_ASSERT_EQUAL(mdp_tls_client_set_session(ssl, sess), -ESTALE);
	SSL_free(ssl);
	SSL_CTX_free(c2);
	/* the same inputs: fine */
	c2 = resumable_client(NULL, ca, &p, NULL);
	ssl = SSL_new(c2);
	CU_ASSERT_EQUAL(mdp_tls_client_set_session(ssl, sess), 0);
	SSL_free(ssl);
	SSL_CTX_free(c2);
	/* a server SSL is not a client */
	ssl = SSL_new(sctx);
	CU_ASSERT_EQUAL(mdp_tls_client_set_session(ssl, sess), -EINVAL);
	SSL_free(ssl);

	SSL_SESSION_free(sess);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	mdp_tls_ticket_keys_unref(keys);
	mdp_tls_cred_unref(pay);
}

static void
test_client_ctx(void)
{
	struct mdp_tls_client_conf cc = { .bundle = ca };
	SSL_CTX *ctx = client_ctx(&cc);
	char err[256];

	CU_ASSERT_EQUAL(SSL_CTX_get_session_cache_mode(ctx),
			SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	CU_ASSERT_EQUAL(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_PEER);
	n_foreach = 0;
	mdp_tls_ctx_foreach(ctx, count_ctx_client, NULL);
	CU_ASSERT_EQUAL(n_foreach, 1);
	SSL_CTX_free(ctx);
	cc.bundle = NULL;
	CU_ASSERT_PTR_NULL(mdp_tls_client_ctx_new(&cc, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "a client needs a trust bundle");
}

/* ---- errors ---- */

static void
test_err_names(void)
{
	CU_ASSERT_STRING_EQUAL(mdp_tls_err_name(MDP_TLS_ERR_NONE), "none");
	CU_ASSERT_STRING_EQUAL(mdp_tls_err_name(MDP_TLS_ERR_NO_CLIENT_CERT), "no_client_cert");
	CU_ASSERT_STRING_EQUAL(mdp_tls_err_name(MDP_TLS_ERR_ID_MISMATCH), "id_mismatch");
	CU_ASSERT_STRING_EQUAL(mdp_tls_err_name(MDP_TLS_ERR_MAX), "?");
	for (unsigned i = 0; i < MDP_TLS_ERR_MAX; i++) {
		CU_ASSERT_PTR_NOT_NULL(mdp_tls_err_name(i));
		CU_ASSERT_PTR_NOT_NULL(mdp_tls_err_text(i));
		for (unsigned j = 0; j < i; j++)
			CU_ASSERT_STRING_NOT_EQUAL(mdp_tls_err_name(i), mdp_tls_err_name(j));
	}
	CU_ASSERT_EQUAL(mdp_tls_err_from_verify(X509_V_ERR_CERT_HAS_EXPIRED), MDP_TLS_ERR_EXPIRED);
	CU_ASSERT_EQUAL(mdp_tls_err_from_verify(X509_V_ERR_INVALID_PURPOSE), MDP_TLS_ERR_BAD_EKU);
	CU_ASSERT_EQUAL(mdp_tls_err_from_verify(X509_V_ERR_CERT_SIGNATURE_FAILURE),
			MDP_TLS_ERR_BAD_CERT);
	CU_ASSERT_EQUAL(mdp_tls_err_classify(NULL, 0), MDP_TLS_ERR_HANDSHAKE_FAILURE);
}

static CU_TestInfo tests[] = {
	{ "setup (mkcerts.sh)", test_setup },
	{ "SPIFFE ID parser", test_spiffe_parse },
	{ "SPIFFE ID of certificates", test_cert_spiffe_id },
	{ "credentials", test_cred },
	{ "trust bundles", test_bundle },
	{ "parameters", test_params },
	{ "server contexts", test_server_ctx },
	{ "client contexts", test_client_ctx },
	{ "client certificates, STRICT, TLS 1.3", test_client_certs_strict13 },
	{ "client certificates, STRICT, TLS 1.2", test_client_certs_strict12 },
	{ "client certificates, PERMISSIVE, TLS 1.3", test_client_certs_permissive13 },
	{ "client certificates, PERMISSIVE, TLS 1.2", test_client_certs_permissive12 },
	{ "client certificates, options", test_client_cert_options },
	{ "server certificates, TLS 1.3", test_server_certs13 },
	{ "server certificates, TLS 1.2", test_server_certs12 },
	{ "server certificates, options", test_server_cert_options },
	{ "versions, suites, plaintext", test_protocol },
	{ "ALPN", test_alpn },
	{ "SNI", test_sni },
	{ "resumption, TLS 1.3", test_resume13 },
	{ "resumption, TLS 1.2", test_resume12 },
	{ "resumption after a bundle change, TLS 1.3", test_resume_bundle13 },
	{ "resumption after a bundle change, TLS 1.2", test_resume_bundle12 },
	{ "resumption across SNI policies, TLS 1.3", test_resume_sni13 },
	{ "resumption across SNI policies, TLS 1.2", test_resume_sni12 },
	{ "resumption across SNI entries", test_resume_sni_same_policy },
	{ "ticket key rotation, TLS 1.3", test_ticket_rotation13 },
	{ "ticket key rotation, TLS 1.2", test_ticket_rotation12 },
	{ "client sessions", test_client_session },
	{ "error names", test_err_names },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	int rc = mdp_cu_run("tls_ctx", suite_init, suite_fini, tests);

	SSL_SESSION_free(got_sess);
	return rc;
}
