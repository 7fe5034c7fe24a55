"""`vigie detect` as a syslog receiver, end to end: the real server runs,
`vigie detect` listens on a UDP and a TCP loopback port with a Sigma rule and
the shipped syslog mapping; messages sent over UDP, over TCP (octet counting
and newline framing, two clients at once) and a malformed one; the alerts
appear through /api/v1/alerts with the right fields. Then a SIGHUP reload (a
new rule becomes active; a broken mapping keeps the old rules), the
platform's observables flagged as IOCs (flagged through the API, picked up by
the poll, an alert carrying the indicator and its observable id), a
followed gzip file read again when it grows (new records only), and `vigie
hunt` over a compressed syslog file."""
import gzip
import json
import os
import signal
import socket
import subprocess
import time
import unittest

from harness import ServerTest, VIGIE, SANITIZER_MARKERS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAPPING = os.path.join(ROOT, "etc", "detect", "syslog.yml")
SSHD_ID = "5a1b0c3e-2c63-4f0e-9d1a-6d6b8e2f4a11"
SUDO_ID = "7c2d4e6f-8a9b-4c1d-9e2f-3a4b5c6d7e8f"

SSHD_RULE = """title: Suspicious OpenSSH Daemon Error (test)
id: %s
status: test
author: Florian Roth (Nextron Systems)
tags:
    - attack.initial-access
    - attack.t1190
logsource:
    product: linux
    service: sshd
detection:
    keywords:
        - 'Corrupted MAC on input'
        - 'bad client public DH value'
    condition: keywords
level: medium
""" % SSHD_ID

