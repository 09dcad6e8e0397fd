package console_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/console"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/dsn"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/swftest"
)

// The console's pages must stay fast whatever the store holds: a list page
// under 200 ms of server time, an execution page with a 5,000-event history
// under 500 ms. These tests build such a store, render the pages in
// process, and log (and, without the race detector, check) the times.

// newConsole is the console over a test server's service, without access
// control (these tests time the pages, not the policies).
func newConsole(t *testing.T, srv *swftest.Server) http.Handler {
	t.Helper()
	c, err := console.New(console.Config{Handler: swfapi.Chain(srv.Service), Extras: srv.Service,
		Anonymous: auth.Local(swftest.AccountID), SessionKey: []byte("test key"), Clock: srv.Clock})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// render GETs path from the console n times and returns the fastest and
// the median time of rendering it, and the last page.
func render(t *testing.T, h http.Handler, path string, n int) (fastest, median time.Duration, body string) {
	t.Helper()
	var times []time.Duration
	for range n {
		rec := httptest.NewRecorder()
		began := time.Now()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		times = append(times, time.Since(began))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", path, rec.Code, rec.Body.String())
		}
		body = rec.Body.String()
	}
	slices.Sort(times)
	return times[0], times[len(times)/2], body
}

func check(t *testing.T, what string, median, limit time.Duration) {
	t.Helper()
	t.Logf("%s: median %v (limit %v)", what, median.Round(100*time.Microsecond), limit)
	if median > limit && !raceEnabled {
		t.Errorf("%s takes %v, more than %v", what, median, limit)
	}
}

// TestExecutionPageSpeed renders the page of a run with a 5,000-event
// history: a hundred activities, and thousands of markers.
func TestExecutionPageSpeed(t *testing.T) {
	srv := swftest.Start(t, swftest.Options{Clock: clock.Real{}})
	c, ctx := srv.Client, context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("big"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	must(err)
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("big"), Name: aws.String("long"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("d")}, DefaultChildPolicy: types.ChildPolicyTerminate,
		DefaultExecutionStartToCloseTimeout: aws.String("3600"), DefaultTaskStartToCloseTimeout: aws.String("600")})
	must(err)
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("big"), Name: aws.String("step"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("w")}, DefaultTaskHeartbeatTimeout: aws.String("NONE"), DefaultTaskScheduleToStartTimeout: aws.String("NONE"),
		DefaultTaskScheduleToCloseTimeout: aws.String("NONE"), DefaultTaskStartToCloseTimeout: aws.String("600")})
	must(err)
	run, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("big"), WorkflowId: aws.String("long-1"),
		WorkflowType: &types.WorkflowType{Name: aws.String("long"), Version: aws.String("1")}, Input: aws.String(`{"batch": 1, "items": [1, 2, 3]}`)})
	must(err)

	const activities, target = 100, 5000
	markers := func(n int) []types.Decision {
		ds := make([]types.Decision, n)
		for i := range ds {
			ds[i] = types.Decision{DecisionType: types.DecisionTypeRecordMarker, RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{
				MarkerName: aws.String("progress"), Details: aws.String(fmt.Sprintf(`{"step": %d, "note": "a marker with some JSON details"}`, i))}}
		}
		return ds
	}
	decide := func() int64 {
		task, err := c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String("big"), TaskList: &types.TaskList{Name: aws.String("d")}})
		must(err)
		var ds []types.Decision
		switch n := task.StartedEventId; {
		case task.PreviousStartedEventId == 0:
			for i := range activities {
				ds = append(ds, types.Decision{DecisionType: types.DecisionTypeScheduleActivityTask, ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{
					ActivityId: aws.String("step-" + strconv.Itoa(i)), ActivityType: &types.ActivityType{Name: aws.String("step"), Version: aws.String("1")},
					Input: aws.String(`{"i": ` + strconv.Itoa(i) + `}`)}})
			}
		case n < target-1000:
			ds = markers(1000)
		case n < target:
			ds = markers(int(target - n))
		default:
			ds = []types.Decision{{DecisionType: types.DecisionTypeCompleteWorkflowExecution}}
		}
		_, err = c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: ds})
		must(err)
		return task.StartedEventId
	}
	decide()
	for i := range activities {
		task, err := c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String("big"), TaskList: &types.TaskList{Name: aws.String("w")}, Identity: aws.String("speed-worker")})
		must(err)
		_, err = c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: task.TaskToken, Result: aws.String(fmt.Sprintf(`{"done": %d}`, i))})
		must(err)
	}
	// Markers do not wake the decider: a signal after each batch does.
	for decide() < target {
		_, err := c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String("big"), WorkflowId: aws.String("long-1"), SignalName: aws.String("more")})
		must(err)
	}
	path := "/console/domains/big/executions/long-1/" + url.PathEscape(*run.RunId)
	h := newConsole(t, srv)
	_, median, body := render(t, h, path, 5)
	events := strings.Count(body, `<tr class="ev-`)
	if events < target || !strings.Contains(body, `data-id="step-99" data-outcome="completed"`) {
		t.Fatalf("the page shows %d events, or not the last activity's bar", events)
	}
	check(t, fmt.Sprintf("execution page, %d events, %d KiB", events, len(body)>>10), median, 500*time.Millisecond)
}

