package engine

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

// A run that receives requests for ever remembers a bounded number of
// them, and still refuses a redelivery of a recent one.
func TestReceivedStaysBounded(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	src := swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr("sender"), RunId: swfapi.Ptr("sender-run")}
	sig := ExternalRequest{SignalName: "s"}
	for i := range maxReceived + 50 {
		h.do("ReceiveExternal", func() (Effects, error) { return h.e.ReceiveExternal(sig, src, int64(i+5), h.now) })
	}
	if len(h.e.Received) != maxReceived {
		t.Fatalf("remembers %d requests", len(h.e.Received))
	}
	before := len(h.history)
	fx := h.do("redelivery", func() (Effects, error) { return h.e.ReceiveExternal(sig, src, int64(maxReceived+50+4), h.now) })
	if len(fx.Events) != 0 || len(h.history) != before {
		t.Fatalf("a redelivery was recorded: %v", h.eventsOf(fx))
	}
}

// States written before the bound kept a set; they still load.
func TestReceivedReadsTheOldSet(t *testing.T) {
	var e Execution
	if err := json.Unmarshal([]byte(`{"received": {"r/9": true, "r/5": true}}`), &e); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(e.Received) != "[r/5 r/9]" || !e.Received.has("r/9") {
		t.Fatalf("received %v", e.Received)
	}
	b, _ := json.Marshal(e.Received)
	var back ReceivedRequests
	if err := json.Unmarshal(b, &back); err != nil || fmt.Sprint(back) != "[r/5 r/9]" {
		t.Fatalf("round trip %s: %v %v", b, back, err)
	}
}
