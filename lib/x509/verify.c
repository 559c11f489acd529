/*
 * Certificate path validation (RFC 5280 §6.1, the parts a TLS verifier
 * needs) as a bounded depth-first search over candidate issuers, and
 * certificate signature checks (RFC 8017 PKCS#1 v1.5 and PSS, FIPS 186-4
 * ECDSA on P-256 and P-384).  See verify.h for the rules.
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include "lib/x509/verify.h"

#include <stdarg.h>
#include <stdio.h>

#include "crypto/ecdsa.h"
#include "lib/x509/oid.h"
#include "lib/x509/crl.h"
#include "lib/x509/policy.h"
#include "lib/x509/nc.h"

/* ---- signatures ---- */

static void say(char *msg, size_t cap, const char *fmt, const char *a) {
    if (msg && cap)
        snprintf(msg, cap, fmt, a);
}

int tern_x509_check_signature(const tern_x509_cert *issuer, const tern_x509_cert *subject, char *msg, size_t cap) {
    const tern_x509_sigalg *alg = &subject->sig_alg;
    switch (alg->type) {
    case TERN_X509_SIG_RSA_SHA1:
    case TERN_X509_SIG_ECDSA_SHA1:
        say(msg, cap, "%s", "is signed with SHA-1, which is refused");
        return TERN_ERR_CERT_UNSUPPORTED;
    case TERN_X509_SIG_RSA_MD5:
        say(msg, cap, "%s", "is signed with MD5, which is refused");
        return TERN_ERR_CERT_UNSUPPORTED;
    case TERN_X509_SIG_UNKNOWN:
        say(msg, cap, "%s", "uses a signature algorithm tern does not support");
        return TERN_ERR_CERT_UNSUPPORTED;
    default:
        break;
    }
    int want_rsa = alg->type == TERN_X509_SIG_RSA_PKCS1 || alg->type == TERN_X509_SIG_RSA_PSS;
    if ((want_rsa && issuer->key.type != TERN_X509_KEY_RSA) ||
        (alg->type == TERN_X509_SIG_ECDSA && issuer->key.type != TERN_X509_KEY_EC)) {
        say(msg, cap, "%s", "has a signature algorithm that does not fit its issuer's key type");
        return TERN_ERR_CERT_SIGNATURE;
    }
    tern_x509_key key;
    int rc = tern_x509_key_load(issuer, &key);
    if (rc < 0) {
        if (msg && cap) {
            if (issuer->key.type == TERN_X509_KEY_RSA &&
                (issuer->key.bits < TERN_RSA_MIN_BITS || issuer->key.bits > TERN_RSA_MAX_BITS))
                snprintf(msg, cap, "has an issuer with an RSA key of %zu bits (tern accepts %d to %d)",
                         issuer->key.bits, TERN_RSA_MIN_BITS, TERN_RSA_MAX_BITS);
            else
                snprintf(msg, cap, "has an issuer whose public key tern cannot use");
        }
        return TERN_ERR_CERT_UNSUPPORTED;
    }
    uint8_t digest[TERN_HASH_MAX_LEN];
    TERN_TRY(tern_hash(alg->hash, digest, subject->tbs.p, subject->tbs.len));
    if (alg->type == TERN_X509_SIG_RSA_PKCS1)
        rc = tern_rsa_pkcs1_verify(&key.rsa, alg->hash, digest, subject->signature.p, subject->signature.len);
    else if (alg->type == TERN_X509_SIG_RSA_PSS)
        rc = tern_rsa_pss_verify(&key.rsa, alg->hash, digest, subject->signature.p, subject->signature.len);
    else if (key.curve == TERN_X509_CURVE_P256)
        rc = tern_ecdsa_p256_verify(key.ec_point, alg->hash, digest, subject->signature.p, subject->signature.len);
    else
        rc = tern_ecdsa_p384_verify(key.ec_point, alg->hash, digest, subject->signature.p, subject->signature.len);
    if (rc < 0) {
        say(msg, cap, "%s", "has a signature that does not verify with its issuer's key");
        return TERN_ERR_CERT_SIGNATURE;
    }
    return 0;
}

/* ---- path building ---- */

typedef struct {
    const tern_truststore *ts;
    const tern_x509_params *p;
    const tern_x509_cert *certs; /* parsed peer certificates */
    const int *ok;               /* parsed[i] usable */
    size_t n;
    int64_t now;
    int purpose;
    unsigned work;
    size_t nc_work;              /* name-constraint comparisons (nc.h budget) */
    size_t path[TERN_X509_MAX_DEPTH];
    size_t depth;
    size_t max_depth; /* certificates allowed below the anchor, leaf included */
    const tern_trust_anchor *anchor;
    /* The best failure so far (the deepest). */
    int err;
    int err_score;
    int err_index;
    char msg[256];
} search;

static void label_of(const search *s, size_t idx, char *out, size_t cap) {
    char l[160];
    tern_x509_cert_label(&s->certs[idx], l, sizeof l);
    snprintf(out, cap, "certificate %zu (%s)", idx, l);
}

/* snprintf for messages: truncating a long sentence is fine (vsnprintf
 * keeps gcc's -Wformat-truncation out of intended truncation). */
