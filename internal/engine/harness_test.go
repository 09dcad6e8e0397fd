package engine

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// t0 is when every test run starts.
var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// harness drives one execution the way the service will: it calls one
// engine method at a time and applies the Effects to an in-memory "store"
// of tasks, timers and activity rows, checking after every command that the
// store holds exactly what the state implies.
type harness struct {
	t       *testing.T
	e       *Execution
	now     time.Time
	history []swfapi.HistoryEvent
	tasks   map[string]Task
	timers  map[string]time.Time
	rows    map[int64]ActivityRow
	beats   map[int64]beat
	types   map[TypeRef]ActivityTypeInfo
	flows   map[TypeRef]WorkflowTypeInfo
	// refused is passed as Lookups.Refused to the next respond.
	refused map[int]string
}

type beat struct {
	at      time.Time
	details *string
}

func taskID(t Task) string { return fmt.Sprintf("%s/%d", t.Kind, t.ScheduledEventID) }

// testTypes are the activity types the tests' domain has.
func testTypes() map[TypeRef]ActivityTypeInfo {
	return map[TypeRef]ActivityTypeInfo{
		{"act", "1"}: {Config: swfapi.ActivityTypeConfiguration{
			DefaultTaskList:                   &swfapi.TaskList{Name: swfapi.Ptr("workers")},
			DefaultTaskScheduleToStartTimeout: swfapi.Ptr("60"),
			DefaultTaskScheduleToCloseTimeout: swfapi.Ptr("600"),
			DefaultTaskStartToCloseTimeout:    swfapi.Ptr("300"),
		}},
		{"beat", "1"}: {Config: swfapi.ActivityTypeConfiguration{
			DefaultTaskList:                   &swfapi.TaskList{Name: swfapi.Ptr("workers")},
			DefaultTaskScheduleToStartTimeout: swfapi.Ptr("NONE"),
			DefaultTaskScheduleToCloseTimeout: swfapi.Ptr("NONE"),
			DefaultTaskStartToCloseTimeout:    swfapi.Ptr("100"),
			DefaultTaskHeartbeatTimeout:       swfapi.Ptr("30"),
			DefaultTaskPriority:               swfapi.Ptr("7"),
		}},
		{"old", "1"}: {Deprecated: true, Config: swfapi.ActivityTypeConfiguration{
			DefaultTaskList: &swfapi.TaskList{Name: swfapi.Ptr("workers")},
		}},
		{"bare", "1"}: {},
	}
}

func startRequest() *swfapi.StartWorkflowExecutionInput {
	return &swfapi.StartWorkflowExecutionInput{
		Domain:                       swfapi.Ptr("d"),
		WorkflowId:                   swfapi.Ptr("wf-1"),
		WorkflowType:                 &swfapi.WorkflowType{Name: swfapi.Ptr("flow"), Version: swfapi.Ptr("1")},
		TaskList:                     &swfapi.TaskList{Name: swfapi.Ptr("deciders")},
		ExecutionStartToCloseTimeout: swfapi.Ptr("3600"),
		TaskStartToCloseTimeout:      swfapi.Ptr("30"),
		ChildPolicy:                  swfapi.Ptr(swfapi.ChildPolicyTerminate),
		Input:                        swfapi.Ptr("in"),
	}
}

// newHarness starts a run from req (startRequest() when nil).
func newHarness(t *testing.T, req *swfapi.StartWorkflowExecutionInput, limits Limits) *harness {
	t.Helper()
	if req == nil {
		req = startRequest()
	}
	h := &harness{t: t, now: t0, tasks: map[string]Task{}, timers: map[string]time.Time{},
		rows: map[int64]ActivityRow{}, beats: map[int64]beat{}, types: testTypes(), flows: testFlows()}
	e, fx, err := Start(StartParams{Domain: "d", WorkflowID: "wf-1", RunID: "run-1", Request: req, Limits: limits}, t0)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	for i, ev := range fx.Events {
		if *ev.EventId != int64(i+1) || !ev.EventTimestamp.Equal(t0) {
			t.Fatalf("Start: event %d has id %d at %v", i, *ev.EventId, ev.EventTimestamp.Time)
		}
	}
	h.e = e
	h.commit("Start", fx)
	h.check("Start", fx, false)
	return h
}

