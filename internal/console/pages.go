package console

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// pageSize is the rows a list page shows (SWF's lists take at most 1,000;
// a page of a console stays short so it renders fast whatever the store
// holds).
const (
	defaultPageSize = 50
	maxPageSize     = 100
)

func pageSizeOf(q url.Values) int32 {
	n, err := strconv.Atoi(q.Get("size"))
	if err != nil || n <= 0 {
		return defaultPageSize
	}
	return int32(min(n, maxPageSize))
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ---- domains ----------------------------------------------------------

type domainRow struct {
	Name, Status, Description, Retention string
}

type domainsData struct {
	Status   string
	Domains  []domainRow
	Next     string
	PageSize int32
}

func (c *Console) domains(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	q := r.URL.Query()
	status := swfapi.RegistrationStatus(q.Get("status"))
	if status != swfapi.RegistrationStatusDeprecated {
		status = swfapi.RegistrationStatusRegistered
	}
	v.Title = "Domains"
	d := &domainsData{Status: string(status), PageSize: pageSizeOf(q)}
	v.Data = d
	out, err := c.call(r.Context(), "ListDomains", &swfapi.ListDomainsInput{
		RegistrationStatus: &status, MaximumPageSize: &d.PageSize, NextPageToken: optional(q.Get("next"))})
	if err != nil {
		return "domains", err
	}
	infos := out.(*swfapi.DomainInfos)
	d.Next = str(infos.NextPageToken)
	for _, di := range infos.DomainInfos {
		row := domainRow{Name: str(di.Name), Status: string(*di.Status), Description: str(di.Description)}
		// The retention is only in DescribeDomain; a page has at most
		// maxPageSize domains (and an account at most 100 by default).
		if det, err := c.call(r.Context(), "DescribeDomain", &swfapi.DescribeDomainInput{Name: di.Name}); err == nil {
			if cfg := det.(*swfapi.DomainDetail).Configuration; cfg != nil {
				row.Retention = str(cfg.WorkflowExecutionRetentionPeriodInDays)
			}
		}
		d.Domains = append(d.Domains, row)
	}
	return "domains", nil
}

// ---- one domain and its types -----------------------------------------

type typeRow struct {
	Name, Version, Status, Description string
	Created, Deprecated                time.Time
	// Defaults are the type's default settings, by name, as registered.
	Defaults [][2]string
}

type domainData struct {
	Name, Status, Description, Retention, ARN string
	TypeStatus                                string
	Workflows, Activities                     []typeRow
	NextWorkflows, NextActivities             string
}

func (c *Console) domain(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	ctx, q := r.Context(), r.URL.Query()
	name := r.PathValue("domain")
	v.Title = name
	v.Crumbs = []crumb{{"Domains", Prefix}}
	d := &domainData{Name: name, TypeStatus: q.Get("types")}
	v.Data = d
	if d.TypeStatus != string(swfapi.RegistrationStatusDeprecated) {
		d.TypeStatus = string(swfapi.RegistrationStatusRegistered)
	}
	out, err := c.call(ctx, "DescribeDomain", &swfapi.DescribeDomainInput{Name: &name})
	if err != nil {
		return "error", err
	}
	det := out.(*swfapi.DomainDetail)
	d.Status, d.Description, d.ARN = string(*det.DomainInfo.Status), str(det.DomainInfo.Description), str(det.DomainInfo.Arn)
	if det.Configuration != nil {
		d.Retention = str(det.Configuration.WorkflowExecutionRetentionPeriodInDays)
	}
	status := swfapi.RegistrationStatus(d.TypeStatus)
	size := int32(25) // each row costs one Describe…Type for its defaults
	wt, err := c.call(ctx, "ListWorkflowTypes", &swfapi.ListWorkflowTypesInput{Domain: &name, RegistrationStatus: &status,
		MaximumPageSize: &size, NextPageToken: optional(q.Get("wt"))})
	if err != nil {
		return "domain", err
	}
	wts := wt.(*swfapi.WorkflowTypeInfos)
	d.NextWorkflows = str(wts.NextPageToken)
	for _, ti := range wts.TypeInfos {
		row := typeRow{Name: str(ti.WorkflowType.Name), Version: str(ti.WorkflowType.Version), Status: string(*ti.Status), Description: str(ti.Description)}
		row.Created, row.Deprecated = tsTime(ti.CreationDate), tsTime(ti.DeprecationDate)
		if out, err := c.call(ctx, "DescribeWorkflowType", &swfapi.DescribeWorkflowTypeInput{Domain: &name, WorkflowType: ti.WorkflowType}); err == nil {
			if cf := out.(*swfapi.WorkflowTypeDetail).Configuration; cf != nil {
				row.Defaults = defaults(
					"task list", taskListName(cf.DefaultTaskList), "task priority", str(cf.DefaultTaskPriority),
					"execution start-to-close", str(cf.DefaultExecutionStartToCloseTimeout),
					"task start-to-close", str(cf.DefaultTaskStartToCloseTimeout),
					"child policy", enumStr(cf.DefaultChildPolicy), "lambda role", str(cf.DefaultLambdaRole))
			}
		}
		d.Workflows = append(d.Workflows, row)
	}
	at, err := c.call(ctx, "ListActivityTypes", &swfapi.ListActivityTypesInput{Domain: &name, RegistrationStatus: &status,
		MaximumPageSize: &size, NextPageToken: optional(q.Get("at"))})
	if err != nil {
		return "domain", err
	}
	ats := at.(*swfapi.ActivityTypeInfos)
	d.NextActivities = str(ats.NextPageToken)
	for _, ti := range ats.TypeInfos {
		row := typeRow{Name: str(ti.ActivityType.Name), Version: str(ti.ActivityType.Version), Status: string(*ti.Status), Description: str(ti.Description)}
		row.Created, row.Deprecated = tsTime(ti.CreationDate), tsTime(ti.DeprecationDate)
		if out, err := c.call(ctx, "DescribeActivityType", &swfapi.DescribeActivityTypeInput{Domain: &name, ActivityType: ti.ActivityType}); err == nil {
			if cf := out.(*swfapi.ActivityTypeDetail).Configuration; cf != nil {
				row.Defaults = defaults(
					"task list", taskListName(cf.DefaultTaskList), "task priority", str(cf.DefaultTaskPriority),
					"schedule-to-start", str(cf.DefaultTaskScheduleToStartTimeout),
					"schedule-to-close", str(cf.DefaultTaskScheduleToCloseTimeout),
					"start-to-close", str(cf.DefaultTaskStartToCloseTimeout),
					"heartbeat", str(cf.DefaultTaskHeartbeatTimeout))
			}
		}
		d.Activities = append(d.Activities, row)
	}
	return "domain", nil
}

func defaults(kv ...string) [][2]string {
	var out [][2]string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			out = append(out, [2]string{kv[i], kv[i+1]})
		}
	}
	return out
}