static void msgf(char *out, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

/* Record a failure if it is at least as deep as the best one so far. */
static void fail_at(search *s, int score, int err, int idx, const char *fmt, ...) {
    if (score < s->err_score)
        return;
    s->err_score = score;
    s->err = err;
    s->err_index = idx;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
}

/* ---- the certificate profile (RFC 5280 §4.1, §4.2 as the Web PKI reads them) ---- */

#define ROLE_LEAF 0
#define ROLE_INTERMEDIATE 1
#define ROLE_ANCHOR 2

static int empty_name(tern_span name) { return name.len == 2; /* 30 00: an empty SEQUENCE */ }

/* What makes c unfit for its role on a path, as the rest of a sentence
 * that starts with the certificate's label ("has serial number zero
 * ..."); NULL when nothing does.  Each rule names where it comes from;
 * where RFC 5280 only says what CAs MUST do, the verifier holds
 * certificates to it, and where the CA/Browser Forum Baseline Requirements
 * are stricter it follows them (as x509-limbo's webpki cases and
 * pyca/cryptography's verifier do). */
static const char *profile_problem(const tern_x509_cert *c, int role, char *buf, size_t cap) {
    /* §4.1.2.1: extensions need v3; CA/B BR §7.1.1: only v3.  A v1 trust
     * anchor (old roots have no extensions) stays usable: it is input to
     * the validation, a CA by being trusted. */
    if (c->version != 3 && role != ROLE_ANCHOR) {
        msgf(buf, cap, "is a version %d certificate; version 3 is required (RFC 5280 §4.1.2.1)", c->version);
        return buf;
    }
    /* §4.1.2.6: a CA's subject names it (issuers are found by it). */
    if (c->has_basic_constraints && c->is_ca && empty_name(c->subject))
        return "is a CA with an empty subject (RFC 5280 §4.1.2.6)";
    /* §4.1.2.2: a positive integer of at most 20 octets (the anchor's
     * serial identifies nothing tern checks, and old roots are lax). */
    if (role != ROLE_ANCHOR) {
        size_t zero = 1;
        for (size_t i = 0; i < c->serial.len; i++)
            zero &= c->serial.p[i] == 0;
        if (zero)
            return "has serial number zero (RFC 5280 §4.1.2.2: it must be positive)";
        if (c->serial.p[0] & 0x80)
            return "has a negative serial number (RFC 5280 §4.1.2.2: it must be positive)";
        if (c->serial.len > 20 + (c->serial.p[0] == 0))
            return "has a serial number longer than 20 octets (RFC 5280 §4.1.2.2)";
    }
    if (c->aki_critical)
        return "marks authorityKeyIdentifier critical (RFC 5280 §4.2.1.1: it must not be)";
    if (c->ski_critical)
        return "marks subjectKeyIdentifier critical (RFC 5280 §4.2.1.2: it must not be)";
    /* §4.2.1.1: keyIdentifier in every certificate but a self-signed one. */
    if (!tern_x509_self_issued(c) && !c->has_aki)
        return "has no authorityKeyIdentifier keyIdentifier, which RFC 5280 §4.2.1.1 requires of every "
               "certificate that is not self-signed";
    if (c->has_basic_constraints && c->is_ca) {
        if (!c->has_ski)
            return "is a CA without subjectKeyIdentifier (RFC 5280 §4.2.1.2)";
        if (!c->bc_critical)
            return "is a CA whose basicConstraints is not critical (RFC 5280 §4.2.1.9)";
    }
    /* §4.2.1.9: keyCertSign only with cA (§4.2.1.3 says the same). */
    if (c->has_key_usage && (c->key_usage & TERN_X509_KU_KEY_CERT_SIGN) && !(c->has_basic_constraints && c->is_ca))
        return "asserts keyCertSign without being a CA (RFC 5280 §4.2.1.9: cA must be TRUE)";
    /* §4.1.2.6, §4.2.1.6: an empty subject needs a critical subjectAltName;
     * CA/B BR §7.1.2.7.12: a non-empty one a non-critical subjectAltName. */
    if (empty_name(c->subject) && !(c->has_san && c->san_critical))
        return c->has_san ? "has an empty subject and a non-critical subjectAltName (RFC 5280 §4.2.1.6)"
                          : "has an empty subject and no subjectAltName (RFC 5280 §4.1.2.6)";
    if (!empty_name(c->subject) && c->has_san && c->san_critical)
        return "marks subjectAltName critical beside a non-empty subject (CA/B BR §7.1.2.7.12)";
    /* §4.2.1.11, §4.2.1.14: policyConstraints and inhibitAnyPolicy MUST be
     * critical (a relying party that ignored them would accept paths the
     * CA meant to refuse).  The anchor's are input, not processed. */
    if (role != ROLE_ANCHOR && c->has_policy_constraints && !c->pc_critical)
        return "marks policyConstraints non-critical (RFC 5280 §4.2.1.11: it must be critical)";
    if (role != ROLE_ANCHOR && c->has_inhibit_any && !c->inhibit_any_critical)
        return "marks inhibitAnyPolicy non-critical (RFC 5280 §4.2.1.14: it must be critical)";
    /* CA/B BR §7.1.2.7.10 and §7.1.2.2: extKeyUsage is never critical. */
    if (c->eku_critical)
        return "marks extKeyUsage critical (CA/B BR §7.1.2.7.10: it must not be)";
    /* CA/B BR §6.1.5: RSA moduli are a whole number of octets. */
    if (c->key.type == TERN_X509_KEY_RSA && c->key.bits % 8 != 0) {
        msgf(buf, cap, "has an RSA key of %zu bits, not a multiple of 8 (CA/B BR §6.1.5)", c->key.bits);
        return buf;
    }
    if (role == ROLE_LEAF && c->has_basic_constraints && c->is_ca && c->has_key_usage &&
        !(c->key_usage & TERN_X509_KU_KEY_CERT_SIGN))
        return "is an end-entity certificate (no keyCertSign) marked cA=TRUE (CA/B BR §7.1.2.7.8)";
    /* CA/B BR §7.1.2.7.10: a subscriber certificate never asserts
     * anyExtendedKeyUsage. */
    if (role == ROLE_LEAF && c->has_eku && (c->eku & TERN_X509_EKU_ANY))
        return "is an end-entity certificate with anyExtendedKeyUsage (CA/B BR §7.1.2.7.10)";
    if (role == ROLE_ANCHOR && tern_x509_self_issued(c)) {
        /* CA/B BR §7.1.2.1.2, §7.1.2.1.3: a root has no extKeyUsage, and
         * its authorityKeyIdentifier, if any, is its own keyIdentifier only. */
        if (c->has_eku)
            return "is a root with extKeyUsage (CA/B BR §7.1.2.1.2: a root has none)";
        if (c->has_aki_ext && (!c->has_aki || c->aki_issuer_serial))
            return "is a root whose authorityKeyIdentifier is not a keyIdentifier alone (CA/B BR §7.1.2.1.3)";
        if (c->has_aki && c->has_ski &&
            (c->aki.len != c->ski.len || memcmp(c->aki.p, c->ski.p, c->ski.len) != 0))
            return "is a root whose authorityKeyIdentifier differs from its subjectKeyIdentifier "
                   "(CA/B BR §7.1.2.1.3)";
    }
    return NULL;
}

/* Validity at now, unknown critical extensions and the profile: the
 * checks every certificate of a path gets, the anchor included (an
 * expired or malformed root is no anchor: what the strict validators do,
 * though RFC 5280 §6.1.1 (d) leaves the anchor's own checks to the
 * relying party).  0, or a phrase in what (after the label). */
static int cert_problem(const tern_x509_cert *c, int role, int64_t t, int *err, char *what, size_t cap) {
    char when[32], now[32];
    if (t < c->not_before || t > c->not_after) {
        int expired = t > c->not_after;
        tern_der_format_time(expired ? c->not_after : c->not_before, when);
        tern_der_format_time(t, now);
        msgf(what, cap, "%s %s; now %s", expired ? "expired" : "is not valid before", when, now);
        *err = TERN_ERR_CERT_EXPIRED;
        return -1;
    }
    if (c->unknown_critical) {
        char oid[64] = "";
        size_t o = 0;
        for (size_t i = 0; i < c->unknown_critical_oid.len && o + 3 < sizeof oid; i++)
            o += (size_t)snprintf(oid + o, sizeof oid - o, "%02x", c->unknown_critical_oid.p[i]);
        msgf(what, cap, "has an unknown critical extension (OID bytes %s)", oid);
        *err = TERN_ERR_CERT_CRITICAL_EXT;
        return -1;
    }
    char buf[128];
    const char *why = profile_problem(c, role, buf, sizeof buf);
    if (why != NULL) {
        msgf(what, cap, "%s", why);
        *err = TERN_ERR_CERT_BAD;
        return -1;
    }
    return 0;
}

/* Checks on a certificate of the path itself: validity and extensions. */
static int check_self(search *s, size_t idx, int score) {
    const tern_x509_cert *c = &s->certs[idx];
    char who[200], what[200];
    int err = 0;
    if (cert_problem(c, s->depth == 1 ? ROLE_LEAF : ROLE_INTERMEDIATE, s->now, &err, what, sizeof what) < 0) {
        label_of(s, idx, who, sizeof who);
        fail_at(s, score, err, (int)idx, "%s %s", who, what);
        return -1;
    }
    return 0;
}

/* The same for a trust anchor about to end a path. */
static int check_anchor(search *s, const tern_trust_anchor *a, const char *who, int score) {
    char what[200];
    int err = 0;
    if (cert_problem(&a->cert, ROLE_ANCHOR, s->now, &err, what, sizeof what) < 0) {
        fail_at(s, score, err, -1, "%s %s", who, what);
        return -1;
    }
    return 0;
}

/* May `issuer` sign certificates, with `below` non-self-issued
 * intermediates under it on this path?  (RFC 5280 §6.1.4 (k), (l), (m),
 * (n).)  Trust anchors without extensions (v1 roots) are CAs by being
 * trusted. */
static int check_issuer(search *s, const tern_x509_cert *issuer, const char *who, size_t below, int is_anchor,
                        int score, int idx) {
    if (!(is_anchor && issuer->version < 3)) {
        if (!issuer->has_basic_constraints || !issuer->is_ca) {
            fail_at(s, score, TERN_ERR_CERT_NOT_CA, idx, "%s is not a CA (%s)", who,
                    issuer->has_basic_constraints ? "basicConstraints cA=FALSE" : "no basicConstraints");
            return -1;
        }
    }
    if (issuer->has_key_usage && !(issuer->key_usage & TERN_X509_KU_KEY_CERT_SIGN)) {
        fail_at(s, score, TERN_ERR_CERT_NOT_CA, idx, "%s may not sign certificates (%s)", who,
                "keyUsage without keyCertSign");
        return -1;
    }
    /* An issuer that restricts its own extKeyUsage may only vouch for
     * that use (the "EKU chaining" OpenSSL, Go and browsers apply). */
    unsigned need = s->purpose == TERN_X509_PURPOSE_SERVER ? TERN_X509_EKU_SERVER_AUTH : TERN_X509_EKU_CLIENT_AUTH;
    if (issuer->has_eku && !(issuer->eku & (need | TERN_X509_EKU_ANY))) {
        fail_at(s, score, TERN_ERR_CERT_PURPOSE, idx, "%s may not vouch for %s (its extKeyUsage lacks %s)", who,
                s->purpose == TERN_X509_PURPOSE_SERVER ? "TLS servers" : "TLS clients",
                s->purpose == TERN_X509_PURPOSE_SERVER ? "serverAuth" : "clientAuth");
        return -1;
    }
    if (issuer->has_path_len && below > issuer->path_len) {
        char d[96];
        msgf(d, sizeof d, "pathLenConstraint %u, but %zu intermediate%s below it", issuer->path_len, below,
                 below == 1 ? " is" : "s are");
        fail_at(s, score, TERN_ERR_CERT_PATH_LEN, idx, "%s: %s", who, d);
        return -1;
    }
    return 0;
}

/* Name constraints (lib/x509/nc.c): the CA `ca` constrains every
 * certificate below it on the path.  A leaf that is not a CA may not carry
 * name constraints at all (RFC 5280 §4.2.1.10). */
static int check_name_constraints(search *s, const tern_x509_cert *ca, const char *who, int score) {
    char lab[200];
    const tern_x509_cert *leaf = &s->certs[s->path[0]];
    if (leaf->has_name_constraints && !(leaf->has_basic_constraints && leaf->is_ca)) {
        label_of(s, s->path[0], lab, sizeof lab);
        fail_at(s, score, TERN_ERR_CERT_BAD, (int)s->path[0], "%s %s", lab,
                "is an end-entity certificate with name constraints, which RFC 5280 allows only in CA certificates");
        return -1;
    }
    const tern_x509_cert *below[TERN_X509_MAX_DEPTH];
    for (size_t i = 0; i < s->depth; i++)
        below[i] = &s->certs[s->path[i]];
    tern_x509_nc_result r;
    switch (tern_x509_nc_check(ca, below, s->depth, &s->nc_work, &r)) {
    case TERN_X509_NC_OK:
        return 0;
    case TERN_X509_NC_BAD:
        fail_at(s, score, TERN_ERR_CERT_BAD, -1, "%s %s", who, r.what);
        return -1;
    case TERN_X509_NC_TOO_MUCH:
        fail_at(s, 1000, TERN_ERR_CERT_CHAIN_TOO_LONG, -1, "gave up checking the name constraints of %s after %u "
                "name comparisons", who, (unsigned)TERN_X509_NC_MAX_WORK);
        return -1;
    case TERN_X509_NC_UNSUPPORTED:
        label_of(s, s->path[r.index], lab, sizeof lab);
        fail_at(s, score, TERN_ERR_CERT_UNSUPPORTED, (int)s->path[r.index], "%s %s %s", lab, r.what, who);
        return -1;
    default:
        label_of(s, s->path[r.index], lab, sizeof lab);
        fail_at(s, score, TERN_ERR_CERT_NAME, (int)s->path[r.index], "%s: %s %s", lab, r.what, who);
        return -1;
    }
}

/* ---- the subject CN of a TLS server certificate (CA/B BR §7.1.4.3) ---- */

/* The RFC 5952 §4 text of an IPv6 address: lowercase hex without leading
 * zeros, the longest run of two or more zero groups (the first of equal
 * runs) as "::".  out holds at least 40 bytes. */
static void ipv6_text(const uint8_t a[16], char *out, size_t cap) {
    unsigned g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; i < 8 && o < cap; i++) {
        if (i == best) {
            o += (size_t)snprintf(out + o, cap - o, "::");
            i += best_len - 1;
            continue;
        }
        o += (size_t)snprintf(out + o, cap - o, "%s%x", o > 0 && out[o - 1] != ':' ? ":" : "", g[i]);
    }
}

