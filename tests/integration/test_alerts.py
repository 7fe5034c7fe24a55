"""Alerts end to end: SigmaHQ regression samples piped into `vigie detect`
against the server's database, then over HTTP: listing and filters,
deduplication (the same events twice: one alert, count 2), attribution through
the registry, acknowledgement, merge into an existing or a new incident
(observables linked, journal entry), constituent isolation, bad input on every
route (4xx naming the field, nothing written), refusals by role, and
`vigie detect --follow` picking up appended and rotated files, stopping on
SIGTERM, and a followed EVTX file read again without its records twice."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from harness import ServerTest, VIGIE, SANITIZER_MARKERS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIGMA = os.environ.get("VIGIE_SHARED", os.path.join(ROOT, "..", "shared")) + "/data/sigma"
MAPPING = os.path.join(ROOT, "etc", "detect", "windows.yml")
RULE_ID = "271de298-cc0e-4842-acd8-079a0a99ea65"


def sample():
    """(rule path, list of events) of one regression test, from index.tsv."""
    with open(os.path.join(SIGMA, "regression", "index.tsv"), encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(head, line.rstrip("\n").split("\t")))
            if row["rule_id"] == RULE_ID:
                break
        else:
            raise unittest.SkipTest("regression sample %s not found" % RULE_ID)
    text = open(os.path.join(SIGMA, row["json_path"]), encoding="utf-8").read()
    dec, i, events = json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        obj, i = dec.raw_decode(text, i)
        events.append(obj)
    return os.path.join(SIGMA, row["rule_path"]), events


def rule_meta(path):
    """title, author, tags and the detection's field names of a Sigma rule
    (a small reader for the top-level keys: no YAML library needed)."""
    meta, tags, fields, in_tags = {"title": "", "author": ""}, [], set(), False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(("title:", "author:")):
                k, v = line.split(":", 1)
                meta[k] = v.strip().strip("'\"")
            in_tags = line.startswith("tags:") or (in_tags and line.startswith("    -"))
            if in_tags and line.startswith("    -"):
                tags.append(line.split("-", 1)[1].strip())
            stripped = line.strip().lstrip("- ")
            if "|" in stripped.split(":", 1)[0] or stripped.split(":", 1)[0] in ("Image", "ParentImage",
                                                                                 "CommandLine", "ParentCommandLine"):
                fields.add(stripped.split(":", 1)[0].split("|")[0])
    meta["tags"], meta["fields"] = tags, fields
    return meta


def with_host(events, host):
    out = json.loads(json.dumps(events))
    for e in out:
        e["Event"]["System"]["Computer"] = host
    return "\n".join(json.dumps(e) for e in out) + "\n"


@unittest.skipUnless(os.path.isdir(SIGMA), "no SigmaHQ data")
class AlertTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        adm = cls.admin
        a = adm.post("/api/v1/orgs", {"name": "Ministere A", "kind": "ministry", "domains": ["ministere-a.gouv.fr"]})
        b = adm.post("/api/v1/orgs", {"name": "Operateur B", "kind": "oiv", "networks": ["192.0.2.0/24"]})
        assert a.status == 201 and b.status == 201, (a, b)
        cls.a, cls.b = a.json, b.json
        pw = "constituent password 1"
        for user, role, org in (("alice", "constituent", cls.a), ("bob", "constituent", cls.b),
                                ("pat", "partner", cls.b)):
            r = adm.post("/api/v1/users", {"username": user, "role": role, "org_id": org["id"], "password": pw})
            assert r.status == 201, r
        cls.alice, cls.bob, cls.pat = cls.srv.client(), cls.srv.client(), cls.srv.client()
        for c, u in ((cls.alice, "alice"), (cls.bob, "bob"), (cls.pat, "pat")):
            assert c.login(u, pw).status == 200
        cls.rule, cls.events = sample()

    def detect(self, text, *extra):
        r = self.srv.cli("--json", "detect", "-r", self.rule, "--mapping", MAPPING, *extra, "-", input=text)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout.strip().splitlines()[-1])

    def alerts_of(self, client, **q):
        qs = "&".join("%s=%s" % kv for kv in q.items())
        r = client.get("/api/v1/alerts" + ("?" + qs if qs else ""))
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    def audit_count(self):
        return self.srv.sql("SELECT count(*) FROM audit_log")[0][0]

    def writes_audited(self):
        return self.srv.sql("SELECT count(*) FROM audit_log WHERE outcome = 'ok' AND action IN "
                            "('alert.merge', 'alert.ack', 'incident.create')")[0][0]

    def test_1_detect_dedup_attribution(self):
        n = len(self.events)
        s = self.detect(with_host(self.events, "ws1.ministere-a.gouv.fr"))
        self.assertEqual((s["events"], s["hits"], s["alerts_created"]), (n, n, 1), s)
        items = self.alerts_of(self.admin, rule=RULE_ID)
        self.assertEqual(len(items), 1)
        al = items[0]
        self.assertEqual(al["rule_id"], RULE_ID)
        self.assertEqual((al["level"], al["severity"], al["status"], al["count"]), ("high", "high", "new", n))
        meta = rule_meta(self.rule)
        self.assertEqual((al["title"], al["author"]), (meta["title"], meta["author"]))
        self.assertEqual(al["tags"], meta["tags"])
        self.assertEqual(al["org_id"], self.a["id"])
        self.assertEqual(len(al["fingerprint"]), 64)
        # the same events again: the same alert, its count grows
        s = self.detect(with_host(self.events, "ws1.ministere-a.gouv.fr"))
        self.assertEqual((s["alerts_created"], s["alerts_deduplicated"]), (0, n), s)
        items = self.alerts_of(self.admin, rule=RULE_ID)
        self.assertEqual(len(items), 1)
        self.assertEqual(items[0]["count"], 2 * n)
        # another host: another fingerprint, no organisation
        s = self.detect(with_host(self.events, "lonely-host"))
        self.assertEqual(s["alerts_created"], 1, s)
        items = self.alerts_of(self.admin, rule=RULE_ID)
        self.assertEqual(len(items), 2)
        self.assertIsNone(items[0]["org_id"])
        # detail: event, matched fields, the host name as an observable
        d = self.admin.get("/api/v1/alerts/%d" % al["id"])
        self.assertEqual(d.status, 200, d)
        self.assertEqual(d.json["event"]["Event"]["System"]["Computer"], "ws1.ministere-a.gouv.fr")
        # every matched field is a field of the rule, with the event's own value
        ev = d.json["event"]["Event"]["EventData"]
        matched = {m["field"]: m["value"] for m in d.json["matched"]}
        self.assertTrue(matched)
        for field, value in matched.items():
            name = field.split(".")[-1]
            self.assertIn(name, meta["fields"], matched)
            self.assertEqual(ev.get(name), value, (field, ev))
        self.assertTrue(matched.get("ParentImage", matched.get("Event.EventData.ParentImage", "")).lower()
                        .endswith("\\node.exe"), matched)
        self.assertIn("ws1.ministere-a.gouv.fr", [o["value"] for o in d.json["observables"]])
        # filters
        self.assertEqual(len(self.alerts_of(self.admin, severity="high", status="new")), 2)
        self.assertEqual(len(self.alerts_of(self.admin, severity="low")), 0)
        self.assertEqual(len(self.alerts_of(self.admin, org_id=self.a["id"])), 1)
        self.assertEqual(len(self.alerts_of(self.admin, created_from="2000-01-01T00:00:00Z")), 2)
        self.assertEqual(len(self.alerts_of(self.admin, created_from="2100-01-01T00:00:00Z")), 0)
        self.assertEqual(len(self.alerts_of(self.admin, q=urllib.parse.quote(al["title"][:12]))), 2)
        self.assertEqual(len(self.alerts_of(self.admin, q="no%25such_title")), 0)
        page = self.admin.get("/api/v1/alerts?limit=1")
        self.assertEqual(len(page.json["items"]), 1)
        self.assertIsNotNone(page.json["next_cursor"])
        page2 = self.admin.get("/api/v1/alerts?limit=1&cursor=" + page.json["next_cursor"])
        self.assertNotEqual(page2.json["items"][0]["id"], page.json["items"][0]["id"])
        # audit: one entry per batch
        self.assertGreaterEqual(self.srv.sql("SELECT count(*) FROM audit_log WHERE action = 'alert.record'")[0][0], 3)

    def test_2_isolation_and_roles(self):
        self.detect(with_host(self.events, "ws2.ministere-a.gouv.fr"))
        mine = self.alerts_of(self.alice)
        self.assertTrue(mine)
        self.assertTrue(all(a["org_id"] == self.a["id"] for a in mine))
        self.assertEqual(self.alerts_of(self.bob), [])
        aid = mine[0]["id"]
        r = self.bob.get("/api/v1/alerts/%d" % aid)
        self.assertEqual(r.status, 404, r)
        self.assertEqual(self.alice.get("/api/v1/alerts/%d" % aid).status, 200)
        # constituents do not write; partners do not read
        before = self.writes_audited()
        r = self.alice.post("/api/v1/alerts/%d/ack" % aid)
        self.assertEqual(r.status, 403, r)
        r = self.bob.post("/api/v1/alerts/%d/ack" % aid)
        self.assertIn(r.status, (403, 404), r)
        r = self.pat.get("/api/v1/alerts")
        self.assertEqual(r.status, 403, r)
        r = self.pat.get("/api/v1/alerts/%d" % aid)
        self.assertIn(r.status, (403, 404), r)
        r = self.srv.client().get("/api/v1/alerts")
        self.assertEqual(r.status, 401, r)
        self.assertEqual(self.srv.sql("SELECT status FROM alerts WHERE id = ?", (aid,))[0][0], "new")
        self.assertEqual(self.writes_audited(), before)

    def test_3_ack_and_merge(self):
        self.detect(with_host(self.events, "ws3.ministere-a.gouv.fr"))
        al = [a for a in self.alerts_of(self.admin, status="new") if a["org_id"] == self.a["id"]][0]
        r = self.admin.post("/api/v1/alerts/%d/ack" % al["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "acknowledged")
        self.assertIsNotNone(r.json["acknowledged_by"])
        self.assertIsNotNone(r.json["acknowledged_at"])
        self.assertEqual(self.srv.sql("SELECT count(*) FROM audit_log WHERE action = 'alert.ack' AND object_id = ?",
                                      (str(al["id"]),))[0][0], 1)
        self.assertEqual(len(self.alerts_of(self.admin, status="acknowledged")), 1)
        # merge into an existing incident
        inc = self.admin.post("/api/v1/incidents", {"title": "Compromission ws3", "org_id": self.a["id"]})
        self.assertEqual(inc.status, 201, inc)
        r = self.admin.post("/api/v1/alerts/%d/merge" % al["id"], {"incident_id": inc.json["id"], "note": "same host"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["status"], r.json["incident_id"]), ("merged", inc.json["id"]))
        obs = self.admin.get("/api/v1/incidents/%d/observables" % inc.json["id"])
        self.assertIn("ws3.ministere-a.gouv.fr", [o["value"] for o in obs.json["items"]])
        j = self.srv.sql("SELECT body FROM journal WHERE incident_id = ? AND body LIKE 'Alert #%'",
                         (inc.json["id"],))
        self.assertEqual(len(j), 1, j)
        # merged twice: conflict; acknowledging a merged alert: conflict
        r = self.admin.post("/api/v1/alerts/%d/merge" % al["id"], {"incident_id": inc.json["id"]})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(self.admin.post("/api/v1/alerts/%d/ack" % al["id"]).status, 409)
        # a hit after the merge opens a new alert
        s = self.detect(with_host(self.events, "ws3.ministere-a.gouv.fr"))
        self.assertEqual(s["alerts_created"], 1, s)
        new = [a for a in self.alerts_of(self.admin, status="new") if a["org_id"] == self.a["id"]]
        # merge into a new incident: its organisation is the alert's
        r = self.admin.post("/api/v1/alerts/%d/merge" % new[0]["id"],
                            {"new_incident": {"title": "Node.js exploitation", "severity": "high"}})
        self.assertEqual(r.status, 200, r)
        iid = r.json["incident_id"]
        inc2 = self.admin.get("/api/v1/incidents/%d" % iid)
        self.assertEqual(inc2.status, 200, inc2)
        self.assertEqual(inc2.json["title"], "Node.js exploitation")
        # the constituent sees the merged alert too
        self.assertEqual(self.alice.get("/api/v1/alerts/%d" % new[0]["id"]).json["status"], "merged")

    def test_4_bad_input(self):
        self.detect(with_host(self.events, "ws4.ministere-a.gouv.fr"))
        aid = self.alerts_of(self.admin, status="new")[0]["id"]
        for q, field in (("status=closed", "status"), ("severity=urgent", "severity"), ("level=huge", "level"),
                         ("limit=0", "limit"), ("cursor=abc", "cursor"), ("since=yesterday", "since"),
                         ("org_id=x", "org_id"), ("rule=" + "x" * 300, "rule")):
            r = self.admin.get("/api/v1/alerts?" + q)
            self.assertEqual(r.status, 400, (q, r))
            self.assertEqual(r.error_field(), field, (q, r))
        self.assertEqual(self.admin.get("/api/v1/alerts/999999").status, 404)
        self.assertEqual(self.admin.get("/api/v1/alerts/abc").status, 404)
        self.assertEqual(self.admin.post("/api/v1/alerts/999999/ack").status, 404)
        before = self.writes_audited()
        rows = self.srv.sql("SELECT count(*) FROM incidents")[0][0]
        for body, field in (({}, "incident_id"), ({"incident_id": 999999}, "incident_id"),
                            ({"incident_id": "1"}, "incident_id"), ({"incident_id": 1, "new_incident": {"title": "x"}},
                                                                   "incident_id"),
                            ({"new_incident": "x"}, "new_incident"), ({"new_incident": {}}, "new_incident.title"),
                            ({"incident_id": 1, "bogus": 1}, "bogus"), ({"new_incident": {"title": "t", "tlp": "purple"}},
                                                                        "new_incident.tlp")):
            r = self.admin.post("/api/v1/alerts/%d/merge" % aid, body)
            self.assertEqual(r.status, 400, (body, r))
            self.assertEqual(r.error_field(), field, (body, r))
        r = self.admin.post("/api/v1/alerts/%d/merge" % aid, raw=b"not json",
                            headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.srv.sql("SELECT count(*) FROM incidents")[0][0], rows)
        self.assertEqual(self.srv.sql("SELECT status FROM alerts WHERE id = ?", (aid,))[0][0], "new")
        self.assertEqual(self.writes_audited(), before)
        # the CLI refuses bad options
        r = self.srv.cli("detect", "--mapping", MAPPING, "-", input="")
        self.assertEqual(r.returncode, 2, r.stderr)
        r = self.srv.cli("detect", "-r", self.rule, "--fingerprint", "nofields", "-", input="")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("fingerprint", r.stderr)

    def test_5_follow_rotation_and_sigterm(self):
        path = os.path.join(self.srv.dir, "follow.jsonl")
        open(path, "w").close()
        p = subprocess.Popen([VIGIE, "--db", self.srv.db, "--json", "detect", "-r", self.rule, "--mapping", MAPPING,
                              "--follow", path, "--flush-ms", "200"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.srv.env, text=True)
        try:
            time.sleep(1.0)
            with open(path, "a") as f:
                f.write(with_host(self.events, "ws5.ministere-a.gouv.fr"))
            self.wait_for(lambda: self.srv.sql("SELECT count(*) FROM alerts WHERE event LIKE '%ws5.%'")[0][0] == 1)
            # rotation: the file is renamed and a new one created
            os.rename(path, path + ".1")
            with open(path, "w") as f:
                f.write(with_host(self.events, "ws6.ministere-a.gouv.fr"))
            self.wait_for(lambda: self.srv.sql("SELECT count(*) FROM alerts WHERE event LIKE '%ws6.%'")[0][0] == 1)
            # copytruncate: the file shrinks and is read again from its start
            with open(path, "r+") as f:
                f.truncate(0)
                f.write(with_host(self.events, "w7.ministere-a.gouv.fr"))
            self.wait_for(lambda: self.srv.sql("SELECT count(*) FROM alerts WHERE event LIKE '%w7.%'")[0][0] == 1)
        finally:
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=30)
        for m in SANITIZER_MARKERS:
            self.assertNotIn(m, err)
        self.assertEqual(p.returncode, 0, err)
        s = json.loads(out.strip().splitlines()[-1])
        self.assertEqual(s["alerts_created"], 3, s)

    def test_6_bulk_ack(self):
        self.detect(with_host(self.events, "ws8.ministere-a.gouv.fr") + with_host(self.events, "ws9.ministere-a.gouv.fr")
                    + with_host(self.events, "ws10.ministere-a.gouv.fr"))
        ids = [a["id"] for a in self.alerts_of(self.admin, status="new")][:3]
        self.assertEqual(len(ids), 3)
        before = self.writes_audited()
        for body, field in (({}, "ids"), ({"ids": []}, "ids"), ({"ids": ["x"]}, "ids[0]"), ({"ids": [ids[0], 0]}, "ids[1]"),
                            ({"ids": [ids[0], 999999]}, "ids[1]"), ({"ids": ids, "x": 1}, "x"), ({"ids": 5}, "ids")):
            r = self.admin.post("/api/v1/alerts/ack", body)
            self.assertEqual(r.status, 400, (body, r))
            self.assertEqual(r.error_field(), field, (body, r))
        self.assertEqual(self.srv.sql("SELECT status FROM alerts WHERE id = ?", (ids[0],))[0][0], "new")
        self.assertEqual(self.alice.post("/api/v1/alerts/ack", {"ids": ids}).status, 403)
        self.assertEqual(self.writes_audited(), before)
        r = self.admin.post("/api/v1/alerts/ack", {"ids": ids[:2]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((sorted(r.json["acknowledged"]), r.json["skipped"]), (sorted(ids[:2]), 0))
        r = self.admin.post("/api/v1/alerts/ack", {"ids": ids})
        self.assertEqual((r.json["acknowledged"], r.json["skipped"]), ([ids[2]], 2))
        self.assertEqual(self.writes_audited(), before + 2)

    def test_8_threads_same_summary(self):
        """--threads 3 over more events than one round of the threads holds
        (1,024), with unreadable lines among them: the same counts as one
        thread, and errors named by their line."""
        def text(prefix):
            out = []
            for i in range(1100):
                out.append(with_host(self.events, "%s-h%d" % (prefix, i % 5)))
                if i % 250 == 0:
                    out.append("not json\n")  # refused by the reader
                    out.append('{"Event": tru}\n')  # a record the matcher refuses
            return "".join(out)
        r1 = self.srv.cli("--json", "detect", "-r", self.rule, "--mapping", MAPPING, "--threads", "1", "-",
                          input=text("t1"))
        r3 = self.srv.cli("--json", "detect", "-r", self.rule, "--mapping", MAPPING, "--threads", "3", "-",
                          input=text("t3"))
        self.assertEqual((r1.returncode, r3.returncode), (0, 0), r3.stderr)
        s1, s3 = (json.loads(r.stdout.strip().splitlines()[-1]) for r in (r1, r3))
        n = len(self.events)
        self.assertEqual((s1["events"], s1["hits"], s1["errors"]), (1100 * n + 5, 1100 * n, 10), s1)
        for k in ("events", "hits", "errors", "alerts_created", "alerts_deduplicated", "ioc_hits"):
            self.assertEqual(s1[k], s3[k], (k, s1, s3))
        self.assertEqual(s3["alerts_created"], 5)
        # the unreadable lines are named in input order, as with one thread
        bad1 = [l for l in r1.stderr.splitlines() if "detect:" not in l]
        bad3 = [l for l in r3.stderr.splitlines() if "detect:" not in l]
        self.assertEqual(len(bad3), 10, r3.stderr)
        self.assertEqual(bad1, bad3)
        for bad in ("0", "65", "two"):
            r = self.srv.cli("detect", "-r", self.rule, "--threads", bad, "-", input="")
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("--threads must be between 1 and 64", r.stderr)

    def test_7_follow_evtx(self):
        # a followed EVTX file is read again when it changes, only records with a new record number
        import glob
        import shutil
        found = glob.glob(os.path.join(SIGMA, "regression", "**", RULE_ID + ".evtx"), recursive=True)
        if not found:
            self.skipTest("no EVTX sample")
        path = os.path.join(self.srv.dir, "sysmon.evtx")
        shutil.copy(found[0], path)
        before = self.srv.sql("SELECT coalesce(sum(count), 0) FROM alerts WHERE rule_id = ?", (RULE_ID,))[0][0]
        p = subprocess.Popen([VIGIE, "--db", self.srv.db, "--json", "detect", "-r", self.rule, "--mapping", MAPPING,
                              "--follow", path, "--from-start", "--flush-ms", "200"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.srv.env, text=True)
        try:
            self.wait_for(lambda: self.srv.sql("SELECT coalesce(sum(count), 0) FROM alerts WHERE rule_id = ?",
                                               (RULE_ID,))[0][0] == before + 1)
            os.utime(path)  # touched: read again, nothing new
            time.sleep(1.0)
            shutil.copy(found[0], path + ".new")  # replaced by a copy: same record numbers, nothing new
            os.replace(path + ".new", path)
            time.sleep(1.5)
        finally:
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=30)
        for m in SANITIZER_MARKERS:
            self.assertNotIn(m, err)
        self.assertEqual(p.returncode, 0, err)
        s = json.loads(out.strip().splitlines()[-1])
        self.assertEqual((s["events"], s["hits"], s["errors"]), (1, 1, 0), s)

    def wait_for(self, cond, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if cond():
                return
            time.sleep(0.1)
        self.fail("condition not met in %ds" % timeout)


BASE_RULE = """title: Failed login
id: 5f0c7b7e-8d0a-4b8e-9a51-000000000001
status: test
author: Vigie tests
level: low
logsource:
  product: test
