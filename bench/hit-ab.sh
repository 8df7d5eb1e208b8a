#!/usr/bin/env bash
# Cache-hit throughput of two Outrigger builds, measured the same way one after the other
# (memory store, no Redis), to judge a change to the hit path:
#
#   cp -r target/quarkus-app /tmp/before   # build of the base commit
#   ... change, ./mvnw -q package -DskipTests ...
#   bench/hit-ab.sh /tmp/before target/quarkus-app
#
# Each build gets the same warm-up (20 s hot 1 KiB, 20 s hot 256 KiB) before 3 × 8 s of each.
# Origin: ../shared/bench/lib/origin.py on 127.0.0.1:18080. Loopback only; stops what it starts.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/.."/.mvn/find-jdk.sh  # the JDK >= 21 the README's commands use, whatever `java` on the PATH is
find_jdk || { echo "needs a JDK >= 21" >&2; exit 2; }
JAVA=$OUTRIGGER_JDK/bin/java
command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null; apt-get install -y -q wrk >/dev/null; }; }
python3 "$HERE/../../shared/bench/lib/origin.py" --port 18080 --delay 50 >/dev/null 2>&1 & ORIGIN=$!
trap 'kill $ORIGIN 2>/dev/null || true; [ -n "${APP:-}" ] && kill $APP 2>/dev/null || true' EXIT
for app in "$@"; do
  QUARKUS_HTTP_PORT=18090 QUARKUS_MANAGEMENT_PORT=18091 OUTRIGGER_UPSTREAM_URL=http://127.0.0.1:18080 \
    "$JAVA" -jar "$app/quarkus-run.jar" >/dev/null 2>&1 & APP=$!
  for _ in $(seq 300); do curl -fs -o /dev/null "http://127.0.0.1:18090/obj/hot?size=1024" && break; sleep 0.1; done
  curl -fs -o /dev/null "http://127.0.0.1:18090/obj/hot?size=262144"
  wrk -t2 -c64 -d20s "http://127.0.0.1:18090/obj/hot?size=1024" >/dev/null
  wrk -t2 -c64 -d20s "http://127.0.0.1:18090/obj/hot?size=262144" >/dev/null
  for size in 1024 262144; do
    for _ in 1 2 3; do
      echo "$app size=$size req/s=$(wrk -t2 -c64 -d8s "http://127.0.0.1:18090/obj/hot?size=$size" | awk '/Requests\/sec/ {print $2}')"
    done
  done
  kill $APP; wait $APP 2>/dev/null || true; APP=
done
