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
	if ref, ok := h.e.ContinuationType(in); !ok || ref != (TypeRef{"flow", "1"}) {
		t.Fatalf("ContinuationType = %v, %v", ref, ok)
	}
	fx := h.do("continue", func() (Effects, error) {
		return h.e.CompleteDecisionTask(sched, started, in, nil, h.now, Continuation{Type: flowType, RunID: "run-2"})
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
		cont  []Continuation
		cause string
	}{
		{"unknown type", nil, "WORKFLOW_TYPE_DOES_NOT_EXIST"},
		{"deprecated type", []Continuation{{Type: &WorkflowTypeInfo{Deprecated: true}, RunID: "r"}}, "WORKFLOW_TYPE_DEPRECATED"},
		{"no task list", []Continuation{{Type: &WorkflowTypeInfo{}, RunID: "r"}}, "DEFAULT_TASK_LIST_UNDEFINED"},
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
				return h.e.CompleteDecisionTask(sched, started, &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{continueAsNew("x")}}, nil, h.now, tc.cont...)
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
