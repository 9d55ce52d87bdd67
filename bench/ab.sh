#!/usr/bin/env bash
# One A/B step of docs/benchmarks.md ("What each change bought"): chat-ws alone behind the paced
# upstream of ../shared/peers, after the same warm-up as bench/peers.sh, at the levels in LV
# (default "512 512"); prints ready time, idle RSS, and per level TTFT, gaps, server CPU, threads,
# peak RSS, and server CPU per relayed chunk of the last level. Needs bench/peers.sh run once
# (the harness in target/peers/harness, the server bench-chatws). With ALLOC=1 it also prints what
# the server allocated per relayed chunk over the levels (G1's log; a full collection after the
# warm-up marks the start; turn set-ups and handshakes included). TOKENS sets the chunks per turn (64).
# PROF=cpu (or alloc, another async-profiler event, options after a comma: cpu,interval=1ms) profiles the server over the levels with
# async-profiler 4.1 (from Maven Central) into target/peers/ab-PROF.collapsed, a stack per line.
# Build the variant, then:
#   bench/ab.sh LABEL        env: CW_JAVA_HOME (the server's JDK), CW_JVM_ARGS, LV, ALLOC, TOKENS, PROF
cd "$(dirname "$0")/.."
H=target/peers/harness; W=target/liberty/wlp; T=${TOKENS:-64}; GCLOG=target/peers/ab-gc.log
$W/bin/server stop bench-chatws >/dev/null 2>&1; pkill -f paced-stub.mjs; sleep 0.5
rm -f $GCLOG*
[ "${ALLOC:-}" = 1 ] && CW_JVM_ARGS="${CW_JVM_ARGS:-} -Xlog:gc*:file=$PWD/$GCLOG"
PACED_TOKENS=$T node $H/paced-stub.mjs > target/peers/ab-stub.log 2>&1 &
STUB=$!
STORE=$(mktemp -d)
t0=$(date +%s%3N)
JAVA_HOME=${CW_JAVA_HOME:-} JVM_ARGS="${CW_JVM_ARGS:-}" HTTP_PORT=9080 CHAT_UPSTREAM_URL=http://127.0.0.1:18081/v1 CHAT_LIMITS_CONNECTIONS_PER_CLIENT=0 CHAT_LIMITS_TURNS_PER_MINUTE=0 CHAT_DB_URL="jdbc:h2:$STORE/conversations;TRACE_LEVEL_FILE=0" $W/bin/server start bench-chatws >/dev/null
until node bench/ws-ready.mjs ws://127.0.0.1:9080/chat 2>/dev/null; do sleep 0.01; done
ready=$(( $(date +%s%3N) - t0 ))
CW=$(cat $W/usr/servers/.pid/bench-chatws.pid)
sleep 3; r0=$(awk '/VmRSS/{print int($2/1024)}' /proc/$CW/status)
node $H/wsload.mjs --target chatws --c 32 --turns 10 --warmup 0 --tokens $T --quiet >/dev/null
node $H/wsload.mjs --target chatws --c 256 --turns 3 --warmup 0 --tokens $T --quiet >/dev/null
sleep 3; r1=$(awk '/VmRSS/{print int($2/1024)}' /proc/$CW/status)
echo "$1: ready $ready ms, idle RSS $r0 MB, after warm-up $r1 MB"
JCMD=${CW_JAVA_HOME:-$JAVA_HOME}/bin/jcmd
[ "${ALLOC:-}" = 1 ] && $JCMD $CW GC.run >/dev/null
if [ -n "${PROF:-}" ]; then
  APLIB=$(bench/async-profiler.sh)
  $JCMD $CW JVMTI.agent_load $APLIB "\"start,event=$PROF\"" >/dev/null
fi
chunks=0
for c in ${LV:-512 512}; do
  chunks=$(( chunks + ( c == 1 ? 43 : c * 6 ) * T ))
  node $H/wsload.mjs --target chatws --c $c $( [ $c = 1 ] && echo "--turns 40 --warmup 3" || echo "--turns 4 --warmup 2") --tokens $T --turn-timeout 60000 --watch peer=$CW --json target/peers/ab.jsonl --label "$1" --quiet | \
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=s.match(/procs=(.*)$/m);const p=JSON.parse(m[1])[0];const tps=+s.match(/ok=(\d+)/)[1];console.log(s.trim().replace(/procs=.*/,"")+" cpu="+p.cpuPct+"% rss="+p.rssPeakMb+" thr="+p.threadsPeak)})'
done
tail -1 target/peers/ab.jsonl | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);const p=r.procs[0];console.log("last: us/chunk="+(p.cpuPct/100/r.tokensPerSec*1e6).toFixed(1)+" chunks/s="+r.tokensPerSec)})'
[ -n "${PROF:-}" ] && $JCMD $CW JVMTI.agent_load $APLIB "\"stop,collapsed,file=$PWD/target/peers/ab-${PROF%%,*}.collapsed\"" >/dev/null
$W/bin/server stop bench-chatws >/dev/null; kill $STUB; rm -rf $STORE
# `server stop` starts a JVM of its own with the same options, which rotates the log: the server's is the largest.
if [ "${ALLOC:-}" = 1 ]; then awk -v chunks=$chunks '/Heap Region Size:/{match($0,/[0-9]+M/); reg=substr($0,RSTART,RLENGTH-1)}
  /Pause Full/{on=1; next} on && /Eden regions:/{split($0,a,"Eden regions: "); split(a[2],b,"->"); eden+=b[1]}
  on && /Pause Young/ && /ms$/{n++; t=$NF; sub("ms","",t); p+=t}
  END{printf "allocated: %d MB over the levels, %.2f KB per relayed chunk; %d young pauses, %.0f ms in all\n", eden*reg, eden*reg*1024/chunks, n, p}' "$(ls -S $GCLOG* | head -1)"; fi
