/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TLS_H
#define MDP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "tcp/tcp.h"
#include "tls/mdp_tls_types.h"

/*
 * The TLS stream layer (DESIGN.md, "connection <-> stream <-> application";
 * docs/tls.md, "Dataplane").
 *
 * A TLS session sits between a TCP connection and its application and
 * offers the application exactly the interface of tcp.h on the same
 * connection handle: the application's mdp_tcp_send/recved/close/... calls
 * come here when the connection carries TLS (c->tls), and the application's
 * events come from here. So the HTTP proxy runs unchanged over TLS.
 *
 * OpenSSL does the handshake, driven through memory BIOs on the worker that
 * owns the connection; records are handed to it one at a time, so that when
 * the handshake completes we know exactly which records it consumed and
 * produced under the new keys. From then on application data is sealed and
 * opened here with Intel ipsec-mb AES-GCM (lib/crypto), on the mbufs
 * themselves: received records are decrypted in place and handed up as
 * slices of the received segments; sent data is encrypted straight from the
 * application's mbufs into new ones (one pass: the copy is the encryption).
 * Suites ipsec-mb does not do (ChaCha20-Poly1305) stay on OpenSSL's record
 * path (SSL_read/SSL_write over the BIOs), as does every session when
 * `tls.record_layer = "openssl"`.
 *
 * A TLS 1.3 client keeps OpenSSL for received records until the first
 * application-data record arrives, so that the server's NewSessionTickets
 * reach OpenSSL; a server sends its tickets itself, right after the
 * handshake, and counts the records they took.
 */

struct mdp_worker;
struct mdp_tcp_conn;
struct mdp_tcp_listener;
struct mdp_tls_sess;

/* Per-worker set-up (the ipsec-mb manager, the session free list). */
int mdp_tls_worker_init(struct mdp_worker *w);
void mdp_tls_worker_fini(struct mdp_worker *w);

/* Seal what applications sent during this loop iteration (the worker loop,
 * before its TX flush): their sends are coalesced into full records. */
void mdp_tls_flush(struct mdp_worker *w);

/* What a TLS listener needs: its index (the snapshot has its context) and
 * the application it wraps. */
struct mdp_tls_lsn {
	const struct mdp_tcp_app_ops *app_ops;
	void *app_ctx;
	unsigned idx;		/* listener index in the configuration */
};

/* Listener ops of a TLS listener (listener ctx: struct mdp_tls_lsn). The
 * application's `accepted` comes after the handshake and the verification
 * of the peer. */
extern const struct mdp_tcp_app_ops mdp_tls_listener_ops;

/* Server side: the context and mode a worker uses for a listener's new
 * connections. Set by the owner of the configuration snapshot (the proxy
 * adopts one per mesh snapshot); NULL ctx refuses new connections. */
struct mdp_tls_lsn_state {
	SSL_CTX *ctx;
	uint8_t mode;		/* enum mdp_mtls_mode (lib/tls) */
};
/* The state of listener idx on worker w (lives in the worker). */
struct mdp_tls_lsn_state *mdp_tls_lsn_state(struct mdp_worker *w, unsigned idx);

/* Client side: connect to raddr:rport and run a TLS handshake over it with
 * ctx, sending SNI `sni` (may be NULL) and accepting only a peer whose
 * SPIFFE ID is one of ids[] (n 0: any identity the bundle vouches for).
 * cache (may be NULL; the caller's, per endpoint, alive as long as the
 * worker) holds the endpoint's last session: offered for resumption, and
 * replaced by the new one the server gives.
 * The application's `connected` comes after the handshake; a failed
 * handshake is `closed(-ECONNREFUSED)` (counted by reason). */
struct mdp_tcp_conn *mdp_tls_connect(struct mdp_worker *w, uint32_t raddr, uint16_t rport,
				     SSL_CTX *ctx, const char *sni, const char *const *ids,
				     unsigned n_ids, SSL_SESSION **cache,
				     const struct mdp_tcp_app_ops *ops, void *ctx_app, int *err);

/* The peer's SPIFFE ID (URI SAN of its verified certificate), or NULL with
 * *len 0: plaintext, no certificate, or no SPIFFE ID. */
const char *mdp_tls_conn_peer_id(const struct mdp_tcp_conn *c, size_t *len);
/* The SNI the client sent (server side), or NULL. */
const char *mdp_tls_conn_sni(const struct mdp_tcp_conn *c, size_t *len);
/* The connection carries TLS (a handshake completed or is under way). */
static inline bool mdp_tls_active(const struct mdp_tcp_conn *c);

/* The tcp.h calls of an application on a TLS connection (tcp_conn.c calls
 * these when c->tls is set). */
int mdp_tls_send(struct mdp_tcp_conn *c, struct rte_mbuf *m);
uint32_t mdp_tls_send_space(const struct mdp_tcp_conn *c);
void mdp_tls_want_writable(struct mdp_tcp_conn *c);
void mdp_tls_recved(struct mdp_tcp_conn *c, uint32_t n);
void mdp_tls_close(struct mdp_tcp_conn *c);
void mdp_tls_set_ctx(struct mdp_tcp_conn *c, const struct mdp_tcp_app_ops *ops, void *ctx);
void *mdp_tls_ctx(const struct mdp_tcp_conn *c);

/* Free a connection's TLS session without a word to anyone (the stack is
 * shutting down). */
void mdp_tls_conn_drop(struct mdp_tcp_conn *c);

/* Prepare a context for the dataplane (control thread, before it is
 * published): the key-log hook the record layer takes its keys from. */
void mdp_tls_ctx_prepare(SSL_CTX *ctx);

#include "tcp/tcp_conn.h"
static inline bool
mdp_tls_active(const struct mdp_tcp_conn *c)
{
	return c->tls != NULL;
}

#endif
