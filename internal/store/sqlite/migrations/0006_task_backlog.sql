-- When each waiting task was queued (UTC milliseconds), so that the age of
-- a task list's oldest task can be reported (store.Backlogs). Tasks queued
-- before this step get the time of the migration: their true age is not
-- known, and this errs on the young side rather than inventing an old one.
ALTER TABLE tasks ADD COLUMN queued_at INTEGER NOT NULL DEFAULT 0;
UPDATE tasks SET queued_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);
