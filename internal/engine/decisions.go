package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// StartDecisionTask hands the scheduled decision task to a decider: it
// records DecisionTaskStarted and starts the task's start-to-close timeout.
// The task must be the execution's open one, not yet started.
func (e *Execution) StartDecisionTask(scheduledEventID int64, identity string, now time.Time) (Effects, error) {
	return e.apply(now, func(c *cmd) error {
		if !c.e.Open {
			return c.e.unknownExecution()
		}
		d := c.e.Decision
		if d == nil || d.ScheduledEventID != scheduledEventID || d.StartedEventID != 0 {
			return UnknownDecisionTask(scheduledEventID)
		}
		d.StartedEventID = c.event(swfapi.EventTypeDecisionTaskStarted, func(ev *swfapi.HistoryEvent) {
			ev.DecisionTaskStartedEventAttributes = &swfapi.DecisionTaskStartedEventAttributes{
				Identity:         optional(identity),
				ScheduledEventId: swfapi.Ptr(scheduledEventID),
			}
		})
		d.StartedAt = c.now
		d.Identity = identity
		return nil
	})
}

// CompleteDecisionTask applies a decider's answer to the started decision
// task (scheduledEventID, startedEventID). A batch SWF would reject as a
// whole (a closing decision that is not last, a decision without its
// attributes, a malformed duration or priority) fails with nothing applied, so the task can
// still be completed. Otherwise it records DecisionTaskCompleted and then
// the outcome of each decision in order; a decision that cannot be carried
// out records its *Failed event and gives the decider a new decision task.
//
// look holds what the batch needs from outside the run (see Lookups).
func (e *Execution) CompleteDecisionTask(scheduledEventID, startedEventID int64, in *swfapi.RespondDecisionTaskCompletedInput,
	look Lookups, now time.Time) (Effects, error) {
	if in == nil {
		in = &swfapi.RespondDecisionTaskCompletedInput{}
	}
	return e.apply(now, func(c *cmd) error {
		c.look = look
		if !c.e.Open {
			return c.e.unknownExecution()
		}
		d := c.e.Decision
		if d == nil || d.ScheduledEventID != scheduledEventID || d.StartedEventID == 0 || d.StartedEventID != startedEventID {
			return UnknownDecisionTask(scheduledEventID)
		}
		if err := checkBatch(in); err != nil {
			return err
		}
		c.completeDecision(d, in)
		c.inBatch = true
		for i, dec := range in.Decisions {
			if cause := look.Refused[i]; cause != "" {
				if ends, refused := c.refuse(dec, cause); refused {
					if ends {
						break
					}
					continue
				}
			}
			if c.decide(dec) {
				break
			}
		}
		c.inBatch = false
		if c.e.Open && c.wantDecision && c.e.Decision == nil {
			c.e.Decision = c.scheduleDecision()
		}
		return nil
	})
}

// completeDecision records DecisionTaskCompleted and closes the task.
func (c *cmd) completeDecision(d *DecisionTaskState, in *swfapi.RespondDecisionTaskCompletedInput) {
	e := c.e
	attrs := &swfapi.DecisionTaskCompletedEventAttributes{
		ExecutionContext: in.ExecutionContext,
		ScheduledEventId: swfapi.Ptr(d.ScheduledEventID),
		StartedEventId:   swfapi.Ptr(d.StartedEventID),
	}
	if in.TaskList != nil {
		attrs.TaskList = taskList(deref(in.TaskList.Name))
		attrs.TaskListScheduleToStartTimeout = in.TaskListScheduleToStartTimeout
	}
	completedID := c.event(swfapi.EventTypeDecisionTaskCompleted, func(ev *swfapi.HistoryEvent) {
		ev.DecisionTaskCompletedEventAttributes = attrs
	})
	if in.ExecutionContext != nil {
		e.LatestExecutionContextEventID, e.LatestExecutionContext = completedID, nil
	}
	// The decider may move future decision tasks to another task list: for
	// good, or (with a schedule-to-start timeout) until a task there times
	// out.
	if in.TaskList != nil {
		e.TaskListOverride = deref(in.TaskList.Name)
		e.TaskListOverrideScheduleToStart = deref(in.TaskListScheduleToStartTimeout)
		if e.TaskListOverrideScheduleToStart == none {
			e.TaskListOverrideScheduleToStart = ""
		}
	}
	e.PreviousStartedEventID = d.StartedEventID
	c.promoteDecision()
	c.completedID = completedID
}

