#!/usr/bin/env bash
# Side-by-side L4 proxy benchmark (run by hand; not part of scripts/test).
#
# Three paths with the same addressing, each in its own set of namespaces:
#
#   client 198.18.0.1 --veth-- [X] 198.18.0.2 | 198.18.1.2 --veth-- server 198.18.1.1
#
#   meshdp   X = meshdp, tcp_proxy listener :5201 -> 198.18.1.1:5201 (and
#            :7000 -> :7000), two AF_XDP ports, 1 worker on CPU 1,
#            idle.mode = "adaptive" (the default; IDLE=poll to change)
#   haproxy  X = HAProxy `mode tcp`, nbthread 1, kernel veths, on CPU 1
#   direct   X = a kernel namespace routing (ip_forward=1), no proxy; the
#            client connects to the server's address 198.18.1.1
#
# Client and server processes run on CPU 0 (taskset), the proxy on CPU 1.
# Rounds alternate the paths (meshdp, haproxy, direct, meshdp, ...).
# Per path and round: iperf3 -t 5, one stream, client->server and -R
# (server->client), then a 64-byte ping-pong over one connection (rr.py).
#
# Environment: ROUNDS (3), SECS (5), RR_SECS (3), IDLE (adaptive|poll),
# MESHDP_BUILD (build/). Results: perf/results/tcp_proxy-<date>.json and a
# markdown table on stdout. Everything created is removed on exit.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${MESHDP_BUILD:-$TOP/build}
MESHDP=$BUILD/meshdp
MESHCTL=$BUILD/meshctl
RR=$TOP/perf/rr.py
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-5}
RR_SECS=${RR_SECS:-3}
IDLE=${IDLE:-adaptive}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT_DIR=$TOP/perf/results
OUT=$OUT_DIR/tcp_proxy-$STAMP.json

[ "$(id -u)" -eq 0 ] || { echo "needs root (namespaces)"; exit 1; }
[ -x "$MESHDP" ] || { echo "no $MESHDP: build first (meson compile -C build)"; exit 1; }
[ "$SECS" -ge 1 ] && [ "$SECS" -le 60 ] || { echo "SECS must be 1..60"; exit 1; }
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] || { echo "ROUNDS must be 1..20"; exit 1; }

need=()
dpkg -s haproxy >/dev/null 2>&1 || need+=(haproxy)
dpkg -s iperf3 >/dev/null 2>&1 || need+=(iperf3)
dpkg -s ethtool >/dev/null 2>&1 || need+=(ethtool)
dpkg -s wrk >/dev/null 2>&1 || need+=(wrk)
dpkg -s nginx-light >/dev/null 2>&1 || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
	echo "installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >&2 || exit 1
fi

PERF_NAME=tcp_proxy
. "$TOP/perf/lib.sh"

# ---- topologies: p = m (meshdp), h (haproxy), d (direct) ----
for p in m h d; do
	mkns "${p}c"; mkns "${p}x"; mkns "${p}s"
	CL="mdpp-$ID-${p}c"; X="mdpp-$ID-${p}x"; SV="mdpp-$ID-${p}s"
	veth "$X" "mp${ID}${p}a" "$CL" "mp${ID}${p}c"
	veth "$X" "mp${ID}${p}b" "$SV" "mp${ID}${p}s"
	ip -n "$CL" addr add 198.18.0.1/24 dev "mp${ID}${p}c"
	ip -n "$SV" addr add 198.18.1.1/24 dev "mp${ID}${p}s"
	ip -n "$CL" route add 198.18.1.0/24 via 198.18.0.2
	ip -n "$SV" route add 198.18.0.0/24 via 198.18.1.2
	if [ $p != m ]; then
		ip -n "$X" addr add 198.18.0.2/24 dev "mp${ID}${p}a"
		ip -n "$X" addr add 198.18.1.2/24 dev "mp${ID}${p}b"
	fi
	# The servers, on CPU 0.
	bg "$TMP/iperf3-$p.log" ip netns exec "$SV" taskset -c 0 iperf3 -s -B 198.18.1.1 -p 5201
	bg "$TMP/rr-$p.log" ip netns exec "$SV" taskset -c 0 python3 "$RR" server 198.18.1.1 7000
	mkdir -p "$TMP/be-$p"
	nginx_conf "$TMP/be-$p/nginx.conf" "$TMP/be-$p" \
		'server { listen 198.18.1.1:8080; location / { return 200 "ok\n"; } }'
	bg "$TMP/be-$p.log" ip netns exec "$SV" taskset -c 0 nginx -c "$TMP/be-$p/nginx.conf" -p "$TMP/be-$p"
