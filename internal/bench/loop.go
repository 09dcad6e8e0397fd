package bench

import (
	"context"
	"sync/atomic"
	"time"
)

// budget is the count bound of a run: every loop takes one unit before it
// begins a unit of work, so the run ends by count even if time misbehaves.
type budget struct {
	left atomic.Int64
	// limit is the whole budget; a loop that does not take from it (a
	// poller) makes at most this many calls.
	limit int64
}

func newBudget(n int64) *budget {
	b := &budget{limit: n}
	b.left.Store(n)
	return b
}

// take reports whether a unit may begin.
func (b *budget) take() bool { return b.left.Add(-1) >= 0 }

// pace sends, at rate per second from start until stop ends or the budget
// runs out, the time at which each unit is due, and then closes out. When
// the callers fall behind, the sends block and later due times are already
// past: they are sent at once, and the caller counts latency from the due
// time, so the queueing shows in the percentiles (no coordinated omission).
func pace(stop context.Context, start time.Time, rate float64, b *budget, out chan<- time.Time) {
	defer close(out)
	interval := time.Duration(float64(time.Second) / rate)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := int64(0); b.take(); i++ {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-stop.Done():
				return
			}
		}
		select {
		case out <- due:
		case <-stop.Done():
			return
		}
	}
}

// units returns the source of units for callers: due times at cfg.Rate in
// an open-loop run, or nil in a closed loop, where each caller begins its
// next unit as soon as the last ends (see next).
func units(stop context.Context, cfg Config, start time.Time, b *budget) <-chan time.Time {
	if cfg.Rate <= 0 {
		return nil
	}
	ch := make(chan time.Time)
	go pace(stop, start, cfg.Rate, b, ch)
	return ch
}

// next waits for the next unit a caller may begin and returns the time its
// latency counts from. It reports false when the run is over.
func next(stop context.Context, due <-chan time.Time, b *budget) (time.Time, bool) {
	if stop.Err() != nil {
		return time.Time{}, false
	}
	if due == nil {
		return time.Now(), b.take()
	}
	select {
	case t, ok := <-due:
		return t, ok
	case <-stop.Done():
		return time.Time{}, false
	}
}

// errorPause is how long a poller waits after a failed poll, so that an
// endpoint that fails at once (refusing connections, say) is not spun on.
const errorPause = 10 * time.Millisecond

// pause waits errorPause, or until stop ends.
func pause(stop context.Context) {
	t := time.NewTimer(errorPause)
	defer t.Stop()
	select {
	case <-t.C:
	case <-stop.Done():
	}
}
