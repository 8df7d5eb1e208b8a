#!/usr/bin/env bash
# Resilience under faults (issue 17): what one Outrigger build does when Redis dies or stalls, when the
# application fails, when a coalescing leader dies, when cold replicas meet a stampede, under key churn,
# and right after start-up. One row of the issue's table per fault; each row starts its own processes
# (origin, redis-server, replicas) on random free loopback ports and stops them before the next.
#
#   bench/faults.sh [--jar target/quarkus-app/quarkus-run.jar] [--rows redis-kill,redis-stall,...] [--reps 3]
#                   [--churn-seconds 60] [--warmup 30] [--stall sleep|pause] [--out DIR] [--aot on|off]
#
# Rows (default: all, in this order):
#   redis-kill     2 replicas; load 5 s, SIGKILL redis-server for 10 s under load, restart it on the same port, 5 s more
#   redis-stall    2 replicas; load 5 s, then 10 s of back-to-back 200 ms Redis stalls (--stall sleep: `redis-cli -r 50
#                  DEBUG SLEEP 0.2`, one connection, so Redis answers only in the gaps; --stall pause: `CLIENT PAUSE 200 ALL`
#                  then sleep 0.2, repeated for 10 s)
#   app-down       2 replicas; 100 keys max-age=1, stale-if-error=600, stale; app answers 503 for 5 s, then closes
#                  connections unanswered for 5 s, under load over those keys
#   leader-kill    2 replicas; cold key (app 2 s); A -> replica 1, 10 x B -> replica 2 50 ms later; SIGKILL replica 1 at 0.3 s
#   cold-stampede  3 fresh replicas; as soon as all are ready, 300 requests (100 each) for one cold key (app 300 ms)
#   churn          1 replica; every request a new 16 KiB key for --churn-seconds; Redis used_memory and RSS every 10 s
#   log-lines      1 replica; uncacheable requests (Cache-Control: no-store) while the app answers 503 (5 s), then closes (5 s)
#   cold-start     1 fresh replica; when its traffic port opens, 50 URLs GET twice each; store log lines and metrics at 10 s
# --reps applies to every row but churn (one run). Each rep starts fresh processes.
#
# Load ("steady load"): wrk -t2 -c32 --timeout 10s with bench/lib/fault_load.lua; with two replicas each wrk thread
# (16 connections) is pinned to one replica. Keys rotate over 200 warm 1 KiB keys, Cache-Control: public, max-age=3600,
# every key fetched through both replicas first, then --warmup s of unmeasured load (the JIT: with 10 s the baseline was
# still warming, and "during" beat it by 50-250% even while Redis stalled; 30 s). wrk's non-2xx figure is
# its "status errors" (status >= 400). The app-down and log-lines rows count "<status> <X-Cache>" per response in wrk's
# Lua response() callback (wrk sees headers there), not with a separate client.
# The machine running this also runs the replicas, Redis, the origin (bench/lib/fault_origin.py) and wrk: with 2 cores
# wrk's 2 threads compete with the replicas; figures are for comparing builds on one machine, not absolute.
#
# Prints one line and one JSON line per row and rep, then a markdown summary table. Raw outputs stay in --out (default:
# a new /tmp/faults.XXXXXX), one directory per row and rep: replica logs (rN.log), wrk output, /q/metrics snapshots
# (*.prom), phases.txt (when each load phase and fault began, to read beside the logs); results in OUT/results.jsonl
# (`python3 bench/lib/faults.py report OUT/results.jsonl` prints the table again). Every line also counts, over the
# replicas' whole logs, how often the Redis circuit opened ("cache store failing") and how many of those closed again
# within a second. leader-kill SIGKILLs a replica, so bash prints one "Killed" line per rep there.
# JVM options: those of ./outrigger (copied here, since it only runs target/quarkus-app), with the AOT cache when
# app.aot sits beside --jar on a JDK >= 25 (--aot off: never).
# Needs: wrk, redis-server, redis-cli, python3, curl (apt-get install wrk redis-server).
set -euo pipefail
cd "$(dirname "$0")/.."
ALL_ROWS=redis-kill,redis-stall,app-down,leader-kill,cold-stampede,churn,log-lines,cold-start
JAR=target/quarkus-app/quarkus-run.jar ROWS=$ALL_ROWS REPS=3 CHURN_SECONDS=60 WARMUP=30 STALL=sleep OUT='' AOT=on
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR=$2; shift 2;; --rows) ROWS=$2; shift 2;; --reps) REPS=$2; shift 2;;
    --churn-seconds) CHURN_SECONDS=$2; shift 2;; --warmup) WARMUP=$2; shift 2;; --stall) STALL=$2; shift 2;;
    --out) OUT=$2; shift 2;; --aot) AOT=$2; shift 2;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    *) echo "unknown argument: $1" >&2; exit 2;;
  esac
