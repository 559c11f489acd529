#!/bin/sh
# Interop against Go's crypto/tls (Debian golang-go), a TLS stack independent
# of OpenSSL and GnuTLS, through tests/interop/gopeer (standard library only,
# built here offline into $BUILD/interop-go with its own GOCACHE):
#   Go client -> tern server, and tern client -> Go server, for every suite
#     tern has (ECDHE_RSA / ECDHE_ECDSA with AES-128/256-GCM and
#     ChaCha20-Poly1305, and the RSA key exchange) and, for the ECDHE ones,
#     each group (x25519, secp256r1), forced on both sides (Go's CipherSuites
#     and CurvePreferences, tern's --cipher and --groups; the group read from
#     tern's --trace); without and with client certificates (RSA and ECDSA;
#     Go: RequireAndVerifyClientCert with the test roots); 256 KB of random
#     bytes echoed and compared each time; Go verifies tern's chain against
#     the test roots (never InsecureSkipVerify) and tern verifies Go's;
#   ALPN both ways, including the no_application_protocol refusal;
#   resumption: Go's client resumes by ticket only (it has no session-ID
#     cache), so that is what runs; Go before 1.21 has no extended master
#     secret, and RFC 7627 §5.3 leaves such a session to the server (a tern
#     client does not even offer it), so resumption is checked strictly only
#     with Go >= 1.21 (with Go 1.19 the outcome is shown and "skipped");
#   a client without a certificate refused in both directions;
#   P-384: a Go client with a P-384 certificate; the secp384r1 group, P-384
#     key stores, and a Go server with a P-384 certificate (Go requires the
#     client to list secp384r1, RFC 8422 §5.3) only where this tern has them
#     (otherwise "skipped: tern has no P-384 yet").
# Every Go listener and tern server is on 127.0.0.1.
# Needs: go, $BUILD/tools/tern.  Exit 77 (skipped) without go.
NAME=interop_go
. tests/lib.sh
need go golang-go
need_tern
. tests/interop/peers.sh

# ---- build the Go peer: offline, everything it writes under $BUILD/interop-go ----
GODIR=$(mkdir -p "$BUILD/interop-go" && cd "$BUILD/interop-go" && pwd)
GOPEER=$GODIR/gopeer
if ! (cd tests/interop/gopeer && GOCACHE="$GODIR/cache" GOPATH="$GODIR/path" GOENV=off GOFLAGS='' GO111MODULE=on \
    GOPROXY=off GOTOOLCHAIN=local GOTELEMETRY=off CGO_ENABLED=0 go build -o "$GOPEER" .) > "$WORK/gobuild" 2>&1; then
    echo "$NAME: FAIL: building tests/interop/gopeer with $(go version): $(cat "$WORK/gobuild")"
    exit 1
fi
GOVER=$(go version | sed -n 's/.*go\([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p')
echo "$NAME: $(go version)"
# Go 1.21 added the extended master secret (RFC 7627).
go_has_ems() { [ "${GOVER%%.*}" -gt 1 ] || [ "${GOVER#*.}" -ge 21 ]; }

head -c 262144 /dev/urandom > "$WORK/data"
SIZE=262144
cat "$CERTS/root-ca.crt" "$CERTS/ecdsa-root.crt" > "$WORK/roots.pem"
IC=$CERTS/interop
HAVE_P384_GROUP=0 HAVE_P384_KEYS=0
tern_has_p384_group && HAVE_P384_GROUP=1
tern_has_p384_keys && HAVE_P384_KEYS=1

t_group() { case $1 in X25519) echo x25519 ;; P-256) echo secp256r1 ;; P-384) echo secp384r1 ;; esac; }

# ======== Go client -> tern server ========
TS_ARGS="--keystore $CERTS/server-chain.pem $CERTS/server.key --keystore $CERTS/ecdsa-server-chain.pem $CERTS/ecdsa-server.key --cipher $ALL_SUITES --alpn h2,http/1.1"
tern_server "$WORK/ts.plain" $TS_ARGS || fail "tern server did not start: $(cat "$WORK/ts.plain")"
TS_PLAIN=$port
tern_server "$WORK/ts.mtls" $TS_ARGS --truststore "$WORK/roots.pem" --client-auth required ||
    fail "tern server (client auth) did not start: $(cat "$WORK/ts.mtls")"
