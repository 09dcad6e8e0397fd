package service_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// visibilityWorld is a world with runs in every state the engine reaches,
// started ten seconds apart and closed in another order than they started:
//
//	run         start  type     tags        end
//	done#1        0    order/1  red         COMPLETED at 80
//	failed       10    ship/2   blue, red   FAILED at 150
//	canceled     20    order/1  -           CANCELED at 160 (cancel requested first)
//	terminated   30    order/1  green       TERMINATED at 70
//	timedout     40    order/1  -           TIMED_OUT at 140
//	open1        50    ship/2   blue        open
//	open2        60    order/1  -           open, cancel requested
//	done#2      170    order/1  -           open (a new run of done)
type visibilityWorld struct {
	*world
	t0   time.Time
	runs map[string]*types.WorkflowExecution
}

func newVisibilityWorld(t *testing.T) *visibilityWorld {
	t.Helper()
	w := &visibilityWorld{world: newWorld(t), runs: map[string]*types.WorkflowExecution{}}
	w.t0 = w.clk.Now()
	_, err := w.c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: aws.String(dom), Name: aws.String("ship"), Version: aws.String("2"),
		DefaultTaskStartToCloseTimeout:      aws.String("60"),
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
	})
	must(t, err)
	at := func(sec int) {
		t.Helper()
		w.clk.Set(w.t0.Add(time.Duration(sec) * time.Second))
	}
	start := func(name, id, typeName, typeVersion string, tags ...string) {
		t.Helper()
		in := &swf.StartWorkflowExecutionInput{
			Domain: aws.String(dom), WorkflowId: aws.String(id),
			WorkflowType: &types.WorkflowType{Name: aws.String(typeName), Version: aws.String(typeVersion)},
			TaskList:     &types.TaskList{Name: aws.String("tl-" + name)},
			TagList:      tags,
		}
		if name == "timedout" {
			in.ExecutionStartToCloseTimeout = aws.String("100")
		}
		out, err := w.c.StartWorkflowExecution(ctx, in)
		must(t, err)
		w.runs[name] = &types.WorkflowExecution{WorkflowId: aws.String(id), RunId: out.RunId}
	}
	// decideOn closes a run with one decision, through its own task list.
	decideOn := func(name string, d types.Decision) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		task, err := w.c.PollForDecisionTask(c, &swf.PollForDecisionTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String("tl-" + name)}})
		must(t, err)
		if task.TaskToken == nil {
			t.Fatalf("no decision task for %s", name)
		}
		w.decide(task.TaskToken, d)
	}
	requestCancel := func(name string) {
		t.Helper()
		_, err := w.c.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: w.runs[name].WorkflowId})
		must(t, err)
	}

	start("done#1", "done", wfName, typeVer, "red")
	at(10)
	start("failed", "failed", "ship", "2", "blue", "red")
	at(20)
	start("canceled", "canceled", wfName, typeVer)
	at(30)
	start("terminated", "terminated", wfName, typeVer, "green")
	at(40)
	start("timedout", "timedout", wfName, typeVer)
	at(50)
	start("open1", "open1", "ship", "2", "blue")
	at(60)
	start("open2", "open2", wfName, typeVer)
	requestCancel("open2")
	requestCancel("canceled")
	at(70)
	_, err = w.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: aws.String("terminated")})
	must(t, err)
	at(80)
	decideOn("done#1", completeWorkflow("ok"))
	at(140)
	w.waitFor(w.runs["timedout"], types.EventTypeWorkflowExecutionTimedOut)
	at(150)
	decideOn("failed", types.Decision{
		DecisionType:                            types.DecisionTypeFailWorkflowExecution,
		FailWorkflowExecutionDecisionAttributes: &types.FailWorkflowExecutionDecisionAttributes{Reason: aws.String("no")},
	})
	at(160)
	decideOn("canceled", types.Decision{
		DecisionType: types.DecisionTypeCancelWorkflowExecution,
		CancelWorkflowExecutionDecisionAttributes: &types.CancelWorkflowExecutionDecisionAttributes{},
	})
	at(170)
	start("done#2", "done", wfName, typeVer)
	at(200)
	return w
}

