-- Workflow executions and the rows that hang off a run: its history, the
-- tasks it has queued, its durable timers and its started activities.
-- Times are UTC milliseconds, durations milliseconds, as in the SQLite
-- backend. Child rows name their run by run_id, which is unique across
-- domains, and cannot outlive it.

CREATE TABLE executions (
	run_id           text COLLATE "C" NOT NULL PRIMARY KEY,
	-- seq orders runs by creation: "the run started last" breaks ties of
	-- started_at with it.
	seq              bigint  NOT NULL GENERATED ALWAYS AS IDENTITY,
	domain           text COLLATE "C" NOT NULL,
	workflow_id      text COLLATE "C" NOT NULL,
	version          bigint  NOT NULL,
	open             boolean NOT NULL,
	-- The engine's state, encoded by the service and opaque here.
	state            bytea   NOT NULL,
	type_name        text COLLATE "C" NOT NULL,
	type_version     text COLLATE "C" NOT NULL,
	started_at       bigint  NOT NULL,
	-- NULL while open.
	closed_at        bigint,
	close_status     text    NOT NULL DEFAULT '',
	tag_list         text[]  NOT NULL DEFAULT '{}',
	cancel_requested boolean NOT NULL DEFAULT false
);

-- SWF allows one open run per workflow id in a domain; the index makes a
-- second start fail however the two race.
CREATE UNIQUE INDEX executions_one_open ON executions (domain, workflow_id) WHERE open;

-- GetExecution without a run id: the open run, else the one started last.
CREATE INDEX executions_by_workflow ON executions (domain, workflow_id, open, started_at, seq);

CREATE TABLE history_events (
	run_id   text COLLATE "C" NOT NULL REFERENCES executions (run_id),
	event_id bigint NOT NULL,
	data     bytea  NOT NULL,
	PRIMARY KEY (run_id, event_id)
);

CREATE TABLE tasks (
	-- Arrival order within a priority. Numbers are taken when a row is
	-- inserted, not when it commits, so tasks queued at the same moment by
	-- two nodes may sort either way; that is as FIFO as SWF promises.
	seq                bigint  NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind               text    NOT NULL CHECK (kind IN ('decision', 'activity')),
	domain             text COLLATE "C" NOT NULL,
	task_list          text COLLATE "C" NOT NULL,
	priority           integer NOT NULL,
	workflow_id        text COLLATE "C" NOT NULL,
	run_id             text COLLATE "C" NOT NULL REFERENCES executions (run_id),
	scheduled_event_id bigint  NOT NULL,
	CONSTRAINT tasks_one_per_event UNIQUE (kind, run_id, scheduled_event_id)
);

-- Pollers read a task list highest priority first, then oldest first.
CREATE INDEX tasks_by_list ON tasks (kind, domain, task_list, priority DESC, seq);

CREATE TABLE timers (
	run_id      text COLLATE "C" NOT NULL REFERENCES executions (run_id),
	key         text COLLATE "C" NOT NULL,
	domain      text COLLATE "C" NOT NULL,
	workflow_id text COLLATE "C" NOT NULL,
	fire_at     bigint NOT NULL,
	PRIMARY KEY (run_id, key)
);

-- The timer loop reads the soonest timers.
CREATE INDEX timers_by_fire_at ON timers (fire_at);

CREATE TABLE activities (
	run_id             text COLLATE "C" NOT NULL REFERENCES executions (run_id),
	scheduled_event_id bigint  NOT NULL,
	started_event_id   bigint  NOT NULL,
	cancel_requested   boolean NOT NULL DEFAULT false,
	-- NULL when not set.
	started_at         bigint,
	-- 0: no heartbeat timeout.
	heartbeat_timeout  bigint  NOT NULL DEFAULT 0,
	-- NULL: no deadline.
	deadline           bigint,
	-- NULL until the first heartbeat of this attempt.
	heartbeat_at       bigint,
	heartbeat_details  text,
	PRIMARY KEY (run_id, scheduled_event_id)
-- Heartbeats rewrite these rows thousands of times a second and change no
-- indexed column: room left in each page lets PostgreSQL update in place
-- (HOT) instead of touching the index.
) WITH (fillfactor = 80);
