#!/usr/bin/env python3
"""Generate crypto/p256_table.h: the fixed-base table for P-256 (FIPS 186-4
D.1.2.3, SEC 2 v2 §2.4.2) used by crypto/p256.c for k*G.

  python3 crypto/p256_table_gen.py > crypto/p256_table.h

Layout: for each of the 52 signed 5-bit windows i (k = sum d_i 2^(5i),
d_i in [-16, 16]), the 16 affine points j * 2^(5i) * G for j = 1..16, each
as x then y in the Montgomery domain (value * 2^256 mod p), four 64-bit
little-endian limbs each.  Computed here with Python's exact integers in
affine coordinates, independently of the C code, which the tests then check
against (the table reproduces k*G from the variable-base ladder and from
OpenSSL).

Before writing, the script also checks the Renes-Costello-Batina complete
formulas (eprint 2015/1060, Algorithms 4, 5, 6 for a = -3) exactly as
p256.c writes them, against affine arithmetic, including the identity and
P + P / P + (-P) cases.  It aborts if any disagree.
"""
import random
import sys

p = 2**256 - 2**224 + 2**192 + 2**96 - 1
n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
b = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
Gx = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
Gy = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5
W = 5
NWIN = 52
R = 2**256


def inv(x):
    return pow(x, p - 2, p)


def aff_add(P, Q):
    if P is None:
        return Q
    if Q is None:
        return P
    x1, y1 = P
    x2, y2 = Q
    if x1 == x2:
        if (y1 + y2) % p == 0:
            return None
        lam = (3 * x1 * x1 - 3) * inv(2 * y1) % p
    else:
        lam = (y2 - y1) * inv(x2 - x1) % p
    x3 = (lam * lam - x1 - x2) % p
    return (x3, (lam * (x1 - x3) - y1) % p)


def aff_mul(k, P):
    acc = None
    for bit in bin(k)[2:]:
        acc = aff_add(acc, acc)
        if bit == '1':
            acc = aff_add(acc, P)
    return acc


# ---- RCB formulas, step for step as in p256.c ----
def rcb_add(P, Q):
    X1, Y1, Z1 = P
    X2, Y2, Z2 = Q
    t0 = X1 * X2 % p; t1 = Y1 * Y2 % p; t2 = Z1 * Z2 % p
    t3 = (X1 + Y1) % p; t4 = (X2 + Y2) % p; t3 = t3 * t4 % p
    t4 = (t0 + t1) % p; t3 = (t3 - t4) % p; t4 = (Y1 + Z1) % p
    X3 = (Y2 + Z2) % p; t4 = t4 * X3 % p; X3 = (t1 + t2) % p
    t4 = (t4 - X3) % p; X3 = (X1 + Z1) % p; Y3 = (X2 + Z2) % p
    X3 = X3 * Y3 % p; Y3 = (t0 + t2) % p; Y3 = (X3 - Y3) % p
    Z3 = b * t2 % p; X3 = (Y3 - Z3) % p; Z3 = (X3 + X3) % p
    X3 = (X3 + Z3) % p; Z3 = (t1 - X3) % p; X3 = (t1 + X3) % p
    Y3 = b * Y3 % p; t1 = (t2 + t2) % p; t2 = (t1 + t2) % p
    Y3 = (Y3 - t2) % p; Y3 = (Y3 - t0) % p; t1 = (Y3 + Y3) % p
    Y3 = (t1 + Y3) % p; t1 = (t0 + t0) % p; t0 = (t1 + t0) % p
    t0 = (t0 - t2) % p; t1 = t4 * Y3 % p; t2 = t0 * Y3 % p
    Y3 = X3 * Z3 % p; Y3 = (Y3 + t2) % p; X3 = X3 * t3 % p
    X3 = (X3 - t1) % p; Z3 = Z3 * t4 % p; t1 = t3 * t0 % p
    Z3 = (Z3 + t1) % p
    return (X3, Y3, Z3)


def rcb_add_mixed(P, Q):
    X1, Y1, Z1 = P
    X2, Y2 = Q
    t0 = X1 * X2 % p; t1 = Y1 * Y2 % p; t3 = (X2 + Y2) % p
    t4 = (X1 + Y1) % p; t3 = t3 * t4 % p; t4 = (t0 + t1) % p
    t3 = (t3 - t4) % p; t4 = Y2 * Z1 % p; t4 = (t4 + Y1) % p
    Y3 = X2 * Z1 % p; Y3 = (Y3 + X1) % p; Z3 = b * Z1 % p
    X3 = (Y3 - Z3) % p; Z3 = (X3 + X3) % p; X3 = (X3 + Z3) % p
    Z3 = (t1 - X3) % p; X3 = (t1 + X3) % p; Y3 = b * Y3 % p
    t1 = (Z1 + Z1) % p; t2 = (t1 + Z1) % p; Y3 = (Y3 - t2) % p
    Y3 = (Y3 - t0) % p; t1 = (Y3 + Y3) % p; Y3 = (t1 + Y3) % p
    t1 = (t0 + t0) % p; t0 = (t1 + t0) % p; t0 = (t0 - t2) % p
    t1 = t4 * Y3 % p; t2 = t0 * Y3 % p; Y3 = X3 * Z3 % p
    Y3 = (Y3 + t2) % p; X3 = X3 * t3 % p; X3 = (X3 - t1) % p
    Z3 = Z3 * t4 % p; t1 = t3 * t0 % p; Z3 = (Z3 + t1) % p
    return (X3, Y3, Z3)


