package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

func requestCancel(id string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeRequestCancelActivityTask,
		RequestCancelActivityTaskDecisionAttributes: &types.RequestCancelActivityTaskDecisionAttributes{ActivityId: aws.String(id)}}
}

// A cancel requested before a worker took the task cancels it at once; one
// for an activity that is not open fails with ACTIVITY_ID_UNKNOWN.
func TestRequestCancelActivityBeforeStart(t *testing.T) {
	w := newWorld(t)
	ex := w.start("rc")
	w.decide(w.pollDecision().TaskToken, scheduleActivity("a"))
	w.decide(mustSignalAndPoll(w, ex).TaskToken, requestCancel("a"), requestCancel("nope"))
	events := w.history(ex)
	canceled := findEvent(events, types.EventTypeActivityTaskCanceled).ActivityTaskCanceledEventAttributes
	if canceled == nil || canceled.ScheduledEventId != 5 || canceled.StartedEventId != 0 {
		t.Fatalf("ActivityTaskCanceled %+v in %v", canceled, eventTypes(events))
	}
	failed := findEvent(events, types.EventTypeRequestCancelActivityTaskFailed).RequestCancelActivityTaskFailedEventAttributes
	if failed == nil || failed.Cause != types.RequestCancelActivityTaskFailedCauseActivityIdUnknown || aws.ToString(failed.ActivityId) != "nope" {
		t.Fatalf("RequestCancelActivityTaskFailed %+v", failed)
	}
	n, err := w.c.CountPendingActivityTasks(ctx, &swf.CountPendingActivityTasksInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(workers)}})
	must(t, err)
	if n.Count != 0 {
		t.Fatalf("the canceled task is still queued (%d)", n.Count)
	}
}

// startAtPreviousStartedEvent gives a decider only what is new since its
// last decision task.
func TestStartAtPreviousStartedEvent(t *testing.T) {
	w := newWorld(t)
	ex := w.start("prev")
	w.decide(w.pollDecision().TaskToken, scheduleActivity("a"))
	_, err := w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, SignalName: aws.String("s")})
	must(t, err)
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	dt, err := w.c.PollForDecisionTask(c, &swf.PollForDecisionTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(deciders)}, StartAtPreviousStartedEvent: true})
	must(t, err)
	if dt.PreviousStartedEventId != 3 || len(dt.Events) == 0 || dt.Events[0].EventId != 3 {
		t.Fatalf("previous %d, first event %v", dt.PreviousStartedEventId, eventTypes(dt.Events))
	}
	wantTypes(t, dt.Events, "DecisionTaskStarted", "DecisionTaskCompleted", "ActivityTaskScheduled", "WorkflowExecutionSignaled", "DecisionTaskScheduled", "DecisionTaskStarted")
}

// mustSignalAndPoll signals the run and returns the decision task that the
// signal brings.
func mustSignalAndPoll(w *world, ex *types.WorkflowExecution) *swf.PollForDecisionTaskOutput {
	w.t.Helper()
	_, err := w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, RunId: ex.RunId, SignalName: aws.String("go")})
	must(w.t, err)
	return w.pollDecision()
}
