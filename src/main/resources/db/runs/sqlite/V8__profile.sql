-- A profiled run's profile: the streaming engine's nodes with their time and rows (JSON, as the run
-- reported it), null for runs that were not profiled.
ALTER TABLE floe_runs ADD COLUMN profile_json TEXT;
