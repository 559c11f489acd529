/*
 * tern — a TLS 1.2 library written from scratch, with its own crypto.
 *
 * This header is the whole public API.  Status values are plain ints:
 *   0 (TERN_OK) or a positive count  success,
 *   TERN_WANT_READ / TERN_WANT_WRITE a non-blocking transport would block:
 *                                    call again with the same arguments,
 *   a negative TERN_ERR_*            failure; tern_strerror() names it.
 *
 * Two words are used throughout:
 *   trust store  the CA certificates this side trusts when it checks its peer;
 *   key store    this side's own identity: its certificate chain and private key.
 *
 * Threads.  tern's only global state is the CPU-feature cache
 * (crypto/cpu.c, written atomically); its only locks guard a server
 * config's session cache and ticket keys (session resumption, below).  So:
 *   - a tern_config is built by one thread (the tern_config_* setters and
 *     loaders), then shared read-only: any number of connections in any
 *     number of threads may be made from it once no setter is called any
 *     more; free it only after every connection made from it is freed;
 *   - a tern_conn is used by one thread at a time (no two calls on the same
 *     connection may overlap); it may move between threads between calls;
 *   - the RNG and clock callbacks of a shared config are called from every
 *     thread that uses it, so they must be thread-safe (the defaults are).
 * tests/test_load.c runs 64 connections in 128 threads over one config.
 */
#ifndef TERN_TERN_H
#define TERN_TERN_H

#include <stddef.h>
#include <stdint.h>

#include "tern/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TLS alert descriptions (RFC 5246 §7.2, RFC 6066, RFC 7301). */
enum tern_alert {
    TERN_ALERT_CLOSE_NOTIFY                = 0,
    TERN_ALERT_UNEXPECTED_MESSAGE          = 10,
    TERN_ALERT_BAD_RECORD_MAC              = 20,
    TERN_ALERT_DECRYPTION_FAILED_RESERVED  = 21,
    TERN_ALERT_RECORD_OVERFLOW             = 22,
    TERN_ALERT_DECOMPRESSION_FAILURE       = 30,
    TERN_ALERT_HANDSHAKE_FAILURE           = 40,
    TERN_ALERT_NO_CERTIFICATE_RESERVED     = 41,
    TERN_ALERT_BAD_CERTIFICATE             = 42,
    TERN_ALERT_UNSUPPORTED_CERTIFICATE     = 43,
    TERN_ALERT_CERTIFICATE_REVOKED         = 44,
    TERN_ALERT_CERTIFICATE_EXPIRED         = 45,
    TERN_ALERT_CERTIFICATE_UNKNOWN         = 46,
    TERN_ALERT_ILLEGAL_PARAMETER           = 47,
    TERN_ALERT_UNKNOWN_CA                  = 48,
    TERN_ALERT_ACCESS_DENIED               = 49,
    TERN_ALERT_DECODE_ERROR                = 50,
    TERN_ALERT_DECRYPT_ERROR               = 51,
    TERN_ALERT_EXPORT_RESTRICTION_RESERVED = 60,
    TERN_ALERT_PROTOCOL_VERSION            = 70,
    TERN_ALERT_INSUFFICIENT_SECURITY       = 71,
    TERN_ALERT_INTERNAL_ERROR              = 80,
    TERN_ALERT_USER_CANCELED               = 90,
    TERN_ALERT_NO_RENEGOTIATION            = 100,
    TERN_ALERT_UNSUPPORTED_EXTENSION       = 110,
    TERN_ALERT_UNRECOGNIZED_NAME           = 112,
    TERN_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
    TERN_ALERT_NO_APPLICATION_PROTOCOL     = 120
};

/* The alert a connection sends when it fails with `err` (a TERN_ERR_* value);
 * TERN_ALERT_INTERNAL_ERROR for codes that are not protocol errors.  Returns -1
 * for codes that send no alert (TERN_OK, WANT_*, TERN_ERR_IO, TERN_ERR_TRUNCATED,
 * TERN_ERR_PEER_ALERT, TERN_ERR_CLOSED). */
TERN_API int tern_error_alert(int err);

/* The RFC name of an alert description ("bad_record_mac"), or NULL if unknown. */
TERN_API const char *tern_alert_name(int alert);

/* The random number source.  Fill buf with len unpredictable bytes and return
 * 0, or return a negative value on failure (tern then fails with TERN_ERR_RNG).
 * Tests may supply a deterministic one; the default reads getrandom(2). */
typedef int (*tern_rng_fn)(void *arg, uint8_t *buf, size_t len);


/* ---- Configuration -------------------------------------------------------
 *
 * A configuration is built once, then shared read-only by any number of
 * connections (safe to share between threads once no setter is called any
 * more).  It must outlive every connection made from it.  Defaults are the
 * secure ones: the six ECDHE suites (AES-128-GCM, AES-256-GCM, then
 * ChaCha20-Poly1305, each with an ECDSA then an RSA certificate; the RSA
 * key exchange only when listed), verification on, extended master secret
 * offered, system RNG, the real clock.
 */
typedef struct tern_config tern_config;
typedef struct tern_conn tern_conn;

/* A new configuration with the defaults, or NULL when out of memory. */
TERN_API tern_config *tern_config_new(void);
/* Free a configuration (and wipe the private keys it holds).  NULL is fine.
 * The caller must have freed every connection made from it first. */
TERN_API void tern_config_free(tern_config *cfg);

/* Trust store: add the CA certificates in a PEM file, or in every *.pem /
 * *.crt file of a directory.  Returns 0 or a negative TERN_ERR_* (TERN_ERR_FILE,
 * TERN_ERR_PEM, TERN_ERR_CERT_BAD ...). */
TERN_API int tern_config_load_truststore(tern_config *cfg, const char *path);
/* Trust store: add the operating system's CA bundle (the usual Linux/BSD
 * locations).  Returns 0 or TERN_ERR_FILE when none is found. */