/* Is the CN value a character-for-character copy of a subjectAltName
 * dNSName, or the RFC 3986 / RFC 5952 text of an iPAddress? */
static int cn_in_san(const tern_x509_cert *c, tern_span cn) {
    tern_reader r;
    tern_der_elem e;
    tern_rd_init(&r, c->san.p, c->san.len);
    while (tern_rd_left(&r) && tern_der_next(&r, &e) == 0) {
        char ip[48];
        if (e.tag == TERN_DER_CTX_PRIM(2)) {
            if (e.content.len == cn.len && memcmp(e.content.p, cn.p, cn.len) == 0)
                return 1;
            continue;
        }
        if (e.tag == TERN_DER_CTX_PRIM(7) && e.content.len == 4)
            snprintf(ip, sizeof ip, "%u.%u.%u.%u", e.content.p[0], e.content.p[1], e.content.p[2], e.content.p[3]);
        else if (e.tag == TERN_DER_CTX_PRIM(7) && e.content.len == 16)
            ipv6_text(e.content.p, ip, sizeof ip);
        else
            continue;
        if (strlen(ip) == cn.len && memcmp(ip, cn.p, cn.len) == 0)
            return 1;
    }
    return 0;
}

static uint8_t ascii_lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c; }

/* Does the CN read as an IP address in some notation: dotted decimal
 * (leading zeros allowed), a 0x hexadecimal number (inet_aton's form), or
 * IPv6 text in any case and compression?  Fills ip (4 or 16 bytes). */
