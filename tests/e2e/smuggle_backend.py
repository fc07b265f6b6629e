#!/usr/bin/env python3
"""A strict, recording HTTP/1.1 backend for the request-smuggling suite.

Raw sockets, no frameworks: it listens (default 198.18.1.1:8081), keeps
connections alive, and writes one JSON object per line to the log (-l),
flushed before anything is sent back, so that a reader who has a response
in hand also has its log lines:

  {"ev": "open",    "conn": C, "peer": "a.b.c.d:p"}
  {"ev": "data",    "conn": C, "hex": "...", "pending": N}
        every byte received, as it came; pending = bytes buffered that are
        not (yet) part of a complete request after this read
  {"ev": "request", "conn": C, "id": I, "seq": S, "method": ..., "target":
        ..., "version": ..., "headers": [[name, value], ...], "framing":
        "none" | "cl" | "chunked", "body_hex": decoded body, "trailers":
        [...], "raw_hex": the request's bytes exactly as framed}
  {"ev": "error",   "conn": C, "reason": ...}   the backend's own parser
        refused what it received: answered 400 and closed
  {"ev": "close",   "conn": C, "pending_hex": bytes of an unfinished request}

Every request gets "200 OK" with the body "seen I METHOD TARGET\n" and the
same text in X-Seen (I is the global request id of the log), so a response
names the request the backend saw. "Expect: 100-continue" first gets a
"100 Continue". The parser is deliberately as strict as RFC 9112 allows
(CRLF only, tokens, one Content-Length of digits, Transfer-Encoding exactly
"chunked", never both, one Host, chunk sizes in hex with CRLF after data):
what the proxy forwards must pass it, so that the backend's framing and the
proxy's can be compared.
"""
import argparse
import json
import socket
import sys
import threading
import time

TCHAR = frozenset(b"!#$%&'*+-.^_`|~0123456789"
                  b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
HEXDIG = frozenset(b"0123456789abcdefABCDEF")
MAX_HEAD = 1 << 20


class Bad(Exception):
    pass


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)
        self.lock = threading.Lock()
        self.next_id = 0

    def ev(self, **kw):
        kw["t"] = round(time.time(), 6)
        line = json.dumps(kw)
        with self.lock:
            self.f.write(line + "\n")
            self.f.flush()

    def new_id(self):
        with self.lock:
            self.next_id += 1
            return self.next_id


def is_token(b):
    return len(b) > 0 and all(c in TCHAR for c in b)


def check_line_ends(buf, end):
    """No bare CR or bare LF in buf[:end]."""
    for i in range(end):
        c = buf[i]
        if c == 0x0A and (i == 0 or buf[i - 1] != 0x0D):
            raise Bad("bare LF in head")
        if c == 0x0D and i + 1 < len(buf) and buf[i + 1] != 0x0A:
            raise Bad("bare CR in head")


def parse_head(buf):
    """Returns None (need more) or a dict; raises Bad."""
    idx = buf.find(b"\r\n\r\n")
    if idx < 0:
        check_line_ends(buf, len(buf))
        if len(buf) > MAX_HEAD:
            raise Bad("head too large")
        return None
    head_len = idx + 4
    check_line_ends(buf, head_len)
    lines = bytes(buf[:idx]).split(b"\r\n")
    rl = lines[0]
    parts = rl.split(b" ")
    if len(parts) != 3:
        raise Bad("request line: %r" % rl)
    method, target, version = parts
    if not is_token(method):
        raise Bad("method %r" % method)
    if not target or any(c <= 0x20 or c >= 0x7F for c in target):
        raise Bad("target %r" % target)
    if version not in (b"HTTP/1.1", b"HTTP/1.0"):
        raise Bad("version %r" % version)
    headers = []
    for ln in lines[1:]:
        if ln[:1] in (b" ", b"\t"):
            raise Bad("obs-fold or leading whitespace: %r" % ln)
        colon = ln.find(b":")
        if colon <= 0:
            raise Bad("field line without name or colon: %r" % ln)
        name = ln[:colon]
        if not is_token(name):
            raise Bad("field name %r" % name)
        value = ln[colon + 1:].strip(b" \t")
        if any((c < 0x20 and c != 0x09) or c == 0x7F for c in value):
            raise Bad("control byte in value of %r" % name)
        headers.append((name, value))
    h = {"head_len": head_len, "method": method, "target": target,
         "version": version, "headers": headers}
    lower = [(n.lower(), v) for n, v in headers]
    cls = [v for n, v in lower if n == b"content-length"]
    tes = [v for n, v in lower if n == b"transfer-encoding"]
    hosts = [v for n, v in lower if n == b"host"]
    if version == b"HTTP/1.1" and len(hosts) != 1:
        raise Bad("%d Host fields" % len(hosts))
    if cls and tes:
        raise Bad("Content-Length and Transfer-Encoding")
    if len(tes) > 1 or len(cls) > 1:
        raise Bad("repeated framing field")
    if tes:
        if tes[0].lower() != b"chunked":
            raise Bad("Transfer-Encoding %r" % tes[0])
        h["framing"] = "chunked"
    elif cls:
        v = cls[0]
        if not v or not all(0x30 <= c <= 0x39 for c in v) or len(v) > 18:
            raise Bad("Content-Length %r" % v)
        h["framing"] = "cl"
        h["cl"] = int(v)
    else:
        h["framing"] = "none"
    h["expect"] = any(n == b"expect" and v.lower() == b"100-continue"
                      for n, v in lower)
    h["close"] = any(n == b"connection" and b"close" in
                     [o.strip(b" \t").lower() for o in v.split(b",")]
                     for n, v in lower)
    return h


