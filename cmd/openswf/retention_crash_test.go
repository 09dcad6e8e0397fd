package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	"github.com/aws/smithy-go"

	"github.com/openswf/openswf/swftest"
)

// TestRetentionCrash kills the real binary with SIGKILL while its retention
// sweeper deletes closed runs, a few runs per transaction, and restarts it
// each time. A sweep interrupted by SIGKILL resumes after the restart,
// deletes nothing twice, and deletes nothing it should keep: in the end
// every closed run of the NONE domain is gone, while every open run, and
// every closed run of the domain that keeps them 7 days, still describes,
// answers and reads whole.
func TestRetentionCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the server for several seconds")
	}
	const (
		gone    = "gone" // retention NONE: its closed runs go at the next sweep
		kept    = "kept" // retention 7 days: its closed runs stay
		closedN = 200    // closed runs of gone, before the chaos
		keptN   = 50     // closed runs of kept
		openN   = 20     // open runs of gone
		// Kills in the middle of a sweep of the backlog, at most, then
		// kills at random moments while runs keep closing.
		midSweepKills = 5
		randomKills   = 5
	)
	bin := buildBinary(t)
	dir := t.TempDir()
	store := "sqlite:" + filepath.Join(dir, "openswf.db")
	logPath := filepath.Join(dir, "server.log")
	addr := freeAddr(t)
	url := "http://" + addr
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	srv := &process{t: t, bin: bin, addr: addr, log: logPath}
	start := func(sweepEvery string) {
		srv.start("--store", store, "--log-level", "debug", "--retention-sweep-interval", sweepEvery, "--retention-sweep-batch", "2")
	}
	kill := srv.kill

	// Load the store while the sweeper is idle (it sweeps at start-up,
	// before anything is closed, and then not for an hour), so that the
	// first restart finds all of gone's closed runs waiting.
	start("1h")
	t.Cleanup(kill)
	c := swftest.NewClient(url)
	for _, d := range []struct{ name, retention string }{{gone, "NONE"}, {kept, "7"}} {
		if _, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(d.name), WorkflowExecutionRetentionPeriodInDays: aws.String(d.retention)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
			Domain: aws.String(d.name), Name: aws.String("wf"), Version: aws.String("1"),
			DefaultTaskList: &types.TaskList{Name: aws.String("d")}, DefaultTaskStartToCloseTimeout: aws.String("30"),
			DefaultExecutionStartToCloseTimeout: aws.String("3600"), DefaultChildPolicy: types.ChildPolicyTerminate,
		}); err != nil {
			t.Fatal(err)
		}
	}
	startRun := func(domain, id string) (string, error) {
		out, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(domain), WorkflowId: aws.String(id),
			WorkflowType: &types.WorkflowType{Name: aws.String("wf"), Version: aws.String("1")}})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.RunId), nil
	}
	terminate := func(domain string, ex *types.WorkflowExecution) error {
		_, err := c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(domain), WorkflowId: ex.WorkflowId, RunId: ex.RunId})
		return err
	}
	goneClosed := runs(t, closedN, "closed", func(id string) (string, error) { return startRun(gone, id) })
	keptClosed := runs(t, keptN, "kept", func(id string) (string, error) { return startRun(kept, id) })
	goneOpen := runs(t, openN, "open", func(id string) (string, error) { return startRun(gone, id) })
	parallel(t, closedN, func(i int) error { return terminate(gone, goneClosed[i]) })
	parallel(t, keptN, func(i int) error { return terminate(kept, keptClosed[i]) })
	if got := count(ctx, c, gone, false); got != closedN {
		t.Fatalf("%d closed runs in %s before any sweep, want %d", got, gone, closedN)
	}
	kill()

	// Restart with a sweep every 100 ms, two runs per transaction, and
	// kill the server as soon as its start-up sweep is seen deleting: the
	// sweep deletes batch after batch until one comes back short, so it
	// is cut off in the middle. Each life must delete more: the sweep
	// resumes after the restart.
	began := time.Now()
	kills := 0
	remaining := []int{closedN} // closed runs of gone not yet deleted, at each kill
	for range midSweepKills {
		before := remaining[len(remaining)-1]
		if before == 0 {
			break
		}
		start("100ms")
		left := before
		for deadline := time.Now().Add(10 * time.Second); left == before || left < 0; time.Sleep(2 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no sweep after restart %d: %d closed runs of %s left", kills+1, before, gone)
			}
			left = count(ctx, c, gone, false)
		}
		time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
		if n := count(ctx, c, gone, false); n >= 0 {
			left = n
		}
		kill()
		kills++
		remaining = append(remaining, left)
	}
	t.Logf("killed the server %d times during the sweep of the backlog; closed runs left at each kill: %v", kills, remaining)
	if remaining[1] == 0 {
		t.Logf("the first sweep finished before the kill: nothing was interrupted")
	}

	// More runs close while the server is killed and restarted, so that
	// the sweeper has work through the chaos and sweeps race the writes.
	stop := make(chan struct{})
	var late atomic.Int64
	closerDone := make(chan struct{})
	go func() {
		defer close(closerDone)
		for i := 0; !closed(stop) && ctx.Err() == nil; i++ {
			ex := &types.WorkflowExecution{WorkflowId: aws.String("late-" + strconv.Itoa(i))}
			// A retried start or terminate whose first try took effect
			// before the server died meets its own result.
			retry(ctx, func() error {
				_, err := startRun(gone, aws.ToString(ex.WorkflowId))
				return ignore(err, "WorkflowExecutionAlreadyStartedFault")
			})
			late.Add(1)
			retry(ctx, func() error { return ignore(terminate(gone, ex), "UnknownResourceFault") })
			time.Sleep(5 * time.Millisecond)
		}
	}()

	// Then kill it at random moments, 50 to 300 ms after each restart.
	remaining = remaining[:0]
	for range randomKills {
		start("100ms")
		time.Sleep(time.Duration(50+rand.IntN(250)) * time.Millisecond)
		remaining = append(remaining, count(ctx, c, gone, false))
		kill()
		kills++
	}
	t.Logf("killed the server %d times in all, in %v; closed runs awaiting deletion at the random kills: %v", kills, time.Since(began).Round(time.Millisecond), remaining)
	start("100ms")
	close(stop)
	<-closerDone
	lateN := int(late.Load())

	// The last life finishes the sweep.
	c = swftest.NewClient(url)
	left := -1
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if left = count(ctx, c, gone, false); left == 0 {
			break
		}
	}
	if left != 0 {
		t.Fatalf("%d closed runs of %s are left after the sweeps", left, gone)
	}
	t.Logf("all %d closed runs of %s (%d of them closed during the chaos) deleted %v after the first restart", closedN+lateN, gone, lateN, time.Since(began).Round(time.Millisecond))

	// The closed runs of gone are gone, history and all.
	for i, ex := range goneClosed {
		_, err := c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(gone), Execution: ex})
		if !isFault(err, "UnknownResourceFault") {
			t.Errorf("describing deleted %s: %v", aws.ToString(ex.WorkflowId), err)
		}
		if i%20 == 0 {
			_, err := c.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(gone), Execution: ex})
			if !isFault(err, "UnknownResourceFault") {
				t.Errorf("reading the history of deleted %s: %v", aws.ToString(ex.WorkflowId), err)
			}
		}
	}

	// Nothing it should keep was deleted: the open runs describe, answer
	// a signal and read whole…
	if n := count(ctx, c, gone, true); n != openN {
		t.Errorf("%d open runs in %s, want %d", n, gone, openN)
	}
	for _, ex := range goneOpen {
		out, err := c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(gone), Execution: ex})
		if err != nil {
			t.Errorf("describing open %s: %v", aws.ToString(ex.WorkflowId), err)
			continue
		}
		if out.ExecutionInfo.ExecutionStatus != types.ExecutionStatusOpen {
			t.Errorf("%s is %s", aws.ToString(ex.WorkflowId), out.ExecutionInfo.ExecutionStatus)
		}
		if _, err := c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(gone), WorkflowId: ex.WorkflowId, RunId: ex.RunId, SignalName: aws.String("still-here")}); err != nil {
			t.Errorf("signaling %s: %v", aws.ToString(ex.WorkflowId), err)
			continue
		}
		events := domainHistory(ctx, t, c, gone, ex)
		if err := checkOpenHistory(events); err != nil {
			t.Errorf("%s: %v\n%v", aws.ToString(ex.WorkflowId), err, eventSummary(events))
		}
	}
	// …and the closed runs of the domain that keeps them describe, and
	// their histories are whole: dense ids from 1, the close event last.
	if n := count(ctx, c, kept, false); n != keptN {
		t.Errorf("%d closed runs in %s, want %d", n, kept, keptN)
	}
	for _, ex := range keptClosed {
		out, err := c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(kept), Execution: ex})
		if err != nil {
			t.Errorf("describing kept %s: %v", aws.ToString(ex.WorkflowId), err)
			continue
		}
		if out.ExecutionInfo.ExecutionStatus != types.ExecutionStatusClosed || out.ExecutionInfo.CloseStatus != types.CloseStatusTerminated {
			t.Errorf("%s is %s/%s", aws.ToString(ex.WorkflowId), out.ExecutionInfo.ExecutionStatus, out.ExecutionInfo.CloseStatus)
		}
		events := domainHistory(ctx, t, c, kept, ex)
		if err := checkHistory(events); err != nil {
			t.Errorf("%s: %v\n%v", aws.ToString(ex.WorkflowId), err, eventSummary(events))
		} else if last := events[len(events)-1].EventType; last != types.EventTypeWorkflowExecutionTerminated {
			t.Errorf("%s closed with %s", aws.ToString(ex.WorkflowId), last)
		}
	}

	// Nothing was deleted twice: every batch a sweep lived to log (a
	// killed one may not) names runs no other batch names, and no more
	// than ever closed in gone; and no sweep failed.
	deleted, failures := sweepLog(t, logPath)
	seen := map[string]bool{}
	for _, id := range deleted {
		if seen[id] {
			t.Errorf("run %s was deleted twice", id)
		}
		seen[id] = true
	}
	if len(deleted) > closedN+lateN {
		t.Errorf("the sweeps report %d deletions of %d closed runs", len(deleted), closedN+lateN)
	}
	if failures > 0 {
		t.Errorf("%d sweeps failed (see %s)", failures, logPath)
	}
	t.Logf("the sweeps' batches that were logged name %d distinct runs", len(seen))
}

