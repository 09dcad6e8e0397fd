package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// The types every scenario registers in its domain.
const (
	workflowTypeName = "openswf-bench-workflow"
	activityTypeName = "openswf-bench-activity"
	typeVersion      = "1"
)

// The SWF operations, named as the results name them.
const (
	opStart            = "StartWorkflowExecution"
	opPollDecision     = "PollForDecisionTask"
	opRespondDecision  = "RespondDecisionTaskCompleted"
	opPollActivity     = "PollForActivityTask"
	opRespondActivity  = "RespondActivityTaskCompleted"
	opHeartbeat        = "RecordActivityTaskHeartbeat"
	cleanupTimeout     = 30 * time.Second
	cleanupWorkers     = 8
	executionTimeSlack = 10 * time.Minute
)

// env is what the scenarios that drive a real endpoint share: the client,
// and names of their own, so that runs sharing a domain (or leftovers of an
// earlier run) never take each other's tasks.
type env struct {
	cfg    Config
	client *swf.Client
	// prefix begins every workflow id, activity id and task list of the run.
	prefix string
	// decisions and activities are the run's task lists.
	decisions, activities *types.TaskList
	// execTimeout bounds each execution's life, so that whatever the run
	// leaves open closes by itself on the server.
	execTimeout string
	// input is the input of each start (nil: none) and activity.
	input, activityInput *string
}

// newEnv connects to cfg.Endpoint, with conns requests in flight at most,
// and registers the domain and the types when missing.
func newEnv(ctx context.Context, cfg Config, conns int) (*env, error) {
	client, _ := newClient(cfg, cfg.Endpoint, conns)
	prefix := fmt.Sprintf("bench-%s-%d-%08x", cfg.Scenario, time.Now().Unix(), rand.Uint32())
	life := cfg.SetupTimeout + cfg.Duration + executionTimeSlack
	e := &env{
		cfg:         cfg,
		client:      client,
		prefix:      prefix,
		decisions:   &types.TaskList{Name: aws.String(prefix + "-decisions")},
		activities:  &types.TaskList{Name: aws.String(prefix + "-activities")},
		execTimeout: strconv.Itoa(int(life.Seconds())),
		// A start without input unless asked for, as the scenarios have
		// always run; an activity always has one.
		activityInput: aws.String("openswf bench"),
	}
	if cfg.InputSize > 0 {
		e.input = aws.String(strings.Repeat("i", cfg.InputSize))
		e.activityInput = e.input
	}
	return e, e.register(ctx)
}

// register creates the domain and the types, accepting ones that exist.
func (e *env) register(ctx context.Context) error {
	_, err := e.client.RegisterDomain(ctx, &swf.RegisterDomainInput{
		Name:                                   aws.String(e.cfg.Domain),
		Description:                            aws.String("openswf bench"),
		WorkflowExecutionRetentionPeriodInDays: aws.String("1"),
	})
	if err != nil && !errors.As(err, new(*types.DomainAlreadyExistsFault)) {
		return fmt.Errorf("registering domain %s: %w", e.cfg.Domain, err)
	}
	_, err = e.client.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain:                              aws.String(e.cfg.Domain),
		Name:                                aws.String(workflowTypeName),
		Version:                             aws.String(typeVersion),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
		DefaultTaskStartToCloseTimeout:      aws.String("60"),
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
	})
	if err != nil && !errors.As(err, new(*types.TypeAlreadyExistsFault)) {
		return fmt.Errorf("registering workflow type: %w", err)
	}
	// No heartbeat timeout, and long start-to-close ones, so that tasks held
	// open for the whole run never time out during it.
	_, err = e.client.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{
		Domain:                            aws.String(e.cfg.Domain),
		Name:                              aws.String(activityTypeName),
		Version:                           aws.String(typeVersion),
		DefaultTaskHeartbeatTimeout:       aws.String("NONE"),
		DefaultTaskStartToCloseTimeout:    aws.String("3600"),
		DefaultTaskScheduleToStartTimeout: aws.String("3600"),
		DefaultTaskScheduleToCloseTimeout: aws.String("NONE"),
	})
	if err != nil && !errors.As(err, new(*types.TypeAlreadyExistsFault)) {
		return fmt.Errorf("registering activity type: %w", err)
	}
	return nil
}

