#!/usr/bin/python3
"""Crafted TCP segments against meshdp's echo service (scapy).

usage: tcp_adversarial.py IFACE MESHCTL SOCKET CASE [ARGS]

Runs in the client namespace (198.18.0.1 on IFACE); meshdp is 198.18.0.2
with echo on port 7. Two kinds of peer:
  - a real Linux connection (a socket of this process), whose state is read
    from the segments sniffed on IFACE, with crafted segments injected into
    it: the connection must survive them and keep echoing exactly what the
    Linux side sends;
  - a scapy-only peer, 198.18.0.50 with the made-up MAC 02:00:00:00:00:50:
    its frames are not addressed to the namespace's kernel, which therefore
    never answers them with RSTs, and the sniffer (promiscuous) sees them.
Counters come from `meshctl --json stats`. Each case prints what it saw and
exits non-zero on the first wrong behaviour.

cases:
  rst        RST in the window but not at RCV.NXT: challenge ACK, survives
             (RFC 5961 3.2); then a RST exactly at RCV.NXT resets
  syn        SYN on an established connection: challenge ACK, survives
             (RFC 5961 4.2)
  ack        ACK of data never sent (above SND.MAX), carrying data: dropped,
             data not delivered, survives (RFC 5961 5.2, RFC 9293 3.10.7.4);
             ACK more than a window behind: challenge ACK, dropped
  ratelimit  40 in-window RSTs at once: challenge ACKs limited per
             connection (RFC 5961 7), and another connection still gets its
             own (no global limit: CVE-2016-5696)
  checksum   data with a bad TCP checksum: dropped, counted, not delivered
  overlap    out-of-order, overlapping and duplicate segments: the echo is
             the message, byte for byte, once
  tinymss    48 connections at once whose SYNs say MSS 1..48: the MSS is
             clamped to 48, so every echoed segment but the last carries
             exactly 48 bytes (CVE-2019-11479: no tiny segments)
  synflood N SYNs from one spoofed peer, with N bounded, while a Linux
             client keeps connecting: it always gets through (SYN cookies
             once the backlog is full)
  synflood-nocookies N   the same with tcp.syncookies = false: the excess
             is dropped and counted (tcp_syn_backlog_full)
"""
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time

from scapy.all import ARP, IP, TCP, AsyncSniffer, Ether, Raw, conf

conf.verb = 0

DP_IP, CL_IP = "198.18.0.2", "198.18.0.1"
FAKE_IP, FAKE_MAC = "198.18.0.50", "02:00:00:00:00:50"
ECHO = 7
INJECT_TTL = 33

IFACE, MESHCTL, SOCK, CASE = sys.argv[1:5]
ARGS = sys.argv[5:]


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def say(msg):
    print(msg, flush=True)


def mctl(*args):
    out = subprocess.run([MESHCTL, "-s", SOCK, "--json", *args], check=True,
                         capture_output=True, text=True, timeout=10).stdout
    return json.loads(out)["result"]


def stats():
    return mctl("stats")["total"]


def delta(before, after, name):
    return after.get(name, 0) - before.get(name, 0)


DP_MAC = [p["mac"] for p in mctl("ports")["ports"] if p["address"].startswith(DP_IP + "/")][0]
CL_MAC = open(f"/sys/class/net/{IFACE}/address").read().strip()


class Wire:
    """Sniffs TCP and ARP on IFACE (promiscuous); sends raw frames."""

    def __init__(self, bpf="tcp or arp"):
        self.pkts = []
        self.lock = threading.Lock()
        self.out = conf.L2socket(iface=IFACE)
        self.sniffer = AsyncSniffer(iface=IFACE, filter=bpf, prn=self._rx, store=False,
                                    promisc=True)
        self.sniffer.start()
        time.sleep(0.7)	# the capture socket is open

    def _rx(self, p):
        if ARP in p and p[ARP].op == 1 and p[ARP].pdst == FAKE_IP:
            self.send(Ether(src=FAKE_MAC, dst=p[ARP].hwsrc) /
                      ARP(op=2, hwsrc=FAKE_MAC, psrc=FAKE_IP, hwdst=p[ARP].hwsrc,
                          pdst=p[ARP].psrc))
        with self.lock:
            self.pkts.append(p)

    def mark(self):
        with self.lock:
            return len(self.pkts)

    def since(self, mark, pred=lambda p: True):
        with self.lock:
            return [p for p in self.pkts[mark:] if pred(p)]

    def wait(self, mark, pred, timeout=2.0, count=1):
        end = time.time() + timeout
        while time.time() < end:
            got = self.since(mark, pred)
            if len(got) >= count:
                return got
            time.sleep(0.01)
        return self.since(mark, pred)

    def send(self, frame):
        self.out.send(frame)

    def close(self):
        self.sniffer.stop()
        self.out.close()