// runs starts n runs named prefix-0 … prefix-(n-1), several at once, and
// returns them in that order.
func runs(t *testing.T, n int, prefix string, start func(id string) (string, error)) []*types.WorkflowExecution {
	t.Helper()
	out := make([]*types.WorkflowExecution, n)
	parallel(t, n, func(i int) error {
		id := prefix + "-" + strconv.Itoa(i)
		run, err := start(id)
		out[i] = &types.WorkflowExecution{WorkflowId: aws.String(id), RunId: aws.String(run)}
		return err
	})
	return out
}

// parallel calls f(0) … f(n-1), eight at a time, and stops the test if
// any fails.
func parallel(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	next := make(chan int)
	errs := make([]error, n)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// count is how many open, or closed, runs a domain holds; -1 when the
// server does not answer.
func count(ctx context.Context, c *swf.Client, domain string, open bool) int {
	since := &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}
	if open {
		out, err := c.CountOpenWorkflowExecutions(ctx, &swf.CountOpenWorkflowExecutionsInput{Domain: aws.String(domain), StartTimeFilter: since})
		if err != nil {
			return -1
		}
		return int(out.Count)
	}
	out, err := c.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{Domain: aws.String(domain), StartTimeFilter: since})
	if err != nil {
		return -1
	}
	return int(out.Count)
}

