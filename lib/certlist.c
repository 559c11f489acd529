/*
 * The certificate_list shared by both Certificate messages (RFC 5246
 * §7.4.2, §7.4.6): see lib/certlist.h.
 */
#define TERN_LAYER TERN_LAYER_WIRE
#include "lib/certlist.h"

int tern_certlist_parse(tern_reader *r, tern_certlist *out) {
    tern_reader list;
    out->n = 0;
    TERN_TRY(tern_rd_vec24(r, &list));
    TERN_TRY(tern_rd_end(r));
    while (tern_rd_left(&list) > 0) {
        tern_reader one;
        TERN_TRY(tern_rd_vec24(&list, &one));
        TERN_ENSURE(tern_rd_left(&one) > 0, TERN_ERR_DECODE); /* ASN.1Cert<1..2^24-1> */
        if (out->n == TERN_X509_MAX_PEER_CERTS)
            return TERN_ERR_CERT_CHAIN_TOO_LONG;
        out->cert[out->n] = one.p;
        out->len[out->n] = tern_rd_left(&one);
        out->n++;
    }
    return 0;
}

int tern_certlist_write(tern_writer *w, const tern_keystore *ks) {
    tern_wr_vec list, cert;
    TERN_TRY(tern_wr_begin(w, &list, 3));
    for (size_t i = 0; ks != NULL && i < ks->n; i++) {
        TERN_TRY(tern_wr_begin(w, &cert, 3));
        TERN_TRY(tern_wr_bytes(w, ks->chain[i], ks->chain_len[i]));
        TERN_TRY(tern_wr_end(w, &cert));
    }
    return tern_wr_end(w, &list);
}
