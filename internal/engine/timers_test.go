package engine

import (
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

func TestTimers(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	fx := h.decide(startTimer("t1", "10"), startTimer("t2", "0"), startTimer("t1", "5"))
	equalLines(t, "started", h.eventsOf(fx)[1:], []string{
		"5 TimerStarted decisionTaskCompletedEventId=4 startToFireTimeout=10 timerId=t1",
		"6 TimerStarted decisionTaskCompletedEventId=4 startToFireTimeout=0 timerId=t2",
		"7 StartTimerFailed cause=TIMER_ID_ALREADY_IN_USE decisionTaskCompletedEventId=4 timerId=t1",
		"8 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
	})
	if len(fx.Timers) != 2 || fx.Timers[0] != (Timer{"timer/5/t1", t0.Add(10 * time.Second)}) || fx.Timers[1] != (Timer{"timer/6/t2", t0}) {
		t.Fatalf("timers %v", fx.Timers)
	}
	// A zero timer fires at once; the decision task is already scheduled.
	h.fireDue()
	equalLines(t, "fired", h.since(9), []string{"9 TimerFired startedEventId=6 timerId=t2"})
	h.advance(time.Second)
	fx = h.decide(cancelTimer("t1"), cancelTimer("t2"))
	equalLines(t, "canceled", h.eventsOf(fx)[1:], []string{
		"12 TimerCanceled decisionTaskCompletedEventId=11 startedEventId=5 timerId=t1",
		"13 CancelTimerFailed cause=TIMER_ID_UNKNOWN decisionTaskCompletedEventId=11 timerId=t2",
		"14 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
	})
	equalLines(t, "disarmed", fx.RemoveTimers, []string{"decision/8/START_TO_CLOSE", "timer/5/t1"})
	// The canceled timer's key is stale, even once a new timer reuses the id.
	h.decide(startTimer("t1", "100"))
	h.advance(10 * time.Second)
	if fx := h.do("stale", func() (Effects, error) { return h.e.FireTimer("timer/5/t1", h.now) }); len(fx.Events)+len(fx.Timers) != 0 {
		t.Fatalf("stale key fired: %v", h.eventsOf(fx))
	}
	// A timer fired early (the store and the state disagree) waits.
	if fx := h.do("early", func() (Effects, error) { return h.e.FireTimer("timer/17/t1", h.now) }); len(fx.Events) != 0 ||
		len(fx.Timers) != 1 || !fx.Timers[0].FireAt.Equal(t0.Add(101*time.Second)) {
		t.Fatalf("early fire: %v %v", h.eventsOf(fx), fx.Timers)
	}
	h.advance(100 * time.Second)
	h.fireDue()
	equalLines(t, "refired", h.since(18), []string{
		"18 TimerFired startedEventId=17 timerId=t1",
		"19 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
	})
}

func TestOpenTimersLimit(t *testing.T) {
	h := newHarness(t, nil, Limits{OpenTimers: 2})
	fx := h.decide(startTimer("a", "10"), startTimer("b", "10"), startTimer("c", "10"))
	equalLines(t, "events", h.eventsOf(fx)[3:], []string{
		"7 StartTimerFailed cause=OPEN_TIMERS_LIMIT_EXCEEDED decisionTaskCompletedEventId=4 timerId=c",
		"8 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
	})
}

func TestOpenActivitiesLimitDefaultsWhenZero(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	if h.e.Limits != DefaultLimits() || DefaultLimits() != (Limits{OpenActivities: 1000, OpenTimers: 1000, OpenChildren: 1000, HistoryEvents: 25000}) {
		t.Fatalf("limits %+v", h.e.Limits)
	}
}

func TestWorkflowTimesOut(t *testing.T) {
	req := startRequest()
	req.ExecutionStartToCloseTimeout = swfapi.Ptr("100")
	h := newHarness(t, req, Limits{})
	h.decide(schedule("a", "act/1"), startTimer("t", "1000"))
	h.startActivity(5)
	h.advance(99 * time.Second)
	h.heartbeat(5, "x")
	h.advance(time.Second)
	h.fireDue()
	equalLines(t, "events", h.since(8), []string{"8 WorkflowExecutionTimedOut childPolicy=TERMINATE timeoutType=START_TO_CLOSE"})
	if h.e.Open || h.e.CloseStatus != swfapi.CloseStatusTimedOut || len(h.timers)+len(h.tasks)+len(h.rows) != 0 {
		t.Fatalf("not closed cleanly: %v %v %v", h.timers, h.tasks, h.rows)
	}
}

func TestParseKey(t *testing.T) {
	for _, key := range []string{"", "workflow", "decision/x/START_TO_CLOSE", "activity/0/HEARTBEAT", "timer/5", "other/5/x"} {
		if _, ok := parseKey(key); ok {
			t.Errorf("%q parsed", key)
		}
	}
	if k, ok := parseKey("timer/12/a/b"); !ok || k.id != 12 || k.sub != "a/b" {
		t.Errorf("timer key: %+v", k)
	}
	h := newHarness(t, nil, Limits{})
	for _, key := range []string{"nonsense", "activity/99/HEARTBEAT", "decision/2/START_TO_CLOSE"} {
		if fx := h.do(key, func() (Effects, error) { return h.e.FireTimer(key, h.now) }); len(fx.Events)+len(fx.Timers) != 0 {
			t.Errorf("%s fired", key)
		}
	}
}
