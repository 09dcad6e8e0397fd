package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	"github.com/chromedp/chromedp"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/internal/store/dsn"
	"github.com/openswf/openswf/internal/swfapi"
)

// The console's browser test: a real server with real workflows, driven by
// headless Chromium through the console's pages.

const (
	consoleDomain = "shop"
	bulkCount     = 2500
)

// lacking skips a test that needs what the machine lacks, or fails it in
// CI, where .ci/run installs Debian's package pkg.
func lacking(t *testing.T, what, pkg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s; CI must install Debian's %s package", what, pkg)
	}
	t.Skip(what)
}

// browser starts headless Chromium for the test, or skips the test when
// there is none (and fails it in CI, where .ci/run installs it).
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		lacking(t, "no chromium on PATH", "chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1400, 1000),
		chromedp.Flag("disable-gpu", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// consoleWorld registers the domain and types, and runs a decider and a
// worker that make each kind of workflow the console must show.
type consoleWorld struct {
	c        *swf.Client
	beat     chan *string // the heartbeating activity's task token
	stop     context.CancelFunc
	done     sync.WaitGroup
	runs     sync.Map // workflowId → runId
	failures chan error
}

func newConsoleWorld(t *testing.T, c *swf.Client) *consoleWorld {
	ctx := context.Background()
	succeed(t, func() error {
		_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(consoleDomain), Description: aws.String("orders and payments"),
			WorkflowExecutionRetentionPeriodInDays: aws.String("7")})
		return err
	})
	for _, name := range []string{"charge", "refund", "slow", "pack"} {
		succeed(t, func() error {
			_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String(consoleDomain), Name: aws.String(name), Version: aws.String("1"),
				Description: aws.String("the " + name + " step"), DefaultTaskList: &types.TaskList{Name: aws.String("workers")}, DefaultTaskHeartbeatTimeout: aws.String("NONE"),
				DefaultTaskScheduleToStartTimeout: aws.String("NONE"), DefaultTaskScheduleToCloseTimeout: aws.String("900"), DefaultTaskStartToCloseTimeout: aws.String("600")})
			return err
		})
	}
	for _, name := range []string{"order"} {
		succeed(t, func() error {
			_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String(consoleDomain), Name: aws.String(name), Version: aws.String("1"),
				DefaultTaskList: &types.TaskList{Name: aws.String("deciders")}, DefaultChildPolicy: types.ChildPolicyTerminate,
				DefaultExecutionStartToCloseTimeout: aws.String("3600"), DefaultTaskStartToCloseTimeout: aws.String("60")})
			return err
		})
	}
	wctx, stop := context.WithCancel(ctx)
	w := &consoleWorld{c: c, beat: make(chan *string, 1), stop: stop, failures: make(chan error, 16)}
	w.done.Add(2)
	go func() { defer w.done.Done(); w.decider(wctx) }()
	go func() { defer w.done.Done(); w.worker(wctx) }()
	t.Cleanup(func() { stop(); w.done.Wait() })
	return w
}

func (w *consoleWorld) fail(err error) {
	select {
	case w.failures <- err:
	default:
	}
}

