package service_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// One run signals another and requests its cancel: the target records both
// with the sender named, and the sender hears that they arrived; a request
// to a run that does not exist fails with UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION.
func TestSignalAndCancelExternal(t *testing.T) {
	w := newWorld(t)
	a := w.start("sender")
	w.decide(w.pollDecision().TaskToken) // the sender's first task, nothing to do
	b := w.start("target")
	w.decide(w.pollDecision().TaskToken)

	w.decide(mustSignalAndPoll(w, a).TaskToken,
		types.Decision{DecisionType: types.DecisionTypeSignalExternalWorkflowExecution, SignalExternalWorkflowExecutionDecisionAttributes: &types.SignalExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: b.WorkflowId, SignalName: aws.String("hello"), Input: aws.String("hi")}},
		types.Decision{DecisionType: types.DecisionTypeRequestCancelExternalWorkflowExecution, RequestCancelExternalWorkflowExecutionDecisionAttributes: &types.RequestCancelExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: b.WorkflowId, RunId: b.RunId}},
		types.Decision{DecisionType: types.DecisionTypeSignalExternalWorkflowExecution, SignalExternalWorkflowExecutionDecisionAttributes: &types.SignalExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String("nobody"), SignalName: aws.String("hello"), Control: aws.String("ctl")}},
	)
	deadline := time.Now().Add(5 * time.Second)
	for {
		events := w.history(a)
		if findEvent(events, types.EventTypeExternalWorkflowExecutionCancelRequested).EventId != 0 &&
			findEvent(events, types.EventTypeExternalWorkflowExecutionSignaled).EventId != 0 &&
			findEvent(events, types.EventTypeSignalExternalWorkflowExecutionFailed).EventId != 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sender's history %v", eventTypes(events))
		}
		time.Sleep(5 * time.Millisecond)
	}
	events := w.history(a)
	initiated := findEvent(events, types.EventTypeSignalExternalWorkflowExecutionInitiated)
	signaled := findEvent(events, types.EventTypeExternalWorkflowExecutionSignaled).ExternalWorkflowExecutionSignaledEventAttributes
	if signaled == nil || aws.ToString(signaled.WorkflowExecution.RunId) != aws.ToString(b.RunId) {
		t.Fatalf("ExternalWorkflowExecutionSignaled %+v in %v", signaled, eventTypes(events))
	}
	failed := findEvent(events, types.EventTypeSignalExternalWorkflowExecutionFailed).SignalExternalWorkflowExecutionFailedEventAttributes
	if failed.Cause != types.SignalExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution || aws.ToString(failed.Control) != "ctl" || aws.ToString(failed.WorkflowId) != "nobody" {
		t.Fatalf("SignalExternalWorkflowExecutionFailed %+v", failed)
	}

	target := w.history(b)
	sig := findEvent(target, types.EventTypeWorkflowExecutionSignaled).WorkflowExecutionSignaledEventAttributes
	if sig == nil || aws.ToString(sig.Input) != "hi" || aws.ToString(sig.ExternalWorkflowExecution.RunId) != aws.ToString(a.RunId) {
		t.Fatalf("target's WorkflowExecutionSignaled %+v in %v", sig, eventTypes(target))
	}
	// The signal carries the id of the sender's initiating event.
	var initiatedID int64
	for _, e := range events {
		if e.EventType == types.EventTypeSignalExternalWorkflowExecutionInitiated && aws.ToString(e.SignalExternalWorkflowExecutionInitiatedEventAttributes.WorkflowId) == "target" {
			initiatedID = e.EventId
		}
	}
	if sig.ExternalInitiatedEventId != initiatedID || initiated.EventId == 0 {
		t.Fatalf("externalInitiatedEventId %d, want %d", sig.ExternalInitiatedEventId, initiatedID)
	}
	cr := findEvent(target, types.EventTypeWorkflowExecutionCancelRequested).WorkflowExecutionCancelRequestedEventAttributes
	if cr == nil || aws.ToString(cr.ExternalWorkflowExecution.WorkflowId) != "sender" {
		t.Fatalf("target's WorkflowExecutionCancelRequested %+v", cr)
	}
}

// A run that signals another and requests a third's cancel in the batch
// that completes it still delivers both (a child's last word to its parent
// is often a signal sent as it completes); its own history ends with its
// completion, and once delivered it owes nothing.
func TestExternalRequestsOfAClosingRun(t *testing.T) {
	w := newWorld(t)
	b := w.start("target")
	w.decide(w.pollDecision().TaskToken)
	c := w.start("cancelled")
	w.decide(w.pollDecision().TaskToken)
	a := w.start("sender")
	w.decide(w.pollDecision().TaskToken,
		types.Decision{DecisionType: types.DecisionTypeSignalExternalWorkflowExecution, SignalExternalWorkflowExecutionDecisionAttributes: &types.SignalExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: b.WorkflowId, SignalName: aws.String("bye"), Input: aws.String("last word")}},
		types.Decision{DecisionType: types.DecisionTypeRequestCancelExternalWorkflowExecution, RequestCancelExternalWorkflowExecutionDecisionAttributes: &types.RequestCancelExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: c.WorkflowId}},
		completeWorkflow("done"),
	)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		sig := findEvent(w.history(b), types.EventTypeWorkflowExecutionSignaled).WorkflowExecutionSignaledEventAttributes
		cr := findEvent(w.history(c), types.EventTypeWorkflowExecutionCancelRequested).WorkflowExecutionCancelRequestedEventAttributes
		if sig != nil && cr != nil {
			if aws.ToString(sig.Input) != "last word" || aws.ToString(sig.ExternalWorkflowExecution.RunId) != aws.ToString(a.RunId) ||
				aws.ToString(cr.ExternalWorkflowExecution.RunId) != aws.ToString(a.RunId) {
				t.Fatalf("signal %+v, cancel request %+v", sig, cr)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the closed sender's requests were not delivered: target %v, cancelled %v", eventTypes(w.history(b)), eventTypes(w.history(c)))
		}
	}
	events := w.history(a)
	if last := events[len(events)-1].EventType; last != types.EventTypeWorkflowExecutionCompleted {
		t.Fatalf("the sender's history ends with %s: %v", last, eventTypes(events))
	}
}
