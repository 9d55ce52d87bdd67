#!/usr/bin/env bash
# Added latency of a chunk watched from another server (docs/benchmarks.md, "Several servers"):
# two Liberty servers on one PostgreSQL, 32 streams by default. Needs PostgreSQL: CHAT_DB_URL,
# CHAT_DB_USER, CHAT_DB_PASSWORD (e.g. the database .ci/run starts). About 2 minutes. Extra
# arguments go to dev.chatws.bench.RemoteWatch, e.g. `bench/watch.sh --streams 64 --runs 5`.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CHAT_DB_URL:?set CHAT_DB_URL to a PostgreSQL database (jdbc:postgresql://…)}"

java_bin=java
for candidate in "${BENCH_JAVA:-}" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then java_bin=$candidate; break; fi
done

servers=target/liberty/wlp/usr/servers
for name in bench-watch-a bench-watch-b; do target/liberty/wlp/bin/server stop "$name" >/dev/null 2>&1 || true; done
mvn -B -q -DskipTests package test-compile liberty:create liberty:deploy
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
for name in bench-watch-a bench-watch-b; do
    rm -rf "${servers:?}/$name"
    mkdir -p "$servers/$name"
    cp -r "$servers/defaultServer/server.xml" "$servers/defaultServer/chat-ws.xml" "$servers/defaultServer/server.env" "$servers/defaultServer/apps" "$servers/$name/"
    cp "$servers/defaultServer/jvm.options" "$servers/$name/" 2>/dev/null || true
done

"$java_bin" -Xmx2g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.chatws.bench.RemoteWatch "$@"