// do runs a command that must succeed, and checks its Effects.
func (h *harness) do(name string, f func() (Effects, error)) Effects {
	h.t.Helper()
	wasOpen, next := h.e.Open, h.e.NextEventID
	fx, err := f()
	if err != nil {
		h.t.Fatalf("%s: %v", name, err)
	}
	for i, ev := range fx.Events {
		if *ev.EventId != next+int64(i) {
			h.t.Fatalf("%s: event %d has id %d, want %d", name, i, *ev.EventId, next+int64(i))
		}
		if !ev.EventTimestamp.Equal(h.now) {
			h.t.Fatalf("%s: event %d stamped %v, want %v", name, *ev.EventId, ev.EventTimestamp.Time, h.now)
		}
	}
	if h.e.NextEventID != next+int64(len(fx.Events)) {
		h.t.Fatalf("%s: NextEventID %d after %d events from %d", name, h.e.NextEventID, len(fx.Events), next)
	}
	h.commit(name, fx)
	h.check(name, fx, wasOpen)
	return fx
}

// fail runs a command that must fail, checks that the state did not
// change, and returns the fault.
func (h *harness) fail(name string, f func() (Effects, error)) *swfapi.Fault {
	h.t.Helper()
	before, _ := json.Marshal(h.e)
	fx, err := f()
	if err == nil {
		h.t.Fatalf("%s: succeeded with %d events, want a fault", name, len(fx.Events))
	}
	after, _ := json.Marshal(h.e)
	if string(before) != string(after) {
		h.t.Fatalf("%s: failed but changed the state:\nbefore %s\nafter  %s", name, before, after)
	}
	if len(fx.Events)+len(fx.Tasks)+len(fx.Timers)+len(fx.RemoveTimers) != 0 {
		h.t.Fatalf("%s: failed but returned effects %+v", name, fx)
	}
	fault, ok := err.(*swfapi.Fault)
	if !ok {
		h.t.Fatalf("%s: error %T %v, want *swfapi.Fault", name, err, err)
	}
	return fault
}

// commit applies Effects to the store, as the service's transaction will.
func (h *harness) commit(name string, fx Effects) {
	h.t.Helper()
	h.history = append(h.history, fx.Events...)
	for _, t := range fx.RemoveTasks {
		if _, ok := h.tasks[taskID(t)]; !ok {
			h.t.Fatalf("%s: removes task %s that is not queued", name, taskID(t))
		}
		delete(h.tasks, taskID(t))
	}
	for _, t := range fx.Tasks {
		if _, ok := h.tasks[taskID(t)]; ok {
			h.t.Fatalf("%s: queues task %s twice", name, taskID(t))
		}
		h.tasks[taskID(t)] = t
	}
	for _, k := range fx.RemoveTimers {
		delete(h.timers, k)
	}
	for _, t := range fx.Timers {
		h.timers[t.Key] = t.FireAt
	}
	for _, id := range fx.RemoveActivities {
		delete(h.rows, id)
		delete(h.beats, id)
	}
	for _, r := range fx.Activities {
		h.rows[r.ScheduledEventID] = r
	}
}

