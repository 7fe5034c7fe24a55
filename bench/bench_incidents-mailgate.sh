#!/usr/bin/env bash
# vigie mailgate against a large registry: one process per message, as a
# Postfix pipe transport runs it. Generates ORGS organisations with
# CHILDREN networks + domains + contacts in total (default 10,000 / 200,000),
# imports them, then delivers MSGS messages (each naming a sender, an IP, a
# URL and an address, so every kind of lookup runs) and reports the wall
# time per message. BEFORE=path/to/older/vigie runs the same messages with
# that binary first, on a copy of the same database, for a before/after.
#   bench/bench_incidents-mailgate.sh [BUILD_DIR] [MSGS]   (ORGS=, CHILDREN=, BEFORE= env)
set -euo pipefail
BUILD=${1:-build-bench}
MSGS=${2:-50}
ORGS=${ORGS:-10000}
CHILDREN=${CHILDREN:-200000}
VIGIE=$BUILD/vigie
dir=$(mktemp -d /tmp/vg-bench-mailgate-XXXXXX)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir/registry.json" "$ORGS" "$CHILDREN" <<'PY'
import json, sys
path, orgs, children = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
per = max(3, children // orgs)          # networks + domains + contacts per organisation
docs = []
for o in range(orgs):
    nets, doms, cons = [], [], []
    for i in range(per):
        k = i % 3
        if k == 0:
            n = o * 64 + i // 3         # distinct /24s under 10.0.0.0/8, then 11.0.0.0/8...
            nets.append("%d.%d.%d.0/24" % (10 + n // 65536, (n // 256) % 256, n % 256))
        elif k == 1:
            doms.append("d%d.org%d.example" % (i // 3, o))
        else:
            cons.append({"email": "c%d@org%d.example" % (i // 3, o)})
    docs.append({"name": "Org %d" % o, "kind": "oes" if o % 3 else "ministry", "networks": nets,
                 "domains": doms, "contacts": cons})
json.dump(docs, open(path, "w"))
PY
db=$dir/bench.db
# an older binary cannot open a newer schema: build the database with it
MAKER=${BEFORE:-$VIGIE}
VIGIE_ADMIN_PASSWORD="bench password 123" $MAKER --db "$db" --quiet setup >/dev/null
t0=$(date +%s.%N)
$MAKER --db "$db" --quiet org import "$dir/registry.json" >/dev/null
t1=$(date +%s.%N)
kids=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(sum(c.execute('SELECT count(*) FROM '+t).fetchone()[0] for t in ('org_networks','org_domains','contacts')))" "$db")
printf 'registry: %s organisations, %s children (import %.1f s)\n' "$ORGS" "$kids" "$(echo "$t1 - $t0" | bc)"
for i in $(seq "$MSGS"); do
  o=$(( (i * 7919) % ORGS ))
  n=$(( o * 64 ))
  cat > "$dir/m$i.eml" <<MAIL
From: Reporter $i <c0@org$o.example>
To: cert@vigie.test
Subject: Suspicious traffic $i
Message-ID: <bench-$i@reporter.example>
Date: Sat, 28 Nov 2026 01:00:00 +0000
Content-Type: text/plain; charset=utf-8

Scans from $((10 + n / 65536)).$(( (n / 256) % 256 )).$(( n % 256 )).17 towards hxxp://www.d0.org$o[.]example/login
and a phishing mail from c1@org$o.example; also 192.0.2.1 and unknown.example.com.
MAIL
done
run() { # binary, database copy
  local bin=$1 d=$2 t0 t1
  t0=$(date +%s.%N)
  for i in $(seq "$MSGS"); do
    VIGIE_DB_SYNC=full $bin --db "$d" --quiet --log-level error mailgate --no-send < "$dir/m$i.eml" >/dev/null
  done
  t1=$(date +%s.%N)
  echo "$t0 $t1"
}
report() {
  local label=$1 times=$2 d=$3
  read -r t0 t1 <<< "$times"
  local n; n=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM reports WHERE status = 'new' AND org_id IS NOT NULL\").fetchone()[0])" "$d")
  printf '%-7s %d messages: %.1f ms per message (%s reports attributed to a constituent)\n' "$label" "$MSGS" \
    "$(echo "($t1 - $t0) * 1000 / $MSGS" | bc -l)" "$n"
}
if [ -n "${BEFORE:-}" ]; then
  cp "$db" "$dir/before.db"
  report before "$(run "$BEFORE" "$dir/before.db")" "$dir/before.db"
  $VIGIE --db "$db" --quiet db migrate >/dev/null
fi
report after "$(run "$VIGIE" "$db")" "$db"
