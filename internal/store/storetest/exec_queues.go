package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func testTaskOrder(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	r1 := e.create(runFixture("d", "w1", "r1", t0), func(ch *store.ExecutionChange) {
		x := ch.Execution
		ch.AddTasks = []store.Task{decisionTask(x, "tl", 0, 1), activityTask(x, "tl", 5, 2), activityTask(x, "tl", 0, 3)}
	})
	r2 := e.create(runFixture("d", "w2", "r2", t0), func(ch *store.ExecutionChange) {
		x := ch.Execution
		ch.AddTasks = []store.Task{activityTask(x, "tl", 0, 1), activityTask(x, "tl", 5, 2), activityTask(x, "tl", -3, 3)}
	})
	r1 = e.update(r1, func(ch *store.ExecutionChange) {
		x := ch.Execution
		ch.AddTasks = []store.Task{activityTask(x, "tl", 0, 4), activityTask(x, "tl", 10, 5), activityTask(x, "other", 99, 6)}
	})
	e.create(runFixture("e", "w1", "e1", t0), func(ch *store.ExecutionChange) {
		ch.AddTasks = []store.Task{activityTask(ch.Execution, "tl", 99, 1)}
	})

	got := e.tasks(store.ActivityTask, "d", "tl")
	want := []string{"r1/5", "r1/2", "r2/2", "r1/3", "r2/1", "r1/4", "r2/3"}
	if names := taskNames(got); !slices.Equal(names, want) {
		t.Fatalf("activity tasks = %v, want %v (priority, then arrival)", names, want)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Priority == got[i-1].Priority && got[i].Seq <= got[i-1].Seq {
			t.Errorf("seq of %v is not after %v", got[i], got[i-1])
		}
	}
	wantTask := activityTask(r1, "tl", 10, 5)
	wantTask.Seq = got[0].Seq
	if got[0] != wantTask {
		t.Errorf("task reads back as %+v, want %+v", got[0], wantTask)
	}
	top, err := e.s.NextTasks(ctx, store.ActivityTask, "d", "tl", 2)
	must(t, "NextTasks", err)
	if names := taskNames(top); !slices.Equal(names, want[:2]) {
		t.Errorf("NextTasks(limit 2) = %v, want %v", names, want[:2])
	}
	for _, c := range []struct {
		kind     store.TaskKind
		domain   string
		taskList string
		want     int
	}{
		{store.ActivityTask, "d", "tl", 7},
		{store.DecisionTask, "d", "tl", 1},
		{store.ActivityTask, "d", "other", 1},
		{store.ActivityTask, "e", "tl", 1},
		{store.ActivityTask, "d", "none", 0},
	} {
		n, err := e.s.CountTasks(ctx, c.kind, c.domain, c.taskList)
		must(t, "CountTasks", err)
		if n != c.want {
			t.Errorf("CountTasks(%s, %s, %s) = %d, want %d", c.kind, c.domain, c.taskList, n, c.want)
		}
	}

	// Taking removes by (kind, run, scheduled event); the decision task of
	// r1 event 1 is not the activity task of r2 event 1.
	r2 = e.update(r2, func(ch *store.ExecutionChange) {
		ch.TakeTasks = []store.Task{activityTask(r2, "tl", 0, 2), decisionTask(r2, "tl", 0, 1)}
	})
	// A later task of equal priority goes after those waiting.
	e.update(r2, func(ch *store.ExecutionChange) {
		ch.AddTasks = []store.Task{activityTask(r2, "tl", 5, 7)}
	})
	want = []string{"r1/5", "r1/2", "r2/7", "r1/3", "r2/1", "r1/4", "r2/3"}
	if names := taskNames(e.tasks(store.ActivityTask, "d", "tl")); !slices.Equal(names, want) {
		t.Errorf("after take and add: %v, want %v", names, want)
	}
	if names := taskNames(e.tasks(store.DecisionTask, "d", "tl")); !slices.Equal(names, []string{"r1/1"}) {
		t.Errorf("decision tasks = %v", names)
	}
}

