/*
 * Fuzz target: the saved-session decoder (tern_session_from_bytes,
 * lib/session.c).  Applications keep sessions on disk or in a shared cache,
 * so these bytes may have been tampered with.  A session that decodes must
 * encode again (tern_session_to_bytes, sized first with out = NULL) to bytes
 * that decode to the same encoding, and offering it to a client connection
 * must either work or be refused cleanly.  Seeds: the session of the
 * variant-2 capture (make_seeds.c).
 */
#include "tests/fuzz/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tern_session *s = tern_session_from_bytes(data, size);
    if (s == NULL)
        return 0;
    long n = tern_session_to_bytes(s, NULL, 0);
    if (n <= 0)
        abort();
    uint8_t *a = malloc((size_t)n), *b = malloc((size_t)n);
    if (tern_session_to_bytes(s, a, (size_t)n) != n || tern_session_to_bytes(s, a, (size_t)n - 1) >= 0)
        abort();
    tern_session *t = tern_session_from_bytes(a, (size_t)n);
    if (t == NULL || tern_session_to_bytes(t, b, (size_t)n) != n || memcmp(a, b, (size_t)n) != 0)
        abort();
    tern_conn *c = tern_client_new(fz_client_cfg_v(2), "localhost");
    if (c == NULL)
        abort();
    int rc = tern_set_session(c, s);
    if (rc != 0 && rc != TERN_ERR_INVALID_ARG)
        abort();
    tern_free(c);
    tern_session_free(s);
    tern_session_free(t);
    free(a);
    free(b);
    return 0;
}
