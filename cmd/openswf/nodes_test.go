package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/store/dsn"
	"github.com/openswf/openswf/internal/store/pgtest"
)

// TestNodesUnderFaults runs three openswf processes on one PostgreSQL,
// with deciders and workers spread across them behind a fail-over client
// (as behind a load balancer), and workflows that run an activity which
// heartbeats, a timer and a child. Mid-run one node is killed with SIGKILL
// and later started again. Every workflow and child must complete, and
// every history must be well formed: dense ids, legal order, each task
// started and closed once, each timer fired once.
func TestNodesUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three servers and kills one")
	}
	pg := pgtest.New()
	t.Cleanup(func() { pg.Close() })
	dbURL := pg.Database(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := dsn.Migrate(ctx, dbURL, nil); err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	dir := t.TempDir()

	const nodes = 3
	var (
		addrs [nodes]string
		procs [nodes]*process
	)
	for i := range addrs {
		addrs[i] = freeAddr(t)
		procs[i] = &process{t: t, bin: bin, addr: addrs[i], log: filepath.Join(dir, fmt.Sprintf("node-%d.log", i))}
	}
	start := func(i int) { procs[i].start("--store", dbURL, "--long-poll-timeout", "3s", "--log-level", "warn") }
	kill := func(i int) { procs[i].kill() }
	for i := range nodes {
		start(i)
		t.Cleanup(func() { kill(i) })
	}
	lb := &failover{addrs: addrs[:]}
	client := func(home int) *swf.Client { return lb.client(home) }
	c := client(0)

	const dom = "nodes"
	retry(ctx, func() error {
		_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(dom), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
		return ignore(err, "DomainAlreadyExistsFault")
	})
	for _, name := range []string{"parent", "child"} {
		retry(ctx, func() error {
			_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
				Domain: aws.String(dom), Name: aws.String(name), Version: aws.String("1"),
				DefaultTaskList: &types.TaskList{Name: aws.String("d")}, DefaultTaskStartToCloseTimeout: aws.String("3"),
				DefaultExecutionStartToCloseTimeout: aws.String("600"), DefaultChildPolicy: types.ChildPolicyTerminate,
			})
			return ignore(err, "TypeAlreadyExistsFault")
		})
	}
	retry(ctx, func() error {
		_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{
			Domain: aws.String(dom), Name: aws.String("act"), Version: aws.String("1"),
			DefaultTaskList: &types.TaskList{Name: aws.String("a")}, DefaultTaskStartToCloseTimeout: aws.String("5"),
			DefaultTaskHeartbeatTimeout: aws.String("3"), DefaultTaskScheduleToStartTimeout: aws.String("NONE"),
			DefaultTaskScheduleToCloseTimeout: aws.String("NONE"),
		})
		return ignore(err, "TypeAlreadyExistsFault")
	})

	const workflows = 150
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 2 * nodes {
		c := client(i % nodes)
		wg.Go(func() { // a decider
			for !closed(stop) {
				dt, err := c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String("d")}})
				if err != nil || dt.TaskToken == nil {
					pause(err)
					continue
				}
				events := dt.Events
				for tok := dt.NextPageToken; tok != nil; {
					page, err := c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String("d")}, NextPageToken: tok})
					if err != nil {
						events = nil
						break
					}
					events, tok = append(events, page.Events...), page.NextPageToken
				}
				if events == nil {
					continue // the task times out and comes back
				}
				c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: dt.TaskToken,
					Decisions: decideNodes(aws.ToString(dt.WorkflowExecution.WorkflowId), events)})
			}
		})
		wg.Go(func() { // an activity worker: heartbeats twice, then completes
			for !closed(stop) {
				at, err := c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String("a")}})
				if err != nil || at.TaskToken == nil {
					pause(err)
					continue
				}
				for range 2 {
					time.Sleep(50 * time.Millisecond)
					c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: at.TaskToken, Details: aws.String("working")})
				}
				c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: at.TaskToken, Result: aws.String("ok")})
			}
		})
	}

	// Start the workflows through every node, and kill node 2 a moment in.
	var runs sync.Map // workflow id → run id
	starters := make(chan struct{})
	go func() {
		defer close(starters)
		var swg sync.WaitGroup
		for s := range nodes {
			c := client(s)
			swg.Go(func() {
				for i := s; i < workflows; i += nodes {
					id := "p-" + strconv.Itoa(i)
					retry(ctx, func() error {
						out, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: aws.String(id),
							WorkflowType: &types.WorkflowType{Name: aws.String("parent"), Version: aws.String("1")}})
						if err == nil {
							runs.Store(id, aws.ToString(out.RunId))
						}
						return ignore(err, "WorkflowExecutionAlreadyStartedFault")
					})
					time.Sleep(10 * time.Millisecond)
				}
			})
		}
		swg.Wait()
	}()
	time.Sleep(1500 * time.Millisecond)
	kill(2)
	t.Logf("killed node 2 at %s", time.Now().Format("15:04:05.000"))
	time.Sleep(4 * time.Second)
	start(2)
	t.Logf("started node 2 again at %s", time.Now().Format("15:04:05.000"))
	<-starters

	// Every workflow closes. A start whose answer was lost with the killed
	// node is found by its workflow id.
	runOfID := func(id string) string {
		if v, ok := runs.Load(id); ok {
			return v.(string)
		}
		since := &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}
		filter := &types.WorkflowExecutionFilter{WorkflowId: aws.String(id)}
		open, err1 := c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: since, ExecutionFilter: filter})
		done, err2 := c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: since, ExecutionFilter: filter})
		if err1 != nil || err2 != nil {
			return ""
		}
		for _, info := range append(open.ExecutionInfos, done.ExecutionInfos...) {
			runs.Store(id, aws.ToString(info.Execution.RunId))
			return aws.ToString(info.Execution.RunId)
		}
		return ""
	}
	closedRun := func(id string) (*types.WorkflowExecution, bool) {
		ex := &types.WorkflowExecution{WorkflowId: aws.String(id), RunId: aws.String(runOfID(id))}
		if aws.ToString(ex.RunId) == "" {
			return ex, false
		}
		out, err := c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: ex})
		return ex, err == nil && out.ExecutionInfo.ExecutionStatus == types.ExecutionStatusClosed
	}
	var pending []string
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(250 * time.Millisecond) {
		pending = pending[:0]
		for i := range workflows {
			if _, ok := closedRun("p-" + strconv.Itoa(i)); !ok {
				pending = append(pending, "p-"+strconv.Itoa(i))
			}
		}
		if len(pending) == 0 || time.Now().After(deadline) {
			break
		}
	}
	close(stop)
	wg.Wait()
	if len(pending) > 0 {
		var summary []string
		if ex, _ := closedRun(pending[0]); aws.ToString(ex.RunId) != "" {
			summary = eventSummary(domainHistory(ctx, t, c, dom, ex))
		}
		t.Fatalf("%d of %d workflows did not close: %v; %s's history: %v", len(pending), workflows, pending[:min(len(pending), 10)], pending[0], summary)
	}

	// Every history is well formed, and completed: the parent with its
	// activity, its timer fired once and its child; the child.
	var late []time.Duration
	for i := range workflows {
		for _, id := range []string{"p-" + strconv.Itoa(i), "p-" + strconv.Itoa(i) + "-child"} {
			ex, _ := closedRun(id)
			events := domainHistory(ctx, t, c, dom, ex)
			if err := checkHistory(events); err != nil {
				t.Errorf("%s: %v\n%v", id, err, eventSummary(events))
				continue
			}
			if last := events[len(events)-1].EventType; last != types.EventTypeWorkflowExecutionCompleted {
				t.Errorf("%s closed with %s", id, last)
			}
			if id[len(id)-1] == 'd' {
				continue
			}
			started, fired := map[string]time.Time{}, map[string]int{}
			for _, e := range events {
				switch {
				case e.TimerStartedEventAttributes != nil:
					started[aws.ToString(e.TimerStartedEventAttributes.TimerId)] = aws.ToTime(e.EventTimestamp)
				case e.TimerFiredEventAttributes != nil:
					id := aws.ToString(e.TimerFiredEventAttributes.TimerId)
					fired[id]++
					late = append(late, aws.ToTime(e.EventTimestamp).Sub(started[id].Add(time.Second)))
				}
			}
			if len(started) != 1 || fired["t"] != 1 {
				t.Errorf("%s: timers started %v, fired %v; want t once", id, started, fired)
			}
		}
	}
	slices.Sort(late)
	if len(late) > 0 {
		t.Logf("%d timers fired, late by p50 %v, p99 %v, max %v (those the killed node had claimed wait for the lease)",
			len(late), late[len(late)/2], late[len(late)*99/100], late[len(late)-1])
	}
}

