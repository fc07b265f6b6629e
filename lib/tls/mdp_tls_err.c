/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "tls/mdp_tls_ctx.h"
#include "tls_int.h"

static const char *const err_names[] = {
#define MDP_TLS_ERR(sym, name, text) [MDP_TLS_ERR_##sym] = name,
#include "tls/mdp_tls_errors.def"
#undef MDP_TLS_ERR
};

static const char *const err_texts[] = {
#define MDP_TLS_ERR(sym, name, text) [MDP_TLS_ERR_##sym] = text,
#include "tls/mdp_tls_errors.def"
#undef MDP_TLS_ERR
};

const char *
mdp_tls_err_name(enum mdp_tls_err e)
{
	return (unsigned)e < MDP_TLS_ERR_MAX ? err_names[e] : "?";
}

const char *
mdp_tls_err_text(enum mdp_tls_err e)
{
	return (unsigned)e < MDP_TLS_ERR_MAX ? err_texts[e] : "?";
}

enum mdp_tls_err
mdp_tls_err_from_verify(long v)
{
	switch (v) {
	case X509_V_OK:
		return MDP_TLS_ERR_NONE;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return MDP_TLS_ERR_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return MDP_TLS_ERR_NOT_YET_VALID;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
		return MDP_TLS_ERR_UNKNOWN_CA;
	case X509_V_ERR_INVALID_PURPOSE:
		return MDP_TLS_ERR_BAD_EKU;
	case X509_V_ERR_OUT_OF_MEM:
		return MDP_TLS_ERR_INTERNAL;
	default:
		return MDP_TLS_ERR_BAD_CERT;
	}
}

static enum mdp_tls_err
from_ssl_reason(int r)
{
	switch (r) {
	case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
	case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
		return MDP_TLS_ERR_NO_CLIENT_CERT;
	/* alerts the peer sent about our certificate */
	case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
	case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
	case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
		return MDP_TLS_ERR_PEER_REJECTED_CERT;
	case SSL_R_UNSUPPORTED_PROTOCOL:
	case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
	case SSL_R_WRONG_SSL_VERSION:
	case SSL_R_VERSION_TOO_LOW:
	case SSL_R_VERSION_TOO_HIGH:
	case SSL_R_NO_PROTOCOLS_AVAILABLE:
	case SSL_R_TLSV1_ALERT_INAPPROPRIATE_FALLBACK:
		return MDP_TLS_ERR_PROTOCOL_VERSION;
	case SSL_R_NO_SHARED_CIPHER:
	case SSL_R_NO_SHARED_GROUPS:
	case SSL_R_NO_SUITABLE_KEY_SHARE:
	case SSL_R_NO_CIPHERS_AVAILABLE:
	case SSL_R_NO_SHARED_SIGNATURE_ALGORITHMS:
	case SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM:
	case SSL_R_TLSV1_ALERT_INSUFFICIENT_SECURITY:
		return MDP_TLS_ERR_NO_SHARED_CIPHER;
	/* what a TLS server reads when a client speaks plaintext */
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_HTTP_REQUEST:
	case SSL_R_HTTPS_PROXY_REQUEST:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
		return MDP_TLS_ERR_NOT_TLS;
	default:
		return MDP_TLS_ERR_HANDSHAKE_FAILURE;
	}
}

enum mdp_tls_err
mdp_tls_err_classify(const SSL *ssl, unsigned long e)
{
	enum mdp_tls_err ours = mdp_tls_ssl_reason(ssl);
	long v = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;

	if (ours != MDP_TLS_ERR_NONE)
		return ours;
	if (e == 0)
		return v != X509_V_OK ? mdp_tls_err_from_verify(v) : MDP_TLS_ERR_HANDSHAKE_FAILURE;
	if (ERR_GET_LIB(e) == ERR_LIB_SSL) {
		if (ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED)
			return v != X509_V_OK ? mdp_tls_err_from_verify(v) : MDP_TLS_ERR_BAD_CERT;
		return from_ssl_reason(ERR_GET_REASON(e));
	}
	if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
		return MDP_TLS_ERR_INTERNAL;
	if (v != X509_V_OK)
		return mdp_tls_err_from_verify(v);
	return MDP_TLS_ERR_HANDSHAKE_FAILURE;
}

int
mdp_tls_err_describe(const SSL *ssl, unsigned long e, char *buf, size_t n)
{
	enum mdp_tls_err k = mdp_tls_err_classify(ssl, e);
	long v = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;
	const char *seen = k == MDP_TLS_ERR_ID_MISMATCH ? mdp_tls_ssl_seen_id(ssl) : NULL;
	const char *why = e != 0 ? ERR_reason_error_string(e) : NULL;
	/* our own checks report CERT_REJECTED: OpenSSL's text would add nothing */
	const char *vtext = v != X509_V_OK && mdp_tls_ssl_reason(ssl) == MDP_TLS_ERR_NONE
				    ? X509_verify_cert_error_string(v) : NULL;

	return snprintf(buf, n, "%s: %s%s%s%s%s%s%s", mdp_tls_err_name(k), mdp_tls_err_text(k),
			why != NULL ? "; OpenSSL: " : "", why != NULL ? why : "",
			vtext != NULL ? "; verify: " : "", vtext != NULL ? vtext : "",
			seen != NULL ? "; the peer is " : "", seen != NULL ? seen : "");
}
