-- Constituency registry and accounts.
-- Times are INTEGER milliseconds since the Unix epoch (UTC).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;
INSERT INTO meta(key, value) VALUES ('registry_gen', 1);

CREATE TABLE organisations (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(name) BETWEEN 1 AND 256),
  short_name TEXT NOT NULL DEFAULT '',
  kind       TEXT NOT NULL CHECK (kind IN ('cert', 'ministry', 'public_body', 'local_authority',
               'court', 'independent_authority', 'oiv', 'oes', 'partner_cert', 'isp', 'other')),
  sector     TEXT NOT NULL DEFAULT '',
  nis2       TEXT NOT NULL DEFAULT '' CHECK (nis2 IN ('', 'essential', 'important')),
  parent_id  INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
  in_scope   INTEGER NOT NULL DEFAULT 1 CHECK (in_scope IN (0, 1)),
  country    TEXT NOT NULL DEFAULT '',
  notes      TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX organisations_parent ON organisations(parent_id);
CREATE INDEX organisations_kind ON organisations(kind);

CREATE TABLE contacts (
  id              INTEGER PRIMARY KEY,
  org_id          INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  name            TEXT NOT NULL DEFAULT '',
  role            TEXT NOT NULL DEFAULT '',
  email           TEXT NOT NULL COLLATE NOCASE,
  phone           TEXT NOT NULL DEFAULT '',
  pgp_fingerprint TEXT NOT NULL DEFAULT '',
  language        TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  UNIQUE (org_id, email)
) STRICT;
CREATE INDEX contacts_email ON contacts(email);

-- A prefix in canonical text form plus its packed start address (16 bytes for
-- IPv6, 4 for IPv4) so range queries and the in-memory index need no re-parsing.
CREATE TABLE org_networks (
  id         INTEGER PRIMARY KEY,
  org_id     INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  cidr       TEXT NOT NULL,
  family     INTEGER NOT NULL CHECK (family IN (4, 6)),
  addr       BLOB NOT NULL,
  prefix     INTEGER NOT NULL CHECK (prefix BETWEEN 0 AND 128),
  note       TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (org_id, cidr)
) STRICT;
CREATE INDEX org_networks_cidr ON org_networks(cidr);

CREATE TABLE org_asns (
  id         INTEGER PRIMARY KEY,
  org_id     INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  asn        INTEGER NOT NULL CHECK (asn BETWEEN 1 AND 4294967295),
  note       TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (org_id, asn)
) STRICT;
CREATE INDEX org_asns_asn ON org_asns(asn);

CREATE TABLE org_domains (
  id         INTEGER PRIMARY KEY,
  org_id     INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  domain     TEXT NOT NULL,
  note       TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (org_id, domain)
) STRICT;
CREATE INDEX org_domains_domain ON org_domains(domain);

CREATE TABLE org_products (
  id         INTEGER PRIMARY KEY,
  org_id     INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  cpe        TEXT NOT NULL,
  note       TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (org_id, cpe)
) STRICT;
CREATE INDEX org_products_cpe ON org_products(cpe);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  org_id        INTEGER NOT NULL REFERENCES organisations(id),
  username      TEXT NOT NULL COLLATE NOCASE UNIQUE,
  display_name  TEXT NOT NULL DEFAULT '',
  email         TEXT NOT NULL DEFAULT '',
  role          TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'constituent', 'partner')),
  password_hash TEXT NOT NULL,
  language      TEXT NOT NULL DEFAULT 'en',
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  last_login_at INTEGER
) STRICT;
CREATE INDEX users_org ON users(org_id);

-- Browser sessions. Only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
  id          INTEGER PRIMARY KEY,
  token_hash  BLOB NOT NULL UNIQUE,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  ip          TEXT NOT NULL DEFAULT '',
  user_agent  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

-- API tokens: shown once, stored as SHA-256.
CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  token_hash   BLOB NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,
  read_only    INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  revoked_at   INTEGER,
  last_used_at INTEGER
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens(user_id);
