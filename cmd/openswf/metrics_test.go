package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/openswf/openswf/internal/store/pgtest"
)

// scrape reads /metrics of the server, parsed.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// sample is the value of the series of family name whose labels include
// labels (name=value pairs): a counter's or gauge's value, a histogram's
// count. found is false when there is no such series.
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) (v float64, found bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			ok := false
			for _, l := range m.Label {
				if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
					ok = true
				}
			}
			if !ok {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	v, _ := sample(fams, name, labels...)
	return v
}

// TestMetrics runs a workflow (a timer, an activity with heartbeats) with
// aws-sdk-go-v2 and finds every family of the issue in /metrics, with the
// counters moved by what the workflow did; the backlog's age grows while
// nobody polls and the backlog goes after a poll.
func TestMetrics(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testMetrics(t, false) })
	t.Run("postgres", func(t *testing.T) { testMetrics(t, true) })
}

func testMetrics(t *testing.T, postgres bool) {
	cfg := sigv4Config(t, testPrincipals())
	cfg.ThrottleSettings = writeFile(t, `{"apis": {"DescribeDomain": {"burst": 1, "rate": 0.001}}}`)
	var s *liveServer
	if postgres {
		pg := pgtest.New()
		t.Cleanup(func() { pg.Close() })
		s = &liveServer{url: serveOn(t, cfg, migrated(t, pg))}
	} else {
		s = startServe(t, cfg)
	}
	ctx := context.Background()
	admin := s.client(adminKey, adminSecret, "", false)
	worker := s.client(workerKey, workerSecret, "", false)
	before := scrape(t, s.url)

	const domain = "metered"
	setUpDomain(t, admin, domain) // starts "wf": a decision task waits
	// Nobody polls: the decision task's age grows between two scrapes.
	waitFor(t, "a decision backlog", func() bool {
		return value(scrape(t, s.url), "openswf_task_backlog", "domain", domain, "kind", "decision", "task_list", "deciders") == 1
	})
	mid := scrape(t, s.url)
	age1 := value(mid, "openswf_task_backlog_oldest_age_seconds", "domain", domain, "kind", "decision", "task_list", "deciders")
	if got := value(mid, "openswf_open_executions", "domain", domain); got != 1 {
		t.Errorf("open executions = %v, want 1", got)
	}
	time.Sleep(1100 * time.Millisecond)
	age2 := value(scrape(t, s.url), "openswf_task_backlog_oldest_age_seconds", "domain", domain, "kind", "decision", "task_list", "deciders")
	if age2 < age1+1 {
		t.Errorf("backlog age went from %v to %v over more than a second unpolled", age1, age2)
	}

	// A poll takes the task: the task list's backlog goes.
	task, err := admin.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String(domain), TaskList: &types.TaskList{Name: aws.String("deciders")}})
	if err != nil || task.TaskToken == nil {
		t.Fatalf("decision poll: %v", err)
	}
	if _, found := sample(scrape(t, s.url), "openswf_task_backlog", "domain", domain, "kind", "decision"); found {
		t.Error("the decision backlog is still reported after its task was polled")
	}
	timer := types.Decision{DecisionType: types.DecisionTypeStartTimer, StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{
		TimerId: aws.String("t1"), StartToFireTimeout: aws.String("1")}}
	if _, err := admin.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken,
		Decisions: []types.Decision{timer, scheduleDecision("a1", "work")}}); err != nil {
		t.Fatal(err)
	}

	// A poll that waits shows in polls_waiting.
	pollCtx, stopPoll := context.WithCancel(ctx)
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		admin.PollForDecisionTask(pollCtx, &swf.PollForDecisionTaskInput{Domain: aws.String(domain), TaskList: &types.TaskList{Name: aws.String("nobody")}})
	}()
	waitFor(t, "a waiting poll", func() bool { return value(scrape(t, s.url), "openswf_polls_waiting", "kind", "decision") == 1 })
	stopPoll()
	<-polled

	// The worker runs the activity, with two heartbeats.
	at, err := worker.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String(domain), TaskList: &types.TaskList{Name: aws.String("workers")}})
	if err != nil || at.TaskToken == nil {
		t.Fatalf("activity poll: %v", err)
	}
	for range 2 {
		if _, err := worker.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: at.TaskToken}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := worker.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: at.TaskToken}); err != nil {
		t.Fatal(err)
	}
	// The decider waits for both the timer and the activity, then closes.
	for done := false; !done; {
		task, err := admin.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String(domain), TaskList: &types.TaskList{Name: aws.String("deciders")}})
		if err != nil || task.TaskToken == nil {
			t.Fatalf("decision poll: %v", err)
		}
		var fired, completed bool
		for _, e := range task.Events {
			fired = fired || e.EventType == types.EventTypeTimerFired
			completed = completed || e.EventType == types.EventTypeActivityTaskCompleted
		}
		var ds []types.Decision
		if done = fired && completed; done {
			ds = []types.Decision{{DecisionType: types.DecisionTypeCompleteWorkflowExecution,
				CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{}}}
		}
		if _, err := admin.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: ds}); err != nil {
			t.Fatal(err)
		}
	}

	// Continue-as-new, a child, a task timed out, a termination: each run
	// started (successor and child included) and closed is counted.
	if _, err := admin.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(domain), WorkflowId: aws.String("wf-can"),
		WorkflowType: &types.WorkflowType{Name: aws.String("flow"), Version: aws.String("1")}}); err != nil {
		t.Fatal(err)
	}
	respondDecisions(t, admin, domain, types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution,
		ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{}})
	unpolled := scheduleDecision("a2", "work")
	unpolled.ScheduleActivityTaskDecisionAttributes.ScheduleToStartTimeout = aws.String("1")
	unpolled.ScheduleActivityTaskDecisionAttributes.TaskList = &types.TaskList{Name: aws.String("nobody-works-here")}
	respondDecisions(t, admin, domain, unpolled, types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution,
		StartChildWorkflowExecutionDecisionAttributes: &types.StartChildWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String("child"), WorkflowType: &types.WorkflowType{Name: aws.String("flow"), Version: aws.String("1")}}})
	waitFor(t, "the child's start and the activity's timeout", func() bool {
		f := scrape(t, s.url)
		return value(f, "openswf_executions_started_total", "domain", domain)-value(before, "openswf_executions_started_total", "domain", domain) == 4 &&
			value(f, "openswf_tasks_timed_out_total", "domain", domain, "kind", "activity") == 1
	})
	if _, err := admin.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(domain), WorkflowId: aws.String("wf-can"),
		ChildPolicy: types.ChildPolicyTerminate}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the parent and its child terminated", func() bool {
		return value(scrape(t, s.url), "openswf_executions_closed_total", "domain", domain, "close_status", "TERMINATED") == 2
	})

	// Refusals: a denied call, a throttled one, a signature refused.
	if _, err := worker.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered}); errorCode(err) != "OperationNotPermittedFault" {
		t.Fatalf("worker's ListDomains: %v", err)
	}
	for range 2 {
		admin.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(domain)})
	}
	stranger := s.client("AKIDNOBODYKNOWS0001", "secret", "", false)
	if _, err := stranger.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(domain)}); errorCode(err) != "UnrecognizedClientException" {
		t.Fatalf("unknown key: %v", err)
	}

	after := scrape(t, s.url)
	delta := func(name string, labels ...string) float64 {
		return value(after, name, labels...) - value(before, name, labels...)
	}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"openswf_requests_total", []string{"operation", "StartWorkflowExecution", "outcome", "ok"}, 2},
		{"openswf_requests_total", []string{"operation", "RecordActivityTaskHeartbeat", "outcome", "ok"}, 2},
		{"openswf_requests_total", []string{"operation", "RespondActivityTaskCompleted", "outcome", "ok"}, 1},
		{"openswf_requests_total", []string{"operation", "ListDomains", "outcome", "OperationNotPermittedFault"}, 1},
		{"openswf_requests_total", []string{"operation", "DescribeDomain", "outcome", "ThrottlingException"}, 1},
		{"openswf_request_duration_seconds", []string{"operation", "RecordActivityTaskHeartbeat"}, 2},
		{"openswf_requests_denied_total", []string{"operation", "ListDomains"}, 1},
		{"openswf_requests_throttled_total", []string{"operation", "DescribeDomain"}, 1},
		{"openswf_auth_failures_total", []string{"code", "UnrecognizedClientException"}, 1},
		{"openswf_activity_heartbeats_total", []string{"domain", domain}, 2},
		{"openswf_executions_started_total", []string{"domain", domain}, 4},
		{"openswf_executions_closed_total", []string{"domain", domain, "close_status", "COMPLETED"}, 1},
		{"openswf_executions_closed_total", []string{"domain", domain, "close_status", "CONTINUED_AS_NEW"}, 1},
		{"openswf_executions_closed_total", []string{"domain", domain, "close_status", "TERMINATED"}, 2},
		{"openswf_tasks_timed_out_total", []string{"domain", domain, "kind", "activity"}, 1},
		{"openswf_open_executions", []string{"domain", domain}, 0},
	} {
		if got := delta(c.name, c.labels...); got != c.want {
			t.Errorf("%s%v moved by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// The timer loop and the store: present, and moved. PostgreSQL's
	// fsyncs are its own.
	moved := []string{"openswf_timers_fired_total", "openswf_timer_lateness_seconds",
		"openswf_store_commit_duration_seconds", "openswf_store_batch_writes"}
	if !postgres {
		moved = append(moved, "openswf_store_fsync_duration_seconds")
	}
	for _, name := range moved {
		if got := delta(name); got < 1 {
			t.Errorf("%s moved by %v, want at least 1", name, got)
		}
	}
	for _, name := range []string{"openswf_timers_due", "openswf_polls_waiting", "openswf_metrics_store_errors",
		"go_goroutines", "process_cpu_seconds_total"} {
		if _, found := sample(after, name); !found {
			t.Errorf("no %s", name)
		}
	}
	if got := value(after, "openswf_polls_waiting", "kind", "decision"); got != 0 {
		t.Errorf("polls waiting = %v after every poll ended", got)
	}
	// Every family's name is openswf's, Go's or the process's: nothing
	// leaked in from a global registry.
	for name := range after {
		if !strings.HasPrefix(name, "openswf_") && !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") {
			t.Errorf("unexpected family %s", name)
		}
	}
}

// TestMetricsOff: --metrics off serves no /metrics: under --auth sigv4
// the path is then the API's, refused unsigned; health still answers
// unsigned.
func TestMetricsOff(t *testing.T) {
	cfg := sigv4Config(t, testPrincipals())
	cfg.Metrics = "off"
	s := startServe(t, cfg)
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "openswf_requests_total") || !strings.HasSuffix(resp.Header.Get("x-amzn-ErrorType"), "#MissingAuthenticationTokenException") {
		t.Errorf("/metrics with --metrics off: %s %s %.200s", resp.Status, resp.Header.Get("x-amzn-ErrorType"), body)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := getHealth(t, s.url+path); code != http.StatusOK {
			t.Errorf("%s: %d %v", path, code, body)
		}
	}
}

