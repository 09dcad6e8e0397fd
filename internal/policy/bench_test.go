package policy

import (
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

// benchPrincipal is what one worker process of an order service might
// carry: poll its task lists, heartbeat and answer, decide with a few
// decisions, never touch another domain or the registry.
const benchPrincipal = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Poll", "Effect": "Allow", "Action": ["swf:PollForActivityTask", "swf:PollForDecisionTask"],
     "Resource": "arn:aws:swf:us-east-1:123456789012:/domain/orders",
     "Condition": {"StringLike": {"swf:taskList.name": ["orders-*", "payments-*"]}}},
    {"Sid": "Answer", "Effect": "Allow",
     "Action": ["swf:RespondActivityTask*", "swf:RespondDecisionTaskCompleted", "swf:RecordActivityTaskHeartbeat"],
     "Resource": "arn:aws:swf:us-east-1:123456789012:/domain/orders"},
    {"Sid": "Decide", "Effect": "Allow",
     "Action": ["swf:ScheduleActivityTask", "swf:StartTimer", "swf:CancelTimer", "swf:RecordMarker", "swf:CompleteWorkflowExecution", "swf:FailWorkflowExecution"],
     "Resource": "*",
     "Condition": {"StringLikeIfExists": {"swf:taskList.name": ["orders-*", "payments-*"]}}},
    {"Sid": "NoAdmin", "Effect": "Deny", "Action": ["swf:Register*", "swf:Deprecate*", "swf:Delete*", "swf:TerminateWorkflowExecution"], "Resource": "*"},
    {"Sid": "OnlyOrders", "Effect": "Deny", "Action": "swf:*", "NotResource": "arn:aws:swf:*:123456789012:/domain/orders"}
  ]
}`

func benchEvaluate(b *testing.B, req Request, want bool) {
	policies := []*Policy{mustParse(b, benchPrincipal)}
	if v := Evaluate(policies, req); v.Allowed != want {
		b.Fatalf("verdict %+v", v)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(policies, req)
	}
}

// BenchmarkEvaluate measures the check every heartbeat pays: the request
// is built once, as the hot path may cache it per task.
func BenchmarkEvaluate(b *testing.B) {
	b.Run("heartbeat", func(b *testing.B) {
		benchEvaluate(b, testScope.Call("RecordActivityTaskHeartbeat", &swfapi.RecordActivityTaskHeartbeatInput{TaskToken: ptr("t")}, "orders"), true)
	})
	b.Run("poll", func(b *testing.B) {
		benchEvaluate(b, poll("payments-eu"), true)
	})
	b.Run("decision", func(b *testing.B) {
		typ := swfapi.DecisionTypeScheduleActivityTask
		benchEvaluate(b, decision(swfapi.Decision{DecisionType: &typ, ScheduleActivityTaskDecisionAttributes: &swfapi.ScheduleActivityTaskDecisionAttributes{
			ActivityType: &swfapi.ActivityType{Name: ptr("charge"), Version: ptr("1")}, TaskList: &swfapi.TaskList{Name: ptr("orders-eu")}}}), true)
	})
	b.Run("denied", func(b *testing.B) {
		benchEvaluate(b, call("TerminateWorkflowExecution", &swfapi.TerminateWorkflowExecutionInput{Domain: ptr("orders")}), false)
	})
	b.Run("default-deny", func(b *testing.B) {
		benchEvaluate(b, call("DescribeDomain", &swfapi.DescribeDomainInput{Name: ptr("orders")}), false)
	})
}

// BenchmarkCallEvaluate adds building the request, as a server that does
// not cache it pays on every heartbeat.
func BenchmarkCallEvaluate(b *testing.B) {
	policies := []*Policy{mustParse(b, benchPrincipal)}
	in := &swfapi.RecordActivityTaskHeartbeatInput{TaskToken: ptr("t")}
	b.ReportAllocs()
	for b.Loop() {
		if !Evaluate(policies, testScope.Call("RecordActivityTaskHeartbeat", in, "orders")).Allowed {
			b.Fatal("denied")
		}
	}
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(benchPrincipal)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}
