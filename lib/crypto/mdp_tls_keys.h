/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TLS_KEYS_H
#define MDP_TLS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "mdp_tls_rec.h"

/*
 * Record keys from a finished OpenSSL handshake, for the record layer of
 * mdp_tls_rec.h. Control-path code (OpenSSL calls, no ipsec-mb fast path):
 * run it once per connection, when SSL_do_handshake() has returned 1 and
 * before any application record is sealed or opened by us.
 *
 * TLS 1.3: OpenSSL 3.0 gives the traffic secrets only to a keylog callback
 * (SSL_CTX_set_keylog_callback()); keep CLIENT_TRAFFIC_SECRET_0 and
 * SERVER_TRAFFIC_SECRET_0 of the connection (mdp_tls_keylog_secret() parses
 * a line) and pass them here. TLS 1.2: the key block is derived again with
 * the TLS 1.2 PRF from the session's master secret and the two randoms
 * (RFC 5246 6.3); no secrets needed.
 *
 * Sequence numbers: the next record number per direction. TLS 1.3: 0 after
 * the handshake, plus the records already sent or received under the
 * application keys (NewSessionTicket: with SSL_CTX_set_num_tickets(ctx, 0)
 * the server sends none). TLS 1.2: 1 (Finished was 0 in each direction).
 */

/*
 * The record AEAD of a negotiated suite: MDP_TLS_AES_128_GCM or
 * MDP_TLS_AES_256_GCM, or -ENOTSUP (ChaCha20-Poly1305, CCM, CBC, ...).
 */
int mdp_tls_aead_of(const SSL_CIPHER *c);

/*
 * From an SSL whose handshake finished, fill both directions: rx opens what
 * the peer sends, tx seals what we send (is_server: we are the server, so
 * tx uses the server's keys). For TLS 1.3, client_secret and server_secret
 * (secret_len bytes each, the suite's hash length) are the
 * *_TRAFFIC_SECRET_0 values; ignored for TLS 1.2 (may be NULL). rx and tx
 * must be 64-byte aligned. Returns 0, -ENOTSUP (not TLS 1.2/1.3 or not
 * AES-GCM), -EINVAL (missing or wrong-length secrets, misaligned key) or
 * -EIO (OpenSSL failed: no session, PRF error).
 */
int mdp_tls_keys_from_ssl(SSL *ssl, IMB_MGR *m, const uint8_t *client_secret,
			  const uint8_t *server_secret, size_t secret_len, bool is_server,
			  struct mdp_tls_rec_key *rx, struct mdp_tls_rec_key *tx,
			  uint64_t rx_seq, uint64_t tx_seq);

/*
 * Parse one keylog line (NSS format, as given to the keylog callback:
 * "LABEL <client_random hex> <secret hex>"). When its label is `label`
 * (e.g. "SERVER_TRAFFIC_SECRET_0"), write the secret (at most 48 bytes) to
 * out and, when client_random is not NULL, the 32-byte client random.
 * Returns the secret length, -ENOENT for another label, -EINVAL when
 * malformed.
 */
int mdp_tls_keylog_secret(const char *line, const char *label, uint8_t out[48],
			  uint8_t client_random[32]);

#endif /* MDP_TLS_KEYS_H */
