package service_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// ContinueAsNewWorkflowExecution closes the run as CONTINUED_AS_NEW and
// starts the next run of the workflow in the same transaction; the next
// run's decider gets its first task, and calls without a run id reach it.
func TestContinueAsNew(t *testing.T) {
	w := newWorld(t)
	ex := w.start("loop")
	w.decide(w.pollDecision().TaskToken, types.Decision{
		DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution,
		ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{
			Input: aws.String("round 2"), TagList: []string{"again"}},
	})
	events := w.history(ex)
	cont := events[len(events)-1].WorkflowExecutionContinuedAsNewEventAttributes
	if cont == nil || aws.ToString(cont.Input) != "round 2" || aws.ToString(cont.TaskList.Name) != deciders || cont.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("last event %+v", events[len(events)-1])
	}
	desc, err := w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: ex})
	must(t, err)
	if desc.ExecutionInfo.CloseStatus != types.CloseStatusContinuedAsNew {
		t.Fatalf("old run closed as %s", desc.ExecutionInfo.CloseStatus)
	}

	dt := w.pollDecision()
	if aws.ToString(dt.WorkflowExecution.RunId) != aws.ToString(cont.NewExecutionRunId) {
		t.Fatalf("decision task of run %s, want the new run %s", aws.ToString(dt.WorkflowExecution.RunId), aws.ToString(cont.NewExecutionRunId))
	}
	started := dt.Events[0].WorkflowExecutionStartedEventAttributes
	if aws.ToString(started.ContinuedExecutionRunId) != aws.ToString(ex.RunId) || aws.ToString(started.Input) != "round 2" || len(started.TagList) != 1 {
		t.Fatalf("new run's WorkflowExecutionStarted %+v", started)
	}
	// Calls without a run id reach the new run.
	_, err = w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, SignalName: aws.String("s")})
	must(t, err)
	w.decide(dt.TaskToken, completeWorkflow("done")) // refused: the signal is unseen
	w.decide(w.pollDecision().TaskToken, completeWorkflow("done"))

	// A version that does not exist fails the decision.
	ex2 := w.start("loop-2")
	w.decide(w.pollDecision().TaskToken, types.Decision{
		DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution,
		ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{WorkflowTypeVersion: aws.String("nope")},
	})
	f := findEvent(w.history(ex2), types.EventTypeContinueAsNewWorkflowExecutionFailed).ContinueAsNewWorkflowExecutionFailedEventAttributes
	if f == nil || f.Cause != types.ContinueAsNewWorkflowExecutionFailedCauseWorkflowTypeDoesNotExist {
		t.Fatalf("ContinueAsNewWorkflowExecutionFailed %+v", f)
	}
}
