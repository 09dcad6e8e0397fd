-- Every index of executions is written when a run starts and again when
-- it closes, and at a million runs the B-tree descents of those writes are
-- what a workflow costs more than on an empty store (BENCHMARKS.md,
-- "Writes as the store grows"). Two indexes repeat others:
--
-- executions_by_workflow (domain, workflow_id, open, started_at, seq) of
-- 0002 is executions_by_workflow_start of 0005 but for the last column:
-- the latest run of a workflow id is found in that index's order, and
-- only runs of one workflow id started in the same millisecond are put in
-- seq order after it.
--
-- executions_by_close (domain, closed_at, run_id) WHERE NOT open of 0003
-- holds the same runs in the same order as executions_by_close_time
-- (domain, open, closed_at, run_id) WHERE closed_at IS NOT NULL of 0005
-- with open = 0, as a run has a close time exactly when it is closed.
-- Retention's pick reads that one instead.
DROP INDEX executions_by_workflow;
DROP INDEX executions_by_close;
