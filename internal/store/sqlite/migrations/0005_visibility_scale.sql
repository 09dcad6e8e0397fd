-- Visibility at scale: every List query is a range scan of one index in
-- the order it asks for, from the page position on, and every Count a
-- range count of one index that reads no table row.
--
-- A query is ordered by start time or, for closed runs filtered on close
-- time, by close time, with the run id breaking ties. So each way of
-- narrowing (none, workflow id, type name, type name and version, close
-- status, tag) has two indexes: its equality columns after the domain,
-- then "open", the time and the run id. "open" is there so that a count
-- reads only the index; the queries write it "open = 0" or "open = 1", as
-- SQLite takes a bare "open" for a truth test, never an equality. Only
-- closed runs have a close time: the indexes by close time leave out the
-- others (closed_at IS NOT NULL, which the query's "closed_at >= ?"
-- implies, so SQLite sees they apply).
--
-- The queries name their index (INDEXED BY): a planner that chose another
-- one, as SQLite without statistics may, would turn a page into a scan.
--
-- executions_by_start (domain, open, started_at, run_id) of 0003 serves
-- the unfiltered lists by start time. Retention keeps reading
-- executions_by_close of 0003.

-- 0003, serve the unfiltered lists.

-- 0003's type and close status indexes end with the time and no run id,
-- and the type index cannot list a name across its versions in time order.
DROP INDEX executions_by_type;
DROP INDEX executions_by_close_status;

CREATE INDEX executions_by_close_time ON executions (domain, open, closed_at, run_id) WHERE closed_at IS NOT NULL;

CREATE INDEX executions_by_workflow_start ON executions (domain, workflow_id, open, started_at, run_id);
CREATE INDEX executions_by_workflow_close ON executions (domain, workflow_id, open, closed_at, run_id) WHERE closed_at IS NOT NULL;

CREATE INDEX executions_by_name_start ON executions (domain, type_name, open, started_at, run_id);
CREATE INDEX executions_by_name_close ON executions (domain, type_name, open, closed_at, run_id) WHERE closed_at IS NOT NULL;

CREATE INDEX executions_by_type_start ON executions (domain, type_name, type_version, open, started_at, run_id);
CREATE INDEX executions_by_type_close ON executions (domain, type_name, type_version, open, closed_at, run_id) WHERE closed_at IS NOT NULL;

-- An open run's close status is empty, which no filter asks for.
CREATE INDEX executions_by_status_start ON executions (domain, close_status, open, started_at, run_id);
CREATE INDEX executions_by_status_close ON executions (domain, close_status, open, closed_at, run_id) WHERE closed_at IS NOT NULL;

-- The tag filter. A run's tags are a JSON array, which no index reaches
-- into, so each tag of a run is also a row here with the run's columns
-- that the tag queries select and order on. Triggers keep the rows in step
-- with the run in the statement that changes it, whichever path writes it
-- (a change, retention, a migration): a run's tags are set when it starts,
-- and its rows change again only when it closes. A tag given twice is one
-- row, as the filter matches a run once.
CREATE TABLE execution_tags (
	run_id     TEXT    NOT NULL,
	tag        TEXT    NOT NULL,
	domain     TEXT    NOT NULL,
	open       INTEGER NOT NULL,
	started_at INTEGER NOT NULL,
	closed_at  INTEGER,
	PRIMARY KEY (run_id, tag)
) STRICT, WITHOUT ROWID;

CREATE INDEX execution_tags_by_start ON execution_tags (domain, tag, open, started_at, run_id);
CREATE INDEX execution_tags_by_close ON execution_tags (domain, tag, open, closed_at, run_id) WHERE closed_at IS NOT NULL;

INSERT OR IGNORE INTO execution_tags (run_id, tag, domain, open, started_at, closed_at)
SELECT e.run_id, j.value, e.domain, e.open, e.started_at, e.closed_at
FROM executions e, json_each(e.tag_list) j
WHERE e.tag_list <> '[]';

-- Most runs have no tags ('[]', as the store writes an empty list), and
-- most changes to a run leave the columns copied here as they were: the
-- WHEN clauses skip those without touching the table.
CREATE TRIGGER execution_tags_insert AFTER INSERT ON executions
WHEN NEW.tag_list <> '[]'
BEGIN
	INSERT OR IGNORE INTO execution_tags (run_id, tag, domain, open, started_at, closed_at)
	SELECT NEW.run_id, value, NEW.domain, NEW.open, NEW.started_at, NEW.closed_at FROM json_each(NEW.tag_list);
END;

CREATE TRIGGER execution_tags_update AFTER UPDATE OF domain, open, started_at, closed_at, tag_list ON executions
WHEN OLD.tag_list IS NOT NEW.tag_list
	OR (NEW.tag_list <> '[]' AND (OLD.domain IS NOT NEW.domain OR OLD.open IS NOT NEW.open
		OR OLD.started_at IS NOT NEW.started_at OR OLD.closed_at IS NOT NEW.closed_at))
BEGIN
	DELETE FROM execution_tags WHERE run_id = OLD.run_id;
	INSERT OR IGNORE INTO execution_tags (run_id, tag, domain, open, started_at, closed_at)
	SELECT NEW.run_id, value, NEW.domain, NEW.open, NEW.started_at, NEW.closed_at FROM json_each(NEW.tag_list);
END;

CREATE TRIGGER execution_tags_delete AFTER DELETE ON executions
WHEN OLD.tag_list <> '[]'
BEGIN
	DELETE FROM execution_tags WHERE run_id = OLD.run_id;
END;
