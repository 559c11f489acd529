/*
 * The ECDHE groups (RFC 8422 §5.1.1, §5.10): x25519 (29, RFC 7748 §6.1),
 * secp256r1 (23) and secp384r1 (24) (SEC 1 v2 §3.3.1).  The
 * ServerKeyExchange and ClientKeyExchange files call these and never name
 * a curve.
 *
 *   x25519:    public value 32 bytes; premaster = X25519(priv, peer), an
 *              all-zero result (small-order peer point) is refused;
 *   secp256r1, secp384r1: public value the uncompressed point 04 || X || Y
 *              (65 / 97 bytes; RFC 8422 §5.1.2: with ec_point_formats =
 *              uncompressed the only form), validated on the curve before
 *              use (RFC 8422 §5.11 / SEC 1 §3.2.2.1); premaster = the X
 *              coordinate of priv * peer (32 / 48 bytes, leading zeros
 *              kept: RFC 8422 §5.10).
 *
 * Default preference: x25519, secp256r1, secp384r1 (cheapest first; all
 * three are offered by a client).
 */
#define TERN_LAYER TERN_LAYER_RECORD_KEYS
#include "lib/names.h"
#include "crypto/ct.h"
#include "crypto/p256.h"
#include "crypto/p384.h"
#include "crypto/x25519.h"
#include "lib/kx.h"

static const uint16_t default_groups[4] = {TERN_GROUP_X25519, TERN_GROUP_SECP256R1, TERN_GROUP_SECP384R1, 0};

const char *tern_kx_group_name(uint16_t group) {
    const char *name = tern_name_group(group); /* lib/names.c */
    return name != NULL ? name : "an unknown group";
}

const uint16_t *tern_kx_groups(const tern_config *cfg) {
    return cfg->groups[0] != 0 ? cfg->groups : default_groups;
}

int tern_config_set_groups(tern_config *cfg, const char *list) {
    TERN_ENSURE(cfg != NULL && list != NULL, TERN_ERR_INVALID_ARG);
    uint16_t ids[4] = {0, 0, 0, 0};
    size_t n = 0;
    const char *p = list;
    while (*p != '\0') {
        size_t len = strcspn(p, ":,");
        uint16_t g = 0;
        if ((len == 6 && (memcmp(p, "x25519", 6) == 0 || memcmp(p, "X25519", 6) == 0)))
            g = TERN_GROUP_X25519;
        else if ((len == 9 && memcmp(p, "secp256r1", 9) == 0) || (len == 5 && memcmp(p, "P-256", 5) == 0) ||
                 (len == 10 && memcmp(p, "prime256v1", 10) == 0))
            g = TERN_GROUP_SECP256R1;
        else if ((len == 9 && memcmp(p, "secp384r1", 9) == 0) || (len == 5 && memcmp(p, "P-384", 5) == 0))
            g = TERN_GROUP_SECP384R1;
        TERN_ENSURE(g != 0, TERN_ERR_INVALID_ARG);
        int dup = 0;
        for (size_t i = 0; i < n; i++)
            dup |= ids[i] == g;
        if (!dup) {
            TERN_ENSURE(n < 3, TERN_ERR_INVALID_ARG);
            ids[n++] = g;
        }
        p += len;
        if (*p != '\0')
            p++;
    }
    TERN_ENSURE(n > 0, TERN_ERR_INVALID_ARG);
    memcpy(cfg->groups, ids, sizeof ids);
    return 0;
}

size_t tern_kx_pub_len(uint16_t group) {
    switch (group) {
    case TERN_GROUP_X25519: return TERN_X25519_LEN;
    case TERN_GROUP_SECP256R1: return TERN_P256_PUBLIC_LEN;
    case TERN_GROUP_SECP384R1: return TERN_P384_PUBLIC_LEN;
    default: return 0;
    }
}

int tern_kx_keygen(tern_conn *c) {
    tern_hs_state *h = c->hs_state;
    const tern_config *cfg = c->cfg;
    switch (h->group) {
    case TERN_GROUP_X25519: return tern_x25519_keygen(h->kx_priv, h->kx_pub, cfg->rng, cfg->rng_arg);
    case TERN_GROUP_SECP256R1: return tern_p256_keygen(h->kx_priv, h->kx_pub, cfg->rng, cfg->rng_arg);
    case TERN_GROUP_SECP384R1: return tern_p384_keygen(h->kx_priv, h->kx_pub, cfg->rng, cfg->rng_arg);
    default: return TERN_ERR_INTERNAL;
    }
}

int tern_kx_agree(tern_conn *c, const uint8_t *peer, size_t len) {
    tern_hs_state *h = c->hs_state;
    const char *who = c->side == TERN_CLIENT ? "server" : "client";
    size_t want = tern_kx_pub_len(h->group);
    TERN_ENSURE(want > 0, TERN_ERR_INTERNAL);
    if (((h->group == TERN_GROUP_SECP256R1 && len == 33) || (h->group == TERN_GROUP_SECP384R1 && len == 49)) &&
        (peer[0] == 2 || peer[0] == 3)) {
        /* RFC 8422 §5.4.1: a compressed point is a well-formed ECPoint, but
         * only the uncompressed form is allowed (§5.1.2): illegal_parameter. */
        tern_wipe(h->kx_priv, sizeof h->kx_priv);
        return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER,
                         "the %s's %s key share is a compressed point; only the uncompressed form is allowed", who,
                         tern_kx_group_name(h->group));
    }
    if (len != want) {
        tern_wipe(h->kx_priv, sizeof h->kx_priv);
        /* A share that is not the group's length does not parse (an x25519
         * key is 32 bytes, an uncompressed P-256 point 65, a P-384 one 97):
         * decode_error.  A well-formed one off the curve is
         * illegal_parameter, below. */
        return tern_fail(c, TERN_ERR_DECODE, "the %s's %s key share is %zu bytes, not %zu", who,
                         tern_kx_group_name(h->group), len, want);
    }
    if (peer != h->peer_kx_pub) /* the client passes the copy ServerKeyExchange kept */
        memcpy(h->peer_kx_pub, peer, len);
    int rc;
    size_t pms_len = 32;
    if (h->group == TERN_GROUP_X25519) {
        rc = tern_x25519(h->pms, h->kx_priv, h->peer_kx_pub);
        tern_wipe(h->kx_priv, sizeof h->kx_priv);
        if (rc == TERN_ERR_ZERO_SECRET)
            return tern_fail(c, rc, "the %s's x25519 key is a small-order point (all-zero shared secret)", who);
    } else {
        if (h->group == TERN_GROUP_SECP384R1) {
            rc = tern_p384_ecdh(h->pms, h->kx_priv, h->peer_kx_pub);
            pms_len = TERN_P384_SHARED_LEN;
        } else {
            rc = tern_p256_ecdh(h->pms, h->kx_priv, h->peer_kx_pub);
        }
        tern_wipe(h->kx_priv, sizeof h->kx_priv);
        if (rc == TERN_ERR_BAD_KEY)
            return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER,
                             "the %s's %s key share is not an uncompressed point on the curve", who,
                             tern_kx_group_name(h->group));
    }
    TERN_TRY(rc);
    h->pms_len = pms_len;
    c->kx_group = h->group;
    return 0;
}
