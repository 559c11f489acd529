#!/bin/sh
# PKCS#12 key stores and trust stores on the tern command, against OpenSSL on
# 127.0.0.1 (files made here by `openssl pkcs12 -export`, OpenSSL 3's
# defaults: AES-256-CBC, PBKDF2, an HMAC-SHA-256 MAC):
#   tern server --keystore server.p12 -> openssl s_client -verify_return_error
#     (the chain leaf + intermediate comes from the .p12, the file named .pfx
#     to show it is told by its content);
#   tern client --keystore client.p12 --truststore trust.p12 -> openssl
#     s_server -Verify 1 -verify_return_error (mutual TLS, a .p12 trust store);
#   tern client --truststore vectors/p12/java-truststore.p12 (keytool);
#   the refusals on the command line, each with its sentence: no password,
#   a wrong one, -legacy, a key store as --truststore, several keys without
#   --keyname, --keyname choosing one; a -nomac file loads with a note.
# Needs: openssl, $BUILD/tools/tern.  Exit 77 (skipped) without openssl.
NAME=p12
. tests/lib.sh
need openssl
need_tern

P="$WORK/pw"
echo "s3cret pass" > "$P"
ex() { openssl pkcs12 -export -passout "file:$P" "$@" 2>"$WORK/ossl.err" || fail "openssl pkcs12 $*: $(cat "$WORK/ossl.err")"; }
ex -in "$CERTS/server.crt" -inkey "$CERTS/server.key" -certfile "$CERTS/int-ca.crt" -name server -out "$WORK/server.pfx"
ex -in "$CERTS/client.crt" -inkey "$CERTS/client.key" -certfile "$CERTS/int-ca.crt" -name client -out "$WORK/client.p12"
ex -nokeys -in "$CERTS/root-ca.crt" -out "$WORK/trust.p12"
ex -legacy -in "$CERTS/server.crt" -inkey "$CERTS/server.key" -out "$WORK/legacy.p12"

# ---- tern server with a PKCS#12 key store -> openssl s_client ----
port=$(free_port)
timeout 60 "$TERN" server --port "$port" --keystore "$WORK/server.pfx" --password-file "$P" --echo \
    2>"$WORK/ts.err" &
PIDS="$PIDS $!"
if wait_port "$port"; then
    echo hello-p12 > "$WORK/in0"
    : > "$WORK/sc.out"
    feed_and_wait "$WORK/in0" "$WORK/sc.out" |
        timeout 20 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
            -verify_return_error -servername localhost -quiet -no_ign_eof -nocommands >"$WORK/sc.out" 2>"$WORK/sc.err"
    if cmp -s "$WORK/in0" "$WORK/sc.out" && grep -q "depth=1 C = XX, O = tern test, CN = Test Intermediate" "$WORK/sc.err" &&
        ! grep -q "error" "$WORK/sc.err"; then
        ok "tern server --keystore server.pfx (PKCS#12) -> s_client: chain verified, data echoed"
    else fail "tern server with a .p12: $(tail -n 3 "$WORK/sc.err") / $(cat "$WORK/ts.err")"; fi
else
    fail "tern server --keystore server.pfx did not start: $(cat "$WORK/ts.err")"
fi

# ---- tern client with a PKCS#12 key store and trust store -> s_server -Verify 1 ----
port=$(free_port)
ossl_echo "$port" "$WORK/ss.err" -cert "$CERTS/server.crt" -key "$CERTS/server.key" \
    -cert_chain "$CERTS/int-ca.crt" -Verify 1 -CAfile "$CERTS/root-ca.crt" -verify_return_error
if wait_port "$port"; then
    echo hello-mtls > "$WORK/in"
    : > "$WORK/tc.out"
    feed_and_wait "$WORK/in" "$WORK/tc.out" |
        timeout 20 "$TERN" client "127.0.0.1:$port" --servername localhost --keystore "$WORK/client.p12" \
            --truststore "$WORK/trust.p12" --password-file "$P" >"$WORK/tc.out" 2>"$WORK/tc.err"
    sleep 0.1
    if cmp -s "$WORK/in" "$WORK/tc.out" && grep -q "verified" "$WORK/tc.err"; then
        ok "tern client --keystore client.p12 --truststore trust.p12 -> s_server -Verify 1: mutual TLS, echoed"
    else fail "tern client with .p12 stores: $(cat "$WORK/tc.err") / $(tail -n 3 "$WORK/ss.err")"; fi
else
    fail "s_server did not start: $(cat "$WORK/ss.err")"
fi

