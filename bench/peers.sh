#!/usr/bin/env bash
# chat-ws side by side with the best JVM peer (docs/benchmarks.md, "Side by side with the best JVM
# peer"). One run on this machine: the paced upstream of ../shared/peers (64 chunks, 20 ms apart),
# its Node load client, the peer (Quarkus + quarkus-langchain4j, upstream pool raised to 4096),
# chat-ws (per-client limits off) and a floor: a minimal WebSocket relay on the same Liberty
# (bench/floor, websocket-2.1 only). For every level and run the four series are measured one
# after another: direct SSE from the upstream, the peer, chat-ws, the floor.
#
#   bench/peers.sh [OUTDIR]            # default target/peers/results
#   env: LEVELS="1 128 512 1024" RUNS=2 PEERS=../shared/peers CHATWS_JAVA_HOME=<JDK for Liberty>
#        CHATWS_JVM_ARGS="..." (extra JVM options for chat-ws, for A/B runs) SERIES="direct peer chatws floor"
#        (the peer runs on the same JDK as chat-ws and the floor, unless PEER_JAVA names another java)
# About 15 minutes with the defaults. Writes results.jsonl, report.md, plot.svg and logs to OUTDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
LEVELS=${LEVELS:-"1 128 512 1024"}
RUNS=${RUNS:-2}
SERIES=${SERIES:-"direct peer chatws floor"}
PEERS=${PEERS:-../shared/peers}
has() { case " $SERIES " in *" $1 "*) return 0 ;; esac; return 1; }
work=target/peers
out=$(realpath -m "${1:-$work/results}")
wlp=target/liberty/wlp
mkdir -p "$work" "$out"
: >"$out/results.jsonl"
log() { echo "$*" | tee -a "$out/summary.txt"; }

# ---- the harness: a writable copy of ../shared/peers, its client and the peer built ----
[ -d "$PEERS/quarkus-chatbot" ] || { echo "no peer harness at $PEERS (set PEERS)"; exit 1; }
mkdir -p "$work/harness"
tar -C "$PEERS" --exclude=./node_modules --exclude=./quarkus-chatbot/target --exclude=./results -cf - . | tar -C "$work/harness" -xf -
(cd "$work/harness" && npm install --no-audit --no-fund --silent)
[ -f "$work/harness/quarkus-chatbot/target/quarkus-app/quarkus-run.jar" ] \
    || (cd "$work/harness/quarkus-chatbot" && mvn -B -ntp package -DskipTests >"$out/peer-build.log")

# ---- chat-ws and the floor, each on a Liberty server of its own ----
for name in bench-chatws bench-floor; do "$wlp/bin/server" stop "$name" >/dev/null 2>&1 || true; done
mvn -B -ntp -DskipTests package liberty:create liberty:deploy >"$out/build.log"
bench/floor/build.sh "$wlp" >>"$out/build.log"
servers=$wlp/usr/servers
rm -rf "${servers:?}/bench-chatws"; mkdir -p "$servers/bench-chatws"
cp -r "$servers/defaultServer/server.xml" "$servers/defaultServer/chat-ws.xml" "$servers/defaultServer/apps" "$servers/bench-chatws/"
cp "$servers/defaultServer/jvm.options" "$servers/bench-chatws/" 2>/dev/null || true
store=$(mktemp -d)

port_up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ms() { date +%s%3N; }
rss_mb() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$1/status"; }
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for name in bench-chatws bench-floor; do "$root/$wlp/bin/server" stop "$name" >/dev/null 2>&1 || true; done
    rm -rf "$store"
}
trap cleanup EXIT
for p in 18081 8086 9080 9081; do port_up $p && { echo "port $p is busy"; exit 1; }; done

h=$work/harness
node "$h/paced-stub.mjs" >"$out/stub.log" 2>&1 & stub=$!; pids+=($stub)
for _ in $(seq 1 100); do port_up 18081 && break; sleep 0.1; done

# Starts a Liberty server and waits until its WebSocket answers: prints "pid ready_ms".
start_liberty() { # name url
    local t0 pid
    t0=$(ms)
    "$wlp/bin/server" start "$1" >/dev/null
    until node "$root/bench/ws-ready.mjs" "$2" 2>/dev/null; do sleep 0.01; done
    pid=$(cat "$servers/.pid/$1.pid")
    echo "$pid $(( $(ms) - t0 ))"
}