// decide applies one decision of a batch; it reports whether the decision
// ended the batch (a closing decision, carried out or not).
func (c *cmd) decide(d swfapi.Decision) bool {
	switch deref(d.DecisionType) {
	case swfapi.DecisionTypeScheduleActivityTask:
		c.scheduleActivity(d.ScheduleActivityTaskDecisionAttributes, c.look.ActivityTypes)
	case swfapi.DecisionTypeRequestCancelActivityTask:
		c.requestCancelActivity(d.RequestCancelActivityTaskDecisionAttributes)
	case swfapi.DecisionTypeRecordMarker:
		a := d.RecordMarkerDecisionAttributes
		c.event(swfapi.EventTypeMarkerRecorded, func(ev *swfapi.HistoryEvent) {
			ev.MarkerRecordedEventAttributes = &swfapi.MarkerRecordedEventAttributes{
				MarkerName:                   a.MarkerName,
				Details:                      a.Details,
				DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
			}
		})
	case swfapi.DecisionTypeStartTimer:
		c.startTimer(d.StartTimerDecisionAttributes)
	case swfapi.DecisionTypeCancelTimer:
		c.cancelTimer(d.CancelTimerDecisionAttributes)
	case swfapi.DecisionTypeScheduleLambdaFunction:
		c.scheduleLambda(d.ScheduleLambdaFunctionDecisionAttributes)
	case swfapi.DecisionTypeSignalExternalWorkflowExecution:
		c.signalExternal(d.SignalExternalWorkflowExecutionDecisionAttributes)
	case swfapi.DecisionTypeRequestCancelExternalWorkflowExecution:
		c.requestCancelExternal(d.RequestCancelExternalWorkflowExecutionDecisionAttributes)
	case swfapi.DecisionTypeStartChildWorkflowExecution:
		c.startChild(d.StartChildWorkflowExecutionDecisionAttributes)
	case swfapi.DecisionTypeCompleteWorkflowExecution, swfapi.DecisionTypeFailWorkflowExecution, swfapi.DecisionTypeCancelWorkflowExecution:
		c.closeByDecision(d)
		return true
	case swfapi.DecisionTypeContinueAsNewWorkflowExecution:
		c.continueAsNew(d.ContinueAsNewWorkflowExecutionDecisionAttributes)
		return true
	}
	return false
}

