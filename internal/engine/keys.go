package engine

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// Timer keys. Every durable timer of a run has a key that names what it
// times and, where the thing can recur, the event that began it, so that a
// timer left over from an earlier attempt never matches the current state:
//
//	workflow/START_TO_CLOSE                 the run's execution timeout
//	decision/<scheduledEventId>/<type>      START_TO_CLOSE or SCHEDULE_TO_START
//	activity/<scheduledEventId>/<type>      SCHEDULE_TO_START, SCHEDULE_TO_CLOSE,
//	                                        START_TO_CLOSE or HEARTBEAT
//	timer/<startedEventId>/<timerId>        a StartTimer decision's timer
//	external/<initiatedEventId>/deliver     a signal or cancel request to send
//	child/<initiatedEventId>/start          a child run to start
//	child/<initiatedEventId>/policy         the child policy to apply (closed run)
//	parent/<parentInitiatedEventId>/notify  the news of a child's close (closed run)
//
// The state alone decides which keys are armed and when they are due
// (armedTimers); commands compare that before and after to emit the timers
// to arm and disarm, so the store's timers always match the state.

const workflowKey = "workflow/START_TO_CLOSE"

func decisionKey(scheduledEventID int64, t swfapi.DecisionTaskTimeoutType) string {
	return "decision/" + strconv.FormatInt(scheduledEventID, 10) + "/" + string(t)
}

func activityKey(scheduledEventID int64, t swfapi.ActivityTaskTimeoutType) string {
	return "activity/" + strconv.FormatInt(scheduledEventID, 10) + "/" + string(t)
}

func externalKey(initiatedEventID int64) string {
	return "external/" + strconv.FormatInt(initiatedEventID, 10) + "/deliver"
}

// ExternalKey reports whether a timer key is a request to another run that
// is owed delivery, and the event that initiated it. The service delivers
// those itself; the engine only records what came of it.
func ExternalKey(key string) (initiatedEventID int64, ok bool) {
	k, ok := parseKey(key)
	if !ok || k.kind != "external" {
		return 0, false
	}
	return k.id, true
}

func timerKey(startedEventID int64, timerID string) string {
	return "timer/" + strconv.FormatInt(startedEventID, 10) + "/" + timerID
}

// parsedKey is a timer key taken apart.
type parsedKey struct {
	kind string // "workflow", "decision", "activity" or "timer"
	id   int64  // scheduled (or, for timers, started) event id
	sub  string // the timeout type, or the timer id
}

