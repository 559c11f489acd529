#!/bin/sh
# Encrypted private keys through the tern command, against real OpenSSL peers:
#   - tern server --keystore CHAIN KEY with KEY encrypted by `openssl pkcs8
#     -topk8 -v2 aes-256-cbc` (--password-file) and by `openssl ec -aes128`
#     (legacy PEM, --password-env): openssl s_client verifies the chain and
#     gets its bytes echoed, so the decrypted key signs;
#   - mutual TLS: tern client with an encrypted client key
#     (--password pass:..., which warns) against openssl s_server
#     -Verify, which checks the client's signature;
#   - the sentences: wrong password, no password, a legacy scheme
#     (openssl pkcs8 -v2 des3), --password without pass:, an unreadable
#     password file, an unset variable (all exit 2, setup errors);
#   - the password file's first line only, without "\r\n".
# Needs: openssl, $BUILD/tools/tern.  Exit 77 (skipped, with the reason) without openssl.
NAME=keys_encrypted
. tests/lib.sh
need openssl
need_tern

head -c 20000 /dev/urandom >"$WORK/data"
printf 'correct horse\r\nsecond line\n' >"$WORK/pwfile"
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$CERTS/server.key" -passout 'pass:correct horse' \
    -out "$WORK/server-enc.key" || fail "openssl pkcs8 -topk8 -v2 aes-256-cbc"
openssl ec -in "$CERTS/ecdsa-server.key" -aes128 -passout pass:ecpass -out "$WORK/ecdsa-enc.key" 2>/dev/null ||
    fail "openssl ec -aes128"
openssl pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA512 -in "$CERTS/client.key" -passout pass:clientpw \
    -out "$WORK/client-enc.key" || fail "openssl pkcs8 -v2prf hmacWithSHA512"
openssl pkcs8 -topk8 -v2 des3 -in "$CERTS/server.key" -passout pass:x -out "$WORK/des3.key" || fail "openssl -v2 des3"

# setup KEYSTORE-ARGS... : the tern server's first lines when it cannot start.
setup_error() {
    want=$1 what=$2
    shift 2
    timeout 10 "$TERN" server --port "$(free_port)" "$@" >"$WORK/se.out" 2>&1
    rc=$?
    if [ $rc -eq 2 ] && grep -qF -- "$want" "$WORK/se.out"; then ok "$what: exit 2, \"$want\""
    else fail "$what: exit $rc, wanted 2 and \"$want\": $(cat "$WORK/se.out")"; fi
}

# ---- s_client -> tern server, encrypted keys ----
echo_check() { # what root servername port
    out="$WORK/out.$4"
    : >"$out"
    feed_and_wait "$WORK/data" "$out" |
        timeout 20 openssl s_client -connect "127.0.0.1:$4" -tls1_2 -CAfile "$2" -verify_return_error \
            -servername "$3" -quiet -no_ign_eof -nocommands >"$out" 2>"$WORK/sc.err"
    if cmp -s "$WORK/data" "$out"; then ok "$1: chain verified, 20000 bytes echoed"
    else fail "$1: echo differs ($(wc -c <"$out") bytes): $(tail -3 "$WORK/sc.err")"; fi
}

port=$(free_port)
start_bg timeout 60 "$TERN" server --port "$port" --keystore "$CERTS/server-chain.pem" "$WORK/server-enc.key" \
    --password-file "$WORK/pwfile" --echo 2>"$WORK/ts1.err"
if wait_port "$port"; then echo_check "PBES2 AES-256-CBC key, --password-file (first line, CRLF)" \
    "$CERTS/root-ca.crt" localhost "$port"
else fail "tern server with an encrypted PKCS#8 key did not start: $(cat "$WORK/ts1.err")"; fi

port=$(free_port)
TERN_TEST_PW=ecpass start_bg timeout 60 "$TERN" server --port "$port" --keystore "$CERTS/ecdsa-server-chain.pem" \
    "$WORK/ecdsa-enc.key" --password-env TERN_TEST_PW --echo 2>"$WORK/ts2.err"
if wait_port "$port"; then echo_check "legacy PEM AES-128-CBC EC key, --password-env" "$CERTS/ecdsa-root.crt" localhost "$port"
else fail "tern server with a legacy-encrypted EC key did not start: $(cat "$WORK/ts2.err")"; fi

# ---- tern client with an encrypted key -> openssl s_server -Verify ----
port=$(free_port)
ossl_echo "$port" "$WORK/ossl-mtls.err" -cert "$CERTS/server.crt" -key "$CERTS/server.key" \
    -cert_chain "$CERTS/int-ca.crt" -Verify 2 -CAfile "$CERTS/root-ca.crt"
if wait_port "$port"; then
    out="$WORK/out.mtls"
    : >"$out"
    feed_and_wait "$WORK/data" "$out" |
        timeout 20 "$TERN" client "127.0.0.1:$port" --truststore "$CERTS/root-ca.crt" --servername localhost \
            --keystore "$CERTS/client-chain.pem" "$WORK/client-enc.key" --password pass:clientpw >"$out" 2>"$WORK/tc.err"
    if cmp -s "$WORK/data" "$out"; then ok "tern client, PBES2 AES-128 / hmacWithSHA512 client key: s_server -Verify accepted it"
    else fail "mutual TLS with an encrypted client key: $(wc -c <"$out") bytes back: $(cat "$WORK/tc.err" "$WORK/ossl-mtls.err" | tail -5)"; fi
    grep -q "visible to other users" "$WORK/tc.err" && ok "--password pass: warns on stderr" ||
        fail "--password pass: gave no warning: $(cat "$WORK/tc.err")"
else fail "openssl s_server did not start"; fi

# ---- the sentences ----
printf 'wrong\n' >"$WORK/wrongpw"
setup_error "private key: wrong password (or the file is corrupt)" "wrong password" \
    --keystore "$CERTS/server-chain.pem" "$WORK/server-enc.key" --password-file "$WORK/wrongpw"
setup_error "the key is encrypted and needs a password" "no password" \
    --keystore "$CERTS/server-chain.pem" "$WORK/server-enc.key"
setup_error "private key: encrypted with PBES2 and DES-EDE3-CBC (3DES), which tern does not read; re-encrypt it with AES: openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out KEY.new" \
    "PBES2 with 3DES" --keystore "$CERTS/server-chain.pem" "$WORK/des3.key" --password pass:x
setup_error "--password takes only the explicit form pass:TEXT" "--password without pass:" \
    --keystore "$CERTS/server-chain.pem" "$WORK/server-enc.key" --password secret
setup_error "--password-file $WORK/nonexistent:" "unreadable password file" \
    --keystore "$CERTS/server-chain.pem" "$WORK/server-enc.key" --password-file "$WORK/nonexistent"
setup_error "--password-env TERN_UNSET_VAR: the environment variable is not set" "unset variable" \
    --keystore "$CERTS/server-chain.pem" "$WORK/server-enc.key" --password-env TERN_UNSET_VAR
setup_error "give one password option only" "two password options" \
    --keystore "$CERTS/server-chain.pem" "$WORK/server-enc.key" --password-env A --password-file B

"$TERN" server --help 2>&1 | grep -q -- "--password-file FILE" && ok "server --help lists --password-file" ||
    fail "server --help does not list --password-file"
finish
