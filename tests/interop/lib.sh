# Helpers for the OpenSSL interop scripts (sourced by tests/interop.test.sh).
# Every process started here is recorded in $PIDS and killed by cleanup().

PIDS=""
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tern-interop.XXXXXX")
FAILS=0

cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

fail() {
    echo "interop: FAIL: $*" >&2
    FAILS=$((FAILS + 1))
}

ok() {
    echo "interop: ok: $*"
}

# A TCP port nobody listens on right now, on 127.0.0.1.
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
            sleep 0.5; return 0
        fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# Feed file $1 to stdout, then hold stdin open until file $2 has reached the
# size of $1 (the echo came back) or ~10 s passed, so the sender closes only
# after everything has round-tripped.
feed_and_wait() {
    cat "$1"
    want=$(wc -c < "$1")
    i=0
    while [ $i -lt 200 ]; do
        have=$(wc -c < "$2" 2>/dev/null || echo 0)
        [ "$have" -ge "$want" ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
}
