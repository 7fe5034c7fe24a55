#!/usr/bin/env python3
"""A store with a million incidents for the web console's first-paint bench
(bench/console-first-paint.mjs): organisations, incidents over two years,
organisations concerned, journal entries, reports and alerts, written straight
into a database that `vigie setup` created (the schema is the binary's own).

    bench/console-dataset.py VIGIE_BIN DB [INCIDENTS]

Deterministic (fixed seed). What it holds, by default:
  - 200 organisations (a third NIS2 entities), Zipf-like share of incidents;
  - 1,000,000 incidents created uniformly over 730 days; half of those of the
    last 60 days are still open, 1 % of the older ones (about 50,000 open);
    closed ones have their acknowledgement, first advice and closing dates;
    5 % concern a second organisation;
  - 3 journal entries on each of the newest 20,000 incidents;
  - 300,000 reports (the newest 2,000 still to triage, the others decided,
    most into the incident of the same rank);
  - 300,000 alerts over the last 60 days.
No full-text index rows: the bench pages do not search.
"""
import os
import random
import sqlite3
import subprocess
import sys
import time

DAY = 86400 * 1000
RSIT = [("malicious-code", "infected-system"), ("malicious-code", "c2-server"), ("malicious-code", "malware-distribution"),
        ("availability", "ddos"), ("availability", "dos"), ("fraud", "phishing"), ("fraud", "masquerade"),
        ("intrusions", "system-compromise"), ("intrusions", "application-compromise"), ("intrusions", "burglary"),
        ("intrusion-attempts", "brute-force"), ("intrusion-attempts", "exploit"), ("information-gathering", "scanner"),
        ("information-content-security", "data-leak"), ("vulnerable", "vulnerable-system"), ("other", "undetermined")]
