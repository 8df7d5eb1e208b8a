#!/usr/bin/env bash
# Compressed storage, on versus off, for one hot 256 KiB JSON document behind Redis (L1 on, the default):
# the bytes Redis holds for it, and hit throughput for clients that accept gzip and for clients that do not
# (those get it decompressed on every hit when it is stored compressed).
#
#   ./mvnw -q package -DskipTests && bench/compress.sh
#
# Origin: bench/lib/json_origin.py on 127.0.0.1:18080; Redis: redis-server on 127.0.0.1:18379 (no persistence);
# Outrigger on 18090. 3 × 8 s of wrk per client kind after a 10 s warm-up. Loopback only; stops what it starts.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/.."/.mvn/find-jdk.sh
find_jdk || { echo "needs a JDK >= 21" >&2; exit 2; }
JAVA=$OUTRIGGER_JDK/bin/java
APP=${APP:-$HERE/../target/quarkus-app}
for tool in wrk redis-server; do
  command -v $tool >/dev/null || { apt-get update -q >/dev/null; apt-get install -y -q wrk redis-server >/dev/null; }
done
python3 "$HERE/lib/json_origin.py" --port 18080 --size 262144 & ORIGIN=$!
redis-server --port 18379 --save '' --appendonly no >/dev/null & REDIS=$!
trap 'kill $ORIGIN $REDIS 2>/dev/null || true; [ -n "${PROXY:-}" ] && kill $PROXY 2>/dev/null || true' EXIT
sleep 0.5
URL=http://127.0.0.1:18090/doc
for mode in true false; do
  redis-cli -p 18379 flushall >/dev/null
  QUARKUS_HTTP_PORT=18090 QUARKUS_MANAGEMENT_PORT=18091 OUTRIGGER_UPSTREAM_URL=http://127.0.0.1:18080 \
    QUARKUS_REDIS_HOSTS=redis://127.0.0.1:18379 OUTRIGGER_COMPRESS_ENABLED=$mode \
    "$JAVA" -XX:MaxRAMPercentage=50 -jar "$APP/quarkus-run.jar" >/dev/null 2>&1 & PROXY=$!
  for _ in $(seq 300); do curl -fs -o /dev/null "$URL" && break; sleep 0.1; done
  sleep 1 # the copy is written after the first client has it
  key=$(redis-cli -p 18379 --scan --pattern '*doc*' | head -1)
  bytes=$(redis-cli -p 18379 memory usage "$key")
  used=$(redis-cli -p 18379 info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')
  wrk -t2 -c64 -d10s -H 'Accept-Encoding: gzip' "$URL" >/dev/null
  for kind in gzip identity; do
    header=$([ $kind = gzip ] && echo 'Accept-Encoding: gzip' || echo 'Accept-Encoding: identity')
    for rep in 1 2 3; do
      out=$(wrk -t2 -c64 -d8s -H "$header" "$URL")
      echo "compress=$mode client=$kind rep=$rep req/s=$(echo "$out" | awk '/Requests\/sec/ {print $2}') transfer/s=$(echo "$out" | awk '/Transfer\/sec/ {print $2}') p50=$(echo "$out" | awk '/Latency/ {print $2}')"
    done
  done
  echo "compress=$mode redis_key_bytes=$bytes redis_used_memory=$used origin_requests=$(curl -s http://127.0.0.1:18080/__total)"
  kill $PROXY; wait $PROXY 2>/dev/null || true; PROXY=
done
