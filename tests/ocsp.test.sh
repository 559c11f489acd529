#!/bin/sh
# OCSP against a live responder (fixtures: vectors/ocsp, tests/certs/make-ocsp.sh):
#   - `openssl ocsp -index ... -port` answers for the fixture CA, signing
#     itself (RSA) and through a delegated responder (ECDSA, id-kp-OCSPSigning),
#     and through a responder without that extKeyUsage;
#   - `openssl ocsp -url ... -respout` fetches good / revoked / unknown
#     responses (with a nonce, which tern ignores: it is not critical), and
#     openssl itself checks them (-CAfile) as a cross-check;
#   - `tern verify --ocsp RESPONSE.der` checks each at the real clock: exit 0
#     and the good sentence, or exit 1 with the revoked / unknown / may-not-
#     sign sentence; the committed expired.der is refused as expired.
NAME=ocsp
. tests/lib.sh
need_tern
need openssl
V=vectors/ocsp
cp $V/index.txt $V/index.txt.attr "$WORK/"

# responder SIGNER-CERT SIGNER-KEY REQUESTS: an openssl OCSP responder on a
# fresh port, answering REQUESTS requests; sets $PORT.
responder() {
    PORT=$(free_port)
    start_bg timeout 60 openssl ocsp -index "$WORK/index.txt" -port "$PORT" -rsigner "$1" -rkey "$2" \
        -CA $V/ca.crt -ndays 1 -nrequest "$3" >"$WORK/responder.$PORT.log" 2>&1
    wait_port "$PORT" || {
        fail "openssl ocsp responder did not start: $(cat "$WORK/responder.$PORT.log")"
        return 1
    }
}

# fetch CERT OUT: ask the responder on $PORT about CERT; openssl's verdict
# (with the responder checked against the CA) in OUT.ossl.
fetch() {
    openssl ocsp -issuer $V/ca.crt -cert "$1" -url "http://127.0.0.1:$PORT" -CAfile $V/ca.crt \
        -respout "$2" >"$2.ossl" 2>&1
}

# tern_check WHAT CHAIN RESPONSE WANT-EXIT PATTERN
tern_check() {
    "$TERN" verify --truststore $V/ca.crt --ocsp "$3" "$2" >"$3.tern" 2>&1
    rc=$?
    if [ $rc -eq "$4" ] && grep -q -- "$5" "$3.tern"; then
        ok "$1"
    else
        fail "$1: exit $rc (wanted $4): $(tail -3 "$3.tern")"
    fi
}

if responder $V/ca.crt $V/ca.key 3; then
    fetch $V/leaf.crt "$WORK/good.der"
    fetch $V/leaf-revoked.crt "$WORK/revoked.der"
    fetch $V/leaf-unknown.crt "$WORK/unknown.der"
    grep -q "Response verify OK" "$WORK/good.der.ossl" && grep -q ": good" "$WORK/good.der.ossl" &&
        grep -q ": revoked" "$WORK/revoked.der.ossl" && grep -q ": unknown" "$WORK/unknown.der.ossl" && ok "openssl ocsp agrees: good, revoked, unknown" ||
        fail "openssl ocsp: $(cat "$WORK"/*.ossl)"
    tern_check "issuer-signed good (nonce present): accepted" $V/leaf-chain.pem "$WORK/good.der" 0 \
        "ok: the stapled OCSP response says the certificate (serial 1001) is good"
    tern_check "issuer-signed revoked: refused with date and reason" $V/leaf-revoked-chain.pem "$WORK/revoked.der" 1 \
        "verdict: REFUSED: the stapled OCSP response says the certificate (serial 1003) was revoked on 2025-06-01 00:00:00 UTC (keyCompromise)"
    tern_check "issuer-signed unknown: refused" $V/leaf-unknown-chain.pem "$WORK/unknown.der" 1 \
        "the responder does not know the certificate (serial 1005): its status is unknown"
    tern_check "a response for another certificate: refused" $V/leaf-chain.pem "$WORK/revoked.der" 1 \
        "is not about the certificate (serial 1001): it is about serial 1003"
fi

if responder $V/responder.crt $V/responder.key 2; then
    fetch $V/leaf.crt "$WORK/dgood.der"
    fetch $V/leaf-revoked.crt "$WORK/drevoked.der"
    grep -q ": good" "$WORK/dgood.der.ossl" && grep -q "Response verify OK" "$WORK/dgood.der.ossl" && ok "openssl ocsp accepts the delegated responder" ||
        fail "openssl ocsp delegated: $(cat "$WORK/dgood.der.ossl")"
    tern_check "delegated responder (id-kp-OCSPSigning) good: accepted" $V/leaf-chain.pem "$WORK/dgood.der" 0 \
        "signed by a delegated responder"
    tern_check "delegated responder revoked: refused" $V/leaf-revoked-chain.pem "$WORK/drevoked.der" 1 \
        "was revoked on 2025-06-01 00:00:00 UTC (keyCompromise)"
fi

if responder $V/responder-noeku.crt $V/responder-noeku.key 1; then
    fetch $V/leaf.crt "$WORK/noeku.der"
    grep -q "missing ocspsigning usage" "$WORK/noeku.der.ossl" &&
        ok "openssl ocsp refuses the responder without id-kp-OCSPSigning" ||
        fail "openssl accepted the responder without id-kp-OCSPSigning: $(cat "$WORK/noeku.der.ossl")"
    tern_check "responder without id-kp-OCSPSigning: refused" $V/leaf-chain.pem "$WORK/noeku.der" 1 \
        "is signed by a key that may not sign OCSP responses for this issuer"
fi

cp $V/expired.der "$WORK/fixture-expired.der"
cp $V/good.der "$WORK/fixture-good.der"
tern_check "the committed expired.der (nextUpdate a minute after thisUpdate): refused" $V/leaf-chain.pem \
    "$WORK/fixture-expired.der" 1 "expired on"
tern_check "the committed good.der (nextUpdate 2046): accepted" $V/leaf-chain.pem "$WORK/fixture-good.der" 0 "is good"
finish
