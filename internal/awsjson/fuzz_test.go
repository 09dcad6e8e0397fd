package awsjson

import (
	"encoding/json"
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

// FuzzRequest sends arbitrary bodies to every operation: whatever the input,
// the answer is a well-formed AWS JSON response and never an internal error.
func FuzzRequest(f *testing.F) {
	seeds := []string{
		`{}`, ``, `null`, `[]`, `"x"`, `{"domain":"d"}`,
		`{"name":"d","workflowExecutionRetentionPeriodInDays":"1","tags":[{"key":"k","value":"v"},null]}`,
		`{"domain":"d","startTimeFilter":{"oldestDate":1.5e9,"latestDate":-1}}`,
		`{"taskToken":"t","decisions":[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityType":{}}}]}`,
		`{"maximumPageSize":2147483648}`, `{"reverseOrder":"yes"}`, `{"domain":"\u0000\ud800"}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	ops := swfapi.Operations()
	h := newHandler()
	f.Fuzz(func(t *testing.T, opIndex uint8, body []byte) {
		op := ops[int(opIndex)%len(ops)].Name
		r := call(h, "POST", TargetPrefix+op, string(body))
		if r.status != 200 && r.status != 400 {
			t.Fatalf("%s %q: status %d body %s", op, body, r.status, r.body)
		}
		if r.status == 400 {
			var e struct {
				Type    string  `json:"__type"`
				Message *string `json:"message"`
			}
			if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Type == "" || e.Message == nil {
				t.Fatalf("%s %q: malformed error body %q", op, body, r.body)
			}
		}
	})
}
