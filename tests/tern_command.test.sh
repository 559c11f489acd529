#!/bin/sh
# The `tern` command:
#   - --help on every command (exit 0) and the documented exit codes;
#   - tern client --trace against tern server --trace and openssl s_server:
#     every handshake step in order on both sides, --trace=hex bytes, no
#     secret without --show-secrets, the secret with it;
#   - docs/HANDSHAKE.md lists exactly the steps a real trace shows;
#   - SSLKEYLOGFILE: tern's CLIENT_RANDOM line equals the one OpenSSL logs for
#     the same connection (s_server -keylogfile / s_client -keylogfile);
#   - tern verify on good and bad chains: exit code and message; every
#     verification input as a flag (--name repeated, --max-depth,
#     --key-usage, --eku), the failing certificate and check printed;
#   - tern speed rows in the `make bench` format.
NAME=tern-command
. tests/lib.sh
need_tern

# ---- help and exit codes ----
for cmd in "" client server verify speed inspect; do
    if "$TERN" $cmd --help >"$WORK/help" 2>&1 && grep -q "Exit codes" "$WORK/help"; then :
    else fail "tern $cmd --help: no exit 0 or no exit codes: $(head -3 "$WORK/help")"; fi
done
"$TERN" --help >"$WORK/help" 2>&1
grep -q "1 connection or TLS failure" "$WORK/help" && grep -q "2 usage or setup error" "$WORK/help" ||
    fail "tern --help does not document exit codes"
"$TERN" client --no-such-option >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown option does not exit 2"
"$TERN" verify --truststore "$CERTS/root-ca.crt" >/dev/null 2>&1
[ $? -eq 2 ] || fail "verify without a chain does not exit 2"
# Setup errors after the configuration exists: exit 2, and (under make check's
# LeakSanitizer, which turns a leak into exit 1) nothing left allocated.
"$TERN" client --groups nope 127.0.0.1:9 >/dev/null 2>&1
[ $? -eq 2 ] || fail "client with a bad --groups does not exit 2 (or leaks)"
"$TERN" server --port 0 --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" --groups nope >/dev/null 2>&1
[ $? -eq 2 ] || fail "server with a bad --groups does not exit 2 (or leaks)"
ok "--help on tern, client, server, verify, speed, inspect; usage errors exit 2"

# The client's handshake steps, in order, as the narrative prints them.
CLIENT_STEPS='\] +1\. sent +ClientHello
\] +2\. received ServerHello
\] +3\. received Certificate
Checking the chain against the trust store
\[cert 0\] leaf: CN=localhost
\[anchor\] trust anchor: CN=Test Root CA
Verdict: chain valid
\] +4\. received ServerKeyExchange
Check: signature verified
\] +5\. received ServerHelloDone
\] +6\. sent +ClientKeyExchange
\] +7\. sent +ChangeCipherSpec
key schedule: premaster_secret
key schedule: master_secret
key schedule: key_block
key schedule: write keys on
\] +8\. sent +Finished
\] +9\. received ChangeCipherSpec
key schedule: read keys on
\] +10\. received Finished
Handshake complete
alert sent: warning close_notify'
SERVER_STEPS='\] +1\. received ClientHello
\] +2\. sent +ServerHello
\] +3\. sent +Certificate
\] +4\. sent +ServerKeyExchange
\] +5\. sent +ServerHelloDone
\] +6\. received ClientKeyExchange
\] +7\. received ChangeCipherSpec
key schedule: master_secret
key schedule: read keys on
\] +8\. received Finished
\] +9\. sent +ChangeCipherSpec
key schedule: write keys on
\] +10\. sent +Finished
Handshake complete'

check_steps() { # FILE STEPS WHAT
    old_ifs=$IFS
    IFS='
'
    # shellcheck disable=SC2086
    miss=$(in_order "$1" $2)
    r=$?
    IFS=$old_ifs
    if [ $r -eq 0 ]; then ok "$3: every step in order"; else fail "$3: $miss"; fi
}

