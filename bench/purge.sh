#!/usr/bin/env bash
# Purge figures with two Outrigger replicas sharing one Redis (JVM, this machine):
#  - a tag purge over N cached entries (10k and 100k): the admin call's time, and the time until the other
#    replica serves a fresh copy of a purged entry (polled with curl, so it includes curl's own ~10 ms);
#  - broadcast lag from the issuing replica to the other (outrigger_purge_broadcast_lag_seconds, p50/p99)
#    over --purges purges;
#  - what purge bookkeeping holds after --churn entries have come and expired (Redis keys and memory,
#    the replica's purge records).
#
#   bench/purge.sh [--sizes 10000,100000] [--purges 500] [--churn 1000000] [--jar target/quarkus-app/quarkus-run.jar]
# (an empty --sizes skips the purge-time part)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=10000,100000; PURGES=500; CHURN=1000000; JAR=target/quarkus-app/quarkus-run.jar
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES=$2; shift 2;; --purges) PURGES=$2; shift 2;; --churn) CHURN=$2; shift 2;; --jar) JAR=$2; shift 2;;
    *) echo "unknown argument: $1" >&2; exit 2;;
  esac
done
[ -f "$JAR" ] || { echo "build first: ./mvnw -q package -DskipTests" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "needs redis-server and redis-cli (apt-get install redis-server)" >&2; exit 2; }
. ./.mvn/find-jdk.sh  # the JDK >= 21 the README's commands use, whatever `java` on the PATH is
find_jdk || { echo "needs a JDK >= 21" >&2; exit 2; }
JAVA=$OUTRIGGER_JDK/bin/java
HC=../shared/bench/lib/hclient.py
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_http() { for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }
now_ms() { date +%s%3N; }

OP=$(free_port); RP=$(free_port); TOKEN=bench-token
python3 bench/lib/tagged_origin.py --port "$OP" & PIDS+=($!)
redis-server --port "$RP" --save '' --appendonly no >/dev/null 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$OP/__hits"
declare -a PORT MPORT
for r in 0 1; do
  PORT[$r]=$(free_port); MPORT[$r]=$(free_port)
  QUARKUS_HTTP_PORT=${PORT[$r]} QUARKUS_MANAGEMENT_PORT=${MPORT[$r]} OUTRIGGER_UPSTREAM_URL=http://127.0.0.1:$OP \
    QUARKUS_REDIS_HOSTS=redis://127.0.0.1:$RP OUTRIGGER_ADMIN_TOKEN=$TOKEN "$JAVA" -jar "$JAR" >/dev/null 2>&1 & PIDS+=($!)
done
for r in 0 1; do wait_http "http://127.0.0.1:${MPORT[$r]}/q/health/ready"; done
A=${PORT[0]}; B=${PORT[1]}
purge() { curl -s -o /dev/null -w '%{time_total}' -X POST "http://127.0.0.1:${MPORT[0]}/admin/purge" \
            -H "Authorization: Bearer $TOKEN" -d "$1"; }
xcache() { curl -s -o /dev/null -D - "http://127.0.0.1:$1$2" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache"{print $2}'; }

for i in $(seq 1 50); do purge "{\"tags\":[\"warm-up-$i\"]}" >/dev/null; done  # the first calls run on a cold JIT
IFS=, read -ra NS <<<"$SIZES"
for n in ${NS[@]+"${NS[@]}"}; do
  warm=$(python3 "$HC" warm --port "$A" --n "$n" --prefix "/s$n/k" --query "ma=3600&tags=bulk$n" --conc 64 --timeout 900)
  sample="/s$n/k$((n / 2))?ma=3600&tags=bulk$n"
  for _ in $(seq 1 100); do [ "$(xcache "$B" "$sample")" = HIT ] && break; sleep 0.05; done
  t0=$(now_ms)
  api=$(purge "{\"tags\":[\"bulk$n\"]}")
  until [ "$(xcache "$B" "$sample")" = MISS ]; do :; done
  t1=$(now_ms)
  echo "{\"entries\": $n, \"warm\": $warm, \"admin_call_s\": $api, \"until_other_replica_misses_ms\": $((t1 - t0))}"
done

lag_buckets() { curl -s "http://127.0.0.1:${MPORT[1]}/q/metrics" | grep '^outrigger_purge_broadcast_lag_seconds_bucket'; }
lag_buckets > "${TMPDIR:-/tmp}/lag-before.$$"   # the warm-up purges above are not part of the figure
for i in $(seq 1 "$PURGES"); do purge "{\"tags\":[\"lag-$i\"]}" >/dev/null; done
sleep 1
lag_buckets | python3 -c '
import sys, os
def read(lines):
    out = {}
    for l in lines:
        le = l.split("le=\"")[1].split("\"")[0]
        out[float("inf") if le == "+Inf" else float(le)] = float(l.split()[-1])
    return out
before = read(open(sys.argv[1]))
after = read(sys.stdin)
b = sorted((le, c - before.get(le, 0)) for le, c in after.items())
count = b[-1][1]
def q(p):
    for le, c in b:
        if c >= p * count:
            return le * 1000
print("{\"broadcast_lag_purges\": %d, \"p50_ms_at_most\": %.3f, \"p99_ms_at_most\": %.3f}" % (count, q(0.5), q(0.99)))' "${TMPDIR:-/tmp}/lag-before.$$"

before_keys=$(redis-cli -p "$RP" dbsize); before_mem=$(redis-cli -p "$RP" info memory | awk -F: '/^used_memory:/{print $2}' | tr -d '\r')
python3 "$HC" warm --port "$A" --n "$CHURN" --prefix "/churn/k" --query "ma=2&tags=churn,wave" --conc 64 --timeout 3600 >/dev/null
sleep 3
for _ in $(seq 1 120); do
  left=$(redis-cli -p "$RP" --scan --pattern 'orc:v1:*churn*' 2>/dev/null | head -1 | wc -l || true)
  [ "$left" = 0 ] && break; sleep 1
done
after_keys=$(redis-cli -p "$RP" dbsize); after_mem=$(redis-cli -p "$RP" info memory | awk -F: '/^used_memory:/{print $2}' | tr -d '\r')
records=$(curl -s "http://127.0.0.1:${MPORT[0]}/q/metrics" | awk '/^outrigger_purge_records /{print $2}')
zset=$(redis-cli -p "$RP" memory usage orc:v1:purges)
echo "{\"churned_entries\": $CHURN, \"redis_keys_before\": $before_keys, \"redis_keys_after\": $after_keys, \"redis_used_memory_before\": $before_mem, \"redis_used_memory_after\": $after_mem, \"purge_records_in_replica\": $records, \"purge_set_bytes\": ${zset:-0}}"
