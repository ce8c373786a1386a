-- What a run was asked to run (the query or script, its bindings, its params; JSON), for its run
-- page; null in records from before it was kept.
ALTER TABLE floe_runs ADD COLUMN request_json TEXT;
