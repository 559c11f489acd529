/*
 * Transitional: the headers that replace this one, by layer (lib/layer.h).
 */
#ifndef TERN_LIB_TLS_H
#define TERN_LIB_TLS_H

#include "crypto/ct.h"
#include "crypto/hmac.h"
#include "crypto/x25519.h"
#include "lib/conn.h"
#include "lib/engine.h"
#include "lib/hs.h"
#include "lib/keysched.h"
#include "lib/kx.h"
#include "lib/record.h"
#include "lib/sig.h"
#include "lib/suites.h"
#include "lib/wire.h"

#endif
