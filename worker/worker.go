package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/swf"

	"github.com/openswf/openswf/internal/clock"
)

// Client is the part of the SWF API this package calls; *swf.Client
// implements it. It is an interface so that a program can put its own
// middleware (metrics, tracing) between the worker and the SDK.
type Client interface {
	PollForActivityTask(context.Context, *swf.PollForActivityTaskInput, ...func(*swf.Options)) (*swf.PollForActivityTaskOutput, error)
	RecordActivityTaskHeartbeat(context.Context, *swf.RecordActivityTaskHeartbeatInput, ...func(*swf.Options)) (*swf.RecordActivityTaskHeartbeatOutput, error)
	RespondActivityTaskCompleted(context.Context, *swf.RespondActivityTaskCompletedInput, ...func(*swf.Options)) (*swf.RespondActivityTaskCompletedOutput, error)
	RespondActivityTaskFailed(context.Context, *swf.RespondActivityTaskFailedInput, ...func(*swf.Options)) (*swf.RespondActivityTaskFailedOutput, error)
	RespondActivityTaskCanceled(context.Context, *swf.RespondActivityTaskCanceledInput, ...func(*swf.Options)) (*swf.RespondActivityTaskCanceledOutput, error)
	GetWorkflowExecutionHistory(context.Context, *swf.GetWorkflowExecutionHistoryInput, ...func(*swf.Options)) (*swf.GetWorkflowExecutionHistoryOutput, error)
	DescribeActivityType(context.Context, *swf.DescribeActivityTypeInput, ...func(*swf.Options)) (*swf.DescribeActivityTypeOutput, error)
	PollForDecisionTask(context.Context, *swf.PollForDecisionTaskInput, ...func(*swf.Options)) (*swf.PollForDecisionTaskOutput, error)
	RespondDecisionTaskCompleted(context.Context, *swf.RespondDecisionTaskCompletedInput, ...func(*swf.Options)) (*swf.RespondDecisionTaskCompletedOutput, error)
}

var _ Client = (*swf.Client)(nil)

// Options configure an ActivityWorker or a Decider.
type Options struct {
	// Domain and TaskList name the task list polled. Both are required.
	Domain   string
	TaskList string
	// Identity is recorded in the history with each task taken; empty means
	// "hostname:pid".
	Identity string
	// Concurrency is how many tasks run at once (0: 1). A poller polls only
	// while a slot is free, so the worker never takes a task it could not
	// start at once.
	Concurrency int
	// Pollers is how many long polls may wait at once (0: 1; at most
	// Concurrency). More than one shortens the gap between a task taken and
	// the next poll when tasks are short and many.
	Pollers int
	// DrainTimeout is how long Run lets the tasks it holds finish once its
	// context is cancelled, before it cancels theirs (0: 30 s).
	DrainTimeout time.Duration
	// AnswerTimeout bounds how long an answer (a Respond… call) is retried
	// while openswf is unreachable or throttles (0: 2 min).
	AnswerTimeout time.Duration
	// Logger receives what the worker has to say (nil: slog.Default()).
	Logger *slog.Logger

	// clock is the worker's clock; tests of this package replace it.
	clock clock.Clock
}

// Limits of the SWF model on what answers carry, in characters.
const (
	maxResult           = 32768
	maxDetails          = 32768
	maxReason           = 256
	maxHeartbeatDetails = 2048
	maxIdentity         = 256
)

// The long poll of SWF holds for 60 s; a poll that has not answered well
// after that has lost its server, so it is given up.
const pollTimeout = 70 * time.Second

func (o Options) withDefaults() (Options, error) {
	if o.Domain == "" || o.TaskList == "" {
		return o, errors.New("worker: Options.Domain and Options.TaskList are required")
	}
	if o.Identity == "" {
		host, _ := os.Hostname()
		o.Identity = host + ":" + strconv.Itoa(os.Getpid())
	}
	o.Identity = cut(o.Identity, maxIdentity)
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.Pollers <= 0 {
		o.Pollers = 1
	}
	o.Pollers = min(o.Pollers, o.Concurrency)
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 30 * time.Second
	}
	if o.AnswerTimeout <= 0 {
		o.AnswerTimeout = 2 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.clock == nil {
		o.clock = clock.Real{}
	}
	return o, nil
}

