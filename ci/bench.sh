#!/usr/bin/env bash
# Runs the benchmark targets of docs/benchmarks.md on this machine, on loopback: each target's
# anchor (iperf3, nginx + curl, dd, redis-benchmark, a bare Flight do_get) and our server side by
# side in one run, with bare Flight moving the same file as Flight's own ceiling, then the workload
# matrix. Writes a markdown table to stdout and to a results file. On demand only: nothing here
# runs in `mvn verify`.
#
# Usage: ci/bench.sh [--quick] [--no-build] [--no-install] [--out FILE]
#   --quick       the reduced matrix and shorter runs (see docs/benchmarks.md for what is left out)
#   --no-build    use the jars already in cache-server/target and cache-bench/target
#   --no-install  do not apt-get the anchor tools; rows whose tool is missing are skipped
#   --out FILE    results file (default target/bench/results-<time>.md)
# Environment:
#   BENCH_DIR         work directory parent, on the volume under test (default target/bench)
#   SERVER_JAVA_OPTS  JVM options of the server for the throughput rows (default -Xms1g -Xmx1g -XX:MaxDirectMemorySize=1g)
#   CLIENT_JAVA_OPTS  JVM options of the benchmark and anchor JVMs (default -Xms4g -Xmx4g -XX:MaxDirectMemorySize=2g)
#   STEP_TIMEOUT      seconds any one step may take before it is killed (default 900)
#   KEEP_WORK=1       keep the work directory (server storage, logs, raw JSON) after the run
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
QUICK=0
BUILD=1
INSTALL=1
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    --no-install) INSTALL=0 ;;
    --out) OUT="$2"; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
BASE="${BENCH_DIR:-$REPO/target/bench}"
mkdir -p "$BASE"
WORK="$(mktemp -d "$BASE/run-$STAMP.XXXX")"
OUT="${OUT:-$BASE/results-$STAMP.md}"
STEP_TIMEOUT="${STEP_TIMEOUT:-900}"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:--Xms1g -Xmx1g -XX:MaxDirectMemorySize=1g}"
CLIENT_JAVA_OPTS="${CLIENT_JAVA_OPTS:--Xms4g -Xmx4g -XX:MaxDirectMemorySize=2g}"
ARROW_OPENS="--add-opens=java.base/java.nio=org.apache.arrow.memory.core,ALL-UNNAMED"
SERVER_JAR="$REPO/cache-server/target/cache-server.jar"
BENCH_JAR="$REPO/cache-bench/target/cache-bench.jar"
GIB=$((1024 * 1024 * 1024))

# Run lengths. Warm-up matters on the JVM: the first GiBs run at half speed, so the 1 GiB rows
# warm up on several GiB first, and the get row, the first of a fresh server, on 24 GiB (with 8,
# the JIT compilers still took a core on each side during the measured gets); and a small call runs about ten times slower until the JIT has
# compiled its path, which takes tens of thousands of calls (a 1 KiB get measured 7.3 ms p50
# after 3 s of warm-up and 0.29 ms after 30 s), so the small rows warm up for 20 s. Every
# benchmark run is a new client JVM, so this holds for every row.
if [ "$QUICK" = 1 ]; then
  BIG_WARMUP=3; GET_WARMUP=8; BIG_REQUESTS=4; SMALL_WARMUP=10s; SMALL_DURATION=5s; ANCHOR_RUNS=3; IPERF_SECONDS=5; NM_ROUNDS=2
else
  BIG_WARMUP=8; GET_WARMUP=24; BIG_REQUESTS=8; SMALL_WARMUP=20s; SMALL_DURATION=10s; ANCHOR_RUNS=5; IPERF_SECONDS=10; NM_ROUNDS=3
fi

PIDS=()
SERVER_PID=""
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "bench.sh: work directory kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench.sh: $*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
fmt() { awk -v v="$1" -v d="${2:-0}" 'BEGIN { if (v == "") print "n/a"; else printf "%.*f\n", d, v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f\n", a / b }'; }
# meets VALUE OP LIMIT: "yes" or "no" ("n/a" when the value is missing)
meets() { awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { if (v == "" || v == "n/a") print "n/a"; else if ((op == ">=" && v >= l) || (op == "<=" && v <= l) || (op == "<" && v < l)) print "yes"; else print "no" }'; }
json() { jq -r "$1" <<<"$2"; }

# A free TCP port on 127.0.0.1: nothing answers a connect to it.
free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  log "no free port found"; return 1
}

