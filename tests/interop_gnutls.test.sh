#!/bin/sh
# Interop against GnuTLS (gnutls-cli / gnutls-serv, Debian gnutls-bin) on 127.0.0.1,
# a TLS stack independent of OpenSSL:
#   gnutls-cli -> tern server, and tern client -> gnutls-serv --echo, for every
#     suite tern has (ECDHE_RSA / ECDHE_ECDSA with AES-128/256-GCM and
#     ChaCha20-Poly1305, and the RSA key exchange with AES-GCM) and, for the
#     ECDHE ones, each group (x25519, secp256r1), forced by a GnuTLS priority
#     string on one side and --cipher/--groups on tern's; without and with
#     client certificates (RSA and ECDSA, required and verified by the
#     server); text echoed and compared each time (350 KB through
#     gnutls-serv, 24 KB or 350 KB through gnutls-cli); both sides verify the
#     other's chain (GnuTLS against the test roots, tern likewise), the
#     negotiated suite and group are read from both sides (gnutls-cli's
#     Description line, tern's status line and --trace);
#   ALPN both ways (tern server's choice, and refusal with
#     no_application_protocol); resumption both ways by ticket and by session
#     ID, and with a client certificate; a client without a certificate
#     refused in both directions;
#   P-384: a GnuTLS client or server with a P-384 ECDSA certificate (its
#     CertificateVerify / ServerKeyExchange made with a P-384 key); the
#     secp384r1 group and P-384 key stores in tern only where this tern has
#     them (otherwise those cases print "skipped: tern has no P-384 yet").
# gnutls-serv has no option to bind one address: it listens on the wildcard
# address (0.0.0.0 and ::) of a free port, only for the few seconds the script
# runs; every connection here goes to 127.0.0.1.
# gnutls-serv --echo answers line by line and stops at a NUL byte
# (src/serv.c), so the payload is base64 text.
# Needs: gnutls-cli, gnutls-serv, $BUILD/tools/tern.  Exit 77 (skipped) without
# gnutls-bin.
NAME=interop_gnutls
. tests/lib.sh
need gnutls-cli gnutls-bin
need gnutls-serv gnutls-bin
need_tern
. tests/interop/peers.sh

# stdout of gnutls-serv goes to a file: line-buffered, so that the log of
# each connection is there when the client is done.
LINEBUF=""
command -v stdbuf >/dev/null 2>&1 && LINEBUF="stdbuf -oL"

head -c 262144 /dev/urandom | base64 -w 76 > "$WORK/data"
SIZE=$(wc -c < "$WORK/data")
# gnutls-cli writes what it receives to stdout one byte per write(2) (~0.6 s
# for 350 KB), so most gnutls-cli cases echo 24 KB (two records each way);
# the first case and one resumed connection echo the whole 350 KB.
head -c 24576 "$WORK/data" > "$WORK/data.small"
GC_DATA=$WORK/data.small
cat "$CERTS/root-ca.crt" "$CERTS/ecdsa-root.crt" > "$WORK/roots.pem"
IC=$CERTS/interop
HAVE_P384_GROUP=0 HAVE_P384_KEYS=0
tern_has_p384_group && HAVE_P384_GROUP=1
tern_has_p384_keys && HAVE_P384_KEYS=1

# GnuTLS names: cipher and key exchange of a suite, a group list.
g_cipher() { case $1 in *AES128-GCM*) echo AES-128-GCM ;; *AES256-GCM*) echo AES-256-GCM ;; *) echo CHACHA20-POLY1305 ;; esac; }
g_kx() { case $1 in ECDHE-RSA-*) echo ECDHE-RSA ;; ECDHE-ECDSA-*) echo ECDHE-ECDSA ;; *) echo RSA ;; esac; }
g_groups() { for g in "$@"; do printf ':+GROUP-%s' "$g"; done; }
# tern's name of a GnuTLS group.
t_group() { case $1 in X25519) echo x25519 ;; SECP256R1) echo secp256r1 ;; SECP384R1) echo secp384r1 ;; esac; }

