package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/swftest"
)

func TestActivityScheduleTimeouts(t *testing.T) {
	w := newWorld(t)
	// Never picked up: SCHEDULE_TO_START (600 s) fires, with startedEventId 0.
	ex := w.start("s2s")
	w.decide(w.pollDecision().TaskToken, scheduleActivity("a"))
	w.clk.Advance(601 * time.Second)
	events := w.waitFor(ex, types.EventTypeActivityTaskTimedOut)
	to := findEvent(events, types.EventTypeActivityTaskTimedOut).ActivityTaskTimedOutEventAttributes
	if to.TimeoutType != types.ActivityTaskTimeoutTypeScheduleToStart || to.StartedEventId != 0 || to.ScheduledEventId != 5 {
		t.Fatalf("ActivityTaskTimedOut %+v", to)
	}
	// The timed-out task is no longer delivered.
	n, err := w.c.CountPendingActivityTasks(ctx, &swf.CountPendingActivityTasksInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(workers)}})
	must(t, err)
	if n.Count != 0 {
		t.Fatalf("%d tasks pending after the timeout", n.Count)
	}
	w.decide(w.pollDecision().TaskToken, completeWorkflow(""))

	// SCHEDULE_TO_CLOSE (here 400 s) fires before START_TO_CLOSE (300 s
	// after a start at 200 s), and heartbeats do not put it off.
	ex = w.start("s2c")
	d := scheduleActivity("b")
	d.ScheduleActivityTaskDecisionAttributes.ScheduleToCloseTimeout = aws.String("400")
	w.decide(w.pollDecision().TaskToken, d)
	w.clk.Advance(200 * time.Second)
	at := w.pollActivity()
	for range 20 {
		w.clk.Advance(20 * time.Second)
		_, err := heartbeat(w, at.TaskToken, nil)
		if err != nil {
			break
		}
	}
	events = w.waitFor(ex, types.EventTypeActivityTaskTimedOut)
	if tt := findEvent(events, types.EventTypeActivityTaskTimedOut).ActivityTaskTimedOutEventAttributes.TimeoutType; tt != types.ActivityTaskTimeoutTypeScheduleToClose {
		t.Fatalf("timeout %s, want SCHEDULE_TO_CLOSE", tt)
	}
}

func TestDecisionAndWorkflowTimeouts(t *testing.T) {
	w := newWorld(t)
	ex := w.start("dto")
	w.pollDecision()
	w.clk.Advance(61 * time.Second)
	events := w.waitFor(ex, types.EventTypeDecisionTaskTimedOut)
	wantTypes(t, events, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled")
	if to := events[3].DecisionTaskTimedOutEventAttributes; to.TimeoutType != types.DecisionTaskTimeoutTypeStartToClose || to.ScheduledEventId != 2 || to.StartedEventId != 3 {
		t.Fatalf("DecisionTaskTimedOut %+v", to)
	}
	dt := w.pollDecision()
	if dt.StartedEventId != 6 {
		t.Fatalf("new decision task started at %d", dt.StartedEventId)
	}

	w.clk.Advance(3600 * time.Second)
	events = w.waitFor(ex, types.EventTypeWorkflowExecutionTimedOut)
	if last := events[len(events)-1]; last.EventType != types.EventTypeWorkflowExecutionTimedOut || last.WorkflowExecutionTimedOutEventAttributes.TimeoutType != types.WorkflowExecutionTimeoutTypeStartToClose {
		t.Fatalf("last event %+v", last)
	}
	_, err := w.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: dt.TaskToken})
	wantFault(t, err, "UnknownResourceFault", "")
	_, err = w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, SignalName: aws.String("s")})
	wantFault(t, err, "UnknownResourceFault", "Unknown execution, workflowId = dto")
	_, err = w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, RunId: ex.RunId, SignalName: aws.String("s")})
	wantFault(t, err, "UnknownResourceFault", "")
}

func TestCancelAndTerminate(t *testing.T) {
	w := newWorld(t)
	ex := w.start("c")
	w.decide(w.pollDecision().TaskToken, scheduleActivity("a"))
	_, err := w.c.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId})
	must(t, err)
	dt := w.pollDecision()
	cr := findEvent(dt.Events, types.EventTypeWorkflowExecutionCancelRequested)
	if cr.WorkflowExecutionCancelRequestedEventAttributes == nil {
		t.Fatalf("no cancel request in %v", eventTypes(dt.Events))
	}
	desc, err := w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: ex})
	must(t, err)
	if !desc.ExecutionInfo.CancelRequested || desc.OpenCounts.OpenActivityTasks != 1 || desc.OpenCounts.OpenDecisionTasks != 1 {
		t.Fatalf("describe %+v %+v", desc.ExecutionInfo, desc.OpenCounts)
	}
	w.decide(dt.TaskToken, types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution, CancelWorkflowExecutionDecisionAttributes: &types.CancelWorkflowExecutionDecisionAttributes{}})
	// Its activity task is gone with it.
	n, err := w.c.CountPendingActivityTasks(ctx, &swf.CountPendingActivityTasksInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(workers)}})
	must(t, err)
	if n.Count != 0 {
		t.Fatalf("%d activity tasks pending after close", n.Count)
	}

	ex = w.start("t")
	_, err = w.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, Reason: aws.String("why"), Details: aws.String("d")})
	must(t, err)
	events := w.history(ex)
	term := events[len(events)-1]
	if term.EventType != types.EventTypeWorkflowExecutionTerminated || aws.ToString(term.WorkflowExecutionTerminatedEventAttributes.Reason) != "why" || term.WorkflowExecutionTerminatedEventAttributes.ChildPolicy != types.ChildPolicyTerminate {
		t.Fatalf("terminated %+v", term)
	}
	nd, err := w.c.CountPendingDecisionTasks(ctx, &swf.CountPendingDecisionTasksInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(deciders)}})
	must(t, err)
	if nd.Count != 0 {
		t.Fatalf("%d decision tasks pending after terminate", nd.Count)
	}
	_, err = w.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId})
	wantFault(t, err, "UnknownResourceFault", "")
	// A new run may take the workflow id once the old one closed.
	ex2 := w.start("t")
	if aws.ToString(ex2.RunId) == aws.ToString(ex.RunId) {
		t.Fatal("run id reused")
	}
}

