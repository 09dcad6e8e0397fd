package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// visibilityFixture is a domain's runs for the visibility queries: open and
// closed, of two types and versions, with tags, started and closed at
// distinct minutes after t0 except where a tie is the point. Another domain
// holds a run that must never show.
type visibilityFixture struct {
	runs map[string]store.Execution
}

func (e *env) visibilityFixture() visibilityFixture {
	e.t.Helper()
	f := visibilityFixture{runs: map[string]store.Execution{}}
	minute := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }
	run := func(wf, runID string, started int, typeName, typeVersion string, tags ...string) store.Execution {
		x := runFixture("d", wf, runID, minute(started))
		x.TypeName, x.TypeVersion, x.TagList = typeName, typeVersion, tags
		return e.create(x)
	}
	closeRun := func(x store.Execution, closed int, status string) store.Execution {
		return e.update(x, func(ch *store.ExecutionChange) {
			ch.Execution.Open, ch.Execution.ClosedAt, ch.Execution.CloseStatus = false, minute(closed), status
			ch.Execution.State = nil // the list never returns state anyway
			ch.Events = []store.Event{event(2)}
		})
	}
	// Closed runs: they close in another order than they started.
	f.runs["c1"] = closeRun(run("w1", "c1", 0, "a", "1", "red"), 30, "COMPLETED")
	f.runs["c2"] = closeRun(run("w5", "c2", 3, "a", "2", "green"), 20, "FAILED")
	f.runs["c3"] = closeRun(run("w6", "c3", 5, "b", "1"), 10, "TERMINATED")
	f.runs["c4"] = closeRun(run("w7", "c4", 6, "b", "1", "blue"), 20, "TIMED_OUT")
	// Open runs. o2 and o3 start in the same millisecond: the run id
	// orders them.
	f.runs["o1"] = run("w1", "o1", 1, "a", "1", "red", "blue")
	f.runs["o2"] = run("w2", "o2", 2, "a", "2")
	f.runs["o3"] = run("w3", "o3", 2, "b", "1", "blue")
	// A cancel request is a column the list reports.
	f.runs["o4"] = e.update(run("w4", "o4", 4, "b", "1", ""), func(ch *store.ExecutionChange) {
		ch.Execution.CancelRequested = true
		ch.Events = []store.Event{event(2)}
	})
	// Another domain, with everything in common with c1 and o1.
	other := runFixture("e", "w1", "x1", minute(0))
	other.TypeName, other.TypeVersion, other.TagList = "a", "1", []string{"red", "blue"}
	closeRun(e.create(other), 30, "COMPLETED")
	other.RunID, other.StartedAt = "x2", minute(1)
	e.create(other)
	return f
}

// list runs q and returns the run ids, checking each row against the run
// written and the count against the list.
func (e *env) list(f visibilityFixture, q store.ExecutionQuery) []string {
	e.t.Helper()
	got, err := e.s.ListExecutions(e.t.Context(), q)
	if err != nil {
		e.t.Fatalf("ListExecutions(%+v): %v", q, err)
	}
	ids := make([]string, len(got))
	for i, x := range got {
		ids[i] = x.RunID
		want, ok := f.runs[x.RunID]
		if !ok {
			e.t.Errorf("ListExecutions(%+v) returned run %s of domain %s", q, x.RunID, x.Domain)
			continue
		}
		if x.State != nil {
			e.t.Errorf("ListExecutions returned the state of %s", x.RunID)
		}
		want.State = nil
		e.wantExecution(x, want)
	}
	if q.Limit == 0 && q.AfterRunID == "" {
		n, err := e.s.CountExecutions(e.t.Context(), q)
		if err != nil {
			e.t.Fatalf("CountExecutions(%+v): %v", q, err)
		}
		if n != len(ids) {
			e.t.Errorf("CountExecutions(%+v) = %d, ListExecutions returned %v", q, n, ids)
		}
	}
	return ids
}

