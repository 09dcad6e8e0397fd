package engine

import (
	"github.com/openswf/openswf/internal/swfapi"
)

// Lookups is what a decision batch needs from outside its run: the
// registered types its decisions name (see TypesNamed; a type that is absent
// does not exist), and the id of the run a ContinueAsNewWorkflowExecution
// starts, which the engine cannot make itself.
type Lookups struct {
	ActivityTypes map[TypeRef]ActivityTypeInfo
	WorkflowTypes map[TypeRef]WorkflowTypeInfo
	NewRunID      string
	// Refused holds, by index in the batch, the decisions refused before
	// the batch reached the run (by policy or by rate), with the cause
	// their failure events record.
	Refused map[int]string
}

// NewRun is a run a command started, with the effects of its start: the
// successor of a run continued as new, or a child.
type NewRun struct {
	Execution *Execution
	Effects   Effects
}

// continuationType returns the workflow type a ContinueAsNewWorkflowExecution
// decision names: this run's name, and the decision's version or this
// run's.
func (e *Execution) continuationType(a *swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes) TypeRef {
	ref := e.WorkflowType
	if a != nil && deref(a.WorkflowTypeVersion) != "" {
		ref.Version = *a.WorkflowTypeVersion
	}
	return ref
}

// continueAsNew carries out a ContinueAsNewWorkflowExecution decision: this
// run closes as CONTINUED_AS_NEW and a new run of the workflow starts, its
// configuration from the decision and else the type's defaults.
func (c *cmd) continueAsNew(a *swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes) {
	if a == nil {
		a = &swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes{}
	}
	e := c.e
	typ, typeExists := c.look.WorkflowTypes[e.continuationType(a)]
	fail := func(cause swfapi.ContinueAsNewWorkflowExecutionFailedCause) {
		c.event(swfapi.EventTypeContinueAsNewWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
			ev.ContinueAsNewWorkflowExecutionFailedEventAttributes = &swfapi.ContinueAsNewWorkflowExecutionFailedEventAttributes{
				Cause: swfapi.Ptr(cause), DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
			}
		})
		c.needDecision()
	}
	switch {
	case e.Decision != nil: // scheduled during this task: unseen events
		fail(swfapi.ContinueAsNewWorkflowExecutionFailedCauseUnhandledDecision)
		return
	case !typeExists:
		fail(swfapi.ContinueAsNewWorkflowExecutionFailedCauseWorkflowTypeDoesNotExist)
		return
	case typ.Deprecated:
		fail(swfapi.ContinueAsNewWorkflowExecutionFailedCauseWorkflowTypeDeprecated)
		return
	}
	version := e.WorkflowType.Version
	if deref(a.WorkflowTypeVersion) != "" {
		version = *a.WorkflowTypeVersion
	}
	req := &swfapi.StartWorkflowExecutionInput{
		Domain: swfapi.Ptr(e.Domain), WorkflowId: swfapi.Ptr(e.WorkflowID),
		WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr(e.WorkflowType.Name), Version: swfapi.Ptr(version)},
		TaskList:     a.TaskList, TaskPriority: a.TaskPriority, Input: a.Input,
		ExecutionStartToCloseTimeout: a.ExecutionStartToCloseTimeout, TaskStartToCloseTimeout: a.TaskStartToCloseTimeout,
		ChildPolicy: a.ChildPolicy, TagList: a.TagList, LambdaRole: a.LambdaRole,
	}
	// The new run is still its parent's child, if this one was.
	next, fx, err := Start(StartParams{Domain: e.Domain, WorkflowID: e.WorkflowID, RunID: c.look.NewRunID, Request: req,
		Type: typ, Limits: e.Limits, ContinuedFrom: e.RunID, Parent: e.Parent}, c.now)
	if err != nil {
		fail(undefinedCause(err))
		return
	}
	c.event(swfapi.EventTypeWorkflowExecutionContinuedAsNew, func(ev *swfapi.HistoryEvent) {
		ev.WorkflowExecutionContinuedAsNewEventAttributes = &swfapi.WorkflowExecutionContinuedAsNewEventAttributes{
			Input:                        a.Input,
			DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
			NewExecutionRunId:            swfapi.Ptr(next.RunID),
			ExecutionStartToCloseTimeout: swfapi.Ptr(next.ExecutionStartToCloseTimeout),
			TaskList:                     taskList(next.TaskList),
			TaskPriority:                 optional(next.TaskPriority),
			TaskStartToCloseTimeout:      swfapi.Ptr(next.TaskStartToCloseTimeout),
			ChildPolicy:                  swfapi.Ptr(next.ChildPolicy),
			TagList:                      next.TagList,
			WorkflowType:                 &swfapi.WorkflowType{Name: swfapi.Ptr(next.WorkflowType.Name), Version: swfapi.Ptr(next.WorkflowType.Version)},
			LambdaRole:                   optional(next.LambdaRole),
		}
	})
	c.close(swfapi.CloseStatusContinuedAsNew)
	c.newRun = &NewRun{Execution: next, Effects: fx}
}

// undefinedCause turns the fault that refused the new run's start into the
// cause SWF records: the type default that was missing (or unusable).
func undefinedCause(err error) swfapi.ContinueAsNewWorkflowExecutionFailedCause {
	f, _ := err.(*swfapi.Fault)
	if f != nil && f.Code == swfapi.CodeDefaultUndefined {
		switch f.Message {
		case "defaultTaskList":
			return swfapi.ContinueAsNewWorkflowExecutionFailedCauseDefaultTaskListUndefined
		case "defaultTaskStartToCloseTimeout":
			return swfapi.ContinueAsNewWorkflowExecutionFailedCauseDefaultTaskStartToCloseTimeoutUndefined
		case "defaultChildPolicy":
			return swfapi.ContinueAsNewWorkflowExecutionFailedCauseDefaultChildPolicyUndefined
		}
	}
	return swfapi.ContinueAsNewWorkflowExecutionFailedCauseDefaultExecutionStartToCloseTimeoutUndefined
}