done
ip netns exec "mdpp-$ID-dx" sysctl -qw net.ipv4.ip_forward=1

# meshdp: worker lcore 1 on CPU 1, main lcore on CPU 0.
cat >"$TMP/meshdp.conf" <<CONF
log_level = "info";
eal = { args = [ "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix=mdpp-$ID", "--no-telemetry" ]; };
cores = { main = 0; workers = [ 1 ]; };
mempool = { mbufs = 32767; };
idle = { mode = "$IDLE"; };
control = { socket = "$SOCK"; };
tcp = { time_wait_ms = 500; };
ports = (
  { name = "p0"; device = "net_af_xdp_mp${ID}ma,iface=mp${ID}ma,start_queue=0,queue_count=1"; address = "198.18.0.2/24";
    rx_desc = 1024; tx_desc = 1024; },
  { name = "p1"; device = "net_af_xdp_mp${ID}mb,iface=mp${ID}mb,start_queue=0,queue_count=1"; address = "198.18.1.2/24";
    rx_desc = 1024; tx_desc = 1024; }
);
listeners = (
  { name = "iperf"; kind = "tcp_proxy"; port = 5201; upstream = "198.18.1.1:5201"; },
  { name = "rr"; kind = "tcp_proxy"; port = 7000; upstream = "198.18.1.1:7000"; },
  { name = "conn"; kind = "tcp_proxy"; port = 8080; upstream = "198.18.1.1:8080"; }
);
CONF
bg "$TMP/meshdp.log" ip netns exec "mdpp-$ID-mx" "$MESHDP" -c "$TMP/meshdp.conf"
for _ in $(seq 100); do
	"$MESHCTL" -s "$SOCK" --json status >/dev/null 2>&1 && break
	sleep 0.2
done
"$MESHCTL" -s "$SOCK" --json status >/dev/null 2>&1 || { cat "$TMP/meshdp.log" >&2; die "meshdp did not come up"; }

# HAProxy: one thread, mode tcp, on CPU 1.
cat >"$TMP/haproxy.cfg" <<CFG
global
    nbthread 1
    maxconn 1000
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend iperf
    bind 198.18.0.2:5201
    default_backend iperf
backend iperf
    server s1 198.18.1.1:5201
frontend rr
    bind 198.18.0.2:7000
    default_backend rr
backend rr
    server s1 198.18.1.1:7000
frontend conn
    bind 198.18.0.2:8080
    default_backend conn
backend conn
    server s1 198.18.1.1:8080
CFG
bg "$TMP/haproxy.log" ip netns exec "mdpp-$ID-hx" taskset -c 1 haproxy -f "$TMP/haproxy.cfg" -db

for p in m h d; do
	wait_port "mdpp-$ID-${p}s" 198.18.1.1 5201 || die "iperf3 server ($p) not listening"
	wait_port "mdpp-$ID-${p}s" 198.18.1.1 7000 || die "rr server ($p) not listening"
	wait_port "mdpp-$ID-${p}s" 198.18.1.1 8080 || die "nginx ($p) not listening"
done
wait_port "mdpp-$ID-hc" 198.18.0.2 5201 || die "haproxy not listening"
# meshdp answers ARP and connects upstream on the first SYN; one warm-up each.
for p in m h d; do
	tgt=198.18.0.2; [ $p = d ] && tgt=198.18.1.1
	wait_port "mdpp-$ID-${p}c" $tgt 7000 || die "path $p: no connection to :7000"
