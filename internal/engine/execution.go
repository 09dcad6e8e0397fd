// Package engine is the state machine of one workflow execution, as Amazon
// SWF runs it: it takes the execution's state, one command (an API call or a
// timer that fired) and the time, and returns the new state together with
// the history events, tasks, timers and activity rows the command produced.
//
// The package does no I/O, reads no clock and keeps no globals; the service
// layer loads an Execution, calls one method, and commits the new state and
// the Effects in one transaction. A method that returns an error leaves its
// Execution exactly as it was, so the caller can answer the fault and drop
// the state, or keep using it.
package engine

import (
	"maps"
	"slices"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// TypeRef names an activity or workflow type.
type TypeRef struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// ActivityTypeInfo is what the service knows of a registered activity type:
// whether it is deprecated, and its registered defaults.
type ActivityTypeInfo struct {
	Deprecated bool
	Config     swfapi.ActivityTypeConfiguration
}

// WorkflowTypeInfo is what the service knows of a registered workflow type:
// whether it is deprecated, and its registered defaults.
type WorkflowTypeInfo struct {
	Deprecated bool
	Config     swfapi.WorkflowTypeConfiguration
}

// Limits bounds what one execution may hold open at once.
type Limits struct {
	// OpenActivities is the most activity tasks open at once; a
	// ScheduleActivityTask beyond it fails with OPEN_ACTIVITIES_LIMIT_EXCEEDED.
	OpenActivities int `json:"openActivities"`
	// OpenTimers is the most timers open at once; a StartTimer beyond it
	// fails with OPEN_TIMERS_LIMIT_EXCEEDED.
	OpenTimers int `json:"openTimers"`
	// OpenChildren is the most child runs open at once; a
	// StartChildWorkflowExecution beyond it fails with
	// OPEN_CHILDREN_LIMIT_EXCEEDED.
	OpenChildren int `json:"openChildren,omitempty"`
	// HistoryEvents is the most events in the run's history; the event
	// that would pass it is not recorded, and the run is terminated with
	// cause EVENT_LIMIT_EXCEEDED instead (see eventlimit.go).
	HistoryEvents int `json:"historyEvents,omitempty"`
}

// DefaultLimits returns SWF's quotas: 1,000 open activity tasks, 1,000
// open timers and 1,000 open child runs per execution, and 25,000 events in
// its history.
func DefaultLimits() Limits {
	return Limits{OpenActivities: 1000, OpenTimers: 1000, OpenChildren: 1000, HistoryEvents: 25000}
}

// orDefault replaces limits that are not positive with SWF's quotas, so a
// zero Limits means "the defaults" rather than "nothing may be opened".
func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	if l.OpenActivities <= 0 {
		l.OpenActivities = d.OpenActivities
	}
	if l.OpenTimers <= 0 {
		l.OpenTimers = d.OpenTimers
	}
	if l.OpenChildren <= 0 {
		l.OpenChildren = d.OpenChildren
	}
	if l.HistoryEvents <= 0 {
		l.HistoryEvents = d.HistoryEvents
	}
	return l
}

