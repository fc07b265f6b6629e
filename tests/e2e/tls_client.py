#!/usr/bin/env python3
"""TLS clients for the mTLS e2e tests (test_tls.sh). Every operation has a
deadline.

usage:
  tls_client.py load HOST PORT STOPFILE MAX_S CONNS REQS --cert PEM --key KEY
                [--path P]
      CONNS threads, each in a loop until STOPFILE exists (or MAX_S seconds
      have passed): a new TLS connection (full handshake: no session is
      offered) presenting the client certificate, REQS keep-alive GET
      requests on it (fewer when the time is up), close. The server's certificate is not verified
      (only recorded). Prints JSON {"requests": n, "ok": n,
      "handshakes": n, "errors": [first 20 errors], "certs": {"<sha256 of
      the server's certificate (DER)>": count}}. Exit status 0 unless the
      arguments are wrong.
"""
import hashlib
import http.client
import json
import os
import socket
import ssl
import sys
import threading
import time


class TLSConnection(http.client.HTTPConnection):
	"""http.client over a TLS socket made by ctx (certificate recorded)."""

	def __init__(self, host, port, ctx, timeout):
		super().__init__(host, port, timeout=timeout)
		self.ctx = ctx
		self.peer_der = None

	def connect(self):
		raw = socket.create_connection((self.host, self.port), self.timeout)
		self.sock = self.ctx.wrap_socket(raw, server_hostname=None)
		self.peer_der = self.sock.getpeercert(binary_form=True)


def load(a):
	host, port, stopfile, max_s, conns, reqs = a[0], int(a[1]), a[2], float(a[3]), int(a[4]), int(a[5])
	opts = dict(zip(a[6::2], a[7::2]))
	path = opts.get("--path", "/")
	ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
	ctx.check_hostname = False
	ctx.verify_mode = ssl.CERT_NONE
	ctx.load_cert_chain(opts["--cert"], opts["--key"])
	lock = threading.Lock()
	st = {"requests": 0, "ok": 0, "handshakes": 0, "errors": [], "certs": {}}
	deadline = time.monotonic() + max_s

	def done():
		return os.path.exists(stopfile) or time.monotonic() > deadline

	def worker():
		while not done():
			c = TLSConnection(host, port, ctx, 10)
			try:
				c.connect()
				fp = hashlib.sha256(c.peer_der).hexdigest()
				with lock:
					st["handshakes"] += 1
					st["certs"][fp] = st["certs"].get(fp, 0) + 1
				for _ in range(reqs):
					if done():
						break
					with lock:
						st["requests"] += 1
					c.request("GET", path, headers={"Host": "payment"})
					r = c.getresponse()
					body = r.read()
					if r.status != 200:
						raise RuntimeError("status %d: %r" % (r.status, body[:100]))
					with lock:
						st["ok"] += 1
			except Exception as e:	# every failure is a result
				with lock:
					if len(st["errors"]) < 20:
						st["errors"].append("%.3f %s" % (time.time(), repr(e)))
					else:
						st["errors"].append("...")
						del st["errors"][20:]
			finally:
				c.close()

	ts = [threading.Thread(target=worker, daemon=True) for _ in range(conns)]
	for t in ts:
		t.start()
	for t in ts:
		t.join(max_s + 30)
	print(json.dumps(st))


def main():
	a = sys.argv[1:]
	if len(a) >= 11 and a[0] == "load":
		load(a[1:])
	else:
		sys.exit(__doc__)


if __name__ == "__main__":
	main()
