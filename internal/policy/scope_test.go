package policy

import (
	"reflect"
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

// TestCall checks the request of every operation of the model, filled
// with every member, against SWF's IAM chapter ("API Summary"). The
// operations come from swfapi.Operations, so one added to the model fails
// here until this table says what it asks for.
func TestCall(t *testing.T) {
	const arn = "arn:aws:swf:us-east-1:123456789012:/domain/"
	tl := func(n string) *swfapi.TaskList { return &swfapi.TaskList{Name: ptr(n)} }
	at := &swfapi.ActivityType{Name: ptr("charge"), Version: ptr("1")}
	wt := &swfapi.WorkflowType{Name: ptr("order"), Version: ptr("2")}
	tf := &swfapi.TagFilter{Tag: ptr("vip")}
	ty := &swfapi.WorkflowTypeFilter{Name: ptr("order"), Version: ptr("2")}
	ex := &swfapi.WorkflowExecution{WorkflowId: ptr("w"), RunId: ptr("r")}
	filterKeys := map[string]string{"swf:tagfilter.tag": "vip", "swf:typefilter.name": "order", "swf:typefilter.version": "2"}
	atKeys := map[string]string{"swf:activitytype.name": "charge", "swf:activitytype.version": "1"}
	wtKeys := map[string]string{"swf:workflowtype.name": "order", "swf:workflowtype.version": "2"}
	tlKeys := map[string]string{"swf:tasklist.name": "tl"}
	registerKeys := map[string]string{"swf:name": "n", "swf:version": "v", "swf:defaulttasklist.name": "tl"}
	tags := []swfapi.ResourceTag{{Key: ptr("k"), Value: ptr("v")}}

	tests := map[string]struct {
		in       any
		resource string
		keys     map[string]string
	}{
		"CountClosedWorkflowExecutions": {&swfapi.CountClosedWorkflowExecutionsInput{Domain: ptr("d"), TagFilter: tf, TypeFilter: ty,
			ExecutionFilter: &swfapi.WorkflowExecutionFilter{WorkflowId: ptr("w")}, CloseStatusFilter: &swfapi.CloseStatusFilter{}}, arn + "d", filterKeys},
		"CountOpenWorkflowExecutions":  {&swfapi.CountOpenWorkflowExecutionsInput{Domain: ptr("d"), TagFilter: tf, TypeFilter: ty}, arn + "d", filterKeys},
		"CountPendingActivityTasks":    {&swfapi.CountPendingActivityTasksInput{Domain: ptr("d"), TaskList: tl("tl")}, arn + "d", tlKeys},
		"CountPendingDecisionTasks":    {&swfapi.CountPendingDecisionTasksInput{Domain: ptr("d"), TaskList: tl("tl")}, arn + "d", tlKeys},
		"DeleteActivityType":           {&swfapi.DeleteActivityTypeInput{Domain: ptr("d"), ActivityType: at}, arn + "d", atKeys},
		"DeleteWorkflowType":           {&swfapi.DeleteWorkflowTypeInput{Domain: ptr("d"), WorkflowType: wt}, arn + "d", wtKeys},
		"DeprecateActivityType":        {&swfapi.DeprecateActivityTypeInput{Domain: ptr("d"), ActivityType: at}, arn + "d", atKeys},
		"DeprecateDomain":              {&swfapi.DeprecateDomainInput{Name: ptr("d")}, arn + "d", nil},
		"DeprecateWorkflowType":        {&swfapi.DeprecateWorkflowTypeInput{Domain: ptr("d"), WorkflowType: wt}, arn + "d", wtKeys},
		"DescribeActivityType":         {&swfapi.DescribeActivityTypeInput{Domain: ptr("d"), ActivityType: at}, arn + "d", atKeys},
		"DescribeDomain":               {&swfapi.DescribeDomainInput{Name: ptr("d")}, arn + "d", nil},
		"DescribeWorkflowExecution":    {&swfapi.DescribeWorkflowExecutionInput{Domain: ptr("d"), Execution: ex}, arn + "d", nil},
		"DescribeWorkflowType":         {&swfapi.DescribeWorkflowTypeInput{Domain: ptr("d"), WorkflowType: wt}, arn + "d", wtKeys},
		"GetWorkflowExecutionHistory":  {&swfapi.GetWorkflowExecutionHistoryInput{Domain: ptr("d"), Execution: ex}, arn + "d", nil},
		"ListActivityTypes":            {&swfapi.ListActivityTypesInput{Domain: ptr("d"), Name: ptr("charge")}, arn + "d", nil},
		"ListClosedWorkflowExecutions": {&swfapi.ListClosedWorkflowExecutionsInput{Domain: ptr("d"), TagFilter: tf, TypeFilter: ty}, arn + "d", filterKeys},
		"ListDomains":                  {&swfapi.ListDomainsInput{}, arn + "*", nil},
		"ListOpenWorkflowExecutions":   {&swfapi.ListOpenWorkflowExecutionsInput{Domain: ptr("d"), TagFilter: tf, TypeFilter: ty}, arn + "d", filterKeys},
		"ListTagsForResource":          {&swfapi.ListTagsForResourceInput{ResourceArn: ptr(arn + "tagged")}, arn + "tagged", nil},
		"ListWorkflowTypes":            {&swfapi.ListWorkflowTypesInput{Domain: ptr("d"), Name: ptr("order")}, arn + "d", nil},
		"PollForActivityTask":          {&swfapi.PollForActivityTaskInput{Domain: ptr("d"), TaskList: tl("tl"), Identity: ptr("me")}, arn + "d", tlKeys},
		"PollForDecisionTask":          {&swfapi.PollForDecisionTaskInput{Domain: ptr("d"), TaskList: tl("tl")}, arn + "d", tlKeys},
		"RecordActivityTaskHeartbeat":  {&swfapi.RecordActivityTaskHeartbeatInput{TaskToken: ptr("t"), Details: ptr("50%")}, arn + "token-domain", nil},
		"RegisterActivityType": {&swfapi.RegisterActivityTypeInput{Domain: ptr("d"), Name: ptr("n"), Version: ptr("v"), DefaultTaskList: tl("tl"),
			DefaultTaskPriority: ptr("1")}, arn + "d", registerKeys},
		"RegisterDomain": {&swfapi.RegisterDomainInput{Name: ptr("new"), WorkflowExecutionRetentionPeriodInDays: ptr("1"), Tags: tags}, arn + "new", nil},
		"RegisterWorkflowType": {&swfapi.RegisterWorkflowTypeInput{Domain: ptr("d"), Name: ptr("n"), Version: ptr("v"), DefaultTaskList: tl("tl"),
			DefaultLambdaRole: ptr("role")}, arn + "d", registerKeys},
		"RequestCancelWorkflowExecution": {&swfapi.RequestCancelWorkflowExecutionInput{Domain: ptr("d"), WorkflowId: ptr("w")}, arn + "d", nil},
		"RespondActivityTaskCanceled":    {&swfapi.RespondActivityTaskCanceledInput{TaskToken: ptr("t")}, arn + "token-domain", nil},
		"RespondActivityTaskCompleted":   {&swfapi.RespondActivityTaskCompletedInput{TaskToken: ptr("t")}, arn + "token-domain", nil},
		"RespondActivityTaskFailed":      {&swfapi.RespondActivityTaskFailedInput{TaskToken: ptr("t")}, arn + "token-domain", nil},
		"RespondDecisionTaskCompleted": {&swfapi.RespondDecisionTaskCompletedInput{TaskToken: ptr("t"), TaskList: tl("next"),
			Decisions: []swfapi.Decision{{DecisionType: ptrDecision(swfapi.DecisionTypeStartTimer)}}}, arn + "token-domain", nil},
		"SignalWorkflowExecution": {&swfapi.SignalWorkflowExecutionInput{Domain: ptr("d"), WorkflowId: ptr("w"), SignalName: ptr("s")}, arn + "d", nil},
		"StartWorkflowExecution": {&swfapi.StartWorkflowExecutionInput{Domain: ptr("d"), WorkflowId: ptr("w"), WorkflowType: wt, TaskList: tl("tl"),
			TagList: []string{"t0", "t1", "t2", "t3", "t4", "t5"}}, arn + "d", map[string]string{
			"swf:workflowtype.name": "order", "swf:workflowtype.version": "2", "swf:tasklist.name": "tl",
			"swf:taglist.member.0": "t0", "swf:taglist.member.1": "t1", "swf:taglist.member.2": "t2", "swf:taglist.member.3": "t3", "swf:taglist.member.4": "t4",
			"swf:taglist.0": "t0", "swf:taglist.1": "t1", "swf:taglist.2": "t2", "swf:taglist.3": "t3", "swf:taglist.4": "t4",
		}},
		"TagResource":                {&swfapi.TagResourceInput{ResourceArn: ptr(arn + "tagged"), Tags: tags}, arn + "tagged", nil},
		"TerminateWorkflowExecution": {&swfapi.TerminateWorkflowExecutionInput{Domain: ptr("d"), WorkflowId: ptr("w")}, arn + "d", nil},
		"UndeprecateActivityType":    {&swfapi.UndeprecateActivityTypeInput{Domain: ptr("d"), ActivityType: at}, arn + "d", atKeys},
		"UndeprecateDomain":          {&swfapi.UndeprecateDomainInput{Name: ptr("d")}, arn + "d", nil},
		"UndeprecateWorkflowType":    {&swfapi.UndeprecateWorkflowTypeInput{Domain: ptr("d"), WorkflowType: wt}, arn + "d", wtKeys},
		"UntagResource":              {&swfapi.UntagResourceInput{ResourceArn: ptr(arn + "tagged"), TagKeys: []string{"k"}}, arn + "tagged", nil},
	}

	ops := swfapi.Operations()
	if len(ops) != len(tests) {
		t.Errorf("%d operations in the model, %d in this table", len(ops), len(tests))
	}
	for _, op := range ops {
		t.Run(op.Name, func(t *testing.T) {
			tc, ok := tests[op.Name]
			if !ok {
				t.Fatalf("no case for %s: add what SWF's IAM chapter says it asks for", op.Name)
			}
			empty := swfapi.NewInput(op.Name)
			if reflect.TypeOf(empty) != reflect.TypeOf(tc.in) {
				t.Fatalf("case input is %T, NewInput gives %T", tc.in, empty)
			}
			got, known := testScope.call(op.Name, tc.in, "token-domain")
			if !known {
				t.Fatalf("Call does not know %T", tc.in)
			}
			want := Request{Action: "swf:" + op.Name, Resource: tc.resource, Keys: tc.keys}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Call\n got %+v\nwant %+v", got, want)
			}
			// Every key Call sets is one Parse accepts in a policy.
			for k := range got.Keys {
				if !isSWFKey(k) {
					t.Errorf("key %q is not in the list Parse accepts", k)
				}
			}
			// An empty input carries no keys (so IfExists applies), and a
			// typed nil one is read as empty rather than dereferenced.
			if r, _ := testScope.call(op.Name, empty, "token-domain"); r.Keys != nil {
				t.Errorf("empty input gives keys %v", r.Keys)
			}
			nilIn := reflect.Zero(reflect.TypeOf(empty)).Interface()
			if r, known := testScope.call(op.Name, nilIn, "token-domain"); !known || r.Keys != nil {
				t.Errorf("nil input: known %v, keys %v", known, r.Keys)
			}
			// The action is one Parse knows, so a policy can name it.
			if _, err := Parse([]byte(`{"Statement": {"Effect": "Allow", "Action": "` + got.Action + `", "Resource": "*"}}`)); err != nil {
				t.Errorf("a policy cannot name %s: %v", got.Action, err)
			}
		})
	}

	if r, known := testScope.call("Frobnicate", struct{}{}, "d"); known || r.Action != "swf:Frobnicate" || r.Resource != arn+"d" || r.Keys != nil {
		t.Errorf("unknown operation: %+v, known %v", r, known)
	}
}