// Execution is the whole mutable state of one workflow run. It is encoded
// as JSON and stored as a blob by the service. Times are kept to the
// millisecond, the precision of SWF's timestamps.
//
// The run's input is not part of it: it is in the WorkflowExecutionStarted
// event, and nothing reads it after the start, while the state is written
// again on every change and an input may be 32 KiB. (States stored before
// carry an "input" key, which decoding ignores.)
type Execution struct {
	Domain       string  `json:"domain"`
	WorkflowID   string  `json:"workflowId"`
	RunID        string  `json:"runId"`
	WorkflowType TypeRef `json:"workflowType"`

	// The configuration resolved at start from the request and the type's
	// defaults. TaskPriority and LambdaRole are "" when neither gave one.
	TaskList                     string             `json:"taskList"`
	TaskPriority                 string             `json:"taskPriority,omitempty"`
	ExecutionStartToCloseTimeout string             `json:"executionStartToCloseTimeout"`
	TaskStartToCloseTimeout      string             `json:"taskStartToCloseTimeout"`
	ChildPolicy                  swfapi.ChildPolicy `json:"childPolicy"`
	LambdaRole                   string             `json:"lambdaRole,omitempty"`
	TagList                      []string           `json:"tagList,omitempty"`
	Limits                       Limits             `json:"limits"`

	StartedAt       time.Time          `json:"startedAt"`
	Open            bool               `json:"open"`
	CloseStatus     swfapi.CloseStatus `json:"closeStatus,omitempty"`
	ClosedAt        time.Time          `json:"closedAt,omitzero"`
	CancelRequested bool               `json:"cancelRequested,omitempty"`

	// NextEventID is the id the next history event gets; ids are dense
	// from 1.
	NextEventID int64 `json:"nextEventId"`
	// LatestExecutionContextEventID is the DecisionTaskCompleted event
	// that carries the latest executionContext a decider gave (0: none).
	// The context itself, up to 32 KiB, stays in that event, for
	// DescribeWorkflowExecution to read: the state is written again on
	// every change. LatestExecutionContext is the context itself as
	// states stored before kept it; it counts until a newer one comes.
	LatestExecutionContextEventID int64     `json:"latestExecutionContextEventId,omitempty"`
	LatestExecutionContext        *string   `json:"latestExecutionContext,omitempty"`
	LatestActivityTaskTimestamp   time.Time `json:"latestActivityTaskTimestamp,omitzero"`

	// Decision is the open decision task, scheduled or started; SWF keeps
	// at most one per execution.
	Decision *DecisionTaskState `json:"decision,omitempty"`
	// NextDecision is a decision task scheduled while Decision was started:
	// SWF records its DecisionTaskScheduled as soon as an event the decider
	// must see arrives, but hands the task out only once the started one
	// has completed or timed out. Its presence is what makes a closing
	// decision of the started task fail with UNHANDLED_DECISION.
	NextDecision *DecisionTaskState `json:"nextDecision,omitempty"`
	// PreviousStartedEventID is the started event id of the last decision
	// task that completed (0 before the first).
	PreviousStartedEventID int64 `json:"previousStartedEventId,omitempty"`
	// TaskListOverride is the task list a decider chose for future decision
	// tasks ("" for none); with TaskListOverrideScheduleToStart set the
	// override is temporary and reverts when a task on it times out.
	TaskListOverride                string `json:"taskListOverride,omitempty"`
	TaskListOverrideScheduleToStart string `json:"taskListOverrideScheduleToStartTimeout,omitempty"`

	// Activities are the open activity tasks by scheduled event id, and
	// ActivityIDs maps the activityId of each to its scheduled event id.
	Activities  map[int64]ActivityState `json:"activities,omitempty"`
	ActivityIDs map[string]int64        `json:"activityIds,omitempty"`
	// Timers are the open timers by timer id.
	Timers map[string]TimerState `json:"timers,omitempty"`
	// External are the signals and cancel requests this run sent to other
	// runs and that are not delivered yet, by initiated event id.
	External map[int64]ExternalRequest `json:"external,omitempty"`
	// Received names the latest requests other runs delivered here
	// ("runId/initiatedEventId"), so that one redelivered after a crash is
	// not recorded twice (see ReceivedRequests for why the latest suffice).
	Received ReceivedRequests `json:"received,omitempty"`

	// Children are the child runs this run started or is starting, by
	// their StartChildWorkflowExecutionInitiated event id, until they
	// close (see children.go).
	Children map[int64]ChildState `json:"children,omitempty"`
	// Parent is the run that started this one as its child, if any; a run
	// continued as new keeps its predecessor's parent.
	Parent *ParentRef `json:"parent,omitempty"`
	// Notice is what this child run, closed, still has to tell its parent.
	Notice *ParentNotice `json:"notice,omitempty"`
}

