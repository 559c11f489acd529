/*
 * The layers of lib/, lowest first.  A file may include the headers of its
 * own layer and of lower ones, never of a higher one:
 *
 *   0 base       include/tern/error.h, the crypto/ headers (crypto/ includes
 *                nothing of lib/ and not tern/tern.h)
 *   1 encoding   lib/bytes.h, the lib/x509/ headers: bytes, DER, PEM,
 *                X.509; no TLS
 *   2 wire       lib/wire.h (code points, sizes), lib/suites.h,
 *                lib/certlist.h (the Certificate messages' list)
 *   3 state      lib/conn.h, lib/hs_state.h, lib/session.h: the
 *                configuration and connection structs, tern_fail,
 *                the identities; lib/config.c, lib/identity.c
 *   4 record     lib/record.h, lib/keysched.h, lib/kx.h, lib/sig.h,
 *     and keys   lib/trace.h
 *   5 handshake  lib/hs.h: the table, the messages, extensions, the
 *                resumption hooks; lib/negotiate.h: the server's choices
 *   6 engine     lib/engine.h: the byte interface (lib/engine.c) and the pumps
 *                (lib/io.c); lib/conn.c, the connection's public API
 *
 * include/tern/tern.h, the public API, may be included at any layer.
 * Each lib/ .c file states its layer before its first include
 * (`#define TERN_LAYER TERN_LAYER_RECORD_KEYS`); each lib/ header starts
 * by refusing, with #error, to be included by a file of a lower layer.
 * Includes between headers, which no #error can see, are checked by
 * tests/layers.test.sh against the same table (docs/CONVENTIONS.md).
 */
#ifndef TERN_LIB_LAYER_H
#define TERN_LIB_LAYER_H

#define TERN_LAYER_BASE 0
#define TERN_LAYER_ENCODING 1
#define TERN_LAYER_WIRE 2
#define TERN_LAYER_CONN 3
#define TERN_LAYER_RECORD_KEYS 4
#define TERN_LAYER_HANDSHAKE 5
#define TERN_LAYER_ENGINE 6

#endif
