#!/bin/sh
# Interop against real OpenSSL processes on 127.0.0.1:
#   tern client  -> openssl s_server -tls1_2   (1 MB echoed back through a fifo)
#   openssl s_client -tls1_2 -> tern server --echo
# for both suites, with and without ALPN, each checked byte for byte; the
# OpenSSL client must verify tern's chain against the test CA and report
# "Extended master secret: yes".  Negative: a wrong name and an untrusted
# CA make tern client fail with the verifier's sentence.
# Needs: openssl, $BUILD/tools/tern.  Exit 77 (skipped, with the reason) without openssl.
NAME=interop
. tests/lib.sh
need openssl
need_tern

head -c 1048576 /dev/urandom > "$WORK/data"
SIZE=1048576

# ---- tern client -> openssl s_server ----
for suite in ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384; do
    for alpn in "" "http/1.1"; do
        port=$(free_port)
        ossl_echo "$port" "$WORK/ss.err" -cert "$CERTS/server.crt" -key "$CERTS/server.key" \
            -cert_chain "$CERTS/int-ca.crt" -cipher "$suite" ${alpn:+-alpn "$alpn"}
        wait_port "$port" || { fail "s_server did not start"; continue; }
        out="$WORK/out.$port"
        : > "$out"
        feed_and_wait "$WORK/data" "$out" |
            timeout 30 "$TERN" client "127.0.0.1:$port" --truststore "$CERTS/root-ca.crt" \
                --servername localhost ${alpn:+--alpn "$alpn"} > "$out" 2>"$WORK/tc.err"
        rc=$?
        what="tern client -> s_server $suite alpn=${alpn:-none}"
        if [ $rc -ne 0 ]; then fail "$what: exit $rc: $(cat "$WORK/tc.err")"
        elif ! cmp -s "$WORK/data" "$out"; then fail "$what: echoed data differs ($(wc -c < "$out") bytes)"
        elif ! grep -q "TLS_ECDHE_RSA_WITH_AES_$(echo "$suite" | sed 's/.*AES\([0-9]*\)-GCM-\(SHA[0-9]*\)/\1_GCM_\2/')" "$WORK/tc.err"; then
            fail "$what: wrong suite: $(cat "$WORK/tc.err")"
        elif ! grep -q "extended master secret yes" "$WORK/tc.err"; then fail "$what: no EMS: $(cat "$WORK/tc.err")"
        elif [ -n "$alpn" ] && ! grep -q "ALPN $alpn" "$WORK/tc.err"; then fail "$what: ALPN: $(cat "$WORK/tc.err")"
        else ok "$what: $SIZE bytes echoed"; fi
    done
done

# ---- openssl s_client -> tern server ----
for alpn in "" "http/1.1"; do
    port=$(free_port)
    timeout 60 "$TERN" server --port "$port" --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" \
        --echo ${alpn:+--alpn "$alpn"} 2>"$WORK/ts.err.$port" &
    PIDS="$PIDS $!"
    wait_port "$port" || { fail "tern server did not start: $(cat "$WORK/ts.err.$port")"; continue; }
    for suite in ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384; do
        what="s_client -> tern server $suite alpn=${alpn:-none}"
        # 1. the session as OpenSSL sees it
        echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
            -verify_return_error -servername localhost -cipher "$suite" ${alpn:+-alpn "$alpn"} \
            > "$WORK/sc.out" 2>&1
        if ! grep -q "Extended master secret: yes" "$WORK/sc.out"; then fail "$what: EMS not reported"; continue; fi
        if ! grep -q "Verify return code: 0 (ok)" "$WORK/sc.out"; then fail "$what: chain not verified"; continue; fi
        if ! grep -q "Cipher is $suite" "$WORK/sc.out"; then fail "$what: suite"; continue; fi
        if [ -n "$alpn" ] && ! grep -q "ALPN protocol: $alpn" "$WORK/sc.out"; then fail "$what: ALPN"; continue; fi
        # 2. 1 MB through tern's echo
        out="$WORK/out2.$port.$suite"
        : > "$out"
        feed_and_wait "$WORK/data" "$out" |
            timeout 30 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
                -verify_return_error -servername localhost -cipher "$suite" ${alpn:+-alpn "$alpn"} \
                -quiet -no_ign_eof -nocommands > "$out" 2>"$WORK/sc.err"
        if cmp -s "$WORK/data" "$out"; then ok "$what: $SIZE bytes echoed, EMS yes, chain verified"
        else fail "$what: echoed data differs ($(wc -c < "$out") bytes): $(cat "$WORK/sc.err")"; fi
    done