def from_dp(port):
    """Segments meshdp sends to the peer's port."""
    return lambda p: (TCP in p and p[IP].src == DP_IP and p[TCP].dport == port)


def plen(p):
    return len(p[TCP].payload)


# ---- a real Linux connection, observed ----

class LinuxConn:
    def __init__(self, wire):
        self.w = wire
        self.s = socket.create_connection((DP_IP, ECHO), timeout=5)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.port = self.s.getsockname()[1]
        self.sent = bytearray()
        self.got = bytearray()
        self.roundtrip(b"hello meshdp")

    def roundtrip(self, data):
        """Send data, read its echo; the echoed stream must match exactly."""
        self.s.sendall(data)
        self.sent += data
        end = time.time() + 5
        while len(self.got) < len(self.sent) and time.time() < end:
            chunk = self.s.recv(65536)
            if not chunk:
                fail(f"port {self.port}: echo closed after {len(self.got)} bytes")
            self.got += chunk
        if self.got != self.sent:
            fail(f"port {self.port}: echo stream differs ({len(self.got)} bytes back "
                 f"for {len(self.sent)}; tail {bytes(self.got[-20:])!r})")
        time.sleep(0.15)	# meshdp's last ACK and our ACK have passed

    def state(self):
        """meshdp's SND.NXT and RCV.NXT (= our next sequence number), and
        its window, from the last segment each side sent."""
        mine = [p for p in self.w.since(0) if TCP in p and p[IP].src == CL_IP and
                p[TCP].sport == self.port and p[IP].dst == DP_IP and p[IP].ttl != INJECT_TTL]
        theirs = [p for p in self.w.since(0) if from_dp(self.port)(p)]
        if not mine or not theirs:
            fail(f"port {self.port}: nothing sniffed")
        t = theirs[-1]
        m = mine[-1]
        flags = int(t[TCP].flags)
        snd_nxt = (t[TCP].seq + plen(t) + (1 if flags & 1 else 0)) & 0xffffffff
        rcv_nxt = t[TCP].ack
        my_nxt = (m[TCP].seq + plen(m) + (1 if int(m[TCP].flags) & 1 else 0)) & 0xffffffff
        if my_nxt != rcv_nxt:
            fail(f"port {self.port}: our next seq {my_nxt} != meshdp's ack {rcv_nxt}")
        return snd_nxt, rcv_nxt, t[TCP].window

    def inject(self, bad_csum=False, **tcp):
        """A crafted segment on this connection's 4-tuple (TTL 33 marks it)."""
        payload = tcp.pop("load", None)
        seg = TCP(sport=self.port, dport=ECHO, **tcp)
        frame = Ether(src=CL_MAC, dst=DP_MAC) / IP(src=CL_IP, dst=DP_IP, ttl=INJECT_TTL) / seg
        if payload is not None:
            frame = frame / Raw(payload)
        raw = bytearray(bytes(frame))
        if bad_csum:
            raw[14 + 20 + 16] ^= 0x5a	# the TCP checksum, now wrong
        self.w.send(bytes(raw))

    def close(self):
        self.s.close()


def pure_ack_to(port, ack):
    return lambda p: (from_dp(port)(p) and int(p[TCP].flags) == 0x10 and plen(p) == 0 and
                      p[TCP].ack == ack)


def expect_challenge(c, what, before):
    snd_nxt, rcv_nxt, _ = c.state()
    got = c.w.wait(before, pure_ack_to(c.port, rcv_nxt), timeout=1.0)
    if not got:
        fail(f"{what}: no challenge ACK (ACK={rcv_nxt}) from meshdp")
    if got[0][TCP].seq != snd_nxt:
        fail(f"{what}: challenge ACK has SEQ={got[0][TCP].seq}, want SND.NXT={snd_nxt}")
    return got