static size_t cn_ip(tern_span cn, uint8_t ip[16]) {
    char t[64];
    if (cn.len == 0 || cn.len >= sizeof t)
        return 0;
    memcpy(t, cn.p, cn.len);
    t[cn.len] = 0;
    if (memchr(t, ':', cn.len) != NULL)
        return tern_x509_parse_ip(t, ip) == 16 ? 16 : 0;
    if (cn.len > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        uint32_t v = 0;
        for (size_t i = 2; i < cn.len; i++) {
            char ch = (char)(t[i] | 0x20);
            int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
            if (d < 0 || i >= 10)
                return 0;
            v = v << 4 | (uint32_t)d;
        }
        tern_store_be32(ip, v);
        return 4;
    }
    size_t part = 0, k = 0;
    unsigned v = 0;
    for (size_t i = 0; i <= cn.len; i++) {
        if (i == cn.len || t[i] == '.') {
            if (k == 0 || part == 4)
                return 0;
            ip[part++] = (uint8_t)v;
            v = 0;
            k = 0;
        } else if (t[i] >= '0' && t[i] <= '9' && k < 8) {
            v = v * 10 + (unsigned)(t[i] - '0');
            k++;
            if (v > 255)
                return 0;
        } else {
            return 0;
        }
    }
    return part == 4 ? 4 : 0;
}

