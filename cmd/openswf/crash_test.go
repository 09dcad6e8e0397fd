package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	"github.com/aws/smithy-go"

	"github.com/openswf/openswf/swftest"
)

// TestCrashRecovery runs workflows against the real binary while killing it
// with SIGKILL at random moments and restarting it, then checks that every
// workflow finished and that every history is well formed: dense ids, legal
// order, each task closed once, and nothing that was acknowledged undone.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the server for several seconds")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	store := "sqlite:" + filepath.Join(dir, "openswf.db")
	addr := freeAddr(t)
	url := "http://" + addr

	srv := &process{t: t, bin: bin, addr: addr, log: filepath.Join(dir, "server.log")}
	start := func() { srv.start("--store", store, "--long-poll-timeout", "2s", "--log-level", "warn") }
	kill := srv.kill
	start()
	t.Cleanup(kill)

	c := swftest.NewClient(url)
	ctx := context.Background()
	retry(ctx, func() error {
		_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("crash"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
		return ignore(err, "DomainAlreadyExistsFault")
	})
	retry(ctx, func() error {
		_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
			Domain: aws.String("crash"), Name: aws.String("wf"), Version: aws.String("1"),
			DefaultTaskList: &types.TaskList{Name: aws.String("d")}, DefaultTaskStartToCloseTimeout: aws.String("3"),
			DefaultExecutionStartToCloseTimeout: aws.String("600"), DefaultChildPolicy: types.ChildPolicyTerminate,
		})
		return ignore(err, "TypeAlreadyExistsFault")
	})
	retry(ctx, func() error {
		_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{
			Domain: aws.String("crash"), Name: aws.String("act"), Version: aws.String("1"),
			DefaultTaskList: &types.TaskList{Name: aws.String("a")}, DefaultTaskStartToCloseTimeout: aws.String("3"),
			DefaultTaskScheduleToStartTimeout: aws.String("NONE"), DefaultTaskScheduleToCloseTimeout: aws.String("NONE"),
			DefaultTaskHeartbeatTimeout: aws.String("NONE"),
		})
		return ignore(err, "TypeAlreadyExistsFault")
	})

	const workflows = 40
	var started sync.Map // workflow id → run id acknowledged
	var completedActs sync.Map
	stop := make(chan struct{})
	var wg sync.WaitGroup

	// Starters.
	startersDone := make(chan struct{})
	go func() {
		defer close(startersDone)
		for i := range workflows {
			id := "wf-" + strconv.Itoa(i)
			retry(ctx, func() error {
				out, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("crash"), WorkflowId: aws.String(id), WorkflowType: &types.WorkflowType{Name: aws.String("wf"), Version: aws.String("1")}})
				if err == nil {
					started.Store(id, aws.ToString(out.RunId))
				}
				return ignore(err, "WorkflowExecutionAlreadyStartedFault")
			})
			time.Sleep(20 * time.Millisecond)
		}
	}()
	// Deciders: schedule two activities, then complete once both are done.
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !closed(stop) {
				dt, err := c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String("crash"), TaskList: &types.TaskList{Name: aws.String("d")}})
				if err != nil || dt.TaskToken == nil {
					pause(err)
					continue
				}
				decisions := decide(allEvents(ctx, c, dt))
				c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: dt.TaskToken, Decisions: decisions})
			}
		}()
	}
	// Activity workers: heartbeat, then complete.
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !closed(stop) {
				at, err := c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String("crash"), TaskList: &types.TaskList{Name: aws.String("a")}})
				if err != nil || at.TaskToken == nil {
					pause(err)
					continue
				}
				c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: at.TaskToken, Details: aws.String("half")})
				_, err = c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: at.TaskToken, Result: aws.String("ok")})
				if err == nil {
					completedActs.Store(aws.ToString(at.WorkflowExecution.RunId)+"/"+strconv.FormatInt(at.StartedEventId, 10), true)
				}
			}
		}()
	}

	// The chaos: kill and restart at random moments.
	kills := 0
	for deadline := time.Now().Add(chaosFor()); time.Now().Before(deadline); kills++ {
		time.Sleep(time.Duration(150+rand.IntN(500)) * time.Millisecond)
		kill()
		start()
	}
	t.Logf("killed the server %d times", kills)
	<-startersDone

	// Every workflow must finish: an attempt lost with a killed server times
	// out, and the decider schedules the activity again.
	// A start whose reply was lost to a kill is retried and meets its own
	// run (WorkflowExecutionAlreadyStartedFault); the visibility operations
	// find its run id.
	for i := range workflows {
		if runOf(&started, i) != "" {
			continue
		}
		id := "wf-" + strconv.Itoa(i)
		retry(ctx, func() error {
			filter := &types.WorkflowExecutionFilter{WorkflowId: aws.String(id)}
			since := &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}
			open, err := c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String("crash"), StartTimeFilter: since, ExecutionFilter: filter})
			if err != nil {
				return err
			}
			closed, err := c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String("crash"), StartTimeFilter: since, ExecutionFilter: filter})
			if err != nil {
				return err
			}
			for _, info := range append(open.ExecutionInfos, closed.ExecutionInfos...) {
				started.Store(id, aws.ToString(info.Execution.RunId))
			}
			return nil
		})
	}
	var known []int
	for i := range workflows {
		if runOf(&started, i) != "" {
			known = append(known, i)
		}
	}
	if len(known) != workflows {
		t.Fatalf("only %d of %d workflows were started", len(known), workflows)
	}
	finished := func() int {
		n := 0
		for _, i := range known {
			out, err := c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String("crash"), Execution: &types.WorkflowExecution{WorkflowId: aws.String("wf-" + strconv.Itoa(i)), RunId: aws.String(runOf(&started, i))}})
			if err == nil && out.ExecutionInfo.ExecutionStatus == types.ExecutionStatusClosed {
				n++
			}
		}
		return n
	}
	var n int
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if n = finished(); n == len(known) {
			break
		}
	}
	close(stop)
	wg.Wait()
	// Check with a fresh client: pooled connections may still point at a
	// server that was killed.
	c = swftest.NewClient(url)
	if n != len(known) {
		t.Fatalf("%d of %d acknowledged workflows finished", n, len(known))
	}
	for _, i := range known {
		ex := &types.WorkflowExecution{WorkflowId: aws.String("wf-" + strconv.Itoa(i)), RunId: aws.String(runOf(&started, i))}
		events := history(ctx, t, c, ex)
		if err := checkHistory(events); err != nil {
			t.Errorf("%s: %v\n%v", aws.ToString(ex.WorkflowId), err, eventSummary(events))
		}
		if events[len(events)-1].EventType != types.EventTypeWorkflowExecutionCompleted {
			t.Errorf("%s closed with %s", aws.ToString(ex.WorkflowId), events[len(events)-1].EventType)
		}
	}
	// Acknowledged completions were never undone.
	knownRuns := map[string]bool{}
	for _, i := range known {
		knownRuns[runOf(&started, i)] = true
	}
	completedActs.Range(func(k, _ any) bool {
		runAndStarted := k.(string)
		// Run ids are base64 and may hold a slash: the attempt follows the last.
		if run := runAndStarted[:strings.LastIndex(runAndStarted, "/")]; !knownRuns[run] {
			return true // a run whose start reply was lost: its history is not reachable
		}
		found := false
		for _, i := range known {
			run := runOf(&started, i)
			events := history(ctx, t, c, &types.WorkflowExecution{WorkflowId: aws.String("wf-" + strconv.Itoa(i)), RunId: aws.String(run)})
			for _, e := range events {
				if a := e.ActivityTaskCompletedEventAttributes; a != nil && run+"/"+strconv.FormatInt(a.StartedEventId, 10) == runAndStarted {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("acknowledged completion %s is not in the history", runAndStarted)
		}
		return true
	})
}

// decide is the crash test's decider: it runs activities x and y, each
// again under a new id when an attempt timed out, and completes the
// workflow when both are done.
func decide(events []types.HistoryEvent) []types.Decision {
	logical := map[int64]string{} // scheduled event id → x or y
	attempts := map[string]int{}
	open := map[string]int{}
	done := map[string]bool{}
	for _, e := range events {
		switch {
		case e.ActivityTaskScheduledEventAttributes != nil:
			name := aws.ToString(e.ActivityTaskScheduledEventAttributes.ActivityId)[:1]
			logical[e.EventId] = name
			attempts[name]++
			open[name]++
		case e.ActivityTaskCompletedEventAttributes != nil:
			name := logical[e.ActivityTaskCompletedEventAttributes.ScheduledEventId]
			open[name]--
			done[name] = true
		case e.ActivityTaskTimedOutEventAttributes != nil:
			open[logical[e.ActivityTaskTimedOutEventAttributes.ScheduledEventId]]--
		}
	}
	if done["x"] && done["y"] {
		return []types.Decision{{DecisionType: types.DecisionTypeCompleteWorkflowExecution}}
	}
	var decisions []types.Decision
	for _, name := range []string{"x", "y"} {
		if !done[name] && open[name] == 0 {
			decisions = append(decisions, types.Decision{DecisionType: types.DecisionTypeScheduleActivityTask, ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{
				ActivityType: &types.ActivityType{Name: aws.String("act"), Version: aws.String("1")}, ActivityId: aws.String(name + "-" + strconv.Itoa(attempts[name]+1))}})
		}
	}
	return decisions
}

// checkHistory checks the invariants every history keeps.
func checkHistory(events []types.HistoryEvent) error {
	if len(events) == 0 || events[0].EventType != types.EventTypeWorkflowExecutionStarted {
		return errors.New("does not begin with WorkflowExecutionStarted")
	}
	byID := map[int64]types.HistoryEvent{}
	closedActs := map[int64]bool{}
	startedActs := map[int64]int64{}
	decisionScheduled, decisionStarted := map[int64]bool{}, map[int64]int64{}
	closeEvents := 0
	for i, e := range events {
		if e.EventId != int64(i+1) {
			return fmt.Errorf("event %d has id %d", i+1, e.EventId)
		}
		byID[e.EventId] = e
		switch e.EventType {
		case types.EventTypeDecisionTaskScheduled:
			decisionScheduled[e.EventId] = true
		case types.EventTypeDecisionTaskStarted:
			s := e.DecisionTaskStartedEventAttributes.ScheduledEventId
			if !decisionScheduled[s] {
				return fmt.Errorf("event %d starts unknown decision task %d", e.EventId, s)
			}
			delete(decisionScheduled, s)
			decisionStarted[e.EventId] = s
		case types.EventTypeDecisionTaskCompleted, types.EventTypeDecisionTaskTimedOut:
			var s, st int64
			if a := e.DecisionTaskCompletedEventAttributes; a != nil {
				s, st = a.ScheduledEventId, a.StartedEventId
			} else {
				s, st = e.DecisionTaskTimedOutEventAttributes.ScheduledEventId, e.DecisionTaskTimedOutEventAttributes.StartedEventId
			}
			if st != 0 {
				if decisionStarted[st] != s {
					return fmt.Errorf("event %d closes decision task %d/%d that is not started", e.EventId, s, st)
				}
				delete(decisionStarted, st)
			} else if !decisionScheduled[s] {
				return fmt.Errorf("event %d times out decision task %d that is not scheduled", e.EventId, s)
			}
		case types.EventTypeActivityTaskStarted:
			s := e.ActivityTaskStartedEventAttributes.ScheduledEventId
			if byID[s].EventType != types.EventTypeActivityTaskScheduled || closedActs[s] || startedActs[s] != 0 {
				return fmt.Errorf("event %d starts activity %d illegally", e.EventId, s)
			}
			startedActs[s] = e.EventId
		case types.EventTypeActivityTaskCompleted, types.EventTypeActivityTaskTimedOut, types.EventTypeActivityTaskFailed, types.EventTypeActivityTaskCanceled:
			var s int64
			switch {
			case e.ActivityTaskCompletedEventAttributes != nil:
				s = e.ActivityTaskCompletedEventAttributes.ScheduledEventId
			case e.ActivityTaskTimedOutEventAttributes != nil:
				s = e.ActivityTaskTimedOutEventAttributes.ScheduledEventId
			case e.ActivityTaskFailedEventAttributes != nil:
				s = e.ActivityTaskFailedEventAttributes.ScheduledEventId
			default:
				s = e.ActivityTaskCanceledEventAttributes.ScheduledEventId
			}
			if closedActs[s] {
				return fmt.Errorf("activity %d closed twice (event %d)", s, e.EventId)
			}
			closedActs[s] = true
		case types.EventTypeWorkflowExecutionCompleted, types.EventTypeWorkflowExecutionFailed, types.EventTypeWorkflowExecutionCanceled,
			types.EventTypeWorkflowExecutionTerminated, types.EventTypeWorkflowExecutionTimedOut:
			closeEvents++
			if i != len(events)-1 {
				return fmt.Errorf("close event %d is not last", e.EventId)
			}
		}
	}
	if closeEvents != 1 {
		return fmt.Errorf("%d close events", closeEvents)
	}
	return nil
}

func eventSummary(events []types.HistoryEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, strconv.FormatInt(e.EventId, 10)+":"+string(e.EventType))
	}
	return out
}

