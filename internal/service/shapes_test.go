package service_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/swftest"
)

// rawCall sends body to operation op as raw AWS JSON and returns the
// members of the answer, to see which members are present, which the SDK's
// types cannot tell.
func rawCall(t *testing.T, url, op, body string) map[string]json.RawMessage {
	t.Helper()
	status, raw := rawPost(t, url, op, body)
	if status != 200 {
		t.Fatalf("%s: %d %s", op, status, raw)
	}
	var out map[string]json.RawMessage
	if len(raw) == 0 {
		return out
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: %s: %v", op, raw, err)
	}
	return out
}

// previousStartedEventId is always present: 0 on a run's first decision
// task, and in an empty answer; an empty answer has no taskToken.
func TestDecisionTaskMembers(t *testing.T) {
	w := newWorld(t)
	w.start("members")
	out := rawCall(t, w.s.URL, "PollForDecisionTask", `{"domain":"`+dom+`","taskList":{"name":"`+deciders+`"}}`)
	if string(out["previousStartedEventId"]) != "0" || string(out["startedEventId"]) != "3" || out["taskToken"] == nil {
		t.Fatalf("first decision task: %v", keys(out))
	}

	s := swftest.Start(t, swftest.Options{Clock: clock.Real{}, LongPoll: 50 * time.Millisecond})
	registerDomain(t, s.Client, "empty")
	out = rawCall(t, s.URL, "PollForDecisionTask", `{"domain":"empty","taskList":{"name":"nobody"}}`)
	if string(out["previousStartedEventId"]) != "0" || string(out["startedEventId"]) != "0" || out["taskToken"] != nil {
		t.Fatalf("empty decision poll: %v", keys(out))
	}
	out = rawCall(t, s.URL, "PollForActivityTask", `{"domain":"empty","taskList":{"name":"nobody"}}`)
	if string(out["startedEventId"]) != "0" || out["taskToken"] != nil {
		t.Fatalf("empty activity poll: %v", keys(out))
	}
}

func keys(m map[string]json.RawMessage) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if len(v) > 40 {
			v = v[:40]
		}
		out[k] = string(v)
	}
	return out
}

// A task token openswf never issued is a ValidationException on every call
// that takes one; a genuine token of a closed task stays UnknownResource.
func TestForgedTaskTokens(t *testing.T) {
	w := newWorld(t)
	forged := aws.String("bm90IGEgdG9rZW4gb2Ygb3BlbnN3Zg")
	_, err := w.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: forged})
	wantFault(t, err, "ValidationException", "Invalid token")
	_, err = w.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: forged})
	wantFault(t, err, "ValidationException", "Invalid token")
	_, err = w.c.RespondActivityTaskFailed(ctx, &swf.RespondActivityTaskFailedInput{TaskToken: forged})
	wantFault(t, err, "ValidationException", "Invalid token")
	_, err = w.c.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: forged})
	wantFault(t, err, "ValidationException", "Invalid token")
	_, err = w.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: forged})
	wantFault(t, err, "ValidationException", "Invalid token")

	_, at := w.startedActivity("closed", scheduleActivity("a"))
	_, err = w.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: at.TaskToken})
	must(t, err)
	_, err = w.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: at.TaskToken})
	wantFault(t, err, "UnknownResourceFault", "Unknown activity, scheduledEventId = 5")
}

// A decision without its attributes is reported at the first required
// member inside them; closing decisions may come bare.
func TestMissingDecisionAttributes(t *testing.T) {
	w := newWorld(t)
	run := w.start("bare")
	dt := w.pollDecision()
	body := `{"taskToken":"` + aws.ToString(dt.TaskToken) + `","decisions":[{"decisionType":"StartTimer"}]}`
	wantRawFault(t, w.s.URL, "RespondDecisionTaskCompleted", body, "ValidationException",
		"Value null at 'decisions.1.member.startTimerDecisionAttributes.timerId' failed to satisfy constraint: Member must not be null")
	body = `{"taskToken":"` + aws.ToString(dt.TaskToken) + `","decisions":[{"decisionType":"CompleteWorkflowExecution"}]}`
	rawCall(t, w.s.URL, "RespondDecisionTaskCompleted", body)
	ex := w.history(run)
	if last := ex[len(ex)-1]; last.EventType != types.EventTypeWorkflowExecutionCompleted {
		t.Fatalf("a bare close: %v", eventTypes(ex))
	}
}
