#!/usr/bin/env python3
"""Tables and plots from a perf/run result (perf/results/run-*.json).

  perf/report.py RESULT.json                 markdown on stdout
  perf/report.py RESULT.json --md perf/RESULTS.md --plots perf/results/plots
                                             also rewrite the generated part of
                                             RESULTS.md (between the markers)
                                             and write the PNG plots

Cells are "median (min–max)" over the rounds.
"""
import argparse
import json
import math
import os
import sys

BEGIN = "<!-- perf/run: generated section, begin (perf/report.py rewrites it) -->"
END = "<!-- perf/run: generated section, end -->"

PROXIES = ["meshdp", "meshdp-ossl", "haproxy", "haproxy-map", "nginx", "h2o", "none",
           "meshdp-mesh", "haproxy-mesh"]
LABEL = {"meshdp": "meshdp", "meshdp-ossl": "meshdp, OpenSSL record layer",
         "meshdp-mesh": "meshdp → mTLS → meshdp", "haproxy-mesh": "HAProxy → mTLS → HAProxy", "haproxy": "HAProxy 2.6", "haproxy-map": "HAProxy 2.6, map_beg",
         "nginx": "nginx 1.22", "h2o": "h2o 2.2", "none": "no proxy"}
COLOR = {"meshdp": "#d62728", "meshdp-ossl": "#ff9896", "meshdp-mesh": "#8c564b",
         "haproxy-mesh": "#aec7e8", "haproxy": "#1f77b4", "haproxy-map": "#17becf", "nginx": "#2ca02c",
         "h2o": "#9467bd", "none": "#7f7f7f"}
SCEN = ["direct", "proxy", "large", "close", "canary100", "canary10k", "l4"]
# perf/run's opt-in TLS scenarios (perf/README.md, "TLS")
TLS_SCEN = ["tls", "tls_large", "handshake", "mtls_sidecar"]
SCEN += TLS_SCEN
LARGE = ("large", "tls_large")
TITLE = {
    "direct": "direct response (the proxy answers 64 B itself)",
    "proxy": "HTTP keep-alive proxying, 64 B responses",
    "large": "HTTP keep-alive proxying, 1 MiB responses",
    "close": "a new client connection per request (Connection: close), 64 B",
    "canary100": "order-service canary 90/10, 100 routes in the table",
    "canary10k": "order-service canary 90/10, 10,000 routes in the table",
    "l4": "L4 tcp_proxy: iperf3 (one stream) and a 64-byte ping-pong",
    "tls": "TLS 1.3 termination, keep-alive, 64 B responses from the plaintext backend "
           "(no client certificate: wrk cannot present one)",
    "tls_large": "TLS 1.3 termination, keep-alive, 1 MiB responses",
    "handshake": "a full TLS 1.3 handshake per request (openssl s_time -new), "
                 "ECDSA P-256, with and without a client certificate",
    "mtls_sidecar": "sidecar to sidecar: plaintext into sidecar A, mutual TLS to sidecar B, "
                    "plaintext to the backend; keep-alive, 64 B; both sidecars on CPU 1",
}
# the no-proxy path of these is the "proxy" scenario's no-proxy run
ALIAS_NONE = ("direct", "canary100", "canary10k")
SKIP_NOTE = {
    ("canary100", "h2o"): "h2o 2.2 has no weighted upstreams (proxy.reverse.url takes one URL) "
                          "and no header match without mruby: not run",
    ("canary10k", "h2o"): "as for canary100: not run",
    ("l4", "h2o"): "h2o has no TCP proxy: not run",
}


def cell(s, fmt="%.0f", scale=1.0):
    if not s:
        return "—"
    a, b, c = s["median"] * scale, s["min"] * scale, s["max"] * scale
    if s.get("n", 1) == 1:
        return fmt % a
    return "%s (%s–%s)" % (fmt % a, fmt % b, fmt % c)


