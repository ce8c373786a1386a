-- More than one Floe on one store. Each replica (one service process) has a row while it lives,
-- its heartbeat_at moved forward every floe.replica.heartbeat-interval; a replica whose heartbeat
-- stops moving for floe.replica.lease is lost: its row goes, and its runs in flight read failed.
-- address: where the other replicas reach it (logs, cancel and results of its runs).
CREATE TABLE floe_replicas (
  replica_id TEXT PRIMARY KEY,
  address TEXT,
  started_at BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL
);

-- The replica that accepted the run and runs it; null for runs recorded before.
ALTER TABLE floe_runs ADD COLUMN replica_id TEXT;

CREATE INDEX floe_runs_by_status ON floe_runs (status);

-- Bumped by every change to the API keys or the grants, so each replica knows when to reload its
-- copy of them.
CREATE TABLE floe_auth_version (
  id INTEGER PRIMARY KEY,
  version BIGINT NOT NULL
);

INSERT INTO floe_auth_version (id, version) VALUES (1, 0);
