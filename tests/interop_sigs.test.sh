#!/bin/sh
# Signature schemes and P-384 against real OpenSSL processes on 127.0.0.1
# (fixtures: tests/certs/make-p384-certs.sh, vectors/certs/p384/):
#   openssl s_client -> tern server with a P-384 ECDSA key store (client
#     certificates optional, trusted from the P-384 root):
#       -groups P-384 (secp384r1 ECDHE), -sigalgs ECDSA+SHA384 / ECDSA+SHA256
#       (tern's ServerKeyExchange signature hash follows), 64 KB echoed,
#       without a client certificate;
#       with a P-384 client certificate and -client_sigalgs ECDSA+SHA384, and
#       with an RSA client certificate and -client_sigalgs RSA-PSS+SHA512 /
#       RSA+SHA512 / RSA-PSS+SHA384, under SHA-256 and SHA-384 suites: tern
#       checks a CertificateVerify whose hash is not the PRF's;
#   tern client -> openssl s_server with the P-384 key, -groups P-384,
#     -sigalgs ECDSA+SHA384 (tern verifies a P-384 SHA-384 ServerKeyExchange);
#     with -Verify 1 and -client_sigalgs ECDSA+SHA384 / RSA-PSS+SHA512 /
#     RSA+SHA512 tern signs its CertificateVerify with that scheme (its trace
#     says which), under SHA-256 and SHA-384 suites, with and without a
#     client certificate (s_server without -Verify).
# Needs: openssl, $BUILD/tools/tern.  Exit 77 (skipped, with the reason) without openssl.
NAME=interop_sigs
. tests/lib.sh
need openssl
need_tern
P=vectors/certs/p384

head -c 65536 /dev/urandom > "$WORK/data"
echo ping > "$WORK/ping"
SUITES="ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384"

# ---- openssl s_client -> tern server (P-384) ----
port=$(free_port)
timeout 120 "$TERN" server --port "$port" --keystore "$P/server-chain.pem" "$P/server.key" --echo \
    --truststore "$P/root.crt" --client-auth optional 2>"$WORK/ts.err" &
PIDS="$PIDS $!"
if wait_port "$port"; then
    for suite in $SUITES; do
        for sig in ECDSA+SHA384 ECDSA+SHA256; do
            what="s_client -cipher $suite -groups P-384 -sigalgs $sig -> tern server (P-384)"
            out="$WORK/out.$suite.$sig"
            : > "$out"
            feed_and_wait "$WORK/data" "$out" |
                timeout 20 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$P/root.crt" \
                    -verify_return_error -servername localhost -cipher "$suite" -groups P-384 -sigalgs "$sig" \
                    -quiet -no_ign_eof -nocommands > "$out" 2>"$WORK/sc.err"
            sleep 0.1
            if ! cmp -s "$WORK/data" "$out"; then
                fail "$what: echoed data differs ($(wc -c < "$out") bytes): $(cat "$WORK/sc.err")"
                continue
            fi
            echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$P/root.crt" \
                -verify_return_error -servername localhost -cipher "$suite" -groups P-384 -sigalgs "$sig" \
                > "$WORK/hs.out" 2>&1
            digest=${sig#ECDSA+}
            if grep -q "Cipher is $suite" "$WORK/hs.out" && grep -q "Verify return code: 0 (ok)" "$WORK/hs.out" &&
                grep -q "Server Temp Key: ECDH, secp384r1" "$WORK/hs.out" &&
                grep -q "Peer signing digest: $digest" "$WORK/hs.out" && grep -q "Peer signature type: ECDSA" "$WORK/hs.out"
            then ok "$what: 64 KB echoed, secp384r1, ServerKeyExchange ECDSA P-384 with $digest"
            else fail "$what: $(grep -E 'Cipher is|Verify return|Temp Key|Peer sign|alert' "$WORK/hs.out" | head -6)"; fi
        done
        # Client certificates whose CertificateVerify hash is not (always) the PRF's.
        for cs in "client ECDSA+SHA384" "client ECDSA+SHA256" "rsa-client RSA-PSS+SHA512" "rsa-client RSA+SHA512" \
                  "rsa-client RSA-PSS+SHA384" "rsa-client RSA+SHA256"; do
            set -- $cs
            key=$1 csig=$2
            what="s_client -cert $key -client_sigalgs $csig -cipher $suite -> tern server"
            before=$(wc -l < "$WORK/ts.err")
            : > "$WORK/cc.out"
            feed_and_wait "$WORK/ping" "$WORK/cc.out" |
                timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$P/root.crt" \
                    -verify_return_error -servername localhost -cipher "$suite" -cert "$P/$key.crt" \
                    -key "$P/$key.key" -client_sigalgs "$csig" -groups P-384:X25519 -quiet -no_ign_eof -nocommands \
                    > "$WORK/cc.out" 2>"$WORK/cc.err"
            sleep 0.1
            new=$(tail -n +$((before + 1)) "$WORK/ts.err")
            case $key in client) cn="Test P-384 Client" ;; *) cn="Test RSA Client" ;; esac
            if cmp -s "$WORK/ping" "$WORK/cc.out" && echo "$new" | grep -q "peer CN=$cn, O=tern test (verified)"; then
                ok "$what: CertificateVerify with $csig checked, client verified"
            else fail "$what: $(head -n 3 "$WORK/cc.err") / $new"; fi
        done
    done
