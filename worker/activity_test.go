package worker_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/worker"
)

func TestHeartbeatInterval(t *testing.T) {
	for _, c := range []struct{ timeout, want time.Duration }{
		{0, 0},
		{time.Second, 500 * time.Millisecond},
		{2 * time.Second, time.Second},
		{3 * time.Second, time.Second},
		{30 * time.Second, 10 * time.Second},
		{time.Hour, 20 * time.Minute},
	} {
		if got := worker.HeartbeatInterval(c.timeout); got != c.want {
			t.Errorf("HeartbeatInterval(%v) = %v, want %v", c.timeout, got, c.want)
		}
	}
}

// The worker heartbeats on its own, at a third of the heartbeat timeout,
// counted by the server: a function that reports progress thousands of
// times costs one heartbeat per interval, carrying the latest details.
func TestHeartbeatsPacedAndCoalesced(t *testing.T) {
	e := newEnv(t, envOptions{heartbeatTimeout: "3"})
	e.runDecider(oneActivity)
	var reports atomic.Int64
	type seen struct{ timeout, interval time.Duration }
	seenc := make(chan seen, 1)
	var began time.Time
	e.runWorker(e.options("acts"), func(ctx context.Context, task *worker.ActivityTask) (string, error) {
		began = time.Now()
		seenc <- seen{task.HeartbeatTimeout, task.HeartbeatInterval}
		for time.Since(began) < 4500*time.Millisecond {
			n := reports.Add(1)
			task.Progress(strconv.FormatInt(n, 10))
			time.Sleep(time.Millisecond)
		}
		return "done", nil
	})
	ex := e.start("paced", "x")
	done := e.waitFor(ex, types.EventTypeWorkflowExecutionCompleted, 20*time.Second)
	if r := aws.ToString(done.WorkflowExecutionCompletedEventAttributes.Result); r != "a0=Completed:done" {
		t.Fatalf("result %q", r)
	}
	if s := <-seenc; s.timeout != 3*time.Second || s.interval != time.Second {
		t.Fatalf("task saw heartbeat timeout %v, interval %v; want 3s, 1s", s.timeout, s.interval)
	}
	beats := e.rec.of("RecordActivityTaskHeartbeat", "")
	t.Logf("%d progress reports, %d heartbeats", reports.Load(), len(beats))
	// 4.5 s at 1 s: 4 heartbeats; one either way for scheduling jitter.
	if len(beats) < 3 || len(beats) > 5 {
		t.Fatalf("%d heartbeats in 4.5 s at a 1 s interval", len(beats))
	}
	prev, last := began, int64(0)
	for i, b := range beats {
		gap := b.at.Sub(prev)
		// Neither flooding nor late: well apart, and well inside the 3 s
		// timeout (the bounds leave room for a loaded CI machine).
		if gap < 500*time.Millisecond || gap > 2*time.Second {
			t.Errorf("heartbeat %d came %v after the previous one (interval 1 s, timeout 3 s)", i, gap)
		}
		prev = b.at
		d, err := strconv.ParseInt(aws.ToString(b.in.(*swfapi.RecordActivityTaskHeartbeatInput).Details), 10, 64)
		if err != nil || d <= last {
			t.Errorf("heartbeat %d details %d after %d: want the latest report, growing", i, d, last)
		}
		last = d
	}
	if reports.Load() < 10*int64(len(beats)) {
		t.Fatalf("only %d reports: the coalescing was not exercised", reports.Load())
	}
}

// The heartbeat timeout a decider sets when scheduling wins over the
// type's default: the worker reads it from the ActivityTaskScheduled event.
func TestHeartbeatTimeoutFromScheduledEvent(t *testing.T) {
	t.Parallel() // not timing-sensitive: runs beside the others
	e := newEnv(t, envOptions{heartbeatTimeout: "NONE"})
	e.runDecider(func(ctx context.Context, task *worker.DecisionTask) ([]types.Decision, error) {
		if a := task.Activities()["a0"]; a != nil {
			if a.Status.Closed() {
				return []types.Decision{worker.CompleteWorkflow(a.Result)}, nil
			}
			return nil, nil
		}
		d := worker.ScheduleActivity("a0", "act", "1", "")
		d.ScheduleActivityTaskDecisionAttributes.HeartbeatTimeout = aws.String("6")
		return []types.Decision{d}, nil
	})
	e.runWorker(e.options("acts"), func(ctx context.Context, task *worker.ActivityTask) (string, error) {
		return fmt.Sprint(task.HeartbeatTimeout, " ", task.HeartbeatInterval), nil
	})
	ex := e.start("scheduled", "")
	done := e.waitFor(ex, types.EventTypeWorkflowExecutionCompleted, 10*time.Second)
	if r := aws.ToString(done.WorkflowExecutionCompletedEventAttributes.Result); r != "6s 2s" {
		t.Fatalf("the task saw %q, want 6s 2s", r)
	}
}