TS_MTLS=$port
tern_server "$WORK/ts.notickets" $TS_ARGS --no-tickets || fail "tern server --no-tickets did not start: $(cat "$WORK/ts.notickets")"
TS_NOTICKETS=$port

# gc_case WHAT SERVER(plain|mtls|notickets) SUITE CURVES CLIENTID [gopeer client args]:
# one Go client run (CURVES offered, the first expected), checked on both sides.
gc_case() {
    what=$1 mode=$2 suite=$3 curves=$4 id=$5
    shift 5
    eval "sp=\$TS_$(echo $mode | tr a-z A-Z)"
    slog=$WORK/ts.$mode
    [ "$id" != none ] && set -- "$@" -cert "$(cert_of "$id")" -key "$(key_of "$id")"
    m=$(mark "$slog")
    timeout 30 "$GOPEER" client -connect "127.0.0.1:$sp" -ca "$WORK/roots.pem" -servername localhost \
        -suite "$(iana "$suite")" -curves "$curves" -size $SIZE "$@" > "$WORK/gc.out" 2>"$WORK/gc.err"
    rc=$?
    await "$slog" "$m" '^tern server: [^l]'
    since "$slog" "$m" > "$WORK/slice"
    first=${curves%%,*}
    tline=$(grep '^tern server: TLSv1.2' "$WORK/slice" | head -n 1)
    case $suite in ECDHE*) want=$(t_group "$first") ;; *) want="" ;; esac
    if [ $rc -ne 0 ]; then
        fail "$what: Go client exit $rc: $(cat "$WORK/gc.err"); tern: $(grep -v '^\[' "$WORK/slice" | tr '\n' ' ')"
    elif ! echo "$tline" | grep -q "$(iana "$suite"), "; then
        fail "$what: tern server reports: $(grep -v '^\[' "$WORK/slice" | tr '\n' ' ')"
    elif [ -n "$want" ] && [ "$(trace_group "$WORK/slice")" != "$want" ]; then
        fail "$what: tern's trace shows group $(trace_group "$WORK/slice"), expected $want"
    elif [ "$id" != none ] && ! echo "$tline" | grep -qF "peer CN=$(cn_of "$id"), O=tern test (verified)"; then
        fail "$what: tern server did not verify the client: $tline"
    else
        extra=""
        [ "$id" != none ] && extra=", tern verified client CN=$(cn_of "$id")"
        # Go before 1.21 has no extended master secret (RFC 7627).
        echo "$tline" | grep -q "extended master secret no" && extra="$extra, no EMS (Go $GOVER)"
        ok "$what: Go: $(cat "$WORK/gc.out"); ${want:-RSA key exchange}$extra"
        return 0
    fi
    return 1
}

for mode in plain mtls; do
    for suite in $ECDHE_SUITES; do
        for curve in X25519 P-256; do
            # RFC 8422 §5.1: for an ECDSA suite the client also lists the
            # certificate's curve; X25519 stays its first choice.
            offer=$curve
            case $suite/$curve in ECDHE-ECDSA*/X25519) offer=X25519,P-256 ;; esac
            id=none
            [ $mode = mtls ] && { [ $curve = X25519 ] && id=rsa || id=ecdsa; }
            gc_case "Go client $suite $offer -> tern server$(id_label $id)" $mode "$suite" "$offer" $id
        done
    done
    for suite in $RSA_SUITES; do
        id=none
        [ $mode = mtls ] && { [ $suite = AES128-GCM-SHA256 ] && id=rsa || id=ecdsa; }
        gc_case "Go client $suite -> tern server$(id_label $id)" $mode "$suite" X25519 $id
    done
done
# A P-384 client certificate: Go makes the CertificateVerify with the P-384 key.
gc_case "Go client with a P-384 certificate ECDHE-ECDSA-AES256-GCM-SHA384 P-256 -> tern server" mtls \
    ECDHE-ECDSA-AES256-GCM-SHA384 P-256 p384
