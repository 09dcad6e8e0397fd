package bench

import (
	"context"
	"sync"
	"time"
)

// measure runs the measured part of a one-call scenario: cfg.Concurrency
// callers each call do for one unit at a time, closed loop or paced at
// cfg.Rate, until cfg.Duration has passed or the count bound is reached.
// do gets the time the unit's latency counts from, and records the outcome.
func measure(ctx context.Context, cfg Config, unit string, do func(ctx context.Context, rec *recorder, due time.Time)) (Result, error) {
	return measureBeside(ctx, cfg, unit, do, nil)
}

// measureBeside is measure with beside, when not nil, running alongside the
// callers for as long as they do (until stop), recording into the same
// recorder; limit is the count bound (see budget).
func measureBeside(ctx context.Context, cfg Config, unit string, do func(ctx context.Context, rec *recorder, due time.Time),
	beside func(ctx, stop context.Context, rec *recorder, limit int64)) (Result, error) {
	stop, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	rec := newRecorder(stop, cfg)
	b := newBudget(cfg.maxUnits())
	start := time.Now()
	due := units(stop, cfg, start, b)
	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Go(func() {
			for {
				t, ok := next(stop, due, b)
				if !ok {
					return
				}
				// The call itself gets ctx, not stop: a call begun before the
				// end is let finish, and is counted.
				do(ctx, rec, t)
			}
		})
	}
	if beside != nil {
		wg.Go(func() { beside(ctx, stop, rec, b.limit) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	return rec.result(cfg, unit, elapsed), nil
}
