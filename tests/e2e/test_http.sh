#!/usr/bin/env bash
# The HTTP/1.1 proxy end to end (issue 4, "Tests"): real clients (Python,
# curl, wrk) -> meshdp's http listener -> nginx and tests/e2e/http_backend.py
# (which records every request head it receives), through AF_XDP:
#
#   client ns 198.18.0.1 --veth-- p0 198.18.0.2 [meshdp] p1 198.18.1.2 --veth-- server ns 198.18.1.1
#
#   test_http.sh routing     the 90/10 canary over 10,000 requests (+-1.5
#                            points), the beta header to v2 every time, 404
#                            for an unknown host without a "*" vhost, 503
#                            (no endpoint), 502 (connect refused), direct
#                            response, redirect, path normalization before
#                            routing and as forwarded, %2f -> 400,
#                            X-Forwarded-For, X-Request-Id, hop-by-hop and
#                            x-meshdp-* fields not forwarded
#   test_http.sh keepalive   upstream connections reused (backend sees few
#                            connections), also for clients that close;
#                            pipelined requests (with bodies) answered in
#                            order; HTTP/1.0 with and without keep-alive,
#                            chunked response de-chunked for HTTP/1.0
#   test_http.sh bodies      100 MiB request bodies (Content-Length with
#                            Expect: 100-continue, and chunked) and 100 MiB
#                            responses (Content-Length and chunked, on one
#                            kept-alive connection), SHA-256 at both ends
#   test_http.sh upgrade     WebSocket-style upgrade: 101, 1 MiB echoed
#                            through the tunnel, clean close
#   test_http.sh updates     route weights 0/100 and 100/0 over the control
#                            socket take effect at once; endpoint add /
#                            remove / weight; invalid changes refused with
#                            nothing changed; 100 route-table replacements
#                            during a wrk run without an error or a non-2xx
#   test_http.sh limits      414 (request line), 431 (header count, head
#                            size), 408 (head timeout), 504 (route timeout)
#                            and the stale upstream not reused after it
#
# Every case ends with every downstream connection gone and every upstream
# one idle in the pool (or closed), and meshdp stopping cleanly. Transfers
# and clients have deadlines: a stall fails, never hangs.
. "$(dirname "$0")/lib.sh"

CASE=${1:-routing}
case $CASE in
routing | keepalive | bodies | upgrade | updates | limits) ;;
*) e2e_fail "unknown case '$CASE' (routing, keepalive, bodies, upgrade, updates, limits)" ;;
esac
E2E_NAME="$E2E_NAME-$CASE"
HERE=$(cd "$(dirname "$0")" && pwd)
T0=$(date +%s)

cl() { ip netns exec "$NS_CL" "$@"; }
hc() { ip netns exec "$NS_CL" python3 "$HERE/http_client.py" "$@"; }
# xch NAME ARGS...: http_client.py exchange to meshdp:80 (ARGS may start
# with a port number), result in $E2E_TMP/NAME.json
xch() {
	local name=$1 port=80; shift
	case ${1:-} in [0-9]*) port=$1; shift ;; esac
	hc exchange 198.18.0.2 "$port" "$@" >"$E2E_TMP/$name.json" ||
		e2e_fail "$name: client failed: $(cat "$E2E_TMP/$name.json")"
}
# J NAME EXPR: a python expression over r, the JSON in $E2E_TMP/NAME.json
J() { jget "($2)" <"$E2E_TMP/$1.json"; }
# want WHAT GOT EXPECTED
want() { [ "$2" = "$3" ] || e2e_fail "$1: got '$2', expected '$3'"; }
# hstat EXPR: over the "total" of meshctl http
hstat() { mctl http | jget "r['result']['total']$1"; }
# The head the backend recorded for the request carrying "X-Test: $1",
# with Python's repr (escapes visible); fails when there is not exactly one.
bhead() {
	python3 - "$E2E_TMP/heads.log" "$1" <<'PY'
import json, sys
hs = [r["head"] for r in map(json.loads, open(sys.argv[1])) if r["ev"] == "req"
      and ("\r\nX-Test: %s\r\n" % sys.argv[2]) in r["head"]]
if len(hs) != 1:
    sys.exit("%d heads with X-Test: %s" % (len(hs), sys.argv[2]))
print(repr(hs[0]))
PY
}
# Connections the backend accepted on PORT so far.
bconns() {
	python3 -c 'import json, sys
print(sum(1 for r in map(json.loads, open(sys.argv[1])) if r["ev"] == "conn" and r["lport"] == int(sys.argv[2])))' \
		"$E2E_TMP/heads.log" "$1"
}
bcount() {	# bcount NAME V1 V2: counts of v1/v2 bodies in a split result
	read -r "$2" "$3" < <(J "$1" "r['bodies'].get('v1\n', 0), r['bodies'].get('v2\n', 0)" | tr -d '(),')
}

# ---- topology, configuration, backends ----
HTTP_CONF=
[ "$CASE" = limits ] &&
	HTTP_CONF='http = { max_request_line = 256; max_headers = 10; max_head = 4096; head_timeout_ms = 1000; };'
