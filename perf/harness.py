#!/usr/bin/env python3
"""Helpers for perf/run: proxy configurations, output parsers, the summary.

perf/run (bash) builds the namespaces and starts the processes; this file
writes every configuration it needs and turns each tool's output into one
JSON line. Subcommands (all write to stdout unless said otherwise):

  configs DIR ID SOCK IDLE SCENARIOS [KNOBS]
                                       write the configs into DIR; KNOBS is a
                                       JSON object of meshdp settings
                                       (MESHDP_DEFAULTS' keys)
  wrk FILE META                        wrk --latency output -> JSON line
  h2load LOG STDOUT META               h2load --log-file + summary -> JSON line
  iperf FILE META                      iperf3 -J output -> JSON line
  rr OUT META                          rr.py client output -> JSON line
  check URL [HOST [N]]                 N requests on one connection: status,
                                       bodies (v1/v2 split), run in the
                                       client namespace
  tlscheck URL CADIR [CERT KEY]        one GET over TLS 1.3 (and, with a
                                       client certificate, one without it,
                                       which must be refused)
  stime PREFIX N META                  N openssl s_time outputs -> JSON line
  micro DIR                            parse DIR/bench_*.txt -> JSON
  summarize RAW META OUT               raw runs + metadata -> result JSON

META is a JSON object merged into the line (scenario, proxy, round, cpu,
rss, load ...).
"""
import json
import os
import re
import socket
import statistics
import sys

BODY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n"  # 64 B
# the canary backends answer 64 bytes too, starting with their version
BODY_V1 = "v1" + BODY[2:]
BODY_V2 = "v2" + BODY[2:]
LARGE = 1 << 20

FRONT = "198.18.0.2"   # the proxy, client side
BACKEND = "198.18.1.1"  # the backend, behind the proxy

# Proxy listening ports (on FRONT); the no-proxy path talks to the backend.
PORTS = {"proxy": 80, "direct": 81, "canary100": 82, "canary10k": 83}
CANARY_ROUTES = {"canary100": 100, "canary10k": 10000}
CANARY_PATH = "/api/orders/12345"
CANARY_HOST = "order-service"


# ---------------------------------------------------------------- configs

def other_paths(n):
    """The n - 2 routes before the order-service ones: other services'
    prefixes, never hit by the benchmark, so that the canary route is the
    last one in the table (the worst case for a first-match list)."""
    return ["/svc%05u/" % i for i in range(n - 2)]


# meshdp's settings that perf/run exposes as environment variables, with
# meshdp's own defaults (lib/conf/mdp_config.c, docs/configuration.md):
# perf/run's variable -> (setting, default). "huge" is not a setting but the
# EAL arguments: 0 = --no-huge (ordinary 4 KiB pages), 1 = 2 MiB hugepages.
MESHDP_KNOBS = {
    "IDLE": ("idle.mode", "adaptive"),
    "BURST": ("burst", 32),
    "RX_DESC": ("ports[].rx_desc", 1024),
    "TX_DESC": ("ports[].tx_desc", 1024),
    "MBUF_CACHE": ("mempool.cache", 256),
    "HUGE": ("hugepages", 0),
}
MESHDP_DEFAULTS = {k: v[1] for k, v in MESHDP_KNOBS.items()}


def meshdp_knobs(knobs):
    """perf/run's knob values (strings from the environment) -> typed, with
    the defaults filled in."""
    out = dict(MESHDP_DEFAULTS)
    for k, v in (knobs or {}).items():
        if k not in out:
            raise SystemExit("harness.py: unknown meshdp knob %r" % k)
        out[k] = v if isinstance(MESHDP_DEFAULTS[k], str) else int(v)
    return out


def meshdp_changed(knobs):
    """The knobs that differ from meshdp's defaults, as "setting = value"."""
    k = meshdp_knobs(knobs)
    return ["%s = %s" % (MESHDP_KNOBS[n][0], "2 MiB pages" if n == "HUGE" else k[n])
            for n in MESHDP_KNOBS if n != "HUGE" and k[n] != MESHDP_DEFAULTS[n]] + \
        (["hugepages (2 MiB) instead of --no-huge"] if k["HUGE"] else [])


