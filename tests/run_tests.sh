#!/bin/sh
# Runs every cmocka test binary given, then the shell tests (tests/*.test.sh),
# and prints one closing line:
#   "tests: N passed, M failed, K skipped"
# counting cmocka test cases (cmocka's own PASSED / FAILED / SKIPPED counts)
# and shell scripts.  A shell test passes with exit 0 and is skipped with exit
# 77 (a tool it needs is missing, say): "[  SKIPPED ] name: reason", the
# reason being the last line it printed; any other status fails it.
#
# TERN_REQUIRE: shell patterns (separated by spaces or commas) of script
# names without the directory and ".test.sh" ("interop*", "leak", "*").  A
# matching script that is skipped counts as failed, with the reason: CI sets
# it where every tool is installed, so that a skip there is a missing
# install step, not a pass.
# Exits non-zero when any binary or script fails or crashes.
build=$1
shift
passed=0 failed=0 skipped=0 bad=0
require=$(printf '%s' "${TERN_REQUIRE:-}" | tr ',' ' ')
required() {
    set -f # the patterns split on blanks but match names, not files here
    for pat in $require; do
        # shellcheck disable=SC2254 # the pattern is meant to glob
        case $1 in $pat) set +f; return 0 ;; esac
    done
    set +f
    return 1
}
for t in "$@"; do
    out=$("$t" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
    k=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | tail -n 1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    skipped=$((skipped + ${k:-0}))
    if [ $rc -ne 0 ]; then
        bad=$((bad + 1))
        [ -z "$f" ] && failed=$((failed + 1))
        echo "*** $t exited with status $rc"
    fi
done
# Shell-level tests (interop scripts etc.), output shown as it comes.  The
# scratch files go where the tests write, under the build directory.
mkdir -p "$build/tmp"
log=$(mktemp "$build/tmp/run_tests.XXXXXX")
for s in tests/*.test.sh; do
    [ -f "$s" ] || continue
    {
        BUILD="$build" sh "$s" 2>&1
        echo $? >"$log.rc"
    } | tee "$log"
    rc=$(cat "$log.rc")
    name=$(basename "$s" .test.sh)
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        echo "[       OK ] $s"
    elif [ "$rc" -eq 77 ] && required "$name"; then
        failed=$((failed + 1))
        bad=$((bad + 1))
        echo "[  FAILED  ] $s: skipped, but TERN_REQUIRE='$TERN_REQUIRE' requires it to run: $(grep . "$log" | tail -n 1)"
    elif [ "$rc" -eq 77 ]; then
        skipped=$((skipped + 1))
        echo "[  SKIPPED ] $s: $(grep . "$log" | tail -n 1)"
    else
        failed=$((failed + 1))
        bad=$((bad + 1))
        echo "[  FAILED  ] $s (exit $rc)"
    fi
done
rm -f "$log" "$log.rc"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ $bad -eq 0 ]
