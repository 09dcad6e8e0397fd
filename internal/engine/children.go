package engine

import (
	"slices"
	"strconv"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// Child runs. A StartChildWorkflowExecution decision is judged against the
// child's workflow type at once (a missing or deprecated type, a missing
// default, too many open children fail it with no initiated event, as
// SWF's StartChildWorkflowExecutionFailed has initiatedEventId 0 then), and
// otherwise records StartChildWorkflowExecutionInitiated with the child's
// whole configuration. The start itself is owed work, like a signal to
// another run: a timer due at once, which the service fires by creating the
// child in the transaction that records ChildWorkflowExecutionStarted here
// (StartChild), or, when the workflow id already has an open run or the
// domain has too many, recording StartChildWorkflowExecutionFailed
// (ChildStartFailed).
//
// What a closed run owes others is owed work too, so it survives a crash:
// a child tells its parent how it closed (Notice, delivered by ChildClosed
// on the parent), and a parent that is terminated or times out applies its
// child policy to each child it started (ChildPolicyOwed). A closed run
// keeps a timer for each such debt until the service reports it paid.

// ParentRef names the run that started a run as its child, and the
// parent's StartChildWorkflowExecutionInitiated event.
type ParentRef struct {
	WorkflowID       string `json:"workflowId"`
	RunID            string `json:"runId"`
	InitiatedEventID int64  `json:"initiatedEventId"`
}

// ChildState is a child run, from the decision that initiated it until it
// closes.
type ChildState struct {
	WorkflowID                   string    `json:"workflowId"`
	Type                         TypeRef   `json:"workflowType"`
	Control                      *string   `json:"control,omitempty"`
	DecisionTaskCompletedEventID int64     `json:"decisionTaskCompletedEventId"`
	InitiatedAt                  time.Time `json:"initiatedAt"`

	// The child's configuration, from the decision or its type's defaults;
	// Input only until the child starts.
	Input                        *string            `json:"input,omitempty"`
	TaskList                     string             `json:"taskList"`
	TaskPriority                 string             `json:"taskPriority,omitempty"`
	ExecutionStartToCloseTimeout string             `json:"executionStartToCloseTimeout"`
	TaskStartToCloseTimeout      string             `json:"taskStartToCloseTimeout"`
	ChildPolicy                  swfapi.ChildPolicy `json:"childPolicy"`
	TagList                      []string           `json:"tagList,omitempty"`
	LambdaRole                   string             `json:"lambdaRole,omitempty"`

	// RunID and StartedEventID are set once the child has started.
	RunID          string `json:"runId,omitempty"`
	StartedEventID int64  `json:"startedEventId,omitempty"`
	// Policy is the child policy this run, closed, still has to apply to
	// the child (TERMINATE or REQUEST_CANCEL); "" when none.
	Policy swfapi.ChildPolicy `json:"policy,omitempty"`
}

// ParentNotice is how a child run closed, as its parent records it.
type ParentNotice struct {
	Status  swfapi.CloseStatus `json:"status"`
	Result  *string            `json:"result,omitempty"`
	Reason  *string            `json:"reason,omitempty"`
	Details *string            `json:"details,omitempty"`
}

func childKey(initiatedEventID int64, what string) string {
	return "child/" + strconv.FormatInt(initiatedEventID, 10) + "/" + what
}

func parentKey(initiatedEventID int64) string {
	return "parent/" + strconv.FormatInt(initiatedEventID, 10) + "/notify"
}

// The owed work a child timer key stands for.
const (
	ChildStart  = "start"  // start the child (on the parent's timer)
	ChildPolicy = "policy" // apply the closed parent's child policy
	ChildNotify = "notify" // tell the parent how the child closed (on the child's timer)
)

// ChildKey reports whether a timer key is owed work between a parent and a
// child, which the service carries out itself: what (ChildStart,
// ChildPolicy or ChildNotify) and the parent's initiated event id.
func ChildKey(key string) (initiatedEventID int64, what string, ok bool) {
	k, ok := parseKey(key)
	switch {
	case ok && k.kind == "child" && (k.sub == ChildStart || k.sub == ChildPolicy):
		return k.id, k.sub, true
	case ok && k.kind == "parent" && k.sub == ChildNotify:
		return k.id, k.sub, true
	}
	return 0, "", false
}

// startChild carries out a StartChildWorkflowExecution decision.
func (c *cmd) startChild(a *swfapi.StartChildWorkflowExecutionDecisionAttributes) {
	var ref TypeRef
	if a.WorkflowType != nil { // required by the model
		ref = TypeRef{Name: deref(a.WorkflowType.Name), Version: deref(a.WorkflowType.Version)}
	}
	fail := func(cause swfapi.StartChildWorkflowExecutionFailedCause) {
		c.event(swfapi.EventTypeStartChildWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
			ev.StartChildWorkflowExecutionFailedEventAttributes = &swfapi.StartChildWorkflowExecutionFailedEventAttributes{
				WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr(ref.Name), Version: swfapi.Ptr(ref.Version)},
				Cause:        swfapi.Ptr(cause), WorkflowId: a.WorkflowId,
				InitiatedEventId:             swfapi.Ptr(int64(0)),
				DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID), Control: a.Control,
			}
		})
		c.needDecision()
	}
	typ, exists := c.look.WorkflowTypes[ref]
	switch {
	case !exists:
		fail(swfapi.StartChildWorkflowExecutionFailedCauseWorkflowTypeDoesNotExist)
		return
	case typ.Deprecated:
		fail(swfapi.StartChildWorkflowExecutionFailedCauseWorkflowTypeDeprecated)
		return
	case len(c.e.Children) >= c.e.Limits.orDefault().OpenChildren:
		fail(swfapi.StartChildWorkflowExecutionFailedCauseOpenChildrenLimitExceeded)
		return
	}
	cfg, err := resolveStart(&swfapi.StartWorkflowExecutionInput{
		TaskList: a.TaskList, ExecutionStartToCloseTimeout: a.ExecutionStartToCloseTimeout,
		TaskStartToCloseTimeout: a.TaskStartToCloseTimeout, ChildPolicy: a.ChildPolicy,
		TaskPriority: a.TaskPriority, LambdaRole: a.LambdaRole,
	}, typ.Config, true)
	if err != nil {
		fail(swfapi.StartChildWorkflowExecutionFailedCause(undefinedCause(err)))
		return
	}
	child := ChildState{
		WorkflowID: deref(a.WorkflowId), Type: ref, Control: a.Control,
		DecisionTaskCompletedEventID: c.completedID, InitiatedAt: c.now,
		Input: a.Input, TaskList: cfg.TaskList, TaskPriority: cfg.TaskPriority,
		ExecutionStartToCloseTimeout: cfg.ExecutionStartToCloseTimeout, TaskStartToCloseTimeout: cfg.TaskStartToCloseTimeout,
		ChildPolicy: cfg.ChildPolicy, TagList: slices.Clone(a.TagList), LambdaRole: cfg.LambdaRole,
	}
	id := c.event(swfapi.EventTypeStartChildWorkflowExecutionInitiated, func(ev *swfapi.HistoryEvent) {
		ev.StartChildWorkflowExecutionInitiatedEventAttributes = &swfapi.StartChildWorkflowExecutionInitiatedEventAttributes{
			WorkflowId: a.WorkflowId, WorkflowType: child.workflowType(), Control: a.Control, Input: a.Input,
			ExecutionStartToCloseTimeout: swfapi.Ptr(child.ExecutionStartToCloseTimeout),
			TaskList:                     taskList(child.TaskList), TaskPriority: optional(child.TaskPriority),
			DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID), ChildPolicy: swfapi.Ptr(child.ChildPolicy),
			TaskStartToCloseTimeout: swfapi.Ptr(child.TaskStartToCloseTimeout),
			TagList:                 slices.Clone(child.TagList), LambdaRole: optional(child.LambdaRole),
		}
	})
	c.e.Children[id] = child
}

