package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// ActivityFunc runs one activity task. What it returns becomes the task's
// answer:
//
//   - a nil error: RespondActivityTaskCompleted with the result;
//   - an error wrapping context.Canceled after SWF asked to cancel the task
//     (ctx is then cancelled, with [ErrCancelRequested] as its cause):
//     RespondActivityTaskCanceled with the last details given to
//     [ActivityTask.Progress];
//   - an [*ActivityError]: RespondActivityTaskFailed with its reason and
//     details;
//   - any other error: RespondActivityTaskFailed with the error's text as
//     reason (and as details too, when the reason had to be cut).
//
// ctx is cancelled when a heartbeat hears of a cancel request (cause
// [ErrCancelRequested]); when a heartbeat hears that SWF no longer knows
// the task (it timed out or its run closed), or the task's start-to-close
// timeout passes (cause [ErrTaskGone] for both: no answer is sent, SWF
// would refuse it); and when the worker's drain timeout passes during a
// shutdown (cause [ErrShutdown]).
//
// A panic is caught and answered as a failure with reason "panic", the
// panic's value and the stack as details. Results, reasons and details are
// cut to SWF's limits (32768, 256 and 32768 characters), with a log line.
type ActivityFunc func(ctx context.Context, task *ActivityTask) (result string, err error)

// Activity is an activity type a worker runs.
type Activity struct {
	// Name and Version name the activity type.
	Name, Version string
	// Func runs each task of the type.
	Func ActivityFunc
	// HeartbeatInterval, when positive, is how often the worker heartbeats
	// for each task of the type, whatever its heartbeat timeout; zero means
	// derived from the task's heartbeat timeout (see [HeartbeatInterval]),
	// and no heartbeats when that timeout is NONE. Set it when the worker
	// may not read histories or describe types (a principal allowed only
	// the worker's own calls), or to hear of cancellations of tasks without
	// a heartbeat timeout.
	HeartbeatInterval time.Duration
}

// ActivityError is an error an ActivityFunc returns to fail its task with a
// reason and details of its choosing.
type ActivityError struct {
	Reason, Details string
}

func (e *ActivityError) Error() string {
	if e.Details == "" {
		return e.Reason
	}
	return e.Reason + ": " + e.Details
}

// Causes of the cancellation of an activity function's context, as
// context.Cause reports them.
var (
	// ErrCancelRequested: a heartbeat answered that the decider asked to
	// cancel the task.
	ErrCancelRequested = errors.New("worker: SWF asked to cancel the activity task")
	// ErrTaskGone: a heartbeat answered that the task is unknown (it timed
	// out or its workflow closed), or the task's start-to-close timeout
	// passed. No answer is sent for it.
	ErrTaskGone = errors.New("worker: the activity task timed out or its workflow closed")
	// ErrShutdown: the worker shut down and its drain timeout passed.
	ErrShutdown = errors.New("worker: shutting down")
)

// ActivityTask is one task handed to an ActivityFunc.
type ActivityTask struct {
	// Token is the task token.
	Token string
	// ActivityID is the id the decider gave the activity.
	ActivityID string
	// Type is the task's activity type.
	Type types.ActivityType
	// Input is the input the decider gave the activity.
	Input string
	// WorkflowExecution is the run that scheduled the task.
	WorkflowExecution types.WorkflowExecution
	// StartedEventID is the id of the task's ActivityTaskStarted event.
	StartedEventID int64
	// HeartbeatTimeout is the task's heartbeat timeout; zero when NONE or
	// unknown.
	HeartbeatTimeout time.Duration
	// HeartbeatInterval is how often the worker heartbeats for the task;
	// zero when it does not.
	HeartbeatInterval time.Duration

	mu      sync.Mutex
	details string // the latest progress reported
}

// Progress records details of the task's progress. The worker sends the
// latest details with its next heartbeat (many calls between two heartbeats
// cost one heartbeat), cut to SWF's 2048 characters; they are what the
// decider sees in ActivityTaskTimedOut should the task time out, and what
// RespondActivityTaskCanceled carries. Progress is safe to call from any
// goroutine and never blocks on the network.
func (t *ActivityTask) Progress(details string) {
	t.mu.Lock()
	t.details = details
	t.mu.Unlock()
}

// lastDetails returns the latest details reported.
func (t *ActivityTask) lastDetails() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.details
}

