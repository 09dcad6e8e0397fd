-- Visibility at scale: every List query is a range scan of one index in
-- the order it asks for, from the page position on, and every Count a
-- range count of one index (an index-only scan where the visibility map
-- allows; vacuum keeps it).
--
-- A query is ordered by start time or, for closed runs filtered on close
-- time, by close time, with the run id breaking ties. So each way of
-- narrowing (none, workflow id, type name, type name and version, close
-- status, tag) has two indexes: its equality columns after the domain,
-- then "open" (so that a count reads only the index), the time and the
-- run id. Only closed runs have a close time: the indexes by close time
-- leave out the others (closed_at IS NOT NULL, which the query's
-- "closed_at >= $n" implies).
--
-- 0003's executions_by_start (domain, open, started_at, run_id) serves
-- the unfiltered lists by start time, and its executions_by_close (domain,
-- closed_at, run_id) WHERE NOT open, which retention reads too, those by
-- close time: the planner proves NOT open from "open = false", and a
-- count reads it alone.

-- 0003's type and close status indexes end with the time and no run id,
-- the type index cannot list a name across its versions in time order,
-- and the tag index (GIN) cannot list in any order: execution_tags below
-- replaces it.
DROP INDEX executions_by_type;
DROP INDEX executions_by_close_status;
DROP INDEX executions_by_tag;

CREATE INDEX executions_by_workflow_start ON executions (domain, workflow_id, open, started_at, run_id);
CREATE INDEX executions_by_workflow_close ON executions (domain, workflow_id, open, closed_at, run_id) WHERE closed_at IS NOT NULL;

CREATE INDEX executions_by_name_start ON executions (domain, type_name, open, started_at, run_id);
CREATE INDEX executions_by_name_close ON executions (domain, type_name, open, closed_at, run_id) WHERE closed_at IS NOT NULL;

CREATE INDEX executions_by_type_start ON executions (domain, type_name, type_version, open, started_at, run_id);
CREATE INDEX executions_by_type_close ON executions (domain, type_name, type_version, open, closed_at, run_id) WHERE closed_at IS NOT NULL;

-- An open run's close status is empty, which no filter asks for.
CREATE INDEX executions_by_status_start ON executions (domain, close_status, open, started_at, run_id);
CREATE INDEX executions_by_status_close ON executions (domain, close_status, open, closed_at, run_id) WHERE closed_at IS NOT NULL;

-- The tag filter: each tag of a run is also a row here, with the run's
-- columns that the tag queries select and order on. A trigger keeps the
-- rows in step with the run in the statement that changes it, whichever
-- path writes it (a change, retention, a migration): a run's tags are set
-- when it starts, and its rows change again only when it closes. A tag
-- given twice is one row, as the filter matches a run once.
CREATE TABLE execution_tags (
	run_id     text COLLATE "C" NOT NULL,
	tag        text COLLATE "C" NOT NULL,
	domain     text COLLATE "C" NOT NULL,
	open       boolean NOT NULL,
	started_at bigint  NOT NULL,
	closed_at  bigint,
	PRIMARY KEY (run_id, tag)
);

CREATE INDEX execution_tags_by_start ON execution_tags (domain, tag, open, started_at, run_id);
CREATE INDEX execution_tags_by_close ON execution_tags (domain, tag, open, closed_at, run_id) WHERE closed_at IS NOT NULL;

INSERT INTO execution_tags (run_id, tag, domain, open, started_at, closed_at)
SELECT DISTINCT e.run_id, t.tag, e.domain, e.open, e.started_at, e.closed_at
FROM executions e, unnest(e.tag_list) AS t (tag)
WHERE cardinality(e.tag_list) > 0;

CREATE FUNCTION execution_tags_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM execution_tags WHERE run_id = OLD.run_id;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO execution_tags (run_id, tag, domain, open, started_at, closed_at)
		SELECT DISTINCT NEW.run_id, t.tag, NEW.domain, NEW.open, NEW.started_at, NEW.closed_at
		FROM unnest(NEW.tag_list) AS t (tag);
	END IF;
	RETURN NULL;
END;
$$;

-- Most runs have no tags, and most changes to a run leave the columns
-- copied here as they were: the WHEN clauses skip those without calling
-- the function.
CREATE TRIGGER execution_tags_insert AFTER INSERT ON executions
FOR EACH ROW WHEN (cardinality(NEW.tag_list) > 0)
EXECUTE FUNCTION execution_tags_sync();

CREATE TRIGGER execution_tags_update AFTER UPDATE ON executions
FOR EACH ROW WHEN (OLD.tag_list IS DISTINCT FROM NEW.tag_list
	OR (cardinality(NEW.tag_list) > 0 AND (OLD.domain IS DISTINCT FROM NEW.domain
		OR OLD.open IS DISTINCT FROM NEW.open OR OLD.started_at IS DISTINCT FROM NEW.started_at
		OR OLD.closed_at IS DISTINCT FROM NEW.closed_at)))
EXECUTE FUNCTION execution_tags_sync();

CREATE TRIGGER execution_tags_delete AFTER DELETE ON executions
FOR EACH ROW WHEN (cardinality(OLD.tag_list) > 0)
EXECUTE FUNCTION execution_tags_sync();
