#!/usr/bin/env python3
"""The application behind Outrigger in bench/faults.sh: an asyncio HTTP/1.1 origin (keep-alive) that can
be told to fail. Extends ../shared/bench/lib/origin.py (same /obj/ answers and counters).

GET|POST|... /obj/<key>[?size=BYTES|16k][&d=DELAY_MS][&ma=S][&swr=S][&sie=S][&cc=CACHE-CONTROL]
    200 after `d` ms (default --delay), body of `size` bytes (default 1024), ETag, Last-Modified and
    Cache-Control: public, max-age=<ma>[, stale-while-revalidate=<swr>][, stale-if-error=<sie>];
    `cc` replaces the whole Cache-Control value (url-encoded, e.g. cc=no-store).
    Every request to /obj/ is counted (total, per key, and per failure mode it arrived in),
    whatever the mode answers.
Failure modes (/__mode?m=...), for /obj/ only:
    ok      answers as above
    503     answers 503 at once (Cache-Control: no-store, Retry-After: 1)
    close   reads the request, counts it, closes the connection without answering
Admin paths (always answered, never counted, never cacheable):
    /__total            -> "N"  /obj/ requests that reached the origin, all modes
    /__hits?k=KEY       -> "N"  /obj/ requests for that key
    /__stats            -> JSON {total, by_mode, keys, inflight, max_inflight, conns, conns_by_mode, mode}
    /__mode?m=ok|503|close  switch the failure mode (without m: show it)
    /__reset            zero all counters
"""
import argparse, asyncio, json, time
from email.utils import formatdate
from urllib.parse import urlsplit, parse_qs


class S:
    total = 0
    hits = {}
    by_mode = {"ok": 0, "503": 0, "close": 0}
    conns = 0
    conns_by_mode = {"ok": 0, "503": 0, "close": 0}
    inflight = 0
    max_inflight = 0
    delay_ms = 0.0
    maxage = 3600
    mode = "ok"
    bodies = {}


LASTMOD = formatdate(1_700_000_000, usegmt=True)
_date = [0, b""]


class Close(Exception):
    """Raised by route() in close mode: drop the connection without answering."""


def http_date():
    now = int(time.time())
    if _date[0] != now:
        _date[0] = now
        _date[1] = formatdate(now, usegmt=True).encode()
    return _date[1]


def parse_size(v):
    v = v.strip().lower()
    mult = 1
    if v.endswith("k"):
        mult, v = 1024, v[:-1]
    elif v.endswith("m"):
        mult, v = 1024 * 1024, v[:-1]
    return max(0, int(float(v) * mult))


