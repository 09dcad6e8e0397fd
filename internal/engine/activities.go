package engine

import (
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// scheduleActivity carries out a ScheduleActivityTask decision. Each member
// the decision leaves out is taken from the activity type's defaults; the
// causes of failure are checked in SWF's order.
func (c *cmd) scheduleActivity(a *swfapi.ScheduleActivityTaskDecisionAttributes, types map[TypeRef]ActivityTypeInfo) {
	e := c.e
	ref := activityRef(a.ActivityType)
	id := deref(a.ActivityId)
	fail := func(cause swfapi.ScheduleActivityTaskFailedCause) {
		c.event(swfapi.EventTypeScheduleActivityTaskFailed, func(ev *swfapi.HistoryEvent) {
			ev.ScheduleActivityTaskFailedEventAttributes = &swfapi.ScheduleActivityTaskFailedEventAttributes{
				ActivityType:                 activityType(ref),
				ActivityId:                   swfapi.Ptr(id),
				Cause:                        swfapi.Ptr(cause),
				DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
			}
		})
		c.needDecision()
	}
	info, exists := types[ref]
	cfg := info.Config
	pick := func(v, def *string) string {
		if v != nil {
			return *v
		}
		return deref(def)
	}
	act := ActivityState{
		ActivityID:      id,
		Type:            ref,
		Priority:        pick(a.TaskPriority, cfg.DefaultTaskPriority),
		Input:           a.Input,
		Control:         a.Control,
		ScheduleToStart: pick(a.ScheduleToStartTimeout, cfg.DefaultTaskScheduleToStartTimeout),
		ScheduleToClose: pick(a.ScheduleToCloseTimeout, cfg.DefaultTaskScheduleToCloseTimeout),
		StartToClose:    pick(a.StartToCloseTimeout, cfg.DefaultTaskStartToCloseTimeout),
		// Unlike the other timeouts, a missing heartbeat timeout is not an
		// error: the activity then need not heartbeat.
		HeartbeatTimeout: pick(a.HeartbeatTimeout, cfg.DefaultTaskHeartbeatTimeout),
	}
	if act.HeartbeatTimeout == "" {
		act.HeartbeatTimeout = none
	}
	if a.TaskList != nil {
		act.TaskList = deref(a.TaskList.Name)
	} else if cfg.DefaultTaskList != nil {
		act.TaskList = deref(cfg.DefaultTaskList.Name)
	}
	_, inUse := e.ActivityIDs[id]
	switch {
	case !exists:
		fail(swfapi.ScheduleActivityTaskFailedCauseActivityTypeDoesNotExist)
	case info.Deprecated:
		fail(swfapi.ScheduleActivityTaskFailedCauseActivityTypeDeprecated)
	case inUse:
		fail(swfapi.ScheduleActivityTaskFailedCauseActivityIdAlreadyInUse)
	case len(e.Activities) >= e.Limits.orDefault().OpenActivities:
		fail(swfapi.ScheduleActivityTaskFailedCauseOpenActivitiesLimitExceeded)
	case act.TaskList == "":
		fail(swfapi.ScheduleActivityTaskFailedCauseDefaultTaskListUndefined)
	case act.ScheduleToStart == "":
		fail(swfapi.ScheduleActivityTaskFailedCauseDefaultScheduleToStartTimeoutUndefined)
	case act.ScheduleToClose == "":
		fail(swfapi.ScheduleActivityTaskFailedCauseDefaultScheduleToCloseTimeoutUndefined)
	case act.StartToClose == "":
		fail(swfapi.ScheduleActivityTaskFailedCauseDefaultStartToCloseTimeoutUndefined)
	default:
		act.ScheduledAt = c.now
		act.ScheduledEventID = c.event(swfapi.EventTypeActivityTaskScheduled, func(ev *swfapi.HistoryEvent) {
			ev.ActivityTaskScheduledEventAttributes = &swfapi.ActivityTaskScheduledEventAttributes{
				ActivityType:                 activityType(ref),
				ActivityId:                   swfapi.Ptr(id),
				Input:                        act.Input,
				Control:                      act.Control,
				ScheduleToStartTimeout:       swfapi.Ptr(act.ScheduleToStart),
				ScheduleToCloseTimeout:       swfapi.Ptr(act.ScheduleToClose),
				StartToCloseTimeout:          swfapi.Ptr(act.StartToClose),
				TaskList:                     taskList(act.TaskList),
				TaskPriority:                 optional(act.Priority),
				DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
				HeartbeatTimeout:             swfapi.Ptr(act.HeartbeatTimeout),
			}
		})
		e.Activities[act.ScheduledEventID] = act
		e.ActivityIDs[id] = act.ScheduledEventID
		e.LatestActivityTaskTimestamp = c.now
	}
}

// requestCancelActivity carries out a RequestCancelActivityTask decision. An
// activity no worker has taken yet is canceled at once; a started one is
// only marked, and its worker learns of it from its next heartbeat.
func (c *cmd) requestCancelActivity(a *swfapi.RequestCancelActivityTaskDecisionAttributes) {
	e := c.e
	id := deref(a.ActivityId)
	scheduledID, ok := e.ActivityIDs[id]
	if !ok {
		c.event(swfapi.EventTypeRequestCancelActivityTaskFailed, func(ev *swfapi.HistoryEvent) {
			ev.RequestCancelActivityTaskFailedEventAttributes = &swfapi.RequestCancelActivityTaskFailedEventAttributes{
				ActivityId:                   swfapi.Ptr(id),
				Cause:                        swfapi.Ptr(swfapi.RequestCancelActivityTaskFailedCauseActivityIdUnknown),
				DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
			}
		})
		c.needDecision()
		return
	}
	act := e.Activities[scheduledID]
	act.CancelRequested = true
	act.LatestCancelRequestedEventID = c.event(swfapi.EventTypeActivityTaskCancelRequested, func(ev *swfapi.HistoryEvent) {
		ev.ActivityTaskCancelRequestedEventAttributes = &swfapi.ActivityTaskCancelRequestedEventAttributes{
			DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
			ActivityId:                   swfapi.Ptr(id),
		}
	})
	e.Activities[scheduledID] = act
	if act.StartedEventID == 0 {
		c.activityCanceled(act, nil)
	}
}

// activityCanceled records ActivityTaskCanceled and closes the activity.
func (c *cmd) activityCanceled(act ActivityState, details *string) {
	c.event(swfapi.EventTypeActivityTaskCanceled, func(ev *swfapi.HistoryEvent) {
		attrs := &swfapi.ActivityTaskCanceledEventAttributes{
			Details:          details,
			ScheduledEventId: swfapi.Ptr(act.ScheduledEventID),
			StartedEventId:   swfapi.Ptr(act.StartedEventID),
		}
		if act.CancelRequested {
			attrs.LatestCancelRequestedEventId = swfapi.Ptr(act.LatestCancelRequestedEventID)
		}
		ev.ActivityTaskCanceledEventAttributes = attrs
	})
	c.closeActivity(act)
}

// closeActivity forgets an activity that has closed, freeing its activity
// id; the Effects then drop its task or row and its timers.
func (c *cmd) closeActivity(act ActivityState) {
	delete(c.e.Activities, act.ScheduledEventID)
	delete(c.e.ActivityIDs, act.ActivityID)
	c.e.LatestActivityTaskTimestamp = c.now
	c.needDecision()
}

// StartActivityTask hands a scheduled activity task to a worker: it records
// ActivityTaskStarted, stops the schedule-to-start timeout and starts the
// start-to-close and heartbeat timeouts.
func (e *Execution) StartActivityTask(scheduledEventID int64, identity string, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		if !c.e.Open {
			return c.e.unknownExecution()
		}
		act, ok := c.e.Activities[scheduledEventID]
		if !ok || act.StartedEventID != 0 {
			return UnknownActivity(scheduledEventID)
		}
		act.StartedEventID = c.event(swfapi.EventTypeActivityTaskStarted, func(ev *swfapi.HistoryEvent) {
			ev.ActivityTaskStartedEventAttributes = &swfapi.ActivityTaskStartedEventAttributes{
				Identity:         optional(identity),
				ScheduledEventId: swfapi.Ptr(scheduledEventID),
			}
		})
		act.StartedAt = c.now
		act.Identity = identity
		// The input was for the poller that takes the task, who has it
		// from the state as it was before this command (and the history
		// keeps it in ActivityTaskScheduled); the state is written again
		// on every change while the activity runs.
		act.Input = nil
		c.e.Activities[scheduledEventID] = act
		c.e.LatestActivityTaskTimestamp = c.now
		return nil
	})
}

