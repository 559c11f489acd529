#!/bin/sh
# OCSP stapling (RFC 6066 §8 status_request / CertificateStatus, RFC 7633
# must-staple) against peers tern did not write, on 127.0.0.1, with the
# fixtures of vectors/ocsp (tests/certs/make-ocsp.sh):
#   tern server --ocsp-file -> openssl s_client -status: the response shown
#     is the file's (serial, status good); gnutls-cli --save-ocsp saves the
#     very bytes; an expired response, or one for another certificate, is
#     refused by the server at start (said on stderr) and not sent ("no
#     response sent"); a file replaced while the server runs is reloaded
#     before the next connection;
#   openssl s_server -status_file -> tern client --ocsp soft|hard: good
#     passes (status line "OCSP staple good"); revoked fails with
#     certificate_revoked; expired or for another certificate fails with
#     bad_certificate_status_response; no staple passes soft, fails hard;
#     a must-staple leaf without a staple fails even soft, with one passes;
#     gnutls-serv --ocsp-response -> tern client --ocsp hard;
#   the RSA key exchange (the full_rsa table) both ways, with an RSA root,
#     intermediate, leaf and response made here by the openssl command
#     (openssl ocsp -index; the intermediate signs it, so the client's
#     issuer comes from the chain the server sent), so the check also meets
#     a response tern's fixtures did not make.
# Needs openssl; gnutls-cli / gnutls-serv for their part (skipped without).
NAME=staple
. tests/lib.sh
need openssl
need_tern
O=vectors/ocsp

# ---- tern server -> openssl s_client -status ----

# tern_staple_server LOG ARGS...: a tern server on a fresh $PORT.
tern_staple_server() {
    tl=$1
    shift
    PORT=$(free_port)
    start_bg timeout 120 "$TERN" server --port "$PORT" "$@" 2>"$tl"
    SPID=$LAST
    wait_port "$PORT" || {
        fail "tern server did not start: $(cat "$tl")"
        return 1
    }
}

# s_client_status PORT OUT [ARGS]: openssl s_client -status, output in OUT.
s_client_status() {
    sp=$1 so=$2
    shift 2
    echo | timeout 20 openssl s_client -connect "127.0.0.1:$sp" -servername localhost -status -CAfile "$O/ca.crt" \
        -verify_return_error "$@" >"$so" 2>&1
}

if tern_staple_server "$WORK/ts1.log" --keystore "$O/leaf-chain.pem" "$O/leaf.key" --ocsp-file "$O/good.der"; then
    if s_client_status "$PORT" "$WORK/sc1.out" &&
        grep -q "OCSP Response Status: successful" "$WORK/sc1.out" &&
        grep -q "Cert Status: good" "$WORK/sc1.out" && grep -q "Serial Number: 1001" "$WORK/sc1.out"; then
        ok "tern server --ocsp-file good.der: openssl s_client -status shows the response (serial 1001, good)"
    else
        fail "openssl s_client -status against tern server: $(grep -iE 'ocsp|error|alert' "$WORK/sc1.out" | head -5)"
    fi
    grep -q "OCSP response for identity 0: good (serial 1001" "$WORK/ts1.log" &&
        ok "tern server says the response it staples" || fail "tern server log: $(cat "$WORK/ts1.log")"
    # Without -status the client does not ask: nothing is sent.
    echo | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -tlsextdebug \
        -CAfile "$O/ca.crt" >"$WORK/sc1b.out" 2>&1
    if grep -q "Verify return code: 0" "$WORK/sc1b.out" && ! grep -q "status request" "$WORK/sc1b.out"; then
        ok "a client that does not ask gets no status_request answer"
    else
        fail "openssl s_client without -status: $(grep -iE 'status|error' "$WORK/sc1b.out" | head -3)"
    fi
    # tern client against tern server, hard mode, with the trace.
    echo hi | timeout 20 "$TERN" client "127.0.0.1:$PORT" --truststore "$O/ca.crt" --servername localhost \
        --ocsp hard --trace >"$WORK/tc1.out" 2>&1
    if grep -q "OCSP staple good" "$WORK/tc1.out" && grep -q "received CertificateStatus  (RFC 6066 §8)" "$WORK/tc1.out" &&
        grep -q "Check: OCSP response good" "$WORK/tc1.out"; then
        ok "tern client --ocsp hard -> tern server: CertificateStatus traced, staple good"
    else
        fail "tern client --ocsp hard -> tern server: $(tail -5 "$WORK/tc1.out")"
    fi
    if have gnutls-cli; then
        echo | timeout 20 gnutls-cli -p "$PORT" 127.0.0.1 --x509cafile "$O/ca.crt" --verify-hostname localhost \
            --sni-hostname localhost --save-ocsp "$WORK/gnutls.der" >"$WORK/gc1.out" 2>&1
        if cmp -s "$WORK/gnutls.der" "$O/good.der"; then
            ok "gnutls-cli --save-ocsp: the stapled bytes are good.der's"
        else
            fail "gnutls-cli --save-ocsp: $(grep -iE 'error|alert|status' "$WORK/gc1.out" | head -3)"
        fi
    else
        skip_part "gnutls-cli not installed (Debian gnutls-bin)"
    fi
    kill "$SPID" 2>/dev/null
