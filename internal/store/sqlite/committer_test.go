package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// openStore opens a store on a fresh file, closed when the test ends.
func openStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "openswf.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestOneBatch holds the committer in a write, queues writes that must fail
// and writes that must succeed behind it, and lets go: they run as ONE
// batch, and each gets its own answer, as storetest's FailuresAmongWrites
// checks for any backend without being able to force a batch.
func TestOneBatch(t *testing.T) {
	ctx := t.Context()
	s := openStore(t)
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

	errs := make([]error, len(writes))
	batches, redone := inOneBatch(t, s, len(writes), func(i int) { errs[i] = writes[i].do(ctx) })

	for i, w := range writes {
		if w.want == nil && errs[i] != nil || w.want != nil && !errors.Is(errs[i], w.want) {
			t.Errorf("%s: got %v, want %v", w.name, errs[i], w.want)
		}
	}
	if got, _ := s.BatchStats(); got != batches {
		t.Errorf("the writes took %d batches of their own, want none: they join the batch of the write ahead of them", got-batches)
	}
	// The strict take in b fails after b's row is written: the batch is
	// redone without it. The others fail before writing anything (the
	// run's guard checks the version and where the history ends).
	if got := s.Redone() - redone; got != 1 {
		t.Errorf("the batch was redone %d times, want 1", got)
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

// inOneBatch holds the committer in a write that waits, starts n writes
// (write(i) each, in goroutines of their own), lets the held write go once
// every one of them waits to be taken, and returns when all have ended,
// with the store's batch and redo counts from before they ran: the n
// writes run as one batch, behind the held one. The held write does
// nothing, and runs again when its batch is redone.
func inOneBatch(t *testing.T, s *Store, n int, write func(i int)) (batches, redone int64) {
	t.Helper()
	entered, release := make(chan struct{}), make(chan struct{})
	var (
		wg    sync.WaitGroup
		enter sync.Once
	)
	wg.Go(func() {
		err := s.do(t.Context(), "hold", func(*wtx) error {
			enter.Do(func() { close(entered) })
			<-release
			return nil
		})
		if err != nil {
			t.Errorf("hold: %v", err)
		}
	})
	<-entered
	batches, _ = s.BatchStats()
	redone = s.Redone()
	for i := range n {
		wg.Go(func() { write(i) })
	}
	for s.committer.waiting.Load() != int64(n) {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	return batches, redone
}

// TestRedo: in one batch, writes that fail after writing (with an error
// of their own, a contract error, a panic) leave nothing behind, and the
// writes around them commit, each batch being redone without the failed
// one.
func TestRedo(t *testing.T) {
	ctx := t.Context()
	s := openStore(t)
	insert := func(w *wtx, name string) error {
		_, err := w.exec(`INSERT INTO secrets (name, value) VALUES (?, x'00')`, name)
		return err
	}
	writes := []struct {
		name string
		fail string // "", "error", "conflict", "panic"
	}{{"one", ""}, {"two", "error"}, {"three", "conflict"}, {"four", ""}, {"five", "panic"}, {"six", ""}}

	boom := errors.New("boom")
	batches, redone := inOneBatch(t, s, len(writes), func(i int) {
		wr := writes[i]
		defer func() {
			if p := recover(); (p != nil) != (wr.fail == "panic") {
				t.Errorf("%s: panic %v", wr.name, p)
			}
		}()
		err := s.do(ctx, wr.name, func(w *wtx) error {
			if err := insert(w, wr.name); err != nil {
				return err
			}
			switch wr.fail {
			case "error":
				return boom
			case "conflict":
				return store.ErrConflict
			case "panic":
				panic(wr.name)
			}
			return nil
		})
		switch {
		case wr.fail == "" && err != nil,
			wr.fail == "error" && !errors.Is(err, boom),
			wr.fail == "conflict" && !errors.Is(err, store.ErrConflict):
			t.Errorf("%s: %v", wr.name, err)
		}
	})

	if got, _ := s.BatchStats(); got != batches {
		t.Errorf("the writes took %d batches of their own, want none", got-batches)
	}
	if got := s.Redone() - redone; got != 3 {
		t.Errorf("redone %d times, want 3", got)
	}
	for _, wr := range writes {
		var n int
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM secrets WHERE name = ?`, wr.name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 1, false: 0}[wr.fail == ""]; n != want {
			t.Errorf("%s: %d rows, want %d", wr.name, n, want)
		}
	}
}

// TestPanicInBatch: a write that panics panics in its caller's goroutine,
// writes nothing, and leaves the rest of its batch and the committer alone.
func TestPanicInBatch(t *testing.T) {
	ctx := t.Context()
	s := openStore(t)
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

// TestAnswerAfterSync: a write is acknowledged only after the WAL has been
// synced; writes arriving during that sync run meanwhile in the next
// transaction, which commits once the syncer is free, with one sync.
func TestAnswerAfterSync(t *testing.T) {
	ctx := t.Context()
	s := openStore(t)
	entered, release := make(chan struct{}, 1), make(chan struct{})
	wal := s.wal
	s.SetSync(func() error {
		entered <- struct{}{}
		<-release
		return wal.Sync()
	})
	create := func(name string) error {
		return s.CreateDomain(ctx, store.Domain{Name: name, Retention: "1", Status: store.StatusRegistered}, 0)
	}
	first := make(chan error, 1)
	go func() { first <- create("first") }()
	<-entered
	// The first write has committed: readers see it, yet its caller
	// waits for the disk.
	if _, err := s.GetDomain(ctx, "first"); err != nil {
		t.Fatalf("committed write not visible: %v", err)
	}
	select {
	case err := <-first:
		t.Fatalf("acknowledged before its sync: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	// More writes run meanwhile, in the next transaction, uncommitted.
	batches, writes := s.BatchStats()
	rest := make(chan error, 4)
	for i := range 4 {
		go func() { rest <- create(fmt.Sprint("next-", i)) }()
	}
	for {
		if _, w := s.BatchStats(); w == writes+4 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := s.GetDomain(ctx, "next-0"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a write committed while the syncer was busy (%v)", err)
	}
	release <- struct{}{}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	<-entered // the four share one commit and one sync
	if got, _ := s.BatchStats(); got != batches+1 {
		t.Errorf("the four writes took %d batches, want 1", got-batches)
	}
	select {
	case err := <-rest:
		t.Fatalf("acknowledged before its sync: %v", err)
	default:
	}
	release <- struct{}{}
	for range 4 {
		if err := <-rest; err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Syncs(); got != 2 {
		t.Errorf("%d syncs, want 2", got)
	}
	close(release)
}

// TestSyncFailure: when the WAL cannot be synced, the writes waiting for it
// fail, and so does every write after, until the store is reopened.
func TestSyncFailure(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "openswf.db")
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fail := true
	wal := s.wal
	s.SetSync(func() error {
		if fail {
			fail = false
			return errors.New("disk on fire")
		}
		return wal.Sync()
	})
	create := func(s *Store, name string) error {
		return s.CreateDomain(ctx, store.Domain{Name: name, Retention: "1", Status: store.StatusRegistered}, 0)
	}
	if err := create(s, "a"); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("write during a failed sync: %v", err)
	}
	if err := create(s, "b"); err == nil || !strings.Contains(err.Error(), "reopened") {
		t.Fatalf("write after a failed sync: %v", err)
	}
	if _, err := s.GetDomain(ctx, "b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("refused write is visible: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := create(s, "c"); err != nil {
		t.Fatalf("write after reopening: %v", err)
	}
}

// TestLinger: writes that come one at a time commit at once, each in its
// own batch; a stream of them from many callers makes the committer wait
// for more before committing, and batches grow well past what a free
// syncer alone would let them (here an instant one: a batch of one or
// two).
func TestLinger(t *testing.T) {
	ctx := t.Context()
	s := openStore(t)
	s.SetSync(func() error { return nil })
	t0 := time.UnixMilli(1_700_000_000_000).UTC()
	if err := s.CreateExecution(ctx, store.ExecutionChange{
		Execution: store.Execution{Domain: "d", WorkflowID: "w", RunID: "r", Version: 1, Open: true,
			State: []byte("{}"), TypeName: "t", TypeVersion: "1", StartedAt: t0},
		Events:        []store.Event{{ID: 1, Data: []byte("1")}},
		PutActivities: []store.Activity{{ScheduledEventID: 5, StartedEventID: 6, StartedAt: t0}},
	}); err != nil {
		t.Fatal(err)
	}
	beat := func(i int) {
		if _, err := s.Heartbeat(ctx, "r", 5, 6, nil, t0.Add(time.Duration(i)*time.Millisecond)); err != nil {
			t.Error(err)
		}
	}

	for i := range 20 {
		beat(i)
		time.Sleep(3 * time.Millisecond)
	}
	if n := s.Lingered(); n != 0 {
		t.Fatalf("%d batches waited for writes that came one every 3 ms", n)
	}

	b0, w0 := s.BatchStats()
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := range 150 {
				beat(100 + g*1000 + i)
			}
		})
	}
	wg.Wait()
	b1, w1 := s.BatchStats()
	// How many batches waited depends on this machine's speed (a slow one
	// makes big batches by itself); that they grew does not.
	mean := float64(w1-w0) / float64(b1-b0)
	if mean < 6 {
		t.Fatalf("32 callers: %d batches waited, %.1f writes a batch", s.Lingered(), mean)
	}
	t.Logf("32 callers: %d of %d batches waited, %.1f writes a batch", s.Lingered(), b1-b0, mean)
}

func TestLingerWait(t *testing.T) {
	for _, c := range []struct {
		n    int
		rate float64
		want time.Duration
	}{
		{1, 0, 0},
		{1, 333, 0},  // 0.5 more expected within lingerMax
		{1, 2000, 0}, // 3
		{1, 2700, lingerMax},
		{1, 10000, lingerMax},               // 23 more would take 2.3 ms
		{20, 10000, 400 * time.Microsecond}, // 4 more take 0.4 ms
		{24, 10000, 0},
		{40, 10000, 0},
	} {
		if got := lingerWait(c.n, c.rate); got != c.want {
			t.Errorf("a batch of %d at %g/s waits %v, want %v", c.n, c.rate, got, c.want)
		}
	}
}

// TestLimitWithoutRedo: a start refused at its domain's open limit, or for
// its open workflow id there, writes nothing first, so its batch is not
// redone.
func TestLimitWithoutRedo(t *testing.T) {
	ctx := t.Context()
	s := openStore(t)
	t0 := time.UnixMilli(1_700_000_000_000).UTC()
	start := func(wf, run string) error {
		return s.CreateExecution(ctx, store.ExecutionChange{OpenLimit: 1, Execution: store.Execution{
			Domain: "d", WorkflowID: wf, RunID: run, Version: 1, Open: true, State: []byte("{}"),
			TypeName: "t", TypeVersion: "1", StartedAt: t0}})
	}
	if err := start("w1", "r1"); err != nil {
		t.Fatal(err)
	}
	redone := s.Redone()
	if err := start("w2", "r2"); !errors.Is(err, store.ErrLimit) {
		t.Errorf("past the limit: %v, want ErrLimit", err)
	}
	if err := start("w1", "r3"); !errors.Is(err, store.ErrExists) {
		t.Errorf("an open workflow id at the limit: %v, want ErrExists", err)
	}
	if got := s.Redone() - redone; got != 0 {
		t.Errorf("redone %d times, want none", got)
	}
}

// TestRefusalWithoutRedo: a registry change its caller's check refuses
// (here, deprecating a domain twice) writes nothing, so its batch is not
// redone, and the caller gets its own error back.
func TestRefusalWithoutRedo(t *testing.T) {
	ctx := t.Context()
	s := openStore(t)
	if err := s.CreateDomain(ctx, store.Domain{Name: "d", Retention: "1", Status: store.StatusRegistered}, 0); err != nil {
		t.Fatal(err)
	}
	redone := s.Redone()
	mine := errors.New("already deprecated")
	_, err := s.DeprecateDomain(ctx, "d", time.Now(), func(store.Domain) error { return mine })
	if !errors.Is(err, mine) || err.Error() != mine.Error() {
		t.Errorf("refused: %v, want the check's own error", err)
	}
	if got := s.Redone() - redone; got != 0 {
		t.Errorf("redone %d times, want none", got)
	}
}
