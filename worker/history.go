package worker

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// DecisionTask is one decision task with its whole history.
type DecisionTask struct {
	// Token is the task token.
	Token string
	// WorkflowExecution and WorkflowType name the run.
	WorkflowExecution types.WorkflowExecution
	WorkflowType      types.WorkflowType
	// Events is the run's whole history, oldest first: every page of it.
	Events []types.HistoryEvent
	// PreviousStartedEventID is the id of the DecisionTaskStarted event of
	// the last decision task completed (0 if none); StartedEventID that of
	// this task.
	PreviousStartedEventID, StartedEventID int64
}

// NewEvents returns the events recorded since the previous decision task
// started: what happened since the decider last decided.
func (t *DecisionTask) NewEvents() []types.HistoryEvent {
	for i, e := range t.Events {
		if e.EventId > t.PreviousStartedEventID {
			return t.Events[i:]
		}
	}
	return nil
}

// Event returns the event of id, or nil.
func (t *DecisionTask) Event(id int64) *types.HistoryEvent {
	// Event ids are dense from 1, so the event is usually at id-1.
	if i := int(id - 1); i >= 0 && i < len(t.Events) && t.Events[i].EventId == id {
		return &t.Events[i]
	}
	for i := range t.Events {
		if t.Events[i].EventId == id {
			return &t.Events[i]
		}
	}
	return nil
}

// Input returns the workflow's input, from its WorkflowExecutionStarted
// event.
func (t *DecisionTask) Input() string {
	for _, e := range t.Events {
		if a := e.WorkflowExecutionStartedEventAttributes; a != nil {
			return aws.ToString(a.Input)
		}
	}
	return ""
}

// CancelRequested reports whether someone asked to cancel the workflow
// (WorkflowExecutionCancelRequested); the decider may then answer with
// [CancelWorkflow].
func (t *DecisionTask) CancelRequested() bool {
	for _, e := range t.Events {
		if e.EventType == types.EventTypeWorkflowExecutionCancelRequested {
			return true
		}
	}
	return false
}

// Status is where an activity, a timer or a child workflow stands, as its
// latest event says.
type Status string

// Statuses. An activity goes Scheduled → Started → Completed, Failed,
// TimedOut or Canceled (or ScheduleFailed); a timer Started → Fired or
// Canceled (or StartFailed); a child Initiated → Started → Completed,
// Failed, Canceled, TimedOut or Terminated (or StartFailed).
const (
	StatusScheduled      Status = "Scheduled"
	StatusScheduleFailed Status = "ScheduleFailed"
	StatusInitiated      Status = "Initiated"
	StatusStarted        Status = "Started"
	StatusStartFailed    Status = "StartFailed"
	StatusCompleted      Status = "Completed"
	StatusFailed         Status = "Failed"
	StatusTimedOut       Status = "TimedOut"
	StatusCanceled       Status = "Canceled"
	StatusTerminated     Status = "Terminated"
	StatusFired          Status = "Fired"
)

// Closed reports whether the status is final: nothing more will happen to
// what it describes.
func (s Status) Closed() bool {
	switch s {
	case StatusScheduled, StatusInitiated, StatusStarted:
		return false
	}
	return true
}

// ActivityState is what the history says of one activity (the latest of an
// id, when the id was used again).
type ActivityState struct {
	ID     string
	Type   types.ActivityType
	Input  string
	Status Status
	// CancelRequested: the decider asked to cancel it.
	CancelRequested bool
	// Result of a completed activity; Reason and Details of a failed one
	// (Details also of a canceled or timed-out one: the last heartbeat's);
	// Cause of a failed schedule.
	Result, Reason, Details, Cause string
	// TimeoutType of a timed-out activity.
	TimeoutType types.ActivityTaskTimeoutType
	// ScheduledEventID is the id of its ActivityTaskScheduled event.
	ScheduledEventID int64
}

// Activities returns the activities of the history by activity id.
func (t *DecisionTask) Activities() map[string]*ActivityState {
	byID := map[string]*ActivityState{}
	bySched := map[int64]*ActivityState{}
	closed := func(sched int64, s Status) *ActivityState {
		a := bySched[sched]
		if a == nil { // its scheduling is not in the events: keep it apart
			a = &ActivityState{ScheduledEventID: sched}
			bySched[sched] = a
		}
		a.Status = s
		return a
	}
	for _, e := range t.Events {
		switch {
		case e.ActivityTaskScheduledEventAttributes != nil:
			at := e.ActivityTaskScheduledEventAttributes
			a := &ActivityState{ID: aws.ToString(at.ActivityId), Input: aws.ToString(at.Input), Status: StatusScheduled, ScheduledEventID: e.EventId}
			if at.ActivityType != nil {
				a.Type = *at.ActivityType
			}
			byID[a.ID], bySched[e.EventId] = a, a
		case e.ScheduleActivityTaskFailedEventAttributes != nil:
			at := e.ScheduleActivityTaskFailedEventAttributes
			a := &ActivityState{ID: aws.ToString(at.ActivityId), Status: StatusScheduleFailed, Cause: string(at.Cause)}
			if at.ActivityType != nil {
				a.Type = *at.ActivityType
			}
			byID[a.ID] = a
		case e.ActivityTaskStartedEventAttributes != nil:
			closed(e.ActivityTaskStartedEventAttributes.ScheduledEventId, StatusStarted)
		case e.ActivityTaskCompletedEventAttributes != nil:
			at := e.ActivityTaskCompletedEventAttributes
			closed(at.ScheduledEventId, StatusCompleted).Result = aws.ToString(at.Result)
		case e.ActivityTaskFailedEventAttributes != nil:
			at := e.ActivityTaskFailedEventAttributes
			a := closed(at.ScheduledEventId, StatusFailed)
			a.Reason, a.Details = aws.ToString(at.Reason), aws.ToString(at.Details)
		case e.ActivityTaskTimedOutEventAttributes != nil:
			at := e.ActivityTaskTimedOutEventAttributes
			a := closed(at.ScheduledEventId, StatusTimedOut)
			a.TimeoutType, a.Details = at.TimeoutType, aws.ToString(at.Details)
		case e.ActivityTaskCanceledEventAttributes != nil:
			at := e.ActivityTaskCanceledEventAttributes
			closed(at.ScheduledEventId, StatusCanceled).Details = aws.ToString(at.Details)
		case e.ActivityTaskCancelRequestedEventAttributes != nil:
			if a := byID[aws.ToString(e.ActivityTaskCancelRequestedEventAttributes.ActivityId)]; a != nil {
				a.CancelRequested = true
			}
		}
	}
	return byID
}

