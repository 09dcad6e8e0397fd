package swfapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/jsonref"
)

// jsonTypes is every structure reachable from an operation, found through
// the API interface: its inputs, outputs and what they nest.
func jsonTypes() []reflect.Type {
	seen := map[reflect.Type]bool{}
	var out []reflect.Type
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == reflect.TypeFor[Timestamp]() || seen[t] {
			return
		}
		seen[t] = true
		out = append(out, t)
		for i := range t.NumField() {
			walk(t.Field(i).Type)
		}
	}
	api := reflect.TypeFor[API]()
	for i := range api.NumMethod() {
		m := api.Method(i).Type
		walk(m.In(1))
		if m.NumOut() == 2 {
			walk(m.Out(0))
		}
	}
	return out
}

func inputTypes() []reflect.Type {
	var out []reflect.Type
	for _, op := range Operations() {
		out = append(out, reflect.TypeOf(NewInput(op.Name)).Elem())
	}
	return append(out, reflect.TypeFor[HistoryEvent](), reflect.TypeFor[Decision](), reflect.TypeFor[DecisionTask]())
}

// nastyStrings are what an encoder gets wrong.
var nastyStrings = []string{
	"", "a", "<script>&amp;</script>", "\u2028\u2029", "\x00\x01\x1f\x7f", "\b\f\n\r\t\"\\/",
	"\xff\xfe", "a\xc3", "\xed\xa0\x80", "é日本\U0001F600", "\ufffd", "'", "%s",
}

func randString(r *rand.Rand) string {
	if r.IntN(3) > 0 {
		return nastyStrings[r.IntN(len(nastyStrings))]
	}
	b := make([]byte, r.IntN(12))
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return string(b)
}

// fill sets v to a random value: pointers set or nil, lists nil, empty or
// not, all of it to the depth of the shapes.
func fill(r *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if r.IntN(4) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(r, v.Elem())
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[Timestamp]() {
			ms := r.Int64N(4e12) - 1e12
			if r.IntN(5) == 0 {
				ms = ms / 1000 * 1000
			}
			v.Set(reflect.ValueOf(Timestamp{time.UnixMilli(ms).Add(time.Duration(r.IntN(1000)))}))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).Tag.Get("json") == "-" {
				continue // not part of the JSON (HistoryEvent.Encoded)
			}
			fill(r, v.Field(i))
		}
	case reflect.Slice:
		switch r.IntN(4) {
		case 0:
			return
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return
		}
		n := 1 + r.IntN(3)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fill(r, v.Index(i))
		}
	case reflect.String:
		v.SetString(randString(r))
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int32:
		v.SetInt([]int64{0, -1, 1, math.MaxInt32, math.MinInt32, r.Int64N(1000)}[r.IntN(6)])
	case reflect.Int64:
		v.SetInt([]int64{0, -1, math.MaxInt64, math.MinInt64, r.Int64()}[r.IntN(5)])
	default:
		panic("fill: " + v.Type().String())
	}
}

// A list given as its elements' JSON is written as the list itself is.
func TestEncodedEvents(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		var h History
		fill(r, reflect.ValueOf(&h).Elem())
		var dt DecisionTask
		fill(r, reflect.ValueOf(&dt).Elem())
		for _, c := range []struct {
			v       JSONAppender
			events  []HistoryEvent
			encoded *[][]byte
		}{{&h, h.Events, &h.EventsEncoded}, {&dt, dt.Events, &dt.EventsEncoded}} {
			want := string(c.v.AppendJSON(nil))
			if c.events == nil {
				continue // nil is written null, and an encoded list is never nil
			}
			enc := make([][]byte, len(c.events))
			for i := range c.events {
				enc[i] = c.events[i].AppendJSON(nil)
			}
			*c.encoded = enc
			if got := string(c.v.AppendJSON(nil)); got != want {
				t.Fatalf("encoded events written as\n%s\nwant\n%s", got, want)
			}
		}
	}
}

func TestAppendJSONMatchesMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	types := jsonTypes()
	if len(types) < 50 {
		t.Fatalf("only %d shapes found", len(types))
	}
	for _, typ := range types {
		for range 200 {
			v := reflect.New(typ)
			fill(r, v.Elem())
			want, err := json.Marshal(v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			got, ok := AppendJSON([]byte("x"), v.Interface())
			if !ok {
				t.Fatalf("%s is not a JSONAppender", typ)
			}
			if !bytes.Equal(got[1:], want) {
				t.Fatalf("%s:\n got %s\nwant %s", typ, got[1:], want)
			}
			// What the encoder writes, the decoder reads back as
			// encoding/json does.
			compareDecode(t, typ, want)
		}
	}
	var nilTask *DecisionTask
	if got, _ := AppendJSON(nil, nilTask); string(got) != "null" {
		t.Errorf("nil shape written as %s", got)
	}
}

