#!/usr/bin/env bash
# Adversarial segments crafted with scapy against meshdp's echo service
# (issue 3, "Adversarial packets"): the RFC 5961 RST, SYN and ACK cases on
# a real Linux connection, the per-connection challenge-ACK limit, a bad
# checksum, overlapping and duplicate segments, tiny MSS values, and a
# bounded SYN flood while a real client keeps connecting, with SYN cookies
# and then without. tcp_adversarial.py holds the cases and says what each
# checks; every one also requires the connection it attacks to keep
# echoing exactly what the Linux side sent.
. "$(dirname "$0")/lib.sh"

ADV="$(dirname "$0")/tcp_adversarial.py"
# scapy comes from Debian's python3-scapy, for the system interpreter.
PY=/usr/bin/python3
"$PY" -c 'import scapy' 2>/dev/null || e2e_fail "python3-scapy is not installed (scripts/setup installs it)"

FLOOD=${FLOOD_SYNS:-20000}
conf() {	# conf COOKIES
	cat >"$E2E_TMP/meshdp.conf" <<CONF
log_level = "info";
eal = { args = [ "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix=mdpt-$E2E_ID", "--no-telemetry" ]; };
cores = { main = 0; workers = [ 1 ]; };
mempool = { mbufs = 16383; };
control = { socket = "$SOCK"; };
tcp = { syn_backlog = 64; syncookies = $1; syn_retries = 2; initial_rto_ms = 200;
        time_wait_ms = 200; challenge_ack_per_s = 10; };
ports = (
  { name = "p0"; device = "$DEVICE"; address = "198.18.0.2/24"; rx_desc = 4096; tx_desc = 1024; }
);
listeners = ( { name = "echo"; kind = "echo"; port = 7; } );
CONF
}
adv() {	# adv CASE [ARGS]: run one case in the client namespace
	e2e_check "$1" ip netns exec "$NS_CL" timeout 120 "$PY" "$ADV" "$IF_CL" "$MESHCTL" "$SOCK" "$@"
	cat "$E2E_TMP/last.out"
}
drained() {	# every connection gone within 5 s (half-open ones time out)
	local n
	for _ in $(seq 50); do
		n=$(mctl conns --limit 0 | jget "r['result']['total']")
		[ "$n" -eq 0 ] && return 0
		sleep 0.1
	done
	mctl conns --limit 10
	e2e_fail "$n connections left"
}

e2e_topology_simple af_xdp
conf true
e2e_meshdp_start

adv rst
adv syn
adv ack
adv ratelimit 10
adv checksum
adv overlap
adv tinymss
# Bounded: FLOOD SYNs, then the run stops by itself.
adv synflood "$FLOOD"
drained
e2e_ok "after the flood every half-open connection timed out"
e2e_check "echo still works" ip netns exec "$NS_CL" python3 "$(dirname "$0")/tcp_client.py" echo 198.18.0.2 7 100000 5
e2e_meshdp_stop

# Without SYN cookies the backlog bounds the half-open connections and the
# excess is dropped and counted.
conf false
e2e_meshdp_start
adv synflood-nocookies 4000
drained
e2e_check "echo after the flood" ip netns exec "$NS_CL" python3 "$(dirname "$0")/tcp_client.py" echo 198.18.0.2 7 100000 5
e2e_meshdp_stop
