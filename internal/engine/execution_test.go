package engine

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

func TestSignal(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.decide()
	h.advance(time.Second)
	fx := h.do("Signal", func() (Effects, error) { return h.e.Signal("go", swfapi.Ptr("payload"), h.now) })
	equalLines(t, "events", h.eventsOf(fx), []string{
		"5 WorkflowExecutionSignaled externalInitiatedEventId=0 input=payload signalName=go",
		"6 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
	})
}

func TestRequestCancel(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.decide()
	fx := h.do("RequestCancel", func() (Effects, error) { return h.e.RequestCancel(h.now) })
	equalLines(t, "events", h.eventsOf(fx), []string{
		"5 WorkflowExecutionCancelRequested externalInitiatedEventId=0",
		"6 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
	})
	if !h.e.CancelRequested || !*h.e.Info().CancelRequested {
		t.Fatal("not marked")
	}
	// A second request is taken as done already.
	if fx := h.do("again", func() (Effects, error) { return h.e.RequestCancel(h.now) }); len(fx.Events) != 0 {
		t.Fatalf("second request recorded %v", h.eventsOf(fx))
	}
	h.decide(cancelWorkflow(""))
	if h.e.CloseStatus != swfapi.CloseStatusCanceled {
		t.Fatal(h.e.CloseStatus)
	}
	// As recorded from SWF, a closed run reads cancelRequested false.
	if *h.e.Info().CancelRequested {
		t.Fatal("cancelRequested after close")
	}
}

func TestTerminate(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.startDecision()
	fx := h.do("Terminate", func() (Effects, error) { return h.e.Terminate(swfapi.Ptr("why"), swfapi.Ptr("how"), nil, h.now) })
	equalLines(t, "events", h.eventsOf(fx), []string{"4 WorkflowExecutionTerminated cause=OPERATOR_INITIATED childPolicy=TERMINATE details=how reason=why"})
	if h.e.CloseStatus != swfapi.CloseStatusTerminated || h.e.Decision != nil {
		t.Fatal("not terminated")
	}
	h2 := newHarness(t, nil, Limits{})
	fx = h2.do("Terminate", func() (Effects, error) {
		return h2.e.Terminate(nil, nil, swfapi.Ptr(swfapi.ChildPolicyAbandon), h2.now)
	})
	equalLines(t, "events", h2.eventsOf(fx), []string{"3 WorkflowExecutionTerminated cause=OPERATOR_INITIATED childPolicy=ABANDON"})
	if len(fx.RemoveTasks) != 1 || fx.RemoveTasks[0].Kind != TaskDecision {
		t.Fatalf("queued decision task left: %v", fx.RemoveTasks)
	}
}

func TestDescribe(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	b, _ := json.Marshal(h.e.Detail())
	want := `{"executionInfo":{"execution":{"workflowId":"wf-1","runId":"run-1"},"workflowType":{"name":"flow","version":"1"},"startTimestamp":1709294400,"executionStatus":"OPEN","cancelRequested":false},` +
		`"executionConfiguration":{"taskStartToCloseTimeout":"30","executionStartToCloseTimeout":"3600","taskList":{"name":"deciders"},"childPolicy":"TERMINATE"},` +
		`"openCounts":{"openActivityTasks":0,"openDecisionTasks":1,"openTimers":0,"openChildWorkflowExecutions":0,"openLambdaFunctions":0}}`
	if string(b) != want {
		t.Fatalf("detail\n got %s\nwant %s", b, want)
	}
	h.advance(1500 * time.Millisecond)
	h.respond(&swfapi.RespondDecisionTaskCompletedInput{ExecutionContext: swfapi.Ptr("ctx"), Decisions: []swfapi.Decision{schedule("a", "act/1")}})
	d := h.e.Detail()
	// The context is in its event, for the service to read.
	if d.LatestExecutionContext != nil || h.e.LatestExecutionContextEventID != 4 || !d.LatestActivityTaskTimestamp.Equal(t0.Add(1500*time.Millisecond)) || *d.OpenCounts.OpenActivityTasks != 1 || *d.OpenCounts.OpenDecisionTasks != 0 {
		t.Fatalf("detail %+v", d)
	}
	h.e.TagList = []string{"x"}
	if info := h.e.Info(); len(info.TagList) != 1 || info.CloseStatus != nil || info.CloseTimestamp != nil {
		t.Fatalf("info %+v", info)
	}
}