// closeByDecision carries out Complete-, Fail- or CancelWorkflowExecution.
// SWF refuses to close a run while the decider has not seen everything: an
// event that arrived during this decision task fails the decision with
// UNHANDLED_DECISION, and the decider gets a new task that shows the event.
func (c *cmd) closeByDecision(d swfapi.Decision) {
	// Bare closing decisions carry no attributes: treat them as empty.
	if d.CompleteWorkflowExecutionDecisionAttributes == nil {
		d.CompleteWorkflowExecutionDecisionAttributes = &swfapi.CompleteWorkflowExecutionDecisionAttributes{}
	}
	if d.FailWorkflowExecutionDecisionAttributes == nil {
		d.FailWorkflowExecutionDecisionAttributes = &swfapi.FailWorkflowExecutionDecisionAttributes{}
	}
	if d.CancelWorkflowExecutionDecisionAttributes == nil {
		d.CancelWorkflowExecutionDecisionAttributes = &swfapi.CancelWorkflowExecutionDecisionAttributes{}
	}
	completed := swfapi.Ptr(c.completedID)
	// The task scheduled during this one (now the open task) is the sign
	// of events the decider has not seen.
	unhandled := c.e.Decision != nil
	switch deref(d.DecisionType) {
	case swfapi.DecisionTypeCompleteWorkflowExecution:
		if unhandled {
			c.event(swfapi.EventTypeCompleteWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
				ev.CompleteWorkflowExecutionFailedEventAttributes = &swfapi.CompleteWorkflowExecutionFailedEventAttributes{
					Cause: swfapi.Ptr(swfapi.CompleteWorkflowExecutionFailedCauseUnhandledDecision), DecisionTaskCompletedEventId: completed,
				}
			})
			break
		}
		a := d.CompleteWorkflowExecutionDecisionAttributes
		c.event(swfapi.EventTypeWorkflowExecutionCompleted, func(ev *swfapi.HistoryEvent) {
			ev.WorkflowExecutionCompletedEventAttributes = &swfapi.WorkflowExecutionCompletedEventAttributes{Result: a.Result, DecisionTaskCompletedEventId: completed}
		})
		c.close(swfapi.CloseStatusCompleted)
	case swfapi.DecisionTypeFailWorkflowExecution:
		if unhandled {
			c.event(swfapi.EventTypeFailWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
				ev.FailWorkflowExecutionFailedEventAttributes = &swfapi.FailWorkflowExecutionFailedEventAttributes{
					Cause: swfapi.Ptr(swfapi.FailWorkflowExecutionFailedCauseUnhandledDecision), DecisionTaskCompletedEventId: completed,
				}
			})
			break
		}
		a := d.FailWorkflowExecutionDecisionAttributes
		c.event(swfapi.EventTypeWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
			ev.WorkflowExecutionFailedEventAttributes = &swfapi.WorkflowExecutionFailedEventAttributes{Reason: a.Reason, Details: a.Details, DecisionTaskCompletedEventId: completed}
		})
		c.close(swfapi.CloseStatusFailed)
	case swfapi.DecisionTypeCancelWorkflowExecution:
		if unhandled {
			c.event(swfapi.EventTypeCancelWorkflowExecutionFailed, func(ev *swfapi.HistoryEvent) {
				ev.CancelWorkflowExecutionFailedEventAttributes = &swfapi.CancelWorkflowExecutionFailedEventAttributes{
					Cause: swfapi.Ptr(swfapi.CancelWorkflowExecutionFailedCauseUnhandledDecision), DecisionTaskCompletedEventId: completed,
				}
			})
			break
		}
		a := d.CancelWorkflowExecutionDecisionAttributes
		c.event(swfapi.EventTypeWorkflowExecutionCanceled, func(ev *swfapi.HistoryEvent) {
			ev.WorkflowExecutionCanceledEventAttributes = &swfapi.WorkflowExecutionCanceledEventAttributes{Details: a.Details, DecisionTaskCompletedEventId: completed}
		})
		c.close(swfapi.CloseStatusCanceled)
	}
}

// attributesOptional reports whether a decision of type t may leave out its
// attributes: those whose attributes have no required member (closing the
// run with no result, details or reason), which clients commonly send bare.
func attributesOptional(t swfapi.DecisionType) bool {
	switch t {
	case swfapi.DecisionTypeCompleteWorkflowExecution, swfapi.DecisionTypeFailWorkflowExecution,
		swfapi.DecisionTypeCancelWorkflowExecution, swfapi.DecisionTypeContinueAsNewWorkflowExecution:
		return true
	}
	return false
}

