package engine

import (
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

// Decisions refused before the batch reached the run (by policy or by rate)
// record their failure events with the given causes, give the decider a new
// task, and leave the rest of the batch to be judged as usual.
func TestRefusedDecisions(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.decide(startTimer("kept", "60"), schedule("started", "act/1"))
	h.startActivity(h.e.ActivityIDs["started"])
	h.do("Signal", func() (Effects, error) { return h.e.Signal("go", nil, h.now) })
	h.refused = map[int]string{
		0:  "OPERATION_NOT_PERMITTED",
		2:  "TIMER_CREATION_RATE_EXCEEDED",
		3:  "OPERATION_NOT_PERMITTED",
		4:  "OPERATION_NOT_PERMITTED",
		5:  "SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
		6:  "OPERATION_NOT_PERMITTED",
		7:  "CHILD_CREATION_RATE_EXCEEDED",
		8:  "OPERATION_NOT_PERMITTED",
		9:  "OPERATION_NOT_PERMITTED", // not a cause of ScheduleLambdaFunctionFailed: judged as usual
		10: "OPERATION_NOT_PERMITTED",
	}
	lambda := swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeScheduleLambdaFunction),
		ScheduleLambdaFunctionDecisionAttributes: &swfapi.ScheduleLambdaFunctionDecisionAttributes{Id: swfapi.Ptr("l"), Name: swfapi.Ptr("fn")}}
	from := int64(len(h.history)) + 1
	h.decide(
		schedule("denied", "act/1"),
		schedule("allowed", "act/1"),
		startTimer("t", "5"),
		cancelTimer("kept"),
		marker("m", ""),
		signalExternal("other", "", "sig"),
		cancelExternal("other"),
		startChild("child", "flow/1"),
		cancelActivity("started"),
		lambda,
		completeWorkflow("done"),
	)
	equalLines(t, "batch", h.since(from+2), []string{
		"12 ScheduleActivityTaskFailed activityId=denied activityType=act/1 cause=OPERATION_NOT_PERMITTED decisionTaskCompletedEventId=11",
		"13 ActivityTaskScheduled activityId=allowed activityType=act/1 decisionTaskCompletedEventId=11 heartbeatTimeout=NONE scheduleToCloseTimeout=600 scheduleToStartTimeout=60 startToCloseTimeout=300 taskList=workers",
		"14 StartTimerFailed cause=TIMER_CREATION_RATE_EXCEEDED decisionTaskCompletedEventId=11 timerId=t",
		"15 CancelTimerFailed cause=OPERATION_NOT_PERMITTED decisionTaskCompletedEventId=11 timerId=kept",
		"16 RecordMarkerFailed cause=OPERATION_NOT_PERMITTED decisionTaskCompletedEventId=11 markerName=m",
		"17 SignalExternalWorkflowExecutionFailed cause=SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED decisionTaskCompletedEventId=11 initiatedEventId=0 workflowId=other",
		"18 RequestCancelExternalWorkflowExecutionFailed cause=OPERATION_NOT_PERMITTED control=c decisionTaskCompletedEventId=11 initiatedEventId=0 workflowId=other",
		"19 StartChildWorkflowExecutionFailed cause=CHILD_CREATION_RATE_EXCEEDED decisionTaskCompletedEventId=11 initiatedEventId=0 workflowId=child workflowType=flow/1",
		"20 RequestCancelActivityTaskFailed activityId=started cause=OPERATION_NOT_PERMITTED decisionTaskCompletedEventId=11",
		"21 ScheduleLambdaFunctionFailed cause=LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION decisionTaskCompletedEventId=11 id=l name=fn",
		"22 CompleteWorkflowExecutionFailed cause=OPERATION_NOT_PERMITTED decisionTaskCompletedEventId=11",
		"23 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
	})
	if !h.e.Open || len(h.e.Timers) != 1 || h.e.Activities[h.e.ActivityIDs["started"]].CancelRequested {
		t.Fatalf("state after refusals: open %v timers %v", h.e.Open, h.e.Timers)
	}

	// Every closing decision refused ends its batch like any failed close.
	for _, d := range []swfapi.Decision{failWorkflow("r"), cancelWorkflow("d"), continueAsNew("in")} {
		h.refused = map[int]string{0: "OPERATION_NOT_PERMITTED"}
		fx := h.decide(d)
		got := h.eventsOf(fx)
		if len(got) != 3 || !h.e.Open {
			t.Fatalf("%s refused: %v", *d.DecisionType, got)
		}
	}
	h.refused = map[int]string{0: "CONTINUE_AS_NEW_WORKFLOW_EXECUTION_RATE_EXCEEDED"}
	equalLines(t, "continue over its rate", h.eventsOf(h.decide(continueAsNew("in")))[1:2], []string{
		"38 ContinueAsNewWorkflowExecutionFailed cause=CONTINUE_AS_NEW_WORKFLOW_EXECUTION_RATE_EXCEEDED decisionTaskCompletedEventId=37",
	})
}
