package throttle

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/gate"
	"github.com/openswf/openswf/internal/swfapi"
)

// fakeClock is a clock that moves only when a test says so.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type accountKey struct{}

func withAccount(ctx context.Context, a string) context.Context {
	return context.WithValue(ctx, accountKey{}, a)
}

// accountOf is the account function tests give the interceptor: the
// account a test put in the context, "default" when none.
func accountOf(ctx context.Context) string {
	if a, ok := ctx.Value(accountKey{}).(string); ok {
		return a
	}
	return "default"
}

// recorder is the next handler: it counts its calls and keeps the context
// of the last one.
type recorder struct {
	calls atomic.Int64
	mu    sync.Mutex
	ctx   context.Context
}

func (r *recorder) handle(ctx context.Context, op string, in any) (any, error) {
	r.calls.Add(1)
	r.mu.Lock()
	r.ctx = ctx
	r.mu.Unlock()
	return "ok", nil
}

func (r *recorder) lastCtx() context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ctx
}

type fixture struct {
	clock *fakeClock
	ic    swfapi.Interceptor
	next  *recorder
}

func newFixture(t *testing.T, s Settings) *fixture {
	t.Helper()
	c := newFakeClock()
	return &fixture{clock: c, ic: New(s, c.now).Interceptor(accountOf), next: &recorder{}}
}

// call runs op through the interceptor for account and reports whether it
// passed; a refusal must be exactly SWF's throttling fault and must not have
// reached next.
func (f *fixture) call(t *testing.T, account, op string, in any) bool {
	t.Helper()
	before := f.next.calls.Load()
	out, err := f.ic(withAccount(context.Background(), account), op, in, f.next.handle)
	after := f.next.calls.Load()
	if err == nil {
		if out != "ok" || after != before+1 {
			t.Fatalf("%s passed but next was called %d times, answering %v", op, after-before, out)
		}
		return true
	}
	var fault *swfapi.Fault
	if !errors.As(err, &fault) || fault.Code != swfapi.CodeThrottling || fault.Message != "Rate exceeded" {
		t.Fatalf("%s: error %v, want ThrottlingException: Rate exceeded", op, err)
	}
	if out != nil || after != before {
		t.Fatalf("throttled %s reached next (%d calls) or answered %v", op, after-before, out)
	}
	return false
}

func small() Settings {
	return Settings{
		APIs: map[string]Quota{
			"RecordActivityTaskHeartbeat":  {Burst: 3, Rate: 1},
			"PollForActivityTask":          {Burst: 3, Rate: 1},
			"RespondDecisionTaskCompleted": {Burst: 100, Rate: 100},
		},
		Decisions: map[string]Quota{},
	}
}

func TestBucketAllowsBurstThenRefillsAtRate(t *testing.T) {
	f := newFixture(t, small())
	const op = "RecordActivityTaskHeartbeat"
	for i := range 3 {
		if !f.call(t, "a", op, nil) {
			t.Fatalf("call %d of a full bucket of 3 throttled", i+1)
		}
	}
	if f.call(t, "a", op, nil) {
		t.Fatal("4th call of a bucket of 3 passed")
	}
	// Half a second brings half a token: not enough.
	f.clock.advance(500 * time.Millisecond)
	if f.call(t, "a", op, nil) {
		t.Fatal("call passed with half a token")
	}
	f.clock.advance(500 * time.Millisecond)
	if !f.call(t, "a", op, nil) {
		t.Fatal("call throttled one second after the bucket emptied at 1/s")
	}
	if f.call(t, "a", op, nil) {
		t.Fatal("second call passed on one refilled token")
	}
	// A long pause refills to the burst, never past it.
	f.clock.advance(time.Hour)
	for i := range 3 {
		if !f.call(t, "a", op, nil) {
			t.Fatalf("call %d after an hour throttled", i+1)
		}
	}
	if f.call(t, "a", op, nil) {
		t.Fatal("bucket refilled past its burst")
	}
}

func TestBucketsAreIndependent(t *testing.T) {
	f := newFixture(t, small())
	for range 3 {
		f.call(t, "a", "RecordActivityTaskHeartbeat", nil)
	}
	if f.call(t, "a", "RecordActivityTaskHeartbeat", nil) {
		t.Fatal("a's heartbeat bucket not empty")
	}
	for i := range 3 {
		if !f.call(t, "a", "PollForActivityTask", nil) {
			t.Fatalf("a's poll %d throttled by a's heartbeats", i+1)
		}
		if !f.call(t, "b", "RecordActivityTaskHeartbeat", nil) {
			t.Fatalf("b's heartbeat %d throttled by a's", i+1)
		}
	}
	if f.call(t, "b", "RecordActivityTaskHeartbeat", nil) {
		t.Fatal("b's heartbeat bucket holds more than its burst")
	}
}