/* CA/B BR §7.1.4.3 (and §7.1.2.7.2): in a TLS server certificate a
 * subject commonName is a character-for-character copy of one of the
 * subjectAltName values, an IP address in its RFC 3986 / RFC 5952 text.
 * tern refuses a CN that spells an identity the certificate also holds
 * differently: an IP address (in any notation) that is not the canonical
 * text of one of its iPAddress entries, or a DNS name equal to one of its
 * dNSName entries but for letter case.  Such a second spelling is what
 * makes two readers of one certificate disagree.  A CN that is no spelling
 * of a SAN name at all is not judged (x509-limbo's own valid cases carry
 * one; vectors/x509-limbo/expectations.txt).  0, or -1 with the offending
 * value (printable) in bad. */
static int server_cn_problem(const tern_x509_cert *c, char *bad, size_t cap) {
    tern_reader r, seq;
    tern_rd_init(&r, c->subject.p, c->subject.len);
    if (tern_der_expect(&r, TERN_DER_SEQUENCE, &seq) < 0)
        return 0;
    while (tern_rd_left(&seq)) {
        tern_reader set;
        if (tern_der_expect(&seq, TERN_DER_SET, &set) < 0)
            return 0;
        while (tern_rd_left(&set)) {
            tern_reader atv;
            tern_span oid;
            tern_der_elem v;
            if (tern_der_expect(&set, TERN_DER_SEQUENCE, &atv) < 0 || tern_der_oid(&atv, &oid) < 0 ||
                tern_der_next(&atv, &v) < 0)
                return 0;
            if (!TERN_DER_OID_EQ(oid, tern_oid_at_cn) || (c->has_san && cn_in_san(c, v.content)))
                continue;
            uint8_t ip[16];
            int conflict = cn_ip(v.content, ip) != 0;
            tern_reader sr;
            tern_der_elem e;
            tern_rd_init(&sr, c->san.p, c->has_san ? c->san.len : 0);
            while (!conflict && tern_rd_left(&sr) && tern_der_next(&sr, &e) == 0) {
                if (e.tag != TERN_DER_CTX_PRIM(2) || e.content.len != v.content.len)
                    continue;
                size_t i = 0;
                while (i < e.content.len && ascii_lower(e.content.p[i]) == ascii_lower(v.content.p[i]))
                    i++;
                conflict = i == e.content.len;
            }
            if (!conflict)
                continue;
            size_t n = v.content.len < cap - 1 ? v.content.len : cap - 1;
            for (size_t i = 0; i < n; i++)
                bad[i] = v.content.p[i] >= 0x20 && v.content.p[i] < 0x7f ? (char)v.content.p[i] : '?';
            bad[n] = 0;
            return -1;
        }
    }
    return 0;
}

static int on_path(const search *s, size_t j) {
    for (size_t i = 0; i < s->depth; i++)
        if (s->path[i] == j ||
            (s->certs[s->path[i]].der.len == s->certs[j].der.len &&
             memcmp(s->certs[s->path[i]].der.p, s->certs[j].der.p, s->certs[j].der.len) == 0))
            return 1;
    return 0;
}

/* Name chaining compares names by RFC 5280 §7.1 (lib/x509/name.c). */
static int name_eq(tern_span a, tern_span b) { return tern_x509_name_eq(a, b); }

/* Intermediates on the path below a new issuer, self-issued ones not
 * counted (RFC 5280 §6.1.4 (l)); the leaf never counts. */
static size_t below_count(const search *s) {
    size_t k = 0;
    for (size_t i = 1; i < s->depth; i++)
        k += !tern_x509_self_issued(&s->certs[s->path[i]]);
    return k;
}

/* Checks on a whole candidate path, once it reaches the anchor a: the
 * path is s->path[0..depth) (leaf first) then the anchor.  0 if the path
 * is usable; else the failure is recorded (fail_at) and the search goes
 * on with other candidates. */
