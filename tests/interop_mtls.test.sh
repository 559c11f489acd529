#!/bin/sh
# Interop for client certificates (mutual TLS) against real OpenSSL processes on 127.0.0.1:
#   openssl s_client -cert/-key -> tern server --client-auth required, all four
#     suites (ECDHE and RSA key exchange), 64 KB echoed; the server names the
#     verified client; s_client without a certificate and with a certificate
#     of the wrong purpose are refused with handshake_failure /
#     unsupported_certificate;
#   tern client --keystore -> openssl s_server -Verify 1 -CAfile
#     -verify_return_error, all four suites, 64 KB echoed; without a key store
#     tern is refused by OpenSSL;
#   the RSA suites without client certificates, both directions;
#   ECDSA client certificates both ways (tern client choosing its ECDSA
#   identity over its RSA one by the CA names s_server sends);
#   several identities in tern server, picked by s_client's SNI (default
#   without SNI or for an unknown name).
# Needs: openssl, $BUILD/tools/tern.  Exit 77 (skipped, with the reason) without openssl.
NAME=interop_mtls
. tests/lib.sh
need openssl
need_tern

head -c 65536 /dev/urandom > "$WORK/data"
SUITES="ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 AES128-GCM-SHA256 AES256-GCM-SHA384"
ALL=$(echo $SUITES | tr ' ' ':')


# ---- openssl s_client (with a client certificate) -> tern server requiring one ----
port=$(free_port)
timeout 60 "$TERN" server --port "$port" --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" --echo \
    --truststore "$CERTS/root-ca.crt" --client-auth required --cipher "$ALL" 2>"$WORK/ts.err" &
PIDS="$PIDS $!"
if wait_port "$port"; then
    for suite in $SUITES; do
        what="s_client -cert -> tern server (client auth required) $suite"
        out="$WORK/out.$suite"
        : > "$out"
        feed_and_wait "$WORK/data" "$out" |
            timeout 20 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
                -verify_return_error -servername localhost -cipher "$suite" -cert "$CERTS/client.crt" \
                -key "$CERTS/client.key" -cert_chain "$CERTS/int-ca.crt" -quiet -no_ign_eof -nocommands \
                > "$out" 2>"$WORK/sc.err"
        sleep 0.1
        if ! cmp -s "$WORK/data" "$out"; then fail "$what: echoed data differs ($(wc -c < "$out") bytes): $(cat "$WORK/sc.err")"
        elif ! grep -q "$(iana "$suite"), .*peer CN=Test Client, O=tern test (verified)" "$WORK/ts.err"; then
            fail "$what: the server did not report the verified client: $(cat "$WORK/ts.err")"
        else ok "$what: 64 KB echoed, client CN=Test Client verified"; fi
    done
    # No certificate: refused with handshake_failure.
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
        -servername localhost > "$WORK/nc.out" 2>&1
    sleep 0.1
    if grep -qi "alert handshake failure" "$WORK/nc.out" && grep -q "requires one" "$WORK/ts.err"; then
        ok "s_client without a certificate refused (handshake_failure)"
    else fail "s_client without a certificate: $(tail -n 3 "$WORK/nc.out") / $(tail -n 2 "$WORK/ts.err")"; fi
    # A server certificate (extKeyUsage serverAuth only) as a client certificate.
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
        -servername localhost -cert "$CERTS/server.crt" -key "$CERTS/server.key" -cert_chain "$CERTS/int-ca.crt" \
        > "$WORK/eku.out" 2>&1
    sleep 0.1
    if grep -qi "alert unsupported certificate" "$WORK/eku.out" && grep -q "unsupported_certificate" "$WORK/ts.err"; then
        ok "s_client with a serverAuth-only certificate refused (unsupported_certificate)"
    else fail "wrong-EKU client certificate: $(tail -n 3 "$WORK/eku.out") / $(tail -n 2 "$WORK/ts.err")"; fi
else
    fail "tern server did not start: $(cat "$WORK/ts.err")"
fi

