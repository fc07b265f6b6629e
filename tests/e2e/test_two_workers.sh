#!/usr/bin/env bash
# Two workers, each owning one queue of an af_packet port (qpairs=2). The
# kernel's fanout spreads flows over the queues; ARP learned on one worker
# reaches the other over the cross-core ring, so every flow is answered
# whichever queue its packets and its ARP replies land on.
. "$(dirname "$0")/lib.sh"

CONF_EXTRA='arp = { retry_ms = 200; };
tcp = { time_wait_ms = 200; };
listeners = (
  { name = "echo"; kind = "echo"; port = 7; },
  { name = "l4"; kind = "tcp_proxy"; port = 8000; upstream = "198.18.0.1:8080"; }
);'
e2e_topology_simple af_packet 2
for i in $(seq 10 25); do ip -n "$NS_CL" addr add "198.18.0.$i/24" dev "$IF_CL"; done
e2e_meshdp_start
n=$(mctl status | jget 'len(r["result"]["workers"])')
[ "$n" -eq 2 ] || e2e_fail "$n workers, want 2"
q=$(mctl ports | jget 'r["result"]["ports"][0]["rx_queues"]')
[ "$q" -eq 2 ] || e2e_fail "$q rx queues, want 2"
e2e_ok "2 workers, 2 queues"

# 16 sources; meshdp must resolve each (it learns them from their ARP
# requests for 198.18.0.2, or asks itself when a reply is due).
pids=()
for i in $(seq 10 25); do
	ip netns exec "$NS_CL" ping -c 5 -i 0.1 -W 2 -I "198.18.0.$i" 198.18.0.2 \
		>"$E2E_TMP/ping.$i" 2>&1 &
	pids+=($!)
done
fail=0
for i in "${!pids[@]}"; do wait "${pids[$i]}" || fail=$((fail + 1)); done
[ $fail -eq 0 ] || { cat "$E2E_TMP"/ping.*; e2e_fail "$fail of 16 sources lost replies"; }
e2e_ok "16 sources x 5 pings, all answered"

mctl stats >"$E2E_TMP/stats.json"
w0=$(jget 'r["result"]["workers"][0]["counters"]["rx_packets"]' <"$E2E_TMP/stats.json")
w1=$(jget 'r["result"]["workers"][1]["counters"]["rx_packets"]' <"$E2E_TMP/stats.json")
e2e_log "rx per worker: $w0 / $w1"
[ "$w0" -gt 0 ] && [ "$w1" -gt 0 ] || e2e_fail "traffic did not reach both workers ($w0 / $w1)"
echo=$(jget 'r["result"]["total"]["icmp_echo_reply"]' <"$E2E_TMP/stats.json")
[ "$echo" -ge 80 ] || e2e_fail "icmp_echo_reply = $echo, want >= 80"
e2e_ok "both workers served traffic; $echo echo replies"

# TCP on two workers: echo connections from every source, and tcp_proxy,
# whose upstream replies may land on the other worker's queue and must be
# handed to the worker that owns the connection.
for i in $(seq 10 25); do
	ip netns exec "$NS_CL" python3 -c "
import socket, os, hashlib
d = os.urandom(200000)
s = socket.create_connection(('198.18.0.2', 7), source_address=('198.18.0.$i', 0), timeout=10)
s.sendall(d); s.shutdown(socket.SHUT_WR)
g = b''
while True:
    c = s.recv(65536)
    if not c: break
    g += c
assert hashlib.sha256(g).digest() == hashlib.sha256(d).digest(), len(g)
" || e2e_fail "echo from 198.18.0.$i"
done
e2e_ok "16 echo connections from 16 sources, all intact"

mkdir -p "$E2E_TMP/www"
head -c 2097152 /dev/urandom >"$E2E_TMP/www/blob"
ip netns exec "$NS_CL" python3 -m http.server 8080 --bind 198.18.0.1 \
	--directory "$E2E_TMP/www" >"$E2E_TMP/http.log" 2>&1 &
E2E_PIDS+=($!)
for _ in $(seq 50); do
	ip netns exec "$NS_CL" bash -c 'echo >/dev/tcp/198.18.0.1/8080' 2>/dev/null && break
	sleep 0.1
done
want=$(sha256sum <"$E2E_TMP/www/blob" | cut -d' ' -f1)
for i in $(seq 10 17); do
	ip netns exec "$NS_CL" curl -sS --max-time 30 --interface "198.18.0.$i" \
		-o "$E2E_TMP/got" http://198.18.0.2:8000/blob || e2e_fail "curl via tcp_proxy from .$i"
	[ "$(sha256sum <"$E2E_TMP/got" | cut -d' ' -f1)" = "$want" ] || e2e_fail "SHA-256 differs (.$i)"
done
mctl stats >"$E2E_TMP/stats.json"
hin=$(jget 'r["result"]["total"]["handoff_in"]' <"$E2E_TMP/stats.json")
e2e_ok "8 x 2 MiB through tcp_proxy on two workers, SHA-256 matches ($hin packets handed to their owner)"
e2e_meshdp_stop
