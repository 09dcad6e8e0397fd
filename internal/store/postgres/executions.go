package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
)

// A change is one transaction whose statements go to the server as one
// batch (one round trip besides BEGIN and COMMIT). Each statement's result
// is checked in order as the batch is read, so the first failure — the
// version guard, the history's end, a task already taken — is the one
// reported, and the transaction is rolled back. pgx prepares and caches
// every statement text, so the hot ones are parsed once per connection.

var _ store.ExecutionStore = (*Store)(nil)

const execCols = `domain, workflow_id, run_id, version, open, state, type_name, type_version,
	started_at, closed_at, close_status, tag_list, cancel_requested, parent_workflow_id, parent_run_id`

const activityCols = `run_id, scheduled_event_id, started_event_id, cancel_requested, started_at,
	heartbeat_timeout, deadline, heartbeat_at, heartbeat_details`

const (
	sqlInsertExec = `INSERT INTO executions (` + execCols + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`
	// The version guard is the optimistic lock: a change computed from an
	// older version matches no row. A concurrent change of the same run
	// waits for this one's row lock, then finds the version moved on.
	sqlUpdateExec = `UPDATE executions SET version = $1, open = $2, state = $3, type_name = $4, type_version = $5,
		started_at = $6, closed_at = $7, close_status = $8, tag_list = $9, cancel_requested = $10
		WHERE run_id = $11 AND version = $12`
	sqlLastEvent   = `SELECT COALESCE(max(event_id), 0) FROM history_events WHERE run_id = $1`
	sqlInsertEvent = `INSERT INTO history_events (run_id, event_id, data) VALUES ($1, $2, $3)`
	sqlDeleteTask  = `DELETE FROM tasks WHERE kind = $1 AND run_id = $2 AND scheduled_event_id = $3`
	sqlInsertTask  = `INSERT INTO tasks (kind, domain, task_list, priority, workflow_id, run_id, scheduled_event_id, queued_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	sqlDeleteTimer = `DELETE FROM timers WHERE run_id = $1 AND key = $2`
	sqlUpsertTimer = `INSERT INTO timers (run_id, key, domain, workflow_id, fire_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (run_id, key) DO UPDATE SET domain = excluded.domain, workflow_id = excluded.workflow_id, fire_at = excluded.fire_at,
			claim_until = NULL`
	sqlDeleteActivity = `DELETE FROM activities WHERE run_id = $1 AND scheduled_event_id = $2`
	// An update of the same attempt keeps its heartbeat, which only
	// Heartbeat writes; a new attempt (another started event) starts over
	// from the row as given. SET expressions read the row as it was.
	sqlUpsertActivity = `INSERT INTO activities AS a (` + activityCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (run_id, scheduled_event_id) DO UPDATE SET
			started_event_id  = excluded.started_event_id,
			cancel_requested  = excluded.cancel_requested,
			started_at        = excluded.started_at,
			heartbeat_timeout = excluded.heartbeat_timeout,
			deadline          = excluded.deadline,
			heartbeat_at      = CASE WHEN a.started_event_id = excluded.started_event_id
				THEN a.heartbeat_at ELSE excluded.heartbeat_at END,
			heartbeat_details = CASE WHEN a.started_event_id = excluded.started_event_id
				THEN a.heartbeat_details ELSE excluded.heartbeat_details END`
	// One statement, one round trip: a heartbeat locks only the activity's
	// row (its foreign key is unchanged, so not even a share lock on the
	// execution), so it never waits on a change of the run. The guards
	// refuse an attempt that is gone or has timed out, even before the
	// timeout's timer fires. A limit reached is a limit passed: the
	// timeout's timer is due at that very instant (DueTimers includes it),
	// so a heartbeat then is too late.
	sqlHeartbeat = `UPDATE activities SET heartbeat_at = $1, heartbeat_details = COALESCE($2, heartbeat_details)
		WHERE run_id = $3 AND scheduled_event_id = $4 AND started_event_id = $5
			AND (deadline IS NULL OR $1 < deadline)
			AND (heartbeat_timeout = 0 OR $1 < greatest(started_at, heartbeat_at, 0) + heartbeat_timeout)
		RETURNING cancel_requested`
)

// CreateExecution implements store.ExecutionStore.
func (s *Store) CreateExecution(ctx context.Context, ch store.ExecutionChange) error {
	if err := ch.Check(true); err != nil {
		return err
	}
	x := ch.Execution
	var b pgx.Batch
	b.Queue(sqlInsertExec, x.Domain, x.WorkflowID, x.RunID, x.Version, x.Open, columns.Blob(x.State), x.TypeName, x.TypeVersion,
		columns.Millis(x.StartedAt), nullMillis(x.ClosedAt), x.CloseStatus, tagList(x.TagList), x.CancelRequested,
		nullString(x.ParentWorkflowID), nullString(x.ParentRunID))
	// A new run's history starts at event 1.
	queueChange(&b, ch, func(ev int64) error {
		if ev != 1 {
			return historyConflict(x.RunID, 0, ev)
		}
		return nil
	})
	return s.inTx(ctx, "create execution", func(tx pgx.Tx) error {
		// The partial unique index on open runs makes a second open run
		// of the workflow id fail here however the two race, as does a
		// reused run id.
		err := tx.SendBatch(ctx, &b).Close()
		if hasConstraint(err, uniqueViolation, "executions_pkey", "executions_one_open") {
			return fmt.Errorf("%w: an open run of workflow %q in domain %q, or run %s", store.ErrExists, x.WorkflowID, x.Domain, x.RunID)
		}
		if err != nil {
			return s.changeErr(ctx, "create execution", ch, err)
		}
		return s.checkOpenLimit(ctx, tx, ch)
	})
}

// UpdateExecution implements store.ExecutionStore.
func (s *Store) UpdateExecution(ctx context.Context, ch store.ExecutionChange) error {
	if err := ch.Check(false); err != nil {
		return err
	}
	x := ch.Execution
	var (
		b       pgx.Batch
		missing bool // the version guard matched no row
	)
	b.Queue(sqlUpdateExec, x.Version, x.Open, columns.Blob(x.State), x.TypeName, x.TypeVersion,
		columns.Millis(x.StartedAt), nullMillis(x.ClosedAt), x.CloseStatus, tagList(x.TagList), x.CancelRequested,
		x.RunID, ch.ExpectedVersion).Exec(func(ct pgconn.CommandTag) error {
		if ct.RowsAffected() == 0 {
			missing = true
			return fmt.Errorf("%w: run %s is no longer at version %d", store.ErrConflict, x.RunID, ch.ExpectedVersion)
		}
		return nil
	})
	var last int64
	if len(ch.Events) > 0 {
		b.Queue(sqlLastEvent, x.RunID).QueryRow(func(row pgx.Row) error { return row.Scan(&last) })
	}
	queueChange(&b, ch, func(ev int64) error {
		if ev != last+1 {
			return historyConflict(x.RunID, last, ev)
		}
		return nil
	})
	if succ := ch.NewRun; succ != nil {
		if err := succ.Check(true); err != nil {
			return err
		}
		y := succ.Execution
		b.Queue(sqlInsertExec, y.Domain, y.WorkflowID, y.RunID, y.Version, y.Open, columns.Blob(y.State), y.TypeName, y.TypeVersion,
			columns.Millis(y.StartedAt), nullMillis(y.ClosedAt), y.CloseStatus, tagList(y.TagList), y.CancelRequested,
			nullString(y.ParentWorkflowID), nullString(y.ParentRunID))
		queueChange(&b, *succ, func(ev int64) error {
			if ev != 1 {
				return historyConflict(y.RunID, 0, ev)
			}
			return nil
		})
	}
	err := s.inTx(ctx, "update execution", func(tx pgx.Tx) error {
		err := tx.SendBatch(ctx, &b).Close()
		if hasConstraint(err, uniqueViolation, "executions_pkey") && ch.NewRun != nil {
			return fmt.Errorf("%w: run %s", store.ErrExists, ch.NewRun.Execution.RunID)
		}
		if hasConstraint(err, uniqueViolation, "executions_one_open") {
			// A new run (a child) whose workflow id has an open run, or
			// a closed run reopened while another of its workflow is open.
			wid := x.WorkflowID
			if ch.NewRun != nil {
				wid = ch.NewRun.Execution.WorkflowID
			}
			return fmt.Errorf("%w: an open run of workflow %q in domain %q", store.ErrExists, wid, x.Domain)
		}
		return s.changeErr(ctx, "update execution", ch, err)
	})
	if missing {
		// Tell a run that does not exist from one that moved on; outside
		// the transaction, which is over.
		var exists bool
		if qerr := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM executions WHERE run_id = $1)`, x.RunID).Scan(&exists); qerr != nil {
			return s.dbErr(ctx, "update execution", qerr)
		}
		if !exists {
			return fmt.Errorf("%w: run %s", store.ErrNotFound, x.RunID)
		}
	}
	return err
}