// startedActivity returns the open activity whose current attempt is
// (scheduledEventID, startedEventID), or the fault SWF gives for a task
// that has closed or was never started.
func (c *cmd) startedActivity(scheduledEventID, startedEventID int64) (ActivityState, error) {
	if !c.e.Open {
		return ActivityState{}, c.e.unknownExecution()
	}
	act, ok := c.e.Activities[scheduledEventID]
	if !ok || act.StartedEventID == 0 || act.StartedEventID != startedEventID {
		return ActivityState{}, UnknownActivity(scheduledEventID)
	}
	return act, nil
}

// CompleteActivityTask records ActivityTaskCompleted for a started activity
// and closes it.
func (e *Execution) CompleteActivityTask(scheduledEventID, startedEventID int64, result *string, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		act, err := c.startedActivity(scheduledEventID, startedEventID)
		if err != nil {
			return err
		}
		c.event(swfapi.EventTypeActivityTaskCompleted, func(ev *swfapi.HistoryEvent) {
			ev.ActivityTaskCompletedEventAttributes = &swfapi.ActivityTaskCompletedEventAttributes{
				Result: result, ScheduledEventId: swfapi.Ptr(scheduledEventID), StartedEventId: swfapi.Ptr(startedEventID),
			}
		})
		c.closeActivity(act)
		return nil
	})
}