// decideNodes is the multi-node test's decider for the run of workflow id.
// A parent runs activity x (again under a new id when an attempt times
// out), a one-second timer t and a child (id-child), and completes when
// all three are done; a child completes at once.
func decideNodes(id string, events []types.HistoryEvent) []types.Decision {
	first := events[0].WorkflowExecutionStartedEventAttributes
	if aws.ToString(first.WorkflowType.Name) == "child" {
		return []types.Decision{{DecisionType: types.DecisionTypeCompleteWorkflowExecution,
			CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: aws.String("child done")}}}
	}
	var (
		attempts, openActs     int
		actDone                bool
		timerStarted, timerRan bool
		childStarted, childRan bool
	)
	for _, e := range events {
		switch e.EventType {
		case types.EventTypeActivityTaskScheduled:
			attempts++
			openActs++
		case types.EventTypeScheduleActivityTaskFailed:
			attempts++
		case types.EventTypeActivityTaskCompleted:
			openActs--
			actDone = true
		case types.EventTypeActivityTaskTimedOut, types.EventTypeActivityTaskFailed, types.EventTypeActivityTaskCanceled:
			openActs--
		case types.EventTypeTimerStarted:
			timerStarted = true
		case types.EventTypeTimerFired:
			timerRan = true
		case types.EventTypeStartChildWorkflowExecutionInitiated:
			childStarted = true
		case types.EventTypeStartChildWorkflowExecutionFailed, types.EventTypeChildWorkflowExecutionFailed,
			types.EventTypeChildWorkflowExecutionTimedOut, types.EventTypeChildWorkflowExecutionTerminated:
			childStarted = false
		case types.EventTypeChildWorkflowExecutionCompleted:
			childRan = true
		}
	}
	var out []types.Decision
	if !actDone && openActs == 0 {
		out = append(out, types.Decision{DecisionType: types.DecisionTypeScheduleActivityTask,
			ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{
				ActivityId:   aws.String("x-" + strconv.Itoa(attempts)),
				ActivityType: &types.ActivityType{Name: aws.String("act"), Version: aws.String("1")},
			}})
	}
	if !timerStarted {
		out = append(out, types.Decision{DecisionType: types.DecisionTypeStartTimer,
			StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String("t"), StartToFireTimeout: aws.String("1")}})
	}
	if !childStarted && !childRan {
		out = append(out, types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution,
			StartChildWorkflowExecutionDecisionAttributes: &types.StartChildWorkflowExecutionDecisionAttributes{
				WorkflowId:   aws.String(id + "-child"),
				WorkflowType: &types.WorkflowType{Name: aws.String("child"), Version: aws.String("1")},
			}})
	}
	if actDone && timerRan && childRan {
		out = append(out, types.Decision{DecisionType: types.DecisionTypeCompleteWorkflowExecution,
			CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: aws.String("done")}})
	}
	return out
}

