package awsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/openswf/openswf/internal/jsonref"
	"github.com/openswf/openswf/internal/swfapi"
)

// decodeStdlib is Decode as it was with encoding/json: the reference the
// generated decoder is held to.
func decodeStdlib(body []byte, in any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return swfapi.NewFault(swfapi.CodeSerialization, "Request body must be a JSON object")
	}
	if err := jsonref.Unmarshal(body, in); err != nil {
		return serializationError(err)
	}
	return nil
}

func faultMessage(err error) string {
	var f *swfapi.Fault
	if errors.As(err, &f) {
		return f.Code + ": " + f.Message
	}
	if err != nil {
		return "not a fault: " + err.Error()
	}
	return "ok"
}

// compareDecoders decodes body as the input of op both ways: the same
// answer, the same value.
func compareDecoders(t *testing.T, op string, body []byte) {
	t.Helper()
	want, got := swfapi.NewInput(op), swfapi.NewInput(op)
	wantErr, gotErr := decodeStdlib(body, want), Decode(body, got)
	if faultMessage(gotErr) != faultMessage(wantErr) {
		t.Fatalf("%s %q:\n got %s\nwant %s", op, body, faultMessage(gotErr), faultMessage(wantErr))
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("%s %q:\n got %s\nwant %s", op, body, g, w)
	}
}

var codecSeeds = []string{
	``, ` `, `{}`, ` {} `, "\u00a0{}\u0085", `null`, `[]`, `"x"`, `{"domain":"d"}`, `{"domain":"d"} {}`,
	`{"name":"d","workflowExecutionRetentionPeriodInDays":"1","tags":[{"key":"k","value":"v"},null]}`,
	`{"domain":"d","startTimeFilter":{"oldestDate":1.5e9,"latestDate":-1}}`,
	`{"domain":"d","startTimeFilter":{"oldestDate":"yesterday"}}`, `{"domain":3,"startTimeFilter":{"oldestDate":"yesterday"}}`,
	`{"taskToken":"t","decisions":[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityType":{}}}]}`,
	`{"taskToken":"t","decisions":[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityType":{"name":5}}}]}`,
	`{"maximumPageSize":2147483648}`, `{"maximumPageSize":1.5}`, `{"reverseOrder":"yes"}`, `{"domain":"\u0000\ud800"}`,
	`{"name":`, `["name"]`, `{"name":5}`, `{"name":{}}`, `{"name":[]}`, `{"name":true}`, `{"Name":"n","NAME":"m"}`,
	`{"domain":"d","typeFilter":{"name":"n"},"tagFilter":{"tag":"\u003c\u2028"}}`, `{"tagKeys":["a",1]}`, `{"tags":"x"}`,
	`{"registrationStatus":5}`, `{"registrationStatus":[]}`, `{"decisions":{}}`, `{"decisions":"x"}`, `{"maximumPageSize":"5"}`, `{"maximumPageSize":[1]}`,
}

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	for _, op := range swfapi.Operations() {
		for _, s := range codecSeeds {
			compareDecoders(t, op.Name, []byte(s))
		}
	}
	// The messages clients see for the commonest mistakes.
	for _, tc := range []struct{ op, body, want string }{
		{"ListActivityTypes", `{"name":5}`, "SerializationException: NUMBER_VALUE can not be converted to a String at 'name'"},
		{"ListActivityTypes", `{"name":"a","maximumPageSize":1.5}`, "SerializationException: NUMBER_VALUE can not be converted to an Integer at 'maximumPageSize'"},
		{"ListActivityTypes", `{"name":"a","reverseOrder":"yes"}`, "SerializationException: STRING_VALUE can not be converted to a Boolean at 'reverseOrder'"},
		{"ListActivityTypes", `{"name":`, "SerializationException: Malformed JSON at offset 8"},
		{"ListActivityTypes", `{"name":"a","registrationStatus":5}`, "SerializationException: NUMBER_VALUE can not be converted to a String at 'registrationStatus'"},
		{"ListActivityTypes", `{"name":"a","maximumPageSize":"5"}`, "SerializationException: STRING_VALUE can not be converted to an Integer at 'maximumPageSize'"},
		{"CountOpenWorkflowExecutions", `{"domain":"d","tagFilter":[]}`, "SerializationException: Start of list found where not expected at 'tagFilter'"},
		{"RespondDecisionTaskCompleted", `{"decisions":{}}`, "SerializationException: Start of structure or map found where not expected at 'decisions'"},
		{"RespondDecisionTaskCompleted", `{"decisions":"x"}`, "SerializationException: STRING_VALUE can not be converted to a List at 'decisions'"},
		{"ListActivityTypes", `{"name":"a","registrationStatus":{}}`, "SerializationException: Start of structure or map found where not expected at 'registrationStatus'"},
		{"CountOpenWorkflowExecutions", `{"domain":"d","startTimeFilter":"x"}`, "SerializationException: STRING_VALUE can not be converted to a Structure at 'startTimeFilter'"},
		{"CountOpenWorkflowExecutions", `{"domain":"d","startTimeFilter":{"oldestDate":"x"}}`, "SerializationException: Could not parse the request body: timestamp must be a number of seconds since the epoch"},
		{"RespondDecisionTaskCompleted", `{"decisions":[{},{"scheduleActivityTaskDecisionAttributes":{"activityType":{"name":[]}}}]}`, "SerializationException: Start of list found where not expected at 'decisions.scheduleActivityTaskDecisionAttributes.activityType.name'"},
	} {
		if got := faultMessage(Decode([]byte(tc.body), swfapi.NewInput(tc.op))); got != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.op, tc.body, got, tc.want)
		}
	}
}

// FuzzDecodeMatchesEncodingJSON holds Decode to encoding/json on arbitrary
// bodies for every operation's input.
func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
	for i, s := range codecSeeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Add(uint8(0), []byte(heartbeatBody))
	f.Add(uint8(1), []byte(`{"taskToken":"t","decisions":[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityType":{"name":"a","version":"1"},"activityId":"id","input":"`+strings.Repeat("i", 20)+`","taskList":{"name":"tl"}}}]}`))
	ops := swfapi.Operations()
	f.Fuzz(func(t *testing.T, opIndex uint8, body []byte) {
		compareDecoders(t, ops[int(opIndex)%len(ops)].Name, body)
	})
}

// TestOutputMatchesEncodingJSON checks the bytes of an answer against
// json.Marshal's.
func TestOutputMatchesEncodingJSON(t *testing.T) {
	task := decisionTask(30)
	want, _ := json.Marshal(task)
	if got := task.AppendJSON(nil); !bytes.Equal(got, want) {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	h := &Handler{}
	r := httptest.NewRecorder()
	h.writeOutput(r, task)
	if !bytes.Equal(r.Body.Bytes(), want) || r.Header().Get("Content-Length") != strconv.Itoa(len(want)) {
		t.Fatalf("writeOutput wrote %d bytes, Content-Length %s; want %d", r.Body.Len(), r.Header().Get("Content-Length"), len(want))
	}
}

// Member names match exactly, as AWS's JSON protocol matches them: a key
// in another case is an unknown member, ignored, whatever its value.
func TestMemberNamesAreCaseSensitive(t *testing.T) {
	in := &swfapi.ListDomainsInput{}
	if err := Decode([]byte(`{"RegistrationStatus":"REGISTERED","maximumPageSize":5,"MaximumPageSize":"x"}`), in); err != nil {
		t.Fatal(err)
	}
	if in.RegistrationStatus != nil || in.MaximumPageSize == nil || *in.MaximumPageSize != 5 {
		t.Fatalf("decoded %+v", in)
	}
}
