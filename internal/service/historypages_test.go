package service_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/swftest"
)

// TestHistoryPages reads one history in every way, on the node that wrote
// it (its history cache knows all of it), on a node that knows none of it,
// then the same node again (it learned it reading), and after the first
// node wrote more (it knows a prefix): forward and reversed, in pages of
// several sizes, through GetWorkflowExecutionHistory and decision tasks,
// over the wire (stored events passed through) and in process (decoded),
// and on a node without the cache. Every way must answer the same events.
func TestHistoryPages(t *testing.T) {
	a := newWorld(t)
	b := a.otherNode(swftest.Options{})

	ex := a.start("pages")
	signal := func(from, to int) {
		for i := from; i < to; i++ {
			_, err := a.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom),
				WorkflowId: ex.WorkflowId, SignalName: aws.String("s"), Input: aws.String("<&> " + strconv.Itoa(i))})
			must(t, err)
		}
	}
	signal(0, 30)
	check := func(label string, w *world, want []string) {
		t.Helper()
		for _, size := range []int32{1, 7, 32, 1000} {
			for _, reverse := range []bool{false, true} {
				got := readHistory(t, w.c, ex, size, reverse)
				if reverse {
					for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
						got[i], got[j] = got[j], got[i]
					}
				}
				if len(got) != len(want) {
					t.Fatalf("%s, pages of %d, reverse %v: %d events, want %d", label, size, reverse, len(got), len(want))
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%s, pages of %d, reverse %v: event %d is\n%s\nwant\n%s", label, size, reverse, i+1, got[i], want[i])
					}
				}
			}
		}
	}
	want := readHistory(t, a.c, ex, 1000, false)
	if len(want) != 32 {
		t.Fatalf("%d events, want 32", len(want))
	}
	check("the writing node", a, want)
	check("a node that knew none of it", b, want)
	check("the same node again", b, want)
	signal(30, 45)
	want = readHistory(t, a.c, ex, 1000, false)
	check("a node that knew a prefix", b, want)
	c := a.otherNode(swftest.Options{HistoryCacheBytes: -1})
	check("a node without the cache", c, want)

	// In process, events are decoded: the same events, field by field.
	out, err := b.s.Service.GetWorkflowExecutionHistory(ctx, &swfapi.GetWorkflowExecutionHistoryInput{
		Domain: aws.String(dom), Execution: &swfapi.WorkflowExecution{WorkflowId: ex.WorkflowId, RunId: ex.RunId},
		MaximumPageSize: aws.Int32(1000)})
	must(t, err)
	if out.EventsEncoded != nil || len(out.Events) != len(want) {
		t.Fatalf("in process: %d events, want %d", len(out.Events), len(want))
	}
	wire := make([]types.HistoryEvent, len(want))
	for i := range want {
		must(t, json.Unmarshal([]byte(want[i]), &wire[i]))
	}
	for i, ev := range out.Events {
		if ev.EventType == nil || *ev.EventId != int64(i+1) || string(*ev.EventType) != string(wire[i].EventType) ||
			!ev.EventTimestamp.Time.Equal(*wire[i].EventTimestamp) {
			t.Fatalf("in process, event %d: %+v, want %s", i+1, ev, want[i])
		}
		if sig := ev.WorkflowExecutionSignaledEventAttributes; sig != nil && *sig.Input != *wire[i].WorkflowExecutionSignaledEventAttributes.Input {
			t.Fatalf("in process, event %d: input %q, want %s", i+1, *sig.Input, want[i])
		}
	}

	// A decision task's pages, on the node that knows a prefix, end at the
	// task's start.
	in := &swf.PollForDecisionTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(deciders)}, MaximumPageSize: 7}
	var got []string
	var started int64
	for {
		d, err := b.c.PollForDecisionTask(ctx, in)
		must(t, err)
		started = max(started, d.StartedEventId)
		for _, ev := range d.Events {
			got = append(got, eventJSON(t, ev))
		}
		if d.NextPageToken == nil {
			break
		}
		in.NextPageToken = d.NextPageToken
	}
	want = readHistory(t, a.c, ex, 1000, false)
	if int64(len(got)) != started || started != int64(len(want)) {
		t.Fatalf("decision task: %d events, started at %d, history of %d", len(got), started, len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("decision task: event %d is\n%s\nwant\n%s", i+1, got[i], want[i])
		}
	}

	// Closed, the run's history leaves the writing node's cache, and is
	// read from the store again.
	_, err = a.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, RunId: ex.RunId})
	must(t, err)
	want = readHistory(t, b.c, ex, 1000, false)
	if last := want[len(want)-1]; !strings.Contains(last, `"WorkflowExecutionTerminated"`) {
		t.Fatalf("the last event is %s", last)
	}
	check("the writing node, the run closed", a, want)
}

// readHistory reads a whole history in pages of size, as the SDK decodes
// it, each event as JSON.
func readHistory(t *testing.T, c *swf.Client, ex *types.WorkflowExecution, size int32, reverse bool) []string {
	t.Helper()
	var out []string
	p := swf.NewGetWorkflowExecutionHistoryPaginator(c, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(dom),
		Execution: ex, MaximumPageSize: size, ReverseOrder: reverse})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		must(t, err)
		if len(page.Events) > int(size) {
			t.Fatalf("a page of %d events, asked for %d", len(page.Events), size)
		}
		for _, ev := range page.Events {
			out = append(out, eventJSON(t, ev))
		}
	}
	return out
}
