package engine

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// testFlows are the workflow types the tests' domain has.
func testFlows() map[TypeRef]WorkflowTypeInfo {
	return map[TypeRef]WorkflowTypeInfo{
		{"flow", "1"}: *flowType,
		{"kid", "1"}: {Config: swfapi.WorkflowTypeConfiguration{
			DefaultTaskList:                     &swfapi.TaskList{Name: swfapi.Ptr("kids")},
			DefaultTaskStartToCloseTimeout:      swfapi.Ptr("10"),
			DefaultExecutionStartToCloseTimeout: swfapi.Ptr("600"),
			DefaultChildPolicy:                  swfapi.Ptr(swfapi.ChildPolicyAbandon),
		}},
		{"old", "1"}:  {Deprecated: true, Config: flowType.Config},
		{"bare", "1"}: {},
		{"notl", "1"}: {Config: swfapi.WorkflowTypeConfiguration{DefaultExecutionStartToCloseTimeout: swfapi.Ptr("60")}},
		{"noexec", "1"}: {Config: swfapi.WorkflowTypeConfiguration{
			DefaultTaskList: &swfapi.TaskList{Name: swfapi.Ptr("kids")},
		}},
		{"notask", "1"}: {Config: swfapi.WorkflowTypeConfiguration{
			DefaultTaskList: &swfapi.TaskList{Name: swfapi.Ptr("kids")}, DefaultExecutionStartToCloseTimeout: swfapi.Ptr("60"),
		}},
		{"nopolicy", "1"}: {Config: swfapi.WorkflowTypeConfiguration{
			DefaultTaskList: &swfapi.TaskList{Name: swfapi.Ptr("kids")}, DefaultExecutionStartToCloseTimeout: swfapi.Ptr("60"),
			DefaultTaskStartToCloseTimeout: swfapi.Ptr("5"),
		}},
	}
}

func startChild(id, typ string, mod ...func(*swfapi.StartChildWorkflowExecutionDecisionAttributes)) swfapi.Decision {
	name, version, _ := strings.Cut(typ, "/")
	a := &swfapi.StartChildWorkflowExecutionDecisionAttributes{
		WorkflowId:   swfapi.Ptr(id),
		WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr(name), Version: swfapi.Ptr(version)},
	}
	for _, m := range mod {
		m(a)
	}
	return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeStartChildWorkflowExecution), StartChildWorkflowExecutionDecisionAttributes: a}
}

// startedChild runs a parent harness through a StartChildWorkflowExecution
// decision and the child's start, and returns the child as a harness of
// its own.
func startedChild(t *testing.T, mod ...func(*swfapi.StartChildWorkflowExecutionDecisionAttributes)) (parent, child *harness) {
	h := newHarness(t, nil, Limits{})
	h.decide(startChild("kid-1", "kid/1", append([]func(*swfapi.StartChildWorkflowExecutionDecisionAttributes){func(a *swfapi.StartChildWorkflowExecutionDecisionAttributes) {
		a.Input, a.Control = swfapi.Ptr("hi"), swfapi.Ptr("c")
	}}, mod...)...))
	fx := h.do("StartChild", func() (Effects, error) { return h.e.StartChild(5, "kid-run", h.now) })
	delete(h.timers, "child/5/start") // the service removes the fired row
	if fx.NewRun == nil {
		t.Fatal("no child run")
	}
	k := &harness{t: t, now: h.now, tasks: map[string]Task{}, timers: map[string]time.Time{},
		rows: map[int64]ActivityRow{}, beats: map[int64]beat{}, types: testTypes(), flows: testFlows(), e: fx.NewRun.Execution}
	k.commit("child Start", fx.NewRun.Effects)
	k.check("child Start", fx.NewRun.Effects, false)
	return h, k
}

