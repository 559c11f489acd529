/*
 * NIST P-384 verification (FIPS 186-4 §D.1.2.4 curve, §6.4.2 ECDSA
 * verification; SEC 1 v2 §3.2.2.1 public key validation).  See p384.h.
 *
 * Everything here is public (a public key, a signature, a digest), so the
 * code is written for clarity rather than constant time: plain
 * square-and-multiply inversions and Shamir's double-and-add for
 * u1 G + u2 Q.  Field and scalar elements are six 64-bit limbs, least
 * significant first, in the Montgomery domain (times 2^384) of their
 * modulus; one generic word-by-word Montgomery multiplication serves both.
 * Points use the complete Renes-Costello-Batina formulas for a = -3
 * (eprint 2015/1060, Algorithms 4 and 6) in homogeneous projective
 * coordinates, as crypto/p256.c does for its fixed-base walk, so no
 * addition is a special case.
 */
#include "crypto/p384.h"

__extension__ typedef unsigned __int128 u128;
typedef uint64_t fe384[6];

/* p = 2^384 - 2^128 - 2^96 + 2^32 - 1, n the group order, and the
 * Montgomery constants (checked by the tests through known answers). */
static const uint64_t P[6] = {0x00000000ffffffffu, 0xffffffff00000000u, 0xfffffffffffffffeu,
                              0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu};
static const uint64_t P_N0 = 0x0000000100000001u; /* -p^-1 mod 2^64 */
static const uint64_t P_RR[6] = {0xfffffffe00000001u, 0x0000000200000000u, 0xfffffffe00000000u,
                                 0x0000000200000000u, 0x0000000000000001u, 0x0000000000000000u};
static const uint64_t P_ONE[6] = {0xffffffff00000001u, 0x00000000ffffffffu, 0x0000000000000001u, 0, 0, 0};
static const uint64_t B_M[6] = {0x081188719d412dccu, 0xf729add87a4c32ecu, 0x77f2209b1920022eu,
                                0xe3374bee94938ae2u, 0xb62b21f41f022094u, 0xcd08114b604fbff9u};
static const uint64_t GX_M[6] = {0x3dd0756649c0b528u, 0x20e378e2a0d6ce38u, 0x879c3afc541b4d6eu,
                                 0x6454868459a30effu, 0x812ff723614ede2bu, 0x4d3aadc2299e1513u};
static const uint64_t GY_M[6] = {0x23043dad4b03a4feu, 0xa1bfa8bf7bb4a9acu, 0x8bade7562e83b050u,
                                 0xc6c3521968f4ffd9u, 0xdd8002263969a840u, 0x2b78abc25a15c5e9u};
static const uint64_t N[6] = {0xecec196accc52973u, 0x581a0db248b0a77au, 0xc7634d81f4372ddfu,
                              0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu};
static const uint64_t N_N0 = 0x6ed46089e88fdc45u;
static const uint64_t N_RR[6] = {0x2d319b2419b409a9u, 0xff3d81e5df1aa419u, 0xbc3e483afcb82947u,
                                 0xd40d49174aab1cc5u, 0x3fb05b7a28266895u, 0x0c84ee012b39bf21u};

/* ---- Multi-precision helpers on six limbs ---- */

/* 1 if a < m. */
static int lt6(const uint64_t a[6], const uint64_t m[6]) {
    for (int i = 5; i >= 0; i--) {
        if (a[i] != m[i])
            return a[i] < m[i];
    }
    return 0;
}
static int is_zero6(const uint64_t a[6]) {
    return (a[0] | a[1] | a[2] | a[3] | a[4] | a[5]) == 0;
}
/* r = a - m (mod 2^384); returns the borrow. */
static uint64_t sub6(uint64_t r[6], const uint64_t a[6], const uint64_t m[6]) {
    uint64_t br = 0;
    for (int i = 0; i < 6; i++) {
        u128 t = (u128)a[i] - m[i] - br;
        r[i] = (uint64_t)t;
        br = (uint64_t)(t >> 64) & 1;
    }
    return br;
}
/* r = a + b mod m for a, b < m. */
static void add_mod(uint64_t r[6], const uint64_t a[6], const uint64_t b[6], const uint64_t m[6]) {
    uint64_t t[6], c = 0;
    for (int i = 0; i < 6; i++) {
        u128 s = (u128)a[i] + b[i] + c;
        t[i] = (uint64_t)s;
        c = (uint64_t)(s >> 64);
    }
    uint64_t d[6];
    uint64_t br = sub6(d, t, m);
    if (c || !br)
        memcpy(r, d, sizeof d);
    else
        memcpy(r, t, sizeof t);
}
/* r = a - b mod m for a, b < m. */
static void sub_mod(uint64_t r[6], const uint64_t a[6], const uint64_t b[6], const uint64_t m[6]) {
    uint64_t t[6];
    if (sub6(t, a, b)) {
        uint64_t c = 0;
        for (int i = 0; i < 6; i++) {
            u128 s = (u128)t[i] + m[i] + c;
            t[i] = (uint64_t)s;
            c = (uint64_t)(s >> 64);
        }
    }
    memcpy(r, t, sizeof t);
}

