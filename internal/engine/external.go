package engine

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// Signals and cancel requests between runs. A decision records the request
// as initiated in its run's history and keeps it in External, which implies
// a timer due at once; the service delivers it when that timer fires — to
// the target run in one transaction, then the outcome back here in another —
// so a crash between the two redelivers, and Received keeps the target from
// recording a request twice. A run that closes keeps the requests it still
// owes (owedTimers) until they are delivered.

// ExternalRequest is a signal or cancel request this run sent to another.
type ExternalRequest struct {
	// Cancel tells a cancel request from a signal.
	Cancel                       bool      `json:"cancel,omitempty"`
	WorkflowID                   string    `json:"workflowId"`
	RunID                        string    `json:"runId,omitempty"`
	SignalName                   string    `json:"signalName,omitempty"`
	Input                        *string   `json:"input,omitempty"`
	Control                      *string   `json:"control,omitempty"`
	DecisionTaskCompletedEventID int64     `json:"decisionTaskCompletedEventId"`
	InitiatedAt                  time.Time `json:"initiatedAt"`
}

// signalExternal carries out a SignalExternalWorkflowExecution decision.
func (c *cmd) signalExternal(a *swfapi.SignalExternalWorkflowExecutionDecisionAttributes) {
	r := ExternalRequest{
		WorkflowID: deref(a.WorkflowId), RunID: deref(a.RunId), SignalName: deref(a.SignalName),
		Input: a.Input, Control: a.Control, DecisionTaskCompletedEventID: c.completedID, InitiatedAt: c.now,
	}
	id := c.event(swfapi.EventTypeSignalExternalWorkflowExecutionInitiated, func(ev *swfapi.HistoryEvent) {
		ev.SignalExternalWorkflowExecutionInitiatedEventAttributes = &swfapi.SignalExternalWorkflowExecutionInitiatedEventAttributes{
			WorkflowId: a.WorkflowId, RunId: optional(r.RunID), SignalName: a.SignalName, Input: a.Input, Control: a.Control,
			DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
		}
	})
	c.e.External[id] = r
}

// requestCancelExternal carries out a RequestCancelExternalWorkflowExecution
// decision.
func (c *cmd) requestCancelExternal(a *swfapi.RequestCancelExternalWorkflowExecutionDecisionAttributes) {
	r := ExternalRequest{
		Cancel: true, WorkflowID: deref(a.WorkflowId), RunID: deref(a.RunId), Control: a.Control,
		DecisionTaskCompletedEventID: c.completedID, InitiatedAt: c.now,
	}
	id := c.event(swfapi.EventTypeRequestCancelExternalWorkflowExecutionInitiated, func(ev *swfapi.HistoryEvent) {
		ev.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes = &swfapi.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes{
			WorkflowId: a.WorkflowId, RunId: optional(r.RunID), Control: a.Control,
			DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
		}
	})
	c.e.External[id] = r
}

// ExternalDelivered records that the request initiated by event
// initiatedEventID reached the run targetRunID, and lets the decider see it.
// A request no longer owed (already answered) is a no-op.
func (e *Execution) ExternalDelivered(initiatedEventID int64, targetRunID string, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		r, ok := c.e.External[initiatedEventID]
		if !ok {
			return nil
		}
		delete(c.e.External, initiatedEventID)
		if !c.e.Open {
			return nil // sent as the run closed: delivered, and nobody to tell
		}
		target := &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(r.WorkflowID), RunId: swfapi.Ptr(targetRunID)}
		c.event(swfapi.EventTypeExternalWorkflowExecutionSignaled, func(ev *swfapi.HistoryEvent) {
			if r.Cancel {
				ev.EventType = swfapi.Ptr(swfapi.EventTypeExternalWorkflowExecutionCancelRequested)
				ev.ExternalWorkflowExecutionCancelRequestedEventAttributes = &swfapi.ExternalWorkflowExecutionCancelRequestedEventAttributes{
					WorkflowExecution: target, InitiatedEventId: swfapi.Ptr(initiatedEventID),
				}
				return
			}
			ev.ExternalWorkflowExecutionSignaledEventAttributes = &swfapi.ExternalWorkflowExecutionSignaledEventAttributes{
				WorkflowExecution: target, InitiatedEventId: swfapi.Ptr(initiatedEventID),
			}
		})
		c.needDecision()
		return nil
	})
}

