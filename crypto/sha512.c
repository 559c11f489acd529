/*
 * SHA-512 and SHA-384 (FIPS 180-4 §4.1.3, §4.2.3, §5.1.2 padding, §5.3.4-5
 * initial values, §6.4 computation, §6.5 SHA-384 = SHA-512 with other
 * initial values, truncated to 384 bits).
 *
 * The portable block function keeps the 16-word schedule window and the
 * eight working variables in registers (rounds unrolled eight at a time on
 * rotating names), which is what lets the compiler schedule it well.  Like
 * SHA-256 it has no data-dependent branch or index.
 */
#include "crypto/sha2.h"

#include "crypto/cpu.h"
#include "crypto/ct.h"
#include "crypto/sha2_impl.h"

/* FIPS 180-4 §4.2.3: the first 64 bits of the fractional parts of the cube
 * roots of the first 80 primes. */
static const uint64_t K512[80] = {
    0x428a2f98d728ae22ull, 0x7137449123ef65cdull, 0xb5c0fbcfec4d3b2full, 0xe9b5dba58189dbbcull,
    0x3956c25bf348b538ull, 0x59f111f1b605d019ull, 0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull,
    0xd807aa98a3030242ull, 0x12835b0145706fbeull, 0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
    0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull, 0x9bdc06a725c71235ull, 0xc19bf174cf692694ull,
    0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull, 0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull,
    0x2de92c6f592b0275ull, 0x4a7484aa6ea6e483ull, 0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
    0x983e5152ee66dfabull, 0xa831c66d2db43210ull, 0xb00327c898fb213full, 0xbf597fc7beef0ee4ull,
    0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull, 0x06ca6351e003826full, 0x142929670a0e6e70ull,
    0x27b70a8546d22ffcull, 0x2e1b21385c26c926ull, 0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
    0x650a73548baf63deull, 0x766a0abb3c77b2a8ull, 0x81c2c92e47edaee6ull, 0x92722c851482353bull,
    0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull, 0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull,
    0xd192e819d6ef5218ull, 0xd69906245565a910ull, 0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
    0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull, 0x2748774cdf8eeb99ull, 0x34b0bcb5e19b48a8ull,
    0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull, 0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull,
    0x748f82ee5defb2fcull, 0x78a5636f43172f60ull, 0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
    0x90befffa23631e28ull, 0xa4506cebde82bde9ull, 0xbef9a3f7b2c67915ull, 0xc67178f2e372532bull,
    0xca273eceea26619cull, 0xd186b8c721c0c207ull, 0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull,
    0x06f067aa72176fbaull, 0x0a637dc5a2c898a6ull, 0x113f9804bef90daeull, 0x1b710b35131c471bull,
    0x28db77f523047d84ull, 0x32caab7b40c72493ull, 0x3c9ebe0a15c9bebcull, 0x431d67c49c100d4cull,
    0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull, 0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull,
};

/* §5.3.5 (SHA-512) and §5.3.4 (SHA-384). */
static const uint64_t H512[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};
static const uint64_t H384[8] = {
    0xcbbb9d5dc1059ed8ull, 0x629a292a367cd507ull, 0x9159015a3070dd17ull, 0x152fecd8f70e5939ull,
    0x67332667ffc00b31ull, 0x8eb44a8768581511ull, 0xdb0c2e0d64f98fa7ull, 0x47b5481dbefa4fa4ull,
};

#define ROR64(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
#define BSIG0(x) (ROR64(x, 28) ^ ROR64(x, 34) ^ ROR64(x, 39))
#define BSIG1(x) (ROR64(x, 14) ^ ROR64(x, 18) ^ ROR64(x, 41))
#define SSIG0(x) (ROR64(x, 1) ^ ROR64(x, 8) ^ ((x) >> 7))
#define SSIG1(x) (ROR64(x, 19) ^ ROR64(x, 61) ^ ((x) >> 6))
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
        uint64_t t1_ = tern_ct_barrier_u64(h + kt[k] + w[k] + CH(e, f, g)) + BSIG1(e); \
        uint64_t ab_ = (a) ^ (b);                                             \
        uint64_t t2_ = BSIG0(a) + ((b) ^ (ab_ & bc));                         \
        bc = ab_;                                                             \
        d += t1_;                                                             \
        h = t1_ + t2_;                                                        \
    } while (0)
/* §6.4.2 step 1 for t >= 16, in place: slot k holds W[t-16] and becomes W[t]. */
#define SCHED(k) (w[k] += SSIG1(w[((k) + 14) & 15]) + w[((k) + 9) & 15] + SSIG0(w[((k) + 1) & 15]))
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
#define NOSCHED(k) ((void)0)