// queueChange queues everything of a change but the execution row, in the
// order the contract gives: the history (after firstEvent approves the
// first new id), the tasks, the timers, the activity rows.
func queueChange(b *pgx.Batch, ch store.ExecutionChange, firstEvent func(int64) error) {
	x := ch.Execution
	for i, ev := range ch.Events {
		qq := b.Queue(sqlInsertEvent, x.RunID, ev.ID, columns.Blob(ev.Data))
		if i == 0 {
			qq.Exec(func(pgconn.CommandTag) error { return firstEvent(ev.ID) })
		}
	}
	for _, t := range ch.TakeTasks {
		qq := b.Queue(sqlDeleteTask, string(t.Kind), x.RunID, t.ScheduledEventID)
		if ch.Strict {
			qq.Exec(func(ct pgconn.CommandTag) error {
				if ct.RowsAffected() == 0 {
					return takenConflict(t)
				}
				return nil
			})
		}
	}
	for _, t := range ch.AddTasks {
		b.Queue(sqlInsertTask, string(t.Kind), or(t.Domain, x.Domain), t.TaskList, t.Priority,
			or(t.WorkflowID, x.WorkflowID), x.RunID, t.ScheduledEventID, columns.Millis(ch.QueuedAt))
	}
	for _, k := range ch.RemoveTimers {
		b.Queue(sqlDeleteTimer, x.RunID, k)
	}
	for _, tm := range ch.SetTimers {
		b.Queue(sqlUpsertTimer, x.RunID, tm.Key, or(tm.Domain, x.Domain), or(tm.WorkflowID, x.WorkflowID), columns.Millis(tm.FireAt))
	}
	for _, id := range ch.RemoveActivities {
		b.Queue(sqlDeleteActivity, x.RunID, id)
	}
	for _, a := range ch.PutActivities {
		b.Queue(sqlUpsertActivity, x.RunID, a.ScheduledEventID, a.StartedEventID, a.CancelRequested,
			nullMillis(a.StartedAt), a.HeartbeatTimeout.Milliseconds(), nullMillis(a.Deadline),
			nullMillis(a.HeartbeatAt), a.HeartbeatDetails)
	}
}

