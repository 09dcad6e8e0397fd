package engine

import (
	"slices"

	"github.com/openswf/openswf/internal/swfapi"
)

// TypesNamed returns the activity and workflow types the decisions of a
// batch name (ScheduleActivityTask, StartChildWorkflowExecution,
// ContinueAsNewWorkflowExecution), each once, so the service can load them
// for CompleteDecisionTask; continues reports a ContinueAsNew decision, whose
// run needs an id.
func (e *Execution) TypesNamed(in *swfapi.RespondDecisionTaskCompletedInput) (activities, workflows []TypeRef, continues bool) {
	if in == nil {
		return nil, nil, false
	}
	add := func(refs []TypeRef, ref TypeRef) []TypeRef {
		if !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
		return refs
	}
	for _, d := range in.Decisions {
		switch deref(d.DecisionType) {
		case swfapi.DecisionTypeScheduleActivityTask:
			if a := d.ScheduleActivityTaskDecisionAttributes; a != nil && a.ActivityType != nil {
				activities = add(activities, activityRef(a.ActivityType))
			}
		case swfapi.DecisionTypeStartChildWorkflowExecution:
			if a := d.StartChildWorkflowExecutionDecisionAttributes; a != nil && a.WorkflowType != nil {
				workflows = add(workflows, TypeRef{Name: deref(a.WorkflowType.Name), Version: deref(a.WorkflowType.Version)})
			}
		case swfapi.DecisionTypeContinueAsNewWorkflowExecution:
			workflows = add(workflows, e.continuationType(d.ContinueAsNewWorkflowExecutionDecisionAttributes))
			continues = true
		}
	}
	return activities, workflows, continues
}

// Info returns the run as DescribeWorkflowExecution and the visibility
// lists show it. cancelRequested is always present; as recorded from SWF,
// it reads false once the run has closed, whatever happened while it was
// open.
func (e *Execution) Info() *swfapi.WorkflowExecutionInfo {
	info := &swfapi.WorkflowExecutionInfo{
		Execution:       &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(e.WorkflowID), RunId: swfapi.Ptr(e.RunID)},
		WorkflowType:    &swfapi.WorkflowType{Name: swfapi.Ptr(e.WorkflowType.Name), Version: swfapi.Ptr(e.WorkflowType.Version)},
		StartTimestamp:  swfapi.NewTimestamp(e.StartedAt),
		ExecutionStatus: swfapi.Ptr(swfapi.ExecutionStatusOpen),
		TagList:         slices.Clone(e.TagList),
		CancelRequested: swfapi.Ptr(e.Open && e.CancelRequested),
	}
	if p := e.Parent; p != nil {
		info.Parent = &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(p.WorkflowID), RunId: swfapi.Ptr(p.RunID)}
	}
	if !e.Open {
		info.ExecutionStatus = swfapi.Ptr(swfapi.ExecutionStatusClosed)
		info.CloseStatus = swfapi.Ptr(e.CloseStatus)
		info.CloseTimestamp = swfapi.NewTimestamp(e.ClosedAt)
	}
	return info
}

// Detail returns the answer to DescribeWorkflowExecution. The open counts
// always carry all five members. A closed run still counts the activities
// and timers that were open when it closed, as SWF does; it has no open
// decision task. The latest execution context is the caller's to read from
// event LatestExecutionContextEventID, when that is set (the state keeps
// only the context of states stored before).
func (e *Execution) Detail() *swfapi.WorkflowExecutionDetail {
	decisions := int32(0)
	if e.Decision != nil {
		decisions = 1
	}
	d := &swfapi.WorkflowExecutionDetail{
		ExecutionInfo: e.Info(),
		ExecutionConfiguration: &swfapi.WorkflowExecutionConfiguration{
			TaskStartToCloseTimeout:      swfapi.Ptr(e.TaskStartToCloseTimeout),
			ExecutionStartToCloseTimeout: swfapi.Ptr(e.ExecutionStartToCloseTimeout),
			TaskList:                     taskList(e.TaskList),
			TaskPriority:                 optional(e.TaskPriority),
			ChildPolicy:                  swfapi.Ptr(e.ChildPolicy),
			LambdaRole:                   optional(e.LambdaRole),
		},
		OpenCounts: &swfapi.WorkflowExecutionOpenCounts{
			OpenActivityTasks:           swfapi.Ptr(int32(len(e.Activities))),
			OpenDecisionTasks:           swfapi.Ptr(decisions),
			OpenTimers:                  swfapi.Ptr(int32(len(e.Timers))),
			OpenChildWorkflowExecutions: swfapi.Ptr(int32(len(e.Children))),
			OpenLambdaFunctions:         swfapi.Ptr(int32(0)),
		},
		LatestExecutionContext: e.LatestExecutionContext,
	}
	if !e.LatestActivityTaskTimestamp.IsZero() {
		d.LatestActivityTaskTimestamp = swfapi.NewTimestamp(e.LatestActivityTaskTimestamp)
	}
	return d
}
