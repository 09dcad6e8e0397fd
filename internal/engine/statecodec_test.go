package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// sameAsMarshal fails the test unless AppendJSON writes what json.Marshal
// writes for e, and appends rather than overwrites.
func sameAsMarshal(t testing.TB, what string, e *Execution) {
	t.Helper()
	want, err := json.Marshal(e)
	if err != nil {
		t.Fatalf("%s: json.Marshal: %v", what, err)
	}
	got := e.AppendJSON(nil)
	if !bytes.Equal(got, want) {
		i := firstDiff(got, want)
		t.Fatalf("%s: AppendJSON differs from json.Marshal at byte %d (a field added to a state type needs its line in statecodec.go)\n"+
			"got  …%s\nwant …%s\nwhole got  %s\nwhole want %s", what, i, got[max(0, i-80):min(len(got), i+80)], want[max(0, i-80):min(len(want), i+80)], got, want)
	}
	if pre := e.AppendJSON([]byte("prefix")); !bytes.Equal(pre, append([]byte("prefix"), want...)) {
		t.Fatalf("%s: AppendJSON(prefix) = %s", what, pre)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// filler sets values by reflection, so that a field added to any type the
// state holds is filled too, and shows up in json.Marshal's output: if
// AppendJSON does not know the field the comparison fails. A field of a
// kind it does not know fails the test, for the same reason.
type filler struct {
	t testing.TB
	r *rand.Rand
	// full sets every field to a non-zero value, so none is left out by
	// omitempty or omitzero and every field's encoding is compared.
	full bool
	// extra is a string the fuzzer chose, used among the others.
	extra string
}

var timeType = reflect.TypeFor[time.Time]()

// nasty are strings that encoding/json escapes, or that sort unlike their
// escaped form.
var nasty = []string{
	"", "a", "A", "plain-id", "<script>&amp;</script>", "\u2028\u2029", "line\nbreak\ttab\r\b\f",
	"\x00\x01\x1f\x7f", "quote\"back\\slash", "bad\xffutf8\xc3", "\xed\xa0\x80surrogate", "é漢字🙂",
	"/slashes/are/not/escaped", "10", "9", "-1", "Z", "z",
}

func (f *filler) fill(v reflect.Value, depth int) {
	t := v.Type()
	if t == timeType {
		v.Set(reflect.ValueOf(f.time()))
		return
	}
	switch t.Kind() {
	case reflect.Bool:
		v.SetBool(f.full || f.r.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(f.int(t.Bits()))
	case reflect.String:
		v.SetString(f.string())
	case reflect.Pointer:
		if !f.full && f.r.IntN(3) == 0 {
			v.SetZero()
			return
		}
		p := reflect.New(t.Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		n := f.length()
		if n < 0 {
			v.SetZero()
			return
		}
		s := reflect.MakeSlice(t, n, n)
		for i := range n {
			f.fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		n := f.length()
		if n < 0 {
			v.SetZero()
			return
		}
		m := reflect.MakeMapWithSize(t, n)
		for range n {
			k := reflect.New(t.Key()).Elem()
			f.fill(k, depth+1)
			e := reflect.New(t.Elem()).Elem()
			f.fill(e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				f.t.Fatalf("%s.%s is unexported: teach the state codec test about it", t, t.Field(i).Name)
			}
			f.fill(v.Field(i), depth+1)
		}
	default:
		f.t.Fatalf("the state holds a %s (%s), which the filler cannot fill: teach statecodec.go and this test about it", t, t.Kind())
	}
}

// length is -1 for nil, else the number of elements: sometimes empty,
// often several so that map keys are sorted.
func (f *filler) length() int {
	if f.full {
		return 1 + f.r.IntN(12)
	}
	switch f.r.IntN(5) {
	case 0:
		return -1
	case 1:
		return 0
	}
	return 1 + f.r.IntN(12)
}

func (f *filler) int(bits int) int64 {
	var n int64
	switch f.r.IntN(6) {
	case 0:
		n = 0
	case 1:
		n = []int64{1, 9, 10, 11, 99, 100, 101, 1000, -1, -10, -9, math.MaxInt64, math.MinInt64}[f.r.IntN(13)]
	case 2:
		n = -f.r.Int64N(1 << 40)
	case 3:
		n = f.r.Int64()
	default:
		n = f.r.Int64N(2000)
	}
	if bits < 64 {
		n = n << (64 - bits) >> (64 - bits) // keep it in range, sign and all
	}
	if f.full && n == 0 {
		n = 7
	}
	return n
}

func (f *filler) string() string {
	var s string
	switch f.r.IntN(4) {
	case 0:
		s = nasty[f.r.IntN(len(nasty))]
	case 1:
		s = f.extra
	case 2:
		b := make([]byte, f.r.IntN(20))
		for i := range b {
			b[i] = byte(f.r.IntN(256))
		}
		s = string(b)
	default:
		s = "id-" + strconv.Itoa(f.r.IntN(100))
	}
	if f.full && s == "" {
		s = "x"
	}
	return s
}

var zones = []*time.Location{
	time.UTC, time.FixedZone("", 0), time.FixedZone("IST", 5*3600+1800), time.FixedZone("W", -(9*3600 + 30*60)),
	time.FixedZone("odd", 3600+17), time.FixedZone("far", 23*3600+59*60), time.FixedZone("west", -23*3600),
}

// time returns times json.Marshal accepts: years 0 to 9999, zone offsets
// under 24 hours; now and then the zero time, whole seconds or millis.
func (f *filler) time() time.Time {
	if !f.full && f.r.IntN(4) == 0 {
		return time.Time{}
	}
	t := time.Unix(f.r.Int64N(253402300799+62135596800)-62135596800, f.r.Int64N(1e9)).In(zones[f.r.IntN(len(zones))])
	switch f.r.IntN(4) {
	case 0:
		t = t.Truncate(time.Second)
	case 1:
		t = t.Truncate(time.Millisecond)
	case 2:
		t = t.Round(0).Add(time.Duration(f.r.IntN(10)) * 100 * time.Microsecond)
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return t0
	}
	return t
}

func randomExecution(t testing.TB, r *rand.Rand, full bool, extra string) *Execution {
	var e Execution
	(&filler{t: t, r: r, full: full, extra: extra}).fill(reflect.ValueOf(&e).Elem(), 0)
	return &e
}

// Random states, with every field of every type the state holds set in
// some of them, encode as json.Marshal encodes them. This is also the test
// that fails when a field is added to one of those types and not to
// statecodec.go.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := range n {
		full := i%3 == 0
		e := randomExecution(t, r, full, "")
		sameAsMarshal(t, fmt.Sprintf("state %d (full %v)", i, full), e)
	}
}

// The full states leave nothing out: every json name of every struct type
// reachable from Execution appears in the encoding. Were the filler to
// skip a field, the comparison above would not notice a missing one.
func TestAppendJSONWritesEveryField(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	e := randomExecution(t, r, true, "")
	got := string(e.AppendJSON(nil))
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ == timeType || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			sf := typ.Field(i)
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if !strings.Contains(got, `"`+name+`":`) {
				t.Errorf("%s.%s (%q) is not in the encoding of a full state", typ, sf.Name, name)
			}
			walk(sf.Type)
		}
	}
	walk(reflect.TypeFor[Execution]())
	if !seen[reflect.TypeFor[ChildState]()] || !seen[reflect.TypeFor[ActivityState]()] {
		t.Fatalf("walk missed types: %v", seen)
	}
}

// No type the state holds has its own JSON or text encoding, which
// AppendJSON would have to call; ReceivedRequests has only a decoder.
func TestStateTypesHaveNoMarshalers(t *testing.T) {
	marshalers := []reflect.Type{reflect.TypeFor[json.Marshaler](), reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		if typ == timeType || seen[typ] {
			return
		}
		seen[typ] = true
		for _, m := range marshalers {
			if typ.Implements(m) || reflect.PointerTo(typ).Implements(m) {
				t.Errorf("%s implements %s: AppendJSON must call it", typ, m)
			}
		}
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice:
			walk(typ.Elem())
		case reflect.Map:
			walk(typ.Key())
			walk(typ.Elem())
		case reflect.Struct:
			for i := range typ.NumField() {
				walk(typ.Field(i).Type)
			}
		}
	}
	walk(reflect.TypeFor[Execution]())
}