// DecisionTaskState is the open decision task of an execution.
type DecisionTaskState struct {
	ScheduledEventID int64     `json:"scheduledEventId"`
	ScheduledAt      time.Time `json:"scheduledAt"`
	TaskList         string    `json:"taskList"`
	Priority         string    `json:"priority,omitempty"`
	StartToClose     string    `json:"startToCloseTimeout"`
	// ScheduleToStart is set only for a task on a temporary task list
	// override.
	ScheduleToStart string `json:"scheduleToStartTimeout,omitempty"`
	// StartedEventID is 0 while the task waits for a poller.
	StartedEventID int64     `json:"startedEventId,omitempty"`
	StartedAt      time.Time `json:"startedAt,omitzero"`
	Identity       string    `json:"identity,omitempty"`
}

// ActivityState is one open activity task. Its Input is kept only until
// the task starts: it goes to the poller that takes the task, and the
// ActivityTaskScheduled event keeps it for the history.
type ActivityState struct {
	ActivityID       string  `json:"activityId"`
	Type             TypeRef `json:"activityType"`
	TaskList         string  `json:"taskList"`
	Priority         string  `json:"priority,omitempty"`
	Input            *string `json:"input,omitempty"`
	Control          *string `json:"control,omitempty"`
	ScheduleToStart  string  `json:"scheduleToStartTimeout"`
	ScheduleToClose  string  `json:"scheduleToCloseTimeout"`
	StartToClose     string  `json:"startToCloseTimeout"`
	HeartbeatTimeout string  `json:"heartbeatTimeout"`

	ScheduledEventID int64     `json:"scheduledEventId"`
	ScheduledAt      time.Time `json:"scheduledAt"`
	// StartedEventID is 0 until a worker takes the task.
	StartedEventID int64     `json:"startedEventId,omitempty"`
	StartedAt      time.Time `json:"startedAt,omitzero"`
	Identity       string    `json:"identity,omitempty"`

	CancelRequested bool `json:"cancelRequested,omitempty"`
	// LatestCancelRequestedEventID is the last ActivityTaskCancelRequested
	// event recorded for this activity.
	LatestCancelRequestedEventID int64 `json:"latestCancelRequestedEventId,omitempty"`

	// LastHeartbeatAt and HeartbeatDetails are copied in by the service
	// from the activity's row whenever it loads the run: heartbeats update
	// only the row, never this state. So they are not encoded with it,
	// where details of up to 2 KiB would be written again with every
	// change while the activity runs. (States stored before carry them;
	// the row's copy replaces them on every load.)
	LastHeartbeatAt  time.Time `json:"-"`
	HeartbeatDetails *string   `json:"-"`
}

// TimerState is one open timer started by a StartTimer decision.
type TimerState struct {
	TimerID            string    `json:"timerId"`
	Control            *string   `json:"control,omitempty"`
	StartToFireTimeout string    `json:"startToFireTimeout"`
	StartedEventID     int64     `json:"startedEventId"`
	FireAt             time.Time `json:"fireAt"`
}

// TaskKind tells decision tasks from activity tasks.
type TaskKind string

// The two kinds of task.
const (
	TaskDecision TaskKind = "decision"
	TaskActivity TaskKind = "activity"
)

// Task is a task waiting for a poller. A task is identified by its Kind and
// ScheduledEventID within the run.
type Task struct {
	Kind     TaskKind
	TaskList string
	// Priority is the task's priority parsed; 0 when none was set.
	Priority         int32
	ScheduledEventID int64
}

// Timer is a durable timer to arm. Key is unique within the run, made by
// this package (see keys.go), and opaque to the service, which hands it back
// to FireTimer when FireAt has passed.
type Timer struct {
	Key    string
	FireAt time.Time
}

