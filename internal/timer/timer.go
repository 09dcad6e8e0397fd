// Package timer fires the durable timers of workflow executions. Timers are
// rows in the store; the loop sleeps until the soonest one is due, hands each
// due timer to the service (which applies it to its execution and removes or
// re-arms the row in the same transaction), and is woken early when a sooner
// timer is armed. A timer missed while the server was down fires as soon as
// it is back.
package timer

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/store"
)

// Store is the part of the store the loop reads.
type Store interface {
	DueTimers(ctx context.Context, now time.Time, limit int) ([]store.Timer, error)
	NextTimer(ctx context.Context) (time.Time, bool, error)
}

// Fire applies a due timer to its execution. An error leaves the timer
// armed; it is tried again after a pause.
type Fire func(ctx context.Context, t store.Timer) error

const (
	batch = 256
	// claimBatch and lease are for a store shared by several nodes
	// (store.TimerClaimer): a node claims this many due timers at once
	// for this long, which one batch takes a small fraction of; a node
	// that dies leaves its claims to expire, so its timers fire this much
	// late on another node.
	claimBatch = 64
	lease      = 5 * time.Second
	// parallel is how many runs' timers fire at once (see fireAll).
	parallel = 8
	// idle bounds a sleep with no timer known to be due, so that timers
	// armed by another node are found.
	idle = time.Second
	// retryPause spaces out attempts at a timer whose firing failed.
	retryPause = time.Second
)

// Observer hears what the loop does, for metrics.
type Observer interface {
	// Due reports how many timers were due when the loop last looked (at
	// most one batch).
	Due(n int)
	// Fired reports a timer fired, late by how long after its FireAt.
	Fired(late time.Duration)
}

type noObserver struct{}

func (noObserver) Due(int)             {}
func (noObserver) Fired(time.Duration) {}

// Loop fires timers as they fall due.
type Loop struct {
	store  Store
	clock  clock.Clock
	fire   Fire
	logger *slog.Logger
	obs    Observer
	wake   chan struct{}
	// mu guards wakeAt: while the loop sleeps, until wakeAt (zero while
	// it is awake), a timer armed to fire later than that needs no
	// wake-up (the loop looks at the store when it wakes anyway). Most
	// timers armed are timeouts far ahead, and waking the loop for each
	// cost two reads.
	mu     sync.Mutex
	wakeAt time.Time
	// claimer is the store, when it is shared by several nodes and so
	// hands each due timer to one of them.
	claimer store.TimerClaimer
}

// New returns a loop; Run starts it.
func New(st Store, clk clock.Clock, fire Fire, logger *slog.Logger) *Loop {
	l := &Loop{store: st, clock: clk, fire: fire, logger: logger, obs: noObserver{}, wake: make(chan struct{}, 1)}
	l.claimer, _ = st.(store.TimerClaimer)
	return l
}

// due returns the due timers this node is to fire, and how many it asked
// for: on a store shared by several nodes, those it claimed.
func (l *Loop) due(ctx context.Context, now time.Time) ([]store.Timer, int, error) {
	if l.claimer != nil {
		ts, err := l.claimer.ClaimDueTimers(ctx, now, claimBatch, lease)
		return ts, claimBatch, err
	}
	ts, err := l.store.DueTimers(ctx, now, batch)
	return ts, batch, err
}

// Observe makes o hear of what the loop does; call it before Run.
func (l *Loop) Observe(o Observer) {
	if o != nil {
		l.obs = o
	}
}

// Armed tells the loop that a timer was armed to fire at at, so that it
// looks again at when to wake if that is sooner than it would.
func (l *Loop) Armed(at time.Time) {
	l.mu.Lock()
	later := !l.wakeAt.IsZero() && !at.Before(l.wakeAt)
	l.mu.Unlock()
	if later {
		return
	}
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run fires timers until ctx ends.
func (l *Loop) Run(ctx context.Context) {
	failed := map[string]time.Time{} // run/key → when to try again
	for ctx.Err() == nil {
		now := l.clock.Now()
		due, asked, err := l.due(ctx, now)
		if err != nil {
			if ctx.Err() == nil {
				l.logger.Error("reading due timers", "err", err)
			}
			l.sleep(ctx, retryPause)
			continue
		}
		l.obs.Due(len(due))
		pending := make(map[string]bool, len(due))
		for _, t := range due {
			pending[t.RunID+"\x00"+t.Key] = true
		}
		// Forget failures of timers that are no longer due (removed since).
		for id := range failed {
			if !pending[id] {
				delete(failed, id)
			}
		}
		fired := l.fireAll(ctx, due, now, failed)
		if ctx.Err() != nil {
			return
		}
		if len(due) == asked && fired > 0 {
			continue
		}
		wait := idle
		if at, ok, err := l.store.NextTimer(ctx); err == nil && ok {
			d := at.Sub(l.clock.Now())
			if d <= 0 {
				if len(failed) == 0 {
					continue // armed while we were firing
				}
				// Only a timer that failed may be due: look again soon, as
				// another may fall due meanwhile.
				d = 50 * time.Millisecond
			}
			wait = min(wait, d)
		}
		if wait > 0 {
			l.sleep(ctx, wait)
		}
	}
}

// fireAll fires the due timers, except those whose last attempt failed
// less than retryPause ago, and returns how many it fired; a timer that
// fails is noted in failed. The timers of one run fire in order, one
// after another; different runs' timers fire side by side, parallel at a
// time, so that a burst of timers due together (a thousand workflows
// started at once, each with a timer) is not fired one commit after
// another: on SQLite their commits share fsyncs, on PostgreSQL they use
// the pool.
func (l *Loop) fireAll(ctx context.Context, due []store.Timer, now time.Time, failed map[string]time.Time) int {
	var runs [][]store.Timer
	index := map[string]int{}
	for _, t := range due {
		if retry, ok := failed[t.RunID+"\x00"+t.Key]; ok && now.Before(retry) {
			continue
		}
		i, ok := index[t.RunID]
		if !ok {
			i = len(runs)
			index[t.RunID] = i
			runs = append(runs, nil)
		}
		runs[i] = append(runs[i], t)
	}
	var (
		mu    sync.Mutex // guards failed and fired
		fired int
		wg    sync.WaitGroup
	)
	work := make(chan []store.Timer)
	for range min(parallel, len(runs)) {
		wg.Go(func() {
			for ts := range work {
				for _, t := range ts {
					if ctx.Err() != nil {
						break
					}
					err := l.fire(ctx, t)
					id := t.RunID + "\x00" + t.Key
					mu.Lock()
					switch {
					case err == nil:
						delete(failed, id)
						fired++
						l.obs.Fired(l.clock.Now().Sub(t.FireAt))
					case ctx.Err() == nil:
						l.logger.Error("firing a timer", "run_id", t.RunID, "key", t.Key, "err", err)
						failed[id] = now.Add(retryPause)
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, ts := range runs {
		work <- ts
	}
	close(work)
	wg.Wait()
	return fired
}

func (l *Loop) sleep(ctx context.Context, d time.Duration) {
	l.mu.Lock()
	l.wakeAt = l.clock.Now().Add(d)
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.wakeAt = time.Time{}
		l.mu.Unlock()
	}()
	t := l.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
	case <-l.wake:
	case <-ctx.Done():
	}
}
