#!/bin/sh
# make install into a staging tree, then compile and run a one-file program
# against it with `pkg-config --cflags --libs tern`, both shared and static.
set -eu
NAME=install
. tests/lib.sh
# pkg-config and readelf (binutils) are what this test checks with: without
# them it is skipped (exit 77), not failed.
need pkg-config
need readelf binutils
stage=$WORK/stage
mkdir "$stage"
make -s BUILD="$BUILD" install DESTDIR="$stage" PREFIX=/usr >/dev/null
for f in usr/include/tern/tern.h usr/lib/libtern.a usr/lib/libtern.so usr/lib/pkgconfig/tern.pc; do
    [ -e "$stage/$f" ] || { echo "$NAME: FAIL: $f not installed"; exit 1; }
done
soname=$(readelf -d "$stage/usr/lib/libtern.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = "libtern.so.0" ] || { echo "$NAME: FAIL: soname is '$soname'"; exit 1; }
# The library links nothing but libc.
needed=$(readelf -d "$stage/usr/lib/libtern.so" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | tr '\n' ' ')
[ "$needed" = "libc.so.6 " ] || { echo "$NAME: FAIL: libtern.so needs: $needed"; exit 1; }
cat > "$stage/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <tern/tern.h>
int main(void) {
    const char *s = tern_strerror(TERN_ERR_CERT_EXPIRED);
    if (strcmp(tern_alert_name(tern_error_alert(TERN_ERR_CERT_EXPIRED)), "certificate_expired") != 0)
        return 1;
    printf("%s\n", s);
    return 0;
}
C
export PKG_CONFIG_SYSROOT_DIR="$stage" PKG_CONFIG_LIBDIR="$stage/usr/lib/pkgconfig"
flags=$(pkg-config --cflags --libs tern)
${CC:-cc} ${XCFLAGS:-} -std=c11 -Wall -Werror "$stage/prog.c" -o "$stage/prog" $flags
LD_LIBRARY_PATH="$stage/usr/lib" "$stage/prog" >/dev/null
${CC:-cc} ${XCFLAGS:-} -std=c11 -Wall -Werror "$stage/prog.c" -o "$stage/prog-static" $(pkg-config --cflags tern) "$stage/usr/lib/libtern.a"
"$stage/prog-static" >/dev/null
# uninstall removes what install put there.
make -s BUILD="$BUILD" uninstall DESTDIR="$stage" PREFIX=/usr >/dev/null
[ ! -e "$stage/usr/lib/libtern.so" ] && [ ! -e "$stage/usr/include/tern/tern.h" ] || { echo "$NAME: FAIL: uninstall left files"; exit 1; }
echo "$NAME: ok: header, .a, .so (soname $soname, needs only libc) and tern.pc install; pkg-config program links and runs"
