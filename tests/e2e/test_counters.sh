#!/usr/bin/env bash
# meshctl ports/stats counters move with traffic, and each kind of
# unwanted packet lands on its own drop reason.
. "$(dirname "$0")/lib.sh"

e2e_topology_simple af_packet
e2e_meshdp_start

port() { mctl ports p0 | jget "r['result']['ports'][0]$1"; }
rx0=$(port '["meshdp"]["rx_packets"]'); drx0=$(port '["dpdk"]["ipackets"]')
tx0=$(port '["meshdp"]["tx_packets"]')
e2e_check "ping 10 x" ip netns exec "$NS_CL" ping -c 10 -i 0.05 -W 1 198.18.0.2
rx1=$(port '["meshdp"]["rx_packets"]'); drx1=$(port '["dpdk"]["ipackets"]')
tx1=$(port '["meshdp"]["tx_packets"]')
[ $((rx1 - rx0)) -ge 10 ] || e2e_fail "meshdp rx_packets moved by $((rx1 - rx0))"
[ $((drx1 - drx0)) -ge 10 ] || e2e_fail "DPDK ipackets moved by $((drx1 - drx0))"
[ $((tx1 - tx0)) -ge 10 ] || e2e_fail "meshdp tx_packets moved by $((tx1 - tx0))"
e2e_ok "rx +$((rx1 - rx0)) (DPDK +$((drx1 - drx0))), tx +$((tx1 - tx0))"

# The cost accounting (meshctl runtime) saw the same traffic: packets,
# busy polls, cycles in each stage that ran; then a reset takes a baseline
# and the next report counts only what came after it.
mctl runtime >"$E2E_TMP/rt1.json" || e2e_fail "meshctl runtime"
rt1() { jget "$1" <"$E2E_TMP/rt1.json"; }
W="r['result']['workers'][0]"
[ "$(rt1 "$W['rx_packets']")" -ge 10 ] || e2e_fail "runtime rx_packets = $(rt1 "$W['rx_packets']")"
[ "$(rt1 "$W['tx_packets']")" -ge 10 ] || e2e_fail "runtime tx_packets = $(rt1 "$W['tx_packets']")"
[ "$(rt1 "$W['polls_busy']")" -gt 0 ] || e2e_fail "runtime polls_busy = 0"
for st in rx input tx; do
	c=$(rt1 "$W['stages']['$st']['cycles']"); n=$(rt1 "$W['stages']['$st']['calls']")
	[ "$c" -gt 0 ] && [ "$n" -gt 0 ] || e2e_fail "runtime stage $st: cycles $c, calls $n"
done
[ "$(rt1 "$W['stages']['input']['calls'] >= 10")" = True ] || e2e_fail "runtime: input calls < 10"
[ "$(rt1 "$W['cycles_busy'] > 0 and $W['cycles_busy'] + $W['cycles_idle'] + $W['cycles_sleep'] == $W['cycles_total']")" = True ] ||
	e2e_fail "runtime: busy/idle/sleep cycles do not add up"
[ "$(rt1 "sum(b['bursts'] for b in $W['burst_histogram']) == $W['rx_bursts']")" = True ] ||
	e2e_fail "runtime: burst histogram does not add up to rx_bursts"
[ "$(rt1 "sum(b['bursts'] for b in $W['burst_histogram'][1:]) == $W['rx_bursts_nonempty']")" = True ] ||
	e2e_fail "runtime: non-empty bursts do not add up"
[ "$(rt1 "$W['cycles_per_packet'] > 0 and $W['packets_per_burst'] >= 1")" = True ] ||
	e2e_fail "runtime: cycles_per_packet or packets_per_burst missing"