// ActivityWorker polls one activity task list and runs the functions
// registered for the tasks' types.
type ActivityWorker struct {
	client Client
	opts   Options

	mu      sync.Mutex
	funcs   map[typeID]Activity
	running bool

	timeouts timeoutCache
}

// NewActivityWorker returns a worker of the task list o names. Register the
// activity types it runs, then call Run.
func NewActivityWorker(c Client, o Options) (*ActivityWorker, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	return &ActivityWorker{client: c, opts: o, funcs: map[typeID]Activity{}, timeouts: timeoutCache{types: map[typeID]timeouts{}}}, nil
}

// Register adds an activity type the worker runs. It must be called before
// Run; a type registered twice is an error.
func (w *ActivityWorker) Register(a Activity) error {
	if a.Name == "" || a.Version == "" || a.Func == nil {
		return errors.New("worker: an Activity needs a Name, a Version and a Func")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running {
		return errors.New("worker: Register after Run")
	}
	k := typeID{a.Name, a.Version}
	if _, dup := w.funcs[k]; dup {
		return fmt.Errorf("worker: activity type %s/%s registered twice", a.Name, a.Version)
	}
	w.funcs[k] = a
	return nil
}

// typeID names an activity type by value (types.ActivityType holds
// pointers, which a map would compare by address).
type typeID struct{ name, version string }

func typeKey(t *types.ActivityType) typeID {
	return typeID{aws.ToString(t.Name), aws.ToString(t.Version)}
}

// Run polls and runs tasks until ctx is cancelled, then shuts down: it
// stops polling, lets the polls in flight return (at most the server's long
// poll, 60 s on SWF; a task they bring is run too, since cancelling a poll
// could lose a task already handed out), lets the running functions finish
// for up to DrainTimeout, then cancels their contexts (cause
// [ErrShutdown]). Every task taken is answered before Run returns: a
// function that returns its context's error because of the shutdown fails
// its task with reason "worker shutting down", so that the decider can
// schedule it again. Run returns an error only when it cannot start.
func (w *ActivityWorker) Run(ctx context.Context) error {
	w.mu.Lock()
	if len(w.funcs) == 0 {
		w.mu.Unlock()
		return errors.New("worker: no activity type registered")
	}
	if w.running {
		w.mu.Unlock()
		return errors.New("worker: Run called twice")
	}
	w.running = true
	w.mu.Unlock()
	o := &w.opts
	runPool(ctx, o, func(ctx context.Context) (*swf.PollForActivityTaskOutput, bool, error) {
		out, err := w.client.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{
			Domain: aws.String(o.Domain), TaskList: &types.TaskList{Name: aws.String(o.TaskList)}, Identity: aws.String(o.Identity)})
		if err != nil {
			return nil, false, err
		}
		return out, aws.ToString(out.TaskToken) != "", nil
	}, w.handle)
	return nil
}

