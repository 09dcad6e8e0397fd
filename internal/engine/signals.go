package engine

import (
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// Signal records WorkflowExecutionSignaled for a signal sent by
// SignalWorkflowExecution, and lets the decider see it.
func (e *Execution) Signal(signalName string, input *string, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		if !c.e.Open {
			return c.e.unknownExecution()
		}
		c.event(swfapi.EventTypeWorkflowExecutionSignaled, func(ev *swfapi.HistoryEvent) {
			ev.WorkflowExecutionSignaledEventAttributes = &swfapi.WorkflowExecutionSignaledEventAttributes{
				SignalName: swfapi.Ptr(signalName),
				Input:      input,
				// Sent by an API call, not by another execution; SWF sends
				// the member as 0.
				ExternalInitiatedEventId: swfapi.Ptr(int64(0)),
			}
		})
		c.needDecision()
		return nil
	})
}

// RequestCancel records WorkflowExecutionCancelRequested for a
// RequestCancelWorkflowExecution call and lets the decider see it; closing
// the run is the decider's choice. A run whose cancel was already requested
// takes a second request as done already: it succeeds with no new event.
func (e *Execution) RequestCancel(now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		if !c.e.Open {
			return c.e.unknownExecution()
		}
		if c.e.CancelRequested {
			return nil
		}
		c.e.CancelRequested = true
		c.event(swfapi.EventTypeWorkflowExecutionCancelRequested, func(ev *swfapi.HistoryEvent) {
			ev.WorkflowExecutionCancelRequestedEventAttributes = &swfapi.WorkflowExecutionCancelRequestedEventAttributes{
				ExternalInitiatedEventId: swfapi.Ptr(int64(0)),
			}
		})
		c.needDecision()
		return nil
	})
}

// Terminate closes the run at once for TerminateWorkflowExecution, recording
// WorkflowExecutionTerminated (cause OPERATOR_INITIATED: someone asked for
// it) with the child policy given, or else the run's own. No decision task
// follows.
func (e *Execution) Terminate(reason, details *string, childPolicy *swfapi.ChildPolicy, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		if !c.e.Open {
			return c.e.unknownExecution()
		}
		policy := c.e.ChildPolicy
		if childPolicy != nil {
			policy = *childPolicy
		}
		c.event(swfapi.EventTypeWorkflowExecutionTerminated, func(ev *swfapi.HistoryEvent) {
			ev.WorkflowExecutionTerminatedEventAttributes = &swfapi.WorkflowExecutionTerminatedEventAttributes{
				Reason: reason, Details: details, ChildPolicy: swfapi.Ptr(policy),
				Cause: swfapi.Ptr(swfapi.WorkflowExecutionTerminatedCauseOperatorInitiated),
			}
		})
		c.close(swfapi.CloseStatusTerminated)
		return nil
	})
}

// TerminateByParentPolicy terminates this child run because its parent
// closed with the TERMINATE child policy: WorkflowExecutionTerminated with
// cause CHILD_POLICY_APPLIED, and this run's own policy for its children.
// A closed run changes nothing.
func (e *Execution) TerminateByParentPolicy(now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		if !c.e.Open {
			return nil
		}
		c.event(swfapi.EventTypeWorkflowExecutionTerminated, func(ev *swfapi.HistoryEvent) {
			ev.WorkflowExecutionTerminatedEventAttributes = &swfapi.WorkflowExecutionTerminatedEventAttributes{
				ChildPolicy: swfapi.Ptr(c.e.ChildPolicy),
				Cause:       swfapi.Ptr(swfapi.WorkflowExecutionTerminatedCauseChildPolicyApplied),
			}
		})
		c.close(swfapi.CloseStatusTerminated)
		return nil
	})
}

// CancelByParentPolicy asks this child run to cancel because its parent
// closed with the REQUEST_CANCEL child policy: WorkflowExecutionCancelRequested
// with cause CHILD_POLICY_APPLIED, for the decider to act on. A closed run,
// or one already asked, changes nothing.
func (e *Execution) CancelByParentPolicy(now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		if !c.e.Open || c.e.CancelRequested {
			return nil
		}
		c.e.CancelRequested = true
		c.event(swfapi.EventTypeWorkflowExecutionCancelRequested, func(ev *swfapi.HistoryEvent) {
			ev.WorkflowExecutionCancelRequestedEventAttributes = &swfapi.WorkflowExecutionCancelRequestedEventAttributes{
				ExternalInitiatedEventId: swfapi.Ptr(int64(0)),
				Cause:                    swfapi.Ptr(swfapi.WorkflowExecutionCancelRequestedCauseChildPolicyApplied),
			}
		})
		c.needDecision()
		return nil
	})
}
