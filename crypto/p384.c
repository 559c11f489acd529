/*
 * NIST P-384 (FIPS 186-4 §D.1.2.4 curve; SEC 2 v2 §2.5.1): public-key
 * validation (SEC 1 v2 §3.2.2.1), ECDSA verification (FIPS 186-4 §6.4.2),
 * and the secret side: key generation, ECDH (SEC 1 v2 §3.3.1, RFC 8422
 * §5.10) and one ECDSA signing attempt with a given nonce (§6.4.1; the
 * RFC 6979 nonce lives in crypto/ecdsa.c).  See p384.h.
 *
 * Field and scalar elements are six 64-bit limbs, least significant first,
 * in the Montgomery domain (times 2^384) of their modulus; one generic
 * word-by-word Montgomery multiplication serves both, branch-free (the
 * final subtraction is a masked select).  Points use the complete
 * Renes-Costello-Batina formulas for a = -3 (eprint 2015/1060, Algorithms
 * 4 and 6) in homogeneous projective coordinates, as crypto/p256.c does,
 * so no addition is a special case: the identity, doubling and inverse
 * points go through the same instructions.
 *
 * Secret scalars (tern_p384_public_from_private, tern_p384_ecdh, the
 * signing attempt) go through mul_ct: fixed 4-bit windows from the top, four
 * doublings and one addition per window, the addend read from a table of
 * 0P..15P by scanning all 16 entries with masks; inversions are Fermat
 * powers with the public exponent p-2 or n-2.  No branch and no memory
 * index depends on the scalar (tests/ctgrind/ct_p384.c checks it).
 * Verification works on public data only and stays the plain Shamir
 * double-and-add with branches on the (public) scalar bits.
 */
#include "crypto/p384.h"

#include "crypto/ct.h"
#include "crypto/rand.h"

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

/* ---- Multi-precision helpers on six limbs ----
 * Everything below that may see a secret (the field and scalar arithmetic
 * and the point formulas) is branch-free: carries and borrows become masks
 * and the final conditional subtraction is a masked select.  lt6 and
 * is_zero6 branch and are used on public values only (decoding a public
 * key, checking a signature). */

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
/* Mask: all-ones when a != 0.  Constant time. */
static uint64_t nonzero_mask6(const uint64_t a[6]) {
    return tern_ct_mask_u64(tern_ct_is_nonzero_u64(a[0] | a[1] | a[2] | a[3] | a[4] | a[5]));
}
/* r = mask ? a : b, limb by limb. */
static void select6(uint64_t r[6], uint64_t mask, const uint64_t a[6], const uint64_t b[6]) {
    for (int i = 0; i < 6; i++)
        r[i] = tern_ct_select_u64(mask, a[i], b[i]);
}
/* r = a - m (mod 2^384); returns the borrow (0 or 1). */
static uint64_t sub6(uint64_t r[6], const uint64_t a[6], const uint64_t m[6]) {
    uint64_t br = 0;
    for (int i = 0; i < 6; i++) {
        u128 t = (u128)a[i] - m[i] - br;
        r[i] = (uint64_t)t;
        br = (uint64_t)(t >> 64) & 1;
    }
    return br;
}
/* r = a + b mod m for a, b < m: subtract m when the sum carried out or is
 * still >= m (no borrow). */
static void add_mod(uint64_t r[6], const uint64_t a[6], const uint64_t b[6], const uint64_t m[6]) {
    uint64_t t[6], c = 0;
    for (int i = 0; i < 6; i++) {
        u128 s = (u128)a[i] + b[i] + c;
        t[i] = (uint64_t)s;
        c = (uint64_t)(s >> 64);
    }
    uint64_t d[6];
    uint64_t br = sub6(d, t, m);
    select6(r, tern_ct_mask_u64(c | (br ^ 1)), d, t);
}
/* r = a - b mod m for a, b < m: add m back (masked) on a borrow. */
static void sub_mod(uint64_t r[6], const uint64_t a[6], const uint64_t b[6], const uint64_t m[6]) {
    uint64_t t[6];
    uint64_t mask = tern_ct_mask_u64(sub6(t, a, b));
    uint64_t c = 0;
    for (int i = 0; i < 6; i++) {
        u128 s = (u128)t[i] + (m[i] & mask) + c;
        r[i] = (uint64_t)s;
        c = (uint64_t)(s >> 64);
    }
}

/* r = a b / 2^384 mod m (CIOS Montgomery; m0 = -m^-1 mod 2^64), for
 * a, b < m.  The running value stays below 2m, so one masked subtraction
 * ends it. */
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
    select6(r, tern_ct_mask_u64(t[6] | (br ^ 1)), d, t);
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

/* ---- The secret side: constant-time scalar multiplication ---- */

static const uint64_t ONE6[6] = {1, 0, 0, 0, 0, 0};

static void pt_identity(pt384 *r) {
    memset(r, 0, sizeof *r);
    memcpy(r->y, P_ONE, sizeof r->y); /* (0 : 1 : 0) */
}

