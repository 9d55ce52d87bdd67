#!/usr/bin/env bash
# The full benchmark (docs/benchmarks.md says what it measures). It builds the WAR, creates the
# Liberty server defaultServer, then runs dev.chatws.bench.Benchmark, which starts a paced upstream
# and the server, runs every scenario and writes docs/benchmarks.md and
# docs/benchmarks-concurrency.png. Takes about 10 minutes on 2 cores. Extra arguments go to the
# benchmark, e.g. `bench/run.sh --runs 5`.
set -euo pipefail
cd "$(dirname "$0")/.."

# A JDK of 19 or later lets the load client spread connections over 127.0.0.x source addresses.
java_bin=java
for candidate in "${BENCH_JAVA:-}" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then java_bin=$candidate; break; fi
done

target/liberty/wlp/bin/server stop defaultServer >/dev/null 2>&1 || true
mvn -B -q -DskipTests package test-compile liberty:create liberty:deploy
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test

"$java_bin" -Xmx4g -Djava.awt.headless=true \
    -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
    dev.chatws.bench.Benchmark --wlp target/liberty/wlp --out docs "$@"