TERN_API int tern_config_load_system_truststore(tern_config *cfg);
/* Trust store: add the CA certificates in a PEM buffer.  Returns 0 or a
 * negative TERN_ERR_*. */
TERN_API int tern_config_add_truststore_pem(tern_config *cfg, const uint8_t *pem, size_t len);

/* Certificate revocation lists (RFC 5280 §5, §6.3), held with the trust
 * store and used for the peer's chain by both sides (the client checking
 * the server, a server checking client certificates).  See
 * docs/CERTIFICATES.md.
 *
 * tern_config_load_crl adds the CRLs of a file, PEM ("X509 CRL" blocks) or
 * DER, or of every file of a directory.  A CRL that does not parse, or that
 * tern cannot apply (a delta CRL, an indirect CRL, one scoped by an
 * issuingDistributionPoint, one with an unknown critical extension), is
 * skipped and named in tern_config_error(); the call fails only when no CRL
 * at all could be added (TERN_ERR_FILE, TERN_ERR_PEM, TERN_ERR_CERT_BAD,
 * TERN_ERR_UNSUPPORTED ...).  tern_config_add_crl_pem does the same from
 * memory (PEM or DER).
 *
 * Loading a CRL turns checking on (TERN_CRL_IF_PRESENT); with none loaded
 * and no mode set, CRLs are not consulted.  Every certificate on the path
 * but the trust anchor is checked against the CRLs of its issuer (same
 * issuer name; same key identifier when both the CRL's
 * authorityKeyIdentifier and the issuer's subjectKeyIdentifier are
 * present).  A revoked certificate fails with TERN_ERR_CERT_REVOKED (alert
 * certificate_revoked) and a sentence naming it, its serial, the date and
 * the reason.
 *
 *   TERN_CRL_IF_PRESENT  a certificate whose issuer has no CRL loaded is
 *                        accepted.  But a CRL loaded for that issuer that
 *                        cannot vouch for it (stale: past its nextUpdate,
 *                        not yet valid, a signature that does not verify
 *                        with the issuer's key, an issuer whose keyUsage
 *                        lacks cRLSign) fails the path as under REQUIRE
 *                        (TERN_ERR_CERT_REVOCATION_UNKNOWN):
 *                        loading a CRL says it should be applied, and a
 *                        stale or forged one cannot be (refresh it).
 *   TERN_CRL_REQUIRE     every certificate on the path needs a usable,
 *                        current CRL from its issuer; otherwise the path
 *                        fails with TERN_ERR_CERT_REVOCATION_UNKNOWN (alert
 *                        certificate_unknown) saying why (no CRL, stale,
 *                        not yet valid, bad signature, no cRLSign).
 * When an issuer has several CRLs, the usable ones are all applied. */
enum tern_crl_mode {
    TERN_CRL_IF_PRESENT = 1,
    TERN_CRL_REQUIRE = 2
};
TERN_API int tern_config_load_crl(tern_config *cfg, const char *path);
TERN_API int tern_config_add_crl_pem(tern_config *cfg, const uint8_t *data, size_t len);
/* Set the mode (also before any CRL is loaded).  Returns 0 or
 * TERN_ERR_INVALID_ARG. */
TERN_API int tern_config_set_crl_mode(tern_config *cfg, int mode);

/* Key store: this side's certificate chain (leaf first, PEM) and its
 * private key (PEM): RSA (PKCS#1 or PKCS#8) or ECDSA on P-256 or P-384
 * (SEC 1 "EC PRIVATE KEY" or PKCS#8).  Loading checks that the key matches
 * the leaf.  Returns 0 or a negative TERN_ERR_* (TERN_ERR_KEY_MISMATCH ...). */
TERN_API int tern_config_load_keystore(tern_config *cfg, const char *chain_pem_path, const char *key_pem_path);
/* The same from memory. */
TERN_API int tern_config_add_keystore_pem(tern_config *cfg, const uint8_t *chain, size_t chain_len,
                                          const uint8_t *key, size_t key_len);

/* Encrypted private keys (the key PEM of the loaders above and below):
 * "ENCRYPTED PRIVATE KEY" (PKCS#8, RFC 5958 §3) under PBES2 (RFC 8018) with
 * PBKDF2 (HMAC-SHA-1/256/384/512, at most TERN_PBKDF_MAX_ITERATIONS =
 * 2,000,000 iterations) and AES-128/192/256-CBC, as `openssl genpkey
 * -aes256` writes; and OpenSSL's legacy "Proc-Type: 4,ENCRYPTED" /
 * "DEK-Info: AES-*-CBC" PEM encryption (`openssl rsa -aes256`).  Other
 * schemes (PBES1, PKCS#12 PBE, DES/3DES/RC2, scrypt) are refused with a
 * sentence that names the scheme and the openssl command that re-encrypts
 * the key with AES.
 *
 * tern_config_load_keystore_pw is tern_config_load_keystore with a
 * password (NUL-terminated; the caller keeps and wipes it).  A NULL password
 * asks the callback set with tern_config_set_password_cb, if any; every
 * other key loader (tern_config_load_keystore, _add_keystore_pem,
 * _add_identity, _add_identity_pem) asks the callback too, and only when the
 * key is encrypted (and in a scheme tern reads: the others are refused
 * before any password is asked).  The callback writes the password into buf (cap bytes)
 * and returns its length, or < 0 for none.  tern wipes its copies of the
 * password, the derived key and the decrypted key after use.
 * Errors: TERN_ERR_INVALID_ARG (the key is encrypted and there is no
 * password), TERN_ERR_DECRYPT_FAILED ("wrong password (or the file is
 * corrupt)"), TERN_ERR_UNSUPPORTED (a scheme tern does not read),
 * TERN_ERR_LIMIT (an iteration count above the limit); the sentence is in
 * tern_config_error. */
typedef int (*tern_password_fn)(void *arg, char *buf, size_t cap);
TERN_API void tern_config_set_password_cb(tern_config *cfg, tern_password_fn fn, void *arg);
TERN_API int tern_config_load_keystore_pw(tern_config *cfg, const char *chain_pem_path, const char *key_pem_path,
                                          const char *password);

