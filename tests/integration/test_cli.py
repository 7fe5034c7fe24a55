"""The command line: help everywhere, exit codes, users, backup and check."""
import json
import os
import subprocess
import unittest

from harness import ADMIN_PASSWORD, Server, VIGIE, base_env

COMMANDS = [["serve"], ["setup"], ["routes"], ["config", "show"], ["db", "migrate"], ["db", "status"],
            ["db", "backup"], ["db", "check"], ["org", "add"], ["org", "list"], ["org", "show"], ["org", "import"],
            ["org", "export"], ["org", "lookup"], ["user", "add"], ["user", "list"], ["user", "passwd"],
            ["user", "disable"], ["token", "create"], ["token", "revoke"], ["audit", "verify"],
            ["hunt"], ["rules", "check"], ["mailgate"], ["report", "list"], ["report", "show"],
            ["report", "triage"], ["report", "outbox"], ["incident", "list"], ["incident", "show"],
            ["incident", "create"], ["incident", "status"], ["incident", "note"], ["incident", "export"],
            ["observable", "extract"], ["observable", "related"], ["observable", "list"]]


def run(*args, env=None):
    return subprocess.run([VIGIE] + list(args), capture_output=True, text=True, env=base_env(env), timeout=60)


class CliTest(unittest.TestCase):
    def test_help_everywhere(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        for cmd in COMMANDS:
            r = run(*cmd, "--help")
            self.assertEqual(r.returncode, 0, (cmd, r.stderr))
            self.assertIn("Usage: vigie " + " ".join(cmd), r.stdout)
        self.assertEqual(run("frobnicate").returncode, 2)
        self.assertEqual(run().returncode, 2)
        self.assertEqual(run("db", "backup").returncode, 2)

    def test_config_precedence_and_errors(self):
        srv = Server(setup=False)
        conf = os.path.join(srv.dir, "vigie.conf")
        with open(conf, "w") as f:
            f.write("# test\nthreads = 3\nlisten = 127.0.0.1:9999\n")
        r = run("--config", conf, "config", "show", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        j = json.loads(r.stdout)
        self.assertEqual(j["threads"], "3")
        r = run("--config", conf, "config", "show", "--json", env={"VIGIE_THREADS": "5"})
        self.assertEqual(json.loads(r.stdout)["threads"], "5")
        with open(conf, "a") as f:
            f.write("colour = blue\n")
        r = run("--config", conf, "config", "show")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(conf + ":4: colour: unknown configuration key", r.stderr)
        r = run("config", "show", env={"VIGIE_THREADS": "zero"})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("VIGIE_THREADS", r.stderr)

    def test_setup_prints_password_once(self):
        srv = Server(setup=False)
        r = srv.cli("setup", check=True)
        self.assertIn("admin", r.stdout)
        pw = [l for l in r.stdout.splitlines() if "password" in l.lower()]
        self.assertTrue(pw, r.stdout)
        r2 = srv.cli("setup", check=True)
        self.assertNotIn(pw[0], r2.stdout)
        self.assertEqual(srv.sql("SELECT count(*) FROM users WHERE role = 'admin'")[0][0], 1)

    def test_users_lifecycle(self):
        srv = Server()
        r = srv.cli("org", "add", "Users Org", "--kind", "ministry", "--json", check=True)
        oid = json.loads(r.stdout)["id"]
        r = srv.cli("user", "add", "bob", "--role", "analyst", "--org", str(oid), env={"VIGIE_PASSWORD": "bob's long password"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(srv.cli("user", "add", "bob", "--role", "analyst", "--org", str(oid),
                                 env={"VIGIE_PASSWORD": "bob's long password"}).returncode, 4)
        self.assertEqual(srv.cli("user", "add", "eve", "--role", "emperor", "--org", str(oid)).returncode, 2)
        users = json.loads(srv.cli("user", "list", "--json", check=True).stdout)
        names = [u["username"] for u in (users["items"] if isinstance(users, dict) else users)]
        self.assertIn("bob", names)
        srv.start()
        try:
            c = srv.client()
            self.assertEqual(c.login("bob", "bob's long password").status, 200)
            srv.cli("user", "passwd", "bob", env={"VIGIE_PASSWORD": "a brand new password"}, check=True)
            self.assertEqual(srv.client().login("bob", "bob's long password").status, 401)
            self.assertEqual(srv.client().login("bob", "a brand new password").status, 200)
            srv.cli("user", "disable", "bob", check=True)
            self.assertEqual(c.get("/api/v1/session/me").status, 401)
            self.assertEqual(srv.client().login("bob", "a brand new password").status, 401)
        finally:
            srv.stop()
        self.assertEqual(srv.cli("user", "disable", "nobody").returncode, 3)

    def test_backup_and_check(self):
        srv = Server()
        srv.cli("org", "add", "Backup Org", "--kind", "court", "--network", "192.0.2.0/24", check=True)
        dest = os.path.join(srv.dir, "backup.db")
        srv.cli("db", "backup", dest, check=True)
        self.assertEqual(srv.cli("db", "backup", dest).returncode, 4)
        r = subprocess.run([VIGIE, "--db", dest, "org", "list", "--json"], capture_output=True, text=True,
                           env=base_env())
        self.assertIn("Backup Org", r.stdout)
        self.assertEqual(subprocess.run([VIGIE, "--db", dest, "db", "check"], env=base_env(),
                                        capture_output=True).returncode, 0)
        st = json.loads(srv.cli("db", "status", "--json", check=True).stdout)
        self.assertEqual(st["version"], st["latest"])

    def test_org_add_validation(self):
        srv = Server()
        r = srv.cli("org", "add", "Bad Net", "--kind", "oes", "--network", "10.0.0.1/8")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("networks", r.stderr)
        self.assertEqual(srv.sql("SELECT count(*) FROM organisations WHERE name = 'Bad Net'")[0][0], 0)


if __name__ == "__main__":
    unittest.main()
