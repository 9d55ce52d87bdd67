#!/usr/bin/env bash
# Prints the path of async-profiler 4.1's agent library (libasyncProfiler.so), fetching its jar
# from Maven Central and unpacking it under target/peers/async-profiler the first time. Shared by
# bench/ab.sh (PROF=...) and bench/profile-s4.sh, which load it into a running server with jcmd.
set -euo pipefail
cd "$(dirname "$0")/.."
AP=target/peers/async-profiler
APJAR=~/.m2/repository/tools/profiler/async-profiler/4.1/async-profiler-4.1-linux-x64.jar
[ -f $APJAR ] || mvn -B -ntp dependency:get -Dartifact=tools.profiler:async-profiler:4.1:jar:linux-x64 -Dtransitive=false >/dev/null
[ -f $AP/linux-x64/libasyncProfiler.so ] || (mkdir -p $AP && cd $AP && unzip -q -o $APJAR)
echo "$PWD/$AP/linux-x64/libasyncProfiler.so"
