#!/usr/bin/env python3
"""Bulk transfers with SHA-256 at both ends, for tests through tcp_proxy.

usage: tcp_bulk.py server ADDR UP_PORT DOWN_PORT BYTES OUTDIR
       tcp_bulk.py upload HOST PORT BYTES DEADLINE_S
       tcp_bulk.py download HOST PORT BYTES DEADLINE_S

server: on UP_PORT, read each connection to its end, hashing, then send
  "<sha256 hex> <bytes>\\n" back and close; on DOWN_PORT, send BYTES of
  random data, hashing, then close. Each result is also written to
  OUTDIR/up.N or OUTDIR/down.N as "<sha256 hex> <bytes>", for the test to
  compare with what the client saw. Runs until killed.
upload: send BYTES of random data, half-close, read the server's line;
  print "upload <sha> <bytes> <seconds> <Mbit/s>" and fail unless the
  server saw the same hash and count.
download: read to the end; print "download <sha> <bytes> <seconds>
  <Mbit/s>"; fail unless BYTES arrived.
Every client operation is bounded by DEADLINE_S: a stalled transfer is a
failure, never a hang.
"""
import hashlib
import os
import socket
import sys
import threading
import time

CHUNK = 1 << 20


def serve(addr, up_port, down_port, nbytes, outdir):
    count = {"up": 0, "down": 0}
    lock = threading.Lock()

    def record(kind, sha, n):
        with lock:
            count[kind] += 1
            path = os.path.join(outdir, f"{kind}.{count[kind]}")
        with open(path + ".tmp", "w") as f:
            f.write(f"{sha} {n}\n")
        os.rename(path + ".tmp", path)

    def up(conn):
        conn.settimeout(300)
        h, n = hashlib.sha256(), 0
        buf = bytearray(CHUNK)
        try:
            while True:
                k = conn.recv_into(buf)
                if k == 0:
                    break
                h.update(memoryview(buf)[:k])
                n += k
            record("up", h.hexdigest(), n)
            conn.sendall(f"{h.hexdigest()} {n}\n".encode())
        except OSError as e:
            record("up", f"error:{e.__class__.__name__}", n)
        conn.close()

    def down(conn):
        conn.settimeout(300)
        h, n = hashlib.sha256(), 0
        try:
            while n < nbytes:
                chunk = os.urandom(min(CHUNK, nbytes - n))
                h.update(chunk)
                conn.sendall(chunk)
                n += len(chunk)
            conn.shutdown(socket.SHUT_WR)
            record("down", h.hexdigest(), n)
            conn.recv(1)	# the client's FIN
        except OSError as e:
            record("down", f"error:{e.__class__.__name__}", n)
        conn.close()

    def accept_loop(port, fn):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(64)
        while True:
            conn, _ = ls.accept()
            threading.Thread(target=fn, args=(conn,), daemon=True).start()

    threading.Thread(target=accept_loop, args=(up_port, up), daemon=True).start()
    accept_loop(down_port, down)


def connect(host, port, deadline):
    s = socket.create_connection((host, port), timeout=10)
    s.settimeout(max(1.0, deadline - time.time()))
    return s


def upload(host, port, nbytes, limit):
    t0 = time.time()
    deadline = t0 + limit
    s = connect(host, port, deadline)
    h, n = hashlib.sha256(), 0
    try:
        while n < nbytes:
            chunk = os.urandom(min(CHUNK, nbytes - n))
            h.update(chunk)
            s.settimeout(max(0.1, deadline - time.time()))
            s.sendall(chunk)
            n += len(chunk)
        s.shutdown(socket.SHUT_WR)
        reply = b""
        while not reply.endswith(b"\n"):
            s.settimeout(max(0.1, deadline - time.time()))
            k = s.recv(256)
            if not k:
                break
            reply += k
    except socket.timeout:
        raise SystemExit(f"upload: no progress by the deadline ({limit} s): {n} of {nbytes} bytes sent")
    dt = time.time() - t0
    s.close()
    want = f"{h.hexdigest()} {n}"
    if reply.decode(errors="replace").strip() != want:
        raise SystemExit(f"upload: sent {want}, server saw {reply!r}")
    print(f"upload {h.hexdigest()} {n} {dt:.2f} {n * 8 / dt / 1e6:.0f}")


def download(host, port, nbytes, limit):
    t0 = time.time()
    deadline = t0 + limit
    s = connect(host, port, deadline)
    h, n = hashlib.sha256(), 0
    buf = bytearray(CHUNK)
    try:
        while True:
            s.settimeout(max(0.1, deadline - time.time()))
            k = s.recv_into(buf)
            if k == 0:
                break
            h.update(memoryview(buf)[:k])
            n += k
    except socket.timeout:
        raise SystemExit(f"download: no end by the deadline ({limit} s): {n} of {nbytes} bytes")
    dt = time.time() - t0
    s.close()
    if n != nbytes:
        raise SystemExit(f"download: {n} of {nbytes} bytes")
    print(f"download {h.hexdigest()} {n} {dt:.2f} {n * 8 / dt / 1e6:.0f}")


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    mode = sys.argv[1]
    if mode == "server" and len(sys.argv) == 7:
        serve(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    elif mode in ("upload", "download") and len(sys.argv) == 6:
        fn = upload if mode == "upload" else download
        fn(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
