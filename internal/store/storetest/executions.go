package storetest

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func testCreateExecution(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	r1 := e.create(runFixture("d", "w", "r1", t0))

	got, acts, err := e.s.GetExecution(ctx, "d", "w", "r1")
	must(t, "GetExecution by run id", err)
	e.wantExecution(got, r1)
	if len(acts) != 0 {
		t.Errorf("a new run has activity rows %s", fmtActivities(acts))
	}
	got, _, err = e.s.GetExecution(ctx, "d", "w", "")
	must(t, "GetExecution of the open run", err)
	e.wantExecution(got, r1)
	got, _ = e.getRun("r1")
	e.wantExecution(got, r1)
	e.checkHistory("r1", 1)

	for _, k := range [][3]string{{"d", "w", "r2"}, {"d", "x", ""}, {"d", "x", "r1"}, {"e", "w", "r1"}, {"e", "w", ""}} {
		_, _, err := e.s.GetExecution(ctx, k[0], k[1], k[2])
		wantErr(t, "GetExecution"+k[0]+"/"+k[1]+"/"+k[2], err, store.ErrNotFound)
	}
	_, _, err = e.s.GetRun(ctx, "r2")
	wantErr(t, "GetRun of a missing run", err, store.ErrNotFound)

	// One open run per workflow id in a domain.
	for _, x := range []store.Execution{
		runFixture("d", "w", "r2", t0.Add(time.Hour)),
		runFixture("d", "other", "r1", t0), // the run id is taken
	} {
		err := e.s.CreateExecution(ctx, store.ExecutionChange{Execution: x, Events: []store.Event{event(1)}})
		wantErr(t, "CreateExecution of "+x.WorkflowID+"/"+x.RunID, err, store.ErrExists)
	}
	_, _, err = e.s.GetRun(ctx, "r2")
	wantErr(t, "GetRun of a refused run", err, store.ErrNotFound)
	got, _ = e.getRun("r1")
	e.wantExecution(got, r1)
	e.checkHistory("r1", 1)
	// Another domain is another namespace.
	e.create(runFixture("e", "w", "e1", t0))

	// Closed runs do not hold the workflow id.
	close := func(x store.Execution, at time.Time) store.Execution {
		return e.update(x, func(ch *store.ExecutionChange) {
			ch.Execution.Open, ch.Execution.ClosedAt, ch.Execution.CloseStatus = false, at, "COMPLETED"
			ch.Events = []store.Event{event(2)}
		})
	}
	r1 = close(r1, t0.Add(time.Minute))
	r2 := e.create(runFixture("d", "w", "r2", t0.Add(time.Hour)))
	latest := func(want store.Execution) {
		t.Helper()
		got, _, err := e.s.GetExecution(ctx, "d", "w", "")
		must(t, "GetExecution", err)
		if got.RunID != want.RunID {
			t.Errorf("GetExecution without a run id = %s, want %s", got.RunID, want.RunID)
		}
		e.wantExecution(got, want)
	}
	latest(r2)
	r2 = close(r2, t0.Add(2*time.Hour))
	latest(r2) // started last
	// Started in the same millisecond as r2, created after it.
	r3 := close(e.create(runFixture("d", "w", "r3", t0.Add(time.Hour))), t0.Add(3*time.Hour))
	latest(r3)
	// An open run wins over runs started after it.
	r4 := e.create(runFixture("d", "w", "r4", t0.Add(-time.Hour)))
	latest(r4)
	for _, x := range []store.Execution{r1, r2, r3, r4} {
		got, _, err := e.s.GetExecution(ctx, "d", "w", x.RunID)
		must(t, "GetExecution", err)
		e.wantExecution(got, x)
	}
}

