/*
 * Negotiation, server side: the choice of suite, group, identity,
 * signature scheme, extended master secret and resumption from what the
 * client offered (see lib/negotiate.h).  Pure: configuration and offer in,
 * choice out.
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include <string.h>

#include "lib/kx.h"
#include "lib/negotiate.h"
#include "lib/sig.h"

/* RFC 8422 §4: a client without supported_groups accepts any curve. */
static int group_offered(const tern_offer *o, uint16_t g) {
    if (!o->saw_groups)
        return 1;
    return (g == TERN_GROUP_X25519 && (o->groups & TERN_OFFER_X25519)) ||
           (g == TERN_GROUP_SECP256R1 && (o->groups & TERN_OFFER_P256)) ||
           (g == TERN_GROUP_SECP384R1 && (o->groups & TERN_OFFER_P384));
}

/* RFC 8422 §5.1: supported_groups also names the curves the client can
 * verify an ECDSA signature on (P-256, P-384). */
static int curve_offered(const tern_offer *o, int curve) {
    return (curve == TERN_X509_CURVE_P256 && group_offered(o, TERN_GROUP_SECP256R1)) ||
           (curve == TERN_X509_CURVE_P384 && group_offered(o, TERN_GROUP_SECP384R1));
}

/* The ECDHE group: the server's preference among those offered (lib/kx.c
 * keeps the configured order), 0 when none is.  Without supported_groups
 * any curve will do: secp256r1 (every ECC client has it; x25519 came later)
 * when the configuration has it, else its first group. */
static uint16_t choose_group(const tern_config *cfg, const tern_offer *o) {
    const uint16_t *g = tern_kx_groups(cfg);
    if (!o->saw_groups) {
        for (size_t i = 0; g[i] != 0; i++)
            if (g[i] == TERN_GROUP_SECP256R1)
                return g[i];
        return g[0];
    }
    for (size_t i = 0; g[i] != 0; i++)
        if (group_offered(o, g[i]))
            return g[i];
    return 0;
}

/* The identity for a suite whose certificate holds this key type: the
 * configured ones in order (default first, lib/identity.c), the first whose
 * certificate names the SNI host (RFC 6066 §3, the name rules of
 * lib/x509/name.c), else the first.  EC ones count only on a curve the
 * client admits, as long as there is one; otherwise the first EC one is
 * returned and the caller refuses it with the reason.  NULL: none of this
 * type. */
static const tern_keystore *identity_for(const tern_config *cfg, const tern_offer *o, tern_x509_key_type type) {
    const tern_keystore *ks, *first = NULL, *first_any = NULL;
    for (size_t i = 0; (ks = tern_identity_at(cfg, i)) != NULL; i++) {
        if (ks->key_type != type)
            continue;
        if (first_any == NULL)
            first_any = ks;
        if (type == TERN_X509_KEY_EC && !curve_offered(o, ks->ec_curve))
            continue;
        if (first == NULL)
            first = ks;
        char msg[8];
        if (o->server_name[0] != '\0' && tern_x509_check_name(&ks->leaf, o->server_name, msg, sizeof msg) == 0)
            return ks;
    }
    return first != NULL ? first : first_any;
}

int tern_negotiate(const tern_config *cfg, const tern_offer *o, tern_choice *out) {
    memset(out, 0, sizeof *out);
    uint16_t group = choose_group(cfg, o);
    /* The suite, in two passes: ECDHE suites first (forward secrecy), then
     * the RSA key exchange, each in the server's preference among those the
     * client offers.  An ECDHE suite also needs a group in common and a
     * signature scheme tern can make with the suite's certificate; when it
     * lacks them, an RSA suite can still be chosen (the RSA key exchange
     * signs nothing, so it needs no signature_algorithms).  Without
     * signature_algorithms RFC 5246 §7.4.1.4.1 says the client accepts only
     * SHA-1 signatures, which tern does not make: no ECDHE suite then, and
     * handshake_failure if no RSA suite is in common. */
    const char *no_ecdhe = NULL;
    int ecdhe_in_common = 0;
    for (int pass = 0; pass < 2 && out->suite == NULL; pass++)
        for (size_t i = 0; i < TERN_SUITE_MAX && cfg->suites[i] != 0 && out->suite == NULL; i++) {
            const tern_suite *cand = tern_suite_by_id(cfg->suites[i]);
            if (cand == NULL || (cand->kx == TERN_KX_RSA) != (pass == 1))
                continue;
            if (!(o->suites & (1u << i)))
                continue;
            const tern_keystore *ks = identity_for(cfg, o, tern_suite_key_type(cand));
            if (ks == NULL)
                continue; /* no certificate with this kind of key */
            uint16_t scheme = 0;
            if (tern_suite_is_ecdhe(cand)) {
                ecdhe_in_common = 1;
                scheme = tern_sig_choose(ks, o->sigalgs, o->nsigalgs);
                if (group == 0) {
                    no_ecdhe = "the client offers none of tern's groups (x25519, secp256r1, secp384r1)";
                    continue;
                }
                if (ks->key_type == TERN_X509_KEY_EC && !curve_offered(o, ks->ec_curve)) {
                    no_ecdhe = ks->ec_curve == TERN_X509_CURVE_P384
                                   ? "the client's supported_groups lacks secp384r1, the curve of our ECDSA certificate"
                                   : "the client's supported_groups lacks secp256r1, the curve of our ECDSA certificate";
                    continue;
                }
                if (scheme == 0) {
                    no_ecdhe = !o->saw_sigalgs
                                   ? "the client sent no signature_algorithms, which means it accepts only SHA-1 "
                                     "signatures (RFC 5246 7.4.1.4.1); tern does not sign with SHA-1, so it cannot "
                                     "use an ECDHE suite, and the client offers no RSA key exchange suite it has"
                               : ks->key_type == TERN_X509_KEY_EC
                                   ? "the client accepts no ECDSA signature scheme tern can make"
                                   : "the client accepts no RSA signature scheme tern can make";
                    continue;
                }
                out->group = group;
                out->scheme = scheme;
            }
            out->suite = cand;
            out->keys = ks;
        }
    if (out->suite == NULL) {
        out->why = ecdhe_in_common && no_ecdhe != NULL ? no_ecdhe : "no cipher suite in common with the client";
        return TERN_ERR_HANDSHAKE_FAILURE;
    }
    if (!o->ems && cfg->require_ems) {
        out->why = "the client does not support the extended master secret (RFC 7627), which is required";
        return TERN_ERR_MISSING_EXTENSION;
    }
    out->ems = o->ems;
    return 0;
}

