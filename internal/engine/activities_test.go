package engine

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

func TestScheduleActivityResolvesEveryMember(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.advance(time.Second)
	fx := h.decide(
		schedule("a1", "act/1", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) {
			a.Input, a.Control = swfapi.Ptr("in"), swfapi.Ptr("ctl")
		}),
		schedule("a2", "beat/1"),
		schedule("a3", "act/1", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) {
			a.TaskList, a.TaskPriority = taskList("fast"), swfapi.Ptr("9")
			a.ScheduleToStartTimeout, a.ScheduleToCloseTimeout, a.StartToCloseTimeout, a.HeartbeatTimeout = swfapi.Ptr("1"), swfapi.Ptr("2"), swfapi.Ptr("3"), swfapi.Ptr("4")
		}),
	)
	equalLines(t, "events", h.eventsOf(fx), []string{
		"4 DecisionTaskCompleted scheduledEventId=2 startedEventId=3",
		"5 ActivityTaskScheduled activityId=a1 activityType=act/1 control=ctl decisionTaskCompletedEventId=4 heartbeatTimeout=NONE input=in scheduleToCloseTimeout=600 scheduleToStartTimeout=60 startToCloseTimeout=300 taskList=workers",
		"6 ActivityTaskScheduled activityId=a2 activityType=beat/1 decisionTaskCompletedEventId=4 heartbeatTimeout=30 scheduleToCloseTimeout=NONE scheduleToStartTimeout=NONE startToCloseTimeout=100 taskList=workers taskPriority=7",
		"7 ActivityTaskScheduled activityId=a3 activityType=act/1 decisionTaskCompletedEventId=4 heartbeatTimeout=4 scheduleToCloseTimeout=2 scheduleToStartTimeout=1 startToCloseTimeout=3 taskList=fast taskPriority=9",
	})
	wantTasks := []Task{
		{Kind: TaskActivity, TaskList: "workers", ScheduledEventID: 5},
		{Kind: TaskActivity, TaskList: "workers", Priority: 7, ScheduledEventID: 6},
		{Kind: TaskActivity, TaskList: "fast", Priority: 9, ScheduledEventID: 7},
	}
	if len(fx.Tasks) != 3 || fx.Tasks[0] != wantTasks[0] || fx.Tasks[1] != wantTasks[1] || fx.Tasks[2] != wantTasks[2] {
		t.Fatalf("tasks %+v", fx.Tasks)
	}
	at := t0.Add(time.Second)
	wantTimers := []Timer{
		{"activity/5/SCHEDULE_TO_CLOSE", at.Add(600 * time.Second)},
		{"activity/5/SCHEDULE_TO_START", at.Add(60 * time.Second)},
		{"activity/7/SCHEDULE_TO_CLOSE", at.Add(2 * time.Second)},
		{"activity/7/SCHEDULE_TO_START", at.Add(1 * time.Second)},
	}
	if len(fx.Timers) != len(wantTimers) {
		t.Fatalf("timers %+v", fx.Timers)
	}
	for i := range wantTimers {
		if fx.Timers[i].Key != wantTimers[i].Key || !fx.Timers[i].FireAt.Equal(wantTimers[i].FireAt) {
			t.Fatalf("timer %d: %+v, want %+v", i, fx.Timers[i], wantTimers[i])
		}
	}
	if !h.e.LatestActivityTaskTimestamp.Equal(at) || h.e.Decision != nil {
		t.Fatalf("state %+v", h.e)
	}
}

