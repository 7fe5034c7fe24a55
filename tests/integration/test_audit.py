"""The audit log: every state change and login attempt, hash-chained;
`vigie audit verify` finds edited, removed and reordered entries."""
import json
import unittest

from harness import Server, ServerTest


class AuditTest(ServerTest):
    def test_state_changes_are_audited(self):
        before = self.srv.sql("SELECT max(seq) FROM audit_log")[0][0] or 0
        org = self.make_org("Audited Org")
        self.admin.post("/api/v1/orgs/%d/domains" % org["id"], {"domain": "audited.example"})
        self.admin.patch("/api/v1/orgs/%d" % org["id"], {"notes": "changed"})
        rows = self.srv.sql("SELECT action, object_type, object_id, actor, outcome, request_id FROM audit_log "
                            "WHERE seq > ? ORDER BY seq", (before,))
        actions = [r[0] for r in rows]
        self.assertGreaterEqual(len(rows), 3, rows)
        self.assertTrue(all(r[3] == "admin" for r in rows), rows)
        self.assertTrue(all(r[4] == "ok" for r in rows), rows)
        self.assertTrue(all(r[5] for r in rows), rows)
        self.assertTrue(any("org" in a for a in actions), actions)
        r = self.admin.get("/api/v1/audit?limit=5")
        self.assertEqual(r.status, 200, r)
        self.assertLessEqual(len(r.json["items"]), 5)

    def test_verify_api(self):
        r = self.admin.get("/api/v1/audit/verify")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["ok"], r)
        self.assertGreater(r.json["checked"], 0)


class TamperTest(unittest.TestCase):
    def setUp(self):
        self.srv = Server().start()
        adm = self.srv.admin()
        for i in range(6):
            r = adm.post("/api/v1/orgs", {"name": "Tamper %d" % i, "kind": "oes"})
            self.assertEqual(r.status, 201, r)
        self.srv.stop()
        r = self.srv.cli("audit", "verify")
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        self.seqs = [s for (s,) in self.srv.sql("SELECT seq FROM audit_log ORDER BY seq")]
        self.assertGreaterEqual(len(self.seqs), 7)

    def verify_fails_at(self, seq, word):
        r = self.srv.cli("audit", "verify", "--json")
        self.assertEqual(r.returncode, 5, r.stdout + r.stderr)
        j = json.loads(r.stdout)
        self.assertFalse(j["ok"])
        self.assertIn(seq, [p["seq"] for p in j["problems"]], j)
        self.assertIn(word, " ".join(p["what"] for p in j["problems"]), j)

    def test_edited_entry(self):
        target = self.seqs[3]
        self.srv.sql("UPDATE audit_log SET actor = 'someone-else' WHERE seq = ?", (target,))
        self.verify_fails_at(target, "edited")

    def test_removed_entry(self):
        target = self.seqs[3]
        self.srv.sql("DELETE FROM audit_log WHERE seq = ?", (target,))
        self.verify_fails_at(self.seqs[4], "removed")

    def test_reordered_entries(self):
        a, b = self.seqs[2], self.seqs[4]
        self.srv.sql("UPDATE audit_log SET seq = -1 WHERE seq = ?", (a,))
        self.srv.sql("UPDATE audit_log SET seq = ? WHERE seq = ?", (a, b))
        self.srv.sql("UPDATE audit_log SET seq = ? WHERE seq = -1", (b,))
        r = self.srv.cli("audit", "verify", "--json")
        self.assertEqual(r.returncode, 5, r.stdout)
        j = json.loads(r.stdout)
        self.assertIn(a, [p["seq"] for p in j["problems"]], j)


class TamperApiTest(unittest.TestCase):
    """GET /api/v1/audit/verify on a chain tampered with behind the server's
    back (sqlite3 on the database file while the server runs)."""

    def setUp(self):
        self.srv = Server().start()
        self.addCleanup(self.srv.stop)
        self.adm = self.srv.admin()
        for i in range(5):
            r = self.adm.post("/api/v1/orgs", {"name": "Api Tamper %d" % i, "kind": "oes"})
            self.assertEqual(r.status, 201, r)
        r = self.adm.get("/api/v1/audit/verify")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["ok"], r.json["problems"]), (True, []), r.json)
        self.seqs = [s for (s,) in self.srv.sql("SELECT seq FROM audit_log ORDER BY seq")]
        self.assertGreaterEqual(len(self.seqs), 6)

    def verify(self, entries):
        r = self.adm.get("/api/v1/audit/verify")
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["ok"], r.json)
        # every entry is checked (the tampered ones and those appended since)
        self.assertGreaterEqual(r.json["checked"], entries)
        return r.json["problems"]

    def test_edited_entry(self):
        target = self.seqs[3]
        self.srv.sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = ?", (target,))
        # exactly one problem: the edited entry, named with its sequence number
        self.assertEqual(self.verify(len(self.seqs)), [{"seq": target, "what": "entry %d: content does not match its hash (edited)"
                                          % target}])

    def test_removed_entry(self):
        target = self.seqs[2]
        self.srv.sql("DELETE FROM audit_log WHERE seq = ?", (target,))
        problems = self.verify(len(self.seqs) - 1)
        # reported on the entry after the gap, whose prev_hash no longer matches
        self.assertEqual(len(problems), 1, problems)
        self.assertEqual(problems[0]["seq"], self.seqs[3])
        self.assertEqual(problems[0]["what"], "entry %d: previous entry missing (removed)" % self.seqs[3])

    def test_auditor_only(self):
        # the verification is not for every account: an unauthenticated client gets 401
        r = self.srv.client().get("/api/v1/audit/verify")
        self.assertEqual(r.status, 401, r)


if __name__ == "__main__":
    unittest.main()
