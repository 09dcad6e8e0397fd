package awsjson

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

// decisionTask is a PollForDecisionTask answer with a history of n events,
// the shape of a busy workflow's: activities scheduled, started and
// completed with payloads.
func decisionTask(n int) *swfapi.DecisionTask {
	at := time.Unix(1487851963, 534e6)
	payload := strings.Repeat(`{"order":42,"note":"<fragile> & \"boxed\""}`, 4)
	task := &swfapi.DecisionTask{
		TaskToken:         swfapi.Ptr("AQFhBQY" + strings.Repeat("x", 60)),
		StartedEventId:    swfapi.Ptr(int64(n)),
		WorkflowExecution: &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr("order-42"), RunId: swfapi.Ptr("22Wn6mEjsqkYUL9OkS9bVSpgDwJ3FQ1nA0SbrtOEiKuVc=")},
		WorkflowType:      &swfapi.WorkflowType{Name: swfapi.Ptr("ProcessOrder"), Version: swfapi.Ptr("1.0")},
		Events:            make([]swfapi.HistoryEvent, 0, n),
	}
	for i := range n {
		ev := swfapi.HistoryEvent{EventId: swfapi.Ptr(int64(i + 1)), EventTimestamp: swfapi.NewTimestamp(at.Add(time.Duration(i) * time.Second))}
		switch i % 3 {
		case 0:
			ev.EventType = swfapi.Ptr(swfapi.EventTypeActivityTaskScheduled)
			ev.ActivityTaskScheduledEventAttributes = &swfapi.ActivityTaskScheduledEventAttributes{
				ActivityType:                 &swfapi.ActivityType{Name: swfapi.Ptr("Charge"), Version: swfapi.Ptr("1")},
				ActivityId:                   swfapi.Ptr(fmt.Sprint("charge-", i)),
				Input:                        swfapi.Ptr(payload),
				TaskList:                     &swfapi.TaskList{Name: swfapi.Ptr("payments")},
				ScheduleToCloseTimeout:       swfapi.Ptr("300"),
				StartToCloseTimeout:          swfapi.Ptr("60"),
				DecisionTaskCompletedEventId: swfapi.Ptr(int64(i)),
			}
		case 1:
			ev.EventType = swfapi.Ptr(swfapi.EventTypeActivityTaskStarted)
			ev.ActivityTaskStartedEventAttributes = &swfapi.ActivityTaskStartedEventAttributes{Identity: swfapi.Ptr("worker-7"), ScheduledEventId: swfapi.Ptr(int64(i))}
		default:
			ev.EventType = swfapi.Ptr(swfapi.EventTypeActivityTaskCompleted)
			ev.ActivityTaskCompletedEventAttributes = &swfapi.ActivityTaskCompletedEventAttributes{Result: swfapi.Ptr(payload), ScheduledEventId: swfapi.Ptr(int64(i - 1)), StartedEventId: swfapi.Ptr(int64(i))}
		}
		task.Events = append(task.Events, ev)
	}
	return task
}

// BenchmarkEncodeDecisionTask measures encoding a decision task with 100
// history events, the largest answer a busy service writes often.
func BenchmarkEncodeDecisionTask(b *testing.B) {
	task := decisionTask(100)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = task.AppendJSON(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkEncodeDecisionTaskStdlib is the same with encoding/json, for
// comparison.
func BenchmarkEncodeDecisionTaskStdlib(b *testing.B) {
	task := decisionTask(100)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		out, err := json.Marshal(task)
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.SetBytes(int64(n))
}

// BenchmarkDecodeHistoryEvent measures reading back one stored event.
func BenchmarkDecodeHistoryEvent(b *testing.B) {
	stored, _ := json.Marshal(decisionTask(1).Events[0])
	b.ReportAllocs()
	for b.Loop() {
		var ev swfapi.HistoryEvent
		if err := swfapi.DecodeJSON(stored, &ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeHistoryEventStdlib is the same with encoding/json.
func BenchmarkDecodeHistoryEventStdlib(b *testing.B) {
	stored, _ := json.Marshal(decisionTask(1).Events[0])
	b.ReportAllocs()
	for b.Loop() {
		var ev swfapi.HistoryEvent
		if err := json.Unmarshal(stored, &ev); err != nil {
			b.Fatal(err)
		}
	}
}