func TestScheduleActivityFailures(t *testing.T) {
	cases := []struct {
		name     string
		decision swfapi.Decision
		cause    string
	}{
		{"unknown type", schedule("x", "nope/1"), "ACTIVITY_TYPE_DOES_NOT_EXIST"},
		{"deprecated type", schedule("x", "old/1"), "ACTIVITY_TYPE_DEPRECATED"},
		{"id in use", schedule("busy", "bare/1"), "ACTIVITY_ID_ALREADY_IN_USE"},
		{"limit", schedule("x", "act/1"), "OPEN_ACTIVITIES_LIMIT_EXCEEDED"},
		{"no task list", schedule("x", "bare/1"), "DEFAULT_TASK_LIST_UNDEFINED"},
		{"no schedule-to-start", schedule("x", "bare/1", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) {
			a.TaskList = taskList("l")
		}), "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED"},
		{"no schedule-to-close", schedule("x", "bare/1", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) {
			a.TaskList, a.ScheduleToStartTimeout = taskList("l"), swfapi.Ptr("1")
		}), "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED"},
		{"no start-to-close", schedule("x", "bare/1", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) {
			a.TaskList, a.ScheduleToStartTimeout, a.ScheduleToCloseTimeout = taskList("l"), swfapi.Ptr("1"), swfapi.Ptr("NONE")
		}), "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			limits := Limits{}
			if tc.cause == "OPEN_ACTIVITIES_LIMIT_EXCEEDED" {
				limits.OpenActivities = 1
			}
			h := newHarness(t, nil, limits)
			h.decide(schedule("busy", "act/1"))
			h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
			before := len(h.e.Activities)
			fx := h.decide(tc.decision)
			name, version := *tc.decision.ScheduleActivityTaskDecisionAttributes.ActivityType.Name, *tc.decision.ScheduleActivityTaskDecisionAttributes.ActivityType.Version
			equalLines(t, "events", h.eventsOf(fx)[1:], []string{
				"10 ScheduleActivityTaskFailed activityId=" + *tc.decision.ScheduleActivityTaskDecisionAttributes.ActivityId +
					" activityType=" + name + "/" + version + " cause=" + tc.cause + " decisionTaskCompletedEventId=9",
				"11 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
			})
			if len(h.e.Activities) != before {
				t.Fatal("a failed schedule opened an activity")
			}
		})
	}
}

func TestActivityIDFreedWhenClosed(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.decide(schedule("a", "act/1"))
	started := h.startActivity(5)
	h.do("Complete", func() (Effects, error) { return h.e.CompleteActivityTask(5, started, nil, h.now) })
	h.decide(schedule("a", "act/1"))
	if _, ok := h.e.Activities[11]; !ok || h.e.ActivityIDs["a"] != 11 {
		t.Fatalf("id not reusable: %v", h.since(8))
	}
}

func TestActivityOutcomes(t *testing.T) {
	cases := []struct {
		name  string
		close func(e *Execution, now time.Time) (Effects, error)
		want  string
	}{
		{"complete", func(e *Execution, now time.Time) (Effects, error) {
			return e.CompleteActivityTask(5, 6, swfapi.Ptr("42"), now)
		}, "7 ActivityTaskCompleted result=42 scheduledEventId=5 startedEventId=6"},
		{"fail", func(e *Execution, now time.Time) (Effects, error) {
			return e.FailActivityTask(5, 6, swfapi.Ptr("why"), swfapi.Ptr("how"), now)
		}, "7 ActivityTaskFailed details=how reason=why scheduledEventId=5 startedEventId=6"},
		{"cancel unrequested", func(e *Execution, now time.Time) (Effects, error) {
			return e.CancelActivityTask(5, 6, swfapi.Ptr("gone"), now)
		}, "7 ActivityTaskCanceled details=gone scheduledEventId=5 startedEventId=6"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil, Limits{})
			h.decide(schedule("a", "act/1"))
			h.advance(time.Second)
			fx := h.do("StartActivityTask", func() (Effects, error) {
				delete(h.tasks, "activity/5")
				return h.e.StartActivityTask(5, "w", h.now)
			})
			equalLines(t, "start", h.eventsOf(fx), []string{"6 ActivityTaskStarted identity=w scheduledEventId=5"})
			if len(fx.Activities) != 1 || fx.Activities[0] != (ActivityRow{ScheduledEventID: 5, StartedEventID: 6}) {
				t.Fatalf("rows %+v", fx.Activities)
			}
			if len(fx.RemoveTimers) != 1 || fx.RemoveTimers[0] != "activity/5/SCHEDULE_TO_START" ||
				len(fx.Timers) != 1 || fx.Timers[0].Key != "activity/5/START_TO_CLOSE" || !fx.Timers[0].FireAt.Equal(h.now.Add(300*time.Second)) {
				t.Fatalf("timers %+v remove %v", fx.Timers, fx.RemoveTimers)
			}
			h.advance(time.Second)
			fx = h.do(tc.name, func() (Effects, error) { return tc.close(h.e, h.now) })
			equalLines(t, "close", h.eventsOf(fx), []string{tc.want, "8 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders"})
			equalLines(t, "removed timers", fx.RemoveTimers, []string{"activity/5/SCHEDULE_TO_CLOSE", "activity/5/START_TO_CLOSE"})
			if len(fx.RemoveActivities) != 1 || fx.RemoveActivities[0] != 5 {
				t.Fatalf("rows %v", fx.RemoveActivities)
			}
			if len(h.e.Activities)+len(h.e.ActivityIDs) != 0 || !h.e.LatestActivityTaskTimestamp.Equal(h.now) {
				t.Fatalf("activity not closed: %+v", h.e)
			}
			// The attempt is over; every answer for it is stale.
			for _, f := range []func() (Effects, error){
				func() (Effects, error) { return h.e.CompleteActivityTask(5, 6, nil, h.now) },
				func() (Effects, error) { return h.e.FailActivityTask(5, 6, nil, nil, h.now) },
				func() (Effects, error) { return h.e.CancelActivityTask(5, 6, nil, h.now) },
				func() (Effects, error) { return h.e.StartActivityTask(5, "", h.now) },
			} {
				if fault := h.fail("stale", f); fault.Code != swfapi.CodeUnknownResource || fault.Message != "Unknown activity, scheduledEventId = 5" {
					t.Fatal(fault)
				}
			}
		})
	}
}

