"""kill -9 in the middle of writes leaves a consistent database holding every
acknowledged write."""
import threading
import unittest

from harness import Server


class DurabilityTest(unittest.TestCase):
    def test_kill9_keeps_acknowledged_writes(self):
        srv = Server().start()
        adm = srv.admin()
        acked, lock, stop = [], threading.Lock(), threading.Event()

        def writer(n):
            c = srv.client()
            c.cookie, c.csrf = adm.cookie, adm.csrf
            i = 0
            while not stop.is_set():
                name = "Durable %d-%d" % (n, i)
                try:
                    r = c.post("/api/v1/orgs", {"name": name, "kind": "oes", "networks": ["10.%d.%d.0/24" % (n, i % 250)]},
                               timeout=5)
                except Exception:
                    return
                if r.status == 201:
                    with lock:
                        acked.append(name)
                i += 1

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        import time
        deadline = time.time() + 20
        while time.time() < deadline and len(acked) < 60:
            time.sleep(0.05)
        srv.kill9()
        stop.set()
        for t in threads:
            t.join()
        self.assertGreater(len(acked), 10)
        self.assertEqual(srv.cli("db", "check").returncode, 0)
        names = {n for (n,) in srv.sql("SELECT name FROM organisations")}
        missing = [a for a in acked if a not in names]
        self.assertEqual(missing, [])
        self.assertEqual(srv.cli("audit", "verify").returncode, 0)
        # the server starts again on the same database
        srv.start()
        self.assertEqual(srv.admin().get("/api/v1/health").status, 200)
        srv.stop()


if __name__ == "__main__":
    unittest.main()
