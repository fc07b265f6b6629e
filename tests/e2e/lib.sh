# shellcheck shell=bash
# e2e harness: network namespaces joined by veths (198.18.0.0/15 only),
# meshdp started with a generated configuration, checks, and a cleanup
# that always runs. Source it from a test script:
#
#   . "$(dirname "$0")/lib.sh"
#   e2e_topology_simple af_xdp      # ns "dp" (meshdp) <-> ns "cl" (client)
#   e2e_meshdp_start
#   e2e_check "ping" ip netns exec "$NS_CL" ping -c 3 -W 1 198.18.0.2
#
# A test passes when it exits 0. Everything it created is removed on exit,
# whatever the cause; processes are stopped by the pids we recorded.

set -uo pipefail

E2E_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_BUILD=${MESHDP_BUILD:-$E2E_TOP/build}
MESHDP=$E2E_BUILD/meshdp
MESHCTL=$E2E_BUILD/meshctl
E2E_NAME=$(basename "$0" .sh)
# A 4-hex-digit id no other running test uses (names must fit IFNAMSIZ).
while :; do
	E2E_ID=$(printf '%04x' $(( (RANDOM << 1 ^ $$) & 0xffff )))
	ip netns list | grep -q "^mdpt-$E2E_ID-" || break
done
E2E_TMP=$(mktemp -d "/tmp/meshdp-e2e-$E2E_NAME.XXXXXX")
E2E_NETNS=()
E2E_PIDS=()
MESHDP_PID=
SOCK=$E2E_TMP/ctl.sock
export MESHDP_SOCKET=$SOCK

e2e_log() { printf '[%s] %s\n' "$E2E_NAME" "$*"; }

e2e_cleanup() {
	local rc=$?
	local pid ns
	for pid in "${E2E_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null
			for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	# Every namespace of this test, also one whose creation we did not
	# get to record.
	for ns in "${E2E_NETNS[@]}" $(ip netns list | awk -v p="mdpt-$E2E_ID-" 'index($1, p) == 1 {print $1}'); do
		ip netns del "$ns" 2>/dev/null
	done
	if [ $rc -ne 0 ] && [ -f "$E2E_TMP/meshdp.log" ]; then
		echo "---- meshdp log (last 40 lines) ----"
		tail -n 40 "$E2E_TMP/meshdp.log"
	fi
	rm -rf "$E2E_TMP"
	exit $rc
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

e2e_fail() { e2e_log "FAIL: $*"; exit 1; }
e2e_ok() { e2e_log "ok: $*"; }

# Run a command that must succeed; its output is kept for the log.
e2e_check() {
	local what=$1; shift
	if ! "$@" >"$E2E_TMP/last.out" 2>&1; then
		cat "$E2E_TMP/last.out"
		e2e_fail "$what"
	fi
	e2e_ok "$what"
}

# e2e_ns NAME VAR: create namespace mdpt-ID-NAME and store its name in VAR.
# (Not $(...): a subshell would lose the cleanup list.)
e2e_ns() {
	local ns="mdpt-$E2E_ID-$1"
	ip netns add "$ns" || e2e_fail "ip netns add $ns"
	E2E_NETNS+=("$ns")
	ip -n "$ns" link set lo up
	printf -v "$2" %s "$ns"
}

# e2e_veth NS_A IF_A NS_B IF_B: a veth pair between two namespaces.
# Kernel-side checksum offloads go off on both ends (TESTING.md: a DPDK
# port on a veth otherwise sees partial checksums).
e2e_veth() {
	local nsa=$1 ifa=$2 nsb=$3 ifb=$4
	ip link add "$ifa" netns "$nsa" type veth peer name "$ifb" netns "$nsb" ||
		e2e_fail "veth $ifa/$ifb"
	ip -n "$nsa" link set "$ifa" up
	ip -n "$nsb" link set "$ifb" up
	ip netns exec "$nsa" ethtool -K "$ifa" tx off rx off >/dev/null 2>&1
	ip netns exec "$nsb" ethtool -K "$ifb" tx off rx off >/dev/null 2>&1
}

# e2e_device KIND IFACE [QUEUES] -> the DPDK vdev string for a veth end
e2e_device() {
	local kind=$1 ifc=$2 q=${3:-1}
	case $kind in
	af_xdp) echo "net_af_xdp_$ifc,iface=$ifc,start_queue=0,queue_count=$q" ;;
	af_packet) echo "net_af_packet_$ifc,iface=$ifc,qpairs=$q" ;;
	*) e2e_fail "unknown device kind $kind" ;;
	esac
}