fi

# Refused at start: an expired response, one for another certificate.  The
# server starts, says why, and sends nothing.
for bad in expired other-cert; do
    if tern_staple_server "$WORK/ts-$bad.log" --keystore "$O/leaf-chain.pem" "$O/leaf.key" --ocsp-file "$O/$bad.der"; then
        s_client_status "$PORT" "$WORK/sc-$bad.out"
        if grep -q "will not be stapled" "$WORK/ts-$bad.log" && grep -q "OCSP response: no response sent" "$WORK/sc-$bad.out" &&
            grep -q "Verify return code: 0" "$WORK/sc-$bad.out"; then
            ok "tern server --ocsp-file $bad.der: refused and said ($(sed -n 's/.*identity 0: //p' "$WORK/ts-$bad.log" | head -c 90)...), none sent"
        else
            fail "tern server --ocsp-file $bad.der: log $(cat "$WORK/ts-$bad.log"); s_client $(grep -i ocsp "$WORK/sc-$bad.out")"
        fi
        echo hi | timeout 20 "$TERN" client "127.0.0.1:$PORT" --truststore "$O/ca.crt" --servername localhost \
            --ocsp hard >"$WORK/tc-$bad.out" 2>&1
        if grep -q "certificate_unknown" "$WORK/tc-$bad.out" && grep -q "did not answer status_request" "$WORK/tc-$bad.out"; then
            ok "tern client --ocsp hard refuses that server (certificate_unknown: no response)"
        else
            fail "tern client --ocsp hard without a staple: $(cat "$WORK/tc-$bad.out")"
        fi
        kill "$SPID" 2>/dev/null
    fi
done

# A file replaced while the server runs: refused at start (expired), then
# good.der copied over it; the next connection gets it.
cp "$O/expired.der" "$WORK/live.der"
if tern_staple_server "$WORK/ts-live.log" --keystore "$O/leaf-chain.pem" "$O/leaf.key" --ocsp-file "$WORK/live.der"; then
    s_client_status "$PORT" "$WORK/sc-live1.out"
    sleep 0.05
    cp "$O/good.der" "$WORK/live.der.new" && mv "$WORK/live.der.new" "$WORK/live.der"
    s_client_status "$PORT" "$WORK/sc-live2.out"
    if grep -q "no response sent" "$WORK/sc-live1.out" && grep -q "Cert Status: good" "$WORK/sc-live2.out" &&
        [ "$(grep -c "OCSP response for identity 0: good" "$WORK/ts-live.log")" = 1 ]; then
        ok "--ocsp-file replaced while serving: reloaded before the next connection (said once)"
    else
        fail "--ocsp-file reload: $(cat "$WORK/ts-live.log") / $(grep -i 'ocsp response' "$WORK/sc-live2.out")"
    fi
    # Removed: the response loaded stays (said once).
    rm -f "$WORK/live.der"
    s_client_status "$PORT" "$WORK/sc-live3.out"
    if grep -q "Cert Status: good" "$WORK/sc-live3.out" && grep -q "cannot be read" "$WORK/ts-live.log"; then
        ok "--ocsp-file removed: said, the response loaded before is still stapled"
    else
        fail "--ocsp-file removed: $(tail -2 "$WORK/ts-live.log")"
    fi
    kill "$SPID" 2>/dev/null
fi

# A file that cannot be read at start is a setup error (exit 2).
"$TERN" server --port "$(free_port)" --keystore "$O/leaf-chain.pem" "$O/leaf.key" --ocsp-file "$WORK/none.der" \
    >"$WORK/ts-none.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "cannot be read" "$WORK/ts-none.log" && ok "--ocsp-file missing at start: exit 2, said" ||
    fail "--ocsp-file missing: exit $rc, $(cat "$WORK/ts-none.log")"
