package engine

import "github.com/openswf/openswf/internal/swfapi"

// The history limit. SWF keeps at most 25,000 events (Limits.HistoryEvents)
// in one run's history: the event that would pass the limit is not
// recorded, and the run is terminated instead, with cause
// EVENT_LIMIT_EXCEEDED and its own child policy, which is applied to its
// open children as for any termination.
//
// The termination event must fit too, and so must the start of every task
// handed out: a poller that took a task must get it started, not find its
// run gone in the same command. So the history keeps one place for the
// termination and one for the start event of each task scheduled and not
// yet started. An ordinary event is recorded only while, with it, these
// places still fit under the limit; a task's start uses the place kept for
// it, and an event that closes the run (termination included) uses the
// last place. No run ever has more events than the limit, and its last
// event is the one that closed it.

// historyFull is the panic with which terminateFull ends the command that
// filled the history, once the run is terminated, so that nothing the
// command would have done after that is recorded or changed; run recovers
// it. A panic that unwinds only this package's own frames is simpler than
// having every step of every command ask whether the run is still open.
type historyFull struct{}

// run calls f, which applies a command. A command ended by a full history
// has succeeded: it terminated the run.
func (c *cmd) run(f func(c *cmd) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, full := r.(historyFull); !full {
				panic(r)
			}
			err = nil
		}
	}()
	return f(c)
}

// roomFor reports whether the history has room for an event of type t (see
// above).
func (c *cmd) roomFor(t swfapi.EventType) bool {
	if !c.e.Open {
		return true
	}
	switch t {
	case swfapi.EventTypeDecisionTaskStarted, swfapi.EventTypeActivityTaskStarted,
		swfapi.EventTypeWorkflowExecutionCompleted, swfapi.EventTypeWorkflowExecutionFailed,
		swfapi.EventTypeWorkflowExecutionCanceled, swfapi.EventTypeWorkflowExecutionContinuedAsNew,
		swfapi.EventTypeWorkflowExecutionTerminated, swfapi.EventTypeWorkflowExecutionTimedOut:
		return true
	}
	// With this event the history holds NextEventID events; the places
	// kept (at most two decision tasks, every activity, and the task this
	// event may schedule), and the one for a termination, must still fit.
	// Counting the places kept is needed only near the limit.
	limit := int64(c.e.Limits.orDefault().HistoryEvents)
	if c.e.NextEventID+2+int64(len(c.e.Activities))+1+1 <= limit {
		return true
	}
	kept := c.e.unstartedTasks()
	if t == swfapi.EventTypeDecisionTaskScheduled || t == swfapi.EventTypeActivityTaskScheduled {
		kept++ // the task this event schedules
	}
	return c.e.NextEventID+kept+1 <= limit
}

// unstartedTasks counts the tasks scheduled and not yet started, each of
// which has a place kept in the history for its start.
func (e *Execution) unstartedTasks() int64 {
	var n int64
	if d := e.Decision; d != nil && d.StartedEventID == 0 {
		n++
	}
	if e.NextDecision != nil {
		n++
	}
	for _, a := range e.Activities {
		if a.StartedEventID == 0 {
			n++
		}
	}
	return n
}

// terminateFull terminates the run because its history is full, as a
// TerminateWorkflowExecution with the run's own child policy would, and
// ends the command.
func (c *cmd) terminateFull() {
	c.event(swfapi.EventTypeWorkflowExecutionTerminated, func(ev *swfapi.HistoryEvent) {
		ev.WorkflowExecutionTerminatedEventAttributes = &swfapi.WorkflowExecutionTerminatedEventAttributes{
			ChildPolicy: swfapi.Ptr(c.e.ChildPolicy),
			Cause:       swfapi.Ptr(swfapi.WorkflowExecutionTerminatedCauseEventLimitExceeded),
		}
	})
	c.close(swfapi.CloseStatusTerminated)
	// Nothing the command started stands: no successor, no child, no
	// timer to arm again.
	c.newRun, c.rearm = nil, nil
	panic(historyFull{})
}
