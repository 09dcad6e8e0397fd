// Command cancel shows a cancellation reaching an activity: the decider
// schedules an activity and a 2 s timer; when the timer fires first, it
// asks to cancel the activity. The worker hears of it at its next
// heartbeat (the heartbeat timeout is 2 s, so within a second) and cancels
// the activity's context; the activity returns the context's error and the
// worker answers RespondActivityTaskCanceled with its last progress.
//
//	go run ./cmd/openswf &
//	go run ./examples/cancel --endpoint http://127.0.0.1:7930
package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/examples/internal/demo"
	"github.com/openswf/openswf/worker"
)

func main() { demo.Main(run) }

const domain = "examples"

func run(ctx context.Context, endpoint string, out io.Writer) error {
	r, err := cancelDemo(ctx, demo.Client(endpoint), out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "result: %s\nthe activity saw the cancel %v after the decider asked for it\n", r.result, r.lag.Round(time.Millisecond))
	return nil
}

type report struct {
	result string
	lag    time.Duration // from the cancel decision to the activity's context
	cause  error
}

func cancelDemo(ctx context.Context, c *swf.Client, out io.Writer) (report, error) {
	err := demo.Register(ctx, c, domain,
		[]demo.Workflow{{Name: "cancel", TaskList: "cancel-decisions", TaskTimeout: "10"}},
		[]demo.Activity{{Name: "sleepy", TaskList: "cancel-work", HeartbeatTimeout: "2", StartToClose: "120"}})
	if err != nil {
		return report{}, err
	}
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()

	// When the decider asked, and when the activity heard: for the report
	// only; the decider decides from the history alone.
	var mu sync.Mutex
	var asked, heard time.Time
	var cause error

	d, err := worker.NewDecider(c, worker.Options{Domain: domain, TaskList: "cancel-decisions"},
		func(ctx context.Context, t *worker.DecisionTask) ([]types.Decision, error) {
			a, timer := t.Activities()["sleepy"], t.Timers()["patience"]
			switch {
			case a == nil:
				return []types.Decision{
					worker.ScheduleActivity("sleepy", "sleepy", "1", ""),
					worker.StartTimer("patience", 2*time.Second),
				}, nil
			case a.Status.Closed():
				return []types.Decision{worker.CompleteWorkflow(fmt.Sprintf("%s (%s)", a.Status, a.Details))}, nil
			case timer.Status == worker.StatusFired && !a.CancelRequested:
				fmt.Fprintln(out, "decider: out of patience, asking to cancel the activity")
				mu.Lock()
				asked = time.Now()
				mu.Unlock()
				return []types.Decision{worker.RequestCancelActivity("sleepy")}, nil
			}
			return nil, nil
		})
	if err != nil {
		return report{}, err
	}
	w, err := worker.NewActivityWorker(c, worker.Options{Domain: domain, TaskList: "cancel-work"})
	if err != nil {
		return report{}, err
	}
	err = w.Register(worker.Activity{Name: "sleepy", Version: "1", Func: func(ctx context.Context, t *worker.ActivityTask) (string, error) {
		fmt.Fprintf(out, "activity: started; heartbeats every %v\n", t.HeartbeatInterval)
		began := time.Now()
		for {
			select {
			case <-ctx.Done():
				mu.Lock()
				heard, cause = time.Now(), context.Cause(ctx)
				mu.Unlock()
				fmt.Fprintf(out, "activity: context cancelled: %v\n", context.Cause(ctx))
				return "", ctx.Err() // answered RespondActivityTaskCanceled
			case <-time.After(100 * time.Millisecond):
				t.Progress(fmt.Sprintf("slept %v", time.Since(began).Round(100*time.Millisecond)))
			}
		}
	}})
	if err != nil {
		return report{}, err
	}
	go d.Run(workCtx)
	go w.Run(workCtx)

	result, err := demo.Run(ctx, c, domain, "cancel", "cancel", "")
	mu.Lock()
	defer mu.Unlock()
	return report{result: result, lag: heard.Sub(asked), cause: cause}, err
}
