package engine

import (
	"slices"

	"github.com/openswf/openswf/internal/swfapi"
)

// ActivityTypesNamed returns the activity types the ScheduleActivityTask
// decisions of a batch name, each once, in the order first named, so the
// service can load them before CompleteDecisionTask.
func (e *Execution) ActivityTypesNamed(in *swfapi.RespondDecisionTaskCompletedInput) []TypeRef {
	if in == nil {
		return nil
	}
	var refs []TypeRef
	for _, d := range in.Decisions {
		if deref(d.DecisionType) != swfapi.DecisionTypeScheduleActivityTask || d.ScheduleActivityTaskDecisionAttributes == nil ||
			d.ScheduleActivityTaskDecisionAttributes.ActivityType == nil {
			continue
		}
		ref := activityRef(d.ScheduleActivityTaskDecisionAttributes.ActivityType)
		if !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	return refs
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
// decision task.
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
			OpenChildWorkflowExecutions: swfapi.Ptr(int32(0)),
			OpenLambdaFunctions:         swfapi.Ptr(int32(0)),
		},
		LatestExecutionContext: e.LatestExecutionContext,
	}
	if !e.LatestActivityTaskTimestamp.IsZero() {
		d.LatestActivityTaskTimestamp = swfapi.NewTimestamp(e.LatestActivityTaskTimestamp)
	}
	return d
}
