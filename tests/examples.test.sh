#!/bin/sh
# Runs every program in examples/ against real peers on 127.0.0.1 and checks
# what it prints:
#   examples/server  <- examples/client, examples/nonblocking (3 clients, clean closes)
#   examples/server with a client trust store <- tern client --keystore, examples/client
#   examples/event_loop <- 3 examples/nonblocking and 1 examples/client at once
#   examples/client, nonblocking, https_get -> tern server / openssl s_server
#   openssl s_client -> examples/server (chain verified by OpenSSL, echo)
#   negatives: an untrusted chain and a wrong name are refused with the reason.
# Needs $BUILD/examples/* and $BUILD/tools/tern; the OpenSSL parts are
# skipped when openssl is not installed (and so is the script: exit 77).
NAME=examples
. tests/lib.sh
EX=$BUILD/examples
for e in client server https_get nonblocking event_loop; do
    [ -x "$EX/$e" ] || { echo "$NAME: FAIL: $EX/$e missing (make examples)"; exit 1; }
done
need_tern

# ---- examples/server with three clients: client, nonblocking, client ----
PORT=$(free_port)
start_bg timeout 60 "$EX/server" "$PORT" "$CERTS/server-chain.pem" "$CERTS/server.key" 3 \
    >"$WORK/exsrv.out" 2>"$WORK/exsrv.err"
