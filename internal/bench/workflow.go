package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// inFlight tracks the run's open workflows, so that the decider that
// completes one can tell its starter and time it from its start.
type inFlight struct {
	mu   sync.Mutex // guards open
	open map[string]flight
}

// flight is one open workflow.
type flight struct {
	due  time.Time     // when its latency counts from
	done chan struct{} // closed when it completes
}

func (f *inFlight) add(id string, due time.Time) chan struct{} {
	done := make(chan struct{})
	f.mu.Lock()
	f.open[id] = flight{due: due, done: done}
	f.mu.Unlock()
	return done
}

// finish removes id and returns its flight, if it was open.
func (f *inFlight) finish(id string) (flight, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl, ok := f.open[id]
	delete(f.open, id)
	return fl, ok
}

// ids returns the workflows still open.
func (f *inFlight) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.open))
	for id := range f.open {
		out = append(out, id)
	}
	return out
}

// runWorkflow completes workflows end to end — start, a decision that
// schedules one activity, the activity, a decision that completes — with
// separate pools of starters, deciders and activity workers, as SWF programs
// are built. Closed loop, each of cfg.Concurrency starters keeps one
// workflow in flight; open loop, workflows start at cfg.Rate.
func runWorkflow(ctx context.Context, cfg Config) (Result, error) {
	deciders, workers := cfg.Deciders, cfg.Workers
	if deciders == 0 {
		deciders = cfg.Concurrency
	}
	if workers == 0 {
		workers = cfg.Concurrency
	}
	e, err := newEnv(ctx, cfg, cfg.Concurrency+deciders+workers)
	if err != nil {
		return Result{}, err
	}
	stop, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	rec := newRecorder(stop, cfg)
	b := newBudget(cfg.maxUnits())
	flights := &inFlight{open: make(map[string]flight)}
	var seq atomic.Int64
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
				id := e.workflowID(seq.Add(1))
				done := flights.add(id, t)
				err := rec.call(opStart, func() error { _, err := e.start(ctx, id); return err })
				if err != nil {
					flights.finish(id)
					continue
				}
				if cfg.Rate <= 0 {
					// Closed loop: the next workflow waits for this one.
					select {
					case <-done:
					case <-stop.Done():
						return
					}
				}
			}
		})
	}
	// Deciders and workers poll with stop, so that a long poll waiting at
	// the end does not hold the run for the server's whole long-poll hold.
	for range deciders {
		wg.Go(func() { e.decider(ctx, stop, rec, flights, b.limit) })
	}
	for range workers {
		wg.Go(func() { e.worker(ctx, stop, rec, b.limit) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	e.terminate(ctx, flights.ids())
	return rec.result(cfg, "workflows", elapsed), nil
}

// decider answers the run's decision tasks until stop ends or it has
// polled maxPolls times, deciding from the history alone: a workflow whose
// activity has completed is completed, one with no activity yet gets one.
// Answers are sent with ctx, so that a task taken before the end is
// answered.
func (e *env) decider(ctx, stop context.Context, rec *recorder, flights *inFlight, maxPolls int64) {
	for range maxPolls {
		if stop.Err() != nil {
			return
		}
		t0 := time.Now()
		task, err := e.pollDecision(stop, true)
		if err != nil {
			if rec.fail(opPollDecision, err) {
				pause(stop)
			}
			continue
		}
		if task.TaskToken == nil {
			rec.empty(opPollDecision)
			continue
		}
		rec.ok(opPollDecision, time.Since(t0))
		id := aws.ToString(task.WorkflowExecution.WorkflowId)
		d, closing := e.nextDecision(task.Events, id)
		err = rec.call(opRespondDecision, func() error { return e.decide(ctx, task.TaskToken, d...) })
		if err != nil || !closing {
			continue
		}
		if fl, ok := flights.finish(id); ok {
			rec.done(time.Since(fl.due))
			close(fl.done)
		}
	}
}

// nextDecision decides a workflow from its history, and reports whether
// the decision closes it.
func (e *env) nextDecision(events []types.HistoryEvent, id string) ([]types.Decision, bool) {
	scheduled := false
	for _, ev := range events {
		switch {
		case ev.ActivityTaskCompletedEventAttributes != nil:
			return []types.Decision{complete()}, true
		case ev.ActivityTaskScheduledEventAttributes != nil:
			scheduled = true
		}
	}
	if scheduled {
		// The activity is still running (this task came from something
		// else, which this workflow never does): nothing to decide yet.
		return nil, false
	}
	return []types.Decision{e.schedule(id + "-activity")}, false
}

// worker runs the run's activity tasks until stop ends or it has polled
// maxPolls times.
func (e *env) worker(ctx, stop context.Context, rec *recorder, maxPolls int64) {
	for range maxPolls {
		if stop.Err() != nil {
			return
		}
		t0 := time.Now()
		task, err := e.pollActivity(stop)
		if err != nil {
			if rec.fail(opPollActivity, err) {
				pause(stop)
			}
			continue
		}
		if task.TaskToken == nil {
			rec.empty(opPollActivity)
			continue
		}
		rec.ok(opPollActivity, time.Since(t0))
		_ = rec.call(opRespondActivity, func() error {
			_, err := e.client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{
				TaskToken: task.TaskToken, Result: aws.String("done")})
			return err
		})
	}
}
