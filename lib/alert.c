/*
 * Errors: the sentence for each TERN_ERR_* code and the TLS alert it sends
 * (RFC 5246 §7.2 for the descriptions; RFC 6066 §3 unrecognized_name;
 * RFC 7301 §3.2 no_application_protocol; RFC 6066 §8
 * bad_certificate_status_response).
 */
#define TERN_LAYER TERN_LAYER_BASE
#include "crypto/common.h"
#include "tern/tern.h"

#define NO_ALERT (-1)

static const struct {
    int err;
    int alert;
    const char *text;
} errors[] = {
    {TERN_OK, NO_ALERT, "success"},
    {TERN_WANT_READ, NO_ALERT, "the transport has no data yet (call again when readable)"},
    {TERN_WANT_WRITE, NO_ALERT, "the transport cannot take data yet (call again when writable)"},
    {TERN_ERR_INTERNAL, TERN_ALERT_INTERNAL_ERROR, "internal error in tern"},
    {TERN_ERR_NOMEM, TERN_ALERT_INTERNAL_ERROR, "out of memory"},
    {TERN_ERR_INVALID_ARG, TERN_ALERT_INTERNAL_ERROR, "invalid argument"},
    {TERN_ERR_BUFFER_TOO_SMALL, TERN_ALERT_INTERNAL_ERROR, "output buffer too small"},
    {TERN_ERR_RNG, TERN_ALERT_INTERNAL_ERROR, "the random number generator failed"},
    {TERN_ERR_IO, NO_ALERT, "the transport reported an error"},
    {TERN_ERR_TRUNCATED, NO_ALERT, "the peer closed the connection without close_notify"},
    {TERN_ERR_CLOSED, NO_ALERT, "the connection is closed"},
    {TERN_ERR_UNSUPPORTED, TERN_ALERT_HANDSHAKE_FAILURE, "unsupported feature or parameter"},
    {TERN_ERR_FILE, TERN_ALERT_INTERNAL_ERROR, "a file could not be read"},
    {TERN_ERR_STATE, TERN_ALERT_INTERNAL_ERROR, "call not allowed in the connection's current state"},
    {TERN_ERR_LIMIT, TERN_ALERT_INTERNAL_ERROR, "a configured size limit was exceeded"},
    {TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "malformed message (decode error)"},
    {TERN_ERR_BAD_RECORD_MAC, TERN_ALERT_BAD_RECORD_MAC, "a record failed authentication"},
    {TERN_ERR_BAD_SIGNATURE, TERN_ALERT_DECRYPT_ERROR, "a signature did not verify"},
    {TERN_ERR_BAD_KEY, TERN_ALERT_ILLEGAL_PARAMETER, "a key is malformed, too small or inconsistent"},
    {TERN_ERR_ZERO_SECRET, TERN_ALERT_ILLEGAL_PARAMETER, "key agreement produced an all-zero secret"},
    {TERN_ERR_PEM, TERN_ALERT_INTERNAL_ERROR, "malformed PEM text"},
    {TERN_ERR_KEY_MISMATCH, TERN_ALERT_INTERNAL_ERROR, "the private key does not match the certificate"},
    {TERN_ERR_DECRYPT, TERN_ALERT_DECRYPT_ERROR, "decryption failed"},
    {TERN_ERR_DECRYPT_FAILED, TERN_ALERT_DECRYPT_ERROR,
     "decryption of an encrypted key or key store failed: the password is wrong or the data is corrupt"},
    {TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE, "unexpected message"},
    {TERN_ERR_RECORD_OVERFLOW, TERN_ALERT_RECORD_OVERFLOW, "record too long"},
    {TERN_ERR_HANDSHAKE_FAILURE, TERN_ALERT_HANDSHAKE_FAILURE, "no acceptable parameters in common with the peer"},
    {TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "a field from the peer is out of range or inconsistent"},
    {TERN_ERR_PROTOCOL_VERSION, TERN_ALERT_PROTOCOL_VERSION, "the peer does not support TLS 1.2"},
    {TERN_ERR_FINISHED, TERN_ALERT_DECRYPT_ERROR, "the Finished message did not match"},
    {TERN_ERR_PEER_ALERT, NO_ALERT, "the peer sent a fatal alert"},
    {TERN_ERR_NO_ALPN, TERN_ALERT_NO_APPLICATION_PROTOCOL, "no application protocol in common"},
    {TERN_ERR_UNRECOGNIZED_NAME, TERN_ALERT_UNRECOGNIZED_NAME, "the server does not serve that name"},
    {TERN_ERR_INSECURE_RENEG, TERN_ALERT_HANDSHAKE_FAILURE, "renegotiation refused"},
    {TERN_ERR_MISSING_EXTENSION, TERN_ALERT_HANDSHAKE_FAILURE, "a required extension is missing"},
    {TERN_ERR_NO_CERTIFICATE, TERN_ALERT_HANDSHAKE_FAILURE, "the peer sent no certificate"},
    {TERN_ERR_UNSUPPORTED_EXTENSION, TERN_ALERT_UNSUPPORTED_EXTENSION, "the peer sent an extension that was not offered"},
    {TERN_ERR_CERT_BAD, TERN_ALERT_BAD_CERTIFICATE, "malformed certificate"},
    {TERN_ERR_CERT_UNSUPPORTED, TERN_ALERT_UNSUPPORTED_CERTIFICATE, "unsupported certificate key or signature algorithm"},
    {TERN_ERR_CERT_EXPIRED, TERN_ALERT_CERTIFICATE_EXPIRED, "a certificate is expired or not yet valid"},
    {TERN_ERR_CERT_UNKNOWN_CA, TERN_ALERT_UNKNOWN_CA, "the certificate chain does not lead to the trust store"},
    {TERN_ERR_CERT_NAME, TERN_ALERT_BAD_CERTIFICATE, "the certificate does not match the expected name"},
    {TERN_ERR_CERT_NOT_CA, TERN_ALERT_BAD_CERTIFICATE, "an issuer certificate is not a CA"},
    {TERN_ERR_CERT_PATH_LEN, TERN_ALERT_BAD_CERTIFICATE, "a path length constraint was exceeded"},
    {TERN_ERR_CERT_PURPOSE, TERN_ALERT_UNSUPPORTED_CERTIFICATE, "the certificate is not allowed for this purpose"},
    /* RFC 5246 §7.2.2 (and RFC 8446 §6.2): bad_certificate is "a certificate
     * was corrupt, contained signatures that did not verify correctly";
     * decrypt_error is for the handshake's own signatures and Finished. */
    {TERN_ERR_CERT_SIGNATURE, TERN_ALERT_BAD_CERTIFICATE, "a certificate signature did not verify"},
    {TERN_ERR_CERT_CRITICAL_EXT, TERN_ALERT_UNSUPPORTED_CERTIFICATE, "a certificate has an unknown critical extension"},
    {TERN_ERR_CERT_CHAIN_TOO_LONG, TERN_ALERT_BAD_CERTIFICATE, "the certificate chain is too long"},
    /* RFC 5246 §7.2.2: certificate_revoked; certificate_unknown for "some
     * other (unspecified) issue", here a revocation status not established. */
    {TERN_ERR_CERT_REVOKED, TERN_ALERT_CERTIFICATE_REVOKED, "a certificate has been revoked by its issuer (CRL or OCSP)"},
    {TERN_ERR_CERT_REVOCATION_UNKNOWN, TERN_ALERT_CERTIFICATE_UNKNOWN,
     "a certificate's revocation status could not be established (no usable CRL, no OCSP response where one is "
     "required, or the OCSP responder does not know it)"},
    {TERN_ERR_CERT_POLICY, TERN_ALERT_CERTIFICATE_UNKNOWN, "no acceptable certificate policy on the path"},
    /* RFC 6066 §8: a client "MUST check the OCSP response and abort the
     * handshake if the response is not satisfactory with
     * bad_certificate_status_response(113)". */
    {TERN_ERR_OCSP_BAD, TERN_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
     "the stapled OCSP response is malformed, not for this certificate, outside its validity, or wrongly signed"},
};