/* Server with several names: add another identity (chain and key, RSA or
 * ECDSA, as above).  After ClientHello the server uses, for the suite it
 * picks, the first identity in the order loaded whose key fits the suite
 * (RSA, or ECDSA on a curve the client accepts) and whose certificate
 * matches the name the client asks for (SNI); without SNI or when none
 * matches, the first identity with such a key (the key store loaded above
 * comes first).  A client with several identities answers
 * a CertificateRequest with the first one issued by a CA the server names.
 * Without a key store yet, this loads the default.  At most 16 in all.
 * Returns 0 or a negative TERN_ERR_* (as tern_config_load_keystore, and
 * TERN_ERR_LIMIT). */
TERN_API int tern_config_add_identity(tern_config *cfg, const char *chain_pem_path, const char *key_pem_path);
TERN_API int tern_config_add_identity_pem(tern_config *cfg, const uint8_t *chain, size_t chain_len,
                                          const uint8_t *key, size_t key_len);

/* PKCS#12 files (.p12 / .pfx, RFC 7292), as `openssl pkcs12 -export`,
 * Java's keytool (-storetype PKCS12, its default), Windows and macOS write
 * them.  The password is UTF-8 (NUL-terminated; the caller keeps and wipes
 * it); NULL asks the callback of tern_config_set_password_cb if one is set,
 * else means no password.  tern wipes its copies of the password, the keys
 * derived from it and the decrypted private key.
 *
 * The file's MAC is checked first (HMAC-SHA-1/256/384/512 keyed by the
 * PKCS#12 KDF, or RFC 9579 PBMAC1): one that does not verify fails with
 * TERN_ERR_DECRYPT_FAILED ("wrong password, or the file was altered").  A
 * file without a MAC (`openssl pkcs12 -nomac`) loads, and
 * tern_config_error() then holds a note saying its integrity was not
 * checked.  Encrypted parts: PBES2 with PBKDF2 and AES-CBC (OpenSSL 3's and
 * keytool's defaults); the legacy schemes (3DES, RC2, RC4: `openssl pkcs12
 * -legacy`) are refused (TERN_ERR_UNSUPPORTED) with the command that
 * re-exports the file with AES.  Iteration counts above 2,000,000 are
 * refused (TERN_ERR_LIMIT).
 *
 * tern_config_load_keystore_p12 replaces the key store (as
 * tern_config_load_keystore does) with the file's private key and its
 * certificate (paired by localKeyID, else by public key), the chain ordered
 * from it by issuer names (a self-signed root is not sent).  A file with
 * several keys needs tern_config_load_keystore_p12_named, which picks the
 * key by its friendlyName (or its certificate's: keytool's alias, `openssl
 * pkcs12 -name`); without it the load fails (TERN_ERR_INVALID_ARG) listing
 * the names.  A file without a key is TERN_ERR_INVALID_ARG ("it is a trust
 * store").
 *
 * tern_config_load_truststore_p12 adds trust anchors: the certificates
 * marked trusted by Java (keytool -importcert) when any is, else every
 * certificate of a file that holds no private key (`openssl pkcs12 -export
 * -nokeys`).  A key store file (a key, no trusted marks) is refused
 * (TERN_ERR_INVALID_ARG) with the command that extracts its CA certificates:
 * trusting a key store's own chain is rarely what was meant.
 *
 * Returns 0 or a negative TERN_ERR_*, the sentence in tern_config_error. */
TERN_API int tern_config_load_keystore_p12(tern_config *cfg, const char *path, const char *password);
TERN_API int tern_config_load_keystore_p12_named(tern_config *cfg, const char *path, const char *password,
                                                 const char *friendly_name);
TERN_API int tern_config_load_truststore_p12(tern_config *cfg, const char *path, const char *password);

/* Why the last load into cfg failed (a sentence naming the file and the
 * problem), or "".  Valid until the next call on cfg. */
TERN_API const char *tern_config_error(const tern_config *cfg);

/* Application protocols (RFC 7301) as a comma-separated list in preference
 * order, e.g. "h2,http/1.1"; NULL or "" switches ALPN off.  A client offers
 * them; a server picks the first of its own list the client also offers and
 * refuses the connection (no_application_protocol) when there is none.
 * Returns 0 or TERN_ERR_INVALID_ARG (empty item, item over 255 bytes, list
 * over 255 bytes in total). */
TERN_API int tern_config_set_alpn(tern_config *cfg, const char *protocols);

/* Cipher suites as a colon- or comma-separated list in preference order, by
 * IANA name ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") or OpenSSL name
 * ("ECDHE-RSA-AES128-GCM-SHA256").  Returns 0, or TERN_ERR_INVALID_ARG if a
 * name is unknown or the list is empty.
 * The RSA key exchange suites, TLS_RSA_WITH_AES_128_GCM_SHA256
 * ("AES128-GCM-SHA256") and TLS_RSA_WITH_AES_256_GCM_SHA384
 * ("AES256-GCM-SHA384"), have no forward secrecy: they are off by default
 * on both sides and only used when listed here; a server then still picks
 * any ECDHE suite the client offers first, whatever the order given. */
TERN_API int tern_config_set_cipher_suites(tern_config *cfg, const char *list);

/* ECDHE groups as a colon- or comma-separated list in preference order:
 * "x25519" (also "X25519"), "secp256r1" (also "P-256", "prime256v1") and
 * "secp384r1" (also "P-384").  The default is "x25519:secp256r1:secp384r1".  A client offers these in
 * supported_groups; a server picks the first of these the client offers.
 * Returns 0, or TERN_ERR_INVALID_ARG for an unknown name or an empty list. */
TERN_API int tern_config_set_groups(tern_config *cfg, const char *list);

/* Extended master secret (RFC 7627) is always offered (client) and accepted
 * (server).  With require = 1 a peer that does not support it is refused
 * with handshake_failure.  Default 0. */
