#!/usr/bin/env bash
# Side-by-side HTTP/1.1 proxy benchmark (run by hand; not part of scripts/test).
#
# Four paths with the same addressing, each in its own namespaces:
#
#   client 198.18.0.1 --veth-- [X] 198.18.0.2 | 198.18.1.2 --veth-- backend 198.18.1.1:8080
#
#   meshdp   X = meshdp `http` listener :80 -> cluster 198.18.1.1:8080
#            (keep-alive pool), direct_response route on :81; two AF_XDP
#            ports, 1 worker on CPU 1, idle.mode adaptive (IDLE=poll)
#   haproxy  X = HAProxy 2.6 mode http, nbthread 1, http-reuse always;
#            :81 answers itself (http-request return)
#   nginx    X = nginx 1.22, 1 worker, proxy_pass with upstream keepalive;
#            :81 answers itself (return 200)
#   direct   no proxy: kernel routing; the client talks to the backend
#
# The backend is nginx (1 worker) answering 200 with a 64-byte body. Client
# (wrk) and backend on CPU 0, the proxy on CPU 1. Rounds alternate paths.
# Per round and path: wrk -t1 -c64 -d SECS --latency on /, the same with
# "Connection: close" (a new client connection per request: the proxies
# still keep upstream connections alive), and the direct response on :81.
#
# Environment: ROUNDS (3), SECS (5), CONNS (64), IDLE (adaptive|poll),
# MESHDP_BUILD (build/). Results: perf/results/http-<date>.json and a
# markdown table on stdout.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${MESHDP_BUILD:-$TOP/build}
MESHDP=$BUILD/meshdp
MESHCTL=$BUILD/meshctl
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-5}
CONNS=${CONNS:-64}
IDLE=${IDLE:-adaptive}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT_DIR=$TOP/perf/results
OUT=$OUT_DIR/http-$STAMP.json
BODY=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde

[ "$(id -u)" -eq 0 ] || { echo "needs root (namespaces)"; exit 1; }
[ -x "$MESHDP" ] || { echo "no $MESHDP: build first (meson compile -C build)"; exit 1; }
[ "$SECS" -ge 1 ] && [ "$SECS" -le 60 ] || { echo "SECS must be 1..60"; exit 1; }
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] || { echo "ROUNDS must be 1..20"; exit 1; }

