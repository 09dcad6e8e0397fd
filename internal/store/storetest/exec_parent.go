package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// testExecutionParent: a run's parent, written when the run is created
// (whether by CreateExecution or as a change's NewRun: a child, or a
// child's successor by continue-as-new), is read back by GetRun and by
// the visibility lists; a run without one reads back none, and an update
// does not move it.
func testExecutionParent(t *testing.T, b Backend) {
	e := newEnv(t, b)
	f := visibilityFixture{runs: map[string]store.Execution{}}
	minute := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }
	withParent := func(x, parent store.Execution) store.Execution {
		x.ParentWorkflowID, x.ParentRunID = parent.WorkflowID, parent.RunID
		return x
	}

	parent := e.create(runFixture("d", "parent", "p", minute(0)))
	// A child, created in the change that records its start in the parent.
	child := withParent(runFixture("d", "child", "c1", minute(1)), parent)
	parent = e.update(parent, func(ch *store.ExecutionChange) {
		ch.Events = []store.Event{event(2)}
		ch.NewRun = &store.ExecutionChange{Execution: child, Events: events(1, 1)}
	})
	// A run created on its own may name a parent too.
	direct := e.create(withParent(runFixture("d", "direct", "c0", minute(1)), parent))
	f.runs["p"], f.runs["c1"], f.runs["c0"] = parent, child, direct

	got, _ := e.getRun("c1")
	e.wantExecution(got, child)
	if got, _ := e.getRun("p"); got.ParentWorkflowID != "" || got.ParentRunID != "" {
		t.Errorf("a run without a parent reads back parent %q/%q", got.ParentWorkflowID, got.ParentRunID)
	}
	open := store.ExecutionQuery{Domain: "d", Oldest: t0}
	if ids := e.list(f, open); !slices.Equal(ids, []string{"c1", "c0", "p"}) {
		t.Errorf("open runs %v", ids)
	}

	// The child continues as new: its successor is still the parent's
	// child, and the closed run keeps its parent.
	succ := withParent(runFixture("d", "child", "c2", minute(2)), parent)
	f.runs["c1"] = e.update(child, func(ch *store.ExecutionChange) {
		ch.Execution.Open, ch.Execution.ClosedAt, ch.Execution.CloseStatus = false, minute(2), "CONTINUED_AS_NEW"
		ch.Events = []store.Event{event(2)}
		ch.NewRun = &store.ExecutionChange{Execution: succ, Events: events(1, 1)}
	})
	f.runs["c2"] = succ
	// An update that names no parent leaves it as it was.
	f.runs["c2"] = e.update(succ, func(ch *store.ExecutionChange) {
		ch.Execution.ParentWorkflowID, ch.Execution.ParentRunID = "", ""
		ch.Events = []store.Event{event(2)}
	})
	f.runs["c2"] = withParent(f.runs["c2"], parent)
	if ids := e.list(f, open); !slices.Equal(ids, []string{"c2", "c0", "p"}) {
		t.Errorf("open runs after continue-as-new %v", ids)
	}
	if ids := e.list(f, store.ExecutionQuery{Domain: "d", Closed: true, Oldest: t0}); !slices.Equal(ids, []string{"c1"}) {
		t.Errorf("closed runs %v", ids)
	}
	got, _ = e.getRun("c2")
	e.wantExecution(got, f.runs["c2"])
}