// sec is the instant sec seconds after the world's start.
func (w *visibilityWorld) sec(n int) *time.Time {
	t := w.t0.Add(time.Duration(n) * time.Second)
	return &t
}

// since is a time filter from sec seconds on, with no upper bound.
func (w *visibilityWorld) since(n int) *types.ExecutionTimeFilter {
	return &types.ExecutionTimeFilter{OldestDate: w.sec(n)}
}

// names turns infos back into the world's run names, checking that every
// one is a run of the world.
func (w *visibilityWorld) names(infos []types.WorkflowExecutionInfo) []string {
	w.t.Helper()
	out := []string{}
	for _, info := range infos {
		name := ""
		for n, ex := range w.runs {
			if aws.ToString(ex.RunId) == aws.ToString(info.Execution.RunId) {
				name = n
			}
		}
		if name == "" {
			w.t.Fatalf("unknown run %s", aws.ToString(info.Execution.RunId))
		}
		out = append(out, name)
	}
	return out
}

func (w *visibilityWorld) listOpen(in swf.ListOpenWorkflowExecutionsInput) []string {
	w.t.Helper()
	in.Domain = aws.String(dom)
	out, err := w.c.ListOpenWorkflowExecutions(ctx, &in)
	must(w.t, err)
	if out.NextPageToken != nil {
		w.t.Fatalf("a token after a single page")
	}
	got := w.names(out.ExecutionInfos)
	n, err := w.c.CountOpenWorkflowExecutions(ctx, &swf.CountOpenWorkflowExecutionsInput{Domain: in.Domain,
		StartTimeFilter: in.StartTimeFilter, ExecutionFilter: in.ExecutionFilter, TypeFilter: in.TypeFilter, TagFilter: in.TagFilter})
	must(w.t, err)
	if int(n.Count) != len(got) || n.Truncated {
		w.t.Errorf("CountOpenWorkflowExecutions = %d (truncated %v), the list has %v", n.Count, n.Truncated, got)
	}
	return got
}

func (w *visibilityWorld) listClosed(in swf.ListClosedWorkflowExecutionsInput) []string {
	w.t.Helper()
	in.Domain = aws.String(dom)
	out, err := w.c.ListClosedWorkflowExecutions(ctx, &in)
	must(w.t, err)
	if out.NextPageToken != nil {
		w.t.Fatalf("a token after a single page")
	}
	got := w.names(out.ExecutionInfos)
	n, err := w.c.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{Domain: in.Domain,
		StartTimeFilter: in.StartTimeFilter, CloseTimeFilter: in.CloseTimeFilter, ExecutionFilter: in.ExecutionFilter,
		TypeFilter: in.TypeFilter, TagFilter: in.TagFilter, CloseStatusFilter: in.CloseStatusFilter})
	must(w.t, err)
	if int(n.Count) != len(got) || n.Truncated {
		w.t.Errorf("CountClosedWorkflowExecutions = %d (truncated %v), the list has %v", n.Count, n.Truncated, got)
	}
	return got
}

