// Command restart runs a workflow of five one-second steps, each an
// activity, while you restart openswf under it: stop the server (Ctrl-C)
// and start it again within a few seconds. The worker and the decider ride
// it out: polls back off and try again, heartbeats are retried within the
// heartbeat timeout (3 s), answers are retried until they go through; the
// server keeps its tasks and timers in its store. The workflow completes.
//
//	go run ./cmd/openswf &
//	go run ./examples/restart --endpoint http://127.0.0.1:7930
package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/examples/internal/demo"
	"github.com/openswf/openswf/worker"
)

func main() { demo.Main(run) }

const (
	domain = "examples"
	steps  = 5
)

func run(ctx context.Context, endpoint string, out io.Writer) error {
	out = &lockedWriter{w: out}
	result, err := restart(ctx, demo.Client(endpoint), out)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "result:", result)
	return nil
}

// lockedWriter serializes the writes of the worker's and the decider's
// goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// decide runs the steps one after the other: step-1, then step-2 once
// step-1 completed, and so on; a step that failed or timed out (say, its
// worker died with the server) is scheduled again under a new id.
func decide(ctx context.Context, t *worker.DecisionTask) ([]types.Decision, error) {
	acts := t.Activities()
	done := 0
	attempts := map[int]int{}
	for _, a := range acts {
		var step, attempt int
		if _, err := fmt.Sscanf(a.ID, "step-%d.%d", &step, &attempt); err != nil {
			continue
		}
		attempts[step] = max(attempts[step], attempt)
		if a.Status == worker.StatusCompleted {
			done = max(done, step)
		}
	}
	if done == steps {
		return []types.Decision{worker.CompleteWorkflow(strconv.Itoa(steps) + " steps done")}, nil
	}
	next := done + 1
	last := acts[fmt.Sprintf("step-%d.%d", next, attempts[next])]
	if last != nil && !last.Status.Closed() {
		return nil, nil // running
	}
	id := fmt.Sprintf("step-%d.%d", next, attempts[next]+1)
	return []types.Decision{worker.ScheduleActivity(id, "step", "1", strconv.Itoa(next))}, nil
}

func restart(ctx context.Context, c *swf.Client, out io.Writer) (string, error) {
	err := demo.Register(ctx, c, domain,
		[]demo.Workflow{{Name: "restart", TaskList: "restart-decisions", TaskTimeout: "10"}},
		[]demo.Activity{{Name: "step", TaskList: "restart-work", HeartbeatTimeout: "3", StartToClose: "30"}})
	if err != nil {
		return "", err
	}
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	d, err := worker.NewDecider(c, worker.Options{Domain: domain, TaskList: "restart-decisions"}, decide)
	if err != nil {
		return "", err
	}
	w, err := worker.NewActivityWorker(c, worker.Options{Domain: domain, TaskList: "restart-work"})
	if err != nil {
		return "", err
	}
	err = w.Register(worker.Activity{Name: "step", Version: "1", Func: func(ctx context.Context, t *worker.ActivityTask) (string, error) {
		for i := range 10 {
			select {
			case <-ctx.Done():
				fmt.Fprintf(out, "step %s (%s): stopped: %v\n", t.Input, t.ActivityID, context.Cause(ctx))
				return "", ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
			t.Progress(fmt.Sprintf("%d0%%", i+1))
		}
		fmt.Fprintf(out, "step %s done\n", t.Input)
		return "ok", nil
	}})
	if err != nil {
		return "", err
	}
	go d.Run(workCtx)
	go w.Run(workCtx)

	ex, err := demo.Start(ctx, c, domain, "restart", "restart", "")
	if err != nil {
		return "", err
	}
	fmt.Fprintf(out, "started %s: restart openswf now, the workflow will complete\n", *ex.WorkflowId)
	last, err := demo.Wait(ctx, c, domain, ex)
	if err != nil {
		return "", err
	}
	return demo.Result(last)
}
