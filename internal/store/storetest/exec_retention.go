package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// RowCounter is what a backend's store may implement for the suite (in its
// own test files): the number of rows that name a run, per table, counted
// in every table of the schema that has a run_id column, so that a table
// added later is checked too. The retention tests use it to check that
// nothing of a deleted run is left; without it they check through the
// contract alone.
type RowCounter interface {
	RunRows(t *testing.T, runID string) map[string]int
}

// closedRun creates a run of domain d closed at closed, with a history
// of five events, a leftover task, an activity row and (when key is not
// empty) one timer, the work a closed run may still owe.
func (e *env) closedRun(d, runID string, closed time.Time, timerKey string) store.Execution {
	e.t.Helper()
	x := runFixture(d, "wf-"+runID, runID, closed.Add(-time.Hour))
	x = e.create(x, func(ch *store.ExecutionChange) {
		ch.AddTasks = []store.Task{decisionTask(x, "tl-"+d, 0, 1)}
		ch.SetTimers = []store.Timer{timerFixture(x, "decision/1/START_TO_CLOSE", closed.Add(time.Hour))}
		ch.PutActivities = []store.Activity{{RunID: runID, ScheduledEventID: 1, StartedEventID: 2, StartedAt: x.StartedAt}}
	})
	return e.update(x, func(ch *store.ExecutionChange) {
		ch.Execution.Open, ch.Execution.ClosedAt, ch.Execution.CloseStatus = false, closed, "COMPLETED"
		ch.Events = events(2, 5)
		ch.RemoveTimers = []string{"decision/1/START_TO_CLOSE"}
		if timerKey != "" {
			ch.SetTimers = []store.Timer{timerFixture(x, timerKey, closed)}
		}
	})
}

func (e *env) deleteClosed(domain string, before time.Time, limit int) []string {
	e.t.Helper()
	ids, err := e.s.DeleteClosed(e.t.Context(), domain, before, limit)
	if err != nil {
		e.t.Fatalf("DeleteClosed(%s, %v, %d): %v", domain, before, limit, err)
	}
	return ids
}

// wantGone checks that nothing of a run is left.
func (e *env) wantGone(runID string) {
	e.t.Helper()
	if _, _, err := e.s.GetRun(e.t.Context(), runID); !errors.Is(err, store.ErrNotFound) {
		e.t.Errorf("GetRun(%s) after its deletion: %v, want ErrNotFound", runID, err)
	}
	if evs := e.history(runID); len(evs) != 0 {
		e.t.Errorf("run %s: %d events left after its deletion", runID, len(evs))
	}
	for _, tm := range e.dueTimers(t0.Add(1000 * 24 * time.Hour)) {
		if tm.RunID == runID {
			e.t.Errorf("run %s: timer %s left after its deletion", runID, tm.Key)
		}
	}
	if rc, ok := e.s.(RowCounter); ok {
		for table, n := range rc.RunRows(e.t, runID) {
			if n != 0 {
				e.t.Errorf("run %s: %d rows left in %s after its deletion", runID, n, table)
			}
		}
	}
}

// wantKept checks that a run is whole: its row, history, task and
// activity row.
func (e *env) wantKept(x store.Execution) {
	e.t.Helper()
	got, acts, err := e.s.GetRun(e.t.Context(), x.RunID)
	if err != nil {
		e.t.Errorf("GetRun(%s), a run to keep: %v", x.RunID, err)
		return
	}
	e.wantExecution(got, x)
	if len(acts) != 1 {
		e.t.Errorf("run %s kept %d activity rows, want 1", x.RunID, len(acts))
	}
	if evs := e.history(x.RunID); len(evs) != 5 {
		e.t.Errorf("run %s kept %d events, want 5", x.RunID, len(evs))
	}
	if !slices.ContainsFunc(e.tasks(store.DecisionTask, x.Domain, "tl-"+x.Domain), func(t store.Task) bool { return t.RunID == x.RunID }) {
		e.t.Errorf("run %s lost its task", x.RunID)
	}
}