# gnutls-cli PORT PRIORITY [ARGS...]: verifies the server as localhost against
# both test roots; informational output to $WORK/gc.log, errors to $WORK/gc.err.
gcli() {
    gp=$1 prio=$2
    shift 2
    rm -f "$WORK/gc.log"
    timeout 20 gnutls-cli -p "$gp" 127.0.0.1 --logfile "$WORK/gc.log" --x509cafile "$WORK/roots.pem" \
        --verify-hostname localhost --sni-hostname localhost --priority "$prio" "$@" 2>"$WORK/gc.err"
}
gc_errors() { printf 'gnutls-cli: %s %s' "$(cat "$WORK/gc.err" 2>/dev/null)" "$(grep -iE 'error|alert|fail|status' "$WORK/gc.log" 2>/dev/null | tr '\n' ' ')"; }

# ======== gnutls-cli -> tern server ========
# One tern server without and one with client certificates (required, both
# roots trusted); each holds an RSA and an ECDSA identity, every suite
# (--cipher enables the RSA key exchange) and ALPN h2,http/1.1.
TS_ARGS="--keystore $CERTS/server-chain.pem $CERTS/server.key --keystore $CERTS/ecdsa-server-chain.pem $CERTS/ecdsa-server.key --cipher $ALL_SUITES --alpn h2,http/1.1"
tern_server "$WORK/ts.plain" $TS_ARGS || fail "tern server did not start: $(cat "$WORK/ts.plain")"
TS_PLAIN=$port
tern_server "$WORK/ts.mtls" $TS_ARGS --truststore "$WORK/roots.pem" --client-auth required ||
    fail "tern server (client auth) did not start: $(cat "$WORK/ts.mtls")"
TS_MTLS=$port

# gc_case WHAT MODE SUITE GROUPS CLIENTID [gnutls-cli args]: one echo through
# tern server MODE (plain|mtls) with the suite forced and GROUPS offered (the
# first is expected), CLIENTID (none|rsa|ecdsa|p384) the certificate sent.
gc_case() {
    what=$1 mode=$2 suite=$3 groups=$4 id=$5
    shift 5
    if [ "$mode" = mtls ]; then sp=$TS_MTLS slog=$WORK/ts.mtls; else sp=$TS_PLAIN slog=$WORK/ts.plain; fi
    c=$(g_cipher "$suite") k=$(g_kx "$suite")
    prio="NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+$c:-KX-ALL:+$k:-GROUP-ALL$(g_groups $groups)"
    [ "$id" != none ] && set -- "$@" --x509certfile "$(cert_of "$id")" --x509keyfile "$(key_of "$id")"
    m=$(mark "$slog")
    gcli "$sp" "$prio" "$@" < "$GC_DATA" > "$WORK/gc.out"
    rc=$?
    await "$slog" "$m" '^tern server: [^l]'
    since "$slog" "$m" > "$WORK/slice"
    first=${groups%% *}
    size=$(wc -c < "$GC_DATA")
    if [ "$k" = RSA ]; then want_desc="(RSA)-($c)"; else want_desc="(ECDHE-$first)-"; fi
    desc=$(grep '^- Description:' "$WORK/gc.log" | head -n 1)
    tline=$(grep '^tern server: TLSv1.2' "$WORK/slice" | head -n 1)
    if [ $rc -ne 0 ] || ! cmp -s "$GC_DATA" "$WORK/gc.out"; then
        fail "$what: gnutls-cli exit $rc, $(wc -c < "$WORK/gc.out") of $size bytes back; $(gc_errors); tern: $(grep -v '^\[' "$WORK/slice")"
    elif ! echo "$desc" | grep -qF "$want_desc" || ! echo "$desc" | grep -qF "($c)"; then
        fail "$what: gnutls-cli negotiated $desc, expected $k $c ${first}"
    elif ! grep -q "Options: extended master secret" "$WORK/gc.log"; then
        fail "$what: no extended master secret: $(grep Options "$WORK/gc.log")"
    elif ! echo "$tline" | grep -q "$(iana "$suite"), .*extended master secret yes"; then
        fail "$what: tern server reports: $tline $(grep -v '^\[' "$WORK/slice")"
    elif [ "$k" != RSA ] && [ "$(trace_group "$WORK/slice")" != "$(t_group "$first")" ]; then
        fail "$what: tern's trace shows group $(trace_group "$WORK/slice"), expected $(t_group "$first")"
    elif [ "$id" != none ] && ! echo "$tline" | grep -qF "peer CN=$(cn_of "$id"), O=tern test (verified)"; then
        fail "$what: tern server did not verify the client: $tline"
    else
        extra=""
        [ "$id" != none ] && extra=", tern verified client CN=$(cn_of "$id")"
        ok "$what: $size bytes echoed, gnutls-cli verified tern's chain, ${desc#- Description: }$extra"
        return 0
    fi
    return 1
}

