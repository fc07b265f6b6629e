#!/usr/bin/env python3
"""HTTP clients for the proxy's e2e tests. Every operation has a deadline.

usage:
  http_client.py split HOST PORT N CONNS [--host H] [--path P] [--close]
                 [-H 'Name: value']...
      N GET requests over CONNS keep-alive connections at once (http.client,
      one thread each; --close: a new connection per request, with
      Connection: close). Prints JSON {"bodies": {body: count},
      "status": {code: count}, "connections": k, "errors": [...]}.
  http_client.py exchange HOST PORT [--wait S] [--responses N [--eof]] PART
                 [--sleep S] PART...
      Send each PART (a string with Python escapes: 'GET / HTTP/1.1\\r\\n...')
      in one write, sleeping S seconds where --sleep says, then read
      responses until EOF, or until N responses have come (with --eof: and
      then the EOF), or S seconds (default 10) have passed. Prints
      JSON {"responses": [{"status", "reason", "headers": [[n, v]],
      "body"}], "eof": bool, "rest": unparsed bytes, "seconds": t}.
  http_client.py upgrade HOST PORT BYTES [DEADLINE_S]
      Upgrade (websocket), expect 101, send BYTES random bytes while
      reading them back, half-close, expect the echo to be equal and then
      EOF. Prints "upgrade ok BYTES SECONDS".
  http_client.py upgrades HOST PORT K
      K short tunnels in a row: upgrade, 10 bytes echoed, close().
"""
import codecs
import http.client
import json
import os
import socket
import sys
import threading
import time


def parse_responses(buf, eof):
	"""Complete responses at the front of buf; returns (list, used)."""
	out, pos = [], 0
	while True:
		i = buf.find(b"\r\n\r\n", pos)
		if i < 0:
			break
		lines = buf[pos:i].decode("latin-1").split("\r\n")
		ver, _, rest = lines[0].partition(" ")
		code, _, reason = rest.partition(" ")
		status = int(code)
		headers = [(n, v.strip()) for n, _, v in (ln.partition(":") for ln in lines[1:])]
		hd = {n.lower(): v for n, v in headers}
		p = i + 4
		if 100 <= status < 200 and status != 101:
			out.append({"status": status, "reason": reason, "headers": headers, "body": ""})
			pos = p
			continue
		if status in (101, 204, 304):
			body = b""
		elif hd.get("transfer-encoding", "").lower() == "chunked":
			body = bytearray()
			while True:
				j = buf.find(b"\r\n", p)
				if j < 0:
					return out, pos
				k = int(buf[p:j].split(b";")[0], 16)
				if k == 0:
					e = buf.find(b"\r\n\r\n", j)
					if e < 0:
						return out, pos
					p = e + 4
					break
				if len(buf) < j + 2 + k + 2:
					return out, pos
				body += buf[j + 2:j + 2 + k]
				p = j + 2 + k + 2
			body = bytes(body)
		elif "content-length" in hd:
			k = int(hd["content-length"])
			if len(buf) < p + k:
				break
			body = buf[p:p + k]
			p += k
		else:
			if not eof:
				break
			body = buf[p:]
			p = len(buf)
		out.append({"status": status, "reason": reason, "headers": headers,
			    "body": body.decode("latin-1")})
		pos = p
		if status == 101:
			break
	return out, pos


def exchange(host, port, args):
	wait, want, want_eof, parts = 10.0, None, False, []
	i = 0
	while i < len(args):
		if args[i] == "--wait":
			wait = float(args[i + 1]); i += 2
		elif args[i] == "--responses":
			want = int(args[i + 1]); i += 2
		elif args[i] == "--eof":
			want_eof = True; i += 1
		elif args[i] == "--sleep":
			parts.append(float(args[i + 1])); i += 2
		else:
			parts.append(codecs.escape_decode(args[i].encode())[0]); i += 1
	t0 = time.monotonic()
	deadline = t0 + wait
	s = socket.create_connection((host, port), timeout=wait)
	for p in parts:
		if isinstance(p, float):
			time.sleep(p)
		else:
			s.sendall(p)
	buf, eof, got = b"", False, []
	while True:
		left = deadline - time.monotonic()
		if left <= 0:
			break
		s.settimeout(left)
		try:
			d = s.recv(1 << 20)
		except socket.timeout:
			break
		except ConnectionResetError:
			eof = "reset"
			break
		if not d:
			eof = True
			break
		buf += d
		got, _ = parse_responses(buf, False)
		if want is not None and len(got) >= want and not want_eof:
			break
	got, used = parse_responses(buf, eof is True)
	s.close()
	print(json.dumps({"responses": got, "eof": eof, "rest": buf[used:].decode("latin-1"),
			  "seconds": round(time.monotonic() - t0, 3)}))


