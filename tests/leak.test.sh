#!/bin/sh
# Leak and memory-error check: the load test (shorter counts) and the
# bad-peer test run under valgrind memcheck, which must report zero errors
# and zero leaks of any kind (definite, indirect, possible, still
# reachable).  Run by tests/run_tests.sh with BUILD set; skipped (exit 0,
# with a message) when valgrind is missing, when the build is sanitized
# (ASan and valgrind do not mix), or when the binary comes from clang
# (valgrind 3.19 cannot read clang 14's DWARF 5 debug information; the gcc
# build of the same sources runs it).
build=${BUILD:-build}
if ! command -v valgrind >/dev/null 2>&1; then
    echo "leak.test.sh: valgrind not installed: skipped"
    exit 0
fi
status=0
for t in test_load test_badpeer; do
    bin="$build/tests/$t"
    if [ ! -x "$bin" ]; then
        echo "leak.test.sh: $bin not built: skipped"
        continue
    fi
    if grep -qa __asan_init "$bin"; then
        echo "leak.test.sh: $bin is built with AddressSanitizer: skipped (it checks leaks itself)"
        continue
    fi
    if readelf --string-dump=.comment "$bin" 2>/dev/null | grep -qi clang; then
        echo "leak.test.sh: $bin is built by clang, whose DWARF 5 valgrind cannot read: skipped (the gcc build runs it)"
        continue
    fi
    log=$(mktemp /tmp/tern-leak.XXXXXX)
    start=$(date +%s)
    if TERN_LOAD_SEQUENTIAL=20 TERN_LOAD_CONCURRENT=4 \
        valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
        --error-exitcode=99 "$bin" >"$log" 2>&1; then
        echo "leak.test.sh: $t under valgrind memcheck: 0 errors, 0 leaks ($(( $(date +%s) - start )) s)"
    else
        echo "leak.test.sh: $t under valgrind memcheck: FAILED"
        grep -v '^\[' "$log" | head -60
        status=1
    fi
    rm -f "$log"
done
exit $status
