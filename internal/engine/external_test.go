package engine

import (
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

func signalExternal(workflowID, runID, name string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeSignalExternalWorkflowExecution),
		SignalExternalWorkflowExecutionDecisionAttributes: &swfapi.SignalExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: swfapi.Ptr(workflowID), RunId: optional(runID), SignalName: swfapi.Ptr(name), Input: swfapi.Ptr("in")}}
}

func cancelExternal(workflowID string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeRequestCancelExternalWorkflowExecution),
		RequestCancelExternalWorkflowExecutionDecisionAttributes: &swfapi.RequestCancelExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: swfapi.Ptr(workflowID), Control: swfapi.Ptr("c")}}
}

func TestExternalRequests(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.decide(signalExternal("other", "", "hello"), cancelExternal("third"))
	equalLines(t, "initiated", h.since(5), []string{
		"5 SignalExternalWorkflowExecutionInitiated decisionTaskCompletedEventId=4 input=in signalName=hello workflowId=other",
		"6 RequestCancelExternalWorkflowExecutionInitiated control=c decisionTaskCompletedEventId=4 workflowId=third",
	})
	for _, key := range []string{"external/5/deliver", "external/6/deliver"} {
		if _, ok := h.timers[key]; !ok {
			t.Fatalf("no delivery timer %s in %v", key, h.timers)
		}
		if id, ok := ExternalKey(key); !ok || id < 5 {
			t.Fatalf("ExternalKey(%s) = %d, %v", key, id, ok)
		}
	}
	if r, ok := h.e.Request(5); !ok || r.SignalName != "hello" || r.Cancel {
		t.Fatalf("request 5: %+v %v", r, ok)
	}
	h.do("delivered", func() (Effects, error) { return h.e.ExternalDelivered(5, "run-other", h.now) })
	h.do("failed", func() (Effects, error) { return h.e.ExternalFailed(6, h.now) })
	equalLines(t, "outcomes", h.since(7), []string{
		`7 ExternalWorkflowExecutionSignaled initiatedEventId=5 workflowExecution={"runId":"run-other","workflowId":"other"}`,
		"8 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
		"9 RequestCancelExternalWorkflowExecutionFailed cause=UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION control=c decisionTaskCompletedEventId=4 initiatedEventId=6 workflowId=third",
	})
	if len(h.e.External) != 0 || len(h.timers) == 0 {
		t.Fatalf("requests left %v", h.e.External)
	}
	for key := range h.timers {
		if _, ok := ExternalKey(key); ok {
			t.Fatalf("delivery timer %s left armed", key)
		}
	}
	// An answer for a request no longer owed changes nothing.
	fx := h.do("again", func() (Effects, error) { return h.e.ExternalDelivered(5, "run-other", h.now) })
	if len(fx.Events) != 0 {
		t.Fatalf("second answer recorded %v", h.eventsOf(fx))
	}
}

func TestReceiveExternal(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	src := swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr("src"), RunId: swfapi.Ptr("run-src")}
	signal := ExternalRequest{SignalName: "s", Input: swfapi.Ptr("i")}
	h.do("signal", func() (Effects, error) { return h.e.ReceiveExternal(signal, src, 7, h.now) })
	fx := h.do("redelivered", func() (Effects, error) { return h.e.ReceiveExternal(signal, src, 7, h.now) })
	if len(fx.Events) != 0 {
		t.Fatalf("a redelivered signal was recorded again: %v", h.eventsOf(fx))
	}
	h.do("cancel", func() (Effects, error) { return h.e.ReceiveExternal(ExternalRequest{Cancel: true}, src, 8, h.now) })
	equalLines(t, "received", h.since(3), []string{
		`3 WorkflowExecutionSignaled externalInitiatedEventId=7 externalWorkflowExecution={"runId":"run-src","workflowId":"src"} input=i signalName=s`,
		`4 WorkflowExecutionCancelRequested externalInitiatedEventId=8 externalWorkflowExecution={"runId":"run-src","workflowId":"src"}`,
	})
	if !h.e.CancelRequested {
		t.Fatal("cancel not requested")
	}
}
