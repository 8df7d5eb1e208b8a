#!/usr/bin/env bash
# A cold-key stampede spread over several Outrigger replicas sharing one Redis: how many requests reach
# the origin, and the latency everyone sees. The single-proxy stampede next to nginx and Varnish is the
# shared harness's `stampede` scenario (see README, Development).
#
#   bench/stampede-replicas.sh [--replicas 3] [--n 200] [--delay 200] [--reps 5] [--warmup 20] [--jar target/quarkus-app/quarkus-run.jar]
#
# Starts: the shared harness's origin (../shared/bench/lib/origin.py), a redis-server, N replicas (JVM);
# fires --reps stampedes (each on a new cold key, after --warmup unmeasured ones: the JVMs' JIT needs them), prints one JSON
# line per rep plus origin hits, stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
REPLICAS=3; N=200; DELAY=200; REPS=5; WARMUP=20; JAR=target/quarkus-app/quarkus-run.jar
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) REPLICAS=$2; shift 2;; --n) N=$2; shift 2;; --delay) DELAY=$2; shift 2;;
    --reps) REPS=$2; shift 2;; --warmup) WARMUP=$2; shift 2;; --jar) JAR=$2; shift 2;;
    *) echo "unknown argument: $1" >&2; exit 2;;
  esac
done
LIB=../shared/bench/lib
[ -f "$JAR" ] || { echo "build first: ./mvnw -q package -DskipTests" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "needs redis-server (apt-get install redis-server)" >&2; exit 2; }
. .mvn/find-jdk.sh  # the JDK >= 21 the README's commands use, whatever `java` on the PATH is
find_jdk || { echo "needs a JDK >= 21" >&2; exit 2; }
JAVA=$OUTRIGGER_JDK/bin/java
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_http() { for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }

OP=$(free_port); RP=$(free_port)
python3 "$LIB/origin.py" --port "$OP" --delay 0 >/dev/null 2>&1 & PIDS+=($!)
redis-server --port "$RP" --save '' --appendonly no >/dev/null 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$OP/__total"
PORTS=()
for i in $(seq 1 "$REPLICAS"); do
  p=$(free_port); m=$(free_port)
  QUARKUS_HTTP_PORT=$p QUARKUS_MANAGEMENT_PORT=$m OUTRIGGER_UPSTREAM_URL=http://127.0.0.1:$OP \
    QUARKUS_REDIS_HOSTS=redis://127.0.0.1:$RP "$JAVA" -jar "$JAR" >/dev/null 2>&1 & PIDS+=($!)
  PORTS+=("$p")
done
for p in "${PORTS[@]}"; do wait_http "http://127.0.0.1:$p/__total"; done
LIST=$(IFS=,; echo "${PORTS[*]}")
for w in $(seq 1 "$WARMUP"); do  # unmeasured: JIT the miss, lease, wait and fill paths on every replica
  python3 bench/lib/spread.py --ports "$LIST" --n "$N" --path "/obj/warm-$$-$w?size=1024&d=$DELAY&ma=3600" >/dev/null
done
for r in $(seq 1 "$REPS"); do
  key="st-$$-$r"
  out=$(python3 bench/lib/spread.py --ports "$LIST" --n "$N" --path "/obj/$key?size=1024&d=$DELAY&ma=3600")
  sleep 0.3
  echo "{\"rep\": $r, \"origin_hits\": $(curl -s "http://127.0.0.1:$OP/__hits?k=$key"), \"result\": $out}"
done