for mode in plain mtls; do
    for suite in $ECDHE_SUITES; do
        for group in X25519 SECP256R1; do
            # RFC 8422 §5.1: for an ECDSA suite the client also lists the
            # certificate's curve; X25519 stays its first choice.
            offer=$group
            case $suite/$group in ECDHE-ECDSA*/X25519) offer="X25519 SECP256R1" ;; esac
            id=none
            [ $mode = mtls ] && { [ $group = X25519 ] && id=rsa || id=ecdsa; }
            GC_DATA=$WORK/data.small
            [ $suite/$group = ECDHE-RSA-AES128-GCM-SHA256/X25519 ] && GC_DATA=$WORK/data
            gc_case "gnutls-cli $suite $(echo $offer | tr ' ' +) -> tern server$(id_label $id)" $mode "$suite" "$offer" $id
        done
    done
    for suite in $RSA_SUITES; do
        id=none
        [ $mode = mtls ] && { [ $suite = AES128-GCM-SHA256 ] && id=rsa || id=ecdsa; }
        gc_case "gnutls-cli $suite -> tern server$(id_label $id)" $mode "$suite" "" $id
    done
done
GC_DATA=$WORK/data.small
# A P-384 client certificate: its CertificateVerify is made with the P-384 key.
gc_case "gnutls-cli with a P-384 certificate ECDHE-ECDSA-AES256-GCM-SHA384 SECP256R1 -> tern server" mtls \
    ECDHE-ECDSA-AES256-GCM-SHA384 SECP256R1 p384
# The secp384r1 group.
if [ $HAVE_P384_GROUP -eq 1 ]; then
    gc_case "gnutls-cli ECDHE-RSA-AES128-GCM-SHA256 SECP384R1 -> tern server" plain ECDHE-RSA-AES128-GCM-SHA256 SECP384R1 none
else
    skip "gnutls-cli ECDHE-RSA-AES128-GCM-SHA256 SECP384R1 -> tern server: $P384_REASON (the secp384r1 group)"
fi

# ---- ALPN ----
B="NORMAL:-VERS-ALL:+VERS-TLS1.2"
alpn_case() { # WHAT EXPECTED gnutls-cli-alpn-args...
    what=$1 want=$2
    shift 2
    m=$(mark "$WORK/ts.plain")
    echo hello | gcli "$TS_PLAIN" "$B" "$@" > "$WORK/gc.out"
    rc=$?
    await "$WORK/ts.plain" "$m" '^tern server: [^l]'
    since "$WORK/ts.plain" "$m" > "$WORK/slice"
    got=$(sed -n 's/^- Application protocol: //p' "$WORK/gc.log")
    if [ $rc -eq 0 ] && [ "$got" = "$want" ] && grep -q "^tern server: .*ALPN $want," "$WORK/slice"; then
        ok "$what: both sides report ALPN $want"
    else fail "$what: gnutls-cli exit $rc, ALPN '$got'; $(gc_errors); tern: $(grep -v '^\[' "$WORK/slice")"; fi
}
alpn_case "gnutls-cli --alpn http/1.1 -> tern server --alpn h2,http/1.1" http/1.1 --alpn=http/1.1
alpn_case "gnutls-cli --alpn http/1.1 --alpn h2 -> tern server --alpn h2,http/1.1 (server's order)" h2 --alpn=http/1.1 --alpn=h2
m=$(mark "$WORK/ts.plain")
echo hello | gcli "$TS_PLAIN" "$B" --alpn=spdy/1 > "$WORK/gc.out"
rc=$?
await "$WORK/ts.plain" "$m" no_application_protocol
if [ $rc -ne 0 ] && since "$WORK/ts.plain" "$m" | grep -q "no_application_protocol"; then
    ok "gnutls-cli --alpn spdy/1 -> tern server: refused with no_application_protocol (RFC 7301 §3.2)"
