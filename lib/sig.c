/*
 * Signature schemes: the RSA ones (hash and padding of each), ECDSA for
 * the ECDHE_ECDSA suites and ECDSA client certificates (RFC 8422 §5.4
 * "Signature", §6), and the one list tern offers and accepts everywhere a
 * list is sent: signature_algorithms in ClientHello (RFC 5246 §7.4.1.4.1)
 * and supported_signature_algorithms in CertificateRequest (§7.4.4):
 *
 *   ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256,
 *   ecdsa_secp384r1_sha384, rsa_pss_rsae_sha384, rsa_pkcs1_sha384,
 *   rsa_pss_rsae_sha512, rsa_pkcs1_sha512
 *
 * whatever the suite's PRF hash (the transcript is kept under each hash a
 * CertificateVerify may use: lib/hs.c).
 *
 * The curve.  In TLS 1.2 a scheme code is a (hash, signature) pair, so
 * 0x0403 is "SHA-256 with ECDSA" and 0x0503 "SHA-384 with ECDSA" on
 * whatever curve the certificate names (the curve in the TLS 1.3 names
 * binds only in TLS 1.3, RFC 8446 §4.2.3).  tern therefore accepts both
 * ECDSA schemes with P-256 and with P-384 keys, as OpenSSL and BoringSSL
 * do in TLS 1.2, and signs, with either curve, with the first scheme of
 * the list above the peer accepts: SHA-256 when it may (the cheapest, and
 * the one every TLS 1.2 ECDSA peer accepts), else SHA-384.  A peer that
 * wants the curve-matched hash for a P-384 key gets it by offering only
 * ecdsa_secp384r1_sha384.  Signatures are DER SEQUENCE { INTEGER r,
 * INTEGER s } (RFC 8422 §5.4), decoded strictly by crypto/ecdsa.c.
 */
#define TERN_LAYER TERN_LAYER_RECORD_KEYS
#include "crypto/ecdsa.h"
#include "lib/sig.h"
#include "lib/trace.h"

/* Our preference: PSS first (RFC 8446 prefers it), then PKCS#1 v1.5 for
 * older peers; SHA-256 before the longer hashes (RSA-2048 gives ~112-bit
 * security, so SHA-256 is not the weak link and is the fastest). */
const uint16_t tern_sigalgs_rsa[6] = {
    TERN_SIG_RSA_PSS_RSAE_SHA256, TERN_SIG_RSA_PKCS1_SHA256, TERN_SIG_RSA_PSS_RSAE_SHA384,
    TERN_SIG_RSA_PKCS1_SHA384,    TERN_SIG_RSA_PSS_RSAE_SHA512, TERN_SIG_RSA_PKCS1_SHA512,
};

int tern_sigalg_info(uint16_t scheme, tern_hash_alg *hash) {
    switch (scheme) {
    case TERN_SIG_RSA_PKCS1_SHA256: *hash = TERN_HASH_SHA256; return 0;
    case TERN_SIG_RSA_PKCS1_SHA384: *hash = TERN_HASH_SHA384; return 0;
    case TERN_SIG_RSA_PKCS1_SHA512: *hash = TERN_HASH_SHA512; return 0;
    case TERN_SIG_RSA_PSS_RSAE_SHA256: *hash = TERN_HASH_SHA256; return 1;
    case TERN_SIG_RSA_PSS_RSAE_SHA384: *hash = TERN_HASH_SHA384; return 1;
    case TERN_SIG_RSA_PSS_RSAE_SHA512: *hash = TERN_HASH_SHA512; return 1;
    default: return -1;
    }
}

/* ECDSA first: a P-256 signature is cheaper to check than to argue about;
 * then the RSA schemes in tern_sigalgs_rsa's order. */
const uint16_t tern_sigalgs_offer[8] = {
    TERN_SIG_ECDSA_SECP256R1_SHA256, TERN_SIG_RSA_PSS_RSAE_SHA256, TERN_SIG_RSA_PKCS1_SHA256,
    TERN_SIG_ECDSA_SECP384R1_SHA384, TERN_SIG_RSA_PSS_RSAE_SHA384, TERN_SIG_RSA_PKCS1_SHA384,
    TERN_SIG_RSA_PSS_RSAE_SHA512,    TERN_SIG_RSA_PKCS1_SHA512,
};

int tern_sig_offered(uint16_t scheme) {
    for (size_t i = 0; i < TERN_ARRAY_LEN(tern_sigalgs_offer); i++)
        if (tern_sigalgs_offer[i] == scheme)
            return 1;
    return 0;
}

int tern_sig_fits_key(uint16_t scheme, tern_x509_key_type type, tern_hash_alg *hash) {
    tern_hash_alg h = TERN_HASH_SHA256;
    int ok = tern_sig_is_ecdsa(scheme, &h) ? type == TERN_X509_KEY_EC
                                             : tern_sigalg_info(scheme, &h) >= 0 && type == TERN_X509_KEY_RSA;
    if (ok && hash != NULL)
        *hash = h;
    return ok;
}

int tern_sig_is_ecdsa(uint16_t scheme, tern_hash_alg *hash) {
    switch (scheme) {
    case TERN_SIG_ECDSA_SECP256R1_SHA256: *hash = TERN_HASH_SHA256; return 1;
    case TERN_SIG_ECDSA_SECP384R1_SHA384: *hash = TERN_HASH_SHA384; return 1;
    default: return 0;
    }
}