func TestStartChild(t *testing.T) {
	h, k := startedChild(t)
	equalLines(t, "parent", h.since(4), []string{
		"4 DecisionTaskCompleted scheduledEventId=2 startedEventId=3",
		"5 StartChildWorkflowExecutionInitiated childPolicy=ABANDON control=c decisionTaskCompletedEventId=4 executionStartToCloseTimeout=600 input=hi taskList=kids taskStartToCloseTimeout=10 workflowId=kid-1 workflowType=kid/1",
		"6 ChildWorkflowExecutionStarted initiatedEventId=5 workflowExecution={\"runId\":\"kid-run\",\"workflowId\":\"kid-1\"} workflowType=kid/1",
		"7 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
	})
	equalLines(t, "child", k.since(1), []string{
		"1 WorkflowExecutionStarted childPolicy=ABANDON executionStartToCloseTimeout=600 input=hi parentInitiatedEventId=5 parentWorkflowExecution={\"runId\":\"run-1\",\"workflowId\":\"wf-1\"} taskList=kids taskStartToCloseTimeout=10 workflowType=kid/1",
		"2 DecisionTaskScheduled startToCloseTimeout=10 taskList=kids",
	})
	if got := *h.e.Detail().OpenCounts.OpenChildWorkflowExecutions; got != 1 {
		t.Errorf("open children %d, want 1", got)
	}
	if p := k.e.Info().Parent; p == nil || *p.RunId != "run-1" {
		t.Errorf("child's parent %+v", p)
	}
	if in := h.e.Children[5].Input; in != nil {
		t.Errorf("the parent's state keeps the started child's input %q", *in)
	}
	// A second start of the same child changes nothing.
	if fx := h.do("StartChild again", func() (Effects, error) { return h.e.StartChild(5, "other", h.now) }); len(fx.Events) != 0 || fx.NewRun != nil {
		t.Fatalf("started twice: %+v", fx)
	}
}

