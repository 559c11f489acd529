#!/bin/sh
# Runs every cmocka test binary given, then prints one closing line:
#   "tests: N passed, M failed"  (counting cmocka test cases).
# Exits non-zero when any binary fails or crashes.
build=$1; shift
passed=0; failed=0; bad=0
for t in "$@"; do
    out=$("$t" 2>&1); rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    if [ $rc -ne 0 ]; then
        bad=$((bad + 1))
        [ -z "$f" ] && failed=$((failed + 1))
        echo "*** $t exited with status $rc"
    fi
done
# Shell-level tests (interop scripts etc.): tests/*.test.sh, each exits 0 on success.
for s in tests/*.test.sh; do
    [ -f "$s" ] || continue
    if BUILD="$build" sh "$s"; then passed=$((passed + 1)); echo "[       OK ] $s"
    else failed=$((failed + 1)); bad=$((bad + 1)); echo "[  FAILED  ] $s"; fi
done
echo "tests: $passed passed, $failed failed"
[ $bad -eq 0 ]