func TestStaleActivityAnswers(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.decide(schedule("a", "act/1"))
	unknown := "Unknown activity, scheduledEventId = 5"
	for name, f := range map[string]func() (Effects, error){
		"complete before start": func() (Effects, error) { return h.e.CompleteActivityTask(5, 0, nil, h.now) },
		"start unknown":         func() (Effects, error) { return h.e.StartActivityTask(99, "", h.now) },
	} {
		fault := h.fail(name, f)
		if fault.Code != swfapi.CodeUnknownResource || (name == "complete before start" && fault.Message != unknown) {
			t.Fatalf("%s: %v", name, fault)
		}
	}
	h.startActivity(5)
	if fault := h.fail("start twice", func() (Effects, error) { return h.e.StartActivityTask(5, "", h.now) }); fault.Message != unknown {
		t.Fatal(fault)
	}
	if fault := h.fail("other attempt", func() (Effects, error) { return h.e.CompleteActivityTask(5, 7, nil, h.now) }); fault.Message != unknown {
		t.Fatal(fault)
	}
	h.do("Terminate", func() (Effects, error) { return h.e.Terminate(nil, nil, nil, h.now) })
	if fault := h.fail("closed", func() (Effects, error) { return h.e.CompleteActivityTask(5, 6, nil, h.now) }); fault.Message != "Unknown execution: WorkflowExecution=[workflowId=wf-1, runId=run-1]" {
		t.Fatal(fault)
	}
}

func TestRequestCancelActivity(t *testing.T) {
	t.Run("unknown", func(t *testing.T) {
		h := newHarness(t, nil, Limits{})
		fx := h.decide(cancelActivity("ghost"))
		equalLines(t, "events", h.eventsOf(fx)[1:], []string{
			"5 RequestCancelActivityTaskFailed activityId=ghost cause=ACTIVITY_ID_UNKNOWN decisionTaskCompletedEventId=4",
			"6 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
		})
	})
	t.Run("before start", func(t *testing.T) {
		h := newHarness(t, nil, Limits{})
		h.decide(schedule("a", "act/1"))
		h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
		fx := h.decide(cancelActivity("a"))
		equalLines(t, "events", h.eventsOf(fx)[1:], []string{
			"10 ActivityTaskCancelRequested activityId=a decisionTaskCompletedEventId=9",
			"11 ActivityTaskCanceled latestCancelRequestedEventId=10 scheduledEventId=5 startedEventId=0",
			"12 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
		})
		equalLines(t, "removed timers", fx.RemoveTimers, []string{"activity/5/SCHEDULE_TO_CLOSE", "activity/5/SCHEDULE_TO_START", "decision/7/START_TO_CLOSE"})
		if len(fx.RemoveTasks) != 1 || fx.RemoveTasks[0].ScheduledEventID != 5 || len(h.e.Activities) != 0 {
			t.Fatalf("tasks %v activities %v", fx.RemoveTasks, h.e.Activities)
		}
	})
	t.Run("scheduled and canceled in one batch", func(t *testing.T) {
		h := newHarness(t, nil, Limits{})
		fx := h.decide(schedule("a", "act/1"), cancelActivity("a"))
		equalLines(t, "events", h.eventsOf(fx), []string{
			"4 DecisionTaskCompleted scheduledEventId=2 startedEventId=3",
			"5 ActivityTaskScheduled activityId=a activityType=act/1 decisionTaskCompletedEventId=4 heartbeatTimeout=NONE scheduleToCloseTimeout=600 scheduleToStartTimeout=60 startToCloseTimeout=300 taskList=workers",
			"6 ActivityTaskCancelRequested activityId=a decisionTaskCompletedEventId=4",
			"7 ActivityTaskCanceled latestCancelRequestedEventId=6 scheduledEventId=5 startedEventId=0",
			"8 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
		})
		// The activity never reached the store.
		if len(fx.Tasks) != 1 || fx.Tasks[0].Kind != TaskDecision || len(fx.Timers) != 0 {
			t.Fatalf("tasks %v timers %v", fx.Tasks, fx.Timers)
		}
	})
	t.Run("after start", func(t *testing.T) {
		h := newHarness(t, nil, Limits{})
		h.decide(schedule("a", "act/1"))
		started := h.startActivity(5)
		h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
		fx := h.decide(cancelActivity("a"))
		equalLines(t, "events", h.eventsOf(fx)[1:], []string{"11 ActivityTaskCancelRequested activityId=a decisionTaskCompletedEventId=10"})
		if len(fx.Activities) != 1 || fx.Activities[0] != (ActivityRow{ScheduledEventID: 5, StartedEventID: 6, CancelRequested: true}) {
			t.Fatalf("row %+v", fx.Activities)
		}
		// The activity's timers run on; a worker learns of the request from
		// its next heartbeat.
		equalLines(t, "removed timers", fx.RemoveTimers, []string{"decision/8/START_TO_CLOSE"})
		if len(fx.Timers)+len(fx.RemoveTasks) != 0 || h.e.Decision != nil {
			t.Fatalf("timers %v tasks %v", fx.Timers, fx.RemoveTasks)
		}
		fx = h.do("Cancel", func() (Effects, error) { return h.e.CancelActivityTask(5, started, nil, h.now) })
		equalLines(t, "canceled", h.eventsOf(fx), []string{
			"12 ActivityTaskCanceled latestCancelRequestedEventId=11 scheduledEventId=5 startedEventId=6",
			"13 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
		})
	})
}