func history(ctx context.Context, t *testing.T, c *swf.Client, ex *types.WorkflowExecution) []types.HistoryEvent {
	t.Helper()
	return domainHistory(ctx, t, c, "crash", ex)
}

// domainHistory reads a run's whole history, retrying a page whose
// connection was lost.
func domainHistory(ctx context.Context, t *testing.T, c *swf.Client, domain string, ex *types.WorkflowExecution) []types.HistoryEvent {
	t.Helper()
	var events []types.HistoryEvent
	p := swf.NewGetWorkflowExecutionHistoryPaginator(c, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(domain), Execution: ex})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		for try := 0; err != nil && try < 3; try++ {
			var apiErr smithy.APIError
			if errors.As(err, &apiErr) {
				break // an answer, not a lost connection
			}
			time.Sleep(100 * time.Millisecond)
			page, err = p.NextPage(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, page.Events...)
	}
	return events
}

func allEvents(ctx context.Context, c *swf.Client, dt *swf.PollForDecisionTaskOutput) []types.HistoryEvent {
	events := dt.Events
	for tok := dt.NextPageToken; tok != nil; {
		page, err := c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String("crash"), TaskList: &types.TaskList{Name: aws.String("d")}, NextPageToken: tok})
		if err != nil {
			break
		}
		events = append(events, page.Events...)
		tok = page.NextPageToken
	}
	return events
}

func runOf(m *sync.Map, i int) string {
	v, _ := m.Load("wf-" + strconv.Itoa(i))
	s, _ := v.(string)
	return s
}

// retry calls f until it succeeds: the server may be down for a moment.
func retry(ctx context.Context, f func() error) {
	for ctx.Err() == nil {
		if f() == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ignore treats the fault code as success: a retried call whose first try
// succeeded before the server died meets its own result.
func ignore(err error, code string) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == code {
		return nil
	}
	return err
}

func pause(err error) {
	if err != nil {
		time.Sleep(50 * time.Millisecond)
	}
}

func closed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitListening(t *testing.T, addr string) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("server at %s did not come up", addr)
}

// chaosFor is how long the server is killed and restarted (OPENSWF_CHAOS
// overrides the default, e.g. 0s to check the workload alone).
func chaosFor() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("OPENSWF_CHAOS")); err == nil {
		return d
	}
	return 8 * time.Second
}