def meshdp_conf(d, ident, sock, idle, scen, knobs=None):
    k = meshdp_knobs(dict(knobs or {}, IDLE=idle))
    rts, lst = [], []
    lst.append('  { name = "proxy"; kind = "http"; port = 80; route_table = "proxy"; }')
    lst.append('  { name = "direct"; kind = "http"; port = 81; route_table = "direct"; }')
    rts.append('  { name = "proxy"; virtual_hosts = ( { name = "all"; domains = [ "*" ]; '
               'routes = ( { route = { cluster = "backend"; }; } ); } ); }')
    rts.append('  { name = "direct"; virtual_hosts = ( { name = "all"; domains = [ "*" ]; '
               'routes = ( { direct_response = { status = 200; body = "%s"; }; } ); } ); }'
               % BODY.replace("\n", "\\n"))
    for s, n in CANARY_ROUTES.items():
        if s not in scen:
            continue
        lst.append('  { name = "%s"; kind = "http"; port = %d; route_table = "%s"; }'
                   % (s, PORTS[s], s))
        routes = ['        { match = { prefix = "%s"; }; route = { cluster = "order-v1"; }; }' % p
                  for p in other_paths(n)]
        routes.append('        { name = "beta-users"; match = { prefix = "/api/orders"; '
                      'headers = ( { name = "x-user-group"; exact = "beta"; } ); }; '
                      'route = { cluster = "order-v2"; }; }')
        routes.append('        { name = "canary"; match = { prefix = "/api/orders"; }; '
                      'route = { clusters = ( { name = "order-v1"; weight = 90; }, '
                      '{ name = "order-v2"; weight = 10; } ); }; }')
        rts.append('  { name = "%s"; virtual_hosts = (\n'
                   '    { name = "order-service"; domains = [ "order-service" ]; routes = (\n'
                   '%s\n    ); },\n'
                   '    { name = "rest"; domains = [ "*" ]; routes = ( { direct_response = '
                   '{ status = 404; body = "unknown service\\n"; }; } ); }\n  ); }'
                   % (s, ",\n".join(routes)))
    lst.extend(meshdp_tls_listeners(scen))
    if "l4" in scen:
        lst.append('  { name = "iperf"; kind = "tcp_proxy"; port = 5201; upstream = "%s:5201"; }' % BACKEND)
        lst.append('  { name = "rr"; kind = "tcp_proxy"; port = 7000; upstream = "%s:7000"; }' % BACKEND)
    dev = "net_af_xdp_mp{i}m{s},iface=mp{i}m{s},start_queue=0,queue_count=1"
    # -m 512 either way: with --no-huge, 512 MiB of ordinary pages; with
    # hugepages, 256 pages of 2 MiB reserved at start (perf/run makes sure
    # they are there). --in-memory: no hugetlbfs mount needed (DPDK takes
    # hugepages from memfd), no files left behind, nothing shared.
    huge = ('"--in-memory"' if k["HUGE"] else '"--no-huge", "--no-shconf", "--file-prefix=mdpp-{i}"')
    conf = """# generated by perf/harness.py for perf/run
log_level = "info";
eal = {{ args = [ {huge}, "-m", "512", "--no-pci", "--no-telemetry" ]; }};
cores = {{ main = 0; workers = [ 1 ]; }};
# 32767 mbufs cover 4096 RX + 4096 TX descriptors on both ports
mempool = {{ mbufs = 32767; cache = {cache}; }};
idle = {{ mode = "{idle}"; }};
burst = {burst};
control = {{ socket = "{sock}"; }};
# TIME-WAIT of 0.5 s: at thousands of connections a second, 60 s would need
# hundreds of thousands of connection slots (see perf/README.md)
tcp = {{ time_wait_ms = 500; }};
ports = (
  {{ name = "p0"; device = "{d0}"; address = "198.18.0.2/24"; rx_desc = {rxd}; tx_desc = {txd}; }},
  {{ name = "p1"; device = "{d1}"; address = "198.18.1.2/24"; rx_desc = {rxd}; tx_desc = {txd}; }}
);
http = {{ request_id = false; idle_timeout_ms = 60000; }};
listeners = (
{lst}
);
clusters = (
  {{ name = "backend"; max_idle = 256; endpoints = ( {{ address = "{b}:8080"; }} ); }},
  {{ name = "order-v1"; max_idle = 256; endpoints = ( {{ address = "{b}:8081"; }} ); }},
  {{ name = "order-v2"; max_idle = 256; endpoints = ( {{ address = "{b}:8082"; }} ); }}
);
route_tables = (
{rts}
);
""".format(i=ident, idle=k["IDLE"], sock=sock, huge=huge.format(i=ident), cache=k["MBUF_CACHE"],
           burst=k["BURST"], rxd=k["RX_DESC"], txd=k["TX_DESC"], d0=dev.format(i=ident, s="a"),
           d1=dev.format(i=ident, s="b"), lst=",\n".join(lst), b=BACKEND,
           rts=",\n".join(rts))
    conf += meshdp_tls_group(d, scen)
    open(os.path.join(d, "meshdp.conf"), "w").write(conf)


def haproxy_conf(d, scen):
    body = BODY.replace("\n", "\\n")
    out = ["""# generated by perf/harness.py for perf/run
global
    nbthread 1
    maxconn 8192
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 60s
    option http-keep-alive
    http-reuse always
frontend proxy
    bind {f}:80
    default_backend be
backend be
    server s1 {b}:8080
frontend direct
    bind {f}:81
    http-request return status 200 content-type text/plain string "{body}"
backend v1
    server v1 {b}:8081
backend v2
    server v2 {b}:8082
backend canary
    balance roundrobin
    server v1 {b}:8081 weight 90
    server v2 {b}:8082 weight 10
""".format(f=FRONT, b=BACKEND, body=body)]
    for s, n in CANARY_ROUTES.items():
        if s not in scen:
            continue
        out.append("frontend %s\n    bind %s:%d\n" % (s, FRONT, PORTS[s]))
        # the virtual host, as meshdp's domains and nginx's server_name
        out.append('    http-request return status 404 content-type text/plain '
                   'string "unknown service\\n" unless { hdr(host) -i %s }\n' % CANARY_HOST)
        out.extend("    use_backend v1 if { path_beg %s }\n" % p for p in other_paths(n))
        out.append("    use_backend v2 if { path_beg /api/orders } "
                   "{ req.hdr(x-user-group) -m str beta }\n")
        out.append("    use_backend canary if { path_beg /api/orders }\n")
        # the same routes as one map_beg lookup (HAProxy keeps "beg" patterns
        # in a list, tried in order, like the rules above but in one fetch)
        mf = os.path.join(d, "haproxy-%s.map" % s)
        with open(mf, "w") as f:
            f.writelines("%s v1\n" % p for p in other_paths(n))
            f.write("/api/orders canary\n")
        out.append("frontend %s_map\n    bind %s:%d\n" % (s, FRONT, PORTS[s] + 2))
        out.append('    http-request return status 404 content-type text/plain '
                   'string "unknown service\\n" unless { hdr(host) -i %s }\n' % CANARY_HOST)
        out.append("    use_backend v2 if { path_beg /api/orders } "
                   "{ req.hdr(x-user-group) -m str beta }\n")
        out.append("    use_backend %%[path,map_beg(%s)]\n" % mf)
    if "l4" in scen:
        out.append("""frontend l4_iperf
    mode tcp
    bind {f}:5201
    default_backend l4_iperf
backend l4_iperf
    mode tcp
    server s1 {b}:5201
frontend l4_rr
    mode tcp
    bind {f}:7000
    default_backend l4_rr
backend l4_rr
    mode tcp
    server s1 {b}:7000
""".format(f=FRONT, b=BACKEND))
    out.append(haproxy_tls(d, scen))
    open(os.path.join(d, "haproxy.cfg"), "w").write("".join(out))


NGINX_HEAD = """# generated by perf/harness.py for perf/run
daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
{load}
events {{ worker_connections 8192; }}
"""
NGINX_HTTP = """http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
"""