func wantNames(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestListOpenWorkflowExecutions(t *testing.T) {
	w := newVisibilityWorld(t)
	all := swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: w.since(0)}
	wantNames(t, "open runs", w.listOpen(all), "done#2", "open2", "open1")
	rev := all
	rev.ReverseOrder = true
	wantNames(t, "open runs, reversed", w.listOpen(rev), "open1", "open2", "done#2")

	for _, tt := range []struct {
		name string
		in   swf.ListOpenWorkflowExecutionsInput
		want []string
	}{
		// Both bounds are inclusive, to the millisecond.
		{"window", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: w.sec(50), LatestDate: w.sec(60)}}, []string{"open2", "open1"}},
		{"window past a start", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(w.sec(50).Add(time.Millisecond)), LatestDate: w.sec(170)}}, []string{"done#2", "open2"}},
		{"window before a start", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: w.sec(0), LatestDate: aws.Time(w.sec(60).Add(-time.Millisecond))}}, []string{"open1"}},
		{"empty window", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: w.sec(60), LatestDate: w.sec(50)}}, nil},
		{"workflow id", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: w.since(0), ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("done")}}, []string{"done#2"}},
		{"workflow id of a closed run", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: w.since(0), ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("failed")}}, nil},
		{"type name", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: w.since(0), TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("ship")}}, []string{"open1"}},
		{"type name and version", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: w.since(0), TypeFilter: &types.WorkflowTypeFilter{Name: aws.String(wfName), Version: aws.String(typeVer)}}, []string{"done#2", "open2"}},
		{"type version unknown", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: w.since(0), TypeFilter: &types.WorkflowTypeFilter{Name: aws.String(wfName), Version: aws.String("9")}}, nil},
		{"tag", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: w.since(0), TagFilter: &types.TagFilter{Tag: aws.String("blue")}}, []string{"open1"}},
		{"tag of closed runs only", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: w.since(0), TagFilter: &types.TagFilter{Tag: aws.String("red")}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) { wantNames(t, tt.name, w.listOpen(tt.in), tt.want...) })
	}

	// What each info carries, as SWF shows an open run.
	out, err := w.c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: w.since(0)})
	must(t, err)
	for _, info := range out.ExecutionInfos {
		name := w.names([]types.WorkflowExecutionInfo{info})[0]
		if aws.ToString(info.Execution.WorkflowId) != aws.ToString(w.runs[name].WorkflowId) ||
			info.ExecutionStatus != types.ExecutionStatusOpen || info.CloseStatus != "" || info.CloseTimestamp != nil ||
			info.StartTimestamp == nil || info.CancelRequested != (name == "open2") {
			t.Errorf("%s: %+v", name, info)
		}
	}
	open1 := out.ExecutionInfos[2]
	if aws.ToString(open1.WorkflowType.Name) != "ship" || aws.ToString(open1.WorkflowType.Version) != "2" ||
		!open1.StartTimestamp.Equal(*w.sec(50)) || !slices.Equal(open1.TagList, []string{"blue"}) {
		t.Errorf("open1: %+v", open1)
	}
	if out.ExecutionInfos[0].TagList != nil {
		t.Errorf("a run without tags lists tags %v", out.ExecutionInfos[0].TagList)
	}
	// Describe tells the same story.
	d, err := w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: w.runs["open1"]})
	must(t, err)
	if got, want := d.ExecutionInfo, open1; !got.StartTimestamp.Equal(*want.StartTimestamp) || got.CancelRequested != want.CancelRequested ||
		!slices.Equal(got.TagList, want.TagList) || got.ExecutionStatus != want.ExecutionStatus {
		t.Errorf("Describe says %+v, List says %+v", got, want)
	}
}