func (w *consoleWorld) start(t *testing.T, id, input, timeout string, tags ...string) {
	t.Helper()
	in := &swf.StartWorkflowExecutionInput{Domain: aws.String(consoleDomain), WorkflowId: aws.String(id),
		WorkflowType: &types.WorkflowType{Name: aws.String("order"), Version: aws.String("1")}, Input: aws.String(input), TagList: tags}
	if timeout != "" {
		in.ExecutionStartToCloseTimeout = aws.String(timeout)
	}
	out, err := w.c.StartWorkflowExecution(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	w.runs.Store(id, *out.RunId)
}

func (w *consoleWorld) runID(id string) string {
	v, _ := w.runs.Load(id)
	s, _ := v.(string)
	return s
}

// decider decides each workflow by its id: completed charges and completes;
// failed refunds, which fails, and fails; timedout runs an activity nobody
// finishes until the run times out; heartbeat runs a long heartbeating
// activity; parent starts a child and a timer and completes when both are
// done; a child waits on a timer and completes.
func (w *consoleWorld) decider(ctx context.Context) {
	for ctx.Err() == nil {
		task, err := w.c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String(consoleDomain),
			TaskList: &types.TaskList{Name: aws.String("deciders")}, Identity: aws.String("decider-1")})
		if err != nil || task.TaskToken == nil {
			continue
		}
		events := task.Events
		for next := task.NextPageToken; next != nil; {
			page, err := w.c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String(consoleDomain),
				TaskList: &types.TaskList{Name: aws.String("deciders")}, NextPageToken: next})
			if err != nil {
				break
			}
			events, next = append(events, page.Events...), page.NextPageToken
		}
		has := map[types.EventType]bool{}
		for _, e := range events {
			has[e.EventType] = true
		}
		id := aws.ToString(task.WorkflowExecution.WorkflowId)
		var ds []types.Decision
		schedule := func(activityID, typ string, heartbeat, startToClose string, input string) {
			ds = append(ds, types.Decision{DecisionType: types.DecisionTypeScheduleActivityTask,
				ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{
					ActivityId: aws.String(activityID), ActivityType: &types.ActivityType{Name: aws.String(typ), Version: aws.String("1")},
					HeartbeatTimeout: aws.String(heartbeat), StartToCloseTimeout: aws.String(startToClose), Input: aws.String(input)}})
		}
		complete := func(result string) {
			ds = append(ds, types.Decision{DecisionType: types.DecisionTypeCompleteWorkflowExecution,
				CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: aws.String(result)}})
		}
		timer := func(timerID, secs string) {
			ds = append(ds, types.Decision{DecisionType: types.DecisionTypeStartTimer,
				StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String(timerID), StartToFireTimeout: aws.String(secs)}})
		}
		switch {
		case strings.HasPrefix(id, "order-completed"):
			switch {
			case !has[types.EventTypeActivityTaskScheduled]:
				schedule("charge-1", "charge", "NONE", "600", `{"amount": 42, "currency": "EUR"}`)
				schedule("pack-1", "pack", "NONE", "600", `{"items": 3}`)
			case countEvents(events, types.EventTypeActivityTaskCompleted) == 2:
				complete(`{"status": "shipped"}`)
			}
		case strings.HasPrefix(id, "order-failed"):
			switch {
			case !has[types.EventTypeActivityTaskScheduled]:
				schedule("refund-1", "refund", "NONE", "600", `{"amount": 42}`)
			case has[types.EventTypeActivityTaskFailed]:
				ds = append(ds, types.Decision{DecisionType: types.DecisionTypeFailWorkflowExecution,
					FailWorkflowExecutionDecisionAttributes: &types.FailWorkflowExecutionDecisionAttributes{Reason: aws.String("refund refused"), Details: aws.String(`{"code": 402}`)}})
			}
		case strings.HasPrefix(id, "order-timedout"):
			if !has[types.EventTypeActivityTaskScheduled] {
				schedule("slow-1", "slow", "NONE", "1", `{}`)
			}
		case strings.HasPrefix(id, "order-heartbeat"):
			if !has[types.EventTypeActivityTaskScheduled] {
				schedule("pack-big", "pack", "60", "600", `{"items": 1000}`)
			}
		case strings.HasPrefix(id, "order-parent"):
			switch {
			case !has[types.EventTypeStartChildWorkflowExecutionInitiated]:
				ds = append(ds, types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution,
					StartChildWorkflowExecutionDecisionAttributes: &types.StartChildWorkflowExecutionDecisionAttributes{
						WorkflowId: aws.String("order-child-1"), WorkflowType: &types.WorkflowType{Name: aws.String("order"), Version: aws.String("1")},
						Input: aws.String(`{"part": 1}`)}})
				timer("wait-1", "1")
			case has[types.EventTypeChildWorkflowExecutionCompleted] && has[types.EventTypeTimerFired]:
				complete(`{"children": 1}`)
			}
		case strings.HasPrefix(id, "order-continue"):
			// The first run continues as new; the second completes.
			if aws.ToString(events[0].WorkflowExecutionStartedEventAttributes.ContinuedExecutionRunId) == "" {
				ds = append(ds, types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution,
					ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{Input: aws.String(`{"round": 2}`)}})
			} else {
				complete(`{"rounds": 2}`)
			}
		case strings.HasPrefix(id, "order-child"):
			switch {
			case !has[types.EventTypeTimerStarted]:
				timer("settle", "1")
			case has[types.EventTypeTimerFired]:
				complete(`{"child": "done"}`)
			}
		}
		if _, err := w.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: ds}); err != nil && ctx.Err() == nil {
			w.fail(fmt.Errorf("deciding %s: %w", id, err))
		}
	}
}

