/*
 * AES-GCM (NIST SP 800-38D) with 96-bit nonces and 128-bit tags, as the
 * TLS 1.2 AES-GCM suites use it (RFC 5288): the GCM-AE and GCM-AD functions
 * of SP 800-38D §7.1 and §7.2 for IV length 96 (J0 = IV || 0^31 || 1).
 *
 * tern_gcm_init picks one implementation per key from tern_cpu() and the
 * record path never dispatches again beyond one indirect call:
 *   vaes+vpclmul   crypto/gcm_vaes.c   (VAES/VPCLMULQDQ on ymm, AVX2)
 *   aesni+pclmul   crypto/aes_aesni.c  (AES-NI, PCLMULQDQ)
 *   portable       crypto/aes.c + crypto/ghash.c (bitsliced, constant time)
 *
 * The key's memory: each implementation has its own layout in
 * tern_gcm_key (crypto/aes_internal.h) and uses only its first
 * impls[].size bytes; init writes, and wipe clears, exactly those, so a
 * caller may hold a key in tern_gcm_key_size() bytes.  impl 0 means "never
 * set up": such a key (or one whose header init did not write) seals zeros,
 * opens nothing, and its wipe touches only the header.
 *
 * open decrypts (fused with the GHASH of the ciphertext), compares the tag
 * with tern_ct_memeq, and only then decides: a forgery gets its output
 * wiped and TERN_ERR_BAD_RECORD_MAC.  That one branch is on the public
 * verdict; for `make ctgrind`, the verdict is declassified just before it
 * (VALGRIND_MAKE_MEM_DEFINED when <valgrind/memcheck.h> exists at build
 * time, a no-op otherwise), so everything before it is checked for
 * secret-dependent branches and indexes.
 */
#include "crypto/gcm.h"

#include "crypto/aes_internal.h"
#include "crypto/cpu.h"
#include "crypto/ct.h"

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define DECLASSIFY(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#endif
#endif
#ifndef DECLASSIFY
#define DECLASSIFY(p, n) ((void)(p), (void)(n))
#endif

typedef void (*gcm_crypt_fn)(const tern_gcm_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aadlen,
                             const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16], int decrypt);

/* ---- the portable path ---- */

static void portable_setup(tern_gcm_key *k, const uint8_t *key, size_t keylen) {
    uint64_t *skey = k->w;
    k->rounds = tern_aes_ct64_keysched(skey, key, keylen);
    /* H = E(K, 0^128) (§6.3 step 1); the other seven slots are discarded. */
    uint8_t zero[128] = {0}, blocks[128];
    tern_aes_ct64_encrypt8(skey, k->rounds, zero, blocks);
    tern_ghash_ct64_init((tern_ghash_ct64_key *)(void *)(k->w + TERN_GCM_PORTABLE_GHASH_OFF), blocks);
    tern_wipe(blocks, sizeof blocks);
}

/* The final GHASH block [len(A)]_64 || [len(C)]_64, lengths in bits (§7.1 step 5). */
static void lengths_block(uint8_t blk[16], size_t aadlen, size_t len) {
    tern_store_be64(blk, (uint64_t)aadlen * 8);
    tern_store_be64(blk + 8, (uint64_t)len * 8);
}

static void portable_crypt(const tern_gcm_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aadlen,
                           const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16], int decrypt) {
    const uint64_t *skey = k->w;
    const tern_ghash_ct64_key *gk = (const tern_ghash_ct64_key *)(const void *)(k->w + TERN_GCM_PORTABLE_GHASH_OFF);
    uint8_t y[16] = {0}, ks[128], blk[16];

    /* One eight-block call gives E(J0) and the keystream of counters 2..8,
     * so a record of up to 112 bytes costs one AES batch. */
    for (unsigned b = 0; b < 8; b++) {
        memcpy(ks + 16 * b, nonce, 12);
        tern_store_be32(ks + 16 * b + 12, 1 + b);
    }
    tern_aes_ct64_encrypt8(skey, k->rounds, ks, ks);

    tern_ghash_ct64(gk, y, aad, aadlen);
    if (decrypt)
        tern_ghash_ct64(gk, y, in, len);
    size_t first = len < 112 ? len : 112;
    for (size_t i = 0; i < first; i++)
        out[i] = in[i] ^ ks[16 + i];
    if (len > first)
        (void)tern_aes_ct64_ctr(skey, k->rounds, nonce, 9, in + first, out + first, len - first);
    if (!decrypt)
        tern_ghash_ct64(gk, y, out, len);
    lengths_block(blk, aadlen, len);
    tern_ghash_ct64(gk, y, blk, 16);
    for (unsigned i = 0; i < 16; i++)
        tag[i] = y[i] ^ ks[i];
    tern_wipe(ks, sizeof ks);
    tern_wipe(y, sizeof y);
}

/* ---- a key that was never set up ----
 * Seal writes zeros (nothing of the plaintext) and open's caller rejects
 * whatever tag this gives (tern_gcm_open checks the key first); neither
 * reads past the header. */
static void none_crypt(const tern_gcm_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aadlen,
                       const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16], int decrypt) {
    (void)k, (void)nonce, (void)aad, (void)aadlen, (void)in, (void)decrypt;
    if (len > 0)
        memset(out, 0, len);
    memset(tag, 0, 16);
}

