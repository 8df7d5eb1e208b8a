#!/usr/bin/env bash
# Start-up time, from spawning the process to the first proxied GET answered 200 (a cache miss
# through a running origin), several interleaved reps, medians:
#
#   bench/startup.sh                                   # ./outrigger as the README runs it
#   REPS=7 bench/startup.sh 'aot=./outrigger' 'no-aot=env OUTRIGGER_AOT=off ./outrigger'
#
# Each argument is LABEL=COMMAND (it must exec the JVM, as ./outrigger does: its PID is sampled for
# CPU time); the command gets QUARKUS_HTTP_PORT, QUARKUS_MANAGEMENT_PORT
# (random free ports) and OUTRIGGER_UPSTREAM_URL in its environment. The origin is
# ../shared/bench/lib/origin.py on a random port with no delay. Loopback only; stops what it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
ORIGIN_PY=${ORIGIN_PY:-../shared/bench/lib/origin.py}
[ $# -gt 0 ] || set -- "outrigger=./outrigger"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 "$ORIGIN_PY" --port "$PORT" --delay 0 >/dev/null 2>&1 & ORIGIN=$!
trap 'kill $ORIGIN 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/__total" && break; sleep 0.05; done
python3 bench/lib/startup.py --origin-port "$PORT" --reps "${REPS:-5}" "$@"
