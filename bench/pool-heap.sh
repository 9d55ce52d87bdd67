#!/usr/bin/env bash
# The heap the upstream connections hold while the JDK HTTP client keeps them pooled
# (docs/benchmarks.md, "The JDK client's read buffers"): chat-ws alone behind the paced upstream of
# ../shared/peers, one level of C streams (default 512), then a class histogram at once (the
# connections idle in the pool) and one 40 s later (the pool closed them after its 30 s): prints
# the live heap of both, how many sockets went away and the heap per socket. Needs bench/peers.sh
# run once (the harness in target/peers/harness, the server bench-chatws).
#   bench/pool-heap.sh        env: CW_JAVA_HOME (the server's JDK), CW_JVM_ARGS, C
cd "$(dirname "$0")/.."
H=target/peers/harness; W=target/liberty/wlp; OUT=target/peers
JAVA=${CW_JAVA_HOME:-$JAVA_HOME}
$W/bin/server stop bench-chatws >/dev/null 2>&1; pkill -f paced-stub.mjs; sleep 0.5
node $H/paced-stub.mjs > $OUT/pool-stub.log 2>&1 &
STUB=$!
STORE=$(mktemp -d)
JAVA_HOME=${CW_JAVA_HOME:-} JVM_ARGS="${CW_JVM_ARGS:-}" HTTP_PORT=9080 CHAT_UPSTREAM_URL=http://127.0.0.1:18081/v1 CHAT_LIMITS_CONNECTIONS_PER_CLIENT=0 CHAT_LIMITS_TURNS_PER_MINUTE=0 CHAT_DB_URL="jdbc:h2:$STORE/conversations;TRACE_LEVEL_FILE=0" $W/bin/server start bench-chatws >/dev/null
until node bench/ws-ready.mjs ws://127.0.0.1:9080/chat 2>/dev/null; do sleep 0.01; done
CW=$(cat $W/usr/servers/.pid/bench-chatws.pid)
node $H/wsload.mjs --target chatws --c ${C:-512} --turns 4 --warmup 2 --quiet >/dev/null
$JAVA/bin/jcmd $CW GC.class_histogram > $OUT/pool-pooled.txt
sleep 40
$JAVA/bin/jcmd $CW GC.class_histogram > $OUT/pool-closed.txt
$W/bin/server stop bench-chatws >/dev/null; kill $STUB; rm -rf $STORE
total() { awk '/^Total/{print $3}' "$1"; }
sockets() { awk '$4=="sun.nio.ch.SocketChannelImpl"{n=$2} END{print n+0}' "$1"; }
a=$(total $OUT/pool-pooled.txt); b=$(total $OUT/pool-closed.txt); s=$(( $(sockets $OUT/pool-pooled.txt) - $(sockets $OUT/pool-closed.txt) ))
echo "live heap: $((a / 1048576)) MB pooled, $((b / 1048576)) MB after; $s sockets went away, $(( (a - b) / (s > 0 ? s : 1) / 1024 )) KB each"
