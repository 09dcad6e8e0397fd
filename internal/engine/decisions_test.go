package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

func TestDecisionTaskLifecycle(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	delete(h.tasks, "decision/2") // the service takes the task it hands out
	fx := h.do("StartDecisionTask", func() (Effects, error) { return h.e.StartDecisionTask(2, "me", h.now) })
	equalLines(t, "start", h.eventsOf(fx), []string{"3 DecisionTaskStarted identity=me scheduledEventId=2"})
	if len(fx.Timers) != 1 || fx.Timers[0] != (Timer{Key: "decision/2/START_TO_CLOSE", FireAt: t0.Add(30 * time.Second)}) {
		t.Fatalf("timers %+v", fx.Timers)
	}
	if len(fx.RemoveTasks) != 0 {
		t.Fatalf("a started task is consumed by the service, not removed: %+v", fx.RemoveTasks)
	}
	h.advance(time.Second)
	fx = h.do("CompleteDecisionTask", func() (Effects, error) {
		return h.e.CompleteDecisionTask(2, 3, &swfapi.RespondDecisionTaskCompletedInput{ExecutionContext: swfapi.Ptr("ctx")}, Lookups{}, h.now)
	})
	equalLines(t, "complete", h.eventsOf(fx), []string{"4 DecisionTaskCompleted executionContext=ctx scheduledEventId=2 startedEventId=3"})
	if len(fx.RemoveTimers) != 1 || fx.RemoveTimers[0] != "decision/2/START_TO_CLOSE" {
		t.Fatalf("remove timers %v", fx.RemoveTimers)
	}
	// The state names the event that holds the context, not the context.
	if h.e.PreviousStartedEventID != 3 || h.e.LatestExecutionContextEventID != 4 || h.e.LatestExecutionContext != nil || h.e.Decision != nil {
		t.Fatalf("state %+v", h.e)
	}
	// A later completion without a context keeps the latest one.
	h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
	h.decide()
	if h.e.LatestExecutionContextEventID != 4 || h.e.PreviousStartedEventID != 7 {
		t.Fatalf("context event %d previous %d", h.e.LatestExecutionContextEventID, h.e.PreviousStartedEventID)
	}
	// A state stored before kept the context itself; a newer one replaces it.
	h.e.LatestExecutionContextEventID, h.e.LatestExecutionContext = 0, swfapi.Ptr("old")
	if d := h.e.Detail(); deref(d.LatestExecutionContext) != "old" {
		t.Fatalf("detail of an older state: context %v", d.LatestExecutionContext)
	}
	h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
	h.respond(&swfapi.RespondDecisionTaskCompletedInput{ExecutionContext: swfapi.Ptr("new")})
	if h.e.LatestExecutionContext != nil || h.e.LatestExecutionContextEventID == 0 {
		t.Fatalf("context %v, event %d", h.e.LatestExecutionContext, h.e.LatestExecutionContextEventID)
	}
}

func TestStartDecisionTaskWithTaskTimeoutNone(t *testing.T) {
	req := startRequest()
	req.TaskStartToCloseTimeout = swfapi.Ptr("NONE")
	h := newHarness(t, req, Limits{})
	delete(h.tasks, "decision/2")
	fx := h.do("StartDecisionTask", func() (Effects, error) { return h.e.StartDecisionTask(2, "", h.now) })
	equalLines(t, "start", h.eventsOf(fx), []string{"3 DecisionTaskStarted scheduledEventId=2"})
	if len(fx.Timers) != 0 {
		t.Fatalf("NONE armed %v", fx.Timers)
	}
}