def body(size):
    b = S.bodies.get(size)
    if b is None:
        pat = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_\n"
        b = (pat * (size // len(pat) + 1))[:size]
        S.bodies[size] = b
    return b


def simple(status, text, ctype=b"text/plain"):
    b = text.encode() if isinstance(text, str) else text
    return status, [(b"Content-Type", ctype), (b"Cache-Control", b"no-store")], b


def cache_control(q):
    if "cc" in q:
        return q["cc"].encode("latin1")
    cc = "public, max-age=%d" % (int(q["ma"]) if "ma" in q else S.maxage)
    if "swr" in q:
        cc += ", stale-while-revalidate=%d" % int(q["swr"])
    if "sie" in q:
        cc += ", stale-if-error=%d" % int(q["sie"])
    return cc.encode()


async def route(method, target, headers):
    u = urlsplit(target)
    q = {k: v[-1] for k, v in parse_qs(u.query).items()}
    path = u.path
    if path.startswith("/obj/"):
        key = path[5:]
        mode = S.mode
        S.total += 1
        S.by_mode[mode] += 1
        S.hits[key] = S.hits.get(key, 0) + 1
        if mode == "close":
            raise Close()
        if mode == "503":
            return 503, [(b"Content-Type", b"text/plain"), (b"Cache-Control", b"no-store"),
                         (b"Retry-After", b"1")], b"unavailable\n"
        S.inflight += 1
        if S.inflight > S.max_inflight:
            S.max_inflight = S.inflight
        try:
            size = parse_size(q["size"]) if "size" in q else 1024
            d = float(q["d"]) if "d" in q else S.delay_ms
            if d > 0:
                await asyncio.sleep(d / 1000.0)
        finally:
            S.inflight -= 1
        etag = b'"s%x-v1"' % size
        hdrs = [(b"Content-Type", b"application/octet-stream"),
                (b"Cache-Control", cache_control(q)),
                (b"ETag", etag),
                (b"Last-Modified", LASTMOD.encode()),
                (b"X-Origin-Seq", b"%d" % S.total)]
        inm = headers.get("if-none-match")
        if inm and (inm.strip() == "*" or etag.decode() in [t.strip() for t in inm.split(",")]):
            return 304, hdrs, b""
        return 200, hdrs, body(size)
    if path == "/__total":
        return simple(200, "%d\n" % S.total)
    if path == "/__hits":
        return simple(200, "%d\n" % S.hits.get(q.get("k", ""), 0))
    if path == "/__stats":
        return simple(200, json.dumps({"total": S.total, "by_mode": S.by_mode, "keys": len(S.hits),
                                       "inflight": S.inflight, "max_inflight": S.max_inflight,
                                       "conns": S.conns, "conns_by_mode": S.conns_by_mode,
                                       "mode": S.mode}) + "\n", b"application/json")
    if path == "/__mode":
        m = q.get("m")
        if m is not None:
            if m not in S.by_mode:
                return simple(400, "mode must be one of ok, 503, close\n")
            S.mode = m
        return simple(200, S.mode + "\n")
    if path == "/__reset":
        S.total = 0; S.hits = {}; S.max_inflight = 0; S.conns = 0
        S.by_mode = {k: 0 for k in S.by_mode}; S.conns_by_mode = {k: 0 for k in S.conns_by_mode}
        return simple(200, "ok\n")
    return simple(404, "not found\n")


REASON = {200: b"OK", 304: b"Not Modified", 404: b"Not Found", 400: b"Bad Request", 503: b"Service Unavailable"}


async def handle(reader, writer):
    S.conns += 1
    S.conns_by_mode[S.mode] += 1
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            if line in (b"\r\n", b"\n"):
                continue
            try:
                method, target, version = line.decode("latin1").split()
            except ValueError:
                writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                break
            headers = {}
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                k, _, v = h.decode("latin1").partition(":")
                headers[k.strip().lower()] = v.strip()
            cl = int(headers.get("content-length", "0") or 0)
            if cl:
                await reader.readexactly(cl)
            conn = headers.get("connection", "").lower()
            keep = (conn != "close") if version == "HTTP/1.1" else (conn == "keep-alive")
            status, hdrs, payload = await route(method, target, headers)
            out = [b"HTTP/1.1 %d %s\r\nServer: fault-origin\r\nDate: %s\r\n" % (status, REASON.get(status, b"X"), http_date())]
            for k, v in hdrs:
                out.append(k + b": " + v + b"\r\n")
            if status != 304:
                out.append(b"Content-Length: %d\r\n" % len(payload))
            out.append(b"Connection: keep-alive\r\n\r\n" if keep else b"Connection: close\r\n\r\n")
            writer.write(b"".join(out))
            if method != "HEAD" and status != 304 and payload:
                writer.write(payload)
            await writer.drain()
            if not keep:
                break
    except (Close, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=18080)
    ap.add_argument("--delay", type=float, default=0.0, help="default per-response delay, ms")
    ap.add_argument("--maxage", type=int, default=3600)
    a = ap.parse_args()
    S.delay_ms, S.maxage = a.delay, a.maxage
    srv = await asyncio.start_server(handle, a.host, a.port, backlog=4096, reuse_address=True)
    async with srv:
        await srv.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
