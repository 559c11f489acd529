/*
 * Generator of vectors/kdf/pkcs12_kdf.txt and evp_bytes_to_key.txt: the
 * PKCS#12 KDF (RFC 7292 Appendix B.2) and EVP_BytesToKey-MD5 as OpenSSL
 * computes them, so that tests/test_kdf.c checks tern against an
 * implementation we did not write even where libcrypto is not installed
 * (where it is, the test also cross-checks random inputs live).
 *
 *   cc -o /tmp/gen vectors/kdf/gen_openssl.c -lcrypto && /tmp/gen pkcs12 > vectors/kdf/pkcs12_kdf.txt
 *   /tmp/gen evp > vectors/kdf/evp_bytes_to_key.txt
 */
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/pkcs12.h>
#include <stdio.h>
#include <string.h>

static void hex(const char *name, const unsigned char *p, size_t n) {
    printf("%s = ", name);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

/* UTF-16BE of an ASCII password plus the 00 00 terminator (RFC 7292 B.1). */
static size_t bmp(const char *pw, unsigned char *out) {
    size_t n = 0;
    for (const char *c = pw; *c; c++) {
        out[n++] = 0;
        out[n++] = (unsigned char)*c;
    }
    out[n++] = 0;
    out[n++] = 0;
    return n;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "pkcs12") == 0) {
        printf("# RFC 7292 Appendix B.2 (PKCS#12 KDF) outputs from OpenSSL's PKCS12_key_gen_uni\n"
               "# (%s), made by vectors/kdf/gen_openssl.c.  pw is the BMPString\n"
               "# password with its 00 00 terminator (\"\" = no password at all, P empty);\n"
               "# the `smeg` cases are the long-published PKCS#12 KDF examples.\n"
               "# alg: sha1/sha256/sha384/sha512; id 1 key, 2 IV, 3 MAC key; c iterations.\n\n",
               OpenSSL_version(OPENSSL_VERSION));
        static const struct {
            const char *pw;
            int nopw;
            const char *salt;
            size_t saltlen;
            int iter;
            size_t n;
        } in[] = {
            {"smeg", 0, "\x0a\x58\xcf\x64\x53\x0d\x82\x3f", 8, 1, 24},
            {"queeg", 0, "\x16\x82\xc0\xfc\x5b\x3f\x7e\xc5", 8, 1000, 24},
            {"", 0, "\x01\x02\x03\x04\x05\x06\x07\x08", 8, 2048, 32},
            {"", 1, "\x01\x02\x03\x04\x05\x06\x07\x08", 8, 1, 20},
            {"password", 0, "saltsaltsaltsaltsalt", 20, 2048, 48},
            {"a much longer password that spans more than one sixty-four byte block", 0, "s", 1, 3, 100},
            {"x", 0, "", 0, 5, 64},
            {"p\xc3\xa4ss", 0, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123", 68, 7, 130},
        };
        const EVP_MD *mds[] = {EVP_sha1(), EVP_sha256(), EVP_sha384(), EVP_sha512()};
        const char *names[] = {"sha1", "sha256", "sha384", "sha512"};
        int k = 0;
        for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
            for (int m = 0; m < 4; m++)
                for (int id = 1; id <= 3; id++) {
                    unsigned char pw[400], out[200];
                    size_t pwlen = in[i].nopw ? 0 : bmp(in[i].pw, pw);
                    if (!PKCS12_key_gen_uni(in[i].nopw ? NULL : pw, (int)pwlen, (unsigned char *)in[i].salt,
                                            (int)in[i].saltlen, id, in[i].iter, (int)in[i].n, out, mds[m]))
                        return 1;
                    printf("case = p12-%d\nalg = %s\nid = %d\n", ++k, names[m], id);
                    hex("pw", pw, pwlen);
                    hex("salt", (const unsigned char *)in[i].salt, in[i].saltlen);
                    printf("c = %d\n", in[i].iter);
                    hex("key", out, in[i].n);
                    printf("\n");
                }
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "evp") == 0) {
        printf("# OpenSSL's EVP_BytesToKey(cipher, EVP_md5(), salt, pw, count 1) keys\n"
               "# (%s), made by vectors/kdf/gen_openssl.c; salt = the first 8 bytes of\n"
               "# the DEK-Info IV; cipher is the PEM DEK-Info name, key its key.\n\n",
               OpenSSL_version(OPENSSL_VERSION));
        const char *ciphers[] = {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC", "DES-EDE3-CBC"};
        const char *pws[] = {"", "password", "tern test key password",
                             "a passphrase that is longer than one MD5 block of sixty-four bytes, to cross it"};
        const unsigned char salt[4][8] = {{0}, {1, 2, 3, 4, 5, 6, 7, 8}, {0xde, 0xad, 0xbe, 0xef, 0, 0xff, 0x80, 0x7f},
                                          {0x3a, 0x91, 0x5c, 0x07, 0xe2, 0x44, 0xb8, 0x16}};
        int k = 0;
        for (int c = 0; c < 4; c++)
            for (int p = 0; p < 4; p++)
                for (int s = 0; s < 4; s += (p == 0 ? 3 : 1)) {
                    const EVP_CIPHER *ci = EVP_get_cipherbyname(ciphers[c]);
                    unsigned char key[64], iv[16];
                    if (!ci || EVP_BytesToKey(ci, EVP_md5(), salt[s], (const unsigned char *)pws[p], (int)strlen(pws[p]), 1,
                                              key, iv) != EVP_CIPHER_get_key_length(ci))
                        return 1;
                    printf("case = evp-%d\ncipher = %s\n", ++k, ciphers[c]);
                    hex("pw", (const unsigned char *)pws[p], strlen(pws[p]));
                    hex("salt", salt[s], 8);
                    hex("key", key, (size_t)EVP_CIPHER_get_key_length(ci));
                    printf("\n");
                }
        return 0;
    }
    return 2;
}
