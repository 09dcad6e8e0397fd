-- Every index of executions is written when a run starts and again when
-- it closes, and at a million runs the descents of those writes are what
-- a workflow costs more than on an empty store (BENCHMARKS.md, "Writes as
-- the store grows"). executions_by_workflow (domain, workflow_id, open,
-- started_at, seq) of 0002 repeats executions_by_workflow_start of 0005
-- but for the last column: the latest run of a workflow id is found in
-- that index's order, and only runs of one workflow id started in the
-- same millisecond are put in seq order after it.
DROP INDEX executions_by_workflow;
