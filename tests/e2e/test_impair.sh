#!/usr/bin/env bash
# The port impairment stage: loss, delay, duplication, corruption and
# reordering, each seen from a real peer (ping) and in meshdp's counters.
. "$(dirname "$0")/lib.sh"

run_with() {	# run_with 'IMPAIR GROUP' : fresh meshdp with that impairment
	[ -n "$MESHDP_PID" ] && e2e_meshdp_stop
	PORT_EXTRA="impair = $1;"
	e2e_conf_write
	e2e_meshdp_start
}
stat() { mctl stats | jget "r['result']['total']['$1']"; }

# Quick ARP retries, deep queues: impairment also hits ARP, and a lost
# ARP reply must not dominate what the checks below measure.
CONF_EXTRA='arp = { retry_ms = 20; retries = 10; pending = 64; };'
e2e_topology_simple af_xdp

# 1. 30% loss on receive: about 30 of 100 pings lost, each one counted.
run_with '{ seed = 7; rx = { loss = 30.0; }; }'
ip netns exec "$NS_CL" ping -c 5 -i 0.05 -W 1 198.18.0.2 >/dev/null 2>&1	# ARP warm-up
lost0=$(stat impair_rx_loss)
ip netns exec "$NS_CL" ping -c 100 -i 0.01 -W 1 198.18.0.2 >"$E2E_TMP/ping" 2>&1
rcv=$(grep -o "[0-9]* received" "$E2E_TMP/ping" | cut -d' ' -f1)
lost=$(( $(stat impair_rx_loss) - lost0 ))
e2e_log "30% loss: $rcv/100 replies, impair_rx_loss $lost"
[ "$rcv" -ge 50 ] && [ "$rcv" -le 90 ] || e2e_fail "$rcv of 100 replies with 30% loss"
# Every ping lost was lost by the stage (which may also have eaten an ARP
# or IPv6 multicast frame in the same second).
[ "$lost" -ge $((100 - rcv)) ] && [ "$lost" -le $((100 - rcv + 5)) ] ||
	e2e_fail "$((100 - rcv)) pings lost, impair_rx_loss counted $lost"
e2e_ok "loss"

# 2. 20 ms delay on transmit: every RTT is at least 20 ms.
run_with '{ tx = { delay_us = 20000; }; }'
e2e_check "ping through a 20 ms delay" ip netns exec "$NS_CL" ping -c 5 -i 0.05 -W 2 198.18.0.2
min=$(grep -o "rtt min/avg/max/mdev = [0-9.]*" "$E2E_TMP/last.out" | awk -F'= ' '{print $2}')
awk -v m="$min" 'BEGIN { exit !(m >= 20.0) }' || e2e_fail "min RTT $min ms with 20 ms delay"
[ "$(stat impair_tx_delay)" -ge 5 ] || e2e_fail "impair_tx_delay = $(stat impair_tx_delay)"
e2e_ok "delay: min RTT $min ms"

# 3. 100% duplication on transmit: ping sees every reply twice.
run_with '{ tx = { duplicate = 100; }; }'
ip netns exec "$NS_CL" ping -c 5 -i 0.05 -W 1 198.18.0.2 >"$E2E_TMP/ping" 2>&1
dups=$(grep -c "DUP!" "$E2E_TMP/ping")
[ "$dups" -ge 4 ] || e2e_fail "ping saw $dups duplicates: $(cat "$E2E_TMP/ping")"
e2e_ok "duplication: $dups duplicate replies"

# 4. 100% corruption on receive: a bit flips past the Ethernet header, the
# checksums catch it, nothing is answered.
run_with '{ rx = { corrupt = 100; }; }'
ip netns exec "$NS_CL" ping -c 10 -i 0.05 -W 1 198.18.0.2 >/dev/null 2>&1 &&
	e2e_fail "corrupted pings were answered"
mctl stats >"$E2E_TMP/s.json"
cor=$(jget "r['result']['total']['impair_rx_corrupt']" <"$E2E_TMP/s.json")
bad=$(jget "sum(v for k, v in r['result']['total'].items() if k in ('ipv4_bad_checksum', 'icmp_bad_checksum', 'ipv4_bad_version', 'ipv4_bad_ihl', 'ipv4_bad_length', 'ipv4_not_for_us', 'ipv4_bad_source', 'ipv4_broadcast', 'ipv4_fragment', 'ipv4_proto_tcp', 'ipv4_proto_udp', 'ipv4_proto_other', 'icmp_other_type', 'arp_malformed', 'arp_bad_opcode', 'arp_not_for_us', 'arp_bad_sender'))" <"$E2E_TMP/s.json")
echo=$(jget "r['result']['total']['icmp_echo_reply']" <"$E2E_TMP/s.json")
[ "$cor" -ge 10 ] || e2e_fail "impair_rx_corrupt = $cor"
[ "$echo" -eq 0 ] || e2e_fail "$echo echo replies to corrupted requests"
[ "$bad" -ge 10 ] || e2e_fail "only $bad drops for $cor corrupted packets"
e2e_ok "corruption: $cor corrupted, $bad dropped by validation, 0 answered"

# 5. Reordering: counted, and every ping still answered.
run_with '{ rx = { reorder = 50; }; }'
e2e_check "ping with 50% reordering" ip netns exec "$NS_CL" ping -c 40 -i 0.01 -W 1 198.18.0.2
[ "$(stat impair_rx_reorder)" -ge 5 ] || e2e_fail "impair_rx_reorder = $(stat impair_rx_reorder)"
e2e_ok "reordering: $(stat impair_rx_reorder) held back, none lost"

# 6. Off by default: no impairment counter moves.
run_with '{ }'
e2e_check "ping, impairment off" ip netns exec "$NS_CL" ping -c 5 -i 0.05 -W 1 198.18.0.2
n=$(mctl stats | jget "sum(v for k, v in r['result']['total'].items() if k.startswith('impair_'))")
[ "$n" -eq 0 ] || e2e_fail "impairment counters moved with impairment off: $n"
e2e_ok "no impairment when none is configured"
e2e_meshdp_stop