"$TERN" server --port "$(free_port)" --ocsp-file "$O/good.der" --keystore "$O/leaf-chain.pem" "$O/leaf.key" \
    >"$WORK/ts-order.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "must follow the --keystore" "$WORK/ts-order.log" && ok "--ocsp-file before any --keystore: exit 2" ||
    fail "--ocsp-file before --keystore: exit $rc, $(cat "$WORK/ts-order.log")"

# ---- openssl s_server -status_file -> tern client ----

# ossl_staple_server CERT [-status_file FILE]: one connection on a fresh $PORT
# (-rev: it answers by itself; its stdin must not end the session).
ossl_staple_server() {
    oc=$1
    shift
    PORT=$(free_port)
    start_bg timeout 60 openssl s_server -accept "$PORT" -tls1_2 -cert "$O/$oc" -key "$O/leaf.key" \
        -cert_chain "$O/ca.crt" -naccept 1 -rev "$@" >"$WORK/oss.$PORT.out" 2>&1 </dev/null
    wait_port "$PORT" || {
        fail "openssl s_server did not start: $(cat "$WORK/oss.$PORT.out")"
        return 1
    }
}

# tern_client_case WHAT MODE EXPECT(ok|WORDS) CERT [s_server args]
tern_client_case() {
    what=$1 mode=$2 expect=$3 cert=$4
    shift 4
    ossl_staple_server "$cert" "$@" || return
    echo hi | timeout 20 "$TERN" client "127.0.0.1:$PORT" --truststore "$O/ca.crt" --servername localhost \
        --ocsp "$mode" >"$WORK/tcc.out" 2>&1
    rc=$?
    if [ "$expect" = ok ]; then
        if [ $rc = 0 ] && grep -q "OCSP staple good" "$WORK/tcc.out"; then
            ok "$what: tern client --ocsp $mode accepts (staple good)"
        elif [ $rc = 0 ] && [ "$#" = 0 ]; then
            ok "$what: tern client --ocsp $mode accepts (no staple)"
        else
            fail "$what: tern client --ocsp $mode: exit $rc, $(cat "$WORK/tcc.out")"
        fi
    else
        if [ $rc = 1 ] && grep -q "$expect" "$WORK/tcc.out"; then
            ok "$what: tern client --ocsp $mode refuses ($expect)"
        else
            fail "$what: tern client --ocsp $mode: exit $rc, wanted $expect: $(cat "$WORK/tcc.out")"
        fi
    fi
}

tern_client_case "s_server -status_file good.der" hard ok leaf.crt -status_file "$O/good.der"
tern_client_case "s_server -status_file good-sha256.der (SHA-256 CertID)" hard ok leaf.crt -status_file "$O/good-sha256.der"
tern_client_case "s_server -status_file delegated-good.der" soft ok leaf.crt -status_file "$O/delegated-good.der"
tern_client_case "s_server without a staple" soft ok leaf.crt
tern_client_case "s_server without a staple" hard "certificate_unknown" leaf.crt
tern_client_case "s_server -status_file revoked.der" soft "certificate_revoked" leaf-revoked.crt -status_file "$O/revoked.der"
tern_client_case "s_server -status_file expired.der" soft "bad_certificate_status_response" leaf.crt -status_file "$O/expired.der"
tern_client_case "s_server -status_file other-cert.der" soft "bad_certificate_status_response" leaf.crt -status_file "$O/other-cert.der"
tern_client_case "s_server -status_file unrelated-ca.der" hard "bad_certificate_status_response" leaf.crt -status_file "$O/unrelated-ca.der"
tern_client_case "must-staple leaf, no staple" soft "must-staple" leaf-staple.crt
tern_client_case "must-staple leaf, staple-good.der" soft ok leaf-staple.crt -status_file "$O/staple-good.der"
# The alert reached OpenSSL: its log names it.
ossl_staple_server leaf.crt -status_file "$O/other-cert.der" && {
    echo hi | timeout 20 "$TERN" client "127.0.0.1:$PORT" --truststore "$O/ca.crt" --servername localhost \
        --ocsp soft >/dev/null 2>&1
    sleep 0.2
    grep -qi "bad certificate status response" "$WORK/oss.$PORT.out" &&
        ok "openssl s_server received alert 113 (bad certificate status response)" ||
        fail "s_server log lacks the alert: $(grep -i alert "$WORK/oss.$PORT.out")"
}