/* r = a b / 2^384 mod m (CIOS Montgomery; m0 = -m^-1 mod 2^64), for
 * a, b < m.  The running value stays below 2m. */
static void mont_mul(uint64_t r[6], const uint64_t a[6], const uint64_t b[6], const uint64_t m[6], uint64_t m0) {
    uint64_t t[8] = {0};
    for (int i = 0; i < 6; i++) {
        u128 c = 0;
        for (int j = 0; j < 6; j++) {
            c = (u128)a[j] * b[i] + t[j] + (uint64_t)(c >> 64);
            t[j] = (uint64_t)c;
        }
        c = (u128)t[6] + (uint64_t)(c >> 64);
        t[6] = (uint64_t)c;
        t[7] = (uint64_t)(c >> 64);
        uint64_t q = t[0] * m0;
        c = (u128)q * m[0] + t[0]; /* low word becomes 0 */
        for (int j = 1; j < 6; j++) {
            c = (u128)q * m[j] + t[j] + (uint64_t)(c >> 64);
            t[j - 1] = (uint64_t)c;
        }
        c = (u128)t[6] + (uint64_t)(c >> 64);
        t[5] = (uint64_t)c;
        t[6] = t[7] + (uint64_t)(c >> 64);
    }
    uint64_t d[6];
    uint64_t br = sub6(d, t, m);
    if (t[6] || !br)
        memcpy(r, d, sizeof d);
    else
        memcpy(r, t, 6 * sizeof(uint64_t));
}

/* r = a^e mod m in the Montgomery domain (one = R mod m), e public,
 * left-to-right square-and-multiply. */
static void mont_pow(uint64_t r[6], const uint64_t a[6], const uint64_t e[6], const uint64_t one[6],
                     const uint64_t m[6], uint64_t m0) {
    uint64_t acc[6];
    memcpy(acc, one, sizeof acc);
    for (int bit = 383; bit >= 0; bit--) {
        mont_mul(acc, acc, acc, m, m0);
        if ((e[bit / 64] >> (bit % 64)) & 1)
            mont_mul(acc, acc, a, m, m0);
    }
    memcpy(r, acc, sizeof acc);
}

static void from_bytes(uint64_t r[6], const uint8_t b[48]) {
    for (int i = 0; i < 6; i++)
        r[i] = tern_load_be64(b + 40 - 8 * i);
}

/* ---- Field mod p ---- */
static void fmul(fe384 r, const fe384 a, const fe384 b) {
    mont_mul(r, a, b, P, P_N0);
}
static void fadd(fe384 r, const fe384 a, const fe384 b) {
    add_mod(r, a, b, P);
}
static void fsub(fe384 r, const fe384 a, const fe384 b) {
    sub_mod(r, a, b, P);
}
static void finv(fe384 r, const fe384 a) {
    uint64_t e[6];
    (void)sub6(e, P, (const uint64_t[6]){2, 0, 0, 0, 0, 0});
    mont_pow(r, a, e, P_ONE, P, P_N0);
}

/* ---- Points (homogeneous projective, RCB complete formulas) ---- */
typedef struct {
    fe384 x, y, z;
} pt384;