// attributesMember returns the name of the attributes member a decision of
// type t must carry, and whether d carries it.
func attributesMember(d swfapi.Decision) (string, bool) {
	switch deref(d.DecisionType) {
	case swfapi.DecisionTypeScheduleActivityTask:
		return "scheduleActivityTaskDecisionAttributes", d.ScheduleActivityTaskDecisionAttributes != nil
	case swfapi.DecisionTypeRequestCancelActivityTask:
		return "requestCancelActivityTaskDecisionAttributes", d.RequestCancelActivityTaskDecisionAttributes != nil
	case swfapi.DecisionTypeCompleteWorkflowExecution:
		return "completeWorkflowExecutionDecisionAttributes", d.CompleteWorkflowExecutionDecisionAttributes != nil
	case swfapi.DecisionTypeFailWorkflowExecution:
		return "failWorkflowExecutionDecisionAttributes", d.FailWorkflowExecutionDecisionAttributes != nil
	case swfapi.DecisionTypeCancelWorkflowExecution:
		return "cancelWorkflowExecutionDecisionAttributes", d.CancelWorkflowExecutionDecisionAttributes != nil
	case swfapi.DecisionTypeContinueAsNewWorkflowExecution:
		return "continueAsNewWorkflowExecutionDecisionAttributes", d.ContinueAsNewWorkflowExecutionDecisionAttributes != nil
	case swfapi.DecisionTypeRecordMarker:
		return "recordMarkerDecisionAttributes", d.RecordMarkerDecisionAttributes != nil
	case swfapi.DecisionTypeStartTimer:
		return "startTimerDecisionAttributes", d.StartTimerDecisionAttributes != nil
	case swfapi.DecisionTypeCancelTimer:
		return "cancelTimerDecisionAttributes", d.CancelTimerDecisionAttributes != nil
	case swfapi.DecisionTypeSignalExternalWorkflowExecution:
		return "signalExternalWorkflowExecutionDecisionAttributes", d.SignalExternalWorkflowExecutionDecisionAttributes != nil
	case swfapi.DecisionTypeRequestCancelExternalWorkflowExecution:
		return "requestCancelExternalWorkflowExecutionDecisionAttributes", d.RequestCancelExternalWorkflowExecutionDecisionAttributes != nil
	case swfapi.DecisionTypeStartChildWorkflowExecution:
		return "startChildWorkflowExecutionDecisionAttributes", d.StartChildWorkflowExecutionDecisionAttributes != nil
	case swfapi.DecisionTypeScheduleLambdaFunction:
		return "scheduleLambdaFunctionDecisionAttributes", d.ScheduleLambdaFunctionDecisionAttributes != nil
	}
	return "", false
}

// emptyAttributes returns an empty attributes structure of a decision type
// whose attributes are required.
func emptyAttributes(t swfapi.DecisionType) swfapi.Shape {
	switch t {
	case swfapi.DecisionTypeScheduleActivityTask:
		return &swfapi.ScheduleActivityTaskDecisionAttributes{}
	case swfapi.DecisionTypeRequestCancelActivityTask:
		return &swfapi.RequestCancelActivityTaskDecisionAttributes{}
	case swfapi.DecisionTypeRecordMarker:
		return &swfapi.RecordMarkerDecisionAttributes{}
	case swfapi.DecisionTypeStartTimer:
		return &swfapi.StartTimerDecisionAttributes{}
	case swfapi.DecisionTypeCancelTimer:
		return &swfapi.CancelTimerDecisionAttributes{}
	case swfapi.DecisionTypeSignalExternalWorkflowExecution:
		return &swfapi.SignalExternalWorkflowExecutionDecisionAttributes{}
	case swfapi.DecisionTypeRequestCancelExternalWorkflowExecution:
		return &swfapi.RequestCancelExternalWorkflowExecutionDecisionAttributes{}
	case swfapi.DecisionTypeStartChildWorkflowExecution:
		return &swfapi.StartChildWorkflowExecutionDecisionAttributes{}
	case swfapi.DecisionTypeScheduleLambdaFunction:
		return &swfapi.ScheduleLambdaFunctionDecisionAttributes{}
	}
	return nil
}

func closing(t swfapi.DecisionType) bool {
	switch t {
	case swfapi.DecisionTypeCompleteWorkflowExecution, swfapi.DecisionTypeFailWorkflowExecution,
		swfapi.DecisionTypeCancelWorkflowExecution, swfapi.DecisionTypeContinueAsNewWorkflowExecution:
		return true
	}
	return false
}

