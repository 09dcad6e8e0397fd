package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"

	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/swftest"
)

// Serving without authentication is for loopback addresses, unless the
// operator says --insecure.
func TestAuthDefaults(t *testing.T) {
	none := func(string) string { return "" }
	for _, args := range [][]string{
		{"--listen", "127.0.0.1:7930"},
		{"--listen", "[::1]:7930"},
		{"--listen", "localhost:7930"},
		{"--listen", "0.0.0.0:7930", "--insecure"},
		{"--listen", "0.0.0.0:7930", "--auth", "sigv4", "--principals", "p.json"},
		{"--listen", "0.0.0.0:7930", "--auth", "sigv4", "--principals", "p.json", "--debug-listen", "127.0.0.1:6060"},
		{"--listen", "0.0.0.0:7930", "--auth", "sigv4", "--principals", "p.json", "--debug-listen", "10.1.2.3:6060", "--insecure"},
	} {
		if _, err := parseConfig("serve", args, none); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
	// pprof is never signed: authentication does not make a debug
	// listener on the network safe.
	sigv4Debug := []string{"--auth", "sigv4", "--principals", "p.json", "--debug-listen", "10.1.2.3:6060"}
	if _, err := parseConfig("serve", sigv4Debug, none); err == nil || !strings.Contains(err.Error(), "--debug-listen 10.1.2.3:6060") {
		t.Errorf("%v: %v", sigv4Debug, err)
	}
	c, _ := parseConfig("serve", nil, none)
	if c.authenticated() || c.throttled() {
		t.Errorf("the default is authenticated %v, throttled %v", c.authenticated(), c.throttled())
	}
	c, _ = parseConfig("serve", []string{"--auth", "sigv4", "--principals", "p.json"}, none)
	if !c.authenticated() || !c.throttled() {
		t.Errorf("sigv4 is authenticated %v, throttled %v", c.authenticated(), c.throttled())
	}
}

func TestParseConfig(t *testing.T) {
	env := map[string]string{"OPENSWF_REGION": "eu-west-1", "OPENSWF_LISTEN": "127.0.0.1:1"}
	getenv := func(k string) string { return env[k] }
	c, err := parseConfig("serve", []string{"--listen", "127.0.0.1:2", "--log-level", "debug"}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Region != "eu-west-1" || c.Listen != "127.0.0.1:2" || c.AccountID != "123456789012" || c.LogLevel != "debug" {
		t.Fatalf("config %+v", c)
	}
	for _, args := range [][]string{
		{"--account-id", "12"},
		{"--log-level", "loud"},
		{"--region", ""},
		{"--max-request-bytes", "0"},
		{"--listen", "0.0.0.0:7930"},
		{"--listen", ":7930"},
		{"--debug-listen", "10.1.2.3:6060"},
		{"--auth", "sigv4"},
		{"--auth", "magic"},
		{"--principals", "p.json"},
		{"--throttle", "sometimes"},
		{"--throttle-settings", "t.json"},
		{"--tls-cert", "c.pem"},
		{"--nope"},
		{"extra"},
	} {
		if _, err := parseConfig("serve", args, getenv); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// SWF's limits are settings, SWF's values by default.
func TestParseLimits(t *testing.T) {
	none := func(string) string { return "" }
	c, err := parseConfig("serve", nil, none)
	if err != nil {
		t.Fatal(err)
	}
	if c.Limits != service.DefaultLimits() || c.Limits.HistoryEvents != 25000 || c.Limits.OpenExecutionsPerDomain != 100000 ||
		c.Limits.PollersPerTaskList != 1000 || c.Limits.OpenActivities != 1000 || c.Limits.OpenTimers != 1000 || c.Limits.OpenChildren != 1000 {
		t.Fatalf("default limits %+v", c.Limits)
	}
	env := map[string]string{"OPENSWF_LIMIT_HISTORY_EVENTS": "500", "OPENSWF_LIMIT_POLLERS": "7"}
	c, err = parseConfig("serve", []string{"--limit-open-executions", "10", "--limit-open-activities", "2", "--limit-open-timers", "3",
		"--limit-open-children", "4", "--limit-pollers", "8", "--limit-domains", "5", "--limit-types", "6", "--limit-domain-tags", "9"},
		func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := service.Limits{Domains: 5, TypesPerKind: 6, TagsPerDomain: 9, OpenExecutionsPerDomain: 10, HistoryEvents: 500,
		OpenActivities: 2, OpenTimers: 3, OpenChildren: 4, PollersPerTaskList: 8}
	if c.Limits != want {
		t.Fatalf("limits %+v, want %+v", c.Limits, want)
	}
	for _, args := range [][]string{
		{"--limit-history-events", "9"},
		{"--limit-history-events", "many"},
		{"--limit-open-executions", "0"},
		{"--limit-open-activities", "-1"},
		{"--limit-open-timers", "0"},
		{"--limit-open-children", "0"},
		{"--limit-pollers", "0"},
		{"--limit-domains", "0"},
		{"--limit-types", "1.5"},
		{"--limit-domain-tags", "0"},
	} {
		if _, err := parseConfig("serve", args, none); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if _, err := parseConfig("serve", nil, func(k string) string {
		return map[string]string{"OPENSWF_LIMIT_POLLERS": "lots"}[k]
	}); err == nil {
		t.Error("$OPENSWF_LIMIT_POLLERS=lots accepted")
	}
}

// The history cache's size is a setting, in MiB: 64 unless told, 0 for
// none, never negative.
func TestParseHistoryCache(t *testing.T) {
	none := func(string) string { return "" }
	c, err := parseConfig("serve", nil, none)
	if err != nil || c.HistoryCacheMiB != 64 { // the README states it
		t.Fatalf("default %d MiB, %v", c.HistoryCacheMiB, err)
	}
	c, err = parseConfig("serve", nil, func(k string) string { return map[string]string{"OPENSWF_HISTORY_CACHE_MIB": "0"}[k] })
	if err != nil || c.HistoryCacheMiB != 0 {
		t.Fatalf("from the environment: %d MiB, %v", c.HistoryCacheMiB, err)
	}
	for _, v := range []string{"-1", "x", "2000000"} {
		if _, err := parseConfig("serve", []string{"--history-cache-mib", v}, none); err == nil {
			t.Errorf("--history-cache-mib %s accepted", v)
		}
	}
}

// The retention sweeper's pace is a setting: the service's defaults
// unless told, and never zero or less (which the service would take for
// its default).
func TestParseSweep(t *testing.T) {
	none := func(string) string { return "" }
	c, err := parseConfig("serve", nil, none)
	if err != nil {
		t.Fatal(err)
	}
	// The README states these defaults.
	if c.SweepInterval != time.Minute || c.SweepBatch != 32 {
		t.Fatalf("default sweep every %v, %d runs a batch", c.SweepInterval, c.SweepBatch)
	}
	env := map[string]string{"OPENSWF_RETENTION_SWEEP_INTERVAL": "90s", "OPENSWF_RETENTION_SWEEP_BATCH": "5"}
	c, err = parseConfig("serve", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.SweepInterval != 90*time.Second || c.SweepBatch != 5 {
		t.Fatalf("from the environment: sweep every %v, %d runs a batch", c.SweepInterval, c.SweepBatch)
	}
	// A flag overrides its environment variable.
	c, err = parseConfig("serve", []string{"--retention-sweep-interval", "100ms", "--retention-sweep-batch", "2"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.SweepInterval != 100*time.Millisecond || c.SweepBatch != 2 {
		t.Fatalf("from the flags: sweep every %v, %d runs a batch", c.SweepInterval, c.SweepBatch)
	}
	for _, args := range [][]string{
		{"--retention-sweep-interval", "0s"},
		{"--retention-sweep-interval", "-1m"},
		{"--retention-sweep-interval", "60"},
		{"--retention-sweep-batch", "0"},
		{"--retention-sweep-batch", "-3"},
		{"--retention-sweep-batch", "many"},
	} {
		if _, err := parseConfig("serve", args, none); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if _, err := parseConfig("serve", nil, func(k string) string {
		return map[string]string{"OPENSWF_RETENTION_SWEEP_BATCH": "0"}[k]
	}); err == nil {
		t.Error("$OPENSWF_RETENTION_SWEEP_BATCH=0 accepted")
	}
}

// TestBinary builds the real binary, drives it with the SWF client, stops it
// with SIGTERM and starts it again on the same store.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t)
	store := "sqlite:" + filepath.Join(dir, "state", "openswf.db")

	url, stop := startBinary(t, bin, store)
	c := swftest.NewClient(url)
	ctx := context.Background()
	if _, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("kept"), WorkflowExecutionRetentionPeriodInDays: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	stop()

	url, stop = startBinary(t, bin, store)
	defer stop()
	out, err := swftest.NewClient(url).DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("kept")})
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if aws.ToString(out.Configuration.WorkflowExecutionRetentionPeriodInDays) != "NONE" {
		t.Fatalf("retention %v", aws.ToString(out.Configuration.WorkflowExecutionRetentionPeriodInDays))
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// buildBinary builds the openswf binary once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "openswf-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "openswf")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

var addrPattern = regexp.MustCompile(`addr=(http://127\.0\.0\.1:\d+)`)

// startBinary runs the binary on a free port and returns its URL and a
// function that stops it with SIGTERM and checks it exits cleanly.
func startBinary(t *testing.T, bin, store string) (string, func()) {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "stderr.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--store", store)
	cmd.Env = append(os.Environ(), "OPENSWF_LOG_LEVEL=info")
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readLog := func() string {
		b, _ := os.ReadFile(logPath)
		return string(b)
	}
	var url string
	for deadline := time.Now().Add(20 * time.Second); url == ""; time.Sleep(10 * time.Millisecond) {
		if m := addrPattern.FindStringSubmatch(readLog()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the server did not report its address:\n%s", readLog())
		}
	}
	return url, func() {
		t.Helper()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("exit after SIGTERM: %v\n%s", err, readLog())
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatal("the server did not stop on SIGTERM")
		}
		if !strings.Contains(readLog(), "msg=stopped") {
			t.Fatalf("no clean stop in the log:\n%s", readLog())
		}
	}
}

// process is a server run as its own process, started and killed again by
// the crash tests: `openswf serve --listen addr` with more arguments, its
// standard error appended to a log file.
type process struct {
	t    *testing.T
	bin  string
	addr string
	log  string
	cmd  atomic.Pointer[exec.Cmd]
}

// start starts the server with args after --listen and waits until it
// listens.
func (p *process) start(args ...string) {
	p.t.Helper()
	cmd := exec.Command(p.bin, append([]string{"serve", "--listen", p.addr}, args...)...)
	log, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	defer log.Close()
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.cmd.Store(cmd)
	waitListening(p.t, p.addr)
}

// kill kills the server with SIGKILL, if it runs, and waits for it.
func (p *process) kill() {
	if cmd := p.cmd.Swap(nil); cmd != nil {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
}