// FailActivityTask records ActivityTaskFailed for a started activity and
// closes it.
func (e *Execution) FailActivityTask(scheduledEventID, startedEventID int64, reason, details *string, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		act, err := c.startedActivity(scheduledEventID, startedEventID)
		if err != nil {
			return err
		}
		c.event(swfapi.EventTypeActivityTaskFailed, func(ev *swfapi.HistoryEvent) {
			ev.ActivityTaskFailedEventAttributes = &swfapi.ActivityTaskFailedEventAttributes{
				Reason: reason, Details: details, ScheduledEventId: swfapi.Ptr(scheduledEventID), StartedEventId: swfapi.Ptr(startedEventID),
			}
		})
		c.closeActivity(act)
		return nil
	})
}

// CancelActivityTask records ActivityTaskCanceled for a started activity and
// closes it. SWF expects a worker to cancel only after a heartbeat told it
// a cancel was requested, but does not insist; without a request the event
// has no latestCancelRequestedEventId.
func (e *Execution) CancelActivityTask(scheduledEventID, startedEventID int64, details *string, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		act, err := c.startedActivity(scheduledEventID, startedEventID)
		if err != nil {
			return err
		}
		c.activityCanceled(act, details)
		return nil
	})
}

// timeOutActivity records ActivityTaskTimedOut and closes the activity. The
// details are those of the last heartbeat, if any.
func (c *cmd) timeOutActivity(act ActivityState, t swfapi.ActivityTaskTimeoutType) {
	c.event(swfapi.EventTypeActivityTaskTimedOut, func(ev *swfapi.HistoryEvent) {
		ev.ActivityTaskTimedOutEventAttributes = &swfapi.ActivityTaskTimedOutEventAttributes{
			TimeoutType:      swfapi.Ptr(t),
			ScheduledEventId: swfapi.Ptr(act.ScheduledEventID),
			StartedEventId:   swfapi.Ptr(act.StartedEventID),
			Details:          act.HeartbeatDetails,
		}
	})
	c.closeActivity(act)
}

func activityRef(t *swfapi.ActivityType) TypeRef {
	if t == nil {
		return TypeRef{}
	}
	return TypeRef{Name: deref(t.Name), Version: deref(t.Version)}
}

func activityType(r TypeRef) *swfapi.ActivityType {
	return &swfapi.ActivityType{Name: swfapi.Ptr(r.Name), Version: swfapi.Ptr(r.Version)}
}