/* ---- dispatch ---- */

static const struct {
    const char *name;
    gcm_crypt_fn crypt;
    size_t size; /* bytes of tern_gcm_key the layout uses (see aes_internal.h) */
} impls[TERN_GCM_NIMPL] = {
    [TERN_GCM_IMPL_NONE] = {"none", none_crypt, TERN_GCM_KEY_HDR},
    [TERN_GCM_IMPL_PORTABLE] = {"portable", portable_crypt, TERN_GCM_PORTABLE_KEY_SIZE},
    [TERN_GCM_IMPL_AESNI] = {"aesni+pclmul", tern_gcm_aesni_crypt, TERN_GCM_PCLMUL_KEY_SIZE},
    [TERN_GCM_IMPL_VAES] = {"vaes+vpclmul", tern_gcm_vaes_crypt, TERN_GCM_PCLMUL_KEY_SIZE},
};

#define NEED_AESNI (TERN_CPU_AESNI | TERN_CPU_PCLMUL | TERN_CPU_SSSE3 | TERN_CPU_SSE41)
#define NEED_VAES (NEED_AESNI | TERN_CPU_AVX2 | TERN_CPU_VAES | TERN_CPU_VPCLMUL)

/* The implementation a key made now gets. */
static unsigned pick_impl(void) {
    if (tern_cpu_has(NEED_VAES))
        return TERN_GCM_IMPL_VAES;
    if (tern_cpu_has(NEED_AESNI))
        return TERN_GCM_IMPL_AESNI;
    return TERN_GCM_IMPL_PORTABLE;
}

/* k's implementation, or TERN_GCM_IMPL_NONE when the header is not one
 * tern_gcm_init wrote (so a zeroed or garbage header never sends the code
 * past the header, or an AES loop past round key 14).  impl and rounds are
 * public (which code runs, which key length), so branching on them is fine. */
static unsigned key_impl(const tern_gcm_key *k) {
    unsigned impl = k->impl;
    if (impl >= TERN_GCM_NIMPL || (k->rounds != 10 && k->rounds != 14))
        return TERN_GCM_IMPL_NONE;
    return impl;
}

size_t tern_gcm_impl_key_size(unsigned impl) {
    return impls[impl < TERN_GCM_NIMPL ? impl : TERN_GCM_IMPL_NONE].size;
}

size_t tern_gcm_key_size(void) {
    return impls[pick_impl()].size;
}

int tern_gcm_init(tern_gcm_key *k, const uint8_t *key, size_t keylen) {
    TERN_ENSURE(k != NULL, TERN_ERR_INVALID_ARG);
    k->rounds = 0;
    k->impl = TERN_GCM_IMPL_NONE;
    TERN_ENSURE(key != NULL, TERN_ERR_INVALID_ARG);
    TERN_ENSURE(keylen == 16 || keylen == 32, TERN_ERR_INVALID_ARG);
    unsigned impl = pick_impl();
    /* Only the bytes this layout uses: the caller may hold no more. */
    memset(k, 0, impls[impl].size);
    k->impl = impl;
    if (impl == TERN_GCM_IMPL_PORTABLE) {
        portable_setup(k, key, keylen);
    } else {
        k->rounds = keylen == 16 ? 10 : 14;
        tern_gcm_aesni_setup(k, key); /* the VAES path shares the layout */
    }
    return 0;
}

void tern_gcm_wipe(tern_gcm_key *k) {
    /* The size comes from the header, which is wiped last (it is part of
     * the region). */
    tern_wipe(k, impls[key_impl(k)].size);
}

void tern_gcm_seal(const tern_gcm_key *k, const uint8_t nonce[TERN_GCM_NONCE_LEN], const uint8_t *aad,
                   size_t aadlen, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[TERN_GCM_TAG_LEN]) {
    impls[key_impl(k)].crypt(k, nonce, aad, aadlen, in, len, out, tag, 0);
}

int tern_gcm_open(const tern_gcm_key *k, const uint8_t nonce[TERN_GCM_NONCE_LEN], const uint8_t *aad,
                  size_t aadlen, const uint8_t *in, size_t len, const uint8_t tag[TERN_GCM_TAG_LEN], uint8_t *out) {
    unsigned impl = key_impl(k);
    uint8_t expect[16];
    impls[impl].crypt(k, nonce, aad, aadlen, in, len, out, expect, 1);
    uint32_t ok = tern_ct_memeq(expect, tag, 16); /* bit */
    tern_wipe(expect, sizeof expect);
    /* The verdict is public (it is the return value), so branching on it
     * leaks nothing; declassify it first for the valgrind check.  A key
     * never set up authenticates nothing. */
    DECLASSIFY(&ok, sizeof ok);
    if (!ok || impl == TERN_GCM_IMPL_NONE) {
        /* The plaintext of a forgery never leaves. */
        if (len > 0)
            tern_wipe(out, len);
        return TERN_ERR_BAD_RECORD_MAC;
    }
    return 0;
}

const char *tern_gcm_impl_name(const tern_gcm_key *k) {
    return impls[key_impl(k)].name;
}
