package service_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// startedActivity runs a workflow up to a started activity and returns the
// execution and the activity task.
func (w *world) startedActivity(id string, decision types.Decision) (*types.WorkflowExecution, *swf.PollForActivityTaskOutput) {
	w.t.Helper()
	ex := w.start(id)
	w.decide(w.pollDecision().TaskToken, decision)
	return ex, w.pollActivity()
}

func heartbeat(w *world, token *string, details *string) (*swf.RecordActivityTaskHeartbeatOutput, error) {
	return w.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: token, Details: details})
}

func TestHeartbeatKeepsActivityAliveWithoutHistory(t *testing.T) {
	w := newWorld(t)
	ex, at := w.startedActivity("hb", scheduleActivity("a"))
	before := len(w.history(ex))
	// Heartbeats every 20 s keep a 30 s heartbeat timeout from firing.
	for i := range 5 {
		w.clk.Advance(20 * time.Second)
		out, err := heartbeat(w, at.TaskToken, aws.String("progress "+string(rune('0'+i))))
		must(t, err)
		if out.CancelRequested {
			t.Fatal("cancelRequested without a request")
		}
	}
	time.Sleep(50 * time.Millisecond) // let any wrongly armed timer fire
	if events := w.history(ex); len(events) != before {
		t.Fatalf("heartbeats changed the history: %v", eventTypes(events[before:]))
	}
	// Then silence: the heartbeat timeout fires with the last details.
	w.clk.Advance(31 * time.Second)
	events := w.waitFor(ex, types.EventTypeActivityTaskTimedOut)
	to := findEvent(events, types.EventTypeActivityTaskTimedOut).ActivityTaskTimedOutEventAttributes
	if to.TimeoutType != types.ActivityTaskTimeoutTypeHeartbeat || aws.ToString(to.Details) != "progress 4" || to.ScheduledEventId != 5 || to.StartedEventId != 6 {
		t.Fatalf("ActivityTaskTimedOut %+v", to)
	}
	if events[len(events)-1].EventType != types.EventTypeDecisionTaskScheduled {
		t.Fatalf("no decision task after the timeout: %v", eventTypes(events))
	}
	_, err := heartbeat(w, at.TaskToken, nil)
	wantFault(t, err, "UnknownResourceFault", "Unknown activity, scheduledEventId = 5")
	_, err = w.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: at.TaskToken})
	wantFault(t, err, "UnknownResourceFault", "Unknown activity, scheduledEventId = 5")
}

func TestHeartbeatNeverExtendsStartToClose(t *testing.T) {
	w := newWorld(t)
	ex, at := w.startedActivity("s2c", scheduleActivity("a"))
	// start-to-close is 300 s; heartbeating every 20 s does not extend it.
	for range 14 {
		w.clk.Advance(20 * time.Second)
		_, err := heartbeat(w, at.TaskToken, nil)
		must(t, err)
	}
	// At 300 s the task has timed out: a heartbeat is refused even before
	// the timeout's timer has been handled.
	w.clk.Advance(20 * time.Second)
	_, err := heartbeat(w, at.TaskToken, nil)
	wantFault(t, err, "UnknownResourceFault", "Unknown activity, scheduledEventId = 5")
	events := w.waitFor(ex, types.EventTypeActivityTaskTimedOut)
	if to := findEvent(events, types.EventTypeActivityTaskTimedOut).ActivityTaskTimedOutEventAttributes; to.TimeoutType != types.ActivityTaskTimeoutTypeStartToClose {
		t.Fatalf("timeout type %s, want START_TO_CLOSE", to.TimeoutType)
	}
	_, err = heartbeat(w, at.TaskToken, nil)
	wantFault(t, err, "UnknownResourceFault", "")
}

func TestHeartbeatFaults(t *testing.T) {
	w := newWorld(t)
	ex, at := w.startedActivity("hf", scheduleActivity("a"))
	_, err := heartbeat(w, at.TaskToken, aws.String(strings.Repeat("x", 2049)))
	wantFault(t, err, "ValidationException", "Member must have length less than or equal to 2048")
	_, err = heartbeat(w, at.TaskToken, aws.String(strings.Repeat("x", 2048)))
	must(t, err)
	// A token openswf never made is malformed, as a forged page token is.
	_, err = heartbeat(w, aws.String("forged-token"), nil)
	wantFault(t, err, "ValidationException", "Invalid token")
	wantRawFault(t, w.s.URL, "RecordActivityTaskHeartbeat", `{}`, "ValidationException", "Value null at 'taskToken' failed to satisfy constraint: Member must not be null")
	// A decision task's token is not an activity's.
	w.start("other")
	dt := w.pollDecision()
	_, err = heartbeat(w, dt.TaskToken, nil)
	wantFault(t, err, "UnknownResourceFault", "")

	// After the execution is terminated, its tasks are unknown.
	_, err = w.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId})
	must(t, err)
	_, err = heartbeat(w, at.TaskToken, nil)
	wantFault(t, err, "UnknownResourceFault", "")
	_, err = w.c.RespondActivityTaskFailed(ctx, &swf.RespondActivityTaskFailedInput{TaskToken: at.TaskToken})
	wantFault(t, err, "UnknownResourceFault", "")
}

func TestCancelActivityRoundTrip(t *testing.T) {
	w := newWorld(t)
	ex, at := w.startedActivity("cancel", scheduleActivity("a"))
	w.s.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, SignalName: aws.String("stop")})
	dt := w.pollDecision()
	w.decide(dt.TaskToken, types.Decision{
		DecisionType: types.DecisionTypeRequestCancelActivityTask,
		RequestCancelActivityTaskDecisionAttributes: &types.RequestCancelActivityTaskDecisionAttributes{ActivityId: aws.String("a")},
	})
	out, err := heartbeat(w, at.TaskToken, nil)
	must(t, err)
	if !out.CancelRequested {
		t.Fatal("cancelRequested is false after RequestCancelActivityTask")
	}
	_, err = w.c.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: at.TaskToken, Details: aws.String("stopped")})
	must(t, err)
	events := w.history(ex)
	c := findEvent(events, types.EventTypeActivityTaskCanceled).ActivityTaskCanceledEventAttributes
	req := findEvent(events, types.EventTypeActivityTaskCancelRequested)
	if aws.ToString(c.Details) != "stopped" || c.ScheduledEventId != 5 || c.StartedEventId != 6 || c.LatestCancelRequestedEventId != req.EventId {
		t.Fatalf("ActivityTaskCanceled %+v (cancel requested at %d)", c, req.EventId)
	}
	if events[len(events)-1].EventType != types.EventTypeDecisionTaskScheduled {
		t.Fatalf("no decision after the cancel: %v", eventTypes(events))
	}
}

func findEvent(events []types.HistoryEvent, typ types.EventType) types.HistoryEvent {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].EventType == typ {
			return events[i]
		}
	}
	return types.HistoryEvent{}
}
