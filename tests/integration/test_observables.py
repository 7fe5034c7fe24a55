"""Observables over HTTP and the CLI: extraction writes nothing, values are
stored once and linked to incidents, related incidents are ranked by rarity,
common values (warning list, cap) relate nothing, an IP relates to a CIDR that
contains it, and a constituent sees only its own organisation's data.

Incidents are created with POST /api/v1/incidents when that route exists; if
the incidents API is not there, they are inserted with SQL for setup only."""
import json
import unittest

from harness import ServerTest

CAP = 5


class ObservablesTest(ServerTest):
    server_env = {"VIGIE_CORRELATION_COMMON_CAP": str(CAP)}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        adm = cls.admin
        a = adm.post("/api/v1/orgs", {"name": "Ministere A", "kind": "ministry"})
        b = adm.post("/api/v1/orgs", {"name": "Operateur B", "kind": "oiv"})
        assert a.status == 201 and b.status == 201, (a, b)
        cls.org_a, cls.org_b = a.json["id"], b.json["id"]
        pw = "constituent password 1"
        r = adm.post("/api/v1/users", {"username": "alice", "role": "constituent", "org_id": cls.org_a, "password": pw})
        assert r.status == 201, r
        cls.alice = cls.srv.client()
        assert cls.alice.login("alice", pw).status == 200
        cls.via_sql = False
        cls.inc = {}
        for name, org in (("i1", cls.org_a), ("i2", cls.org_a), ("i3", cls.org_b), ("i4", cls.org_a),
                          ("i5", cls.org_b), ("i6", cls.org_a)):
            cls.inc[name] = cls.make_incident(name, org)
        # popular value on more than CAP incidents (sql ids are cheap)
        cls.popular = [cls.make_incident("p%d" % i, cls.org_a) for i in range(CAP + 1)]
        adm_add = lambda inc, vals: adm.post("/api/v1/incidents/%d/observables" % inc,
                                             {"observables": vals, "source": "test"})
        r = adm_add(cls.inc["i1"], [{"type": "ipv4", "value": "185.220.101.45"},
                                    {"value": "update-check[.]online"},
                                    {"type": "md5", "value": "44D88612FEA8A8F36DE82E1278ABB02F"},
                                    {"type": "ipv4", "value": "8.8.8.8"},
                                    {"type": "domain", "value": "popular-portal.xyz"}])
        assert r.status == 201, r
        cls.i1_values = {o["value"]: o for o in r.json["items"]}
        assert adm_add(cls.inc["i2"], [{"value": "185.220.101.45"}, {"value": "update-check.online"}]).status == 201
        assert adm_add(cls.inc["i3"], [{"type": "md5", "value": "44d88612fea8a8f36de82e1278abb02f"}]).status == 201
        assert adm_add(cls.inc["i4"], [{"value": "8.8.8.8"}]).status == 201
        assert adm_add(cls.inc["i5"], [{"type": "cidr", "value": "185.220.100.0/22"}]).status == 201
        for p in cls.popular:
            assert adm_add(p, [{"value": "popular-portal.xyz"}]).status == 201

    @classmethod
    def make_incident(cls, title, org):
        if not cls.via_sql:
            r = cls.admin.post("/api/v1/incidents", {"title": "obs test " + title, "org_id": org})
            if r.status == 201:
                return r.json["id"]
            if r.status not in (404, 405):
                raise AssertionError(r)
            cls.via_sql = True
        # setup only: the incidents API is not available in this build
        n = cls.srv.sql("SELECT count(*) FROM incidents")[0][0]
        cls.srv.sql("INSERT INTO incidents(reference, title, org_id, created_at, updated_at, awareness_at)"
                    " VALUES (?, ?, ?, 0, 0, 0)", ("OBS-TEST-%06d" % (n + 1), "obs test " + title, org))
        return cls.srv.sql("SELECT max(id) FROM incidents")[0][0]

    def test_setup_used_incidents_api(self):
        if self.via_sql:
            self.skipTest("incidents API not available in this build: incidents were inserted with SQL")
        r = self.admin.get("/api/v1/incidents/%d" % self.inc["i1"])
        self.assertEqual(r.status, 200, r)

    def count_observables(self):
        return self.srv.sql("SELECT count(*) FROM observables")[0][0]

    # ------------------------------------------------------------ extraction

    def test_extract_writes_nothing(self):
        text = ("The actor used hxxps[:]//update-check[.]online/gate.php and 185.220.101[.]45 as C2, "
                "exploiting CVE-2023-4966. Contact ops (at) drop-box {.} top; resolver 8.8.8.8.")
        before = self.count_observables()
        r = self.admin.post("/api/v1/observables/extract", {"text": text})
        self.assertEqual(r.status, 200, r)
        got = {(c["type"], c["normalized"]): c for c in r.json["candidates"]}
        self.assertIn(("url", "https://update-check.online/gate.php"), got)
        ip = got[("ipv4", "185.220.101.45")]
        self.assertTrue(ip["defanged"])
        self.assertEqual(text.encode()[ip["offset"]:ip["offset"] + ip["length"]].decode(), "185.220.101[.]45")
        self.assertIn(("cve", "CVE-2023-4966"), got)
        self.assertIn(("email", "ops@drop-box.top"), got)
        self.assertEqual(got[("ipv4", "8.8.8.8")]["common"], "public-dns-resolvers")
        self.assertIsNone(ip["common"])
        self.assertFalse(r.json["truncated"])
        self.assertEqual(self.count_observables(), before)
        # a constituent may extract too (it writes nothing)
        self.assertEqual(self.alice.post("/api/v1/observables/extract", {"text": text}).status, 200)
        r = self.admin.post("/api/v1/observables/extract", {"text": 12})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.error_field(), "text")
        r = self.admin.post("/api/v1/observables/extract", {"text": "x", "other": 1})
        self.assertEqual(r.status, 400, r)

    # ------------------------------------------------------------ storage

    def test_add_is_normalised_and_idempotent(self):
        inc = self.inc["i6"]
        r = self.admin.post("/api/v1/incidents/%d/observables" % inc,
                            {"observables": [{"type": "url", "value": "HXXP://Evil-Site[.]xyz:80/a/./b/../c#x"},
                                             {"value": "2A0E:1C80:0003::17", "ioc": True}]})
        self.assertEqual(r.status, 201, r)
        vals = [(o["type"], o["value"], o["created"]) for o in r.json["items"]]
        self.assertEqual(vals, [("url", "http://evil-site.xyz/a/c", True), ("ipv6", "2a0e:1c80:3::17", True)])
        self.assertTrue(r.json["items"][1]["ioc"])
        before = self.count_observables()
        r = self.admin.post("/api/v1/incidents/%d/observables" % inc,
                            {"observables": [{"type": "url", "value": "http://EVIL-SITE.xyz/a/c"}]})
        self.assertEqual(r.status, 201, r)
        self.assertFalse(r.json["items"][0]["created"])
        self.assertEqual(self.count_observables(), before)
        r = self.admin.get("/api/v1/incidents/%d/observables" % inc)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["items"]), 2)
        # a bad value is refused with its field, and nothing of the batch is kept
        r = self.admin.post("/api/v1/incidents/%d/observables" % inc,
                            {"observables": [{"type": "ipv4", "value": "45.133.1.99"},
                                             {"type": "sha256", "value": "abc"}]})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.error_field(), "observables[1].value")
        self.assertEqual(self.srv.sql("SELECT count(*) FROM observables WHERE value = '45.133.1.99'")[0][0], 0)
        r = self.admin.post("/api/v1/incidents/%d/observables" % inc,
                            {"observables": [{"type": "ipv5", "value": "1.2.3.4"}]})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.error_field(), "observables[0].type")
        self.assertEqual(self.admin.post("/api/v1/incidents/999999/observables",
                                         {"observables": [{"value": "1.2.3.4"}]}).status, 404)
        # audited
        rows = self.srv.sql("SELECT count(*) FROM audit_log WHERE action = 'incident.observables.add'")
        self.assertGreater(rows[0][0], 0)

    def test_observable_get_and_search(self):
        oid = self.i1_values["185.220.101.45"]["id"]
        r = self.admin.get("/api/v1/observables/%d" % oid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["link_count"], 2)
        self.assertEqual(sorted(o["object_id"] for o in r.json["objects"]), sorted([self.inc["i1"], self.inc["i2"]]))
        r = self.admin.get("/api/v1/observables?type=ipv4&value=185.220.101.45")
        self.assertEqual([o["id"] for o in r.json["items"]], [oid])
        r = self.admin.get("/api/v1/observables?type=ipv4&value=999.1.1.1")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.error_field(), "value")
        r = self.admin.get("/api/v1/observables?type=nope")
        self.assertEqual(r.error_field(), "type")
        # cursor pages cover everything once
        seen, cursor = [], None
        while True:
            r = self.admin.get("/api/v1/observables?limit=2" + ("&cursor=" + cursor if cursor else ""))
            self.assertEqual(r.status, 200, r)
            seen += [o["id"] for o in r.json["items"]]
            cursor = r.json["next_cursor"]
            if not cursor:
                break
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(len(seen), self.count_observables())
        self.assertEqual(self.admin.get("/api/v1/observables/999999").status, 404)
        # warning-listed values are flagged at once
        r = self.admin.get("/api/v1/observables/%d" % self.i1_values["8.8.8.8"]["id"])
        self.assertTrue(r.json["common"])
        self.assertEqual(r.json["common_reason"], "public-dns-resolvers")

    # ------------------------------------------------------------ correlation

    def related(self, client, inc):
        r = client.get("/api/v1/incidents/%d/related" % inc)
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_related_ranking_cidr_and_common(self):
        j = self.related(self.admin, self.inc["i1"])
        order = [x["incident_id"] for x in j["items"]]
        self.assertEqual(order, [self.inc["i2"], self.inc["i5"], self.inc["i3"]])
        self.assertEqual(j["items"][0]["shared_count"], 2)
        self.assertEqual(j["common_cap"], CAP)
        self.assertEqual(j["values_common"], 2)       # 8.8.8.8 (list), popular-portal.xyz (cap)
        cidr = j["items"][1]["shared"][0]
        self.assertEqual((cidr["via"], cidr["value"], cidr["other_value"]),
                         ("cidr", "185.220.101.45", "185.220.100.0/22"))
        self.assertNotIn(self.inc["i4"], order)        # only the resolver in common
        for p in self.popular:
            self.assertNotIn(p, order)                 # only a value over the cap in common
        # graph: the root, related incidents and observables, edges between existing nodes
        nodes = {n["id"]: n for n in j["graph"]["nodes"]}
        self.assertTrue(nodes["incident:%d" % self.inc["i1"]]["root"])
        for e in j["graph"]["edges"]:
            self.assertIn(e["source"], nodes)
            self.assertIn(e["target"], nodes)
        self.assertIn("incident:%d" % self.inc["i5"], nodes)
        if not self.via_sql:
            self.assertEqual(j["items"][0]["title"], "obs test i2")
            self.assertTrue(nodes["incident:%d" % self.inc["i2"]]["reference"])
        # CIDR -> IPs inside it
        j = self.related(self.admin, self.inc["i5"])
        self.assertEqual(sorted(x["incident_id"] for x in j["items"]), sorted([self.inc["i1"], self.inc["i2"]]))
        self.assertEqual(self.admin.get("/api/v1/incidents/999999/related").status, 404)
        r = self.admin.get("/api/v1/incidents/%d/related?limit=0" % self.inc["i1"])
        self.assertEqual(r.status, 400, r)

    def test_patch_flags(self):
        oid = self.i1_values["popular-portal.xyz"]["id"]
        r = self.admin.patch("/api/v1/observables/%d" % oid, {"ioc": True, "tags": ["phishing", "kit"]})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["ioc"])
        self.assertEqual(r.json["tags"], ["phishing", "kit"])
        self.assertTrue(r.json["common"])               # over the cap
        r = self.admin.get("/api/v1/observables?ioc=true")
        self.assertIn(oid, [o["id"] for o in r.json["items"]])
        r = self.admin.patch("/api/v1/observables/%d" % oid, {"tags": ["x" * 65]})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.error_field(), "tags[0]")
        r = self.admin.patch("/api/v1/observables/%d" % oid, {"colour": "red"})
        self.assertEqual(r.status, 400, r)
        # an analyst marks the shared hash common: i3 no longer relates to i1
        md5 = self.i1_values["44d88612fea8a8f36de82e1278abb02f"]["id"]
        r = self.admin.patch("/api/v1/observables/%d" % md5, {"common": True, "common_reason": "EICAR test file"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["common"], r.json["common_by"]), (True, "analyst"))
        order = [x["incident_id"] for x in self.related(self.admin, self.inc["i1"])["items"]]
        self.assertNotIn(self.inc["i3"], order)
        r = self.admin.patch("/api/v1/observables/%d" % md5, {"common": False})
        self.assertEqual(r.status, 200, r)
        order = [x["incident_id"] for x in self.related(self.admin, self.inc["i1"])["items"]]
        self.assertIn(self.inc["i3"], order)
        rows = self.srv.sql("SELECT count(*) FROM audit_log WHERE action = 'observable.update'")
        self.assertGreaterEqual(rows[0][0], 3)

    def test_delete_link(self):
        inc = self.make_incident("del", self.org_a)
        r = self.admin.post("/api/v1/incidents/%d/observables" % inc, {"observables": [{"value": "45.133.1.77"}]})
        oid = r.json["items"][0]["id"]
        self.assertEqual(self.admin.delete("/api/v1/incidents/%d/observables/%d" % (inc, oid)).status, 204)
        self.assertEqual(self.admin.delete("/api/v1/incidents/%d/observables/%d" % (inc, oid)).status, 404)
        self.assertEqual(self.admin.get("/api/v1/incidents/%d/observables" % inc).json["items"], [])
        self.assertEqual(self.admin.get("/api/v1/observables/%d" % oid).json["link_count"], 0)

    # ------------------------------------------------------------ isolation

    def test_constituent_sees_own_org_only(self):
        j = self.related(self.alice, self.inc["i1"])
        self.assertEqual([x["incident_id"] for x in j["items"]], [self.inc["i2"]])
        for x in j["items"]:
            for s in x["shared"]:
                self.assertEqual(s["df"], 2)
        # other organisation's incident: 404 like a missing one
        missing = self.alice.get("/api/v1/incidents/999999/related")
        for path in ("/api/v1/incidents/%d/related", "/api/v1/incidents/%d/observables"):
            r = self.alice.get(path % self.inc["i3"])
            self.assertEqual(r.status, 404, r)
            self.assertEqual(r.json["error"]["message"], missing.json["error"]["message"])
        # the CIDR is only on B's incident: hidden; the shared IP is visible without global counts
        cidr_id = self.srv.sql("SELECT id FROM observables WHERE value = '185.220.100.0/22'")[0][0]
        self.assertEqual(self.alice.get("/api/v1/observables/%d" % cidr_id).status, 404)
        r = self.alice.get("/api/v1/observables/%d" % self.i1_values["185.220.101.45"]["id"])
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("link_count", r.json)
        self.assertEqual({o["org_id"] for o in r.json["objects"]}, {self.org_a})
        values = {o["value"] for o in self.alice.get("/api/v1/observables?limit=500").json["items"]}
        self.assertNotIn("185.220.100.0/22", values)
        self.assertIn("185.220.101.45", values)
        # no writes
        r = self.alice.patch("/api/v1/observables/%d" % self.i1_values["185.220.101.45"]["id"], {"ioc": True})
        self.assertIn(r.status, (403, 404), r)
        r = self.alice.post("/api/v1/incidents/%d/observables" % self.inc["i1"], {"observables": [{"value": "1.2.3.4"}]})
        self.assertEqual(r.status, 403, r)
        r = self.alice.delete("/api/v1/incidents/%d/observables/%d" % (self.inc["i1"],
                                                                       self.i1_values["185.220.101.45"]["id"]))
        self.assertEqual(r.status, 403, r)

    # ------------------------------------------------------------ CLI

    def test_cli(self):
        r = self.srv.cli("observable", "extract", "-", input="C2 at 185.220.101[.]45 and hxxp://bad[.]xyz/x\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("185.220.101.45", r.stdout)
        self.assertIn("http://bad.xyz/x", r.stdout)
        r = self.srv.cli("--json", "observable", "extract", "-", input="mail ops[at]drop-box[.]top")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ops@drop-box.top", [c["normalized"] for c in json.loads(r.stdout)["candidates"]])
        r = self.srv.cli("--json", "observable", "related", str(self.inc["i1"]),
                         env={"VIGIE_CORRELATION_COMMON_CAP": str(CAP)})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["items"][0]["incident_id"], self.inc["i2"])
        # with a larger cap the popular domain relates the popular incidents too
        r = self.srv.cli("--json", "observable", "related", str(self.inc["i1"]), "--limit", "50",
                         env={"VIGIE_CORRELATION_COMMON_CAP": "1000"})
        ids = [x["incident_id"] for x in json.loads(r.stdout)["items"]]
        self.assertIn(self.popular[0], ids)
        r = self.srv.cli("observable", "list", "--type", "ipv4")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("185.220.101.45", r.stdout)
        self.assertEqual(self.srv.cli("observable", "related", "abc").returncode, 2)
        self.assertEqual(self.srv.cli("observable", "list", "--type", "nope").returncode, 2)


if __name__ == "__main__":
    unittest.main()
