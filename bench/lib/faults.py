#!/usr/bin/env python3
"""Clients and bookkeeping for bench/faults.sh (stdlib only).

  faults.py warm    --ports P1,P2 --prefix /obj/k --query Q --n 200     GET every key on each port in turn
  faults.py leader  --a-port P1 --b-port P2 --path PATH --kill-pid PID [--b 10 --b-after 0.05 --kill-after 0.3]
  faults.py twice   --port P --t0 EPOCH --prefix P --query Q [--n 50]   cold start: wait for the port, GET each URL twice
  faults.py metrics --port MGMT                                        outrigger_* samples as one JSON object
  faults.py loglines FILE FROM TO                                       lines/WARN/ERROR in a byte range of a log
  faults.py row ROW DIR REP                                             one row's JSON line from the files in DIR
  faults.py report RESULTS.jsonl                                       the markdown summary table

Every request carries Host: shop.example (as bench/lib/fault_load.lua's), so all replicas key a URL alike.
"""
import argparse, asyncio, http.client, json, math, os, re, signal, socket, statistics, sys, time

HOST = "shop.example"


# ---------------------------------------------------------------- HTTP, asyncio

async def read_response(r):
    line = await r.readline()
    if not line:
        raise ConnectionError("closed before a response")
    status = int(line.split()[1])
    headers = {}
    while True:
        h = await r.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        k, _, v = h.decode("latin1").partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        await r.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower().endswith("chunked"):
        while True:
            size = int((await r.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await r.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                break
            await r.readexactly(size + 2)
    return status, headers


def pct(vals, q):
    if not vals:
        return None
    vals = sorted(vals)
    return vals[max(0, min(len(vals) - 1, math.ceil(q / 100.0 * len(vals)) - 1))]


# ---------------------------------------------------------------- warm

def cmd_warm(a):
    ports = [int(p) for p in a.ports.split(",")]
    conns = {p: http.client.HTTPConnection("127.0.0.1", p, timeout=30) for p in ports}
    tags = {}
    for i in range(a.n):
        path = "%s%d?%s" % (a.prefix, i, a.query)
        for p in ports:
            c = conns[p]
            c.request("GET", path, headers={"Host": HOST})
            r = c.getresponse()
            r.read()
            k = "%d:%d %s" % (p, r.status, r.getheader("X-Cache", "-"))
            tags[k] = tags.get(k, 0) + 1
    print(json.dumps(tags))


# ---------------------------------------------------------------- leader-kill

async def leader(a):
    data = ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (a.path, HOST)).encode()
    ca = await asyncio.open_connection("127.0.0.1", a.a_port)
    cb = [await asyncio.open_connection("127.0.0.1", a.b_port) for _ in range(a.b)]
    await asyncio.sleep(0.05)
    t0 = time.perf_counter()

    async def one(conn, delay, who):
        r, w = conn
        await asyncio.sleep(max(0.0, t0 + delay - time.perf_counter()))
        ts = time.perf_counter()
        out = {"who": who, "sent_at_s": round(ts - t0, 3)}
        try:
            w.write(data)
            await w.drain()
            st, h = await asyncio.wait_for(read_response(r), a.timeout)
            out.update(status=st, x_cache=h.get("x-cache", "-"), cache_status=h.get("cache-status", ""))
        except Exception as e:  # the killed leader's client ends here
            out.update(status=None, error=type(e).__name__)
        out["secs"] = round(time.perf_counter() - ts, 3)
        try:
            w.close()
        except Exception:
            pass
        return out

    async def killer():
        await asyncio.sleep(max(0.0, t0 + a.kill_after - time.perf_counter()))
        os.kill(a.kill_pid, signal.SIGKILL)
        return round(time.perf_counter() - t0, 3)

    res = await asyncio.gather(one(ca, 0.0, "A"), *[one(c, a.b_after, "B") for c in cb], killer())
    killed_at = res[-1]
    A, B = res[0], res[1:-1]
    secs = sorted(b["secs"] for b in B)
    st = {}
    for b in B:
        k = "%s %s" % (b.get("status"), b.get("x_cache", b.get("error")))
        st[k] = st.get(k, 0) + 1
    print(json.dumps({"killed_at_s": killed_at, "a": A, "b_statuses": st, "b_min_s": secs[0], "b_median_s": statistics.median(secs),
                      "b_max_s": secs[-1], "b": B}))


# ---------------------------------------------------------------- cold start

def cmd_twice(a):
    deadline = time.time() + a.wait_timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", a.port), timeout=0.5).close()
            break
        except OSError:
            if time.time() > deadline:
                print(json.dumps({"error": "traffic port never opened"}))
                return
            time.sleep(0.005)
    opened = time.time() - a.t0
    c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
    first, second, pairs = {}, {}, []
    t_first_answer = None
    for i in range(a.n):
        path = "%s%d?%s" % (a.prefix, i, a.query)
        row = []
        for d in (first, second):
            t = time.perf_counter()
            try:
                c.request("GET", path, headers={"Host": HOST})
                r = c.getresponse()
                r.read()
                k = "%d %s" % (r.status, r.getheader("X-Cache", "-"))
                if t_first_answer is None:
                    t_first_answer = time.time() - a.t0
            except Exception as e:
                k = "error " + type(e).__name__
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
            d[k] = d.get(k, 0) + 1
            row.append((k, round((time.perf_counter() - t) * 1000, 1)))
        pairs.append(row)
    hits = sum(v for k, v in second.items() if k.endswith(" HIT"))
    print(json.dumps({"port_open_s": round(opened, 3), "first_answer_s": round(t_first_answer or -1, 3),
                      "done_s": round(time.time() - a.t0, 3), "second_hits": hits, "n": a.n,
                      "first": first, "second": second,
                      "second_ms_p50": pct([p[1][1] for p in pairs], 50), "pairs_head": pairs[:5]}))


# ---------------------------------------------------------------- metrics, logs

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\s+(\S+)')


def cmd_metrics(a):
    try:
        with urllib_open("http://127.0.0.1:%d/q/metrics" % a.port) as r:
            text = r.read().decode()
    except Exception as e:
        print(json.dumps({"_error": str(e)}))
        return
    print(json.dumps(parse_prom(text), sort_keys=True))


def urllib_open(url):
    import urllib.request
    return urllib.request.urlopen(url, timeout=5)


TS = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d|^\d\d:\d\d:\d\d")
LEVEL = re.compile(r"\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|SEVERE)\b")


def loglines(path, start, end, grep=None):
    with open(path, "rb") as f:
        f.seek(start)
        text = f.read(max(0, end - start)).decode("utf-8", "replace")
    lines = [l for l in text.splitlines() if l.strip()]
    if grep:
        g = re.compile(grep, re.I)
        lines = [l for l in lines if g.search(l)]
    entries = [l for l in lines if TS.match(l)]
    warn = [l for l in entries if (LEVEL.search(l) or [None, ""])[1] in ("WARN", "WARNING")]
    err = [l for l in entries if (LEVEL.search(l) or [None, ""])[1] in ("ERROR", "FATAL", "SEVERE")]
    # distinct messages, with the timestamp and thread stripped, to show what was logged
    distinct = {}
    for l in (lines if grep else warn + err):
        k = re.sub(r"^[\d:, .-]+", "", l)              # the timestamp
        k = re.sub(r"\] \([^)]*\) ", "] ", k)[:240]      # the thread
        k = re.sub(r"\d+", "N", k)
        distinct[k] = distinct.get(k, 0) + 1
    top = sorted(distinct.items(), key=lambda kv: -kv[1])[:5]
    return {"lines": len(lines), "entries": len(entries), "warn": len(warn), "error": len(err),
            "top": [{"n": n, "msg": m.strip()} for m, n in top]}


def cmd_loglines(a):
    print(json.dumps(loglines(a.file, a.start, a.end, a.grep)))


# ---------------------------------------------------------------- rows

def parse_prom(text):
    out = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if m and m.group(1).startswith("outrigger_"):
            try:
                out[m.group(1)] = float(m.group(2))
            except ValueError:
                pass
    return out


def load(d):
    """The rep's facts: NAME (JSON or text), NAME.prom (a /q/metrics snapshot), NAME.span ("LOG FROM TO": a log's byte range)."""
    out = {}
    for name in os.listdir(d):
        p = os.path.join(d, name)
        if not os.path.isfile(p):
            continue
        if name.endswith(".prom"):
            with open(p) as f:
                out[name[:-5]] = parse_prom(f.read())
            continue
        if name.endswith(".span"):
            with open(p) as f:
                log, start, end = f.read().split()
            out[name[:-5]] = loglines(os.path.join(d, log), int(start), int(end))
            continue
        if "." in name:
            continue  # raw outputs (*.log, *.out, *.txt) are kept for reading, not parsed
        with open(p) as f:
            t = f.read().strip()
        try:
            out[name] = json.loads(t)
        except ValueError:
            out[name] = t
    return out


def num(x, default=0):
    try:
        return float(x)
    except (TypeError, ValueError):
        return default


def change(a, b):
    return round(100.0 * (b - a) / a, 1) if a else None


def delta(m0, m1, pattern):
    """Sum of the increase of every sample whose name matches pattern, between two metric snapshots."""
    r = re.compile(pattern)
    keys = set(k for k in list(m0) + list(m1) if r.search(k))
    return round(sum(num(m1.get(k)) - num(m0.get(k)) for k in keys), 3)


def nonzero(m, pattern):
    r = re.compile(pattern)
    return {k: v for k, v in sorted(m.items()) if r.search(k) and v}


def sum_logs(f, prefix):
    logs = [v for k, v in f.items() if k.startswith(prefix) and isinstance(v, dict)]
    return {"lines": sum(l["lines"] for l in logs), "warn": sum(l["warn"] for l in logs),
            "error": sum(l["error"] for l in logs),
            "top": [t for l in logs for t in l["top"]][:4]}


def sum_metrics_delta(f, before, after, pattern):
    total = 0
    for k in f:
        if k.startswith(before + "_"):
            rep = k[len(before) + 1:]
            total += delta(f[k], f.get(after + "_" + rep, {}), pattern)
    return round(total, 3)


def row_redis_kill(f, stall=False):
    b, d, af = f["wrk_baseline"], f["wrk_during"], f["wrk_after"]
    out = {"baseline_rps": b["rps"], "during_rps": d["rps"], "change_pct": change(b["rps"], d["rps"]),
           "baseline_p99_ms": b["p99_ms"], "during_p99_ms": d["p99_ms"], "during_max_ms": d["max_ms"],
           "origin_during": f["origin_1"] - f["origin_0"],
           "non2xx_during": d["err_status"], "socket_errors_during": d["err_connect"] + d["err_read"] + d["err_write"] + d["err_timeout"],
           "after_rps": af["rps"], "after_p99_ms": af["p99_ms"], "after_max_ms": af["max_ms"], "origin_after": f["origin_2"] - f["origin_1"], "non2xx_after": af["err_status"],
           "origin_baseline": f["origin_0"] - f.get("origin_b", f["origin_0"]),
           "misses_during": sum_metrics_delta(f, "m0", "m1", r'outrigger_requests_total\{.*outcome="miss"'),
           "store_errors_during": sum_metrics_delta(f, "m0", "m1", r"outrigger_store_errors_total"),
           "store_slow_during": sum_metrics_delta(f, "m0", "m1", r"outrigger_store_slow_total"),
           "log_during": sum_logs(f, "log_during_")}
    if stall:
        out["stall"] = f.get("stall_method", "")
    return out


def row_app_down(f):
    out = {}
    for ph in ("503", "close"):
        w = f["wrk_" + ph]
        o0, o1 = f["stats_%s_0" % ph], f["stats_%s_1" % ph]
        tags = w["tags"]
        stale = sum(v for k, v in tags.items() if k.startswith("2") and k.endswith(" STALE"))
        other2xx = sum(v for k, v in tags.items() if k.startswith("2") and not k.endswith(" STALE"))
        x5 = sum(v for k, v in tags.items() if k.startswith("5"))
        out[ph] = {"requests": w["requests"], "rps": w["rps"], "p99_ms": w["p99_ms"], "stale_200": stale, "other_2xx": other2xx,
                   "5xx": x5, "tags": tags, "socket_errors": w["err_connect"] + w["err_read"] + w["err_write"] + w["err_timeout"],
                   "origin": o1["total"] - o0["total"],
                   "origin_conns": o1["conns"] - o0["conns"]}
    out["origin_total"] = out["503"]["origin"] + out["close"]["origin"]
    out["stale_total"] = out["503"]["stale_200"] + out["close"]["stale_200"]
    out["5xx_total"] = out["503"]["5xx"] + out["close"]["5xx"]
    out["origin_per_s"] = round(out["origin_total"] / (f["wrk_503"]["duration_s"] + f["wrk_close"]["duration_s"]), 1)
    answers = f["wrk_503"]["requests"] + f["wrk_close"]["requests"]
    out["origin_per_answer"] = round(out["origin_total"] / answers, 3) if answers else None
    out["log_during"] = sum_logs(f, "log_during_")
    return out


def row_leader_kill(f):
    l = f["leader"]
    return {"killed_at_s": l["killed_at_s"], "a": {k: l["a"].get(k) for k in ("status", "error", "secs")},
            "b_statuses": l["b_statuses"], "b_min_s": l["b_min_s"], "b_median_s": l["b_median_s"], "b_max_s": l["b_max_s"],
            "origin_key": f["origin_key"],
            "r2_coalesce": nonzero(f.get("m_r2", {}), r"outrigger_coalesce_")}


def row_cold_stampede(f):
    s = f["spread"]
    return {"origin_key": f["origin_key"], "p50_ms": s["p50_ms"], "p99_ms": s["p99_ms"], "max_ms": s["max_ms"],
            "statuses": s["statuses"], "cache_tags": s["cache_tags"], "errors": s["errors"], "ready_s": f.get("ready_s"),
            "miss_ms": s.get("miss_ms"),
            "coalesce": {k.replace("outrigger_coalesce_", ""): sum(num(v.get(k)) for n, v in f.items() if n.startswith("m_r"))
                         for k in sorted(set(k for n, v in f.items() if n.startswith("m_r") for k in v if "coalesce" in k))}}


def row_churn(f):
    samples = []
    for line in str(f.get("samples", "")).splitlines():
        t, used, rss = line.split()
        samples.append((int(t), int(used), int(rss)))
    w = f["wrk"]
    um = [s[1] for s in samples]
    rs = [s[2] for s in samples]
    mib = lambda v: round(v / 1048576.0, 1)
    return {"seconds": w["duration_s"], "rps": w["rps"], "requests": w["requests"], "non2xx": w["err_status"],
            "origin": f["origin_1"] - f["origin_0"],
            "redis_used_mib": {"first": mib(um[0]), "last": mib(um[-1]), "peak": mib(max(um))} if um else None,
            "rss_mib": {"first": mib(rs[0] * 1024), "last": mib(rs[-1] * 1024), "peak": mib(max(rs) * 1024)} if rs else None,
            "redis_keys": f.get("dbsize"), "maxmemory": f.get("maxmemory"), "maxmemory_policy": f.get("policy"),
            "samples": [{"t": s[0], "redis_mib": mib(s[1]), "rss_mib": mib(s[2] * 1024)} for s in samples],
            "log": sum_logs(f, "log_all")}


def row_log_lines(f):
    out = {}
    for ph in ("503", "close"):
        w, l = f["wrk_" + ph], f["log_" + ph]
        out[ph] = {"requests": w["requests"], "rps": w["rps"], "tags": w["tags"],
                   "log_lines": l["lines"], "warn": l["warn"], "error": l["error"], "top": l["top"],
                   "origin": f["origin_%s_1" % ph] - f["origin_%s_0" % ph]}
    return out


def row_cold_start(f):
    t = f["twice"]
    return {"port_open_s": t.get("port_open_s"), "first_answer_s": t.get("first_answer_s"),
            "second_hits": t.get("second_hits"), "n": t.get("n"), "first": t.get("first"), "second": t.get("second"),
            "log_store_lines_10s": f["log10"]["lines"], "log_store_top": f["log10"]["top"],
            "store_metrics_nonzero": nonzero(f.get("m10", {}), r"store.*(error|fail|open|skip)|(error|fail|open|skip).*store|outrigger_store_circuit")}


ROWS = {"redis-kill": row_redis_kill, "redis-stall": lambda f: row_redis_kill(f, True), "app-down": row_app_down,
        "leader-kill": row_leader_kill, "cold-stampede": row_cold_stampede, "churn": row_churn,
        "log-lines": row_log_lines, "cold-start": row_cold_start}


def human(row, r):
    g = lambda k: r.get(k)
    if row in ("redis-kill", "redis-stall"):
        s = ("req/s %s -> %s (%s%%), p99 %s -> %s ms, origin requests during %s, non-2xx %s, socket errors %s; "
             "after: %s req/s, origin %s; store errors %s, slow %s; log WARN %s ERROR %s" % (
                 g("baseline_rps"), g("during_rps"), g("change_pct"), g("baseline_p99_ms"), g("during_p99_ms"),
                 g("origin_during"), g("non2xx_during"), g("socket_errors_during"), g("after_rps"), g("origin_after"),
                 g("store_errors_during"), g("store_slow_during"), r["log_during"]["warn"], r["log_during"]["error"]))
        return s + (" [stall: %s]" % r["stall"] if row == "redis-stall" else "")
    if row == "app-down":
        return ("503 phase: origin %s, STALE %s, 5xx %s | close phase: origin %s (conns %s), STALE %s, 5xx %s | "
                "origin in 10 s: %s (%s/s)" % (r["503"]["origin"], r["503"]["stale_200"], r["503"]["5xx"], r["close"]["origin"],
                                               r["close"]["origin_conns"], r["close"]["stale_200"], r["close"]["5xx"],
                                               r["origin_total"], r["origin_per_s"]))
    if row == "leader-kill":
        return "B answered after %s/%s/%s s (min/median/max), statuses %s; A %s; origin requests for the key %s" % (
            g("b_min_s"), g("b_median_s"), g("b_max_s"), g("b_statuses"), g("a"), g("origin_key"))
    if row == "cold-stampede":
        return "origin requests %s, p50 %s ms, p99 %s ms, max %s ms, statuses %s, tags %s, replicas ready after %s s, coalesce %s" % (
            g("origin_key"), g("p50_ms"), g("p99_ms"), g("max_ms"), g("statuses"), g("cache_tags"), g("ready_s"), g("coalesce"))
    if row == "churn":
        return "%s req/s for %s s, redis used MiB first/last/peak %s, RSS MiB %s, maxmemory %s %s, non-2xx %s" % (
            g("rps"), g("seconds"), g("redis_used_mib"), g("rss_mib"), g("maxmemory"), g("maxmemory_policy"), g("non2xx"))
    if row == "log-lines":
        return "503: %s log lines (%s WARN, %s ERROR) over %s requests | close: %s lines (%s WARN, %s ERROR) over %s requests" % (
            r["503"]["log_lines"], r["503"]["warn"], r["503"]["error"], r["503"]["requests"],
            r["close"]["log_lines"], r["close"]["warn"], r["close"]["error"], r["close"]["requests"])
    if row == "cold-start":
        return "port open %s s, second GET HIT %s/%s, store log lines in 10 s %s, store metrics %s" % (
            g("port_open_s"), g("second_hits"), g("n"), g("log_store_lines_10s"), g("store_metrics_nonzero"))
    return json.dumps(r)


def replica_logs(d):
    """Over the whole life of the rep's replicas (r1.log, r2.log, ...): circuit openings (the one WARN line
    FailOpenStore writes per outage), openings that closed again within a second, WARN and ERROR entries."""
    opens = flaps = warn = error = 0
    for name in sorted(os.listdir(d)):
        if not re.match(r"r\d+\.log$", name):
            continue
        with open(os.path.join(d, name), errors="replace") as fh:
            for l in fh:
                if not TS.match(l):
                    continue
                lv = (LEVEL.search(l) or [None, ""])[1]
                warn += lv in ("WARN", "WARNING")
                error += lv in ("ERROR", "FATAL", "SEVERE")
                opens += "cache store failing" in l
                flaps += "circuit closed after 0s" in l
    return {"circuit_opens": opens, "circuit_reclosed_within_1s": flaps, "warn": warn, "error": error}


def cmd_row(a):
    f = load(a.dir)
    r = ROWS[a.row](f)
    line = {"row": a.row, "rep": a.rep, "loadavg": f.get("loadavg"), "replica_logs": replica_logs(a.dir)}
    line.update(r)
    with open(a.results, "a") as out:
        out.write(json.dumps(line) + "\n")
    rl = line["replica_logs"]
    print("%-13s rep %s: %s; replica logs: %d circuit openings (%d closed again within 1 s), %d WARN, %d ERROR; load %s" % (
        a.row, a.rep, human(a.row, r), rl["circuit_opens"], rl["circuit_reclosed_within_1s"], rl["warn"], rl["error"],
        line["loadavg"]))
    print("JSON " + json.dumps(line))


# ---------------------------------------------------------------- report

def agg(vals, fmt="%g"):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "-"
    if len(vals) == 1:
        return fmt % vals[0]
    return "%s [%s–%s]" % (fmt % statistics.median(vals), fmt % min(vals), fmt % max(vals))


def kfmt(v):
    return "%.1fk" % (v / 1000.0) if v >= 1000 else "%.0f" % v


def merge_counts(ds):
    out = {}
    for d in ds:
        for k, v in (d or {}).items():
            out[k] = out.get(k, 0) + v
    return ", ".join("%s: %s" % kv for kv in sorted(out.items(), key=lambda kv: -kv[1]))


def summary(row, rs):
    col = lambda k: [r.get(k) for r in rs]
    if row in ("redis-kill", "redis-stall"):
        s = ("origin requests during fault: **%s**; non-2xx: %s (socket errors %s); req/s baseline %s → during %s (%s%%); "
             "p99 during %s ms (baseline %s); after (5 s): %s req/s, p99 %s ms, origin %s; log in the fault window: WARN %s, ERROR %s, %s lines" % (
                 agg(col("origin_during")), agg(col("non2xx_during")), agg(col("socket_errors_during")),
                 kfmt(statistics.median(col("baseline_rps"))), kfmt(statistics.median(col("during_rps"))),
                 agg(col("change_pct"), "%+.0f"), agg(col("during_p99_ms"), "%.0f"), agg(col("baseline_p99_ms"), "%.1f"),
                 kfmt(statistics.median(col("after_rps"))), agg(col("after_p99_ms"), "%.0f"), agg(col("origin_after")),
                 agg([r["log_during"]["warn"] for r in rs]), agg([r["log_during"]["error"] for r in rs]),
                 agg([r["log_during"]["lines"] for r in rs])))
        return s + ("; stall: %s" % rs[0].get("stall") if row == "redis-stall" else "")
    if row == "app-down":
        return ("origin requests in the 10 s: **%s** (503 phase %s, close phase %s), %s per client answer; clients: STALE 200 %s, 5xx %s, "
                "socket errors %s; statuses: %s" % (
                    agg(col("origin_total")), agg([r["503"]["origin"] for r in rs]), agg([r["close"]["origin"] for r in rs]),
                    agg(col("origin_per_answer"), "%.2f"),
                    agg(col("stale_total")), agg(col("5xx_total")),
                    agg([r["503"]["socket_errors"] + r["close"]["socket_errors"] for r in rs]),
                    merge_counts([r["503"]["tags"] for r in rs] + [r["close"]["tags"] for r in rs])))
    if row == "leader-kill":
        return "replica 2's 10 clients answered after %s s (max %s); statuses %s; origin requests for the key %s" % (
            agg(col("b_median_s"), "%.2f"), agg(col("b_max_s"), "%.2f"), merge_counts(col("b_statuses")), agg(col("origin_key")))
    if row == "cold-stampede":
        return "origin requests **%s**; p50 %s ms, p99 %s ms, max %s ms; statuses %s" % (
            agg(col("origin_key")), agg(col("p50_ms"), "%.0f"), agg(col("p99_ms"), "%.0f"), agg(col("max_ms"), "%.0f"),
            merge_counts(col("statuses")))
    if row == "churn":
        r = rs[0]
        return ("%s s at %s req/s (non-2xx %s), %s new keys, %s entries in Redis at the end; Redis used_memory first/last/peak "
                "%s/%s/%s MiB (maxmemory %s, %s); replica RSS %s/%s/%s MiB" % (r["seconds"], kfmt(r["rps"]), r["non2xx"],
                                             r["requests"], r["redis_keys"],
                                             r["redis_used_mib"]["first"], r["redis_used_mib"]["last"], r["redis_used_mib"]["peak"],
                                             r["maxmemory"], r["maxmemory_policy"],
                                             r["rss_mib"]["first"], r["rss_mib"]["last"], r["rss_mib"]["peak"]))
    if row == "log-lines":
        return ("app 503 for 5 s: %s lines (WARN %s, ERROR %s) for %s requests; app closing for 5 s: %s lines (WARN %s, ERROR %s) "
                "for %s requests" % (agg([r["503"]["log_lines"] for r in rs]), agg([r["503"]["warn"] for r in rs]),
                                    agg([r["503"]["error"] for r in rs]), agg([r["503"]["requests"] for r in rs]),
                                    agg([r["close"]["log_lines"] for r in rs]), agg([r["close"]["warn"] for r in rs]),
                                    agg([r["close"]["error"] for r in rs]), agg([r["close"]["requests"] for r in rs])))
    if row == "cold-start":
        m = {}
        for r in rs:
            for k, v in (r.get("store_metrics_nonzero") or {}).items():
                m.setdefault(k, []).append(v)
        return "second GET a HIT: **%s** of 50; store/circuit log lines in first 10 s: %s; non-zero store metrics: %s" % (
            agg(col("second_hits")), agg(col("log_store_lines_10s")),
            "; ".join("%s %s" % (k, agg(v)) for k, v in m.items()) or "none")
    return ""


SETUP = {
    "redis-kill": "2 replicas, wrk 32 conns/2 threads over 200 warm 1 KiB keys; SIGKILL redis 10 s, restart",
    "redis-stall": "as above; Redis stalled 200 ms at a time for 10 s",
    "app-down": "100 stale keys (max-age=1, stale-if-error=600); app 503 for 5 s, then closes for 5 s",
    "leader-kill": "cold key, app 2 s; A→replica 1, 10×B→replica 2 at +50 ms; SIGKILL replica 1 at +0.3 s",
    "cold-stampede": "3 fresh replicas, 300 requests at once for one cold key, app 300 ms",
    "churn": "1 replica, every request a new 16 KiB key",
    "log-lines": "1 replica, uncacheable (no-store) requests, app failing",
    "cold-start": "1 fresh replica; 50 URLs GET twice when the port opens",
}


def cmd_report(a):
    rows = {}
    with open(a.results) as f:
        for line in f:
            line = line.strip()
            if line:
                r = json.loads(line)
                rows.setdefault(r["row"], []).append(r)
    print("| row | setup | reps | result (median [min–max] over reps) |")
    print("|---|---|---:|---|")
    for row in ROWS:
        if row in rows:
            rl = [r.get("replica_logs") or {} for r in rows[row]]
            extra = "; circuit openings in the replicas' logs per rep %s (closed again within 1 s: %s); load average %s" % (
                agg([x.get("circuit_opens") for x in rl]), agg([x.get("circuit_reclosed_within_1s") for x in rl]),
                agg([num(r.get("loadavg"), None) for r in rows[row]], "%.1f"))
            print("| `%s` | %s | %d | %s%s |" % (row, SETUP[row], len(rows[row]), summary(row, rows[row]), extra))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("warm"); p.add_argument("--ports", required=True); p.add_argument("--prefix", default="/obj/k")
    p.add_argument("--query", default="size=1024&ma=3600"); p.add_argument("--n", type=int, default=200)
    p = sub.add_parser("leader"); p.add_argument("--a-port", type=int, required=True); p.add_argument("--b-port", type=int, required=True)
    p.add_argument("--path", required=True); p.add_argument("--kill-pid", type=int, required=True)
    p.add_argument("--b", type=int, default=10); p.add_argument("--b-after", type=float, default=0.05)
    p.add_argument("--kill-after", type=float, default=0.3); p.add_argument("--timeout", type=float, default=60)
    p = sub.add_parser("twice"); p.add_argument("--port", type=int, required=True); p.add_argument("--t0", type=float, required=True)
    p.add_argument("--prefix", default="/obj/cs"); p.add_argument("--query", default="size=1024&ma=3600")
    p.add_argument("--n", type=int, default=50); p.add_argument("--wait-timeout", type=float, default=60)
    p = sub.add_parser("metrics"); p.add_argument("--port", type=int, required=True)
    p = sub.add_parser("loglines"); p.add_argument("file"); p.add_argument("start", type=int); p.add_argument("end", type=int)
    p.add_argument("--grep")
    p = sub.add_parser("row"); p.add_argument("row"); p.add_argument("dir"); p.add_argument("rep")
    p.add_argument("--results", required=True)
    p = sub.add_parser("report"); p.add_argument("results")
    a = ap.parse_args()
    if a.cmd == "warm":
        cmd_warm(a)
    elif a.cmd == "leader":
        asyncio.run(leader(a))
    elif a.cmd == "twice":
        cmd_twice(a)
    elif a.cmd == "metrics":
        cmd_metrics(a)
    elif a.cmd == "loglines":
        cmd_loglines(a)
    elif a.cmd == "row":
        cmd_row(a)
    elif a.cmd == "report":
        cmd_report(a)


if __name__ == "__main__":
    main()