else fail "ALPN without overlap: gnutls-cli exit $rc; $(gc_errors); tern: $(since "$WORK/ts.plain" "$m" | grep -v '^\[')"; fi

# ---- resumption: gnutls-cli --resume (a full handshake, then a resumed one) ----
# gc_resume WHAT MODE PRIORITY-SUITE MECH(ticket|id) CLIENTID
gc_resume() {
    what=$1 mode=$2 suite=$3 mech=$4 id=$5
    if [ "$mode" = mtls ]; then sp=$TS_MTLS slog=$WORK/ts.mtls; else sp=$TS_PLAIN slog=$WORK/ts.plain; fi
    # --noticket of gnutls-cli 3.7 still sends an empty TLS 1.2
    # session_ticket extension; the priority keyword %NO_TICKETS does not.
    set -- --resume
    nt_prio=""
    [ $mech = id ] && nt_prio=":%NO_TICKETS"
    [ "$id" != none ] && set -- "$@" --x509certfile "$(cert_of "$id")" --x509keyfile "$(key_of "$id")"
    m=$(mark "$slog")
    gcli "$sp" "$B:-CIPHER-ALL:+$(g_cipher "$suite"):-KX-ALL:+$(g_kx "$suite")$nt_prio" "$@" < "$GC_DATA" > "$WORK/gc.out"
    rc=$?
    await "$slog" "$m" '^tern server: .*\(session resumed\|failed\)'
    since "$slog" "$m" > "$WORK/slice"
    # The resumed ClientHello carries the ticket, or (--noticket) no
    # session_ticket extension at all: tern's trace tells which.
    nt=$(grep -c "session_ticket *a ticket" "$WORK/slice")
    ne=$(grep -c "session_ticket" "$WORK/slice")
    resumed=$(grep -c "^tern server: .*$(iana "$suite"),.*session resumed" "$WORK/slice")
    if [ $rc -ne 0 ] || ! cmp -s "$GC_DATA" "$WORK/gc.out" || ! grep -q "This is a resumed session" "$WORK/gc.log"; then
        fail "$what: gnutls-cli exit $rc, not resumed or echo differs; $(gc_errors); tern: $(grep -v '^\[' "$WORK/slice")"
    elif [ "$resumed" -ne 1 ]; then
        fail "$what: tern server reports $resumed resumed connections: $(grep -v '^\[' "$WORK/slice")"
    elif [ $mech = ticket ] && [ "$nt" -ne 1 ]; then
        fail "$what: no ticket offered in the resumed ClientHello"
    elif [ $mech = id ] && [ "$ne" -ne 0 ]; then
        fail "$what: %NO_TICKETS, yet a session_ticket extension"
    elif [ "$id" != none ] && ! grep -qF "peer CN=$(cn_of "$id"), O=tern test (verified), session resumed" "$WORK/slice"; then
        fail "$what: the resumed connection lost the client identity: $(grep '^tern server:' "$WORK/slice")"
    else
        ok "$what: resumed by $mech on both sides, $(wc -c < "$GC_DATA") bytes echoed on the resumed connection"
    fi
}
GC_DATA=$WORK/data
gc_resume "gnutls-cli --resume ECDHE-RSA-AES128-GCM-SHA256 -> tern server (ticket)" plain ECDHE-RSA-AES128-GCM-SHA256 ticket none
GC_DATA=$WORK/data.small
gc_resume "gnutls-cli --resume %NO_TICKETS ECDHE-ECDSA-CHACHA20-POLY1305 -> tern server (session ID)" plain \
    ECDHE-ECDSA-CHACHA20-POLY1305 id none