// describe reduces a decoding error to what the protocol layer shows of it.
func describe(err error) string {
	var std *json.UnmarshalTypeError
	var ours *JSONTypeError
	var syntax *json.SyntaxError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &std):
		return fmt.Sprintf("type %s %s %q", std.Value, std.Type, std.Field)
	case errors.As(err, &ours):
		return fmt.Sprintf("type %s %s %q", ours.Value, ours.Type, ours.Field)
	case errors.As(err, &syntax):
		return fmt.Sprintf("syntax at %d", syntax.Offset)
	}
	return "other " + err.Error()
}

func compareDecode(t *testing.T, typ reflect.Type, body []byte) {
	t.Helper()
	want := reflect.New(typ)
	wantErr := jsonref.Unmarshal(body, want.Interface())
	got := reflect.New(typ)
	gotErr := DecodeJSON(body, got.Interface())
	if describe(gotErr) != describe(wantErr) {
		t.Fatalf("%s %q:\n got %s\nwant %s", typ, body, describe(gotErr), describe(wantErr))
	}
	if wantErr == nil && !reflect.DeepEqual(got.Interface(), want.Interface()) {
		g, _ := json.Marshal(got.Interface())
		w, _ := json.Marshal(want.Interface())
		t.Fatalf("%s %q:\n got %s\nwant %s", typ, body, g, w)
	}
}

var decodeSeeds = []string{
	`{}`, ``, ` `, `null`, `[]`, `"x"`, `{"domain":"d"}`, `{"domain":"d"} x`, `{"domain":"d"}}`,
	`{"name":"d","workflowExecutionRetentionPeriodInDays":"1","tags":[{"key":"k","value":"v"},null]}`,
	`{"domain":"d","startTimeFilter":{"oldestDate":1.5e9,"latestDate":-1}}`,
	`{"domain":"d","startTimeFilter":{"oldestDate":"yesterday"}}`,
	`{"domain":"d","startTimeFilter":{"oldestDate":1e400}}`,
	`{"domain":5,"startTimeFilter":{"oldestDate":"yesterday"}}`,
	`{"domain":5,"startTimeFilter":{"oldestDate":"yesterday"}`,
	`{"taskToken":"t","decisions":[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityType":{}}}]}`,
	`{"taskToken":"t","decisions":[{"decisionType":5,"scheduleActivityTaskDecisionAttributes":{"activityType":{"name":[]}}}]}`,
	`{"maximumPageSize":2147483648}`, `{"maximumPageSize":-2147483648}`, `{"maximumPageSize":1.0}`, `{"maximumPageSize":1e2}`,
	`{"maximumPageSize":-0}`, `{"maximumPageSize":99999999999999999999}`, `{"reverseOrder":"yes"}`, `{"reverseOrder":true}`,
	`{"domain":"\u0000\ud800"}`, `{"domain":"\ud83d\ude00\ud83d\u0041\udc00x\ud83d"}`, `{"domain":"\u00e9\/\b\f\n\r\t\"\\"}`,
	`{"DOMAIN":"d","Domain":"e"}`, `{"domain":"d","DOMAIN":"e"}`, `{"DoMaIn":"d"}`, `{"taſkToken":"t","\u0064omain":"d"}`,
	`{"domain":"d","domain":null}`, `{"tagList":["a","b"],"tagList":["c"],"tagList":[null,null]}`,
	`{"tagList":["a","b"],"tagList":[],"tagList":[null]}`, `{"tagList":[1,"a",true,{},[]]}`, `{"tagList":"a"}`, `{"tagList":{}}`,
	`{"tags":[{"key":"a"}],"tags":[{"value":"b"}]}`, `{"x":[[[[{}]]]],"y":{"z":[1,2,{"a":null}]}}`,
	`{"domain":"d",}`, `{"domain":"d" "x":1}`, `{"domain" "d"}`, `{,}`, `{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`, `{"a":.5}`,
	`{"a":tru}`, `{"a":nul}`, `{"a":"\x"}`, `{"a":"\u12"}`, "{\"a\":\"\x01\"}", `{"a":"` + "\xff\xfe" + `"}`, `{"domain":"` + "\xff\xfe" + `"}`,
	"{\"domain\"\t:\n\"d\"\r}", `{"a":[1,]}`, `{"a":[,1]}`, `{"a":[1 2]}`, `{"a":{"b":1,}}`, `{"eventTimestamp":{"a":1}}`,
	`{"eventTimestamp":[1]}`, `{"eventTimestamp":true}`, `{"eventTimestamp":12345678901234}`, `{"eventTimestamp":-1.5}`,
	`{"eventId":5,"eventType":"WorkflowExecutionStarted","workflowExecutionStartedEventAttributes":{"input":"i","tagList":[],"childPolicy":"ABANDON","taskList":{"name":"t"}}}`,
	`{"eventId":"5"}`, `{"eventId":{}}`, `{"eventId":[]}`, `{"eventId":true}`, `{"eventType":1}`, `{"eventType":{}}`,
	`{"workflowExecutionStartedEventAttributes":"x"}`, `{"workflowExecutionStartedEventAttributes":[1]}`, `{"workflowExecutionStartedEventAttributes":1}`,
	`{"workflowExecutionStartedEventAttributes":false}`, `{"decisions":[1]}`, `{"decisions":["x",true,[],null]}`,
}

