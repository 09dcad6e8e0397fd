package worker

import (
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// optional is nil for "", else s.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// seconds is d as SWF's duration: whole seconds, rounded up (a timer must
// not fire early).
func seconds(d time.Duration) *string {
	n := (max(d, 0) + time.Second - 1) / time.Second
	return aws.String(strconv.FormatInt(int64(n), 10))
}

// ScheduleActivity schedules an activity of type name/version with id
// activityID.
func ScheduleActivity(activityID, name, version, input string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeScheduleActivityTask,
		ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{
			ActivityId:   aws.String(activityID),
			ActivityType: &types.ActivityType{Name: aws.String(name), Version: aws.String(version)},
			Input:        optional(input),
		}}
}

// RequestCancelActivity asks the worker of activity activityID to cancel
// it: the worker hears of it at its next heartbeat.
func RequestCancelActivity(activityID string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeRequestCancelActivityTask,
		RequestCancelActivityTaskDecisionAttributes: &types.RequestCancelActivityTaskDecisionAttributes{ActivityId: aws.String(activityID)}}
}

// CompleteWorkflow closes the run as completed with result.
func CompleteWorkflow(result string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeCompleteWorkflowExecution,
		CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: optional(cut(result, maxResult))}}
}

// FailWorkflow closes the run as failed. It is not a retry: the run is
// over.
func FailWorkflow(reason, details string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeFailWorkflowExecution,
		FailWorkflowExecutionDecisionAttributes: &types.FailWorkflowExecutionDecisionAttributes{
			Reason: optional(cut(reason, maxReason)), Details: optional(cut(details, maxDetails))}}
}

// CancelWorkflow closes the run as canceled, as the answer to a cancel
// request.
func CancelWorkflow(details string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution,
		CancelWorkflowExecutionDecisionAttributes: &types.CancelWorkflowExecutionDecisionAttributes{Details: optional(cut(details, maxDetails))}}
}

// ContinueAsNew closes the run and starts a new run of the same workflow
// with input, and a fresh history.
func ContinueAsNew(input string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution,
		ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{Input: optional(input)}}
}

// RecordMarker records a MarkerRecorded event named name: a note in the
// history for later decisions to read.
func RecordMarker(name, details string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeRecordMarker,
		RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{MarkerName: aws.String(name), Details: optional(cut(details, maxDetails))}}
}

// StartTimer starts timer timerID, to fire after d (rounded up to whole
// seconds).
func StartTimer(timerID string, d time.Duration) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeStartTimer,
		StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String(timerID), StartToFireTimeout: seconds(d)}}
}

// CancelTimer cancels timer timerID.
func CancelTimer(timerID string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeCancelTimer,
		CancelTimerDecisionAttributes: &types.CancelTimerDecisionAttributes{TimerId: aws.String(timerID)}}
}

// StartChildWorkflow starts a child run of type name/version with id
// workflowID.
func StartChildWorkflow(workflowID, name, version, input string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution,
		StartChildWorkflowExecutionDecisionAttributes: &types.StartChildWorkflowExecutionDecisionAttributes{
			WorkflowId:   aws.String(workflowID),
			WorkflowType: &types.WorkflowType{Name: aws.String(name), Version: aws.String(version)},
			Input:        optional(input),
		}}
}

// SignalExternal signals the run of workflowID (runID: a given run; empty:
// the open one) with signal signalName.
func SignalExternal(workflowID, runID, signalName, input string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeSignalExternalWorkflowExecution,
		SignalExternalWorkflowExecutionDecisionAttributes: &types.SignalExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String(workflowID), RunId: optional(runID), SignalName: aws.String(signalName), Input: optional(input)}}
}

// RequestCancelExternal asks the run of workflowID (runID: a given run;
// empty: the open one) to cancel.
func RequestCancelExternal(workflowID, runID string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeRequestCancelExternalWorkflowExecution,
		RequestCancelExternalWorkflowExecutionDecisionAttributes: &types.RequestCancelExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String(workflowID), RunId: optional(runID)}}
}