done
for r in ${ROWS//,/ }; do
  case ",$ALL_ROWS," in *",$r,"*) ;; *) echo "unknown row: $r (rows: $ALL_ROWS)" >&2; exit 2;; esac
done
case "$STALL" in sleep|pause) ;; *) echo "--stall sleep|pause" >&2; exit 2;; esac
[ -f "$JAR" ] || { echo "no jar at $JAR: build first (./mvnw -q package -DskipTests)" >&2; exit 2; }
JAR=$(readlink -f "$JAR")
for t in wrk redis-server redis-cli python3 curl; do
  command -v "$t" >/dev/null || { echo "needs $t (apt-get install wrk redis-server)" >&2; exit 2; }
done
. .mvn/find-jdk.sh
find_jdk || { echo "needs a JDK >= 21" >&2; exit 2; }
JAVA=$OUTRIGGER_JDK/bin/java
# ./outrigger's options (see its comments and README "Start-up and memory").
JVM_OPTS=(-XX:+UseSerialGC -Xms128m -Xmx128m -XX:NewRatio=3 -XX:MaxDirectMemorySize=64m -XX:MaxMetaspaceSize=128m
  -XX:+ExitOnOutOfMemoryError -Djava.util.logging.manager=org.jboss.logmanager.LogManager)
[ "$OUTRIGGER_JDK_MAJOR" -ge 22 ] && JVM_OPTS+=(-XX:TrimNativeHeapInterval=5000)
AOT_FILE=$(dirname "$JAR")/app.aot
if [ "$AOT" = on ] && [ "$OUTRIGGER_JDK_MAJOR" -ge 25 ] && [ -f "$AOT_FILE" ]; then
  JVM_OPTS+=(-XX:AOTCache="$AOT_FILE")
else
  AOT_FILE="none"
fi
LIB=bench/lib
OUT=${OUT:-$(mktemp -d -t faults.XXXXXX)}
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
PY=(python3 "$LIB/faults.py")

# ---------------------------------------------------------------- processes
PIDS=()  # every process this script started that may still run
forget() { local p keep=(); for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done; PIDS=("${keep[@]}"); }
stop() {  # stop PID: TERM, then KILL after 5 s; reaped and forgotten
  local p=$1
  kill "$p" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  forget "$p"
}
stop_all() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${PIDS[@]}"; do stop "$p"; done; }
trap stop_all EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 1200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.05; done; echo "not up: $1" >&2; return 1; }

start_origin() {  # sets OP, ORIGIN_PID
  OP=$(free_port)
  python3 "$LIB/fault_origin.py" --port "$OP" >"$D/origin.log" 2>&1 & ORIGIN_PID=$!; PIDS+=("$ORIGIN_PID")
  wait_http "http://127.0.0.1:$OP/__total"
}
origin() { curl -fs "http://127.0.0.1:$OP/$1"; }
origin_mode() { origin "__mode?m=$1" >/dev/null; [ -z "${D:-}" ] || mark "app mode $1"; }

start_redis() {  # start_redis [PORT]: sets RP, REDIS_PID; default config but no persistence, DEBUG allowed locally
  RP=${1:-$(free_port)}
  redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no --enable-debug-command local \
    >>"$D/redis.log" 2>&1 & REDIS_PID=$!; PIDS+=("$REDIS_PID")
  for _ in $(seq 100); do [ "$(redis-cli -p "$RP" ping 2>/dev/null)" = PONG ] && return 0; sleep 0.05; done
  echo "redis-server did not start on $RP" >&2; return 1
}