SRV=$LAST
if wait_port "$PORT"; then
    out=$(timeout 10 "$EX/client" 127.0.0.1 "$PORT" "$CERTS/root-ca.crt" localhost 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && echo "$out" | grep -q "^reply: hello from the tern example client$" &&
        echo "$out" | grep -q "^connected: TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, server CN=localhost"; then
        ok "client -> examples/server: verified, echoed"
    else fail "client -> examples/server: exit $rc: $out"; fi

    out=$(timeout 10 "$EX/nonblocking" 127.0.0.1 "$PORT" "$CERTS/root-ca.crt" localhost 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && echo "$out" | grep -q "^reply: hello from the non-blocking tern example$" &&
        echo "$out" | grep -q "^waits: handshake [0-9][0-9]* for reading"; then
        ok "nonblocking -> examples/server: $(echo "$out" | grep '^waits:')"
    else fail "nonblocking -> examples/server: exit $rc: $out"; fi

    out=$(timeout 10 "$EX/client" 127.0.0.1 "$PORT" "$CERTS/root-ca.crt" localhost "second line" 2>&1)
    if echo "$out" | grep -q "^reply: second line$"; then ok "client with its own message"
    else fail "client with its own message: $out"; fi

    wait "$SRV"
    rc=$?
    n=$(grep -c "^client closed cleanly$" "$WORK/exsrv.out")
    if [ $rc -eq 0 ] && [ "$n" -eq 3 ]; then ok "examples/server served 3 clients and exited 0"
    else fail "examples/server: exit $rc, $n clean closes: $(cat "$WORK/exsrv.out" "$WORK/exsrv.err")"; fi
else
    fail "examples/server did not start: $(cat "$WORK/exsrv.err")"
fi

# ---- examples/server with a client trust store (mutual TLS, optional) ----
PORT=$(free_port)
start_bg timeout 60 "$EX/server" "$PORT" "$CERTS/server-chain.pem" "$CERTS/server.key" 2 "$CERTS/root-ca.crt" \
    >"$WORK/exsrv3.out" 2>"$WORK/exsrv3.err"
SRV=$LAST
if wait_port "$PORT"; then
    echo "with a certificate" | timeout 10 "$TERN" client "127.0.0.1:$PORT" --truststore "$CERTS/root-ca.crt" \
        --servername localhost --keystore "$CERTS/client-chain.pem" "$CERTS/client.key" >"$WORK/mtls.out" 2>&1
    timeout 10 "$EX/client" 127.0.0.1 "$PORT" "$CERTS/root-ca.crt" localhost >>"$WORK/mtls.out" 2>&1
    wait "$SRV"
    rc=$?
    if [ $rc -eq 0 ] && grep -q "^client certificate: CN=Test Client, O=tern test$" "$WORK/exsrv3.out" &&
        grep -q "^client certificate: none$" "$WORK/exsrv3.out" && grep -q "^with a certificate$" "$WORK/mtls.out"; then
        ok "examples/server with a client trust store: a verified client certificate, then a client without one"
    else fail "examples/server mutual TLS: exit $rc: $(cat "$WORK/exsrv3.out" "$WORK/exsrv3.err" "$WORK/mtls.out")"; fi
else
    fail "examples/server (client trust store) did not start: $(cat "$WORK/exsrv3.err")"
fi

# ---- examples/event_loop with four clients at once ----
PORT=$(free_port)
start_bg timeout 60 "$EX/event_loop" "$PORT" "$CERTS/server-chain.pem" "$CERTS/server.key" 4 \
    >"$WORK/evl.out" 2>"$WORK/evl.err"
SRV=$LAST
if wait_port "$PORT"; then
    cpids=""
    for i in 1 2 3; do
        timeout 10 "$EX/nonblocking" 127.0.0.1 "$PORT" "$CERTS/root-ca.crt" localhost >"$WORK/evl.c$i" 2>&1 &
        cpids="$cpids $!"
    done
    timeout 10 "$EX/client" 127.0.0.1 "$PORT" "$CERTS/root-ca.crt" localhost "fourth at once" >"$WORK/evl.c4" 2>&1 &
    cpids="$cpids $!"
    bad=0
    for p in $cpids; do wait "$p" || bad=$((bad + 1)); done
    wait "$SRV"
    rc=$?
    n=$(grep -c "^client closed cleanly$" "$WORK/evl.out")
    if [ $bad -eq 0 ] && [ $rc -eq 0 ] && [ "$n" -eq 4 ] && grep -q "^reply: fourth at once$" "$WORK/evl.c4" &&
        [ "$(cat "$WORK"/evl.c[123] | grep -c '^reply: hello from the non-blocking tern example$')" -eq 3 ]; then
        ok "examples/event_loop served 4 clients at once, each echoed and closed cleanly"
    else fail "examples/event_loop: exit $rc, $bad clients failed, $n clean closes: $(cat "$WORK"/evl.*)"; fi
else
    fail "examples/event_loop did not start: $(cat "$WORK/evl.err")"
fi

# ---- examples against tern server ----
if tern_echo_server --echo; then
    # Refused: a trust store that did not issue the chain, and a wrong name.
    out=$(timeout 10 "$EX/client" 127.0.0.1 "$PORT" "$CERTS/root2-ca.crt" localhost 2>&1)
    rc=$?
    if [ $rc -eq 1 ] && echo "$out" | grep -q "handshake failed: no certificate in the trust store issued" &&
        echo "$out" | grep -q "unknown_ca"; then ok "client refuses an untrusted chain: unknown_ca"
    else fail "client with the wrong trust store: exit $rc: $out"; fi
    out=$(timeout 10 "$EX/nonblocking" 127.0.0.1 "$PORT" "$CERTS/root-ca.crt" wrong.example 2>&1)
    rc=$?
    if [ $rc -eq 1 ] && echo "$out" | grep -q 'is not for name "wrong.example"'; then
        ok "nonblocking refuses a wrong name"
    else fail "nonblocking with a wrong name: exit $rc: $out"; fi
fi
if tern_echo_server --http; then
    out=$(timeout 10 "$EX/https_get" "https://localhost:$PORT/" "$CERTS/root-ca.crt" 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && echo "$out" | grep -q "^HTTP/1.0 200 OK" && echo "$out" | grep -q "^hello from tern$"; then
        ok "https_get -> tern server --http"
    else fail "https_get -> tern server --http: exit $rc: $out"; fi
    out=$(timeout 10 "$EX/https_get" "https://localhost:$PORT/" "$CERTS/root2-ca.crt" 2>&1)
    rc=$?
    if [ $rc -ne 0 ] && echo "$out" | grep -q "trust store"; then ok "https_get refuses an untrusted chain"
    else fail "https_get with the wrong trust store: exit $rc: $out"; fi
fi

# ---- against OpenSSL ----
if ! have_openssl; then
    skip_part "openssl not installed (Debian package openssl): the OpenSSL peers"
else
    if ossl_server -rev; then
        out=$(timeout 10 "$EX/client" 127.0.0.1 "$PORT" "$CERTS/root-ca.crt" localhost "hello openssl" 2>&1)
        rc=$?
        if [ $rc -eq 0 ] && echo "$out" | grep -q "^reply: lssnepo olleh$"; then ok "client -> openssl s_server -rev"
        else fail "client -> openssl s_server: exit $rc: $out"; fi
    fi
    if ossl_server -rev; then
        out=$(timeout 10 "$EX/nonblocking" 127.0.0.1 "$PORT" "$CERTS/root-ca.crt" localhost 2>&1)
        rc=$?
        if [ $rc -eq 0 ] && echo "$out" | grep -q "^reply: elpmaxe nret gnikcolb-non eht morf olleh$"; then
            ok "nonblocking -> openssl s_server -rev"
        else fail "nonblocking -> openssl s_server: exit $rc: $out"; fi
    fi
    if ossl_server -www; then
        out=$(timeout 10 "$EX/https_get" "https://localhost:$PORT/" "$CERTS/root-ca.crt" 2>&1)
        rc=$?
        if [ $rc -eq 0 ] && echo "$out" | grep -qi "^HTTP/1.0 200 ok" && echo "$out" | grep -q "ECDHE-RSA-AES128-GCM-SHA256"; then
            ok "https_get -> openssl s_server -www"
        else fail "https_get -> openssl s_server -www: exit $rc: $out"; fi
    fi
    # openssl s_client -> examples/server: OpenSSL verifies tern's chain; echo comes back.
    PORT=$(free_port)
    start_bg timeout 30 "$EX/server" "$PORT" "$CERTS/server-chain.pem" "$CERTS/server.key" 1 \
        >"$WORK/exsrv2.out" 2>"$WORK/exsrv2.err"
    SRV=$LAST
    if wait_port "$PORT"; then
        (printf 'ping from openssl\n'; sleep 1) | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 \
            -CAfile "$CERTS/root-ca.crt" -verify_return_error -servername localhost -no_ign_eof -nocommands \
            >"$WORK/sc.out" 2>&1
        wait "$SRV"
        rc=$?
        if grep -q "Verify return code: 0 (ok)" "$WORK/sc.out" && grep -q "^ping from openssl$" "$WORK/sc.out" &&
            grep -q "client closed cleanly" "$WORK/exsrv2.out" && [ $rc -eq 0 ]; then
            ok "openssl s_client -> examples/server: chain verified, echoed, clean close"
        else fail "openssl s_client -> examples/server: exit $rc: $(cat "$WORK/sc.out" "$WORK/exsrv2.out" "$WORK/exsrv2.err" | tail -20)"; fi
    else fail "examples/server did not start"; fi
fi

finish
