package swfapi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestTimestampWire(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		out  string
	}{
		{"1487851963", time.Unix(1487851963, 0), "1487851963"},
		{"1487851963.534", time.Unix(1487851963, 534e6), "1487851963.534"},
		{"1.786560427599E9", time.Unix(1786560427, 599e6), "1786560427.599"},
		{"0", time.Unix(0, 0), "0"},
	} {
		var ts Timestamp
		if err := json.Unmarshal([]byte(tc.in), &ts); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if !ts.Equal(tc.want) {
			t.Errorf("%s read as %v, want %v", tc.in, ts.Time, tc.want)
		}
		b, _ := json.Marshal(ts)
		if string(b) != tc.out {
			t.Errorf("%s written as %s, want %s", tc.in, b, tc.out)
		}
	}
	for _, bad := range []string{`"2020-01-01T00:00:00Z"`, `true`, `{}`, `1e400`} {
		var ts Timestamp
		if err := json.Unmarshal([]byte(bad), &ts); err == nil {
			t.Errorf("%s accepted as a timestamp", bad)
		}
	}
}

func TestValidationMessages(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   interface{ Validate() error }
		want string
	}{
		{"valid", &RecordActivityTaskHeartbeatInput{TaskToken: Ptr("t"), Details: Ptr(strings.Repeat("d", 2048))}, ""},
		{"null", &RecordActivityTaskHeartbeatInput{}, "1 validation error detected: Value null at 'taskToken' failed to satisfy constraint: Member must not be null"},
		{"too long", &RecordActivityTaskHeartbeatInput{TaskToken: Ptr("t"), Details: Ptr(strings.Repeat("é", 2049))},
			"1 validation error detected: Value '" + strings.Repeat("é", 2049) + "' at 'details' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"nested", &StartWorkflowExecutionInput{Domain: Ptr("d"), WorkflowId: Ptr("w"), WorkflowType: &WorkflowType{Name: Ptr("n")}},
			"1 validation error detected: Value null at 'workflowType.version' failed to satisfy constraint: Member must not be null"},
		{"list too long", &StartWorkflowExecutionInput{Domain: Ptr("d"), WorkflowId: Ptr("w"), WorkflowType: &WorkflowType{Name: Ptr("n"), Version: Ptr("v")}, TagList: []string{"a", "b", "c", "d", "e", "f"}},
			"1 validation error detected: Value '[a, b, c, d, e, f]' at 'tagList' failed to satisfy constraint: Member must have length less than or equal to 5"},
		{"list member", &UntagResourceInput{ResourceArn: Ptr("a"), TagKeys: []string{"ok", ""}},
			"1 validation error detected: Value '' at 'tagKeys.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"decision", &RespondDecisionTaskCompletedInput{TaskToken: Ptr("t"), Decisions: []Decision{{DecisionType: Ptr(DecisionType("Dance"))}, {DecisionType: Ptr(DecisionTypeStartTimer), StartTimerDecisionAttributes: &StartTimerDecisionAttributes{TimerId: Ptr("x")}}}},
			"2 validation errors detected: Value 'Dance' at 'decisions.1.member.decisionType' failed to satisfy constraint: Member must satisfy enum value set: [ScheduleActivityTask, RequestCancelActivityTask, CompleteWorkflowExecution, FailWorkflowExecution, CancelWorkflowExecution, ContinueAsNewWorkflowExecution, RecordMarker, StartTimer, CancelTimer, SignalExternalWorkflowExecution, RequestCancelExternalWorkflowExecution, StartChildWorkflowExecution, ScheduleLambdaFunction]; Value null at 'decisions.2.member.startTimerDecisionAttributes.startToFireTimeout' failed to satisfy constraint: Member must not be null"},
		{"range", &ListDomainsInput{RegistrationStatus: Ptr(RegistrationStatusRegistered), MaximumPageSize: Ptr(int32(-1))},
			"1 validation error detected: Value '-1' at 'maximumPageSize' failed to satisfy constraint: Member must have value greater than or equal to 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected %v", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Fatalf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}

// Every operation of the model is in the table, and the fault names are
// those of the model.
func TestOperationTable(t *testing.T) {
	ops := Operations()
	if len(ops) != 39 {
		t.Fatalf("%d operations, want 39", len(ops))
	}
	faults := map[string]bool{}
	for _, f := range ModeledFaults() {
		faults[f] = true
	}
	for _, op := range ops {
		for _, e := range op.Errors {
			if !faults[e] {
				t.Errorf("%s lists unknown fault %s", op.Name, e)
			}
		}
	}
}
