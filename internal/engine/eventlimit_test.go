package engine

import (
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

// markers returns n RecordMarker decisions.
func markers(n int) []swfapi.Decision {
	ds := make([]swfapi.Decision, n)
	for i := range ds {
		ds[i] = marker("m", "")
	}
	return ds
}

// lastEvents renders the last n events of the history.
func (h *harness) lastEvents(n int) []string {
	return h.since(int64(len(h.history) - n + 1))
}

func TestEventLimitTerminates(t *testing.T) {
	h := newHarness(t, nil, Limits{HistoryEvents: 20})
	// Markers fill the history; the decisions after the one that did not
	// fit are not carried out.
	fx := h.decide(append(markers(30), schedule("a", "act/1"), startTimer("t", "60"))...)
	if !fx.Closed || h.e.Open || h.e.CloseStatus != swfapi.CloseStatusTerminated {
		t.Fatalf("closed %v, open %v, status %s", fx.Closed, h.e.Open, h.e.CloseStatus)
	}
	if len(h.history) != 20 {
		t.Fatalf("%d events, want 20", len(h.history))
	}
	equalLines(t, "last events", h.lastEvents(2), []string{
		"19 MarkerRecorded decisionTaskCompletedEventId=4 markerName=m",
		"20 WorkflowExecutionTerminated cause=EVENT_LIMIT_EXCEEDED childPolicy=TERMINATE",
	})
	if len(h.e.Activities)+len(h.e.Timers) != 0 || h.e.Decision != nil {
		t.Fatalf("state after the termination: activities %v, timers %v, decision %+v", h.e.Activities, h.e.Timers, h.e.Decision)
	}
	if len(h.tasks)+len(h.timers) != 0 {
		t.Fatalf("store after the termination: tasks %v, timers %v", h.tasks, h.timers)
	}
	// The run is closed: nothing more is recorded.
	h.fail("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
	h.fail("Terminate", func() (Effects, error) { return h.e.Terminate(nil, nil, nil, h.now) })
	if len(h.history) != 20 || h.e.NextEventID != 21 {
		t.Fatalf("%d events, next id %d", len(h.history), h.e.NextEventID)
	}
}

// A task scheduled keeps a place for its start: a poller that takes it
// always gets it started, and the run is terminated at the event after.
func TestEventLimitKeepsRoomForStarts(t *testing.T) {
	h := newHarness(t, nil, Limits{HistoryEvents: 20})
	// 5 and 6 schedule two activities, which keep 18 and 19 for their
	// starts; 20 is the termination's. So markers go up to 17.
	h.decide(append([]swfapi.Decision{schedule("a", "act/1"), schedule("b", "act/1")}, markers(11)...)...)
	if !h.e.Open || len(h.history) != 17 {
		t.Fatalf("open %v with %d events, want open with 17", h.e.Open, len(h.history))
	}
	// One more event, and the starts would not fit: a signal terminates.
	probe := h.e.Clone()
	fx, err := probe.Signal("s", nil, h.now)
	if err != nil || len(fx.Events) != 1 || *fx.Events[0].EventType != swfapi.EventTypeWorkflowExecutionTerminated || *fx.Events[0].EventId != 18 {
		t.Fatalf("signal on a full history: %v, %+v", err, fx.Events)
	}
	if got := h.startActivity(5); got != 18 {
		t.Fatalf("a started as %d", got)
	}
	if got := h.startActivity(6); got != 19 {
		t.Fatalf("b started as %d", got)
	}
	fx = h.do("CompleteActivityTask", func() (Effects, error) { return h.e.CompleteActivityTask(5, 18, swfapi.Ptr("r"), h.now) })
	if !fx.Closed || len(fx.Events) != 1 {
		t.Fatalf("completion on a full history: %+v", fx)
	}
	equalLines(t, "last events", h.lastEvents(3), []string{
		"18 ActivityTaskStarted identity=worker-1 scheduledEventId=5",
		"19 ActivityTaskStarted identity=worker-1 scheduledEventId=6",
		"20 WorkflowExecutionTerminated cause=EVENT_LIMIT_EXCEEDED childPolicy=TERMINATE",
	})
	if len(h.rows) != 0 {
		t.Fatalf("activity rows after the termination: %v", h.rows)
	}
}

func TestEventLimitDecisionTask(t *testing.T) {
	// fill leaves a decision task scheduled as event 18, with its start's
	// place (19) and the termination's (20) kept.
	fill := func(t *testing.T) *harness {
		h := newHarness(t, nil, Limits{HistoryEvents: 20})
		h.decide(markers(12)...) // 5..16
		h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
		if d := h.e.Decision; !h.e.Open || d == nil || d.ScheduledEventID != 18 {
			t.Fatalf("open %v, decision %+v", h.e.Open, d)
		}
		return h
	}
	t.Run("a signal does not fit", func(t *testing.T) {
		h := fill(t)
		h.do("Signal", func() (Effects, error) { return h.e.Signal("s2", nil, h.now) })
		equalLines(t, "last events", h.lastEvents(2), []string{
			"18 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
			"19 WorkflowExecutionTerminated cause=EVENT_LIMIT_EXCEEDED childPolicy=TERMINATE",
		})
	})
	t.Run("the decision task starts, its completion does not fit", func(t *testing.T) {
		h := fill(t)
		_, started := h.startDecision()
		if started != 19 {
			t.Fatalf("decision task started as %d", started)
		}
		h.decide(completeWorkflow("done"))
		equalLines(t, "last events", h.lastEvents(2), []string{
			"19 DecisionTaskStarted identity=decider-1 scheduledEventId=18",
			"20 WorkflowExecutionTerminated cause=EVENT_LIMIT_EXCEEDED childPolicy=TERMINATE",
		})
	})
	t.Run("a close takes the last place", func(t *testing.T) {
		h := newHarness(t, nil, Limits{HistoryEvents: 20})
		h.decide(markers(11)...) // 5..15
		h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
		h.decide(completeWorkflow("done")) // 18 started, 19 completed
		equalLines(t, "last events", h.lastEvents(2), []string{
			"19 DecisionTaskCompleted scheduledEventId=17 startedEventId=18",
			"20 WorkflowExecutionCompleted decisionTaskCompletedEventId=19 result=done",
		})
		if h.e.CloseStatus != swfapi.CloseStatusCompleted {
			t.Fatalf("closed %s", h.e.CloseStatus)
		}
	})
}

// The run's child policy applies to its children as for any termination.
func TestEventLimitChildPolicy(t *testing.T) {
	for _, policy := range []swfapi.ChildPolicy{swfapi.ChildPolicyTerminate, swfapi.ChildPolicyRequestCancel, swfapi.ChildPolicyAbandon} {
		t.Run(string(policy), func(t *testing.T) {
			req := startRequest()
			req.ChildPolicy = swfapi.Ptr(policy)
			h := newHarness(t, req, Limits{HistoryEvents: 20})
			h.decide(startChild("kid-1", "kid/1"))
			fx := h.do("StartChild", func() (Effects, error) { return h.e.StartChild(5, "kid-run", h.now) })
			delete(h.timers, "child/5/start") // the service removes the fired row
			if fx.NewRun == nil || fx.NewRun.Execution.Limits.HistoryEvents != 20 {
				t.Fatalf("child %+v", fx.NewRun)
			}
			h.decide(markers(30)...)
			equalLines(t, "last event", h.lastEvents(1), []string{
				"20 WorkflowExecutionTerminated cause=EVENT_LIMIT_EXCEEDED childPolicy=" + string(policy),
			})
			ch, owed := h.e.ChildPolicyOwed(5)
			_, armed := h.timers["child/5/policy"]
			if policy == swfapi.ChildPolicyAbandon {
				if owed || armed {
					t.Fatalf("abandoned child owed %q, timer armed %v", ch.Policy, armed)
				}
				return
			}
			if !owed || ch.Policy != policy || !armed {
				t.Fatalf("child owed %v policy %q, timer armed %v", owed, ch.Policy, armed)
			}
		})
	}
}

// A ContinueAsNewWorkflowExecution after the decision that did not fit is
// not carried out: no successor starts.
func TestEventLimitNoSuccessorAfterTermination(t *testing.T) {
	h := newHarness(t, nil, Limits{HistoryEvents: 20})
	h.decide(markers(11)...)                                                       // 5..15
	h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) }) // 16, 17
	h.startDecision()                                                              // 18
	fx := h.decide(append(markers(2), swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeContinueAsNewWorkflowExecution)})...)
	if fx.NewRun != nil || h.e.CloseStatus != swfapi.CloseStatusTerminated {
		t.Fatalf("new run %+v, closed %s", fx.NewRun, h.e.CloseStatus)
	}
	equalLines(t, "last events", h.lastEvents(2), []string{
		"19 DecisionTaskCompleted scheduledEventId=17 startedEventId=18",
		"20 WorkflowExecutionTerminated cause=EVENT_LIMIT_EXCEEDED childPolicy=TERMINATE",
	})
}
