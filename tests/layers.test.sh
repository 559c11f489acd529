#!/bin/sh
# The layering of lib/ (lib/layer.h): a file may include headers of its own
# layer or lower, never of a higher one.
#   (a) Reads every #include of lib/ and crypto/ and checks it against the
#       layers the files state: a lib/ header's layer is the one its
#       #error check names (TERN_LAYER < TERN_LAYER_X), a lib/ .c file's the
#       one it #defines before its first include.  This catches what the
#       compiler cannot: one header including a higher one.  crypto/ may
#       include only crypto/ headers and tern/error.h.
#   (b) Compiles a file that states the record layer and includes
#       lib/hs.h (the handshake layer): the compiler must refuse it with the
#       sentence of lib/hs.h's #error; the same file including
#       lib/record.h must compile.
# Exit 0 pass, 1 fail, 77 skipped (no C compiler).
cd "$(dirname "$0")/.." || exit 1
fail=0
bad() { echo "layers.test: $*"; fail=1; }

layer_num() { # TERN_LAYER_X -> number, from lib/layer.h
    sed -n "s/^#define $1 \([0-9][0-9]*\)\$/\1/p" lib/layer.h
}

# The layer a file states ("" when it states none).
stated_layer() {
    case $1 in
    include/tern/error.h | crypto/*) echo 0; return ;;
    esac
    case $1 in
    *.h) name=$(sed -n 's/^#if defined(TERN_LAYER) && TERN_LAYER < \(TERN_LAYER_[A-Z_]*\)$/\1/p' "$1" | head -n 1) ;;
    *.c) name=$(sed -n 's/^#define TERN_LAYER \(TERN_LAYER_[A-Z_]*\)$/\1/p' "$1" | head -n 1) ;;
    esac
    [ -n "$name" ] && layer_num "$name"
}

[ -n "$(layer_num TERN_LAYER_ENGINE)" ] || { bad "lib/layer.h defines no TERN_LAYER_ENGINE"; exit 1; }

checked=0
for f in lib/*.h lib/*.c lib/x509/*.h lib/x509/*.c; do
    [ "$f" = lib/layer.h ] && continue
    if head -n 12 "$f" | grep -q 'GENERATED'; then
        # A generated table (tools/make_psl.py): it includes nothing of lib/.
        grep -q '^#include "lib/' "$f" && bad "$f is generated and must include no lib/ header"
        continue
    fi
    mine=$(stated_layer "$f")
    if [ -z "$mine" ]; then
        bad "$f states no layer (a header starts with the #error check of lib/layer.h; a .c file #defines TERN_LAYER before its first include)"
        continue
    fi
    case $f in
    *.c) # the define comes before the first include
        d=$(grep -n '^#define TERN_LAYER ' "$f" | head -n 1 | cut -d: -f1)
        i=$(grep -n '^#include' "$f" | head -n 1 | cut -d: -f1)
        [ "$d" -lt "$i" ] || bad "$f defines TERN_LAYER after its first include (line $i)" ;;
    esac
    for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
        case $inc in
        lib/layer.h | tern/tern.h | tern/error.h) continue ;;
        lib/* | crypto/*) ;;
        *) bad "$f includes \"$inc\", which is neither lib/ nor crypto/ nor tern/"; continue ;;
        esac
        [ -f "$inc" ] || { bad "$f includes $inc, which does not exist"; continue; }
        theirs=$(stated_layer "$inc")
        if [ -z "$theirs" ]; then
            head -n 12 "$inc" | grep -q 'GENERATED' && continue
            bad "$f includes $inc, which states no layer"
            continue
        fi
        checked=$((checked + 1))
        [ "$theirs" -le "$mine" ] || bad "$f (layer $mine) includes $inc (layer $theirs): an upward include"
    done
done

for f in crypto/*.h crypto/*.c; do
    for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
        case $inc in
        crypto/* | tern/error.h) ;;
        *) bad "$f includes \"$inc\": crypto/ includes only crypto/ headers and tern/error.h" ;;
        esac
    done
done
[ "$checked" -gt 100 ] || bad "only $checked lib/ includes checked: the include scan is broken"

# (b) the compiler refuses an upward include, and accepts a downward one.
CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || { echo "layers.test: skipped: no C compiler ($CC)"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tern-layers.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
for h in lib/record.h lib/hs.h; do
    n=$(basename "$h" .h)
    printf '#define TERN_LAYER TERN_LAYER_RECORD_KEYS\n#include "%s"\nint layers_probe(void);\nint layers_probe(void) { return 0; }\n' "$h" \
        > "$tmp/$n.c"
    "$CC" -std=c11 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -Iinclude -I. -c "$tmp/$n.c" -o "$tmp/$n.o" \
        > "$tmp/$n.log" 2>&1
    echo $? > "$tmp/$n.rc"
done
[ "$(cat "$tmp/record.rc")" -eq 0 ] ||
    { bad "a record-layer file including lib/record.h does not compile:"; cat "$tmp/record.log"; }
if [ "$(cat "$tmp/hs.rc")" -eq 0 ]; then
    bad "a record-layer file including lib/hs.h compiled: the layer check did not fire"
elif ! grep -q 'lib/hs.h is in the handshake layer (5)' "$tmp/hs.log"; then
    bad "a record-layer file including lib/hs.h failed, but not with the layer sentence:"
    cat "$tmp/hs.log"
fi

# (c) no call goes upward either: every symbol a lib/ object uses from
# another lib/ file is defined in a file of its own layer or lower.  An
# include cannot show this (a prototype may be declared by hand, or reach
# a file through a header of the right layer while its definition sits
# higher); the objects of the build ($BUILD/lib) can.
objs=${BUILD:-build}/lib
calls=0
if command -v nm >/dev/null 2>&1 && [ -f "$objs/conn.o" ]; then
    for f in lib/*.c lib/x509/*.c; do
        o="$objs/${f#lib/}"; o="${o%.c}.o"
        [ -f "$o" ] || { bad "$o is missing: build the library first"; continue; }
        l=$(stated_layer "$f")
        nm "$o" | awk -v f="$f" -v l="$l" '$2 ~ /^[TDRB]$/ { print "D", $3, f, l } $1 == "U" { print "U", $2, f, l }'
    done > "$tmp/syms"
    awk '$1 == "D" { file[$2] = $3; layer[$2] = $4 }
         $1 == "U" { use[++n] = $0 }
         END { for (i = 1; i <= n; i++) { split(use[i], u, " ");
                 if ((u[2] in layer) && layer[u[2]] + 0 > u[4] + 0)
                     printf "%s (layer %s) calls %s, defined in %s (layer %s): an upward call\n", u[3], u[4], u[2], file[u[2]], layer[u[2]];
                 else if (u[2] in layer) ok++ }
               print "checked", ok + 0 }' "$tmp/syms" > "$tmp/calls"
    while IFS= read -r line; do
        case $line in
        checked\ *) calls=${line#checked } ;;
        *) bad "$line" ;;
        esac
    done < "$tmp/calls"
    [ "$calls" -gt 200 ] || bad "only $calls calls between lib/ files checked: the symbol scan is broken"
else
    echo "layers.test: skipped: no nm or no objects in $objs (build the library first)"
    exit 77
fi

[ $fail -eq 0 ] || exit 1
echo "layers.test: $checked includes in lib/ checked against lib/layer.h, $calls calls between lib/ files go down or across; an upward include is refused by the compiler"
exit 0
