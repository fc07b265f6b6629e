#!/usr/bin/env bash
# Request smuggling end to end (issue 4, "Smuggling suite"): raw-byte
# vectors (smuggle_vectors.py) go to meshdp's http listener, in front of a
# backend (smuggle_backend.py) that parses strictly and records every byte
# it receives. Each vector must either be rejected (the status
# docs/http.md gives, Connection: close, the connection closed, no complete
# request upstream and no half-fed upstream connection left open), or reach
# the backend as exactly one well-framed request with the method, target
# (as normalized for routing), Host and body the proxy saw; after a
# forwarded vector a normal request on the same connection, and the same
# request pipelined behind the vector on another, must be answered as a
# separate request (no desync). smuggle_driver.py prints one line per
# vector. Run a subset: test_http_smuggling.sh NAME...
# SMUGGLE_CLUSTER_EXTRA="max_idle = 0;" runs without upstream pooling (a
# fresh upstream connection per request); SMUGGLE_KEEP_LOG=FILE keeps the
# backend's log. The whole run takes about 20 s.
. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
BLOG=$E2E_TMP/backend.jsonl
CLUSTER_EXTRA=${SMUGGLE_CLUSTER_EXTRA:-}

e2e_topology_proxy af_xdp
e2e_conf_proxy "$(cat <<CONF
listeners = ( { name = "web"; kind = "http"; port = 80; route_table = "default"; } );
clusters = ( { name = "backend"; endpoints = ( { address = "198.18.1.1:8081"; } ); $CLUSTER_EXTRA } );
route_tables = (
  { name = "default";
    virtual_hosts = (
      { name = "all"; domains = [ "*" ];
        routes = ( { route = { cluster = "backend"; }; } ); }
    ); }
);
CONF
)"

: >"$BLOG"
ip netns exec "$NS_SV" "$PY" "$HERE/smuggle_backend.py" -a 198.18.1.1 -p 8081 -l "$BLOG" \
	>"$E2E_TMP/backend.out" 2>&1 &
E2E_PIDS+=($!)
for _ in $(seq 50); do
	grep -q '"ev": "listen"' "$BLOG" 2>/dev/null && break
	sleep 0.1
done
grep -q '"ev": "listen"' "$BLOG" || { cat "$E2E_TMP/backend.out"; e2e_fail "backend did not start"; }
e2e_ok "backend listening on 198.18.1.1:8081"

e2e_meshdp_start

# The path works at all before the vectors (ARP on both sides, the pool).
ok=
for _ in $(seq 20); do
	if ip netns exec "$NS_CL" curl -sS -m 2 -o /dev/null -w '%{http_code}' \
		http://198.18.0.2/ready 2>/dev/null | grep -qx 200; then
		ok=1; break
	fi
	sleep 0.25
done
[ -n "$ok" ] || e2e_fail "no 200 through the proxy for a plain GET"
e2e_ok "plain GET through the proxy"

ip netns exec "$NS_CL" timeout 110 "$PY" "$HERE/smuggle_driver.py" \
	--target 198.18.0.2:80 --log "$BLOG" --deadline 90 "$@" | tee "$E2E_TMP/driver.out"
rc=${PIPESTATUS[0]}
# SMUGGLE_KEEP_LOG=FILE keeps the backend's log (every byte it received).
[ -z "${SMUGGLE_KEEP_LOG:-}" ] || cp "$BLOG" "$SMUGGLE_KEEP_LOG"
kill -0 "$MESHDP_PID" 2>/dev/null || e2e_fail "meshdp died during the vectors"
if [ "$rc" -ne 0 ]; then
	mctl http >"$E2E_TMP/http.json" 2>&1 && { echo "---- meshctl http ----"; cat "$E2E_TMP/http.json"; echo; }
	e2e_fail "smuggling vectors (driver exit $rc)"
fi
e2e_ok "smuggling vectors: $(tail -n 1 "$E2E_TMP/driver.out")"
e2e_meshdp_stop
