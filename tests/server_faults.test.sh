#!/bin/sh
# `tern server` keeps serving through faulty peers, and gives every slot back.
# One server with room for 4 connections (--max-connections 4, --echo, 2 s
# deadlines) gets, three rounds over: a reset (RST) in the middle of the
# handshake, bytes that are not TLS, a fatal alert after the ClientHello, a
# close without close_notify, and a good client; plus one client that goes
# silent after its handshake.  Every good client must be served (so the 4
# slots were reused: 17 connections went through them).  Then 4 silent
# clients fill the slots: 2 more connections are closed at once (refused),
# and once the deadlines free the slots a good client is served again.  The
# closing stats line must count every fault by its reason.  Last, --workers
# 2: both serve; a worker killed by a signal is reported and replaced, and
# SIGTERM stops the parent and every worker.  Clients:
# tests/server_clients.py (python3).  About 9 s.
NAME=server_faults
. tests/lib.sh
need_tern
need python3
CL=tests/server_clients.py

tern_echo_server --echo --max-connections 4 --handshake-timeout 2 --idle-timeout 2 --stats 1 || finish
SRV=$LAST
ERR=$WORK/tern-server.$PORT.err
run() { # run MODE: one client; its line is appended to $WORK/clients.out
    timeout 10 python3 "$CL" "$1" "$PORT" 6 >>"$WORK/clients.out" 2>&1
}

python3 "$CL" vanish "$PORT" 6 >"$WORK/vanish.out" 2>&1 &
VAN=$!
PIDS="$PIDS $VAN"
bad=0
for round in 1 2 3; do
    for m in reset garbage alert noclose good; do
        run "$m" || bad=$((bad + 1))
    done
done
[ "$bad" -eq 0 ] && ok "15 faulty and good connections through 4 slots, each as expected" ||
    fail "$bad clients did not get what they expected: $(grep -v echoed "$WORK/clients.out")"
[ "$(grep -c '^good: echoed' "$WORK/clients.out")" -eq 3 ] && ok "the good client of each round was served" ||
    fail "good clients: $(grep '^good' "$WORK/clients.out")"
wait "$VAN"
grep -q "vanish: closed by the server" "$WORK/vanish.out" && ok "a client that vanished after its handshake was closed ($(cat "$WORK/vanish.out"))" ||
    fail "vanish: $(cat "$WORK/vanish.out")"

# ---- over --max-connections ----
for i in 1 2 3 4; do
    python3 "$CL" silent "$PORT" 6 >"$WORK/silent.$i" 2>&1 &
    PIDS="$PIDS $!"
done
sleep 0.5
refused=0
for i in 1 2; do
    python3 "$CL" refused "$PORT" 3 >>"$WORK/refused.out" 2>&1 && refused=$((refused + 1))
done
[ "$refused" -eq 2 ] && ok "with the 4 slots taken, 2 more connections were closed at once" ||
    fail "over the cap: $(cat "$WORK/refused.out")"
n=0
for i in 1 2 3 4; do
    while ! grep -q "elapsed=" "$WORK/silent.$i" 2>/dev/null && [ $n -lt 80 ]; do sleep 0.1; n=$((n + 1)); done
done
[ "$(cat "$WORK/silent".* | grep -c 'closed by the server')" -eq 4 ] ||
    fail "the silent clients: $(cat "$WORK/silent".*)"
run good && ok "after their deadlines, the slots serve again" || fail "no slot after the deadlines: $(tail -1 "$WORK/clients.out")"

sleep 1.2 # one more stats line, with everything closed
grep "^tern server: stats: " "$ERR" | tail -n 1 | grep -q " open=0 " && ok "every connection closed (open=0)" ||
    fail "still open: $(grep '^tern server: stats: ' "$ERR" | tail -n 1)"
kill -TERM "$SRV"
wait "$SRV" 2>/dev/null
last=$(grep "stats at exit" "$ERR")
want="handshakes=8 clean=4 handshake-timeout=4 idle-timeout=1 alert-sent=3 peer-alert=3 reset-io=6 other=0 refused=2"
if echo "$last" | grep -q "$want"; then
    ok "counted by reason: $want"
else fail "closing stats: ${last:-none}; wanted $want"; fi

# ---- --workers 2 ----
have pgrep || { skip_part "--workers: pgrep not installed (Debian package procps)"; finish; }
tern_echo_server --echo --workers 2 --quiet || finish
SRV=$LAST
ERR=$WORK/tern-server.$PORT.err
# the server's pid is timeout's child
parent=$(pgrep -P "$SRV" | head -n 1)
sleep 1.2 # a worker that dies within a second of starting is not restarted
workers=$(pgrep -P "$parent" | tr '\n' ' ')
set -- $workers
if [ $# -eq 2 ]; then
    ok "--workers 2: two worker processes"
    kill -KILL "$1" # (SIGSEGV would be caught by ASan in a sanitized build)
    sleep 0.5
    served=0
    for i in 1 2 3 4; do run good && served=$((served + 1)); done
    if grep -q "worker [12] (pid $1) killed by signal 9" "$ERR" && grep -q "worker [12] restarted" "$ERR" &&
        [ "$served" -eq 4 ]; then
        ok "a crashed worker is reported and replaced; 4 clients served meanwhile"
    else fail "worker crash: $served of 4 served; $(cat "$ERR")"; fi
    now=$(pgrep -P "$parent" | tr '\n' ' ')
    kill -TERM "$parent"
    wait "$SRV"
    rc=$?
    left=0
    for p in $now; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
    [ $rc -eq 0 ] && [ $left -eq 0 ] && ok "SIGTERM stopped the parent (exit 0) and every worker" ||
        fail "after SIGTERM: exit $rc, $left workers left"
else fail "--workers 2: worker processes: '$workers'"; fi
finish
