/*
 * Fuzz target: certificate path validation (lib/x509/verify.c) against a
 * fixed trust store (vectors/certs/root-ca.crt, root2-ca.crt, ec-root.crt)
 * at a fixed time.  The input is the peer's certificate list as TLS sends
 * it: repeated 24-bit length + DER (at most TERN_X509_MAX_PEER_CERTS + 1
 * are passed, so the limit itself is exercised).  input[0] picks the
 * reference name, the purpose, the clock (bits 0-3), a depth bound (bits
 * 4-5: none, 1, 2 or 3), a keyUsage asked for (bit 6: digitalSignature)
 * and an extra extKeyUsage (bit 7: clientAuth), as tern_x509_params.  Path building with duplicates, loops,
 * unrelated extras and hostile extensions must stay bounded and never read
 * outside the inputs.  Seeds: the real chains of vectors/certs
 * (make_seeds.c).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/x509/verify.h"
#include "tests/util/testutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tern_truststore ts;

static void setup(void) {
    static int done;
    if (done)
        return;
    done = 1;
    tern_truststore_init(&ts);
    static const char *roots[] = {"certs/root-ca.crt", "certs/root2-ca.crt", "certs/ec-root.crt"};
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
        if (tern_truststore_load_file(&ts, tv_path(roots[i])) < 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup();
    if (size < 1)
        return 0;
    static const char *names[] = {"localhost", NULL, "127.0.0.1", "www.example.com"};
    const char *name = names[data[0] & 3];
    int purpose = (data[0] & 4) ? TERN_X509_PURPOSE_CLIENT : TERN_X509_PURPOSE_SERVER;
    int64_t now = (data[0] & 8) ? 2524608000 /* 2050 */ : 1800000000;

    enum { MAXN = TERN_X509_MAX_PEER_CERTS + 1 };
    const uint8_t *certs[MAXN];
    size_t lens[MAXN], n = 0;
    tern_reader r;
    tern_rd_init(&r, data + 1, size - 1);
    while (n < MAXN && tern_rd_left(&r) > 0) {
        tern_reader one;
        if (tern_rd_vec24(&r, &one) < 0)
            break;
        certs[n] = one.p;
        lens[n] = tern_rd_left(&one);
        n++;
    }
    if (n == 0)
        return 0;
    tern_x509_params p;
    memset(&p, 0, sizeof p);
    p.purpose = purpose;
    p.now = now;
    p.names = &name;
    p.n_names = name != NULL;
    p.max_depth = (size_t)(data[0] >> 4 & 3);
    p.key_usage = (data[0] & 0x40) ? TERN_X509_KU_DIGITAL_SIGNATURE : 0;
    p.eku = (data[0] & 0x80) ? TERN_X509_EKU_CLIENT_AUTH : 0;
    tern_x509_result res;
    int rc = tern_x509_verify(&ts, certs, lens, n, &p, &res);
    if (rc > 0 || rc != res.err)
        abort();
    if (rc == 0) {
        if (res.path_n < 1 || res.path_n > TERN_X509_MAX_DEPTH || res.anchor == NULL || res.path[0] != 0)
            abort();
        if (p.key_usage && res.leaf_has_key_usage && !(res.leaf_key_usage & p.key_usage))
            abort();
        for (size_t i = 0; i < res.path_n; i++)
            if (res.path[i] >= n)
                abort();
    } else if (res.msg[0] == '\0' || memchr(res.msg, 0, sizeof res.msg) == NULL) {
        abort();
    }
    return 0;
}