# ---- trace: tern client -> tern server, both narrating ----
export SSLKEYLOGFILE="$WORK/tern-server.keys"
if tern_echo_server --echo --trace; then
    unset SSLKEYLOGFILE
    echo "trace me" | SSLKEYLOGFILE="$WORK/tern-client.keys" timeout 10 "$TERN" client "127.0.0.1:$PORT" \
        --truststore "$CERTS/root-ca.crt" --servername localhost --trace >"$WORK/echo" 2>"$WORK/trace.c"
    rc=$?
    sleep 0.2
    if [ $rc -ne 0 ] || [ "$(cat "$WORK/echo")" != "trace me" ]; then
        fail "tern client --trace -> tern server: exit $rc: $(tail -5 "$WORK/trace.c")"
    fi
    check_steps "$WORK/trace.c" "$CLIENT_STEPS" "client trace vs tern server"
    check_steps "$WORK/tern-server.$PORT.err" "$SERVER_STEPS" "server trace"
    grep -q "RFC 5246 §7.4.2" "$WORK/trace.c" || fail "the trace names no RFC section"
    # Both sides logged the same line; neither trace shows it without --show-secrets.
    if [ -s "$WORK/tern-client.keys" ] && cmp -s "$WORK/tern-client.keys" "$WORK/tern-server.keys" &&
        grep -Eq '^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$' "$WORK/tern-client.keys"; then
        ok "SSLKEYLOGFILE: client and server wrote the same CLIENT_RANDOM line"
    else fail "SSLKEYLOGFILE lines: $(cat "$WORK/tern-client.keys" "$WORK/tern-server.keys")"; fi
    master=$(cut -d' ' -f3 "$WORK/tern-client.keys" | head -1)
    if [ -n "$master" ] && ! grep -q "$master" "$WORK/trace.c" "$WORK/tern-server.$PORT.err"; then
        ok "no master secret in either trace without --show-secrets"
    else fail "the master secret appears in a trace without --show-secrets"; fi

    # --trace=hex --show-secrets: bytes, and the secret, which matches the key log.
    echo "x" | SSLKEYLOGFILE="$WORK/c2.keys" timeout 10 "$TERN" client "127.0.0.1:$PORT" \
        --truststore "$CERTS/root-ca.crt" --servername localhost --trace=hex --show-secrets \
        >/dev/null 2>"$WORK/trace.hex"
    master=$(cut -d' ' -f3 "$WORK/c2.keys" | head -1)
    if grep -Eq '\] +0000  01 00 00 [0-9a-f]{2} 03 03' "$WORK/trace.hex" &&
        grep -q "show-secrets" "$WORK/trace.hex" && [ -n "$master" ] && grep -q "$master" "$WORK/trace.hex"; then
        ok "--trace=hex shows the ClientHello bytes; --show-secrets shows the logged master secret"
    else fail "--trace=hex --show-secrets output"; fi

    # A refused chain, narrated: the verdict and the alert with its reason.
    echo | timeout 10 "$TERN" client "127.0.0.1:$PORT" --truststore "$CERTS/root2-ca.crt" \
        --servername localhost --trace >/dev/null 2>"$WORK/trace.bad"
    rc=$?
    miss=$(in_order "$WORK/trace.bad" 'received Certificate' 'REFUSED: no certificate in the trust store issued' \
        'Verdict: REFUSED, chain refused' 'alert sent: fatal unknown_ca' 'because: no certificate in the trust store')
    if [ $rc -eq 1 ] && [ -z "$miss" ]; then ok "refused chain narrated: verdict, alert, reason; exit 1"
    else fail "refused chain trace: exit $rc: $miss"; fi

    # --system adds the system store to --truststore; alone it does not know the test CA.
    out=$(echo a | timeout 10 "$TERN" client "127.0.0.1:$PORT" --system --truststore "$CERTS/root-ca.crt" \
        --servername localhost 2>&1)
    rc1=$?
    if [ -r /etc/ssl/certs/ca-certificates.crt ] || [ -d /etc/ssl/certs ]; then
        echo a | timeout 10 "$TERN" client "127.0.0.1:$PORT" --system --servername localhost >/dev/null 2>"$WORK/sys.err"
        rc2=$?
        if [ $rc1 -eq 0 ] && [ $rc2 -eq 1 ] && grep -q "unknown_ca" "$WORK/sys.err"; then
            ok "--system with and without --truststore"
        else fail "--system: exit $rc1 / $rc2: $out $(cat "$WORK/sys.err")"; fi
    fi