/* RCB Algorithm 4 (a = -3).  r may alias p or q. */
static void pt_add(pt384 *r, const pt384 *p, const pt384 *q) {
    fe384 t0, t1, t2, t3, t4, x3, y3, z3;
    fmul(t0, p->x, q->x);
    fmul(t1, p->y, q->y);
    fmul(t2, p->z, q->z);
    fadd(t3, p->x, p->y);
    fadd(t4, q->x, q->y);
    fmul(t3, t3, t4);
    fadd(t4, t0, t1);
    fsub(t3, t3, t4);
    fadd(t4, p->y, p->z);
    fadd(x3, q->y, q->z);
    fmul(t4, t4, x3);
    fadd(x3, t1, t2);
    fsub(t4, t4, x3);
    fadd(x3, p->x, p->z);
    fadd(y3, q->x, q->z);
    fmul(x3, x3, y3);
    fadd(y3, t0, t2);
    fsub(y3, x3, y3);
    fmul(z3, B_M, t2);
    fsub(x3, y3, z3);
    fadd(z3, x3, x3);
    fadd(x3, x3, z3);
    fsub(z3, t1, x3);
    fadd(x3, t1, x3);
    fmul(y3, B_M, y3);
    fadd(t1, t2, t2);
    fadd(t2, t1, t2);
    fsub(y3, y3, t2);
    fsub(y3, y3, t0);
    fadd(t1, y3, y3);
    fadd(y3, t1, y3);
    fadd(t1, t0, t0);
    fadd(t0, t1, t0);
    fsub(t0, t0, t2);
    fmul(t1, t4, y3);
    fmul(t2, t0, y3);
    fmul(y3, x3, z3);
    fadd(y3, y3, t2);
    fmul(x3, x3, t3);
    fsub(x3, x3, t1);
    fmul(z3, z3, t4);
    fmul(t1, t3, t0);
    fadd(z3, z3, t1);
    memcpy(r->x, x3, sizeof x3);
    memcpy(r->y, y3, sizeof y3);
    memcpy(r->z, z3, sizeof z3);
}

/* RCB Algorithm 6 (a = -3).  r may alias p. */
static void pt_dbl(pt384 *r, const pt384 *p) {
    fe384 t0, t1, t2, t3, x3, y3, z3;
    fmul(t0, p->x, p->x);
    fmul(t1, p->y, p->y);
    fmul(t2, p->z, p->z);
    fmul(t3, p->x, p->y);
    fadd(t3, t3, t3);
    fmul(z3, p->x, p->z);
    fadd(z3, z3, z3);
    fmul(y3, B_M, t2);
    fsub(y3, y3, z3);
    fadd(x3, y3, y3);
    fadd(y3, x3, y3);
    fsub(x3, t1, y3);
    fadd(y3, t1, y3);
    fmul(y3, x3, y3);
    fmul(x3, x3, t3);
    fadd(t3, t2, t2);
    fadd(t2, t2, t3);
    fmul(z3, B_M, z3);
    fsub(z3, z3, t2);
    fsub(z3, z3, t0);
    fadd(t3, z3, z3);
    fadd(z3, z3, t3);
    fadd(t3, t0, t0);
    fadd(t0, t3, t0);
    fsub(t0, t0, t2);
    fmul(t0, t0, z3);
    fadd(y3, y3, t0);
    fmul(t0, p->y, p->z);
    fadd(t0, t0, t0);
    fmul(z3, t0, z3);
    fsub(x3, x3, z3);
    fmul(z3, t0, t1);
    fadd(z3, z3, z3);
    fadd(z3, z3, z3);
    memcpy(r->x, x3, sizeof x3);
    memcpy(r->y, y3, sizeof y3);
    memcpy(r->z, z3, sizeof z3);
}

/* Decode and validate 04 || X || Y into Montgomery-form projective
 * (X : Y : 1). */
static int pt_decode(pt384 *r, const uint8_t in[97]) {
    uint64_t x[6], y[6];
    fe384 lhs, rhs, t;
    TERN_ENSURE(in[0] == 0x04, TERN_ERR_BAD_KEY);
    from_bytes(x, in + 1);
    from_bytes(y, in + 49);
    TERN_ENSURE(lt6(x, P) && lt6(y, P), TERN_ERR_BAD_KEY);
    fmul(r->x, x, P_RR);
    fmul(r->y, y, P_RR);
    memcpy(r->z, P_ONE, sizeof r->z);
    /* y^2 = x^3 - 3x + b */
    fmul(lhs, r->y, r->y);
    fmul(rhs, r->x, r->x);
    fmul(rhs, rhs, r->x);
    fadd(t, r->x, r->x);
    fadd(t, t, r->x);
    fsub(rhs, rhs, t);
    fadd(rhs, rhs, B_M);
    TERN_ENSURE(memcmp(lhs, rhs, sizeof lhs) == 0, TERN_ERR_BAD_KEY);
    return 0;
}

