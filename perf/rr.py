#!/usr/bin/env python3
"""Tiny TCP request/response probe for perf/tcp_proxy.sh.
  rr.py server ADDR PORT            echo 64-byte messages back
  rr.py client ADDR PORT SECONDS    one connection, one 64-byte request in
                                    flight at a time; prints JSON
                                    {"rps": .., "p50_us": .., "p99_us": ..}
Bounded: the client stops after SECONDS (and at most 2,000,000 requests)."""
import json, socket, sys, time

MSG = 64

def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b

def server(addr, port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port)); ls.listen(16)
    while True:
        c, _ = ls.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                c.sendall(recv_exact(c, MSG))
        except (EOFError, OSError):
            pass
        c.close()

def client(addr, port, secs):
    s = socket.create_connection((addr, port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    msg = b"x" * MSG
    for _ in range(100):  # warm-up
        s.sendall(msg); recv_exact(s, MSG)
    lat = []
    t0 = time.perf_counter(); end = t0 + secs
    while len(lat) < 2000000:
        a = time.perf_counter()
        if a >= end:
            break
        s.sendall(msg); recv_exact(s, MSG)
        lat.append(time.perf_counter() - a)
    el = time.perf_counter() - t0
    s.close()
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1e6
    print(json.dumps({"rps": len(lat) / el, "p50_us": q(0.5), "p99_us": q(0.99), "n": len(lat)}))

if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(sys.argv[2], int(sys.argv[3]))
    else:
        client(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
