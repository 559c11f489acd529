#!/bin/sh
# tests/run_tests.sh counts right: it is run on fake cmocka binaries and
# fake shell tests (passing, failing, skipped with exit 77, crashing) in a
# scratch tree under $BUILD/tmp (its own tests/*.test.sh, so no recursion),
# and its closing line "tests: N passed, M failed, K skipped", the reason
# it gives for a skip and its exit status are checked; then with
# TERN_REQUIRE, under which a matching skipped script is a failure.
NAME=run_tests
. tests/lib.sh
RUNNER=$(pwd)/tests/run_tests.sh
T=$WORK/tree
mkdir -p "$T/tests" "$T/bin"

# Fake cmocka binaries: what cmocka prints at the end of a run.
cat >"$T/bin/cm_pass" <<'EOF'
#!/bin/sh
echo "[==========] 3 test(s) run."
echo "[  PASSED  ] 3 test(s)."
EOF
cat >"$T/bin/cm_fail" <<'EOF'
#!/bin/sh
echo "[==========] 4 test(s) run."
echo "[  PASSED  ] 2 test(s)."
echo "[  SKIPPED ] 1 test(s), listed below:"
echo "[  FAILED  ] 1 test(s), listed below:"
exit 1
EOF
cat >"$T/bin/cm_skip" <<'EOF'
#!/bin/sh
echo "[==========] 2 test(s) run."
echo "[  PASSED  ] 1 test(s)."
echo "[  SKIPPED ] 1 test(s), listed below:"
EOF
cat >"$T/bin/cm_crash" <<'EOF'
#!/bin/sh
echo "[ RUN      ] test_something"
kill -SEGV $$
EOF
chmod +x "$T/bin/"*
# Fake shell tests.
printf 'echo "good: fine"\nexit 0\n' >"$T/tests/good.test.sh"
printf 'echo "interop_x: skipped: frob not installed (Debian package frob)"\nexit 77\n' >"$T/tests/interop_x.test.sh"
printf 'echo "leak: skipped: no valgrind"\necho\nexit 77\n' >"$T/tests/leak.test.sh"
printf 'echo "broken: FAIL: it broke"\nexit 1\n' >"$T/tests/broken.test.sh"
# A file run_tests.sh must not pick up (not *.test.sh).
printf 'exit 1\n' >"$T/tests/helper.sh"

# run CASE EXPECTED-LINE EXPECTED-EXIT [env assignments] -- BINARIES...
run() {
    what=$1 want=$2 wantrc=$3
    shift 3
    envs=""
    while [ "$1" != "--" ]; do
        envs="$envs $1"
        shift
    done
    shift
    (set -f && cd "$T" && env -u TERN_REQUIRE $envs sh "$RUNNER" "$T/build" "$@") >"$WORK/out" 2>&1
    rc=$?
    got=$(tail -n 1 "$WORK/out")
    if [ "$got" = "$want" ] && { [ "$wantrc" = any ] && [ $rc -ne 0 ] || [ "$rc" = "$wantrc" ]; }; then
        ok "$what: '$got', exit $rc"
    else
        fail "$what: got '$got' exit $rc, want '$want' exit $wantrc; output: $(tail -n 8 "$WORK/out")"
    fi
}

# Only passing and skipping scripts: exit 0.
rm "$T/tests/broken.test.sh"
run "passing and skipped" "tests: 5 passed, 0 failed, 3 skipped" 0 -- "$T/bin/cm_pass" "$T/bin/cm_skip"
grep -qx "\[  SKIPPED \] tests/interop_x.test.sh: interop_x: skipped: frob not installed (Debian package frob)" "$WORK/out" &&
    grep -qx "\[  SKIPPED \] tests/leak.test.sh: leak: skipped: no valgrind" "$WORK/out" &&
    grep -qx "\[       OK \] tests/good.test.sh" "$WORK/out" ||
    fail "a skip is not reported with its reason (the last non-empty line): $(grep '^\[' "$WORK/out")"
grep -q "helper" "$WORK/out" && fail "a file that is not *.test.sh was run"

# A failing script and a failing binary: counted, exit non-zero.
printf 'echo "broken: FAIL: it broke"\nexit 1\n' >"$T/tests/broken.test.sh"
run "a failing script and binary" "tests: 6 passed, 2 failed, 3 skipped" 1 -- "$T/bin/cm_pass" "$T/bin/cm_fail"
grep -qx "\[  FAILED  \] tests/broken.test.sh (exit 1)" "$WORK/out" || fail "the failing script is not named"
rm "$T/tests/broken.test.sh"

# A binary that crashes before cmocka's summary: one failure.
run "a crashing binary" "tests: 4 passed, 1 failed, 2 skipped" any -- "$T/bin/cm_pass" "$T/bin/cm_crash"
grep -q "^\*\*\* $T/bin/cm_crash exited with status" "$WORK/out" || fail "the crash is not reported"

# No binaries at all: the scripts alone.
run "scripts only" "tests: 1 passed, 0 failed, 2 skipped" 0 --

# TERN_REQUIRE: a required script that skips fails, with the reason; others still skip.
run "TERN_REQUIRE=interop*" "tests: 1 passed, 1 failed, 1 skipped" 1 "TERN_REQUIRE=interop*" --
grep -q "^\[  FAILED  \] tests/interop_x.test.sh: skipped, but TERN_REQUIRE='interop\*' requires it to run: interop_x: skipped: frob not installed" "$WORK/out" ||
    fail "a required skip does not say why it fails: $(grep '^\[' "$WORK/out")"
run "TERN_REQUIRE=leak,interop*" "tests: 1 passed, 2 failed, 0 skipped" 1 "TERN_REQUIRE=leak,interop*" --
run "TERN_REQUIRE=*" "tests: 1 passed, 2 failed, 0 skipped" 1 "TERN_REQUIRE=*" --
# The pattern matches whole names, and never files of the directory it runs in.
: >"$T/leakage"
run "TERN_REQUIRE=leak* (a file leakage beside)" "tests: 1 passed, 1 failed, 1 skipped" 1 "TERN_REQUIRE=leak*" --
run "TERN_REQUIRE=inter (no whole name)" "tests: 1 passed, 0 failed, 2 skipped" 0 "TERN_REQUIRE=inter" --
# A required script that passes is just passed.
run "TERN_REQUIRE=good" "tests: 1 passed, 0 failed, 2 skipped" 0 "TERN_REQUIRE=good" --

finish
