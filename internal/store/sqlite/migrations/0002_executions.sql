-- Workflow executions and the rows that hang off a run: its history, the
-- tasks it has queued, its durable timers and its started activities.
-- Times are UTC milliseconds, durations milliseconds. Child rows name their
-- run by run_id, which is unique across domains, and cannot outlive it.

CREATE TABLE executions (
	-- seq orders runs by creation: "the run started last" breaks ties of
	-- started_at with it. It is the rowid, so it costs nothing; a new row
	-- gets one more than the largest, so it sorts after every run kept.
	seq              INTEGER NOT NULL PRIMARY KEY,
	run_id           TEXT    NOT NULL UNIQUE,
	domain           TEXT    NOT NULL,
	workflow_id      TEXT    NOT NULL,
	version          INTEGER NOT NULL,
	open             INTEGER NOT NULL CHECK (open IN (0, 1)),
	-- The engine's state, encoded by the service and opaque here.
	state            BLOB    NOT NULL,
	type_name        TEXT    NOT NULL,
	type_version     TEXT    NOT NULL,
	started_at       INTEGER NOT NULL,
	-- NULL while open.
	closed_at        INTEGER,
	close_status     TEXT    NOT NULL DEFAULT '',
	-- A JSON array of strings, in the order given.
	tag_list         TEXT    NOT NULL DEFAULT '[]',
	cancel_requested INTEGER NOT NULL DEFAULT 0
) STRICT;

-- SWF allows one open run per workflow id in a domain; the index makes a
-- second start fail however the two race.
CREATE UNIQUE INDEX executions_one_open ON executions (domain, workflow_id) WHERE open;

-- GetExecution without a run id: the open run, else the one started last.
CREATE INDEX executions_by_workflow ON executions (domain, workflow_id, open, started_at, seq);

CREATE TABLE history_events (
	run_id   TEXT    NOT NULL REFERENCES executions (run_id),
	event_id INTEGER NOT NULL,
	data     BLOB    NOT NULL,
	PRIMARY KEY (run_id, event_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE tasks (
	-- Arrival order within a priority: the rowid, one more than the
	-- largest queued, so a new task sorts after every task waiting. (A
	-- number may come back after its task is taken; only waiting tasks
	-- are compared, and AUTOINCREMENT would cost a write per insert.)
	seq                INTEGER NOT NULL PRIMARY KEY,
	kind               TEXT    NOT NULL CHECK (kind IN ('decision', 'activity')),
	domain             TEXT    NOT NULL,
	task_list          TEXT    NOT NULL,
	priority           INTEGER NOT NULL,
	workflow_id        TEXT    NOT NULL,
	run_id             TEXT    NOT NULL REFERENCES executions (run_id),
	scheduled_event_id INTEGER NOT NULL,
	UNIQUE (kind, run_id, scheduled_event_id)
) STRICT;

-- Pollers read a task list highest priority first, then oldest first.
CREATE INDEX tasks_by_list ON tasks (kind, domain, task_list, priority DESC, seq);

CREATE TABLE timers (
	run_id      TEXT    NOT NULL REFERENCES executions (run_id),
	key         TEXT    NOT NULL,
	domain      TEXT    NOT NULL,
	workflow_id TEXT    NOT NULL,
	fire_at     INTEGER NOT NULL,
	PRIMARY KEY (run_id, key)
) STRICT, WITHOUT ROWID;

-- The timer loop reads the soonest timers.
CREATE INDEX timers_by_fire_at ON timers (fire_at);

CREATE TABLE activities (
	run_id             TEXT    NOT NULL REFERENCES executions (run_id),
	scheduled_event_id INTEGER NOT NULL,
	started_event_id   INTEGER NOT NULL,
	cancel_requested   INTEGER NOT NULL DEFAULT 0,
	-- NULL when not set.
	started_at         INTEGER,
	-- 0: no heartbeat timeout.
	heartbeat_timeout  INTEGER NOT NULL DEFAULT 0,
	-- NULL: no deadline.
	deadline           INTEGER,
	-- NULL until the first heartbeat of this attempt.
	heartbeat_at       INTEGER,
	heartbeat_details  TEXT,
	PRIMARY KEY (run_id, scheduled_event_id)
) STRICT, WITHOUT ROWID;
