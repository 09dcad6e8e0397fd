package service_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/swftest"
)

func TestScheduleActivityFailureCauses(t *testing.T) {
	w := newWorld(t)
	registerActivity(t, w.c, dom, "nodefaults", "1")
	registerActivity(t, w.c, dom, "old", "1")
	_, err := w.c.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: aws.String(dom), ActivityType: &types.ActivityType{Name: aws.String("old"), Version: aws.String("1")}})
	must(t, err)

	withType := func(id, name string) types.Decision {
		d := scheduleActivity(id)
		d.ScheduleActivityTaskDecisionAttributes.ActivityType = &types.ActivityType{Name: aws.String(name), Version: aws.String("1")}
		return d
	}
	noDefaults := func(mut func(*types.ScheduleActivityTaskDecisionAttributes)) types.Decision {
		d := withType("nd", "nodefaults")
		a := d.ScheduleActivityTaskDecisionAttributes
		a.TaskList = &types.TaskList{Name: aws.String("t")}
		a.ScheduleToStartTimeout = aws.String("10")
		a.ScheduleToCloseTimeout = aws.String("20")
		a.StartToCloseTimeout = aws.String("10")
		mut(a)
		return d
	}
	tests := []struct {
		name     string
		decision types.Decision
		cause    types.ScheduleActivityTaskFailedCause
	}{
		{"unknown type", withType("x", "missing"), types.ScheduleActivityTaskFailedCauseActivityTypeDoesNotExist},
		{"deprecated type", withType("x", "old"), types.ScheduleActivityTaskFailedCauseActivityTypeDeprecated},
		{"no task list", noDefaults(func(a *types.ScheduleActivityTaskDecisionAttributes) { a.TaskList = nil }), types.ScheduleActivityTaskFailedCauseDefaultTaskListUndefined},
		{"no schedule-to-start", noDefaults(func(a *types.ScheduleActivityTaskDecisionAttributes) { a.ScheduleToStartTimeout = nil }), types.ScheduleActivityTaskFailedCauseDefaultScheduleToStartTimeoutUndefined},
		{"no schedule-to-close", noDefaults(func(a *types.ScheduleActivityTaskDecisionAttributes) { a.ScheduleToCloseTimeout = nil }), types.ScheduleActivityTaskFailedCauseDefaultScheduleToCloseTimeoutUndefined},
		{"no start-to-close", noDefaults(func(a *types.ScheduleActivityTaskDecisionAttributes) { a.StartToCloseTimeout = nil }), types.ScheduleActivityTaskFailedCauseDefaultStartToCloseTimeoutUndefined},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ex := w.start("sched-" + tc.name)
			w.decide(w.pollDecision().TaskToken, tc.decision)
			events := w.history(ex)
			f := findEvent(events, types.EventTypeScheduleActivityTaskFailed).ScheduleActivityTaskFailedEventAttributes
			if f == nil || f.Cause != tc.cause || f.DecisionTaskCompletedEventId != 4 {
				t.Fatalf("ScheduleActivityTaskFailed %+v in %v", f, eventTypes(events))
			}
			if events[len(events)-1].EventType != types.EventTypeDecisionTaskScheduled {
				t.Fatalf("a failed decision schedules a decision task: %v", eventTypes(events))
			}
			w.decide(w.pollDecision().TaskToken, completeWorkflow(""))
		})
	}

	ex := w.start("dup-activity")
	w.decide(w.pollDecision().TaskToken, scheduleActivity("same"), scheduleActivity("same"))
	f := findEvent(w.history(ex), types.EventTypeScheduleActivityTaskFailed).ScheduleActivityTaskFailedEventAttributes
	if f == nil || f.Cause != types.ScheduleActivityTaskFailedCauseActivityIdAlreadyInUse {
		t.Fatalf("duplicate activity id: %+v", f)
	}
}

func TestTimersMarkersAndCancelTimer(t *testing.T) {
	w := newWorld(t)
	ex := w.start("timers")
	w.decide(w.pollDecision().TaskToken,
		types.Decision{DecisionType: types.DecisionTypeRecordMarker, RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{MarkerName: aws.String("m"), Details: aws.String("d")}},
		types.Decision{DecisionType: types.DecisionTypeStartTimer, StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String("t1"), StartToFireTimeout: aws.String("10")}},
		types.Decision{DecisionType: types.DecisionTypeStartTimer, StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String("t2"), StartToFireTimeout: aws.String("100")}},
		types.Decision{DecisionType: types.DecisionTypeStartTimer, StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String("t1"), StartToFireTimeout: aws.String("5")}},
		types.Decision{DecisionType: types.DecisionTypeCancelTimer, CancelTimerDecisionAttributes: &types.CancelTimerDecisionAttributes{TimerId: aws.String("nope")}},
	)
	events := w.history(ex)
	wantTypes(t, events, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
		"MarkerRecorded", "TimerStarted", "TimerStarted", "StartTimerFailed", "CancelTimerFailed", "DecisionTaskScheduled")
	if c := events[7].StartTimerFailedEventAttributes.Cause; c != types.StartTimerFailedCauseTimerIdAlreadyInUse {
		t.Fatalf("StartTimerFailed cause %s", c)
	}
	if c := events[8].CancelTimerFailedEventAttributes.Cause; c != types.CancelTimerFailedCauseTimerIdUnknown {
		t.Fatalf("CancelTimerFailed cause %s", c)
	}
	dt := w.pollDecision()
	w.decide(dt.TaskToken, types.Decision{DecisionType: types.DecisionTypeCancelTimer, CancelTimerDecisionAttributes: &types.CancelTimerDecisionAttributes{TimerId: aws.String("t2")}})

	w.clk.Advance(10 * time.Second)
	events = w.waitFor(ex, types.EventTypeTimerFired)
	fired := findEvent(events, types.EventTypeTimerFired).TimerFiredEventAttributes
	canceled := findEvent(events, types.EventTypeTimerCanceled).TimerCanceledEventAttributes
	if aws.ToString(fired.TimerId) != "t1" || fired.StartedEventId != 6 || aws.ToString(canceled.TimerId) != "t2" || canceled.StartedEventId != 7 {
		t.Fatalf("TimerFired %+v TimerCanceled %+v", fired, canceled)
	}
	w.clk.Advance(200 * time.Second)
	time.Sleep(50 * time.Millisecond)
	for _, e := range w.history(ex) {
		if e.EventType == types.EventTypeTimerFired && aws.ToString(e.TimerFiredEventAttributes.TimerId) == "t2" {
			t.Fatal("a canceled timer fired")
		}
	}
}

