"""vigie hunt with indicator sets (-i): plain lists, CSV, MISP and STIX files
over EVE and Sysmon JSON, alone and next to Sigma rules (-r); Sigma
correlation rules over a JSON-lines file; the output formats (JSON lines,
CSV, table) with the rule's metadata and the matched fields, over gzip and
zstd files of a folder and standard input; a SigmaHQ EVTX sample and its JSON
rendering; the closing summary; the progress line on a pseudo-terminal;
`vigie rules check` on a folder of good and bad rules."""
import csv
import gzip
import io
import json
import os
import pty
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import VIGIE, base_env

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIELDS = os.path.join(ROOT, "etc", "detect", "ioc-fields.yml")
SHARED = os.environ.get("VIGIE_SHARED", "/work/shared")


def clean_env(extra=None):
    env = base_env(extra)
    # vigie reads VIGIE_* variables as configuration keys and refuses unknown
    # ones: the test data's location is for this file only
    env.pop("VIGIE_SHARED", None)
    env.pop("VIGIE_SOURCE_ROOT", None)
    return env


EVE = [
    {"event_type": "dns", "src_ip": "10.0.0.5", "dest_ip": "10.0.0.1", "dns": {"type": "query", "rrname": "www.c2.example.net", "rrtype": "A"}},
    {"event_type": "http", "src_ip": "10.0.0.5", "dest_ip": "203.0.113.10", "http": {"hostname": "c2.example.net", "url": "/gate.php", "http_method": "GET"}},
    {"event_type": "flow", "src_ip": "10.0.0.5", "dest_ip": "198.51.100.77"},
    {"event_type": "fileinfo", "src_ip": "10.0.0.5", "dest_ip": "192.0.2.1", "fileinfo": {"filename": "/x", "sha256": "AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F"}},
    {"event_type": "flow", "src_ip": "10.9.9.9", "dest_ip": "192.0.2.200"},
]
SYSMON = {"Event": {"System": {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational"},
                    "EventData": {"Image": "C:\\Temp\\x.exe", "CommandLine": "x.exe",
                                  "Hashes": "SHA1=DA39A3EE5E6B4B0D3255BFEF95601890AFD80709,MD5=0123456789ABCDEF0123456789ABCDEF,IMPHASH=00000000000000000000000000000000"}}}


def hunt(*args):
    return subprocess.run([VIGIE, "hunt", "--ioc-fields", FIELDS, "--format", "jsonl"] + list(args),
                          capture_output=True, text=True, env=clean_env(), timeout=120)


class HuntIocTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vg-hunt-")
        cls.eve = os.path.join(cls.dir, "eve.json")
        with open(cls.eve, "w") as f:
            for e in EVE:
                f.write(json.dumps(e) + "\n")
        cls.sysmon = os.path.join(cls.dir, "sysmon.json")
        with open(cls.sysmon, "w") as f:
            f.write(json.dumps(SYSMON) + "\n")
        cls.list = os.path.join(cls.dir, "iocs.txt")
        with open(cls.list, "w") as f:
            f.write("# test list\n198.51.100.0/24\n198.51.100.77\nthis is not an indicator\n"
                    "0123456789abcdef0123456789abcdef\n")

    def hits(self, r):
        self.assertEqual(r.returncode, 0, r.stderr)
        return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]

    def test_list_alone(self):
        r = hunt("-i", self.list, self.eve, self.sysmon)
        hits = self.hits(r)
        self.assertIn("iocs.txt:4: value: cannot guess the type", r.stderr)
        self.assertIn("3 indicators loaded", r.stderr)
        by_value = {h["ioc"]["value"]: h for h in hits}
        # exact address wins over the /24 (longest match)
        self.assertEqual(set(by_value), {"198.51.100.77", "0123456789abcdef0123456789abcdef"})
        h = by_value["198.51.100.77"]
        self.assertEqual((h["ioc"]["type"], h["ioc"]["line"], h["record"]), ("ip", 3, 3))
        self.assertEqual(h["matched"], {"dest_ip": "198.51.100.77"})
        self.assertTrue(h["ioc"]["file"].endswith("iocs.txt"))
        self.assertEqual(by_value["0123456789abcdef0123456789abcdef"]["ioc"]["type"], "md5")

    def test_stix_and_misp(self):
        stix = os.path.join(SHARED, "data/sharing/stix/samples/cert-sample-bundle.json")
        if not os.path.exists(stix):
            self.skipTest("no shared STIX samples")
        r = hunt("-i", stix, self.eve)
        hits = self.hits(r)
        got = sorted((h["record"], h["ioc"]["type"], list(h["matched"])[0]) for h in hits)
        # domain (and its subdomain), the URL rebuilt from hostname + path, the IP;
        # the AND indicator needs an e-mail in the same event: no hit
        self.assertEqual(got, [(1, "domain", "dns.rrname"), (2, "domain", "http.hostname"), (2, "ip", "dest_ip"),
                               (2, "url", "http.url")])
        self.assertTrue(all(h["ioc"]["id"].startswith("indicator--") for h in hits))

    def test_csv_and_rules_together(self):
        csv = os.path.join(self.dir, "iocs.csv")
        with open(csv, "w") as f:
            f.write("uuid,type,value\nu-1,sha256,aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f\n"
                    "u-2,ip-dst,192.0.2.0/24\nu-3,colour,blue\n")
        rule = os.path.join(self.dir, "rule.yml")
        with open(rule, "w") as f:
            f.write("title: Flow seen\nid: 5e0a2b7c-0000-4000-8000-000000000001\nlogsource: {product: test}\n"
                    "detection:\n  sel:\n    event_type: flow\n  condition: sel\nlevel: low\n")
        r = hunt("-r", rule, "-i", csv, self.eve)
        hits = self.hits(r)
        self.assertIn("iocs.csv:4: type: unknown indicator type", r.stderr)
        rules = [h for h in hits if "rule" in h]
        iocs = [h for h in hits if "ioc" in h]
        self.assertEqual(len(rules), 2)
        self.assertEqual(sorted((h["record"], h["ioc"]["id"]) for h in iocs),
                         [(4, "u-1"), (4, "u-2"), (5, "u-2")])

    def test_sysmon_hashes_with_mapping(self):
        r = hunt("-m", os.path.join(ROOT, "etc/detect/windows.yml"), "-i", self.list, self.sysmon)
        hits = self.hits(r)
        self.assertEqual(len(hits), 1, r.stdout)
        self.assertEqual(hits[0]["ioc"]["type"], "md5")
        self.assertIn("MD5=0123456789ABCDEF0123456789ABCDEF", list(hits[0]["matched"].values())[0])

    def test_errors(self):
        r = subprocess.run([VIGIE, "hunt", self.eve], capture_output=True, text=True, env=clean_env(), timeout=60)
        self.assertEqual(r.returncode, 2)
        r = hunt("-i", os.path.join(self.dir, "missing.txt"), self.eve)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cannot read indicators", r.stderr)
        r = hunt("--ioc-type", "colour", "-i", self.list, self.eve)
        self.assertEqual(r.returncode, 2)

    def test_batched_equals_one_at_a_time(self):
        """With indicators and no rules, events are matched in batches of 16;
        with a rule loaded, one at a time. Both must write the same IOC hits
        (record numbers, matched fields, the event), in the same order, with
        any number of threads, across bad lines and an EVTX file in between."""
        big = os.path.join(self.dir, "big.json")
        with open(big, "w") as f:
            for i in range(203):
                if i % 37 == 5:
                    f.write('{"event_type": "dns", "dns": }\n')  # a bad record
                    continue
                e = {"event_type": "dns", "src_ip": "10.0.%d.%d" % (i % 7, i % 250),
                     "dest_ip": "198.51.100.%d" % (i % 256) if i % 3 == 0 else "192.0.2.%d" % (i % 256),
                     "dns": {"rrname": "h%d.www.c2.example.net" % i if i % 5 == 0 else "h%d.benign.example" % i}}
                if i % 11 == 0:
                    e["fileinfo"] = {"sha256": "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"}
                f.write(json.dumps(e) + (" \r\n" if i % 13 == 0 else "\n"))
        lst = os.path.join(self.dir, "batch-iocs.txt")
        with open(lst, "w") as f:
            f.write("198.51.100.0/24\n198.51.100.77\nc2.example.net\n"
                    "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f\n")
        never = os.path.join(self.dir, "never.yml")
        with open(never, "w") as f:
            f.write("title: Never\nid: 5e0a2b7c-0000-4000-8000-0000000000ff\nlogsource: {product: test}\n"
                    "detection:\n  sel:\n    event_type: nothing-like-this\n  condition: sel\nlevel: low\n")
        inputs = [big, self.eve]
        index = os.path.join(SHARED, "data/sigma/regression/index.tsv")
        if os.path.exists(index):  # an EVTX file between two JSON files: its records are matched one by one
            with open(index) as f:
                rows = [l.rstrip("\n").split("\t") for l in f]
            row = dict(zip(rows[0], rows[1]))
            inputs = [big, os.path.join(SHARED, "data/sigma", row["evtx_path"]), self.eve]
        ioc_lines = lambda r: [l for l in r.stdout.splitlines() if l.startswith('{"ioc"')]
        batched = hunt("--threads", "1", "-i", lst, *inputs)
        self.assertEqual(batched.returncode, 0, batched.stderr)
        one = hunt("--threads", "1", "-r", never, "-i", lst, *inputs)
        self.assertEqual(one.returncode, 0, one.stderr)
        self.assertEqual(ioc_lines(batched), ioc_lines(one))
        good = [i for i in range(203) if i % 37 != 5]
        expected = sum((i % 3 == 0) + (i % 5 == 0) + (i % 11 == 0) for i in good) + 4  # + eve.json's 4
        self.assertEqual(len(ioc_lines(batched)), expected)
        self.assertIn("big.json#6:", batched.stderr)  # the bad record, named as before
        two = hunt("--threads", "2", "-i", lst, *inputs)
        self.assertEqual(sorted(ioc_lines(two)), sorted(ioc_lines(batched)))  # files may finish in any order
        first = json.loads(ioc_lines(batched)[0])
        self.assertEqual(first["record"], 1)
        self.assertEqual(first["event"], json.loads(open(big).readline()))


