package swftest_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/swftest"
	"github.com/openswf/openswf/worker"
)

// The decider and the worker below are the README's example, verbatim: keep
// them in step.

// decider schedules one "greet" activity, then completes the workflow with
// its result. It decides from the history alone, as a decider must.
func decider(ctx context.Context, c *swf.Client) error {
	d, err := worker.NewDecider(c, worker.Options{Domain: "demo", TaskList: "deciders"},
		func(ctx context.Context, t *worker.DecisionTask) ([]types.Decision, error) {
			greet := t.Activities()["greet-1"]
			switch {
			case greet == nil:
				return []types.Decision{worker.ScheduleActivity("greet-1", "greet", "1", "world")}, nil
			case greet.Status == worker.StatusCompleted:
				return []types.Decision{worker.CompleteWorkflow(greet.Result)}, nil
			case greet.Status.Closed():
				return []types.Decision{worker.FailWorkflow("greet "+string(greet.Status), greet.Reason)}, nil
			}
			return nil, nil // greet is still running
		})
	if err != nil {
		return err
	}
	return d.Run(ctx)
}

// activityWorker runs "greet" activities, at most 8 at once.
func activityWorker(ctx context.Context, c *swf.Client) error {
	w, err := worker.NewActivityWorker(c, worker.Options{Domain: "demo", TaskList: "workers", Concurrency: 8})
	if err != nil {
		return err
	}
	err = w.Register(worker.Activity{Name: "greet", Version: "1",
		Func: func(ctx context.Context, t *worker.ActivityTask) (string, error) {
			t.Progress("greeting") // sent with the next heartbeat
			return "hello, " + t.Input, nil
		}})
	if err != nil {
		return err
	}
	return w.Run(ctx) // until ctx is cancelled; then drains and answers what it took
}

func TestReadmeExample(t *testing.T) {
	s := swftest.Start(t, swftest.Options{Clock: clock.Real{}, LongPoll: time.Second})
	c := s.Client
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	steps := []func() error{
		func() error {
			_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("demo"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
			return err
		},
		func() error {
			_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("demo"), Name: aws.String("hello"), Version: aws.String("1"),
				DefaultTaskList: &types.TaskList{Name: aws.String("deciders")}, DefaultChildPolicy: types.ChildPolicyTerminate,
				DefaultTaskStartToCloseTimeout: aws.String("30"), DefaultExecutionStartToCloseTimeout: aws.String("300")})
			return err
		},
		func() error {
			_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("demo"), Name: aws.String("greet"), Version: aws.String("1"),
				DefaultTaskList: &types.TaskList{Name: aws.String("workers")}, DefaultTaskStartToCloseTimeout: aws.String("30"),
				DefaultTaskScheduleToStartTimeout: aws.String("60"), DefaultTaskScheduleToCloseTimeout: aws.String("90"), DefaultTaskHeartbeatTimeout: aws.String("NONE")})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	run, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("demo"), WorkflowId: aws.String("hello-1"),
		WorkflowType: &types.WorkflowType{Name: aws.String("hello"), Version: aws.String("1")}})
	if err != nil {
		t.Fatal(err)
	}
	workCtx, stop := context.WithCancel(ctx)
	errs := make(chan error, 2)
	go func() { errs <- decider(workCtx, c) }()
	go func() { errs <- activityWorker(workCtx, c) }()
	ex := &types.WorkflowExecution{WorkflowId: aws.String("hello-1"), RunId: run.RunId}
	for {
		out, err := c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String("demo"), Execution: ex})
		if err != nil {
			t.Fatal(err)
		}
		if out.ExecutionInfo.ExecutionStatus == types.ExecutionStatusClosed {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	for range 2 {
		if err := <-errs; err != nil && workCtx.Err() == nil {
			t.Fatal(err)
		}
	}
	h, err := c.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String("demo"), Execution: ex, ReverseOrder: true, MaximumPageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r := h.Events[0].WorkflowExecutionCompletedEventAttributes; r == nil || aws.ToString(r.Result) != "hello, world" {
		t.Fatalf("last event %+v", h.Events[0])
	}
}
