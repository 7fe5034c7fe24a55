"""Reports over the API: submission by analysts and by constituents (the
authenticated form), idempotency keys, acknowledgement through the SMTP sink,
triage suggestion from the registry, decisions (refer with the referral text,
forward to a partner CERT, new incident, merge, bulk), full-text search,
constituent isolation (404 for other organisations) and bad input on every
route (4xx naming the field, nothing written)."""
import json
import os
import tempfile
import unittest

from harness import ServerTest
from smtp_sink import SmtpSink


class ReportsTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpSink().start()
        cls.server_env = {"VIGIE_SMTP_URL": cls.sink.url, "VIGIE_SMTP_FROM": "cert@vigie.test",
                          "VIGIE_REFERRAL_TEXT": "Please contact cybermalveillance.gouv.fr (test referral)."}
        super().setUpClass()
        adm = cls.admin

        def org(doc):
            r = adm.post("/api/v1/orgs", doc)
            assert r.status == 201, r
            return r.json
        cls.ministry = org({"name": "Ministry A", "kind": "ministry", "domains": ["a.gouv.example"],
                            "networks": ["192.0.2.0/25"], "contacts": [{"email": "soc@a.gouv.example", "role": "soc"}]})
        cls.other = org({"name": "Ministry B", "kind": "ministry", "domains": ["b.gouv.example"],
                         "networks": ["192.0.2.128/25"]})
        cls.partner = org({"name": "CERT-Elsewhere", "kind": "partner_cert", "in_scope": False,
                           "contacts": [{"email": "incident@cert-elsewhere.example", "role": "incident"}]})
        cls.partner_child = org({"name": "Elsewhere Ministry", "kind": "ministry", "parent_id": cls.partner["id"],
                                 "in_scope": False, "networks": ["203.0.113.0/24"], "domains": ["elsewhere.example"]})
        cls.cons_a = cls.make_user_c("cons-a", "constituent", cls.ministry["id"])
        cls.cons_b = cls.make_user_c("cons-b", "constituent", cls.other["id"])

    @classmethod
    def make_user_c(cls, username, role, org_id, password="a long enough password"):
        r = cls.admin.post("/api/v1/users", {"username": username, "role": role, "org_id": org_id, "password": password})
        assert r.status == 201, r
        c = cls.srv.client()
        assert c.login(username, password).status == 200
        return c

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.sink.stop()

    def submit(self, client, body, status=201, headers=None):
        r = client.post("/api/v1/reports", body, headers=headers)
        self.assertEqual(r.status, status, r)
        return r.json

    def count(self, sql, args=()):
        return self.srv.sql(sql, args)[0][0]

    # ------------------------------------------------------------------

    def test_analyst_submission_acknowledged(self):
        rep = self.submit(self.admin, {"subject": "Defacement of www.a.gouv.example", "body": "The home page shows a banner.",
                                       "reporter_name": "Jean Dupont", "reporter_email": "jean@a.gouv.example"})
        self.assertRegex(rep["reference"], r"^VIGIE-\d{4}-\d{6}$")
        self.assertEqual(rep["source"], "api")
        self.assertEqual(rep["org_id"], self.ministry["id"])
        self.assertEqual(rep["status"], "new")
        self.assertEqual(rep["suggested_decision"], "in_scope")
        _, rcpts, msg, _ = self.sink.find(lambda m: rep["reference"] in str(m[2]["subject"]))
        self.assertEqual(rcpts, ["jean@a.gouv.example"])
        self.assertIn(rep["reference"], msg.get_content())
        self.assertIn("Jean Dupont", str(msg["To"]))

    def test_utf8_subject_is_rfc2047_encoded(self):
        rep = self.submit(self.admin, {"subject": "Rançongiciel sur le serveur de paie — urgent",
                                       "body": "Fichiers chiffrés.", "reporter_email": "rh@a.gouv.example"})
        _, _, msg, data = self.sink.find(lambda m: rep["reference"] in str(m[2]["subject"]))
        self.assertIn(b"=?UTF-8?B?", data.split(b"\r\n\r\n")[0])
        self.assertIn("Rançongiciel sur le serveur de paie — urgent", str(msg["subject"]))
        # the stored report keeps the UTF-8 text as sent
        self.assertEqual(self.srv.sql("SELECT subject, body FROM reports WHERE id = ?", (rep["id"],))[0],
                         ("Rançongiciel sur le serveur de paie — urgent", "Fichiers chiffrés."))
        self.assertEqual(self.admin.get("/api/v1/reports/%d" % rep["id"]).json["body"], "Fichiers chiffrés.")

    def test_idempotency_key(self):
        body = {"subject": "Scan from 192.0.2.10", "body": "Port scan seen."}
        n = self.count("SELECT count(*) FROM reports")
        a = self.submit(self.admin, body, headers={"Idempotency-Key": "k-123"})
        b = self.submit(self.admin, body, status=200, headers={"Idempotency-Key": "k-123"})
        self.assertEqual(a["id"], b["id"])
        self.assertTrue(b["duplicate"])
        c = self.submit(self.admin, dict(body, idempotency_key="k-456"))
        d = self.submit(self.admin, dict(body, idempotency_key="k-456"), status=200)
        self.assertEqual(c["id"], d["id"])
        self.assertNotEqual(a["id"], c["id"])
        self.assertEqual(self.count("SELECT count(*) FROM reports"), n + 2)
        # the same key from another user is another submission
        e = self.submit(self.cons_a, dict(body, idempotency_key="k-456"))
        self.assertNotEqual(e["id"], c["id"])

    def test_constituent_form_and_isolation(self):
        mine = self.submit(self.cons_a, {"subject": "Phishing received", "body": "Mail with a fake login page."})
        self.assertEqual(mine["source"], "form")
        self.assertEqual(mine["reporter"]["name"], "cons-a")  # from the constituent's account
        self.assertEqual(mine["org_id"], self.ministry["id"])
        theirs = self.submit(self.cons_b, {"subject": "Ministry B issue", "body": "Something odd."})
        # another organisation's report: 404 on get and triage, absent from lists and search
        self.assertEqual(self.cons_a.get("/api/v1/reports/%d" % theirs["id"]).status, 404)
        # triage is CERT staff only: refused alike (403) for every report, revealing nothing
        self.assertEqual(self.cons_a.post("/api/v1/reports/%d/triage" % theirs["id"], {"decision": "refer"}).status, 403)
        ids = [i["id"] for i in self.cons_a.get("/api/v1/reports?limit=500").json["items"]]
        self.assertIn(mine["id"], ids)
        self.assertNotIn(theirs["id"], ids)
        ids = [i["id"] for i in self.cons_a.get("/api/v1/reports?q=odd").json["items"]]
        self.assertNotIn(theirs["id"], ids)
        # submitting for another organisation is refused as if it did not exist
        r = self.cons_a.post("/api/v1/reports", {"subject": "x", "body": "y", "org_id": self.other["id"]})
        self.assertEqual(r.status, 404, r)
        # constituents see their report without the CERT's internal triage material, and cannot triage
        got = self.cons_a.get("/api/v1/reports/%d" % mine["id"]).json
        self.assertNotIn("suggestion", got)
        self.assertNotIn("outbox", got)
        r = self.cons_a.post("/api/v1/reports/%d/triage" % mine["id"], {"decision": "refer"})
        self.assertEqual(r.status, 403, r)
        r = self.cons_a.post("/api/v1/reports/triage", {"ids": [mine["id"]], "decision": "refer"})
        self.assertEqual(r.status, 403, r)

    def test_out_of_scope_referral(self):
        rep = self.submit(self.admin, {"subject": "My shop website was hacked", "body": "I run a small bakery, site pme-boulangerie.example.",
                                       "reporter_email": "owner@pme-boulangerie.example"})
        self.assertEqual(rep["suggested_decision"], "refer")
        self.assertIsNone(rep["org_id"])
        self.sink.clear()
        r = self.admin.post("/api/v1/reports/%d/triage" % rep["id"], {"decision": "refer", "notes": "small business"})
        self.assertEqual(r.status, 200, r)
        doc = r.json
        self.assertEqual((doc["status"], doc["decision"]), ("referred", "refer"))
        self.assertEqual(doc["decided_by_name"], "admin")
        self.assertIsNotNone(doc["decided_at"])
        referral = [o for o in doc["outbox"] if o["purpose"] == "referral"]
        self.assertEqual(len(referral), 1)
        _, rcpts, msg, _ = self.sink.find(lambda m: "test referral" in m[2].get_content())
        self.assertEqual(rcpts, ["owner@pme-boulangerie.example"])
        self.assertIn(rep["reference"], str(msg["subject"]))
        self.assertEqual(self.admin.get("/api/v1/reports/%d" % rep["id"]).json["outbox"][0]["status"], "sent")
        # decided once: a second decision is a conflict, nothing changes
        r = self.admin.post("/api/v1/reports/%d/triage" % rep["id"], {"decision": "in_scope"})
        self.assertEqual(r.status, 409, r)
        # still searchable with its decision
        items = self.admin.get("/api/v1/reports?status=referred&q=bakery").json["items"]
        self.assertEqual([i["id"] for i in items], [rep["id"]])

    def test_partner_forwarding(self):
        rep = self.submit(self.admin, {"subject": "C2 traffic", "body": "Beaconing to 203.0.113.45 every minute.",
                                       "reporter_email": "analyst@isp.example"})
        self.assertEqual(rep["suggested_decision"], "forward")
        full = self.admin.get("/api/v1/reports/%d" % rep["id"]).json
        self.assertEqual(full["suggestion"]["partner_org_id"], self.partner["id"])
        # a non-partner organisation is refused, nothing written
        r = self.admin.post("/api/v1/reports/%d/triage" % rep["id"], {"decision": "forward", "partner_org_id": self.other["id"]})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.error_field(), "partner_org_id")
        self.assertEqual(self.admin.get("/api/v1/reports/%d" % rep["id"]).json["status"], "new")
        r = self.admin.post("/api/v1/reports/%d/triage" % rep["id"], {"decision": "forward", "partner_org_id": self.partner["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["status"], r.json["partner_org_id"]), ("forwarded", self.partner["id"]))
        _, rcpts, msg, _ = self.sink.find(lambda m: m[1] == ["incident@cert-elsewhere.example"] and
                                          rep["reference"] in str(m[2]["subject"]))
        self.assertIn("Beaconing to 203.0.113.45", msg.get_content())
        fwd = [o for o in r.json["outbox"] if o["purpose"] == "forward"]
        self.assertEqual(fwd[0]["status"], "sent")

    def test_new_incident_and_merge(self):
        a = self.submit(self.admin, {"subject": "Ransomware on file server", "body": "Files encrypted on 192.0.2.20."})
        b = self.submit(self.admin, {"subject": "Ransom note", "body": "Same ransom note on 192.0.2.21, signed Zanzibarcrew."})
        r = self.admin.post("/api/v1/reports/%d/triage" % a["id"], {"decision": "new_incident",
                                                                      "incident": {"title": "Ransomware at Ministry A", "severity": "critical"}})
        self.assertEqual(r.status, 200, r)
        inc = r.json["incident_id"]
        self.assertEqual(r.json["status"], "incident")
        self.assertEqual(self.srv.sql("SELECT title FROM incidents WHERE id = ?", (inc,))[0][0], "Ransomware at Ministry A")
        r = self.admin.post("/api/v1/reports/%d/triage" % b["id"], {"decision": "merge", "incident_id": inc})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["status"], r.json["incident_id"]), ("merged", inc))
        kinds = [k for (k,) in self.srv.sql("SELECT kind FROM journal WHERE incident_id = ?", (inc,))]
        self.assertEqual(kinds.count("report"), 2)
        # the merged report's text finds the incident
        found = self.admin.get("/api/v1/incidents?q=zanzibarcrew")
        self.assertEqual(found.status, 200, found)
        self.assertIn(inc, [i["id"] for i in found.json["items"]])
        # merge into a missing incident: 400 on incident_id, nothing written
        c = self.submit(self.admin, {"subject": "x", "body": "y"})
        r = self.admin.post("/api/v1/reports/%d/triage" % c["id"], {"decision": "merge", "incident_id": 999999})
        self.assertEqual((r.status, r.error_field()), (400, "incident_id"))
        self.assertEqual(self.admin.get("/api/v1/reports/%d" % c["id"]).json["status"], "new")
        # audited
        self.assertGreaterEqual(self.count("SELECT count(*) FROM audit_log WHERE action = 'report.triage'"), 2)

    def test_bulk_triage(self):
        ids = [self.submit(self.admin, {"subject": "spam %d" % i, "body": "spam from a botnet"})["id"] for i in range(3)]
        r = self.admin.post("/api/v1/reports/triage", {"ids": ids, "decision": "refer"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([i["status"] for i in r.json["items"]], ["referred"] * 3)
        # all or nothing: one missing id refuses the whole request, naming it
        more = [self.submit(self.admin, {"subject": "more", "body": "more"})["id"] for _ in range(2)]
        r = self.admin.post("/api/v1/reports/triage", {"ids": [more[0], 999999, more[1]], "decision": "in_scope"})
        self.assertEqual((r.status, r.error_field()), (404, "ids[1]"))
        for i in more:
            self.assertEqual(self.admin.get("/api/v1/reports/%d" % i).json["status"], "new")

    def test_bulk_new_incident_makes_one_incident(self):
        ids = [self.submit(self.admin, {"subject": "Phishing wave %d" % i, "body": "Mail from hr@evil.example %d" % i})["id"]
               for i in range(3)]
        incidents = self.count("SELECT count(*) FROM incidents")
        audit = self.count("SELECT count(*) FROM audit_log WHERE action = 'report.triage'")
        r = self.admin.post("/api/v1/reports/triage", {"ids": ids, "decision": "new_incident",
                                                       "incident": {"title": "Phishing wave at Ministry A"}})
        self.assertEqual(r.status, 200, r)
        inc = r.json["incident_id"]
        self.assertIsInstance(inc, int)
        self.assertEqual(self.count("SELECT count(*) FROM incidents"), incidents + 1)
        self.assertEqual(self.srv.sql("SELECT title FROM incidents WHERE id = ?", (inc,))[0][0], "Phishing wave at Ministry A")
        self.assertEqual([(i["id"], i["status"], i["incident_id"]) for i in r.json["items"]],
                         [(ids[0], "incident", inc), (ids[1], "merged", inc), (ids[2], "merged", inc)])
        rows = self.srv.sql("SELECT id, status, decision, incident_id FROM reports WHERE id IN (?, ?, ?) ORDER BY id", tuple(ids))
        self.assertEqual(rows, [(ids[0], "incident", "new_incident", inc), (ids[1], "merged", "merge", inc),
                                (ids[2], "merged", "merge", inc)])
        # one journal entry per report, in order
        rows = self.srv.sql("SELECT json_extract(meta, '$.report_id') FROM journal WHERE incident_id = ? AND kind = 'report' "
                            "ORDER BY id", (inc,))
        self.assertEqual([x for (x,) in rows], ids)
        # one audit entry per report
        self.assertEqual(self.count("SELECT count(*) FROM audit_log WHERE action = 'report.triage'"), audit + 3)
        self.assertEqual(self.count("SELECT count(*) FROM audit_log WHERE action = 'incident.create' AND object_id = ?",
                                    (str(inc),)), 1)
        # the CLI does the same
        more = [self.submit(self.admin, {"subject": "CLI wave %d" % i, "body": "wave"})["id"] for i in range(2)]
        incidents = self.count("SELECT count(*) FROM incidents")
        r = self.srv.cli("--json", "report", "triage", "--decision", "new_incident", "--title", "CLI wave",
                         str(more[0]), str(more[1]))
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(self.count("SELECT count(*) FROM incidents"), incidents + 1)
        self.assertEqual(self.srv.sql("SELECT id, status, incident_id FROM reports WHERE id IN (?, ?) ORDER BY id", tuple(more)),
                         [(more[0], "incident", out["incident_id"]), (more[1], "merged", out["incident_id"])])
        self.assertEqual(out["decision"], "new_incident")

    def test_bulk_merge_into_existing_incident(self):
        inc = self.admin.post("/api/v1/incidents", {"title": "Existing DDoS", "org_id": self.ministry["id"]})
        self.assertEqual(inc.status, 201, inc)
        inc = inc.json["id"]
        ids = [self.submit(self.admin, {"subject": "DDoS %d" % i, "body": "site down %d" % i})["id"] for i in range(2)]
        incidents = self.count("SELECT count(*) FROM incidents")
        r = self.admin.post("/api/v1/reports/triage", {"ids": ids, "decision": "merge", "incident_id": inc})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["incident_id"], inc)
        self.assertEqual([(i["status"], i["incident_id"]) for i in r.json["items"]], [("merged", inc)] * 2)
        self.assertEqual(self.count("SELECT count(*) FROM incidents"), incidents)
        rows = self.srv.sql("SELECT json_extract(meta, '$.report_id') FROM journal WHERE incident_id = ? AND kind = 'report' "
                            "ORDER BY id", (inc,))
        self.assertEqual([x for (x,) in rows], ids)

    def test_structured_form_fields(self):
        # the constituent form's answers are kept as data, canonical RSIT spelling
        rep = self.submit(self.cons_a, {"subject": "Faux mail RH", "body": "Des agents ont reçu un faux mail.",
                                        "rsit_type": "Phishing", "detected_at": "2026-11-20T08:30:00+01:00",
                                        "systems_affected": "messagerie, 40 agents", "nis2_stage": "early_warning"})
        self.assertEqual((rep["source"], rep["rsit_type"], rep["detected_at"], rep["systems_affected"], rep["nis2_stage"]),
                         ("form", "phishing", "2026-11-20T07:30:00Z", "messagerie, 40 agents", "early_warning"))
        self.assertEqual(self.srv.sql("SELECT rsit_type, detected_at, systems_affected, nis2_stage FROM reports WHERE id = ?",
                                      (rep["id"],))[0], ("phishing", 1795159800000, "messagerie, 40 agents", "early_warning"))
        # the body is not touched
        self.assertEqual(self.admin.get("/api/v1/reports/%d" % rep["id"]).json["body"], "Des agents ont reçu un faux mail.")
        # an alias of the RSIT table is stored under its current name; fields absent are null
        alias = self.submit(self.admin, {"subject": "x", "body": "y", "rsit_type": "ransomware"})
        self.assertEqual((alias["rsit_type"], alias["detected_at"], alias["systems_affected"], alias["nis2_stage"]),
                         ("infected-system", None, None, None))
        # triage without a classification: the declared type, date and NIS2 early warning carry over
        r = self.admin.post("/api/v1/reports/%d/triage" % rep["id"], {"decision": "new_incident"})
        self.assertEqual(r.status, 200, r)
        inc = self.admin.get("/api/v1/incidents/%d" % r.json["incident_id"]).json
        self.assertEqual((inc["taxonomy"], inc["type"], inc["detected_at"]), ("fraud", "phishing", "2026-11-20T07:30:00Z"))
        self.assertEqual(inc["nis2_early_warning_at"], rep["created_at"])
        self.assertIsNone(inc["nis2_notification_at"])
        note = self.srv.sql("SELECT body FROM journal WHERE incident_id = ? AND kind = 'report'", (inc["id"],))[0][0]
        self.assertIn("Systems affected: messagerie, 40 agents", note)
        detail = self.srv.sql("SELECT detail FROM audit_log WHERE action = 'report.triage' AND object_id = ?", (str(rep["id"]),))
        self.assertEqual(json.loads(detail[0][0])["nis2_stamped"], "early_warning")
        # the analyst's classification wins over the declared one
        rep2 = self.submit(self.admin, {"subject": "z", "body": "w", "rsit_type": "phishing"})
        r = self.admin.post("/api/v1/reports/%d/triage" % rep2["id"], {"decision": "new_incident",
                                                                       "incident": {"type": "ddos"}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.srv.sql("SELECT taxonomy, type, nis2_early_warning_at FROM incidents WHERE id = ?",
                                      (r.json["incident_id"],))[0], ("availability", "ddos", None))
        # merged into an existing incident: a declared notification stamps that clock once
        rep3 = self.submit(self.cons_a, {"subject": "72 h", "body": "notification", "nis2_stage": "notification"})
        r = self.admin.post("/api/v1/reports/%d/triage" % rep3["id"], {"decision": "merge", "incident_id": inc["id"]})
        self.assertEqual(r.status, 200, r)
        after = self.admin.get("/api/v1/incidents/%d" % inc["id"]).json
        self.assertEqual((after["nis2_early_warning_at"], after["nis2_notification_at"]), (rep["created_at"], rep3["created_at"]))

    def test_structured_fields_bad_input(self):
        n = self.count("SELECT count(*) FROM reports")
        for extra, field in [({"rsit_type": "bogus"}, "rsit_type"), ({"rsit_type": 3}, "rsit_type"),
                             ({"detected_at": "yesterday"}, "detected_at"), ({"detected_at": "2026-13-01T00:00:00Z"}, "detected_at"),
                             ({"nis2_stage": "late"}, "nis2_stage"), ({"nis2_stage": "nis2_early_warning"}, "nis2_stage"),
                             ({"systems_affected": "s" * 4097}, "systems_affected")]:
            body = dict({"subject": "s", "body": "b"}, **extra)
            for client in (self.admin, self.cons_a):
                r = client.post("/api/v1/reports", body)
                self.assertEqual((r.status, r.error_field()), (400, field), (extra, r))
        self.assertEqual(self.count("SELECT count(*) FROM reports"), n)

    def test_list_filters_and_paging(self):
        for i in range(3):
            self.submit(self.admin, {"subject": "paging %d" % i, "body": "zebra%d" % i})
        r = self.admin.get("/api/v1/reports?limit=2")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["items"]), 2)
        nxt = self.admin.get("/api/v1/reports?limit=2&cursor=" + r.json["next_cursor"]).json
        self.assertLess(nxt["items"][0]["id"], r.json["items"][-1]["id"])
        r = self.admin.get("/api/v1/reports?q=zebra1")
        self.assertEqual([i["subject"] for i in r.json["items"]], ["paging 1"])
        form = self.submit(self.cons_a, {"subject": "paging form", "body": "from the form"})
        self.submit(self.admin, {"subject": "paging api", "body": "from the api", "org_id": self.ministry["id"]})
        r = self.admin.get("/api/v1/reports?source=form&org_id=%d" % self.ministry["id"])
        self.assertIn(form["id"], [i["id"] for i in r.json["items"]])
        self.assertEqual({i["source"] for i in r.json["items"]}, {"form"})

    def test_bad_input_names_the_field_and_writes_nothing(self):
        n = self.count("SELECT count(*) FROM reports")
        cases = [
            ({"body": "no subject"}, "subject"),
            ({"subject": "no body"}, "body"),
            ({"subject": "", "body": "x"}, "subject"),
            ({"subject": 5, "body": "x"}, "subject"),
            ({"subject": "s", "body": "x", "colour": "red"}, "colour"),
            ({"subject": "s", "body": "x", "org_id": "one"}, "org_id"),
            ({"subject": "s", "body": "x", "org_id": 999999}, "org_id"),
            ({"subject": "s", "body": "x", "reporter_email": "not-an-address"}, "reporter_email"),
            ({"subject": "s", "body": "x", "idempotency_key": "k" * 200}, "idempotency_key"),
            ({"subject": "s\u0001", "body": "x"}, "subject"),
        ]
        for body, field in cases:
            r = self.admin.post("/api/v1/reports", body)
            self.assertEqual(r.status // 100, 4, (body, r))
            self.assertEqual(r.error_field(), field, (body, r))
        r = self.admin.post("/api/v1/reports", raw=b"not json", headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.count("SELECT count(*) FROM reports"), n)
        for q, field in [("status=bogus", "status"), ("source=fax", "source"), ("limit=0", "limit"), ("limit=x", "limit"),
                         ("cursor=-1", "cursor"), ("org_id=abc", "org_id"), ("created_from=yesterday", "created_from")]:
            r = self.admin.get("/api/v1/reports?" + q)
            self.assertEqual((r.status, r.error_field()), (400, field), q)
        self.assertEqual(self.admin.get("/api/v1/reports/0").status, 404)
        self.assertEqual(self.admin.get("/api/v1/reports/abc").status, 404)
        self.assertEqual(self.admin.get("/api/v1/reports/999999").status, 404)
        rep = self.submit(self.admin, {"subject": "triage input", "body": "x"})
        audit_before = self.count("SELECT count(*) FROM audit_log WHERE action = 'report.triage' AND outcome = 'ok'")
        for body, field in [({}, "decision"), ({"decision": "delete"}, "decision"), ({"decision": "merge"}, "incident_id"),
                            ({"decision": "forward"}, "partner_org_id"), ({"decision": "refer", "x": 1}, "x"),
                            ({"decision": "in_scope", "org_id": 999999}, "org_id"),
                            ({"decision": "new_incident", "incident": "title"}, "incident"),
                            ({"decision": "new_incident", "incident": {"severity": "apocalyptic"}}, "incident.severity")]:
            r = self.admin.post("/api/v1/reports/%d/triage" % rep["id"], body)
            self.assertEqual(r.status // 100, 4, (body, r))
            self.assertEqual(r.error_field(), field, (body, r))
        self.assertEqual(self.admin.post("/api/v1/reports/999999/triage", {"decision": "refer"}).status, 404)
        for body, field in [({"decision": "refer"}, "ids"), ({"ids": [], "decision": "refer"}, "ids"),
                            ({"ids": ["a"], "decision": "refer"}, "ids[0]"), ({"ids": [rep["id"]]}, "decision"),
                            ({"ids": [rep["id"]] * 501, "decision": "refer"}, "ids")]:
            r = self.admin.post("/api/v1/reports/triage", body)
            self.assertEqual(r.status // 100, 4, (body, r))
            self.assertEqual(r.error_field(), field, (body, r))
        self.assertEqual(self.admin.get("/api/v1/reports/%d" % rep["id"]).json["status"], "new")
        self.assertEqual(self.count("SELECT count(*) FROM audit_log WHERE action = 'report.triage' AND outcome = 'ok'"), audit_before)

    def test_anonymous_refused(self):
        anon = self.srv.client()
        self.assertEqual(anon.get("/api/v1/reports").status, 401)
        self.assertEqual(anon.post("/api/v1/reports", {"subject": "x", "body": "y"}).status, 401)


class ReportAttachmentTest(ServerTest):
    """Attachments on reports: raw upload with ?filename=, size limit, stored by
    SHA-256, YARA hits as tags and observables of the report, listed in the
    report, download, constituents on their own organisation's reports only
    (404 otherwise), audited, and following the report into its incident."""

    @classmethod
    def setUpClass(cls):
        cls.rules = tempfile.mkdtemp(prefix="vg-yara-")
        with open(os.path.join(cls.rules, "marker.yar"), "w") as f:
            f.write('rule report_marker { strings: $a = "REPORT-IT-EVIL" condition: $a }\n')
        cls.data = tempfile.mkdtemp(prefix="vg-it-data-")
        cls.server_env = {"VIGIE_YARA_RULES_DIR": cls.rules, "VIGIE_ATTACHMENT_MAX": "64k",
                          "VIGIE_DATA_DIR": cls.data, "VIGIE_REPORT_ACK": "false", "VIGIE_REF_PREFIX": "CSIRT"}
        super().setUpClass()
        adm = cls.admin
        cls.a = adm.post("/api/v1/orgs", {"name": "Agency A", "kind": "ministry"}).json
        cls.b = adm.post("/api/v1/orgs", {"name": "Agency B", "kind": "ministry"}).json
        pw = "a long enough password"
        cls.cons = {}
        for user, org in (("ra", cls.a), ("rb", cls.b)):
            r = adm.post("/api/v1/users", {"username": user, "role": "constituent", "org_id": org["id"], "password": pw})
            assert r.status == 201, r
            c = cls.srv.client()
            assert c.login(user, pw).status == 200
            cls.cons[user] = c

    def report(self, client):
        r = client.post("/api/v1/reports", {"subject": "Suspicious attachment", "body": "See the attached file."})
        self.assertEqual(r.status, 201, r)
        # the configured prefix, even before any incident route configured the module
        self.assertTrue(r.json["reference"].startswith("CSIRT-"), r.json["reference"])
        return r.json["id"]

    def upload(self, client, rid, name, data, status=201):
        r = client.request("POST", "/api/v1/reports/%d/attachments?filename=%s" % (rid, name), raw=data)
        self.assertEqual(r.status, status, r)
        return r

    def test_constituent_upload_listed_and_downloaded(self):
        ra = self.cons["ra"]
        rid = self.report(ra)
        audits = self.srv.sql("SELECT count(*) FROM audit_log WHERE action = 'report.attachment.add'")[0][0]
        r = self.upload(ra, rid, "invoice.pdf.exe", b"MZ REPORT-IT-EVIL payload")
        att = r.json["items"][0]
        self.assertEqual(att["filename"], "invoice.pdf.exe")
        self.assertEqual(att["tags"], ["yara:report_marker"])
        self.assertEqual(att["size"], 25)
        # listed in the report, downloadable as a file
        doc = ra.get("/api/v1/reports/%d" % rid).json
        self.assertEqual([x["sha256"] for x in doc["attachments"]], [att["sha256"]])
        r = ra.get("/api/v1/reports/%d/attachments/%d" % (rid, att["id"]))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/octet-stream")
        self.assertIn("attachment", r.header("Content-Disposition"))
        self.assertEqual(ra.get("/api/v1/reports/%d/attachments" % rid).json["items"][0]["id"], att["id"])
        # stored by hash under data_dir; YARA hit: an observable of the report
        blobs = [f for _, _, fs in os.walk(self.data) for f in fs if f == att["sha256"]]
        self.assertEqual(len(blobs), 1, blobs)
        rows = self.srv.sql("SELECT o.tags FROM observables o JOIN observable_links l ON l.observable_id = o.id "
                            "WHERE o.value = ? AND l.object_type = 'report' AND l.object_id = ?", (att["sha256"], rid))
        self.assertEqual(len(rows), 1, rows)
        self.assertIn("yara:report_marker", rows[0][0])
        # audited, with the actor
        rows = self.srv.sql("SELECT actor, object_id FROM audit_log WHERE action = 'report.attachment.add' ORDER BY seq")
        self.assertEqual(len(rows), audits + 1)
        self.assertEqual(rows[-1], ("ra", str(rid)))

    def test_other_org_is_404_and_nothing_written(self):
        rid = self.report(self.cons["ra"])
        before = self.srv.sql("SELECT count(*) FROM attachment_links")[0][0]
        rb = self.cons["rb"]
        missing = rb.request("POST", "/api/v1/reports/999999/attachments?filename=x.txt", raw=b"x")
        self.assertEqual(missing.status, 404)
        r = self.upload(rb, rid, "x.txt", b"hello", status=404)
        self.assertEqual(r.json["error"]["message"], missing.json["error"]["message"])
        for p in ("", "/attachments", "/attachments/1"):
            self.assertEqual(rb.get("/api/v1/reports/%d%s" % (rid, p)).status, 404, p)
        self.assertEqual(self.srv.sql("SELECT count(*) FROM attachment_links")[0][0], before)

    def test_bad_input_names_the_field(self):
        rid = self.report(self.cons["ra"])
        before = self.srv.sql("SELECT count(*) FROM attachment_links")[0][0]
        r = self.cons["ra"].request("POST", "/api/v1/reports/%d/attachments" % rid, raw=b"data")
        self.assertEqual((r.status, r.error_field()), (400, "filename"))
        r = self.cons["ra"].request("POST", "/api/v1/reports/%d/attachments?filename=e.txt" % rid, raw=b"")
        self.assertEqual((r.status, r.error_field()), (400, "body"))
        r = self.upload(self.cons["ra"], rid, "big.bin", b"x" * 70000, status=413)
        self.assertEqual(self.srv.sql("SELECT count(*) FROM attachment_links")[0][0], before)

    def test_cli_attach(self):
        rid = self.report(self.cons["ra"])
        ref = self.admin.get("/api/v1/reports/%d" % rid).json["reference"]
        path = os.path.join(tempfile.mkdtemp(prefix="vg-it-"), "capture.pcap")
        with open(path, "wb") as f:
            f.write(b"\xd4\xc3\xb2\xa1 REPORT-IT-EVIL")
        import json
        r = self.srv.cli("--json", "report", "attach", ref, path, check=True)
        aid = json.loads(r.stdout)["attachment_id"]
        att = self.admin.get("/api/v1/reports/%d/attachments" % rid).json["items"]
        self.assertEqual([(a["id"], a["filename"], a["tags"]) for a in att], [(aid, "capture.pcap", ["yara:report_marker"])])
        rows = self.srv.sql("SELECT actor FROM audit_log WHERE action = 'report.attachment.add' AND object_id = ?", (str(rid),))
        self.assertEqual(len(rows), 1)
        self.assertTrue(rows[0][0].startswith("cli:"), rows)
        # a missing report: an error, nothing written
        before = self.srv.sql("SELECT count(*) FROM attachment_links")[0][0]
        r = self.srv.cli("report", "attach", "999999", path)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(self.srv.sql("SELECT count(*) FROM attachment_links")[0][0], before)

    def test_attachments_follow_into_incident(self):
        ra = self.cons["ra"]
        rid = self.report(ra)
        own = self.upload(ra, rid, "own.log", b"constituent log REPORT-IT-EVIL").json["items"][0]
        staff = self.upload(self.admin, rid, "analyst-notes.txt", b"internal notes").json["items"][-1]
        r = self.admin.post("/api/v1/reports/%d/triage" % rid, {"decision": "new_incident", "org_id": self.a["id"]})
        self.assertEqual(r.status, 200, r)
        iid = r.json["incident_id"]
        self.assertTrue(self.admin.get("/api/v1/incidents/%d" % iid).json["reference"].startswith("CSIRT-"))
        atts = {x["id"]: x for x in self.admin.get("/api/v1/incidents/%d/attachments" % iid).json["items"]}
        self.assertEqual(set(atts), {own["id"], staff["id"]})
        self.assertTrue(atts[own["id"]]["visible"])
        self.assertFalse(atts[staff["id"]]["visible"])
        # the constituent sees its own upload on the incident, not the analyst's
        r = ra.get("/api/v1/incidents/%d/attachments" % iid)
        self.assertEqual([x["id"] for x in r.json["items"]], [own["id"]])
        self.assertEqual(ra.get("/api/v1/incidents/%d/attachments/%d" % (iid, own["id"])).status, 200)
        self.assertEqual(ra.get("/api/v1/incidents/%d/attachments/%d" % (iid, staff["id"])).status, 404)
        # YARA hit: an observable of the incident too
        rows = self.srv.sql("SELECT count(*) FROM observables o JOIN observable_links l ON l.observable_id = o.id "
                            "WHERE o.value = ? AND l.object_type = 'incident' AND l.object_id = ?", (own["sha256"], iid))
        self.assertEqual(rows[0][0], 1)
        # a later upload to the report follows too; a merge carries them as well
        late = self.upload(ra, rid, "late.txt", b"one more").json["items"][-1]
        self.assertIn(late["id"], [x["id"] for x in ra.get("/api/v1/incidents/%d/attachments" % iid).json["items"]])
        rid2 = self.report(ra)
        second = self.upload(ra, rid2, "second.txt", b"second report file").json["items"][0]
        r = self.admin.post("/api/v1/reports/%d/triage" % rid2, {"decision": "merge", "incident_id": iid})
        self.assertEqual(r.status, 200, r)
        self.assertIn(second["id"], [x["id"] for x in ra.get("/api/v1/incidents/%d/attachments" % iid).json["items"]])
        # the incident merged into another: later uploads go to the survivor
        other = self.admin.post("/api/v1/incidents", {"title": "Survivor", "org_id": self.a["id"]}).json["id"]
        self.assertEqual(self.admin.post("/api/v1/incidents/%d/merge" % iid, {"into": other}).status, 200)
        third = self.upload(ra, rid, "third.txt", b"after the merge").json["items"][-1]
        self.assertIn(third["id"], [x["id"] for x in ra.get("/api/v1/incidents/%d/attachments" % other).json["items"]])


    # ------------------------------------------------ observables of a report
    # candidates extracted (refanged) from its text and text attachments, only
    # the values the analyst keeps are linked, and they follow the report into
    # its incident; staff only

    def linked(self, kind, oid):
        return sorted(self.srv.sql("SELECT o.type, o.value, l.source FROM observables o JOIN observable_links l "
                                   "ON l.observable_id = o.id WHERE l.object_type = ? AND l.object_id = ?", (kind, oid)))

    def test_candidates_keep_and_follow(self):
        ra = self.cons["ra"]
        r = ra.post("/api/v1/reports", {"subject": "Phishing from attacker[at]phish-mail[.]net",
                                        "body": "The link was hxxps://login-portal[.]top/verify and the server "
                                                "45.137.21[.]9 answered; our resolver 8.8.8.8 was used."})
        self.assertEqual(r.status, 201, r)
        rid = r.json["id"]
        r = ra.request("POST", "/api/v1/reports/%d/attachments?filename=headers.txt" % rid,
                       raw=b"Received: from mx.bad-relay.net (91.92.109.14)\n", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 201, r)
        audits = self.srv.sql("SELECT count(*) FROM audit_log")[0][0]
        r = self.admin.get("/api/v1/reports/%d/observables/candidates" % rid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.srv.sql("SELECT count(*) FROM audit_log")[0][0], audits)  # a read: not audited
        cands = {(c["type"], c["value"]): c for c in r.json["candidates"]}
        self.assertEqual(sorted(cands), [("domain", "mx.bad-relay.net"), ("domain", "phish-mail.net"),
                                         ("email", "attacker@phish-mail.net"), ("ipv4", "45.137.21.9"),
                                         ("ipv4", "8.8.8.8"), ("ipv4", "91.92.109.14"),
                                         ("url", "https://login-portal.top/verify")])
        self.assertIn(("email", "attacker@phish-mail.net"), cands)
        self.assertEqual(cands[("email", "attacker@phish-mail.net")]["found"], "attacker[at]phish-mail[.]net")
        self.assertTrue(cands[("email", "attacker@phish-mail.net")]["defanged"])
        self.assertIn(("url", "https://login-portal.top/verify"), cands)
        self.assertIn(("ipv4", "45.137.21.9"), cands)
        self.assertFalse(cands[("ipv4", "45.137.21.9")]["common"])
        self.assertTrue(cands[("ipv4", "8.8.8.8")]["common"])
        self.assertFalse(cands[("ipv4", "8.8.8.8")]["defanged"])
        # from the text attachment
        self.assertIn(("ipv4", "91.92.109.14"), cands)
        self.assertIn(("domain", "mx.bad-relay.net"), cands)
        # nothing written by the candidates
        self.assertEqual(self.linked("report", rid), [])
        # staff only: a constituent is refused even on its own report, another organisation's is hidden
        self.assertEqual(ra.get("/api/v1/reports/%d/observables/candidates" % rid).status, 403)
        self.assertEqual(self.cons["rb"].get("/api/v1/reports/%d/observables/candidates" % rid).status, 403)
        self.assertEqual(ra.post("/api/v1/reports/%d/observables" % rid, {"observables": [{"value": "45.137.21.9"}]}).status, 403)
        self.assertEqual(self.admin.get("/api/v1/reports/999999/observables/candidates").status, 404)
        # keep two of them: only those are linked, normalised, audited
        audits = self.srv.sql("SELECT count(*) FROM audit_log WHERE action = 'report.observables.add'")[0][0]
        r = self.admin.post("/api/v1/reports/%d/observables" % rid,
                            {"observables": [{"value": "45.137.21[.]9"}, {"type": "email", "value": "attacker@phish-mail.net"}]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual([(i["type"], i["value"]) for i in r.json["items"]],
                         [("ipv4", "45.137.21.9"), ("email", "attacker@phish-mail.net")])
        self.assertIsNone(r.json["incident_id"])
        self.assertEqual(self.linked("report", rid), [("email", "attacker@phish-mail.net", "analyst"),
                                                      ("ipv4", "45.137.21.9", "analyst")])
        self.assertEqual(self.srv.sql("SELECT count(*) FROM audit_log WHERE action = 'report.observables.add'")[0][0],
                         audits + 1)
        # bad input names the field and writes nothing
        for body, field in [({}, "observables"), ({"observables": []}, "observables"),
                            ({"observables": ["x"]}, "observables[0]"),
                            ({"observables": [{"value": "1.2.3.4"}, {"type": "colour", "value": "red"}]}, "observables[1].type"),
                            ({"observables": [{"value": "1.2.3.4"}, {"type": "ipv4", "value": "not-an-ip"}]},
                             "observables[1].value")]:
            r = self.admin.post("/api/v1/reports/%d/observables" % rid, body)
            self.assertEqual((r.status, r.error_field()), (400, field), (body, r))
        self.assertEqual(len(self.linked("report", rid)), 2)
        # triage into an incident: they follow the report
        r = self.admin.post("/api/v1/reports/%d/triage" % rid, {"decision": "new_incident"})
        self.assertEqual(r.status, 200, r)
        iid = r.json["incident_id"]
        self.assertEqual(self.linked("incident", iid), [("email", "attacker@phish-mail.net", "report"),
                                                        ("ipv4", "45.137.21.9", "report")])
        self.assertEqual(sorted((o["type"], o["value"]) for o in
                                self.admin.get("/api/v1/incidents/%d/observables" % iid).json["items"]),
                         [("email", "attacker@phish-mail.net"), ("ipv4", "45.137.21.9")])
        # kept later, once the report has an incident: linked to both
        r = self.admin.post("/api/v1/reports/%d/observables" % rid, {"observables": [{"value": "hxxps://login-portal[.]top/verify"}]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["incident_id"], iid)
        self.assertIn(("url", "https://login-portal.top/verify", "analyst"), self.linked("report", rid))
        self.assertIn(("url", "https://login-portal.top/verify", "report"), self.linked("incident", iid))
        self.assertEqual(len(self.linked("incident", iid)), 3)


if __name__ == "__main__":
    unittest.main()
