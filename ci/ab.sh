#!/usr/bin/env bash
# Compares two builds of the server on this machine, in one run: the Flight rows of
# docs/benchmarks.md (1 GiB put and get, "not modified", 1 KiB gets from 16 callers on 16
# connections and on one) against build A and build B in alternating rounds, each round on a fresh
# server and store, so that whatever else the machine does falls on both alike. For a change that
# must leave the rows no worse. On demand only. Prints one JSON line per run, tagged with its
# variant and round, then the median of each row per variant.
#
# Usage: ci/ab.sh DIR_A DIR_B
#   DIR_A, DIR_B  checkouts whose cache-server/target/cache-server.jar and
#                 cache-bench/target/cache-bench.jar are built (mvn -B -q package -DskipTests)
# Environment:
#   ROUNDS     rounds of each variant (default 3)
#   AB_DIR     work directory, on the volume under test (default target/ab; emptied first)
set -euo pipefail

A="$(cd "$1" && pwd)"
B="$(cd "$2" && pwd)"
ROUNDS="${ROUNDS:-3}"
WORK="${AB_DIR:-target/ab}"
SERVER_JAVA_OPTS="-Xms1g -Xmx1g -XX:MaxDirectMemorySize=1g"
CLIENT_JAVA_OPTS="-Xms4g -Xmx4g -XX:MaxDirectMemorySize=2g"
rm -rf "$WORK"
mkdir -p "$WORK/tmp"
RESULTS="$WORK/results.jsonl"
: >"$RESULTS"

SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true' EXIT

for round in $(seq "$ROUNDS"); do
  for variant in A B; do
    repo="${!variant}"
    rm -rf "$WORK/store" "$WORK/port"
    # shellcheck disable=SC2086
    java $SERVER_JAVA_OPTS -jar "$repo/cache-server/target/cache-server.jar" --port 0 --metrics-port 0 \
      --port-file "$WORK/port" --storage-dir "$WORK/store" >"$WORK/server-$variant.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 150); do [ -s "$WORK/port" ] && break; sleep 0.2; done
    endpoint="grpc://127.0.0.1:$(cat "$WORK/port")"
    run() {
      # shellcheck disable=SC2086
      java $CLIENT_JAVA_OPTS -jar "$repo/cache-bench/target/cache-bench.jar" --endpoint "$endpoint" \
        --temp-dir "$WORK/tmp" --json-only "$@" 2>>"$WORK/bench.log" | grep '^{' \
        | sed "s/^{/{\"variant\":\"$variant\",\"round\":$round,/" | tee -a "$RESULTS"
    }
    run --workload put --size 1GiB --warmup 2 --requests 4
    run --workload get --size 1GiB --warmup 4 --requests 6
    run --workload get-not-modified --size 1KiB --warmup 8s --duration 5s
    run --workload get --size 1KiB --clients 16 --client-per-thread --warmup 8s --duration 5s
    run --workload get --size 1KiB --clients 16 --warmup 5s --duration 5s
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  done
done

python3 - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
table = {}
for r in rows:
    name = f"{r['workload']} {r['size']} B, {r['clients']} caller(s)" + (", a client each" if r['client_per_thread'] else "")
    table.setdefault(name, {}).setdefault(r['variant'], []).append(r)
for name, variants in table.items():
    cells = []
    for v in "AB":
        rs = variants.get(v, [])
        if rs and rs[0]['workload'] == 'get-not-modified':
            cells.append(f"{v}: p50 {statistics.median(r['p50_us'] for r in rs):.0f} us, p99 {statistics.median(r['p99_us'] for r in rs):.0f} us")
        elif rs and rs[0]['size'] >= 1 << 20:
            cells.append(f"{v}: {statistics.median(r['mb_per_s'] for r in rs):.0f} MB/s")
        elif rs:
            cells.append(f"{v}: {statistics.median(r['ops_per_s'] for r in rs):.0f} ops/s")
        errors = sum(r['errors'] for r in rs)
        if errors:
            cells[-1] += f" ({errors} errors)"
    print(f"{name}: " + "; ".join(cells))
PY