TERN_API void tern_config_require_extended_master_secret(tern_config *cfg, int require);

/* Connection memory (docs/CONVENTIONS.md §6): record_size is the largest
 * plaintext fragment this side sends (512 .. 16384, default 16384; records
 * from the peer are always accepted up to the RFC's 16384), hs_max the
 * largest handshake message accepted or sent (4096 .. 1048576, default
 * 16384: enough for a chain of several RSA-2048 certificates; a server
 * takes any well-formed ClientHello, up to 131,396 bytes, whatever hs_max,
 * parsing a longer one as it arrives without keeping it).  A
 * connection's one allocation is an input buffer for one full protected
 * record, an output buffer for max(one record of record_size, one handshake
 * message of hs_max), and about 3 KB more (keys, state; a server asking for
 * client certificates adds hs_max to keep the client chain): with the
 * defaults about 35 KB per connection (README, `make bench` memory rows).
 * Only connections created after this call use the new sizes.  Returns 0
 * or TERN_ERR_INVALID_ARG. */
TERN_API int tern_config_set_buffer_sizes(tern_config *cfg, size_t record_size, size_t hs_max);

/* The clock used for certificate validity, in seconds since the Unix epoch.
 * For tests; the default is time(NULL). */
TERN_API void tern_config_set_clock(tern_config *cfg, int64_t (*now)(void *arg), void *arg);
/* The random source (see tern_rng_fn).  For tests; the default is the OS. */
TERN_API void tern_config_set_rng(tern_config *cfg, tern_rng_fn fill, void *arg);

/* Client certificates (mutual TLS, RFC 5246 §7.4.4, §7.4.6, §7.4.8).
 *
 * Server: with OPTIONAL or REQUIRED it sends CertificateRequest and checks
 * the client's chain against its trust store (extKeyUsage clientAuth,
 * keyUsage digitalSignature) and its CertificateVerify signature.  A bad
 * chain fails with the verifier's alert (unknown_ca, certificate_expired,
 * unsupported_certificate ...), a bad signature with decrypt_error, and a
 * client without a certificate in REQUIRED mode with handshake_failure.
 * In OPTIONAL mode a client without one is accepted: tern_peer_subject()
 * is then NULL.  The server must have a trust store for OPTIONAL/REQUIRED.
 *
 * Client certificates may hold RSA keys or ECDSA keys (P-256 or P-384).
 * The server lists every signature scheme tern handles (ECDSA with SHA-256
 * or SHA-384; RSA-PSS and PKCS#1 v1.5 with SHA-256, -384 or -512) whatever
 * the suite; the client signs with the first of those the server lists
 * that fits its key (SHA-256 first).  A scheme the server did not list or
 * that does not fit the certificate's key is illegal_parameter.
 *
 * Client: it answers a CertificateRequest with the first identity (see
 * tern_config_add_identity) whose key type the server accepts and which
 * was issued by a CA the server names (any, when it names none);
 * otherwise (or without a key store) it sends an empty Certificate and the
 * server decides. */
enum tern_client_auth {
    TERN_CLIENT_AUTH_NONE = 0,     /* default: no CertificateRequest */
    TERN_CLIENT_AUTH_OPTIONAL = 1, /* ask; accept an anonymous client */
    TERN_CLIENT_AUTH_REQUIRED = 2  /* ask; refuse an anonymous client */
};
/* Set the server's mode.  Returns 0 or TERN_ERR_INVALID_ARG. */
TERN_API int tern_config_set_client_auth(tern_config *cfg, int mode);
/* CertificateRequest lists the subject names of the trust store's CAs so a
 * client can pick the right certificate.  max_bytes bounds that list
 * (default 4096); when the names would take more, none are sent (an empty
 * list means "any CA", RFC 5246 §7.4.4) rather than a partial list that
 * would mislead.  0 switches the names off.  Returns 0 or
 * TERN_ERR_INVALID_ARG (over 65535). */
TERN_API int tern_config_set_client_ca_names(tern_config *cfg, size_t max_bytes);

/* Certificate policies (RFC 5280 §4.2.1.4, §6.1.2-§6.1.5), for PKIs that
 * use them (enterprise and government CAs; the public Web PKI does not need
 * this).  The peer's path is processed whenever one of its certificates
 * carries certificatePolicies, policyMappings, policyConstraints or
 * inhibitAnyPolicy (critical or not); the trust anchor's own policy
 * extensions are not read (RFC 5280 §6.1.1: the anchor is input).
 *
 * tern_config_add_policy adds one OID, in dotted form ("2.23.140.1.2.1"),
 * to the acceptable set (the user-initial-policy-set; none added means any
 * policy).  Repeatable, at most TERN_POLICY_MAX of them.  As RFC 5280
 * §6.1.6 says, the set only decides when an explicit policy is required:
 * by TERN_POLICY_REQUIRE_EXPLICIT below, or by a CA on the path
 * (policyConstraints requireExplicitPolicy).  To insist that every peer
 * chain carries one of these policies, set TERN_POLICY_REQUIRE_EXPLICIT.
 * Returns 0, TERN_ERR_INVALID_ARG (not a dotted OID, or anyPolicy
 * 2.5.29.32.0: leave the set empty for that), TERN_ERR_LIMIT or
 * TERN_ERR_NOMEM.  Adding an OID already in the set does nothing.
 *
 * tern_config_set_policy_flags sets the RFC's three initial inputs (0, the
 * default, clears them):
 *   TERN_POLICY_REQUIRE_EXPLICIT  initial-explicit-policy: the path must
 *                                 be valid for a policy of the set;
 *   TERN_POLICY_INHIBIT_MAPPING   initial-policy-mapping-inhibit: a CA's
 *                                 policyMappings deletes the mapped policy
 *                                 instead of translating it;
 *   TERN_POLICY_INHIBIT_ANY       initial-any-policy-inhibit: anyPolicy in
 *                                 a certificate counts for nothing.
 * Returns 0 or TERN_ERR_INVALID_ARG (an unknown bit).
 *
 * A path without an acceptable policy fails with TERN_ERR_CERT_POLICY (alert
 * certificate_unknown) and a sentence such as "certificate 0 (CN=...) has no
 * acceptable certificate policy (it carries no certificatePolicies; explicit
 * policy required by the verifier; valid: none; wanted:
 * 2.23.140.1.2.1)".  Processing is bounded: a path whose policies and
 * mappings would need more than 256 policy nodes or 1024 links (the
 * exponential-tree attack of CVE-2023-0464) is refused with TERN_ERR_CERT_POLICY
 * too.  Both apply to the server's chain (client) and to client chains
 * (server). */
