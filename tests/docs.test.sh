#!/bin/sh
# The docs check: README.md and docs/*.md name only what exists.
#
#   - every repository path they mention (lib/record.c, tests/fuzz/,
#     tests/interop*.test.sh, lib/hs_<message>.c) exists: a path starting
#     with include/ lib/ crypto/ tools/ tests/ bench/ examples/ docs/
#     vectors/ or .ci/, a bare file name such as `hs.c` or `make_seeds.sh`
#     (somewhere in the tree), and a relative Markdown link target (from the
#     document's own directory).  `*` and `<placeholder>` match any part of
#     one path component, and must match at least one file;
#   - every tern_* and TERN_* name they mention appears in the code
#     (include/ lib/ crypto/ tools/ tests/ bench/ examples/, comments
#     removed); a name ending in `_` followed by `*` or `<...>`, such as
#     tern_rd_* or TERN_ERR_*, is a prefix that some name must start with;
#   - no tracker numbers ("issue 12", "issues 9 and 12", "bug 3", "PR 7", "#12";
#     "PKCS #1" is not one).
#
# Each problem is printed as FILE:LINE: what.  Exit 0 when there is none,
# 1 otherwise.  Run from the repository root (tests/run_tests.sh does).
#
# Exceptions: one per line below, "NAME<space>reason"; keep the list short,
# and give each its reason.
exceptions='
TERN_EXT_RECORD_SIZE_LIMIT the example extension of docs/READING.md (How to add an extension); tern does not implement it
'
LC_ALL=C
export LC_ALL
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tern-docs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

docs="README.md"
for d in docs/*.md; do [ -f "$d" ] && docs="$docs $d"; done

# Every file and directory of the tree (build output and .git left out);
# directories also with a trailing slash.
find . \( -name .git -o -name 'build' -o -name 'build-*' \) -prune -o -print |
    sed -e 's|^\./||' -e '/^\.$/d' >"$tmp/files"
find . \( -name .git -o -name 'build' -o -name 'build-*' \) -prune -o -type d -print |
    sed -e 's|^\./||' -e '/^\.$/d' -e 's|$|/|' >>"$tmp/files"

# The tern_* / TERN_* names of the code, comments removed (string literals
# are kept: TERN_CPU, say, is read by getenv).
find include lib crypto tools tests bench examples -name '*.[ch]' 2>/dev/null | xargs awk '
FNR == 1 { inc = 0 }
{
    line = $0; out = ""
    while (line != "") {
        if (inc) {
            i = index(line, "*/")
            if (i == 0) { line = ""; break }
            line = substr(line, i + 2); inc = 0; continue
        }
        a = index(line, "/*"); b = index(line, "//"); q = index(line, "\""); s = index(line, "\047")
        m = 0
        if (a && (!m || a < m)) m = a
        if (b && (!m || b < m)) m = b
        if (q && (!m || q < m)) m = q
        if (s && (!m || s < m)) m = s
        if (!m) { out = out line; break }
        if (m == a) { out = out substr(line, 1, a - 1) " "; line = substr(line, a + 2); inc = 1; continue }
        if (m == b) { out = out substr(line, 1, b - 1); break }
        # a string or character literal: keep it, up to its closing quote
        ch = substr(line, m, 1); j = m + 1; n = length(line)
        while (j <= n) {
            c = substr(line, j, 1)
            if (c == "\\") { j += 2; continue }
            if (c == ch) break
            j++
        }
        out = out substr(line, 1, j); line = substr(line, j + 1)
    }
    while (match(out, /[Tt][Ee][Rr][Nn]_[A-Za-z0-9_]+/)) {
        print substr(out, RSTART, RLENGTH)
        out = substr(out, RSTART + RLENGTH)
    }
}' | sort -u >"$tmp/names"

printf '%s\n' "$exceptions" | awk 'NF { print $1 }' >"$tmp/exceptions"

