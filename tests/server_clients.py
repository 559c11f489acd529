#!/usr/bin/env python3
"""Misbehaving (and one well-behaved) TLS clients for the `tern server` tests
(tests/server_slow.test.sh, server_faults.test.sh, server_leak.test.sh).

    server_clients.py MODE PORT [SECONDS]

Each mode connects to 127.0.0.1:PORT, does its one thing, and prints one line
"MODE: RESULT at=T elapsed=E" (T the Unix time the server closed, E the
seconds from the start that mode measures from); exit 0 when the server did
what the mode expects, else 1.  SECONDS bounds how long a mode waits for the
server (default 20).

  good        handshake, send a line, read it back, close_notify (the echo server)
  silent      connect and send nothing: the server must close (handshake deadline)
  slow-hello  send a ClientHello one byte a second: the server must close
  no-read     handshake, then send without ever reading the echo: the server
              must close once nothing moves (idle timeout); E counts from the
              end of the handshake (the server stalls within milliseconds: the
              echo fills this client's small receive buffer)
  vanish      handshake, then nothing at all: closed at the idle timeout
  reset       send a ClientHello, read the start of the reply, then reset (RST)
  garbage     send bytes that are not TLS: the server must answer with an alert
              or close
  alert       send a ClientHello, then a fatal alert: the server closes
  noclose     handshake and one echo, then close the TCP connection without
              close_notify
  refused     connect: the server must close at once, before any byte (over
              --max-connections); E is how long that took
"""
import select
import socket
import ssl
import struct
import sys
import time

HOST = "127.0.0.1"


def context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # these clients test the server's loop, not its certificate
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def client_hello():
    """The bytes of a ClientHello record, made by Python's own TLS stack."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = context().wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def connect(port, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, rcvbuf)
    s.connect((HOST, port))
    return s


def wait_closed(s, limit):
    """Read (and drop) until the server closes; the time it did, or None."""
    s.settimeout(0.2)
    end = time.time() + limit
    while time.time() < end:
        try:
            if s.recv(65536) == b"":
                return time.time()
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
            return time.time()
    return None


def report(mode, ok, result, at, start):
    print("%s: %s at=%.2f elapsed=%.2f" % (mode, result, at or time.time(), (at or time.time()) - start))
    sys.stdout.flush()
    return 0 if ok else 1


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 20.0
    start = time.time()

    if mode == "good":
        with socket.create_connection((HOST, port), timeout=limit) as raw:
            tls = context().wrap_socket(raw, server_hostname="localhost")
            tls.sendall(b"hello event loop\n")
            got = b""
            while not got.endswith(b"\n"):
                piece = tls.recv(100)
                if not piece:
                    break
                got += piece
            tls.unwrap()  # close_notify both ways
        ok = got == b"hello event loop\n"
        return report(mode, ok, "echoed" if ok else "wrong echo %r" % got, time.time(), start)

    if mode in ("silent", "slow-hello"):
        s = connect(port)
        if mode == "silent":
            at = wait_closed(s, limit)
        else:
            at = None
            s.setblocking(False)
            for b in client_hello():
                try:
                    s.send(bytes([b]))
                except (ConnectionResetError, BrokenPipeError):
                    at = time.time()
                    break
                at = wait_closed(s, 1.0)
                if at is not None or time.time() - start > limit:
                    break
        return report(mode, at is not None, "closed by the server" if at else "still open", at, start)

    if mode == "no-read":
        s = connect(port, rcvbuf=4096)
        tls = context().wrap_socket(s, server_hostname="localhost")
        tls.setblocking(False)
        chunk, at = b"x" * 4096, None
        start = time.time()
        p = select.poll()
        p.register(tls.fileno(), select.POLLOUT)
        while time.time() - start < limit:
            ev = p.poll(200)
            if ev and ev[0][1] & (select.POLLERR | select.POLLHUP):
                at = time.time()
                break
            if ev and ev[0][1] & select.POLLOUT:
                try:
                    tls.send(chunk)
                except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
                    pass
                except (ConnectionResetError, BrokenPipeError, ssl.SSLError, OSError):
                    at = time.time()
                    break
        return report(mode, at is not None, "closed by the server" if at else "still open", at, start)

    if mode == "vanish":
        s = connect(port)
        tls = context().wrap_socket(s, server_hostname="localhost")
        start = time.time()  # the idle timeout counts from the end of the handshake
        at = wait_closed(tls, limit)
        return report(mode, at is not None, "closed by the server" if at else "still open", at, start)

    if mode == "reset":
        s = connect(port)
        s.sendall(client_hello())
        s.settimeout(limit)
        first = s.recv(5)  # the ServerHello record's header: the server is mid-handshake
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()  # linger 0: RST
        return report(mode, len(first) == 5, "reset after %d bytes" % len(first), time.time(), start)

    if mode == "garbage":
        s = connect(port)
        s.sendall(b"GET / HTTP/1.0\r\nHost: not-tls\r\n\r\n" + bytes(range(256)))
        s.settimeout(limit)
        got = b""
        try:
            while True:
                piece = s.recv(4096)
                if not piece:
                    break
                got += piece
        except ConnectionResetError:
            pass
        at = time.time()
        alert = got[:1] == b"\x15"
        return report(mode, True, "alert %s" % got[5:7].hex() if alert else "closed, %d bytes" % len(got), at, start)

    if mode == "alert":
        s = connect(port)
        s.sendall(client_hello())
        s.sendall(bytes([21, 3, 3, 0, 2, 2, 40]))  # fatal handshake_failure (RFC 5246 §7.2)
        at = wait_closed(s, limit)
        return report(mode, at is not None, "closed by the server" if at else "still open", at, start)

    if mode == "noclose":
        s = connect(port)
        tls = context().wrap_socket(s, server_hostname="localhost")
        tls.sendall(b"bye\n")
        got = tls.recv(100)
        tls.close()  # Python's close sends no close_notify
        return report(mode, got == b"bye\n", "closed without close_notify", time.time(), start)

    if mode == "refused":
        s = connect(port)
        at = wait_closed(s, limit)
        ok = at is not None and at - start < 1.0
        return report(mode, ok, "closed at once" if ok else "not refused", at, start)

    print("unknown mode " + mode, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ssl.SSLError) as e:
        print("%s: error %s" % (sys.argv[1], e))
        sys.exit(1)
