package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
)

// The execution methods write through the committer (committer.go), with
// statements prepared once on the write connection (see stmts), so a change
// costs no parsing; reads use the read pool, with statements prepared once
// per pooled connection (see readStmts), and run in a read transaction when
// they take more than one statement, so that they see one snapshot.

var _ store.ExecutionStore = (*Store)(nil)

const execCols = `domain, workflow_id, run_id, version, open, state, type_name, type_version,
	started_at, closed_at, close_status, tag_list, cancel_requested, parent_workflow_id, parent_run_id`

const activityCols = `run_id, scheduled_event_id, started_event_id, cancel_requested, started_at,
	heartbeat_timeout, deadline, heartbeat_at, heartbeat_details`

// Statement texts of the write path, prepared by prepareStmts.
const (
	sqlInsertExec = `INSERT INTO executions (` + execCols + `, last_event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// Most changes leave the columns that indexes hold (open, times,
	// close status, type) as they were, but SQLite rewrites the entry of
	// every index whose column is SET, equal or not: a page of each index,
	// a WAL frame each, for nothing. So a change is first tried with only
	// the unindexed columns SET, guarded by the others being what the row
	// holds already; when one of them changes, the full UPDATE below runs
	// instead. The version guard is the optimistic lock: a change
	// computed from an older version matches no row. The last_event guard
	// makes a change's events (?13 of them, from id ?14) follow the
	// history densely. The tag list is guarded too, not SET: setting it
	// would bring in the triggers of execution_tags, and with them a
	// statement journal, a copy of every page the UPDATE touches.
	sqlUpdateExecState = `UPDATE executions SET version = ?1, state = ?2, cancel_requested = ?4,
			last_event = last_event + ?13
		WHERE run_id = ?5 AND version = ?6 AND open = ?7 AND type_name = ?8 AND type_version = ?9
			AND started_at = ?10 AND closed_at IS ?11 AND close_status = ?12 AND tag_list = ?3
			AND (?13 = 0 OR last_event = ?14 - 1)`
	sqlUpdateExec = `UPDATE executions SET version = ?1, open = ?2, state = ?3, type_name = ?4, type_version = ?5,
			started_at = ?6, closed_at = ?7, close_status = ?8, tag_list = ?9, cancel_requested = ?10,
			last_event = last_event + ?13
		WHERE run_id = ?11 AND version = ?12 AND (?13 = 0 OR last_event = ?14 - 1)`
	// sqlRunVersion tells why an update matched no row.
	sqlRunVersion  = `SELECT version, last_event FROM executions WHERE run_id = ?`
	sqlInsertEvent = `INSERT INTO history_events (run_id, event_id, data) VALUES (?, ?, ?)`
	sqlDeleteTask  = `DELETE FROM tasks WHERE kind = ? AND run_id = ? AND scheduled_event_id = ?`
	sqlInsertTask  = `INSERT INTO tasks (kind, domain, task_list, priority, workflow_id, run_id, scheduled_event_id, queued_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlDeleteTimer = `DELETE FROM timers WHERE run_id = ? AND key = ?`
	sqlUpsertTimer = `INSERT INTO timers (run_id, key, domain, workflow_id, fire_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (run_id, key) DO UPDATE SET domain = excluded.domain, workflow_id = excluded.workflow_id, fire_at = excluded.fire_at`
	sqlDeleteActivity = `DELETE FROM activities WHERE run_id = ? AND scheduled_event_id = ?`
	// An update of the same attempt keeps its heartbeat, which only
	// Heartbeat writes; a new attempt (another started event) starts over
	// from the row as given. SET expressions read the row as it was.
	sqlUpsertActivity = `INSERT INTO activities (` + activityCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (run_id, scheduled_event_id) DO UPDATE SET
			started_event_id  = excluded.started_event_id,
			cancel_requested  = excluded.cancel_requested,
			started_at        = excluded.started_at,
			heartbeat_timeout = excluded.heartbeat_timeout,
			deadline          = excluded.deadline,
			heartbeat_at      = CASE WHEN started_event_id = excluded.started_event_id
				THEN heartbeat_at ELSE excluded.heartbeat_at END,
			heartbeat_details = CASE WHEN started_event_id = excluded.started_event_id
				THEN heartbeat_details ELSE excluded.heartbeat_details END`
	// One statement, so a heartbeat is one short write that never reads
	// or locks the execution. The guards refuse an attempt that is gone
	// or has timed out, even before the timeout's timer fires. A limit
	// reached is a limit passed: the timeout's timer is due at that very
	// instant (DueTimers includes it), so a heartbeat then is too late.
	// The answer's cancelRequested is guarded (?6) rather than RETURNed:
	// SQLite gathers a RETURNING statement's rows in a temporary B-tree it
	// opens and drops on every run, which cost more than the UPDATE
	// itself. A heartbeat runs it as not canceled, and only when that
	// matches nothing, as canceled (see Heartbeat).
	sqlHeartbeat = `UPDATE activities SET heartbeat_at = ?1, heartbeat_details = COALESCE(?2, heartbeat_details)
		WHERE run_id = ?3 AND scheduled_event_id = ?4 AND started_event_id = ?5 AND cancel_requested = ?6
			AND (deadline IS NULL OR ?1 < deadline)
			AND (heartbeat_timeout = 0 OR ?1 < MAX(COALESCE(started_at, 0), COALESCE(heartbeat_at, 0)) + heartbeat_timeout)`
)

// preparer is a *sql.DB or a *sql.Conn.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// stmt is a statement to prepare and where to keep it.
type stmt struct {
	dst **sql.Stmt
	sql string
}

// prepareAll prepares every statement of list on db, or none.
func prepareAll(ctx context.Context, db preparer, list []stmt) error {
	for i, p := range list {
		st, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			for _, done := range list[:i] {
				(*done.dst).Close()
			}
			return fmt.Errorf("sqlite: preparing %q: %w", p.sql, err)
		}
		*p.dst = st
	}
	return nil
}

func closeAll(list ...*sql.Stmt) {
	for _, s := range list {
		if s != nil {
			s.Close()
		}
	}
}

// stmts are the write path's prepared statements, all on the one write
// connection.
type stmts struct {
	insertExec, updateExecState, updateExec, runVersion, insertEvent, deleteTask, insertTask,
	deleteTimer, upsertTimer, deleteActivity, upsertActivity, heartbeat, openCount *sql.Stmt
}

func prepareStmts(ctx context.Context, conn preparer) (*stmts, error) {
	st := new(stmts)
	err := prepareAll(ctx, conn, []stmt{
		{&st.insertExec, sqlInsertExec},
		{&st.updateExecState, sqlUpdateExecState},
		{&st.updateExec, sqlUpdateExec},
		{&st.runVersion, sqlRunVersion},
		{&st.insertEvent, sqlInsertEvent},
		{&st.deleteTask, sqlDeleteTask},
		{&st.insertTask, sqlInsertTask},
		{&st.deleteTimer, sqlDeleteTimer},
		{&st.upsertTimer, sqlUpsertTimer},
		{&st.deleteActivity, sqlDeleteActivity},
		{&st.upsertActivity, sqlUpsertActivity},
		{&st.heartbeat, sqlHeartbeat},
		{&st.openCount, sqlOpenCount},
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (st *stmts) close() {
	if st == nil {
		return
	}
	closeAll(st.insertExec, st.updateExecState, st.updateExec, st.runVersion, st.insertEvent, st.deleteTask,
		st.insertTask, st.deleteTimer, st.upsertTimer, st.deleteActivity, st.upsertActivity, st.heartbeat, st.openCount)
}

// runWithActivities selects the columns of a run (execCols) and of its
// activity rows (activityCols) for scanRun; the statements add the WHERE.
const runWithActivities = `SELECT e.domain, e.workflow_id, e.run_id, e.version, e.open, e.state, e.type_name,
		e.type_version, e.started_at, e.closed_at, e.close_status, e.tag_list, e.cancel_requested,
		e.parent_workflow_id, e.parent_run_id, a.scheduled_event_id, a.started_event_id, a.cancel_requested, a.started_at,
		a.heartbeat_timeout, a.deadline, a.heartbeat_at, a.heartbeat_details
	FROM executions e LEFT JOIN activities a ON a.run_id = e.run_id
	`

// Statement texts of the read path, prepared by prepareReadStmts.
const (
	// A run is read with its activity rows in one statement, which sees
	// one snapshot, rather than two in a read transaction: that saved the
	// BEGIN, the ROLLBACK and a statement, about half of what a read of a
	// run cost. A run without activities gives one row of NULLs for them.
	sqlRunByID = runWithActivities + `WHERE e.run_id = ? ORDER BY a.scheduled_event_id`
	sqlRunOf   = runWithActivities + `WHERE e.run_id = ? AND e.domain = ? AND e.workflow_id = ? ORDER BY a.scheduled_event_id`
	// The open run if there is one, else the run started last (of two
	// started in the same millisecond, the one created last).
	sqlLatestRun = `WITH latest AS (SELECT run_id FROM executions WHERE domain = ? AND workflow_id = ?
			ORDER BY open DESC, started_at DESC, seq DESC LIMIT 1)
		` + runWithActivities + `WHERE e.run_id = (SELECT run_id FROM latest) ORDER BY a.scheduled_event_id`
	sqlHistory        = `SELECT event_id, data FROM history_events WHERE run_id = ? AND event_id > ? ORDER BY event_id LIMIT ?`
	sqlHistoryReverse = `SELECT event_id, data FROM history_events WHERE run_id = ? AND event_id < ? ORDER BY event_id DESC LIMIT ?`
	sqlNextTasks      = `SELECT kind, domain, task_list, priority, workflow_id, run_id, scheduled_event_id, seq
		FROM tasks WHERE kind = ? AND domain = ? AND task_list = ?
		ORDER BY priority DESC, seq LIMIT ?`
	sqlCountTasks = `SELECT COUNT(*) FROM tasks WHERE kind = ? AND domain = ? AND task_list = ?`
	sqlDueTimers  = `SELECT domain, workflow_id, run_id, key, fire_at FROM timers
		WHERE fire_at <= ? ORDER BY fire_at, run_id, key LIMIT ?`
	sqlNextTimer = `SELECT MIN(fire_at) FROM timers`
)

// readStmts are the read path's hot statements. Prepared on the read pool,
// database/sql prepares each on a pooled connection the first time it runs
// there and keeps it: the profile of a workflow load spent about a quarter
// of the server's CPU parsing these texts again on every call.
type readStmts struct {
	runByID, runOf, latestRun, history, historyReverse,
	nextTasks, countTasks, dueTimers, nextTimer *sql.Stmt
	// A start reads its type and domain, a decision its types: prepared,
	// they skip SQLite's parse and plan on every request.
	getDomain, getType, openCount *sql.Stmt
}

func prepareReadStmts(ctx context.Context, db preparer) (*readStmts, error) {
	rs := new(readStmts)
	err := prepareAll(ctx, db, []stmt{
		{&rs.runByID, sqlRunByID},
		{&rs.runOf, sqlRunOf},
		{&rs.latestRun, sqlLatestRun},
		{&rs.history, sqlHistory},
		{&rs.historyReverse, sqlHistoryReverse},
		{&rs.nextTasks, sqlNextTasks},
		{&rs.countTasks, sqlCountTasks},
		{&rs.dueTimers, sqlDueTimers},
		{&rs.nextTimer, sqlNextTimer},
		{&rs.getDomain, sqlGetDomain},
		{&rs.getType, typeByKey},
		{&rs.openCount, sqlOpenCount},
	})
	if err != nil {
		return nil, err
	}
	return rs, nil
}

func (rs *readStmts) close() {
	if rs == nil {
		return
	}
	closeAll(rs.runByID, rs.runOf, rs.latestRun, rs.history, rs.historyReverse,
		rs.nextTasks, rs.countTasks, rs.dueTimers, rs.nextTimer, rs.getDomain, rs.getType, rs.openCount)
}

// CreateExecution implements store.ExecutionStore.
func (s *Store) CreateExecution(ctx context.Context, ch store.ExecutionChange) error {
	if err := ch.Check(true); err != nil {
		return err
	}
	x := ch.Execution
	tags, err := encodeTagList(x.TagList)
	if err != nil {
		return err
	}
	return s.do(ctx, "create execution", func(w *wtx) error {
		return s.createRun(w, ch, tags)
	})
}

// createRun writes a creating change inside a batch's transaction.
func (s *Store) createRun(w *wtx, ch store.ExecutionChange, tags string) error {
	x := ch.Execution
	first, events := eventSpan(ch)
	if events > 0 && first != 1 {
		return historyConflict(x.RunID, 0, first)
	}
	if err := s.checkOpenLimit(w, ch); err != nil {
		return err
	}
	// The partial unique index on open runs makes a second open run of the
	// workflow id fail here, as does a reused run id.
	_, err := w.write(w.st.insertExec,
		x.Domain, x.WorkflowID, x.RunID, x.Version, x.Open, columns.Blob(x.State), x.TypeName, x.TypeVersion,
		columns.Millis(x.StartedAt), nullMillis(x.ClosedAt), x.CloseStatus, tags, x.CancelRequested,
		nullString(x.ParentWorkflowID), nullString(x.ParentRunID), events)
	if isUnique(err) {
		return fmt.Errorf("%w: an open run of workflow %q in domain %q, or run %s", store.ErrExists, x.WorkflowID, x.Domain, x.RunID)
	}
	if err != nil {
		return s.dbErr(w.ctx, "create execution", err)
	}
	return s.writeChange(w, ch)
}

// eventSpan returns the id of a change's first event and how many it has
// (Check made them dense).
func eventSpan(ch store.ExecutionChange) (first, n int64) {
	if len(ch.Events) == 0 {
		return 0, 0
	}
	return ch.Events[0].ID, int64(len(ch.Events))
}

// UpdateExecution implements store.ExecutionStore.
func (s *Store) UpdateExecution(ctx context.Context, ch store.ExecutionChange) error {
	if err := ch.Check(false); err != nil {
		return err
	}
	x := ch.Execution
	tags, err := encodeTagList(x.TagList)
	if err != nil {
		return err
	}
	var succTags string
	if succ := ch.NewRun; succ != nil {
		if err := succ.Check(true); err != nil {
			return err
		}
		if succTags, err = encodeTagList(succ.Execution.TagList); err != nil {
			return err
		}
	}
	first, events := eventSpan(ch)
	return s.do(ctx, "update execution", func(w *wtx) error {
		const op = "update execution"
		res, err := w.write(w.st.updateExecState,
			x.Version, columns.Blob(x.State), tags, x.CancelRequested,
			x.RunID, ch.ExpectedVersion, x.Open, x.TypeName, x.TypeVersion,
			columns.Millis(x.StartedAt), nullMillis(x.ClosedAt), x.CloseStatus, events, first)
		if err != nil {
			return s.dbErr(w.ctx, op, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return s.dbErr(w.ctx, op, err)
		} else if n == 0 {
			res, err = w.write(w.st.updateExec,
				x.Version, x.Open, columns.Blob(x.State), x.TypeName, x.TypeVersion,
				columns.Millis(x.StartedAt), nullMillis(x.ClosedAt), x.CloseStatus, tags, x.CancelRequested,
				x.RunID, ch.ExpectedVersion, events, first)
		}
		if isUnique(err) {
			// Reopening a closed run while another run of its workflow id
			// is open.
			return fmt.Errorf("%w: an open run of workflow %q in domain %q", store.ErrExists, x.WorkflowID, x.Domain)
		}
		if err != nil {
			return s.dbErr(w.ctx, op, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return s.dbErr(w.ctx, op, err)
		} else if n == 0 {
			return s.whyNotUpdated(w, ch, first)
		}
		if err := s.writeChange(w, ch); err != nil || ch.NewRun == nil {
			return err
		}
		return s.createRun(w, *ch.NewRun, succTags)
	})
}

// whyNotUpdated tells why the update of a change matched no row: the run
// is not there, is at another version, or its history does not end where
// the change's events begin.
func (s *Store) whyNotUpdated(w *wtx, ch store.ExecutionChange, first int64) error {
	x := ch.Execution
	var version, last int64
	err := w.st.runVersion.QueryRowContext(w.ctx, x.RunID).Scan(&version, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: run %s", store.ErrNotFound, x.RunID)
	}
	if err != nil {
		return s.dbErr(w.ctx, "update execution", err)
	}
	if version != ch.ExpectedVersion {
		return fmt.Errorf("%w: run %s is no longer at version %d", store.ErrConflict, x.RunID, ch.ExpectedVersion)
	}
	return historyConflict(x.RunID, last, first)
}

// writeChange writes everything of a change but the execution row: the
// history, the tasks, the timers and the activity rows, in the order the
// contract gives. The row's update or insert has checked that the events
// follow the history.
func (s *Store) writeChange(w *wtx, ch store.ExecutionChange) error {
	const op = "write execution change"
	x := ch.Execution
	stmt := w.st.insertEvent
	for _, ev := range ch.Events {
		if _, err := w.write(stmt, x.RunID, ev.ID, columns.Blob(ev.Data)); isUnique(err) {
			// Rows of a history that the run's row did not count (a
			// database written by hand).
			return historyConflict(x.RunID, ev.ID-1, ev.ID)
		} else if err != nil {
			return s.dbErr(w.ctx, op, err)
		}
	}

	stmt = w.st.deleteTask
	for _, t := range ch.TakeTasks {
		res, err := w.write(stmt, string(t.Kind), x.RunID, t.ScheduledEventID)
		if err != nil {
			return s.dbErr(w.ctx, op, err)
		}
		if !ch.Strict {
			continue
		}
		if n, err := res.RowsAffected(); err != nil {
			return s.dbErr(w.ctx, op, err)
		} else if n == 0 {
			return takenConflict(t)
		}
	}
	stmt = w.st.insertTask
	for _, t := range ch.AddTasks {
		_, err := w.write(stmt, string(t.Kind), or(t.Domain, x.Domain), t.TaskList, t.Priority,
			or(t.WorkflowID, x.WorkflowID), x.RunID, t.ScheduledEventID, columns.Millis(ch.QueuedAt))
		if isUnique(err) {
			return fmt.Errorf("%w: %s task of event %d of run %s is queued already", store.ErrConflict, t.Kind, t.ScheduledEventID, x.RunID)
		}
		if err != nil {
			return s.dbErr(w.ctx, op, err)
		}
	}

	stmt = w.st.deleteTimer
	for _, k := range ch.RemoveTimers {
		if _, err := w.write(stmt, x.RunID, k); err != nil {
			return s.dbErr(w.ctx, op, err)
		}
	}
	stmt = w.st.upsertTimer
	for _, tm := range ch.SetTimers {
		if _, err := w.write(stmt, x.RunID, tm.Key, or(tm.Domain, x.Domain), or(tm.WorkflowID, x.WorkflowID),
			columns.Millis(tm.FireAt)); err != nil {
			return s.dbErr(w.ctx, op, err)
		}
	}

	stmt = w.st.deleteActivity
	for _, id := range ch.RemoveActivities {
		if _, err := w.write(stmt, x.RunID, id); err != nil {
			return s.dbErr(w.ctx, op, err)
		}
	}
	stmt = w.st.upsertActivity
	for _, a := range ch.PutActivities {
		if _, err := w.write(stmt, x.RunID, a.ScheduledEventID, a.StartedEventID, a.CancelRequested,
			nullMillis(a.StartedAt), a.HeartbeatTimeout.Milliseconds(), nullMillis(a.Deadline),
			nullMillis(a.HeartbeatAt), a.HeartbeatDetails); err != nil {
			return s.dbErr(w.ctx, op, err)
		}
	}
	return nil
}

// GetExecution implements store.ExecutionStore.
func (s *Store) GetExecution(ctx context.Context, domain, workflowID, runID string) (store.Execution, []store.Activity, error) {
	if runID != "" {
		return s.getExecution(ctx, "get execution", s.reads.runOf, runID, domain, workflowID)
	}
	return s.getExecution(ctx, "get execution", s.reads.latestRun, domain, workflowID)
}

// GetRun implements store.ExecutionStore.
func (s *Store) GetRun(ctx context.Context, runID string) (store.Execution, []store.Activity, error) {
	return s.getExecution(ctx, "get run", s.reads.runByID, runID)
}

// getExecution reads one run and its activity rows with query, a statement
// built on runWithActivities.
func (s *Store) getExecution(ctx context.Context, op string, query *sql.Stmt, args ...any) (store.Execution, []store.Activity, error) {
	rows, err := query.QueryContext(ctx, args...)
	if err != nil {
		return store.Execution{}, nil, s.dbErr(ctx, op, err)
	}
	defer rows.Close()
	var (
		x    store.Execution
		acts []store.Activity
		n    int
	)
	for rows.Next() {
		if err := scanRun(rows, &x, &acts, n == 0); err != nil {
			return store.Execution{}, nil, s.dbErr(ctx, op, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return store.Execution{}, nil, s.dbErr(ctx, op, err)
	}
	if n == 0 {
		return store.Execution{}, nil, fmt.Errorf("%w: execution %v", store.ErrNotFound, args)
	}
	return x, acts, nil
}

// scanRun scans one row of a runWithActivities statement: the run into x
// when first (the run's columns repeat on every row), and the activity,
// if the row has one, onto acts.
func scanRun(rows *sql.Rows, x *store.Execution, acts *[]store.Activity, first bool) error {
	var (
		open, cancel       int64
		state              sql.RawBytes
		started            int64
		closed             sql.NullInt64
		tags               string
		pwid, prid         sql.NullString
		sched, attempt     sql.NullInt64
		actCancel, timeout sql.NullInt64
		actStarted, dl, at sql.NullInt64
		details            sql.NullString
	)
	if err := rows.Scan(&x.Domain, &x.WorkflowID, &x.RunID, &x.Version, &open, &state, &x.TypeName, &x.TypeVersion,
		&started, &closed, &x.CloseStatus, &tags, &cancel, &pwid, &prid,
		&sched, &attempt, &actCancel, &actStarted, &timeout, &dl, &at, &details); err != nil {
		return err
	}
	if first {
		x.Open, x.CancelRequested = open != 0, cancel != 0
		if len(state) > 0 {
			x.State = bytes.Clone(state)
		}
		x.StartedAt = columns.FromMillis(started)
		x.ClosedAt = fromNullMillis(closed)
		x.ParentWorkflowID, x.ParentRunID = pwid.String, prid.String
		var err error
		if x.TagList, err = decodeTagList(tags); err != nil {
			return fmt.Errorf("run %s: %w", x.RunID, err)
		}
	}
	if !sched.Valid {
		return nil // the run has no activity rows
	}
	a := store.Activity{
		RunID:            x.RunID,
		ScheduledEventID: sched.Int64,
		StartedEventID:   attempt.Int64,
		CancelRequested:  actCancel.Int64 != 0,
		StartedAt:        fromNullMillis(actStarted),
		HeartbeatTimeout: time.Duration(timeout.Int64) * time.Millisecond,
		Deadline:         fromNullMillis(dl),
		HeartbeatAt:      fromNullMillis(at),
	}
	if details.Valid {
		a.HeartbeatDetails = &details.String
	}
	*acts = append(*acts, a)
	return nil
}

// History implements store.ExecutionStore.
func (s *Store) History(ctx context.Context, runID string, afterID int64, limit int, reverse bool) ([]store.Event, error) {
	query := s.reads.history
	if reverse {
		if afterID <= 0 {
			afterID = maxEventID
		}
		query = s.reads.historyReverse
	}
	rows, err := query.QueryContext(ctx, runID, afterID, sqlLimit(limit))
	if err != nil {
		return nil, s.dbErr(ctx, "history", err)
	}
	defer rows.Close()
	// The events' data are copied into shared chunks, rather than each
	// into an allocation of its own as a Scan into a []byte does: a page
	// is up to a thousand events. A full chunk is left as it is and a new
	// one begun, so that nothing is copied twice.
	out := make([]store.Event, 0, min(max(limit, 0), maxHistoryPage))
	var (
		chunk []byte
		raw   sql.RawBytes
	)
	for rows.Next() {
		var ev store.Event
		if err := rows.Scan(&ev.ID, &raw); err != nil {
			return nil, s.dbErr(ctx, "history", err)
		}
		if len(raw) > cap(chunk)-len(chunk) {
			chunk = make([]byte, 0, max(historyChunk, len(raw)))
		}
		start := len(chunk)
		chunk = append(chunk, raw...)
		// Capped, so that appending to one event's data cannot overwrite
		// the next's.
		ev.Data = chunk[start:len(chunk):len(chunk)]
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(ctx, "history", err)
	}
	return out, nil
}

// historyChunk is the size of the chunks History copies events' data
// into: the largest of Go's small allocations. maxHistoryPage bounds the
// room History reserves for a page's events before it reads them.
const (
	historyChunk   = 32 << 10
	maxHistoryPage = 1024
)

// NextTasks implements store.ExecutionStore.
func (s *Store) NextTasks(ctx context.Context, kind store.TaskKind, domain, taskList string, limit int) ([]store.Task, error) {
	rows, err := s.reads.nextTasks.QueryContext(ctx, string(kind), domain, taskList, sqlLimit(limit))
	if err != nil {
		return nil, s.dbErr(ctx, "next tasks", err)
	}
	defer rows.Close()
	var out []store.Task
	for rows.Next() {
		var (
			t    store.Task
			kind string
		)
		if err := rows.Scan(&kind, &t.Domain, &t.TaskList, &t.Priority, &t.WorkflowID, &t.RunID, &t.ScheduledEventID, &t.Seq); err != nil {
			return nil, s.dbErr(ctx, "next tasks", err)
		}
		t.Kind = store.TaskKind(kind)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(ctx, "next tasks", err)
	}
	return out, nil
}

// CountTasks implements store.ExecutionStore.
func (s *Store) CountTasks(ctx context.Context, kind store.TaskKind, domain, taskList string) (int, error) {
	var n int
	if err := s.reads.countTasks.QueryRowContext(ctx, string(kind), domain, taskList).Scan(&n); err != nil {
		return 0, s.dbErr(ctx, "count tasks", err)
	}
	return n, nil
}

// DueTimers implements store.ExecutionStore.
func (s *Store) DueTimers(ctx context.Context, now time.Time, limit int) ([]store.Timer, error) {
	rows, err := s.reads.dueTimers.QueryContext(ctx, columns.Millis(now), sqlLimit(limit))
	if err != nil {
		return nil, s.dbErr(ctx, "due timers", err)
	}
	defer rows.Close()
	var out []store.Timer
	for rows.Next() {
		var (
			tm store.Timer
			at int64
		)
		if err := rows.Scan(&tm.Domain, &tm.WorkflowID, &tm.RunID, &tm.Key, &at); err != nil {
			return nil, s.dbErr(ctx, "due timers", err)
		}
		tm.FireAt = columns.FromMillis(at)
		out = append(out, tm)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(ctx, "due timers", err)
	}
	return out, nil
}

// NextTimer implements store.ExecutionStore.
func (s *Store) NextTimer(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	if err := s.reads.nextTimer.QueryRowContext(ctx).Scan(&at); err != nil {
		return time.Time{}, false, s.dbErr(ctx, "next timer", err)
	}
	if !at.Valid {
		return time.Time{}, false, nil
	}
	return columns.FromMillis(at.Int64), true, nil
}

// Heartbeat implements store.ExecutionStore. It is the UPDATE of
// sqlHeartbeat, run in the committer's batch: once, as for an activity
// whose cancellation is not requested, and, when that changes nothing
// (requested, or not running), once more as for one whose cancellation
// is. A statement that changes nothing or fails is undone by SQLite
// itself, so a heartbeat that fails never makes the batch be redone.
func (s *Store) Heartbeat(ctx context.Context, runID string, scheduledEventID, startedEventID int64, details *string, at time.Time) (bool, error) {
	var canceled bool
	err := s.do(ctx, "heartbeat", func(w *wtx) error {
		for _, canceled = range [...]bool{false, true} {
			res, err := w.write(w.st.heartbeat, columns.Millis(at), details, runID, scheduledEventID, startedEventID, canceled)
			if err != nil {
				return s.dbErr(w.ctx, "heartbeat", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return s.dbErr(w.ctx, "heartbeat", err)
			} else if n > 0 {
				return nil
			}
		}
		return fmt.Errorf("%w: activity %d (attempt %d) of run %s is not running", store.ErrNotFound, scheduledEventID, startedEventID, runID)
	})
	if err != nil {
		return false, err
	}
	return canceled, nil
}

func scanExecution(row scanner) (store.Execution, error) {
	var (
		x       store.Execution
		started int64
		closed  sql.NullInt64
		tags    string
		pwid    sql.NullString
		prid    sql.NullString
	)
	if err := row.Scan(&x.Domain, &x.WorkflowID, &x.RunID, &x.Version, &x.Open, &x.State, &x.TypeName, &x.TypeVersion,
		&started, &closed, &x.CloseStatus, &tags, &x.CancelRequested, &pwid, &prid); err != nil {
		return store.Execution{}, err
	}
	x.StartedAt = columns.FromMillis(started)
	x.ClosedAt = fromNullMillis(closed)
	x.ParentWorkflowID, x.ParentRunID = pwid.String, prid.String
	var err error
	if x.TagList, err = decodeTagList(tags); err != nil {
		return store.Execution{}, fmt.Errorf("run %s: %w", x.RunID, err)
	}
	if len(x.State) == 0 {
		x.State = nil
	}
	return x, nil
}

// decodeTagList reads a stored tag list; an empty one is nil.
func decodeTagList(s string) ([]string, error) {
	if s == "[]" {
		return nil, nil // most runs have no tags: no decoder needed
	}
	var tags []string
	if err := json.Unmarshal([]byte(s), &tags); err != nil {
		return nil, fmt.Errorf("decoding tag list: %w", err)
	}
	if len(tags) == 0 {
		return nil, nil
	}
	return tags, nil
}

func encodeTagList(tags []string) (string, error) {
	if len(tags) == 0 {
		// Most runs have no tags, and every change writes the list.
		return "[]", nil
	}
	b, err := json.Marshal(tags)
	if err != nil {
		return "", fmt.Errorf("sqlite: encoding tag list: %w", err)
	}
	return string(b), nil
}

// maxEventID stands for "after the last event" in a reverse history read.
const maxEventID = int64(^uint64(0) >> 1)

// sqlLimit turns "no limit" (<= 0) into SQLite's LIMIT -1.
func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

// or returns s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func historyConflict(runID string, last, id int64) error {
	return fmt.Errorf("%w: run %s: event %d does not follow the history's last event %d", store.ErrConflict, runID, id, last)
}

func takenConflict(t store.Task) error {
	return fmt.Errorf("%w: %s task of event %d of run %s was taken", store.ErrConflict, t.Kind, t.ScheduledEventID, t.RunID)
}