done

# ---- tern server --http answers one request in one record ----
port=$(free_port)
timeout 30 "$TERN" server --port "$port" --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" --http \
    2>"$WORK/th.err" &
PIDS="$PIDS $!"
if wait_port "$port"; then
    printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' |
        timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
            -verify_return_error -servername localhost -quiet -ign_eof > "$WORK/http.out" 2>/dev/null
    if grep -q "^HTTP/1.0 200 OK" "$WORK/http.out" && grep -q "hello from tern" "$WORK/http.out"; then
        ok "s_client -> tern server --http: 200 OK"
    else fail "tern server --http: $(cat "$WORK/http.out") $(cat "$WORK/th.err")"; fi
else
    fail "tern server --http did not start"
fi

# ---- a Certificate message of ~14.6 KB (700 names) from s_server: OpenSSL
# sends it in one record, longer than the room tern's input buffer has while
# its handshake state occupies the buffer's tail (lib/conn.c) ----
port=$(free_port)
ossl_echo "$port" "$WORK/ssbig.err" -cert "$CERTS/bigsan.crt" -key "$CERTS/server.key" -cert_chain "$CERTS/int-ca.crt"
if wait_port "$port"; then
    head -c 65536 "$WORK/data" > "$WORK/data64k"
    out="$WORK/out.big.$port"
    : > "$out"
    feed_and_wait "$WORK/data64k" "$out" |
        timeout 30 "$TERN" client "127.0.0.1:$port" --truststore "$CERTS/root-ca.crt" \
            --servername host699.big.test > "$out" 2>"$WORK/tcbig.err"
    rc=$?
    if [ $rc -eq 0 ] && cmp -s "$WORK/data64k" "$out"; then
        ok "tern client -> s_server with a 14 KB certificate (700 names, matched host699.big.test): 64 KB echoed"
    else fail "big certificate: exit $rc: $(cat "$WORK/tcbig.err")"; fi
else
    fail "s_server (big certificate) did not start"
fi

# ---- negatives: tern client refuses, with the verifier's sentence ----
port=$(free_port)
timeout 30 openssl s_server -accept "$port" -tls1_2 -cert "$CERTS/server.crt" -key "$CERTS/server.key" \
    -cert_chain "$CERTS/int-ca.crt" -quiet >/dev/null 2>&1 </dev/null &
PIDS="$PIDS $!"
if wait_port "$port"; then
    timeout 10 "$TERN" client "127.0.0.1:$port" --truststore "$CERTS/root-ca.crt" --servername wrong.test \
        </dev/null >/dev/null 2>"$WORK/neg.err"
    rc=$?
    if [ $rc -eq 1 ] && grep -q "wrong.test" "$WORK/neg.err" && grep -q "bad_certificate" "$WORK/neg.err"; then
        ok "wrong name refused: $(tail -n 1 "$WORK/neg.err")"
    else fail "wrong name: exit $rc: $(cat "$WORK/neg.err")"; fi
    timeout 10 "$TERN" client "127.0.0.1:$port" --truststore "$CERTS/root2-ca.crt" --servername localhost \
        </dev/null >/dev/null 2>"$WORK/neg.err"
    rc=$?
    if [ $rc -eq 1 ] && grep -q "unknown_ca" "$WORK/neg.err"; then ok "untrusted CA refused: $(tail -n 1 "$WORK/neg.err")"
    else fail "untrusted CA: exit $rc: $(cat "$WORK/neg.err")"; fi
else
    fail "s_server (negatives) did not start"
fi

finish
