-- Where a successful run executed (locally, or on the distributed engine with its query id) and,
-- for "distributed": "auto", why: a JSON object, null for runs recorded before.
ALTER TABLE floe_runs ADD COLUMN compute_json TEXT;