// A worker not allowed to read histories takes the type's default
// heartbeat timeout, described once per type; one not allowed to describe
// types either heartbeats every 10 s. A refused call is not tried again.
func TestTimeoutsWithoutHistoryAccess(t *testing.T) {
	t.Parallel() // not timing-sensitive: runs beside the others
	for _, c := range []struct {
		deny []string
		want string
	}{
		{[]string{"GetWorkflowExecutionHistory"}, "3s 1s"},
		{[]string{"GetWorkflowExecutionHistory", "DescribeActivityType"}, "0s 10s"},
	} {
		t.Run(strings.Join(c.deny, ","), func(t *testing.T) {
			e := newEnv(t, envOptions{heartbeatTimeout: "3"})
			e.rec.deny = map[string]bool{}
			for _, op := range c.deny {
				e.rec.deny[op] = true
			}
			e.runDecider(oneActivity)
			seen := make(chan string, 2)
			e.runWorker(e.options("acts"), func(ctx context.Context, task *worker.ActivityTask) (string, error) {
				seen <- fmt.Sprint(task.HeartbeatTimeout, " ", task.HeartbeatInterval)
				return "", nil
			})
			e.start("described", "1\n2")
			for range 2 {
				if s := <-seen; s != c.want {
					t.Fatalf("the task saw %q, want %q", s, c.want)
				}
			}
			if n, m := len(e.rec.of("GetWorkflowExecutionHistory", "")), len(e.rec.of("DescribeActivityType", "")); n != 1 || m != 1 {
				t.Fatalf("%d history reads and %d type descriptions for 2 tasks; want 1 and 1", n, m)
			}
		})
	}
}

// A cancel request reaches the function within one heartbeat interval of
// the decider's RequestCancelActivityTask, and the function returning its
// context's error answers RespondActivityTaskCanceled with the last details.
func TestCancelReachesFunction(t *testing.T) {
	e := newEnv(t, envOptions{heartbeatTimeout: "3"}) // interval 1 s
	e.runDecider(oneActivity)
	running := make(chan struct{})
	cancelled := make(chan time.Time, 1)
	causes := make(chan error, 1)
	e.runWorker(e.options("acts"), func(ctx context.Context, task *worker.ActivityTask) (string, error) {
		task.Progress("half way")
		close(running)
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Second):
			return "never cancelled", nil
		}
		cancelled <- time.Now()
		causes <- context.Cause(ctx)
		return "", ctx.Err()
	})
	ex := e.start("cancel", "x")
	<-running
	time.Sleep(300 * time.Millisecond) // off the heartbeat's beat
	if _, err := e.c.SignalWorkflowExecution(context.Background(), &swf.SignalWorkflowExecutionInput{Domain: aws.String("d"), WorkflowId: ex.WorkflowId, SignalName: aws.String("cancel")}); err != nil {
		t.Fatal(err)
	}
	done := e.waitFor(ex, types.EventTypeWorkflowExecutionCompleted, 20*time.Second)
	if r := aws.ToString(done.WorkflowExecutionCompletedEventAttributes.Result); r != "a0=Canceled:half way" {
		t.Fatalf("result %q", r)
	}
	if cause := <-causes; !errors.Is(cause, worker.ErrCancelRequested) {
		t.Fatalf("cause %v", cause)
	}
	// When the decision asking for the cancel reached the server.
	var asked time.Time
	for _, c := range e.rec.of("RespondDecisionTaskCompleted", "") {
		for _, d := range c.in.(*swfapi.RespondDecisionTaskCompletedInput).Decisions {
			if d.DecisionType != nil && *d.DecisionType == swfapi.DecisionTypeRequestCancelActivityTask {
				asked = c.at
			}
		}
	}
	lag := (<-cancelled).Sub(asked)
	t.Logf("the function saw the cancel %v after it was asked", lag)
	if asked.IsZero() || lag > 1500*time.Millisecond {
		t.Fatalf("cancel reached the function %v after it was asked; the interval is 1 s", lag)
	}
}