// ExternalFailed records that the request initiated by event
// initiatedEventID found no open run to deliver to
// (UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION), and lets the decider see it.
func (e *Execution) ExternalFailed(initiatedEventID int64, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		r, ok := c.e.External[initiatedEventID]
		if !ok {
			return nil
		}
		delete(c.e.External, initiatedEventID)
		if !c.e.Open {
			return nil
		}
		c.event(swfapi.EventTypeSignalExternalWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
			if r.Cancel {
				ev.EventType = swfapi.Ptr(swfapi.EventTypeRequestCancelExternalWorkflowExecutionFailed)
				ev.RequestCancelExternalWorkflowExecutionFailedEventAttributes = &swfapi.RequestCancelExternalWorkflowExecutionFailedEventAttributes{
					WorkflowId: swfapi.Ptr(r.WorkflowID), RunId: optional(r.RunID),
					Cause:                        swfapi.Ptr(swfapi.RequestCancelExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution),
					InitiatedEventId:             swfapi.Ptr(initiatedEventID),
					DecisionTaskCompletedEventId: swfapi.Ptr(r.DecisionTaskCompletedEventID), Control: r.Control,
				}
				return
			}
			ev.SignalExternalWorkflowExecutionFailedEventAttributes = &swfapi.SignalExternalWorkflowExecutionFailedEventAttributes{
				WorkflowId: swfapi.Ptr(r.WorkflowID), RunId: optional(r.RunID),
				Cause:                        swfapi.Ptr(swfapi.SignalExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution),
				InitiatedEventId:             swfapi.Ptr(initiatedEventID),
				DecisionTaskCompletedEventId: swfapi.Ptr(r.DecisionTaskCompletedEventID), Control: r.Control,
			}
		})
		c.needDecision()
		return nil
	})
}

// Request returns the undelivered request initiated by event
// initiatedEventID, if this run still owes it. A run that closed in the
// same decision batch that sent a request still owes it (a child's last
// word to its parent is often a signal sent as it completes): the request
// is delivered, and its outcome recorded nowhere.
func (e *Execution) Request(initiatedEventID int64) (ExternalRequest, bool) {
	r, ok := e.External[initiatedEventID]
	return r, ok
}

// ReceiveExternal records a request another run (source, by its event
// initiatedEventID) sent here: the signal, or the cancel request. A request
// recorded before (a redelivery) changes nothing.
func (e *Execution) ReceiveExternal(r ExternalRequest, source swfapi.WorkflowExecution, initiatedEventID int64, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		if !c.e.Open {
			return c.e.unknownExecution()
		}
		key := deref(source.RunId) + "/" + strconv.FormatInt(initiatedEventID, 10)
		if c.e.Received.has(key) {
			return nil
		}
		c.e.Received = c.e.Received.add(key)
		src := &swfapi.WorkflowExecution{WorkflowId: source.WorkflowId, RunId: source.RunId}
		if r.Cancel {
			if c.e.CancelRequested {
				return nil
			}
			c.e.CancelRequested = true
			c.event(swfapi.EventTypeWorkflowExecutionCancelRequested, func(ev *swfapi.HistoryEvent) {
				ev.WorkflowExecutionCancelRequestedEventAttributes = &swfapi.WorkflowExecutionCancelRequestedEventAttributes{
					ExternalWorkflowExecution: src, ExternalInitiatedEventId: swfapi.Ptr(initiatedEventID),
				}
			})
		} else {
			c.event(swfapi.EventTypeWorkflowExecutionSignaled, func(ev *swfapi.HistoryEvent) {
				ev.WorkflowExecutionSignaledEventAttributes = &swfapi.WorkflowExecutionSignaledEventAttributes{
					SignalName: swfapi.Ptr(r.SignalName), Input: r.Input,
					ExternalWorkflowExecution: src, ExternalInitiatedEventId: swfapi.Ptr(initiatedEventID),
				}
			})
		}
		c.needDecision()
		return nil
	})
}

// maxReceived bounds how many delivered requests a run remembers.
const maxReceived = 1000

// ReceivedRequests are the keys of the requests delivered to a run, oldest
// first, at most maxReceived of them.
//
// A key is only needed until its sender has recorded the delivery, which
// the service does right after delivering (a second transaction, on the
// sender); a request is delivered again only if the server stopped between
// the two, and then at once when it starts again, before it has delivered
// anything new. So the latest keys are the only ones a redelivery can
// match, and a run that receives requests for years keeps a bounded list.
type ReceivedRequests []string

func (r ReceivedRequests) has(key string) bool { return slices.Contains(r, key) }

// add remembers key, forgetting the oldest past the bound.
func (r ReceivedRequests) add(key string) ReceivedRequests {
	r = append(r, key)
	if len(r) > maxReceived {
		r = slices.Delete(r, 0, len(r)-maxReceived)
	}
	return r
}

// UnmarshalJSON reads the list, or the set (a JSON object of keys) that
// states written before the bound kept; a set has no order, so its keys are
// sorted.
func (r *ReceivedRequests) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '{' {
		var set map[string]bool
		if err := json.Unmarshal(data, &set); err != nil {
			return err
		}
		keys := slices.Sorted(maps.Keys(set))
		if len(keys) > maxReceived {
			keys = keys[len(keys)-maxReceived:]
		}
		*r = keys
		return nil
	}
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		return err
	}
	*r = list
	return nil
}