func TestListClosedWorkflowExecutions(t *testing.T) {
	w := newVisibilityWorld(t)
	byStart := swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: w.since(0)}
	byClose := swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: w.since(0)}
	wantNames(t, "closed runs by start", w.listClosed(byStart), "timedout", "terminated", "canceled", "failed", "done#1")
	wantNames(t, "closed runs by close", w.listClosed(byClose), "canceled", "failed", "timedout", "done#1", "terminated")
	byClose.ReverseOrder = true
	wantNames(t, "closed runs by close, reversed", w.listClosed(byClose), "terminated", "done#1", "timedout", "failed", "canceled")
	byStart.ReverseOrder = true
	wantNames(t, "closed runs by start, reversed", w.listClosed(byStart), "done#1", "failed", "canceled", "terminated", "timedout")

	for _, tt := range []struct {
		name string
		in   swf.ListClosedWorkflowExecutionsInput
		want []string
	}{
		{"close window", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: &types.ExecutionTimeFilter{OldestDate: w.sec(80), LatestDate: w.sec(150)}}, []string{"failed", "timedout", "done#1"}},
		{"start window", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: w.sec(10), LatestDate: w.sec(30)}}, []string{"terminated", "canceled", "failed"}},
		{"closes after every start", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: w.since(41)}, nil},
		{"workflow id", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: w.since(0), ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("done")}}, []string{"done#1"}},
		{"type name", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: w.since(0), TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("ship")}}, []string{"failed"}},
		{"type name and version", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: w.since(0), TypeFilter: &types.WorkflowTypeFilter{Name: aws.String(wfName), Version: aws.String(typeVer)}}, []string{"timedout", "terminated", "canceled", "done#1"}},
		{"tag", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: w.since(0), TagFilter: &types.TagFilter{Tag: aws.String("red")}}, []string{"failed", "done#1"}},
		{"unknown tag", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: w.since(0), TagFilter: &types.TagFilter{Tag: aws.String("re")}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) { wantNames(t, tt.name, w.listClosed(tt.in), tt.want...) })
	}
	for status, want := range map[types.CloseStatus][]string{
		types.CloseStatusCompleted:      {"done#1"},
		types.CloseStatusFailed:         {"failed"},
		types.CloseStatusCanceled:       {"canceled"},
		types.CloseStatusTerminated:     {"terminated"},
		types.CloseStatusTimedOut:       {"timedout"},
		types.CloseStatusContinuedAsNew: nil,
	} {
		got := w.listClosed(swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: w.since(0), CloseStatusFilter: &types.CloseStatusFilter{Status: status}})
		wantNames(t, "closed "+string(status), got, want...)
	}

	// What each info carries, as SWF shows a closed run: its close status
	// and time, and cancelRequested false however it closed.
	out, err := w.c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(dom), CloseTimeFilter: w.since(0)})
	must(t, err)
	closedAt := map[string]int{"canceled": 160, "failed": 150, "timedout": 140, "done#1": 80, "terminated": 70}
	for _, info := range out.ExecutionInfos {
		name := w.names([]types.WorkflowExecutionInfo{info})[0]
		if info.ExecutionStatus != types.ExecutionStatusClosed || info.CancelRequested || info.CloseTimestamp == nil ||
			!info.CloseTimestamp.Equal(*w.sec(closedAt[name])) {
			t.Errorf("%s: %+v", name, info)
		}
		d, err := w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: w.runs[name]})
		must(t, err)
		if got := d.ExecutionInfo; got.CloseStatus != info.CloseStatus || !got.CloseTimestamp.Equal(*info.CloseTimestamp) ||
			!got.StartTimestamp.Equal(*info.StartTimestamp) || !slices.Equal(got.TagList, info.TagList) || got.CancelRequested != info.CancelRequested {
			t.Errorf("%s: Describe says %+v, List says %+v", name, got, info)
		}
	}
	if failed := out.ExecutionInfos[1]; !slices.Equal(failed.TagList, []string{"blue", "red"}) || failed.CloseStatus != types.CloseStatusFailed {
		t.Errorf("failed: %+v", failed)
	}
}

