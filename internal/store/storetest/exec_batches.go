package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// The tests of this file drive many writes at once, as a loaded server
// does. A backend may commit concurrent writes together (SQLite's group
// commit does); whatever it does, each write must succeed or fail as it
// would alone, and a failing write must neither write anything nor take
// another write down with it.

// testInterleavedWrites: heartbeats and updates of the same runs, all at
// once, lose nothing: every heartbeat lands and survives the updates of
// its attempt, every update commits once, and histories stay dense.
func testInterleavedWrites(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	const runs, beats, updates = 4, 40, 10
	xs := make([]store.Execution, runs)
	for i := range xs {
		runID := fmt.Sprint("r", i)
		xs[i] = e.create(runFixture("d", fmt.Sprint("w", i), runID, t0), func(ch *store.ExecutionChange) {
			ch.PutActivities = []store.Activity{activityFixture(runID, 5, 6)}
		})
	}
	beatAt := func(n int) time.Time { return t0.Add(time.Duration(n+1) * time.Second) }

	var wg sync.WaitGroup
	for i := range runs {
		runID := xs[i].RunID
		// One heartbeater per run, so its beats are in time order.
		wg.Go(func() {
			for n := range beats {
				if _, err := e.s.Heartbeat(ctx, runID, 5, 6, ptr(fmt.Sprint(n)), beatAt(n)); err != nil {
					t.Errorf("Heartbeat %s #%d: %v", runID, n, err)
					return
				}
			}
		})
		// Two updaters per run, racing each other and the heartbeats; each
		// update puts the same attempt's row again (which keeps its
		// heartbeat) and adds an event and a task.
		for u := range 2 {
			wg.Go(func() {
				for n := range updates {
					for attempt := 0; ; attempt++ {
						if attempt > 1000 {
							t.Errorf("updater %s/%d: update %d kept conflicting", runID, u, n)
							return
						}
						cur, _, err := e.s.GetRun(ctx, runID)
						if err != nil {
							t.Errorf("GetRun: %v", err)
							return
						}
						ch := next(cur)
						ch.Events = []store.Event{event(cur.Version + 1)}
						ch.AddTasks = []store.Task{activityTask(cur, "tl", 0, 100+cur.Version)}
						act := activityFixture(runID, 5, 6)
						act.CancelRequested = n%2 == 0
						ch.PutActivities = []store.Activity{act}
						err = e.s.UpdateExecution(ctx, ch)
						if errors.Is(err, store.ErrConflict) {
							continue
						}
						if err != nil {
							t.Errorf("updater %s/%d: UpdateExecution: %v", runID, u, err)
							return
						}
						break
					}
				}
			})
		}
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for _, x := range xs {
		got, acts := e.getRun(x.RunID)
		if want := int64(1 + 2*updates); got.Version != want {
			t.Errorf("%s: version %d, want %d", x.RunID, got.Version, want)
		}
		e.checkHistory(x.RunID, 1+2*updates)
		if len(acts) != 1 {
			t.Fatalf("%s: activity rows %s", x.RunID, fmtActivities(acts))
		}
		if a := acts[0]; !a.HeartbeatAt.Equal(ms(beatAt(beats-1))) || a.HeartbeatDetails == nil || *a.HeartbeatDetails != fmt.Sprint(beats-1) {
			t.Errorf("%s: the last heartbeat was lost: %s", x.RunID, fmtActivities(acts))
		}
	}
	if n, err := e.s.CountTasks(ctx, store.ActivityTask, "d", "tl"); err != nil || n != runs*2*updates {
		t.Errorf("CountTasks = %d, %v; want %d", n, err, runs*2*updates)
	}
}

// testFailuresAmongWrites: writes that must fail (a stale version, a second
// open run of a workflow id, a strict take of a missing task, an event id
// already written, a heartbeat of a gone attempt, a refused registry
// change) are started at the same instant as writes that must succeed. Each
// fails with its own error and writes nothing; each of the others commits
// whole.
func testFailuresAmongWrites(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	e.createDomain(domainFixture("d"))
	for round := range 5 {
		id := func(name string) string { return fmt.Sprintf("%s-%d", name, round) }
		// Runs the failing writes aim at, each at a known version.
		staleV1 := e.create(runFixture("d", id("w-stale"), id("stale"), t0))
		stale := e.update(staleV1, func(ch *store.ExecutionChange) { ch.Events = events(2, 2) })
		open := e.create(runFixture("d", id("w-open"), id("open"), t0))
		strict := e.create(runFixture("d", id("w-strict"), id("strict"), t0))
		dup := e.create(runFixture("d", id("w-dup"), id("dup"), t0), func(ch *store.ExecutionChange) {
			ch.PutActivities = []store.Activity{activityFixture(id("dup"), 5, 6)}
		})
		// Runs the succeeding writes change.
		const good = 6
		goods := make([]store.Execution, good)
		for i := range goods {
			runID := id(fmt.Sprint("good", i))
			goods[i] = e.create(runFixture("d", id(fmt.Sprint("w-good", i)), runID, t0), func(ch *store.ExecutionChange) {
				ch.PutActivities = []store.Activity{activityFixture(runID, 5, 6)}
			})
		}

		// Every failing change also queues a task, arms a timer and puts an
		// activity row, none of which may appear.
		spoil := func(ch *store.ExecutionChange) {
			x := ch.Execution
			ch.AddTasks = append(ch.AddTasks, decisionTask(x, id("tl-bad"), 0, 50))
			ch.SetTimers = append(ch.SetTimers, timerFixture(x, "bad", t0))
			ch.PutActivities = append(ch.PutActivities, activityFixture(x.RunID, 50, 51))
		}
		failing := []struct {
			name string
			want error
			do   func() error
		}{
			{"stale version", store.ErrConflict, func() error {
				ch := next(staleV1) // the run is at version 2 already
				ch.Events = events(3, 3)
				spoil(&ch)
				return e.s.UpdateExecution(ctx, ch)
			}},
			{"second open run", store.ErrExists, func() error {
				ch := store.ExecutionChange{Execution: runFixture("d", open.WorkflowID, id("open2"), t0), Events: events(1, 1)}
				spoil(&ch)
				return e.s.CreateExecution(ctx, ch)
			}},
			{"strict take of a missing task", store.ErrConflict, func() error {
				ch := next(strict)
				ch.Events = events(2, 2)
				ch.TakeTasks, ch.Strict = []store.Task{decisionTask(strict, "tl", 0, 1)}, true
				spoil(&ch)
				return e.s.UpdateExecution(ctx, ch)
			}},
			{"event id written already", store.ErrConflict, func() error {
				ch := next(dup)
				ch.Events = events(1, 2)
				spoil(&ch)
				return e.s.UpdateExecution(ctx, ch)
			}},
			{"heartbeat of a gone attempt", store.ErrNotFound, func() error {
				_, err := e.s.Heartbeat(ctx, dup.RunID, 5, 7, ptr("bad"), t0.Add(time.Second))
				return err
			}},
			{"refused domain change", errRefused, func() error {
				_, err := e.s.UpdateDomain(ctx, "d", func(d *store.Domain) error {
					d.Description = "bad"
					return errRefused
				})
				return err
			}},
		}

		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, f := range failing {
			wg.Go(func() {
				<-start
				if err := f.do(); !errors.Is(err, f.want) {
					t.Errorf("round %d: %s: got %v, want %v", round, f.name, err, f.want)
				}
			})
		}
		for i, x := range goods {
			wg.Go(func() {
				<-start
				ch := next(x)
				ch.Events = events(2, 3)
				ch.AddTasks = []store.Task{decisionTask(x, id("tl-good"), 0, 3)}
				ch.SetTimers = []store.Timer{timerFixture(x, "good", t0)}
				if err := e.s.UpdateExecution(ctx, ch); err != nil {
					t.Errorf("round %d: update of %s: %v", round, x.RunID, err)
				}
			})
			wg.Go(func() {
				<-start
				if _, err := e.s.Heartbeat(ctx, x.RunID, 5, 6, ptr("good"), t0.Add(time.Second)); err != nil {
					t.Errorf("round %d: heartbeat of %s: %v", round, x.RunID, err)
				}
			})
			wg.Go(func() {
				<-start
				ch := store.ExecutionChange{Execution: runFixture("d", id(fmt.Sprint("w-new", i)), id(fmt.Sprint("new", i)), t0), Events: events(1, 1)}
				if err := e.s.CreateExecution(ctx, ch); err != nil {
					t.Errorf("round %d: create of %s: %v", round, ch.Execution.RunID, err)
				}
			})
		}
		close(start)
		wg.Wait()

		// Nothing of the failing writes.
		for _, x := range []store.Execution{stale, open, strict, dup} {
			got, acts := e.getRun(x.RunID)
			e.wantExecution(got, x)
			for _, a := range acts {
				if a.ScheduledEventID == 50 || a.HeartbeatDetails != nil {
					e.t.Errorf("round %d: a failed write changed the activities of %s: %s", round, x.RunID, fmtActivities(acts))
				}
			}
		}
		e.checkHistory(stale.RunID, 2)
		e.checkHistory(strict.RunID, 1)
		e.checkHistory(dup.RunID, 1)
		if _, _, err := e.s.GetRun(ctx, id("open2")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("round %d: the refused second run exists (%v)", round, err)
		}
		if ts := e.tasks(store.DecisionTask, "d", id("tl-bad")); len(ts) != 0 {
			t.Errorf("round %d: failed writes queued %v", round, taskNames(ts))
		}
		for _, tm := range e.dueTimers(t0) {
			if tm.Key == "bad" {
				t.Errorf("round %d: a failed write armed timer %s/%s", round, tm.RunID, tm.Key)
			}
		}
		if d := e.getDomain("d"); d.Description != domainFixture("d").Description {
			t.Errorf("round %d: a refused change wrote the domain: %q", round, d.Description)
		}

		// All of the others.
		for i, x := range goods {
			got, acts := e.getRun(x.RunID)
			if got.Version != 2 {
				t.Errorf("round %d: %s at version %d, want 2", round, x.RunID, got.Version)
			}
			e.checkHistory(x.RunID, 3)
			if len(acts) != 1 || acts[0].HeartbeatDetails == nil || *acts[0].HeartbeatDetails != "good" {
				t.Errorf("round %d: heartbeat of %s lost: %s", round, x.RunID, fmtActivities(acts))
			}
			e.getRun(id(fmt.Sprint("new", i)))
		}
		if ts := e.tasks(store.DecisionTask, "d", id("tl-good")); len(ts) != good {
			t.Errorf("round %d: %d of %d tasks queued", round, len(ts), good)
		}
	}
}

// testWritesWithEndingContexts: writes whose contexts end at any moment,
// among writes whose contexts do not. Every call returns; a call that
// succeeded wrote everything, one that failed with its context's error
// wrote all or nothing, and the others are untouched by either.
func testWritesWithEndingContexts(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	const n = 40
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Go(func() {
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			if i%2 == 1 {
				// End it before the call, or at once while it runs.
				if i%4 == 1 {
					cancel()
				} else {
					go cancel()
				}
			}
			x := runFixture("d", fmt.Sprint("w", i), fmt.Sprint("r", i), t0)
			results[i] = e.s.CreateExecution(cctx, store.ExecutionChange{
				Execution: x,
				Events:    events(1, 2),
				AddTasks:  []store.Task{decisionTask(x, "tl", 0, 2)},
			})
		})
	}
	wg.Wait()
	queued := map[string]bool{}
	for _, task := range e.tasks(store.DecisionTask, "d", "tl") {
		queued[task.RunID] = true
	}
	for i, err := range results {
		runID := fmt.Sprint("r", i)
		_, _, getErr := e.s.GetRun(ctx, runID)
		written := getErr == nil
		switch {
		case i%2 == 0 && err != nil:
			t.Errorf("create %s with a live context: %v", runID, err)
		case err != nil && !errors.Is(err, context.Canceled):
			t.Errorf("create %s: got %v, want context.Canceled", runID, err)
		case err == nil && !written:
			t.Errorf("create %s succeeded but the run is missing (%v)", runID, getErr)
		case i%4 == 1 && written:
			t.Errorf("create %s with a context ended before the call wrote the run", runID)
		}
		if written {
			e.checkHistory(runID, 2)
		}
		if written != queued[runID] {
			t.Errorf("create %s wrote its run (%v) but not its task (%v), or the reverse", runID, written, queued[runID])
		}
	}
	// The store still works.
	e.create(runFixture("d", "after", "after", t0))
}

