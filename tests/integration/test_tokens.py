"""API tokens: shown once, stored hashed, expiry, read-only scope, revocation."""
import hashlib
import unittest

from harness import ServerTest


class TokenTest(ServerTest):
    def create(self, **kw):
        body = {"name": kw.pop("name", "ci")}
        body.update(kw)
        r = self.admin.post("/api/v1/tokens", body)
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.json["token"].startswith("vgt_"))
        return r.json

    def test_token_is_random_hashed_and_works(self):
        t = self.create(name="automation")
        secret = t["token"]
        self.assertGreaterEqual(len(secret), 40)
        # only the hash is stored
        rows = self.srv.sql("SELECT token_hash FROM api_tokens WHERE id = ?", (t["id"],))
        self.assertEqual(bytes(rows[0][0]), hashlib.sha256(secret.encode()).digest())
        self.assertEqual(self.srv.sql("SELECT count(*) FROM api_tokens WHERE CAST(token_hash AS TEXT) = ?", (secret,))[0][0], 0)
        c = self.srv.client(token=secret)
        self.assertEqual(c.get("/api/v1/orgs").status, 200)
        # the secret is never listed again
        lst = self.admin.get("/api/v1/tokens")
        self.assertEqual(lst.status, 200)
        self.assertNotIn(secret, lst.raw)
        # bearer writes need no CSRF token
        r = c.post("/api/v1/orgs", {"name": "Token Org", "kind": "oes"})
        self.assertEqual(r.status, 201, r)

    def test_read_only_token(self):
        t = self.create(name="reader", read_only=True)
        c = self.srv.client(token=t["token"])
        self.assertEqual(c.get("/api/v1/orgs").status, 200)
        r = c.post("/api/v1/orgs", {"name": "Should Not Exist", "kind": "oes"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.srv.sql("SELECT count(*) FROM organisations WHERE name = 'Should Not Exist'")[0][0], 0)
        r = c.post("/api/v1/tokens", {"name": "escalate"})
        self.assertEqual(r.status, 403, r)

    def test_expired_token_is_refused(self):
        t = self.create(name="short")
        c = self.srv.client(token=t["token"])
        self.assertEqual(c.get("/api/v1/orgs").status, 200)
        # time passes: the token's expiry is now behind us
        self.srv.sql("UPDATE api_tokens SET expires_at = 1000 WHERE id = ?", (t["id"],))
        r = c.get("/api/v1/orgs")
        self.assertEqual(r.status, 401, r)

    def test_revoked_token_is_refused(self):
        t = self.create(name="revoke-me")
        c = self.srv.client(token=t["token"])
        self.assertEqual(c.get("/api/v1/orgs").status, 200)
        r = self.admin.delete("/api/v1/tokens/%d" % t["id"])
        self.assertEqual(r.status, 204, r)
        self.assertEqual(c.get("/api/v1/orgs").status, 401)

    def test_garbage_bearer(self):
        for tok in ("vgt_nope", "", "x" * 5000, "vgt_" + "A" * 43):
            r = self.srv.client(token=tok).get("/api/v1/orgs")
            self.assertIn(r.status, (400, 401), (tok[:10], r))

    def test_cli_token_create_and_revoke(self):
        r = self.srv.cli("token", "create", "admin", "--name", "from-cli", "--days", "1", "--json", check=True)
        import json
        j = json.loads(r.stdout)
        c = self.srv.client(token=j["token"])
        self.assertEqual(c.get("/api/v1/orgs").status, 200)
        self.srv.cli("token", "revoke", str(j["id"]), check=True)
        self.assertEqual(c.get("/api/v1/orgs").status, 401)


if __name__ == "__main__":
    unittest.main()