func TestStartChildFailures(t *testing.T) {
	for _, tc := range []struct {
		typ, cause string
		limit      int
	}{
		{"nope/1", "WORKFLOW_TYPE_DOES_NOT_EXIST", 0},
		{"old/1", "WORKFLOW_TYPE_DEPRECATED", 0},
		{"notl/1", "DEFAULT_TASK_LIST_UNDEFINED", 0},
		{"noexec/1", "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED", 0},
		{"notask/1", "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED", 0},
		{"nopolicy/1", "DEFAULT_CHILD_POLICY_UNDEFINED", 0},
		{"kid/1", "OPEN_CHILDREN_LIMIT_EXCEEDED", 1},
	} {
		t.Run(tc.cause, func(t *testing.T) {
			h := newHarness(t, nil, Limits{OpenChildren: tc.limit})
			first := int64(5)
			if tc.limit > 0 {
				h.decide(startChild("a", "kid/1"), startChild("b", tc.typ, func(a *swfapi.StartChildWorkflowExecutionDecisionAttributes) { a.Control = swfapi.Ptr("c") }))
				first = 6
			} else {
				h.decide(startChild("b", tc.typ, func(a *swfapi.StartChildWorkflowExecutionDecisionAttributes) { a.Control = swfapi.Ptr("c") }))
			}
			got := h.since(first)
			want := "StartChildWorkflowExecutionFailed cause=" + tc.cause + " control=c decisionTaskCompletedEventId=4 initiatedEventId=0 workflowId=b workflowType=" + tc.typ
			if len(got) != 2 || got[0] != itoa(first)+" "+want {
				t.Fatalf("got %q, want %q then a decision task", got, want)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestChildAlreadyRunning(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	h.decide(startChild("kid-1", "kid/1"))
	h.do("ChildStartFailed", func() (Effects, error) {
		return h.e.ChildStartFailed(5, swfapi.StartChildWorkflowExecutionFailedCauseWorkflowAlreadyRunning, h.now)
	})
	delete(h.timers, "child/5/start")
	equalLines(t, "failed", h.since(6), []string{
		"6 StartChildWorkflowExecutionFailed cause=WORKFLOW_ALREADY_RUNNING decisionTaskCompletedEventId=4 initiatedEventId=5 workflowId=kid-1 workflowType=kid/1",
		"7 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
	})
	if len(h.e.Children) != 0 {
		t.Fatalf("children %+v", h.e.Children)
	}
}

// TestChildCloses: each way a child closes reaches its parent as the
// matching ChildWorkflowExecution* event; the child keeps a timer for the
// news until it is delivered.
func TestChildCloses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		close func(k *harness)
		want  string
	}{
		{"completed", func(k *harness) { k.decide(completeWorkflow("done")) },
			"ChildWorkflowExecutionCompleted initiatedEventId=5 result=done startedEventId=6 workflowExecution={\"runId\":\"kid-run\",\"workflowId\":\"kid-1\"} workflowType=kid/1"},
		{"failed", func(k *harness) { k.decide(failWorkflow("bad")) },
			"ChildWorkflowExecutionFailed initiatedEventId=5 reason=bad startedEventId=6 workflowExecution={\"runId\":\"kid-run\",\"workflowId\":\"kid-1\"} workflowType=kid/1"},
		{"canceled", func(k *harness) { k.decide(cancelWorkflow("bye")) },
			"ChildWorkflowExecutionCanceled details=bye initiatedEventId=5 startedEventId=6 workflowExecution={\"runId\":\"kid-run\",\"workflowId\":\"kid-1\"} workflowType=kid/1"},
		{"terminated", func(k *harness) {
			k.do("Terminate", func() (Effects, error) { return k.e.Terminate(nil, nil, nil, k.now) })
		}, "ChildWorkflowExecutionTerminated initiatedEventId=5 startedEventId=6 workflowExecution={\"runId\":\"kid-run\",\"workflowId\":\"kid-1\"} workflowType=kid/1"},
		{"timed out", func(k *harness) { k.advance(600 * time.Second); k.fireDue() },
			"ChildWorkflowExecutionTimedOut initiatedEventId=5 startedEventId=6 timeoutType=START_TO_CLOSE workflowExecution={\"runId\":\"kid-run\",\"workflowId\":\"kid-1\"} workflowType=kid/1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, k := startedChild(t)
			tc.close(k)
			if _, ok := k.timers["parent/5/notify"]; !ok {
				t.Fatalf("closed child's timers %v, want the notice's", k.timers)
			}
			ref, n, ok := k.e.ParentNoticeOwed()
			if !ok || ref.RunID != "run-1" || ref.InitiatedEventID != 5 {
				t.Fatalf("notice %+v %+v %v", ref, n, ok)
			}
			h.decide() // the parent's decider answers ChildWorkflowExecutionStarted
			h.do("ChildClosed", func() (Effects, error) { return h.e.ChildClosed(5, k.e.RunID, n, h.now) })
			equalLines(t, "parent", h.since(10), []string{"10 " + tc.want, "11 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders"})
			if len(h.e.Children) != 0 {
				t.Fatalf("children %+v", h.e.Children)
			}
			// Delivered twice (a crash between the two transactions): once.
			if fx := h.do("ChildClosed again", func() (Effects, error) { return h.e.ChildClosed(5, k.e.RunID, n, h.now) }); len(fx.Events) != 0 {
				t.Fatalf("recorded twice: %v", h.eventsOf(fx))
			}
			k.do("ParentNotified", func() (Effects, error) { return k.e.ParentNotified(k.now) })
			if _, _, ok := k.e.ParentNoticeOwed(); ok || len(k.timers) != 0 {
				t.Fatalf("notice still owed; timers %v", k.timers)
			}
		})
	}
}

// TestChildPolicy: a parent that is terminated or times out owes its
// TERMINATE or REQUEST_CANCEL policy to each child it started; ABANDON, or
// a close by decision, owes nothing.
func TestChildPolicy(t *testing.T) {
	for _, tc := range []struct {
		name  string
		close func(h *harness)
		owed  bool
	}{
		{"terminated with the run's policy", func(h *harness) {
			h.do("Terminate", func() (Effects, error) { return h.e.Terminate(nil, nil, nil, h.now) })
		}, true},
		{"terminated with ABANDON", func(h *harness) {
			h.do("Terminate", func() (Effects, error) { return h.e.Terminate(nil, nil, swfapi.Ptr(swfapi.ChildPolicyAbandon), h.now) })
		}, false},
		{"timed out", func(h *harness) { h.advance(3600 * time.Second); h.fireDue() }, true},
		{"completed", func(h *harness) { h.decide(completeWorkflow("")) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, k := startedChild(t)
			tc.close(h)
			ch, owed := h.e.ChildPolicyOwed(5)
			if owed != tc.owed {
				t.Fatalf("policy owed %v (%+v), want %v", owed, ch, tc.owed)
			}
			if !owed {
				if len(h.timers) != 0 {
					t.Fatalf("timers %v", h.timers)
				}
				return
			}
			if ch.Policy != swfapi.ChildPolicyTerminate || ch.RunID != "kid-run" || h.timers["child/5/policy"].IsZero() {
				t.Fatalf("owed %+v, timers %v", ch, h.timers)
			}
			if !k.e.IsChildOf("run-1", 5) || k.e.IsChildOf("run-1", 6) {
				t.Fatal("IsChildOf")
			}
			k.do("TerminateByParentPolicy", func() (Effects, error) { return k.e.TerminateByParentPolicy(k.now) })
			equalLines(t, "child", k.since(3), []string{"3 WorkflowExecutionTerminated cause=CHILD_POLICY_APPLIED childPolicy=ABANDON"})
			h.do("ChildPolicyApplied", func() (Effects, error) { return h.e.ChildPolicyApplied(5, h.now) })
			if _, owed := h.e.ChildPolicyOwed(5); owed || len(h.timers) != 0 {
				t.Fatalf("still owed; timers %v", h.timers)
			}
		})
	}
}

func TestCancelByParentPolicy(t *testing.T) {
	_, k := startedChild(t)
	k.do("CancelByParentPolicy", func() (Effects, error) { return k.e.CancelByParentPolicy(k.now) })
	k.do("CancelByParentPolicy again", func() (Effects, error) { return k.e.CancelByParentPolicy(k.now) })
	equalLines(t, "child", k.since(3), []string{"3 WorkflowExecutionCancelRequested cause=CHILD_POLICY_APPLIED externalInitiatedEventId=0"})
}

// TestChildContinuesAsNew: the successor of a child is still its parent's
// child, and the run that continued owes the parent no news.
func TestChildContinuesAsNew(t *testing.T) {
	_, k := startedChild(t)
	fx := k.decide(continueAsNew("again"))
	if _, _, owed := k.e.ParentNoticeOwed(); owed {
		t.Fatal("a run continued as new owes its parent news")
	}
	next := fx.NewRun.Execution
	if !next.IsChildOf("run-1", 5) {
		t.Fatalf("successor's parent %+v", next.Parent)
	}
	if a := fx.NewRun.Effects.Events[0].WorkflowExecutionStartedEventAttributes; deref(a.ParentWorkflowExecution.RunId) != "run-1" || *a.ParentInitiatedEventId != 5 {
		t.Fatalf("successor started %+v", a)
	}
}

// The model documents NONE, an unlimited run, as a child's execution
// timeout (though not a start's or a type's): the child starts with it and
// arms no timer of its own duration.
func TestChildWithoutExecutionTimeout(t *testing.T) {
	h, k := startedChild(t, func(a *swfapi.StartChildWorkflowExecutionDecisionAttributes) {
		a.ExecutionStartToCloseTimeout = swfapi.Ptr("NONE")
	})
	if got := h.since(5)[0]; !strings.Contains(got, "executionStartToCloseTimeout=NONE") {
		t.Errorf("initiated: %s", got)
	}
	if got := k.since(1)[0]; !strings.Contains(got, "executionStartToCloseTimeout=NONE") {
		t.Errorf("child started: %s", got)
	}
	if _, armed := k.timers[workflowKey]; armed {
		t.Error("an unlimited child arms its run's timeout")
	}
	if got := *k.e.Detail().ExecutionConfiguration.ExecutionStartToCloseTimeout; got != "NONE" {
		t.Errorf("describe says %q", got)
	}
	// The same child with a duration arms it.
	_, k = startedChild(t)
	if _, armed := k.timers[workflowKey]; !armed {
		t.Error("a child with a duration arms no timeout")
	}
}