def rcb_dbl(P):
    X, Y, Z = P
    t0 = X * X % p; t1 = Y * Y % p; t2 = Z * Z % p
    t3 = X * Y % p; t3 = (t3 + t3) % p; Z3 = X * Z % p
    Z3 = (Z3 + Z3) % p; Y3 = b * t2 % p; Y3 = (Y3 - Z3) % p
    X3 = (Y3 + Y3) % p; Y3 = (X3 + Y3) % p; X3 = (t1 - Y3) % p
    Y3 = (t1 + Y3) % p; Y3 = X3 * Y3 % p; X3 = X3 * t3 % p
    t3 = (t2 + t2) % p; t2 = (t2 + t3) % p; Z3 = b * Z3 % p
    Z3 = (Z3 - t2) % p; Z3 = (Z3 - t0) % p; t3 = (Z3 + Z3) % p
    Z3 = (Z3 + t3) % p; t3 = (t0 + t0) % p; t0 = (t3 + t0) % p
    t0 = (t0 - t2) % p; t0 = t0 * Z3 % p; Y3 = (Y3 + t0) % p
    t0 = Y * Z % p; t0 = (t0 + t0) % p; Z3 = t0 * Z3 % p
    X3 = (X3 - Z3) % p; Z3 = t0 * t1 % p; Z3 = (Z3 + Z3) % p
    Z3 = (Z3 + Z3) % p
    return (X3, Y3, Z3)


def to_aff(P):
    X, Y, Z = P
    if Z % p == 0:
        return None
    zi = inv(Z)
    return (X * zi % p, Y * zi % p)


def proj(A, z=1):
    if A is None:
        return (0, z, 0)
    return (A[0] * z % p, A[1] * z % p, z)


def selfcheck():
    rng = random.Random(1060)
    G = (Gx, Gy)
    assert (Gy * Gy - (Gx**3 - 3 * Gx + b)) % p == 0
    assert aff_mul(n, G) is None
    pts = [aff_mul(rng.randrange(1, n), G) for _ in range(20)]
    for A in pts:
        negA = (A[0], (-A[1]) % p)
        for Bp in pts[:5] + [A, negA, None]:
            z1, z2 = rng.randrange(1, p), rng.randrange(1, p)
            want = aff_add(A, Bp)
            assert to_aff(rcb_add(proj(A, z1), proj(Bp, z2))) == want
            assert to_aff(rcb_add(proj(Bp, z2), proj(A, z1))) == want
            # mixed: second operand affine (never the identity), first any
            assert to_aff(rcb_add_mixed(proj(Bp, z1), A)) == aff_add(Bp, A)
        assert to_aff(rcb_dbl(proj(A, rng.randrange(1, p)))) == aff_add(A, A)
    assert to_aff(rcb_dbl((0, 1, 0))) is None
    assert to_aff(rcb_add((0, 1, 0), (0, 5, 0))) is None


def limbs(x):
    return [(x >> (64 * i)) & (2**64 - 1) for i in range(4)]


def main():
    selfcheck()
    out = sys.stdout
    out.write("/*\n * Generated by crypto/p256_table_gen.py; do not edit.  Regenerate with\n"
              " *   python3 crypto/p256_table_gen.py > crypto/p256_table.h\n"
              " * For window i = 0..51 and j = 1..16: the affine point j * 2^(5i) * G on\n"
              " * P-256 (FIPS 186-4 D.1.2.3), x then y, in the Montgomery domain (times\n"
              " * 2^256 mod p), 64-bit limbs little-endian.  Included by crypto/p256.c only.\n */\n")
    out.write("static const uint64_t p256_base_table[%d][16][8] = {\n" % NWIN)
    base = (Gx, Gy)
    for i in range(NWIN):
        out.write("    {\n")
        P = None
        for j in range(1, 17):
            P = aff_add(P, base)
            x, y = P
            v = limbs(x * R % p) + limbs(y * R % p)
            out.write("        {" + ", ".join("0x%016xu" % w for w in v) + "},\n")
        out.write("    },\n")
        base = aff_mul(2**W, base)
    out.write("};\n")


if __name__ == "__main__":
    main()