// handle runs one task and answers it.
func (w *ActivityWorker) handle(runCtx context.Context, out *swf.PollForActivityTaskOutput) {
	o := &w.opts
	t := &ActivityTask{
		Token:          aws.ToString(out.TaskToken),
		ActivityID:     aws.ToString(out.ActivityId),
		Input:          aws.ToString(out.Input),
		StartedEventID: out.StartedEventId,
	}
	if out.ActivityType != nil {
		t.Type = *out.ActivityType
	}
	if out.WorkflowExecution != nil {
		t.WorkflowExecution = *out.WorkflowExecution
	}
	log := o.Logger.With("activityType", aws.ToString(t.Type.Name), "activityId", t.ActivityID,
		"workflowId", aws.ToString(t.WorkflowExecution.WorkflowId), "runId", aws.ToString(t.WorkflowExecution.RunId))
	w.mu.Lock()
	a, ok := w.funcs[typeKey(&t.Type)]
	w.mu.Unlock()
	if !ok {
		log.Error("worker: no function registered for the activity type; failing the task")
		w.fail(log, t, "unknown activity type", fmt.Sprintf("no function registered for %s/%s", aws.ToString(t.Type.Name), aws.ToString(t.Type.Version)))
		return
	}
	if runCtx.Err() != nil {
		// Taken by a poll that returned after the drain timeout: there is no
		// time left to run it, so it is handed back at once.
		w.fail(log, t, "worker shutting down", "the task arrived after the worker's drain timeout")
		return
	}

	started := o.clock.Now()
	to := w.timeoutsOf(runCtx, log, t)
	t.HeartbeatTimeout = to.heartbeat
	t.HeartbeatInterval = a.HeartbeatInterval
	switch {
	case t.HeartbeatInterval > 0:
	case to.known:
		t.HeartbeatInterval = HeartbeatInterval(to.heartbeat)
	default:
		t.HeartbeatInterval = unknownInterval
	}

	fnCtx, cancel := context.WithCancelCause(runCtx)
	defer cancel(nil)
	if to.startToClose > 0 {
		// The task is dead on the server once its start-to-close timeout
		// passes (the server's clock started before ours): the function
		// hears of it even without heartbeats.
		stop := afterFunc(o, started.Add(to.startToClose).Sub(o.clock.Now()), func() { cancel(ErrTaskGone) })
		defer stop()
	}

	var hb sync.WaitGroup
	hbStop := make(chan struct{})
	var gone bool // written by the heartbeat loop, read after hb.Wait
	if t.HeartbeatInterval > 0 {
		hb.Go(func() { gone = w.heartbeats(log, t, started, hbStop, cancel) })
	}
	result, err := call(fnCtx, a.Func, t)
	close(hbStop)
	hb.Wait() // no heartbeat may follow the answer

	cause := context.Cause(fnCtx)
	var p *panicError
	var ae *ActivityError
	switch {
	case gone || cause == ErrTaskGone:
		log.Warn("worker: the task timed out or its workflow closed; no answer sent", "err", err)
	case errors.As(err, &p):
		log.Error("worker: the activity function panicked", "panic", fmt.Sprint(p.value))
		w.fail(log, t, "panic", fmt.Sprint(p.value)+"\n\n"+string(p.stack))
	case err == nil:
		w.send(log, "RespondActivityTaskCompleted", func(ctx context.Context) error {
			_, err := w.client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{
				TaskToken: aws.String(t.Token), Result: cutLogged(log, "result", result, maxResult)})
			return err
		})
	case cause == ErrCancelRequested && errors.Is(err, context.Canceled):
		w.send(log, "RespondActivityTaskCanceled", func(ctx context.Context) error {
			_, err := w.client.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{
				TaskToken: aws.String(t.Token), Details: cutLogged(log, "details", t.lastDetails(), maxDetails)})
			return err
		})
	case errors.As(err, &ae):
		w.fail(log, t, ae.Reason, ae.Details)
	case cause == ErrShutdown && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		w.fail(log, t, "worker shutting down", "the worker's drain timeout passed before the activity finished")
	default:
		msg := err.Error()
		details := ""
		if len(cut(msg, maxReason)) < len(msg) {
			details = msg
		}
		w.fail(log, t, msg, details)
	}
}

// call runs fn, turning a panic into a *panicError.
func call(ctx context.Context, fn ActivityFunc, t *ActivityTask) (result string, err error) {
	defer func() {
		if v := recover(); v != nil {
			result, err = "", &panicError{value: v, stack: debug.Stack()}
		}
	}()
	return fn(ctx, t)
}

func (w *ActivityWorker) fail(log *slog.Logger, t *ActivityTask, reason, details string) {
	in := &swf.RespondActivityTaskFailedInput{TaskToken: aws.String(t.Token), Reason: cutLogged(log, "reason", reason, maxReason)}
	if details != "" {
		in.Details = cutLogged(log, "details", details, maxDetails)
	}
	w.send(log, "RespondActivityTaskFailed", func(ctx context.Context) error {
		_, err := w.client.RespondActivityTaskFailed(ctx, in)
		return err
	})
}

// send answers a task, retrying transient errors, and logs an answer that
// did not go through.
func (w *ActivityWorker) send(log *slog.Logger, op string, fn func(ctx context.Context) error) {
	err := answer(&w.opts, fn)
	var gone *types.UnknownResourceFault
	switch {
	case err == nil:
		log.Debug("worker: answered", "op", op)
	case errors.As(err, &gone):
		log.Warn("worker: the task was gone when answered (timed out, or its workflow closed)", "op", op, "err", err)
	default:
		log.Error("worker: could not answer the task", "op", op, "err", err)
	}
}

// afterFunc calls f after d on o's clock, unless the returned stop is
// called first.
func afterFunc(o *Options, d time.Duration, f func()) (stop func()) {
	t := o.clock.NewTimer(max(d, 0))
	done := make(chan struct{})
	go func() {
		select {
		case <-t.C():
			f()
		case <-done:
		}
	}()
	return func() {
		t.Stop()
		close(done)
	}
}