func TestOperationWithoutQuotaIsNotThrottled(t *testing.T) {
	f := newFixture(t, small())
	for i := range 1000 {
		if !f.call(t, "a", "ListDomains", nil) {
			t.Fatalf("call %d of an operation without a quota throttled", i+1)
		}
	}
}

func TestAccountsCreatedConcurrentlyShareOneBucket(t *testing.T) {
	// Many goroutines meet each account for the first time at once; if two
	// of them each made the account's buckets, more than the burst would
	// pass. The clock stands still, so exactly the burst must.
	f := newFixture(t, small())
	accounts := []string{"a", "b", "c", "d"}
	passed := make([]atomic.Int64, len(accounts))
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				k := (g + i) % len(accounts)
				_, err := f.ic(withAccount(context.Background(), accounts[k]), "RecordActivityTaskHeartbeat", nil, f.next.handle)
				if err == nil {
					passed[k].Add(1)
				}
			}
		}()
	}
	wg.Wait()
	for k, a := range accounts {
		if n := passed[k].Load(); n != 3 {
			t.Errorf("account %s: %d calls passed, want its burst of 3", a, n)
		}
	}
}

func decision(t swfapi.DecisionType) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.Ptr(t)}
}

func batch(ds ...swfapi.Decision) *swfapi.RespondDecisionTaskCompletedInput {
	return &swfapi.RespondDecisionTaskCompletedInput{TaskToken: swfapi.Ptr("token"), Decisions: ds}
}

// respond runs a RespondDecisionTaskCompleted call that must pass and
// returns the refusals next saw.
func (f *fixture) respond(t *testing.T, ctx context.Context, in *swfapi.RespondDecisionTaskCompletedInput) map[int]string {
	t.Helper()
	before := f.next.calls.Load()
	if _, err := f.ic(ctx, "RespondDecisionTaskCompleted", in, f.next.handle); err != nil {
		t.Fatalf("RespondDecisionTaskCompleted: %v", err)
	}
	if f.next.calls.Load() != before+1 {
		t.Fatal("RespondDecisionTaskCompleted did not reach next")
	}
	return gate.All(f.next.lastCtx())
}

func TestDecisionsOverTheirRateAreRefused(t *testing.T) {
	s := small()
	s.Decisions["ScheduleActivityTask"] = Quota{Burst: 3, Rate: 1}
	f := newFixture(t, s)
	var ds []swfapi.Decision
	for range 5 {
		ds = append(ds, decision(swfapi.DecisionTypeScheduleActivityTask))
	}
	got := f.respond(t, context.Background(), batch(ds...))
	want := map[int]string{3: "ACTIVITY_CREATION_RATE_EXCEEDED", 4: "ACTIVITY_CREATION_RATE_EXCEEDED"}
	if !maps.Equal(got, want) {
		t.Fatalf("refusals %v, want %v", got, want)
	}
	ctx := f.next.lastCtx()
	for i := range 3 {
		if c := gate.Cause(ctx, i); c != "" {
			t.Errorf("decision %d refused with %s", i, c)
		}
	}
	// One second later the bucket holds one token again.
	f.clock.advance(time.Second)
	got = f.respond(t, context.Background(), batch(ds[:2]...))
	if want := map[int]string{1: "ACTIVITY_CREATION_RATE_EXCEEDED"}; !maps.Equal(got, want) {
		t.Fatalf("after 1 s: refusals %v, want %v", got, want)
	}
}

func TestRefusedDecisionTakesNoToken(t *testing.T) {
	s := small()
	s.Decisions["ScheduleActivityTask"] = Quota{Burst: 3, Rate: 1}
	f := newFixture(t, s)
	// An earlier interceptor (policy) refused decision 0; the three after
	// it must all fit in the bucket of 3.
	ctx := gate.Refuse(context.Background(), 0, "OPERATION_NOT_PERMITTED")
	ds := make([]swfapi.Decision, 4)
	for i := range ds {
		ds[i] = decision(swfapi.DecisionTypeScheduleActivityTask)
	}
	got := f.respond(t, ctx, batch(ds...))
	if want := map[int]string{0: "OPERATION_NOT_PERMITTED"}; !maps.Equal(got, want) {
		t.Fatalf("refusals %v, want %v", got, want)
	}
}