// parseKey takes a key apart; ok is false for text that is not a key.
func parseKey(key string) (parsedKey, bool) {
	if key == workflowKey {
		return parsedKey{kind: "workflow"}, true
	}
	parts := strings.SplitN(key, "/", 3)
	if len(parts) != 3 {
		return parsedKey{}, false
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || id <= 0 {
		return parsedKey{}, false
	}
	switch parts[0] {
	case "decision", "activity", "timer", "external", "child", "parent":
		return parsedKey{kind: parts[0], id: id, sub: parts[2]}, true
	}
	return parsedKey{}, false
}

// armedTimers returns every timer the state implies, by key, with its due
// time. A closed execution has only those of what it owes other runs.
func (e *Execution) armedTimers() map[string]time.Time {
	m := map[string]time.Time{}
	if !e.Open {
		e.owedTimers(m)
		return m
	}
	if at, ok := deadline(e.StartedAt, e.ExecutionStartToCloseTimeout); ok {
		m[workflowKey] = at
	}
	if d := e.Decision; d != nil {
		if d.StartedEventID == 0 {
			if at, ok := deadline(d.ScheduledAt, d.ScheduleToStart); ok {
				m[decisionKey(d.ScheduledEventID, swfapi.DecisionTaskTimeoutTypeScheduleToStart)] = at
			}
		} else if at, ok := deadline(d.StartedAt, d.StartToClose); ok {
			m[decisionKey(d.ScheduledEventID, swfapi.DecisionTaskTimeoutTypeStartToClose)] = at
		}
	}
	for id, a := range e.Activities {
		for t, at := range a.deadlines() {
			m[activityKey(id, t)] = at
		}
	}
	for _, t := range e.Timers {
		m[timerKey(t.StartedEventID, t.TimerID)] = t.FireAt
	}
	// A request to another run is delivered by the service when its timer
	// fires, at once: the timer row is the durable note that it is owed.
	for id, r := range e.External {
		m[externalKey(id)] = r.InitiatedAt
	}
	for id, ch := range e.Children {
		if ch.RunID == "" {
			m[childKey(id, ChildStart)] = ch.InitiatedAt
		}
	}
	return m
}

// deadlines returns the timeouts of an open activity that are running, with
// when each is due. Heartbeats never move START_TO_CLOSE or
// SCHEDULE_TO_CLOSE; the heartbeat timeout counts from the last heartbeat
// the state knows of, or from the start.
func (a ActivityState) deadlines() map[swfapi.ActivityTaskTimeoutType]time.Time {
	m := map[swfapi.ActivityTaskTimeoutType]time.Time{}
	if at, ok := deadline(a.ScheduledAt, a.ScheduleToClose); ok {
		m[swfapi.ActivityTaskTimeoutTypeScheduleToClose] = at
	}
	if a.StartedEventID == 0 {
		if at, ok := deadline(a.ScheduledAt, a.ScheduleToStart); ok {
			m[swfapi.ActivityTaskTimeoutTypeScheduleToStart] = at
		}
		return m
	}
	if at, ok := deadline(a.StartedAt, a.StartToClose); ok {
		m[swfapi.ActivityTaskTimeoutTypeStartToClose] = at
	}
	beat := a.StartedAt
	if a.LastHeartbeatAt.After(beat) {
		beat = normTime(a.LastHeartbeatAt)
	}
	if at, ok := deadline(beat, a.HeartbeatTimeout); ok {
		m[swfapi.ActivityTaskTimeoutTypeHeartbeat] = at
	}
	return m
}

// queuedTasks returns the tasks the state implies are waiting for pollers:
// the decision task and the activity tasks that are scheduled and not yet
// started.
func (e *Execution) queuedTasks() []Task {
	var ts []Task
	if !e.Open {
		return ts
	}
	if d := e.Decision; d != nil && d.StartedEventID == 0 {
		ts = append(ts, Task{Kind: TaskDecision, TaskList: d.TaskList, Priority: priority(d.Priority), ScheduledEventID: d.ScheduledEventID})
	}
	for id, a := range e.Activities {
		if a.StartedEventID == 0 {
			ts = append(ts, Task{Kind: TaskActivity, TaskList: a.TaskList, Priority: priority(a.Priority), ScheduledEventID: id})
		}
	}
	sortTasks(ts)
	return ts
}

// activityRows returns the rows the state implies: one per started activity.
func (e *Execution) activityRows() map[int64]ActivityRow {
	m := map[int64]ActivityRow{}
	if !e.Open {
		return m
	}
	for id, a := range e.Activities {
		if a.StartedEventID != 0 {
			m[id] = ActivityRow{ScheduledEventID: id, StartedEventID: a.StartedEventID, CancelRequested: a.CancelRequested}
		}
	}
	return m
}

// snapshot is what the state implies for the store at one moment.
type snapshot struct {
	timers map[string]time.Time
	tasks  []Task
	rows   map[int64]ActivityRow
}

func (e *Execution) snapshot() snapshot {
	return snapshot{timers: e.armedTimers(), tasks: e.queuedTasks(), rows: e.activityRows()}
}

// diff returns the Effects that take the store from what before implied to
// what e now implies. A task that disappeared because it was started is not
// removed: the service consumes it when it hands it to a poller.
func diff(before snapshot, e *Execution) Effects {
	var fx Effects
	after := e.snapshot()

	for key, at := range after.timers {
		if old, ok := before.timers[key]; !ok || !old.Equal(at) {
			fx.Timers = append(fx.Timers, Timer{Key: key, FireAt: at})
		}
	}
	for key := range before.timers {
		if _, ok := after.timers[key]; !ok {
			fx.RemoveTimers = append(fx.RemoveTimers, key)
		}
	}
	slices.SortFunc(fx.Timers, func(a, b Timer) int { return strings.Compare(a.Key, b.Key) })
	slices.Sort(fx.RemoveTimers)

	queued := func(ts []Task, t Task) bool {
		return slices.ContainsFunc(ts, func(u Task) bool { return u.Kind == t.Kind && u.ScheduledEventID == t.ScheduledEventID })
	}
	for _, t := range after.tasks {
		if !queued(before.tasks, t) {
			fx.Tasks = append(fx.Tasks, t)
		}
	}
	for _, t := range before.tasks {
		if !queued(after.tasks, t) && !e.started(t) {
			fx.RemoveTasks = append(fx.RemoveTasks, t)
		}
	}

	for id, r := range after.rows {
		if old, ok := before.rows[id]; !ok || old != r {
			fx.Activities = append(fx.Activities, r)
		}
	}
	for id := range before.rows {
		if _, ok := after.rows[id]; !ok {
			fx.RemoveActivities = append(fx.RemoveActivities, id)
		}
	}
	slices.SortFunc(fx.Activities, func(a, b ActivityRow) int { return cmp.Compare(a.ScheduledEventID, b.ScheduledEventID) })
	slices.Sort(fx.RemoveActivities)
	return fx
}

// started reports whether task t is now started in an open execution.
func (e *Execution) started(t Task) bool {
	if !e.Open {
		return false
	}
	switch t.Kind {
	case TaskDecision:
		return e.Decision != nil && e.Decision.ScheduledEventID == t.ScheduledEventID && e.Decision.StartedEventID != 0
	case TaskActivity:
		a, ok := e.Activities[t.ScheduledEventID]
		return ok && a.StartedEventID != 0
	}
	return false
}

func sortTasks(ts []Task) {
	slices.SortFunc(ts, func(a, b Task) int {
		if a.Kind != b.Kind {
			return strings.Compare(string(b.Kind), string(a.Kind)) // decision first
		}
		return cmp.Compare(a.ScheduledEventID, b.ScheduledEventID)
	})
}
