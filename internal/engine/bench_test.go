package engine

import (
	"encoding/json"
	"fmt"
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

// BenchmarkStateEncode compares json.Marshal with AppendJSON, which the
// service calls on every command: on the state BenchmarkStateCodec uses
// (one open activity) and on a busier one (a dozen activities, timers,
// an external request and a child).
func BenchmarkStateEncode(b *testing.B) {
	one, _, err := Start(StartParams{Domain: "d", WorkflowID: "wf", RunID: "run", Request: startRequest()}, t0)
	if err != nil {
		b.Fatal(err)
	}
	one.StartDecisionTask(2, "d", t0)
	one.CompleteDecisionTask(2, 3, &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{schedule("a", "act/1")}}, Lookups{ActivityTypes: testTypes()}, t0)

	busy, _, err := Start(StartParams{Domain: "d", WorkflowID: "wf", RunID: "run", Request: startRequest()}, t0)
	if err != nil {
		b.Fatal(err)
	}
	var ds []swfapi.Decision
	for i := range 12 {
		ds = append(ds, schedule(fmt.Sprint("a", i), "act/1"), startTimer(fmt.Sprint("t", i), "60"))
	}
	ds = append(ds, signalExternal("other", "", "hello"), startChild("kid", "kid/1"))
	busy.StartDecisionTask(2, "d", t0)
	if _, err := busy.CompleteDecisionTask(2, 3, &swfapi.RespondDecisionTaskCompletedInput{Decisions: ds},
		Lookups{ActivityTypes: testTypes(), WorkflowTypes: testFlows()}, t0); err != nil {
		b.Fatal(err)
	}
	if len(busy.Activities) != 12 || len(busy.Timers) != 12 || len(busy.Children) != 1 {
		b.Fatalf("busy state has %d activities, %d timers, %d children", len(busy.Activities), len(busy.Timers), len(busy.Children))
	}

	for _, s := range []struct {
		name string
		e    *Execution
	}{{"one", one}, {"busy", busy}} {
		b.Run(s.name+"/json.Marshal", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				data, err := json.Marshal(s.e)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(data)))
			}
		})
		b.Run(s.name+"/AppendJSON", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.SetBytes(int64(len(s.e.AppendJSON(nil))))
			}
		})
		// What encoding costs apart from allocating the result, for a
		// caller that reuses its buffer.
		b.Run(s.name+"/AppendJSON-reused", func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				buf = s.e.AppendJSON(buf[:0])
				b.SetBytes(int64(len(buf)))
			}
		})
	}
}