func (ch ChildState) workflowType() *swfapi.WorkflowType {
	return &swfapi.WorkflowType{Name: swfapi.Ptr(ch.Type.Name), Version: swfapi.Ptr(ch.Type.Version)}
}

func (ch ChildState) execution(runID string) *swfapi.WorkflowExecution {
	return &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(ch.WorkflowID), RunId: swfapi.Ptr(runID)}
}

// childToStart returns the child initiated by event initiatedEventID, if
// this run still owes its start.
func (e *Execution) childToStart(initiatedEventID int64) (ChildState, bool) {
	ch, ok := e.Children[initiatedEventID]
	return ch, ok && e.Open && ch.RunID == ""
}

// StartChild starts the child initiated by event initiatedEventID as run
// runID: it records ChildWorkflowExecutionStarted, and the Effects' NewRun
// is the child, to be created in the same transaction. A child no longer
// owed a start changes nothing.
func (e *Execution) StartChild(initiatedEventID int64, runID string, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		ch, owed := c.e.childToStart(initiatedEventID)
		if !owed {
			return nil
		}
		req := &swfapi.StartWorkflowExecutionInput{
			WorkflowType: ch.workflowType(), TaskList: taskList(ch.TaskList), TaskPriority: optional(ch.TaskPriority),
			Input:                        ch.Input,
			ExecutionStartToCloseTimeout: swfapi.Ptr(ch.ExecutionStartToCloseTimeout),
			TaskStartToCloseTimeout:      swfapi.Ptr(ch.TaskStartToCloseTimeout),
			ChildPolicy:                  swfapi.Ptr(ch.ChildPolicy), TagList: ch.TagList, LambdaRole: optional(ch.LambdaRole),
		}
		child, fx, err := Start(StartParams{Domain: c.e.Domain, WorkflowID: ch.WorkflowID, RunID: runID, Request: req,
			Limits: c.e.Limits, Parent: &ParentRef{WorkflowID: c.e.WorkflowID, RunID: c.e.RunID, InitiatedEventID: initiatedEventID}}, c.now)
		if err != nil {
			return err // the configuration was checked when initiated
		}
		ch.RunID = runID
		// The input has gone to the child, and the history keeps it; the
		// parent's state would only carry it into every rewrite.
		ch.Input = nil
		ch.StartedEventID = c.event(swfapi.EventTypeChildWorkflowExecutionStarted, func(ev *swfapi.HistoryEvent) {
			ev.ChildWorkflowExecutionStartedEventAttributes = &swfapi.ChildWorkflowExecutionStartedEventAttributes{
				WorkflowExecution: ch.execution(runID), WorkflowType: ch.workflowType(), InitiatedEventId: swfapi.Ptr(initiatedEventID),
			}
		})
		c.e.Children[initiatedEventID] = ch
		c.newRun = &NewRun{Execution: child, Effects: fx}
		c.needDecision()
		return nil
	})
}

