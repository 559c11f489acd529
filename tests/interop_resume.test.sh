#!/bin/sh
# Interop for session resumption against real OpenSSL processes on
# 127.0.0.1:
#   openssl s_client -sess_out, then -sess_in -> tern server: OpenSSL prints
#     "Reused" (tickets; and with -no_ticket, by session ID), the tern server
#     says "session resumed"; --no-tickets falls back to the session ID;
#     with both switched off there is nothing to resume; a restarted server
#     (new ticket keys, empty cache) answers the old session with a full
#     handshake ("New"); with client certificates the resumed connection
#     names the verified client;
#   tern client --resume 2 -> openssl s_server (tickets, and -no_ticket for
#     session IDs): every further connection reports "resumed"; s_server
#     -no_ticket -no_cache (nothing to resume) -> "not resumed" / no session.
# Needs: openssl, $BUILD/tools/tern.  Exit 77 (skipped, with the reason) without openssl.
NAME=interop_resume
. tests/lib.sh
need openssl
need_tern

# ---- openssl s_client -sess_out / -sess_in -> tern server ----
# $1: tern server options, $2: s_client options, $3: expected second
# connection ("Reused" or "New"), $4: what.
sclient_pair() {
    port=$(free_port)
    timeout 30 "$TERN" server --port "$port" --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" --echo $1 \
        2>"$WORK/ts.err" &
    spid=$!
    PIDS="$PIDS $spid"
    if ! wait_port "$port"; then fail "$4: tern server did not start: $(cat "$WORK/ts.err")"; return; fi
    rm -f "$WORK/sess.pem"
    echo ping | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
        -verify_return_error -servername localhost $2 -sess_out "$WORK/sess.pem" > "$WORK/c1.out" 2>&1
    if [ "$3" = Empty ]; then
        kill "$spid" 2>/dev/null
        wait "$spid" 2>/dev/null
        # Neither session ID nor ticket: OpenSSL has nothing it could resume.
        if grep -q "^New, " "$WORK/c1.out" && grep -q "Session-ID: *$" "$WORK/c1.out" &&
            ! grep -q "TLS session ticket:" "$WORK/c1.out" && [ ! -s "$WORK/sess.pem" ]; then
            ok "$4: no session ID, no ticket (nothing to resume)"
        else fail "$4: $(grep -E "Session-ID:|New,|Reused," "$WORK/c1.out")"; fi
        return
    fi
    if [ "$3" = Forgot ]; then # the server restarts: no cache, new ticket keys
        kill "$spid" 2>/dev/null
        wait "$spid" 2>/dev/null
        port=$(free_port)
        timeout 30 "$TERN" server --port "$port" --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" --echo \
            $1 2>"$WORK/ts.err" &
        spid=$!
        PIDS="$PIDS $spid"
        wait_port "$port" || { fail "$4: tern server did not restart"; return; }
    fi
    echo ping | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
        -verify_return_error -servername localhost $2 -sess_in "$WORK/sess.pem" > "$WORK/c2.out" 2>&1
    sleep 0.1
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
    first=$(grep -E "^(New|Reused), " "$WORK/c1.out" | head -n 1)
    second=$(grep -E "^(New|Reused), " "$WORK/c2.out" | head -n 1)
    resumed_lines=$(grep -c "session resumed" "$WORK/ts.err")
    case "$first" in New,*) ;; *) fail "$4: first connection: $(tail -n 5 "$WORK/c1.out")"; return ;; esac
    # With tickets on both sides the session travels as a ticket; with
    # -no_ticket (or --no-tickets) it must not.
    has_ticket=0
    grep -q "TLS session ticket:" "$WORK/c1.out" && has_ticket=1
    case "$1 $2" in *no_ticket*|*no-tickets*) want_ticket=0 ;; *) want_ticket=1 ;; esac
    if [ $has_ticket -ne $want_ticket ]; then fail "$4: ticket issued: $has_ticket, expected $want_ticket"; return; fi
    case "$3" in
    Reused)
        case "$second" in
        Reused,*) if [ "$resumed_lines" -eq 1 ]; then ok "$4: $second"
                  else fail "$4: OpenSSL reused but the tern server reports $resumed_lines resumptions"; fi ;;
        *) fail "$4: second connection not resumed: '$second' $(tail -n 3 "$WORK/ts.err")" ;;
        esac ;;
    New|Forgot)
        case "$second" in
        New,*) if [ "$resumed_lines" -eq 0 ]; then ok "$4: full handshake ($second)"
               else fail "$4: the tern server reports a resumption"; fi ;;
        *) fail "$4: expected a full handshake, got '$second'" ;;
        esac ;;
    esac
}

