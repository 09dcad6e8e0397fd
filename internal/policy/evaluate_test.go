package policy

import (
	"strings"
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

var testScope = Scope{Region: "us-east-1", Account: "123456789012"}

func mustParse(t testing.TB, doc string) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, doc)
	}
	return p
}

// call builds the request of one API call the way the server will.
func call(op string, in any) Request { return testScope.Call(op, in, "orders") }

// decision builds the request of one decision in domain orders.
func decision(d swfapi.Decision) Request {
	return testScope.Decisions("orders", []swfapi.Decision{d})[0].Request
}

func ptr(s string) *string { return &s }

// withKeys adds condition keys to a request, as a caller adds the keys
// Scope.Call cannot know.
func withKeys(r Request, kv ...string) Request {
	if r.Keys == nil {
		r.Keys = map[string]string{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Keys[kv[i]] = kv[i+1]
	}
	return r
}

func poll(taskList string) Request {
	in := &swfapi.PollForActivityTaskInput{Domain: ptr("orders")}
	if taskList != "" {
		in.TaskList = &swfapi.TaskList{Name: ptr(taskList)}
	}
	return call("PollForActivityTask", in)
}

func startWorkflow(domain, name, version, taskList string, tags ...string) Request {
	in := &swfapi.StartWorkflowExecutionInput{Domain: ptr(domain), WorkflowId: ptr("w-1"), TagList: tags}
	if name != "" || version != "" {
		in.WorkflowType = &swfapi.WorkflowType{}
		if name != "" {
			in.WorkflowType.Name = ptr(name)
		}
		if version != "" {
			in.WorkflowType.Version = ptr(version)
		}
	}
	if taskList != "" {
		in.TaskList = &swfapi.TaskList{Name: ptr(taskList)}
	}
	return call("StartWorkflowExecution", in)
}

func scheduleActivity(name string) Request {
	typ := swfapi.DecisionTypeScheduleActivityTask
	a := &swfapi.ScheduleActivityTaskDecisionAttributes{ActivityId: ptr("a1")}
	if name != "" {
		a.ActivityType = &swfapi.ActivityType{Name: ptr(name), Version: ptr("1")}
	}
	return decision(swfapi.Decision{DecisionType: &typ, ScheduleActivityTaskDecisionAttributes: a})
}

func simpleDecision(t swfapi.DecisionType) Request {
	return decision(swfapi.Decision{DecisionType: &t})
}

// The example policies of SWF's developer guide, chapter "Using IAM to
// manage access to Amazon SWF resources", rebuilt as whole documents (the
// guide shows most of them as fragments), followed by the cases that pin
// down IAM's evaluation rules.
const (
	// Full access to every domain of the account in every region.
	guideFullAccess = `{
	  "Version": "2012-10-17",
	  "Statement": {"Effect": "Allow", "Action": "swf:*", "Resource": "arn:aws:swf:*:123456789012:/domain/*"}
	}`

	// Any action, but only in two departments' domains.
	guideDomains = `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": "swf:*", "Resource": "arn:aws:swf:*:123456789012:/domain/department1"},
	    {"Effect": "Allow", "Action": "swf:*", "Resource": "arn:aws:swf:*:123456789012:/domain/department2"}
	  ]
	}`

	// A workflow starter restricted to version2 of workflow1.
	guideStarter = `{
	  "Version": "2012-10-17",
	  "Statement": {
	    "Effect": "Allow",
	    "Action": "swf:StartWorkflowExecution",
	    "Resource": "arn:aws:swf:*:123456789012:/domain/*",
	    "Condition": {"StringEquals": {"swf:workflowType.name": "workflow1", "swf:workflowType.version": "version2"}}
	  }
	}`

	// The task list may be given or left out, but only one is allowed.
	guideOptionalTaskList = `{
	  "Version": "2012-10-17",
	  "Statement": {
	    "Effect": "Allow",
	    "Action": "swf:StartWorkflowExecution",
	    "Resource": "arn:aws:swf:*:123456789012:/domain/*",
	    "Condition": {"StringEqualsIfExists": {"swf:taskList.name": "task_list_name"}}
	  }
	}`

	// The guide's insecure tag condition: it constrains only the first tag.
	guideInsecureTags = `{
	  "Version": "2012-10-17",
	  "Statement": {
	    "Effect": "Allow",
	    "Action": "swf:StartWorkflowExecution",
	    "Resource": "arn:aws:swf:*:123456789012:/domain/*",
	    "Condition": {"StringEqualsIfExists": {"swf:tagList.member.0": ["some_ok_tag", "another_ok_tag"]}}
	  }
	}`

	// The guide's fix: at most one tag, and that one from the list.
	guideSecureTags = `{
	  "Version": "2012-10-17",
	  "Statement": {
	    "Effect": "Allow",
	    "Action": "swf:StartWorkflowExecution",
	    "Resource": "arn:aws:swf:*:123456789012:/domain/*",
	    "Condition": {
	      "StringEqualsIfExists": {"swf:tagList.member.0": ["some_ok_tag", "another_ok_tag"]},
	      "Null": {"swf:tagList.member.1": "true"}
	    }
	  }
	}`

	// Pseudo API: a decider may answer decision tasks, and its only
	// decision is to schedule SomeActivityType.
	guideDecider = `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "Respond", "Effect": "Allow", "Action": "swf:RespondDecisionTaskCompleted", "Resource": "arn:aws:swf:*:123456789012:/domain/*"},
	    {"Sid": "Schedule", "Effect": "Allow", "Action": "swf:ScheduleActivityTask", "Resource": "*",
	     "Condition": {"StringEquals": {"swf:activityType.name": "SomeActivityType"}}}
	  ]
	}`

	// The guide's "service model limitation" example: a policy IAM accepts
	// though SWF would refuse a request that satisfies it.
	guideFilters = `{
	  "Version": "2012-10-17",
	  "Statement": {
	    "Effect": "Allow",
	    "Action": "swf:ListOpenWorkflowExecutions",
	    "Resource": "*",
	    "Condition": {"StringEquals": {"swf:typeFilter.name": "workflow_name", "swf:typeFilter.version": "workflow_version", "swf:tagFilter.tag": "some_tag"}}
	  }
	}`

	// The guide's tag-based policy: the caller supplies the domain's tags.
	guideResourceTag = `{
	  "Version": "2012-10-17",
	  "Statement": {
	    "Effect": "Allow", "Action": "swf:*", "Resource": "*",
	    "Condition": {"StringEquals": {"aws:ResourceTag/environment": "production"}}
	  }
	}`

	// An activity worker: polls one task list family, heartbeats, answers.
	activityWorker = `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "Poll", "Effect": "Allow", "Action": "swf:PollForActivityTask",
	     "Resource": "arn:aws:swf:us-east-1:123456789012:/domain/orders",
	     "Condition": {"StringLike": {"swf:taskList.name": ["payments-*", "shipping-?"]}}},
	    {"Sid": "Work", "Effect": "Allow",
	     "Action": ["swf:RecordActivityTaskHeartbeat", "swf:RespondActivityTask*"],
	     "Resource": "arn:aws:swf:us-east-1:123456789012:/domain/orders"}
	  ]
	}`

	// Everything, except what an operator must never do by accident.
	adminWithGuards = `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"},
	    {"Sid": "NoTerminate", "Effect": "Deny", "Action": ["swf:TerminateWorkflowExecution", "swf:Deprecate*", "swf:Delete*"], "Resource": "*"}
	  ]
	}`

	// Used as a second policy: a Deny in another policy still wins.
	denyProduction = `{
	  "Statement": {"Sid": "NoProd", "Effect": "Deny", "Action": "swf:*", "Resource": "arn:aws:swf:*:*:/domain/prod*"}
	}`
)

func TestEvaluate(t *testing.T) {
	allow := func(policy, stmt int, sid string) Verdict {
		return Verdict{Allowed: true, Policy: policy, Statement: stmt, Sid: sid}
	}
	deny := func(policy, stmt int, sid string) Verdict {
		return Verdict{ExplicitDeny: true, Policy: policy, Statement: stmt, Sid: sid}
	}
	implicit := Verdict{Policy: -1, Statement: -1}
	otherAccount := Scope{Region: "eu-west-1", Account: "999999999999"}
	eu := Scope{Region: "eu-west-1", Account: "123456789012"}

	tests := []struct {
		name     string
		policies []string
		req      Request
		want     Verdict
	}{
		// Full access.
		{"full access: poll", []string{guideFullAccess}, poll("any"), allow(0, 0, "")},
		{"full access: any region", []string{guideFullAccess}, eu.Call("DescribeDomain", &swfapi.DescribeDomainInput{Name: ptr("x")}, ""), allow(0, 0, "")},
		{"full access: ListDomains", []string{guideFullAccess}, call("ListDomains", &swfapi.ListDomainsInput{}), allow(0, 0, "")},
		{"full access: RegisterDomain", []string{guideFullAccess}, call("RegisterDomain", &swfapi.RegisterDomainInput{Name: ptr("new")}), allow(0, 0, "")},
		{"full access: decision", []string{guideFullAccess}, simpleDecision(swfapi.DecisionTypeStartTimer), allow(0, 0, "")},
		{"full access: not another account", []string{guideFullAccess}, otherAccount.Call("DescribeDomain", &swfapi.DescribeDomainInput{Name: ptr("x")}, ""), implicit},

		// Domain permissions.
		{"domains: department1", []string{guideDomains}, startWorkflow("department1", "w", "1", ""), allow(0, 0, "")},
		{"domains: department2", []string{guideDomains}, startWorkflow("department2", "w", "1", ""), allow(0, 1, "")},
		{"domains: department3", []string{guideDomains}, startWorkflow("department3", "w", "1", ""), implicit},
		{"domains: no prefix match", []string{guideDomains}, startWorkflow("department10", "w", "1", ""), implicit},
		{"domains: ListDomains needs the account", []string{guideDomains}, call("ListDomains", &swfapi.ListDomainsInput{}), implicit},

		// API permissions and conditions.
		{"starter: right type", []string{guideStarter}, startWorkflow("orders", "workflow1", "version2", ""), allow(0, 0, "")},
		{"starter: wrong version", []string{guideStarter}, startWorkflow("orders", "workflow1", "version1", ""), implicit},
		{"starter: version missing", []string{guideStarter}, startWorkflow("orders", "workflow1", "", ""), implicit},
		{"starter: values are case-sensitive", []string{guideStarter}, startWorkflow("orders", "Workflow1", "version2", ""), implicit},
		{"starter: other action", []string{guideStarter}, poll("x"), implicit},
		{"IfExists: given and equal", []string{guideOptionalTaskList}, startWorkflow("orders", "w", "1", "task_list_name"), allow(0, 0, "")},
		{"IfExists: absent", []string{guideOptionalTaskList}, startWorkflow("orders", "w", "1", ""), allow(0, 0, "")},
		{"IfExists: given and different", []string{guideOptionalTaskList}, startWorkflow("orders", "w", "1", "other"), implicit},
		{"insecure tags: second tag is free", []string{guideInsecureTags}, startWorkflow("orders", "w", "1", "", "some_ok_tag", "anything"), allow(0, 0, "")},
		{"insecure tags: first tag checked", []string{guideInsecureTags}, startWorkflow("orders", "w", "1", "", "bad"), implicit},
		{"secure tags: second tag refused", []string{guideSecureTags}, startWorkflow("orders", "w", "1", "", "some_ok_tag", "anything"), implicit},
		{"secure tags: one good tag", []string{guideSecureTags}, startWorkflow("orders", "w", "1", "", "another_ok_tag"), allow(0, 0, "")},
		{"secure tags: no tag", []string{guideSecureTags}, startWorkflow("orders", "w", "1", ""), allow(0, 0, "")},

		// Pseudo API.
		{"decider: respond", []string{guideDecider}, call("RespondDecisionTaskCompleted", &swfapi.RespondDecisionTaskCompletedInput{TaskToken: ptr("t")}), allow(0, 0, "Respond")},
		{"decider: schedule allowed type", []string{guideDecider}, scheduleActivity("SomeActivityType"), allow(0, 1, "Schedule")},
		{"decider: schedule other type", []string{guideDecider}, scheduleActivity("OtherType"), implicit},
		{"decider: schedule without type", []string{guideDecider}, scheduleActivity(""), implicit},
		{"decider: other decision", []string{guideDecider}, simpleDecision(swfapi.DecisionTypeStartTimer), implicit},

		{"filters: all three", []string{guideFilters}, call("ListOpenWorkflowExecutions", &swfapi.ListOpenWorkflowExecutionsInput{
			Domain:     ptr("orders"),
			TypeFilter: &swfapi.WorkflowTypeFilter{Name: ptr("workflow_name"), Version: ptr("workflow_version")},
			TagFilter:  &swfapi.TagFilter{Tag: ptr("some_tag")},
		}), allow(0, 0, "")},
		{"filters: tag filter alone", []string{guideFilters}, call("ListOpenWorkflowExecutions", &swfapi.ListOpenWorkflowExecutionsInput{
			Domain: ptr("orders"), TagFilter: &swfapi.TagFilter{Tag: ptr("some_tag")},
		}), implicit},

		{"resource tag: production", []string{guideResourceTag},
			Request{Action: "swf:DescribeDomain", Resource: testScope.DomainARN("orders"), Keys: map[string]string{"aws:resourcetag/environment": "production"}}, allow(0, 0, "")},
		{"resource tag: caller's case", []string{guideResourceTag},
			Request{Action: "swf:DescribeDomain", Resource: testScope.DomainARN("orders"), Keys: map[string]string{"aws:ResourceTag/Environment": "production"}}, allow(0, 0, "")},
		{"resource tag: untagged", []string{guideResourceTag},
			Request{Action: "swf:DescribeDomain", Resource: testScope.DomainARN("orders")}, implicit},

		// An activity worker.
		{"worker: poll payments", []string{activityWorker}, poll("payments-eu"), allow(0, 0, "Poll")},
		{"worker: poll shipping-1", []string{activityWorker}, poll("shipping-1"), allow(0, 0, "Poll")},
		{"worker: ? is one character", []string{activityWorker}, poll("shipping-12"), implicit},
		{"worker: poll without task list", []string{activityWorker}, poll(""), implicit},
		{"worker: heartbeat", []string{activityWorker}, testScope.Call("RecordActivityTaskHeartbeat", &swfapi.RecordActivityTaskHeartbeatInput{TaskToken: ptr("t")}, "orders"), allow(0, 1, "Work")},
		{"worker: complete", []string{activityWorker}, testScope.Call("RespondActivityTaskCompleted", &swfapi.RespondActivityTaskCompletedInput{}, "orders"), allow(0, 1, "Work")},
		{"worker: heartbeat elsewhere", []string{activityWorker}, testScope.Call("RecordActivityTaskHeartbeat", &swfapi.RecordActivityTaskHeartbeatInput{}, "billing"), implicit},
		{"worker: no deciding", []string{activityWorker}, testScope.Call("RespondDecisionTaskCompleted", &swfapi.RespondDecisionTaskCompletedInput{}, "orders"), implicit},

		// Explicit Deny overrides Allow, in the same policy or another.
		{"guards: allowed", []string{adminWithGuards}, poll("x"), allow(0, 0, "All")},
		{"guards: terminate denied", []string{adminWithGuards}, call("TerminateWorkflowExecution", &swfapi.TerminateWorkflowExecutionInput{Domain: ptr("orders")}), deny(0, 1, "NoTerminate")},
		{"guards: wildcard deny", []string{adminWithGuards}, call("DeleteActivityType", &swfapi.DeleteActivityTypeInput{Domain: ptr("orders")}), deny(0, 1, "NoTerminate")},
		{"deny in second policy", []string{adminWithGuards, denyProduction}, testScope.Call("PollForActivityTask", &swfapi.PollForActivityTaskInput{Domain: ptr("production")}, ""), deny(1, 0, "NoProd")},
		{"deny in first policy", []string{denyProduction, guideFullAccess}, testScope.Call("PollForActivityTask", &swfapi.PollForActivityTaskInput{Domain: ptr("prod")}, ""), deny(0, 0, "NoProd")},
		{"deny elsewhere does not apply", []string{denyProduction, guideFullAccess}, poll("x"), allow(1, 0, "")},
		{"no policies", nil, poll("x"), implicit},

		// Case: actions and key names are case-insensitive; values are not.
		{"action case", []string{`{"Statement": {"Effect": "Allow", "Action": "SWF:pollforactivitytask", "Resource": "*"}}`}, poll("x"), allow(0, 0, "")},
		{"action case in request", []string{`{"Statement": {"Effect": "Allow", "Action": "swf:PollForActivityTask", "Resource": "*"}}`},
			Request{Action: "SWF:POLLFORACTIVITYTASK", Resource: "x"}, allow(0, 0, "")},
		{"wildcard action case", []string{`{"Statement": {"Effect": "Allow", "Action": "swf:poll*", "Resource": "*"}}`}, poll("x"), allow(0, 0, "")},
		{"key case", []string{`{"Statement": {"Effect": "Allow", "Action": "swf:PollForActivityTask", "Resource": "*", "Condition": {"StringEquals": {"SWF:TASKLIST.NAME": "x"}}}}`}, poll("x"), allow(0, 0, "")},
		{"resource is case-sensitive", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:swf:us-east-1:123456789012:/domain/Orders"}}`}, poll("x"), implicit},
		{"IgnoreCase", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualsIgnoreCase": {"swf:taskList.name": "ÉTÉ"}}}}`}, poll("été"), allow(0, 0, "")},
		{"NotEqualsIgnoreCase", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringNotEqualsIgnoreCase": {"swf:taskList.name": "SECRET"}}}}`}, poll("secret"), implicit},

		// Wildcards in resources and actions.
		{"resource ?", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:swf:us-east-?:123456789012:/domain/ord*"}}`}, poll("x"), allow(0, 0, "")},
		{"resource * stays in its segment", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:swf:*:123456789012:/domain/*"}}`},
			Request{Action: "swf:TagResource", Resource: "arn:aws:swf:us-east-1:999999999999:/domain/x:123456789012:/domain/y"}, implicit},
		{"not an ARN matches only *", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:swf:*:*:*"}}`},
			call("TagResource", &swfapi.TagResourceInput{ResourceArn: ptr("domain/orders")}), implicit},
		{"tag resource by ARN", []string{`{"Statement": {"Effect": "Allow", "Action": "swf:TagResource", "Resource": "arn:aws:swf:*:123456789012:/domain/orders"}}`},
			call("TagResource", &swfapi.TagResourceInput{ResourceArn: ptr("arn:aws:swf:us-east-1:123456789012:/domain/orders")}), allow(0, 0, "")},
		{"action ?", []string{`{"Statement": {"Effect": "Allow", "Action": "swf:Respond?ctivityTask*", "Resource": "*"}}`},
			testScope.Call("RespondActivityTaskFailed", &swfapi.RespondActivityTaskFailedInput{}, "orders"), allow(0, 0, "")},

		// A number or a boolean is compared as the text it is written as,
		// as IAM's grammar allows.
		{"numeric value", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"swf:workflowType.version": 2}}}}`},
			startWorkflow("orders", "workflow1", "2", "tl"), allow(0, 0, "")},
		{"boolean value", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"swf:taskList.name": true}}}}`},
			poll("true"), allow(0, 0, "")},

		// Other services' actions match no SWF call, as on AWS.
		{"another service's action allows nothing here", []string{`{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}`}, poll("x"), implicit},
		{"NotAction of another service covers SWF", []string{`{"Statement": [
			{"Effect": "Allow", "Action": "*", "Resource": "*"},
			{"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"}]}`}, poll("x"), deny(0, 1, "")},

		// A domain's tags, as the caller adds them (aws:ResourceTag/KEY,
		// the tag's key matched without regard to case).
		{"resource tag allows", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/Env": "prod"}}}}`},
			withKeys(poll("x"), KeyResourceTag+"env", "prod"), allow(0, 0, "")},
		{"resource tag of another value", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}}}`},
			withKeys(poll("x"), KeyResourceTag+"env", "dev"), implicit},
		{"resource tag denies", []string{`{"Statement": [
			{"Effect": "Allow", "Action": "*", "Resource": "*"},
			{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}}]}`},
			withKeys(poll("x"), KeyResourceTag+"env", "prod"), deny(0, 1, "")},

		// NotAction and NotResource.
		{"NotAction allows the rest", []string{`{"Statement": {"Effect": "Allow", "NotAction": ["swf:Terminate*", "swf:Delete*"], "Resource": "*"}}`}, poll("x"), allow(0, 0, "")},
		{"NotAction excludes", []string{`{"Statement": {"Effect": "Allow", "NotAction": ["swf:Terminate*", "swf:Delete*"], "Resource": "*"}}`},
			call("TerminateWorkflowExecution", &swfapi.TerminateWorkflowExecutionInput{Domain: ptr("orders")}), implicit},
		{"NotResource deny outside sandbox", []string{`{"Statement": [
			{"Effect": "Allow", "Action": "*", "Resource": "*"},
			{"Sid": "OnlySandbox", "Effect": "Deny", "Action": "swf:*", "NotResource": "arn:aws:swf:*:123456789012:/domain/sandbox"}]}`}, poll("x"), deny(0, 1, "OnlySandbox")},
		{"NotResource sandbox allowed", []string{`{"Statement": [
			{"Effect": "Allow", "Action": "*", "Resource": "*"},
			{"Sid": "OnlySandbox", "Effect": "Deny", "Action": "swf:*", "NotResource": "arn:aws:swf:*:123456789012:/domain/sandbox"}]}`},
			testScope.Call("PollForActivityTask", &swfapi.PollForActivityTaskInput{Domain: ptr("sandbox")}, ""), allow(0, 0, "")},

		// Absent keys, per IAM: negated operators hold, positive ones do not.
		{"StringNotEquals on absent key holds", []string{`{"Statement": [
			{"Effect": "Allow", "Action": "*", "Resource": "*"},
			{"Sid": "OnlySafe", "Effect": "Deny", "Action": "swf:PollForActivityTask", "Resource": "*", "Condition": {"StringNotEquals": {"swf:taskList.name": ["safe", "also-safe"]}}}]}`},
			poll(""), deny(0, 1, "OnlySafe")},
		{"StringNotEquals: every value must differ", []string{`{"Statement": [
			{"Effect": "Allow", "Action": "*", "Resource": "*"},
			{"Sid": "OnlySafe", "Effect": "Deny", "Action": "swf:PollForActivityTask", "Resource": "*", "Condition": {"StringNotEquals": {"swf:taskList.name": ["safe", "also-safe"]}}}]}`},
			poll("also-safe"), allow(0, 0, "")},
		{"StringNotLike on absent key holds", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringNotLike": {"swf:taskList.name": "x*"}}}}`}, poll(""), allow(0, 0, "")},
		{"StringNotLike on present key", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringNotLike": {"swf:taskList.name": "x*"}}}}`}, poll("xyz"), implicit},
		{"StringLike on absent key fails", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringLike": {"swf:taskList.name": "*"}}}}`}, poll(""), implicit},
		{"StringLikeIfExists on absent key", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringLikeIfExists": {"swf:taskList.name": "x*"}}}}`}, poll(""), allow(0, 0, "")},
		{"StringNotEqualsIfExists on present key", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"swf:taskList.name": "x"}}}}`}, poll("x"), implicit},
		{"ForAllValues on absent key holds", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"swf:taskList.name": "x"}}}}`}, poll(""), allow(0, 0, "")},
		{"ForAnyValue on absent key fails", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAnyValue:StringNotEquals": {"swf:taskList.name": "x"}}}}`}, poll(""), implicit},
		{"ForAnyValue on present key", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAnyValue:StringLike": {"swf:taskList.name": "x?"}}}}`}, poll("xy"), allow(0, 0, "")},
		{"Null false needs the key", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Null": {"swf:taskList.name": false}}}}`}, poll(""), implicit},
		{"unknown non-SWF key is absent", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"s3:prefix": "10.0.0.1"}}}}`}, poll("x"), implicit},
		{"operators AND together", []string{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {
			"StringLike": {"swf:workflowType.name": "work*"}, "StringEquals": {"swf:taskList.name": "tl"}}}}`}, startWorkflow("orders", "workflow1", "1", "other"), implicit},

		// Decisions with keys.
		{"ContinueAsNew by either key name", []string{`{"Statement": [
			{"Effect": "Allow", "Action": "swf:ContinueAsNewWorkflowExecution", "Resource": "*", "Condition": {"StringEquals": {"swf:workflowTypeVersion": "2", "swf:workflowType.version": "2"}}}]}`},
			decision(swfapi.Decision{
				DecisionType: ptrDecision(swfapi.DecisionTypeContinueAsNewWorkflowExecution),
				ContinueAsNewWorkflowExecutionDecisionAttributes: &swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes{WorkflowTypeVersion: ptr("2")},
			}), allow(0, 0, "")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ps []*Policy
			for _, doc := range tc.policies {
				ps = append(ps, mustParse(t, doc))
			}
			if got := Evaluate(ps, tc.req); got != tc.want {
				t.Errorf("Evaluate(%+v)\n got %+v\nwant %+v", tc.req, got, tc.want)
			}
		})
	}
}

func ptrDecision(t swfapi.DecisionType) *swfapi.DecisionType { return &t }

// Nil policies in the list are skipped, not dereferenced.
func TestEvaluateNilPolicy(t *testing.T) {
	ps := []*Policy{nil, mustParse(t, guideFullAccess)}
	if got := Evaluate(ps, poll("x")); !got.Allowed || got.Policy != 1 {
		t.Errorf("got %+v", got)
	}
}

// The matcher must stay polynomial on patterns built to make a
// backtracking matcher explode.
func TestGlobHostile(t *testing.T) {
	p := ""
	for i := 0; i < 200; i++ {
		p += "*a"
	}
	p += "*b"
	s := ""
	for i := 0; i < 2000; i++ {
		s += "a"
	}
	if globMatch(p, s, false) {
		t.Fatal("hostile pattern matched")
	}
	if !globMatch(p[:len(p)-2], s, false) {
		t.Fatal("pattern without the b should match")
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		p, s string
		fold bool
		want bool
	}{
		{"*", "", false, true},
		{"", "", false, true},
		{"", "a", false, false},
		{"?", "", false, false},
		{"?", "é", false, true},
		{"??", "é", false, false},
		{"a*b*c", "abc", false, true},
		{"a*b*c", "aXbYc", false, true},
		{"a*b*c", "aXbY", false, false},
		{"a*b?c", "ab_c", false, true},
		{"a**", "a", false, true},
		{"*x", "xxxx", false, true},
		{"ABC*", "abcd", true, true},
		{"ABC*", "abcd", false, false},
		{"a?c", "ABC", true, true},
		{"k", "\u212a", true, false}, // the Kelvin sign is not a letter k
	}
	for _, tc := range tests {
		if got := globMatch(tc.p, tc.s, tc.fold); got != tc.want {
			t.Errorf("globMatch(%q, %q, %v) = %v", tc.p, tc.s, tc.fold, got)
		}
		pat := compilePattern(tc.p, tc.fold)
		if got := pat.match(tc.s); got != tc.want {
			t.Errorf("compiled %q match %q = %v", tc.p, tc.s, got)
		}
	}
}

// Evaluate's shortcut (statements looked up by action at Parse time) must
// agree with the full scan it falls back to for actions in another case.
func TestActionIndexAgreesWithScan(t *testing.T) {
	docs := []string{guideFullAccess, guideDomains, guideStarter, guideDecider, activityWorker, adminWithGuards, denyProduction,
		`{"Statement": [{"Effect": "Allow", "NotAction": ["swf:Poll*", "swf:*Timer"], "Resource": "*"},
			{"Effect": "Deny", "Action": "swf:??????????????????????????????", "Resource": "*"}]}`}
	var policies []*Policy
	for _, d := range docs {
		policies = append(policies, mustParse(t, d))
	}
	for _, action := range swfActions() {
		for _, domain := range []string{"orders", "department1", "prod"} {
			req := Request{Action: action, Resource: testScope.DomainARN(domain), Keys: map[string]string{"swf:activitytype.name": "SomeActivityType"}}
			for i := range policies {
				for j := i; j <= len(policies); j++ {
					ps := policies[i:j]
					fast := Evaluate(ps, req)
					other := req
					other.Action = strings.ToUpper(action)
					if slow := Evaluate(ps, other); slow != fast {
						t.Errorf("%s on %s, policies %d..%d: index says %+v, scan says %+v", action, domain, i, j, fast, slow)
					}
				}
			}
		}
	}
}