CORR_RULES = """title: Failed logon
id: 11111111-0000-4000-8000-000000000001
name: failed_login
logsource: {product: test}
detection:
  sel:
    EventID: 4625
  condition: sel
level: low
---
title: Brute force on one account
id: 22222222-0000-4000-8000-000000000002
author: Vigie tests
level: high
tags: [attack.t1110]
correlation:
  type: event_count
  rules: [failed_login]
  group-by: [User]
  timespan: 5m
  condition:
    gte: 3
"""


class HuntCorrelationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vg-hunt-corr-")
        cls.rules = os.path.join(cls.dir, "corr.yml")
        with open(cls.rules, "w") as f:
            f.write(CORR_RULES)
        cls.map = os.path.join(cls.dir, "map.yml")
        with open(cls.map, "w") as f:
            f.write("timestamp: [timestamp]\n")
        cls.events = os.path.join(cls.dir, "logons.json")
        with open(cls.events, "w") as f:
            # bob: 4 failures in 2 minutes, then 1 an hour later; eve: 2; one success
            for sec, user, eid in [(0, "bob", 4625), (30, "bob", 4625), (40, "eve", 4625), (60, "bob", 4625),
                                   (70, "bob", 4624), (90, "bob", 4625), (100, "eve", 4625), (3700, "bob", 4625)]:
                f.write(json.dumps({"timestamp": "2025-01-01T%02d:%02d:%02d.250+01:00" % (1 + sec // 3600, sec // 60 % 60, sec % 60),
                                    "EventID": eid, "User": user}) + "\n")

    def test_event_count_json(self):
        r = hunt("-m", self.map, "-r", self.rules, "--threads", "2", self.events)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        corr = [l["correlation"] for l in lines if "correlation" in l]
        # the base rule is referenced only by the correlation (generate: false): no own hits
        self.assertEqual([l for l in lines if "rule" in l], [])
        self.assertEqual(len(corr), 1, r.stdout)
        c = corr[0]
        self.assertEqual(c["id"], "22222222-0000-4000-8000-000000000002")
        self.assertEqual((c["title"], c["level"], c["author"], c["tags"]),
                         ("Brute force on one account", "high", "Vigie tests", ["attack.t1110"]))
        self.assertEqual(c["type"], "event_count")
        self.assertEqual(c["group"], {"User": "bob"})
        self.assertEqual(c["count"], 3)
        self.assertEqual(c["value"], 3)
        self.assertEqual((c["first"], c["last"]), ("2025-01-01T00:00:00.250Z", "2025-01-01T00:01:00.250Z"))
        self.assertEqual(c["rules"], ["11111111-0000-4000-8000-000000000001"])
        self.assertIn("1 correlation rules (0 cannot run)", r.stderr)
        self.assertIn("1 correlation hits", r.stderr)

    def test_csv_and_table(self):
        r = subprocess.run([VIGIE, "hunt", "-m", self.map, "-r", self.rules, "--format", "csv", self.events],
                           capture_output=True, text=True, env=clean_env(), timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [l for l in r.stdout.splitlines() if "correlation:event_count" in l]
        self.assertEqual(len(rows), 1)
        self.assertIn(",3,\"User=bob; value=3;", rows[0])
        r = subprocess.run([VIGIE, "hunt", "-m", self.map, "-r", self.rules, "--format", "table", self.events],
                           capture_output=True, text=True, env=clean_env(), timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("correlation event_count", r.stdout)
        self.assertIn("User: bob", r.stdout)
        self.assertIn("1 correlation hits", r.stdout)

    def test_same_result_with_any_thread_count(self):
        # hits reach the correlation state batch by batch in input order
        path = os.path.join(self.dir, "many.json")
        with open(path, "w") as f:
            for i in range(6000):
                f.write(json.dumps({"timestamp": "2025-01-01T00:%02d:%02d.%03dZ" % (i // 600 % 60, i // 10 % 60, i % 10 * 100),
                                    "EventID": 4625 if i % 3 else 4624, "User": "u%d" % (i * 7919 % 40)}) + "\n")
        out = []
        for threads in ("1", "2", "3"):
            r = hunt("-m", self.map, "-r", self.rules, "--threads", threads, path)
            self.assertEqual(r.returncode, 0, r.stderr)
            out.append(sorted(l for l in r.stdout.splitlines() if '"correlation"' in l))
        self.assertGreater(len(out[0]), 100)
        self.assertEqual(out[0], out[1])
        self.assertEqual(out[0], out[2])

    def test_generate_true_and_rules_check(self):
        rules = os.path.join(self.dir, "gen.yml")
        with open(rules, "w") as f:
            f.write(CORR_RULES.replace("correlation:\n", "generate: true\ncorrelation:\n"))
        r = hunt("-m", self.map, "-r", rules, self.events)
        lines = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        self.assertEqual(len([l for l in lines if "rule" in l]), 7)
        self.assertEqual(len([l for l in lines if "correlation" in l]), 1)
        bad = os.path.join(self.dir, "bad.yml")
        with open(bad, "w") as f:
            f.write(CORR_RULES.replace("rules: [failed_login]", "rules: [no_such_rule]"))
        r = subprocess.run([VIGIE, "rules", "check", bad], capture_output=True, text=True, env=clean_env(), timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("bad.yml:18: correlation.rules: unknown rule 'no_such_rule'", r.stderr)
        self.assertIn("1 correlations (1 cannot run)", r.stdout)


# ---- output formats, inputs and summary of `vigie hunt`, `vigie rules check` ----

OUT_RULES = r"""title: Encoded PowerShell
id: 0d7e0000-0000-4000-8000-0000000000e1
status: test
author: Vigie tests (H7)
tags: [attack.execution, attack.t1059.001]
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\powershell.exe'
    CommandLine|contains: ' -enc '
  condition: sel
level: high
---
title: Whoami
id: 0d7e0000-0000-4000-8000-0000000000e2
author: Someone, Other
tags: [attack.discovery, attack.t1033]
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\whoami.exe'
  condition: sel
level: medium
"""
PS = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
WHOAMI = "C:\\Windows\\System32\\whoami.exe"
R1 = {"id": "0d7e0000-0000-4000-8000-0000000000e1", "title": "Encoded PowerShell", "level": "high",
      "author": "Vigie tests (H7)", "tags": ["attack.execution", "attack.t1059.001"]}
R2 = {"id": "0d7e0000-0000-4000-8000-0000000000e2", "title": "Whoami", "level": "medium",
      "author": "Someone, Other", "tags": ["attack.discovery", "attack.t1033"]}


def ev(image, cmd, host):
    return {"Image": image, "CommandLine": cmd, "Computer": host}



class HuntOutputTest(unittest.TestCase):
    """Every output format over gzip and zstd files found recursively in a
    folder plus standard input, in one run."""

    STDIN = (json.dumps(ev("C:\\x\\powershell.exe", "powershell -enc AAAA", "ws3")) + "\n" +
             json.dumps(ev("C:\\x\\cmd.exe", "cmd", "ws3")) + "\n")

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vg-hunt-out-")
        cls.rules = os.path.join(cls.dir, "rules.yml")
        with open(cls.rules, "w") as f:
            f.write(OUT_RULES)
        # a mapping without routes: no routing, and the installed mappings stay out
        cls.map = os.path.join(cls.dir, "none.yml")
        with open(cls.map, "w") as f:
            f.write("title: no routes (tests)\n")
        cls.tree = os.path.join(cls.dir, "tree")
        os.makedirs(os.path.join(cls.tree, "a"))
        os.makedirs(os.path.join(cls.tree, "b", "c"))
        cls.gz = os.path.join(cls.tree, "a", "x.json.gz")
        with gzip.open(cls.gz, "wt") as f:   # JSON lines: hit R1, hit R2, nothing
            for e in [ev(PS, "powershell.exe -nop -enc SQBFAFgA", "ws1"), ev(WHOAMI, "whoami /all", "ws1"),
                      ev("C:\\Windows\\notepad.exe", "notepad a.txt", "ws1")]:
                f.write(json.dumps(e) + "\n")
        # concatenated, pretty-printed JSON objects: hit R2, nothing
        cls.concat = "".join(json.dumps(e, indent=2) for e in [ev(WHOAMI, "whoami", "ws2"),
                                                               ev("C:\\Windows\\calc.exe", "calc", "ws2")])
        cls.zst = os.path.join(cls.tree, "b", "c", "y.json.zst")
        cls.have_zstd = shutil.which("zstd") is not None
        if cls.have_zstd:
            subprocess.run(["zstd", "-q", "-f", "-o", cls.zst], input=cls.concat.encode(), check=True)

    def hunt(self, *args, fmt="jsonl", threads="2"):
        cmd = [VIGIE, "hunt", "-m", self.map, "-r", self.rules, "--threads", threads]
        if fmt:
            cmd += ["--format", fmt]
        r = subprocess.run(cmd + list(args), capture_output=True, text=True, env=clean_env(), input=self.STDIN,
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def test_jsonl_folder_and_stdin(self):
        if not self.have_zstd:
            self.skipTest("no zstd command to make the .zst input")
        r = self.hunt(self.tree, "-")
        hits = sorted((json.loads(l) for l in r.stdout.splitlines()), key=lambda h: (h["source"], h["record"]))
        self.assertEqual([(h["source"], h["record"], h["rule"]["id"]) for h in hits],
                         [("-", 1, R1["id"]), (self.gz, 1, R1["id"]), (self.gz, 2, R2["id"]), (self.zst, 1, R2["id"])])
        for h in hits:
            want = R1 if h["rule"]["id"] == R1["id"] else R2
            self.assertEqual({k: h["rule"][k] for k in want}, want)
            self.assertEqual(h["rule"]["file"], self.rules)
        # matched: exactly the fields of the selection, with the event's values
        self.assertEqual(hits[1]["matched"], {"Image": PS, "CommandLine": "powershell.exe -nop -enc SQBFAFgA"})
        self.assertEqual(hits[2]["matched"], {"Image": WHOAMI})
        self.assertEqual(hits[0]["matched"], {"Image": "C:\\x\\powershell.exe", "CommandLine": "powershell -enc AAAA"})
        # the event travels with the hit (one line even for the pretty-printed object)
        self.assertEqual(hits[3]["event"], ev(WHOAMI, "whoami", "ws2"))
        self.assertEqual(hits[1]["event"]["Computer"], "ws1")
        # summary on stderr: events from the three sources, hits by level and by rule
        self.assertIn("vigie: 2 rules loaded (2 active for the mappings), 0 rejected, 0 warnings", r.stderr)
        self.assertRegex(r.stderr, r"\n7 events read \(0 unreadable\) from 3 files, [0-9.]+ MB in [0-9.]+ s "
                                   r"\([0-9]+ events/s, 2 threads\)\n")
        self.assertIn("\n4 hits: high 2 medium 2\n", r.stderr)
        self.assertIn("\n         2  high          Encoded PowerShell (%s)\n" % R1["id"], r.stderr)
        self.assertIn("\n         2  medium        Whoami (%s)\n" % R2["id"], r.stderr)

    def test_default_format_on_a_pipe_is_jsonl(self):
        r = self.hunt(self.gz, fmt=None)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 2)
        self.assertEqual([json.loads(l)["rule"]["title"] for l in sorted(lines)], ["Encoded PowerShell", "Whoami"])
        self.assertNotIn("hits:", r.stdout)   # the summary goes to stderr
        self.assertIn("2 hits: high 1 medium 1", r.stderr)

    def test_csv(self):
        r = self.hunt(self.gz, fmt="csv", threads="1")
        rows = list(csv.reader(io.StringIO(r.stdout)))
        self.assertEqual(rows[0], ["rule_id", "title", "level", "author", "tags", "source", "record", "matched"])
        self.assertEqual(sorted(rows[1:]), [
            [R1["id"], "Encoded PowerShell", "high", "Vigie tests (H7)", "attack.execution attack.t1059.001", self.gz,
             "1", "Image=%s; CommandLine=powershell.exe -nop -enc SQBFAFgA" % PS],
            [R2["id"], "Whoami", "medium", "Someone, Other", "attack.discovery attack.t1033", self.gz, "2",
             "Image=" + WHOAMI],
        ])
        self.assertIn("2 hits: high 1 medium 1", r.stderr)

    def test_table(self):
        r = self.hunt(self.gz, fmt="table", threads="1")
        out = r.stdout
        self.assertTrue(out.startswith(
            "high     %-60s x.json.gz:1\n"
            "         Image: %s\n"
            "         CommandLine: powershell.exe -nop -enc SQBFAFgA\n"
            "         rule %s by Vigie tests (H7)\n"
            "medium   %-60s x.json.gz:2\n"
            "         Image: %s\n"
            "         rule %s by Someone, Other\n\n" % ("Encoded PowerShell", PS, R1["id"], "Whoami", WHOAMI, R2["id"])),
            out)
        # the summary follows the hits on standard output
        self.assertRegex(out, r"\n3 events read \(0 unreadable\) from 1 files, .*\(.* events/s, 1 threads\)\n"
                              r"2 hits: high 1 medium 1\n"
                              r"         1  high          Encoded PowerShell \(%s\)\n"
                              r"         1  medium        Whoami \(%s\)\n$" % (R1["id"], R2["id"]))
        self.assertNotIn("events read", r.stderr)

    def test_concatenated_objects_plain(self):
        path = os.path.join(self.dir, "concat.json")
        with open(path, "w") as f:
            f.write(self.concat + "\n" + json.dumps(ev(PS, "powershell -enc Zm9v", "ws4")))
        r = self.hunt(path, threads="1")
        hits = [json.loads(l) for l in r.stdout.splitlines()]
        self.assertEqual([(h["record"], h["rule"]["id"]) for h in hits], [(1, R2["id"]), (3, R1["id"])])
        self.assertIn("\n3 events read (0 unreadable) from 1 files", r.stderr)

    def test_quiet_has_no_summary(self):
        cmd = [VIGIE, "--quiet", "hunt", "-m", self.map, "-r", self.rules, self.gz]
        r = subprocess.run(cmd, capture_output=True, text=True, env=clean_env(), timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(r.stdout.splitlines()), 2)
        self.assertEqual(r.stderr, "")


def rule_meta(path):
    """id, title, level, author and tags of a SigmaHQ rule file (top-level keys)."""
    with open(path) as f:
        text = f.read()
    meta = {k: re.search(r"^%s: *(.*)$" % k, text, re.M).group(1).strip().strip("'\"")
            for k in ("id", "title", "level", "author")}
    block = re.search(r"^tags:\n((?:[ \t]+- .*\n)+)", text, re.M)
    meta["tags"] = [t.strip()[2:].strip() for t in block.group(1).splitlines()] if block else []
    return meta


class HuntEvtxTest(unittest.TestCase):
    """A SigmaHQ regression sample: the EVTX file and its JSON rendering in one
    run give the same hit with the rule's metadata."""
    ID = "271de298-cc0e-4842-acd8-079a0a99ea65"

    def test_evtx_and_json(self):
        index = os.path.join(SHARED, "data/sigma/regression/index.tsv")
        if not os.path.exists(index):
            self.skipTest("no shared Sigma regression data")
        with open(index) as f:
            rows = [l.rstrip("\n").split("\t") for l in f]
        row = dict(zip(rows[0], next(r for r in rows if r[0] == self.ID)))
        base = os.path.join(SHARED, "data/sigma")
        rule = os.path.join(base, row["rule_path"])
        evtx, js = os.path.join(base, row["evtx_path"]), os.path.join(base, row["json_path"])
        r = subprocess.run([VIGIE, "hunt", "-m", os.path.join(ROOT, "etc/detect/windows.yml"), "-r", rule,
                            "--format", "jsonl", evtx, js], capture_output=True, text=True, env=clean_env(), timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        hits = sorted((json.loads(l) for l in r.stdout.splitlines()), key=lambda h: h["source"])
        self.assertEqual([(h["source"], h["record"]) for h in hits], [(evtx, 1), (js, 1)])
        meta = rule_meta(rule)
        self.assertEqual(meta["author"], "Swachchhanda Shrawan Poudel (Nextron Systems), Nasreddine Bencherchali")
        for h in hits:
            self.assertEqual({k: h["rule"][k] for k in meta}, meta)
            self.assertIn("attack.t1190", h["rule"]["tags"])
        m = hits[0]["matched"]
        self.assertEqual(m, hits[1]["matched"])   # EVTX and JSON: same fields, same values
        self.assertEqual(sorted(m), ["CommandLine", "ParentCommandLine", "ParentImage"])
        self.assertEqual(m["CommandLine"], 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "whoami"')
        self.assertTrue(m["ParentImage"].lower().endswith("\\node.exe"), m)
        self.assertIn("\\node_modules\\next", m["ParentCommandLine"])
        self.assertIn("\n2 events read (0 unreadable) from 2 files", r.stderr)
        self.assertIn("\n2 hits: high 2\n", r.stderr)


CHECK_RULES = {
    "good.yml": """title: Good rule
id: 7b0c0000-0000-4000-8000-000000000001
author: Vigie tests
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\\whoami.exe'
  condition: sel
level: medium
""",
    "sub/badmod.yml": """title: Unknown modifier
id: 7b0c0000-0000-4000-8000-000000000002
logsource: {product: windows, category: process_creation}
detection:
  sel:
    CommandLine|containz: whoami
  condition: sel
level: low
""",
    "sub/unrouted.yml": """title: Unrouted logsource
id: 7b0c0000-0000-4000-8000-000000000003
logsource: {product: zos, category: mainframe_job}
detection:
  sel:
    JobName: EVIL
  condition: sel
level: low
""",
}


class RulesCheckTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vg-rules-check-")
        for name, text in CHECK_RULES.items():
            path = os.path.join(cls.dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)

    def check(self, *paths):
        return subprocess.run([VIGIE, "rules", "check", "-m", os.path.join(ROOT, "etc/detect/windows.yml")] + list(paths),
                              capture_output=True, text=True, env=clean_env(), timeout=120)

    def test_folder(self):
        r = self.check(self.dir)
        self.assertEqual(r.returncode, 5, r.stdout + r.stderr)   # VG_EXIT_INVALID: a rule was refused
        bad, unrouted = os.path.join(self.dir, "sub/badmod.yml"), os.path.join(self.dir, "sub/unrouted.yml")
        self.assertEqual(sorted(r.stderr.splitlines()), sorted([
            "vigie: %s:6: detection.sel.CommandLine|containz: unknown modifier 'containz'" % bad,
            # the line of the rule (its document), then why it cannot run
            "vigie: %s:1: not routed: no route in the mappings for logsource product=zos category=mainframe_job "
            "service=-" % unrouted,
        ]))
        self.assertNotIn("good.yml", r.stderr + r.stdout)
        self.assertEqual(r.stdout.splitlines()[0],
                         "3 files, 3 documents: 2 rules loaded, 0 filters, 0 correlations (0 cannot run), 1 rejected, "
                         "0 warnings, 1 not routed by the mappings")

    def test_good_rule_alone(self):
        r = self.check(os.path.join(self.dir, "good.yml"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        self.assertTrue(r.stdout.startswith("1 files, 1 documents: 1 rules loaded, 0 filters, 0 correlations "
                                            "(0 cannot run), 0 rejected, 0 warnings, 0 not routed by the mappings\n"),
                        r.stdout)
        # a rule that is only not routed loads: listed, but not an error
        r = self.check(os.path.join(self.dir, "sub/unrouted.yml"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("unrouted.yml:1: not routed:", r.stderr)


class HuntProgressTest(unittest.TestCase):
    """The progress line on a terminal: standard error is a pseudo-terminal,
    the hits go to a pipe."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vg-hunt-progress-")
        cls.rules = os.path.join(cls.dir, "rules.yml")
        with open(cls.rules, "w") as f:
            f.write(OUT_RULES)
        cls.map = os.path.join(cls.dir, "none.yml")
        with open(cls.map, "w") as f:
            f.write("title: no routes (tests)\n")
        # about 3 MB: 20,000 events, every 1000th a hit
        cls.events = os.path.join(cls.dir, "big.json")
        with open(cls.events, "w") as f:
            for i in range(20000):
                e = ev(WHOAMI if i % 1000 == 0 else "C:\\Windows\\System32\\svchost.exe",
                       "svchost.exe -k netsvcs -p -s Schedule %06d %s" % (i, "x" * 60), "ws%d" % (i % 50))
                f.write(json.dumps(e) + "\n")
        cls.size = os.path.getsize(cls.events)

    def run_pty(self, *args, stdin=None):
        env = clean_env()
        env.pop("VIGIE_NO_PROGRESS")
        master, slave = pty.openpty()
        try:
            p = subprocess.Popen([VIGIE, "hunt", "-m", self.map, "-r", self.rules] + list(args),
                                 stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=slave, env=env)
        finally:
            os.close(slave)
        err = b""
        if stdin is not None:
            p.stdin.write(stdin)
            p.stdin.close()
        while True:   # read the terminal until the process closes it
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        out = p.stdout.read()
        p.stdout.close()
        self.assertEqual(p.wait(timeout=120), 0, err)
        os.close(master)
        return out.decode(), err.decode()

    def test_file(self):
        out, err = self.run_pty("--format", "jsonl", self.events)
        self.assertEqual(len(out.splitlines()), 20)
        self.assertGreater(self.size, 3000000)
        mb = "%.1f" % (self.size / 1e6)
        # the last drawing: the whole file read, MB/s, events/s and the hits
        lines = re.findall(r"\r\x1b\[Khunt \[(=+) *\] +([0-9.]+)%  ([0-9.]+)/([0-9.]+) MB  ([0-9.]+) MB/s  "
                           r"([0-9]+) events/s  ([0-9]+) hits", err)
        self.assertTrue(lines, repr(err))
        bar, pct, done, total, mbps, evps, hits = lines[-1]
        self.assertEqual((len(bar), pct, done, total, hits), (24, "100.0", mb, mb, "20"), repr(err))
        self.assertGreater(float(mbps), 0)
        self.assertGreater(int(evps), 0)
        # each drawing before the last shows at most what the file holds
        for l in lines:
            self.assertLessEqual(float(l[2]), float(mb))
        # the summary follows on its own line
        self.assertRegex(err, r"20 hits\r?\n\r?\n20000 events read \(0 unreadable\) from 1 files")

    def test_stdin_has_no_total(self):
        data = b"".join(json.dumps(ev(WHOAMI, "whoami", "ws%d" % i)).encode() + b"\n" for i in range(5))
        out, err = self.run_pty("--format", "jsonl", "-", stdin=data)
        self.assertEqual(len(out.splitlines()), 5)
        self.assertRegex(err, r"\r\x1b\[Khunt 0\.0 MB  [0-9.]+ MB/s  [0-9]+ events/s  5 hits\r?\n")

    def test_table_on_a_terminal(self):
        # standard output and error on one terminal: the default format is the
        # table, and each batch of hits first erases the progress line
        env = clean_env()
        env.pop("VIGIE_NO_PROGRESS")
        master, slave = pty.openpty()
        try:
            p = subprocess.Popen([VIGIE, "hunt", "-m", self.map, "-r", self.rules, "--threads", "1", self.events],
                                 stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
        finally:
            os.close(slave)
        text = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            text += chunk
        self.assertEqual(p.wait(timeout=120), 0, text)
        os.close(master)
        text = text.decode()
        self.assertEqual(text.count("medium   Whoami"), 20, text)
        # a hit never continues a progress line
        for m in re.finditer(r"medium   Whoami", text):
            before = text[max(0, m.start() - 4):m.start()]
            self.assertTrue(before.endswith("\r\x1b[K") or before.endswith("\n"), repr(text[m.start() - 120:m.end()]))
        self.assertIn("\r\n20000 events read (0 unreadable) from 1 files", text)
        self.assertIn("\r\n20 hits: medium 20\r\n", text)

    def test_no_progress_when_not_a_terminal(self):
        r = subprocess.run([VIGIE, "hunt", "-m", self.map, "-r", self.rules, self.events], capture_output=True,
                           text=True, env={k: v for k, v in clean_env().items() if k != "VIGIE_NO_PROGRESS"},
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("MB/s", r.stderr)
        self.assertNotIn("\r", r.stderr)


DNS_RULE = """title: Query for a C2 domain
id: 9d2a3c4e-0000-4000-8000-00000000d115
level: high
logsource:
  category: dns
detection:
  sel:
    query|endswith: '.c2.example.net'
  condition: sel
"""


class HuntMappingNameTest(unittest.TestCase):
    """--mapping NAME finds an installed mapping (here: VIGIE_DETECT_MAPPINGS
    pointing at etc/detect) and its available/ subfolder; an unknown name is a
    usage error naming it."""

    def test_mapping_by_name(self):
        d = tempfile.mkdtemp(prefix="vg-hunt-map-")
        self.addCleanup(shutil.rmtree, d, True)
        rule, eve = os.path.join(d, "dns.yml"), os.path.join(d, "eve.json")
        with open(rule, "w") as f:
            f.write(DNS_RULE)
        with open(eve, "w") as f:
            f.write("".join(json.dumps(e) + "\n" for e in EVE))
        env = clean_env({"VIGIE_DETECT_MAPPINGS": os.path.join(ROOT, "etc", "detect")})
        r = subprocess.run([VIGIE, "hunt", "--format", "jsonl", "--mapping", "suricata", "-r", rule, eve],
                           capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        hits = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        self.assertEqual([h["rule"]["title"] for h in hits], ["Query for a C2 domain"])
        r = subprocess.run([VIGIE, "hunt", "--mapping", "nosuchmapping", "-r", rule, eve],
                           capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("nosuchmapping", r.stderr)


if __name__ == "__main__":
    unittest.main()
