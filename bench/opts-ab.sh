#!/usr/bin/env bash
# Cache-hit throughput under two (or more) launch commands (e.g. ./outrigger's JVM options against a bare
# `java -jar`, or two builds), all running at once but loaded one at a time, in interleaved 8 s rounds
# after 20 s of warm-up each:
#
#   bench/opts-ab.sh 'opts=./outrigger' "bare=java -jar target/quarkus-app/quarkus-run.jar"
#   SCENARIO=zipf REDIS=1 bench/opts-ab.sh "before=java -jar /tmp/before/quarkus-run.jar" "after=java -jar target/quarkus-app/quarkus-run.jar"
#
# SCENARIO: hot1k (default: one 1 KiB URL) or zipf (10,000 keys of 1 KiB warmed first, then requested with
# Zipf s=1.0 by ../shared/bench/lib/bench.lua, as the team's harness does). REDIS=1: each command gets a
# redis-server of its own (QUARKUS_REDIS_HOSTS), so the L1-over-Redis path is measured.
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
  label=${spec%%=*} cmd=${spec#*=} port=$(free_port) redis_env=()
  if [ "${REDIS:-0}" = 1 ]; then
    rport=$(free_port)
    redis-server --port "$rport" --save '' --appendonly no >/dev/null 2>&1 & PIDS+=($!)
    for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis_env=(QUARKUS_REDIS_HOSTS="redis://127.0.0.1:$rport")
  fi
  env ${redis_env[@]+"${redis_env[@]}"} QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT="$(free_port)" OUTRIGGER_UPSTREAM_URL="http://127.0.0.1:$ORIGIN_PORT" \
    sh -c "exec $cmd" >/dev/null 2>&1 & PIDS+=($!)
  LABELS+=("$label") PORTS+=("$port")
done
LIB=${BENCH_LIB:-../shared/bench/lib}
load() {  # port seconds [--latency]
  if [ "${SCENARIO:-hot1k}" = zipf ]; then
    WRK_KEYS=10000 WRK_ZIPF_S=1.0 WRK_PREFIX=/obj/k WRK_QUERY=size=1024 \
      wrk -t2 -c"$CONNS" -d"$2s" ${3:-} -s "$LIB/bench.lua" "http://127.0.0.1:$1/"
  else
    wrk -t2 -c"$CONNS" -d"$2s" ${3:-} "http://127.0.0.1:$1/obj/hot?size=1024"
  fi
}
for i in "${!PORTS[@]}"; do
  for _ in $(seq 600); do curl -fs -o /dev/null "http://127.0.0.1:${PORTS[$i]}/obj/hot?size=1024" && break; sleep 0.1; done
  if [ "${SCENARIO:-hot1k}" = zipf ]; then
    python3 "$LIB/hclient.py" warm --port "${PORTS[$i]}" --n 10000 --prefix /obj/k --query size=1024 --conc 64 >/dev/null
  fi
  load "${PORTS[$i]}" 20 >/dev/null
done
declare -A ALL
for r in $(seq "$ROUNDS"); do
  for i in "${!PORTS[@]}"; do
    out=$(load "${PORTS[$i]}" "$SECS" --latency)
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out") p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    echo "round $r  ${LABELS[$i]}  req/s=$rps  p99=$p99"
    ALL[${LABELS[$i]}]+="$rps "
  done
done
for l in "${LABELS[@]}"; do
  echo "${LABELS[*]}" >/dev/null
  python3 -c 'import statistics,sys; x=[float(v) for v in sys.argv[2:]]; print("%-10s median %.0f req/s [%.0f-%.0f]" % (sys.argv[1], statistics.median(x), min(x), max(x)))' "$l" ${ALL[$l]}
done
