"""Registry over the API and the CLI: children, lookup semantics, the index
following CLI changes while the server runs, idempotent import/export."""
import json
import os
import unittest

from harness import ServerTest


class RegistryTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        adm = cls.admin
        big = adm.post("/api/v1/orgs", {"name": "Big ISP", "kind": "isp", "networks": ["10.0.0.0/8", "2001:db8::/32"],
                                        "domains": ["isp.example"], "asns": ["AS64496"]})
        small = adm.post("/api/v1/orgs", {"name": "Small Ministry", "kind": "ministry", "sector": "public_administration",
                                          "networks": ["10.1.2.0/24", "2001:db8:42::/48"],
                                          "domains": ["ministry.isp.example"],
                                          "contacts": [{"name": "SOC", "email": "SOC@Ministry.ISP.example", "role": "soc",
                                                        "pgp_fingerprint": "0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567"}],
                                          "products": [{"cpe": "cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*"}]})
        assert big.status == 201 and small.status == 201, (big, small)
        cls.big, cls.small = big.json, small.json

    def lookup(self, q):
        r = self.admin.get("/api/v1/lookup?" + q)
        self.assertEqual(r.status, 200, r)
        return [m["org_name"] for m in r.json["matches"] if m.get("best", True)]

    def test_document_is_canonical(self):
        r = self.admin.get("/api/v1/orgs/%d" % self.small["id"])
        o = r.json
        self.assertEqual(o["kind"], "ministry")
        self.assertEqual([n["cidr"] for n in o["networks"]], ["10.1.2.0/24", "2001:db8:42::/48"])
        self.assertEqual(o["contacts"][0]["email"], "soc@ministry.isp.example")
        self.assertEqual(o["contacts"][0]["pgp_fingerprint"], "0123456789ABCDEF0123456789ABCDEF01234567")
        self.assertTrue(o["created_at"].endswith("Z"))

    def test_longest_prefix_and_suffix(self):
        self.assertEqual(self.lookup("ip=10.1.2.3"), ["Small Ministry"])
        self.assertEqual(self.lookup("ip=10.9.9.9"), ["Big ISP"])
        self.assertEqual(self.lookup("ip=2001:db8:42::1"), ["Small Ministry"])
        self.assertEqual(self.lookup("ip=2001:db8:43::1"), ["Big ISP"])
        self.assertEqual(self.lookup("ip=198.18.5.5"), [])
        self.assertEqual(self.lookup("domain=www.ministry.isp.example"), ["Small Ministry"])
        self.assertEqual(self.lookup("domain=WWW.ISP.EXAMPLE."), ["Big ISP"])
        self.assertEqual(self.lookup("domain=notisp.example"), [])
        self.assertEqual(self.lookup("asn=AS64496"), ["Big ISP"])
        self.assertEqual(self.lookup("asn=64496"), ["Big ISP"])
        self.assertEqual(self.lookup("email=soc@ministry.isp.example"), ["Small Ministry"])
        self.assertEqual(self.lookup("email=someone@ministry.isp.example"), ["Small Ministry"])
        r = self.admin.get("/api/v1/lookup?ip=10.1.2.3")
        best = [m for m in r.json["matches"] if m.get("best", True)]
        self.assertEqual(best[0]["matched"], "10.1.2.0/24")

    def test_children_crud_and_conflict(self):
        oid = self.big["id"]
        r = self.admin.post("/api/v1/orgs/%d/networks" % oid, {"cidr": "172.16.0.0/12", "note": "lab"})
        self.assertEqual(r.status, 201, r)
        nid = r.json["id"]
        self.assertEqual(self.lookup("ip=172.20.1.1"), ["Big ISP"])
        r = self.admin.post("/api/v1/orgs/%d/networks" % oid, {"cidr": "172.16.0.0/12"})
        self.assertEqual(r.status, 409, r)
        lst = self.admin.get("/api/v1/orgs/%d/networks" % oid)
        self.assertIn("172.16.0.0/12", [n["cidr"] for n in lst.json["items"]])
        self.assertEqual(self.admin.delete("/api/v1/orgs/%d/networks/%d" % (oid, nid)).status, 204)
        self.assertEqual(self.lookup("ip=172.20.1.1"), [])
        self.assertEqual(self.admin.delete("/api/v1/orgs/%d/networks/%d" % (oid, nid)).status, 404)

    def test_cli_change_seen_by_running_server(self):
        self.assertEqual(self.lookup("ip=100.64.1.1"), [])
        r = self.srv.cli("org", "add", "CLI Operator", "--kind", "oes", "--sector", "energy",
                         "--network", "100.64.0.0/10", "--domain", "cli-operator.example", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.lookup("ip=100.64.1.1"), ["CLI Operator"])
        self.assertEqual(self.lookup("domain=a.b.cli-operator.example"), ["CLI Operator"])

    def test_pagination(self):
        for i in range(7):
            self.make_org("Page Org %02d" % i, kind="local_authority")
        seen, cursor = [], None
        while True:
            r = self.admin.get("/api/v1/orgs?kind=local_authority&limit=3" + ("&cursor=" + cursor if cursor else ""))
            self.assertEqual(r.status, 200, r)
            self.assertLessEqual(len(r.json["items"]), 3)
            seen += [o["name"] for o in r.json["items"]]
            cursor = r.json.get("next_cursor")
            if not cursor:
                break
        self.assertEqual(sorted(seen), ["Page Org %02d" % i for i in range(7)])

    def test_import_export_idempotent(self):
        exp = self.admin.get("/api/v1/registry/export?format=json")
        self.assertEqual(exp.status, 200, exp)
        body = exp.raw
        r1 = self.admin.request("POST", "/api/v1/registry/import?format=json", raw=body)
        self.assertEqual(r1.status, 200, r1)
        rep = r1.json
        self.assertEqual(rep.get("errors", []), [])
        changed = sum(rep.get(k, 0) for k in ("orgs_created", "orgs_updated"))
        self.assertEqual(changed, 0, rep)
        # CSV round trip too
        csv = self.admin.get("/api/v1/registry/export?format=csv")
        self.assertEqual(csv.status, 200)
        self.assertIn("text/csv", csv.header("content-type"))
        r2 = self.admin.request("POST", "/api/v1/registry/import?format=csv", raw=csv.raw)
        self.assertEqual(r2.status, 200, r2)
        self.assertEqual(sum(r2.json.get(k, 0) for k in ("orgs_created", "orgs_updated")), 0, r2.json)

    def test_import_reports_bad_rows_with_lines(self):
        csv = ("org_name,kind,sector,nis2,in_scope,parent,type,value,extra\n"
               "Import Good,oes,energy,essential,true,,org,,\n"
               "Import Good,oes,energy,essential,true,,network,192.0.2.0/24,\n"
               "Import Good,oes,energy,essential,true,,network,192.0.2.999/24,\n"
               "Import Good,oes,energy,essential,true,,domain,good-import.example,\n"
               "Import Bad,spaceship,,,true,,org,,\n")
        r = self.admin.request("POST", "/api/v1/registry/import?format=csv", raw=csv)
        self.assertIn(r.status, (200, 400), r)
        lines = sorted(e["line"] for e in r.json["errors"])
        self.assertEqual(lines, [4, 6], r.json)
        if r.status == 200:
            self.assertEqual(self.lookup("domain=x.good-import.example"), ["Import Good"])
            again = self.admin.request("POST", "/api/v1/registry/import?format=csv", raw=csv)
            self.assertEqual(sum(again.json.get(k, 0) for k in ("orgs_created", "orgs_updated")), 0, again.json)

    def test_cli_import_export_lookup(self):
        path = os.path.join(self.srv.dir, "orgs.json")
        with open(path, "w") as f:
            json.dump([{"name": "File Org", "kind": "court", "networks": ["203.0.113.128/25"],
                        "domains": ["file-org.example"]}], f)
        r = self.srv.cli("org", "import", path, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.srv.cli("org", "import", path, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        rep = json.loads(r.stdout)
        self.assertEqual(sum(rep.get(k, 0) for k in ("orgs_created", "orgs_updated")), 0, rep)
        r = self.srv.cli("org", "lookup", "203.0.113.200", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("File Org", r.stdout)
        r = self.srv.cli("org", "export", "--format", "csv")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("File Org", r.stdout)
        r = self.srv.cli("org", "show", "File Org", "--json")
        self.assertEqual(json.loads(r.stdout)["kind"], "court")
        self.assertEqual(self.srv.cli("org", "show", "No Such Org").returncode, 3)


if __name__ == "__main__":
    unittest.main()
