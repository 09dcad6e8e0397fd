package bench

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
)

// activitiesPerWorkflow is how many activities the dispatch driver schedules
// in one workflow before it completes it and starts another, so that the
// histories the driver's polls load stay small.
const activitiesPerWorkflow = 100

// dispatchClock pairs, per activity, the moment its schedule was
// acknowledged with the moment a poller received it. Both happen in this
// process, so one clock times them; either may come first.
type dispatchClock struct {
	rec *recorder

	mu       sync.Mutex // guards the fields below
	replied  map[string]time.Time
	received map[string]time.Time
	// early counts tasks received before the reply to their scheduling
	// decision arrived.
	early int64
}

// mark notes that activity id reached side (replied or received) at t, and
// records the dispatch when both sides have.
func (c *dispatchClock) mark(id string, replied bool, t time.Time) {
	c.mu.Lock()
	mine, other := c.received, c.replied
	if replied {
		mine, other = c.replied, c.received
	}
	then, ok := other[id]
	if !ok {
		mine[id] = t
		c.mu.Unlock()
		return
	}
	delete(other, id)
	sent, got := then, t
	if replied {
		sent, got = t, then
	}
	// The poller can receive the task before the decider has the reply (the
	// server wakes pollers as it commits, before its answer arrives): then
	// the task waited no time after the reply.
	d := got.Sub(sent)
	if d < 0 {
		c.early++
		d = 0
	}
	c.mu.Unlock()
	c.rec.done(d)
}

// runDispatch measures how soon a waiting poller receives a task once it is
// scheduled: cfg.Concurrency pollers wait on the activity task list while
// one driver schedules activities one at a time, through decisions, and
// each activity's time from the RespondDecisionTaskCompleted reply to a
// poller receiving it is recorded.
func runDispatch(ctx context.Context, cfg Config) (Result, error) {
	e, err := newEnv(ctx, cfg, cfg.Concurrency+1)
	if err != nil {
		return Result{}, err
	}
	stop, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	rec := newRecorder(stop, cfg)
	b := newBudget(cfg.maxUnits())
	clk := &dispatchClock{rec: rec, replied: make(map[string]time.Time), received: make(map[string]time.Time)}
	start := time.Now()

	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Go(func() { e.dispatchPoller(ctx, stop, rec, clk, b.limit) })
	}
	var open []string
	wg.Go(func() { open = e.drive(ctx, stop, rec, clk, units(stop, cfg, start, b), b) })
	wg.Wait()
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	e.terminate(ctx, open)
	clk.mu.Lock()
	cfg.logger().Info("bench: dispatches received before the reply to their decision (counted as 0)", "count", clk.early)
	clk.mu.Unlock()
	return rec.result(cfg, "dispatches", elapsed), nil
}

// dispatchPoller waits for activity tasks, notes when each arrives, and
// completes it, which hands the driver its next decision task.
func (e *env) dispatchPoller(ctx, stop context.Context, rec *recorder, clk *dispatchClock, maxPolls int64) {
	for range maxPolls {
		if stop.Err() != nil {
			return
		}
		t0 := time.Now()
		task, err := e.pollActivity(stop)
		got := time.Now()
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
		rec.ok(opPollActivity, got.Sub(t0))
		clk.mark(aws.ToString(task.ActivityId), false, got)
		_ = rec.call(opRespondActivity, func() error {
			_, err := e.client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{
				TaskToken: task.TaskToken, Result: aws.String("done")})
			return err
		})
	}
}

// drive schedules one activity at a time until stop ends or the budget is
// spent: it starts a workflow, answers its decision tasks with one
// ScheduleActivityTask each, and after activitiesPerWorkflow of them
// completes it and starts the next. A workflow whose decision failed is
// left and another started. It returns the workflows it left open.
func (e *env) drive(ctx, stop context.Context, rec *recorder, clk *dispatchClock, due <-chan time.Time, b *budget) []string {
	var open []string
	for n := int64(0); n < b.limit && stop.Err() == nil; n++ {
		id := e.workflowID(n)
		if err := rec.call(opStart, func() error { _, err := e.start(stop, id); return err }); err != nil {
			pause(stop)
			continue
		}
		if !e.driveWorkflow(ctx, stop, rec, clk, due, b, id) {
			open = append(open, id)
		}
	}
	return open
}

// driveWorkflow schedules the activities of workflow id and completes it. It
// reports false when it left the workflow open: the run ended first, or a
// decision failed.
func (e *env) driveWorkflow(ctx, stop context.Context, rec *recorder, clk *dispatchClock, due <-chan time.Time, b *budget, id string) bool {
	for k := 0; ; k++ {
		token := e.nextDecisionTask(stop, rec, b.limit)
		if token == nil {
			return false
		}
		if k == activitiesPerWorkflow {
			return rec.call(opRespondDecision, func() error { return e.decide(ctx, token, complete()) }) == nil
		}
		if _, ok := next(stop, due, b); !ok {
			return false
		}
		activity := id + "-" + strconv.Itoa(k)
		var replied time.Time
		err := rec.call(opRespondDecision, func() error {
			err := e.decide(ctx, token, e.schedule(activity))
			replied = time.Now()
			return err
		})
		if err != nil {
			return false
		}
		clk.mark(activity, true, replied)
	}
}

// nextDecisionTask waits for the run's next decision task, polling at most
// maxPolls times, and returns its token, or nil when the run ended first.
func (e *env) nextDecisionTask(stop context.Context, rec *recorder, maxPolls int64) *string {
	for range maxPolls {
		if stop.Err() != nil {
			return nil
		}
		t0 := time.Now()
		task, err := e.pollDecision(stop, false)
		switch {
		case err != nil:
			if rec.fail(opPollDecision, err) {
				pause(stop)
			}
		case task.TaskToken == nil:
			rec.empty(opPollDecision)
		default:
			rec.ok(opPollDecision, time.Since(t0))
			return task.TaskToken
		}
	}
	return nil
}