#define TERN_POLICY_REQUIRE_EXPLICIT 1u
#define TERN_POLICY_INHIBIT_MAPPING 2u
#define TERN_POLICY_INHIBIT_ANY 4u
#define TERN_POLICY_MAX 16
TERN_API int tern_config_add_policy(tern_config *cfg, const char *oid);
TERN_API int tern_config_set_policy_flags(tern_config *cfg, unsigned flags);

/* OCSP stapling (RFC 6066 §8 status_request, RFC 6960 responses, RFC 7633
 * must-staple): the server sends, right after its Certificate, a recent
 * response signed by its certificate's issuer saying the certificate is not
 * revoked, so the client need not ask the CA.  See docs/CERTIFICATES.md.
 *
 * Client: tern_config_request_ocsp(cfg, mode) with
 *   TERN_OCSP_OFF   (default) no status_request; the server sends nothing;
 *   TERN_OCSP_SOFT  ask for a response and check the one the server sends;
 *                   a server that sends none is accepted;
 *   TERN_OCSP_HARD  ask, and refuse a server that sends no response or one
 *                   that says "unknown".
 * In both SOFT and HARD a response that says "revoked" fails the handshake
 * (TERN_ERR_CERT_REVOKED, alert certificate_revoked), and one that is
 * malformed, not for the server's certificate, outside its validity (with
 * five minutes of clock skew) or not signed by the issuer or a delegated
 * responder it names fails it too (TERN_ERR_OCSP_BAD, alert
 * bad_certificate_status_response): RFC 6066 §8 makes a client abort on a
 * response that is not satisfactory.  A leaf certificate with the RFC 7633
 * TLS feature status_request ("must-staple") makes SOFT behave as HARD.  A
 * missing response, or "unknown", where one is required fails with
 * TERN_ERR_CERT_REVOCATION_UNKNOWN (alert certificate_unknown).  Or
 * TERN_OCSP_KEEP_RESPONSE into mode to keep the response's bytes for
 * tern_ocsp_response: each connection made afterwards then holds hs_max
 * more bytes (tern_config_set_buffer_sizes); without it a connection keeps
 * only the verdict.  With tern_config_insecure_skip_verify the response is
 * not checked (the verdict stays TERN_STAPLE_NONE; a kept one is still
 * kept).  Returns 0 or TERN_ERR_INVALID_ARG (an unknown mode, or KEEP with
 * OFF). */
enum tern_ocsp_mode { TERN_OCSP_OFF = 0, TERN_OCSP_SOFT = 1, TERN_OCSP_HARD = 2 };
#define TERN_OCSP_KEEP_RESPONSE 0x100
TERN_API int tern_config_request_ocsp(tern_config *cfg, int mode);

/* Client, after the handshake (or after it failed): what the stapled
 * response said about the server's certificate.  A completed handshake
 * only ever shows NONE, GOOD or (SOFT mode) UNKNOWN; the others failed it.
 * NONE on a resumed session (no certificate is sent then: the session was
 * checked when it was made). */
enum tern_staple_verdict {
    TERN_STAPLE_NONE = 0,    /* no response checked: not asked for, none sent (SOFT), resumed,
                                verification off */
    TERN_STAPLE_GOOD = 1,    /* a valid response says good */
    TERN_STAPLE_UNKNOWN = 2, /* a valid response says the responder does not know the certificate
                                (accepted in SOFT mode, the handshake failed otherwise) */
    TERN_STAPLE_REVOKED = 3, /* a valid response says revoked: the handshake failed */
    TERN_STAPLE_BAD = 4,     /* the response was refused (TERN_ERR_OCSP_BAD): the handshake failed */
    TERN_STAPLE_MISSING = 5  /* required (HARD or must-staple) but not sent: the handshake failed */
};
TERN_API int tern_ocsp_verdict(const tern_conn *c);
/* Client with TERN_OCSP_KEEP_RESPONSE: the DER OCSPResponse the server
 * stapled (*len its length), whatever the verdict, or NULL (none sent, not
 * kept, resumed).  Valid until tern_free(). */
TERN_API const uint8_t *tern_ocsp_response(const tern_conn *c, size_t *len);

/* Server: the DER OCSPResponse to staple for identity `identity` (0 the
 * key store loaded first, then the tern_config_add_identity ones in
 * order), sent to clients that ask (status_request) in full handshakes
 * that use that identity.  It is checked now, at the configured clock: for
 * that identity's leaf certificate, signed by its issuer (taken from the
 * identity's chain, else the trust store) or a delegated responder the
 * issuer certified, inside its validity, status good.  A response that
 * fails any of these is refused and never sent: TERN_ERR_OCSP_BAD,
 * TERN_ERR_CERT_REVOKED, TERN_ERR_CERT_REVOCATION_UNKNOWN, or
 * TERN_ERR_INVALID_ARG (no such identity, or its issuer is nowhere to be
 * found), with the sentence in tern_config_error; the identity then has
 * no response (the one set before is dropped too: what the responder says
 * now is not hidden behind an older answer).  der NULL and len 0 remove it.  The bytes
 * are copied once into the configuration; connections never copy them.
 * Unlike the other setters this one may be called again while connections
 * are made from cfg (from one thread at a time; set the first response
 * before cfg is shared): a handshake under way keeps writing the response
 * it started with, and the old one is freed after it.  At each handshake a response past its
 * nextUpdate (or, without one, more than 7 days after its thisUpdate) is
 * not sent, and the trace says so: refresh it before then.  Returns 0 (and
 * tern_config_error says what was set: the serial, the signer, until when)
 * or the errors above, TERN_ERR_NOMEM. */
