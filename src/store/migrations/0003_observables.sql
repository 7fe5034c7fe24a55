-- Observables and correlation (src/observe).
-- Each normalised (type, value) is stored once; observable_links point reports,
-- incidents and alerts at it. object_id is not a foreign key: the object tables
-- come in later migrations, and their owners remove links when they delete.

CREATE TABLE observables (
  id            INTEGER PRIMARY KEY,
  type          TEXT NOT NULL CHECK (type IN ('ipv4', 'ipv6', 'cidr', 'domain', 'url', 'email', 'md5',
                  'sha1', 'sha256', 'sha512', 'filename', 'cve', 'asn', 'user_agent', 'string')),
  value         TEXT NOT NULL CHECK (length(value) BETWEEN 1 AND 2048),
  -- ipv4/ipv6/cidr: packed network address (4 or 16 bytes) and prefix length,
  -- for containment queries; NULL for other types.
  addr          BLOB,
  prefix        INTEGER,
  first_seen    INTEGER NOT NULL,
  last_seen     INTEGER NOT NULL,
  ioc           INTEGER NOT NULL DEFAULT 0 CHECK (ioc IN (0, 1)),
  common        INTEGER NOT NULL DEFAULT 0 CHECK (common IN (0, 1)),
  common_reason TEXT NOT NULL DEFAULT '',
  common_by     TEXT NOT NULL DEFAULT '' CHECK (common_by IN ('', 'auto', 'analyst')),
  tags          TEXT NOT NULL DEFAULT '[]',
  link_count    INTEGER NOT NULL DEFAULT 0 CHECK (link_count >= 0),
  UNIQUE (type, value)
) STRICT;
-- IPs inside a CIDR: range scan on (type, addr).
CREATE INDEX observables_addr ON observables(type, addr) WHERE addr IS NOT NULL;
CREATE INDEX observables_ioc ON observables(ioc) WHERE ioc = 1;

-- Prefix lengths in use by CIDR observables, per family: "CIDRs containing
-- this IP" looks up only these lengths (rows are never removed; a stale length
-- costs one lookup).
CREATE TABLE observable_prefixes (
  family INTEGER NOT NULL CHECK (family IN (4, 6)),
  prefix INTEGER NOT NULL CHECK (prefix BETWEEN 0 AND 128),
  PRIMARY KEY (family, prefix)
) STRICT, WITHOUT ROWID;

CREATE TABLE observable_links (
  observable_id INTEGER NOT NULL REFERENCES observables(id) ON DELETE CASCADE,
  object_type   TEXT NOT NULL CHECK (object_type IN ('report', 'incident', 'alert')),
  object_id     INTEGER NOT NULL,
  org_id        INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
  created_at    INTEGER NOT NULL,
  source        TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (observable_id, object_type, object_id)
) STRICT, WITHOUT ROWID;
-- The observables of one object (and the reverse direction for correlation:
-- the primary key serves "objects holding this value").
CREATE INDEX observable_links_object ON observable_links(object_type, object_id, observable_id);
