/*
 * Fuzz target: the PKCS#12 reader (lib/x509/pkcs12.c) and the key store
 * it builds (tern_keystore_load_der in lib/x509/store.c).  The input is a
 * whole PFX.  The MAC is checked with the fixed password "fuzz" (the
 * password of the seeds) but its verdict is not obeyed here: the stages are
 * called one by one, so that a mutated file, whose MAC no longer verifies,
 * still reaches the AuthenticatedSafe, the decryption and the bag parsers.
 * Parsed keys and certificates go through the key store builder (the leaf
 * by localKeyID or public key, the chain ordering) and the trust store.
 * Seeds: tests/fuzz/corpus/fuzz_pkcs12/ (tests/fuzz/make_seeds.sh).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/x509/pkcs12.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t pw[] = "fuzz";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tern_p12 *p = malloc(sizeof *p);
    if (p == NULL)
        return 0;
    tern_p12_init(p);
    (void)tern_p12_sniff(data, size);
    if (tern_p12_parse_pfx(p, data, size) == 0) {
        char d[128];
        tern_p12_describe_mac(p, d, sizeof d);
        int mac = tern_p12_check_mac(p, pw, 4); /* not obeyed: see above */
        int rc = tern_p12_parse_safe(p, p->auth_safe.p, p->auth_safe.len, pw, 4);
        if (rc > 0 || mac > 0)
            abort();
        if (rc == 0 && p->nkeys > 0) {
            tern_span certs[TERN_P12_MAX_BAGS];
            for (size_t i = 0; i < p->ncerts; i++) {
                certs[i].p = p->certs[i].der;
                certs[i].len = p->certs[i].len;
            }
            tern_keystore ks;
            if (tern_keystore_load_der(&ks, certs, p->ncerts, p->ncerts, p->keys[0].pkcs8, p->keys[0].len) == 0) {
                if (ks.n == 0 || ks.n > TERN_KEYSTORE_MAX_CHAIN)
                    abort();
                tern_keystore_free(&ks);
            }
        }
        if (p->mac == TERN_P12_MAC_NONE) {
            /* The whole loaders (the MAC is not in the way). */
            tern_keystore ks;
            if (tern_p12_keystore(&ks, data, size, pw, 4, NULL) == 0)
                tern_keystore_free(&ks);
            tern_truststore ts;
            char msg[256];
            tern_truststore_init(&ts);
            int added = tern_p12_truststore(&ts, data, size, pw, 4, msg, sizeof msg);
            if (added > 0 && (size_t)added > ts.n)
                abort();
            tern_truststore_free(&ts);
        }
    }
    tern_p12_free(p);
    free(p);
    return 0;
}