// ChildStartFailed records that the child initiated by event
// initiatedEventID could not start, for cause (WORKFLOW_ALREADY_RUNNING:
// its workflow id has an open run; OPEN_WORKFLOWS_LIMIT_EXCEEDED: its
// domain has as many open runs as it may), and lets the decider see it.
func (e *Execution) ChildStartFailed(initiatedEventID int64, cause swfapi.StartChildWorkflowExecutionFailedCause, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		ch, owed := c.e.childToStart(initiatedEventID)
		if !owed {
			return nil
		}
		delete(c.e.Children, initiatedEventID)
		c.event(swfapi.EventTypeStartChildWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
			ev.StartChildWorkflowExecutionFailedEventAttributes = &swfapi.StartChildWorkflowExecutionFailedEventAttributes{
				WorkflowType: ch.workflowType(), WorkflowId: swfapi.Ptr(ch.WorkflowID),
				Cause:                        swfapi.Ptr(cause),
				InitiatedEventId:             swfapi.Ptr(initiatedEventID),
				DecisionTaskCompletedEventId: swfapi.Ptr(ch.DecisionTaskCompletedEventID), Control: ch.Control,
			}
		})
		c.needDecision()
		return nil
	})
}

// owe notes, as the run closes with status (its close event ev just
// recorded), what it owes other runs: its parent the news, unless it
// continues as new (its successor is the parent's child now); and, when it
// was terminated or timed out, its child policy to each child started.
func (c *cmd) owe(status swfapi.CloseStatus, ev swfapi.HistoryEvent) {
	e := c.e
	if e.Parent != nil && status != swfapi.CloseStatusContinuedAsNew {
		n := &ParentNotice{Status: status}
		switch {
		case ev.WorkflowExecutionCompletedEventAttributes != nil:
			n.Result = ev.WorkflowExecutionCompletedEventAttributes.Result
		case ev.WorkflowExecutionFailedEventAttributes != nil:
			n.Reason, n.Details = ev.WorkflowExecutionFailedEventAttributes.Reason, ev.WorkflowExecutionFailedEventAttributes.Details
		case ev.WorkflowExecutionCanceledEventAttributes != nil:
			n.Details = ev.WorkflowExecutionCanceledEventAttributes.Details
		}
		e.Notice = n
	}
	var policy swfapi.ChildPolicy
	switch {
	case ev.WorkflowExecutionTerminatedEventAttributes != nil:
		policy = deref(ev.WorkflowExecutionTerminatedEventAttributes.ChildPolicy)
	case ev.WorkflowExecutionTimedOutEventAttributes != nil:
		policy = deref(ev.WorkflowExecutionTimedOutEventAttributes.ChildPolicy)
	}
	if policy != swfapi.ChildPolicyTerminate && policy != swfapi.ChildPolicyRequestCancel {
		return
	}
	for id, ch := range e.Children {
		if ch.RunID != "" {
			ch.Policy = policy
			e.Children[id] = ch
		}
	}
}

// owedTimers adds to m the timers of what a closed run still owes: due at
// once, they are the durable note of the debt.
func (e *Execution) owedTimers(m map[string]time.Time) {
	if e.Notice != nil && e.Parent != nil {
		m[parentKey(e.Parent.InitiatedEventID)] = e.ClosedAt
	}
	for id, ch := range e.Children {
		if ch.Policy != "" {
			m[childKey(id, ChildPolicy)] = e.ClosedAt
		}
	}
	for id, r := range e.External {
		m[externalKey(id)] = r.InitiatedAt
	}
}

