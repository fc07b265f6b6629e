#!/usr/bin/env bash
# SIGTERM and SIGINT stop meshdp cleanly (exit 0, socket removed); a
# second meshdp cannot take a live control socket; a stale one is reused.
. "$(dirname "$0")/lib.sh"

e2e_topology_simple af_xdp
e2e_meshdp_start
e2e_check "ping" ip netns exec "$NS_CL" ping -c 2 -i 0.2 -W 1 198.18.0.2

# A second instance on the same socket is refused and leaves the first alone.
cp "$E2E_TMP/meshdp.conf" "$E2E_TMP/second.conf"
sed -i "s/file-prefix=mdpt-$E2E_ID/file-prefix=mdpt-$E2E_ID-2/" "$E2E_TMP/second.conf"
out=$(ip netns exec "$NS_DP" timeout 20 "$MESHDP" -c "$E2E_TMP/second.conf" 2>&1) &&
	e2e_fail "second meshdp started on a live socket"
echo "$out" | grep -q "another meshdp is running there" || e2e_fail "second instance said: $(echo "$out" | tail -3)"
mctl status >/dev/null || e2e_fail "first meshdp lost its socket"
e2e_ok "second instance refused; first still answers"

e2e_meshdp_stop
[ -e "$SOCK" ] && e2e_fail "control socket $SOCK left behind"
e2e_ok "socket removed"
grep -q "signal Terminated: shutting down" "$E2E_TMP/meshdp.log" || e2e_fail "no shutdown log line"

# SIGINT, and a stale socket file from a killed process is replaced.
python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.bind('$SOCK')"
[ -S "$SOCK" ] || e2e_fail "could not make a stale socket"
e2e_meshdp_start
kill -INT "$MESHDP_PID"
for _ in $(seq 100); do kill -0 "$MESHDP_PID" 2>/dev/null || break; sleep 0.1; done
wait "$MESHDP_PID"; rc=$?
MESHDP_PID=
[ $rc -eq 0 ] || e2e_fail "exit status $rc after SIGINT"
[ -e "$SOCK" ] && e2e_fail "socket left after SIGINT"
e2e_ok "SIGINT: exit 0, socket removed (stale socket was replaced at start)"

# meshctl says clearly that nothing is running.
out=$("$MESHCTL" -s "$SOCK" status 2>&1); rc=$?
[ $rc -eq 2 ] || e2e_fail "meshctl exit $rc with meshdp down, want 2"
echo "$out" | grep -q "not running" || e2e_fail "meshctl said: $out"
e2e_ok "meshctl: $out"
