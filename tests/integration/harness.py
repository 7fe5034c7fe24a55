"""Integration test harness: starts the real `vigie serve` on a free loopback
port over a fresh database and drives it over HTTP. Standard library only."""
import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

VIGIE = os.environ.get("VG_IT_VIGIE", "build-asan/vigie")
ADMIN_PASSWORD = "correct horse battery staple"
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def base_env(extra=None):
    env = dict(os.environ)
    env["VIGIE_TEST_FAST_HASH"] = "1"   # cheap Argon2id parameters for tests only
    env["VIGIE_NO_PROGRESS"] = "1"
    env.pop("VIGIE_CONFIG", None)
    if extra:
        env.update(extra)
    return env


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        self.json = None
        ctype = headers.get("content-type", "")
        if body and "json" in ctype:
            try:
                self.json = json.loads(body)
            except ValueError:
                self.json = None

    def header(self, name):
        return self.headers.get(name.lower())

    def error_field(self):
        return ((self.json or {}).get("error") or {}).get("field")

    def error_code(self):
        return ((self.json or {}).get("error") or {}).get("code")

    def __repr__(self):
        return "<Response %d %s>" % (self.status, self.raw[:300])


class Client:
    """One HTTP identity: anonymous, a browser session (cookie + CSRF) or a token."""

    def __init__(self, server, token=None):
        self.server = server
        self.tls = server.tls
        self.token = token
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, headers=None, raw=None, csrf=True, timeout=30):
        if self.tls:
            import ssl
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, timeout=timeout, context=ctx)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        hdrs = {}
        data = None
        if raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode()
            hdrs["Content-Type"] = "application/octet-stream"
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        if self.cookie:
            hdrs["Cookie"] = self.cookie
            if csrf and self.csrf and method not in ("GET", "HEAD"):
                hdrs["X-CSRF-Token"] = self.csrf
        if headers:
            hdrs.update(headers)
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        body_bytes = resp.read()
        headers_l = {}
        for k, v in resp.getheaders():
            k = k.lower()
            headers_l[k] = headers_l[k] + "\n" + v if k in headers_l else v
        conn.close()
        return Response(resp.status, headers_l, body_bytes.decode("utf-8", "replace"))

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self, username, password):
        r = self.post("/api/v1/session/login", {"username": username, "password": password})
        if r.status == 200:
            cookie = r.header("set-cookie")
            m = re.search(r"vigie_session=([^;]+)", cookie or "")
            self.cookie = "vigie_session=" + m.group(1)
            self.csrf = r.json["csrf_token"]
        return r


class Server:
    def __init__(self, db=None, extra_env=None, setup=True):
        self.dir = tempfile.mkdtemp(prefix="vg-it-")
        self.db = db or os.path.join(self.dir, "vigie.db")
        self.env = base_env(extra_env)
        self.proc = None
        self.port = None
        self.tls = False
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        if setup:
            r = self.cli("setup", env={"VIGIE_ADMIN_PASSWORD": ADMIN_PASSWORD})
            assert r.returncode == 0, r.stderr

    def cli(self, *args, env=None, input=None, check=False):
        e = dict(self.env)
        if env:
            e.update(env)
        r = subprocess.run([VIGIE, "--db", self.db] + list(args), capture_output=True, text=True,
                           env=e, input=input, timeout=120)
        for marker in SANITIZER_MARKERS:
            if marker in r.stderr:
                raise AssertionError("sanitizer report from vigie %s:\n%s" % (" ".join(args), r.stderr))
        if check and r.returncode != 0:
            raise AssertionError("vigie %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr))
        return r

    def start(self, *extra_args):
        self.errf = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen([VIGIE, "--db", self.db, "serve", "--listen", "127.0.0.1:0"] + list(extra_args),
                                     stdout=subprocess.PIPE, stderr=self.errf, env=self.env)
        deadline = time.time() + 60
        line = b""
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = re.search(rb"listening on (https?)://[^ ]*:(\d+)", line)
            if m:
                self.tls = m.group(1) == b"https"
                self.port = int(m.group(2))
                return self
        self.stop(check=False)
        raise AssertionError("server did not start: %r\n%s" % (line, self.stderr()))

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, check=True):
        if self.proc:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            rc = self.proc.returncode
            self.proc.stdout.close()
            self.errf.close()
            self.proc = None
            if check:
                err = self.stderr()
                for marker in SANITIZER_MARKERS:
                    if marker in err:
                        raise AssertionError("sanitizer report from the server:\n" + err[-6000:])
                if rc != 0:
                    raise AssertionError("server exited with %d:\n%s" % (rc, err[-3000:]))

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc.stdout.close()
        self.errf.close()
        self.proc = None

    def client(self, token=None):
        return Client(self, token=token)

    def admin(self):
        c = self.client()
        r = c.login("admin", ADMIN_PASSWORD)
        assert r.status == 200, r
        return c

    def sql(self, query, args=()):
        con = sqlite3.connect(self.db, timeout=10)
        try:
            cur = con.execute(query, args)
            rows = cur.fetchall()
            con.commit()
            return rows
        finally:
            con.close()


class ServerTest(unittest.TestCase):
    """A test class sharing one server; subclasses get self.srv and self.admin."""
    server_env = None

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(extra_env=cls.server_env).start()
        cls.admin = cls.srv.admin()

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    # helpers used across tests
    def make_org(self, name, kind="ministry", **extra):
        doc = {"name": name, "kind": kind}
        doc.update(extra)
        r = self.admin.post("/api/v1/orgs", doc)
        self.assertEqual(r.status, 201, r)
        return r.json

    def make_user(self, username, role, org_id, password="a long enough password"):
        r = self.admin.post("/api/v1/users", {"username": username, "role": role, "org_id": org_id,
                                               "password": password})
        self.assertEqual(r.status, 201, r)
        c = self.srv.client()
        lr = c.login(username, password)
        self.assertEqual(lr.status, 200, lr)
        return c