func TestAppendJSONEdges(t *testing.T) {
	var nilExec *Execution
	if got := string(nilExec.AppendJSON(nil)); got != "null" {
		t.Fatalf("nil execution: %s", got)
	}
	sameAsMarshal(t, "zero", &Execution{})
	sameAsMarshal(t, "empty collections", &Execution{
		TagList: []string{}, Activities: map[int64]ActivityState{}, ActivityIDs: map[string]int64{},
		Timers: map[string]TimerState{}, External: map[int64]ExternalRequest{}, Received: ReceivedRequests{},
		Children: map[int64]ChildState{}, LatestExecutionContext: new(string),
		Decision: &DecisionTaskState{}, NextDecision: &DecisionTaskState{}, Parent: &ParentRef{}, Notice: &ParentNotice{},
	})
	// Keys that sort differently as numbers and as strings, and a map
	// larger than the keys' stack buffer.
	e := &Execution{Activities: map[int64]ActivityState{}, External: map[int64]ExternalRequest{},
		Children: map[int64]ChildState{}, Timers: map[string]TimerState{}, ActivityIDs: map[string]int64{}}
	for _, id := range []int64{0, 1, 2, 9, 10, 11, 19, 20, 99, 100, 101, 109, 110, 1000, 999, -1, -2, -10, -19, math.MaxInt64, math.MinInt64, 123456789, 12345678, 1234567890123456789} {
		e.Activities[id] = ActivityState{ActivityID: itoa(id)}
		e.External[id] = ExternalRequest{Cancel: id%2 == 0}
		e.Children[id] = ChildState{}
		e.Timers[itoa(id)] = TimerState{}
		e.ActivityIDs["<"+itoa(id)+">"] = id
	}
	sameAsMarshal(t, "many keys", e)
}