func countEvents(events []types.HistoryEvent, typ types.EventType) int {
	n := 0
	for _, e := range events {
		if e.EventType == typ {
			n++
		}
	}
	return n
}

// worker completes charge and pack, fails refund, never answers slow, and
// hands the token of the big pack to the test, which heartbeats it.
func (w *consoleWorld) worker(ctx context.Context) {
	for ctx.Err() == nil {
		task, err := w.c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String(consoleDomain),
			TaskList: &types.TaskList{Name: aws.String("workers")}, Identity: aws.String("worker-7@host-a")})
		if err != nil || task.TaskToken == nil {
			continue
		}
		switch id := aws.ToString(task.ActivityId); {
		case id == "pack-big":
			if _, err := w.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: task.TaskToken, Details: aws.String(`{"packed": 100, "of": 1000}`)}); err != nil {
				w.fail(err)
			}
			w.beat <- task.TaskToken
		case id == "slow-1":
			// never answered: it times out
		case strings.HasPrefix(id, "refund"):
			if _, err := w.c.RespondActivityTaskFailed(ctx, &swf.RespondActivityTaskFailedInput{TaskToken: task.TaskToken,
				Reason: aws.String("card declined"), Details: aws.String(`{"error": "declined", "retry": false}`)}); err != nil {
				w.fail(err)
			}
		default:
			if _, err := w.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: task.TaskToken,
				Result: aws.String(`{"ok": true, "activity": "` + id + `"}`)}); err != nil {
				w.fail(err)
			}
		}
	}
}

