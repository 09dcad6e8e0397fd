package engine

import "github.com/openswf/openswf/internal/swfapi"

// refuse records that decision d was refused before it was judged on the
// run's state: its principal may not make it (OPERATION_NOT_PERMITTED) or
// the account's rate for its kind is spent (the kind's RATE_EXCEEDED). SWF
// answers both with the decision's *Failed event and a new decision task,
// as for any other failed decision, and goes on with the rest of the batch.
// It reports whether the decision ended the batch (a closing decision) and
// whether it was refused at all: a cause the model does not list for the
// decision's failure event is ignored, and the decision judged as usual.
func (c *cmd) refuse(d swfapi.Decision, cause string) (ends, refused bool) {
	completed := swfapi.Ptr(c.completedID)
	var fill func(ev *swfapi.HistoryEvent)
	var t swfapi.EventType
	switch deref(d.DecisionType) {
	case swfapi.DecisionTypeScheduleActivityTask:
		a, why := d.ScheduleActivityTaskDecisionAttributes, swfapi.ScheduleActivityTaskFailedCause(cause)
		if !why.Valid() {
			return false, false
		}
		t, fill = swfapi.EventTypeScheduleActivityTaskFailed, func(ev *swfapi.HistoryEvent) {
			ev.ScheduleActivityTaskFailedEventAttributes = &swfapi.ScheduleActivityTaskFailedEventAttributes{
				ActivityType: activityType(activityRef(a.ActivityType)), ActivityId: swfapi.Ptr(deref(a.ActivityId)),
				Cause: &why, DecisionTaskCompletedEventId: completed,
			}
		}
	case swfapi.DecisionTypeRequestCancelActivityTask:
		a, why := d.RequestCancelActivityTaskDecisionAttributes, swfapi.RequestCancelActivityTaskFailedCause(cause)
		if !why.Valid() {
			return false, false
		}
		t, fill = swfapi.EventTypeRequestCancelActivityTaskFailed, func(ev *swfapi.HistoryEvent) {
			ev.RequestCancelActivityTaskFailedEventAttributes = &swfapi.RequestCancelActivityTaskFailedEventAttributes{
				ActivityId: swfapi.Ptr(deref(a.ActivityId)), Cause: &why, DecisionTaskCompletedEventId: completed,
			}
		}
	case swfapi.DecisionTypeRecordMarker:
		a, why := d.RecordMarkerDecisionAttributes, swfapi.RecordMarkerFailedCause(cause)
		if !why.Valid() {
			return false, false
		}
		t, fill = swfapi.EventTypeRecordMarkerFailed, func(ev *swfapi.HistoryEvent) {
			ev.RecordMarkerFailedEventAttributes = &swfapi.RecordMarkerFailedEventAttributes{
				MarkerName: swfapi.Ptr(deref(a.MarkerName)), Cause: &why, DecisionTaskCompletedEventId: completed,
			}
		}
	case swfapi.DecisionTypeStartTimer:
		a, why := d.StartTimerDecisionAttributes, swfapi.StartTimerFailedCause(cause)
		if !why.Valid() {
			return false, false
		}
		t, fill = swfapi.EventTypeStartTimerFailed, func(ev *swfapi.HistoryEvent) {
			ev.StartTimerFailedEventAttributes = &swfapi.StartTimerFailedEventAttributes{
				TimerId: swfapi.Ptr(deref(a.TimerId)), Cause: &why, DecisionTaskCompletedEventId: completed,
			}
		}
	case swfapi.DecisionTypeCancelTimer:
		a, why := d.CancelTimerDecisionAttributes, swfapi.CancelTimerFailedCause(cause)
		if !why.Valid() {
			return false, false
		}
		t, fill = swfapi.EventTypeCancelTimerFailed, func(ev *swfapi.HistoryEvent) {
			ev.CancelTimerFailedEventAttributes = &swfapi.CancelTimerFailedEventAttributes{
				TimerId: swfapi.Ptr(deref(a.TimerId)), Cause: &why, DecisionTaskCompletedEventId: completed,
			}
		}
	case swfapi.DecisionTypeScheduleLambdaFunction:
		a, why := d.ScheduleLambdaFunctionDecisionAttributes, swfapi.ScheduleLambdaFunctionFailedCause(cause)
		if !why.Valid() {
			return false, false
		}
		t, fill = swfapi.EventTypeScheduleLambdaFunctionFailed, func(ev *swfapi.HistoryEvent) {
			ev.ScheduleLambdaFunctionFailedEventAttributes = &swfapi.ScheduleLambdaFunctionFailedEventAttributes{
				Id: swfapi.Ptr(deref(a.Id)), Name: swfapi.Ptr(deref(a.Name)), Cause: &why, DecisionTaskCompletedEventId: completed,
			}
		}
	case swfapi.DecisionTypeSignalExternalWorkflowExecution:
		a, why := d.SignalExternalWorkflowExecutionDecisionAttributes, swfapi.SignalExternalWorkflowExecutionFailedCause(cause)
		if !why.Valid() {
			return false, false
		}
		// Refused before it was initiated: no initiated event to name,
		// as SWF's StartChildWorkflowExecutionFailed names none then.
		t, fill = swfapi.EventTypeSignalExternalWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
			ev.SignalExternalWorkflowExecutionFailedEventAttributes = &swfapi.SignalExternalWorkflowExecutionFailedEventAttributes{
				WorkflowId: a.WorkflowId, RunId: a.RunId, Cause: &why, InitiatedEventId: swfapi.Ptr(int64(0)),
				DecisionTaskCompletedEventId: completed, Control: a.Control,
			}
		}
	case swfapi.DecisionTypeRequestCancelExternalWorkflowExecution:
		a, why := d.RequestCancelExternalWorkflowExecutionDecisionAttributes, swfapi.RequestCancelExternalWorkflowExecutionFailedCause(cause)
		if !why.Valid() {
			return false, false
		}
		t, fill = swfapi.EventTypeRequestCancelExternalWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
			ev.RequestCancelExternalWorkflowExecutionFailedEventAttributes = &swfapi.RequestCancelExternalWorkflowExecutionFailedEventAttributes{
				WorkflowId: a.WorkflowId, RunId: a.RunId, Cause: &why, InitiatedEventId: swfapi.Ptr(int64(0)),
				DecisionTaskCompletedEventId: completed, Control: a.Control,
			}
		}
	case swfapi.DecisionTypeStartChildWorkflowExecution:
		a, why := d.StartChildWorkflowExecutionDecisionAttributes, swfapi.StartChildWorkflowExecutionFailedCause(cause)
		if !why.Valid() {
			return false, false
		}
		t, fill = swfapi.EventTypeStartChildWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
			var ref TypeRef
			if a.WorkflowType != nil {
				ref = TypeRef{Name: deref(a.WorkflowType.Name), Version: deref(a.WorkflowType.Version)}
			}
			ev.StartChildWorkflowExecutionFailedEventAttributes = &swfapi.StartChildWorkflowExecutionFailedEventAttributes{
				WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr(ref.Name), Version: swfapi.Ptr(ref.Version)},
				Cause:        &why, WorkflowId: a.WorkflowId, InitiatedEventId: swfapi.Ptr(int64(0)),
				DecisionTaskCompletedEventId: completed, Control: a.Control,
			}
		}
	case swfapi.DecisionTypeCompleteWorkflowExecution:
		why := swfapi.CompleteWorkflowExecutionFailedCause(cause)
		if !why.Valid() {
			return false, false
		}
		t, fill = swfapi.EventTypeCompleteWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
			ev.CompleteWorkflowExecutionFailedEventAttributes = &swfapi.CompleteWorkflowExecutionFailedEventAttributes{Cause: &why, DecisionTaskCompletedEventId: completed}
		}
	case swfapi.DecisionTypeFailWorkflowExecution:
		why := swfapi.FailWorkflowExecutionFailedCause(cause)
		if !why.Valid() {
			return false, false
		}
		t, fill = swfapi.EventTypeFailWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
			ev.FailWorkflowExecutionFailedEventAttributes = &swfapi.FailWorkflowExecutionFailedEventAttributes{Cause: &why, DecisionTaskCompletedEventId: completed}
		}
	case swfapi.DecisionTypeCancelWorkflowExecution:
		why := swfapi.CancelWorkflowExecutionFailedCause(cause)
		if !why.Valid() {
			return false, false
		}
		t, fill = swfapi.EventTypeCancelWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
			ev.CancelWorkflowExecutionFailedEventAttributes = &swfapi.CancelWorkflowExecutionFailedEventAttributes{Cause: &why, DecisionTaskCompletedEventId: completed}
		}
	case swfapi.DecisionTypeContinueAsNewWorkflowExecution:
		why := swfapi.ContinueAsNewWorkflowExecutionFailedCause(cause)
		if !why.Valid() {
			return false, false
		}
		t, fill = swfapi.EventTypeContinueAsNewWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
			ev.ContinueAsNewWorkflowExecutionFailedEventAttributes = &swfapi.ContinueAsNewWorkflowExecutionFailedEventAttributes{Cause: &why, DecisionTaskCompletedEventId: completed}
		}
	default:
		return false, false
	}
	c.event(t, fill)
	c.needDecision()
	return closing(deref(d.DecisionType)), true
}
