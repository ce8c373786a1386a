-- The W3C trace id of the run's trace (32 hex digits), null for runs recorded before.
ALTER TABLE floe_runs ADD COLUMN trace_id TEXT;
