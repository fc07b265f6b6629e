"""Request-smuggling vectors for tests/e2e/test_http_smuggling.sh.

Each vector is raw bytes sent on a fresh client connection to meshdp's
`http` listener, which proxies everything to tests/e2e/smuggle_backend.py.
Every byte is written out with explicit \\r\\n so that nothing is normalized
by accident. Expected outcome, one of:

- reject(name, raw, status): the proxy answers `status` (an int, or a tuple
  when docs/http.md allows more than one reading), with `Connection: close`,
  and closes the connection; no complete request reaches the backend, and a
  backend connection that got part of one is closed, never reused.
- forward(name, raw, method, target, body=...): exactly one well-framed
  request reaches the backend, with this method, request-target (the path
  as normalized for routing, then the query as received), Host and decoded
  body; the client's response names that same request; and the client's
  connection still works: a normal request after the response (and, on
  another connection, the same bytes with the normal request pipelined
  behind them) is answered by the backend as a second, separate request.
  keepalive=False: the proxy must close after the response instead.

Optional: chunks=[...] sends the raw bytes in these pieces (0.05 s apart,
TCP_NODELAY) instead of in one write; present/absent name header fields
(or (name, value) pairs) that must / must not be in what the backend
received; framing is the
backend's framing ("none", "cl", "chunked").

Statuses come from docs/http.md (table "Requests: what is rejected", and
the limits table) and docs/architecture.md ("HTTP proxy": 405 CONNECT).
"""

VECTORS = []


def reject(name, raw, status, chunks=None, why=""):
    VECTORS.append(dict(name=name, kind="reject", raw=raw,
                        status=status if isinstance(status, tuple) else (status,),
                        chunks=chunks, why=why))


def forward(name, raw, method, target, body=b"", host="svc", keepalive=True,
            chunks=None, present=(), absent=(), framing=None, why=""):
    VECTORS.append(dict(name=name, kind="forward", raw=raw, method=method,
                        target=target, body=body, host=host, keepalive=keepalive,
                        chunks=chunks, present=present, absent=absent,
                        framing=framing, why=why))


# ---- Content-Length together with Transfer-Encoding (CL_AND_TE, 400) ----
reject("cl_te_cl_first",
       b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 5\r\n"
       b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)
reject("cl_te_te_first",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: chunked\r\n"
       b"Content-Length: 5\r\n\r\n0\r\n\r\n", 400)
reject("te_chunked_cl_0",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: chunked\r\n"
       b"Content-Length: 0\r\n\r\n0\r\n\r\n", 400)
reject("cl_0_te_chunked",
       b"POST / HTTP/1.1\r\nContent-Length: 0\r\nHost: svc\r\n"
       b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)
reject("cl_te_attack_CL.TE",
       b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 13\r\n"
       b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nSMUGGLED", 400,
       why="front end uses CL, back end TE: SMUGGLED prefixes the next request")
reject("cl_te_attack_TE.CL",
       b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 3\r\n"
       b"Transfer-Encoding: chunked\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n", 400,
       why="front end uses TE, back end CL")
reject("cl_te_attack_CL.TE_split",
       b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 6\r\n"
       b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", 400,
       chunks=[b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Le",
               b"ngth: 6\r\nTransfer-Enc", b"oding: chunked\r", b"\n\r\n0\r\n\r\nG"])

# ---- Transfer-Encoding obfuscation (TE.TE) ----
reject("te_te_attack_cow",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: chunked\r\n"
       b"Transfer-Encoding: cow\r\n\r\n5\r\nhello\r\n0\r\n\r\n", (400, 501),
       why="`chunked, cow`: last coding not chunked (400) or unknown coding (501)")
reject("te_te_attack_xchunked_first",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: xchunked\r\n"
       b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 501,
       why="`xchunked, chunked`: unknown coding before chunked (TE_UNSUPPORTED)")
reject("te_chunked_twice_fields",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: chunked\r\n"
       b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400)
reject("te_chunked_twice_list",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: chunked, chunked\r\n"
       b"\r\n5\r\nhello\r\n0\r\n\r\n", 400)
reject("te_chunked_identity",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: chunked, identity\r\n"
       b"\r\n5\r\nhello\r\n0\r\n\r\n", (400, 501),
       why="last coding not chunked (400) or identity unknown (501)")
