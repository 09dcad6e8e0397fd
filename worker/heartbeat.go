package worker

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	"github.com/aws/smithy-go"
)

// HeartbeatInterval is the interval at which a worker heartbeats for a task
// whose heartbeat timeout is timeout (zero: NONE, no heartbeats): a third of
// the timeout, so that a heartbeat lost to a network error and its retries
// still land before the timeout, with a whole interval to spare; but not
// under a second (SWF's timeouts are whole seconds, and faster heartbeats
// only load the server) unless the timeout itself is that short, in which
// case half of it.
func HeartbeatInterval(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return 0
	}
	return max(timeout/3, min(time.Second, timeout/2))
}

// unknownInterval is the heartbeat interval of a task whose heartbeat
// timeout could not be read (the worker may neither read the history nor
// describe the type): frequent enough for most timeouts, rare enough to
// cost nothing. Activity.HeartbeatInterval is the way to say better.
const unknownInterval = 10 * time.Second

// timeouts are the timeouts of a task that the worker acts on.
type timeouts struct {
	heartbeat    time.Duration // 0: NONE
	startToClose time.Duration // 0: NONE
	known        bool
}

// timeoutCache keeps the default timeouts of the activity types described
// (unknown ones too, when describing them is not allowed), and whether
// reading histories is not allowed.
type timeoutCache struct {
	mu            sync.Mutex
	types         map[typeID]timeouts
	historyDenied atomic.Bool
}

// denied reports whether err refuses the call to this caller: asking again
// will not help.
func denied(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "OperationNotPermittedFault", "AccessDeniedException":
		return true
	}
	return false
}

// parseTimeout reads one of SWF's durations: whole seconds, or "NONE".
func parseTimeout(s *string) (time.Duration, bool) {
	if s == nil {
		return 0, false
	}
	if *s == "NONE" {
		return 0, true
	}
	n, err := strconv.ParseInt(*s, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

// timeoutsOf reads a task's timeouts from its ActivityTaskScheduled event,
// which holds the ones in force (the decider's, or the type's defaults);
// failing that (a principal not allowed to read histories), from the
// type's defaults, described once per type.
func (w *ActivityWorker) timeoutsOf(ctx context.Context, log *slog.Logger, t *ActivityTask) timeouts {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if !w.timeouts.historyDenied.Load() {
		to, err := w.scheduledTimeouts(ctx, t)
		if err == nil {
			return to
		}
		if denied(err) {
			// Not allowed now, not allowed for the next task either: stop
			// asking.
			w.timeouts.historyDenied.Store(true)
		}
		log.Debug("worker: could not read the task's scheduled event; using its type's defaults", "err", err)
	}
	k := typeKey(&t.Type)
	w.timeouts.mu.Lock()
	to, ok := w.timeouts.types[k]
	w.timeouts.mu.Unlock()
	if ok {
		return to
	}
	out, err := w.client.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String(w.opts.Domain), ActivityType: &t.Type})
	if err != nil {
		log.Warn("worker: could not learn the task's heartbeat timeout; heartbeating every 10 s", "err", err)
		if denied(err) { // said once per type
			w.timeouts.mu.Lock()
			w.timeouts.types[k] = timeouts{}
			w.timeouts.mu.Unlock()
		}
		return timeouts{}
	}
	if c := out.Configuration; c != nil {
		to.heartbeat, to.known = parseTimeout(c.DefaultTaskHeartbeatTimeout)
		to.startToClose, _ = parseTimeout(c.DefaultTaskStartToCloseTimeout)
	}
	if to.known {
		w.timeouts.mu.Lock()
		w.timeouts.types[k] = to
		w.timeouts.mu.Unlock()
	}
	return to
}

