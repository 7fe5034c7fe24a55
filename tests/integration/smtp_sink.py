"""A tiny SMTP sink for tests (RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT), standard library only. It listens on a free loopback port
and keeps every message it accepts; nothing is relayed.

    sink = SmtpSink().start()
    env = {"VIGIE_SMTP_URL": sink.url}
    ...
    msgs = sink.wait(1)          # [(mail_from, [rcpt...], email.message.Message)]
    sink.stop()
"""
import email
import email.policy
import socketserver
import threading
import time


class _Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        sink = self.server.sink
        self.reply("220 sink.test ESMTP ready")
        mail_from, rcpts = None, []
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            cmd = line[:4].upper()
            if sink.fail_next and cmd == "MAIL":
                sink.fail_next -= 1
                self.reply("451 4.3.0 temporary failure (test)")
                continue
            if cmd in ("EHLO", "HELO"):
                if cmd == "EHLO":
                    self.reply("250-sink.test")
                    self.reply("250-8BITMIME")
                    self.reply("250 SIZE 52428800")
                else:
                    self.reply("250 sink.test")
            elif cmd == "MAIL":
                mail_from, rcpts = line[10:].strip().strip("<>").split(">")[0], []
                self.reply("250 2.1.0 ok")
            elif cmd == "RCPT":
                rcpts.append(line[8:].strip().strip("<>").split(">")[0])
                self.reply("250 2.1.5 ok")
            elif cmd == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                chunks = []
                while True:
                    d = self.rfile.readline(1 << 20)
                    if not d:
                        return
                    if d in (b".\r\n", b".\n"):
                        break
                    if d.startswith(b".."):
                        d = d[1:]
                    chunks.append(d)
                data = b"".join(chunks)
                msg = email.message_from_bytes(data, policy=email.policy.default)
                with sink.lock:
                    sink.messages.append((mail_from, rcpts, msg, data))
                self.reply("250 2.0.0 queued")
                mail_from, rcpts = None, []
            elif cmd == "RSET":
                mail_from, rcpts = None, []
                self.reply("250 ok")
            elif cmd == "NOOP":
                self.reply("250 ok")
            elif cmd == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 5.5.2 command not implemented")


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.fail_next = 0  # answer 451 to the next N MAIL commands
        self.server = None
        self.thread = None
        self.port = None

    def start(self):
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.sink = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def wait(self, n, timeout=15):
        """At least n messages (all of them), or AssertionError after timeout."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.messages) >= n:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError("SMTP sink: expected %d messages, got %d" % (n, len(self.messages)))

    def find(self, pred, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                for m in self.messages:
                    if pred(m):
                        return m
            time.sleep(0.05)
        raise AssertionError("SMTP sink: no matching message among %d" % len(self.messages))

    def clear(self):
        with self.lock:
            self.messages = []

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
