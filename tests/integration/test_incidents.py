"""Incidents over HTTP: create, lifecycle, journal visibility for a
constituent, constituent isolation on every incident route, search, export
honouring TLP and the visible split, playbooks, attachments, deadlines with a
controlled clock (VIGIE_FAKE_NOW), and the CLI."""
import json
import os
import tempfile
import unittest

from harness import ServerTest, Server, ADMIN_PASSWORD

T0 = "2026-03-02T10:00:00Z"


class IncidentTest(ServerTest):
    server_env = {"VIGIE_FAKE_NOW": T0, "VIGIE_DATA_DIR": tempfile.mkdtemp(prefix="vg-it-data-")}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        adm = cls.admin
        a = adm.post("/api/v1/orgs", {"name": "Ministère A", "kind": "ministry", "sector": "public_administration"})
        b = adm.post("/api/v1/orgs", {"name": "Hospital B", "kind": "oes", "sector": "health", "nis2": "essential"})
        assert a.status == 201 and b.status == 201, (a, b)
        cls.a, cls.b = a.json, b.json
        pw = "constituent password 1"
        for user, org in (("alice", cls.a), ("bob", cls.b)):
            r = adm.post("/api/v1/users", {"username": user, "role": "constituent", "org_id": org["id"], "password": pw})
            assert r.status == 201, r
        cls.alice = cls.srv.client()
        assert cls.alice.login("alice", pw).status == 200
        cls.bob = cls.srv.client()
        assert cls.bob.login("bob", pw).status == 200
        r = adm.post("/api/v1/incidents", {"title": "Rançongiciel sur le réseau de l'hôpital", "org_id": cls.b["id"],
                                           "type": "infected-system", "severity": "critical", "tlp": "amber",
                                           "description": "Fichiers chiffrés, note de rançon **LockBit**."})
        assert r.status == 201, r
        cls.inc_b = r.json
        r = adm.post("/api/v1/incidents", {"title": "Phishing campaign", "org_id": cls.a["id"], "type": "phishing",
                                           "severity": "medium"})
        assert r.status == 201, r
        cls.inc_a = r.json

    # ------------------------------------------------------------ basics

    def test_create_and_validate(self):
        inc = self.inc_b
        self.assertRegex(inc["reference"], r"^VIGIE-2026-\d{6}$")
        self.assertEqual(inc["taxonomy"], "malicious-code")
        self.assertEqual(inc["status"], "new")
        self.assertIn("<strong>LockBit</strong>", inc["description_html"])
        names = [d["name"] for d in inc["deadlines"]]
        self.assertEqual(names, ["ack", "first_advice", "nis2_early_warning", "nis2_notification", "nis2_final_report"])
        r = self.admin.post("/api/v1/incidents", {"title": "x", "taxonomy": "fraud", "type": "ddos"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.error_field(), "type")
        r = self.admin.post("/api/v1/incidents", {"title": "x", "tlp": "purple"})
        self.assertEqual((r.status, r.error_field()), (400, "tlp"))
        r = self.admin.post("/api/v1/incidents", {"title": "x", "type": "tor"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["taxonomy"], "other")
        r = self.admin.get("/api/v1/rsit")
        self.assertEqual(len(r.json["items"]), 44)

    def test_description_is_safe(self):
        r = self.admin.post("/api/v1/incidents", {"title": "XSS", "description": "<img src=x onerror=alert(1)> [a](javascript:alert(2))"})
        self.assertEqual(r.status, 201, r)
        self.assertNotIn("<img", r.json["description_html"])
        self.assertNotIn("javascript:", r.json["description_html"])

    def test_lifecycle(self):
        r = self.admin.post("/api/v1/incidents", {"title": "Lifecycle", "org_id": self.a["id"]})
        iid = r.json["id"]
        r = self.admin.post("/api/v1/incidents/%d/status" % iid, {"status": "recovery"})
        self.assertEqual(r.status, 409, r)
        for s in ("triage", "analysis", "containment", "waiting", "eradication", "recovery", "closed"):
            r = self.admin.post("/api/v1/incidents/%d/status" % iid, {"status": s, "note": "moving to " + s})
            self.assertEqual(r.status, 200, (s, r))
            self.assertEqual(r.json["status"], s)
        self.assertIsNotNone(r.json["closed_at"])
        self.assertIsNotNone(r.json["acknowledged_at"])
        r = self.admin.post("/api/v1/incidents/%d/status" % iid, {"status": "analysis"})
        self.assertEqual(r.status, 200, r)  # reopen
        self.assertIsNone(r.json["closed_at"])
        r = self.alice.post("/api/v1/incidents/%d/status" % iid, {"status": "closed"})
        self.assertEqual(r.status, 403, r)
        audit = self.srv.sql("SELECT count(*) FROM audit_log WHERE action = 'incident.status' AND object_id = ?", (str(iid),))
        self.assertGreaterEqual(audit[0][0], 8)

    def test_concurrent_creation(self):
        """Group commit: concurrent creations (one invalid among them) each get their own answer."""
        import threading
        results = []
        lock = threading.Lock()

        def worker(k):
            c = self.srv.client()
            c.cookie, c.csrf = self.admin.cookie, self.admin.csrf
            for i in range(5):
                body = {"title": "Concurrent %d-%d" % (k, i), "org_id": self.a["id"]}
                if k == 3 and i == 2:
                    body = {"title": "bad", "type": "not-a-type"}
                r = c.post("/api/v1/incidents", body)
                with lock:
                    results.append((k, i, r.status, (r.json or {}).get("reference")))

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ok = [r for r in results if r[2] == 201]
        bad = [r for r in results if r[2] != 201]
        self.assertEqual(len(ok), 59, bad)
        self.assertEqual([(k, i, st) for k, i, st, _ in bad], [(3, 2, 400)])
        refs = [r[3] for r in ok]
        self.assertEqual(len(set(refs)), 59)
        n = self.srv.sql("SELECT count(*) FROM incidents WHERE title LIKE 'Concurrent %'")[0][0]
        self.assertEqual(n, 59)
        audited = self.srv.sql("SELECT count(*) FROM audit_log a JOIN incidents i ON a.object_id = CAST(i.id AS TEXT) "
                               "WHERE a.action = 'incident.create' AND i.title LIKE 'Concurrent %'")[0][0]
        self.assertEqual(audited, 59)
        r = self.admin.get("/api/v1/audit/verify")
        self.assertTrue(r.json["ok"], r)

    # ------------------------------------------------------------ journal split

    def test_journal_visibility(self):
        iid = self.inc_a["id"]
        r = self.admin.post("/api/v1/incidents/%d/journal" % iid, {"body": "Zeugma analyst note", "visible": False})
        self.assertEqual(r.status, 201, r)
        r = self.admin.post("/api/v1/incidents/%d/journal" % iid, {"body": "Please reset passwords.", "kind": "advice", "visible": True})
        self.assertEqual(r.status, 201, r)
        r = self.alice.post("/api/v1/incidents/%d/journal" % iid, {"body": "Done, thanks", "visible": False, "kind": "note"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["kind"], r.json["visible"]), ("reply", True))
        r = self.alice.get("/api/v1/incidents/%d" % iid)
        self.assertEqual(r.status, 200, r)
        bodies = [e["body"] for e in r.json["journal"]]
        self.assertIn("Please reset passwords.", bodies)
        self.assertIn("Done, thanks", bodies)
        self.assertNotIn("Zeugma analyst note", bodies)
        self.assertEqual({e["visible"] for e in r.json["journal"]}, {True})
        self.assertNotIn("links", r.json)
        self.assertNotIn("tasks", r.json)
        r = self.alice.get("/api/v1/incidents/%d/journal" % iid)
        self.assertNotIn("Zeugma analyst note", r.raw)
        r = self.admin.get("/api/v1/incidents/%d/journal?limit=500" % iid)
        self.assertIn("Zeugma analyst note", r.raw)
        self.assertEqual(self.alice.get("/api/v1/incidents/%d/tasks" % iid).status, 403)
        # full-text search by a constituent does not reach internal entries
        r = self.alice.get("/api/v1/incidents?q=zeugma")
        self.assertEqual(r.json["items"], [])
        r = self.admin.get("/api/v1/incidents?q=zeugma")
        self.assertEqual([i["id"] for i in r.json["items"]], [iid])

    # ------------------------------------------------------------ isolation

    def test_isolation_every_route(self):
        bid = self.inc_b["id"]
        missing = self.admin.get("/api/v1/incidents/999999")
        self.assertEqual(missing.status, 404)
        gets = ["", "/journal", "/tasks", "/links", "/attachments", "/attachments/1", "/export", "/export?format=json"]
        for suffix in gets:
            r = self.alice.get("/api/v1/incidents/%d%s" % (bid, suffix))
            self.assertEqual(r.status, 404, (suffix, r))
            self.assertEqual(r.json["error"]["message"], missing.json["error"]["message"])
        posts = [("POST", "/journal", {"body": "hello"}), ("POST", "/status", {"status": "closed"}),
                 ("PATCH", "", {"title": "pwned"}), ("POST", "/tasks", {"title": "t"}),
                 ("PATCH", "/tasks/1", {"state": "done"}), ("POST", "/links", {"incident_id": 1, "reason": "x"}),
                 ("POST", "/merge", {"into": 1}), ("POST", "/playbook", {"playbook_id": 1}),
                 ("PATCH", "/journal/1", {"visible": True})]
        for method, suffix, body in posts:
            r = self.alice.request(method, "/api/v1/incidents/%d%s" % (bid, suffix), body=body)
            self.assertIn(r.status, (403, 404), (method, suffix, r))
            if method == "POST" and suffix == "/journal":
                self.assertEqual(r.status, 404, r)
        r = self.alice.request("POST", "/api/v1/incidents/%d/attachments?filename=a.txt" % bid, raw=b"data")
        self.assertEqual(r.status, 404, r)
        # lists, search and deadlines never show B's incident to A's constituent
        r = self.alice.get("/api/v1/incidents")
        self.assertNotIn(bid, [i["id"] for i in r.json["items"]])
        self.assertEqual({i["org_id"] for i in r.json["items"]}, {self.a["id"]})  # not empty, only A's
        r = self.alice.get("/api/v1/incidents?q=rancongiciel")
        self.assertEqual(r.json["items"], [])
        r = self.alice.get("/api/v1/incidents?org_id=%d" % self.b["id"])
        self.assertEqual(r.json["items"], [])
        r = self.alice.get("/api/v1/deadlines")
        self.assertNotIn(bid, [i["incident_id"] for i in r.json["items"]])
        r = self.alice.get("/api/v1/search?q=LockBit")
        self.assertEqual(r.json["items"], [])
        self.assertEqual(self.alice.get("/api/v1/playbooks").status, 403)
        self.assertEqual(self.alice.post("/api/v1/incidents", {"title": "x"}).status, 403)
        # A concerned too: each constituent sees the incident as its own
        # organisation's, never the other organisations concerned
        r = self.admin.patch("/api/v1/incidents/%d" % bid, {"org_ids": [self.a["id"]]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(self.admin.get("/api/v1/incidents/%d" % bid).json["organisations"]), 2)
        r = self.bob.get("/api/v1/incidents/%d" % bid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([o["id"] for o in r.json["organisations"]], [self.b["id"]])
        r = self.alice.get("/api/v1/incidents/%d" % bid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([o["id"] for o in r.json["organisations"]], [self.a["id"]])
        self.assertEqual(r.json["org_id"], self.a["id"])
        self.assertEqual(self.bob.get("/api/v1/incidents?q=rancongiciel").json["items"][0]["id"], bid)
        self.assertEqual(self.alice.get("/api/v1/incidents?q=rancongiciel").json["items"][0]["id"], bid)
        # org_ids replaces the set: A no longer concerned, hidden again
        r = self.admin.patch("/api/v1/incidents/%d" % bid, {"org_ids": []})
        self.assertEqual([o["id"] for o in r.json["organisations"]], [self.b["id"]])
        self.assertEqual(self.alice.get("/api/v1/incidents/%d" % bid).status, 404)
        self.assertEqual(self.alice.get("/api/v1/incidents?q=rancongiciel").json["items"], [])

    # ------------------------------------------------------------ search

    def test_search_and_filters(self):
        r = self.admin.get("/api/v1/incidents?q=rancongiciel%20hopital")  # accents ignored
        self.assertEqual([i["id"] for i in r.json["items"]], [self.inc_b["id"]])
        r = self.admin.get("/api/v1/incidents?q=CHIFFR%C3%89S")
        self.assertEqual([i["id"] for i in r.json["items"]], [self.inc_b["id"]])
        r = self.admin.get("/api/v1/incidents?severity=critical&type=infected-system&org_kind=oes&sector=health")
        self.assertIn(self.inc_b["id"], [i["id"] for i in r.json["items"]])
        r = self.admin.get("/api/v1/incidents?org_id=%d&status=new" % self.b["id"])
        self.assertEqual([i["id"] for i in r.json["items"]], [self.inc_b["id"]])
        red = self.admin.post("/api/v1/incidents", {"title": "Red one", "org_id": self.a["id"], "tlp": "TLP:RED"})
        self.assertEqual(red.status, 201, red)
        r = self.admin.get("/api/v1/incidents?tlp=TLP:RED")
        self.assertIn(red.json["id"], [i["id"] for i in r.json["items"]])
        self.assertEqual({i["tlp"] for i in r.json["items"]}, {"red"})
        self.assertNotIn(self.inc_b["id"], [i["id"] for i in r.json["items"]])
        r = self.admin.get("/api/v1/incidents?created_from=2026-03-01T00:00:00Z&created_to=2026-03-03T00:00:00Z&limit=1")
        self.assertEqual(len(r.json["items"]), 1)
        self.assertIsNotNone(r.json["next_cursor"])
        r2 = self.admin.get("/api/v1/incidents?limit=1&cursor=" + r.json["next_cursor"])
        self.assertEqual(r2.status, 200)
        self.assertLess(r2.json["items"][0]["id"], r.json["items"][0]["id"])
        self.assertEqual(self.admin.get("/api/v1/incidents?severity=huge").status, 400)
        self.assertEqual(self.admin.get("/api/v1/incidents?type=nope").status, 400)
        r = self.admin.get("/api/v1/search?q=lockbit")
        self.assertEqual(r.json["items"][0]["incident_id"], self.inc_b["id"])
        # quotes and FTS operators are plain text
        self.assertEqual(self.admin.get('/api/v1/incidents?q=%22title%3A%20OR%20NEAR(').status, 200)

    # ------------------------------------------------------------ export

    def test_export_tlp_and_split(self):
        r = self.admin.post("/api/v1/incidents", {"title": "Export me", "org_id": self.a["id"], "tlp": "amber+strict"})
        iid = r.json["id"]
        self.admin.post("/api/v1/incidents/%d/journal" % iid, {"body": "SECRET-INTERNAL"})
        self.admin.post("/api/v1/incidents/%d/journal" % iid, {"body": "Restore from backups", "kind": "advice", "visible": True})
        for fmt, ctype in (("md", "text/markdown"), ("html", "text/html"), ("json", "application/json")):
            for who in (self.admin, self.alice):
                r = who.get("/api/v1/incidents/%d/export?format=%s" % (iid, fmt))
                self.assertEqual(r.status, 200, (fmt, r))
                self.assertIn(ctype, r.header("content-type"))
                self.assertIn("TLP:AMBER+STRICT", r.raw)
                self.assertIn("Restore from backups", r.raw)
                self.assertNotIn("SECRET-INTERNAL", r.raw)
        r = self.admin.post("/api/v1/incidents", {"title": "Red one", "org_id": self.a["id"], "tlp": "red"})
        rid = r.json["id"]
        self.assertEqual(self.admin.get("/api/v1/incidents/%d/export" % rid).status, 403)
        self.assertEqual(self.alice.get("/api/v1/incidents/%d/export?recipient=named" % rid).status, 403)
        r = self.admin.get("/api/v1/incidents/%d/export?recipient=named" % rid)
        self.assertEqual(r.status, 200, r)
        self.assertIn("TLP:RED", r.raw)

    # ------------------------------------------------------------ playbooks, tasks

    def test_playbooks(self):
        r = self.admin.get("/api/v1/playbooks")
        self.assertEqual(r.status, 200, r)
        slugs = sorted(p["slug"] for p in r.json["items"])
        self.assertEqual(slugs, ["compromised-account", "data-leak", "ddos", "defacement", "malware-infection",
                                 "phishing", "ransomware", "vulnerable-service"])
        r = self.admin.get("/api/v1/playbooks?type=phishing")
        pb = [p for p in r.json["items"] if p["slug"] == "phishing"][0]
        full = self.admin.get("/api/v1/playbooks/%d" % pb["id"]).json
        self.assertTrue(full["advice_md"])
        r = self.admin.post("/api/v1/incidents", {"title": "Playbook target", "org_id": self.a["id"], "type": "phishing"})
        iid = r.json["id"]
        r = self.admin.post("/api/v1/incidents/%d/playbook" % iid, {"playbook_id": pb["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["tasks"]), len(full["tasks"]))
        advice = [e for e in r.json["journal"] if e["kind"] == "advice"]
        self.assertEqual(len(advice), 1)
        self.assertFalse(advice[0]["visible"])
        r = self.alice.get("/api/v1/incidents/%d" % iid)
        self.assertEqual([e for e in r.json["journal"] if e["kind"] == "advice"], [])
        r = self.admin.patch("/api/v1/incidents/%d/journal/%d" % (iid, advice[0]["id"]), {"visible": True})
        self.assertEqual(r.status, 200, r)
        r = self.alice.get("/api/v1/incidents/%d" % iid)
        self.assertEqual(len([e for e in r.json["journal"] if e["kind"] == "advice"]), 1)
        self.assertIsNotNone(r.json["first_advice_at"])
        # a new version
        r = self.admin.post("/api/v1/playbooks", {"slug": "phishing", "title": "Phishing (v2)", "types": ["phishing"],
                                                  "tasks": [{"title": "Takedown", "due_offset": "4h"}], "advice_md": "Block."})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["version"], 2)
        # tasks
        r = self.admin.post("/api/v1/incidents/%d/tasks" % iid, {"title": "Call back", "due_at": "2026-03-02T12:00:00Z"})
        self.assertEqual(r.status, 201, r)
        tid = [t for t in r.json["items"] if t["title"] == "Call back"][0]["id"]
        r = self.admin.patch("/api/v1/incidents/%d/tasks/%d" % (iid, tid), {"state": "done"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([t for t in r.json["items"] if t["id"] == tid][0]["state"], "done")
        self.assertEqual(self.admin.patch("/api/v1/incidents/%d/tasks/%d" % (iid, tid), {"state": "maybe"}).status, 400)

    # ------------------------------------------------------------ links, merge

    def test_merge_and_links(self):
        x = self.admin.post("/api/v1/incidents", {"title": "Dup 1", "org_id": self.a["id"]}).json
        y = self.admin.post("/api/v1/incidents", {"title": "Dup 2", "org_id": self.a["id"]}).json
        z = self.admin.post("/api/v1/incidents", {"title": "Related", "org_id": self.a["id"]}).json
        r = self.admin.post("/api/v1/incidents/%d/links" % x["id"], {"incident_id": z["id"], "reason": "same sender"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.admin.post("/api/v1/incidents/%d/links" % z["id"], {"incident_id": x["id"], "reason": "again"}).status, 409)
        self.admin.post("/api/v1/incidents/%d/journal" % x["id"], {"body": "note on dup 1"})
        r = self.admin.post("/api/v1/incidents/%d/merge" % x["id"], {"into": y["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["id"], y["id"])
        self.assertIn("note on dup 1", [e["body"] for e in r.json["journal"]])
        self.assertEqual([l["incident_id"] for l in r.json["links"]], [z["id"]])
        old = self.admin.get("/api/v1/incidents/%d" % x["id"]).json
        self.assertEqual((old["status"], old["merged_into"]), ("closed", y["id"]))
        self.assertEqual(self.admin.post("/api/v1/incidents/%d/merge" % x["id"], {"into": y["id"]}).status, 409)

    # ------------------------------------------------------------ attachments

    def test_attachments(self):
        iid = self.inc_a["id"]
        r = self.alice.request("POST", "/api/v1/incidents/%d/attachments?filename=../evil%%22.exe" % iid, raw=b"MZ\x90\x00payload")
        self.assertEqual(r.status, 201, r)
        att = r.json["items"][-1]
        self.assertEqual(att["filename"], "evil_.exe")
        self.assertTrue(att["visible"])
        self.assertEqual(len(att["sha256"]), 64)
        r = self.admin.request("POST", "/api/v1/incidents/%d/attachments?filename=internal.log" % iid, raw=b"internal")
        self.assertEqual(r.status, 201, r)
        internal = r.json["items"][-1]
        self.assertFalse(internal["visible"])
        r = self.alice.get("/api/v1/incidents/%d/attachments" % iid)
        self.assertEqual([a["filename"] for a in r.json["items"]], ["evil_.exe"])
        r = self.alice.get("/api/v1/incidents/%d/attachments/%d" % (iid, att["id"]))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-type"), "application/octet-stream")
        self.assertEqual(self.alice.get("/api/v1/incidents/%d/attachments/%d" % (iid, internal["id"])).status, 404)
        self.assertEqual(self.admin.request("POST", "/api/v1/incidents/%d/attachments" % iid, raw=b"x").status, 400)


class DeadlineTest(unittest.TestCase):
    """The clocks with a controlled time: one server at T0, another later on the same database."""

    def test_deadlines_and_pause(self):
        srv = Server(extra_env={"VIGIE_FAKE_NOW": "2026-03-02T10:00:00Z"}).start()
        try:
            adm = srv.admin()
            org = adm.post("/api/v1/orgs", {"name": "Water utility", "kind": "oes", "sector": "drinking_water", "nis2": "important"}).json
            inc = adm.post("/api/v1/incidents", {"title": "Outage", "org_id": org["id"], "severity": "critical", "type": "outage"}).json
            other = adm.post("/api/v1/incidents", {"title": "Low one", "severity": "low"}).json
            dl = {d["name"]: d for d in inc["deadlines"]}
            self.assertEqual(dl["ack"]["due_at"], "2026-03-02T11:00:00Z")
            self.assertEqual(dl["nis2_early_warning"]["due_at"], "2026-03-03T10:00:00Z")
            self.assertEqual(dl["nis2_final_report"]["due_at"], "2026-04-02T10:00:00Z")
            self.assertFalse(dl["ack"]["overdue"])
            r = adm.get("/api/v1/deadlines")
            self.assertEqual(r.json["items"][0]["incident_id"], inc["id"])
            self.assertEqual(r.json["items"][0]["deadline"], "ack")
            self.assertEqual(adm.post("/api/v1/incidents/%d/status" % inc["id"], {"status": "waiting"}).status, 200)
        finally:
            srv.stop()
        # three hours later, still waiting: nothing moved
        later = Server(db=srv.db, setup=False, extra_env={"VIGIE_FAKE_NOW": "2026-03-02T13:00:00Z"}).start()
        try:
            adm = later.admin()
            r = adm.get("/api/v1/incidents/%d" % inc["id"])
            dl = {d["name"]: d for d in r.json["deadlines"]}
            self.assertTrue(r.json["paused"])
            self.assertTrue(dl["ack"]["met"])  # leaving "new" acknowledged it
            self.assertEqual(dl["first_advice"]["left_ms"], 4 * 3600 * 1000)
            self.assertEqual(dl["first_advice"]["due_at"], "2026-03-02T17:00:00Z")
            self.assertEqual(adm.post("/api/v1/incidents/%d/status" % inc["id"], {"status": "analysis"}).status, 200)
        finally:
            later.stop()
        # five hours after that: the advice is one hour late, NIS2 early warning still running
        late = Server(db=srv.db, setup=False, extra_env={"VIGIE_FAKE_NOW": "2026-03-02T18:00:00Z"}).start()
        try:
            adm = late.admin()
            r = adm.get("/api/v1/incidents/%d" % inc["id"])
            dl = {d["name"]: d for d in r.json["deadlines"]}
            self.assertTrue(dl["first_advice"]["overdue"])
            self.assertEqual(dl["first_advice"]["left_ms"], -3600 * 1000)
            self.assertFalse(dl["nis2_early_warning"]["overdue"])
            self.assertEqual(dl["nis2_early_warning"]["due_at"], "2026-03-03T13:00:00Z")
            r = adm.get("/api/v1/deadlines?horizon=24h")
            first = r.json["items"][0]
            self.assertEqual((first["incident_id"], first["deadline"], first["overdue"]), (inc["id"], "first_advice", True))
            self.assertNotIn("nis2_final_report", [i["deadline"] for i in r.json["items"]])
            self.assertNotIn(other["id"], [i["incident_id"] for i in r.json["items"] if i["deadline"] == "first_advice"])
            r = adm.patch("/api/v1/incidents/%d" % inc["id"], {"nis2_early_warning": True})
            self.assertEqual(r.status, 200, r)
            dl = {d["name"]: d for d in r.json["deadlines"]}
            self.assertTrue(dl["nis2_early_warning"]["met"])
        finally:
            late.stop()


class YaraTest(unittest.TestCase):
    """Attachments scanned with the rules of yara_rules_dir: hits become tags and an observable."""

    def test_yara_hits(self):
        rules = tempfile.mkdtemp(prefix="vg-yara-")
        with open(os.path.join(rules, "marker.yar"), "w") as f:
            f.write('rule vigie_it_marker { strings: $a = "VIGIE-IT-EVIL" condition: $a }\n')
        with open(os.path.join(rules, "broken.yara"), "w") as f:
            f.write("rule broken { condition: ( }\n")
        data = tempfile.mkdtemp(prefix="vg-it-data-")
        srv = Server(extra_env={"VIGIE_YARA_RULES_DIR": rules, "VIGIE_ATTACHMENT_MAX": "64k",
                                "VIGIE_DATA_DIR": data}).start()
        try:
            adm = srv.admin()
            org = adm.post("/api/v1/orgs", {"name": "Yara org", "kind": "ministry"}).json
            inc = adm.post("/api/v1/incidents", {"title": "Sample", "org_id": org["id"]}).json
            r = adm.request("POST", "/api/v1/incidents/%d/attachments?filename=dropper.bin" % inc["id"],
                            raw=b"MZ\x00\x01 VIGIE-IT-EVIL \xff")
            self.assertEqual(r.status, 201, r)
            att = r.json["items"][-1]
            self.assertEqual(att["tags"], ["yara:vigie_it_marker"])
            self.assertTrue(att["scanned"])
            rows = srv.sql("SELECT o.type, o.tags FROM observables o JOIN observable_links l ON l.observable_id = o.id "
                           "WHERE o.value = ? AND l.object_type = 'incident' AND l.object_id = ?", (att["sha256"], inc["id"]))
            self.assertEqual(len(rows), 1, rows)
            self.assertEqual(rows[0][0], "sha256")
            self.assertIn("yara:vigie_it_marker", rows[0][1])
            r = adm.request("POST", "/api/v1/incidents/%d/attachments?filename=clean.txt" % inc["id"], raw=b"hello")
            self.assertEqual(r.json["items"][-1]["tags"], [])
            r = adm.request("POST", "/api/v1/incidents/%d/attachments?filename=big.bin" % inc["id"], raw=b"x" * 70000)
            self.assertEqual(r.status, 413, r)
            # stored by hash under data_dir, never executable
            blobs = [os.path.join(dp, f) for dp, _, fs in os.walk(data) for f in fs if f == att["sha256"]]
            self.assertEqual(len(blobs), 1, blobs)
            self.assertFalse(os.stat(blobs[0]).st_mode & 0o111)
        finally:
            srv.stop()


class IncidentCliTest(unittest.TestCase):
    def test_cli(self):
        srv = Server()
        r = srv.cli("incident", "create", "CLI incident", "--type", "ddos", "--severity", "high", check=True)
        ref = r.stdout.strip()
        self.assertRegex(ref, r"^VIGIE-\d{4}-\d{6}$")
        srv.cli("incident", "note", ref, "a note from the shell", check=True)
        srv.cli("incident", "status", ref, "triage", "--note", "looking", check=True)
        self.assertEqual(srv.cli("incident", "status", ref, "recovery").returncode, 4)
        r = srv.cli("--json", "incident", "show", ref, check=True)
        doc = json.loads(r.stdout)
        self.assertEqual((doc["status"], doc["taxonomy"]), ("triage", "availability"))
        self.assertIn("a note from the shell", [e["body"] for e in doc["journal"]])
        r = srv.cli("--json", "incident", "list", "--query", "CLI", check=True)
        self.assertEqual(json.loads(r.stdout)["items"][0]["reference"], ref)
        # pages: --limit and the cursor of the previous page, the text form's hint on stderr
        srv.cli("incident", "create", "CLI incident two", check=True)
        r = srv.cli("--json", "incident", "list", "--limit", "1", check=True)
        page1 = json.loads(r.stdout)
        self.assertEqual(len(page1["items"]), 1)
        self.assertTrue(page1["next_cursor"])
        r = srv.cli("--json", "incident", "list", "--limit", "1", "--cursor", page1["next_cursor"], check=True)
        page2 = json.loads(r.stdout)
        self.assertEqual(len(page2["items"]), 1)
        self.assertNotEqual(page2["items"][0]["reference"], page1["items"][0]["reference"])
        r = srv.cli("incident", "list", "--limit", "1", check=True)
        self.assertIn("more: --cursor " + page1["next_cursor"], r.stderr)
        self.assertTrue(r.stdout.startswith("REFERENCE"))
        r = srv.cli("incident", "export", ref, "--format", "md", check=True)
        self.assertIn("TLP:AMBER", r.stdout)
        self.assertNotIn("a note from the shell", r.stdout)
        self.assertEqual(srv.cli("incident", "show", "VIGIE-1999-000001").returncode, 3)
        rows = srv.sql("SELECT count(*) FROM audit_log WHERE action LIKE 'incident.%'")
        self.assertGreaterEqual(rows[0][0], 3)
        # attach: stored by hash under data_dir, internal unless --visible, audited
        data = tempfile.mkdtemp(prefix="vg-it-data-")
        path = os.path.join(data, "memdump.txt")
        with open(path, "wb") as f:
            f.write(b"strings from the memory dump")
        env = {"VIGIE_DATA_DIR": data}
        r = srv.cli("--json", "incident", "attach", ref, path, env=env, check=True)
        aid = json.loads(r.stdout)["attachment_id"]
        with open(path + ".2", "wb") as f:
            f.write(b"advice for the victim")
        srv.cli("incident", "attach", ref, path + ".2", "--visible", "--name", "for-you.txt", env=env, check=True)
        doc = json.loads(srv.cli("--json", "incident", "show", ref, check=True).stdout)
        self.assertEqual(sorted((a["filename"], a["visible"]) for a in doc["attachments"]),
                         [("for-you.txt", True), ("memdump.txt", False)])
        self.assertIn(aid, [a["id"] for a in doc["attachments"]])
        self.assertEqual(srv.sql("SELECT count(*) FROM audit_log WHERE action = 'incident.attachment.add'")[0][0], 2)
        self.assertNotEqual(srv.cli("incident", "attach", "VIGIE-1999-000001", path, env=env).returncode, 0)


class ServeConfiguresCasesTest(unittest.TestCase):
    """vigie serve configures the incidents module at start-up (reference
    prefix, SLAs, data directory), so that work done before any incident route
    (alerts merged into a new incident) uses the configuration: a malformed
    SLA stops the server before it listens, naming the key."""

    def test_bad_sla_refused_at_start(self):
        srv = Server(extra_env={"VIGIE_SLA_ACK": "critical:soon"})
        with self.assertRaises(AssertionError) as cm:
            srv.start()
        self.assertIn("did not start", str(cm.exception))
        self.assertIn("sla_ack", srv.stderr())
        self.assertNotEqual(srv.proc.returncode if srv.proc else 1, 0)

    def test_configured_sla_and_prefix(self):
        srv = Server(extra_env={"VIGIE_SLA_ACK": "low:2h", "VIGIE_REF_PREFIX": "CERTX"}).start()
        try:
            adm = srv.client()
            self.assertEqual(adm.login("admin", ADMIN_PASSWORD).status, 200)
            r = adm.post("/api/v1/incidents", {"title": "Configured", "severity": "low"})
            self.assertEqual(r.status, 201, r)
            self.assertTrue(r.json["reference"].startswith("CERTX-"), r.json["reference"])
            ack = [x for x in r.json["deadlines"] if x["name"] == "ack"][0]
            # low severity: acknowledge within the configured 2 hours (not the default 3 days)
            self.assertLessEqual(ack["left_ms"], 2 * 3600 * 1000)
            self.assertGreater(ack["left_ms"], 2 * 3600 * 1000 - 60 * 1000)
        finally:
            srv.stop()


if __name__ == "__main__":
    unittest.main()
