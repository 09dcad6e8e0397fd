package service

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// The visibility operations list and count a domain's runs from the
// store's visibility columns; they never load a run's state.

// ListOpenWorkflowExecutions lists a domain's open runs started in a time
// range, newest first.
func (s *Service) ListOpenWorkflowExecutions(ctx context.Context, in *swfapi.ListOpenWorkflowExecutionsInput) (*swfapi.WorkflowExecutionInfos, error) {
	sel := selection{
		domain:    *in.Domain,
		startTime: in.StartTimeFilter,
		execution: in.ExecutionFilter,
		typ:       in.TypeFilter,
		tag:       in.TagFilter,
	}
	return s.listExecutions(ctx, "ListOpenWorkflowExecutions", sel, in.ReverseOrder, in.MaximumPageSize, in.NextPageToken)
}

// ListClosedWorkflowExecutions lists a domain's closed runs started, or
// closed, in a time range, newest first.
func (s *Service) ListClosedWorkflowExecutions(ctx context.Context, in *swfapi.ListClosedWorkflowExecutionsInput) (*swfapi.WorkflowExecutionInfos, error) {
	sel := selection{
		domain:    *in.Domain,
		closed:    true,
		startTime: in.StartTimeFilter,
		closeTime: in.CloseTimeFilter,
		execution: in.ExecutionFilter,
		typ:       in.TypeFilter,
		tag:       in.TagFilter,
		status:    in.CloseStatusFilter,
	}
	return s.listExecutions(ctx, "ListClosedWorkflowExecutions", sel, in.ReverseOrder, in.MaximumPageSize, in.NextPageToken)
}

// CountOpenWorkflowExecutions counts the runs ListOpenWorkflowExecutions
// would list.
func (s *Service) CountOpenWorkflowExecutions(ctx context.Context, in *swfapi.CountOpenWorkflowExecutionsInput) (*swfapi.WorkflowExecutionCount, error) {
	return s.countExecutions(ctx, selection{
		domain:    *in.Domain,
		startTime: in.StartTimeFilter,
		execution: in.ExecutionFilter,
		typ:       in.TypeFilter,
		tag:       in.TagFilter,
	})
}

// CountClosedWorkflowExecutions counts the runs ListClosedWorkflowExecutions
// would list.
func (s *Service) CountClosedWorkflowExecutions(ctx context.Context, in *swfapi.CountClosedWorkflowExecutionsInput) (*swfapi.WorkflowExecutionCount, error) {
	return s.countExecutions(ctx, selection{
		domain:    *in.Domain,
		closed:    true,
		startTime: in.StartTimeFilter,
		closeTime: in.CloseTimeFilter,
		execution: in.ExecutionFilter,
		typ:       in.TypeFilter,
		tag:       in.TagFilter,
		status:    in.CloseStatusFilter,
	})
}

// selection is what the four operations have in common: which runs they
// are about. The model has already checked every member it requires.
type selection struct {
	domain    string
	closed    bool
	startTime *swfapi.ExecutionTimeFilter
	closeTime *swfapi.ExecutionTimeFilter
	execution *swfapi.WorkflowExecutionFilter
	typ       *swfapi.WorkflowTypeFilter
	tag       *swfapi.TagFilter
	status    *swfapi.CloseStatusFilter
}

// query checks the rules the model cannot state and turns the selection
// into a store query.
func (sel selection) query() (store.ExecutionQuery, error) {
	// The closed operations filter on start time or on close time: exactly
	// one of the two. (For the open ones the model requires startTimeFilter
	// and has no closeTimeFilter.)
	switch {
	case sel.startTime != nil && sel.closeTime != nil:
		return store.ExecutionQuery{}, swfapi.NewFault(swfapi.CodeValidation, "Cannot specify both a closeTimeFilter and a startTimeFilter")
	case sel.startTime == nil && sel.closeTime == nil:
		return store.ExecutionQuery{}, swfapi.NewFault(swfapi.CodeValidation, "Must specify one of startTimeFilter or closeTimeFilter")
	}
	// SWF allows at most one of the narrowing filters, and names the ones
	// given when there are more, by their shapes' names.
	var given []string
	for _, f := range []struct {
		set  bool
		name string
	}{
		{sel.execution != nil, "WorkflowExecutionFilter"},
		{sel.typ != nil, "WorkflowTypeFilter"},
		{sel.tag != nil, "TagFilter"},
		{sel.status != nil, "CloseStatusFilter"},
	} {
		if f.set {
			given = append(given, f.name)
		}
	}
	if len(given) > 1 {
		return store.ExecutionQuery{}, swfapi.NewFault(swfapi.CodeValidation,
			"Cannot specify more than one exclusive filters in the same query: [%s]", strings.Join(given, ", "))
	}

	q := store.ExecutionQuery{Domain: sel.domain, Closed: sel.closed}
	window := sel.startTime
	if sel.closeTime != nil {
		window, q.ByClose = sel.closeTime, true
	}
	q.Oldest = window.OldestDate.Time
	if window.LatestDate != nil {
		q.Latest = window.LatestDate.Time
	}
	if sel.execution != nil {
		q.WorkflowID = *sel.execution.WorkflowId
	}
	if sel.typ != nil {
		// An empty version is no version: no type has one.
		q.TypeName, q.TypeVersion = *sel.typ.Name, deref(sel.typ.Version)
	}
	if sel.tag != nil {
		q.Tag = sel.tag.Tag
	}
	if sel.status != nil {
		q.CloseStatus = string(*sel.status.Status)
	}
	return q, nil
}

