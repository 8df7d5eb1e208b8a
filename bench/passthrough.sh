#!/usr/bin/env bash
# Pass-through (no caching) cost of Outrigger next to nginx's proxy_pass, measured in the same run.
#
#   bench/passthrough.sh [--reps N] [--duration S] [--conns C] [--warmup S]
#
# Origin: nginx serving a 1 KiB static file on 127.0.0.1:18180 ("direct").
# nginx:  proxy_pass to it with upstream keep-alive, no cache, on 18181.
# outrigger: the JVM build (target/quarkus-app) on 18190, management on 18191.
# For each rep (order rotated): wrk -c C throughput, and wrk -c 1 latency (p50/p99), per target.
# Also: start-up time to the first request served through Outrigger, and its RSS after start.
# Loopback only; every process started here is stopped on exit.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(dirname "$HERE")
REPS=3; DUR=10; CONNS=64; WARM=30
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS=$2; shift 2;; --duration) DUR=$2; shift 2;; --conns) CONNS=$2; shift 2;;
    --warmup) WARM=$2; shift 2;;
    *) echo "usage: $0 [--reps N] [--duration S] [--conns C] [--warmup S]" >&2; exit 2;;
  esac
done
for b in wrk nginx; do command -v $b >/dev/null || { apt-get install -y -q $b >/dev/null || { apt-get update -q >/dev/null; apt-get install -y -q $b >/dev/null; }; }; done
. "$ROOT"/.mvn/find-jdk.sh  # the JDK >= 21 the README's commands use, whatever `java` on the PATH is
find_jdk || { echo "needs a JDK >= 21" >&2; exit 2; }
JAVA=$OUTRIGGER_JDK/bin/java
[ -f "$ROOT/target/quarkus-app/quarkus-run.jar" ] || (cd "$ROOT" && ./mvnw -q package -DskipTests)

RUN=$(mktemp -d /tmp/outrigger-passthrough.XXXX)
chmod 755 "$RUN"   # nginx workers run as nobody
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

mkdir -p "$RUN/www" "$RUN/tmp"
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$RUN/www/obj"
cat > "$RUN/nginx.conf" <<NG
worker_processes 1;
pid $RUN/nginx.pid;
error_log $RUN/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $RUN/tmp; proxy_temp_path $RUN/tmp; fastcgi_temp_path $RUN/tmp;
  uwsgi_temp_path $RUN/tmp; scgi_temp_path $RUN/tmp;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:18180; root $RUN/www; default_type application/octet-stream; }
  upstream origin { server 127.0.0.1:18180; keepalive 128; }
  server {
    listen 127.0.0.1:18181;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering on; }
  }
}
NG
nginx -p "$RUN" -c "$RUN/nginx.conf" -g 'daemon off;' & PIDS+=($!)

start_ns=$(date +%s%N)
QUARKUS_HTTP_PORT=18190 QUARKUS_MANAGEMENT_PORT=18191 OUTRIGGER_UPSTREAM_URL=http://127.0.0.1:18180 \
  "$JAVA" -jar "$ROOT/target/quarkus-app/quarkus-run.jar" > "$RUN/outrigger.log" 2>&1 & OPID=$!; PIDS+=($OPID)
deadline=$(( $(date +%s) + 60 ))
until curl -fs -o /dev/null http://127.0.0.1:18190/obj; do
  kill -0 $OPID 2>/dev/null || { tail -20 "$RUN/outrigger.log"; exit 1; }
  [ "$(date +%s)" -lt "$deadline" ] || { echo "no 200 through Outrigger within 60 s; see $RUN" >&2; exit 1; }
  sleep 0.01
done
startup_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
rss_start=$(awk '/VmRSS/ {print $2}' /proc/$OPID/status)

to_us() { awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n*1000; else if (v ~ /s$/) print n*1000000; else print n }'; }
measure() { # name port -> rps p50 p99 (c=1)
  local out1 outc
  outc=$(wrk -t2 -c"$CONNS" -d"${DUR}s" "http://127.0.0.1:$2/obj")
  out1=$(wrk -t1 -c1 -d"${DUR}s" --latency "http://127.0.0.1:$2/obj")
  local rps p50 p99
  rps=$(echo "$outc" | awk '/Requests\/sec/ {print $2}')
  p50=$(to_us "$(echo "$out1" | awk '$1=="50%" {print $2}')")
  p99=$(to_us "$(echo "$out1" | awk '$1=="99%" {print $2}')")
  echo "$1 $rps $p50 $p99" >> "$RUN/raw.txt"
}
# The JVM reaches steady state only after its JIT has compiled the request path: on 2 shared cores
# that takes tens of seconds of load (the first seconds run at a fraction of the steady rate).
echo "warming up ${WARM}s..." >&2
wrk -t2 -c"$CONNS" -d"${WARM}s" http://127.0.0.1:18190/obj >/dev/null
wrk -t2 -c"$CONNS" -d2s http://127.0.0.1:18181/obj >/dev/null
targets=(direct:18180 nginx:18181 outrigger:18190)
for rep in $(seq 1 "$REPS"); do
  echo "rep $rep/$REPS" >&2
  n=${#targets[@]}
  for i in $(seq 0 $((n-1))); do t=${targets[$(( (i + rep) % n ))]}; measure "${t%%:*}" "${t##*:}"; done
done
rss_end=$(awk '/VmRSS/ {print $2}' /proc/$OPID/status)

python3 - "$RUN/raw.txt" "$startup_ms" "$rss_start" "$rss_end" "$CONNS" "$DUR" "$REPS" <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for name, rps, p50, p99 in rows:
    by.setdefault(name, []).append((float(rps), float(p50), float(p99)))
med = {k: tuple(st.median(x[i] for x in v) for i in range(3)) for k, v in by.items()}
print(f"## Pass-through, 1 KiB, {sys.argv[7]} reps x {sys.argv[6]} s, medians (shared 2 cores)\n")
print(f"| target | req/s at c={sys.argv[5]} | ratio to nginx | p50 at c=1 (us) | p99 at c=1 (us) | p50 added vs direct (us) | p99 added vs direct (us) |")
print("|---|---|---|---|---|---|---|")
d = med["direct"]; n = med["nginx"]
for k in ("direct", "nginx", "outrigger"):
    r, p50, p99 = med[k]
    print(f"| {k} | {r:,.0f} | {r / n[0]:.2f} | {p50:.0f} | {p99:.0f} | {p50 - d[1]:+.0f} | {p99 - d[2]:+.0f} |")
print(f"\nOutrigger (JVM): first request served {sys.argv[2]} ms after launch; RSS {int(sys.argv[3])//1024} MiB after start, {int(sys.argv[4])//1024} MiB after the run")
PY