TERN_API int tern_config_set_ocsp_response(tern_config *cfg, size_t identity, const uint8_t *der, size_t len);

/* The loud opt-out: a client made from this configuration does not check
 * the server's certificate chain nor its name.  Anyone on the path can then
 * read and change the traffic.  Only for tests and debugging. */
TERN_API void tern_config_insecure_skip_verify(tern_config *cfg);

/* ---- Watching a handshake: the trace and the key log ----------------------
 *
 * Both are for learning and debugging; both are off by default and cost
 * nothing then.  The callbacks run inside tern_handshake() (and the calls
 * that run it) on the connection's thread; they must not call back into
 * the connection.
 */

/* One field of an event, both as text: {"cipher_suite",
 * "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)"}.  A message's fields
 * are the values the engine itself wrote, decoded or checked (the trace
 * has no parser of its own): {"named_curve", "secp256r1 (23)"} is the group
 * the key exchange used. */
typedef struct {
    const char *name;
    const char *value;
} tern_trace_field;

/* What a trace event reports. */
enum tern_trace_kind {
    TERN_TRACE_MESSAGE = 1, /* a handshake message (or ChangeCipherSpec) was sent or received */
    TERN_TRACE_CERT,        /* one certificate of the peer's chain and its verdict */
    TERN_TRACE_CHAIN,       /* the verdict on the peer's whole chain (against the trust store) */
    TERN_TRACE_KEYS,        /* a key-schedule step, by name (never the secret itself) */
    TERN_TRACE_ALERT,       /* an alert was sent or received */
    TERN_TRACE_DONE,        /* the handshake completed */
    TERN_TRACE_CHECK        /* a check the engine made, with its verdict in status: a peer's
                               signature (ServerKeyExchange, CertificateVerify), a resumption */
};

/* A trace event.  Pointers are valid only during the callback.  Events
 * carry no secret: no key, premaster, master secret or plaintext (the key
 * log below is the one deliberate way to get the master secret). */
typedef struct {
    int kind;                      /* enum tern_trace_kind */
    int is_server;                 /* the side reporting: 0 client, 1 server */
    int sent;                      /* MESSAGE, ALERT: 1 sent by this side, 0 received */
    int msg_type;                  /* MESSAGE: handshake type (1 ClientHello .. 20 Finished),
                                      256 for ChangeCipherSpec */
    const char *name;              /* "ClientHello", "master_secret", "unknown_ca", ... */
    const char *rfc;               /* the section that governs it: "RFC 5246 7.4.1.2" */
    const tern_trace_field *fields; /* MESSAGE: the fields in wire order (then, for our
                                      ServerHello, our choices); CHECK: what was checked */
    size_t nfields;
    const uint8_t *bytes;          /* MESSAGE: the message as on the wire, header included
                                      (NULL, len 0, in the rare case it is gone by the time
                                      its event can be made) */
    size_t len;
    int index;                     /* CERT: position in the peer's list (0 = leaf, -1 = the
                                      trust anchor); ALERT: level (1 warning, 2 fatal) */
    int status;                    /* CERT, CHAIN, ALERT, CHECK: 0 (passed) or the TERN_ERR_*
                                      behind it */
    const char *detail;            /* a sentence (the verifier's message ...), or "" */
} tern_trace_event;

typedef void (*tern_trace_fn)(void *arg, const tern_trace_event *ev);

/* Call fn(arg, event) for every step of every handshake made from cfg (and
 * for alerts afterwards).  fn NULL switches the trace off. */
TERN_API void tern_config_set_trace(tern_config *cfg, tern_trace_fn fn, void *arg);

/* The key log: fn(arg, line) receives, once per connection when the master
 * secret is known, one NSS key-log line without newline:
 *   "CLIENT_RANDOM <64 hex digits> <96 hex digits of the master secret>"
 * (the format of SSLKEYLOGFILE, which Wireshark reads to decrypt a
 * capture).  Anyone holding the line can decrypt that connection: write it
 * only where you would write the traffic itself.  fn NULL switches it off. */
typedef void (*tern_keylog_fn)(void *arg, const char *line);
TERN_API void tern_config_set_keylog(tern_config *cfg, tern_keylog_fn fn, void *arg);

/* ---- Connections --------------------------------------------------------- */

/* The transport as two callbacks.  recv fills up to len bytes and returns
 * the count (> 0), 0 when the peer closed the transport, TERN_WANT_READ if
 * it would block, or TERN_ERR_IO.  send takes up to len bytes and returns
 * the count (> 0), TERN_WANT_WRITE if it would block, or TERN_ERR_IO. */
typedef int (*tern_recv_fn)(void *arg, uint8_t *buf, size_t len);
typedef int (*tern_send_fn)(void *arg, const uint8_t *buf, size_t len);

/* A client connection that will verify the server's certificate against
 * server_name (a DNS name, sent as SNI, or an IP address literal, not sent),
 * which must be among its subjectAltName entries (RFC 9525: the subject CN
 * is never used, so a certificate without subjectAltName matches no name).
 * server_name may be NULL only when verification is skipped.  The one
 * allocation this connection makes is done here.  Returns NULL when out of
 * memory or when cfg/server_name are unusable (a later tern_error() is not
 * possible then). */
TERN_API tern_conn *tern_client_new(const tern_config *cfg, const char *server_name);
/* A server connection.  cfg must hold a key store.  NULL on failure. */
TERN_API tern_conn *tern_server_new(const tern_config *cfg);
/* Free a connection, wiping every secret it holds.  Does not close the
 * transport (the fd belongs to the caller).  NULL is fine. */
