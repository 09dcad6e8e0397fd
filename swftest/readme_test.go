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
)

// The decider and the worker below are the README's example, verbatim: keep
// them in step.

// decider schedules one "greet" activity, then completes the workflow with
// its result.
func decider(ctx context.Context, c *swf.Client) error {
	for ctx.Err() == nil {
		task, err := c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{
			Domain: aws.String("demo"), TaskList: &types.TaskList{Name: aws.String("deciders")}})
		if err != nil || task.TaskToken == nil {
			continue // no task within the long poll
		}
		decision := types.Decision{
			DecisionType: types.DecisionTypeScheduleActivityTask,
			ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{
				ActivityType: &types.ActivityType{Name: aws.String("greet"), Version: aws.String("1")},
				ActivityId:   aws.String("greet-1"),
				Input:        aws.String("world"),
			}}
		for _, e := range task.Events {
			if done := e.ActivityTaskCompletedEventAttributes; done != nil {
				decision = types.Decision{
					DecisionType: types.DecisionTypeCompleteWorkflowExecution,
					CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{
						Result: done.Result}}
			}
		}
		if _, err := c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{
			TaskToken: task.TaskToken, Decisions: []types.Decision{decision}}); err != nil {
			return err
		}
	}
	return nil
}

// worker runs "greet" activities.
func worker(ctx context.Context, c *swf.Client) error {
	for ctx.Err() == nil {
		task, err := c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{
			Domain: aws.String("demo"), TaskList: &types.TaskList{Name: aws.String("workers")}})
		if err != nil || task.TaskToken == nil {
			continue
		}
		if _, err := c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{
			TaskToken: task.TaskToken, Result: aws.String("hello, " + aws.ToString(task.Input))}); err != nil {
			return err
		}
	}
	return nil
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
	go func() { errs <- worker(workCtx, c) }()
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
