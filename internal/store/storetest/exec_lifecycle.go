package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// testConcurrentExecutionUpdates: writers that retry on ErrConflict never
// lose an update, and the history stays dense.
func testConcurrentExecutionUpdates(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	x := runFixture("d", "w", "r", t0)
	x.State = []byte("0")
	e.create(x)
	const writers, each = 8, 5
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				for attempt := 0; ; attempt++ {
					if attempt > 1000 {
						t.Errorf("writer %d: update %d kept conflicting", w, i)
						return
					}
					cur, _, err := e.s.GetRun(ctx, "r")
					if err != nil {
						t.Errorf("GetRun: %v", err)
						return
					}
					n, _ := strconv.Atoi(string(cur.State))
					ch := next(cur)
					ch.Execution.State = []byte(strconv.Itoa(n + 1))
					ch.Events = []store.Event{{ID: cur.Version + 1, Data: fmt.Appendf(nil, "%d/%d", w, i)}}
					ch.AddTasks = []store.Task{activityTask(cur, "tl", 0, cur.Version+1)}
					err = e.s.UpdateExecution(ctx, ch)
					if errors.Is(err, store.ErrConflict) {
						continue
					}
					if err != nil {
						t.Errorf("writer %d: UpdateExecution: %v", w, err)
						return
					}
					break
				}
			}
		})
	}
	wg.Wait()
	got, _ := e.getRun("r")
	if got.Version != 1+writers*each || string(got.State) != strconv.Itoa(writers*each) {
		t.Errorf("after %d updates: version %d, state %q", writers*each, got.Version, got.State)
	}
	hist := e.history("r")
	seen := map[string]bool{}
	for i, ev := range hist {
		if ev.ID != int64(i+1) {
			t.Fatalf("history ids %v are not dense", eventIDs(hist))
		}
		if i > 0 {
			seen[string(ev.Data)] = true
		}
	}
	if len(hist) != 1+writers*each || len(seen) != writers*each {
		t.Errorf("history has %d events, %d distinct updates; want %d", len(hist), len(seen), writers*each)
	}
	if n, err := e.s.CountTasks(ctx, store.ActivityTask, "d", "tl"); err != nil || n != writers*each {
		t.Errorf("CountTasks = %d, %v; want %d", n, err, writers*each)
	}
}

func testExecutionsReopen(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	x := e.create(runFixture("d", "w", "r", t0), func(ch *store.ExecutionChange) {
		ch.Events = events(1, 3)
		ch.AddTasks = []store.Task{decisionTask(ch.Execution, "tl", 0, 2)}
		ch.SetTimers = []store.Timer{timerFixture(ch.Execution, "k", t0.Add(time.Minute))}
		ch.PutActivities = []store.Activity{activityFixture("r", 3, 4)}
	})
	closed := runFixture("d", "old", "c", t0)
	closed.Open, closed.ClosedAt, closed.CloseStatus = false, t0.Add(time.Hour), "TERMINATED"
	e.create(closed)
	_, err := e.s.Heartbeat(ctx, "r", 3, 4, ptr("d"), t0.Add(time.Second))
	must(t, "Heartbeat", err)
	wantAct := activityFixture("r", 3, 4)
	wantAct.HeartbeatAt, wantAct.HeartbeatDetails = t0.Add(time.Second), ptr("d")

	for round := range 2 {
		e.reopen()
		got, acts := e.getRun("r")
		e.wantExecution(got, x)
		e.wantActivities(acts, []store.Activity{wantAct})
		got, _ = e.getRun("c")
		e.wantExecution(got, closed)
		e.checkHistory("r", int64(3+round))
		want := []string{"r/2"}
		if round > 0 {
			want = append(want, "r/3")
		}
		if got := taskNames(e.tasks(store.DecisionTask, "d", "tl")); !slices.Equal(got, want) {
			t.Errorf("round %d: tasks = %v, want %v", round, got, want)
		}
		if got := timerNames(e.dueTimers(t0.Add(time.Hour))); !slices.Equal(got, []string{"r/k"}) {
			t.Errorf("round %d: timers = %v", round, got)
		}
		// Open runs still hold their workflow ids.
		err := e.s.CreateExecution(ctx, store.ExecutionChange{Execution: runFixture("d", "w", "r9", t0), Events: events(1, 1)})
		wantErr(t, "CreateExecution of an open workflow id", err, store.ErrExists)
		// The reopened store takes writes; new tasks queue after old ones.
		if round == 0 {
			x = e.update(x, func(ch *store.ExecutionChange) {
				ch.Events = events(4, 4)
				ch.AddTasks = []store.Task{decisionTask(x, "tl", 0, 3)}
			})
		}
	}
}