// A task that times out (its heartbeats refused until the server times it
// out) has its function's context cancelled at the next heartbeat, which
// hears UnknownResourceFault, and gets no answer.
func TestTimedOutTaskStopsFunction(t *testing.T) {
	e := newEnv(t, envOptions{heartbeatTimeout: "2"}) // interval 1 s
	e.runDecider(oneActivity)
	running := make(chan string, 1)
	stopped := make(chan error, 1)
	e.runWorker(e.options("acts"), func(ctx context.Context, task *worker.ActivityTask) (string, error) {
		task.Progress("last words")
		running <- task.Token
		select {
		case <-ctx.Done():
			stopped <- context.Cause(ctx)
			return "", ctx.Err()
		case <-time.After(20 * time.Second):
			stopped <- nil
			return "never stopped", nil
		}
	})
	e.rec.block(true) // every heartbeat answers ThrottlingException
	ex := e.start("timeout", "x")
	token := <-running
	timedOut := e.waitFor(ex, types.EventTypeActivityTaskTimedOut, 10*time.Second)
	if a := timedOut.ActivityTaskTimedOutEventAttributes; a.TimeoutType != types.ActivityTaskTimeoutTypeHeartbeat {
		t.Fatalf("timed out: %+v", a)
	}
	e.rec.block(false)
	unblocked := time.Now()
	select {
	case cause := <-stopped:
		if !errors.Is(cause, worker.ErrTaskGone) {
			t.Fatalf("cause %v", cause)
		}
		t.Logf("the function stopped %v after heartbeats went through again", time.Since(unblocked))
		if time.Since(unblocked) > 2*time.Second {
			t.Fatalf("the function stopped %v after heartbeats went through again (interval 1 s)", time.Since(unblocked))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the function was not stopped")
	}
	// The refused heartbeats were retried within the timeout, not given up
	// at the first refusal.
	if n := len(e.rec.of("RecordActivityTaskHeartbeat", token)); n < 3 {
		t.Errorf("%d heartbeat attempts", n)
	}
	time.Sleep(500 * time.Millisecond) // an answer, if one were sent, would be in by now
	for _, op := range []string{"RespondActivityTaskCompleted", "RespondActivityTaskFailed", "RespondActivityTaskCanceled"} {
		if calls := e.rec.of(op, token); len(calls) != 0 {
			t.Errorf("%s sent for a task SWF no longer knows", op)
		}
	}
}

// A task past its start-to-close timeout has its function's context
// cancelled even without heartbeats, and gets no answer.
func TestStartToCloseStopsFunction(t *testing.T) {
	e := newEnv(t, envOptions{heartbeatTimeout: "NONE", startToCloseTimeout: "1"})
	e.runDecider(oneActivity)
	stopped := make(chan error, 1)
	var began time.Time
	e.runWorker(e.options("acts"), func(ctx context.Context, task *worker.ActivityTask) (string, error) {
		began = time.Now()
		select {
		case <-ctx.Done():
			stopped <- context.Cause(ctx)
			return "", ctx.Err()
		case <-time.After(10 * time.Second):
			stopped <- nil
			return "never stopped", nil
		}
	})
	ex := e.start("start-to-close", "x")
	cause := <-stopped
	if !errors.Is(cause, worker.ErrTaskGone) {
		t.Fatalf("cause %v", cause)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Fatalf("stopped %v after it began; the timeout is 1 s", d)
	}
	timedOut := e.waitFor(ex, types.EventTypeActivityTaskTimedOut, 5*time.Second)
	if tt := timedOut.ActivityTaskTimedOutEventAttributes.TimeoutType; tt != types.ActivityTaskTimeoutTypeStartToClose {
		t.Fatalf("timed out %s", tt)
	}
	time.Sleep(200 * time.Millisecond)
	for _, op := range []string{"RespondActivityTaskCompleted", "RespondActivityTaskFailed", "RespondActivityTaskCanceled"} {
		if calls := e.rec.of(op, ""); len(calls) != 0 {
			t.Errorf("%s sent for a task past its timeout", op)
		}
	}
}

// A panic in the function fails the task with reason "panic", the message
// and the stack; the worker goes on with the next task.
func TestPanicIsFailure(t *testing.T) {
	t.Parallel() // not timing-sensitive: runs beside the others
	e := newEnv(t, envOptions{})
	e.runDecider(oneActivity)
	e.runWorker(e.options("acts"), func(ctx context.Context, task *worker.ActivityTask) (string, error) {
		if task.Input == "panic" {
			panic("boom")
		}
		return "fine", nil
	})
	ex := e.start("panic", "panic\nok")
	done := e.waitFor(ex, types.EventTypeWorkflowExecutionCompleted, 10*time.Second)
	r := aws.ToString(done.WorkflowExecutionCompletedEventAttributes.Result)
	if !strings.HasPrefix(r, "a0=Failed:panicboom\n") || !strings.Contains(r, "goroutine") || !strings.HasSuffix(r, "a1=Completed:fine") {
		t.Fatalf("result %q", r)
	}
}

// Errors become failures: an *ActivityError with its reason and details,
// another error with its text; results and reasons over SWF's limits are
// cut (on a character boundary) and the cut logged.
func TestErrorsAndLimits(t *testing.T) {
	t.Parallel() // not timing-sensitive: runs beside the others
	e := newEnv(t, envOptions{})
	e.runDecider(oneActivity)
	logs := &capture{next: tWriter{t}}
	o := e.options("acts")
	o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	e.runWorker(o, func(ctx context.Context, task *worker.ActivityTask) (string, error) {
		switch task.Input {
		case "typed":
			return "", &worker.ActivityError{Reason: "card declined", Details: "insufficient funds"}
		case "plain":
			return "", errors.New(strings.Repeat("é", 300))
		default:
			return strings.Repeat("ü", 40000), nil
		}
	})
	ex := e.start("errors", "typed\nplain\nbig")
	e.waitFor(ex, types.EventTypeWorkflowExecutionCompleted, 10*time.Second)
	for _, ev := range e.history(ex) {
		switch {
		case ev.ActivityTaskFailedEventAttributes != nil:
			a := ev.ActivityTaskFailedEventAttributes
			reason, details := aws.ToString(a.Reason), aws.ToString(a.Details)
			if reason == "card declined" {
				if details != "insufficient funds" {
					t.Errorf("details %q", details)
				}
				continue
			}
			if reason != strings.Repeat("é", 256) || details != strings.Repeat("é", 300) {
				t.Errorf("plain error failed with reason of %d runes, details of %d", len([]rune(reason)), len([]rune(details)))
			}
		case ev.ActivityTaskCompletedEventAttributes != nil:
			if r := aws.ToString(ev.ActivityTaskCompletedEventAttributes.Result); r != strings.Repeat("ü", 32768) {
				t.Errorf("result of %d runes", len([]rune(r)))
			}
		}
	}
	if !logs.contains("cut to SWF's limit") {
		t.Error("the cut result was not logged")
	}
}

// Cancelling Run stops polling, lets running functions finish until the
// drain timeout, then cancels the rest; every task taken is answered
// exactly once, including one an in-flight poll brings after the
// cancellation.
func TestGracefulShutdownLosesNoTask(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.runDecider(oneActivity)
	o := e.options("acts")
	o.Concurrency = 4
	o.Pollers = 2
	o.DrainTimeout = time.Second
	var mu sync.Mutex
	started := map[string]bool{}
	three := make(chan struct{})
	stop := e.runWorker(o, func(ctx context.Context, task *worker.ActivityTask) (string, error) {
		mu.Lock()
		started[task.ActivityID] = true
		if len(started) == 3 {
			close(three)
		}
		mu.Unlock()
		d, _ := time.ParseDuration(task.Input)
		select {
		case <-time.After(d):
			return "finished", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	})
	// Two that finish within the drain timeout, one that does not.
	ex := e.start("drain", "300ms\n400ms\n30s")
	<-three
	// A fourth slot is free: its poll is in flight. Cancel, then give that
	// poll a task.
	cancelled := time.Now()
	go func() {
		time.Sleep(50 * time.Millisecond)
		e.start("late", "200ms")
	}()
	stop()
	took := time.Since(cancelled)
	t.Logf("Run returned %v after its context was cancelled", took)
	if took > 4*time.Second {
		t.Errorf("shutdown took %v with a drain timeout of 1 s and a long poll of 1 s", took)
	}
	handed := e.rec.of("PollForActivityTask", "")
	n := 0
	for _, p := range handed {
		if p.token == "" {
			continue
		}
		n++
		var answers []string
		for _, op := range []string{"RespondActivityTaskCompleted", "RespondActivityTaskFailed", "RespondActivityTaskCanceled"} {
			for _, c := range e.rec.of(op, p.token) {
				if c.err == nil {
					answers = append(answers, op)
				}
			}
		}
		if len(answers) != 1 {
			t.Errorf("a task taken got answers %v", answers)
		}
	}
	t.Logf("%d tasks taken, each answered once", n)
	if n < 3 {
		t.Fatalf("%d tasks taken", n)
	}
	done := e.waitFor(ex, types.EventTypeWorkflowExecutionCompleted, 10*time.Second)
	r := aws.ToString(done.WorkflowExecutionCompletedEventAttributes.Result)
	want := "a0=Completed:finished\na1=Completed:finished\na2=Failed:worker shutting down"
	if !strings.HasPrefix(r, want) {
		t.Fatalf("result %q, want %q…", r, want)
	}
}
