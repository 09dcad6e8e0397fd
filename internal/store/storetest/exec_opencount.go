package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func (e *env) wantOpen(domain string, want int) {
	e.t.Helper()
	n, err := e.s.OpenCount(e.t.Context(), domain)
	if err != nil || n != want {
		e.t.Errorf("OpenCount(%s) = %d, %v; want %d", domain, n, err, want)
	}
}

// testOpenCount: the number of open runs of a domain follows every way a
// run opens (start, continue-as-new, child), closes and is deleted, is
// left alone by changes that neither open nor close, and survives a
// restart; a start with OpenLimit past which its domain would go fails
// with ErrLimit and writes nothing, and a start whose workflow id is taken
// is still ErrExists at the limit.
func testOpenCount(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.wantOpen("d", 0)
	r1 := e.create(runFixture("d", "w1", "r1", t0))
	r2 := e.create(runFixture("d", "w2", "r2", t0))
	e.create(runFixture("e", "w1", "r3", t0))
	e.wantOpen("d", 2)
	e.wantOpen("e", 1)

	// A change of state alone.
	r1 = e.update(r1, func(ch *store.ExecutionChange) { ch.Events = []store.Event{event(2)} })
	e.wantOpen("d", 2)
	// Closed.
	e.update(r1, func(ch *store.ExecutionChange) {
		ch.Execution.Open, ch.Execution.ClosedAt, ch.Execution.CloseStatus = false, t0.Add(time.Minute), "COMPLETED"
	})
	e.wantOpen("d", 1)
	// Continued as new: one closes, one opens.
	r4 := runFixture("d", "w2", "r4", t0.Add(time.Minute))
	e.update(r2, func(ch *store.ExecutionChange) {
		ch.Execution.Open, ch.Execution.ClosedAt, ch.Execution.CloseStatus = false, t0.Add(time.Minute), "CONTINUED_AS_NEW"
		ch.NewRun = &store.ExecutionChange{Execution: r4, Events: events(1, 1)}
	})
	e.wantOpen("d", 1)
	// A child.
	c1 := runFixture("d", "child", "c1", t0.Add(time.Minute))
	e.update(r4, func(ch *store.ExecutionChange) {
		ch.Events = []store.Event{event(2)}
		ch.NewRun = &store.ExecutionChange{Execution: c1, Events: events(1, 1)}
	})
	e.wantOpen("d", 2)

	// The limit counts the new run: at 2 open, a limit of 2 refuses.
	x := runFixture("d", "w5", "r5", t0)
	err := e.s.CreateExecution(t.Context(), store.ExecutionChange{Execution: x, Events: events(1, 1), OpenLimit: 2})
	if !errors.Is(err, store.ErrLimit) {
		t.Errorf("a start past the open limit: %v, want ErrLimit", err)
	}
	if _, _, err := e.s.GetRun(t.Context(), "r5"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a start refused for the limit was written: GetRun = %v", err)
	}
	e.wantOpen("d", 2)
	// A taken workflow id is ErrExists, whatever the limit.
	err = e.s.CreateExecution(t.Context(), store.ExecutionChange{Execution: runFixture("d", "w2", "r6", t0), Events: events(1, 1), OpenLimit: 2})
	if !errors.Is(err, store.ErrExists) {
		t.Errorf("a start of an open workflow id at the open limit: %v, want ErrExists", err)
	}
	if err := e.s.CreateExecution(t.Context(), store.ExecutionChange{Execution: x, Events: events(1, 1), OpenLimit: 3}); err != nil {
		t.Errorf("a start within the open limit: %v", err)
	}
	e.wantOpen("d", 3)
	e.wantOpen("e", 1)

	// Deleting closed runs leaves the number alone; it survives a restart.
	if ids := e.deleteClosed("d", t0.Add(time.Hour), 10); len(ids) != 2 {
		t.Errorf("deleted %v, want r1 and r2", ids)
	}
	e.reopen()
	e.wantOpen("d", 3)
	e.wantOpen("e", 1)
	e.wantOpen("nowhere", 0)
}
