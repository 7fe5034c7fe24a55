"""E-mail intake end to end: `vigie mailgate` on the corpus (tests/data/mail)
against a database made by `vigie setup`, acknowledgements delivered to a
local SMTP sink, threading by In-Reply-To and by subject reference (into the
report, and into the incident's journal once it became one), idempotency on
Message-ID, PGP/MIME with a test key, exit codes for the MTA, and the outbox
keeping mail when the SMTP server is down."""
import glob
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from harness import SANITIZER_MARKERS, VIGIE, ServerTest
from smtp_sink import SmtpSink

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
MAIL = os.path.join(DATA, "mail")


def corpus(name):
    with open(os.path.join(MAIL, name), "rb") as f:
        return f.read()


class MailgateTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpSink().start()
        cls.gpg_home = tempfile.mkdtemp(prefix="vg-gpg-")
        for k in ("cert-secret.asc", "reporter-public.asc"):
            subprocess.run(["gpg", "--homedir", cls.gpg_home, "--batch", "--import", os.path.join(DATA, "gpg", k)],
                           capture_output=True, check=True)
        cls.server_env = {"VIGIE_SMTP_URL": cls.sink.url, "VIGIE_SMTP_FROM": "cert@vigie.test",
                          "VIGIE_GPG_HOME": cls.gpg_home}
        super().setUpClass()
        cls.srv.env["VIGIE_DATA_DIR"] = os.path.join(cls.srv.dir, "data")
        cls.ministry = cls.make_org_c("Ministere X", "ministry", domains=["ministere.example.fr"],
                                      networks=["198.51.100.0/24"],
                                      contacts=[{"email": "alice@ministere.example.fr", "name": "Alice"}])

    @classmethod
    def make_org_c(cls, name, kind, **extra):
        doc = {"name": name, "kind": kind}
        doc.update(extra)
        r = cls.admin.post("/api/v1/orgs", doc)
        assert r.status == 201, r
        return r.json

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.sink.stop()
        subprocess.run(["gpgconf", "--homedir", cls.gpg_home, "--kill", "all"], capture_output=True)
        shutil.rmtree(cls.gpg_home, ignore_errors=True)

    def mailgate(self, raw, env=None, db=None):
        """vigie mailgate with raw bytes on stdin (the corpus is not all UTF-8)."""
        e = dict(self.srv.env)
        if env:
            e.update(env)
        if isinstance(raw, str):
            raw = raw.encode()
        r = subprocess.run([VIGIE, "--db", db or self.srv.db, "--json", "mailgate"], input=raw,
                           capture_output=True, env=e, timeout=120)
        r.stdout = r.stdout.decode("utf-8", "replace")
        r.stderr = r.stderr.decode("utf-8", "replace")
        for marker in SANITIZER_MARKERS:
            if marker in r.stderr:
                raise AssertionError("sanitizer report from vigie mailgate:\n" + r.stderr)
        return r

    def deliver(self, raw, **kw):
        r = self.mailgate(raw, **kw)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def count(self, sql, args=()):
        return self.srv.sql(sql, args)[0][0]

    # ------------------------------------------------------------------

    def test_plain_report_acknowledged(self):
        self.sink.clear()
        res = self.deliver(corpus("01-plain.eml"))
        self.assertTrue(res["created"])
        ref = res["reference"]
        self.assertRegex(ref, r"^VIGIE-\d{4}-\d{6}$")
        frm, rcpts, msg, data = self.sink.find(lambda m: ref in str(m[2]["subject"]))
        self.assertEqual(rcpts, ["alice@ministere.example.fr"])
        self.assertEqual(frm, "cert@vigie.test")
        self.assertEqual(msg["In-Reply-To"], "<plain-1@ministere.example.fr>")
        self.assertEqual(msg["Auto-Submitted"], "auto-replied")
        self.assertIn(ref, msg.get_content())
        self.assertTrue(msg["Message-ID"].endswith("@vigie.test>"))
        # the report: matched to the ministry by the reporter's address, raw kept by hash
        rep = self.admin.get("/api/v1/reports/%d" % res["report_id"]).json
        self.assertEqual(rep["org_id"], self.ministry["id"])
        self.assertEqual(rep["source"], "email")
        self.assertEqual(rep["suggestion"]["decision"], "in_scope")
        sha = rep["raw_sha256"]
        path = os.path.join(self.srv.dir, "data", "mail", sha[:2], sha[2:4], sha)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), corpus("01-plain.eml"))
        self.assertEqual(rep["outbox"][0]["status"], "sent")

    def test_same_message_id_twice_is_one_report(self):
        raw = corpus("02-alternative.eml")
        a = self.deliver(raw)
        n = self.count("SELECT count(*) FROM reports")
        acks = self.count("SELECT count(*) FROM outbox")
        b = self.deliver(raw)
        self.assertTrue(b["duplicate"])
        self.assertEqual(a["report_id"], b["report_id"])
        self.assertEqual(self.count("SELECT count(*) FROM reports"), n)
        self.assertEqual(self.count("SELECT count(*) FROM outbox"), acks)

    def test_message_without_id_is_idempotent_by_content(self):
        raw = corpus("18-no-message-id.eml")
        a = self.deliver(raw)
        b = self.deliver(raw)
        self.assertEqual(a["report_id"], b["report_id"])
        self.assertTrue(b["duplicate"])

    def test_reply_by_in_reply_to_joins_report(self):
        self.sink.clear()
        res = self.deliver(corpus("04-attachments.eml"))
        _, _, ack, _ = self.sink.find(lambda m: res["reference"] in str(m[2]["subject"]))
        reply = ("From: alice@ministere.example.fr\nTo: cert@vigie.test\nSubject: more details\n"
                 "Message-ID: <reply-1@ministere.example.fr>\nIn-Reply-To: %s\n\nThe attacker also used 198.51.100.99.\n"
                 % ack["Message-ID"])
        r = self.deliver(reply)
        self.assertTrue(r["threaded"])
        self.assertFalse(r["created"])
        self.assertEqual(r["report_id"], res["report_id"])
        rep = self.admin.get("/api/v1/reports/%d" % res["report_id"]).json
        self.assertEqual(len(rep["messages"]), 1)
        self.assertIn("198.51.100.99", rep["messages"][0]["body"])
        self.assertEqual(len(rep["attachments"]), 2)
        names = sorted(a.get("filename", "") for a in rep["attachments"])
        self.assertEqual(names, ["access.log", "evil.exe"])
        # the same reply delivered again: nothing new
        r2 = self.deliver(reply)
        self.assertTrue(r2["duplicate"])
        self.assertEqual(len(self.admin.get("/api/v1/reports/%d" % res["report_id"]).json["messages"]), 1)

    def test_reply_by_subject_reference_then_incident_journal(self):
        res = self.deliver(corpus("05-forwarded.eml"))
        ref = res["reference"]
        reply = ("From: alice@ministere.example.fr\nTo: cert@vigie.test\nSubject: Re: [%s] Fwd: Urgent invoice\n"
                 "Message-ID: <reply-2@ministere.example.fr>\n\nAnother user clicked.\n" % ref)
        r = self.deliver(reply)
        self.assertTrue(r["threaded"])
        self.assertEqual(r["report_id"], res["report_id"])
        # the report becomes an incident: later replies go to its journal
        t = self.admin.post("/api/v1/reports/%d/triage" % res["report_id"],
                            {"decision": "new_incident", "incident": {"severity": "high"}})
        self.assertEqual(t.status, 200, t)
        inc = t.json["incident_id"]
        self.assertIsNotNone(inc)
        reply3 = reply.replace("reply-2", "reply-3").replace("Another user clicked.", "Password reset done.")
        r3 = self.deliver(reply3)
        self.assertTrue(r3["threaded"])
        self.assertEqual(r3["incident_id"], inc)
        rows = self.srv.sql("SELECT kind, visible FROM journal WHERE incident_id = ? AND body LIKE ?", (inc, "%Password reset done%"))
        self.assertEqual(rows, [("email_in", 1)])  # a contact of the organisation: shown to the constituent
        # anyone else quoting the reference is recorded, but internal only
        stranger = reply3.replace("alice@ministere.example.fr", "someone@elsewhere.example").replace("reply-3", "reply-4")
        r4 = self.deliver(stranger.replace("Password reset done.", "Stranger text."))
        self.assertEqual(r4["incident_id"], inc)
        rows = self.srv.sql("SELECT visible FROM journal WHERE incident_id = ? AND body LIKE ?", (inc, "%Stranger text%"))
        self.assertEqual(rows, [(0,)])

    def test_corpus_is_always_accepted(self):
        for path in sorted(glob.glob(os.path.join(MAIL, "*.eml"))):
            with open(path, "rb") as f:
                raw = f.read().replace(b"Message-ID: <", b"Message-ID: <corpus-")  # not seen by other tests
            r = self.mailgate(raw)
            self.assertEqual(r.returncode, 0, "%s: %s" % (path, r.stderr))
            res = json.loads(r.stdout)
            self.assertTrue(res["report_id"] or res["incident_id"], path)
        bad = self.srv.sql("SELECT parse_error FROM reports WHERE message_id = ?", ("corpus-broken-1@ministere.example.fr",))
        self.assertTrue(bad and bad[0][0], bad)
        # too many headers: not parsed, kept raw with the reason
        rows = self.srv.sql("SELECT parse_error, raw_sha256, raw_size FROM reports WHERE parse_error LIKE '%header fields%'")
        self.assertTrue(rows)
        sha = rows[0][1]
        self.assertTrue(os.path.exists(os.path.join(self.srv.dir, "data", "mail", sha[:2], sha[2:4], sha)))

    def test_pgp_signed_and_encrypted(self):
        s = self.deliver(corpus("06-signed.eml"))
        rep = self.admin.get("/api/v1/reports/%d" % s["report_id"]).json
        self.assertEqual(rep["signature"]["status"], "valid")
        self.assertEqual(rep["signature"]["fingerprint"], "B74661FF82284455CF47B5BE82E08EDDAD5DA717")
        u = self.deliver(corpus("07-signed-unknown-key.eml"))
        self.assertEqual(self.admin.get("/api/v1/reports/%d" % u["report_id"]).json["signature"]["status"], "unknown_key")
        b = self.deliver(corpus("10-signed-bad.eml"))
        self.assertEqual(self.admin.get("/api/v1/reports/%d" % b["report_id"]).json["signature"]["status"], "invalid")
        e = self.deliver(corpus("09-encrypted-signed.eml"))
        rep = self.admin.get("/api/v1/reports/%d" % e["report_id"]).json
        self.assertTrue(rep["encrypted"])
        self.assertIn("credentials of admin@ministere.example.fr leaked", rep["body"])
        self.assertEqual(rep["signature"]["status"], "valid")

    def test_abuse_reports_matched_by_their_machine_readable_part(self):
        host = self.make_org_c("Hosting Agency", "public_body", networks=["192.0.2.0/24"])
        # X-ARF: the address is only in the JSON attachment
        x = self.deliver(corpus("20-xarf.eml").replace(b"<xarf-1@", b"<xarf-match@"))
        rep = self.admin.get("/api/v1/reports/%d" % x["report_id"]).json
        self.assertNotIn("192.0.2.55", rep["body"])
        self.assertEqual((rep["suggestion"]["decision"], rep["org_id"]), ("in_scope", host["id"]))
        self.assertEqual([a["filename"] for a in rep["attachments"]], ["xarf.json"])
        # ARF (RFC 5965): feedback report part
        a = self.deliver(corpus("21-arf.eml").replace(b"Message-ID: <", b"Message-ID: <arf-match-"))
        rep = self.admin.get("/api/v1/reports/%d" % a["report_id"]).json
        self.assertEqual(rep["org_id"], host["id"])

    def test_signed_acknowledgement(self):
        raw = corpus("01-plain.eml").replace(b"plain-1@", b"plain-signed@")
        res = self.deliver(raw, env={"VIGIE_MAIL_SIGN": "true", "VIGIE_MAIL_SIGN_KEY": "cert@vigie.test"})
        _, _, msg, data = self.sink.find(lambda m: res["reference"] in str(m[2]["subject"]))
        self.assertEqual(msg.get_content_type(), "multipart/signed")
        self.assertEqual(msg.get_param("protocol"), "application/pgp-signature")
        bnd = msg.get_boundary().encode()
        p1 = data.index(b"--" + bnd + b"\r\n") + len(bnd) + 4
        p2 = data.index(b"\r\n--" + bnd + b"\r\n", p1)
        sig = data[data.index(b"-----BEGIN PGP SIGNATURE-----"):data.index(b"-----END PGP SIGNATURE-----") + 27]
        d = tempfile.mkdtemp(prefix="vg-sig-")
        try:
            with open(os.path.join(d, "sig.asc"), "wb") as f:
                f.write(sig)
            with open(os.path.join(d, "part"), "wb") as f:
                f.write(data[p1:p2])
            r = subprocess.run(["gpg", "--homedir", self.gpg_home, "--batch", "--status-fd", "1", "--verify",
                                os.path.join(d, "sig.asc"), os.path.join(d, "part")], capture_output=True, text=True)
            self.assertIn("GOODSIG", r.stdout, r.stderr)
            self.assertIn("0E7A3C00CB642E3AB82CD941C9995BD16C994B4C", r.stdout)
        finally:
            shutil.rmtree(d, ignore_errors=True)
        self.assertIn(res["reference"], msg.get_body(("plain",)).get_content())

    def test_no_acknowledgement_to_bounces(self):
        before = self.count("SELECT count(*) FROM outbox")
        r = self.deliver(corpus("19-bounce.eml"))
        self.assertTrue(r["created"])
        self.assertEqual(self.count("SELECT count(*) FROM outbox"), before)

    def test_tempfail_when_database_unavailable(self):
        raw = corpus("01-plain.eml").replace(b"plain-1@", b"plain-tempfail@")
        r = self.mailgate(raw, db="/nonexistent/dir/v.db")
        self.assertEqual(r.returncode, 75, r.stderr)
        # database locked by another writer: 75 too, then accepted once free
        con = sqlite3.connect(self.srv.db, timeout=10, isolation_level=None)
        con.execute("BEGIN EXCLUSIVE")
        try:
            r = self.mailgate(raw, env={"VIGIE_DB_BUSY_TIMEOUT": "1s"})
            self.assertEqual(r.returncode, 75, r.stderr)
        finally:
            con.execute("ROLLBACK")
            con.close()
        self.assertEqual(self.count("SELECT count(*) FROM reports WHERE message_id = ?", ("plain-tempfail@ministere.example.fr",)), 0)
        res = self.deliver(raw)
        self.assertTrue(res["created"])

    def test_smtp_down_keeps_mail_queued(self):
        raw = corpus("01-plain.eml").replace(b"plain-1@", b"plain-down@")
        res = self.deliver(raw, env={"VIGIE_SMTP_URL": "smtp://127.0.0.1:1"})
        rows = self.srv.sql("SELECT id, status, attempts, last_error FROM outbox WHERE object_type = 'report' AND object_id = ?",
                            (res["report_id"],))
        self.assertEqual(len(rows), 1)
        oid, status, attempts, err = rows[0]
        self.assertEqual((status, attempts), ("queued", 1))
        self.assertIn("SMTP", err)
        # not due yet: a flush leaves it alone; once due, it is delivered
        r = self.srv.cli("--json", "report", "outbox", "--flush", check=True)
        self.assertEqual(self.srv.sql("SELECT status FROM outbox WHERE id = ?", (oid,))[0][0], "queued")
        self.srv.sql("UPDATE outbox SET next_attempt_at = 0 WHERE id = ?", (oid,))
        self.sink.clear()
        r = self.srv.cli("--json", "report", "outbox", "--flush", check=True)
        self.assertGreaterEqual(json.loads(r.stdout)["flush"]["sent"], 1)
        self.assertEqual(self.srv.sql("SELECT status, attempts FROM outbox WHERE id = ?", (oid,))[0], ("sent", 2))
        self.sink.find(lambda m: res["reference"] in str(m[2]["subject"]))

    def test_cli_report_list_show(self):
        res = self.deliver(corpus("03-html-only.eml"))
        r = self.srv.cli("--json", "report", "show", res["reference"], check=True)
        doc = json.loads(r.stdout)
        self.assertIn("Café & crème", doc["body"])
        self.assertNotIn("alert", doc["body"])
        r = self.srv.cli("--json", "report", "list", "--source", "email", check=True)
        self.assertIn(res["reference"], [i["reference"] for i in json.loads(r.stdout)["items"]])
        r = self.srv.cli("report", "show", "VIGIE-1999-000001")
        self.assertEqual(r.returncode, 3, r.stderr)
        # triage from the shell: audited as cli:<user>, referral queued and sent
        r = self.srv.cli("--json", "report", "triage", res["reference"], "--decision", "refer", "--notes", "cli", check=True)
        self.assertEqual(json.loads(r.stdout)["decision"], "refer")
        row = self.srv.sql("SELECT status, decided_by_name FROM reports WHERE id = ?", (res["report_id"],))[0]
        self.assertEqual(row[0], "referred")
        self.assertTrue(row[1].startswith("cli:"))
        self.assertEqual(self.srv.sql("SELECT status FROM outbox WHERE object_id = ? AND purpose = 'referral'",
                                      (res["report_id"],)), [("sent",)])
        r = self.srv.cli("report", "triage", res["reference"], "--decision", "in_scope")
        self.assertEqual(r.returncode, 4, r.stderr)  # already decided: conflict
        r = self.srv.cli("report", "triage", res["reference"], "--decision", "bogus")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertEqual(self.srv.cli("report", "triage", res["reference"]).returncode, 2)  # usage


if __name__ == "__main__":
    unittest.main()
