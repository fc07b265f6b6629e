#!/usr/bin/env bash
# The control socket under abuse: malformed and wrong requests, oversized
# lines, too many clients, a client that never reads. meshdp answers each
# with an error or a close, and the dataplane keeps forwarding meanwhile.
. "$(dirname "$0")/lib.sh"

e2e_topology_simple af_xdp
e2e_meshdp_start
ip netns exec "$NS_CL" ping -c 400 -i 0.02 -W 1 198.18.0.2 >"$E2E_TMP/ping.out" 2>&1 &
ping_pid=$!
E2E_PIDS+=("$ping_pid")
e2e_check "control abuse" python3 "$(dirname "$0")/ctl_abuse.py" "$SOCK"
cat "$E2E_TMP/last.out"
wait "$ping_pid"
loss=$(grep -o "[0-9.]*% packet loss" "$E2E_TMP/ping.out")
# The control thread must not stall the dataplane. A reply or two late
# past ping's 1 s deadline on a loaded 2-core machine is not a stall.
awk -v l="${loss%%%*}" 'BEGIN { exit !(l <= 1.0) }' || e2e_fail "ping during control abuse: $loss"
e2e_ok "ping during the abuse: $loss"

# meshctl's own error paths
out=$("$MESHCTL" -s "$SOCK" ports nosuch 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "invalid_argument" || e2e_fail "meshctl ports nosuch: rc $rc: $out"
out=$("$MESHCTL" -s "$SOCK" raw '{"cmd":"log-level","args":{"level":"debug"}}')
echo "$out" | grep -q '"level": *"debug"' || e2e_fail "log-level: $out"
e2e_ok "meshctl reports errors (exit 1) and sets the log level"
e2e_meshdp_stop