func TestEachDecisionTypeHasItsBucketAndCause(t *testing.T) {
	causes := map[swfapi.DecisionType]string{
		swfapi.DecisionTypeScheduleActivityTask:                   "ACTIVITY_CREATION_RATE_EXCEEDED",
		swfapi.DecisionTypeStartTimer:                             "TIMER_CREATION_RATE_EXCEEDED",
		swfapi.DecisionTypeStartChildWorkflowExecution:            "CHILD_CREATION_RATE_EXCEEDED",
		swfapi.DecisionTypeSignalExternalWorkflowExecution:        "SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
		swfapi.DecisionTypeRequestCancelExternalWorkflowExecution: "REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
		swfapi.DecisionTypeContinueAsNewWorkflowExecution:         "CONTINUE_AS_NEW_WORKFLOW_EXECUTION_RATE_EXCEEDED",
		swfapi.DecisionTypeScheduleLambdaFunction:                 "LAMBDA_FUNCTION_CREATION_RATE_EXCEEDED",
	}
	s := small()
	for dt := range causes {
		s.Decisions[string(dt)] = Quota{Burst: 1, Rate: 1}
	}
	f := newFixture(t, s)
	// Two of each limited type, in two rounds so that every type's second
	// decision comes after every type's first, and decisions SWF does not
	// limit in between: each type's first takes its own bucket's only
	// token, each second is refused with its own cause, and the others
	// pass however many there are.
	types := slices.Sorted(maps.Keys(causes))
	var ds []swfapi.Decision
	want := map[int]string{}
	for round := range 2 {
		for _, dt := range types {
			if round == 1 {
				want[len(ds)] = causes[dt]
			}
			ds = append(ds, decision(dt), decision(swfapi.DecisionTypeRecordMarker), decision(swfapi.DecisionTypeCancelTimer))
		}
	}
	ds = append(ds, decision(swfapi.DecisionTypeCompleteWorkflowExecution))
	if got := f.respond(t, context.Background(), batch(ds...)); !maps.Equal(got, want) {
		t.Fatalf("refusals %v, want %v", got, want)
	}
}

func TestThrottledCallTakesNoDecisionTokens(t *testing.T) {
	s := small()
	s.APIs["RespondDecisionTaskCompleted"] = Quota{Burst: 1, Rate: 1}
	s.Decisions["StartTimer"] = Quota{Burst: 2, Rate: 1e-9}
	f := newFixture(t, s)
	timer := decision(swfapi.DecisionTypeStartTimer)
	if got := f.respond(t, context.Background(), batch(timer)); got != nil {
		t.Fatalf("first call: refusals %v", got)
	}
	if f.call(t, "default", "RespondDecisionTaskCompleted", batch(timer, timer)) {
		t.Fatal("second call passed an empty bucket")
	}
	// Had the throttled call taken the timer bucket's last token, both
	// timers below would be refused.
	f.clock.advance(time.Second)
	got := f.respond(t, context.Background(), batch(timer, timer))
	if want := map[int]string{1: "TIMER_CREATION_RATE_EXCEEDED"}; !maps.Equal(got, want) {
		t.Fatalf("refusals %v, want %v", got, want)
	}
}