// check verifies that the store holds what the state implies.
func (h *harness) check(name string, fx Effects, wasOpen bool) {
	h.t.Helper()
	// The state the service stores after this command encodes as
	// encoding/json would encode it.
	sameAsMarshal(h.t, name, h.e)
	if fx.NewRun != nil {
		sameAsMarshal(h.t, name+" (new run)", fx.NewRun.Execution)
	}
	if fx.Closed != (wasOpen && !h.e.Open) {
		h.t.Fatalf("%s: Closed = %v, open before %v, after %v", name, fx.Closed, wasOpen, h.e.Open)
	}
	want := map[string]Task{}
	for _, t := range h.e.queuedTasks() {
		want[taskID(t)] = t
	}
	if !maps.Equal(want, h.tasks) {
		h.t.Fatalf("%s: store has tasks %v, state implies %v", name, h.tasks, want)
	}
	armed := h.e.armedTimers()
	if !slices.Equal(sortedKeys(armed), sortedKeys(h.timers)) {
		h.t.Fatalf("%s: store has timers %v, state implies %v", name, sortedKeys(h.timers), sortedKeys(armed))
	}
	for k, at := range armed {
		// A heartbeat timer may be due before the state's deadline: the
		// state learns of heartbeats only when a timer fires.
		if strings.HasSuffix(k, "/HEARTBEAT") && !h.timers[k].After(at) {
			continue
		}
		if !h.timers[k].Equal(at) {
			h.t.Fatalf("%s: timer %s due %v in the store, %v in the state", name, k, h.timers[k], at)
		}
	}
	if !maps.Equal(h.rows, h.e.activityRows()) {
		h.t.Fatalf("%s: store has rows %v, state implies %v", name, h.rows, h.e.activityRows())
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := slices.Collect(maps.Keys(m))
	sort.Strings(ks)
	return ks
}

func (h *harness) advance(d time.Duration) { h.now = h.now.Add(d) }

// fireDue fires every timer due by now, soonest first, as the timer
// service does: it takes the timer row, copies heartbeats into the state,
// and calls FireTimer.
func (h *harness) fireDue() {
	h.t.Helper()
	for range 100 {
		key, at := "", time.Time{}
		for k, t := range h.timers {
			if serviceKey(k) {
				continue
			}
			if !t.After(h.now) && (key == "" || t.Before(at) || t.Equal(at) && k < key) {
				key, at = k, t
			}
		}
		if key == "" {
			return
		}
		h.fire(key)
	}
	h.t.Fatal("timers keep firing")
}

// serviceKey reports whether the service, not FireTimer, carries out the
// work a timer key stands for.
func serviceKey(key string) bool {
	_, external := ExternalKey(key)
	_, _, child := ChildKey(key)
	return external || child
}

// fire fires one timer key now.
func (h *harness) fire(key string) Effects {
	h.t.Helper()
	delete(h.timers, key)
	for id, b := range h.beats {
		if a, ok := h.e.Activities[id]; ok {
			a.LastHeartbeatAt, a.HeartbeatDetails = b.at, b.details
			h.e.Activities[id] = a
		}
	}
	return h.do("FireTimer "+key, func() (Effects, error) { return h.e.FireTimer(key, h.now) })
}

// heartbeat records a heartbeat in the activity's row only.
func (h *harness) heartbeat(scheduledID int64, details string) {
	h.t.Helper()
	if _, ok := h.rows[scheduledID]; !ok {
		h.t.Fatalf("heartbeat for activity %d without a row", scheduledID)
	}
	h.beats[scheduledID] = beat{at: h.now, details: swfapi.Ptr(details)}
}

// startDecision starts the open decision task, taking it from the queue.
func (h *harness) startDecision() (int64, int64) {
	h.t.Helper()
	d := h.e.Decision
	if d == nil || d.StartedEventID != 0 {
		h.t.Fatalf("no scheduled decision task to start")
	}
	delete(h.tasks, taskID(Task{Kind: TaskDecision, ScheduledEventID: d.ScheduledEventID}))
	h.do("StartDecisionTask", func() (Effects, error) { return h.e.StartDecisionTask(d.ScheduledEventID, "decider-1", h.now) })
	return d.ScheduledEventID, h.e.Decision.StartedEventID
}

// decide starts the open decision task if need be, and completes it with
// the decisions.
func (h *harness) decide(decisions ...swfapi.Decision) Effects {
	h.t.Helper()
	return h.respond(&swfapi.RespondDecisionTaskCompletedInput{Decisions: decisions})
}

func (h *harness) respond(in *swfapi.RespondDecisionTaskCompletedInput) Effects {
	h.t.Helper()
	if h.e.Decision != nil && h.e.Decision.StartedEventID == 0 {
		h.startDecision()
	}
	d := h.e.Decision
	if d == nil {
		h.t.Fatalf("no decision task to complete")
	}
	look := Lookups{ActivityTypes: map[TypeRef]ActivityTypeInfo{}, WorkflowTypes: map[TypeRef]WorkflowTypeInfo{}}
	acts, flows, continues := h.e.TypesNamed(in)
	for _, ref := range acts {
		if info, ok := h.types[ref]; ok {
			look.ActivityTypes[ref] = info
		}
	}
	for _, ref := range flows {
		if info, ok := h.flows[ref]; ok {
			look.WorkflowTypes[ref] = info
		}
	}
	if continues {
		look.NewRunID = "run-2"
	}
	look.Refused, h.refused = h.refused, nil
	return h.do("CompleteDecisionTask", func() (Effects, error) {
		return h.e.CompleteDecisionTask(d.ScheduledEventID, d.StartedEventID, in, look, h.now)
	})
}

// startActivity starts an activity task, taking it from the queue.
func (h *harness) startActivity(scheduledID int64) int64 {
	h.t.Helper()
	delete(h.tasks, taskID(Task{Kind: TaskActivity, ScheduledEventID: scheduledID}))
	h.do("StartActivityTask", func() (Effects, error) { return h.e.StartActivityTask(scheduledID, "worker-1", h.now) })
	return h.e.Activities[scheduledID].StartedEventID
}

// since renders the history from event id on.
func (h *harness) since(id int64) []string {
	var out []string
	for _, ev := range h.history[id-1:] {
		out = append(out, render(ev))
	}
	return out
}

// last renders the events of the last n.
func (h *harness) eventsOf(fx Effects) []string {
	var out []string
	for _, ev := range fx.Events {
		out = append(out, render(ev))
	}
	return out
}

// render writes an event as one line: "<id> <type> k=v ...", with the
// attributes in key order, {name, version} pairs as name/version and
// task lists by name.
func render(ev swfapi.HistoryEvent) string {
	b, _ := json.Marshal(ev)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	var parts []string
	for k, v := range m {
		if !strings.HasSuffix(k, "EventAttributes") {
			continue
		}
		for ak, av := range v.(map[string]any) {
			parts = append(parts, ak+"="+renderValue(av))
		}
	}
	sort.Strings(parts)
	return strings.TrimSpace(fmt.Sprintf("%d %s %s", *ev.EventId, *ev.EventType, strings.Join(parts, " ")))
}

func renderValue(v any) string {
	switch v := v.(type) {
	case map[string]any:
		if n, ok := v["name"]; ok {
			if ver, ok := v["version"]; ok {
				return fmt.Sprint(n, "/", ver)
			}
			return fmt.Sprint(n)
		}
		b, _ := json.Marshal(v)
		return string(b)
	case []any:
		b, _ := json.Marshal(v)
		return string(b)
	case string:
		if v == "" || strings.ContainsAny(v, " =") {
			return fmt.Sprintf("%q", v)
		}
		return v
	}
	return fmt.Sprint(v)
}

func equalLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// Decisions, briefly.

func schedule(id, typ string, mod ...func(*swfapi.ScheduleActivityTaskDecisionAttributes)) swfapi.Decision {
	name, version, _ := strings.Cut(typ, "/")
	a := &swfapi.ScheduleActivityTaskDecisionAttributes{
		ActivityId:   swfapi.Ptr(id),
		ActivityType: &swfapi.ActivityType{Name: swfapi.Ptr(name), Version: swfapi.Ptr(version)},
	}
	for _, m := range mod {
		m(a)
	}
	return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeScheduleActivityTask), ScheduleActivityTaskDecisionAttributes: a}
}

