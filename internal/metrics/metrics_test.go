package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// gather returns the registry's families by name.
func gather(t testing.TB, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		out[f.GetName()] = f
	}
	return out
}

// get is the value (a histogram's count) of the series of name with
// exactly these labels; -1 when absent.
func get(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
	for _, m := range f.Metric {
		if len(m.Label)*2 != len(labels) {
			continue
		}
		match := true
		for i, l := range m.Label {
			if l.GetName() != labels[2*i] || l.GetValue() != labels[2*i+1] {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

func TestInterceptor(t *testing.T) {
	m := New(Options{})
	ic := m.Interceptor()
	call := func(op string, err error) {
		ic(context.Background(), op, nil, func(context.Context, string, any) (any, error) { return nil, err })
	}
	call("RecordActivityTaskHeartbeat", nil)
	call("RecordActivityTaskHeartbeat", nil)
	call("RecordActivityTaskHeartbeat", swfapi.NewFault(swfapi.CodeUnknownResource, "gone"))
	call("ListDomains", swfapi.NewFault(swfapi.CodeOperationNotPermitted, "no"))
	call("DescribeDomain", swfapi.NewFault(swfapi.CodeThrottling, "slow down"))
	call("DescribeDomain", fmt.Errorf("wrapped: %w", swfapi.NewFault(swfapi.CodeThrottling, "slow down")))
	call("DescribeDomain", errors.New("the disk is on fire"))
	call("DescribeDomain", swfapi.NewFault("SomethingNobodyForesaw", "?"))
	call("NotAnOperation", nil) // passed on, not counted

	f := gather(t, m)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"openswf_requests_total", []string{"operation", "RecordActivityTaskHeartbeat", "outcome", "ok"}, 2},
		{"openswf_requests_total", []string{"operation", "RecordActivityTaskHeartbeat", "outcome", "UnknownResourceFault"}, 1},
		{"openswf_requests_total", []string{"operation", "ListDomains", "outcome", "OperationNotPermittedFault"}, 1},
		{"openswf_requests_total", []string{"operation", "DescribeDomain", "outcome", "ThrottlingException"}, 2},
		{"openswf_requests_total", []string{"operation", "DescribeDomain", "outcome", "InternalFailure"}, 1},
		{"openswf_requests_total", []string{"operation", "DescribeDomain", "outcome", "other"}, 1},
		{"openswf_requests_total", []string{"operation", "NotAnOperation", "outcome", "ok"}, -1},
		{"openswf_request_duration_seconds", []string{"operation", "RecordActivityTaskHeartbeat"}, 3},
		{"openswf_requests_denied_total", []string{"operation", "ListDomains"}, 1},
		{"openswf_requests_throttled_total", []string{"operation", "DescribeDomain"}, 2},
	} {
		if got := get(f, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

func TestAuthFailures(t *testing.T) {
	m := New(Options{})
	answer := func(typ string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if typ != "" {
				w.Header().Set("x-amzn-ErrorType", typ)
				w.WriteHeader(http.StatusBadRequest)
			}
		})
	}
	for _, typ := range []string{
		"com.amazon.coral.service#InvalidSignatureException",
		"com.amazon.coral.service#InvalidSignatureException",
		"com.amazon.coral.service#UnrecognizedClientException",
		"com.amazonaws.swf.base.model#UnknownResourceFault", // the API's, not authentication's
		"",
	} {
		m.AuthFailures(answer(typ)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/", nil))
	}
	f := gather(t, m)
	if got := get(f, "openswf_auth_failures_total", "code", "InvalidSignatureException"); got != 2 {
		t.Errorf("InvalidSignatureException = %v, want 2", got)
	}
	if got := get(f, "openswf_auth_failures_total", "code", "UnrecognizedClientException"); got != 1 {
		t.Errorf("UnrecognizedClientException = %v, want 1", got)
	}
	if got := get(f, "openswf_auth_failures_total", "code", "UnknownResourceFault"); got != -1 {
		t.Errorf("an API fault counted as an authentication failure")
	}
}

// fakeStore answers the collector's questions from fields.
type fakeStore struct {
	domains  []store.Domain
	open     map[string]int
	backlogs []store.Backlog
	err      error
}

func (s *fakeStore) ListDomains(_ context.Context, q store.DomainQuery) ([]store.Domain, error) {
	var out []store.Domain
	for _, d := range s.domains {
		if d.Status == q.Status {
			out = append(out, d)
		}
	}
	return out, s.err
}

func (s *fakeStore) OpenCount(_ context.Context, domain string) (int, error) {
	return s.open[domain], s.err
}

func (s *fakeStore) Backlogs(_ context.Context, domain string) ([]store.Backlog, error) {
	return s.backlogs, s.err
}

func TestStoreCollector(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	now := clk.Now()
	st := &fakeStore{
		domains: []store.Domain{{Name: "a", Status: store.StatusRegistered}, {Name: "old", Status: store.StatusDeprecated}},
		open:    map[string]int{"a": 3, "old": 1},
		backlogs: []store.Backlog{
			{Kind: store.ActivityTask, Domain: "a", TaskList: "l1", Count: 4, Oldest: now.Add(-10 * time.Second)},
			{Kind: store.ActivityTask, Domain: "a", TaskList: "l2", Count: 2, Oldest: now.Add(-5 * time.Second)},
			{Kind: store.ActivityTask, Domain: "a", TaskList: "l3", Count: 1, Oldest: now.Add(-30 * time.Second)},
			{Kind: store.DecisionTask, Domain: "a", TaskList: "d", Count: 1, Oldest: now.Add(-time.Second)},
		},
	}
	m := New(Options{Store: st, Clock: clk, MaxTaskLists: 2})
	f := gather(t, m)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"openswf_open_executions", []string{"domain", "a"}, 3},
		{"openswf_open_executions", []string{"domain", "old"}, 1},
		{"openswf_task_backlog", []string{"domain", "a", "kind", "activity", "task_list", "l1"}, 4},
		{"openswf_task_backlog_oldest_age_seconds", []string{"domain", "a", "kind", "activity", "task_list", "l1"}, 10},
		{"openswf_task_backlog", []string{"domain", "a", "kind", "activity", "task_list", "l2"}, 2},
		// Past the cap: summed, with the oldest age.
		{"openswf_task_backlog", []string{"domain", "a", "kind", "activity", "task_list", "l3"}, -1},
		{"openswf_task_backlog", []string{"domain", "a", "kind", "activity", "task_list", "(other)"}, 1},
		{"openswf_task_backlog_oldest_age_seconds", []string{"domain", "a", "kind", "activity", "task_list", "(other)"}, 30},
		{"openswf_task_backlog", []string{"domain", "a", "kind", "decision", "task_list", "(other)"}, 1},
		{"openswf_metrics_store_errors", nil, 0},
	} {
		if got := get(f, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// Time passes, nobody polls: the age grows.
	clk.Advance(time.Minute)
	if got := get(gather(t, m), "openswf_task_backlog_oldest_age_seconds", "domain", "a", "kind", "activity", "task_list", "l1"); got != 70 {
		t.Errorf("age a minute later = %v, want 70", got)
	}
	// A failing store leaves its families out and says so.
	var logged []string
	st.err = errors.New("database unreachable")
	m = New(Options{Store: st, Clock: clk, Errorf: func(msg string, err error) { logged = append(logged, msg) }})
	f = gather(t, m)
	if got := get(f, "openswf_metrics_store_errors"); got != 2 || len(logged) != 2 {
		t.Errorf("store errors = %v (logged %v), want 2", got, logged)
	}
	if _, ok := f["openswf_task_backlog"]; ok {
		t.Error("backlogs reported from a failing store")
	}
}

// pinger answers Ping with err.
type pinger struct{ err error }

func (p *pinger) Ping(context.Context) error { return p.err }

func TestHealth(t *testing.T) {
	p := &pinger{}
	h := NewHealth(p, 0)
	mux := http.NewServeMux()
	for _, r := range h.Routes() {
		mux.Handle(r.Pattern, r.Handler)
	}
	get := func(path string) (int, healthBody) {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		var b healthBody
		if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
			t.Fatalf("%s: %v: %q", path, err, rec.Body)
		}
		return rec.Code, b
	}
	if code, b := get("/readyz"); code != 200 || b.Status != "ok" {
		t.Errorf("ready: %d %+v", code, b)
	}
	p.err = errors.New("connection refused")
	if code, b := get("/readyz"); code != 503 || b.Check != "store" || !strings.Contains(b.Error, "refused") {
		t.Errorf("store down: %d %+v", code, b)
	}
	p.err = fmt.Errorf("x: %w", store.ErrSchema)
	if code, b := get("/readyz"); code != 503 || b.Check != "schema" {
		t.Errorf("old schema: %d %+v", code, b)
	}
	p.err = nil
	h.ShuttingDown()
	if code, b := get("/readyz"); code != 503 || b.Check != "shutdown" {
		t.Errorf("shutting down: %d %+v", code, b)
	}
	if code, b := get("/healthz"); code != 200 || b.Status != "ok" {
		t.Errorf("healthz: %d %+v", code, b)
	}
}

// TestDashboard: every metric the Grafana dashboard queries is one this
// registry exposes.
func TestDashboard(t *testing.T) {
	data, err := os.ReadFile("../../deploy/grafana/openswf.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	// Every family in use, so that each shows in Gather.
	clk := clock.NewFake(time.Now())
	m := New(Options{Clock: clk, Store: &fakeStore{
		domains:  []store.Domain{{Name: "d", Status: store.StatusRegistered}},
		backlogs: []store.Backlog{{Kind: store.ActivityTask, Domain: "d", TaskList: "l", Count: 1, Oldest: clk.Now()}}}})
	m.ExecutionStarted("d")
	m.ExecutionClosed("d", "COMPLETED")
	m.Heartbeat("d")
	m.TaskTimedOut("d", store.ActivityTask)
	m.Fired(time.Millisecond)
	m.Due(1)
	m.Committed(time.Millisecond, 3)
	m.Synced(time.Millisecond)
	m.requests.WithLabelValues("X", "ok")
	m.throttled.WithLabelValues("X").Inc()
	m.denied.WithLabelValues("X").Inc()
	fams := gather(t, m)

	metricName := regexp.MustCompile(`\b(openswf|go|process)_[a-z_]+\b`)
	seen := 0
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			for _, name := range metricName.FindAllString(tg.Expr, -1) {
				seen++
				family := name
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if f, ok := strings.CutSuffix(name, suffix); ok && fams[f] != nil && fams[f].GetType() == dto.MetricType_HISTOGRAM {
						family = f
					}
				}
				if fams[family] == nil {
					t.Errorf("panel %q queries %s, which openswf does not expose", p.Title, name)
				}
			}
		}
	}
	if seen < 15 {
		t.Errorf("only %d metric names found in the dashboard", seen)
	}
}

// BenchmarkInterceptor is what metrics add to each call: a heartbeat's
// counter, histogram and clock reads.
func BenchmarkInterceptor(b *testing.B) {
	m := New(Options{})
	ic := m.Interceptor()
	next := func(context.Context, string, any) (any, error) { return nil, nil }
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		ic(ctx, "RecordActivityTaskHeartbeat", nil, next)
	}
}

// BenchmarkHeartbeatObserver is the heartbeat counter by domain.
func BenchmarkHeartbeatObserver(b *testing.B) {
	m := New(Options{})
	b.ReportAllocs()
	for b.Loop() {
		m.Heartbeat("orders")
	}
}