static int in_list(uint16_t s, const uint16_t *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (list[i] == s)
            return 1;
    return 0;
}

uint16_t tern_sig_choose(const tern_keystore *ks, const uint16_t *peer, size_t npeer) {
    if (ks->key_type == TERN_X509_KEY_EC) {
        /* P-256 or P-384 key: SHA-256 first, SHA-384 when that is all the
         * peer takes (either with either curve in TLS 1.2; see above). */
        static const uint16_t ec[2] = {TERN_SIG_ECDSA_SECP256R1_SHA256, TERN_SIG_ECDSA_SECP384R1_SHA384};
        for (size_t i = 0; i < TERN_ARRAY_LEN(ec); i++)
            if (in_list(ec[i], peer, npeer))
                return ec[i];
        return 0;
    }
    if (ks->key_type == TERN_X509_KEY_RSA)
        for (size_t i = 0; i < TERN_ARRAY_LEN(tern_sigalgs_rsa); i++)
            if (in_list(tern_sigalgs_rsa[i], peer, npeer))
                return tern_sigalgs_rsa[i];
    return 0;
}

static int write_ecdsa(const tern_conn *c, const tern_keystore *ks, tern_hash_alg alg, const uint8_t *digest,
                       tern_writer *w) {
    uint8_t sig[TERN_ECDSA_MAX_SIG_LEN];
    size_t siglen = 0;
    TERN_TRY(tern_keystore_sign(ks, TERN_KEYSTORE_ECDSA, alg, digest, sig, sizeof sig, &siglen, c->cfg->rng,
                                c->cfg->rng_arg));
    TERN_ENSURE(siglen > 0 && siglen <= sizeof sig, TERN_ERR_INTERNAL);
    TERN_TRY(tern_wr_u16(w, (uint16_t)siglen));
    return tern_wr_bytes(w, sig, siglen);
}

int tern_sig_write(const tern_conn *c, const tern_keystore *ks, uint16_t scheme, const uint8_t *digest,
                   tern_writer *w) {
    tern_hash_alg alg;
    TERN_TRY(tern_wr_u16(w, scheme));
    if (ks->key_type == TERN_X509_KEY_EC) {
        TERN_ENSURE(tern_sig_is_ecdsa(scheme, &alg), TERN_ERR_INTERNAL);
        return write_ecdsa(c, ks, alg, digest, w);
    }
    int pss = tern_sigalg_info(scheme, &alg);
    TERN_ENSURE(pss >= 0, TERN_ERR_INTERNAL);
    size_t modlen = tern_rsa_len(&ks->rsa.pub), siglen = 0;
    uint8_t *sig;
    TERN_TRY(tern_wr_u16(w, (uint16_t)modlen));
    TERN_TRY(tern_wr_reserve(w, modlen, &sig));
    TERN_TRY(tern_keystore_sign(ks, pss ? TERN_KEYSTORE_RSA_PSS : TERN_KEYSTORE_RSA_PKCS1, alg, digest, sig, modlen,
                                &siglen, c->cfg->rng, c->cfg->rng_arg));
    TERN_ENSURE(siglen == modlen, TERN_ERR_INTERNAL);
    return 0;
}

static int verify_ecdsa(const tern_conn *c, tern_hash_alg alg, const uint8_t *digest, const uint8_t *sig,
                        size_t siglen) {
    const tern_hs_state *h = c->hs_state;
    TERN_ENSURE(h->peer_key_type == TERN_X509_KEY_EC, TERN_ERR_INTERNAL);
    int rc;
    if (h->peer_curve == TERN_X509_CURVE_P256)
        rc = tern_ecdsa_p256_verify(h->peer_ec, alg, digest, sig, siglen);
    else if (h->peer_curve == TERN_X509_CURVE_P384)
        rc = tern_ecdsa_p384_verify(h->peer_ec, alg, digest, sig, siglen);
    else
        return TERN_ERR_INTERNAL; /* the Certificate parser admits no other curve */
    /* Any failure of a key that passed certificate parsing is the
     * signature's fault. */
    return rc == 0 ? 0 : TERN_ERR_BAD_SIGNATURE;
}

int tern_sig_verify(tern_conn *c, int type, uint16_t scheme, const uint8_t *digest, const uint8_t *sig,
                    size_t siglen) {
    const tern_hs_state *h = c->hs_state;
    tern_hash_alg alg;
    TERN_ENSURE(tern_sig_fits_key(scheme, h->peer_key_type, &alg), TERN_ERR_INTERNAL);
    int rc;
    if (h->peer_key_type == TERN_X509_KEY_EC)
        rc = verify_ecdsa(c, alg, digest, sig, siglen);
    else
        rc = tern_sigalg_info(scheme, &alg) ? tern_rsa_pss_verify(&h->peer_rsa, alg, digest, sig, siglen)
                                            : tern_rsa_pkcs1_verify(&h->peer_rsa, alg, digest, sig, siglen);
    tern_trace_signature(c, type, scheme, rc); /* the verdict, as it was reached */
    return rc;
}
