package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/swftest"
)

// world is a server with a domain, a workflow type and an activity type, on
// a fake clock, for driving workflows from tests.
type world struct {
	t   *testing.T
	s   *swftest.Server
	c   *swf.Client
	clk *clock.Fake
}

const (
	dom       = "wd"
	deciders  = "deciders"
	workers   = "workers"
	wfName    = "order"
	actName   = "charge"
	typeVer   = "1"
	startTime = "2026-01-02T03:04:05Z"
)

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldWith(t, swftest.Options{})
}

// otherNode is a second server on w's store and clock, built with opts: a
// node of the same deployment, whose caches know nothing yet.
func (w *world) otherNode(opts swftest.Options) *world {
	w.t.Helper()
	opts.Store, opts.Clock = w.s.Store, w.clk
	s := swftest.Start(w.t, opts)
	return &world{t: w.t, s: s, c: s.Client, clk: w.clk}
}

// newWorldWith is newWorld on a server built with opts, on the world's
// fake clock.
func newWorldWith(t *testing.T, opts swftest.Options) *world {
	t.Helper()
	t0, _ := time.Parse(time.RFC3339, startTime)
	clk := clock.NewFake(t0)
	opts.Clock = clk
	s := swftest.Start(t, opts)
	w := &world{t: t, s: s, c: s.Client, clk: clk}
	registerDomain(t, w.c, dom)
	_, err := w.c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: aws.String(dom), Name: aws.String(wfName), Version: aws.String(typeVer),
		DefaultTaskList:                     &types.TaskList{Name: aws.String(deciders)},
		DefaultTaskStartToCloseTimeout:      aws.String("60"),
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
	})
	must(t, err)
	_, err = w.c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{
		Domain: aws.String(dom), Name: aws.String(actName), Version: aws.String(typeVer),
		DefaultTaskList:                   &types.TaskList{Name: aws.String(workers)},
		DefaultTaskStartToCloseTimeout:    aws.String("300"),
		DefaultTaskScheduleToStartTimeout: aws.String("600"),
		DefaultTaskScheduleToCloseTimeout: aws.String("900"),
		DefaultTaskHeartbeatTimeout:       aws.String("30"),
	})
	must(t, err)
	return w
}

func (w *world) start(workflowID string) *types.WorkflowExecution {
	w.t.Helper()
	out, err := w.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{
		Domain: aws.String(dom), WorkflowId: aws.String(workflowID),
		WorkflowType: &types.WorkflowType{Name: aws.String(wfName), Version: aws.String(typeVer)},
		Input:        aws.String("in"),
	})
	must(w.t, err)
	return &types.WorkflowExecution{WorkflowId: aws.String(workflowID), RunId: out.RunId}
}

// pollDecision waits (in real time, at most 5 s) for a decision task.
func (w *world) pollDecision() *swf.PollForDecisionTaskOutput {
	w.t.Helper()
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := w.c.PollForDecisionTask(c, &swf.PollForDecisionTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(deciders)}, Identity: aws.String("decider-1")})
	must(w.t, err)
	if out.TaskToken == nil {
		w.t.Fatal("empty decision task")
	}
	return out
}

func (w *world) pollActivity() *swf.PollForActivityTaskOutput {
	w.t.Helper()
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := w.c.PollForActivityTask(c, &swf.PollForActivityTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(workers)}, Identity: aws.String("worker-1")})
	must(w.t, err)
	if out.TaskToken == nil {
		w.t.Fatal("empty activity task")
	}
	return out
}

func (w *world) decide(token *string, decisions ...types.Decision) {
	w.t.Helper()
	_, err := w.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: token, Decisions: decisions})
	must(w.t, err)
}

func (w *world) history(ex *types.WorkflowExecution) []types.HistoryEvent {
	w.t.Helper()
	var events []types.HistoryEvent
	p := swf.NewGetWorkflowExecutionHistoryPaginator(w.c, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(dom), Execution: ex})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		must(w.t, err)
		events = append(events, page.Events...)
	}
	for i, e := range events {
		if e.EventId != int64(i+1) {
			w.t.Fatalf("event ids not dense: event %d has id %d", i+1, e.EventId)
		}
	}
	return events
}

// waitFor waits (real time, 5 s) until the run's history has an event of
// type want, as a timer fires.
func (w *world) waitFor(ex *types.WorkflowExecution, want types.EventType) []types.HistoryEvent {
	w.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		events := w.history(ex)
		for _, e := range events {
			if e.EventType == want {
				return events
			}
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("no %s in %v", want, eventTypes(events))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func eventTypes(events []types.HistoryEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, string(e.EventType))
	}
	return out
}

func wantTypes(t *testing.T, events []types.HistoryEvent, want ...string) {
	t.Helper()
	if got := eventTypes(events); !slices.Equal(got, want) {
		t.Fatalf("history\n got  %s\n want %s", strings.Join(got, " "), strings.Join(want, " "))
	}
}

func scheduleActivity(id string) types.Decision {
	return types.Decision{
		DecisionType: types.DecisionTypeScheduleActivityTask,
		ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{
			ActivityType: &types.ActivityType{Name: aws.String(actName), Version: aws.String(typeVer)},
			ActivityId:   aws.String(id),
			Input:        aws.String("work " + id),
		},
	}
}

func completeWorkflow(result string) types.Decision {
	return types.Decision{
		DecisionType: types.DecisionTypeCompleteWorkflowExecution,
		CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: aws.String(result)},
	}
}