/* r = tab[idx] for idx in [0, 15], reading every entry. */
static void pt_lookup(pt384 *r, const pt384 tab[16], uint64_t idx) {
    memset(r, 0, sizeof *r);
    for (uint64_t i = 0; i < 16; i++) {
        uint64_t m = tern_ct_mask_u64(tern_ct_eq_u64(i, idx));
        for (int j = 0; j < 6; j++) {
            r->x[j] |= tab[i].x[j] & m;
            r->y[j] |= tab[i].y[j] & m;
            r->z[j] |= tab[i].z[j] & m;
        }
    }
}

/* r = k p for any k < 2^384 (k = 0 or a multiple of n gives the identity).
 * Fixed 4-bit windows, most significant first; the complete formulas make
 * the identity in the accumulator or the table harmless. */
static void mul_ct(pt384 *r, const pt384 *p, const uint64_t k[6]) {
    pt384 tab[16], acc, t;
    pt_identity(&tab[0]);
    tab[1] = *p;
    for (int i = 2; i < 16; i++) {
        if (i % 2 == 0)
            pt_dbl(&tab[i], &tab[i / 2]);
        else
            pt_add(&tab[i], &tab[i - 1], p);
    }
    pt_identity(&acc);
    for (int w = 95; w >= 0; w--) {
        for (int d = 0; d < 4; d++)
            pt_dbl(&acc, &acc);
        uint64_t digit = (k[w / 16] >> (4 * (w % 16))) & 15;
        pt_lookup(&t, tab, digit);
        pt_add(&acc, &acc, &t);
    }
    *r = acc;
    tern_wipe(tab, sizeof tab);
    tern_wipe(&acc, sizeof acc);
    tern_wipe(&t, sizeof t);
}

static void to_bytes(uint8_t b[48], const uint64_t a[6]) {
    for (int i = 0; i < 6; i++)
        tern_store_be64(b + 40 - 8 * i, a[i]);
}

/* Affine x, y (plain, not Montgomery) of p; returns a mask, all-ones unless
 * p is the identity (then x = y = 0).  Constant time: the inverse is a
 * power with the public exponent p - 2 (0 gives 0). */
static uint64_t pt_affine(uint64_t x[6], uint64_t y[6], const pt384 *p) {
    fe384 zi;
    finv(zi, p->z);
    fmul(x, p->x, zi);
    fmul(x, x, ONE6);
    fmul(y, p->y, zi);
    fmul(y, y, ONE6);
    tern_wipe(zi, sizeof zi);
    return nonzero_mask6(p->z);
}

static void base_point(pt384 *g) {
    memcpy(g->x, GX_M, sizeof g->x);
    memcpy(g->y, GY_M, sizeof g->y);
    memcpy(g->z, P_ONE, sizeof g->z);
}

/* Mask: all-ones when 1 <= a <= n-1.  Constant time. */
static uint64_t scalar_valid(const uint64_t a[6]) {
    uint64_t t[6];
    uint64_t lt = sub6(t, a, N); /* borrow: a < n */
    return tern_ct_mask_u64(lt) & nonzero_mask6(a);
}

/* TERN_ERR_BAD_KEY unless mask is all-ones, without a branch on it. */
static int status_of(uint64_t mask) {
    return (int)(int64_t)tern_ct_select_u64(mask, 0, (uint64_t)(int64_t)TERN_ERR_BAD_KEY);
}

int tern_p384_check_private(const uint8_t priv[TERN_P384_SCALAR_LEN]) {
    uint64_t d[6];
    from_bytes(d, priv);
    int rc = status_of(scalar_valid(d));
    tern_wipe(d, sizeof d);
    return rc;
}

int tern_p384_public_from_private(uint8_t pub[TERN_P384_PUBLIC_LEN], const uint8_t priv[TERN_P384_SCALAR_LEN]) {
    uint64_t d[6], x[6], y[6];
    pt384 g, q;
    from_bytes(d, priv);
    uint64_t ok = scalar_valid(d);
    base_point(&g);
    mul_ct(&q, &g, d);
    ok &= pt_affine(x, y, &q);
    for (int i = 0; i < 6; i++) {
        x[i] &= ok;
        y[i] &= ok;
    }
    pub[0] = (uint8_t)(0x04 & ok);
    to_bytes(pub + 1, x);
    to_bytes(pub + 49, y);
    tern_wipe(d, sizeof d);
    tern_wipe(&q, sizeof q);
    return status_of(ok);
}