func taskListName(t *swfapi.TaskList) string {
	if t == nil {
		return ""
	}
	return str(t.Name)
}

func enumStr[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

func tsTime(t *swfapi.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.Time
}

// ---- executions ---------------------------------------------------------

// filters are the executions page's query: SWF's filters, as form values.
type filters struct {
	Status      string // open, closed
	TimeField   string // start, close (closed only)
	From, To    string // datetime-local, UTC
	WorkflowID  string
	TypeName    string
	TypeVersion string
	Tag         string
	CloseStatus string
	Reverse     bool
}

func filtersOf(q url.Values) filters {
	f := filters{Status: q.Get("status"), TimeField: q.Get("time"), From: q.Get("from"), To: q.Get("to"),
		WorkflowID: strings.TrimSpace(q.Get("workflowId")), TypeName: strings.TrimSpace(q.Get("type")), TypeVersion: strings.TrimSpace(q.Get("version")),
		Tag: q.Get("tag"), CloseStatus: q.Get("closeStatus"), Reverse: q.Get("reverse") == "on"}
	if f.Status != "closed" {
		f.Status = "open"
	}
	if f.TimeField != "close" || f.Status != "closed" {
		f.TimeField = "start"
	}
	if f.CloseStatus != "" {
		f.Status = "closed"
	}
	return f
}

// query is the filters as a URL query, for links that keep them.
func (f filters) query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("status", f.Status)
	if f.TimeField == "close" {
		set("time", f.TimeField)
	}
	set("from", f.From)
	set("to", f.To)
	set("workflowId", f.WorkflowID)
	set("type", f.TypeName)
	set("version", f.TypeVersion)
	set("tag", f.Tag)
	set("closeStatus", f.CloseStatus)
	if f.Reverse {
		q.Set("reverse", "on")
	}
	return q
}

const formTime = "2006-01-02T15:04"

func parseFormTime(s string) (*swfapi.Timestamp, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(formTime, s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			return nil, swfapi.NewFault(swfapi.CodeValidation, "time %q: use YYYY-MM-DDTHH:MM (UTC)", s)
		}
	}
	return swfapi.NewTimestamp(t.UTC()), nil
}