if [ $HAVE_P384_GROUP -eq 1 ]; then
    gc_case "Go client ECDHE-RSA-AES128-GCM-SHA256 P-384 -> tern server" plain ECDHE-RSA-AES128-GCM-SHA256 P-384 none
else
    skip "Go client ECDHE-RSA-AES128-GCM-SHA256 P-384 -> tern server: $P384_REASON (the secp384r1 group)"
fi

# ---- ALPN ----
gc_case "Go client -alpn http/1.1 -> tern server --alpn h2,http/1.1" plain ECDHE-RSA-AES128-GCM-SHA256 X25519 none \
    -alpn http/1.1 -expect-alpn http/1.1 -size 4096 && ! grep -q "ALPN http/1.1," "$WORK/slice" &&
    fail "  ... but tern server reports $(grep '^tern server: TLS' "$WORK/slice")"
gc_case "Go client -alpn http/1.1,h2 -> tern server --alpn h2,http/1.1 (server's order)" plain \
    ECDHE-RSA-AES128-GCM-SHA256 X25519 none -alpn http/1.1,h2 -expect-alpn h2 -size 4096
m=$(mark "$WORK/ts.plain")
timeout 30 "$GOPEER" client -connect "127.0.0.1:$TS_PLAIN" -ca "$WORK/roots.pem" -suite TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 \
    -alpn spdy/1 > "$WORK/gc.out" 2>"$WORK/gc.err"
rc=$?
await "$WORK/ts.plain" "$m" no_application_protocol
if [ $rc -ne 0 ] && grep -q "no application protocol" "$WORK/gc.err" && since "$WORK/ts.plain" "$m" | grep -q no_application_protocol; then
    ok "Go client -alpn spdy/1 -> tern server: refused with no_application_protocol (RFC 7301 §3.2)"
else fail "ALPN without overlap: Go exit $rc: $(cat "$WORK/gc.err"); tern: $(since "$WORK/ts.plain" "$m" | grep -v '^\[')"; fi

# ---- resumption (tickets) ----
# With Go >= 1.21 both sides use the extended master secret and the
# sessions must resume.  Go 1.19 has none: RFC 7627 §5.3 then leaves it to
# the server (it SHOULD abort, or resume as "legacy insecure resumption"), so
# with such a Go the outcome is reported, and the strict check skipped.
# gr_case WHAT SERVER SUITE CLIENTID EXPECT(yes|no)
gr_case() {
    what=$1 mode=$2 suite=$3 id=$4 expect=$5
    goexp=$expect
    [ "$expect" = yes ] && ! go_has_ems && goexp=any
    if gc_case "$what" $mode "$suite" X25519,P-256 $id -resume 2 -expect-resume $goexp; then
        n=$(grep -c "^tern server: .*session resumed" "$WORK/slice")
        nt=$(grep -c "sent *NewSessionTicket" "$WORK/slice")
        if [ $goexp = yes ] && [ "$n" -ne 2 ]; then fail "  ... but tern server reports $n resumed connections"
        elif [ $goexp = no ] && { [ "$n" -ne 0 ] || [ "$nt" -ne 0 ]; }; then
            fail "  ... but tern server reports $n resumed connections, $nt tickets sent"
        elif [ "$id" != none ] && [ "$n" -gt 0 ] &&
            [ "$(grep -c "peer CN=$(cn_of "$id"), O=tern test (verified), session resumed" "$WORK/slice")" -ne "$n" ]; then
            fail "  ... but the resumed connections lost the client identity: $(grep '^tern server:' "$WORK/slice")"
        elif [ $goexp = any ]; then
            skip "$what: resumption checked only with Go >= 1.21 (extended master secret); Go $GOVER has none, and RFC 7627 §5.3 leaves a session without it to the server (tern resumed $n of 2)"
        fi
    fi
}
gr_case "Go client -resume 2 -> tern server (ticket)" plain ECDHE-ECDSA-AES128-GCM-SHA256 none yes
gr_case "Go client -resume 2 AES128-GCM-SHA256 -> tern server (ticket, RSA key exchange)" plain AES128-GCM-SHA256 none yes
gr_case "Go client -resume 2 with a certificate -> tern server --client-auth required (ticket)" mtls \
    ECDHE-RSA-CHACHA20-POLY1305 rsa yes