# wait_for CMD...: retry a command for up to 30 s.
wait_for() {
  for _ in $(seq 150); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

step() { timeout --kill-after=10 "$STEP_TIMEOUT" "$@"; }

install_tools() {
  local missing=()
  have iperf3 || missing+=(iperf3)
  have nginx || missing+=(nginx-light)
  have redis-server || missing+=(redis-server)
  have redis-benchmark || missing+=(redis-tools)
  have curl || missing+=(curl)
  have jq || missing+=(jq)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$INSTALL" = 0 ] || [ "$(id -u)" != 0 ] || ! have apt-get; then
    log "missing: ${missing[*]} (install them with apt-get; their rows are skipped)"
    return 0
  fi
  log "installing ${missing[*]} from Debian"
  # Keep the packages' own services (nginx on :80, redis on :6379) from starting on install.
  local guard=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1
  fi
  if ! apt-cache show "${missing[0]}" >/dev/null 2>&1; then
    step apt-get update -q >/dev/null || log "apt-get update failed"
  fi
  DEBIAN_FRONTEND=noninteractive step apt-get install -y -q --no-install-recommends "${missing[@]}" >"$WORK/apt.log" 2>&1 \
    || log "apt-get install failed (see the log); rows whose tool is missing are skipped"
  [ "$guard" = 1 ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

start_server() { # start_server JAVA_OPTS: starts our server on a fresh storage dir; sets SERVER_PID, ENDPOINT
  rm -rf "$WORK/store" "$WORK/server.port"
  # shellcheck disable=SC2086
  java $1 -jar "$SERVER_JAR" --port 0 --metrics-port 0 --port-file "$WORK/server.port" --storage-dir "$WORK/store" \
    --log-level WARN >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_for test -s "$WORK/server.port" || { log "the server did not start; see $WORK/server.log"; exit 1; }
  ENDPOINT="grpc://127.0.0.1:$(cat "$WORK/server.port")"
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

bench() { # bench ARGS...: one benchmark run against our server; prints its JSON lines
  # shellcheck disable=SC2086
  step java $CLIENT_JAVA_OPTS -jar "$BENCH_JAR" --endpoint "$ENDPOINT" --temp-dir "$WORK/tmp" --json-only "$@" \
    2>>"$WORK/bench.log" | grep '^{' || true
}

ROWS=()
row() { # row TARGET ANCHOR OURS RATIO GOAL MET COMMAND
  ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 | \`$7\` |")
}

# ---------------------------------------------------------------------------------------------
install_tools
mkdir -p "$WORK/tmp" "$WORK/www"
if [ "$BUILD" = 1 ]; then
  log "building the jars"
  (cd "$REPO" && step mvn -B -q package -DskipTests -pl cache-server,cache-bench -am) >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log" >&2; exit 1; }
fi
[ -f "$SERVER_JAR" ] && [ -f "$BENCH_JAR" ] || { log "jars missing: build first or drop --no-build"; exit 1; }
have jq || { log "jq is required to read the benchmark's JSON"; exit 1; }

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "work directory $WORK; writing 1 GiB of random data"
head -c "$GIB" /dev/urandom >"$WORK/www/obj.bin"

start_server "$SERVER_JAVA_OPTS"
log "server on $ENDPOINT"

# --- 1. get of a 1 GiB object from disk, page cache warm, every byte consumed ------------------
log "row: get 1 GiB"
GET_JSON="$(bench --workload get --size 1GiB --warmup "$GET_WARMUP" --requests "$BIG_REQUESTS")"
GET_MBS="$(json '.mb_per_s' "$GET_JSON")"
IPERF_MBS=""
if have iperf3; then
  port="$(free_port)"
  iperf3 -s -1 -B 127.0.0.1 -p "$port" >"$WORK/iperf3-server.log" 2>&1 &
  PIDS+=("$!")
  sleep 0.5
  IPERF_MBS="$(step iperf3 -c 127.0.0.1 -p "$port" -t "$IPERF_SECONDS" -J \
    | jq '.end.sum_received.bytes / .end.sum_received.seconds / 1e6' || true)"
fi
NGINX_MBS=""
if have nginx && have curl; then
  port="$(free_port)"
  mkdir -p "$WORK/nginx"
  cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
$([ "$(id -u)" = 0 ] && echo "user root;")
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server { listen 127.0.0.1:$port; root $WORK/www; }
}
EOF
  nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
  PIDS+=("$!")
  if wait_for curl -sf -o /dev/null -r 0-0 "http://127.0.0.1:$port/obj.bin"; then
    for _ in 1 2; do curl -s -o /dev/null "http://127.0.0.1:$port/obj.bin"; done
    NGINX_MBS="$(for _ in $(seq "$ANCHOR_RUNS"); do
      step curl -s -o /dev/null -w '%{speed_download}\n' "http://127.0.0.1:$port/obj.bin"
    done | median | awk '{ print $1 / 1e6 }' || true)"
  else
    log "nginx did not start; see $WORK/nginx/error.log"
  fi
fi
# Flight's own ceiling for the same file: a bare producer and caller (BareFlightBulk), with the
# patterns of the reference note and nothing of ours, in a JVM pair of their own.
bulk_port="$WORK/bulk.port"
# shellcheck disable=SC2086
java $SERVER_JAVA_OPTS $ARROW_OPENS -cp "$BENCH_JAR" dev.flightcache.bench.BareFlightBulk --serve --port 0 \
  --port-file "$bulk_port" --file "$WORK/www/obj.bin" >"$WORK/bulk-server.log" 2>&1 &
BULK_PID=$!
PIDS+=("$BULK_PID")
wait_for test -s "$bulk_port" || log "the bare Flight producer did not start; see $WORK/bulk-server.log"
bulk() { # bulk WORKLOAD WARMUP: the bare Flight caller's MB/s, or nothing
  [ -s "$bulk_port" ] || return 0
  # shellcheck disable=SC2086
  step java $CLIENT_JAVA_OPTS $ARROW_OPENS -cp "$BENCH_JAR" dev.flightcache.bench.BareFlightBulk \
    --endpoint "grpc://127.0.0.1:$(cat "$bulk_port")" --file "$WORK/www/obj.bin" --workload "$1" --warmup "$2" \
    --requests "$BIG_REQUESTS" --json-only 2>>"$WORK/bench.log" | grep '^{' | jq '.mb_per_s' || true
}
BARE_GET_MBS="$(bulk get "$GET_WARMUP")"
GET_CMD="cache-bench --workload get --size 1GiB --warmup $GET_WARMUP --requests $BIG_REQUESTS"
row "get 1 GiB, page cache warm (MB/s)" "iperf3 $(fmt "$IPERF_MBS")" "$(fmt "$GET_MBS")" "$(ratio "$GET_MBS" "$IPERF_MBS")" \
  ">= 0.75" "$(meets "$(ratio "$GET_MBS" "$IPERF_MBS")" ">=" 0.75)" "$GET_CMD; iperf3 -c 127.0.0.1 -t $IPERF_SECONDS"
row "get 1 GiB, page cache warm (MB/s)" "nginx $(fmt "$NGINX_MBS")" "$(fmt "$GET_MBS")" "$(ratio "$GET_MBS" "$NGINX_MBS")" \
  ">= 1.0" "$(meets "$(ratio "$GET_MBS" "$NGINX_MBS")" ">=" 1.0)" "curl -o /dev/null http://127.0.0.1/obj.bin (nginx sendfile on), median of $ANCHOR_RUNS"
BULK_GET_CMD="BareFlightBulk --serve --file obj.bin; BareFlightBulk --workload get --warmup $GET_WARMUP --requests $BIG_REQUESTS"
row "get 1 GiB: bare Flight, the same file (MB/s)" "iperf3 $(fmt "$IPERF_MBS")" "bare Flight $(fmt "$BARE_GET_MBS")" \
  "$(ratio "$BARE_GET_MBS" "$IPERF_MBS")" "—" "—" "$BULK_GET_CMD"
row "get 1 GiB: ours against bare Flight (MB/s)" "bare Flight $(fmt "$BARE_GET_MBS")" "$(fmt "$GET_MBS")" \
  "$(ratio "$GET_MBS" "$BARE_GET_MBS")" "—" "—" "$GET_CMD; $BULK_GET_CMD"

# --- 2. put of a 1 GiB object, committed with fsync --------------------------------------------
log "row: put 1 GiB"
PUT_JSON="$(bench --workload put --size 1GiB --warmup "$BIG_WARMUP" --requests "$BIG_REQUESTS")"
PUT_MBS="$(json '.mb_per_s' "$PUT_JSON")"
DD_MBS="$(for _ in $(seq "$ANCHOR_RUNS"); do
  LC_ALL=C step dd if="$WORK/www/obj.bin" of="$WORK/dd.out" bs=1M iflag=fullblock conv=fdatasync 2>&1 \
    | awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") print $1 / $(i - 1) / 1e6 }'
  rm -f "$WORK/dd.out"
done | median || true)"
row "put 1 GiB, fsync (MB/s)" "dd $(fmt "$DD_MBS")" "$(fmt "$PUT_MBS")" "$(ratio "$PUT_MBS" "$DD_MBS")" ">= 0.9" \
  "$(meets "$(ratio "$PUT_MBS" "$DD_MBS")" ">=" 0.9)" \
  "cache-bench --workload put --size 1GiB ...; dd if=random of=f bs=1M iflag=fullblock conv=fdatasync, median of $ANCHOR_RUNS"
BARE_PUT_MBS="$(bulk put "$BIG_WARMUP")"
kill "$BULK_PID" 2>/dev/null || true
BULK_PUT_CMD="BareFlightBulk --workload put --warmup $BIG_WARMUP --requests $BIG_REQUESTS (the producer checksums and drops every byte)"
row "put 1 GiB: bare Flight, stores nothing (MB/s)" "dd $(fmt "$DD_MBS")" "bare Flight $(fmt "$BARE_PUT_MBS")" \
  "$(ratio "$BARE_PUT_MBS" "$DD_MBS")" "—" "—" "$BULK_PUT_CMD"
row "put 1 GiB: ours against bare Flight (MB/s)" "bare Flight $(fmt "$BARE_PUT_MBS")" "$(fmt "$PUT_MBS")" \
  "$(ratio "$PUT_MBS" "$BARE_PUT_MBS")" "—" "—" "cache-bench --workload put --size 1GiB ...; $BULK_PUT_CMD"

# --- 3. get answered "not modified" vs a bare Flight do_get ------------------------------------
log "row: not modified"
port_file="$WORK/anchor.port"
# shellcheck disable=SC2086
java $SERVER_JAVA_OPTS $ARROW_OPENS -cp "$BENCH_JAR" dev.flightcache.bench.BareFlightAnchor --serve --port 0 \
  --port-file "$port_file" >"$WORK/anchor-server.log" 2>&1 &
ANCHOR_PID=$!
PIDS+=("$ANCHOR_PID")
wait_for test -s "$port_file" || log "the bare Flight anchor did not start; see $WORK/anchor-server.log"
# Latency is the most sensitive to other load on the machine: alternate anchor and ours, and
# take the median of each over the rounds.
: >"$WORK/anchor.jsonl"
: >"$WORK/nm.jsonl"
for _ in $(seq "$NM_ROUNDS"); do
  if [ -s "$port_file" ]; then
    # shellcheck disable=SC2086
    step java $CLIENT_JAVA_OPTS $ARROW_OPENS -cp "$BENCH_JAR" dev.flightcache.bench.BareFlightAnchor \
      --endpoint "grpc://127.0.0.1:$(cat "$port_file")" --warmup "$SMALL_WARMUP" --duration "$SMALL_DURATION" --json-only \
      2>>"$WORK/bench.log" | grep '^{' >>"$WORK/anchor.jsonl" || true
  fi
  bench --workload get-not-modified --size 1KiB --warmup "$SMALL_WARMUP" --duration "$SMALL_DURATION" >>"$WORK/nm.jsonl"
done
# The floor of one Flight call per get: 16 connections of bare do_gets that send nothing.
BARE16_OPS=""
if [ -s "$port_file" ]; then
  # shellcheck disable=SC2086
  BARE16_OPS="$(step java $CLIENT_JAVA_OPTS $ARROW_OPENS -cp "$BENCH_JAR" dev.flightcache.bench.BareFlightAnchor \
    --endpoint "grpc://127.0.0.1:$(cat "$port_file")" --clients 16 --client-per-thread --warmup "$SMALL_WARMUP" \
    --duration "$SMALL_DURATION" --json-only 2>>"$WORK/bench.log" | grep '^{' | jq '.ops_per_s' || true)"
fi
kill "$ANCHOR_PID" 2>/dev/null || true
A50="$(jq '.p50_us' "$WORK/anchor.jsonl" | median)"; A99="$(jq '.p99_us' "$WORK/anchor.jsonl" | median)"
N50="$(jq '.p50_us' "$WORK/nm.jsonl" | median)"; N99="$(jq '.p99_us' "$WORK/nm.jsonl" | median)"
NM_ERRORS="$(jq -s 'map(.errors) | add' "$WORK/nm.jsonl")"
NM_CMD="cache-bench --workload get-not-modified --size 1KiB --duration $SMALL_DURATION; BareFlightAnchor --serve / --endpoint; median of $NM_ROUNDS alternating rounds, $NM_ERRORS errors"
row "get not modified, p50 (µs)" "bare do_get $A50" "$N50" "$(ratio "$N50" "$A50")" "<= 1.2" \
  "$(meets "$(ratio "$N50" "$A50")" "<=" 1.2)" "$NM_CMD"
row "get not modified, p50 (µs)" "—" "$N50" "—" "< 250" "$(meets "$N50" "<" 250)" "$NM_CMD"
row "get not modified, p99 (µs)" "bare do_get $A99" "$N99" "$(ratio "$N99" "$A99")" "< 500" "$(meets "$N99" "<" 500)" "$NM_CMD"

# --- 4. get of a 1 KiB object, 16 concurrent callers, vs redis ---------------------------------
log "row: 1 KiB get, 16 callers"
# Sixteen connections, as redis-benchmark -c 16 opens: each caller has its own client.
SMALL_JSON="$(bench --workload get --size 1KiB --clients 16 --client-per-thread --warmup "$SMALL_WARMUP" --duration "$SMALL_DURATION")"
SMALL_OPS="$(json '.ops_per_s' "$SMALL_JSON")"
# The same callers sharing one client (one HTTP/2 connection), as threads of one job would.
SHARED_JSON="$(bench --workload get --size 1KiB --clients 16 --warmup "$SMALL_WARMUP" --duration "$SMALL_DURATION")"
SHARED_OPS="$(json '.ops_per_s' "$SHARED_JSON")"
REDIS_OPS=""
if have redis-server && have redis-benchmark; then
  port="$(free_port)"
  mkdir -p "$WORK/redis"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK/redis" \
    >"$WORK/redis/redis.log" 2>&1 &
  PIDS+=("$!")
  if wait_for redis-cli -p "$port" ping; then
    # -t get alone would read a key that does not exist; set the 1 KiB value first.
    redis-benchmark -h 127.0.0.1 -p "$port" -t set -d 1024 -n 1000 -c 1 -q >/dev/null
    log "redis value length: $(redis-cli -p "$port" strlen 'key:__rand_int__')"
    REDIS_OPS="$(for _ in $(seq "$ANCHOR_RUNS"); do
      step redis-benchmark -h 127.0.0.1 -p "$port" -t get -d 1024 -c 16 -n 200000 --csv | awk -F'"' '$2 == "GET" { print $4 }'
    done | median || true)"
  fi
fi
row "get 1 KiB, 16 callers (ops/s)" "redis $(fmt "$REDIS_OPS")" "$(fmt "$SMALL_OPS")" "$(ratio "$SMALL_OPS" "$REDIS_OPS")" ">= 0.5" \
  "$(meets "$(ratio "$SMALL_OPS" "$REDIS_OPS")" ">=" 0.5)" \
  "cache-bench --workload get --size 1KiB --clients 16 --client-per-thread; redis-benchmark -t get -d 1024 -c 16 -n 200000"
row "get 1 KiB, 16 callers: bare Flight do_get sending nothing (ops/s)" "redis $(fmt "$REDIS_OPS")" \
  "bare Flight $(fmt "$BARE16_OPS")" "$(ratio "$BARE16_OPS" "$REDIS_OPS")" "—" "—" \
  "BareFlightAnchor --clients 16 --client-per-thread --duration $SMALL_DURATION"
row "get 1 KiB, 16 callers, one shared client (ops/s)" "redis $(fmt "$REDIS_OPS")" "$(fmt "$SHARED_OPS")" "$(ratio "$SHARED_OPS" "$REDIS_OPS")" "—" "—" \
  "cache-bench --workload get --size 1KiB --clients 16"

# --- 5. client-side hit: a current 64 MiB object ----------------------------------------------
log "row: client-side hit"
HIT_JSON="$(bench --workload get-not-modified --size 64MiB --warmup "$SMALL_WARMUP" --duration "$SMALL_DURATION")"
HIT50="$(json '.p50_us' "$HIT_JSON")"
HIT_BYTES="$(json '.bytes_fetched' "$HIT_JSON")"
HIT_NM="$(json '.not_modified' "$HIT_JSON")/$(json '.ops' "$HIT_JSON")"
row "client-side hit, 64 MiB (p50 µs; payload bytes)" "1 KiB not modified $N50" "$HIT50; $HIT_BYTES bytes; $HIT_NM not modified" \
  "$(ratio "$HIT50" "$N50")" "0 bytes, 1 round trip" "$([ "$HIT_BYTES" = 0 ] && echo yes || echo no)" \
  "cache-bench --workload get-not-modified --size 64MiB"

# --- 6. memory: 8 concurrent gets of a 1 GiB object, server with 256 MiB heap and direct -------
log "row: memory"
stop_server
start_server "-Xmx256m -XX:MaxDirectMemorySize=256m"
MEM_JSON="$(bench --workload get --size 1GiB --clients 8 --client-per-thread --shared-object --to-file --warmup 0 --requests 8)"
HWM_KB="$(awk '/VmHWM/ { print $2 }' "/proc/$SERVER_PID/status" || true)"
HWM_MIB="$(awk -v k="$HWM_KB" 'BEGIN { printf "%.0f", k / 1024 }')"
MEM_ERRORS="$(json '.errors' "$MEM_JSON")"
row "memory: 8 concurrent 1 GiB gets (peak RSS MiB)" "—" "$HWM_MIB ($MEM_ERRORS errors)" "—" "< 768" \
  "$([ "$MEM_ERRORS" = 0 ] && meets "$HWM_MIB" "<" 768 || echo no)" \
  "server -Xmx256m -XX:MaxDirectMemorySize=256m; cache-bench --workload get --size 1GiB --clients 8 --client-per-thread --shared-object --to-file --requests 8; VmHWM"
stop_server

# --- 7. the workload matrix -------------------------------------------------------------------
log "matrix"
start_server "$SERVER_JAVA_OPTS"
: >"$WORK/matrix.jsonl"
matrix() { bench "$@" >>"$WORK/matrix.jsonl"; }
if [ "$QUICK" = 1 ]; then
  matrix --workload all --size 1KiB --clients 1 --warmup 5s --duration 3s
  matrix --workload all --size 1KiB --clients 16 --warmup 5s --duration 3s
  matrix --workload all --size 1MiB --clients 4 --warmup 5s --duration 3s
  matrix --workload all --size 64MiB --clients 1 --warmup 2 --requests 6
else
  for size in 1KiB 1MiB 64MiB; do
    for clients in 1 16; do
      matrix --workload all --size "$size" --clients "$clients" --warmup 8s --duration 8s
    done
  done
  matrix --workload put,get,upload,download --size 1GiB --clients 1 --warmup 3 --requests 5
  matrix --workload put,get,upload,download --size 4GiB --clients 1 --warmup 1 --requests 2
fi
stop_server
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- the report -------------------------------------------------------------------------------
{
  echo "## Run $STAMP ($([ "$QUICK" = 1 ] && echo quick || echo full) matrix)"
  echo
  echo "| machine | |"
  echo "|---|---|"
  echo "| cores | $(nproc) ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)) |"
  echo "| memory | $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
  echo "| kernel | $(uname -r) |"
  echo "| Java | $(java -version 2>&1 | head -1) |"
  echo "| volume | $(df -hT "$WORK" | awk 'NR == 2 { print $2 " " $1 ", " $3 }') |"
  echo "| load average before / after | $LOAD_BEFORE / $LOAD_AFTER |"
  echo "| commit | $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown) |"
  echo "| server JVM | $SERVER_JAVA_OPTS (memory row: -Xmx256m -XX:MaxDirectMemorySize=256m) |"
  echo "| client JVM | $CLIENT_JAVA_OPTS |"
  echo
  echo "| target | anchor | ours | ratio | goal | met | command |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Matrix (MB = 10^6 bytes; latency in µs):"
  echo
  echo "| workload | size | clients | ops | ops/s | MB/s | p50 | p99 | p99.9 | errors |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  jq -r 'def h: if . >= 1073741824 then "\(. / 1073741824) GiB" elif . >= 1048576 then "\(. / 1048576) MiB"
      elif . >= 1024 then "\(. / 1024) KiB" else "\(.) B" end;
    "| \(.workload) | \(.size | h) | \(.clients) | \(.ops) | \(.ops_per_s) | \(.mb_per_s) | \(.p50_us) | \(.p99_us) | \(.p999_us) | \(.errors) |"' \
    "$WORK/matrix.jsonl"
} | tee "$OUT"
log "results written to $OUT"
