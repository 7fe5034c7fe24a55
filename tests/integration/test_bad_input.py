"""Bad input on every route is answered with a 4xx naming the problem, and
nothing is written."""
import json
import subprocess
import unittest

from harness import ServerTest, VIGIE


def routes():
    out = subprocess.run([VIGIE, "routes", "--json"], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


class BadInputTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.admin.post("/api/v1/orgs", {"name": "Bad Input Base", "kind": "ministry"})
        assert r.status == 201, r
        cls.org = r.json

    def counts(self):
        return [self.srv.sql("SELECT count(*) FROM %s" % t)[0][0]
                for t in ("organisations", "contacts", "org_networks", "org_asns", "org_domains",
                          "org_products", "users", "api_tokens")]

    def path_for(self, p):
        return p.replace("{id}", str(self.org["id"])).replace("{cid}", "1")

    def test_malformed_json_everywhere(self):
        before = self.counts()
        for rt in routes():
            if rt["method"] in ("GET", "DELETE") or rt["max_body"] == 0 or "import" in rt["path"] or "login" in rt["path"]:
                continue
            path = self.path_for(rt["path"])
            for raw in ('{"name": ', "[1,2,3]", "null", '{"a":' * 100 + "1" + "}" * 100, "\xff\xfe"):
                r = self.admin.request(rt["method"], path, raw=raw, headers={"Content-Type": "application/json"})
                self.assertIn(r.status, (400, 413), (rt, raw[:20], r))
                self.assertIn("error", r.json or {}, (rt, r))
        self.assertEqual(self.counts(), before)

    def test_wrong_types_name_the_field(self):
        cases = [
            ("POST", "/api/v1/orgs", {"name": 12, "kind": "ministry"}, "name"),
            ("POST", "/api/v1/orgs", {"name": "X1", "kind": "bakery"}, "kind"),
            ("POST", "/api/v1/orgs", {"name": "X2", "kind": "oes", "in_scope": "yes"}, "in_scope"),
            ("POST", "/api/v1/orgs", {"name": "", "kind": "oes"}, "name"),
            ("POST", "/api/v1/orgs", {"kind": "oes"}, "name"),
            ("POST", "/api/v1/orgs", {"name": "X3", "kind": "oes", "bogus": 1}, "bogus"),
            ("POST", "/api/v1/users", {"username": "u1", "role": "god", "org_id": 1, "password": "x" * 20}, "role"),
            ("POST", "/api/v1/users", {"username": "u2", "role": "analyst", "org_id": "1", "password": "x" * 20}, "org_id"),
            ("POST", "/api/v1/users", {"username": "u3", "role": "analyst", "org_id": 1, "password": "short"}, "password"),
            ("POST", "/api/v1/tokens", {"name": ["x"]}, "name"),
            ("POST", "/api/v1/session/login", {"username": 1, "password": "x"}, "username"),
        ]
        before = self.counts()
        for method, path, body, field in cases:
            r = self.admin.request(method, path, body=body)
            self.assertEqual(r.status, 400, (path, body, r))
            self.assertIn(field, r.error_field() or "", (path, body, r))
        self.assertEqual(self.counts(), before)

    def test_invalid_registry_values(self):
        oid = self.org["id"]
        cases = [
            ("networks", {"cidr": "10.0.0.0/33"}, "cidr"),
            ("networks", {"cidr": "10.0.0.1/8"}, "cidr"),
            ("networks", {"cidr": "not-an-ip"}, "cidr"),
            ("networks", {"cidr": "2001:db8::/129"}, "cidr"),
            ("asns", {"asn": 0}, "asn"),
            ("asns", {"asn": 4294967296}, "asn"),
            ("asns", {"asn": "ASxyz"}, "asn"),
            ("domains", {"domain": "-bad-.example"}, "domain"),
            ("domains", {"domain": "a" * 64 + ".example"}, "domain"),
            ("domains", {"domain": "exa mple.fr"}, "domain"),
            ("contacts", {"email": "no-at-sign"}, "email"),
            ("products", {"cpe": "cpe:2.3:x:vendor:product"}, "cpe"),
            ("products", {"cpe": "cpe:/a:apache:http_server:2.4"}, "cpe"),
        ]
        before = self.counts()
        for kind, body, field in cases:
            r = self.admin.post("/api/v1/orgs/%d/%s" % (oid, kind), body)
            self.assertEqual(r.status, 400, (kind, body, r))
            self.assertIn(field, r.error_field() or "", (kind, body, r))
        # nested children name their index
        r = self.admin.post("/api/v1/orgs", {"name": "Nested Bad", "kind": "oes",
                                             "networks": ["192.0.2.0/24", "192.0.2.300/24"]})
        self.assertEqual(r.status, 400, r)
        self.assertIn("networks[1]", r.error_field() or "", r)
        self.assertEqual(self.counts(), before)

    def test_oversized_bodies(self):
        before = self.counts()
        big = json.dumps({"name": "Big", "kind": "oes", "notes": "x" * (5 * 1024 * 1024)})
        r = self.admin.request("POST", "/api/v1/orgs", raw=big, headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 413, r)
        r = self.admin.request("POST", "/api/v1/session/login", raw=json.dumps({"username": "a" * 20000, "password": "b"}),
                               headers={"Content-Type": "application/json"})
        self.assertIn(r.status, (400, 413), r)
        self.assertEqual(self.counts(), before)

    def test_bad_ids_and_queries(self):
        for p in ("/api/v1/orgs/abc", "/api/v1/orgs/-1", "/api/v1/orgs/0", "/api/v1/orgs/99999999999999999999"):
            r = self.admin.get(p)
            self.assertIn(r.status, (400, 404), (p, r))
        for q in ("ip=999.1.1.1", "domain=..", "asn=-5", "email=@@", ""):
            r = self.admin.get("/api/v1/lookup?" + q)
            self.assertEqual(r.status, 400, (q, r))
        r = self.admin.get("/api/v1/orgs?limit=100000")
        self.assertIn(r.status, (200, 400), r)
        if r.status == 200:
            self.assertLessEqual(len(r.json["items"]), 500)
        r = self.admin.get("/api/v1/orgs?cursor=%%%%garbage")
        self.assertEqual(r.status, 400, r)

    def test_wrong_content_type(self):
        r = self.admin.request("POST", "/api/v1/orgs", raw='{"name":"CT","kind":"oes"}',
                               headers={"Content-Type": "text/plain"})
        self.assertIn(r.status, (400, 415), r)


if __name__ == "__main__":
    unittest.main()
