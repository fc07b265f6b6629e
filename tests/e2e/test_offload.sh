#!/usr/bin/env bash
# Checksum offload through DPDK's tap PMD, the one device on this machine
# that offers it (it fills and checks IPv4 and TCP checksums in software
# in the PMD, through the same mbuf flags a NIC takes). meshdp runs in
# NS_DP on a tap interface, which then moves into the client namespace:
#
#   client ns 198.18.0.1 [tap iface] ==== meshdp (net_tap) 198.18.0.2
#
# With checksum_offload on (the default), meshdp hands the checksums to
# the device both ways; a 1 MiB echo comes back intact and no checksum is
# bad (the Linux peer drops any segment whose checksum is wrong). With it
# off, the same in software.
. "$(dirname "$0")/lib.sh"
E2E_NAME=offload

e2e_ns dp NS_DP
e2e_ns cl NS_CL
IF_TAP="md${E2E_ID}t"
LISTENERS='listeners = ( { name = "echo"; kind = "echo"; port = 7; } );'

run() {	# run on|off
	local want=$1 tx rx bad
	CONF_EXTRA=$LISTENERS
	DEVICE="net_tap_$IF_TAP,iface=$IF_TAP"
	if [ "$want" = off ]; then PORT_EXTRA="checksum_offload = false;"; else PORT_EXTRA=""; fi
	e2e_conf_write
	e2e_meshdp_start
	for _ in $(seq 50); do ip -n "$NS_DP" link show "$IF_TAP" >/dev/null 2>&1 && break; sleep 0.1; done
	ip -n "$NS_DP" link set "$IF_TAP" netns "$NS_CL" || e2e_fail "cannot move $IF_TAP"
	# The tap PMD gives the kernel side the port's own MAC; a peer needs
	# its own (meshdp refuses ARP from its own address).
	ip -n "$NS_CL" link set "$IF_TAP" address 02:00:00:00:00:01
	ip -n "$NS_CL" link set "$IF_TAP" up
	ip -n "$NS_CL" addr add 198.18.0.1/24 dev "$IF_TAP"
	mctl ports >"$E2E_TMP/ports.json"
	tx=$(jget 'r["result"]["ports"][0]["checksum_offload"]["tx"]' <"$E2E_TMP/ports.json")
	rx=$(jget 'r["result"]["ports"][0]["checksum_offload"]["rx"]' <"$E2E_TMP/ports.json")
	if [ "$want" = on ]; then
		[ "$tx $rx" = "True True" ] || e2e_fail "net_tap: checksum offload tx $tx rx $rx, want both"
	else
		[ "$tx $rx" = "False False" ] || e2e_fail "checksum_offload = false: tx $tx rx $rx"
	fi
	e2e_ok "checksum offload $want: tx $tx, rx $rx"
	e2e_check "ping through the tap ($want)" ip netns exec "$NS_CL" ping -c 3 -i 0.1 -W 1 198.18.0.2
	e2e_check "1 MiB echo over TCP ($want)" ip netns exec "$NS_CL" python3 -c '
import socket, sys
s = socket.create_connection(("198.18.0.2", 7), timeout=10)
d = bytes(range(256)) * 4096
s.sendall(d)
got = b""
while len(got) < len(d):
    x = s.recv(65536)
    if not x:
        break
    got += x
sys.exit(0 if got == d else 1)
'
	mctl stats >"$E2E_TMP/s.json"
	bad=$(jget "r['result']['total']['tcp_bad_checksum'] + r['result']['total']['ipv4_bad_checksum']" <"$E2E_TMP/s.json")
	[ "$bad" -eq 0 ] || e2e_fail "$bad bad checksums with offload $want"
	e2e_ok "no bad checksum ($want)"
	e2e_meshdp_stop
	# the tap interface goes with meshdp
	for _ in $(seq 50); do ip -n "$NS_CL" link show "$IF_TAP" >/dev/null 2>&1 || break; sleep 0.1; done
}

run on
run off
