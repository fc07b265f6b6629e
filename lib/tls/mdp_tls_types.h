/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_TLS_TYPES_H
#define MDP_TLS_TYPES_H

#include <stdint.h>

/*
 * Types of lib/tls that the configuration model (lib/conf) embeds, without
 * OpenSSL's headers. The functions are in tls/mdp_tls_ctx.h.
 */

struct mdp_tls_cred;		/* certificate chain and private key, refcounted */
struct mdp_tls_bundle;		/* trust bundle (CA certificates), refcounted */
struct mdp_tls_ticket_keys;	/* session-ticket keys, immutable, refcounted */

/* TLS protocol versions, as on the wire (and as OpenSSL numbers them). */
#define MDP_TLS_V1_2 0x0303
#define MDP_TLS_V1_3 0x0304

/* Sizes of the strings of struct mdp_tls_params, NUL included. */
#define MDP_TLS_CIPHERSUITES_MAX 256
#define MDP_TLS_CIPHERS_MAX 512
#define MDP_TLS_GROUPS_MAX 128
#define MDP_TLS_ALPN_MAX 128

/*
 * Peer authentication of a server (an inbound listener), with the meaning
 * of Istio's PeerAuthentication, plus SIMPLE for TLS without client
 * certificates (a gateway's "SIMPLE").
 *  - STRICT: TLS; the client must present a certificate that chains to the
 *    trust bundle and carries a valid SPIFFE ID.
 *  - PERMISSIVE: TLS with an optional client certificate (verified like
 *    STRICT when presented) and, at the listener, plaintext too (the
 *    dataplane tells the two apart from the first bytes).
 *  - DISABLE: no TLS (a plaintext listener); no server context is made.
 *  - SIMPLE: TLS; no client certificate is requested.
 * UNSET (0) is STRICT for a server context and "the listener's mode" for
 * an SNI entry: a zeroed structure is never less strict than asked.
 */
enum mdp_mtls_mode {
	MDP_MTLS_UNSET = 0,
	MDP_MTLS_DISABLE,
	MDP_MTLS_PERMISSIVE,
	MDP_MTLS_STRICT,
	MDP_MTLS_SIMPLE,
};

/*
 * Protocol parameters of a context. mdp_tls_params_defaults() gives:
 * TLS 1.2..1.3; TLS 1.3 suites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:
 * TLS_CHACHA20_POLY1305_SHA256; TLS 1.2 ciphers ECDHE with AES-GCM first,
 * then ChaCha20-Poly1305 (no CBC, no RSA key exchange); groups
 * X25519:P-256:P-384; no ALPN; tickets valid 7200 s.
 *
 * Every suite and cipher must be an AEAD the dataplane's record layer
 * handles (AES-GCM, ChaCha20-Poly1305) with ephemeral key exchange:
 * mdp_tls_params_check() refuses the others (CBC, CCM, RSA key exchange).
 * The strings are plain arrays so that the structure can be copied.
 */
struct mdp_tls_params {
	uint16_t min_version;			/* MDP_TLS_V1_2 or MDP_TLS_V1_3 */
	uint16_t max_version;
	char ciphersuites[MDP_TLS_CIPHERSUITES_MAX];	/* TLS 1.3, OpenSSL syntax */
	char ciphers[MDP_TLS_CIPHERS_MAX];	/* TLS 1.2, OpenSSL cipher string */
	char groups[MDP_TLS_GROUPS_MAX];	/* "X25519:P-256:P-384" */
	/* ALPN protocol IDs, comma-separated, in preference order ("h2,http/1.1");
	 * "" for none. A server selects the first of its own list the client
	 * offers; a client offers them. */
	char alpn[MDP_TLS_ALPN_MAX];
	uint32_t ticket_lifetime_s;		/* session (ticket) lifetime */
};

#endif