func TestStaleDecisionTasks(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	in := &swfapi.RespondDecisionTaskCompletedInput{}
	check := func(name string, f func() (Effects, error), code, msg string) {
		t.Helper()
		fault := h.fail(name, f)
		if fault.Code != code || fault.Message != msg {
			t.Errorf("%s: %s %q, want %s %q", name, fault.Code, fault.Message, code, msg)
		}
	}
	unknown := "Unknown decision task, scheduledEventId = "
	check("complete before start", func() (Effects, error) { return h.e.CompleteDecisionTask(2, 3, in, Lookups{}, h.now) }, swfapi.CodeUnknownResource, unknown+"2")
	check("start another task", func() (Effects, error) { return h.e.StartDecisionTask(5, "", h.now) }, swfapi.CodeUnknownResource, unknown+"5")
	h.startDecision()
	check("start twice", func() (Effects, error) { return h.e.StartDecisionTask(2, "", h.now) }, swfapi.CodeUnknownResource, unknown+"2")
	check("other attempt", func() (Effects, error) { return h.e.CompleteDecisionTask(2, 4, in, Lookups{}, h.now) }, swfapi.CodeUnknownResource, unknown+"2")
	h.decide()
	check("complete twice", func() (Effects, error) { return h.e.CompleteDecisionTask(2, 3, in, Lookups{}, h.now) }, swfapi.CodeUnknownResource, unknown+"2")
	h.do("Terminate", func() (Effects, error) { return h.e.Terminate(nil, nil, nil, h.now) })
	closed := "Unknown execution: WorkflowExecution=[workflowId=wf-1, runId=run-1]"
	check("closed start", func() (Effects, error) { return h.e.StartDecisionTask(2, "", h.now) }, swfapi.CodeUnknownResource, closed)
	check("closed complete", func() (Effects, error) { return h.e.CompleteDecisionTask(2, 3, in, Lookups{}, h.now) }, swfapi.CodeUnknownResource, closed)
}

func TestDecisionTimesOut(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	sched, started := h.startDecision()
	h.advance(29 * time.Second)
	h.fireDue()
	if len(h.history) != 3 {
		t.Fatalf("fired early: %v", h.since(4))
	}
	h.advance(time.Second)
	h.fireDue()
	equalLines(t, "timeout", h.since(4), []string{
		"4 DecisionTaskTimedOut scheduledEventId=2 startedEventId=3 timeoutType=START_TO_CLOSE",
		"5 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
	})
	fault := h.fail("late completion", func() (Effects, error) {
		return h.e.CompleteDecisionTask(sched, started, &swfapi.RespondDecisionTaskCompletedInput{}, Lookups{}, h.now)
	})
	if fault.Message != "Unknown decision task, scheduledEventId = 2" {
		t.Fatal(fault)
	}
	// The old timer key is stale now.
	fx := h.do("stale", func() (Effects, error) { return h.e.FireTimer("decision/2/START_TO_CLOSE", h.now) })
	if len(fx.Events)+len(fx.Timers)+len(fx.RemoveTimers) != 0 {
		t.Fatalf("stale key did something: %+v", fx)
	}
}

// A decision task that times out while another was scheduled behind it
// hands that one out; no third task is scheduled.
func TestDecisionTimesOutWithNextScheduled(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.startDecision()
	h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
	h.advance(30 * time.Second)
	h.fireDue()
	equalLines(t, "timeout", h.since(4), []string{
		"4 WorkflowExecutionSignaled externalInitiatedEventId=0 signalName=s",
		"5 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
		"6 DecisionTaskTimedOut scheduledEventId=2 startedEventId=3 timeoutType=START_TO_CLOSE",
	})
	if h.e.Decision == nil || h.e.Decision.ScheduledEventID != 5 || h.e.NextDecision != nil || len(h.e.queuedTasks()) != 1 {
		t.Fatalf("decision %+v next %+v", h.e.Decision, h.e.NextDecision)
	}
}

// openswf runs no Lambda functions: the decision fails as in a region
// without Lambda, and the decider hears of it.
func TestScheduleLambdaFunctionFails(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.decide(swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeScheduleLambdaFunction),
		ScheduleLambdaFunctionDecisionAttributes: &swfapi.ScheduleLambdaFunctionDecisionAttributes{Id: swfapi.Ptr("l1"), Name: swfapi.Ptr("fn")}})
	equalLines(t, "events", h.since(5), []string{
		"5 ScheduleLambdaFunctionFailed cause=LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION decisionTaskCompletedEventId=4 id=l1 name=fn",
		"6 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
	})
}

