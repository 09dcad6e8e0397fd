package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// testSuccessor: a change can create another run in the same transaction:
// the successor of a run it closes (continue-as-new), or a child of a run
// that stays open; if the new run cannot be created nothing of either is
// written.
func testSuccessor(t *testing.T, b Backend) {
	e := newEnv(t, b)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	old := e.create(runFixture("d", "wf", "run-1", t0))

	succ := runFixture("d", "wf", "run-2", t0.Add(time.Second))
	closed := e.update(old, func(ch *store.ExecutionChange) {
		ch.Execution.Open = false
		ch.Execution.CloseStatus = "CONTINUED_AS_NEW"
		ch.Execution.ClosedAt = t0.Add(time.Second)
		ch.Events = []store.Event{event(2)}
		ch.NewRun = &store.ExecutionChange{Execution: succ, Events: events(1, 2), AddTasks: []store.Task{decisionTask(succ, "tl", 0, 2)}}
	})
	if got, _ := e.getRun("run-1"); got.Open || got.Version != closed.Version {
		t.Fatalf("old run %+v", got)
	}
	got, _, err := e.s.GetExecution(t.Context(), "d", "wf", "")
	if err != nil || got.RunID != "run-2" || !got.Open {
		t.Fatalf("the workflow's run is %+v (%v), want the successor", got, err)
	}
	e.checkHistory("run-2", 2)
	if ts := e.tasks(store.DecisionTask, "d", "tl"); len(ts) != 1 || ts[0].RunID != "run-2" {
		t.Fatalf("successor's tasks %v", taskNames(ts))
	}

	// A successor that cannot be created (its run id is taken) fails the
	// whole change: the closing run stays as it was.
	other := e.create(runFixture("d", "wf-3", "run-3", t0))
	ch := next(other)
	ch.Execution.Open = false
	ch.Events = []store.Event{event(2)}
	ch.NewRun = &store.ExecutionChange{Execution: runFixture("d", "wf-3", "run-2", t0), Events: events(1, 1)}
	if err := e.s.UpdateExecution(t.Context(), ch); !errors.Is(err, store.ErrExists) {
		t.Fatalf("successor with a used run id: %v, want ErrExists", err)
	}
	if got, _ := e.getRun("run-3"); !got.Open || got.Version != other.Version {
		t.Fatalf("a failed continuation changed the run: %+v", got)
	}
	e.checkHistory("run-3", 1)

	// A child run, while its parent stays open: refused while its workflow
	// id has an open run, created once it has none.
	parent := e.create(runFixture("d", "parent", "run-p", t0))
	busy := e.create(runFixture("d", "child", "run-c0", t0))
	ch = next(parent)
	ch.Events = []store.Event{event(2)}
	ch.NewRun = &store.ExecutionChange{Execution: runFixture("d", "child", "run-c1", t0), Events: events(1, 1)}
	if err := e.s.UpdateExecution(t.Context(), ch); !errors.Is(err, store.ErrExists) {
		t.Fatalf("child whose workflow id has an open run: %v, want ErrExists", err)
	}
	if got, _ := e.getRun("run-p"); got.Version != parent.Version {
		t.Fatalf("a refused child changed its parent: %+v", got)
	}
	e.update(busy, func(ch *store.ExecutionChange) {
		ch.Execution.Open = false
		ch.Execution.CloseStatus = "COMPLETED"
		ch.Execution.ClosedAt = t0.Add(time.Second)
		ch.Events = []store.Event{event(2)}
	})
	e.update(parent, func(ch *store.ExecutionChange) {
		ch.Events = []store.Event{event(2)}
		ch.NewRun = &store.ExecutionChange{Execution: runFixture("d", "child", "run-c1", t0), Events: events(1, 1)}
	})
	if got, _, err := e.s.GetExecution(t.Context(), "d", "child", ""); err != nil || got.RunID != "run-c1" || !got.Open {
		t.Fatalf("the child's run is %+v (%v)", got, err)
	}
	if got, _ := e.getRun("run-p"); !got.Open {
		t.Fatalf("the parent closed: %+v", got)
	}
}