gc_resume "gnutls-cli --resume AES256-GCM-SHA384 -> tern server (ticket, RSA key exchange)" plain AES256-GCM-SHA384 ticket none
gc_resume "gnutls-cli --resume with a certificate -> tern server --client-auth required (ticket)" mtls \
    ECDHE-RSA-AES256-GCM-SHA384 ticket rsa
gc_resume "gnutls-cli --resume %NO_TICKETS with an ECDSA certificate -> tern server --client-auth required (session ID)" \
    mtls ECDHE-ECDSA-AES128-GCM-SHA256 id ecdsa

# ---- no client certificate: refused ----
m=$(mark "$WORK/ts.mtls")
echo hello | gcli "$TS_MTLS" "$B" > "$WORK/gc.out"
rc=$?
await "$WORK/ts.mtls" "$m" "handshake failed"
if [ $rc -ne 0 ] && since "$WORK/ts.mtls" "$m" | grep -q "handshake failed: .*requires one"; then
    ok "gnutls-cli without a certificate -> tern server --client-auth required: refused ($(since "$WORK/ts.mtls" "$m" | grep 'handshake failed' | head -n 1 | cut -c1-90)...)"
else fail "gnutls-cli without a certificate: exit $rc; $(gc_errors); tern: $(since "$WORK/ts.mtls" "$m" | grep -v '^\[')"; fi

# ---- tern server with a P-384 key store ----
if [ $HAVE_P384_KEYS -eq 1 ]; then
    if tern_server "$WORK/ts.p384" --keystore "$IC/p384-server-chain.pem" "$IC/p384-server.key"; then
        TS_P384=$port
        for suite in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305; do
            m=$(mark "$WORK/ts.p384")
            gcli "$TS_P384" "$B:-CIPHER-ALL:+$(g_cipher $suite):-KX-ALL:+ECDHE-ECDSA:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP384R1" \
                < "$GC_DATA" > "$WORK/gc.out"
            rc=$?
            desc=$(grep '^- Description:' "$WORK/gc.log" | head -n 1)
            if [ $rc -eq 0 ] && cmp -s "$GC_DATA" "$WORK/gc.out" && echo "$desc" | grep -q "(ECDSA-"; then
                ok "gnutls-cli $suite -> tern server with a P-384 key: ${desc#- Description: }, $(wc -c < "$GC_DATA") bytes echoed"
            else fail "gnutls-cli $suite -> tern server (P-384 key): exit $rc, $desc; $(gc_errors); tern: $(since "$WORK/ts.p384" "$m" | grep -v '^\[')"; fi
        done
    else
        fail "tern server with a P-384 key store did not start: $(cat "$WORK/ts.p384")"
    fi
else
    skip "gnutls-cli ECDHE-ECDSA-* -> tern server with a P-384 key store: $P384_REASON (P-384 keys)"
fi

