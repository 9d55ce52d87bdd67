#!/usr/bin/env bash
# Profiles the server during S4 (non-streamed turns, docs/benchmarks.md): runs
# `bench/run.sh --only S4 --runs 3` into target/s4 (docs/ is left alone), attaches async-profiler 4.1
# (Maven Central) to the server DELAY seconds (default 11: after the first of the three runs) after
# S4 starts, for LEN seconds (default 15), and writes target/s4/s4-EVENT.collapsed, a stack per line.
#   bench/profile-s4.sh [EVENT]     EVENT: cpu,interval=1ms (default), alloc, ...
set -euo pipefail
cd "$(dirname "$0")/.."
EVENT=${1:-cpu,interval=1ms}
LIB=$(bench/async-profiler.sh)
OUT=$PWD/target/s4; mkdir -p "$OUT"; : >"$OUT/run.log"
bench/run.sh --only S4 --runs 3 --out "$OUT" >"$OUT/run.log" 2>&1 &
RUN=$!
until grep -q "\[bench\] S4" "$OUT/run.log"; do kill -0 $RUN 2>/dev/null || { cat "$OUT/run.log"; exit 1; }; sleep 0.5; done
PID=$(cat target/liberty/wlp/usr/servers/.pid/defaultServer.pid)
sleep "${DELAY:-11}"
jcmd "$PID" JVMTI.agent_load "$LIB" "\"start,event=$EVENT\"" >/dev/null
sleep "${LEN:-15}"
jcmd "$PID" JVMTI.agent_load "$LIB" "\"stop,collapsed,file=$OUT/s4-${EVENT%%,*}.collapsed\"" >/dev/null
wait $RUN
grep "^| S4" "$OUT/benchmarks.md"
echo "profile: $OUT/s4-${EVENT%%,*}.collapsed"
