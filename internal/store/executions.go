package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrConflict: the execution changed since it was loaded (its version moved
// on), or a task the change consumes was already taken. The caller reloads
// and tries again, or gives up.
var ErrConflict = errors.New("store: conflict")

// Execution is one run of a workflow as stored: the engine's state, opaque
// to the store, with the columns the visibility operations filter on.
type Execution struct {
	Domain     string
	WorkflowID string
	RunID      string
	// Version counts the changes committed to this run; a change names the
	// version it was computed from.
	Version int64
	Open    bool
	// State is the engine's state of the run, encoded by the service.
	State []byte

	TypeName        string
	TypeVersion     string
	StartedAt       time.Time
	ClosedAt        time.Time // zero while open
	CloseStatus     string    // empty while open
	TagList         []string
	CancelRequested bool

	// ParentWorkflowID and ParentRunID name the run that started this one
	// as its child (a successor by continue-as-new keeps its
	// predecessor's parent); both empty for a run without a parent. They
	// are written when the run is created and never change: an update
	// does not write them.
	ParentWorkflowID string
	ParentRunID      string
}

// Event is one history event of a run: its id (dense from 1) and its
// encoding, opaque to the store.
type Event struct {
	ID   int64
	Data []byte
}

// TaskKind tells decision tasks from activity tasks.
type TaskKind string

// The two kinds of task.
const (
	DecisionTask TaskKind = "decision"
	ActivityTask TaskKind = "activity"
)

// Task is a task waiting for a poller: the event that scheduled it, and
// where it waits.
type Task struct {
	Kind             TaskKind
	Domain           string
	TaskList         string
	Priority         int32
	WorkflowID       string
	RunID            string
	ScheduledEventID int64
	// Seq orders tasks of equal priority by arrival; the store assigns it.
	Seq int64
}

// Timer is a durable timer of a run: Key is unique within the run and
// opaque to the store.
type Timer struct {
	Domain     string
	WorkflowID string
	RunID      string
	Key        string
	FireAt     time.Time
}

// Activity is the row of a started activity task that heartbeats update
// without touching the execution: its attempt (StartedEventID), whether a
// cancel was requested, and the last heartbeat.
type Activity struct {
	RunID            string
	ScheduledEventID int64
	StartedEventID   int64
	CancelRequested  bool
	// StartedAt is when the task started.
	StartedAt time.Time
	// HeartbeatTimeout is the activity's heartbeat timeout (0: none), and
	// Deadline the instant its start-to-close or schedule-to-close timeout
	// ends it (zero: none). A heartbeat past either is refused, even before
	// the timer that records the timeout has fired.
	HeartbeatTimeout time.Duration
	Deadline         time.Time
	// HeartbeatAt is zero until the first heartbeat.
	HeartbeatAt      time.Time
	HeartbeatDetails *string
}

// ExecutionChange is everything one command does to a run, committed in one
// transaction.
type ExecutionChange struct {
	// Execution is the run's new row. Its Version must be ExpectedVersion+1.
	Execution Execution
	// ExpectedVersion is the version the change was computed from; 0 when
	// the change creates the run.
	ExpectedVersion int64
	// Events are appended to the run's history; their ids continue the
	// history densely.
	Events []Event
	// AddTasks are queued for pollers.
	AddTasks []Task
	// TakeTasks are removed, identified by (Kind, RunID, ScheduledEventID):
	// a task a poller is being given, or one that no longer exists. When
	// Strict, a task that is already gone fails the change with ErrConflict
	// (two pollers never get one task).
	TakeTasks []Task
	Strict    bool
	// SetTimers are armed, after RemoveTimers are disarmed (so a timer
	// can be re-armed under its own key); a timer with the same key is
	// replaced.
	SetTimers []Timer
	// RemoveTimers are disarmed by key; a missing key is not an error.
	RemoveTimers []string
	// PutActivities are inserted or updated (StartedEventID and
	// CancelRequested; an update keeps the heartbeat columns).
	PutActivities []Activity
	// RemoveActivities are deleted by scheduled event id.
	RemoveActivities []int64
	// NewRun, with UpdateExecution, is a run to create in the same
	// transaction after this change: the successor of a run the change
	// closes (continue-as-new), or a child the run starts. It is a creating
	// change (ExpectedVersion 0); if it cannot be created (ErrExists: its
	// run id is taken, or its workflow id has an open run), nothing of
	// either is written.
	NewRun *ExecutionChange
	// QueuedAt is when the change's AddTasks are queued (the command's
	// time): Backlogs reports the oldest waiting task's.
	QueuedAt time.Time
	// OpenLimit, when positive in a change CreateExecution commits, is the
	// most open runs the new run's domain may have, the new run included:
	// past it, the change fails with ErrLimit and nothing is written.
	OpenLimit int
}

// Backlog is what waits in one task list.
type Backlog struct {
	Kind     TaskKind
	Domain   string
	TaskList string
	Count    int64
	Oldest   time.Time // when the oldest waiting task was queued
}

// ExecutionQuery selects runs of a domain for the visibility operations,
// from the run's columns alone.
//
// Closed chooses closed runs, else open ones. Runs are selected and ordered
// by their close time when ByClose (closed runs only), else by their start
// time: those whose time lies in [Oldest, Latest] (Latest zero: no upper
// bound). At most one of the narrowing filters is usually set, as SWF
// allows, but every one that is set applies: WorkflowID; TypeName, and
// TypeVersion when set too; Tag (when not nil: a run may carry an empty
// tag), which matches a run when any of its tags equals it; CloseStatus.
//
// The order is newest first, by (time, run id), and oldest first when
// Ascending (SWF's reverseOrder). When AfterRunID is set, only runs strictly
// after (AfterTime, AfterRunID) in that order are returned: a page boundary
// that stays put however runs are added. Limit > 0 caps the number of runs.
// CountExecutions ignores the position and the limit, and counts at most
// CountLimit runs when CountLimit > 0 (so that a count stays as cheap as
// reading that many index entries).
type ExecutionQuery struct {
	Domain  string
	Closed  bool
	ByClose bool
	Oldest  time.Time
	Latest  time.Time

	WorkflowID  string
	TypeName    string
	TypeVersion string
	Tag         *string
	CloseStatus string

	Ascending  bool
	AfterTime  time.Time
	AfterRunID string
	Limit      int
	CountLimit int
}

// CountLimit is the most runs the service has a visibility count count
// (ExecutionQuery.CountLimit): past it, it answers this many and
// truncated, as SWF may. A count reads one index entry per run, and this
// many take well under SWF's budget of a request (see README).
const CountLimit = 100_000

// ExecutionStore keeps workflow executions, their histories, their tasks and
// their timers.
type ExecutionStore interface {
	// CreateExecution commits a change that starts a run. It fails with
	// ErrExists when the domain has an open run with the same workflow id,
	// and with ErrLimit when the new run would pass ch.OpenLimit. On SQLite
	// the limit is exact (one writer counts); on PostgreSQL starts
	// committing at the same moment do not see each other, so as many as
	// race can pass it.
	CreateExecution(ctx context.Context, ch ExecutionChange) error
	// OpenCount returns how many runs of a domain are open. The store
	// keeps the number as runs open and close (in the same transaction),
	// so reading it costs one or a few rows however many runs are open.
	OpenCount(ctx context.Context, domain string) (int, error)
	// UpdateExecution commits a change to a run. It fails with ErrConflict
	// when the run's version is not ch.ExpectedVersion, or (Strict) when a
	// task of TakeTasks is gone.
	UpdateExecution(ctx context.Context, ch ExecutionChange) error
	// GetExecution returns a run and the activity rows of its started
	// activities. With runID empty it returns the domain's open run of that
	// workflow id, or else the one started last. ErrNotFound if none.
	GetExecution(ctx context.Context, domain, workflowID, runID string) (Execution, []Activity, error)
	// GetRun returns a run by its run id alone (run ids are unique across
	// domains), with the activity rows of its started activities.
	GetRun(ctx context.Context, runID string) (Execution, []Activity, error)
	// History returns up to limit events of a run with ids after afterID
	// (before it when reverse; afterID 0 means from the end), in id order
	// (descending when reverse).
	History(ctx context.Context, runID string, afterID int64, limit int, reverse bool) ([]Event, error)
	// NextTasks returns up to limit queued tasks of a task list, highest
	// priority first and oldest first within a priority.
	NextTasks(ctx context.Context, kind TaskKind, domain, taskList string, limit int) ([]Task, error)
	// CountTasks counts the queued tasks of a task list.
	CountTasks(ctx context.Context, kind TaskKind, domain, taskList string) (int, error)
	// Backlogs returns the task lists with waiting tasks, of one domain (or of all when domain is ""), ordered by domain, kind and task list.
	Backlogs(ctx context.Context, domain string) ([]Backlog, error)
	// DueTimers returns up to limit timers due at or before now, soonest
	// first.
	DueTimers(ctx context.Context, now time.Time, limit int) ([]Timer, error)
	// NextTimer returns when the soonest timer is due (a timer claimed by
	// a TimerClaimer: when it is due or its claim ends, whichever is
	// later); ok is false when no timer is armed.
	NextTimer(ctx context.Context) (at time.Time, ok bool, err error)
	// Heartbeat records a heartbeat of a started activity at time at: it
	// sets the activity row's heartbeat time and, when details is not nil,
	// its details, and returns whether a cancel was requested. It fails with
	// ErrNotFound when the run has no such activity row with that
	// StartedEventID (the task closed, timed out, or never started), or when
	// at is past the row's Deadline or past its last heartbeat (or start)
	// plus its HeartbeatTimeout: the task has timed out.
	Heartbeat(ctx context.Context, runID string, scheduledEventID, startedEventID int64, details *string, at time.Time) (cancelRequested bool, err error)
	// ListExecutions returns the runs q selects, in q's order, read from
	// the visibility columns. The rows it returns carry no State, but every
	// other field, the parent included.
	ListExecutions(ctx context.Context, q ExecutionQuery) ([]Execution, error)
	// CountExecutions counts the runs q selects.
	CountExecutions(ctx context.Context, q ExecutionQuery) (int, error)
}

// TaskListener is what a store shared by several nodes may offer: word of
// the tasks other nodes queue, so that this node's waiting pollers look at
// once rather than at their next periodic look. It is a hint: a notice may
// be lost, late or repeated, and the tasks themselves are always read from
// the store.
type TaskListener interface {
	// ListenTasks calls queued with each task list another node queued
	// tasks on, until ctx ends, reconnecting as it must; it calls
	// listening each time it starts listening, after which nothing
	// announced is missed (what was announced before may have been).
	ListenTasks(ctx context.Context, queued func(kind TaskKind, domain, taskList string), listening func())
	// NotifyTasks tells the other nodes that tasks were queued on a task
	// list, by a change that has committed.
	NotifyTasks(ctx context.Context, kind TaskKind, domain, taskList string) error
}

// TimerClaimer is what a store shared by several nodes offers so that each
// due timer is fired by one node: a node claims due timers for a lease,
// and no other node claims them until it ends. The change that fires a
// timer removes or re-arms its row, which ends the claim; a claimant that
// dies or fails leaves the claim to run out, and the timer is claimed
// again. Firing stays safe without claims (a timer's change is checked
// against its run's version, so a timer fired twice at once takes effect
// once); claims spare the nodes that work.
type TimerClaimer interface {
	// ClaimDueTimers claims and returns up to limit timers due at or
	// before now that no claim holds, soonest first, for lease.
	ClaimDueTimers(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Timer, error)
}

// Check refuses a change that breaks the contract's own rules, before
// anything is written: those are the caller's mistakes, not conflicts.
func (ch ExecutionChange) Check(create bool) error {
	x := ch.Execution
	switch {
	case x.RunID == "" || x.Domain == "" || x.WorkflowID == "":
		return errors.New("store: execution change without a run id, domain or workflow id")
	case create && (ch.ExpectedVersion != 0 || x.Version != 1):
		return fmt.Errorf("store: a new run has version 1, expecting 0 (got %d, expecting %d)", x.Version, ch.ExpectedVersion)
	case !create && (ch.ExpectedVersion < 1 || x.Version != ch.ExpectedVersion+1):
		return fmt.Errorf("store: run %s: version %d does not follow %d", x.RunID, x.Version, ch.ExpectedVersion)
	}
	for i, ev := range ch.Events {
		if i > 0 && ev.ID != ch.Events[i-1].ID+1 {
			return fmt.Errorf("store: run %s: event ids of a change must be dense, %d follows %d", x.RunID, ev.ID, ch.Events[i-1].ID)
		}
	}
	// Every row of a change belongs to its run: an empty run id means the
	// change's, any other is a mistake.
	other := func(runID string) bool { return runID != "" && runID != x.RunID }
	for _, t := range ch.AddTasks {
		if t.Kind != DecisionTask && t.Kind != ActivityTask {
			return fmt.Errorf("store: unknown task kind %q", t.Kind)
		}
		if other(t.RunID) {
			return fmt.Errorf("store: change of run %s adds a task of run %s", x.RunID, t.RunID)
		}
	}
	for _, t := range ch.TakeTasks {
		if other(t.RunID) {
			return fmt.Errorf("store: change of run %s takes a task of run %s", x.RunID, t.RunID)
		}
	}
	for _, tm := range ch.SetTimers {
		if other(tm.RunID) {
			return fmt.Errorf("store: change of run %s sets a timer of run %s", x.RunID, tm.RunID)
		}
	}
	for _, a := range ch.PutActivities {
		if other(a.RunID) {
			return fmt.Errorf("store: change of run %s puts an activity of run %s", x.RunID, a.RunID)
		}
	}
	return nil
}
