package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/bench"
	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/swftest"
)

// config returns a short, light run of scenario against endpoint.
func config(scenario, endpoint string) bench.Config {
	cfg := bench.DefaultConfig()
	cfg.Scenario = scenario
	cfg.Endpoint = endpoint
	cfg.Duration = 1500 * time.Millisecond
	cfg.Concurrency = 2
	cfg.Tasks = 4
	cfg.SetupTimeout = 30 * time.Second
	return cfg
}

// server starts an openswf server on a loopback port with a short long poll,
// so that pollers left waiting never hold a test up for long.
func server(t *testing.T) string {
	t.Helper()
	return swftest.Start(t, swftest.Options{Clock: clock.Real{}, LongPoll: time.Second}).URL
}

// run runs cfg and checks what every sane result shows.
func run(t *testing.T, cfg bench.Config) bench.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := bench.Run(ctx, cfg)
	if err != nil {
		t.Fatalf("%s: %v", cfg.Scenario, err)
	}
	checkSane(t, res)
	var text strings.Builder
	if err := res.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", text.String())
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back bench.Result
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("JSON output does not parse: %v\n%s", err, buf.String())
	}
	if back.Count != res.Count || back.Latency != res.Latency || len(back.Ops) != len(res.Ops) {
		t.Errorf("JSON round trip changed the result:\n%+v\n%+v", back, res)
	}
	return res
}

func checkSane(t *testing.T, res bench.Result) {
	t.Helper()
	if res.Count == 0 || res.Throughput <= 0 {
		t.Errorf("%s: no throughput: %d %s", res.Scenario, res.Count, res.Unit)
	}
	if res.Errors != 0 {
		t.Errorf("%s: %d errors: %v", res.Scenario, res.Errors, res.ErrorSamples)
	}
	checkLatency(t, res.Scenario, res.Latency)
	for _, op := range res.Ops {
		if op.Count > 0 {
			checkLatency(t, res.Scenario+" "+op.Name, op.Latency)
		}
	}
}

func checkLatency(t *testing.T, what string, l bench.Latency) {
	t.Helper()
	if !(0 <= l.Min && l.Min <= l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max && l.Min <= l.Mean && l.Mean <= l.Max) {
		t.Errorf("%s: latencies out of order: %+v", what, l)
	}
}