// ActivityRow is the store's small row for a started activity task, which
// heartbeats read and update without loading the execution.
type ActivityRow struct {
	ScheduledEventID int64
	StartedEventID   int64
	CancelRequested  bool
}

// Effects is what one command produced, for the service to commit together
// with the new state.
type Effects struct {
	// Events are new history events, with ids dense from the execution's
	// NextEventID before the command, all stamped with the command's time.
	Events []swfapi.HistoryEvent
	// Tasks are to be queued for pollers.
	Tasks []Task
	// RemoveTasks are queued tasks that no longer exist. A task that a
	// command starts is consumed by the service and is not listed.
	RemoveTasks []Task
	// Timers are to be armed; a timer with the same key is replaced.
	Timers []Timer
	// RemoveTimers are keys to disarm.
	RemoveTimers []string
	// Activities are rows to insert or update.
	Activities []ActivityRow
	// RemoveActivities are the scheduled event ids of rows to delete.
	RemoveActivities []int64
	// Closed reports that the command closed the execution.
	Closed bool
	// NewRun is the run a ContinueAsNewWorkflowExecution decision
	// started, to be created in the transaction that closes this one.
	NewRun *NewRun
}

// Clone returns a copy of e that shares nothing mutable with it: commands
// applied to one leave the other as it was.
func (e *Execution) Clone() *Execution { return e.clone() }

// clone returns a copy of e that shares nothing mutable with it. Commands
// work on a clone and copy it back only when they succeed, so a fault
// leaves e untouched.
func (e *Execution) clone() *Execution {
	n := *e
	if e.Decision != nil {
		d := *e.Decision
		n.Decision = &d
	}
	if e.NextDecision != nil {
		d := *e.NextDecision
		n.NextDecision = &d
	}
	n.Activities = maps.Clone(e.Activities)
	if n.Activities == nil {
		n.Activities = map[int64]ActivityState{}
	}
	n.ActivityIDs = maps.Clone(e.ActivityIDs)
	if n.ActivityIDs == nil {
		n.ActivityIDs = map[string]int64{}
	}
	n.External = maps.Clone(e.External)
	if n.External == nil {
		n.External = map[int64]ExternalRequest{}
	}
	n.Received = slices.Clone(e.Received)
	n.Timers = maps.Clone(e.Timers)
	if n.Timers == nil {
		n.Timers = map[string]TimerState{}
	}
	n.Children = maps.Clone(e.Children)
	if n.Children == nil {
		n.Children = map[int64]ChildState{}
	}
	if e.Notice != nil {
		notice := *e.Notice
		n.Notice = &notice
	}
	return &n
}

// cmd is one command being applied to a clone of an execution: it assigns
// event ids and collects the events.
type cmd struct {
	e      *Execution
	now    time.Time
	events []swfapi.HistoryEvent
	// inBatch is set while a decision batch is applied: events that need a
	// decision task only note it in wantDecision, and one decision task is
	// scheduled after the whole batch.
	inBatch      bool
	wantDecision bool
	// completedID is the DecisionTaskCompleted event of the batch.
	completedID int64
	// look is what a decision batch needs from outside the run, and
	// newRun the run the command started.
	look   Lookups
	newRun *NewRun
	// rearm is a timer that fired early and must be armed again (a fired
	// timer is gone from the store even when the state still wants it).
	rearm *Timer
}

// normTime drops what the engine does not keep of a time: the monotonic
// reading, the zone, and anything below a millisecond. Deadlines computed
// from such times are exact in any store that keeps milliseconds.
func normTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// apply runs f on a clone of e at now and, if it succeeds, makes the clone
// e's new state and returns the Effects, derived by comparing the tasks,
// timers and activity rows the state implies before and after.
func (e *Execution) apply(now time.Time, f func(c *cmd) error) (Effects, error) {
	n := e.clone()
	before := n.snapshot()
	c := &cmd{e: n, now: normTime(now)}
	if err := c.run(f); err != nil {
		return Effects{}, err
	}
	fx := diff(before, n)
	fx.Events = c.events
	if c.rearm != nil {
		fx.Timers = append(fx.Timers, *c.rearm)
	}
	fx.Closed = e.Open && !n.Open
	fx.NewRun = c.newRun
	*e = *n
	return fx, nil
}

