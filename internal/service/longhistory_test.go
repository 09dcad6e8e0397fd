package service_test

import (
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// TestLongHistory measures what a run with a long history costs to serve:
// every page of its decision task, every page of GetWorkflowExecutionHistory
// and one RespondDecisionTaskCompleted on it. It is a measurement, not a
// check: OPENSWF_LONG_HISTORY=20000 go test -run TestLongHistory -v
// ./internal/service/ (BENCHMARKS.md has the figures).
func TestLongHistory(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("OPENSWF_LONG_HISTORY"))
	if n == 0 {
		t.Skip("set OPENSWF_LONG_HISTORY to the number of events")
	}
	w := newWorld(t)
	ex := w.start("long")
	// Signals, eight at a time: each is one event (the first also schedules
	// a decision task).
	start := time.Now()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n-4; i += 8 {
				_, err := w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom),
					WorkflowId: ex.WorkflowId, SignalName: aws.String("s"), Input: aws.String(strconv.Itoa(i))})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d signals in %v", n-4, time.Since(start))

	// The decision task, page after page.
	start = time.Now()
	var pages, events int
	var slowest time.Duration
	in := &swf.PollForDecisionTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(deciders)}}
	var token *string
	for {
		t0 := time.Now()
		out, err := w.c.PollForDecisionTask(ctx, in)
		must(t, err)
		slowest = max(slowest, time.Since(t0))
		if token == nil {
			token = out.TaskToken
		}
		pages++
		events += len(out.Events)
		if out.NextPageToken == nil {
			break
		}
		in.NextPageToken = out.NextPageToken
	}
	t.Logf("PollForDecisionTask: %d events in %d pages, %v in all, slowest page %v", events, pages, time.Since(start), slowest)

	start = time.Now()
	pages, events, slowest = 0, 0, 0
	p := swf.NewGetWorkflowExecutionHistoryPaginator(w.c, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(dom), Execution: ex})
	for p.HasMorePages() {
		t0 := time.Now()
		out, err := p.NextPage(ctx)
		must(t, err)
		slowest = max(slowest, time.Since(t0))
		pages++
		events += len(out.Events)
	}
	t.Logf("GetWorkflowExecutionHistory: %d events in %d pages, %v in all, slowest page %v", events, pages, time.Since(start), slowest)

	start = time.Now()
	w.decide(token, types.Decision{DecisionType: types.DecisionTypeRecordMarker,
		RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{MarkerName: aws.String("m")}})
	t.Logf("RespondDecisionTaskCompleted: %v", time.Since(start))
	_, err := w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, SignalName: aws.String("last")})
	must(t, err)
	start = time.Now()
	w.decide(w.pollDecision().TaskToken)
	t.Logf("the next decision task (its first page) and its answer: %v", time.Since(start))
}

// Many callers signalling one run at once all succeed: this node's
// commands on a run queue rather than race for its version.
func TestConcurrentSignals(t *testing.T) {
	w := newWorld(t)
	ex := w.start("busy")
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				if _, err := w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom),
					WorkflowId: ex.WorkflowId, SignalName: aws.String("s")}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	var signals int
	for _, ev := range w.history(ex) {
		if ev.EventType == types.EventTypeWorkflowExecutionSignaled {
			signals++
		}
	}
	if signals != 16*25 {
		t.Fatalf("%d signals recorded", signals)
	}
}