def parse_chunked(buf, pos):
    """Decode a chunked body at buf[pos:]. Returns None (need more) or
    (end, body, trailers); raises Bad."""
    body = bytearray()
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            if b"\n" in buf[pos:] or len(buf) - pos > 4096:
                raise Bad("chunk line")
            return None
        line = bytes(buf[pos:eol])
        size_s, _, ext = line.partition(b";")
        if not size_s or not all(c in HEXDIG for c in size_s):
            raise Bad("chunk size %r" % line)
        if any(c < 0x20 and c != 0x09 for c in ext) or b"\r" in ext or b"\n" in ext:
            raise Bad("chunk extension %r" % line)
        if len(size_s.lstrip(b"0")) > 15:
            raise Bad("chunk size too large %r" % line)
        size = int(size_s, 16)
        pos = eol + 2
        if size == 0:
            break
        if len(buf) < pos + size + 2:
            return None
        body += buf[pos:pos + size]
        pos += size
        if buf[pos:pos + 2] != b"\r\n":
            raise Bad("no CRLF after chunk data")
        pos += 2
    trailers = []
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            check_line_ends(buf[pos:], len(buf) - pos)
            return None
        line = bytes(buf[pos:eol])
        if b"\n" in line or b"\r" in line:
            raise Bad("bare CR/LF in trailer")
        pos = eol + 2
        if not line:
            return pos, bytes(body), trailers
        name, colon, value = line.partition(b":")
        if not colon or not is_token(name):
            raise Bad("trailer line %r" % line)
        if name.lower() in (b"content-length", b"transfer-encoding", b"host"):
            raise Bad("framing field in trailer")
        trailers.append((name, value.strip(b" \t")))


def s(b):
    return b.decode("latin-1")


def serve(conn, cid, log):
    buf = bytearray()
    head = None
    continued = False
    seq = 0
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                log.ev(ev="close", conn=cid, pending_hex=bytes(buf).hex())
                return
            buf += data
            out = bytearray()
            close_after = False
            bad = None
            try:
                while not close_after:
                    if head is None:
                        head = parse_head(buf)
                        if head is None:
                            break
                        continued = False
                    pos = head["head_len"]
                    if head["expect"] and not continued:
                        continued = True
                        out += b"HTTP/1.1 100 Continue\r\n\r\n"
                    if head["framing"] == "chunked":
                        r = parse_chunked(buf, pos)
                        if r is None:
                            break
                        end, body, trailers = r
                    elif head["framing"] == "cl":
                        end = pos + head["cl"]
                        if len(buf) < end:
                            break
                        body, trailers = bytes(buf[pos:end]), []
                    else:
                        end, body, trailers = pos, b"", []
                    seq += 1
                    rid = log.new_id()
                    m, t = s(head["method"]), s(head["target"])
                    log.ev(ev="request", conn=cid, id=rid, seq=seq, method=m, target=t,
                           version=s(head["version"]),
                           headers=[[s(n), s(v)] for n, v in head["headers"]],
                           framing=head["framing"], body_hex=body.hex(),
                           trailers=[[s(n), s(v)] for n, v in trailers],
                           raw_hex=bytes(buf[:end]).hex())
                    seen = ("seen %d %s %s" % (rid, m, t)).encode("latin-1")
                    text = seen + b"\n"
                    out += (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                            b"X-Seen: " + seen + b"\r\n"
                            b"Content-Length: " + str(len(text)).encode() + b"\r\n")
                    if head["close"]:
                        out += b"Connection: close\r\n"
                        close_after = True
                    out += b"\r\n"
                    if head["method"] != b"HEAD":
                        out += text
                    del buf[:end]
                    head = None
            except Bad as e:
                bad = str(e)
            # Logged before anything is sent: whoever holds a response
            # also finds this read's lines in the log.
            log.ev(ev="data", conn=cid, hex=data.hex(), pending=len(buf))
            if bad is not None:
                log.ev(ev="error", conn=cid, reason=bad, pending_hex=bytes(buf).hex())
                log.ev(ev="close", conn=cid, pending_hex=bytes(buf).hex(), by="backend")
                out += (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                        b"Connection: close\r\n\r\n")
                close_after = True
            elif close_after:
                log.ev(ev="close", conn=cid, pending_hex=bytes(buf).hex(), by="backend")
            if out:
                conn.sendall(out)
            if close_after:
                return
    except OSError as e:
        log.ev(ev="close", conn=cid, pending_hex=bytes(buf).hex(), error=str(e))
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-a", "--address", default="198.18.1.1")
    ap.add_argument("-p", "--port", type=int, default=8081)
    ap.add_argument("-l", "--log", required=True, help="JSON-lines log file")
    a = ap.parse_args()
    log = Log(a.log)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.address, a.port))
    ls.listen(128)
    log.ev(ev="listen", address="%s:%d" % (a.address, a.port))
    cid = 0
    while True:
        c, peer = ls.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        cid += 1
        log.ev(ev="open", conn=cid, peer="%s:%d" % peer)
        threading.Thread(target=serve, args=(c, cid, log), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
