-- Alerts: hits of the detection engine written by `vigie detect` (src/alerts).
-- One row per fingerprint (rule + chosen event fields) and dedup window: a
-- repeated hit bumps count and last_seen instead of adding a row.

CREATE TABLE alerts (
  id              INTEGER PRIMARY KEY,
  rule_id         TEXT NOT NULL DEFAULT '',
  title           TEXT NOT NULL DEFAULT '',
  level           TEXT NOT NULL DEFAULT '',
  severity        TEXT NOT NULL DEFAULT 'low'
                    CHECK (severity IN ('informational', 'low', 'medium', 'high', 'critical')),
  author          TEXT NOT NULL DEFAULT '',
  tags            TEXT NOT NULL DEFAULT '[]',
  fingerprint     TEXT NOT NULL,
  first_seen      INTEGER NOT NULL,
  last_seen       INTEGER NOT NULL,
  count           INTEGER NOT NULL DEFAULT 1,
  status          TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'merged')),
  acknowledged_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  acknowledged_at INTEGER,
  incident_id     INTEGER REFERENCES incidents(id) ON DELETE SET NULL,
  org_id          INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
  event           TEXT NOT NULL DEFAULT '{}',
  matched         TEXT NOT NULL DEFAULT '[]',
  created_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX alerts_fingerprint ON alerts (fingerprint, last_seen);
CREATE INDEX alerts_org ON alerts (org_id, id);
CREATE INDEX alerts_status ON alerts (status, id);
