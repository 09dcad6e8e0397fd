package bench

import (
	"context"
	"sync"
	"sync/atomic"
)

// forEach calls f for 0 ≤ i < n from workers goroutines, and returns the
// first error, which stops the rest.
func forEach(ctx context.Context, n, workers int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var nextIndex atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(nextIndex.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(ctx, i); err != nil {
					cancel(err)
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// collect calls poll from workers goroutines until n calls have reported
// success, and returns the first error. Polls still waiting when the n-th
// succeeds are cancelled: their errors are the collection ending, not
// failures. Each worker polls at most maxPolls times, so that a server that
// never hands out the tasks ends the setup by count as well as by time.
func collect(ctx context.Context, n, workers, maxPolls int, poll func(ctx context.Context) (bool, error)) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var got atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range maxPolls {
				if ctx.Err() != nil || got.Load() >= int64(n) {
					return
				}
				ok, err := poll(ctx)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					cancel(err)
					return
				}
				if ok && got.Add(1) >= int64(n) {
					cancel(errCollected)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != errCollected {
		if err == nil {
			return errTooManyPolls
		}
		return err
	}
	return nil
}