declare -A RPORT RMGMT RPID
start_replica() {  # start_replica NAME [extra env ...]: JVM in the background, log in $D/NAME.log
  local n=$1; shift
  RPORT[$n]=$(free_port); RMGMT[$n]=$(free_port)
  local cmd=(env QUARKUS_HTTP_PORT="${RPORT[$n]}" QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT="${RMGMT[$n]}"
    QUARKUS_MANAGEMENT_HOST=127.0.0.1 OUTRIGGER_UPSTREAM_URL="http://127.0.0.1:$OP"
    QUARKUS_REDIS_HOSTS="redis://127.0.0.1:$RP" "$@" "$JAVA" "${JVM_OPTS[@]}" -jar "$JAR")
  "${cmd[@]}" >"$D/$n.log" 2>&1 & RPID[$n]=$!; PIDS+=("${RPID[$n]}")
}
wait_replica() {  # traffic port proxies (an origin admin path, never cached) and readiness is UP
  wait_http "http://127.0.0.1:${RPORT[$1]}/__total" && wait_http "http://127.0.0.1:${RMGMT[$1]}/q/health/ready" \
    || { tail -20 "$D/$1.log" >&2; return 1; }
}
replicas() { local n; for n in "$@"; do start_replica "$n"; done; for n in "$@"; do wait_replica "$n"; done; }
ports_of() { local n out=(); for n in "$@"; do out+=("${RPORT[$n]}"); done; (IFS=,; echo "${out[*]}"); }
metrics() { curl -fs -m 5 "http://127.0.0.1:${RMGMT[$1]}/q/metrics" || true; }  # raw; parsed afterwards (faults.py row)
logsize() { stat -c %s "$D/$1.log"; }
mark() { echo "$(date +%H:%M:%S.%3N) $*" >>"$D/phases.txt"; }  # when each phase began, to read beside the logs

# load NAME SECONDS PORTS [ENV=...]: wrk in the foreground, its RESULT JSON in $D/NAME
load() { load_bg "$@"; load_wait; }
load_bg() {  # as load, in the background (wrk's own PID in LOAD_PID); load_wait collects it
  local secs=$2 ports=$3
  LOAD_NAME=$1; shift 3
  mark "load $LOAD_NAME ${secs}s $*"
  env FAULT_PORTS="$ports" "$@" wrk -t2 -c32 -d"${secs}s" --timeout 10s -s "$LIB/fault_load.lua" \
    "http://127.0.0.1:${ports%%,*}/" >"$D/$LOAD_NAME.out" 2>&1 & LOAD_PID=$!; PIDS+=("$LOAD_PID")
}
load_wait() {
  wait "$LOAD_PID" || true; forget "$LOAD_PID"
  sed -n 's/^RESULT //p' "$D/$LOAD_NAME.out" >"$D/$LOAD_NAME"
  [ -s "$D/$LOAD_NAME" ] || { cat "$D/$LOAD_NAME.out" >&2; echo "wrk gave no result ($LOAD_NAME)" >&2; return 1; }
}

new_rep() {  # new_rep ROW REP: a directory for the rep's files
  D=$OUT/$1-$2; mkdir -p "$D"; RPORT=(); RMGMT=(); RPID=()
  cut -d' ' -f1 /proc/loadavg >"$D/loadavg"  # the machine's load before the rep (others' work included)
}
end_rep() {  # end_rep ROW REP: stop everything, print the row's line
  stop_all
  "${PY[@]}" row "$1" "$D" "$2" --results "$RESULTS" | tee "$D/row.out"
}
warm_both() {  # 200 keys through every replica named, then unmeasured load
  "${PY[@]}" warm --ports "$(ports_of "$@")" --prefix /obj/k --query 'size=1024&ma=3600' --n 200 >"$D/warm.out"
  [ "$WARMUP" -gt 0 ] && load warmup "$WARMUP" "$(ports_of "$@")"
  return 0
}
logs_from() { local n; for n in "$@"; do eval "L0_$n=\$(logsize $n)"; done; }
logs_to() {  # logs_to PREFIX NAME...: the byte range each replica logged since logs_from, as $D/PREFIX_NAME.span (read afterwards)
  local p=$1 n s; shift
  for n in "$@"; do eval "s=\$L0_$n"; echo "$n.log $s $(logsize "$n")" >"$D/${p}_$n.span"; done
}
# ---------------------------------------------------------------- rows
row_redis_kill() {  # row_redis_kill REP [stall]
  local rep=$1 stall=${2:-} row=redis-kill n
  [ -n "$stall" ] && row=redis-stall
  new_rep "$row" "$rep"
  start_origin; start_redis; replicas r1 r2
  warm_both r1 r2
  local P; P=$(ports_of r1 r2)
  origin __total >"$D/origin_b"
  load wrk_baseline 5 "$P"
  origin __total >"$D/origin_0"
  for n in r1 r2; do metrics "$n" >"$D/m0_$n.prom"; done
  logs_from r1 r2
  load_bg wrk_during 10 "$P"
  if [ -z "$stall" ]; then
    sleep 0.1
    mark "redis-server SIGKILL"; kill -9 "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true; forget "$REDIS_PID"
    load_wait
  else
    sleep 0.1
    echo "\"$STALL\"" >"$D/stall_method"; mark "redis stalls begin ($STALL)"
    if [ "$STALL" = sleep ]; then
      redis-cli -p "$RP" -r 50 DEBUG SLEEP 0.2 >/dev/null
    else
      local end=$(( $(date +%s%N) / 1000000 + 10000 ))  # 10 s, however long starting redis-cli takes
      while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do redis-cli -p "$RP" CLIENT PAUSE 200 ALL >/dev/null; sleep 0.2; done
    fi
    load_wait
  fi
  origin __total >"$D/origin_1"
  logs_to log_during r1 r2
  [ -z "$stall" ] && { mark "redis-server restart"; start_redis "$RP"; }
  for n in r1 r2; do metrics "$n" >"$D/m1_$n.prom"; done
  load wrk_after 5 "$P"
  origin __total >"$D/origin_2"
  for n in r1 r2; do metrics "$n" >"$D/m2_$n.prom"; done
  end_rep "$row" "$rep"
}

