#!/bin/sh
# Interop for ECDHE_ECDSA, secp256r1 and ChaCha20-Poly1305 against real OpenSSL processes on 127.0.0.1:
#   openssl s_client -> tern server holding two identities (RSA and ECDSA
#     P-256, P-384 root): each new suite (ECDHE-ECDSA-AES128/256-GCM,
#     ECDHE-ECDSA-CHACHA20-POLY1305, ECDHE-RSA-CHACHA20-POLY1305) with each
#     group (X25519, P-256), 64 KB echoed; the certificate follows the suite
#     (ECDSA suites get the ECDSA chain, verified by s_client against the
#     P-384 root); ecdsa_secp384r1_sha384 when the client allows only it;
#   tern client -> openssl s_server (-groups restricting the group, tern
#     --groups too for P-256) for each new suite and group, 64 KB echoed;
#   tern server --groups secp256r1 picks P-256 although the client prefers
#     X25519;
#   a tern client trusting only the RSA root refuses the ECDSA chain
#     (unknown_ca); an s_client offering only P-384 gets secp384r1 and the
#     RSA certificate (P-384 certificates: tests/interop_sigs.test.sh).
# Needs: openssl, $BUILD/tools/tern.  Exit 77 (skipped, with the reason) without openssl.
NAME=interop_ec
. tests/lib.sh
need openssl
need_tern

head -c 65536 /dev/urandom > "$WORK/data"
cat "$CERTS/root-ca.crt" "$CERTS/ecdsa-root.crt" > "$WORK/roots.pem"
SUITES="ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-CHACHA20-POLY1305"
GROUPS="X25519 P-256"

temp_key() { # what s_client prints as "Server Temp Key" for a group
    case $1 in X25519) echo "X25519" ;; P-256) echo "ECDH, prime256v1" ;; esac
}

# ---- openssl s_client -> tern server (RSA + ECDSA identities) ----
port=$(free_port)
timeout 120 "$TERN" server --port "$port" --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" \
    --keystore "$CERTS/ecdsa-server-chain.pem" "$CERTS/ecdsa-server-sec1.key" --echo 2>"$WORK/ts.err" &
PIDS="$PIDS $!"
if wait_port "$port"; then
    for suite in $SUITES; do
        case $suite in *ECDSA*) want="CN = localhost" root="$CERTS/ecdsa-root.crt" issuer="Test ECDSA Intermediate" ;;
                       *) want="CN = localhost" root="$CERTS/root-ca.crt" issuer="Test Intermediate" ;; esac
        for group in $GROUPS; do
            # RFC 8422 §5.1: for an ECDSA suite the client must also list the
            # certificate's curve; X25519 stays its first (ECDHE) choice.
            offer=$group
            case $suite/$group in *ECDSA*/X25519) offer=X25519:P-256 ;; esac
            what="s_client -cipher $suite -groups $offer -> tern server (RSA+ECDSA)"
            out="$WORK/out.$suite.$group"
            : > "$out"
            feed_and_wait "$WORK/data" "$out" |
                timeout 20 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$root" \
                    -verify_return_error -servername localhost -cipher "$suite" -groups "$offer" -quiet \
                    -no_ign_eof -nocommands > "$out" 2>"$WORK/sc.err"
            sleep 0.1
            if ! cmp -s "$WORK/data" "$out"; then
                fail "$what: echoed data differs ($(wc -c < "$out") bytes): $(cat "$WORK/sc.err")"
                continue
            fi
            echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$root" \
                -verify_return_error -servername localhost -cipher "$suite" -groups "$offer" > "$WORK/hs.out" 2>&1
            if grep -q "Cipher is $suite" "$WORK/hs.out" && grep -q "Verify return code: 0 (ok)" "$WORK/hs.out" &&
                grep -q "Server Temp Key: $(temp_key "$group")" "$WORK/hs.out" &&
                grep -q "i:.*CN *= *$issuer" "$WORK/hs.out" && grep -q "Extended master secret: yes" "$WORK/hs.out"; then
                ok "$what: 64 KB echoed, chain from $issuer verified, temp key $(temp_key "$group")"
            else fail "$what: $(grep -E 'Cipher is|Verify return|Temp Key|i:' "$WORK/hs.out" | head -5)"; fi
        done
    done
    # The client allows only SHA-384 with ECDSA: tern signs with 0x0503.
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/ecdsa-root.crt" \
        -verify_return_error -servername localhost -cipher ECDHE-ECDSA-AES128-GCM-SHA256 \
        -sigalgs ECDSA+SHA384 > "$WORK/hs.out" 2>&1
    if grep -q "Cipher is ECDHE-ECDSA-AES128-GCM-SHA256" "$WORK/hs.out" &&
        grep -q "Peer signing digest: SHA384" "$WORK/hs.out"; then ok "s_client -sigalgs ECDSA+SHA384: tern signed with SHA-384"
    else fail "ECDSA+SHA384: $(grep -E 'Cipher is|digest|alert' "$WORK/hs.out" | head -3)"; fi
    # An ECDSA suite with only X25519 listed: our P-256 certificate is not
    # allowed (RFC 8422 §5.1), so handshake_failure.
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$WORK/roots.pem" \
        -servername localhost -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups X25519 > "$WORK/hs.out" 2>&1
    if grep -qi "alert handshake failure" "$WORK/hs.out"; then ok "ECDSA suite with -groups X25519 only refused (handshake_failure)"
    else fail "ECDSA + X25519 only: $(tail -n 3 "$WORK/hs.out")"; fi
    # Only P-384 offered: secp384r1 for the key exchange, and the RSA
    # certificate (the P-256 ECDSA one needs secp256r1 listed, RFC 8422 §5.1).
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$WORK/roots.pem" \
        -verify_return_error -servername localhost -groups P-384 > "$WORK/hs.out" 2>&1
    if grep -q "Server Temp Key: ECDH, secp384r1" "$WORK/hs.out" && grep -q "Cipher is ECDHE-RSA-" "$WORK/hs.out" &&
        grep -q "Verify return code: 0 (ok)" "$WORK/hs.out"; then ok "s_client -groups P-384: secp384r1 with the RSA certificate"
    else fail "P-384 only: $(grep -E 'Cipher is|Temp Key|alert' "$WORK/hs.out" | head -3)"; fi
    # Default s_client (prefers ECDSA in its list): tern picks ECDHE-ECDSA-AES128-GCM.
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$WORK/roots.pem" \
        -verify_return_error -servername localhost > "$WORK/hs.out" 2>&1
    if grep -q "Cipher is ECDHE-ECDSA-AES128-GCM-SHA256" "$WORK/hs.out"; then ok "default s_client -> ECDHE-ECDSA-AES128-GCM-SHA256"
    else fail "default s_client: $(grep -E 'Cipher is' "$WORK/hs.out")"; fi