gr_case "Go client -resume 2 -> tern server --no-tickets (no ticket; Go has no session-ID resumption)" notickets \
    ECDHE-RSA-AES256-GCM-SHA384 none no
skip "Go client resuming by session ID: Go's crypto/tls client resumes only with tickets"

# ---- no client certificate: refused ----
m=$(mark "$WORK/ts.mtls")
timeout 30 "$GOPEER" client -connect "127.0.0.1:$TS_MTLS" -ca "$WORK/roots.pem" -suite TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 \
    > "$WORK/gc.out" 2>"$WORK/gc.err"
rc=$?
await "$WORK/ts.mtls" "$m" "handshake failed"
if [ $rc -ne 0 ] && since "$WORK/ts.mtls" "$m" | grep -q "handshake failed: .*requires one"; then
    ok "Go client without a certificate -> tern server --client-auth required: refused ($(cat "$WORK/gc.err"))"
else fail "Go client without a certificate: exit $rc: $(cat "$WORK/gc.err"); tern: $(since "$WORK/ts.mtls" "$m" | grep -v '^\[')"; fi

# ---- tern server with a P-384 key store ----
if [ $HAVE_P384_KEYS -eq 1 ]; then
    if tern_server "$WORK/ts.p384" --keystore "$IC/p384-server-chain.pem" "$IC/p384-server.key"; then
        TS_P384=$port
        for suite in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305; do
            gc_case "Go client $suite -> tern server with a P-384 key" p384 "$suite" X25519,P-384 none
        done
    else
        fail "tern server with a P-384 key store did not start: $(cat "$WORK/ts.p384")"
    fi
else
    skip "Go client ECDHE-ECDSA-* -> tern server with a P-384 key store: $P384_REASON (P-384 keys)"
fi

# ======== tern client -> Go server ========
# One Go process, one listener per configuration (NAME:CURVES:AUTH:CERTS:TICKETS).
timeout $SERVER_LIFE "$GOPEER" server -ports "$WORK/goports" -timeout ${SERVER_LIFE}s -alpn http/1.1 -clientca "$WORK/roots.pem" \
    -rsa "$CERTS/server-chain.pem,$CERTS/server.key" -ecdsa "$CERTS/ecdsa-server-chain.pem,$CERTS/ecdsa-server.key" \
    -p384 "$IC/p384-server-chain.pem,$IC/p384-server.key" \
    x25519:X25519+P-256:none:rsa+ecdsa:tickets p256:P-256:none:rsa+ecdsa:tickets \
    mx25519:X25519+P-256:require:rsa+ecdsa:tickets mp256:P-256:require:rsa+ecdsa:tickets \
    p384cert:X25519+P-256+P-384:none:p384:tickets p384:P-384:none:rsa+ecdsa:tickets 2>"$WORK/gs.log" &
