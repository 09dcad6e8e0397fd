package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// TestOneBatch holds the committer in a write, queues writes that must fail
// and writes that must succeed behind it, and lets go: they run as ONE
// batch, and each gets its own answer, as storetest's FailuresAmongWrites
// checks for any backend without being able to force a batch.
func TestOneBatch(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "openswf.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.UnixMilli(1_700_000_000_000).UTC()
	run := func(id string) store.Execution {
		return store.Execution{Domain: "d", WorkflowID: "w-" + id, RunID: id, Version: 1, Open: true,
			State: []byte(id), TypeName: "t", TypeVersion: "1", StartedAt: t0}
	}
	for _, id := range []string{"a", "b", "c"} {
		if err := s.CreateExecution(ctx, store.ExecutionChange{
			Execution:     run(id),
			Events:        []store.Event{{ID: 1, Data: []byte("1")}},
			PutActivities: []store.Activity{{ScheduledEventID: 5, StartedEventID: 6, StartedAt: t0}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	update := func(id string, expect int64, firstEvent int64, strict bool) store.ExecutionChange {
		ch := store.ExecutionChange{Execution: run(id), ExpectedVersion: expect}
		ch.Execution.Version = expect + 1
		ch.Events = []store.Event{{ID: firstEvent, Data: []byte("x")}}
		ch.AddTasks = []store.Task{{Kind: store.DecisionTask, TaskList: "tl", ScheduledEventID: firstEvent}}
		if strict {
			ch.TakeTasks, ch.Strict = []store.Task{{Kind: store.DecisionTask, ScheduledEventID: 99}}, true
		}
		return ch
	}
	// a moves to version 2 first, so that the stale update below fails in
	// whatever order the batch runs its writes.
	if err := s.UpdateExecution(ctx, update("a", 1, 2, false)); err != nil {
		t.Fatal(err)
	}
	writes := []struct {
		name string
		want error
		do   func(context.Context) error
	}{
		{"update a", nil, func(ctx context.Context) error { return s.UpdateExecution(ctx, update("a", 2, 3, false)) }},
		{"stale update of a", store.ErrConflict, func(ctx context.Context) error { return s.UpdateExecution(ctx, update("a", 1, 3, false)) }},
		{"strict take in b", store.ErrConflict, func(ctx context.Context) error { return s.UpdateExecution(ctx, update("b", 1, 2, true)) }},
		{"event id taken in c", store.ErrConflict, func(ctx context.Context) error { return s.UpdateExecution(ctx, update("c", 1, 1, false)) }},
		{"second open run of w-a", store.ErrExists, func(ctx context.Context) error {
			x := run("a2")
			x.WorkflowID = "w-a"
			return s.CreateExecution(ctx, store.ExecutionChange{Execution: x})
		}},
		{"heartbeat of b", nil, func(ctx context.Context) error {
			_, err := s.Heartbeat(ctx, "b", 5, 6, nil, t0.Add(time.Second))
			return err
		}},
		{"heartbeat of a gone attempt", store.ErrNotFound, func(ctx context.Context) error {
			_, err := s.Heartbeat(ctx, "c", 5, 7, nil, t0.Add(time.Second))
			return err
		}},
		{"update c", nil, func(ctx context.Context) error { return s.UpdateExecution(ctx, update("c", 1, 2, false)) }},
		{"create d", nil, func(ctx context.Context) error {
			return s.CreateExecution(ctx, store.ExecutionChange{Execution: run("d")})
		}},
	}

	entered, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		err := s.do(ctx, "hold", false, func(*wtx) error {
			close(entered)
			<-release
			return nil
		})
		if err != nil {
			t.Errorf("hold: %v", err)
		}
	})
	<-entered
	batches, _ := s.BatchStats()
	errs := make([]error, len(writes))
	for i, w := range writes {
		wg.Go(func() { errs[i] = w.do(ctx) })
	}
	// Wait until every write waits to be taken.
	for s.committer.waiting.Load() != int64(len(writes)) {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()

	for i, w := range writes {
		if w.want == nil && errs[i] != nil || w.want != nil && !errors.Is(errs[i], w.want) {
			t.Errorf("%s: got %v, want %v", w.name, errs[i], w.want)
		}
	}
	if got, _ := s.BatchStats(); got != batches+1 {
		t.Errorf("the writes took %d batches, want 1", got-batches)
	}
	for id, want := range map[string]int64{"a": 3, "b": 1, "c": 2, "d": 1} {
		x, acts, err := s.GetRun(ctx, id)
		if err != nil || x.Version != want {
			t.Errorf("run %s: version %d (%v), want %d", id, x.Version, err, want)
		}
		if id == "b" && (len(acts) != 1 || !acts[0].HeartbeatAt.Equal(t0.Add(time.Second))) {
			t.Errorf("heartbeat of b lost: %+v", acts)
		}
	}
	tasks, err := s.NextTasks(ctx, store.DecisionTask, "d", "tl", 0)
	if err != nil || len(tasks) != 3 {
		t.Errorf("tasks = %+v (%v), want two of a and one of c", tasks, err)
	}
	if _, _, err := s.GetRun(ctx, "a2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the second open run of w-a exists (%v)", err)
	}
}

// TestPanicInBatch: a write that panics panics in its caller's goroutine,
// writes nothing, and leaves the rest of its batch and the committer alone.
func TestPanicInBatch(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "openswf.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateDomain(ctx, store.Domain{Name: "d", Retention: "1", Status: store.StatusRegistered}, 0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if i%2 == 0 {
				defer func() {
					if recover() == nil {
						t.Errorf("write %d: no panic", i)
					}
				}()
			}
			_, err := s.UpdateDomain(ctx, "d", func(d *store.Domain) error {
				d.Tags = append(d.Tags, store.Tag{Key: fmt.Sprint(i)})
				if i%2 == 0 {
					panic("boom")
				}
				return nil
			})
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	d, err := s.GetDomain(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tags) != 4 {
		t.Errorf("tags %v, want the 4 of the writes that did not panic", d.Tags)
	}
}