// changeErr turns the error of a change's batch into the contract's: the
// checks' own errors pass as they are, constraint violations that a stale
// change can cause become ErrConflict.
func (s *Store) changeErr(ctx context.Context, op string, ch store.ExecutionChange, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrExists), errors.Is(err, store.ErrNotFound):
		return err
	case hasConstraint(err, uniqueViolation, "history_events_pkey"):
		return fmt.Errorf("%w: run %s: an event of the change is in the history already", store.ErrConflict, ch.Execution.RunID)
	case hasConstraint(err, uniqueViolation, "tasks_one_per_event"):
		return fmt.Errorf("%w: run %s: a task of the change is queued already", store.ErrConflict, ch.Execution.RunID)
	case hasCode(err, foreignKeyViolation):
		return fmt.Errorf("%w: run %s", store.ErrNotFound, ch.Execution.RunID)
	}
	return s.dbErr(ctx, op, err)
}

// GetExecution implements store.ExecutionStore.
func (s *Store) GetExecution(ctx context.Context, domain, workflowID, runID string) (store.Execution, []store.Activity, error) {
	if runID != "" {
		return s.getExecution(ctx, "get execution",
			`SELECT `+execCols+` FROM executions WHERE run_id = $1 AND domain = $2 AND workflow_id = $3`,
			runID, runID, domain, workflowID)
	}
	// The open run if there is one, else the run started last (of two
	// started in the same millisecond, the one created last). The run id
	// is not known before this read, so the activity rows take a second.
	const op = "get execution"
	x, err := scanExecution(s.pool.QueryRow(ctx, `SELECT `+execCols+` FROM executions WHERE domain = $1 AND workflow_id = $2
		ORDER BY open DESC, started_at DESC, seq DESC LIMIT 1`, domain, workflowID))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Execution{}, nil, fmt.Errorf("%w: workflow %q in domain %q", store.ErrNotFound, workflowID, domain)
	}
	if err != nil {
		return store.Execution{}, nil, s.dbErr(ctx, op, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+activityCols+` FROM activities WHERE run_id = $1 ORDER BY scheduled_event_id`, x.RunID)
	if err != nil {
		return store.Execution{}, nil, s.dbErr(ctx, op, err)
	}
	acts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Activity, error) { return scanActivity(row) })
	if err != nil {
		return store.Execution{}, nil, s.dbErr(ctx, op, err)
	}
	return x, acts, nil
}

