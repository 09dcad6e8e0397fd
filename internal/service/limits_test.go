package service_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	"github.com/aws/smithy-go"

	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/swftest"
)

func recordMarker(name string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeRecordMarker,
		RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{MarkerName: aws.String(name)}}
}

// A run whose history fills up is terminated, its termination the last
// event, within the limit.
func TestHistoryEventLimit(t *testing.T) {
	w := newWorldWith(t, swftest.Options{Limits: &service.Limits{HistoryEvents: 20}})
	ex := w.start("chatty")
	// The decider records markers and signals itself for the next
	// decision task, until the run is gone.
	for i := 0; ; i++ {
		if i == 20 {
			t.Fatal("the run was never terminated")
		}
		w.decide(w.pollDecision().TaskToken, recordMarker("a"), recordMarker("b"), recordMarker("c"))
		_, err := w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, SignalName: aws.String("more")})
		if err != nil {
			wantFault(t, err, "UnknownResourceFault", "")
			break
		}
	}
	events := w.history(ex)
	if len(events) != 20 {
		t.Fatalf("%d events: %v", len(events), eventTypes(events))
	}
	last := events[19]
	if a := last.WorkflowExecutionTerminatedEventAttributes; last.EventType != types.EventTypeWorkflowExecutionTerminated || a == nil ||
		a.Cause != types.WorkflowExecutionTerminatedCauseEventLimitExceeded || a.ChildPolicy != types.ChildPolicyTerminate {
		t.Fatalf("last event %s %+v", last.EventType, last.WorkflowExecutionTerminatedEventAttributes)
	}
	out, err := w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: ex})
	must(t, err)
	if out.ExecutionInfo.ExecutionStatus != types.ExecutionStatusClosed || out.ExecutionInfo.CloseStatus != types.CloseStatusTerminated {
		t.Fatalf("run %s %s", out.ExecutionInfo.ExecutionStatus, out.ExecutionInfo.CloseStatus)
	}
}

// The per-run limits are settings too.
func TestOpenActivitiesAndTimersLimits(t *testing.T) {
	w := newWorldWith(t, swftest.Options{Limits: &service.Limits{OpenActivities: 1, OpenTimers: 1}})
	ex := w.start("busy")
	timer := func(id string) types.Decision {
		return types.Decision{DecisionType: types.DecisionTypeStartTimer,
			StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String(id), StartToFireTimeout: aws.String("600")}}
	}
	w.decide(w.pollDecision().TaskToken, scheduleActivity("a"), scheduleActivity("b"), timer("t1"), timer("t2"))
	events := w.history(ex)
	wantTypes(t, events[4:8], "ActivityTaskScheduled", "ScheduleActivityTaskFailed", "TimerStarted", "StartTimerFailed")
	if c := events[5].ScheduleActivityTaskFailedEventAttributes.Cause; c != types.ScheduleActivityTaskFailedCauseOpenActivitiesLimitExceeded {
		t.Fatalf("activity failed: %s", c)
	}
	if c := events[7].StartTimerFailedEventAttributes.Cause; c != types.StartTimerFailedCauseOpenTimersLimitExceeded {
		t.Fatalf("timer failed: %s", c)
	}
}

// pollUntil polls the deciders' task list until it gets a decision task of
// workflowID; the tasks of other runs it gets are left to time out.
func (w *world) pollUntil(workflowID string) *swf.PollForDecisionTaskOutput {
	w.t.Helper()
	for range 10 {
		if out := w.pollDecision(); *out.WorkflowExecution.WorkflowId == workflowID {
			return out
		}
	}
	w.t.Fatalf("no decision task of %s", workflowID)
	return nil
}

func TestOpenExecutionsPerDomainLimit(t *testing.T) {
	w := newWorldWith(t, swftest.Options{Limits: &service.Limits{OpenExecutionsPerDomain: 2}})
	parent := w.start("parent")
	other := w.start("other")
	// The domain is full: a third start is refused.
	_, err := w.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{
		Domain: aws.String(dom), WorkflowId: aws.String("third"),
		WorkflowType: &types.WorkflowType{Name: aws.String(wfName), Version: aws.String(typeVer)},
	})
	wantFault(t, err, "LimitExceededFault", "Limit of 2 open workflow executions in domain "+dom)

	// So is a child: its start fails in the parent's history.
	w.decide(w.pollUntil("parent").TaskToken, startChildDecision("kid"))
	events := w.waitFor(parent, types.EventTypeStartChildWorkflowExecutionFailed)
	failed := events[len(events)-2]
	if a := failed.StartChildWorkflowExecutionFailedEventAttributes; a == nil || a.Cause != types.StartChildWorkflowExecutionFailedCauseOpenWorkflowsLimitExceeded ||
		a.InitiatedEventId != 5 || *a.WorkflowId != "kid" || *a.Control != "ctl" {
		t.Fatalf("child start failed: %s %+v", failed.EventType, failed.StartChildWorkflowExecutionFailedEventAttributes)
	}

	// Continuing as new closes one run as it opens one: no check.
	w.decide(w.pollUntil("parent").TaskToken, types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution,
		ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{}})
	events = w.history(parent)
	if last := events[len(events)-1]; last.EventType != types.EventTypeWorkflowExecutionContinuedAsNew {
		t.Fatalf("parent ended with %s", last.EventType)
	}

	// A run that closes makes room.
	_, err = w.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: other.WorkflowId})
	must(t, err)
	w.start("third")
}

