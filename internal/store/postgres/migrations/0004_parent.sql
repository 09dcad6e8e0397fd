-- The parent of a child run (the run that started it, or, for a successor
-- by continue-as-new, its predecessor's parent), so that the visibility
-- operations report it from the columns alone, as they report everything
-- else. NULL for a run without a parent. The columns are written when a
-- run is created and never change.

ALTER TABLE executions
	ADD COLUMN parent_workflow_id text COLLATE "C",
	ADD COLUMN parent_run_id text COLLATE "C";

-- Runs created before these columns existed: the parent is in the
-- engine's state, a JSON object (encoded by the service, so valid UTF-8
-- JSON) whose "parent" member names it. The LIKE skips the runs that
-- cannot have one without parsing them. PostgreSQL refuses to parse a
-- \u0000, which a run's input may hold; it becomes \u0020 first, which
-- keeps the document valid (it is an escape, or text after an escaped
-- backslash) and changes no workflow or run id (they hold no control
-- characters).
UPDATE executions e
SET parent_workflow_id = s.doc -> 'parent' ->> 'workflowId',
	parent_run_id = s.doc -> 'parent' ->> 'runId'
FROM (
	SELECT run_id, replace(convert_from(state, 'UTF8'), '\u0000', '\u0020')::json AS doc
	FROM executions
	WHERE state LIKE '%"parent"%'::bytea
) s
WHERE e.run_id = s.run_id AND json_typeof(s.doc -> 'parent') = 'object';