static const struct {
    int alert;
    const char *name;
} alerts[] = {
    {TERN_ALERT_CLOSE_NOTIFY, "close_notify"},
    {TERN_ALERT_UNEXPECTED_MESSAGE, "unexpected_message"},
    {TERN_ALERT_BAD_RECORD_MAC, "bad_record_mac"},
    {TERN_ALERT_DECRYPTION_FAILED_RESERVED, "decryption_failed_RESERVED"},
    {TERN_ALERT_RECORD_OVERFLOW, "record_overflow"},
    {TERN_ALERT_DECOMPRESSION_FAILURE, "decompression_failure"},
    {TERN_ALERT_HANDSHAKE_FAILURE, "handshake_failure"},
    {TERN_ALERT_NO_CERTIFICATE_RESERVED, "no_certificate_RESERVED"},
    {TERN_ALERT_BAD_CERTIFICATE, "bad_certificate"},
    {TERN_ALERT_UNSUPPORTED_CERTIFICATE, "unsupported_certificate"},
    {TERN_ALERT_CERTIFICATE_REVOKED, "certificate_revoked"},
    {TERN_ALERT_CERTIFICATE_EXPIRED, "certificate_expired"},
    {TERN_ALERT_CERTIFICATE_UNKNOWN, "certificate_unknown"},
    {TERN_ALERT_ILLEGAL_PARAMETER, "illegal_parameter"},
    {TERN_ALERT_UNKNOWN_CA, "unknown_ca"},
    {TERN_ALERT_ACCESS_DENIED, "access_denied"},
    {TERN_ALERT_DECODE_ERROR, "decode_error"},
    {TERN_ALERT_DECRYPT_ERROR, "decrypt_error"},
    {TERN_ALERT_EXPORT_RESTRICTION_RESERVED, "export_restriction_RESERVED"},
    {TERN_ALERT_PROTOCOL_VERSION, "protocol_version"},
    {TERN_ALERT_INSUFFICIENT_SECURITY, "insufficient_security"},
    {TERN_ALERT_INTERNAL_ERROR, "internal_error"},
    {TERN_ALERT_USER_CANCELED, "user_canceled"},
    {TERN_ALERT_NO_RENEGOTIATION, "no_renegotiation"},
    {TERN_ALERT_UNSUPPORTED_EXTENSION, "unsupported_extension"},
    {TERN_ALERT_UNRECOGNIZED_NAME, "unrecognized_name"},
    {TERN_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE, "bad_certificate_status_response"},
    {TERN_ALERT_NO_APPLICATION_PROTOCOL, "no_application_protocol"},
};

const char *tern_strerror(int err) {
    for (size_t i = 0; i < TERN_ARRAY_LEN(errors); i++)
        if (errors[i].err == err)
            return errors[i].text;
    return "unknown error";
}

int tern_error_alert(int err) {
    for (size_t i = 0; i < TERN_ARRAY_LEN(errors); i++)
        if (errors[i].err == err)
            return errors[i].alert;
    return err < 0 ? TERN_ALERT_INTERNAL_ERROR : NO_ALERT;
}

const char *tern_alert_name(int alert) {
    for (size_t i = 0; i < TERN_ARRAY_LEN(alerts); i++)
        if (alerts[i].alert == alert)
            return alerts[i].name;
    return NULL;
}