if has peer; then
    t0=$(ms)
    PEER_UPSTREAM_POOL_SIZE=4096 QUARKUS_HTTP_PORT=8086 QUARKUS_LANGCHAIN4J_OPENAI_BASE_URL=http://127.0.0.1:18081/v1 \
        "${PEER_JAVA:-${CHATWS_JAVA_HOME:-${JAVA_HOME:-/usr}}/bin/java}" -jar "$h/quarkus-chatbot/target/quarkus-app/quarkus-run.jar" >"$out/peer.log" 2>&1 & peer=$!; pids+=($peer)
    until node "$root/bench/ws-ready.mjs" ws://127.0.0.1:8086/chatbot 2>/dev/null; do sleep 0.01; done
    log "peer: java $("${PEER_JAVA:-${CHATWS_JAVA_HOME:-${JAVA_HOME:-/usr}}/bin/java}" -version 2>&1 | head -1)"
    log "peer: pid $peer, ready after $(( $(ms) - t0 )) ms ($(grep -o 'started in [0-9.]*s' "$out/peer.log" | head -1))"
fi
if has chatws; then
    read -r chatws ready < <(JAVA_HOME=${CHATWS_JAVA_HOME:-${JAVA_HOME:-}} JVM_ARGS=${CHATWS_JVM_ARGS:-} HTTP_PORT=9080 \
        CHAT_UPSTREAM_URL=http://127.0.0.1:18081/v1 CHAT_LIMITS_CONNECTIONS_PER_CLIENT=0 CHAT_LIMITS_TURNS_PER_MINUTE=0 \
        CHAT_DB_URL="jdbc:h2:$store/conversations;TRACE_LEVEL_FILE=0" start_liberty bench-chatws ws://127.0.0.1:9080/chat)
    log "chat-ws: pid $chatws, ready after $ready ms; java: $("${CHATWS_JAVA_HOME:-${JAVA_HOME:-/usr}}/bin/java" -version 2>&1 | head -1); JVM_ARGS: ${CHATWS_JVM_ARGS:-none}"
fi
if has floor; then
    read -r floor ready < <(JAVA_HOME=${CHATWS_JAVA_HOME:-${JAVA_HOME:-}} JVM_ARGS=${CHATWS_JVM_ARGS:-} \
        FLOOR_UPSTREAM=http://127.0.0.1:18081/v1/chat/completions start_liberty bench-floor ws://127.0.0.1:9081/floor)
    log "floor: pid $floor, ready after $ready ms"
fi
sleep 5
idle() { for s in peer chatws floor; do has $s && printf '%s %s MB  ' "$s" "$(rss_mb "${!s}")"; done; echo; }
log "idle RSS after start: $(idle)"

url_of() { case $1 in peer) echo ws://127.0.0.1:8086/chatbot ;; chatws) echo ws://127.0.0.1:9080/chat ;; floor) echo ws://127.0.0.1:9081/floor ;; esac; }
target_of() { case $1 in peer) echo quarkus ;; *) echo chatws ;; esac; }
load() { node "$h/wsload.mjs" "$@"; }

# ---- the same JIT warm-up for every server (not recorded) ----
for s in peer chatws floor; do
    has $s || continue
    load --target "$(target_of $s)" --url "$(url_of $s)" --c 32 --turns 10 --warmup 0 --quiet >>"$out/warmup.txt"
    load --target "$(target_of $s)" --url "$(url_of $s)" --c 256 --turns 3 --warmup 0 --quiet >>"$out/warmup.txt"
done
load --target direct --c 128 --turns 3 --warmup 0 --quiet >>"$out/warmup.txt"
sleep 5
log "idle RSS after warm-up: $(idle)"

params() {
    case $1 in
        1) echo "--turns 20 --warmup 3" ;;
        32) echo "--turns 8 --warmup 2" ;;
        128) echo "--turns 5 --warmup 2" ;;
        *) echo "--turns 4 --warmup 2" ;;
    esac
}
for c in $LEVELS; do
    for r in $(seq 1 "$RUNS"); do
        # shellcheck disable=SC2046
        has direct && load --target direct --c "$c" $(params "$c") --label "direct:run$r" --json "$out/results.jsonl" --watch "stub=$stub" --quiet | tee -a "$out/summary.txt"
        for s in peer chatws floor; do
            has $s || continue
            load --target "$(target_of $s)" --url "$(url_of $s)" --c "$c" $(params "$c") --turn-timeout 60000 \
                --label "$s:run$r" --json "$out/results.jsonl" --watch "peer=${!s},stub=$stub" --quiet | tee -a "$out/summary.txt"
        done
    done
done
sleep 5
log "idle RSS after the runs: $(idle)"
node bench/peers-report.mjs "$out/results.jsonl" "$out/plot.svg" | tee "$out/report.md"