// TestRequestLog: at debug level, one JSON line per request names its
// request id, operation, principal, status and error code; execution
// starts are logged at info level.
func TestRequestLog(t *testing.T) {
	cfg := sigv4Config(t, testPrincipals())
	cfg.LogLevel = "debug"
	cfg.LogFormat = "json"
	s := startServe(t, cfg)
	admin := s.client(adminKey, adminSecret, "", false)
	setUpDomain(t, admin, "logged")
	if _, err := admin.DescribeDomain(context.Background(), &swf.DescribeDomainInput{Name: aws.String("nowhere")}); errorCode(err) != "UnknownResourceFault" {
		t.Fatalf("DescribeDomain: %v", err)
	}
	stranger := s.client("AKIDNOBODYKNOWS0001", "secret", "", false)
	if _, err := stranger.ListDomains(context.Background(), &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered}); errorCode(err) != "UnrecognizedClientException" {
		t.Fatalf("unknown key: %v", err)
	}
	var sawRequest, sawFault, sawStart, sawRefused bool
	for _, line := range strings.Split(s.log.String(), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		switch rec["msg"] {
		case "request":
			if rec["operation"] == "StartWorkflowExecution" && rec["principal"] == "admin" && rec["status"] == float64(200) && rec["request_id"] != "" {
				sawRequest = true
			}
			if rec["operation"] == "DescribeDomain" && rec["error"] == "UnknownResourceFault" && rec["status"] == float64(400) {
				sawFault = true
			}
			if rec["operation"] == "ListDomains" && rec["error"] == "UnrecognizedClientException" && rec["principal"] == "" {
				sawRefused = true
			}
		case "execution started":
			sawStart = rec["level"] == "INFO" && rec["domain"] == "logged" && rec["workflow_id"] == "wf"
		}
	}
	if !sawRequest || !sawFault || !sawStart || !sawRefused {
		t.Errorf("request line %v, fault line %v, start line %v, refused line %v in:\n%s", sawRequest, sawFault, sawStart, sawRefused, s.log)
	}
}

