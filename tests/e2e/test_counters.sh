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
e2e_meshdp_stop
