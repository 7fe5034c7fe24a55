"""The OpenAPI document and the route table agree."""
import json
import subprocess
import unittest

from harness import ServerTest, VIGIE


class OpenApiTest(ServerTest):
    def test_document_matches_route_table(self):
        r = self.srv.client().get("/api/v1/openapi.json")
        self.assertEqual(r.status, 200, r)
        doc = r.json
        self.assertTrue(doc["openapi"].startswith("3.1"))
        table = json.loads(subprocess.run([VIGIE, "routes", "--json"], capture_output=True, text=True,
                                          check=True).stdout)
        from_table = {(t["method"].lower(), t["path"]) for t in table}
        from_doc = set()
        for path, ops in doc["paths"].items():
            for method in ops:
                if method in ("get", "post", "put", "patch", "delete"):
                    from_doc.add((method, path))
        self.assertEqual(from_table, from_doc)
        # every $ref resolves
        refs = set()

        def walk(v):
            if isinstance(v, dict):
                for k, x in v.items():
                    if k == "$ref":
                        refs.add(x)
                    else:
                        walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)
        walk(doc)
        for ref in refs:
            self.assertTrue(ref.startswith("#/"), ref)
            node = doc
            for part in ref[2:].split("/"):
                self.assertIn(part, node, ref)
                node = node[part]
        # permissions are documented
        for t in table:
            op = doc["paths"][t["path"]][t["method"].lower()]
            self.assertEqual(op.get("x-vigie-permission"), t["permission"], t)


if __name__ == "__main__":
    unittest.main()
