/*
 * Fuzz target: the whole client engine (ClientHello out; ServerHello,
 * Certificate with path validation, ServerKeyExchange with its signature,
 * ServerHelloDone, CCS, Finished, application data, alerts in) fed the
 * server's side of the conversation.  input[0] holds the delivery chunk size and the configuration
 * variant (tests/fuzz/engine.h: ECDHE, RSA key exchange with mutual TLS,
 * session tickets, resumption),
 * the rest the server's bytes.  The RNG and the clock are fixed
 * (tests/fuzz/engine.h), so the seeds captured by make_seeds.c replay a
 * real session to its close_notify and every finding reproduces.
 */
#include "tests/fuzz/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_run_engine(fz_client_new_v(fz_variant(data, size)), data, size);
    return 0;
}
