/*
 * Constant-time check for the server side of the RSA key exchange at the
 * TLS layer (lib/hs_client_key_exchange_rsa.c, lib/keysched.c) under
 * valgrind memcheck: RFC 5246 §7.4.7.1 wants no observable difference
 * between a good and a bad EncryptedPreMasterSecret until Finished.
 *
 * Marked undefined: the server's RSA private key (as loaded from
 * vectors/certs/server.key: d, p, q, dP, dQ, qInv and the values derived
 * from them) and every random byte the server draws (blinding, the random
 * premaster of §7.4.7.1 step 1).  Then, for a valid ciphertext, one with
 * the wrong version, and one with bad padding: the ClientKeyExchange
 * parser (tern_hs_client_key_exchange_parse, which dispatches to the RSA
 * file) and the key schedule (tern_ks_prepare: master secret, with and
 * without the extended master secret, and key block).  Any branch or
 * index on the decrypted premaster, its padding or its version shows up as
 * a valgrind error.  The master secret is marked defined only to check
 * it: equal to the one derived from the client's premaster exactly for the
 * valid ciphertext.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "lib/conn.h"
#include "lib/hs.h"
#include "lib/keysched.h"

#define UNDEF(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define DEF(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static int failures;

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "ct_rsa_kx: %s\n", what);
        failures++;
    }
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static int secret_rng(void *arg, uint8_t *buf, size_t len) {
    (void)arg;
    for (size_t i = 0; i < len; i++) {
        rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
        buf[i] = (uint8_t)(rng_state >> 56);
    }
    UNDEF(buf, len);
    return 0;
}
static int public_rng(void *arg, uint8_t *buf, size_t len) {
    (void)arg;
    for (size_t i = 0; i < len; i++) {
        rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
        buf[i] = (uint8_t)(rng_state >> 56) | 1;
    }
    return 0;
}

static void mark_key_secret(tern_rsa_private *k) {
    UNDEF(k->d, sizeof k->d);
    UNDEF(k->p, sizeof k->p);
    UNDEF(k->q, sizeof k->q);
    UNDEF(k->dp, sizeof k->dp);
    UNDEF(k->dq, sizeof k->dq);
    UNDEF(k->qinv, sizeof k->qinv);
    UNDEF(k->rrp, sizeof k->rrp);
    UNDEF(k->rrq, sizeof k->rrq);
    UNDEF(&k->p0inv, sizeof k->p0inv);
    UNDEF(&k->q0inv, sizeof k->q0inv);
}

int main(void) {
    tern_config *cfg = tern_config_new();
    if (cfg == NULL ||
        tern_config_load_keystore(cfg, "vectors/certs/server-chain.pem", "vectors/certs/server.key") != 0) {
        fprintf(stderr, "ct_rsa_kx: cannot load vectors/certs (run from the top of the tree)\n");
        return 1;
    }
    tern_config_set_rng(cfg, secret_rng, NULL);
    mark_key_secret(&cfg->keys.rsa);
    const tern_rsa_public *pub = &cfg->keys.rsa.pub;
    size_t klen = tern_rsa_len(pub);

    uint8_t pms[48], ct[2 + TERN_RSA_MAX_BYTES];
    pms[0] = 3, pms[1] = 3;
    for (int i = 2; i < 48; i++)
        pms[i] = (uint8_t)(0x40 + i);
    uint8_t rnd[32] = {0};
    for (int v = 0; v < 6; v++) {
        int kind = v % 3, ems = v / 3; /* valid, wrong version, bad padding; EMS off/on */
        uint8_t msg[48];
        memcpy(msg, pms, 48);
        if (kind == 1)
            msg[1] = 2; /* the client claims TLS 1.1 inside, 1.2 in its hello */
        tern_store_be16(ct, (uint16_t)klen);
        check(tern_rsa_pkcs1_encrypt(pub, msg, 48, ct + 2, klen, public_rng, NULL) == 0, "encrypt");
        if (kind == 2)
            ct[2 + klen / 3] ^= 0x20;

        tern_conn *s = tern_server_new(cfg);
        check(s != NULL, "server");
        if (s == NULL)
            break;
        s->suite = tern_suite_by_id(0x009C);
        s->ems = ems;
        s->hs_state->client_version = TERN_TLS12;
        tern_reader r;
        tern_rd_init(&r, ct, 2 + klen);
        int rc = tern_hs_client_key_exchange_parse(s, &r);
        check(rc == 0, "parse always succeeds");
        rc = tern_ks_prepare(s);
        check(rc == 0, "key schedule");
        DEF(s->master, sizeof s->master);
        DEF(s->hs_state->key_block, sizeof s->hs_state->key_block);

        /* What the client derives from its premaster. */
        uint8_t want[48], hash[TERN_HASH_MAX_LEN];
        size_t hlen = tern_ks_transcript_hash(s, hash);
        check(tern_ks_derive_master(TERN_HASH_SHA256, pms, 48, ems, rnd, rnd, hash, hlen, want) == 0, "derive");
        check((memcmp(want, s->master, 48) == 0) == (kind == 0), "master secret");
        tern_free(s);
    }
    tern_config_free(cfg);
    if (failures)
        return 1;
    printf("ct_rsa_kx: 6 ClientKeyExchange parses + key schedules, premaster secret throughout\n");
    return 0;
}
