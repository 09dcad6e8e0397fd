package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	_ "modernc.org/sqlite"

	"github.com/openswf/openswf/swftest"
)

// TestScale measures the binary with a large store: how long it takes to
// start with OPENSWF_SCALE executions in its SQLite file (say 1000000), and
// its resident memory once it has served requests on them. It is off unless
// OPENSWF_SCALE is set, as building the store takes a while and gigabytes.
func TestScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("OPENSWF_SCALE"))
	if n <= 0 {
		t.Skip("set OPENSWF_SCALE to a number of executions to run")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "openswf.db")
	store := "sqlite:" + dbPath
	addr := freeAddr(t)
	ctx := context.Background()

	// One real run, made through the API, is the template of the rest.
	cmd := startServer(t, bin, addr, store)
	c := swftest.NewClient("http://" + addr)
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("scale"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	must(t, err)
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("scale"), Name: aws.String("wf"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("d")}, DefaultTaskStartToCloseTimeout: aws.String("NONE"),
		DefaultExecutionStartToCloseTimeout: aws.String("31536000"), DefaultChildPolicy: types.ChildPolicyTerminate})
	must(t, err)
	_, err = c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("scale"), WorkflowId: aws.String("template"),
		WorkflowType: &types.WorkflowType{Name: aws.String("wf"), Version: aws.String("1")}, Input: aws.String(strings.Repeat("i", 200))})
	must(t, err)
	stopServer(t, cmd)

	// Clone it n times in SQL: open runs, each with its history, its
	// queued decision task and its timer.
	begin := time.Now()
	db, err := sql.Open("sqlite", dbPath)
	must(t, err)
	for _, q := range []string{
		`PRAGMA journal_mode=WAL`,
		`CREATE TEMP TABLE n (i INTEGER PRIMARY KEY)`,
		`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < ` + strconv.Itoa(n) + `) INSERT INTO n SELECT i FROM c`,
		`INSERT INTO executions (run_id, domain, workflow_id, version, open, state, type_name, type_version, started_at, closed_at, close_status, tag_list, cancel_requested)
			SELECT 'run-' || i, domain, 'wf-' || i, version, open, state, type_name, type_version, started_at, closed_at, close_status, tag_list, cancel_requested
			FROM n, (SELECT * FROM executions WHERE workflow_id = 'template')`,
		`INSERT INTO history_events (run_id, event_id, data) SELECT 'run-' || i, event_id, data FROM n, history_events WHERE run_id = (SELECT run_id FROM executions WHERE workflow_id = 'template')`,
		`INSERT INTO timers (run_id, key, domain, workflow_id, fire_at) SELECT 'run-' || i, key, domain, 'wf-' || i, fire_at FROM n, timers WHERE workflow_id = 'template'`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	must(t, db.Close())
	t.Logf("cloned %d executions in %v", n, time.Since(begin).Round(time.Millisecond))

	// Start-up: from exec to answering a request.
	begin = time.Now()
	cmd = startServer(t, bin, addr, store)
	_, err = c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("scale")})
	must(t, err)
	t.Logf("start-up with %d executions: %v", n, time.Since(begin).Round(time.Millisecond))

	// Memory after touching executions across the store.
	for i := 1; i <= 1000; i++ {
		id := 1 + (i*7919)%n
		_, err := c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String("scale"),
			Execution: &types.WorkflowExecution{WorkflowId: aws.String("wf-" + strconv.Itoa(id)), RunId: aws.String("run-" + strconv.Itoa(id))}})
		must(t, err)
	}
	t.Logf("resident memory with %d open executions: %d MiB", n, rssKiB(t, cmd.Pid)/1024)
	stopServer(t, cmd)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func startServer(t *testing.T, bin, addr, store string) *os.Process {
	t.Helper()
	p, err := os.StartProcess(bin, []string{bin, "serve", "--listen", addr, "--store", store, "--log-level", "warn"}, &os.ProcAttr{Files: []*os.File{nil, os.Stdout, os.Stderr}})
	must(t, err)
	waitListening(t, addr)
	return p
}

func stopServer(t *testing.T, p *os.Process) {
	t.Helper()
	p.Signal(syscall.SIGTERM)
	p.Wait()
}

func rssKiB(t *testing.T, pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	must(t, err)
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kib
		}
	}
	return 0
}
