package engine

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// BenchmarkWorkflow runs the engine through one whole workflow as the load
// tool's workflow scenario drives it: start, decision, one activity,
// decision, complete — seven commands, a dozen events.
func BenchmarkWorkflow(b *testing.B) {
	types := testTypes()
	req := startRequest()
	b.ReportAllocs()
	for b.Loop() {
		now := t0
		e, _, err := Start(StartParams{Domain: "d", WorkflowID: "wf", RunID: "run", Request: req}, now)
		if err != nil {
			b.Fatal(err)
		}
		step := func(fx Effects, err error) {
			if err != nil {
				b.Fatal(err)
			}
			now = now.Add(time.Millisecond)
		}
		step(e.StartDecisionTask(2, "d", now))
		step(e.CompleteDecisionTask(2, 3, &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{schedule("a", "act/1")}}, Lookups{ActivityTypes: types}, now))
		step(e.StartActivityTask(5, "w", now))
		step(e.CompleteActivityTask(5, 6, swfapi.Ptr("r"), now))
		step(e.StartDecisionTask(8, "d", now))
		step(e.CompleteDecisionTask(8, 9, &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{completeWorkflow("ok")}}, Lookups{ActivityTypes: types}, now))
		if e.Open {
			b.Fatal("still open")
		}
	}
}

// BenchmarkStateCodec measures encoding and decoding an execution's state
// with one open activity, which every command pays once each way.
func BenchmarkStateCodec(b *testing.B) {
	e, _, err := Start(StartParams{Domain: "d", WorkflowID: "wf", RunID: "run", Request: startRequest()}, t0)
	if err != nil {
		b.Fatal(err)
	}
	e.StartDecisionTask(2, "d", t0)
	e.CompleteDecisionTask(2, 3, &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{schedule("a", "act/1")}}, Lookups{ActivityTypes: testTypes()}, t0)
	b.ReportAllocs()
	for b.Loop() {
		data, err := json.Marshal(e)
		if err != nil {
			b.Fatal(err)
		}
		var back Execution
		if err := json.Unmarshal(data, &back); err != nil {
			b.Fatal(err)
		}
	}
}
