"""/metrics in Prometheus text format and /api/v1/health."""
import re
import unittest

from harness import ServerTest


class MetricsTest(ServerTest):
    def test_metrics(self):
        for _ in range(3):
            self.admin.get("/api/v1/orgs")
        self.admin.get("/api/v1/nope")
        r = self.admin.get("/metrics")
        self.assertEqual(r.status, 200, r)
        self.assertIn("text/plain", r.header("content-type"))
        text = r.raw
        self.assertIn("# TYPE", text)
        self.assertRegex(text, r'route="/api/v1/orgs"[^\n]*code="200"[^\n]*\} [1-9]')
        self.assertRegex(text, r"_bucket\{[^\n]*le=\"\+Inf\"")
        self.assertRegex(text, r"vigie_db_size_bytes \d+")
        for line in text.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfa]+$', line)

    def test_health(self):
        r = self.srv.client().get("/api/v1/health")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["status"], "ok")
        self.assertIsInstance(r.json["schema_version"], int)


if __name__ == "__main__":
    unittest.main()