// timeFilter is SWF's time filter of the form's range; SWF requires an
// oldest date, which defaults to the epoch (every run).
func (f filters) timeFilter() (*swfapi.ExecutionTimeFilter, error) {
	from, err := parseFormTime(f.From)
	if err != nil {
		return nil, err
	}
	to, err := parseFormTime(f.To)
	if err != nil {
		return nil, err
	}
	if from == nil {
		from = swfapi.NewTimestamp(time.Unix(0, 0).UTC())
	}
	return &swfapi.ExecutionTimeFilter{OldestDate: from, LatestDate: to}, nil
}

type execRow struct {
	WorkflowID, RunID, Type, Version, Status string
	Started, Closed                          time.Time
	Tags                                     []string
	ParentWorkflowID, ParentRunID            string
	CancelRequested                          bool
}

type executionsData struct {
	Domain        string
	F             filters
	Rows          []execRow
	Count         string
	Next          string
	ThisQuery     string
	PageSize      int32
	CloseStatuses []string
}

func (c *Console) executions(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	ctx, q := r.Context(), r.URL.Query()
	domain := r.PathValue("domain")
	f := filtersOf(q)
	d := &executionsData{Domain: domain, F: f, PageSize: pageSizeOf(q),
		CloseStatuses: []string{"COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT"}}
	thisQuery := f.query()
	if q.Has("size") {
		thisQuery.Set("size", strconv.Itoa(int(d.PageSize)))
	}
	d.ThisQuery = thisQuery.Encode()
	v.Title, v.Data = "Executions", d
	v.Crumbs = []crumb{{"Domains", Prefix}, {domain, Prefix + "domains/" + url.PathEscape(domain) + "/"}}
	tf, err := f.timeFilter()
	if err != nil {
		return "executions", err
	}
	var ef *swfapi.WorkflowExecutionFilter
	if f.WorkflowID != "" {
		ef = &swfapi.WorkflowExecutionFilter{WorkflowId: &f.WorkflowID}
	}
	var typ *swfapi.WorkflowTypeFilter
	if f.TypeName != "" {
		typ = &swfapi.WorkflowTypeFilter{Name: &f.TypeName, Version: optional(f.TypeVersion)}
	}
	var tag *swfapi.TagFilter
	if f.Tag != "" {
		tag = &swfapi.TagFilter{Tag: &f.Tag}
	}
	next, rev := optional(q.Get("next")), &f.Reverse
	var infos *swfapi.WorkflowExecutionInfos
	var count *swfapi.WorkflowExecutionCount
	if f.Status == "open" {
		out, err := c.call(ctx, "ListOpenWorkflowExecutions", &swfapi.ListOpenWorkflowExecutionsInput{Domain: &domain,
			StartTimeFilter: tf, ExecutionFilter: ef, TypeFilter: typ, TagFilter: tag, NextPageToken: next, MaximumPageSize: &d.PageSize, ReverseOrder: rev})
		if err != nil {
			return "executions", err
		}
		infos = out.(*swfapi.WorkflowExecutionInfos)
		if out, err := c.call(ctx, "CountOpenWorkflowExecutions", &swfapi.CountOpenWorkflowExecutionsInput{Domain: &domain,
			StartTimeFilter: tf, ExecutionFilter: ef, TypeFilter: typ, TagFilter: tag}); err == nil {
			count = out.(*swfapi.WorkflowExecutionCount)
		}
	} else {
		var st, ct *swfapi.ExecutionTimeFilter
		if f.TimeField == "close" {
			ct = tf
		} else {
			st = tf
		}
		var cs *swfapi.CloseStatusFilter
		if f.CloseStatus != "" {
			s := swfapi.CloseStatus(f.CloseStatus)
			cs = &swfapi.CloseStatusFilter{Status: &s}
		}
		out, err := c.call(ctx, "ListClosedWorkflowExecutions", &swfapi.ListClosedWorkflowExecutionsInput{Domain: &domain,
			StartTimeFilter: st, CloseTimeFilter: ct, ExecutionFilter: ef, TypeFilter: typ, TagFilter: tag, CloseStatusFilter: cs,
			NextPageToken: next, MaximumPageSize: &d.PageSize, ReverseOrder: rev})
		if err != nil {
			return "executions", err
		}
		infos = out.(*swfapi.WorkflowExecutionInfos)
		if out, err := c.call(ctx, "CountClosedWorkflowExecutions", &swfapi.CountClosedWorkflowExecutionsInput{Domain: &domain,
			StartTimeFilter: st, CloseTimeFilter: ct, ExecutionFilter: ef, TypeFilter: typ, TagFilter: tag, CloseStatusFilter: cs}); err == nil {
			count = out.(*swfapi.WorkflowExecutionCount)
		}
	}
	if count != nil && count.Count != nil {
		d.Count = commas(int64(*count.Count))
		if count.Truncated != nil && *count.Truncated {
			d.Count += "+"
		}
	}
	d.Next = str(infos.NextPageToken)
	for _, e := range infos.ExecutionInfos {
		row := execRow{WorkflowID: str(e.Execution.WorkflowId), RunID: str(e.Execution.RunId),
			Type: str(e.WorkflowType.Name), Version: str(e.WorkflowType.Version),
			Status: enumStr(e.ExecutionStatus), Started: tsTime(e.StartTimestamp), Closed: tsTime(e.CloseTimestamp), Tags: e.TagList,
			CancelRequested: e.CancelRequested != nil && *e.CancelRequested}
		if e.CloseStatus != nil {
			row.Status = string(*e.CloseStatus)
		}
		if e.Parent != nil {
			row.ParentWorkflowID, row.ParentRunID = str(e.Parent.WorkflowId), str(e.Parent.RunId)
		}
		d.Rows = append(d.Rows, row)
	}
	return "executions", nil
}

