#!/usr/bin/env bash
# ARP both ways: the client learns meshdp from its gratuitous ARP; meshdp
# resolves a next hop with a packet waiting in its queue; entries age out;
# an address that never answers drops its queue after the retries.
. "$(dirname "$0")/lib.sh"

CONF_EXTRA='arp = { timeout = 3; retries = 2; retry_ms = 200; gratuitous = 2; };'
PORT_EXTRA='routes = ( { dst = "198.18.100.0/24"; via = "198.18.0.1"; },
                       { dst = "198.18.101.0/24"; via = "198.18.0.99"; } );'
e2e_topology_simple af_xdp
ip -n "$NS_CL" addr add 198.18.100.1/24 dev lo
ip -n "$NS_CL" addr add 198.18.101.1/24 dev lo
e2e_meshdp_start
mac=$(mctl ports | jget 'r["result"]["ports"][0]["mac"]')

# 1. Gratuitous ARP: the client knows meshdp's MAC without asking.
for _ in $(seq 20); do
	ip -n "$NS_CL" neigh show 198.18.0.2 dev "$IF_CL" | grep -q "lladdr $mac" && break
	sleep 0.1
done
ip -n "$NS_CL" neigh show 198.18.0.2 dev "$IF_CL" | grep -q "lladdr $mac" ||
	e2e_fail "client did not learn $mac from the gratuitous ARP: $(ip -n "$NS_CL" neigh)"
garp=$(mctl stats | jget 'r["result"]["total"]["arp_tx_gratuitous"]')
[ "$garp" -ge 1 ] || e2e_fail "arp_tx_gratuitous = $garp"
e2e_ok "client learned meshdp's MAC $mac from $garp gratuitous ARP(s)"

# 2. The client resolves meshdp the usual way too (request -> reply).
ip -n "$NS_CL" neigh flush dev "$IF_CL"
e2e_check "ping after the client flushed its cache" ip netns exec "$NS_CL" ping -c 2 -i 0.2 -W 1 198.18.0.2
req=$(mctl stats | jget 'r["result"]["total"]["arp_tx_reply"]')
[ "$req" -ge 1 ] || e2e_fail "meshdp sent no ARP reply"
e2e_ok "meshdp answered $req ARP request(s)"

# 3. meshdp resolves a next hop: replies to 198.18.100.1 go via 198.18.0.1.
mctl arp-flush >/dev/null
e2e_check "ping from 198.18.100.1 (reply routed via 198.18.0.1)" \
	ip netns exec "$NS_CL" ping -c 3 -i 0.2 -W 1 -I 198.18.100.1 198.18.0.2
climac=$(ip -n "$NS_CL" link show "$IF_CL" | awk '/link\/ether/ {print $2}')
mctl arp | jget '[e for e in r["result"]["entries"] if e["ip"]=="198.18.0.1" and e["state"]=="reachable"][0]["mac"]' >"$E2E_TMP/arpmac" ||
	e2e_fail "198.18.0.1 not reachable in meshdp's ARP table: $(mctl arp)"
[ "$(cat "$E2E_TMP/arpmac")" = "$climac" ] || e2e_fail "ARP entry has $(cat "$E2E_TMP/arpmac"), want $climac"
queued=$(mctl stats | jget 'r["result"]["total"]["arp_flushed"]')
[ "$queued" -ge 1 ] || e2e_fail "no packet waited for resolution (arp_flushed = $queued)"
e2e_ok "meshdp resolved 198.18.0.1 -> $climac; $queued queued packet(s) sent after resolution"

# 4. Aging (timeout = 3 s). 198.18.0.1 carried our replies, so when it
# ages meshdp re-confirms it (a fresh request while the MAC stays in use)
# rather than dropping it; the client answers and it stays reachable.
req0=$(mctl stats | jget 'r["result"]["total"]["arp_tx_request"]')
sleep 4
mctl arp >"$E2E_TMP/arp.json"
st=$(jget '[e["state"] for e in r["result"]["entries"] if e["ip"]=="198.18.0.1"]' <"$E2E_TMP/arp.json")
[ "$st" = "['reachable']" ] || e2e_fail "in-use entry after aging: $st ($(cat "$E2E_TMP/arp.json"))"
req1=$(mctl stats | jget 'r["result"]["total"]["arp_tx_request"]')
[ "$req1" -gt "$req0" ] || e2e_fail "no re-confirmation request was sent ($req0 -> $req1)"
e2e_ok "in-use entry re-confirmed on aging ($((req1 - req0)) request(s)), still reachable"

# ... and with no traffic since, it expires after the next timeout.
sleep 4
n=$(mctl arp | jget 'len(r["result"]["entries"])')
[ "$n" -eq 0 ] || e2e_fail "ARP entries still present after aging: $(mctl arp)"
exp=$(mctl stats | jget 'r["result"]["total"]["arp_expired"]')
[ "$exp" -ge 1 ] || e2e_fail "arp_expired = $exp"
e2e_ok "unused entries aged out (arp_expired = $exp)"

# 5. Unresolvable next hop: replies to 198.18.101.1 go via 198.18.0.99,
# which nobody answers; after 2 requests the queued replies are dropped.
ip netns exec "$NS_CL" ping -c 2 -i 0.1 -W 1 -I 198.18.101.1 198.18.0.2 >/dev/null 2>&1 &&
	e2e_fail "ping via a dead next hop succeeded"
sleep 1
unres=$(mctl stats | jget 'r["result"]["total"]["arp_unresolved"]')
[ "$unres" -ge 1 ] || e2e_fail "arp_unresolved = $unres; stats: $(mctl stats --nonzero)"
e2e_ok "unresolved next hop: $unres queued packet(s) dropped and counted"
e2e_meshdp_stop
