-- Authentication, grants and the audit trail live beside the runs they govern.

-- Floe API keys: only a hash of the secret is kept; the secret is shown once, at creation.
CREATE TABLE floe_api_keys (
  name TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  principal TEXT NOT NULL,
  groups_json TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT
);

-- read/write on a catalog, a namespace or a table (scope: catalog[.namespace[.table]]), for a
-- principal or a group (subject).
CREATE TABLE floe_grants (
  subject TEXT NOT NULL,
  privilege TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (subject, privilege, scope)
);

-- Every request, accepted or refused, and every run's end. Never a secret or a script's text.
-- id: assigned by the database, increasing, never reused (SQLite's INTEGER PRIMARY KEY
-- AUTOINCREMENT).
CREATE TABLE floe_audit (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at BIGINT NOT NULL,
  principal TEXT,
  credential TEXT,
  remote TEXT,
  action TEXT NOT NULL,
  mode TEXT,
  script_sha256 TEXT,
  tables_json TEXT,
  destination TEXT,
  snapshot_id TEXT,
  status INTEGER,
  outcome TEXT NOT NULL,
  error_code TEXT,
  run_id TEXT
);

CREATE INDEX floe_audit_by_time ON floe_audit (at DESC);
CREATE INDEX floe_audit_by_principal ON floe_audit (principal, at DESC);
CREATE INDEX floe_audit_by_run ON floe_audit (run_id);
