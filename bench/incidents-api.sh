#!/usr/bin/env bash
# Incident creation through the real API: wrk POSTs /api/v1/incidents (a
# Lua script varies the title and counts 201s), against a release build with
# db_sync=full (a 201 is sent only after the transaction is on disk). Then
# the server is killed with SIGKILL and the database is checked: every
# acknowledged incident must be there.
#   bench/incidents-api.sh [BUILD_DIR] [DURATION]     (CONN=32 THREADS=4 env)
# PERF=FILE also records a profile of the server during the run
# (perf record -g; read it with perf report -i FILE --no-children).
set -euo pipefail
BUILD=${1:-build-bench}
DUR=${2:-10s}
CONN=${CONN:-32}
THREADS=${THREADS:-4}
VIGIE=$BUILD/vigie
command -v wrk >/dev/null || { echo "wrk is not installed"; exit 1; }
dir=$(mktemp -d /tmp/vg-bench-inc-XXXXXX)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$dir"' EXIT
db=$dir/bench.db
VIGIE_ADMIN_PASSWORD="bench password 123" $VIGIE --db "$db" --quiet setup >/dev/null
$VIGIE --db "$db" --quiet org add "Bench Hospital" --kind oes --sector health --nis2 essential >/dev/null
token=$($VIGIE --db "$db" --json token create admin --name bench --days 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
VIGIE_DB_SYNC=${DB_SYNC:-full} $VIGIE --db "$db" --log-level warn serve --listen 127.0.0.1:0 --threads "$THREADS" > "$dir/out" &
pid=$!
for _ in $(seq 100); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\) (database.*/\1/p' "$dir/out")
cat > "$dir/post.lua" <<LUA
local threads = {}
function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
function init(args) created = 0; failed = 0; n = 0 end
function request()
  n = n + 1
  local body = string.format('{"title":"Ransomware wave %d-%d on the file servers","org_id":1,"type":"infected-system","severity":"high","description":"Encrypted shares, ransom note **README.txt**; VPN appliance suspected."}', tid, n)
  return wrk.format("POST", "/api/v1/incidents", {["Authorization"] = "Bearer $token", ["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  if status == 201 then created = created + 1 else failed = failed + 1 end
end
function done(summary, latency, requests)
  local c, f = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); f = f + t:get("failed") end
  io.write(string.format("ACK %d FAILED %d\n", c, f))
end
LUA
perf_pid=
if [ -n "${PERF:-}" ]; then
  perf record -q -F 499 --call-graph dwarf,16384 -p "$pid" -o "$PERF" -- sleep "${DUR%s}" 2>/dev/null &
  perf_pid=$!
fi
out=$(wrk -t2 -c"$CONN" -d"$DUR" --latency -s "$dir/post.lua" "http://127.0.0.1:$port")
[ -n "$perf_pid" ] && wait "$perf_pid" || true
# server CPU time (user+system) spent on the run: what one creation costs,
# independent of other load on the machine
cpu_ticks=$(awk '{print $14 + $15}' /proc/$pid/stat)
tck=$(getconf CLK_TCK)
kill -9 $pid; wait $pid 2>/dev/null || true; pid=
acked=$(echo "$out" | awk '/^ACK/ {print $2}')
failed=$(echo "$out" | awk '/^ACK/ {print $4}')
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
p50=$(echo "$out" | awk '$1=="50%" {print $2}')
p99=$(echo "$out" | awk '$1=="99%" {print $2}')
rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM incidents').fetchone()[0])" "$db")
printf 'POST /api/v1/incidents (wrk -t2 -c%s -d%s, %s server threads, db_sync=full)\n' "$CONN" "$DUR" "$THREADS"
printf '  %s req/s, p50 %s, p99 %s; acknowledged %s, failed %s\n' "$rps" "$p50" "$p99" "$acked" "$failed"
printf '  after kill -9: %s incidents in the database\n' "$rows"
awk -v t="$cpu_ticks" -v hz="$tck" -v n="$acked" 'BEGIN { if (n > 0) printf "  server CPU %.1fs: %.3f ms per creation (%.0f creations/s per fully available core)\n", t/hz, 1000*t/hz/n, n/(t/hz) }' 
if [ "$rows" -lt "$acked" ]; then echo "  DURABILITY FAILURE: acknowledged incidents are missing"; exit 1; fi
echo "  every acknowledged incident is durable"