SUDO_RULE = """title: Sudo shell (test)
id: %s
author: Vigie tests
logsource:
    product: linux
    service: sudo
detection:
    sel:
        message|contains: 'COMMAND=/bin/sh'
    condition: sel
level: high
""" % SUDO_ID


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class DetectSyslogTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        d = cls.srv.dir
        cls.rules = os.path.join(d, "rules")
        os.makedirs(cls.rules)
        with open(os.path.join(cls.rules, "sshd.yml"), "w") as f:
            f.write(SSHD_RULE)
        cls.mapping = os.path.join(d, "syslog.yml")
        with open(MAPPING) as f:
            cls.mapping_text = f.read()
        with open(cls.mapping, "w") as f:
            f.write(cls.mapping_text)
        cls.fields = os.path.join(d, "ioc-fields.yml")
        with open(cls.fields, "w") as f:
            f.write("fields:\n  hostname: domain\n  sd.origin.ip: ip\n")
        cls.udp, cls.tcp = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
        cls.expect = {"malformed": 0, "reloads": 0, "failures": 0}
        cls.errpath = os.path.join(d, "detect.err")
        cls.errf = open(cls.errpath, "w")
        cls.det = subprocess.Popen(
            [VIGIE, "--db", cls.srv.db, "--json", "detect", "-r", cls.rules, "--mapping", cls.mapping,
             "--syslog-udp", str(cls.udp), "--syslog-tcp", "127.0.0.1:%d" % cls.tcp, "--flush-ms", "200",
             "--platform-iocs", "--ioc-fields", cls.fields, "--ioc-poll", "1"],
            stdout=subprocess.PIPE, stderr=cls.errf, env=cls.srv.env, text=True)
        deadline = time.time() + 30
        while time.time() < deadline:  # the TCP listener is up when it accepts
            try:
                socket.create_connection(("127.0.0.1", cls.tcp), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)

    @classmethod
    def tearDownClass(cls):
        if cls.det.poll() is None:
            cls.det.send_signal(signal.SIGTERM)
        out, _ = cls.det.communicate(timeout=30)
        cls.errf.close()
        err = open(cls.errpath, encoding="utf-8", errors="replace").read()
        super().tearDownClass()
        for m in SANITIZER_MARKERS:
            assert m not in err, err[-4000:]
        assert cls.det.returncode == 0, err[-3000:]
        summary = json.loads(out.strip().splitlines()[-1])
        want = cls.expect  # what the tests that ran caused
        assert summary["syslog_malformed"] >= want["malformed"], (summary, want)
        assert summary["reloads"] >= want["reloads"] and summary["reload_failures"] >= want["failures"], (summary, want)

    def err(self):
        with open(self.errpath, encoding="utf-8", errors="replace") as f:
            return f.read()

    def send_udp(self, msg):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(msg.encode(), ("127.0.0.1", self.udp))
        s.close()

    def alerts(self, **q):
        qs = "&".join("%s=%s" % kv for kv in q.items())
        r = self.admin.get("/api/v1/alerts" + ("?" + qs if qs else ""))
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    def wait_for(self, cond, timeout=20, what="condition"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = cond()
            if v:
                return v
            time.sleep(0.2)
        self.fail("%s not met in %ds; detect stderr:\n%s" % (what, timeout, self.err()[-2000:]))

    def host_alert(self, host):
        def find():
            for a in self.alerts(limit=200):
                d = self.admin.get("/api/v1/alerts/%d" % a["id"]).json
                if d["event"].get("hostname") == host:
                    return d
            return None
        return self.wait_for(find, what="an alert for " + host)

    def test_1_udp_and_tcp(self):
        self.send_udp("<38>Nov 27 10:00:00 udp-host sshd[77]: Corrupted MAC on input. [preauth]")
        self.send_udp("<999>not a syslog message")
        m1 = ('<38>1 2026-11-27T10:00:00.5Z tcp-host sshd 12 - [meta@32473 k="v \\"q\\""] '
              'Corrupted MAC on input').encode()
        a = socket.create_connection(("127.0.0.1", self.tcp))
        b = socket.create_connection(("127.0.0.1", self.tcp))
        a.sendall(b"%d %s" % (len(m1), m1[:20]))  # a frame in two writes, another client in between
        b.sendall(b"<38>Nov 27 10:00:01 tcp-host2 sshd[1]: bad client public DH value\n")
        time.sleep(0.3)
        a.sendall(m1[20:] + b"<13>Nov 27 10:00:02 tcp-host sshd[2]: nothing to see\n")
        b.sendall(b"99999999999 junk\n")
        a.close()
        b.close()
        udp = self.host_alert("udp-host")
        self.assertEqual(udp["rule_id"], SSHD_ID)
        self.assertEqual((udp["level"], udp["severity"], udp["status"]), ("medium", "medium", "new"))
        self.assertEqual(udp["author"], "Florian Roth (Nextron Systems)")
        self.assertIn("attack.t1190", udp["tags"])
        ev = udp["event"]
        self.assertEqual((ev["appname"], ev["procid"], ev["facility"], ev["severity"]), ("sshd", "77", "auth", "info"))
        self.assertEqual(ev["source_ip"], "127.0.0.1")
        self.assertEqual(ev["syslog_format"], "rfc3164")
        self.assertIn("Corrupted MAC on input", ev["message"])
        self.assertEqual(udp["matched"][0]["field"], "message")
        tcp = self.host_alert("tcp-host")
        self.assertEqual(tcp["event"]["syslog_format"], "rfc5424")
        self.assertEqual(tcp["event"]["timestamp"], "2026-11-27T10:00:00.5Z")
        self.assertEqual(tcp["event"]["sd"]["meta@32473"]["k"], 'v "q"')
        self.assertEqual(self.host_alert("tcp-host2")["rule_id"], SSHD_ID)
        # the non-matching line made no alert; the malformed ones are reported, not fatal
        self.assertEqual(len([x for x in self.alerts(rule=SSHD_ID)]), 3)
        err = self.err()
        self.assertIn("udp:127.0.0.1:%d" % self.udp, err)
        self.assertIn("pri", err)
        self.assertIn("frame", err)
        self.assertIsNone(self.det.poll())
        self.expect["malformed"] += 2

    def test_2_sighup_reload(self):
        sudo = "<86>Nov 27 11:00:00 %s sudo: alice : TTY=pts/0 ; COMMAND=/bin/sh"
        self.send_udp(sudo % "before-reload")
        time.sleep(1.0)
        self.assertEqual(self.alerts(rule=SUDO_ID), [])
        with open(os.path.join(self.rules, "sudo.yml"), "w") as f:
            f.write(SUDO_RULE)
        self.det.send_signal(signal.SIGHUP)
        self.wait_for(lambda: "reloaded (SIGHUP)" in self.err(), what="the reload")
        self.send_udp(sudo % "after-reload")
        al = self.host_alert("after-reload")
        self.assertEqual((al["rule_id"], al["severity"]), (SUDO_ID, "high"))
        self.assertEqual(al["event"]["facility"], "authpriv")
        # a broken mapping: the reload fails, the rules in use stay
        with open(self.mapping, "w") as f:
            f.write("logsources: [this is not: a mapping\n")
        self.det.send_signal(signal.SIGHUP)
        self.wait_for(lambda: "reload (SIGHUP) failed" in self.err(), what="the failed reload")
        self.send_udp(sudo % "after-failed-reload")
        self.assertEqual(self.host_alert("after-failed-reload")["rule_id"], SUDO_ID)
        with open(self.mapping, "w") as f:
            f.write(self.mapping_text)
        self.assertIsNone(self.det.poll())
        self.expect["reloads"] += 1
        self.expect["failures"] += 1

    def test_3_platform_iocs(self):
        inc = self.admin.post("/api/v1/incidents", {"title": "C2 infrastructure"})
        self.assertEqual(inc.status, 201, inc)
        r = self.admin.post("/api/v1/incidents/%d/observables" % inc.json["id"],
                            {"observables": [{"type": "domain", "value": "c2.evil-corp.net"}]})
        self.assertIn(r.status, (200, 201), r)
        oid = self.srv.sql("SELECT id FROM observables WHERE value = 'c2.evil-corp.net'")[0][0]
        msg = "<14>Nov 27 12:00:00 c2.evil-corp.net beacon[9]: hello %d"
        # not flagged yet: no IOC alert
        self.send_udp(msg % 0)
        time.sleep(1.5)
        self.assertEqual(self.alerts(rule="ioc:observable:%d" % oid), [])
        r = self.admin.patch("/api/v1/observables/%d" % oid, {"ioc": True})
        self.assertEqual(r.status, 200, r)
        self.wait_for(lambda: "platform IOCs changed" in self.err(), what="the IOC reload")
        self.send_udp(msg % 1)
        items = self.wait_for(lambda: self.alerts(rule="ioc:observable:%d" % oid), what="the IOC alert")
        self.assertEqual(len(items), 1)
        al = self.admin.get("/api/v1/alerts/%d" % items[0]["id"]).json
        self.assertEqual(al["title"], "IOC domain c2.evil-corp.net")
        self.assertEqual((al["severity"], al["level"]), ("high", ""))
        m = al["matched"][0]
        self.assertEqual((m["indicator"], m["type"], m["observable_id"], m["field"], m["value"], m["source"]),
                         ("c2.evil-corp.net", "domain", oid, "hostname", "c2.evil-corp.net", "platform"))
        self.assertEqual(al["event"]["message"], "hello 1")
        # marked common: dropped from the set at the next poll
        r = self.admin.patch("/api/v1/observables/%d" % oid, {"common": True, "common_reason": "sinkholed"})
        self.assertEqual(r.status, 200, r)
        self.wait_for(lambda: self.err().count("platform IOCs changed") >= 2, what="the second IOC reload")
        self.expect["reloads"] += 2
        before = self.alerts(rule="ioc:observable:%d" % oid)[0]["count"]
        self.send_udp(msg % 2)
        time.sleep(1.5)
        self.assertEqual(self.alerts(rule="ioc:observable:%d" % oid)[0]["count"], before)

    def test_4_follow_gzip(self):
        path = os.path.join(self.srv.dir, "auth.log.gz")
        with gzip.open(path, "at") as f:
            f.write("Nov 27 13:00:00 gz-old sshd[1]: Corrupted MAC on input\n")
        p = subprocess.Popen([VIGIE, "--db", self.srv.db, "--json", "detect", "-r", self.rules, "--mapping",
                              MAPPING, "--follow", path, "--from-start", "--flush-ms", "200"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.srv.env, text=True)
        try:
            self.host_alert("gz-old")
            with gzip.open(path, "at") as f:  # a new gzip member
                f.write("Nov 27 13:00:01 gz-new sshd[2]: Corrupted MAC on input\n")
            self.host_alert("gz-new")
            time.sleep(1.0)
            os.utime(path)  # touched, not grown: nothing read again
            time.sleep(1.0)
        finally:
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=30)
        for m in SANITIZER_MARKERS:
            self.assertNotIn(m, err)
        self.assertEqual(p.returncode, 0, err)
        s = json.loads(out.strip().splitlines()[-1])
        # each record once: the old line was not read again with the new member, nor after the touch
        self.assertEqual((s["events"], s["hits"], s["errors"]), (2, 2, 0), s)
        self.assertEqual(self.srv.sql("SELECT count FROM alerts WHERE event LIKE '%gz-old%'"), [(1,)])

    def test_5_hunt_reads_syslog(self):
        # vigie hunt takes syslog files (detected from the first line), compressed too
        path = os.path.join(self.srv.dir, "syslog.1.gz")
        with gzip.open(path, "wt") as f:
            f.write("Nov 26 08:00:00 web1 sshd[5]: Accepted publickey for alice\n"
                    "<38>1 2026-11-26T08:00:01Z web1 sshd 6 - - Corrupted MAC on input\n"
                    "<38>1 2026-11-26T08:00:02Z web1 sshd 6 - [unterminated\n")
        r = self.srv.cli("hunt", "-r", os.path.join(self.rules, "sshd.yml"), "--mapping", MAPPING,
                         "--format", "jsonl", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        hits = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
        self.assertEqual(len(hits), 1, r.stdout)
        self.assertEqual((hits[0]["rule"]["id"], hits[0]["record"]), (SSHD_ID, 2))
        self.assertEqual(hits[0]["event"]["syslog_format"], "rfc5424")
        self.assertIn(":3: structured_data", r.stderr)


if __name__ == "__main__":
    unittest.main()