// TestDecisions checks every decision type of the model against the
// pseudo-API list of SWF's IAM chapter.
func TestDecisions(t *testing.T) {
	tl := &swfapi.TaskList{Name: ptr("tl")}
	tags := []string{"t0", "t1", "t2", "t3", "t4", "t5"}
	tagKeys := func(m map[string]string) map[string]string {
		for i := 0; i < 5; i++ {
			m["swf:taglist.member."+string(rune('0'+i))] = tags[i]
			m["swf:taglist."+string(rune('0'+i))] = tags[i]
		}
		return m
	}
	tests := map[swfapi.DecisionType]struct {
		d       swfapi.Decision
		keys    map[string]string
		checked bool
	}{
		swfapi.DecisionTypeScheduleActivityTask: {swfapi.Decision{ScheduleActivityTaskDecisionAttributes: &swfapi.ScheduleActivityTaskDecisionAttributes{
			ActivityType: &swfapi.ActivityType{Name: ptr("charge"), Version: ptr("1")}, ActivityId: ptr("a"), TaskList: tl}},
			map[string]string{"swf:activitytype.name": "charge", "swf:activitytype.version": "1", "swf:tasklist.name": "tl"}, true},
		swfapi.DecisionTypeRequestCancelActivityTask: {swfapi.Decision{RequestCancelActivityTaskDecisionAttributes: &swfapi.RequestCancelActivityTaskDecisionAttributes{ActivityId: ptr("a")}}, nil, true},
		swfapi.DecisionTypeCompleteWorkflowExecution: {swfapi.Decision{CompleteWorkflowExecutionDecisionAttributes: &swfapi.CompleteWorkflowExecutionDecisionAttributes{Result: ptr("r")}}, nil, true},
		swfapi.DecisionTypeFailWorkflowExecution:     {swfapi.Decision{FailWorkflowExecutionDecisionAttributes: &swfapi.FailWorkflowExecutionDecisionAttributes{Reason: ptr("r")}}, nil, true},
		swfapi.DecisionTypeCancelWorkflowExecution:   {swfapi.Decision{CancelWorkflowExecutionDecisionAttributes: &swfapi.CancelWorkflowExecutionDecisionAttributes{}}, nil, true},
		swfapi.DecisionTypeContinueAsNewWorkflowExecution: {swfapi.Decision{ContinueAsNewWorkflowExecutionDecisionAttributes: &swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes{
			TaskList: tl, TagList: tags, WorkflowTypeVersion: ptr("3")}},
			tagKeys(map[string]string{"swf:tasklist.name": "tl", "swf:workflowtypeversion": "3", "swf:workflowtype.version": "3"}), true},
		swfapi.DecisionTypeRecordMarker: {swfapi.Decision{RecordMarkerDecisionAttributes: &swfapi.RecordMarkerDecisionAttributes{MarkerName: ptr("m")}}, nil, true},
		swfapi.DecisionTypeStartTimer:   {swfapi.Decision{StartTimerDecisionAttributes: &swfapi.StartTimerDecisionAttributes{TimerId: ptr("t"), StartToFireTimeout: ptr("5")}}, nil, true},
		swfapi.DecisionTypeCancelTimer:  {swfapi.Decision{CancelTimerDecisionAttributes: &swfapi.CancelTimerDecisionAttributes{TimerId: ptr("t")}}, nil, true},
		swfapi.DecisionTypeSignalExternalWorkflowExecution: {swfapi.Decision{SignalExternalWorkflowExecutionDecisionAttributes: &swfapi.SignalExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: ptr("w"), SignalName: ptr("s")}}, nil, true},
		swfapi.DecisionTypeRequestCancelExternalWorkflowExecution: {swfapi.Decision{RequestCancelExternalWorkflowExecutionDecisionAttributes: &swfapi.RequestCancelExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: ptr("w")}}, nil, true},
		swfapi.DecisionTypeStartChildWorkflowExecution: {swfapi.Decision{StartChildWorkflowExecutionDecisionAttributes: &swfapi.StartChildWorkflowExecutionDecisionAttributes{
			WorkflowType: &swfapi.WorkflowType{Name: ptr("child"), Version: ptr("1")}, WorkflowId: ptr("c"), TaskList: tl, TagList: tags}},
			tagKeys(map[string]string{"swf:workflowtype.name": "child", "swf:workflowtype.version": "1", "swf:tasklist.name": "tl"}), true},
		swfapi.DecisionTypeScheduleLambdaFunction: {swfapi.Decision{ScheduleLambdaFunctionDecisionAttributes: &swfapi.ScheduleLambdaFunctionDecisionAttributes{
			Id: ptr("l"), Name: ptr("fn")}}, nil, false},
	}

	types := swfapi.DecisionTypeValues()
	if len(types) != len(tests) {
		t.Errorf("%d decision types in the model, %d in this table", len(types), len(tests))
	}
	var batch []swfapi.Decision
	var want []DecisionRequest
	for _, name := range types {
		typ := swfapi.DecisionType(name)
		tc, ok := tests[typ]
		if !ok {
			t.Errorf("no case for %s", name)
			continue
		}
		tc.d.DecisionType = ptrDecision(typ)
		batch = append(batch, tc.d)
		want = append(want, DecisionRequest{
			Request: Request{Action: "swf:" + name, Resource: "arn:aws:swf:us-east-1:123456789012:/domain/orders", Keys: tc.keys},
			Checked: tc.checked,
		})
		// A decision without its attributes carries no keys.
		bare := testScope.Decisions("orders", []swfapi.Decision{{DecisionType: ptrDecision(typ)}})
		if bare[0].Request.Keys != nil {
			t.Errorf("%s without attributes has keys %v", name, bare[0].Request.Keys)
		}
	}
	got := testScope.Decisions("orders", batch)
	if len(got) != len(want) {
		t.Fatalf("%d requests for %d decisions", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("decision %s\n got %+v\nwant %+v", types[i], got[i], want[i])
		}
		for k := range got[i].Request.Keys {
			if !isSWFKey(k) {
				t.Errorf("key %q is not in the list Parse accepts", k)
			}
		}
		if got[i].Checked {
			doc := `{"Statement": {"Effect": "Allow", "Action": "` + got[i].Request.Action + `", "Resource": "*"}}`
			if _, err := Parse([]byte(doc)); err != nil {
				t.Errorf("a policy cannot name %s: %v", got[i].Request.Action, err)
			}
		}
	}

	// A decision of no type (refused by validation before this) is still
	// checked, never waved through.
	if r := testScope.Decisions("orders", []swfapi.Decision{{}}); !r[0].Checked {
		t.Error("a decision without a type is not checked")
	}
	if r := testScope.Decisions("orders", nil); len(r) != 0 {
		t.Errorf("empty batch gives %v", r)
	}
}
