-- The run store as it was before migrations existed: a database created then is baselined at
-- this version (RunSchema), so this script runs only on a new database.
CREATE TABLE floe_runs (
  run_id VARCHAR(64) PRIMARY KEY,
  status VARCHAR(16) NOT NULL,
  mode VARCHAR(16),
  catalog VARCHAR(256),
  destination VARCHAR(512),
  principal VARCHAR(256),
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  elapsed_ms BIGINT,
  row_count BIGINT,
  saved_json TEXT,
  error_json TEXT,
  logs TEXT,
  result_file VARCHAR(1024),
  result_expires_at BIGINT,
  plan_json TEXT,
  max_rows INTEGER,
  max_result_bytes BIGINT
);

CREATE INDEX floe_runs_by_time ON floe_runs (created_at DESC);

CREATE TABLE floe_idempotency (
  idem_key VARCHAR(512) PRIMARY KEY,
  body_hash VARCHAR(64) NOT NULL,
  run_id VARCHAR(64) NOT NULL,
  created_at BIGINT NOT NULL
);
