"""HTTPS served directly, and client addresses behind a reverse proxy."""
import os
import subprocess
import unittest

from harness import ADMIN_PASSWORD, Server


class TlsTest(unittest.TestCase):
    def test_https_with_secure_cookie_and_hsts(self):
        srv = Server()
        key, cert = os.path.join(srv.dir, "key.pem"), os.path.join(srv.dir, "cert.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=localhost"], check=True, capture_output=True)
        srv.start("--tls-cert", cert, "--tls-key", key)
        try:
            self.assertTrue(srv.tls)
            c = srv.client()
            r = c.login("admin", ADMIN_PASSWORD)
            self.assertEqual(r.status, 200, r)
            self.assertIn("Secure", r.header("set-cookie"))
            self.assertIn("max-age=", (r.header("strict-transport-security") or "").lower())
            self.assertEqual(c.get("/api/v1/session/me").status, 200)
        finally:
            srv.stop()

    def test_tls_needs_both_files(self):
        srv = Server()
        r = srv.cli("serve", "--tls-cert", "/nonexistent.pem")
        self.assertNotEqual(r.returncode, 0)


class ProxyTest(unittest.TestCase):
    def login_ip(self, extra_env):
        srv = Server(extra_env=extra_env).start()
        try:
            c = srv.client()
            r = c.request("POST", "/api/v1/session/login", body={"username": "admin", "password": ADMIN_PASSWORD},
                          headers={"X-Forwarded-For": "203.0.113.50"})
            self.assertEqual(r.status, 200, r)
        finally:
            srv.stop()
        return srv.sql("SELECT ip FROM audit_log WHERE action LIKE '%login%' ORDER BY seq DESC LIMIT 1")[0][0]

    def test_forwarded_for_only_from_trusted_proxies(self):
        self.assertEqual(self.login_ip(None), "127.0.0.1")
        self.assertEqual(self.login_ip({"VIGIE_TRUSTED_PROXIES": "127.0.0.0/8"}), "203.0.113.50")


if __name__ == "__main__":
    unittest.main()