// TestListPageSpeed renders the executions pages (open and closed, a page
// and a filter, with their counts) of a domain with many runs, written
// through the store's own API. OPENSWF_CONSOLE_SCALE sets how many (10,000
// by default, 2,000 under the race detector or -short).
func TestListPageSpeed(t *testing.T) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("OPENSWF_CONSOLE_SCALE")); err == nil && v > 0 {
		n = v
	} else if testing.Short() || raceEnabled {
		n = 2_000 // the race detector's timings are not checked anyway
	}
	spec := "sqlite:" + t.TempDir() + "/openswf.db"
	began := time.Now()
	seedVisibility(t, spec, n)
	t.Logf("%d runs written in %v", n, time.Since(began).Round(time.Millisecond))
	srv := swftest.Start(t, swftest.Options{Store: spec, Clock: clock.Real{}})
	h := newConsole(t, srv)
	for _, path := range []string{
		"/console/domains/many/executions",
		"/console/domains/many/executions?status=closed&size=100",
		"/console/domains/many/executions?status=closed&closeStatus=FAILED&size=100",
		"/console/domains/many/executions?status=closed&workflowId=w-77",
		"/console/domains/many/executions?status=closed&tag=g3&reverse=on",
		"/console/domains/many/tasklists",
		"/console/domains/many/",
		"/console/",
	} {
		_, median, body := render(t, h, path, 5)
		check(t, fmt.Sprintf("%s (%d runs, %d KiB)", path, n, len(body)>>10), median, 200*time.Millisecond)
	}
	// Paging goes on from the token the page links.
	_, _, body := render(t, h, "/console/domains/many/executions?status=closed&size=100", 1)
	i := strings.Index(body, `id="next-page"`)
	j := strings.LastIndex(body[:max(i, 0)], `href="`)
	if i < 0 || j < 0 {
		t.Fatal("no next page link")
	}
	next := strings.ReplaceAll(body[j+6:j+6+strings.IndexByte(body[j+6:], '"')], "&amp;", "&")
	_, median, _ := render(t, h, "/console/domains/many/executions"+next, 5)
	check(t, "the second page", median, 200*time.Millisecond)
}

// seedVisibility writes n runs of the domain "many" (a tenth open) straight
// into the store: the visibility pages read only the rows' columns.
func seedVisibility(t *testing.T, spec string, n int) {
	t.Helper()
	ctx := context.Background()
	st, err := dsn.Open(ctx, spec, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateDomain(ctx, store.Domain{Name: "many", Retention: "30", Status: store.StatusRegistered, CreatedAt: time.Now().UTC()}, 0); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now().UTC().Add(-time.Duration(n) * time.Second)
	statuses := []string{"COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT"}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				x := store.Execution{Domain: "many", WorkflowID: fmt.Sprintf("w-%d", i%5000), RunID: fmt.Sprintf("r%08d", i), Version: 1,
					Open: i%10 == 0, State: []byte("{}"), TypeName: "type" + strconv.Itoa(i%4), TypeVersion: "1",
					StartedAt: t0.Add(time.Duration(i) * time.Second), TagList: []string{"g" + strconv.Itoa(i%10)}}
				if !x.Open {
					x.ClosedAt, x.CloseStatus = x.StartedAt.Add(time.Duration(i%600)*time.Second), statuses[i%6]
					x.WorkflowID = fmt.Sprintf("w-%d", i%5000)
				} else {
					x.WorkflowID = fmt.Sprintf("open-%d", i)
				}
				if err := st.CreateExecution(ctx, store.ExecutionChange{Execution: x}); err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
