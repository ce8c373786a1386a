-- The run store on PostgreSQL: the same versions as db/runs/sqlite (V1..V5, one per schema change),
-- so a store's history reads the same on either database. Text columns are TEXT where SQLite's
-- are VARCHAR(n): SQLite never enforced those lengths, so a value a SQLite store accepts must not be
-- refused here (an audit entry for a long request path, say). Times are epoch milliseconds (BIGINT)
-- on both.
CREATE TABLE floe_runs (
  run_id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  mode TEXT,
  catalog TEXT,
  destination TEXT,
  principal TEXT,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  elapsed_ms BIGINT,
  row_count BIGINT,
  saved_json TEXT,
  error_json TEXT,
  logs TEXT,
  result_file TEXT,
  result_expires_at BIGINT,
  plan_json TEXT,
  max_rows INTEGER,
  max_result_bytes BIGINT
);

CREATE INDEX floe_runs_by_time ON floe_runs (created_at DESC);

CREATE TABLE floe_idempotency (
  idem_key TEXT PRIMARY KEY,
  body_hash TEXT NOT NULL,
  run_id TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