/* Check certificate c (peer index idx) against the trust store's CRLs
 * from `issuer`: those with the issuer's name (compared as path building
 * compares names) and, when the CRL has an authorityKeyIdentifier and the
 * issuer a subjectKeyIdentifier, the same key identifier.  Every usable
 * one (signed by the issuer's key, cRLSign allowed, current) is applied;
 * when some match but none is usable, the path fails in both modes (a
 * loaded CRL that cannot be applied is not silently ignored); when none
 * match, only TERN_X509_CRL_REQUIRE fails. */
static int check_revocation(search *s, size_t idx, const tern_x509_cert *c, const tern_x509_cert *issuer,
                            int score) {
    char who[200], iss[160], why[200];
    int matched = 0, usable = 0, why_rc = 0;
    why[0] = 0;
    for (size_t k = 0; k < s->ts->n_crls; k++) {
        const tern_crl *crl = &s->ts->crls[k].crl;
        if (!name_eq(crl->issuer, c->issuer))
            continue;
        if (crl->has_aki && issuer->has_ski &&
            !(crl->aki.len == issuer->ski.len && memcmp(crl->aki.p, issuer->ski.p, crl->aki.len) == 0))
            continue;
        matched++;
        char w[200];
        int rc = tern_crl_usable(crl, issuer, s->now, w, sizeof w);
        if (rc < 0) {
            if (!why_rc) {
                why_rc = rc;
                memcpy(why, w, sizeof why);
            }
            continue;
        }
        usable++;
        const tern_crl_entry *e = tern_crl_find(crl, c->serial);
        if (e != NULL) {
            char serial[48], date[32];
            label_of(s, idx, who, sizeof who);
            tern_x509_name_display(crl->issuer, iss, sizeof iss);
            tern_crl_format_serial(c->serial, serial, sizeof serial);
            tern_der_format_time(e->date, date);
            fail_at(s, score, TERN_ERR_CERT_REVOKED, (int)idx,
                    "%s, serial %s, was revoked on %s (reason: %s) by the CRL of %s", who, serial, date,
                    tern_crl_reason_name(e->reason), iss);
            return -1;
        }
    }
    if (usable > 0)
        return 0;
    if (matched > 0 || s->p->crl_mode == TERN_X509_CRL_REQUIRE) {
        label_of(s, idx, who, sizeof who);
        tern_x509_name_display(c->issuer, iss, sizeof iss);
        if (matched > 0)
            fail_at(s, score, TERN_ERR_CERT_REVOCATION_UNKNOWN, (int)idx,
                    "the revocation status of %s is unknown: the CRL of %s %s", who, iss, why);
        else
            fail_at(s, score, TERN_ERR_CERT_REVOCATION_UNKNOWN, (int)idx,
                    "the revocation status of %s is unknown: no CRL of its issuer %s is loaded, and CRLs are "
                    "required",
                    who, iss);
        return -1;
    }
    return 0;
}

static int policy_path(search *s, int score);
static int check_path(search *s, const tern_trust_anchor *a, int score) {
    /* Certificate policies (RFC 5280 §6.1.2-§6.1.5, lib/x509/policy.c). */
    if (policy_path(s, score) < 0)
        return -1;
    /* Revocation (RFC 5280 §6.3, lib/x509/crl.c): every certificate of the
     * path, leaf and intermediates, against the CRLs of its issuer (the
     * next certificate up, or the anchor); the anchor itself is not
     * checked. */
    if (s->p->crl_mode == TERN_X509_CRL_OFF)
        return 0;
    for (size_t i = 0; i < s->depth; i++) {
        const tern_x509_cert *c = &s->certs[s->path[i]];
        const tern_x509_cert *issuer = i + 1 < s->depth ? &s->certs[s->path[i + 1]] : &a->cert;
        if (check_revocation(s, s->path[i], c, issuer, score) < 0)
            return -1;
    }
    return 0;
}

/* The policy step of check_path: failures recorded like the others. */
static int policy_path(search *s, int score) {
    tern_x509_policy_fail f;
    if (tern_x509_policy_check(s->certs, s->path, s->depth, s->p, &f) == 0)
        return 0;
    fail_at(s, score, f.err, f.index, "%s", f.msg);
    return -1;
}

