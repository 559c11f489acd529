#!/bin/sh
# `make demo`: one TLS 1.2 handshake, narrated, on this machine only.
#
#   1. starts `tern server` on 127.0.0.1 (a free port) with the bundled test
#      key store (vectors/certs/server-chain.pem + server.key),
#   2. runs `tern client --trace` against it with the bundled trust store
#      (vectors/certs/root-ca.crt), sends a line and shows the echo,
#   3. runs the same client against `openssl s_server` if openssl is
#      installed (it answers each line reversed),
#   4. stops everything it started.
# Needs no network and no cmocka.  Usage: sh tools/demo.sh [BUILD-DIR]
BUILD=${1:-${BUILD:-build}}
TERN=$BUILD/tools/tern
CERTS=vectors/certs
[ -x "$TERN" ] || { echo "demo: $TERN is missing: run 'make demo' (or 'make tools')" >&2; exit 2; }

PIDS=""
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tern-demo.XXXXXX")
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    else
        echo $(( ( $$ % 20000 ) + 30000 + ${1:-0} ))
    fi
}

# Wait (up to ~5 s) until something listens on 127.0.0.1:$1.
wait_port() {
    i=0
    while [ $i -lt 100 ]; do
        if command -v ss >/dev/null 2>&1; then
            ss -ltn 2>/dev/null | grep -q "127.0.0.1:$1 \|\*:$1 \|0.0.0.0:$1 \|\[::\]:$1 " && return 0
        else
            sleep 1; return 0
        fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

banner() {
    echo
    echo "=============================================================================="
    echo "$*"
    echo "=============================================================================="
}

status=0

# ---- 1 + 2: tern client -> tern server ----
port=$(free_port 0)
banner "1. tern server on 127.0.0.1:$port with the test key store ($CERTS/server-chain.pem, server.key)"
"$TERN" server --port "$port" --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" --echo 2>"$WORK/server.err" &
PIDS="$PIDS $!"
if ! wait_port "$port"; then
    echo "demo: the server did not start:" >&2; cat "$WORK/server.err" >&2; exit 1
fi
cat "$WORK/server.err"

banner "2. tern client --trace, trusting only $CERTS/root-ca.crt, sending one line"
echo "    \$ echo 'hello, tern' | $TERN client 127.0.0.1:$port --truststore $CERTS/root-ca.crt --servername localhost --trace"
echo
echo 'hello, tern' | timeout 20 "$TERN" client "127.0.0.1:$port" --truststore "$CERTS/root-ca.crt" \
    --servername localhost --trace > "$WORK/echo.out"
rc=$?
echo
if [ $rc -eq 0 ] && [ "$(cat "$WORK/echo.out")" = "hello, tern" ]; then
    echo "The server echoed our line back through the encrypted connection: $(cat "$WORK/echo.out")"
else
    echo "demo: FAILED (exit $rc, got '$(cat "$WORK/echo.out")')"; status=1
fi

# ---- 3: the same client against OpenSSL ----
if command -v openssl >/dev/null 2>&1; then
    port2=$(free_port 1)
    banner "3. the same client against openssl s_server on 127.0.0.1:$port2 ($(openssl version | cut -d' ' -f1-2))"
    timeout 30 openssl s_server -accept "$port2" -tls1_2 -cert "$CERTS/server.crt" -key "$CERTS/server.key" \
        -cert_chain "$CERTS/int-ca.crt" -rev -naccept 1 >"$WORK/ossl.out" 2>&1 &
    PIDS="$PIDS $!"
    if wait_port "$port2"; then
        echo "    openssl s_server -rev answers every line reversed."
        echo "    \$ echo 'hello, tern' | $TERN client 127.0.0.1:$port2 --truststore $CERTS/root-ca.crt --servername localhost --trace"
        echo
        echo 'hello, tern' | timeout 20 "$TERN" client "127.0.0.1:$port2" --truststore "$CERTS/root-ca.crt" \
            --servername localhost --trace > "$WORK/rev.out"
        rc=$?
        echo
        if [ $rc -eq 0 ] && [ "$(cat "$WORK/rev.out")" = "nret ,olleh" ]; then
            echo "OpenSSL answered: $(cat "$WORK/rev.out")"
        else
            echo "demo: FAILED against OpenSSL (exit $rc, got '$(cat "$WORK/rev.out")')"; status=1
        fi
    else
        echo "demo: openssl s_server did not start:"; cat "$WORK/ossl.out"; status=1
    fi
else
    banner "3. openssl is not installed: skipping the run against openssl s_server"
fi

banner "4. done: everything started here is stopped$( [ $status -eq 0 ] || echo ' (with FAILURES above)')"
echo "Next: examples/ (client.c, server.c, https_get.c, nonblocking.c), docs/HANDSHAKE.md,"
echo "      '$TERN --help', '$TERN verify --help', '$TERN speed'."
exit $status