done
log "topology up (id $ID, meshdp idle.mode=$IDLE); $ROUNDS rounds x 3 paths, iperf3 -t $SECS"

# ---- measurements ----
: >"$TMP/raw.jsonl"
name_of() { case $1 in m) echo meshdp ;; h) echo haproxy ;; d) echo direct ;; esac; }
run_iperf() { # run_iperf p dir(up|down) round
	local p=$1 dir=$2 r=$3 tgt=198.18.0.2 extra=() f
	[ $p = d ] && tgt=198.18.1.1
	[ "$dir" = down ] && extra=(-R)
	f=$TMP/iperf-$p-$dir-$r.json
	timeout $((SECS + 20)) ip netns exec "mdpp-$ID-${p}c" taskset -c 0 \
		iperf3 -c $tgt -p 5201 -t "$SECS" -J "${extra[@]}" >"$f" 2>&1
	python3 - "$f" "$(name_of $p)" "$dir" "$r" >>"$TMP/raw.jsonl" <<'PY'
import json, sys
f, path, d, r = sys.argv[1:]
try:
    j = json.load(open(f))
    e = j["end"]
    gbps = e["sum_received"]["bits_per_second"] / 1e9
    retr = e.get("sum_sent", {}).get("retransmits")
    err = j.get("error")
except Exception as ex:
    gbps, retr, err = None, None, "unparsable iperf3 output: %s" % ex
print(json.dumps({"path": path, "test": "iperf3_" + d, "round": int(r),
                  "gbit_s": gbps, "retransmits": retr, "error": err}))
PY
}
run_rr() {
	local p=$1 r=$2 tgt=198.18.0.2 out
	[ $p = d ] && tgt=198.18.1.1
	out=$(timeout $((RR_SECS + 15)) ip netns exec "mdpp-$ID-${p}c" taskset -c 0 \
		python3 "$RR" client $tgt 7000 "$RR_SECS" 2>&1 | tail -1)
	python3 -c '
import json, sys
path, r, out = sys.argv[1:]
try:
    d = json.loads(out); d.update(path=path, test="rr64", round=int(r), error=None)
except Exception:
    d = dict(path=path, test="rr64", round=int(r), rps=None, error=out[-200:])
print(json.dumps(d))' "$(name_of $p)" "$r" "$out" >>"$TMP/raw.jsonl"
}

# New connections per second: HTTP/1.1 with "Connection: close" through
# the L4 proxy to nginx, so every request is a new client connection and a
# new upstream connection (wrk -c 16 keeps 16 in flight).
run_conn() {
	local p=$1 r=$2 tgt=198.18.0.2 f=$TMP/conn-$1-$2.txt
	[ $p = d ] && tgt=198.18.1.1
	timeout $((SECS + 20)) ip netns exec "mdpp-$ID-${p}c" taskset -c 0 \
		wrk -t1 -c16 -d "${SECS}s" -H "Connection: close" "http://$tgt:8080/" >"$f" 2>&1
	python3 - "$f" "$(name_of $p)" "$r" >>"$TMP/raw.jsonl" <<'PY'
import json, re, sys
f, path, r = sys.argv[1:]
txt = open(f).read()
m = re.search(r"Requests/sec:\s+([\d.]+)", txt)
e = re.search(r"Socket errors: (.*)", txt)
print(json.dumps({"path": path, "test": "conn", "round": int(r),
                  "cps": float(m.group(1)) if m else None,
                  "socket_errors": e.group(1) if e else None,
                  "error": None if m else txt[-200:]}))
PY
}

order=(m h d)
for ((r = 1; r <= ROUNDS; r++)); do
	# Rotate the order each round, so no path always goes first.
	for ((k = 0; k < 3; k++)); do
		p=${order[$(( (k + r - 1) % 3 ))]}
		log "round $r: $(name_of $p)"
		run_iperf $p up $r
		sleep 1
		run_iperf $p down $r
		sleep 1
		run_rr $p $r
		sleep 1
		run_conn $p $r
		sleep 1
	done
