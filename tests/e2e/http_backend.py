#!/usr/bin/env python3
"""An HTTP/1.1 backend for the proxy's e2e tests, for what nginx cannot do.

usage: http_backend.py serve ADDR PORT[,PORT...] LOGFILE
       http_backend.py gensha BYTES [SEED]

serve: accept connections on ADDR:PORT (each port), keep-alive, one
  thread per connection, until killed. Every accepted connection and every
  request head received is appended to LOGFILE as one JSON line:
    {"ev": "conn", "lport": 8090, "conn": 3, "peer": "198.18.1.2:40001"}
    {"ev": "req", "lport": 8090, "conn": 3, "peer": "...", "n": 1,
     "head": "GET /x HTTP/1.1\\r\\nHost: ...\\r\\n\\r\\n"}
  ("head" is the exact bytes, decoded as latin-1; "n" the request's number
  on its connection). Requests:
    GET /gen?n=BYTES[&chunked=1][&seed=S]
        a deterministic body of BYTES bytes (gensha gives its SHA-256),
        with Content-Length, or chunked in chunks of varying sizes
    GET /sleep?ms=MS   answer 200 "slept MS\\n" after MS milliseconds
    Upgrade (Connection: upgrade + Upgrade: x)
        101 Switching Protocols, then echo every byte until the peer
        half-closes, then close
    anything else      200 with a JSON body describing the request:
        {"lport", "conn", "peer", "n", "method", "target", "version",
         "headers": [[name, value], ...], "body_len", "body_sha256"}
  A request body (Content-Length or chunked, trailers allowed) is read
  whole and hashed; "Expect: 100-continue" gets "100 Continue" first.
  Malformed framing closes the connection (and is logged, "ev": "error").
gensha: print "<sha256 hex> <bytes>" of the /gen body for BYTES and SEED
  (default 1), for the client to compare with what it received.
"""
import hashlib
import json
import random
import socket
import sys
import threading
import time
import urllib.parse

BLOCK = (1 << 20) + 13	# odd period: a shifted or repeated piece shows
CHUNK_SIZES = (1, 7, 100, 4096, 65536, 65537, 1000, 31)
MAX_HEAD = 1 << 16


def gen_block(seed):
	return random.Random(seed).randbytes(BLOCK)


def gen_pieces(nbytes, seed, sizes=(65536,)):
	"""The /gen body as successive pieces whose sizes cycle over sizes."""
	block = memoryview(gen_block(seed))
	pos, i = 0, 0
	while nbytes > 0:
		want = min(sizes[i % len(sizes)], nbytes)
		i += 1
		piece = bytearray()
		while len(piece) < want:
			off = pos % BLOCK
			k = min(want - len(piece), BLOCK - off)
			piece += block[off:off + k]
			pos += k
		nbytes -= want
		yield bytes(piece)


def gensha(nbytes, seed):
	h = hashlib.sha256()
	for p in gen_pieces(nbytes, seed, (1 << 20,)):
		h.update(p)
	return h.hexdigest()


class Closed(Exception):
	pass


class Conn:
	"""A buffered reader over a socket."""

	def __init__(self, sock):
		self.sock = sock
		self.buf = bytearray()

	def fill(self):
		d = self.sock.recv(1 << 20)
		if not d:
			raise Closed()
		self.buf += d

	def head(self):
		"""The next head (through CRLF CRLF), or None at a clean EOF."""
		while True:
			i = self.buf.find(b"\r\n\r\n")
			if i >= 0:
				h = bytes(self.buf[:i + 4])
				del self.buf[:i + 4]
				return h
			if len(self.buf) > MAX_HEAD:
				raise ValueError("head too large")
			try:
				self.fill()
			except Closed:
				if self.buf:
					raise ValueError("EOF inside a head")
				return None

	def line(self):
		while True:
			i = self.buf.find(b"\r\n")
			if i >= 0:
				ln = bytes(self.buf[:i])
				del self.buf[:i + 2]
				return ln
			if len(self.buf) > 8192:
				raise ValueError("line too long")
			self.fill()

	def exact(self, n, h):
		"""Read n bytes into hash h."""
		while n > 0:
			if not self.buf:
				self.fill()
			k = min(n, len(self.buf))
			h.update(self.buf[:k])
			del self.buf[:k]
			n -= k


def parse_head(raw):
	lines = raw[:-4].decode("latin-1").split("\r\n")
	method, target, version = lines[0].split(" ")
	headers = []
	for ln in lines[1:]:
		name, _, value = ln.partition(":")
		if not name or name != name.strip():
			raise ValueError(f"bad field line {ln!r}")
		headers.append((name, value.strip()))
	return method, target, version, headers


def hget(headers, name):
	vals = [v for n, v in headers if n.lower() == name]
	return ", ".join(vals) if vals else None