// compareDecimal orders integers as their decimal strings do.
func TestCompareDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	special := []int64{0, 1, 9, 10, 11, 99, 100, 1000000000000000000, math.MaxInt64, math.MaxInt64 - 1, -1, -9, -10, math.MinInt64}
	pick := func() int64 {
		switch r.IntN(4) {
		case 0:
			return special[r.IntN(len(special))]
		case 1:
			return r.Int64N(1000)
		case 2:
			return r.Int64() >> r.IntN(63)
		}
		return -r.Int64N(1000)
	}
	for range 200000 {
		x, y := pick(), pick()
		if got, want := compareDecimal(x, y), strings.Compare(itoa(x), itoa(y)); got != want {
			t.Fatalf("compareDecimal(%d, %d) = %d, want %d", x, y, got, want)
		}
	}
}

// The states the engine itself reaches, command by command, through
// activities, timers, signals, external requests, children, cancellation
// and closing, encode as json.Marshal encodes them.
func TestAppendJSONEngineStates(t *testing.T) {
	h, k := startedChild(t)
	// covered notes which parts of the state the scenario reached, so that
	// a change to the engine that stops reaching one is noticed here.
	covered := map[string]bool{}
	step := func(what string, h *harness) {
		t.Helper()
		sameAsMarshal(t, what, h.e)
		e := h.e
		for part, ok := range map[string]bool{
			"activities": len(e.Activities) > 9, "started activity": slices.ContainsFunc(slices.Collect(maps.Values(e.Activities)), func(a ActivityState) bool { return a.StartedEventID != 0 }),
			"activityIds": len(e.ActivityIDs) > 0, "timers": len(e.Timers) > 1, "external": len(e.External) > 1, "received": len(e.Received) > 0,
			"children": len(e.Children) > 0, "parent": e.Parent != nil, "notice": e.Notice != nil, "decision": e.Decision != nil,
			"nextDecision": e.NextDecision != nil, "closed": !e.ClosedAt.IsZero(), "context": e.LatestExecutionContextEventID != 0,
		} {
			covered[part] = covered[part] || ok
		}
	}
	defer func() {
		if t.Failed() {
			return
		}
		for part, ok := range covered {
			if !ok {
				t.Errorf("the scenario never reached a state with %s", part)
			}
		}
	}()
	step("parent started a child", h)
	step("child started", k)

	// Twelve activities, so ids pass 9 and sort as strings; timers,
	// external requests, a marker.
	var ds []swfapi.Decision
	for i := range 12 {
		ds = append(ds, schedule(fmt.Sprintf("a<%d>", i), "act/1", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) {
			a.Input, a.Control = swfapi.Ptr("in\u2028&"), swfapi.Ptr(fmt.Sprint("c", i))
		}))
	}
	ds = append(ds, startTimer("t1", "10"), startTimer("t<2>", "100"), signalExternal("other", "", "hello"),
		cancelExternal("third"), marker("m", "d"), startChild("kid-2", "kid/1"))
	k.decide(ds...)
	step("child scheduled work", k)

	ids := slices.Sorted(func(yield func(int64) bool) {
		for id := range k.e.Activities {
			if !yield(id) {
				return
			}
		}
	})
	for _, id := range ids[:6] {
		k.startActivity(id)
		step("activity started", k)
	}
	k.heartbeat(ids[0], "beat\x00")
	k.do("CompleteActivityTask", func() (Effects, error) {
		return k.e.CompleteActivityTask(ids[1], k.e.Activities[ids[1]].StartedEventID, swfapi.Ptr("r"), k.now)
	})
	step("activity completed", k)
	// A signal while a decision task is started schedules the next one.
	k.startDecision()
	k.do("Signal", func() (Effects, error) { return k.e.Signal("sig<>", swfapi.Ptr("\xff"), k.now) })
	step("signalled", k)
	k.do("ReceiveExternal", func() (Effects, error) {
		return k.e.ReceiveExternal(ExternalRequest{SignalName: "s"}, swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr("w"), RunId: swfapi.Ptr("r")}, 9, k.now)
	})
	step("received", k)
	k.advance(61 * time.Second)
	k.fireDue()
	step("timers fired", k)
	k.respond(&swfapi.RespondDecisionTaskCompletedInput{ExecutionContext: swfapi.Ptr("ctx<&>"),
		Decisions: []swfapi.Decision{cancelActivity(k.e.Activities[ids[0]].ActivityID), cancelTimer("t<2>")}})
	step("cancels requested", k)
	k.do("RequestCancel", func() (Effects, error) { return k.e.RequestCancel(k.now) })
	step("cancel requested", k)
	k.decide(completeWorkflow("done"))
	step("child closed", k)

	if ref, n, ok := k.e.ParentNoticeOwed(); ok {
		h.do("ChildClosed", func() (Effects, error) { return h.e.ChildClosed(ref.InitiatedEventID, k.e.RunID, n, h.now) })
		step("parent told", h)
	}
	fx := h.decide(continueAsNew("again"))
	step("parent continued", h)
	if fx.NewRun != nil {
		sameAsMarshal(t, "new run", fx.NewRun.Execution)
	}
}

// FuzzAppendJSON compares both encoders on random states built from the
// fuzzer's seed, with its string among the values.
func FuzzAppendJSON(f *testing.F) {
	f.Add(uint64(1), "")
	f.Add(uint64(2), "<>&\u2028\u2029")
	f.Add(uint64(3), "\xff\xfe\x00\x1f\"\\")
	f.Fuzz(func(t *testing.T, seed uint64, s string) {
		r := rand.New(rand.NewPCG(seed, seed>>32))
		sameAsMarshal(t, "fuzzed", randomExecution(t, r, seed%2 == 0, s))
	})
}

// TestStoredInputIgnored: a state stored when the run's input was part of
// it still decodes, and is written again without it.
func TestStoredInputIgnored(t *testing.T) {
	var e Execution
	if err := json.Unmarshal([]byte(`{"domain":"d","workflowId":"w","runId":"r","input":"big","nextEventId":3}`), &e); err != nil {
		t.Fatal(err)
	}
	if e.Domain != "d" || e.NextEventID != 3 {
		t.Errorf("decoded %+v", e)
	}
	if got := string(e.AppendJSON(nil)); strings.Contains(got, `"input"`) {
		t.Errorf("encoded again with the input: %s", got)
	}
}