def get(summary, sc, p, kind):
    s = summary.get(sc, {}).get(p, {}).get(kind)
    alias = False
    if s is None and p == "none" and sc in ALIAS_NONE:
        s = summary.get("proxy", {}).get("none", {}).get(kind)
        alias = s is not None
    return s, alias


def md(doc):
    o = []
    w = o.append
    m, v, st = doc["machine"], doc["versions"], doc["settings"]
    summ = doc.get("summary", {})
    w("## perf/run — %s UTC\n" % fmt_date(doc["date_utc"]))
    w("Command (as root, from the repository root): `%s`; it took %d s.\n"
      % (doc["command"], doc.get("duration_s", 0)))
    w("- Machine: %s, %d vCPUs, %s GiB, %s, kernel %s; load average %s at the start, "
      "%s at the end (1, 5, 15 min; the benchmark itself keeps about 2 of it busy)."
      % (m["cpu"], m["cpus"], m["mem_gib"], m["os"], m["kernel"],
         " / ".join("%.2f" % x for x in m["load_start"]),
         " / ".join("%.2f" % x for x in m["load_end"])))
    loads = [r["load1_before"] for r in doc.get("runs", []) if r.get("load1_before") is not None]
    if loads:
        w("  1-minute load before each measurement: %.2f–%.2f (median %.2f)."
          % (min(loads), max(loads), sorted(loads)[len(loads) // 2]))
    steal = [r["cpu1_steal_pct"] for r in doc.get("runs", []) if r.get("cpu1_steal_pct") is not None]
    sp = m.get("steal_probe_pct")
    if steal or sp:
        w("  **Host contention** (a VM: the hypervisor's *steal* time, CPU time this guest wanted "
          "and did not get): %s%s. Steal slows every path, and not evenly: read the min–max."
          % ("%.0f %% / %.0f %% with both vCPUs spinning before / after the run" % tuple(sp)
             if sp else "",
             ("; on CPU 1 during the measurements %.0f–%.0f %% (median %.0f %%)"
              % (min(steal), max(steal), sorted(steal)[len(steal) // 2])) if steal else ""))
    w("- Versions: %s; %s; %s; %s; %s; %s; %s." % (v["meshdp"], v["haproxy"], v["nginx"], v["h2o"],
                                                 v["wrk"].split(" Copyright")[0], v["h2load"],
                                                 v["iperf3"]))
    w("- Settings: %s rounds, proxies alternated (order rotated each round); closed loop "
      "`wrk -t1 -c%s -d%ss --latency` (large: -c%s); fixed rate `h2load --h1 -c16 --rps` "
      "for %s s after 0.5 s of warm-up at %s req/s (large: -c5, %s req/s for %s s), latency "
      "from its per-request log; iperf3 -t %s; ping-pong %s s. meshdp idle.mode = %s%s."
      % (st["ROUNDS"], st["CONNS"], st["SECS"], st.get("LARGE_CONNS", st["CONNS"]),
         st["LAT_SECS"], st["RATE"], st["LARGE_RATE"], st.get("LARGE_LAT_SECS", st["LAT_SECS"]),
         st["L4_SECS"], st["RR_SECS"], st["IDLE"],
         # the other meshdp knobs only where they are not meshdp's defaults
         "".join("; " + c for c in st.get("meshdp_changed", []) if not c.startswith("idle.mode"))))
    s = doc["setup"]
    w("- Setup: %s. Pinning: %s." % (s["topology"], s["pinning"]))
    for p in PROXIES:
        if p in s:
            w("  - %s: %s" % (LABEL[p], s[p]))
    if "tls" in s and set(TLS_SCEN) & set(doc["scenarios"]):
        w("  - TLS: %s; %s." % (s["tls"], v.get("openssl", "")))
    if "handshake" in doc["scenarios"]:
        w("  - handshake: %s `openssl s_time -new -www /` processes in parallel on CPU 0 for "
          "%s s per client-certificate mode" % (st.get("HS_CLIENTS"), st.get("HS_SECS")))
    w("- Raw data: `%s`. Cells: median (min–max) over the rounds. "
      "CPU: utime + stime of the proxy process during the closed-loop run, per request, and "
      "as a share of one core (`proxy cpu %%`, user + system); `CPU 0 / CPU 1 busy %%`: each "
      "whole core during the closed-loop run (CPU 0: client and backend; CPU 1: the proxy, and "
      "the kernel work that lands there); 100 on CPU 0 means the client and backend, not the "
      "proxy, set the pace. The JSON also has CPU 1's softirq and steal shares.\n"
      % doc.get("file", "perf/results/run-%s.json" % doc["date_utc"]))

    wrk_secs = float(st["SECS"])
    for sc in SCEN:
        if sc not in summ or sc not in doc["scenarios"]:
            continue
        w("### %s: %s\n" % (sc, TITLE[sc]))
        notes = []
        if sc == "handshake":
            handshake_table(w, notes, summ, st)
        elif sc == "l4":
            w("| path | iperf3 client→server Gbit/s | server→client Gbit/s | proxy cpu % (→), "
              "user + sys | 64 B ping-pong req/s | ping-pong p99 µs |")
            w("|---|---|---|---|---|---|")
            for p in PROXIES:
                if (sc, p) in SKIP_NOTE and p in st["PROXIES"].split():
                    notes.append("%s: %s." % (LABEL[p], SKIP_NOTE[(sc, p)]))
                d = summ.get(sc, {}).get(p)
                if not d:
                    continue
                up, dn, rr = d.get("iperf3_up", {}), d.get("iperf3_down", {}), d.get("rr64", {})
                w("| %s | %s | %s | %s | %s | %s |" % (
                    LABEL[p], cell(up.get("gbit_s"), "%.2f"), cell(dn.get("gbit_s"), "%.2f"),
                    cpu_split(up, float(st["L4_SECS"])), cell(rr.get("rps")),
                    cell(rr.get("p99_us"))))
                for k in (up, dn, rr):
                    for e in k.get("errors", [])[:1]:
                        notes.append("%s: error: `%s`" % (LABEL[p], e.strip()[:200]))
        else:
            big = sc in LARGE
            w("| path | req/s (closed loop) | %swrk p50 ms | wrk p99 ms | fixed-rate p50 ms "
              "| p99 ms | p99.9 ms | max ms | proxy CPU µs/req | proxy cpu %%, user + sys "
              "| CPU 0 / CPU 1 busy %% |" % ("Gbit/s | " if big else ""))
            w("|---|---|%s---|---|---|---|---|---|---|---|---|" % ("---|" if big else ""))
            for p in PROXIES:
                if (sc, p) in SKIP_NOTE and p in st["PROXIES"].split():
                    notes.append("%s: %s." % (LABEL[p], SKIP_NOTE[(sc, p)]))
                wk, alias = get(summ, sc, p, "wrk")
                fx, _ = get(summ, sc, p, "fixed_rate")
                if not wk and not fx:
                    continue
                wk, fx = wk or {}, fx or {}
                lab = LABEL[p] + (" ¹" if alias else "")
                if alias:
                    notes.append("¹ no proxy: the backend answering the client itself, the same "
                                 "runs as in the proxy scenario.")
                gb = ""
                if big:
                    gb = cell(wk.get("bytes_per_s"), "%.2f", 8 / 1e9) + " | "
                w("| %s | %s | %s%s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    lab, cell(wk.get("rps")), gb, cell(wk.get("p50_ms"), "%.2f"),
                    cell(wk.get("p99_ms"), "%.2f"), cell(fx.get("p50_ms"), "%.2f"),
                    cell(fx.get("p99_ms"), "%.2f"), cell(fx.get("p999_ms"), "%.2f"),
                    cell(fx.get("max_ms"), "%.1f"), cell(wk.get("cpu_us_per_req"), "%.1f"),
                    cpu_split(wk, wrk_secs), cpu1(wk)))
                for k, what in ((wk, "wrk"), (fx, "fixed rate")):
                    if k.get("non2xx"):
                        notes.append("%s (%s): %d non-2xx responses." % (LABEL[p], what, k["non2xx"]))
                    for e in k.get("socket_errors", [])[:1]:
                        notes.append("%s (%s): socket errors: %s." % (LABEL[p], what, e))
                    for e in k.get("errors", [])[:1]:
                        notes.append("%s (%s): error: `%s`" % (LABEL[p], what,
                                                                " ".join(e.split())[:200]))
                ach = fx.get("achieved_rps")
                if ach and ach.get("min") is not None:
                    want = float(st["LARGE_RATE"] if big else st["RATE"])
                    if ach["min"] < 0.95 * want:
                        notes.append("%s: the fixed rate was not reached (%.0f of %.0f req/s in "
                                     "the worst round): its latencies are those of an overloaded "
                                     "proxy." % (LABEL[p], ach["min"], want))
            if sc == "close":
                notes.append("No fixed-rate figures: h2load's --rps does not pace new connections "
                             "(perf/README.md).")
        for c in doc.get("checks", []):
            r = c.get("result") or {}
            if c["scenario"] == sc and r.get("n", 0) > 1:
                notes.append("Check before timing, %s: %d requests → v1 %d, v2 %d; with "
                             "x-user-group: beta, %d of 20 → v2." % (
                                 LABEL[c["proxy"]], r["n"], r["v1"], r["v2"], r.get("beta_v2", 0)))
            if c["scenario"] == sc and sc in TLS_SCEN and r.get("ok") and r.get("version"):
                notes.append("Check before timing, %s: %s, %s%s." % (
                    LABEL[c["proxy"]], r.get("version"), r.get("cipher"),
                    "; without a client certificate: %s" % (
                        "status %s" % r["without_cert_status"] if "without_cert_status" in r
                        else "handshake refused") if r.get("client_cert") else ""))
            if c["scenario"] == sc and not r.get("ok", False):
                notes.append("**%s failed its check and was not timed**: `%s`" % (
                    LABEL[c["proxy"]], json.dumps(r)[:200]))
        seen = set()
        if notes:
            w("")
        for n in notes:
            if n not in seen:
                w("- " + n)
                seen.add(n)
        w("")

    rows = []
    for sc in SCEN:
        if sc not in doc["scenarios"]:
            continue
        for kind, what in (("wrk", ""), ("iperf3_up", " iperf3 →"), ("iperf3_down", " iperf3 ←")):
            k = summ.get(sc, {}).get("meshdp", {}).get(kind) or {}
            if k.get("rt_busy_pct"):
                rows.append((sc + what, k))
    for sc in TLS_SCEN:
        if sc not in doc["scenarios"]:
            continue
        for p, kind, what in (("meshdp-ossl", "wrk", " (OpenSSL record layer)"),
                              ("meshdp", "handshake_mtls", " mTLS"),
                              ("meshdp", "handshake_simple", " no client cert")):
            k = summ.get(sc, {}).get(p, {}).get(kind) or {}
            if k.get("rt_busy_pct"):
                rows.append((sc + what, k))
    if rows:
        w("### meshdp's own accounting (`meshctl runtime`, reset before each run)\n")
        w("Its one worker during the closed-loop runs (docs/tuning.md): the share of wall time in "
          "busy loop iterations and in back-off sleep; TSC cycles per HTTP response and per "
          "received packet (busy cycles only, wall-clock TSC ticks, so time the kernel spends "
          "in meshdp's syscalls and in softirq on its core is included); packets per non-empty "
          "RX burst; the share of wall time in the loop's stages.\n")
        w("| scenario | busy % | sleep % | cycles/response | cycles/packet | packets/burst "
          "| rx % | input % | tx % |")
        w("|---|---|---|---|---|---|---|---|---|")
        for name, k in rows:
            w("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, cell(k.get("rt_busy_pct")), cell(k.get("rt_sleep_pct"), "%.1f"),
                cell(k.get("rt_cycles_per_request")), cell(k.get("rt_cycles_per_packet")),
                cell(k.get("rt_packets_per_burst"), "%.1f"), cell(k.get("rt_rx_pct")),
                cell(k.get("rt_input_pct")), cell(k.get("rt_tx_pct"))))
        w("")

    tls_counters(w, doc)
    r0, r1 = doc.get("rss_start_kb") or {}, doc.get("rss_end_kb") or {}
    if r1:
        w("### Memory\n")
        w("| proxy | RSS after start (configs loaded) MiB | peak RSS (VmHWM) at the end MiB |")
        w("|---|---|---|")
        for p in PROXIES:
            if p in r1:
                a = r0.get(p, {}).get("VmRSS")
                b = r1[p].get("VmHWM")
                w("| %s | %s | %s |" % (LABEL[p], "%.1f" % (a / 1024) if a else "—",
                                        "%.1f" % (b / 1024) if b else "—"))
        w("")
        huge = (st.get("meshdp") or {}).get("HUGE")
        w("Every proxy holds every scenario's configuration at once (the 10,000-route tables "
          "included). meshdp's figure includes the DPDK memory it maps at start (`-m 512`, %s).\n"
          % ("2 MiB hugepages: reserved whole at start, and not in RSS (hugetlb)" if huge else
             "no hugepages: ordinary pages, counted as they are touched, mostly the mbuf pool"))

    mi = doc.get("micro") or {}
    if any(k in mi for k in ("http", "route", "lb", "timer", "tcp")):
        w("### Micro-benchmarks (one core, `build-perf/perf/bench_*`, taskset -c 1)\n")
        if mi.get("http"):
            h = mi["http"]
            w("| HTTP parse (lib/http) | ns |")
            w("|---|---|")
            for k, lab in (("request_ns", "request head, 347 B, 8 fields"),
                           ("response_ns", "response head, 156 B, 5 fields"),
                           ("path_normalize_ns", "path normalization, 32 B"),
                           ("chunked_body_ns", "chunked body, 3301 B in 16 chunks")):
                w("| %s | %s |" % (lab, "%.0f" % h[k] if h.get(k) is not None else "—"))
            w("")
        if mi.get("route"):
            w("| route match (lib/route) | compile ms | first route ns | header rule, middle ns "
              "| last route ns | miss (404) ns | weighted pick ns |")
            w("|---|---|---|---|---|---|---|")
            for r in mi["route"]:
                w("| %s routes%s | %.1f | %.0f | %.0f | %.0f | %.0f | %.1f |" % (
                    "{:,}".format(r["routes"]), " (2 regexes, not 200)" if r["few_regex"] else "",
                    r["compile_ms"], r["hit_start_ns"], r["hit_beta_ns"], r["hit_end_ns"],
                    r["miss_ns"], r["pick_ns"]))
            w("")
        if mi.get("lb"):
            w("| lb pick (lib/lb) | 3 endpoints ns | 10 ns | 100 ns |")
            w("|---|---|---|---|")
            rows = {}
            for r in mi["lb"]:
                key = "%s, %s weights%s" % (r["policy"], r["weights"],
                                            ", " + r["variant"] if r["variant"] else "")
                rows.setdefault(key, {})[r["endpoints"]] = r["ns"]
            for k, d in rows.items():
                w("| %s | %s | %s | %s |" % (k, *("%.1f" % d[n] if n in d else "—"
                                                  for n in (3, 10, 100))))
            w("")
        if mi.get("timer"):
            t = mi["timer"]
            w("| timing wheel (lib/timer), %s timers pending, 4096 slots | ns |"
              % "{:,}".format(t.get("timers") or 0))
            w("|---|---|")
            for k, lab in (("start_ns", "start"), ("rearm_ns", "re-arm a pending timer"),
                           ("stop_ns", "stop"), ("advance_tick_ns", "advance one tick"),
                           ("advance_per_fired_ns", "advance, per timer fired"),
                           ("advance_empty_tick_ns", "advance one tick, empty wheel")):
                w("| %s | %s |" % (lab, "%.1f" % t[k] if t.get(k) is not None else "—"))
            w("")
        if mi.get("tcp"):
            t = mi["tcp"]
            w("| TCP receive, in-order segment through mdp_eth_input() (TSC %s MHz) | cycles | ns |"
              % t.get("tsc_mhz"))
            w("|---|---|---|")
            for k, lab in (("full_sw_csum", "1448 B, checksums verified in software (AF_XDP)"),
                           ("full_hw_csum", "1448 B, checksums verified by the device"),
                           ("small_sw_csum", "64 B, checksums in software")):
                x = t.get(k)
                w("| %s | %s | %s |" % (lab, x["cycles"] if x else "—",
                                        "%.0f" % x["ns"] if x else "—"))
            w("")
    if doc.get("plots"):
        w("Plots: %s.\n" % ", ".join("![%s](%s)" % (n, p) for n, p in doc["plots"]))
    return "\n".join(o) + "\n"


def handshake_table(w, notes, summ, st):
    """perf/run handshake: one row per proxy and client-certificate mode."""
    w("Each connection: TCP handshake, TLS 1.3 full handshake (no resumption), one "
      "`GET / HTTP/1.0` proxied to the backend, close. The rate is what %s s_time clients "
      "on CPU 0 drove: when CPU 0 is the busier core, the clients, not the proxy, set it. "
      "*Per proxy core* is 10^6 / (proxy CPU µs per handshake): the rate one fully busy "
      "core would give at that cost, the figure to compare.\n" % st.get("HS_CLIENTS", "the"))
    w("| path | client certificate | handshakes/s | proxy CPU µs/handshake | per proxy core "
      "(handshakes/s) | proxy cpu %, user + sys | CPU 0 / CPU 1 busy % | clients' CPU µs/handshake |")
    w("|---|---|---|---|---|---|---|---|")
    for p in PROXIES:
        for kind, mode in (("handshake_mtls", "yes (mTLS, verified)"), ("handshake_simple", "no")):
            k = summ.get("handshake", {}).get(p, {}).get(kind)
            if not k:
                continue
            c = k.get("cpu_us_per_req")
            core = {"median": 1e6 / c["median"], "min": 1e6 / c["max"], "max": 1e6 / c["min"],
                    "n": c["n"]} if c else None
            hs = k.get("hs_per_s")
            cl = k.get("clients_user_s")
            # the clients' user CPU per handshake, from the medians
            clu = "%.0f" % (cl["median"] / (hs["median"] * float(st.get("HS_SECS", 1))) * 1e6) \
                if cl and hs and hs["median"] else "—"
            w("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                LABEL[p], mode, cell(hs), cell(c), cell(core), cpu_split(k, float(st.get("HS_SECS", 1))),
                cpu1(k), clu))
            for e in k.get("errors", [])[:1]:
                notes.append("%s (%s): error: `%s`" % (LABEL[p], kind, " ".join(e.split())[:200]))


def tls_counters(w, doc):
    """meshdp's TLS counters at the end of a run with TLS scenarios."""
    rows = []
    for lab, key in ((LABEL["meshdp"], "meshdp_stats_after"),
                     (LABEL["meshdp-ossl"], "meshdp_ossl_stats_after"),
                     ("meshdp, sidecar A (mtls_sidecar)", "meshdp_mesh_a_stats_after"),
                     ("meshdp, sidecar B (mtls_sidecar)", "meshdp_mesh_b_stats_after")):
        r = doc.get(key) or {}
        tot = {}
        for wk in r.get("workers", []):
            for n, v in (wk.get("counters") or {}).items():
                if n.startswith("tls_"):
                    tot[n] = tot.get(n, 0) + v
        if tot:
            rows.append((lab, tot))
    if not rows or not set(TLS_SCEN) & set(doc["scenarios"]):
        return
    w("### meshdp's TLS counters at the end of the run (`meshctl stats`)\n")
    w("| meshdp | handshakes | resumed | failed (reasons) | records in | records out "
      "| OpenSSL record path | close_notify in / out | truncated | bad records |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for lab, t in rows:
        why = ", ".join("%s %d" % (n[len("tls_fail_"):], v) for n, v in sorted(t.items())
                        if n.startswith("tls_fail_") and v)
        w("| %s | %d | %d | %d%s | %d | %d | %d | %d / %d | %d | %d |" % (
            lab, t.get("tls_handshakes", 0), t.get("tls_resumed", 0),
            t.get("tls_handshake_failed", 0), " (%s)" % why if why else "",
            t.get("tls_rx_records", 0), t.get("tls_tx_records", 0),
            t.get("tls_openssl_record_path", 0), t.get("tls_close_notify_rx", 0),
            t.get("tls_close_notify_tx", 0), t.get("tls_truncated", 0), t.get("tls_bad_record", 0)))
    w("\nExpected failures: each wrk run over https first opens and closes a TCP connection to "
      "test the address (wrk.resolve), which meshdp counts as handshake_failure%s.\n"
      % ("; the check before timing makes one no_client_cert on purpose (the mutual TLS port "
         "without a client certificate)" if "handshake" in doc["scenarios"] else ""))


def cpu_split(k, secs):
    """'95 (60 + 35)': median proxy CPU share of one core, user + system"""
    c, u, y = k.get("cpu_s"), k.get("cpu_user_s"), k.get("cpu_sys_s")
    if not c:
        return "—"
    f = 100.0 / secs
    if u and y:
        return "%.0f (%.0f + %.0f)" % (c["median"] * f, u["median"] * f, y["median"] * f)
    return "%.0f" % (c["median"] * f)


def cpu1(k):
    """'97 / 82': CPU 0 (client, backend) and CPU 1 (the proxy) busy %"""
    b0, b1 = k.get("cpu0_busy_pct"), k.get("cpu1_busy_pct")
    if not b1:
        return "—"
    return "%s / %.0f" % ("%.0f" % b0["median"] if b0 else "—", b1["median"])


def fmt_date(s):
    return "%s-%s-%s %s:%s" % (s[0:4], s[4:6], s[6:8], s[9:11], s[11:13])


def plots(doc, d):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(d, exist_ok=True)
    summ = doc.get("summary", {})
    made = []
    # throughput
    ran = [s for s in SCEN if s in doc["scenarios"]]
    panels = [s for s in ran if s in summ]
    if panels:
        cols = min(4, len(panels))
        rows = math.ceil(len(panels) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False)
        for ax, sc in zip(axes.flat, panels):
            names, med, lo, hi, col = [], [], [], [], []
            for p in PROXIES:
                if sc == "handshake":
                    for kind, tag in (("handshake_mtls", "mTLS"), ("handshake_simple", "no cert")):
                        c = summ.get(sc, {}).get(p, {}).get(kind, {}).get("cpu_us_per_req")
                        if c:
                            # handshakes per second of proxy CPU: 1e6 / µs per handshake
                            names.append("%s %s" % (LABEL[p], tag))
                            med.append(1e6 / c["median"]); lo.append(1e6 / c["median"] - 1e6 / c["max"])
                            hi.append(1e6 / c["min"] - 1e6 / c["median"]); col.append(COLOR[p])
                    continue
                if sc == "l4":
                    for kind, tag in (("iperf3_up", "→"), ("iperf3_down", "←")):
                        s = summ.get(sc, {}).get(p, {}).get(kind, {}).get("gbit_s")
                        if s:
                            names.append("%s %s" % (LABEL[p], tag))
                            med.append(s["median"]); lo.append(s["median"] - s["min"])
                            hi.append(s["max"] - s["median"]); col.append(COLOR[p])
                    continue
                wk, _ = get(summ, sc, p, "wrk")
                s = (wk or {}).get("rps")
                if s:
                    names.append(LABEL[p])
                    med.append(s["median"]); lo.append(s["median"] - s["min"])
                    hi.append(s["max"] - s["median"]); col.append(COLOR[p])
            ax.bar(range(len(med)), med, yerr=[lo, hi], color=col, capsize=3)
            ax.set_xticks(range(len(med)))
            ax.set_xticklabels(names, rotation=35, ha="right", fontsize=8)
            ax.set_title(sc, fontsize=10)
            conns = doc["settings"].get("LARGE_CONNS") if sc in LARGE else doc["settings"]["CONNS"]
            ax.set_ylabel("Gbit/s (iperf3)" if sc == "l4" else
                          "handshakes per proxy CPU second" if sc == "handshake" else
                          "req/s (wrk -c%s)" % conns, fontsize=8)
            ax.tick_params(axis="y", labelsize=8)
            ax.grid(axis="y", alpha=0.3)
        for ax in list(axes.flat)[len(panels):]:
            ax.axis("off")
        fig.suptitle("Throughput, median of %s rounds (bars: min–max); proxy on 1 core; %s"
                     % (doc["settings"]["ROUNDS"], fmt_date(doc["date_utc"])), fontsize=10)
        fig.tight_layout()
        f = os.path.join(d, "throughput.png")
        fig.savefig(f, dpi=110)
        plt.close(fig)
        made.append(("throughput", f))
    # latency percentiles at the fixed rate
    lp = [s for s in ran if s in summ and any(get(summ, s, p, "fixed_rate")[0] for p in PROXIES)]
    if lp:
        cols = min(3, len(lp))
        rows = math.ceil(len(lp) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4.8 * cols, 3.6 * rows), squeeze=False)
        for ax, sc in zip(axes.flat, lp):
            for p in PROXIES:
                fx, _ = get(summ, sc, p, "fixed_rate")
                qs = (fx or {}).get("median_round_quantiles_ms")
                if not qs:
                    continue
                pts = sorted((float(k), v) for k, v in qs.items() if v is not None)
                # x: 1 / (1 - q) on a log scale (HdrHistogram style); max at 99.999
                xs = [1 / (1 - min(q, 99.999) / 100) for q, _ in pts]
                ax.plot(xs, [v for _, v in pts], marker="o", ms=3, label=LABEL[p], color=COLOR[p])
            ax.set_xscale("log")
            ax.set_yscale("log")
            ticks = [2, 10, 100, 1000, 10000, 100000]
            ax.set_xticks(ticks)
            ax.set_xticklabels(["p50", "p90", "p99", "p99.9", "p99.99", "max"], fontsize=8)
            ax.set_ylabel("latency ms", fontsize=8)
            rate = doc["settings"]["LARGE_RATE"] if sc in LARGE else doc["settings"]["RATE"]
            ax.set_title("%s at %s req/s" % (sc, rate), fontsize=10)
            ax.grid(alpha=0.3, which="both")
            ax.legend(fontsize=7)
        for ax in list(axes.flat)[len(lp):]:
            ax.axis("off")
        fig.suptitle("Latency percentiles at a fixed rate (h2load --rps, median round by p99); %s"
                     % fmt_date(doc["date_utc"]), fontsize=10)
        fig.tight_layout()
        f = os.path.join(d, "latency.png")
        fig.savefig(f, dpi=110)
        plt.close(fig)
        made.append(("latency", f))
    return made


def rewrite(path, section):
    old = open(path).read() if os.path.exists(path) else "# Measured results\n"
    block = BEGIN + "\n" + section + END + "\n"
    if BEGIN in old and END in old:
        a = old.index(BEGIN)
        b = old.index(END) + len(END)
        new = old[:a] + block.rstrip("\n") + old[b:]
    else:
        # after the title, before the hand-written history
        lines = old.split("\n", 1)
        new = lines[0] + "\n\n" + block + "\n" + (lines[1] if len(lines) > 1 else "")
    open(path, "w").write(new)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("result")
    ap.add_argument("--md")
    ap.add_argument("--plots")
    a = ap.parse_args()
    doc = json.load(open(a.result))
    if a.plots:
        made = plots(doc, a.plots)
        base = os.path.dirname(os.path.abspath(a.md)) if a.md else os.getcwd()
        doc["plots"] = [(n, os.path.relpath(f, base)) for n, f in made]
    text = md(doc)
    sys.stdout.write(text)
    if a.md:
        rewrite(a.md, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
