#!/bin/sh
# Encrypted private keys for tests/test_pkcs8.c and the fuzz_pkcs8 seeds,
# written to vectors/certs/enc/ with the openssl CLI (OpenSSL 3.x) from the
# committed plain keys of vectors/certs/ and vectors/certs/p384/; password
# "tern" everywhere.  Run from the repository root:
#   sh tests/certs/make-enc-keys.sh
# The outputs are committed; running this again makes new salts and IVs
# (the plain keys, hence what each decrypts to, stay the same).
#
#   pbes2-aes128-sha512.key  ec256.key, pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA512
#   pbes2-aes192-sha1.key    server.key, -v2 aes-192-cbc -v2prf hmacWithSHA1 (the PRF left out: DEFAULT)
#   pbes2-aes256-sha256.key  p384/server.key, pkey -aes256 (OpenSSL's default PBES2)
#   legacy-ec-aes128.key     ecdsa-server-sec1.key, ec -aes128 (Proc-Type/DEK-Info)
#   legacy-rsa-aes192.key    server-pkcs1.key, rsa -traditional -aes192
#   refused-pbes1-md5-des.key      -v1 PBE-MD5-DES (legacy provider)
#   refused-pkcs12-3des.key        -v1 PBE-SHA1-3DES
#   refused-pbes2-des3.key         -v2 des3
#   refused-scrypt.key             -scrypt
#   refused-legacy-des3.key        rsa -traditional -des3
set -eu
OUT=${1:-vectors/certs/enc}
C=vectors/certs
mkdir -p "$OUT"
P="-passout pass:tern"
openssl pkcs8 -topk8 -in $C/ec256.key -v2 aes-128-cbc -v2prf hmacWithSHA512 $P -out "$OUT/pbes2-aes128-sha512.key"
openssl pkcs8 -topk8 -in $C/server.key -v2 aes-192-cbc -v2prf hmacWithSHA1 $P -out "$OUT/pbes2-aes192-sha1.key"
openssl pkey -in $C/p384/server.key -aes256 $P -out "$OUT/pbes2-aes256-sha256.key"
openssl ec -in $C/ecdsa-server-sec1.key -aes128 $P -out "$OUT/legacy-ec-aes128.key" 2>/dev/null
openssl rsa -in $C/server-pkcs1.key -traditional -aes192 $P -out "$OUT/legacy-rsa-aes192.key" 2>/dev/null
openssl pkcs8 -topk8 -in $C/ec256.key -v1 PBE-MD5-DES -provider legacy -provider default $P \
    -out "$OUT/refused-pbes1-md5-des.key"
openssl pkcs8 -topk8 -in $C/ec256.key -v1 PBE-SHA1-3DES $P -out "$OUT/refused-pkcs12-3des.key"
openssl pkcs8 -topk8 -in $C/ec256.key -v2 des3 $P -out "$OUT/refused-pbes2-des3.key"
openssl pkcs8 -topk8 -in $C/ec256.key -scrypt $P -out "$OUT/refused-scrypt.key"
openssl rsa -in $C/server-pkcs1.key -traditional -des3 $P -out "$OUT/refused-legacy-des3.key" 2>/dev/null