// TestVisibilityPaging pages through the runs with tokens, both ways, and
// refuses a token outside the query that made it.
func TestVisibilityPaging(t *testing.T) {
	w := newVisibilityWorld(t)
	page := func(in swf.ListClosedWorkflowExecutionsInput) ([]string, *string) {
		t.Helper()
		in.Domain = aws.String(dom)
		out, err := w.c.ListClosedWorkflowExecutions(ctx, &in)
		must(t, err)
		return w.names(out.ExecutionInfos), out.NextPageToken
	}
	for _, reverse := range []bool{false, true} {
		in := swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: w.since(0), MaximumPageSize: 2, ReverseOrder: reverse}
		var all []string
		var sizes []int
		for range 10 {
			names, next := page(in)
			all, sizes = append(all, names...), append(sizes, len(names))
			if next == nil {
				break
			}
			in.NextPageToken = next
		}
		want := []string{"canceled", "failed", "timedout", "done#1", "terminated"}
		if reverse {
			slices.Reverse(want)
		}
		if !slices.Equal(all, want) || !slices.Equal(sizes, []int{2, 2, 1}) {
			t.Errorf("pages (reverse %v) of sizes %v: %v, want %v", reverse, sizes, all, want)
		}
	}
	// A full last page has no token after it, and a page size of 0 means
	// 1000.
	for _, size := range []int32{5, 0} {
		names, next := page(swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: w.since(0), MaximumPageSize: size})
		if len(names) != 5 || next != nil {
			t.Errorf("page size %d: %v, token %v", size, names, next)
		}
	}
	// A token keeps its place while runs start and close.
	open := swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: w.since(0), MaximumPageSize: 1}
	out, err := w.c.ListOpenWorkflowExecutions(ctx, &open)
	must(t, err)
	wantNames(t, "first open page", w.names(out.ExecutionInfos), "done#2")
	w.start("late")
	open.NextPageToken = out.NextPageToken
	out, err = w.c.ListOpenWorkflowExecutions(ctx, &open)
	must(t, err)
	wantNames(t, "second open page after a start", w.names(out.ExecutionInfos), "open2")

	// A token belongs to one query: the same operation with other
	// arguments, or another operation, refuses it.
	_, token := page(swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: w.since(0), MaximumPageSize: 1})
	for name, in := range map[string]swf.ListClosedWorkflowExecutionsInput{
		"reversed":       {CloseTimeFilter: w.since(0), ReverseOrder: true},
		"by start":       {StartTimeFilter: w.since(0)},
		"another window": {CloseTimeFilter: w.since(1)},
		"a latest date":  {CloseTimeFilter: &types.ExecutionTimeFilter{OldestDate: w.sec(0), LatestDate: w.sec(1000)}},
		"a tag":          {CloseTimeFilter: w.since(0), TagFilter: &types.TagFilter{Tag: aws.String("red")}},
		"a status":       {CloseTimeFilter: w.since(0), CloseStatusFilter: &types.CloseStatusFilter{Status: types.CloseStatusFailed}},
		"a type":         {CloseTimeFilter: w.since(0), TypeFilter: &types.WorkflowTypeFilter{Name: aws.String(wfName)}},
		"a type version": {CloseTimeFilter: w.since(0), TypeFilter: &types.WorkflowTypeFilter{Name: aws.String(wfName), Version: aws.String(typeVer)}},
	} {
		in.Domain, in.NextPageToken = aws.String(dom), token
		_, err := w.c.ListClosedWorkflowExecutions(ctx, &in)
		if err == nil {
			t.Errorf("token accepted with %s", name)
			continue
		}
		wantFault(t, err, "ValidationException", "Invalid token")
	}
	_, err = w.c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: w.since(0), NextPageToken: token})
	wantFault(t, err, "ValidationException", "Invalid token")
	_, err = w.c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(dom), CloseTimeFilter: w.since(0), NextPageToken: aws.String("garbage")})
	wantFault(t, err, "ValidationException", "Invalid token")
	// The page size is not part of the query.
	names, _ := page(swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: w.since(0), MaximumPageSize: 10, NextPageToken: token})
	wantNames(t, "rest after the first", names, "failed", "timedout", "done#1", "terminated")
	// Tokens expire after a day.
	w.clk.Advance(25 * time.Hour)
	_, err = w.c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(dom), CloseTimeFilter: w.since(0), NextPageToken: token})
	wantFault(t, err, "ValidationException", "maximum lifetime")
}