TERN_API void tern_free(tern_conn *c);
/* The size in bytes of the one allocation this connection holds (fixed at
 * creation: its buffers, keys and handshake state; it does not grow).  A
 * server multiplies it by its open connections to know the memory they
 * hold.  0 for NULL. */
TERN_API size_t tern_conn_memory(const tern_conn *c);

/* Use a connected socket (blocking or non-blocking).  Returns 0. */
TERN_API int tern_set_fd(tern_conn *c, int fd);
/* Use two callbacks (see tern_recv_fn / tern_send_fn).  Returns 0. */
TERN_API int tern_set_io(tern_conn *c, tern_recv_fn recv, tern_send_fn send, void *arg);

/* Run the handshake to its end.  Returns 0, TERN_WANT_READ / TERN_WANT_WRITE
 * (call again when the transport is ready), or a negative TERN_ERR_* after
 * which the connection is failed: every later call returns the same error,
 * the alert has been sent, and tern_error() says why. */
TERN_API int tern_handshake(tern_conn *c);
/* Read application data (running the handshake first if needed).  Returns
 * the number of bytes (> 0), 0 when the peer closed cleanly with close_notify,
 * TERN_WANT_READ / TERN_WANT_WRITE, or a negative TERN_ERR_* (TERN_ERR_TRUNCATED
 * when the transport closed without close_notify).  With len 0 (buf may then
 * be NULL) no data is consumed and 0 may also mean "data is waiting": only a
 * call with len > 0 tells close_notify apart.  Alerts (RFC 5246 §7.2): a
 * fatal one, or one §7.2.2 calls always fatal even when sent as a warning,
 * ends the connection with TERN_ERR_PEER_ALERT; other warnings are skipped,
 * up to 4 in a row without application data (the fifth fails with
 * unexpected_message); an alert level other than 1 or 2 fails with
 * illegal_parameter.  Empty application data records are skipped, up to 32
 * in a row (the 33rd fails with unexpected_message). */
TERN_API long tern_read(tern_conn *c, void *buf, size_t len);
/* Write application data (running the handshake first if needed).  Returns
 * the number of bytes taken (> 0; fewer than len only when a non-blocking
 * transport filled up: pass the rest again), TERN_WANT_READ / TERN_WANT_WRITE
 * (nothing taken; call again with the same arguments), or a negative
 * TERN_ERR_*.  Bytes taken are sealed into records and flushed by the next
 * tern_write / tern_read / tern_close call at the latest. */
TERN_API long tern_write(tern_conn *c, const void *buf, size_t len);
/* Send close_notify (once) and flush everything pending.  Returns 0,
 * TERN_WANT_WRITE, or a negative TERN_ERR_*.  Does not wait for the peer's
 * close_notify: tern_read() returns 0 when it arrives.  On a failed
 * connection it only flushes the alert still queued: TERN_WANT_WRITE until
 * that is out, then the connection's error. */
TERN_API int tern_close(tern_conn *c);

/* What went wrong, for people: the failing check in detail (for a refused
 * certificate chain, the X.509 verifier's sentence), the alert sent or
 * received by RFC name.  "" before any error.  Valid until tern_free(). */
TERN_API const char *tern_error(const tern_conn *c);
/* The TLS alert description this connection sent (when it failed), or the
 * last one it received (fatal or warning), or -1 if none. */
TERN_API int tern_alert_sent(const tern_conn *c);
TERN_API int tern_alert_received(const tern_conn *c);

/* ---- What was negotiated (valid after the handshake) ---- */

/* 1 once the handshake completed, else 0. */
TERN_API int tern_handshake_done(const tern_conn *c);
/* "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", or NULL before ServerHello. */
TERN_API const char *tern_cipher_suite(const tern_conn *c);
/* The suite's IANA number, or 0. */
TERN_API uint16_t tern_cipher_suite_id(const tern_conn *c);
/* "TLSv1.2" once negotiated, else NULL. */
TERN_API const char *tern_version(const tern_conn *c);
/* The application protocol agreed by ALPN, or NULL if none. */
TERN_API const char *tern_alpn(const tern_conn *c);
/* Server: the name the client sent in server_name (SNI), or NULL.
 * Client: the name it was created with. */
TERN_API const char *tern_server_name(const tern_conn *c);
/* 1 if the extended master secret (RFC 7627) is in use, else 0. */
TERN_API int tern_extended_master_secret(const tern_conn *c);
/* The peer certificate's subject as text ("CN=localhost, O=tern test"), or
 * NULL (no certificate, or not verified).  Client: the server's.  Server:
 * the client's verified certificate, NULL for an anonymous client. */
TERN_API const char *tern_peer_subject(const tern_conn *c);
/* Server with client authentication: the client leaf's subjectAltName as
 * text ("DNS:client.test, IP:10.0.0.1, email:a@b", other kinds as
 * "other"), "" when it has none, NULL for an anonymous client. */
TERN_API const char *tern_peer_san(const tern_conn *c);
/* Server with client authentication: the verified client chain, DER:
 * index 0 the leaf, then the intermediates on the path, then the trust
 * anchor it ended at.  *len gets the length.  NULL past the end, for an
 * anonymous client, or on a client connection.  Valid until tern_free(). */
TERN_API const uint8_t *tern_peer_cert(const tern_conn *c, size_t index, size_t *len);
/* The signature scheme of the ServerKeyExchange (TLS 1.3 code point, e.g.
 * 0x0804 rsa_pss_rsae_sha256), or 0. */
TERN_API uint16_t tern_signature_scheme(const tern_conn *c);