func TestActivityTimeouts(t *testing.T) {
	t.Run("schedule to start", func(t *testing.T) {
		h := newHarness(t, nil, Limits{})
		h.decide(schedule("a", "act/1"))
		h.advance(60 * time.Second)
		h.fireDue()
		equalLines(t, "events", h.since(6), []string{
			"6 ActivityTaskTimedOut scheduledEventId=5 startedEventId=0 timeoutType=SCHEDULE_TO_START",
			"7 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
		})
		if len(h.tasks) != 1 || len(h.e.Activities) != 0 {
			t.Fatalf("tasks %v", h.tasks)
		}
	})
	t.Run("schedule to close", func(t *testing.T) {
		h := newHarness(t, nil, Limits{})
		h.decide(schedule("a", "act/1", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) { a.ScheduleToCloseTimeout = swfapi.Ptr("100") }))
		h.advance(10 * time.Second)
		h.startActivity(5)
		h.advance(90 * time.Second)
		h.fireDue()
		equalLines(t, "events", h.since(7), []string{
			"7 ActivityTaskTimedOut scheduledEventId=5 startedEventId=6 timeoutType=SCHEDULE_TO_CLOSE",
			"8 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
		})
		if len(h.rows) != 0 {
			t.Fatal("row kept")
		}
	})
	t.Run("start to close, not extended by heartbeats", func(t *testing.T) {
		h := newHarness(t, nil, Limits{})
		h.decide(schedule("a", "beat/1")) // start-to-close 100, heartbeat 30
		h.startActivity(5)
		for range 4 {
			h.advance(20 * time.Second)
			h.heartbeat(5, "progress")
			h.fireDue()
		}
		if len(h.history) != 6 {
			t.Fatalf("timed out early: %v", h.since(7))
		}
		h.advance(20 * time.Second) // 100s after the start, 20s after a heartbeat
		h.fireDue()
		equalLines(t, "events", h.since(7), []string{
			"7 ActivityTaskTimedOut details=progress scheduledEventId=5 startedEventId=6 timeoutType=START_TO_CLOSE",
			"8 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
		})
	})
	t.Run("heartbeat", func(t *testing.T) {
		h := newHarness(t, nil, Limits{})
		h.decide(schedule("a", "beat/1"))
		h.startActivity(5)
		h.advance(20 * time.Second)
		h.heartbeat(5, "half")
		h.advance(10 * time.Second)
		// The first heartbeat timer fires 30s after the start, finds a
		// heartbeat 10s ago, and arms itself again with no event.
		fx := h.fire("activity/5/HEARTBEAT")
		if len(fx.Events) != 0 || len(fx.Timers) != 1 || fx.Timers[0] != (Timer{"activity/5/HEARTBEAT", t0.Add(50 * time.Second)}) {
			t.Fatalf("re-arm: %d events, timers %v", len(fx.Events), fx.Timers)
		}
		h.advance(19 * time.Second)
		h.fireDue()
		if len(h.history) != 6 {
			t.Fatal("timed out early")
		}
		h.advance(time.Second)
		h.fireDue()
		equalLines(t, "events", h.since(7), []string{
			"7 ActivityTaskTimedOut details=half scheduledEventId=5 startedEventId=6 timeoutType=HEARTBEAT",
			"8 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
		})
		if fault := h.fail("late answer", func() (Effects, error) { return h.e.CompleteActivityTask(5, 6, nil, h.now) }); fault.Message != "Unknown activity, scheduledEventId = 5" {
			t.Fatal(fault)
		}
	})
	t.Run("heartbeat without any", func(t *testing.T) {
		h := newHarness(t, nil, Limits{})
		h.decide(schedule("a", "beat/1"))
		h.startActivity(5)
		h.advance(30 * time.Second)
		h.fireDue()
		equalLines(t, "events", h.since(7)[:1], []string{"7 ActivityTaskTimedOut scheduledEventId=5 startedEventId=6 timeoutType=HEARTBEAT"})
	})
}

