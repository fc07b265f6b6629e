#!/usr/bin/env bash
# Ping meshdp's address from a client namespace; meshdp's own ICMP answers.
# usage: test_ping.sh af_xdp|af_packet
. "$(dirname "$0")/lib.sh"
kind=${1:-af_xdp}
E2E_NAME="ping-$kind"

e2e_topology_simple "$kind"
e2e_meshdp_start
driver=$(mctl ports | jget 'r["result"]["ports"][0]["driver"]')
[ "$driver" = "net_$kind" ] || e2e_fail "port driver is $driver, want net_$kind"
e2e_ok "port runs on $driver"

e2e_check "ping 20 x 198.18.0.2" ip netns exec "$NS_CL" ping -c 20 -i 0.05 -W 1 198.18.0.2
grep -q " 0% packet loss" "$E2E_TMP/last.out" || e2e_fail "ping lost packets: $(tail -2 "$E2E_TMP/last.out")"

# Large echo (1472 B payload = a full 1500 B datagram) comes back intact.
e2e_check "ping with full-MTU payload" ip netns exec "$NS_CL" ping -c 3 -i 0.1 -W 1 -s 1472 -M do 198.18.0.2

replies=$(mctl stats | jget 'r["result"]["total"]["icmp_echo_reply"]')
[ "$replies" -ge 23 ] || e2e_fail "icmp_echo_reply = $replies, want >= 23"
e2e_ok "meshdp counted $replies echo replies"
e2e_meshdp_stop