reject("te_identity",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: identity\r\n"
       b"Content-Length: 5\r\n\r\nhello", (400, 501))
reject("te_identity_alone",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: identity\r\n\r\n"
       b"5\r\nhello\r\n0\r\n\r\n", (400, 501))
reject("te_xchunked",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: xchunked\r\n\r\n"
       b"5\r\nhello\r\n0\r\n\r\n", 501, why="unknown coding (like `foo`): 501")
reject("te_gzip",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: gzip\r\n\r\n"
       b"5\r\nhello\r\n0\r\n\r\n", 400, why="TE_NOT_CHUNKED")
reject("te_chunked_gzip",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
       b"5\r\nhello\r\n0\r\n\r\n", 400, why="TE_NOT_CHUNKED")
reject("te_gzip_chunked",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
       b"5\r\nhello\r\n0\r\n\r\n", 501, why="TE_UNSUPPORTED")
forward("te_chunked_trailing_space",
        b"POST /te HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: chunked \r\n\r\n"
        b"5\r\nhello\r\n0\r\n\r\n", "POST", "/te", b"hello", framing="chunked",
        why="trailing OWS is not part of the value")
forward("te_Chunked_case",
        b"POST /te HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: Chunked\r\n\r\n"
        b"5\r\nhello\r\n0\r\n\r\n", "POST", "/te", b"hello", framing="chunked")
forward("te_CHUNKED_upper",
        b"POST /te HTTP/1.1\r\nHost: svc\r\nTRANSFER-ENCODING: CHUNKED\r\n\r\n"
        b"5\r\nhello\r\n0\r\n\r\n", "POST", "/te", b"hello", framing="chunked")
forward("te_tab_before_value",
        b"POST /te HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding:\tchunked\r\n\r\n"
        b"5\r\nhello\r\n0\r\n\r\n", "POST", "/te", b"hello", framing="chunked")
reject("te_http10",
       b"POST / HTTP/1.0\r\nHost: svc\r\nTransfer-Encoding: chunked\r\n\r\n"
       b"5\r\nhello\r\n0\r\n\r\n", 400, why="TE_HTTP10")
reject("te_obs_fold_value",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding:\r\n chunked\r\n\r\n"
       b"5\r\nhello\r\n0\r\n\r\n", 400)
reject("te_obs_fold_continuation",
       b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 5\r\nX-Pad: a\r\n"
       b" Transfer-Encoding: chunked\r\n\r\nhello", 400,
       why="a folded line that reads as TE to a lax parser")
reject("te_space_before_colon",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding : chunked\r\n\r\n"
       b"5\r\nhello\r\n0\r\n\r\n", 400)
reject("te_space_before_colon_with_cl",
       b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 5\r\n"
       b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400)
forward("te_underscore_name",
        b"POST /u HTTP/1.1\r\nHost: svc\r\nTransfer_Encoding: chunked\r\n"
        b"Content-Length: 5\r\n\r\n0\r\n\r\n", "POST", "/u", b"0\r\n\r\n",
        framing="cl", why="`_` is a tchar: an ordinary field, the body is by CL")
