package worker_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/worker"
)

// A workflow of one activity: the decider schedules "greet", the worker
// runs it, the decider completes the workflow with its result.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // stops the worker and the decider

	// A client of openswf: `openswf serve` listens on http://127.0.0.1:7930
	// (here, endpoint is a test server's).
	client := swf.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")},
		func(o *swf.Options) { o.BaseEndpoint = aws.String(endpoint) })
	register(ctx, client, "demo") // the domain, hello/1 (on "deciders") and greet/1 (on "workers")

	w, err := worker.NewActivityWorker(client, worker.Options{Domain: "demo", TaskList: "workers", Concurrency: 4})
	if err != nil {
		panic(err)
	}
	err = w.Register(worker.Activity{Name: "greet", Version: "1", Func: func(ctx context.Context, t *worker.ActivityTask) (string, error) {
		t.Progress("looking for words") // sent with the next heartbeat
		return "hello, " + t.Input, nil
	}})
	if err != nil {
		panic(err)
	}
	d, err := worker.NewDecider(client, worker.Options{Domain: "demo", TaskList: "deciders"},
		func(ctx context.Context, t *worker.DecisionTask) ([]types.Decision, error) {
			greet := t.Activities()["greet"]
			switch {
			case greet == nil:
				return []types.Decision{worker.ScheduleActivity("greet", "greet", "1", t.Input())}, nil
			case greet.Status == worker.StatusCompleted:
				return []types.Decision{worker.CompleteWorkflow(greet.Result)}, nil
			case greet.Status.Closed():
				return []types.Decision{worker.FailWorkflow("greet "+string(greet.Status), greet.Reason)}, nil
			}
			return nil, nil // still running
		})
	if err != nil {
		panic(err)
	}
	go w.Run(ctx)
	go d.Run(ctx)

	run, err := client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("demo"), WorkflowId: aws.String("hello-1"),
		WorkflowType: &types.WorkflowType{Name: aws.String("hello"), Version: aws.String("1")}, Input: aws.String("world")})
	if err != nil {
		panic(err)
	}
	fmt.Println(result(ctx, client, "demo", types.WorkflowExecution{WorkflowId: aws.String("hello-1"), RunId: run.RunId}))
	// Output: hello, world
}

// An activity that reports its progress while it works, and stops when
// its context is cancelled: a cancel requested by the decider, a timed-out
// task, or a worker shutting down. The worker heartbeats for it on its own.
func ExampleActivityWorker() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := swf.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")},
		func(o *swf.Options) { o.BaseEndpoint = aws.String(endpoint) })
	register(ctx, client, "progress")

	w, err := worker.NewActivityWorker(client, worker.Options{
		Domain: "progress", TaskList: "workers",
		Concurrency:  8,                // tasks at once; no poll while all 8 run
		DrainTimeout: 10 * time.Second, // on ctx's end, how long running tasks may go on
		Logger:       slog.Default(),
	})
	if err != nil {
		panic(err)
	}
	err = w.Register(worker.Activity{Name: "greet", Version: "1", Func: func(ctx context.Context, t *worker.ActivityTask) (string, error) {
		for step := range 3 {
			select {
			case <-ctx.Done():
				// Returning the context's error after a cancel request
				// answers RespondActivityTaskCanceled.
				return "", ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
			t.Progress(fmt.Sprintf("step %d of 3", step+1))
		}
		if t.Input == "" {
			return "", &worker.ActivityError{Reason: "no input", Details: "greet needs a name"}
		}
		return "hello, " + t.Input, nil
	}})
	if err != nil {
		panic(err)
	}
	go w.Run(ctx)

	// A decider that schedules greet with a heartbeat timeout of its choice
	// (the worker then heartbeats every 10 s).
	d, err := worker.NewDecider(client, worker.Options{Domain: "progress", TaskList: "deciders"},
		func(ctx context.Context, t *worker.DecisionTask) ([]types.Decision, error) {
			if a := t.Activities()["greet"]; a != nil {
				if a.Status.Closed() {
					return []types.Decision{worker.CompleteWorkflow(string(a.Status) + ": " + a.Result)}, nil
				}
				return nil, nil
			}
			s := worker.ScheduleActivity("greet", "greet", "1", t.Input())
			s.ScheduleActivityTaskDecisionAttributes.HeartbeatTimeout = aws.String("30")
			return []types.Decision{s}, nil
		})
	if err != nil {
		panic(err)
	}
	go d.Run(ctx)

	run, err := client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("progress"), WorkflowId: aws.String("p-1"),
		WorkflowType: &types.WorkflowType{Name: aws.String("hello"), Version: aws.String("1")}, Input: aws.String("progress")})
	if err != nil {
		panic(err)
	}
	fmt.Println(result(ctx, client, "progress", types.WorkflowExecution{WorkflowId: aws.String("p-1"), RunId: run.RunId}))
	// Output: Completed: hello, progress
}

