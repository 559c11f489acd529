# Helpers for tests/examples.test.sh and tests/tern_command.test.sh (sourced).
# Every process started through start_bg is recorded and killed at exit;
# ports are free ones on 127.0.0.1; every client runs under `timeout`.
BUILD=${BUILD:-build}
TERN=$BUILD/tools/tern
CERTS=vectors/certs
PIDS=""
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tern-cli.XXXXXX")
FAILS=0
NAME=${NAME:-cli}

cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "$NAME: FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { echo "$NAME: ok: $*"; }

have_openssl() { command -v openssl >/dev/null 2>&1; }

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' && return
    fi
    while :; do
        p=$(( ( $(od -An -N2 -tu2 /dev/urandom) % 30000 ) + 20000 ))
        if ! ss -ltn 2>/dev/null | grep -q ":$p "; then echo "$p"; return; fi
    done
}

# Wait (up to ~5 s) until something listens on 127.0.0.1:$1.
wait_port() {
    i=0
    while [ $i -lt 100 ]; do
        if command -v ss >/dev/null 2>&1; then
            ss -ltn 2>/dev/null | grep -q "127.0.0.1:$1 \|\*:$1 \|0.0.0.0:$1 \|\[::\]:$1 " && return 0
        else
            sleep 1; return 0
        fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# start_bg CMD...: run in the background, remember the pid in $LAST.
start_bg() {
    "$@" &
    LAST=$!
    PIDS="$PIDS $LAST"
}

# A tern echo server on a fresh port: sets $PORT.  Extra args are passed on.
tern_echo_server() {
    PORT=$(free_port)
    start_bg timeout 120 "$TERN" server --port "$PORT" --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" \
        "$@" 2>"$WORK/tern-server.$PORT.err"
    wait_port "$PORT" || { fail "tern server did not start: $(cat "$WORK/tern-server.$PORT.err")"; return 1; }
}

# openssl s_server for one connection on a fresh port: sets $PORT.  Extra
# args (-rev, -www, -keylogfile F) are passed on.
ossl_server() {
    PORT=$(free_port)
    start_bg timeout 60 openssl s_server -accept "$PORT" -tls1_2 -cert "$CERTS/server.crt" -key "$CERTS/server.key" \
        -cert_chain "$CERTS/int-ca.crt" -naccept 1 "$@" >"$WORK/ossl.$PORT.out" 2>&1
    wait_port "$PORT" || { fail "openssl s_server did not start: $(cat "$WORK/ossl.$PORT.out")"; return 1; }
}

# in_order FILE PATTERN...: each extended regex matches a line after the
# line the previous one matched.  Prints the first one missing.
in_order() {
    f=$1; shift
    at=0
    for pat in "$@"; do
        n=$(awk -v start="$at" -v pat="$pat" 'NR > start && $0 ~ pat { print NR; exit }' "$f")
        if [ -z "$n" ]; then echo "missing after line $at: $pat"; return 1; fi
        at=$n
    done
    return 0
}
