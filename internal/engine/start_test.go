package engine

import (
	"encoding/json"
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

func TestStartRecordsTheRecordedShapes(t *testing.T) {
	h := newHarness(t, nil, Limits{})
	// The members SWF sends for a run started with these values (compare
	// recorded-swf-responses.json): parentInitiatedEventId 0, and a
	// DecisionTaskScheduled with only the task list and timeout.
	want := []string{
		`{"eventTimestamp":1709294400,"eventType":"WorkflowExecutionStarted","eventId":1,"workflowExecutionStartedEventAttributes":{"input":"in","executionStartToCloseTimeout":"3600","taskStartToCloseTimeout":"30","childPolicy":"TERMINATE","taskList":{"name":"deciders"},"workflowType":{"name":"flow","version":"1"},"parentInitiatedEventId":0}}`,
		`{"eventTimestamp":1709294400,"eventType":"DecisionTaskScheduled","eventId":2,"decisionTaskScheduledEventAttributes":{"taskList":{"name":"deciders"},"startToCloseTimeout":"30"}}`,
	}
	for i, ev := range h.history {
		b, _ := json.Marshal(ev)
		if string(b) != want[i] {
			t.Errorf("event %d:\n got %s\nwant %s", i+1, b, want[i])
		}
	}
	if len(h.history) != 2 {
		t.Fatalf("%d events", len(h.history))
	}
	if got := sortedKeys(h.timers); len(got) != 1 || got[0] != "workflow/START_TO_CLOSE" || !h.timers[got[0]].Equal(t0.Add(3600e9)) {
		t.Errorf("timers %v", h.timers)
	}
	if got := h.tasks["decision/2"]; got != (Task{Kind: TaskDecision, TaskList: "deciders", ScheduledEventID: 2}) {
		t.Errorf("tasks %v", h.tasks)
	}
}

func TestStartTakesTypeDefaults(t *testing.T) {
	req := startRequest()
	req.TaskList, req.ExecutionStartToCloseTimeout, req.TaskStartToCloseTimeout, req.ChildPolicy = nil, nil, nil, nil
	req.TagList = []string{"a", "b"}
	e, fx, err := Start(StartParams{RunID: "r", WorkflowID: "w", Request: req, Type: WorkflowTypeInfo{Config: swfapi.WorkflowTypeConfiguration{
		DefaultTaskList:                     &swfapi.TaskList{Name: swfapi.Ptr("def")},
		DefaultExecutionStartToCloseTimeout: swfapi.Ptr("100"),
		DefaultTaskStartToCloseTimeout:      swfapi.Ptr("NONE"),
		DefaultChildPolicy:                  swfapi.Ptr(swfapi.ChildPolicyAbandon),
		DefaultTaskPriority:                 swfapi.Ptr("-3"),
		DefaultLambdaRole:                   swfapi.Ptr("arn:role"),
	}}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	equalLines(t, "events", renderAll(fx), []string{
		"1 WorkflowExecutionStarted childPolicy=ABANDON executionStartToCloseTimeout=100 input=in lambdaRole=arn:role parentInitiatedEventId=0 tagList=[\"a\",\"b\"] taskList=def taskPriority=-3 taskStartToCloseTimeout=NONE workflowType=flow/1",
		"2 DecisionTaskScheduled startToCloseTimeout=NONE taskList=def taskPriority=-3",
	})
	if len(fx.Tasks) != 1 || fx.Tasks[0].Priority != -3 || fx.Tasks[0].TaskList != "def" {
		t.Errorf("tasks %+v", fx.Tasks)
	}
	b, _ := json.Marshal(e.Detail().ExecutionConfiguration)
	if string(b) != `{"taskStartToCloseTimeout":"NONE","executionStartToCloseTimeout":"100","taskList":{"name":"def"},"taskPriority":"-3","childPolicy":"ABANDON","lambdaRole":"arn:role"}` {
		t.Errorf("configuration %s", b)
	}
}

func TestStartFaults(t *testing.T) {
	full := swfapi.WorkflowTypeConfiguration{
		DefaultTaskList:                     &swfapi.TaskList{Name: swfapi.Ptr("def")},
		DefaultExecutionStartToCloseTimeout: swfapi.Ptr("100"),
		DefaultTaskStartToCloseTimeout:      swfapi.Ptr("10"),
		DefaultChildPolicy:                  swfapi.Ptr(swfapi.ChildPolicyAbandon),
	}
	bare := func(mod func(*swfapi.StartWorkflowExecutionInput)) *swfapi.StartWorkflowExecutionInput {
		r := startRequest()
		r.TaskList, r.ExecutionStartToCloseTimeout, r.TaskStartToCloseTimeout, r.ChildPolicy = nil, nil, nil, nil
		if mod != nil {
			mod(r)
		}
		return r
	}
	withDefault := func(mod func(*swfapi.WorkflowTypeConfiguration)) swfapi.WorkflowTypeConfiguration {
		c := full
		mod(&c)
		return c
	}
	cases := []struct {
		name      string
		req       *swfapi.StartWorkflowExecutionInput
		cfg       swfapi.WorkflowTypeConfiguration
		code, msg string
	}{
		{"no task list anywhere", bare(nil), swfapi.WorkflowTypeConfiguration{}, swfapi.CodeDefaultUndefined, "defaultTaskList"},
		{"no execution timeout", bare(nil), withDefault(func(c *swfapi.WorkflowTypeConfiguration) {
			c.DefaultExecutionStartToCloseTimeout = nil
			c.DefaultChildPolicy = nil
		}),
			swfapi.CodeDefaultUndefined, "defaultExecutionStartToCloseTimeout"},
		{"no task timeout", bare(nil), withDefault(func(c *swfapi.WorkflowTypeConfiguration) {
			c.DefaultTaskStartToCloseTimeout = nil
			c.DefaultChildPolicy = nil
		}),
			swfapi.CodeDefaultUndefined, "defaultTaskStartToCloseTimeout"},
		{"no child policy", bare(nil), withDefault(func(c *swfapi.WorkflowTypeConfiguration) { c.DefaultChildPolicy = nil }),
			swfapi.CodeDefaultUndefined, "defaultChildPolicy"},
		{"execution timeout NONE", bare(func(r *swfapi.StartWorkflowExecutionInput) { r.ExecutionStartToCloseTimeout = swfapi.Ptr("NONE") }), full,
			swfapi.CodeValidation, "1 validation error detected: Value 'NONE' at 'executionStartToCloseTimeout' failed to satisfy constraint: Member must be a whole number of seconds from 1 to 31536000"},
		{"execution timeout 0", bare(func(r *swfapi.StartWorkflowExecutionInput) { r.ExecutionStartToCloseTimeout = swfapi.Ptr("0") }), full,
			swfapi.CodeValidation, "1 validation error detected: Value '0' at 'executionStartToCloseTimeout' failed to satisfy constraint: Member must be a whole number of seconds from 1 to 31536000"},
		{"execution timeout over a year", bare(func(r *swfapi.StartWorkflowExecutionInput) { r.ExecutionStartToCloseTimeout = swfapi.Ptr("31536001") }), full,
			swfapi.CodeValidation, "1 validation error detected: Value '31536001' at 'executionStartToCloseTimeout' failed to satisfy constraint: Member must be a whole number of seconds from 1 to 31536000"},
		{"execution timeout not a number", bare(func(r *swfapi.StartWorkflowExecutionInput) { r.ExecutionStartToCloseTimeout = swfapi.Ptr("1h") }), full,
			swfapi.CodeValidation, "1 validation error detected: Value '1h' at 'executionStartToCloseTimeout' failed to satisfy constraint: Member must be a whole number of seconds from 1 to 31536000"},
		{"type default execution timeout NONE", bare(nil), withDefault(func(c *swfapi.WorkflowTypeConfiguration) { c.DefaultExecutionStartToCloseTimeout = swfapi.Ptr("NONE") }),
			swfapi.CodeValidation, "1 validation error detected: Value 'NONE' at 'executionStartToCloseTimeout' failed to satisfy constraint: Member must be a whole number of seconds from 1 to 31536000"},
		{"task timeout not a number", bare(func(r *swfapi.StartWorkflowExecutionInput) { r.TaskStartToCloseTimeout = swfapi.Ptr("-1") }), full,
			swfapi.CodeValidation, "1 validation error detected: Value '-1' at 'taskStartToCloseTimeout' failed to satisfy constraint: Member must be NONE or a whole number of seconds"},
		{"priority beyond int", bare(func(r *swfapi.StartWorkflowExecutionInput) { r.TaskPriority = swfapi.Ptr("2147483648") }), full,
			swfapi.CodeValidation, "1 validation error detected: Value '2147483648' at 'taskPriority' failed to satisfy constraint: Member must be an integer from -2147483648 to 2147483647"},
		{"two problems", bare(func(r *swfapi.StartWorkflowExecutionInput) {
			r.TaskPriority = swfapi.Ptr("high")
			r.TaskStartToCloseTimeout = swfapi.Ptr("soon")
		}), full, swfapi.CodeValidation, "2 validation errors detected: Value 'soon' at 'taskStartToCloseTimeout' failed to satisfy constraint: Member must be NONE or a whole number of seconds; Value 'high' at 'taskPriority' failed to satisfy constraint: Member must be an integer from -2147483648 to 2147483647"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, fx, err := Start(StartParams{RunID: "r", Request: tc.req, Type: WorkflowTypeInfo{Config: tc.cfg}}, t0)
			f, ok := err.(*swfapi.Fault)
			if !ok || f.Code != tc.code || f.Message != tc.msg {
				t.Fatalf("got %v, want %s: %s", err, tc.code, tc.msg)
			}
			if e != nil || len(fx.Events) != 0 {
				t.Fatalf("a failed start returned state or events")
			}
		})
	}
	// The edges that are allowed.
	for _, v := range []string{"1", "31536000"} {
		r := startRequest()
		r.ExecutionStartToCloseTimeout = swfapi.Ptr(v)
		r.TaskPriority = swfapi.Ptr("-2147483648")
		if _, _, err := Start(StartParams{RunID: "r", Request: r}, t0); err != nil {
			t.Errorf("execution timeout %s: %v", v, err)
		}
	}
}

func renderAll(fx Effects) []string {
	var out []string
	for _, ev := range fx.Events {
		out = append(out, render(ev))
	}
	return out
}
