#!/usr/bin/env bash
# Memory under key churn: runs Outrigger behind a real origin and sends only never-seen keys for
# DURATION seconds (each request a miss that stores a new entry, so the in-process cache evicts all the
# time) while sampling the process's resident set (VmRSS) every SAMPLE seconds:
#
#   bench/churn.sh                                   # ./outrigger (the README's run command), memory store
#   REDIS=1 bench/churn.sh                           # with a redis-server on a random port (L1 over Redis)
#   DURATION=120 bench/churn.sh java -jar target/quarkus-app/quarkus-run.jar   # another command
#
# Settings (environment): DURATION (600), SAMPLE (5), SIZE (16384, body bytes), CONNS (64), REDIS (0).
# The command gets QUARKUS_HTTP_PORT, QUARKUS_MANAGEMENT_PORT and OUTRIGGER_UPSTREAM_URL (and
# QUARKUS_REDIS_HOSTS with REDIS=1); it must exec the JVM (the launcher does), as its PID is sampled.
# Prints the samples, then first (after 10 s of load) / peak / last RSS, throughput and origin
# requests. Origin: ../shared/bench/lib/origin.py. Loopback only; stops what it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-600} SAMPLE=${SAMPLE:-5} SIZE=${SIZE:-16384} CONNS=${CONNS:-64} REDIS=${REDIS:-0}
ORIGIN_PY=${ORIGIN_PY:-../shared/bench/lib/origin.py}
[ $# -gt 0 ] || set -- ./outrigger
command -v wrk >/dev/null || { echo "churn.sh needs wrk (apt-get install wrk)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

ORIGIN_PORT=$(free_port) PORT=$(free_port) MGMT=$(free_port)
LOG=$(mktemp -t outrigger-churn.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

python3 "$ORIGIN_PY" --port "$ORIGIN_PORT" --delay 0 --maxage 3600 >/dev/null 2>&1 & PIDS+=($!)
ENV=(QUARKUS_HTTP_PORT="$PORT" QUARKUS_MANAGEMENT_PORT="$MGMT" OUTRIGGER_UPSTREAM_URL="http://127.0.0.1:$ORIGIN_PORT")
if [ "$REDIS" = 1 ]; then
  REDIS_PORT=$(free_port)
  # Redis's own memory is not what is measured; bound it so it does not swap the machine.
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --maxmemory 512mb --maxmemory-policy allkeys-lru >/dev/null & PIDS+=($!)
  ENV+=(QUARKUS_REDIS_HOSTS="redis://127.0.0.1:$REDIS_PORT")
fi
env "${ENV[@]}" "$@" >"$LOG" 2>&1 & APP=$!; PIDS+=($APP)
for _ in $(seq 600); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/obj/ready?size=16" && break; sleep 0.1; done
curl -fs -o /dev/null "http://127.0.0.1:$PORT/obj/ready?size=16" || { cat "$LOG"; echo "not ready" >&2; exit 1; }
echo "command: $*  (pid $APP, store: $([ "$REDIS" = 1 ] && echo "L1 over redis" || echo memory), size $SIZE, $CONNS connections, ${DURATION}s)"
echo "idle rss: $(( $(rss_kib "$APP") / 1024 )) MiB"

wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s -s bench/lib/churn.lua "http://127.0.0.1:$PORT" -- "$SIZE" >"$LOG.wrk" 2>&1 & WRK=$!; PIDS+=($WRK)
START=$(date +%s) SAMPLES=()
while kill -0 "$WRK" 2>/dev/null; do
  sleep "$SAMPLE"
  kill -0 "$WRK" 2>/dev/null || break
  kill -0 "$APP" 2>/dev/null || { cat "$LOG"; echo "the process exited" >&2; exit 1; }
  R=$(( $(rss_kib "$APP") / 1024 ))
  T=$(( $(date +%s) - START ))
  SAMPLES+=("$T:$R")
  echo "t=${T}s rss=${R}MiB"
done
wait "$WRK" || true
echo
awk '/Requests\/sec|Non-2xx|Socket errors|requests in/' "$LOG.wrk"
echo "origin requests: $(curl -fs "http://127.0.0.1:$ORIGIN_PORT/__total")"
printf '%s\n' "${SAMPLES[@]}" | awk -F: '
  $1 >= 10 && first == "" { first = $2 }
  { if ($2 > peak) peak = $2; last = $2 }
  END { printf "rss MiB: first(>=10s) %s  peak %s  last %s\n", first, peak, last }'
rm -f "$LOG.wrk" "$LOG"
