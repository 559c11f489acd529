/*
 * AES-CBC with AES-NI (SP 800-38A §6.2; FIPS 197).  Compiled with -maes
 * (and the rest of the *_aesni.c flags) and only called after crypto/cpu.c
 * saw AES-NI, SSSE3 and SSE4.1.
 *
 * The round keys come from the generic key expansion in crypto/aes.c
 * (tern_aes_expand_key_sw, which covers AES-192, unlike the unrolled
 * AESKEYGENASSIST code of aes_aesni.c) with SubWord done by AESKEYGENASSIST
 * (tern_aes_subword_aesni below), as little-endian words, i.e. the round
 * keys' bytes in order.  Decryption uses the equivalent inverse cipher (FIPS 197
 * §5.3.5): AESDEC wants the middle round keys passed through
 * InvMixColumns (AESIMC), in reverse order.
 *
 * Encryption is serial (each block needs the previous ciphertext); the
 * decryption of eight blocks is independent, so eight AESDEC chains run
 * interleaved to fill the pipeline.  AES-NI instructions take constant
 * time, so nothing here depends on the key or the data.
 */
#include <immintrin.h>

#include "crypto/aes_internal.h"
#include "crypto/ct.h"

static inline __m128i loadu(const uint8_t *p) { return _mm_loadu_si128((const __m128i *)(const void *)p); }
static inline void storeu(uint8_t *p, __m128i x) { _mm_storeu_si128((__m128i *)(void *)p, x); }

/* AESKEYGENASSIST puts SubWord(X1) in dword 0 of its result (Intel SDM);
 * the Rcon immediate only touches dwords 1 and 3. */
uint32_t tern_aes_subword_aesni(uint32_t x) {
    __m128i v = _mm_aeskeygenassist_si128(_mm_set_epi32(0, 0, (int)x, 0), 0);
    return (uint32_t)_mm_cvtsi128_si32(v);
}

void tern_aes_cbc_aesni_encrypt(const uint32_t *w, unsigned rounds, const uint8_t iv[16], const uint8_t *in,
                                size_t len, uint8_t *out) {
    __m128i rk[15];
    for (unsigned r = 0; r <= rounds; r++)
        rk[r] = loadu((const uint8_t *)(w + 4 * r));
    __m128i c = loadu(iv);
    for (size_t off = 0; off < len; off += 16) {
        __m128i x = _mm_xor_si128(_mm_xor_si128(loadu(in + off), c), rk[0]);
        for (unsigned r = 1; r < rounds; r++)
            x = _mm_aesenc_si128(x, rk[r]);
        c = _mm_aesenclast_si128(x, rk[rounds]);
        storeu(out + off, c);
    }
    tern_wipe(rk, sizeof rk);
}

void tern_aes_cbc_aesni_decrypt(const uint32_t *w, unsigned rounds, const uint8_t iv[16], const uint8_t *in,
                                size_t len, uint8_t *out) {
    /* dk[0] = the last round key, dk[r] = InvMixColumns(round key
     * rounds - r) for 0 < r < rounds, dk[rounds] = the first round key. */
    __m128i dk[15];
    dk[0] = loadu((const uint8_t *)(w + 4 * rounds));
    for (unsigned r = 1; r < rounds; r++)
        dk[r] = _mm_aesimc_si128(loadu((const uint8_t *)(w + 4 * (rounds - r))));
    dk[rounds] = loadu((const uint8_t *)w);

    __m128i prev = loadu(iv);
    size_t off = 0;
    for (; len - off >= 128; off += 128) {
        /* Eight named registers, spelled out: with an array and an inner
         * loop over the blocks, compilers keep the state in memory. */
        const uint8_t *src = in + off;
        __m128i c0 = loadu(src), c1 = loadu(src + 16), c2 = loadu(src + 32), c3 = loadu(src + 48),
                c4 = loadu(src + 64), c5 = loadu(src + 80), c6 = loadu(src + 96), c7 = loadu(src + 112);
        __m128i k = dk[0];
        __m128i x0 = _mm_xor_si128(c0, k), x1 = _mm_xor_si128(c1, k), x2 = _mm_xor_si128(c2, k),
                x3 = _mm_xor_si128(c3, k), x4 = _mm_xor_si128(c4, k), x5 = _mm_xor_si128(c5, k),
                x6 = _mm_xor_si128(c6, k), x7 = _mm_xor_si128(c7, k);
        for (unsigned r = 1; r < rounds; r++) {
            k = dk[r];
            x0 = _mm_aesdec_si128(x0, k);
            x1 = _mm_aesdec_si128(x1, k);
            x2 = _mm_aesdec_si128(x2, k);
            x3 = _mm_aesdec_si128(x3, k);
            x4 = _mm_aesdec_si128(x4, k);
            x5 = _mm_aesdec_si128(x5, k);
            x6 = _mm_aesdec_si128(x6, k);
            x7 = _mm_aesdec_si128(x7, k);
        }
        k = dk[rounds];
        /* All eight ciphertext blocks were loaded before any store, so
         * in == out is fine. */
        uint8_t *dst = out + off;
        storeu(dst, _mm_xor_si128(_mm_aesdeclast_si128(x0, k), prev));
        storeu(dst + 16, _mm_xor_si128(_mm_aesdeclast_si128(x1, k), c0));
        storeu(dst + 32, _mm_xor_si128(_mm_aesdeclast_si128(x2, k), c1));
        storeu(dst + 48, _mm_xor_si128(_mm_aesdeclast_si128(x3, k), c2));
        storeu(dst + 64, _mm_xor_si128(_mm_aesdeclast_si128(x4, k), c3));
        storeu(dst + 80, _mm_xor_si128(_mm_aesdeclast_si128(x5, k), c4));
        storeu(dst + 96, _mm_xor_si128(_mm_aesdeclast_si128(x6, k), c5));
        storeu(dst + 112, _mm_xor_si128(_mm_aesdeclast_si128(x7, k), c6));
        prev = c7;
    }
    for (; off < len; off += 16) {
        __m128i c = loadu(in + off);
        __m128i x = _mm_xor_si128(c, dk[0]);
        for (unsigned r = 1; r < rounds; r++)
            x = _mm_aesdec_si128(x, dk[r]);
        x = _mm_aesdeclast_si128(x, dk[rounds]);
        storeu(out + off, _mm_xor_si128(x, prev));
        prev = c;
    }
    tern_wipe(dk, sizeof dk);
}
