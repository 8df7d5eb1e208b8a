#!/usr/bin/env python3
"""A cold-key stampede spread over several proxies (replicas of one deployment).

  spread.py --ports P1,P2,P3 --path PATH [--n 200] [--host shop.example] [--timeout 30]

Opens N connections first (round-robin over the ports), then sends N identical GETs at once, all with
the same Host (so every replica computes the same cache key), and prints one JSON line: latency
percentiles, statuses, X-Cache tags, errors, and the latencies of the misses (the requests that fetched).
"""
import argparse, asyncio, json, math, time


def pct(vals, q):
    if not vals:
        return float("nan")
    return vals[max(0, min(len(vals) - 1, math.ceil(q / 100.0 * len(vals)) - 1))]


async def read_response(r):
    line = await r.readline()
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
    return status, headers


async def main(a):
    ports = [int(p) for p in a.ports.split(",")]
    conns = await asyncio.gather(*[asyncio.open_connection("127.0.0.1", ports[i % len(ports)]) for i in range(a.n)])
    await asyncio.sleep(0.05)
    data = ("GET %s HTTP/1.1\r\nHost: %s\r\nAccept: */*\r\n\r\n" % (a.path, a.host)).encode()
    lat, statuses, tags, errors, miss = [], {}, {}, 0, []

    async def fire(r, w):
        nonlocal errors
        t0 = time.perf_counter()
        try:
            w.write(data)
            await w.drain()
            st, h = await asyncio.wait_for(read_response(r), a.timeout)
            lat.append((time.perf_counter() - t0) * 1000.0)
            statuses[st] = statuses.get(st, 0) + 1
            tag = h.get("x-cache", "-")
            tags[tag] = tags.get(tag, 0) + 1
            if tag == "MISS":
                miss.append(round(lat[-1], 2))
        except Exception:
            errors += 1
        finally:
            w.close()

    await asyncio.gather(*[fire(r, w) for r, w in conns])
    lat.sort()
    print(json.dumps({"n": a.n, "replicas": len(ports), "errors": errors, "statuses": statuses, "cache_tags": tags,
                      "p50_ms": round(pct(lat, 50), 2), "p99_ms": round(pct(lat, 99), 2),
                      "max_ms": round(lat[-1], 2) if lat else None, "miss_ms": sorted(miss)}))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--ports", required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--host", default="shop.example")
    ap.add_argument("--timeout", type=float, default=30)
    asyncio.run(main(ap.parse_args()))
