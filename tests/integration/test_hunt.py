"""vigie hunt with indicator sets (-i): plain lists, CSV, MISP and STIX files
over EVE and Sysmon JSON, alone and next to Sigma rules (-r)."""
import json
import os
import subprocess
import tempfile
import unittest

from harness import VIGIE, base_env

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIELDS = os.path.join(ROOT, "etc", "detect", "ioc-fields.yml")
SHARED = os.environ.get("VIGIE_SHARED", "/work/shared")

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
                          capture_output=True, text=True, env=base_env(), timeout=120)


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
        r = subprocess.run([VIGIE, "hunt", self.eve], capture_output=True, text=True, env=base_env(), timeout=60)
        self.assertEqual(r.returncode, 2)
        r = hunt("-i", os.path.join(self.dir, "missing.txt"), self.eve)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cannot read indicators", r.stderr)
        r = hunt("--ioc-type", "colour", "-i", self.list, self.eve)
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main()
