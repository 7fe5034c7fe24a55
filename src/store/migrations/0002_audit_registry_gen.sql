-- Hash-chained audit log, and a generation counter that every registry change
-- bumps so running servers know to rebuild their in-memory lookup index.

CREATE TABLE audit_log (
  seq         INTEGER PRIMARY KEY,
  ts          INTEGER NOT NULL,
  actor_id    INTEGER,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  object_type TEXT NOT NULL DEFAULT '',
  object_id   TEXT NOT NULL DEFAULT '',
  org_id      INTEGER,
  outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
  ip          TEXT NOT NULL DEFAULT '',
  request_id  TEXT NOT NULL DEFAULT '',
  detail      TEXT NOT NULL DEFAULT '{}',
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_ts ON audit_log(ts);
CREATE INDEX audit_log_actor ON audit_log(actor_id);

CREATE TRIGGER org_gen_i AFTER INSERT ON organisations BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_gen'; END;
CREATE TRIGGER org_gen_u AFTER UPDATE ON organisations BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_gen'; END;
CREATE TRIGGER org_gen_d AFTER DELETE ON organisations BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_gen'; END;
CREATE TRIGGER net_gen_i AFTER INSERT ON org_networks BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_gen'; END;
CREATE TRIGGER net_gen_d AFTER DELETE ON org_networks BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_gen'; END;
CREATE TRIGGER asn_gen_i AFTER INSERT ON org_asns BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_gen'; END;
CREATE TRIGGER asn_gen_d AFTER DELETE ON org_asns BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_gen'; END;
CREATE TRIGGER dom_gen_i AFTER INSERT ON org_domains BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_gen'; END;
CREATE TRIGGER dom_gen_d AFTER DELETE ON org_domains BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_gen'; END;
CREATE TRIGGER con_gen_i AFTER INSERT ON contacts BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_gen'; END;
CREATE TRIGGER con_gen_u AFTER UPDATE OF email, org_id ON contacts BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_gen'; END;
CREATE TRIGGER con_gen_d AFTER DELETE ON contacts BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_gen'; END;