def serve(addr, ports, logfile):
	lock = threading.Lock()
	log = open(logfile, "a", buffering=1)
	nconn = [0]

	def record(obj):
		with lock:
			log.write(json.dumps(obj) + "\n")

	def respond(c, status, reason, body, ctype="text/plain", close=False):
		h = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\n"
		     f"Content-Length: {len(body)}\r\n")
		if close:
			h += "Connection: close\r\n"
		c.sock.sendall(h.encode() + b"\r\n" + body)

	def handle(sock, lport, cid, peer):
		sock.settimeout(300)
		c = Conn(sock)
		n = 0
		try:
			while True:
				raw = c.head()
				if raw is None:
					break
				n += 1
				record({"ev": "req", "lport": lport, "conn": cid, "peer": peer, "n": n,
					"head": raw.decode("latin-1")})
				method, target, version, headers = parse_head(raw)
				conn_opts = [o.strip().lower() for o in (hget(headers, "connection") or "").split(",")]
				close = "close" in conn_opts or (version == "HTTP/1.0" and "keep-alive" not in conn_opts)
				te = hget(headers, "transfer-encoding")
				cl = hget(headers, "content-length")
				hb = hashlib.sha256()
				blen = 0
				if (te or cl) and (hget(headers, "expect") or "").lower() == "100-continue":
					sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
				if te is not None:
					if te.lower() != "chunked" or cl is not None:
						raise ValueError(f"Transfer-Encoding {te!r}, Content-Length {cl!r}")
					while True:
						size = c.line().split(b";")[0]
						k = int(size, 16)
						if k == 0:
							while c.line() != b"":
								pass
							break
						c.exact(k, hb)
						blen += k
						if c.line() != b"":
							raise ValueError("no CRLF after chunk data")
				elif cl is not None:
					blen = int(cl)
					c.exact(blen, hb)
				u = urllib.parse.urlsplit(target)
				q = dict(urllib.parse.parse_qsl(u.query))
				if "upgrade" in conn_opts and hget(headers, "upgrade"):
					sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
						      f"Upgrade: {hget(headers, 'upgrade')}\r\n\r\n").encode())
					if c.buf:
						sock.sendall(bytes(c.buf))
					while True:
						d = sock.recv(1 << 20)
						if not d:
							break
						sock.sendall(d)
					sock.shutdown(socket.SHUT_WR)
					break
				if u.path == "/gen":
					nb, seed = int(q.get("n", "0")), int(q.get("seed", "1"))
					if q.get("chunked") == "1":
						sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
							     b"Transfer-Encoding: chunked\r\n" +
							     (b"Connection: close\r\n" if close else b"") + b"\r\n")
						for p in gen_pieces(nb, seed, CHUNK_SIZES):
							sock.sendall(b"%x\r\n" % len(p) + p + b"\r\n")
						sock.sendall(b"0\r\n\r\n")
					else:
						sock.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
							     f"Content-Length: {nb}\r\n".encode() +
							     (b"Connection: close\r\n" if close else b"") + b"\r\n")
						for p in gen_pieces(nb, seed):
							sock.sendall(p)
				elif u.path == "/sleep":
					ms = int(q.get("ms", "0"))
					time.sleep(ms / 1000)
					respond(c, 200, "OK", f"slept {ms}\n".encode(), close=close)
				else:
					body = json.dumps({"lport": lport, "conn": cid, "peer": peer, "n": n,
							   "method": method, "target": target, "version": version,
							   "headers": headers, "body_len": blen,
							   "body_sha256": hb.hexdigest()}).encode() + b"\n"
					respond(c, 200, "OK", body, "application/json", close)
				if close:
					break
		except (Closed, OSError) as e:
			if n and c.buf:
				record({"ev": "error", "lport": lport, "conn": cid, "error": repr(e)})
		except ValueError as e:
			record({"ev": "error", "lport": lport, "conn": cid, "error": str(e)})
		try:
			sock.close()
		except OSError:
			pass

	def accept_loop(ls, lport):
		while True:
			s, a = ls.accept()
			with lock:
				nconn[0] += 1
				cid = nconn[0]
			peer = f"{a[0]}:{a[1]}"
			record({"ev": "conn", "lport": lport, "conn": cid, "peer": peer})
			threading.Thread(target=handle, args=(s, lport, cid, peer), daemon=True).start()

	threads = []
	for p in ports:
		ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
		ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		ls.bind((addr, p))
		ls.listen(1024)
		t = threading.Thread(target=accept_loop, args=(ls, p), daemon=True)
		t.start()
		threads.append(t)
	for t in threads:
		t.join()


def main():
	a = sys.argv[1:]
	if len(a) == 4 and a[0] == "serve":
		serve(a[1], [int(p) for p in a[2].split(",")], a[3])
	elif len(a) in (2, 3) and a[0] == "gensha":
		n = int(a[1])
		print(gensha(n, int(a[2]) if len(a) == 3 else 1), n)
	else:
		sys.exit(__doc__)


if __name__ == "__main__":
	main()