// Closing decisions whose attributes have no required member may come bare.
func TestBareClosingDecisions(t *testing.T) {
	for _, typ := range []swfapi.DecisionType{swfapi.DecisionTypeCompleteWorkflowExecution, swfapi.DecisionTypeFailWorkflowExecution, swfapi.DecisionTypeCancelWorkflowExecution} {
		h := newHarness(t, nil, Limits{})
		h.decide(noAttrs(typ))
		if h.e.Open {
			t.Fatalf("%s without attributes did not close the run", typ)
		}
	}
}

func TestOneDecisionTaskAtATime(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	// Scheduled but not started: the task will show the signal.
	h.do("Signal", func() (Effects, error) { return h.e.Signal("one", swfapi.Ptr("x"), h.now) })
	equalLines(t, "while scheduled", h.since(3), []string{"3 WorkflowExecutionSignaled externalInitiatedEventId=0 input=x signalName=one"})
	// Started: a second task is scheduled at once (once), as real SWF's
	// histories show, but handed out only after the started one completes.
	h.startDecision()
	h.do("Signal", func() (Effects, error) { return h.e.Signal("two", nil, h.now) })
	h.do("Signal", func() (Effects, error) { return h.e.Signal("three", nil, h.now) })
	if h.e.NextDecision == nil || h.e.NextDecision.ScheduledEventID != 6 {
		t.Fatalf("next decision task %+v", h.e.NextDecision)
	}
	if len(h.e.queuedTasks()) != 0 {
		t.Fatal("the next decision task is queued while one is started")
	}
	h.decide(marker("m", ""))
	equalLines(t, "after completion", h.since(5), []string{
		"5 WorkflowExecutionSignaled externalInitiatedEventId=0 signalName=two",
		"6 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
		"7 WorkflowExecutionSignaled externalInitiatedEventId=0 signalName=three",
		"8 DecisionTaskCompleted scheduledEventId=2 startedEventId=4",
		"9 MarkerRecorded decisionTaskCompletedEventId=8 markerName=m",
	})
	if h.e.NextDecision != nil || h.e.Decision == nil || h.e.Decision.ScheduledEventID != 6 || len(h.e.queuedTasks()) != 1 {
		t.Fatalf("after completion: decision %+v next %+v", h.e.Decision, h.e.NextDecision)
	}
	// Nothing new: no decision task follows.
	h.decide()
	if h.e.Decision != nil {
		t.Fatal("decision task without cause")
	}
}

func TestCloseDecisions(t *testing.T) {
	cases := []struct {
		name     string
		decision swfapi.Decision
		status   swfapi.CloseStatus
		closed   string
		failed   string
	}{
		{"complete", completeWorkflow("done"), swfapi.CloseStatusCompleted,
			"5 WorkflowExecutionCompleted decisionTaskCompletedEventId=4 result=done",
			"5 CompleteWorkflowExecutionFailed cause=UNHANDLED_DECISION decisionTaskCompletedEventId=4"},
		{"fail", failWorkflow("bad"), swfapi.CloseStatusFailed,
			"5 WorkflowExecutionFailed decisionTaskCompletedEventId=4 reason=bad",
			"5 FailWorkflowExecutionFailed cause=UNHANDLED_DECISION decisionTaskCompletedEventId=4"},
		{"cancel", cancelWorkflow("bye"), swfapi.CloseStatusCanceled,
			"5 WorkflowExecutionCanceled decisionTaskCompletedEventId=4 details=bye",
			"5 CancelWorkflowExecutionFailed cause=UNHANDLED_DECISION decisionTaskCompletedEventId=4"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil, Limits{})
			h.advance(time.Second)
			fx := h.decide(tc.decision)
			equalLines(t, "events", h.since(4), []string{"4 DecisionTaskCompleted scheduledEventId=2 startedEventId=3", tc.closed})
			if !fx.Closed || h.e.Open || h.e.CloseStatus != tc.status || !h.e.ClosedAt.Equal(t0.Add(time.Second)) {
				t.Fatalf("not closed: %+v", h.e)
			}
			info := h.e.Info()
			if *info.ExecutionStatus != swfapi.ExecutionStatusClosed || *info.CloseStatus != tc.status || !info.CloseTimestamp.Equal(h.now) {
				t.Fatalf("info %+v", info)
			}
			if len(h.timers)+len(h.tasks) != 0 {
				t.Fatalf("left behind %v %v", h.timers, h.tasks)
			}
		})
		t.Run(tc.name+" with unhandled events", func(t *testing.T) {
			h := newHarness(t, nil, Limits{})
			h.startDecision()
			h.do("Signal", func() (Effects, error) { return h.e.Signal("late", nil, h.now) })
			h.decide(tc.decision)
			// The signal schedules a decision task at once; its presence
			// fails the closing decision.
			equalLines(t, "events", h.since(5), []string{
				"5 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
				"6 DecisionTaskCompleted scheduledEventId=2 startedEventId=3",
				strings.ReplaceAll(strings.Replace(tc.failed, "5 ", "7 ", 1), "=4", "=6"),
			})
			if !h.e.Open {
				t.Fatal("closed despite the unhandled event")
			}
			h.decide(tc.decision) // the decider has now seen the signal
			if h.e.Open {
				t.Fatal("still open")
			}
		})
	}
}