int tern_p384_keygen(uint8_t priv[TERN_P384_SCALAR_LEN], uint8_t pub[TERN_P384_PUBLIC_LEN], tern_rng_fn rng,
                     void *rng_arg) {
    /* FIPS 186-4 §B.4.2 (testing candidates): 384 random bits, drawn again
     * while 0 or >= n.  n is within 2^190 of 2^384, so a redraw is
     * practically never needed; it would reveal nothing about the key
     * kept. */
    for (int tries = 0; tries < 64; tries++) {
        int rc = tern_rand_fill(rng, rng_arg, priv, TERN_P384_SCALAR_LEN);
        if (rc < 0) {
            memset(pub, 0, TERN_P384_PUBLIC_LEN);
            return rc;
        }
        uint64_t d[6];
        from_bytes(d, priv);
        uint64_t ok = scalar_valid(d);
        tern_wipe(d, sizeof d);
        if (ok)
            return tern_p384_public_from_private(pub, priv);
    }
    tern_wipe(priv, TERN_P384_SCALAR_LEN);
    memset(pub, 0, TERN_P384_PUBLIC_LEN);
    return TERN_ERR_RNG;
}

int tern_p384_ecdh(uint8_t out[TERN_P384_SHARED_LEN], const uint8_t priv[TERN_P384_SCALAR_LEN],
                   const uint8_t peer[TERN_P384_PUBLIC_LEN]) {
    pt384 q, s;
    /* The peer's point is public: validate it before any secret is used. */
    if (pt_decode(&q, peer) < 0) {
        memset(out, 0, TERN_P384_SHARED_LEN);
        return TERN_ERR_BAD_KEY;
    }
    uint64_t d[6], x[6], y[6];
    from_bytes(d, priv);
    uint64_t ok = scalar_valid(d);
    mul_ct(&s, &q, d);
    /* A valid point has prime order n, so d in [1, n-1] never reaches the
     * identity; checked anyway, in the mask. */
    ok &= pt_affine(x, y, &s);
    for (int i = 0; i < 6; i++)
        x[i] &= ok;
    to_bytes(out, x);
    tern_wipe(d, sizeof d);
    tern_wipe(x, sizeof x);
    tern_wipe(y, sizeof y);
    tern_wipe(&s, sizeof s);
    return status_of(ok);
}

int tern_p384_point_mul(uint8_t out[TERN_P384_PUBLIC_LEN], const uint8_t k[TERN_P384_SCALAR_LEN],
                        const uint8_t p[TERN_P384_PUBLIC_LEN]) {
    pt384 q, s;
    memset(out, 0, TERN_P384_PUBLIC_LEN);
    TERN_TRY(pt_decode(&q, p));
    uint64_t d[6], x[6], y[6];
    from_bytes(d, k);
    uint64_t ok = scalar_valid(d);
    mul_ct(&s, &q, d);
    ok &= pt_affine(x, y, &s);
    if (!ok)
        return TERN_ERR_BAD_KEY;
    out[0] = 0x04;
    to_bytes(out + 1, x);
    to_bytes(out + 49, y);
    return 0;
}

/* bits2int(digest) mod n (RFC 6979 §2.3.2, FIPS 186-4 §6.4): the leftmost
 * 384 bits (a shorter digest is taken whole), reduced once (< 2^384 < 2n). */
static void digest_to_scalar(uint64_t e[6], const uint8_t *digest, size_t dlen) {
    uint8_t eb[48] = {0};
    if (dlen >= 48)
        memcpy(eb, digest, 48);
    else
        memcpy(eb + 48 - dlen, digest, dlen);
    from_bytes(e, eb);
    uint64_t t[6];
    uint64_t lt = sub6(t, e, N);
    select6(e, tern_ct_mask_u64(lt), e, t);
}

void tern_p384_bits2octets(uint8_t out[48], const uint8_t *digest, size_t dlen) {
    uint64_t e[6];
    digest_to_scalar(e, digest, dlen);
    to_bytes(out, e);
}

uint64_t tern_p384_ecdsa_sign_with_k(const uint8_t priv[TERN_P384_SCALAR_LEN], const uint8_t *digest, size_t dlen,
                                     const uint8_t kb[TERN_P384_SCALAR_LEN], uint8_t sig[2 * TERN_P384_SCALAR_LEN]) {
    uint64_t d[6], k[6], e[6], x[6], y[6], r[6], s[6], kinv[6], t[6];
    pt384 g, rp;
    from_bytes(d, priv);
    from_bytes(k, kb);
    uint64_t ok = scalar_valid(d) & scalar_valid(k);
    digest_to_scalar(e, digest, dlen);

    base_point(&g);
    mul_ct(&rp, &g, k); /* R = k G */
    ok &= pt_affine(x, y, &rp);
    /* r = x(R) mod n: x < p < 2n, one masked subtraction. */
    uint64_t lt = sub6(t, x, N);
    select6(r, tern_ct_mask_u64(lt), x, t);
    ok &= nonzero_mask6(r);

    n_inv(kinv, k); /* k^(n-2): public exponent */
    n_mul(s, r, d);
    add_mod(s, s, e, N);
    n_mul(s, kinv, s);
    ok &= nonzero_mask6(s);

    to_bytes(sig, r);
    to_bytes(sig + 48, s);
    tern_wipe(d, sizeof d);
    tern_wipe(k, sizeof k);
    tern_wipe(kinv, sizeof kinv);
    tern_wipe(x, sizeof x);
    tern_wipe(y, sizeof y);
    tern_wipe(&rp, sizeof rp);
    return ok;
}
