#!/usr/bin/env bash
# Hot 1 KiB cache-hit throughput of the same build under two launch commands (e.g. ./outrigger's JVM
# options against a bare `java -jar`), both running at once but loaded one at a time, in interleaved
# 8 s rounds after 20 s of warm-up each:
#
#   bench/opts-ab.sh 'opts=./outrigger' "bare=java -jar target/quarkus-app/quarkus-run.jar"
#
# Settings: ROUNDS (4), SECONDS_PER_ROUND (8), CONNS (64). Origin: ../shared/bench/lib/origin.py.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-4} SECS=${SECONDS_PER_ROUND:-8} CONNS=${CONNS:-64}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
ORIGIN_PORT=$(free_port)
python3 "${ORIGIN_PY:-../shared/bench/lib/origin.py}" --port "$ORIGIN_PORT" --delay 0 >/dev/null 2>&1 & PIDS+=($!)
LABELS=() PORTS=()
for spec in "$@"; do
  label=${spec%%=*} cmd=${spec#*=} port=$(free_port)
  env QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT="$(free_port)" OUTRIGGER_UPSTREAM_URL="http://127.0.0.1:$ORIGIN_PORT" \
    sh -c "exec $cmd" >/dev/null 2>&1 & PIDS+=($!)
  LABELS+=("$label") PORTS+=("$port")
done
for i in "${!PORTS[@]}"; do
  for _ in $(seq 600); do curl -fs -o /dev/null "http://127.0.0.1:${PORTS[$i]}/obj/hot?size=1024" && break; sleep 0.1; done
  wrk -t2 -c"$CONNS" -d20s "http://127.0.0.1:${PORTS[$i]}/obj/hot?size=1024" >/dev/null
done
declare -A ALL
for r in $(seq "$ROUNDS"); do
  for i in "${!PORTS[@]}"; do
    out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:${PORTS[$i]}/obj/hot?size=1024")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out") p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    echo "round $r  ${LABELS[$i]}  req/s=$rps  p99=$p99"
    ALL[${LABELS[$i]}]+="$rps "
  done
done
for l in "${LABELS[@]}"; do
  echo "${LABELS[*]}" >/dev/null
  python3 -c 'import statistics,sys; x=[float(v) for v in sys.argv[2:]]; print("%-10s median %.0f req/s [%.0f-%.0f]" % (sys.argv[1], statistics.median(x), min(x), max(x)))' "$l" ${ALL[$l]}
done
