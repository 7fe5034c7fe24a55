-- Incidents (src/cases): references, incidents, journal, tasks, links,
-- playbooks, attachments and the full-text search index.
-- Times are INTEGER milliseconds since the Unix epoch (UTC).

-- Reference counters per kind and year ("incident" 2026 -> VIGIE-2026-000123).
CREATE TABLE ref_counters (
  kind TEXT NOT NULL,
  year INTEGER NOT NULL CHECK (year BETWEEN 1970 AND 9999),
  next INTEGER NOT NULL CHECK (next >= 1),
  PRIMARY KEY (kind, year)
) STRICT;

CREATE TABLE incidents (
  id               INTEGER PRIMARY KEY,
  reference        TEXT NOT NULL UNIQUE,
  title            TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 512),
  description      TEXT NOT NULL DEFAULT '',
  org_id           INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
  taxonomy         TEXT NOT NULL DEFAULT 'other',
  type             TEXT NOT NULL DEFAULT 'undetermined',
  severity         TEXT NOT NULL DEFAULT 'medium' CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  impact_c         TEXT NOT NULL DEFAULT 'none' CHECK (impact_c IN ('none', 'low', 'medium', 'high')),
  impact_i         TEXT NOT NULL DEFAULT 'none' CHECK (impact_i IN ('none', 'low', 'medium', 'high')),
  impact_a         TEXT NOT NULL DEFAULT 'none' CHECK (impact_a IN ('none', 'low', 'medium', 'high')),
  systems_affected INTEGER NOT NULL DEFAULT 0 CHECK (systems_affected >= 0),
  users_affected   INTEGER NOT NULL DEFAULT 0 CHECK (users_affected >= 0),
  tlp              TEXT NOT NULL DEFAULT 'amber' CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
  pap              TEXT NOT NULL DEFAULT 'amber' CHECK (pap IN ('clear', 'green', 'amber', 'red')),
  status           TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'triage', 'analysis', 'containment',
                     'eradication', 'recovery', 'waiting', 'closed')),
  assignee_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  detected_at      INTEGER,
  awareness_at     INTEGER NOT NULL,
  acknowledged_at  INTEGER,
  first_advice_at  INTEGER,
  closed_at        INTEGER,
  -- NIS2 reports sent by the entity (stamped by the analyst).
  nis2_early_warning_at INTEGER,
  nis2_notification_at  INTEGER,
  nis2_final_report_at  INTEGER,
  -- Time spent in "waiting" (pauses the clocks): accumulated, plus the start of
  -- the current pause (NULL when not waiting).
  paused_ms        INTEGER NOT NULL DEFAULT 0 CHECK (paused_ms >= 0),
  paused_since     INTEGER,
  merged_into      INTEGER REFERENCES incidents(id) ON DELETE SET NULL
) STRICT;
CREATE INDEX incidents_org ON incidents(org_id, id);
CREATE INDEX incidents_status ON incidents(status, id);
CREATE INDEX incidents_assignee ON incidents(assignee_id, id);
CREATE INDEX incidents_type ON incidents(type, id);
CREATE INDEX incidents_created ON incidents(created_at);

-- Other organisations concerned (the primary one is incidents.org_id).
CREATE TABLE incident_orgs (
  incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  org_id      INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  PRIMARY KEY (incident_id, org_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX incident_orgs_org ON incident_orgs(org_id);

-- One timeline per incident. visible = shown to the constituent.
CREATE TABLE journal (
  id          INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('note', 'status', 'email_in', 'email_out', 'merge', 'task',
                'playbook', 'advice', 'attachment', 'report', 'link', 'reply')),
  visible     INTEGER NOT NULL DEFAULT 0 CHECK (visible IN (0, 1)),
  author_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
  body        TEXT NOT NULL DEFAULT '',
  meta        TEXT NOT NULL DEFAULT '{}',
  created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX journal_incident ON journal(incident_id, id);

CREATE TABLE playbooks (
  id         INTEGER PRIMARY KEY,
  slug       TEXT NOT NULL CHECK (length(slug) BETWEEN 1 AND 64),
  version    INTEGER NOT NULL CHECK (version >= 1),
  title      TEXT NOT NULL,
  types      TEXT NOT NULL DEFAULT '',   -- ",type1,type2," for LIKE lookup
  tasks      TEXT NOT NULL DEFAULT '[]', -- [{"title","due_offset_s"}]
  advice_md  TEXT NOT NULL DEFAULT '',
  builtin    INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
  created_at INTEGER NOT NULL,
  UNIQUE (slug, version)
) STRICT;

CREATE TABLE tasks (
  id          INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 512),
  assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  due_at      INTEGER,
  state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'cancelled')),
  playbook_id INTEGER REFERENCES playbooks(id) ON DELETE SET NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  done_at     INTEGER
) STRICT;
CREATE INDEX tasks_incident ON tasks(incident_id, id);

-- Manual links, stored once with a < b.
CREATE TABLE incident_links (
  id         INTEGER PRIMARY KEY,
  a          INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  b          INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  reason     TEXT NOT NULL DEFAULT '',
  author_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  CHECK (a < b),
  UNIQUE (a, b)
) STRICT;
CREATE INDEX incident_links_b ON incident_links(b);

-- Files stored once by SHA-256 under data_dir; never executed.
CREATE TABLE attachments (
  id           INTEGER PRIMARY KEY,
  sha256       TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
  size         INTEGER NOT NULL CHECK (size >= 0),
  content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
  tags         TEXT NOT NULL DEFAULT '[]',  -- JSON array: "yara:<rule>"
  scanned_at   INTEGER,
  created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE attachment_links (
  id            INTEGER PRIMARY KEY,
  attachment_id INTEGER NOT NULL REFERENCES attachments(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (kind IN ('incident', 'report', 'journal')),
  object_id     INTEGER NOT NULL,
  filename      TEXT NOT NULL,
  uploader_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
  visible       INTEGER NOT NULL DEFAULT 0 CHECK (visible IN (0, 1)),
  created_at    INTEGER NOT NULL,
  UNIQUE (attachment_id, kind, object_id)
) STRICT;
CREATE INDEX attachment_links_object ON attachment_links(kind, object_id);

-- Full-text search. search_docs maps a document (kind, object_id) to the FTS
-- row with the same id; incident_id groups journal entries (and merged
-- reports) under their incident; visible=0 hides a document from constituents.
CREATE TABLE search_docs (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  object_id   INTEGER NOT NULL,
  org_id      INTEGER NOT NULL DEFAULT 0,
  incident_id INTEGER NOT NULL DEFAULT 0,
  visible     INTEGER NOT NULL DEFAULT 1 CHECK (visible IN (0, 1)),
  UNIQUE (kind, object_id)
) STRICT;
CREATE INDEX search_docs_incident ON search_docs(incident_id);
-- scope holds "org<id> vis<0|1>" so a constituent's query is restricted inside
-- FTS5 itself (doclist intersection) rather than by filtering every match;
-- user queries only look at {title body}.
CREATE VIRTUAL TABLE search_fts USING fts5(title, body, scope, tokenize = 'unicode61 remove_diacritics 2');