// scheduledTimeouts pages the history backwards from its end to the task's
// ActivityTaskStarted event, which names its ActivityTaskScheduled event,
// and on to that. Backwards, because a task is usually started near the
// end of its history.
func (w *ActivityWorker) scheduledTimeouts(ctx context.Context, t *ActivityTask) (timeouts, error) {
	var scheduled int64
	in := &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(w.opts.Domain), Execution: &t.WorkflowExecution, ReverseOrder: true, MaximumPageSize: 1000}
	for {
		out, err := w.client.GetWorkflowExecutionHistory(ctx, in)
		if err != nil {
			return timeouts{}, err
		}
		for _, e := range out.Events {
			switch {
			case e.EventId == t.StartedEventID && e.ActivityTaskStartedEventAttributes != nil:
				scheduled = e.ActivityTaskStartedEventAttributes.ScheduledEventId
			case scheduled != 0 && e.EventId == scheduled && e.ActivityTaskScheduledEventAttributes != nil:
				a := e.ActivityTaskScheduledEventAttributes
				var to timeouts
				to.heartbeat, to.known = parseTimeout(a.HeartbeatTimeout)
				to.startToClose, _ = parseTimeout(a.StartToCloseTimeout)
				if !to.known {
					return to, errors.New("no heartbeat timeout in the ActivityTaskScheduled event")
				}
				return to, nil
			case e.EventId < t.StartedEventID && scheduled == 0:
				return timeouts{}, errors.New("the task's ActivityTaskStarted event is not in the history")
			}
		}
		if aws.ToString(out.NextPageToken) == "" {
			return timeouts{}, errors.New("the task's ActivityTaskScheduled event is not in the history")
		}
		in.NextPageToken = out.NextPageToken
	}
}

// heartbeats heartbeats for t every t.HeartbeatInterval until stop is
// closed, with the latest details reported. A heartbeat that fails
// transiently is retried while the heartbeat timeout allows. It cancels the
// function's context when SWF asks to cancel the task (cause
// ErrCancelRequested) and when SWF no longer knows the task (cause
// ErrTaskGone, and it then returns true: the task must not be answered).
func (w *ActivityWorker) heartbeats(log *slog.Logger, t *ActivityTask, started time.Time, stop <-chan struct{}, cancel context.CancelCauseFunc) (gone bool) {
	o := &w.opts
	// The heartbeats' own context: not the function's (cancelled when a
	// cancel is requested, and heartbeats go on while the function winds
	// up) but ended when the function returns, so that no retry outlives it.
	ctx, stopCtx := context.WithCancel(context.Background())
	defer stopCtx()
	go func() {
		<-stop
		stopCtx()
	}()
	// The server's heartbeat clock started when the task was handed out,
	// not when this loop did (reading the timeouts took some time).
	lastOK := started
	wait := t.HeartbeatInterval - o.clock.Now().Sub(started)
	var sentCut string // the last details whose cut was logged
	for {
		if !sleep(ctx, o.clock, wait) {
			return false
		}
		wait = t.HeartbeatInterval
		t.mu.Lock()
		details := t.details
		t.mu.Unlock()
		in := &swf.RecordActivityTaskHeartbeatInput{TaskToken: aws.String(t.Token)}
		if details != "" {
			c := cut(details, maxHeartbeatDetails)
			if len(c) < len(details) && details != sentCut {
				sentCut = details
				log.Warn("worker: progress details cut to SWF's heartbeat limit", "limit", maxHeartbeatDetails)
			}
			in.Details = aws.String(c)
		}
		// Retries stop where the task would time out anyway.
		window := t.HeartbeatTimeout
		if window <= 0 {
			window = t.HeartbeatInterval
		}
		deadline := lastOK.Add(window)
		out, err := w.heartbeat(ctx, in, deadline)
		var unknown *types.UnknownResourceFault
		switch {
		case err == nil:
			lastOK = o.clock.Now()
			if out.CancelRequested {
				cancel(ErrCancelRequested)
			}
		case errors.As(err, &unknown):
			cancel(ErrTaskGone)
			return true
		case ctx.Err() != nil:
			return false
		default:
			log.Warn("worker: heartbeat failed", "err", err)
		}
	}
}

// heartbeat sends one heartbeat, retrying transient errors with backoff
// until deadline.
func (w *ActivityWorker) heartbeat(ctx context.Context, in *swf.RecordActivityTaskHeartbeatInput, deadline time.Time) (*swf.RecordActivityTaskHeartbeatOutput, error) {
	o := &w.opts
	b := backoff{max: time.Second}
	for {
		remaining := deadline.Sub(o.clock.Now())
		callCtx, cancel := context.WithTimeout(ctx, max(remaining, time.Second))
		out, err := w.client.RecordActivityTaskHeartbeat(callCtx, in)
		cancel()
		if err == nil || !transient(err) {
			return out, err
		}
		d := b.delay()
		if o.clock.Now().Add(d).After(deadline) || !sleep(ctx, o.clock, d) {
			return nil, err
		}
	}
}