// execCalls are one use of each execution method, on run "r" of workflow
// "w" in domain "d", which holds a task, a timer and an activity row.
func execCalls(x store.Execution) []call {
	return []call{
		{"CreateExecution", func(ctx context.Context, s store.Store) error {
			return s.CreateExecution(ctx, store.ExecutionChange{Execution: runFixture("d", "new", "new", t0), Events: events(1, 1)})
		}},
		{"UpdateExecution", func(ctx context.Context, s store.Store) error {
			ch := next(x)
			ch.Events = events(2, 2)
			ch.TakeTasks = []store.Task{decisionTask(x, "tl", 0, 1)}
			ch.RemoveTimers = []string{"k"}
			ch.RemoveActivities = []int64{1}
			return s.UpdateExecution(ctx, ch)
		}},
		{"GetExecution", func(ctx context.Context, s store.Store) error {
			_, _, err := s.GetExecution(ctx, "d", "w", "")
			return err
		}},
		{"GetRun", func(ctx context.Context, s store.Store) error {
			_, _, err := s.GetRun(ctx, "r")
			return err
		}},
		{"History", func(ctx context.Context, s store.Store) error {
			_, err := s.History(ctx, "r", 0, 0, false)
			return err
		}},
		{"NextTasks", func(ctx context.Context, s store.Store) error {
			_, err := s.NextTasks(ctx, store.DecisionTask, "d", "tl", 10)
			return err
		}},
		{"CountTasks", func(ctx context.Context, s store.Store) error {
			_, err := s.CountTasks(ctx, store.DecisionTask, "d", "tl")
			return err
		}},
		{"DueTimers", func(ctx context.Context, s store.Store) error {
			_, err := s.DueTimers(ctx, t0.Add(time.Hour), 10)
			return err
		}},
		{"NextTimer", func(ctx context.Context, s store.Store) error {
			_, _, err := s.NextTimer(ctx)
			return err
		}},
		{"ListExecutions", func(ctx context.Context, s store.Store) error {
			_, err := s.ListExecutions(ctx, store.ExecutionQuery{Domain: "d", Oldest: t0, Tag: ptr("a")})
			return err
		}},
		{"CountExecutions", func(ctx context.Context, s store.Store) error {
			_, err := s.CountExecutions(ctx, store.ExecutionQuery{Domain: "d", Oldest: t0, Closed: true, ByClose: true})
			return err
		}},
		{"Heartbeat", func(ctx context.Context, s store.Store) error {
			_, err := s.Heartbeat(ctx, "r", 1, 2, ptr("beat"), t0.Add(time.Second))
			return err
		}},
	}
}

// execFixture makes the run execCalls use.
func (e *env) execFixture() store.Execution {
	return e.create(runFixture("d", "w", "r", t0), func(ch *store.ExecutionChange) {
		ch.AddTasks = []store.Task{decisionTask(ch.Execution, "tl", 0, 1)}
		ch.SetTimers = []store.Timer{timerFixture(ch.Execution, "k", t0)}
		ch.PutActivities = []store.Activity{activityFixture("r", 1, 2)}
	})
}

// execUnchanged checks that the calls of execCalls wrote nothing.
func (e *env) execUnchanged(x store.Execution) {
	e.t.Helper()
	got, acts := e.getRun("r")
	e.wantExecution(got, x)
	e.wantActivities(acts, []store.Activity{activityFixture("r", 1, 2)})
	e.checkHistory("r", 1)
	if got := taskNames(e.tasks(store.DecisionTask, "d", "tl")); !slices.Equal(got, []string{"r/1"}) {
		e.t.Errorf("tasks = %v", got)
	}
	if got := timerNames(e.dueTimers(t0)); !slices.Equal(got, []string{"r/k"}) {
		e.t.Errorf("timers = %v", got)
	}
	if _, _, err := e.s.GetRun(e.t.Context(), "new"); !errors.Is(err, store.ErrNotFound) {
		e.t.Errorf("run new exists after a failed create (%v)", err)
	}
}

func testExecutionsCanceled(t *testing.T, b Backend) {
	e := newEnv(t, b)
	x := e.execFixture()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, c := range execCalls(x) {
		if err := c.do(ctx, e.s); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: got %v, want context.Canceled", c.name, err)
		}
	}
	e.execUnchanged(x)
	// The store still works for callers whose context is live.
	e.update(x, nil)
	_, err := e.s.Heartbeat(t.Context(), "r", 1, 2, nil, t0.Add(time.Second))
	must(t, "Heartbeat after canceled calls", err)
}

func testExecutionsClosed(t *testing.T, b Backend) {
	e := newEnv(t, b)
	x := e.execFixture()
	if err := e.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, c := range execCalls(x) {
		if err := c.do(t.Context(), e.s); err == nil {
			t.Errorf("%s after Close succeeded", c.name)
		}
	}
	e.s = e.open()
	e.execUnchanged(x)
}
