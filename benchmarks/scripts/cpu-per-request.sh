#!/usr/bin/env bash
# Server CPU and context switches per request for one server and path, measured with perf stat on the server JVM.
# Usage: benchmarks/scripts/cpu-per-request.sh MainClass /path [server JVM flags...]
#   e.g. benchmarks/scripts/cpu-per-request.sh BridgeNettyServer /static/file-1m.bin -Dbench.copyStatic=true
# Env: JAVA (java), SERVER_CPU (0), CLIENT_CPU (1), C (16 connections), D (6 s measured, after 5 s of warm-up),
#      SCRIPT (a wrk Lua script). Needs wrk, perf and the jar from `mvn -B -q -DskipTests package`.
set -euo pipefail
main=$1; path=$2; shift 2
cd "$(dirname "$0")/../.."
jar=benchmarks/target/servlet-bridge-benchmarks.jar
log=$(mktemp); perfout=$(mktemp)
# The server stops when its stdin closes (ServerMain); the sleep holds it open for the run.
taskset -c "${SERVER_CPU:-0}" "${JAVA:-java}" -Xms128m -Xmx512m -XX:+UseG1GC -Dbench.workers=200 \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$@" -cp "$jar" "io.servletbridge.benchmarks.servers.$main" \
  > "$log" 2>&1 < <(sleep 60) &
server=$!
for _ in $(seq 100); do grep -q LISTENING "$log" && break; sleep 0.2; done
port=$(awk '/LISTENING/{print $2}' "$log")
url="http://127.0.0.1:$port$path"
client=(taskset -c "${CLIENT_CPU:-1}" wrk -t2 -c"${C:-16}")
[ -n "${SCRIPT:-}" ] && client+=(-s "$SCRIPT")
"${client[@]}" -d5s "$url" > /dev/null
perf stat -e task-clock,context-switches -p "$server" -o "$perfout" -- sleep "${D:-6}" &
out=$("${client[@]}" -d"${D:-6}"s "$url")
wait $! || true
kill "$server" 2> /dev/null || true
wait "$server" 2> /dev/null || true
reqs=$(awk '/requests in/{print $1}' <<< "$out")
rps=$(awk '/Requests\/sec/{print $2}' <<< "$out")
ms=$(awk '/task-clock/{gsub(",","",$1); print $1}' "$perfout")
cs=$(awk '/context-switches/{gsub(",","",$1); print $1}' "$perfout")
python3 -c "print('$main $path $*: $rps req/s, server CPU %.1f us/req, %.2f context switches/req' % ($ms*1000/$reqs, $cs/$reqs))"
rm -f "$log" "$perfout"
