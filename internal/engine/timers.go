package engine

import (
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// startTimer carries out a StartTimer decision.
func (c *cmd) startTimer(a *swfapi.StartTimerDecisionAttributes) {
	e := c.e
	id := deref(a.TimerId)
	fail := func(cause swfapi.StartTimerFailedCause) {
		c.event(swfapi.EventTypeStartTimerFailed, func(ev *swfapi.HistoryEvent) {
			ev.StartTimerFailedEventAttributes = &swfapi.StartTimerFailedEventAttributes{
				TimerId: swfapi.Ptr(id), Cause: swfapi.Ptr(cause), DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
			}
		})
		c.needDecision()
	}
	if _, inUse := e.Timers[id]; inUse {
		fail(swfapi.StartTimerFailedCauseTimerIdAlreadyInUse)
		return
	}
	if len(e.Timers) >= e.Limits.orDefault().OpenTimers {
		fail(swfapi.StartTimerFailedCauseOpenTimersLimitExceeded)
		return
	}
	// checkBatch has made sure the timeout is a whole number of seconds.
	fireAt, _ := deadline(c.now, deref(a.StartToFireTimeout))
	t := TimerState{TimerID: id, Control: a.Control, StartToFireTimeout: deref(a.StartToFireTimeout), FireAt: fireAt}
	t.StartedEventID = c.event(swfapi.EventTypeTimerStarted, func(ev *swfapi.HistoryEvent) {
		ev.TimerStartedEventAttributes = &swfapi.TimerStartedEventAttributes{
			TimerId:                      swfapi.Ptr(id),
			Control:                      t.Control,
			StartToFireTimeout:           swfapi.Ptr(t.StartToFireTimeout),
			DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
		}
	})
	e.Timers[id] = t
}

// cancelTimer carries out a CancelTimer decision.
func (c *cmd) cancelTimer(a *swfapi.CancelTimerDecisionAttributes) {
	id := deref(a.TimerId)
	t, ok := c.e.Timers[id]
	if !ok {
		c.event(swfapi.EventTypeCancelTimerFailed, func(ev *swfapi.HistoryEvent) {
			ev.CancelTimerFailedEventAttributes = &swfapi.CancelTimerFailedEventAttributes{
				TimerId:                      swfapi.Ptr(id),
				Cause:                        swfapi.Ptr(swfapi.CancelTimerFailedCauseTimerIdUnknown),
				DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
			}
		})
		c.needDecision()
		return
	}
	c.event(swfapi.EventTypeTimerCanceled, func(ev *swfapi.HistoryEvent) {
		ev.TimerCanceledEventAttributes = &swfapi.TimerCanceledEventAttributes{
			TimerId:                      swfapi.Ptr(id),
			StartedEventId:               swfapi.Ptr(t.StartedEventID),
			DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
		}
	})
	delete(c.e.Timers, id)
}

// FireTimer handles a durable timer that came due. A key that no longer
// matches the state (its activity closed, its decision task completed, its
// timer canceled, the run closed) is stale: nothing happens and no error is
// returned. A timer that fires before the state's deadline for it (a
// heartbeat arrived since it was armed, so the heartbeat timeout moved on)
// is armed again for that deadline, with no event.
//
// Before calling FireTimer the service copies each started activity's last
// heartbeat time and details from its row into e.Activities.
func (e *Execution) FireTimer(key string, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		due, armed := c.e.armedTimers()[key]
		if !armed {
			return nil
		}
		if c.now.Before(due) {
			c.rearm = &Timer{Key: key, FireAt: due}
			return nil
		}
		k, _ := parseKey(key) // every armed key parses
		switch k.kind {
		case "workflow":
			c.event(swfapi.EventTypeWorkflowExecutionTimedOut, func(ev *swfapi.HistoryEvent) {
				ev.WorkflowExecutionTimedOutEventAttributes = &swfapi.WorkflowExecutionTimedOutEventAttributes{
					TimeoutType: swfapi.Ptr(swfapi.WorkflowExecutionTimeoutTypeStartToClose),
					ChildPolicy: swfapi.Ptr(c.e.ChildPolicy),
				}
			})
			c.close(swfapi.CloseStatusTimedOut)
		case "decision":
			c.timeOutDecision(swfapi.DecisionTaskTimeoutType(k.sub))
		case "activity":
			c.timeOutActivity(c.e.Activities[k.id], swfapi.ActivityTaskTimeoutType(k.sub))
		case "timer":
			t := c.e.Timers[k.sub]
			c.event(swfapi.EventTypeTimerFired, func(ev *swfapi.HistoryEvent) {
				ev.TimerFiredEventAttributes = &swfapi.TimerFiredEventAttributes{
					TimerId: swfapi.Ptr(t.TimerID), StartedEventId: swfapi.Ptr(t.StartedEventID),
				}
			})
			delete(c.e.Timers, t.TimerID)
			c.needDecision()
		}
		return nil
	})
}

// timeOutDecision records DecisionTaskTimedOut for the open decision task
// and schedules a new one at once. A task on a temporary task list override
// that times out ends the override: the new task goes to the run's own
// task list.
func (c *cmd) timeOutDecision(t swfapi.DecisionTaskTimeoutType) {
	d := c.e.Decision
	c.event(swfapi.EventTypeDecisionTaskTimedOut, func(ev *swfapi.HistoryEvent) {
		ev.DecisionTaskTimedOutEventAttributes = &swfapi.DecisionTaskTimedOutEventAttributes{
			TimeoutType:      swfapi.Ptr(t),
			ScheduledEventId: swfapi.Ptr(d.ScheduledEventID),
			StartedEventId:   swfapi.Ptr(d.StartedEventID),
		}
	})
	if c.e.TaskListOverrideScheduleToStart != "" {
		c.e.TaskListOverride, c.e.TaskListOverrideScheduleToStart = "", ""
	}
	c.promoteDecision()
	if c.e.Decision == nil {
		c.e.Decision = c.scheduleDecision()
	}
}