# shellcheck disable=SC2086
awk -v FILES="$tmp/files" -v NAMES="$tmp/names" -v EXC="$tmp/exceptions" '
BEGIN {
    while ((getline l < FILES) > 0) { file[l] = 1; nf++; flist[nf] = l
        b = l; sub(/\/$/, "", b); sub(/.*\//, "", b); base[b] = 1; nb++; blist[nb] = b }
    while ((getline l < NAMES) > 0) { name[l] = 1; nn++; nlist[nn] = l }
    while ((getline l < EXC) > 0) exc[l] = 1
    bad = 0
}
function report(what) { printf "%s:%d: %s\n", FILENAME, FNR, what; bad++ }
# A glob (* and <...> match within one path component) as an anchored regex.
function glob_re(g,    r) {
    r = g
    gsub(/<[^>]*>/, "*", r)
    gsub(/[.+?()|^$\[\]{}]/, "\\\\&", r)
    gsub(/\*/, "[^/]*", r)
    return "^" r "$"
}
function path_exists(p,    re, i) {
    if (p in file) return 1
    if (p !~ /[*<]/) return 0
    re = glob_re(p)
    for (i = 1; i <= nf; i++) if (flist[i] ~ re) return 1
    return 0
}
function base_exists(p,    re, i) {
    if (p in base) return 1
    if (p !~ /[*<]/) return 0
    re = glob_re(p)
    for (i = 1; i <= nb; i++) if (blist[i] ~ re) return 1
    return 0
}
function prefix_exists(p,    i, n) {
    n = length(p)
    for (i = 1; i <= nn; i++) if (substr(nlist[i], 1, n) == p) return 1
    return 0
}
FNR == 1 { infence = 0; dir = FILENAME; if (dir ~ /\//) sub(/\/[^\/]*$/, "/", dir); else dir = "" }
{
    line = $0
    # ---- tracker numbers ----
    t = line
    gsub(/PKCS ?#[0-9]+/, "PKCS", t)
    if (t ~ /(^|[^A-Za-z0-9_])([Ii]ssues?|[Bb]ugs?|PR) #?[0-9]/ || t ~ /(^|[^A-Za-z0-9_&#])#[0-9]/)
        report("a tracker number: " line)

    # ---- Markdown links to files: relative to this document ----
    t = line
    while (match(t, /\]\([^)]+\)/)) {
        target = substr(t, RSTART + 2, RLENGTH - 3); t = substr(t, RSTART + RLENGTH)
        if (target ~ /^[a-z]+:/ || target ~ /^#/) continue
        sub(/#.*/, "", target)
        p = dir target
        while (p ~ /(^|\/)[^\/.][^\/]*\/\.\.\//) sub(/[^\/.][^\/]*\/\.\.\//, "", p)
        sub(/^\.\//, "", p)
        if (!path_exists(p) && !path_exists(p "/") && !(p in exc)) report("link to a missing file: " target)
    }

    # ---- repository paths ----
    t = " " line
    while (match(t, /[^A-Za-z0-9_.\/$-](include|lib|crypto|tools|tests|bench|examples|docs|vectors|\.ci)\/[A-Za-z0-9_.*<>\/+-]*/)) {
        p = substr(t, RSTART + 1, RLENGTH - 1); t = substr(t, RSTART + RLENGTH)
        sub(/[.]+$/, "", p)
        if (p in exc) continue
        if (!path_exists(p) && !(p !~ /\/$/ && path_exists(p "/"))) report("no such path: " p)
    }
    # bare file names (no directory): somewhere in the tree
    t = " " line
    gsub(/[A-Za-z0-9_.*<>\/+-]*\/[A-Za-z0-9_.*<>+-]*/, " ", t)
    while (match(t, /[^A-Za-z0-9_.\/$-][A-Za-z0-9_*<>-][A-Za-z0-9_.*<>-]*\.(c|h|sh|py|md)([^A-Za-z0-9_\/]|$)/)) {
        p = substr(t, RSTART + 1, RLENGTH - 1); t = substr(t, RSTART + RLENGTH - 1)
        sub(/[^A-Za-z0-9_]$/, "", p)
        if (p in exc) continue
        if (!base_exists(p)) report("no file of that name: " p)
    }

    # ---- tern_* and TERN_* names ----
    t = " " line
    # paths and file names are not names (tools/tern_speed.c)
    gsub(/[A-Za-z0-9_.\/-]*\.(c|h|sh|py|md)([^A-Za-z0-9_]|$)/, " ", t)
    while (match(t, /[^A-Za-z0-9_](tern|TERN)_[A-Za-z0-9_]*/)) {
        n = substr(t, RSTART + 1, RLENGTH - 1); t = substr(t, RSTART + RLENGTH)
        nx = substr(t, 1, 1)
        if (n in exc) continue
        if (n ~ /_$/ || nx == "*" || nx == "<") {
            if (!prefix_exists(n)) report("no name starts with " n)
        } else if (!(n in name)) {
            report("not a name in the code: " n)
        }
    }
}
END {
    if (bad) printf "docs check: %d problem(s) in README.md and docs/*.md\n", bad
    exit bad ? 1 : 0
}' $docs || exit 1
echo "docs check: README.md and docs/*.md: every path and tern_* / TERN_* name exists, no tracker numbers"
exit 0