def nginx_proxy_conf(d, scen):
    px = os.path.join(d, "px-nginx")
    os.makedirs(px, exist_ok=True)
    load = "load_module /usr/lib/nginx/modules/ngx_stream_module.so;" if "l4" in scen else ""
    out = [NGINX_HEAD.format(d=px, load=load), NGINX_HTTP.format(d=px)]
    out.append("""    proxy_http_version 1.1;
    proxy_set_header Connection "";
    # stream 1 MiB responses through the buffers instead of spilling them to
    # temporary files, as HAProxy, h2o and meshdp do
    proxy_max_temp_file_size 0;
    upstream be {{ server {b}:8080; keepalive 256; }}
    upstream v1 {{ server {b}:8081; keepalive 256; }}
    upstream v2 {{ server {b}:8082; keepalive 256; }}
    upstream canary {{ server {b}:8081 weight=90; server {b}:8082 weight=10; keepalive 256; }}
    map $http_x_user_group $orders_upstream {{ beta v2; default canary; }}
    server {{ listen {f}:80; location / {{ proxy_pass http://be; }} }}
    server {{ listen {f}:81; location / {{ default_type text/plain; return 200 "{body}"; }} }}
""".format(f=FRONT, b=BACKEND, body=BODY.replace("\n", "\\n")))
    for s, n in CANARY_ROUTES.items():
        if s not in scen:
            continue
        out.append('    server { listen %s:%d default_server; default_type text/plain; '
                   'return 404 "unknown service\\n"; }\n' % (FRONT, PORTS[s]))
        out.append("    server {\n        listen %s:%d;\n        server_name %s;\n"
                   % (FRONT, PORTS[s], CANARY_HOST))
        out.extend("        location %s { proxy_pass http://v1; }\n" % p for p in other_paths(n))
        out.append("        location /api/orders { proxy_pass http://$orders_upstream; }\n    }\n")
    out.append(nginx_tls(d, scen))
    out.append("}\n")
    if "l4" in scen:
        out.append("""stream {{
    server {{ listen {f}:5201; proxy_pass {b}:5201; }}
    server {{ listen {f}:7000; proxy_pass {b}:7000; }}
}}
""".format(f=FRONT, b=BACKEND))
    open(os.path.join(d, "nginx-px.conf"), "w").write("".join(out))


