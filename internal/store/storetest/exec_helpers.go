package storetest

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// runFixture is an open run of workflow wf in domain d, started at
// started; its state is opaque bytes the store must keep as they are.
func runFixture(d, wf, runID string, started time.Time) store.Execution {
	return store.Execution{
		Domain:      d,
		WorkflowID:  wf,
		RunID:       runID,
		Version:     1,
		Open:        true,
		State:       []byte(`{"run":"` + runID + `"}`),
		TypeName:    "wt",
		TypeVersion: "1",
		StartedAt:   started,
		TagList:     []string{"b", "a"},
	}
}

// event is event id of a run with recognizable data.
func event(id int64) store.Event {
	return store.Event{ID: id, Data: fmt.Appendf(nil, `{"eventId":%d}`, id)}
}

func events(from, to int64) []store.Event {
	var out []store.Event
	for id := from; id <= to; id++ {
		out = append(out, event(id))
	}
	return out
}

func decisionTask(x store.Execution, taskList string, priority int32, scheduled int64) store.Task {
	return store.Task{Kind: store.DecisionTask, Domain: x.Domain, TaskList: taskList, Priority: priority,
		WorkflowID: x.WorkflowID, RunID: x.RunID, ScheduledEventID: scheduled}
}

func activityTask(x store.Execution, taskList string, priority int32, scheduled int64) store.Task {
	t := decisionTask(x, taskList, priority, scheduled)
	t.Kind = store.ActivityTask
	return t
}

func timerFixture(x store.Execution, key string, at time.Time) store.Timer {
	return store.Timer{Domain: x.Domain, WorkflowID: x.WorkflowID, RunID: x.RunID, Key: key, FireAt: at}
}

// create starts x with its first event and whatever more the change adds.
func (e *env) create(x store.Execution, more ...func(*store.ExecutionChange)) store.Execution {
	e.t.Helper()
	ch := store.ExecutionChange{Execution: x, Events: []store.Event{event(1)}}
	for _, f := range more {
		f(&ch)
	}
	if err := e.s.CreateExecution(e.t.Context(), ch); err != nil {
		e.t.Fatalf("CreateExecution(%s): %v", x.RunID, err)
	}
	return x
}

// next is the change that moves x to its next version.
func next(x store.Execution) store.ExecutionChange {
	ch := store.ExecutionChange{Execution: x, ExpectedVersion: x.Version}
	ch.Execution.Version++
	return ch
}

// update commits the change f makes to next(x) and returns the new row.
func (e *env) update(x store.Execution, f func(*store.ExecutionChange)) store.Execution {
	e.t.Helper()
	ch := next(x)
	if f != nil {
		f(&ch)
	}
	if err := e.s.UpdateExecution(e.t.Context(), ch); err != nil {
		e.t.Fatalf("UpdateExecution(%s v%d): %v", x.RunID, ch.ExpectedVersion, err)
	}
	return ch.Execution
}

func (e *env) getRun(runID string) (store.Execution, []store.Activity) {
	e.t.Helper()
	x, acts, err := e.s.GetRun(e.t.Context(), runID)
	if err != nil {
		e.t.Fatalf("GetRun(%s): %v", runID, err)
	}
	return x, acts
}

func (e *env) history(runID string) []store.Event {
	e.t.Helper()
	evs, err := e.s.History(e.t.Context(), runID, 0, 0, false)
	if err != nil {
		e.t.Fatalf("History(%s): %v", runID, err)
	}
	return evs
}

func (e *env) tasks(kind store.TaskKind, domain, taskList string) []store.Task {
	e.t.Helper()
	ts, err := e.s.NextTasks(e.t.Context(), kind, domain, taskList, 0)
	if err != nil {
		e.t.Fatalf("NextTasks: %v", err)
	}
	return ts
}

func (e *env) dueTimers(now time.Time) []store.Timer {
	e.t.Helper()
	ts, err := e.s.DueTimers(e.t.Context(), now, 0)
	if err != nil {
		e.t.Fatalf("DueTimers: %v", err)
	}
	return ts
}