# ======== tern client -> gnutls-serv ========
# gs_launch NAME PRIORITY-GROUPS [gnutls-serv args]: starts one on a free
# port, sets GS_PORT_NAME; log in $WORK/gs.NAME.{out,err}.  gs_wait NAME...
# waits until they listen (they start in parallel: ~0.3 s each).
gs_launch() {
    gname=$1 ggroups=$2
    shift 2
    gport=$(free_port)
    eval "GS_PORT_$gname=$gport"
    timeout $SERVER_LIFE $LINEBUF gnutls-serv -p "$gport" --echo --alpn=http/1.1 \
        --priority "NORMAL:-VERS-ALL:+VERS-TLS1.2:-GROUP-ALL$(g_groups $ggroups)$GS_PRIO" "$@" \
        >"$WORK/gs.$gname.out" 2>"$WORK/gs.$gname.err" &
    PIDS="$PIDS $!"
}
gs_wait() {
    gst=0
    for gname in "$@"; do
        eval "gport=\$GS_PORT_$gname"
        if ! wait_port "$gport"; then
            fail "gnutls-serv $gname did not start: $(cat "$WORK/gs.$gname.err")"
            eval "GS_PORT_$gname="
            gst=1
        fi
    done
    return $gst
}
GS_IDS="--x509certfile $CERTS/server-chain.pem --x509keyfile $CERTS/server.key --x509certfile $CERTS/ecdsa-server-chain.pem --x509keyfile $CERTS/ecdsa-server.key"
GS_MTLS="--require-client-cert --verify-client-cert --x509cafile $WORK/roots.pem"
gs_launch x25519 X25519 $GS_IDS
gs_launch p256 SECP256R1 $GS_IDS
gs_launch mx25519 X25519 $GS_IDS $GS_MTLS
gs_launch mp256 SECP256R1 $GS_IDS $GS_MTLS
gs_launch noticket "X25519 SECP256R1" $GS_IDS --noticket
gs_launch mnoticket "X25519 SECP256R1" $GS_IDS $GS_MTLS --noticket
# A P-384 server certificate: its ServerKeyExchange is signed with the P-384
# key, and (the priority allows nothing else) with ECDSA and SHA-384.
GS_PRIO=":-SIGN-ALL:+SIGN-ECDSA-SHA384"
gs_launch p384cert "X25519 SECP256R1" --x509certfile "$IC/p384-server-chain.pem" --x509keyfile "$IC/p384-server.key"
GS_PRIO=""
[ $HAVE_P384_GROUP -eq 1 ] && gs_launch p384 SECP384R1 $GS_IDS
gs_wait x25519 p256 mx25519 mp256 noticket mnoticket p384cert
[ $HAVE_P384_GROUP -eq 1 ] && gs_wait p384

gs_errors() { printf 'gnutls-serv: %s' "$(grep -aE 'Error|alert|Warning' "$WORK/gs.$1.err" "$WORK/gs.$1.out" 2>/dev/null | tail -n 5 | tr '\n' ' ')"; }

# tc_case WHAT SERVER SUITE TERN-GROUPS EXPECTED-GROUP CLIENTID [tern args]
tc_case() {
    what=$1 gs=$2 suite=$3 tgroups=$4 want=$5 id=$6
    shift 6
    eval "gp=\$GS_PORT_$gs"
    [ -n "$gp" ] || { fail "$what: gnutls-serv $gs not running"; return; }
    set -- "$@" --cipher "$suite" ${tgroups:+--groups "$tgroups"}
    [ "$id" != none ] && set -- "$@" --keystore "$(cert_of "$id")" "$(key_of "$id")"
    m=$(mark "$WORK/gs.$gs.out")
    timeout 20 "$TERN" client "127.0.0.1:$gp" --truststore "$WORK/roots.pem" --servername localhost --trace "$@" \
        < "$WORK/data" > "$WORK/tc.out" 2>"$WORK/tc.err"
    rc=$?
    [ "$id" != none ] && await "$WORK/gs.$gs.out" "$m" "Subject: CN=$(cn_of "$id")"
    since "$WORK/gs.$gs.out" "$m" > "$WORK/slice"
    tline=$(grep '^tern client: TLSv1.2' "$WORK/tc.err" | head -n 1)
    terr=$(grep -v '^\[' "$WORK/tc.err" | tr '\n' ' ')
    if [ $rc -ne 0 ] || ! cmp -s "$WORK/data" "$WORK/tc.out"; then
        fail "$what: tern client exit $rc, $(wc -c < "$WORK/tc.out") of $SIZE bytes back; tern: $terr; $(gs_errors "$gs")"
    elif ! echo "$tline" | grep -q "$(iana "$suite"), .*extended master secret yes, peer CN=localhost, O=tern test (verified)"; then
        fail "$what: tern client reports: $terr"
    elif [ -n "$want" ] && [ "$(trace_group "$WORK/tc.err")" != "$want" ]; then
        fail "$what: group $(trace_group "$WORK/tc.err"), expected $want"
    elif [ "$id" != none ] && ! { grep -q "Status: The certificate is trusted" "$WORK/slice" &&
        grep -q "Subject: CN=$(cn_of "$id"),O=tern test" "$WORK/slice"; }; then
        fail "$what: gnutls-serv did not verify tern's certificate: $(grep -E 'Status|Subject:|NOT' "$WORK/slice" | tr '\n' ' ')"
    else
        extra=""
        [ "$id" != none ] && extra=", gnutls-serv verified client CN=$(cn_of "$id")"
        ok "$what: $SIZE bytes echoed, tern verified the chain, ${want:-RSA key exchange}$extra"
        return 0
    fi
    return 1
}