func TestCloseWithOpenActivitiesAndTimers(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.decide(schedule("a", "act/1"), schedule("b", "act/1"), startTimer("t", "100"))
	h.startActivity(5)
	h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
	fx := h.decide(completeWorkflow("done"))
	if !fx.Closed {
		t.Fatal("not closed")
	}
	if len(fx.RemoveTasks) != 1 || fx.RemoveTasks[0].ScheduledEventID != 6 ||
		len(fx.RemoveActivities) != 1 || fx.RemoveActivities[0] != 5 {
		t.Fatalf("tasks %v rows %v", fx.RemoveTasks, fx.RemoveActivities)
	}
	want := []string{"activity/5/SCHEDULE_TO_CLOSE", "activity/5/START_TO_CLOSE", "activity/6/SCHEDULE_TO_CLOSE",
		"activity/6/SCHEDULE_TO_START", "decision/10/START_TO_CLOSE", "timer/7/t", "workflow/START_TO_CLOSE"}
	equalLines(t, "removed timers", fx.RemoveTimers, want)
	b, _ := json.Marshal(h.e.Detail().OpenCounts)
	if string(b) != `{"openActivityTasks":2,"openDecisionTasks":0,"openTimers":1,"openChildWorkflowExecutions":0,"openLambdaFunctions":0}` {
		t.Fatalf("open counts %s", b)
	}
	// Everything is stale now.
	for _, key := range want {
		h.advance(time.Hour)
		if fx := h.do("stale", func() (Effects, error) { return h.e.FireTimer(key, h.now) }); len(fx.Events)+len(fx.Timers) != 0 {
			t.Fatalf("%s fired after close: %v", key, h.eventsOf(fx))
		}
	}
	closed := "Unknown execution: WorkflowExecution=[workflowId=wf-1, runId=run-1]"
	for name, f := range map[string]func() (Effects, error){
		"start activity": func() (Effects, error) { return h.e.StartActivityTask(6, "", h.now) },
		"signal":         func() (Effects, error) { return h.e.Signal("s", nil, h.now) },
		"cancel":         func() (Effects, error) { return h.e.RequestCancel(h.now) },
		"terminate":      func() (Effects, error) { return h.e.Terminate(nil, nil, nil, h.now) },
	} {
		if fault := h.fail(name, f); fault.Code != swfapi.CodeUnknownResource || fault.Message != closed {
			t.Fatalf("%s: %v", name, fault)
		}
	}
}

// TestActivityInputUntilStart: the state keeps a scheduled activity's input
// for its poller, and drops it once the task starts; the history keeps it.
func TestActivityInputUntilStart(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.decide(schedule("a", "act/1", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) { a.Input = swfapi.Ptr("in") }))
	if got := h.e.Activities[5].Input; got == nil || *got != "in" {
		t.Fatalf("scheduled: input %v", got)
	}
	h.do("StartActivityTask", func() (Effects, error) {
		delete(h.tasks, "activity/5")
		return h.e.StartActivityTask(5, "w", h.now)
	})
	if got := h.e.Activities[5].Input; got != nil {
		t.Errorf("started: input %q still in the state", *got)
	}
}
