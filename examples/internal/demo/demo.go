// Package demo holds what the examples share: a client of an openswf
// endpoint, idempotent registration of domains and types, waiting for a
// run to close, and the main function that runs an example with flags and
// signals.
package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// Client returns a client of the SWF endpoint at url. openswf under
// `--auth none` takes any credentials; the SDK's retryer is kept, without
// its client-side retry quota, which a worker riding out a server restart
// would otherwise exhaust.
func Client(url string) *swf.Client {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	return swf.NewFromConfig(cfg, func(o *swf.Options) {
		o.BaseEndpoint = aws.String(url)
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) { so.RateLimiter = ratelimit.None })
	})
}

// Workflow is a workflow type to register.
type Workflow struct {
	Name, TaskList string
	// TaskTimeout is the decision tasks' start-to-close timeout, in seconds.
	TaskTimeout string
}

// Activity is an activity type to register.
type Activity struct {
	Name, TaskList string
	// HeartbeatTimeout and StartToClose are in seconds, or "NONE".
	HeartbeatTimeout, StartToClose string
}

// Register registers the domain and the types (version "1"), leaving
// those already registered as they are, so that an example runs again and
// again against the same server.
func Register(ctx context.Context, c *swf.Client, domain string, workflows []Workflow, activities []Activity) error {
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(domain), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	if err != nil && !errors.As(err, new(*types.DomainAlreadyExistsFault)) {
		return err
	}
	for _, w := range workflows {
		_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String(domain), Name: aws.String(w.Name), Version: aws.String("1"),
			DefaultTaskList: &types.TaskList{Name: aws.String(w.TaskList)}, DefaultChildPolicy: types.ChildPolicyTerminate,
			DefaultTaskStartToCloseTimeout: aws.String(w.TaskTimeout), DefaultExecutionStartToCloseTimeout: aws.String("600")})
		if err != nil && !errors.As(err, new(*types.TypeAlreadyExistsFault)) {
			return err
		}
	}
	for _, a := range activities {
		_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String(domain), Name: aws.String(a.Name), Version: aws.String("1"),
			DefaultTaskList: &types.TaskList{Name: aws.String(a.TaskList)}, DefaultTaskHeartbeatTimeout: aws.String(a.HeartbeatTimeout),
			DefaultTaskStartToCloseTimeout: aws.String(a.StartToClose), DefaultTaskScheduleToStartTimeout: aws.String("300"),
			DefaultTaskScheduleToCloseTimeout: aws.String("600")})
		if err != nil && !errors.As(err, new(*types.TypeAlreadyExistsFault)) {
			return err
		}
	}
	return nil
}

// Start starts a run of workflow type name/1 with a fresh workflow id
// (prefix and the time), so that examples run again do not collide.
func Start(ctx context.Context, c *swf.Client, domain, name, prefix, input string) (types.WorkflowExecution, error) {
	id := fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
	out, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(domain), WorkflowId: aws.String(id),
		WorkflowType: &types.WorkflowType{Name: aws.String(name), Version: aws.String("1")}, Input: aws.String(input)})
	if err != nil {
		return types.WorkflowExecution{}, err
	}
	return types.WorkflowExecution{WorkflowId: aws.String(id), RunId: out.RunId}, nil
}

// Wait waits for the run to close and returns its closing event. It rides
// out a server that is unreachable for a while.
func Wait(ctx context.Context, c *swf.Client, domain string, ex types.WorkflowExecution) (types.HistoryEvent, error) {
	for {
		h, err := c.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(domain), Execution: &ex, ReverseOrder: true, MaximumPageSize: 1})
		if err == nil {
			switch last := h.Events[0]; last.EventType {
			case types.EventTypeWorkflowExecutionCompleted, types.EventTypeWorkflowExecutionFailed, types.EventTypeWorkflowExecutionCanceled,
				types.EventTypeWorkflowExecutionTerminated, types.EventTypeWorkflowExecutionTimedOut, types.EventTypeWorkflowExecutionContinuedAsNew:
				return last, nil
			}
		} else if ctx.Err() != nil || errors.As(err, new(*types.UnknownResourceFault)) {
			return types.HistoryEvent{}, err
		}
		select {
		case <-ctx.Done():
			return types.HistoryEvent{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Result is the result of a completed run, or an error saying how it
// closed otherwise.
func Result(last types.HistoryEvent) (string, error) {
	if a := last.WorkflowExecutionCompletedEventAttributes; a != nil {
		return aws.ToString(a.Result), nil
	}
	if a := last.WorkflowExecutionFailedEventAttributes; a != nil {
		return "", fmt.Errorf("the workflow failed: %s: %s", aws.ToString(a.Reason), aws.ToString(a.Details))
	}
	return "", fmt.Errorf("the workflow closed with %s", last.EventType)
}

// Run starts a run of workflow type name/1 (see Start), waits for it to
// close and returns its result (see Result).
func Run(ctx context.Context, c *swf.Client, domain, name, prefix, input string) (string, error) {
	ex, err := Start(ctx, c, domain, name, prefix, input)
	if err != nil {
		return "", err
	}
	last, err := Wait(ctx, c, domain, ex)
	if err != nil {
		return "", err
	}
	return Result(last)
}

// Main runs an example: run(ctx, endpoint, stdout), with the endpoint from
// --endpoint, until it returns or SIGINT/SIGTERM.
func Main(run func(ctx context.Context, endpoint string, out io.Writer) error) {
	endpoint := flag.String("endpoint", "http://127.0.0.1:7930", "the SWF endpoint (openswf serve)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *endpoint, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