def nginx_backend_conf(d):
    be = os.path.join(d, "be-nginx")
    www = os.path.join(d, "www")
    os.makedirs(www, exist_ok=True)
    os.makedirs(be, exist_ok=True)
    with open(os.path.join(www, "large"), "wb") as f:
        f.write(bytes((i * 7 + 3) & 0x7f | 0x20 for i in range(256)) * (LARGE // 256))
    out = [NGINX_HEAD.format(d=be, load=""), NGINX_HTTP.format(d=be)]
    out.append("""    sendfile on;
    default_type text/plain;
    server {{ listen {b}:8080; location / {{ return 200 "{b0}"; }} location = /large {{ root {www}; }} }}
    server {{ listen {b}:8081; location / {{ return 200 "{b1}"; }} }}
    server {{ listen {b}:8082; location / {{ return 200 "{b2}"; }} }}
}}
""".format(b=BACKEND, www=www, b0=BODY.replace("\n", "\\n"), b1=BODY_V1.replace("\n", "\\n"),
           b2=BODY_V2.replace("\n", "\\n")))
    open(os.path.join(d, "nginx-be.conf"), "w").write("".join(out))


def h2o_conf(d):
    """h2o 2.2: proxy and direct (a static file) only; see perf/README.md for
    why it has no canary or L4 configuration."""
    body = os.path.join(d, "body.txt")
    open(body, "w").write(BODY)
    conf = """# generated by perf/harness.py for perf/run
user: root
num-threads: 1
max-connections: 8192
http1-request-timeout: 60
proxy.emit-x-forwarded-headers: OFF
proxy.emit-via-header: OFF
proxy.timeout.keepalive: 60000
error-log: {d}/h2o-error.log
pid-file: {d}/h2o.pid
hosts:
  "proxy":
    listen: {{ host: {f}, port: 80 }}
    paths:
      /:
        proxy.reverse.url: http://{b}:8080/
  "direct":
    listen: {{ host: {f}, port: 81 }}
    paths:
      /:
        file.file: {body}
""".format(d=d, f=FRONT, b=BACKEND, body=body)
    open(os.path.join(d, "h2o.conf"), "w").write(conf)


# ---------------------------------------------------------------- TLS

# perf/run's opt-in TLS scenarios (tls, tls_large, handshake): every proxy
# presents the same certificate (tests/tls/mkcerts.sh, run by perf/run into
# DIR/certs: EC P-256, the CA of cluster.local, the payment leaf with its
# SPIFFE ID), speaks TLS 1.3 only, with one suite and one key exchange group.
TLS_SCEN = {"tls", "tls_large", "handshake"}
TLS_PORT = 443     # TLS without a client certificate: meshdp SIMPLE, plain ssl
MTLS_PORT = 444    # mutual TLS: a client certificate chaining to the CA required
TLS_SUITE = "TLS_AES_128_GCM_SHA256"
# X25519: what OpenSSL clients (wrk, h2load, s_time) offer first, so that no
# handshake needs a HelloRetryRequest; meshdp's default list starts with it
TLS_GROUP = "X25519"
TLS_CERT, TLS_KEY, TLS_CA = "payment.pem", "payment.key", "ca.pem"
CLIENT_CERT, CLIENT_KEY = "order.pem", "order.key"


def certs(d, name):
    return os.path.join(d, "certs", name)


def meshdp_tls_listeners(scen):
    if not TLS_SCEN & set(scen):
        return []
    return ['  { name = "tls"; kind = "http"; port = %d; route_table = "proxy"; '
            'tls = { mtls = "SIMPLE"; credential = "default"; }; }' % TLS_PORT,
            '  { name = "mtls"; kind = "http"; port = %d; route_table = "proxy"; '
            'tls = { mtls = "STRICT"; credential = "default"; bundle = "default"; }; }' % MTLS_PORT]


def meshdp_tls_group(d, scen):
    if not TLS_SCEN & set(scen):
        return ""
    return """# TLS 1.3 only, one suite, one group: as HAProxy and nginx are configured
tls = {{
  credentials = ( {{ name = "default"; cert = "{c}"; key = "{k}"; }} );
  bundles = ( {{ name = "default"; file = "{ca}"; }} );
  trust_domain = "cluster.local";
  min_version = "1.3";
  max_version = "1.3";
  ciphersuites = "{suite}";
  groups = "{group}";
  record_layer = "ipsec-mb";
}};
""".format(c=certs(d, TLS_CERT), k=certs(d, TLS_KEY), ca=certs(d, TLS_CA), suite=TLS_SUITE,
           group=TLS_GROUP)


def meshdp_ossl_conf(d, ident, sock):
    """meshdp-ossl: the same meshdp configuration with tls.record_layer =
    "openssl" (a global setting, hence a second process): its own veths
    (letter q), EAL file prefix and control socket."""
    conf = open(os.path.join(d, "meshdp.conf")).read()
    for a, b in (('record_layer = "ipsec-mb"', 'record_layer = "openssl"'),
                 ("mp%sma" % ident, "mp%sqa" % ident), ("mp%smb" % ident, "mp%sqb" % ident),
                 ('socket = "%s"' % sock, 'socket = "%s"' % os.path.join(d, "ctl-ossl.sock"))):
        if a not in conf:
            raise SystemExit("harness.py: meshdp.conf has no %r" % a)
        conf = conf.replace(a, b)
    conf = conf.replace("--file-prefix=mdpp-%s\"" % ident, "--file-prefix=mdpp-%sq\"" % ident)
    open(os.path.join(d, "meshdp-ossl.conf"), "w").write(
        conf.replace("# generated by perf/harness.py for perf/run",
                     "# generated by perf/harness.py for perf/run: meshdp with OpenSSL's record layer", 1))


def haproxy_tls(d, scen):
    if not TLS_SCEN & set(scen):
        return ""
    # HAProxy wants the certificate and its key in one file
    pem = certs(d, "payment-haproxy.pem")
    with open(pem, "w") as f:
        f.write(open(certs(d, TLS_CERT)).read() + open(certs(d, TLS_KEY)).read())
    opts = ("ssl crt %s ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.3 ciphersuites %s curves %s"
            % (pem, TLS_SUITE, TLS_GROUP))
    return """frontend tls
    bind {f}:{p} {o}
    default_backend be
frontend mtls
    bind {f}:{pm} {o} ca-file {ca} verify required
    default_backend be
""".format(f=FRONT, p=TLS_PORT, pm=MTLS_PORT, o=opts, ca=certs(d, TLS_CA))


def nginx_tls(d, scen):
    if not TLS_SCEN & set(scen):
        return ""
    common = """        ssl_certificate {c};
        ssl_certificate_key {k};
        ssl_protocols TLSv1.3;
        ssl_conf_command Ciphersuites {suite};
        ssl_ecdh_curve {group};
        location / {{ proxy_pass http://be; }}
""".format(c=certs(d, TLS_CERT), k=certs(d, TLS_KEY), suite=TLS_SUITE, group=TLS_GROUP)
    return ("    server {\n        listen %s:%d ssl;\n%s    }\n" % (FRONT, TLS_PORT, common) +
            "    server {\n        listen %s:%d ssl;\n        ssl_client_certificate %s;\n"
            "        ssl_verify_client on;\n%s    }\n" % (FRONT, MTLS_PORT, certs(d, TLS_CA), common))


def mesh_confs(d, ident, sock, idle, knobs=None):
    """perf/run mtls_sidecar: a pair of proxies on CPU 1, sidecar A (the
    caller's, the order service's certificate) and sidecar B (the payment
    service's), mutual TLS between them, plaintext on either side:

      client 198.18.0.1 -- A 198.18.0.2 | 198.18.2.1 -- 198.18.2.2 B | 198.18.1.2 -- 198.18.1.1 backend

    meshdp: A's cluster ISTIO_MUTUAL to B:443 (SNI, B's SPIFFE ID checked),
    B's listener STRICT; both pool upstream connections as in "proxy".
    HAProxy: A's server line `ssl crt order ca-file ca verify required`
    (the chain is verified, not the SPIFFE ID: HAProxy has no URI SAN check,
    and with an SNI it would check the name against the certificate's DNS
    names, which it has none of), B's bind `verify required`."""
    k = meshdp_knobs(dict(knobs or {}, IDLE=idle))
    huge = ('"--in-memory"' if k["HUGE"] else '"--no-huge", "--no-shconf", "--file-prefix=mdpp-%s{s}"' % ident)
    dev = "net_af_xdp_mp{i}w{s},iface=mp{i}w{s},start_queue=0,queue_count=1"
    head = """# generated by perf/harness.py for perf/run mtls_sidecar: sidecar {side}
log_level = "info";
eal = {{ args = [ {huge}, "-m", "512", "--no-pci", "--no-telemetry" ]; }};
cores = {{ main = 0; workers = [ 1 ]; }};
mempool = {{ mbufs = 32767; cache = {cache}; }};
idle = {{ mode = "{idle}"; }};
burst = {burst};
control = {{ socket = "{sock}"; }};
tcp = {{ time_wait_ms = 500; }};
http = {{ request_id = false; idle_timeout_ms = 60000; }};
ports = (
  {{ name = "p0"; device = "{d0}"; address = "{a0}"; rx_desc = {rxd}; tx_desc = {txd}; }},
  {{ name = "p1"; device = "{d1}"; address = "{a1}"; rx_desc = {rxd}; tx_desc = {txd}; }}
);
tls = {{
  credentials = ( {{ name = "default"; cert = "{c}"; key = "{key}"; }} );
  bundles = ( {{ name = "default"; file = "{ca}"; }} );
  trust_domain = "cluster.local";
  min_version = "1.3";
  max_version = "1.3";
  ciphersuites = "{suite}";
  groups = "{group}";
}};
"""
    for side, cert, a0, a1, rest in (
            ("a", "order", "198.18.0.2/24", "198.18.2.1/24", """listeners = (
  { name = "outbound"; kind = "http"; port = 80; route_table = "out"; }
);
clusters = (
  { name = "payment"; max_idle = 256; endpoints = ( { address = "198.18.2.2:443"; } );
    tls = { mode = "ISTIO_MUTUAL"; sni = "payment.default.svc";
            subject_alt_names = [ "spiffe://cluster.local/ns/default/sa/payment" ]; }; }
);
route_tables = (
  { name = "out"; virtual_hosts = ( { name = "all"; domains = [ "*" ]; routes = ( { route = { cluster = "payment"; }; } ); } ); }
);
"""), ("b", "payment", "198.18.2.2/24", "198.18.1.2/24", """listeners = (
  { name = "inbound"; kind = "http"; port = 443; route_table = "in"; tls = { mtls = "STRICT"; }; }
);
clusters = (
  { name = "app"; max_idle = 256; endpoints = ( { address = "%s:8080"; } ); }
);
route_tables = (
  { name = "in"; virtual_hosts = ( { name = "all"; domains = [ "*" ]; routes = ( { route = { cluster = "app"; }; } ); } ); }
);
""" % BACKEND)):
        conf = head.format(side=side.upper(), huge=huge.format(s="w" + side), cache=k["MBUF_CACHE"],
                           idle=k["IDLE"], burst=k["BURST"],
                           sock=os.path.join(d, "ctl-mesh-%s.sock" % side),
                           d0=dev.format(i=ident, s=side + "0"), d1=dev.format(i=ident, s=side + "1"),
                           a0=a0, a1=a1, rxd=k["RX_DESC"], txd=k["TX_DESC"],
                           c=certs(d, cert + ".pem"), key=certs(d, cert + ".key"), ca=certs(d, TLS_CA),
                           suite=TLS_SUITE, group=TLS_GROUP)
        open(os.path.join(d, "meshdp-mesh-%s.conf" % side), "w").write(conf + rest)
    pem = {}
    for cert in ("order", "payment"):
        pem[cert] = certs(d, "%s-haproxy.pem" % cert)
        with open(pem[cert], "w") as f:
            f.write(open(certs(d, cert + ".pem")).read() + open(certs(d, cert + ".key")).read())
    defaults = """# generated by perf/harness.py for perf/run mtls_sidecar: sidecar {side}
global
    nbthread 1
    maxconn 8192
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 60s
    option http-keep-alive
    http-reuse always
"""
    tls = "ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.3 ciphersuites %s" % TLS_SUITE
    open(os.path.join(d, "haproxy-mesh-a.cfg"), "w").write(defaults.format(side="A") + """frontend outbound
    bind {f}:80
    default_backend payment
backend payment
    server b 198.18.2.2:443 ssl crt {crt} ca-file {ca} verify required {tls}
""".format(f=FRONT, crt=pem["order"], ca=certs(d, TLS_CA), tls=tls))
    open(os.path.join(d, "haproxy-mesh-b.cfg"), "w").write(defaults.format(side="B") + """frontend inbound
    bind 198.18.2.2:443 ssl crt {crt} ca-file {ca} verify required {tls} curves {g}
    default_backend app
backend app
    server app {b}:8080
""".format(crt=pem["payment"], ca=certs(d, TLS_CA), tls=tls, g=TLS_GROUP, b=BACKEND))


def cmd_configs(d, ident, sock, idle, scen, knobs="{}"):
    scen = set(scen.split(","))
    meshdp_conf(d, ident, sock, idle, scen, json.loads(knobs))
    haproxy_conf(d, scen)
    nginx_proxy_conf(d, scen)
    nginx_backend_conf(d)
    h2o_conf(d)
    if TLS_SCEN & scen:
        meshdp_ossl_conf(d, ident, sock)
    if "mtls_sidecar" in scen:
        mesh_confs(d, ident, sock, idle, json.loads(knobs))


# ---------------------------------------------------------------- parsers

def finish(d):
    """CPU accounting from the snapshots perf/run takes around a run:
    "utime stime <cpu1 line of /proc/stat> load1" before and after."""
    try:
        a, b = d.pop("snap0").split(), d.pop("snap1").split()
        hz = float(d.pop("clk_tck"))
    except (KeyError, ValueError):
        return d
    # utime stime <cpu1: 10 fields> load1 <cpu0: 10 fields>
    n1 = 10 if len(a) >= 2 + 10 + 1 + 10 else len(a) - 3
    c0a, c0b = a[2 + n1 + 1:], b[2 + n1 + 1:]
    a, b = a[:2 + n1 + 1], b[:2 + n1 + 1]
    d["load1_before"] = float(a[-1])
    if c0a and c0b:
        dz = [int(y) - int(x) for x, y in zip(c0a, c0b)]
        t0 = sum(dz[:8]) or 1
        d["cpu0_busy_pct"] = 100.0 * (t0 - dz[3] - dz[4]) / t0
        d["cpu0_steal_pct"] = 100.0 * dz[7] / t0
    if a[0] != "-" and b[0] != "-":
        d["cpu_user_s"] = (int(b[0]) - int(a[0])) / hz
        d["cpu_sys_s"] = (int(b[1]) - int(a[1])) / hz
        d["cpu_s"] = d["cpu_user_s"] + d["cpu_sys_s"]
    else:
        d["cpu_user_s"] = d["cpu_sys_s"] = d["cpu_s"] = None
    # CPU 1: user nice system idle iowait irq softirq steal ...
    ca = [int(x) for x in a[2:-1]]
    cb = [int(x) for x in b[2:-1]]
    delta = [y - x for x, y in zip(ca, cb)]
    tot = sum(delta[:8]) or 1
    d["cpu1_busy_pct"] = 100.0 * (tot - delta[3] - delta[4]) / tot
    d["cpu1_softirq_pct"] = 100.0 * delta[6] / tot
    d["cpu1_steal_pct"] = 100.0 * delta[7] / tot if len(delta) > 7 else None
    n = d.get("requests")
    if d["cpu_s"] is not None and n:
        d["cpu_us_per_req"] = d["cpu_s"] / n * 1e6
    rt = d.pop("runtime_file", None)
    if rt:
        try:
            w = json.load(open(rt))["result"]["workers"][0]
            st = w.get("stages", {})
            d["rt_busy_pct"] = w.get("busy_pct")
            d["rt_sleep_pct"] = w.get("sleep_pct")
            d["rt_cycles_per_packet"] = w.get("cycles_per_packet")
            d["rt_packets_per_burst"] = w.get("packets_per_burst")
            for k in ("rx", "input", "tx", "timers"):
                if k in st:
                    d["rt_%s_pct" % k] = st[k].get("pct")
            h = w.get("http") or {}
            d["rt_cycles_per_request"] = h.get("cycles_per_request")
            d["rt_tsc_hz"] = json.load(open(rt))["result"].get("tsc_hz")
        except Exception as e:
            d["rt_error"] = repr(e)[:200]
    return d


def ms(v, u):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[u]


def size_bytes(v, u):
    return float(v) * {"B": 1, "KB": 1024, "MB": 1 << 20, "GB": 1 << 30}[u]


def cmd_wrk(f, meta):
    txt = open(f, errors="replace").read()
    d = dict(meta)
    d.update(kind="wrk", rps=None, error=None)
    m = re.search(r"Requests/sec:\s+([\d.]+)", txt)
    if m:
        d["rps"] = float(m.group(1))
    m = re.search(r"Transfer/sec:\s+([\d.]+)(B|KB|MB|GB)", txt)
    if m:
        d["bytes_per_s"] = size_bytes(m.group(1), m.group(2))
    for q in ("50", "75", "90", "99"):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % q, txt, re.M)
        if m:
            d["p%s_ms" % q] = ms(m.group(1), m.group(2))
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s)", txt)
    if m:
        d["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", txt)
    d["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", txt)
    d["socket_errors"] = m.group(1).strip() if m else None
    if d["rps"] is None:
        d["error"] = txt[-400:]
    print(json.dumps(finish(d)))