func TestClosingDecisions(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		decision types.Decision
		event    types.EventType
		status   types.CloseStatus
	}{
		{completeWorkflow("r"), types.EventTypeWorkflowExecutionCompleted, types.CloseStatusCompleted},
		{types.Decision{DecisionType: types.DecisionTypeFailWorkflowExecution, FailWorkflowExecutionDecisionAttributes: &types.FailWorkflowExecutionDecisionAttributes{Reason: aws.String("bad"), Details: aws.String("d")}}, types.EventTypeWorkflowExecutionFailed, types.CloseStatusFailed},
		{types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution, CancelWorkflowExecutionDecisionAttributes: &types.CancelWorkflowExecutionDecisionAttributes{Details: aws.String("d")}}, types.EventTypeWorkflowExecutionCanceled, types.CloseStatusCanceled},
	} {
		ex := w.start("close-" + string(tc.event))
		w.decide(w.pollDecision().TaskToken, tc.decision)
		events := w.history(ex)
		if last := events[len(events)-1]; last.EventType != tc.event {
			t.Fatalf("last event %s, want %s", last.EventType, tc.event)
		}
		desc, err := w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: ex})
		must(t, err)
		if desc.ExecutionInfo.CloseStatus != tc.status || desc.ExecutionInfo.CloseTimestamp == nil {
			t.Fatalf("close status %s", desc.ExecutionInfo.CloseStatus)
		}
	}

	// A closing decision must be the last of its batch; nothing is applied
	// and the task can be completed again.
	ex := w.start("close-not-last")
	dt := w.pollDecision()
	_, err := w.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: dt.TaskToken, Decisions: []types.Decision{completeWorkflow(""), scheduleActivity("a")}})
	wantFault(t, err, "ValidationException", "")
	if n := len(w.history(ex)); n != 3 {
		t.Fatalf("a refused batch changed the history to %d events", n)
	}
	w.decide(dt.TaskToken, completeWorkflow(""))
}

func TestUnhandledDecision(t *testing.T) {
	w := newWorld(t)
	ex := w.start("unhandled")
	dt := w.pollDecision()
	// A signal arrives while the decider works.
	_, err := w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, SignalName: aws.String("s"), Input: aws.String("i")})
	must(t, err)
	w.decide(dt.TaskToken, completeWorkflow(""))
	events := w.history(ex)
	// As in SWF's own histories, the signal schedules the next decision
	// task at once, while the first is still started.
	wantTypes(t, events, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "WorkflowExecutionSignaled",
		"DecisionTaskScheduled", "DecisionTaskCompleted", "CompleteWorkflowExecutionFailed")
	if c := events[6].CompleteWorkflowExecutionFailedEventAttributes.Cause; c != types.CompleteWorkflowExecutionFailedCauseUnhandledDecision {
		t.Fatalf("cause %s", c)
	}
	sig := events[3].WorkflowExecutionSignaledEventAttributes
	if aws.ToString(sig.SignalName) != "s" || aws.ToString(sig.Input) != "i" {
		t.Fatalf("signal %+v", sig)
	}
	w.decide(w.pollDecision().TaskToken, completeWorkflow(""))
}

// TestLatestExecutionContext: DescribeWorkflowExecution answers the latest
// executionContext a decider gave, read from its DecisionTaskCompleted
// event, on this node and on another reading the same store, and after a
// completion without one.
func TestLatestExecutionContext(t *testing.T) {
	w := newWorld(t)
	ex := w.start("context")
	describe := func(w *world) *string {
		t.Helper()
		out, err := w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: ex})
		must(t, err)
		return out.LatestExecutionContext
	}
	respond := func(context *string) {
		t.Helper()
		_, err := w.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: w.pollDecision().TaskToken, ExecutionContext: context})
		must(t, err)
	}
	signal := func() {
		t.Helper()
		_, err := w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, RunId: ex.RunId, SignalName: aws.String("next")})
		must(t, err)
	}
	if got := describe(w); got != nil {
		t.Fatalf("before any decision: %q", *got)
	}
	respond(aws.String("first"))
	signal()
	respond(nil)
	if got := describe(w); aws.ToString(got) != "first" {
		t.Fatalf("after a decision without one: %v, want first", got)
	}
	signal()
	respond(aws.String("second"))
	other := w.otherNode(swftest.Options{})
	for name, w := range map[string]*world{"this node": w, "another node": other} {
		if got := describe(w); aws.ToString(got) != "second" {
			t.Errorf("%s: %v, want second", name, got)
		}
	}
}
