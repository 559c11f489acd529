/*
 * Fuzz target: the key store loader (lib/x509/store.c): PEM private keys
 * (PKCS#1 RSAPrivateKey, PKCS#8 PrivateKeyInfo, encrypted and EC keys
 * refused), the RSA key checks under it (crypto/rsa.c), the certificate
 * chain loader and the key-matches-leaf check.  input[0] bit 0 chooses
 * which half is fuzzed: 0 = the rest is the key PEM (with the real test
 * chain), 1 = the rest is the chain PEM (with the real test key).  A key
 * that loads signs a digest, so a key accepted but unusable is a finding.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/x509/store.h"
#include "tests/util/testutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *chain, *key;
static size_t chain_len, key_len;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (chain == NULL) {
        chain = (uint8_t *)tv_slurp(tv_path("certs/server-chain.pem"), &chain_len);
        key = (uint8_t *)tv_slurp(tv_path("certs/server.key"), &key_len);
    }
    if (size < 1)
        return 0;
    tern_keystore ks;
    tern_keystore_init(&ks);
    int rc = (data[0] & 1) ? tern_keystore_load_pem(&ks, data + 1, size - 1, key, key_len)
                           : tern_keystore_load_pem(&ks, chain, chain_len, data + 1, size - 1);
    if (rc > 0)
        abort();
    if (rc == 0) {
        uint8_t digest[32] = {1, 2, 3}, sig[1024];
        size_t siglen = 0;
        uint64_t seed = 7;
        if (tern_keystore_sign(&ks, TERN_KEYSTORE_RSA_PKCS1, TERN_HASH_SHA256, digest, sig, sizeof sig, &siglen,
                               tv_rng, &seed) != 0)
            abort();
        if (siglen == 0 || siglen > sizeof sig)
            abort();
    } else if (ks.msg[0] == '\0') {
        abort(); /* every refusal says why */
    }
    tern_keystore_free(&ks);
    return 0;
}