fi
unset SSLKEYLOGFILE

# ---- resumption, narrated: the second connection is abbreviated ----
if tern_echo_server --echo; then
    echo "again" | timeout 10 "$TERN" client "127.0.0.1:$PORT" --truststore "$CERTS/root-ca.crt" \
        --servername localhost --resume 1 --trace >/dev/null 2>"$WORK/r.c"
    rc=$?
    miss=$(in_order "$WORK/r.c" 'sent +ClientHello' 'received NewSessionTicket' 'resumed +no \(full handshake\)' \
        'next connection' 'sent +ClientHello' 'We also offer an earlier session' 'received ServerHello' \
        'Check: session resumed' 'received ChangeCipherSpec' 'key schedule: master_secret' 'reused' \
        'received Finished' 'sent +ChangeCipherSpec' 'sent +Finished' 'resumed +yes \(abbreviated handshake\)')
    if [ $rc -eq 0 ] && [ -z "$miss" ] && ! sed -n '/next connection/,$p' "$WORK/r.c" | grep -q 'received Certificate'; then
        ok "resumption narrated: ticket, then an abbreviated handshake without certificates"
    else fail "resumption trace: exit $rc: $miss"; fi
fi

# ---- mutual TLS, narrated on both sides ----
if tern_echo_server --echo --truststore "$CERTS/root-ca.crt" --client-auth required --trace; then
    echo "mutual" | timeout 10 "$TERN" client "127.0.0.1:$PORT" --truststore "$CERTS/root-ca.crt" \
        --servername localhost --keystore "$CERTS/client-chain.pem" "$CERTS/client.key" --trace \
        >"$WORK/m.out" 2>"$WORK/m.c"
    rc=$?
    [ $rc -eq 0 ] && [ "$(cat "$WORK/m.out")" = "mutual" ] || fail "mutual TLS client: exit $rc: $(tail -3 "$WORK/m.c")"
    miss=$(in_order "$WORK/m.c" 'received ServerKeyExchange' 'Check: signature verified' \
        'received CertificateRequest' 'The server asks us for a certificate' 'received ServerHelloDone' \
        'sent +Certificate' 'we send the chain of our key store \(2 certificates' 'sent +ClientKeyExchange' \
        'sent +CertificateVerify' 'sent +Finished' 'Handshake complete')
    if [ -z "$miss" ]; then ok "mutual TLS client trace: CertificateRequest, Certificate, CertificateVerify in order"
    else fail "mutual TLS client trace: $miss"; fi
    # A client without a key store is refused by a server that requires one.
    echo | timeout 10 "$TERN" client "127.0.0.1:$PORT" --truststore "$CERTS/root-ca.crt" \
        --servername localhost >/dev/null 2>&1
    sleep 0.3
    miss=$(in_order "$WORK/tern-server.$PORT.err" 'received Certificate' 'The client sent its certificate chain \(2' \
        '\[cert 0\] leaf: CN=Test Client' 'allowed for client use' 'Verdict: chain valid' \
        'received CertificateVerify' 'Check: client signature verified' 'Handshake complete' \
        'next connection' 'received Certificate' 'The client sent an empty certificate list' \
        'alert sent: fatal handshake_failure' 'because: the client sent no certificate')
    if [ -z "$miss" ]; then ok "mutual TLS server trace: the client's chain checked, its signature verified; no certificate refused"
    else fail "mutual TLS server trace: $miss"; fi
fi

