package engine

import (
	"slices"
	"strconv"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// StartParams is what starting a run needs.
type StartParams struct {
	Domain     string
	WorkflowID string
	RunID      string
	// Request has already been validated against the model.
	Request *swfapi.StartWorkflowExecutionInput
	// Type is the registered workflow type the request names.
	Type WorkflowTypeInfo
	// Limits bounds the run; a limit that is not positive takes SWF's quota.
	Limits Limits
	// ContinuedFrom is the run this one continues (ContinueAsNew), if any.
	ContinuedFrom string
	// Parent is the run that started this one as its child, if any.
	Parent *ParentRef
}

// Start begins a run: it resolves the configuration from the request and the
// type's defaults, and records WorkflowExecutionStarted and the first
// DecisionTaskScheduled. It fails with DefaultUndefinedFault when neither
// the request nor the type gives a task list, an execution timeout, a task
// timeout or a child policy, and with ValidationException for timeouts and
// priorities SWF does not accept. Whether the type is deprecated is for the
// service to check, as it words that fault.
func Start(p StartParams, now time.Time) (*Execution, Effects, error) {
	req := p.Request
	if req == nil {
		req = &swfapi.StartWorkflowExecutionInput{}
	}
	// A child's or a continued run's start comes from a decision, whose
	// execution timeout may be NONE; StartWorkflowExecution's may not.
	decided := p.Parent != nil || p.ContinuedFrom != ""
	if err := checkStart(req, decided); err != nil {
		return nil, Effects{}, err
	}
	cfg, err := resolveStart(req, p.Type.Config, decided)
	if err != nil {
		return nil, Effects{}, err
	}
	e := &Execution{
		Domain:                       p.Domain,
		WorkflowID:                   p.WorkflowID,
		RunID:                        p.RunID,
		TaskList:                     cfg.TaskList,
		ExecutionStartToCloseTimeout: cfg.ExecutionStartToCloseTimeout,
		TaskStartToCloseTimeout:      cfg.TaskStartToCloseTimeout,
		ChildPolicy:                  cfg.ChildPolicy,
		TaskPriority:                 cfg.TaskPriority,
		LambdaRole:                   cfg.LambdaRole,
		TagList:                      slices.Clone(req.TagList),
		Limits:                       p.Limits.orDefault(),
		NextEventID:                  1,
		Parent:                       p.Parent,
	}
	if req.WorkflowType != nil {
		e.WorkflowType = TypeRef{Name: deref(req.WorkflowType.Name), Version: deref(req.WorkflowType.Version)}
	}
	// The run opens inside the command, so that the Effects arm everything
	// an open run implies.
	fx, err := e.apply(now, func(c *cmd) error {
		c.e.Open = true
		c.e.StartedAt = c.now
		c.event(swfapi.EventTypeWorkflowExecutionStarted, func(ev *swfapi.HistoryEvent) {
			ev.WorkflowExecutionStartedEventAttributes = &swfapi.WorkflowExecutionStartedEventAttributes{
				Input:                        req.Input,
				ExecutionStartToCloseTimeout: swfapi.Ptr(e.ExecutionStartToCloseTimeout),
				TaskStartToCloseTimeout:      swfapi.Ptr(e.TaskStartToCloseTimeout),
				ChildPolicy:                  swfapi.Ptr(e.ChildPolicy),
				TaskList:                     taskList(e.TaskList),
				TaskPriority:                 optional(e.TaskPriority),
				WorkflowType:                 &swfapi.WorkflowType{Name: swfapi.Ptr(e.WorkflowType.Name), Version: swfapi.Ptr(e.WorkflowType.Version)},
				TagList:                      slices.Clone(e.TagList),
				// A run started by StartWorkflowExecution has no parent;
				// SWF still sends the member, as 0.
				ParentInitiatedEventId:  swfapi.Ptr(int64(0)),
				ContinuedExecutionRunId: optional(p.ContinuedFrom),
				LambdaRole:              optional(e.LambdaRole),
			}
			if p := e.Parent; p != nil {
				a := ev.WorkflowExecutionStartedEventAttributes
				a.ParentWorkflowExecution = &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(p.WorkflowID), RunId: swfapi.Ptr(p.RunID)}
				a.ParentInitiatedEventId = swfapi.Ptr(p.InitiatedEventID)
			}
		})
		c.e.Decision = c.scheduleDecision()
		return nil
	})
	if err != nil {
		return nil, Effects{}, err
	}
	return e, fx, nil
}

// runConfig is a run's configuration resolved from its start request and
// its type's defaults.
type runConfig struct {
	TaskList, ExecutionStartToCloseTimeout, TaskStartToCloseTimeout string
	ChildPolicy                                                     swfapi.ChildPolicy
	TaskPriority, LambdaRole                                        string
}