QUANTILES = [0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999]


def quantile(sorted_v, q):
    if not sorted_v:
        return None
    i = min(len(sorted_v) - 1, max(0, int(round(q * len(sorted_v) + 0.5)) - 1))
    return sorted_v[i]


def cmd_h2load(log, out, meta):
    d = dict(meta)
    d.update(kind="fixed_rate", error=None)
    lat, bad, starts = [], 0, []
    straddle = 0
    try:
        for line in open(log):
            p = line.split("\t")
            if len(p) < 3:
                continue
            st = int(p[1])
            # 0: the status line came during h2load's warm-up (not recorded),
            # the end of the response after it (seen with 1 MiB responses);
            # h2load's summary counts these as succeeded
            if st == 0:
                straddle += 1
            elif not 200 <= st < 300:
                bad += 1
            starts.append(int(p[0]))
            lat.append(int(p[2]) / 1000.0)  # ms
    except OSError as e:
        d["error"] = "no log: %s" % e
    txt = open(out, errors="replace").read() if os.path.exists(out) else ""
    lat.sort()
    d["requests"] = len(lat)
    d["non2xx"] = bad
    d["warmup_straddlers"] = straddle
    if len(starts) > 1:
        span = (max(starts) - min(starts)) / 1e6
        d["achieved_rps"] = (len(starts) - 1) / span if span > 0 else None
    for q in QUANTILES:
        d["q%s_ms" % ("%g" % (q * 100)).replace(".", "_")] = quantile(lat, q)
    d["p50_ms"] = quantile(lat, 0.5)
    d["p99_ms"] = quantile(lat, 0.99)
    d["p999_ms"] = quantile(lat, 0.999)
    d["max_ms"] = lat[-1] if lat else None
    d["mean_ms"] = statistics.fmean(lat) if lat else None
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                  r"(\d+) failed, (\d+) errored, (\d+) timeout", txt)
    if m:
        d["h2load"] = dict(zip(("total", "started", "done", "succeeded", "failed",
                                "errored", "timeout"), map(int, m.groups())))
    if not lat and d["error"] is None:
        d["error"] = txt[-400:] or "no requests logged"
    print(json.dumps(finish(d)))