busy1=$(rt1 "$W['polls_busy']"); rx1=$(rt1 "$W['rx_packets']")
e2e_ok "runtime: rx $rx1, busy polls $busy1, cycles/packet $(rt1 "$W['cycles_per_packet']")"
mctl runtime --reset >"$E2E_TMP/rt2.json" || e2e_fail "meshctl runtime --reset"
[ "$(jget "r['result']['reset']" <"$E2E_TMP/rt2.json")" = True ] || e2e_fail "runtime --reset: reset not true"
busy2=$(jget "$W['polls_busy']" <"$E2E_TMP/rt2.json")
[ "$busy2" -ge "$busy1" ] || e2e_fail "runtime --reset reported $busy2 busy polls < $busy1 before"
mctl runtime >"$E2E_TMP/rt3.json" || e2e_fail "meshctl runtime after reset"
rt3() { jget "$1" <"$E2E_TMP/rt3.json"; }
[ "$(rt3 "r['result']['reset']")" = False ] || e2e_fail "runtime without --reset says reset"
[ "$(rt3 "$W['rx_packets']")" -lt "$rx1" ] || e2e_fail "runtime after reset: rx_packets $(rt3 "$W['rx_packets']") not below $rx1"
[ "$(rt3 "$W['polls_busy']")" -lt "$busy1" ] || e2e_fail "runtime after reset: polls_busy $(rt3 "$W['polls_busy']") not below $busy1"
[ "$(rt3 "$W['stages']['input']['calls']")" -lt "$(rt1 "$W['stages']['input']['calls']")" ] ||
	e2e_fail "runtime after reset: input calls did not drop"
e2e_ok "runtime --reset: rx $rx1 -> $(rt3 "$W['rx_packets']"), busy polls $busy1 -> $(rt3 "$W['polls_busy']")"

# UDP to meshdp: no UDP service, counted by protocol. TCP to a port with
# no listener: refused with a RST, counted as tcp_no_listener.
ip netns exec "$NS_CL" bash -c 'for i in 1 2 3; do echo x >/dev/udp/198.18.0.2/9; done' 2>/dev/null
ip netns exec "$NS_CL" timeout 2 bash -c 'echo x >/dev/tcp/198.18.0.2/80' 2>/dev/null
# A packet for an address on the subnet that is not meshdp's: the client
# resolves 198.18.0.77 to meshdp's MAC by a static entry, meshdp drops it.
mac=$(port '["mac"]')
ip -n "$NS_CL" neigh replace 198.18.0.77 lladdr "$mac" dev "$IF_CL"
ip netns exec "$NS_CL" ping -c 2 -i 0.1 -W 1 198.18.0.77 >/dev/null 2>&1
ip netns exec "$NS_CL" ping -c 2 -i 0.1 -W 1 -b 198.18.0.255 >/dev/null 2>&1
sleep 0.5
mctl ports p0 >"$E2E_TMP/ports.json"
reason() { jget "r['result']['ports'][0]['meshdp']['drop_reasons'].get('$1', 0)" <"$E2E_TMP/ports.json"; }
[ "$(reason ipv4_proto_udp)" -ge 3 ] || e2e_fail "ipv4_proto_udp = $(reason ipv4_proto_udp)"
[ "$(reason tcp_no_listener)" -ge 1 ] || e2e_fail "tcp_no_listener = $(reason tcp_no_listener)"
[ "$(reason ipv4_not_for_us)" -ge 2 ] || e2e_fail "ipv4_not_for_us = $(reason ipv4_not_for_us)"
[ "$(reason ipv4_broadcast)" -ge 2 ] || e2e_fail "ipv4_broadcast = $(reason ipv4_broadcast)"
total=$(jget "r['result']['ports'][0]['meshdp']['drops']" <"$E2E_TMP/ports.json")
sum=$(jget "sum(r['result']['ports'][0]['meshdp']['drop_reasons'].values())" <"$E2E_TMP/ports.json")
[ "$total" = "$sum" ] || e2e_fail "drops $total != sum of reasons $sum"
e2e_ok "drop reasons: udp $(reason ipv4_proto_udp), tcp $(reason tcp_no_listener), not-for-us $(reason ipv4_not_for_us), broadcast $(reason ipv4_broadcast); total $total"

# Human-readable views work too.
e2e_check "meshctl ports (table)" "$MESHCTL" -s "$SOCK" ports
grep -q "ipv4_proto_udp" "$E2E_TMP/last.out" || e2e_fail "ports table lacks drop reasons"
e2e_check "meshctl stats (table)" "$MESHCTL" -s "$SOCK" stats --nonzero
e2e_check "meshctl runtime (table)" "$MESHCTL" -s "$SOCK" runtime
grep -q "CYCLES/CALL" "$E2E_TMP/last.out" || e2e_fail "runtime table lacks the stages"
e2e_meshdp_stop
