package engine

import (
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

func continueAsNew(input string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeContinueAsNewWorkflowExecution),
		ContinueAsNewWorkflowExecutionDecisionAttributes: &swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes{Input: swfapi.Ptr(input)}}
}

var flowType = &WorkflowTypeInfo{Config: swfapi.WorkflowTypeConfiguration{
	DefaultTaskList:                     &swfapi.TaskList{Name: swfapi.Ptr("deciders")},
	DefaultTaskStartToCloseTimeout:      swfapi.Ptr("30"),
	DefaultExecutionStartToCloseTimeout: swfapi.Ptr("3600"),
	DefaultChildPolicy:                  swfapi.Ptr(swfapi.ChildPolicyTerminate),
}}

func TestContinueAsNew(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	sched, started := h.startDecision()
	in := &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{continueAsNew("next")}}
	fx := h.do("continue", func() (Effects, error) {
		return h.e.CompleteDecisionTask(sched, started, in, Lookups{WorkflowTypes: map[TypeRef]WorkflowTypeInfo{{"flow", "1"}: *flowType}, NewRunID: "run-2"}, h.now)
	})
	equalLines(t, "continued", h.since(4), []string{
		"4 DecisionTaskCompleted scheduledEventId=2 startedEventId=3",
		`5 WorkflowExecutionContinuedAsNew childPolicy=TERMINATE decisionTaskCompletedEventId=4 executionStartToCloseTimeout=3600 input=next newExecutionRunId=run-2 taskList=deciders taskStartToCloseTimeout=30 workflowType=flow/1`,
	})
	if h.e.Open || h.e.CloseStatus != swfapi.CloseStatusContinuedAsNew || fx.NewRun == nil {
		t.Fatalf("old run open=%v status=%s successor=%v", h.e.Open, h.e.CloseStatus, fx.NewRun)
	}
	next := fx.NewRun.Execution
	started1 := fx.NewRun.Effects.Events[0].WorkflowExecutionStartedEventAttributes
	if next.RunID != "run-2" || !next.Open || deref(started1.ContinuedExecutionRunId) != "run-1" || deref(started1.Input) != "next" || len(fx.NewRun.Effects.Tasks) != 1 {
		t.Fatalf("successor %+v, started %+v", next, started1)
	}
}

func TestContinueAsNewFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		typ   *WorkflowTypeInfo
		cause string
	}{
		{"unknown type", nil, "WORKFLOW_TYPE_DOES_NOT_EXIST"},
		{"deprecated type", &WorkflowTypeInfo{Deprecated: true}, "WORKFLOW_TYPE_DEPRECATED"},
		{"no task list", &WorkflowTypeInfo{}, "DEFAULT_TASK_LIST_UNDEFINED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, &swfapi.StartWorkflowExecutionInput{
				WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr("flow"), Version: swfapi.Ptr("1")},
				// The run's own task list is no default for the new run.
				TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}, ExecutionStartToCloseTimeout: swfapi.Ptr("60"),
				TaskStartToCloseTimeout: swfapi.Ptr("30"), ChildPolicy: swfapi.Ptr(swfapi.ChildPolicyAbandon),
			}, Limits{})
			sched, started := h.startDecision()
			fx := h.do("continue", func() (Effects, error) {
				look := Lookups{NewRunID: "r"}
				if tc.typ != nil {
					look.WorkflowTypes = map[TypeRef]WorkflowTypeInfo{{"flow", "1"}: *tc.typ}
				}
				return h.e.CompleteDecisionTask(sched, started, &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{continueAsNew("x")}}, look, h.now)
			})
			equalLines(t, "failed", h.since(5), []string{
				"5 ContinueAsNewWorkflowExecutionFailed cause=" + tc.cause + " decisionTaskCompletedEventId=4",
				"6 DecisionTaskScheduled startToCloseTimeout=30 taskList=deciders",
			})
			if !h.e.Open || fx.NewRun != nil {
				t.Fatal("a failed continuation closed the run")
			}
		})
	}
}

// A continued run may be unlimited too, as the model documents for the
// decision; the next run then has no timer of its own duration.
func TestContinueAsNewWithoutExecutionTimeout(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	sched, started := h.startDecision()
	d := continueAsNew("next")
	d.ContinueAsNewWorkflowExecutionDecisionAttributes.ExecutionStartToCloseTimeout = swfapi.Ptr("NONE")
	in := &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{d}}
	fx := h.do("continue", func() (Effects, error) {
		return h.e.CompleteDecisionTask(sched, started, in, Lookups{WorkflowTypes: map[TypeRef]WorkflowTypeInfo{{"flow", "1"}: *flowType}, NewRunID: "run-2"}, h.now)
	})
	if fx.NewRun == nil || fx.NewRun.Execution.ExecutionStartToCloseTimeout != "NONE" {
		t.Fatalf("successor %+v (events %q)", fx.NewRun, h.since(4))
	}
	for _, tm := range fx.NewRun.Effects.Timers {
		if tm.Key == workflowKey {
			t.Errorf("an unlimited run arms its run's timeout: %+v", tm)
		}
	}
}