def conn_listed(port):
    return any(x["remote"] == f"{CL_IP}:{port}" for x in mctl("conns")["conns"])


# ---- a scapy-only peer ----

class FakePeer:
    """198.18.0.50:sport, driven entirely from here."""

    def __init__(self, wire, sport=None, mss=1460, seq=None):
        self.w = wire
        self.sport = sport or random.randint(20000, 60000)
        self.isn = seq if seq is not None else random.randint(0, 2**32 - 1)
        self.nxt = (self.isn + 1) & 0xffffffff
        mark = wire.mark()
        self.tx(flags="S", seq=self.isn, ack=0, options=[("MSS", mss)])
        sa = wire.wait(mark, lambda p: from_dp(self.sport)(p) and int(p[TCP].flags) == 0x12,
                       timeout=3)
        if not sa:
            fail(f"fake peer :{self.sport}: no SYN-ACK")
        self.irs = sa[0][TCP].seq
        self.rcv = (self.irs + 1) & 0xffffffff
        self.synack = sa[0]
        self.tx(flags="A")

    def tx(self, flags="A", seq=None, ack=None, load=None, options=None):
        """Send a segment; one at SND.NXT (seq None) advances it."""
        seg = TCP(sport=self.sport, dport=ECHO, flags=flags,
                  seq=self.nxt if seq is None else seq,
                  ack=self.rcv if ack is None else ack, window=65535,
                  options=options or [])
        frame = Ether(src=FAKE_MAC, dst=DP_MAC) / IP(src=FAKE_IP, dst=DP_IP) / seg
        if load:
            frame = frame / Raw(load)
            if seq is None:
                self.nxt = (self.nxt + len(load)) & 0xffffffff
        self.w.send(frame)

    def data_from_dp(self, mark):
        return [p for p in self.w.since(mark, from_dp(self.sport)) if plen(p) > 0]

    def collect(self, mark, nbytes, timeout=5.0):
        """Reassemble what meshdp sends from our RCV start, byte by byte,
        ACKing as it goes. Returns (bytes in order, data segments seen).
        Two segments that disagree on a byte fail the run."""
        end = time.time() + timeout
        have = {}
        while True:
            segs = self.data_from_dp(mark)
            for p in segs:
                off = (p[TCP].seq - self.rcv) & 0xffffffff
                for k, byte in enumerate(bytes(p[TCP].payload)):
                    if have.setdefault(off + k, byte) != byte:
                        fail(f":{self.sport}: meshdp sent two values for byte {off + k}")
            n = 0
            while n in have:
                n += 1
            self.tx(flags="A", ack=(self.rcv + n) & 0xffffffff)
            if n >= nbytes or time.time() > end:
                return bytes(have[i] for i in range(n)), segs
            time.sleep(0.05)


def seed_arp(wire):
    """meshdp learns 198.18.0.50 from a request for its own address."""
    wire.send(Ether(src=FAKE_MAC, dst="ff:ff:ff:ff:ff:ff") /
              ARP(op=1, hwsrc=FAKE_MAC, psrc=FAKE_IP, pdst=DP_IP))
    time.sleep(0.1)


# ---- the cases ----

