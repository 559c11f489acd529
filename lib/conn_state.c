/*
 * The functions of lib/conn.h that work on the connection's state alone:
 * how a connection fails (tern_fail) and its random bytes.  They call
 * nothing above the state layer: a failure is recorded here and ended by
 * the engine (lib/conn.c), which sends the alert and invalidates the
 * session when the failed call returns.
 */
#define TERN_LAYER TERN_LAYER_CONN
#include <stdarg.h>
#include <stdio.h>

#include "crypto/rand.h"
#include "lib/conn.h"

int tern_conn_random(tern_conn *c, uint8_t *buf, size_t len) {
    return tern_rand_fill(c->cfg->rng, c->cfg->rng_arg, buf, len);
}

int tern_fail(tern_conn *c, int err, const char *fmt, ...) {
    if (c->state == TERN_ST_FAILED)
        return c->err;
    c->state = TERN_ST_FAILED;
    c->err = err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
    va_end(ap);
    /* The alert this failure sends (tern_alert_sent from now on), or -1 for
     * the errors that send none (the transport went away, the peer's own
     * alert, a close). */
    int alert = tern_error_alert(err);
    if (alert >= 0)
        c->alert_sent = alert;
    c->fail_pending = 1;
    return err;
}