# ---- tern client with a key store -> openssl s_server -Verify 1 ----
# An echo s_server (ossl_echo).  -verify_return_error: a client without an
# acceptable certificate fails the handshake.
s_server_verify() { # $1 port, $2 suite, $3 extra options
    ossl_echo "$1" "$WORK/ss.err.$1" -cert "$CERTS/server.crt" -key "$CERTS/server.key" \
        -cert_chain "$CERTS/int-ca.crt" -cipher "$2" $3
}
for suite in $SUITES; do
    port=$(free_port)
    s_server_verify "$port" "$suite" "-Verify 1 -CAfile $CERTS/root-ca.crt -verify_return_error"
    wait_port "$port" || { fail "s_server did not start"; continue; }
    what="tern client --keystore -> s_server -Verify 1 $suite"
    out="$WORK/tout.$port"
    : > "$out"
    feed_and_wait "$WORK/data" "$out" |
        timeout 20 "$TERN" client "127.0.0.1:$port" --truststore "$CERTS/root-ca.crt" --servername localhost \
            --keystore "$CERTS/client-chain.pem" "$CERTS/client.key" --cipher "$suite" > "$out" 2>"$WORK/tc.err"
    rc=$?
    if [ $rc -ne 0 ]; then fail "$what: exit $rc: $(cat "$WORK/tc.err") / $(cat "$WORK/ss.err.$port")"
    elif ! cmp -s "$WORK/data" "$out"; then fail "$what: echoed data differs ($(wc -c < "$out") bytes)"
    elif ! grep -q "$(iana "$suite"), .*extended master secret yes" "$WORK/tc.err"; then fail "$what: $(cat "$WORK/tc.err")"
    else ok "$what: 64 KB echoed, EMS yes"; fi
done
port=$(free_port)
s_server_verify "$port" ECDHE-RSA-AES128-GCM-SHA256 "-Verify 1 -CAfile $CERTS/root-ca.crt -verify_return_error"
if wait_port "$port"; then
    timeout 10 "$TERN" client "127.0.0.1:$port" --truststore "$CERTS/root-ca.crt" --servername localhost \
        </dev/null >/dev/null 2>"$WORK/tc.err"
    rc=$?
    if [ $rc -eq 1 ] && grep -q "handshake_failure" "$WORK/tc.err"; then
        ok "tern client without a key store refused by s_server -Verify 1: $(tail -n 1 "$WORK/tc.err")"
    else fail "tern client without a key store: exit $rc: $(cat "$WORK/tc.err")"; fi
else
    fail "s_server did not start"
fi

# ---- the RSA key exchange without client certificates, both directions ----
for suite in AES128-GCM-SHA256 AES256-GCM-SHA384; do
    port=$(free_port)
    s_server_verify "$port" "$suite" ""
    wait_port "$port" || { fail "s_server did not start"; continue; }
    what="tern client --cipher $suite -> s_server"
    out="$WORK/rout.$port"
    : > "$out"
    feed_and_wait "$WORK/data" "$out" |
        timeout 20 "$TERN" client "127.0.0.1:$port" --truststore "$CERTS/root-ca.crt" --servername localhost \
            --cipher "$suite" > "$out" 2>"$WORK/tc.err"
    rc=$?
    if [ $rc -eq 0 ] && cmp -s "$WORK/data" "$out" && grep -q "$(iana "$suite")" "$WORK/tc.err"; then ok "$what: 64 KB echoed"
    else fail "$what: exit $rc: $(cat "$WORK/tc.err")"; fi
done
port=$(free_port)
timeout 30 "$TERN" server --port "$port" --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" --echo \
    --cipher "AES128-GCM-SHA256:AES256-GCM-SHA384" 2>"$WORK/tr.err" &
PIDS="$PIDS $!"
if wait_port "$port"; then
    for suite in AES128-GCM-SHA256 AES256-GCM-SHA384; do
        what="s_client -cipher $suite -> tern server"
        echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
            -verify_return_error -servername localhost -cipher "$suite" > "$WORK/rc.out" 2>&1
        if grep -q "Cipher is $suite" "$WORK/rc.out" && grep -q "Verify return code: 0 (ok)" "$WORK/rc.out" &&
            grep -q "Extended master secret: yes" "$WORK/rc.out"; then ok "$what: negotiated, EMS yes"
        else fail "$what: $(tail -n 5 "$WORK/rc.out")"; fi
    done
    # An ECDHE-only client: tern refuses it with handshake_failure (the RSA
    # suites are all this server has).
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
        -servername localhost -cipher ECDHE-RSA-AES128-GCM-SHA256 > "$WORK/rc.out" 2>&1
    if grep -qi "alert handshake failure" "$WORK/rc.out"; then ok "ECDHE-only client refused by an RSA-only tern server"
    else fail "ECDHE-only client: $(tail -n 3 "$WORK/rc.out")"; fi
