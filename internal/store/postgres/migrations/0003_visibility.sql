-- Indexes of the visibility operations (List/Count Open/Closed
-- WorkflowExecutions). Each serves one way of listing a domain's runs:
-- newest first by start or close time, the run id breaking ties, so a page
-- boundary (time, run id) is a seek in the index. The partial indexes
-- carry the predicate the queries write ("NOT open").

-- Open runs, and closed runs by start time.
CREATE INDEX executions_by_start ON executions (domain, open, started_at, run_id);

-- Closed runs by close time.
CREATE INDEX executions_by_close ON executions (domain, closed_at, run_id) WHERE NOT open;

-- The type filter: name, and version when given.
CREATE INDEX executions_by_type ON executions (domain, type_name, type_version, open, started_at);

-- The close status filter.
CREATE INDEX executions_by_close_status ON executions (domain, close_status, closed_at) WHERE NOT open;

-- The tag filter: containment (tag_list @> ARRAY[tag]) is what a GIN index
-- answers.
CREATE INDEX executions_by_tag ON executions USING gin (tag_list);

-- The execution filter (workflow id) is served by executions_by_workflow
-- from 0002.
