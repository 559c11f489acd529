/*
 * Fuzz target: the whole server engine (ClientHello with its extensions,
 * ClientKeyExchange, CCS, Finished, application data, alerts, a
 * renegotiating ClientHello) fed the client's side of the conversation.
 * input[0] holds the delivery chunk size and the configuration
 * variant (tests/fuzz/engine.h: ECDHE, RSA key exchange with mutual TLS,
 * session tickets, resumption), the rest the client's bytes.  The
 * RNG and the clock are fixed (tests/fuzz/engine.h): the seeds captured by
 * make_seeds.c replay a real session and every finding reproduces.
 */
#include "tests/fuzz/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_run_engine(fz_server_new_v(fz_variant(data, size)), data, size);
    return 0;
}