func TestMarker(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.decide(marker("m1", ""), marker("m2", `"d"`))
	equalLines(t, "markers", h.since(5), []string{
		"5 MarkerRecorded decisionTaskCompletedEventId=4 markerName=m1",
		`6 MarkerRecorded decisionTaskCompletedEventId=4 details="d" markerName=m2`,
	})
	if h.e.Decision != nil {
		t.Fatal("a marker needs no decision task")
	}
}

func TestBatchesRejectedWhole(t *testing.T) {
	cases := []struct {
		name      string
		in        *swfapi.RespondDecisionTaskCompletedInput
		code, msg string
	}{
		{"close not last", &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{completeWorkflow("r"), marker("m", "")}},
			swfapi.CodeValidation, "Close must be last decision in list"},
		{"continue-as-new not last", &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{
			{DecisionType: swfapi.Ptr(swfapi.DecisionTypeContinueAsNewWorkflowExecution), ContinueAsNewWorkflowExecutionDecisionAttributes: &swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes{}},
			completeWorkflow("r")}},
			swfapi.CodeValidation, "Close must be last decision in list"},
		{"missing attributes", &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{marker("m", ""), noAttrs(swfapi.DecisionTypeStartTimer)}},
			swfapi.CodeValidation, "1 validation error detected: Value null at 'decisions.2.member.startTimerDecisionAttributes.timerId' failed to satisfy constraint: Member must not be null"},
		{"two missing", &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{noAttrs(swfapi.DecisionTypeScheduleActivityTask), noAttrs(swfapi.DecisionTypeCancelTimer)}},
			swfapi.CodeValidation, "2 validation errors detected: Value null at 'decisions.1.member.scheduleActivityTaskDecisionAttributes.activityType' failed to satisfy constraint: Member must not be null; Value null at 'decisions.2.member.cancelTimerDecisionAttributes.timerId' failed to satisfy constraint: Member must not be null"},
		{"bad timer duration", &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{startTimer("t", "NONE")}},
			swfapi.CodeValidation, "1 validation error detected: Value 'NONE' at 'decisions.1.member.startTimerDecisionAttributes.startToFireTimeout' failed to satisfy constraint: Member must be a whole number of seconds"},
		{"negative timer duration", &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{startTimer("t", "-5")}},
			swfapi.CodeValidation, "1 validation error detected: Value '-5' at 'decisions.1.member.startTimerDecisionAttributes.startToFireTimeout' failed to satisfy constraint: Member must be a whole number of seconds"},
		{"bad activity timeout", &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{schedule("a", "act/1", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) {
			a.HeartbeatTimeout = swfapi.Ptr("5m")
		})}}, swfapi.CodeValidation, "1 validation error detected: Value '5m' at 'decisions.1.member.scheduleActivityTaskDecisionAttributes.heartbeatTimeout' failed to satisfy constraint: Member must be NONE or a whole number of seconds"},
		{"bad activity priority", &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{schedule("a", "act/1", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) {
			a.TaskPriority = swfapi.Ptr("1.5")
		})}}, swfapi.CodeValidation, "1 validation error detected: Value '1.5' at 'decisions.1.member.scheduleActivityTaskDecisionAttributes.taskPriority' failed to satisfy constraint: Member must be an integer from -2147483648 to 2147483647"},
		{"bad child timeouts", &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{startChild("k", "kid/1", func(a *swfapi.StartChildWorkflowExecutionDecisionAttributes) {
			a.ExecutionStartToCloseTimeout, a.TaskStartToCloseTimeout, a.TaskPriority = swfapi.Ptr("31536001"), swfapi.Ptr("-1"), swfapi.Ptr("x")
		})}}, swfapi.CodeValidation, "3 validation errors detected: Value '31536001' at 'decisions.1.member.startChildWorkflowExecutionDecisionAttributes.executionStartToCloseTimeout' failed to satisfy constraint: Member must be NONE or a whole number of seconds from 1 to 31536000; Value '-1' at 'decisions.1.member.startChildWorkflowExecutionDecisionAttributes.taskStartToCloseTimeout' failed to satisfy constraint: Member must be NONE or a whole number of seconds; Value 'x' at 'decisions.1.member.startChildWorkflowExecutionDecisionAttributes.taskPriority' failed to satisfy constraint: Member must be an integer from -2147483648 to 2147483647"},
		{"bad names", &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{
			schedule("a:1", "act/1", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) { a.TaskList = taskList("x|y") }),
			startTimer("arn", "5"),
			startChild("k/1", "kid/1", func(a *swfapi.StartChildWorkflowExecutionDecisionAttributes) { a.TaskList = taskList(" kids") }),
			startChild("k2", "kid/1", func(a *swfapi.StartChildWorkflowExecutionDecisionAttributes) { a.TaskList = taskList("kids\u0007") }),
		}}, swfapi.CodeValidation, "6 validation errors detected: " +
			"Value 'a:1' at 'decisions.1.member.scheduleActivityTaskDecisionAttributes.activityId' failed to satisfy constraint: Member must not contain ':', '/', '|' or control characters, and must not be the literal string 'arn'; " +
			"Value 'x|y' at 'decisions.1.member.scheduleActivityTaskDecisionAttributes.taskList.name' failed to satisfy constraint: Member must not contain ':', '/', '|' or control characters, and must not be the literal string 'arn'; " +
			"Value 'arn' at 'decisions.2.member.startTimerDecisionAttributes.timerId' failed to satisfy constraint: Member must not contain ':', '/', '|' or control characters, and must not be the literal string 'arn'; " +
			"Value 'k/1' at 'decisions.3.member.startChildWorkflowExecutionDecisionAttributes.workflowId' failed to satisfy constraint: Member must not contain ':', '/', '|' or control characters, and must not be the literal string 'arn'; " +
			"Value ' kids' at 'decisions.3.member.startChildWorkflowExecutionDecisionAttributes.taskList.name' failed to satisfy constraint: Member must not start or end with whitespace; " +
			"Value 'kids\u0007' at 'decisions.4.member.startChildWorkflowExecutionDecisionAttributes.taskList.name' failed to satisfy constraint: Member must not contain ':', '/', '|' or control characters, and must not be the literal string 'arn'"},
		{"bad override timeout", &swfapi.RespondDecisionTaskCompletedInput{TaskList: taskList("x"), TaskListScheduleToStartTimeout: swfapi.Ptr("x")},
			swfapi.CodeValidation, "1 validation error detected: Value 'x' at 'taskListScheduleToStartTimeout' failed to satisfy constraint: Member must be NONE or a whole number of seconds"},
		// An override no poll could use would leave the run undecidable.
		{"bad override name", &swfapi.RespondDecisionTaskCompletedInput{TaskList: taskList("a:b")},
			swfapi.CodeValidation, "1 validation error detected: Value 'a:b' at 'taskList.name' failed to satisfy constraint: Member must not contain ':', '/', '|' or control characters, and must not be the literal string 'arn'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil, Limits{})
			sched, started := h.startDecision()
			fault := h.fail("complete", func() (Effects, error) {
				return h.e.CompleteDecisionTask(sched, started, tc.in, Lookups{ActivityTypes: testTypes()}, h.now)
			})
			if fault.Code != tc.code || fault.Message != tc.msg {
				t.Fatalf("got %s %q\nwant %s %q", fault.Code, fault.Message, tc.code, tc.msg)
			}
			// Nothing was applied: the same task can still be completed.
			h.decide(completeWorkflow("ok"))
			if h.e.Open {
				t.Fatal("token not usable after a rejected batch")
			}
		})
	}
}

