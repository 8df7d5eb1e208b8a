#!/usr/bin/env python3
"""An origin whose responses carry purge tags, for bench/purge.sh.

  tagged_origin.py --port P

GET /<anything>?ma=SECONDS&tags=a,b  ->  200, 1 KiB body naming the version, Cache-Control: max-age=SECONDS,
Surrogate-Key: a b item:<path>. GET /__hits?p=/path -> how many times that path was fetched.
"""
import argparse, asyncio
from urllib.parse import urlsplit, parse_qs

hits = {}


async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            target = line.split()[1].decode()
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            u = urlsplit(target)
            q = parse_qs(u.query)
            if u.path == "/__hits":
                body = str(hits.get(q.get("p", [""])[0], 0)).encode()
                head = "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nCache-Control: no-store\r\n\r\n" % len(body)
            else:
                hits[u.path] = hits.get(u.path, 0) + 1
                tags = [t for t in q.get("tags", [""])[0].split(",") if t] + ["item:" + u.path]
                body = ("%s v%d " % (u.path, hits[u.path])).encode().ljust(1024, b".")
                head = ("HTTP/1.1 200 OK\r\nContent-Length: %d\r\nCache-Control: max-age=%s\r\nSurrogate-Key: %s\r\n\r\n"
                        % (len(body), q.get("ma", ["3600"])[0], " ".join(tags)))
            writer.write(head.encode() + body)
            await writer.drain()
    except (ConnectionError, IndexError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    a = ap.parse_args()
    server = await asyncio.start_server(handle, "127.0.0.1", a.port, backlog=1024)
    async with server:
        await server.serve_forever()


asyncio.run(main())