// testCloseDuringWrites: Close while writes are under way. Every call
// returns; after a reopen, every write that was acknowledged is there, and
// calls after Close fail.
func testCloseDuringWrites(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	const writers = 8
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		acked []string
	)
	s := e.s
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				runID := fmt.Sprintf("r%d-%d", w, i)
				err := s.CreateExecution(ctx, store.ExecutionChange{Execution: runFixture("d", runID, runID, t0), Events: events(1, 1)})
				if err != nil {
					return // closed; what failed is not checked
				}
				mu.Lock()
				acked = append(acked, runID)
				mu.Unlock()
			}
		})
	}
	// Close once the writes are well under way.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 2*writers {
			break
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	if err := s.CreateExecution(ctx, store.ExecutionChange{Execution: runFixture("d", "late", "late", t0), Events: events(1, 1)}); err == nil {
		t.Error("CreateExecution after Close succeeded")
	}
	if _, err := s.Heartbeat(ctx, "late", 1, 2, nil, t0); err == nil {
		t.Error("Heartbeat after Close succeeded")
	}
	e.s = e.open()
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before Close")
	}
	for _, runID := range acked {
		if _, _, err := e.s.GetRun(ctx, runID); err != nil {
			t.Errorf("acknowledged run %s is lost after Close: %v", runID, err)
		}
	}
}
