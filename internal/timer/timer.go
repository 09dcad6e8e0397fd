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
	// idle bounds a sleep with no timer known to be due, so that timers
	// armed by another node are found.
	idle = time.Second
	// retryPause spaces out attempts at a timer whose firing failed.
	retryPause = time.Second
)

// Loop fires timers as they fall due.
type Loop struct {
	store  Store
	clock  clock.Clock
	fire   Fire
	logger *slog.Logger
	wake   chan struct{}
}

// New returns a loop; Run starts it.
func New(st Store, clk clock.Clock, fire Fire, logger *slog.Logger) *Loop {
	return &Loop{store: st, clock: clk, fire: fire, logger: logger, wake: make(chan struct{}, 1)}
}

// Armed tells the loop that a timer was armed, so that it looks again at
// when to wake.
func (l *Loop) Armed() {
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
		due, err := l.store.DueTimers(ctx, now, batch)
		if err != nil {
			if ctx.Err() == nil {
				l.logger.Error("reading due timers", "err", err)
			}
			l.sleep(ctx, retryPause)
			continue
		}
		fired := 0
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
		for _, t := range due {
			id := t.RunID + "\x00" + t.Key
			if retry, ok := failed[id]; ok && now.Before(retry) {
				continue
			}
			if err := l.fire(ctx, t); err != nil {
				if ctx.Err() != nil {
					return
				}
				l.logger.Error("firing a timer", "run_id", t.RunID, "key", t.Key, "err", err)
				failed[id] = now.Add(retryPause)
				continue
			}
			delete(failed, id)
			fired++
		}
		if len(due) == batch && fired > 0 {
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

func (l *Loop) sleep(ctx context.Context, d time.Duration) {
	t := l.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
	case <-l.wake:
	case <-ctx.Done():
	}
}