func testExecutionVersions(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	x := e.create(runFixture("d", "w", "r", t0))
	x = e.update(x, func(ch *store.ExecutionChange) {
		ch.Execution.State = []byte("v2")
		ch.Execution.CancelRequested = true
		ch.Execution.TagList = nil
		ch.Events = events(2, 3)
	})
	got, _ := e.getRun("r")
	e.wantExecution(got, x)
	if got.Version != 2 {
		t.Errorf("version after one update = %d, want 2", got.Version)
	}

	stale := next(x)
	stale.ExpectedVersion, stale.Execution.Version = 1, 2
	stale.Events = events(4, 4)
	stale.AddTasks = []store.Task{decisionTask(x, "tl", 0, 4)}
	stale.SetTimers = []store.Timer{timerFixture(x, "k", t0)}
	wantErr(t, "UpdateExecution from a stale version", e.s.UpdateExecution(ctx, stale), store.ErrConflict)
	ahead := next(x)
	ahead.ExpectedVersion, ahead.Execution.Version = 5, 6
	wantErr(t, "UpdateExecution from a future version", e.s.UpdateExecution(ctx, ahead), store.ErrConflict)
	missing := next(runFixture("d", "w", "nope", t0))
	wantErr(t, "UpdateExecution of a missing run", e.s.UpdateExecution(ctx, missing), store.ErrNotFound)

	// Changes that break the contract's rules are refused, whatever the
	// error.
	bad := []store.ExecutionChange{next(x), next(x)}
	bad[0].Execution.Version = x.Version + 2
	bad[1].Events = []store.Event{event(4), event(6)}
	for i, ch := range bad {
		if err := e.s.UpdateExecution(ctx, ch); err == nil {
			t.Errorf("bad change %d was committed", i)
		}
	}
	badCreate := store.ExecutionChange{Execution: runFixture("d", "v", "r9", t0)}
	badCreate.Execution.Version = 2
	if err := e.s.CreateExecution(ctx, badCreate); err == nil {
		t.Errorf("CreateExecution at version 2 succeeded")
	}

	got, _ = e.getRun("r")
	e.wantExecution(got, x)
	e.checkHistory("r", 3)
	if n := len(e.tasks(store.DecisionTask, "d", "tl")); n != 0 {
		t.Errorf("refused changes queued %d tasks", n)
	}
	if ts := e.dueTimers(t0.Add(time.Hour)); len(ts) != 0 {
		t.Errorf("refused changes armed timers %v", timerNames(ts))
	}
	e.update(x, nil)
}

