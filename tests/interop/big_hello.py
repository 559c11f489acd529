#!/usr/bin/env python3
"""A raw TLS 1.2 client for tests/interop_hello.test.sh: it sends ClientHellos
that OpenSSL's s_client cannot make (up to the largest well-formed size, cut
into records with {03,XX} record versions) to a running `tern server --echo`,
then completes the handshake itself with the RSA key exchange
(TLS_RSA_WITH_AES_128_GCM_SHA256, RFC 5246 §7.4.7.1, RFC 5288) and checks a
line is echoed.  The key exchange, PRF, Finished and record protection are
written here from the RFCs, over the `cryptography` package's RSA and
AES-GCM, so the server is checked against a client tern did not write.

Usage: big_hello.py PORT CASE     (CASE: see CASES below)
Prints one line; exit 0 when the server behaved as the case expects.
"""
import hashlib
import hmac
import os
import socket
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SUITE = 0x009C  # TLS_RSA_WITH_AES_128_GCM_SHA256


def ext(t, body):
    return struct.pack(">HH", t, len(body)) + body


def vec16(b):
    return struct.pack(">H", len(b)) + b


def hello(case, random):
    suites = [SUITE]
    sid = b""
    comp = b"\x00"
    exts = [
        ext(0, vec16(b"\x00" + vec16(b"localhost"))),  # server_name
        ext(13, vec16(struct.pack(">HH", 0x0804, 0x0401))),  # signature_algorithms
        ext(0xFF01, b"\x00"),  # renegotiation_info
    ]
    if case == "sigalgs65000":
        schemes = b"".join(struct.pack(">H", 0xFE00 + i % 200) for i in range(32498))
        exts[1] = ext(13, vec16(schemes + struct.pack(">HH", 0x0804, 0x0401)))
    if case == "many-extensions":
        exts += [ext(0x4000 + i, b"") for i in range(16000)]
    if case == "largest":
        suites = [0x1300 + i % 64 + 0x100 * (i % 3) for i in range(32766)] + [SUITE]
        sid = b"\x5a" * 32
        comp = bytes(range(255))  # holds the null method (0)
    if case in ("padding65531", "largest"):
        used = sum(len(e) for e in exts)
        exts.append(ext(21, b"\x00" * (0xFFFF - used - 4)))
    body = (b"\x03\x03" + random + bytes([len(sid)]) + sid + vec16(b"".join(struct.pack(">H", s) for s in suites))
            + bytes([len(comp)]) + comp + vec16(b"".join(exts)))
    return b"\x01" + struct.pack(">I", len(body))[1:] + body


def records(msg, frag, version):
    out = b""
    for o in range(0, len(msg), frag):
        piece = msg[o:o + frag]
        out += struct.pack(">BHH", 22, version, len(piece)) + piece
    return out


def prf(secret, label, seed, n):
    # RFC 5246 §5, P_SHA256
    out, a = b"", label + seed
    while len(out) < n:
        a = hmac.new(secret, a, hashlib.sha256).digest()
        out += hmac.new(secret, a + label + seed, hashlib.sha256).digest()
    return out[:n]


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def read(self, n):
        while len(self.buf) < n:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("connection closed")
            self.buf += d
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def record(self):
        t, v, n = struct.unpack(">BHH", self.read(5))
        return t, v, self.read(n)


def main():
    port, case = int(sys.argv[1]), sys.argv[2]
    c = Conn(port)
    client_random = os.urandom(32)
    ch = hello(case, client_random)
    frag, version = {"sigalgs65000": (16384, 0x0301), "padding65531": (20, 0x0301),
                     "largest": (16384, 0x0300), "many-extensions": (1000, 0x0302)}[case]
    c.s.sendall(records(ch, frag, version))
    transcript = ch
    # The server's flight, message by message.
    hs = b""
    msgs = []
    while not msgs or msgs[-1][0] != 14:  # ServerHelloDone
        t, v, body = c.record()
        if t == 21:
            print("big_hello %s: the server sent alert %d" % (case, body[1]))
            return 1
        assert t == 22, "record type %d" % t
        hs += body
        while len(hs) >= 4 and len(hs) >= 4 + int.from_bytes(hs[1:4], "big"):
            n = 4 + int.from_bytes(hs[1:4], "big")
            msgs.append((hs[0], hs[:n]))
            hs = hs[n:]
    for _, m in msgs:
        transcript += m
    sh = msgs[0][1]
    assert msgs[0][0] == 2 and sh[4:6] == b"\x03\x03", "ServerHello"
    server_random = sh[6:38]
    sid_len = sh[38]
    assert struct.unpack(">H", sh[39 + sid_len:41 + sid_len])[0] == SUITE, "suite"
    cert_msg = [m for t, m in msgs if t == 11][0]
    leaf_len = int.from_bytes(cert_msg[7:10], "big")
    leaf = x509.load_der_x509_certificate(cert_msg[10:10 + leaf_len])
    # Client Certificate (empty) if asked, ClientKeyExchange.
    out = b""
    if any(t == 13 for t, _ in msgs):
        empty = b"\x0b\x00\x00\x03\x00\x00\x00"
        out += empty
        transcript += empty
    pms = b"\x03\x03" + os.urandom(46)
    enc = leaf.public_key().encrypt(pms, padding.PKCS1v15())
    cke = b"\x10" + struct.pack(">I", len(enc) + 2)[1:] + vec16(enc)
    out += cke
    transcript += cke
    master = prf(pms, b"master secret", client_random + server_random, 48)
    kb = prf(master, b"key expansion", server_random + client_random, 40)
    ckey, skey, civ, siv = kb[0:16], kb[16:32], kb[32:36], kb[36:40]
    fin = b"\x14\x00\x00\x0c" + prf(master, b"client finished", hashlib.sha256(transcript).digest(), 12)
    transcript_c = transcript + fin
    c.s.sendall(struct.pack(">BHH", 22, 0x0303, len(out)) + out + b"\x14\x03\x03\x00\x01\x01")

    seq = [0, 0]

    def seal(t, data):
        explicit = struct.pack(">Q", seq[0])
        aad = struct.pack(">QBHH", seq[0], t, 0x0303, len(data))
        seq[0] += 1
        ct = AESGCM(ckey).encrypt(civ + explicit, data, aad)
        return struct.pack(">BHH", t, 0x0303, 8 + len(ct)) + explicit + ct

    def open_(t, rec):
        aad = struct.pack(">QBHH", seq[1], t, 0x0303, len(rec) - 24)
        seq[1] += 1
        return AESGCM(skey).decrypt(siv + rec[:8], rec[8:], aad)

    c.s.sendall(seal(22, fin))
    t, _, body = c.record()
    if t == 21:
        print("big_hello %s: the server sent alert %d after our Finished" % (case, body[1]))
        return 1
    assert t == 20, "CCS expected, got %d" % t
    t, _, body = c.record()
    sfin = open_(22, body)
    want = b"\x14\x00\x00\x0c" + prf(master, b"server finished", hashlib.sha256(transcript_c).digest(), 12)
    assert sfin == want, "server Finished"
    line = b"hello through a %d-byte ClientHello\n" % len(ch)
    c.s.sendall(seal(23, line))
    got = b""
    while len(got) < len(line):
        t, _, body = c.record()
        assert t == 23, "record type %d" % t
        got += open_(23, body)
    assert got == line, "echo"
    print("big_hello %s: %d-byte ClientHello in %d-byte records of version 0x%04x: handshake done, echo ok"
          % (case, len(ch), frag, version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