def split(host, port, n, conns, args):
	vhost, path, close, hdrs = None, "/", False, {}
	i = 0
	while i < len(args):
		if args[i] == "--host":
			vhost = args[i + 1]; i += 2
		elif args[i] == "--path":
			path = args[i + 1]; i += 2
		elif args[i] == "--close":
			close = True; i += 1
		elif args[i] == "-H":
			k, _, v = args[i + 1].partition(":")
			hdrs[k.strip()] = v.strip(); i += 2
		else:
			sys.exit(f"unknown argument {args[i]}")
	if vhost:
		hdrs["Host"] = vhost
	if close:
		hdrs["Connection"] = "close"
	lock = threading.Lock()
	res = {"bodies": {}, "status": {}, "connections": 0, "errors": []}

	def worker(count):
		c = None
		for _ in range(count):
			try:
				if c is None:
					c = http.client.HTTPConnection(host, port, timeout=10)
					with lock:
						res["connections"] += 1
				c.request("GET", path, headers=hdrs)
				r = c.getresponse()
				body = r.read().decode("latin-1")
				with lock:
					res["bodies"][body] = res["bodies"].get(body, 0) + 1
					res["status"][r.status] = res["status"].get(r.status, 0) + 1
				if close or r.will_close:
					c.close()
					c = None
			except (OSError, http.client.HTTPException) as e:
				with lock:
					res["errors"].append(repr(e))
				if c is not None:
					c.close()
				c = None
		if c is not None:
			c.close()

	ts = [threading.Thread(target=worker, args=(n // conns + (1 if k < n % conns else 0),))
	      for k in range(conns)]
	for t in ts:
		t.start()
	for t in ts:
		t.join()
	res["errors"] = res["errors"][:10]
	print(json.dumps(res))


def upgrade(host, port, nbytes, deadline):
	t0 = time.monotonic()
	s = socket.create_connection((host, port), timeout=deadline)
	s.sendall(b"GET /ws HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\n"
		  b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
		  b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	buf = b""
	while b"\r\n\r\n" not in buf:
		d = s.recv(65536)
		if not d:
			sys.exit(f"EOF before the 101: {buf!r}")
		buf += d
	head, _, rest = buf.partition(b"\r\n\r\n")
	if not head.startswith(b"HTTP/1.1 101 "):
		sys.exit(f"expected 101, got {head!r}")
	hl = head.lower()
	if b"\r\nupgrade: websocket" not in hl or b"\r\nconnection: upgrade" not in hl:
		sys.exit(f"101 without Connection/Upgrade: {head!r}")
	data = os.urandom(nbytes)
	err = []

	def sender():
		try:
			mv = memoryview(data)
			for off in range(0, nbytes, 16384):
				s.sendall(mv[off:off + 16384])
			s.shutdown(socket.SHUT_WR)
		except OSError as e:
			err.append(e)

	t = threading.Thread(target=sender)
	t.start()
	got = bytearray(rest)
	eof = False
	while time.monotonic() - t0 < deadline:
		s.settimeout(max(0.1, deadline - (time.monotonic() - t0)))
		try:
			d = s.recv(1 << 20)
		except socket.timeout:
			break
		except ConnectionResetError:
			sys.exit(f"connection reset by meshdp after {len(got)} of {nbytes} bytes echoed"
				 f"{', all sent' if not t.is_alive() and not err else ''}")
		if not d:
			eof = True
			break
		got += d
	t.join(timeout=1)
	s.close()
	if err:
		sys.exit(f"send failed: {err[0]!r}")
	if not eof and len(got) < nbytes and bytes(got) == data[:len(got)]:
		sys.exit(f"stalled: {len(got)} of {nbytes} bytes echoed (all equal) within {deadline} s")
	if bytes(got) != data:
		sys.exit(f"echo differs: sent {nbytes} bytes, got {len(got)} (equal prefix "
			 f"{next((i for i in range(min(len(got), nbytes)) if got[i] != data[i]), min(len(got), nbytes))})")
	if not eof:
		sys.exit(f"no EOF within {deadline} s after the half-close ({len(got)} of {nbytes} bytes echoed)")
	print(f"upgrade ok {nbytes} {time.monotonic() - t0:.2f}")


def upgrades(host, port, k):
	"""k short tunnels in a row: upgrade, 10 bytes echoed, then close()."""
	for i in range(k):
		s = socket.create_connection((host, port), timeout=5)
		s.sendall(b"GET /ws HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\n"
			  b"Upgrade: websocket\r\n\r\n")
		buf = b""
		while b"\r\n\r\n" not in buf:
			d = s.recv(65536)
			if not d:
				sys.exit(f"tunnel {i}: EOF before the 101: {buf!r}")
			buf += d
		head, _, got = buf.partition(b"\r\n\r\n")
		if not head.startswith(b"HTTP/1.1 101 "):
			sys.exit(f"tunnel {i}: expected 101, got {head!r}")
		msg = b"%010d" % i
		s.sendall(msg)
		while len(got) < len(msg):
			d = s.recv(65536)
			if not d:
				break
			got += d
		s.close()
		if got != msg:
			sys.exit(f"tunnel {i}: sent {msg!r}, got {got!r}")
	print(f"{k} tunnels ok")


def main():
	a = sys.argv[1:]
	if len(a) >= 5 and a[0] == "split":
		split(a[1], int(a[2]), int(a[3]), int(a[4]), a[5:])
	elif len(a) >= 3 and a[0] == "exchange":
		exchange(a[1], int(a[2]), a[3:])
	elif len(a) == 4 and a[0] == "upgrades":
		upgrades(a[1], int(a[2]), int(a[3]))
	elif len(a) in (4, 5) and a[0] == "upgrade":
		upgrade(a[1], int(a[2]), int(a[3]), float(a[4]) if len(a) == 5 else 30)
	else:
		sys.exit(__doc__)


if __name__ == "__main__":
	main()