def cmd_iperf(f, meta):
    d = dict(meta)
    d.update(kind="iperf3")
    try:
        j = json.load(open(f))
        e = j["end"]
        d["gbit_s"] = e["sum_received"]["bits_per_second"] / 1e9
        d["retransmits"] = e.get("sum_sent", {}).get("retransmits")
        d["error"] = j.get("error")
    except Exception as ex:
        d["gbit_s"] = None
        d["error"] = "unparsable iperf3 output: %s: %s" % (ex, open(f, errors="replace").read()[-300:])
    print(json.dumps(finish(d)))


def cmd_rr(out, meta):
    d = dict(meta)
    d.update(kind="rr64")
    try:
        d.update(json.loads(out.strip().splitlines()[-1]))
        d["error"] = None
    except Exception:
        d.update(rps=None, error=out[-300:])
    print(json.dumps(finish(d)))


# ---------------------------------------------------------------- check

def cmd_check(url, host=None, n="1"):
    """n GETs on one keep-alive connection (http.client). Prints a JSON
    object: statuses, and how many bodies started with v1 / v2 / other; with
    a Host, also 20 requests with x-user-group: beta (all must be v2)."""
    import http.client
    from urllib.parse import urlsplit
    u = urlsplit(url)
    n = int(n)
    res = {"url": url, "host": host, "n": n, "status": {}, "v1": 0, "v2": 0, "other": 0,
           "bytes": 0}
    c = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=5)

    def get(hdrs):
        c.request("GET", u.path or "/", headers=hdrs)
        r = c.getresponse()
        b = r.read()
        res["status"][str(r.status)] = res["status"].get(str(r.status), 0) + 1
        res["bytes"] = len(b)
        return b

    h = {"Host": host} if host else {}
    try:
        for _ in range(n):
            b = get(h)
            k = "v1" if b.startswith(b"v1") else "v2" if b.startswith(b"v2") else "other"
            res[k] += 1
        if host:
            hb = dict(h)
            hb["x-user-group"] = "beta"
            res["beta_v2"] = sum(1 for _ in range(20) if get(hb).startswith(b"v2"))
        res["ok"] = list(res["status"]) == ["200"]
    except Exception as e:
        res["ok"] = False
        res["error"] = repr(e)
    print(json.dumps(res))


