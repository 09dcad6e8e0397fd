package engine

import "github.com/openswf/openswf/internal/swfapi"

// The faults a command answers with, worded as SWF words them. The service
// answers the same faults for what it finds before a command runs (a
// closed run, a run not found), with these.

// validationFault is a ValidationException listing problems.
func validationFault(problems []string) error {
	return swfapi.NewFault(swfapi.CodeValidation, "%s", (&swfapi.ValidationError{Problems: problems}).Error())
}

// UnknownExecution is the fault for a run that is not there, or not open.
func UnknownExecution(workflowID, runID string) error {
	return swfapi.NewFault(swfapi.CodeUnknownResource, "Unknown execution: WorkflowExecution=[workflowId=%s, runId=%s]", workflowID, runID)
}

func (e *Execution) unknownExecution() error { return UnknownExecution(e.WorkflowID, e.RunID) }

// UnknownDecisionTask is the fault for a decision task that is not open.
func UnknownDecisionTask(scheduledEventID int64) error {
	return swfapi.NewFault(swfapi.CodeUnknownResource, "Unknown decision task, scheduledEventId = %d", scheduledEventID)
}

// UnknownActivity is the fault for an activity task that is not open.
func UnknownActivity(scheduledEventID int64) error {
	return swfapi.NewFault(swfapi.CodeUnknownResource, "Unknown activity, scheduledEventId = %d", scheduledEventID)
}