func TestVisibilityFaults(t *testing.T) {
	w := newWorld(t)
	since := &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}
	w.start("a")

	// An unknown domain, in each operation.
	nope := aws.String("nope")
	_, err := w.c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: nope, StartTimeFilter: since})
	wantFault(t, err, "UnknownResourceFault", "Unknown domain: nope")
	_, err = w.c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: nope, StartTimeFilter: since})
	wantFault(t, err, "UnknownResourceFault", "Unknown domain: nope")
	_, err = w.c.CountOpenWorkflowExecutions(ctx, &swf.CountOpenWorkflowExecutionsInput{Domain: nope, StartTimeFilter: since})
	wantFault(t, err, "UnknownResourceFault", "Unknown domain: nope")
	_, err = w.c.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{Domain: nope, CloseTimeFilter: since})
	wantFault(t, err, "UnknownResourceFault", "Unknown domain: nope")

	// The closed operations take exactly one of the two time filters.
	_, err = w.c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: since, CloseTimeFilter: since})
	wantFault(t, err, "ValidationException", "Cannot specify both a closeTimeFilter and a startTimeFilter")
	_, err = w.c.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: since, CloseTimeFilter: since})
	wantFault(t, err, "ValidationException", "Cannot specify both a closeTimeFilter and a startTimeFilter")
	_, err = w.c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(dom)})
	wantFault(t, err, "ValidationException", "Must specify one of startTimeFilter or closeTimeFilter")
	_, err = w.c.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{Domain: aws.String(dom)})
	wantFault(t, err, "ValidationException", "Must specify one of startTimeFilter or closeTimeFilter")

	// At most one narrowing filter.
	exec := &types.WorkflowExecutionFilter{WorkflowId: aws.String("a")}
	typ := &types.WorkflowTypeFilter{Name: aws.String(wfName)}
	tag := &types.TagFilter{Tag: aws.String("t")}
	status := &types.CloseStatusFilter{Status: types.CloseStatusCompleted}
	_, err = w.c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: since, ExecutionFilter: exec, TagFilter: tag})
	wantFault(t, err, "ValidationException", "Cannot specify more than one exclusive filters in the same query: [WorkflowExecutionFilter, TagFilter]")
	_, err = w.c.CountOpenWorkflowExecutions(ctx, &swf.CountOpenWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: since, ExecutionFilter: exec, TypeFilter: typ, TagFilter: tag})
	wantFault(t, err, "ValidationException", "[WorkflowExecutionFilter, WorkflowTypeFilter, TagFilter]")
	_, err = w.c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(dom), CloseTimeFilter: since, TypeFilter: typ, CloseStatusFilter: status})
	wantFault(t, err, "ValidationException", "[WorkflowTypeFilter, CloseStatusFilter]")
	_, err = w.c.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: since, ExecutionFilter: exec, CloseStatusFilter: status})
	wantFault(t, err, "ValidationException", "[WorkflowExecutionFilter, CloseStatusFilter]")
	// Validation comes before the domain is looked up.
	_, err = w.c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: nope, CloseTimeFilter: since, TypeFilter: typ, TagFilter: tag})
	wantFault(t, err, "ValidationException", "exclusive filters")

	// What the SDK would not send: the model's own requirements.
	url := w.s.URL
	wantRawFault(t, url, "ListOpenWorkflowExecutions", `{"domain":"wd"}`, "ValidationException", "startTimeFilter")
	wantRawFault(t, url, "CountOpenWorkflowExecutions", `{"domain":"wd"}`, "ValidationException", "startTimeFilter")
	wantRawFault(t, url, "ListOpenWorkflowExecutions", `{"domain":"wd","startTimeFilter":{}}`, "ValidationException", "oldestDate")
	wantRawFault(t, url, "ListClosedWorkflowExecutions", `{"domain":"wd","closeTimeFilter":{"oldestDate":0},"typeFilter":{}}`, "ValidationException", "typeFilter.name")
	wantRawFault(t, url, "ListClosedWorkflowExecutions", `{"domain":"wd","closeTimeFilter":{"oldestDate":0},"tagFilter":{}}`, "ValidationException", "tagFilter.tag")
	wantRawFault(t, url, "CountClosedWorkflowExecutions", `{"domain":"wd","closeTimeFilter":{"oldestDate":0},"closeStatusFilter":{"status":"DONE"}}`, "ValidationException", "closeStatusFilter.status")
	wantRawFault(t, url, "ListClosedWorkflowExecutions", `{"domain":"wd","closeTimeFilter":{"oldestDate":0},"executionFilter":{}}`, "ValidationException", "executionFilter.workflowId")
	wantRawFault(t, url, "ListOpenWorkflowExecutions", `{"domain":"wd","startTimeFilter":{"oldestDate":0},"maximumPageSize":1001}`, "ValidationException", "maximumPageSize")

	// A deprecated domain stays readable.
	_, err = w.c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String(dom)})
	must(t, err)
	out, err := w.c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: since})
	must(t, err)
	if len(out.ExecutionInfos) != 1 || aws.ToString(out.ExecutionInfos[0].Execution.WorkflowId) != "a" {
		t.Errorf("open runs of a deprecated domain: %+v", out.ExecutionInfos)
	}
	n, err := w.c.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{Domain: aws.String(dom), CloseTimeFilter: since})
	must(t, err)
	if n.Count != 0 || n.Truncated {
		t.Errorf("closed runs of a deprecated domain: %+v", n)
	}
}
