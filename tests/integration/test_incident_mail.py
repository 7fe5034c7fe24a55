"""E-mail from an incident to the constituent's contacts, and the reply
coming back into the incident's journal."""
import json
import subprocess
import unittest

from harness import SANITIZER_MARKERS, ServerTest, VIGIE
from smtp_sink import SmtpSink


class IncidentMailTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpSink().start()
        cls.server_env = {"VIGIE_SMTP_URL": cls.sink.url, "VIGIE_SMTP_FROM": "cert@vigie.test"}
        super().setUpClass()
        r = cls.admin.post("/api/v1/orgs", {"name": "Mail Ministry", "kind": "ministry",
                                            "domains": ["mail-ministry.example"],
                                            "contacts": [{"email": "soc@mail-ministry.example"}]})
        assert r.status == 201, r
        cls.org = r.json

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.sink.stop()

    def test_mail_out_and_reply_in(self):
        r = self.admin.post("/api/v1/incidents", {"title": "Defaced portal", "org_id": self.org["id"],
                                                  "severity": "high"})
        self.assertEqual(r.status, 201, r)
        inc = r.json
        ref = inc["reference"]
        self.sink.clear()
        r = self.admin.post("/api/v1/incidents/%d/journal" % inc["id"],
                            {"kind": "email_out", "visible": True, "body": "Please restore from backup.",
                             "meta": {"to": ["SOC <soc@mail-ministry.example>"], "subject": "Advice"}})
        self.assertEqual(r.status, 201, r)
        mail_from, rcpts, msg, _ = self.sink.find(lambda m: "soc@mail-ministry.example" in m[1])
        self.assertIn("[%s]" % ref, msg["Subject"])
        self.assertIn("restore from backup", msg.get_body(("plain",)).get_content())
        msgid = msg["Message-ID"]
        self.assertTrue(msgid)
        # the constituent answers: the reply joins the incident's journal
        reply = ("From: SOC <soc@mail-ministry.example>\r\nTo: cert@vigie.test\r\n"
                 "Subject: Re: %s\r\nMessage-ID: <reply-1@mail-ministry.example>\r\nIn-Reply-To: %s\r\n"
                 "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nRestored, thanks.\r\n") % (msg["Subject"], msgid)
        p = subprocess.run([VIGIE, "--db", self.srv.db, "--json", "mailgate", "--no-send"], input=reply.encode(),
                           capture_output=True, env=self.srv.env, timeout=60)
        err = p.stderr.decode()
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, err)
        self.assertEqual(p.returncode, 0, err)
        j = self.admin.get("/api/v1/incidents/%d/journal" % inc["id"])
        self.assertEqual(j.status, 200, j)
        bodies = [e.get("body", "") for e in j.json["items"]]
        self.assertTrue(any("Restored, thanks." in b for b in bodies), bodies)

    def test_bad_recipients_write_nothing(self):
        r = self.admin.post("/api/v1/incidents", {"title": "Another", "org_id": self.org["id"], "severity": "low"})
        iid = r.json["id"]
        before = self.srv.sql("SELECT count(*) FROM outbox")[0][0]
        for meta, field in (({"to": []}, "meta.to"), ({"to": ["not-an-address"]}, "meta.to[0]"),
                            ({}, "meta.to")):
            r = self.admin.post("/api/v1/incidents/%d/journal" % iid, {"kind": "email_out", "body": "x", "meta": meta})
            self.assertEqual(r.status, 400, (meta, r))
            self.assertEqual(r.error_field(), field, r)
        self.assertEqual(self.srv.sql("SELECT count(*) FROM outbox")[0][0], before)


if __name__ == "__main__":
    unittest.main()
