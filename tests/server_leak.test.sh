#!/bin/sh
# `tern server` under valgrind memcheck over a short fault mix: good
# clients, a reset in the middle of the handshake, bytes that are not TLS, a
# fatal alert, a close without close_notify, a client that stops reading
# (idle timeout), a silent one (handshake deadline) and one over
# --max-connections; then SIGTERM, after which the server frees every
# connection and its configuration.  Valgrind must report zero errors and
# zero leaks of any kind.  Skipped (exit 77) like tests/leak.test.sh: when
# valgrind is missing, when the build is sanitized, or when the binary
# comes from clang (valgrind cannot read clang's DWARF 5).  About 15 s.
NAME=server_leak
. tests/lib.sh
need_tern
need valgrind
need python3
CL=tests/server_clients.py
if grep -qa __asan_init "$TERN"; then
    echo "$NAME: skipped: $TERN is built with AddressSanitizer (it checks leaks itself)"
    exit 77
fi
if readelf --string-dump=.comment "$TERN" 2>/dev/null | grep -qi clang; then
    echo "$NAME: skipped: $TERN is built by clang, whose DWARF 5 valgrind cannot read (the gcc build runs it)"
    exit 77
fi

PORT=$(free_port)
LOG=$WORK/valgrind.log
start_bg timeout 120 valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
    --error-exitcode=99 --log-file="$LOG" "$TERN" server --port "$PORT" --keystore "$CERTS/server-chain.pem" \
    "$CERTS/server.key" --echo --max-connections 3 --handshake-timeout 5 --idle-timeout 3 --stats 2 \
    2>"$WORK/srv.err"
SRV=$LAST
# valgrind starts slowly: wait up to 30 s for the port.
i=0
while [ $i -lt 3 ] && ! wait_port "$PORT"; do i=$((i + 1)); done
if [ $i -eq 3 ]; then
    fail "tern server under valgrind did not start: $(cat "$WORK/srv.err" "$LOG")"
    finish
fi
start=$(date +%s)
bad=0
for m in good reset garbage alert noclose good; do
    timeout 30 python3 "$CL" "$m" "$PORT" 20 >>"$WORK/clients.out" 2>&1 || bad=$((bad + 1))
done
# Held at once: one that stops reading, one silent; then one over the cap
# of 3 while a third is held (a silent one).
python3 "$CL" no-read "$PORT" 20 >"$WORK/noread.out" 2>&1 &
P1=$!
python3 "$CL" silent "$PORT" 20 >"$WORK/silent.out" 2>&1 &
P2=$!
python3 "$CL" silent "$PORT" 20 >"$WORK/silent2.out" 2>&1 &
P3=$!
PIDS="$PIDS $P1 $P2 $P3"
sleep 2
timeout 10 python3 "$CL" refused "$PORT" 5 >>"$WORK/clients.out" 2>&1 || bad=$((bad + 1))
wait "$P1" "$P2" "$P3"
cat "$WORK/noread.out" "$WORK/silent.out" "$WORK/silent2.out" >>"$WORK/clients.out"
[ "$(grep -c 'closed by the server' "$WORK/clients.out")" -ge 4 ] || bad=$((bad + 1))
[ "$bad" -eq 0 ] && ok "fault mix under valgrind: every client got what it expected" ||
    fail "fault mix under valgrind: $(cat "$WORK/clients.out")"

kill -TERM "$SRV"
wait "$SRV"
rc=$?
if [ $rc -eq 0 ] && grep -q "stats at exit" "$WORK/srv.err"; then
    ok "tern server under valgrind memcheck: 0 errors, 0 leaks ($(($(date +%s) - start)) s)"
else
    fail "tern server under valgrind memcheck: exit $rc"
    head -60 "$LOG"
    tail -5 "$WORK/srv.err"
fi
finish
