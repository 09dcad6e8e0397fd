package worker_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/swftest"
	"github.com/openswf/openswf/worker"
)

// call is one operation the server answered, as the recorder saw it.
type call struct {
	op    string
	at    time.Time
	token string // the task token the call names or hands out
	in    any
	err   error
}

// recorder is a server-side interceptor that records the calls of the
// worker: what the server received and when, not what the client thinks it
// sent. It can also refuse heartbeats with a throttling fault.
type recorder struct {
	mu             sync.Mutex
	calls          []call
	blockHeartbeat bool
	deny           map[string]bool // operations answered OperationNotPermittedFault
}

func (r *recorder) intercept(ctx context.Context, op string, in any, next swfapi.Handler) (any, error) {
	r.mu.Lock()
	blocked := r.blockHeartbeat && op == "RecordActivityTaskHeartbeat"
	deny := r.deny[op]
	r.mu.Unlock()
	var out any
	var err error
	switch {
	case blocked:
		err = swfapi.NewFault(swfapi.CodeThrottling, "Rate exceeded")
	case deny:
		err = swfapi.NewFault(swfapi.CodeOperationNotPermitted, "User is not authorized to perform: swf:%s", op)
	default:
		out, err = next(ctx, op, in)
	}
	c := call{op: op, at: time.Now(), in: in, err: err}
	switch v := in.(type) {
	case *swfapi.RecordActivityTaskHeartbeatInput:
		c.token = aws.ToString(v.TaskToken)
	case *swfapi.RespondActivityTaskCompletedInput:
		c.token = aws.ToString(v.TaskToken)
	case *swfapi.RespondActivityTaskFailedInput:
		c.token = aws.ToString(v.TaskToken)
	case *swfapi.RespondActivityTaskCanceledInput:
		c.token = aws.ToString(v.TaskToken)
	}
	if t, ok := out.(*swfapi.ActivityTask); ok && err == nil {
		c.token = aws.ToString(t.TaskToken)
	}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	return out, err
}

func (r *recorder) block(b bool) {
	r.mu.Lock()
	r.blockHeartbeat = b
	r.mu.Unlock()
}

// of returns the calls of op (all ops if empty) naming token (any if empty).
func (r *recorder) of(op, token string) []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call
	for _, c := range r.calls {
		if (op == "" || c.op == op) && (token == "" || c.token == token) {
			out = append(out, c)
		}
	}
	return out
}

// env is a server with domain "d", workflow type "wf/1" (decisions on
// "decisions") and activity type "act/1" (on "acts").
type env struct {
	t   *testing.T
	srv *swftest.Server
	c   *swf.Client
	rec *recorder
	log *slog.Logger
}

type envOptions struct {
	heartbeatTimeout    string // the activity type's default, "NONE" if empty
	startToCloseTimeout string // the activity type's default, "60" if empty
	taskTimeout         string // the workflow type's task start-to-close timeout, "10" if empty
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	rec := &recorder{}
	srv := swftest.Start(t, swftest.Options{Clock: clock.Real{}, LongPoll: time.Second, Interceptors: []swfapi.Interceptor{rec.intercept}})
	e := &env{t: t, srv: srv, c: srv.Client, rec: rec, log: testLogger(t)}
	def := func(s, d string) *string {
		if s == "" {
			s = d
		}
		return aws.String(s)
	}
	ctx := context.Background()
	if _, err := e.c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("d"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("wf"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("decisions")}, DefaultChildPolicy: types.ChildPolicyTerminate,
		DefaultTaskStartToCloseTimeout: def(o.taskTimeout, "10"), DefaultExecutionStartToCloseTimeout: aws.String("300")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("act"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("acts")}, DefaultTaskStartToCloseTimeout: def(o.startToCloseTimeout, "60"),
		DefaultTaskScheduleToStartTimeout: aws.String("60"), DefaultTaskScheduleToCloseTimeout: aws.String("120"),
		DefaultTaskHeartbeatTimeout: def(o.heartbeatTimeout, "NONE")}); err != nil {
		t.Fatal(err)
	}
	return e
}

// testLogger logs to the test's log, so that a failing test shows what the
// worker said.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// capture is a log handler output that keeps the lines, for tests of what
// is logged.
type capture struct {
	mu    sync.Mutex
	lines []string
	next  io.Writer
}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.lines = append(c.lines, string(p))
	c.mu.Unlock()
	return c.next.Write(p)
}