func testEventHistory(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	x := e.create(runFixture("d", "w", "r", t0), func(ch *store.ExecutionChange) { ch.Events = events(1, 4) })
	x = e.update(x, func(ch *store.ExecutionChange) { ch.Events = events(5, 7) })
	x = e.update(x, nil) // a change need not add events
	x = e.update(x, func(ch *store.ExecutionChange) { ch.Events = events(8, 10) })
	e.checkHistory("r", 10)

	// Ids continue the history densely and are never written twice.
	for name, evs := range map[string][]store.Event{
		"duplicate":         events(10, 11),
		"rewrite the start": events(1, 1),
		"gap":               events(12, 12),
	} {
		ch := next(x)
		ch.Events = evs
		ch.AddTasks = []store.Task{decisionTask(x, "tl", 0, evs[0].ID)}
		wantErr(t, "UpdateExecution with events "+name, e.s.UpdateExecution(ctx, ch), store.ErrConflict)
	}
	badStart := store.ExecutionChange{Execution: runFixture("d", "v", "r2", t0), Events: events(2, 3)}
	wantErr(t, "CreateExecution with a history not from 1", e.s.CreateExecution(ctx, badStart), store.ErrConflict)
	e.checkHistory("r", 10)
	got, _ := e.getRun("r")
	e.wantExecution(got, x)
	if n := len(e.tasks(store.DecisionTask, "d", "tl")); n != 0 {
		t.Errorf("refused changes queued %d tasks", n)
	}
	if _, _, err := e.s.GetRun(ctx, "r2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused create left run r2 (%v)", err)
	}
	// Another run's history is its own.
	e.create(runFixture("d", "w2", "other", t0), func(ch *store.ExecutionChange) { ch.Events = events(1, 2) })

	tests := []struct {
		after   int64
		limit   int
		reverse bool
		want    []int64
	}{
		{0, 3, false, []int64{1, 2, 3}},
		{3, 3, false, []int64{4, 5, 6}},
		{9, 3, false, []int64{10}},
		{10, 3, false, nil},
		{0, 0, false, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{7, -1, false, []int64{8, 9, 10}},
		{0, 3, true, []int64{10, 9, 8}},
		{8, 3, true, []int64{7, 6, 5}},
		{2, 3, true, []int64{1}},
		{1, 3, true, nil},
		{0, 0, true, []int64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{11, 2, true, []int64{10, 9}},
	}
	for _, tt := range tests {
		got, err := e.s.History(ctx, "r", tt.after, tt.limit, tt.reverse)
		must(t, "History", err)
		if ids := eventIDs(got); !slices.Equal(ids, tt.want) {
			t.Errorf("History(after %d, limit %d, reverse %v) = %v, want %v", tt.after, tt.limit, tt.reverse, ids, tt.want)
		}
		for _, ev := range got {
			if !reflect.DeepEqual(ev, event(ev.ID)) {
				t.Errorf("event %d reads back as %q", ev.ID, ev.Data)
			}
		}
	}
	if got, err := e.s.History(ctx, "missing", 0, 0, false); err != nil || len(got) != 0 {
		t.Errorf("History of a missing run = %v, %v; want nothing", eventIDs(got), err)
	}
}

// testExecutionAtomic: a change that fails part-way leaves nothing of
// itself behind.
func testExecutionAtomic(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	x := e.create(runFixture("d", "w", "r", t0), func(ch *store.ExecutionChange) {
		ch.AddTasks = []store.Task{decisionTask(runFixture("d", "w", "r", t0), "tl", 0, 1)}
		ch.SetTimers = []store.Timer{timerFixture(runFixture("d", "w", "r", t0), "old", t0)}
		ch.PutActivities = []store.Activity{{RunID: "r", ScheduledEventID: 1, StartedEventID: 2, StartedAt: t0}}
	})
	_, before := e.getRun("r")
	check := func(what string) {
		t.Helper()
		got, acts := e.getRun("r")
		e.wantExecution(got, x)
		e.wantActivities(acts, before)
		e.checkHistory("r", 1)
		if got := taskNames(e.tasks(store.DecisionTask, "d", "tl")); !slices.Equal(got, []string{"r/1"}) {
			t.Errorf("%s: tasks = %v, want the one queued at the start", what, got)
		}
		if got := timerNames(e.dueTimers(t0.Add(time.Hour))); !slices.Equal(got, []string{"r/old"}) {
			t.Errorf("%s: timers = %v, want the one armed at the start", what, got)
		}
	}
	everything := func(ch *store.ExecutionChange) {
		ch.Execution.State = []byte("changed")
		ch.Events = events(2, 3)
		ch.TakeTasks = []store.Task{decisionTask(x, "tl", 0, 1)}
		ch.AddTasks = []store.Task{activityTask(x, "atl", 0, 2), decisionTask(x, "tl", 0, 3)}
		ch.RemoveTimers = []string{"old"}
		ch.SetTimers = []store.Timer{timerFixture(x, "new", t0)}
		ch.RemoveActivities = []int64{1}
		ch.PutActivities = []store.Activity{{RunID: "r", ScheduledEventID: 2, StartedEventID: 3}}
	}
	tests := []struct {
		name  string
		spoil func(*store.ExecutionChange)
	}{
		// The task it adds is queued already: fails after events,
		// takes and earlier adds.
		{"task queued twice", func(ch *store.ExecutionChange) {
			ch.AddTasks = append(ch.AddTasks, activityTask(x, "atl", 0, 2))
		}},
		{"strict take of a missing task", func(ch *store.ExecutionChange) {
			ch.Strict = true
			ch.TakeTasks = append(ch.TakeTasks, activityTask(x, "atl", 0, 99))
		}},
		{"event written twice", func(ch *store.ExecutionChange) { ch.Events = events(1, 3) }},
	}
	for _, tt := range tests {
		ch := next(x)
		everything(&ch)
		tt.spoil(&ch)
		if err := e.s.UpdateExecution(ctx, ch); !errors.Is(err, store.ErrConflict) {
			t.Errorf("%s: UpdateExecution = %v, want ErrConflict", tt.name, err)
		}
		check(tt.name)
	}

	// A create that fails after its row is written leaves no run.
	y := runFixture("d", "w2", "r2", t0)
	ch := store.ExecutionChange{Execution: y, Events: events(1, 2),
		AddTasks:  []store.Task{decisionTask(y, "tl", 0, 2), decisionTask(y, "tl", 0, 2)},
		SetTimers: []store.Timer{timerFixture(y, "k", t0)},
	}
	if err := e.s.CreateExecution(ctx, ch); err == nil {
		t.Fatalf("CreateExecution queuing one task twice succeeded")
	}
	if _, _, err := e.s.GetRun(ctx, "r2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed create left run r2 (%v)", err)
	}
	e.checkHistory("r2", 0)
	check("failed create")
	// The workflow id is free: the failed create held nothing.
	e.create(y)

	ch = next(x)
	everything(&ch)
	x = e.update(x, func(c *store.ExecutionChange) { *c = ch })
	got, acts := e.getRun("r")
	e.wantExecution(got, x)
	e.wantActivities(acts, []store.Activity{{RunID: "r", ScheduledEventID: 2, StartedEventID: 3}})
	e.checkHistory("r", 3)
}
