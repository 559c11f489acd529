/*
 * Fuzz target: the PEM and base64 decoders (lib/x509/pem.c) and the trust
 * store's PEM loader (lib/x509/store.c) that sits on them.  The input is
 * PEM text: every block is found and decoded into a buffer of exactly
 * tern_pem_decoded_max() bytes (so an overrun is an ASan report), the whole
 * input is also decoded as bare base64, and the text is loaded as a trust
 * store bundle (bad blocks skipped, good ones parsed as certificates).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/x509/pem.h"
#include "lib/x509/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, data, size);
    int rc, blocks = 0;
    while ((rc = tern_pem_next(&r, &b)) == 1) {
        if (++blocks > 100000)
            abort(); /* the reader must always move forward */
        if (b.body < data || b.body + b.body_len > data + size)
            abort();
        size_t cap = tern_pem_decoded_max(&b);
        uint8_t *out = malloc(cap ? cap : 1);
        size_t n = 0;
        int d = tern_pem_decode(&b, out, cap, &n);
        if (d == 0 && n > cap)
            abort();
        if (d != 0 && d != TERN_ERR_PEM && d != TERN_ERR_BUFFER_TOO_SMALL)
            abort();
        free(out);
    }
    if (rc != 0 && rc != TERN_ERR_PEM)
        abort();

    /* Bare base64 into an exact-size buffer (3 bytes per 4 characters). */
    size_t cap = size / 4 * 3 + 3;
    uint8_t *out = malloc(cap);
    size_t n = 0;
    if (tern_base64_decode(data, size, out, cap, &n) == 0 && n > cap)
        abort();
    free(out);

    tern_truststore ts;
    tern_truststore_init(&ts);
    rc = tern_truststore_add_pem(&ts, data, size, "fuzz");
    if (rc >= 0 && (size_t)rc > ts.n)
        abort();
    tern_truststore_free(&ts);
    return 0;
}
