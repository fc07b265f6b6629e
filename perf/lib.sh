# shellcheck shell=bash
# Shared by the perf/ scripts: a namespace id, a temporary directory, a
# cleanup that always runs (processes by recorded pid, namespaces by name),
# and small helpers. Set PERF_NAME before sourcing.
while :; do
	ID=$(printf '%04x' $(( (RANDOM << 1 ^ $$) & 0xffff )))
	ip netns list | grep -q "^mdpp-$ID-" || break
done
TMP=$(mktemp -d /tmp/meshdp-perf-$PERF_NAME.XXXXXX)
NETNS=()
PIDS=()
SOCK=$TMP/ctl.sock

log() { printf '[%s %s] %s\n' "$PERF_NAME" "$(date +%T)" "$*" >&2; }

cleanup() {
	local rc=$? pid ns
	for pid in "${PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null
			for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	for ns in "${NETNS[@]}" $(ip netns list | awk -v p="mdpp-$ID-" 'index($1, p) == 1 {print $1}'); do
		ip netns del "$ns" 2>/dev/null
	done
	if [ $rc -ne 0 ]; then
		for f in meshdp.log haproxy.log nginx-px.log; do
			[ -f "$TMP/$f" ] || continue
			echo "---- $f (last 30 lines) ----" >&2
			tail -n 30 "$TMP/$f" >&2
		done
	fi
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { log "FAIL: $*"; exit 1; }

mkns() { # mkns NAME -> prints nothing; namespace mdpp-ID-NAME
	local ns="mdpp-$ID-$1"
	ip netns add "$ns" || die "ip netns add $ns"
	NETNS+=("$ns")
	ip -n "$ns" link set lo up
}
veth() { # veth NS_A IF_A NS_B IF_B, checksum offload off on both ends
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || die "veth $2/$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
	ip netns exec "$1" ethtool -K "$2" tx off rx off >/dev/null 2>&1
	ip netns exec "$3" ethtool -K "$4" tx off rx off >/dev/null 2>&1
}
bg() { # bg LOG CMD...: start in background, record the pid
	local logf=$1; shift
	"$@" >"$logf" 2>&1 &
	PIDS+=($!)
}
wait_port() { # wait_port NS ADDR PORT
	for _ in $(seq 100); do
		ip netns exec "$1" bash -c "echo >/dev/tcp/$2/$3" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

nginx_conf() { # nginx_conf FILE DIR SERVERS
	cat >"$1" <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $2/nginx.pid;
error_log $2/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $2/body;
	proxy_temp_path $2/proxy;
	fastcgi_temp_path $2/fastcgi;
	uwsgi_temp_path $2/uwsgi;
	scgi_temp_path $2/scgi;
	keepalive_requests 1000000;
	keepalive_timeout 120s;
	$3
}
NGINX
}