detection:
  sel:
    action: failed_login
  condition: sel
"""

CORR_RULE = """title: Password guessing on one account
id: 5f0c7b7e-8d0a-4b8e-9a51-000000000002
author: Vigie tests
level: high
tags:
  - attack.t1110
correlation:
  type: event_count
  rules:
    - 5f0c7b7e-8d0a-4b8e-9a51-000000000001
  group-by:
    - user
  timespan: 10m
  condition:
    gte: 3
"""


def corr_rules(test):
    """A folder with the base and correlation rules (removed after the test)."""
    d = tempfile.mkdtemp(prefix="vg-corr-")
    test.addCleanup(shutil.rmtree, d, True)
    for name, text in (("base.yml", BASE_RULE), ("corr.yml", CORR_RULE)):
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(text)
    return d


def guessing_lines():
    """Six failed logins on three accounts, then a login: bob's three fire the correlation."""
    t = "2026-11-28T10:00:%02dZ"
    lines = [json.dumps({"timestamp": t % i, "action": "failed_login", "user": user})
             for i, user in enumerate(["bob", "eve", "bob", "eve", "bob", "alice"])]
    return lines + [json.dumps({"timestamp": t % 9, "action": "login", "user": "bob"})]


class CorrelationAlertTest(ServerTest):
    """A Sigma correlation rule in `vigie detect`: its hits become alerts of
    the correlation rule (group values as matched fields), its base rule
    (generate: false by default) writes none of its own."""

    def test_event_count_alert(self):
        d = corr_rules(self)
        lines = []
        lines += guessing_lines()
        r = self.srv.cli("--json", "detect", "-r", d, "-", input="\n".join(lines) + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        s = json.loads(r.stdout.strip().splitlines()[-1])
        self.assertEqual((s["events"], s["hits"], s["correlation_hits"], s["alerts_created"]), (7, 0, 1, 1), s)
        items = self.admin.get("/api/v1/alerts").json["items"]
        self.assertEqual([a["rule_id"] for a in items], ["5f0c7b7e-8d0a-4b8e-9a51-000000000002"])
        al = self.admin.get("/api/v1/alerts/%d" % items[0]["id"]).json
        self.assertEqual((al["title"], al["level"], al["author"]), ("Password guessing on one account", "high",
                                                                     "Vigie tests"))
        self.assertIn("attack.t1110", al["tags"])
        self.assertIn({"field": "user", "value": "bob"}, [{"field": m["field"], "value": m["value"]}
                                                          for m in al["matched"]])


class ThreadedCorrelationTest(ServerTest):
    """Correlations under --threads: the windows see events in the order they
    were read, across rounds of the threads."""

    def test_event_count_across_rounds(self):
        d = corr_rules(self)
        lines = [json.dumps({"timestamp": "2026-11-28T09:00:00Z", "action": "noop", "user": "x%d" % i})
                 for i in range(1500)]
        lines += guessing_lines()
        r = self.srv.cli("--json", "detect", "-r", d, "--threads", "2", "-", input="\n".join(lines) + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        s = json.loads(r.stdout.strip().splitlines()[-1])
        self.assertEqual((s["events"], s["hits"], s["correlation_hits"], s["alerts_created"]), (1507, 0, 1, 1), s)
        items = self.admin.get("/api/v1/alerts").json["items"]
        self.assertEqual([a["rule_id"] for a in items], ["5f0c7b7e-8d0a-4b8e-9a51-000000000002"])
        al = self.admin.get("/api/v1/alerts/%d" % items[0]["id"]).json
        self.assertIn({"field": "user", "value": "bob"}, [{"field": m["field"], "value": m["value"]}
                                                          for m in al["matched"]])


if __name__ == "__main__":
    unittest.main()