else
    fail "tern server did not start: $(cat "$WORK/ts.err")"
fi

# ---- tern client -> openssl s_server (P-384) ----
# An echo s_server (ossl_echo) with the P-384 key.
s_server() { # $1 port, $2 suite, $3.. extra options
    p=$1 s=$2
    shift 2
    ossl_echo "$p" "$WORK/ss.err.$p" -cert "$P/server.crt" -key "$P/server.key" -cipher "$s" -groups P-384 "$@"
}
for suite in $SUITES; do
    for sig in ECDSA+SHA384 ECDSA+SHA256; do
        port=$(free_port)
        s_server "$port" "$suite" -sigalgs "$sig"
        wait_port "$port" || { fail "s_server did not start"; continue; }
        what="tern client -> s_server (P-384, -groups P-384, -sigalgs $sig) $suite"
        out="$WORK/tout.$port"
        : > "$out"
        feed_and_wait "$WORK/data" "$out" |
            timeout 20 "$TERN" client "127.0.0.1:$port" --truststore "$P/root.crt" --servername localhost \
                --cipher "$suite" --trace > "$out" 2>"$WORK/tc.err"
        rc=$?
        scheme=ecdsa_secp384r1_sha384
        [ "$sig" = ECDSA+SHA256 ] && scheme=ecdsa_secp256r1_sha256
        if [ $rc -ne 0 ]; then fail "$what: exit $rc: $(tail -n 3 "$WORK/tc.err") / $(cat "$WORK/ss.err.$port")"
        elif ! cmp -s "$WORK/data" "$out"; then fail "$what: echoed data differs ($(wc -c < "$out") bytes)"
        elif ! grep -q "named_curve *secp384r1 (24)" "$WORK/tc.err" ||
             ! grep -q "signature_algorithm *$scheme" "$WORK/tc.err"; then
            fail "$what: $(grep -E 'named_curve|signature_algorithm' "$WORK/tc.err" | head -4)"
        else ok "$what: 64 KB echoed, secp384r1, ServerKeyExchange $scheme verified"; fi
    done
    for cs in "client ECDSA+SHA384 ecdsa_secp384r1_sha384" "client ECDSA+SHA256 ecdsa_secp256r1_sha256" \
              "rsa-client RSA-PSS+SHA512 rsa_pss_rsae_sha512" "rsa-client RSA+SHA512 rsa_pkcs1_sha512" \
              "rsa-client RSA-PSS+SHA384 rsa_pss_rsae_sha384"; do
        set -- $cs
        key=$1 csig=$2 scheme=$3
        port=$(free_port)
        s_server "$port" "$suite" -Verify 1 -CAfile "$P/root.crt" -verify_return_error -client_sigalgs "$csig"
        wait_port "$port" || { fail "s_server did not start"; continue; }
        what="tern client --keystore $key -> s_server -Verify 1 -client_sigalgs $csig $suite"
        out="$WORK/tout.$port"
        : > "$out"
        feed_and_wait "$WORK/data" "$out" |
            timeout 20 "$TERN" client "127.0.0.1:$port" --truststore "$P/root.crt" --servername localhost \
                --keystore "$P/$key.crt" "$P/$key.key" --cipher "$suite" --trace > "$out" 2>"$WORK/tc.err"
        rc=$?
        if [ $rc -ne 0 ]; then fail "$what: exit $rc: $(tail -n 3 "$WORK/tc.err") / $(cat "$WORK/ss.err.$port")"
        elif ! cmp -s "$WORK/data" "$out"; then fail "$what: echoed data differs ($(wc -c < "$out") bytes)"
        elif ! grep -A8 "sent     CertificateVerify" "$WORK/tc.err" | grep -q "signature_algorithm *$scheme"; then
            fail "$what: $(grep -A8 'sent     CertificateVerify' "$WORK/tc.err" | grep signature)"
        else ok "$what: 64 KB echoed, CertificateVerify signed with $scheme"; fi
    done
done

finish