int tern_p384_check_public(const uint8_t pub[97]) {
    pt384 q;
    return pt_decode(&q, pub);
}

/* ---- Scalars mod n ---- */
static void n_mul(uint64_t r[6], const uint64_t a[6], const uint64_t b[6]) {
    uint64_t t[6];
    mont_mul(t, a, b, N, N_N0);   /* a b / R */
    mont_mul(r, t, N_RR, N, N_N0); /* a b */
}
static void n_inv(uint64_t r[6], const uint64_t a[6]) {
    uint64_t am[6], one_m[6], e[6], t[6];
    static const uint64_t one[6] = {1, 0, 0, 0, 0, 0};
    mont_mul(am, a, N_RR, N, N_N0);     /* a R */
    mont_mul(one_m, one, N_RR, N, N_N0); /* R */
    (void)sub6(e, N, (const uint64_t[6]){2, 0, 0, 0, 0, 0});
    mont_pow(t, am, e, one_m, N, N_N0);
    mont_mul(r, t, one, N, N_N0);
}

int tern_p384_ecdsa_verify_raw(const uint8_t pub[97], const uint8_t *digest, size_t dlen, const uint8_t sig[96]) {
    uint64_t r[6], s[6], e[6], w[6], u1[6], u2[6];
    uint8_t eb[48] = {0};
    pt384 q, g, gq, acc;
    from_bytes(r, sig);
    from_bytes(s, sig + 48);
    /* SEC 1 §4.1.4 step 1: r, s in [1, n-1]. */
    TERN_ENSURE(!is_zero6(r) && lt6(r, N) && !is_zero6(s) && lt6(s, N), TERN_ERR_BAD_SIGNATURE);
    TERN_TRY(pt_decode(&q, pub));
    /* e = leftmost 384 bits of the digest (a shorter digest is taken whole),
     * reduced once: e < 2^384 < 2n. */
    if (dlen >= 48)
        memcpy(eb, digest, 48);
    else
        memcpy(eb + 48 - dlen, digest, dlen);
    from_bytes(e, eb);
    if (!lt6(e, N))
        (void)sub6(e, e, N);
    n_inv(w, s);
    n_mul(u1, e, w);
    n_mul(u2, r, w);

    /* Shamir: acc = u1 G + u2 Q, one bit of each per doubling. */
    memcpy(g.x, GX_M, sizeof g.x);
    memcpy(g.y, GY_M, sizeof g.y);
    memcpy(g.z, P_ONE, sizeof g.z);
    pt_add(&gq, &g, &q);
    memset(&acc, 0, sizeof acc);
    memcpy(acc.y, P_ONE, sizeof acc.y); /* the identity (0 : 1 : 0) */
    for (int bit = 383; bit >= 0; bit--) {
        pt_dbl(&acc, &acc);
        int b1 = (int)((u1[bit / 64] >> (bit % 64)) & 1), b2 = (int)((u2[bit / 64] >> (bit % 64)) & 1);
        if (b1 && b2)
            pt_add(&acc, &acc, &gq);
        else if (b1)
            pt_add(&acc, &acc, &g);
        else if (b2)
            pt_add(&acc, &acc, &q);
    }
    TERN_ENSURE(!is_zero6(acc.z), TERN_ERR_BAD_SIGNATURE);
    /* x = X / Z, out of the Montgomery domain, then mod n. */
    fe384 zi, x;
    static const uint64_t one[6] = {1, 0, 0, 0, 0, 0};
    finv(zi, acc.z);
    fmul(x, acc.x, zi);
    fmul(x, x, one);
    if (!lt6(x, N))
        (void)sub6(x, x, N);
    TERN_ENSURE(memcmp(x, r, sizeof x) == 0, TERN_ERR_BAD_SIGNATURE);
    return 0;
}
