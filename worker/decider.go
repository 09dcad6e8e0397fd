package worker

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// DecisionFunc decides what a workflow does next, given its history. It
// should decide from the history alone (replay-safe): the same history
// must give the same decisions whenever and wherever it is read, since a
// decision task can be handed again (after a timeout) or to another
// decider.
//
// A returned error (or a panic) leaves the decision task unanswered: SWF
// has no call to fail a decision task, and answering with no decisions
// would close the task for good and stall the workflow until some other
// event arrives, while an unanswered task times out after its
// start-to-close timeout (DecisionTaskTimedOut) and SWF schedules another,
// which is the retry wanted. The workflow type's task start-to-close
// timeout is therefore the retry delay; keep it short.
type DecisionFunc func(ctx context.Context, t *DecisionTask) ([]types.Decision, error)

// Decider polls one decision task list and answers each task with the
// decisions of its function.
type Decider struct {
	client Client
	opts   Options
	fn     DecisionFunc

	mu      sync.Mutex
	running bool
}

// NewDecider returns a decider of the task list o names, deciding with fn.
func NewDecider(c Client, o Options, fn DecisionFunc) (*Decider, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, errors.New("worker: NewDecider needs a DecisionFunc")
	}
	return &Decider{client: c, opts: o, fn: fn}, nil
}

// Run polls and decides until ctx is cancelled, then shuts down as
// [ActivityWorker.Run] does: polls in flight are let return and their tasks
// decided, and the functions running get DrainTimeout to finish.
func (d *Decider) Run(ctx context.Context) error {
	d.mu.Lock()
	if d.running {
		d.mu.Unlock()
		return errors.New("worker: Run called twice")
	}
	d.running = true
	d.mu.Unlock()
	o := &d.opts
	runPool(ctx, o, func(ctx context.Context) (*swf.PollForDecisionTaskOutput, bool, error) {
		out, err := d.client.PollForDecisionTask(ctx, d.pollInput(nil))
		if err != nil {
			return nil, false, err
		}
		return out, aws.ToString(out.TaskToken) != "", nil
	}, d.handle)
	return nil
}

func (d *Decider) pollInput(page *string) *swf.PollForDecisionTaskInput {
	return &swf.PollForDecisionTaskInput{Domain: aws.String(d.opts.Domain), TaskList: &types.TaskList{Name: aws.String(d.opts.TaskList)},
		Identity: aws.String(d.opts.Identity), NextPageToken: page}
}

// handle reads the rest of a task's history, decides and answers.
func (d *Decider) handle(runCtx context.Context, first *swf.PollForDecisionTaskOutput) {
	o := &d.opts
	t := &DecisionTask{
		Token:                  aws.ToString(first.TaskToken),
		Events:                 first.Events,
		PreviousStartedEventID: first.PreviousStartedEventId,
		StartedEventID:         first.StartedEventId,
	}
	if first.WorkflowExecution != nil {
		t.WorkflowExecution = *first.WorkflowExecution
	}
	if first.WorkflowType != nil {
		t.WorkflowType = *first.WorkflowType
	}
	log := o.Logger.With("workflowId", aws.ToString(t.WorkflowExecution.WorkflowId), "runId", aws.ToString(t.WorkflowExecution.RunId))
	pageCtx, cancel := context.WithTimeout(context.WithoutCancel(runCtx), 2*time.Minute)
	defer cancel()
	for page := first.NextPageToken; aws.ToString(page) != ""; {
		out, err := d.client.PollForDecisionTask(pageCtx, d.pollInput(page))
		if err != nil {
			log.Error("worker: could not read the decision task's history; leaving the task to time out and be retried", "err", err)
			return
		}
		t.Events = append(t.Events, out.Events...)
		page = out.NextPageToken
	}
	decisions, err := decide(runCtx, d.fn, t)
	if err != nil {
		log.Error("worker: the decider failed; leaving the task to time out and be retried", "err", err)
		return
	}
	err = answer(o, func(ctx context.Context) error {
		_, err := d.client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: aws.String(t.Token), Decisions: decisions})
		return err
	})
	if err != nil {
		log.Error("worker: could not answer the decision task", "err", err)
	}
}

// decide calls fn, turning a panic into an error.
func decide(ctx context.Context, fn DecisionFunc, t *DecisionTask) (ds []types.Decision, err error) {
	defer func() {
		if v := recover(); v != nil {
			ds, err = nil, fmt.Errorf("%w\n%s", &panicError{value: v}, debug.Stack())
		}
	}()
	return fn(ctx, t)
}
