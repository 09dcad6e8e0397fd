-- The parent of a child run (the run that started it, or, for a successor
-- by continue-as-new, its predecessor's parent), so that the visibility
-- operations report it from the columns alone, as they report everything
-- else. NULL for a run without a parent. The columns are written when a
-- run is created and never change.

ALTER TABLE executions ADD COLUMN parent_workflow_id TEXT;
ALTER TABLE executions ADD COLUMN parent_run_id TEXT;

-- Runs created before these columns existed: the parent is in the
-- engine's state, a JSON object whose "parent" member names it. The state
-- is stored as a BLOB, which the JSON functions would read as JSONB, so it
-- is read as text; instr skips the runs that cannot have one without
-- parsing them, and the CASE (whose order SQLite keeps) a state that is
-- not JSON.
UPDATE executions
SET parent_workflow_id = json_extract(CAST(state AS TEXT), '$.parent.workflowId'),
	parent_run_id = json_extract(CAST(state AS TEXT), '$.parent.runId')
WHERE instr(state, CAST('"parent"' AS BLOB)) > 0
	AND CASE WHEN json_valid(CAST(state AS TEXT))
		THEN json_type(CAST(state AS TEXT), '$.parent') = 'object' END;