PIDS="$PIDS $!"
i=0
while [ ! -s "$WORK/goports" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$WORK/goports" ] || { fail "Go server did not start: $(cat "$WORK/gs.log")"; finish; }
goport() { awk -v n="$1" '$1 == n { print $2 }' "$WORK/goports"; }

# tc_case WHAT LISTENER SUITE TERN-GROUPS EXPECTED-GROUP CLIENTID [tern args]
tc_case() {
    what=$1 ln=$2 suite=$3 tgroups=$4 want=$5 id=$6
    shift 6
    set -- "$@" --cipher "$suite" ${tgroups:+--groups "$tgroups"}
    [ "$id" != none ] && set -- "$@" --keystore "$(cert_of "$id")" "$(key_of "$id")"
    m=$(mark "$WORK/gs.log")
    timeout 30 "$TERN" client "127.0.0.1:$(goport "$ln")" --truststore "$WORK/roots.pem" --servername localhost --trace "$@" \
        < "$WORK/data" > "$WORK/tc.out" 2>"$WORK/tc.err"
    rc=$?
    await "$WORK/gs.log" "$m" "^$ln: "
    since "$WORK/gs.log" "$m" > "$WORK/slice"
    tline=$(grep '^tern client: TLSv1.2' "$WORK/tc.err" | head -n 1)
    terr=$(grep -v '^\[' "$WORK/tc.err" | tr '\n' ' ')
    if [ $rc -ne 0 ] || ! cmp -s "$WORK/data" "$WORK/tc.out"; then
        fail "$what: tern client exit $rc, $(wc -c < "$WORK/tc.out") of $SIZE bytes back; tern: $terr; Go: $(tr '\n' ' ' < "$WORK/slice")"
    elif ! echo "$tline" | grep -q "$(iana "$suite"), .*peer CN=localhost, O=tern test (verified)"; then
        fail "$what: tern client reports: $terr"
    elif [ -n "$want" ] && [ "$(trace_group "$WORK/tc.err")" != "$want" ]; then
        fail "$what: group $(trace_group "$WORK/tc.err"), expected $want"
    elif ! grep -q "^$ln: $(iana "$suite"), " "$WORK/slice"; then
        fail "$what: Go server reports: $(tr '\n' ' ' < "$WORK/slice")"
    elif [ "$id" != none ] && ! grep -qF "client CN=$(cn_of "$id") (verified)" "$WORK/slice"; then
        fail "$what: Go server did not verify tern's certificate: $(tr '\n' ' ' < "$WORK/slice")"
    else
        extra=""
        [ "$id" != none ] && extra=", Go verified client CN=$(cn_of "$id")"
        ok "$what: $SIZE bytes echoed, tern verified Go's chain, ${want:-RSA key exchange}$extra"
        return 0
    fi
    return 1
}

for mode in plain mtls; do
    for suite in $ECDHE_SUITES; do
        for group in x25519 secp256r1; do
            tg=$group
            case $suite/$group in ECDHE-ECDSA*/x25519) tg=x25519,secp256r1 ;; esac # RFC 8422 §5.1
            if [ $group = x25519 ]; then ln=x25519 id=rsa; else ln=p256 id=ecdsa; fi
            [ $mode = plain ] && id=none || ln=m$ln
            tc_case "tern client --cipher $suite --groups $tg -> Go server ($group)$(id_label $id)" $ln "$suite" "$tg" $group $id
        done
    done
    for suite in $RSA_SUITES; do
        if [ $mode = plain ]; then ln=x25519 id=none; else ln=mp256 id=ecdsa; fi
        tc_case "tern client --cipher $suite -> Go server$(id_label $id)" $ln "$suite" "" "" $id
    done
done

