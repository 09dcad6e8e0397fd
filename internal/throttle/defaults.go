package throttle

import "github.com/openswf/openswf/internal/swfapi"

// Defaults returns SWF's own quotas: one bucket per API operation and one per
// rate-limited decision type, for each account.
//
// Source: the Amazon SWF Developer Guide, chapter "Amazon SWF Quotas",
// section "Amazon SWF throttling quotas" (tables "Throttling quotas for all
// Regions" and "Decision quotas for all Regions"), as read when this package
// was written. The guide once gave us-east-1 larger buckets than the other
// Regions; it now states that the figures are the same in every Region, so
// these are the us-east-1 figures and everyone else's. Each call returns
// fresh maps, so a caller may change them freely.
func Defaults() Settings {
	return Settings{
		APIs: map[string]Quota{
			"CountClosedWorkflowExecutions":  {Burst: 2000, Rate: 6},
			"CountOpenWorkflowExecutions":    {Burst: 2000, Rate: 6},
			"CountPendingActivityTasks":      {Burst: 200, Rate: 6},
			"CountPendingDecisionTasks":      {Burst: 200, Rate: 6},
			"DeleteActivityType":             {Burst: 200, Rate: 6},
			"DeleteWorkflowType":             {Burst: 200, Rate: 6},
			"DeprecateActivityType":          {Burst: 200, Rate: 6},
			"DeprecateDomain":                {Burst: 100, Rate: 6},
			"DeprecateWorkflowType":          {Burst: 200, Rate: 6},
			"DescribeActivityType":           {Burst: 2000, Rate: 6},
			"DescribeDomain":                 {Burst: 200, Rate: 6},
			"DescribeWorkflowExecution":      {Burst: 2000, Rate: 6},
			"DescribeWorkflowType":           {Burst: 2000, Rate: 6},
			"GetWorkflowExecutionHistory":    {Burst: 2000, Rate: 60},
			"ListActivityTypes":              {Burst: 200, Rate: 6},
			"ListClosedWorkflowExecutions":   {Burst: 200, Rate: 6},
			"ListDomains":                    {Burst: 100, Rate: 6},
			"ListOpenWorkflowExecutions":     {Burst: 200, Rate: 48},
			"ListTagsForResource":            {Burst: 50, Rate: 30},
			"ListWorkflowTypes":              {Burst: 200, Rate: 6},
			"PollForActivityTask":            {Burst: 2000, Rate: 200},
			"PollForDecisionTask":            {Burst: 2000, Rate: 200},
			"RecordActivityTaskHeartbeat":    {Burst: 2000, Rate: 160},
			"RegisterActivityType":           {Burst: 200, Rate: 60},
			"RegisterDomain":                 {Burst: 100, Rate: 6},
			"RegisterWorkflowType":           {Burst: 200, Rate: 60},
			"RequestCancelWorkflowExecution": {Burst: 2000, Rate: 30},
			"RespondActivityTaskCanceled":    {Burst: 2000, Rate: 200},
			"RespondActivityTaskCompleted":   {Burst: 2000, Rate: 200},
			"RespondActivityTaskFailed":      {Burst: 2000, Rate: 200},
			"RespondDecisionTaskCompleted":   {Burst: 2000, Rate: 200},
			"SignalWorkflowExecution":        {Burst: 2000, Rate: 30},
			"StartWorkflowExecution":         {Burst: 2000, Rate: 200},
			"TagResource":                    {Burst: 50, Rate: 30},
			"TerminateWorkflowExecution":     {Burst: 2000, Rate: 60},
			"UndeprecateActivityType":        {Burst: 200, Rate: 6},
			"UndeprecateDomain":              {Burst: 100, Rate: 6},
			"UndeprecateWorkflowType":        {Burst: 200, Rate: 6},
			"UntagResource":                  {Burst: 50, Rate: 30},
		},
		Decisions: map[string]Quota{
			"RequestCancelExternalWorkflowExecution": {Burst: 1200, Rate: 120},
			"ScheduleActivityTask":                   {Burst: 1000, Rate: 200},
			"SignalExternalWorkflowExecution":        {Burst: 1200, Rate: 120},
			"StartChildWorkflowExecution":            {Burst: 500, Rate: 12},
			"StartTimer":                             {Burst: 2000, Rate: 200},

			// The guide's decision table stops at the five above, but the
			// model gives two more decision types a RATE_EXCEEDED cause.
			// ContinueAsNewWorkflowExecution starts a new run, so it gets
			// the bucket of StartWorkflowExecution, the call that does the
			// same from outside: a figure of ours, chosen so that a run
			// that continues as new is held to no tighter a rate than one
			// started by a client.
			// ScheduleLambdaFunction schedules work as ScheduleActivityTask
			// does and gets its bucket (openswf runs no Lambda functions and
			// fails every such decision anyway; the bucket only decides
			// which cause its failure records).
			"ContinueAsNewWorkflowExecution": {Burst: 2000, Rate: 200},
			"ScheduleLambdaFunction":         {Burst: 1000, Rate: 200},
		},
	}
}

// rateExceededCause returns the cause the model gives a decision of type t
// that fails for being over its rate, or "" when the model gives that type
// no such cause, in which case SWF does not rate-limit it on its own. A
// switch rather than a table keeps the package free of globals.
func rateExceededCause(t swfapi.DecisionType) string {
	switch t {
	case swfapi.DecisionTypeScheduleActivityTask:
		return string(swfapi.ScheduleActivityTaskFailedCauseActivityCreationRateExceeded)
	case swfapi.DecisionTypeStartTimer:
		return string(swfapi.StartTimerFailedCauseTimerCreationRateExceeded)
	case swfapi.DecisionTypeStartChildWorkflowExecution:
		return string(swfapi.StartChildWorkflowExecutionFailedCauseChildCreationRateExceeded)
	case swfapi.DecisionTypeSignalExternalWorkflowExecution:
		return string(swfapi.SignalExternalWorkflowExecutionFailedCauseSignalExternalWorkflowExecutionRateExceeded)
	case swfapi.DecisionTypeRequestCancelExternalWorkflowExecution:
		return string(swfapi.RequestCancelExternalWorkflowExecutionFailedCauseRequestCancelExternalWorkflowExecutionRateExceeded)
	case swfapi.DecisionTypeContinueAsNewWorkflowExecution:
		return string(swfapi.ContinueAsNewWorkflowExecutionFailedCauseContinueAsNewWorkflowExecutionRateExceeded)
	case swfapi.DecisionTypeScheduleLambdaFunction:
		return string(swfapi.ScheduleLambdaFunctionFailedCauseLambdaFunctionCreationRateExceeded)
	}
	return ""
}
