package awsjson

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

type heartbeatAPI struct{ swfapi.Unimplemented }

func (heartbeatAPI) RecordActivityTaskHeartbeat(context.Context, *swfapi.RecordActivityTaskHeartbeatInput) (*swfapi.ActivityTaskStatus, error) {
	return &swfapi.ActivityTaskStatus{CancelRequested: swfapi.Ptr(false)}, nil
}

var heartbeatBody = `{"taskToken":"AQFhBQY` + strings.Repeat("x", 60) + `","details":"` + strings.Repeat("d", 300) + `"}`

// BenchmarkDecodeHeartbeat measures decoding and validating the hottest
// request.
func BenchmarkDecodeHeartbeat(b *testing.B) {
	body := []byte(heartbeatBody)
	b.ReportAllocs()
	for b.Loop() {
		var in swfapi.RecordActivityTaskHeartbeatInput
		if err := Decode(body, &in); err != nil {
			b.Fatal(err)
		}
		if err := in.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeDecisions measures a RespondDecisionTaskCompleted with ten
// decisions.
func BenchmarkDecodeDecisions(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"taskToken":"t","decisions":[`)
	for i := range 10 {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(`{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityType":{"name":"a","version":"1"},"activityId":"id-` + string(rune('0'+i)) + `","input":"` + strings.Repeat("i", 200) + `","taskList":{"name":"tl"}}}`)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	b.ReportAllocs()
	for b.Loop() {
		var in swfapi.RespondDecisionTaskCompletedInput
		if err := Decode(body, &in); err != nil {
			b.Fatal(err)
		}
		if err := in.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandlerHeartbeat measures the protocol layer around a heartbeat:
// dispatch, decode, validate, encode, headers — everything but the store.
func BenchmarkHandlerHeartbeat(b *testing.B) {
	h := &Handler{Invoke: swfapi.Chain(heartbeatAPI{}), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), RequestID: func(*http.Request) string { return "id" }}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/", strings.NewReader(heartbeatBody))
		req.Header.Set("X-Amz-Target", "SimpleWorkflowService.RecordActivityTaskHeartbeat")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Body.String())
		}
	}
}