func TestDefaultsCoverTheModel(t *testing.T) {
	d := Defaults()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, op := range swfapi.Operations() {
		ops = append(ops, op.Name)
		if _, ok := d.APIs[op.Name]; !ok {
			t.Errorf("no default quota for operation %s", op.Name)
		}
	}
	if len(d.APIs) != len(ops) {
		t.Errorf("%d default API quotas for %d operations", len(d.APIs), len(ops))
	}

	// Which decision types have a RATE_EXCEEDED cause, read from the
	// model's enums rather than from the package under test.
	causeValues := map[swfapi.DecisionType]func() []string{
		swfapi.DecisionTypeScheduleActivityTask:                   swfapi.ScheduleActivityTaskFailedCauseValues,
		swfapi.DecisionTypeRequestCancelActivityTask:              swfapi.RequestCancelActivityTaskFailedCauseValues,
		swfapi.DecisionTypeCompleteWorkflowExecution:              swfapi.CompleteWorkflowExecutionFailedCauseValues,
		swfapi.DecisionTypeFailWorkflowExecution:                  swfapi.FailWorkflowExecutionFailedCauseValues,
		swfapi.DecisionTypeCancelWorkflowExecution:                swfapi.CancelWorkflowExecutionFailedCauseValues,
		swfapi.DecisionTypeContinueAsNewWorkflowExecution:         swfapi.ContinueAsNewWorkflowExecutionFailedCauseValues,
		swfapi.DecisionTypeRecordMarker:                           swfapi.RecordMarkerFailedCauseValues,
		swfapi.DecisionTypeStartTimer:                             swfapi.StartTimerFailedCauseValues,
		swfapi.DecisionTypeCancelTimer:                            swfapi.CancelTimerFailedCauseValues,
		swfapi.DecisionTypeSignalExternalWorkflowExecution:        swfapi.SignalExternalWorkflowExecutionFailedCauseValues,
		swfapi.DecisionTypeRequestCancelExternalWorkflowExecution: swfapi.RequestCancelExternalWorkflowExecutionFailedCauseValues,
		swfapi.DecisionTypeStartChildWorkflowExecution:            swfapi.StartChildWorkflowExecutionFailedCauseValues,
		swfapi.DecisionTypeScheduleLambdaFunction:                 swfapi.ScheduleLambdaFunctionFailedCauseValues,
	}
	limited := 0
	for _, v := range swfapi.DecisionTypeValues() {
		dt := swfapi.DecisionType(v)
		values, ok := causeValues[dt]
		if !ok {
			t.Fatalf("decision type %s is new to this test", dt)
		}
		var modelCause string
		for _, c := range values() {
			if len(c) > len("_RATE_EXCEEDED") && c[len(c)-len("_RATE_EXCEEDED"):] == "_RATE_EXCEEDED" {
				modelCause = c
			}
		}
		if got := rateExceededCause(dt); got != modelCause {
			t.Errorf("%s: cause %q, the model's is %q", dt, got, modelCause)
		}
		_, hasQuota := d.Decisions[v]
		if hasQuota != (modelCause != "") {
			t.Errorf("%s: default quota %v, but RATE_EXCEEDED cause %q", dt, hasQuota, modelCause)
		}
		if modelCause != "" {
			limited++
		}
	}
	if len(d.Decisions) != limited {
		t.Errorf("%d default decision quotas for %d rate-limited decision types", len(d.Decisions), limited)
	}

	// The figures the issue names, as a check on the table's transcription.
	if q := d.APIs["RecordActivityTaskHeartbeat"]; q != (Quota{Burst: 2000, Rate: 160}) {
		t.Errorf("RecordActivityTaskHeartbeat: %+v, want 2000 refilled at 160/s", q)
	}
	// Each call's maps are the caller's own.
	d.APIs["RecordActivityTaskHeartbeat"] = Quota{Burst: 1, Rate: 1}
	if Defaults().APIs["RecordActivityTaskHeartbeat"].Burst != 2000 {
		t.Error("changing one Defaults() changed the next")
	}
}

func TestNewRejectsInvalidSettings(t *testing.T) {
	for _, s := range []Settings{
		{APIs: map[string]Quota{"TagResource": {Burst: 0, Rate: 1}}},
		{APIs: map[string]Quota{"NoSuchOperation": {Burst: 1, Rate: 1}}},
		{Decisions: map[string]Quota{"RecordMarker": {Burst: 1, Rate: 1}}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%+v) did not panic", s)
				}
			}()
			New(s, nil)
		}()
	}
}

func TestNewCopiesSettings(t *testing.T) {
	s := small()
	c := newFakeClock()
	ic := New(s, c.now).Interceptor(accountOf)
	s.APIs["RecordActivityTaskHeartbeat"] = Quota{Burst: 100, Rate: 100}
	passed := 0
	for range 10 {
		if _, err := ic(context.Background(), "RecordActivityTaskHeartbeat", nil, (&recorder{}).handle); err == nil {
			passed++
		}
	}
	if passed != 3 {
		t.Fatalf("%d calls passed after the settings changed under New, want 3", passed)
	}
}

// benchmarkSettings never throttle the heartbeat, so the benchmarks measure
// the path nearly every call takes: look the bucket up, take a token.
func benchmarkSettings() Settings {
	s := Defaults()
	s.APIs["RecordActivityTaskHeartbeat"] = Quota{Burst: 1 << 40, Rate: 1e12}
	return s
}

func BenchmarkInterceptor(b *testing.B) {
	ic := New(benchmarkSettings(), nil).Interceptor(func(context.Context) string { return "123456789012" })
	next := func(context.Context, string, any) (any, error) { return nil, nil }
	in := &swfapi.RecordActivityTaskHeartbeatInput{TaskToken: swfapi.Ptr("token")}
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ic(ctx, "RecordActivityTaskHeartbeat", in, next); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := ic(ctx, "RecordActivityTaskHeartbeat", in, next); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("accounts=1000", func(b *testing.B) {
		// Many accounts: the lookup is a map read, whatever their number.
		l := New(benchmarkSettings(), nil)
		names := make([]string, 1000)
		for i := range names {
			names[i] = fmt.Sprintf("%012d", i)
		}
		var n int
		ic := l.Interceptor(func(context.Context) string { return names[n%len(names)] })
		b.ReportAllocs()
		for b.Loop() {
			n++
			if _, err := ic(ctx, "RecordActivityTaskHeartbeat", in, next); err != nil {
				b.Fatal(err)
			}
		}
	})
}