// A task list has room for so many waiting pollers; one more is refused at
// once, while other task lists, and the same name of the other kind, have
// their own room.
func TestPollersPerTaskListLimit(t *testing.T) {
	w := newWorldWith(t, swftest.Options{Limits: &service.Limits{PollersPerTaskList: 2}})
	pollCtx, stopPolls := context.WithCancel(ctx)
	defer stopPolls()
	// Three pollers wait on one task list: whichever comes last is refused
	// at once, and the other two keep waiting (the server's clock stands
	// still).
	done := make(chan error, 3)
	for range 3 {
		go func() {
			_, err := w.c.PollForActivityTask(pollCtx, &swf.PollForActivityTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(workers)}})
			done <- err
		}()
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("no poller was refused")
	}
	wantFault(t, err, "LimitExceededFault", "Limit of 2 concurrent pollers of activity task list "+workers+" in domain "+dom)
	// poll polls briefly and returns the fault it got, or nil when it was
	// let in to wait until the client gave up.
	poll := func(kind, list string) error {
		c, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		var err error
		if kind == "activity" {
			_, err = w.c.PollForActivityTask(c, &swf.PollForActivityTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(list)}})
		} else {
			_, err = w.c.PollForDecisionTask(c, &swf.PollForDecisionTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(list)}})
		}
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			return err
		}
		if c.Err() == nil {
			t.Fatalf("%s poll of %s: %v", kind, list, err)
		}
		return nil
	}
	err = poll("activity", workers)
	wantFault(t, err, "LimitExceededFault", "Limit of 2 concurrent pollers of activity task list "+workers+" in domain "+dom)
	if err := poll("activity", "elsewhere"); err != nil {
		t.Fatalf("a poll of another task list: %v", err)
	}
	if err := poll("decision", workers); err != nil {
		t.Fatalf("a decision poll of a task list of the same name: %v", err)
	}
	// A poller that goes away makes room.
	stopPolls()
	<-done
	<-done
	// (The server learns that they left as their connections close.)
	deadline := time.Now().Add(5 * time.Second)
	for poll("activity", workers) != nil {
		if time.Now().After(deadline) {
			t.Fatal("pollers that left still count")
		}
	}
}

// Starts racing for the last places of a domain: on SQLite exactly as
// many as the limit leaves succeed and the rest are LimitExceededFault;
// on PostgreSQL starts committing at the same moment may pass it, by at
// most as many as race.
func TestOpenExecutionsLimitRacingStarts(t *testing.T) {
	const limit, starters = 5, 16
	w := newWorldWith(t, swftest.Options{Limits: &service.Limits{OpenExecutionsPerDomain: limit}})
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		started int
		refused int
	)
	for i := range starters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{
				Domain: aws.String(dom), WorkflowId: aws.String(fmt.Sprint("racer-", i)),
				WorkflowType: &types.WorkflowType{Name: aws.String(wfName), Version: aws.String(typeVer)},
			})
			mu.Lock()
			defer mu.Unlock()
			var lim *types.LimitExceededFault
			switch {
			case err == nil:
				started++
			case errors.As(err, &lim):
				refused++
			default:
				t.Errorf("start %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if started+refused != starters {
		t.Fatalf("%d started, %d refused, of %d", started, refused, starters)
	}
	n, err := w.c.CountOpenWorkflowExecutions(ctx, &swf.CountOpenWorkflowExecutionsInput{Domain: aws.String(dom),
		StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}})
	must(t, err)
	if int(n.Count) != started {
		t.Errorf("%d open runs, %d starts succeeded", n.Count, started)
	}
	if os.Getenv("OPENSWF_TEST_STORE") == "postgres" {
		if started < limit {
			t.Errorf("%d of %d racing starts succeeded under a limit of %d", started, starters, limit)
		}
		t.Logf("PostgreSQL: %d of %d racing starts succeeded under a limit of %d", started, starters, limit)
		return
	}
	if started != limit {
		t.Errorf("%d of %d racing starts succeeded under a limit of %d, want exactly %d", started, starters, limit, limit)
	}
}