void tern_sha512_blocks_portable(uint64_t st[8], const uint8_t *p, size_t nblocks) {
    uint64_t w[16];
    while (nblocks--) {
        uint64_t a = st[0], b = st[1], c = st[2], d = st[3];
        uint64_t e = st[4], f = st[5], g = st[6], h = st[7];
        uint64_t bc = b ^ c;
        const uint64_t *kt = K512;
        for (int i = 0; i < 16; i++)
            w[i] = tern_load_be64(p + 8 * i);
        RND16(NOSCHED);
        for (int r = 1; r < 5; r++) {
            kt += 16;
            RND16(SCHED);
        }
        st[0] += a; st[1] += b; st[2] += c; st[3] += d;
        st[4] += e; st[5] += f; st[6] += g; st[7] += h;
        p += TERN_SHA512_BLOCK;
    }
    tern_wipe(w, sizeof w);
}

/* Chosen per context from tern_cpu(), like SHA-256's. */
static void (*sha512_pick(void))(uint64_t *, const uint8_t *, size_t) {
    if (tern_cpu_has(TERN_CPU_AVX2 | TERN_CPU_BMI2))
        return tern_sha512_blocks_avx2;
    return tern_sha512_blocks_portable;
}

static void sha512_start(tern_sha512_ctx *ctx, const uint64_t iv[8]) {
    memcpy(ctx->h, iv, sizeof ctx->h);
    ctx->total = 0;
    ctx->buflen = 0;
    ctx->blocks = sha512_pick();
}

void tern_sha512_init(tern_sha512_ctx *ctx) { sha512_start(ctx, H512); }
void tern_sha384_init(tern_sha384_ctx *ctx) { sha512_start(ctx, H384); }

void tern_sha512_update(tern_sha512_ctx *ctx, const void *data, size_t len) {
    const uint8_t *p = data;
    if (len == 0)
        return;
    ctx->total += len;
    if (ctx->buflen) {
        size_t take = TERN_SHA512_BLOCK - ctx->buflen;
        if (take > len)
            take = len;
        memcpy(ctx->buf + ctx->buflen, p, take);
        ctx->buflen += take;
        p += take;
        len -= take;
        if (ctx->buflen < TERN_SHA512_BLOCK)
            return;
        ctx->blocks(ctx->h, ctx->buf, 1);
        ctx->buflen = 0;
    }
    if (len >= TERN_SHA512_BLOCK) {
        size_t n = len / TERN_SHA512_BLOCK;
        ctx->blocks(ctx->h, p, n);
        p += n * TERN_SHA512_BLOCK;
        len -= n * TERN_SHA512_BLOCK;
    }
    if (len) {
        memcpy(ctx->buf, p, len);
        ctx->buflen = len;
    }
}

void tern_sha384_update(tern_sha384_ctx *ctx, const void *data, size_t len) {
    tern_sha512_update(ctx, data, len);
}

/* §5.1.2: 0x80, zeros to 112 mod 128, then the 128-bit bit length (its
 * top 64 bits are total >> 61, since total counts bytes). */
static void sha512_finish(tern_sha512_ctx *ctx, uint8_t *out, size_t outlen) {
    size_t n = ctx->buflen;
    ctx->buf[n++] = 0x80;
    if (n > TERN_SHA512_BLOCK - 16) {
        memset(ctx->buf + n, 0, TERN_SHA512_BLOCK - n);
        ctx->blocks(ctx->h, ctx->buf, 1);
        n = 0;
    }
    memset(ctx->buf + n, 0, TERN_SHA512_BLOCK - 16 - n);
    tern_store_be64(ctx->buf + TERN_SHA512_BLOCK - 16, ctx->total >> 61);
    tern_store_be64(ctx->buf + TERN_SHA512_BLOCK - 8, ctx->total << 3);
    ctx->blocks(ctx->h, ctx->buf, 1);
    for (size_t i = 0; i < outlen / 8; i++)
        tern_store_be64(out + 8 * i, ctx->h[i]);
    tern_wipe(ctx, sizeof *ctx);
}

void tern_sha512_final(tern_sha512_ctx *ctx, uint8_t out[TERN_SHA512_LEN]) {
    sha512_finish(ctx, out, TERN_SHA512_LEN);
}
void tern_sha384_final(tern_sha384_ctx *ctx, uint8_t out[TERN_SHA384_LEN]) {
    sha512_finish(ctx, out, TERN_SHA384_LEN);
}

void tern_sha512(uint8_t out[TERN_SHA512_LEN], const void *data, size_t len) {
    tern_sha512_ctx ctx;
    tern_sha512_init(&ctx);
    tern_sha512_update(&ctx, data, len);
    tern_sha512_final(&ctx, out);
}

void tern_sha384(uint8_t out[TERN_SHA384_LEN], const void *data, size_t len) {
    tern_sha384_ctx ctx;
    tern_sha384_init(&ctx);
    tern_sha384_update(&ctx, data, len);
    tern_sha384_final(&ctx, out);
}