// deepSeeds are at encoding/json's nesting limit: too slow to fuzz from.
var deepSeeds = []string{
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001), `{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	`{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
}

func TestDecodeJSONMatchesUnmarshal(t *testing.T) {
	for _, typ := range inputTypes() {
		for _, s := range append(decodeSeeds, deepSeeds...) {
			compareDecode(t, typ, []byte(s))
		}
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for i, s := range decodeSeeds {
		f.Add(uint8(i), []byte(s))
	}
	types := inputTypes()
	f.Fuzz(func(t *testing.T, i uint8, body []byte) {
		compareDecode(t, types[int(i)%len(types)], body)
	})
}

// FuzzAppendJSON writes random values of every shape from a fuzzed seed.
func FuzzAppendJSON(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	types := jsonTypes()
	f.Fuzz(func(t *testing.T, a, b uint64) {
		r := rand.New(rand.NewPCG(a, b))
		typ := types[r.IntN(len(types))]
		v := reflect.New(typ)
		fill(r, v.Elem())
		want, _ := json.Marshal(v.Interface())
		got := v.Interface().(JSONAppender).AppendJSON(nil)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s:\n got %s\nwant %s", typ, got, want)
		}
	})
}

func TestDecodeJSONOtherTypes(t *testing.T) {
	var m map[string]int
	if err := DecodeJSON([]byte(`{"a":1}`), &m); err != nil || m["a"] != 1 {
		t.Fatalf("fallback to encoding/json: %v %v", m, err)
	}
}

// TestDecodeJSONMutations decodes documents near valid ones: written from
// random values, then with letters' case flipped, members duplicated and
// values swapped for values of other kinds.
func TestDecodeJSONMutations(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	snippets := []string{`5`, `-0`, `1.5`, `1e3`, `2147483648`, `9223372036854775808`, `true`, `null`, `{}`, `[]`, `[null]`, `"x"`, `"\u017f"`, `{"name":1}`, `[{"key":null}]`}
	for _, typ := range inputTypes() {
		for range 300 {
			v := reflect.New(typ)
			fill(r, v.Elem())
			doc, _ := json.Marshal(v.Interface())
			for range 1 + r.IntN(3) {
				switch r.IntN(4) {
				case 0: // flip the case of a letter
					if i := r.IntN(len(doc)); 'a' <= doc[i]|0x20 && doc[i]|0x20 <= 'z' {
						doc[i] ^= 0x20
					}
				case 1: // a member's value, up to the next ',' or '}', of another kind
					colons := bytes.Count(doc, []byte(`":`))
					if colons == 0 {
						break
					}
					at := 0
					for range 1 + r.IntN(colons) {
						at += bytes.Index(doc[at:], []byte(`":`)) + 2
					}
					if end := bytes.IndexAny(doc[at:], ",}"); end > 0 {
						doc = append(doc[:at:at], append([]byte(snippets[r.IntN(len(snippets))]), doc[at+end:]...)...)
					}
				case 2: // the document's first member again, last
					if len(doc) > 2 {
						if end := bytes.IndexAny(doc[1:], ",}"); end > 0 {
							member := append([]byte(nil), doc[1:1+end]...)
							doc = append(doc[:len(doc)-1:len(doc)-1], append([]byte(","), append(member, '}')...)...)
						}
					}
				case 3: // a snippet anywhere
					i := r.IntN(len(doc) + 1)
					doc = append(doc[:i:i], append([]byte(snippets[r.IntN(len(snippets))]), doc[i:]...)...)
				}
			}
			compareDecode(t, typ, doc)
		}
	}
}