// testDeleteClosed: DeleteClosed deletes closed runs of the domain closed
// before the cut-off, oldest first, at most limit of them, with all their
// rows; it keeps open runs, runs closed at or after the cut-off, runs of
// other domains, and runs that still owe work (have timers) until their
// timers are gone.
func testDeleteClosed(t *testing.T, b Backend) {
	e := newEnv(t, b)
	day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
	cut := day(20)

	old1 := e.closedRun("d", "old1", day(8), "")
	owed := e.closedRun("d", "owed", day(9), "parent/3/notify")
	old2 := e.closedRun("d", "old2", day(10), "")
	old3 := e.closedRun("d", "old3", day(11), "")
	atCut := e.closedRun("d", "atcut", cut, "")
	recent := e.closedRun("d", "recent", day(25), "")
	other := e.closedRun("other", "other", day(1), "")
	// An open run started long ago, with its own rows.
	open := runFixture("d", "wf-open", "open", day(0))
	open = e.create(open, func(ch *store.ExecutionChange) {
		ch.Events = events(1, 5)
		ch.AddTasks = []store.Task{decisionTask(open, "tl-d", 0, 1)}
		ch.SetTimers = []store.Timer{timerFixture(open, "decision/1/START_TO_CLOSE", day(30))}
		ch.PutActivities = []store.Activity{{RunID: "open", ScheduledEventID: 1, StartedEventID: 2, StartedAt: day(0)}}
	})

	if ids := e.deleteClosed("d", cut, 0); len(ids) != 0 {
		t.Errorf("limit 0 deleted %v", ids)
	}
	if ids := e.deleteClosed("d", cut, 2); !slices.Equal(ids, []string{old1.RunID, old2.RunID}) {
		t.Errorf("first batch deleted %v, want [old1 old2] (oldest first, owed skipped)", ids)
	}
	e.wantGone("old1")
	e.wantGone("old2")
	e.wantKept(old3)
	if ids := e.deleteClosed("d", cut, 2); !slices.Equal(ids, []string{old3.RunID}) {
		t.Errorf("second batch deleted %v, want [old3]", ids)
	}
	if ids := e.deleteClosed("d", cut, 2); len(ids) != 0 {
		t.Errorf("third batch deleted %v, want none", ids)
	}
	e.wantGone("old3")
	for _, x := range []store.Execution{atCut, recent, other, owed} {
		e.wantKept(x)
	}
	if got, _ := e.getRun("open"); !got.Open {
		t.Errorf("the open run was closed")
	}
	if evs := e.history("open"); len(evs) != 5 {
		t.Errorf("the open run kept %d events, want 5", len(evs))
	}
	if !slices.ContainsFunc(e.dueTimers(day(30)), func(tm store.Timer) bool { return tm.RunID == "open" }) {
		t.Errorf("the open run lost its timer")
	}
	// A cut-off past every run deletes no open run either.
	if ids := e.deleteClosed("d", day(1000), 100); !slices.Equal(ids, []string{atCut.RunID, recent.RunID}) {
		t.Errorf("a late cut-off deleted %v, want [atcut recent]", ids)
	}
	e.wantKept(owed)
	e.wantKept(other)

	// Once its owed work is done (the timer gone), the run goes too.
	owed = e.update(owed, func(ch *store.ExecutionChange) { ch.RemoveTimers = []string{"parent/3/notify"} })
	if ids := e.deleteClosed("d", cut, 10); !slices.Equal(ids, []string{owed.RunID}) {
		t.Errorf("after its timer went, deleted %v, want [owed]", ids)
	}
	e.wantGone("owed")
	if ids := e.deleteClosed("other", cut, 10); !slices.Equal(ids, []string{other.RunID}) {
		t.Errorf("in the other domain, deleted %v, want [other]", ids)
	}
	e.wantGone("other")
	if got, _ := e.getRun("open"); !got.Open {
		t.Errorf("the open run was closed")
	}
}

// testDeleteClosedChain: deleting the closed run of a continue-as-new
// chain leaves its successor whole and reachable by workflow id, and a
// successor of the same workflow id can close and be deleted in turn.
func testDeleteClosedChain(t *testing.T, b Backend) {
	e := newEnv(t, b)
	first := e.create(runFixture("d", "chain", "r1", t0))
	succ := runFixture("d", "chain", "r2", t0.Add(time.Minute))
	e.update(first, func(ch *store.ExecutionChange) {
		ch.Execution.Open, ch.Execution.ClosedAt, ch.Execution.CloseStatus = false, t0.Add(time.Minute), "CONTINUED_AS_NEW"
		ch.Events = []store.Event{event(2)}
		ch.NewRun = &store.ExecutionChange{Execution: succ, Events: events(1, 1)}
	})
	if ids := e.deleteClosed("d", t0.Add(time.Hour), 10); !slices.Equal(ids, []string{"r1"}) {
		t.Fatalf("deleted %v, want [r1]", ids)
	}
	e.wantGone("r1")
	got, _, err := e.s.GetExecution(t.Context(), "d", "chain", "")
	if err != nil || got.RunID != "r2" || !got.Open {
		t.Fatalf("the chain's latest run: %+v, %v; want r2, open", got, err)
	}
	// The successor goes on as before.
	e.update(succ, func(ch *store.ExecutionChange) {
		ch.Events = []store.Event{event(2)}
		ch.Execution.Open, ch.Execution.ClosedAt, ch.Execution.CloseStatus = false, t0.Add(2*time.Minute), "COMPLETED"
	})
	if evs := e.history("r2"); len(evs) != 2 {
		t.Errorf("the successor has %d events, want 2", len(evs))
	}
	// Survives a restart: a deleted run stays deleted.
	e.reopen()
	e.wantGone("r1")
	if ids := e.deleteClosed("d", t0.Add(time.Hour), 10); !slices.Equal(ids, []string{"r2"}) {
		t.Errorf("deleted %v, want [r2]", ids)
	}
	if _, _, err := e.s.GetExecution(t.Context(), "d", "chain", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetExecution of a workflow whose runs are all deleted: %v, want ErrNotFound", err)
	}
}