# ---------------------------------------------------------------- micro

def cmd_micro(d):
    res = {}

    def read(name):
        p = os.path.join(d, name + ".txt")
        return open(p, errors="replace").read() if os.path.exists(p) else None

    t = read("bench_http")
    if t:
        r = {}
        for key, pat in (("request_ns", r"request head .*?: ([\d.]+) ns"),
                         ("response_ns", r"response head .*?: ([\d.]+) ns"),
                         ("path_normalize_ns", r"path normalization .*?: ([\d.]+) ns"),
                         ("chunked_body_ns", r"chunked body .*?: ([\d.]+) ns")):
            m = re.search(pat, t)
            r[key] = float(m.group(1)) if m else None
        res["http"] = r
    t = read("bench_route")
    if t:
        rows = []
        for m in re.finditer(r"^\s*(\d+)(\*?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$",
                             t, re.M):
            rows.append({"routes": int(m.group(1)), "few_regex": m.group(2) == "*",
                         "compile_ms": float(m.group(3)), "hit_start_ns": float(m.group(4)),
                         "hit_beta_ns": float(m.group(5)), "hit_end_ns": float(m.group(6)),
                         "miss_ns": float(m.group(7)), "pick_ns": float(m.group(8))})
        res["route"] = rows
    t = read("bench_lb")
    if t:
        rows = []
        for m in re.finditer(r"^(\S+)\s+(.+?)\s+(\d+) eps (.{18}) +([\d.]+) ns/pick", t, re.M):
            rows.append({"policy": m.group(1), "weights": m.group(2).strip(),
                         "endpoints": int(m.group(3)), "variant": m.group(4).strip(),
                         "ns": float(m.group(5))})
        res["lb"] = rows
    t = read("bench_timer")
    if t:
        r = {}
        for key, pat in (("start_ns", r"^start.*?([\d.]+) ns"),
                         ("rearm_ns", r"^re-arm.*?([\d.]+) ns"),
                         ("stop_ns", r"^stop.*?([\d.]+) ns"),
                         ("advance_tick_ns", r"^advance one tick, \d+ pending:\s+([\d.]+) ns"),
                         ("advance_per_fired_ns", r"\(([\d.]+) ns per timer fired\)"),
                         ("advance_empty_tick_ns", r"^advance one tick, empty wheel:\s+([\d.]+) ns")):
            m = re.search(pat, t, re.M)
            r[key] = float(m.group(1)) if m else None
        m = re.search(r"timers pending: (\d+)", t)
        r["timers"] = int(m.group(1)) if m else None
        res["timer"] = r
    t = read("bench_tcp")
    if t:
        r = {}
        for key, pat in (("full_sw_csum", r"^1448 B, checksums in software:\s+(\d+) cycles/segment\s+([\d.]+) ns"),
                         ("full_hw_csum", r"^1448 B, checksums by the device:\s+(\d+) cycles/segment\s+([\d.]+) ns"),
                         ("small_sw_csum", r"^64 B, checksums in software:\s+(\d+) cycles/segment\s+([\d.]+) ns")):
            m = re.search(pat, t, re.M)
            r[key] = {"cycles": int(m.group(1)), "ns": float(m.group(2))} if m else None
        m = re.search(r"TSC (\d+) MHz", t)
        r["tsc_mhz"] = int(m.group(1)) if m else None
        res["tcp"] = r
    res["raw"] = {n: read(n) for n in ("bench_http", "bench_route", "bench_lb", "bench_timer", "bench_tcp")
                  if read(n) is not None}
    print(json.dumps(res))


# ---------------------------------------------------------------- TLS checks, s_time

def cmd_tlscheck(url, cadir, cert=None, key=None):
    """One GET over TLS (HTTP/1.1, http.client), the server verified against
    CADIR/ca.pem (no host name check: the certificate has a SPIFFE ID, no DNS
    name), with a client certificate if given. Prints JSON: status, bytes, the
    TLS version and suite; with a client certificate, also whether the same
    request without one was refused ("refused_without_cert")."""
    import http.client
    import ssl
    from urllib.parse import urlsplit
    u = urlsplit(url)
    res = {"url": url, "n": 1, "status": {}, "bytes": 0, "client_cert": bool(cert)}

    def ctx(with_cert):
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        c.check_hostname = False
        c.load_verify_locations(os.path.join(cadir, TLS_CA))
        if with_cert:
            c.load_cert_chain(cert, key)
        return c

    def get(c):
        h = http.client.HTTPSConnection(u.hostname, u.port or 443, timeout=5, context=c)
        try:
            h.connect()
            v, ci = h.sock.version(), h.sock.cipher()[0]
            h.request("GET", u.path or "/")
            r = h.getresponse()
            return r.status, len(r.read()), v, ci
        finally:
            h.close()

    try:
        st, n, res["version"], res["cipher"] = get(ctx(bool(cert)))
        res["status"][str(st)] = 1
        res["bytes"] = n
        res["ok"] = st == 200 and res["version"] == "TLSv1.3" and res["cipher"] == TLS_SUITE
    except Exception as e:
        res["ok"] = False
        res["error"] = repr(e)[:300]
    if cert:
        # refused: the handshake fails (meshdp, HAProxy: TLS 1.3
        # certificate_required alert) or, nginx's way, the request gets 400
        try:
            st, _, _, _ = get(ctx(False))
            res["without_cert_status"] = st
            res["refused_without_cert"] = st != 200
            res["ok"] = res["ok"] and st != 200
        except Exception as e:
            res["refused_without_cert"] = True
            res["without_cert_error"] = repr(e)[:200]
    print(json.dumps(res))


