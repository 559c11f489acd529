/*
 * Fuzz target: SHA-2 (and SHA-1, MD5) and HMAC, differentially.  The first input bytes
 * choose how the rest is cut into update() calls; every available block
 * function (portable, SHA-NI, AVX2) must agree with the portable one on the
 * whole input, the chunked context API must agree with the one-shot, and a
 * prepared-key HMAC fed in pieces must agree with the one-shot HMAC (the
 * key is a prefix of the input, of any length, so keys longer than a block
 * are hashed first).  ASan/UBSan catch any out-of-bounds access in the
 * buffering.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cpu.h"
#include "crypto/hmac.h"
#include "crypto/sha2_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok) {
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    uint8_t cut = data[0], klen = data[1];
    data += 2;
    size -= 2;

    /* Block functions on the whole blocks of the input. */
    size_t n256 = size / TERN_SHA256_BLOCK, n512 = size / TERN_SHA512_BLOCK;
    uint32_t a32[8], b32[8];
    uint64_t a64[8], b64[8];
    for (int i = 0; i < 8; i++) {
        a32[i] = (uint32_t)(0x9e3779b9u * (uint32_t)(i + 1));
        a64[i] = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
    }
    memcpy(b32, a32, sizeof b32);
    memcpy(b64, a64, sizeof b64);
    tern_sha256_blocks_portable(a32, data, n256);
    tern_sha512_blocks_portable(a64, data, n512);
    if (tern_cpu_has(TERN_CPU_SHANI | TERN_CPU_SSSE3 | TERN_CPU_SSE41)) {
        uint32_t c32[8];
        memcpy(c32, b32, sizeof c32);
        tern_sha256_blocks_shani(c32, data, n256);
        check(memcmp(a32, c32, sizeof c32) == 0);
    }
    if (tern_cpu_has(TERN_CPU_AVX2 | TERN_CPU_BMI2)) {
        tern_sha256_blocks_avx2(b32, data, n256);
        check(memcmp(a32, b32, sizeof b32) == 0);
        tern_sha512_blocks_avx2(b64, data, n512);
        check(memcmp(a64, b64, sizeof b64) == 0);
    }

    /* Chunked vs one-shot, by id; pieces of 1 + (cut-derived) bytes. */
    static const tern_hash_alg algs[] = {TERN_HASH_SHA256, TERN_HASH_SHA384, TERN_HASH_SHA512, TERN_HASH_SHA1,
                                         TERN_HASH_MD5};
    for (size_t k = 0; k < sizeof algs / sizeof algs[0]; k++) {
        uint8_t one[TERN_HASH_MAX_LEN], chunked[TERN_HASH_MAX_LEN];
        size_t hl = tern_hash_len(algs[k]);
        check(tern_hash(algs[k], one, data, size) == 0);
        tern_hash_ctx c;
        check(tern_hash_init(&c, algs[k]) == 0);
        size_t off = 0, step = 1 + (size_t)(cut % 131);
        while (off < size) {
            size_t take = size - off < step ? size - off : step;
            tern_hash_update(&c, data + off, take);
            off += take;
            step = 1 + (step * 7 + cut) % 200;
        }
        tern_hash_final(&c, chunked);
        check(memcmp(one, chunked, hl) == 0);

        /* HMAC: key = the first klen bytes (as many as there are). */
        size_t kl = klen < size ? klen : size;
        uint8_t m1[TERN_HASH_MAX_LEN], m2[TERN_HASH_MAX_LEN];
        check(tern_hmac(algs[k], data, kl, data + kl, size - kl, m1) == 0);
        tern_hmac_key key;
        tern_hmac_ctx mc;
        check(tern_hmac_key_init(&key, algs[k], data, kl) == 0);
        tern_hmac_start(&mc, &key);
        size_t half = (size - kl) / 2;
        tern_hmac_update(&mc, data + kl, half);
        tern_hmac_update(&mc, data + kl + half, size - kl - half);
        tern_hmac_final(&mc, m2);
        tern_hmac_key_wipe(&key);
        check(memcmp(m1, m2, hl) == 0);
    }
    return 0;
}