/* Why st may not be resumed on this handshake, or NULL when it may. */
static const char *refuse(const tern_config *cfg, const tern_offer *o, const tern_sess_core *st, int64_t now) {
    if (tern_sess_expired(st, now))
        return "the session has expired";
    if (strcmp(st->server_name, o->server_name) != 0)
        return "the session was made for another server name";
    if (st->ems == 0 && o->ems)
        return "the session has no extended master secret and this handshake has (RFC 7627 5.3)";
    size_t i = 0;
    while (i < TERN_SUITE_MAX && cfg->suites[i] != 0 && cfg->suites[i] != st->suite)
        i++;
    if (i == TERN_SUITE_MAX || cfg->suites[i] == 0)
        return "the session's suite is one this server no longer allows";
    if (!(o->suites & (1u << i)))
        return "the session's suite is one the client does not offer (RFC 5246 7.4.1.2)";
    if (cfg->client_auth == TERN_CLIENT_AUTH_REQUIRED && !st->has_identity)
        return "the session has no client identity, and this server requires one";
    return NULL;
}

int tern_negotiate_resume(const tern_config *cfg, const tern_offer *o, const tern_sess_core *st, int64_t now,
                          tern_choice *out) {
    out->resume = 0;
    out->why = refuse(cfg, o, st, now);
    if (out->why != NULL)
        return 0; /* a full handshake */
    if (!o->ems) {
        /* RFC 7627 §5.3, a known session offered without EMS: made with it,
         * the server "MUST abort the abbreviated handshake"; made without
         * it, the server "SHOULD abort the handshake"; §5.2 defines "abort
         * the handshake" as a fatal handshake_failure, which is what
         * OpenSSL's server sends in the first case.  We follow both (no
         * legacy insecure resumption); a full handshake without EMS makes
         * no session to resume (lib/session.c), so a client without EMS
         * only meets this with a session from elsewhere (a shared ticket
         * key, a changed configuration). */
        out->why = st->ems ? "the client offered a session made with the extended master secret without offering "
                             "the extension (RFC 7627 5.3)"
                           : "the client offered a session made without the extended master secret without offering "
                             "the extension (RFC 7627 5.3)";
        return TERN_ERR_HANDSHAKE_FAILURE;
    }
    const tern_suite *suite = tern_suite_by_id(st->suite);
    if (suite == NULL) { /* cannot happen: refuse() found it in the configuration */
        out->why = "the session's suite is unknown";
        return TERN_ERR_INTERNAL;
    }
    out->resume = 1;
    out->suite = suite;
    out->scheme = 0;
    return 0;
}

void tern_negotiate_alpn_name(const tern_config *cfg, const uint8_t *p, size_t n, uint8_t *matched, uint16_t *best) {
    for (size_t i = 0; i < cfg->alpn_len; i += 1 + cfg->alpn[i])
        if (cfg->alpn[i] == n && memcmp(cfg->alpn + i + 1, p, n) == 0) {
            if (!*matched || i < *best) {
                *matched = 1;
                *best = (uint16_t)i;
            }
            return;
        }
}

int tern_negotiate_alpn(const tern_config *cfg, uint8_t matched, uint16_t best, const uint8_t **name, size_t *len,
                        const char **why) {
    *name = NULL;
    *len = 0;
    if (cfg->alpn_len == 0)
        return 0; /* we do not speak ALPN: ignore the offer */
    if (!matched || best >= cfg->alpn_len) {
        *why = "the client offers no application protocol this server speaks";
        return TERN_ERR_NO_ALPN;
    }
    *name = cfg->alpn + best + 1;
    *len = cfg->alpn[best];
    return 0;
}