# The usual topology: namespace NS_DP holds meshdp's veth end (IF_DP),
# namespace NS_CL the client end (IF_CL, 198.18.0.1/24). meshdp is
# 198.18.0.2/24. Writes $E2E_TMP/meshdp.conf from the pieces below.
#   e2e_topology_simple KIND [WORKERS]
e2e_topology_simple() {
	local kind=$1 workers=${2:-1}
	e2e_ns dp NS_DP
	e2e_ns cl NS_CL
	IF_DP="md${E2E_ID}d"
	IF_CL="md${E2E_ID}c"
	e2e_veth "$NS_DP" "$IF_DP" "$NS_CL" "$IF_CL"
	ip -n "$NS_CL" addr add 198.18.0.1/24 dev "$IF_CL"
	# Accept gratuitous ARP, so the announcement shows in the neighbour table.
	ip netns exec "$NS_CL" sysctl -qw "net.ipv4.conf.$IF_CL.arp_accept=1"
	DEVICE=$(e2e_device "$kind" "$IF_DP" "$workers")
	WORKERS=$workers
	e2e_conf_write
}

# Extra settings appended inside the port group / at top level.
PORT_EXTRA=${PORT_EXTRA:-}
CONF_EXTRA=${CONF_EXTRA:-}

e2e_conf_write() {
	local cores="main = 0; workers = [ 1 ];" wl="1" cpus="1" i
	if [ "${WORKERS:-1}" -gt 1 ]; then
		# More workers than this 2-core machine has spare cores: map
		# lcores 1..N onto CPUs 1 and 0 in turn (EAL --lcores).
		for ((i = 2; i <= WORKERS; i++)); do wl="$wl, $i"; cpus="$cpus, $(( i % 2 ))"; done
		cores="main = 0; workers = [ $wl ]; worker_cpus = [ $cpus ];"
	fi
	cat >"$E2E_TMP/meshdp.conf" <<CONF
log_level = "info";
eal = { args = [ "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--file-prefix=mdpt-$E2E_ID", "--no-telemetry" ]; };
cores = { $cores };
mempool = { mbufs = 16383; };
control = { socket = "$SOCK"; };
$CONF_EXTRA
ports = (
  {
    name = "p0";
    device = "$DEVICE";
    address = "198.18.0.2/24";
    rx_desc = 512; tx_desc = 512;
    $PORT_EXTRA
  }
);
CONF
}

# Start meshdp in NS_DP and wait until its control socket answers.
e2e_meshdp_start() {
	local conf=${1:-$E2E_TMP/meshdp.conf} i
	ip netns exec "$NS_DP" "$MESHDP" -c "$conf" >"$E2E_TMP/meshdp.log" 2>&1 &
	MESHDP_PID=$!
	E2E_PIDS+=("$MESHDP_PID")
	for i in $(seq 100); do
		if "$MESHCTL" -s "$SOCK" --json status >/dev/null 2>&1; then
			e2e_ok "meshdp started (pid $MESHDP_PID)"
			return 0
		fi
		kill -0 "$MESHDP_PID" 2>/dev/null || break
		sleep 0.2
	done
	cat "$E2E_TMP/meshdp.log"
	e2e_fail "meshdp did not come up"
}

# Stop meshdp with SIGTERM; fail unless it exits 0 within 10 s.
e2e_meshdp_stop() {
	local rc i
	[ -n "$MESHDP_PID" ] || return 0
	kill -TERM "$MESHDP_PID"
	for i in $(seq 100); do
		kill -0 "$MESHDP_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$MESHDP_PID" 2>/dev/null; then
		e2e_fail "meshdp still running 10 s after SIGTERM"
	fi
	wait "$MESHDP_PID"
	rc=$?
	MESHDP_PID=
	[ $rc -eq 0 ] || e2e_fail "meshdp exited with $rc after SIGTERM"
	e2e_ok "meshdp stopped cleanly"
}