// commas writes n with thousands separators.
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + commas(-n)
	}
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}

// ---- task lists ---------------------------------------------------------

type taskListRow struct {
	Kind, Name string
	Pending    string
	Oldest     time.Time
	Pollers    []pollerView
	Error      string
}

type pollerView struct {
	Identity string
	LastSeen time.Time
}

type taskListsData struct {
	Domain    string
	Lists     []taskListRow
	Kind      string
	Name      string
	WindowSec int
}

func (c *Console) taskLists(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	ctx, q := r.Context(), r.URL.Query()
	domain := r.PathValue("domain")
	d := &taskListsData{Domain: domain, Kind: q.Get("kind"), Name: strings.TrimSpace(q.Get("name")), WindowSec: 60}
	v.Title, v.Data = "Task lists", d
	v.Crumbs = []crumb{{"Domains", Prefix}, {domain, Prefix + "domains/" + url.PathEscape(domain) + "/"}}
	// The domain must be one the principal may describe before anything
	// of it is listed (the pollers' identities come from the service).
	if _, err := c.call(ctx, "DescribeDomain", &swfapi.DescribeDomainInput{Name: &domain}); err != nil {
		return "tasklists", err
	}
	lists, err := c.cfg.Extras.ConsoleTaskLists(ctx, domain)
	if err != nil {
		return "tasklists", err
	}
	if d.Name != "" {
		kind := store.ActivityTask
		if d.Kind == "decision" {
			kind = store.DecisionTask
		}
		found := false
		for _, tl := range lists {
			found = found || (tl.Kind == kind && tl.Name == d.Name)
		}
		if !found {
			lists = append(lists, service.ConsoleTaskList{Kind: kind, Name: d.Name})
		}
	}
	sort.SliceStable(lists, func(i, j int) bool {
		if lists[i].Kind != lists[j].Kind {
			return lists[i].Kind == store.DecisionTask
		}
		return lists[i].Name < lists[j].Name
	})
	for _, tl := range lists {
		d.Lists = append(d.Lists, c.taskListRow(ctx, domain, tl))
	}
	return "tasklists", nil
}

// taskListRow counts a task list's pending tasks through the API, and
// shows what the service knows of it only when that count was allowed.
func (c *Console) taskListRow(ctx context.Context, domain string, tl service.ConsoleTaskList) taskListRow {
	row := taskListRow{Kind: string(tl.Kind), Name: tl.Name}
	name := tl.Name
	list := &swfapi.TaskList{Name: &name}
	var out any
	var err error
	if tl.Kind == store.DecisionTask {
		out, err = c.call(ctx, "CountPendingDecisionTasks", &swfapi.CountPendingDecisionTasksInput{Domain: &domain, TaskList: list})
	} else {
		out, err = c.call(ctx, "CountPendingActivityTasks", &swfapi.CountPendingActivityTasksInput{Domain: &domain, TaskList: list})
	}
	if err != nil {
		row.Error = errorText(err)
		return row
	}
	if n := out.(*swfapi.PendingTaskCount); n.Count != nil {
		row.Pending = commas(int64(*n.Count))
		if n.Truncated != nil && *n.Truncated {
			row.Pending += "+"
		}
	}
	row.Oldest = tl.Oldest
	for _, p := range tl.Pollers {
		row.Pollers = append(row.Pollers, pollerView{Identity: p.Identity, LastSeen: p.LastSeen})
	}
	return row
}

func errorText(err error) string {
	if f, ok := err.(*swfapi.Fault); ok {
		return f.Code + ": " + f.Message
	}
	return "internal error"
}