// resolveStart takes each setting from the request, else the type's
// default. A setting neither gives fails with DefaultUndefinedFault naming
// the default, in the order SWF checks them; an execution timeout that is
// no run's (a type default of NONE) is a ValidationException. decided is
// true for a start a decision asked for (a child, a continued run), whose
// own execution timeout may be NONE.
func resolveStart(req *swfapi.StartWorkflowExecutionInput, def swfapi.WorkflowTypeConfiguration, decided bool) (runConfig, error) {
	pick := func(a, b *string) string {
		if a != nil {
			return *a
		}
		return deref(b)
	}
	var tl, defTL *string
	if req.TaskList != nil {
		tl = req.TaskList.Name
	}
	if def.DefaultTaskList != nil {
		defTL = def.DefaultTaskList.Name
	}
	cfg := runConfig{
		TaskList:                     pick(tl, defTL),
		ExecutionStartToCloseTimeout: pick(req.ExecutionStartToCloseTimeout, def.DefaultExecutionStartToCloseTimeout),
		TaskStartToCloseTimeout:      pick(req.TaskStartToCloseTimeout, def.DefaultTaskStartToCloseTimeout),
		ChildPolicy:                  swfapi.ChildPolicy(pick((*string)(req.ChildPolicy), (*string)(def.DefaultChildPolicy))),
		TaskPriority:                 pick(req.TaskPriority, def.DefaultTaskPriority),
		LambdaRole:                   pick(req.LambdaRole, def.DefaultLambdaRole),
	}
	switch {
	case cfg.TaskList == "":
		return cfg, swfapi.NewFault(swfapi.CodeDefaultUndefined, "defaultTaskList")
	case cfg.ExecutionStartToCloseTimeout == "":
		return cfg, swfapi.NewFault(swfapi.CodeDefaultUndefined, "defaultExecutionStartToCloseTimeout")
	case cfg.TaskStartToCloseTimeout == "":
		return cfg, swfapi.NewFault(swfapi.CodeDefaultUndefined, "defaultTaskStartToCloseTimeout")
	case cfg.ChildPolicy == "":
		return cfg, swfapi.NewFault(swfapi.CodeDefaultUndefined, "defaultChildPolicy")
	}
	// The type's defaults were checked when it was registered, but not
	// against the limits of a run: a default cannot be unlimited.
	noneOK := decided && req.ExecutionStartToCloseTimeout != nil
	if problems := checkExecutionTimeout(nil, "executionStartToCloseTimeout", &cfg.ExecutionStartToCloseTimeout, noneOK); problems != nil {
		return cfg, validationFault(problems)
	}
	return cfg, nil
}

// checkStart checks the request's members that the model leaves as free
// text: durations and the priority. decided allows an execution timeout of
// NONE (see Start).
func checkStart(req *swfapi.StartWorkflowExecutionInput, decided bool) error {
	var problems []string
	problems = checkExecutionTimeout(problems, "executionStartToCloseTimeout", req.ExecutionStartToCloseTimeout, decided)
	problems = checkTimeout(problems, "taskStartToCloseTimeout", req.TaskStartToCloseTimeout)
	problems = checkPriority(problems, "taskPriority", req.TaskPriority)
	if len(problems) > 0 {
		return validationFault(problems)
	}
	return nil
}

// CheckExecutionTimeout is the fault for v, a run's duration as a request
// names it at path, or nil: the same rule holds for a start's timeout and
// for a workflow type's default.
func CheckExecutionTimeout(path string, v *string) error {
	if problems := checkExecutionTimeout(nil, path, v, false); len(problems) > 0 {
		return validationFault(problems)
	}
	return nil
}

// checkExecutionTimeout adds a problem when v is set and is not a run's
// duration: a whole number of seconds from one second to one year. Where
// the model documents NONE, an unlimited run, as allowed (the decisions
// that start a child or continue a run), noneOK accepts it; a start
// request and a type's default may not be unlimited.
func checkExecutionTimeout(problems []string, path string, v *string, noneOK bool) []string {
	if v == nil || noneOK && *v == none {
		return problems
	}
	if d, ok := Seconds(*v); !ok || d <= 0 || d > maxExecutionTimeout*time.Second {
		rule := "Member must be a whole number of seconds from 1 to " + strconv.Itoa(maxExecutionTimeout)
		if noneOK {
			rule = "Member must be NONE or a whole number of seconds from 1 to " + strconv.Itoa(maxExecutionTimeout)
		}
		problems = append(problems, badValue(*v, path, rule))
	}
	return problems
}