// ParentNoticeOwed returns what this closed child run still has to tell
// its parent.
func (e *Execution) ParentNoticeOwed() (ParentRef, ParentNotice, bool) {
	if e.Open || e.Notice == nil || e.Parent == nil {
		return ParentRef{}, ParentNotice{}, false
	}
	return *e.Parent, *e.Notice, true
}

// ParentNotified records that the parent has the news of this run's close.
func (e *Execution) ParentNotified(now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		c.e.Notice = nil
		return nil
	})
}

// ChildClosed records in the parent how its child initiated by event
// initiatedEventID closed, as run runID (a child continued as new closes
// as its last run), and lets the decider see it. News of a child this run
// no longer follows, or for a closed run, changes nothing.
func (e *Execution) ChildClosed(initiatedEventID int64, runID string, n ParentNotice, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		ch, ok := c.e.Children[initiatedEventID]
		if !ok || !c.e.Open || ch.RunID == "" {
			return nil
		}
		delete(c.e.Children, initiatedEventID)
		exec, typ := ch.execution(runID), ch.workflowType()
		init, started := swfapi.Ptr(initiatedEventID), swfapi.Ptr(ch.StartedEventID)
		var t swfapi.EventType
		var fill func(ev *swfapi.HistoryEvent)
		switch n.Status {
		case swfapi.CloseStatusCompleted:
			t, fill = swfapi.EventTypeChildWorkflowExecutionCompleted, func(ev *swfapi.HistoryEvent) {
				ev.ChildWorkflowExecutionCompletedEventAttributes = &swfapi.ChildWorkflowExecutionCompletedEventAttributes{
					WorkflowExecution: exec, WorkflowType: typ, Result: n.Result, InitiatedEventId: init, StartedEventId: started,
				}
			}
		case swfapi.CloseStatusFailed:
			t, fill = swfapi.EventTypeChildWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
				ev.ChildWorkflowExecutionFailedEventAttributes = &swfapi.ChildWorkflowExecutionFailedEventAttributes{
					WorkflowExecution: exec, WorkflowType: typ, Reason: n.Reason, Details: n.Details, InitiatedEventId: init, StartedEventId: started,
				}
			}
		case swfapi.CloseStatusCanceled:
			t, fill = swfapi.EventTypeChildWorkflowExecutionCanceled, func(ev *swfapi.HistoryEvent) {
				ev.ChildWorkflowExecutionCanceledEventAttributes = &swfapi.ChildWorkflowExecutionCanceledEventAttributes{
					WorkflowExecution: exec, WorkflowType: typ, Details: n.Details, InitiatedEventId: init, StartedEventId: started,
				}
			}
		case swfapi.CloseStatusTimedOut:
			t, fill = swfapi.EventTypeChildWorkflowExecutionTimedOut, func(ev *swfapi.HistoryEvent) {
				ev.ChildWorkflowExecutionTimedOutEventAttributes = &swfapi.ChildWorkflowExecutionTimedOutEventAttributes{
					WorkflowExecution: exec, WorkflowType: typ, TimeoutType: swfapi.Ptr(swfapi.WorkflowExecutionTimeoutTypeStartToClose),
					InitiatedEventId: init, StartedEventId: started,
				}
			}
		default: // TERMINATED
			t, fill = swfapi.EventTypeChildWorkflowExecutionTerminated, func(ev *swfapi.HistoryEvent) {
				ev.ChildWorkflowExecutionTerminatedEventAttributes = &swfapi.ChildWorkflowExecutionTerminatedEventAttributes{
					WorkflowExecution: exec, WorkflowType: typ, InitiatedEventId: init, StartedEventId: started,
				}
			}
		}
		c.event(t, fill)
		c.needDecision()
		return nil
	})
}

// ChildPolicyOwed returns, for this closed run, the child initiated by
// event initiatedEventID and the policy still to apply to it.
func (e *Execution) ChildPolicyOwed(initiatedEventID int64) (ChildState, bool) {
	ch, ok := e.Children[initiatedEventID]
	return ch, ok && !e.Open && ch.Policy != ""
}

// ChildPolicyApplied records that the child policy owed to the child
// initiated by event initiatedEventID has been applied (or that the child
// had closed meanwhile).
func (e *Execution) ChildPolicyApplied(initiatedEventID int64, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		if ch, ok := c.e.Children[initiatedEventID]; ok {
			ch.Policy = ""
			c.e.Children[initiatedEventID] = ch
		}
		return nil
	})
}

// IsChildOf reports whether this run is the child its parent's event
// initiatedEventID started (or that child's successor).
func (e *Execution) IsChildOf(parentRunID string, initiatedEventID int64) bool {
	return e.Parent != nil && e.Parent.RunID == parentRunID && e.Parent.InitiatedEventID == initiatedEventID
}