// checkOpenHistory checks an open, signaled run's history: dense ids from
// 1, begun by its start, the signal recorded, no close event.
func checkOpenHistory(events []types.HistoryEvent) error {
	if len(events) == 0 || events[0].EventType != types.EventTypeWorkflowExecutionStarted {
		return errors.New("does not begin with WorkflowExecutionStarted")
	}
	signaled := false
	for i, e := range events {
		if e.EventId != int64(i+1) {
			return fmt.Errorf("event %d has id %d", i+1, e.EventId)
		}
		switch e.EventType {
		case types.EventTypeWorkflowExecutionSignaled:
			signaled = true
		case types.EventTypeWorkflowExecutionCompleted, types.EventTypeWorkflowExecutionFailed, types.EventTypeWorkflowExecutionCanceled,
			types.EventTypeWorkflowExecutionTerminated, types.EventTypeWorkflowExecutionTimedOut, types.EventTypeWorkflowExecutionContinuedAsNew:
			return fmt.Errorf("open run has close event %d (%s)", e.EventId, e.EventType)
		}
	}
	if !signaled {
		return errors.New("the signal is not in the history")
	}
	return nil
}

var (
	deletedPattern   = regexp.MustCompile(`msg="deleted closed runs" domain=\S+ runs=(\S+)`)
	sweepFailPattern = regexp.MustCompile(`msg="sweeping closed runs"`)
)

// sweepLog returns the run ids of every batch the server's sweeps logged
// as deleted, in order, and counts the sweeps that failed.
func sweepLog(t *testing.T, path string) (deleted []string, failures int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if m := deletedPattern.FindSubmatch(sc.Bytes()); m != nil {
			deleted = append(deleted, strings.Split(string(m[1]), ",")...)
		} else if sweepFailPattern.Match(sc.Bytes()) {
			failures++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return deleted, failures
}

// isFault reports whether err is the SWF fault named code.
func isFault(err error, code string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == code
}