// event appends a history event of type t, filled in by fill, and returns
// its id. An event the history has no room for is not recorded: the run is
// terminated instead and the command ends there (see eventlimit.go).
func (c *cmd) event(t swfapi.EventType, fill func(ev *swfapi.HistoryEvent)) int64 {
	if !c.roomFor(t) {
		c.terminateFull()
	}
	id := c.e.NextEventID
	c.e.NextEventID++
	ev := swfapi.HistoryEvent{
		EventId:        swfapi.Ptr(id),
		EventType:      swfapi.Ptr(t),
		EventTimestamp: swfapi.NewTimestamp(c.now),
	}
	fill(&ev)
	c.events = append(c.events, ev)
	return id
}

// needDecision is called after an event the decider must see. With no
// decision task open, one is scheduled now; one that is scheduled but not
// started will show the event anyway; while one is started, a second is
// scheduled now (once), to be handed out when the started one is done.
func (c *cmd) needDecision() {
	switch {
	case c.inBatch:
		c.wantDecision = true
	case c.e.Decision == nil:
		c.e.Decision = c.scheduleDecision()
	case c.e.Decision.StartedEventID == 0:
	case c.e.NextDecision == nil:
		c.e.NextDecision = c.scheduleDecision()
	}
}

// promoteDecision ends the started decision task: the task scheduled
// meanwhile, if any, becomes the open one and is handed out.
func (c *cmd) promoteDecision() {
	c.e.Decision, c.e.NextDecision = c.e.NextDecision, nil
}

// scheduleDecision records DecisionTaskScheduled for a new decision task on
// the execution's task list, or on the decider's override, and returns it.
func (c *cmd) scheduleDecision() *DecisionTaskState {
	e := c.e
	d := &DecisionTaskState{
		ScheduledAt:  c.now,
		TaskList:     e.TaskList,
		Priority:     e.TaskPriority,
		StartToClose: e.TaskStartToCloseTimeout,
	}
	if e.TaskListOverride != "" {
		d.TaskList = e.TaskListOverride
		d.ScheduleToStart = e.TaskListOverrideScheduleToStart
	}
	d.ScheduledEventID = c.event(swfapi.EventTypeDecisionTaskScheduled, func(ev *swfapi.HistoryEvent) {
		ev.DecisionTaskScheduledEventAttributes = &swfapi.DecisionTaskScheduledEventAttributes{
			TaskList:               taskList(d.TaskList),
			TaskPriority:           optional(d.Priority),
			StartToCloseTimeout:    swfapi.Ptr(d.StartToClose),
			ScheduleToStartTimeout: optional(d.ScheduleToStart),
		}
	})
	return d
}

// close ends the execution with status, right after its close event.
// Open activities and timers stay in the state (DescribeWorkflowExecution
// still counts them, as SWF does), but the state no longer implies any
// task, timer or activity row, so the Effects remove them all. What the run
// owes other runs for its close (see children.go) is noted here.
func (c *cmd) close(status swfapi.CloseStatus) {
	c.e.Open = false
	c.e.CloseStatus = status
	c.e.ClosedAt = c.now
	c.e.Decision = nil
	c.e.NextDecision = nil
	c.owe(status, c.events[len(c.events)-1])
}

func taskList(name string) *swfapi.TaskList { return &swfapi.TaskList{Name: swfapi.Ptr(name)} }

// optional returns nil for "", so that unset members are left out.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// deref returns the string p points to, or "".
func deref[T ~string](p *T) T {
	if p == nil {
		return ""
	}
	return *p
}
