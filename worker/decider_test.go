package worker_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/worker"
)

// The decider reads every page of a history longer than a page (1000
// events) before deciding.
func TestDeciderPagesHistory(t *testing.T) {
	t.Parallel() // not timing-sensitive: runs beside the others
	e := newEnv(t, envOptions{})
	const markers = 1100
	e.runDecider(func(ctx context.Context, task *worker.DecisionTask) ([]types.Decision, error) {
		for i, ev := range task.Events {
			if ev.EventId != int64(i+1) {
				return nil, errors.New("events missing or out of order")
			}
		}
		if ev := task.Event(task.StartedEventID); ev == nil || ev.EventType != types.EventTypeDecisionTaskStarted {
			return nil, errors.New("no DecisionTaskStarted at startedEventId")
		}
		if task.PreviousStartedEventID == 0 {
			// The first decision: a long history, then a timer to decide again.
			var ds []types.Decision
			for i := range markers {
				ds = append(ds, worker.RecordMarker("m", strconv.Itoa(i)))
			}
			return append(ds, worker.StartTimer("again", 0)), nil
		}
		n := countEvents(task, types.EventTypeMarkerRecorded)
		return []types.Decision{worker.CompleteWorkflow(strconv.Itoa(n) + " " + strconv.Itoa(len(task.NewEvents())))}, nil
	})
	ex := e.start("long", "")
	done := e.waitFor(ex, types.EventTypeWorkflowExecutionCompleted, 20*time.Second)
	// All the markers; new since the first decision: DecisionTaskCompleted,
	// the markers, TimerStarted, TimerFired, DecisionTaskScheduled and
	// DecisionTaskStarted.
	if r := aws.ToString(done.WorkflowExecutionCompletedEventAttributes.Result); r != "1100 1105" {
		t.Fatalf("result %q", r)
	}
	pages := 0
	for _, c := range e.rec.of("PollForDecisionTask", "") {
		if c.in.(*swfapi.PollForDecisionTaskInput).NextPageToken != nil {
			pages++
		}
	}
	if pages == 0 {
		t.Fatal("the history came in one page: paging not exercised")
	}
}

// A decider that fails (an error, a panic) leaves its task unanswered: the
// task times out and SWF hands out another, which succeeds.
func TestDeciderErrorIsRetried(t *testing.T) {
	t.Parallel() // not timing-sensitive: runs beside the others
	e := newEnv(t, envOptions{taskTimeout: "1"})
	var calls atomic.Int32
	e.runDecider(func(ctx context.Context, task *worker.DecisionTask) ([]types.Decision, error) {
		switch calls.Add(1) {
		case 1:
			panic("decider bug")
		case 2:
			return nil, errors.New("a store the decider needs is down")
		}
		return []types.Decision{worker.CompleteWorkflow("third time")}, nil
	})
	ex := e.start("retried", "")
	done := e.waitFor(ex, types.EventTypeWorkflowExecutionCompleted, 20*time.Second)
	if r := aws.ToString(done.WorkflowExecutionCompletedEventAttributes.Result); r != "third time" {
		t.Fatalf("result %q", r)
	}
	timedOut := 0
	for _, ev := range e.history(ex) {
		if ev.EventType == types.EventTypeDecisionTaskTimedOut {
			timedOut++
		}
	}
	if timedOut != 2 {
		t.Fatalf("%d decision tasks timed out, want 2", timedOut)
	}
}

// Every decision constructor gives a decision the server accepts as is,
// and the history helpers read back what happened.
func TestDecisionsAndHistoryHelpers(t *testing.T) {
	t.Parallel() // not timing-sensitive: runs beside the others
	e := newEnv(t, envOptions{})
	other := e.start("other", "")
	e.runWorker(e.options("acts"), func(ctx context.Context, task *worker.ActivityTask) (string, error) {
		return "did " + task.Input, nil
	})
	var summary atomic.Value
	e.runDecider(func(ctx context.Context, task *worker.DecisionTask) ([]types.Decision, error) {
		if aws.ToString(task.WorkflowExecution.WorkflowId) != "main" {
			if task.CancelRequested() {
				return []types.Decision{worker.CancelWorkflow("as asked")}, nil
			}
			return nil, nil // "other", and the child: wait
		}
		acts, timers, children := task.Activities(), task.Timers(), task.Children()
		switch {
		case task.Input() == "next":
			return []types.Decision{worker.CompleteWorkflow("")}, nil
		case countEvents(task, types.EventTypeExternalWorkflowExecutionCancelRequested) >= 2:
			return []types.Decision{worker.ContinueAsNew("next")}, nil
		case countEvents(task, types.EventTypeRequestCancelExternalWorkflowExecutionInitiated) > 0:
			// The cancel requests are on their way: ask once only (a
			// decision task may come between, for the child's start).
			return nil, nil
		case len(acts) == 0:
			return []types.Decision{
				worker.RecordMarker("m", "note"),
				worker.ScheduleActivity("work", "act", "1", "it"),
				worker.ScheduleActivity("cancel-me", "act", "1", "later"),
				worker.RequestCancelActivity("cancel-me"), // before it starts: canceled at once
				worker.StartTimer("soon", 10*time.Millisecond),
				worker.StartTimer("never", time.Hour),
				worker.CancelTimer("never"),
				worker.StartChildWorkflow("child", "wf", "1", "child input"),
				worker.SignalExternal("other", "", "hello", "there"),
			}, nil
		case acts["work"].Status == worker.StatusCompleted && timers["soon"].Status == worker.StatusFired &&
			children["child"] != nil && children["child"].Status == worker.StatusStarted && !task.Event(task.StartedEventID).EventTimestamp.IsZero():
			summary.Store(acts["work"].Result + "|" + string(acts["cancel-me"].Status) + "|" + string(timers["never"].Status) + "|" + children["child"].Input + "|" + task.Input())
			return []types.Decision{
				worker.RequestCancelExternal("other", ""),
				worker.RequestCancelExternal("child", children["child"].RunID),
			}, nil
		}
		return nil, nil
	})
	main := e.start("main", "first")
	e.waitFor(main, types.EventTypeWorkflowExecutionContinuedAsNew, 20*time.Second)
	e.waitFor(other, types.EventTypeWorkflowExecutionCanceled, 10*time.Second)
	if s, _ := summary.Load().(string); s != "did it|Canceled|Canceled|child input|first" {
		t.Fatalf("summary %q", s)
	}
	for _, ev := range e.history(other) {
		if a := ev.WorkflowExecutionSignaledEventAttributes; a != nil && (aws.ToString(a.SignalName) != "hello" || aws.ToString(a.Input) != "there") {
			t.Fatalf("signal %+v", a)
		}
	}
	failWorkflow := worker.FailWorkflow(string(make([]byte, 300)), "")
	if n := len(*failWorkflow.FailWorkflowExecutionDecisionAttributes.Reason); n != 256 {
		t.Fatalf("FailWorkflow's reason of %d characters", n)
	}
}

func countEvents(t *worker.DecisionTask, et types.EventType) int {
	n := 0
	for _, ev := range t.Events {
		if ev.EventType == et {
			n++
		}
	}
	return n
}
