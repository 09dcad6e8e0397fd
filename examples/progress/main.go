// Command progress runs a workflow with one long activity that reports its
// progress as it goes. The worker heartbeats for it on its own, at a third
// of the activity's heartbeat timeout (3 s: every second), each heartbeat
// carrying the latest progress however often the activity reports it.
//
//	go run ./cmd/openswf &
//	go run ./examples/progress --endpoint http://127.0.0.1:7930
package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/examples/internal/demo"
	"github.com/openswf/openswf/worker"
)

func main() { demo.Main(run) }

const domain = "examples"

// report is what a run of the example saw.
type report struct {
	result     string
	reports    int64 // calls to Progress
	heartbeats int64 // heartbeats sent
}

func run(ctx context.Context, endpoint string, out io.Writer) error {
	r, err := progress(ctx, demo.Client(endpoint), out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "result: %s\n%d progress reports, %d heartbeats\n", r.result, r.reports, r.heartbeats)
	return nil
}

// heartbeatPrinter is a worker.Client that shows each heartbeat the worker
// sends: the Client interface is where a program puts such middleware.
type heartbeatPrinter struct {
	*swf.Client
	out   io.Writer
	mu    sync.Mutex
	count int64
}

func (h *heartbeatPrinter) RecordActivityTaskHeartbeat(ctx context.Context, in *swf.RecordActivityTaskHeartbeatInput, opts ...func(*swf.Options)) (*swf.RecordActivityTaskHeartbeatOutput, error) {
	h.mu.Lock()
	h.count++
	fmt.Fprintf(h.out, "heartbeat %d: %s\n", h.count, aws.ToString(in.Details))
	h.mu.Unlock()
	return h.Client.RecordActivityTaskHeartbeat(ctx, in, opts...)
}

func progress(ctx context.Context, c *swf.Client, out io.Writer) (report, error) {
	err := demo.Register(ctx, c, domain,
		[]demo.Workflow{{Name: "progress", TaskList: "progress-decisions", TaskTimeout: "10"}},
		[]demo.Activity{{Name: "crunch", TaskList: "progress-work", HeartbeatTimeout: "3", StartToClose: "60"}})
	if err != nil {
		return report{}, err
	}
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()

	printer := &heartbeatPrinter{Client: c, out: out}
	w, err := worker.NewActivityWorker(printer, worker.Options{Domain: domain, TaskList: "progress-work"})
	if err != nil {
		return report{}, err
	}
	var reports atomic.Int64
	err = w.Register(worker.Activity{Name: "crunch", Version: "1", Func: func(ctx context.Context, t *worker.ActivityTask) (string, error) {
		// 4 s of work in 400 small steps, each reported: far more reports
		// than heartbeats.
		const steps = 400
		for i := range steps {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
			t.Progress(fmt.Sprintf("%d of %d crunched", i+1, steps))
			reports.Add(1)
		}
		return fmt.Sprintf("%d numbers crunched", steps), nil
	}})
	if err != nil {
		return report{}, err
	}
	d, err := worker.NewDecider(c, worker.Options{Domain: domain, TaskList: "progress-decisions"},
		func(ctx context.Context, t *worker.DecisionTask) ([]types.Decision, error) {
			a := t.Activities()["crunch"]
			switch {
			case a == nil:
				return []types.Decision{worker.ScheduleActivity("crunch", "crunch", "1", "")}, nil
			case a.Status == worker.StatusCompleted:
				return []types.Decision{worker.CompleteWorkflow(a.Result)}, nil
			case a.Status.Closed():
				return []types.Decision{worker.FailWorkflow("crunch "+string(a.Status), a.Reason+a.Details)}, nil
			}
			return nil, nil
		})
	if err != nil {
		return report{}, err
	}
	go w.Run(workCtx)
	go d.Run(workCtx)

	result, err := demo.Run(ctx, c, domain, "progress", "progress", "")
	printer.mu.Lock()
	defer printer.mu.Unlock()
	return report{result: result, reports: reports.Load(), heartbeats: printer.count}, err
}
