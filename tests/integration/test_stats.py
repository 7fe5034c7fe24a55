"""Dashboard aggregates (GET /api/v1/stats) on a known data set: open
incidents by status, severity, RSIT type, organisation and sector; incidents
opened and closed and alerts per day; overdue SLA and NIS2 clocks (checked
against the per-incident clocks of GET /api/v1/deadlines); alerts by level and
status; the constituent's figures restricted to the incidents it may read;
bad ranges refused naming the field."""
import calendar
import time
import unittest

from harness import ServerTest

DAY = 86400 * 1000


def day_of(ms):
    return time.strftime("%Y-%m-%d", time.gmtime(ms // 1000))


def plus_month(ms):
    """The NIS2 final report's due date as src/cases/clocks.c computes it."""
    t = time.gmtime(ms // 1000)
    y, m = (t.tm_year + 1, 1) if t.tm_mon == 12 else (t.tm_year, t.tm_mon + 1)
    d = min(t.tm_mday, calendar.monthrange(y, m)[1])
    return calendar.timegm((y, m, d, t.tm_hour, t.tm_min, t.tm_sec)) * 1000 + ms % 1000


class StatsTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        adm = cls.admin
        a = adm.post("/api/v1/orgs", {"name": "Hopital A", "kind": "oes", "sector": "health", "nis2": "essential"})
        b = adm.post("/api/v1/orgs", {"name": "Energie B", "kind": "oiv", "sector": "energy"})
        c = adm.post("/api/v1/orgs", {"name": "Mairie C", "kind": "local_authority"})
        assert a.status == 201 and b.status == 201 and c.status == 201, (a, b, c)
        cls.a, cls.b, cls.c = a.json["id"], b.json["id"], c.json["id"]
        pw = "constituent password 1"
        for user, org in (("alice", cls.a), ("bob", cls.b), ("carol", cls.c)):
            r = adm.post("/api/v1/users", {"username": user, "role": "constituent", "org_id": org, "password": pw})
            assert r.status == 201, r
        cls.alice, cls.bob, cls.carol = cls.srv.client(), cls.srv.client(), cls.srv.client()
        for cl, u in ((cls.alice, "alice"), (cls.bob, "bob"), (cls.carol, "carol")):
            assert cl.login(u, pw).status == 200

        def mk(**doc):
            doc.setdefault("title", "incident")
            r = adm.post("/api/v1/incidents", doc)
            assert r.status == 201, r
            return r.json["id"]

        cls.now = int(time.time() * 1000)
        i = {}
        i[1] = mk(org_id=cls.a, severity="critical", taxonomy="malicious-code", type="infected-system")
        i[2] = mk(org_id=cls.a, severity="high", taxonomy="fraud", type="phishing")
        i[3] = mk(org_id=cls.b, org_ids=[cls.a], severity="medium", taxonomy="fraud", type="phishing")
        i[4] = mk(org_id=cls.b, severity="low", taxonomy="availability", type="ddos")
        i[5] = mk(severity="medium")
        i[6] = mk(org_id=cls.a, severity="low", taxonomy="fraud", type="phishing")
        i[7] = mk(org_id=cls.b, severity="high", taxonomy="availability", type="ddos")
        i[8] = mk(org_id=cls.a, severity="low")
        cls.i = i
        assert adm.post("/api/v1/incidents/%d/status" % i[2], {"status": "analysis"}).status == 200
        assert adm.post("/api/v1/incidents/%d/status" % i[7], {"status": "waiting"}).status == 200
        assert adm.post("/api/v1/incidents/%d/status" % i[4], {"status": "closed"}).status == 200
        assert adm.patch("/api/v1/incidents/%d" % i[2], {"acknowledged": True, "first_advice": True}).status == 200
        now, sql = cls.now, cls.srv.sql
        # 1: opened two days ago, nothing done: ack (1 h), first advice (4 h)
        # and the NIS2 early warning (24 h) overdue, the notification (72 h) not
        sql("UPDATE incidents SET created_at = ?, awareness_at = ? WHERE id = ?", (now - 2 * DAY, now - 2 * DAY, i[1]))
        # 2: opened three days ago, acknowledged and advised: the NIS2
        # early warning and notification (72 h) are overdue, not the SLAs
        sql("UPDATE incidents SET created_at = ?, awareness_at = ? WHERE id = ?", (now - 3 * DAY - 3600000, now - 3 * DAY - 3600000, i[2]))
        # 4: closed yesterday
        sql("UPDATE incidents SET closed_at = ? WHERE id = ?", (now - DAY, i[4]))
        # 6: every clock met but the final report, awareness 40 days ago (overdue)
        sql("UPDATE incidents SET created_at = ?, awareness_at = ?, acknowledged_at = ?, first_advice_at = ?, "
            "nis2_early_warning_at = ?, nis2_notification_at = ? WHERE id = ?",
            (now - 40 * DAY, now - 40 * DAY, now - 40 * DAY, now - 40 * DAY, now - 40 * DAY, now - 39 * DAY, i[6]))
        # 7: waiting for four days on a third party: its clocks are paused
        sql("UPDATE incidents SET created_at = ?, paused_since = ? WHERE id = ?", (now - 5 * DAY, now - 5 * DAY + 60000, i[7]))
        # 8: every clock met but the final report, awareness 29.5 days ago: due
        # one calendar month later (28 to 31 days), so overdue or not by the date
        aw = now - 59 * DAY // 2
        cls.final_8 = 1 if now > plus_month(aw) else 0
        sql("UPDATE incidents SET awareness_at = ?, acknowledged_at = ?, first_advice_at = ?, "
            "nis2_early_warning_at = ?, nis2_notification_at = ? WHERE id = ?", (aw, now, now, now, now, i[8]))
        # alerts: two of A today (high, new), one of B two days ago (low,
        # acknowledged), one of no organisation 50 days ago (out of range)
        for org, level, status, at in ((cls.a, "high", "new", now), (cls.a, "high", "new", now),
                                       (cls.b, "low", "acknowledged", now - 2 * DAY), (None, "medium", "new", now - 50 * DAY)):
            sql("INSERT INTO alerts (rule_id, title, level, severity, fingerprint, first_seen, last_seen, status, "
                "org_id, created_at) VALUES ('r', 't', ?, ?, hex(randomblob(8)), ?, ?, ?, ?, ?)",
                (level, level, at, at, status, org, at))

    def stats(self, client, query=""):
        r = client.get("/api/v1/stats" + query)
        self.assertEqual(r.status, 200, r)
        return r.json

    def day(self, s, ms):
        rows = [d for d in s["days"] if d["day"] == day_of(ms)]
        self.assertEqual(len(rows), 1, (day_of(ms), s["days"][:3]))
        return rows[0]

    def test_analyst_open_incidents(self):
        s = self.stats(self.admin)
        self.assertIsNone(s["scope_org_id"])
        o = s["open"]
        self.assertEqual(o["total"], 7)
        self.assertEqual(o["by_status"], {"new": 5, "triage": 0, "analysis": 1, "containment": 0, "eradication": 0,
                                          "recovery": 0, "waiting": 1})
        self.assertEqual(o["by_severity"], {"low": 2, "medium": 2, "high": 2, "critical": 1})
        types = {(t["taxonomy"], t["type"]): t["count"] for t in o["by_type"]}
        self.assertEqual(types, {("fraud", "phishing"): 3, ("malicious-code", "infected-system"): 1,
                                 ("availability", "ddos"): 1, ("other", "undetermined"): 2})
        self.assertEqual(o["by_type"][0], {"taxonomy": "fraud", "type": "phishing", "count": 3})
        orgs = [(t["org_id"], t["name"], t["sector"], t["count"]) for t in s["top_orgs"]]
        self.assertEqual(orgs[0], (self.a, "Hopital A", "health", 4))
        self.assertIn((self.b, "Energie B", "energy", 2), orgs)
        self.assertIn((None, None, "", 1), orgs)
        self.assertEqual(s["top_sectors"], [{"sector": "health", "count": 4}, {"sector": "energy", "count": 2}])

    def test_per_day(self):
        s = self.stats(self.admin)
        self.assertEqual(len(s["days"]), 30)  # today and the 29 days before
        self.assertEqual(s["days"][-1]["day"], day_of(self.now))
        today = self.day(s, self.now)
        self.assertEqual(today["opened"], 4)   # 3, 4, 5 and 8
        self.assertEqual(self.day(s, self.now - 2 * DAY)["opened"], 1)
        self.assertEqual(self.day(s, self.now - DAY)["closed"], 1)
        self.assertEqual(sum(d["opened"] for d in s["days"]), 7)  # 6 is 40 days old
        self.assertEqual(sum(d["closed"] for d in s["days"]), 1)
        self.assertEqual(today["alerts"], 2)
        self.assertEqual(self.day(s, self.now - 2 * DAY)["alerts"], 1)
        # a range given by dates: the 50-day-old alert and the 40-day-old incident
        frm = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime((self.now - 60 * DAY) // 1000))
        s = self.stats(self.admin, "?from=" + frm)
        self.assertEqual(len(s["days"]), 61)
        self.assertEqual(sum(d["opened"] for d in s["days"]), 8)
        self.assertEqual(sum(d["alerts"] for d in s["days"]), 4)
        self.assertEqual(self.day(s, self.now - 40 * DAY)["opened"], 1)

    def test_overdue_clocks_match_the_incidents_clocks(self):
        s = self.stats(self.admin)
        expected = {"ack": 1, "first_advice": 1, "nis2_early_warning": 2, "nis2_notification": 1,
                    "nis2_final_report": 1 + self.final_8}
        self.assertEqual(s["overdue"]["by_clock"], expected)
        self.assertEqual(s["overdue"]["total"], 6 + self.final_8)
        # the same figures from the clocks of every open incident
        dl = self.admin.get("/api/v1/deadlines?limit=500").json["items"]
        counted = dict.fromkeys(expected, 0)
        for item in dl:
            if item["overdue"]:
                counted[item["deadline"]] += 1
        self.assertEqual(counted, expected)
        # the clocks due next: the first of GET /api/v1/deadlines, in the same order
        key = lambda x: (x["incident_id"], x["deadline"], x["due_at"], x["overdue"], x["org_id"])
        self.assertEqual([key(x) for x in s["due_next"]], [key(x) for x in dl[:15]])
        self.assertEqual(len(s["due_next"]), 15)
        self.assertEqual(s["due_next"][0]["reference"], self.admin.get("/api/v1/incidents/%d" % s["due_next"][0]["incident_id"]).json["reference"])
        mine = self.stats(self.alice)["due_next"]
        theirs = self.alice.get("/api/v1/deadlines?limit=15").json["items"]
        self.assertEqual([key(x) for x in mine], [key(x) for x in theirs])
        self.assertTrue(mine and all(x["org_id"] == self.a for x in mine))

    def test_alerts(self):
        al = self.stats(self.admin)["alerts"]
        self.assertEqual(al["total"], 3)
        self.assertEqual(al["waiting"], 3)
        self.assertEqual(al["by_level"], {"informational": 0, "low": 1, "medium": 0, "high": 2, "critical": 0})
        self.assertEqual(al["by_status"], {"new": 2, "acknowledged": 1, "merged": 0})

    def test_constituent_sees_its_own_figures(self):
        s = self.stats(self.alice)
        self.assertEqual(s["scope_org_id"], self.a)
        # 1, 2, 6 and 8 (primary) and 3 (A concerned)
        self.assertEqual(s["open"]["total"], 5)
        self.assertEqual(s["open"]["by_severity"], {"low": 2, "medium": 1, "high": 1, "critical": 1})
        self.assertEqual({t["org_id"]: t["count"] for t in s["top_orgs"]}, {self.a: 4, self.b: 1})
        self.assertEqual(s["overdue"]["by_clock"], {"ack": 1, "first_advice": 1, "nis2_early_warning": 2,
                                                    "nis2_notification": 1, "nis2_final_report": 1 + self.final_8})
        self.assertEqual(sum(d["opened"] for d in s["days"]), 4)
        self.assertEqual(sum(d["closed"] for d in s["days"]), 0)
        self.assertEqual(s["alerts"]["total"], 2)
        self.assertEqual(s["alerts"]["by_level"]["low"], 0)
        b = self.stats(self.bob)
        self.assertEqual(b["open"]["total"], 2)   # 3 and 7; 4 is closed
        self.assertEqual(b["open"]["by_status"]["waiting"], 1)
        self.assertEqual(sum(d["closed"] for d in b["days"]), 1)
        self.assertEqual(b["alerts"]["total"], 1)
        self.assertEqual(b["overdue"]["total"], 0)
        self.assertNotIn("Hopital A", [t["name"] for t in b["top_orgs"]])
        c = self.stats(self.carol)
        self.assertEqual(c["open"]["total"], 0)
        self.assertEqual(c["top_orgs"], [])
        self.assertEqual(sum(d["opened"] + d["closed"] + d["alerts"] for d in c["days"]), 0)
        self.assertEqual(c["alerts"]["waiting"], 0)

    def test_bad_ranges(self):
        for q, field in (("?from=yesterday", "from"), ("?to=2026-13-01T00:00:00Z", "to"),
                         ("?from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z", "from"),
                         ("?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")):
            r = self.admin.get("/api/v1/stats" + q)
            self.assertEqual(r.status, 400, (q, r))
            self.assertEqual(r.error_field(), field, q)
        self.assertEqual(self.srv.client().get("/api/v1/stats").status, 401)

    def test_partner_refused(self):
        # a partner CERT's account has no incident.read: refused, nothing counted for it
        r = self.admin.post("/api/v1/users", {"username": "pcert", "role": "partner", "org_id": self.b,
                                              "password": "partner password 12"})
        self.assertEqual(r.status, 201, r)
        cl = self.srv.client()
        self.assertEqual(cl.login("pcert", "partner password 12").status, 200)
        r = cl.get("/api/v1/stats")
        self.assertEqual(r.status, 403, r)
        self.assertNotIn("open", r.json)


if __name__ == "__main__":
    unittest.main()