static int extend(search *s) {
    size_t cur = s->path[s->depth - 1];
    const tern_x509_cert *c = &s->certs[cur];
    int base = (int)s->depth * 4;
    char who[200], iwho[200], smsg[120];
    if (check_self(s, cur, base) < 0)
        return -1;
    label_of(s, cur, who, sizeof who);
    int candidates = 0;

    /* Trust anchors first: a path that ends as early as possible. */
    size_t it = 0;
    const tern_trust_anchor *a;
    while ((a = tern_truststore_find(s->ts, c->issuer, &it)) != NULL) {
        candidates++;
        if (++s->work > TERN_X509_MAX_WORK)
            break;
        char al[160];
        tern_x509_cert_label(&a->cert, al, sizeof al);
        snprintf(iwho, sizeof iwho, "trust anchor (%s)", al);
        if (check_anchor(s, a, iwho, base + 1) < 0)
            continue;
        if (check_issuer(s, &a->cert, iwho, below_count(s), 1, base + 1, -1) < 0 ||
            check_name_constraints(s, &a->cert, iwho, base + 1) < 0)
            continue;
        int rc = tern_x509_check_signature(&a->cert, c, smsg, sizeof smsg);
        if (rc < 0) {
            fail_at(s, base + 1, rc, (int)cur, "%s %s", who, smsg);
            continue;
        }
        if (check_path(s, a, base + 3) < 0)
            continue;
        s->anchor = a;
        return 0;
    }
    /* Then the peer's other certificates. */
    for (size_t j = 0; j < s->n; j++) {
        if (!s->ok[j] || !name_eq(s->certs[j].subject, c->issuer) || on_path(s, j))
            continue;
        candidates++;
        /* The bound counts the leaf and the intermediates that are not
         * self-issued (RFC 5280 §6.1.4 (l) counts the same way); the
         * path array bounds the rest. */
        if (s->depth == TERN_X509_MAX_DEPTH ||
            1 + below_count(s) + !tern_x509_self_issued(&s->certs[j]) > s->max_depth) {
            fail_at(s, base + 2, TERN_ERR_CERT_CHAIN_TOO_LONG, (int)cur,
                    "%s: the path is longer than the limit of %zu certificate%s below the anchor%s", who,
                    s->max_depth, s->max_depth == 1 ? "" : "s",
                    s->max_depth < TERN_X509_MAX_DEPTH ? " (the maximum depth asked for)" : "");
            return -1;
        }
        if (++s->work > TERN_X509_MAX_WORK)
            break;
        label_of(s, j, iwho, sizeof iwho);
        if (check_issuer(s, &s->certs[j], iwho, below_count(s), 0, base + 2, (int)j) < 0 ||
            check_name_constraints(s, &s->certs[j], iwho, base + 2) < 0)
            continue;
        int rc = tern_x509_check_signature(&s->certs[j], c, smsg, sizeof smsg);
        if (rc < 0) {
            fail_at(s, base + 1, rc, (int)cur, "%s %s", who, smsg);
            continue;
        }
        s->path[s->depth++] = j;
        if (extend(s) == 0)
            return 0;
        s->depth--;
    }
    if (s->work > TERN_X509_MAX_WORK) {
        fail_at(s, 1000, TERN_ERR_CERT_CHAIN_TOO_LONG, -1, "%s%s", "gave up building a path after ",
                "too many candidate issuers (" TERN_X509_MAX_WORK_STR ")");
        return -1;
    }
    if (candidates == 0) {
        char iss[160];
        tern_x509_name_display(c->issuer, iss, sizeof iss);
        fail_at(s, base + 1, TERN_ERR_CERT_UNKNOWN_CA, (int)cur,
                "no certificate in the trust store issued %s; its issuer is %s%s", who, iss,
                tern_x509_self_issued(c) ? " (it is self-signed)" : "");
    }
    return -1;
}

int tern_x509_verify_chain(const tern_truststore *ts, const uint8_t *const *certs, const size_t *lens, size_t n,
                           const char *name_or_ip, int purpose, int64_t now, tern_x509_result *res) {
    tern_x509_params p;
    memset(&p, 0, sizeof p);
    p.purpose = purpose;
    p.now = now;
    p.names = &name_or_ip;
    p.n_names = name_or_ip != NULL;
    return tern_x509_verify(ts, certs, lens, n, &p, res);
}