// A replay-safe decider: it decides from the history alone, never from
// its own memory, the clock or a random number, so that any decider, at
// any time, makes the same decisions from the same history. This one runs
// "greet" and, when it fails, tries again after a timer, up to three
// attempts.
func ExampleDecider() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := swf.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")},
		func(o *swf.Options) { o.BaseEndpoint = aws.String(endpoint) })
	register(ctx, client, "retries")

	decide := func(ctx context.Context, t *worker.DecisionTask) ([]types.Decision, error) {
		// Which attempt is this? The history knows: count the attempts
		// scheduled (ids greet-1, greet-2, …).
		acts, timers := t.Activities(), t.Timers()
		attempt := 0
		for attempt < 3 && acts["greet-"+strconv.Itoa(attempt+1)] != nil {
			attempt++
		}
		if attempt == 0 {
			return []types.Decision{worker.ScheduleActivity("greet-1", "greet", "1", t.Input())}, nil
		}
		last := acts["greet-"+strconv.Itoa(attempt)]
		switch {
		case last.Status == worker.StatusCompleted:
			return []types.Decision{worker.CompleteWorkflow(fmt.Sprintf("%s (attempt %d)", last.Result, attempt))}, nil
		case !last.Status.Closed():
			return nil, nil
		case attempt == 3:
			return []types.Decision{worker.FailWorkflow("greet failed 3 times", last.Reason)}, nil
		}
		// The last attempt failed: wait a little, then try again.
		timer := "retry-" + strconv.Itoa(attempt)
		switch tm := timers[timer]; {
		case tm == nil:
			return []types.Decision{worker.StartTimer(timer, time.Second)}, nil
		case tm.Status == worker.StatusFired:
			return []types.Decision{worker.ScheduleActivity("greet-"+strconv.Itoa(attempt+1), "greet", "1", t.Input())}, nil
		}
		return nil, nil
	}
	d, err := worker.NewDecider(client, worker.Options{Domain: "retries", TaskList: "deciders"}, decide)
	if err != nil {
		panic(err)
	}
	go d.Run(ctx)

	// A flaky activity: it fails its first attempt.
	w, err := worker.NewActivityWorker(client, worker.Options{Domain: "retries", TaskList: "workers"})
	if err != nil {
		panic(err)
	}
	err = w.Register(worker.Activity{Name: "greet", Version: "1", Func: func(ctx context.Context, t *worker.ActivityTask) (string, error) {
		if t.ActivityID == "greet-1" {
			return "", errors.New("the network hiccuped")
		}
		return "hello, " + t.Input, nil
	}})
	if err != nil {
		panic(err)
	}
	go w.Run(ctx)

	run, err := client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("retries"), WorkflowId: aws.String("r-1"),
		WorkflowType: &types.WorkflowType{Name: aws.String("hello"), Version: aws.String("1")}, Input: aws.String("again")})
	if err != nil {
		panic(err)
	}
	fmt.Println(result(ctx, client, "retries", types.WorkflowExecution{WorkflowId: aws.String("r-1"), RunId: run.RunId}))
	// Output: hello, again (attempt 2)
}

// Decisions are built with every required field set; optional ones are
// set on the attributes.
func ExampleScheduleActivity() {
	d := worker.ScheduleActivity("charge-42", "charge-card", "1", `{"order": 42}`)
	a := d.ScheduleActivityTaskDecisionAttributes
	a.TaskList = &types.TaskList{Name: aws.String("payments")}
	a.StartToCloseTimeout = aws.String("300")
	fmt.Println(d.DecisionType, *a.ActivityId, *a.ActivityType.Name, *a.ActivityType.Version, *a.Input, *a.TaskList.Name)
	// Output: ScheduleActivityTask charge-42 charge-card 1 {"order": 42} payments
}

// register registers the domain and the types the examples use, once.
func register(ctx context.Context, c *swf.Client, domain string) {
	if _, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(domain), WorkflowExecutionRetentionPeriodInDays: aws.String("1")}); err != nil {
		panic(err)
	}
	if _, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String(domain), Name: aws.String("hello"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("deciders")}, DefaultChildPolicy: types.ChildPolicyTerminate,
		DefaultTaskStartToCloseTimeout: aws.String("10"), DefaultExecutionStartToCloseTimeout: aws.String("60")}); err != nil {
		panic(err)
	}
	if _, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String(domain), Name: aws.String("greet"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("workers")}, DefaultTaskStartToCloseTimeout: aws.String("30"),
		DefaultTaskScheduleToStartTimeout: aws.String("30"), DefaultTaskScheduleToCloseTimeout: aws.String("60"), DefaultTaskHeartbeatTimeout: aws.String("10")}); err != nil {
		panic(err)
	}
}

// result waits for the run to close and returns its result (or how it
// closed).
func result(ctx context.Context, c *swf.Client, domain string, ex types.WorkflowExecution) string {
	for {
		h, err := c.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(domain), Execution: &ex, ReverseOrder: true, MaximumPageSize: 1})
		if err != nil {
			panic(err)
		}
		switch last := h.Events[0]; {
		case last.WorkflowExecutionCompletedEventAttributes != nil:
			return aws.ToString(last.WorkflowExecutionCompletedEventAttributes.Result)
		case last.WorkflowExecutionFailedEventAttributes != nil:
			return "failed: " + aws.ToString(last.WorkflowExecutionFailedEventAttributes.Reason)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
