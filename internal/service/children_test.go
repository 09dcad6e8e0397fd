package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

const kids = "kids"

func startChildDecision(workflowID string, mod ...func(*types.StartChildWorkflowExecutionDecisionAttributes)) types.Decision {
	a := &types.StartChildWorkflowExecutionDecisionAttributes{
		WorkflowId:   aws.String(workflowID),
		WorkflowType: &types.WorkflowType{Name: aws.String(wfName), Version: aws.String(typeVer)},
		TaskList:     &types.TaskList{Name: aws.String(kids)},
		Input:        aws.String("child input"),
		Control:      aws.String("ctl"),
	}
	for _, m := range mod {
		m(a)
	}
	return types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes: a}
}

// pollKids waits (real time, 5 s) for a decision task of a child.
func (w *world) pollKids() *swf.PollForDecisionTaskOutput {
	w.t.Helper()
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := w.c.PollForDecisionTask(c, &swf.PollForDecisionTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(kids)}})
	must(w.t, err)
	if out.TaskToken == nil {
		w.t.Fatal("empty decision task")
	}
	return out
}

func (w *world) openCounts(ex *types.WorkflowExecution) *types.WorkflowExecutionOpenCounts {
	w.t.Helper()
	out, err := w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: ex})
	must(w.t, err)
	return out.OpenCounts
}

// startedChild has the parent "p" start the child "kid" and waits until it
// has started; it returns both runs, the parent's decision task answered.
func startedChild(w *world) (parent, child *types.WorkflowExecution) {
	w.t.Helper()
	parent = w.start("p")
	w.decide(w.pollDecision().TaskToken, startChildDecision("kid"))
	events := w.waitFor(parent, types.EventTypeChildWorkflowExecutionStarted)
	started := events[5].ChildWorkflowExecutionStartedEventAttributes
	child = started.WorkflowExecution
	w.decide(w.pollDecision().TaskToken)
	return parent, child
}

func TestChildWorkflow(t *testing.T) {
	w := newWorld(t)
	parent, child := startedChild(w)
	events := w.history(parent)
	wantTypes(t, events[:7], "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
		"StartChildWorkflowExecutionInitiated", "ChildWorkflowExecutionStarted", "DecisionTaskScheduled")
	init := events[4].StartChildWorkflowExecutionInitiatedEventAttributes
	// Every setting the child runs with is in the initiated event: the
	// decision's, else the type's defaults.
	if *init.WorkflowId != "kid" || *init.TaskList.Name != kids || *init.ExecutionStartToCloseTimeout != "3600" ||
		*init.TaskStartToCloseTimeout != "60" || init.ChildPolicy != types.ChildPolicyTerminate || *init.Control != "ctl" ||
		init.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("initiated %+v", init)
	}
	if s := events[5].ChildWorkflowExecutionStartedEventAttributes; s.InitiatedEventId != 5 || *s.WorkflowExecution.WorkflowId != "kid" || *s.WorkflowType.Name != wfName {
		t.Fatalf("started %+v", s)
	}
	if n := w.openCounts(parent).OpenChildWorkflowExecutions; n != 1 {
		t.Fatalf("open children %d", n)
	}

	task := w.pollKids()
	if *task.WorkflowExecution.RunId != *child.RunId {
		t.Fatalf("child task for %v, want %v", task.WorkflowExecution, child)
	}
	first := task.Events[0].WorkflowExecutionStartedEventAttributes
	if *first.ParentWorkflowExecution.RunId != *parent.RunId || first.ParentInitiatedEventId != 5 || *first.Input != "child input" {
		t.Fatalf("child started %+v", first)
	}
	d, err := w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: child})
	must(t, err)
	if d.ExecutionInfo.Parent == nil || *d.ExecutionInfo.Parent.RunId != *parent.RunId {
		t.Fatalf("child's parent %+v", d.ExecutionInfo.Parent)
	}

	w.decide(task.TaskToken, completeWorkflow("child result"))
	events = w.waitFor(parent, types.EventTypeChildWorkflowExecutionCompleted)
	done := events[len(events)-2].ChildWorkflowExecutionCompletedEventAttributes
	if done == nil || *done.Result != "child result" || done.InitiatedEventId != 5 || done.StartedEventId != 6 || *done.WorkflowExecution.RunId != *child.RunId {
		t.Fatalf("completed %+v in %v", done, eventTypes(events))
	}
	if last := events[len(events)-1]; last.EventType != types.EventTypeDecisionTaskScheduled {
		t.Fatalf("no decision task after the child's close: %v", eventTypes(events))
	}
	if n := w.openCounts(parent).OpenChildWorkflowExecutions; n != 0 {
		t.Fatalf("open children %d after the child closed", n)
	}
	w.decide(w.pollDecision().TaskToken, completeWorkflow("done"))
}