func testStrictTake(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	x := e.create(runFixture("d", "w", "r", t0), func(ch *store.ExecutionChange) {
		ch.AddTasks = []store.Task{decisionTask(ch.Execution, "tl", 0, 1)}
	})
	task := decisionTask(x, "tl", 0, 1)

	// Pollers that loaded the run at once race to start its task: exactly
	// one commits, the rest conflict.
	const n = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for i := range n {
		wg.Go(func() {
			ch := next(x)
			ch.Events = []store.Event{event(2)}
			ch.Execution.State = []byte{byte(i)}
			ch.TakeTasks, ch.Strict = []store.Task{task}, true
			err := e.s.UpdateExecution(ctx, ch)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("taker %d: %v, want ErrConflict", i, err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d takers of one task won", wins)
	}
	x, _ = e.getRun("r")
	e.checkHistory("r", 2)

	// The task is gone: a strict take of it fails, even from the current
	// version, and writes nothing.
	ch := next(x)
	ch.Events = []store.Event{event(3)}
	ch.TakeTasks, ch.Strict = []store.Task{task}, true
	ch.SetTimers = []store.Timer{timerFixture(x, "k", t0)}
	wantErr(t, "strict take of a taken task", e.s.UpdateExecution(ctx, ch), store.ErrConflict)
	got, _ := e.getRun("r")
	e.wantExecution(got, x)
	e.checkHistory("r", 2)
	if ts := e.dueTimers(t0); len(ts) != 0 {
		t.Errorf("failed take armed %v", timerNames(ts))
	}
	// Without Strict a missing task is no error.
	ch.Strict = false
	x = e.update(x, func(c *store.ExecutionChange) { *c = ch })
	e.checkHistory("r", 3)
}

func testTimers(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	if _, ok, err := e.s.NextTimer(ctx); err != nil || ok {
		t.Errorf("NextTimer with no timers = %v, %v", ok, err)
	}
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	r1 := e.create(runFixture("d", "w1", "r1", t0), func(ch *store.ExecutionChange) {
		x := ch.Execution
		ch.SetTimers = []store.Timer{timerFixture(x, "a", at(30)), timerFixture(x, "b", at(10)), timerFixture(x, "c", at(50))}
	})
	r2 := e.create(runFixture("d", "w2", "r2", t0), func(ch *store.ExecutionChange) {
		x := ch.Execution
		ch.SetTimers = []store.Timer{timerFixture(x, "a", at(20)), timerFixture(x, "b", at(10))}
	})
	due := func(now time.Time, limit int, want ...string) {
		t.Helper()
		got, err := e.s.DueTimers(ctx, now, limit)
		must(t, "DueTimers", err)
		if names := timerNames(got); !slices.Equal(names, want) {
			t.Errorf("DueTimers(+%v, %d) = %v, want %v", now.Sub(t0), limit, names, want)
		}
	}
	due(at(9), 0)
	due(at(10), 0, "r1/b", "r2/b")
	due(at(30), 0, "r1/b", "r2/b", "r2/a", "r1/a")
	due(at(30), 3, "r1/b", "r2/b", "r2/a")
	due(at(100), 0, "r1/b", "r2/b", "r2/a", "r1/a", "r1/c")
	got, err := e.s.DueTimers(ctx, at(10), 1)
	must(t, "DueTimers", err)
	if want := timerFixture(r1, "b", at(10)); len(got) != 1 || got[0].Domain != want.Domain ||
		got[0].WorkflowID != want.WorkflowID || got[0].Key != want.Key || !got[0].FireAt.Equal(ms(want.FireAt)) {
		t.Errorf("timer reads back as %+v, want %+v", got, want)
	}
	next := func(want time.Time) {
		t.Helper()
		got, ok, err := e.s.NextTimer(ctx)
		must(t, "NextTimer", err)
		if !ok || !got.Equal(ms(want)) {
			t.Errorf("NextTimer = %v, %v; want %v", got, ok, ms(want))
		}
	}
	next(at(10))

	// Setting a key replaces its timer; removing then setting one key in a
	// change re-arms it; removing a missing key is no error.
	r1 = e.update(r1, func(ch *store.ExecutionChange) {
		ch.SetTimers = []store.Timer{timerFixture(r1, "b", at(40))}
		ch.RemoveTimers = []string{"c", "missing"}
	})
	r2 = e.update(r2, func(ch *store.ExecutionChange) {
		ch.RemoveTimers = []string{"b", "a"}
		ch.SetTimers = []store.Timer{timerFixture(r2, "b", at(5))}
	})
	due(at(100), 0, "r2/b", "r1/a", "r1/b")
	next(at(5))
	r2 = e.update(r2, func(ch *store.ExecutionChange) { ch.RemoveTimers = []string{"b"} })
	e.update(r1, func(ch *store.ExecutionChange) { ch.RemoveTimers = []string{"a", "b"} })
	due(at(100), 0)
	if _, ok, err := e.s.NextTimer(ctx); err != nil || ok {
		t.Errorf("NextTimer after removing all = %v, %v", ok, err)
	}
}