// sameExecution compares a run read back with the one written: times to
// the millisecond, nil and empty alike.
func sameExecution(got, want store.Execution) bool {
	if !got.StartedAt.Equal(ms(want.StartedAt)) || !got.ClosedAt.Equal(ms(want.ClosedAt)) {
		return false
	}
	if !bytes.Equal(got.State, want.State) || !slices.Equal(got.TagList, want.TagList) {
		return false
	}
	got.StartedAt, want.StartedAt = time.Time{}, time.Time{}
	got.ClosedAt, want.ClosedAt = time.Time{}, time.Time{}
	got.State, want.State = nil, nil
	got.TagList, want.TagList = nil, nil
	return reflect.DeepEqual(got, want)
}

func (e *env) wantExecution(got, want store.Execution) {
	e.t.Helper()
	if !sameExecution(got, want) {
		e.t.Errorf("got execution\n\t%+v\nwant\n\t%+v", got, want)
	}
}

// sameActivity compares activity rows: times to the millisecond.
func sameActivity(got, want store.Activity) bool {
	for _, p := range [][2]time.Time{{got.StartedAt, want.StartedAt}, {got.Deadline, want.Deadline}, {got.HeartbeatAt, want.HeartbeatAt}} {
		if !p[0].Equal(ms(p[1])) {
			return false
		}
	}
	if (got.HeartbeatDetails == nil) != (want.HeartbeatDetails == nil) ||
		got.HeartbeatDetails != nil && *got.HeartbeatDetails != *want.HeartbeatDetails {
		return false
	}
	got.StartedAt, got.Deadline, got.HeartbeatAt, got.HeartbeatDetails = time.Time{}, time.Time{}, time.Time{}, nil
	want.StartedAt, want.Deadline, want.HeartbeatAt, want.HeartbeatDetails = time.Time{}, time.Time{}, time.Time{}, nil
	return reflect.DeepEqual(got, want)
}

func (e *env) wantActivities(got, want []store.Activity) {
	e.t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = sameActivity(got[i], want[i])
	}
	if !ok {
		e.t.Errorf("got activities\n\t%s\nwant\n\t%s", fmtActivities(got), fmtActivities(want))
	}
}

func fmtActivities(as []store.Activity) string {
	var b bytes.Buffer
	for _, a := range as {
		d := "<nil>"
		if a.HeartbeatDetails != nil {
			d = *a.HeartbeatDetails
		}
		fmt.Fprintf(&b, "{sched %d started %d cancel %v at %v timeout %v deadline %v beat %v %q} ",
			a.ScheduledEventID, a.StartedEventID, a.CancelRequested, a.StartedAt.UnixMilli(), a.HeartbeatTimeout,
			a.Deadline.UnixMilli(), a.HeartbeatAt.UnixMilli(), d)
	}
	return b.String()
}

func eventIDs(evs []store.Event) []int64 {
	out := make([]int64, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

// taskNames names tasks by run and scheduled event, in order.
func taskNames(ts []store.Task) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = fmt.Sprintf("%s/%d", t.RunID, t.ScheduledEventID)
	}
	return out
}

func timerNames(ts []store.Timer) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.RunID + "/" + t.Key
	}
	return out
}

// checkHistory checks that a run's history is events 1..n as event makes
// them.
func (e *env) checkHistory(runID string, n int64) {
	e.t.Helper()
	got := e.history(runID)
	if !reflect.DeepEqual(got, events(1, n)) && !(n == 0 && len(got) == 0) {
		e.t.Errorf("history of %s = %v, want events 1..%d", runID, eventIDs(got), n)
	}
}

func ptr[T any](v T) *T { return &v }

// must fails the test when a call that should succeed returns an error.
func must(t *testing.T, what string, err error) {
	t.Helper()
	wantErr(t, what, err, nil)
}