func (c *capture) contains(s string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// start starts a run of wf/1 with input.
func (e *env) start(id, input string) types.WorkflowExecution {
	e.t.Helper()
	out, err := e.c.StartWorkflowExecution(context.Background(), &swf.StartWorkflowExecutionInput{Domain: aws.String("d"), WorkflowId: aws.String(id),
		WorkflowType: &types.WorkflowType{Name: aws.String("wf"), Version: aws.String("1")}, Input: aws.String(input)})
	if err != nil {
		e.t.Fatal(err)
	}
	return types.WorkflowExecution{WorkflowId: aws.String(id), RunId: out.RunId}
}

// history returns the run's history.
func (e *env) history(ex types.WorkflowExecution) []types.HistoryEvent {
	e.t.Helper()
	var events []types.HistoryEvent
	in := &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String("d"), Execution: &ex}
	for {
		out, err := e.c.GetWorkflowExecutionHistory(context.Background(), in)
		if err != nil {
			e.t.Fatal(err)
		}
		events = append(events, out.Events...)
		if out.NextPageToken == nil {
			return events
		}
		in.NextPageToken = out.NextPageToken
	}
}

// waitFor polls the run's history until an event of type et is in it, and
// returns it.
func (e *env) waitFor(ex types.WorkflowExecution, et types.EventType, within time.Duration) types.HistoryEvent {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		for _, ev := range e.history(ex) {
			if ev.EventType == et {
				return ev
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	var seen []string
	for _, ev := range e.history(ex) {
		seen = append(seen, string(ev.EventType))
	}
	e.t.Fatalf("no %s in %s within %v; history: %v", et, aws.ToString(ex.WorkflowId), within, seen)
	return types.HistoryEvent{}
}

func (e *env) options(taskList string) worker.Options {
	return worker.Options{Domain: "d", TaskList: taskList, Identity: "test-" + taskList, Logger: e.log, DrainTimeout: 5 * time.Second, AnswerTimeout: 10 * time.Second}
}

// runDecider runs a decider of "decisions" with fn until the test ends.
func (e *env) runDecider(fn worker.DecisionFunc) {
	e.t.Helper()
	d, err := worker.NewDecider(e.c, e.options("decisions"), fn)
	if err != nil {
		e.t.Fatal(err)
	}
	e.run(d.Run)
}

// run runs f until the test ends, and waits for it to return.
func (e *env) run(f func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := f(ctx); err != nil {
			e.t.Error(err)
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	e.t.Cleanup(stop)
	return stop
}

// runWorker runs a worker of "acts" with the activity act/1 running fn.
func (e *env) runWorker(o worker.Options, fn worker.ActivityFunc) (stop func()) {
	e.t.Helper()
	w, err := worker.NewActivityWorker(e.c, o)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := w.Register(worker.Activity{Name: "act", Version: "1", Func: fn}); err != nil {
		e.t.Fatal(err)
	}
	return e.run(w.Run)
}

// oneActivity is a decider that schedules one act/1 per line of the
// workflow's input (ids a0, a1, …, the line as input), asks to cancel every
// activity once the run is signalled "cancel", and completes the run when
// all activities are closed, with their outcomes as result.
func oneActivity(ctx context.Context, t *worker.DecisionTask) ([]types.Decision, error) {
	inputs := strings.Split(t.Input(), "\n")
	acts := t.Activities()
	if len(acts) == 0 {
		var ds []types.Decision
		for i, in := range inputs {
			ds = append(ds, worker.ScheduleActivity("a"+strconv.Itoa(i), "act", "1", in))
		}
		return ds, nil
	}
	cancel := false
	for _, s := range t.Signals() {
		cancel = cancel || s.Name == "cancel"
	}
	var ds []types.Decision
	var outcome []string
	for i := range inputs {
		a := acts["a"+strconv.Itoa(i)]
		if a == nil {
			return nil, errors.New("activity missing from the history")
		}
		if !a.Status.Closed() {
			if cancel && !a.CancelRequested {
				ds = append(ds, worker.RequestCancelActivity(a.ID))
			}
			continue
		}
		outcome = append(outcome, a.ID+"="+string(a.Status)+":"+a.Result+a.Reason+a.Details)
	}
	if len(outcome) == len(inputs) {
		return []types.Decision{worker.CompleteWorkflow(strings.Join(outcome, "\n"))}, nil
	}
	return ds, nil
}