// GetRun implements store.ExecutionStore.
func (s *Store) GetRun(ctx context.Context, runID string) (store.Execution, []store.Activity, error) {
	return s.getExecution(ctx, "get run", `SELECT `+execCols+` FROM executions WHERE run_id = $1`, runID, runID)
}

// getExecution reads the execution query selects, and the activity rows of
// run runID, in one round trip. The two reads are separate statements, so
// a change may commit between them; the execution is read first, so the
// rows are never older than the state (a newer attempt's row comes with a
// newer version, which the caller's change then fails on).
func (s *Store) getExecution(ctx context.Context, op, query, runID string, args ...any) (store.Execution, []store.Activity, error) {
	var (
		b    pgx.Batch
		x    store.Execution
		acts []store.Activity
	)
	b.Queue(query, args...).QueryRow(func(row pgx.Row) error {
		var err error
		x, err = scanExecution(row)
		return err
	})
	b.Queue(`SELECT `+activityCols+` FROM activities WHERE run_id = $1 ORDER BY scheduled_event_id`, runID).Query(func(rows pgx.Rows) error {
		var err error
		acts, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Activity, error) { return scanActivity(row) })
		return err
	})
	err := s.pool.SendBatch(ctx, &b).Close()
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Execution{}, nil, fmt.Errorf("%w: run %s", store.ErrNotFound, runID)
	}
	if err != nil {
		return store.Execution{}, nil, s.dbErr(ctx, op, err)
	}
	return x, acts, nil
}

// History implements store.ExecutionStore.
func (s *Store) History(ctx context.Context, runID string, afterID int64, limit int, reverse bool) ([]store.Event, error) {
	query := `SELECT event_id, data FROM history_events WHERE run_id = $1 AND event_id > $2 ORDER BY event_id LIMIT $3`
	if reverse {
		if afterID <= 0 {
			afterID = maxEventID
		}
		query = `SELECT event_id, data FROM history_events WHERE run_id = $1 AND event_id < $2 ORDER BY event_id DESC LIMIT $3`
	}
	rows, err := s.pool.Query(ctx, query, runID, afterID, pgLimit(limit))
	if err != nil {
		return nil, s.dbErr(ctx, "history", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Event, error) {
		var ev store.Event
		err := row.Scan(&ev.ID, &ev.Data)
		return ev, err
	})
	if err != nil {
		return nil, s.dbErr(ctx, "history", err)
	}
	return out, nil
}

// NextTasks implements store.ExecutionStore.
func (s *Store) NextTasks(ctx context.Context, kind store.TaskKind, domain, taskList string, limit int) ([]store.Task, error) {
	rows, err := s.pool.Query(ctx, `SELECT kind, domain, task_list, priority, workflow_id, run_id, scheduled_event_id, seq
		FROM tasks WHERE kind = $1 AND domain = $2 AND task_list = $3
		ORDER BY priority DESC, seq LIMIT $4`, string(kind), domain, taskList, pgLimit(limit))
	if err != nil {
		return nil, s.dbErr(ctx, "next tasks", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Task, error) {
		var (
			t    store.Task
			kind string
		)
		err := row.Scan(&kind, &t.Domain, &t.TaskList, &t.Priority, &t.WorkflowID, &t.RunID, &t.ScheduledEventID, &t.Seq)
		t.Kind = store.TaskKind(kind)
		return t, err
	})
	if err != nil {
		return nil, s.dbErr(ctx, "next tasks", err)
	}
	return out, nil
}