# meshctl against this test's meshdp; JSON output.
mctl() { "$MESHCTL" -s "$SOCK" --json "$@"; }

# Read a value from JSON on stdin with a python expression over `r`.
jget() { python3 -c "import json,sys; r=json.load(sys.stdin); print($1)"; }

# The proxy topology: a client namespace, meshdp with two ports, and a
# server namespace, each link its own veth pair:
#   NS_CL 198.18.0.1 --- p0 198.18.0.2 [meshdp] p1 198.18.1.2 --- NS_SV 198.18.1.1
# The client and the server route to each other's network through meshdp
# (which does not forward: only its proxies connect them).
#   e2e_topology_proxy [KIND]
e2e_topology_proxy() {
	local kind=${1:-af_xdp}
	e2e_ns dp NS_DP
	e2e_ns cl NS_CL
	e2e_ns sv NS_SV
	IF_DP0="md${E2E_ID}a"; IF_DP1="md${E2E_ID}b"
	IF_CL="md${E2E_ID}c"; IF_SV="md${E2E_ID}s"
	e2e_veth "$NS_DP" "$IF_DP0" "$NS_CL" "$IF_CL"
	e2e_veth "$NS_DP" "$IF_DP1" "$NS_SV" "$IF_SV"
	ip -n "$NS_CL" addr add 198.18.0.1/24 dev "$IF_CL"
	ip -n "$NS_SV" addr add 198.18.1.1/24 dev "$IF_SV"
	ip -n "$NS_CL" route add 198.18.1.0/24 via 198.18.0.2
	ip -n "$NS_SV" route add 198.18.0.0/24 via 198.18.1.2
	DEVICE0=$(e2e_device "$kind" "$IF_DP0")
	DEVICE1=$(e2e_device "$kind" "$IF_DP1")
}

# Write $E2E_TMP/meshdp.conf for e2e_topology_proxy, with $1 appended at
# the top level (listeners, clusters, route_tables, http, tcp ...).
e2e_conf_proxy() {
	cat >"$E2E_TMP/meshdp.conf" <<CONF
log_level = "info";
eal = { args = [ "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix=mdpt-$E2E_ID", "--no-telemetry" ]; };
cores = { main = 0; workers = [ 1 ]; };
mempool = { mbufs = 32767; };
control = { socket = "$SOCK"; };
arp = { retry_ms = 20; retries = 10; pending = 64; };
ports = (
  { name = "p0"; device = "$DEVICE0"; address = "198.18.0.2/24"; rx_desc = 1024; tx_desc = 1024; },
  { name = "p1"; device = "$DEVICE1"; address = "198.18.1.2/24"; rx_desc = 1024; tx_desc = 1024; }
);
$1
CONF
}

# e2e_nginx NS NAME SERVERS: start nginx (1 worker, in the foreground so
# its pid is ours) in namespace NS with the given server blocks; its files
# go under $E2E_TMP/nginx-NAME. Waits until it answers on the first
# "listen ADDR:PORT" of SERVERS.
e2e_nginx() {
	local ns=$1 name=$2 servers=$3 dir=$E2E_TMP/nginx-$2 first i
	mkdir -p "$dir"
	cat >"$dir/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	keepalive_requests 100000;
	keepalive_timeout 120s;
	$servers
}
NGINX
	ip netns exec "$ns" nginx -c "$dir/nginx.conf" -p "$dir" >"$dir/stdout" 2>&1 &
	E2E_PIDS+=($!)
	first=$(printf '%s\n' "$servers" | grep -o 'listen [0-9.]*:[0-9]*' | head -1 | cut -d' ' -f2)
	for i in $(seq 50); do
		ip netns exec "$ns" bash -c "echo >/dev/tcp/${first%:*}/${first#*:}" 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$dir/error.log" "$dir/stdout"
	e2e_fail "nginx $name did not come up on $first"
}