e2e_topology_proxy af_xdp
e2e_conf_proxy "
tcp = { time_wait_ms = 500; };
$HTTP_CONF
listeners = (
  { name = \"http\"; kind = \"http\"; port = 80; },
  { name = \"strict\"; kind = \"http\"; port = 81; route_table = \"strict\"; }
);
clusters = (
  { name = \"order-v1\"; endpoints = ( { address = \"198.18.1.1:8081\"; } ); },
  { name = \"order-v2\"; endpoints = ( { address = \"198.18.1.1:8082\"; } ); },
  { name = \"pool\"; endpoints = ( { address = \"198.18.1.1:8081\"; } ); },
  { name = \"echo\"; endpoints = ( { address = \"198.18.1.1:8090\"; } ); },
  { name = \"empty\"; },
  { name = \"dead\"; endpoints = ( { address = \"198.18.1.1:8099\"; } ); }
);
route_tables = (
  { name = \"default\"; virtual_hosts = (
    { name = \"order\"; domains = [ \"order-service\", \"*\" ]; routes = (
      { name = \"direct\"; match = { path = \"/direct\"; };
        direct_response = { status = 418; body = \"short and stout\\n\"; }; },
      { name = \"redirect\"; match = { prefix = \"/old/\"; };
        redirect = { host = \"new.test\"; prefix_rewrite = \"/new/\"; code = 308; }; },
      { name = \"empty\"; match = { prefix = \"/empty\"; }; route = { cluster = \"empty\"; }; },
      { name = \"dead\"; match = { prefix = \"/dead\"; }; route = { cluster = \"dead\"; }; },
      { name = \"pool\"; match = { prefix = \"/pool\"; }; route = { cluster = \"pool\"; }; },
      { name = \"sleep\"; match = { path = \"/sleep\"; }; route = { cluster = \"echo\"; timeout_ms = 500; }; },
      { name = \"bodies\"; match = { regex = \"/(gen|sha)\"; }; route = { cluster = \"echo\"; timeout_ms = 0; }; },
      { name = \"echo\"; match = { prefix = \"/echo\"; }; route = { cluster = \"echo\"; }; },
      { name = \"ws\"; match = { path = \"/ws\"; }; route = { cluster = \"echo\"; }; },
      { name = \"beta\"; match = { prefix = \"/\"; headers = ( { name = \"x-user-group\"; exact = \"beta\"; } ); };
        route = { cluster = \"order-v2\"; }; },
      { name = \"canary\"; match = { prefix = \"/\"; };
        route = { clusters = ( { name = \"order-v1\"; weight = 90; }, { name = \"order-v2\"; weight = 10; } ); }; }
    ); }
  ); },
  { name = \"strict\"; virtual_hosts = (
    { name = \"order\"; domains = [ \"order-service\" ]; routes = ( { route = { cluster = \"order-v1\"; }; } ); }
  ); }
);"
e2e_nginx "$NS_SV" backends '
server { listen 198.18.1.1:8081; location / { return 200 "v1\n"; } }
server { listen 198.18.1.1:8082; location / { return 200 "v2\n"; } }'
: >"$E2E_TMP/heads.log"
ip netns exec "$NS_SV" python3 "$HERE/http_backend.py" serve 198.18.1.1 8090 "$E2E_TMP/heads.log" \
	>"$E2E_TMP/backend.out" 2>&1 &
E2E_PIDS+=($!)
for _ in $(seq 50); do
	grep -q '"ev": "conn"' "$E2E_TMP/heads.log" && break
	ip netns exec "$NS_SV" bash -c 'echo >/dev/tcp/198.18.1.1/8090' 2>/dev/null
	sleep 0.1
done
grep -q '"ev": "conn"' "$E2E_TMP/heads.log" || e2e_fail "http_backend.py did not come up: $(cat "$E2E_TMP/backend.out")"
e2e_meshdp_start

# ---------------------------------------------------------------------------
case_routing() {
	local v1 v2 h

	# Scenario 1: the 90/10 canary, 10,000 requests on 4 keep-alive
	# connections. sd of the v2 share is 0.3 points: +-1.5 is 5 sd.
	hc split 198.18.0.2 80 10000 4 --host order-service >"$E2E_TMP/split.json"
	want "canary: statuses" "$(J split "r['status']")" "{'200': 10000}"
	want "canary: errors" "$(J split "r['errors']")" "[]"
	bcount split v1 v2
	[ $((v1 + v2)) -eq 10000 ] || e2e_fail "canary: bodies $(J split "r['bodies']")"
	[ "$v1" -ge 8850 ] && [ "$v1" -le 9150 ] ||
		e2e_fail "canary: $v1 v1 / $v2 v2 of 10000, outside 90/10 +-1.5 points"
	e2e_ok "canary: 10000 requests, $v1 to v1 and $v2 to v2 (90/10 +-1.5 points)"

	# Scenario 2: x-user-group: beta goes to v2 every time.
	hc split 198.18.0.2 80 500 2 --host order-service -H 'x-user-group: beta' >"$E2E_TMP/beta.json"
	want "beta: statuses" "$(J beta "r['status']")" "{'200': 500}"
	want "beta: bodies" "$(J beta "r['bodies']")" "{'v2\n': 500}"
	# ... and only that exact value does.
	hc split 198.18.0.2 80 200 1 --host order-service -H 'x-user-group: Beta' >"$E2E_TMP/beta2.json"
	bcount beta2 v1 v2
	[ "$v1" -gt 0 ] || e2e_fail "x-user-group: Beta (not exact) went to v2 every time: $(J beta2 "r['bodies']")"
	e2e_ok "beta: 500 of 500 to v2; 'Beta' is not 'beta' ($v1 of 200 to v1)"

	# Virtual hosts: the strict table has no "*": an unknown host is 404.
	xch vh404 81 --responses 1 'GET / HTTP/1.1\r\nHost: unknown.test\r\n\r\n'
	want "unknown host on :81" "$(J vh404 "r['responses'][0]['status']")" 404
	xch vh200 81 --responses 1 'GET / HTTP/1.1\r\nHost: order-service\r\n\r\n'
	want "order-service on :81" "$(J vh200 "[x['status'] for x in r['responses']], r['responses'][0]['body']")" "([200], 'v1\n')"
	xch vh200b 81 --responses 1 'GET / HTTP/1.1\r\nHost: Order-Service:81\r\n\r\n'
	# docs/routing.md: hosts ignore case, and a port is ignored when the
	# domain has none.
	want "Order-Service:81 on :81" "$(J vh200b "r['responses'][0]['status']")" 200
	xch vhstar --responses 1 'GET /x HTTP/1.1\r\nHost: unknown.test\r\n\r\n'
	want "unknown host on :80 (\"*\" vhost)" "$(J vhstar "r['responses'][0]['status']")" 200
	[ "$(hstat "['local_replies']['no_route']")" -ge 1 ] || e2e_fail "no_route not counted: $(mctl http)"
	e2e_ok "virtual hosts: unknown host 404 without a '*' vhost, 200 with one"

	# Local replies: no endpoint 503, connect refused 502, direct, redirect.
	xch empty --responses 1 'GET /empty HTTP/1.1\r\nHost: a\r\n\r\n'
	want "cluster without endpoints" "$(J empty "r['responses'][0]['status']")" 503
	xch dead --responses 1 'GET /dead HTTP/1.1\r\nHost: a\r\n\r\n'
	want "endpoint nobody listens on" "$(J dead "r['responses'][0]['status']")" 502
	xch direct --responses 1 'GET /direct HTTP/1.1\r\nHost: a\r\n\r\n'
	want "direct_response" "$(J direct "r['responses'][0]['status'], r['responses'][0]['body']")" "(418, 'short and stout\n')"
	xch redir --responses 1 'GET /old/a/b?q=1&r=2 HTTP/1.1\r\nHost: a\r\n\r\n'
	want "redirect" "$(J redir "r['responses'][0]['status'], [v for n, v in r['responses'][0]['headers'] if n.lower() == 'location']")" \
		"(308, ['http://new.test/new/a/b?q=1&r=2'])"
	h=$(mctl http)
	for r in no_healthy_endpoint upstream_connect_failed direct_response redirect; do
		[ "$(echo "$h" | jget "r['result']['total']['local_replies']['$r']")" -ge 1 ] ||
			e2e_fail "local reply $r not counted: $h"
	done
	e2e_ok "local replies: 503 no endpoint, 502 refused, 418 direct, 308 redirect with Location; counted"

	# Path normalization: routing and the backend see the normalized path;
	# the query is untouched.
	xch norm --responses 1 'GET /echo/a/../b//c HTTP/1.1\r\nHost: a\r\nX-Test: norm1\r\n\r\n'
	want "/echo/a/../b//c" "$(J norm "r['responses'][0]['status'], __import__('json').loads(r['responses'][0]['body'])['target']")" "(200, '/echo/b/c')"
	xch norm2 --responses 1 'GET /x/%2e%2e/echo/./%7ey//z?p=/a/../b//c HTTP/1.1\r\nHost: a\r\nX-Test: norm2\r\n\r\n'
	want "/x/%2e%2e/echo/./%7ey//z?p=..." "$(J norm2 "r['responses'][0]['status'], __import__('json').loads(r['responses'][0]['body'])['target']")" \
		"(200, '/echo/~y/z?p=/a/../b//c')"
	want "backend head of norm2" "$(bhead norm2 | cut -c1-41)" "'GET /echo/~y/z?p=/a/../b//c HTTP/1.1\r\n"
	for p in '/echo/a%2fb' '/echo/a%2Fb' '/echo/a%5cb' '/echo/%00' '/echo/..;/x'; do
		xch enc --responses 1 --eof "GET $p HTTP/1.1\r\nHost: a\r\nX-Test: enc\r\n\r\n"
		want "$p" "$(J enc "[x['status'] for x in r['responses']], r['eof']")" "([400], True)"
	done
	bhead enc >/dev/null 2>&1 && e2e_fail "a request with an encoded slash reached the backend"
	e2e_ok "paths: dot-segments and // removed before routing and as forwarded, query kept; %2f %2F %5c %00 ..; get 400 and a close"

	# X-Forwarded-For, X-Request-Id.
	xch xff --responses 2 'GET /echo/1 HTTP/1.1\r\nHost: a\r\nX-Test: xff1\r\n\r\n' \
		'GET /echo/2 HTTP/1.1\r\nHost: a\r\nX-Test: xff2\r\nX-Forwarded-For: 198.18.5.5\r\nX-Request-Id: req-abc-123\r\n\r\n'
	h=$(bhead xff1)
	python3 - "$h" <<'PY' || e2e_fail "xff1: $h"
import ast, re, sys
h = ast.literal_eval(sys.argv[1])
f = lambda n: [l.split(":", 1)[1].strip() for l in h.split("\r\n")[1:] if l.lower().startswith(n + ":")]
assert f("x-forwarded-for") == ["198.18.0.1"], f("x-forwarded-for")
assert f("x-forwarded-proto") == ["http"], f("x-forwarded-proto")
rid = f("x-request-id")
assert len(rid) == 1 and re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", rid[0]), rid
PY
	h=$(bhead xff2)
	python3 - "$h" <<'PY' || e2e_fail "xff2: $h"
import ast, sys
h = ast.literal_eval(sys.argv[1])
f = lambda n: [l.split(":", 1)[1].strip() for l in h.split("\r\n")[1:] if l.lower().startswith(n + ":")]
assert f("x-forwarded-for") == ["198.18.5.5, 198.18.0.1"], f("x-forwarded-for")
assert f("x-request-id") == ["req-abc-123"], f("x-request-id")
PY
	e2e_ok "X-Forwarded-For carries the client (appended to a received list); X-Request-Id added (UUID) when absent, kept when present"

	# Hop-by-hop fields, those Connection names, and x-meshdp-* stay here.
	xch hop --responses 1 'GET /echo/hop HTTP/1.1\r\nHost: a\r\nX-Test: hop\r\nConnection: foo, keep-alive\r\nFoo: bar\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Connection: keep-alive\r\nUpgrade: h2c\r\nX-Meshdp-Route: evil\r\nX-Keep: yes\r\n\r\n'
	want "hop-by-hop request" "$(J hop "r['responses'][0]['status']")" 200
	h=$(bhead hop)
	python3 - "$h" <<'PY' || e2e_fail "hop-by-hop fields forwarded: $h"
import ast, sys
h = ast.literal_eval(sys.argv[1])
names = [l.split(":", 1)[0].lower() for l in h.split("\r\n")[1:] if l]
for bad in ("connection", "foo", "keep-alive", "te", "proxy-connection", "upgrade", "x-meshdp-route"):
    assert bad not in names, bad
assert names.count("x-keep") == 1 and names.count("host") == 1, names
PY
	e2e_ok "Connection, the field it names, Keep-Alive, TE, Proxy-Connection, Upgrade, x-meshdp-* not forwarded; others are"
}

# ---------------------------------------------------------------------------
case_keepalive() {
	local c0 b0 r0 n h

	# 2000 requests on 4 client connections.
	c0=$(hstat "['upstream_connects']"); r0=$(hstat "['upstream_reused']"); b0=$(bconns 8090)
	hc split 198.18.0.2 80 2000 4 --path /echo/ka >"$E2E_TMP/ka.json"
	want "keep-alive: statuses" "$(J ka "r['status'], r['errors']")" "({'200': 2000}, [])"
	n=$(( $(bconns 8090) - b0 ))
	c0=$(( $(hstat "['upstream_connects']") - c0 )); r0=$(( $(hstat "['upstream_reused']") - r0 ))
	[ "$n" -le 8 ] && [ "$c0" -le 8 ] && [ "$r0" -ge 1992 ] ||
		e2e_fail "2000 requests on 4 connections: backend saw $n connections; upstream_connects +$c0, upstream_reused +$r0"
	e2e_ok "2000 requests on 4 client connections: $n backend connections, upstream_connects +$c0, upstream_reused +$r0"

	# 300 requests, each on a new client connection that closes: the
	# upstream connection still serves them all.
	c0=$(hstat "['upstream_connects']"); b0=$(bconns 8090)
	hc split 198.18.0.2 80 300 1 --path /echo/close --close >"$E2E_TMP/kc.json"
	want "Connection: close clients" "$(J kc "r['status'], r['errors'], r['connections']")" "({'200': 300}, [], 300)"
	n=$(( $(bconns 8090) - b0 )); c0=$(( $(hstat "['upstream_connects']") - c0 ))
	[ "$n" -le 2 ] && [ "$c0" -le 2 ] ||
		e2e_fail "300 client connections in a row: backend saw $n connections, upstream_connects +$c0"
	e2e_ok "300 client connections with Connection: close: $n backend connection(s)"

	# A request with a body on a reused upstream connection (there are
	# pooled ones now): the backend gets exactly that body, and the
	# client connection stays in step.
	xch reuse --responses 2 'POST /echo/r1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello' --sleep 0.3 \
		'POST /echo/r2 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
	want "bodies on reused upstream connections" "$(J reuse "[(x['status'], x['body'] if x['status'] != 200 else (lambda b: (b['target'], b['body_len'], b['body_sha256'][:8]))(__import__('json').loads(x['body']))) for x in r['responses']], r['rest']")" \
		"([(200, ('/echo/r1', 5, '2cf24dba')), (200, ('/echo/r2', 5, '2cf24dba'))], '')"
	e2e_ok "request bodies (Content-Length, chunked) on reused upstream connections arrive intact"

	# Pipelining: three requests in one write, answered in order.
	xch pipe --responses 3 'GET /echo/p1 HTTP/1.1\r\nHost: a\r\n\r\nGET /echo/p2 HTTP/1.1\r\nHost: a\r\n\r\nGET /echo/p3 HTTP/1.1\r\nHost: a\r\n\r\n'
	want "pipelined" "$(J pipe "[(x['status'], __import__('json').loads(x['body'])['target']) for x in r['responses']], r['rest']")" \
		"([(200, '/echo/p1'), (200, '/echo/p2'), (200, '/echo/p3')], '')"
	# ... with bodies between them (Content-Length and chunked), and a
	# local reply in the middle.
	xch pipe2 --responses 5 'GET /echo/q1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /echo/q2 HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello worldPOST /echo/q3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nGET /direct HTTP/1.1\r\nHost: a\r\n\r\nGET /echo/q5 HTTP/1.1\r\nHost: a\r\n\r\n'
	want "pipelined with bodies" "$(J pipe2 "[(x['status'], x['body'] if x['status'] != 200 else (lambda b: (b['target'], b['body_len'], b['body_sha256'][:8]))(__import__('json').loads(x['body']))) for x in r['responses']], r['rest']")" \
		"([(200, ('/echo/q1', 0, 'e3b0c442')), (200, ('/echo/q2', 11, 'b94d27b9')), (200, ('/echo/q3', 11, 'b94d27b9')), (418, 'short and stout\n'), (200, ('/echo/q5', 0, 'e3b0c442'))], '')"
	e2e_ok "pipelining: 3 requests in one write answered in order; also with CL and chunked bodies and a local reply between"

	# HTTP/1.0 without keep-alive: a response, then the close.
	xch h10 --wait 5 'GET /echo/h10 HTTP/1.0\r\n\r\n'
	want "HTTP/1.0" "$(J h10 "[x['status'] for x in r['responses']], __import__('json').loads(r['responses'][0]['body'])['target'], r['eof'], r['rest']")" \
		"([200], '/echo/h10', True, '')"
	# HTTP/1.0 with keep-alive: two requests on one connection.
	xch h10k --wait 2 --responses 2 --eof 'GET /echo/k1 HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n' --sleep 0.3 \
		'GET /echo/k2 HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n'
	want "HTTP/1.0 keep-alive" "$(J h10k "[(x['status'], [v.lower() for n, v in x['headers'] if n.lower() == 'connection']) for x in r['responses']], r['eof']")" \
		"([(200, ['keep-alive']), (200, ['keep-alive'])], False)"
	# A chunked response to an HTTP/1.0 client arrives de-chunked, ended
	# by the close.
	xch h10c --wait 20 'GET /gen?n=300000&chunked=1&seed=7 HTTP/1.0\r\nHost: a\r\n\r\n'
	h=$(J h10c "r['responses'][0]['status'], r['eof'], [n for n, v in r['responses'][0]['headers'] if n.lower() in ('transfer-encoding', 'content-length')], __import__('hashlib').sha256(r['responses'][0]['body'].encode('latin-1')).hexdigest(), len(r['responses'][0]['body'])")
	want "HTTP/1.0 and a chunked response" "$h" "(200, True, [], '$(python3 "$HERE/http_backend.py" gensha 300000 7 | cut -d' ' -f1)', 300000)"
	e2e_ok "HTTP/1.0: answered then closed; keep-alive honoured; a chunked response de-chunked and delimited by the close"
}

# What meshdp's connections and proxy counters say, for a failure message.
diag() {
	echo "---- meshctl conns"
	mctl conns | jget "'\\n'.join('%s %s %s in %s out %s snd_wnd %s rcv_wnd %s send_queue %s' % (c['local'], c['remote'], c['state'], c['bytes_in'], c['bytes_out'], c['snd_wnd'], c['rcv_wnd'], c['send_queue']) for c in r['result']['conns'])"
	echo "---- meshctl http"
	mctl http | jget "r['result']['total']"
}

# ---------------------------------------------------------------------------
case_bodies() {
	local mib=${HTTP_BODY_MIB:-100} n want_sha got t
	n=$((mib * 1048576))
	head -c "$n" /dev/urandom >"$E2E_TMP/up.bin"
	want_sha=$(sha256sum <"$E2E_TMP/up.bin" | cut -d' ' -f1)

	# Upload with Content-Length (curl sends Expect: 100-continue), then
	# chunked.
	for mode in content-length chunked; do
		t=$(date +%s.%N)
		if [ $mode = chunked ]; then
			cl curl -sS --max-time 40 -H 'Transfer-Encoding: chunked' --data-binary @"$E2E_TMP/up.bin" \
				-H 'X-Test: up-chunked' http://198.18.0.2/sha >"$E2E_TMP/up.json" ||
				{ diag; e2e_fail "upload ($mode): curl failed"; }
		else
			cl curl -sS --max-time 40 --data-binary @"$E2E_TMP/up.bin" \
				-H 'X-Test: up-cl' http://198.18.0.2/sha >"$E2E_TMP/up.json" ||
				{ diag; e2e_fail "upload ($mode): curl failed"; }
		fi
		got=$(J up "r['body_sha256'], r['body_len']")
		want "upload ($mode)" "$got" "('$want_sha', $n)"
		e2e_ok "upload, $mode: $mib MiB, SHA-256 equal at the backend ($(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)"
	done
	bhead up-chunked | grep -qi '\\r\\nTransfer-Encoding: chunked\\r\\n' || e2e_fail "chunked upload: $(bhead up-chunked)"
	rm -f "$E2E_TMP/up.bin"

	# Downloads, Content-Length then chunked, on one client connection.
	want_sha=$(python3 "$HERE/http_backend.py" gensha "$n" 5 | cut -d' ' -f1)
	t=$(date +%s.%N)
	cl curl -sS --max-time 60 -w '%{http_code} %{num_connects} %{size_download}\n' \
		-o "$E2E_TMP/d1.bin" "http://198.18.0.2/gen?n=$n&seed=5" \
		-o "$E2E_TMP/d2.bin" "http://198.18.0.2/gen?n=$n&seed=5&chunked=1" >"$E2E_TMP/down.out" ||
		{ diag; e2e_fail "download: curl failed: $(cat "$E2E_TMP/down.out")"; }
	want "download: codes, connects, sizes" "$(tr '\n' ' ' <"$E2E_TMP/down.out")" "200 1 $n 200 0 $n "
	want "download (Content-Length)" "$(sha256sum <"$E2E_TMP/d1.bin" | cut -d' ' -f1)" "$want_sha"
	want "download (chunked)" "$(sha256sum <"$E2E_TMP/d2.bin" | cut -d' ' -f1)" "$want_sha"
	e2e_ok "download: $mib MiB with Content-Length and $mib MiB chunked on one connection, SHA-256 equal ($(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)"
	rm -f "$E2E_TMP"/d?.bin
}

# ---------------------------------------------------------------------------
case_upgrade() {
	local t0
	t0=$(hstat "['tunnels']")
	e2e_check "upgrade: 101, 1 MiB echoed through the tunnel, clean close" hc upgrade 198.18.0.2 80 1048576 30
	cat "$E2E_TMP/last.out"
	[ "$(hstat "['tunnels']")" -gt "$t0" ] || e2e_fail "tunnels not counted: $(mctl http)"
	python3 - "$E2E_TMP/heads.log" <<'PY' || e2e_fail "upgrade: backend head: $(grep 'GET /ws' "$E2E_TMP/heads.log")"
import json, sys
hs = [r["head"] for r in map(json.loads, open(sys.argv[1])) if r["ev"] == "req" and r["head"].startswith("GET /ws ")]
assert len(hs) == 1, hs
l = [x.lower() for x in hs[0].split("\r\n")]
assert "connection: upgrade" in l and "upgrade: websocket" in l and "sec-websocket-key: dghlihnhbxbszsbub25jzq==" in l, l
PY
	# Two at once, a bigger one: the tunnels are independent.
	hc upgrade 198.18.0.2 80 4194304 60 >"$E2E_TMP/u1.out" 2>&1 &
	local p1=$!
	hc upgrade 198.18.0.2 80 2097152 60 >"$E2E_TMP/u2.out" 2>&1 ||
		e2e_fail "second concurrent upgrade: $(cat "$E2E_TMP/u2.out")"
	wait $p1 || e2e_fail "first concurrent upgrade: $(cat "$E2E_TMP/u1.out")"
	e2e_ok "two tunnels at once (4 MiB and 2 MiB) echoed intact"
	# Short tunnels that the client closes outright, one after another;
	# meshdp outlives them (timers of ended tunnels) and still serves
	# plain requests.
	e2e_check "8 short tunnels in a row, each closed by the client" hc upgrades 198.18.0.2 80 8
	sleep 5
	kill -0 "$MESHDP_PID" 2>/dev/null || e2e_fail "meshdp died after the tunnels ended"
	xch after --responses 1 'GET /echo/after HTTP/1.1\r\nHost: a\r\n\r\n'
	want "request after the tunnels" "$(J after "r['responses'][0]['status']")" 200
	e2e_ok "meshdp alive 5 s after 11 tunnels ended, serving requests"
}

# ---------------------------------------------------------------------------
# The default route table with the canary's weights set to $1/$2, as JSON
# for meshctl route-table set.
rt_weights() {
	mctl config dump | python3 -c '
import json, sys
d = json.load(sys.stdin)["result"]
m = d.get("mesh", d)
rt = [t for t in m["route_tables"] if t["name"] == "default"][0]
for vh in rt["virtual_hosts"]:
    for r in vh["routes"]:
        if r.get("name") == "canary":
            r["route"]["clusters"] = [{"name": "order-v1", "weight": int(sys.argv[1])},
                                      {"name": "order-v2", "weight": int(sys.argv[2])}]
print(json.dumps(rt))' "$1" "$2"
}
mesh_version() { mctl config dump | jget "r['result']['version']"; }
# pool_split NAME N: N requests to /pool (cluster "pool")
pool_split() { hc split 198.18.0.2 80 "$2" 2 --path /pool >"$E2E_TMP/$1.json"; }

case_updates() {
	local v1 v2 v0 out i ok wrk_pid a b
	rt_weights 0 100 >"$E2E_TMP/rt-0-100.json"
	rt_weights 100 0 >"$E2E_TMP/rt-100-0.json"
	rt_weights 90 10 >"$E2E_TMP/rt-90-10.json"
	rt_weights 50 50 >"$E2E_TMP/rt-50-50.json"

	# Weights: 0/100, then 100/0, each on the very next 1000 requests.
	v0=$(mesh_version)
	out=$(mctl route-table set "$E2E_TMP/rt-0-100.json") || e2e_fail "route-table set 0/100: $out"
	want "route-table set: applied everywhere" "$(echo "$out" | jget "(r['result']['version'], r['result']['all_workers'])")" "($((v0 + 1)), True)"
	hc split 198.18.0.2 80 1000 4 --host order-service >"$E2E_TMP/w1.json"
	want "after 0/100" "$(J w1 "r['status'], r['bodies']")" "({'200': 1000}, {'v2\n': 1000})"
	mctl route-table set "$E2E_TMP/rt-100-0.json" >/dev/null || e2e_fail "route-table set 100/0"
	hc split 198.18.0.2 80 1000 4 --host order-service >"$E2E_TMP/w2.json"
	want "after 100/0" "$(J w2 "r['status'], r['bodies']")" "({'200': 1000}, {'v1\n': 1000})"
	e2e_ok "weights 0/100 then 100/0 over the control socket: the next 1000 requests all to v2, then all to v1"

	# Endpoints of cluster "pool" (starts with v1 only).
	pool_split p1 200
	want "pool: v1 only" "$(J p1 "r['bodies']")" "{'v1\n': 200}"
	mctl endpoint add pool 198.18.1.1:8082 1 >/dev/null || e2e_fail "endpoint add"
	pool_split p2 200
	bcount p2 v1 v2
	[ "$v1" -ge 80 ] && [ "$v2" -ge 80 ] && [ $((v1 + v2)) -eq 200 ] || e2e_fail "pool after endpoint add (1:1): $(J p2 "r")"
	a="$v1/$v2"
	mctl endpoint weight pool 198.18.1.1:8081 0 >/dev/null || e2e_fail "endpoint weight 0"
	pool_split p3 200
	want "pool: v1 drained" "$(J p3 "r['bodies']")" "{'v2\n': 200}"
	mctl endpoint weight pool 198.18.1.1:8081 3 >/dev/null || e2e_fail "endpoint weight 3"
	pool_split p4 400
	bcount p4 v1 v2
	[ "$v1" -ge 270 ] && [ "$v1" -le 330 ] && [ $((v1 + v2)) -eq 400 ] || e2e_fail "pool weights 3:1: $(J p4 "r")"
	mctl endpoint remove pool 198.18.1.1:8082 >/dev/null || e2e_fail "endpoint remove"
	pool_split p5 200
	want "pool: v2 removed" "$(J p5 "r['bodies']")" "{'v1\n': 200}"
	mctl endpoint remove pool 198.18.1.1:8081 >/dev/null || e2e_fail "endpoint remove (last)"
	pool_split p6 50
	want "pool: no endpoint" "$(J p6 "r['status']")" "{'503': 50}"
	mctl endpoint add pool 198.18.1.1:8082 >/dev/null || e2e_fail "endpoint add (again)"
	pool_split p7 200
	want "pool: v2 only" "$(J p7 "r['status'], r['bodies']")" "({'200': 200}, {'v2\n': 200})"
	e2e_ok "endpoints: add (1:1: $a), weight 0 drains, weight 3:1 ($v1/$v2), remove, none left is 503, add again"

	# Invalid changes are refused whole; the document does not change.
	mctl config dump >"$E2E_TMP/before.json"
	python3 - "$E2E_TMP/rt-90-10.json" <<'PY'
import json, sys
rt = json.load(open(sys.argv[1]))
routes = rt["virtual_hosts"][0]["routes"]
bad = json.loads(json.dumps(rt)); bad["virtual_hosts"][0]["routes"][-1]["route"]["clusters"][1]["name"] = "order-v3"
json.dump(bad, open(sys.argv[1] + ".unknown", "w"))
bad = json.loads(json.dumps(rt)); bad["virtual_hosts"][0]["routes"][0]["match"] = {"regex": "/(a"}
json.dump(bad, open(sys.argv[1] + ".regex", "w"))
bad = json.loads(json.dumps(rt)); bad["virtual_hosts"][0]["routes"].insert(0, {"match": {"prefix": "/", "headers": [{"name": "x", "regex": "(("}]}, "route": {"cluster": "echo"}})
json.dump(bad, open(sys.argv[1] + ".hregex", "w"))
PY
	for bad in unknown:order-v3 regex:regex hregex:regex; do
		out=$("$MESHCTL" -s "$SOCK" route-table set "$E2E_TMP/rt-90-10.json.${bad%%:*}" 2>&1) &&
			e2e_fail "route-table with ${bad%%:*} accepted: $out"
		echo "$out" | grep -qi "${bad#*:}" || e2e_fail "route-table with ${bad%%:*}: $out"
	done
	out=$("$MESHCTL" -s "$SOCK" cluster delete order-v2 2>&1) && e2e_fail "cluster delete of a used cluster accepted: $out"
	out=$("$MESHCTL" -s "$SOCK" endpoint add nosuch 198.18.1.1:8082 2>&1) && e2e_fail "endpoint add to an unknown cluster accepted: $out"
	out=$("$MESHCTL" -s "$SOCK" endpoint add pool 198.18.1.1:8082 2>&1) && e2e_fail "duplicate endpoint accepted: $out"
	out=$("$MESHCTL" -s "$SOCK" endpoint remove pool 198.18.1.1:9999 2>&1) && e2e_fail "removing an absent endpoint accepted: $out"
	out=$("$MESHCTL" -s "$SOCK" route-table delete strict 2>&1) && e2e_fail "deleting a listener's route table accepted: $out"
	mctl config dump >"$E2E_TMP/after.json"
	cmp -s "$E2E_TMP/before.json" "$E2E_TMP/after.json" ||
		e2e_fail "a refused change changed the configuration: $(diff "$E2E_TMP/before.json" "$E2E_TMP/after.json")"
	hc split 198.18.0.2 80 200 2 --host order-service >"$E2E_TMP/w3.json"
	want "after refused changes (still 100/0)" "$(J w3 "r['status'], r['bodies']")" "({'200': 200}, {'v1\n': 200})"
	e2e_ok "refused: unknown cluster, bad path regex, bad header regex, deleting a used cluster or route table, bad endpoint changes; config dump unchanged"

	# 100 route-table replacements during a wrk run.
	v0=$(mesh_version)
	cl wrk -t1 -c16 -d15s --timeout 5s -H 'Host: order-service' http://198.18.0.2/ >"$E2E_TMP/wrk.out" 2>&1 &
	wrk_pid=$!
	E2E_PIDS+=($wrk_pid)
	sleep 1
	ok=0
	for i in $(seq 100); do
		if [ $((i % 2)) -eq 1 ]; then a=rt-90-10; else a=rt-50-50; fi
		"$MESHCTL" -s "$SOCK" route-table set "$E2E_TMP/$a.json" >/dev/null 2>"$E2E_TMP/set.err" && ok=$((ok + 1))
		sleep 0.08
	done
	wait $wrk_pid
	b=$?
	cat "$E2E_TMP/wrk.out"
	[ $b -eq 0 ] || e2e_fail "wrk exited with $b"
	[ "$ok" -eq 100 ] || e2e_fail "$ok of 100 route-table replacements accepted: $(cat "$E2E_TMP/set.err")"
	want "version after 100 replacements" "$(mesh_version)" $((v0 + 100))
	grep -q "requests in" "$E2E_TMP/wrk.out" || e2e_fail "wrk: no summary"
	grep -q "Non-2xx or 3xx" "$E2E_TMP/wrk.out" && e2e_fail "wrk saw non-2xx responses during the replacements"
	grep -q "Socket errors" "$E2E_TMP/wrk.out" && e2e_fail "wrk saw socket errors during the replacements"
	e2e_ok "100 route-table replacements during wrk: $(grep -o '[0-9]* requests in' "$E2E_TMP/wrk.out"), no socket error, no non-2xx"
	# The last table (50/50) is in force.
	hc split 198.18.0.2 80 1000 4 --host order-service >"$E2E_TMP/w4.json"
	bcount w4 v1 v2
	[ "$v1" -ge 400 ] && [ "$v2" -ge 400 ] && [ $((v1 + v2)) -eq 1000 ] || e2e_fail "after the loop (50/50): $(J w4 r)"
	# Superseded snapshots are freed once their requests are done.
	for _ in $(seq 30); do
		out=$(mctl endpoint weight pool 198.18.1.1:8082 1)
		[ "$(echo "$out" | jget "r['result']['old_snapshots']")" = 0 ] && break
		sleep 0.2
	done
	want "old snapshots in use after the run" "$(echo "$out" | jget "r['result']['old_snapshots']")" 0
	e2e_ok "the last table is in force ($v1/$v2); no old snapshot left"
}

# ---------------------------------------------------------------------------
case_limits() {
	local p f
	# max_request_line = 256: the request line without CRLF.
	p=$(printf '/echo/%0250d' 0)	# "GET " + 256 + " HTTP/1.1" > 256
	xch l414 --responses 1 --eof "GET $p HTTP/1.1\r\nHost: a\r\n\r\n"
	want "long request line" "$(J l414 "[x['status'] for x in r['responses']], r['eof']")" "([414], True)"
	p=$(printf '/echo/%0200d' 0)
	xch l414ok --responses 1 "GET $p HTTP/1.1\r\nHost: a\r\n\r\n"
	want "request line under the limit" "$(J l414ok "[x['status'] for x in r['responses']]")" "[200]"
	# max_headers = 10: 10 fields pass, 11 get 431.
	f='Host: a\r\n'; for i in 1 2 3 4 5 6 7 8 9; do f="${f}X-H$i: $i\r\n"; done
	xch l431ok --responses 1 "GET /echo/h HTTP/1.1\r\n$f\r\n"
	want "10 header fields" "$(J l431ok "[x['status'] for x in r['responses']]")" "[200]"
	xch l431 --responses 1 --eof "GET /echo/h HTTP/1.1\r\n${f}X-H10: 10\r\n\r\n"
	want "11 header fields" "$(J l431 "[x['status'] for x in r['responses']], r['eof']")" "([431], True)"
	# max_head = 4096
	p=$(printf '%05000d' 0)
	xch l431b --responses 1 --eof "GET /echo/h HTTP/1.1\r\nHost: a\r\nX-Big: $p\r\n\r\n"
	want "head over max_head" "$(J l431b "[x['status'] for x in r['responses']], r['eof']")" "([431], True)"
	e2e_ok "limits: request line 414, 11 fields 431, 5000-byte head 431 (and a close); just under them 200"

	# head_timeout_ms = 1000: half a head, then nothing.
	xch l408 --wait 5 'GET /echo/slow HTTP/1.1\r\nHost: a\r\n'
	want "half a head" "$(J l408 "[x['status'] for x in r['responses']], r['eof']")" "([408], True)"
	[ "$(J l408 "r['seconds'] >= 0.9")" = True ] || e2e_fail "408 after $(J l408 "r['seconds']") s, before the 1 s head timeout"
	# A slow head that completes in time is served.
	xch l408ok --responses 1 'GET /echo/slow HTTP/1.1\r\n' --sleep 0.4 'Host: a\r\n' --sleep 0.3 '\r\n'
	want "a slow head within the timeout" "$(J l408ok "[x['status'] for x in r['responses']]")" "[200]"
	[ "$(hstat "['local_replies']['head_timeout']")" -ge 1 ] || e2e_fail "head_timeout not counted"
	e2e_ok "head timeout: 408 after $(J l408 "r['seconds']") s and a close; a head completed within it is served"

	# Route timeout 500 ms, the backend answers after 2000 ms: 504. The
	# upstream connection that still owes that answer is not reused.
	xch l504 --wait 5 --responses 1 'GET /sleep?ms=2000 HTTP/1.1\r\nHost: a\r\n\r\n'
	want "route timeout" "$(J l504 "[x['status'] for x in r['responses']]")" "[504]"
	xch l504ok --responses 1 'GET /sleep?ms=0 HTTP/1.1\r\nHost: a\r\n\r\n'
	want "same route, fast backend" "$(J l504ok "[(x['status'], x['body']) for x in r['responses']]")" "[(200, 'slept 0\n')]"
	sleep 2	# the backend's late answer arrives
	hc split 198.18.0.2 80 20 1 --path /sleep?ms=1 >"$E2E_TMP/l504b.json"
	want "after the late answer" "$(J l504b "r['status'], r['bodies']")" "({'200': 20}, {'slept 1\n': 20})"
	[ "$(hstat "['local_replies']['request_timeout']")" -ge 1 ] || e2e_fail "request_timeout not counted"
	e2e_ok "route timeout: 504 after $(J l504 "r['seconds']") s; the late answer never reaches a later request"
}

"case_$CASE"

# Every client connection is gone; upstream ones are idle in the pool.
for _ in $(seq 50); do
	mctl http >"$E2E_TMP/h.json"
	[ "$(J h "r['result']['total']['active_downstream'], r['result']['total']['active_upstream'] - r['result']['total']['idle_upstream']")" = "(0, 0)" ] && break
	sleep 0.2
done
want "active_downstream, busy upstream at the end" \
	"$(J h "r['result']['total']['active_downstream'], r['result']['total']['active_upstream'] - r['result']['total']['idle_upstream']")" "(0, 0)"
e2e_ok "at the end: no client connection left, $(J h "r['result']['total']['idle_upstream']") idle upstream connection(s) pooled"
e2e_log "$CASE: $(( $(date +%s) - T0 )) s"
e2e_meshdp_stop
