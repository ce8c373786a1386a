-- A run whose save began to be committed: after a crash, whether the save landed is not known,
-- so a retry with the same Idempotency-Key must not run it again. 0 or 1, as on SQLite (the store
-- binds it as an integer on both).
ALTER TABLE floe_runs ADD COLUMN commit_started INTEGER NOT NULL DEFAULT 0;