int tern_x509_verify(const tern_truststore *ts, const uint8_t *const *certs, const size_t *lens, size_t n,
                     const tern_x509_params *p, tern_x509_result *res) {
    memset(res, 0, sizeof *res);
    if (p == NULL) {
        res->failed_index = -1;
        msgf(res->msg, sizeof res->msg, "certificate verification called with bad arguments");
        return res->err = TERN_ERR_INVALID_ARG;
    }
    int purpose = p->purpose;
    int64_t now = p->now;
    res->failed_index = -1;
    res->err = TERN_ERR_INTERNAL;
    if (ts == NULL || (n > 0 && (certs == NULL || lens == NULL)) ||
        (purpose != TERN_X509_PURPOSE_SERVER && purpose != TERN_X509_PURPOSE_CLIENT)) {
        msgf(res->msg, sizeof res->msg, "certificate verification called with bad arguments");
        return res->err = TERN_ERR_INVALID_ARG;
    }
    if (n == 0) {
        msgf(res->msg, sizeof res->msg, "the peer sent no certificate");
        return res->err = TERN_ERR_NO_CERTIFICATE;
    }
    if (n > TERN_X509_MAX_PEER_CERTS) {
        msgf(res->msg, sizeof res->msg, "the peer sent %zu certificates; at most %d are accepted", n,
                 TERN_X509_MAX_PEER_CERTS);
        return res->err = TERN_ERR_CERT_CHAIN_TOO_LONG;
    }
    search s;
    memset(&s, 0, sizeof s);
    tern_x509_cert parsed[TERN_X509_MAX_PEER_CERTS];
    int ok[TERN_X509_MAX_PEER_CERTS];
    for (size_t i = 0; i < n; i++)
        ok[i] = tern_x509_parse(&parsed[i], certs[i], lens[i]) == 0;
    if (!ok[0]) {
        msgf(res->msg, sizeof res->msg, "certificate 0 (the peer's own) is malformed");
        res->failed_index = 0;
        return res->err = TERN_ERR_CERT_BAD;
    }
    s.ts = ts;
    s.p = p;
    s.certs = parsed;
    s.ok = ok;
    s.n = n;
    s.now = now;
    s.purpose = purpose;
    s.max_depth = p->max_depth == 0 || p->max_depth > TERN_X509_MAX_DEPTH ? TERN_X509_MAX_DEPTH : p->max_depth;
    s.err = TERN_ERR_CERT_UNKNOWN_CA;
    s.err_score = -1;
    s.err_index = -1;
    snprintf(s.msg, sizeof s.msg, "no path to a trusted certificate");
    s.path[0] = 0;
    s.depth = 1;

    /* The leaf itself in the trust store (a pinned self-signed
     * certificate) is a path of its own. */
    int found = -1;
    for (size_t i = 0; i < ts->n && found < 0; i++)
        if (ts->anchors[i].len == lens[0] && memcmp(ts->anchors[i].der, certs[0], lens[0]) == 0) {
            if (check_self(&s, 0, 4) == 0) {
                s.anchor = &ts->anchors[i];
                found = 0;
            }
        }
    if (found < 0)
        found = extend(&s);
    if (found < 0) {
        memcpy(res->msg, s.msg, sizeof res->msg);
        /* A malformed certificate in the list is skipped; when no issuer
         * was found it may be the reason, so say so. */
        for (size_t i = 1; i < n && s.err == TERN_ERR_CERT_UNKNOWN_CA; i++) {
            if (!ok[i]) {
                size_t len = strlen(res->msg);
                msgf(res->msg + len, sizeof res->msg - len, " (certificate %zu is malformed and was skipped)", i);
                break;
            }
        }
        res->failed_index = s.err_index;
        return res->err = s.err;
    }
    res->path_n = s.depth;
    memcpy(res->path, s.path, sizeof s.path);
    res->anchor = s.anchor;

    /* The leaf: its key, its purpose, its name. */
    const tern_x509_cert *leaf = &parsed[0];
    char who[200];
    label_of(&s, 0, who, sizeof who);
    res->failed_index = 0;
    if (tern_x509_key_load(leaf, &res->leaf_key) < 0) {
        if (leaf->key.type == TERN_X509_KEY_RSA)
            msgf(res->msg, sizeof res->msg, "%s has an RSA key of %zu bits; tern accepts %d to %d", who,
                     leaf->key.bits, TERN_RSA_MIN_BITS, TERN_RSA_MAX_BITS);
        else
            msgf(res->msg, sizeof res->msg, "%s has a public key tern does not support", who);
        return res->err = TERN_ERR_CERT_UNSUPPORTED;
    }
    if (purpose == TERN_X509_PURPOSE_SERVER) {
        char cn[64];
        if (server_cn_problem(leaf, cn, sizeof cn) < 0) {
            msgf(res->msg, sizeof res->msg,
                 "%s has the commonName \"%s\", another spelling of a name its subjectAltName holds; the "
                 "CN must copy the SAN entry exactly (CA/B BR §7.1.4.3)",
                 who, cn);
            return res->err = TERN_ERR_CERT_BAD;
        }
    }
    res->leaf_has_key_usage = leaf->has_key_usage;
    res->leaf_key_usage = leaf->key_usage;
    /* keyUsage: the bits the caller asks for (the TLS layer asks for the
     * one its key exchange needs: lib/hs_certificate.c); an absent
     * extension allows every use (RFC 5280 §4.2.1.3). */
    unsigned ku_missing = leaf->has_key_usage ? p->key_usage & ~leaf->key_usage : 0;
    if (ku_missing) {
        static const char *const ku_names[] = {"digitalSignature", "nonRepudiation", "keyEncipherment",
                                               "dataEncipherment", "keyAgreement",   "keyCertSign",
                                               "cRLSign",          "encipherOnly",   "decipherOnly"};
        size_t bit = 0;
        while (!(ku_missing & (1u << bit)))
            bit++;
        msgf(res->msg, sizeof res->msg, "%s may not be used for this (its keyUsage lacks %s)", who,
             bit < TERN_ARRAY_LEN(ku_names) ? ku_names[bit] : "a bit asked for");
        return res->err = TERN_ERR_CERT_PURPOSE;
    }
    /* extKeyUsage: when present it must name the purpose and every purpose
     * asked for (a leaf with anyExtendedKeyUsage was refused by the
     * profile, CA/B BR §7.1.2.7.10).  An absent extension allows every
     * purpose (RFC 5280 §4.2.1.12; see vectors/x509-limbo/expectations.txt
     * for the webpki reading). */
    unsigned need_eku = (purpose == TERN_X509_PURPOSE_SERVER ? TERN_X509_EKU_SERVER_AUTH : TERN_X509_EKU_CLIENT_AUTH) |
                        p->eku;
    const char *role = purpose == TERN_X509_PURPOSE_SERVER ? "a TLS server" : "a TLS client";
    unsigned eku_missing = leaf->has_eku ? need_eku & ~leaf->eku : 0;
    if (eku_missing) {
        const char *lack = eku_missing & TERN_X509_EKU_SERVER_AUTH   ? "serverAuth"
                           : eku_missing & TERN_X509_EKU_CLIENT_AUTH ? "clientAuth"
                                                                     : "anyExtendedKeyUsage";
        msgf(res->msg, sizeof res->msg, "%s may not be used by %s (its extKeyUsage lacks %s)", who, role, lack);
        return res->err = TERN_ERR_CERT_PURPOSE;
    }
    for (size_t i = 0; i < p->n_names; i++) {
        int rc = tern_x509_check_name(leaf, p->names[i], res->msg, sizeof res->msg);
        if (rc < 0)
            return res->err = rc;
    }
    res->failed_index = -1;
    res->msg[0] = 0;
    return res->err = 0;
}