// checkBatch finds what makes SWF reject a whole batch, in this order: the
// members the model cannot check (every problem of every decision, as one
// ValidationException), and a closing decision that is not last.
func checkBatch(in *swfapi.RespondDecisionTaskCompletedInput) error {
	var problems []string
	// The override is where the run's decision tasks go from now on: a
	// name no poll may use would leave the run with no decider.
	problems = checkTaskListName(problems, "taskList", in.TaskList, false)
	problems = checkTimeout(problems, "taskListScheduleToStartTimeout", in.TaskListScheduleToStartTimeout)
	for i, d := range in.Decisions {
		path := fmt.Sprintf("decisions.%d.member", i+1)
		if d.DecisionType == nil {
			problems = append(problems, nullValue(path+".decisionType"))
			continue
		}
		member, ok := attributesMember(d)
		if member == "" {
			problems = append(problems, badValue(string(*d.DecisionType), path+".decisionType",
				"Member must satisfy enum value set: ["+strings.Join(swfapi.DecisionTypeValues(), ", ")+"]"))
			continue
		}
		if !ok && !attributesOptional(*d.DecisionType) {
			// AWS reports a missing structure at its first required
			// member, as if the structure were there and empty.
			if inner := swfapi.ProblemsAt(path+"."+member, emptyAttributes(*d.DecisionType)); len(inner) > 0 {
				problems = append(problems, inner[0])
			} else {
				problems = append(problems, nullValue(path+"."+member))
			}
			continue
		}
		path += "." + member
		switch *d.DecisionType {
		case swfapi.DecisionTypeScheduleActivityTask:
			s := d.ScheduleActivityTaskDecisionAttributes
			problems = checkName(problems, path+".activityId", s.ActivityId, false)
			problems = checkTaskListName(problems, path+".taskList", s.TaskList, false)
			problems = checkTimeout(problems, path+".scheduleToCloseTimeout", s.ScheduleToCloseTimeout)
			problems = checkTimeout(problems, path+".scheduleToStartTimeout", s.ScheduleToStartTimeout)
			problems = checkTimeout(problems, path+".startToCloseTimeout", s.StartToCloseTimeout)
			problems = checkTimeout(problems, path+".heartbeatTimeout", s.HeartbeatTimeout)
			problems = checkPriority(problems, path+".taskPriority", s.TaskPriority)
		case swfapi.DecisionTypeContinueAsNewWorkflowExecution:
			if a := d.ContinueAsNewWorkflowExecutionDecisionAttributes; a != nil {
				problems = checkExecutionTimeout(problems, path+".executionStartToCloseTimeout", a.ExecutionStartToCloseTimeout, true)
				problems = checkTimeout(problems, path+".taskStartToCloseTimeout", a.TaskStartToCloseTimeout)
				problems = checkPriority(problems, path+".taskPriority", a.TaskPriority)
			}
		case swfapi.DecisionTypeStartChildWorkflowExecution:
			a := d.StartChildWorkflowExecutionDecisionAttributes
			problems = checkName(problems, path+".workflowId", a.WorkflowId, false)
			problems = checkTaskListName(problems, path+".taskList", a.TaskList, true)
			problems = checkExecutionTimeout(problems, path+".executionStartToCloseTimeout", a.ExecutionStartToCloseTimeout, true)
			problems = checkTimeout(problems, path+".taskStartToCloseTimeout", a.TaskStartToCloseTimeout)
			problems = checkPriority(problems, path+".taskPriority", a.TaskPriority)
		case swfapi.DecisionTypeStartTimer:
			t := d.StartTimerDecisionAttributes
			problems = checkName(problems, path+".timerId", t.TimerId, false)
			if t.StartToFireTimeout != nil {
				if _, ok := Seconds(*t.StartToFireTimeout); !ok {
					problems = append(problems, badValue(*t.StartToFireTimeout, path+".startToFireTimeout", "Member must be a whole number of seconds"))
				}
			}
		}
	}
	if len(problems) > 0 {
		return validationFault(problems)
	}
	for i, d := range in.Decisions {
		if closing(*d.DecisionType) && i != len(in.Decisions)-1 {
			return swfapi.NewFault(swfapi.CodeValidation, "Close must be last decision in list")
		}
	}
	return nil
}

// scheduleLambda answers a ScheduleLambdaFunction decision. openswf runs no
// AWS Lambda functions, which SWF reports as it does in a region without
// Lambda: the decision fails with LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION,
// and the decider gets a task that shows it.
func (c *cmd) scheduleLambda(a *swfapi.ScheduleLambdaFunctionDecisionAttributes) {
	c.event(swfapi.EventTypeScheduleLambdaFunctionFailed, func(ev *swfapi.HistoryEvent) {
		ev.ScheduleLambdaFunctionFailedEventAttributes = &swfapi.ScheduleLambdaFunctionFailedEventAttributes{
			Id:                           a.Id,
			Name:                         a.Name,
			Cause:                        swfapi.Ptr(swfapi.ScheduleLambdaFunctionFailedCauseLambdaServiceNotAvailableInRegion),
			DecisionTaskCompletedEventId: swfapi.Ptr(c.completedID),
		}
	})
	c.needDecision()
}
