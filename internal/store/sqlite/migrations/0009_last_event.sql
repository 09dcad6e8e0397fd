-- The id of a run's last history event, kept on its row. A change's
-- events must follow the history densely; with the number on the row, the
-- UPDATE that moves the run to its next version checks it in its own
-- guard, where it used to cost a statement of its own on every change
-- (the largest event id of the run, read from history_events).
ALTER TABLE executions ADD COLUMN last_event INTEGER NOT NULL DEFAULT 0;

UPDATE executions
SET last_event = (SELECT COALESCE(MAX(h.event_id), 0) FROM history_events h WHERE h.run_id = executions.run_id);
