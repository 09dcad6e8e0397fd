package console

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/internal/swfapi"
)

// historyPage is the page size the console reads a history with: SWF's
// largest, so a 25,000-event history is 25 calls.
const historyPage = 1000

type link struct {
	WorkflowID, RunID, Note string
}

type activityView struct {
	service.ConsoleActivity
	Deadlines []deadlineView
}

type deadlineView struct {
	Name string
	At   time.Time
	Left time.Duration
}

type executionData struct {
	Domain, WorkflowID, RunID string
	Type, Version, Status     string
	Open                      bool
	Started, Closed           time.Time
	TaskList, ChildPolicy     string
	ExecTimeout, TaskTimeout  string
	Tags                      []string
	CancelRequested           bool
	OpenCounts                *swfapi.WorkflowExecutionOpenCounts
	Parent                    *link
	Children                  []link
	Previous, Next            *link
	Timeline                  template.HTML
	Bars                      int
	TimelineCut               bool
	Events                    []eventView
	HistoryRows               template.HTML
	Activities                []activityView
	ActivitiesError           string
	Input                     string
	LatestContext             string
	Base                      string // this execution's URL
	Done                      string
}

func execURL(domain, workflowID, runID string) string {
	return Prefix + "domains/" + url.PathEscape(domain) + "/executions/" + url.PathEscape(workflowID) + "/" + url.PathEscape(runID)
}

func (c *Console) execution(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	ctx := r.Context()
	domain, wid, rid := r.PathValue("domain"), r.PathValue("workflowId"), r.PathValue("runId")
	d := &executionData{Domain: domain, WorkflowID: wid, RunID: rid, Base: execURL(domain, wid, rid), Done: r.URL.Query().Get("done")}
	v.Title, v.Data = wid, d
	v.Crumbs = []crumb{{"Domains", Prefix}, {domain, Prefix + "domains/" + url.PathEscape(domain) + "/"},
		{"Executions", Prefix + "domains/" + url.PathEscape(domain) + "/executions"}}
	we := &swfapi.WorkflowExecution{WorkflowId: &wid, RunId: &rid}
	out, err := c.call(ctx, "DescribeWorkflowExecution", &swfapi.DescribeWorkflowExecutionInput{Domain: &domain, Execution: we})
	if err != nil {
		return "error", err
	}
	det := out.(*swfapi.WorkflowExecutionDetail)
	info := det.ExecutionInfo
	d.Type, d.Version = str(info.WorkflowType.Name), str(info.WorkflowType.Version)
	d.Open = enumStr(info.ExecutionStatus) == string(swfapi.ExecutionStatusOpen)
	d.Status = enumStr(info.ExecutionStatus)
	if info.CloseStatus != nil {
		d.Status = string(*info.CloseStatus)
	}
	d.Started, d.Closed, d.Tags = tsTime(info.StartTimestamp), tsTime(info.CloseTimestamp), info.TagList
	d.CancelRequested = info.CancelRequested != nil && *info.CancelRequested
	d.OpenCounts, d.LatestContext = det.OpenCounts, str(det.LatestExecutionContext)
	if cf := det.ExecutionConfiguration; cf != nil {
		d.TaskList, d.ChildPolicy = taskListName(cf.TaskList), enumStr(cf.ChildPolicy)
		d.ExecTimeout, d.TaskTimeout = str(cf.ExecutionStartToCloseTimeout), str(cf.TaskStartToCloseTimeout)
	}
	if info.Parent != nil {
		d.Parent = &link{WorkflowID: str(info.Parent.WorkflowId), RunID: str(info.Parent.RunId)}
	}

	// The whole history, page by page (a history holds at most 25,000
	// events, so this is bounded).
	var events []swfapi.HistoryEvent
	var token *string
	size := int32(historyPage)
	for {
		out, err := c.call(ctx, "GetWorkflowExecutionHistory", &swfapi.GetWorkflowExecutionHistoryInput{
			Domain: &domain, Execution: we, NextPageToken: token, MaximumPageSize: &size})
		if err != nil {
			return "error", err
		}
		h := out.(*swfapi.History)
		events = append(events, h.Events...)
		if h.NextPageToken == nil || *h.NextPageToken == "" {
			break
		}
		token = h.NextPageToken
	}
	d.Events = eventViews(events)
	for i := range d.Events {
		e := &d.Events[i]
		switch e.Type {
		case "WorkflowExecutionStarted":
			d.Input = e.get("input")
			if prev := e.get("continuedExecutionRunId"); prev != "" {
				d.Previous = &link{WorkflowID: wid, RunID: prev}
			}
		case "WorkflowExecutionContinuedAsNew":
			d.Next = &link{WorkflowID: wid, RunID: e.get("newExecutionRunId")}
		case "ChildWorkflowExecutionStarted":
			if cw, ok := e.attrs.FieldByName("WorkflowExecution").Interface().(*swfapi.WorkflowExecution); ok && cw != nil {
				d.Children = append(d.Children, link{WorkflowID: str(cw.WorkflowId), RunID: str(cw.RunId)})
			}
		case "StartChildWorkflowExecutionFailed":
			d.Children = append(d.Children, link{WorkflowID: e.get("workflowId"), Note: "failed to start: " + e.get("cause")})
		}
	}
	d.HistoryRows = historyRows(d.Events)
	bars, cut := timeline(d.Events)
	end := d.Closed
	if end.IsZero() {
		end = v.Now
	}
	d.Timeline, d.Bars, d.TimelineCut = timelineSVG(bars, d.Started, end), len(bars), cut

	// What SWF does not tell: asked only now that DescribeWorkflowExecution
	// has been allowed for this principal.
	if d.Open {
		acts, err := c.cfg.Extras.ConsoleActivities(ctx, domain, wid, rid)
		if err != nil {
			d.ActivitiesError = errorText(err)
		}
		for _, a := range acts {
			av := activityView{ConsoleActivity: a}
			for _, dl := range []struct {
				name string
				at   time.Time
			}{{"heartbeat", a.HeartbeatDeadline}, {"start-to-close", a.StartToCloseDeadline},
				{"schedule-to-close", a.ScheduleToCloseDeadline}, {"schedule-to-start", a.ScheduleToStartDeadline}} {
				if !dl.at.IsZero() {
					av.Deadlines = append(av.Deadlines, deadlineView{Name: dl.name, At: dl.at, Left: dl.at.Sub(v.Now)})
				}
			}
			d.Activities = append(d.Activities, av)
		}
	}
	return "execution", nil
}

