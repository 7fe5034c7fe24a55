"""Login, session cookie, CSRF, logout, throttling, security headers."""
import unittest

from harness import ADMIN_PASSWORD, ServerTest


class SessionTest(ServerTest):
    def test_login_sets_hardened_cookie_and_csrf(self):
        c = self.srv.client()
        r = c.login("admin", ADMIN_PASSWORD)
        self.assertEqual(r.status, 200, r)
        cookie = r.header("set-cookie")
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertIn("Path=/", cookie)
        self.assertNotIn("Secure", cookie)  # plain HTTP on loopback
        self.assertTrue(len(r.json["csrf_token"]) >= 16)
        self.assertEqual(r.json["user"]["username"], "admin")
        self.assertNotIn("password_hash", r.json["user"])
        me = c.get("/api/v1/session/me")
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json["user"]["role"] if "user" in me.json else me.json["role"], "admin")

    def test_wrong_password_is_generic(self):
        c = self.srv.client()
        bad_pw = c.login("admin", "not the password at all")
        no_user = c.login("nobody-here", "not the password at all")
        self.assertEqual(bad_pw.status, 401, bad_pw)
        self.assertEqual(no_user.status, 401, no_user)
        self.assertEqual(bad_pw.json["error"]["message"], no_user.json["error"]["message"])

    def test_csrf_required_for_cookie_writes(self):
        c = self.srv.admin()
        r = c.post("/api/v1/orgs", {"name": "CSRF Test Org", "kind": "ministry"}, csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.error_code(), "csrf")
        r = c.post("/api/v1/orgs", {"name": "CSRF Test Org", "kind": "ministry"},
                   csrf=False, headers={"X-CSRF-Token": "forged-value-forged-value"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.srv.sql("SELECT count(*) FROM organisations WHERE name = 'CSRF Test Org'")[0][0], 0)
        r = c.post("/api/v1/orgs", {"name": "CSRF Test Org", "kind": "ministry"})
        self.assertEqual(r.status, 201, r)

    def test_logout_ends_session(self):
        c = self.srv.admin()
        self.assertEqual(c.post("/api/v1/session/logout").status // 100, 2)
        r = c.get("/api/v1/session/me")
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.error_code(), "unauthenticated")

    def test_anonymous_is_refused(self):
        c = self.srv.client()
        for path in ("/api/v1/orgs", "/api/v1/users", "/api/v1/audit", "/api/v1/lookup?ip=192.0.2.1",
                     "/api/v1/session/me", "/metrics"):
            r = c.get(path)
            self.assertEqual(r.status, 401, (path, r))
        self.assertEqual(c.get("/api/v1/health").status, 200)

    def test_security_headers_and_request_id(self):
        c = self.srv.client()
        for path in ("/api/v1/health", "/api/v1/nope", "/api/v1/orgs"):
            r = c.get(path)
            csp = r.header("content-security-policy") or ""
            self.assertIn("frame-ancestors 'none'", csp, path)
            self.assertIn("default-src", csp)
            self.assertEqual(r.header("x-content-type-options"), "nosniff")
            self.assertTrue(r.header("referrer-policy"))
            self.assertRegex(r.header("x-request-id") or "", r"^[A-Za-z0-9._-]{8,64}$")
        r = c.get("/api/v1/health", headers={"X-Request-Id": "trace-abc-123"})
        self.assertEqual(r.header("x-request-id"), "trace-abc-123")
        r = c.get("/api/v1/nope")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.error_code(), "not_found")
        self.assertEqual(r.json.get("request_id"), r.header("x-request-id"))

    def test_method_not_allowed(self):
        r = self.admin.request("PUT", "/api/v1/orgs", body={})
        self.assertEqual(r.status, 405, r)
        self.assertIn("GET", r.header("allow") or "")


class ThrottleTest(ServerTest):
    server_env = {"VIGIE_LOGIN_MAX_FAILURES": "3", "VIGIE_LOGIN_WINDOW": "10m"}

    def test_failed_logins_are_throttled_and_audited(self):
        self.make_user("victim", "analyst", 1, password="the right password 1")
        c = self.srv.client()
        for _ in range(3):
            self.assertEqual(c.login("victim", "wrong password xyz").status, 401)
        r = c.login("victim", "the right password 1")
        self.assertEqual(r.status, 429, r)
        self.assertTrue(r.header("retry-after"))
        rows = self.srv.sql("SELECT outcome, count(*) FROM audit_log WHERE action LIKE '%login%' "
                            "AND detail LIKE '%victim%' GROUP BY outcome")
        counts = dict(rows)
        self.assertGreaterEqual(counts.get("failed", 0), 3)
        self.assertGreaterEqual(counts.get("denied", 0), 1)
        # another account from the same address is not locked by the account key
        self.assertEqual(self.srv.client().login("admin", ADMIN_PASSWORD).status, 200)


if __name__ == "__main__":
    unittest.main()
