-- Report intake, triage, mail threading and the outbox (src/intake, src/notify).
-- Nothing here is ever deleted by the application: a report stays searchable
-- with its decision, who made it and when.

CREATE TABLE reports (
  id              INTEGER PRIMARY KEY,
  reference       TEXT NOT NULL UNIQUE,
  source          TEXT NOT NULL CHECK (source IN ('api', 'form', 'email')),
  reporter_name   TEXT NOT NULL DEFAULT '',
  reporter_email  TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  org_id          INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
  subject         TEXT NOT NULL DEFAULT '',
  body            TEXT NOT NULL DEFAULT '',
  -- e-mail: the raw message stored by SHA-256 under data_dir/mail
  raw_sha256      TEXT NOT NULL DEFAULT '',
  raw_size        INTEGER NOT NULL DEFAULT 0,
  parse_error     TEXT NOT NULL DEFAULT '',
  message_id      TEXT NOT NULL DEFAULT '',
  sig_status      TEXT NOT NULL DEFAULT 'none'
                    CHECK (sig_status IN ('none', 'valid', 'invalid', 'unknown_key', 'error')),
  sig_fingerprint TEXT NOT NULL DEFAULT '',
  encrypted       INTEGER NOT NULL DEFAULT 0 CHECK (encrypted IN (0, 1)),
  -- API: client idempotency key, unique per submitting user
  idempotency_key TEXT NOT NULL DEFAULT '',
  created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
  -- triage
  status          TEXT NOT NULL DEFAULT 'new'
                    CHECK (status IN ('new', 'in_scope', 'forwarded', 'referred', 'merged', 'incident')),
  decision        TEXT NOT NULL DEFAULT ''
                    CHECK (decision IN ('', 'in_scope', 'forward', 'refer', 'merge', 'new_incident')),
  decision_notes  TEXT NOT NULL DEFAULT '',
  partner_org_id  INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
  incident_id     INTEGER REFERENCES incidents(id) ON DELETE SET NULL,
  decided_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
  decided_by_name TEXT NOT NULL DEFAULT '',
  decided_at      INTEGER,
  suggestion      TEXT NOT NULL DEFAULT '{}',
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX reports_message_id ON reports(message_id) WHERE message_id <> '';
CREATE UNIQUE INDEX reports_idempotency ON reports(created_by, idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX reports_org ON reports(org_id, id);
CREATE INDEX reports_status ON reports(status, id);
CREATE INDEX reports_incident ON reports(incident_id) WHERE incident_id IS NOT NULL;

-- Follow-up messages of a report (replies in and mail out) while it is not an incident.
CREATE TABLE report_messages (
  id          INTEGER PRIMARY KEY,
  report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  message_id  TEXT NOT NULL DEFAULT '',
  sender      TEXT NOT NULL DEFAULT '',
  subject     TEXT NOT NULL DEFAULT '',
  body        TEXT NOT NULL DEFAULT '',
  raw_sha256  TEXT NOT NULL DEFAULT '',
  parse_error TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX report_messages_report ON report_messages(report_id, id);

-- Mail threading: every Message-ID we sent or received, and what it belongs to.
CREATE TABLE mail_threads (
  message_id  TEXT PRIMARY KEY,
  direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  report_id   INTEGER REFERENCES reports(id) ON DELETE SET NULL,
  incident_id INTEGER REFERENCES incidents(id) ON DELETE SET NULL,
  created_at  INTEGER NOT NULL
) STRICT;

-- Outgoing mail: queued with the change that causes it, sent after commit.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  message_id      TEXT NOT NULL UNIQUE,
  mail_from       TEXT NOT NULL,
  rcpt            TEXT NOT NULL,
  subject         TEXT NOT NULL DEFAULT '',
  data            TEXT NOT NULL,
  purpose         TEXT NOT NULL DEFAULT '',
  object_type     TEXT NOT NULL DEFAULT '',
  object_id       INTEGER NOT NULL DEFAULT 0,
  status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  sent_at         INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_object ON outbox(object_type, object_id);