# ---- tern client with keytool's trust store -> s_server ----
port=$(free_port)
ossl_echo "$port" "$WORK/ss2.err" -cert "$CERTS/server.crt" -key "$CERTS/server.key" -cert_chain "$CERTS/int-ca.crt"
if wait_port "$port"; then
    echo hello-java > "$WORK/in2"
    : > "$WORK/tc2.out"
    feed_and_wait "$WORK/in2" "$WORK/tc2.out" |
        TRUSTPW=changeit timeout 20 "$TERN" client "127.0.0.1:$port" --servername localhost \
            --truststore vectors/p12/java-truststore.p12 --password-env TRUSTPW >"$WORK/tc2.out" 2>"$WORK/tc2.err"
    sleep 0.1
    if cmp -s "$WORK/in2" "$WORK/tc2.out" && grep -q "verified" "$WORK/tc2.err"; then
        ok "tern client --truststore java-truststore.p12 (keytool) -> s_server: verified, echoed"
    else fail "tern client with keytool's trust store: $(cat "$WORK/tc2.err")"; fi
else
    fail "s_server did not start: $(cat "$WORK/ss2.err")"
fi

# ---- a file without a MAC loads, and the server says so ----
ex -nomac -in "$CERTS/server.crt" -inkey "$CERTS/server.key" -certfile "$CERTS/int-ca.crt" -out "$WORK/nomac.p12"
port=$(free_port)
timeout 2 "$TERN" server --port "$port" --keystore "$WORK/nomac.p12" --password-file "$P" 2>"$WORK/nm.err"
if grep -q "nomac.p12: note: the PKCS#12 file has no MAC (openssl pkcs12 -nomac): its integrity was not checked" \
    "$WORK/nm.err" && grep -q "listening on" "$WORK/nm.err"; then
    ok "-nomac: loaded, with the note that its integrity was not checked"
else fail "-nomac: $(cat "$WORK/nm.err")"; fi

# ---- refusals on the command line: exit 2 and the sentence ----
refused() { # $1 what, $2 expected sentence, then the tern arguments
    what=$1 want=$2
    shift 2
    timeout 20 "$TERN" "$@" >"$WORK/r.out" 2>"$WORK/r.err"
    rc=$?
    if [ "$rc" -eq 2 ] && grep -qF -- "$want" "$WORK/r.err"; then ok "$what: refused, \"$want\""
    else fail "$what: exit $rc, $(cat "$WORK/r.err")"; fi
}
port=$(free_port)
refused "no password" "no password was given (--password-file FILE or --password-env VAR)" \
    server --port "$port" --keystore "$WORK/server.pfx"
echo wrong > "$WORK/wrong"
refused "wrong password" "PKCS#12: the MAC does not verify: wrong password, or the file was altered" \
    server --port "$port" --keystore "$WORK/server.pfx" --password-file "$WORK/wrong"
refused "openssl pkcs12 -legacy" "encrypted with pbeWithSHAAnd40BitRC2-CBC, a legacy scheme (openssl pkcs12 -legacy); re-export with AES: openssl pkcs12 -in old.p12 -nodes | openssl pkcs12 -export -out new.p12" \
    server --port "$port" --keystore "$WORK/legacy.p12" --password-file "$P"
refused "a key store as --truststore" "it is a key store, not a trust store" \
    client "127.0.0.1:$port" --truststore "$WORK/client.p12" --password-file "$P"
refused "a trust store as --keystore" "holds no private key (1 certificates): it is a trust store" \
    server --port "$port" --keystore "$WORK/trust.p12" --password-file "$P"
export JPW=changeit
refused "two keys, no --keyname" "holds 2 private keys (\"server\", \"second\"): choose one by name" \
    server --port "$port" --keystore vectors/p12/java-keystore.p12 --password-env JPW
refused "--keyname not in the file" "no key named \"other\"; its keys: \"server\", \"second\"" \
    server --port "$port" --keystore vectors/p12/java-keystore.p12 --keyname other --password-env JPW
# --keyname picks keytool's RSA key: the server starts and serves it.
port=$(free_port)
timeout 60 "$TERN" server --port "$port" --keystore vectors/p12/java-keystore.p12 --keyname second \
    --password-env JPW --echo 2>"$WORK/tj.err" &
PIDS="$PIDS $!"
if wait_port "$port"; then
    echo | timeout 20 openssl s_client -connect "127.0.0.1:$port" -tls1_2 >"$WORK/sj.out" 2>&1
    if grep -q "^subject=.*CN = second" "$WORK/sj.out"; then
        ok "--keyname second: tern server serves keytool's \"second\" key"
    else fail "--keyname second: $(grep -i "subject\|error" "$WORK/sj.out" | head -n 3)"; fi
else
    fail "tern server --keyname second did not start: $(cat "$WORK/tj.err")"
fi

finish