row_app_down() {
  local rep=$1 n
  new_rep app-down "$rep"
  start_origin; start_redis; replicas r1 r2
  warm_both r1 r2
  local P; P=$(ports_of r1 r2) Q='size=1024&ma=1&sie=600'
  "${PY[@]}" warm --ports "$P" --prefix /obj/ad --query "$Q" --n 100 >"$D/warm_ad.out"
  sleep 2  # every entry stale
  for n in r1 r2; do metrics "$n" >"$D/m0_$n.prom"; done
  logs_from r1 r2
  origin_mode 503
  origin __stats >"$D/stats_503_0"
  load wrk_503 5 "$P" FAULT_KEYS=100 FAULT_PREFIX=/obj/ad FAULT_QUERY="$Q" FAULT_TAGS=1
  origin __stats >"$D/stats_503_1"
  origin_mode close
  origin __stats >"$D/stats_close_0"
  load wrk_close 5 "$P" FAULT_KEYS=100 FAULT_PREFIX=/obj/ad FAULT_QUERY="$Q" FAULT_TAGS=1
  origin __stats >"$D/stats_close_1"
  origin_mode ok
  logs_to log_during r1 r2
  for n in r1 r2; do metrics "$n" >"$D/m1_$n.prom"; done
  end_rep app-down "$rep"
}

row_leader_kill() {
  local rep=$1 key=lk-$$-$1
  new_rep leader-kill "$rep"
  start_origin; start_redis; replicas r1 r2
  "${PY[@]}" warm --ports "$(ports_of r1 r2)" --n 50 >"$D/warm.out"  # connection pools, a little JIT
  mark "leader-kill: A at +0, B at +0.05 s, SIGKILL replica 1 at +0.3 s"
  "${PY[@]}" leader --a-port "${RPORT[r1]}" --b-port "${RPORT[r2]}" --path "/obj/$key?size=1024&d=2000&ma=3600" \
    --kill-pid "${RPID[r1]}" --b 10 --b-after 0.05 --kill-after 0.3 >"$D/leader"
  wait "${RPID[r1]}" 2>/dev/null || true; forget "${RPID[r1]}"
  sleep 0.3
  origin "__hits?k=$key" >"$D/origin_key"
  metrics r2 >"$D/m_r2.prom"
  end_rep leader-kill "$rep"
}

row_cold_stampede() {
  local rep=$1 key=cs-$$-$1 t0
  new_rep cold-stampede "$rep"
  start_origin; start_redis
  t0=$(date +%s.%N)
  replicas r1 r2 r3
  python3 -c "import time; print(round(time.time() - $t0, 2))" >"$D/ready_s"
  mark "stampede"
  python3 "$LIB/spread.py" --ports "$(ports_of r1 r2 r3)" --n 300 --path "/obj/$key?size=1024&d=300&ma=3600" --timeout 60 >"$D/spread"
  sleep 0.3
  origin "__hits?k=$key" >"$D/origin_key"
  for n in r1 r2 r3; do metrics "$n" >"$D/m_$n.prom"; done
  end_rep cold-stampede "$rep"
}