# ---- docs/HANDSHAKE.md lists the steps of a real trace, in order ----
if [ -f docs/HANDSHAKE.md ] && [ -s "$WORK/trace.c" ]; then
    sed -n '/<!-- trace-steps -->/,/<!-- \/trace-steps -->/p' docs/HANDSHAKE.md | grep -E '^ *[0-9]+\. (sent|received) ' |
        sed 's/^ *//' >"$WORK/doc.steps"
    grep -E '^\[client\] +[0-9]+\. (sent|received) ' "$WORK/trace.c" | sed 's/^\[client\] *//; s/  (.*//; s/  */ /g' \
        >"$WORK/trace.steps"
    if [ -s "$WORK/doc.steps" ] && cmp -s "$WORK/doc.steps" "$WORK/trace.steps"; then
        ok "docs/HANDSHAKE.md lists the $(wc -l < "$WORK/doc.steps") steps of a real trace"
    else fail "docs/HANDSHAKE.md steps differ from the trace: $(diff "$WORK/doc.steps" "$WORK/trace.steps")"; fi
    # Every function and file the walkthrough points to exists.
    missing=""
    for f in $(grep -o '`[a-z][a-z0-9_]*()`' docs/HANDSHAKE.md | tr -d '`()' | sort -u); do
        grep -Eq "(^|[^a-z0-9_])$f\(" lib/*.c lib/x509/*.c crypto/*.c 2>/dev/null || missing="$missing $f()"
    done
    for f in $(grep -o '`\(lib\|crypto\)/[a-z0-9_/]*\.[ch]`' docs/HANDSHAKE.md | tr -d '`' | sort -u); do
        [ -f "$f" ] || missing="$missing $f"
    done
    if [ -z "$missing" ]; then ok "docs/HANDSHAKE.md: every function and file it names exists"
    else fail "docs/HANDSHAKE.md names what does not exist:$missing"; fi
else
    fail "docs/HANDSHAKE.md missing"
fi

# ---- OpenSSL peers: the trace, and the key log checked against OpenSSL's ----
if ! have_openssl; then
    skip_part "openssl not installed (Debian package openssl): the OpenSSL peers"
else
    if ossl_server -rev -keylogfile "$WORK/ossl-server.keys"; then
        echo "hello" | SSLKEYLOGFILE="$WORK/tc.keys" timeout 10 "$TERN" client "127.0.0.1:$PORT" \
            --truststore "$CERTS/root-ca.crt" --servername localhost --trace >"$WORK/rev" 2>"$WORK/trace.o"
        rc=$?
        [ $rc -eq 0 ] && [ "$(cat "$WORK/rev")" = "olleh" ] || fail "tern client -> s_server: exit $rc"
        check_steps "$WORK/trace.o" "$CLIENT_STEPS" "client trace vs openssl s_server"
        sleep 0.3
        theirs=$(grep '^CLIENT_RANDOM ' "$WORK/ossl-server.keys" 2>/dev/null)
        if [ -n "$theirs" ] && [ "$theirs" = "$(cat "$WORK/tc.keys")" ]; then
            ok "tern client's key-log line equals openssl s_server's"
        else fail "key log vs s_server: tern '$(cat "$WORK/tc.keys")' openssl '$theirs'"; fi
    fi
    PORT=$(free_port)
    SSLKEYLOGFILE="$WORK/ts.keys" start_bg timeout 30 "$TERN" server --port "$PORT" \
        --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" --echo 2>"$WORK/ts.err"
    if wait_port "$PORT"; then
        echo | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
            -verify_return_error -servername localhost -keylogfile "$WORK/sc.keys" >"$WORK/sc.out" 2>&1
        sleep 0.3
        theirs=$(grep '^CLIENT_RANDOM ' "$WORK/sc.keys" 2>/dev/null)
        if [ -n "$theirs" ] && [ "$theirs" = "$(cat "$WORK/ts.keys")" ]; then
            ok "tern server's key-log line equals openssl s_client's"
        else fail "key log vs s_client: tern '$(cat "$WORK/ts.keys")' openssl '$theirs'"; fi
    else fail "tern server with SSLKEYLOGFILE did not start"; fi
fi
if command -v tshark >/dev/null 2>&1; then
    echo "tern-command: note: tshark is installed but no capture test is written yet"
else
    echo "tern-command: tshark not installed: key log checked against OpenSSL's and by decryption in test_trace"
fi

# ---- tern verify ----
verify() { # EXPECTED-EXIT MESSAGE-REGEX WHAT ARGS...
    want=$1 msg=$2 what=$3
    shift 3
    "$TERN" verify "$@" >"$WORK/verify.out" 2>&1
    got=$?
    if [ $got -eq "$want" ] && grep -Eq "$msg" "$WORK/verify.out"; then ok "verify: $what (exit $got)"
    else fail "verify: $what: exit $got (want $want): $(tail -3 "$WORK/verify.out")"; fi
}
verify 0 '^verdict: OK \(the chain is valid for localhost\)$' "good chain" \
    --truststore "$CERTS/root-ca.crt" --name localhost "$CERTS/server-chain.pem"
grep -q '^\[anchor\]\|^  \[anchor\] CN=Test Root CA' "$WORK/verify.out" || fail "verify: no anchor in the path"
in_order "$WORK/verify.out" '^path built' '^  \[0\] CN=localhost' '^  \[1\] CN=Test Intermediate' \
    '^  \[anchor\] CN=Test Root CA' >/dev/null || fail "verify: the path is not printed leaf to anchor"
verify 0 '^verdict: OK' "IP address name" --truststore "$CERTS/root-ca.crt" --name 127.0.0.1 "$CERTS/server-chain.pem"
verify 0 '^verdict: OK' "client purpose" --truststore "$CERTS/root-ca.crt" --purpose client "$CERTS/client-chain.pem"
mkdir -p "$WORK/cadir" && cp "$CERTS/root2-ca.crt" "$CERTS/root-ca.crt" "$WORK/cadir/"
verify 0 '^trust store: 2 certificates' "trust store as a directory" --truststore "$WORK/cadir" "$CERTS/server-chain.pem"
verify 1 '^verdict: REFUSED: no certificate in the trust store issued certificate 1' "untrusted CA" \
    --truststore "$CERTS/root2-ca.crt" --name localhost "$CERTS/server-chain.pem"
verify 1 'is not for name "example.com"' "wrong name" \
    --truststore "$CERTS/root-ca.crt" --name example.com "$CERTS/server-chain.pem"
verify 1 'certificate 0 \(CN=localhost\) expired 2045-01-01' "expired at --at 2046-01-01" \
    --truststore "$CERTS/root-ca.crt" --at 2046-01-01 "$CERTS/server-chain.pem"
verify 1 'not yet valid|before' "not yet valid at --at 2019-06-01T00:00:00Z" \
    --truststore "$CERTS/root-ca.crt" --at 2019-06-01T00:00:00Z "$CERTS/server-chain.pem"
verify 1 'extKeyUsage lacks clientAuth' "server certificate for a client" \
    --truststore "$CERTS/root-ca.crt" --purpose client "$CERTS/server-chain.pem"
verify 1 'REFUSED' "leaf without its intermediate" --truststore "$CERTS/root-ca.crt" "$CERTS/server.crt"
verify 2 'expected Unix seconds' "bad --at" --truststore "$CERTS/root-ca.crt" --at yesterday "$CERTS/server.crt"
verify 2 'cannot be read' "missing chain file" --truststore "$CERTS/root-ca.crt" "$WORK/nope.pem"

# Every tern_x509_params input from the command line, and the failing
# certificate and check printed for each refusal.
P=$CERTS/profile
cat "$P/leaf-ku-sign.crt" "$CERTS/int-ca.crt" > "$WORK/ku-sign.pem"
cat "$P/leaf-serial-zero.crt" "$CERTS/int-ca.crt" > "$WORK/serial-zero.pem"
verify 0 '^verdict: OK \(the chain is valid for localhost, server.test\)$' "--name twice, both held" \
    --truststore "$CERTS/root-ca.crt" --at 2030-01-01 --name localhost --name server.test "$CERTS/server-chain.pem"
verify 1 'is not for name "example.com"' "--name twice, the second not held" \
    --truststore "$CERTS/root-ca.crt" --at 2030-01-01 --name localhost --name example.com "$CERTS/server-chain.pem"
verify 0 '^verdict: OK' "--max-depth 1 (one intermediate)" \
    --truststore "$CERTS/root-ca.crt" --at 2030-01-01 --max-depth 1 "$CERTS/server-chain.pem"
verify 1 'the path is longer than the limit of 1 certificate below the anchor' "--max-depth 0" \
    --truststore "$CERTS/root-ca.crt" --at 2030-01-01 --max-depth 0 "$CERTS/server-chain.pem"
grep -q '^check: path length and work limits$' "$WORK/verify.out" || fail "verify --max-depth 0: no check line"
verify 2 'expected a number of intermediates' "bad --max-depth" \
    --truststore "$CERTS/root-ca.crt" --max-depth -1 "$CERTS/server-chain.pem"
verify 0 '^verdict: OK' "--key-usage digitalSignature held" \
    --truststore "$CERTS/root-ca.crt" --at 2030-01-01 --key-usage digitalSignature "$WORK/ku-sign.pem"
verify 1 'its keyUsage lacks keyEncipherment' "--key-usage keyEncipherment not held" \
    --truststore "$CERTS/root-ca.crt" --at 2030-01-01 --key-usage digitalSignature,keyEncipherment "$WORK/ku-sign.pem"
grep -q '^certificate \[0\]: REFUSED: CN=localhost, O=tern test$' "$WORK/verify.out" &&
    grep -q '^check: key usage and extended key usage$' "$WORK/verify.out" ||
    fail "verify --key-usage: the failing certificate or the check is not printed"
verify 2 'is not one of digitalSignature' "bad --key-usage" \
    --truststore "$CERTS/root-ca.crt" --key-usage signing "$CERTS/server-chain.pem"
verify 1 'its extKeyUsage lacks clientAuth' "--eku clientAuth on a server-only leaf" \
    --truststore "$CERTS/root-ca.crt" --at 2030-01-01 --eku clientAuth "$CERTS/server-chain.pem"
verify 1 'certificate 0 \(CN=serial zero\) has serial number zero' "a profile refusal" \
    --truststore "$CERTS/root-ca.crt" --at 2030-01-01 "$WORK/serial-zero.pem"
grep -q '^certificate \[0\]: REFUSED: CN=serial zero, O=tern test$' "$WORK/verify.out" &&
    grep -q '^check: certificate profile' "$WORK/verify.out" || fail "verify serial zero: certificate or check missing"
verify 1 'trust anchor \(CN=Test Root CA\) expired 2010-01-01' "an expired trust anchor" \
    --truststore "$P/root-expired.crt" --at 2030-01-01 "$CERTS/server-chain.pem"
grep -q '^certificate: REFUSED: the trust anchor' "$WORK/verify.out" &&
    grep -q '^check: validity period$' "$WORK/verify.out" || fail "verify expired anchor: certificate or check missing"
verify 1 'the peer sent 17 certificates; at most 16 are accepted' "17 certificates: a verdict, not a usage error" \
    --truststore "$CERTS/root-ca.crt" --at 2030-01-01 "$P/chain-17.pem"

# ---- tern speed ----
"$TERN" speed x25519 >"$WORK/speed" 2>"$WORK/speed.err"
rc=$?
if [ $rc -eq 0 ] && grep -Eq "^x25519/shared	tern=[0-9]+\.[0-9]	openssl=-	unit=ops/s	ratio=-$" "$WORK/speed"; then
    ok "speed: $(cat "$WORK/speed" | tr '\t' ' ')"
else fail "speed x25519: exit $rc: $(cat "$WORK/speed" "$WORK/speed.err")"; fi
"$TERN" speed rsa2048/verify >"$WORK/speed" 2>&1
grep -Eq "^rsa2048/verify	tern=[0-9]+\.[0-9]	openssl=-	unit=ops/s	ratio=-$" "$WORK/speed" ||
    fail "speed rsa2048/verify: $(cat "$WORK/speed")"

finish