else
    fail "tern server (RSA) did not start"
fi

# ---- ECDSA client certificates (P-256 leaf, P-256 intermediate, P-384 root) ----
cat "$CERTS/root-ca.crt" "$CERTS/ecdsa-root.crt" > "$WORK/both-roots.pem"
port=$(free_port)
timeout 30 "$TERN" server --port "$port" --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" --echo \
    --truststore "$WORK/both-roots.pem" --client-auth required --cipher "$ALL" 2>"$WORK/te.err" &
PIDS="$PIDS $!"
if wait_port "$port"; then
    for suite in ECDHE-RSA-AES128-GCM-SHA256 AES256-GCM-SHA384; do
        echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
            -verify_return_error -servername localhost -cipher "$suite" -cert "$CERTS/ecdsa-client.crt" \
            -key "$CERTS/ecdsa-client.key" -cert_chain "$CERTS/ecdsa-int.crt" > "$WORK/ec.out" 2>&1
        sleep 0.1
        if grep -q "Cipher is $suite" "$WORK/ec.out" &&
            grep -q "$(iana "$suite"), .*peer CN=Test ECDSA Client, O=tern test (verified)" "$WORK/te.err"; then
            ok "s_client with an ECDSA certificate -> tern server $suite: client verified"
        else fail "ECDSA client certificate $suite: $(tail -n 3 "$WORK/ec.out") / $(tail -n 2 "$WORK/te.err")"; fi
    done
else
    fail "tern server (ECDSA clients) did not start: $(cat "$WORK/te.err")"
fi
for suite in ECDHE-RSA-AES256-GCM-SHA384 AES128-GCM-SHA256; do
    port=$(free_port)
    s_server_verify "$port" "$suite" "-Verify 1 -CAfile $CERTS/ecdsa-root.crt -verify_return_error"
    wait_port "$port" || { fail "s_server did not start"; continue; }
    what="tern client --keystore (ECDSA) -> s_server -Verify 1 $suite"
    out="$WORK/eout.$port"
    : > "$out"
    feed_and_wait "$WORK/data" "$out" |
        timeout 20 "$TERN" client "127.0.0.1:$port" --truststore "$CERTS/root-ca.crt" --servername localhost \
            --keystore "$CERTS/client-chain.pem" "$CERTS/client.key" \
            --keystore "$CERTS/ecdsa-client-chain.pem" "$CERTS/ecdsa-client.key" --cipher "$suite" \
            > "$out" 2>"$WORK/tc.err"
    rc=$?
    if [ $rc -eq 0 ] && cmp -s "$WORK/data" "$out"; then ok "$what: the ECDSA identity chosen by CA name, 64 KB echoed"
    else fail "$what: exit $rc: $(cat "$WORK/tc.err") / $(cat "$WORK/ss.err.$port")"; fi
done

# ---- several identities: s_client's SNI picks tern's certificate ----
port=$(free_port)
timeout 30 "$TERN" server --port "$port" --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" \
    --keystore "$CERTS/wildcard.crt" "$CERTS/leaf.key" --echo 2>"$WORK/ti.err" &
PIDS="$PIDS $!"
if wait_port "$port"; then
    for pair in "x.wild.test:CN = wildcard" "localhost:CN = localhost" "other.test:CN = localhost" ":CN = localhost"; do
        name=${pair%%:*}
        want=${pair#*:}
        echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 ${name:+-servername "$name"} \
            > "$WORK/ti.out" 2>&1
        if grep -q "^subject=.*$want" "$WORK/ti.out"; then ok "SNI ${name:-none} -> tern identity $want"
        else fail "SNI ${name:-none}: expected $want: $(grep subject= "$WORK/ti.out")"; fi
    done
else
    fail "tern server (identities) did not start: $(cat "$WORK/ti.err")"
fi

finish