// TestReadyzPostgres: /readyz fails while PostgreSQL is stopped and
// recovers with it; /healthz answers throughout.
func TestReadyzPostgres(t *testing.T) {
	pg := pgtest.New()
	t.Cleanup(func() { pg.Close() })
	cfg := defaultConfig()
	cfg.LogLevel = "error"
	url := serveOn(t, cfg, migrated(t, pg))

	if code, body := getHealth(t, url+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz with PostgreSQL up: %d %s", code, body)
	}
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	code, body := getHealth(t, url+"/readyz")
	if code != http.StatusServiceUnavailable || body["check"] != "store" {
		t.Errorf("/readyz with PostgreSQL stopped: %d %v", code, body)
	}
	if code, _ := getHealth(t, url+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz with PostgreSQL stopped: %d", code)
	}
	startCtx, stopStart := context.WithTimeout(context.Background(), time.Minute)
	defer stopStart()
	if err := pg.Start(startCtx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "/readyz to recover", func() bool {
		code, _ := getHealth(t, url+"/readyz")
		return code == http.StatusOK
	})
}

// migrated is a fresh database of pg with openswf's schema: a PostgreSQL
// store is migrated apart from serving it.
func migrated(t *testing.T, pg *pgtest.Server) string {
	t.Helper()
	url := pg.Database(t)
	if err := run([]string{"migrate", "--store", url}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	return url
}

// serveOn runs serve with cfg on a free loopback port over the store at
// storeURL until the test ends, and returns the server's URL. Called
// after the store's own cleanup is registered, so that the server stops
// first.
func serveOn(t *testing.T, cfg config, storeURL string) string {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	cfg.Store = storeURL
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	log := &syncBuffer{}
	go func() { done <- serve(ctx, cfg, log, make(chan os.Signal), func(u string) { urls <- u }) }()
	select {
	case url := <-urls:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
		return url
	case err := <-done:
		cancel()
		t.Fatalf("serve: %v\n%s", err, log)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("the server did not start")
	}
	return ""
}

// getHealth GETs a health endpoint: its status and JSON body.
func getHealth(t *testing.T, url string) (int, map[string]string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return resp.StatusCode, body
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal(fmt.Sprintf("timed out waiting for %s", what))
}

// TestMetricsListen: with --metrics-listen, /metrics is served on that
// address only; on the API's address, under SigV4, it is then an unsigned
// request like any other, refused.
func TestMetricsListen(t *testing.T) {
	cfg := sigv4Config(t, testPrincipals())
	cfg.MetricsListen = freeAddr(t)
	s := startServe(t, cfg)
	resp, err := http.Get("http://" + cfg.MetricsListen + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "openswf_requests_total") {
		t.Errorf("/metrics on --metrics-listen: %s %.200s", resp.Status, body)
	}
	if resp, err = http.Get(s.url + "/metrics"); err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "openswf_requests_total") || !strings.HasSuffix(resp.Header.Get("x-amzn-ErrorType"), "#MissingAuthenticationTokenException") {
		t.Errorf("/metrics on the API's address with --metrics-listen: %s %s %.200s", resp.Status, resp.Header.Get("x-amzn-ErrorType"), body)
	}
}