func TestTaskListOverride(t *testing.T) {
	t.Run("permanent", func(t *testing.T) {
		h := newHarness(t, nil, Limits{})
		h.respond(&swfapi.RespondDecisionTaskCompletedInput{TaskList: taskList("elsewhere")})
		equalLines(t, "completed", h.since(4), []string{"4 DecisionTaskCompleted scheduledEventId=2 startedEventId=3 taskList=elsewhere"})
		fx := h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
		equalLines(t, "scheduled", h.eventsOf(fx)[1:], []string{"6 DecisionTaskScheduled startToCloseTimeout=30 taskList=elsewhere"})
		if fx.Tasks[0].TaskList != "elsewhere" {
			t.Fatalf("task %+v", fx.Tasks)
		}
		if *h.e.Detail().ExecutionConfiguration.TaskList.Name != "deciders" {
			t.Fatal("the configuration keeps the run's own task list")
		}
	})
	t.Run("temporary, not started in time", func(t *testing.T) {
		h := newHarness(t, nil, Limits{})
		h.respond(&swfapi.RespondDecisionTaskCompletedInput{TaskList: taskList("elsewhere"), TaskListScheduleToStartTimeout: swfapi.Ptr("5")})
		h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
		h.advance(5 * time.Second)
		h.fireDue()
		equalLines(t, "events", h.since(4), []string{
			"4 DecisionTaskCompleted scheduledEventId=2 startedEventId=3 taskList=elsewhere taskListScheduleToStartTimeout=5",
			"5 WorkflowExecutionSignaled externalInitiatedEventId=0 signalName=s",
			"6 DecisionTaskScheduled scheduleToStartTimeout=5 startToCloseTimeout=30 taskList=elsewhere",
			"7 DecisionTaskTimedOut scheduledEventId=6 startedEventId=0 timeoutType=SCHEDULE_TO_START",
			"8 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
		})
	})
	t.Run("temporary, started then timed out", func(t *testing.T) {
		h := newHarness(t, nil, Limits{})
		h.respond(&swfapi.RespondDecisionTaskCompletedInput{TaskList: taskList("elsewhere"), TaskListScheduleToStartTimeout: swfapi.Ptr("5")})
		h.do("Signal", func() (Effects, error) { return h.e.Signal("s", nil, h.now) })
		h.advance(4 * time.Second)
		h.startDecision()
		h.advance(30 * time.Second)
		h.fireDue()
		equalLines(t, "events", h.since(8), []string{
			"8 DecisionTaskTimedOut scheduledEventId=6 startedEventId=7 timeoutType=START_TO_CLOSE",
			"9 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
		})
	})
}

func TestTypesNamed(t *testing.T) {
	e := &Execution{WorkflowType: TypeRef{"flow", "1"}}
	acts, flows, continues := e.TypesNamed(&swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{
		schedule("a", "x/1"), marker("m", ""), schedule("b", "y/2"), schedule("c", "x/1"),
		{DecisionType: swfapi.Ptr(swfapi.DecisionTypeScheduleActivityTask)},
		startChild("c1", "kid/1"), startChild("c2", "kid/1"), continueAsNew("x"),
	}})
	if len(acts) != 2 || acts[0] != (TypeRef{"x", "1"}) || acts[1] != (TypeRef{"y", "2"}) {
		t.Fatalf("activity types %v", acts)
	}
	if len(flows) != 2 || flows[0] != (TypeRef{"kid", "1"}) || flows[1] != (TypeRef{"flow", "1"}) || !continues {
		t.Fatalf("workflow types %v, continues %v", flows, continues)
	}
	if a, f, c := e.TypesNamed(nil); a != nil || f != nil || c {
		t.Fatal("nil input")
	}
}

// noAttrs is a decision of type t without its attributes member.
func noAttrs(t swfapi.DecisionType) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.Ptr(t)}
}
