#!/usr/bin/env bash
# meshdp's TCP stack against the Linux stack: the echo and discard
# services, refused connections, half-close, many connections in a row,
# and the tcp_proxy L4 relay to a server, with SHA-256 checked end to end.
. "$(dirname "$0")/lib.sh"

CONF_EXTRA='tcp = { time_wait_ms = 200; };
listeners = (
  { name = "echo"; kind = "echo"; port = 7; },
  { name = "discard"; kind = "discard"; port = 9; },
  { name = "l4"; kind = "tcp_proxy"; port = 8000; upstream = "198.18.0.1:8080"; }
);'
e2e_topology_simple af_xdp
e2e_meshdp_start
cli() { ip netns exec "$NS_CL" python3 "$(dirname "$0")/tcp_client.py" "$@"; }

e2e_check "echo 1 MiB" cli echo 198.18.0.2 7 1048576
cat "$E2E_TMP/last.out"
e2e_check "discard 32 MiB" cli discard 198.18.0.2 9 33554432
cat "$E2E_TMP/last.out"
e2e_check "RST for a port nobody listens on" cli refused 198.18.0.2 4444
e2e_check "half-close" cli halfclose 198.18.0.2 7
e2e_check "200 connections in a row" cli echo 198.18.0.2 7 1000 200
cat "$E2E_TMP/last.out"

# tcp_proxy: curl -> meshdp 198.18.0.2:8000 -> python http.server on the
# client's own 198.18.0.1:8080.
mkdir -p "$E2E_TMP/www"
head -c 4194304 /dev/urandom >"$E2E_TMP/www/blob"
ip netns exec "$NS_CL" python3 -m http.server 8080 --bind 198.18.0.1 \
	--directory "$E2E_TMP/www" >"$E2E_TMP/http.log" 2>&1 &
E2E_PIDS+=($!)
for _ in $(seq 50); do
	ip netns exec "$NS_CL" bash -c 'echo >/dev/tcp/198.18.0.1/8080' 2>/dev/null && break
	sleep 0.1
done
e2e_check "curl 4 MiB through tcp_proxy" ip netns exec "$NS_CL" \
	curl -sS --max-time 30 -o "$E2E_TMP/got" http://198.18.0.2:8000/blob
want=$(sha256sum <"$E2E_TMP/www/blob" | cut -d' ' -f1)
got=$(sha256sum <"$E2E_TMP/got" | cut -d' ' -f1)
[ "$want" = "$got" ] || e2e_fail "tcp_proxy: SHA-256 differs"
e2e_ok "tcp_proxy: 4 MiB, SHA-256 matches"

sleep 0.5	# TIME-WAIT (200 ms) ends
mctl stats >"$E2E_TMP/s.json"
opened=$(jget "r['result']['total']['tcp_conn_opened']" <"$E2E_TMP/s.json")
closed=$(jget "r['result']['total']['tcp_conn_closed']" <"$E2E_TMP/s.json")
[ "$opened" -ge 204 ] || e2e_fail "tcp_conn_opened = $opened"
[ "$opened" -eq "$closed" ] || e2e_fail "$opened connections opened, $closed closed: $(mctl stats --nonzero)"
e2e_ok "$opened connections opened and all freed"
e2e_meshdp_stop