// op returns the results of the operation called name.
func op(t *testing.T, res bench.Result, name string) bench.OpResult {
	t.Helper()
	for _, o := range res.Ops {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("%s: no results for %s in %+v", res.Scenario, name, res.Ops)
	return bench.OpResult{}
}

func TestBaseline(t *testing.T) {
	res := run(t, config(bench.Baseline, ""))
	if got := op(t, res, "RecordActivityTaskHeartbeat").Count; got != res.Count {
		t.Errorf("%d heartbeats, %d requests", got, res.Count)
	}
}

// baselineChildEnv makes this test binary, run again, the baseline's
// handler process (TestMain), as openswf's hidden command makes openswf.
const baselineChildEnv = "OPENSWF_BENCH_BASELINE_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(baselineChildEnv) == "1" {
		if err := bench.ServeBaselineProcess(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestBaselineOwnProcess(t *testing.T) {
	t.Setenv(baselineChildEnv, "1")
	cfg := config(bench.Baseline, "")
	cfg.BaselineCommand = []string{os.Args[0]}
	res := run(t, cfg)
	if res.Endpoint != "(built-in handler, own process)" {
		t.Errorf("endpoint %q", res.Endpoint)
	}
	if runtime.GOOS == "linux" && (res.Server == nil || res.Server.PerUnit <= 0 || res.Server.Seconds <= 0) {
		t.Errorf("no CPU reported for the handler's process: %+v", res.Server)
	}
}

func TestBaselineOpenLoop(t *testing.T) {
	cfg := config(bench.Baseline, "")
	cfg.Rate = 200
	res := run(t, cfg)
	// The pacer begins at most rate × duration units, plus the one at 0.
	if limit := int64(cfg.Rate*cfg.Duration.Seconds()) + 1; res.Count > limit || res.Count < limit/2 {
		t.Errorf("open loop at %g/s for %v completed %d requests", cfg.Rate, cfg.Duration, res.Count)
	}
}

func TestMaxUnitsEndsTheRun(t *testing.T) {
	cfg := config(bench.Baseline, "")
	cfg.Duration = time.Minute
	cfg.MaxUnits = 50
	start := time.Now()
	res := run(t, cfg)
	if res.Count != 50 {
		t.Errorf("count %d, want 50", res.Count)
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("a run bounded to 50 requests took %v", time.Since(start))
	}
}

func TestHeartbeat(t *testing.T) {
	res := run(t, config(bench.Heartbeat, server(t)))
	if res.Unit != "heartbeats" {
		t.Errorf("unit %q", res.Unit)
	}
}

func TestHeartbeatWithBaseline(t *testing.T) {
	cfg := config(bench.Heartbeat, server(t))
	cfg.Duration = time.Second
	cfg.WithBaseline = true
	res := run(t, cfg)
	if res.Baseline == nil {
		t.Fatal("no baseline")
	}
	checkSane(t, *res.Baseline)
	if res.BaselineRatio <= 0 {
		t.Errorf("ratio %g", res.BaselineRatio)
	}
}

func TestWorkflow(t *testing.T) {
	res := run(t, config(bench.Workflow, server(t)))
	for _, name := range []string{"StartWorkflowExecution", "PollForDecisionTask", "RespondDecisionTaskCompleted", "PollForActivityTask", "RespondActivityTaskCompleted"} {
		if op(t, res, name).Count < res.Count {
			t.Errorf("%s called fewer times than the %d workflows completed", name, res.Count)
		}
	}
}

// TestWorkflowInput: workflows and activities with inputs of SWF's largest
// size run as the others.
func TestWorkflowInput(t *testing.T) {
	cfg := config(bench.Workflow, server(t))
	cfg.InputSize = 32768
	if res := run(t, cfg); res.Count == 0 {
		t.Error("no workflow completed")
	}
}

func TestWorkflowOpenLoop(t *testing.T) {
	cfg := config(bench.Workflow, server(t))
	cfg.Rate = 20
	res := run(t, cfg)
	if res.Count > int64(cfg.Rate*cfg.Duration.Seconds())+1 {
		t.Errorf("%d workflows completed at %g/s in %v", res.Count, cfg.Rate, cfg.Duration)
	}
}

func TestDispatch(t *testing.T) {
	res := run(t, config(bench.Dispatch, server(t)))
	if got := op(t, res, "PollForActivityTask").Count; got < res.Count {
		t.Errorf("%d dispatches measured, %d activity tasks received", res.Count, got)
	}
}

func TestValidate(t *testing.T) {
	for name, change := range map[string]func(*bench.Config){
		"unknown scenario": func(c *bench.Config) { c.Scenario = "nope" },
		"no duration":      func(c *bench.Config) { c.Duration = 0 },
		"no concurrency":   func(c *bench.Config) { c.Concurrency = 0 },
		"negative rate":    func(c *bench.Config) { c.Rate = -1 },
		"huge details":     func(c *bench.Config) { c.DetailsSize = 4096 },
		"huge input":       func(c *bench.Config) { c.InputSize = 32769 },
		"short history":    func(c *bench.Config) { c.Events = 2 },
		"long history":     func(c *bench.Config) { c.Events = 25001 },
		"no endpoint":      func(c *bench.Config) { c.Endpoint = "" },
	} {
		cfg := config(bench.Heartbeat, "http://127.0.0.1:1")
		change(&cfg)
		if err := cfg.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestHistory(t *testing.T) {
	cfg := config(bench.History, server(t))
	cfg.Events = 300
	res := run(t, cfg)
	if res.Unit != "events" {
		t.Errorf("unit %q", res.Unit)
	}
	// 300 events are one page of 1000: every whole read is one call.
	reads := op(t, res, "GetWorkflowExecutionHistory").Count
	if polls := op(t, res, "PollForDecisionTask").Count; reads == 0 || polls == 0 {
		t.Fatalf("%d history reads, %d decision tasks", reads, polls)
	}
	if res.Count < 300*reads {
		t.Errorf("%d events read in %d whole reads of a 300-event history", res.Count, reads)
	}
}

func TestHistoryPages(t *testing.T) {
	cfg := config(bench.History, server(t))
	cfg.Events = 2100 // three pages of 1000
	cfg.Concurrency = 1
	res := run(t, cfg)
	reads := op(t, res, "GetWorkflowExecutionHistory").Count
	tasks := op(t, res, "PollForDecisionTask").Count
	pages := op(t, res, "PollForDecisionTask (nextPageToken)").Count
	if reads < 3 || tasks == 0 || pages < 2*tasks {
		t.Errorf("%d history pages, %d decision tasks, %d later pages of them", reads, tasks, pages)
	}
	// Every decision task adds events, so the decision reads see more.
	if want := 2100 * (reads/3 + tasks); res.Count < want {
		t.Errorf("%d events read, want at least %d", res.Count, want)
	}
}
