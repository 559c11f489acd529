/*
 * tern's status codes and errors: TERN_OK, TERN_WANT_READ / _WRITE, the
 * TERN_ERR_* values and tern_strerror().  Included by tern/tern.h; also
 * the only public header crypto/ includes (through crypto/common.h), so
 * the primitives share the library's error codes without seeing the TLS
 * API.
 */
#ifndef TERN_ERROR_H
#define TERN_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef TERN_API
#  if defined(__GNUC__)
#    define TERN_API __attribute__((visibility("default")))
#  else
#    define TERN_API
#  endif
#endif

/* ---- Status codes ------------------------------------------------------ */

#define TERN_OK          0
#define TERN_WANT_READ  (-1)  /* the transport has no bytes yet: wait until readable */
#define TERN_WANT_WRITE (-2)  /* the transport cannot take bytes yet: wait until writable */

/* Errors.  Each maps to one TLS alert (see tern_error_alert()) and one sentence
 * (tern_strerror()).  The numbers are stable once released; new ones are added
 * at the end of their group. */
enum tern_error {
    /* general: -10 .. -29 */
    TERN_ERR_INTERNAL          = -10, /* a bug in tern: an invariant did not hold */
    TERN_ERR_NOMEM             = -11, /* memory allocation failed */
    TERN_ERR_INVALID_ARG       = -12, /* the caller passed a bad argument */
    TERN_ERR_BUFFER_TOO_SMALL  = -13, /* an output buffer is too small */
    TERN_ERR_RNG               = -14, /* the random number generator failed */
    TERN_ERR_IO                = -15, /* the transport reported an error */
    TERN_ERR_TRUNCATED         = -16, /* the peer closed the transport without close_notify */
    TERN_ERR_CLOSED            = -17, /* the connection is closed */
    TERN_ERR_UNSUPPORTED       = -18, /* a valid but unsupported feature or parameter */
    TERN_ERR_FILE              = -19, /* a file could not be read */
    TERN_ERR_STATE             = -20, /* the call is not allowed in the current state */
    TERN_ERR_LIMIT             = -21, /* a configured size limit was exceeded */

    /* decoding and crypto: -30 .. -49 */
    TERN_ERR_DECODE            = -30, /* malformed bytes (bad length, trailing data, ...) */
    TERN_ERR_BAD_RECORD_MAC    = -31, /* a record or sealed blob failed authentication */
    TERN_ERR_BAD_SIGNATURE     = -32, /* a signature did not verify */
    TERN_ERR_BAD_KEY           = -33, /* a key is malformed, too small, or inconsistent */
    TERN_ERR_ZERO_SECRET       = -34, /* key agreement produced an all-zero secret */
    TERN_ERR_PEM               = -35, /* malformed PEM text */
    TERN_ERR_KEY_MISMATCH      = -36, /* the private key does not match the certificate */
    TERN_ERR_DECRYPT           = -37, /* RSA decryption failed (bad padding or length) */
    TERN_ERR_DECRYPT_FAILED    = -38, /* symmetric decryption of stored data failed (bad padding:
                                         a wrong password, usually, or corrupt data) */

    /* TLS protocol: -50 .. -79 */
    TERN_ERR_UNEXPECTED_MESSAGE = -50, /* a message arrived out of order */
    TERN_ERR_RECORD_OVERFLOW    = -51, /* a record is longer than allowed */
    TERN_ERR_HANDSHAKE_FAILURE  = -52, /* no common parameters, or a required one missing */
    TERN_ERR_ILLEGAL_PARAMETER  = -53, /* a field is out of range or inconsistent */
    TERN_ERR_PROTOCOL_VERSION   = -54, /* the peer does not speak TLS 1.2 */
    TERN_ERR_FINISHED           = -55, /* Finished verify_data did not match */
    TERN_ERR_PEER_ALERT         = -56, /* the peer sent a fatal alert (tern_error() names it) */
    TERN_ERR_NO_ALPN            = -57, /* no common application protocol (RFC 7301) */
    TERN_ERR_UNRECOGNIZED_NAME  = -58, /* the server does not serve the requested name */
    TERN_ERR_INSECURE_RENEG     = -59, /* renegotiation refused or insecure */
    TERN_ERR_MISSING_EXTENSION  = -60, /* a required extension is missing */
    TERN_ERR_NO_CERTIFICATE     = -61, /* the peer sent no certificate where one is required */
    TERN_ERR_UNSUPPORTED_EXTENSION = -62, /* the peer sent an extension that was not offered */

    /* certificates: -80 .. -99 */
    TERN_ERR_CERT_BAD          = -80, /* a certificate is malformed */
    TERN_ERR_CERT_UNSUPPORTED  = -81, /* unsupported key or signature algorithm */
    TERN_ERR_CERT_EXPIRED      = -82, /* a certificate is expired or not yet valid */
    TERN_ERR_CERT_UNKNOWN_CA   = -83, /* no path to a certificate in the trust store */
    TERN_ERR_CERT_NAME         = -84, /* the leaf does not match the expected name */
    TERN_ERR_CERT_NOT_CA       = -85, /* an issuer is not allowed to sign certificates */
    TERN_ERR_CERT_PATH_LEN     = -86, /* a path length constraint was exceeded */
    TERN_ERR_CERT_PURPOSE      = -87, /* keyUsage / extKeyUsage forbid this use */
    TERN_ERR_CERT_SIGNATURE    = -88, /* a certificate signature did not verify */
    TERN_ERR_CERT_CRITICAL_EXT = -89, /* an unknown critical extension */
    TERN_ERR_CERT_CHAIN_TOO_LONG = -90, /* the chain is longer than the configured limit */
    TERN_ERR_CERT_REVOKED      = -91, /* a certificate on the path is revoked (CRL) */
    TERN_ERR_CERT_REVOCATION_UNKNOWN = -92, /* no usable CRL where one is needed (stale, badly
                                              signed, missing under TERN_CRL_REQUIRE) */
    TERN_ERR_CERT_POLICY       = -93, /* no acceptable certificate policy (RFC 5280 §6.1.5 (g)) */
    TERN_ERR_OCSP_BAD          = -94  /* a stapled OCSP response is malformed, not for this certificate,
                                         outside its validity, or not signed by a key allowed to sign it */
};

/* A sentence naming the error or status code, e.g. "a certificate is expired
 * or not yet valid".  Never NULL; unknown codes get "unknown error". */
TERN_API const char *tern_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