// actionData is the confirmation page of an action.
type actionData struct {
	Action, Domain, WorkflowID, RunID string
	Base                              string
	Fields                            [][2]string // name, value: carried as hidden inputs
	SignalName, Input, Reason         string
	NewWorkflowID                     string
}

// action confirms, then performs, an action on a run: signal, cancel,
// terminate, or start again with the same input. The first POST (from the
// execution page) shows what will be done; only the POST of that page,
// with confirm=yes, does it.
func (c *Console) action(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	ctx := r.Context()
	domain, wid, rid, act := r.PathValue("domain"), r.PathValue("workflowId"), r.PathValue("runId"), r.PathValue("action")
	base := execURL(domain, wid, rid)
	d := &actionData{Action: act, Domain: domain, WorkflowID: wid, RunID: rid, Base: base,
		SignalName: strings.TrimSpace(r.PostFormValue("signalName")), Input: r.PostFormValue("input"), Reason: r.PostFormValue("reason"),
		NewWorkflowID: strings.TrimSpace(r.PostFormValue("workflowId"))}
	v.Title, v.Data = "Confirm: "+act, d
	v.Crumbs = []crumb{{"Domains", Prefix}, {domain, Prefix + "domains/" + url.PathEscape(domain) + "/"}, {wid, base}}
	switch act {
	case "signal", "cancel", "terminate", "restart":
	default:
		return "error", swfapi.NewFault(swfapi.CodeValidation, "unknown action %q", act)
	}
	if act == "restart" && d.NewWorkflowID == "" {
		d.NewWorkflowID = wid
	}
	if r.PostFormValue("confirm") != "yes" {
		return "confirm", nil
	}
	done := act
	target := base
	var err error
	switch act {
	case "signal":
		_, err = c.call(ctx, "SignalWorkflowExecution", &swfapi.SignalWorkflowExecutionInput{Domain: &domain, WorkflowId: &wid, RunId: &rid,
			SignalName: &d.SignalName, Input: optional(d.Input)})
		done = "signaled"
	case "cancel":
		_, err = c.call(ctx, "RequestCancelWorkflowExecution", &swfapi.RequestCancelWorkflowExecutionInput{Domain: &domain, WorkflowId: &wid, RunId: &rid})
		done = "cancel-requested"
	case "terminate":
		_, err = c.call(ctx, "TerminateWorkflowExecution", &swfapi.TerminateWorkflowExecutionInput{Domain: &domain, WorkflowId: &wid, RunId: &rid,
			Reason: optional(d.Reason)})
		done = "terminated"
	case "restart":
		var runID string
		runID, err = c.restart(r, domain, wid, rid, d.NewWorkflowID)
		target, done = execURL(domain, d.NewWorkflowID, runID), "started"
	}
	if err != nil {
		return "confirm", err
	}
	http.Redirect(w, r, target+"?done="+url.QueryEscape(done), http.StatusSeeOther)
	return "", nil
}

// restart starts a new run of the same type with the same input and
// settings as a run's start recorded them.
func (c *Console) restart(r *http.Request, domain, wid, rid, newWID string) (string, error) {
	ctx := r.Context()
	one := int32(1)
	out, err := c.call(ctx, "GetWorkflowExecutionHistory", &swfapi.GetWorkflowExecutionHistoryInput{Domain: &domain,
		Execution: &swfapi.WorkflowExecution{WorkflowId: &wid, RunId: &rid}, MaximumPageSize: &one})
	if err != nil {
		return "", err
	}
	h := out.(*swfapi.History)
	if len(h.Events) == 0 || h.Events[0].WorkflowExecutionStartedEventAttributes == nil {
		return "", swfapi.NewFault(swfapi.CodeValidation, "the run's history does not begin with its start")
	}
	a := h.Events[0].WorkflowExecutionStartedEventAttributes
	started, err := c.call(ctx, "StartWorkflowExecution", &swfapi.StartWorkflowExecutionInput{Domain: &domain, WorkflowId: &newWID,
		WorkflowType: a.WorkflowType, TaskList: a.TaskList, TaskPriority: a.TaskPriority, Input: a.Input,
		ExecutionStartToCloseTimeout: a.ExecutionStartToCloseTimeout, TaskStartToCloseTimeout: a.TaskStartToCloseTimeout,
		TagList: a.TagList, ChildPolicy: a.ChildPolicy, LambdaRole: a.LambdaRole})
	if err != nil {
		return "", err
	}
	return str(started.(*swfapi.Run).RunId), nil
}
