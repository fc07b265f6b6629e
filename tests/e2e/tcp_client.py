#!/usr/bin/env python3
"""TCP checks against meshdp's built-in services, from the Linux stack.
usage: tcp_client.py echo HOST PORT BYTES [CONNS]
       tcp_client.py discard HOST PORT BYTES
       tcp_client.py refused HOST PORT
       tcp_client.py halfclose HOST PORT
       tcp_client.py spoofsyn HOST PORT SRC COUNT  (raw SYNs from a source
                                                   that will never answer)"""
import hashlib
import os
import socket
import sys
import time

mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
DEADLINE = 60


def connect():
    s = socket.create_connection((host, port), timeout=10)
    s.settimeout(10)
    return s


def echo(nbytes):
    """Send nbytes of random data while reading the echo; compare."""
    data = os.urandom(nbytes)
    s = connect()
    s.setblocking(False)
    sent, got = 0, bytearray()
    t0 = time.time()
    while len(got) < nbytes:
        if time.time() - t0 > DEADLINE:
            raise SystemExit(f"echo: timeout with {sent} sent, {len(got)} back")
        if sent < nbytes:
            try:
                sent += s.send(data[sent:sent + 65536])
            except BlockingIOError:
                pass
        try:
            chunk = s.recv(262144)
            if not chunk:
                raise SystemExit(f"echo: closed after {len(got)} of {nbytes} bytes")
            got += chunk
        except BlockingIOError:
            time.sleep(0.0005)
    s.setblocking(True)
    s.shutdown(socket.SHUT_WR)
    rest = s.recv(10)
    s.close()
    if rest:
        raise SystemExit(f"echo: {len(rest)} unexpected bytes after the echo")
    if hashlib.sha256(bytes(got)).digest() != hashlib.sha256(data).digest():
        raise SystemExit("echo: data differs")
    return time.time() - t0


if mode == "echo":
    nbytes = int(sys.argv[4])
    conns = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    t = sum(echo(nbytes) for _ in range(conns))
    print(f"echo: {conns} x {nbytes} bytes intact, {t:.2f} s")
elif mode == "discard":
    nbytes = int(sys.argv[4])
    s = connect()
    chunk = os.urandom(65536)
    sent = 0
    t0 = time.time()
    while sent < nbytes:
        sent += s.send(chunk[:min(len(chunk), nbytes - sent)])
    s.shutdown(socket.SHUT_WR)
    if s.recv(10) != b"":
        raise SystemExit("discard: data came back")
    s.close()
    dt = time.time() - t0
    print(f"discard: {sent} bytes in {dt:.2f} s ({sent * 8 / dt / 1e6:.0f} Mbit/s)")
elif mode == "refused":
    try:
        connect()
    except ConnectionRefusedError:
        print("refused: RST as expected")
    else:
        raise SystemExit("refused: connection accepted")
elif mode == "halfclose":
    # Our FIN first: meshdp's echo must still send back what it holds,
    # then close its side.
    s = connect()
    msg = b"half-close " * 1000
    s.sendall(msg)
    s.shutdown(socket.SHUT_WR)
    got = bytearray()
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    s.close()
    if bytes(got) != msg:
        raise SystemExit(f"halfclose: got {len(got)} of {len(msg)} bytes")
    print("halfclose: all bytes back after our FIN, then meshdp's FIN")
elif mode == "spoofsyn":
    import struct
    src, count = sys.argv[4], int(sys.argv[5])

    def csum(b):
        if len(b) % 2:
            b += b"\0"
        t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
        while t >> 16:
            t = (t & 0xffff) + (t >> 16)
        return (~t) & 0xffff

    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sa, da = socket.inet_aton(src), socket.inet_aton(host)
    for i in range(count):
        sport = 40000 + i
        tcp = struct.pack("!HHIIBBHHH", sport, port, 1000 + i, 0, 5 << 4, 0x02, 65535, 0, 0)
        pseudo = sa + da + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xffff, 0, 64, 6, 0, sa, da)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        raw.sendto(ip + tcp, (host, 0))
    print(f"spoofsyn: {count} SYNs from {src}")
else:
    raise SystemExit(__doc__)