else
    fail "tern server did not start: $(cat "$WORK/ts.err")"
fi

# ---- tern server --groups secp256r1: the server's group choice ----
port=$(free_port)
timeout 30 "$TERN" server --port "$port" --keystore "$CERTS/ecdsa-server-chain.pem" "$CERTS/ecdsa-server.key" \
    --groups secp256r1 --echo 2>"$WORK/tg.err" &
PIDS="$PIDS $!"
if wait_port "$port"; then
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/ecdsa-root.crt" \
        -verify_return_error -servername localhost -groups X25519:P-256 > "$WORK/hs.out" 2>&1
    if grep -q "Server Temp Key: ECDH, prime256v1" "$WORK/hs.out" && grep -q "Verify return code: 0 (ok)" "$WORK/hs.out"
    then ok "tern server --groups secp256r1 chose P-256 over the client's first choice X25519"
    else fail "tern server --groups: $(grep -E 'Cipher is|Temp Key|alert' "$WORK/hs.out" | head -3)"; fi
else
    fail "tern server (--groups) did not start: $(cat "$WORK/tg.err")"
fi

# ---- tern client -> openssl s_server ----
s_server() { # $1 port, $2 suite, $3 group
    case $2 in
    *ECDSA*) ossl_echo "$1" "$WORK/ss.err.$1" -cert "$CERTS/ecdsa-server.crt" -key "$CERTS/ecdsa-server.key" \
        -cert_chain "$CERTS/ecdsa-int.crt" -cipher "$2" -groups "$3" ;;
    *) ossl_echo "$1" "$WORK/ss.err.$1" -cert "$CERTS/server.crt" -key "$CERTS/server.key" \
        -cert_chain "$CERTS/int-ca.crt" -cipher "$2" -groups "$3" ;;
    esac
}
for suite in $SUITES; do
    for group in $GROUPS; do
        port=$(free_port)
        s_server "$port" "$suite" "$group"
        wait_port "$port" || { fail "s_server did not start"; continue; }
        what="tern client --cipher $suite -> s_server -groups $group"
        out="$WORK/tout.$port"
        : > "$out"
        tgroups=x25519,secp256r1
        [ "$group" = P-256 ] && tgroups=secp256r1 # tern offers only what the server takes
        feed_and_wait "$WORK/data" "$out" |
            timeout 20 "$TERN" client "127.0.0.1:$port" --truststore "$WORK/roots.pem" --servername localhost \
                --cipher "$suite" --groups "$tgroups" > "$out" 2>"$WORK/tc.err"
        rc=$?
        if [ $rc -ne 0 ]; then fail "$what: exit $rc: $(cat "$WORK/tc.err") / $(cat "$WORK/ss.err.$port")"
        elif ! cmp -s "$WORK/data" "$out"; then fail "$what: echoed data differs ($(wc -c < "$out") bytes)"
        elif ! grep -q "$(iana "$suite")" "$WORK/tc.err"; then fail "$what: $(cat "$WORK/tc.err")"
        else ok "$what: 64 KB echoed"; fi
    done
done
# The ECDSA chain to a client trusting only the RSA root: unknown_ca.
port=$(free_port)
s_server "$port" ECDHE-ECDSA-AES128-GCM-SHA256 P-256
if wait_port "$port"; then
    timeout 10 "$TERN" client "127.0.0.1:$port" --truststore "$CERTS/root-ca.crt" --servername localhost \
        </dev/null >/dev/null 2>"$WORK/tc.err"
    rc=$?
    if [ $rc -ne 0 ] && grep -qi "unknown_ca\|unknown CA\|no path\|not trusted" "$WORK/tc.err"; then
        ok "tern client refuses the ECDSA chain without its root: $(tail -n 1 "$WORK/tc.err")"
    else fail "ECDSA chain, wrong root: exit $rc: $(cat "$WORK/tc.err")"; fi
else
    fail "s_server did not start"
fi

finish