if have gnutls-serv; then
    PORT=$(free_port)
    start_bg timeout 60 gnutls-serv -p "$PORT" --x509certfile "$O/leaf-chain.pem" --x509keyfile "$O/leaf.key" \
        --ocsp-response "$O/good.der" >"$WORK/gs.out" 2>&1
    i=0
    while [ $i -lt 100 ] && ! { have ss && ss -ltn | grep -q ":$PORT "; }; do sleep 0.05; i=$((i + 1)); done
    echo hi | timeout 20 "$TERN" client "127.0.0.1:$PORT" --truststore "$O/ca.crt" --servername localhost \
        --ocsp hard >"$WORK/tgs.out" 2>&1
    grep -q "OCSP staple good" "$WORK/tgs.out" && ok "gnutls-serv --ocsp-response -> tern client --ocsp hard: good" ||
        fail "gnutls-serv --ocsp-response: $(cat "$WORK/tgs.out")"
    kill "$LAST" 2>/dev/null
else
    skip_part "gnutls-serv not installed (Debian gnutls-bin)"
fi

# ---- the RSA key exchange, with a PKI and a response made now ----
# root -> intermediate -> leaf (RSA); the intermediate signs the response,
# so the client takes the issuer from the chain the server sent (not from
# its trust store, as with vectors/ocsp).
R=$WORK/rsa
mkdir -p "$R"
(
    cd "$R" || exit 1
    printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >ca.ext &&
        printf 'subjectAltName=DNS:localhost\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >leaf.ext &&
        openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.crt -days 2 -subj "/CN=staple RSA root" \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
        openssl req -newkey rsa:2048 -nodes -keyout ca.key -out ca.csr -subj "/CN=staple RSA intermediate" &&
        openssl x509 -req -in ca.csr -CA root.crt -CAkey root.key -set_serial 0x5a -days 2 -extfile ca.ext -out ca.crt &&
        openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj "/CN=localhost" &&
        openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -set_serial 0x7a11 -days 2 -extfile leaf.ext -out leaf.crt &&
        cat leaf.crt ca.crt >chain.pem &&
        printf 'V\t%s\t\t7A11\tunknown\t/CN=localhost\n' "$(date -u -d '+2 days' +%y%m%d%H%M%SZ)" >index.txt &&
        openssl ocsp -index index.txt -rsigner ca.crt -rkey ca.key -CA ca.crt -issuer ca.crt -cert leaf.crt \
            -respout resp.der -ndays 1
) >"$WORK/rsa.log" 2>&1
if [ -s "$R/resp.der" ]; then
    if tern_staple_server "$WORK/ts-rsa.log" --keystore "$R/chain.pem" "$R/leaf.key" --cipher AES128-GCM-SHA256 \
        --ocsp-file "$R/resp.der"; then
        echo | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -status -CAfile "$R/root.crt" \
            -cipher AES128-GCM-SHA256 >"$WORK/sc-rsa.out" 2>&1
        grep -q "Cert Status: good" "$WORK/sc-rsa.out" && grep -q "Cipher is AES128-GCM-SHA256" "$WORK/sc-rsa.out" &&
            ok "RSA key exchange: tern server staples a fresh openssl ocsp response to openssl s_client" ||
            fail "RSA key exchange, tern server: $(cat "$WORK/ts-rsa.log"); $(grep -iE 'cipher is|ocsp|error' "$WORK/sc-rsa.out" | head -4)"
        kill "$SPID" 2>/dev/null
    fi
    PORT=$(free_port)
    start_bg timeout 60 openssl s_server -accept "$PORT" -tls1_2 -cert "$R/leaf.crt" -key "$R/leaf.key" \
        -cert_chain "$R/ca.crt" -naccept 1 -rev -status_file "$R/resp.der" >"$WORK/oss-rsa.out" 2>&1 </dev/null
    wait_port "$PORT"
    echo hi | timeout 20 "$TERN" client "127.0.0.1:$PORT" --truststore "$R/root.crt" --servername localhost \
        --cipher AES128-GCM-SHA256 --ocsp hard >"$WORK/tc-rsa.out" 2>&1
    grep -q "TLS_RSA_WITH_AES_128_GCM_SHA256.*OCSP staple good" "$WORK/tc-rsa.out" &&
        ok "RSA key exchange: tern client --ocsp hard checks openssl s_server's fresh staple" ||
        fail "RSA key exchange, tern client: $(cat "$WORK/tc-rsa.out")"
else
    fail "could not make the RSA fixtures: $(tail -3 "$WORK/rsa.log")"
fi

finish