// TestChildFailures: a child whose type does not exist fails at once, with
// no initiated event; one whose workflow id has an open run fails once the
// start is tried, naming its initiated event.
func TestChildFailures(t *testing.T) {
	w := newWorld(t)
	parent := w.start("p")
	task := w.pollDecision()
	w.start("busy")
	w.decide(task.TaskToken,
		startChildDecision("kid", func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.WorkflowType.Name = aws.String("nope") }),
		startChildDecision("busy"))
	events := w.waitFor(parent, types.EventTypeStartChildWorkflowExecutionFailed)
	f := events[4].StartChildWorkflowExecutionFailedEventAttributes
	if f == nil || f.Cause != types.StartChildWorkflowExecutionFailedCauseWorkflowTypeDoesNotExist || f.InitiatedEventId != 0 ||
		*f.WorkflowId != "kid" || *f.Control != "ctl" || f.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("failed %+v in %v", f, eventTypes(events))
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(events) < 8 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		events = w.history(parent)
	}
	wantTypes(t, events[4:], "StartChildWorkflowExecutionFailed", "StartChildWorkflowExecutionInitiated", "DecisionTaskScheduled",
		"StartChildWorkflowExecutionFailed")
	if f := events[7].StartChildWorkflowExecutionFailedEventAttributes; f.Cause != types.StartChildWorkflowExecutionFailedCauseWorkflowAlreadyRunning ||
		f.InitiatedEventId != 6 || *f.WorkflowId != "busy" {
		t.Fatalf("already running %+v", f)
	}
	if n := w.openCounts(parent).OpenChildWorkflowExecutions; n != 0 {
		t.Fatalf("open children %d", n)
	}
}

// TestChildPolicies: terminating a parent applies its child policy to its
// open children: TERMINATE terminates them, REQUEST_CANCEL asks them to
// cancel, ABANDON leaves them be. A child terminated on its own is news to
// its parent.
func TestChildPolicies(t *testing.T) {
	for _, tc := range []struct {
		policy types.ChildPolicy
		want   types.EventType
	}{
		{types.ChildPolicyTerminate, types.EventTypeWorkflowExecutionTerminated},
		{types.ChildPolicyRequestCancel, types.EventTypeWorkflowExecutionCancelRequested},
		{types.ChildPolicyAbandon, ""},
	} {
		t.Run(string(tc.policy), func(t *testing.T) {
			w := newWorld(t)
			parent, child := startedChild(w)
			_, err := w.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(dom),
				WorkflowId: parent.WorkflowId, ChildPolicy: tc.policy})
			must(t, err)
			if tc.want == "" {
				time.Sleep(50 * time.Millisecond)
				wantTypes(t, w.history(child), "WorkflowExecutionStarted", "DecisionTaskScheduled")
				return
			}
			events := w.waitFor(child, tc.want)
			last := events[2]
			switch tc.want {
			case types.EventTypeWorkflowExecutionTerminated:
				if a := last.WorkflowExecutionTerminatedEventAttributes; a.Cause != types.WorkflowExecutionTerminatedCauseChildPolicyApplied || a.ChildPolicy != types.ChildPolicyTerminate {
					t.Fatalf("terminated %+v", a)
				}
			default:
				if a := last.WorkflowExecutionCancelRequestedEventAttributes; a.Cause != types.WorkflowExecutionCancelRequestedCauseChildPolicyApplied {
					t.Fatalf("cancel requested %+v", a)
				}
			}
		})
	}

	t.Run("child terminated", func(t *testing.T) {
		w := newWorld(t)
		parent, child := startedChild(w)
		_, err := w.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: child.WorkflowId})
		must(t, err)
		events := w.waitFor(parent, types.EventTypeChildWorkflowExecutionTerminated)
		if a := events[len(events)-2].ChildWorkflowExecutionTerminatedEventAttributes; a == nil || a.InitiatedEventId != 5 || a.StartedEventId != 6 {
			t.Fatalf("terminated %+v in %v", a, eventTypes(events))
		}
	})
}

// A child may run unlimited (executionStartToCloseTimeout NONE), as the
// model documents for the decision; a start request may not.
func TestUnlimitedChild(t *testing.T) {
	w := newWorld(t)
	parent := w.start("p")
	w.decide(w.pollDecision().TaskToken, startChildDecision("kid", func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
		a.ExecutionStartToCloseTimeout = aws.String("NONE")
	}))
	events := w.waitFor(parent, types.EventTypeChildWorkflowExecutionStarted)
	child := events[5].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	out, err := w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: child})
	must(t, err)
	if got := aws.ToString(out.ExecutionConfiguration.ExecutionStartToCloseTimeout); got != "NONE" {
		t.Fatalf("the child's execution timeout is %q", got)
	}
	if got := aws.ToString(w.history(child)[0].WorkflowExecutionStartedEventAttributes.ExecutionStartToCloseTimeout); got != "NONE" {
		t.Fatalf("the child started with %q", got)
	}
	_, err = w.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: aws.String("top"),
		WorkflowType: &types.WorkflowType{Name: aws.String(wfName), Version: aws.String(typeVer)}, ExecutionStartToCloseTimeout: aws.String("NONE")})
	wantFault(t, err, "ValidationException", "executionStartToCloseTimeout")
}
