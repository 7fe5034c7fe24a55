"""A database created by an earlier schema version is migrated at start and
keeps its data; migrations only go forward."""
import json
import unittest

from harness import ADMIN_PASSWORD, Server


class MigrationTest(unittest.TestCase):
    def test_upgrade_from_version_1(self):
        srv = Server(setup=False)
        r = srv.cli("db", "migrate", "--to", "1", "--json", check=True)
        self.assertEqual(json.loads(r.stdout)["to"], 1)
        # data written by the version-1 schema
        srv.sql("INSERT INTO organisations(name, kind, created_at, updated_at) VALUES ('Old Ministry', 'ministry', 1, 1)")
        srv.sql("INSERT INTO org_networks(org_id, cidr, family, addr, prefix, created_at) "
                "SELECT id, '192.0.2.0/24', 4, X'C0000200', 24, 1 FROM organisations WHERE name = 'Old Ministry'")
        st = json.loads(srv.cli("db", "status", "--json", check=True).stdout)
        self.assertEqual(st["version"], 1)
        self.assertTrue(st["pending"])
        # `vigie setup` + serve bring it to the latest schema
        srv.cli("setup", env={"VIGIE_ADMIN_PASSWORD": ADMIN_PASSWORD}, check=True)
        st = json.loads(srv.cli("db", "status", "--json", check=True).stdout)
        self.assertEqual(st["version"], st["latest"])
        self.assertEqual(st["pending"], [])
        srv.start()
        try:
            adm = srv.admin()
            r = adm.get("/api/v1/orgs?q=Old")
            self.assertEqual([o["name"] for o in r.json["items"]], ["Old Ministry"])
            r = adm.get("/api/v1/lookup?ip=192.0.2.77")
            self.assertEqual([m["org_name"] for m in r.json["matches"]], ["Old Ministry"])
            h = adm.get("/api/v1/health")
            self.assertEqual(h.json["schema_version"], st["latest"])
        finally:
            srv.stop()
        self.assertEqual(srv.cli("db", "check").returncode, 0)

    def test_backwards_is_refused(self):
        srv = Server()
        r = srv.cli("db", "migrate", "--to", "1")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("forward", r.stderr)

    def test_newer_database_is_refused(self):
        srv = Server()
        srv.sql("INSERT INTO schema_migrations(version, name, applied_at) VALUES (9999, 'future', 'x')")
        r = srv.cli("db", "migrate")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("newer", r.stderr)


if __name__ == "__main__":
    unittest.main()