// failover is the test's load balancer, in the client: each attempt goes
// to the client's home node, or, while that one refuses connections, to
// the next one up; the SDK's retryer sends a failed attempt again.
type failover struct {
	addrs []string
	down  sync.Map // addr → time.Time until which it is skipped
}

func (f *failover) client(home int) *swf.Client {
	rt := roundTripper(func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			var err error
			if body, err = io.ReadAll(req.Body); err != nil {
				return nil, err
			}
			req.Body.Close()
		}
		var last error
		for k := range len(f.addrs) {
			addr := f.addrs[(home+k)%len(f.addrs)]
			if until, ok := f.down.Load(addr); ok && time.Now().Before(until.(time.Time)) {
				continue
			}
			r := req.Clone(req.Context())
			r.URL.Host, r.Host = addr, addr
			r.Body = io.NopCloser(bytes.NewReader(body))
			resp, err := transport.RoundTrip(r)
			var op *net.OpError
			if err != nil && errors.As(err, &op) && op.Op == "dial" {
				f.down.Store(addr, time.Now().Add(500*time.Millisecond))
				last = err
				continue
			}
			return resp, err
		}
		if last == nil {
			last = errors.New("every node is marked down")
		}
		return nil, last
	})
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDOPENSWFTEST", "openswf-test-secret", ""),
		HTTPClient:  &http.Client{Transport: rt},
	}
	return swf.NewFromConfig(cfg, func(o *swf.Options) {
		o.BaseEndpoint = aws.String("http://" + f.addrs[home])
		o.Retryer = awsretry.NewStandard(func(so *awsretry.StandardOptions) {
			so.MaxAttempts = 8
			so.MaxBackoff = 200 * time.Millisecond
			so.RateLimiter = ratelimit.None
		})
	})
}

var transport = &http.Transport{MaxIdleConnsPerHost: 64, DialContext: (&net.Dialer{Timeout: time.Second}).DialContext}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
