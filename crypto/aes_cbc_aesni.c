/*
 * AES-CBC with AES-NI (SP 800-38A §6.2; FIPS 197).  Compiled with -maes
 * (and the rest of the *_aesni.c flags) and only called after crypto/cpu.c
 * saw AES-NI, SSSE3 and SSE4.1.
 *
 * The round keys come from the portable key expansion (tern_aes_expand_key,
 * constant-time and covering AES-192, which the AESKEYGENASSIST code of
 * aes_aesni.c does not), as little-endian words, i.e. the round keys'
 * bytes in order.  Decryption uses the equivalent inverse cipher (FIPS 197
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
        __m128i c[8], x[8];
        for (int b = 0; b < 8; b++) {
            c[b] = loadu(in + off + 16 * b);
            x[b] = _mm_xor_si128(c[b], dk[0]);
        }
        for (unsigned r = 1; r < rounds; r++)
            for (int b = 0; b < 8; b++)
                x[b] = _mm_aesdec_si128(x[b], dk[r]);
        for (int b = 0; b < 8; b++)
            x[b] = _mm_aesdeclast_si128(x[b], dk[rounds]);
        /* All eight ciphertext blocks were loaded before any store, so
         * in == out is fine. */
        storeu(out + off, _mm_xor_si128(x[0], prev));
        for (int b = 1; b < 8; b++)
            storeu(out + off + 16 * b, _mm_xor_si128(x[b], c[b - 1]));
        prev = c[7];
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
