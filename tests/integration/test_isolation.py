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

    def test_report_observables_staff_only(self):
        # B's report, with an observable in its text
        r = self.admin.post("/api/v1/reports", {"subject": "Scan", "body": "Scanned from 45.137.21[.]9",
                                                "org_id": self.b["id"]})
        self.assertEqual(r.status, 201, r)
        bid = r.json["id"]
        own = self.alice.post("/api/v1/reports", {"subject": "Ours", "body": "From 45.137.21[.]9"})
        self.assertEqual(own.status, 201, own)
        links = self.srv.sql("SELECT count(*) FROM observable_links")[0][0]
        audits = self.srv.sql("SELECT count(*) FROM audit_log WHERE outcome = 'ok'")[0][0]
        # a constituent (and a partner) is refused by role on every report, its own included
        for client in (self.alice, self.partner):
            for rid in (bid, own.json["id"], 999999):
                r = client.get("/api/v1/reports/%d/observables/candidates" % rid)
                self.assertEqual(r.status, 403, (rid, r))
                r = client.post("/api/v1/reports/%d/observables" % rid, {"observables": [{"value": "45.137.21.9"}]})
                self.assertEqual(r.status, 403, (rid, r))
        self.assertEqual(self.srv.sql("SELECT count(*) FROM observable_links")[0][0], links)
        self.assertEqual(self.srv.sql("SELECT count(*) FROM audit_log WHERE outcome = 'ok'")[0][0], audits)
        # the report itself stays hidden from the other organisation
        self.assertEqual(self.alice.get("/api/v1/reports/%d" % bid).status, 404)
        # staff see the candidates
        r = self.admin.get("/api/v1/reports/%d/observables/candidates" % bid)
        self.assertEqual([(c["type"], c["value"]) for c in r.json["candidates"]], [("ipv4", "45.137.21.9")])

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