need=()
for pk in haproxy nginx-light wrk ethtool; do dpkg -s $pk >/dev/null 2>&1 || need+=($pk); done
if [ ${#need[@]} -gt 0 ]; then
	echo "installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >&2 || exit 1
fi

PERF_NAME=http
. "$TOP/perf/lib.sh"

# ---- topologies: p = m (meshdp), h (haproxy), n (nginx), d (direct) ----
for p in m h n d; do
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
	mkdir -p "$TMP/be-$p"
	nginx_conf "$TMP/be-$p/nginx.conf" "$TMP/be-$p" \
		"server { listen 198.18.1.1:8080; location / { return 200 \"$BODY\n\"; } }"
	bg "$TMP/be-$p.log" ip netns exec "$SV" taskset -c 0 nginx -c "$TMP/be-$p/nginx.conf" -p "$TMP/be-$p"
done
ip netns exec "mdpp-$ID-dx" sysctl -qw net.ipv4.ip_forward=1

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
http = { request_id = false; };
listeners = (
  { name = "proxy"; kind = "http"; port = 80; route_table = "proxy"; },
  { name = "direct"; kind = "http"; port = 81; route_table = "direct"; }
);
clusters = ( { name = "backend"; max_idle = 256; endpoints = ( { address = "198.18.1.1:8080"; } ); } );
route_tables = (
  { name = "proxy"; virtual_hosts = ( { name = "all"; domains = [ "*" ]; routes = ( { route = { cluster = "backend"; }; } ); } ); },
  { name = "direct"; virtual_hosts = ( { name = "all"; domains = [ "*" ];
      routes = ( { direct_response = { status = 200; body = "$BODY\n"; }; } ); } ); }
);
CONF
bg "$TMP/meshdp.log" ip netns exec "mdpp-$ID-mx" "$MESHDP" -c "$TMP/meshdp.conf"
for _ in $(seq 100); do
	"$MESHCTL" -s "$SOCK" --json status >/dev/null 2>&1 && break
	sleep 0.2
done
"$MESHCTL" -s "$SOCK" --json status >/dev/null 2>&1 || { cat "$TMP/meshdp.log" >&2; die "meshdp did not come up"; }

cat >"$TMP/haproxy.cfg" <<CFG
global
    nbthread 1
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
    http-reuse always
frontend proxy
    bind 198.18.0.2:80
    default_backend be
backend be
    server s1 198.18.1.1:8080
frontend direct
    bind 198.18.0.2:81
    http-request return status 200 content-type text/plain string "$BODY\n"
CFG
bg "$TMP/haproxy.log" ip netns exec "mdpp-$ID-hx" taskset -c 1 haproxy -f "$TMP/haproxy.cfg" -db

mkdir -p "$TMP/px-n"
nginx_conf "$TMP/px-n/nginx.conf" "$TMP/px-n" "
upstream be { server 198.18.1.1:8080; keepalive 256; }
server { listen 198.18.0.2:80; location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }
server { listen 198.18.0.2:81; location / { return 200 \"$BODY\n\"; } }"
bg "$TMP/nginx-px.log" ip netns exec "mdpp-$ID-nx" taskset -c 1 nginx -c "$TMP/px-n/nginx.conf" -p "$TMP/px-n"

for p in m h n d; do
	wait_port "mdpp-$ID-${p}s" 198.18.1.1 8080 || die "backend ($p) not listening"
	tgt=198.18.0.2; port=80; [ $p = d ] && tgt=198.18.1.1 && port=8080
	wait_port "mdpp-$ID-${p}c" $tgt $port || die "path $p: no connection"
done
log "topology up (id $ID, meshdp idle.mode=$IDLE); $ROUNDS rounds x 4 paths, wrk -c $CONNS -d $SECS"

name_of() { case $1 in m) echo meshdp ;; h) echo haproxy ;; n) echo nginx ;; d) echo direct ;; esac; }
: >"$TMP/raw.jsonl"
run_wrk() { # run_wrk p test round URL [HEADER]
	local p=$1 t=$2 r=$3 url=$4 f=$TMP/wrk-$1-$2-$3.txt
	shift 4
	timeout $((SECS + 30)) ip netns exec "mdpp-$ID-${p}c" taskset -c 0 \
		wrk -t1 -c "$CONNS" -d "${SECS}s" --latency "$@" "$url" >"$f" 2>&1
	python3 - "$f" "$(name_of $p)" "$t" "$r" >>"$TMP/raw.jsonl" <<'PY'
import json, re, sys
f, path, t, r = sys.argv[1:]
txt = open(f).read()
def ms(v, u):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[u]
d = {"path": path, "test": t, "round": int(r), "rps": None, "error": None}
m = re.search(r"Requests/sec:\s+([\d.]+)", txt)
if m:
    d["rps"] = float(m.group(1))
for q in ("50", "90", "99"):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)" % q, txt, re.M)
    if m:
        d["p%s_ms" % q] = ms(m.group(1), m.group(2))
m = re.search(r"Non-2xx or 3xx responses: (\d+)", txt)
d["non2xx"] = int(m.group(1)) if m else 0
m = re.search(r"Socket errors: (.*)", txt)
d["socket_errors"] = m.group(1).strip() if m else None
if d["rps"] is None:
    d["error"] = txt[-300:]
print(json.dumps(d))
PY
}

order=(m h n d)
for ((r = 1; r <= ROUNDS; r++)); do
	for ((k = 0; k < 4; k++)); do
		p=${order[$(( (k + r - 1) % 4 ))]}
		log "round $r: $(name_of $p)"
		if [ $p = d ]; then
			run_wrk $p proxy $r http://198.18.1.1:8080/
			sleep 1
			run_wrk $p close $r http://198.18.1.1:8080/ -H "Connection: close"
		else
			run_wrk $p proxy $r http://198.18.0.2/
			sleep 1
			run_wrk $p close $r http://198.18.0.2/ -H "Connection: close"
			sleep 1
			run_wrk $p direct $r http://198.18.0.2:81/
		fi
		sleep 1
	done
