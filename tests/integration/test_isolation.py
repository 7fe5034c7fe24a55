"""A constituent of organisation A never sees organisation B: 404 on B's
objects, B absent from lists and lookups, no writes outside A."""
import unittest

from harness import ServerTest


class IsolationTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        adm = cls.admin
        a = adm.post("/api/v1/orgs", {"name": "Ministry A", "kind": "ministry", "sector": "public_administration",
                                      "networks": ["198.51.100.0/24"], "domains": ["a.example.gouv.fr"],
                                      "asns": [64500], "contacts": [{"email": "soc@a.example.gouv.fr"}]})
        b = adm.post("/api/v1/orgs", {"name": "Hospital B", "kind": "oes", "sector": "health", "nis2": "essential",
                                      "networks": ["203.0.113.0/24"], "domains": ["b.example.fr"],
                                      "asns": [64501], "contacts": [{"email": "cert@b.example.fr"}]})
        assert a.status == 201 and b.status == 201, (a, b)
        cls.a, cls.b = a.json, b.json
        pw = "constituent password 1"
        r = adm.post("/api/v1/users", {"username": "alice", "role": "constituent", "org_id": cls.a["id"], "password": pw})
        assert r.status == 201, r
        cls.alice = cls.srv.client()
        assert cls.alice.login("alice", pw).status == 200
        r = adm.post("/api/v1/users", {"username": "pierre", "role": "partner", "org_id": cls.b["id"], "password": pw})
        assert r.status == 201, r
        cls.partner = cls.srv.client()
        assert cls.partner.login("pierre", pw).status == 200

    def test_list_shows_only_own_org(self):
        r = self.alice.get("/api/v1/orgs")
        self.assertEqual(r.status, 200, r)
        names = [o["name"] for o in r.json["items"]]
        self.assertEqual(names, ["Ministry A"])
        r = self.alice.get("/api/v1/orgs?q=Hospital")
        self.assertEqual(r.json["items"], [])

    def test_other_org_is_404(self):
        bid = self.b["id"]
        paths = ["/api/v1/orgs/%d" % bid] + ["/api/v1/orgs/%d/%s" % (bid, k)
                                              for k in ("networks", "asns", "domains", "contacts", "products")]
        missing = self.admin.get("/api/v1/orgs/999999")
        for p in paths:
            r = self.alice.get(p)
            self.assertEqual(r.status, 404, (p, r))
            self.assertEqual(r.json["error"]["message"], missing.json["error"]["message"])
        self.assertEqual(self.alice.get("/api/v1/orgs/999999").status, 404)

    def test_own_org_is_visible(self):
        r = self.alice.get("/api/v1/orgs/%d" % self.a["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["name"], "Ministry A")
        self.assertEqual(r.json["networks"][0]["cidr"], "198.51.100.0/24")

    def test_no_writes_outside_own_org(self):
        bid = self.b["id"]
        before = self.srv.sql("SELECT count(*) FROM contacts")[0][0]
        r = self.alice.post("/api/v1/orgs/%d/contacts" % bid, {"email": "evil@attacker.example"})
        self.assertEqual(r.status, 404, r)
        r = self.alice.patch("/api/v1/orgs/%d" % bid, {"notes": "pwned"})
        self.assertIn(r.status, (403, 404), r)
        r = self.alice.delete("/api/v1/orgs/%d" % bid)
        self.assertIn(r.status, (403, 404), r)
        self.assertEqual(self.srv.sql("SELECT count(*) FROM contacts")[0][0], before)
        # own contacts: allowed; own networks (attribution): CERT only
        r = self.alice.post("/api/v1/orgs/%d/contacts" % self.a["id"], {"email": "ciso@a.example.gouv.fr", "name": "CISO"})
        self.assertEqual(r.status, 201, r)
        r = self.alice.post("/api/v1/orgs/%d/networks" % self.a["id"], {"cidr": "192.0.2.0/24"})
        self.assertEqual(r.status, 403, r)
        r = self.alice.post("/api/v1/orgs", {"name": "New Org", "kind": "other"})
        self.assertEqual(r.status, 403, r)

    def test_lookup_hides_other_orgs(self):
        for q in ("ip=203.0.113.7", "domain=www.b.example.fr", "asn=64501", "email=cert@b.example.fr"):
            r = self.alice.get("/api/v1/lookup?" + q)
            self.assertEqual(r.status, 200, (q, r))
            self.assertEqual(r.json["matches"], [], q)
            ra = self.admin.get("/api/v1/lookup?" + q)
            self.assertEqual([m["org_id"] for m in ra.json["matches"] if m.get("best", True)], [self.b["id"]], q)
        r = self.alice.get("/api/v1/lookup?ip=198.51.100.9")
        self.assertEqual([m["org_id"] for m in r.json["matches"]], [self.a["id"]])

    def test_admin_areas_refused(self):
        self.assertEqual(self.alice.get("/api/v1/audit").status, 403)
        self.assertEqual(self.alice.get("/api/v1/registry/export").status, 403)
        self.assertEqual(self.alice.post("/api/v1/users", {"username": "x", "role": "admin", "org_id": 1,
                                                           "password": "aaaaaaaaaaaaaaaa"}).status, 403)
        self.assertEqual(self.alice.get("/metrics").status, 403)

    def test_users_visibility(self):
        r = self.alice.get("/api/v1/users")
        if r.status == 200:
            self.assertEqual({u["username"] for u in r.json["items"]}, {"alice"})
        else:
            self.assertEqual(r.status, 403)
        admin_id = self.srv.sql("SELECT id FROM users WHERE username = 'admin'")[0][0]
        self.assertEqual(self.alice.get("/api/v1/users/%d" % admin_id).status, 404)

    def test_partner_sees_only_its_org(self):
        r = self.partner.get("/api/v1/orgs")
        self.assertEqual([o["name"] for o in r.json["items"]], ["Hospital B"])
        self.assertEqual(self.partner.get("/api/v1/orgs/%d" % self.a["id"]).status, 404)
        self.assertEqual(self.partner.post("/api/v1/orgs/%d/contacts" % self.b["id"], {"email": "x@b.example.fr"}).status, 403)


if __name__ == "__main__":
    unittest.main()
