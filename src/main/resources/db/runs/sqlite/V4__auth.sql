-- Authentication, grants and the audit trail live beside the runs they govern.

-- Floe API keys: only a hash of the secret is kept; the secret is shown once, at creation.
CREATE TABLE floe_api_keys (
  name VARCHAR(128) PRIMARY KEY,
  key_hash VARCHAR(64) NOT NULL UNIQUE,
  principal VARCHAR(256) NOT NULL,
  groups_json TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT
);

-- read/write on a catalog, a namespace or a table (scope: catalog[.namespace[.table]]), for a
-- principal or a group (subject).
CREATE TABLE floe_grants (
  subject VARCHAR(256) NOT NULL,
  privilege VARCHAR(8) NOT NULL,
  scope VARCHAR(1024) NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (subject, privilege, scope)
);

-- Every request, accepted or refused, and every run's end. Never a secret or a script's text.
CREATE TABLE floe_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at BIGINT NOT NULL,
  principal VARCHAR(256),
  credential VARCHAR(320),
  remote VARCHAR(128),
  action VARCHAR(320) NOT NULL,
  mode VARCHAR(16),
  script_sha256 VARCHAR(64),
  tables_json TEXT,
  destination VARCHAR(512),
  snapshot_id VARCHAR(32),
  status INTEGER,
  outcome VARCHAR(16) NOT NULL,
  error_code VARCHAR(64),
  run_id VARCHAR(64)
);

CREATE INDEX floe_audit_by_time ON floe_audit (at DESC);
CREATE INDEX floe_audit_by_principal ON floe_audit (principal, at DESC);
CREATE INDEX floe_audit_by_run ON floe_audit (run_id);