sclient_pair "" "" Reused "s_client ticket -> tern server"
sclient_pair "" "-no_ticket" Reused "s_client -no_ticket (session ID) -> tern server"
sclient_pair "--no-tickets" "" Reused "s_client -> tern server --no-tickets (falls back to the session ID)"
sclient_pair "--no-session-cache" "-no_ticket" Empty "s_client -no_ticket -> tern server --no-session-cache"
sclient_pair "--no-tickets --no-session-cache" "" Empty "s_client -> tern server --no-tickets --no-session-cache"
sclient_pair "" "" Forgot "s_client ticket -> a restarted tern server (new ticket keys)"
sclient_pair "" "-no_ticket" Forgot "s_client -no_ticket -> a restarted tern server (empty cache)"
sclient_pair "--cipher AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384" "-cipher ECDHE-RSA-AES256-GCM-SHA384" Reused \
    "s_client ticket -> tern server, ECDHE-RSA-AES256-GCM-SHA384"
sclient_pair "--cipher AES128-GCM-SHA256" "-cipher AES128-GCM-SHA256 -no_ticket" Reused \
    "s_client -no_ticket -> tern server, RSA key exchange AES128-GCM-SHA256"
# Mutual TLS: the resumed connection restores the verified client identity.
sclient_pair "--truststore $CERTS/root-ca.crt --client-auth required" \
    "-cert $CERTS/client.crt -key $CERTS/client.key -cert_chain $CERTS/int-ca.crt" Reused \
    "s_client -cert (ticket) -> tern server --client-auth required"
if grep -q "peer CN=Test Client, O=tern test (verified), session resumed" "$WORK/ts.err"; then
    ok "mTLS resumption: the tern server names the client restored from the ticket"
else fail "mTLS resumption: identity not restored: $(cat "$WORK/ts.err")"; fi

# ---- tern client --resume -> openssl s_server ----
# $1: s_server options, $2: expected word per further connection, $3: what.
tclient_resume() {
    port=$(free_port)
    timeout 30 openssl s_server -accept "$port" -cert "$CERTS/server.crt" -key "$CERTS/server.key" \
        -cert_chain "$CERTS/int-ca.crt" -tls1_2 -quiet $1 < /dev/null > "$WORK/ss.out" 2>&1 &
    spid=$!
    PIDS="$PIDS $spid"
    if ! wait_port "$port"; then fail "$3: s_server did not start: $(cat "$WORK/ss.out")"; return; fi
    echo ping | timeout 20 "$TERN" client "127.0.0.1:$port" --servername localhost \
        --truststore "$CERTS/root-ca.crt" --resume 2 > /dev/null 2>"$WORK/tc.err"
    rc=$?
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
    n=$(grep -c "resumption [12]/2: $2" "$WORK/tc.err")
    if [ "$2" = resumed ] && [ $rc -eq 0 ] && [ "$n" -eq 2 ]; then
        ok "$3: 2 of 2 further connections resumed"
    elif [ "$2" = none ] && [ $rc -ne 0 ] && grep -q "gave no session" "$WORK/tc.err"; then
        ok "$3: no session to resume, said so"
    else
        fail "$3: exit $rc: $(cat "$WORK/tc.err")"
    fi
}

tclient_resume "" resumed "tern client --resume -> s_server (ticket)"
tclient_resume "-no_ticket" resumed "tern client --resume -> s_server -no_ticket (session ID)"
tclient_resume "-no_ticket -no_cache" none "tern client --resume -> s_server -no_ticket -no_cache"

finish
