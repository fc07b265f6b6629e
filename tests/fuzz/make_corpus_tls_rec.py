#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_tls_rec: tests/fuzz/corpus/tls_rec/.

The records are sealed here (Python's cryptography, i.e. OpenSSL) with the
harness's fixed keys, so that the "open" mode starts from records that
authenticate; the "forge" seeds are content with a position and mask. The
directory is removed and written anew, as make_corpus.py does for the other
harnesses (its write_corpus() is reused).

    tests/fuzz/make_corpus_tls_rec.py          (from anywhere)
"""

import hashlib
import hmac
import os
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_corpus import write_corpus  # noqa: E402

SEQ0 = 1000  # fuzz_tls_rec.c: every input starts at this sequence number


def expand_label(h, secret, label, n):
    """RFC 8446 7.1 HKDF-Expand-Label with an empty context."""
    lab = b"tls13 " + label
    info = n.to_bytes(2, "big") + bytes([len(lab)]) + lab + b"\x00"
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(secret, t + info + bytes([i]), h).digest()
        out += t
        i += 1
    return out[:n]


SECRET = bytes((i * 7 + 1) & 0xFF for i in range(48))
KEY12 = bytes((i * 11 + 3) & 0xFF for i in range(32))
# keys[0..3] of the harness: (version, key, iv or salt)
KEYS = [
    (0x0304, expand_label(hashlib.sha256, SECRET[:32], b"key", 16),
     expand_label(hashlib.sha256, SECRET[:32], b"iv", 12)),
    (0x0304, expand_label(hashlib.sha384, SECRET, b"key", 32),
     expand_label(hashlib.sha384, SECRET, b"iv", 12)),
    (0x0303, KEY12[:16], b"salt"),
    (0x0303, KEY12, b"SALT"),
]


def seal(idx, seq, ctype, content, pad=0):
    version, key, iv = KEYS[idx]
    if version == 0x0304:
        inner = content + bytes([ctype]) + bytes(pad)
        hdr = bytes([23, 3, 3]) + (len(inner) + 16).to_bytes(2, "big")
        nonce = bytes(a ^ b for a, b in zip(iv, seq.to_bytes(12, "big")))
        return hdr + AESGCM(key).encrypt(nonce, inner, hdr)
    explicit = seq.to_bytes(8, "big")
    aad = explicit + bytes([ctype, 3, 3]) + len(content).to_bytes(2, "big")
    hdr = bytes([ctype, 3, 3]) + (8 + len(content) + 16).to_bytes(2, "big")
    return hdr + explicit + AESGCM(key).encrypt(iv + explicit, content, aad)


def mode(idx, piece, forge=False):
    """The harness's first byte: key, piece size code (0 whole, n: 2^(n-1)), mode."""
    return bytes([(0x80 if forge else 0) | piece << 2 | idx])


def seeds():
    hello = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    s = []
    for idx in range(4):
        tag = ("13" if idx < 2 else "12") + ("-128" if idx % 2 == 0 else "-256")
        # records that open: data, alert, handshake, in a row
        stream = (seal(idx, SEQ0, 23, hello) + seal(idx, SEQ0 + 1, 21, b"\x01\x00") +
                  seal(idx, SEQ0 + 2, 22, b"\x18\x00\x00\x01\x00"))
        s.append(("open-%s-stream-whole" % tag, mode(idx, 0) + stream))
        s.append(("open-%s-stream-1byte" % tag, mode(idx, 1) + stream))
        s.append(("open-%s-big-64byte" % tag, mode(idx, 7) + seal(idx, SEQ0, 23, bytes(range(256)) * 64)))
        s.append(("open-%s-empty" % tag, mode(idx, 0) + seal(idx, SEQ0, 23, b"")))
        s.append(("open-%s-wrong-seq" % tag, mode(idx, 0) + seal(idx, SEQ0 + 1, 23, hello)))
        s.append(("open-%s-partial" % tag, mode(idx, 0) + seal(idx, SEQ0, 23, hello)[:-1]))
        # forge: type, position, mask, content
        s.append(("forge-%s-intact" % tag, mode(idx, 2, True) + bytes([23, 0, 0]) + hello))
        s.append(("forge-%s-ciphertext" % tag, mode(idx, 3, True) + bytes([23, 20, 0x40]) + hello))
        s.append(("forge-%s-tag" % tag, mode(idx, 0, True) + bytes([21, 128, 1]) + b"\x02\x28"))
        s.append(("forge-%s-header" % tag, mode(idx, 0, True) + bytes([23, 0, 0x01]) + hello))
    # TLS 1.3: padding, and a record of zeros only (no content type)
    s.append(("open-13-128-padded", mode(0, 3) + seal(0, SEQ0, 23, hello, pad=100)))
    s.append(("open-13-256-zeros", mode(1, 0) + seal(1, SEQ0, 0, bytes(20), pad=3)))
    # headers the record layer refuses
    s.append(("open-13-oversize", mode(0, 0) + bytes([23, 3, 3, 0x40, 0x12]) + bytes(16402)))
    s.append(("open-13-too-short", mode(0, 0) + bytes([23, 3, 3, 0, 16]) + bytes(16)))
    s.append(("open-13-handshake-type", mode(0, 0) + bytes([22, 3, 3, 0, 20]) + bytes(20)))
    s.append(("open-12-bad-version", mode(2, 0) + bytes([23, 3, 1, 0, 30]) + bytes(30)))
    s.append(("open-12-ccs", mode(2, 0) + bytes([20, 3, 3, 0, 1, 1])))
    s.append(("open-12-oversize", mode(3, 0) + bytes([23, 3, 3, 0x48, 0x01]) + bytes(0x4801)))
    return s


if __name__ == "__main__":
    n = write_corpus("tls_rec", seeds())
    print("tls_rec: %d seeds" % n)