// seedBulk starts n executions in the domain "bulk", of a type nobody
// decides, for paging. It calls the service in process, on the store the
// server will then open: 2,500 starts through the SDK and HTTP cost a
// minute under the race detector, and they test nothing the console needs.
func seedBulk(t *testing.T, spec string, n int) {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	st, err := dsn.Open(ctx, spec, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := service.New(ctx, service.Config{Region: "us-east-1", AccountID: "123456789012"}, st, clock.Real{}, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RegisterDomain(ctx, &swfapi.RegisterDomainInput{Name: aws.String("bulk"), WorkflowExecutionRetentionPeriodInDays: aws.String("7")}); err != nil {
		t.Fatal(err)
	}
	if err := svc.RegisterWorkflowType(ctx, &swfapi.RegisterWorkflowTypeInput{Domain: aws.String("bulk"), Name: aws.String("bulk"), Version: aws.String("1"),
		DefaultTaskList: &swfapi.TaskList{Name: aws.String("bulk-deciders")}, DefaultChildPolicy: swfapi.Ptr(swfapi.ChildPolicyTerminate),
		DefaultExecutionStartToCloseTimeout: aws.String("3600"), DefaultTaskStartToCloseTimeout: aws.String("60")}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	ids := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ids {
				_, err := svc.StartWorkflowExecution(ctx, &swfapi.StartWorkflowExecutionInput{Domain: aws.String("bulk"),
					WorkflowId: aws.String(fmt.Sprintf("bulk-%04d", i)), WorkflowType: &swfapi.WorkflowType{Name: aws.String("bulk"), Version: aws.String("1")},
					TagList: []string{"bulk"}})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := range n {
		ids <- i
	}
	close(ids)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// waitClosed waits until the run closes with the given status.
func waitClosed(t *testing.T, c *swf.Client, id, runID string, status types.CloseStatus) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := c.DescribeWorkflowExecution(context.Background(), &swf.DescribeWorkflowExecutionInput{Domain: aws.String(consoleDomain),
			Execution: &types.WorkflowExecution{WorkflowId: aws.String(id), RunId: aws.String(runID)}})
		if err != nil {
			t.Fatal(err)
		}
		if out.ExecutionInfo.ExecutionStatus == types.ExecutionStatusClosed {
			if out.ExecutionInfo.CloseStatus != status {
				t.Fatalf("%s closed %s, want %s", id, out.ExecutionInfo.CloseStatus, status)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is still open", id)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenshots is where the test saves its screenshots: $OPENSWF_SCREENSHOTS
// (relative to the repository root), or a temporary directory.
func screenshots(t *testing.T) string {
	dir := os.Getenv("OPENSWF_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", "..", dir) // tests run in cmd/openswf
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func shoot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// step runs browser steps, failing the test with what was being done.
func step(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	stepCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(stepCtx, steps...); err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText.slice(0, 3000)`))
		t.Fatalf("%s: %v\n%s", what, err, page)
	}
}

// waitLocation waits until the page's URL contains part: a form's submit
// has navigated.
func waitLocation(part string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		for {
			// While the page navigates, the target may not answer: ask
			// again.
			loc, err := chromedp.Location()(ctx, tg)
			if err == nil && strings.Contains(loc, part) {
				return chromedp.Void{}, nil
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// bars returns the timeline's bars as "kind/id/outcome".
func bars(t *testing.T, ctx context.Context) []string {
	return eval[[]string](t, ctx, `Array.from(document.querySelectorAll('#timeline g.bar')).map(g => g.dataset.kind + '/' + g.dataset.id + '/' + g.dataset.outcome)`)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestConsoleBrowser: the console, in a real browser, over a server running
// real workflows.
func TestConsoleBrowser(t *testing.T) {
	ctx := browser(t)
	began := time.Now()
	cfg := defaultConfig()
	cfg.LogLevel = "warn"
	spec := "sqlite:" + filepath.Join(t.TempDir(), "openswf.db")
	seedBulk(t, spec, bulkCount)
	t.Logf("%d executions seeded in %v", bulkCount, time.Since(began).Round(time.Millisecond))
	s := startServeOn(t, cfg, spec)
	c := s.client("AKIDCONSOLETEST0001", "secret", "", true)
	w := newConsoleWorld(t, c)
	dir := screenshots(t)
	base := s.url + "/console/"

	w.start(t, "order-completed-1001", `{"order": 1001, "lines": [{"sku": "A-1", "qty": 2}]}`, "", "web", "priority")
	w.start(t, "order-failed-1002", `{"order": 1002}`, "", "web")
	w.start(t, "order-timedout-1003", `{"order": 1003}`, "3", "batch")
	w.start(t, "order-heartbeat-1004", `{"order": 1004}`, "", "warehouse")
	w.start(t, "order-parent-1005", `{"order": 1005}`, "", "web")
	w.start(t, "order-continue-1006", `{"round": 1}`, "", "batch")

	var token *string
	select {
	case token = <-w.beat:
	case err := <-w.failures:
		t.Fatal(err)
	case <-time.After(20 * time.Second):
		t.Fatal("the heartbeating activity did not start")
	}
	waitClosed(t, c, "order-completed-1001", w.runID("order-completed-1001"), types.CloseStatusCompleted)
	waitClosed(t, c, "order-failed-1002", w.runID("order-failed-1002"), types.CloseStatusFailed)
	waitClosed(t, c, "order-parent-1005", w.runID("order-parent-1005"), types.CloseStatusCompleted)
	waitClosed(t, c, "order-timedout-1003", w.runID("order-timedout-1003"), types.CloseStatusTimedOut)

	// Domains, then the domain with its types and their defaults.
	step(t, ctx, "domains page", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS(`#domains a[href$="/shop/"]`)))
	shoot(t, ctx, dir, "domains")
	step(t, ctx, "domain page", chromedp.Click(chromedp.CSS(`#domains a[href$="/shop/"]`)), chromedp.WaitVisible(chromedp.ID("activity-types")))
	if d := eval[string](t, ctx, `document.querySelector('#activity-types').innerText`); !strings.Contains(d, "schedule-to-close 900") || !strings.Contains(d, "workers") {
		t.Errorf("activity types without their defaults:\n%s", d)
	}
	shoot(t, ctx, dir, "domain")

	// Find the completed execution by its workflowId, among the closed.
	find := func(id string) {
		t.Helper()
		step(t, ctx, "executions page "+id, chromedp.Navigate(base+"domains/shop/executions?status=closed"), chromedp.WaitVisible(chromedp.ID("f-workflowId")),
			chromedp.SetValue(chromedp.ID("f-workflowId"), id), chromedp.Click(chromedp.ID("f-apply")),
			waitLocation("workflowId="+id), chromedp.WaitVisible(chromedp.CSS(`#executions a.wid[href*="/`+id+`/"]`)))
		if n := eval[string](t, ctx, `document.querySelector('#count').textContent`); n != "1" {
			t.Errorf("count for %s: %q", id, n)
		}
		step(t, ctx, "open "+id, chromedp.Click(chromedp.CSS(`#executions a.wid`)), chromedp.WaitVisible(chromedp.ID("history")))
	}
	find("order-completed-1001")
	// Unfold a few events' attributes, as a reader would.
	eval[bool](t, ctx, `document.querySelectorAll('#history tr.ev-ActivityTaskScheduled details, #history tr.ev-ActivityTaskCompleted details').forEach(d => d.open = true); true`)
	shoot(t, ctx, dir, "execution")
	got := bars(t, ctx)
	for _, want := range []string{"activity/charge-1/completed", "activity/pack-1/completed", "decision/2/completed"} {
		if !contains(got, want) {
			t.Errorf("completed run's timeline %v lacks %s", got, want)
		}
	}
	if title := eval[string](t, ctx, `document.querySelector('#timeline g.bar[data-id="charge-1"] title').textContent`); !strings.Contains(title, "ActivityTaskScheduled") ||
		!strings.Contains(title, "ActivityTaskCompleted") || !strings.Contains(title, time.Now().UTC().Format("2006-01-02")) {
		t.Errorf("hover text of charge-1: %q", title)
	}
	// Payloads that are JSON are pretty-printed.
	if pre := eval[string](t, ctx, `Array.from(document.querySelectorAll('#history tr.ev-WorkflowExecutionStarted pre')).map(p => p.textContent).join('|')`); !strings.Contains(pre, "\"order\": 1001,\n") {
		t.Errorf("the start's input is not pretty-printed: %q", pre)
	}

	find("order-failed-1002")
	if got := bars(t, ctx); !contains(got, "activity/refund-1/failed") {
		t.Errorf("failed run's timeline: %v", got)
	}
	if st := eval[string](t, ctx, `document.querySelector('#exec-status').textContent`); st != "FAILED" {
		t.Errorf("failed run's status: %q", st)
	}
	find("order-timedout-1003")
	if got := bars(t, ctx); !contains(got, "activity/slow-1/timedout") {
		t.Errorf("timed-out run's timeline: %v", got)
	}
	if st := eval[string](t, ctx, `document.querySelector('#exec-status').textContent`); st != "TIMED_OUT" {
		t.Errorf("timed-out run's status: %q", st)
	}
	find("order-parent-1005")
	if got := bars(t, ctx); !contains(got, "child/order-child-1/completed") || !contains(got, "timer/wait-1/fired") {
		t.Errorf("parent's timeline: %v", got)
	}
	step(t, ctx, "child link", chromedp.Click(chromedp.CSS(`#children a.child`)), chromedp.WaitVisible(chromedp.ID("parent")))
	if got := bars(t, ctx); !contains(got, "timer/settle/fired") {
		t.Errorf("child's timeline: %v", got)
	}

	// The continue-as-new chain, linked both ways.
	waitClosed(t, c, "order-continue-1006", w.runID("order-continue-1006"), types.CloseStatusContinuedAsNew)
	step(t, ctx, "first run", chromedp.Navigate(base+"domains/shop/executions/order-continue-1006/"+url.PathEscape(w.runID("order-continue-1006"))),
		chromedp.WaitVisible(chromedp.ID("next-run")), chromedp.Click(chromedp.ID("next-run")), chromedp.WaitVisible(chromedp.ID("previous-run")))
	for deadline := time.Now().Add(10 * time.Second); ; {
		st := eval[string](t, ctx, `document.querySelector('#exec-status').textContent`)
		if st == "COMPLETED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the second run of the chain: %q", st)
		}
		time.Sleep(100 * time.Millisecond)
		step(t, ctx, "second run", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("previous-run")))
	}

	// The open activity: last heartbeat, its details, and the time left
	// before each timeout, which a new heartbeat moves.
	hbURL := base + "domains/shop/executions/order-heartbeat-1004/" + url.PathEscape(w.runID("order-heartbeat-1004"))
	row := `#open-activities tr[data-activity-id="pack-big"]`
	read := func() (details, at, deadline string) {
		step(t, ctx, "heartbeat page", chromedp.Navigate(hbURL), chromedp.WaitVisible(chromedp.CSS(row)))
		details = eval[string](t, ctx, `document.querySelector('`+row+` .heartbeat-details').textContent`)
		at = eval[string](t, ctx, `document.querySelector('`+row+` .heartbeat-at').textContent`)
		deadline = eval[string](t, ctx, `document.querySelector('`+row+` .deadline[data-timeout="heartbeat"] .left').dataset.deadline`)
		timeouts := eval[string](t, ctx, `Array.from(document.querySelectorAll('`+row+` .deadline')).map(d => d.dataset.timeout).join(',')`)
		if timeouts != "heartbeat,start-to-close,schedule-to-close" {
			t.Errorf("timeouts shown: %q", timeouts)
		}
		return
	}
	details1, at1, deadline1 := read()
	if !strings.Contains(details1, `"packed": 100`) {
		t.Errorf("heartbeat details: %q", details1)
	}
	shoot(t, ctx, dir, "open-activities")
	time.Sleep(1100 * time.Millisecond) // heartbeat times have millisecond precision; make the move plain
	if _, err := c.RecordActivityTaskHeartbeat(context.Background(), &swf.RecordActivityTaskHeartbeatInput{TaskToken: token, Details: aws.String(`{"packed": 500, "of": 1000}`)}); err != nil {
		t.Fatal(err)
	}
	details2, at2, deadline2 := read()
	if !strings.Contains(details2, `"packed": 500`) || at2 == at1 || deadline2 <= deadline1 {
		t.Errorf("after a heartbeat: details %q (was %q), at %q (was %q), heartbeat deadline %s (was %s)", details2, details1, at2, at1, deadline2, deadline1)
	}

	// Terminate, with its confirmation.
	step(t, ctx, "terminate", chromedp.SetValue(chromedp.ID("terminate-reason"), "stuck in the warehouse"), chromedp.Click(chromedp.ID("terminate")),
		chromedp.WaitVisible(chromedp.ID("confirm")))
	shoot(t, ctx, dir, "confirm-terminate")
	step(t, ctx, "confirm terminate", chromedp.Click(chromedp.ID("confirm-yes")), chromedp.WaitVisible(chromedp.ID("done")))
	if st := eval[string](t, ctx, `document.querySelector('#exec-status').textContent`); st != "TERMINATED" {
		t.Errorf("after terminate, status %q", st)
	}
	waitClosed(t, c, "order-heartbeat-1004", w.runID("order-heartbeat-1004"), types.CloseStatusTerminated)

	// Task lists: counts, oldest pending task, pollers seen.
	step(t, ctx, "task lists", chromedp.Navigate(base+"domains/shop/tasklists"), chromedp.WaitVisible(chromedp.ID("tasklists")))
	shoot(t, ctx, dir, "tasklists")
	if txt := eval[string](t, ctx, `document.querySelector('#tasklists tr[data-kind="activity"][data-name="workers"]').innerText`); !strings.Contains(txt, "worker-7@host-a") {
		t.Errorf("workers task list row: %q", txt)
	}
	step(t, ctx, "bulk task lists", chromedp.Navigate(base+"domains/bulk/tasklists"), chromedp.WaitVisible(chromedp.ID("tasklists")))
	shoot(t, ctx, dir, "tasklists-backlog")
	if txt := eval[string](t, ctx, `document.querySelector('#tasklists tr[data-kind="decision"][data-name="bulk-deciders"]').innerText`); !strings.Contains(txt, "2,500") || !strings.Contains(txt, "ago") {
		t.Errorf("bulk-deciders task list row: %q", txt)
	}

	// Paging through the 2,500 open bulk executions, 100 a page.
	step(t, ctx, "closed list", chromedp.Navigate(base+"domains/shop/executions?status=closed"), chromedp.WaitVisible(chromedp.ID("executions")))
	shoot(t, ctx, dir, "executions")
	step(t, ctx, "bulk list", chromedp.Navigate(base+"domains/bulk/executions?status=open&type=bulk&size=100"), chromedp.WaitVisible(chromedp.ID("executions")))
	if n := eval[string](t, ctx, `document.querySelector('#count').textContent`); n != "2,500" {
		t.Errorf("bulk count %q", n)
	}
	seen := map[string]bool{}
	pageStart := time.Now()
	pages := 0
	for {
		pages++
		for _, id := range eval[[]string](t, ctx, `Array.from(document.querySelectorAll('#executions a.wid')).map(a => a.textContent)`) {
			if seen[id] {
				t.Fatalf("page %d repeats %s", pages, id)
			}
			seen[id] = true
		}
		next := eval[string](t, ctx, `(document.querySelector('#next-page') || {}).href || ''`)
		if next == "" {
			break
		}
		if pages > bulkCount/100+1 {
			t.Fatal("paging does not end")
		}
		// Following the link's address (rather than clicking it) waits for
		// the next page to load before reading it.
		step(t, ctx, "next page", chromedp.Navigate(next), chromedp.WaitVisible(chromedp.ID("executions")))
	}
	if len(seen) != bulkCount {
		t.Errorf("paged through %d executions in %d pages, want %d", len(seen), pages, bulkCount)
	}
	t.Logf("paged through %d executions in %d pages in %v", len(seen), pages, time.Since(pageStart).Round(time.Millisecond))

	select {
	case err := <-w.failures:
		t.Error(err)
	default:
	}
	t.Logf("console browser test took %v", time.Since(began).Round(time.Millisecond))
}

// TestConsoleLogin: under --auth sigv4 the console asks for an access key
// and its secret, shows only what the key's policies allow, and refuses
// forms without the session's CSRF token.
func TestConsoleLogin(t *testing.T) {
	cfg := sigv4Config(t, testPrincipals())
	s := startServe(t, cfg)
	setUpDomain(t, s.client(adminKey, adminSecret, "", true), "alpha")
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	get := func(path string) (int, string, string) {
		t.Helper()
		resp, err := hc.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Request.URL.Path, string(b)
	}
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		resp, err := hc.PostForm(s.url+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if code, at, _ := get("/console/domains/alpha/executions"); code != 200 || at != "/console/login" {
		t.Fatalf("without a session: %d at %s, want the login page", code, at)
	}
	if code, body := post("/console/login", url.Values{"accessKeyId": {adminKey}, "secretAccessKey": {"wrong"}}); code != http.StatusUnauthorized || !strings.Contains(body, "wrong secret") {
		t.Fatalf("wrong secret: %d", code)
	}
	// The worker may not list domains: its session shows the API's refusal.
	if code, body := post("/console/login", url.Values{"accessKeyId": {workerKey}, "secretAccessKey": {workerSecret}}); code != http.StatusForbidden || !strings.Contains(body, "OperationNotPermittedFault") {
		t.Fatalf("worker's login, to the domains page: %d\n%s", code, body)
	}
	if code, _, body := get("/console/"); code != http.StatusForbidden || !strings.Contains(body, "OperationNotPermittedFault") {
		t.Fatalf("worker's domains page: %d\n%s", code, body)
	}
	// The admin sees the domain's executions and may act, with the token.
	if code, _ := post("/console/login", url.Values{"accessKeyId": {adminKey}, "secretAccessKey": {adminSecret}}); code != 200 {
		t.Fatalf("admin login: %d", code)
	}
	code, _, body := get("/console/domains/alpha/executions")
	if code != 200 || !strings.Contains(body, `>wf</a>`) {
		t.Fatalf("admin's executions page: %d", code)
	}
	if code, _, body := get("/console/domains/alpha/executions/nope/no-such-run"); code != http.StatusNotFound || !strings.Contains(body, "UnknownResourceFault") {
		t.Fatalf("an unknown execution: %d", code)
	}
	i := strings.Index(body, `href="/console/domains/alpha/executions/wf/`)
	execPath := html.UnescapeString(body[i+6 : i+6+strings.IndexByte(body[i+6:], '"')])
	_, _, page := get(execPath)
	j := strings.Index(page, `name="csrf" value="`)
	if j < 0 {
		t.Fatal("no CSRF token on the execution page")
	}
	csrf := page[j+19 : j+19+strings.IndexByte(page[j+19:], '"')]
	if code, _ := post(execPath+"/terminate", url.Values{"confirm": {"yes"}, "csrf": {"forged"}}); code != http.StatusForbidden {
		t.Fatalf("terminate with a forged token: %d", code)
	}
	// Even with the token, a form posted from another site is refused.
	req, _ := http.NewRequest(http.MethodPost, s.url+execPath+"/terminate", strings.NewReader(url.Values{"confirm": {"yes"}, "csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("terminate from another origin: %d", resp.StatusCode)
	}
	if code, body := post(execPath+"/terminate", url.Values{"confirm": {"yes"}, "csrf": {csrf}, "reason": {"from the console"}}); code != 200 || !strings.Contains(body, "TERMINATED") {
		t.Fatalf("terminate: %d", code)
	}
	// Start it again, with the same input: the new run's page, open.
	// Without confirm=yes the action only asks.
	if code, body := post(execPath+"/restart", url.Values{"csrf": {csrf}}); code != 200 || !strings.Contains(body, `id="confirm"`) {
		t.Fatalf("restart without confirmation: %d", code)
	}
	code, body = post(execPath+"/restart", url.Values{"confirm": {"yes"}, "csrf": {csrf}, "workflowId": {"wf"}})
	if code != 200 || !strings.Contains(body, "Done: started") || !strings.Contains(body, `id="exec-status">OPEN<`) {
		t.Fatalf("restart: %d\n%s", code, body)
	}
	// Signal and cancel the new run.
	k := strings.Index(body, `action="/console/domains/alpha/executions/wf/`)
	newRun := html.UnescapeString(body[k+8 : k+8+strings.Index(body[k+8:], `/signal"`)])
	if newRun == execPath {
		t.Fatal("the restart did not start a new run")
	}
	if code, body := post(newRun+"/signal", url.Values{"confirm": {"yes"}, "csrf": {csrf}, "signalName": {"wake"}, "input": {`{"now": true}`}}); code != 200 || !strings.Contains(body, "WorkflowExecutionSignaled") {
		t.Fatalf("signal: %d", code)
	}
	if code, body := post(newRun+"/cancel", url.Values{"confirm": {"yes"}, "csrf": {csrf}}); code != 200 || !strings.Contains(body, "WorkflowExecutionCancelRequested") {
		t.Fatalf("cancel: %d", code)
	}
	// A reload that drops the key ends its sessions.
	if err := os.WriteFile(cfg.Principals, []byte(`{"principals": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s.reload <- os.Interrupt
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, at, _ := get("/console/"); at == "/console/login" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the session outlived its key")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