class MultiOrgIncidentTest(ServerTest):
    """An incident concerning several organisations (a primary one plus
    incident_orgs): every constituent of an organisation concerned sees it on
    every read path, as its own organisation's; a third organisation's
    constituent gets 404 and finds nothing in lists, search or correlation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        adm = cls.admin
        orgs = []
        for name in ("Primary P", "Secondary S", "Third T"):
            r = adm.post("/api/v1/orgs", {"name": name, "kind": "oes", "sector": "energy", "nis2": "essential"})
            assert r.status == 201, r
            orgs.append(r.json)
        cls.p, cls.s, cls.t = orgs
        pw = "constituent password 1"
        cls.users = {}
        for user, org in (("paula", cls.p), ("sam", cls.s), ("tom", cls.t)):
            r = adm.post("/api/v1/users", {"username": user, "role": "constituent", "org_id": org["id"], "password": pw})
            assert r.status == 201, r
            c = cls.srv.client()
            assert c.login(user, pw).status == 200
            cls.users[user] = c
        r = adm.post("/api/v1/incidents", {"title": "Supply chain compromise zorglubware", "org_id": cls.p["id"],
                                           "org_ids": [cls.s["id"]], "severity": "high", "type": "infected-system",
                                           "description": "Trojanised update of the zorglubware agent."})
        assert r.status == 201, r
        cls.inc = r.json["id"]
        r = adm.post("/api/v1/incidents/%d/journal" % cls.inc, {"body": "Advice: isolate the quetzalcoatl hosts.",
                                                                 "visible": True})
        assert r.status == 201, r
        r = adm.post("/api/v1/incidents/%d/journal" % cls.inc, {"body": "Internal: vendor named xylophonist."})
        assert r.status == 201, r
        r = adm.request("POST", "/api/v1/incidents/%d/attachments?filename=ioc.txt&visible=true" % cls.inc,
                        raw=b"zorglub indicators")
        assert r.status == 201, r
        cls.att = r.json["items"][0]["id"]
        # S's own incident sharing a value: related for S, not for T
        r = adm.post("/api/v1/incidents", {"title": "Beaconing seen at S", "org_id": cls.s["id"]})
        assert r.status == 201, r
        cls.inc_s = r.json["id"]
        for i in (cls.inc, cls.inc_s):
            r = adm.post("/api/v1/incidents/%d/observables" % i, {"observables": [{"value": "evil-update.zorglub-cdn.net"}]})
            assert r.status == 201, r

    def paths(self):
        i = self.inc
        return ["/api/v1/incidents/%d" % i, "/api/v1/incidents/%d/journal" % i,
                "/api/v1/incidents/%d/attachments" % i, "/api/v1/incidents/%d/attachments/%d" % (i, self.att),
                "/api/v1/incidents/%d/export" % i, "/api/v1/incidents/%d/export?format=json" % i,
                "/api/v1/incidents/%d/related" % i, "/api/v1/incidents/%d/observables" % i]

    def test_secondary_org_sees_it(self):
        sam = self.users["sam"]
        for p in self.paths():
            self.assertEqual(sam.get(p).status, 200, p)
        r = sam.get("/api/v1/incidents/%d" % self.inc)
        self.assertEqual(r.json["org_id"], self.s["id"])  # its own organisation, not the primary victim's
        self.assertEqual([o["id"] for o in r.json["organisations"]], [self.s["id"]])
        bodies = [e["body"] for e in r.json["journal"]]
        self.assertIn("Advice: isolate the quetzalcoatl hosts.", bodies)
        self.assertFalse(any("xylophonist" in b for b in bodies))
        self.assertNotIn("Primary P", r.raw)
        r = sam.get("/api/v1/incidents/%d/export?format=json" % self.inc)
        self.assertNotIn("Primary P", r.raw)
        r = sam.get("/api/v1/incidents")
        self.assertEqual(sorted(i["id"] for i in r.json["items"]), sorted([self.inc, self.inc_s]))
        self.assertTrue(all(i["org_name"] == "Secondary S" for i in r.json["items"]), r.json)
        r = sam.get("/api/v1/incidents?q=zorglubware")
        self.assertEqual([i["id"] for i in r.json["items"]], [self.inc])
        r = sam.get("/api/v1/incidents?q=quetzalcoatl")  # a visible journal entry
        self.assertEqual([i["id"] for i in r.json["items"]], [self.inc])
        self.assertEqual(sam.get("/api/v1/incidents?q=xylophonist").json["items"], [])  # internal
        r = sam.get("/api/v1/search?q=zorglubware")
        self.assertEqual([h["incident_id"] for h in r.json["items"]], [self.inc])
        r = sam.get("/api/v1/deadlines")
        self.assertIn(self.inc, [d["incident_id"] for d in r.json["items"]])
        r = sam.get("/api/v1/incidents/%d/related" % self.inc_s)
        self.assertEqual([x["incident_id"] for x in r.json["items"]], [self.inc])
        self.assertEqual(r.json["items"][0]["org_id"], self.s["id"])
        self.assertEqual(self.admin.get("/api/v1/incidents/%d/related" % self.inc_s).json["items"][0]["org_id"],
                         self.p["id"])
        # a visible reply from S is accepted (constituents reply on incidents they see)
        r = sam.post("/api/v1/incidents/%d/journal" % self.inc, {"body": "S patched its agents."})
        self.assertEqual(r.status, 201, r)

    def test_primary_org_sees_it_as_its_own(self):
        paula = self.users["paula"]
        for p in self.paths():
            self.assertEqual(paula.get(p).status, 200, p)
        r = paula.get("/api/v1/incidents/%d" % self.inc)
        self.assertEqual([o["id"] for o in r.json["organisations"]], [self.p["id"]])
        self.assertNotIn("Secondary S", r.raw)
        r = paula.get("/api/v1/incidents")
        self.assertEqual([i["id"] for i in r.json["items"]], [self.inc])

    def test_third_org_sees_nothing(self):
        tom = self.users["tom"]
        missing = self.admin.get("/api/v1/incidents/999999")
        for p in self.paths():
            r = tom.get(p)
            self.assertEqual(r.status, 404, p)
            self.assertEqual(r.json["error"]["message"], missing.json["error"]["message"])
        self.assertEqual(tom.post("/api/v1/incidents/%d/journal" % self.inc, {"body": "hi"}).status, 404)
        self.assertEqual(tom.get("/api/v1/incidents").json["items"], [])
        for q in ("zorglubware", "quetzalcoatl"):
            self.assertEqual(tom.get("/api/v1/incidents?q=" + q).json["items"], [])
            self.assertEqual(tom.get("/api/v1/search?q=" + q).json["items"], [])
        self.assertNotIn(self.inc, [d["incident_id"] for d in tom.get("/api/v1/deadlines").json["items"]])
        r = tom.get("/api/v1/observables?type=domain&value=evil-update.zorglub-cdn.net")
        self.assertEqual(r.json["items"], [])
        r = self.users["sam"].get("/api/v1/observables?type=domain&value=evil-update.zorglub-cdn.net")
        self.assertEqual(len(r.json["items"]), 1, r)
        r = self.users["sam"].get("/api/v1/observables/%d" % r.json["items"][0]["id"])
        self.assertEqual(sorted(o["object_id"] for o in r.json["objects"]), sorted([self.inc, self.inc_s]))
        self.assertEqual({o["org_id"] for o in r.json["objects"]}, {self.s["id"]})
        self.assertEqual(tom.get("/api/v1/observables/%d" % r.json["id"]).status, 404)


if __name__ == "__main__":
    unittest.main()