/* ---- Session resumption (RFC 5246 §7.3, RFC 5077, RFC 7627 §5.3) ----------
 *
 * A resumed (abbreviated) handshake reuses the master secret of an earlier
 * full handshake: no certificate, no signature, no key exchange.  A session
 * is resumed only for the same server name, with the same cipher suite and
 * with the extended master secret (a session without EMS is never resumed
 * when EMS is offered); otherwise a full handshake runs, never an error,
 * with one exception (RFC 7627 §5.3): a server ends a ClientHello without
 * EMS that offers a session it would resume with handshake_failure, and a
 * full handshake without EMS makes no session (no ID, no ticket).  A
 * client fails with handshake_failure when a server resumes a session
 * with another EMS state.  A resumed server connection restores the
 * client identity (tern_peer_subject / tern_peer_san; tern_peer_cert is
 * NULL then).
 *
 * Server: off by default; switch on a session-ID cache, tickets, or both.
 * Client: take the session after a handshake (tern_get_session), keep it
 * (in memory or as bytes), and offer it on a later connection to the same
 * server name (tern_set_session); tern_session_reused() says whether the
 * server resumed it.
 */
typedef struct tern_session tern_session;

/* Server: a session-ID cache of at most max_entries sessions (least
 * recently used evicted first), each resumable for lifetime_s seconds after
 * its full handshake (one lifetime serves the cache and the tickets: the
 * last of this call and tern_config_set_session_tickets sets it).  Thread-safe (one mutex).  max_entries 0 switches it
 * off.  Returns 0, TERN_ERR_INVALID_ARG (lifetime 0 or over a day when
 * max_entries > 0, or max_entries over 2^24) or TERN_ERR_NOMEM.  Call
 * before sharing cfg. */
TERN_API int tern_config_set_session_cache(tern_config *cfg, size_t max_entries, uint32_t lifetime_s);
/* Server: an external session store instead of the internal cache (for a
 * cache shared between processes).  store keeps data (len bytes, which
 * HOLD THE MASTER SECRET: protect them like a private key) under the
 * session ID and returns 0; fetch copies the data stored under id into
 * data (at most cap bytes) and returns its length, or a negative value
 * when it has none; remove forgets id (may be NULL).  tern still checks the
 * lifetime (tern_config_set_session_cache's, default 7200 s) and every
 * resumption rule.  Callbacks run on the connection's thread, from any
 * thread: they must be thread-safe.  store NULL switches it off. */
TERN_API int tern_config_set_session_store(tern_config *cfg,
                                           int (*store)(void *arg, const uint8_t *id, size_t id_len,
                                                        const uint8_t *data, size_t len),
                                           long (*fetch)(void *arg, const uint8_t *id, size_t id_len,
                                                         uint8_t *data, size_t cap),
                                           void (*remove)(void *arg, const uint8_t *id, size_t id_len), void *arg);
/* Session tickets (RFC 5077).  Client: offer the SessionTicket extension
 * (so a server can give a ticket).  Server: issue tickets sealed with
 * AES-256-GCM under a random ticket key that rotates (see below), valid
 * for lifetime_s seconds (also the lifetime hint), and accept them; a
 * ticket that does not open or no longer qualifies just means a full
 * handshake.  enable 0 switches them off.  Returns 0 or TERN_ERR_INVALID_ARG
 * / TERN_ERR_NOMEM. */
TERN_API int tern_config_set_session_tickets(tern_config *cfg, int enable, uint32_t lifetime_s);
/* Server: the current ticket key seals for rotate_s seconds (default
 * 3600), then a fresh one takes over and the old one still opens tickets
 * for window_s seconds (default: the ticket lifetime); at most four keys
 * are held.  Returns 0 or TERN_ERR_INVALID_ARG (0 values). */
TERN_API int tern_config_set_ticket_rotation(tern_config *cfg, uint32_t rotate_s, uint32_t window_s);
/* Server: application ticket keys, e.g. shared by several servers behind
 * one name: n (1..4) keys of 48 bytes each, a 16-byte key name (sent in
 * clear inside every ticket) then a 32-byte AES-256 key (secret, random).
 * keys[0] seals, all open; tern does not rotate them: call again to
 * rotate (safe while connections run).  n 0 returns to tern's own keys.
 * Switches tickets on if they were off.  Returns 0 or TERN_ERR_INVALID_ARG. */
TERN_API int tern_config_set_ticket_keys(tern_config *cfg, const uint8_t *keys, size_t n);

/* Client, after a successful handshake: a copy of this connection's
 * session, to offer later; free with tern_session_free.  NULL when there
 * is none (the server gave neither session ID nor ticket, the handshake did
 * not complete, the connection failed, verification was skipped, or out of
 * memory).  A session whose connection later fails with a fatal alert must
 * not be offered again (RFC 5246 §7.2.2); a server drops such a session
 * from its cache (a ticket cannot be recalled: it expires). */
TERN_API tern_session *tern_get_session(const tern_conn *c);
/* Client, before the handshake: offer s (copied).  Returns 0, or
 * TERN_ERR_INVALID_ARG when it cannot be resumed here (another server
 * name, expired, its suite not in this config, made without EMS while this
 * config offers EMS): the handshake is then a full one.  Only a client
 * whose config had session tickets on (tern_config_set_session_tickets)
 * when the connection was made has room for a ticket: on any other client
 * a session holding a ticket is offered by its session ID alone, and one
 * with a ticket but no session ID gets TERN_ERR_INVALID_ARG.  Until the
 * server answers, tern_peer_subject shows nothing; it shows the session's
 * server only if the server resumes it. */
TERN_API int tern_set_session(tern_conn *c, const tern_session *s);
/* 1 when this connection's handshake resumed a session, else 0. */
TERN_API int tern_session_reused(const tern_conn *c);
/* The session as bytes (to keep across processes): writes at most cap
 * bytes to out and returns the length, or TERN_ERR_BUFFER_TOO_SMALL;
 * out NULL returns the length needed.  The bytes HOLD THE MASTER SECRET. */
TERN_API long tern_session_to_bytes(const tern_session *s, uint8_t *out, size_t cap);
/* A session from tern_session_to_bytes' bytes, or NULL (malformed). */
TERN_API tern_session *tern_session_from_bytes(const uint8_t *p, size_t len);
/* Free (and wipe) a session.  NULL is fine. */
TERN_API void tern_session_free(tern_session *s);

#ifdef __cplusplus
}
#endif
#endif /* TERN_TERN_H */