func testListExecutions(t *testing.T, b Backend) {
	e := newEnv(t, b)
	f := e.visibilityFixture()
	minute := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }
	open := store.ExecutionQuery{Domain: "d", Oldest: minute(0)}
	closed := store.ExecutionQuery{Domain: "d", Closed: true, Oldest: minute(0)}
	byClose := closed
	byClose.ByClose = true
	with := func(q store.ExecutionQuery, f func(*store.ExecutionQuery)) store.ExecutionQuery {
		f(&q)
		return q
	}
	for _, tt := range []struct {
		name string
		q    store.ExecutionQuery
		want []string
	}{
		{"open, newest first", open, []string{"o4", "o3", "o2", "o1"}},
		{"open, oldest first", with(open, func(q *store.ExecutionQuery) { q.Ascending = true }), []string{"o1", "o2", "o3", "o4"}},
		{"closed by start", closed, []string{"c4", "c3", "c2", "c1"}},
		{"closed by close, ties by run id", byClose, []string{"c1", "c4", "c2", "c3"}},
		{"closed by close, oldest first", with(byClose, func(q *store.ExecutionQuery) { q.Ascending = true }), []string{"c3", "c2", "c4", "c1"}},
		{"bounds are inclusive", with(open, func(q *store.ExecutionQuery) { q.Oldest, q.Latest = minute(2), minute(4) }), []string{"o4", "o3", "o2"}},
		{"latest only cuts", with(open, func(q *store.ExecutionQuery) { q.Latest = minute(2) }), []string{"o3", "o2", "o1"}},
		{"oldest past everything", with(open, func(q *store.ExecutionQuery) { q.Oldest = minute(5) }), nil},
		{"latest before oldest", with(open, func(q *store.ExecutionQuery) { q.Oldest, q.Latest = minute(4), minute(1) }), nil},
		{"close window", with(byClose, func(q *store.ExecutionQuery) { q.Oldest, q.Latest = minute(11), minute(20) }), []string{"c4", "c2"}},
		{"start window of closed runs", with(closed, func(q *store.ExecutionQuery) { q.Oldest, q.Latest = minute(3), minute(5) }), []string{"c3", "c2"}},
		{"workflow id", with(open, func(q *store.ExecutionQuery) { q.WorkflowID = "w1" }), []string{"o1"}},
		{"workflow id of closed runs", with(closed, func(q *store.ExecutionQuery) { q.WorkflowID = "w1" }), []string{"c1"}},
		{"unknown workflow id", with(open, func(q *store.ExecutionQuery) { q.WorkflowID = "w9" }), nil},
		{"type name", with(open, func(q *store.ExecutionQuery) { q.TypeName = "a" }), []string{"o2", "o1"}},
		{"type name and version", with(closed, func(q *store.ExecutionQuery) { q.TypeName, q.TypeVersion = "a", "2" }), []string{"c2"}},
		{"any tag matches", with(open, func(q *store.ExecutionQuery) { q.Tag = ptr("blue") }), []string{"o3", "o1"}},
		{"tag of closed runs", with(byClose, func(q *store.ExecutionQuery) { q.Tag = ptr("red") }), []string{"c1"}},
		{"empty tag", with(open, func(q *store.ExecutionQuery) { q.Tag = ptr("") }), []string{"o4"}},
		{"tag is matched whole", with(open, func(q *store.ExecutionQuery) { q.Tag = ptr("blu") }), nil},
		{"close status", with(closed, func(q *store.ExecutionQuery) { q.CloseStatus = "TIMED_OUT" }), []string{"c4"}},
		{"close status, none", with(closed, func(q *store.ExecutionQuery) { q.CloseStatus = "CANCELED" }), nil},
		{"unknown domain", with(open, func(q *store.ExecutionQuery) { q.Domain = "nope" }), nil},
		{"limit", with(open, func(q *store.ExecutionQuery) { q.Limit = 2 }), []string{"o4", "o3"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.list(f, tt.q); !slices.Equal(got, tt.want) {
				t.Errorf("ListExecutions(%+v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

// testListExecutionsPaging walks every listing a page at a time from the
// last row of each page, and finds what one read returns; a run added
// before the boundary does not move it.
func testListExecutionsPaging(t *testing.T, b Backend) {
	e := newEnv(t, b)
	f := e.visibilityFixture()
	for _, q := range []store.ExecutionQuery{
		{Domain: "d", Oldest: t0},
		{Domain: "d", Oldest: t0, Ascending: true},
		{Domain: "d", Oldest: t0, Closed: true},
		{Domain: "d", Oldest: t0, Closed: true, ByClose: true},
		{Domain: "d", Oldest: t0, Closed: true, ByClose: true, Ascending: true},
	} {
		all := e.list(f, q)
		for size := 1; size <= len(all); size++ {
			var walked []string
			page := q
			page.Limit = size
			for range len(all) + 1 {
				got, err := e.s.ListExecutions(t.Context(), page)
				must(t, "ListExecutions", err)
				for _, x := range got {
					walked = append(walked, x.RunID)
				}
				if len(got) < size {
					break
				}
				last := got[len(got)-1]
				page.AfterTime, page.AfterRunID = last.StartedAt, last.RunID
				if q.ByClose {
					page.AfterTime = last.ClosedAt
				}
			}
			if !slices.Equal(walked, all) {
				t.Errorf("%+v in pages of %d: %v, want %v", q, size, walked, all)
			}
		}
	}

	// A boundary is a position, not an offset: a run started before it
	// (newest first: after it in time) does not shift the next page.
	q := store.ExecutionQuery{Domain: "d", Oldest: t0, Limit: 2}
	first := e.list(f, q)
	q.AfterTime, q.AfterRunID = f.runs[first[1]].StartedAt, first[1]
	x := runFixture("d", "w9", "o9", t0.Add(time.Hour))
	f.runs["o9"] = e.create(x)
	if got, want := e.list(f, q), []string{"o2", "o1"}; !slices.Equal(got, want) {
		t.Errorf("page after %s with a newer run added = %v, want %v", first[1], got, want)
	}
	// Within one millisecond the run id decides.
	q.AfterTime, q.AfterRunID = f.runs["o3"].StartedAt, "o25"
	if got, want := e.list(f, q), []string{"o2", "o1"}; !slices.Equal(got, want) {
		t.Errorf("page after (o3's start, o25) = %v, want %v", got, want)
	}
}

// testCountExecutions counts what the list selects, ignoring the position
// and limit, and follows runs as they open and close.
func testCountExecutions(t *testing.T, b Backend) {
	e := newEnv(t, b)
	f := e.visibilityFixture()
	count := func(q store.ExecutionQuery) int {
		t.Helper()
		n, err := e.s.CountExecutions(t.Context(), q)
		must(t, "CountExecutions", err)
		return n
	}
	open := store.ExecutionQuery{Domain: "d", Oldest: t0, Limit: 1, AfterRunID: "zzz", AfterTime: t0}
	closed := store.ExecutionQuery{Domain: "d", Oldest: t0, Closed: true}
	if n := count(open); n != 4 {
		t.Errorf("open runs = %d, want 4 (position and limit ignored)", n)
	}
	if n := count(closed); n != 4 {
		t.Errorf("closed runs = %d, want 4", n)
	}
	e.update(f.runs["o1"], func(ch *store.ExecutionChange) {
		ch.Execution.Open, ch.Execution.ClosedAt, ch.Execution.CloseStatus = false, t0.Add(time.Hour), "CANCELED"
		ch.Events = []store.Event{event(2)}
	})
	if n := count(open); n != 3 {
		t.Errorf("open runs after one closed = %d, want 3", n)
	}
	closed.CloseStatus = "CANCELED"
	if n := count(closed); n != 1 {
		t.Errorf("canceled runs = %d, want 1", n)
	}
	e.reopen()
	if n := count(closed); n != 1 {
		t.Errorf("canceled runs after a restart = %d, want 1", n)
	}

	// CountLimit stops the count, and only when there are more.
	closed.CloseStatus = ""
	for limit, want := range map[int]int{1: 1, 4: 4, 5: 5, 6: 5, 0: 5} {
		closed.CountLimit = limit
		if n := count(closed); n != want {
			t.Errorf("closed runs counting at most %d = %d, want %d", limit, n, want)
		}
	}
	closed.CountLimit = 0

	// A run's tags follow it when it closes and when it is deleted.
	blue := store.ExecutionQuery{Domain: "d", Oldest: t0, Closed: true, ByClose: true, Tag: ptr("blue")}
	if n := count(blue); n != 2 {
		t.Errorf("closed runs tagged blue = %d, want 2 (c4, and o1 now closed)", n)
	}
	e.deleteClosed("d", t0.Add(2*time.Hour), 10)
	if n := count(blue); n != 0 {
		t.Errorf("closed runs tagged blue after their deletion = %d, want 0", n)
	}
	blue.ByClose = false
	if n := count(blue); n != 0 {
		t.Errorf("closed runs tagged blue by start after their deletion = %d, want 0", n)
	}
	blue.Closed = false
	if n := count(blue); n != 1 {
		t.Errorf("open runs tagged blue = %d, want 1 (o3)", n)
	}
}