reject("te_empty",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: \r\n\r\n", 400)
reject("te_leading_comma",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: , chunked\r\n\r\n"
       b"5\r\nhello\r\n0\r\n\r\n", 400)
reject("te_parameter",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: chunked;q=1\r\n\r\n"
       b"5\r\nhello\r\n0\r\n\r\n", 400)
reject("te_vertical_tab",
       b"POST / HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding:\x0bchunked\r\n\r\n"
       b"5\r\nhello\r\n0\r\n\r\n", 400)
reject("te_behind_bare_lf",
       b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 5\r\nX-Pad: a\n"
       b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)

# ---- Content-Length ----
reject("cl_dup_differing",
       b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 5\r\nContent-Length: 6\r\n"
       b"\r\nhello!", 400)
reject("cl_dup_equal",
       b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 5\r\nContent-Length: 5\r\n"
       b"\r\nhello", 400, why="CL_DUP: even equal values")
reject("cl_plus", b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: +5\r\n\r\nhello", 400)
reject("cl_minus", b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: -5\r\n\r\nhello", 400)
reject("cl_hex", b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 0x5\r\n\r\nhello", 400)
reject("cl_space_inside", b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 1 2\r\n\r\n"
       b"hello world!", 400)
reject("cl_list_equal", b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 5, 5\r\n\r\n"
       b"hello", 400)
reject("cl_list_differing", b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 5,6\r\n\r\n"
       b"hello!", 400)
reject("cl_empty", b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: \r\n\r\n", 400)
reject("cl_overflow_20_digits",
       b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 99999999999999999999\r\n\r\n"
       b"hello", 400)
reject("cl_2_pow_63",
       b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 9223372036854775808\r\n\r\n"
       b"hello", 400, why="CL_OVERFLOW: one above 2^63 - 1")
reject("cl_2_pow_64_wraps_to_5",
       b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 18446744073709551621\r\n\r\n"
       b"hello", 400, why="2^64 + 5: a 64-bit wrap would read 5")
reject("cl_decimal_point", b"POST / HTTP/1.1\r\nHost: svc\r\nContent-Length: 5.0\r\n\r\n"
       b"hello", 400)
forward("cl_plain_body",
        b"POST /z HTTP/1.1\r\nHost: svc\r\nContent-Length: 5\r\n\r\nhello",
        "POST", "/z", b"hello", framing="cl", why="the baseline for the CL vectors")
forward("cl_leading_zeros",
        b"POST /z HTTP/1.1\r\nHost: svc\r\nContent-Length: 005\r\n\r\nhello",
        "POST", "/z", b"hello", framing="cl")
forward("cl_ows_around",
        b"POST /z HTTP/1.1\r\nHost: svc\r\nContent-Length: \t5 \t\r\n\r\nhello",
        "POST", "/z", b"hello", framing="cl")

# ---- chunked framing ----
def chunked(body_bytes):
    return (b"POST /c HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: chunked\r\n\r\n"
            + body_bytes)


forward("chunked_plain_body", chunked(b"5\r\nhello\r\n0\r\n\r\n"), "POST", "/c", b"hello",
        framing="chunked", why="the baseline for the chunked vectors")
reject("chunk_size_0x", chunked(b"0x5\r\nhello\r\n0\r\n\r\n"), 400)
reject("chunk_size_negative", chunked(b"-5\r\nhello\r\n0\r\n\r\n"), 400)
reject("chunk_size_plus", chunked(b"+5\r\nhello\r\n0\r\n\r\n"), 400)
reject("chunk_size_2_pow_64", chunked(b"10000000000000005\r\nhello\r\n0\r\n\r\n"), 400,
       why="overflows 64 bits; a wrap would read 5")
reject("chunk_size_2_pow_63", chunked(b"8000000000000000\r\nhello\r\n0\r\n\r\n"), 400)
reject("chunk_size_leading_space", chunked(b" 5\r\nhello\r\n0\r\n\r\n"), 400)
reject("chunk_size_trailing_space", chunked(b"5 \r\nhello\r\n0\r\n\r\n"), 400)
reject("chunk_size_empty", chunked(b"\r\nhello\r\n0\r\n\r\n"), 400)
reject("chunk_ext_bare_lf", chunked(b"5;ext\nhello\r\n0\r\n\r\n"), 400)
reject("chunk_size_bare_lf", chunked(b"5\nhello\r\n0\r\n\r\n"), 400)
reject("chunk_size_bare_cr", chunked(b"5\rhello\r\n0\r\n\r\n"), 400)
reject("chunk_data_no_crlf", chunked(b"5\r\nhello0\r\n\r\n"), 400)
reject("chunk_data_bare_lf", chunked(b"5\r\nhello\n0\r\n\r\n"), 400)
reject("chunk_data_too_long", chunked(b"3\r\nhello\r\n0\r\n\r\n"), 400,
       why="more data than the size: no CRLF where it must be")
reject("chunk_ext_invalid", chunked(b"5;=x\r\nhello\r\n0\r\n\r\n"), 400)
reject("chunk_line_too_long", chunked(b"5;a=" + b"b" * 5000 + b"\r\nhello\r\n0\r\n\r\n"),
       400, why="max_chunk_line 4096")
reject("chunk_last_bare_lf", chunked(b"5\r\nhello\r\n0\n\n"), 400)
reject("chunk_trailer_content_length",
       chunked(b"5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n"), 400)
reject("chunk_trailer_transfer_encoding",
       chunked(b"5\r\nhello\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400)
reject("chunk_trailer_host", chunked(b"5\r\nhello\r\n0\r\nHost: evil\r\n\r\n"), 400)
reject("chunk_trailer_obs_fold",
       chunked(b"5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n"), 400)
forward("chunk_extensions_ok",
        chunked(b"5;name=val;q=\"x y\"\r\nhello\r\n0;last\r\n\r\n"),
        "POST", "/c", b"hello", framing="chunked")
forward("chunk_hex_upper_leading_zeros",
        chunked(b"000A\r\n0123456789\r\n1f\r\n" + b"x" * 31 + b"\r\n0\r\n\r\n"),
        "POST", "/c", b"0123456789" + b"x" * 31, framing="chunked")
forward("chunk_trailer_ok",
        chunked(b"5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n"),
        "POST", "/c", b"hello", framing="chunked")
forward("chunk_split_everywhere",
        chunked(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
        "POST", "/c", b"hello world", framing="chunked",
        chunks=[b"POST /c HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: chu",
                b"nked\r\n\r\n5", b"\r\nhel", b"lo\r", b"\n6\r\n world\r\n0\r",
                b"\n\r", b"\n"])

# ---- head syntax ----
reject("bare_lf_line_endings", b"GET / HTTP/1.1\nHost: svc\n\n", 400)
reject("bare_lf_one_field", b"GET / HTTP/1.1\r\nHost: svc\nX-A: b\r\n\r\n", 400)
reject("bare_lf_request_line", b"GET / HTTP/1.1\nHost: svc\r\n\r\n", 400)
reject("bare_cr_between_fields", b"GET / HTTP/1.1\r\nHost: svc\rX-A: b\r\n\r\n", 400)
reject("bare_cr_in_value", b"GET / HTTP/1.1\r\nHost: svc\r\nX-A: a\rb\r\n\r\n", 400)
reject("nul_in_value", b"GET / HTTP/1.1\r\nHost: svc\r\nX-A: a\x00b\r\n\r\n", 400)
reject("ctl_in_value", b"GET / HTTP/1.1\r\nHost: svc\r\nX-A: a\x01b\r\n\r\n", 400)
reject("name_non_token", b"GET / HTTP/1.1\r\nHost: svc\r\nX-A(b): c\r\n\r\n", 400)
reject("name_space_inside", b"GET / HTTP/1.1\r\nHost: svc\r\nX A: c\r\n\r\n", 400)
reject("name_obs_text", b"GET / HTTP/1.1\r\nHost: svc\r\nX-\xffA: c\r\n\r\n", 400)
reject("name_nul", b"GET / HTTP/1.1\r\nHost: svc\r\nX-\x00A: c\r\n\r\n", 400)
reject("name_empty", b"GET / HTTP/1.1\r\nHost: svc\r\n: c\r\n\r\n", 400)
reject("field_without_colon", b"GET / HTTP/1.1\r\nHost: svc\r\nX-No-Colon\r\n\r\n", 400)
reject("obs_fold_ordinary", b"GET / HTTP/1.1\r\nHost: svc\r\nX-A: a\r\n\tb\r\n\r\n", 400)
reject("obs_fold_first_field", b"GET / HTTP/1.1\r\n Host: svc\r\n\r\n", 400)
reject("obs_fold_host", b"GET / HTTP/1.1\r\nHost:\r\n svc\r\n\r\n", 400)
reject("reqline_two_spaces", b"GET  / HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("reqline_tab", b"GET\t/ HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("reqline_space_in_target", b"GET /a b HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("reqline_http09", b"GET /\r\n\r\n", 400)
reject("version_trailing_space", b"GET / HTTP/1.1 \r\nHost: svc\r\n\r\n", 400)
reject("version_1_2", b"GET / HTTP/1.2\r\nHost: svc\r\n\r\n", 505)
reject("version_2_0", b"GET / HTTP/2.0\r\nHost: svc\r\n\r\n", 505)
reject("version_0_9", b"GET / HTTP/0.9\r\nHost: svc\r\n\r\n", 505)
reject("version_lowercase", b"GET / http/1.1\r\nHost: svc\r\n\r\n", 400)
reject("version_1_10", b"GET / HTTP/1.10\r\nHost: svc\r\n\r\n", 400)
reject("version_2", b"GET / HTTP/2\r\nHost: svc\r\n\r\n", 400)
forward("method_lowercase", b"get /m HTTP/1.1\r\nHost: svc\r\n\r\n", "get", "/m",
        why="methods are case-sensitive tokens: `get` is not GET")
forward("method_custom_token", b"M-SEARCH /m HTTP/1.1\r\nHost: svc\r\n\r\n",
        "M-SEARCH", "/m")
reject("method_with_slash", b"GE/T / HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("method_with_nul", b"GE\x00T / HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
forward("empty_lines_before_request",
        b"\r\n\r\nGET /e HTTP/1.1\r\nHost: svc\r\n\r\n", "GET", "/e")
reject("five_empty_lines_before_request",
       b"\r\n\r\n\r\n\r\n\r\nGET /e HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("request_line_too_long",
       b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: svc\r\n\r\n", 414,
       why="max_request_line 8192")
reject("too_many_headers",
       b"GET / HTTP/1.1\r\nHost: svc\r\n"
       + b"".join(b"X-H%d: v\r\n" % i for i in range(120)) + b"\r\n", 431,
       why="max_headers 100")
reject("head_too_large",
       b"GET / HTTP/1.1\r\nHost: svc\r\nX-Big: " + b"v" * 70000 + b"\r\n\r\n", 431,
       why="beyond max_head (16384 by default, 65536 at most in the parser's own default)")

# ---- Host and authority ----
reject("absolute_form_conflicting_host",
       b"GET http://other/ HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("absolute_form_conflicting_port",
       b"GET http://svc:8080/ HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
forward("absolute_form_matching_host",
        b"GET http://SVC/abs?q=1 HTTP/1.1\r\nHost: svc\r\n\r\n", "GET", "/abs?q=1",
        host=("SVC", "svc"))
forward("absolute_form_empty_path",
        b"GET http://svc HTTP/1.1\r\nHost: svc\r\n\r\n", "GET", "/")
reject("absolute_form_userinfo",
       b"GET http://user@svc/ HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("absolute_form_ftp", b"GET ftp://svc/ HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("host_duplicate_differing",
       b"GET / HTTP/1.1\r\nHost: svc\r\nHost: other\r\n\r\n", 400)
reject("host_duplicate_equal", b"GET / HTTP/1.1\r\nHost: svc\r\nHost: svc\r\n\r\n", 400)
reject("host_missing_http11", b"GET / HTTP/1.1\r\nX-A: b\r\n\r\n", 400)
forward("host_missing_http10", b"GET /ten HTTP/1.0\r\n\r\n", "GET", "/ten",
        host=("", "198.18.1.1:8081"), keepalive=False,
        why="HTTP/1.0 without Host: no authority; upstream Host empty or the endpoint's")
reject("host_with_space", b"GET / HTTP/1.1\r\nHost: svc other\r\n\r\n", 400)
reject("host_with_comma", b"GET / HTTP/1.1\r\nHost: svc,other\r\n\r\n", 400)
reject("host_empty", b"GET / HTTP/1.1\r\nHost: \r\n\r\n", 400)
reject("host_userinfo", b"GET / HTTP/1.1\r\nHost: user@svc\r\n\r\n", 400)
reject("host_port_too_big", b"GET / HTTP/1.1\r\nHost: svc:99999\r\n\r\n", 400)
reject("host_port_empty", b"GET / HTTP/1.1\r\nHost: svc:\r\n\r\n", 400)
reject("host_slash", b"GET / HTTP/1.1\r\nHost: svc/x\r\n\r\n", 400)
forward("host_with_port", b"GET /p HTTP/1.1\r\nHost: svc:8080\r\n\r\n", "GET", "/p",
        host="svc:8080")

# ---- request target and path normalization ----
reject("fragment_in_target", b"GET /a#frag HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("pct_2f_in_path", b"GET /a%2fb HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("pct_2F_in_path", b"GET /admin%2F..%2Fx HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("pct_5c_in_path", b"GET /a%5cb HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("pct_00_in_path", b"GET /a%00b HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
forward("dotdot_beyond_root", b"GET /../a HTTP/1.1\r\nHost: svc\r\n\r\n", "GET", "/a")
forward("dotdot_far_beyond_root", b"GET /x/../../../y/./z HTTP/1.1\r\nHost: svc\r\n\r\n",
        "GET", "/y/z")
forward("pct_dotdot", b"GET /a/%2e%2E/b HTTP/1.1\r\nHost: svc\r\n\r\n", "GET", "/b")
forward("double_slashes", b"GET //a///b HTTP/1.1\r\nHost: svc\r\n\r\n", "GET", "/a/b")
forward("pct_unreserved_decoded", b"GET /a%41%7e%3a HTTP/1.1\r\nHost: svc\r\n\r\n",
        "GET", "/aA~%3A")
forward("query_untouched", b"GET /p/../q?x=/../&y=%2f HTTP/1.1\r\nHost: svc\r\n\r\n",
        "GET", "/q?x=/../&y=%2f")
reject("dotdot_semicolon", b"GET /..;/a HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("dotdot_semicolon_inner", b"GET /a/..;x/b HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("dot_semicolon", b"GET /a/.;/b HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("pct_dotdot_semicolon", b"GET /%2e%2e;/a HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("pct_invalid_hex", b"GET /a%zz HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("pct_truncated", b"GET /a%4 HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("backslash_in_path", b"GET /a\\..\\b HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("non_ascii_in_path", b"GET /a\xc3\xa9 HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("target_without_slash", b"GET a HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("asterisk_with_get", b"GET * HTTP/1.1\r\nHost: svc\r\n\r\n", 400)
reject("options_asterisk", b"OPTIONS * HTTP/1.1\r\nHost: svc\r\n\r\n", 400,
       why="parsed, but has no path to route (dp/proxy answers 400)")
forward("options_path", b"OPTIONS /o HTTP/1.1\r\nHost: svc\r\n\r\n", "OPTIONS", "/o")
reject("connect", b"CONNECT svc:443 HTTP/1.1\r\nHost: svc:443\r\n\r\n", 405)
reject("connect_with_body",
       b"CONNECT svc:443 HTTP/1.1\r\nHost: svc:443\r\nContent-Length: 5\r\n\r\nhello", 400,
       why="CONNECT_BODY")
reject("connect_without_port", b"CONNECT svc HTTP/1.1\r\nHost: svc\r\n\r\n", 400)

# ---- Connection, Expect, Upgrade ----
reject("connection_names_content_length",
       b"POST / HTTP/1.1\r\nHost: svc\r\nConnection: Content-Length\r\n"
       b"Content-Length: 5\r\n\r\nhello", 400, why="CONNECTION_E2E")
reject("connection_names_host",
       b"GET / HTTP/1.1\r\nHost: svc\r\nConnection: host\r\n\r\n", 400)
reject("connection_not_tokens",
       b"GET / HTTP/1.1\r\nHost: svc\r\nConnection: a b\r\n\r\n", 400)
forward("connection_option_stripped",
        b"GET /h HTTP/1.1\r\nHost: svc\r\nConnection: X-Hop\r\nX-Hop: 1\r\n"
        b"Keep-Alive: timeout=5\r\nX-End: 2\r\n\r\n", "GET", "/h",
        present=("X-End",), absent=("X-Hop", "Connection", "Keep-Alive"))
forward("connection_close", b"GET /cc HTTP/1.1\r\nHost: svc\r\nConnection: close\r\n\r\n",
        "GET", "/cc", keepalive=False)
forward("http10_keep_alive",
        b"GET /k HTTP/1.0\r\nHost: svc\r\nConnection: keep-alive\r\n\r\n", "GET", "/k")
forward("expect_100_continue",
        b"POST /x HTTP/1.1\r\nHost: svc\r\nExpect: 100-continue\r\nContent-Length: 5\r\n"
        b"\r\nhello", "POST", "/x", b"hello", framing="cl")
forward("expect_100_continue_chunked",
        b"PUT /x HTTP/1.1\r\nHost: svc\r\nExpect: 100-continue\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "PUT", "/x", b"hello",
        framing="chunked")
reject("expect_unknown", b"POST / HTTP/1.1\r\nHost: svc\r\nExpect: 200-ok\r\n"
       b"Content-Length: 5\r\n\r\nhello", 417)
forward("upgrade_with_cl",
        b"POST /ws HTTP/1.1\r\nHost: svc\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        b"Content-Length: 5\r\n\r\nhello", "POST", "/ws", b"hello", framing="cl",
        why="the backend answers 200, not 101: no tunnel, the connection stays HTTP")
forward("upgrade_without_connection",
        b"GET /ws HTTP/1.1\r\nHost: svc\r\nUpgrade: h2c\r\nContent-Length: 18\r\n\r\n"
        b"PRI * HTTP/2.0\r\n\r\n", "GET", "/ws", b"PRI * HTTP/2.0\r\n\r\n",
        absent=("Upgrade",))

# ---- requests hidden in bodies, pipelining ----
SMUGGLED_GET = b"GET /smuggled HTTP/1.1\r\nHost: svc\r\n\r\n"
forward("pipelined_get_in_cl_body",
        b"POST /outer HTTP/1.1\r\nHost: svc\r\nContent-Length: %d\r\n\r\n%s"
        % (len(SMUGGLED_GET), SMUGGLED_GET), "POST", "/outer", SMUGGLED_GET, framing="cl",
        why="the backend must see the GET as body, not as a second request")
HIDDEN_ADMIN = b"GET /admin HTTP/1.1\r\nHost: svc\r\nX-Ignore: X"
forward("get_with_cl_body_holding_request",
        b"GET /outer HTTP/1.1\r\nHost: svc\r\nContent-Length: %d\r\n\r\n%s"
        % (len(HIDDEN_ADMIN), HIDDEN_ADMIN), "GET", "/outer", HIDDEN_ADMIN, framing="cl",
        why="CL.0: a back end ignoring a GET's CL would run /admin")
forward("chunked_body_holding_request",
        chunked(b"%x\r\n%s\r\n0\r\n\r\n" % (len(SMUGGLED_GET), SMUGGLED_GET)),
        "POST", "/c", SMUGGLED_GET, framing="chunked")
forward("head_split_in_pieces",
        b"POST /split HTTP/1.1\r\nHost: svc\r\nContent-Length: 11\r\n\r\nhello world",
        "POST", "/split", b"hello world", framing="cl",
        chunks=[b"PO", b"ST /split HTTP/1.1\r", b"\nHost: svc\r\nContent-Length: 1",
                b"1\r\n\r", b"\nhello", b" world"])
# The head alone, the body 50 ms later. The body ends with a request
# exactly as long as the head: a proxy that counted its own head bytes as
# body would stop the body short by that much and run /smuggled.
LATE_HEAD = b"POST /late HTTP/1.1\r\nHost: svc\r\nContent-Length: 84\r\n\r\n"
LATE_SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: svc\r\nX-Pad: 12345678\r\n\r\n"
LATE_BODY = b"f" * 30 + LATE_SMUGGLED
assert len(LATE_HEAD) == len(LATE_SMUGGLED) and len(LATE_BODY) == 84
forward("cl_body_after_head",
        LATE_HEAD + LATE_BODY, "POST", "/late", LATE_BODY, framing="cl",
        chunks=[LATE_HEAD, LATE_BODY])
forward("chunked_body_after_head",
        chunked(b"5\r\nhello\r\n0\r\n\r\n"), "POST", "/c", b"hello", framing="chunked",
        chunks=[chunked(b""), b"5\r\nhello\r\n0\r\n\r\n"])
forward("head_request", b"HEAD /hd HTTP/1.1\r\nHost: svc\r\n\r\n", "HEAD", "/hd")
forward("x_forwarded_for_appended",
        b"GET /xff HTTP/1.1\r\nHost: svc\r\nX-Forwarded-For: 198.18.9.9\r\n\r\n",
        "GET", "/xff", present=(("X-Forwarded-For", "198.18.9.9, 198.18.0.1"),))

assert len({v["name"] for v in VECTORS}) == len(VECTORS), "duplicate vector names"