// workflowID returns the id of the run's n-th workflow.
func (e *env) workflowID(n int64) string { return e.prefix + "-" + strconv.FormatInt(n, 10) }

// start starts workflow id on the run's decision task list.
func (e *env) start(ctx context.Context, id string) (*swf.StartWorkflowExecutionOutput, error) {
	return e.client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{
		Domain:                       aws.String(e.cfg.Domain),
		WorkflowId:                   aws.String(id),
		WorkflowType:                 &types.WorkflowType{Name: aws.String(workflowTypeName), Version: aws.String(typeVersion)},
		TaskList:                     e.decisions,
		ChildPolicy:                  types.ChildPolicyTerminate,
		TaskStartToCloseTimeout:      aws.String("60"),
		ExecutionStartToCloseTimeout: aws.String(e.execTimeout),
		Input:                        e.input,
	})
}

// pollDecision long-polls the run's decision task list. Only the newest
// event is asked for when the caller needs none of the history.
func (e *env) pollDecision(ctx context.Context, history bool) (*swf.PollForDecisionTaskOutput, error) {
	in := &swf.PollForDecisionTaskInput{Domain: aws.String(e.cfg.Domain), TaskList: e.decisions}
	if !history {
		in.ReverseOrder = true
		in.MaximumPageSize = 1
	}
	return e.client.PollForDecisionTask(ctx, in)
}

// pollActivity long-polls the run's activity task list.
func (e *env) pollActivity(ctx context.Context) (*swf.PollForActivityTaskOutput, error) {
	return e.client.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String(e.cfg.Domain), TaskList: e.activities})
}

// decide answers a decision task.
func (e *env) decide(ctx context.Context, token *string, d ...types.Decision) error {
	_, err := e.client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: token, Decisions: d})
	return err
}

// schedule is the decision that schedules activity id on the run's activity
// task list, with no heartbeat timeout and the execution's own life as its
// start-to-close, so that it can be held open for the whole run.
func (e *env) schedule(id string) types.Decision {
	return types.Decision{
		DecisionType: types.DecisionTypeScheduleActivityTask,
		ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{
			ActivityType:           &types.ActivityType{Name: aws.String(activityTypeName), Version: aws.String(typeVersion)},
			ActivityId:             aws.String(id),
			TaskList:               e.activities,
			Input:                  e.activityInput,
			HeartbeatTimeout:       aws.String("NONE"),
			ScheduleToCloseTimeout: aws.String("NONE"),
			ScheduleToStartTimeout: aws.String(e.execTimeout),
			StartToCloseTimeout:    aws.String(e.execTimeout),
		},
	}
}

// complete is the decision that completes the workflow.
func complete() types.Decision {
	return types.Decision{
		DecisionType: types.DecisionTypeCompleteWorkflowExecution,
		CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: aws.String("done")},
	}
}

// terminate closes the run's workflows that ids name, best effort: a
// benchmark should not leave work behind on a shared server, but its
// measurements are already taken, so a failure is only logged.
func (e *env) terminate(ctx context.Context, ids []string) {
	ctx, cancel := context.WithTimeout(ctx, cleanupTimeout)
	defer cancel()
	var failed atomic.Int64
	_ = forEach(ctx, len(ids), cleanupWorkers, func(ctx context.Context, i int) error {
		_, err := e.client.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{
			Domain: aws.String(e.cfg.Domain), WorkflowId: aws.String(ids[i]), Reason: aws.String("openswf bench finished")})
		if err != nil && !errors.As(err, new(*types.UnknownResourceFault)) {
			failed.Add(1) // an unknown one is already closed, or was never started
		}
		return nil
	})
	if n := failed.Load(); n > 0 || ctx.Err() != nil {
		e.cfg.logger().Warn("bench: some workflows may be left open; they time out by themselves", "failed", n, "timeout_s", e.execTimeout)
	}
}
