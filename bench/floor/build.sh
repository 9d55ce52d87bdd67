#!/usr/bin/env bash
# Builds bench/floor/FloorRelay.java into floor.war and creates the Liberty server bench-floor in
# the Liberty installation given (target/liberty/wlp), with chat-ws's own jvm.options.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
wlp=$(realpath "$1")
# WebSocket 2.1's API comes in two jars: the server's and the client's (Session, OnMessage).
api=$(find "$wlp/dev/api/spec" -name 'io.openliberty.jakarta.websocket.2.1_*.jar' -o -name 'io.openliberty.jakarta.websocket.client.2.1_*.jar' | sort | paste -sd:)
[ -n "$api" ] || { echo "no WebSocket 2.1 API jars in $wlp/dev/api/spec"; exit 1; }
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
mkdir -p "$build/WEB-INF/classes"
javac --release 17 -cp "$api" -d "$build/WEB-INF/classes" "$here/FloorRelay.java"
server=$wlp/usr/servers/bench-floor
rm -rf "$server"
mkdir -p "$server/apps"
(cd "$build" && jar cf "$server/apps/floor.war" WEB-INF)
cp "$here/server.xml" "$server/"
cp "$here/../../liberty/config/jvm.options" "$server/"
echo "bench-floor: $server"