func cancelActivity(id string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeRequestCancelActivityTask),
		RequestCancelActivityTaskDecisionAttributes: &swfapi.RequestCancelActivityTaskDecisionAttributes{ActivityId: swfapi.Ptr(id)}}
}

func completeWorkflow(result string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeCompleteWorkflowExecution),
		CompleteWorkflowExecutionDecisionAttributes: &swfapi.CompleteWorkflowExecutionDecisionAttributes{Result: swfapi.Ptr(result)}}
}

func failWorkflow(reason string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeFailWorkflowExecution),
		FailWorkflowExecutionDecisionAttributes: &swfapi.FailWorkflowExecutionDecisionAttributes{Reason: swfapi.Ptr(reason)}}
}

func cancelWorkflow(details string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeCancelWorkflowExecution),
		CancelWorkflowExecutionDecisionAttributes: &swfapi.CancelWorkflowExecutionDecisionAttributes{Details: swfapi.Ptr(details)}}
}

func marker(name, details string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeRecordMarker),
		RecordMarkerDecisionAttributes: &swfapi.RecordMarkerDecisionAttributes{MarkerName: swfapi.Ptr(name), Details: optional(details)}}
}

func startTimer(id, seconds string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeStartTimer),
		StartTimerDecisionAttributes: &swfapi.StartTimerDecisionAttributes{TimerId: swfapi.Ptr(id), StartToFireTimeout: swfapi.Ptr(seconds)}}
}

func cancelTimer(id string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeCancelTimer),
		CancelTimerDecisionAttributes: &swfapi.CancelTimerDecisionAttributes{TimerId: swfapi.Ptr(id)}}
}
