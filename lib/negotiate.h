/*
 * Negotiation, server side: what the client offered in its ClientHello and
 * what this configuration allows, decided in one place (RFC 5246 §7.4.1.2,
 * §7.4.1.3; RFC 8422 §4, §5.1; RFC 7627 §5.3; RFC 5077 §3.1).
 *
 * The ClientHello parser (lib/hs_client_hello.c) only reads: it gathers the
 * offer as it goes and, at the end of the message, calls
 *   1. tern_negotiate(): the suite, the ECDHE group, the identity (key
 *      store) and the signature scheme of a full handshake, and whether the
 *      extended master secret is used; or the reason there is none;
 *   2. once that has succeeded, the session the client offered is looked up
 *      (a ticket opened while parsing, or the session ID in the cache or the
 *      application's store: lib/session.c), and tern_negotiate_resume()
 *      decides whether to resume it.  (Not before: a hello refused anyway
 *      neither touches the cache nor calls the application's store.)
 * Then the parser applies the choice to the connection.
 *
 * Both functions are pure: they read the configuration and the offer, touch
 * no connection and do no I/O, so tests/test_negotiate.c calls them alone.
 *
 * ALPN (RFC 7301 §3.2) is chosen here too, but name by name as the parser
 * reads the list (the names are not kept): tern_negotiate_alpn_name() for
 * each, tern_negotiate_alpn() when the extension ends, which is where its
 * refusal (no_application_protocol) has always come.
 */
#ifndef TERN_LIB_NEGOTIATE_H
#define TERN_LIB_NEGOTIATE_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_HANDSHAKE
#error "lib/negotiate.h is in the handshake layer (5): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/conn.h"

/* The groups of supported_groups that tern knows (tern_offer.groups). */
enum { TERN_OFFER_X25519 = 1, TERN_OFFER_P256 = 2, TERN_OFFER_P384 = 4 };

/* What the client offered, as the parser kept it. */
typedef struct {
    uint16_t suites;         /* bit i: cfg->suites[i] was offered */
    int saw_groups;          /* supported_groups was sent (without it: any curve, RFC 8422 §4) */
    unsigned groups;         /* TERN_OFFER_* bits of the groups offered */
    int saw_sigalgs;         /* signature_algorithms was sent (without it: SHA-1 only, RFC 5246 §7.4.1.4.1) */
    const uint16_t *sigalgs; /* the schemes offered that tern can use, each once, in the client's order */
    size_t nsigalgs;
    const char *server_name; /* the SNI host name, "" when none */
    int ems;                 /* extended_master_secret offered (RFC 7627) */
} tern_offer;

/* The server's choice. */
typedef struct {
    const tern_suite *suite;    /* the suite of this handshake (when resuming: the session's) */
    const tern_keystore *keys;  /* the identity: its chain and key, of the key type the suite needs */
    uint16_t group;             /* the ECDHE group; 0 with the RSA key exchange */
    uint16_t scheme;            /* the ServerKeyExchange signature scheme; 0 without one (RSA key
                                   exchange, resumption) */
    int ems;                    /* the extended master secret is used */
    int resume;                 /* tern_negotiate_resume: resume the session offered */
    const char *why;            /* a failure's sentence; after tern_negotiate_resume without
                                   resumption, why the session offered was not resumed */
} tern_choice;

/* The full handshake's parameters.  0, or a negative error with out->why:
 * TERN_ERR_HANDSHAKE_FAILURE when nothing in common (no suite, or for the
 * ECDHE suites no group, no curve for an ECDSA certificate or no signature
 * scheme, and no RSA key exchange suite instead); TERN_ERR_MISSING_EXTENSION
 * when the configuration requires the extended master secret and the client
 * does not offer it.
 *
 * Suites: ECDHE ones first (forward secrecy), then the RSA key exchange,
 * each pass in the server's order among those offered (the client's order
 * does not count).  A suite needs an identity with the key type its
 * certificate holds: among those (default first, then in the order added)
 * the first whose certificate names the SNI host, else the first; an ECDSA
 * one only on a curve the client's supported_groups admits (RFC 8422 §5.1),
 * as long as there is one.  Groups: the server's order among those offered;
 * without supported_groups, secp256r1 when configured, else the first. */
TERN_MUST_CHECK int tern_negotiate(const tern_config *cfg, const tern_offer *o, tern_choice *out);

/* Whether to resume st, the session the client offered (by ticket or
 * session ID), at time now, after tern_negotiate has filled `out`.  0 with
 * out->resume 1 (out->suite becomes the session's, out->scheme 0), or 0
 * with out->resume 0 and out->why saying why not (expired, another server
 * name, a suite not allowed or not offered, no EMS in the session while
 * this handshake has it (RFC 7627 §5.3: a full handshake), no client
 * identity where one is required).  TERN_ERR_HANDSHAKE_FAILURE with
 * out->why when the session would be resumed but the client does not offer
 * the extended master secret (RFC 7627 §5.3, as OpenSSL's server does). */
TERN_MUST_CHECK int tern_negotiate_resume(const tern_config *cfg, const tern_offer *o, const tern_sess_core *st,
                                          int64_t now, tern_choice *out);

/* ALPN: one protocol name the client offers (n bytes at p).  *matched and
 * *best (an offset into cfg->alpn, the configured names in the server's
 * order) keep the best match so far: the server's order decides, not the
 * client's. */
void tern_negotiate_alpn_name(const tern_config *cfg, const uint8_t *p, size_t n, uint8_t *matched, uint16_t *best);
/* ALPN, once the client's list is read: 0 with *name / *len the protocol
 * chosen (len 0: none, the configuration has no ALPN and ignores the
 * offer), or TERN_ERR_NO_ALPN with *why when none of the client's
 * protocols is one the configuration speaks. */
TERN_MUST_CHECK int tern_negotiate_alpn(const tern_config *cfg, uint8_t matched, uint16_t best, const uint8_t **name,
                                        size_t *len, const char **why);

#endif
