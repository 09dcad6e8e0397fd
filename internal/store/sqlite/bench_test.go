package sqlite_test

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/sqlite"
)

// The benchmarks measure the store alone, without HTTP or the engine:
// go test -run '^$' -bench . -cpuprofile cpu.out ./internal/store/sqlite/

var benchT0 = time.UnixMilli(1_700_000_000_000).UTC()

// benchStore opens a store in a temporary directory with runs open runs,
// each with a started activity (scheduled 5, started 6) and a queued task.
func benchStore(b *testing.B, runs int) *sqlite.Store {
	b.Helper()
	s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "openswf.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	s.SkipWriteChecks()
	b.Cleanup(func() {
		batches, writes := s.BatchStats()
		if batches > 0 {
			b.ReportMetric(float64(writes)/float64(batches), "writes/batch")
		}
		if syncs := s.Syncs(); syncs > 0 {
			b.ReportMetric(float64(writes)/float64(syncs), "writes/sync")
		}
		s.Close()
	})
	for i := range runs {
		x := benchRun(i)
		err := s.CreateExecution(b.Context(), store.ExecutionChange{
			Execution:     x,
			Events:        []store.Event{{ID: 1, Data: make([]byte, 200)}},
			AddTasks:      []store.Task{{Kind: store.DecisionTask, TaskList: "tl", ScheduledEventID: 1}},
			PutActivities: []store.Activity{{ScheduledEventID: 5, StartedEventID: 6, StartedAt: benchT0, HeartbeatTimeout: time.Hour}},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func benchRun(i int) store.Execution {
	return store.Execution{
		Domain: "d", WorkflowID: fmt.Sprint("w", i), RunID: fmt.Sprint("r", i), Version: 1, Open: true,
		State: make([]byte, 600), TypeName: "t", TypeVersion: "1", StartedAt: benchT0,
	}
}

// resetTimerCPU resets b's timer and reports, when b ends, the process's
// CPU time (user and system) per operation from then on: on a shared
// machine that, not ns/op, is the store's cost (ns/op includes waiting for
// the disk and for the other callers).
func resetTimerCPU(b *testing.B) {
	b.Helper()
	start := processCPU()
	b.Cleanup(func() {
		if b.N > 0 {
			b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
		}
	})
	b.ResetTimer()
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkHeartbeat(b *testing.B) {
	const runs = 64
	s := benchStore(b, runs)
	var n atomic.Int64
	b.SetParallelism(4) // 4 × GOMAXPROCS callers, as a loaded server has
	resetTimerCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			details := "progress"
			if _, err := s.Heartbeat(b.Context(), fmt.Sprint("r", i%runs), 5, 6, &details, benchT0.Add(time.Duration(i)*time.Millisecond)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkUpdateExecution: each caller loads its own run and commits a
// change like a decision task's: new state, two events, a task taken and
// one queued, a timer.
func BenchmarkUpdateExecution(b *testing.B) {
	const runs = 64
	s := benchStore(b, runs)
	var next atomic.Int64
	b.SetParallelism(4)
	resetTimerCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		runID := fmt.Sprint("r", next.Add(1)-1)
		for pb.Next() {
			x, _, err := s.GetRun(b.Context(), runID)
			if err != nil {
				b.Error(err)
				return
			}
			last := x.Version * 2
			ch := store.ExecutionChange{Execution: x, ExpectedVersion: x.Version}
			ch.Execution.Version++
			ch.Events = []store.Event{{ID: last, Data: make([]byte, 200)}, {ID: last + 1, Data: make([]byte, 200)}}
			ch.TakeTasks = []store.Task{{Kind: store.DecisionTask, ScheduledEventID: last - 1}}
			ch.Strict = true
			ch.AddTasks = []store.Task{{Kind: store.DecisionTask, TaskList: "tl", ScheduledEventID: last + 1}}
			ch.SetTimers = []store.Timer{{Key: "k", FireAt: benchT0.Add(time.Hour)}}
			if err := s.UpdateExecution(b.Context(), ch); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkGetRun(b *testing.B) {
	const runs = 64
	s := benchStore(b, runs)
	var n atomic.Int64
	resetTimerCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := s.GetRun(b.Context(), fmt.Sprint("r", n.Add(1)%runs)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkStartAndClose measures a run's visibility rows: each iteration
// creates a run with two tags and closes it, which writes (and rewrites)
// its entries of every visibility index.
func BenchmarkStartAndClose(b *testing.B) {
	s := benchStore(b, 0)
	var next atomic.Int64
	b.SetParallelism(4)
	resetTimerCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			x := benchRun(int(next.Add(1)))
			x.TagList = []string{"a", "b"}
			if err := s.CreateExecution(b.Context(), store.ExecutionChange{Execution: x, Events: []store.Event{{ID: 1, Data: make([]byte, 200)}}}); err != nil {
				b.Error(err)
				return
			}
			ch := store.ExecutionChange{Execution: x, ExpectedVersion: 1, Events: []store.Event{{ID: 2, Data: make([]byte, 200)}}}
			ch.Execution.Version, ch.Execution.Open = 2, false
			ch.Execution.ClosedAt, ch.Execution.CloseStatus = benchT0.Add(time.Minute), "COMPLETED"
			if err := s.UpdateExecution(b.Context(), ch); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRetention measures one DeleteClosed transaction, fsync
// included, which bounds how long it holds the writer: a batch of the
// sweeper's default 32 runs of 12 events, and the deletion of the 500
// events one transaction takes of a longer run (DefaultRetentionEvents).
// Events are 300 bytes, a typical SWF event.
func BenchmarkRetention(b *testing.B) {
	for _, c := range []struct {
		name         string
		runs, events int
	}{{"32runs-12events", 32, 12}, {"1run-500events", 1, 500}, {"1run-5000events", 1, 5000}} {
		b.Run(c.name, func(b *testing.B) {
			s := benchStore(b, 0)
			made := 0
			closed := func() {
				b.StopTimer()
				for range c.runs {
					x := benchRun(made)
					made++
					evs := make([]store.Event, c.events)
					for i := range evs {
						evs[i] = store.Event{ID: int64(i + 1), Data: make([]byte, 300)}
					}
					x.Open, x.ClosedAt, x.CloseStatus = false, benchT0, "COMPLETED"
					if err := s.CreateExecution(b.Context(), store.ExecutionChange{Execution: x, Events: evs}); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
			}
			for b.Loop() {
				closed()
				ids, err := s.DeleteClosed(b.Context(), "d", benchT0.Add(time.Hour), 32)
				if err != nil || len(ids) != c.runs {
					b.Fatalf("deleted %d runs, %v; want %d", len(ids), err, c.runs)
				}
			}
		})
	}
}