// TimerState is what the history says of one timer.
type TimerState struct {
	ID      string
	Control string
	Status  Status
	// Cause of a failed start.
	Cause string
}

// Timers returns the timers of the history by timer id.
func (t *DecisionTask) Timers() map[string]*TimerState {
	byID := map[string]*TimerState{}
	set := func(id *string, s Status) *TimerState {
		tm := byID[aws.ToString(id)]
		if tm == nil {
			tm = &TimerState{ID: aws.ToString(id)}
			byID[tm.ID] = tm
		}
		tm.Status = s
		return tm
	}
	for _, e := range t.Events {
		switch {
		case e.TimerStartedEventAttributes != nil:
			a := e.TimerStartedEventAttributes
			tm := set(a.TimerId, StatusStarted)
			tm.Control, tm.Cause = aws.ToString(a.Control), ""
		case e.StartTimerFailedEventAttributes != nil:
			a := e.StartTimerFailedEventAttributes
			set(a.TimerId, StatusStartFailed).Cause = string(a.Cause)
		case e.TimerFiredEventAttributes != nil:
			set(e.TimerFiredEventAttributes.TimerId, StatusFired)
		case e.TimerCanceledEventAttributes != nil:
			set(e.TimerCanceledEventAttributes.TimerId, StatusCanceled)
		}
	}
	return byID
}

// ChildState is what the history says of one child workflow.
type ChildState struct {
	WorkflowID string
	// RunID is known once the child started.
	RunID  string
	Type   types.WorkflowType
	Input  string
	Status Status
	// Result of a completed child; Reason and Details of a failed one
	// (Details also of a canceled one); Cause of a failed start.
	Result, Reason, Details, Cause string
}

// Children returns the child workflows of the history by workflow id.
func (t *DecisionTask) Children() map[string]*ChildState {
	byID := map[string]*ChildState{}
	set := func(ex *types.WorkflowExecution, s Status) *ChildState {
		if ex == nil {
			return &ChildState{}
		}
		c := byID[aws.ToString(ex.WorkflowId)]
		if c == nil {
			c = &ChildState{WorkflowID: aws.ToString(ex.WorkflowId)}
			byID[c.WorkflowID] = c
		}
		c.Status = s
		if ex.RunId != nil {
			c.RunID = *ex.RunId
		}
		return c
	}
	for _, e := range t.Events {
		switch {
		case e.StartChildWorkflowExecutionInitiatedEventAttributes != nil:
			a := e.StartChildWorkflowExecutionInitiatedEventAttributes
			c := &ChildState{WorkflowID: aws.ToString(a.WorkflowId), Input: aws.ToString(a.Input), Status: StatusInitiated}
			if a.WorkflowType != nil {
				c.Type = *a.WorkflowType
			}
			byID[c.WorkflowID] = c
		case e.StartChildWorkflowExecutionFailedEventAttributes != nil:
			a := e.StartChildWorkflowExecutionFailedEventAttributes
			c := set(&types.WorkflowExecution{WorkflowId: a.WorkflowId}, StatusStartFailed)
			c.Cause = string(a.Cause)
		case e.ChildWorkflowExecutionStartedEventAttributes != nil:
			set(e.ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution, StatusStarted)
		case e.ChildWorkflowExecutionCompletedEventAttributes != nil:
			a := e.ChildWorkflowExecutionCompletedEventAttributes
			set(a.WorkflowExecution, StatusCompleted).Result = aws.ToString(a.Result)
		case e.ChildWorkflowExecutionFailedEventAttributes != nil:
			a := e.ChildWorkflowExecutionFailedEventAttributes
			c := set(a.WorkflowExecution, StatusFailed)
			c.Reason, c.Details = aws.ToString(a.Reason), aws.ToString(a.Details)
		case e.ChildWorkflowExecutionCanceledEventAttributes != nil:
			a := e.ChildWorkflowExecutionCanceledEventAttributes
			set(a.WorkflowExecution, StatusCanceled).Details = aws.ToString(a.Details)
		case e.ChildWorkflowExecutionTimedOutEventAttributes != nil:
			set(e.ChildWorkflowExecutionTimedOutEventAttributes.WorkflowExecution, StatusTimedOut)
		case e.ChildWorkflowExecutionTerminatedEventAttributes != nil:
			set(e.ChildWorkflowExecutionTerminatedEventAttributes.WorkflowExecution, StatusTerminated)
		}
	}
	return byID
}

// Signal is one signal the run received.
type Signal struct {
	Name, Input string
	EventID     int64
}

// Signals returns the signals of the history, oldest first.
func (t *DecisionTask) Signals() []Signal {
	var out []Signal
	for _, e := range t.Events {
		if a := e.WorkflowExecutionSignaledEventAttributes; a != nil {
			out = append(out, Signal{Name: aws.ToString(a.SignalName), Input: aws.ToString(a.Input), EventID: e.EventId})
		}
	}
	return out
}
