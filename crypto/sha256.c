/*
 * SHA-256 (FIPS 180-4 §4.1.2, §4.2.2, §5.1.1 padding, §6.2 computation):
 * the portable block function, the buffering around it, and the choice of
 * block function (SHA-NI in crypto/sha256_shani.c, else AVX2+BMI2 in
 * crypto/sha256_avx2.c, else portable) made once per context at init from
 * tern_cpu(), so TERN_CPU=portable (or -shani) + tern_cpu_reset() switches
 * new contexts to that path.
 *
 * SHA-256 processes only public-length data in a data-independent way: no
 * branch or memory index depends on the message or the state, so it is
 * constant time by construction (HMAC keys pass through it).
 */
#include "crypto/sha2.h"

#include "crypto/cpu.h"
#include "crypto/ct.h"
#include "crypto/sha2_impl.h"

/* FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube
 * roots of the first 64 primes. */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* FIPS 180-4 §5.3.3. */
static const uint32_t H256[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

#define ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
/* FIPS 180-4 §4.1.2 functions.  Ch is written with one operation fewer
 * than the textbook form (a bitwise identity); Maj is in RND below. */
#define BSIG0(x) (ROR32(x, 2) ^ ROR32(x, 13) ^ ROR32(x, 22))
#define BSIG1(x) (ROR32(x, 6) ^ ROR32(x, 11) ^ ROR32(x, 25))
#define SSIG0(x) (ROR32(x, 7) ^ ROR32(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROR32(x, 17) ^ ROR32(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))

/* One round on rotating names.  k (0..15) is a constant: the slot in the
 * 16-word schedule window and the offset into kt, the constants for this
 * run of 16 rounds; constant indices let the compiler address w directly.
 * h + K + W + Ch is summed before Sigma1(e) is added, so the chain from e
 * to the next e is Sigma1, one add, d + t1; the barrier (an empty asm)
 * stops the compiler reassociating that sum into a longer chain.
 * Maj(a,b,c) = b ^ ((a ^ b) & (b ^ c)), and this round's a^b is the next
 * round's b^c, carried in bc. */
#define RND(a, b, c, d, e, f, g, h, k)                                        \
    do {                                                                      \
        uint32_t t1_ = tern_ct_barrier_u32(h + kt[k] + w[k] + CH(e, f, g)) + BSIG1(e); \
        uint32_t ab_ = (a) ^ (b);                                             \
        uint32_t t2_ = BSIG0(a) + ((b) ^ (ab_ & bc));                         \
        bc = ab_;                                                             \
        d += t1_;                                                             \
        h = t1_ + t2_;                                                        \
    } while (0)
/* §6.2.2 step 1 for t >= 16, in place: slot k holds W[t-16] and becomes W[t]. */
#define SCHED(k) (w[k] += SSIG1(w[((k) + 14) & 15]) + w[((k) + 9) & 15] + SSIG0(w[((k) + 1) & 15]))
#define NOSCHED(k) ((void)0)
#define RND16(X)                                                              \
    do {                                                                      \
        X(0); RND(a, b, c, d, e, f, g, h, 0);                                 \
        X(1); RND(h, a, b, c, d, e, f, g, 1);                                 \
        X(2); RND(g, h, a, b, c, d, e, f, 2);                                 \
        X(3); RND(f, g, h, a, b, c, d, e, 3);                                 \
        X(4); RND(e, f, g, h, a, b, c, d, 4);                                 \
        X(5); RND(d, e, f, g, h, a, b, c, 5);                                 \
        X(6); RND(c, d, e, f, g, h, a, b, 6);                                 \
        X(7); RND(b, c, d, e, f, g, h, a, 7);                                 \
        X(8); RND(a, b, c, d, e, f, g, h, 8);                                 \
        X(9); RND(h, a, b, c, d, e, f, g, 9);                                 \
        X(10); RND(g, h, a, b, c, d, e, f, 10);                               \
        X(11); RND(f, g, h, a, b, c, d, e, 11);                               \
        X(12); RND(e, f, g, h, a, b, c, d, 12);                               \
        X(13); RND(d, e, f, g, h, a, b, c, 13);                               \
        X(14); RND(c, d, e, f, g, h, a, b, 14);                               \
        X(15); RND(b, c, d, e, f, g, h, a, 15);                               \
    } while (0)

void tern_sha256_blocks_portable(uint32_t st[8], const uint8_t *p, size_t nblocks) {
    uint32_t w[16];
    while (nblocks--) {
        uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
        uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
        uint32_t bc = b ^ c;
        const uint32_t *kt = K256;
        for (int i = 0; i < 16; i++)
            w[i] = tern_load_be32(p + 4 * i);
        RND16(NOSCHED);
        for (int r = 1; r < 4; r++) {
            kt += 16;
            RND16(SCHED);
        }
        st[0] += a; st[1] += b; st[2] += c; st[3] += d;
        st[4] += e; st[5] += f; st[6] += g; st[7] += h;
        p += TERN_SHA256_BLOCK;
    }
    tern_wipe(w, sizeof w);
}

/* Chosen per context, so a test that sets TERN_CPU and calls
 * tern_cpu_reset() gets the path it asked for in every later init. */
static void (*sha256_pick(void))(uint32_t *, const uint8_t *, size_t) {
    if (tern_cpu_has(TERN_CPU_SHANI | TERN_CPU_SSSE3 | TERN_CPU_SSE41))
        return tern_sha256_blocks_shani;
    if (tern_cpu_has(TERN_CPU_AVX2 | TERN_CPU_BMI2))
        return tern_sha256_blocks_avx2;
    return tern_sha256_blocks_portable;
}

void tern_sha256_init(tern_sha256_ctx *ctx) {
    memcpy(ctx->h, H256, sizeof ctx->h);
    ctx->total = 0;
    ctx->buflen = 0;
    ctx->blocks = sha256_pick();
}

void tern_sha256_update(tern_sha256_ctx *ctx, const void *data, size_t len) {
    const uint8_t *p = data;
    if (len == 0)
        return;
    ctx->total += len;
    if (ctx->buflen) {
        size_t take = TERN_SHA256_BLOCK - ctx->buflen;
        if (take > len)
            take = len;
        memcpy(ctx->buf + ctx->buflen, p, take);
        ctx->buflen += take;
        p += take;
        len -= take;
        if (ctx->buflen < TERN_SHA256_BLOCK)
            return;
        ctx->blocks(ctx->h, ctx->buf, 1);
        ctx->buflen = 0;
    }
    if (len >= TERN_SHA256_BLOCK) {
        size_t n = len / TERN_SHA256_BLOCK;
        ctx->blocks(ctx->h, p, n);
        p += n * TERN_SHA256_BLOCK;
        len -= n * TERN_SHA256_BLOCK;
    }
    if (len) {
        memcpy(ctx->buf, p, len);
        ctx->buflen = len;
    }
}

void tern_sha256_final(tern_sha256_ctx *ctx, uint8_t out[TERN_SHA256_LEN]) {
    /* §5.1.1: append 0x80, zeros to 56 mod 64, then the bit length. */
    size_t n = ctx->buflen;
    uint64_t bits = ctx->total << 3;
    ctx->buf[n++] = 0x80;
    if (n > TERN_SHA256_BLOCK - 8) {
        memset(ctx->buf + n, 0, TERN_SHA256_BLOCK - n);
        ctx->blocks(ctx->h, ctx->buf, 1);
        n = 0;
    }
    memset(ctx->buf + n, 0, TERN_SHA256_BLOCK - 8 - n);
    tern_store_be64(ctx->buf + TERN_SHA256_BLOCK - 8, bits);
    ctx->blocks(ctx->h, ctx->buf, 1);
    for (int i = 0; i < 8; i++)
        tern_store_be32(out + 4 * i, ctx->h[i]);
    tern_wipe(ctx, sizeof *ctx);
}

void tern_sha256(uint8_t out[TERN_SHA256_LEN], const void *data, size_t len) {
    tern_sha256_ctx ctx;
    tern_sha256_init(&ctx);
    tern_sha256_update(&ctx, data, len);
    tern_sha256_final(&ctx, out);
}