def case_rst():
    w = Wire(f"tcp port {ECHO}")
    c = LinuxConn(w)
    s0 = stats()
    snd_nxt, rcv_nxt, win = c.state()
    mark = w.mark()
    c.inject(flags="R", seq=(rcv_nxt + min(1000, max(1, win // 2))) & 0xffffffff)
    expect_challenge(c, "in-window RST", mark)
    s1 = stats()
    if delta(s0, s1, "tcp_challenge_acks") != 1 or delta(s0, s1, "tcp_rst_received") != 0:
        fail(f"in-window RST: challenge_acks +{delta(s0, s1, 'tcp_challenge_acks')}, "
             f"rst_received +{delta(s0, s1, 'tcp_rst_received')}")
    c.roundtrip(b"still here after an in-window RST")
    say("ok: RST with SEQ in the window but not RCV.NXT: challenge ACK, connection survives")
    # A RST far outside the window: dropped without an answer.
    snd_nxt, rcv_nxt, win = c.state()
    mark = w.mark()
    c.inject(flags="R", seq=(rcv_nxt + 0x40000000) & 0xffffffff)
    time.sleep(0.5)
    if w.since(mark, from_dp(c.port)):
        fail("out-of-window RST was answered")
    c.roundtrip(b"and after an out-of-window RST")
    say("ok: RST outside the window: dropped silently, connection survives")
    # Exactly RCV.NXT: the connection is reset (RFC 5961 3.2, first case).
    snd_nxt, rcv_nxt, win = c.state()
    s0 = stats()
    c.inject(flags="R", seq=rcv_nxt)
    time.sleep(0.3)
    s1 = stats()
    if delta(s0, s1, "tcp_rst_received") != 1 or conn_listed(c.port):
        fail(f"RST at RCV.NXT: rst_received +{delta(s0, s1, 'tcp_rst_received')}, "
             f"still listed: {conn_listed(c.port)}")
    say("ok: RST at RCV.NXT resets the connection")
    c.close()
    w.close()


def case_syn():
    w = Wire(f"tcp port {ECHO}")
    c = LinuxConn(w)
    for what, off in (("in-window SYN", 7), ("SYN below the window", -100000)):
        s0 = stats()
        snd_nxt, rcv_nxt, win = c.state()
        mark = w.mark()
        c.inject(flags="S", seq=(rcv_nxt + off) & 0xffffffff,
                 options=[("MSS", 1460)])
        got = w.wait(mark, pure_ack_to(c.port, rcv_nxt), timeout=1.0)
        if not got:
            fail(f"{what}: no ACK back (RFC 5961 4.2: challenge ACK for any SYN)")
        bad = w.since(mark, lambda p: from_dp(c.port)(p) and int(p[TCP].flags) & 0x06)
        if bad:
            fail(f"{what}: meshdp answered with {bad[0][TCP].flags}")
        s1 = stats()
        c.roundtrip(f"alive after {what}".encode())
        if conn_listed(c.port) is False:
            fail(f"{what}: connection gone")
        say(f"ok: {what} on ESTABLISHED: ACK back (challenge_acks "
            f"+{delta(s0, s1, 'tcp_challenge_acks')}, out_of_window "
            f"+{delta(s0, s1, 'tcp_out_of_window')}), connection survives")
    c.close()
    w.close()


def case_ack():
    w = Wire(f"tcp port {ECHO}")
    c = LinuxConn(w)
    # ACK of data meshdp never sent, carrying data at RCV.NXT.
    snd_nxt, rcv_nxt, win = c.state()
    s0 = stats()
    mark = w.mark()
    c.inject(flags="PA", seq=rcv_nxt, ack=(snd_nxt + 100000) & 0xffffffff, load=b"EVIL")
    time.sleep(0.3)
    s1 = stats()
    if delta(s0, s1, "tcp_bad_ack") != 1:
        fail(f"ACK above SND.MAX: tcp_bad_ack +{delta(s0, s1, 'tcp_bad_ack')}")
    if any(b"EVIL" in bytes(p[TCP].payload) for p in w.since(mark, from_dp(c.port))):
        fail("ACK above SND.MAX: its data was echoed")
    answered = len(w.since(mark, pure_ack_to(c.port, rcv_nxt)))
    c.roundtrip(b"the stream goes on without EVIL")
    say(f"ok: ACK above SND.MAX with data: dropped, data not delivered, "
        f"{answered} ACK(s) back, connection survives")
    # ACK far below SND.UNA - MAX.SND.WND (RFC 5961 5.2): challenge ACK.
    snd_nxt, rcv_nxt, win = c.state()
    s0 = stats()
    mark = w.mark()
    c.inject(flags="PA", seq=rcv_nxt, ack=(snd_nxt - 0x20000000) & 0xffffffff, load=b"OLD!")
    expect_challenge(c, "ACK a window behind", mark)
    time.sleep(0.2)
    s1 = stats()
    if any(b"OLD!" in bytes(p[TCP].payload) for p in w.since(mark, from_dp(c.port))):
        fail("ACK a window behind: its data was echoed")
    c.roundtrip(b"and without OLD! either")
    say(f"ok: ACK more than a window behind: challenge ACK "
        f"(+{delta(s0, s1, 'tcp_challenge_acks')}), data dropped, connection survives")
    c.close()
    w.close()


def case_ratelimit():
    w = Wire(f"tcp port {ECHO}")
    a = LinuxConn(w)
    b = LinuxConn(w)
    limit = int(ARGS[0]) if ARGS else 10
    snd_nxt, rcv_nxt, win = a.state()
    s0 = stats()
    mark = w.mark()
    for i in range(40):
        a.inject(flags="R", seq=(rcv_nxt + 1 + i) & 0xffffffff)
    time.sleep(0.5)
    sent = len(w.since(mark, pure_ack_to(a.port, rcv_nxt)))
    s1 = stats()
    limited = delta(s0, s1, "tcp_challenge_acks_limited")
    if sent > 2 * limit or limited < 40 - 2 * limit or \
            delta(s0, s1, "tcp_challenge_acks") + limited != 40:
        fail(f"40 in-window RSTs: {sent} challenge ACKs seen, "
             f"challenge_acks +{delta(s0, s1, 'tcp_challenge_acks')}, limited +{limited} "
             f"(limit {limit}/s)")
    # Another connection is not affected by the first one's budget.
    snd_nxt, rcv_nxt, win = b.state()
    mark = w.mark()
    b.inject(flags="R", seq=(rcv_nxt + 5) & 0xffffffff)
    expect_challenge(b, "second connection's in-window RST", mark)
    a.roundtrip(b"a survives")
    b.roundtrip(b"b survives")
    say(f"ok: 40 in-window RSTs: {sent} challenge ACKs, {limited} limited "
        f"(per connection, {limit}/s); another connection still gets its own")
    a.close()
    b.close()
    w.close()


def case_checksum():
    w = Wire(f"tcp port {ECHO}")
    c = LinuxConn(w)
    snd_nxt, rcv_nxt, win = c.state()
    s0 = stats()
    mark = w.mark()
    c.inject(flags="PA", seq=rcv_nxt, ack=snd_nxt, load=b"BADSUM", bad_csum=True)
    time.sleep(0.3)
    s1 = stats()
    if delta(s0, s1, "tcp_bad_checksum") != 1:
        fail(f"bad checksum: tcp_bad_checksum +{delta(s0, s1, 'tcp_bad_checksum')}")
    if w.since(mark, from_dp(c.port)):
        fail("bad checksum: meshdp answered the segment")
    c.roundtrip(b"no BADSUM in this stream")
    say("ok: segment with a bad checksum: dropped silently, counted, not delivered")
    c.close()
    w.close()


def case_overlap():
    w = Wire(f"tcp and host {FAKE_IP} or arp")
    seed_arp(w)
    msg = os.urandom(6000)
    # (start, end) pieces in the order sent: out of order, overlapping on
    # both sides, duplicates inside held data and of delivered data.
    pieces = [(1000, 1600), (1400, 2200), (2100, 2900), (500, 700), (3000, 4400),
              (2900, 3100), (0, 1200), (650, 1700), (4400, 5800), (4300, 4500),
              (0, 100), (5700, 6000), (5000, 6000)]
    p = FakePeer(w, mss=1460)
    s0 = stats()
    mark = w.mark()
    for a, b in pieces:
        p.tx(flags="PA", seq=(p.nxt + a) & 0xffffffff, load=msg[a:b])
        time.sleep(0.02)
    p.nxt = (p.nxt + len(msg)) & 0xffffffff
    got, segs = p.collect(mark, len(msg))
    time.sleep(0.5)
    got, segs = p.collect(mark, len(msg), timeout=0.5)
    s1 = stats()
    if got != msg:
        fail(f"overlap: echo has {len(got)} bytes in order, differs from the "
             f"{len(msg)} sent")
    top = max(((q[TCP].seq - p.rcv) & 0xffffffff) + plen(q) for q in segs)
    if top != len(msg):
        fail(f"overlap: meshdp sent bytes up to offset {top}, the message has {len(msg)}")
    say(f"ok: {len(pieces)} out-of-order, overlapping and duplicate segments: the echo is "
        f"the {len(msg)} bytes once (ooo_bytes +{delta(s0, s1, 'tcp_ooo_bytes')}, "
        f"dup_data +{delta(s0, s1, 'tcp_dup_data')})")
    p.tx(flags="R")
    w.close()


def case_tinymss():
    """48 connections at once, with MSS 1, 2, .., 48 in their SYNs, each
    echoing 1000 bytes."""
    w = Wire(f"tcp and host {FAKE_IP} or arp")
    seed_arp(w)
    s0 = stats()
    n, size = 48, 1000
    mark = w.mark()
    peers = {}
    for mss in range(1, n + 1):
        sport = 30000 + mss
        isn = random.randint(0, 2**32 - 1)
        peers[sport] = {"mss": mss, "isn": isn, "msg": os.urandom(size)}
        w.send(Ether(src=FAKE_MAC, dst=DP_MAC) / IP(src=FAKE_IP, dst=DP_IP) /
               TCP(sport=sport, dport=ECHO, flags="S", seq=isn, options=[("MSS", mss)]))
    w.wait(mark, lambda p: TCP in p and p[IP].src == DP_IP and int(p[TCP].flags) == 0x12,
           timeout=3, count=n)
    for q in w.since(mark, lambda p: TCP in p and p[IP].src == DP_IP and
                     int(p[TCP].flags) == 0x12):
        peers[q[TCP].dport].setdefault("rcv", (q[TCP].seq + 1) & 0xffffffff)
    missing = [pp["mss"] for pp in peers.values() if "rcv" not in pp]
    if missing:
        fail(f"no SYN-ACK for the SYNs with MSS {missing}")
    mark = w.mark()
    for sport, pp in peers.items():
        nxt = (pp["isn"] + 1) & 0xffffffff
        base = Ether(src=FAKE_MAC, dst=DP_MAC) / IP(src=FAKE_IP, dst=DP_IP)
        w.send(base / TCP(sport=sport, dport=ECHO, flags="A", seq=nxt, ack=pp["rcv"]))
        w.send(base / TCP(sport=sport, dport=ECHO, flags="PA", seq=nxt, ack=pp["rcv"]) /
               Raw(pp["msg"]))
        pp["nxt"] = (nxt + size) & 0xffffffff
    end = time.time() + 10
    while True:
        segs = [q for q in w.since(mark) if TCP in q and q[IP].src == DP_IP and plen(q) > 0]
        done = 0
        for sport, pp in peers.items():
            have = {}
            pp["segs"] = [q for q in segs if q[TCP].dport == sport]
            for q in pp["segs"]:
                off = (q[TCP].seq - pp["rcv"]) & 0xffffffff
                for k, byte in enumerate(bytes(q[TCP].payload)):
                    have.setdefault(off + k, byte)
            got = 0
            while got in have:
                got += 1
            pp["got"] = bytes(have[i] for i in range(got))
            w.send(Ether(src=FAKE_MAC, dst=DP_MAC) / IP(src=FAKE_IP, dst=DP_IP) /
                   TCP(sport=sport, dport=ECHO, flags="A", seq=pp["nxt"],
                       ack=(pp["rcv"] + got) & 0xffffffff))
            done += got >= size
        if done == n or time.time() > end:
            break
        time.sleep(0.1)
    sizes, nsegs = set(), 0
    for sport, pp in peers.items():
        if pp["got"] != pp["msg"]:
            fail(f"MSS {pp['mss']}: echo of {len(pp['got'])} bytes, differs from the {size} sent")
        lens = [plen(q) for q in pp["segs"]]
        # All but a segment that ends the message carry the full 48.
        short = [plen(q) for q in pp["segs"] if plen(q) < 48 and
                 ((q[TCP].seq - pp["rcv"]) & 0xffffffff) + plen(q) != size]
        if max(lens) > 48 or short:
            fail(f"MSS {pp['mss']}: echoed segments of {sorted(set(lens))} bytes, want 48 "
                 f"(the peer's MSS clamped to 48); short ones {short}")
        sizes.update(lens)
        nsegs += len({q[TCP].seq for q in pp["segs"]})
        w.send(Ether(src=FAKE_MAC, dst=DP_MAC) / IP(src=FAKE_IP, dst=DP_IP) /
               TCP(sport=sport, dport=ECHO, flags="R", seq=pp["nxt"]))
    s1 = stats()
    if nsegs > n * (-(-size // 48)):
        fail(f"{nsegs} distinct segments for {n} x {size} bytes at MSS 48")
    say(f"ok: {n} connections with MSS 1..48 at once: MSS clamped to 48, echoed in "
        f"segments of {sorted(sizes)} bytes, {nsegs} distinct data segments for "
        f"{n} x {size} bytes (tcp_tx_segments +{delta(s0, s1, 'tcp_tx_segments')})")
    w.close()


def flood(n):
    """n SYNs from 198.18.0.50 (random ports and ISNs), as fast as possible."""
    out = conf.L2socket(iface=IFACE)
    tmpl = Ether(src=FAKE_MAC, dst=DP_MAC) / IP(src=FAKE_IP, dst=DP_IP) / \
        TCP(sport=1024, dport=ECHO, flags="S", seq=0, options=[("MSS", 1460)])
    frames = []
    for i in range(n):
        tmpl[TCP].sport = 1024 + (i * 7919) % 64000
        tmpl[TCP].seq = random.randint(0, 2**32 - 1)
        tmpl[IP].id = i & 0xffff
        del tmpl[IP].chksum
        del tmpl[TCP].chksum
        frames.append(bytes(tmpl))
    t0 = time.time()
    for f in frames:
        out.send(f)
    dt = time.time() - t0
    out.close()
    return dt


def case_synflood(cookies):
    n = int(ARGS[0]) if ARGS else 20000
    w = Wire("arp")	# answers meshdp's ARP for 198.18.0.50; no TCP capture
    seed_arp(w)
    s0 = stats()
    results = []
    stop = threading.Event()

    def client():
        while not stop.is_set():
            t = time.time()
            try:
                s = socket.create_connection((DP_IP, ECHO), timeout=3)
                s.settimeout(3)
                s.sendall(b"x" * 100)
                got = b""
                while len(got) < 100:
                    k = s.recv(100)
                    if not k:
                        break
                    got += k
                s.close()
                results.append((got == b"x" * 100, time.time() - t))
            except OSError as e:
                results.append((False, time.time() - t))
            time.sleep(0.05)

    th = threading.Thread(target=client)
    th.start()
    time.sleep(0.3)
    dt = flood(n)
    time.sleep(1.0)	# the client keeps going while the half-open ones linger
    stop.set()
    th.join(10)
    s1 = stats()
    half = mctl("conns", "SYN-RECEIVED", "--limit", "0")["total"]
    ok = sum(1 for r in results if r[0])
    worst = max((r[1] for r in results), default=0)
    say(f"{n} SYNs in {dt:.2f} s ({n / dt:.0f}/s); real client: {ok}/{len(results)} "
        f"echoed (slowest {worst:.2f} s); syn_received +{delta(s0, s1, 'tcp_syn_received')}, "
        f"syncookies_sent +{delta(s0, s1, 'tcp_syncookies_sent')}, accepted "
        f"+{delta(s0, s1, 'tcp_syncookies_accepted')}, backlog_full "
        f"+{delta(s0, s1, 'tcp_syn_backlog_full')}, {half} half-open now")
    rx = delta(s0, s1, "tcp_syn_received") + delta(s0, s1, "tcp_syncookies_sent") + \
        delta(s0, s1, "tcp_syn_backlog_full")
    if rx < n:
        fail(f"only {rx} of {n} SYNs accounted for (received, cookie or backlog full)")
    if cookies:
        if ok != len(results) or len(results) < 5:
            fail(f"during the flood the real client got through {ok} of {len(results)} times")
        if delta(s0, s1, "tcp_syncookies_sent") < n // 2 or \
                delta(s0, s1, "tcp_syncookies_accepted") < 1 or \
                delta(s0, s1, "tcp_syn_backlog_full") != 0:
            fail("SYN cookies did not carry the flood")
        say("ok: SYN flood: the backlog filled, cookies answered the rest, the real "
            "client always got through")
    else:
        if delta(s0, s1, "tcp_syn_backlog_full") < n // 2 or \
                delta(s0, s1, "tcp_syncookies_sent") != 0:
            fail("with syncookies off the excess SYNs were not dropped and counted")
        say(f"ok: SYN flood without cookies: {delta(s0, s1, 'tcp_syn_backlog_full')} SYNs "
            f"dropped and counted (tcp_syn_backlog_full); the real client got through "
            f"{ok} of {len(results)} times")
    w.close()


CASES = {
    "rst": case_rst, "syn": case_syn, "ack": case_ack, "ratelimit": case_ratelimit,
    "checksum": case_checksum, "overlap": case_overlap, "tinymss": case_tinymss,
    "synflood": lambda: case_synflood(True),
    "synflood-nocookies": lambda: case_synflood(False),
}

if CASE not in CASES:
    raise SystemExit(__doc__)
CASES[CASE]()