done
"$MESHCTL" -s "$SOCK" --json stats >"$TMP/meshdp-stats.json" 2>/dev/null

# ---- report ----
mkdir -p "$OUT_DIR"
python3 - "$TMP/raw.jsonl" "$OUT" "$TMP/meshdp-stats.json" <<PY
import json, os, platform, statistics, subprocess, sys
raw, out, stats = sys.argv[1:]
rows = [json.loads(l) for l in open(raw) if l.strip()]
def cpu():
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            return l.split(":", 1)[1].strip()
ms = {}
try:
    t = json.load(open(stats))["result"]["total"]
    ms = {k: t.get(k, 0) for k in ("tcp_retransmits", "tcp_fast_retransmits", "tcp_rto_expiries",
                                   "tcp_bad_checksum", "tcp_conn_opened", "tcp_conn_closed")}
except Exception:
    pass
def summ(vals):
    v = [x for x in vals if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}
paths = ["meshdp", "haproxy", "direct"]
summary = {}
for p in paths:
    pr = [r for r in rows if r["path"] == p]
    summary[p] = {
        "iperf3_up_gbit_s": summ([r["gbit_s"] for r in pr if r["test"] == "iperf3_up"]),
        "iperf3_down_gbit_s": summ([r["gbit_s"] for r in pr if r["test"] == "iperf3_down"]),
        "rr64_rps": summ([r.get("rps") for r in pr if r["test"] == "rr64"]),
        "rr64_p99_us": summ([r.get("p99_us") for r in pr if r["test"] == "rr64"]),
        "conn_per_s": summ([r.get("cps") for r in pr if r["test"] == "conn"]),
        "errors": [r["error"] for r in pr if r.get("error")],
    }
doc = {
    "benchmark": "tcp_proxy",
    "date_utc": "$STAMP",
    "machine": {"cpu": cpu(), "cpus": os.cpu_count(), "kernel": platform.release(),
                "haproxy": subprocess.run(["haproxy", "-v"], capture_output=True, text=True).stdout.splitlines()[0],
                "iperf3": subprocess.run(["iperf3", "-v"], capture_output=True, text=True).stdout.splitlines()[0]},
    "config": {"rounds": int("$ROUNDS"), "iperf3_secs": int("$SECS"), "rr_secs": float("$RR_SECS"),
               "meshdp_idle_mode": "$IDLE", "meshdp_ports": "net_af_xdp on veth (copy mode), 1 queue each",
               "pinning": "proxy CPU 1 (meshdp worker lcore 1 / haproxy), client+server CPU 0",
               "veth_offload": "tx off rx off on every veth end"},
    "meshdp_stats_after": ms,
    "summary": summary,
    "runs": rows,
}
json.dump(doc, open(out, "w"), indent=2)
def f(s, fmt):
    if not s: return "n/a"
    return (fmt % s["median"]) + " (" + (fmt % s["min"]) + "–" + (fmt % s["max"]) + ")"
print()
print("| path | iperf3 client→server Gbit/s | iperf3 server→client (-R) Gbit/s | 64 B ping-pong req/s | ping-pong p99 µs | new connections/s |")
print("|---|---|---|---|---|---|")
label = {"meshdp": "meshdp tcp_proxy (AF_XDP, 1 worker, idle $IDLE)",
         "haproxy": "HAProxy 2.6 mode tcp, nbthread 1",
         "direct": "no proxy (kernel routing ns)"}
for p in paths:
    s = summary[p]
    print("| %s | %s | %s | %s | %s | %s |" % (label[p], f(s["iperf3_up_gbit_s"], "%.2f"),
          f(s["iperf3_down_gbit_s"], "%.2f"), f(s["rr64_rps"], "%.0f"), f(s["rr64_p99_us"], "%.0f"),
          f(s["conn_per_s"], "%.0f")))
print()
print("median (min–max) of %d rounds; results in %s" % (int("$ROUNDS"), out))
if ms: print("meshdp counters after the run:", ms)
for p in paths:
    if summary[p]["errors"]:
        print("errors (%s): %s" % (p, summary[p]["errors"]))
PY
