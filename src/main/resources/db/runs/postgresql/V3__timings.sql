-- Where a run's time went (runner start, hand-over, execution, commit) and how it got its runner
-- (warm from the pool, or cold): a JSON object, null for runs recorded before.
ALTER TABLE floe_runs ADD COLUMN timings_json TEXT;