// TestJSONRoundTrip stores a busy execution as the service will and checks
// that the decoded state is the same and behaves the same.
func TestJSONRoundTrip(t *testing.T) {
	h := newHarness(t, nil, Limits{OpenActivities: 7})
	h.e.TagList = []string{"t"}
	h.respond(&swfapi.RespondDecisionTaskCompletedInput{ExecutionContext: swfapi.Ptr("c"), TaskList: taskList("o"), TaskListScheduleToStartTimeout: swfapi.Ptr("9"),
		Decisions: []swfapi.Decision{schedule("a", "beat/1"), schedule("b", "act/1"), startTimer("t", "50")}})
	h.startActivity(5)
	h.heartbeat(5, "d")
	h.advance(5 * time.Second)
	h.fire("activity/5/HEARTBEAT") // not due: copies the heartbeat in, re-arms
	h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
	h.startDecision()
	h.do("RequestCancel", func() (Effects, error) { return h.e.RequestCancel(h.now) })

	b, err := json.Marshal(h.e)
	if err != nil {
		t.Fatal(err)
	}
	var back Execution
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(&back)
	if string(b) != string(b2) {
		t.Fatalf("round trip changed the state:\n%s\n%s", b, b2)
	}
	// Heartbeats live in the activity rows, not the stored state; the
	// service copies them in whenever it loads a run.
	if strings.Contains(string(b), `"heartbeatDetails"`) || strings.Contains(string(b), `"lastHeartbeatAt"`) {
		t.Fatalf("the stored state carries a heartbeat: %s", b)
	}
	for id, beat := range h.beats {
		if a, ok := back.Activities[id]; ok {
			a.LastHeartbeatAt, a.HeartbeatDetails = beat.at, beat.details
			back.Activities[id] = a
		}
	}
	if !reflect.DeepEqual(h.e.clone(), back.clone()) {
		t.Fatalf("decoded state differs:\n%+v\n%+v", h.e, &back)
	}
	in := &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{cancelActivity("a"), completeWorkflow("r")}}
	d := h.e.Decision
	fx1, err1 := h.e.CompleteDecisionTask(d.ScheduledEventID, d.StartedEventID, in, Lookups{}, h.now)
	fx2, err2 := back.CompleteDecisionTask(d.ScheduledEventID, d.StartedEventID, in, Lookups{}, h.now)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(fx1, fx2) {
		t.Fatalf("decoded state behaves differently: %v %v", err1, err2)
	}
}

// TestRecordedHistory replays the decisions of a history recorded from SWF
// (scenario test_timer_and_cancel) and compares the event shapes.
func TestRecordedHistory(t *testing.T) {
	req := startRequest()
	req.ExecutionStartToCloseTimeout, req.TaskStartToCloseTimeout, req.Input = swfapi.Ptr("300"), swfapi.Ptr("300"), nil
	h := newHarness(t, req, Limits{})
	h.decide(startTimer("timer 2", "120"), startTimer("timer 1", "2"))
	h.advance(2 * time.Second)
	h.fireDue()
	h.decide(cancelTimer("timer 2"), startTimer("_simpleflow_wake_up_timer", "0"))
	h.fireDue()
	h.decide(completeWorkflow("null"))
	equalLines(t, "history", h.since(3), []string{
		"3 DecisionTaskStarted identity=decider-1 scheduledEventId=2",
		"4 DecisionTaskCompleted scheduledEventId=2 startedEventId=3",
		`5 TimerStarted decisionTaskCompletedEventId=4 startToFireTimeout=120 timerId="timer 2"`,
		`6 TimerStarted decisionTaskCompletedEventId=4 startToFireTimeout=2 timerId="timer 1"`,
		`7 TimerFired startedEventId=6 timerId="timer 1"`,
		"8 DecisionTaskScheduled startToCloseTimeout=300 taskList=deciders",
		"9 DecisionTaskStarted identity=decider-1 scheduledEventId=8",
		"10 DecisionTaskCompleted scheduledEventId=8 startedEventId=9",
		`11 TimerCanceled decisionTaskCompletedEventId=10 startedEventId=5 timerId="timer 2"`,
		"12 TimerStarted decisionTaskCompletedEventId=10 startToFireTimeout=0 timerId=_simpleflow_wake_up_timer",
		"13 TimerFired startedEventId=12 timerId=_simpleflow_wake_up_timer",
		"14 DecisionTaskScheduled startToCloseTimeout=300 taskList=deciders",
		"15 DecisionTaskStarted identity=decider-1 scheduledEventId=14",
		"16 DecisionTaskCompleted scheduledEventId=14 startedEventId=15",
		"17 WorkflowExecutionCompleted decisionTaskCompletedEventId=16 result=null",
	})
}
