#!/usr/bin/env bash
# API read benchmark: wrk with 50 connections against a release build.
# Side by side in one run: /api/v1/health (no database, no auth: the HTTP
# layer's floor) and authenticated reads of organisations (GET one
# organisation with its children, GET a page of 50).
#   bench/api-read.sh [BUILD_DIR] [DURATION]
# PIN=1 pins the server to CPU 0 and wrk to CPU 1 (taskset), so the load
# generator does not take the server's CPU: the server then has ONE core.
set -euo pipefail
BUILD=${1:-build-bench}
DUR=${2:-10s}
VIGIE=$BUILD/vigie
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/install-deps --test)"; exit 1; }
dir=$(mktemp -d /tmp/vg-bench-XXXXXX)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
db=$dir/bench.db
VIGIE_ADMIN_PASSWORD="bench password 123" $VIGIE --db "$db" --quiet setup >/dev/null
# 1,000 organisations with 5 networks and 2 domains each
python3 - "$dir/orgs.json" <<'PY'
import json, sys
orgs = []
for i in range(1000):
    orgs.append({"name": "Bench Org %04d" % i, "kind": "oes", "sector": "energy",
                 "networks": ["10.%d.%d.0/24" % (i // 250, (i % 250) + j) for j in range(5)],
                 "domains": ["org%d.example" % i, "org%d.example.fr" % i],
                 "contacts": [{"name": "SOC", "email": "soc@org%d.example" % i}]})
json.dump(orgs, open(sys.argv[1], "w"))
PY
$VIGIE --db "$db" --quiet org import "$dir/orgs.json" >/dev/null
token=$($VIGIE --db "$db" --json token create admin --name bench --days 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
SRV_PIN=""; WRK_PIN=""
if [ "${PIN:-0}" = 1 ]; then SRV_PIN="taskset -c 0"; WRK_PIN="taskset -c 1"; fi
$SRV_PIN $VIGIE --db "$db" --log-level warn serve --listen 127.0.0.1:0 --threads "${THREADS:-4}" > "$dir/out" &
pid=$!
for _ in $(seq 100); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\) (database.*/\1/p' "$dir/out")
cat > "$dir/auth.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA
run() {
  local label=$1 path=$2 auth=$3
  local out
  if [ "$auth" = yes ]; then
    out=$($WRK_PIN wrk -t"${WRK_THREADS:-2}" -c50 -d"$DUR" --latency -s "$dir/auth.lua" "http://127.0.0.1:$port$path")
  else
    out=$($WRK_PIN wrk -t"${WRK_THREADS:-2}" -c50 -d"$DUR" --latency "http://127.0.0.1:$port$path")
  fi
  local rps p50 p99 non2xx
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  printf '%-38s %12s %10s %10s %8s\n' "$label" "$rps" "$p50" "$p99" "${non2xx:-0}"
}
printf '%-38s %12s %10s %10s %8s\n' "endpoint (wrk -t${WRK_THREADS:-2} -c50 -d$DUR)" "req/s" "p50" "p99" "non-2xx"
run "GET /api/v1/health (baseline)" /api/v1/health no
run "GET /api/v1/orgs/500 (with children)" /api/v1/orgs/500 yes
run "GET /api/v1/orgs?limit=50" "/api/v1/orgs?limit=50" yes
run "GET /api/v1/lookup?ip=10.2.10.7" "/api/v1/lookup?ip=10.2.10.7" yes
