#!/usr/bin/env python3
"""An origin serving one JSON document of about --size bytes (a product list with varied values, so it compresses
as real API answers do, not as repeated bytes), Cache-Control: public, max-age=3600. /__total counts requests."""
import argparse, http.server, json, random, threading

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=18080)
ap.add_argument("--size", type=int, default=262144)
a = ap.parse_args()
rnd = random.Random(7)
words = ["lamp", "chair", "oak", "steel", "blue", "green", "compact", "deluxe", "garden", "kitchen", "travel", "classic",
         "modern", "cotton", "wool", "glass", "desk", "shelf", "sofa", "rug", "mirror", "clock", "vase", "bowl"]
items, size = [], 0
while size < a.size:
    item = {"sku": "SKU-%06d" % rnd.randrange(10**6), "name": " ".join(rnd.choice(words) for _ in range(3)),
            "price": round(rnd.uniform(1, 500), 2), "stock": rnd.randrange(0, 1000),
            "rating": round(rnd.uniform(1, 5), 1), "tags": rnd.sample(words, 3),
            "updated": "2026-%02d-%02dT%02d:%02d:00Z" % (rnd.randrange(1, 13), rnd.randrange(1, 29), rnd.randrange(24), rnd.randrange(60))}
    items.append(item)
    size += len(json.dumps(item)) + 1
DOC = json.dumps({"items": items}).encode()
total = 0
lock = threading.Lock()

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        global total
        if self.path == "/__total":
            body = str(total).encode(); ctype = "text/plain"; cc = "no-store"
        else:
            with lock:
                total += 1
            body = DOC; ctype = "application/json"; cc = "public, max-age=3600"
        self.send_response(200)
        self.send_header("Content-Type", ctype); self.send_header("Cache-Control", cc)
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass

http.server.ThreadingHTTPServer(("127.0.0.1", a.port), H).serve_forever()