row_churn() {
  local t0 t pid
  new_rep churn 1
  start_origin; start_redis; replicas r1
  redis-cli -p "$RP" CONFIG GET maxmemory | sed -n 2p | sed 's/.*/"&"/' >"$D/maxmemory"
  redis-cli -p "$RP" CONFIG GET maxmemory-policy | sed -n 2p | sed 's/.*/"&"/' >"$D/policy"
  echo "churn: redis maxmemory $(cat "$D/maxmemory") policy $(cat "$D/policy") (redis-server defaults, no persistence)"
  pid=${RPID[r1]}
  origin __total >"$D/origin_0"
  logs_from r1
  t0=$(date +%s)
  load_bg wrk "$CHURN_SECONDS" "${RPORT[r1]}" FAULT_UNIQUE=1 FAULT_PREFIX=/obj/ch FAULT_QUERY='size=16k&ma=3600'
  : >"$D/samples"
  local next=10
  sample() {
    local line; t=$(( $(date +%s) - t0 ))
    line="$t $(redis-cli -p "$RP" INFO memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p') $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
    echo "$line" >>"$D/samples"
    echo "churn t=${t}s redis used_memory (bytes) / replica VmRSS (KiB): ${line#* }"
  }
  while kill -0 "$LOAD_PID" 2>/dev/null; do
    sleep 0.5
    [ $(( $(date +%s) - t0 )) -ge "$next" ] && kill -0 "$LOAD_PID" 2>/dev/null || continue
    next=$(( next + 10 ))
    sample
  done
  load_wait
  sample  # the end of the load
  origin __total >"$D/origin_1"
  redis-cli -p "$RP" DBSIZE >"$D/dbsize"
  logs_to log_all r1
  end_rep churn 1
}

row_log_lines() {
  local rep=$1 H='Cache-Control: no-store'
  new_rep log-lines "$rep"
  start_origin; start_redis; replicas r1
  load warmup 3 "${RPORT[r1]}" FAULT_HEADER="$H"
  origin_mode 503; origin __total >"$D/origin_503_0"; logs_from r1
  load wrk_503 5 "${RPORT[r1]}" FAULT_HEADER="$H" FAULT_TAGS=1
  sleep 0.2; origin __total >"$D/origin_503_1"; logs_to log r1; mv "$D/log_r1.span" "$D/log_503.span"
  origin_mode close; origin __total >"$D/origin_close_0"; logs_from r1
  load wrk_close 5 "${RPORT[r1]}" FAULT_HEADER="$H" FAULT_TAGS=1
  sleep 0.2; origin __total >"$D/origin_close_1"; logs_to log r1; mv "$D/log_r1.span" "$D/log_close.span"
  origin_mode ok
  end_rep log-lines "$rep"
}

row_cold_start() {
  local rep=$1 t0 left
  new_rep cold-start "$rep"
  start_origin; start_redis
  t0=$(date +%s.%N)
  start_replica r1
  "${PY[@]}" twice --port "${RPORT[r1]}" --t0 "$t0" --prefix "/obj/cst-$$-$rep-" --n 50 >"$D/twice"
  left=$(python3 -c "import time; print(max(0.0, 10 - (time.time() - $t0)))")
  sleep "$left"
  local size; size=$(logsize r1)
  metrics r1 >"$D/m10.prom"
  "${PY[@]}" loglines "$D/r1.log" 0 "$size" --grep '^(?!.*Installed features).*(circuit|redis|store|fail)' >"$D/log10"
  end_rep cold-start "$rep"
}

# ---------------------------------------------------------------- run
echo "faults.sh: jar $JAR, JDK $OUTRIGGER_JDK ($OUTRIGGER_JDK_MAJOR), AOT cache $AOT_FILE, rows $ROWS, reps $REPS, out $OUT"
echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?') $(git status --porcelain 2>/dev/null | grep -q . && echo '(dirty)')"
START=$(date +%s)
for row in ${ROWS//,/ }; do
  case $row in
    churn) row_churn;;
    *) for rep in $(seq 1 "$REPS"); do
         case $row in
           redis-kill) row_redis_kill "$rep";;
           redis-stall) row_redis_kill "$rep" stall;;
           app-down) row_app_down "$rep";;
           leader-kill) row_leader_kill "$rep";;
           cold-stampede) row_cold_stampede "$rep";;
           log-lines) row_log_lines "$rep";;
           cold-start) row_cold_start "$rep";;
         esac
       done;;
  esac
done
echo
echo "## Resilience under faults: $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%dT%H:%MZ), $(( $(date +%s) - START )) s"
echo
"${PY[@]}" report "$RESULTS"
echo
echo "raw outputs: $OUT"