# ---- ALPN (the Go server has http/1.1) ----
for pair in "http/1.1:http/1.1" "h2,http/1.1:http/1.1"; do
    offer=${pair%:*} want=${pair##*:}
    head -c 4096 "$WORK/data" > "$WORK/data4k"
    timeout 10 "$TERN" client "127.0.0.1:$(goport x25519)" --truststore "$WORK/roots.pem" --servername localhost \
        --alpn "$offer" < "$WORK/data4k" > "$WORK/tc.out" 2>"$WORK/tc.err"
    rc=$?
    if [ $rc -eq 0 ] && grep -q "^tern client: .*ALPN $want," "$WORK/tc.err" && cmp -s "$WORK/data4k" "$WORK/tc.out"; then
        ok "tern client --alpn $offer -> Go server (NextProtos http/1.1): ALPN $want"
    else fail "tern client --alpn $offer: exit $rc; tern: $(cat "$WORK/tc.err"); Go: $(tail -n 2 "$WORK/gs.log")"; fi
done
m=$(mark "$WORK/gs.log")
timeout 10 "$TERN" client "127.0.0.1:$(goport x25519)" --truststore "$WORK/roots.pem" --servername localhost \
    --alpn spdy/1 < /dev/null > /dev/null 2>"$WORK/tc.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "no_application_protocol" "$WORK/tc.err"; then
    ok "tern client --alpn spdy/1 -> Go server: refused with no_application_protocol ($(tail -n 1 "$WORK/tc.err"))"
else fail "tern client --alpn spdy/1: exit $rc; tern: $(cat "$WORK/tc.err"); Go: $(since "$WORK/gs.log" "$m")"; fi

# ---- resumption: tern client --resume 2 (Go: tickets) ----
# tr_case WHAT LISTENER CLIENTID
tr_case() {
    what=$1 ln=$2 id=$3
    set --
    [ "$id" != none ] && set -- --keystore "$(cert_of "$id")" "$(key_of "$id")"
    m=$(mark "$WORK/gs.log")
    head -c 4096 "$WORK/data" | timeout 30 "$TERN" client "127.0.0.1:$(goport "$ln")" --truststore "$WORK/roots.pem" \
        --servername localhost --resume 2 "$@" > "$WORK/tc.out" 2>"$WORK/tc.err"
    rc=$?
    await "$WORK/gs.log" "$m" "^$ln: " 3
    n=$(grep -c "resumption [12]/2: resumed" "$WORK/tc.err")
    ngo=$(since "$WORK/gs.log" "$m" | grep -c "^$ln: .*resumed yes")
    if grep -q "^tern client: .*extended master secret no" "$WORK/tc.err"; then
        # No EMS: a tern client does not offer the session (RFC 7627 §5.3: a
        # server must not resume it for a client offering EMS).
        if [ $rc -eq 0 ] && [ "$(grep -c "resumption [12]/2: session not offered (full handshake)" "$WORK/tc.err")" -eq 2 ] &&
            [ "$ngo" -eq 0 ]; then
            ok "$what: Go $GOVER has no extended master secret, so tern offers no session: full handshakes (RFC 7627 §5.3)"
            skip "$what: resumption needs Go >= 1.21 (extended master secret); this is Go $GOVER"
        else fail "$what: exit $rc: $(cat "$WORK/tc.err"); Go: $(since "$WORK/gs.log" "$m" | tr '\n' ' ')"; fi
    elif [ $rc -eq 0 ] && [ "$n" -eq 2 ] && [ "$ngo" -eq 2 ]; then
        ok "$what: 2 of 2 further connections resumed on both sides (ticket)"
    else fail "$what: exit $rc, tern resumed $n of 2, Go $ngo of 2: $(cat "$WORK/tc.err"); Go: $(since "$WORK/gs.log" "$m" | tr '\n' ' ')"; fi
}
tr_case "tern client --resume 2 -> Go server (ticket)" x25519 none
tr_case "tern client --resume 2 with a certificate -> Go server RequireAndVerifyClientCert (ticket)" mx25519 rsa

# ---- no client certificate: refused ----
timeout 10 "$TERN" client "127.0.0.1:$(goport mx25519)" --truststore "$WORK/roots.pem" --servername localhost \
    < /dev/null > /dev/null 2>"$WORK/tc.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "handshake failed: .*alert" "$WORK/tc.err"; then
    ok "tern client without a key store -> Go server RequireAndVerifyClientCert: refused ($(tail -n 1 "$WORK/tc.err"))"
else fail "tern client without a key store: exit $rc; tern: $(cat "$WORK/tc.err"); Go: $(tail -n 2 "$WORK/gs.log")"; fi

# ---- P-384 ----
if [ $HAVE_P384_GROUP -eq 1 ]; then
    tc_case "tern client --groups secp384r1 -> Go server (P-384)" p384 ECDHE-RSA-AES128-GCM-SHA256 secp384r1 secp384r1 none
    for suite in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305; do
        tc_case "tern client --cipher $suite -> Go server with a P-384 certificate" p384cert "$suite" \
            x25519,secp384r1 x25519 none
    done
else
    skip "tern client --groups secp384r1 -> Go server: $P384_REASON (the secp384r1 group)"
    skip "tern client -> Go server with a P-384 certificate: $P384_REASON (Go wants secp384r1 in supported_groups for it, RFC 8422 §5.3)"
fi
if [ $HAVE_P384_KEYS -eq 1 ]; then
    tc_case "tern client with a P-384 key store -> Go server RequireAndVerifyClientCert" mp256 \
        ECDHE-ECDSA-AES128-GCM-SHA256 secp256r1 secp256r1 p384
else
    skip "tern client with a P-384 key store -> Go server RequireAndVerifyClientCert: $P384_REASON (P-384 keys)"
fi

finish