// emptyRange reports whether q's time range is empty (latestDate before
// oldestDate): no run can match, which is an empty answer, not an error.
func emptyRange(q store.ExecutionQuery) bool {
	return !q.Latest.IsZero() && q.Latest.Before(q.Oldest)
}

// queryIdentity identifies the listing a page token belongs to: the
// operation and every argument that selects or orders its runs, so that a
// token is only good for the query that made it. The page size is not part
// of it: a page boundary is as good for any size.
func queryIdentity(op string, q store.ExecutionQuery) string {
	opt := func(set bool, v string) string {
		if !set {
			return "-"
		}
		return "+" + v
	}
	return queryKey(op, q.Domain,
		strconv.FormatBool(q.ByClose),
		strconv.FormatInt(q.Oldest.UnixMilli(), 10),
		opt(!q.Latest.IsZero(), strconv.FormatInt(q.Latest.UnixMilli(), 10)),
		opt(q.WorkflowID != "", q.WorkflowID),
		opt(q.TypeName != "", q.TypeName),
		opt(q.TypeVersion != "", q.TypeVersion),
		opt(q.Tag != nil, deref(q.Tag)),
		opt(q.CloseStatus != "", q.CloseStatus),
		strconv.FormatBool(q.Ascending))
}

// listExecutions answers a List operation: one page of runs, newest first
// (oldest first when reverseOrder), by start time or, for a close-time
// filter, by close time; the run id breaks ties, so the token's position
// (time, run id) is exact.
func (s *Service) listExecutions(ctx context.Context, op string, sel selection, reverseOrder *bool, maximum *int32, token *string) (*swfapi.WorkflowExecutionInfos, error) {
	q, err := sel.query()
	if err != nil {
		return nil, err
	}
	// Deprecated domains stay readable.
	if _, err := s.domain(ctx, sel.domain); err != nil {
		return nil, err
	}
	q.Ascending = deref(reverseOrder)
	identity := queryIdentity(op, q)
	after, err := s.pages.read(identity, token)
	if err != nil {
		return nil, err
	}
	if after != nil {
		if len(after) != 2 || after[1] == "" {
			return nil, invalidToken()
		}
		ms, err := strconv.ParseInt(after[0], 10, 64)
		if err != nil {
			return nil, invalidToken()
		}
		q.AfterTime, q.AfterRunID = time.UnixMilli(ms).UTC(), after[1]
	}
	out := &swfapi.WorkflowExecutionInfos{ExecutionInfos: []swfapi.WorkflowExecutionInfo{}}
	if emptyRange(q) {
		return out, nil
	}
	limit := pageSize(maximum)
	q.Limit = limit + 1
	runs, err := s.store.ListExecutions(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(runs) > limit {
		runs = runs[:limit]
		last := runs[limit-1]
		at := last.StartedAt
		if q.ByClose {
			at = last.ClosedAt
		}
		out.NextPageToken = s.pages.make(identity, strconv.FormatInt(at.UnixMilli(), 10), last.RunID)
	}
	for _, x := range runs {
		out.ExecutionInfos = append(out.ExecutionInfos, *executionInfo(x))
	}
	return out, nil
}

// countExecutions answers a Count operation. The store counts at most
// store.CountLimit runs and one more: past the limit the answer is the
// limit, truncated, as SWF answers a count it did not finish, so a count
// costs at most that many index entries however many runs match.
func (s *Service) countExecutions(ctx context.Context, sel selection) (*swfapi.WorkflowExecutionCount, error) {
	q, err := sel.query()
	if err != nil {
		return nil, err
	}
	if _, err := s.domain(ctx, sel.domain); err != nil {
		return nil, err
	}
	n := 0
	if !emptyRange(q) {
		q.CountLimit = store.CountLimit + 1
		if n, err = s.store.CountExecutions(ctx, q); err != nil {
			return nil, err
		}
	}
	truncated := n > store.CountLimit
	return &swfapi.WorkflowExecutionCount{Count: swfapi.Ptr(int32(min(n, store.CountLimit))), Truncated: swfapi.Ptr(truncated)}, nil
}

// executionInfo describes a run from its row, as engine.Execution.Info
// describes it from its state: cancelRequested reads false once the run has
// closed, a closed run carries its close status and time, and a child its
// parent.
func executionInfo(x store.Execution) *swfapi.WorkflowExecutionInfo {
	info := &swfapi.WorkflowExecutionInfo{
		Execution:       &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(x.WorkflowID), RunId: swfapi.Ptr(x.RunID)},
		WorkflowType:    &swfapi.WorkflowType{Name: swfapi.Ptr(x.TypeName), Version: swfapi.Ptr(x.TypeVersion)},
		StartTimestamp:  swfapi.NewTimestamp(x.StartedAt),
		ExecutionStatus: swfapi.Ptr(swfapi.ExecutionStatusOpen),
		TagList:         slices.Clone(x.TagList),
		CancelRequested: swfapi.Ptr(x.Open && x.CancelRequested),
	}
	if x.ParentRunID != "" {
		info.Parent = &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(x.ParentWorkflowID), RunId: swfapi.Ptr(x.ParentRunID)}
	}
	if !x.Open {
		info.ExecutionStatus = swfapi.Ptr(swfapi.ExecutionStatusClosed)
		info.CloseStatus = swfapi.Ptr(swfapi.CloseStatus(x.CloseStatus))
		info.CloseTimestamp = swfapi.NewTimestamp(x.ClosedAt)
	}
	return info
}