SECTORS = ["public_administration", "health", "energy", "transport", "banking", "digital_infrastructure", "drinking_water", ""]
KINDS = ["ministry", "public_body", "local_authority", "oiv", "oes", "court", "isp", "other"]
STATUSES_OPEN = ["new", "new", "triage", "analysis", "analysis", "containment", "eradication", "recovery", "waiting"]
SEV = ["low"] * 30 + ["medium"] * 45 + ["high"] * 20 + ["critical"] * 5
LEVELS = ["informational", "low", "low", "medium", "medium", "high", "critical"]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    vigie, db = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    if os.path.exists(db):
        sys.exit("%s exists: give a new path" % db)
    env = dict(os.environ, VIGIE_ADMIN_PASSWORD=os.environ.get("VIGIE_ADMIN_PASSWORD", "correct horse battery staple"))
    subprocess.run([vigie, "--db", db, "setup"], check=True, env=env, stdout=subprocess.DEVNULL)
    rnd = random.Random(5)
    t0 = time.time()
    now = int(time.time() * 1000)
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA journal_mode=WAL")
    cur = con.cursor()
    cur.execute("BEGIN")

    orgs = []
    for k in range(200):
        nis2 = "essential" if k % 6 == 0 else "important" if k % 6 == 1 else ""
        cur.execute("INSERT INTO organisations (name, short_name, kind, sector, nis2, in_scope, country, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, 1, 'FR', ?, ?)",
                    ("Organisation %03d" % k, "ORG%03d" % k, KINDS[k % len(KINDS)], SECTORS[k % len(SECTORS)], nis2, now, now))
        orgs.append(cur.lastrowid)
    weights = [1.0 / (k + 1) ** 0.8 for k in range(len(orgs))]

    # incidents, oldest first (ids grow with time, as in a real store)
    start = now - 730 * DAY
    step = (now - start) / n
    counters = {}
    rows, extra, journal = [], [], []
    org_pick = rnd.choices(orgs, weights=weights, k=n)
    for k in range(n):
        created = int(start + k * step + rnd.random() * step)
        year = time.gmtime(created // 1000).tm_year
        counters[year] = counters.get(year, 0) + 1
        ref = "VIGIE-%04d-%06d" % (year, counters[year])
        tax, typ = RSIT[rnd.randrange(len(RSIT))] if rnd.random() < 0.9 else RSIT[-1]
        sev = SEV[rnd.randrange(100)]
        org = org_pick[k] if rnd.random() > 0.05 else None
        recent = created > now - 60 * DAY
        is_open = rnd.random() < (0.5 if recent else 0.01)
        status = STATUSES_OPEN[rnd.randrange(len(STATUSES_OPEN))] if is_open else "closed"
        ack = created + rnd.randrange(600000, 6 * 3600000) if (not is_open or rnd.random() < 0.7) else None
        adv = created + rnd.randrange(3600000, 3 * DAY) if (not is_open or rnd.random() < 0.4) else None
        closed = min(now - 1000, created + rnd.randrange(3600000, 20 * DAY)) if not is_open else None
        if ack and ack > now:
            ack = None
        if adv and adv > now:
            adv = None
        upd = closed or max(created, ack or 0, adv or 0)
        paused_since = created + 3600000 if status == "waiting" and created + 3600000 < now else None
        rows.append((ref, "Incident %d: %s on %s" % (k + 1, typ, "host-%d" % rnd.randrange(10000)), "Generated for the console bench.",
                     org, tax, typ, sev, rnd.choice(["green", "amber", "amber", "red"]), status, created, upd, created, created, ack, adv, closed,
                     paused_since))
        if org and rnd.random() < 0.05:
            extra.append((k + 1, rnd.choice(orgs)))
        if len(rows) == 50000:
            flush_incidents(cur, rows)
    flush_incidents(cur, rows)
    first_id = cur.execute("SELECT MIN(id) FROM incidents").fetchone()[0]
    cur.executemany("INSERT OR IGNORE INTO incident_orgs (incident_id, org_id) SELECT ?, ? WHERE ? IS NOT (SELECT org_id FROM incidents WHERE id = ?)",
                    [(first_id + i - 1, o, o, first_id + i - 1) for i, o in extra])
    last_id = first_id + n - 1
    for iid in range(max(first_id, last_id - 20000 + 1), last_id + 1):
        for j, (kind, vis) in enumerate((("status", 0), ("note", 0), ("reply", 1))):
            journal.append((iid, kind, vis, "Entry %d of incident %d." % (j + 1, iid), now - (last_id - iid) * 60000 + j))
    cur.executemany("INSERT INTO journal (incident_id, kind, visible, body, created_at) VALUES (?, ?, ?, ?, ?)", journal)
    print("incidents: %d (%d open) in %.1f s" % (n, cur.execute("SELECT COUNT(*) FROM incidents WHERE status <> 'closed'").fetchone()[0],
                                                  time.time() - t0), flush=True)

    # reports: the k-th newest report became the k-th newest incident, most of the time
    nrep = min(300000, n)
    reps = []
    rstart = now - 365 * DAY
    for k in range(nrep):
        created = int(rstart + k * (now - rstart) / nrep)
        year = time.gmtime(created // 1000).tm_year
        counters[year] = counters.get(year, 0) + 1
        pending = k >= nrep - 2000
        status = "new" if pending else rnd.choice(["incident"] * 6 + ["referred", "forwarded", "in_scope", "merged"])
        decision = {"new": "", "incident": "new_incident", "referred": "refer", "forwarded": "forward", "in_scope": "in_scope", "merged": "merge"}[status]
        inc = last_id - (nrep - 1 - k) if status in ("incident", "merged") else None
        org = org_pick[k] if rnd.random() > 0.2 else None
        reps.append(("VIGIE-%04d-%06d" % (year, counters[year]), rnd.choice(["api", "form", "email"]), "Reporter %d" % k,
                     "reporter%d@example.org" % k, org, "Report %d: suspicious activity" % (k + 1), "Body of report %d." % (k + 1),
                     status, decision, inc, created if not pending else None, created, created))
    cur.executemany("INSERT INTO reports (reference, source, reporter_name, reporter_email, org_id, subject, body, status, decision, "
                    "incident_id, decided_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", reps)
    for year, c in counters.items():
        cur.execute("INSERT INTO ref_counters (kind, year, next) VALUES ('ref', ?, ?) "
                    "ON CONFLICT (kind, year) DO UPDATE SET next = excluded.next", (year, c + 1))

    # alerts over the last 60 days
    nal = min(300000, n)
    al = []
    for k in range(nal):
        created = int(now - 60 * DAY + k * (60 * DAY) / nal)
        lvl = LEVELS[rnd.randrange(len(LEVELS))]
        status = "new" if created > now - 2 * DAY else rnd.choice(["acknowledged", "acknowledged", "merged", "new"])
        al.append(("rule-%d" % rnd.randrange(300), "Rule %d matched" % rnd.randrange(300), lvl, lvl, "fp-%d" % k, created, created, status,
                   org_pick[k % n] if rnd.random() > 0.1 else None, created))
    cur.executemany("INSERT INTO alerts (rule_id, title, level, severity, fingerprint, first_seen, last_seen, status, org_id, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", al)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    print("reports: %d, alerts: %d; done in %.1f s; %s: %.0f MB" % (nrep, nal, time.time() - t0, db, os.path.getsize(db) / 1e6))


def flush_incidents(cur, rows):
    cur.executemany("INSERT INTO incidents (reference, title, description, org_id, taxonomy, type, severity, tlp, status, created_at, "
                    "updated_at, awareness_at, detected_at, acknowledged_at, first_advice_at, closed_at, paused_since) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    rows.clear()


if __name__ == "__main__":
    main()