for mode in plain mtls; do
    for suite in $ECDHE_SUITES; do
        for group in x25519 secp256r1; do
            tg=$group
            case $suite/$group in ECDHE-ECDSA*/x25519) tg=x25519,secp256r1 ;; esac # RFC 8422 §5.1
            if [ $group = x25519 ]; then gs=x25519; id=rsa; else gs=p256; id=ecdsa; fi
            [ $mode = plain ] && id=none || gs=m$gs
            tc_case "tern client --cipher $suite --groups $tg -> gnutls-serv ($group)$(id_label $id)" $gs "$suite" "$tg" $group $id
        done
    done
    for suite in $RSA_SUITES; do
        if [ $mode = plain ]; then gs=x25519 id=none; else gs=mp256 id=rsa; fi
        tc_case "tern client --cipher $suite -> gnutls-serv$(id_label $id)" $gs "$suite" "" "" $id
    done
done

# ---- ALPN ----
for pair in "http/1.1:http/1.1" "h2,http/1.1:http/1.1"; do
    offer=${pair%:*} want=${pair##*:}
    echo hello | timeout 10 "$TERN" client "127.0.0.1:$GS_PORT_x25519" --truststore "$WORK/roots.pem" --servername localhost \
        --alpn "$offer" > "$WORK/tc.out" 2>"$WORK/tc.err"
    rc=$?
    if [ $rc -eq 0 ] && grep -q "^tern client: .*ALPN $want," "$WORK/tc.err" && [ "$(cat "$WORK/tc.out")" = hello ]; then
        ok "tern client --alpn $offer -> gnutls-serv --alpn http/1.1: ALPN $want"
    else fail "tern client --alpn $offer: exit $rc; tern: $(cat "$WORK/tc.err"); $(gs_errors x25519)"; fi
done

# ---- resumption: tern client --resume 2 ----
# tc_resume WHAT SERVER MECH CLIENTID: the first connection and two more,
# each offering the session of the one before.
tc_resume() {
    what=$1 gs=$2 mech=$3 id=$4
    eval "gp=\$GS_PORT_$gs"
    set --
    [ "$id" != none ] && set -- --keystore "$(cert_of "$id")" "$(key_of "$id")"
    m=$(mark "$WORK/gs.$gs.out")
    echo hello | timeout 20 "$TERN" client "127.0.0.1:$gp" --truststore "$WORK/roots.pem" --servername localhost \
        --trace --resume 2 "$@" > "$WORK/tc.out" 2>"$WORK/tc.err"
    rc=$?
    await "$WORK/gs.$gs.out" "$m" "This is a resumed session" 2
    n=$(grep -c "resumption [12]/2: resumed" "$WORK/tc.err")
    nst=$(grep -c "received NewSessionTicket" "$WORK/tc.err")
    gsr=$(since "$WORK/gs.$gs.out" "$m" | grep -c "This is a resumed session")
    if [ $rc -ne 0 ] || [ "$n" -ne 2 ] || [ "$gsr" -ne 2 ]; then
        fail "$what: exit $rc, tern resumed $n of 2, gnutls-serv $gsr of 2; tern: $(grep -v '^\[' "$WORK/tc.err" | tr '\n' ' '); $(gs_errors "$gs")"
    elif [ $mech = ticket ] && [ "$nst" -lt 1 ]; then
        fail "$what: no NewSessionTicket received"
    elif [ $mech = id ] && [ "$nst" -ne 0 ]; then
        fail "$what: gnutls-serv --noticket sent a NewSessionTicket"
    else
        ok "$what: 2 of 2 further connections resumed on both sides (by $mech)"
    fi
}
tc_resume "tern client --resume 2 -> gnutls-serv (ticket)" x25519 ticket none
tc_resume "tern client --resume 2 -> gnutls-serv --noticket (session ID)" noticket id none
tc_resume "tern client --resume 2 with a certificate -> gnutls-serv --require-client-cert --noticket (session ID)" \
    mnoticket id rsa
# With a client certificate GnuTLS puts the client's chain into the ticket:
# 2,166 bytes here, over the 2,048 a tern client keeps (TERN_TICKET_MAX,
# lib/session.h: "a longer ticket is not kept").  tern must then carry on
# with full handshakes; resuming is not possible.
echo hello | timeout 20 "$TERN" client "127.0.0.1:$GS_PORT_mx25519" --truststore "$WORK/roots.pem" --servername localhost \
    --trace --resume 1 --keystore "$(cert_of rsa)" "$(key_of rsa)" > "$WORK/tc.out" 2>"$WORK/tc.err"
rc=$?
tlen=$(sed -n 's/^\[client\] *ticket *\([0-9]*\) bytes.*/\1/p' "$WORK/tc.err" | head -n 1)
if [ $rc -eq 0 ] && [ "${tlen:-0}" -gt 2048 ] && grep -q "resumption 1/1: not resumed (full handshake)" "$WORK/tc.err"; then
    ok "tern client --resume with a certificate -> gnutls-serv --require-client-cert (ticket): a $tlen-byte ticket, not kept; full handshakes"
    skip "tern client resuming by a GnuTLS ticket that holds a client chain: the ticket ($tlen bytes) exceeds tern's 2,048-byte limit (TERN_TICKET_MAX)"
elif [ $rc -eq 0 ] && grep -q "resumption 1/1: resumed" "$WORK/tc.err"; then
    ok "tern client --resume with a certificate -> gnutls-serv --require-client-cert (ticket of ${tlen:-?} bytes): resumed"
else fail "tern client --resume with a certificate (ticket): exit $rc, ticket ${tlen:-none}: $(grep -v '^\[' "$WORK/tc.err" | tr '\n' ' '); $(gs_errors mx25519)"; fi

# ---- no client certificate: refused ----
echo hello | timeout 10 "$TERN" client "127.0.0.1:$GS_PORT_mx25519" --truststore "$WORK/roots.pem" --servername localhost \
    > /dev/null 2>"$WORK/tc.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "handshake failed: .*alert" "$WORK/tc.err"; then
    ok "tern client without a key store -> gnutls-serv --require-client-cert: refused ($(tail -n 1 "$WORK/tc.err"))"
else fail "tern client without a key store: exit $rc; tern: $(cat "$WORK/tc.err"); $(gs_errors mx25519)"; fi

# ---- P-384 ----
if [ -n "$GS_PORT_p384cert" ]; then
    for suite in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305; do
        if tc_case "tern client --cipher $suite -> gnutls-serv with a P-384 certificate" p384cert "$suite" \
            x25519,secp256r1 x25519 none && ! grep -q "signature_algorithm *ecdsa_secp384r1_sha384" "$WORK/tc.err"; then
            fail "  ... but the ServerKeyExchange was not signed with ecdsa_secp384r1_sha384: $(grep 'signature_algorithm ' "$WORK/tc.err")"
        fi
    done
fi
if [ $HAVE_P384_GROUP -eq 1 ]; then
    tc_case "tern client --groups secp384r1 -> gnutls-serv (SECP384R1)" p384 ECDHE-RSA-AES128-GCM-SHA256 secp384r1 secp384r1 none
else
    skip "tern client --groups secp384r1 -> gnutls-serv: $P384_REASON (the secp384r1 group)"
fi
if [ $HAVE_P384_KEYS -eq 1 ]; then
    tc_case "tern client with a P-384 key store -> gnutls-serv --require-client-cert" mp256 \
        ECDHE-ECDSA-AES128-GCM-SHA256 secp256r1 secp256r1 p384
else
    skip "tern client with a P-384 key store -> gnutls-serv --require-client-cert: $P384_REASON (P-384 keys)"
fi

finish