// cut returns s cut to at most n characters (runes, as SWF counts them), on
// a character boundary.
func cut(s string, n int) string {
	if len(s) <= n { // fewer bytes than n: fewer runes too
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i]
}

// cutLogged cuts s to n characters and says so in the log when it did: a
// silently shortened result is a puzzle for whoever reads the history.
func cutLogged(log *slog.Logger, what, s string, n int) *string {
	c := cut(s, n)
	if len(c) < len(s) {
		log.Warn("worker: cut to SWF's limit", "field", what, "limit", n, "length", utf8.RuneCountInString(s))
	}
	return aws.String(c)
}

// transient reports whether err is worth trying again: throttling, a 5xx,
// a connection that failed. The SDK's own classification is used, so the
// worker retries exactly what the SDK's retryer would.
func transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	// The SDK's retryer gave up for lack of retry quota: the error under it
	// was worth a retry, which this worker paces itself.
	if errors.As(err, new(ratelimit.QuotaExceededError)) {
		return true
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// sleep waits d on c, or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, c clock.Clock, d time.Duration) bool {
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-ctx.Done():
		return false
	}
}

// backoff is an exponential delay: 100 ms doubled per failure up to max.
type backoff struct {
	next, max time.Duration
}

func (b *backoff) delay() time.Duration {
	if b.next == 0 {
		b.next = 100 * time.Millisecond
	}
	d := b.next
	b.next = min(2*b.next, b.max)
	return d
}

func (b *backoff) reset() { b.next = 0 }

// answer calls send until it succeeds, fails for good, or AnswerTimeout
// passes, retrying transient errors with backoff. It runs on a context of
// its own: the answers of a worker shutting down must still go out.
func answer(o *Options, send func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), o.AnswerTimeout)
	defer cancel()
	b := backoff{max: 5 * time.Second}
	for {
		err := send(ctx)
		if err == nil || !transient(err) || ctx.Err() != nil {
			return err
		}
		if !sleep(ctx, o.clock, b.delay()) {
			return err
		}
	}
}

// runPool polls with o.Pollers pollers while a slot of o.Concurrency is
// free, hands each task to handle on its own goroutine, and on ctx's end
// shuts down gracefully: no new poll starts, polls in flight are let
// finish (a task they bring is handled like the others: cancelling a poll
// could lose a task the server already handed out), and handle's context
// is cancelled DrainTimeout after ctx ended. It returns when every task
// taken has been handled.
func runPool[T any](ctx context.Context, o *Options, poll func(context.Context) (T, bool, error), handle func(context.Context, T)) {
	runCtx, cancelRun := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelRun(nil)
	slots := make(chan struct{}, o.Concurrency)
	var pollers, tasks sync.WaitGroup
	for range o.Pollers {
		pollers.Go(func() {
			b := backoff{max: 10 * time.Second}
			for {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return
				}
				if ctx.Err() != nil {
					<-slots
					return
				}
				pollCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pollTimeout)
				task, ok, err := poll(pollCtx)
				cancel()
				if err != nil || !ok {
					<-slots
					if err != nil {
						o.Logger.Warn("worker: poll failed", "domain", o.Domain, "taskList", o.TaskList, "err", err)
						sleep(ctx, o.clock, b.delay())
					}
					continue
				}
				b.reset()
				tasks.Go(func() {
					defer func() { <-slots }()
					handle(runCtx, task)
				})
			}
		})
	}
	<-ctx.Done()
	drained := make(chan struct{})
	go func() {
		pollers.Wait() // every tasks.Go happens in a poller: Wait after this sees them all
		tasks.Wait()
		close(drained)
	}()
	deadline := o.clock.NewTimer(o.DrainTimeout)
	defer deadline.Stop()
	select {
	case <-drained:
		return
	case <-deadline.C():
		o.Logger.Warn("worker: drain timeout passed; cancelling the tasks still running", "domain", o.Domain, "taskList", o.TaskList)
		cancelRun(ErrShutdown)
	}
	<-drained
}

// panicError is a panic of a user function, caught.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprint("panic: ", p.value) }