// CountTasks implements store.ExecutionStore.
func (s *Store) CountTasks(ctx context.Context, kind store.TaskKind, domain, taskList string) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM tasks WHERE kind = $1 AND domain = $2 AND task_list = $3`,
		string(kind), domain, taskList).Scan(&n); err != nil {
		return 0, s.dbErr(ctx, "count tasks", err)
	}
	return n, nil
}

// DueTimers implements store.ExecutionStore.
func (s *Store) DueTimers(ctx context.Context, now time.Time, limit int) ([]store.Timer, error) {
	rows, err := s.pool.Query(ctx, `SELECT domain, workflow_id, run_id, key, fire_at FROM timers
		WHERE fire_at <= $1 ORDER BY fire_at, run_id, key LIMIT $2`, columns.Millis(now), pgLimit(limit))
	if err != nil {
		return nil, s.dbErr(ctx, "due timers", err)
	}
	out, err := pgx.CollectRows(rows, scanTimer)
	if err != nil {
		return nil, s.dbErr(ctx, "due timers", err)
	}
	return out, nil
}

// scanTimer reads a timer row: domain, workflow_id, run_id, key, fire_at.
func scanTimer(row pgx.CollectableRow) (store.Timer, error) {
	var (
		tm store.Timer
		at int64
	)
	err := row.Scan(&tm.Domain, &tm.WorkflowID, &tm.RunID, &tm.Key, &at)
	tm.FireAt = columns.FromMillis(at)
	return tm, err
}

// NextTimer implements store.ExecutionStore.
func (s *Store) NextTimer(ctx context.Context) (time.Time, bool, error) {
	var at *int64
	if err := s.pool.QueryRow(ctx, `SELECT min(`+timerDue+`) FROM timers`).Scan(&at); err != nil {
		return time.Time{}, false, s.dbErr(ctx, "next timer", err)
	}
	if at == nil {
		return time.Time{}, false, nil
	}
	return columns.FromMillis(*at), true, nil
}

// Heartbeat implements store.ExecutionStore.
func (s *Store) Heartbeat(ctx context.Context, runID string, scheduledEventID, startedEventID int64, details *string, at time.Time) (bool, error) {
	var canceled bool
	err := s.pool.QueryRow(ctx, sqlHeartbeat, columns.Millis(at), details, runID, scheduledEventID, startedEventID).Scan(&canceled)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("%w: activity %d (attempt %d) of run %s is not running", store.ErrNotFound, scheduledEventID, startedEventID, runID)
	}
	if err != nil {
		return false, s.dbErr(ctx, "heartbeat", err)
	}
	return canceled, nil
}

func scanExecution(row scanner) (store.Execution, error) {
	var (
		x       store.Execution
		started int64
		closed  *int64
		pwid    *string
		prid    *string
	)
	if err := row.Scan(&x.Domain, &x.WorkflowID, &x.RunID, &x.Version, &x.Open, &x.State, &x.TypeName, &x.TypeVersion,
		&started, &closed, &x.CloseStatus, &x.TagList, &x.CancelRequested, &pwid, &prid); err != nil {
		return store.Execution{}, err
	}
	x.StartedAt = columns.FromMillis(started)
	x.ClosedAt = fromNullMillis(closed)
	if pwid != nil {
		x.ParentWorkflowID = *pwid
	}
	if prid != nil {
		x.ParentRunID = *prid
	}
	if len(x.TagList) == 0 {
		x.TagList = nil
	}
	if len(x.State) == 0 {
		x.State = nil
	}
	return x, nil
}

func scanActivity(row scanner) (store.Activity, error) {
	var (
		a                         store.Activity
		started, deadline, beatAt *int64
		timeout                   int64
	)
	if err := row.Scan(&a.RunID, &a.ScheduledEventID, &a.StartedEventID, &a.CancelRequested, &started,
		&timeout, &deadline, &beatAt, &a.HeartbeatDetails); err != nil {
		return store.Activity{}, err
	}
	a.StartedAt = fromNullMillis(started)
	a.HeartbeatTimeout = time.Duration(timeout) * time.Millisecond
	a.Deadline = fromNullMillis(deadline)
	a.HeartbeatAt = fromNullMillis(beatAt)
	return a, nil
}

// tagList makes a nil list empty: the column is NOT NULL.
func tagList(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}

// maxEventID stands for "after the last event" in a reverse history read.
const maxEventID = int64(^uint64(0) >> 1)

// pgLimit turns "no limit" (<= 0) into LIMIT NULL, which PostgreSQL reads
// as LIMIT ALL.
func pgLimit(limit int) *int64 {
	if limit <= 0 {
		return nil
	}
	n := int64(limit)
	return &n
}

// or returns s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// hasConstraint reports whether err is a violation of code on one of the
// named constraints.
func hasConstraint(err error, code string, names ...string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != code {
		return false
	}
	for _, n := range names {
		if pgErr.ConstraintName == n {
			return true
		}
	}
	return false
}

func historyConflict(runID string, last, id int64) error {
	return fmt.Errorf("%w: run %s: event %d does not follow the history's last event %d", store.ErrConflict, runID, id, last)
}

func takenConflict(t store.Task) error {
	return fmt.Errorf("%w: %s task of event %d of run %s was taken", store.ErrConflict, t.Kind, t.ScheduledEventID, t.RunID)
}