def cmd_stime(prefix, n, meta):
    """N parallel `openssl s_time -new` outputs (PREFIX.0 ...) -> one JSON
    line: the connections (each a full handshake and one request), their
    rate over the wall time perf/run measured around them (meta wall_ms), the
    clients' own user CPU."""
    d = dict(meta)
    d.update(kind="handshake_" + d.get("mode", "mtls"), error=None)
    conns, user, per_conn, errs = 0, 0.0, [], []
    for i in range(int(n)):
        try:
            t = open("%s.%d" % (prefix, i), errors="replace").read()
        except OSError as e:
            errs.append("client %d: %s" % (i, e))
            continue
        m = re.search(r"(\d+) connections in ([\d.]+)s; ([\d.]+) connections/user sec", t)
        m2 = re.search(r"(\d+) connections in \d+ real seconds, (\d+) bytes read per connection", t)
        if not m or not m2:
            errs.append("client %d: %s" % (i, " ".join(t.split())[-300:]))
            continue
        conns += int(m2.group(1))
        user += float(m.group(2))
        per_conn.append(int(m2.group(2)))
        if re.search(r"ERROR|error|unable", t):
            errs.append("client %d: %s" % (i, " ".join(l for l in t.splitlines()
                                                       if re.search(r"ERROR|error|unable", l))[:300]))
    d["requests"] = conns
    d["clients_user_s"] = user
    d["bytes_per_conn"] = min(per_conn) if per_conn else None
    w = d.get("wall_ms", 0) / 1000.0
    d["hs_per_s"] = conns / w if w and conns else None
    if errs:
        d["error"] = "; ".join(errs)[:600]
    elif d["bytes_per_conn"] is not None and d["bytes_per_conn"] < 64:
        d["error"] = "a client read %d bytes per connection: no whole response" % d["bytes_per_conn"]
    print(json.dumps(finish(d)))


# ---------------------------------------------------------------- summary

def summ(vals):
    v = [x for x in vals if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}


# the metrics summarised per (scenario, proxy), by kind of run
CPU = ["cpu_s", "cpu_user_s", "cpu_sys_s", "cpu1_busy_pct", "cpu1_softirq_pct", "cpu1_steal_pct",
       "cpu0_busy_pct", "cpu0_steal_pct", "load1_before"]
# meshdp's `meshctl runtime` around its closed-loop and iperf3 runs
RT = ["rt_busy_pct", "rt_sleep_pct", "rt_cycles_per_packet", "rt_packets_per_burst", "rt_rx_pct",
      "rt_input_pct", "rt_tx_pct", "rt_cycles_per_request"]
METRICS = {
    "wrk": ["rps", "bytes_per_s", "p50_ms", "p99_ms", "cpu_us_per_req"] + CPU + RT,
    "fixed_rate": ["achieved_rps", "p50_ms", "p99_ms", "p999_ms", "max_ms", "requests",
                   "cpu_us_per_req"] + CPU,
    "iperf3_up": ["gbit_s", "retransmits"] + CPU + RT,
    "iperf3_down": ["gbit_s", "retransmits"] + CPU + RT,
    "rr64": ["rps", "p50_us", "p99_us"] + CPU,
    # perf/run handshake: openssl s_time -new, mutual TLS and without a client certificate
    "handshake_mtls": ["hs_per_s", "cpu_us_per_req", "clients_user_s", "bytes_per_conn"] + CPU + RT,
    "handshake_simple": ["hs_per_s", "cpu_us_per_req", "clients_user_s", "bytes_per_conn"] + CPU + RT,
}


def cmd_summarize(raw, meta, out):
    rows = [json.loads(l) for l in open(raw) if l.strip()]
    doc = json.load(open(meta))
    summary = {}
    for r in rows:
        kind = r.get("kind")
        if kind == "iperf3":
            kind = "iperf3_" + r.get("dir", "up")
        if kind not in METRICS:
            continue
        s = summary.setdefault(r["scenario"], {}).setdefault(r["proxy"], {})
        s.setdefault(kind, [])
        s[kind].append(r)
    for sc, px in summary.items():
        for p, kinds in px.items():
            for kind, rs in list(kinds.items()):
                m = {k: summ([r.get(k) for r in rs]) for k in METRICS[kind]}
                m["errors"] = [r["error"] for r in rs if r.get("error")]
                m["non2xx"] = sum(r.get("non2xx") or 0 for r in rs)
                m["socket_errors"] = [r["socket_errors"] for r in rs if r.get("socket_errors")]
                if kind == "fixed_rate":
                    # the round with the median p99, for the percentile plot
                    ok = sorted((r for r in rs if r.get("p99_ms") is not None),
                                key=lambda r: r["p99_ms"])
                    if ok:
                        mid = ok[len(ok) // 2]
                        m["median_round_quantiles_ms"] = {
                            ("%g" % (q * 100)): mid.get("q%s_ms" % ("%g" % (q * 100)).replace(".", "_"))
                            for q in QUANTILES}
                        m["median_round_quantiles_ms"]["100"] = mid.get("max_ms")
                kinds[kind] = m
    doc["summary"] = summary
    doc["runs"] = rows
    json.dump(doc, open(out, "w"), indent=1)


def main():
    a = sys.argv[1:]
    if not a:
        print(__doc__)
        return 2
    c, a = a[0], a[1:]
    if c == "configs":
        cmd_configs(*a)
    elif c == "wrk":
        cmd_wrk(a[0], json.loads(a[1]))
    elif c == "h2load":
        cmd_h2load(a[0], a[1], json.loads(a[2]))
    elif c == "iperf":
        cmd_iperf(a[0], json.loads(a[1]))
    elif c == "rr":
        cmd_rr(a[0], json.loads(a[1]))
    elif c == "check":
        cmd_check(*a)
    elif c == "tlscheck":
        cmd_tlscheck(*a)
    elif c == "stime":
        cmd_stime(a[0], a[1], json.loads(a[2]))
    elif c == "micro":
        cmd_micro(a[0])
    elif c == "summarize":
        cmd_summarize(*a)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
