/*
 * X25519 (RFC 7748 §5) and its key generation, portable constant-time C.
 *
 * The variable-base function is the Montgomery ladder of RFC 7748 §5 on
 * projective (X:Z) u-coordinates, with a masked conditional swap per bit and
 * one inversion by a fixed addition chain at the end.  The field code is in
 * crypto/fe25519.h.  RFC 7748 §6.1 / RFC 8422 §5.11: an all-zero shared
 * secret (the peer sent a point of small order) is reported as
 * TERN_ERR_ZERO_SECRET.
 */
#include "crypto/x25519.h"

#include "crypto/ct.h"
#include "crypto/fe25519.h"
#include "crypto/rand.h"
#include "crypto/x25519_internal.h"

/* RFC 7748 §5 decodeScalar25519: clear the three low bits (a multiple of the
 * cofactor 8, so small-subgroup components vanish), clear bit 255 and set
 * bit 254 (a fixed bit length, so the ladder's running time is the same for
 * every key). */
void tern_x25519_clamp(uint8_t k[32], const uint8_t scalar[32]) {
    memcpy(k, scalar, 32);
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
}

/* The ladder state: every field here depends on the scalar and is wiped. */
struct ladder {
    fe25519 x1, x2, z2, x3, z3;
    fe25519 a, b, c, d, aa, bb, e, da, cb;
};

/* One ladder step (RFC 7748 §5, the loop body after the swap):
 * (x2:z2) <- 2 (x2:z2), (x3:z3) <- (x2:z2) + (x3:z3), given x1 = u of the
 * difference.  Bounds: x2..z3 and x1 are tight (< 2^51 + 2^15), so sums are
 * < 2^52.1 and differences < 2^53.1, all within fe25519_mul's 2^54. */
static void ladder_step(struct ladder *s) {
    fe25519_add(s->a, s->x2, s->z2);        /* A = x2 + z2 */
    fe25519_sub(s->b, s->x2, s->z2);        /* B = x2 - z2 */
    fe25519_add(s->c, s->x3, s->z3);        /* C = x3 + z3 */
    fe25519_sub(s->d, s->x3, s->z3);        /* D = x3 - z3 */
    fe25519_mul(s->da, s->d, s->a);         /* DA */
    fe25519_mul(s->cb, s->c, s->b);         /* CB */
    fe25519_sq(s->aa, s->a);                /* AA */
    fe25519_sq(s->bb, s->b);                /* BB */
    fe25519_add(s->x3, s->da, s->cb);
    fe25519_sq(s->x3, s->x3);               /* x3 = (DA + CB)^2 */
    fe25519_sub(s->z3, s->da, s->cb);
    fe25519_sq(s->z3, s->z3);
    fe25519_mul(s->z3, s->z3, s->x1);       /* z3 = x1 (DA - CB)^2 */
    fe25519_mul(s->x2, s->aa, s->bb);       /* x2 = AA BB */
    fe25519_sub(s->e, s->aa, s->bb);        /* E = AA - BB */
    fe25519_mul_small(s->a, s->e, 121665);  /* a24 E, a24 = (486662 - 2) / 4 */
    fe25519_add(s->a, s->a, s->aa);
    fe25519_mul(s->z2, s->e, s->a);         /* z2 = E (AA + a24 E) */
}

void tern_x25519_ladder(uint8_t out[32], const uint8_t k[32], const uint8_t u[32]) {
    struct ladder s;
    fe25519_frombytes(s.x1, u);
    fe25519_1(s.x2);
    fe25519_0(s.z2);
    fe25519_copy(s.x3, s.x1);
    fe25519_1(s.z3);
    uint64_t swap = 0;
    /* Bit 255 of a clamped scalar is 0 and bit 254 is 1; the loop covers
     * bits 254..0 as RFC 7748 §5 writes it.  The bit index t is public; the
     * bit value only ever feeds a mask. */
    for (int t = 254; t >= 0; t--) {
        uint64_t bit = (uint64_t)(k[t >> 3] >> (t & 7)) & 1;
        swap ^= bit;
        uint64_t mask = tern_ct_mask_u64(swap);
        fe25519_cswap(mask, s.x2, s.x3);
        fe25519_cswap(mask, s.z2, s.z3);
        swap = bit;
        ladder_step(&s);
    }
    uint64_t mask = tern_ct_mask_u64(swap);
    fe25519_cswap(mask, s.x2, s.x3);
    fe25519_cswap(mask, s.z2, s.z3);
    fe25519_invert(s.z2, s.z2);
    fe25519_mul(s.x2, s.x2, s.z2);
    fe25519_tobytes(out, s.x2);
    tern_wipe(&s, sizeof s);
    tern_wipe(&swap, sizeof swap);
    tern_wipe(&mask, sizeof mask);
}

/* Returns TERN_ERR_ZERO_SECRET when out is all zeros, else 0, without a
 * branch on out (the caller decides what to do with a public error). */
static int zero_check(const uint8_t out[32]) {
    int zero = (int)tern_ct_is_zero_mem(out, 32);
    return -zero & TERN_ERR_ZERO_SECRET;
}

int tern_x25519(uint8_t out[TERN_X25519_LEN], const uint8_t scalar[TERN_X25519_LEN],
                const uint8_t point[TERN_X25519_LEN]) {
    uint8_t k[32];
    tern_x25519_clamp(k, scalar);
    tern_x25519_ladder(out, k, point);
    tern_wipe(k, sizeof k);
    return zero_check(out);
}

void tern_x25519_base(uint8_t out[TERN_X25519_LEN], const uint8_t scalar[TERN_X25519_LEN]) {
    static const uint8_t nine[32] = {9};
    uint8_t k[32];
    tern_x25519_clamp(k, scalar);
    tern_x25519_ladder(out, k, nine);
    tern_wipe(k, sizeof k);
}

int tern_x25519_keygen(uint8_t priv[TERN_X25519_LEN], uint8_t pub[TERN_X25519_LEN], tern_rng_fn rng,
                       void *rng_arg) {
    int rc = tern_rand_fill(rng, rng_arg, priv, TERN_X25519_LEN);
    if (rc < 0) {
        memset(pub, 0, TERN_X25519_LEN);
        return rc;
    }
    tern_x25519_base(pub, priv);
    return 0;
}
