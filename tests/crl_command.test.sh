#!/bin/sh
# CRLs on the command line (fixtures: vectors/certs/crl, tests/certs/make-crl-certs.sh):
#   - tern verify --crl / --crl-mode: revoked (exit 1, the sentence), a good
#     chain under require, require without a CRL, a refused delta CRL (exit 2);
#   - tern client --crl against tern server serving a revoked certificate:
#     refused with the sentence, the server sees certificate_revoked;
#   - openssl s_client presenting a revoked client certificate to
#     tern server --client-auth required --crl: OpenSSL reports the
#     certificate_revoked alert;
#   - OpenSSL's own verifier agrees on the fixtures (openssl verify -crl_check).
NAME=crl-command
. tests/lib.sh
need_tern
C=vectors/certs/crl

# ---- tern verify ----
"$TERN" verify --truststore $C/root.crt --crl $C/int.crl --at 2030-01-01 $C/revoked-chain.pem >"$WORK/v1" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "verdict: REFUSED: certificate 0 (CN=revoked.crl.test), serial 2002, was revoked on 2025-06-01 00:00:00 UTC (reason: keyCompromise) by the CRL of CN=tern CRL Intermediate" "$WORK/v1"; then
    ok "tern verify --crl: a revoked leaf is refused with its serial, date and reason"
else fail "tern verify --crl revoked: exit $rc: $(tail -3 "$WORK/v1")"; fi

"$TERN" verify --truststore $C/root.crt --crl $C/dir --crl-mode require --name localhost --at 2030-01-01 \
    $C/good-chain.pem >"$WORK/v2" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "not revoked" "$WORK/v2" && grep -q "CRLs: 2 loaded" "$WORK/v2"; then
    ok "tern verify --crl DIR --crl-mode require: a good chain passes"
else fail "tern verify good chain under require: exit $rc: $(tail -3 "$WORK/v2")"; fi

"$TERN" verify --truststore $C/root.crt --crl-mode require --at 2030-01-01 $C/good-chain.pem >"$WORK/v3" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "no CRL of its issuer CN=tern CRL Intermediate is loaded, and CRLs are required" "$WORK/v3"; then
    ok "tern verify --crl-mode require without a CRL: refused, saying so"
else fail "tern verify require without CRL: exit $rc: $(tail -3 "$WORK/v3")"; fi

"$TERN" verify --truststore $C/root.crt --crl $C/int-delta.crl --at 2030-01-01 $C/good-chain.pem >"$WORK/v4" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "is a delta CRL (deltaCRLIndicator), which tern does not support" "$WORK/v4"; then
    ok "tern verify --crl with a delta CRL: a setup error naming it"
else fail "tern verify delta CRL: exit $rc: $(tail -3 "$WORK/v4")"; fi

"$TERN" verify --truststore $C/root.crt --crl-mode sometimes $C/good-chain.pem >/dev/null 2>&1
[ $? -eq 2 ] || fail "tern verify --crl-mode sometimes does not exit 2"

# ---- OpenSSL agrees on the fixtures ----
if have_openssl; then
    if openssl verify -CAfile $C/root.crt -untrusted $C/int.crt -crl_check -CRLfile $C/int.crl $C/revoked.crt \
        >"$WORK/o1" 2>&1; then
        fail "openssl verify accepts revoked.crt"
    elif openssl verify -CAfile $C/root.crt -untrusted $C/int.crt -crl_check_all -CRLfile $C/int.crl \
        -CRLfile $C/root.crl $C/good.crt >"$WORK/o2" 2>&1 && grep -q "certificate revoked" "$WORK/o1"; then
        ok "openssl verify -crl_check: revoked.crt revoked, good.crt fine"
    else fail "openssl verify on the fixtures: $(cat "$WORK/o1" "$WORK/o2")"; fi
else skip_part "openssl not installed (Debian package openssl): openssl verify on the fixtures"; fi

# ---- tern client -> tern server with a revoked certificate ----
PORT=$(free_port)
start_bg timeout 60 "$TERN" server --port "$PORT" --keystore $C/revoked-chain.pem $C/leaf.key --echo \
    2>"$WORK/srv.err"
if wait_port "$PORT"; then
    echo hi | timeout 10 "$TERN" client "127.0.0.1:$PORT" --truststore $C/root.crt --servername localhost \
        --crl $C/int.crl >"$WORK/c.out" 2>"$WORK/c.err"
    rc=$?
    sleep 0.2
    if [ $rc -eq 1 ] && grep -q "serial 2002, was revoked on 2025-06-01" "$WORK/c.err" &&
        grep -q "certificate_revoked" "$WORK/srv.err"; then
        ok "tern client --crl refuses a revoked server; the server sees certificate_revoked"
    else fail "tern client --crl vs revoked server: exit $rc: $(cat "$WORK/c.err") / $(tail -2 "$WORK/srv.err")"; fi
    # Without the CRL the same server is accepted (the CRL is what refuses).
    echo hi | timeout 10 "$TERN" client "127.0.0.1:$PORT" --truststore $C/root.crt --servername localhost \
        >"$WORK/c2.out" 2>"$WORK/c2.err"
    [ "$(cat "$WORK/c2.out")" = "hi" ] || fail "tern client without --crl: $(cat "$WORK/c2.err")"
else fail "tern server did not start: $(cat "$WORK/srv.err")"; fi

# ---- openssl s_client with a revoked client certificate -> tern server ----
if have_openssl; then
    PORT=$(free_port)
    start_bg timeout 60 "$TERN" server --port "$PORT" --keystore $C/good-chain.pem $C/leaf.key --echo \
        --truststore $C/root.crt --client-auth required --crl $C/int.crl --crl-mode if-present 2>"$WORK/srv2.err"
    if wait_port "$PORT"; then
        echo hi | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -cert $C/revoked.crt \
            -key $C/leaf.key -cert_chain $C/int.crt -CAfile $C/root.crt >"$WORK/o.out" 2>&1
        sleep 0.2
        if grep -qi "certificate revoked" "$WORK/o.out"; then
            ok "tern server --crl refuses a revoked openssl client with certificate_revoked"
        else fail "openssl s_client with a revoked certificate: $(grep -i alert "$WORK/o.out" | head -3) / $(tail -2 "$WORK/srv2.err")"; fi
    else fail "tern server (client auth) did not start: $(cat "$WORK/srv2.err")"; fi
else skip_part "openssl not installed (Debian package openssl): openssl s_client with a revoked certificate"; fi

finish