done
"$MESHCTL" -s "$SOCK" --json http >"$TMP/meshdp-http.json" 2>/dev/null

mkdir -p "$OUT_DIR"
python3 - "$TMP/raw.jsonl" "$OUT" "$TMP/meshdp-http.json" <<PY
import json, os, platform, statistics, subprocess, sys
raw, out, hs = sys.argv[1:]
rows = [json.loads(l) for l in open(raw) if l.strip()]
def cpu():
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            return l.split(":", 1)[1].strip()
def summ(vals):
    v = [x for x in vals if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}
paths = ["meshdp", "haproxy", "nginx", "direct"]
tests = ["proxy", "close", "direct"]
summary = {}
for p in paths:
    summary[p] = {}
    for t in tests:
        pr = [r for r in rows if r["path"] == p and r["test"] == t]
        if not pr:
            continue
        summary[p][t] = {"rps": summ([r["rps"] for r in pr]),
                         "p50_ms": summ([r.get("p50_ms") for r in pr]),
                         "p99_ms": summ([r.get("p99_ms") for r in pr]),
                         "non2xx": sum(r.get("non2xx", 0) for r in pr),
                         "socket_errors": [r["socket_errors"] for r in pr if r.get("socket_errors")],
                         "errors": [r["error"] for r in pr if r.get("error")]}
try:
    mh = json.load(open(hs))["result"]["total"]
except Exception:
    mh = {}
ver = lambda cmd: subprocess.run(cmd, capture_output=True, text=True)
doc = {
    "benchmark": "http",
    "date_utc": "$STAMP",
    "machine": {"cpu": cpu(), "cpus": os.cpu_count(), "kernel": platform.release(),
                "haproxy": ver(["haproxy", "-v"]).stdout.splitlines()[0],
                "nginx": ver(["nginx", "-v"]).stderr.strip()},
    "config": {"rounds": int("$ROUNDS"), "secs": int("$SECS"), "conns": int("$CONNS"),
               "meshdp_idle_mode": "$IDLE", "meshdp_ports": "net_af_xdp on veth (copy mode)",
               "pinning": "proxy CPU 1, wrk + backend nginx CPU 0",
               "body_bytes": 64},
    "meshdp_http_after": mh,
    "summary": summary,
    "runs": rows,
}
json.dump(doc, open(out, "w"), indent=2)
def f(s, fmt):
    if not s: return "n/a"
    return (fmt % s["median"]) + " (" + (fmt % s["min"]) + "–" + (fmt % s["max"]) + ")"
label = {"meshdp": "meshdp (AF_XDP, 1 worker, idle $IDLE)", "haproxy": "HAProxy 2.6, nbthread 1",
         "nginx": "nginx 1.22, 1 worker", "direct": "no proxy (kernel routing)"}
print()
print("| path | keep-alive req/s | p50 ms | p99 ms | new conn per request req/s | direct response req/s | direct p99 ms |")
print("|---|---|---|---|---|---|---|")
for p in paths:
    s = summary[p]
    g = lambda t, k: s.get(t, {}).get(k)
    print("| %s | %s | %s | %s | %s | %s | %s |" % (label[p], f(g("proxy", "rps"), "%.0f"),
          f(g("proxy", "p50_ms"), "%.2f"), f(g("proxy", "p99_ms"), "%.2f"),
          f(g("close", "rps"), "%.0f"), f(g("direct", "rps"), "%.0f"), f(g("direct", "p99_ms"), "%.2f")))
print()
print("median (min–max) of %d rounds, wrk -t1 -c%d -d%ds; results in %s" % (int("$ROUNDS"), int("$CONNS"), int("$SECS"), out))
for p in paths:
    for t, s in summary[p].items():
        if s["non2xx"] or s["socket_errors"] or s["errors"]:
            print("%s/%s: non-2xx %d, socket errors %s, errors %s" % (p, t, s["non2xx"], s["socket_errors"], s["errors"][:1]))
if mh: print("meshdp:", {k: mh[k] for k in ("requests", "upstream_connects", "upstream_reused") if k in mh})
PY
