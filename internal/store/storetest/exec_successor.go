package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// testSuccessor: a change that closes a run can start its successor in the
// same transaction (continue-as-new), and if the successor cannot be
// created nothing of either is written.
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
		ch.Successor = &store.ExecutionChange{Execution: succ, Events: events(1, 2), AddTasks: []store.Task{decisionTask(succ, "tl", 0, 2)}}
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
	ch.Successor = &store.ExecutionChange{Execution: runFixture("d", "wf-3", "run-2", t0), Events: events(1, 1)}
	if err := e.s.UpdateExecution(t.Context(), ch); !errors.Is(err, store.ErrExists) {
		t.Fatalf("successor with a used run id: %v, want ErrExists", err)
	}
	if got, _ := e.getRun("run-3"); !got.Open || got.Version != other.Version {
		t.Fatalf("a failed continuation changed the run: %+v", got)
	}
	e.checkHistory("run-3", 1)
}