// RetentionBatcher is what a backend whose deletions are cut by history
// length (SQLite: one writer) may implement in its test files: the most
// events one deletion transaction removes, and a way to leave a run as a
// crash would between the transaction that hides a long run and those
// that delete its history (hidden, with the first events deleted).
type RetentionBatcher interface {
	SetRetentionEvents(n int)
	HalfDelete(t *testing.T, runID string, events int)
}

// longClosedRun creates a run of domain d closed at closed with a history
// of n events.
func (e *env) longClosedRun(d, runID string, closed time.Time, n int64) store.Execution {
	e.t.Helper()
	x := e.create(runFixture(d, "wf-"+runID, runID, closed.Add(-time.Hour)))
	return e.update(x, func(ch *store.ExecutionChange) {
		ch.Execution.Open, ch.Execution.ClosedAt, ch.Execution.CloseStatus = false, closed, "COMPLETED"
		ch.Events = events(2, n)
		ch.PutActivities = []store.Activity{{RunID: runID, ScheduledEventID: 1, StartedEventID: 2, StartedAt: x.StartedAt}}
	})
}

// testDeleteClosedLong: runs of any length are deleted whole, oldest first,
// however the backend cuts its transactions; a backend that cuts them by
// history length keeps each batch within its budget (a run longer than
// the budget alone), and finishes after a restart a long run a crash left
// half-deleted, which no lookup, list or count finds meanwhile.
func testDeleteClosedLong(t *testing.T, b Backend) {
	e := newEnv(t, b)
	day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
	const budget = 10
	rb, batched := e.s.(RetentionBatcher)
	if batched {
		rb.SetRetentionEvents(budget)
	}
	e.longClosedRun("d", "long", day(1), 25)
	short := []store.Execution{
		e.longClosedRun("d", "s1", day(2), 5),
		e.longClosedRun("d", "s2", day(3), 4),
		e.longClosedRun("d", "s3", day(4), 5),
	}
	e.longClosedRun("d", "keep", day(30), 25)
	var got []string
	for i := 0; ; i++ {
		ids := e.deleteClosed("d", day(10), 10)
		if len(ids) == 0 {
			break
		}
		if i > 10 {
			t.Fatalf("DeleteClosed keeps returning runs: %v", ids)
		}
		if batched {
			switch {
			case len(ids) == 1:
			case slices.Equal(ids, []string{"s1", "s2"}), slices.Equal(ids, []string{"s3"}):
			default:
				t.Errorf("batch %d deleted %v: with a budget of %d events want [long], [s1 s2], [s3]", i, ids, budget)
			}
		}
		got = append(got, ids...)
	}
	if !slices.Equal(got, []string{"long", "s1", "s2", "s3"}) {
		t.Errorf("deleted %v, want [long s1 s2 s3] (oldest first)", got)
	}
	e.wantGone("long")
	for _, x := range short {
		e.wantGone(x.RunID)
	}
	if evs := e.history("keep"); len(evs) != 25 {
		t.Errorf("the kept run has %d events, want 25", len(evs))
	}

	if !batched {
		return
	}
	half := e.longClosedRun("d", "half", day(2), 25)
	rb.HalfDelete(t, "half", budget)
	if _, _, err := e.s.GetExecution(t.Context(), "d", half.WorkflowID, "half"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetExecution of a half-deleted run: %v, want ErrNotFound", err)
	}
	if n, err := e.s.CountExecutions(t.Context(), store.ExecutionQuery{Domain: "d", Closed: true}); err != nil || n != 1 {
		t.Errorf("CountExecutions of closed runs with one half-deleted: %d, %v; want 1 (keep)", n, err)
	}
	e.reopen()
	// Any deletion, in any domain, first finishes the one left half-done.
	if ids := e.deleteClosed("other", day(10), 10); len(ids) != 0 {
		t.Errorf("in a domain with no runs, deleted %v", ids)
	}
	e.wantGone("half")
	if evs := e.history("keep"); len(evs) != 25 {
		t.Errorf("the kept run has %d events, want 25", len(evs))
	}
}