func TestHistoryPaging(t *testing.T) {
	w := newWorld(t)
	ex := w.start("paging")
	for i := range 6 {
		_, err := w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, SignalName: aws.String("s" + string(rune('0'+i)))})
		must(t, err)
	}
	all := w.history(ex)
	if len(all) != 8 {
		t.Fatalf("%d events", len(all))
	}
	var ids []int64
	p := swf.NewGetWorkflowExecutionHistoryPaginator(w.c, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(dom), Execution: ex, MaximumPageSize: 3, ReverseOrder: true})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		must(t, err)
		pages++
		for _, e := range page.Events {
			ids = append(ids, e.EventId)
		}
	}
	if pages != 3 || len(ids) != 8 || ids[0] != 8 || ids[7] != 1 {
		t.Fatalf("reverse pages %d ids %v", pages, ids)
	}

	// A decision task's history comes in pages too, through
	// PollForDecisionTask itself.
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	first, err := w.c.PollForDecisionTask(c, &swf.PollForDecisionTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(deciders)}, MaximumPageSize: 4})
	must(t, err)
	if len(first.Events) != 4 || first.NextPageToken == nil {
		t.Fatalf("first page %d events, token %v", len(first.Events), first.NextPageToken)
	}
	second, err := w.c.PollForDecisionTask(c, &swf.PollForDecisionTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(deciders)}, MaximumPageSize: 4, NextPageToken: first.NextPageToken})
	must(t, err)
	if aws.ToString(second.TaskToken) != aws.ToString(first.TaskToken) || second.StartedEventId != first.StartedEventId || len(second.Events) == 0 || second.Events[0].EventId != 5 {
		t.Fatalf("second page %+v", second)
	}
	last := second.Events[len(second.Events)-1]
	if last.EventType != types.EventTypeDecisionTaskStarted && second.NextPageToken == nil {
		t.Fatalf("history ends at %s", last.EventType)
	}

	_, err = w.c.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(dom), Execution: &types.WorkflowExecution{WorkflowId: ex.WorkflowId, RunId: aws.String("nope")}})
	wantFault(t, err, "UnknownResourceFault", "")
}

// TestWallClockTimer runs on the real clock: a 1 s timer's TimerFired and
// the decision task after it come within 1.5 s. Alone it takes ~1.04 s;
// the margin is for a loaded 2-core CI machine (1.107 s seen once), and
// is still far under the 5 s a timer found only by the poller's next look
// would take.
func TestWallClockTimer(t *testing.T) {
	s := swftest.Start(t, swftest.Options{Clock: clock.Real{}, LongPoll: 5 * time.Second})
	w := &world{t: t, s: s, c: s.Client}
	registerDomain(t, w.c, dom)
	_, err := w.c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: aws.String(dom), Name: aws.String(wfName), Version: aws.String(typeVer),
		DefaultTaskList: &types.TaskList{Name: aws.String(deciders)}, DefaultTaskStartToCloseTimeout: aws.String("60"),
		DefaultExecutionStartToCloseTimeout: aws.String("3600"), DefaultChildPolicy: types.ChildPolicyTerminate,
	})
	must(t, err)
	ex := w.start("wall")
	w.decide(w.pollDecision().TaskToken, types.Decision{DecisionType: types.DecisionTypeStartTimer, StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String("t"), StartToFireTimeout: aws.String("1")}})
	begin := time.Now()
	dt := w.pollDecision()
	elapsed := time.Since(begin)
	if elapsed > 1500*time.Millisecond || elapsed < 900*time.Millisecond {
		t.Fatalf("the 1 s timer's decision task came after %v", elapsed)
	}
	fired := findEvent(dt.Events, types.EventTypeTimerFired)
	started := findEvent(dt.Events, types.EventTypeTimerStarted)
	if d := fired.EventTimestamp.Sub(*started.EventTimestamp); d < time.Second || d > 1100*time.Millisecond {
		t.Fatalf("TimerFired %v after TimerStarted", d)
	}
	w.decide(dt.TaskToken, completeWorkflow(""))
	_ = ex
}
