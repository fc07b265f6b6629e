#!/usr/bin/env python3
"""Client side of the request-smuggling suite (test_http_smuggling.sh).

Sends each vector of smuggle_vectors.py on a fresh connection to meshdp's
http listener, reads the response(s) with a timeout, checks the close, and
checks the log of smuggle_backend.py for what reached the backend while
that vector ran (vectors run one at a time, so the log lines written
between a vector's start and its end are that vector's). Prints one line
per vector and exits 1 if any vector broke its expectation.

  smuggle_driver.py --target 198.18.0.2:80 --log BACKEND_LOG [NAME...]
"""
import argparse
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smuggle_vectors import VECTORS  # noqa: E402

READ_TIMEOUT = 3.0      # for a response
CLOSE_TIMEOUT = 2.0     # for the close after a rejection or Connection: close
SETTLE = 0.05           # before reading the backend log after a response


class Fail(Exception):
    pass


def esc(b, limit=160):
    s = repr(bytes(b[:limit]))[2:-1]
    return s + ("...(%d bytes)" % len(b) if len(b) > limit else "")


class Client:
    def __init__(self, addr):
        self.s = socket.create_connection(addr, timeout=READ_TIMEOUT)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.eof = None          # None, "eof" or "reset"
        self.send_error = None

    def send(self, raw, chunks=None):
        pieces = chunks if chunks else [raw]
        assert b"".join(pieces) == raw, "chunks do not add up to the raw bytes"
        for i, p in enumerate(pieces):
            if i:
                time.sleep(0.05)
            try:
                self.s.sendall(p)
            except OSError as e:
                # the proxy may answer and close before it has read it all
                self.send_error = str(e)
                return

    def _fill(self, deadline):
        if self.eof:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout()
        self.s.settimeout(left)
        try:
            d = self.s.recv(65536)
        except ConnectionResetError:
            self.eof = "reset"
            return False
        if not d:
            self.eof = "eof"
            return False
        self.buf += d
        return True

    def _need(self, n, deadline, what):
        while len(self.buf) < n:
            if not self._fill(deadline):
                raise Fail("connection %s in %s (have %s)" % (self.eof, what, esc(self.buf)))

    def _line(self, deadline, what):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return line
            if not self._fill(deadline):
                raise Fail("connection %s in %s (have %s)" % (self.eof, what, esc(self.buf)))

    def response(self, method, timeout=READ_TIMEOUT):
        """One response (a 1xx counts as one). Returns dict."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                i = self.buf.find(b"\r\n\r\n")
                if i >= 0:
                    break
                if not self._fill(deadline):
                    if not self.buf:
                        raise Fail("connection %s before any response" % self.eof)
                    raise Fail("connection %s in response head %s" % (self.eof, esc(self.buf)))
            head = bytes(self.buf[:i])
            del self.buf[:i + 4]
            lines = head.split(b"\r\n")
            parts = lines[0].split(b" ", 2)
            if len(parts) < 2 or parts[0] != b"HTTP/1.1" or not parts[1].isdigit():
                raise Fail("bad status line %s" % esc(lines[0]))
            status = int(parts[1])
            hdrs = []
            for ln in lines[1:]:
                n, c, v = ln.partition(b":")
                if not c or b"\n" in ln or b"\r" in ln:
                    raise Fail("bad response field line %s" % esc(ln))
                hdrs.append((n.decode("latin-1").lower(), v.strip(b" \t").decode("latin-1")))
            r = {"status": status, "headers": hdrs, "body": b"", "head": head}
            h = dict(hdrs)
            if status < 200 or method == "HEAD" or status in (204, 304):
                return r
            te = [v for n, v in hdrs if n == "transfer-encoding"]
            cl = [v for n, v in hdrs if n == "content-length"]
            if te and cl:
                raise Fail("response has both Content-Length and Transfer-Encoding")
            if te:
                if te != ["chunked"]:
                    raise Fail("response Transfer-Encoding %r" % te)
                body = bytearray()
                while True:
                    sz = self._line(deadline, "chunk size")
                    n = int(sz.split(b";")[0], 16)
                    if n == 0:
                        while self._line(deadline, "trailer"):
                            pass
                        break
                    self._need(n + 2, deadline, "chunk data")
                    body += self.buf[:n]
                    if self.buf[n:n + 2] != b"\r\n":
                        raise Fail("response chunk without CRLF")
                    del self.buf[:n + 2]
                r["body"] = bytes(body)
            elif cl:
                if len(cl) != 1 or not cl[0].isdigit():
                    raise Fail("response Content-Length %r" % cl)
                n = int(cl[0])
                self._need(n, deadline, "response body")
                r["body"] = bytes(self.buf[:n])
                del self.buf[:n]
            else:
                while self._fill(deadline):
                    pass
                r["body"] = bytes(self.buf)
                self.buf.clear()
                r["until_close"] = True
            r["connection"] = h.get("connection", "")
            return r
        except socket.timeout:
            raise Fail("no complete response within %.0f s (have %s)" % (timeout, esc(self.buf)))

    def final(self, method):
        """Skips interim (1xx) responses; returns (final, [interim statuses])."""
        interim = []
        while True:
            r = self.response(method)
            if r["status"] >= 200:
                return r, interim
            if r["status"] == 101:
                raise Fail("unexpected 101")
            interim.append(r["status"])

    def wait_close(self, timeout=CLOSE_TIMEOUT):
        """Returns (extra bytes, "eof"/"reset"/"open")."""
        deadline = time.monotonic() + timeout
        try:
            while self._fill(deadline):
                pass
        except socket.timeout:
            return bytes(self.buf), "open"
        return bytes(self.buf), self.eof

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class BackendLog:
    def __init__(self, path):
        self.path = path
        self.seen_to = 0
        self.states = {}

    def quiesce(self, timeout=CLOSE_TIMEOUT):
        """Wait until no backend connection holds part of a request (one a
        failed vector left behind is closed by the proxy, or it is not).
        Returns the ids of connections still holding one."""
        deadline = time.monotonic() + timeout
        time.sleep(SETTLE)
        while True:
            evs, self.seen_to = self.events(self.seen_to, with_end=True)
            for c, st in conn_states(evs).items():
                old = self.states.setdefault(c, {"pending": 0, "closed": False})
                if st["data"]:
                    old["pending"] = st["pending"]
                if st["closed"]:
                    old["closed"] = True
            busy = [c for c, st in self.states.items() if st["pending"] and not st["closed"]]
            if not busy or time.monotonic() > deadline:
                return busy
            time.sleep(0.05)

    def offset(self):
        return os.path.getsize(self.path)

    def events(self, off, with_end=False):
        with open(self.path, "rb") as f:
            f.seek(off)
            data = f.read()
        end = data.rfind(b"\n") + 1
        evs = [json.loads(x) for x in data[:end].splitlines() if x.strip()]
        return (evs, off + end) if with_end else evs


def conn_states(evs):
    """Per backend connection seen in evs: data?, last pending, closed?, close pending."""
    st = {}
    for e in evs:
        c = e.get("conn")
        if c is None:
            continue
        s = st.setdefault(c, {"data": False, "pending": 0, "closed": False,
                              "close_pending": "", "opened": False})
        if e["ev"] == "open":
            s["opened"] = True
        elif e["ev"] == "data":
            s["data"] = True
            s["pending"] = e["pending"]
        elif e["ev"] == "close":
            s["closed"] = True
            s["close_pending"] = e.get("pending_hex", "")
    return st


def parse_seen(r):
    h = dict(r["headers"])
    seen = h.get("x-seen")
    if seen is None:
        raise Fail("status %d without X-Seen (not from the backend): %s"
                   % (r["status"], esc(r["head"] + b"\r\n\r\n" + r["body"])))
    parts = seen.split(" ", 3)
    if len(parts) != 4 or parts[0] != "seen" or not parts[1].isdigit():
        raise Fail("malformed X-Seen %r" % seen)
    _, rid, method, target = parts
    if r.get("method") != "HEAD" and r["body"] != ("%s\n" % seen).encode("latin-1"):
        raise Fail("response body %s does not match X-Seen %r" % (esc(r["body"]), seen))
    return int(rid), method, target


def hdr_values(req, name):
    return [v for n, v in req["headers"] if n.lower() == name.lower()]


def check_backend_request(v, req):
    if req["method"] != v["method"]:
        raise Fail("backend saw method %r, expected %r" % (req["method"], v["method"]))
    if req["target"] != v["target"]:
        raise Fail("backend saw target %r, expected %r" % (req["target"], v["target"]))
    body = bytes.fromhex(req["body_hex"])
    if body != v["body"]:
        raise Fail("backend saw body %s, expected %s" % (esc(body), esc(v["body"])))
    hosts = hdr_values(req, "host")
    want = v["host"] if isinstance(v["host"], tuple) else (v["host"],)
    if len(hosts) != 1 or hosts[0] not in want:
        raise Fail("backend saw Host %r, expected %r" % (hosts, want))
    if v.get("framing") and req["framing"] != v["framing"]:
        raise Fail("backend framing %s, expected %s" % (req["framing"], v["framing"]))
    if v["method"] == "GET" and not v["body"] and req["framing"] == "chunked":
        raise Fail("a body-less GET went upstream chunked")
    for p in v.get("present", ()):
        name, val = p if isinstance(p, tuple) else (p, None)
        vals = hdr_values(req, name)
        if not vals or (val is not None and vals != [val]):
            raise Fail("backend: field %s is %r, expected %r" % (name, vals, val or "present"))
    for name in v.get("absent", ()):
        if hdr_values(req, name):
            raise Fail("backend: field %s should not have been forwarded" % name)
    if "198.18.0.1" not in ",".join(hdr_values(req, "x-forwarded-for")):
        raise Fail("backend: no X-Forwarded-For with the client")


def check_backend_clean(evs, why):
    errs = [e for e in evs if e["ev"] == "error"]
    if errs:
        raise Fail("backend parser refused what the proxy sent (%s): %s; pending %s"
                   % (why, errs[0]["reason"], esc(bytes.fromhex(errs[0]["pending_hex"]))))
    for c, s in conn_states(evs).items():
        if s["closed"] and s["close_pending"] and s["data"]:
            raise Fail("backend conn %d closed with %d bytes of an unfinished request (%s): %s"
                       % (c, len(s["close_pending"]) // 2, why,
                          esc(bytes.fromhex(s["close_pending"]))))
        if not s["closed"] and s["data"] and s["pending"]:
            raise Fail("backend conn %d holds %d stray bytes after the request (%s)"
                       % (c, s["pending"], why))


FOLLOW = "/followup?v=%s"


def follow_raw(name):
    return b"GET " + (FOLLOW % name).encode() + b" HTTP/1.1\r\nHost: svc\r\n\r\n"


def check_follow(name, r, req):
    if r["status"] != 200:
        raise Fail("follow-up got %d: %s" % (r["status"], esc(r["head"])))
    rid, m, t = parse_seen(r)
    if (m, t) != ("GET", FOLLOW % name):
        raise Fail("follow-up answered as %s %s (desync)" % (m, t))
    if req is None or req["id"] != rid or req["target"] != FOLLOW % name or req["method"] != "GET":
        raise Fail("follow-up: backend record %r does not match response id %d"
                   % (req and (req["id"], req["method"], req["target"]), rid))


def run_reject(v, addr, log):
    off = log.offset()
    c = Client(addr)
    try:
        c.send(v["raw"], v["chunks"])
        r, interim = c.final("POST")
        if r["status"] not in v["status"]:
            extra = ""
            if "x-seen" in dict(r["headers"]):
                extra = " (forwarded: %s)" % dict(r["headers"])["x-seen"]
            raise Fail("status %d, expected %s%s" % (r["status"], "/".join(map(str, v["status"])),
                                                     extra))
        if "close" not in [o.strip().lower() for o in r.get("connection", "").split(",")]:
            raise Fail("%d without Connection: close" % r["status"])
        extra, how = c.wait_close()
        if extra:
            raise Fail("bytes after the %d: %s" % (r["status"], esc(extra)))
        if how == "open":
            raise Fail("connection still open %.0f s after the %d" % (CLOSE_TIMEOUT, r["status"]))
    finally:
        c.close()
    # Backend: no complete request; a connection that got part of one is
    # closed (never reused with a half request in it).
    deadline = time.monotonic() + CLOSE_TIMEOUT
    time.sleep(SETTLE)
    while True:
        evs = log.events(off)
        reqs = [e for e in evs if e["ev"] == "request"]
        if reqs:
            raise Fail("%d request(s) reached the backend: %s %s"
                       % (len(reqs), reqs[0]["method"], reqs[0]["target"]))
        errs = [e for e in evs if e["ev"] == "error"]
        if errs:
            raise Fail("backend parser refused forwarded bytes: %s" % errs[0]["reason"])
        open_partial = [cid for cid, s in conn_states(evs).items() if s["data"] and not s["closed"]]
        if not open_partial:
            break
        if time.monotonic() > deadline:
            raise Fail("backend conn(s) %s got part of the rejected request and stayed open"
                       % open_partial)
        time.sleep(0.05)
    return "%d%s, closed (%s)" % (r["status"], " after %s" % interim if interim else "", how)


def run_forward(v, addr, log):
    notes = []
    # 1. the vector alone, then a normal request on the same connection
    off = log.offset()
    c = Client(addr)
    try:
        c.send(v["raw"], v["chunks"])
        r, interim = c.final(v["method"])
        r["method"] = v["method"]
        if interim:
            notes.append("interim %s" % interim)
        if r["status"] != 200:
            raise Fail("status %d, expected a forward (200 from the backend): %s"
                       % (r["status"], esc(r["head"] + b"\r\n\r\n" + r["body"])))
        rid, m, t = parse_seen(r)
        if (m, t) != (v["method"], v["target"]):
            raise Fail("response names %s %s, expected %s %s" % (m, t, v["method"], v["target"]))
        r2 = None
        if v["keepalive"]:
            if "close" in r.get("connection", "").lower():
                raise Fail("keep-alive expected, got Connection: %s" % r["connection"])
            if c.buf:
                raise Fail("bytes after the response: %s" % esc(c.buf))
            c.send(follow_raw(v["name"]))
            r2 = c.response("GET")
        else:
            extra, how = c.wait_close()
            if extra:
                raise Fail("bytes after the response: %s" % esc(extra))
            if how == "open":
                raise Fail("connection still open after a response that should close it")
            notes.append("closed (%s)" % how)
    finally:
        c.close()
    time.sleep(SETTLE)
    evs = log.events(off)
    reqs = [e for e in evs if e["ev"] == "request"]
    want = 2 if v["keepalive"] else 1
    if len(reqs) != want:
        raise Fail("backend saw %d requests, expected %d: %s"
                   % (len(reqs), want, [(q["method"], q["target"]) for q in reqs]))
    if reqs[0]["id"] != rid:
        raise Fail("response id %d but backend's first request is %d" % (rid, reqs[0]["id"]))
    check_backend_request(v, reqs[0])
    if r2 is not None:
        check_follow(v["name"], r2, reqs[1])
    check_backend_clean(evs, "vector then follow-up")
    if not v["keepalive"]:
        return ", ".join(["200 %s %s" % (m, t)] + notes)

    # 2. the same bytes with the normal request pipelined behind them
    off = log.offset()
    c = Client(addr)
    try:
        fr = follow_raw(v["name"])
        chunks = None
        if v["chunks"]:
            chunks = list(v["chunks"][:-1]) + [v["chunks"][-1] + fr]
        c.send(v["raw"] + fr, chunks)
        ra, _ = c.final(v["method"])
        ra["method"] = v["method"]
        rb = c.response("GET")
    except Fail as e:
        raise Fail("pipelined: %s" % e)
    finally:
        c.close()
    time.sleep(SETTLE)
    evs = log.events(off)
    reqs = [e for e in evs if e["ev"] == "request"]
    try:
        if len(reqs) != 2:
            raise Fail("backend saw %d requests, expected 2: %s"
                       % (len(reqs), [(q["method"], q["target"]) for q in reqs]))
        rid, m, t = parse_seen(ra)
        if ra["status"] != 200 or (m, t) != (v["method"], v["target"]) or reqs[0]["id"] != rid:
            raise Fail("first response %d %s %s" % (ra["status"], m, t))
        check_backend_request(v, reqs[0])
        check_follow(v["name"], rb, reqs[1])
        check_backend_clean(evs, "pipelined")
    except Fail as e:
        raise Fail("pipelined: %s" % e)
    return ", ".join(["200 %s %s" % (v["method"], v["target"]), "follow-up ok",
                      "pipelined ok"] + notes)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", default="198.18.0.2:80")
    ap.add_argument("--log", required=True)
    ap.add_argument("--deadline", type=float, default=95.0,
                    help="seconds; vectors not run by then count as failed")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    host, port = a.target.rsplit(":", 1)
    addr = (host, int(port))
    log = BackendLog(a.log)
    vecs = [v for v in VECTORS if not a.names or v["name"] in a.names]
    if a.names and len(vecs) != len(a.names):
        print("unknown vector name(s): %s" % (set(a.names) - {v["name"] for v in vecs}))
        return 2
    start = time.monotonic()
    failed, counts = [], {"reject": 0, "forward": 0}
    width = max(len(v["name"]) for v in vecs)
    for v in vecs:
        counts[v["kind"]] += 1
        if time.monotonic() - start > a.deadline:
            failed.append(v["name"])
            print("FAIL %-7s %-*s  not run: suite deadline of %.0f s passed"
                  % (v["kind"], width, v["name"], a.deadline))
            continue
        busy = log.quiesce()
        if busy:
            print("     (backend conn(s) %s still hold part of a request)" % busy)
        t0 = time.monotonic()
        try:
            what = (run_reject if v["kind"] == "reject" else run_forward)(v, addr, log)
            print("PASS %-7s %-*s  %s" % (v["kind"], width, v["name"], what))
        except (Fail, OSError) as e:
            failed.append(v["name"])
            print("FAIL %-7s %-*s  %s%s  [sent %s]" % (
                v["kind"], width, v["name"], type(e).__name__ + ": " if isinstance(e, OSError)
                else "", e, esc(v["raw"], 120)))
        sys.stdout.flush()
        if time.monotonic() - t0 > 2.5:
            print("     (%s took %.1f s)" % (v["name"], time.monotonic() - t0))
    print("%d vectors (%d reject, %d forward): %d passed, %d failed in %.1f s"
          % (len(vecs), counts["reject"], counts["forward"], len(vecs) - len(failed),
             len(failed), time.monotonic() - start))
    if failed:
        print("failed: %s" % " ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
